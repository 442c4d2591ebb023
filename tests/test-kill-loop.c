/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-kill-loop.c: crash safety. A real `calsync --sync` (its own
 * XDG_DATA_HOME) against the fake Google, the fake Graph and a real Radicale,
 * with local edits pending in all three (creates, edits, deletes, instance
 * edits and deletes, through `--import --calendar`, `--delete-event` and the
 * store API the editor uses), is killed with SIGKILL again and again at chosen
 * moments:
 *
 *   pages   during a full listing (the sync tokens expired, big calendars,
 *           small pages): after a random number of pages were asked for;
 *   cursor  between the last page and the cursor save: the moment the fake
 *           finished sending the listing's last page (the one with
 *           nextSyncToken / @odata.deltaLink);
 *   push    during a push: a write the server applied and whose answer it
 *           holds (calsync_fake_google_set_stall_writes,
 *           CALSYNC_FAKE_GRAPH_FAULT_STALL), or a random moment while CalDAV
 *           changes are being sent;
 *   random  after a random delay.
 *
 * Where each kill landed is then read from what the database kept (the
 * calendar's cursor saved or not, the outbox).
 *
 * After every kill `PRAGMA integrity_check` is "ok", and each change that left
 * the outbox is on its server (a killed sync cannot name a lost change). At
 * the end calsync syncs until quiet; every change that left the outbox in those
 * syncs is on its server or named in the sync's report, and the local store
 * lists exactly each server's events.
 *
 * CALSYNC_KILLS: the number of kills (10); CALSYNC_KILL_SEED: the seed
 * (printed); CALSYNC_KILL_EVENTS: events generated per OAuth calendar (600).
 * The summary (kills, landings, integrity checks, syncs to converge, edits on
 * the server and reported) is printed on stdout: bench/kill-loop.sh runs this
 * with 100 kills. */
#include "config.h"

#include <signal.h>
#include <sqlite3.h>
#include <string.h>

#include "calsync-fake-graph.h"
#include "calsync-fake-peek.h"
#include "calsync-ical.h"
#include "calsync-radicale.h"
#include "calsync-test-sync.h"
#include "calsync-test-utils.h"

#define RADICALE_LIFETIME_S 1800
#define DEFAULT_SEED 20261125
#define DEFAULT_KILLS 10
#define DEFAULT_EVENTS 600
#define CALDAV_EVENTS 120
#define PAGE_SIZE 40
#define QUIET_ROUNDS 8
#define TIMEOUT_MS 120000

#define ALEX "alex@example.com"
#define GOOGLE_CALENDAR ALEX
#define GRAPH_CALENDAR "AAMkAGKillCalendar"
#define CALDAV_COLLECTION "work"
#define NOW "2026-11-25T12:00:00+01:00"

/* Wider than the sync window: the agenda lists what the window kept */
#define AGENDA_FROM "2026-08-01"
#define AGENDA_TO "2027-12-31"

typedef enum
{
  P_GOOGLE,
  P_OUTLOOK,
  P_CALDAV,
  N_PROVIDERS
} Provider;

static const char * const provider_names[N_PROVIDERS] = { "google", "outlook", "caldav" };
static const char * const calendar_names[N_PROVIDERS] = { "Alex Google", "Outlook Work", "Work" };

typedef enum
{
  T_PAGES,
  T_CURSOR,
  T_PUSH,
  T_RANDOM,
  N_TARGETS
} Target;

static const char * const target_names[N_TARGETS] = { "pages", "cursor", "push", "random" };

/* Where a kill landed, read from the database afterwards */
typedef enum
{
  L_PAGES,          /* a listing had begun, its cursor was not saved */
  L_CURSOR,         /* the last page was sent, the cursor not saved */
  L_PUSH,           /* a write was applied and unanswered, or the outbox half sent */
  L_BEFORE,         /* nothing sent or listed yet */
  L_AFTER,          /* every cursor saved: the sync was ending */
  L_FINISHED,       /* calsync ended before the kill */
  N_LANDINGS
} Landing;

static const char * const landing_names[N_LANDINGS] = {
  "pages", "cursor save", "push", "before the first request", "after the cursor saves", "finished before the kill"
};

typedef struct
{
  GRand *rand;
  guint32 seed;
  char *dir;
  char *home;                     /* A's XDG_DATA_HOME */
  char *db_path;
  char *stderr_path;
  CalsyncFakeGoogle *google;
  CalsyncFakeGraph *graph;
  CalsyncRadicale *radicale;
  gint64 calendar_ids[N_PROVIDERS];
  guint serial;

  /* The kill being aimed */
  CalsyncTestChild *child;
  int aim_last_page;              /* -1, or the provider whose last page triggers the kill */
  gboolean shot;                  /* killed by the last-page watch */
  guint last_pages[N_PROVIDERS];  /* last pages sent */

  /* Counts */
  guint kills;
  guint targets[N_TARGETS];
  guint landed[N_LANDINGS];
  guint integrity_ok;
  guint integrity_bad;
  guint edits;
  guint edits_refused;
  guint changes_checked;
  guint on_server;
  guint reported;
  guint syncs_to_converge;
  GPtrArray *failures;
} Loop;

static gint64 window_start;
static gint64 window_end;

static void
fail (Loop       *loop,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Loop       *loop,
      const char *format,
      ...)
{
  va_list args;
  char *line;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAILURE: %s", line);
  g_ptr_array_add (loop->failures, line);
}

/* Text ------------------------------------------------------------------------------ */

static char *
utc_stamp (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
}

static char *
add_days (const char *date,
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

static char *
when_timed (gint64 start,
            gint64 end)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT "-%" G_GINT64_FORMAT, start, end);
}

static char *
when_dates (const char *start_date,
            const char *end_date)
{
  return g_strdup_printf ("D%s/%s", start_date, end_date);
}

static char *
event_when (CalsyncEvent *event)
{
  if (calsync_event_get_all_day (event))
    return when_dates (calsync_event_get_start_date (event), calsync_event_get_end_date (event));
  return when_timed (calsync_event_get_start (event), calsync_event_get_end (event));
}

static gint
compare_strings (gconstpointer a,
                 gconstpointer b)
{
  return strcmp (*(const char * const *) a, *(const char * const *) b);
}

