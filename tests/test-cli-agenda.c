/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-agenda.c: the real `calsync --agenda` and `--next`: JSON over events
 * synced from the fake Google (zones, all-day, a recurring series with cancelled
 * instances, an inactive calendar) and Personal events, in several time zones;
 * the text form (day headings, colour only on a terminal); range boundaries; bad
 * usage; --next ongoing, upcoming and none. */
#include "config.h"

#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include <glib/gstdio.h>

#include "calsync-fake-google.h"
#include "calsync-secrets.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"

#define ALEX "alex@example.com"
#define TEAM "team@group.calendar.google.com"
#define MEET "https://meet.google.com/abc-defg-hij"

typedef struct
{
  char *dir;            /* XDG_DATA_HOME of the subprocesses */
  char *stderr_path;
  CalsyncStore *store;  /* the same database, for Personal events and calendar switches */
  CalsyncFakeGoogle *fake;
  const char *tz;       /* TZ of the subprocesses */
  const char *now;      /* CALSYNC_NOW of the subprocesses */
} Fixture;

/* Running calsync ------------------------------------------------------------ */

static GSubprocessLauncher *
new_launcher (Fixture          *fx,
              GSubprocessFlags  flags)
{
  GSubprocessLauncher *launcher = calsync_test_new_launcher (flags, fx->dir);

  g_subprocess_launcher_setenv (launcher, "TZ", fx->tz, TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_NOW", fx->now, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "NO_COLOR");
  return launcher;
}

/* Runs calsync while the fake keeps answering on this main context */
static int
run_calsync (Fixture            *fx,
             const char * const *args,
             char              **out,
             char              **err)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fx, G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                                               G_SUBPROCESS_FLAGS_STDERR_PIPE);

  g_test_message ("TZ=%s CALSYNC_NOW=%s", fx->tz, fx->now);
  return calsync_test_run_calsync (launcher, args, out, err);
}

/* Runs calsync with a pseudo-terminal as stdout; returns what it printed */
static char *
run_on_terminal (Fixture            *fx,
                 const char * const *args,
                 gboolean            no_color)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fx, G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GString) text = g_string_new (NULL);
  int master = posix_openpt (O_RDWR | O_NOCTTY);
  char buffer[4096];
  gssize n;

  g_assert_cmpint (master, >=, 0);
  g_assert_cmpint (grantpt (master), ==, 0);
  g_assert_cmpint (unlockpt (master), ==, 0);
  g_subprocess_launcher_take_stdout_fd (launcher, open (ptsname (master), O_RDWR | O_NOCTTY));
  g_subprocess_launcher_setenv (launcher, "TERM", "xterm-256color", TRUE);
  if (no_color)
    g_subprocess_launcher_setenv (launcher, "NO_COLOR", "1", TRUE);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_clear_object (&launcher);   /* closes our end of the terminal */
  g_assert_true (g_subprocess_wait_check (process, NULL, &error));
  g_assert_no_error (error);

  /* What the closed terminal still holds, then EIO */
  while ((n = read (master, buffer, sizeof buffer)) > 0)
    g_string_append_len (text, buffer, n);
  close (master);
  return g_string_free (g_steal_pointer (&text), FALSE);
}

static JsonNode *
agenda_json (Fixture    *fx,
             const char *from,
             const char *to)
{
  g_autofree char *from_arg = g_strdup_printf ("--from=%s", from);
  g_autofree char *to_arg = g_strdup_printf ("--to=%s", to);
  const char *args[] = { "--agenda", "--json", from_arg, to_arg, NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  JsonNode *root;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  g_assert_cmpstr (err, ==, "");
  root = calsync_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (root));
  return root;
}

/* Data ------------------------------------------------------------------------ */

static gint64
instant (const char *iso8601)
{
  g_autoptr(GDateTime) time = g_date_time_new_from_iso8601 (iso8601, NULL);

  g_assert_nonnull (time);
  return g_date_time_to_unix (time);
}

/* A timed event in the Personal calendar */
static CalsyncEvent *
add_personal (Fixture    *fx,
              const char *title,
              const char *start,
              const char *end,
              const char *zone)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();
  g_autoptr(GError) error = NULL;

  calsync_event_set_title (event, title);
  calsync_event_set_times (event, instant (start), instant (end), zone);
  g_assert_cmpint (calsync_store_create_local_event (fx->store, event, &error), >, 0);
  g_assert_no_error (error);
  return g_steal_pointer (&event);
}

static void
add_personal_timed (Fixture    *fx,
                    const char *title,
                    const char *start,
                    const char *end)
{
  g_object_unref (add_personal (fx, title, start, end, "Europe/Berlin"));
}

