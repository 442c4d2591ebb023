/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-fake-graph.c: the fake Microsoft identity platform and Microsoft Graph,
 * asked by hand with libsoup — that each is as strict as Microsoft documents it:
 * PKCE, no client secret, single-use codes, rotating refresh tokens, the AADSTS
 * error shape; bearer tokens and scopes, /me, paged calendars, calendarView delta
 * rounds (pages, opaque links, changes only, @removed, isCancelled, 410),
 * Prefer: odata.maxpagesize and outlook.timezone, throttling, gzip; and the
 * weight of its generated calendars against the fake Google's. */
#define G_LOG_DOMAIN "test-fake-graph"

#include "config.h"

#include <string.h>

#include "calsync-fake-graph.h"
#include "calsync-oauth.h"
#include "calsync-test-utils.h"

#define UPN "ann@contoso.onmicrosoft.com"
#define DEFAULT_ID "AAMkADdefault-calendar-0000="
#define WORK_ID "AAMkAGwork-calendar+1/2="
#define VERIFIER "verifier-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEF"
#define SCOPE "offline_access User.Read Calendars.ReadWrite"
#define WINDOW "startDateTime=2026-11-01T00:00:00Z&endDateTime=2027-01-01T00:00:00Z"

typedef struct
{
  CalsyncFakeGraph *fake;
  SoupSession *session;
  char *bearer;
} Fixture;

typedef struct
{
  guint status;
  SoupMessageHeaders *headers;
  GBytes *body;
  JsonNode *json;
} Answer;

static void
answer_free (Answer *answer)
{
  g_clear_pointer (&answer->headers, soup_message_headers_unref);
  g_clear_pointer (&answer->body, g_bytes_unref);
  g_clear_pointer (&answer->json, json_node_unref);
  g_free (answer);
}

G_DEFINE_AUTOPTR_CLEANUP_FUNC (Answer, answer_free)

static Answer *
send (Fixture     *fx,
      SoupMessage *msg)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Answer *answer = g_new0 (Answer, 1);

  soup_message_add_flags (msg, SOUP_MESSAGE_NO_REDIRECT);
  soup_session_send_and_read_async (fx->session, msg, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &result);
  answer->body = soup_session_send_and_read_finish (fx->session, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  answer->status = soup_message_get_status (msg);
  answer->headers = soup_message_headers_ref (soup_message_get_response_headers (msg));
  return answer;
}

static JsonObject *
object_of (Answer *answer)
{
  if (answer->json == NULL)
    {
      g_autofree char *text = g_strndup (g_bytes_get_data (answer->body, NULL), g_bytes_get_size (answer->body));

      answer->json = json_from_string (text, NULL);
    }
  g_assert_nonnull (answer->json);
  return json_node_get_object (answer->json);
}

static JsonArray *
value_of (Answer *answer)
{
  return json_object_get_array_member (object_of (answer), "value");
}

static const char *
error_code_of (Answer *answer)
{
  return json_object_get_string_member (json_object_get_object_member (object_of (answer), "error"), "code");
}

/* GET @path (relative to the API, or absolute) with @bearer and the Prefer headers given */
static Answer *
get_as (Fixture    *fx,
        const char *bearer,
        const char *path,
        ...) G_GNUC_NULL_TERMINATED;

static Answer *
get_as (Fixture    *fx,
        const char *bearer,
        const char *path,
        ...)
{
  g_autofree char *uri = g_str_has_prefix (path, "http") ? g_strdup (path)
                         : g_strconcat (calsync_fake_graph_get_api_url (fx->fake), path, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  const char *prefer;
  va_list args;

  g_assert_nonnull (msg);
  if (bearer != NULL)
    {
      g_autofree char *authorization = g_strconcat ("Bearer ", bearer, NULL);

      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
    }
  va_start (args, path);
  while ((prefer = va_arg (args, const char *)) != NULL)
    soup_message_headers_append (soup_message_get_request_headers (msg), "Prefer", prefer);
  va_end (args);
  return send (fx, msg);
}

#define get(fx, ...) get_as ((fx), (fx)->bearer, __VA_ARGS__)

static char *
delta_path (const char *calendar_id,
            const char *query)
{
  g_autofree char *escaped = g_uri_escape_string (calendar_id, NULL, FALSE);

  return g_strdup_printf ("/me/calendars/%s/calendarView/delta%s%s", escaped, query ? "?" : "", query ? query : "");
}

/* Events ----------------------------------------------------------------------- */

static void
put (Fixture    *fx,
     const char *calendar_id,
     const char *id,
     const char *subject,
     const char *start,
     const char *end,
     const char *zone)
{
  g_autofree char *json = g_strdup_printf ("{\"id\":\"%s\",\"subject\":\"%s\",\"body\":{\"contentType\":\"html\","
                                           "\"content\":\"<html><body>%s</body></html>\"},"
                                           "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"%s\"},"
                                           "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"%s\"},"
                                           "\"attendees\":[{\"type\":\"required\",\"status\":{\"response\":"
                                           "\"accepted\",\"time\":\"2026-10-01T10:00:00Z\"},\"emailAddress\":"
                                           "{\"name\":\"Ben\",\"address\":\"ben@contoso.com\"}}],"
                                           "\"organizer\":{\"emailAddress\":{\"name\":\"Ann\",\"address\":\"" UPN
                                           "\"}}}", id, subject, subject, start, zone, end, zone);

  calsync_fake_graph_put_event_json (fx->fake, calendar_id, json);
}

static void
put_december (Fixture    *fx,
              const char *calendar_id,
              const char *id,
              guint       day)
{
  g_autofree char *start = g_strdup_printf ("2026-12-%02uT09:00:00", day);
  g_autofree char *end = g_strdup_printf ("2026-12-%02uT09:30:00", day);

  put (fx, calendar_id, id, id, start, end, "W. Europe Standard Time");
}

/* Every entry of a round that starts with @path, following nextLinks; the
 * deltaLink in @delta_link */
static GPtrArray *
fetch_round (Fixture    *fx,
             const char *path,
             const char *prefer,
             char      **delta_link,
             guint      *n_pages)
{
  GPtrArray *entries = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  g_autofree char *next = g_strdup (path);

  *n_pages = 0;
  while (next != NULL)
    {
      g_autoptr(Answer) page = get (fx, next, prefer, NULL);
      JsonObject *object;
      JsonArray *value;

      g_assert_cmpuint (page->status, ==, 200);
      object = object_of (page);
      value = json_object_get_array_member (object, "value");
      for (guint i = 0; i < json_array_get_length (value); i++)
        g_ptr_array_add (entries, json_object_ref (json_array_get_object_element (value, i)));
      (*n_pages)++;

      g_free (next);
      next = g_strdup (json_object_get_string_member_with_default (object, "@odata.nextLink", NULL));
      g_assert_true (next == NULL || !json_object_has_member (object, "@odata.deltaLink"));
      if (next == NULL)
        *delta_link = g_strdup (json_object_get_string_member (object, "@odata.deltaLink"));
    }
  return entries;
}

static JsonObject *
find_entry (GPtrArray  *entries,
            const char *id)
{
  for (guint i = 0; i < entries->len; i++)
    if (g_strcmp0 (json_object_get_string_member (g_ptr_array_index (entries, i), "id"), id) == 0)
      return g_ptr_array_index (entries, i);
  return NULL;
}

/* Sign-in ------------------------------------------------------------------------ */

static char *
challenge_of (const char *verifier)
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
  *strchr (text, '=') = '\0';
  return text;
}

