/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-two-way-random.c: the random two-way acceptance test. Client A (a real
 * `calsync`, its own XDG_DATA_HOME) makes random local edits — create, edit of
 * title and time, delete, instance edit, instance delete — across a Google
 * calendar (the fake), an Outlook one (the fake Graph) and a CalDAV one (a real
 * Radicale), through the command line (`--import --calendar`, `--delete-event`)
 * and the store API the editor uses. Meanwhile the servers change under it
 * (client B: the fakes' own APIs, Radicale by plain HTTP or B's own calsync)
 * and fail now and then (Google 500, Graph throttling, Radicale stopped).
 *
 * After every sync, each change that left a client's outbox is on the server,
 * or its (unique) title is named in that sync's report. Then A syncs until
 * quiet, and a third client C signs in afresh: A, B and C list the same events,
 * and each server holds exactly what A lists.
 *
 * CALSYNC_RANDOM_SEED overrides the seed (printed with g_test_message);
 * CALSYNC_RANDOM_STEPS the number of A's edits (100); CALSYNC_RANDOM_PROVIDERS
 * which calendars take part ("google,outlook,caldav").
 *
 * test-fault-syncs.c includes this file with TWO_WAY_RANDOM_HELPERS_ONLY
 * defined: its helpers without its tests. */
#include "config.h"

#include <sqlite3.h>
#include <string.h>
#include <unistd.h>

#include "calsync-fake-graph.h"
#include "calsync-fake-peek.h"
#include "calsync-ical.h"
#include "calsync-radicale.h"
#include "calsync-test-utils.h"

#define RADICALE_LIFETIME_S 390
#define DEFAULT_SEED 20261125
#define DEFAULT_STEPS 100
#define QUIET_ROUNDS 8

#define ALEX "alex@example.com"
#define GOOGLE_CALENDAR ALEX
#define GRAPH_CALENDAR "AAMkAGRandomCalendar"
#define CALDAV_COLLECTION "work"

/* The sync window of CALSYNC_NOW (2026-11-25): 3 months back, 12 ahead */
#define AGENDA_FROM "2026-08-25"
#define AGENDA_TO "2027-11-25"

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
  K_CREATE,
  K_EDIT,
  K_DELETE,
  K_INSTANCE_EDIT,
  K_INSTANCE_DELETE,
  N_KINDS
} Kind;

static const char * const kind_names[N_KINDS] = { "create", "edit", "delete", "instance-edit", "instance-delete" };

typedef struct
{
  const char *name;
  char *dir;                      /* XDG_DATA_HOME */
  gint64 calendar_ids[N_PROVIDERS];
  const char *const *env;         /* NAME, VALUE, … NULL: set for the client's processes (or NULL) */
  const char *caldav_url;         /* the server its CalDAV account is added with (NULL: Radicale's) */
} Client;

typedef struct
{
  GRand *rand;
  guint32 seed;
  char *dir;
  char *stderr_path;
  CalsyncFakeGoogle *google;
  CalsyncFakeGraph *graph;
  CalsyncRadicale *radicale;
  gboolean enabled[N_PROVIDERS];
  Client a, b, c;
  guint serial;                   /* unique titles and ids */

  /* Counts */
  guint edits[N_KINDS][N_PROVIDERS];
  guint edits_failed;             /* a CLI edit refused (should not happen) */
  guint server_edits[N_PROVIDERS];
  guint server_edits_by_client;   /* B's CalDAV edits made through B's calsync */
  guint faults[N_PROVIDERS];
  guint syncs;
  guint pushed;
  guint conflicts;
  guint changes_checked;
  guint lost_reported;
  GPtrArray *failures;            /* what went wrong, one line each */
} Run;

static gint64 window_start;
static gint64 window_end;

/* Text helpers --------------------------------------------------------------------- */

static char *
utc_stamp (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
}

static char *
iso_utc (gint64 unix_time)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_time);

  return g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
}

/* "2026-12-03" + @days */
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
compact_date (const char *date)
{
  g_autofree char *copy = g_strdup (date);
  g_auto(GStrv) parts = g_strsplit (copy, "-", -1);

  return g_strjoinv ("", parts);
}

/* "when" of a snapshot line: instants, or dates for all-day events */
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

static void
fail (Run        *run,
      const char *format,
      ...) G_GNUC_PRINTF (2, 3);

static void
fail (Run        *run,
      const char *format,
      ...)
{
  va_list args;
  char *line;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);
  g_test_message ("FAILURE: %s", line);
  g_ptr_array_add (run->failures, line);
}

/* Running calsync -------------------------------------------------------------------- */

static void
client_setenv (Client              *client,
               GSubprocessLauncher *launcher)
{
  for (guint i = 0; client->env != NULL && client->env[i] != NULL; i += 2)
    g_subprocess_launcher_setenv (launcher, client->env[i], client->env[i + 1], TRUE);
}

static int
run_client (Client             *client,
            const char         *input,
            char              **out,
            char              **err,
            const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                               G_SUBPROCESS_FLAGS_STDERR_PIPE, client->dir);
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *own_out = NULL;
  g_autofree char *own_err = NULL;
  int status;

  if (out == NULL)
    out = &own_out;
  if (err == NULL)
    err = &own_err;

  client_setenv (client, launcher);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  /* The fakes answer from this main context: spin it while calsync runs */
  g_subprocess_communicate_utf8_async (process, input, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, calsync_test_spin (&result), out, err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  status = g_subprocess_get_exit_status (process);
  if (status != 0 || (*err != NULL && **err != '\0' && strstr (*err, "WARNING") != NULL))
    g_test_message ("%s: calsync %s → %d\nstderr: %s", client->name, args[0], status, *err);
  return status;
}

/* Placeholder accounts so that A's, B's and C's account ids differ: secrets
 * are keyed by account id in the one keyring of this test */
static void
reserve_account_ids (Client *client,
                     guint   index)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (client->dir);
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
add_oauth_account (Run        *run,
                   Client     *client,
                   const char *provider)
{
  g_autoptr(GSubprocessLauncher) launcher = calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE, client->dir);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  int status;

  client_setenv (client, launcher);
  status = calsync_test_cli_add_account (launcher, provider, run->stderr_path, &url, &rest, &err);

  if (status != 0)
    g_test_message ("%s: --add-account=%s: %s", client->name, provider, err);
  g_assert_cmpint (status, ==, 0);
}

static void
add_caldav_account (Run    *run,
                    Client *client)
{
  g_autofree char *server = g_strdup_printf ("--server=%s", client->caldav_url != NULL ? client->caldav_url
                                                                                     : calsync_radicale_get_url (run->radicale));
  const char *args[] = { "--add-account=caldav", server, "--username=" CALSYNC_RADICALE_USER, NULL };

  g_assert_cmpint (run_client (client, CALSYNC_RADICALE_PASSWORD "\n", NULL, NULL, args), ==, 0);
}

/* The calendars' ids of the client, from --list-accounts --json */
static void
find_calendars (Run    *run,
                Client *client)
{
  const char *args[] = { "--list-accounts", "--json", NULL };
  g_autofree char *out = NULL;
  g_autoptr(JsonNode) root = NULL;
  JsonArray *accounts;

  g_assert_cmpint (run_client (client, NULL, &out, NULL, args), ==, 0);
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
              client->calendar_ids[p] = g_ascii_strtoll (json_object_get_string_member (calendar, "id"), NULL, 10);
          }
    }

  for (guint p = 0; p < N_PROVIDERS; p++)
    if (run->enabled[p] && client->calendar_ids[p] == 0)
      g_error ("%s has no %s calendar “%s”:\n%s", client->name, provider_names[p], calendar_names[p], out);
}

static void
sign_in (Run    *run,
         Client *client,
         guint   index)
{
  client->dir = g_build_filename (run->dir, client->name, NULL);
  g_assert_cmpint (g_mkdir_with_parents (client->dir, 0700), ==, 0);
  reserve_account_ids (client, index);
  if (run->enabled[P_GOOGLE])
    add_oauth_account (run, client, "google");
  if (run->enabled[P_OUTLOOK])
    add_oauth_account (run, client, "outlook");
  if (run->enabled[P_CALDAV])
    add_caldav_account (run, client);
  find_calendars (run, client);
}

