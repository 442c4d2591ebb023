/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-clients.c: whole `calsync` clients against the fake Google, the
 * fake Graph and Radicale, for the tests that sync at random, under faults and
 * killed (see calsync-test-clients.h). */
#define G_LOG_DOMAIN "calsync-test-clients"

#include "config.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "calsync-fake-peek.h"
#include "calsync-ical.h"
#include "calsync-test-clients.h"

const char * const calsync_test_provider_names[CALSYNC_TEST_N_PROVIDERS] = { "google", "outlook", "caldav" };
const char * const calsync_test_synced_calendars[CALSYNC_TEST_N_PROVIDERS] = { "Alex Google", "Outlook Work", "Work" };

/* Text and dates ------------------------------------------------------------------- */

char *
calsync_test_utc_stamp (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
}

char *
calsync_test_iso_utc (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

char *
calsync_test_add_days (const char *date,
                       int         days)
{
  GDate d;
  char buffer[16];

  g_date_clear (&d, 1);
  g_date_set_parse (&d, date);
  g_assert_true (g_date_valid (&d));
  if (days >= 0)
    g_date_add_days (&d, days);
  else
    g_date_subtract_days (&d, -days);
  g_date_strftime (buffer, sizeof buffer, "%Y-%m-%d", &d);
  return g_strdup (buffer);
}

/* "2026-12-03" → "20261203" */
static char *
compact_date (const char *date)
{
  g_auto(GStrv) parts = g_strsplit (date, "-", -1);

  return g_strjoinv ("", parts);
}

char *
calsync_test_when_timed (gint64 start,
                         gint64 end)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, start, end);
}

char *
calsync_test_when_dates (const char *start_date,
                         const char *end_date)
{
  return g_strdup_printf ("D%s/%s", start_date, end_date);
}

char *
calsync_test_event_when (CalsyncEvent *event)
{
  if (calsync_event_get_all_day (event))
    return calsync_test_when_dates (calsync_event_get_start_date (event), calsync_event_get_end_date (event));
  return calsync_test_when_timed (calsync_event_get_start (event), calsync_event_get_end (event));
}

