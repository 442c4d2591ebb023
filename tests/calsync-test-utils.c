/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-utils.c: helpers shared by the tests; the GUI part is compiled only
 * with CALSYNC_TEST_UTILS_GUI so that the sync tests link no GTK. */
#include "config.h"

#define G_LOG_DOMAIN "calsync-test-utils"

#include <json-glib/json-glib.h>
#include <libsoup/soup.h>
#include <math.h>
#include <sqlite3.h>
#include <stdlib.h>
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

/**
 * calsync_test_holds_for:
 *
 * For a test that something does not happen: spins the default main context
 * for @ms milliseconds as long as @predicate holds; stops as soon as it does
 * not. (There is no condition to wait for when nothing is to happen: the time
 * is part of the assertion.)
 *
 * Returns: whether @predicate held all along
 */
gboolean
calsync_test_holds_for (CalsyncTestPredicate predicate,
                        gpointer             data,
                        guint                ms)
{
  gboolean timed_out = FALSE;
  guint id = g_timeout_add (ms, timeout_cb, &timed_out);

  while (predicate (data) && !timed_out)
    g_main_context_iteration (NULL, TRUE);

  if (!timed_out)
    g_source_remove (id);
  return predicate (data);
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

/* Environment and files ------------------------------------------------------- */

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

/* Removes @path and, when it is a directory, all below it (links not followed). */
void
calsync_test_remove_tree (const char *path)
{
  g_autoptr(GFile) file = g_file_new_for_path (path);
  g_autoptr(GFileEnumerator) children =
    g_file_enumerate_children (file, G_FILE_ATTRIBUTE_STANDARD_NAME, G_FILE_QUERY_INFO_NOFOLLOW_SYMLINKS, NULL, NULL);
  GFileInfo *info;

  while (children != NULL && (info = g_file_enumerator_next_file (children, NULL, NULL)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, g_file_info_get_name (info), NULL);

      g_object_unref (info);
      calsync_test_remove_tree (child);
    }

  g_file_delete (file, NULL, NULL);
}

/* Opens (creating it) the database that calsync uses with XDG_DATA_HOME=@data_home. */
CalsyncStore *
calsync_test_open_store (const char *data_home)
{
  g_autofree char *path = g_build_filename (data_home, "calsync", "calsync.db", NULL);
  g_autoptr(GError) error = NULL;
  CalsyncStore *store = calsync_store_open (path, &error);

  g_assert_no_error (error);
  g_assert_nonnull (store);
  return store;
}

/* Running the calsync binary -------------------------------------------------- */

/* A launcher for calsync with XDG_DATA_HOME=@data_home and no display. */
GSubprocessLauncher *
calsync_test_new_launcher (GSubprocessFlags  flags,
                           const char       *data_home)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  return launcher;
}

/* The argument vector `CALSYNC_BINARY @args…`, NULL-terminated (strings not copied). */
GPtrArray *
calsync_test_argv (const char * const *args)
{
  GPtrArray *argv = g_ptr_array_new ();

  g_ptr_array_add (argv, (gpointer) CALSYNC_BINARY);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);
  return argv;
}

/**
 * calsync_test_run_calsync_input:
 * @launcher: made with G_SUBPROCESS_FLAGS_STDOUT_PIPE and _STDERR_PIPE (and
 *   _STDIN_PIPE when @input is given)
 * @input: (nullable): what calsync reads on stdin
 * @out: (out) (optional): what calsync printed on stdout
 * @err: (out) (optional): what calsync printed on stderr
 *
 * Runs calsync with @args while spinning the default main context (so that a
 * fake server in this process keeps answering), and asserts that it exited.
 *
 * Returns: its exit status
 */
