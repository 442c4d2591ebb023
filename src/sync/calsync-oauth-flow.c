/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-oauth-flow.c: one OAuth 2.0 sign-in of an installed app — the
 * authorization URL with PKCE and state, a one-shot web server on 127.0.0.1 for
 * the redirect (a request with another state is refused and the sign-in keeps
 * waiting), then the code exchange. */
#define G_LOG_DOMAIN "calsync-oauth"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-secret.h"
#include "calsync-oauth.h"

struct _CalsyncOAuthFlow
{
  GObject parent_instance;

  /* Owned references */
  CalsyncHttp *http;
  CalsyncOAuthConfig *config;
  SoupServer *server;

  char *verifier;
  char *state;
  char *redirect_uri;

  /* The redirect's outcome, once it came: a code or an error */
  gboolean answered;
  char *code;
  GError *redirect_error;

  /* calsync_oauth_flow_wait_async() until the redirect came */
  GTask *waiting;
  GSource *cancel_source;
  guint stop_source;
};

G_DEFINE_FINAL_TYPE (CalsyncOAuthFlow, calsync_oauth_flow, G_TYPE_OBJECT)

static void
calsync_oauth_flow_stop_server (CalsyncOAuthFlow *self)
{
  g_clear_handle_id (&self->stop_source, g_source_remove);
  if (self->server != NULL)
    soup_server_disconnect (self->server);
  g_clear_object (&self->server);
}

static void
calsync_oauth_flow_dispose (GObject *object)
{
  CalsyncOAuthFlow *self = (CalsyncOAuthFlow *)object;

  calsync_oauth_flow_stop_server (self);
  if (self->cancel_source != NULL)
    g_source_destroy (self->cancel_source);
  g_clear_pointer (&self->cancel_source, g_source_unref);
  g_clear_object (&self->waiting);

  G_OBJECT_CLASS (calsync_oauth_flow_parent_class)->dispose (object);
}

static void
calsync_oauth_flow_finalize (GObject *object)
{
  CalsyncOAuthFlow *self = (CalsyncOAuthFlow *)object;

  g_clear_object (&self->http);
  g_clear_pointer (&self->config, calsync_oauth_config_free);
  g_clear_pointer (&self->verifier, calsync_secret_free);
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_pointer (&self->code, calsync_secret_free);
  g_clear_error (&self->redirect_error);

  G_OBJECT_CLASS (calsync_oauth_flow_parent_class)->finalize (object);
}

static void
calsync_oauth_flow_class_init (CalsyncOAuthFlowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = calsync_oauth_flow_dispose;
  object_class->finalize = calsync_oauth_flow_finalize;
}

static void
calsync_oauth_flow_init (CalsyncOAuthFlow *self)
{
}

/**
 * calsync_oauth_flow_new:
 *
 * Returns: (transfer full): a sign-in for @config (copied)
 */
CalsyncOAuthFlow *
calsync_oauth_flow_new (CalsyncHttp              *http,
                        const CalsyncOAuthConfig *config)
{
  CalsyncOAuthFlow *self;

  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (config != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_OAUTH_FLOW, NULL);
  self->http = g_object_ref (http);
  self->config = calsync_oauth_config_copy (config);

  return self;
}

static void
append_param (GString    *url,
              const char *name,
              const char *value)
{
  g_autofree char *escaped = g_uri_escape_string (value, NULL, FALSE);

  g_string_append_printf (url, "&%s=%s", name, escaped);
}

static char *
build_auth_url (CalsyncOAuthFlow *self)
{
  g_autofree char *challenge = calsync_oauth_code_challenge (self->verifier);
  GString *url = g_string_new (self->config->auth_url);

  g_string_append (url, strchr (self->config->auth_url, '?') != NULL ? "&" : "?");
  g_string_append (url, "response_type=code");
  append_param (url, "client_id", self->config->client_id);
  append_param (url, "redirect_uri", self->redirect_uri);
  append_param (url, "scope", self->config->scope);
  append_param (url, "state", self->state);
  append_param (url, "code_challenge", challenge);
  append_param (url, "code_challenge_method", "S256");
  if (self->config->extra_auth_params != NULL)
    g_string_append_printf (url, "&%s", self->config->extra_auth_params);

  return g_string_free (url, FALSE);
}

