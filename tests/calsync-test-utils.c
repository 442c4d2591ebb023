/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-utils.c: helpers shared by the tests; the GUI part is compiled only
 * with CALSYNC_TEST_UTILS_GUI so that the sync tests link no GTK. */
#include "config.h"

#define G_LOG_DOMAIN "calsync-test-utils"

#include <libsoup/soup.h>
#include <sqlite3.h>
#include <unistd.h>
#include <time.h>

#include "calsync-oauth.h"
#include "calsync-secrets.h"
#include "calsync-test-utils.h"

/* Main context ---------------------------------------------------------------- */

static gboolean
timeout_cb (gpointer data)
{
  *(gboolean *) data = TRUE;
  return G_SOURCE_REMOVE;
}

/**
 * calsync_test_wait_until:
 *
 * Spins the default main context until @predicate holds or @timeout_ms passes.
 *
 * Returns: whether @predicate holds in the end
 */
gboolean
calsync_test_wait_until (CalsyncTestPredicate predicate,
                         gpointer             data,
                         guint                timeout_ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (timeout_ms, timeout_cb, &timed_out);

  while (!predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  return predicate (data);
}

static gboolean
always_false (gpointer data)
{
  return FALSE;
}

/* Spins the default main context for @ms milliseconds. */
void
calsync_test_settle (guint ms)
{
  calsync_test_wait_until (always_false, NULL, ms);
}

/* A GAsyncReadyCallback that stores a reference to @result in the
 * `GAsyncResult *` that @user_data points to. */
void
calsync_test_result_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  *(GAsyncResult **) user_data = g_object_ref (result);
}

/* Spins the default main context until calsync_test_result_cb() filled @slot. */
GAsyncResult *
calsync_test_spin (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);
  return *slot;
}

/* Environment ----------------------------------------------------------------- */

/**
 * calsync_test_setup_env:
 * @name: the test's name, for the temporary directory
 *
 * Points XDG_DATA_HOME and XDG_CONFIG_HOME at a new temporary directory, and
 * fixes the clock (CALSYNC_NOW), the time zone and the locale of the tests.
 *
 * Returns: (transfer full): the temporary directory
 */
char *
calsync_test_setup_env (const char *name)
{
  g_autofree char *template = g_strdup_printf ("calsync-%s-XXXXXX", name);
  char *tmp = g_dir_make_tmp (template, NULL);

  g_setenv ("XDG_DATA_HOME", tmp, TRUE);
  g_setenv ("XDG_CONFIG_HOME", tmp, TRUE);
  g_setenv ("CALSYNC_NOW", "2026-11-25T12:00:00+01:00", TRUE);
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  tzset ();
  return tmp;
}

/* Accounts and the keyring ---------------------------------------------------- */

/* GETs @url and asserts a 200: signing in through the fake, as a browser would. */
void
calsync_test_follow_url (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_nonnull (message);
  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL,
                                    calsync_test_result_cb, &result);
  body = soup_session_send_and_read_finish (session, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (soup_message_get_status (message), ==, 200);
}

/**
 * calsync_test_reserve_account_ids:
 *
 * The sync tests of all units share one keyring, where secrets are keyed by
 * account id only; fresh databases would all use id 2. A placeholder account
 * (a CalDAV one without calendars, so never synced) in the database at @db_path,
 * with an id unique to this process, makes the next ids unique too.
 */
