/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-caldav-provider.c: the CalDAV provider against a real Radicale on
 * 127.0.0.1 — discovery, a first sync of 1,000 resources with recurring series
 * (moved and cancelled instances, EXDATE) in pages, incremental rounds after
 * another client's PUT and DELETE, an invalid sync-token, a resource that
 * cannot be read, a refused password, plain http refused — and the multistatus
 * reader on RFC samples. Rounds are driven here as the sync job drives them
 * (fetch a page, apply it, the last one with the cursor and the sweep), with
 * the password in memory: no keyring. */
#include "config.h"

#include <string.h>

#include "calsync-caldav-private.h"
#include "calsync-ical.h"
#include "calsync-radicale.h"
#include "calsync-store.h"
#include "calsync-test-utils.h"

/* CALSYNC_NOW of calsync_test_setup_env() is 2026-11-25T11:00:00Z; the window
 * is 3 months back and 12 ahead */
#define WINDOW_MIN 1787655600   /* 2026-08-25T11:00:00Z */
#define WINDOW_MAX 1827140400   /* 2027-11-25T11:00:00Z */

#define N_SINGLES 990
#define N_SERIES  10

typedef struct
{
  char *dir;
  CalsyncRadicale *radicale;
  CalsyncStore *store;
  CalsyncHttp *http;
  gint64 account_id;
} Fixture;

typedef struct
{
  CalsyncApplyStats stats;
  guint n_pages;
  guint n_invalid;
  guint n_upserts;
  char *cursor;
  GError *error;
} Round;

static void
round_clear (Round *round)
{
  g_clear_pointer (&round->cursor, g_free);
  g_clear_error (&round->error);
}

G_DEFINE_AUTO_CLEANUP_CLEAR_FUNC (Round, round_clear)

static void
fixture_set_up (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autofree char *radicale_dir = NULL;

  f->dir = calsync_test_setup_env ("caldav-provider");
  radicale_dir = g_build_filename (f->dir, "radicale", NULL);
  g_assert_cmpint (g_mkdir_with_parents (radicale_dir, 0700), ==, 0);
  f->radicale = calsync_radicale_start (radicale_dir, 600);
  f->store = calsync_test_open_store (f->dir);
  f->http = calsync_http_new ();
  calsync_http_set_retry_policy (f->http, 2, 10, 2000);

  calsync_account_set_provider (account, "caldav");
  calsync_account_set_email (account, CALSYNC_RADICALE_USER);
  calsync_account_set_server_url (account, calsync_radicale_get_url (f->radicale));
  f->account_id = calsync_store_add_account (f->store, account, NULL);
  g_assert_cmpint (f->account_id, >, 0);
}

static void
fixture_tear_down (Fixture       *f,
                   gconstpointer  data)
{
  g_clear_object (&f->http);
  g_clear_object (&f->store);
  g_clear_pointer (&f->radicale, calsync_radicale_free);
  calsync_test_remove_tree (f->dir);
  g_free (f->dir);
}

static CalsyncProvider *
new_provider (Fixture    *f,
              const char *url,
              const char *password)
{
  g_autoptr(CalsyncCredentials) credentials = calsync_credentials_new_password (f->account_id, CALSYNC_RADICALE_USER);

  calsync_credentials_set_password (credentials, password);
  return CALSYNC_PROVIDER (calsync_caldav_provider_new (f->http, credentials, url, FALSE));
}

static char *
server_url (Fixture    *f,
            const char *path)
{
  return g_strconcat (calsync_radicale_get_url (f->radicale), path, NULL);
}

static GPtrArray *
list_calendars (CalsyncProvider  *provider,
                GError          **error)
{
  g_autoptr(GAsyncResult) result = NULL;

  calsync_provider_list_calendars_async (provider, NULL, calsync_test_result_cb, &result);
  return calsync_provider_list_calendars_finish (provider, calsync_test_spin (&result), error);
}

static CalsyncCalendar *
find_calendar (GPtrArray  *calendars,
               const char *name)
{
  for (guint i = 0; i < calendars->len; i++)
    if (g_strcmp0 (calsync_calendar_get_name (g_ptr_array_index (calendars, i)), name) == 0)
      return g_ptr_array_index (calendars, i);

  return NULL;
}

/* The calendar "work" in the store, as discovered */
static CalsyncCalendar *
add_work_calendar (Fixture         *f,
                   CalsyncProvider *provider)
{
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  CalsyncCalendar *calendar;

  calendars = list_calendars (provider, &error);
  g_assert_no_error (error);
  calendar = find_calendar (calendars, "Work");
  g_assert_nonnull (calendar);
  calsync_calendar_set_account_id (calendar, f->account_id);
  g_assert_cmpint (calsync_store_add_calendar (f->store, calendar, &error), >, 0);
  g_assert_no_error (error);
  return g_object_ref (calendar);
}

/* href → etag of the stored resources, as the engine hands them over */
static GHashTable *
stored_etags (Fixture *f,
              gint64   calendar_id)
{
  g_autoptr(GPtrArray) events = calsync_store_list_calendar_events (f->store, calendar_id, 0, G_MAXINT64 / 2, NULL);
  GHashTable *etags = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);

  for (guint i = 0; events != NULL && i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);

      if (calsync_event_get_resource_id (event) != NULL && calsync_event_get_etag (event) != NULL)
        g_hash_table_insert (etags, g_strdup (calsync_event_get_resource_id (event)),
                             g_strdup (calsync_event_get_etag (event)));
    }

  return etags;
}

/* One round from @cursor, as the sync job runs it: pages fetched and applied
 * in order, a full round sweeping what it did not list */
