/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-msid-token.c: the token endpoint of the fake Microsoft identity
 * platform (POST {tenant}/oauth2/v2.0/token), as "Microsoft identity platform and
 * OAuth 2.0 authorization code flow" documents it: a form body only; a public
 * client presents its id and nothing else ("Public clients … must not use secrets
 * or certificates": AADSTS700025, 401 invalid_client); authorization_code with the
 * same redirect_uri and the PKCE code_verifier, once; refresh_token with rotation
 * (a new refresh token in every answer, the old one not revoked); the optional
 * scope narrowing what was consented. Errors as respond_aad_error() writes them. */
#define G_LOG_DOMAIN "calsync-fake-msid"

#include "config.h"

#include <string.h>

#include "calsync-fake-msid-private.h"

/* The documented success: token_type, scope, expires_in, ext_expires_in,
 * access_token and, when offline_access was consented, a new refresh_token */
static void
respond_tokens (CalsyncFakeMsid   *self,
                SoupServerMessage *message,
                const char        *user,
                const char        *client_id,
                const char        *scope)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *shown = calsync_fake_msid_response_scope (scope);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "token_type");
  json_builder_add_string_value (builder, "Bearer");
  json_builder_set_member_name (builder, "scope");
  json_builder_add_string_value (builder, shown);
  json_builder_set_member_name (builder, "expires_in");
  json_builder_add_int_value (builder, self->expires_in);
  json_builder_set_member_name (builder, "ext_expires_in");
  json_builder_add_int_value (builder, self->expires_in + 600);
  json_builder_set_member_name (builder, "access_token");
  json_builder_add_string_value (builder, calsync_fake_msid_new_access_token (self, user, scope));
  if (calsync_fake_msid_scope_list_has (scope, "offline_access"))
    {
      json_builder_set_member_name (builder, "refresh_token");
      json_builder_add_string_value (builder, calsync_fake_msid_new_refresh_token (self, user, client_id, scope));
    }
  json_builder_end_object (builder);

  calsync_fake_msid_respond_json (message, SOUP_STATUS_OK, builder);
}

/* The optional "scope" of a token request: a subset of what was consented */
static gboolean
narrow_scope (SoupServerMessage  *message,
              const char         *consented,
              const char         *asked,
              char              **scope)
{
  g_autofree char *invalid = NULL;
  g_autofree char *wanted = NULL;
  g_auto(GStrv) names = NULL;

  if (asked == NULL)
    {
      *scope = g_strdup (consented);
      return TRUE;
    }
  if ((wanted = calsync_fake_msid_normalize_scopes (asked, &invalid)) == NULL)
    {
      calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_scope", 70011,
                         "The provided value for the input parameter 'scope' is not valid.");
      return FALSE;
    }

  names = g_strsplit (wanted, " ", -1);
  for (guint i = 0; names[i] != NULL; i++)
    if (*names[i] != '\0' && !calsync_fake_msid_scope_list_has (consented, names[i]))
      {
        calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 65001,
                           "The user or administrator has not consented to use the application.");
        return FALSE;
      }

  /* offline_access stays with the grant: the refresh token is not narrowed */
  *scope = calsync_fake_msid_scope_list_has (consented, "offline_access") && !calsync_fake_msid_scope_list_has (wanted, "offline_access")
           ? g_strconcat (wanted, " offline_access", NULL) : g_steal_pointer (&wanted);
  return TRUE;
}

static gboolean
check_code_params (SoupServerMessage *message,
                   GHashTable        *form)
{
  if (g_hash_table_lookup (form, "code") == NULL)
    return calsync_fake_msid_respond_missing (message, "code");
  if (g_hash_table_lookup (form, "redirect_uri") == NULL)
    return calsync_fake_msid_respond_missing (message, "redirect_uri");
  return TRUE;
}

static void
grant_authorization_code (CalsyncFakeMsid   *self,
                          SoupServerMessage *message,
                          GHashTable        *form)
{
  const char *verifier = g_hash_table_lookup (form, "code_verifier");
  g_autofree char *challenge = NULL;
  g_autofree char *scope = NULL;
  FakeCode *code;

  if (verifier != NULL && *verifier != '\0' && !g_ptr_array_find_with_equal_func (self->received, verifier,
                                                                                g_str_equal, NULL))
    g_ptr_array_add (self->received, g_strdup (verifier));
  if (!check_code_params (message, form))
    return;

  code = g_hash_table_lookup (self->codes, g_hash_table_lookup (form, "code"));
  if (code == NULL || g_strcmp0 (code->client_id, g_hash_table_lookup (form, "client_id")) != 0)
    {
      calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 70000,
                         "The provided value for the 'code' parameter is not valid.");
      return;
    }
  if (code->used)
    {
      calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 54005,
                         "OAuth2 Authorization code was already redeemed, please retry with a new valid "
                         "code or use an existing refresh token.");
      return;
    }
  if (code->expires_at < g_get_monotonic_time ())
    {
      calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 70008,
                         "The provided authorization code or refresh token has expired due to inactivity.");
      return;
    }

  /* Single use, whatever happens next */
  code->used = TRUE;
  challenge = calsync_fake_msid_is_pkce_string (verifier) ? calsync_fake_msid_s256 (verifier) : NULL;
  if (g_strcmp0 (code->redirect_uri, g_hash_table_lookup (form, "redirect_uri")) != 0)
    calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 50011,
                       "The redirect URI specified in the request does not match the redirect URI "
                       "used to acquire the authorization code.");
  else if (challenge == NULL || !g_str_equal (challenge, code->challenge))
    calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 501481,
                       "The Code_Verifier does not match the code_challenge supplied in the "
                       "authorization request.");
  else if (narrow_scope (message, code->scope, g_hash_table_lookup (form, "scope"), &scope))
    {
      self->n_exchanges++;
      respond_tokens (self, message, code->user, code->client_id, scope);
    }
}

