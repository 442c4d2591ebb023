/* SPDX-License-Identifier: GPL-3.0-or-later */
/* main.c: starts CalSync. */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>

#include "calsync-cli.h"

int
main (int    argc,
      char **argv)
{
  setlocale (LC_ALL, "");
  bindtextdomain (GETTEXT_PACKAGE, LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);
  g_set_prgname ("calsync");

  return calsync_cli_main (argc, argv);
}