/* Sync reports ------------------------------------------------------------------------- */

typedef struct
{
  JsonNode *root;
  GString *messages;   /* every result's error and messages, one per line */
  gint64 pushed;
  gint64 conflicts;
  gint64 changed;      /* synced + updated + deleted */
  gboolean success;
} Report;

static void
report_clear (Report *report)
{
  g_clear_pointer (&report->root, json_node_unref);
  if (report->messages != NULL)
    g_string_free (report->messages, TRUE);
  report->messages = NULL;
}

/* The report of a `--sync --json` that exited with @status and printed @out */
static void
report_read (Run        *run,
             Client     *client,
             int         status,
             const char *out,
             Report     *report)
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
    {
      JsonObject *result = json_array_get_object_element (results, i);
      JsonArray *messages = json_object_has_member (result, "messages")
                              ? json_object_get_array_member (result, "messages") : NULL;

      if (json_object_has_member (result, "error") && !json_object_get_null_member (result, "error"))
        g_string_append_printf (report->messages, "%s: %s\n", json_object_get_string_member (result, "calendarName"),
                                json_object_get_string_member (result, "error"));
      for (guint j = 0; messages != NULL && j < json_array_get_length (messages); j++)
        g_string_append_printf (report->messages, "%s: %s\n", json_object_get_string_member (result, "calendarName"),
                                json_array_get_string_element (messages, j));
    }

  run->syncs++;
  g_test_message ("%s sync #%u: success %d, pushed %" G_GINT64_FORMAT ", conflicts %" G_GINT64_FORMAT
                  ", changed %" G_GINT64_FORMAT "%s%s", client->name, run->syncs, report->success, report->pushed,
                  report->conflicts, report->changed, report->messages->len ? "\n" : "", report->messages->str);
}

static void
sync_client (Run    *run,
             Client *client,
             Report *report)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status;

  status = run_client (client, NULL, &out, &err, args);
  g_assert_cmpint (status, <=, 1);
  report_read (run, client, status, out, report);
}

/* The servers' events ------------------------------------------------------------------- */

/* One event on a server or in a client: its id, title and times */
typedef struct
{
  char *key;
  char *title;
  char *when;
} Snap;

static void
snap_free (Snap *snap)
{
  g_free (snap->key);
  g_free (snap->title);
  g_free (snap->when);
  g_free (snap);
}

static Snap *
snap_new (const char *key,
          const char *title,
          char       *when)
{
  Snap *snap = g_new0 (Snap, 1);

  snap->key = g_strdup (key);
  snap->title = g_strdup (title != NULL ? title : "");
  snap->when = when;
  return snap;
}

static gint64
json_instant (JsonObject *when,
              GTimeZone  *default_zone)
{
  const char *text = json_object_get_string_member (when, "dateTime");
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (text, default_zone);

  g_assert_nonnull (dt);
  return g_date_time_to_unix (dt);
}

static GPtrArray *
google_snapshot (Run *run)
{
  g_autoptr(GPtrArray) events = calsync_fake_google_peek_events (run->google, GOOGLE_CALENDAR);
  GPtrArray *snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) snap_free);

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      JsonObject *start = json_object_get_object_member (event, "start");
      JsonObject *end = json_object_get_object_member (event, "end");
      char *when;

      if (json_object_has_member (start, "date"))
        when = when_dates (json_object_get_string_member (start, "date"), json_object_get_string_member (end, "date"));
      else
        when = when_timed (json_instant (start, NULL), json_instant (end, NULL));
      g_ptr_array_add (snaps, snap_new (json_object_get_string_member (event, "id"),
                                        json_object_get_string_member_with_default (event, "summary", ""), when));
    }
  return snaps;
}

static GPtrArray *
graph_snapshot (Run *run)
{
  g_autoptr(GPtrArray) events = calsync_fake_graph_peek_events (run->graph, GRAPH_CALENDAR);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  GPtrArray *snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) snap_free);

  for (guint i = 0; i < events->len; i++)
    {
      JsonObject *event = g_ptr_array_index (events, i);
      JsonObject *start = json_object_get_object_member (event, "start");
      JsonObject *end = json_object_get_object_member (event, "end");
      char *when;

      if (json_object_get_boolean_member_with_default (event, "isAllDay", FALSE))
        {
          g_autofree char *start_date = g_strndup (json_object_get_string_member (start, "dateTime"), 10);
          g_autofree char *end_date = g_strndup (json_object_get_string_member (end, "dateTime"), 10);

          when = when_dates (start_date, end_date);
        }
      else
        when = when_timed (json_instant (start, utc), json_instant (end, utc));
      g_ptr_array_add (snaps, snap_new (json_object_get_string_member (event, "id"),
                                        json_object_get_string_member_with_default (event, "subject", ""), when));
    }
  return snaps;
}

/* Radicale: hrefs and etags of the collection (a Depth 1 PROPFIND) ---------------- */

typedef struct
{
  GString *text;
  char *href;
  char *etag;
  GHashTable *etags;   /* href → etag */
} PropfindParse;

static const char *
local_name (const char *element)
{
  const char *colon = strrchr (element, ':');

  return colon != NULL ? colon + 1 : element;
}

static void
propfind_start (GMarkupParseContext *context,
                const char          *element,
                const char         **names,
                const char         **values,
                gpointer             user_data,
                GError             **error)
{
  PropfindParse *parse = user_data;

  g_string_truncate (parse->text, 0);
  if (g_str_equal (local_name (element), "response"))
    {
      g_clear_pointer (&parse->href, g_free);
      g_clear_pointer (&parse->etag, g_free);
    }
}

static void
propfind_end (GMarkupParseContext *context,
              const char          *element,
              gpointer             user_data,
              GError             **error)
{
  PropfindParse *parse = user_data;
  const char *name = local_name (element);

  if (g_str_equal (name, "href") && parse->href == NULL)
    parse->href = g_strdup (parse->text->str);
  else if (g_str_equal (name, "getetag"))
    parse->etag = g_strdup (parse->text->str);
  else if (g_str_equal (name, "response") && parse->href != NULL && parse->etag != NULL &&
           g_str_has_suffix (parse->href, ".ics"))
    g_hash_table_insert (parse->etags, g_steal_pointer (&parse->href), g_steal_pointer (&parse->etag));
}

static void
propfind_text (GMarkupParseContext *context,
               const char          *text,
               gsize                length,
               gpointer             user_data,
               GError             **error)
{
  PropfindParse *parse = user_data;

  g_string_append_len (parse->text, text, length);
}

/* href → etag of every resource of the collection */
static GHashTable *
caldav_etags (Run *run)
{
  static const GMarkupParser parser = { propfind_start, propfind_end, propfind_text, NULL, NULL };
  static const char * const depth[] = { "Depth", "1", NULL };
  static const char body[] =
    "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
    "<D:propfind xmlns:D=\"DAV:\"><D:prop><D:getetag/></D:prop></D:propfind>";
  PropfindParse parse = { g_string_new (NULL), NULL, NULL,
                          g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free) };
  g_autoptr(GMarkupParseContext) context = g_markup_parse_context_new (&parser, 0, &parse, NULL);
  g_autofree char *answer = NULL;
  g_autoptr(GError) error = NULL;

  g_assert_cmpuint (calsync_radicale_request (run->radicale, "PROPFIND", "/" CALSYNC_RADICALE_USER "/"
                                              CALDAV_COLLECTION "/", "application/xml; charset=utf-8", body,
                                              depth, &answer, NULL), ==, 207);
  g_markup_parse_context_parse (context, answer, -1, &error);
  g_assert_no_error (error);
  g_string_free (parse.text, TRUE);
  g_free (parse.href);
  g_free (parse.etag);
  return parse.etags;
}

static char *
caldav_get (Run        *run,
            const char *href)
{
  char *text = NULL;

  g_assert_cmpuint (calsync_radicale_request (run->radicale, "GET", href, NULL, NULL, NULL, &text, NULL), ==, 200);
  return text;
}

