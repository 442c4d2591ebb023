/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-group.h: one account in Preferences — its status, its calendars
 * with their on/off switches, Reconnect and Remove. Updated in place. */
#pragma once

#include <adwaita.h>

#include "calsync-store.h"
#include "calsync-sync-report.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_ACCOUNT_GROUP (calsync_account_group_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncAccountGroup, calsync_account_group, CALSYNC, ACCOUNT_GROUP, AdwPreferencesGroup)

GtkWidget   *calsync_account_group_new             (gint64               account_id);
gint64       calsync_account_group_get_account_id  (CalsyncAccountGroup *self);
const char  *calsync_account_group_get_email       (CalsyncAccountGroup *self);
const char  *calsync_account_group_get_provider    (CalsyncAccountGroup *self);

/* Brings the widgets up to date without replacing any of them (focus stays).
 * @calendars: CalsyncCalendar of the account; @report: (nullable): the last sync */
void         calsync_account_group_update          (CalsyncAccountGroup *self,
                                                    CalsyncAccount      *account,
                                                    GPtrArray           *calendars,
                                                    CalsyncSyncReport   *report,
                                                    gboolean             syncing);
/* During a long sync: "Syncing… 1 of 2 calendars" for the account's active
 * calendars, counting those whose ids (gint64) are in @done; NULL: "Syncing…" */
void         calsync_account_group_show_progress   (CalsyncAccountGroup *self,
                                                    GHashTable          *done);
/* Re-renders "Synced 2 minutes ago" texts (called every minute) */
void         calsync_account_group_refresh_times   (CalsyncAccountGroup *self);

/* "2 minutes ago", "just now", or a date; @usec and @now_usec unix microseconds */
const char  *calsync_provider_display_name         (const char          *provider);
char        *calsync_format_time_ago               (gint64               usec,
                                                    gint64               now_usec);

G_END_DECLS
