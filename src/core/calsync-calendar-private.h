/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-calendar-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-calendar.h"

G_BEGIN_DECLS

/* The owning account's email, filled when read by the store */
const char      *calsync_calendar_get_account_email  (CalsyncCalendar *self);

G_END_DECLS
