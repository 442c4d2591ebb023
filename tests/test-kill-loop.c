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

#include "calsync-fake-peek.h"
#include "calsync-test-clients.h"
#include "calsync-test-sync.h"

#define RADICALE_LIFETIME_S 1800
#define DEFAULT_SEED 20261125
#define DEFAULT_KILLS 10
#define DEFAULT_EVENTS 600
#define CALDAV_EVENTS 120
#define PAGE_SIZE 40
#define QUIET_ROUNDS 8
#define TIMEOUT_MS 120000

#define GRAPH_CALENDAR "AAMkAGKillCalendar"
#define NOW "2026-11-25T12:00:00+01:00"
#define PRODID "-//CalSync kill loop//EN"

/* Wider than the sync window: the agenda lists what the window kept */
#define AGENDA_FROM "2026-08-01"
#define AGENDA_TO "2027-12-31"

#define N_PROVIDERS CALSYNC_TEST_N_PROVIDERS

typedef CalsyncTestProvider Provider;

static const char * const *provider_names = calsync_test_provider_names;

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
  CalsyncTestServers servers;
  CalsyncTestClient client;       /* the calsync killed again and again (A) */
  char *db_path;
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
      sqlite3_bind_int64 (stmt, 1, loop->client.calendar_ids[p]);
      g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
      g_free (cursors[p]);
      cursors[p] = g_strdup (sqlite3_column_text (stmt, 0) != NULL ? (const char *) sqlite3_column_text (stmt, 0) : "");
      sqlite3_finalize (stmt);
    }
  sqlite3_close (db);
}

/* The outbox ------------------------------------------------------------------------ */

static gboolean
outbox_has (GHashTable *changes,
            Provider    provider)
{
  GHashTableIter iter;
  CalsyncTestChange *change;

  g_hash_table_iter_init (&iter, changes);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &change))
    if (change->provider == provider)
      return TRUE;
  return FALSE;
}

/* @change left the outbox: on its server, or (when @messages is not NULL: a
 * sync that ended) its title is in @messages */
static void
check_change (Loop               *loop,
              GPtrArray         **snapshots,
              CalsyncTestChange  *change,
              const char         *messages,
              const char         *when)
{
  CalsyncTestSnap *snap = NULL;
  g_autofree char *line = NULL;

  if (snapshots[change->provider] == NULL)
    snapshots[change->provider] = calsync_test_servers_snapshot (&loop->servers, change->provider);
  if (calsync_test_change_on_server (change, snapshots[change->provider], &snap))
    {
      loop->on_server++;
      return;
    }
  if (messages != NULL && change->title != NULL && *change->title != '\0' && strstr (messages, change->title))
    {
      loop->reported++;
      g_test_message ("lost and reported: %s %s “%s”", provider_names[change->provider],
                      calsync_test_change_kind (change), change->title);
      return;
    }
  line = snap != NULL ? g_strdup_printf ("%s|%s|%s", snap->key, snap->title, snap->when) : NULL;
  calsync_test_fail (loop->failures, "%s: the %s of “%s” (%s %s, %s) left the outbox and is %s%s%s", when,
                     calsync_test_change_kind (change), change->title, provider_names[change->provider], change->key,
                     change->when, change->kind == CALSYNC_OUTBOX_DELETE ? "still on the server" : line != NULL ?
                     "on the server as " : "not on the server", line != NULL ? line : "",
                     messages != NULL ? ", and the report does not name it" : " (a killed sync names nothing)");
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
  g_autoptr(GHashTable) after = calsync_test_client_outbox (&loop->client);
  g_autoptr(GPtrArray) left = calsync_test_outbox_left (before, after);
  GPtrArray *snapshots[N_PROVIDERS] = { NULL };

  loop->changes_checked += left->len;
  for (guint i = 0; i < left->len; i++)
    check_change (loop, snapshots, g_ptr_array_index (left, i), messages, when);
  for (guint p = 0; p < N_PROVIDERS; p++)
    g_clear_pointer (&snapshots[p], g_ptr_array_unref);
  return left->len;
}

/* Local edits ------------------------------------------------------------------------- */