/* GET the authorize URL with @query; the redirect's parameters (NULL when it did not redirect) */
static GHashTable *
authorize (Fixture    *fx,
           const char *query,
           guint      *status)
{
  g_autofree char *uri = g_strconcat (calsync_fake_graph_get_auth_url (fx->fake), "?", query, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
  g_autoptr(Answer) answer = send (fx, msg);
  const char *location = soup_message_headers_get_one (answer->headers, "Location");
  g_autoptr(GUri) parsed = NULL;

  *status = answer->status;
  if (location == NULL)
    return NULL;
  parsed = g_uri_parse (location, G_URI_FLAGS_NONE, NULL);
  g_assert_nonnull (parsed);
  g_assert_cmpstr (g_uri_get_path (parsed), ==, "/");
  return g_uri_parse_params (g_uri_get_query (parsed), -1, "&", G_URI_PARAMS_WWW_FORM, NULL);
}

static char *
authorize_query (const char *scope,
                 const char *method,
                 const char *redirect_uri)
{
  g_autofree char *challenge = challenge_of (VERIFIER);

  return soup_form_encode ("client_id", "c0ffee00-ca15-4e5c-9a1e-00000000f4ce", "response_type", "code",
                           "redirect_uri", redirect_uri, "scope", scope, "state", "st4te",
                           "prompt", "select_account", "code_challenge", challenge,
                           "code_challenge_method", method, NULL);
}

/* A code for CalSync's scopes, after checking the redirect */
static char *
sign_in_code (Fixture    *fx,
              const char *scope)
{
  g_autofree char *query = authorize_query (scope, "S256", "http://127.0.0.1:4242/");
  g_autoptr(GHashTable) params = NULL;
  guint status;

  params = authorize (fx, query, &status);
  g_assert_cmpuint (status, ==, 302);
  g_assert_nonnull (params);
  g_assert_cmpstr (g_hash_table_lookup (params, "state"), ==, "st4te");
  g_assert_nonnull (g_hash_table_lookup (params, "session_state"));
  g_assert_null (g_hash_table_lookup (params, "error"));
  return g_strdup (g_hash_table_lookup (params, "code"));
}

/* POST @form (application/x-www-form-urlencoded unless @content_type) to the token endpoint */
static Answer *
post_token (Fixture    *fx,
            const char *form,
            const char *content_type,
            const char *authorization)
{
  g_autoptr(SoupMessage) msg = soup_message_new ("POST", calsync_fake_graph_get_token_url (fx->fake));
  g_autoptr(GBytes) body = g_bytes_new (form, strlen (form));

  soup_message_set_request_body_from_bytes (msg, content_type ? content_type : "application/x-www-form-urlencoded",
                                            body);
  if (authorization != NULL)
    soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
  return send (fx, msg);
}

static Answer *
redeem (Fixture    *fx,
        const char *code,
        const char *verifier,
        const char *extra_name,
        const char *extra_value)
{
  g_autofree char *form = soup_form_encode ("client_id", calsync_fake_graph_get_client_id (fx->fake),
                                            "grant_type", "authorization_code", "code", code,
                                            "redirect_uri", "http://127.0.0.1:4242/", "code_verifier", verifier,
                                            extra_name, extra_value, NULL);

  return post_token (fx, form, NULL, NULL);
}

static Answer *
refresh (Fixture    *fx,
         const char *refresh_token)
{
  g_autofree char *form = soup_form_encode ("client_id", calsync_fake_graph_get_client_id (fx->fake),
                                            "grant_type", "refresh_token", "refresh_token", refresh_token,
                                            "scope", SCOPE, NULL);

  return post_token (fx, form, NULL, NULL);
}

/* The documented error shape; returns its first AADSTS number */
static gint64
assert_aad_error (Answer     *answer,
                  guint       status,
                  const char *error)
{
  JsonObject *object = object_of (answer);
  JsonArray *codes = json_object_get_array_member (object, "error_codes");
  g_autofree char *prefix = NULL;

  g_assert_cmpuint (answer->status, ==, status);
  g_assert_cmpstr (json_object_get_string_member (object, "error"), ==, error);
  g_assert_nonnull (codes);
  g_assert_cmpuint (json_array_get_length (codes), ==, 1);
  prefix = g_strdup_printf ("AADSTS%" G_GINT64_FORMAT ": ", json_array_get_int_element (codes, 0));
  g_assert_true (g_str_has_prefix (json_object_get_string_member (object, "error_description"), prefix));
  g_assert_nonnull (strstr (json_object_get_string_member (object, "error_description"), "\r\nTrace ID: "));
  g_assert_nonnull (json_object_get_string_member (object, "timestamp"));
  g_assert_nonnull (json_object_get_string_member (object, "trace_id"));
  g_assert_nonnull (json_object_get_string_member (object, "correlation_id"));
  return json_array_get_int_element (codes, 0);
}

/* Fixture --------------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  fx->fake = calsync_fake_graph_new ();
  fx->session = soup_session_new ();
  calsync_fake_graph_set_user (fx->fake, "ann@contoso.com", UPN);
  calsync_fake_msid_issue_tokens (calsync_fake_graph_get_oauth (fx->fake), UPN, NULL, &fx->bearer, NULL);
  calsync_fake_graph_add_calendar (fx->fake, DEFAULT_ID, "Calendar", NULL, "auto", TRUE, TRUE);
  calsync_fake_graph_add_calendar (fx->fake, WORK_ID, "Work", "#4b7bec", "lightBlue", FALSE, FALSE);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->session);
  g_clear_object (&fx->fake);
  g_free (fx->bearer);
  while (g_main_context_iteration (NULL, FALSE))
    ;
}

/* Identity platform ------------------------------------------------------------- */

static void
test_sign_in (Fixture       *fx,
              gconstpointer  data)
{
  CalsyncFakeMsid *msid = calsync_fake_graph_get_oauth (fx->fake);
  g_autofree char *code = sign_in_code (fx, SCOPE " openid");
  g_autoptr(Answer) tokens = redeem (fx, code, VERIFIER, NULL, NULL);
  JsonObject *object = object_of (tokens);
  g_autoptr(Answer) me = NULL;

  g_assert_cmpstr (calsync_fake_msid_get_last_authorize_param (msid, "prompt"), ==, "select_account");
  g_assert_cmpuint (tokens->status, ==, 200);
  g_assert_cmpstr (soup_message_headers_get_one (tokens->headers, "Cache-Control"), ==, "no-store, no-cache");
  g_assert_cmpstr (json_object_get_string_member (object, "token_type"), ==, "Bearer");
  g_assert_cmpint (json_object_get_int_member (object, "expires_in"), ==, 3600);
  g_assert_cmpint (json_object_get_int_member (object, "ext_expires_in"), >, 3600);
  /* offline_access is what gives a refresh token, not a permission of the access token */
  g_assert_null (strstr (json_object_get_string_member (object, "scope"), "offline_access"));
  g_assert_nonnull (strstr (json_object_get_string_member (object, "scope"), "Calendars.ReadWrite"));
  g_assert_nonnull (json_object_get_string_member (object, "refresh_token"));
  g_assert_cmpuint (calsync_fake_msid_get_n_exchanges (msid), ==, 1);

  me = get_as (fx, json_object_get_string_member (object, "access_token"), "/me", NULL);
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpstr (json_object_get_string_member (object_of (me), "userPrincipalName"), ==, UPN);
}

static void
test_pkce (Fixture       *fx,
           gconstpointer  data)
{
  g_autofree char *code = sign_in_code (fx, SCOPE);
  g_autoptr(Answer) wrong = redeem (fx, code, VERIFIER "x", NULL, NULL);
  g_autofree char *code2 = sign_in_code (fx, SCOPE);
  g_autoptr(Answer) missing = NULL;
  g_autofree char *form = soup_form_encode ("client_id", calsync_fake_graph_get_client_id (fx->fake),
                                            "grant_type", "authorization_code", "code", code2,
                                            "redirect_uri", "http://127.0.0.1:4242/", NULL);
  g_autofree char *plain = authorize_query (SCOPE, "plain", "http://127.0.0.1:4242/");
  g_autoptr(GHashTable) refused = NULL;
  guint status;

  g_assert_cmpint (assert_aad_error (wrong, 400, "invalid_grant"), ==, 501481);
  missing = post_token (fx, form, NULL, NULL);
  g_assert_cmpint (assert_aad_error (missing, 400, "invalid_grant"), ==, 501481);
  g_assert_cmpuint (calsync_fake_msid_get_n_exchanges (calsync_fake_graph_get_oauth (fx->fake)), ==, 0);

  /* The method "plain" is refused: back to the app with an error and the state */
  refused = authorize (fx, plain, &status);
  g_assert_cmpuint (status, ==, 302);
  g_assert_cmpstr (g_hash_table_lookup (refused, "error"), ==, "invalid_request");
  g_assert_cmpstr (g_hash_table_lookup (refused, "state"), ==, "st4te");
  g_assert_null (g_hash_table_lookup (refused, "code"));
}

static void
test_authorize_refusals (Fixture       *fx,
                         gconstpointer  data)
{
  struct { const char *redirect_uri; const char *scope; guint status; const char *error; } cases[] = {
    { "http://localhost/", SCOPE, 302, NULL },                      /* the port is ignored for loopback */
    { "http://127.0.0.1:5000", SCOPE, 302, NULL },                  /* no path: returned with "/" */
    { "http://[::1]:4242/", SCOPE, 400, NULL },                     /* IPv6 loopback not supported */
    { "https://attacker.example/", SCOPE, 400, NULL },
    { "http://127.0.0.1:4242/cb", SCOPE, 400, NULL },               /* not the registered path */
    { "http://127.0.0.1:4242/?x=1", SCOPE, 400, NULL },             /* no query for personal accounts */
    { "http://127.0.0.1:4242/", "Calendars.ReadWrite Mail.Send", 302, "invalid_scope" },
    { "http://127.0.0.1:4242/", "", 302, "invalid_request" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *query = authorize_query (cases[i].scope, "S256", cases[i].redirect_uri);
      g_autoptr(GHashTable) params = NULL;
      guint status;

      calsync_fake_msid_set_deny (calsync_fake_graph_get_oauth (fx->fake), FALSE);
      params = authorize (fx, query, &status);
      g_assert_cmpuint (status, ==, cases[i].status);
      g_assert_true ((params != NULL) == (status == 302));
      if (params != NULL)
        g_assert_cmpstr (g_hash_table_lookup (params, "error"), ==, cases[i].error);
      if (params != NULL && cases[i].error == NULL)
        g_assert_nonnull (g_hash_table_lookup (params, "code"));
    }

  {
    g_autofree char *query = authorize_query (SCOPE, "S256", "http://127.0.0.1:4242/");
    g_autoptr(GHashTable) denied = NULL;
    guint status;

    calsync_fake_msid_set_deny (calsync_fake_graph_get_oauth (fx->fake), TRUE);
    denied = authorize (fx, query, &status);
    g_assert_cmpstr (g_hash_table_lookup (denied, "error"), ==, "access_denied");
    g_assert_true (g_str_has_prefix (g_hash_table_lookup (denied, "error_description"), "AADSTS65004"));
  }
}

static void
test_client_secret (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *code = sign_in_code (fx, SCOPE);
  g_autoptr(Answer) secret = redeem (fx, code, VERIFIER, "client_secret", "s3cret");
  g_autoptr(Answer) assertion = redeem (fx, code, VERIFIER, "client_assertion", "eyJhbGciOi.x.y");
  g_autofree char *form = soup_form_encode ("client_id", calsync_fake_graph_get_client_id (fx->fake),
                                            "grant_type", "authorization_code", "code", code,
                                            "redirect_uri", "http://127.0.0.1:4242/",
                                            "code_verifier", VERIFIER, NULL);
  g_autoptr(Answer) basic = post_token (fx, form, NULL, "Basic YzBmZmVlMDA6czNjcmV0");
  g_autoptr(Answer) json = post_token (fx, "{\"grant_type\":\"authorization_code\"}", "application/json", NULL);
  g_autoptr(Answer) good = NULL;

  g_assert_cmpint (assert_aad_error (secret, 401, "invalid_client"), ==, 700025);
  g_assert_nonnull (strstr (json_object_get_string_member (object_of (secret), "error_description"),
                            "Client is public so neither 'client_assertion' nor 'client_secret' should be "
                            "presented."));
  g_assert_cmpint (assert_aad_error (assertion, 401, "invalid_client"), ==, 700025);
  g_assert_cmpint (assert_aad_error (basic, 401, "invalid_client"), ==, 700025);
  g_assert_cmpint (assert_aad_error (json, 400, "invalid_request"), ==, 900144);

  /* Refusing the client did not spend the code */
  good = redeem (fx, code, VERIFIER, NULL, NULL);
  g_assert_cmpuint (good->status, ==, 200);
}

static void
test_code_reuse (Fixture       *fx,
                 gconstpointer  data)
{
  g_autofree char *code = sign_in_code (fx, SCOPE);
  g_autoptr(Answer) first = redeem (fx, code, VERIFIER, NULL, NULL);
  g_autoptr(Answer) again = redeem (fx, code, VERIFIER, NULL, NULL);
  g_autoptr(Answer) unknown = redeem (fx, "M.C540_BAY.2.U.made-up", VERIFIER, NULL, NULL);

  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpint (assert_aad_error (again, 400, "invalid_grant"), ==, 54005);
  g_assert_cmpint (assert_aad_error (unknown, 400, "invalid_grant"), ==, 70000);
  g_assert_cmpuint (calsync_fake_msid_get_n_exchanges (calsync_fake_graph_get_oauth (fx->fake)), ==, 1);
}

static void
test_rotation (Fixture       *fx,
               gconstpointer  data)
{
  CalsyncFakeMsid *msid = calsync_fake_graph_get_oauth (fx->fake);
  g_autofree char *first = NULL;
  g_autoptr(Answer) one = NULL;
  g_autoptr(Answer) two = NULL;
  g_autoptr(Answer) strict = NULL;
  g_autoptr(Answer) newest = NULL;
  const char *second;
  const char *third;

  calsync_fake_msid_issue_tokens (msid, UPN, NULL, NULL, &first);
  one = refresh (fx, first);
  g_assert_cmpuint (one->status, ==, 200);
  second = json_object_get_string_member (object_of (one), "refresh_token");
  g_assert_nonnull (second);
  g_assert_cmpstr (second, !=, first);

  /* A crash between receiving and storing the new one: the old one still works */
  two = refresh (fx, first);
  g_assert_cmpuint (two->status, ==, 200);
  third = json_object_get_string_member (object_of (two), "refresh_token");
  g_assert_cmpstr (third, !=, second);
  g_assert_cmpuint (calsync_fake_msid_get_n_refreshes (msid), ==, 2);

  /* The strictest server revokes a used one: the unused ones still work */
  calsync_fake_msid_set_revoke_rotated (msid, TRUE);
  strict = refresh (fx, first);
  g_assert_cmpint (assert_aad_error (strict, 400, "invalid_grant"), ==, 70000);
  newest = refresh (fx, third);
  g_assert_cmpuint (newest->status, ==, 200);
}

static void
test_revoked (Fixture       *fx,
              gconstpointer  data)
{
  CalsyncFakeMsid *msid = calsync_fake_graph_get_oauth (fx->fake);
  g_autofree char *token = NULL;
  g_autofree char *other = NULL;
  g_autoptr(Answer) revoked = NULL;
  g_autoptr(Answer) expired = NULL;
  g_autoptr(Answer) me = NULL;

  calsync_fake_msid_issue_tokens (msid, UPN, NULL, NULL, &token);
  calsync_fake_msid_issue_tokens (msid, "bob@contoso.onmicrosoft.com", NULL, NULL, &other);
  calsync_fake_msid_revoke (msid, UPN);
  revoked = refresh (fx, token);
  g_assert_cmpint (assert_aad_error (revoked, 400, "invalid_grant"), ==, 50173);
  me = get (fx, "/me", NULL);
  g_assert_cmpuint (me->status, ==, 401);

  calsync_fake_msid_expire_refresh_tokens (msid);
  expired = refresh (fx, other);
  g_assert_cmpint (assert_aad_error (expired, 400, "invalid_grant"), ==, 700082);
}

static void
test_scopes (Fixture       *fx,
             gconstpointer  data)
{
  g_autofree char *code = sign_in_code (fx, "https://graph.microsoft.com/user.read");
  g_autoptr(Answer) tokens = redeem (fx, code, VERIFIER, NULL, NULL);
  const char *access = json_object_get_string_member (object_of (tokens), "access_token");
  g_autoptr(Answer) me = get_as (fx, access, "/me", NULL);
  g_autoptr(Answer) calendars = get_as (fx, access, "/me/calendars", NULL);
  g_autofree char *read_only = NULL;
  g_autoptr(Answer) listed = NULL;

  /* Granted as asked: no offline_access, no refresh token; no calendar permission, 403 */
  g_assert_false (json_object_has_member (object_of (tokens), "refresh_token"));
  g_assert_cmpuint (me->status, ==, 200);
  g_assert_cmpuint (calendars->status, ==, 403);
  g_assert_cmpstr (error_code_of (calendars), ==, "ErrorAccessDenied");

  calsync_fake_msid_issue_tokens (calsync_fake_graph_get_oauth (fx->fake), UPN, "Calendars.Read", &read_only,
                                  NULL);
  listed = get_as (fx, read_only, "/me/calendars", NULL);
  g_assert_cmpuint (listed->status, ==, 200);
}

/* CalSync's own sign-in (calsync-oauth) through the fake, as `--add-account=outlook` does */
static void
test_calsync_sign_in (Fixture       *fx,
                      gconstpointer  data)
{
  CalsyncFakeMsid *msid = calsync_fake_graph_get_oauth (fx->fake);
  g_autoptr(CalsyncHttp) http = calsync_http_new ();
  g_autoptr(CalsyncOAuthConfig) config = NULL;
  g_autoptr(CalsyncOAuthFlow) flow = NULL;
  g_autoptr(CalsyncTokens) tokens = NULL;
  g_autoptr(CalsyncTokens) refreshed = NULL;
  g_autoptr(GAsyncResult) waited = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  g_autoptr(Answer) me = NULL;

  calsync_fake_graph_export_env (fx->fake);
  config = calsync_oauth_config_new_outlook ();
  flow = calsync_oauth_flow_new (http, config);
  url = calsync_oauth_flow_start (flow, &error);
  g_assert_no_error (error);
  calsync_oauth_flow_wait_async (flow, NULL, calsync_test_result_cb, &waited);
  calsync_test_follow_url (url);
  tokens = calsync_oauth_flow_wait_finish (flow, calsync_test_spin (&waited), &error);
  g_assert_no_error (error);
  g_assert_nonnull (tokens->refresh_token);
  g_assert_cmpuint (calsync_fake_msid_get_n_exchanges (msid), ==, 1);

  calsync_oauth_refresh_async (http, config, tokens, NULL, calsync_test_result_cb, &result);
  refreshed = calsync_oauth_refresh_finish (calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (refreshed->refresh_token, !=, tokens->refresh_token);

  me = get_as (fx, refreshed->access_token, "/me", NULL);
  g_assert_cmpuint (me->status, ==, 200);
}

/* Graph --------------------------------------------------------------------------- */

static void
test_unauthorized (Fixture       *fx,
                   gconstpointer  data)
{
  g_autoptr(Answer) none = get_as (fx, NULL, "/me", NULL);
  g_autoptr(Answer) bogus = get_as (fx, "eyJ0eXAiOiJKV1Qi.made-up", "/me/calendars", NULL);
  g_autoptr(Answer) expired = NULL;
  g_autoptr(Answer) fresh = NULL;
  g_autofree char *access = NULL;

  g_assert_cmpuint (none->status, ==, 401);
  g_assert_cmpstr (error_code_of (none), ==, "InvalidAuthenticationToken");
  g_assert_true (g_str_has_prefix (soup_message_headers_get_one (none->headers, "WWW-Authenticate"), "Bearer "));
  g_assert_nonnull (json_object_get_object_member (json_object_get_object_member (object_of (none), "error"),
                                                   "innerError"));
  g_assert_cmpuint (bogus->status, ==, 401);

  calsync_fake_msid_expire_access_tokens (calsync_fake_graph_get_oauth (fx->fake));
  expired = get (fx, "/me", NULL);
  g_assert_cmpuint (expired->status, ==, 401);
  g_assert_cmpstr (error_code_of (expired), ==, "InvalidAuthenticationToken");

  calsync_fake_msid_issue_tokens (calsync_fake_graph_get_oauth (fx->fake), UPN, NULL, &access, NULL);
  fresh = get_as (fx, access, "/me", NULL);
  g_assert_cmpuint (fresh->status, ==, 200);
  g_assert_cmpuint (calsync_fake_graph_get_n_requests (fx->fake), ==, 4);
}

static void
test_me (Fixture       *fx,
         gconstpointer  data)
{
  g_autoptr(Answer) me = get (fx, "/me", NULL);
  g_autoptr(Answer) without_mail = NULL;
  g_autoptr(Answer) unknown = get (fx, "/me/mailFolders", NULL);
  JsonNode *mail;

  g_assert_cmpuint (me->status, ==, 200);
  g_assert_true (g_str_has_prefix (soup_message_headers_get_content_type (me->headers, NULL), "application/json"));
  g_assert_cmpstr (json_object_get_string_member (object_of (me), "mail"), ==, "ann@contoso.com");
  g_assert_cmpstr (json_object_get_string_member (object_of (me), "userPrincipalName"), ==, UPN);
  g_assert_nonnull (json_object_get_string_member (object_of (me), "id"));

  calsync_fake_graph_set_user (fx->fake, NULL, UPN);
  without_mail = get (fx, "/me", NULL);
  mail = json_object_get_member (object_of (without_mail), "mail");
  g_assert_nonnull (mail);
  g_assert_true (JSON_NODE_HOLDS_NULL (mail));

  g_assert_cmpuint (unknown->status, ==, 400);
  g_assert_cmpstr (error_code_of (unknown), ==, "BadRequest");
  g_assert_cmpuint (calsync_fake_graph_get_n_requests_of (fx->fake, "me"), ==, 2);
}

static void
test_calendars (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *next = g_strdup ("/me/calendars");
  g_autoptr(GPtrArray) names = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *removed_delta = delta_path ("AAMkAGthree=", WINDOW);
  g_autoptr(Answer) gone = NULL;
  g_autoptr(Answer) one = NULL;
  guint pages = 0;

  calsync_fake_graph_add_calendar (fx->fake, "AAMkAGthree=", "Three", NULL, "auto", TRUE, FALSE);
  calsync_fake_graph_add_calendar (fx->fake, "AAMkAGfour=", "Four", "#e8384f", "lightRed", TRUE, FALSE);
  calsync_fake_graph_add_calendar (fx->fake, "AAMkAGfive=", "Five", NULL, "auto", TRUE, FALSE);
  calsync_fake_graph_remove_calendar (fx->fake, "AAMkAGthree=");
  calsync_fake_graph_rename_calendar (fx->fake, "AAMkAGfive=", "Fünf");
  calsync_fake_graph_set_page_size (fx->fake, 2);

  while (next != NULL)
    {
      g_autoptr(Answer) page = get (fx, next, NULL);
      JsonArray *value = value_of (page);

      g_assert_cmpuint (page->status, ==, 200);
      g_assert_cmpuint (json_array_get_length (value), <=, 2);
      for (guint i = 0; i < json_array_get_length (value); i++)
        g_ptr_array_add (names, g_strdup (json_object_get_string_member (json_array_get_object_element (value, i),
                                                                         "name")));
      g_free (next);
      next = g_strdup (json_object_get_string_member_with_default (object_of (page), "@odata.nextLink", NULL));
      g_assert_true (next == NULL || g_str_has_prefix (next, calsync_fake_graph_get_api_url (fx->fake)));
      pages++;
    }
  g_assert_cmpuint (pages, ==, 2);
  g_assert_cmpuint (names->len, ==, 4);
  g_assert_cmpstr (g_ptr_array_index (names, 0), ==, "Calendar");
  g_assert_cmpstr (g_ptr_array_index (names, 3), ==, "Fünf");

  one = get (fx, "/me/calendars?$top=1", NULL);
  {
    JsonObject *work = NULL;
    g_autoptr(Answer) second = get (fx, json_object_get_string_member (object_of (one), "@odata.nextLink"), NULL);

    g_assert_cmpuint (json_array_get_length (value_of (one)), ==, 1);
    work = json_array_get_object_element (value_of (second), 0);
    g_assert_cmpstr (json_object_get_string_member (work, "id"), ==, WORK_ID);
    g_assert_cmpstr (json_object_get_string_member (work, "hexColor"), ==, "#4b7bec");
    g_assert_cmpstr (json_object_get_string_member (work, "color"), ==, "lightBlue");
    g_assert_false (json_object_get_boolean_member (work, "canEdit"));
    g_assert_false (json_object_get_boolean_member (work, "isDefaultCalendar"));
    g_assert_nonnull (json_object_get_string_member (work, "changeKey"));
    g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (work, "owner"), "address"), ==,
                     "ann@contoso.com");
  }

  gone = get (fx, removed_delta, NULL);
  g_assert_cmpuint (gone->status, ==, 404);
  g_assert_cmpstr (error_code_of (gone), ==, "ErrorItemNotFound");

  {
    g_autofree char *escaped = g_uri_escape_string (WORK_ID, NULL, FALSE);
    g_autofree char *path = g_strconcat ("/me/calendars/", escaped, NULL);
    g_autoptr(Answer) single = get (fx, path, NULL);

    g_assert_cmpuint (single->status, ==, 200);
    g_assert_cmpstr (json_object_get_string_member (object_of (single), "name"), ==, "Work");
  }
}

/* 25 events in December (listed), one in 2027, a series master (never listed) */
static void
put_round (Fixture *fx)
{
  for (guint day = 1; day <= 25; day++)
    {
      g_autofree char *id = g_strdup_printf ("AAMkAGevent-%02u=", day);

      put_december (fx, WORK_ID, id, day);
    }
  put (fx, WORK_ID, "AAMkAGlater=", "Later", "2027-02-01T09:00:00", "2027-02-01T10:00:00", "UTC");
  calsync_fake_graph_put_event_json (fx->fake, WORK_ID,
                                     "{\"id\":\"AAMkAGmaster=\",\"type\":\"seriesMaster\",\"subject\":\"Weekly\","
                                     "\"start\":{\"dateTime\":\"2026-12-02T10:00:00\",\"timeZone\":\"UTC\"},"
                                     "\"end\":{\"dateTime\":\"2026-12-02T11:00:00\",\"timeZone\":\"UTC\"}}");
}

static void
test_delta_initial (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *path = delta_path (WORK_ID, WINDOW);
  g_autoptr(Answer) first = NULL;
  g_autoptr(Answer) again = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  g_autofree char *delta_link = NULL;
  const char *next;
  JsonObject *event;
  guint pages;

  put_round (fx);
  first = get (fx, path, "odata.maxpagesize=10", NULL);
  g_assert_cmpuint (first->status, ==, 200);
  g_assert_cmpuint (json_array_get_length (value_of (first)), ==, 10);
  next = json_object_get_string_member (object_of (first), "@odata.nextLink");
  g_assert_true (g_str_has_prefix (next, calsync_fake_graph_get_api_url (fx->fake)));
  g_assert_nonnull (strstr (next, "/calendarView/delta?$skiptoken="));
  g_assert_null (strstr (next, "startDateTime"));
  g_assert_false (json_object_has_member (object_of (first), "@odata.deltaLink"));

  /* A page may be asked again (a retry): same entries */
  again = get (fx, path, "odata.maxpagesize=10", NULL);
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (value_of (again), 0), "id"), ==,
                   json_object_get_string_member (json_array_get_object_element (value_of (first), 0), "id"));

  entries = fetch_round (fx, path, "odata.maxpagesize=10", &delta_link, &pages);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpuint (entries->len, ==, 25);
  g_assert_nonnull (strstr (delta_link, "/calendarView/delta?$deltatoken="));
  g_assert_null (find_entry (entries, "AAMkAGlater="));
  g_assert_null (find_entry (entries, "AAMkAGmaster="));

  event = find_entry (entries, "AAMkAGevent-01=");
  g_assert_cmpstr (json_object_get_string_member (event, "@odata.type"), ==, "#microsoft.graph.event");
  g_assert_true (g_str_has_prefix (json_object_get_string_member (event, "@odata.etag"), "W/\""));
  g_assert_nonnull (json_object_get_string_member (event, "changeKey"));
  g_assert_cmpstr (json_object_get_string_member (event, "type"), ==, "singleInstance");
  g_assert_cmpstr (json_object_get_string_member (event, "originalStartTimeZone"), ==, "W. Europe Standard Time");
  g_assert_cmpuint (strlen (json_object_get_string_member (event, "lastModifiedDateTime")), ==,
                    strlen ("2026-01-01T00:00:00.0000000Z"));
  g_assert_cmpuint (calsync_fake_graph_get_n_requests_of (fx->fake, "delta"), ==, 5);

  /* The documented form for the primary calendar, and its links */
  {
    g_autoptr(Answer) primary = NULL;

    put_december (fx, DEFAULT_ID, "AAMkAGprimary=", 3);
    primary = get (fx, "/me/calendarView/delta?" WINDOW, NULL);
    g_assert_cmpuint (primary->status, ==, 200);
    g_assert_cmpuint (json_array_get_length (value_of (primary)), ==, 1);
    g_assert_nonnull (strstr (json_object_get_string_member (object_of (primary), "@odata.deltaLink"),
                              "/v1.0/me/calendarView/delta?$deltatoken="));
  }
}

