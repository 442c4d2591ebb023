/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-oauth.c: OAuth 2.0 endpoints of a fake identity provider, strict as
 * RFC 6749 / RFC 7636 and Google's installed-app documentation describe them. */
#define G_LOG_DOMAIN "calsync-fake-oauth"

#include "config.h"

#include <string.h>
#include <json-glib/json-glib.h>

#include "calsync-fake-oauth.h"

/* Authorization codes are short-lived (RFC 6749 §4.1.2: 10 minutes at most) */
#define CODE_LIFETIME_USEC (10 * 60 * G_USEC_PER_SEC)

typedef struct
{
  char *client_id;
  char *redirect_uri;
  char *challenge;
  char *scope;
  char *user;
  gint64 expires_at;      /* monotonic µs */
  gboolean used;
} FakeCode;

typedef struct
{
  char *user;
  char *scope;
  gint64 expires_at;      /* real time, seconds */
  gboolean valid;
} FakeAccess;

/* What calsync_fake_oauth_issue_tokens() grants: the scopes CalSync asks for */
#define ISSUED_SCOPE "https://www.googleapis.com/auth/calendar.events " \
                     "https://www.googleapis.com/auth/calendar.calendarlist.readonly"

typedef struct
{
  char *user;
  char *scope;
  gboolean valid;
} FakeRefresh;

struct _CalsyncFakeOAuth
{
  GObject parent_instance;

  SoupServer *server;
  char *auth_path;
  char *token_path;
  char *client_id;
  char *client_secret;

  char *user;
  int expires_in;
  gboolean rotate_refresh;
  gboolean deny;

  GHashTable *codes;            /* code → FakeCode */
  GHashTable *access_tokens;    /* token → FakeAccess */
  GHashTable *refresh_tokens;   /* token → FakeRefresh */
  GPtrArray *issued;
  GPtrArray *received;          /* code verifiers and client secrets sent to the token endpoint */

  guint redirect_status;
  char *redirect_location;
  gboolean hold_refreshes;
  GPtrArray *held;              /* HeldRefresh */

  char *newest_access;          /* the last access token handed out */
  char *last_accepted;          /* the access token of the last request let through */

  guint serial;
  guint n_refreshes;
  guint n_exchanges;
};

/* A refresh request waiting for calsync_fake_oauth_release_refreshes() */
typedef struct
{
  SoupServerMessage *message;
  GHashTable *form;
  gulong disconnected_id;
} HeldRefresh;

G_DEFINE_FINAL_TYPE (CalsyncFakeOAuth, calsync_fake_oauth, G_TYPE_OBJECT)

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
calsync_fake_oauth_finalize (GObject *object)
{
  CalsyncFakeOAuth *self = (CalsyncFakeOAuth *)object;

  g_ptr_array_unref (self->held);
  g_free (self->redirect_location);
  g_free (self->newest_access);
  g_free (self->last_accepted);

  if (self->server != NULL)
    {
      soup_server_remove_handler (self->server, self->auth_path);
      soup_server_remove_handler (self->server, self->token_path);
    }
  g_clear_object (&self->server);
  g_free (self->auth_path);
  g_free (self->token_path);
  g_free (self->client_id);
  g_free (self->client_secret);
  g_free (self->user);
  g_hash_table_unref (self->codes);
  g_hash_table_unref (self->access_tokens);
  g_hash_table_unref (self->refresh_tokens);
  g_ptr_array_unref (self->issued);
  g_ptr_array_unref (self->received);

  G_OBJECT_CLASS (calsync_fake_oauth_parent_class)->finalize (object);
}

static void
calsync_fake_oauth_class_init (CalsyncFakeOAuthClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_fake_oauth_finalize;
}

