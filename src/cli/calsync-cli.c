/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli.c: command-line parsing; decides between the window and headless commands.
 *
 * Headless commands must work with no display at all, so nothing here touches GTK
 * unless the command is forwarded to a running window or opens one. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <stdio.h>
#include <string.h>

#include <gmodule.h>
#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-cli-private.h"
#include "calsync-cli.h"
#include "calsync-store.h"

void
calsync_command_free (CalsyncCommand *command)
{
  if (command == NULL)
    return;

  g_free (command->add_account);
  g_free (command->server);
  g_free (command->username);
  g_free (command->remove_account);
  g_free (command->from);
  g_free (command->to);
  g_free (command->import_file);
  g_free (command->export_file);
  g_free (command->calendar);
  g_free (command);
}

typedef struct
{
  gboolean sync;
  gboolean list_accounts;
  gboolean agenda;
  gboolean next;
  gboolean version;
} Flags;

static GOptionEntry *
build_entries (CalsyncCommand *command,
               Flags          *flags)
{
  const GOptionEntry entries[] = {
    { "sync", 0, 0, G_OPTION_ARG_NONE, &flags->sync, N_("Sync every active calendar and exit"), NULL },
    { "json", 0, 0, G_OPTION_ARG_NONE, &command->json, N_("Print the result as JSON"), NULL },
    { "add-account", 0, 0, G_OPTION_ARG_STRING, &command->add_account,
      N_("Connect an account (google, outlook or caldav)"), N_("PROVIDER") },
    { "no-browser", 0, 0, G_OPTION_ARG_NONE, &command->no_browser,
      N_("Print the sign-in address instead of opening a browser"), NULL },
    { "server", 0, 0, G_OPTION_ARG_STRING, &command->server, N_("CalDAV server address"), N_("URL") },
    { "username", 0, 0, G_OPTION_ARG_STRING, &command->username, N_("CalDAV user name"), N_("NAME") },
    { "allow-insecure", 0, 0, G_OPTION_ARG_NONE, &command->allow_insecure,
      N_("Allow a CalDAV server without encryption (http://)"), NULL },
    { "list-accounts", 0, 0, G_OPTION_ARG_NONE, &flags->list_accounts,
      N_("List accounts and their calendars"), NULL },
    { "remove-account", 0, 0, G_OPTION_ARG_STRING, &command->remove_account,
      N_("Remove an account, its calendars, events and password"), N_("ID") },
    { "agenda", 0, 0, G_OPTION_ARG_NONE, &flags->agenda, N_("Print the events of a range of days"), NULL },
    { "from", 0, 0, G_OPTION_ARG_STRING, &command->from, N_("First day (YYYY-MM-DD)"), N_("DATE") },
    { "to", 0, 0, G_OPTION_ARG_STRING, &command->to, N_("Day after the last one (YYYY-MM-DD)"), N_("DATE") },
    { "next", 0, 0, G_OPTION_ARG_NONE, &flags->next,
      N_("Print the event in progress or the next one (all-day events are skipped)"), NULL },
    { "import", 0, 0, G_OPTION_ARG_FILENAME, &command->import_file,
      N_("Import the events of an iCalendar file"), N_("FILE.ics") },
    { "export", 0, 0, G_OPTION_ARG_FILENAME, &command->export_file,
      N_("Export events to an iCalendar file"), N_("FILE.ics") },
    { "calendar", 0, 0, G_OPTION_ARG_STRING, &command->calendar, N_("Calendar id to use"), N_("ID") },
    { "version", 0, 0, G_OPTION_ARG_NONE, &flags->version, N_("Print the version and exit"), NULL },
    { NULL }
  };

  return g_memdup2 (entries, sizeof entries);
}

static gboolean
pick_kind (CalsyncCommand  *command,
           const Flags     *flags,
           GError         **error)
{
  const struct { gboolean set; CalsyncCommandKind kind; } kinds[] = {
    { flags->sync, CALSYNC_COMMAND_SYNC },
    { command->add_account != NULL, CALSYNC_COMMAND_ADD_ACCOUNT },
    { flags->list_accounts, CALSYNC_COMMAND_LIST_ACCOUNTS },
    { command->remove_account != NULL, CALSYNC_COMMAND_REMOVE_ACCOUNT },
    { flags->agenda, CALSYNC_COMMAND_AGENDA },
    { flags->next, CALSYNC_COMMAND_NEXT },
    { command->import_file != NULL, CALSYNC_COMMAND_IMPORT },
    { command->export_file != NULL, CALSYNC_COMMAND_EXPORT },
    { flags->version, CALSYNC_COMMAND_VERSION },
  };
  guint n_set = 0;

  command->kind = CALSYNC_COMMAND_WINDOW;
  for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
    if (kinds[i].set)
      {
        command->kind = kinds[i].kind;
        n_set++;
      }

  if (n_set > 1)
    {
      g_set_error_literal (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                           _("Only one of --sync, --add-account, --list-accounts, --remove-account, "
                             "--agenda, --next, --import, --export can be used at a time"));
      return FALSE;
    }

  return TRUE;
}

