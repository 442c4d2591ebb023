/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-oauth.c: OAuth 2.0 for installed apps — authorization code + PKCE with a
 * loopback redirect, code exchange and token refresh. */
#define G_LOG_DOMAIN "calsync-oauth"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <glib/gi18n.h>

#include "calsync-oauth.h"

#define GOOGLE_AUTH_URL   "https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN_URL  "https://oauth2.googleapis.com/token"
#define GOOGLE_SCOPE      "https://www.googleapis.com/auth/calendar.readonly"
#define MS_AUTH_URL       "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
#define MS_TOKEN_URL      "https://login.microsoftonline.com/common/oauth2/v2.0/token"
#define MS_SCOPE          "offline_access Calendars.Read User.Read"

#define VERIFIER_BYTES    48   /* → 64 characters */
#define STATE_BYTES       24   /* → 32 characters */
#define DEFAULT_EXPIRES_IN 3600

G_DEFINE_QUARK (calsync-oauth-error-quark, calsync_oauth_error)

static void
wipe_free (char *secret)
{
  if (secret != NULL)
    {
      explicit_bzero (secret, strlen (secret));
      g_free (secret);
    }
}

/* Configuration ----------------------------------------------------------- */

static char *
env_or (const char *variable,
        const char *fallback)
{
  const char *value = g_getenv (variable);

  if (value == NULL || *value == '\0')
    value = fallback;

  return (value != NULL && *value != '\0') ? g_strdup (value) : NULL;
}

/**
 * calsync_oauth_config_new_google:
 *
 * Returns: (transfer full): Google's endpoints and the build's Desktop client,
 * each overridable with its CALSYNC_GOOGLE_* variable
 */
CalsyncOAuthConfig *
calsync_oauth_config_new_google (void)
{
  CalsyncOAuthConfig *config = g_new0 (CalsyncOAuthConfig, 1);

  config->auth_url = env_or ("CALSYNC_GOOGLE_AUTH_URL", GOOGLE_AUTH_URL);
  config->token_url = env_or ("CALSYNC_GOOGLE_TOKEN_URL", GOOGLE_TOKEN_URL);
  config->client_id = env_or ("CALSYNC_GOOGLE_CLIENT_ID", GOOGLE_CLIENT_ID);
  config->client_secret = env_or ("CALSYNC_GOOGLE_CLIENT_SECRET", GOOGLE_CLIENT_SECRET);
  config->scope = g_strdup (GOOGLE_SCOPE);
  config->extra_auth_params = g_strdup ("access_type=offline&prompt=consent");

  return config;
}

/**
 * calsync_oauth_config_new_outlook:
 *
 * Returns: (transfer full): the Microsoft identity platform (a public client:
 * no secret), overridable with the CALSYNC_MS_* variables
 */
CalsyncOAuthConfig *
calsync_oauth_config_new_outlook (void)
{
  CalsyncOAuthConfig *config = g_new0 (CalsyncOAuthConfig, 1);

  config->auth_url = env_or ("CALSYNC_MS_AUTH_URL", MS_AUTH_URL);
  config->token_url = env_or ("CALSYNC_MS_TOKEN_URL", MS_TOKEN_URL);
  config->client_id = env_or ("CALSYNC_MS_CLIENT_ID", MS_CLIENT_ID);
  config->client_secret = NULL;
  config->scope = g_strdup (MS_SCOPE);

  return config;
}

CalsyncOAuthConfig *
calsync_oauth_config_copy (const CalsyncOAuthConfig *config)
{
  CalsyncOAuthConfig *copy;

  g_return_val_if_fail (config != NULL, NULL);

  copy = g_new0 (CalsyncOAuthConfig, 1);
  copy->auth_url = g_strdup (config->auth_url);
  copy->token_url = g_strdup (config->token_url);
  copy->client_id = g_strdup (config->client_id);
  copy->client_secret = g_strdup (config->client_secret);
  copy->scope = g_strdup (config->scope);
  copy->extra_auth_params = g_strdup (config->extra_auth_params);

  return copy;
}

gboolean
calsync_oauth_config_check (const CalsyncOAuthConfig  *config,
                            GError                   **error)
{
  g_return_val_if_fail (config != NULL, FALSE);

  if (config->client_id == NULL || config->auth_url == NULL || config->token_url == NULL)
    {
      g_set_error_literal (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                           _("Sign-in is not configured: the client id is missing."));
      return FALSE;
    }

  return calsync_http_check_url (config->auth_url, FALSE, error) &&
         calsync_http_check_url (config->token_url, FALSE, error);
}