/* The loopback server -------------------------------------------------------- */

static const char page_template[] =
  "<!DOCTYPE html>\n<html><head><meta charset=\"utf-8\"><title>CalSync</title>"
  "<style>body{font-family:sans-serif;margin:4em auto;max-width:32em;text-align:center}</style>"
  "</head><body><h1>%s</h1><p>%s</p></body></html>\n";

static void
respond_page (SoupServerMessage *message,
              guint              status,
              const char        *title,
              const char        *text)
{
  g_autofree char *escaped_title = g_markup_escape_text (title, -1);
  g_autofree char *escaped_text = g_markup_escape_text (text, -1);
  g_autofree char *page = g_strdup_printf (page_template, escaped_title, escaped_text);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  soup_message_headers_replace (headers, "Connection", "close");
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static GError *
redirect_error_from_query (GHashTable *query)
{
  const char *error = g_hash_table_lookup (query, "error");

  if (g_strcmp0 (error, "access_denied") == 0)
    return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_DENIED,
                                _("Sign-in was cancelled."));

  return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                              _("The sign-in server refused the sign-in. Try again."));
}

/* Stores the outcome of the redirect: a code, or an error */
static void
calsync_oauth_flow_take_redirect (CalsyncOAuthFlow *self,
                                  GHashTable       *query)
{
  const char *code = g_hash_table_lookup (query, "code");

  self->answered = TRUE;

  if (g_hash_table_contains (query, "error") || code == NULL || *code == '\0')
    self->redirect_error = redirect_error_from_query (query);
  else
    self->code = g_strdup (code);
}

static gboolean
stop_server_cb (gpointer user_data)
{
  CalsyncOAuthFlow *self = user_data;

  self->stop_source = 0;
  calsync_oauth_flow_stop_server (self);

  return G_SOURCE_REMOVE;
}

/* The page has gone out: stop listening (not from within libsoup's signal) */
static void
on_page_sent (SoupServerMessage *message,
              CalsyncOAuthFlow  *self)
{
  if (self->stop_source == 0 && self->server != NULL)
    self->stop_source = g_idle_add_full (G_PRIORITY_DEFAULT, stop_server_cb,
                                         g_object_ref (self), g_object_unref);
}

static void calsync_oauth_flow_proceed (CalsyncOAuthFlow *self);

static void
on_loopback_request (SoupServer        *server,
                     SoupServerMessage *message,
                     const char        *path,
                     GHashTable        *query,
                     gpointer           user_data)
{
  CalsyncOAuthFlow *self = user_data;

  if (self->answered || query == NULL ||
      g_strcmp0 (soup_server_message_get_method (message), "GET") != 0 ||
      (!g_hash_table_contains (query, "code") && !g_hash_table_contains (query, "error")))
    {
      respond_page (message, SOUP_STATUS_NOT_FOUND, _("Not found"), "");
      return;
    }

  /* Not this sign-in's answer (another tab, a page trying its luck): refused,
   * and the sign-in goes on waiting for its own */
  if (g_strcmp0 (g_hash_table_lookup (query, "state"), self->state) != 0)
    {
      g_debug ("A redirect with another state was refused");
      respond_page (message, SOUP_STATUS_BAD_REQUEST, _("Sign-in failed"),
                    _("This answer does not belong to the sign-in CalSync is waiting for."));
      return;
    }

  calsync_oauth_flow_take_redirect (self, query);

  if (self->redirect_error == NULL)
    respond_page (message, SOUP_STATUS_OK, _("Signed in"),
                  _("You can close this window and return to CalSync."));
  else
    respond_page (message, SOUP_STATUS_OK, _("Sign-in failed"),
                  _("CalSync was not connected. You can close this window and return to CalSync."));

  g_signal_connect_object (message, "finished", G_CALLBACK (on_page_sent), self, 0);
  calsync_oauth_flow_proceed (self);
}

/**
 * calsync_oauth_flow_start:
 *
 * Returns: (transfer full): the authorization URL to open in a browser, or %NULL
 */
