/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-sync.c: the headless commands that need the network, the keyring
 * or libical: --sync, --add-account, --remove-account, --import, --export.
 *
 * They live in a module (calsync-commands.so) that calsync_cli_main() loads
 * only for them: libsoup, libsecret and libical (with ICU) cost a status bar's
 * `calsync --next` tens of milliseconds of dynamic linking otherwise. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <glib-unix.h>
#include <glib/gi18n.h>

#include "calsync-secret.h"
#include "calsync-account-removal.h"
#include "calsync-account-setup.h"
#include "calsync-credentials.h"
#include "calsync-cli-private.h"
#include "calsync-cli.h"
#include "calsync-oauth.h"
#include "calsync-secrets.h"
#include "calsync-store.h"
#include "calsync-sync-engine.h"
#include "calsync-text.h"

/* Headless helpers ------------------------------------------------------------ */

/* Runs the default main context until one async call has finished */
typedef struct
{
  GMainLoop *loop;
  GAsyncResult *result;
} Wait;

static void
wait_cb (GObject      *object,
         GAsyncResult *result,
         gpointer      user_data)
{
  Wait *wait = user_data;

  wait->result = g_object_ref (result);
  g_main_loop_quit (wait->loop);
}

static GAsyncResult *
wait_run (Wait *wait)
{
  g_main_loop_run (wait->loop);
  g_clear_pointer (&wait->loop, g_main_loop_unref);
  return wait->result;
}

#define WAIT_INIT { g_main_loop_new (NULL, FALSE), NULL }

static gboolean
interrupted_cb (gpointer user_data)
{
  g_cancellable_cancel (user_data);
  return G_SOURCE_CONTINUE;
}

/* Ctrl+C cancels the command cleanly (tokens and pages in flight are not half saved) */
static guint
watch_interrupt (GCancellable *cancellable)
{
  return g_unix_signal_add (SIGINT, interrupted_cb, cancellable);
}

/* --sync ----------------------------------------------------------------- */

/* Prints a line to stderr that quotes server text, made safe for a terminal */
static void
print_clean_line (const char *line)
{
  g_autofree char *clean = calsync_text_for_terminal (line, FALSE);

  g_printerr ("%s\n", clean);
}

static void
progress_cb (CalsyncSyncEngine           *engine,
             const CalsyncCalendarResult *result,
             gpointer                     user_data)
{
  g_autofree char *line = g_strdup_printf ("%s %s (%s)", result->success ? "✓" : "✗",
                                           result->calendar_name ? result->calendar_name : "",
                                           result->email ? result->email : "");

  print_clean_line (line);
}

static void
print_report (CalsyncSyncReport *report,
              gboolean           json)
{
  if (json)
    {
      g_autofree char *text = calsync_sync_report_to_json (report);

      g_print ("%s\n", text);
      return;
    }

  {
    g_autofree char *text = calsync_sync_report_to_text (report);

    g_print ("%s", text);
  }

  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    {
      const CalsyncCalendarResult *result = calsync_sync_report_get_result (report, i);

      if (!result->success)
        {
          g_autofree char *line = g_strdup_printf ("calsync: %s (%s): %s", result->calendar_name,
                                                   result->email, result->error);

          print_clean_line (line);
        }
    }
}

/* Forwarding to a running window -------------------------------------------- */

/* Returned by the forwarding process's own command-line handler: it became the
 * primary instance itself (the window quit in between), so run headless. */
#define NOT_FORWARDED 127

/* Without a session bus address, GLib would autolaunch a bus (X11): never do that */
static gboolean
has_session_bus_address (void)
{
  g_autofree char *socket = g_build_filename (g_get_user_runtime_dir (), "bus", NULL);

  return g_getenv ("DBUS_SESSION_BUS_ADDRESS") != NULL || g_file_test (socket, G_FILE_TEST_EXISTS);
}