int
calsync_test_run_calsync_input (GSubprocessLauncher *launcher,
                                const char          *input,
                                const char * const  *args,
                                char               **out,
                                char               **err)
{
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *own_out = NULL;
  g_autofree char *own_err = NULL;

  if (out == NULL)
    out = &own_out;
  if (err == NULL)
    err = &own_err;

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_utf8_async (process, input, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, calsync_test_spin (&result), out, err, &error));
  g_assert_no_error (error);
  g_test_message ("calsync %s → %d\nstdout: %s\nstderr: %s", args[0],
                  g_subprocess_get_if_exited (process) ? g_subprocess_get_exit_status (process) : -1, *out, *err);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* calsync_test_run_calsync_input() with nothing on stdin */
int
calsync_test_run_calsync (GSubprocessLauncher *launcher,
                          const char * const  *args,
                          char               **out,
                          char               **err)
{
  return calsync_test_run_calsync_input (launcher, NULL, args, out, err);
}

/* The arguments from @first to the NULL that ends @rest, NULL-terminated
 * (strings not copied): the args of calsync_test_run_calsync() */
GPtrArray *
calsync_test_args_valist (const char *first,
                          va_list     rest)
{
  GPtrArray *args = g_ptr_array_new ();

  for (const char *arg = first; arg != NULL; arg = va_arg (rest, const char *))
    g_ptr_array_add (args, (gpointer) arg);
  g_ptr_array_add (args, NULL);
  return args;
}

/* Reads @stream to its end; returns the text, NUL-terminated. */
char *
calsync_test_read_rest (GInputStream *stream)
{
  g_autoptr(GOutputStream) memory = g_memory_output_stream_new_resizable ();
  g_autoptr(GError) error = NULL;

  g_output_stream_splice (memory, stream, G_OUTPUT_STREAM_SPLICE_NONE, NULL, &error);
  g_assert_no_error (error);
  g_assert_cmpint (g_output_stream_write (memory, "", 1, NULL, NULL), ==, 1);
  g_output_stream_close (memory, NULL, NULL);
  return g_memory_output_stream_steal_data (G_MEMORY_OUTPUT_STREAM (memory));
}

/* Parses the JSON @text; asserts it is valid. Returns (transfer full) its root. */
JsonNode *
calsync_test_parse_json (const char *text)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, text, -1, &error));
  g_assert_no_error (error);
  return json_node_copy (json_parser_get_root (parser));
}

/**
 * calsync_test_cli_add_account:
 * @launcher: made with G_SUBPROCESS_FLAGS_STDOUT_PIPE
 * @provider: "google" or "outlook"
 * @stderr_path: a file for calsync's stderr
 * @url: (out): the sign-in URL, the first line calsync printed
 * @rest: (out): what calsync printed on stdout after it
 * @err: (out): what calsync printed on stderr
 *
 * Runs `calsync --add-account=PROVIDER --no-browser` and signs in by following
 * the URL it prints (calsync_test_follow_url()), as a person with a browser would.
 *
 * Returns: its exit status
 */
int
calsync_test_cli_add_account (GSubprocessLauncher *launcher,
                              const char          *provider,
                              const char          *stderr_path,
                              char               **url,
                              char               **rest,
                              char               **err)
{
  g_autofree char *option = g_strconcat ("--add-account=", provider, NULL);
  const char *args[] = { option, "--no-browser", NULL };
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GAsyncResult) line_result = NULL;
  g_autoptr(GAsyncResult) wait_result = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_set_stderr_file_path (launcher, stderr_path);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);

  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (process));
  g_data_input_stream_read_line_async (lines, G_PRIORITY_DEFAULT, NULL, calsync_test_result_cb, &line_result);
  *url = g_data_input_stream_read_line_finish_utf8 (lines, calsync_test_spin (&line_result), NULL, &error);
  g_assert_no_error (error);
  g_assert_nonnull (*url);
  calsync_test_follow_url (*url);

  g_subprocess_wait_async (process, NULL, calsync_test_result_cb, &wait_result);
  g_assert_true (g_subprocess_wait_finish (process, calsync_test_spin (&wait_result), &error));
  g_assert_no_error (error);

  *rest = calsync_test_read_rest (G_INPUT_STREAM (lines));
  g_assert_true (g_file_get_contents (stderr_path, err, NULL, NULL));
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

