/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-delete.c: --delete-event=ID (headless, no GTK): deletes an event
 * here — an instance of a series: that instance only — and, in a synced
 * calendar, queues the delete for the next sync. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-cli-private.h"
#include "calsync-text.h"

static gboolean
is_synced (CalsyncStore *store,
           gint64        calendar_id)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (store, calendar_id, NULL);
  g_autoptr(CalsyncAccount) account = NULL;

  if (calendar == NULL)
    return FALSE;

  account = calsync_store_get_account (store, calsync_calendar_get_account_id (calendar), NULL);
  return account != NULL && g_strcmp0 (calsync_account_get_provider (account), "local") != 0;
}

static void
print_deleted (CalsyncEvent *event,
               gboolean      synced)
{
  const char *title = calsync_event_get_title (event);
  g_autofree char *shown = calsync_text_for_terminal (title != NULL && *title ? title : _("Untitled event"), FALSE);

  if (synced)
    /* Translators: %s is an event's title */
    g_print (_("Deleted “%s”; the server will learn of it at the next sync.\n"), shown);
  else
    g_print (_("Deleted “%s”.\n"), shown);
}

int
calsync_cli_run_delete_event (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (!g_ascii_string_to_signed (command->delete_event, 10, 1, G_MAXINT64, &id, NULL))
    {
      g_autofree char *shown = calsync_text_for_terminal (command->delete_event, FALSE);

      /* Translators: %s is what was given as an event id */
      g_printerr (_("calsync: There is no event “%s”; --agenda --json shows the ids\n"), shown);
      return CALSYNC_EXIT_FAILED;
    }

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  if (!(event = calsync_store_get_event (store, id, NULL)))
    {
      g_autofree char *number = g_strdup_printf ("%" G_GINT64_FORMAT, id);

      /* Translators: %s is an event id (a number) */
      g_printerr (_("calsync: There is no event %s; --agenda --json shows the ids\n"), number);
      return CALSYNC_EXIT_FAILED;
    }

  if (!calsync_store_delete_local_event (store, id, &error))
    {
      g_printerr (_("calsync: Nothing was deleted: %s\n"), error->message);
      return CALSYNC_EXIT_FAILED;
    }

  print_deleted (event, is_synced (store, calsync_event_get_calendar_id (event)));
  return CALSYNC_EXIT_OK;
}
