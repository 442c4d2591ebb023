/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-google.c: the real `calsync` binary against the fake Google: add an
 * account with --no-browser (following the printed URL like a browser), list, sync
 * (JSON and text), exit statuses, remove; and no token in any output or file. */
#include "config.h"

#include <glib/gstdio.h>

#include "calsync-fake-google.h"
#include "calsync-secrets.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"

#define ALEX "alex@example.com"
#define TEAM "team@group.calendar.google.com"

typedef struct
{
  char *dir;          /* XDG_DATA_HOME of the subprocesses */
  char *stderr_path;
  CalsyncFakeGoogle *fake;
  GString *all_output; /* everything the binary printed, for the token check */
} Fixture;

/* Runs calsync while the fake keeps answering on this main context */
static int
run_calsync (Fixture            *fx,
             const char * const *args,
             char              **out,
             char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, fx->dir);
  int status = calsync_test_run_calsync (launcher, args, out, err);

  g_string_append_printf (fx->all_output, "%s\n%s\n", *out, *err);
  return status;
}

/* Adding an account, the way a person with a browser would ----------------- */

static void
add_account (Fixture *fx)
{
  g_autoptr(GSubprocessLauncher) launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, fx->dir);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  int status = calsync_test_cli_add_account (launcher, "google", fx->stderr_path, &url, &rest, &err);

  g_string_append_printf (fx->all_output, "%s\n%s\n%s\n", url, rest, err);
  g_assert_true (g_str_has_prefix (url, calsync_fake_google_get_auth_url (fx->fake)));
  g_assert_nonnull (strstr (url, "code_challenge="));
  g_assert_nonnull (strstr (url, "redirect_uri=http%3A%2F%2F127.0.0.1%3A"));

  g_assert_cmpint (status, ==, 0);
  g_assert_cmpstr (rest, ==, "");   /* the URL was the only line on stdout */
  g_assert_nonnull (strstr (err, "Connected " ALEX " with 2 calendars."));
}

/* JSON helpers ------------------------------------------------------------ */

static JsonObject *
find_google_account (JsonArray *accounts)
{
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);

      if (g_strcmp0 (json_object_get_string_member (account, "provider"), "google") == 0)
        return account;
    }

  return NULL;
}

static JsonNode *
list_accounts (Fixture *fx)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  return calsync_test_parse_json (out);
}

static gint64
google_account_id (Fixture *fx)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *account;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  root = calsync_test_parse_json (out);
  account = find_google_account (json_node_get_array (root));
  g_assert_nonnull (account);
  return g_ascii_strtoll (json_object_get_string_member (account, "id"), NULL, 10);
}

/* Fixture ------------------------------------------------------------------ */

static void
seed_fake (CalsyncFakeGoogle *fake)
{
  const char *events[] = {
    "{\"id\":\"standup\",\"status\":\"confirmed\",\"summary\":\"Standup\","
    "\"start\":{\"dateTime\":\"2026-06-16T10:00:00+02:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-06-16T10:15:00+02:00\",\"timeZone\":\"Europe/Berlin\"}}",
    "{\"id\":\"holiday\",\"status\":\"confirmed\",\"summary\":\"Holiday\","
    "\"start\":{\"date\":\"2026-06-20\"},\"end\":{\"date\":\"2026-06-22\"}}",
  };

  calsync_fake_google_add_calendar (fake, ALEX, ALEX, ALEX, TRUE);
  calsync_fake_google_add_calendar (fake, ALEX, TEAM, "Team", FALSE);
  calsync_fake_google_put_event (fake, ALEX, events[0]);
  calsync_fake_google_put_event (fake, ALEX, events[1]);
  calsync_fake_google_put_event (fake, TEAM,
    "{\"id\":\"review\",\"status\":\"confirmed\",\"summary\":\"Review\","
    "\"start\":{\"dateTime\":\"2026-06-17T15:00:00Z\"},\"end\":{\"dateTime\":\"2026-06-17T16:00:00Z\"}}");
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), ALEX);
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("calsync-cli-XXXXXX", &error);
  g_assert_no_error (error);
  store = calsync_test_open_store (fx->dir);
  calsync_test_reserve_account_ids (calsync_store_get_path (store));
  g_clear_object (&store);
  fx->stderr_path = g_build_filename (g_get_tmp_dir (), "calsync-cli-stderr-XXXXXX", NULL);
  g_close (g_mkstemp (fx->stderr_path), NULL);
  fx->all_output = g_string_new (NULL);
  fx->fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fx->fake);
  seed_fake (fx->fake);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->fake);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (fx->dir);
  g_remove (fx->stderr_path);
  g_clear_pointer (&fx->dir, g_free);
  g_clear_pointer (&fx->stderr_path, g_free);
  g_string_free (fx->all_output, TRUE);
}