static GPtrArray *
caldav_snapshot (Run *run)
{
  g_autoptr(GHashTable) etags = caldav_etags (run);
  GPtrArray *snaps = g_ptr_array_new_with_free_func ((GDestroyNotify) snap_free);
  GHashTableIter iter;
  const char *href;

  g_hash_table_iter_init (&iter, etags);
  while (g_hash_table_iter_next (&iter, (gpointer *) &href, NULL))
    {
      g_autofree char *text = caldav_get (run, href);
      g_autoptr(GError) error = NULL;
      g_autoptr(GPtrArray) events = calsync_ical_parse (text, -1, window_start, window_end, &error);

      g_assert_no_error (error);
      for (guint i = 0; i < events->len; i++)
        {
          CalsyncEvent *event = g_ptr_array_index (events, i);

          if (calsync_event_get_status (event) == CALSYNC_EVENT_STATUS_CANCELLED)
            continue;
          g_ptr_array_add (snaps, snap_new (calsync_event_get_external_id (event), calsync_event_get_title (event),
                                            event_when (event)));
        }
    }
  return snaps;
}

static GPtrArray *
server_snapshot (Run      *run,
                 Provider  provider)
{
  switch (provider)
    {
    case P_GOOGLE:
      return google_snapshot (run);
    case P_OUTLOOK:
      return graph_snapshot (run);
    case P_CALDAV:
    default:
      return caldav_snapshot (run);
    }
}

static Snap *
find_snap (GPtrArray  *snaps,
           const char *key,
           const char *title)
{
  for (guint i = 0; i < snaps->len; i++)
    {
      Snap *snap = g_ptr_array_index (snaps, i);

      if ((key == NULL || g_strcmp0 (snap->key, key) == 0) && (title == NULL || g_strcmp0 (snap->title, title) == 0))
        return snap;
    }
  return NULL;
}

/* Outboxes and what left them ---------------------------------------------------------- */

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

/* entry id → Change, for every calendar of @client that takes part */
static GHashTable *
outbox_changes (Run    *run,
                Client *client)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (client->dir);
  GHashTable *changes = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) change_free);

  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      g_autoptr(GPtrArray) entries = NULL;
      g_autoptr(GError) error = NULL;

      if (!run->enabled[p])
        continue;
      entries = calsync_store_list_outbox (store, client->calendar_ids[p], &error);
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
outbox_size (Run    *run,
             Client *client)
{
  g_autoptr(GHashTable) changes = outbox_changes (run, client);

  return g_hash_table_size (changes);
}

/* Each change that left @client's outbox in the sync of @report is on its
 * server, or its title is named in the report */
static void
check_left (Run        *run,
            Client     *client,
            GHashTable *before,
            Report     *report)
{
  g_autoptr(GHashTable) after = outbox_changes (run, client);
  GPtrArray *snapshots[N_PROVIDERS] = { NULL };
  GHashTableIter iter;
  Change *change;
  guint n_left = 0;

  g_hash_table_iter_init (&iter, before);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &change))
    {
      gboolean on_server;
      const char *why = NULL;
      Snap *snap;

      if (g_hash_table_contains (after, &change->id))
        continue;

      n_left++;
      run->changes_checked++;
      if (snapshots[change->provider] == NULL)
        snapshots[change->provider] = server_snapshot (run, change->provider);

      if (change->kind == CALSYNC_OUTBOX_DELETE)
        {
          snap = find_snap (snapshots[change->provider], change->key, NULL);
          on_server = snap == NULL;
          why = "still on the server";
        }
      else
        {
          snap = find_snap (snapshots[change->provider], NULL, change->title);
          on_server = snap != NULL && g_strcmp0 (snap->when, change->when) == 0;
          why = snap == NULL ? "not on the server" : "on the server at another time";
        }

      if (on_server)
        continue;

      if (change->title != NULL && *change->title != '\0' && strstr (report->messages->str, change->title) != NULL)
        {
          run->lost_reported++;
          g_test_message ("%s: lost and reported: %s %s “%s”", client->name, provider_names[change->provider],
                          change->kind == CALSYNC_OUTBOX_DELETE ? "delete" :
                          change->kind == CALSYNC_OUTBOX_CREATE ? "create" : "update", change->title);
          continue;
        }

      fail (run, "%s sync #%u: the %s of “%s” (%s %s, %s) left the outbox, is %s (%s%s%s), and the report does not "
            "name it", client->name, run->syncs,
            change->kind == CALSYNC_OUTBOX_DELETE ? "delete" : change->kind == CALSYNC_OUTBOX_CREATE ? "create" : "update",
            change->title, provider_names[change->provider], change->key, change->when, why,
            snap != NULL ? snap->key : "", snap != NULL ? " " : "", snap != NULL ? snap->when : "");
    }

  for (guint p = 0; p < N_PROVIDERS; p++)
    g_clear_pointer (&snapshots[p], g_ptr_array_unref);

  if (report->success && g_hash_table_size (after) > 0)
    fail (run, "%s sync #%u succeeded but %u changes are still waiting", client->name, run->syncs,
          g_hash_table_size (after));
  if ((gint64) n_left < report->pushed)
    fail (run, "%s sync #%u: %" G_GINT64_FORMAT " pushed but only %u changes left the outbox", client->name,
          run->syncs, report->pushed, n_left);
}

/* A sync of @client, checked */
static void
checked_sync (Run    *run,
              Client *client,
              Report *report)
{
  g_autoptr(GHashTable) before = outbox_changes (run, client);

  sync_client (run, client, report);
  run->pushed += report->pushed;
  run->conflicts += report->conflicts;
  check_left (run, client, before, report);

  /* Each conflict names its loser */
  {
    guint named = 0;

    for (const char *p = report->messages->str; (p = strstr (p, " was replaced by ")) != NULL; p++)
      named++;
    if (named != report->conflicts)
      fail (run, "%s sync #%u: %" G_GINT64_FORMAT " conflicts, %u named", client->name, run->syncs,
            report->conflicts, named);
  }
}

/* Events of a client ------------------------------------------------------------------ */

static GPtrArray *
client_events (Client   *client,
               Provider  provider,
               gboolean  instances)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (client->dir);
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) all = calsync_store_list_calendar_events (store, client->calendar_ids[provider],
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
pick_event (Run      *run,
            Client   *client,
            Provider  provider,
            gboolean  instance)
{
  g_autoptr(GPtrArray) events = client_events (client, provider, instance);

  if (events->len == 0)
    return NULL;
  return g_object_ref (g_ptr_array_index (events, g_rand_int_range (run->rand, 0, events->len)));
}

/* A's edits ---------------------------------------------------------------------------- */

static char *
new_title (Run        *run,
           const char *who,
           const char *what,
           Provider    provider)
{
  return g_strdup_printf ("%s%03u %s %s", who, ++run->serial, what, provider_names[provider]);
}

/* A UID as calendar apps make them (lowercase hex and dashes), from the seed */
static char *
new_uid (Run *run)
{
  return g_strdup_printf ("%08x-%04x-4%03x-a%03x-%08x%04x", g_rand_int (run->rand), g_rand_int (run->rand) & 0xffff,
                          g_rand_int (run->rand) & 0xfff, g_rand_int (run->rand) & 0xfff, g_rand_int (run->rand),
                          g_rand_int (run->rand) & 0xffff);
}

/* One VEVENT in a VCALENDAR: timed (UTC) or all-day */
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
      g_autofree char *s = compact_date (start_date);
      g_autofree char *e = compact_date (end_date);

      times = g_strdup_printf ("DTSTART;VALUE=DATE:%s\r\nDTEND;VALUE=DATE:%s\r\n", s, e);
    }
  else
    {
      g_autofree char *s = utc_stamp (start);
      g_autofree char *e = utc_stamp (end);

      times = g_strdup_printf ("DTSTART:%s\r\nDTEND:%s\r\n", s, e);
    }

  return g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync random test//EN\r\n"
                          "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:%s\r\n%sSUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                          uid, dtstamp, times, title);
}