static void
add_personal_all_day (Fixture    *fx,
                      const char *title,
                      const char *start_date,
                      const char *end_date)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();
  g_autoptr(GError) error = NULL;

  calsync_event_set_title (event, title);
  calsync_event_set_dates (event, start_date, end_date);
  g_assert_cmpint (calsync_store_create_local_event (fx->store, event, &error), >, 0);
  g_assert_no_error (error);
}

/* A timed event with a conferencing link and a location */
static void
add_personal_meeting (Fixture    *fx,
                      const char *title,
                      const char *start,
                      const char *end)
{
  g_autoptr(CalsyncEvent) event = calsync_event_new ();
  g_autoptr(GError) error = NULL;

  calsync_event_set_title (event, title);
  calsync_event_set_times (event, instant (start), instant (end), "Europe/Berlin");
  calsync_event_set_location (event, "Room 1");
  calsync_event_set_conference_url (event, MEET);
  calsync_event_set_event_type (event, CALSYNC_EVENT_TYPE_MEETING);
  g_assert_cmpint (calsync_store_create_local_event (fx->store, event, &error), >, 0);
  g_assert_no_error (error);
}

/* Fixture ---------------------------------------------------------------------- */

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;

  fx->dir = g_dir_make_tmp ("calsync-cli-agenda-XXXXXX", &error);
  g_assert_no_error (error);
  fx->store = calsync_test_open_store (fx->dir);
  calsync_test_reserve_account_ids (calsync_store_get_path (fx->store));
  fx->stderr_path = g_build_filename (g_get_tmp_dir (), "calsync-cli-agenda-stderr-XXXXXX", NULL);
  g_close (g_mkstemp (fx->stderr_path), NULL);
  fx->tz = "Europe/Berlin";
  fx->now = "2026-11-25T12:00:00+01:00";
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_object (&fx->store);
  g_clear_object (&fx->fake);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (fx->dir);
  g_remove (fx->stderr_path);
  g_clear_pointer (&fx->dir, g_free);
  g_clear_pointer (&fx->stderr_path, g_free);
}

/* Google: signing in through the fake, as test-cli-google does ---------------- */

static void
add_account (Fixture *fx)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fx, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (calsync_test_cli_add_account (launcher, "google", fx->stderr_path, &url, &rest, &err), ==, 0);
  g_assert_nonnull (strstr (err, "Connected " ALEX " with 2 calendars."));
}

static void
put_instance (CalsyncFakeGoogle *fake,
              const char        *day,
              const char        *original,
              const char        *start,
              const char        *end,
              const char        *status)
{
  g_autofree char *json =
    g_strdup_printf ("{\"id\":\"weekly_%sT090000Z\",\"status\":\"%s\",\"summary\":\"Weekly sync\","
                     "\"recurringEventId\":\"weekly\","
                     "\"originalStartTime\":{\"dateTime\":\"%sT10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
                     "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"},"
                     "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"}}",
                     day, status, original, start, end);

  calsync_fake_google_put_event (fake, ALEX, json);
}

/* A weekly series on Tuesdays (one instance cancelled from the start, one
 * moved to Wednesday), events in New York time and in UTC, all-day events,
 * a meeting with attendees, and an event of the Team calendar. */
