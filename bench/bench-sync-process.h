/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-sync-process.h: `calsync --sync --json` timed as a whole process. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* In the child (`PROGRAM --serve-process`): the fake Google of this bench */
int  bench_sync_process_serve (gint64      now);
void bench_sync_process_run   (const char *self_path,
                               const char *calsync,
                               const char *reference,
                               guint       rounds,
                               const char *now);

G_END_DECLS
