/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-auth.h: an account's access token — from memory or the keyring, refreshed
 * before it expires and once after a 401, rotated refresh tokens saved back. */
#pragma once

#include "calsync-http.h"
#include "calsync-oauth.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_AUTH (calsync_auth_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncAuth, calsync_auth, CALSYNC, AUTH, GObject)

/* Takes ownership of nothing; copies @config. */
CalsyncAuth *calsync_auth_new                  (CalsyncHttp              *http,
                                                const CalsyncOAuthConfig *config,
                                                gint64                    account_id);
/* For tests and right after sign-in: tokens already in memory. */
void         calsync_auth_set_tokens           (CalsyncAuth              *self,
                                                const CalsyncTokens      *tokens);

/* Right after sign-in: keeps @tokens in memory and stores them in the keyring
 * (label "CalSync account ID"); finishes once the keyring has them. */
void         calsync_auth_save_tokens_async    (CalsyncAuth              *self,
                                                const CalsyncTokens      *tokens,
                                                GCancellable             *cancellable,
                                                GAsyncReadyCallback       callback,
                                                gpointer                  user_data);
gboolean     calsync_auth_save_tokens_finish   (CalsyncAuth              *self,
                                                GAsyncResult             *result,
                                                GError                  **error);

/**
 * calsync_auth_get_token_async:
 * @force_refresh: %TRUE after a 401: refresh even if the token looks valid
 *
 * Concurrent callers share one refresh. A refused refresh finishes with
 * %CALSYNC_OAUTH_ERROR_INVALID_GRANT ("Sign-in expired. Reconnect the account
 * in Preferences.").
 */
void         calsync_auth_get_token_async      (CalsyncAuth              *self,
                                                gboolean                  force_refresh,
                                                GCancellable             *cancellable,
                                                GAsyncReadyCallback       callback,
                                                gpointer                  user_data);
char        *calsync_auth_get_token_finish     (CalsyncAuth              *self,
                                                GAsyncResult             *result,
                                                GError                  **error);

G_END_DECLS