static char *
new_title (Loop       *loop,
           const char *what,
           Provider    provider)
{
  return g_strdup_printf ("K%04u %s %s", ++loop->serial, what, provider_names[provider]);
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
      g_autofree char *start_date = calsync_test_add_days ("2026-12-01", day);
      g_autofree char *end_date = calsync_test_add_days (start_date, g_rand_int_range (loop->rand, 1, 3));

      text = calsync_test_vevent_text (PRODID, uid, title, TRUE, 0, 0, start_date, end_date);
    }
  else
    {
      gint64 start = calsync_test_instant ("2026-12-01T07:00:00Z") + (gint64) day * 86400 +
                     (gint64) g_rand_int_range (loop->rand, 0, 20) * 1800;

      text = calsync_test_vevent_text (PRODID, uid, title, FALSE, start,
                                       start + (gint64) g_rand_int_range (loop->rand, 1, 5) * 900, NULL, NULL);
    }
  return calsync_test_client_import (&loop->client, provider, text) == 0;
}

static gboolean
edit_event (Loop     *loop,
            Provider  provider,
            gboolean  instance)
{
  g_autoptr(CalsyncEvent) picked = calsync_test_client_pick_event (&loop->client, provider, instance, loop->rand);
  g_autoptr(CalsyncEvent) event = NULL;
  g_autofree char *title = NULL;

  if (picked == NULL)
    return edit_create (loop, provider);
  event = calsync_event_copy (picked);
  title = new_title (loop, instance ? "instance" : "edit", provider);
  calsync_test_move_event (loop->rand, event, title);
  /* Instances through the store (the editor's way); single events either way */
  return calsync_test_client_save (&loop->client, provider, event, instance || g_rand_boolean (loop->rand), PRODID);
}

static gboolean
edit_delete (Loop     *loop,
             Provider  provider,
             gboolean  instance)
{
  g_autoptr(CalsyncEvent) event = calsync_test_client_pick_event (&loop->client, provider, instance, loop->rand);

  if (event == NULL)
    return edit_create (loop, provider);
  return calsync_test_client_delete (&loop->client, event) == 0;
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

static void
sync_to_end (Loop              *loop,
             CalsyncTestReport *report,
             const char        *when)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(GHashTable) before = calsync_test_client_outbox (&loop->client);
  g_autofree char *out = NULL;
  int status = calsync_test_client_run (&loop->client, NULL, &out, NULL, args);
  const char *messages;

  g_assert_cmpint (status, <=, 1);
  calsync_test_report_read (report, status, out);
  messages = report->messages->str;
  g_test_message ("sync (%s): success %d, pushed %" G_GINT64_FORMAT ", conflicts %" G_GINT64_FORMAT
                  ", changed %" G_GINT64_FORMAT "%s%s", when, report->success, report->pushed, report->conflicts,
                  report->changed, *messages ? "\n" : "", messages);
  /* Nobody else writes to these servers: a conflict could only be with a
   * change of our own that the server took before a kill (a phantom) */
  if (report->conflicts > 0)
    calsync_test_fail (loop->failures, "%s: %" G_GINT64_FORMAT " conflicts reported, though only this calsync "
                       "writes to the servers:\n%s", when, report->conflicts, messages);
  if (!report->success)
    calsync_test_fail (loop->failures, "%s: the sync failed:\n%s", when, messages);
  check_left (loop, before, messages, when);
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
  Provider provider = server == calsync_fake_google_peek_server (loop->servers.google) ? CALSYNC_TEST_GOOGLE
                                                                                       : CALSYNC_TEST_OUTLOOK;
  const char *marker = provider == CALSYNC_TEST_GOOGLE ? "\"nextSyncToken\"" : "\"@odata.deltaLink\"";
  const char *listing = provider == CALSYNC_TEST_GOOGLE ? "/events" : "/delta";
  SoupMessageBody *body = soup_server_message_get_response_body (message);
  g_autoptr(GBytes) bytes = NULL;
  gsize size = 0;
  const char *data;

  if (soup_server_message_get_status (message) != 200 ||
      strstr (g_uri_get_path (soup_server_message_get_uri (message)), listing) == NULL)
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
  return provider == CALSYNC_TEST_GOOGLE ? calsync_fake_google_get_n_requests (loop->servers.google)
                                         : calsync_fake_graph_get_n_requests_of (loop->servers.graph, "delta");
}

