/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-import.c: --import=FILE.ics [--calendar=ID] (headless, no GTK).
 *
 * The whole file is parsed before anything is stored, and stored in one
 * transaction: a file that is not iCalendar changes nothing, and a VEVENT that
 * cannot be read is skipped and named on stderr, one line each, while the
 * others are imported. Events keep the ids iCalendar gives them (UID,
 * UID_RECURRENCE-ID for instances; a UID made from the content when there is
 * none), so importing the same file again finds them and changes nothing. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-cli-private.h"
#include "calsync-clock.h"
#include "calsync-ical.h"
#include "calsync-text.h"

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

/* One line per problem of the file, its text made safe for a terminal;
 * returns how many VEVENTs were skipped */
static guint
print_problems (const char *display,
                GPtrArray  *problems)
{
  guint n_skipped = 0;

  for (guint i = 0; i < problems->len; i++)
    {
      const CalsyncIcalProblem *problem = g_ptr_array_index (problems, i);
      g_autofree char *shown = calsync_text_for_terminal (problem->message, FALSE);

      /* Translators: a file name, then a problem in it ("Line 40: …, event skipped") */
      g_printerr (_("calsync: %s: %s\n"), display, shown);
      n_skipped += problem->kind == CALSYNC_ICAL_PROBLEM_SKIPPED;
    }

  return n_skipped;
}

/* The events of @path; *@n_skipped: VEVENTs that could not be read */
static GPtrArray *
read_events (const char *path,
             guint      *n_skipped)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autofree char *contents = NULL;
  g_autofree char *name = g_filename_display_name (path);
  g_autofree char *display = calsync_text_for_terminal (name, FALSE);
  gint64 start, end;
  GPtrArray *events;
  gsize length;

  if (!g_file_get_contents (path, &contents, &length, &error))
    {
      g_autofree char *message = calsync_text_for_terminal (error->message, FALSE);

      /* GLib's message names the file */
      g_printerr (_("calsync: Could not import: %s\n"), message);
      return NULL;
    }

  import_window (&start, &end);
  events = calsync_ical_parse_full (contents, (gssize) length, start, end, &problems, &error);
  if (events == NULL)
    {
      g_autofree char *message = calsync_text_for_terminal (error->message, FALSE);

      /* Translators: the first %s is a file name, the second says what is wrong and where ("Line 12: …") */
      g_printerr (_("calsync: Nothing was imported from “%s”. %s\n"), display, message);
      return NULL;
    }

  *n_skipped = print_problems (display, problems);
  if (events->len == 0 && *n_skipped > 0)
    {
      g_printerr (g_dngettext (GETTEXT_PACKAGE,
                               "calsync: Nothing was imported from “%s”: its event could not be read.\n",
                               "calsync: Nothing was imported from “%s”: none of its %u events could be read.\n",
                               *n_skipped),
                  display, *n_skipped);
      g_clear_pointer (&events, g_ptr_array_unref);
    }

  return events;
}

/* "Imported 7 events (0 updated, 0 skipped)." and what could not be read */
static void
print_stats (const CalsyncApplyStats *stats,
             guint                    n_unreadable)
{
  g_autofree char *counts = NULL;

  if (stats->deleted > 0)
    counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Imported %u event (%u updated, %u skipped, %u removed).\n",
                                           "Imported %u events (%u updated, %u skipped, %u removed).\n",
                                           stats->inserted),
                              stats->inserted, stats->updated, stats->skipped, stats->deleted);
  else
    counts = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                           "Imported %u event (%u updated, %u skipped).\n",
                                           "Imported %u events (%u updated, %u skipped).\n",
                                           stats->inserted),
                              stats->inserted, stats->updated, stats->skipped);

  if (n_unreadable == 0)
    {
      g_print ("%s", counts);
      return;
    }

  /* One line: the counts, then what was left out (named on stderr) */
  g_print ("%s ", g_strchomp (counts));
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "%u event of the file could not be read and was skipped.\n",
                        "%u events of the file could not be read and were skipped.\n",
                        n_unreadable),
           n_unreadable);
}

int
calsync_cli_run_import (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats = { 0 };
  guint n_unreadable = 0;
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
  if (!(events = read_events (command->import_file, &n_unreadable)))
    return CALSYNC_EXIT_FAILED;

  if (!calsync_store_apply_remote_events (store, calendar_id, events, NULL, &stats, &error))
    {
      g_printerr (_("calsync: Nothing was imported: %s\n"), error->message);
      return CALSYNC_EXIT_FAILED;
    }

  print_stats (&stats, n_unreadable);
  return CALSYNC_EXIT_OK;
}
