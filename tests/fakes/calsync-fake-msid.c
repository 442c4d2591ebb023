/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-msid.c: the v2.0 authorize and token endpoints of a fake Microsoft
 * identity platform for one public client (a desktop app), strict as Microsoft
 * documents them:
 *
 * - "Microsoft identity platform and OAuth 2.0 authorization code flow"
 *   (learn.microsoft.com/entra/identity-platform/v2-oauth2-auth-code-flow):
 *   parameters, the redirect with code and state, errors as JSON with error,
 *   error_description, error_codes, timestamp, trace_id, correlation_id;
 *   "Public clients … must not use secrets or certificates when redeeming an
 *   authorization code"; a refresh token "Only provided if offline_access scope
 *   was requested"; "Refresh tokens aren't revoked when used to acquire new access
 *   tokens. You're expected to discard the old refresh token."
 * - "Refresh tokens in the Microsoft identity platform": "Refresh tokens replace
 *   themselves with a fresh token upon every use."
 * - "Redirect URI (reply URL) restrictions", localhost exceptions: http is allowed
 *   for localhost and 127.0.0.1 only, the port is ignored when matching, [::1] is
 *   not supported, no query parameters for apps that sign in personal accounts.
 * - "Microsoft Entra authentication and authorization error codes" for the
 *   AADSTS numbers: 700025 (a public client presented client_secret or
 *   client_assertion), 54005 (code already redeemed), 501481 (code_verifier does
 *   not match), 50173 (grant revoked), 700082 (refresh token expired, inactive),
 *   70011 (invalid scope), 900144 (missing parameter), 50011 (reply URL).
 *
 * Stricter than Microsoft on purpose, because CalSync's contract requires it:
 * PKCE with S256 and a state are required (Microsoft recommends both and accepts
 * "plain"), and only response_mode=query is served. */
#define G_LOG_DOMAIN "calsync-fake-msid"

#include "config.h"

#include <string.h>

#include "calsync-fake-msid-private.h"

/* "Authorization codes are short lived. Typically, they expire after about 10 minutes." */
#define CODE_LIFETIME_USEC (10 * 60 * G_USEC_PER_SEC)
#define GRAPH_RESOURCE "https://graph.microsoft.com/"

G_DEFINE_FINAL_TYPE (CalsyncFakeMsid, calsync_fake_msid, G_TYPE_OBJECT)

static void
fake_code_free (FakeCode *code)
{
  g_free (code->client_id);
  g_free (code->redirect_uri);
  g_free (code->challenge);
  g_free (code->scope);
  g_free (code->user);
  g_free (code);
}

static void
fake_access_free (FakeAccess *access)
{
  g_free (access->user);
  g_free (access->scope);
  g_free (access);
}

static void
fake_refresh_free (FakeRefresh *refresh)
{
  g_free (refresh->user);
  g_free (refresh->client_id);
  g_free (refresh->scope);
  g_free (refresh);
}

static void
held_refresh_free (HeldRefresh *held)
{
  g_clear_signal_handler (&held->disconnected_id, held->message);
  g_clear_object (&held->message);
  g_hash_table_unref (held->form);
  g_free (held);
}

static void
calsync_fake_msid_finalize (GObject *object)
{
  CalsyncFakeMsid *self = (CalsyncFakeMsid *) object;

  g_ptr_array_unref (self->held);
  if (self->server != NULL)
    {
      soup_server_remove_handler (self->server, self->authorize_path);
      soup_server_remove_handler (self->server, self->token_path);
    }
  g_clear_object (&self->server);
  g_free (self->authorize_path);
  g_free (self->token_path);
  g_free (self->client_id);
  g_free (self->user);
  g_clear_pointer (&self->last_authorize, g_hash_table_unref);
  g_hash_table_unref (self->codes);
  g_hash_table_unref (self->access_tokens);
  g_hash_table_unref (self->refresh_tokens);
  g_ptr_array_unref (self->issued);
  g_ptr_array_unref (self->received);

  G_OBJECT_CLASS (calsync_fake_msid_parent_class)->finalize (object);
}

