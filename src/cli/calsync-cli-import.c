/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-import.c: --import=FILE.ics [--calendar=ID] (headless, no GTK).
 *
 * The whole file is parsed before anything is stored, and stored in one
 * transaction: a file that is not iCalendar changes nothing, and a VEVENT that
 * cannot be read is skipped and named on stderr, one line each, while the
 * others are imported. Events keep the ids iCalendar gives them (UID,
 * UID_RECURRENCE-ID for instances; a UID made from the content when there is
 * none), so importing the same file again finds them and changes nothing.
 *
 * Into a synced calendar the import is an edit made here (two-way sync): each
 * series (or event of its own) is created or updated at once and waits in the
 * outbox for the next sync; a read-only calendar refuses it all. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-cli-private.h"
#include "calsync-clock.h"
#include "calsync-ical.h"
#include "calsync-text.h"

static gboolean
calendar_is_synced (CalsyncStore    *store,
                    CalsyncCalendar *calendar)
{
  g_autoptr(CalsyncAccount) account = calsync_store_get_account (store, calsync_calendar_get_account_id (calendar), NULL);

  return account != NULL && g_strcmp0 (calsync_account_get_provider (account), "local") != 0;
}

/* The calendar to import into: --calendar (already checked to be a number),
 * else the local Personal calendar. Returns 0 after printing why there is none.
 * *@synced: the calendar belongs to a provider account (changes go to its server) */
static gint64
pick_calendar (CalsyncStore   *store,
               CalsyncCommand *command,
               gboolean       *synced)
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

  if (calsync_calendar_get_read_only (calendar))
    {
      g_autofree char *name = calsync_text_for_terminal (calsync_calendar_get_name (calendar), FALSE);

      /* Translators: %s is a calendar's name */
      g_printerr (_("calsync: Nothing was imported: the calendar “%s” is read-only, "
                    "its server does not let this account change it\n"), name);
      return 0;
    }

  *synced = calendar_is_synced (store, calendar);
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

/* Two-way ------------------------------------------------------------------------ */

/* The events grouped by UID: a series' instances together, in file order */
static GPtrArray *
group_series (GPtrArray *events)
{
  g_autoptr(GHashTable) groups = g_hash_table_new (g_str_hash, g_str_equal);
  GPtrArray *series = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);

  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      const char *uid = calsync_event_get_recurring_event_id (event);
      GPtrArray *group;

      if (uid == NULL)
        uid = calsync_event_get_external_id (event);
      if (uid == NULL)
        continue;

      if (!(group = g_hash_table_lookup (groups, uid)))
        {
          group = g_ptr_array_new_with_free_func (g_object_unref);
          g_hash_table_insert (groups, (gpointer) uid, group);
          g_ptr_array_add (series, group);
        }
      g_ptr_array_add (group, g_object_ref (event));
    }

  return series;
}

/* Each group as iCalendar, what a CalDAV server receives for it */
static GPtrArray *
series_texts (GPtrArray  *series,
              GError    **error)
{
  g_autoptr(GPtrArray) texts = g_ptr_array_new_with_free_func (g_free);
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  for (guint i = 0; i < series->len; i++)
    {
      char *text = calsync_ical_serialize (g_ptr_array_index (series, i), now, error);

      if (text == NULL)
        return NULL;
      g_ptr_array_add (texts, text);
    }

  return g_steal_pointer (&texts);
}

static void
print_two_way (GArray *outcomes,
               guint   n_unreadable)
{
  guint counts[3] = { 0 };
  guint n_sent;

  for (guint i = 0; i < outcomes->len; i++)
    counts[g_array_index (outcomes, CalsyncImportOutcome, i)]++;
  n_sent = counts[CALSYNC_IMPORT_CREATED] + counts[CALSYNC_IMPORT_UPDATED];

  /* Translators: a series with its exceptions counts as one event */
  g_print (g_dngettext (GETTEXT_PACKAGE,
                        "Imported %u event (%u new, %u updated, %u unchanged).",
                        "Imported %u events (%u new, %u updated, %u unchanged).",
                        outcomes->len),
           outcomes->len, counts[CALSYNC_IMPORT_CREATED], counts[CALSYNC_IMPORT_UPDATED],
           counts[CALSYNC_IMPORT_UNCHANGED]);
  if (n_sent > 0)
    g_print (" %s", g_dngettext (GETTEXT_PACKAGE,
                                 "The change will be sent to the server at the next sync.",
                                 "The changes will be sent to the server at the next sync.",
                                 n_sent));
  if (n_unreadable > 0)
    g_print (" %s", g_dngettext (GETTEXT_PACKAGE,
                                 "1 event of the file could not be read and was skipped.",
                                 "Some events of the file could not be read and were skipped.",
                                 n_unreadable));
  g_print ("\n");
}

static int
import_two_way (CalsyncStore *store,
                gint64        calendar_id,
                GPtrArray    *events,
                guint         n_unreadable)
{
  g_autoptr(GPtrArray) series = group_series (events);
  g_autoptr(GPtrArray) texts = NULL;
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncImportOutcome));
  g_autoptr(GError) error = NULL;

  if (!(texts = series_texts (series, &error)) ||
      !calsync_store_import_series (store, calendar_id, series, texts, outcomes, &error))
    {
      g_printerr (_("calsync: Nothing was imported: %s\n"), error->message);
      return CALSYNC_EXIT_FAILED;
    }

  print_two_way (outcomes, n_unreadable);
  return CALSYNC_EXIT_OK;
}

int
calsync_cli_run_import (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats = { 0 };
  guint n_unreadable = 0;
  gboolean synced = FALSE;
  gint64 calendar_id;

  /* A calendar id that is not a number is bad usage: say so before any work */
  if (command->calendar != NULL && !g_ascii_string_to_signed (command->calendar, 10, 1, G_MAXINT64, NULL, NULL))
    {
      g_printerr (_("calsync: “%s” is not a calendar id; --list-accounts shows them\n"), command->calendar);
      return CALSYNC_EXIT_USAGE;
    }

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;
  if ((calendar_id = pick_calendar (store, command, &synced)) == 0)
    return CALSYNC_EXIT_FAILED;
  if (!(events = read_events (command->import_file, &n_unreadable)))
    return CALSYNC_EXIT_FAILED;
  if (synced)
    return import_two_way (store, calendar_id, events, n_unreadable);

  if (!calsync_store_apply_remote_events (store, calendar_id, events, NULL, &stats, &error))
    {
      g_printerr (_("calsync: Nothing was imported: %s\n"), error->message);
      return CALSYNC_EXIT_FAILED;
    }

  print_stats (&stats, n_unreadable);
  return CALSYNC_EXIT_OK;
}
