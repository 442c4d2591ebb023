/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-two-way.c: the random two-way setting of test-two-way-random
 * and test-fault-syncs (see calsync-test-two-way.h). */
#define G_LOG_DOMAIN "calsync-test-two-way"

#include "config.h"

#include <string.h>

#include "calsync-fake-peek.h"
#include "calsync-test-two-way.h"

#define PRODID "-//CalSync random test//EN"

static const char * const edit_names[CALSYNC_TEST_N_EDITS] = {
  "create", "edit", "delete", "instance-edit", "instance-delete"
};

static const char * const *provider_names = calsync_test_provider_names;

/* A's edits ---------------------------------------------------------------------------- */

static char *
new_title (CalsyncTwoWay       *run,
           const char          *who,
           const char          *what,
           CalsyncTestProvider  provider)
{
  return g_strdup_printf ("%s%03u %s %s", who, ++run->serial, what, provider_names[provider]);
}

/* A UID as calendar apps make them (lowercase hex and dashes), from the seed */
static char *
new_uid (CalsyncTwoWay *run)
{
  return g_strdup_printf ("%08x-%04x-4%03x-a%03x-%08x%04x", g_rand_int (run->rand), g_rand_int (run->rand) & 0xffff,
                          g_rand_int (run->rand) & 0xfff, g_rand_int (run->rand) & 0xfff, g_rand_int (run->rand),
                          g_rand_int (run->rand) & 0xffff);
}

/* A random time between 1 December 2026 and the end of February 2027 */
static void
random_times (CalsyncTwoWay *run,
              gboolean       all_day,
              gint64        *start,
              gint64        *end,
              char         **start_date,
              char         **end_date)
{
  int day = g_rand_int_range (run->rand, 0, 90);

  if (all_day)
    {
      *start_date = calsync_test_add_days ("2026-12-01", day);
      *end_date = calsync_test_add_days (*start_date, g_rand_int_range (run->rand, 1, 3));
      return;
    }

  *start = calsync_test_instant ("2026-12-01T07:00:00Z") + (gint64) day * 86400 +
           (gint64) g_rand_int_range (run->rand, 0, 20) * 1800;
  *end = *start + (gint64) g_rand_int_range (run->rand, 1, 5) * 900;
}

static gboolean
edit_create (CalsyncTwoWay       *run,
             CalsyncTestClient   *client,
             CalsyncTestProvider  provider,
             const char          *who)
{
  g_autofree char *uid = new_uid (run);
  g_autofree char *title = new_title (run, who, "new", provider);
  g_autofree char *start_date = NULL;
  g_autofree char *end_date = NULL;
  g_autofree char *text = NULL;
  gboolean all_day = g_rand_int_range (run->rand, 0, 6) == 0;
  gint64 start = 0, end = 0;

  random_times (run, all_day, &start, &end, &start_date, &end_date);
  text = calsync_test_vevent_text (PRODID, uid, title, all_day, start, end, start_date, end_date);
  return calsync_test_client_import (client, provider, text) == 0;
}

/* Title and time of a single event (through the store, the editor's way, or by
 * importing it again with its UID) or of an instance (through the store) */
static gboolean
edit_event (CalsyncTwoWay       *run,
            CalsyncTestClient   *client,
            CalsyncTestProvider  provider,
            gboolean             instance,
            const char          *who)
{
  g_autoptr(CalsyncEvent) picked = calsync_test_client_pick_event (client, provider, instance, run->rand);
  g_autoptr(CalsyncEvent) event = NULL;
  g_autofree char *title = NULL;

  if (picked == NULL)
    return edit_create (run, client, provider, who);

  event = calsync_event_copy (picked);
  title = new_title (run, who, instance ? "instance" : "edit", provider);
  calsync_test_move_event (run->rand, event, title);
  return calsync_test_client_save (client, provider, event, instance || g_rand_boolean (run->rand), PRODID);
}

static gboolean
edit_delete (CalsyncTwoWay       *run,
             CalsyncTestClient   *client,
             CalsyncTestProvider  provider,
             gboolean             instance,
             const char          *who)
{
  g_autoptr(CalsyncEvent) event = calsync_test_client_pick_event (client, provider, instance, run->rand);

  if (event == NULL)
    return edit_create (run, client, provider, who);
  return calsync_test_client_delete (client, event) == 0;
}