static int
import_text (Run        *run,
             Client     *client,
             Provider    provider,
             const char *text)
{
  g_autofree char *path = g_build_filename (run->dir, "edit.ics", NULL);
  g_autofree char *import_arg = g_strconcat ("--import=", path, NULL);
  g_autofree char *calendar_arg = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, client->calendar_ids[provider]);
  const char *args[] = { import_arg, calendar_arg, NULL };

  g_assert_true (g_file_set_contents (path, text, -1, NULL));
  return run_client (client, NULL, NULL, NULL, args);
}

static int
delete_with_cli (Client       *client,
                 CalsyncEvent *event)
{
  g_autofree char *arg = g_strdup_printf ("--delete-event=%" G_GINT64_FORMAT, calsync_event_get_id (event));
  const char *args[] = { arg, NULL };

  return run_client (client, NULL, NULL, NULL, args);
}

/* A random time between 1 December 2026 and the end of February 2027 */
static void
random_times (Run     *run,
              gboolean all_day,
              gint64  *start,
              gint64  *end,
              char   **start_date,
              char   **end_date)
{
  int day = g_rand_int_range (run->rand, 0, 90);

  if (all_day)
    {
      *start_date = add_days ("2026-12-01", day);
      *end_date = add_days (*start_date, g_rand_int_range (run->rand, 1, 3));
      return;
    }

  *start = calsync_test_instant ("2026-12-01T07:00:00Z") + (gint64) day * 86400 +
           (gint64) g_rand_int_range (run->rand, 0, 20) * 1800;
  *end = *start + (gint64) g_rand_int_range (run->rand, 1, 5) * 900;
}

static gboolean
edit_create (Run      *run,
             Client   *client,
             Provider  provider,
             const char *who)
{
  g_autofree char *uid = new_uid (run);
  g_autofree char *title = new_title (run, who, "new", provider);
  g_autofree char *start_date = NULL;
  g_autofree char *end_date = NULL;
  g_autofree char *text = NULL;
  gboolean all_day = g_rand_int_range (run->rand, 0, 6) == 0;
  gint64 start = 0, end = 0;

  random_times (run, all_day, &start, &end, &start_date, &end_date);
  text = vevent_text (uid, title, all_day, start, end, start_date, end_date);
  return import_text (run, client, provider, text) == 0;
}

/* Moves @event by a random amount (days for all-day events) and renames it */
static void
move_event (Run          *run,
            CalsyncEvent *event,
            const char   *title)
{
  calsync_event_set_title (event, title);
  if (calsync_event_get_all_day (event))
    {
      int days = g_rand_int_range (run->rand, -3, 4);
      g_autofree char *start_date = add_days (calsync_event_get_start_date (event), days);
      g_autofree char *end_date = add_days (calsync_event_get_end_date (event), days);

      calsync_event_set_dates (event, start_date, end_date);
    }
  else
    {
      gint64 shift = (gint64) g_rand_int_range (run->rand, -8, 9) * 1800;
      gint64 length = (gint64) g_rand_int_range (run->rand, 1, 5) * 900;
      gint64 start = calsync_event_get_start (event) + shift;

      calsync_event_set_times (event, start, start + length, calsync_event_get_time_zone (event));
    }
}

static gboolean
edit_with_store (Client       *client,
                 CalsyncEvent *event)
{
  g_autoptr(CalsyncStore) store = calsync_test_open_store (client->dir);
  g_autoptr(GError) error = NULL;
  gboolean done = calsync_store_edit_local_event (store, event, &error);

  if (!done)
    g_test_message ("%s: edit of “%s” refused: %s", client->name, calsync_event_get_title (event), error->message);
  calsync_store_close (store);
  return done;
}

/* Title and time; through the store (the editor's way) or by importing the
 * event again with its UID */
static gboolean
edit_single (Run      *run,
             Client   *client,
             Provider  provider,
             const char *who)
{
  g_autoptr(CalsyncEvent) picked = pick_event (run, client, provider, FALSE);
  g_autoptr(CalsyncEvent) event = NULL;
  g_autofree char *title = NULL;
  g_autofree char *text = NULL;

  if (picked == NULL)
    return edit_create (run, client, provider, who);

  event = calsync_event_copy (picked);
  title = new_title (run, who, "edit", provider);
  move_event (run, event, title);
  if (g_rand_boolean (run->rand))
    return edit_with_store (client, event);

  text = vevent_text (calsync_event_get_external_id (event), title, calsync_event_get_all_day (event),
                      calsync_event_get_start (event), calsync_event_get_end (event),
                      calsync_event_get_start_date (event), calsync_event_get_end_date (event));
  return import_text (run, client, provider, text) == 0;
}

static gboolean
edit_delete (Run      *run,
             Client   *client,
             Provider  provider,
             gboolean  instance,
             const char *who)
{
  g_autoptr(CalsyncEvent) event = pick_event (run, client, provider, instance);

  if (event == NULL)
    return edit_create (run, client, provider, who);
  return delete_with_cli (client, event) == 0;
}

static gboolean
edit_instance (Run      *run,
               Client   *client,
               Provider  provider,
               const char *who)
{
  g_autoptr(CalsyncEvent) picked = pick_event (run, client, provider, TRUE);
  g_autoptr(CalsyncEvent) event = NULL;
  g_autofree char *title = NULL;

  if (picked == NULL)
    return edit_create (run, client, provider, who);

  event = calsync_event_copy (picked);
  title = new_title (run, who, "instance", provider);
  move_event (run, event, title);
  return edit_with_store (client, event);
}

static Provider
random_provider (Run *run)
{
  for (;;)
    {
      Provider p = g_rand_int_range (run->rand, 0, N_PROVIDERS);

      if (run->enabled[p])
        return p;
    }
}

static Kind
random_kind (Run *run)
{
  guint r = g_rand_int_range (run->rand, 0, 100);

  return r < 25 ? K_CREATE : r < 55 ? K_EDIT : r < 70 ? K_DELETE : r < 90 ? K_INSTANCE_EDIT : K_INSTANCE_DELETE;
}

static gboolean
client_edit (Run      *run,
             Client   *client,
             Provider  provider,
             Kind      kind)
{
  switch (kind)
    {
    case K_CREATE:
      return edit_create (run, client, provider, client->name);
    case K_EDIT:
      return edit_single (run, client, provider, client->name);
    case K_DELETE:
      return edit_delete (run, client, provider, FALSE, client->name);
    case K_INSTANCE_EDIT:
      return edit_instance (run, client, provider, client->name);
    case K_INSTANCE_DELETE:
    default:
      return edit_delete (run, client, provider, TRUE, client->name);
    }
}

/* Server-side edits (B) ------------------------------------------------------------------ */

static JsonObject *
pick_object (Run       *run,
             GPtrArray *objects,
             const char *series_member,
             gboolean   instance)
{
  g_autoptr(GPtrArray) found = g_ptr_array_new ();

  for (guint i = 0; i < objects->len; i++)
    {
      JsonObject *object = g_ptr_array_index (objects, i);
      const char *series = json_object_get_string_member_with_default (object, series_member, NULL);

      if ((series != NULL) == instance)
        g_ptr_array_add (found, object);
    }
  if (found->len == 0)
    return NULL;
  return g_ptr_array_index (found, g_rand_int_range (run->rand, 0, found->len));
}