static void
calsync_fake_oauth_init (CalsyncFakeOAuth *self)
{
  self->user = g_strdup ("user@example.com");
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

static char *
new_secret (CalsyncFakeOAuth *self,
            const char       *kind)
{
  char *secret = g_strdup_printf ("%s%u-%08x%08x", kind, ++self->serial,
                                  g_random_int (), g_random_int ());

  g_ptr_array_add (self->issued, g_strdup (secret));
  return secret;
}

/* A secret the client sent (once each) */
static void
remember_received (CalsyncFakeOAuth *self,
                   const char       *secret)
{
  if (secret == NULL || *secret == '\0')
    return;
  for (guint i = 0; i < self->received->len; i++)
    if (g_str_equal (g_ptr_array_index (self->received, i), secret))
      return;
  g_ptr_array_add (self->received, g_strdup (secret));
}

/* RFC 7636 §4.1: 43–128 characters of [A-Z] / [a-z] / [0-9] / "-" / "." / "_" / "~" */
static gboolean
is_pkce_string (const char *value)
{
  gsize length = value != NULL ? strlen (value) : 0;

  if (length < 43 || length > 128)
    return FALSE;

  for (const char *p = value; *p != '\0'; p++)
    if (!g_ascii_isalnum (*p) && strchr ("-._~", *p) == NULL)
      return FALSE;

  return TRUE;
}

static char *
s256 (const char *verifier)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  guint8 digest[32];
  gsize size = sizeof digest;
  char *text;

  g_checksum_update (checksum, (const guchar *) verifier, -1);
  g_checksum_get_digest (checksum, digest, &size);
  text = g_base64_encode (digest, size);

  for (char *p = text; *p != '\0'; p++)
    {
      if (*p == '+')
        *p = '-';
      else if (*p == '/')
        *p = '_';
      else if (*p == '=')
        *p = '\0';
    }

  return text;
}

static void
respond_html (SoupServerMessage *message,
              guint              status,
              const char        *text)
{
  g_autofree char *page = g_strdup_printf ("<!DOCTYPE html><title>Error</title><p>%s</p>\n", text);

  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "text/html; charset=utf-8", SOUP_MEMORY_COPY,
                                    page, strlen (page));
}

static void
respond_json (SoupServerMessage *message,
              guint              status,
              JsonBuilder       *builder)
{
  g_autoptr(JsonNode) root = json_builder_get_root (builder);
  g_autofree char *body = json_to_string (root, FALSE);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (message);

  /* RFC 6749 §5.1 */
  soup_message_headers_replace (headers, "Cache-Control", "no-store");
  soup_message_headers_replace (headers, "Pragma", "no-cache");
  soup_server_message_set_status (message, status, NULL);
  soup_server_message_set_response (message, "application/json; charset=utf-8", SOUP_MEMORY_COPY,
                                    body, strlen (body));
}

/* RFC 6749 §5.2 */
static void
respond_token_error (SoupServerMessage *message,
                     guint              status,
                     const char        *error,
                     const char        *description)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "error");
  json_builder_add_string_value (builder, error);
  json_builder_set_member_name (builder, "error_description");
  json_builder_add_string_value (builder, description);
  json_builder_end_object (builder);

  if (status == SOUP_STATUS_UNAUTHORIZED)
    soup_message_headers_replace (soup_server_message_get_response_headers (message),
                                  "WWW-Authenticate", "Basic realm=\"fake-oauth\"");

  respond_json (message, status, builder);
}

static void
redirect_with (SoupServerMessage *message,
               const char        *redirect_uri,
               const char        *first_name,
               ...) G_GNUC_NULL_TERMINATED;

static void
redirect_with (SoupServerMessage *message,
               const char        *redirect_uri,
               const char        *first_name,
               ...)
{
  g_autofree char *query = NULL;
  g_autofree char *location = NULL;
  va_list args;

  va_start (args, first_name);
  query = soup_form_encode_valist (first_name, args);
  va_end (args);

  location = g_strconcat (redirect_uri, strchr (redirect_uri, '?') ? "&" : "?", query, NULL);
  soup_server_message_set_redirect (message, SOUP_STATUS_FOUND, location);
}

static const char *new_refresh_token (CalsyncFakeOAuth *self,
                                      const char       *user,
                                      const char       *scope);

/* Authorization endpoint -------------------------------------------------- */