CalsyncTestProvider
calsync_two_way_random_provider (CalsyncTwoWay *run)
{
  for (;;)
    {
      CalsyncTestProvider p = g_rand_int_range (run->rand, 0, CALSYNC_TEST_N_PROVIDERS);

      if (run->servers.enabled[p])
        return p;
    }
}

static CalsyncTestEdit
random_kind (CalsyncTwoWay *run)
{
  guint r = g_rand_int_range (run->rand, 0, 100);

  return r < 25 ? CALSYNC_TEST_CREATE : r < 55 ? CALSYNC_TEST_EDIT : r < 70 ? CALSYNC_TEST_DELETE
         : r < 90 ? CALSYNC_TEST_INSTANCE_EDIT : CALSYNC_TEST_INSTANCE_DELETE;
}

/* A local edit of @kind by @client (a create when there is nothing to edit):
 * whether calsync took it */
static gboolean
client_edit (CalsyncTwoWay       *run,
             CalsyncTestClient   *client,
             CalsyncTestProvider  provider,
             CalsyncTestEdit      kind)
{
  switch (kind)
    {
    case CALSYNC_TEST_CREATE:
      return edit_create (run, client, provider, client->name);
    case CALSYNC_TEST_EDIT:
      return edit_event (run, client, provider, FALSE, client->name);
    case CALSYNC_TEST_DELETE:
      return edit_delete (run, client, provider, FALSE, client->name);
    case CALSYNC_TEST_INSTANCE_EDIT:
      return edit_event (run, client, provider, TRUE, client->name);
    case CALSYNC_TEST_INSTANCE_DELETE:
    default:
      return edit_delete (run, client, provider, TRUE, client->name);
    }
}

void
calsync_two_way_edit_a (CalsyncTwoWay *run,
                        const char    *when)
{
  CalsyncTestProvider provider = calsync_two_way_random_provider (run);
  CalsyncTestEdit kind = random_kind (run);

  g_test_message ("%s: A %s %s", when, edit_names[kind], provider_names[provider]);
  if (client_edit (run, &run->a, provider, kind))
    run->edits[kind][provider]++;
  else
    run->edits_failed++;
}

/* Server-side edits (B) ------------------------------------------------------------------ */

static gboolean
is_instance_kind (CalsyncTestEdit kind)
{
  return kind == CALSYNC_TEST_INSTANCE_EDIT || kind == CALSYNC_TEST_INSTANCE_DELETE;
}

static gboolean
is_delete_kind (CalsyncTestEdit kind)
{
  return kind == CALSYNC_TEST_DELETE || kind == CALSYNC_TEST_INSTANCE_DELETE;
}

/* A random one of @objects that is an instance of a series (@series_member
 * set) or not, or NULL */
static JsonObject *
pick_object (CalsyncTwoWay *run,
             GPtrArray     *objects,
             const char    *series_member,
             gboolean       instance)
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
  gint64 instant = calsync_test_json_instant (when, default_zone) + shift;
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (instant);
  g_autofree char *text = g_date_time_format (dt, graph ? "%Y-%m-%dT%H:%M:%S" : "%Y-%m-%dT%H:%M:%SZ");

  json_object_set_string_member (when, "dateTime", text);
  json_object_set_string_member (when, "timeZone", "UTC");
}

/* Both ends of @object's times shifted by a random number of hours */
static void
shift_event (CalsyncTwoWay *run,
             JsonObject    *object,
             GTimeZone     *default_zone,
             gboolean       graph)
{
  gint64 shift = (gint64) g_rand_int_range (run->rand, -4, 5) * 3600;

  shift_when (json_object_get_object_member (object, "start"), shift, default_zone, graph);
  shift_when (json_object_get_object_member (object, "end"), shift, default_zone, graph);
}

static char *
object_text (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);

  return json_to_string (node, FALSE);
}

/* A random time as Google's or Graph's {dateTime, timeZone} members */
static char *
random_times_json (CalsyncTwoWay *run,
                   gboolean       graph)
{
  gint64 start = 0, end = 0;
  g_autofree char *s = NULL;
  g_autofree char *e = NULL;

  random_times (run, FALSE, &start, &end, NULL, NULL);
  s = calsync_test_iso_utc (start);
  e = calsync_test_iso_utc (end);
  if (graph)
    {
      s[strlen (s) - 1] = '\0';   /* no Z: Graph's dateTime with a timeZone */
      e[strlen (e) - 1] = '\0';
    }
  return g_strdup_printf ("\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"},"
                          "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"}", s, e);
}