static void
calsync_fake_msid_class_init (CalsyncFakeMsidClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_fake_msid_finalize;
}

static void
calsync_fake_msid_init (CalsyncFakeMsid *self)
{
  self->user = g_strdup ("user@example.onmicrosoft.com");
  self->expires_in = 3600;
  self->codes = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) fake_code_free);
  self->access_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                               (GDestroyNotify) fake_access_free);
  self->refresh_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free,
                                                (GDestroyNotify) fake_refresh_free);
  self->issued = g_ptr_array_new_with_free_func (g_free);
  self->received = g_ptr_array_new_with_free_func (g_free);
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_refresh_free);
}

/* Helpers ----------------------------------------------------------------- */

char *
calsync_fake_msid_new_secret (CalsyncFakeMsid *self,
            const char      *kind)
{
  char *secret = g_strdup_printf ("%s%u-%08x%08x%08x", kind, ++self->serial,
                                  g_random_int (), g_random_int (), g_random_int ());

  g_ptr_array_add (self->issued, g_strdup (secret));
  return secret;
}

/* RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" */
gboolean
calsync_fake_msid_is_pkce_string (const char *value)
{
  gsize length = value != NULL ? strlen (value) : 0;

  if (length < 43 || length > 128)
    return FALSE;

  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-._~", *p) == NULL)
      return FALSE;

  return TRUE;
}

/* BASE64URL(SHA256(verifier)) without padding (RFC 7636 §4.2) */
char *
calsync_fake_msid_s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize size = sizeof digest;
  char *text;

  g_checksum_update (checksum, (const guchar *) verifier, -1);
  g_checksum_get_digest (checksum, digest, &size);
  text = g_base64_encode (digest, size);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  if (strchr (text, '=') != NULL)
    *strchr (text, '=') = '\0';

  return text;
}

/* Scopes ------------------------------------------------------------------ */

/* What the fake's app registration may ask for (Microsoft Graph permissions and
 * the OpenID Connect scopes), canonical spelling */
static const char * const known_scopes[] = {
  "openid", "profile", "email", "offline_access",
  "User.Read", "Calendars.Read", "Calendars.ReadBasic", "Calendars.ReadWrite",
  "Calendars.Read.Shared", "Calendars.ReadWrite.Shared", NULL
};

/* The canonical name of @scope ("https://graph.microsoft.com/calendars.read" →
 * "Calendars.Read"), or NULL for one the app cannot have: scope names are
 * case-insensitive on the Microsoft identity platform. */
static const char *
canonical_scope (const char *scope)
{
  if (g_ascii_strncasecmp (scope, GRAPH_RESOURCE, strlen (GRAPH_RESOURCE)) == 0)
    scope += strlen (GRAPH_RESOURCE);

  for (guint i = 0; known_scopes[i] != NULL; i++)
    if (g_ascii_strcasecmp (scope, known_scopes[i]) == 0)
      return known_scopes[i];

  return NULL;
}

/* Canonical space-separated scopes of @text; NULL with the first unknown one in @invalid */
char *
calsync_fake_msid_normalize_scopes (const char  *text,
                  char       **invalid)
{
  g_auto(GStrv) parts = g_strsplit (text != NULL ? text : "", " ", -1);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (guint i = 0; parts[i] != NULL; i++)
    {
      const char *name;

      if (*parts[i] == '\0')
        continue;
      if ((name = canonical_scope (parts[i])) == NULL)
        {
          *invalid = g_strdup (parts[i]);
          return NULL;
        }
      if (!g_ptr_array_find_with_equal_func (names, name, g_str_equal, NULL))
        g_ptr_array_add (names, (gpointer) name);
    }

  g_ptr_array_add (names, NULL);
  return g_strjoinv (" ", (char **) names->pdata);
}

