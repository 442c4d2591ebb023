/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-report-dialog.h: the last sync in full (per calendar ✓/✗, counts, errors),
 * copyable as the JSON of `calsync --sync --json`; and the toast that announces it. */
#pragma once

#include <adwaita.h>

#include "calsync-sync-report.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_REPORT_DIALOG (calsync_report_dialog_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncReportDialog, calsync_report_dialog, CALSYNC, REPORT_DIALOG, AdwWindow)

GtkWidget         *calsync_report_dialog_new        (CalsyncSyncReport   *report);

/* The toast for @report with a "Details" button (app.show-sync-report), or NULL */
AdwToast          *calsync_report_dialog_new_toast   (CalsyncSyncReport  *report);

G_END_DECLS
