/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-seed.c: fills the default store with realistic demo events (screenshots, UI tests, benchmarks). */
#define G_LOG_DOMAIN "calsync-seed"

#include "config.h"

#include <stdio.h>

#include "calsync-store.h"

#define ACCOUNT_EMAIL "alex@example.com"
#define MEET_URL      "https://meet.google.com/xbc-qwer-tyu"

typedef enum {
  CAL_PRIMARY,
  CAL_TEAM,
  CAL_HOLIDAYS,
  CAL_PERSONAL,
  N_CALS
} CalIndex;

typedef struct
{
  CalsyncStore *store;
  GDate today;
  GDate monday;            /* Monday of today's week */
  gint64 calendar_ids[N_CALS];
  GPtrArray *batches[N_CALS];
  char *zone;
  gint64 now_usec;
} Seed;

static const struct {
  const char *remote_id;
  const char *name;
  const char *color;
} google_calendars[] = {
  [CAL_PRIMARY] = { ACCOUNT_EMAIL, ACCOUNT_EMAIL, "#3584e4" },
  [CAL_TEAM] = { "c_7k2m9team@group.calendar.google.com", "Team", "#33d17a" },
  [CAL_HOLIDAYS] = { "en.german#holiday@group.v.calendar.google.com", "Holidays", "#9141ac" },
};

/* Calendar and account setup ---------------------------------------------- */

static gint64
find_or_add_account (CalsyncStore *store)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (store, NULL);
  g_autoptr(CalsyncAccount) account = NULL;

  for (guint i = 0; accounts && i < accounts->len; i++)
    {
      CalsyncAccount *a = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (calsync_account_get_provider (a), "google") == 0 &&
          g_strcmp0 (calsync_account_get_email (a), ACCOUNT_EMAIL) == 0)
        return calsync_account_get_id (a);
    }

  account = calsync_account_new ();
  calsync_account_set_provider (account, "google");
  calsync_account_set_email (account, ACCOUNT_EMAIL);
  return calsync_store_add_account (store, account, NULL);
}

static gint64
find_or_add_calendar (CalsyncStore *store,
                      gint64        account_id,
                      CalIndex      index)
{
  g_autoptr(CalsyncCalendar) calendar = NULL;

  calendar = calsync_store_lookup_calendar (store, account_id, google_calendars[index].remote_id, NULL);
  if (calendar != NULL)
    return calsync_calendar_get_id (calendar);

  calendar = calsync_calendar_new ();
  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, google_calendars[index].remote_id);
  calsync_calendar_set_name (calendar, google_calendars[index].name);
  calsync_calendar_set_color (calendar, google_calendars[index].color);
  calsync_calendar_set_is_primary (calendar, index == CAL_PRIMARY);
  return calsync_store_add_calendar (store, calendar, NULL);
}

static gboolean
setup_calendars (Seed *seed)
{
  gint64 account_id = find_or_add_account (seed->store);

  if (account_id <= 0)
    return FALSE;

  for (CalIndex i = CAL_PRIMARY; i <= CAL_HOLIDAYS; i++)
    if ((seed->calendar_ids[i] = find_or_add_calendar (seed->store, account_id, i)) <= 0)
      return FALSE;

  seed->calendar_ids[CAL_PERSONAL] = calsync_store_get_personal_calendar_id (seed->store);
  return TRUE;
}

/* Building events --------------------------------------------------------- */

static void
day_offset (Seed  *seed,
            int    days,
            GDate *out)
{
  *out = seed->monday;
  if (days >= 0)
    g_date_add_days (out, days);
  else
    g_date_subtract_days (out, -days);
}

static char *
date_text (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date),
                          g_date_get_month (date), g_date_get_day (date));
}