static void
run_round (Fixture         *f,
           CalsyncProvider *provider,
           CalsyncCalendar *calendar,
           const char      *cursor,
           gboolean         with_etags,
           Round           *round)
{
  g_autoptr(CalsyncSnapshot) snapshot = cursor == NULL ? calsync_snapshot_new (WINDOW_MIN, WINDOW_MAX) : NULL;
  g_autoptr(GHashTable) etags = with_etags ? stored_etags (f, calsync_calendar_get_id (calendar)) : NULL;
  g_autofree char *page_token = NULL;

  memset (round, 0, sizeof *round);
  do
    {
      CalsyncFetchRequest request = { cursor, page_token, WINDOW_MIN, WINDOW_MAX, etags };
      g_autoptr(GAsyncResult) result = NULL;
      g_autoptr(CalsyncPage) page = NULL;
      CalsyncApplyStats stats = { 0 };
      CalsyncSyncFinish finish = { NULL, g_get_real_time () };

      calsync_provider_fetch_page_async (provider, calendar, &request, NULL, calsync_test_result_cb, &result);
      page = calsync_provider_fetch_page_finish (provider, calsync_test_spin (&result), &round->error);
      if (page == NULL)
        return;

      round->n_pages++;
      round->n_invalid += page->n_invalid;
      round->n_upserts += page->upserts->len;
      g_assert_cmpuint (page->resources->len, ==, page->resource_etags->len);
      g_assert_cmpuint (page->resources->len, ==, page->resource_texts->len);
      g_assert_true (page->full_snapshot == (cursor == NULL));
      finish.cursor = page->next_cursor;
      g_assert_true (calsync_store_apply_page (f->store, calsync_calendar_get_id (calendar), page, snapshot,
                                               page->next_page_token == NULL ? &finish : NULL, &stats, NULL));
      round->stats.inserted += stats.inserted;
      round->stats.updated += stats.updated;
      round->stats.deleted += stats.deleted;
      round->stats.skipped += stats.skipped;
      round->stats.total += stats.total;

      g_free (page_token);
      page_token = g_strdup (page->next_page_token);
      if (page_token == NULL)
        round->cursor = g_strdup (page->next_cursor);
      g_assert_cmpuint (round->n_pages, <, 150);
    }
  while (page_token != NULL);
}

static gint64
count_events (Fixture         *f,
              CalsyncCalendar *calendar)
{
  g_autoptr(GError) error = NULL;
  gint64 n = calsync_store_count_events (f->store, calsync_calendar_get_id (calendar), &error);

  g_assert_no_error (error);
  return n;
}

static gint64
utc (int year, int month, int day, int hour, int minute)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (year, month, day, hour, minute, 0);

  return g_date_time_to_unix (dt);
}

/* Resources --------------------------------------------------------------------- */

static char *
single_ics (const char *uid,
            const char *summary,
            gint64      start)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (start);
  g_autoptr(GDateTime) end = g_date_time_add_minutes (dt, 45);
  g_autofree char *s = g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
  g_autofree char *e = g_date_time_format (end, "%Y%m%dT%H%M%SZ");

  return g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
                          "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261101T000000Z\r\n"
                          "DTSTART:%s\r\nDTEND:%s\r\nSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                          uid, s, e, summary);
}

/* A daily series of 10 at 08:00 Berlin from 2026-12-0@day: the 3rd
 * excluded (EXDATE), the 5th moved to 15:00, the 7th cancelled; 8 instances */
static char *
series_ics (guint n)
{
  int day = 1 + (int) n;

  return g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
                          "BEGIN:VTIMEZONE\r\nTZID:Europe/Berlin\r\n"
                          "BEGIN:STANDARD\r\nDTSTART:19701025T030000\r\nTZOFFSETFROM:+0200\r\nTZOFFSETTO:+0100\r\n"
                          "RRULE:FREQ=YEARLY;BYMONTH=10;BYDAY=-1SU\r\nEND:STANDARD\r\n"
                          "BEGIN:DAYLIGHT\r\nDTSTART:19700329T020000\r\nTZOFFSETFROM:+0100\r\nTZOFFSETTO:+0200\r\n"
                          "RRULE:FREQ=YEARLY;BYMONTH=3;BYDAY=-1SU\r\nEND:DAYLIGHT\r\nEND:VTIMEZONE\r\n"
                          "BEGIN:VEVENT\r\nUID:series-%u\r\nDTSTAMP:20261101T000000Z\r\n"
                          "DTSTART;TZID=Europe/Berlin:202612%02dT080000\r\nDTEND;TZID=Europe/Berlin:202612%02dT083000\r\n"
                          "RRULE:FREQ=DAILY;COUNT=10\r\nEXDATE;TZID=Europe/Berlin:202612%02dT080000\r\n"
                          "SUMMARY:Standup %u\r\nEND:VEVENT\r\n"
                          "BEGIN:VEVENT\r\nUID:series-%u\r\nDTSTAMP:20261101T000000Z\r\n"
                          "RECURRENCE-ID;TZID=Europe/Berlin:202612%02dT080000\r\n"
                          "DTSTART;TZID=Europe/Berlin:202612%02dT150000\r\nDTEND;TZID=Europe/Berlin:202612%02dT153000\r\n"
                          "SUMMARY:Standup %u (moved)\r\nEND:VEVENT\r\n"
                          "BEGIN:VEVENT\r\nUID:series-%u\r\nDTSTAMP:20261101T000000Z\r\n"
                          "RECURRENCE-ID;TZID=Europe/Berlin:202612%02dT080000\r\n"
                          "DTSTART;TZID=Europe/Berlin:202612%02dT080000\r\nDTEND;TZID=Europe/Berlin:202612%02dT083000\r\n"
                          "STATUS:CANCELLED\r\nSUMMARY:Standup %u\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                          n, day, day, day + 2, n,
                          n, day + 4, day + 4, day + 4, n,
                          n, day + 6, day + 6, day + 6, n);
}

static void
write_resource (const char *dir,
                const char *name,
                const char *ics)
{
  g_autofree char *path = g_build_filename (dir, name, NULL);
  g_autoptr(GError) error = NULL;

  g_assert_true (g_file_set_contents (path, ics, -1, &error));
  g_assert_no_error (error);
}

/* 990 single events spread over the window and 10 series, written into the
 * stopped server's storage (Radicale takes about 40 PUTs a second) */