static void
google_create (CalsyncTwoWay *run,
               const char    *title)
{
  g_autofree char *id = g_strdup_printf ("bnew%05u", run->serial);
  g_autofree char *times = random_times_json (run, FALSE);
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\",\"status\":\"confirmed\",\"summary\":\"%s\",%s}",
                                           id, title, times);

  calsync_fake_google_put_event (run->servers.google, CALSYNC_TEST_GOOGLE_CALENDAR, text);
  g_test_message ("B: google create “%s” (%s)", title, id);
}

static void
server_edit_google (CalsyncTwoWay   *run,
                    CalsyncTestEdit  kind)
{
  CalsyncFakeGoogle *google = run->servers.google;
  g_autoptr(GPtrArray) events = calsync_fake_google_peek_events (google, CALSYNC_TEST_GOOGLE_CALENDAR);
  JsonObject *object = kind == CALSYNC_TEST_CREATE ? NULL
                       : pick_object (run, events, "recurringEventId", is_instance_kind (kind));
  g_autofree char *title = new_title (run, "B", edit_names[kind], CALSYNC_TEST_GOOGLE);
  g_autofree char *text = NULL;
  const char *id = object != NULL ? json_object_get_string_member (object, "id") : NULL;

  if (object == NULL || kind == CALSYNC_TEST_CREATE)
    {
      google_create (run, title);
      return;
    }
  if (is_delete_kind (kind))
    {
      g_test_message ("B: google delete %s “%s”", id,
                      json_object_get_string_member_with_default (object, "summary", ""));
      calsync_fake_google_delete_event (google, CALSYNC_TEST_GOOGLE_CALENDAR, id);
      return;
    }

  json_object_set_string_member (object, "summary", title);
  if (json_object_has_member (json_object_get_object_member (object, "start"), "dateTime"))
    shift_event (run, object, NULL, FALSE);
  json_object_remove_member (object, "etag");
  json_object_remove_member (object, "updated");
  text = object_text (object);
  g_test_message ("B: google edit %s → “%s”", id, title);
  calsync_fake_google_put_event (google, CALSYNC_TEST_GOOGLE_CALENDAR, text);
}

static void
graph_create (CalsyncTwoWay *run,
              const char    *title)
{
  g_autofree char *id = g_strdup_printf ("AAMkAGBnew%05u=", run->serial);
  g_autofree char *times = random_times_json (run, TRUE);
  g_autofree char *text = g_strdup_printf ("{\"id\":\"%s\",\"subject\":\"%s\",\"type\":\"singleInstance\","
                                           "\"isAllDay\":false,%s}", id, title, times);

  calsync_fake_graph_put_event_json (run->servers.graph, run->servers.graph_calendar, text);
  g_test_message ("B: outlook create “%s” (%s)", title, id);
}

/* A new version of @object: the fake stamps a new changeKey, etag and time */
static void
graph_edit (CalsyncTwoWay *run,
            JsonObject    *object,
            const char    *title,
            gboolean       instance)
{
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();

  json_object_set_string_member (object, "subject", title);
  if (!json_object_get_boolean_member_with_default (object, "isAllDay", FALSE))
    shift_event (run, object, utc, TRUE);
  if (instance)
    json_object_set_string_member (object, "type", "exception");
  json_object_remove_member (object, "@odata.etag");
  json_object_remove_member (object, "changeKey");
  json_object_remove_member (object, "lastModifiedDateTime");
  g_test_message ("B: outlook edit %s → “%s”", json_object_get_string_member (object, "id"), title);
  calsync_fake_graph_put_event (run->servers.graph, run->servers.graph_calendar, object);
}

static void
graph_delete (CalsyncTwoWay *run,
              JsonObject    *object)
{
  const char *id = json_object_get_string_member (object, "id");

  g_test_message ("B: outlook delete %s “%s”", id, json_object_get_string_member_with_default (object, "subject", ""));
  calsync_fake_graph_delete_event (run->servers.graph, run->servers.graph_calendar, id);
}

