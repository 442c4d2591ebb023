/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-import.c: `calsync --import` of a 5,000-event file, process start to exit.
 *
 * Writes a file like a Google Calendar export of a busy year (embedded
 * VTIMEZONE, folded descriptions with Meet links, attendees, alarms, all-day
 * days off), then runs `calsync --import=FILE` several times, each into a fresh
 * XDG_DATA_HOME, and prints the median (target: under 0.5 s). Also times a
 * second import into the same database (everything skipped) and the parse
 * alone, in this process. Usage: bench-import [CALSYNC] [N_EVENTS] */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>

#include "bench-utils.h"
#include "calsync-ical.h"

#define RUNS 7
/* Events are laid out over a year from here, inside the default sync window */
#define NOW "2026-11-25T12:00:00+01:00"

static const char vtimezone[] =
  "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\nX-LIC-LOCATION:Europe/Berlin\r\n"
  "BEGIN:DAYLIGHT\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\nTZNAME:CEST\r\n"
  "DTSTART:19700329T020000\r\nRRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\n"
  "BEGIN:STANDARD\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\nTZNAME:CET\r\n"
  "DTSTART:19701025T030000\r\nRRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
  "END:VTIMEZONE\r\n";

static void
append_times (GString *text,
              GDate   *day,
              guint    i)
{
  guint y = g_date_get_year (day), m = g_date_get_month (day), d = g_date_get_day (day);

  if (i % 10 == 0)
    {
      GDate next = *day;

      g_date_add_days (&next, 1);
      g_string_append_printf (text, "DTSTART;VALUE=DATE:%04u%02u%02u\r\nDTEND;VALUE=DATE:%04u%02u%02u\r\n",
                              y, m, d, g_date_get_year (&next), g_date_get_month (&next), g_date_get_day (&next));
      return;
    }

  g_string_append_printf (text, "DTSTART;TZID=Europe/Berlin:%04u%02u%02uT%02u%02u00\r\n"
                          "DTEND;TZID=Europe/Berlin:%04u%02u%02uT%02u%02u00\r\n",
                          y, m, d, 8 + i % 10, (i % 2) * 30, y, m, d, 9 + i % 10, (i % 2) * 30);
}

static void
append_people (GString *text,
               guint    i)
{
  if (i % 5 != 0)
    return;

  g_string_append (text, "ORGANIZER;CN=Ann Example:mailto:ann@example.com\r\n"
                         "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=ACCEPTED;CN=Ann Example;\r\n"
                         " X-NUM-GUESTS=0:mailto:ann@example.com\r\n"
                         "ATTENDEE;CUTYPE=INDIVIDUAL;ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;CN=Bob\r\n"
                         " ;X-NUM-GUESTS=0:mailto:bob@example.com\r\n"
                         "X-GOOGLE-CONFERENCE:https://meet.google.com/abc-defg-hij\r\n");
}

static void
append_event (GString *text,
              GDate   *day,
              guint    i)
{
  g_string_append_printf (text, "BEGIN:VEVENT\r\nUID:bench-%05u@google.com\r\n", i);
  append_times (text, day, i);
  g_string_append (text, "DTSTAMP:20261124T071512Z\r\nCREATED:20261001T090000Z\r\n"
                         "LAST-MODIFIED:20261110T120000Z\r\nSEQUENCE:0\r\nSTATUS:CONFIRMED\r\nTRANSP:OPAQUE\r\n");
  append_people (text, i);
  g_string_append_printf (text, "SUMMARY:%s %u\r\n", i % 3 ? "Project review" : "Focus time", i);
  g_string_append_printf (text, "DESCRIPTION:Agenda for meeting %u: status\\, risks\\, next steps.\\n\\nJoin with G\r\n"
                                " oogle Meet: https://meet.google.com/abc-defg-hij\\nLearn more about Meet at\r\n"
                                " : https://support.google.com/a/users/answer/9282720\r\n", i);
  g_string_append_printf (text, "LOCATION:Room %u\\, Rosenthaler Straße 40\\, Berlin\r\n", i % 40);
  g_string_append (text, "BEGIN:VALARM\r\nACTION:DISPLAY\r\nDESCRIPTION:This is an event reminder\r\n"
                         "TRIGGER:-P0DT0H10M0S\r\nEND:VALARM\r\nEND:VEVENT\r\n");
}