static void
seed_thousand (Fixture *f)
{
  g_autofree char *dir = calsync_radicale_collection_dir (f->radicale, "work");

  calsync_radicale_stop (f->radicale);
  for (guint i = 0; i < N_SINGLES; i++)
    {
      g_autofree char *uid = g_strdup_printf ("single-%04u", i);
      g_autofree char *name = g_strdup_printf ("%s.ics", uid);
      g_autofree char *summary = g_strdup_printf ("Meeting %u", i);
      /* every 11 hours from the window's start, all inside it */
      g_autofree char *ics = single_ics (uid, summary, WINDOW_MIN + 3600 + (gint64) i * 11 * 3600);

      write_resource (dir, name, ics);
    }
  for (guint n = 0; n < N_SERIES; n++)
    {
      g_autofree char *name = g_strdup_printf ("series-%u.ics", n);
      g_autofree char *ics = series_ics (n);

      write_resource (dir, name, ics);
    }
  calsync_radicale_restart (f->radicale);
}

static void
set_up_work (Fixture *f)
{
  calsync_radicale_mkcalendar (f->radicale, "work", "Work");
}

/* Discovery --------------------------------------------------------------------- */

static void
mk_tasks_only (Fixture *f)
{
  static const char body[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
    "<D:set><D:prop><D:displayname>Tasks</D:displayname>"
    "<C:supported-calendar-component-set><C:comp name=\"VTODO\"/></C:supported-calendar-component-set>"
    "</D:prop></D:set></C:mkcalendar>";

  g_assert_cmpuint (calsync_radicale_request (f->radicale, "MKCALENDAR", "/alice/tasks/",
                                              "application/xml; charset=utf-8", body, NULL, NULL, NULL), ==, 201);
}

static void
set_color (Fixture    *f,
           const char *path,
           const char *color)
{
  g_autofree char *body = g_strdup_printf (
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<D:propertyupdate xmlns:D=\"DAV:\" xmlns:A=\"http://apple.com/ns/ical/\">"
    "<D:set><D:prop><A:calendar-color>%s</A:calendar-color></D:prop></D:set></D:propertyupdate>", color);

  g_assert_cmpuint (calsync_radicale_request (f->radicale, "PROPPATCH", path,
                                              "application/xml; charset=utf-8", body, NULL, NULL, NULL), ==, 207);
}

static void
check_discovered (GPtrArray *calendars,
                  Fixture   *f)
{
  g_autofree char *work_url = server_url (f, "alice/work/");
  CalsyncCalendar *work = find_calendar (calendars, "Work & Play “ü”");
  CalsyncCalendar *home = find_calendar (calendars, "Home");

  g_assert_cmpuint (calendars->len, ==, 2);
  g_assert_nonnull (work);
  g_assert_nonnull (home);
  g_assert_null (find_calendar (calendars, "Tasks"));
  g_assert_cmpstr (calsync_calendar_get_remote_id (work), ==, work_url);
  g_assert_cmpstr (calsync_calendar_get_color (work), ==, "#ff8800");
  g_assert_false (calsync_calendar_get_read_only (work));
  g_assert_false (calsync_calendar_get_read_only (home));
  g_assert_true (calsync_calendar_get_is_active (work));
}

static void
test_discovery (Fixture       *f,
                gconstpointer  data)
{
  const char *typed[] = { "", ".well-known/caldav", "alice/", "alice" };

  calsync_radicale_mkcalendar (f->radicale, "work", "Work & Play “ü”");
  calsync_radicale_mkcalendar (f->radicale, "home", "Home");
  mk_tasks_only (f);
  set_color (f, "/alice/work/", "#FF8800CC");

  /* The server, its well-known address, the principal (= the home here) */
  for (guint i = 0; i < G_N_ELEMENTS (typed); i++)
    {
      g_autofree char *url = server_url (f, typed[i]);
      g_autoptr(CalsyncProvider) provider = new_provider (f, url, CALSYNC_RADICALE_PASSWORD);
      g_autoptr(GPtrArray) calendars = NULL;
      g_autoptr(GError) error = NULL;

      g_test_message ("Discovering from %s", url);
      calendars = list_calendars (provider, &error);
      g_assert_no_error (error);
      check_discovered (calendars, f);
    }

  /* The address of one calendar: that calendar */
  {
    g_autofree char *url = server_url (f, "alice/home/");
    g_autoptr(CalsyncProvider) provider = new_provider (f, url, CALSYNC_RADICALE_PASSWORD);
    g_autoptr(GPtrArray) calendars = NULL;
    g_autoptr(GError) error = NULL;

    calendars = list_calendars (provider, &error);
    g_assert_no_error (error);
    g_assert_cmpuint (calendars->len, ==, 1);
    g_assert_cmpstr (calsync_calendar_get_name (g_ptr_array_index (calendars, 0)), ==, "Home");
  }
}

static void
test_wrong_password (Fixture       *f,
                     gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, calsync_radicale_get_url (f->radicale), "not the password");
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = NULL;

  set_up_work (f);
  calendars = list_calendars (provider, &error);
  g_assert_null (calendars);
  g_assert_error (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED);
  g_assert_true (calsync_credentials_error_needs_reconnect (error));
  text = calsync_provider_error_text (provider, error);
  g_assert_nonnull (strstr (text, "refused the user name or password"));
  g_assert_null (strstr (text, "not the password"));
}

static void
test_insecure_refused (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, "http://192.0.2.1/", CALSYNC_RADICALE_PASSWORD);
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GError) error = NULL;
  gint64 started = g_get_monotonic_time ();

  /* Refused before any connection: a connection to this address (TEST-NET-1)
   * would end in a timeout or "offline", not in this error, and not at once */
  calendars = list_calendars (provider, &error);
  g_assert_null (calendars);
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE);
  g_assert_cmpint (g_get_monotonic_time () - started, <, G_USEC_PER_SEC);
}

/* A server whose well-known address sends to another origin (another port):
 * the password does not follow the redirect, and the person is told where to go */