static void
server_edit_graph (CalsyncTwoWay   *run,
                   CalsyncTestEdit  kind)
{
  g_autoptr(GPtrArray) events = calsync_fake_graph_peek_events (run->servers.graph, run->servers.graph_calendar);
  gboolean instance = is_instance_kind (kind);
  JsonObject *object = kind == CALSYNC_TEST_CREATE ? NULL : pick_object (run, events, "seriesMasterId", instance);
  g_autofree char *title = new_title (run, "B", edit_names[kind], CALSYNC_TEST_OUTLOOK);

  if (object == NULL || kind == CALSYNC_TEST_CREATE)
    graph_create (run, title);
  else if (!is_delete_kind (kind))
    graph_edit (run, object, title, instance);
  else
    graph_delete (run, object);
}

/* Radicale as another client ------------------------------------------------------------ */

char *
calsync_two_way_caldav_get (CalsyncTwoWay *run,
                            const char    *href)
{
  char *text = NULL;

  g_assert_cmpuint (calsync_radicale_request (run->servers.radicale, "GET", href, NULL, NULL, NULL, &text, NULL), ==,
                    200);
  return text;
}

/* The lines of iCalendar @text, unfolded (CalSync's titles are short) */
static GStrv
unfolded_lines (const char *text)
{
  g_auto(GStrv) folds = g_strsplit (text, "\r\n ", -1);
  g_autofree char *unfolded = g_strjoinv ("", folds);

  return g_strsplit (unfolded, "\r\n", -1);
}

char *
calsync_two_way_retitle_resource (const char *text,
                                  const char *title)
{
  g_autofree char *now = calsync_test_utc_stamp (g_get_real_time () / G_USEC_PER_SEC);
  g_auto(GStrv) lines = unfolded_lines (text);
  GString *out = g_string_new (NULL);
  int vevent = 0;
  gboolean stamped = FALSE;

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

/* The hrefs of @etags, sorted */
static GPtrArray *
sorted_hrefs (GHashTable *etags)
{
  GPtrArray *hrefs = g_ptr_array_new ();
  GHashTableIter iter;
  gpointer key;

  g_hash_table_iter_init (&iter, etags);
  while (g_hash_table_iter_next (&iter, &key, NULL))
    g_ptr_array_add (hrefs, key);
  g_ptr_array_sort (hrefs, calsync_test_compare_strings);
  return hrefs;
}

static void
caldav_create (CalsyncTwoWay *run,
               const char    *title)
{
  g_autofree char *uid = g_strdup_printf ("b-created-%05u", run->serial);
  g_autofree char *resource = g_strconcat (uid, ".ics", NULL);
  g_autofree char *text = NULL;
  gint64 start = 0, end = 0;

  random_times (run, FALSE, &start, &end, NULL, NULL);
  text = calsync_test_vevent_text (PRODID, uid, title, FALSE, start, end, NULL, NULL);
  g_free (calsync_radicale_put (run->servers.radicale, CALSYNC_TEST_CALDAV_COLLECTION, resource, text));
  g_test_message ("B: caldav PUT new %s “%s”", resource, title);
}

static void
caldav_retitle (CalsyncTwoWay *run,
                const char    *href,
                const char    *etag,
                const char    *title)
{
  g_autofree char *text = calsync_two_way_caldav_get (run, href);
  g_autofree char *edited = calsync_two_way_retitle_resource (text, title);
  const char * const headers[] = { "If-Match", etag, NULL };
  guint status = calsync_radicale_request (run->servers.radicale, "PUT", href, "text/calendar; charset=utf-8", edited,
                                           headers, NULL, NULL);

  g_assert_cmpuint (status, >=, 200);
  g_assert_cmpuint (status, <, 300);
  g_test_message ("B: caldav PUT %s → “%s”", href, title);
}

static void
server_edit_caldav_http (CalsyncTwoWay   *run,
                         CalsyncTestEdit  kind)
{
  g_autoptr(GHashTable) etags = calsync_radicale_list_etags (run->servers.radicale, CALSYNC_TEST_CALDAV_COLLECTION);
  g_autoptr(GPtrArray) hrefs = sorted_hrefs (etags);
  g_autofree char *title = new_title (run, "B", edit_names[kind], CALSYNC_TEST_CALDAV);
  const char *href;
  const char *etag;

  if (kind == CALSYNC_TEST_CREATE || hrefs->len == 0)
    {
      caldav_create (run, title);
      return;
    }

  href = g_ptr_array_index (hrefs, g_rand_int_range (run->rand, 0, hrefs->len));
  etag = g_hash_table_lookup (etags, href);
  if (is_delete_kind (kind))
    {
      const char * const headers[] = { "If-Match", etag, NULL };

      g_assert_cmpuint (calsync_radicale_request (run->servers.radicale, "DELETE", href, NULL, NULL, headers, NULL,
                                                  NULL), ==, 200);
      g_test_message ("B: caldav DELETE %s", href);
    }
  else
    caldav_retitle (run, href, etag, title);
}

/* B's edits of the CalDAV calendar through its own calsync: a pull, an edit
 * as A makes them, a push (checked like A's) */
static void
server_edit_caldav_client (CalsyncTwoWay   *run,
                           CalsyncTestEdit  kind)
{
  CalsyncTestReport pull = { 0 };
  CalsyncTestReport push = { 0 };

  calsync_two_way_checked_sync (run, &run->b, &pull);
  calsync_test_report_clear (&pull);
  if (!client_edit (run, &run->b, CALSYNC_TEST_CALDAV, kind))
    run->edits_failed++;
  calsync_two_way_checked_sync (run, &run->b, &push);
  calsync_test_report_clear (&push);
  run->server_edits_by_client++;
}

void
calsync_two_way_server_edit (CalsyncTwoWay *run)
{
  CalsyncTestProvider provider = calsync_two_way_random_provider (run);
  CalsyncTestEdit kind = random_kind (run);

  run->server_edits[provider]++;
  switch (provider)
    {
    case CALSYNC_TEST_GOOGLE:
      server_edit_google (run, kind);
      break;
    case CALSYNC_TEST_OUTLOOK:
      server_edit_graph (run, kind);
      break;
    case CALSYNC_TEST_CALDAV:
    default:
      if (g_rand_boolean (run->rand))
        server_edit_caldav_client (run, kind);
      else
        server_edit_caldav_http (run, kind);
      break;
    }
}

/* Checked syncs ------------------------------------------------------------------------- */

void
calsync_two_way_read_report (CalsyncTwoWay      *run,
                             CalsyncTestClient  *client,
                             int                 status,
                             const char         *out,
                             CalsyncTestReport  *report)
{
  calsync_test_report_read (report, status, out);
  run->syncs++;
  g_test_message ("%s sync #%u: success %d, pushed %" G_GINT64_FORMAT ", conflicts %" G_GINT64_FORMAT
                  ", changed %" G_GINT64_FORMAT "%s%s", client->name, run->syncs, report->success, report->pushed,
                  report->conflicts, report->changed, report->messages->len ? "\n" : "", report->messages->str);
}

static void
sync_client (CalsyncTwoWay     *run,
             CalsyncTestClient *client,
             CalsyncTestReport *report)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autofree char *out = NULL;
  int status = calsync_test_client_run (client, NULL, &out, NULL, args);

  g_assert_cmpint (status, <=, 1);
  calsync_two_way_read_report (run, client, status, out, report);
}

