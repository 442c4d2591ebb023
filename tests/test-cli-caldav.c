/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-caldav.c: `calsync --add-account=caldav` (password on stdin), then
 * `--sync --json`, `--agenda --json` and `--list-accounts --json` through the
 * real binary against a real Radicale on 127.0.0.1: a refused password and an
 * unencrypted address store nothing; the JSON names provider "caldav" and the
 * calendar's displayname exactly; all-day events keep their dates in far-east
 * and far-west zones; another client's PUT and DELETE arrive; a password
 * changed on the server marks the account "needs reconnect"; the password is
 * never printed nor stored in the database. Needs the keyring. */
#include "config.h"

#include <string.h>

#include "calsync-radicale.h"
#include "calsync-test-utils.h"

typedef struct
{
  char *dir;
  char *radicale_dir;
  CalsyncRadicale *radicale;
  GSubprocessLauncher *launcher;
} Fixture;

#define WORK_NAME "Work “Team” & co"

static const char timed_ics[] =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
  "BEGIN:VEVENT\r\nUID:review\r\nDTSTAMP:20261101T000000Z\r\n"
  "DTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:Review\r\n"
  "END:VEVENT\r\nEND:VCALENDAR\r\n";
static const char all_day_ics[] =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
  "BEGIN:VEVENT\r\nUID:holidays\r\nDTSTAMP:20261101T000000Z\r\n"
  "DTSTART;VALUE=DATE:20261224\r\nDTEND;VALUE=DATE:20261226\r\nSUMMARY:Holidays\r\n"
  "END:VEVENT\r\nEND:VCALENDAR\r\n";
static const char series_ics[] =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
  "BEGIN:VEVENT\r\nUID:weekly\r\nDTSTAMP:20261101T000000Z\r\n"
  "DTSTART:20261202T120000Z\r\nDTEND:20261202T123000Z\r\nRRULE:FREQ=WEEKLY;COUNT=3\r\n"
  "SUMMARY:Weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n";
static const char added_ics[] =
  "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
  "BEGIN:VEVENT\r\nUID:added\r\nDTSTAMP:20261101T000000Z\r\n"
  "DTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:Added elsewhere\r\n"
  "END:VEVENT\r\nEND:VCALENDAR\r\n";

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  f->dir = calsync_test_setup_env ("cli-caldav");
  f->radicale_dir = g_build_filename (f->dir, "radicale", NULL);
  g_assert_cmpint (g_mkdir_with_parents (f->radicale_dir, 0700), ==, 0);
  f->radicale = calsync_radicale_start (f->radicale_dir, 600);
  calsync_radicale_mkcalendar (f->radicale, "work", WORK_NAME);
  calsync_radicale_mkcalendar (f->radicale, "home", "Home");
  g_free (calsync_radicale_put (f->radicale, "work", "review.ics", timed_ics));
  g_free (calsync_radicale_put (f->radicale, "work", "holidays.ics", all_day_ics));
  g_free (calsync_radicale_put (f->radicale, "home", "weekly.ics", series_ics));
  f->launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                           G_SUBPROCESS_FLAGS_STDERR_PIPE, f->dir);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->launcher);
  g_clear_pointer (&f->radicale, calsync_radicale_free);
  calsync_test_remove_tree (f->dir);
  g_free (f->radicale_dir);
  g_free (f->dir);
}

/* Runs calsync with @input on stdin; returns its exit status */
static int
run_with_input (Fixture            *f,
                const char * const *args,
                const char         *input,
                char              **out,
                char              **err)
{
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_launcher_spawnv (f->launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, calsync_test_spin (&result), out, err, &error));
  g_assert_no_error (error);
  g_test_message ("calsync %s → %d\nstdout: %s\nstderr: %s", args[0],
                  g_subprocess_get_exit_status (process), *out, *err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static int
add_account (Fixture    *f,
             const char *server,
             const char *password_line,
             gboolean    allow_insecure,
             char      **out,
             char      **err)
{
  g_autofree char *server_arg = g_strconcat ("--server=", server, NULL);
  const char *args[] = { "--add-account=caldav", server_arg, "--username=" CALSYNC_RADICALE_USER,
                         allow_insecure ? "--allow-insecure" : NULL, NULL };

  return run_with_input (f, args, password_line, out, err);
}

static JsonArray *
list_accounts (Fixture *f)
{
  static const char * const args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (calsync_test_run_calsync (f->launcher, args, &out, &err), ==, 0);
  root = calsync_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return json_array_ref (json_node_get_array (root));
}

static JsonObject *
find_caldav_account (JsonArray *accounts)
{
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);

      if (g_strcmp0 (json_object_get_string_member (account, "provider"), "caldav") == 0)
        return account;
    }

  return NULL;
}

static void
assert_no_caldav_account (Fixture *f)
{
  g_autoptr(JsonArray) accounts = list_accounts (f);

  g_assert_null (find_caldav_account (accounts));
}