gboolean
calsync_fake_msid_scope_list_has (const char *scopes,
                const char *scope)
{
  g_auto(GStrv) granted = g_strsplit (scopes != NULL ? scopes : "", " ", -1);
  const char *name = canonical_scope (scope);

  return name != NULL && g_strv_contains ((const char * const *) granted, name);
}

/* The "scope" member of a token response: the granted Graph permissions (and
 * OpenID Connect scopes), without offline_access, which is not a permission of
 * the access token */
char *
calsync_fake_msid_response_scope (const char *granted)
{
  g_auto(GStrv) parts = g_strsplit (granted, " ", -1);
  GString *scope = g_string_new (NULL);

  for (guint i = 0; parts[i] != NULL; i++)
    if (*parts[i] != '\0' && !g_str_equal (parts[i], "offline_access"))
      g_string_append_printf (scope, "%s%s", scope->len ? " " : "", parts[i]);

  return g_string_free (scope, FALSE);
}

/* Responses --------------------------------------------------------------- */

void
calsync_fake_msid_respond_json (SoupServerMessage *message,
              guint              status,
              JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *body = json_to_string (root, FALSE);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  soup_message_headers_replace (headers, "Cache-Control", "no-store, no-cache");
  soup_message_headers_replace (headers, "Pragma", "no-cache");
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* An error of the token endpoint, as "Error response" documents it:
 * {error, error_description ("AADSTSn: text\r\nTrace ID: …\r\nCorrelation ID: …
 * \r\nTimestamp: …"), error_codes [n], timestamp, trace_id, correlation_id, error_uri} */
void
calsync_fake_msid_respond_aad_error (SoupServerMessage *message,
                   guint              status,
                   const char        *error,
                   guint              code,
                   const char        *text)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *timestamp = g_date_time_format (now, "%Y-%m-%d %H:%M:%SZ");
  g_autofree char *trace_id = g_uuid_string_random ();
  g_autofree char *correlation_id = g_uuid_string_random ();
  g_autofree char *description = g_strdup_printf ("AADSTS%u: %s\r\nTrace ID: %s\r\nCorrelation ID: %s\r\n"
                                                  "Timestamp: %s", code, text, trace_id,
                                                  correlation_id, timestamp);
  g_autofree char *uri = g_strdup_printf ("https://login.microsoftonline.com/error?code=%u", code);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, error);
  json_builder_set_member_name (builder, "error_description");
  json_builder_add_string_value (builder, description);
  json_builder_set_member_name (builder, "error_codes");
  json_builder_begin_array (builder);
  json_builder_add_int_value (builder, code);
  json_builder_end_array (builder);
  json_builder_set_member_name (builder, "timestamp");
  json_builder_add_string_value (builder, timestamp);
  json_builder_set_member_name (builder, "trace_id");
  json_builder_add_string_value (builder, trace_id);
  json_builder_set_member_name (builder, "correlation_id");
  json_builder_add_string_value (builder, correlation_id);
  json_builder_set_member_name (builder, "error_uri");
  json_builder_add_string_value (builder, uri);
  json_builder_end_object (builder);

  calsync_fake_msid_respond_json (message, status, builder);
}

/* AADSTS900144: a required parameter is missing; returns FALSE for chaining */
gboolean
calsync_fake_msid_respond_missing (SoupServerMessage *message,
                 const char        *name)
{
  g_autofree char *text = g_strdup_printf ("The request body must contain the following parameter: '%s'.", name);

  calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", 900144, text);
  return FALSE;
}

/* The sign-in page showing an error it cannot send back to the app */
static void
respond_html (SoupServerMessage *message,
              guint              status,
              const char        *text)
{
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html><title>Sign in to your account</title>"
                                           "<p>Sorry, but we're having trouble signing you in.</p>"
                                           "<p>%s</p>\n", escaped);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

/* Authorization endpoint -------------------------------------------------- */

/* The app's registered redirect URIs are http://localhost and http://127.0.0.1
 * ("Mobile and desktop applications"): the port is ignored, the path must be
 * the registered (empty) one, [::1] is not supported, and no query is allowed
 * (the app signs in personal accounts too). */
static gboolean
is_registered_redirect (const char *redirect_uri)
{
  g_autoptr(GUri) uri = NULL;
  const char *host;
  const char *path;

  if (redirect_uri == NULL || (uri = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL)) == NULL)
    return FALSE;

  host = g_uri_get_host (uri);
  path = g_uri_get_path (uri);
  return g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
         (g_strcmp0 (host, "127.0.0.1") == 0 || g_strcmp0 (host, "localhost") == 0) &&
         (*path == '\0' || g_str_equal (path, "/")) &&
         g_uri_get_query (uri) == NULL && g_uri_get_fragment (uri) == NULL &&
         g_uri_get_userinfo (uri) == NULL;
}

