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
 * The edits, the server-side changes and the checks are in
 * calsync-test-two-way.c, which test-fault-syncs.c shares. */
#include "config.h"


#include "calsync-test-two-way.h"

#define RADICALE_LIFETIME_S 390
#define DEFAULT_SEED 20261125
#define DEFAULT_STEPS 100
#define QUIET_ROUNDS 8

/* A's syncs, with faults ---------------------------------------------------------------- */

/* Makes @fault's server fail */
static void
fault_start (CalsyncTwoWay       *run,
             CalsyncTestProvider  fault)
{
  guint n;

  run->faults[fault]++;
  switch (fault)
    {
    case CALSYNC_TEST_GOOGLE:
      g_test_message ("fault: Google answers 500");
      calsync_fake_google_set_fault (run->servers.google, NULL, CALSYNC_FAKE_FAULT_SERVER_ERROR);
      break;
    case CALSYNC_TEST_OUTLOOK:
      n = g_rand_int_range (run->rand, 2, 7);
      g_test_message ("fault: Graph throttles the next %u requests (503)", n);
      calsync_fake_graph_set_throttle (run->servers.graph, 503, n, g_rand_int_range (run->rand, 0, 2));
      break;
    case CALSYNC_TEST_CALDAV:
    default:
      g_test_message ("fault: Radicale stopped");
      calsync_radicale_stop (run->servers.radicale);
      break;
    }
}

static void
fault_end (CalsyncTwoWay *run,
           int            fault)
{
  switch (fault)
    {
    case CALSYNC_TEST_GOOGLE:
      calsync_fake_google_set_fault (run->servers.google, NULL, CALSYNC_FAKE_FAULT_NONE);
      break;
    case CALSYNC_TEST_OUTLOOK:
      calsync_fake_graph_set_throttle (run->servers.graph, 503, 0, 0);
      break;
    case CALSYNC_TEST_CALDAV:
      calsync_radicale_restart (run->servers.radicale);
      break;
    default:
      break;
    }
}

static void
sync_a (CalsyncTwoWay *run)
{
  CalsyncTestReport report = { 0 };
  int fault = -1;

  if (g_rand_int_range (run->rand, 0, 3) == 0)
    {
      fault = calsync_two_way_random_provider (run);
      fault_start (run, fault);
    }
  calsync_two_way_checked_sync (run, &run->a, &report);
  fault_end (run, fault);
  calsync_test_report_clear (&report);
}

/* Syncs @client until a sync sends nothing, changes nothing and leaves its
 * outbox empty */
static void
sync_until_quiet (CalsyncTwoWay     *run,
                  CalsyncTestClient *client)
{
  for (guint round = 0; round < QUIET_ROUNDS; round++)
    {
      CalsyncTestReport report = { 0 };
      gboolean quiet;

      calsync_two_way_checked_sync (run, client, &report);
      quiet = calsync_test_report_is_quiet (&report) && calsync_test_client_outbox_size (client) == 0;
      calsync_test_report_clear (&report);
      if (quiet)
        {
          g_test_message ("%s quiet after %u syncs", client->name, round + 1);
          return;
        }
    }
  calsync_test_fail (run->failures, "%s not quiet after %u syncs", client->name, QUIET_ROUNDS);
}

/* The test ---------------------------------------------------------------------------------- */

/* Step @step: an edit by A, now and then one on a server and a sync */
static void
random_step (CalsyncTwoWay *run,
             guint          step)
{
  g_autofree char *when = g_strdup_printf ("step %u", step);

  calsync_two_way_edit_a (run, when);
  if (g_rand_int_range (run->rand, 0, 4) == 0)
    calsync_two_way_server_edit (run);
  if (g_rand_int_range (run->rand, 0, 5) == 0)
    sync_a (run);
}

/* C signs in afresh: A, B and C list the same events, each server what A lists */
static void
compare_clients (CalsyncTwoWay *run)
{
  CalsyncTestReport first_c = { 0 };
  g_autoptr(JsonNode) agenda_a = NULL;
  g_autoptr(JsonNode) agenda_b = NULL;
  g_autoptr(JsonNode) agenda_c = NULL;
  g_autoptr(GPtrArray) lines_a = NULL;
  g_autoptr(GPtrArray) lines_b = NULL;
  g_autoptr(GPtrArray) lines_c = NULL;

  calsync_test_client_sign_in (&run->c, 3);
  calsync_two_way_checked_sync (run, &run->c, &first_c);
  if (!first_c.success)
    calsync_test_fail (run->failures, "C's first sync failed: %s", first_c.messages->str);
  calsync_test_report_clear (&first_c);

  agenda_a = calsync_two_way_agenda (&run->a);
  agenda_b = calsync_two_way_agenda (&run->b);
  agenda_c = calsync_two_way_agenda (&run->c);
  lines_a = calsync_test_agenda_lines (&run->servers, agenda_a, NULL);
  lines_b = calsync_test_agenda_lines (&run->servers, agenda_b, NULL);
  lines_c = calsync_test_agenda_lines (&run->servers, agenda_c, NULL);
  calsync_two_way_compare_lines (run, "agenda", "A", lines_a, "C", lines_c);
  calsync_two_way_compare_lines (run, "agenda", "A", lines_a, "B", lines_b);
  calsync_two_way_compare_servers (run, agenda_a);
}