/* Shifts a {dateTime, timeZone} by @shift seconds, written as UTC */
static void
shift_when (JsonObject *when,
            gint64      shift,
            GTimeZone  *default_zone,
            gboolean    graph)
{
  gint64 instant = json_instant (when, default_zone) + shift;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (instant);
  g_autofree char *text = g_date_time_format (dt, graph ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%dT%H:%M:%SZ");

  json_object_set_string_member (when, "dateTime", text);
  json_object_set_string_member (when, "timeZone", "UTC");
}

static char *
object_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

static void
server_edit_google (Run  *run,
                    Kind  kind)
{
  g_autoptr(GPtrArray) events = calsync_fake_google_peek_events (run->google, GOOGLE_CALENDAR);
  gboolean instance = kind == K_INSTANCE_EDIT || kind == K_INSTANCE_DELETE;
  JsonObject *object = kind == K_CREATE ? NULL : pick_object (run, events, "recurringEventId", instance);
  g_autofree char *title = new_title (run, "B", kind_names[kind], P_GOOGLE);
  g_autofree char *text = NULL;

  if (object == NULL || kind == K_CREATE)
    {
      gint64 start = 0, end = 0;
      g_autofree char *s = NULL;
      g_autofree char *e = NULL;
      g_autofree char *id = g_strdup_printf ("bnew%05u", run->serial);

      random_times (run, FALSE, &start, &end, NULL, NULL);
      s = iso_utc (start);
      e = iso_utc (end);
      text = g_strdup_printf ("{\"id\":\"%s\",\"status\":\"confirmed\",\"summary\":\"%s\","
                              "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"},"
                              "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"}}", id, title, s, e);
      calsync_fake_google_put_event (run->google, GOOGLE_CALENDAR, text);
      g_test_message ("B: google create “%s” (%s)", title, id);
      return;
    }

  if (kind == K_DELETE || kind == K_INSTANCE_DELETE)
    {
      g_test_message ("B: google delete %s “%s”", json_object_get_string_member (object, "id"),
                      json_object_get_string_member_with_default (object, "summary", ""));
      calsync_fake_google_delete_event (run->google, GOOGLE_CALENDAR, json_object_get_string_member (object, "id"));
      return;
    }

  json_object_set_string_member (object, "summary", title);
  if (json_object_has_member (json_object_get_object_member (object, "start"), "dateTime"))
    {
      gint64 shift = (gint64) g_rand_int_range (run->rand, -4, 5) * 3600;

      shift_when (json_object_get_object_member (object, "start"), shift, NULL, FALSE);
      shift_when (json_object_get_object_member (object, "end"), shift, NULL, FALSE);
    }
  json_object_remove_member (object, "etag");
  json_object_remove_member (object, "updated");
  text = object_text (object);
  g_test_message ("B: google edit %s → “%s”", json_object_get_string_member (object, "id"), title);
  calsync_fake_google_put_event (run->google, GOOGLE_CALENDAR, text);
}

static void
server_edit_graph (Run  *run,
                   Kind  kind)
{
  g_autoptr(GPtrArray) events = calsync_fake_graph_peek_events (run->graph, GRAPH_CALENDAR);
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  gboolean instance = kind == K_INSTANCE_EDIT || kind == K_INSTANCE_DELETE;
  JsonObject *object = kind == K_CREATE ? NULL : pick_object (run, events, "seriesMasterId", instance);
  g_autofree char *title = new_title (run, "B", kind_names[kind], P_OUTLOOK);

  if (object == NULL || kind == K_CREATE)
    {
      gint64 start = 0, end = 0;
      g_autofree char *s = NULL;
      g_autofree char *e = NULL;
      g_autofree char *id = g_strdup_printf ("AAMkAGBnew%05u=", run->serial);
      g_autofree char *text = NULL;

      random_times (run, FALSE, &start, &end, NULL, NULL);
      s = iso_utc (start);
      e = iso_utc (end);
      s[strlen (s) - 1] = '\0';   /* no Z: Graph's dateTime with a timeZone */
      e[strlen (e) - 1] = '\0';
      text = g_strdup_printf ("{\"id\":\"%s\",\"subject\":\"%s\",\"type\":\"singleInstance\",\"isAllDay\":false,"
                              "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"},"
                              "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"}}", id, title, s, e);
      calsync_fake_graph_put_event_json (run->graph, GRAPH_CALENDAR, text);
      g_test_message ("B: outlook create “%s” (%s)", title, id);
      return;
    }

  if (kind == K_DELETE || kind == K_INSTANCE_DELETE)
    {
      g_test_message ("B: outlook delete %s “%s”", json_object_get_string_member (object, "id"),
                      json_object_get_string_member_with_default (object, "subject", ""));
      calsync_fake_graph_delete_event (run->graph, GRAPH_CALENDAR, json_object_get_string_member (object, "id"));
      return;
    }

  json_object_set_string_member (object, "subject", title);
  if (!json_object_get_boolean_member_with_default (object, "isAllDay", FALSE))
    {
      gint64 shift = (gint64) g_rand_int_range (run->rand, -4, 5) * 3600;

      shift_when (json_object_get_object_member (object, "start"), shift, utc, TRUE);
      shift_when (json_object_get_object_member (object, "end"), shift, utc, TRUE);
    }
  if (instance)
    json_object_set_string_member (object, "type", "exception");
  /* A new version: the fake stamps a new changeKey, etag and time */
  json_object_remove_member (object, "@odata.etag");
  json_object_remove_member (object, "changeKey");
  json_object_remove_member (object, "lastModifiedDateTime");
  g_test_message ("B: outlook edit %s → “%s”", json_object_get_string_member (object, "id"), title);
  calsync_fake_graph_put_event (run->graph, GRAPH_CALENDAR, object);
}

/* The text of a resource with the first VEVENT's SUMMARY replaced and its
 * LAST-MODIFIED now (unfolded lines: CalSync's titles are short) */
static char *
retitle_resource (const char *text,
                  const char *title)
{
  g_autofree char *now = utc_stamp (g_get_real_time () / G_USEC_PER_SEC);
  g_autofree char *unfolded = NULL;
  g_auto(GStrv) lines = NULL;
  GString *out = g_string_new (NULL);
  int vevent = 0;
  gboolean stamped = FALSE;

  {
    g_auto(GStrv) folds = g_strsplit (text, "\r\n ", -1);
    unfolded = g_strjoinv ("", folds);
  }
  lines = g_strsplit (unfolded, "\r\n", -1);
  for (guint i = 0; lines[i] != NULL; i++)
    {
      const char *line = lines[i];

      if (*line == '\0')
        continue;
      if (g_str_equal (line, "BEGIN:VEVENT"))
        vevent++;
      if (vevent == 1 && g_str_has_prefix (line, "SUMMARY"))
        {
          g_string_append_printf (out, "SUMMARY:%s\r\n", title);
          continue;
        }
      if (vevent == 1 && g_str_has_prefix (line, "LAST-MODIFIED"))
        {
          g_string_append_printf (out, "LAST-MODIFIED:%s\r\n", now);
          stamped = TRUE;
          continue;
        }
      if (vevent == 1 && g_str_equal (line, "END:VEVENT"))
        {
          if (!stamped)
            g_string_append_printf (out, "LAST-MODIFIED:%s\r\n", now);
          vevent++;
        }
      g_string_append_printf (out, "%s\r\n", line);
    }
  return g_string_free (out, FALSE);
}

static void
server_edit_caldav_http (Run  *run,
                         Kind  kind)
{
  g_autoptr(GHashTable) etags = caldav_etags (run);
  g_autoptr(GPtrArray) hrefs = g_ptr_array_new ();
  g_autofree char *title = new_title (run, "B", kind_names[kind], P_CALDAV);
  const char *href;
  const char *etag;

  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, etags);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (hrefs, key);
  g_ptr_array_sort (hrefs, compare_strings);
  if (kind == K_CREATE || hrefs->len == 0)
    {
      g_autofree char *uid = g_strdup_printf ("b-created-%05u", run->serial);
      g_autofree char *resource = g_strconcat (uid, ".ics", NULL);
      g_autofree char *text = NULL;
      g_autofree char *etag_new = NULL;
      gint64 start = 0, end = 0;

      random_times (run, FALSE, &start, &end, NULL, NULL);
      text = vevent_text (uid, title, FALSE, start, end, NULL, NULL);
      etag_new = calsync_radicale_put (run->radicale, CALDAV_COLLECTION, resource, text);
      g_test_message ("B: caldav PUT new %s “%s”", resource, title);
      return;
    }

  href = g_ptr_array_index (hrefs, g_rand_int_range (run->rand, 0, hrefs->len));
  etag = g_hash_table_lookup (etags, href);
  if (kind == K_DELETE || kind == K_INSTANCE_DELETE)
    {
      const char * const headers[] = { "If-Match", etag, NULL };

      g_assert_cmpuint (calsync_radicale_request (run->radicale, "DELETE", href, NULL, NULL, headers, NULL, NULL),
                        ==, 200);
      g_test_message ("B: caldav DELETE %s", href);
    }
  else
    {
      g_autofree char *text = caldav_get (run, href);
      g_autofree char *edited = retitle_resource (text, title);
      const char * const headers[] = { "If-Match", etag, NULL };
      guint status = calsync_radicale_request (run->radicale, "PUT", href, "text/calendar; charset=utf-8", edited,
                                               headers, NULL, NULL);

      g_assert_cmpuint (status, >=, 200);
      g_assert_cmpuint (status, <, 300);
      g_test_message ("B: caldav PUT %s → “%s”", href, title);
    }
}