/* Events, accounts and calendars in a store ----------------------------------- */

/* The Unix time of @hour:@minute on @year-@month-@day in the zone @zone_id. */
gint64
calsync_test_instant (const char *iso8601)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (iso8601, NULL);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

CalsyncEvent *
calsync_test_find_event (GPtrArray  *events,
                         const char *external_id)
{
  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_external_id (g_ptr_array_index (events, i)), external_id) == 0)
      return g_ptr_array_index (events, i);

  return NULL;
}

CalsyncEvent *
calsync_test_get_event (GPtrArray  *events,
                        const char *external_id)
{
  CalsyncEvent *event = calsync_test_find_event (events, external_id);

  if (event == NULL)
    g_error ("No event “%s” among the %u", external_id, events->len);
  return event;
}

gint64
calsync_test_local_time (const char *zone_id,
                         int         year,
                         int         month,
                         int         day,
                         int         hour,
                         int         minute)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (zone_id);
  g_autoptr(GDateTime) dt = NULL;

  g_assert_nonnull (zone);
  dt = g_date_time_new (zone, year, month, day, hour, minute, 0);
  return g_date_time_to_unix (dt);
}

/* A new timed event from @start to @end (Unix times), in the zone @zone. */
CalsyncEvent *
calsync_test_timed_event (const char *external_id,
                          const char *title,
                          gint64      start,
                          gint64      end,
                          const char *zone)
{
  CalsyncEvent *event = calsync_event_new ();

  calsync_event_set_external_id (event, external_id);
  calsync_event_set_title (event, title);
  calsync_event_set_times (event, start, end, zone);
  return event;
}

/* A new all-day event from @start_date to @end_date (exclusive; NULL: one day). */
CalsyncEvent *
calsync_test_all_day_event (const char *external_id,
                            const char *title,
                            const char *start_date,
                            const char *end_date)
{
  CalsyncEvent *event = calsync_event_new ();

  calsync_event_set_external_id (event, external_id);
  calsync_event_set_title (event, title);
  calsync_event_set_dates (event, start_date, end_date);
  return event;
}

/* Adds the account @email of @provider to @store; returns its id. */
gint64
calsync_test_store_add_account (CalsyncStore *store,
                                const char   *provider,
                                const char   *email)
{
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  calsync_account_set_provider (account, provider);
  calsync_account_set_email (account, email);
  id = calsync_store_add_account (store, account, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  return id;
}

/* Adds the calendar @remote_id of @account_id to @store (no server); returns its id. */
gint64
calsync_test_store_add_calendar (CalsyncStore *store,
                                 gint64        account_id,
                                 const char   *remote_id,
                                 const char   *name,
                                 const char   *color)
{
  return calsync_test_store_add_calendar_full (store, account_id, remote_id, name, color, 0);
}

/* The same, primary or read-only as @flags say (an active calendar either way) */
gint64
calsync_test_store_add_calendar_full (CalsyncStore             *store,
                                      gint64                    account_id,
                                      const char               *remote_id,
                                      const char               *name,
                                      const char               *color,
                                      CalsyncTestCalendarFlags  flags)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  g_autoptr(GError) error = NULL;
  gint64 id;

  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, remote_id);
  calsync_calendar_set_name (calendar, name);
  calsync_calendar_set_color (calendar, color);
  calsync_calendar_set_is_primary (calendar, (flags & CALSYNC_TEST_CALENDAR_PRIMARY) != 0);
  calsync_calendar_set_read_only (calendar, (flags & CALSYNC_TEST_CALENDAR_READ_ONLY) != 0);
  id = calsync_store_add_calendar (store, calendar, &error);
  g_assert_no_error (error);
  g_assert_cmpint (id, >, 0);
  g_assert_cmpint (calsync_calendar_get_id (calendar), ==, id);
  return id;
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
  calsync_test_store_tokens_expiring (fake, email, account_id, 3600);
}

