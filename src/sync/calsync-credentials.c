/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-credentials.c: what a provider authenticates with — OAuth tokens
 * (from memory or the keyring, refreshed before they expire and once after a
 * 401, rotated refresh tokens saved before use) or a password — and where
 * "needs reconnect" comes from. */
#define G_LOG_DOMAIN "calsync-credentials"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-secret.h"
#include "calsync-credentials.h"
#include "calsync-secrets.h"

/* Refresh when the access token has less than this left */
#define EXPIRY_MARGIN_SECONDS (5 * 60)

G_DEFINE_QUARK (calsync-credentials-error-quark, calsync_credentials_error)

struct _CalsyncCredentials
{
  GObject parent_instance;

  /* Owned references */
  CalsyncHttp *http;               /* OAuth only */
  CalsyncOAuthConfig *config;      /* OAuth only */
  CalsyncTokens *tokens;           /* OAuth: in memory once loaded */
  char *username;                  /* password only */
  char *password;                  /* password only: in memory once loaded */
  GCancellable *cancellable;
  GWeakRef store;

  gint64 account_id;
  gboolean revoked;

  /* One operation (keyring lookup → refresh → keyring store) at a time; every
   * caller that comes meanwhile waits for its outcome. */
  GQueue waiters;
  gboolean busy;
  gboolean refreshing;
  gboolean force_pending;
};

G_DEFINE_FINAL_TYPE (CalsyncCredentials, calsync_credentials, G_TYPE_OBJECT)

static void
calsync_credentials_dispose (GObject *object)
{
  CalsyncCredentials *self = (CalsyncCredentials *)object;

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (calsync_credentials_parent_class)->dispose (object);
}

static void
calsync_credentials_finalize (GObject *object)
{
  CalsyncCredentials *self = (CalsyncCredentials *)object;

  g_assert (g_queue_is_empty (&self->waiters));

  g_clear_object (&self->http);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, calsync_oauth_config_free);
  g_clear_pointer (&self->tokens, calsync_tokens_free);
  g_clear_pointer (&self->username, g_free);
  g_clear_pointer (&self->password, calsync_secret_free);
  g_weak_ref_clear (&self->store);

  G_OBJECT_CLASS (calsync_credentials_parent_class)->finalize (object);
}

static void
calsync_credentials_class_init (CalsyncCredentialsClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = calsync_credentials_dispose;
  object_class->finalize = calsync_credentials_finalize;
}

static void
calsync_credentials_init (CalsyncCredentials *self)
{
  self->cancellable = g_cancellable_new ();
  g_weak_ref_init (&self->store, NULL);
  g_queue_init (&self->waiters);
}

/**
 * calsync_credentials_new_oauth:
 * @account_id: whose secret in the keyring holds the tokens
 *
 * Returns: (transfer full): the token source of one account
 */
CalsyncCredentials *
calsync_credentials_new_oauth (CalsyncHttp              *http,
                               const CalsyncOAuthConfig *config,
                               gint64                    account_id)
{
  CalsyncCredentials *self;

  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_CREDENTIALS, NULL);
  self->http = g_object_ref (http);
  self->config = calsync_oauth_config_copy (config);
  self->account_id = account_id;

  return self;
}

/**
 * calsync_credentials_new_password:
 * @account_id: whose secret in the keyring is the password
 * @username: sent with it
 *
 * Returns: (transfer full): Basic authentication for one account
 */
CalsyncCredentials *
calsync_credentials_new_password (gint64      account_id,
                                  const char *username)
{
  CalsyncCredentials *self;

  g_return_val_if_fail (username != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_CREDENTIALS, NULL);
  self->username = g_strdup (username);
  self->account_id = account_id;

  return self;
}

/**
 * calsync_credentials_set_password:
 * @password: the password, as typed
 *
 * For password credentials right after sign-in (the add-account flow checks
 * it before storing it) and for tests: the password is used from memory, the
 * keyring is not asked. Wiped from memory with the credentials.
 */
void
calsync_credentials_set_password (CalsyncCredentials *self,
                                  const char         *password)
{
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (self));
  g_return_if_fail (self->config == NULL);
  g_return_if_fail (password != NULL);

  g_clear_pointer (&self->password, calsync_secret_free);
  self->password = g_strdup (password);
}

gint64
calsync_credentials_get_account_id (CalsyncCredentials *self)
{
  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (self), 0);

  return self->account_id;
}