/* B's edits of the CalDAV calendar through its own calsync: a pull, an edit
 * as A makes them, a push (checked like A's) */
static void
server_edit_caldav_client (Run  *run,
                           Kind  kind)
{
  Report pull = { 0 };
  Report push = { 0 };

  checked_sync (run, &run->b, &pull);
  report_clear (&pull);
  if (!client_edit (run, &run->b, P_CALDAV, kind))
    run->edits_failed++;
  checked_sync (run, &run->b, &push);
  report_clear (&push);
  run->server_edits_by_client++;
}

static void
server_edit (Run *run)
{
  Provider provider = random_provider (run);
  Kind kind = random_kind (run);

  run->server_edits[provider]++;
  switch (provider)
    {
    case P_GOOGLE:
      server_edit_google (run, kind);
      break;
    case P_OUTLOOK:
      server_edit_graph (run, kind);
      break;
    case P_CALDAV:
    default:
      if (g_rand_boolean (run->rand))
        server_edit_caldav_client (run, kind);
      else
        server_edit_caldav_http (run, kind);
      break;
    }
}

/* A's syncs, with faults ---------------------------------------------------------------- */

static void
sync_a (Run *run)
{
  Report report = { 0 };
  int fault = -1;

  if (g_rand_int_range (run->rand, 0, 3) == 0)
    {
      fault = random_provider (run);
      run->faults[fault]++;
      switch (fault)
        {
        case P_GOOGLE:
          g_test_message ("fault: Google answers 500");
          calsync_fake_google_set_fault (run->google, NULL, CALSYNC_FAKE_FAULT_SERVER_ERROR);
          break;
        case P_OUTLOOK:
          {
            guint n = g_rand_int_range (run->rand, 2, 7);

            g_test_message ("fault: Graph throttles the next %u requests (503)", n);
            calsync_fake_graph_set_throttle (run->graph, 503, n, g_rand_int_range (run->rand, 0, 2));
          }
          break;
        case P_CALDAV:
        default:
          g_test_message ("fault: Radicale stopped");
          calsync_radicale_stop (run->radicale);
          break;
        }
    }

  checked_sync (run, &run->a, &report);

  switch (fault)
    {
    case P_GOOGLE:
      calsync_fake_google_set_fault (run->google, NULL, CALSYNC_FAKE_FAULT_NONE);
      break;
    case P_OUTLOOK:
      calsync_fake_graph_set_throttle (run->graph, 503, 0, 0);
      break;
    case P_CALDAV:
      calsync_radicale_restart (run->radicale);
      break;
    default:
      break;
    }
  report_clear (&report);
}

/* Syncs @client until a sync sends nothing, changes nothing and leaves its
 * outbox empty */
static void
sync_until_quiet (Run    *run,
                  Client *client)
{
  for (guint round = 0; round < QUIET_ROUNDS; round++)
    {
      Report report = { 0 };
      gboolean quiet;

      checked_sync (run, client, &report);
      quiet = report.success && report.pushed == 0 && report.conflicts == 0 && report.changed == 0 &&
              outbox_size (run, client) == 0;
      report_clear (&report);
      if (quiet)
        {
          g_test_message ("%s quiet after %u syncs", client->name, round + 1);
          return;
        }
    }
  fail (run, "%s not quiet after %u syncs", client->name, QUIET_ROUNDS);
}

/* Agendas ---------------------------------------------------------------------------------- */

static JsonNode *
agenda (Client *client)
{
  const char *args[] = { "--agenda", "--from=" AGENDA_FROM, "--to=" AGENDA_TO, "--json", NULL };
  g_autofree char *out = NULL;

  g_assert_cmpint (run_client (client, NULL, &out, NULL, args), ==, 0);
  return calsync_test_parse_json (out);
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
calendar_taking_part (Run        *run,
                      const char *name)
{
  for (guint p = 0; p < N_PROVIDERS; p++)
    if (run->enabled[p] && g_strcmp0 (name, calendar_names[p]) == 0)
      return TRUE;
  return FALSE;
}

/* calendarName|externalId|title|start–end|status, sorted; only @calendar's
 * key|title|when when @calendar is set */
static GPtrArray *
agenda_lines (Run        *run,
              JsonNode   *root,
              const char *calendar)
{
  JsonArray *events = json_node_get_array (root);
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < json_array_get_length (events); i++)
    {
      JsonObject *event = json_array_get_object_element (events, i);
      const char *name = json_object_get_string_member (event, "calendarName");
      g_autofree char *when = agenda_when (event);

      if (!calendar_taking_part (run, name) || (calendar != NULL && g_strcmp0 (name, calendar) != 0))
        continue;
      if (calendar != NULL)
        g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s", json_object_get_string_member (event, "externalId"),
                                                 json_object_get_string_member (event, "title"), when));
      else
        g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s|%s|%s", name,
                                                 json_object_get_string_member (event, "externalId"),
                                                 json_object_get_string_member (event, "title"), when,
                                                 json_object_get_string_member (event, "status")));
    }
  g_ptr_array_sort (lines, compare_strings);
  return lines;
}

static GPtrArray *
snapshot_lines (GPtrArray *snaps)
{
  GPtrArray *lines = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < snaps->len; i++)
    {
      Snap *snap = g_ptr_array_index (snaps, i);

      g_ptr_array_add (lines, g_strdup_printf ("%s|%s|%s", snap->key, snap->title, snap->when));
    }
  g_ptr_array_sort (lines, compare_strings);
  return lines;
}

static gboolean
in_lines (GPtrArray  *lines,
          const char *line)
{
  for (guint i = 0; i < lines->len; i++)
    if (g_str_equal (g_ptr_array_index (lines, i), line))
      return TRUE;
  return FALSE;
}

/* Every line of each side that the other lacks becomes a failure */
static void
compare_lines (Run        *run,
               const char *what,
               const char *left_name,
               GPtrArray  *left,
               const char *right_name,
               GPtrArray  *right)
{
  guint differences = 0;

  for (guint i = 0; i < left->len; i++)
    if (!in_lines (right, g_ptr_array_index (left, i)))
      {
        fail (run, "%s: only %s has %s", what, left_name, (char *) g_ptr_array_index (left, i));
        differences++;
      }
  for (guint i = 0; i < right->len; i++)
    if (!in_lines (left, g_ptr_array_index (right, i)))
      {
        fail (run, "%s: only %s has %s", what, right_name, (char *) g_ptr_array_index (right, i));
        differences++;
      }
  g_test_message ("%s: %s %u events, %s %u, %u differences", what, left_name, left->len, right_name, right->len,
                  differences);
}

/* Seeds ------------------------------------------------------------------------------------ */