static void
test_delta_refusals (Fixture       *fx,
                     gconstpointer  data)
{
  struct { const char *query; const char *code; } cases[] = {
    { "endDateTime=2027-01-01T00:00:00Z", "ErrorInvalidParameter" },
    { "startDateTime=2026-11-01T00:00:00Z", "ErrorInvalidParameter" },
    { "startDateTime=2026-11-01&endDateTime=2027-01-01", "ErrorInvalidParameter" },
    { "startDateTime=2027-01-01T00:00:00Z&endDateTime=2026-11-01T00:00:00Z", "ErrorInvalidParameter" },
    /* "+" is a space in a query: an offset must be written %2B */
    { "startDateTime=2026-11-01T00:00:00+01:00&endDateTime=2027-01-01T00:00:00Z", "ErrorInvalidParameter" },
    { WINDOW "&$select=subject", "ErrorInvalidUrlQuery" },
    { WINDOW "&$filter=isCancelled%20eq%20false", "ErrorInvalidUrlQuery" },
    { WINDOW "&$orderby=start/dateTime", "ErrorInvalidUrlQuery" },
    { WINDOW "&$top=5", "ErrorInvalidUrlQuery" },
    { "$skiptoken=made-up", "ErrorInvalidUrlQuery" },
  };
  g_autofree char *path = delta_path (WORK_ID, WINDOW);
  g_autofree char *offset_path = delta_path (WORK_ID, "startDateTime=2026-11-01T00:00:00%2B01:00&"
                                                      "endDateTime=2027-01-01T00:00:00.0000000");
  g_autoptr(Answer) first = NULL;
  g_autoptr(Answer) offset = NULL;
  g_autoptr(Answer) zone = NULL;
  g_autoptr(Answer) added = NULL;
  g_autofree char *with_window = NULL;

  put_round (fx);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *bad = delta_path (WORK_ID, cases[i].query);
      g_autoptr(Answer) answer = get (fx, bad, NULL);

      g_assert_cmpuint (answer->status, ==, 400);
      g_assert_cmpstr (error_code_of (answer), ==, cases[i].code);
    }

  offset = get (fx, offset_path, NULL);
  g_assert_cmpuint (offset->status, ==, 200);
  zone = get (fx, path, "outlook.timezone=\"Mars Standard Time\"", NULL);
  g_assert_cmpuint (zone->status, ==, 400);
  g_assert_cmpstr (error_code_of (zone), ==, "TimeZoneNotSupportedException");

  /* The link is called as given: a skiptoken with the window added is refused */
  first = get (fx, path, "odata.maxpagesize=5", NULL);
  with_window = g_strconcat (json_object_get_string_member (object_of (first), "@odata.nextLink"), "&" WINDOW, NULL);
  added = get (fx, with_window, NULL);
  g_assert_cmpuint (added->status, ==, 400);
}

