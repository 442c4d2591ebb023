/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-main.c: entry point of the `calsync` binary; runs --list-accounts,
 * --agenda and --next itself and loads a module for everything else.
 *
 * Headless commands must work with no display at all, so nothing here touches GTK
 * unless the command is forwarded to a running window or opens one. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <gmodule.h>
#include <glib/gi18n.h>

#include "calsync-cli-private.h"
#include "calsync-cli.h"

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
      return calsync_cli_run_list_accounts (command);
    case CALSYNC_COMMAND_AGENDA:
      return calsync_cli_run_agenda (command);
    case CALSYNC_COMMAND_NEXT:
      return calsync_cli_run_next (command);
    case CALSYNC_COMMAND_DELETE_EVENT:
      return calsync_cli_run_delete_event (command);
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
