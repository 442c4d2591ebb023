/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-dialog.h: Preferences → Add Account → CalDAV — a server (from a
 * preset or typed), a user name and a password; discovers the calendars and
 * records the account, or says in place why it could not. */
#pragma once

#include <adwaita.h>

#include "calsync-http.h"
#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_CALDAV_DIALOG (calsync_caldav_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncCaldavDialog, calsync_caldav_dialog, CALSYNC, CALDAV_DIALOG, AdwWindow)

typedef enum
{
  CALSYNC_CALDAV_PRESET_NEXTCLOUD,
  CALSYNC_CALDAV_PRESET_FASTMAIL,
  CALSYNC_CALDAV_PRESET_ICLOUD,
  CALSYNC_CALDAV_PRESET_OTHER,
} CalsyncCaldavPreset;

/* Emits ::account-added (CalsyncAccount, guint n_calendars) when the account is
 * stored; stays open showing how many calendars were found until closed. */
CalsyncCaldavDialog *calsync_caldav_dialog_new         (GtkWindow           *parent,
                                                        CalsyncStore        *store,
                                                        CalsyncHttp         *http);
/* Reconnecting: the server and user name of an existing account, filled in */
void                 calsync_caldav_dialog_set_account (CalsyncCaldavDialog *self,
                                                        const char          *server_url,
                                                        const char          *username);

G_END_DECLS