/* @change left @client's outbox: on the server, or named in @report */
static void
check_change (CalsyncTwoWay      *run,
              CalsyncTestClient  *client,
              GPtrArray         **snapshots,
              CalsyncTestChange  *change,
              CalsyncTestReport  *report)
{
  CalsyncTestSnap *snap = NULL;
  const char *why;

  if (snapshots[change->provider] == NULL)
    snapshots[change->provider] = calsync_test_servers_snapshot (&run->servers, change->provider);
  if (calsync_test_change_on_server (change, snapshots[change->provider], &snap))
    return;

  if (change->title != NULL && *change->title != '\0' && strstr (report->messages->str, change->title) != NULL)
    {
      run->lost_reported++;
      g_test_message ("%s: lost and reported: %s %s “%s”", client->name, provider_names[change->provider],
                      calsync_test_change_kind (change), change->title);
      return;
    }

  why = change->kind == CALSYNC_OUTBOX_DELETE ? "still on the server"
        : snap == NULL ? "not on the server" : "on the server at another time";
  calsync_test_fail (run->failures, "%s sync #%u: the %s of “%s” (%s %s, %s) left the outbox, is %s (%s%s%s), and the "
                     "report does not name it", client->name, run->syncs, calsync_test_change_kind (change),
                     change->title, provider_names[change->provider], change->key, change->when, why,
                     snap != NULL ? snap->key : "", snap != NULL ? " " : "", snap != NULL ? snap->when : "");
}

