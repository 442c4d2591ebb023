/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-private.h: helpers shared by the headless commands (no GTK). */
#pragma once

#include <gio/gio.h>

#include "calsync-cli.h"
#include "calsync-store.h"

G_BEGIN_DECLS

/* Opens the database; prints why on stderr and returns NULL when it cannot. */
CalsyncStore *calsync_cli_open_store       (void);

/* The sync window in months (GSettings, defaults 3 back and 12 ahead). */
void          calsync_cli_read_sync_window (guint       *months_back,
                                            guint       *months_ahead);

/* Parses a --from/--to date "YYYY-MM-DD" (a local date) into its local midnight.
 * @option names the option in the error message. */
GDateTime    *calsync_cli_parse_date       (const char  *option,
                                            const char  *text,
                                            GError     **error);

/* The commands, each returning an exit status of the contract. */
int           calsync_cli_run_list_accounts (CalsyncCommand *command);
int           calsync_cli_run_agenda       (CalsyncCommand *command);
int           calsync_cli_run_next         (CalsyncCommand *command);
int           calsync_cli_run_delete_event (CalsyncCommand *command);

/* In the commands module (calsync-commands.so) */
int           calsync_cli_run_import       (CalsyncCommand *command);
int           calsync_cli_run_export       (CalsyncCommand *command);
int           calsync_commands_main        (CalsyncCommand *command,
                                            int             argc,
                                            char          **argv);

G_END_DECLS