static void
seed_fake (CalsyncFakeGoogle *fake)
{
  calsync_fake_google_add_calendar (fake, ALEX, ALEX, ALEX, TRUE);
  calsync_fake_google_add_calendar (fake, ALEX, TEAM, "Team", FALSE);
  put_instance (fake, "20261201", "2026-12-01", "2026-12-01T10:00:00+01:00", "2026-12-01T10:30:00+01:00",
                "confirmed");
  put_instance (fake, "20261208", "2026-12-08", "2026-12-08T10:00:00+01:00", "2026-12-08T10:30:00+01:00",
                "confirmed");
  put_instance (fake, "20261215", "2026-12-15", "2026-12-15T10:00:00+01:00", "2026-12-15T10:30:00+01:00",
                "cancelled");
  put_instance (fake, "20261222", "2026-12-22", "2026-12-23T11:00:00+01:00", "2026-12-23T11:30:00+01:00",
                "confirmed");
  put_instance (fake, "20261229", "2026-12-29", "2026-12-29T10:00:00+01:00", "2026-12-29T10:30:00+01:00",
                "confirmed");
  calsync_fake_google_put_event (fake, ALEX,
    "{\"id\":\"nycall\",\"status\":\"confirmed\",\"summary\":\"New York call\","
    "\"start\":{\"dateTime\":\"2026-12-02T09:00:00-05:00\",\"timeZone\":\"America/New_York\"},"
    "\"end\":{\"dateTime\":\"2026-12-02T09:30:00-05:00\",\"timeZone\":\"America/New_York\"}}");
  calsync_fake_google_put_event (fake, ALEX,
    "{\"id\":\"utcsync\",\"status\":\"confirmed\",\"summary\":\"UTC sync\","
    "\"start\":{\"dateTime\":\"2026-12-02T12:00:00Z\"},\"end\":{\"dateTime\":\"2026-12-02T13:00:00Z\"}}");
  calsync_fake_google_put_event (fake, ALEX,
    "{\"id\":\"holiday\",\"status\":\"confirmed\",\"summary\":\"Holiday\","
    "\"start\":{\"date\":\"2026-12-24\"},\"end\":{\"date\":\"2026-12-26\"}}");
  calsync_fake_google_put_event (fake, ALEX,
    "{\"id\":\"deadline\",\"status\":\"confirmed\",\"summary\":\"Report deadline\","
    "\"start\":{\"date\":\"2026-12-01\"},\"end\":{\"date\":\"2026-12-02\"}}");
  calsync_fake_google_put_event (fake, ALEX,
    "{\"id\":\"planning\",\"status\":\"confirmed\",\"summary\":\"Planning\",\"location\":\"Room 2\","
    "\"description\":\"Agenda:\\n1. \\\"Q1\\\"\",\"hangoutLink\":\"" MEET "\","
    "\"organizer\":{\"email\":\"ann@example.com\"},"
    "\"attendees\":[{\"email\":\"ann@example.com\",\"displayName\":\"Ann\",\"responseStatus\":\"accepted\"},"
    "{\"email\":\"" ALEX "\",\"self\":true,\"responseStatus\":\"needsAction\"}],"
    "\"start\":{\"dateTime\":\"2026-12-01T10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
    "\"end\":{\"dateTime\":\"2026-12-01T11:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}");
  calsync_fake_google_put_event (fake, TEAM,
    "{\"id\":\"teamonly\",\"status\":\"confirmed\",\"summary\":\"Team offsite\","
    "\"start\":{\"dateTime\":\"2026-12-03T09:00:00Z\"},\"end\":{\"dateTime\":\"2026-12-03T17:00:00Z\"}}");
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fake), ALEX);
}

static void
sync_google (Fixture *fx)
{
  const char *args[] = { "--sync", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
}

static gint64
find_calendar (Fixture    *fx,
               const char *name,
               gint64     *account_id)
{
  g_autoptr(GPtrArray) calendars = calsync_store_list_calendars (fx->store, 0, NULL);

  for (guint i = 0; calendars != NULL && i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);

      if (g_strcmp0 (calsync_calendar_get_name (calendar), name) == 0)
        {
          if (account_id != NULL)
            *account_id = calsync_calendar_get_account_id (calendar);
          return calsync_calendar_get_id (calendar);
        }
    }

  g_assert_not_reached ();
}

/* Checks of the JSON format ------------------------------------------------------- */

static const char * const timed_keys[] = {
  "allDay", "attendees", "calendarId", "calendarName", "conferenceUrl", "description", "end",
  "eventType", "externalId", "id", "locallyModified", "location", "originalStart", "provider",
  "recurringEventId", "start", "status", "timeZone", "title", NULL
};

static const char * const all_day_keys[] = {
  "allDay", "attendees", "calendarId", "calendarName", "conferenceUrl", "description", "endDate",
  "eventType", "externalId", "id", "locallyModified", "location", "originalStart", "provider",
  "recurringEventId", "startDate", "status", "timeZone", "title", NULL
};

static int
compare_names (gconstpointer a,
               gconstpointer b)
{
  return g_strcmp0 (*(const char * const *) a, *(const char * const *) b);
}

/* Exactly the keys of the DESIGN.md format (expected lists are sorted) */
static void
assert_key_set (JsonObject *event)
{
  gboolean all_day = json_object_get_boolean_member (event, "allDay");
  const char * const *expected = all_day ? all_day_keys : timed_keys;
  g_autoptr(GList) members = json_object_get_members (event);
  g_autoptr(GPtrArray) names = g_ptr_array_new ();

  for (GList *l = members; l != NULL; l = l->next)
    g_ptr_array_add (names, l->data);
  g_ptr_array_sort (names, compare_names);
  g_assert_cmpuint (names->len, ==, g_strv_length ((char **) expected));
  for (guint i = 0; i < names->len; i++)
    g_assert_cmpstr (g_ptr_array_index (names, i), ==, expected[i]);

  /* Strings and arrays where the format says so */
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (event, "id")), ==, G_TYPE_STRING);
  g_assert_cmpint (json_node_get_value_type (json_object_get_member (event, "calendarId")), ==, G_TYPE_STRING);
  g_assert_true (JSON_NODE_HOLDS_ARRAY (json_object_get_member (event, "attendees")));
}

static JsonObject *
find_event (JsonArray  *events,
            const char *external_id)
{
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "externalId"), external_id) == 0)
        return event;
    }

  return NULL;
}

static JsonObject *
find_titled (JsonArray  *events,
             const char *title)
{
  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);

      if (g_strcmp0 (json_object_get_string_member (event, "title"), title) == 0)
        return event;
    }

  return NULL;
}

