/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-report-dialog-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-report-dialog.h"

G_BEGIN_DECLS

CalsyncSyncReport *calsync_report_dialog_get_report (CalsyncReportDialog *self);
/* The rows of the per-calendar list */
GtkListBox        *calsync_report_dialog_get_list   (CalsyncReportDialog *self);
/* "Synced 2 calendars — 15 new, 3 updated, 1 removed", "Calendars are up to date",
 * "Could not sync 1 of 3 calendars", the offline text; NULL when nothing was
 * connected. @persistent: whether the toast stays until dismissed (failures). */
char              *calsync_report_dialog_toast_title (CalsyncSyncReport  *report,
                                                      gboolean           *persistent);
/* "Finished today at 16:25", "Finished on 24 November 2026 at 16:25" (@usec: unix µs) */
char              *calsync_report_dialog_format_finished (gint64          usec);

G_END_DECLS
