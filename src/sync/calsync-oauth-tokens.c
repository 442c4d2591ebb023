/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-oauth-tokens.c: OAuth 2.0 for installed apps, the token side — endpoints
 * and clients, tokens in memory and in the keyring's JSON, PKCE and state, and the
 * token endpoint: code exchange and refresh. */
#define G_LOG_DOMAIN "calsync-oauth"

#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/random.h>
#include <glib/gi18n.h>

#include "calsync-oauth-private.h"
#include "calsync-secret.h"

#define GOOGLE_AUTH_URL   "https://accounts.google.com/o/oauth2/v2/auth"
#define GOOGLE_TOKEN_URL  "https://oauth2.googleapis.com/token"
/* DESIGN.md: the events with writes, the calendar list read-only */
#define GOOGLE_SCOPE      "https://www.googleapis.com/auth/calendar.events " \
                          "https://www.googleapis.com/auth/calendar.calendarlist.readonly"
#define MS_AUTH_URL       "https://login.microsoftonline.com/common/oauth2/v2.0/authorize"
#define MS_TOKEN_URL      "https://login.microsoftonline.com/common/oauth2/v2.0/token"
/* Microsoft Graph (DESIGN.md): the calendars with writes, the account's address,
 * and offline_access for a refresh token */
#define MS_SCOPE          "offline_access User.Read Calendars.ReadWrite"

#define VERIFIER_BYTES    48   /* → 64 characters */
#define STATE_BYTES       24   /* → 32 characters */
#define DEFAULT_EXPIRES_IN 3600
/* An expires_in outside this range is taken as its nearest end: a token said to
 * last a century would never be renewed, one said to last 0 s at every request */
#define MIN_EXPIRES_IN    60
#define MAX_EXPIRES_IN    (24 * 3600)

G_DEFINE_QUARK (calsync-oauth-error-quark, calsync_oauth_error)

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
 * Returns: (transfer full): the Microsoft identity platform, tenant "common"
 * (work, school and personal accounts), overridable with the CALSYNC_MS_*
 * variables. A public client: it has no secret, so none is ever sent, and PKCE
 * stands for it. prompt=select_account lets the person pick which account
 * rather than take the one the browser is signed in to.
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
  config->extra_auth_params = g_strdup ("prompt=select_account");

  return config;
}

/**
 * calsync_oauth_config_new_for_provider:
 * @provider: an account's provider name ("google", "outlook")
 *
 * Returns: (transfer full) (nullable): the provider's sign-in, or %NULL for a
 *   provider that does not sign in with OAuth (CalDAV) or is unknown
 */
CalsyncOAuthConfig *
calsync_oauth_config_new_for_provider (const char *provider)
{
  if (g_strcmp0 (provider, "google") == 0)
    return calsync_oauth_config_new_google ();
  if (g_strcmp0 (provider, "outlook") == 0)
    return calsync_oauth_config_new_outlook ();

  return NULL;
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
  calsync_secret_free (config->client_secret);
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
  copy->scope = g_strdup (tokens->scope);

  return copy;
}