static guint
count_titled (JsonArray  *events,
              const char *title)
{
  guint n = 0;

  for (guint i = 0; i < json_array_get_length (events); i++)
    if (g_strcmp0 (json_object_get_string_member (json_array_get_object_element (events, i), "title"), title) == 0)
      n++;

  return n;
}

/* Start of an event for the order: its instant, or local midnight of its first
 * date in @zone */
static gint64
order_key (JsonObject *event,
           GTimeZone  *zone)
{
  g_autoptr(GDateTime) time = NULL;
  int y = 0, m = 0, d = 0;

  if (!json_object_get_boolean_member (event, "allDay"))
    return instant (json_object_get_string_member (event, "start"));

  g_assert_cmpint (sscanf (json_object_get_string_member (event, "startDate"), "%d-%d-%d", &y, &m, &d), ==, 3);
  time = g_date_time_new (zone, y, m, d, 0, 0, 0);
  return g_date_time_to_unix (time);
}

/* By start, all-day first among those starting together, then by title */
static void
assert_ordered (JsonArray  *events,
                const char *tz)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier (tz);

  for (guint i = 1; i < json_array_get_length (events); i++)
    {
      JsonObject *a = json_array_get_object_element (events, i - 1);
      JsonObject *b = json_array_get_object_element (events, i);
      gint64 ka = order_key (a, zone), kb = order_key (b, zone);
      gboolean all_day_a = json_object_get_boolean_member (a, "allDay");
      gboolean all_day_b = json_object_get_boolean_member (b, "allDay");

      g_assert_cmpint (ka, <=, kb);
      if (ka == kb && all_day_a == all_day_b)
        g_assert_cmpint (g_utf8_collate (json_object_get_string_member (a, "title"),
                                         json_object_get_string_member (b, "title")), <=, 0);
      else if (ka == kb)
        g_assert_true (all_day_a);
    }
}

static void
assert_all_day (JsonObject *event,
                const char *start_date,
                const char *end_date)
{
  g_assert_nonnull (event);
  g_assert_true (json_object_get_boolean_member (event, "allDay"));
  g_assert_cmpstr (json_object_get_string_member (event, "startDate"), ==, start_date);
  g_assert_cmpstr (json_object_get_string_member (event, "endDate"), ==, end_date);
  g_assert_false (json_object_has_member (event, "start"));
  g_assert_false (json_object_has_member (event, "end"));
  g_assert_true (json_object_get_null_member (event, "timeZone"));
}

static void
assert_timed (JsonObject *event,
              const char *start,
              const char *end,
              const char *zone)
{
  g_assert_nonnull (event);
  g_assert_false (json_object_get_boolean_member (event, "allDay"));
  g_assert_cmpstr (json_object_get_string_member (event, "start"), ==, start);
  g_assert_cmpstr (json_object_get_string_member (event, "end"), ==, end);
  g_assert_cmpstr (json_object_get_string_member (event, "timeZone"), ==, zone);
  g_assert_false (json_object_has_member (event, "startDate"));
}

static void
check_planning (JsonObject *planning)
{
  JsonArray *attendees = json_object_get_array_member (planning, "attendees");
  JsonObject *ann;

  g_assert_cmpstr (json_object_get_string_member (planning, "location"), ==, "Room 2");
  g_assert_cmpstr (json_object_get_string_member (planning, "description"), ==, "Agenda:\n1. \"Q1\"");
  g_assert_cmpstr (json_object_get_string_member (planning, "conferenceUrl"), ==, MEET);
  g_assert_cmpstr (json_object_get_string_member (planning, "eventType"), ==, "meeting");
  g_assert_cmpstr (json_object_get_string_member (planning, "status"), ==, "confirmed");
  g_assert_cmpuint (json_array_get_length (attendees), ==, 2);
  ann = json_array_get_object_element (attendees, 0);
  g_assert_cmpstr (json_object_get_string_member (ann, "email"), ==, "ann@example.com");
  g_assert_cmpstr (json_object_get_string_member (ann, "name"), ==, "Ann");
  g_assert_cmpstr (json_object_get_string_member (ann, "response"), ==, "accepted");
  g_assert_true (json_object_get_boolean_member (ann, "organizer"));
}

static void
check_optional_values (JsonObject *plain)
{
  g_assert_cmpstr (json_object_get_string_member (plain, "location"), ==, "");
  g_assert_cmpstr (json_object_get_string_member (plain, "description"), ==, "");
  g_assert_true (json_object_get_null_member (plain, "conferenceUrl"));
  g_assert_true (json_object_get_null_member (plain, "recurringEventId"));
  g_assert_true (json_object_get_null_member (plain, "originalStart"));
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (plain, "attendees")), ==, 0);
  g_assert_false (json_object_get_boolean_member (plain, "locallyModified"));
}