static void
test_delta_changes (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *path = delta_path (WORK_ID, WINDOW);
  g_autoptr(GPtrArray) initial = NULL;
  g_autoptr(GPtrArray) changes = NULL;
  g_autoptr(GPtrArray) none = NULL;
  g_autofree char *delta_link = NULL;
  g_autofree char *second_link = NULL;
  g_autofree char *third_link = NULL;
  g_autofree char *old_etag = NULL;
  JsonObject *entry;
  guint pages;

  put_round (fx);
  initial = fetch_round (fx, path, "odata.maxpagesize=10", &delta_link, &pages);
  old_etag = g_strdup (json_object_get_string_member (find_entry (initial, "AAMkAGevent-02="), "@odata.etag"));

  put (fx, WORK_ID, "AAMkAGevent-02=", "Moved", "2026-12-02T15:00:00", "2026-12-02T16:00:00", "UTC");
  calsync_fake_graph_delete_event (fx->fake, WORK_ID, "AAMkAGevent-03=");
  calsync_fake_graph_cancel_event (fx->fake, WORK_ID, "AAMkAGevent-04=");
  put (fx, WORK_ID, "AAMkAGevent-05=", "Out", "2027-03-01T09:00:00", "2027-03-01T10:00:00", "UTC");
  put_december (fx, WORK_ID, "AAMkAGnew=", 28);
  put_december (fx, DEFAULT_ID, "AAMkAGother-calendar=", 6);

  changes = fetch_round (fx, delta_link, "odata.maxpagesize=2", &second_link, &pages);
  g_assert_cmpuint (changes->len, ==, 5);
  g_assert_cmpuint (pages, ==, 3);
  g_assert_cmpstr (second_link, !=, delta_link);

  entry = find_entry (changes, "AAMkAGevent-02=");
  g_assert_cmpstr (json_object_get_string_member (entry, "subject"), ==, "Moved");
  g_assert_cmpstr (json_object_get_string_member (entry, "@odata.etag"), !=, old_etag);
  entry = find_entry (changes, "AAMkAGevent-03=");
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (entry, "@removed"), "reason"), ==,
                   "deleted");
  g_assert_cmpstr (json_object_get_string_member (entry, "@odata.type"), ==, "#microsoft.graph.event");
  g_assert_false (json_object_has_member (entry, "subject"));
  entry = find_entry (changes, "AAMkAGevent-04=");
  g_assert_true (json_object_get_boolean_member (entry, "isCancelled"));
  g_assert_cmpstr (json_object_get_string_member (entry, "subject"), ==, "Canceled: AAMkAGevent-04=");
  /* Changed to outside the window: reported as removed */
  entry = find_entry (changes, "AAMkAGevent-05=");
  g_assert_true (json_object_has_member (entry, "@removed"));
  g_assert_nonnull (find_entry (changes, "AAMkAGnew="));

  /* Nothing since: an empty page with a deltaLink; the first deltaLink still works */
  none = fetch_round (fx, second_link, NULL, &third_link, &pages);
  g_assert_cmpuint (none->len, ==, 0);
  g_assert_cmpuint (pages, ==, 1);
  g_clear_pointer (&third_link, g_free);
  g_ptr_array_unref (fetch_round (fx, delta_link, NULL, &third_link, &pages));
}