static gboolean
instance_is_running (void)
{
  g_autoptr(GDBusConnection) bus = NULL;
  g_autoptr(GVariant) reply = NULL;
  gboolean has_owner = FALSE;

  if (!has_session_bus_address () || !(bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL)))
    return FALSE;

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.DBus", "/org/freedesktop/DBus",
                                       "org.freedesktop.DBus", "NameHasOwner",
                                       g_variant_new ("(s)", APP_ID), G_VARIANT_TYPE ("(b)"),
                                       G_DBUS_CALL_FLAGS_NONE, 2000, NULL, NULL);
  if (reply != NULL)
    g_variant_get (reply, "(b)", &has_owner);

  return has_owner;
}

static int
not_forwarded_cb (GApplication            *app,
                  GApplicationCommandLine *command_line)
{
  return NOT_FORWARDED;
}

/* When org.example.CalSync runs, hand it the command line: the sync runs in the
 * window (its spinner and toast show it) and the window prints the report and
 * sets the exit status through GApplicationCommandLine. A plain GApplication
 * does the forwarding: as a remote instance it never emits startup, and it
 * links nothing that could open a display. */
static gboolean
forward_to_running_instance (int    argc,
                             char **argv,
                             int   *exit_status)
{
  g_autoptr(GApplication) app = NULL;
  int status;

  if (!instance_is_running ())
    return FALSE;

  app = g_application_new (APP_ID, G_APPLICATION_HANDLES_COMMAND_LINE);
  g_signal_connect (app, "command-line", G_CALLBACK (not_forwarded_cb), NULL);
  status = g_application_run (app, argc, argv);
  if (status == NOT_FORWARDED)
    return FALSE;

  *exit_status = status;
  return TRUE;
}

static int
run_sync (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncHttp) http = NULL;
  g_autoptr(CalsyncSyncEngine) engine = NULL;
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  Wait wait = WAIT_INIT;
  guint back, ahead, sigint_id;

  if (!(store = calsync_cli_open_store ()))
    {
      g_main_loop_unref (wait.loop);
      return CALSYNC_EXIT_FAILED;
    }

  http = calsync_http_new ();
  engine = calsync_sync_engine_new (store, http);
  calsync_cli_read_sync_window (&back, &ahead);
  calsync_sync_engine_set_window (engine, back, ahead);

  if (isatty (STDERR_FILENO))
    g_signal_connect (engine, "calendar-synced", G_CALLBACK (progress_cb), NULL);

  sigint_id = watch_interrupt (cancellable);
  calsync_sync_engine_sync_async (engine, NULL, cancellable, wait_cb, &wait);
  result = wait_run (&wait);
  g_source_remove (sigint_id);

  report = calsync_sync_engine_sync_finish (engine, result, &error);
  if (report == NULL)
    {
      g_autofree char *text = calsync_sync_error_text (error);

      g_printerr ("calsync: %s\n", text);
      return CALSYNC_EXIT_FAILED;
    }

  print_report (report, command->json);
  return calsync_sync_report_get_success (report) ? CALSYNC_EXIT_OK : CALSYNC_EXIT_FAILED;
}

/* --remove-account ------------------------------------------------------- */

static int
run_remove_account (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *email = NULL;
  Wait wait = { NULL, NULL };
  gint64 id = 0;

  if (!g_ascii_string_to_signed (command->remove_account, 10, 1, G_MAXINT64, &id, NULL))
    {
      g_printerr (_("calsync: “%s” is not an account id; --list-accounts shows them\n"), command->remove_account);
      return CALSYNC_EXIT_USAGE;
    }

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  if (!(account = calsync_store_get_account (store, id, &error)))
    {
      g_autofree char *id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      /* Translators: %s is an account id, a number */
      g_printerr (_("calsync: There is no account %s; --list-accounts shows them\n"), id_text);
      return CALSYNC_EXIT_FAILED;
    }

  wait.loop = g_main_loop_new (NULL, FALSE);
  /* Marked, secret deleted, then removed: never waits for a sync of another
   * process, whose renewed sign-in of this account deletes itself */
  calsync_account_remove_async (store, NULL, id, wait_cb, &wait);
  result = wait_run (&wait);
  if (!calsync_account_remove_finish (result, &error))
    {
      g_autofree char *text = calsync_sync_error_text (error);

      g_printerr ("calsync: %s\n", text);
      return CALSYNC_EXIT_FAILED;
    }

  email = calsync_text_for_terminal (calsync_account_get_email (account), FALSE);
  g_printerr (_("Removed %s and its calendars.\n"), email ? email : command->remove_account);
  return CALSYNC_EXIT_OK;
}