void
calsync_credentials_set_store (CalsyncCredentials *self,
                               CalsyncStore       *store)
{
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (self));
  g_return_if_fail (!store || CALSYNC_IS_STORE (store));

  g_weak_ref_set (&self->store, store);
}

void
calsync_credentials_set_tokens (CalsyncCredentials  *self,
                                const CalsyncTokens *tokens)
{
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (self));
  g_return_if_fail (self->config != NULL);
  g_return_if_fail (tokens != NULL);

  g_clear_pointer (&self->tokens, calsync_tokens_free);
  self->tokens = calsync_tokens_copy (tokens);
}

gboolean
calsync_credentials_error_needs_reconnect (const GError *error)
{
  return g_error_matches (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT) ||
         g_error_matches (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED);
}

static gint64
now_seconds (void)
{
  /* Real time, not CALSYNC_NOW: token lifetimes are the server's real clock */
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
store_tokens_async (CalsyncCredentials  *self,
                    GCancellable        *cancellable,
                    GAsyncReadyCallback  callback,
                    gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, self->account_id);
  g_autofree char *label = g_strdup_printf (_("CalSync account %s"), id);
  char *json = calsync_tokens_to_json (self->tokens);

  calsync_secrets_store_async (self->account_id, label, json, cancellable, callback, user_data);
  calsync_secret_free (json);
}

/* Finishing --------------------------------------------------------------- */

static void
finish_all (CalsyncCredentials *self,
            const GError       *error)
{
  GQueue waiters = self->waiters;
  GTask *task;

  /* A callback may ask again: it starts a new operation with a new queue */
  g_queue_init (&self->waiters);
  self->busy = FALSE;
  self->refreshing = FALSE;
  self->force_pending = FALSE;

  while ((task = g_queue_pop_head (&waiters)) != NULL)
    {
      CalsyncHttpRequest *request = g_task_get_task_data (task);

      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        {
          if (self->config != NULL)
            calsync_http_request_set_bearer (request, self->tokens->access_token);
          else
            calsync_http_request_set_basic (request, self->username, self->password);
          g_task_return_boolean (task, TRUE);
        }
      g_object_unref (task);
    }
}

static void
finish_removed (CalsyncCredentials *self)
{
  g_autoptr(GError) error = g_error_new_literal (CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REMOVED,
                                                 _("This account was removed."));

  finish_all (self, error);
}

static void step (CalsyncCredentials *self);

/* Keyring store after a refresh -------------------------------------------- */

static void
on_orphan_deleted (GObject      *source_object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(CalsyncCredentials) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!calsync_secrets_delete_finish (result, &error))
    g_warning ("Could not delete the sign-in of removed account %" G_GINT64_FORMAT ": %s",
               self->account_id, error->message);

  finish_removed (self);
}

/* The account was removed while its refresh was in flight: the secret just
 * written must go again (the removal may have deleted it before this write). */
static gboolean
account_gone (CalsyncCredentials *self)
{
  g_autoptr(CalsyncStore) store = g_weak_ref_get (&self->store);
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(GError) error = NULL;

  if (self->revoked)
    return TRUE;
  if (store == NULL)
    return FALSE;

  account = calsync_store_get_account (store, self->account_id, &error);
  return g_error_matches (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND);
}

static void
on_stored (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CalsyncCredentials) self = user_data;
  g_autoptr(GError) error = NULL;
  gboolean stored = calsync_secrets_store_finish (result, &error);

  if (account_gone (self))
    {
      /* not cancellable: this delete must happen */
      calsync_secrets_delete_async (self->account_id, NULL, on_orphan_deleted, g_object_ref (self));
      return;
    }

  /* The new tokens still work for this session: say it, but don't fail the sync */
  if (!stored)
    g_warning ("Could not save the renewed sign-in of account %" G_GINT64_FORMAT ": %s",
               self->account_id, error->message);

  finish_all (self, NULL);
}

/* Refresh ----------------------------------------------------------------- */

