/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-clock.h: "now", the one place that honours CALSYNC_NOW. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

GDateTime *calsync_now_utc   (void);
GDateTime *calsync_now_local (void);

G_END_DECLS