void
calsync_two_way_check_left (CalsyncTwoWay      *run,
                            CalsyncTestClient  *client,
                            GHashTable         *before,
                            CalsyncTestReport  *report)
{
  g_autoptr(GHashTable) after = calsync_test_client_outbox (client);
  g_autoptr(GPtrArray) left = calsync_test_outbox_left (before, after);
  GPtrArray *snapshots[CALSYNC_TEST_N_PROVIDERS] = { NULL };

  run->changes_checked += left->len;
  for (guint i = 0; i < left->len; i++)
    check_change (run, client, snapshots, g_ptr_array_index (left, i), report);
  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    g_clear_pointer (&snapshots[p], g_ptr_array_unref);

  if (report->success && g_hash_table_size (after) > 0)
    calsync_test_fail (run->failures, "%s sync #%u succeeded but %u changes are still waiting", client->name,
                       run->syncs, g_hash_table_size (after));
  if ((gint64) left->len < report->pushed)
    calsync_test_fail (run->failures, "%s sync #%u: %" G_GINT64_FORMAT " pushed but only %u changes left the outbox",
                       client->name, run->syncs, report->pushed, left->len);
}

/* Each conflict names its loser */
static void
check_conflicts_named (CalsyncTwoWay     *run,
                       CalsyncTestClient *client,
                       CalsyncTestReport *report)
{
  guint named = 0;

  for (const char *p = report->messages->str; (p = strstr (p, " was replaced by ")) != NULL; p++)
    named++;
  if (named != report->conflicts)
    calsync_test_fail (run->failures, "%s sync #%u: %" G_GINT64_FORMAT " conflicts, %u named", client->name,
                       run->syncs, report->conflicts, named);
}

void
calsync_two_way_checked_sync (CalsyncTwoWay     *run,
                              CalsyncTestClient *client,
                              CalsyncTestReport *report)
{
  g_autoptr(GHashTable) before = calsync_test_client_outbox (client);

  sync_client (run, client, report);
  run->pushed += report->pushed;
  run->conflicts += report->conflicts;
  calsync_two_way_check_left (run, client, before, report);
  check_conflicts_named (run, client, report);
}

/* Comparisons ------------------------------------------------------------------------------ */

JsonNode *
calsync_two_way_agenda (CalsyncTestClient *client)
{
  return calsync_test_client_agenda (client, CALSYNC_TWO_WAY_FROM, CALSYNC_TWO_WAY_TO);
}

void
calsync_two_way_compare_lines (CalsyncTwoWay *run,
                               const char    *what,
                               const char    *left_name,
                               GPtrArray     *left,
                               const char    *right_name,
                               GPtrArray     *right)
{
  g_autoptr(GPtrArray) only_left = calsync_test_lines_only_in (left, right);
  g_autoptr(GPtrArray) only_right = calsync_test_lines_only_in (right, left);

  for (guint i = 0; i < only_left->len; i++)
    calsync_test_fail (run->failures, "%s: only %s has %s", what, left_name, (char *) g_ptr_array_index (only_left, i));
  for (guint i = 0; i < only_right->len; i++)
    calsync_test_fail (run->failures, "%s: only %s has %s", what, right_name,
                       (char *) g_ptr_array_index (only_right, i));
  g_test_message ("%s: %s %u events, %s %u, %u differences", what, left_name, left->len, right_name, right->len,
                  only_left->len + only_right->len);
}

void
calsync_two_way_compare_servers (CalsyncTwoWay *run,
                                 JsonNode      *agenda_a)
{
  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    {
      g_autoptr(GPtrArray) snaps = NULL;
      g_autoptr(GPtrArray) server = NULL;
      g_autoptr(GPtrArray) local = NULL;
      g_autofree char *what = NULL;

      if (!run->servers.enabled[p])
        continue;
      snaps = calsync_test_servers_snapshot (&run->servers, p);
      server = calsync_test_snap_lines (snaps);
      local = calsync_test_agenda_lines (&run->servers, agenda_a, calsync_test_synced_calendars[p]);
      what = g_strdup_printf ("%s calendar", provider_names[p]);
      calsync_two_way_compare_lines (run, what, "A", local, "the server", server);
    }
}

/* Seeds ------------------------------------------------------------------------------------ */

static void
seed_google_singles (CalsyncTwoWay *run)
{
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
      calsync_fake_google_put_event (run->servers.google, CALSYNC_TEST_GOOGLE_CALENDAR, text);
    }
}

