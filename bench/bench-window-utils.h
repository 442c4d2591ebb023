/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-window-utils.h: what the window benchmarks share: a Google account with
 * one calendar in the default store, and the fake's tokens handed to the engine. */
#pragma once

#include "calsync-application.h"
#include "calsync-oauth.h"

G_BEGIN_DECLS

/* Adds a Google account @email with the calendar @remote_id (shown as @name) to
 * the default store; returns the account's id */
gint64 bench_seed_google_calendar (const char         *email,
                                   const char         *remote_id,
                                   const char         *name);
/* The engine of @app syncs @account_id with @tokens (no keyring) */
void   bench_give_tokens          (CalsyncApplication *app,
                                   gint64              account_id,
                                   CalsyncTokens      *tokens);

G_END_DECLS