static gboolean
pages_asked (gpointer data)
{
  PageWait *wait = data;

  return listing_requests (wait->loop, wait->provider) >= wait->requests ||
         calsync_test_child_is_done (wait->loop->child);
}

static gboolean
writes_stalled (Loop *loop)
{
  return calsync_fake_google_get_n_stalled (loop->servers.google) > 0 ||
         calsync_fake_graph_get_n_stalled (loop->servers.graph) > 0;
}

static gboolean
stalled (gpointer data)
{
  Loop *loop = data;

  return writes_stalled (loop) || calsync_test_child_is_done (loop->child);
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
  calsync_fake_google_expire_sync_tokens (loop->servers.google);
  calsync_fake_graph_expire_delta_links (loop->servers.graph);
}

/* One kill: what it aimed at, the state before it, and the killed run */
typedef struct
{
  Target target;
  Provider provider;
  GHashTable *before;             /* the outbox */
  gboolean pending_before;
  char *cursors_before[N_PROVIDERS];
  char *cursors_after[N_PROVIDERS];
  guint requests_before[N_PROVIDERS];
  guint last_pages_before[N_PROVIDERS];
  gboolean write_held;
  CalsyncTestRun *run;
} Kill;

static void
kill_clear (Kill *kill)
{
  g_clear_pointer (&kill->before, g_hash_table_unref);
  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      g_free (kill->cursors_before[p]);
      g_free (kill->cursors_after[p]);
    }
  g_clear_pointer (&kill->run, calsync_test_run_free);
}

/* Chooses the moment, and prepares the servers and the outbox for it */
static void
kill_aim (Loop *loop,
          Kill *kill)
{
  kill->before = calsync_test_client_outbox (&loop->client);
  kill->target = g_rand_int_range (loop->rand, 0, N_TARGETS);
  kill->provider = g_rand_boolean (loop->rand) ? CALSYNC_TEST_GOOGLE : CALSYNC_TEST_OUTLOOK;
  kill->pending_before = g_hash_table_size (kill->before) > 0;

  /* A push needs something to send to the server that holds its answer */
  if (kill->target == T_PUSH && !outbox_has (kill->before, kill->provider))
    {
      local_edit (loop, kill->provider);
      g_hash_table_unref (kill->before);
      kill->before = calsync_test_client_outbox (&loop->client);
      kill->pending_before = TRUE;
    }
  if (kill->target == T_PAGES || kill->target == T_CURSOR || g_rand_int_range (loop->rand, 0, 3) == 0)
    expire_cursors (loop);

  read_cursors (loop, kill->cursors_before);
  for (guint p = 0; p < CALSYNC_TEST_CALDAV; p++)
    kill->requests_before[p] = listing_requests (loop, p);
  memcpy (kill->last_pages_before, loop->last_pages, sizeof kill->last_pages_before);
  loop->aim_last_page = kill->target == T_CURSOR ? (int) kill->provider : -1;
  loop->shot = FALSE;
  if (kill->target == T_PUSH && kill->provider == CALSYNC_TEST_GOOGLE)
    calsync_fake_google_set_stall_writes (loop->servers.google, TRUE);
  else if (kill->target == T_PUSH)
    calsync_fake_graph_set_write_fault (loop->servers.graph, CALSYNC_FAKE_GRAPH_FAULT_STALL);
}

/* Waits for the moment aimed at (or the end of the sync) */
static void
kill_wait (Loop *loop,
           Kill *kill)
{
  switch (kill->target)
    {
    case T_PAGES:
      {
        /* The full listing is about DEFAULT_EVENTS × 1.3 / PAGE_SIZE pages */
        PageWait wait = { loop, kill->provider,
                          kill->requests_before[kill->provider] + g_rand_int_range (loop->rand, 2, 12) };

        calsync_test_wait_until (pages_asked, &wait, TIMEOUT_MS);
      }
      break;
    case T_CURSOR:
      calsync_test_wait_until (shot_or_done, loop, TIMEOUT_MS);
      break;
    case T_PUSH:
      calsync_test_wait_until (stalled, loop, TIMEOUT_MS);
      kill->write_held = writes_stalled (loop);
      break;
    case T_RANDOM:
    default:
      /* A sync with a full listing takes a few hundred ms here */
      calsync_test_wait_until (child_done, loop->child, g_rand_int_range (loop->rand, 0, 400));
      break;
    }
}