/* Checks ------------------------------------------------------------------- */

static void
check_list (Fixture *fx)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *account, *primary, *team;
  JsonArray *calendars;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  root = calsync_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  account = find_google_account (json_node_get_array (root));
  g_assert_nonnull (account);
  g_assert_cmpstr (json_object_get_string_member (account, "email"), ==, ALEX);
  g_assert_false (json_object_get_boolean_member (account, "needsReconnect"));
  g_assert_true (json_object_get_null_member (account, "lastError"));

  calendars = json_object_get_array_member (account, "calendars");
  g_assert_cmpuint (json_array_get_length (calendars), ==, 2);
  primary = json_array_get_object_element (calendars, 0);
  team = json_array_get_object_element (calendars, 1);
  g_assert_cmpstr (json_object_get_string_member (primary, "name"), ==, ALEX);
  g_assert_true (json_object_get_boolean_member (primary, "primary"));
  g_assert_cmpstr (json_object_get_string_member (team, "name"), ==, "Team");
  g_assert_cmpstr (json_object_get_string_member (team, "provider"), ==, "google");
  g_assert_true (json_object_get_boolean_member (team, "active"));
  g_assert_true (json_object_get_null_member (team, "lastSyncAt"));
}

static void
check_sync_json (Fixture *fx)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *object, *first;
  JsonArray *results;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  /* Exactly one object: the whole of stdout parses as one JSON value */
  root = calsync_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  object = json_node_get_object (root);
  g_assert_true (json_object_get_boolean_member (object, "success"));
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "Synced 2 of 2 calendar(s)");
  g_assert_cmpint (json_object_get_int_member (object, "synced"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 3);
  /* Two-way sync: present, and 0 when nothing was waiting to be sent */
  g_assert_true (json_object_has_member (object, "pushed"));
  g_assert_cmpint (json_object_get_int_member (object, "pushed"), ==, 0);
  g_assert_true (json_object_has_member (object, "conflicts"));
  g_assert_cmpint (json_object_get_int_member (object, "conflicts"), ==, 0);

  results = json_object_get_array_member (object, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 2);
  first = json_array_get_object_element (results, 0);
  g_assert_cmpstr (json_object_get_string_member (first, "provider"), ==, "google");
  g_assert_cmpstr (json_object_get_string_member (first, "email"), ==, ALEX);
  g_assert_cmpstr (json_object_get_string_member (first, "calendarName"), ==, ALEX);
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (first, "synced"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (first, "pushed"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (first, "conflicts"), ==, 0);
  g_assert_false (json_object_has_member (first, "messages"));
  g_assert_false (json_object_has_member (first, "error"));
}

static void
check_sync_text (Fixture *fx)
{
  const char *args[] = { "--sync", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Synced 2 of 2 calendars\n"));
  g_assert_nonnull (strstr (out, "✓ Team (" ALEX "): 0 new, 0 updated, 0 skipped, 0 deleted"));
  g_assert_cmpstr (err, ==, "");   /* stderr is not a terminal: no progress lines */
}

/* Signing in again with the same address updates the account: new tokens, the
 * calendars and their sync state kept, no second account */
static void
check_reconnect (Fixture *fx)
{
  g_autoptr(JsonNode) root = NULL;
  JsonArray *accounts, *calendars;
  guint n_google = 0;

  add_account (fx);
  root = list_accounts (fx);
  accounts = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (accounts, i), "provider"),
                   "google") == 0)
      n_google++;
  g_assert_cmpuint (n_google, ==, 1);

  calendars = json_object_get_array_member (find_google_account (accounts), "calendars");
  g_assert_cmpuint (json_array_get_length (calendars), ==, 2);
  g_assert_false (json_object_get_null_member (json_array_get_object_element (calendars, 0), "lastSyncAt"));
}

static gboolean
contains_bytes (const char *haystack,
                gsize       length,
                const char *needle)
{
  gsize n = strlen (needle);

  for (gsize i = 0; n > 0 && i + n <= length; i++)
    if (haystack[i] == needle[0] && memcmp (haystack + i, needle, n) == 0)
      return TRUE;

  return FALSE;
}

static void
assert_absent (const char *haystack,
               gsize       length,
               GPtrArray  *tokens,
               const char *where)
{
  for (guint i = 0; i < tokens->len; i++)
    if (contains_bytes (haystack, length, tokens->pdata[i]))
      g_error ("A token appeared in %s", where);
}