static void
redirect_cb (SoupServer        *server,
             SoupServerMessage *message,
             const char        *path,
             GHashTable        *query,
             gpointer           user_data)
{
  if (g_str_equal (path, "/.well-known/caldav"))
    soup_server_message_set_redirect (message, 301, user_data);
  else
    soup_server_message_set_status (message, 404, NULL);
}

static void
test_redirect_elsewhere (Fixture       *f,
                         gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  g_autofree char *expected = NULL;
  g_autoptr(CalsyncProvider) provider = NULL;
  g_autoptr(GPtrArray) calendars = NULL;

  set_up_work (f);
  soup_server_add_handler (server, NULL, redirect_cb, (gpointer) calsync_radicale_get_url (f->radicale), NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);

  provider = new_provider (f, url, CALSYNC_RADICALE_PASSWORD);
  calendars = list_calendars (provider, &error);
  g_assert_null (calendars);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED);
  g_test_message ("%s", error->message);
  expected = g_strdup_printf ("sends calendars to %s", calsync_radicale_get_url (f->radicale));
  g_assert_nonnull (strstr (error->message, expected));
}

/* Pulls -------------------------------------------------------------------------- */

static CalsyncEvent *
lookup (Fixture         *f,
        CalsyncCalendar *calendar,
        const char      *external_id)
{
  g_autoptr(GError) error = NULL;
  CalsyncEvent *event = calsync_store_lookup_event (f->store, calsync_calendar_get_id (calendar), external_id, &error);

  g_assert_no_error (error);
  return event;
}

static gboolean
has_event (Fixture         *f,
           CalsyncCalendar *calendar,
           const char      *external_id)
{
  g_autoptr(CalsyncEvent) event = lookup (f, calendar, external_id);

  return event != NULL;
}

static void
check_series (Fixture         *f,
              CalsyncCalendar *calendar)
{
  g_autofree char *href = server_url (f, "alice/work/series-0.ics");
  g_autoptr(CalsyncEvent) first = lookup (f, calendar, "series-0_20261201T070000Z");
  g_autoptr(CalsyncEvent) excluded = lookup (f, calendar, "series-0_20261203T070000Z");
  g_autoptr(CalsyncEvent) moved = lookup (f, calendar, "series-0_20261205T070000Z");
  g_autoptr(CalsyncEvent) cancelled = lookup (f, calendar, "series-0_20261207T070000Z");
  g_autoptr(CalsyncEvent) last = lookup (f, calendar, "series-0_20261210T070000Z");

  g_assert_nonnull (first);
  g_assert_cmpint (calsync_event_get_start (first), ==, utc (2026, 12, 1, 7, 0));
  g_assert_cmpint (calsync_event_get_end (first), ==, utc (2026, 12, 1, 7, 30));
  g_assert_cmpstr (calsync_event_get_time_zone (first), ==, "Europe/Berlin");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (first), ==, "series-0");
  g_assert_cmpstr (calsync_event_get_resource_id (first), ==, href);
  g_assert_nonnull (calsync_event_get_etag (first));
  g_assert_null (excluded);
  g_assert_nonnull (moved);
  g_assert_cmpint (calsync_event_get_start (moved), ==, utc (2026, 12, 5, 14, 0));
  g_assert_cmpstr (calsync_event_get_title (moved), ==, "Standup 0 (moved)");
  g_assert_null (cancelled);
  g_assert_nonnull (last);
}

static void
test_first_sync_thousand (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD);
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(CalsyncEvent) single = NULL;
  g_auto(Round) round = { 0 };
  g_auto(Round) again = { 0 };

  set_up_work (f);
  seed_thousand (f);
  calendar = add_work_calendar (f, provider);

  run_round (f, provider, calendar, NULL, FALSE, &round);
  g_assert_no_error (round.error);
  /* 1,000 resources in pages of 250 */
  g_assert_cmpuint (round.n_pages, ==, 4);
  g_assert_cmpuint (round.n_invalid, ==, 0);
  g_assert_cmpuint (round.stats.inserted, ==, N_SINGLES + N_SERIES * 8);
  g_assert_cmpint (count_events (f, calendar), ==, N_SINGLES + N_SERIES * 8);
  g_assert_true (g_str_has_prefix (round.cursor, "http://radicale.org/ns/sync/"));
  check_series (f, calendar);

  single = lookup (f, calendar, "single-0500");
  g_assert_nonnull (single);
  g_assert_cmpint (calsync_event_get_start (single), ==, WINDOW_MIN + 3600 + 500 * 11 * 3600);
  g_assert_cmpint (calsync_event_get_end (single), ==, WINDOW_MIN + 3600 + 500 * 11 * 3600 + 45 * 60);
  g_assert_cmpstr (calsync_event_get_title (single), ==, "Meeting 500");

  /* Nothing changed: one page, nothing fetched, the same token */
  run_round (f, provider, calendar, round.cursor, TRUE, &again);
  g_assert_no_error (again.error);
  g_assert_cmpuint (again.n_pages, ==, 1);
  g_assert_cmpuint (again.n_upserts, ==, 0);
  g_assert_cmpuint (again.stats.total, ==, 0);
  g_assert_cmpstr (again.cursor, ==, round.cursor);
  g_assert_cmpint (count_events (f, calendar), ==, N_SINGLES + N_SERIES * 8);
}