static void
on_refreshed (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CalsyncCredentials) self = user_data;
  g_autoptr(GError) error = NULL;
  CalsyncTokens *tokens;

  tokens = calsync_oauth_refresh_finish (result, &error);
  if (self->revoked)
    {
      g_clear_pointer (&tokens, calsync_tokens_free);
      finish_removed (self);
      return;
    }

  if (tokens == NULL)
    {
      g_debug ("Refresh for account %" G_GINT64_FORMAT " failed: %s", self->account_id, error->message);
      finish_all (self, error);
      return;
    }

  g_clear_pointer (&self->tokens, calsync_tokens_free);
  self->tokens = tokens;

  /* Await the keyring before anyone uses the new tokens: a rotated refresh
   * token that only lived in memory would be lost with a crash. Not
   * cancellable: a rotated refresh token the server handed out must land. */
  store_tokens_async (self, NULL, on_stored, g_object_ref (self));
}

/* Keyring lookup ---------------------------------------------------------- */

static gboolean
take_secret (CalsyncCredentials  *self,
             char                *secret,
             GError             **error)
{
  CalsyncTokens *tokens;

  if (self->config == NULL)
    {
      if (self->password == NULL)
        self->password = g_strdup (secret);
      return TRUE;
    }

  if ((tokens = calsync_tokens_from_json (secret, error)) == NULL)
    return FALSE;

  /* calsync_credentials_set_tokens() meanwhile wins: it is newer */
  if (self->tokens == NULL)
    self->tokens = tokens;
  else
    calsync_tokens_free (tokens);

  return TRUE;
}

static void
on_looked_up (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CalsyncCredentials) self = user_data;
  g_autoptr(GError) error = NULL;
  char *secret;
  gboolean taken;

  secret = calsync_secrets_lookup_finish (result, &error);
  if (self->revoked)
    {
      calsync_secret_free (secret);
      finish_removed (self);
      return;
    }

  taken = secret != NULL && take_secret (self, secret, &error);
  calsync_secret_free (secret);

  if (!taken)
    finish_all (self, error);
  else
    step (self);
}

static gboolean
loaded (CalsyncCredentials *self)
{
  return self->config != NULL ? self->tokens != NULL : self->password != NULL;
}

/* Loads the secret if needed, refreshes tokens if needed, then hands them out */
static void
step (CalsyncCredentials *self)
{
  if (!loaded (self))
    {
      calsync_secrets_lookup_async (self->account_id, self->cancellable,
                                    on_looked_up, g_object_ref (self));
    }
  else if (self->config == NULL && self->force_pending)
    {
      g_autoptr(GError) error = g_error_new_literal (CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED,
                                                     _("The server refused the user name or password."));

      finish_all (self, error);
    }
  else if (self->config != NULL &&
           (self->force_pending ||
            calsync_tokens_expire_soon (self->tokens, now_seconds (), EXPIRY_MARGIN_SECONDS)))
    {
      self->refreshing = TRUE;
      self->force_pending = FALSE;
      calsync_oauth_refresh_async (self->http, self->config, self->tokens, self->cancellable,
                                   on_refreshed, g_object_ref (self));
    }
  else
    {
      finish_all (self, NULL);
    }
}

void
calsync_credentials_authorize_async (CalsyncCredentials  *self,
                                     CalsyncHttpRequest  *request,
                                     gboolean             force_refresh,
                                     GCancellable        *cancellable,
                                     GAsyncReadyCallback  callback,
                                     gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CALSYNC_IS_CREDENTIALS (self));
  g_return_if_fail (request != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_credentials_authorize_async);
  g_task_set_task_data (task, calsync_http_request_ref (request),
                        (GDestroyNotify) calsync_http_request_unref);

  if (self->revoked)
    {
      g_task_return_new_error (task, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REMOVED,
                               _("This account was removed."));
      g_object_unref (task);
      return;
    }

  g_queue_push_tail (&self->waiters, task);

  /* A refresh already under way hands out a token newer than the one refused */
  if (force_refresh && !self->refreshing)
    self->force_pending = TRUE;

  if (self->busy)
    return;

  self->busy = TRUE;
  step (self);
}

gboolean
calsync_credentials_authorize_finish (CalsyncCredentials  *self,
                                      GAsyncResult        *result,
                                      GError             **error)
{
  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Authorized requests ---------------------------------------------------------- */

typedef struct
{
  CalsyncHttp *http;
  CalsyncHttpRequest *request;
  CalsyncHttpResponse *error_response;
  gboolean refreshed;
} SendData;

static void
send_data_free (SendData *data)
{
  g_clear_object (&data->http);
  g_clear_pointer (&data->request, calsync_http_request_unref);
  g_clear_pointer (&data->error_response, calsync_http_response_free);
  g_free (data);
}

static void authorize_and_send (GTask *task, gboolean force_refresh);

static void
on_sent (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(GError) error = NULL;

  g_clear_pointer (&data->error_response, calsync_http_response_free);
  response = calsync_http_send_finish (CALSYNC_HTTP (object), result, &data->error_response, &error);

  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_AUTH) && !data->refreshed)
    {
      g_debug ("Access token refused; refreshing it once");
      data->refreshed = TRUE;
      authorize_and_send (g_steal_pointer (&task), TRUE);
      return;
    }

  if (error != NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, g_steal_pointer (&response), (GDestroyNotify) calsync_http_response_free);
}