static void
test_delta_expired (Fixture       *fx,
                    gconstpointer  data)
{
  g_autofree char *path = delta_path (WORK_ID, WINDOW);
  g_autoptr(GPtrArray) initial = NULL;
  g_autofree char *delta_link = NULL;
  g_autofree char *unknown_path = delta_path (WORK_ID, "$deltatoken=made-up");
  g_autofree char *unknown = NULL;
  g_autoptr(Answer) gone = NULL;
  g_autoptr(Answer) never = NULL;
  g_autoptr(Answer) restart = NULL;
  const char *location;
  guint pages;

  put_round (fx);
  initial = fetch_round (fx, path, "odata.maxpagesize=50", &delta_link, &pages);
  calsync_fake_graph_expire_delta_links (fx->fake);

  gone = get (fx, delta_link, NULL);
  g_assert_cmpuint (gone->status, ==, 410);
  g_assert_cmpstr (error_code_of (gone), ==, "syncStateNotFound");
  location = soup_message_headers_get_one (gone->headers, "Location");
  g_assert_nonnull (location);
  g_assert_nonnull (strstr (location, "startDateTime=2026-11-01T00%3A00%3A00Z"));
  restart = get (fx, location, NULL);
  g_assert_cmpuint (restart->status, ==, 200);

  unknown = g_strconcat (calsync_fake_graph_get_api_url (fx->fake), unknown_path, NULL);
  never = get (fx, unknown, NULL);
  g_assert_cmpuint (never->status, ==, 410);
  g_assert_cmpstr (error_code_of (never), ==, "syncStateNotFound");
}

