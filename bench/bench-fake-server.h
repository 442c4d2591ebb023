/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-fake-server.h: the benchmarks' fake Google, served by a child process so that
 * the figures measured are the client's alone. */
#pragma once

#include <gio/gio.h>

#include "calsync-fake-google.h"
#include "calsync-http.h"
#include "calsync-oauth.h"

G_BEGIN_DECLS

/* In the child (`PROGRAM --serve`): prints the CALSYNC_GOOGLE_*, CALSYNC_GRAPH_*
 * and CALSYNC_MS_* variables the fakes exported, then serves until stdin is closed */
int          bench_fake_server_serve (void);
/* The same for one fake Google (exports its variables first) */
int          bench_fake_server_run   (CalsyncFakeGoogle *fake);
/* In the parent: starts `self_path @serve_flag` and takes its variables into the environment */
GSubprocess *bench_fake_server_start (const char        *self_path,
                                      const char        *serve_flag);
void         bench_fake_server_stop  (GSubprocess      **server);

/* Spinning the main context until an async call ends: pass bench_result_cb with
 * &slot, then bench_spin (&slot) returns the result. */
void           bench_result_cb        (GObject           *object,
                                       GAsyncResult      *result,
                                       gpointer           user_data);
GAsyncResult  *bench_spin             (GAsyncResult     **slot);
/* Signs in to the fake Google (its variables in the environment) as a person would */
CalsyncTokens *bench_sign_in          (CalsyncHttp       *http);

G_END_DECLS