void
calsync_oauth_config_free (CalsyncOAuthConfig *config)
{
  if (config == NULL)
    return;

  g_free (config->auth_url);
  g_free (config->token_url);
  g_free (config->client_id);
  wipe_free (config->client_secret);
  g_free (config->scope);
  g_free (config->extra_auth_params);
  g_free (config);
}

/* Tokens ------------------------------------------------------------------ */

CalsyncTokens *
calsync_tokens_copy (const CalsyncTokens *tokens)
{
  CalsyncTokens *copy;

  g_return_val_if_fail (tokens != NULL, NULL);

  copy = g_new0 (CalsyncTokens, 1);
  copy->access_token = g_strdup (tokens->access_token);
  copy->refresh_token = g_strdup (tokens->refresh_token);
  copy->expires_at = tokens->expires_at;

  return copy;
}

void
calsync_tokens_free (CalsyncTokens *tokens)
{
  if (tokens == NULL)
    return;

  wipe_free (tokens->access_token);
  wipe_free (tokens->refresh_token);
  g_free (tokens);
}

/**
 * calsync_tokens_to_json:
 *
 * Returns: (transfer full): {"access_token", "refresh_token", "expires_at"},
 * for the keyring only
 */
char *
calsync_tokens_to_json (const CalsyncTokens *tokens)
{
  g_autoptr(JsonBuilder) builder = json_builder_new_immutable ();
  g_autoptr(JsonNode) root = NULL;

  g_return_val_if_fail (tokens != NULL, NULL);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, tokens->access_token);
  json_builder_set_member_name (builder, "refresh_token");
  json_builder_add_string_value (builder, tokens->refresh_token);
  json_builder_set_member_name (builder, "expires_at");
  json_builder_add_int_value (builder, tokens->expires_at);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  return json_to_string (root, FALSE);
}

static const char *
get_string_member (JsonObject *object,
                   const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_STRING)
    return NULL;

  return json_node_get_string (node);
}

/**
 * calsync_tokens_from_json:
 *
 * Returns: (transfer full): the tokens of calsync_tokens_to_json(), or %NULL
 * when @json is not such an object (there must be a refresh token)
 */
CalsyncTokens *
calsync_tokens_from_json (const char  *json,
                          GError     **error)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  CalsyncTokens *tokens;
  JsonObject *object;
  JsonNode *root;

  g_return_val_if_fail (json != NULL, NULL);

  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      get_string_member ((object = json_node_get_object (root)), "refresh_token") == NULL)
    {
      g_set_error_literal (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT,
                           _("The stored sign-in is damaged. Reconnect the account in Preferences."));
      return NULL;
    }

  tokens = g_new0 (CalsyncTokens, 1);
  tokens->access_token = g_strdup (get_string_member (object, "access_token"));
  tokens->refresh_token = g_strdup (get_string_member (object, "refresh_token"));
  tokens->expires_at = json_object_get_int_member_with_default (object, "expires_at", 0);

  return tokens;
}

gboolean
calsync_tokens_expire_soon (const CalsyncTokens *tokens,
                            gint64               now,
                            gint64               margin_seconds)
{
  g_return_val_if_fail (tokens != NULL, TRUE);

  return tokens->access_token == NULL || tokens->expires_at - now <= margin_seconds;
}

/* PKCE and state ---------------------------------------------------------- */

static void
fill_random (guint8 *buffer,
             gsize   size)
{
  gsize done = 0;

  while (done < size)
    {
      ssize_t n = getrandom (buffer + done, size - done, 0);

      if (n < 0 && errno == EINTR)
        continue;
      if (n < 0)
        g_error ("The system has no random numbers: %s", g_strerror (errno));
      done += (gsize) n;
    }
}

static char *
base64url_encode (const guint8 *data,
                  gsize         size)
{
  char *text = g_base64_encode (data, size);

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        {
          *p = '\0';
          break;
        }
    }

  return text;
}

static char *
random_base64url (gsize n_bytes)
{
  guint8 buffer[64];
  char *text;

  g_assert (n_bytes <= sizeof buffer);

  fill_random (buffer, n_bytes);
  text = base64url_encode (buffer, n_bytes);
  explicit_bzero (buffer, sizeof buffer);

  return text;
}