static void
seed_google (Run *run)
{
  calsync_fake_google_add_calendar (run->google, ALEX, GOOGLE_CALENDAR, calendar_names[P_GOOGLE], TRUE);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (run->google), ALEX);

  for (int i = 0; i < 6; i++)
    {
      g_autofree char *text = NULL;

      if (i == 5)
        text = g_strdup ("{\"id\":\"gsingle5\",\"status\":\"confirmed\",\"summary\":\"Google all day\","
                         "\"start\":{\"date\":\"2026-12-11\"},\"end\":{\"date\":\"2026-12-12\"}}");
      else
        text = g_strdup_printf ("{\"id\":\"gsingle%d\",\"status\":\"confirmed\",\"summary\":\"Google single %d\","
                                "\"start\":{\"dateTime\":\"2026-12-0%dT10:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"},"
                                "\"end\":{\"dateTime\":\"2026-12-0%dT11:00:00+01:00\",\"timeZone\":\"Europe/Berlin\"}}",
                                i, i, i + 2, i + 2);
      calsync_fake_google_put_event (run->google, GOOGLE_CALENDAR, text);
    }

  /* A weekly series as singleEvents=true lists it: its instances */
  for (int w = 0; w < 4; w++)
    {
      gint64 start = calsync_test_instant ("2026-12-01T09:00:00Z") + (gint64) w * 7 * 86400;
      g_autofree char *stamp = utc_stamp (start);
      g_autofree char *s = iso_utc (start);
      g_autofree char *e = iso_utc (start + 1800);
      g_autofree char *text =
        g_strdup_printf ("{\"id\":\"weekly_%s\",\"status\":\"confirmed\",\"summary\":\"Google weekly\","
                         "\"recurringEventId\":\"weekly\",\"iCalUID\":\"weekly@google.com\","
                         "\"originalStartTime\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"},"
                         "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"},"
                         "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"}}", stamp, s, s, e);

      calsync_fake_google_put_event (run->google, GOOGLE_CALENDAR, text);
    }
}

static void
seed_graph (Run *run)
{
  calsync_fake_graph_add_calendar (run->graph, GRAPH_CALENDAR, calendar_names[P_OUTLOOK], "#3584e4", "lightBlue",
                                   TRUE, TRUE);
  for (int i = 0; i < 6; i++)
    {
      g_autofree char *text = NULL;

      if (i == 5)
        text = g_strdup ("{\"id\":\"AAMkAGSingle5=\",\"subject\":\"Outlook all day\",\"type\":\"singleInstance\","
                         "\"isAllDay\":true,\"start\":{\"dateTime\":\"2026-12-14T00:00:00\",\"timeZone\":\"UTC\"},"
                         "\"end\":{\"dateTime\":\"2026-12-15T00:00:00\",\"timeZone\":\"UTC\"}}");
      else
        text = g_strdup_printf ("{\"id\":\"AAMkAGSingle%d=\",\"subject\":\"Outlook single %d\",\"type\":\"singleInstance\","
                                "\"isAllDay\":false,\"start\":{\"dateTime\":\"2026-12-0%dT13:00:00\",\"timeZone\":\"UTC\"},"
                                "\"end\":{\"dateTime\":\"2026-12-0%dT14:00:00\",\"timeZone\":\"UTC\"}}",
                                i, i, i + 2, i + 2);
      calsync_fake_graph_put_event_json (run->graph, GRAPH_CALENDAR, text);
    }

  calsync_fake_graph_put_event_json (run->graph, GRAPH_CALENDAR,
    "{\"id\":\"AAMkAGMaster=\",\"subject\":\"Outlook weekly\",\"type\":\"seriesMaster\",\"isAllDay\":false,"
    "\"start\":{\"dateTime\":\"2026-12-03T15:00:00\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2026-12-03T15:30:00\",\"timeZone\":\"UTC\"},"
    "\"recurrence\":{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"thursday\"],"
    "\"firstDayOfWeek\":\"monday\"},\"range\":{\"type\":\"numbered\",\"startDate\":\"2026-12-03\","
    "\"numberOfOccurrences\":4,\"recurrenceTimeZone\":\"UTC\"}}}");
  for (int w = 0; w < 4; w++)
    {
      gint64 start = calsync_test_instant ("2026-12-03T15:00:00Z") + (gint64) w * 7 * 86400;
      g_autofree char *s = iso_utc (start);
      g_autofree char *e = iso_utc (start + 1800);
      g_autofree char *text = NULL;

      s[strlen (s) - 1] = '\0';
      e[strlen (e) - 1] = '\0';
      text = g_strdup_printf ("{\"id\":\"AAMkAGOccurrence%d=\",\"subject\":\"Outlook weekly\",\"type\":\"occurrence\","
                              "\"seriesMasterId\":\"AAMkAGMaster=\",\"originalStart\":\"%sZ\",\"isAllDay\":false,"
                              "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"},"
                              "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"}}", w, s, s, e);
      calsync_fake_graph_put_event_json (run->graph, GRAPH_CALENDAR, text);
    }
}

static void
seed_caldav (Run *run)
{
  calsync_radicale_mkcalendar (run->radicale, CALDAV_COLLECTION, calendar_names[P_CALDAV]);
  for (int i = 0; i < 6; i++)
    {
      g_autofree char *uid = g_strdup_printf ("caldav-single-%d", i);
      g_autofree char *resource = g_strconcat (uid, ".ics", NULL);
      g_autofree char *title = g_strdup_printf ("CalDAV single %d", i);
      g_autofree char *text = NULL;
      g_autofree char *etag = NULL;

      if (i == 5)
        text = vevent_text (uid, title, TRUE, 0, 0, "2026-12-16", "2026-12-17");
      else
        text = vevent_text (uid, title, FALSE, calsync_test_instant ("2026-12-02T16:00:00Z") + i * 86400,
                            calsync_test_instant ("2026-12-02T17:00:00Z") + i * 86400, NULL, NULL);
      etag = calsync_radicale_put (run->radicale, CALDAV_COLLECTION, resource, text);
    }

  g_free (calsync_radicale_put (run->radicale, CALDAV_COLLECTION, "caldav-weekly.ics",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"
    "BEGIN:VEVENT\r\nUID:caldav-weekly\r\nDTSTAMP:20261101T000000Z\r\nLAST-MODIFIED:20261101T000000Z\r\n"
    "DTSTART:20261204T080000Z\r\nDTEND:20261204T083000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
    "SUMMARY:CalDAV weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"));
}

/* The test ---------------------------------------------------------------------------------- */

static void
print_counts (Run *run)
{
  GString *text = g_string_new ("Counts: edits by A (kind: google/outlook/caldav):");
  guint total = 0;

  for (guint k = 0; k < N_KINDS; k++)
    {
      g_string_append_printf (text, "\n  %s: %u/%u/%u", kind_names[k], run->edits[k][P_GOOGLE],
                              run->edits[k][P_OUTLOOK], run->edits[k][P_CALDAV]);
      for (guint p = 0; p < N_PROVIDERS; p++)
        total += run->edits[k][p];
    }
  g_string_append_printf (text, "\n  total %u (refused by the CLI or store: %u)", total, run->edits_failed);
  g_string_append_printf (text, "\nserver edits (google/outlook/caldav): %u/%u/%u (of which by B's calsync: %u)",
                          run->server_edits[P_GOOGLE], run->server_edits[P_OUTLOOK], run->server_edits[P_CALDAV],
                          run->server_edits_by_client);
  g_string_append_printf (text, "\nfaults (google 500/graph 503/radicale down): %u/%u/%u", run->faults[P_GOOGLE],
                          run->faults[P_OUTLOOK], run->faults[P_CALDAV]);
  g_string_append_printf (text, "\nsyncs %u, pushed %u, conflicts %u, changes checked %u, lost edits reported %u, "
                          "failures %u", run->syncs, run->pushed, run->conflicts, run->changes_checked,
                          run->lost_reported, run->failures->len);
  g_test_message ("%s", text->str);
  g_string_free (text, TRUE);
}

static void
run_start (Run        *run,
           const char *providers)
{
  for (guint p = 0; p < N_PROVIDERS; p++)
    run->enabled[p] = providers == NULL || strstr (providers, provider_names[p]) != NULL;
  run->failures = g_ptr_array_new_with_free_func (g_free);

  run->dir = calsync_test_setup_env ("two-way-random");
  window_start = calsync_test_instant (AGENDA_FROM "T00:00:00+02:00");
  window_end = calsync_test_instant (AGENDA_TO "T00:00:00+01:00");
  run->stderr_path = g_build_filename (run->dir, "add-account-stderr", NULL);
  run->google = calsync_fake_google_new ();
  calsync_fake_google_export_env (run->google);
  run->graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (run->graph);
  run->radicale = calsync_radicale_start (run->dir, RADICALE_LIFETIME_S);
  seed_google (run);
  seed_graph (run);
  seed_caldav (run);

  run->a.name = "A";
  run->b.name = "B";
  run->c.name = "C";
  sign_in (run, &run->a, 1);
  sign_in (run, &run->b, 2);
  {
    Report first_a = { 0 };
    Report first_b = { 0 };

    checked_sync (run, &run->a, &first_a);
    g_assert_true (first_a.success);
    checked_sync (run, &run->b, &first_b);
    g_assert_true (first_b.success);
    report_clear (&first_a);
    report_clear (&first_b);
  }
}

