/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-credentials.h: what a provider authenticates with — OAuth tokens
 * (from memory or the keyring, refreshed before they expire and once after a
 * 401, rotated refresh tokens saved before use) or a password — and where
 * "needs reconnect" comes from. */
#pragma once

#include "calsync-http.h"
#include "calsync-oauth.h"
#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_CREDENTIALS_ERROR (calsync_credentials_error_quark ())

typedef enum
{
  CALSYNC_CREDENTIALS_ERROR_REFUSED,   /* the server refused the password: reconnect */
  CALSYNC_CREDENTIALS_ERROR_REMOVED,   /* the account was removed meanwhile */
} CalsyncCredentialsError;

GQuark calsync_credentials_error_quark (void);

#define CALSYNC_TYPE_CREDENTIALS (calsync_credentials_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncCredentials, calsync_credentials, CALSYNC, CREDENTIALS, GObject)

/* OAuth tokens of @account_id; @config is copied */
CalsyncCredentials *calsync_credentials_new_oauth     (CalsyncHttp              *http,
                                                       const CalsyncOAuthConfig *config,
                                                       gint64                    account_id);
/* A password kept in the keyring (CalDAV Basic authentication) */
CalsyncCredentials *calsync_credentials_new_password  (gint64                    account_id,
                                                       const char               *username);
gint64              calsync_credentials_get_account_id (CalsyncCredentials      *self);
/* Right after sign-in and for tests: a password in memory, used instead of the
 * keyring's */
void                calsync_credentials_set_password  (CalsyncCredentials       *self,
                                                       const char               *password);

/* With a store, renewed tokens are kept only while the account exists: a
 * refresh that lands after the account was removed deletes its secret again. */
void                calsync_credentials_set_store     (CalsyncCredentials       *self,
                                                       CalsyncStore             *store);
/* For tests and right after sign-in: tokens already in memory. */
void                calsync_credentials_set_tokens    (CalsyncCredentials       *self,
                                                       const CalsyncTokens      *tokens);
/* Right after sign-in: keeps @tokens in memory and stores them in the keyring;
 * finishes once the keyring has them. */
void                calsync_credentials_save_tokens_async  (CalsyncCredentials  *self,
                                                       const CalsyncTokens      *tokens,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean            calsync_credentials_save_tokens_finish (CalsyncCredentials  *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);

/**
 * calsync_credentials_authorize_async:
 * @request: gets its Authorization header
 * @force_refresh: %TRUE after a 401: refresh even if the token looks valid
 *
 * Concurrent callers share one keyring lookup and one refresh. A refused
 * refresh finishes with %CALSYNC_OAUTH_ERROR_INVALID_GRANT.
 */
void                calsync_credentials_authorize_async  (CalsyncCredentials    *self,
                                                       CalsyncHttpRequest       *request,
                                                       gboolean                  force_refresh,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
gboolean            calsync_credentials_authorize_finish (CalsyncCredentials    *self,
                                                       GAsyncResult             *result,
                                                       GError                  **error);

/* Authorizes @request and sends it; a 401 refreshes once and sends it again */
void                calsync_credentials_send_async       (CalsyncCredentials    *self,
                                                       CalsyncHttp              *http,
                                                       CalsyncHttpRequest       *request,
                                                       GCancellable             *cancellable,
                                                       GAsyncReadyCallback       callback,
                                                       gpointer                  user_data);
CalsyncHttpResponse *calsync_credentials_send_finish     (CalsyncCredentials    *self,
                                                       GAsyncResult             *result,
                                                       CalsyncHttpResponse     **error_response,
                                                       GError                  **error);

/* The account is being removed: stop a refresh in flight and never write to the
 * keyring again. */
void                calsync_credentials_revoke        (CalsyncCredentials       *self);

/* Whether @error means the person must sign in again (refused refresh token,
 * refused password, damaged stored sign-in) */
gboolean            calsync_credentials_error_needs_reconnect (const GError    *error);

G_END_DECLS
