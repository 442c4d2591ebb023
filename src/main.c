/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: starts CalSync. */
#include "config.h"

#include <locale.h>
#include <stdio.h>

#include <glib/gi18n.h>

#include "calsync-cli.h"
#include "calsync-text.h"

/* Every message goes to stderr (stdout is for output: one JSON document with
 * --json, whatever G_MESSAGES_DEBUG says), with control characters of the
 * text replaced: a message may quote what a server sent. */
static GLogWriterOutput
log_writer (GLogLevelFlags   log_level,
            const GLogField *fields,
            gsize            n_fields,
            gpointer         user_data)
{
  g_autofree GLogField *copy = g_memdup2 (fields, n_fields * sizeof (GLogField));
  g_autofree char *clean = NULL;

  for (gsize i = 0; i < n_fields; i++)
    if (g_strcmp0 (copy[i].key, "MESSAGE") == 0 && copy[i].length < 0 && copy[i].value != NULL)
      {
        clean = calsync_text_for_terminal (copy[i].value, TRUE);
        copy[i].value = clean;
      }

  return g_log_writer_default (log_level, copy, n_fields, user_data);
}

static void
print_to_stderr (const char *text)
{
  g_autofree char *clean = calsync_text_for_terminal (text, TRUE);

  fputs (clean, stderr);
}

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("calsync");
  g_log_writer_default_set_use_stderr (TRUE);
  g_log_set_writer_func (log_writer, NULL, NULL);
  g_set_printerr_handler (print_to_stderr);

  return calsync_cli_main (argc, argv);
}