gint
calsync_test_compare_strings (gconstpointer a,
                              gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

gint64
calsync_test_json_instant (JsonObject *when,
                           GTimeZone  *default_zone)
{
  const char *text = json_object_get_string_member (when, "dateTime");
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, default_zone);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

/* Midnight of @date where the tests' clients live */
static gint64
date_instant (const char *date)
{
  g_autofree char *text = g_strdup_printf ("%sT00:00:00", date);
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, zone);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static char *
vevent_times (gboolean    all_day,
              gint64      start,
              gint64      end,
              const char *start_date,
              const char *end_date)
{
  g_autofree char *s = all_day ? compact_date (start_date) : calsync_test_utc_stamp (start);
  g_autofree char *e = all_day ? compact_date (end_date) : calsync_test_utc_stamp (end);

  if (all_day)
    return g_strdup_printf ("DTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\n", s, e);
  return g_strdup_printf ("DTSTART:%s\r\nDTEND:%s\r\n", s, e);
}

char *
calsync_test_vevent_text (const char *prodid,
                          const char *uid,
                          const char *title,
                          gboolean    all_day,
                          gint64      start,
                          gint64      end,
                          const char *start_date,
                          const char *end_date)
{
  g_autofree char *dtstamp = calsync_test_utc_stamp (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *times = vevent_times (all_day, start, end, start_date, end_date);

  return g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:%s\r\n"
                          "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\n%sSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                          prodid, uid, dtstamp, times, title);
}

void
calsync_test_move_event (GRand        *rand,
                         CalsyncEvent *event,
                         const char   *title)
{
  calsync_event_set_title (event, title);
  if (calsync_event_get_all_day (event))
    {
      int days = g_rand_int_range (rand, -3, 4);
      g_autofree char *start_date = calsync_test_add_days (calsync_event_get_start_date (event), days);
      g_autofree char *end_date = calsync_test_add_days (calsync_event_get_end_date (event), days);

      calsync_event_set_dates (event, start_date, end_date);
    }
  else
    {
      gint64 shift = (gint64) g_rand_int_range (rand, -8, 9) * 1800;
      gint64 length = (gint64) g_rand_int_range (rand, 1, 5) * 900;
      gint64 start = calsync_event_get_start (event) + shift;

      calsync_event_set_times (event, start, start + length, calsync_event_get_time_zone (event));
    }
}

void
calsync_test_fail (GPtrArray  *failures,
                   const char *format,
                   ...)
{
  va_list args;
  char *line;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAILURE: %s", line);
  g_ptr_array_add (failures, line);
}

GPtrArray *
calsync_test_lines_only_in (GPtrArray *lines,
                            GPtrArray *others)
{
  GPtrArray *only = g_ptr_array_new ();

  for (guint i = 0; i < lines->len; i++)
    if (!g_ptr_array_find_with_equal_func (others, g_ptr_array_index (lines, i), g_str_equal, NULL))
      g_ptr_array_add (only, g_ptr_array_index (lines, i));
  return only;
}

/* The servers ------------------------------------------------------------------------- */

static void
start_google (CalsyncTestServers *self)
{
  self->google = calsync_fake_google_new ();
  calsync_fake_google_export_env (self->google);
  calsync_fake_google_add_calendar (self->google, CALSYNC_TEST_ALEX, CALSYNC_TEST_GOOGLE_CALENDAR,
                                    calsync_test_synced_calendars[CALSYNC_TEST_GOOGLE], TRUE);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (self->google), CALSYNC_TEST_ALEX);
}

static void
start_graph (CalsyncTestServers *self)
{
  g_assert_nonnull (self->graph_calendar);
  self->graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (self->graph);
  calsync_fake_graph_add_calendar (self->graph, self->graph_calendar,
                                   calsync_test_synced_calendars[CALSYNC_TEST_OUTLOOK], "#3584e4", "lightBlue", TRUE,
                                   TRUE);
}

void
calsync_test_servers_start (CalsyncTestServers *self,
                            const char         *name,
                            const char         *window_from,
                            const char         *window_to,
                            guint               radicale_lifetime_s)
{
  self->dir = calsync_test_setup_env (name);
  self->window_start = calsync_test_instant (window_from);
  self->window_end = calsync_test_instant (window_to);
  self->stderr_path = g_build_filename (self->dir, "add-account-stderr", NULL);
  start_google (self);
  start_graph (self);
  self->radicale = calsync_radicale_start (self->dir, radicale_lifetime_s);
  calsync_radicale_mkcalendar (self->radicale, CALSYNC_TEST_CALDAV_COLLECTION,
                               calsync_test_synced_calendars[CALSYNC_TEST_CALDAV]);
}

void
calsync_test_servers_stop (CalsyncTestServers *self)
{
  g_clear_pointer (&self->radicale, calsync_radicale_free);
  g_clear_object (&self->google);
  g_clear_object (&self->graph);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (self->dir);
  g_clear_pointer (&self->dir, g_free);
  g_clear_pointer (&self->stderr_path, g_free);
}

/* Whether [@start, @end) meets the sync window */
static gboolean
in_window (CalsyncTestServers *self,
           gint64              start,
           gint64              end)
{
  return start < self->window_end && (end > self->window_start || (end == start && start >= self->window_start));
}

/* The servers' events ----------------------------------------------------------------- */

static void
snap_free (CalsyncTestSnap *snap)
{
  g_free (snap->key);
  g_free (snap->title);
  g_free (snap->when);
  g_free (snap);
}

static GPtrArray *
snaps_new (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) snap_free);
}

static void
snaps_add (GPtrArray  *snaps,
           const char *key,
           const char *title,
           char       *when)
{
  CalsyncTestSnap *snap = g_new0 (CalsyncTestSnap, 1);

  snap->key = g_strdup (key);
  snap->title = g_strdup (title != NULL ? title : "");
  snap->when = when;
  g_ptr_array_add (snaps, snap);
}

/* A Google or Graph event from @start_date to @end_date, if in the window */
static void
snaps_add_dates (CalsyncTestServers *self,
                 GPtrArray          *snaps,
                 JsonObject         *event,
                 const char         *title_member,
                 const char         *start_date,
                 const char         *end_date)
{
  if (!in_window (self, date_instant (start_date), date_instant (end_date)))
    return;
  snaps_add (snaps, json_object_get_string_member (event, "id"),
             json_object_get_string_member_with_default (event, title_member, ""),
             calsync_test_when_dates (start_date, end_date));
}