static gboolean
check_modifiers (CalsyncCommand  *command,
                 GError         **error)
{
  CalsyncCommandKind k = command->kind;
  const char *stray = NULL;

  if (command->json && k != CALSYNC_COMMAND_SYNC && k != CALSYNC_COMMAND_LIST_ACCOUNTS &&
      k != CALSYNC_COMMAND_AGENDA && k != CALSYNC_COMMAND_NEXT)
    stray = "--json";
  else if ((command->no_browser || command->server || command->username || command->allow_insecure) &&
           k != CALSYNC_COMMAND_ADD_ACCOUNT)
    stray = command->no_browser ? "--no-browser" : command->server ? "--server"
          : command->username ? "--username" : "--allow-insecure";
  else if ((command->from || command->to) && k != CALSYNC_COMMAND_AGENDA && k != CALSYNC_COMMAND_EXPORT)
    stray = command->from ? "--from" : "--to";
  else if (command->calendar && k != CALSYNC_COMMAND_IMPORT && k != CALSYNC_COMMAND_EXPORT)
    stray = "--calendar";

  if (stray != NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("%s cannot be used with this command"), stray);
      return FALSE;
    }

  return TRUE;
}

/**
 * calsync_command_parse:
 *
 * Parses the command line without touching GTK or the display.
 *
 * Returns: (transfer full): the command, or %NULL with @error set on bad usage
 */
CalsyncCommand *
calsync_command_parse (int      argc,
                       char   **argv,
                       GError **error)
{
  g_autoptr(CalsyncCommand) command = g_new0 (CalsyncCommand, 1);
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autofree GOptionEntry *entries = NULL;
  g_auto(GStrv) args = g_new0 (char *, argc + 1);
  Flags flags = { 0 };

  for (int i = 0; i < argc; i++)
    args[i] = g_strdup (argv[i]);

  entries = build_entries (command, &flags);
  g_option_context_set_summary (context, _("View and sync your Google, Outlook and CalDAV calendars."));
  g_option_context_add_main_entries (context, entries, GETTEXT_PACKAGE);
  g_option_context_set_translation_domain (context, GETTEXT_PACKAGE);
  g_option_context_set_strict_posix (context, FALSE);

  if (!g_option_context_parse_strv (context, &args, error))
    return NULL;

  if (g_strv_length (args) > 1)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_FAILED,
                   _("Unexpected argument “%s”"), args[1]);
      return NULL;
    }

  if (!pick_kind (command, &flags, error) || !check_modifiers (command, error))
    return NULL;

  return g_steal_pointer (&command);
}

/* The window and the commands that need the network, the keyring or libical
 * live in modules (next to the binary in a build tree, in $libdir/calsync when
 * installed): --agenda and --next load neither GTK nor libsoup/libsecret/libical,
 * which keeps them fast enough for a status bar. */
static gpointer
load_module_symbol (const char *name,
                    const char *symbol_name)
{
  g_autofree char *exe = g_file_read_link ("/proc/self/exe", NULL);
  g_autofree char *path = NULL;
  GModule *module;
  gpointer symbol = NULL;

  if (exe != NULL)
    {
      g_autofree char *dir = g_path_get_dirname (exe);

      path = g_build_filename (dir, name, NULL);
      if (!g_file_test (path, G_FILE_TEST_EXISTS))
        g_clear_pointer (&path, g_free);
    }
  if (path == NULL)
    path = g_build_filename (CALSYNC_PKGLIBDIR, name, NULL);

  module = g_module_open (path, G_MODULE_BIND_LAZY | G_MODULE_BIND_LOCAL);
  if (module == NULL || !g_module_symbol (module, symbol_name, &symbol))
    {
      g_printerr (_("calsync: Could not load %s: %s\n"), name, g_module_error ());
      return NULL;
    }

  /* Its types stay registered for the life of the process */
  g_module_make_resident (module);
  return symbol;
}