/* Google's loopback IP flow: http://127.0.0.1:PORT/… or http://[::1]:PORT/… */
static gboolean
is_loopback_redirect (const char *redirect_uri)
{
  g_autoptr(GUri) uri = NULL;

  if (redirect_uri == NULL)
    return FALSE;

  uri = g_uri_parse (redirect_uri, G_URI_FLAGS_NONE, NULL);
  return uri != NULL &&
         g_strcmp0 (g_uri_get_scheme (uri), "http") == 0 &&
         (g_strcmp0 (g_uri_get_host (uri), "127.0.0.1") == 0 ||
          g_strcmp0 (g_uri_get_host (uri), "::1") == 0) &&
         g_uri_get_port (uri) > 0 &&
         g_uri_get_fragment (uri) == NULL;
}

/* What must be wrong for an error redirect (RFC 6749 §4.1.2.1), or NULL */
static const char *
check_auth_params (GHashTable  *query,
                   const char **description)
{
  const char *challenge = g_hash_table_lookup (query, "code_challenge");

  *description = NULL;

  if (g_strcmp0 (g_hash_table_lookup (query, "response_type"), "code") != 0)
    return "unsupported_response_type";
  if (g_hash_table_lookup (query, "scope") == NULL || *(char *) g_hash_table_lookup (query, "scope") == '\0')
    *description = "Missing required parameter: scope";
  else if (g_hash_table_lookup (query, "state") == NULL)
    *description = "Missing parameter: state";
  else if (challenge == NULL)
    *description = "Missing parameter: code_challenge";
  else if (g_strcmp0 (g_hash_table_lookup (query, "code_challenge_method"), "S256") != 0)
    *description = "code_challenge_method must be S256";
  else if (!is_pkce_string (challenge) || strlen (challenge) != 43)
    *description = "Invalid code_challenge";

  return *description != NULL ? "invalid_request" : NULL;
}

static char *
issue_code (CalsyncFakeOAuth *self,
            GHashTable       *query)
{
  FakeCode *code = g_new0 (FakeCode, 1);
  char *value = new_secret (self, "4/fake-code-");

  code->client_id = g_strdup (g_hash_table_lookup (query, "client_id"));
  code->redirect_uri = g_strdup (g_hash_table_lookup (query, "redirect_uri"));
  code->challenge = g_strdup (g_hash_table_lookup (query, "code_challenge"));
  code->scope = g_strdup (g_hash_table_lookup (query, "scope"));
  code->user = g_strdup (self->user);
  code->expires_at = g_get_monotonic_time () + CODE_LIFETIME_USEC;
  g_hash_table_insert (self->codes, g_strdup (value), code);

  return value;
}

static void
on_auth (SoupServer        *server,
         SoupServerMessage *message,
         const char        *path,
         GHashTable        *query,
         gpointer           user_data)
{
  CalsyncFakeOAuth *self = user_data;
  const char *redirect_uri;
  const char *state;
  const char *error;
  const char *description;
  g_autofree char *code = NULL;

  if (g_strcmp0 (soup_server_message_get_method (message), "GET") != 0)
    {
      respond_html (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "Method not allowed");
      return;
    }

  /* Without a known client and a valid redirect there is nowhere to redirect to */
  if (query == NULL || g_strcmp0 (g_hash_table_lookup (query, "client_id"), self->client_id) != 0)
    {
      respond_html (message, SOUP_STATUS_UNAUTHORIZED, "Error 401: invalid_client");
      return;
    }

  redirect_uri = g_hash_table_lookup (query, "redirect_uri");
  if (!is_loopback_redirect (redirect_uri))
    {
      respond_html (message, SOUP_STATUS_BAD_REQUEST, "Error 400: redirect_uri_mismatch");
      return;
    }

  state = g_hash_table_lookup (query, "state");
  error = check_auth_params (query, &description);
  if (error == NULL && self->deny)
    error = "access_denied";

  if (error != NULL)
    {
      if (state != NULL)
        redirect_with (message, redirect_uri, "error", error, "state", state,
                       description ? "error_description" : NULL, description, NULL);
      else
        redirect_with (message, redirect_uri, "error", error,
                       description ? "error_description" : NULL, description, NULL);
      return;
    }

  code = issue_code (self, query);
  redirect_with (message, redirect_uri,
                 "code", code,
                 "state", state,
                 "scope", g_hash_table_lookup (query, "scope"),
                 NULL);
}

