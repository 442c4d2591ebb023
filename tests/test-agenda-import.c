/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-agenda-import.c: `calsync --import` then `calsync --agenda --json`, through the
 * real binary, in time zones far east and far west of the events': all-day dates stay
 * exact, each occurrence of a series shows once (moved ones at their new time),
 * cancelled and excluded ones not at all, and importing twice changes nothing; files
 * with VEVENTs that cannot be read, without UIDs, with empty rules or ends before
 * their starts show what could be read, once. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "calsync-test-utils.h"

#define NOW "2026-11-20T12:00:00Z"

typedef struct
{
  char *dir;
  const char *tz;
} Fixture;

/* Runs calsync with @args in the fixture's data dir and time zone; its stdout. */
static char *
run_calsync (Fixture            *fx,
             const char * const *args,
             int                *status)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, fx->dir);
  g_autofree char *err = NULL;
  char *out = NULL;

  g_subprocess_launcher_setenv (launcher, "TZ", fx->tz, TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_NOW", NOW, TRUE);
  *status = calsync_test_run_calsync (launcher, args, &out, &err);
  if (*status != 0)
    g_test_message ("calsync %s: %s", args[0], err);
  return out;
}

static void
import (Fixture    *fx,
        const char *name)
{
  g_autofree char *path = g_test_build_filename (G_TEST_DIST, "fixtures", "ical", name, NULL);
  g_autofree char *option = g_strconcat ("--import=", path, NULL);
  const char *args[] = { option, NULL };
  g_autofree char *out = NULL;
  int status;

  out = run_calsync (fx, args, &status);
  g_assert_cmpint (status, ==, 0);
}

static JsonArray *
agenda (Fixture    *fx,
        const char *from,
        const char *to,
        JsonParser *parser)
{
  g_autofree char *from_option = g_strconcat ("--from=", from, NULL);
  g_autofree char *to_option = g_strconcat ("--to=", to, NULL);
  const char *args[] = { "--agenda", "--json", from_option, to_option, NULL };
  g_autofree char *out = NULL;
  g_autoptr(GError) error = NULL;
  int status;

  out = run_calsync (fx, args, &status);
  g_assert_cmpint (status, ==, 0);
  json_parser_load_from_data (parser, out, -1, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)));
  return json_node_get_array (json_parser_get_root (parser));
}

/* The events titled @title, in agenda order */
static GPtrArray *
with_title (JsonArray  *events,
            const char *title)
{
  GPtrArray *found = g_ptr_array_new ();

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "title"), title) == 0)
        g_ptr_array_add (found, event);
    }
  return found;
}

static void
assert_all_day (JsonArray  *events,
                const char *title,
                const char *start_date,
                const char *end_date)
{
  g_autoptr(GPtrArray) found = with_title (events, title);
  JsonObject *event;

  g_assert_cmpuint (found->len, ==, 1);
  event = g_ptr_array_index (found, 0);
  g_assert_true (json_object_get_boolean_member (event, "allDay"));
  g_assert_cmpstr (json_object_get_string_member (event, "startDate"), ==, start_date);
  g_assert_cmpstr (json_object_get_string_member (event, "endDate"), ==, end_date);
  g_assert_false (json_object_has_member (event, "start"));
  g_assert_false (json_object_has_member (event, "end"));
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("calsync-agenda-import-XXXXXX", &error);
  g_assert_no_error (error);
  fx->tz = data;
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  calsync_test_remove_tree (fx->dir);
  g_free (fx->dir);
}

static void
check_agenda (Fixture *fx)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(JsonParser) christmas_parser = json_parser_new ();
  JsonArray *events = agenda (fx, "2026-12-01", "2027-01-20", parser);
  g_autoptr(GPtrArray) series = with_title (events, "Team sync");
  g_autoptr(GPtrArray) moved = with_title (events, "Team sync (moved)");
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  JsonArray *christmas;
  JsonObject *event;

  /* Weekly from 1 December, 8 times: the 15th moved to the 16th, the 22nd
   * cancelled, the 29th excluded (EXDATE) */
  g_assert_cmpuint (series->len, ==, 5);
  g_assert_cmpuint (moved->len, ==, 1);
  event = g_ptr_array_index (moved, 0);
  g_assert_cmpstr (json_object_get_string_member (event, "start"), ==, "2026-12-16T14:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (event, "originalStart"), ==, "2026-12-15T09:30:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (event, "timeZone"), ==, "Europe/Berlin");
  for (guint i = 0; i < series->len; i++)
    {
      const char *start = json_object_get_string_member (g_ptr_array_index (series, i), "start");

      g_assert_false (g_str_has_prefix (start, "2026-12-15"));
      g_assert_false (g_str_has_prefix (start, "2026-12-22"));
      g_assert_false (g_str_has_prefix (start, "2026-12-29"));
      g_assert_true (g_str_has_suffix (start, "T09:30:00+01:00"));
    }

  /* Every occurrence once */
  for (guint i = 0; i < json_array_get_length (events); i++)
    g_assert_true (g_hash_table_add (ids, (gpointer) json_object_get_string_member (
                                            json_array_get_object_element (events, i), "externalId")));

  /* All-day dates as written in the file, whatever the zone */
  assert_all_day (events, "Company retreat", "2026-12-07", "2026-12-10");
  assert_all_day (events, "Christmas Day", "2026-12-25", "2026-12-26");
  assert_all_day (events, "Winter holidays", "2026-12-23", "2027-01-07");
  assert_all_day (events, "Pay rent", "2026-12-01", "2026-12-02");

  /* A one-day range holds exactly the all-day events of that local date */
  christmas = agenda (fx, "2026-12-25", "2026-12-26", christmas_parser);
  assert_all_day (christmas, "Christmas Day", "2026-12-25", "2026-12-26");
  assert_all_day (christmas, "Winter holidays", "2026-12-23", "2027-01-07");
  g_assert_cmpuint (json_array_get_length (christmas), ==, 2);
}