/* A Google or Graph event of {dateTime, timeZone}s, if in the window */
static void
snaps_add_timed (CalsyncTestServers *self,
                 GPtrArray          *snaps,
                 JsonObject         *event,
                 const char         *title_member,
                 GTimeZone          *default_zone)
{
  gint64 start = calsync_test_json_instant (json_object_get_object_member (event, "start"), default_zone);
  gint64 end = calsync_test_json_instant (json_object_get_object_member (event, "end"), default_zone);

  if (!in_window (self, start, end))
    return;
  snaps_add (snaps, json_object_get_string_member (event, "id"),
             json_object_get_string_member_with_default (event, title_member, ""),
             calsync_test_when_timed (start, end));
}

static GPtrArray *
google_snapshot (CalsyncTestServers *self)
{
  g_autoptr(GPtrArray) events = calsync_fake_google_peek_events (self->google, CALSYNC_TEST_GOOGLE_CALENDAR);
  GPtrArray *snaps = snaps_new ();

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      JsonObject *start = json_object_get_object_member (event, "start");
      JsonObject *end = json_object_get_object_member (event, "end");

      if (json_object_has_member (start, "date"))
        snaps_add_dates (self, snaps, event, "summary", json_object_get_string_member (start, "date"),
                         json_object_get_string_member (end, "date"));
      else
        snaps_add_timed (self, snaps, event, "summary", NULL);
    }
  return snaps;
}

static GPtrArray *
graph_snapshot (CalsyncTestServers *self)
{
  g_autoptr(GPtrArray) events = calsync_fake_graph_peek_events (self->graph, self->graph_calendar);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  GPtrArray *snaps = snaps_new ();

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      JsonObject *start = json_object_get_object_member (event, "start");
      JsonObject *end = json_object_get_object_member (event, "end");
      g_autofree char *start_date = g_strndup (json_object_get_string_member (start, "dateTime"), 10);
      g_autofree char *end_date = g_strndup (json_object_get_string_member (end, "dateTime"), 10);

      if (json_object_get_boolean_member_with_default (event, "isAllDay", FALSE))
        snaps_add_dates (self, snaps, event, "subject", start_date, end_date);
      else
        snaps_add_timed (self, snaps, event, "subject", utc);
    }
  return snaps;
}

/* What another client reads from Radicale (the parse keeps the window) */
static GPtrArray *
caldav_snapshot (CalsyncTestServers *self)
{
  g_autoptr(GHashTable) resources = calsync_radicale_list_resources (self->radicale, CALSYNC_TEST_CALDAV_COLLECTION);
  GPtrArray *snaps = snaps_new ();
  GHashTableIter iter;
  const char *text;

  g_hash_table_iter_init (&iter, resources);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &text))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = calsync_ical_parse (text, -1, self->window_start, self->window_end, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < events->len; i++)
        {
          CalsyncEvent *event = g_ptr_array_index (events, i);

          if (calsync_event_get_status (event) != CALSYNC_EVENT_STATUS_CANCELLED)
            snaps_add (snaps, calsync_event_get_external_id (event), calsync_event_get_title (event),
                       calsync_test_event_when (event));
        }
    }
  return snaps;
}

GPtrArray *
calsync_test_servers_snapshot (CalsyncTestServers  *self,
                               CalsyncTestProvider  provider)
{
  switch (provider)
    {
    case CALSYNC_TEST_GOOGLE:
      return google_snapshot (self);
    case CALSYNC_TEST_OUTLOOK:
      return graph_snapshot (self);
    case CALSYNC_TEST_CALDAV:
    default:
      return caldav_snapshot (self);
    }
}

CalsyncTestSnap *
calsync_test_snaps_find (GPtrArray  *snaps,
                         const char *key,
                         const char *title)
{
  for (guint i = 0; i < snaps->len; i++)
    {
      CalsyncTestSnap *snap = g_ptr_array_index (snaps, i);

      if ((key == NULL || g_strcmp0 (snap->key, key) == 0) && (title == NULL || g_strcmp0 (snap->title, title) == 0))
        return snap;
    }
  return NULL;
}

