/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-dialog-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-caldav-dialog.h"

G_BEGIN_DECLS

/* The line under the form ("Found 3 calendars", an error), or NULL while hidden */
const char *calsync_caldav_dialog_get_status_text (CalsyncCaldavDialog *self);
/* Whether the discovery is running */
gboolean    calsync_caldav_dialog_get_busy        (CalsyncCaldavDialog *self);
/* Whether the account was added (the form is done) */
gboolean    calsync_caldav_dialog_get_done        (CalsyncCaldavDialog *self);
void        calsync_caldav_dialog_set_preset      (CalsyncCaldavDialog *self,
                                                   CalsyncCaldavPreset  preset);
/* The server address used for @text as typed with the current preset
 * ("cloud.example.com" → "https://cloud.example.com"), or NULL when none */
char       *calsync_caldav_dialog_dup_server_url  (CalsyncCaldavDialog *self);

G_END_DECLS