static CalsyncEvent *
new_event (Seed       *seed,
           const char *slug,
           const GDate *date,
           const char *title)
{
  CalsyncEvent *event = calsync_event_new ();
  g_autofree char *day = date_text (date);
  g_autofree char *id = g_strdup_printf ("seed-%s-%s", slug, day);

  calsync_event_set_external_id (event, id);
  calsync_event_set_etag (event, "\"3391048312000000\"");
  calsync_event_set_title (event, title);
  calsync_event_set_remote_updated (event, seed->now_usec);
  return event;
}

/* A timed event from local wall-clock times, @days after this week's Monday. */
static CalsyncEvent *
add_timed (Seed       *seed,
           CalIndex    cal,
           const char *slug,
           int         days,
           int         hour,
           int         minute,
           int         minutes,
           const char *title)
{
  g_autoptr(GDateTime) start = NULL;
  CalsyncEvent *event;
  GDate date;

  day_offset (seed, days, &date);
  start = g_date_time_new_local (g_date_get_year (&date), g_date_get_month (&date),
                                 g_date_get_day (&date), hour, minute, 0);
  event = new_event (seed, slug, &date, title);
  calsync_event_set_times (event, g_date_time_to_unix (start),
                           g_date_time_to_unix (start) + minutes * 60, seed->zone);
  g_ptr_array_add (seed->batches[cal], event);
  return event;
}

static CalsyncEvent *
add_all_day (Seed       *seed,
             CalIndex    cal,
             const char *slug,
             int         days,
             int         n_days,
             const char *title)
{
  g_autofree char *start_text = NULL;
  g_autofree char *end_text = NULL;
  CalsyncEvent *event;
  GDate start, end;

  day_offset (seed, days, &start);
  day_offset (seed, days + n_days, &end);
  start_text = date_text (&start);
  end_text = date_text (&end);

  event = new_event (seed, slug, &start, title);
  calsync_event_set_dates (event, start_text, end_text);
  g_ptr_array_add (seed->batches[cal], event);
  return event;
}

static void
describe (CalsyncEvent     *event,
          CalsyncEventType  type,
          const char       *location,
          const char       *description)
{
  calsync_event_set_event_type (event, type);
  calsync_event_set_location (event, location);
  calsync_event_set_description (event, description);
}

static void
add_standups (Seed *seed)
{
  for (int day = -14; day < 35; day++)
    {
      CalsyncEvent *event;

      if (((day % 7) + 7) % 7 >= 5)   /* Saturdays and Sundays */
        continue;

      event = add_timed (seed, CAL_TEAM, "standup", day, 10, 0, 15, "Standup");
      describe (event, CALSYNC_EVENT_TYPE_MEETING, "Google Meet",
                "Yesterday, today, blockers. Keep it under 15 minutes.");
      calsync_event_set_conference_url (event, MEET_URL);
      calsync_event_set_recurring_event_id (event, "seed-standup");
    }
}

static const char attendees_json[] =
  "[{\"email\":\"alex@example.com\",\"name\":\"Alex Kim\",\"response\":\"accepted\",\"organizer\":true},"
  "{\"email\":\"sam.rivera@example.com\",\"name\":\"Sam Rivera\",\"response\":\"accepted\",\"organizer\":false},"
  "{\"email\":\"priya.natarajan@example.com\",\"name\":\"Priya Natarajan\",\"response\":\"tentative\",\"organizer\":false},"
  "{\"email\":\"jordan.lee@example.com\",\"name\":\"Jordan Lee\",\"response\":\"declined\",\"organizer\":false},"
  "{\"email\":\"mei.chen@example.com\",\"name\":\"Mei Chen\",\"response\":\"needsAction\",\"organizer\":false}]";