static void
test_random (void)
{
  CalsyncTwoWay run = { 0 };
  const char *seed_text = g_getenv ("CALSYNC_RANDOM_SEED");
  const char *steps_text = g_getenv ("CALSYNC_RANDOM_STEPS");
  const char *providers = g_getenv ("CALSYNC_RANDOM_PROVIDERS");
  guint steps = steps_text != NULL ? (guint) g_ascii_strtoull (steps_text, NULL, 10) : DEFAULT_STEPS;

  run.seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : DEFAULT_SEED;
  run.rand = g_rand_new_with_seed (run.seed);
  g_test_message ("seed %u (CALSYNC_RANDOM_SEED), %u steps, providers %s", run.seed, steps,
                  providers != NULL ? providers : "google,outlook,caldav");
  calsync_two_way_start (&run, "two-way-random", providers, RADICALE_LIFETIME_S);
  calsync_two_way_sign_in (&run);

  for (guint step = 1; step <= steps; step++)
    random_step (&run, step);

  sync_until_quiet (&run, &run.a);
  sync_until_quiet (&run, &run.b);
  /* B's last syncs may have sent nothing new, but A must have nothing left to learn */
  sync_until_quiet (&run, &run.a);

  compare_clients (&run);
  calsync_two_way_finish (&run);
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
event_by_key (CalsyncTestClient   *client,
              CalsyncTestProvider  provider,
              const char          *key)
{
  g_autoptr(GPtrArray) events = calsync_test_client_events (client, provider, TRUE);
  CalsyncEvent *event = calsync_test_find_event (events, key);

  g_assert_nonnull (event);
  return g_object_ref (event);
}

/* Another client retitles the CalDAV series (If-Match its etag) */
static void
retitle_weekly (CalsyncTwoWay *run)
{
  const char *href = CALSYNC_TWO_WAY_CALDAV_PATH "caldav-weekly.ics";
  g_autoptr(GHashTable) etags = calsync_radicale_list_etags (run->servers.radicale, CALSYNC_TEST_CALDAV_COLLECTION);
  const char *etag = g_hash_table_lookup (etags, href);
  g_autofree char *text = NULL;
  g_autofree char *edited = NULL;

  g_assert_nonnull (etag);
  text = calsync_two_way_caldav_get (run, href);
  edited = calsync_two_way_retitle_resource (text, "CalDAV weekly (theirs)");
  {
    const char * const headers[] = { "If-Match", etag, NULL };
    guint status = calsync_radicale_request (run->servers.radicale, "PUT", href, "text/calendar; charset=utf-8",
                                             edited, headers, NULL, NULL);

    g_assert_cmpuint (status / 100, ==, 2);
  }
}

/* Two instance deletes of one CalDAV series in one sync, another client's
 * change to the series made between them: the first delete loses (the
 * server's change is newer), the second wins. The instance whose delete lost
 * is still on the server, so it must come back in A. */
static void
test_caldav_lost_then_won (void)
{
  CalsyncTwoWay run = { 0 };
  g_autoptr(CalsyncEvent) x = NULL;
  g_autoptr(CalsyncEvent) y = NULL;
  g_autoptr(JsonNode) agenda_a = NULL;
  CalsyncTestReport report = { 0 };

  calsync_two_way_start (&run, "two-way-random", "caldav", RADICALE_LIFETIME_S);
  calsync_two_way_sign_in (&run);
  x = event_by_key (&run.a, CALSYNC_TEST_CALDAV, "caldav-weekly_20261211T080000Z");
  y = event_by_key (&run.a, CALSYNC_TEST_CALDAV, "caldav-weekly_20261218T080000Z");

  g_assert_cmpint (calsync_test_client_delete (&run.a, x), ==, 0);
  wait_next_second ();
  retitle_weekly (&run);
  wait_next_second ();
  g_assert_cmpint (calsync_test_client_delete (&run.a, y), ==, 0);

  calsync_two_way_checked_sync (&run, &run.a, &report);
  g_assert_cmpint (report.conflicts, ==, 2);
  calsync_test_report_clear (&report);
  sync_until_quiet (&run, &run.a);

  agenda_a = calsync_two_way_agenda (&run.a);
  calsync_two_way_compare_servers (&run, agenda_a);
  calsync_two_way_finish (&run);
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