/* --add-account ---------------------------------------------------------- */

static void
present_sign_in_url (const char *url,
                     gboolean    no_browser)
{
  g_autoptr(GError) error = NULL;

  if (no_browser)
    {
      /* The only line on stdout: scripts and tests read it */
      g_print ("%s\n", url);
      fflush (stdout);
      return;
    }

  /* The URL carries no secret (only the PKCE challenge and state) */
  if (g_app_info_launch_default_for_uri (url, NULL, &error))
    g_printerr (_("Opening your browser to sign in… If nothing happens, open this address:\n%s\n"), url);
  else
    g_printerr (_("Open this address in a browser to sign in:\n%s\n"), url);
}

/* How long --add-account waits for the browser */
#define SIGN_IN_MINUTES 10

typedef struct
{
  GCancellable *waiting;
  gboolean timed_out;
} SignInTimeout;

static gboolean
sign_in_timed_out_cb (gpointer user_data)
{
  SignInTimeout *timeout = user_data;

  timeout->timed_out = TRUE;
  g_cancellable_cancel (timeout->waiting);
  return G_SOURCE_REMOVE;
}

static void
forward_cancel_cb (GCancellable *cancellable,
                   GCancellable *waiting)
{
  g_cancellable_cancel (waiting);
}

static CalsyncTokens *
sign_in (CalsyncHttp              *http,
         const CalsyncOAuthConfig *config,
         gboolean                  no_browser,
         GCancellable             *cancellable,
         GError                  **error)
{
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (http, config);
  g_autoptr(GCancellable) waiting = g_cancellable_new ();
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) local_error = NULL;
  g_autofree char *url = NULL;
  SignInTimeout timeout = { waiting, FALSE };
  CalsyncTokens *tokens;
  gulong cancel_id;
  guint timeout_id;
  Wait wait = WAIT_INIT;

  if (!(url = calsync_oauth_flow_start (flow, error)))
    {
      g_main_loop_unref (wait.loop);
      return NULL;
    }

  present_sign_in_url (url, no_browser);
  cancel_id = g_cancellable_connect (cancellable, G_CALLBACK (forward_cancel_cb), waiting, NULL);
  timeout_id = g_timeout_add_seconds (SIGN_IN_MINUTES * 60, sign_in_timed_out_cb, &timeout);
  calsync_oauth_flow_wait_async (flow, waiting, wait_cb, &wait);
  result = wait_run (&wait);
  if (!timeout.timed_out)
    g_source_remove (timeout_id);
  g_cancellable_disconnect (cancellable, cancel_id);

  tokens = calsync_oauth_flow_wait_finish (flow, result, &local_error);
  if (tokens != NULL)
    return tokens;

  if (timeout.timed_out)
    g_set_error (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_FAILED,
                 g_dngettext (GETTEXT_PACKAGE,
                              "No sign-in came within %d minute; nothing was added. Run the command again to try once more.",
                              "No sign-in came within %d minutes; nothing was added. Run the command again to try once more.",
                              SIGN_IN_MINUTES),
                 SIGN_IN_MINUTES);
  else
    g_propagate_error (error, g_steal_pointer (&local_error));

  return NULL;
}