static void
redirect_with (SoupServerMessage *message,
               const char        *redirect_uri,
               const char        *first_name,
               ...) G_GNUC_NULL_TERMINATED;

/* "Redirect URIs not configured with a path segment are returned with a trailing slash" */
static void
redirect_with (SoupServerMessage *message,
               const char        *redirect_uri,
               const char        *first_name,
               ...)
{
  g_autoptr(GUri) uri = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
  g_autofree char *query = NULL;
  g_autofree char *location = NULL;
  va_list args;

  va_start (args, first_name);
  query = soup_form_encode_valist (first_name, args);
  va_end (args);

  location = g_strdup_printf ("http://%s:%d/?%s", g_uri_get_host (uri), g_uri_get_port (uri), query);
  if (g_uri_get_port (uri) < 0)
    {
      g_free (location);
      location = g_strdup_printf ("http://%s/?%s", g_uri_get_host (uri), query);
    }
  soup_server_message_set_redirect (message, SOUP_STATUS_FOUND, location);
}

/* The error= of an authorization request the app can be told about, or NULL.
 * Sets @code and @text for its error_description. */
static const char *
check_authorize_params (GHashTable  *query,
                        guint       *code,
                        const char **text)
{
  const char *challenge = g_hash_table_lookup (query, "code_challenge");
  const char *mode = g_hash_table_lookup (query, "response_mode");
  const char *scope = g_hash_table_lookup (query, "scope");

  *code = 900144;
  *text = NULL;
  if (g_strcmp0 (g_hash_table_lookup (query, "response_type"), "code") != 0)
    {
      *code = 70005;
      *text = "response_type must be 'code' for this app.";
      return "unsupported_response_type";
    }
  if (mode != NULL && !g_str_equal (mode, "query"))
    {
      *code = 70007;
      *text = "The fake serves response_mode=query only (the loopback redirect reads the query).";
    }
  else if (scope == NULL || *scope == '\0')
    *text = "The request body must contain the following parameter: 'scope'.";
  else if (g_hash_table_lookup (query, "state") == NULL)
    *text = "CalSync must send a state (the fake requires it; Microsoft recommends it).";
  else if (challenge == NULL)
    *text = "The request body must contain the following parameter: 'code_challenge'. "
            "(PKCE is required of CalSync.)";
  else if (g_strcmp0 (g_hash_table_lookup (query, "code_challenge_method"), "S256") != 0)
    *text = "code_challenge_method must be S256 (the fake refuses 'plain' and a missing method).";
  else if (!calsync_fake_msid_is_pkce_string (challenge) || strlen (challenge) != 43)
    *text = "Invalid size of Code_Challenge parameter.";

  return *text != NULL ? "invalid_request" : NULL;
}