typedef int (*GuiMainFunc) (int argc, char **argv);
typedef int (*CommandsMainFunc) (CalsyncCommand *command, int argc, char **argv);

static int
run_window (int    argc,
            char **argv)
{
  GuiMainFunc gui_main = (GuiMainFunc) load_module_symbol ("calsync-gui.so", "calsync_gui_main");

  return gui_main != NULL ? gui_main (argc, argv) : CALSYNC_EXIT_FAILED;
}

static int
run_in_commands_module (CalsyncCommand  *command,
                        int              argc,
                        char           **argv)
{
  CommandsMainFunc commands_main =
    (CommandsMainFunc) load_module_symbol ("calsync-commands.so", "calsync_commands_main");

  return commands_main != NULL ? commands_main (command, argc, argv) : CALSYNC_EXIT_FAILED;
}

CalsyncStore *
calsync_cli_open_store (void)
{
  g_autoptr(GError) error = NULL;
  CalsyncStore *store = calsync_store_open (NULL, &error);

  if (store == NULL)
    g_printerr (_("calsync: Could not open the calendar database: %s\n"), error->message);

  return store;
}

void
calsync_cli_read_sync_window (guint *months_back,
                              guint *months_ahead)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  *months_back = 3;
  *months_ahead = 12;

  /* Run from a build tree without GSETTINGS_SCHEMA_DIR the schema is missing:
   * use the defaults rather than abort in g_settings_new() */
  if (source == NULL || !(schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)))
    return;

  settings = g_settings_new (APP_ID);
  *months_back = (guint) MAX (0, g_settings_get_int (settings, "sync-months-back"));
  *months_ahead = (guint) MAX (0, g_settings_get_int (settings, "sync-months-ahead"));
}

GDateTime *
calsync_cli_dup_now (void)
{
  const char *fake = g_getenv ("CALSYNC_NOW");

  if (fake != NULL && *fake != '\0')
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (fake, utc);

      if (parsed != NULL)
        return g_date_time_to_local (parsed);

      g_warning ("CALSYNC_NOW is not an ISO 8601 instant; using the current time");
    }

  return g_date_time_new_now_local ();
}

GDateTime *
calsync_cli_parse_date (const char  *option,
                        const char  *text,
                        GError     **error)
{
  g_autoptr(GDateTime) date = NULL;
  int year = 0, month = 0, day = 0;
  char end = 0;

  /* Exactly YYYY-MM-DD: sscanf alone would take "2026-1-5" or "2026-01-05x" */
  if (strlen (text) == 10 && text[4] == '-' && text[7] == '-' &&
      sscanf (text, "%4d-%2d-%2d%c", &year, &month, &day, &end) == 3 &&
      g_date_valid_dmy ((GDateDay) day, (GDateMonth) month, (GDateYear) year))
    date = g_date_time_new_local (year, month, day, 0, 0, 0);

  if (date == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the first %s is an option (--from), the second what was typed */
                   _("%s=%s is not a date; use YYYY-MM-DD, for example 2026-12-01"), option, text);
      return NULL;
    }

  return g_steal_pointer (&date);
}

/* --list-accounts ----------------------------------------------------------- */

static char *
format_sync_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec <= 0)
    return NULL;

  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_calendar_json (JsonBuilder     *builder,
                   CalsyncCalendar *calendar,
                   const char      *provider)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, calsync_calendar_get_id (calendar));
  g_autofree char *last_sync = format_sync_time (calsync_calendar_get_last_sync_at (calendar));

  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", id);
  add_nullable_string (builder, "name", calsync_calendar_get_name (calendar));
  add_nullable_string (builder, "provider", provider);
  json_builder_set_member_name (builder, "active");
  json_builder_add_boolean_value (builder, calsync_calendar_get_is_active (calendar));
  add_nullable_string (builder, "lastSyncAt", last_sync);
  json_builder_set_member_name (builder, "primary");
  json_builder_add_boolean_value (builder, calsync_calendar_get_is_primary (calendar));
  json_builder_end_object (builder);
}

