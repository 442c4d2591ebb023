/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-utils.h: helpers shared by the benchmarks that run the real binary. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/* A launcher with XDG_DATA_HOME=@data_home, CALSYNC_NOW=@now and no display */
GSubprocessLauncher *bench_new_launcher (GSubprocessFlags  flags,
                                         const char       *data_home,
                                         const char       *now);
/* Removes @path and all below it (links not followed) */
void                 bench_remove_tree  (const char       *path);

G_END_DECLS