GPtrArray *
calsync_test_snap_lines (GPtrArray *snaps)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < snaps->len; i++)
    {
      CalsyncTestSnap *snap = g_ptr_array_index (snaps, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s", snap->key, snap->title, snap->when));
    }
  g_ptr_array_sort (lines, calsync_test_compare_strings);
  return lines;
}

/* Running calsync -------------------------------------------------------------------- */

void
calsync_test_client_init (CalsyncTestClient  *self,
                          CalsyncTestServers *servers,
                          const char         *name)
{
  self->name = name;
  self->servers = servers;
  self->dir = g_build_filename (servers->dir, name, NULL);
}

void
calsync_test_client_clear (CalsyncTestClient *self)
{
  g_clear_pointer (&self->dir, g_free);
}

GSubprocessLauncher *
calsync_test_client_new_launcher (CalsyncTestClient *self,
                                  GSubprocessFlags   flags)
{
  GSubprocessLauncher *launcher = calsync_test_new_launcher (flags, self->dir);

  for (guint i = 0; self->env != NULL && self->env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, self->env[i], self->env[i + 1], TRUE);
  return launcher;
}

static gboolean
has (const char *text,
     const char *needle)
{
  return text != NULL && strstr (text, needle) != NULL;
}

static void
check_stderr (CalsyncTestClient *self,
              const char        *command,
              int                status,
              const char        *err)
{
  if (status != 0 || has (err, "WARNING") || has (err, "CRITICAL"))
    g_test_message ("%s: calsync %s → %d\nstderr: %s", self->name, command, status, err);
  if (self->failures != NULL && (has (err, "CRITICAL") || has (err, "ERROR") || has (err, "Sanitizer")))
    calsync_test_fail (self->failures, "calsync %s wrote to stderr: %s", command, err);
}

int
calsync_test_client_run (CalsyncTestClient   *self,
                         const char          *input,
                         char               **out,
                         char               **err,
                         const char * const  *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_client_new_launcher (self, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                                      G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *own_out = NULL;
  g_autofree char *own_err = NULL;
  int status;

  out = out != NULL ? out : &own_out;
  err = err != NULL ? err : &own_err;
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The fakes answer from this main context: spin it while calsync runs */
  g_subprocess_communicate_utf8_async (process, input, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, calsync_test_spin (&result), out, err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  status = g_subprocess_get_exit_status (process);
  check_stderr (self, args[0], status, *err);
  return status;
}

/* Signing in -------------------------------------------------------------------------- */

/* A placeholder account whose id starts a range of this process and @index */
static void
reserve_account_ids (CalsyncTestClient *self,
                     guint              index)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (self->dir);
  g_autofree char *path = g_strdup (calsync_store_get_path (store));
  g_autofree char *sql = g_strdup_printf ("INSERT INTO accounts (id, provider, email) "
                                          "VALUES (%" G_GINT64_FORMAT ", 'caldav', 'placeholder.invalid')",
                                          ((gint64) getpid () * 10 + index) * 1000);
  sqlite3 *db = NULL;

  calsync_store_close (store);
  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_exec (db, sql, NULL, NULL, NULL), ==, SQLITE_OK);
  sqlite3_close (db);
}