static char *
issue_code (CalsyncFakeMsid *self,
            GHashTable      *query,
            const char      *scope)
{
  FakeCode *code = g_new0 (FakeCode, 1);
  char *value = calsync_fake_msid_new_secret (self, "M.C540_BAY.2.U.fake-code-");

  code->client_id = g_strdup (g_hash_table_lookup (query, "client_id"));
  code->redirect_uri = g_strdup (g_hash_table_lookup (query, "redirect_uri"));
  code->challenge = g_strdup (g_hash_table_lookup (query, "code_challenge"));
  code->scope = g_strdup (scope);
  code->user = g_strdup (self->user);
  code->expires_at = g_get_monotonic_time () + CODE_LIFETIME_USEC;
  g_hash_table_insert (self->codes, g_strdup (value), code);

  return value;
}

static void
remember_authorize (CalsyncFakeMsid *self,
                    GHashTable      *query)
{
  GHashTableIter iter;
  gpointer key, value;

  g_clear_pointer (&self->last_authorize, g_hash_table_unref);
  self->last_authorize = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  if (query == NULL)
    return;

  g_hash_table_iter_init (&iter, query);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (self->last_authorize, g_strdup (key), g_strdup (value));
}

/* Redirects to the app with error=…, the AADSTS text and the state */
static void
redirect_error (SoupServerMessage *message,
                const char        *redirect_uri,
                const char        *state,
                const char        *error,
                guint              code,
                const char        *text)
{
  g_autofree char *description = g_strdup_printf ("AADSTS%u: %s", code, text);

  redirect_with (message, redirect_uri, "error", error, "error_description", description,
                 state != NULL ? "state" : NULL, state, NULL);
}

static void
on_authorize (SoupServer        *server,
              SoupServerMessage *message,
              const char        *path,
              GHashTable        *query,
              gpointer           user_data)
{
  CalsyncFakeMsid *self = user_data;
  const char *redirect_uri;
  const char *state;
  const char *error;
  const char *text;
  guint code;
  g_autofree char *scope = NULL;
  g_autofree char *invalid = NULL;
  g_autofree char *value = NULL;
  g_autofree char *session = g_uuid_string_random ();

  remember_authorize (self, query);
  if (g_strcmp0 (soup_server_message_get_method (message), "GET") != 0)
    {
      respond_html (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
      return;
    }

  /* Without a known client and a registered redirect there is nowhere to go back to */
  if (query == NULL || g_strcmp0 (g_hash_table_lookup (query, "client_id"), self->client_id) != 0)
    {
      respond_html (message, SOUP_STATUS_BAD_REQUEST,
                    "AADSTS700016: Application with identifier was not found in the directory.");
      return;
    }
  redirect_uri = g_hash_table_lookup (query, "redirect_uri");
  if (!is_registered_redirect (redirect_uri))
    {
      respond_html (message, SOUP_STATUS_BAD_REQUEST,
                    "AADSTS50011: The redirect URI specified in the request does not match the "
                    "redirect URIs configured for the application.");
      return;
    }

  state = g_hash_table_lookup (query, "state");
  if ((error = check_authorize_params (query, &code, &text)) != NULL)
    redirect_error (message, redirect_uri, state, error, code, text);
  else if ((scope = calsync_fake_msid_normalize_scopes (g_hash_table_lookup (query, "scope"), &invalid)) == NULL)
    {
      g_autofree char *message_text = g_strdup_printf ("The provided value for the input parameter 'scope' "
                                                       "is not valid. The scope %s is not valid.", invalid);

      redirect_error (message, redirect_uri, state, "invalid_scope", 70011, message_text);
    }
  else if (self->deny)
    redirect_error (message, redirect_uri, state, "access_denied", 65004,
                    "User declined to consent to access the app.");
  else
    {
      value = issue_code (self, query, scope);
      redirect_with (message, redirect_uri, "code", value, "state", state, "session_state", session, NULL);
    }
}

/* Tokens ------------------------------------------------------------------ */

const char *
calsync_fake_msid_new_access_token (CalsyncFakeMsid *self,
                  const char      *user,
                  const char      *scope)
{
  FakeAccess *access = g_new0 (FakeAccess, 1);
  char *token = calsync_fake_msid_new_secret (self, "eyJ0eXAiOiJKV1QiLCJub25jZSI6ImZha2UifQ.fake-access-");

  access->user = g_strdup (user);
  access->scope = g_strdup (scope);
  access->expires_at = g_get_real_time () / G_USEC_PER_SEC + self->expires_in;
  access->valid = TRUE;
  g_hash_table_insert (self->access_tokens, token, access);
  return token;
}

const char *
calsync_fake_msid_new_refresh_token (CalsyncFakeMsid *self,
                   const char      *user,
                   const char      *client_id,
                   const char      *scope)
{
  FakeRefresh *refresh = g_new0 (FakeRefresh, 1);
  char *token = calsync_fake_msid_new_secret (self, "0.AXkA-fake-refresh-");

  refresh->user = g_strdup (user);
  refresh->client_id = g_strdup (client_id);
  refresh->scope = g_strdup (scope);
  refresh->state = REFRESH_VALID;
  g_hash_table_insert (self->refresh_tokens, token, refresh);
  return token;
}

/* Public API -------------------------------------------------------------- */

CalsyncFakeMsid *
calsync_fake_msid_new (SoupServer *server,
                       const char *prefix,
                       const char *client_id)
{
  CalsyncFakeMsid *self;

  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_FAKE_MSID, NULL);
  self->server = g_object_ref (server);
  self->authorize_path = g_strconcat (prefix, "/authorize", NULL);
  self->token_path = g_strconcat (prefix, "/token", NULL);
  self->client_id = g_strdup (client_id);

  soup_server_add_handler (server, self->authorize_path, on_authorize, self, NULL);
  soup_server_add_handler (server, self->token_path, calsync_fake_msid_token_handler, self, NULL);
  return self;
}