void
calsync_tokens_free (CalsyncTokens *tokens)
{
  if (tokens == NULL)
    return;

  calsync_secret_free (tokens->access_token);
  calsync_secret_free (tokens->refresh_token);
  g_free (tokens->scope);
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

/**
 * calsync_oauth_scope_allows_writes:
 * @provider: "google" or "outlook"
 * @scope: (nullable): the granted scope of a token answer; %NULL when the
 *   answer had none (RFC 6749 §5.1: then it is the scope asked for)
 *
 * Returns: whether the granted scope lets CalSync change events (Google:
 *   calendar.events or calendar; Graph: Calendars.ReadWrite). A person may
 *   untick "edit events" on Google's consent screen: the account then syncs
 *   read-only.
 */
gboolean
calsync_oauth_scope_allows_writes (const char *provider,
                                   const char *scope)
{
  g_auto(GStrv) names = NULL;

  if (scope == NULL)
    return TRUE;

  names = g_strsplit_set (scope, " ", -1);
  for (guint i = 0; names[i] != NULL; i++)
    {
      const char *name = names[i];

      if (g_strcmp0 (provider, "google") == 0 &&
          (g_str_equal (name, "https://www.googleapis.com/auth/calendar.events") ||
           g_str_equal (name, "https://www.googleapis.com/auth/calendar")))
        return TRUE;
      if (g_strcmp0 (provider, "outlook") == 0)
        {
          if (g_str_has_prefix (name, "https://graph.microsoft.com/"))
            name += strlen ("https://graph.microsoft.com/");
          if (g_ascii_strcasecmp (name, "Calendars.ReadWrite") == 0 ||
              g_ascii_strcasecmp (name, "Calendars.ReadWrite.Shared") == 0)
            return TRUE;
        }
    }

  return FALSE;
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

/* A token member as RFC 6749 Appendix A defines tokens (1*VSCHAR: printable
 * ASCII), or %NULL: json-glib's scanner also accepts octal escapes ("\313")
 * that yield bytes no server sends and no header may carry */
static const char *
get_token_member (JsonObject *object,
                  const char *name)
{
  const char *token = get_string_member (object, name);

  if (token == NULL || *token == '\0')
    return NULL;
  for (const char *c = token; *c != '\0'; c++)
    if ((guchar) *c < 0x20 || (guchar) *c > 0x7e)
      return NULL;

  return token;
}

/* 0 unless @name is an integer: json-glib's own getter is critical about
 * objects and arrays, and converts a double out of range */
static gint64
get_int_member (JsonObject *object,
                const char *name)
{
  JsonNode *node = json_object_get_member (object, name);

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node) || json_node_get_value_type (node) != G_TYPE_INT64)
    return 0;

  return json_node_get_int (node);
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

  if (!calsync_http_json_depth_ok (json, strlen (json), CALSYNC_HTTP_MAX_JSON_DEPTH) ||
      !json_parser_load_from_data (parser, json, -1, NULL) ||
      (root = json_parser_get_root (parser)) == NULL ||
      !JSON_NODE_HOLDS_OBJECT (root) ||
      get_token_member ((object = json_node_get_object (root)), "refresh_token") == NULL)
    {
      g_set_error_literal (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT,
                           _("The stored sign-in is damaged. Reconnect the account in Preferences."));
      return NULL;
    }

  tokens = g_new0 (CalsyncTokens, 1);
  tokens->access_token = g_strdup (get_token_member (object, "access_token"));
  tokens->refresh_token = g_strdup (get_token_member (object, "refresh_token"));
  tokens->expires_at = get_int_member (object, "expires_at");

  return tokens;
}

gboolean
calsync_tokens_expire_soon (const CalsyncTokens *tokens,
                            gint64               now,
                            gint64               margin_seconds)
{
  g_return_val_if_fail (tokens != NULL, TRUE);

  /* expires_at is what the keyring held, maybe G_MININT64: compared, not
   * subtracted from, when it is past */
  return tokens->access_token == NULL || tokens->expires_at <= now ||
         tokens->expires_at - now <= margin_seconds;
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
  calsync_secret_wipe (buffer, sizeof buffer);

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
read_expires_in (JsonObject *object)
{
  JsonNode *node = json_object_get_member (object, "expires_in");
  const char *text;
  char *end = NULL;
  gint64 value;

  if (node == NULL || !JSON_NODE_HOLDS_VALUE (node))
    return DEFAULT_EXPIRES_IN;

  if (json_node_get_value_type (node) == G_TYPE_INT64)
    return json_node_get_int (node);

  if (json_node_get_value_type (node) == G_TYPE_DOUBLE)
    {
      double seconds = json_node_get_double (node);

      /* bounded before the conversion: a double out of gint64's range (-1e300)
       * has no integer value */
      if (seconds > (double) MAX_EXPIRES_IN)
        return MAX_EXPIRES_IN;
      if (seconds < (double) MIN_EXPIRES_IN)
        return MIN_EXPIRES_IN;
      return (gint64) seconds;
    }

  if (json_node_get_value_type (node) == G_TYPE_STRING)
    {
      text = json_node_get_string (node);
      value = g_ascii_strtoll (text, &end, 10);
      return end != text && *end == '\0' ? value : DEFAULT_EXPIRES_IN;
    }

  return DEFAULT_EXPIRES_IN;
}

/* RFC 6749 §5.1 expires_in, within bounds */
static gint64
get_expires_in (JsonObject *object)
{
  return CLAMP (read_expires_in (object), MIN_EXPIRES_IN, MAX_EXPIRES_IN);
}

static GError *
new_unreadable_error (void)
{
  return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                              _("The sign-in server sent an answer CalSync could not read."));
}

/* The answer of the token endpoint (RFC 6749 §5.1); @old_refresh_token is kept
 * when no new one is handed out. */