/* Running calsync to the end ---------------------------------------------------------- */

static int
run_calsync (Loop               *loop,
             const char         *input,
             char              **out,
             const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, loop->home);
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *own_out = NULL;
  g_autofree char *err = NULL;
  int status;

  if (out == NULL)
    out = &own_out;
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The fakes answer from this main context: spin it while calsync runs */
  g_subprocess_communicate_utf8_async (process, input, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, calsync_test_spin (&result), out, &err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  status = g_subprocess_get_exit_status (process);
  if (status != 0 || (err != NULL && strstr (err, "WARNING") != NULL) || (err != NULL && strstr (err, "CRITICAL")))
    g_test_message ("calsync %s → %d\nstderr: %s", args[0], status, err);
  if (err != NULL && (strstr (err, "CRITICAL") != NULL || strstr (err, "ERROR") != NULL ||
                      strstr (err, "Sanitizer") != NULL))
    fail (loop, "calsync %s wrote to stderr: %s", args[0], err);
  return status;
}

/* Signing in -------------------------------------------------------------------------- */

static void
add_oauth_account (Loop       *loop,
                   const char *provider)
{
  g_autoptr(GSubprocessLauncher) launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, loop->home);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  int status = calsync_test_cli_add_account (launcher, provider, loop->stderr_path, &url, &rest, &err);

  if (status != 0)
    g_test_message ("--add-account=%s: %s", provider, err);
  g_assert_cmpint (status, ==, 0);
}

static void
sign_in (Loop *loop)
{
  g_autofree char *server = g_strdup_printf ("--server=%s", calsync_radicale_get_url (loop->radicale));
  const char *caldav_args[] = { "--add-account=caldav", server, "--username=" CALSYNC_RADICALE_USER, NULL };
  const char *list_args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *accounts;

  add_oauth_account (loop, "google");
  add_oauth_account (loop, "outlook");
  g_assert_cmpint (run_calsync (loop, CALSYNC_RADICALE_PASSWORD "\n", NULL, caldav_args), ==, 0);

  g_assert_cmpint (run_calsync (loop, NULL, &out, list_args), ==, 0);
  root = calsync_test_parse_json (out);
  accounts = json_node_get_array (root);
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);
      const char *provider = json_object_get_string_member (account, "provider");
      JsonArray *calendars = json_object_get_array_member (account, "calendars");

      for (guint p = 0; p < N_PROVIDERS; p++)
        for (guint j = 0; calendars != NULL && j < json_array_get_length (calendars); j++)
          {
            JsonObject *calendar = json_array_get_object_element (calendars, j);

            if (g_strcmp0 (provider, provider_names[p]) == 0 &&
                g_strcmp0 (json_object_get_string_member (calendar, "name"), calendar_names[p]) == 0)
              loop->calendar_ids[p] = g_ascii_strtoll (json_object_get_string_member (calendar, "id"), NULL, 10);
          }
    }
  for (guint p = 0; p < N_PROVIDERS; p++)
    if (loop->calendar_ids[p] == 0)
      g_error ("no %s calendar “%s”:\n%s", provider_names[p], calendar_names[p], out);
}

/* The servers' events: key|title|when lines ------------------------------------------ */

static gint64
json_instant (JsonObject *when,
              GTimeZone  *default_zone)
{
  const char *text = json_object_get_string_member (when, "dateTime");
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, default_zone);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

/* Whether [@start, @end) meets the sync window */
static gboolean
in_window (gint64 start,
           gint64 end)
{
  return start < window_end && (end > window_start || (end == start && start >= window_start));
}

static gint64
date_instant (const char *date)
{
  g_autofree char *text = g_strdup_printf ("%sT00:00:00", date);
  g_autoptr(GTimeZone) zone = g_time_zone_new_identifier ("Europe/Berlin");
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, zone);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static void
add_line (GPtrArray  *lines,
          const char *key,
          const char *title,
          const char *when)
{
  g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s", key, title != NULL ? title : "", when));
}

static GPtrArray *
google_lines (Loop *loop)
{
  g_autoptr(GPtrArray) events = calsync_fake_google_peek_events (loop->google, GOOGLE_CALENDAR);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      JsonObject *start = json_object_get_object_member (event, "start");
      JsonObject *end = json_object_get_object_member (event, "end");
      g_autofree char *when = NULL;
      gint64 s, e;

      if (json_object_has_member (start, "date"))
        {
          s = date_instant (json_object_get_string_member (start, "date"));
          e = date_instant (json_object_get_string_member (end, "date"));
          when = when_dates (json_object_get_string_member (start, "date"), json_object_get_string_member (end, "date"));
        }
      else
        {
          s = json_instant (start, NULL);
          e = json_instant (end, NULL);
          when = when_timed (s, e);
        }
      if (in_window (s, e))
        add_line (lines, json_object_get_string_member (event, "id"),
                  json_object_get_string_member_with_default (event, "summary", ""), when);
    }
  return lines;
}

static GPtrArray *
graph_lines (Loop *loop)
{
  g_autoptr(GPtrArray) events = calsync_fake_graph_peek_events (loop->graph, GRAPH_CALENDAR);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      JsonObject *start = json_object_get_object_member (event, "start");
      JsonObject *end = json_object_get_object_member (event, "end");
      g_autofree char *when = NULL;
      gint64 s, e;

      if (json_object_get_boolean_member_with_default (event, "isAllDay", FALSE))
        {
          g_autofree char *start_date = g_strndup (json_object_get_string_member (start, "dateTime"), 10);
          g_autofree char *end_date = g_strndup (json_object_get_string_member (end, "dateTime"), 10);

          s = date_instant (start_date);
          e = date_instant (end_date);
          when = when_dates (start_date, end_date);
        }
      else
        {
          s = json_instant (start, utc);
          e = json_instant (end, utc);
          when = when_timed (s, e);
        }
      if (in_window (s, e))
        add_line (lines, json_object_get_string_member (event, "id"),
                  json_object_get_string_member_with_default (event, "subject", ""), when);
    }
  return lines;
}

