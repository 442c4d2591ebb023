/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-import.c: --import=FILE.ics [--calendar=ID] (headless, no GTK).
 *
 * The whole file is parsed before anything is stored, and stored in one
 * transaction: a broken file changes nothing. Events keep the ids iCalendar
 * gives them (UID, UID_RECURRENCE-ID for instances), so importing the same
 * file again finds them and changes nothing. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-cli-private.h"
#include "calsync-clock.h"
#include "calsync-ical.h"

/* The calendar to import into: --calendar (already checked to be a number),
 * else the local Personal calendar. Returns 0 after printing why there is none. */
static gint64
pick_calendar (CalsyncStore   *store,
               CalsyncCommand *command)
{
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(GError) error = NULL;
  gint64 id = 0;

  if (command->calendar == NULL)
    {
      if ((id = calsync_store_get_personal_calendar_id (store)) == 0)
        g_printerr (_("calsync: There is no Personal calendar to import into; use --calendar\n"));
      return id;
    }

  g_ascii_string_to_signed (command->calendar, 10, 1, G_MAXINT64, &id, NULL);
  if ((calendar = calsync_store_get_calendar (store, id, &error)) == NULL)
    {
      /* Translators: %s is a calendar id, a number */
      g_printerr (_("calsync: There is no calendar %s; --list-accounts shows them\n"), command->calendar);
      return 0;
    }

  return id;
}

/* Recurring events are expanded over the sync window, as a sync would */
static void
import_window (gint64 *start,
               gint64 *end)
{
  g_autoptr(GDateTime) now = calsync_now_local ();
  g_autoptr(GDateTime) first = NULL;
  g_autoptr(GDateTime) last = NULL;
  guint back, ahead;

  calsync_cli_read_sync_window (&back, &ahead);
  first = g_date_time_add_months (now, -(int) back);
  last = g_date_time_add_months (now, (int) ahead);
  *start = g_date_time_to_unix (first);
  *end = g_date_time_to_unix (last);
}

static GPtrArray *
read_events (const char *path)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *display = g_filename_display_name (path);
  gint64 start, end;
  GPtrArray *events;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      /* GLib's message names the file */
      g_printerr (_("calsync: Could not import: %s\n"), error->message);
      return NULL;
    }

  import_window (&start, &end);
  events = calsync_ical_parse (contents, (gssize) length, start, end, &error);
  if (events == NULL)
    /* Translators: the first %s is a file name, the second says what is wrong and where ("Line 12: …") */
    g_printerr (_("calsync: Nothing was imported from “%s”. %s\n"), display, error->message);

  return events;
}

static void
print_stats (const CalsyncApplyStats *stats)
{
  if (stats->deleted > 0)
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "Imported %u event (%u updated, %u skipped, %u removed).\n",
                          "Imported %u events (%u updated, %u skipped, %u removed).\n",
                          stats->inserted),
             stats->inserted, stats->updated, stats->skipped, stats->deleted);
  else
    g_print (g_dngettext (GETTEXT_PACKAGE,
                          "Imported %u event (%u updated, %u skipped).\n",
                          "Imported %u events (%u updated, %u skipped).\n",
                          stats->inserted),
             stats->inserted, stats->updated, stats->skipped);
}

int
calsync_cli_run_import (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats = { 0 };
  gint64 calendar_id;

  /* A calendar id that is not a number is bad usage: say so before any work */
  if (command->calendar != NULL && !g_ascii_string_to_signed (command->calendar, 10, 1, G_MAXINT64, NULL, NULL))
    {
      g_printerr (_("calsync: “%s” is not a calendar id; --list-accounts shows them\n"), command->calendar);
      return CALSYNC_EXIT_USAGE;
    }

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;
  if ((calendar_id = pick_calendar (store, command)) == 0)
    return CALSYNC_EXIT_FAILED;
  if (!(events = read_events (command->import_file)))
    return CALSYNC_EXIT_FAILED;

  if (!calsync_store_apply_remote_events (store, calendar_id, events, NULL, &stats, &error))
    {
      g_printerr (_("calsync: Nothing was imported: %s\n"), error->message);
      return CALSYNC_EXIT_FAILED;
    }

  print_stats (&stats);
  return CALSYNC_EXIT_OK;
}
