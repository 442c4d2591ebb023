/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-add-account-dialog.h: "Continue in Your Browser" — runs one Google or
 * Outlook sign-in (or a reconnect) from Preferences and records the account when
 * it succeeds. */
#pragma once

#include <adwaita.h>

#include "calsync-http.h"
#include "calsync-store.h"

G_BEGIN_DECLS

/**
 * CalsyncUriOpener:
 *
 * Opens the sign-in address. The default is gtk_show_uri() (the system browser);
 * tests replace it with one that follows the address with a SoupSession.
 */
typedef void (*CalsyncUriOpener) (GtkWindow  *parent,
                                  const char *uri);

#define CALSYNC_TYPE_ADD_ACCOUNT_DIALOG (calsync_add_account_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncAddAccountDialog, calsync_add_account_dialog, CALSYNC, ADD_ACCOUNT_DIALOG, AdwMessageDialog)

/* @provider: "google" or "outlook"; @opener: (nullable): NULL for the system browser */
CalsyncAddAccountDialog *calsync_add_account_dialog_new   (GtkWindow               *parent,
                                                           CalsyncStore            *store,
                                                           CalsyncHttp             *http,
                                                           const char              *provider,
                                                           CalsyncUriOpener         opener);
/* Starts listening for the redirect, presents the dialog and opens the browser.
 * Emits ::account-added (CalsyncAccount, guint n_calendars) and closes itself on
 * success; shows the error and stays open on failure. */
gboolean                 calsync_add_account_dialog_start (CalsyncAddAccountDialog *self,
                                                           GError                 **error);

G_END_DECLS