static void
add_oauth_account (CalsyncTestClient *self,
                   const char        *provider)
{
  g_autoptr(GSubprocessLauncher) launcher = calsync_test_client_new_launcher (self, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  int status = calsync_test_cli_add_account (launcher, provider, self->servers->stderr_path, &url, &rest, &err);

  if (status != 0)
    g_test_message ("%s: --add-account=%s: %s", self->name, provider, err);
  g_assert_cmpint (status, ==, 0);
}

static void
add_caldav_account (CalsyncTestClient *self)
{
  const char *url = self->caldav_url != NULL ? self->caldav_url : calsync_radicale_get_url (self->servers->radicale);
  g_autofree char *server = g_strdup_printf ("--server=%s", url);
  const char *args[] = { "--add-account=caldav", server, "--username=" CALSYNC_RADICALE_USER, NULL };

  g_assert_cmpint (calsync_test_client_run (self, CALSYNC_RADICALE_PASSWORD "\n", NULL, NULL, args), ==, 0);
}

/* The ids of @account's calendars that the test syncs */
static void
find_account_calendars (CalsyncTestClient *self,
                        JsonObject        *account)
{
  const char *provider = json_object_get_string_member (account, "provider");
  JsonArray *calendars = json_object_get_array_member (account, "calendars");

  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    for (guint j = 0; calendars != NULL && j < json_array_get_length (calendars); j++)
      {
        JsonObject *calendar = json_array_get_object_element (calendars, j);

        if (g_strcmp0 (provider, calsync_test_provider_names[p]) == 0 &&
            g_strcmp0 (json_object_get_string_member (calendar, "name"), calsync_test_synced_calendars[p]) == 0)
          self->calendar_ids[p] = g_ascii_strtoll (json_object_get_string_member (calendar, "id"), NULL, 10);
      }
}

/* The calendars' ids, from --list-accounts --json */
static void
find_calendars (CalsyncTestClient *self)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *accounts;

  g_assert_cmpint (calsync_test_client_run (self, NULL, &out, NULL, args), ==, 0);
  root = calsync_test_parse_json (out);
  accounts = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    find_account_calendars (self, json_array_get_object_element (accounts, i));

  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    if (self->servers->enabled[p] && self->calendar_ids[p] == 0)
      g_error ("%s has no %s calendar “%s”:\n%s", self->name, calsync_test_provider_names[p],
               calsync_test_synced_calendars[p], out);
}

void
calsync_test_client_sign_in (CalsyncTestClient *self,
                             guint              index)
{
  gboolean *enabled = self->servers->enabled;

  g_assert_cmpint (g_mkdir_with_parents (self->dir, 0700), ==, 0);
  if (index > 0)
    reserve_account_ids (self, index);
  if (enabled[CALSYNC_TEST_GOOGLE])
    add_oauth_account (self, "google");
  if (enabled[CALSYNC_TEST_OUTLOOK])
    add_oauth_account (self, "outlook");
  if (enabled[CALSYNC_TEST_CALDAV])
    add_caldav_account (self);
  find_calendars (self);
}

/* Local edits and events ------------------------------------------------------------- */

int
calsync_test_client_import (CalsyncTestClient   *self,
                            CalsyncTestProvider  provider,
                            const char          *text)
{
  g_autofree char *path = g_build_filename (self->servers->dir, "edit.ics", NULL);
  g_autofree char *import_arg = g_strconcat ("--import=", path, NULL);
  g_autofree char *calendar_arg = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, self->calendar_ids[provider]);
  const char *args[] = { import_arg, calendar_arg, NULL };

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return calsync_test_client_run (self, NULL, NULL, NULL, args);
}

int
calsync_test_client_delete (CalsyncTestClient *self,
                            CalsyncEvent      *event)
{
  g_autofree char *arg = g_strdup_printf ("--delete-event=%" G_GINT64_FORMAT, calsync_event_get_id (event));
  const char *args[] = { arg, NULL };

  return calsync_test_client_run (self, NULL, NULL, NULL, args);
}

gboolean
calsync_test_client_edit (CalsyncTestClient *self,
                          CalsyncEvent      *event)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (self->dir);
  g_autoptr(GError) error = NULL;
  gboolean done = calsync_store_edit_local_event (store, event, &error);

  if (!done)
    g_test_message ("%s: edit of “%s” refused: %s", self->name, calsync_event_get_title (event), error->message);
  calsync_store_close (store);
  return done;
}

gboolean
calsync_test_client_save (CalsyncTestClient   *self,
                          CalsyncTestProvider  provider,
                          CalsyncEvent        *event,
                          gboolean             with_store,
                          const char          *prodid)
{
  g_autofree char *text = NULL;

  if (with_store)
    return calsync_test_client_edit (self, event);
  text = calsync_test_vevent_text (prodid, calsync_event_get_external_id (event), calsync_event_get_title (event),
                                   calsync_event_get_all_day (event), calsync_event_get_start (event),
                                   calsync_event_get_end (event), calsync_event_get_start_date (event),
                                   calsync_event_get_end_date (event));
  return calsync_test_client_import (self, provider, text) == 0;
}