void
calsync_fake_msid_set_user (CalsyncFakeMsid *self,
                            const char      *user)
{
  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));
  g_return_if_fail (user != NULL);

  g_free (self->user);
  self->user = g_strdup (user);
}

void
calsync_fake_msid_set_expires_in (CalsyncFakeMsid *self,
                                  int              seconds)
{
  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  self->expires_in = seconds;
}

void
calsync_fake_msid_set_revoke_rotated (CalsyncFakeMsid *self,
                                      gboolean         revoke)
{
  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  self->revoke_rotated = revoke;
}

void
calsync_fake_msid_set_deny (CalsyncFakeMsid *self,
                            gboolean         deny)
{
  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  self->deny = deny;
}

const char *
calsync_fake_msid_get_last_authorize_param (CalsyncFakeMsid *self,
                                            const char      *name)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), NULL);
  g_return_val_if_fail (name != NULL, NULL);

  return self->last_authorize ? g_hash_table_lookup (self->last_authorize, name) : NULL;
}

void
calsync_fake_msid_issue_tokens (CalsyncFakeMsid  *self,
                                const char       *user,
                                const char       *scope,
                                char            **access_token,
                                char            **refresh_token)
{
  g_autofree char *invalid = NULL;
  g_autofree char *granted = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));
  g_return_if_fail (user != NULL);

  granted = calsync_fake_msid_normalize_scopes (scope ? scope : CALSYNC_FAKE_MSID_DEFAULT_SCOPE, &invalid);
  g_return_if_fail (granted != NULL);

  if (access_token != NULL)
    *access_token = g_strdup (calsync_fake_msid_new_access_token (self, user, granted));
  if (refresh_token != NULL)
    *refresh_token = calsync_fake_msid_scope_list_has (granted, "offline_access")
                     ? g_strdup (calsync_fake_msid_new_refresh_token (self, user, self->client_id, granted)) : NULL;
}

static FakeAccess *
lookup_bearer (CalsyncFakeMsid *self,
               const char      *authorization_header)
{
  FakeAccess *access;

  if (authorization_header == NULL || g_ascii_strncasecmp (authorization_header, "Bearer ", 7) != 0)
    return NULL;

  access = g_hash_table_lookup (self->access_tokens, authorization_header + 7);
  if (access == NULL || !access->valid || access->expires_at <= g_get_real_time () / G_USEC_PER_SEC)
    return NULL;

  return access;
}