static GPtrArray *
caldav_lines (Loop *loop)
{
  g_autoptr(GHashTable) resources = calsync_radicale_list_resources (loop->radicale, CALDAV_COLLECTION);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);
  GHashTableIter iter;
  const char *text;

  g_hash_table_iter_init (&iter, resources);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &text))
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = calsync_ical_parse (text, -1, window_start, window_end, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < events->len; i++)
        {
          CalsyncEvent *event = g_ptr_array_index (events, i);
          g_autofree char *when = NULL;

          if (calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_CANCELLED)
            continue;
          when = event_when (event);
          add_line (lines, calsync_event_get_external_id (event), calsync_event_get_title (event), when);
        }
    }
  return lines;
}

static GPtrArray *
server_lines (Loop     *loop,
              Provider  provider)
{
  GPtrArray *lines = provider == P_GOOGLE ? google_lines (loop)
                     : provider == P_OUTLOOK ? graph_lines (loop) : caldav_lines (loop);

  g_ptr_array_sort (lines, compare_strings);
  return lines;
}

/* The line of @key (with @title if not NULL), or NULL */
static const char *
find_line (GPtrArray  *lines,
           const char *key,
           const char *title)
{
  for (guint i = 0; i < lines->len; i++)
    {
      const char *line = g_ptr_array_index (lines, i);
      g_auto(GStrv) parts = g_strsplit (line, "|", 3);

      if ((key == NULL || g_strcmp0 (parts[0], key) == 0) && (title == NULL || g_strcmp0 (parts[1], title) == 0))
        return line;
    }
  return NULL;
}

/* The database ---------------------------------------------------------------------- */

/* PRAGMA integrity_check, as its rows joined */
static char *
integrity_check (Loop *loop)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  GString *result = g_string_new (NULL);

  g_assert_cmpint (sqlite3_open_v2 (loop->db_path, &db, SQLITE_OPEN_READWRITE, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  if (sqlite3_prepare_v2 (db, "PRAGMA integrity_check", -1, &stmt, NULL) != SQLITE_OK)
    g_string_append_printf (result, "prepare: %s", sqlite3_errmsg (db));
  else
    {
      int rc;

      while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
        g_string_append_printf (result, "%s%s", result->len ? "; " : "", (const char *) sqlite3_column_text (stmt, 0));
      if (rc != SQLITE_DONE)
        g_string_append_printf (result, "%sstep: %s", result->len ? "; " : "", sqlite3_errmsg (db));
    }
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return g_string_free (result, FALSE);
}

/* The calendars' cursors ("" when none) */
static void
read_cursors (Loop  *loop,
              char **cursors)
{
  sqlite3 *db = NULL;

  g_assert_cmpint (sqlite3_open_v2 (loop->db_path, &db, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
  sqlite3_busy_timeout (db, 10000);
  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      sqlite3_stmt *stmt = NULL;

      g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT sync_token FROM calendars WHERE id = ?", -1, &stmt, NULL), ==,
                       SQLITE_OK);
      sqlite3_bind_int64 (stmt, 1, loop->calendar_ids[p]);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_free (cursors[p]);
      cursors[p] = g_strdup (sqlite3_column_text (stmt, 0) != NULL ? (const char *) sqlite3_column_text (stmt, 0) : "");
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
}

/* The outbox ------------------------------------------------------------------------ */

typedef struct
{
  gint64 id;
  Provider provider;
  CalsyncOutboxKind kind;
  char *key;
  char *title;
  char *when;
} Change;

static void
change_free (Change *change)
{
  g_free (change->key);
  g_free (change->title);
  g_free (change->when);
  g_free (change);
}

static const char *
change_kind (Change *change)
{
  return change->kind == CALSYNC_OUTBOX_DELETE ? "delete" : change->kind == CALSYNC_OUTBOX_CREATE ? "create" : "update";
}

/* entry id → Change */
static GHashTable *
outbox_changes (Loop *loop)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (loop->home);
  GHashTable *changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) change_free);

  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;

      entries = calsync_store_list_outbox (store, loop->calendar_ids[p], &error);
      g_assert_no_error (error);
      for (guint i = 0; i < entries->len; i++)
        {
          CalsyncOutboxEntry *entry = g_ptr_array_index (entries, i);
          Change *change = g_new0 (Change, 1);

          change->id = entry->id;
          change->provider = p;
          change->kind = entry->kind;
          change->key = g_strdup (entry->key);
          change->title = g_strdup (entry->event != NULL ? calsync_event_get_title (entry->event) : NULL);
          change->when = entry->event != NULL ? event_when (entry->event) : NULL;
          g_hash_table_insert (changes, &change->id, change);
        }
    }
  calsync_store_close (store);
  return changes;
}

static guint
outbox_size (Loop *loop)
{
  g_autoptr(GHashTable) changes = outbox_changes (loop);

  return g_hash_table_size (changes);
}

static gboolean
outbox_has (GHashTable *changes,
            Provider    provider)
{
  GHashTableIter iter;
  Change *change;

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &change))
    if (change->provider == provider)
      return TRUE;
  return FALSE;
}

/* Each change of @before that left the outbox is on its server, or (when
 * @messages is not NULL: a sync that ended) its title is in @messages. Returns
 * how many left. */
static guint
check_left (Loop       *loop,
            GHashTable *before,
            const char *messages,
            const char *when)
{
  g_autoptr(GHashTable) after = outbox_changes (loop);
  GPtrArray *lines[N_PROVIDERS] = { NULL };
  GHashTableIter iter;
  Change *change;
  guint n_left = 0;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &change))
    {
      const char *line;
      gboolean on_server;

      if (g_hash_table_contains (after, &change->id))
        continue;

      n_left++;
      loop->changes_checked++;
      if (lines[change->provider] == NULL)
        lines[change->provider] = server_lines (loop, change->provider);

      if (change->kind == CALSYNC_OUTBOX_DELETE)
        {
          line = find_line (lines[change->provider], change->key, NULL);
          on_server = line == NULL;
        }
      else
        {
          g_autofree char *expected = NULL;

          line = find_line (lines[change->provider], NULL, change->title);
          expected = line != NULL ? g_strdup_printf ("|%s|%s", change->title, change->when) : NULL;
          on_server = line != NULL && g_str_has_suffix (line, expected);
        }

      if (on_server)
        {
          loop->on_server++;
          continue;
        }
      if (messages != NULL && change->title != NULL && *change->title != '\0' && strstr (messages, change->title))
        {
          loop->reported++;
          g_test_message ("lost and reported: %s %s “%s”", provider_names[change->provider], change_kind (change),
                          change->title);
          continue;
        }
      fail (loop, "%s: the %s of “%s” (%s %s, %s) left the outbox and is %s%s%s", when, change_kind (change),
            change->title, provider_names[change->provider], change->key, change->when,
            change->kind == CALSYNC_OUTBOX_DELETE ? "still on the server" : line != NULL ? "on the server as " :
            "not on the server", line != NULL ? line : "",
            messages != NULL ? ", and the report does not name it" : " (a killed sync names nothing)");
    }
  for (guint p = 0; p < N_PROVIDERS; p++)
    g_clear_pointer (&lines[p], g_ptr_array_unref);
  return n_left;
}