/* Token endpoint ---------------------------------------------------------- */

static const char *
new_access_token (CalsyncFakeOAuth *self,
                  const char       *user,
                  const char       *scope)
{
  FakeAccess *access = g_new0 (FakeAccess, 1);
  char *access_token = new_secret (self, "ya29.fake-access-");

  access->user = g_strdup (user);
  access->scope = g_strdup (scope);
  access->expires_at = g_get_real_time () / G_USEC_PER_SEC + self->expires_in;
  access->valid = TRUE;
  g_hash_table_insert (self->access_tokens, access_token, access);
  g_free (self->newest_access);
  self->newest_access = g_strdup (access_token);

  return access_token;
}

static void
respond_tokens (CalsyncFakeOAuth  *self,
                SoupServerMessage *message,
                const char        *user,
                const char        *scope,
                const char        *refresh_token)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  const char *access_token = new_access_token (self, user, scope);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, access_token);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, self->expires_in);
  if (refresh_token != NULL)
    {
      json_builder_set_member_name (builder, "refresh_token");
      json_builder_add_string_value (builder, refresh_token);
    }
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, scope);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_end_object (builder);

  respond_json (message, SOUP_STATUS_OK, builder);
}

static const char *
new_refresh_token (CalsyncFakeOAuth *self,
                   const char       *user,
                   const char       *scope)
{
  FakeRefresh *refresh = g_new0 (FakeRefresh, 1);
  char *token = new_secret (self, "1//fake-refresh-");

  refresh->user = g_strdup (user);
  refresh->scope = g_strdup (scope);
  refresh->valid = TRUE;
  g_hash_table_insert (self->refresh_tokens, token, refresh);

  return token;
}

static void
grant_authorization_code (CalsyncFakeOAuth  *self,
                          SoupServerMessage *message,
                          GHashTable        *form,
                          const char        *client_id)
{
  const char *value = g_hash_table_lookup (form, "code");
  const char *redirect_uri = g_hash_table_lookup (form, "redirect_uri");
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  g_autofree char *challenge = NULL;
  FakeCode *code;

  remember_received (self, verifier);
  if (value == NULL || redirect_uri == NULL || verifier == NULL)
    {
      respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                           "Missing code, redirect_uri or code_verifier");
      return;
    }

  if (!is_pkce_string (verifier))
    {
      respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", "Invalid code_verifier");
      return;
    }

  code = g_hash_table_lookup (self->codes, value);
  if (code == NULL || code->used || code->expires_at < g_get_monotonic_time () ||
      g_strcmp0 (code->client_id, client_id) != 0)
    {
      respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "Malformed auth code.");
      return;
    }

  /* Single use, whatever happens next */
  code->used = TRUE;
  challenge = s256 (verifier);

  if (g_strcmp0 (code->redirect_uri, redirect_uri) != 0)
    respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "Bad Request");
  else if (g_strcmp0 (code->challenge, challenge) != 0)
    respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", "Invalid code verifier.");
  else
    {
      self->n_exchanges++;
      respond_tokens (self, message, code->user, code->scope,
                      new_refresh_token (self, code->user, code->scope));
    }
}

static void
grant_refresh_token (CalsyncFakeOAuth  *self,
                     SoupServerMessage *message,
                     GHashTable        *form)
{
  const char *value = g_hash_table_lookup (form, "refresh_token");
  g_autofree char *user = NULL;
  g_autofree char *scope = NULL;
  FakeRefresh *refresh;

  if (value == NULL)
    {
      respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", "Missing refresh_token");
      return;
    }

  self->n_refreshes++;
  refresh = g_hash_table_lookup (self->refresh_tokens, value);
  if (refresh == NULL || !refresh->valid)
    {
      respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant",
                           "Token has been expired or revoked.");
      return;
    }

  user = g_strdup (refresh->user);
  scope = g_strdup (refresh->scope);
  if (self->rotate_refresh)
    {
      refresh->valid = FALSE;
      respond_tokens (self, message, user, scope, new_refresh_token (self, user, scope));
    }
  else
    respond_tokens (self, message, user, scope, NULL);
}