static void
add_this_week (Seed *seed)
{
  int today = (int) g_date_days_between (&seed->monday, &seed->today);
  CalsyncEvent *e;

  /* Overlapping meetings today */
  e = add_timed (seed, CAL_TEAM, "design-review", today, 14, 0, 60, "Design review");
  describe (e, CALSYNC_EVENT_TYPE_MEETING, "Room Lovelace, 2nd floor",
            "Walk through the new onboarding flow mock-ups. Figma link in the doc.");
  e = add_timed (seed, CAL_PRIMARY, "one-on-one-sam", today, 14, 30, 30, "1:1 with Sam");
  describe (e, CALSYNC_EVENT_TYPE_MEETING, "Café Kranzler", "Career goals, feedback on the last release.");
  e = add_timed (seed, CAL_PRIMARY, "focus", today, 8, 30, 90, "Focus time: API docs");
  describe (e, CALSYNC_EVENT_TYPE_EVENT, NULL, "Do not book. Finish the sync API reference.");

  /* A meeting with attendees and a Meet link */
  e = add_timed (seed, CAL_PRIMARY, "quarterly-planning", 1, 13, 0, 90, "Quarterly planning");
  describe (e, CALSYNC_EVENT_TYPE_MEETING, "Room Kepler, 3rd floor",
            "Agenda:\n1. Q3 review\n2. Roadmap for Q4\n3. Hiring plan\n\nJoin with Google Meet: " MEET_URL);
  calsync_event_set_attendees_json (e, attendees_json);
  calsync_event_set_conference_url (e, MEET_URL);

  e = add_timed (seed, CAL_PRIMARY, "expenses", 4, 17, 0, 30, "Submit expense report");
  describe (e, CALSYNC_EVENT_TYPE_DEADLINE, NULL, "Receipts from the Lisbon trip.");
  e = add_timed (seed, CAL_PERSONAL, "rent", 0, 9, 0, 15, "Pay rent");
  describe (e, CALSYNC_EVENT_TYPE_REMINDER, NULL, NULL);
  e = add_all_day (seed, CAL_PRIMARY, "birthday", 2, 1, "Mum’s birthday");
  describe (e, CALSYNC_EVENT_TYPE_EVENT, NULL, "Call in the evening. Flowers ordered.");
  e = add_timed (seed, CAL_PERSONAL, "gym-mon", 0, 18, 0, 60, "Gym");
  e = add_timed (seed, CAL_PERSONAL, "gym-tue", 1, 18, 0, 60, "Gym");
  e = add_timed (seed, CAL_PRIMARY, "retro", 4, 15, 0, 45, "Sprint retrospective");
  describe (e, CALSYNC_EVENT_TYPE_MEETING, "Google Meet", NULL);
  calsync_event_set_conference_url (e, MEET_URL);
}

/* Thursday of this week is packed. */
static void
add_busy_day (Seed *seed)
{
  static const struct {
    CalIndex cal;
    const char *slug;
    int hour, minute, minutes;
    CalsyncEventType type;
    const char *title;
    const char *location;
  } busy[] = {
    { CAL_PRIMARY, "contoso", 8, 30, 45, CALSYNC_EVENT_TYPE_CALL, "Customer call: Contoso", "Phone" },
    { CAL_TEAM, "sprint-planning", 11, 0, 60, CALSYNC_EVENT_TYPE_MEETING, "Sprint planning", "Room Turing" },
    { CAL_PRIMARY, "lunch-priya", 12, 30, 60, CALSYNC_EVENT_TYPE_EVENT, "Lunch with Priya", "Markthalle Neun" },
    { CAL_TEAM, "arch-sync", 13, 30, 60, CALSYNC_EVENT_TYPE_MEETING, "Architecture sync", "Room Hopper" },
    { CAL_PRIMARY, "interview", 15, 0, 60, CALSYNC_EVENT_TYPE_MEETING, "Interview: backend engineer", "Room Lovelace" },
    { CAL_TEAM, "release-check", 16, 0, 30, CALSYNC_EVENT_TYPE_DEADLINE, "Release 2.4 checklist", NULL },
    { CAL_PRIMARY, "dentist", 17, 15, 45, CALSYNC_EVENT_TYPE_EVENT, "Dentist", "Dr. Weber, Oranienstraße 12" },
    { CAL_PERSONAL, "yoga", 19, 0, 60, CALSYNC_EVENT_TYPE_EVENT, "Yoga", "Studio Mitte" },
  };

  for (guint i = 0; i < G_N_ELEMENTS (busy); i++)
    {
      CalsyncEvent *e = add_timed (seed, busy[i].cal, busy[i].slug, 3, busy[i].hour,
                                   busy[i].minute, busy[i].minutes, busy[i].title);

      describe (e, busy[i].type, busy[i].location, NULL);
    }
}