/* Local edits ------------------------------------------------------------------------- */

static GPtrArray *
local_events (Loop     *loop,
              Provider  provider,
              gboolean  instances)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (loop->home);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = calsync_store_list_calendar_events (store, loop->calendar_ids[provider],
                                                                 window_start, window_end, &error);
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

static CalsyncEvent *
pick_event (Loop     *loop,
            Provider  provider,
            gboolean  instance)
{
  g_autoptr(GPtrArray) events = local_events (loop, provider, instance);

  if (events->len == 0)
    return NULL;
  return g_object_ref (g_ptr_array_index (events, g_rand_int_range (loop->rand, 0, events->len)));
}

static char *
new_title (Loop       *loop,
           const char *what,
           Provider    provider)
{
  return g_strdup_printf ("K%04u %s %s", ++loop->serial, what, provider_names[provider]);
}

static char *
vevent_text (const char *uid,
             const char *title,
             gboolean    all_day,
             gint64      start,
             gint64      end,
             const char *start_date,
             const char *end_date)
{
  g_autofree char *dtstamp = utc_stamp (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *times = NULL;

  if (all_day)
    {
      g_autofree char *s = g_strdup (start_date);
      g_autofree char *e = g_strdup (end_date);

      g_strdelimit (s, "-", ' ');
      g_strdelimit (e, "-", ' ');
      times = g_strdup_printf ("DTSTART;VALUE=DATE:%.4s%.2s%.2s\r\nDTEND;VALUE=DATE:%.4s%.2s%.2s\r\n", s, s + 5,
                               s + 8, e, e + 5, e + 8);
    }
  else
    {
      g_autofree char *s = utc_stamp (start);
      g_autofree char *e = utc_stamp (end);

      times = g_strdup_printf ("DTSTART:%s\r\nDTEND:%s\r\n", s, e);
    }
  return g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync kill loop//EN\r\n"
                          "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\n%sSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                          uid, dtstamp, times, title);
}

static gboolean
import_text (Loop       *loop,
             Provider    provider,
             const char *text)
{
  g_autofree char *path = g_build_filename (loop->dir, "edit.ics", NULL);
  g_autofree char *import_arg = g_strconcat ("--import=", path, NULL);
  g_autofree char *calendar_arg = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, loop->calendar_ids[provider]);
  const char *args[] = { import_arg, calendar_arg, NULL };

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return run_calsync (loop, NULL, NULL, args) == 0;
}

static gboolean
edit_create (Loop     *loop,
             Provider  provider)
{
  g_autofree char *uid = g_strdup_printf ("%08x-%04x-4kil-loop-%08x%04x", g_rand_int (loop->rand),
                                          g_rand_int (loop->rand) & 0xffff, g_rand_int (loop->rand),
                                          ++loop->serial);
  g_autofree char *title = new_title (loop, "new", provider);
  g_autofree char *text = NULL;
  int day = g_rand_int_range (loop->rand, 0, 90);

  if (g_rand_int_range (loop->rand, 0, 6) == 0)
    {
      g_autofree char *start_date = add_days ("2026-12-01", day);
      g_autofree char *end_date = add_days (start_date, g_rand_int_range (loop->rand, 1, 3));

      text = vevent_text (uid, title, TRUE, 0, 0, start_date, end_date);
    }
  else
    {
      gint64 start = calsync_test_instant ("2026-12-01T07:00:00Z") + (gint64) day * 86400 +
                     (gint64) g_rand_int_range (loop->rand, 0, 20) * 1800;

      text = vevent_text (uid, title, FALSE, start, start + (gint64) g_rand_int_range (loop->rand, 1, 5) * 900,
                          NULL, NULL);
    }
  return import_text (loop, provider, text);
}

static void
move_event (Loop         *loop,
            CalsyncEvent *event,
            const char   *title)
{
  calsync_event_set_title (event, title);
  if (calsync_event_get_all_day (event))
    {
      int days = g_rand_int_range (loop->rand, -3, 4);
      g_autofree char *start_date = add_days (calsync_event_get_start_date (event), days);
      g_autofree char *end_date = add_days (calsync_event_get_end_date (event), days);

      calsync_event_set_dates (event, start_date, end_date);
    }
  else
    {
      gint64 start = calsync_event_get_start (event) + (gint64) g_rand_int_range (loop->rand, -8, 9) * 1800;

      calsync_event_set_times (event, start, start + (gint64) g_rand_int_range (loop->rand, 1, 5) * 900,
                               calsync_event_get_time_zone (event));
    }
}

static gboolean
edit_with_store (Loop         *loop,
                 CalsyncEvent *event)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (loop->home);
  g_autoptr(GError) error = NULL;
  gboolean done = calsync_store_edit_local_event (store, event, &error);

  if (!done)
    g_test_message ("edit of “%s” refused: %s", calsync_event_get_title (event), error->message);
  calsync_store_close (store);
  return done;
}

static gboolean
edit_event (Loop     *loop,
            Provider  provider,
            gboolean  instance)
{
  g_autoptr(CalsyncEvent) picked = pick_event (loop, provider, instance);
  g_autoptr(CalsyncEvent) event = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  if (picked == NULL)
    return edit_create (loop, provider);
  event = calsync_event_copy (picked);
  title = new_title (loop, instance ? "instance" : "edit", provider);
  move_event (loop, event, title);
  /* Instances through the store (the editor's way); single events either way */
  if (instance || g_rand_boolean (loop->rand))
    return edit_with_store (loop, event);
  text = vevent_text (calsync_event_get_external_id (event), title, calsync_event_get_all_day (event),
                      calsync_event_get_start (event), calsync_event_get_end (event),
                      calsync_event_get_start_date (event), calsync_event_get_end_date (event));
  return import_text (loop, provider, text);
}

