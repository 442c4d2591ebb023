/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli.c: command-line parsing, without GTK or the display.
 *
 * The `calsync` binary parses its own command line (calsync-cli-main.c); the
 * window parses the ones other processes forward to it. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-cli.h"

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
  g_free (command->delete_event);
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
    { "delete-event", 0, 0, G_OPTION_ARG_STRING, &command->delete_event,
      N_("Delete an event here and, at the next sync, from its server"), N_("ID") },
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
    { command->delete_event != NULL, CALSYNC_COMMAND_DELETE_EVENT },
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
                             "--agenda, --next, --import, --export, --delete-event can be used at a time"));
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
