/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-report.h: the outcome of one sync, per calendar and in total; serializes
 * to exactly the JSON of `calsync --sync --json` (DESIGN.md). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef struct
{
  char *connection_id;    /* our calendar id, as text */
  char *provider;         /* "google", "outlook", "caldav" */
  char *email;
  char *calendar_name;    /* exactly as the provider gives it */
  gboolean success;
  char *error;            /* for people; NULL on success */
  guint synced;
  guint updated;
  guint skipped;
  guint deleted;
  guint total;
  guint pushed;           /* local changes the server accepted */
  guint conflicts;        /* edits (ours or the server's) that lost a conflict */
  GPtrArray *messages;    /* (nullable) for people: the conflicts' losers, refused changes */
} CalsyncCalendarResult;

void calsync_calendar_result_free (CalsyncCalendarResult *result);

#define CALSYNC_TYPE_SYNC_REPORT (calsync_sync_report_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncSyncReport, calsync_sync_report, CALSYNC, SYNC_REPORT, GObject)

CalsyncSyncReport *calsync_sync_report_new          (void);
/* Takes ownership of @result */
void               calsync_sync_report_add          (CalsyncSyncReport     *self,
                                                     CalsyncCalendarResult *result);
guint              calsync_sync_report_get_n_results (CalsyncSyncReport    *self);
const CalsyncCalendarResult *
                   calsync_sync_report_get_result   (CalsyncSyncReport     *self,
                                                     guint                  index);
gboolean           calsync_sync_report_get_success  (CalsyncSyncReport     *self);
void               calsync_sync_report_get_totals   (CalsyncSyncReport     *self,
                                                     CalsyncCalendarResult *totals);
/* "Synced 2 of 2 calendar(s)", "No calendars connected" */
char              *calsync_sync_report_get_message  (CalsyncSyncReport     *self);
/* Unix microseconds when the sync finished */
gint64             calsync_sync_report_get_timestamp (CalsyncSyncReport    *self);
void               calsync_sync_report_set_timestamp (CalsyncSyncReport    *self,
                                                      gint64                usec);
char              *calsync_sync_report_to_json      (CalsyncSyncReport     *self);
/* The brief's human summary (per calendar lines and totals) */
char              *calsync_sync_report_to_text      (CalsyncSyncReport     *self);

G_END_DECLS
