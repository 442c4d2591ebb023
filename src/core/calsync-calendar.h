/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-calendar.h: one calendar of an account (the brief's "calendar connection"). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CALSYNC_TYPE_CALENDAR (calsync_calendar_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncCalendar, calsync_calendar, CALSYNC, CALENDAR, GObject)

CalsyncCalendar *calsync_calendar_new                (void);

gint64           calsync_calendar_get_id             (CalsyncCalendar *self);
void             calsync_calendar_set_id             (CalsyncCalendar *self, gint64 id);
gint64           calsync_calendar_get_account_id     (CalsyncCalendar *self);
void             calsync_calendar_set_account_id     (CalsyncCalendar *self, gint64 account_id);
/* Id of the calendar at the provider (Google calendar id, Graph id, CalDAV href) */
const char      *calsync_calendar_get_remote_id      (CalsyncCalendar *self);
void             calsync_calendar_set_remote_id      (CalsyncCalendar *self, const char *remote_id);
/* Name exactly as the provider gives it */
const char      *calsync_calendar_get_name           (CalsyncCalendar *self);
void             calsync_calendar_set_name           (CalsyncCalendar *self, const char *name);
/* "#rrggbb" */
const char      *calsync_calendar_get_color          (CalsyncCalendar *self);
void             calsync_calendar_set_color          (CalsyncCalendar *self, const char *color);
gboolean         calsync_calendar_get_is_active      (CalsyncCalendar *self);
void             calsync_calendar_set_is_active      (CalsyncCalendar *self, gboolean active);
gboolean         calsync_calendar_get_is_primary     (CalsyncCalendar *self);
void             calsync_calendar_set_is_primary     (CalsyncCalendar *self, gboolean primary);
/* The server does not let this account change the calendar (Google accessRole
 * reader/freeBusyReader, Graph canEdit false, CalDAV without DAV:write) */
gboolean         calsync_calendar_get_read_only      (CalsyncCalendar *self);
void             calsync_calendar_set_read_only      (CalsyncCalendar *self, gboolean read_only);
/* Microseconds since the epoch of the last successful sync, 0 for never */
gint64           calsync_calendar_get_last_sync_at   (CalsyncCalendar *self);
void             calsync_calendar_set_last_sync_at   (CalsyncCalendar *self, gint64 usec);
/* Provider's incremental token (Google syncToken, Graph deltaLink, CalDAV sync-token) */
const char      *calsync_calendar_get_sync_token     (CalsyncCalendar *self);
void             calsync_calendar_set_sync_token     (CalsyncCalendar *self, const char *token);
/* Filled when read by the store: the owning account's provider and email */
const char      *calsync_calendar_get_provider       (CalsyncCalendar *self);
void             calsync_calendar_set_account_info   (CalsyncCalendar *self,
                                                      const char      *provider,
                                                      const char      *email);

/* The local calendar of this computer is stored under a language-neutral key
 * (CALSYNC_PERSONAL_CALENDAR_KEY, whatever the language it was created in) and
 * read by the store as calsync_calendar_personal_name(): "Personal" in the
 * current language. Machine-readable output (JSON) prints the key. */
#define CALSYNC_PERSONAL_CALENDAR_KEY "Personal"
const char      *calsync_calendar_personal_name      (void);

G_END_DECLS