/* Starts `calsync --sync`, kills it at the moment aimed at, and lets the
 * servers answer again */
static void
kill_shoot (Loop *loop,
            Kill *kill)
{
  const char *args[] = { "--sync", "--json", NULL };

  loop->targets[kill->target]++;
  loop->child = calsync_test_child_spawn (loop->client.dir, args, NULL);
  kill_wait (loop, kill);
  if (!loop->shot)
    calsync_test_child_kill (loop->child);
  kill->run = calsync_test_child_finish (loop->child, TIMEOUT_MS);
  loop->child = NULL;
  loop->aim_last_page = -1;
  g_assert_nonnull (kill->run);
  if (kill->target == T_PUSH)
    {
      calsync_fake_google_set_stall_writes (loop->servers.google, FALSE);
      calsync_fake_graph_set_write_fault (loop->servers.graph, CALSYNC_FAKE_GRAPH_FAULT_NONE);
      calsync_fake_graph_release_stalled (loop->servers.graph);
    }
  loop->kills++;
}

/* The database is whole */
static char *
kill_check_integrity (Loop  *loop,
                      Kill  *kill,
                      guint  number)
{
  char *integrity = integrity_check (loop);

  if (g_strcmp0 (integrity, "ok") == 0)
    loop->integrity_ok++;
  else
    {
      loop->integrity_bad++;
      calsync_test_fail (loop->failures, "kill %u (%s): PRAGMA integrity_check says %s", number,
                         target_names[kill->target], integrity);
    }
  return integrity;
}

/* Where it landed: the moment aimed at, when it was reached; else the first
 * that holds */
static Landing
kill_landing (Loop *loop,
              Kill *kill)
{
  gboolean listing = FALSE, unsaved = FALSE, all_saved = TRUE, last_sent = FALSE, pushing;
  g_autoptr(GHashTable) after = calsync_test_client_outbox (&loop->client);

  read_cursors (loop, kill->cursors_after);
  for (guint p = 0; p < CALSYNC_TEST_CALDAV; p++)
    {
      gboolean saved = g_strcmp0 (kill->cursors_before[p], kill->cursors_after[p]) != 0;
      gboolean listed = listing_requests (loop, p) > kill->requests_before[p];

      listing = listing || listed;
      all_saved = all_saved && saved;
      unsaved = unsaved || (!saved && listed);
      last_sent = last_sent || (!saved && loop->last_pages[p] > kill->last_pages_before[p]);
    }
  pushing = kill->write_held || (kill->pending_before && g_hash_table_size (after) > 0 &&
                                 g_hash_table_size (after) < g_hash_table_size (kill->before));

  if (kill->run->signal != SIGKILL)
    return L_FINISHED;
  if (kill->target == T_CURSOR && last_sent)
    return L_CURSOR;
  if (kill->target == T_PAGES && unsaved && !last_sent)
    return L_PAGES;
  return pushing ? L_PUSH : last_sent ? L_CURSOR : unsaved ? L_PAGES : !listing ? L_BEFORE
         : all_saved ? L_AFTER : L_PAGES;
}

/* What left the outbox is on the servers (a sync that ended before the kill:
 * or in its report, with no conflict) */
static void
kill_check_outbox (Loop       *loop,
                   Kill       *kill,
                   const char *when,
                   const char *integrity)
{
  CalsyncTestRun *run = kill->run;
  guint left;

  if (run->signal != SIGKILL)
    {
      g_autoptr(JsonNode) root = calsync_test_parse_json (run->out);
      gint64 conflicts = json_object_get_int_member (json_node_get_object (root), "conflicts");

      if (conflicts > 0)
        calsync_test_fail (loop->failures, "%s: %" G_GINT64_FORMAT " conflicts reported, though only this calsync "
                           "writes to the servers: %s", when, conflicts, run->out);
    }
  left = check_left (loop, kill->before, run->signal == SIGKILL ? NULL : run->out, when);
  g_test_message ("%s: integrity %s, %u changes left the outbox, %u pending", when, integrity, left,
                  calsync_test_client_outbox_size (&loop->client));
  if (run->signal != SIGKILL && run->status > 1)
    calsync_test_fail (loop->failures, "%s: calsync exited %d: %s", when, run->status, run->err);
}