static char *
generate (guint n_events)
{
  GString *text = g_string_new ("BEGIN:VCALENDAR\r\nPRODID:-//Google Inc//Google Calendar 70.9054//EN\r\n"
                                "VERSION:2.0\r\nCALSCALE:GREGORIAN\r\nMETHOD:PUBLISH\r\n"
                                "X-WR-CALNAME:Busy year\r\nX-WR-TIMEZONE:Europe/Berlin\r\n");

  g_string_append (text, vtimezone);
  for (guint i = 0; i < n_events; i++)
    {
      g_autoptr(GDate) day = g_date_new_dmy (1, G_DATE_DECEMBER, 2026);

      g_date_add_days (day, i * 365 / n_events);
      append_event (text, day, i);
    }
  g_string_append (text, "END:VCALENDAR\r\n");

  return g_string_free (text, FALSE);
}

/* Microseconds from spawn to exit of `calsync --import=FILE` */
static gint64
run_import (const char *calsync,
            const char *file,
            const char *data_home,
            char      **out)
{
  g_autoptr(GSubprocessLauncher) launcher = bench_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, data_home, NOW);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *arg = g_strconcat ("--import=", file, NULL);
  gint64 start;

  start = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, &error, calsync, arg, NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, out, NULL, &error))
    g_error ("Could not run %s: %s", calsync, error->message);
  if (!g_subprocess_get_if_exited (process) || g_subprocess_get_exit_status (process) != 0)
    g_error ("%s %s failed", calsync, arg);

  return g_get_monotonic_time () - start;
}

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static void
report (const char *what,
        GArray     *times,
        const char *target)
{
  g_array_sort (times, compare_gint64);
  g_print ("%-42s median %6.1f ms  (min %.1f, max %.1f, %u runs)%s\n", what,
           g_array_index (times, gint64, times->len / 2) / 1000.0,
           g_array_index (times, gint64, 0) / 1000.0,
           g_array_index (times, gint64, times->len - 1) / 1000.0, times->len, target);
}

static void
time_parse (const char *text,
            guint       n_events)
{
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (NOW, NULL);
  g_autoptr(GDateTime) first = g_date_time_add_months (now, -3);
  g_autoptr(GDateTime) last = g_date_time_add_months (now, 12);

  for (int i = 0; i < RUNS; i++)
    {
      g_autoptr(GError) error = NULL;
      gint64 start = g_get_monotonic_time ();
      g_autoptr(GPtrArray) events = calsync_ical_parse (text, -1, g_date_time_to_unix (first),
                                                        g_date_time_to_unix (last), &error);
      gint64 elapsed = g_get_monotonic_time () - start;

      if (events == NULL || events->len != n_events)
        g_error ("The generated file did not parse to %u events: %s", n_events, error ? error->message : "");
      g_array_append_val (times, elapsed);
    }

  report ("calsync_ical_parse() alone", times, "");
}

int
main (int    argc,
      char **argv)
{
  const char *calsync = argc > 1 ? argv[1] : BUILDDIR "/src/calsync";
  guint n_events = argc > 2 ? (guint) g_ascii_strtoull (argv[2], NULL, 10) : 5000;
  g_autofree char *dir = g_dir_make_tmp ("calsync-bench-import-XXXXXX", NULL);
  g_autofree char *file = g_build_filename (dir, "busy-year.ics", NULL);
  g_autofree char *text = generate (n_events);
  g_autoptr(GArray) fresh = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) again = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GError) error = NULL;
  g_autofree char *out = NULL;

  if (!g_file_set_contents (file, text, -1, &error))
    g_error ("%s", error->message);
  g_print ("%u events, %.1f MB of iCalendar\n", n_events, strlen (text) / 1e6);

  for (int i = 0; i < RUNS; i++)
    {
      g_autofree char *data_home = g_strdup_printf ("%s/data-%d", dir, i);
      gint64 first, second;

      g_clear_pointer (&out, g_free);
      first = run_import (calsync, file, data_home, &out);
      second = run_import (calsync, file, data_home, NULL);
      g_array_append_val (fresh, first);
      g_array_append_val (again, second);
    }

  g_print ("%s", out);
  report ("calsync --import (fresh database)", fresh, "   target < 500 ms");
  report ("calsync --import again (all skipped)", again, "");
  time_parse (text, n_events);

  bench_remove_tree (dir);
  return 0;
}