/* The weekly series: each remaining instance once, the cancelled ones absent */
static void
check_series (JsonArray          *events,
              const char * const *present,
              const char * const *absent)
{
  g_assert_cmpuint (count_titled (events, "Weekly sync"), ==, g_strv_length ((char **) present));
  for (guint i = 0; present[i] != NULL; i++)
    {
      JsonObject *instance = find_event (events, present[i]);

      g_assert_nonnull (instance);
      g_assert_cmpstr (json_object_get_string_member (instance, "recurringEventId"), ==, "weekly");
    }
  for (guint i = 0; absent[i] != NULL; i++)
    g_assert_null (find_event (events, absent[i]));
}

static void
check_december (Fixture            *fx,
                const char * const *present,
                const char * const *absent)
{
  g_autoptr(JsonNode) root = agenda_json (fx, "2026-12-01", "2027-01-01");
  JsonArray *events = json_node_get_array (root);
  JsonObject *moved = find_event (events, "weekly_20261222T090000Z");
  JsonObject *personal = find_titled (events, "Personal lunch");

  for (guint i = 0; i < json_array_get_length (events); i++)
    assert_key_set (json_array_get_object_element (events, i));
  assert_ordered (events, fx->tz);
  check_series (events, present, absent);

  assert_timed (moved, "2026-12-23T11:00:00+01:00", "2026-12-23T11:30:00+01:00", "Europe/Berlin");
  g_assert_cmpstr (json_object_get_string_member (moved, "originalStart"), ==, "2026-12-22T10:00:00+01:00");
  assert_timed (find_event (events, "nycall"), "2026-12-02T09:00:00-05:00", "2026-12-02T09:30:00-05:00",
                "America/New_York");
  assert_timed (find_event (events, "utcsync"), "2026-12-02T12:00:00Z", "2026-12-02T13:00:00Z", "UTC");
  assert_all_day (find_event (events, "holiday"), "2026-12-24", "2026-12-26");
  assert_all_day (find_event (events, "deadline"), "2026-12-01", "2026-12-02");
  assert_all_day (find_titled (events, "Personal trip"), "2026-12-28", "2027-01-02");
  check_planning (find_event (events, "planning"));
  check_optional_values (find_event (events, "nycall"));

  /* Inactive calendar */
  g_assert_null (find_event (events, "teamonly"));

  g_assert_cmpstr (json_object_get_string_member (find_event (events, "holiday"), "provider"), ==, "google");
  g_assert_cmpstr (json_object_get_string_member (find_event (events, "holiday"), "calendarName"), ==, ALEX);
  g_assert_nonnull (personal);
  g_assert_cmpstr (json_object_get_string_member (personal, "provider"), ==, "local");
  g_assert_true (json_object_get_boolean_member (personal, "locallyModified"));
  g_assert_cmpstr (json_object_get_string_member (personal, "timeZone"), ==, "Asia/Kolkata");
  assert_timed (personal, "2026-12-04T12:30:00+05:30", "2026-12-04T13:30:00+05:30", "Asia/Kolkata");
  /* A zone GLib does not know: the instants in UTC, the name as stored */
  assert_timed (find_titled (events, "Odd zone"), "2026-12-05T10:00:00Z", "2026-12-05T11:00:00Z",
                "Mars/Olympus_Mons");
}

/* All-day events on exactly their dates, whatever the zone: in range when
 * --from/--to cover one of their dates, out when they do not */
static void
check_all_day_dates (Fixture *fx)
{
  static const struct { const char *from, *to; gboolean holiday; } cases[] = {
    { "2026-12-23", "2026-12-24", FALSE },
    { "2026-12-24", "2026-12-25", TRUE },
    { "2026-12-25", "2026-12-26", TRUE },
    { "2026-12-26", "2026-12-27", FALSE },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(JsonNode) root = agenda_json (fx, cases[i].from, cases[i].to);
      JsonObject *holiday = find_event (json_node_get_array (root), "holiday");

      if (cases[i].holiday)
        assert_all_day (holiday, "2026-12-24", "2026-12-26");
      else
        g_assert_null (holiday);
    }
}

/* Tests ---------------------------------------------------------------------------- */

