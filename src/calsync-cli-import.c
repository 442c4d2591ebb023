/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-import.c: --import (headless, no GTK). */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-cli-private.h"

int
calsync_cli_run_import (CalsyncCommand *command)
{
  g_printerr (_("calsync: this command is not available yet in this version\n"));
  return CALSYNC_EXIT_USAGE;
}