GPtrArray *
calsync_test_client_events (CalsyncTestClient   *self,
                            CalsyncTestProvider  provider,
                            gboolean             instances)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (self->dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = calsync_store_list_calendar_events (store, self->calendar_ids[provider],
                                                                 self->servers->window_start,
                                                                 self->servers->window_end, &error);
  GPtrArray *found = g_ptr_array_new_with_free_func (g_object_unref);

  g_assert_no_error (error);
  for (guint i = 0; i < all->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (all, i);

      if (calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_CANCELLED ||
          (calsync_event_get_recurring_event_id (event) != NULL) != instances)
        continue;
      g_ptr_array_add (found, g_object_ref (event));
    }
  calsync_store_close (store);
  return found;
}

CalsyncEvent *
calsync_test_client_pick_event (CalsyncTestClient   *self,
                                CalsyncTestProvider  provider,
                                gboolean             instance,
                                GRand               *rand)
{
  g_autoptr(GPtrArray) events = calsync_test_client_events (self, provider, instance);

  if (events->len == 0)
    return NULL;
  return g_object_ref (g_ptr_array_index (events, g_rand_int_range (rand, 0, events->len)));
}

JsonNode *
calsync_test_client_agenda (CalsyncTestClient *self,
                            const char        *from,
                            const char        *to)
{
  g_autofree char *from_arg = g_strconcat ("--from=", from, NULL);
  g_autofree char *to_arg = g_strconcat ("--to=", to, NULL);
  const char *args[] = { "--agenda", from_arg, to_arg, "--json", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (calsync_test_client_run (self, NULL, &out, NULL, args), ==, 0);
  return calsync_test_parse_json (out);
}

/* Sync reports ------------------------------------------------------------------------- */

/* A result's error and messages, one line each */
static void
append_messages (GString    *messages,
                 JsonObject *result)
{
  const char *name = json_object_get_string_member (result, "calendarName");
  JsonArray *list = json_object_has_member (result, "messages") ? json_object_get_array_member (result, "messages")
                                                                : NULL;

  if (json_object_has_member (result, "error") && !json_object_get_null_member (result, "error"))
    g_string_append_printf (messages, "%s: %s\n", name, json_object_get_string_member (result, "error"));
  for (guint j = 0; list != NULL && j < json_array_get_length (list); j++)
    g_string_append_printf (messages, "%s: %s\n", name, json_array_get_string_element (list, j));
}

void
calsync_test_report_read (CalsyncTestReport *report,
                          int                status,
                          const char        *out)
{
  JsonObject *object;
  JsonArray *results;

  report->root = calsync_test_parse_json (out);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (report->root));
  object = json_node_get_object (report->root);
  report->messages = g_string_new (NULL);
  report->success = json_object_get_boolean_member (object, "success");
  g_assert_cmpint (report->success, ==, status == 0);
  report->pushed = json_object_get_int_member (object, "pushed");
  report->conflicts = json_object_get_int_member (object, "conflicts");
  report->changed = json_object_get_int_member (object, "synced") + json_object_get_int_member (object, "updated") +
                    json_object_get_int_member (object, "deleted");
  results = json_object_get_array_member (object, "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    append_messages (report->messages, json_array_get_object_element (results, i));
}

void
calsync_test_report_clear (CalsyncTestReport *report)
{
  g_clear_pointer (&report->root, json_node_unref);
  if (report->messages != NULL)
    g_string_free (report->messages, TRUE);
  report->messages = NULL;
}

gboolean
calsync_test_report_is_quiet (CalsyncTestReport *report)
{
  return report->success && report->pushed == 0 && report->conflicts == 0 && report->changed == 0;
}

/* Outboxes ------------------------------------------------------------------------------ */

static void
change_free (CalsyncTestChange *change)
{
  g_free (change->key);
  g_free (change->title);
  g_free (change->when);
  g_free (change);
}

static void
add_changes (GHashTable          *changes,
             CalsyncStore        *store,
             gint64               calendar_id,
             CalsyncTestProvider  provider)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) entries = calsync_store_list_outbox (store, calendar_id, &error);

  g_assert_no_error (error);
  for (guint i = 0; i < entries->len; i++)
    {
      CalsyncOutboxEntry *entry = g_ptr_array_index (entries, i);
      CalsyncTestChange *change = g_new0 (CalsyncTestChange, 1);

      change->id = entry->id;
      change->provider = provider;
      change->kind = entry->kind;
      change->key = g_strdup (entry->key);
      change->title = g_strdup (entry->event != NULL ? calsync_event_get_title (entry->event) : NULL);
      change->when = entry->event != NULL ? calsync_test_event_when (entry->event) : NULL;
      g_hash_table_insert (changes, &change->id, change);
    }
}