static void
test_json_google (Fixture       *fx,
                  gconstpointer  data)
{
  const char *zones[] = { "Pacific/Auckland", "America/Los_Angeles", "Europe/Berlin" };
  const char *four[] = { "weekly_20261201T090000Z", "weekly_20261208T090000Z",
                         "weekly_20261222T090000Z", "weekly_20261229T090000Z", NULL };
  const char *three[] = { "weekly_20261201T090000Z", "weekly_20261208T090000Z",
                          "weekly_20261222T090000Z", NULL };
  const char *cancelled[] = { "weekly_20261215T090000Z", NULL };
  const char *both_cancelled[] = { "weekly_20261215T090000Z", "weekly_20261229T090000Z", NULL };
  g_autoptr(CalsyncEvent) lunch = NULL;
  g_autoptr(CalsyncEvent) odd = NULL;
  gint64 account_id = 0;

  fx->fake = calsync_fake_google_new ();
  calsync_fake_google_export_env (fx->fake);
  seed_fake (fx->fake);
  add_account (fx);
  sync_google (fx);
  g_assert_true (calsync_store_set_calendar_active (fx->store, find_calendar (fx, "Team", &account_id),
                                                    FALSE, NULL));
  lunch = add_personal (fx, "Personal lunch", "2026-12-04T12:30:00+05:30", "2026-12-04T13:30:00+05:30",
                        "Asia/Kolkata");
  add_personal_all_day (fx, "Personal trip", "2026-12-28", "2027-01-02");
  odd = add_personal (fx, "Odd zone", "2026-12-05T10:00:00Z", "2026-12-05T11:00:00Z", "Mars/Olympus_Mons");

  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      fx->tz = zones[i];
      check_december (fx, four, cancelled);
      check_all_day_dates (fx);
    }

  /* An instance cancelled later goes away at the next sync */
  calsync_fake_google_cancel_event (fx->fake, ALEX, "weekly_20261229T090000Z");
  sync_google (fx);
  for (guint i = 0; i < G_N_ELEMENTS (zones); i++)
    {
      fx->tz = zones[i];
      check_december (fx, three, both_cancelled);
    }

  calsync_test_delete_secret (account_id);
}

/* Personal events around the edges of 10–11 December (Berlin) */
static void
add_boundary_events (Fixture *fx)
{
  add_personal_timed (fx, "Ends at from", "2026-12-09T23:00:00+01:00", "2026-12-10T00:00:00+01:00");
  add_personal_timed (fx, "Across from", "2026-12-09T23:00:00+01:00", "2026-12-10T01:00:00+01:00");
  add_personal_timed (fx, "Inside", "2026-12-10T09:00:00+01:00", "2026-12-10T10:00:00+01:00");
  add_personal_timed (fx, "Last second", "2026-12-10T23:59:00+01:00", "2026-12-11T00:00:00+01:00");
  add_personal_timed (fx, "Starts at to", "2026-12-11T00:00:00+01:00", "2026-12-11T01:00:00+01:00");
  add_personal_timed (fx, "Next week", "2026-12-16T09:00:00+01:00", "2026-12-16T10:00:00+01:00");
  add_personal_timed (fx, "Week after", "2026-12-17T09:00:00+01:00", "2026-12-17T10:00:00+01:00");
}

static void
assert_titles (JsonNode           *root,
               const char * const *titles)
{
  JsonArray *events = json_node_get_array (root);

  g_assert_cmpuint (json_array_get_length (events), ==, g_strv_length ((char **) titles));
  for (guint i = 0; titles[i] != NULL; i++)
    g_assert_cmpstr (json_object_get_string_member (json_array_get_object_element (events, i), "title"), ==,
                     titles[i]);
}

static void
assert_agenda_titles (Fixture            *fx,
                      const char * const *args,
                      const char * const *titles)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  root = calsync_test_parse_json (out);
  assert_titles (root, titles);
}

static void
test_boundaries (Fixture       *fx,
                 gconstpointer  data)
{
  const char *one_day[] = { "Across from", "Inside", "Last second", NULL };
  const char *week[] = { "Across from", "Inside", "Last second", "Starts at to", "Next week", NULL };
  const char *args_day[] = { "--agenda", "--json", "--from=2026-12-10", "--to=2026-12-11", NULL };
  const char *args_default[] = { "--agenda", "--json", NULL };
  const char *args_from[] = { "--agenda", "--json", "--from=2026-12-10", NULL };
  const char *args_to[] = { "--agenda", "--json", "--to=2026-12-17", NULL };
  const char *args_empty[] = { "--agenda", "--json", "--from=2026-12-10", "--to=2026-12-10", NULL };
  const char *none[] = { NULL };

  add_boundary_events (fx);
  fx->now = "2026-12-10T12:00:00+01:00";
  assert_agenda_titles (fx, args_day, one_day);
  /* Defaults: today and a week later; --from alone: a week from it; --to alone: from today */
  assert_agenda_titles (fx, args_default, week);
  assert_agenda_titles (fx, args_from, week);
  assert_agenda_titles (fx, args_to, week);
  assert_agenda_titles (fx, args_empty, none);

  /* The same instants seen from New York: another local day */
  fx->tz = "America/New_York";
  {
    const char *ny[] = { "Inside", "Last second", "Starts at to", NULL };
    const char *args_ny[] = { "--agenda", "--json", "--from=2026-12-10", "--to=2026-12-11", NULL };

    assert_agenda_titles (fx, args_ny, ny);
  }
}

static void
assert_usage_error (Fixture            *fx,
                    const char * const *args,
                    const char         *message)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, message));
}

