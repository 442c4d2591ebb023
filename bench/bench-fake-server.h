/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-fake-server.h: the benchmarks' fake Google, served by a child process so that
 * the figures measured are the client's alone. */
#pragma once

#include <gio/gio.h>

#include "calsync-fake-google.h"

G_BEGIN_DECLS

/* In the child (`PROGRAM --serve`): exports the fake's CALSYNC_GOOGLE_* variables to
 * stdout, then serves until stdin is closed. */
int          bench_fake_server_run   (CalsyncFakeGoogle *fake);
/* In the parent: starts `self_path --serve` and takes its variables into the environment */
GSubprocess *bench_fake_server_start (const char        *self_path);
void         bench_fake_server_stop  (GSubprocess      **server);

G_END_DECLS
