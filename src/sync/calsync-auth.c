/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-auth.c: an account's access token — from memory or the keyring, refreshed
 * before it expires and once after a 401, rotated refresh tokens saved back. */
#define G_LOG_DOMAIN "calsync-auth"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-auth.h"
#include "calsync-secrets.h"

/* Refresh when the access token has less than this left */
#define EXPIRY_MARGIN_SECONDS (5 * 60)

struct _CalsyncAuth
{
  GObject parent_instance;

  /* Owned references */
  CalsyncHttp *http;
  CalsyncOAuthConfig *config;
  CalsyncTokens *tokens;
  GCancellable *cancellable;

  gint64 account_id;

  /* One operation (keyring lookup → refresh → keyring store) at a time; every
   * caller that comes meanwhile waits for its outcome. */
  GQueue waiters;
  gboolean busy;
  gboolean refreshing;
  gboolean force_pending;
};

G_DEFINE_FINAL_TYPE (CalsyncAuth, calsync_auth, G_TYPE_OBJECT)

static void
calsync_auth_dispose (GObject *object)
{
  CalsyncAuth *self = (CalsyncAuth *)object;

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (calsync_auth_parent_class)->dispose (object);
}

static void
calsync_auth_finalize (GObject *object)
{
  CalsyncAuth *self = (CalsyncAuth *)object;

  g_assert (g_queue_is_empty (&self->waiters));

  g_clear_object (&self->http);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->config, calsync_oauth_config_free);
  g_clear_pointer (&self->tokens, calsync_tokens_free);

  G_OBJECT_CLASS (calsync_auth_parent_class)->finalize (object);
}

static void
calsync_auth_class_init (CalsyncAuthClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = calsync_auth_dispose;
  object_class->finalize = calsync_auth_finalize;
}

static void
calsync_auth_init (CalsyncAuth *self)
{
  self->cancellable = g_cancellable_new ();
  g_queue_init (&self->waiters);
}

/**
 * calsync_auth_new:
 * @account_id: whose secret in the keyring holds the tokens
 *
 * Returns: (transfer full): the token source of one account
 */
CalsyncAuth *
calsync_auth_new (CalsyncHttp              *http,
                  const CalsyncOAuthConfig *config,
                  gint64                    account_id)
{
  CalsyncAuth *self;

  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_AUTH, NULL);
  self->http = g_object_ref (http);
  self->config = calsync_oauth_config_copy (config);
  self->account_id = account_id;

  return self;
}

void
calsync_auth_set_tokens (CalsyncAuth         *self,
                         const CalsyncTokens *tokens)
{
  g_return_if_fail (CALSYNC_IS_AUTH (self));
  g_return_if_fail (tokens != NULL);

  g_clear_pointer (&self->tokens, calsync_tokens_free);
  self->tokens = calsync_tokens_copy (tokens);
}

static gint64
now_seconds (void)
{
  /* Real time, not CALSYNC_NOW: token lifetimes are the server's real clock */
  return g_get_real_time () / G_USEC_PER_SEC;
}

static void
calsync_auth_store_async (CalsyncAuth         *self,
                          GCancellable        *cancellable,
                          GAsyncReadyCallback  callback,
                          gpointer             user_data)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, self->account_id);
  g_autofree char *label = g_strdup_printf (_("CalSync account %s"), id);
  char *json = calsync_tokens_to_json (self->tokens);

  calsync_secrets_store_async (self->account_id, label, json, cancellable, callback, user_data);

  explicit_bzero (json, strlen (json));
  g_free (json);
}

/* Finishing --------------------------------------------------------------- */

static void
calsync_auth_finish_all (CalsyncAuth  *self,
                         const GError *error)
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
      if (error != NULL)
        g_task_return_error (task, g_error_copy (error));
      else
        g_task_return_pointer (task, g_strdup (self->tokens->access_token), g_free);
      g_object_unref (task);
    }
}

static void calsync_auth_step (CalsyncAuth *self);

/* Keyring store after a refresh -------------------------------------------- */