static void
add_other_weeks (Seed *seed)
{
  CalsyncEvent *e;

  /* Past */
  e = add_all_day (seed, CAL_TEAM, "offsite", -10, 2, "Team offsite");
  describe (e, CALSYNC_EVENT_TYPE_EVENT, "Lake Wannsee", "Boat trip and strategy workshop.");
  e = add_timed (seed, CAL_PRIMARY, "doctor", -5, 8, 0, 30, "Doctor’s appointment");
  e = add_timed (seed, CAL_PRIMARY, "board", -8, 16, 0, 90, "Board update");
  describe (e, CALSYNC_EVENT_TYPE_MEETING, "Room Kepler", NULL);
  e = add_timed (seed, CAL_PERSONAL, "cinema", -2, 20, 0, 150, "Cinema with Jo");

  /* A conference from this Thursday to Monday, across the week boundary */
  e = add_all_day (seed, CAL_PRIMARY, "conference", 3, 5, "Linux App Summit");
  describe (e, CALSYNC_EVENT_TYPE_EVENT, "Berlin, bcc Alexanderplatz",
            "Talk on Saturday 11:00: “Syncing calendars without tears”.");
  e = add_timed (seed, CAL_PRIMARY, "flight", 2, 19, 40, 95, "Flight LH 2049 to Berlin");
  describe (e, CALSYNC_EVENT_TYPE_EVENT, "Munich Airport, Terminal 2", "Booking reference QX7P2L.");

  /* Next weeks */
  e = add_all_day (seed, CAL_TEAM, "freeze", 8, 1, "Release 2.4 code freeze");
  describe (e, CALSYNC_EVENT_TYPE_DEADLINE, NULL, NULL);
  e = add_timed (seed, CAL_TEAM, "all-hands", 16, 16, 0, 60, "All hands");
  describe (e, CALSYNC_EVENT_TYPE_MEETING, "Main hall", NULL);
  calsync_event_set_conference_url (e, MEET_URL);
  e = add_timed (seed, CAL_PRIMARY, "vet", 22, 9, 30, 30, "Vet: Miso’s vaccination");
  e = add_all_day (seed, CAL_PERSONAL, "vacation", 25, 7, "Vacation in Porto");
}

static void
add_holidays (Seed *seed)
{
  static const struct { int month, day; const char *title; } fixed[] = {
    { 1, 1, "New Year’s Day" }, { 3, 8, "International Women’s Day" }, { 5, 1, "Labour Day" },
    { 10, 3, "Day of German Unity" }, { 10, 31, "Reformation Day" }, { 12, 24, "Christmas Eve" },
    { 12, 25, "Christmas Day" }, { 12, 26, "Boxing Day" }, { 12, 31, "New Year’s Eve" },
  };
  GDate first, last;

  day_offset (seed, -21, &first);
  day_offset (seed, 42, &last);

  for (int year = g_date_get_year (&first); year <= g_date_get_year (&last); year++)
    for (guint i = 0; i < G_N_ELEMENTS (fixed); i++)
      {
        GDate date;
        int days;

        g_date_clear (&date, 1);
        g_date_set_dmy (&date, fixed[i].day, fixed[i].month, year);
        if (g_date_compare (&date, &first) < 0 || g_date_compare (&date, &last) > 0)
          continue;

        days = (int) g_date_days_between (&seed->monday, &date);
        describe (add_all_day (seed, CAL_HOLIDAYS, "holiday", days, 1, fixed[i].title),
                  CALSYNC_EVENT_TYPE_EVENT, NULL, "Public holiday");
      }
}

