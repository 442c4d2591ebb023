/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-preferences-window-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-preferences-window.h"

G_BEGIN_DECLS

/* Replaces how the sign-in address is opened (tests follow it with a SoupSession);
 * NULL restores the system browser. */
void       calsync_preferences_window_set_uri_opener (CalsyncUriOpener opener);
GtkWidget *calsync_preferences_window_get_sync_button   (CalsyncPreferencesWindow *self);
guint      calsync_preferences_window_get_n_accounts    (CalsyncPreferencesWindow *self);
CalsyncAccountGroup *
           calsync_preferences_window_get_account_group (CalsyncPreferencesWindow *self,
                                                         gint64                    account_id);
/* The headline of the status area, or NULL while it is hidden */
const char *calsync_preferences_window_get_status_headline (CalsyncPreferencesWindow *self);
/* The statistics and the breakdown lines of the status area, one per line */
char      *calsync_preferences_window_dup_status_text   (CalsyncPreferencesWindow *self);

G_END_DECLS