/* A weekly series as singleEvents=true lists it: its instances */
static void
seed_google_weekly (CalsyncTwoWay *run)
{
  for (int w = 0; w < 4; w++)
    {
      gint64 start = calsync_test_instant ("2026-12-01T09:00:00Z") + (gint64) w * 7 * 86400;
      g_autofree char *stamp = calsync_test_utc_stamp (start);
      g_autofree char *s = calsync_test_iso_utc (start);
      g_autofree char *e = calsync_test_iso_utc (start + 1800);
      g_autofree char *text =
        g_strdup_printf ("{\"id\":\"weekly_%s\",\"status\":\"confirmed\",\"summary\":\"Google weekly\","
                         "\"recurringEventId\":\"weekly\",\"iCalUID\":\"weekly@google.com\","
                         "\"originalStartTime\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"},"
                         "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"},"
                         "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"Europe/Berlin\"}}", stamp, s, s, e);

      calsync_fake_google_put_event (run->servers.google, CALSYNC_TEST_GOOGLE_CALENDAR, text);
    }
}

static void
seed_graph_singles (CalsyncTwoWay *run)
{
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
      calsync_fake_graph_put_event_json (run->servers.graph, run->servers.graph_calendar, text);
    }
}

static void
seed_graph_weekly (CalsyncTwoWay *run)
{
  calsync_fake_graph_put_event_json (run->servers.graph, run->servers.graph_calendar,
    "{\"id\":\"AAMkAGMaster=\",\"subject\":\"Outlook weekly\",\"type\":\"seriesMaster\",\"isAllDay\":false,"
    "\"start\":{\"dateTime\":\"2026-12-03T15:00:00\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2026-12-03T15:30:00\",\"timeZone\":\"UTC\"},"
    "\"recurrence\":{\"pattern\":{\"type\":\"weekly\",\"interval\":1,\"daysOfWeek\":[\"thursday\"],"
    "\"firstDayOfWeek\":\"monday\"},\"range\":{\"type\":\"numbered\",\"startDate\":\"2026-12-03\","
    "\"numberOfOccurrences\":4,\"recurrenceTimeZone\":\"UTC\"}}}");
  for (int w = 0; w < 4; w++)
    {
      gint64 start = calsync_test_instant ("2026-12-03T15:00:00Z") + (gint64) w * 7 * 86400;
      g_autofree char *s = calsync_test_iso_utc (start);
      g_autofree char *e = calsync_test_iso_utc (start + 1800);
      g_autofree char *text = NULL;

      s[strlen (s) - 1] = '\0';
      e[strlen (e) - 1] = '\0';
      text = g_strdup_printf ("{\"id\":\"AAMkAGOccurrence%d=\",\"subject\":\"Outlook weekly\",\"type\":\"occurrence\","
                              "\"seriesMasterId\":\"AAMkAGMaster=\",\"originalStart\":\"%sZ\",\"isAllDay\":false,"
                              "\"start\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"},"
                              "\"end\":{\"dateTime\":\"%s\",\"timeZone\":\"UTC\"}}", w, s, s, e);
      calsync_fake_graph_put_event_json (run->servers.graph, run->servers.graph_calendar, text);
    }
}

static void
seed_caldav (CalsyncTwoWay *run)
{
  for (int i = 0; i < 6; i++)
    {
      g_autofree char *uid = g_strdup_printf ("caldav-single-%d", i);
      g_autofree char *resource = g_strconcat (uid, ".ics", NULL);
      g_autofree char *title = g_strdup_printf ("CalDAV single %d", i);
      gint64 start = calsync_test_instant ("2026-12-02T16:00:00Z") + i * 86400;
      g_autofree char *text = i == 5 ? calsync_test_vevent_text (PRODID, uid, title, TRUE, 0, 0, "2026-12-16",
                                                                 "2026-12-17")
                                     : calsync_test_vevent_text (PRODID, uid, title, FALSE, start, start + 3600,
                                                                 NULL, NULL);

      g_free (calsync_radicale_put (run->servers.radicale, CALSYNC_TEST_CALDAV_COLLECTION, resource, text));
    }

  g_free (calsync_radicale_put (run->servers.radicale, CALSYNC_TEST_CALDAV_COLLECTION, "caldav-weekly.ics",
    "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"
    "BEGIN:VEVENT\r\nUID:caldav-weekly\r\nDTSTAMP:20261101T000000Z\r\nLAST-MODIFIED:20261101T000000Z\r\n"
    "DTSTART:20261204T080000Z\r\nDTEND:20261204T083000Z\r\nRRULE:FREQ=WEEKLY;COUNT=4\r\n"
    "SUMMARY:CalDAV weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"));
}