static void
check_no_token_leaks (Fixture *fx)
{
  g_autoptr(GPtrArray) tokens = calsync_fake_oauth_dup_issued_tokens (calsync_fake_google_get_oauth (fx->fake));
  const char *files[] = { "calsync.db", "calsync.db-wal", "calsync.db-shm" };

  g_assert_cmpuint (tokens->len, >=, 2);
  assert_absent (fx->all_output->str, fx->all_output->len, tokens, "the output");

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    {
      g_autofree char *path = g_build_filename (fx->dir, "calsync", files[i], NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (g_file_get_contents (path, &contents, &length, NULL))
        assert_absent (contents, length, tokens, files[i]);
    }
}

static void
check_remove (Fixture *fx,
              gint64   account_id)
{
  g_autofree char *arg = g_strdup_printf ("--remove-account=%" G_GINT64_FORMAT, account_id);
  const char *args[] = { arg, NULL };
  const char *unknown[] = { "--remove-account=9999", NULL };
  const char *local[] = { "--remove-account=1", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *secret = NULL;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  calsync_secrets_lookup_async (account_id, NULL, calsync_test_result_cb, &result);
  secret = calsync_secrets_lookup_finish (calsync_test_spin (&result), &error);
  g_assert_error (error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND);
  g_assert_null (secret);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_calsync (fx, unknown, &out, &err), ==, 1);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* Account 1 is the local one of a new database */
  g_assert_cmpint (run_calsync (fx, local, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
}

/* Tests -------------------------------------------------------------------- */

static void
test_end_to_end (Fixture       *fx,
                 gconstpointer  data)
{
  gint64 id;

  add_account (fx);
  check_list (fx);
  check_sync_json (fx);
  check_sync_text (fx);
  check_reconnect (fx);
  check_no_token_leaks (fx);
  id = google_account_id (fx);
  check_remove (fx, id);
  {
    g_autoptr(JsonNode) after = list_accounts (fx);

    g_assert_null (find_google_account (json_node_get_array (after)));
  }
}

static void
test_exit_statuses (Fixture       *fx,
                    gconstpointer  data)
{
  const char *sync[] = { "--sync", "--json", NULL };
  const char *both[] = { "--sync", "--list-accounts", NULL };
  const char *yahoo[] = { "--add-account=yahoo", NULL };
  const char *caldav[] = { "--add-account=caldav", "--username=ann", NULL };
  const char *stray[] = { "--list-accounts", "--no-browser", NULL };
  const char *bad_id[] = { "--remove-account=abc", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) failed = NULL;
  JsonArray *results;
  gint64 id;

  /* Nothing connected */
  g_assert_cmpint (run_calsync (fx, sync, &out, &err), ==, 1);
  root = calsync_test_parse_json (out);
  g_assert_false (json_object_get_boolean_member (json_node_get_object (root), "success"));
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (root), "message"), ==,
                   "No calendars connected");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Bad usage */
  g_assert_cmpint (run_calsync (fx, both, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_calsync (fx, yahoo, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  /* CalDAV without its server (test-cli-caldav has the rest) */
  g_assert_cmpint (run_calsync (fx, caldav, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "--server=URL"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_calsync (fx, stray, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_calsync (fx, bad_id, &out, &err), ==, 2);
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* One calendar fails: exit 1, the other still synced */
  add_account (fx);
  calsync_fake_google_set_fault (fx->fake, TEAM, CALSYNC_FAKE_FAULT_MALFORMED);
  g_assert_cmpint (run_calsync (fx, sync, &out, &err), ==, 1);
  failed = calsync_test_parse_json (out);
  results = json_object_get_array_member (json_node_get_object (failed), "results");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 0), "status"), ==,
                   "success");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 1), "status"), ==,
                   "error");
  g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (results, 1), "error"), ==,
                   "Google sent an answer CalSync could not read. Your events were left as they were.");
  g_assert_cmpstr (json_object_get_string_member (json_node_get_object (failed), "message"), ==,
                   "Synced 1 of 2 calendar(s)");

  check_no_token_leaks (fx);
  id = google_account_id (fx);
  {
    g_autoptr(GAsyncResult) result = NULL;

    calsync_secrets_delete_async (id, NULL, calsync_test_result_cb, &result);
    g_assert_true (calsync_secrets_delete_finish (calsync_test_spin (&result), NULL));
  }
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("CALSYNC_NOW", "2026-06-15T12:00:00Z", TRUE);
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();

  ADD ("/cli-google/end-to-end", test_end_to_end);
  ADD ("/cli-google/exit-statuses", test_exit_statuses);

  return g_test_run ();
}
