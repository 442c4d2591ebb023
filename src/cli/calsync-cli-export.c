/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-export.c: --export (headless, no GTK). */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <glib/gi18n.h>

#include "calsync-cli-private.h"
#include "calsync-ical.h"

/* The --from/--to range: instants for timed events, local dates for all-day
 * ones (compared as dates: their stored UTC range is padded). */
typedef struct
{
  gint64 from_utc;   /* G_MININT64 without --from */
  gint64 to_utc;     /* G_MAXINT64 without --to */
  char *from_date;   /* "YYYY-MM-DD", or NULL */
  char *to_date;
} Range;

static void
range_clear (Range *range)
{
  g_clear_pointer (&range->from_date, g_free);
  g_clear_pointer (&range->to_date, g_free);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Range, range_clear)

static gboolean
parse_bound (const char  *option,
             const char  *text,
             gint64      *utc,
             char       **date,
             GError     **error)
{
  g_autoptr(GDateTime) midnight = NULL;

  if (text == NULL)
    return TRUE;

  if (!(midnight = calsync_cli_parse_date (option, text, error)))
    return FALSE;

  *utc = g_date_time_to_unix (midnight);
  *date = g_date_time_format (midnight, "%Y-%m-%d");
  return TRUE;
}

/* Prints why on stderr when the dates are bad usage */
static gboolean
parse_range (CalsyncCommand *command,
             Range          *range)
{
  g_autoptr(GError) error = NULL;

  range->from_utc = G_MININT64;
  range->to_utc = G_MAXINT64;

  if (!parse_bound ("--from", command->from, &range->from_utc, &range->from_date, &error) ||
      !parse_bound ("--to", command->to, &range->to_utc, &range->to_date, &error))
    {
      g_printerr ("calsync: %s\n", error->message);
      return FALSE;
    }

  if (range->from_utc > range->to_utc)
    {
      /* Translators: the %s are dates as typed, YYYY-MM-DD */
      g_printerr (_("calsync: --from=%s is after --to=%s\n"), command->from, command->to);
      return FALSE;
    }

  return TRUE;
}

/* Start before --to and end after --from (an instant at --from counts) */
static gboolean
event_in_range (CalsyncEvent *event,
                const Range  *range)
{
  gint64 start, end;

  if (calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_CANCELLED)
    return FALSE;

  if (calsync_event_get_all_day (event))
    return (range->to_date == NULL || strcmp (calsync_event_get_start_date (event), range->to_date) < 0) &&
           (range->from_date == NULL || strcmp (calsync_event_get_end_date (event), range->from_date) > 0);

  start = calsync_event_get_start (event);
  end = calsync_event_get_end (event);
  return start < range->to_utc && (end > range->from_utc || (end <= start && start >= range->from_utc));
}

static GPtrArray *
list_events (CalsyncStore  *store,
             gint64         calendar_id,
             const Range   *range,
             GError       **error)
{
  g_autoptr(GPtrArray) stored = NULL;
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  /* One second earlier, so that an instant exactly at --from is listed too */
  gint64 from = range->from_utc == G_MININT64 ? G_MININT64 : range->from_utc - 1;

  if (!(stored = calsync_store_list_calendar_events (store, calendar_id, from, range->to_utc, error)))
    return NULL;

  for (guint i = 0; i < stored->len; i++)
    if (event_in_range (g_ptr_array_index (stored, i), range))
      g_ptr_array_add (events, g_object_ref (g_ptr_array_index (stored, i)));

  return g_steal_pointer (&events);
}

/* The --calendar id (or 0 for the Personal calendar); FALSE when it is no number */
static gboolean
parse_calendar_id (const char *text,
                   gint64     *id)
{
  *id = 0;
  if (text == NULL)
    return TRUE;

  if (g_ascii_string_to_signed (text, 10, 1, G_MAXINT64, id, NULL))
    return TRUE;

  g_printerr (_("calsync: “%s” is not a calendar id; --list-accounts shows them\n"), text);
  return FALSE;
}

static gboolean
check_calendar (CalsyncStore *store,
                gint64        id)
{
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *id_text = NULL;

  if ((calendar = calsync_store_get_calendar (store, id, &error)))
    return TRUE;

  if (!g_error_matches (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND))
    {
      g_printerr ("calsync: %s\n", error->message);
      return FALSE;
    }

  id_text = g_strdup_printf ("%" G_GINT64_FORMAT, id);
  /* Translators: %s is a calendar id, a number */
  g_printerr (_("calsync: There is no calendar %s; --list-accounts shows them\n"), id_text);
  return FALSE;
}

/* FILE "-": the calendar on stdout and nothing else there */
static gboolean
write_stdout (GPtrArray  *events,
              GError    **error)
{
  g_autofree char *text = calsync_ical_serialize (events, g_get_real_time () / G_USEC_PER_SEC, error);
  size_t length;

  if (text == NULL)
    return FALSE;

  length = strlen (text);
  if (fwrite (text, 1, length, stdout) != length || fflush (stdout) != 0)
    {
      g_set_error (error, G_IO_ERROR, G_IO_ERROR_FAILED,
                   _("Could not write to standard output: %s"), g_strerror (errno));
      return FALSE;
    }

  return TRUE;
}

static gboolean
write_events (const char  *path,
              GPtrArray   *events,
              GError     **error)
{
  g_autofree char *display = NULL;

  if (g_str_equal (path, "-"))
    return write_stdout (events, error);

  if (!calsync_ical_write_file (path, events, error))
    return FALSE;

  display = g_filename_display_name (path);
  /* Translators: %u is a number of events, %s a file name */
  g_print (g_dngettext (GETTEXT_PACKAGE, "Exported %u event to “%s”.\n", "Exported %u events to “%s”.\n",
                        events->len),
           events->len, display);
  return TRUE;
}

/**
 * calsync_cli_run_export:
 *
 * `--export=FILE.ics [--calendar=ID] [--from=DATE] [--to=DATE]`: the events
 * of one calendar (default: Personal), cancelled ones left out, written as
 * iCalendar atomically; FILE "-" writes to stdout. A series whose rule is
 * known is written with it, so it goes on past --to and the sync window.
 *
 * Returns: 0, 1 when the calendar is unknown or the file cannot be written,
 *   2 on bad usage
 */
int
calsync_cli_run_export (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Range) range = { 0 };
  gint64 calendar_id;

  if (*command->export_file == '\0')
    {
      g_printerr (_("calsync: --export needs a file name, or - for standard output\n"));
      return CALSYNC_EXIT_USAGE;
    }

  if (!parse_calendar_id (command->calendar, &calendar_id) || !parse_range (command, &range))
    return CALSYNC_EXIT_USAGE;

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  if (calendar_id == 0)
    calendar_id = calsync_store_get_personal_calendar_id (store);
  else if (!check_calendar (store, calendar_id))
    return CALSYNC_EXIT_FAILED;

  if (!(events = list_events (store, calendar_id, &range, &error)) ||
      !write_events (command->export_file, events, &error))
    {
      g_printerr ("calsync: %s\n", error->message);
      return CALSYNC_EXIT_FAILED;
    }

  return CALSYNC_EXIT_OK;
}