static void
test_incremental (Fixture       *f,
                  gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD);
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(CalsyncEvent) changed = NULL;
  g_autoptr(CalsyncEvent) added = NULL;
  g_autofree char *etag = NULL;
  g_autofree char *ics_changed = single_ics ("single-0001", "Renamed", utc (2026, 12, 2, 9, 0));
  g_autofree char *ics_added = single_ics ("new-one", "Added elsewhere", utc (2026, 12, 3, 9, 0));
  g_auto(Round) first = { 0 };
  g_auto(Round) next = { 0 };
  g_auto(Round) mine = { 0 };

  set_up_work (f);
  seed_thousand (f);
  calendar = add_work_calendar (f, provider);
  run_round (f, provider, calendar, NULL, FALSE, &first);
  g_assert_no_error (first.error);

  /* Another client: one changed, one added, one series and one single deleted */
  g_free (calsync_radicale_put (f->radicale, "work", "single-0001.ics", ics_changed));
  g_free (calsync_radicale_put (f->radicale, "work", "new-one.ics", ics_added));
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "DELETE", "/alice/work/series-3.ics",
                                              NULL, NULL, NULL, NULL, NULL), ==, 200);
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "DELETE", "/alice/work/single-0002.ics",
                                              NULL, NULL, NULL, NULL, NULL), ==, 200);

  run_round (f, provider, calendar, first.cursor, TRUE, &next);
  g_assert_no_error (next.error);
  g_assert_cmpuint (next.n_pages, ==, 1);
  /* Only the two changed resources were fetched */
  g_assert_cmpuint (next.n_upserts, ==, 2);
  g_assert_cmpuint (next.stats.inserted, ==, 1);
  g_assert_cmpuint (next.stats.updated, ==, 1);
  g_assert_cmpuint (next.stats.deleted, ==, 8 + 1);
  g_assert_cmpstr (next.cursor, !=, first.cursor);
  g_assert_cmpint (count_events (f, calendar), ==, N_SINGLES + N_SERIES * 8 + 1 - 8 - 1);

  changed = lookup (f, calendar, "single-0001");
  g_assert_cmpstr (calsync_event_get_title (changed), ==, "Renamed");
  g_assert_cmpint (calsync_event_get_start (changed), ==, utc (2026, 12, 2, 9, 0));
  added = lookup (f, calendar, "new-one");
  g_assert_nonnull (added);
  g_assert_false (has_event (f, calendar, "series-3_20261204T070000Z"));
  g_assert_false (has_event (f, calendar, "single-0002"));

  /* Changes whose etags are stored already (our own writes coming back) are
   * not fetched again */
  etag = g_strdup (calsync_event_get_etag (added));
  g_assert_nonnull (etag);
  run_round (f, provider, calendar, first.cursor, TRUE, &mine);
  g_assert_no_error (mine.error);
  g_assert_cmpuint (mine.n_upserts, ==, 0);
  g_assert_cmpuint (mine.stats.deleted, ==, 0);
  g_assert_cmpint (count_events (f, calendar), ==, N_SINGLES + N_SERIES * 8 + 1 - 8 - 1);
}

static void
test_token_invalid (Fixture       *f,
                    gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD);
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(GPtrArray) ghosts = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(CalsyncEvent) ghost = NULL;
  g_auto(Round) first = { 0 };
  g_auto(Round) garbage = { 0 };
  g_auto(Round) full = { 0 };
  CalsyncApplyStats stats = { 0 };

  set_up_work (f);
  seed_thousand (f);
  calendar = add_work_calendar (f, provider);
  run_round (f, provider, calendar, NULL, FALSE, &first);
  g_assert_no_error (first.error);

  /* A ghost: stored, in the window, no longer on the server */
  ghost = calsync_test_timed_event ("ghost", "Ghost", utc (2026, 12, 24, 10, 0), utc (2026, 12, 24, 11, 0), "UTC");
  calsync_event_set_resource_id (ghost, "http://127.0.0.1:1/alice/work/ghost.ics");
  g_ptr_array_add (ghosts, g_object_ref (ghost));
  g_assert_true (calsync_store_apply_remote_events (f->store, calsync_calendar_get_id (calendar), ghosts, NULL, &stats, NULL));
  g_assert_cmpuint (stats.inserted, ==, 1);

  run_round (f, provider, calendar, "http://radicale.org/ns/sync/not-a-token", TRUE, &garbage);
  g_assert_error (garbage.error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED);

  /* The engine then runs a full round: nothing lost, the ghost gone */
  run_round (f, provider, calendar, NULL, TRUE, &full);
  g_assert_no_error (full.error);
  g_assert_cmpuint (full.stats.inserted, ==, 0);
  g_assert_cmpuint (full.stats.deleted, ==, 1);
  g_assert_cmpint (count_events (f, calendar), ==, N_SINGLES + N_SERIES * 8);
  g_assert_false (has_event (f, calendar, "ghost"));
  g_assert_cmpstr (full.cursor, ==, first.cursor);
  check_series (f, calendar);
}

/* A server without sync-collection is synced by its ctag, then by etags:
 * changed resources fetched, stored ones it no longer lists removed */
static void
test_ctag_round (Fixture       *f,
                 gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD);
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autofree char *ics_changed = single_ics ("single-0010", "Changed", utc (2026, 12, 2, 9, 0));
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(Round) first = { 0 };
  g_auto(Round) ctag = { 0 };
  CalsyncFetchRequest without_etags = { "ctag:\"stale\"", NULL, WINDOW_MIN, WINDOW_MAX, NULL };

  set_up_work (f);
  seed_thousand (f);
  calendar = add_work_calendar (f, provider);
  run_round (f, provider, calendar, NULL, FALSE, &first);
  g_assert_no_error (first.error);

  g_free (calsync_radicale_put (f->radicale, "work", "single-0010.ics", ics_changed));
  g_assert_cmpuint (calsync_radicale_request (f->radicale, "DELETE", "/alice/work/series-5.ics",
                                              NULL, NULL, NULL, NULL, NULL), ==, 200);

  /* Without the stored etags a changed ctag asks for a full round */
  calsync_provider_fetch_page_async (provider, calendar, &without_etags, NULL, calsync_test_result_cb, &result);
  page = calsync_provider_fetch_page_finish (provider, calsync_test_spin (&result), &error);
  g_assert_null (page);
  g_assert_error (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED);

  run_round (f, provider, calendar, "ctag:\"stale\"", TRUE, &ctag);
  g_assert_no_error (ctag.error);
  g_assert_cmpuint (ctag.n_upserts, ==, 1);
  g_assert_cmpuint (ctag.stats.updated, ==, 1);
  g_assert_cmpuint (ctag.stats.deleted, ==, 8);
  g_assert_cmpint (count_events (f, calendar), ==, N_SINGLES + N_SERIES * 8 - 8);
  g_assert_nonnull (ctag.cursor);
}