/* Start and finish ---------------------------------------------------------------------- */

void
calsync_two_way_start (CalsyncTwoWay *run,
                       const char    *name,
                       const char    *providers,
                       guint          radicale_lifetime_s)
{
  CalsyncTestServers *servers = &run->servers;

  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    servers->enabled[p] = providers == NULL || strstr (providers, provider_names[p]) != NULL;
  run->failures = g_ptr_array_new_with_free_func (g_free);
  servers->graph_calendar = CALSYNC_TWO_WAY_GRAPH_CALENDAR;
  calsync_test_servers_start (servers, name, CALSYNC_TWO_WAY_FROM "T00:00:00+02:00",
                              CALSYNC_TWO_WAY_TO "T00:00:00+01:00", radicale_lifetime_s);
  seed_google_singles (run);
  seed_google_weekly (run);
  seed_graph_singles (run);
  seed_graph_weekly (run);
  seed_caldav (run);
  calsync_test_client_init (&run->a, servers, "A");
  calsync_test_client_init (&run->b, servers, "B");
  calsync_test_client_init (&run->c, servers, "C");
}

void
calsync_two_way_sign_in (CalsyncTwoWay *run)
{
  CalsyncTestReport first_a = { 0 };
  CalsyncTestReport first_b = { 0 };

  calsync_test_client_sign_in (&run->a, 1);
  calsync_test_client_sign_in (&run->b, 2);
  calsync_two_way_checked_sync (run, &run->a, &first_a);
  g_assert_true (first_a.success);
  calsync_two_way_checked_sync (run, &run->b, &first_b);
  g_assert_true (first_b.success);
  calsync_test_report_clear (&first_a);
  calsync_test_report_clear (&first_b);
}

static void
print_counts (CalsyncTwoWay *run)
{
  g_autoptr(GString) text = g_string_new ("Counts: edits by A (kind: google/outlook/caldav):");
  guint total = 0;

  for (guint k = 0; k < CALSYNC_TEST_N_EDITS; k++)
    {
      g_string_append_printf (text, "\n  %s: %u/%u/%u", edit_names[k], run->edits[k][CALSYNC_TEST_GOOGLE],
                              run->edits[k][CALSYNC_TEST_OUTLOOK], run->edits[k][CALSYNC_TEST_CALDAV]);
      for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
        total += run->edits[k][p];
    }
  g_string_append_printf (text, "\n  total %u (refused by the CLI or store: %u)", total, run->edits_failed);
  g_string_append_printf (text, "\nserver edits (google/outlook/caldav): %u/%u/%u (of which by B's calsync: %u)",
                          run->server_edits[CALSYNC_TEST_GOOGLE], run->server_edits[CALSYNC_TEST_OUTLOOK],
                          run->server_edits[CALSYNC_TEST_CALDAV], run->server_edits_by_client);
  g_string_append_printf (text, "\nfaults (google 500/graph 503/radicale down): %u/%u/%u",
                          run->faults[CALSYNC_TEST_GOOGLE], run->faults[CALSYNC_TEST_OUTLOOK],
                          run->faults[CALSYNC_TEST_CALDAV]);
  g_string_append_printf (text, "\nsyncs %u, pushed %u, conflicts %u, changes checked %u, lost edits reported %u, "
                          "failures %u", run->syncs, run->pushed, run->conflicts, run->changes_checked,
                          run->lost_reported, run->failures->len);
  g_test_message ("%s", text->str);
}

void
calsync_two_way_finish (CalsyncTwoWay *run)
{
  print_counts (run);
  for (guint i = 0; i < run->failures->len; i++)
    g_test_message ("failure %u: %s", i + 1, (char *) g_ptr_array_index (run->failures, i));
  if (g_test_failed () || run->failures->len > 0)
    calsync_radicale_dump_log (run->servers.radicale);
  g_assert_cmpuint (run->failures->len, ==, 0);

  calsync_test_servers_stop (&run->servers);
  calsync_test_client_clear (&run->a);
  calsync_test_client_clear (&run->b);
  calsync_test_client_clear (&run->c);
  g_ptr_array_unref (run->failures);
  if (run->rand != NULL)
    g_rand_free (run->rand);
}
