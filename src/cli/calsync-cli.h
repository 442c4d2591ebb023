/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli.h: command-line parsing; decides between the window and headless commands. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CALSYNC_COMMAND_WINDOW,
  CALSYNC_COMMAND_SYNC,
  CALSYNC_COMMAND_ADD_ACCOUNT,
  CALSYNC_COMMAND_LIST_ACCOUNTS,
  CALSYNC_COMMAND_REMOVE_ACCOUNT,
  CALSYNC_COMMAND_AGENDA,
  CALSYNC_COMMAND_NEXT,
  CALSYNC_COMMAND_IMPORT,
  CALSYNC_COMMAND_EXPORT,
  CALSYNC_COMMAND_DELETE_EVENT,
  CALSYNC_COMMAND_VERSION,
} CalsyncCommandKind;

typedef struct
{
  CalsyncCommandKind kind;
  gboolean json;
  gboolean no_browser;
  gboolean allow_insecure;
  char *add_account;
  char *server;
  char *username;
  char *remove_account;
  char *from;
  char *to;
  char *import_file;
  char *export_file;
  char *calendar;
  char *delete_event;
} CalsyncCommand;

/* Exit statuses of the contract */
#define CALSYNC_EXIT_OK      0
#define CALSYNC_EXIT_FAILED  1
#define CALSYNC_EXIT_USAGE   2

CalsyncCommand *calsync_command_parse (int              argc,
                                       char           **argv,
                                       GError         **error);
void            calsync_command_free  (CalsyncCommand  *command);
int             calsync_cli_main      (int              argc,
                                       char           **argv);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncCommand, calsync_command_free)

G_END_DECLS