/* The provider's write slot: a create goes to the server, and when it comes
 * back in the next sync-collection its etag is known: not fetched again */
static void
test_own_write (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD);
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(CalsyncWriteResult) written = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GPtrArray) mine = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autofree char *ics = single_ics ("before", "Before", utc (2026, 12, 1, 9, 0));
  g_auto(Round) first = { 0 };
  g_auto(Round) next = { 0 };
  CalsyncWrite write = { CALSYNC_WRITE_CREATE, NULL, NULL, NULL, NULL, g_get_real_time () };

  set_up_work (f);
  g_free (calsync_radicale_put (f->radicale, "work", "before.ics", ics));
  calendar = add_work_calendar (f, provider);
  run_round (f, provider, calendar, NULL, FALSE, &first);
  g_assert_no_error (first.error);
  g_assert_cmpuint (first.stats.inserted, ==, 1);
  g_assert_true (calsync_provider_can_write (provider));

  event = calsync_test_timed_event ("mine", "Made here", utc (2026, 12, 4, 9, 0), utc (2026, 12, 4, 10, 0), "UTC");
  write.event = event;
  calsync_provider_write_event_async (provider, calendar, &write, NULL, calsync_test_result_cb, &result);
  written = calsync_provider_write_event_finish (provider, calsync_test_spin (&result), &error);
  g_assert_no_error (error);
  g_assert_cmpint (written->outcome, ==, CALSYNC_WRITE_OUTCOME_WRITTEN);
  g_assert_nonnull (written->etag);
  g_assert_true (g_str_has_prefix (written->resource_id, calsync_calendar_get_remote_id (calendar)));

  /* As the store keeps it after the push */
  calsync_event_set_resource_id (event, written->resource_id);
  calsync_event_set_etag (event, written->etag);
  g_ptr_array_add (mine, g_object_ref (event));
  g_assert_true (calsync_store_apply_remote_events (f->store, calsync_calendar_get_id (calendar), mine, NULL, NULL, NULL));

  run_round (f, provider, calendar, first.cursor, TRUE, &next);
  g_assert_no_error (next.error);
  g_assert_cmpuint (next.n_upserts, ==, 0);
  g_assert_cmpint (count_events (f, calendar), ==, 2);
}

/* RFC 6578 §3.6: a server that truncates its sync-collection answer (507 on
 * the collection) is asked again from the token of the part it sent */
static void
truncating_cb (SoupServer        *server,
               SoupServerMessage *message,
               const char        *path,
               GHashTable        *query,
               gpointer           user_data)
{
  guint *n_reports = user_data;
  SoupMessageBody *request = soup_server_message_get_request_body (message);
  g_autoptr(GBytes) bytes = soup_message_body_flatten (request);
  const char *body = g_bytes_get_data (bytes, NULL);
  const char *answer;

  if (body == NULL || !g_str_equal (soup_server_message_get_method (message), "REPORT"))
    {
      soup_server_message_set_status (message, 405, NULL);
      return;
    }

  (*n_reports)++;
  if (strstr (body, "calendar-multiget") != NULL)
    answer = "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
             "<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>\"a2\"</D:getetag>"
             "<C:calendar-data>BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//EN\r\nBEGIN:VEVENT\r\nUID:a\r\n"
             "DTSTAMP:20261101T000000Z\r\nDTSTART:20261201T090000Z\r\nDTEND:20261201T100000Z\r\nSUMMARY:A\r\n"
             "END:VEVENT\r\nEND:VCALENDAR\r\n</C:calendar-data></D:prop><D:status>HTTP/1.1 200 OK</D:status>"
             "</D:propstat></D:response></D:multistatus>";
  else if (strstr (body, "<D:sync-token>t1</D:sync-token>") != NULL)
    answer = "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\">"
             "<D:response><D:href>/cal/a.ics</D:href><D:propstat><D:prop><D:getetag>\"a2\"</D:getetag></D:prop>"
             "<D:status>HTTP/1.1 200 OK</D:status></D:propstat></D:response>"
             "<D:response><D:href>/cal/</D:href><D:status>HTTP/1.1 507 Insufficient Storage</D:status></D:response>"
             "<D:sync-token>t2</D:sync-token></D:multistatus>";
  else if (strstr (body, "<D:sync-token>t2</D:sync-token>") != NULL)
    answer = "<?xml version=\"1.0\"?><D:multistatus xmlns:D=\"DAV:\">"
             "<D:response><D:href>/cal/b.ics</D:href><D:status>HTTP/1.1 404 Not Found</D:status></D:response>"
             "<D:sync-token>t3</D:sync-token></D:multistatus>";
  else
    {
      soup_server_message_set_status (message, 403, NULL);
      return;
    }

  soup_server_message_set_status (message, 207, NULL);
  soup_server_message_set_response (message, "application/xml; charset=utf-8", SOUP_MEMORY_COPY, answer, strlen (answer));
}