/* The same, the access token expiring @expires_in seconds from now (≤ 0: expired) */
void
calsync_test_store_tokens_expiring (CalsyncFakeGoogle *fake,
                                    const char        *email,
                                    gint64             account_id,
                                    gint64             expires_in)
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
  tokens.expires_at = g_get_real_time () / G_USEC_PER_SEC + expires_in;
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
  g_autoptr(GError) error = NULL;

  store = calsync_store_open (NULL, &error);
  g_assert_no_error (error);

  calsync_test_renumber_account (&store, calsync_test_store_add_account (store, "google", email), account_id);
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

static void
after_paint_cb (GdkFrameClock *clock,
                guint         *n_unpainted)
{
  g_signal_handlers_disconnect_by_func (clock, after_paint_cb, n_unpainted);
  (*n_unpainted)--;
}

static gboolean
all_painted (gpointer data)
{
  return *(guint *) data == 0;
}

/**
 * calsync_test_wait_painted:
 *
 * Has every visible toplevel paint a new frame and waits (up to 10 s) until
 * they all did: what is on the screen is then what the widgets say.
 *
 * Returns: whether they all painted
 */
gboolean
calsync_test_wait_painted (void)
{
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
  g_autoptr(GPtrArray) clocks = g_ptr_array_new_with_free_func (g_object_unref);
  guint n_unpainted = 0;
  gboolean painted;

  for (GList *l = toplevels; l != NULL; l = l->next)
    {
      GdkFrameClock *clock = gtk_widget_get_frame_clock (l->data);

      if (!gtk_widget_get_mapped (l->data) || clock == NULL)
        continue;
      g_ptr_array_add (clocks, g_object_ref (clock));
      g_signal_connect (clock, "after-paint", G_CALLBACK (after_paint_cb), &n_unpainted);
      n_unpainted++;
      gtk_widget_queue_draw (l->data);
    }

  painted = calsync_test_wait_until (all_painted, &n_unpainted, 10000);
  for (guint i = 0; i < clocks->len; i++)
    g_signal_handlers_disconnect_by_func (g_ptr_array_index (clocks, i), after_paint_cb, &n_unpainted);
  return painted;
}

static gboolean
shows_label (GtkWidget  *widget,
             const char *text)
{
  if (GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
      g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0)
    return TRUE;

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    if (shows_label (child, text))
      return TRUE;
  return FALSE;
}

/* The toast that @widget (a toast's widget) shows, if it says */
static AdwToast *
widget_toast (GtkWidget *widget)
{
  AdwToast *toast = NULL;

  if (g_object_class_find_property (G_OBJECT_GET_CLASS (widget), "toast") != NULL)
    g_object_get (widget, "toast", &toast, NULL);
  if (toast != NULL)
    g_object_unref (toast);   /* still owned by the overlay */
  return toast;
}

/* Where the toast's widget is in @overlay, or NAN when it is not there */
static double
toast_y (GtkWidget  *overlay,
         AdwToast   *toast,
         const char *title)
{
  for (GtkWidget *child = gtk_widget_get_first_child (overlay); child; child = gtk_widget_get_next_sibling (child))
    {
      graphene_rect_t bounds;

      /* "toast" is the documented CSS node of a toast */
      if (g_strcmp0 (gtk_widget_get_css_name (child), "toast") == 0 &&
          (toast == NULL || widget_toast (child) == toast) &&
          shows_label (child, title) && gtk_widget_compute_bounds (child, overlay, &bounds))
        return bounds.origin.y;
    }
  return NAN;
}

static void
painted_cb (GdkFrameClock *clock,
            gboolean      *painted)
{
  *painted = TRUE;
}

static gboolean
flag_set (gpointer data)
{
  return *(gboolean *) data;
}

/* Has @widget paint a new frame and waits for it until @deadline (monotonic) */
static gboolean
wait_next_frame (GtkWidget *widget,
                 gint64     deadline)
{
  GdkFrameClock *clock = gtk_widget_get_frame_clock (widget);
  gint64 left_ms = (deadline - g_get_monotonic_time ()) / 1000;
  gboolean painted = FALSE;
  gulong id;

  if (clock == NULL || left_ms <= 0)
    return FALSE;
  id = g_signal_connect (clock, "after-paint", G_CALLBACK (painted_cb), &painted);
  gtk_widget_queue_draw (widget);
  calsync_test_wait_until (flag_set, &painted, (guint) left_ms);
  g_signal_handler_disconnect (clock, id);
  return painted;
}