static void
kill_once (Loop  *loop,
           guint  number)
{
  Kill kill = { 0 };
  g_autofree char *integrity = NULL;
  g_autofree char *when = NULL;
  Landing landing;

  kill_aim (loop, &kill);
  kill_shoot (loop, &kill);
  integrity = kill_check_integrity (loop, &kill, number);
  landing = kill_landing (loop, &kill);
  loop->landed[landing]++;
  when = g_strdup_printf ("kill %u (aimed at %s %s, landed: %s)", number, target_names[kill.target],
                          provider_names[kill.provider], landing_names[landing]);
  kill_check_outbox (loop, &kill, when, integrity);
  kill_clear (&kill);
}

/* Convergence ------------------------------------------------------------------------- */

static void
sync_until_quiet (Loop *loop)
{
  for (guint round = 1; round <= QUIET_ROUNDS; round++)
    {
      g_autofree char *when = g_strdup_printf ("converging, sync %u", round);
      CalsyncTestReport report = { 0 };
      gboolean quiet;

      sync_to_end (loop, &report, when);
      quiet = calsync_test_report_is_quiet (&report) && calsync_test_client_outbox_size (&loop->client) == 0;
      calsync_test_report_clear (&report);
      if (quiet)
        {
          loop->syncs_to_converge = round;
          return;
        }
    }
  calsync_test_fail (loop->failures, "not quiet after %u syncs", QUIET_ROUNDS);
}

/* The local store lists exactly what @provider's server holds */
static void
compare_calendar (Loop     *loop,
                  JsonNode *agenda,
                  Provider  provider)
{
  const char *name = provider_names[provider];
  g_autoptr(GPtrArray) local = calsync_test_agenda_lines (&loop->servers, agenda,
                                                          calsync_test_synced_calendars[provider]);
  g_autoptr(GPtrArray) snaps = calsync_test_servers_snapshot (&loop->servers, provider);
  g_autoptr(GPtrArray) server = calsync_test_snap_lines (snaps);
  g_autoptr(GPtrArray) only_local = calsync_test_lines_only_in (local, server);
  g_autoptr(GPtrArray) only_server = calsync_test_lines_only_in (server, local);
  guint differences = only_local->len + only_server->len;

  for (guint i = 0; i < only_local->len && i < 20; i++)
    calsync_test_fail (loop->failures, "%s: only the local store has %s", name,
                       (char *) g_ptr_array_index (only_local, i));
  for (guint i = 0; i < only_server->len && only_local->len + i < 20; i++)
    calsync_test_fail (loop->failures, "%s: only the server has %s", name, (char *) g_ptr_array_index (only_server, i));
  g_test_message ("%s: local %u events, server %u, %u differences", name, local->len, server->len, differences);
  if (local->len == 0)
    calsync_test_fail (loop->failures, "%s: nothing stored", name);
}

static void
compare_with_servers (Loop *loop)
{
  g_autoptr(JsonNode) agenda = calsync_test_client_agenda (&loop->client, AGENDA_FROM, AGENDA_TO);

  for (guint p = 0; p < N_PROVIDERS; p++)
    compare_calendar (loop, agenda, p);
}

/* Seeds -------------------------------------------------------------------------------- */

/* Event @i of the CalDAV calendar: every tenth a weekly series */
static char *
caldav_event (guint i)
{
  g_autofree char *uid = g_strdup_printf ("caldav-%04u", i);
  g_autofree char *title = g_strdup_printf ("CalDAV %u", i);
  gint64 start = calsync_test_instant ("2026-09-01T08:00:00Z") + (gint64) i * 3 * 86400 + (i % 7) * 3600;
  g_autofree char *s = NULL;

  if (i % 10 != 0)
    return calsync_test_vevent_text (PRODID, uid, title, FALSE, start, start + 3600, NULL, NULL);
  s = calsync_test_utc_stamp (start);
  return g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other App//EN\r\n"
                          "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20261101T000000Z\r\n"
                          "LAST-MODIFIED:20261101T000000Z\r\nDTSTART:%s\r\nDURATION:PT1H\r\n"
                          "RRULE:FREQ=WEEKLY;COUNT=6\r\nSUMMARY:%s weekly\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                          uid, s, title);
}