static void
test_truncated_sync_collection (Fixture       *f,
                                gconstpointer  data)
{
  g_autoptr(SoupServer) server = soup_server_new (NULL, NULL);
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  g_autoptr(CalsyncProvider) provider = NULL;
  g_autoptr(GPtrArray) gone = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  g_autoptr(GSList) uris = NULL;
  g_autofree char *url = NULL;
  g_autofree char *calendar_url = NULL;
  g_autofree char *b_href = NULL;
  g_auto(Round) round = { 0 };
  CalsyncEvent *b;
  guint n_reports = 0;

  soup_server_add_handler (server, NULL, truncating_cb, &n_reports, NULL);
  g_assert_true (soup_server_listen_local (server, 0, SOUP_SERVER_LISTEN_IPV4_ONLY, &error));
  uris = soup_server_get_uris (server);
  url = g_uri_to_string (uris->data);
  g_slist_free_full (g_steal_pointer (&uris), (GDestroyNotify) g_uri_unref);
  calendar_url = g_strconcat (url, "cal/", NULL);
  b_href = g_strconcat (url, "cal/b.ics", NULL);

  calsync_calendar_set_remote_id (calendar, calendar_url);
  calsync_calendar_set_name (calendar, "Truncating");
  calsync_calendar_set_account_id (calendar, f->account_id);
  g_assert_cmpint (calsync_store_add_calendar (f->store, calendar, NULL), >, 0);
  b = calsync_test_timed_event ("b", "B", utc (2026, 12, 2, 9, 0), utc (2026, 12, 2, 10, 0), "UTC");
  calsync_event_set_resource_id (b, b_href);
  g_ptr_array_add (gone, b);
  g_assert_true (calsync_store_apply_remote_events (f->store, calsync_calendar_get_id (calendar), gone, NULL, NULL, NULL));

  provider = new_provider (f, url, CALSYNC_RADICALE_PASSWORD);
  run_round (f, provider, calendar, "t1", FALSE, &round);
  g_assert_no_error (round.error);
  g_assert_cmpuint (n_reports, ==, 3);        /* sync-collection, multiget, sync-collection */
  g_assert_cmpuint (round.n_pages, ==, 2);
  g_assert_cmpuint (round.stats.inserted, ==, 1);
  g_assert_cmpuint (round.stats.deleted, ==, 1);
  g_assert_cmpstr (round.cursor, ==, "t3");
  g_assert_true (has_event (f, calendar, "a"));
  g_assert_false (has_event (f, calendar, "b"));
}

/* A resource bigger than CalSync reads (Radicale serves it; an unreadable file
 * would make Radicale fail the whole REPORT) is skipped and counted; the
 * others are stored */
static void
test_unreadable_resource (Fixture       *f,
                          gconstpointer  data)
{
  g_autoptr(CalsyncProvider) provider = new_provider (f, calsync_radicale_get_url (f->radicale), CALSYNC_RADICALE_PASSWORD);
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autofree char *dir = NULL;
  g_autofree char *ok = single_ics ("fine", "Fine", utc (2026, 12, 2, 9, 0));
  g_autoptr(GString) huge = g_string_new (NULL);
  g_auto(Round) round = { 0 };

  set_up_work (f);
  dir = calsync_radicale_collection_dir (f->radicale, "work");
  g_string_append (huge, "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync tests//EN\r\n"
                         "BEGIN:VEVENT\r\nUID:huge\r\nDTSTAMP:20261101T000000Z\r\n"
                         "DTSTART:20261203T090000Z\r\nDTEND:20261203T100000Z\r\nSUMMARY:Huge\r\nDESCRIPTION:");
  /* Radicale writes it again (unfolded, folded anew): well over the bound */
  for (guint i = 0; huge->len < CALDAV_MAX_CALENDAR_DATA + CALDAV_MAX_CALENDAR_DATA / 8; i++)
    g_string_append (huge, "0123456789012345678901234567890123456789012345678901234567890123456789\r\n ");
  g_string_append (huge, "end\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n");

  calsync_radicale_stop (f->radicale);
  write_resource (dir, "fine.ics", ok);
  write_resource (dir, "huge.ics", huge->str);
  calsync_radicale_restart (f->radicale);
  calendar = add_work_calendar (f, provider);

  run_round (f, provider, calendar, NULL, FALSE, &round);
  g_assert_no_error (round.error);
  g_assert_cmpuint (round.n_invalid, ==, 1);
  g_assert_cmpuint (round.stats.inserted, ==, 1);
  g_assert_true (has_event (f, calendar, "fine"));
  g_assert_false (has_event (f, calendar, "huge"));
}

/* The multistatus reader ------------------------------------------------------------ */

/* RFC 4791 §7.8.1 and RFC 3744 §5.4 shapes, with other prefixes: names are
 * matched by namespace */
static const char sample[] =
  "<?xml version=\"1.0\" encoding=\"utf-8\" ?>\n"
  "<x:multistatus xmlns:x=\"DAV:\" xmlns:cal=\"urn:ietf:params:xml:ns:caldav\" xmlns:ic=\"http://apple.com/ns/ical/\""
  " xmlns:y=\"http://calendarserver.org/ns/\" xmlns:caldav=\"http://example.com/not-caldav\">\n"
  "<x:response><x:href>/bernard/shared/</x:href>\n"
  " <x:propstat><x:prop>\n"
  "  <x:resourcetype><x:collection/><cal:calendar/></x:resourcetype>\n"
  "  <x:displayname>  Shared  </x:displayname><ic:calendar-color>#0A0B0C</ic:calendar-color>\n"
  "  <x:current-user-privilege-set><x:privilege><x:read/></x:privilege>"
  "<x:privilege><x:read-current-user-privilege-set/></x:privilege></x:current-user-privilege-set>\n"
  "  <y:getctag>\"ctag-1\"</y:getctag>\n"
  " </x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat>\n"
  " <x:propstat><x:prop><x:sync-token/></x:prop><x:status>HTTP/1.1 404 Not Found</x:status></x:propstat>\n"
  "</x:response>\n"
  "<x:response><x:href>tasks/</x:href><x:propstat><x:prop>\n"
  "  <x:resourcetype><x:collection/><cal:calendar/></x:resourcetype>\n"
  "  <cal:supported-calendar-component-set><cal:comp name=\"VTODO\"/></cal:supported-calendar-component-set>\n"
  "  <x:current-user-privilege-set><x:privilege><x:all/></x:privilege></x:current-user-privilege-set>\n"
  " </x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat></x:response>\n"
  "<x:response><x:href>http://cal.example.com/bernard/work/</x:href><x:propstat><x:prop>\n"
  "  <x:resourcetype><x:collection/><caldav:calendar/></x:resourcetype>\n"
  "  <x:current-user-privilege-set><x:privilege><x:write-content/></x:privilege></x:current-user-privilege-set>\n"
  "  <x:supported-report-set><x:supported-report><x:report><x:sync-collection/></x:report></x:supported-report></x:supported-report-set>\n"
  "  <x:sync-token>http://example.com/sync/1</x:sync-token>\n"
  " </x:prop><x:status>HTTP/1.1 200 OK</x:status></x:propstat></x:response>\n"
  "<x:response><x:href>/bernard/work/gone.ics</x:href><x:status>HTTP/1.1 404 Not Found</x:status></x:response>\n"
  "<x:sync-token>http://example.com/sync/2</x:sync-token>\n"
  "</x:multistatus>\n";