/**
 * calsync_oauth_new_code_verifier:
 *
 * Returns: (transfer full): 64 characters of [A-Za-z0-9-_] from the CSPRNG
 */
char *
calsync_oauth_new_code_verifier (void)
{
  return random_base64url (VERIFIER_BYTES);
}

/**
 * calsync_oauth_code_challenge:
 *
 * Returns: (transfer full): BASE64URL(SHA256(@verifier)) without padding
 */
char *
calsync_oauth_code_challenge (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize digest_size = sizeof digest;

  g_return_val_if_fail (verifier != NULL, NULL);

  g_checksum_update (checksum, (const guchar *) verifier, (gssize) strlen (verifier));
  g_checksum_get_digest (checksum, digest, &digest_size);

  return base64url_encode (digest, digest_size);
}

char *
calsync_oauth_new_state (void)
{
  return random_base64url (STATE_BYTES);
}

/* Token endpoint ---------------------------------------------------------- */

static gint64
get_expires_in (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "expires_in");

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return DEFAULT_EXPIRES_IN;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    return g_ascii_strtoll (json_node_get_string (node), NULL, 10);

  return DEFAULT_EXPIRES_IN;
}

static GError *
new_unreadable_error (void)
{
  return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                              _("The sign-in server sent an answer CalSync could not read."));
}

/* The answer of the token endpoint (RFC 6749 §5.1); @old_refresh_token is kept
 * when no new one is handed out. */
static CalsyncTokens *
tokens_from_response (JsonNode    *json,
                      const char  *old_refresh_token,
                      GError     **error)
{
  CalsyncTokens *tokens;
  JsonObject *object;
  const char *token_type;

  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json) ||
      get_string_member ((object = json_node_get_object (json)), "access_token") == NULL)
    {
      g_propagate_error (error, new_unreadable_error ());
      return NULL;
    }

  token_type = get_string_member (object, "token_type");
  if (token_type != NULL && g_ascii_strcasecmp (token_type, "Bearer") != 0)
    {
      g_propagate_error (error, new_unreadable_error ());
      return NULL;
    }

  tokens = g_new0 (CalsyncTokens, 1);
  tokens->access_token = g_strdup (get_string_member (object, "access_token"));
  tokens->refresh_token = g_strdup (get_string_member (object, "refresh_token"));
  if (tokens->refresh_token == NULL)
    tokens->refresh_token = g_strdup (old_refresh_token);
  tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC + get_expires_in (object);

  return tokens;
}

static const char *
oauth_error_code (JsonNode *error_json)
{
  if (error_json == NULL || !JSON_NODE_HOLDS_OBJECT (error_json))
    return NULL;

  return get_string_member (json_node_get_object (error_json), "error");
}

/* RFC 6749 §5.2 error → a message for people; network trouble passes through */
static GError *
translate_token_error (GError   *http_error,
                       JsonNode *error_json,
                       gboolean  refreshing)
{
  const char *code = oauth_error_code (error_json);

  if (refreshing && g_strcmp0 (code, "invalid_grant") == 0)
    {
      g_error_free (http_error);
      return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT,
                                  _("Sign-in expired. Reconnect the account in Preferences."));
    }

  if (g_strcmp0 (code, "invalid_client") == 0 || g_strcmp0 (code, "unauthorized_client") == 0)
    {
      g_error_free (http_error);
      return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                                  _("The sign-in server does not accept CalSync's client id."));
    }

  if (code != NULL ||
      g_error_matches (http_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_BAD_REQUEST) ||
      g_error_matches (http_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_AUTH) ||
      g_error_matches (http_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_FORBIDDEN))
    {
      g_error_free (http_error);
      return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                                  _("The sign-in server refused the sign-in. Try again."));
    }

  return http_error;
}

static CalsyncHttpRequest *
new_token_request (const CalsyncOAuthConfig *config)
{
  CalsyncHttpRequest *request = calsync_http_request_new ("POST", config->token_url);

  calsync_http_request_add_header (request, "Accept", "application/json");
  calsync_http_request_set_expect_json (request, TRUE);

  return request;
}

/* Refresh ----------------------------------------------------------------- */

static void
on_refreshed (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(JsonNode) error_json = NULL;
  const char *old_refresh_token = g_task_get_task_data (task);
  GError *error = NULL;
  CalsyncTokens *tokens;

  response = calsync_http_send_finish (CALSYNC_HTTP (source_object), result, &error_json, &error);
  if (response == NULL)
    {
      g_task_return_error (task, translate_token_error (error, error_json, TRUE));
      return;
    }

  tokens = tokens_from_response (response->json, old_refresh_token, &error);
  if (tokens == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, tokens, (GDestroyNotify) calsync_tokens_free);
}