static void
test_maxpagesize (Fixture       *fx,
                  gconstpointer  data)
{
  g_autofree char *path = delta_path (WORK_ID, "startdatetime=2026-11-01T00:00:00Z&enddatetime=2027-01-01T00:00:00Z");
  g_autoptr(Answer) plain = NULL;
  g_autoptr(Answer) three = NULL;
  g_autoptr(Answer) combined = NULL;
  g_autoptr(Answer) capped = NULL;
  g_autoptr(Answer) malformed = NULL;

  put_round (fx);
  plain = get (fx, path, NULL);
  g_assert_cmpuint (json_array_get_length (value_of (plain)), ==, 10);
  g_assert_null (soup_message_headers_get_one (plain->headers, "Preference-Applied"));

  three = get (fx, path, "odata.maxpagesize=3", NULL);
  g_assert_cmpuint (json_array_get_length (value_of (three)), ==, 3);
  g_assert_cmpstr (soup_message_headers_get_one (three->headers, "Preference-Applied"), ==, "odata.maxpagesize=3");

  /* Two preferences in one header, and in two headers */
  combined = get (fx, path, "odata.maxpagesize=4, outlook.timezone=\"Pacific Standard Time\"", NULL);
  g_assert_cmpuint (json_array_get_length (value_of (combined)), ==, 4);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (
                     json_array_get_object_element (value_of (combined), 0), "start"), "timeZone"), ==,
                   "Pacific Standard Time");
  g_assert_cmpstr (calsync_fake_graph_get_last_request_header (fx->fake, "Prefer"), ==,
                   "odata.maxpagesize=4, outlook.timezone=\"Pacific Standard Time\"");

  calsync_fake_graph_set_page_size (fx->fake, 6);
  capped = get (fx, path, "odata.maxpagesize=100", "outlook.timezone=\"UTC\"", NULL);
  g_assert_cmpuint (json_array_get_length (value_of (capped)), ==, 6);
  g_assert_cmpstr (soup_message_headers_get_one (capped->headers, "Preference-Applied"), ==,
                   "odata.maxpagesize=6, outlook.timezone=\"UTC\"");
  malformed = get (fx, path, "odata.maxpagesize=lots", NULL);
  g_assert_cmpuint (json_array_get_length (value_of (malformed)), ==, 6);
}

static JsonObject *
when_of (GPtrArray  *entries,
         const char *id,
         const char *member)
{
  return json_object_get_object_member (find_entry (entries, id), member);
}

static void
test_timezone (Fixture       *fx,
               gconstpointer  data)
{
  g_autofree char *path = delta_path (WORK_ID, WINDOW);
  g_autoptr(GPtrArray) utc = NULL;
  g_autoptr(GPtrArray) pacific = NULL;
  g_autoptr(GPtrArray) iana = NULL;
  g_autofree char *link = NULL;
  guint pages;

  put (fx, WORK_ID, "AAMkAGtimed=", "Timed", "2026-12-01T09:00:00.0000000", "2026-12-01T10:00:00", "W. Europe Standard Time");
  calsync_fake_graph_put_event_json (fx->fake, WORK_ID,
                                     "{\"id\":\"AAMkAGallday=\",\"subject\":\"Holiday\",\"isAllDay\":true,"
                                     "\"start\":{\"dateTime\":\"2026-12-24T00:00:00\",\"timeZone\":\"W. Europe "
                                     "Standard Time\"},\"end\":{\"dateTime\":\"2026-12-26T00:00:00\","
                                     "\"timeZone\":\"W. Europe Standard Time\"}}");

  utc = fetch_round (fx, path, NULL, &link, &pages);
  g_assert_cmpstr (json_object_get_string_member (when_of (utc, "AAMkAGtimed=", "start"), "dateTime"), ==,
                   "2026-12-01T08:00:00.0000000");
  g_assert_cmpstr (json_object_get_string_member (when_of (utc, "AAMkAGtimed=", "start"), "timeZone"), ==, "UTC");
  g_assert_cmpstr (json_object_get_string_member (when_of (utc, "AAMkAGallday=", "end"), "dateTime"), ==,
                   "2026-12-26T00:00:00.0000000");
  g_assert_true (json_object_get_boolean_member (find_entry (utc, "AAMkAGallday="), "isAllDay"));

  g_free (link);
  pacific = fetch_round (fx, path, "outlook.timezone=\"Pacific Standard Time\"", &link, &pages);
  g_assert_cmpstr (json_object_get_string_member (when_of (pacific, "AAMkAGtimed=", "start"), "dateTime"), ==,
                   "2026-12-01T00:00:00.0000000");
  g_assert_cmpstr (json_object_get_string_member (when_of (pacific, "AAMkAGtimed=", "end"), "timeZone"), ==,
                   "Pacific Standard Time");
  /* All-day: the same dates, at midnight, whatever the zone */
  g_assert_cmpstr (json_object_get_string_member (when_of (pacific, "AAMkAGallday=", "start"), "dateTime"), ==,
                   "2026-12-24T00:00:00.0000000");
  g_assert_cmpstr (json_object_get_string_member (when_of (pacific, "AAMkAGallday=", "start"), "timeZone"), ==,
                   "Pacific Standard Time");

  g_free (link);
  iana = fetch_round (fx, path, "outlook.timezone=\"Asia/Tokyo\"", &link, &pages);
  g_assert_cmpstr (json_object_get_string_member (when_of (iana, "AAMkAGtimed=", "start"), "dateTime"), ==,
                   "2026-12-01T17:00:00.0000000");
}

static void
test_throttle (Fixture       *fx,
               gconstpointer  data)
{
  guint statuses[] = { 429, 503, 504 };

  for (guint i = 0; i < G_N_ELEMENTS (statuses); i++)
    {
      g_autoptr(Answer) first = NULL;
      g_autoptr(Answer) second = NULL;
      g_autoptr(Answer) after = NULL;

      calsync_fake_graph_set_throttle (fx->fake, statuses[i], 2, 7);
      first = get (fx, "/me/calendars", NULL);
      second = get (fx, "/me", NULL);
      after = get (fx, "/me/calendars", NULL);
      g_assert_cmpuint (first->status, ==, statuses[i]);
      g_assert_cmpuint (second->status, ==, statuses[i]);
      g_assert_cmpstr (soup_message_headers_get_one (first->headers, "Retry-After"), ==, "7");
      g_assert_nonnull (error_code_of (first));
      g_assert_cmpuint (after->status, ==, 200);
    }
  g_assert_cmpuint (calsync_fake_graph_get_n_requests (fx->fake), ==, 9);
}