static void
add_account_json (JsonBuilder    *builder,
                  CalsyncAccount *account,
                  GPtrArray      *calendars)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, calsync_account_get_id (account));
  const char *provider = calsync_account_get_provider (account);

  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", id);
  add_nullable_string (builder, "provider", provider);
  add_nullable_string (builder, "email", calsync_account_get_email (account));
  json_builder_set_member_name (builder, "needsReconnect");
  json_builder_add_boolean_value (builder, calsync_account_get_needs_reconnect (account));
  add_nullable_string (builder, "lastError", calsync_account_get_last_error (account));
  json_builder_set_member_name (builder, "calendars");
  json_builder_begin_array (builder);
  for (guint i = 0; i < calendars->len; i++)
    add_calendar_json (builder, g_ptr_array_index (calendars, i), provider);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_accounts_json (GPtrArray *accounts,
                     GPtrArray *calendars_per_account)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < accounts->len; i++)
    add_account_json (builder, g_ptr_array_index (accounts, i), g_ptr_array_index (calendars_per_account, i));
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  g_print ("%s\n", text);
}

static void
print_account_text (CalsyncAccount *account,
                    GPtrArray      *calendars)
{
  const char *email = calsync_account_get_email (account);

  g_print ("%" G_GINT64_FORMAT "\t%s\t%s", calsync_account_get_id (account),
           calsync_account_get_provider (account), email ? email : _("(this computer)"));
  if (calsync_account_get_needs_reconnect (account))
    g_print ("\t%s", _("needs reconnect"));
  g_print ("\n");

  for (guint i = 0; i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);
      g_autofree char *last_sync = format_sync_time (calsync_calendar_get_last_sync_at (calendar));

      g_print ("  %" G_GINT64_FORMAT "\t%s%s\t%s\t%s\n", calsync_calendar_get_id (calendar),
               calsync_calendar_get_name (calendar),
               calsync_calendar_get_is_primary (calendar) ? _(" (primary)") : "",
               calsync_calendar_get_is_active (calendar) ? _("active") : _("inactive"),
               last_sync ? last_sync : _("never synced"));
    }
}

/* The local account and its Personal calendar are listed too (provider
 * "local", email null): their ids are what --import/--export --calendar take. */
static int
run_list_accounts (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) calendars = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GError) error = NULL;

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  if (!(accounts = calsync_store_list_accounts (store, &error)))
    {
      g_printerr ("calsync: %s\n", error->message);
      return CALSYNC_EXIT_FAILED;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      GPtrArray *list = calsync_store_list_calendars (store, calsync_account_get_id (g_ptr_array_index (accounts, i)), &error);

      if (list == NULL)
        {
          g_printerr ("calsync: %s\n", error->message);
          return CALSYNC_EXIT_FAILED;
        }
      g_ptr_array_add (calendars, list);
    }

  if (command->json)
    print_accounts_json (accounts, calendars);
  else
    for (guint i = 0; i < accounts->len; i++)
      print_account_text (g_ptr_array_index (accounts, i), g_ptr_array_index (calendars, i));

  return CALSYNC_EXIT_OK;
}

/**
 * calsync_cli_main:
 *
 * Entry point of the `calsync` binary.
 *
 * Returns: the process exit status
 */
int
calsync_cli_main (int    argc,
                  char **argv)
{
  g_autoptr(CalsyncCommand) command = NULL;
  g_autoptr(GError) error = NULL;

  command = calsync_command_parse (argc, argv, &error);
  if (command == NULL)
    {
      g_printerr ("calsync: %s\n", error->message);
      g_printerr (_("Run “%s --help” to see the available options.\n"), g_get_prgname ());
      return CALSYNC_EXIT_USAGE;
    }

  switch (command->kind)
    {
    case CALSYNC_COMMAND_WINDOW:
      return run_window (1, argv);
    case CALSYNC_COMMAND_VERSION:
      g_print ("calsync %s\n", PACKAGE_VERSION);
      return CALSYNC_EXIT_OK;
    case CALSYNC_COMMAND_LIST_ACCOUNTS:
      return run_list_accounts (command);
    case CALSYNC_COMMAND_AGENDA:
      return calsync_cli_run_agenda (command);
    case CALSYNC_COMMAND_NEXT:
      return calsync_cli_run_next (command);
    case CALSYNC_COMMAND_SYNC:
    case CALSYNC_COMMAND_ADD_ACCOUNT:
    case CALSYNC_COMMAND_REMOVE_ACCOUNT:
    case CALSYNC_COMMAND_IMPORT:
    case CALSYNC_COMMAND_EXPORT:
      return run_in_commands_module (command, argc, argv);
    default:
      g_assert_not_reached ();
    }
}