static gboolean
edit_delete (Loop     *loop,
             Provider  provider,
             gboolean  instance)
{
  g_autoptr(CalsyncEvent) event = pick_event (loop, provider, instance);
  g_autofree char *arg = NULL;

  if (event == NULL)
    return edit_create (loop, provider);
  arg = g_strdup_printf ("--delete-event=%" G_GINT64_FORMAT, calsync_event_get_id (event));
  {
    const char *args[] = { arg, NULL };

    return run_calsync (loop, NULL, NULL, args) == 0;
  }
}

static void
local_edit (Loop     *loop,
            Provider  provider)
{
  guint r = g_rand_int_range (loop->rand, 0, 100);
  gboolean done;

  done = r < 25 ? edit_create (loop, provider)
         : r < 55 ? edit_event (loop, provider, FALSE)
         : r < 70 ? edit_delete (loop, provider, FALSE)
         : r < 90 ? edit_event (loop, provider, TRUE)
         : edit_delete (loop, provider, TRUE);
  loop->edits++;
  if (!done)
    loop->edits_refused++;
}

/* Syncs that end ---------------------------------------------------------------------- */

typedef struct
{
  gboolean success;
  gint64 pushed;
  gint64 conflicts;
  gint64 changed;
  char *messages;
} Report;

static void
sync_to_end (Loop       *loop,
             Report     *report,
             const char *when)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(GHashTable) before = outbox_changes (loop);
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  GString *messages = g_string_new (NULL);
  JsonObject *object;
  JsonArray *results;
  int status;

  status = run_calsync (loop, NULL, &out, args);
  g_assert_cmpint (status, <=, 1);
  root = calsync_test_parse_json (out);
  object = json_node_get_object (root);
  report->success = json_object_get_boolean_member (object, "success");
  report->pushed = json_object_get_int_member (object, "pushed");
  report->conflicts = json_object_get_int_member (object, "conflicts");
  report->changed = json_object_get_int_member (object, "synced") + json_object_get_int_member (object, "updated") +
                    json_object_get_int_member (object, "deleted");
  results = json_object_get_array_member (object, "results");
  for (guint i = 0; i < json_array_get_length (results); i++)
    {
      JsonObject *result = json_array_get_object_element (results, i);
      JsonArray *list = json_object_has_member (result, "messages")
                          ? json_object_get_array_member (result, "messages") : NULL;

      if (json_object_has_member (result, "error") && !json_object_get_null_member (result, "error"))
        g_string_append_printf (messages, "%s: %s\n", json_object_get_string_member (result, "calendarName"),
                                json_object_get_string_member (result, "error"));
      for (guint j = 0; list != NULL && j < json_array_get_length (list); j++)
        g_string_append_printf (messages, "%s: %s\n", json_object_get_string_member (result, "calendarName"),
                                json_array_get_string_element (list, j));
    }
  report->messages = g_string_free (messages, FALSE);
  g_test_message ("sync (%s): success %d, pushed %" G_GINT64_FORMAT ", conflicts %" G_GINT64_FORMAT
                  ", changed %" G_GINT64_FORMAT "%s%s", when, report->success, report->pushed, report->conflicts,
                  report->changed, *report->messages ? "\n" : "", report->messages);
  /* Nobody else writes to these servers: a conflict could only be with a
   * change of our own that the server took before a kill (a phantom) */
  if (report->conflicts > 0)
    fail (loop, "%s: %" G_GINT64_FORMAT " conflicts reported, though only this calsync writes to the servers:\n%s",
          when, report->conflicts, report->messages);
  if (!report->success)
    fail (loop, "%s: the sync failed:\n%s", when, report->messages);
  check_left (loop, before, report->messages, when);
}

/* Killed syncs ------------------------------------------------------------------------ */

/* SoupServer::request-finished of either fake: the listing's last page has
 * been sent whole; when aimed at, the kill is now */
static void
on_request_finished (SoupServer        *server,
                     SoupServerMessage *message,
                     gpointer           user_data)
{
  Loop *loop = user_data;
  Provider provider = server == calsync_fake_google_peek_server (loop->google) ? P_GOOGLE : P_OUTLOOK;
  const char *marker = provider == P_GOOGLE ? "\"nextSyncToken\"" : "\"@odata.deltaLink\"";
  SoupMessageBody *body = soup_server_message_get_response_body (message);
  g_autoptr(GBytes) bytes = NULL;
  gsize size = 0;
  const char *data;

  if (soup_server_message_get_status (message) != 200 ||
      strstr (g_uri_get_path (soup_server_message_get_uri (message)), provider == P_GOOGLE ? "/events" : "/delta") ==
        NULL)
    return;
  bytes = soup_message_body_flatten (body);
  data = g_bytes_get_data (bytes, &size);
  if (data == NULL || g_strstr_len (data, size, marker) == NULL)
    return;
  loop->last_pages[provider]++;
  if (loop->child != NULL && loop->aim_last_page == (int) provider && !loop->shot)
    {
      calsync_test_child_kill (loop->child);
      loop->shot = TRUE;
    }
}

typedef struct
{
  Loop *loop;
  Provider provider;
  guint requests;
} PageWait;

static guint
listing_requests (Loop     *loop,
                  Provider  provider)
{
  return provider == P_GOOGLE ? calsync_fake_google_get_n_requests (loop->google)
                              : calsync_fake_graph_get_n_requests_of (loop->graph, "delta");
}

static gboolean
pages_asked (gpointer data)
{
  PageWait *wait = data;

  return listing_requests (wait->loop, wait->provider) >= wait->requests ||
         calsync_test_child_is_done (wait->loop->child);
}

static gboolean
stalled (gpointer data)
{
  Loop *loop = data;

  return calsync_fake_google_get_n_stalled (loop->google) > 0 || calsync_fake_graph_get_n_stalled (loop->graph) > 0 ||
         calsync_test_child_is_done (loop->child);
}

