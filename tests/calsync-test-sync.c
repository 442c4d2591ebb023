/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-sync.c: helpers of the sync acceptance tests — the real calsync
 * as a child reaped with wait4() (so its peak memory is known), a fake Google
 * with accounts in a fresh database and the keyring, and readers for the JSON. */
#define G_LOG_DOMAIN "calsync-test-sync"

#include "config.h"

#include <locale.h>

#include <errno.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <gio/gunixinputstream.h>

#include "calsync-oauth.h"
#include "calsync-secrets.h"
#include "calsync-test-sync.h"
#include "calsync-test-utils.h"

/* Children ------------------------------------------------------------------- */

struct _CalsyncTestChild
{
  GPid pid;
  char *command;          /* for messages */
  gint64 started;
  GThread *waiter;
  gint exited;            /* atomic */
  int wait_status;
  glong max_rss_kib;
  GOutputStream *out;
  GOutputStream *err;
  guint n_open_streams;
};

void
calsync_test_run_free (CalsyncTestRun *run)
{
  g_free (run->out);
  g_free (run->err);
  g_free (run);
}

/* Reaps the child with wait4() to learn its peak memory, then wakes the main context */
static gpointer
wait_child (gpointer data)
{
  CalsyncTestChild *child = data;
  struct rusage usage = { 0 };
  int status = 0;

  while (wait4 (child->pid, &status, 0, &usage) < 0 && errno == EINTR)
    ;
  child->wait_status = status;
  child->max_rss_kib = usage.ru_maxrss;
  g_atomic_int_set (&child->exited, 1);
  g_main_context_wakeup (NULL);
  return NULL;
}

static void
on_spliced (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CalsyncTestChild *child = user_data;

  g_output_stream_splice_finish (G_OUTPUT_STREAM (object), result, NULL);
  child->n_open_streams--;
  g_main_context_wakeup (NULL);
}

static GOutputStream *
read_all (CalsyncTestChild *child,
          int               fd)
{
  g_autoptr(GInputStream) input = g_unix_input_stream_new (fd, TRUE);
  GOutputStream *memory = g_memory_output_stream_new_resizable ();

  child->n_open_streams++;
  g_output_stream_splice_async (memory, input, G_OUTPUT_STREAM_SPLICE_CLOSE_SOURCE |
                                G_OUTPUT_STREAM_SPLICE_CLOSE_TARGET,
                                G_PRIORITY_DEFAULT, NULL, on_spliced, child);
  return memory;
}

static char **
child_environment (const char         *data_home,
                   const char * const *env)
{
  char **envp = g_get_environ ();

  envp = g_environ_setenv (envp, "XDG_DATA_HOME", data_home, TRUE);
  envp = g_environ_unsetenv (envp, "DISPLAY");
  envp = g_environ_unsetenv (envp, "WAYLAND_DISPLAY");
  for (guint i = 0; env != NULL && env[i] != NULL; i++)
    {
      g_auto(GStrv) pair = g_strsplit (env[i], "=", 2);

      envp = g_environ_setenv (envp, pair[0], pair[1] ? pair[1] : "", TRUE);
    }
  return envp;
}

/* A test that fails aborts: its children must not outlive it (a sign-in would
 * wait for its redirect forever) */
static void
die_with_parent (gpointer data)
{
  prctl (PR_SET_PDEATHSIG, SIGKILL);
}

CalsyncTestChild *
calsync_test_child_spawn (const char         *data_home,
                          const char * const *args,
                          const char * const *env)
{
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_auto(GStrv) envp = child_environment (data_home, env);
  g_autoptr(GError) error = NULL;
  CalsyncTestChild *child = g_new0 (CalsyncTestChild, 1);
  int out_fd = -1, err_fd = -1;

  g_spawn_async_with_pipes (NULL, (char **) argv->pdata, envp,
                            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDIN_FROM_DEV_NULL,
                            die_with_parent, NULL, &child->pid, NULL, &out_fd, &err_fd, &error);
  g_assert_no_error (error);

  child->command = g_strjoinv (" ", (char **) args);
  child->started = g_get_monotonic_time ();
  child->out = read_all (child, out_fd);
  child->err = read_all (child, err_fd);
  child->waiter = g_thread_new ("calsync-waiter", wait_child, child);
  return child;
}