/* Bulk mode --------------------------------------------------------------- */

static const char * const bulk_titles[] = {
  "Standup", "Design review", "1:1 with Sam", "Sprint planning", "Customer call: Contoso",
  "Lunch with Priya", "Architecture sync", "Interview: backend engineer", "Release checklist",
  "Budget review", "Coffee with Jordan", "Security training", "Roadmap workshop", "Gym",
  "Hiring sync", "Board update", "Demo day prep", "Support rotation handover", "Yoga",
  "Parent–teacher meeting", "Dentist", "Team lunch", "Quarterly planning", "Focus time",
};

static const char * const bulk_locations[] = {
  NULL, "Room Lovelace", "Room Turing", "Google Meet", "Room Kepler", "Markthalle Neun", NULL,
};

static void
add_bulk_event (Seed   *seed,
                GRand  *rand,
                guint   index,
                gint64  first_day_utc)
{
  g_autofree char *id = g_strdup_printf ("bulk-%07u", index);
  CalIndex cal = (CalIndex) g_rand_int_range (rand, 0, N_CALS);
  int day = g_rand_int_range (rand, 0, 456);   /* 15 months */
  int kind = g_rand_int_range (rand, 0, 100);
  CalsyncEvent *event = calsync_event_new ();
  g_autoptr(GDateTime) base = g_date_time_new_from_unix_local (first_day_utc);
  g_autoptr(GDateTime) date = g_date_time_add_days (base, day);

  calsync_event_set_external_id (event, id);
  calsync_event_set_title (event, bulk_titles[g_rand_int_range (rand, 0, G_N_ELEMENTS (bulk_titles))]);
  calsync_event_set_location (event, bulk_locations[g_rand_int_range (rand, 0, G_N_ELEMENTS (bulk_locations))]);
  calsync_event_set_remote_updated (event, seed->now_usec);

  if (kind < 5)
    {
      g_autoptr(GDateTime) end = g_date_time_add_days (date, kind == 0 ? g_rand_int_range (rand, 2, 6) : 1);
      g_autofree char *start_text = g_date_time_format (date, "%Y-%m-%d");
      g_autofree char *end_text = g_date_time_format (end, "%Y-%m-%d");

      calsync_event_set_dates (event, start_text, end_text);
    }
  else
    {
      g_autoptr(GDateTime) start = g_date_time_new_local (g_date_time_get_year (date),
                                                          g_date_time_get_month (date),
                                                          g_date_time_get_day_of_month (date),
                                                          g_rand_int_range (rand, 7, 20),
                                                          15 * g_rand_int_range (rand, 0, 4), 0);
      gint64 minutes = 15 * g_rand_int_range (rand, 1, 9);

      calsync_event_set_times (event, g_date_time_to_unix (start),
                               g_date_time_to_unix (start) + minutes * 60, seed->zone);
    }

  g_ptr_array_add (seed->batches[cal], event);
}

static void
add_bulk (Seed *seed,
          guint count)
{
  g_autoptr(GRand) rand = g_rand_new_with_seed (20261110);
  g_autoptr(GDateTime) first = NULL;
  GDate start = seed->today;

  /* From three months back, for 15 months */
  g_date_set_day (&start, 1);
  g_date_subtract_months (&start, 3);
  first = g_date_time_new_local (g_date_get_year (&start), g_date_get_month (&start), 1, 0, 0, 0);

  for (guint i = 0; i < count; i++)
    add_bulk_event (seed, rand, i, g_date_time_to_unix (first));
}

/* Main -------------------------------------------------------------------- */

