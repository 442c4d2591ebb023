/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-forward.c: `calsync --sync [--json]` while the window's process runs is
 * forwarded to it: the sync runs in the window, and the command prints what the
 * headless one would and exits with the same status. The test's application owns
 * org.example.CalSync on the session bus; the command runs as a subprocess
 * without a display. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "calsync-application.h"
#include "calsync-fake-google.h"
#include "calsync-sync-button-private.h"
#include "calsync-sync-button.h"
#include "calsync-test-utils.h"
#include "calsync-window.h"

#define ALEX "alex@example.com"
/* Unique among the tests sharing the keyring (see calsync_test_renumber_account) */
#define ACCOUNT_ID 4102

static CalsyncApplication *app;
static CalsyncFakeGoogle *fake;
static int test_status;
static guint n_started;
static gboolean button_spun;

typedef struct
{
  int status;
  char *out;
  char *err;
} Run;

static void
run_clear (Run *run)
{
  g_clear_pointer (&run->out, g_free);
  g_clear_pointer (&run->err, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Run, run_clear)

/* Seeding: one account, one calendar, tokens in the keyring ------------------ */

static void
put_event (const char *id,
           int         day)
{
  g_autofree char *json = g_strdup_printf (
    "{\"kind\":\"calendar#event\",\"id\":\"%s\",\"status\":\"confirmed\",\"summary\":\"Meeting %s\","
    "\"start\":{\"dateTime\":\"2026-11-%02dT10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-11-%02dT11:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}",
    id, id, day, day);

  calsync_fake_google_put_event (fake, ALEX, json);
}

static gint64
seed (void)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  store = calsync_test_add_google_account (fake, ALEX, ACCOUNT_ID);
  account_id = ACCOUNT_ID;

  calsync_fake_google_add_calendar (fake, ALEX, ALEX, ALEX, TRUE);
  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, ALEX);
  calsync_calendar_set_name (calendar, ALEX);
  calsync_calendar_set_is_active (calendar, TRUE);
  calsync_calendar_set_is_primary (calendar, TRUE);
  g_assert_cmpint (calsync_store_add_calendar (store, calendar, &error), >, 0);
  g_assert_no_error (error);

  for (int i = 0; i < 4; i++)
    {
      g_autofree char *id = g_strdup_printf ("ev%d", i);

      put_event (id, 2 + i);
    }

  calsync_store_close (store);
  return account_id;
}

/* The command, as a GNOME custom shortcut would run it: no display at all ----- */

static void
run_calsync (Run        *run,
             const char *first_arg,
             ...)
{
  /* No display at all; the window's main loop keeps running while calsync
   * runs: it is the one doing the sync */
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                                       G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) args = NULL;
  va_list rest;

  va_start (rest, first_arg);
  args = calsync_test_args_valist (first_arg, rest);
  va_end (rest);

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  run->status = calsync_test_run_calsync (launcher, (const char * const *) args->pdata, &run->out, &run->err);
}

static JsonObject *
parse_one_object (JsonParser *parser,
                  const char *out)
{
  g_autoptr(GError) error = NULL;
  /* Exactly one JSON object and nothing else on stdout (the parser refuses
   * anything after the first value) */
  g_assert_true (g_str_has_prefix (out, "{"));
  g_assert_true (g_str_has_suffix (out, "}\n"));
  g_assert_true (json_parser_load_from_data (parser, out, -1, &error));
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));
  return json_node_get_object (json_parser_get_root (parser));
}

static void
sync_started_cb (CalsyncSyncEngine *engine)
{
  CalsyncWindow *window = CALSYNC_WINDOW (gtk_application_get_active_window (GTK_APPLICATION (app)));
  GObject *button = gtk_widget_get_template_child (GTK_WIDGET (window), CALSYNC_TYPE_WINDOW, "sync_button");

  n_started++;
  button_spun = calsync_sync_button_get_spinning (CALSYNC_SYNC_BUTTON (button));
}

static void
connect_sync_started (void)
{
  g_signal_connect (calsync_application_get_engine (app), "sync-started", G_CALLBACK (sync_started_cb), NULL);
}

/* Tests ------------------------------------------------------------------- */

static void
test_forward_json (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *expected = NULL;
  g_autofree char *expected_line = NULL;
  JsonObject *root;

  n_started = 0;
  run_calsync (&run, "--sync", "--json", NULL);
  g_test_message ("stderr: %s", run.err);

  /* It ran in this process, with the window's spinner */
  g_assert_cmpuint (n_started, ==, 1);
  g_assert_true (button_spun);
  g_assert_cmpint (run.status, ==, 0);

  root = parse_one_object (parser, run.out);
  g_assert_true (json_object_get_boolean_member (root, "success"));
  g_assert_cmpint (json_object_get_int_member (root, "synced"), ==, 4);
  expected = calsync_sync_report_to_json (calsync_application_get_last_report (app));
  expected_line = g_strconcat (expected, "\n", NULL);
  g_assert_cmpstr (run.out, ==, expected_line);
}

static void
test_forward_failure (void)
{
  g_auto(Run) run = { 0 };
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonObject *root;

  calsync_http_set_retry_policy (calsync_application_get_http (app), 2, 50, 5000);
  calsync_fake_google_set_fault (fake, ALEX, CALSYNC_FAKE_FAULT_SERVER_ERROR);
  n_started = 0;
  run_calsync (&run, "--sync", "--json", NULL);
  calsync_fake_google_set_fault (fake, ALEX, CALSYNC_FAKE_FAULT_NONE);

  g_assert_cmpuint (n_started, ==, 1);
  g_assert_cmpint (run.status, ==, 1);
  root = parse_one_object (parser, run.out);
  g_assert_false (json_object_get_boolean_member (root, "success"));
}

static void
test_forward_text (void)
{
  g_auto(Run) run = { 0 };
  g_autofree char *expected = NULL;

  put_event ("late", 20);
  n_started = 0;
  run_calsync (&run, "--sync", NULL);

  g_assert_cmpuint (n_started, ==, 1);
  g_assert_cmpint (run.status, ==, 0);
  expected = calsync_sync_report_to_text (calsync_application_get_last_report (app));
  g_assert_cmpstr (run.out, ==, expected);
}

static void
test_forward_other_command (void)
{
  g_auto(Run) run = { 0 };

  /* Not forwarded: runs headless on the same database */
  n_started = 0;
  run_calsync (&run, "--list-accounts", NULL);
  g_assert_cmpuint (n_started, ==, 0);
  g_assert_cmpint (run.status, ==, 0);
  g_assert_nonnull (strstr (run.out, ALEX));
}

int
main (int    argc,
      char **argv)
{
  g_autofree char *tmp = calsync_test_setup_env ("test-forward");
  gint64 account_id;

  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();
  g_test_add_func ("/forward/sync-json", test_forward_json);
  g_test_add_func ("/forward/sync-failure", test_forward_failure);
  g_test_add_func ("/forward/sync-text", test_forward_text);
  g_test_add_func ("/forward/other-command", test_forward_other_command);

  fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fake);
  account_id = seed ();

  /* Unique, like the real app: it owns org.example.CalSync while it runs */
  app = calsync_application_new ();
  test_status = calsync_test_run_in_app (app, connect_sync_started, NULL);
  g_clear_object (&app);
  calsync_test_remove_tree (tmp);

  calsync_test_delete_secret (account_id);
  g_clear_object (&fake);
  return test_status;
}