/**
 * calsync_test_wait_toast_shown:
 * @overlay: an #AdwToastOverlay
 * @toast: (nullable): the toast, or %NULL to find it by @title
 * @title: the toast's title as shown
 *
 * Waits (up to 30 s: frames are slow under ASan) until the toast is on screen
 * in @overlay and done sliding in: in the same place three frames in a row. Wait for this before a toast is
 * dismissed or replaced: libadwaita 1.2.2 uses freed memory (which crashed the
 * tests under meson's MALLOC_PERTURB_) when a toast that slides in while the
 * one before slides out is dismissed in its first 200 ms. A toast on its way
 * out can have the same title as the new one: pass @toast where you have it.
 *
 * Returns: whether it was shown
 */
gboolean
calsync_test_wait_toast_shown (GtkWidget  *overlay,
                               AdwToast   *toast,
                               const char *title)
{
  gint64 deadline = g_get_monotonic_time () + 30 * G_USEC_PER_SEC;
  double last_y = NAN;
  guint still = 0;

  while (still < 2 && wait_next_frame (overlay, deadline))
    {
      double y = toast_y (overlay, toast, title);

      still = !isnan (y) && y == last_y ? still + 1 : 0;
      last_y = y;
    }
  return still >= 2;
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

  g_assert_true (calsync_test_wait_painted ());
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

static gboolean
bus_name_listed (GDBusConnection *bus,
                 const char      *method,
                 const char      *name)
{
  g_autoptr(GVariant) reply = NULL;
  g_autofree const char **names = NULL;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", method, NULL, G_VARIANT_TYPE ("(as)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, NULL);
  if (reply == NULL)
    return FALSE;

  g_variant_get (reply, "(^a&s)", &names);
  return g_strv_contains (names, name);
}

/**
 * calsync_test_secret_service_available:
 *
 * Whether the test runs in a session of its own with an unlocked keyring:
 * tests/run-with-keyring.sh sets CALSYNC_TEST_PRIVATE_KEYRING and starts
 * gnome-keyring on a private session bus. Never the caller's keyring, which
 * may be locked (libsecret would wait for a prompt) and holds real secrets.
 * With CALSYNC_TEST_NO_SKIP set (CI) a missing keyring is an error.
 */
gboolean
calsync_test_secret_service_available (void)
{
  g_autoptr(GDBusConnection) bus = NULL;

  if (g_getenv ("CALSYNC_TEST_PRIVATE_KEYRING") != NULL)
    bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  if (bus != NULL && bus_name_listed (bus, "ListNames", "org.freedesktop.secrets"))
    return TRUE;

  if (g_getenv ("CALSYNC_TEST_NO_SKIP") != NULL)
    g_error ("No private keyring: run the test through tests/run-with-keyring.sh");
  return FALSE;
}

/**
 * calsync_test_skip_all:
 * @reason: what is missing
 *
 * Skips the whole test program: exits with 77, which meson counts as skipped.
 * With CALSYNC_TEST_NO_SKIP set (CI), where nothing may be missing, fails instead.
 */
void
calsync_test_skip_all (const char *reason)
{
  if (g_getenv ("CALSYNC_TEST_NO_SKIP") != NULL)
    g_error ("%s (CALSYNC_TEST_NO_SKIP is set: not skipping)", reason);

  g_printerr ("Skipped: %s\n", reason);
  exit (77);
}

/* For the start of main() in tests that use the keyring throughout: skips them
 * all unless calsync_test_secret_service_available(). */
void
calsync_test_require_keyring (void)
{
  if (!calsync_test_secret_service_available ())
    calsync_test_skip_all ("no private keyring: run the test through tests/run-with-keyring.sh (meson test does)");
}