static void
test_import_then_agenda (Fixture       *fx,
                         gconstpointer  data)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint n_first;

  import (fx, "weekly-series.ics");
  import (fx, "all-day.ics");
  check_agenda (fx);
  n_first = json_array_get_length (agenda (fx, "2026-11-01", "2027-03-01", parser));

  /* Importing the same files again changes nothing */
  import (fx, "weekly-series.ics");
  import (fx, "all-day.ics");
  check_agenda (fx);
  g_assert_cmpuint (json_array_get_length (agenda (fx, "2026-11-01", "2027-03-01", parser)), ==, n_first);
}

static void
assert_timed_starts (JsonArray  *events,
                     const char *title,
                     const char * const *starts)
{
  g_autoptr(GPtrArray) found = with_title (events, title);

  g_assert_cmpuint (found->len, ==, g_strv_length ((char **) starts));
  for (guint i = 0; i < found->len; i++)
    g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (found, i), "start"), ==, starts[i]);
}

static void
check_agenda_as_written (Fixture *fx)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  JsonArray *events = agenda (fx, "2026-11-30", "2027-04-01", parser);
  g_autoptr(GHashTable) ids = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GPtrArray) party = with_title (events, "Year-end party");
  static const char * const review[] = {
    "2026-12-01T14:00:00+01:00", "2026-12-15T14:00:00+01:00", "2026-12-22T14:00:00+01:00", NULL
  };
  static const char * const moved[] = { "2026-12-09T14:00:00+01:00", NULL };
  static const char * const yoga[] = { "2026-12-09T08:00:00+01:00", NULL };
  static const char * const book_club[] = {
    "2026-12-02T19:00:00+01:00", "2026-12-09T19:00:00+01:00", "2026-12-16T19:00:00+01:00", NULL
  };
  static const char * const none[] = { NULL };

  /* partly-broken.ics: the broken overrides leave their occurrences as planned,
   * the unreadable rule leaves its override alone, the unfolded line its event out */
  assert_timed_starts (events, "Weekly review", review);
  assert_timed_starts (events, "Weekly review (Wednesday)", moved);
  assert_timed_starts (events, "Yoga (later)", yoga);
  assert_timed_starts (events, "Yoga", none);
  assert_timed_starts (events, "Lunch with Ann", none);
  g_assert_cmpuint (party->len, ==, 1);
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (party, 0), "start"), ==,
                   "2026-12-18T19:00:00+01:00");
  g_assert_cmpstr (json_object_get_string_member (g_ptr_array_index (party, 0), "end"), ==,
                   "2026-12-18T19:00:00+01:00");

  /* no-uid.ics */
  assert_timed_starts (events, "Book club", book_club);
  assert_all_day (events, "Grandma's birthday", "2026-12-15", "2026-12-16");

  /* holiday-feed.ics: "RRULE:" is no rule, an end the day before is the one day */
  assert_all_day (events, "1. Weihnachtstag", "2026-12-25", "2026-12-26");
  assert_all_day (events, "Neujahr", "2027-01-01", "2027-01-02");
  assert_all_day (events, "Ostermontag", "2027-03-29", "2027-03-30");

  for (guint i = 0; i < json_array_get_length (events); i++)
    g_assert_true (g_hash_table_add (ids, (gpointer) json_object_get_string_member (
                                            json_array_get_object_element (events, i), "externalId")));
}

static void
test_import_as_written (Fixture       *fx,
                        gconstpointer  data)
{
  static const char * const files[] = { "partly-broken.ics", "no-uid.ics", "holiday-feed.ics" };
  g_autoptr(JsonParser) parser = json_parser_new ();
  guint n_first;

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    import (fx, files[i]);
  check_agenda_as_written (fx);
  n_first = json_array_get_length (agenda (fx, "2026-11-01", "2027-06-01", parser));

  for (guint i = 0; i < G_N_ELEMENTS (files); i++)
    import (fx, files[i]);
  check_agenda_as_written (fx);
  g_assert_cmpuint (json_array_get_length (agenda (fx, "2026-11-01", "2027-06-01", parser)), ==, n_first);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add ("/agenda-import/pacific-auckland", Fixture, "Pacific/Auckland",
              fixture_set_up, test_import_then_agenda, fixture_tear_down);
  g_test_add ("/agenda-import/america-los-angeles", Fixture, "America/Los_Angeles",
              fixture_set_up, test_import_then_agenda, fixture_tear_down);
  g_test_add ("/agenda-import/as-written/pacific-auckland", Fixture, "Pacific/Auckland",
              fixture_set_up, test_import_as_written, fixture_tear_down);
  g_test_add ("/agenda-import/as-written/america-los-angeles", Fixture, "America/Los_Angeles",
              fixture_set_up, test_import_as_written, fixture_tear_down);

  return g_test_run ();
}