static gboolean
apply_batches (Seed              *seed,
               CalsyncApplyStats *total,
               GError           **error)
{
  for (CalIndex i = CAL_PRIMARY; i < N_CALS; i++)
    {
      CalsyncApplyStats stats;

      if (!calsync_store_apply_remote_events (seed->store, seed->calendar_ids[i], seed->batches[i],
                                              NULL, &stats, error))
        return FALSE;
      total->total += stats.total;
      total->inserted += stats.inserted;
      total->updated += stats.updated;
      total->skipped += stats.skipped;

      if (i != CAL_PERSONAL &&
          !calsync_store_finish_calendar_sync (seed->store, seed->calendar_ids[i],
                                               "CPDAlvWDx70CEPDAlvWDx70CGAU=", seed->now_usec, error))
        return FALSE;
    }

  return TRUE;
}

static gboolean
parse_today (const char *text,
             GDate      *date)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  unsigned int y, m, d;

  g_date_clear (date, 1);
  if (text == NULL)
    {
      g_date_set_dmy (date, g_date_time_get_day_of_month (now), g_date_time_get_month (now),
                      g_date_time_get_year (now));
      return TRUE;
    }

  if (sscanf (text, "%4u-%2u-%2u", &y, &m, &d) != 3 || !g_date_valid_dmy (d, m, y))
    return FALSE;

  g_date_set_dmy (date, d, m, y);
  return TRUE;
}

static void
seed_clear (Seed *seed)
{
  for (guint i = 0; i < N_CALS; i++)
    g_clear_pointer (&seed->batches[i], g_ptr_array_unref);
  g_clear_pointer (&seed->zone, g_free);
  g_clear_object (&seed->store);
}

static void
seed_init (Seed        *seed,
           const GDate *today)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();

  seed->today = *today;
  seed->monday = *today;
  g_date_subtract_days (&seed->monday, g_date_get_weekday (today) - G_DATE_MONDAY);
  seed->zone = g_strdup (g_time_zone_get_identifier (zone));
  seed->now_usec = g_get_real_time ();
  for (guint i = 0; i < N_CALS; i++)
    seed->batches[i] = g_ptr_array_new_with_free_func (g_object_unref);
}

static gboolean
seed_run (Seed     *seed,
          int       count,
          GError  **error)
{
  CalsyncApplyStats total = { 0 };

  if (!(seed->store = calsync_store_open (NULL, error)))
    return FALSE;

  if (!setup_calendars (seed))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_FAILED, "Could not add the demo calendars");
      return FALSE;
    }

  if (count > 0)
    add_bulk (seed, (guint) count);
  else
    {
      add_standups (seed);
      add_this_week (seed);
      add_busy_day (seed);
      add_other_weeks (seed);
      add_holidays (seed);
    }

  if (!apply_batches (seed, &total, error))
    return FALSE;

  g_print ("Seeded %u events (%u new, %u updated, %u unchanged) into %s\n",
           total.total, total.inserted, total.updated, total.skipped,
           calsync_store_get_path (seed->store));
  return TRUE;
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *now_text = NULL;
  int count = 0;
  GOptionEntry entries[] = {
    { "now", 0, 0, G_OPTION_ARG_STRING, &now_text, "Day the demo events are arranged around (default: today)", "YYYY-MM-DD" },
    { "count", 0, 0, G_OPTION_ARG_INT, &count, "Instead, generate N events over 15 months", "N" },
    { NULL }
  };
  g_autoptr(GOptionContext) context = g_option_context_new ("- fill the CalSync store with demo events");
  g_autoptr(GError) error = NULL;
  Seed seed = { 0 };
  GDate today;
  gboolean ok;

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error) || !parse_today (now_text, &today) ||
      count < 0)
    {
      g_printerr ("calsync-seed: %s\n", error ? error->message : "invalid --now or --count");
      return 2;
    }

  seed_init (&seed, &today);
  ok = seed_run (&seed, count, &error);
  seed_clear (&seed);

  if (!ok)
    {
      g_printerr ("calsync-seed: %s\n", error->message);
      return 1;
    }

  return 0;
}