static void
test_gzip (Fixture       *fx,
           gconstpointer  data)
{
  struct { gboolean fake_gzip; const char *accept; gboolean gzipped; } cases[] = {
    { TRUE, "gzip, deflate", TRUE },
    { TRUE, NULL, FALSE },
    { TRUE, "gzip;q=0, deflate", FALSE },
    { FALSE, "gzip", FALSE },
  };
  g_autofree char *path = delta_path (WORK_ID, WINDOW);

  put_round (fx);
  /* Raw bodies: no content decoder, no Accept-Encoding but ours */
  soup_session_remove_feature_by_type (fx->session, SOUP_TYPE_CONTENT_DECODER);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *uri = g_strconcat (calsync_fake_graph_get_api_url (fx->fake), path, NULL);
      g_autofree char *authorization = g_strconcat ("Bearer ", fx->bearer, NULL);
      g_autoptr(SoupMessage) msg = soup_message_new ("GET", uri);
      g_autoptr(Answer) answer = NULL;
      const guchar *bytes;

      calsync_fake_graph_set_gzip (fx->fake, cases[i].fake_gzip);
      soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
      if (cases[i].accept != NULL)
        soup_message_headers_replace (soup_message_get_request_headers (msg), "Accept-Encoding", cases[i].accept);
      answer = send (fx, msg);
      bytes = g_bytes_get_data (answer->body, NULL);
      g_assert_cmpuint (answer->status, ==, 200);
      g_assert_cmpint (g_strcmp0 (soup_message_headers_get_one (answer->headers, "Content-Encoding"), "gzip") == 0,
                       ==, cases[i].gzipped);
      g_assert_cmpint (bytes[0] == 0x1f && bytes[1] == 0x8b, ==, cases[i].gzipped);
    }
  g_assert_cmpuint (calsync_fake_graph_get_n_gzipped (fx->fake), ==, 1);
}

/* Bytes of the fake Google's singleEvents listing of @calendar in its window */
static gsize
google_bytes (Fixture           *fx,
              CalsyncFakeGoogle *google,
              const char        *calendar,
              gint64             now,
              guint             *n_items)
{
  g_autofree char *bearer = NULL;
  g_autoptr(GDateTime) min = g_date_time_new_from_unix_utc (now - 90 * 86400);
  g_autoptr(GDateTime) max = g_date_time_new_from_unix_utc (now + 365 * 86400);
  g_autofree char *min_text = g_date_time_format (min, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *max_text = g_date_time_format (max, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *base = g_strdup_printf ("%s/calendars/%s/events?singleEvents=true&maxResults=2500&timeMin=%s"
                                           "&timeMax=%s", calsync_fake_google_get_api_url (google), calendar,
                                           min_text, max_text);
  g_autofree char *next = g_strdup (base);
  gsize bytes = 0;

  calsync_fake_oauth_issue_tokens (calsync_fake_google_get_oauth (google), calendar, &bearer, NULL);
  *n_items = 0;
  while (next != NULL)
    {
      g_autoptr(Answer) page = get_as (fx, bearer, next, NULL);
      const char *token;

      g_assert_cmpuint (page->status, ==, 200);
      bytes += g_bytes_get_size (page->body);
      *n_items += json_array_get_length (json_object_get_array_member (object_of (page), "items"));
      token = json_object_get_string_member_with_default (object_of (page), "nextPageToken", NULL);
      g_free (next);
      next = token ? g_strdup_printf ("%s&pageToken=%s", base, token) : NULL;
    }
  return bytes;
}

/* The generated calendar: as many instances as it says, in pages of realistic
 * weight — about 2.3 times the fake Google's JSON for the same events (set
 * CALSYNC_TEST_GENERATE_N to measure another size) */
static void
test_generate (Fixture       *fx,
               gconstpointer  data)
{
  const char *n_text = g_getenv ("CALSYNC_TEST_GENERATE_N");
  guint n = n_text ? (guint) g_ascii_strtoull (n_text, NULL, 10) : 600;
  gint64 now = 1781604000;   /* 2026-06-16 */
  g_autoptr(CalsyncFakeGoogle) google = calsync_fake_google_new ();
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (now - 90 * 86400);
  g_autoptr(GDateTime) end = g_date_time_new_from_unix_utc (now + 365 * 86400);
  g_autofree char *start_text = g_date_time_format (start, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *end_text = g_date_time_format (end, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *query = g_strdup_printf ("startDateTime=%s&endDateTime=%s", start_text, end_text);
  g_autofree char *next = delta_path (WORK_ID, query);
  guint n_listed = 0, n_google = 0, n_instances;
  gsize graph = 0, google_size;

  n_instances = calsync_fake_graph_generate_series (fx->fake, WORK_ID, n, now);
  calsync_fake_google_add_calendar (google, "gen@example.com", "gen@example.com", "gen@example.com", TRUE);
  calsync_fake_google_generate_series (google, "gen@example.com", n, now);
  google_size = google_bytes (fx, google, "gen@example.com", now, &n_google);

  while (next != NULL)
    {
      g_autoptr(Answer) page = get (fx, next, "odata.maxpagesize=1000", NULL);

      g_assert_cmpuint (page->status, ==, 200);
      graph += g_bytes_get_size (page->body);
      n_listed += json_array_get_length (value_of (page));
      g_free (next);
      next = g_strdup (json_object_get_string_member_with_default (object_of (page), "@odata.nextLink", NULL));
    }

  g_test_message ("%u events: Graph %u instances, %" G_GSIZE_FORMAT " bytes (%.0f per instance); "
                  "Google %u instances, %" G_GSIZE_FORMAT " bytes; ratio %.2f", n, n_listed, graph,
                  (double) graph / n_listed, n_google, google_size, (double) graph / google_size);
  g_assert_cmpuint (n_listed, ==, n_instances);
  g_assert_cmpuint (n_instances, >, n);
  g_assert_cmpfloat ((double) graph / google_size, >, 2.0);
  g_assert_cmpfloat ((double) graph / google_size, <, 2.7);
}

/* Recurring events ----------------------------------------------------------------- */

/* @method @path (relative to the API) with a JSON @body */
static Answer *
send_json (Fixture    *fx,
           const char *method,
           const char *path,
           const char *body)
{
  g_autofree char *uri = g_strconcat (calsync_fake_graph_get_api_url (fx->fake), path, NULL);
  g_autofree char *authorization = g_strconcat ("Bearer ", fx->bearer, NULL);
  g_autoptr(SoupMessage) msg = soup_message_new (method, uri);
  g_autoptr(GBytes) bytes = g_bytes_new (body, strlen (body));

  soup_message_headers_replace (soup_message_get_request_headers (msg), "Authorization", authorization);
  soup_message_set_request_body_from_bytes (msg, "application/json", bytes);
  return send (fx, msg);
}

#define SERIES_EVENT(recurrence) \
  "{\"subject\":\"Standup\",\"start\":{\"dateTime\":\"2026-12-01T09:30:00\",\"timeZone\":\"W. Europe Standard Time\"}," \
  "\"end\":{\"dateTime\":\"2026-12-01T09:45:00\",\"timeZone\":\"W. Europe Standard Time\"},\"recurrence\":" \
  recurrence "}"
#define RANGE_FROM_DEC_1 "\"startDate\":\"2026-12-01\",\"recurrenceTimeZone\":\"W. Europe Standard Time\""

static int
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* The occurrences of @master_id a delta round over WINDOW lists, by start */
static GPtrArray *
occurrences_of (Fixture    *fx,
                const char *master_id)
{
  g_autofree char *path = delta_path (WORK_ID, WINDOW);
  g_autofree char *delta_link = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  GPtrArray *found = g_ptr_array_new_with_free_func (g_free);
  guint pages;

  entries = fetch_round (fx, path, NULL, &delta_link, &pages);
  for (guint i = 0; i < entries->len; i++)
    {
      JsonObject *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (entry, "seriesMasterId", NULL), master_id) == 0)
        {
          g_assert_cmpstr (json_object_get_string_member (entry, "type"), ==, "occurrence");
          g_ptr_array_add (found, g_strdup (json_object_get_string_member (json_object_get_object_member (entry,
                                                                                                          "start"),
                                                                           "dateTime")));
        }
    }
  g_ptr_array_sort (found, compare_strings);
  return found;
}

static void
test_series (Fixture       *fx,
             gconstpointer  data)
{
  static const struct
  {
    const char *recurrence;
    guint n_in_window;          /* WINDOW: Nov 2026 and Dec 2026 */
    const char *first;          /* UTC */
    const char *last;
  } cases[] = {
    { "{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"tuesday\"]},"
      "\"range\":{\"type\":\"numbered\",\"numberOfOccurrences\":3," RANGE_FROM_DEC_1 "}}",
      3, "2026-12-01T08:30:00.0000000", "2026-12-15T08:30:00.0000000" },
    { "{\"pattern\":{\"type\":\"daily\",\"interval\":2},"
      "\"range\":{\"type\":\"endDate\",\"endDate\":\"2026-12-07\"," RANGE_FROM_DEC_1 "}}",
      4, "2026-12-01T08:30:00.0000000", "2026-12-07T08:30:00.0000000" },
    { "{\"pattern\":{\"type\":\"absoluteMonthly\",\"interval\":1,\"dayOfMonth\":1},"
      "\"range\":{\"type\":\"noEnd\"," RANGE_FROM_DEC_1 "}}",
      1, "2026-12-01T08:30:00.0000000", "2026-12-01T08:30:00.0000000" },
    { "{\"pattern\":{\"type\":\"relativeMonthly\",\"interval\":1,\"index\":\"last\",\"daysOfWeek\":[\"thursday\"]},"
      "\"range\":{\"type\":\"noEnd\"," RANGE_FROM_DEC_1 "}}",
      1, "2026-12-31T08:30:00.0000000", "2026-12-31T08:30:00.0000000" },
  };

  calsync_fake_graph_add_calendar (fx->fake, WORK_ID, "Work", NULL, "auto", TRUE, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autofree char *body = g_strdup_printf (SERIES_EVENT ("%s"), cases[i].recurrence);
      g_autofree char *path = g_strdup_printf ("/me/calendars/%s/events", WORK_ID);
      g_autofree char *escaped = NULL;
      g_autoptr(Answer) made = NULL;
      g_autoptr(Answer) deleted = NULL;
      g_autoptr(GPtrArray) starts = NULL;
      JsonObject *pattern;
      const char *master_id;

      g_test_message ("%s", cases[i].recurrence);
      made = send_json (fx, "POST", path, body);
      g_assert_cmpuint (made->status, ==, 201);
      g_assert_cmpstr (json_object_get_string_member (object_of (made), "type"), ==, "seriesMaster");
      /* Graph's defaults filled in */
      pattern = json_object_get_object_member (json_object_get_object_member (object_of (made), "recurrence"),
                                               "pattern");
      g_assert_true (json_object_has_member (pattern, "firstDayOfWeek"));
      master_id = json_object_get_string_member (object_of (made), "id");

      starts = occurrences_of (fx, master_id);
      g_assert_cmpuint (starts->len, ==, cases[i].n_in_window);
      g_assert_cmpstr (g_ptr_array_index (starts, 0), ==, cases[i].first);
      g_assert_cmpstr (g_ptr_array_index (starts, starts->len - 1), ==, cases[i].last);

      /* The series goes with its occurrences */
      escaped = g_uri_escape_string (master_id, NULL, FALSE);
      g_free (path);
      path = g_strdup_printf ("/me/events/%s", escaped);
      deleted = send_json (fx, "DELETE", path, "{}");
      g_assert_cmpuint (deleted->status, ==, 204);
      g_clear_pointer (&starts, g_ptr_array_unref);
      starts = occurrences_of (fx, master_id);
      g_assert_cmpuint (starts->len, ==, 0);
    }
}

static void
test_series_refusals (Fixture       *fx,
                      gconstpointer  data)
{
  static const char * const invalid[] = {
    /* no range */
    "{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"tuesday\"]}}",
    /* no startDate */
    "{\"pattern\":{\"type\":\"daily\",\"interval\":1},\"range\":{\"type\":\"noEnd\"}}",
    /* startDate not the start's date */
    "{\"pattern\":{\"type\":\"daily\",\"interval\":1},\"range\":{\"type\":\"noEnd\",\"startDate\":\"2026-12-02\"}}",
    /* weekly without daysOfWeek */
    "{\"pattern\":{\"type\":\"weekly\",\"interval\":1},\"range\":{\"type\":\"noEnd\"," RANGE_FROM_DEC_1 "}}",
    /* interval a text */
    "{\"pattern\":{\"type\":\"daily\",\"interval\":\"1\"},\"range\":{\"type\":\"noEnd\"," RANGE_FROM_DEC_1 "}}",
    /* absoluteMonthly without dayOfMonth */
    "{\"pattern\":{\"type\":\"absoluteMonthly\",\"interval\":1},\"range\":{\"type\":\"noEnd\"," RANGE_FROM_DEC_1 "}}",
    /* numbered without numberOfOccurrences */
    "{\"pattern\":{\"type\":\"daily\",\"interval\":1},\"range\":{\"type\":\"numbered\"," RANGE_FROM_DEC_1 "}}",
    /* endDate before startDate */
    "{\"pattern\":{\"type\":\"daily\",\"interval\":1},\"range\":{\"type\":\"endDate\",\"endDate\":\"2026-11-30\","
    RANGE_FROM_DEC_1 "}}",
    /* an unknown type, an unknown member */
    "{\"pattern\":{\"type\":\"hourly\",\"interval\":1},\"range\":{\"type\":\"noEnd\"," RANGE_FROM_DEC_1 "}}",
    "{\"pattern\":{\"type\":\"daily\",\"interval\":1,\"byHour\":9},\"range\":{\"type\":\"noEnd\"," RANGE_FROM_DEC_1 "}}",
  };
  g_autofree char *path = g_strdup_printf ("/me/calendars/%s/events", WORK_ID);

  calsync_fake_graph_add_calendar (fx->fake, WORK_ID, "Work", NULL, "auto", TRUE, FALSE);
  for (guint i = 0; i < G_N_ELEMENTS (invalid); i++)
    {
      g_autofree char *body = g_strdup_printf (SERIES_EVENT ("%s"), invalid[i]);
      g_autoptr(Answer) refused = send_json (fx, "POST", path, body);

      g_test_message ("%s", invalid[i]);
      g_assert_cmpuint (refused->status, ==, 400);
      g_assert_cmpstr (error_code_of (refused), ==, "ErrorInvalidRequest");
    }
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->fake), ==, 0);
}

