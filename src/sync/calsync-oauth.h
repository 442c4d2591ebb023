/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-oauth.h: OAuth 2.0 for installed apps — authorization code + PKCE with a
 * loopback redirect, code exchange and token refresh. */
#pragma once

#include "calsync-http.h"

G_BEGIN_DECLS

#define CALSYNC_OAUTH_ERROR (calsync_oauth_error_quark ())

typedef enum
{
  CALSYNC_OAUTH_ERROR_INVALID_GRANT,   /* refresh token revoked/expired: reconnect */
  CALSYNC_OAUTH_ERROR_DENIED,          /* the person refused, or error= on the redirect */
  CALSYNC_OAUTH_ERROR_STATE_MISMATCH,
  CALSYNC_OAUTH_ERROR_FAILED,
} CalsyncOAuthError;

GQuark calsync_oauth_error_quark (void);

/**
 * CalsyncOAuthConfig:
 *
 * One provider's endpoints and client. Built from the defaults of DESIGN.md,
 * overridden by the CALSYNC_* environment variables.
 */
typedef struct
{
  char *auth_url;
  char *token_url;
  char *client_id;
  char *client_secret;   /* Google "Desktop app" clients have one; NULL for Microsoft */
  char *scope;
  /* Appended to the authorization URL: Google's "access_type=offline&prompt=consent"
   * (without them there is no refresh token); Microsoft's "prompt=select_account" */
  char *extra_auth_params;
} CalsyncOAuthConfig;

CalsyncOAuthConfig *calsync_oauth_config_new_google  (void);
CalsyncOAuthConfig *calsync_oauth_config_new_outlook (void);
CalsyncOAuthConfig *calsync_oauth_config_new_for_provider (const char *provider);
CalsyncOAuthConfig *calsync_oauth_config_copy        (const CalsyncOAuthConfig *config);
/* Both endpoints https (or loopback http): CALSYNC_HTTP_ERROR_INSECURE otherwise */
gboolean            calsync_oauth_config_check       (const CalsyncOAuthConfig *config,
                                                      GError                  **error);
void                calsync_oauth_config_free        (CalsyncOAuthConfig *config);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncOAuthConfig, calsync_oauth_config_free)

/**
 * CalsyncTokens:
 *
 * Held in memory and in the keyring only (serialized with
 * calsync_tokens_to_json()); never in SQLite, logs or output.
 */
typedef struct
{
  char *access_token;
  char *refresh_token;
  gint64 expires_at;     /* unix seconds */
  char *scope;           /* granted, as the token answer said (not a secret; not kept) */
} CalsyncTokens;

CalsyncTokens *calsync_tokens_copy       (const CalsyncTokens *tokens);
void           calsync_tokens_free       (CalsyncTokens       *tokens);
char          *calsync_tokens_to_json    (const CalsyncTokens *tokens);
CalsyncTokens *calsync_tokens_from_json  (const char          *json,
                                          GError             **error);
/* TRUE when the access token expires within @margin_seconds of @now */
gboolean       calsync_tokens_expire_soon (const CalsyncTokens *tokens,
                                           gint64               now,
                                           gint64               margin_seconds);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncTokens, calsync_tokens_free)

/* PKCE (RFC 7636): a 43–128 character verifier (from the system CSPRNG) and its
 * S256 challenge, BASE64URL(SHA256(verifier)) without padding */
char *calsync_oauth_new_code_verifier   (void);
char *calsync_oauth_code_challenge      (const char *verifier);
char *calsync_oauth_new_state           (void);

/**
 * CalsyncOAuthFlow:
 *
 * One sign-in: a SoupServer on 127.0.0.1:<random port> answers the redirect
 * once (a small "You can close this window" page) and stops.
 */
#define CALSYNC_TYPE_OAUTH_FLOW (calsync_oauth_flow_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncOAuthFlow, calsync_oauth_flow, CALSYNC, OAUTH_FLOW, GObject)

CalsyncOAuthFlow *calsync_oauth_flow_new               (CalsyncHttp               *http,
                                                        const CalsyncOAuthConfig  *config);
/* Starts listening; returns the URL to open in a browser. Fails with
 * CALSYNC_HTTP_ERROR_INSECURE when an endpoint is plain http to another host. */
char             *calsync_oauth_flow_start             (CalsyncOAuthFlow          *self,
                                                        GError                   **error);
/* Waits for the redirect, checks state, exchanges the code (with the verifier).
 * The loopback server answers the first request carrying code= or error= with
 * this sign-in's state and stops; one with another state gets a 400 and the
 * sign-in keeps waiting; anything else (a favicon) gets a 404. */
void              calsync_oauth_flow_wait_async        (CalsyncOAuthFlow          *self,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);
CalsyncTokens    *calsync_oauth_flow_wait_finish       (CalsyncOAuthFlow          *self,
                                                        GAsyncResult              *result,
                                                        GError                   **error);

/* grant_type=authorization_code, with the PKCE verifier */
void              calsync_oauth_exchange_code_async    (CalsyncHttp               *http,
                                                        const CalsyncOAuthConfig  *config,
                                                        const char                *code,
                                                        const char                *redirect_uri,
                                                        const char                *verifier,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);
CalsyncTokens    *calsync_oauth_exchange_code_finish   (GAsyncResult              *result,
                                                        GError                   **error);

/* grant_type=refresh_token; a rotated refresh token replaces the old one */
void              calsync_oauth_refresh_async          (CalsyncHttp               *http,
                                                        const CalsyncOAuthConfig  *config,
                                                        const CalsyncTokens       *tokens,
                                                        GCancellable              *cancellable,
                                                        GAsyncReadyCallback        callback,
                                                        gpointer                   user_data);
CalsyncTokens    *calsync_oauth_refresh_finish         (GAsyncResult              *result,
                                                        GError                   **error);

gboolean          calsync_oauth_scope_allows_writes    (const char                *provider,
                                                        const char                *scope);

G_END_DECLS