static void
seed_caldav (Loop *loop)
{
  CalsyncRadicale *radicale = loop->servers.radicale;
  g_autofree char *folder = NULL;

  /* Many resources at once: written into the storage while Radicale is stopped */
  calsync_radicale_stop (radicale);
  folder = calsync_radicale_collection_dir (radicale, CALSYNC_TEST_CALDAV_COLLECTION);
  for (guint i = 0; i < CALDAV_EVENTS; i++)
    {
      g_autofree char *path = g_strdup_printf ("%s/caldav-%04u.ics", folder, i);
      g_autofree char *text = caldav_event (i);

      g_assert_true (g_file_set_contents (path, text, -1, NULL));
    }
  calsync_radicale_restart (radicale);
}

/* Big calendars of series on the fakes, in small pages whose bodies can be
 * read back (the last page is the one with nextSyncToken or deltaLink) */
static void
seed_fakes (Loop *loop)
{
  const char *events_text = g_getenv ("CALSYNC_KILL_EVENTS");
  guint n_events = events_text != NULL ? (guint) g_ascii_strtoull (events_text, NULL, 10) : DEFAULT_EVENTS;
  gint64 now = calsync_test_instant (NOW);
  CalsyncFakeGoogle *google = loop->servers.google;
  CalsyncFakeGraph *graph = loop->servers.graph;
  guint n_google, n_graph;

  n_google = calsync_fake_google_generate_series (google, CALSYNC_TEST_GOOGLE_CALENDAR, n_events, now);
  calsync_fake_google_set_page_size (google, PAGE_SIZE);
  calsync_fake_google_set_gzip (google, CALSYNC_FAKE_GZIP_NEVER);
  n_graph = calsync_fake_graph_generate_series (graph, GRAPH_CALENDAR, n_events, now);
  calsync_fake_graph_set_page_size (graph, PAGE_SIZE);
  calsync_fake_graph_set_gzip (graph, FALSE);
  g_signal_connect (calsync_fake_google_peek_server (google), "request-finished", G_CALLBACK (on_request_finished),
                    loop);
  g_signal_connect (calsync_fake_graph_peek_server (graph), "request-finished", G_CALLBACK (on_request_finished),
                    loop);
  g_test_message ("servers: Google %u instances, Graph %u, CalDAV %u resources; pages of %u", n_google, n_graph,
                  CALDAV_EVENTS, PAGE_SIZE);
}

static void
loop_start (Loop *loop)
{
  CalsyncTestReport first = { 0 };

  loop->failures = g_ptr_array_new_with_free_func (g_free);
  loop->aim_last_page = -1;
  for (guint p = 0; p < N_PROVIDERS; p++)
    loop->servers.enabled[p] = TRUE;
  loop->servers.graph_calendar = GRAPH_CALENDAR;
  calsync_test_servers_start (&loop->servers, "kill-loop", "2026-08-25T12:00:00+02:00", "2027-11-25T12:00:00+01:00",
                              RADICALE_LIFETIME_S);
  calsync_test_client_init (&loop->client, &loop->servers, "A");
  loop->client.failures = loop->failures;
  loop->db_path = g_build_filename (loop->client.dir, "calsync", "calsync.db", NULL);
  seed_fakes (loop);
  seed_caldav (loop);

  calsync_test_client_sign_in (&loop->client, 0);
  sync_to_end (loop, &first, "first sync");
  g_assert_true (first.success);
  calsync_test_report_clear (&first);
}

static void
print_summary (Loop *loop)
{
  g_autoptr(GString) text = g_string_new (NULL);

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
}

static void
loop_finish (Loop *loop)
{
  if (loop->failures->len > 0)
    calsync_radicale_dump_log (loop->servers.radicale);
  g_signal_handlers_disconnect_by_data (calsync_fake_google_peek_server (loop->servers.google), loop);
  g_signal_handlers_disconnect_by_data (calsync_fake_graph_peek_server (loop->servers.graph), loop);
  calsync_test_servers_stop (&loop->servers);
  calsync_test_client_clear (&loop->client);
  g_free (loop->db_path);
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