static gboolean
shot_or_done (gpointer data)
{
  Loop *loop = data;

  return loop->shot || calsync_test_child_is_done (loop->child);
}

static gboolean
child_done (gpointer data)
{
  return calsync_test_child_is_done (data);
}

/* Expired cursors: the next sync lists the whole window again */
static void
expire_cursors (Loop *loop)
{
  calsync_fake_google_expire_sync_tokens (loop->google);
  calsync_fake_graph_expire_delta_links (loop->graph);
}

static void
kill_once (Loop *loop,
           guint number)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(GHashTable) before = outbox_changes (loop);
  g_autoptr(CalsyncTestRun) run = NULL;
  g_autofree char *integrity = NULL;
  g_autofree char *when = NULL;
  char *cursors_before[N_PROVIDERS] = { NULL };
  char *cursors_after[N_PROVIDERS] = { NULL };
  guint requests_before[N_PROVIDERS] = { 0 };
  guint last_pages_before[N_PROVIDERS];
  Target target = g_rand_int_range (loop->rand, 0, N_TARGETS);
  Provider provider = g_rand_boolean (loop->rand) ? P_GOOGLE : P_OUTLOOK;
  gboolean write_held = FALSE;
  gboolean pending_before = g_hash_table_size (before) > 0;
  guint left;
  Landing landing;

  /* A push needs something to send to the server that holds its answer */
  if (target == T_PUSH && !outbox_has (before, provider))
    {
      local_edit (loop, provider);
      g_hash_table_unref (before);
      before = outbox_changes (loop);
      pending_before = TRUE;
    }
  if (target == T_PAGES || target == T_CURSOR || g_rand_int_range (loop->rand, 0, 3) == 0)
    expire_cursors (loop);

  read_cursors (loop, cursors_before);
  for (guint p = 0; p < P_CALDAV; p++)
    requests_before[p] = listing_requests (loop, p);
  memcpy (last_pages_before, loop->last_pages, sizeof last_pages_before);
  loop->aim_last_page = target == T_CURSOR ? (int) provider : -1;
  loop->shot = FALSE;
  if (target == T_PUSH)
    {
      if (provider == P_GOOGLE)
        calsync_fake_google_set_stall_writes (loop->google, TRUE);
      else
        calsync_fake_graph_set_write_fault (loop->graph, CALSYNC_FAKE_GRAPH_FAULT_STALL);
    }

  loop->targets[target]++;
  loop->child = calsync_test_child_spawn (loop->home, args, NULL);
  switch (target)
    {
    case T_PAGES:
      {
        /* The full listing is about DEFAULT_EVENTS × 1.3 / PAGE_SIZE pages */
        PageWait wait = { loop, provider, requests_before[provider] + g_rand_int_range (loop->rand, 2, 12) };

        calsync_test_wait_until (pages_asked, &wait, TIMEOUT_MS);
      }
      break;
    case T_CURSOR:
      calsync_test_wait_until (shot_or_done, loop, TIMEOUT_MS);
      break;
    case T_PUSH:
      calsync_test_wait_until (stalled, loop, TIMEOUT_MS);
      write_held = calsync_fake_google_get_n_stalled (loop->google) > 0 ||
                   calsync_fake_graph_get_n_stalled (loop->graph) > 0;
      break;
    case T_RANDOM:
    default:
      /* A sync with a full listing takes a few hundred ms here */
      calsync_test_wait_until (child_done, loop->child, g_rand_int_range (loop->rand, 0, 400));
      break;
    }
  if (!loop->shot)
    calsync_test_child_kill (loop->child);
  run = calsync_test_child_finish (loop->child, TIMEOUT_MS);
  loop->child = NULL;
  loop->aim_last_page = -1;
  g_assert_nonnull (run);
  if (target == T_PUSH)
    {
      calsync_fake_google_set_stall_writes (loop->google, FALSE);
      calsync_fake_graph_set_write_fault (loop->graph, CALSYNC_FAKE_GRAPH_FAULT_NONE);
      calsync_fake_graph_release_stalled (loop->graph);
    }
  loop->kills++;

  /* The database is whole */
  integrity = integrity_check (loop);
  if (g_strcmp0 (integrity, "ok") == 0)
    loop->integrity_ok++;
  else
    {
      loop->integrity_bad++;
      fail (loop, "kill %u (%s): PRAGMA integrity_check says %s", number, target_names[target], integrity);
    }

  /* Where it landed */
  read_cursors (loop, cursors_after);
  {
    gboolean listing = FALSE, unsaved = FALSE, all_saved = TRUE, last_sent = FALSE, pushing;
    g_autoptr(GHashTable) after = outbox_changes (loop);

    for (guint p = 0; p < P_CALDAV; p++)
      {
        gboolean saved = g_strcmp0 (cursors_before[p], cursors_after[p]) != 0;

        if (listing_requests (loop, p) > requests_before[p])
          listing = TRUE;
        if (!saved)
          {
            all_saved = FALSE;
            if (listing_requests (loop, p) > requests_before[p])
              unsaved = TRUE;
            if (loop->last_pages[p] > last_pages_before[p])
              last_sent = TRUE;
          }
      }

    pushing = write_held || (pending_before && g_hash_table_size (after) > 0 &&
                             g_hash_table_size (after) < g_hash_table_size (before));

    /* The moment aimed at, when it was reached; else the first that holds */
    if (run->signal != SIGKILL)
      landing = L_FINISHED;
    else if (target == T_CURSOR && last_sent)
      landing = L_CURSOR;
    else if (target == T_PAGES && unsaved && !last_sent)
      landing = L_PAGES;
    else if (pushing)
      landing = L_PUSH;
    else if (last_sent)
      landing = L_CURSOR;
    else if (unsaved)
      landing = L_PAGES;
    else if (!listing)
      landing = L_BEFORE;
    else if (all_saved)
      landing = L_AFTER;
    else
      landing = L_PAGES;
  }
  loop->landed[landing]++;

  when = g_strdup_printf ("kill %u (aimed at %s %s, landed: %s)", number, target_names[target],
                          provider_names[provider], landing_names[landing]);
  if (run->signal != SIGKILL)
    {
      /* It ended before the kill: its report, checked as any */
      g_autoptr(JsonNode) root = calsync_test_parse_json (run->out);
      gint64 conflicts = json_object_get_int_member (json_node_get_object (root), "conflicts");

      if (conflicts > 0)
        fail (loop, "%s: %" G_GINT64_FORMAT " conflicts reported, though only this calsync writes to the servers: %s",
              when, conflicts, run->out);
    }
  left = check_left (loop, before, run->signal == SIGKILL ? NULL : run->out, when);
  g_test_message ("%s: integrity %s, %u changes left the outbox, %u pending", when, integrity, left,
                  outbox_size (loop));
  if (run->signal != SIGKILL && run->status > 1)
    fail (loop, "%s: calsync exited %d: %s", when, run->status, run->err);

  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      g_free (cursors_before[p]);
      g_free (cursors_after[p]);
    }
}