/* client_id (and client_secret) from HTTP Basic or the form (RFC 6749 §2.3.1) */
static gboolean
authenticate_client (CalsyncFakeOAuth  *self,
                     SoupServerMessage *message,
                     GHashTable        *form,
                     char             **client_id)
{
  const char *authorization = soup_message_headers_get_one (soup_server_message_get_request_headers (message),
                                                            "Authorization");
  g_autofree char *id = g_strdup (g_hash_table_lookup (form, "client_id"));
  g_autofree char *secret = g_strdup (g_hash_table_lookup (form, "client_secret"));

  if (authorization != NULL && g_ascii_strncasecmp (authorization, "Basic ", 6) == 0)
    {
      gsize size = 0;
      g_autofree char *decoded = (char *) g_base64_decode (authorization + 6, &size);
      g_autofree char *text = g_strndup (decoded, size);
      char *colon = strchr (text, ':');

      if (colon != NULL)
        {
          *colon = '\0';
          g_free (id);
          g_free (secret);
          id = g_uri_unescape_string (text, NULL);
          secret = g_uri_unescape_string (colon + 1, NULL);
        }
    }

  remember_received (self, secret);
  if (g_strcmp0 (id, self->client_id) != 0 ||
      (self->client_secret != NULL && g_strcmp0 (secret, self->client_secret) != 0))
    return FALSE;

  *client_id = g_steal_pointer (&id);
  return TRUE;
}

static GHashTable *
decode_form (SoupServerMessage *message)
{
  SoupMessageBody *body = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (body);
  g_autofree char *text = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return soup_form_decode (text);
}

static void
on_held_disconnected (SoupServerMessage *message,
                      CalsyncFakeOAuth  *self)
{
  for (guint i = 0; i < self->held->len; i++)
    if (((HeldRefresh *) g_ptr_array_index (self->held, i))->message == message)
      {
        g_ptr_array_remove_index (self->held, i);
        return;
      }
}

/* Keeps a refresh request unanswered until calsync_fake_oauth_release_refreshes() */
static void
hold_refresh (CalsyncFakeOAuth  *self,
              SoupServerMessage *message,
              GHashTable        *form)
{
  HeldRefresh *held = g_new0 (HeldRefresh, 1);

  held->message = g_object_ref (message);
  held->form = g_hash_table_ref (form);
  held->disconnected_id = g_signal_connect (message, "disconnected", G_CALLBACK (on_held_disconnected), self);
  g_ptr_array_add (self->held, held);
  soup_server_message_pause (message);
}

static void
on_token (SoupServer        *server,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  CalsyncFakeOAuth *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  g_autoptr(GHashTable) form = NULL;
  g_autofree char *client_id = NULL;
  const char *grant_type;

  if (self->redirect_status != 0)
    {
      soup_server_message_set_redirect (message, self->redirect_status, self->redirect_location);
      return;
    }

  if (g_strcmp0 (soup_server_message_get_method (message), "POST") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message), "Allow", "POST");
      respond_token_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request", "POST only");
      return;
    }

  if (g_strcmp0 (soup_message_headers_get_content_type (headers, NULL),
                 "application/x-www-form-urlencoded") != 0)
    {
      respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request",
                           "Content-Type must be application/x-www-form-urlencoded");
      return;
    }

  form = decode_form (message);
  if (!authenticate_client (self, message, form, &client_id))
    {
      respond_token_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_client", "Unauthorized");
      return;
    }

  grant_type = g_hash_table_lookup (form, "grant_type");
  if (grant_type == NULL)
    respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_request", "Missing grant_type");
  else if (g_str_equal (grant_type, "authorization_code"))
    grant_authorization_code (self, message, form, client_id);
  else if (g_str_equal (grant_type, "refresh_token") && self->hold_refreshes)
    hold_refresh (self, message, form);
  else if (g_str_equal (grant_type, "refresh_token"))
    grant_refresh_token (self, message, form);
  else
    respond_token_error (message, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type",
                         "Invalid grant_type");
}