/* Answers why @refresh cannot be used and returns TRUE; FALSE when it can be */
static gboolean
refuse_refresh (CalsyncFakeMsid   *self,
                SoupServerMessage *message,
                FakeRefresh       *refresh,
                const char        *client_id)
{
  if (refresh == NULL || g_strcmp0 (refresh->client_id, client_id) != 0)
    calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 9002313,
                       "Invalid request. Request is malformed or invalid.");
  else if (refresh->state == REFRESH_REVOKED)
    calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 50173,
                       "The provided grant has expired due to it being revoked, a fresh auth token is "
                       "needed. The user might have changed or reset their password.");
  else if (refresh->state == REFRESH_EXPIRED)
    calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 700082,
                       "The refresh token has expired due to inactivity. The token was issued on "
                       "2026-01-01T00:00:00Z and was inactive for 90.00:00:00.");
  else if (refresh->state == REFRESH_ROTATED && self->revoke_rotated)
    calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "invalid_grant", 70000,
                       "Provided grant is invalid or malformed (a refresh token that was already "
                       "used, which this fake revokes).");
  else
    return FALSE;

  return TRUE;
}

void
calsync_fake_msid_grant_refresh (CalsyncFakeMsid   *self,
                     SoupServerMessage *message,
                     GHashTable        *form)
{
  const char *value = g_hash_table_lookup (form, "refresh_token");
  const char *client_id = g_hash_table_lookup (form, "client_id");
  g_autofree char *user = NULL;
  g_autofree char *scope = NULL;
  FakeRefresh *refresh;

  if (value == NULL)
    {
      calsync_fake_msid_respond_missing (message, "refresh_token");
      return;
    }

  self->n_refreshes++;
  refresh = g_hash_table_lookup (self->refresh_tokens, value);
  if (refuse_refresh (self, message, refresh, client_id) ||
      !narrow_scope (message, refresh->scope, g_hash_table_lookup (form, "scope"), &scope))
    return;

  /* Rotation: a new refresh token in every answer; the old one stays usable
   * unless revoke_rotated */
  user = g_strdup (refresh->user);
  refresh->state = REFRESH_ROTATED;
  respond_tokens (self, message, user, client_id, scope);
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
                      CalsyncFakeMsid   *self)
{
  for (guint i = 0; i < self->held->len; i++)
    if (((HeldRefresh *) g_ptr_array_index (self->held, i))->message == message)
      {
        g_ptr_array_remove_index (self->held, i);
        return;
      }
}

static void
hold_refresh (CalsyncFakeMsid   *self,
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

/* Checks method, body and client; answers and returns FALSE when one is wrong.
 * A public client proves nothing but its id: a secret, an assertion or HTTP
 * Basic credentials are refused with AADSTS700025. */
static gboolean
check_token_request (CalsyncFakeMsid   *self,
                     SoupServerMessage *message,
                     GHashTable        *form)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  const char *client_id = g_hash_table_lookup (form, "client_id");

  if (client_id == NULL)
    return calsync_fake_msid_respond_missing (message, "client_id");
  if (!g_str_equal (client_id, self->client_id))
    {
      calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "unauthorized_client", 700016,
                         "Application with identifier was not found in the directory.");
      return FALSE;
    }
  if (g_hash_table_contains (form, "client_secret") || g_hash_table_contains (form, "client_assertion") ||
      soup_message_headers_get_one (headers, "Authorization") != NULL)
    {
      calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_UNAUTHORIZED, "invalid_client", 700025,
                         "Client is public so neither 'client_assertion' nor 'client_secret' should be "
                         "presented.");
      return FALSE;
    }
  return TRUE;
}

void
calsync_fake_msid_token_handler (SoupServer        *server,
          SoupServerMessage *message,
          const char        *path,
          GHashTable        *query,
          gpointer           user_data)
{
  CalsyncFakeMsid *self = user_data;
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (message);
  g_autoptr(GHashTable) form = NULL;
  const char *grant_type;

  if (g_strcmp0 (soup_server_message_get_method (message), "POST") != 0)
    {
      soup_message_headers_replace (soup_server_message_get_response_headers (message), "Allow", "POST");
      calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_METHOD_NOT_ALLOWED, "invalid_request", 900561,
                         "The endpoint only accepts POST requests.");
      return;
    }
  /* A JSON body is not read at all: every parameter is then missing */
  if (g_strcmp0 (soup_message_headers_get_content_type (headers, NULL), "application/x-www-form-urlencoded") != 0)
    {
      calsync_fake_msid_respond_missing (message, "grant_type");
      return;
    }

  form = decode_form (message);
  if (!check_token_request (self, message, form))
    return;

  grant_type = g_hash_table_lookup (form, "grant_type");
  if (grant_type == NULL)
    calsync_fake_msid_respond_missing (message, "grant_type");
  else if (g_str_equal (grant_type, "authorization_code"))
    grant_authorization_code (self, message, form);
  else if (g_str_equal (grant_type, "refresh_token") && self->hold_refreshes)
    hold_refresh (self, message, form);
  else if (g_str_equal (grant_type, "refresh_token"))
    calsync_fake_msid_grant_refresh (self, message, form);
  else
    calsync_fake_msid_respond_aad_error (message, SOUP_STATUS_BAD_REQUEST, "unsupported_grant_type", 70003,
                       "The app requested an unsupported grant type.");
}