gboolean
calsync_test_child_is_done (CalsyncTestChild *child)
{
  return g_atomic_int_get (&child->exited) && child->n_open_streams == 0;
}

char *
calsync_test_child_peek_stdout (CalsyncTestChild *child)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (child->out);
  const char *data = g_memory_output_stream_get_data (memory);

  return data ? g_strndup (data, g_memory_output_stream_get_data_size (memory)) : g_strdup ("");
}

static gboolean
child_done (gpointer data)
{
  return calsync_test_child_is_done (data);
}

static char *
steal_text (GOutputStream *stream)
{
  GMemoryOutputStream *memory = G_MEMORY_OUTPUT_STREAM (stream);
  gsize size = g_memory_output_stream_get_data_size (memory);
  char *data = g_memory_output_stream_steal_data (memory);

  data = g_realloc (data, size + 1);
  data[size] = '\0';
  return data;
}

static void
child_free (CalsyncTestChild *child)
{
  g_thread_join (child->waiter);
  g_object_unref (child->out);
  g_object_unref (child->err);
  g_free (child->command);
  g_free (child);
}

void
calsync_test_child_kill (CalsyncTestChild *child)
{
  kill (child->pid, SIGKILL);
}

CalsyncTestRun *
calsync_test_child_finish (CalsyncTestChild *child,
                           guint             timeout_ms)
{
  CalsyncTestRun *run;

  if (!calsync_test_wait_until (child_done, child, timeout_ms))
    {
      g_test_message ("calsync %s: still running after %u ms, killed", child->command, timeout_ms);
      kill (child->pid, SIGKILL);
      calsync_test_wait_until (child_done, child, 10000);
      child_free (child);
      return NULL;
    }

  run = g_new0 (CalsyncTestRun, 1);
  run->status = WIFEXITED (child->wait_status) ? WEXITSTATUS (child->wait_status) : -1;
  run->signal = WIFSIGNALED (child->wait_status) ? WTERMSIG (child->wait_status) : 0;
  run->out = steal_text (child->out);
  run->err = steal_text (child->err);
  run->max_rss_kib = child->max_rss_kib;
  run->seconds = (g_get_monotonic_time () - child->started) / (double) G_USEC_PER_SEC;
  g_test_message ("calsync %s → %d (signal %d) in %.1f s, peak RSS %ld KiB\nstdout: %.4000s\nstderr: %.4000s",
                  child->command, run->status, run->signal, run->seconds, run->max_rss_kib, run->out, run->err);
  child_free (child);
  return run;
}

CalsyncTestRun *
calsync_test_calsync (const char         *data_home,
                      const char * const *args,
                      const char * const *env,
                      guint               timeout_ms)
{
  g_autofree char *command = g_strjoinv (" ", (char **) args);
  CalsyncTestRun *run = calsync_test_child_finish (calsync_test_child_spawn (data_home, args, env), timeout_ms);

  CALSYNC_CHECK (run != NULL, "`calsync %s` was still running after %u s (killed)", command, timeout_ms / 1000);
  CALSYNC_CHECK (run->signal == 0, "`calsync %s` crashed with signal %d (%s); stderr:\n%s", command,
                 run->signal, g_strsignal (run->signal), run->err);
  return run;
}

/* Fake Google with accounts ---------------------------------------------------- */

void
calsync_test_google_setup (CalsyncTestGoogle *fx,
                           const char        *name)
{
  g_autofree char *template = g_strdup_printf ("calsync-%s-XXXXXX", name);
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp (template, &error);
  g_assert_no_error (error);
  fx->store = calsync_test_open_store (fx->dir);
  calsync_test_reserve_account_ids (calsync_store_get_path (fx->store));
  fx->fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fx->fake);
  fx->account_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
}

void
calsync_test_google_teardown (CalsyncTestGoogle *fx)
{
  for (guint i = 0; i < fx->account_ids->len; i++)
    calsync_test_delete_secret (g_array_index (fx->account_ids, gint64, i));
  g_array_unref (fx->account_ids);
  calsync_store_close (fx->store);
  g_clear_object (&fx->store);
  g_clear_object (&fx->fake);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (fx->dir);
  g_clear_pointer (&fx->dir, g_free);
}