const char *
calsync_fake_msid_check_bearer (CalsyncFakeMsid *self,
                                const char      *authorization_header)
{
  FakeAccess *access;

  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), NULL);

  access = lookup_bearer (self, authorization_header);
  return access ? access->user : NULL;
}

gboolean
calsync_fake_msid_bearer_has_scope (CalsyncFakeMsid    *self,
                                    const char         *authorization_header,
                                    const char * const *scopes)
{
  FakeAccess *access;

  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), FALSE);

  if ((access = lookup_bearer (self, authorization_header)) == NULL)
    return FALSE;

  for (guint i = 0; scopes[i] != NULL; i++)
    if (calsync_fake_msid_scope_list_has (access->scope, scopes[i]))
      return TRUE;

  return FALSE;
}

void
calsync_fake_msid_expire_access_tokens (CalsyncFakeMsid *self)
{
  GHashTableIter iter;
  FakeAccess *access;

  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  g_hash_table_iter_init (&iter, self->access_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &access))
    access->valid = FALSE;
}

void
calsync_fake_msid_revoke (CalsyncFakeMsid *self,
                          const char      *user)
{
  GHashTableIter iter;
  FakeRefresh *refresh;
  FakeAccess *access;

  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  g_hash_table_iter_init (&iter, self->refresh_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &refresh))
    if (g_strcmp0 (refresh->user, user) == 0)
      refresh->state = REFRESH_REVOKED;

  g_hash_table_iter_init (&iter, self->access_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &access))
    if (g_strcmp0 (access->user, user) == 0)
      access->valid = FALSE;
}

void
calsync_fake_msid_expire_refresh_tokens (CalsyncFakeMsid *self)
{
  GHashTableIter iter;
  FakeRefresh *refresh;

  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  g_hash_table_iter_init (&iter, self->refresh_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &refresh))
    if (refresh->state != REFRESH_REVOKED)
      refresh->state = REFRESH_EXPIRED;
}

void
calsync_fake_msid_set_hold_refreshes (CalsyncFakeMsid *self,
                                      gboolean         hold)
{
  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  self->hold_refreshes = hold;
}

guint
calsync_fake_msid_get_n_held_refreshes (CalsyncFakeMsid *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), 0);

  return self->held->len;
}

void
calsync_fake_msid_release_refreshes (CalsyncFakeMsid *self)
{
  g_autoptr(GPtrArray) held = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_MSID (self));

  self->hold_refreshes = FALSE;
  held = g_steal_pointer (&self->held);
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_refresh_free);
  for (guint i = 0; i < held->len; i++)
    {
      HeldRefresh *request = g_ptr_array_index (held, i);

      g_clear_signal_handler (&request->disconnected_id, request->message);
      calsync_fake_msid_grant_refresh (self, request->message, request->form);
      soup_server_message_unpause (request->message);
    }
}

guint
calsync_fake_msid_get_n_refreshes (CalsyncFakeMsid *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), 0);

  return self->n_refreshes;
}

guint
calsync_fake_msid_get_n_exchanges (CalsyncFakeMsid *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), 0);

  return self->n_exchanges;
}

/**
 * calsync_fake_msid_dup_issued_tokens:
 *
 * Returns: (transfer container): every code, access and refresh token handed out
 */
GPtrArray *
calsync_fake_msid_dup_issued_tokens (CalsyncFakeMsid *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), NULL);

  copy = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->issued->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (self->issued, i)));
  return copy;
}

/**
 * calsync_fake_msid_dup_received_secrets:
 *
 * Returns: (transfer container): every PKCE code verifier the token endpoint
 *   received (each once)
 */
GPtrArray *
calsync_fake_msid_dup_received_secrets (CalsyncFakeMsid *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (CALSYNC_IS_FAKE_MSID (self), NULL);

  copy = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->received->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (self->received, i)));

  return copy;
}