void
calsync_test_reserve_account_ids (const char *db_path)
{
  sqlite3 *db = NULL;
  g_autofree char *sql = g_strdup_printf ("INSERT INTO accounts (id, provider, email) "
                                          "VALUES (%" G_GINT64_FORMAT ", 'caldav', 'placeholder.invalid')",
                                          (gint64) getpid () * 1000);

  g_assert_cmpint (sqlite3_open (db_path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

/**
 * calsync_test_renumber_account:
 *
 * Secrets are keyed by account id in the one keyring that every test of the
 * suite shares, and tests run in parallel: this gives account @from the id @to,
 * which no other test uses, so no other test overwrites its tokens. Closes and
 * reopens *@store.
 */
void
calsync_test_renumber_account (CalsyncStore **store,
                               gint64         from,
                               gint64         to)
{
  g_autofree char *path = g_strdup (calsync_store_get_path (*store));
  g_autofree char *sql = g_strdup_printf ("UPDATE accounts SET id = %" G_GINT64_FORMAT
                                          " WHERE id = %" G_GINT64_FORMAT, to, from);
  g_autoptr(GError) error = NULL;
  sqlite3 *db = NULL;

  calsync_store_close (*store);
  g_clear_object (store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_changes (db), ==, 1);
  sqlite3_close (db);
  *store = calsync_store_open (path, &error);
  g_assert_no_error (error);
}

/* Has @fake issue tokens for @email, valid for an hour, and stores them in the
 * keyring for @account_id. */
void
calsync_test_store_tokens (CalsyncFakeGoogle *fake,
                           const char        *email,
                           gint64             account_id)
{
  g_autofree char *access = NULL;
  g_autofree char *refresh = NULL;
  g_autofree char *json = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncTokens tokens = { 0 };

  calsync_fake_oauth_issue_tokens (calsync_fake_google_get_oauth (fake), email, &access, &refresh);
  tokens.access_token = access;
  tokens.refresh_token = refresh;
  tokens.expires_at = g_get_real_time () / G_USEC_PER_SEC + 3600;
  json = calsync_tokens_to_json (&tokens);

  calsync_secrets_store_async (account_id, "CalSync test", json, NULL,
                               calsync_test_result_cb, &result);
  g_assert_true (calsync_secrets_store_finish (calsync_test_spin (&result), &error));
  g_assert_no_error (error);
}

/* Deletes the tokens of @account_id from the keyring, if there are any. */
void
calsync_test_delete_secret (gint64 account_id)
{
  g_autoptr(GAsyncResult) result = NULL;

  calsync_secrets_delete_async (account_id, NULL, calsync_test_result_cb, &result);
  calsync_secrets_delete_finish (calsync_test_spin (&result), NULL);
}

/**
 * calsync_test_add_google_account:
 *
 * Adds the Google account @email to the default database with the id
 * @account_id (see calsync_test_renumber_account()), and tokens for it from
 * @fake to the keyring.
 *
 * Returns: (transfer full): the database, open
 */
CalsyncStore *
calsync_test_add_google_account (CalsyncFakeGoogle *fake,
                                 const char        *email,
                                 gint64             account_id)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(GError) error = NULL;

  store = calsync_store_open (NULL, &error);
  g_assert_no_error (error);

  calsync_account_set_provider (account, "google");
  calsync_account_set_email (account, email);
  calsync_test_renumber_account (&store, calsync_store_add_account (store, account, &error), account_id);
  g_assert_no_error (error);
  calsync_test_store_tokens (fake, email, account_id);
  return g_steal_pointer (&store);
}

/**
 * calsync_test_add_calendar:
 *
 * Adds the Google calendar @remote_id of @email to @fake and, active, to @store
 * under @account_id; it is the primary one when @remote_id is @email.
 *
 * Returns: the calendar's id in @store
 */
gint64
calsync_test_add_calendar (CalsyncFakeGoogle *fake,
                           CalsyncStore      *store,
                           gint64             account_id,
                           const char        *email,
                           const char        *remote_id,
                           const char        *name,
                           const char        *color)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  g_autoptr(GError) error = NULL;
  gboolean primary = g_str_equal (email, remote_id);
  gint64 id;

  calsync_fake_google_add_calendar (fake, email, remote_id, name, primary);
  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, remote_id);
  calsync_calendar_set_name (calendar, name);
  calsync_calendar_set_color (calendar, color);
  calsync_calendar_set_is_active (calendar, TRUE);
  calsync_calendar_set_is_primary (calendar, primary);
  id = calsync_store_add_calendar (store, calendar, &error);
  g_assert_no_error (error);
  return id;
}

#ifdef CALSYNC_TEST_UTILS_GUI

/* Widgets and windows --------------------------------------------------------- */

/* The main window of @app; asserts there is one. */
CalsyncWindow *
calsync_test_get_window (CalsyncApplication *app)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (app)); l != NULL; l = l->next)
    if (CALSYNC_IS_WINDOW (l->data))
      return l->data;

  g_assert_not_reached ();
}

/* The first toplevel of @type (among the visible ones if @visible_only), or NULL. */
GtkWindow *
calsync_test_find_toplevel (GType    type,
                            gboolean visible_only)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();

  for (GList *l = toplevels; l != NULL; l = l->next)
    if (G_TYPE_CHECK_INSTANCE_TYPE (l->data, type) &&
        (!visible_only || gtk_widget_get_visible (l->data)))
      return l->data;
  return NULL;
}

/* When the environment variable @dir_variable names a directory, writes a
 * screenshot of the root window there as @name (ImageMagick's `import`). */
void
calsync_test_screenshot (const char *dir_variable,
                         const char *name)
{
  const char *dir = g_getenv (dir_variable);
  g_autofree char *path = NULL;
  g_autofree char *command = NULL;

  if (dir == NULL)
    return;

  calsync_test_settle (400);
  path = g_build_filename (dir, name, NULL);
  command = g_strdup_printf ("import -window root %s", path);
  g_assert_true (g_spawn_command_line_sync (command, NULL, NULL, NULL, NULL));
}

/* Running g_test inside the application --------------------------------------- */

typedef struct
{
  CalsyncApplication *app;
  CalsyncTestHook before;
  CalsyncTestHook after;
  gboolean started;
  int status;
} TestRun;

static gboolean
run_tests_idle (gpointer data)
{
  TestRun *run = data;

  if (run->before != NULL)
    run->before ();
  run->status = g_test_run ();
  if (run->after != NULL)
    run->after ();
  g_application_quit (G_APPLICATION (run->app));
  return G_SOURCE_REMOVE;
}

static void
activate_cb (GApplication *application,
             TestRun      *run)
{
  if (run->started)
    return;
  run->started = TRUE;
  g_idle_add (run_tests_idle, run);
}

/**
 * calsync_test_run_in_app:
 * @before: (nullable): called in the application before the tests
 * @after: (nullable): called in the application after the tests
 *
 * Runs @app and, once it is first activated (its window shown), g_test_run()
 * from an idle; quits @app after the tests.
 *
 * Returns: the status of g_test_run()
 */
int
calsync_test_run_in_app (CalsyncApplication *app,
                         CalsyncTestHook     before,
                         CalsyncTestHook     after)
{
  TestRun run = { app, before, after, FALSE, 1 };
  gulong handler;

  handler = g_signal_connect_after (app, "activate", G_CALLBACK (activate_cb), &run);
  g_application_run (G_APPLICATION (app), 0, NULL);
  g_signal_handler_disconnect (app, handler);
  return run.status;
}

#endif /* CALSYNC_TEST_UTILS_GUI */