static void
test_instances (Fixture       *fx,
                gconstpointer  data)
{
  g_autofree char *path = g_strdup_printf ("/me/calendars/%s/events", WORK_ID);
  g_autofree char *body = g_strdup_printf (SERIES_EVENT ("%s"),
                                           "{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":"
                                           "[\"tuesday\"]},\"range\":{\"type\":\"numbered\",\"numberOfOccurrences\":"
                                           "5," RANGE_FROM_DEC_1 "}}");
  g_autoptr(Answer) made = NULL;
  g_autoptr(Answer) listed = NULL;
  g_autoptr(Answer) no_window = NULL;
  g_autoptr(Answer) single = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *instances = NULL;
  g_autofree char *bare = NULL;
  JsonArray *value;

  calsync_fake_graph_add_calendar (fx->fake, WORK_ID, "Work", NULL, "auto", TRUE, FALSE);
  made = send_json (fx, "POST", path, body);
  g_assert_cmpuint (made->status, ==, 201);
  escaped = g_uri_escape_string (json_object_get_string_member (object_of (made), "id"), NULL, FALSE);

  instances = g_strdup_printf ("/me/events/%s/instances?startDateTime=2026-12-07T00:00:00Z"
                               "&endDateTime=2026-12-23T00:00:00Z", escaped);
  listed = get (fx, instances, NULL);
  g_assert_cmpuint (listed->status, ==, 200);
  value = value_of (listed);
  g_assert_cmpuint (json_array_get_length (value), ==, 3);
  g_assert_cmpstr (json_object_get_string_member (json_object_get_object_member (json_array_get_object_element (value,
                                                                                                                 0),
                                                                                 "start"), "dateTime"), ==,
                   "2026-12-08T08:30:00.0000000");

  bare = g_strdup_printf ("/me/events/%s/instances", escaped);
  no_window = get (fx, bare, NULL);
  g_assert_cmpuint (no_window->status, ==, 400);
  g_assert_cmpstr (error_code_of (no_window), ==, "ErrorInvalidParameter");

  /* An occurrence has no instances */
  g_free (bare);
  bare = g_strdup_printf ("/me/events/%s/instances?startDateTime=2026-12-07T00:00:00Z&endDateTime=2026-12-23T00:00:00Z",
                          json_object_get_string_member (json_array_get_object_element (value, 0), "id"));
  single = get (fx, bare, NULL);
  g_assert_cmpuint (single->status, ==, 400);
}

#define ADD(path, func) \
  g_test_add ("/fake-graph/" path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  ADD ("sign-in", test_sign_in);
  ADD ("pkce", test_pkce);
  ADD ("authorize-refusals", test_authorize_refusals);
  ADD ("client-secret", test_client_secret);
  ADD ("code-reuse", test_code_reuse);
  ADD ("rotation", test_rotation);
  ADD ("revoked", test_revoked);
  ADD ("scopes", test_scopes);
  ADD ("calsync-sign-in", test_calsync_sign_in);
  ADD ("unauthorized", test_unauthorized);
  ADD ("me", test_me);
  ADD ("calendars", test_calendars);
  ADD ("delta-initial", test_delta_initial);
  ADD ("delta-refusals", test_delta_refusals);
  ADD ("delta-changes", test_delta_changes);
  ADD ("delta-expired", test_delta_expired);
  ADD ("maxpagesize", test_maxpagesize);
  ADD ("timezone", test_timezone);
  ADD ("throttle", test_throttle);
  ADD ("gzip", test_gzip);
  ADD ("generate", test_generate);
  ADD ("series", test_series);
  ADD ("series-refusals", test_series_refusals);
  ADD ("instances", test_instances);

  return g_test_run ();
}