/* Lists the calendars, records the account, its calendars and its tokens
 * (calsync-account-setup, shared with Preferences). */
static CalsyncAccount *
record_account (CalsyncStore             *store,
                CalsyncHttp              *http,
                const char               *provider_name,
                const CalsyncOAuthConfig *config,
                const CalsyncTokens      *tokens,
                GCancellable             *cancellable,
                guint                    *n_calendars,
                GError                  **error)
{
  g_autoptr(CalsyncCredentials) credentials = calsync_credentials_new_oauth (http, config, 0);
  g_autoptr(CalsyncAccount) unsaved = calsync_account_new ();
  g_autoptr(CalsyncProvider) provider = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  Wait wait = WAIT_INIT;

  calsync_credentials_set_tokens (credentials, tokens);
  calsync_account_set_provider (unsaved, provider_name);
  if (!(provider = calsync_provider_new_for_account (unsaved, http, credentials, error)))
    return NULL;
  calsync_account_setup_async (store, provider, provider_name, tokens,
                               cancellable, wait_cb, &wait);
  result = wait_run (&wait);

  return calsync_account_setup_finish (result, n_calendars, error);
}

/* --add-account=google or =outlook: the sign-in in a browser, then the account */
static gboolean
connect_oauth (CalsyncStore   *store,
               CalsyncHttp    *http,
               const char     *provider_name,
               gboolean        no_browser,
               GCancellable   *cancellable,
               GError        **error)
{
  g_autoptr(CalsyncOAuthConfig) config = calsync_oauth_config_new_for_provider (provider_name);
  g_autoptr(CalsyncTokens) tokens = NULL;
  g_autoptr(CalsyncAccount) account = NULL;
  g_autofree char *email = NULL;
  guint n_calendars = 0;

  g_return_val_if_fail (config != NULL, FALSE);

  if (!(tokens = sign_in (http, config, no_browser, cancellable, error)) ||
      !(account = record_account (store, http, provider_name, config, tokens,
                                  cancellable, &n_calendars, error)))
    return FALSE;

  email = calsync_text_for_terminal (calsync_account_get_email (account), FALSE);
  g_printerr (g_dngettext (GETTEXT_PACKAGE, "Connected %s with %u calendar.\n",
                           "Connected %s with %u calendars.\n", n_calendars),
              email, n_calendars);
  return TRUE;
}

/* The password for --add-account=caldav: one line of stdin, never echoed by us */
#define MAX_PASSWORD 4096

static char *
read_password_line (void)
{
  char line[MAX_PASSWORD + 2];
  char *password = NULL;
  gsize length;

  if (isatty (STDIN_FILENO))
    g_printerr (_("Password: "));
  /* Unbuffered: no copy of the password stays in stdio's buffer */
  setvbuf (stdin, NULL, _IONBF, 0);

  if (fgets (line, sizeof line, stdin) != NULL)
    {
      length = strcspn (line, "\r\n");
      if (length <= MAX_PASSWORD)
        password = g_strndup (line, length);
    }

  calsync_secret_wipe (line, sizeof line);
  return password;
}