static void
test_bad_usage (Fixture       *fx,
                gconstpointer  data)
{
  const char *month[] = { "--agenda", "--from=2026-13-01", NULL };
  const char *day[] = { "--agenda", "--json", "--to=2026-02-30", NULL };
  const char *words[] = { "--agenda", "--from=tomorrow", NULL };
  const char *short_form[] = { "--agenda", "--from=2026-1-5", NULL };
  const char *reversed[] = { "--agenda", "--json", "--from=2026-12-10", "--to=2026-12-01", NULL };
  const char *before_today[] = { "--agenda", "--to=2026-11-01", NULL };
  const char *next_range[] = { "--next", "--to=2026-12-01", NULL };

  assert_usage_error (fx, month, "--from=2026-13-01 is not a date");
  assert_usage_error (fx, day, "--to=2026-02-30 is not a date");
  assert_usage_error (fx, words, "--from=tomorrow is not a date");
  assert_usage_error (fx, short_form, "is not a date");
  assert_usage_error (fx, reversed, "--from=2026-12-10 is after --to=2026-12-01");
  assert_usage_error (fx, before_today, "--to=2026-11-01 is before today");
  assert_usage_error (fx, next_range, "--to cannot be used with this command");
}

/* 10–15 December 2026 in Berlin; "now" is Thursday the 10th */
static void
add_week_events (Fixture *fx)
{
  g_autoptr(CalsyncEvent) evil = NULL;

  add_personal_all_day (fx, "Release day", "2026-12-10", "2026-12-11");
  add_personal_meeting (fx, "Standup", "2026-12-10T10:00:00+01:00", "2026-12-10T10:15:00+01:00");
  add_personal_timed (fx, "Night shift", "2026-12-10T22:00:00+01:00", "2026-12-11T02:00:00+01:00");
  add_personal_timed (fx, "Conference", "2026-12-11T09:00:00+01:00", "2026-12-14T17:00:00+01:00");
  add_personal_timed (fx, "Dinner", "2026-12-12T19:00:00+01:00", "2026-12-12T21:00:00+01:00");
  add_personal_timed (fx, "Ahead", "2026-12-12T19:00:00+01:00", "2026-12-12T19:30:00+01:00");
  add_personal_timed (fx, "Pay rent", "2026-12-15T09:00:00+01:00", "2026-12-15T09:00:00+01:00");
  add_personal_timed (fx, "New year", "2027-01-04T09:00:00+01:00", "2027-01-04T10:00:00+01:00");
  evil = add_personal (fx, "Evil\033]0;pwned\007 title\nnext", "2027-02-03T09:00:00+01:00",
                       "2027-02-03T10:00:00+01:00", "Europe/Berlin");
  calsync_event_set_location (evil, "Room 1\n2nd floor");
  g_assert_true (calsync_store_edit_local_event (fx->store, evil, NULL));
}

static const char expected_week[] =
  "Today\n"
  "  All day            Release day\n"
  "  10:00 – 10:15      Standup\n"
  "                     Room 1 · " MEET "\n"
  "  22:00 – Fri 02:00  Night shift\n"
  "\n"
  "Tomorrow\n"
  "  until 02:00        Night shift\n"
  "  09:00 – Mon 17:00  Conference\n"
  "\n"
  "Saturday 12 December\n"
  "  All day            Conference\n"
  "  19:00 – 19:30      Ahead\n"
  "  19:00 – 21:00      Dinner\n"
  "\n"
  "Sunday 13 December\n"
  "  All day            Conference\n"
  "\n"
  "Monday 14 December\n"
  "  until 17:00        Conference\n"
  "\n"
  "Tuesday 15 December\n"
  "  09:00              Pay rent\n";