static void
on_stored (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CalsyncAuth) self = user_data;
  g_autoptr(GError) error = NULL;

  /* The new tokens still work for this session: say it, but don't fail the sync */
  if (!calsync_secrets_store_finish (result, &error))
    g_warning ("Could not save the renewed sign-in of account %" G_GINT64_FORMAT ": %s",
               self->account_id, error->message);

  calsync_auth_finish_all (self, NULL);
}

/* Refresh ----------------------------------------------------------------- */

static void
on_refreshed (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CalsyncAuth) self = user_data;
  g_autoptr(GError) error = NULL;
  CalsyncTokens *tokens;

  tokens = calsync_oauth_refresh_finish (result, &error);
  if (tokens == NULL)
    {
      g_debug ("Refresh for account %" G_GINT64_FORMAT " failed: %s", self->account_id, error->message);
      calsync_auth_finish_all (self, error);
      return;
    }

  g_clear_pointer (&self->tokens, calsync_tokens_free);
  self->tokens = tokens;

  /* Await the keyring before anyone uses the new tokens: a rotated refresh
   * token that only lived in memory would be lost with a crash. */
  calsync_auth_store_async (self, self->cancellable, on_stored, g_object_ref (self));
}

/* Keyring lookup ---------------------------------------------------------- */

static void
on_looked_up (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CalsyncAuth) self = user_data;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;
  CalsyncTokens *tokens;

  secret = calsync_secrets_lookup_finish (result, &error);
  tokens = secret != NULL ? calsync_tokens_from_json (secret, &error) : NULL;
  if (secret != NULL)
    explicit_bzero (secret, strlen (secret));

  if (tokens == NULL)
    {
      calsync_auth_finish_all (self, error);
      return;
    }

  /* calsync_auth_set_tokens() meanwhile wins: it is newer */
  if (self->tokens == NULL)
    self->tokens = tokens;
  else
    calsync_tokens_free (tokens);

  calsync_auth_step (self);
}

/* Loads the tokens if needed, refreshes them if needed, then hands them out */
static void
calsync_auth_step (CalsyncAuth *self)
{
  if (self->tokens == NULL)
    {
      calsync_secrets_lookup_async (self->account_id, self->cancellable,
                                    on_looked_up, g_object_ref (self));
    }
  else if (self->force_pending ||
           calsync_tokens_expire_soon (self->tokens, now_seconds (), EXPIRY_MARGIN_SECONDS))
    {
      self->refreshing = TRUE;
      self->force_pending = FALSE;
      calsync_oauth_refresh_async (self->http, self->config, self->tokens, self->cancellable,
                                   on_refreshed, g_object_ref (self));
    }
  else
    {
      calsync_auth_finish_all (self, NULL);
    }
}

void
calsync_auth_get_token_async (CalsyncAuth         *self,
                              gboolean             force_refresh,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CALSYNC_IS_AUTH (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_auth_get_token_async);
  g_queue_push_tail (&self->waiters, task);

  /* A refresh already under way hands out a token newer than the one refused */
  if (force_refresh && !self->refreshing)
    self->force_pending = TRUE;

  if (self->busy)
    return;

  self->busy = TRUE;
  calsync_auth_step (self);
}

/**
 * calsync_auth_get_token_finish:
 *
 * Returns: (transfer full): the access token (wipe and free it), or %NULL
 */
char *
calsync_auth_get_token_finish (CalsyncAuth   *self,
                               GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (CALSYNC_IS_AUTH (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
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
calsync_auth_save_tokens_async (CalsyncAuth         *self,
                                const CalsyncTokens *tokens,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  GTask *task;

  g_return_if_fail (CALSYNC_IS_AUTH (self));
  g_return_if_fail (tokens != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_auth_save_tokens_async);

  calsync_auth_set_tokens (self, tokens);
  calsync_auth_store_async (self, cancellable, on_saved, task);
}

gboolean
calsync_auth_save_tokens_finish (CalsyncAuth   *self,
                                 GAsyncResult  *result,
                                 GError       **error)
{
  g_return_val_if_fail (CALSYNC_IS_AUTH (self), FALSE);
  g_return_val_if_fail (g_task_is_valid (result, self), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}