/* --add-account=caldav --server=URL --username=NAME, the password on stdin */
static int
connect_caldav (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncHttp) http = NULL;
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  g_autofree char *user = NULL;
  g_autofree char *number = NULL;
  g_autofree char *shown_error = NULL;
  char *password;
  guint n_calendars = 0;
  guint sigint_id;
  Wait wait = { NULL, NULL };

  if (command->server == NULL || command->username == NULL || *command->username == '\0')
    {
      g_printerr (_("calsync: --add-account=caldav needs --server=URL and --username=NAME "
                    "(the password is read from stdin)\n"));
      return CALSYNC_EXIT_USAGE;
    }

  password = read_password_line ();
  if (password == NULL || *password == '\0')
    {
      calsync_secret_free (password);
      g_printerr (_("calsync: No password was given; write it as one line on stdin. Nothing was added.\n"));
      return CALSYNC_EXIT_FAILED;
    }

  if (!(store = calsync_cli_open_store ()))
    {
      calsync_secret_free (password);
      return CALSYNC_EXIT_FAILED;
    }

  http = calsync_http_new ();
  sigint_id = watch_interrupt (cancellable);
  wait.loop = g_main_loop_new (NULL, FALSE);
  calsync_account_setup_caldav_async (store, http, command->server, command->username, password,
                                      command->allow_insecure, cancellable, wait_cb, &wait);
  calsync_secret_free (password);
  result = wait_run (&wait);
  g_source_remove (sigint_id);

  if (!(account = calsync_account_setup_caldav_finish (result, &n_calendars, &error)))
    {
      shown_error = calsync_text_for_terminal (error->message, FALSE);
      g_printerr (_("calsync: %s Nothing was added.\n"), shown_error);
      return CALSYNC_EXIT_FAILED;
    }

  user = calsync_text_for_terminal (calsync_account_get_email (account), FALSE);
  /* Translators: a user name, an account id (a number), how many calendars */
  number = g_strdup_printf ("%" G_GINT64_FORMAT, calsync_account_get_id (account));
  g_print (g_dngettext (GETTEXT_PACKAGE, "Connected %s (CalDAV, account %s) with %u calendar.\n",
                        "Connected %s (CalDAV, account %s) with %u calendars.\n", n_calendars),
           user, number, n_calendars);
  return CALSYNC_EXIT_OK;
}

static int
run_add_account (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncHttp) http = NULL;
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  g_autoptr(GError) error = NULL;
  gboolean ok;
  guint sigint_id;

  if (g_str_equal (command->add_account, "caldav"))
    return connect_caldav (command);

  if (!g_str_equal (command->add_account, "google") && !g_str_equal (command->add_account, "outlook"))
    {
      g_printerr (_("calsync: Unknown provider “%s”; use google, outlook or caldav\n"), command->add_account);
      g_printerr (_("Run “%s --help” to see the available options.\n"), g_get_prgname ());
      return CALSYNC_EXIT_USAGE;
    }

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  http = calsync_http_new ();
  sigint_id = watch_interrupt (cancellable);
  ok = connect_oauth (store, http, command->add_account, command->no_browser, cancellable, &error);
  g_source_remove (sigint_id);

  if (!ok)
    {
      g_autofree char *text = calsync_sync_error_text (error);
      g_autofree char *clean = NULL;

      /* Sign-in errors (denied, timed out) already speak to people */
      clean = calsync_text_for_terminal (error->domain == CALSYNC_OAUTH_ERROR &&
                                         error->code != CALSYNC_OAUTH_ERROR_INVALID_GRANT ? error->message : text,
                                         FALSE);
      g_printerr ("calsync: %s\n", clean);
      return CALSYNC_EXIT_FAILED;
    }

  return CALSYNC_EXIT_OK;
}

/**
 * calsync_commands_main:
 *
 * Entry point of the commands module, called by calsync_cli_main().
 *
 * Returns: the process exit status
 */
int
calsync_commands_main (CalsyncCommand *command,
                       int             argc,
                       char          **argv)
{
  int status;

  switch (command->kind)
    {
    case CALSYNC_COMMAND_SYNC:
      if (forward_to_running_instance (argc, argv, &status))
        return status;
      return run_sync (command);
    case CALSYNC_COMMAND_ADD_ACCOUNT:
      return run_add_account (command);
    case CALSYNC_COMMAND_REMOVE_ACCOUNT:
      return run_remove_account (command);
    case CALSYNC_COMMAND_IMPORT:
      return calsync_cli_run_import (command);
    case CALSYNC_COMMAND_EXPORT:
      return calsync_cli_run_export (command);
    default:
      g_return_val_if_reached (CALSYNC_EXIT_USAGE);
    }
}