void
calsync_test_google_store_tokens (CalsyncTestGoogle *fx,
                                  const char        *email,
                                  gint64             account_id,
                                  gint64             expires_in)
{
  calsync_test_store_tokens_expiring (fx->fake, email, account_id, expires_in);
}

gint64
calsync_test_google_add_account (CalsyncTestGoogle *fx,
                                 const char        *email,
                                 gint64             expires_in)
{
  gint64 id = calsync_test_store_add_account (fx->store, "google", email);

  g_array_append_val (fx->account_ids, id);
  calsync_test_google_store_tokens (fx, email, id, expires_in);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fx->fake), email);
  return id;
}

void
calsync_test_google_put_event (CalsyncTestGoogle *fx,
                               const char        *calendar_id,
                               const char        *event_id,
                               const char        *title,
                               int                day)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *start = g_strdup_printf ("2026-06-%02dT10:00:00+02:00", day);
  g_autofree char *end = g_strdup_printf ("2026-06-%02dT11:00:00+02:00", day);
  g_autofree char *json = NULL;

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "id");
  json_builder_add_string_value (builder, event_id);
  json_builder_set_member_name (builder, "status");
  json_builder_add_string_value (builder, "confirmed");
  json_builder_set_member_name (builder, "summary");
  json_builder_add_string_value (builder, title);
  json_builder_set_member_name (builder, "start");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "dateTime");
  json_builder_add_string_value (builder, start);
  json_builder_set_member_name (builder, "timeZone");
  json_builder_add_string_value (builder, "Europe/Berlin");
  json_builder_end_object (builder);
  json_builder_set_member_name (builder, "end");
  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "dateTime");
  json_builder_add_string_value (builder, end);
  json_builder_set_member_name (builder, "timeZone");
  json_builder_add_string_value (builder, "Europe/Berlin");
  json_builder_end_object (builder);
  json_builder_end_object (builder);

  root = json_builder_get_root (builder);
  json = json_to_string (root, FALSE);
  calsync_fake_google_put_event (fx->fake, calendar_id, json);
}

char *
calsync_test_google_lookup_secret (gint64 account_id)
{
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  char *secret;

  calsync_secrets_lookup_async (account_id, NULL, calsync_test_result_cb, &result);
  secret = calsync_secrets_lookup_finish (calsync_test_spin (&result), &error);
  if (error != NULL && !g_error_matches (error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND))
    g_error ("The keyring cannot be read: %s", error->message);
  return secret;
}

/* JSON ------------------------------------------------------------------------- */

static JsonNode *
parse_document (const char *text,
                const char *what)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  CALSYNC_CHECK (text != NULL && json_parser_load_from_data (parser, text, -1, &error),
                 "%s is not one JSON document (%s):\n%.2000s", what, error ? error->message : "no text",
                 text ? text : "");
  return json_node_copy (json_parser_get_root (parser));
}

JsonObject *
calsync_test_parse_object (const char *text,
                           const char *what)
{
  g_autoptr(JsonNode) root = parse_document (text, what);

  CALSYNC_CHECK (JSON_NODE_HOLDS_OBJECT (root), "%s is not a JSON object:\n%.2000s", what, text);
  return json_object_ref (json_node_get_object (root));
}

JsonArray *
calsync_test_parse_array (const char *text,
                          const char *what)
{
  g_autoptr(JsonNode) root = parse_document (text, what);

  CALSYNC_CHECK (JSON_NODE_HOLDS_ARRAY (root), "%s is not a JSON array:\n%.2000s", what, text);
  return json_array_ref (json_node_get_array (root));
}