/* Public API -------------------------------------------------------------- */

CalsyncFakeOAuth *
calsync_fake_oauth_new (SoupServer *server,
                        const char *prefix,
                        const char *client_id,
                        const char *client_secret)
{
  CalsyncFakeOAuth *self;

  g_return_val_if_fail (SOUP_IS_SERVER (server), NULL);
  g_return_val_if_fail (prefix != NULL, NULL);
  g_return_val_if_fail (client_id != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_FAKE_OAUTH, NULL);
  self->server = g_object_ref (server);
  self->auth_path = g_strconcat (prefix, "/auth", NULL);
  self->token_path = g_strconcat (prefix, "/token", NULL);
  self->client_id = g_strdup (client_id);
  self->client_secret = g_strdup (client_secret);

  soup_server_add_handler (server, self->auth_path, on_auth, self, NULL);
  soup_server_add_handler (server, self->token_path, on_token, self, NULL);

  return self;
}

void
calsync_fake_oauth_set_user (CalsyncFakeOAuth *self,
                             const char       *email)
{
  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  g_free (self->user);
  self->user = g_strdup (email);
}

void
calsync_fake_oauth_set_expires_in (CalsyncFakeOAuth *self,
                                   int               seconds)
{
  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  self->expires_in = seconds;
}

void
calsync_fake_oauth_set_rotate_refresh (CalsyncFakeOAuth *self,
                                       gboolean          rotate)
{
  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  self->rotate_refresh = rotate;
}

void
calsync_fake_oauth_set_deny (CalsyncFakeOAuth *self,
                             gboolean          deny)
{
  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  self->deny = deny;
}

void
calsync_fake_oauth_issue_tokens (CalsyncFakeOAuth  *self,
                                 const char        *email,
                                 char             **access_token,
                                 char             **refresh_token)
{
  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));
  g_return_if_fail (email != NULL);

  if (access_token != NULL)
    *access_token = g_strdup (new_access_token (self, email, ISSUED_SCOPE));
  if (refresh_token != NULL)
    *refresh_token = g_strdup (new_refresh_token (self, email, ISSUED_SCOPE));
}

static FakeAccess *
lookup_bearer (CalsyncFakeOAuth *self,
               const char       *authorization_header)
{
  FakeAccess *access;

  if (authorization_header == NULL || g_ascii_strncasecmp (authorization_header, "Bearer ", 7) != 0)
    return NULL;

  access = g_hash_table_lookup (self->access_tokens, authorization_header + 7);
  if (access == NULL || !access->valid || access->expires_at <= g_get_real_time () / G_USEC_PER_SEC)
    return NULL;

  g_free (self->last_accepted);
  self->last_accepted = g_strdup (authorization_header + 7);
  return access;
}

/**
 * calsync_fake_oauth_newest_access_in_use:
 *
 * Returns: whether the last request let through carried the newest access
 * token handed out: the client took up its last refresh (none is on its way)
 */
gboolean
calsync_fake_oauth_newest_access_in_use (CalsyncFakeOAuth *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), FALSE);

  return self->newest_access != NULL && g_strcmp0 (self->newest_access, self->last_accepted) == 0;
}

const char *
calsync_fake_oauth_check_bearer (CalsyncFakeOAuth *self,
                                 const char       *authorization_header)
{
  FakeAccess *access;

  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), NULL);

  access = lookup_bearer (self, authorization_header);
  return access ? access->user : NULL;
}