/* The password never lands in the database (nor its WAL) */
static void
assert_password_not_stored (Fixture    *f,
                            const char *password)
{
  const char *names[] = { "calsync.db", "calsync.db-wal" };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      g_autofree char *path = g_build_filename (f->dir, "calsync", names[i], NULL);
      g_autofree char *contents = NULL;
      gsize length = 0;

      if (!g_file_get_contents (path, &contents, &length, NULL))
        continue;
      g_assert_null (memmem (contents, length, password, strlen (password)));
    }
}

static JsonObject *
sync_json (Fixture *f,
           int      expected_status,
           char   **out_text)
{
  static const char * const args[] = { "--sync", "--json", NULL };
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (calsync_test_run_calsync (f->launcher, args, out_text, &err), ==, expected_status);
  g_assert_null (strstr (*out_text, CALSYNC_RADICALE_PASSWORD));
  g_assert_null (strstr (err, CALSYNC_RADICALE_PASSWORD));
  root = calsync_test_parse_json (*out_text);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  return json_object_ref (json_node_get_object (root));
}

static JsonObject *
result_named (JsonObject *report,
              const char *name)
{
  JsonArray *results = json_object_get_array_member (report, "results");

  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_strcmp0 (json_object_get_string_member (result, "calendarName"), name) == 0)
        return result;
    }

  return NULL;
}

/* Adding ------------------------------------------------------------------------- */

static void
test_add_refused (Fixture       *f,
                  gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL, *out2 = NULL, *err2 = NULL, *out3 = NULL, *err3 = NULL;

  /* A wrong password: said so, nothing stored */
  g_assert_cmpint (add_account (f, calsync_radicale_get_url (f->radicale), "wrong-password\n", FALSE, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "The server refused the user name or password"));
  g_assert_null (strstr (err, "wrong-password"));
  g_assert_cmpstr (out, ==, "");
  assert_no_caldav_account (f);
  assert_password_not_stored (f, "wrong-password");

  /* Plain http off this computer: refused before any connection, saying how */
  g_assert_cmpint (add_account (f, "http://192.0.2.1/", CALSYNC_RADICALE_PASSWORD "\n", FALSE, &out2, &err2), ==, 1);
  g_assert_nonnull (strstr (err2, "unencrypted"));
  g_assert_nonnull (strstr (err2, "--allow-insecure"));
  assert_no_caldav_account (f);

  /* A password in the address would be stored with the account: refused */
  {
    g_autofree char *out4 = NULL, *err4 = NULL;
    g_autofree char *with_password = g_strdup_printf ("http://alice:hidden-pw@127.0.0.1:%s",
                                                      strrchr (calsync_radicale_get_url (f->radicale), ':') + 1);

    g_assert_cmpint (add_account (f, with_password, CALSYNC_RADICALE_PASSWORD "\n", FALSE, &out4, &err4), ==, 1);
    g_assert_nonnull (strstr (err4, "Leave the user name and password out"));
    g_assert_null (strstr (err4, "hidden-pw"));
    assert_no_caldav_account (f);
    assert_password_not_stored (f, "hidden-pw");
  }

  /* No password */
  g_assert_cmpint (add_account (f, calsync_radicale_get_url (f->radicale), "\n", FALSE, &out3, &err3), ==, 1);
  g_assert_nonnull (strstr (err3, "No password"));
  assert_no_caldav_account (f);
}