char *
calsync_oauth_flow_start (CalsyncOAuthFlow  *self,
                          GError           **error)
{
  g_autoslist(GUri) uris = NULL;

  g_return_val_if_fail (CALSYNC_IS_OAUTH_FLOW (self), NULL);
  g_return_val_if_fail (self->server == NULL && !self->answered, NULL);

  if (!calsync_oauth_config_check (self->config, error))
    return NULL;

  self->server = soup_server_new ("server-header", "CalSync", NULL);
  soup_server_add_handler (self->server, NULL, on_loopback_request, self, NULL);
  if (!soup_server_listen_local (self->server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, error))
    {
      g_clear_object (&self->server);
      return NULL;
    }

  uris = soup_server_get_uris (self->server);
  g_assert (uris != NULL);

  self->verifier = calsync_oauth_new_code_verifier ();
  self->state = calsync_oauth_new_state ();
  self->redirect_uri = g_strdup_printf ("http://127.0.0.1:%d/", g_uri_get_port (uris->data));

  return build_auth_url (self);
}

/* Code exchange ----------------------------------------------------------- */

static void
on_exchanged (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  CalsyncTokens *tokens = calsync_oauth_exchange_code_finish (result, &error);

  if (tokens == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) calsync_tokens_free);
}

static void
calsync_oauth_flow_exchange (CalsyncOAuthFlow *self,
                             GTask            *task)
{
  calsync_oauth_exchange_code_async (self->http, self->config, self->code, self->redirect_uri,
                                     self->verifier, g_task_get_cancellable (task), on_exchanged, task);
  g_clear_pointer (&self->code, calsync_secret_free);
}

/* Once both the redirect came and someone waits for it */
static void
calsync_oauth_flow_proceed (CalsyncOAuthFlow *self)
{
  GTask *task;

  if (!self->answered || self->waiting == NULL)
    return;

  if (self->cancel_source != NULL)
    g_source_destroy (self->cancel_source);
  g_clear_pointer (&self->cancel_source, g_source_unref);
  task = g_steal_pointer (&self->waiting);

  if (self->redirect_error != NULL)
    {
      g_task_return_error (task, g_error_copy (self->redirect_error));
      g_object_unref (task);
      return;
    }

  calsync_oauth_flow_exchange (self, task);
}

static gboolean
on_wait_cancelled (GCancellable *cancellable,
                   gpointer      user_data)
{
  CalsyncOAuthFlow *self = user_data;
  g_autoptr(GTask) task = g_steal_pointer (&self->waiting);

  g_clear_pointer (&self->cancel_source, g_source_unref);
  calsync_oauth_flow_stop_server (self);
  g_task_return_error_if_cancelled (task);

  return G_SOURCE_REMOVE;
}

void
calsync_oauth_flow_wait_async (CalsyncOAuthFlow    *self,
                               GCancellable        *cancellable,
                               GAsyncReadyCallback  callback,
                               gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;

  g_return_if_fail (CALSYNC_IS_OAUTH_FLOW (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_oauth_flow_wait_async);

  if (self->waiting != NULL || (self->server == NULL && !self->answered) || self->verifier == NULL)
    {
      g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_PENDING,
                               "calsync_oauth_flow_start() first, and wait only once");
      return;
    }

  self->waiting = g_steal_pointer (&task);

  if (cancellable != NULL)
    {
      self->cancel_source = g_cancellable_source_new (cancellable);
      g_source_set_callback (self->cancel_source, G_SOURCE_FUNC (on_wait_cancelled), self, NULL);
      g_source_attach (self->cancel_source, g_task_get_context (self->waiting));
    }

  calsync_oauth_flow_proceed (self);
}

/**
 * calsync_oauth_flow_wait_finish:
 *
 * Returns: (transfer full): the new tokens, or %NULL (%CALSYNC_OAUTH_ERROR_DENIED,
 * _STATE_MISMATCH, _FAILED, a %CALSYNC_HTTP_ERROR or G_IO_ERROR_CANCELLED)
 */
CalsyncTokens *
calsync_oauth_flow_wait_finish (CalsyncOAuthFlow  *self,
                                GAsyncResult      *result,
                                GError           **error)
{
  g_return_val_if_fail (CALSYNC_IS_OAUTH_FLOW (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