static void
test_multistatus (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaldavMultistatus) ms = caldav_parse_multistatus (sample, strlen (sample), "https://cal.example.com/bernard/", &error);
  g_autofree char *color = NULL;
  CaldavEntry *shared, *tasks, *work, *gone;

  g_assert_no_error (error);
  g_assert_cmpuint (ms->entries->len, ==, 4);
  shared = g_ptr_array_index (ms->entries, 0);
  tasks = g_ptr_array_index (ms->entries, 1);
  work = g_ptr_array_index (ms->entries, 2);
  gone = g_ptr_array_index (ms->entries, 3);

  g_assert_cmpstr (shared->href, ==, "https://cal.example.com/bernard/shared/");
  g_assert_true (shared->is_calendar && shared->is_collection);
  g_assert_cmpstr (shared->displayname, ==, "  Shared  ");
  g_assert_true (shared->has_privileges);
  g_assert_false (shared->can_write);               /* read only */
  g_assert_false (shared->has_comp_set);
  g_assert_cmpstr (shared->ctag, ==, "\"ctag-1\"");
  g_assert_null (shared->sync_token);               /* in a 404 propstat */
  color = caldav_normalize_color (shared->color);
  g_assert_cmpstr (color, ==, "#0a0b0c");

  g_assert_cmpstr (tasks->href, ==, "https://cal.example.com/bernard/tasks/");
  g_assert_true (tasks->has_comp_set);
  g_assert_false (tasks->supports_vevent);
  g_assert_true (tasks->can_write);

  g_assert_cmpstr (work->href, ==, "http://cal.example.com/bernard/work/");
  g_assert_false (work->is_calendar);               /* another namespace's "calendar" */
  g_assert_true (work->can_write);
  g_assert_true (work->supports_sync);
  g_assert_cmpstr (work->sync_token, ==, "http://example.com/sync/1");

  g_assert_cmpuint (gone->status, ==, 404);
  g_assert_cmpstr (ms->sync_token, ==, "http://example.com/sync/2");
}

static void
test_multistatus_hostile (void)
{
  g_autoptr(GString) deep = g_string_new ("<D:multistatus xmlns:D=\"DAV:\">");
  g_autoptr(GError) error = NULL;
  static const char entity[] =
    "<?xml version=\"1.0\"?><!DOCTYPE m [<!ENTITY a \"aaaaaaaaaa\"><!ENTITY b \"&a;&a;&a;&a;&a;&a;&a;\">"
    "<!ENTITY x SYSTEM \"file:///etc/passwd\">]>"
    "<D:multistatus xmlns:D=\"DAV:\"><D:response><D:href>/x&x;&b;</D:href></D:response></D:multistatus>";
  static const char *colors[] = { "#12345", "red", "#1234567", "#GG0000", NULL };
  g_autoptr(CaldavMultistatus) ms = NULL;

  for (guint i = 0; i < 1000; i++)
    g_string_append (deep, "<D:prop>");
  g_assert_null (caldav_parse_multistatus (deep->str, deep->len, "https://example.com/", &error));
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED);
  g_clear_error (&error);

  g_assert_null (caldav_parse_multistatus ("not xml", 7, "https://example.com/", &error));
  g_assert_error (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED);
  g_clear_error (&error);

  /* Entities are not expanded, nothing is read from files */
  ms = caldav_parse_multistatus (entity, strlen (entity), "https://example.com/", NULL);
  for (guint i = 0; ms != NULL && i < ms->entries->len; i++)
    g_assert_null (strstr (((CaldavEntry *) g_ptr_array_index (ms->entries, i))->href, "root"));

  for (guint i = 0; colors[i] != NULL; i++)
    g_assert_null (caldav_normalize_color (colors[i]));
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/caldav/multistatus", test_multistatus);
  g_test_add_func ("/caldav/multistatus-hostile", test_multistatus_hostile);

  if (!calsync_radicale_available ())
    {
      if (g_getenv ("CALSYNC_TEST_NO_SKIP") != NULL)
        g_error ("Radicale is not installed (Debian: radicale) and CALSYNC_TEST_NO_SKIP is set");
      g_test_message ("Radicale is not installed (Debian: radicale): the server tests are skipped");
      return g_test_run ();
    }

  g_test_add ("/caldav/discovery", Fixture, NULL, fixture_set_up, test_discovery, fixture_tear_down);
  g_test_add ("/caldav/wrong-password", Fixture, NULL, fixture_set_up, test_wrong_password, fixture_tear_down);
  g_test_add ("/caldav/insecure-refused", Fixture, NULL, fixture_set_up, test_insecure_refused, fixture_tear_down);
  g_test_add ("/caldav/first-sync-thousand", Fixture, NULL, fixture_set_up, test_first_sync_thousand, fixture_tear_down);
  g_test_add ("/caldav/incremental", Fixture, NULL, fixture_set_up, test_incremental, fixture_tear_down);
  g_test_add ("/caldav/token-invalid", Fixture, NULL, fixture_set_up, test_token_invalid, fixture_tear_down);
  g_test_add ("/caldav/redirect-elsewhere", Fixture, NULL, fixture_set_up, test_redirect_elsewhere, fixture_tear_down);
  g_test_add ("/caldav/ctag-round", Fixture, NULL, fixture_set_up, test_ctag_round, fixture_tear_down);
  g_test_add ("/caldav/own-write", Fixture, NULL, fixture_set_up, test_own_write, fixture_tear_down);
  g_test_add ("/caldav/truncated-sync-collection", Fixture, NULL, fixture_set_up, test_truncated_sync_collection, fixture_tear_down);
  g_test_add ("/caldav/unreadable-resource", Fixture, NULL, fixture_set_up, test_unreadable_resource, fixture_tear_down);

  return g_test_run ();
}