gboolean
calsync_fake_oauth_bearer_has_scope (CalsyncFakeOAuth   *self,
                                     const char         *authorization_header,
                                     const char * const *scopes)
{
  FakeAccess *access;
  g_auto(GStrv) granted = NULL;

  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), FALSE);

  if ((access = lookup_bearer (self, authorization_header)) == NULL || access->scope == NULL)
    return FALSE;

  granted = g_strsplit (access->scope, " ", -1);
  for (guint i = 0; scopes[i] != NULL; i++)
    if (g_strv_contains ((const char * const *) granted, scopes[i]))
      return TRUE;

  return FALSE;
}

void
calsync_fake_oauth_expire_access_tokens (CalsyncFakeOAuth *self)
{
  GHashTableIter iter;
  FakeAccess *access;

  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  g_hash_table_iter_init (&iter, self->access_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &access))
    access->valid = FALSE;
}

/* Revocation ends the refresh tokens and the access tokens of @email */
void
calsync_fake_oauth_revoke (CalsyncFakeOAuth *self,
                           const char       *email)
{
  GHashTableIter iter;
  FakeRefresh *refresh;
  FakeAccess *access;

  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  g_hash_table_iter_init (&iter, self->refresh_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &refresh))
    if (g_strcmp0 (refresh->user, email) == 0)
      refresh->valid = FALSE;

  g_hash_table_iter_init (&iter, self->access_tokens);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &access))
    if (g_strcmp0 (access->user, email) == 0)
      access->valid = FALSE;
}

void
calsync_fake_oauth_set_token_redirect (CalsyncFakeOAuth *self,
                                       guint             status,
                                       const char       *location)
{
  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));
  g_return_if_fail (status == 0 || (status == 307 || status == 308));
  g_return_if_fail (status == 0 || location != NULL);

  self->redirect_status = status;
  g_free (self->redirect_location);
  self->redirect_location = g_strdup (location);
}

void
calsync_fake_oauth_set_hold_refreshes (CalsyncFakeOAuth *self,
                                       gboolean          hold)
{
  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  self->hold_refreshes = hold;
}

guint
calsync_fake_oauth_get_n_held_refreshes (CalsyncFakeOAuth *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), 0);

  return self->held->len;
}

void
calsync_fake_oauth_release_refreshes (CalsyncFakeOAuth *self)
{
  g_autoptr(GPtrArray) held = NULL;

  g_return_if_fail (CALSYNC_IS_FAKE_OAUTH (self));

  self->hold_refreshes = FALSE;
  held = g_steal_pointer (&self->held);
  self->held = g_ptr_array_new_with_free_func ((GDestroyNotify) held_refresh_free);
  for (guint i = 0; i < held->len; i++)
    {
      HeldRefresh *request = g_ptr_array_index (held, i);

      g_clear_signal_handler (&request->disconnected_id, request->message);
      grant_refresh_token (self, request->message, request->form);
      soup_server_message_unpause (request->message);
    }
}

guint
calsync_fake_oauth_get_n_refreshes (CalsyncFakeOAuth *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), 0);

  return self->n_refreshes;
}

guint
calsync_fake_oauth_get_n_exchanges (CalsyncFakeOAuth *self)
{
  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), 0);

  return self->n_exchanges;
}

/**
 * calsync_fake_oauth_dup_issued_tokens:
 *
 * Returns: (transfer container): every code, access and refresh token handed out
 */
GPtrArray *
calsync_fake_oauth_dup_issued_tokens (CalsyncFakeOAuth *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), NULL);

  copy = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->issued->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (self->issued, i)));

  return copy;
}

/**
 * calsync_fake_oauth_dup_received_secrets:
 *
 * Returns: (transfer container): every PKCE code verifier and client secret
 *   the token endpoint received (each once)
 */
GPtrArray *
calsync_fake_oauth_dup_received_secrets (CalsyncFakeOAuth *self)
{
  GPtrArray *copy;

  g_return_val_if_fail (CALSYNC_IS_FAKE_OAUTH (self), NULL);

  copy = g_ptr_array_new_with_free_func (g_free);
  for (guint i = 0; i < self->received->len; i++)
    g_ptr_array_add (copy, g_strdup (g_ptr_array_index (self->received, i)));

  return copy;
}