static void
test_text (Fixture       *fx,
           gconstpointer  data)
{
  const char *week[] = { "--agenda", NULL };
  const char *next_year[] = { "--agenda", "--from=2027-01-04", "--to=2027-01-05", NULL };
  const char *empty[] = { "--agenda", "--from=2027-03-01", NULL };
  const char *evil_day[] = { "--agenda", "--from=2027-02-03", "--to=2027-02-04", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *colored = NULL;
  g_autofree char *plain = NULL;

  add_week_events (fx);
  fx->now = "2026-12-10T08:00:00+01:00";

  /* Piped: no escape codes */
  g_assert_cmpint (run_calsync (fx, week, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, expected_week);
  g_assert_null (strchr (out, '\033'));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_calsync (fx, next_year, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "Monday 4 January 2027\n  09:00 – 10:00  New year\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_calsync (fx, empty, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "No events\n");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* Control characters from an invitation never reach the terminal */
  g_assert_cmpint (run_calsync (fx, evil_day, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, "Wednesday 3 February 2027\n"
                            "  09:00 – 10:00  Evil ]0;pwned  title next\n"
                            "                 Room 1 2nd floor\n");
  /* … and JSON carries them escaped, exactly */
  {
    g_autoptr(JsonNode) root = agenda_json (fx, "2027-02-03", "2027-02-04");
    JsonObject *event = json_array_get_object_element (json_node_get_array (root), 0);

    g_assert_cmpstr (json_object_get_string_member (event, "title"), ==, "Evil\033]0;pwned\007 title\nnext");
    g_assert_cmpstr (json_object_get_string_member (event, "location"), ==, "Room 1\n2nd floor");
  }

  /* On a terminal: bold headings and dim times, unless NO_COLOR is set */
  colored = run_on_terminal (fx, week, FALSE);
  g_assert_nonnull (strstr (colored, "\033[1mToday\033[0m"));
  g_assert_nonnull (strstr (colored, "\033[2m10:00 – 10:15\033[0m"));
  plain = run_on_terminal (fx, week, TRUE);
  g_assert_nonnull (strstr (plain, "Today"));
  g_assert_null (strchr (plain, '\033'));
}

/* --next ----------------------------------------------------------------------- */

static void
add_next_events (Fixture *fx)
{
  add_personal_meeting (fx, "Standup", "2026-12-10T10:00:00+01:00", "2026-12-10T10:15:00+01:00");
  add_personal_timed (fx, "Lunch", "2026-12-10T12:30:00+01:00", "2026-12-10T13:30:00+01:00");
  add_personal_timed (fx, "Early call", "2026-12-11T09:00:00+01:00", "2026-12-11T09:30:00+01:00");
  add_personal_all_day (fx, "Holiday", "2026-12-12", "2026-12-14");
  add_personal_timed (fx, "Review", "2026-12-14T11:00:00+01:00", "2026-12-14T12:00:00+01:00");
  add_personal_timed (fx, "Far away", "2027-01-20T15:00:00+01:00", "2027-01-20T16:00:00+01:00");
}

static void
assert_next (Fixture    *fx,
             const char *now,
             const char *expected)
{
  const char *args[] = { "--next", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  fx->now = now;
  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 0);
  g_assert_cmpstr (out, ==, expected);
}

static void
test_next (Fixture       *fx,
           gconstpointer  data)
{
  const char *args[] = { "--next", NULL };
  const char *json_args[] = { "--next", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonObject *next;

  /* Nothing at all */
  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  add_next_events (fx);
  assert_next (fx, "2026-12-10T10:05:00+01:00", "now: Standup until 10:15 — " MEET "\n");
  assert_next (fx, "2026-12-10T09:48:00+01:00", "Standup in 12 min — " MEET "\n");
  assert_next (fx, "2026-12-10T09:59:30+01:00", "Standup in 1 min — " MEET "\n");
  assert_next (fx, "2026-12-10T10:20:00+01:00", "Lunch at 12:30\n");
  assert_next (fx, "2026-12-10T14:00:00+01:00", "Early call tomorrow at 09:00\n");
  /* The all-day Holiday in between is not "next" */
  assert_next (fx, "2026-12-11T10:00:00+01:00", "Review on Monday at 11:00\n");
  assert_next (fx, "2026-12-14T12:00:00+01:00", "Far away on 20 January 2027 at 15:00\n");

  /* Nothing left within a year */
  fx->now = "2027-01-20T16:00:00+01:00";
  g_assert_cmpint (run_calsync (fx, args, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (run_calsync (fx, json_args, &out, &err), ==, 1);
  g_assert_cmpstr (out, ==, "");
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  /* --json: one object in the agenda format */
  fx->now = "2026-12-10T10:05:00+01:00";
  fx->tz = "America/Los_Angeles";
  g_assert_cmpint (run_calsync (fx, json_args, &out, &err), ==, 0);
  root = calsync_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (root));
  next = json_node_get_object (root);
  assert_key_set (next);
  assert_timed (next, "2026-12-10T10:00:00+01:00", "2026-12-10T10:15:00+01:00", "Europe/Berlin");
  g_assert_cmpstr (json_object_get_string_member (next, "title"), ==, "Standup");
  g_assert_cmpstr (json_object_get_string_member (next, "conferenceUrl"), ==, MEET);
  g_assert_cmpstr (json_object_get_string_member (next, "provider"), ==, "local");
}

#define ADD(path, func) \
  g_test_add (path, Fixture, NULL, fixture_set_up, func, fixture_tear_down)

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_setenv ("LANGUAGE", "C", TRUE);
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);
  calsync_test_require_keyring ();

  ADD ("/cli-agenda/json-google", test_json_google);
  ADD ("/cli-agenda/boundaries", test_boundaries);
  ADD ("/cli-agenda/bad-usage", test_bad_usage);
  ADD ("/cli-agenda/text", test_text);
  ADD ("/cli-agenda/next", test_next);

  return g_test_run ();
}