/* Each server holds what A lists */
static void
compare_servers (Run      *run,
                 JsonNode *agenda_a)
{
  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      g_autoptr(GPtrArray) snaps = NULL;
      g_autoptr(GPtrArray) server = NULL;
      g_autoptr(GPtrArray) local = NULL;
      g_autofree char *what = NULL;

      if (!run->enabled[p])
        continue;
      snaps = server_snapshot (run, p);
      server = snapshot_lines (snaps);
      local = agenda_lines (run, agenda_a, calendar_names[p]);
      what = g_strdup_printf ("%s calendar", provider_names[p]);
      compare_lines (run, what, "A", local, "the server", server);
    }
}

static void
run_finish (Run *run)
{
  print_counts (run);
  for (guint i = 0; i < run->failures->len; i++)
    g_test_message ("failure %u: %s", i + 1, (char *) g_ptr_array_index (run->failures, i));
  if (g_test_failed () || run->failures->len > 0)
    calsync_radicale_dump_log (run->radicale);
  g_assert_cmpuint (run->failures->len, ==, 0);

  g_clear_pointer (&run->radicale, calsync_radicale_free);
  g_clear_object (&run->google);
  g_clear_object (&run->graph);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (run->dir);
  g_free (run->dir);
  g_free (run->stderr_path);
  g_free (run->a.dir);
  g_free (run->b.dir);
  g_free (run->c.dir);
  g_ptr_array_unref (run->failures);
  if (run->rand != NULL)
    g_rand_free (run->rand);
}

#ifndef TWO_WAY_RANDOM_HELPERS_ONLY
static void
test_random (void)
{
  Run run = { 0 };
  const char *seed_text = g_getenv ("CALSYNC_RANDOM_SEED");
  const char *steps_text = g_getenv ("CALSYNC_RANDOM_STEPS");
  const char *providers = g_getenv ("CALSYNC_RANDOM_PROVIDERS");
  g_autoptr(JsonNode) agenda_a = NULL;
  g_autoptr(JsonNode) agenda_b = NULL;
  g_autoptr(JsonNode) agenda_c = NULL;
  g_autoptr(GPtrArray) lines_a = NULL;
  g_autoptr(GPtrArray) lines_b = NULL;
  g_autoptr(GPtrArray) lines_c = NULL;
  guint steps = steps_text != NULL ? (guint) g_ascii_strtoull (steps_text, NULL, 10) : DEFAULT_STEPS;

  run.seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : DEFAULT_SEED;
  run.rand = g_rand_new_with_seed (run.seed);
  g_test_message ("seed %u (CALSYNC_RANDOM_SEED), %u steps, providers %s", run.seed, steps,
                  providers != NULL ? providers : "google,outlook,caldav");
  run_start (&run, providers);

  for (guint step = 1; step <= steps; step++)
    {
      Provider provider = random_provider (&run);
      Kind kind = random_kind (&run);

      g_test_message ("step %u: A %s %s", step, kind_names[kind], provider_names[provider]);
      if (client_edit (&run, &run.a, provider, kind))
        run.edits[kind][provider]++;
      else
        run.edits_failed++;

      if (g_rand_int_range (run.rand, 0, 4) == 0)
        server_edit (&run);
      if (g_rand_int_range (run.rand, 0, 5) == 0)
        sync_a (&run);
    }

  sync_until_quiet (&run, &run.a);
  sync_until_quiet (&run, &run.b);
  /* B's last syncs may have sent nothing new, but A must have nothing left to learn */
  sync_until_quiet (&run, &run.a);

  sign_in (&run, &run.c, 3);
  {
    Report first_c = { 0 };

    checked_sync (&run, &run.c, &first_c);
    if (!first_c.success)
      fail (&run, "C's first sync failed: %s", first_c.messages->str);
    report_clear (&first_c);
  }

  agenda_a = agenda (&run.a);
  agenda_b = agenda (&run.b);
  agenda_c = agenda (&run.c);
  lines_a = agenda_lines (&run, agenda_a, NULL);
  lines_b = agenda_lines (&run, agenda_b, NULL);
  lines_c = agenda_lines (&run, agenda_c, NULL);
  compare_lines (&run, "agenda", "A", lines_a, "C", lines_c);
  compare_lines (&run, "agenda", "A", lines_a, "B", lines_b);

  compare_servers (&run, agenda_a);
  run_finish (&run);
}

/* Waits (for the clock, not for a fixed time) until the next second begins:
 * LAST-MODIFIED has whole seconds */
static void
wait_next_second (void)
{
  gint64 second = g_get_real_time () / G_USEC_PER_SEC;

  while (g_get_real_time () / G_USEC_PER_SEC <= second)
    g_usleep (20000);
}

static CalsyncEvent *
event_by_key (Client     *client,
              Provider    provider,
              const char *key)
{
  g_autoptr(GPtrArray) events = client_events (client, provider, TRUE);
  CalsyncEvent *event = calsync_test_find_event (events, key);

  g_assert_nonnull (event);
  return g_object_ref (event);
}

/* Two instance deletes of one CalDAV series in one sync, another client's
 * change to the series made between them: the first delete loses (the
 * server's change is newer), the second wins. The instance whose delete lost
 * is still on the server, so it must come back in A. */
static void
test_caldav_lost_then_won (void)
{
  Run run = { 0 };
  g_autoptr(CalsyncEvent) x = NULL;
  g_autoptr(CalsyncEvent) y = NULL;
  g_autoptr(GHashTable) etags = NULL;
  g_autoptr(JsonNode) agenda_a = NULL;
  g_autofree char *text = NULL;
  g_autofree char *edited = NULL;
  const char *etag;
  Report report = { 0 };

  run_start (&run, "caldav");
  x = event_by_key (&run.a, P_CALDAV, "caldav-weekly_20261211T080000Z");
  y = event_by_key (&run.a, P_CALDAV, "caldav-weekly_20261218T080000Z");

  g_assert_cmpint (delete_with_cli (&run.a, x), ==, 0);
  wait_next_second ();
  etags = caldav_etags (&run);
  etag = g_hash_table_lookup (etags, "/" CALSYNC_RADICALE_USER "/" CALDAV_COLLECTION "/caldav-weekly.ics");
  g_assert_nonnull (etag);
  text = caldav_get (&run, "/" CALSYNC_RADICALE_USER "/" CALDAV_COLLECTION "/caldav-weekly.ics");
  edited = retitle_resource (text, "CalDAV weekly (theirs)");
  {
    const char * const headers[] = { "If-Match", etag, NULL };

    guint status = calsync_radicale_request (run.radicale, "PUT",
                                             "/" CALSYNC_RADICALE_USER "/" CALDAV_COLLECTION "/caldav-weekly.ics",
                                             "text/calendar; charset=utf-8", edited, headers, NULL, NULL);

    g_assert_cmpuint (status / 100, ==, 2);
  }
  wait_next_second ();
  g_assert_cmpint (delete_with_cli (&run.a, y), ==, 0);

  checked_sync (&run, &run.a, &report);
  g_assert_cmpint (report.conflicts, ==, 2);
  report_clear (&report);
  sync_until_quiet (&run, &run.a);

  agenda_a = agenda (&run.a);
  compare_servers (&run, agenda_a);
  run_finish (&run);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");
  calsync_test_require_keyring ();

  g_test_add_func ("/two-way-random/hundred-edits", test_random);
  g_test_add_func ("/two-way-random/caldav-lost-then-won", test_caldav_lost_then_won);

  return g_test_run ();
}
#endif /* TWO_WAY_RANDOM_HELPERS_ONLY */