/* "Name: status (error)" per result of a `--sync --json` report, for messages */
char *
calsync_test_describe_results (JsonObject *report)
{
  JsonArray *results = json_object_get_array_member (report, "results");
  GString *text = g_string_new (NULL);

  for (guint i = 0; results != NULL && i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      const char *error = json_object_get_string_member_with_default (result, "error", NULL);

      g_string_append_printf (text, "\n  %s: %s%s%s%s",
                              json_object_get_string_member_with_default (result, "calendarName", "?"),
                              json_object_get_string_member_with_default (result, "status", "?"),
                              error ? " (" : "", error ? error : "", error ? ")" : "");
    }
  return g_string_free (text, FALSE);
}

JsonObject *
calsync_test_sync_json (const char *data_home,
                        int         expected_status,
                        const char *when)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(CalsyncTestRun) run = calsync_test_calsync (data_home, args, NULL, CALSYNC_TEST_TIMEOUT_MS);
  g_autoptr(JsonObject) report = calsync_test_parse_object (run->out, "The output of `calsync --sync --json`");
  g_autofree char *results = calsync_test_describe_results (report);

  CALSYNC_CHECK (run->status == expected_status,
                 "`calsync --sync --json` %s exited %d, not %d; results:%s\nstderr:\n%.3000s",
                 when, run->status, expected_status, results, run->err);
  return g_steal_pointer (&report);
}

JsonObject *
calsync_test_result_of (JsonObject *report,
                        const char *name)
{
  JsonObject *result = calsync_test_find_result (report, name);
  g_autofree char *results = calsync_test_describe_results (report);

  CALSYNC_CHECK (result != NULL, "`calsync --sync --json` has no result for “%s”; results:%s", name, results);
  return result;
}

JsonObject *
calsync_test_find_result (JsonObject *report,
                          const char *name)
{
  JsonArray *results = json_object_get_array_member (report, "results");

  for (guint i = 0; results != NULL && i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (result, "calendarName", NULL), name) == 0)
        return result;
    }

  return NULL;
}

char *
calsync_test_agenda_titles (JsonArray *agenda)
{
  GString *titles = g_string_new (NULL);

  for (guint i = 0; i < json_array_get_length (agenda); i++)
    g_string_append_printf (titles, "%s“%s”", i ? ", " : "",
                            json_object_get_string_member_with_default (json_array_get_object_element (agenda, i),
                                                                        "title", "?"));
  return g_string_free (titles, FALSE);
}

guint
calsync_test_agenda_count (JsonArray  *agenda,
                           const char *title)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (agenda); i++)
    n += g_strcmp0 (json_object_get_string_member_with_default (json_array_get_object_element (agenda, i),
                                                                "title", NULL), title) == 0;
  return n;
}

JsonArray *
calsync_test_june_agenda (const char *data_home)
{
  const char *args[] = { "--agenda", "--from=2026-06-01", "--to=2026-07-01", "--json", NULL };
  g_autoptr(CalsyncTestRun) run = calsync_test_calsync (data_home, args, NULL, CALSYNC_TEST_TIMEOUT_MS);

  CALSYNC_CHECK (run->status == 0, "`calsync --agenda --json` exited %d:\n%s", run->status, run->err);
  return calsync_test_parse_array (run->out, "The output of `calsync --agenda --json`");
}

JsonObject *
calsync_test_find_account (JsonArray  *accounts,
                           const char *email)
{
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);

      if (g_strcmp0 (json_object_get_string_member_with_default (account, "email", NULL), email) == 0)
        return account;
    }

  return NULL;
}

char *
calsync_test_calendar_names (JsonObject *account)
{
  JsonArray *calendars = json_object_get_array_member (account, "calendars");
  GString *names = g_string_new (NULL);

  for (guint i = 0; calendars != NULL && i < json_array_get_length (calendars); i++)
    g_string_append_printf (names, "%s“%s”", i ? ", " : "",
                            json_object_get_string_member_with_default (json_array_get_object_element (calendars, i),
                                                                        "name", "?"));
  return g_string_free (names, FALSE);
}

gboolean
calsync_test_sync_init (int    *argc,
                        char ***argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_setenv ("CALSYNC_NOW", "2026-06-15T12:00:00Z", TRUE);
  setlocale (LC_ALL, "");
  g_test_init (argc, argv, NULL);

  if (calsync_test_secret_service_available ())
    return TRUE;

  g_test_skip ("No secret service on the session bus");
  return FALSE;
}