/**
 * calsync_oauth_refresh_async:
 * @tokens: the current tokens; their refresh token is used
 *
 * Asks the token endpoint for a new access token (grant_type=refresh_token).
 */
void
calsync_oauth_refresh_async (CalsyncHttp               *http,
                             const CalsyncOAuthConfig  *config,
                             const CalsyncTokens       *tokens,
                             GCancellable              *cancellable,
                             GAsyncReadyCallback        callback,
                             gpointer                   user_data)
{
  g_autoptr(CalsyncHttpRequest) request = NULL;
  g_autoptr(GTask) task = NULL;
  GError *error = NULL;

  g_return_if_fail (CALSYNC_IS_HTTP (http));
  g_return_if_fail (config != NULL);
  g_return_if_fail (tokens != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_oauth_refresh_async);

  if (tokens->refresh_token == NULL)
    {
      g_task_return_new_error (task, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT,
                               _("Sign-in expired. Reconnect the account in Preferences."));
      return;
    }

  if (!calsync_oauth_config_check (config, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_set_task_data (task, g_strdup (tokens->refresh_token), (GDestroyNotify) wipe_free);

  request = new_token_request (config);
  calsync_http_request_set_form (request,
                                 "grant_type", "refresh_token",
                                 "refresh_token", tokens->refresh_token,
                                 "client_id", config->client_id,
                                 /* the list ends here when there is no secret */
                                 config->client_secret ? "client_secret" : NULL, config->client_secret,
                                 NULL);
  calsync_http_send_async (http, request, cancellable, on_refreshed, g_steal_pointer (&task));
}

/**
 * calsync_oauth_refresh_finish:
 *
 * Returns: (transfer full): new tokens (the old refresh token unless the server
 * rotated it), or %NULL; %CALSYNC_OAUTH_ERROR_INVALID_GRANT when the server
 * refused the refresh token
 */
CalsyncTokens *
calsync_oauth_refresh_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Sign-in flow ------------------------------------------------------------ */

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
  g_clear_pointer (&self->verifier, wipe_free);
  g_clear_pointer (&self->state, g_free);
  g_clear_pointer (&self->redirect_uri, g_free);
  g_clear_pointer (&self->code, wipe_free);
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
  const char *state = g_hash_table_lookup (query, "state");
  const char *code = g_hash_table_lookup (query, "code");

  self->answered = TRUE;

  if (g_strcmp0 (state, self->state) != 0)
    self->redirect_error = g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_STATE_MISMATCH,
                                                _("The answer of the sign-in page does not belong "
                                                  "to this sign-in. Try again."));
  else if (g_hash_table_contains (query, "error") || code == NULL || *code == '\0')
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
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(JsonNode) error_json = NULL;
  g_autoptr(CalsyncTokens) tokens = NULL;
  GError *error = NULL;

  response = calsync_http_send_finish (CALSYNC_HTTP (source_object), result, &error_json, &error);
  if (response == NULL)
    {
      g_task_return_error (task, translate_token_error (error, error_json, FALSE));
      return;
    }

  tokens = tokens_from_response (response->json, NULL, &error);
  if (tokens == NULL)
    g_task_return_error (task, error);
  else if (tokens->refresh_token == NULL)
    g_task_return_new_error (task, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                             _("The sign-in server did not allow CalSync to stay signed in. Try again."));
  else
    g_task_return_pointer (task, g_steal_pointer (&tokens), (GDestroyNotify) calsync_tokens_free);
}

static void
calsync_oauth_flow_exchange (CalsyncOAuthFlow *self,
                             GTask            *task)
{
  g_autoptr(CalsyncHttpRequest) request = new_token_request (self->config);
  const char *secret = self->config->client_secret;

  calsync_http_request_set_form (request,
                                 "grant_type", "authorization_code",
                                 "code", self->code,
                                 "redirect_uri", self->redirect_uri,
                                 "client_id", self->config->client_id,
                                 "code_verifier", self->verifier,
                                 /* the list ends here when there is no secret */
                                 secret ? "client_secret" : NULL, secret,
                                 NULL);
  g_clear_pointer (&self->code, wipe_free);

  calsync_http_send_async (self->http, request, g_task_get_cancellable (task),
                           on_exchanged, task);
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