CalsyncTokens *
calsync_oauth_tokens_from_response (JsonNode    *json,
                                    const char  *old_refresh_token,
                                    GError     **error)
{
  CalsyncTokens *tokens;
  JsonObject *object;
  const char *token_type;

  if (json == NULL || !JSON_NODE_HOLDS_OBJECT (json) ||
      get_token_member ((object = json_node_get_object (json)), "access_token") == NULL ||
      (get_string_member (object, "refresh_token") != NULL &&
       get_token_member (object, "refresh_token") == NULL))
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
  tokens->access_token = g_strdup (get_token_member (object, "access_token"));
  tokens->refresh_token = g_strdup (get_token_member (object, "refresh_token"));
  if (tokens->refresh_token == NULL)
    tokens->refresh_token = g_strdup (old_refresh_token);
  tokens->expires_at = g_get_real_time () / G_USEC_PER_SEC + get_expires_in (object);
  tokens->scope = g_strdup (get_string_member (object, "scope"));

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

  /* Microsoft also answers interaction_required (new consent, multi-factor
   * sign-in asked by the organisation): only the person can settle that */
  if (refreshing && (g_strcmp0 (code, "invalid_grant") == 0 || g_strcmp0 (code, "interaction_required") == 0))
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

  /* Sent elsewhere, or an answer that is not a token answer: a sign-in that failed */
  if (g_error_matches (http_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_REDIRECT) ||
      g_error_matches (http_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE) ||
      g_error_matches (http_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED) ||
      g_error_matches (http_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_TOO_LARGE))
    {
      g_error_free (http_error);
      return g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                                  _("The sign-in server answered in a way CalSync does not accept. Try again later."));
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
  calsync_http_request_set_expect (request, CALSYNC_HTTP_BODY_JSON);

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
  g_autoptr(CalsyncHttpResponse) error_response = NULL;
  const char *old_refresh_token = g_task_get_task_data (task);
  GError *error = NULL;
  CalsyncTokens *tokens;

  response = calsync_http_send_finish (CALSYNC_HTTP (source_object), result, &error_response, &error);
  if (response == NULL)
    {
      g_task_return_error (task, translate_token_error (error, error_response ? error_response->json : NULL, TRUE));
      return;
    }

  tokens = calsync_oauth_tokens_from_response (response->json, old_refresh_token, &error);
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

  g_task_set_task_data (task, g_strdup (tokens->refresh_token), (GDestroyNotify) calsync_secret_free);

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

/* Code exchange ----------------------------------------------------------- */

static void
on_exchanged (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  g_autoptr(CalsyncHttpResponse) response = NULL;
  g_autoptr(CalsyncHttpResponse) error_response = NULL;
  g_autoptr(CalsyncTokens) tokens = NULL;
  GError *error = NULL;

  response = calsync_http_send_finish (CALSYNC_HTTP (source_object), result, &error_response, &error);
  if (response == NULL)
    {
      g_task_return_error (task, translate_token_error (error, error_response ? error_response->json : NULL, FALSE));
      return;
    }

  tokens = calsync_oauth_tokens_from_response (response->json, NULL, &error);
  if (tokens == NULL)
    g_task_return_error (task, error);
  else if (tokens->refresh_token == NULL)
    g_task_return_new_error (task, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                             _("The sign-in server did not allow CalSync to stay signed in. Try again."));
  else
    g_task_return_pointer (task, g_steal_pointer (&tokens), (GDestroyNotify) calsync_tokens_free);
}

/**
 * calsync_oauth_exchange_code_async:
 * @code: the authorization code of the redirect
 * @redirect_uri: the redirect URI the authorization asked for
 * @verifier: the PKCE code verifier of the authorization
 *
 * grant_type=authorization_code (with the verifier, and the client secret
 * only when the client has one).
 */
void
calsync_oauth_exchange_code_async (CalsyncHttp               *http,
                                   const CalsyncOAuthConfig  *config,
                                   const char                *code,
                                   const char                *redirect_uri,
                                   const char                *verifier,
                                   GCancellable              *cancellable,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  g_autoptr(CalsyncHttpRequest) request = new_token_request (config);
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  const char *secret = config->client_secret;

  g_task_set_source_tag (task, calsync_oauth_exchange_code_async);
  calsync_http_request_set_form (request,
                                 "grant_type", "authorization_code",
                                 "code", code,
                                 "redirect_uri", redirect_uri,
                                 "client_id", config->client_id,
                                 "code_verifier", verifier,
                                 /* the list ends here when there is no secret */
                                 secret ? "client_secret" : NULL, secret,
                                 NULL);
  calsync_http_send_async (http, request, cancellable, on_exchanged, g_steal_pointer (&task));
}

/**
 * calsync_oauth_exchange_code_finish:
 *
 * Returns: (transfer full): the new tokens (always with a refresh token), or %NULL
 */
CalsyncTokens *
calsync_oauth_exchange_code_finish (GAsyncResult  *result,
                                    GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
