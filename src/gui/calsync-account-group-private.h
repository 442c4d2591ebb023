/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-group-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-account-group.h"

G_BEGIN_DECLS

const char  *calsync_account_group_get_status_text (CalsyncAccountGroup *self);
const char  *calsync_account_group_get_status_subtitle (CalsyncAccountGroup *self);
/* The error line, or NULL */
const char  *calsync_account_group_get_error_text  (CalsyncAccountGroup *self);
guint        calsync_account_group_get_n_calendars (CalsyncAccountGroup *self);
GtkWidget   *calsync_account_group_get_calendar_row (CalsyncAccountGroup *self,
                                                     gint64               calendar_id);
GtkWidget   *calsync_account_group_get_calendar_switch (CalsyncAccountGroup *self,
                                                        gint64               calendar_id);
GtkWidget   *calsync_account_group_get_reconnect_button (CalsyncAccountGroup *self);
GtkWidget   *calsync_account_group_get_remove_button    (CalsyncAccountGroup *self);
/* "Reconnect to allow changes", shown for an account signed in read-only */
GtkWidget   *calsync_account_group_get_allow_changes_button (CalsyncAccountGroup *self);

G_END_DECLS