static void
check_all_day_in_zone (Fixture    *f,
                       const char *zone)
{
  static const char * const args[] = { "--agenda", "--from=2026-12-20", "--to=2026-12-31", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *events;
  JsonObject *holidays;

  g_subprocess_launcher_setenv (f->launcher, "TZ", zone, TRUE);
  g_assert_cmpint (calsync_test_run_calsync (f->launcher, args, &out, &err), ==, 0);
  g_subprocess_launcher_setenv (f->launcher, "TZ", "Europe/Berlin", TRUE);

  root = calsync_test_parse_json (out);
  events = json_node_get_array (root);
  g_assert_cmpuint (json_array_get_length (events), ==, 1);
  holidays = json_array_get_object_element (events, 0);
  g_assert_cmpstr (json_object_get_string_member (holidays, "title"), ==, "Holidays");
  g_assert_true (json_object_get_boolean_member (holidays, "allDay"));
  g_assert_cmpstr (json_object_get_string_member (holidays, "startDate"), ==, "2026-12-24");
  g_assert_cmpstr (json_object_get_string_member (holidays, "endDate"), ==, "2026-12-26");
  g_assert_cmpstr (json_object_get_string_member (holidays, "provider"), ==, "caldav");
  g_assert_cmpstr (json_object_get_string_member (holidays, "calendarName"), ==, WORK_NAME);
  g_assert_false (json_object_has_member (holidays, "start"));
}

static void
test_add_and_sync (Fixture       *f,
                   gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL, *sync_out = NULL, *sync2_out = NULL;
  g_autoptr(JsonArray) accounts = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) report2 = NULL;
  JsonObject *account, *work, *home;
  JsonArray *calendars;

  g_assert_cmpint (add_account (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD "\n",
                                FALSE, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "Connected alice (CalDAV, account "));
  g_assert_true (g_str_has_suffix (out, ") with 2 calendars.\n"));
  g_assert_null (strstr (out, CALSYNC_RADICALE_PASSWORD));
  g_assert_null (strstr (err, CALSYNC_RADICALE_PASSWORD));

  accounts = list_accounts (f);
  account = find_caldav_account (accounts);
  g_assert_nonnull (account);
  g_assert_cmpstr (json_object_get_string_member (account, "email"), ==, CALSYNC_RADICALE_USER);
  g_assert_false (json_object_get_boolean_member (account, "needsReconnect"));
  calendars = json_object_get_array_member (account, "calendars");
  g_assert_cmpuint (json_array_get_length (calendars), ==, 2);

  report = sync_json (f, 0, &sync_out);
  g_assert_true (json_object_get_boolean_member (report, "success"));
  g_assert_cmpstr (json_object_get_string_member (report, "message"), ==, "Synced 2 of 2 calendar(s)");
  work = result_named (report, WORK_NAME);
  home = result_named (report, "Home");
  g_assert_nonnull (work);
  g_assert_nonnull (home);
  g_assert_cmpstr (json_object_get_string_member (work, "provider"), ==, "caldav");
  g_assert_cmpstr (json_object_get_string_member (work, "email"), ==, CALSYNC_RADICALE_USER);
  g_assert_cmpstr (json_object_get_string_member (work, "status"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (work, "synced"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (work, "total"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (home, "synced"), ==, 3);
  g_assert_cmpint (json_object_get_int_member (report, "synced"), ==, 5);
  g_assert_cmpint (json_object_get_int_member (report, "deleted"), ==, 0);

  check_all_day_in_zone (f, "Pacific/Kiritimati");
  check_all_day_in_zone (f, "Pacific/Pago_Pago");
  check_all_day_in_zone (f, "Europe/Berlin");

  /* Another client adds one and deletes one: the next sync is incremental */
  g_free (calsync_radicale_put (f->radicale, "work", "added.ics", added_ics));
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "DELETE", "/alice/work/review.ics",
                                              NULL, NULL, NULL, NULL, NULL), ==, 200);
  report2 = sync_json (f, 0, &sync2_out);
  work = result_named (report2, WORK_NAME);
  home = result_named (report2, "Home");
  g_assert_cmpint (json_object_get_int_member (work, "synced"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (work, "deleted"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (work, "total"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (home, "total"), ==, 0);
  assert_password_not_stored (f, CALSYNC_RADICALE_PASSWORD);
}

/* The password changed on the server: the sync says so and the account needs
 * reconnecting */
static void
test_password_changed (Fixture       *f,
                       gconstpointer  data)
{
  g_autofree char *out = NULL, *err = NULL, *sync_out = NULL, *out2 = NULL, *err2 = NULL, *sync2_out = NULL;
  g_autofree char *users = g_build_filename (f->radicale_dir, "users", NULL);
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(JsonObject) report2 = NULL;
  g_autoptr(JsonArray) accounts = NULL;
  JsonObject *work;

  g_assert_cmpint (add_account (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD "\n",
                                FALSE, &out, &err), ==, 0);
  g_assert_true (g_file_set_contents (users, CALSYNC_RADICALE_USER ":changed-elsewhere\n", -1, NULL));

  report = sync_json (f, 1, &sync_out);
  g_assert_false (json_object_get_boolean_member (report, "success"));
  work = json_array_get_object_element (json_object_get_array_member (report, "results"), 0);
  g_assert_cmpstr (json_object_get_string_member (work, "provider"), ==, "caldav");
  g_assert_cmpstr (json_object_get_string_member (work, "status"), ==, "error");
  g_assert_nonnull (strstr (json_object_get_string_member (work, "error"), "refused the user name or password"));

  accounts = list_accounts (f);
  g_assert_true (json_object_get_boolean_member (find_caldav_account (accounts), "needsReconnect"));

  /* Adding it again with the new password reconnects it: still one account */
  g_assert_cmpint (add_account (f, calsync_radicale_get_url (f->radicale), "changed-elsewhere\n",
                                FALSE, &out2, &err2), ==, 0);
  g_clear_pointer (&accounts, json_array_unref);
  accounts = list_accounts (f);
  g_assert_false (json_object_get_boolean_member (find_caldav_account (accounts), "needsReconnect"));
  g_assert_cmpuint (json_array_get_length (accounts), ==, 2);    /* the local one and this */
  report2 = sync_json (f, 0, &sync2_out);
  g_assert_true (json_object_get_boolean_member (report2, "success"));
  assert_password_not_stored (f, "changed-elsewhere");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();

  if (!calsync_radicale_available ())
    calsync_test_skip_all ("Radicale is not installed (Debian: radicale)");

  g_test_add ("/cli-caldav/add-refused", Fixture, NULL, fixture_set_up, test_add_refused, fixture_tear_down);
  g_test_add ("/cli-caldav/add-and-sync", Fixture, NULL, fixture_set_up, test_add_and_sync, fixture_tear_down);
  g_test_add ("/cli-caldav/password-changed", Fixture, NULL, fixture_set_up, test_password_changed, fixture_tear_down);

  return g_test_run ();
}