static void
on_authorized_to_send (GObject      *object,
                       GAsyncResult *result,
                       gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SendData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);  /* before the task is handed on */
  g_autoptr(GError) error = NULL;

  if (!calsync_credentials_authorize_finish (CALSYNC_CREDENTIALS (object), result, &error))
    g_task_return_error (task, g_steal_pointer (&error));
  else
    calsync_http_send_async (data->http, data->request, cancellable, on_sent, g_steal_pointer (&task));
}

static void
authorize_and_send (GTask    *task,
                    gboolean  force_refresh)
{
  CalsyncCredentials *self = g_task_get_source_object (task);
  SendData *data = g_task_get_task_data (task);

  calsync_credentials_authorize_async (self, data->request, force_refresh,
                                       g_task_get_cancellable (task), on_authorized_to_send, task);
}

/**
 * calsync_credentials_send_async:
 * @http: the session to send with
 * @request: the request, authorized here
 *
 * Authorizes @request and sends it; a 401 refreshes the sign-in once (shared
 * with concurrent callers) and sends it again.
 */
void
calsync_credentials_send_async (CalsyncCredentials  *self,
                                CalsyncHttp         *http,
                                CalsyncHttpRequest  *request,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SendData *data;

  g_return_if_fail (CALSYNC_IS_CREDENTIALS (self));
  g_return_if_fail (CALSYNC_IS_HTTP (http));
  g_return_if_fail (request != NULL);

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_credentials_send_async);
  data = g_new0 (SendData, 1);
  data->http = g_object_ref (http);
  data->request = calsync_http_request_ref (request);
  g_task_set_task_data (task, data, (GDestroyNotify) send_data_free);
  authorize_and_send (g_steal_pointer (&task), FALSE);
}

/**
 * calsync_credentials_send_finish:
 * @error_response: (out) (optional) (nullable): on an HTTP error, the answer
 *   (status, headers, body) for the provider to word it
 *
 * Returns: (transfer full): the response, or %NULL with @error set
 */
CalsyncHttpResponse *
calsync_credentials_send_finish (CalsyncCredentials   *self,
                                 GAsyncResult         *result,
                                 CalsyncHttpResponse **error_response,
                                 GError              **error)
{
  GTask *task = G_TASK (result);
  CalsyncHttpResponse *response;

  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  response = g_task_propagate_pointer (task, error);
  if (error_response != NULL)
    {
      SendData *data = g_task_get_task_data (task);

      *error_response = response == NULL ? g_steal_pointer (&data->error_response) : NULL;
    }
  return response;
}

/**
 * calsync_credentials_revoke:
 *
 * The account is being removed: a refresh or keyring lookup in flight is
 * cancelled, tokens that still arrive are deleted from the keyring again, and
 * later callers get %CALSYNC_CREDENTIALS_ERROR_REMOVED.
 */
void
calsync_credentials_revoke (CalsyncCredentials *self)
{
  g_return_if_fail (CALSYNC_IS_CREDENTIALS (self));

  self->revoked = TRUE;
  g_cancellable_cancel (self->cancellable);
}

/* Saving after sign-in ---------------------------------------------------- */

static void
on_saved (GObject      *source_object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!calsync_secrets_store_finish (result, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

void
calsync_credentials_save_tokens_async (CalsyncCredentials  *self,
                                       const CalsyncTokens *tokens,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CALSYNC_IS_CREDENTIALS (self));
  g_return_if_fail (tokens != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_credentials_save_tokens_async);

  calsync_credentials_set_tokens (self, tokens);
  store_tokens_async (self, cancellable, on_saved, task);
}

gboolean
calsync_credentials_save_tokens_finish (CalsyncCredentials  *self,
                                        GAsyncResult        *result,
                                        GError             **error)
{
  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