/* Convergence ------------------------------------------------------------------------- */

static void
sync_until_quiet (Loop *loop)
{
  for (guint round = 1; round <= QUIET_ROUNDS; round++)
    {
      g_autofree char *when = g_strdup_printf ("converging, sync %u", round);
      Report report = { 0 };
      gboolean quiet;

      sync_to_end (loop, &report, when);
      quiet = report.success && report.pushed == 0 && report.conflicts == 0 && report.changed == 0 &&
              outbox_size (loop) == 0;
      g_free (report.messages);
      if (quiet)
        {
          loop->syncs_to_converge = round;
          return;
        }
    }
  fail (loop, "not quiet after %u syncs", QUIET_ROUNDS);
}

static char *
agenda_when (JsonObject *event)
{
  if (json_object_get_boolean_member_with_default (event, "allDay", FALSE))
    return when_dates (json_object_get_string_member (event, "startDate"),
                       json_object_get_string_member (event, "endDate"));
  return when_timed (calsync_test_instant (json_object_get_string_member (event, "start")),
                     calsync_test_instant (json_object_get_string_member (event, "end")));
}

static gboolean
in_lines (GPtrArray  *lines,
          const char *line)
{
  return g_ptr_array_find_with_equal_func (lines, line, g_str_equal, NULL);
}

static void
compare_with_servers (Loop *loop)
{
  const char *args[] = { "--agenda", "--from=" AGENDA_FROM, "--to=" AGENDA_TO, "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *events;

  g_assert_cmpint (run_calsync (loop, NULL, &out, args), ==, 0);
  root = calsync_test_parse_json (out);
  events = json_node_get_array (root);
  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      g_autoptr(GPtrArray) local = g_ptr_array_new_with_free_func (g_free);
      g_autoptr(GPtrArray) server = server_lines (loop, p);
      guint differences = 0;

      for (guint i = 0; i < json_array_get_length (events); i++)
        {
          JsonObject *event = json_array_get_object_element (events, i);
          g_autofree char *when = NULL;

          if (g_strcmp0 (json_object_get_string_member (event, "calendarName"), calendar_names[p]) != 0)
            continue;
          when = agenda_when (event);
          add_line (local, json_object_get_string_member (event, "externalId"),
                    json_object_get_string_member (event, "title"), when);
        }
      g_ptr_array_sort (local, compare_strings);
      for (guint i = 0; i < local->len; i++)
        if (!in_lines (server, g_ptr_array_index (local, i)) && differences++ < 20)
          fail (loop, "%s: only the local store has %s", provider_names[p], (char *) g_ptr_array_index (local, i));
      for (guint i = 0; i < server->len; i++)
        if (!in_lines (local, g_ptr_array_index (server, i)) && differences++ < 20)
          fail (loop, "%s: only the server has %s", provider_names[p], (char *) g_ptr_array_index (server, i));
      g_test_message ("%s: local %u events, server %u, %u differences", provider_names[p], local->len, server->len,
                      differences);
      if (local->len == 0)
        fail (loop, "%s: nothing stored", provider_names[p]);
    }
}

/* Seeds -------------------------------------------------------------------------------- */

static void
seed_caldav (Loop *loop)
{
  g_autofree char *folder = NULL;

  calsync_radicale_mkcalendar (loop->radicale, CALDAV_COLLECTION, calendar_names[P_CALDAV]);
  /* Many resources at once: written into the storage while Radicale is stopped */
  calsync_radicale_stop (loop->radicale);
  folder = calsync_radicale_collection_dir (loop->radicale, CALDAV_COLLECTION);
  for (guint i = 0; i < CALDAV_EVENTS; i++)
    {
      g_autofree char *uid = g_strdup_printf ("caldav-%04u", i);
      g_autofree char *title = g_strdup_printf ("CalDAV %u", i);
      g_autofree char *path = g_strdup_printf ("%s/%s.ics", folder, uid);
      gint64 start = calsync_test_instant ("2026-09-01T08:00:00Z") + (gint64) i * 3 * 86400 + (i % 7) * 3600;
      g_autofree char *text = NULL;

      if (i % 10 == 0)
        {
          g_autofree char *s = utc_stamp (start);

          text = g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"
                                  "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261101T000000Z\r\n"
                                  "LAST-MODIFIED:20261101T000000Z\r\nDTSTART:%s\r\nDURATION:PT1H\r\n"
                                  "RRULE:FREQ=WEEKLY;COUNT=6\r\nSUMMARY:%s weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                                  uid, s, title);
        }
      else
        text = vevent_text (uid, title, FALSE, start, start + 3600, NULL, NULL);
      g_assert_true (g_file_set_contents (path, text, -1, NULL));
    }
  calsync_radicale_restart (loop->radicale);
}