GHashTable *
calsync_test_client_outbox (CalsyncTestClient *self)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (self->dir);
  GHashTable *changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) change_free);

  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    if (self->servers->enabled[p])
      add_changes (changes, store, self->calendar_ids[p], p);
  calsync_store_close (store);
  return changes;
}

guint
calsync_test_client_outbox_size (CalsyncTestClient *self)
{
  g_autoptr(GHashTable) changes = calsync_test_client_outbox (self);

  return g_hash_table_size (changes);
}

const char *
calsync_test_change_kind (CalsyncTestChange *change)
{
  return change->kind == CALSYNC_OUTBOX_DELETE ? "delete" : change->kind == CALSYNC_OUTBOX_CREATE ? "create" : "update";
}

GPtrArray *
calsync_test_outbox_left (GHashTable *before,
                          GHashTable *after)
{
  GPtrArray *left = g_ptr_array_new ();
  GHashTableIter iter;
  CalsyncTestChange *change;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &change))
    if (!g_hash_table_contains (after, &change->id))
      g_ptr_array_add (left, change);
  return left;
}

gboolean
calsync_test_change_on_server (CalsyncTestChange  *change,
                               GPtrArray          *snaps,
                               CalsyncTestSnap   **snap)
{
  if (change->kind == CALSYNC_OUTBOX_DELETE)
    {
      *snap = calsync_test_snaps_find (snaps, change->key, NULL);
      return *snap == NULL;
    }
  *snap = calsync_test_snaps_find (snaps, NULL, change->title);
  return *snap != NULL && g_strcmp0 ((*snap)->when, change->when) == 0;
}

/* Agendas ------------------------------------------------------------------------------- */

static char *
agenda_when (JsonObject *event)
{
  if (json_object_get_boolean_member_with_default (event, "allDay", FALSE))
    return calsync_test_when_dates (json_object_get_string_member (event, "startDate"),
                                    json_object_get_string_member (event, "endDate"));
  return calsync_test_when_timed (calsync_test_instant (json_object_get_string_member (event, "start")),
                                  calsync_test_instant (json_object_get_string_member (event, "end")));
}

static gboolean
taking_part (CalsyncTestServers *servers,
             const char         *calendar)
{
  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    if (servers->enabled[p] && g_strcmp0 (calendar, calsync_test_synced_calendars[p]) == 0)
      return TRUE;
  return FALSE;
}

/* key|title|when, or calendar|key|title|when|status with @with_calendar */
static char *
agenda_line (JsonObject *event,
             gboolean    with_calendar)
{
  g_autofree char *when = agenda_when (event);
  const char *key = json_object_get_string_member (event, "externalId");
  const char *title = json_object_get_string_member (event, "title");

  if (!with_calendar)
    return g_strdup_printf ("%s|%s|%s", key, title, when);
  return g_strdup_printf ("%s|%s|%s|%s|%s", json_object_get_string_member (event, "calendarName"), key, title, when,
                          json_object_get_string_member (event, "status"));
}

GPtrArray *
calsync_test_agenda_lines (CalsyncTestServers *servers,
                           JsonNode           *agenda,
                           const char         *calendar)
{
  JsonArray *events = json_node_get_array (agenda);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *name = json_object_get_string_member (event, "calendarName");

      if (taking_part (servers, name) && (calendar == NULL || g_strcmp0 (name, calendar) == 0))
        g_ptr_array_add (lines, agenda_line (event, calendar == NULL));
    }
  g_ptr_array_sort (lines, calsync_test_compare_strings);
  return lines;
}