static void
loop_start (Loop *loop)
{
  const char *events_text = g_getenv ("CALSYNC_KILL_EVENTS");
  guint n_events = events_text != NULL ? (guint) g_ascii_strtoull (events_text, NULL, 10) : DEFAULT_EVENTS;
  gint64 now = calsync_test_instant (NOW);
  guint n_google, n_graph;

  loop->failures = g_ptr_array_new_with_free_func (g_free);
  loop->aim_last_page = -1;
  loop->dir = calsync_test_setup_env ("kill-loop");
  window_start = calsync_test_instant ("2026-08-25T12:00:00+02:00");
  window_end = calsync_test_instant ("2027-11-25T12:00:00+01:00");
  loop->home = g_build_filename (loop->dir, "a", NULL);
  g_assert_cmpint (g_mkdir_with_parents (loop->home, 0700), ==, 0);
  loop->db_path = g_build_filename (loop->home, "calsync", "calsync.db", NULL);
  loop->stderr_path = g_build_filename (loop->dir, "add-account-stderr", NULL);

  loop->google = calsync_fake_google_new ();
  calsync_fake_google_export_env (loop->google);
  calsync_fake_google_add_calendar (loop->google, ALEX, GOOGLE_CALENDAR, calendar_names[P_GOOGLE], TRUE);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (loop->google), ALEX);
  n_google = calsync_fake_google_generate_series (loop->google, GOOGLE_CALENDAR, n_events, now);
  calsync_fake_google_set_page_size (loop->google, PAGE_SIZE);
  /* Bodies as sent can be read back: the last page is the one with nextSyncToken */
  calsync_fake_google_set_gzip (loop->google, CALSYNC_FAKE_GZIP_NEVER);

  loop->graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (loop->graph);
  calsync_fake_graph_add_calendar (loop->graph, GRAPH_CALENDAR, calendar_names[P_OUTLOOK], "#3584e4", "lightBlue",
                                   TRUE, TRUE);
  n_graph = calsync_fake_graph_generate_series (loop->graph, GRAPH_CALENDAR, n_events, now);
  calsync_fake_graph_set_page_size (loop->graph, PAGE_SIZE);
  calsync_fake_graph_set_gzip (loop->graph, FALSE);

  g_signal_connect (calsync_fake_google_peek_server (loop->google), "request-finished",
                    G_CALLBACK (on_request_finished), loop);
  g_signal_connect (calsync_fake_graph_peek_server (loop->graph), "request-finished",
                    G_CALLBACK (on_request_finished), loop);

  loop->radicale = calsync_radicale_start (loop->dir, RADICALE_LIFETIME_S);
  seed_caldav (loop);
  g_test_message ("servers: Google %u instances, Graph %u, CalDAV %u resources; pages of %u", n_google, n_graph,
                  CALDAV_EVENTS, PAGE_SIZE);

  sign_in (loop);
  {
    Report first = { 0 };

    sync_to_end (loop, &first, "first sync");
    g_assert_true (first.success);
    g_free (first.messages);
  }
}

static void
print_summary (Loop *loop)
{
  GString *text = g_string_new (NULL);

  g_string_append_printf (text, "kill loop, seed %u\n", loop->seed);
  g_string_append_printf (text, "kills: %u (aimed at: pages %u, cursor save %u, push %u, random moment %u)\n",
                          loop->kills, loop->targets[T_PAGES], loop->targets[T_CURSOR], loop->targets[T_PUSH],
                          loop->targets[T_RANDOM]);
  g_string_append (text, "landed:");
  for (guint l = 0; l < N_LANDINGS; l++)
    g_string_append_printf (text, "%s %s %u", l ? "," : "", landing_names[l], loop->landed[l]);
  g_string_append_printf (text, "\nintegrity_check after each kill: ok %u, not ok %u\n", loop->integrity_ok,
                          loop->integrity_bad);
  g_string_append_printf (text, "syncs to converge after the last kill: %u\n", loop->syncs_to_converge);
  g_string_append_printf (text, "local edits: %u (refused: %u); changes that left the outbox: %u, on the server %u, "
                          "reported as lost %u, neither %u\n", loop->edits, loop->edits_refused,
                          loop->changes_checked, loop->on_server, loop->reported,
                          loop->changes_checked - loop->on_server - loop->reported);
  g_string_append_printf (text, "failures: %u\n", loop->failures->len);
  for (guint i = 0; i < loop->failures->len; i++)
    g_string_append_printf (text, "  %s\n", (char *) g_ptr_array_index (loop->failures, i));
  /* On stdout (g_test_message goes to the TAP log only with --verbose) */
  g_print ("%s", text->str);
  g_string_free (text, TRUE);
}

static void
loop_finish (Loop *loop)
{
  if (loop->failures->len > 0)
    calsync_radicale_dump_log (loop->radicale);
  g_signal_handlers_disconnect_by_data (calsync_fake_google_peek_server (loop->google), loop);
  g_signal_handlers_disconnect_by_data (calsync_fake_graph_peek_server (loop->graph), loop);
  g_clear_pointer (&loop->radicale, calsync_radicale_free);
  g_clear_object (&loop->google);
  g_clear_object (&loop->graph);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (loop->dir);
  g_free (loop->dir);
  g_free (loop->home);
  g_free (loop->db_path);
  g_free (loop->stderr_path);
  g_ptr_array_unref (loop->failures);
  g_rand_free (loop->rand);
}

static void
test_kill_loop (void)
{
  Loop loop = { 0 };
  const char *seed_text = g_getenv ("CALSYNC_KILL_SEED");
  const char *kills_text = g_getenv ("CALSYNC_KILLS");
  guint kills = kills_text != NULL ? (guint) g_ascii_strtoull (kills_text, NULL, 10) : DEFAULT_KILLS;
  guint failures;

  loop.seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : DEFAULT_SEED;
  loop.rand = g_rand_new_with_seed (loop.seed);
  g_test_message ("seed %u (CALSYNC_KILL_SEED), %u kills (CALSYNC_KILLS)", loop.seed, kills);
  loop_start (&loop);

  for (guint k = 1; k <= kills; k++)
    {
      guint n_edits = g_rand_int_range (loop.rand, 1, 4);

      /* Edits waiting in all three calendars now and then, in one or two otherwise */
      for (guint i = 0; i < n_edits; i++)
        local_edit (&loop, g_rand_int_range (loop.rand, 0, N_PROVIDERS));
      kill_once (&loop, k);
    }

  sync_until_quiet (&loop);
  compare_with_servers (&loop);
  print_summary (&loop);
  failures = loop.failures->len;
  loop_finish (&loop);
  g_assert_cmpuint (failures, ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");
  calsync_test_require_keyring ();

  g_test_add_func ("/kill-loop/sigkill", test_kill_loop);

  return g_test_run ();
}
