/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-fault-syncs.c: syncs under injected faults. Client A (a real `calsync
 * --sync --json` process each time) talks to the fake Google, the fake Graph
 * and Radicale through fault proxies (tests/fakes/calsync-fault-proxy.h) that
 * answer a random share of its requests with a fault: 401 (the token is
 * refused from then on: only a refreshed one gets through), Google's 403
 * rateLimitExceeded, 429 with and without Retry-After, 500/502/503, a
 * connection dropped in the middle of the body, a truncated JSON or XML body,
 * a slow answer, a redirect on the same origin and one to another origin
 * (which must never receive a credential). Before each sync A makes random
 * local edits, and the servers change under it (client B, as in
 * test-two-way-random.c: calsync-test-two-way.h).
 *
 * For every sync: no crash (exit status 0 or 1, never a signal, no sanitizer
 * report, no critical warning), no hang (it ends within HANG_BUDGET_S, the
 * whole deadline of one request), one JSON object on stdout, and no lost local
 * edit (each change that left the outbox is on its server or named in the
 * report). Then the faults stop, and one sync converges: it succeeds, leaves
 * the outbox empty, and A lists exactly what each server holds.
 *
 * CALSYNC_FAULT_SYNCS: the number of faulted syncs (50); CALSYNC_RANDOM_SEED:
 * the seed. bench/faults.sh runs 1,000 and prints the figures (the lines
 * "# figures: …" of this test). */
#include "config.h"

#include <string.h>

#include "calsync-fault-proxy.h"
#include "calsync-test-two-way.h"

#define DEFAULT_FAULT_SYNCS 50
#define DEFAULT_FAULT_SEED 20261126
/* A request ends after 120 s in all, waits and tries included (calsync-http.c);
 * the faults here are all far shorter, so a sync that takes longer hangs */
#define HANG_BUDGET_S 120
#define MAX_EDITS_PER_SYNC 3
#define MIN_RATE 0.03
#define MAX_RATE 0.30

typedef struct
{
  CalsyncTwoWay run;
  CalsyncFaultProxy *proxies[CALSYNC_TEST_N_PROVIDERS];
  const char *env[7];
  guint n_syncs;
  guint crashes;
  guint hangs;
  guint lost;
  guint bad_output;
  guint failed_syncs;      /* exit status 1: a calendar failed under the faults (allowed) */
  gint64 max_sync_us;
  gint64 total_sync_us;
} FaultRun;

/* One sync, timed ------------------------------------------------------------------ */

typedef struct
{
  GSubprocess *process;
  gboolean hung;
} HangWatch;

static gboolean
on_hang (gpointer user_data)
{
  HangWatch *watch = user_data;

  watch->hung = TRUE;
  g_subprocess_force_exit (watch->process);
  return G_SOURCE_REMOVE;
}

static gboolean
stderr_reports_crash (const char *err)
{
  return err != NULL && (strstr (err, "Sanitizer") != NULL || strstr (err, "runtime error:") != NULL ||
                         strstr (err, "CRITICAL") != NULL || strstr (err, "ERROR:") != NULL);
}

/* A finished `calsync --sync --json` of A */
typedef struct
{
  GSubprocess *process;
  char *out;
  char *err;
  gboolean hung;
  gint64 elapsed;
} FaultSync;

static void
fault_sync_clear (FaultSync *sync)
{
  g_clear_object (&sync->process);
  g_clear_pointer (&sync->out, g_free);
  g_clear_pointer (&sync->err, g_free);
}

/* Runs A's sync to its end, or until it ran HANG_BUDGET_S */
static void
fault_sync_run (FaultRun  *fr,
                FaultSync *sync)
{
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_client_new_launcher (&fr->run.a, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  HangWatch watch = { NULL, FALSE };
  guint watch_id;
  gint64 started;

  sync->process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  watch.process = sync->process;
  started = g_get_monotonic_time ();
  watch_id = g_timeout_add_seconds (HANG_BUDGET_S, on_hang, &watch);
  g_subprocess_communicate_utf8_async (sync->process, NULL, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (sync->process, calsync_test_spin (&result), &sync->out,
                                                       &sync->err, &error));
  g_assert_no_error (error);
  sync->elapsed = g_get_monotonic_time () - started;
  sync->hung = watch.hung;
  if (!watch.hung)
    g_source_remove (watch_id);
  fr->n_syncs++;
  fr->total_sync_us += sync->elapsed;
  fr->max_sync_us = MAX (fr->max_sync_us, sync->elapsed);
}

/* Counts and fails a sync that hung, crashed or printed no report */
static gboolean
fault_sync_broken (FaultRun  *fr,
                   FaultSync *sync)
{
  GPtrArray *failures = fr->run.failures;
  g_autoptr(JsonParser) parser = json_parser_new ();
  int sig;
  int status;

  if (sync->hung)
    {
      fr->hangs++;
      calsync_test_fail (failures, "sync %u hung: still running after %d s\nstderr: %s", fr->n_syncs, HANG_BUDGET_S,
                         sync->err);
      return TRUE;
    }
  if (!g_subprocess_get_if_exited (sync->process))
    {
      fr->crashes++;
      sig = g_subprocess_get_term_sig (sync->process);
      calsync_test_fail (failures, "sync %u ended by signal %d (%s)\nstderr: %s", fr->n_syncs, sig, g_strsignal (sig),
                         sync->err);
      return TRUE;
    }
  status = g_subprocess_get_exit_status (sync->process);
  if (status > 1 || stderr_reports_crash (sync->err))
    {
      fr->crashes++;
      calsync_test_fail (failures, "sync %u exited with %d\nstderr: %s", fr->n_syncs, status, sync->err);
      return TRUE;
    }
  if (!json_parser_load_from_data (parser, sync->out, -1, NULL) ||
      !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fr->bad_output++;
      calsync_test_fail (failures, "sync %u printed no JSON object: %s\nstderr: %s", fr->n_syncs, sync->out, sync->err);
      return TRUE;
    }
  return FALSE;
}

/* What the requests of a sync that failed met, for the log */
static void
log_requests (const char *err)
{
  g_auto(GStrv) lines = g_strsplit (err != NULL ? err : "", "\n", -1);

  for (guint i = 0; lines[i] != NULL; i++)
    if (strstr (lines[i], "calsync-http") != NULL || strstr (lines[i], "calsync-sync") != NULL)
      g_test_message ("  %s", lines[i]);
}

/* A's sync: FALSE when it crashed, hung or printed no report (counted) */
static gboolean
fault_sync (FaultRun          *fr,
            CalsyncTestReport *report)
{
  FaultSync sync = { 0 };
  int status;

  fault_sync_run (fr, &sync);
  if (fault_sync_broken (fr, &sync))
    {
      fault_sync_clear (&sync);
      return FALSE;
    }
  status = g_subprocess_get_exit_status (sync.process);
  if (status == 1)
    {
      fr->failed_syncs++;
      log_requests (sync.err);
    }
  g_test_message ("sync %u: exit %d in %.2f s", fr->n_syncs, status, sync.elapsed / 1e6);
  calsync_two_way_read_report (&fr->run, &fr->run.a, status, sync.out, report);
  fault_sync_clear (&sync);
  return TRUE;
}

/* A's sync, its outbox checked as calsync_two_way_checked_sync() does */
static gboolean
fault_checked_sync (FaultRun          *fr,
                    CalsyncTestReport *report)
{
  CalsyncTwoWay *run = &fr->run;
  g_autoptr(GHashTable) before = calsync_test_client_outbox (&run->a);
  guint failures = run->failures->len;

  if (!fault_sync (fr, report))
    return FALSE;
  run->pushed += report->pushed;
  run->conflicts += report->conflicts;
  calsync_two_way_check_left (run, &run->a, before, report);
  fr->lost += run->failures->len - failures;
  return TRUE;
}

/* Setting up --------------------------------------------------------------------- */

static void
set_rate (FaultRun *fr,
          double    rate)
{
  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    calsync_fault_proxy_set_rate (fr->proxies[p], rate);
}

static void
fault_run_start (FaultRun *fr,
                 guint     n_syncs)
{
  CalsyncTwoWay *run = &fr->run;
  CalsyncTestServers *servers = &run->servers;

  /* Radicale's lifetime bounds it should the test die: room for every sync */
  calsync_two_way_start (run, "fault-syncs", NULL, 120 + n_syncs * 15);
  fr->proxies[CALSYNC_TEST_GOOGLE] = calsync_fault_proxy_new (calsync_fake_google_get_api_url (servers->google),
                                                              CALSYNC_FAULT_FLAVOUR_GOOGLE, run->seed + 1);
  fr->proxies[CALSYNC_TEST_OUTLOOK] = calsync_fault_proxy_new (calsync_fake_graph_get_api_url (servers->graph),
                                                               CALSYNC_FAULT_FLAVOUR_GRAPH, run->seed + 2);
  fr->proxies[CALSYNC_TEST_CALDAV] = calsync_fault_proxy_new (calsync_radicale_get_url (servers->radicale),
                                                              CALSYNC_FAULT_FLAVOUR_CALDAV, run->seed + 3);
  fr->env[0] = "CALSYNC_GOOGLE_API_URL";
  fr->env[1] = calsync_fault_proxy_get_url (fr->proxies[CALSYNC_TEST_GOOGLE]);
  fr->env[2] = "CALSYNC_GRAPH_API_URL";
  fr->env[3] = calsync_fault_proxy_get_url (fr->proxies[CALSYNC_TEST_OUTLOOK]);
  /* What the requests met, on stderr: shown for the syncs that fail */
  fr->env[4] = "G_MESSAGES_DEBUG";
  fr->env[5] = "calsync-http calsync-sync calsync-google calsync-outlook calsync-caldav";
  fr->env[6] = NULL;

  /* A behind the proxies, B straight to the servers */
  run->a.env = fr->env;
  run->a.caldav_url = calsync_fault_proxy_get_url (fr->proxies[CALSYNC_TEST_CALDAV]);
  calsync_two_way_sign_in (run);
}

/* The figures ---------------------------------------------------------------------- */

/* "401 2, 403 rateLimitExceeded 2, …": the faults of all proxies by kind */
static char *
faults_by_kind (FaultRun *fr,
                guint    *n_faults)
{
  GString *kinds = g_string_new (NULL);

  *n_faults = 0;
  for (guint f = 0; f < CALSYNC_N_FAULTS; f++)
    {
      guint n = 0;

      for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
        n += calsync_fault_proxy_get_count (fr->proxies[p], f);
      *n_faults += n;
      g_string_append_printf (kinds, "%s%s %u", kinds->len ? ", " : "", calsync_fault_name (f), n);
    }
  return g_string_free (kinds, FALSE);
}

/* A's local edits of @kind in all calendars */
static guint
edits_of (CalsyncTwoWay   *run,
          CalsyncTestEdit  kind)
{
  guint n = 0;

  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    n += run->edits[kind][p];
  return n;
}

static void
print_edit_figures (CalsyncTwoWay *run)
{
  guint n_edits = 0;

  for (guint k = 0; k < CALSYNC_TEST_N_EDITS; k++)
    n_edits += edits_of (run, k);
  g_test_message ("figures: local edits %u (create %u, edit %u, delete %u, instance edit %u, instance delete %u), "
                  "server edits %u, pushed %u, conflicts %u, lost and reported %u", n_edits,
                  edits_of (run, CALSYNC_TEST_CREATE), edits_of (run, CALSYNC_TEST_EDIT),
                  edits_of (run, CALSYNC_TEST_DELETE), edits_of (run, CALSYNC_TEST_INSTANCE_EDIT),
                  edits_of (run, CALSYNC_TEST_INSTANCE_DELETE),
                  run->server_edits[0] + run->server_edits[1] + run->server_edits[2], run->pushed, run->conflicts,
                  run->lost_reported);
}

static void
print_figures (FaultRun *fr,
               gint64    started)
{
  CalsyncTwoWay *run = &fr->run;
  double minutes = (g_get_monotonic_time () - started) / 6e7;
  guint n_faults = 0, n_requests = 0, n_leaks = 0;
  g_autofree char *kinds = faults_by_kind (fr, &n_faults);

  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    {
      n_requests += calsync_fault_proxy_get_n_requests (fr->proxies[p]);
      n_leaks += calsync_fault_proxy_get_n_leaks (fr->proxies[p]);
    }

  g_test_message ("figures: seed %u, %u faulted syncs (%u exited 1), %u crashes, %u hangs, %u lost local edits, "
                  "%u without a report, %u credentials sent to another origin",
                  run->seed, fr->n_syncs, fr->failed_syncs, fr->crashes, fr->hangs, fr->lost, fr->bad_output, n_leaks);
  g_test_message ("figures: %u requests, %u faults: %s", n_requests, n_faults, kinds);
  print_edit_figures (run);
  g_test_message ("figures: sync time mean %.2f s, max %.2f s; %.1f syncs/min (edits and checks included)",
                  fr->n_syncs ? fr->total_sync_us / 1e6 / fr->n_syncs : 0.0, fr->max_sync_us / 1e6,
                  minutes > 0 ? fr->n_syncs / minutes : 0.0);
  if (n_leaks > 0)
    calsync_test_fail (run->failures, "%u requests carried credentials or a body to another origin", n_leaks);
}

/* The test -------------------------------------------------------------------------- */

/* Sync @i: random edits by A, now and then one on a server, then A's sync
 * under faults */
static void
faulted_step (FaultRun *fr,
              guint     i)
{
  CalsyncTwoWay *run = &fr->run;
  guint n_edits = g_rand_int_range (run->rand, 0, MAX_EDITS_PER_SYNC + 1);
  double rate = g_rand_double_range (run->rand, MIN_RATE, MAX_RATE);
  g_autofree char *when = g_strdup_printf ("sync %u", i);
  CalsyncTestReport report = { 0 };

  for (guint e = 0; e < n_edits; e++)
    calsync_two_way_edit_a (run, when);
  if (g_rand_int_range (run->rand, 0, 3) == 0)
    calsync_two_way_server_edit (run);

  g_test_message ("sync %u: fault rate %.2f", i, rate);
  set_rate (fr, rate);
  fault_checked_sync (fr, &report);
  set_rate (fr, 0);
  calsync_test_report_clear (&report);
}

/* The faults stopped: one sync converges */
static void
check_converges (FaultRun *fr)
{
  CalsyncTwoWay *run = &fr->run;
  CalsyncTestReport last = { 0 };
  g_autoptr(JsonNode) agenda_a = NULL;
  guint outbox;

  if (fault_checked_sync (fr, &last))
    {
      if (!last.success)
        calsync_test_fail (run->failures, "the first sync without faults failed:\n%s", last.messages->str);
      if ((outbox = calsync_test_client_outbox_size (&run->a)) > 0)
        calsync_test_fail (run->failures, "the first sync without faults left %u changes in the outbox", outbox);
    }
  calsync_test_report_clear (&last);
  agenda_a = calsync_two_way_agenda (&run->a);
  calsync_two_way_compare_servers (run, agenda_a);
}

static void
test_fault_syncs (void)
{
  FaultRun fr = { 0 };
  CalsyncTwoWay *run = &fr.run;
  const char *seed_text = g_getenv ("CALSYNC_RANDOM_SEED");
  const char *syncs_text = g_getenv ("CALSYNC_FAULT_SYNCS");
  guint n_syncs = syncs_text != NULL ? (guint) g_ascii_strtoull (syncs_text, NULL, 10) : DEFAULT_FAULT_SYNCS;
  gint64 started;

  run->seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : DEFAULT_FAULT_SEED;
  run->rand = g_rand_new_with_seed (run->seed);
  g_test_message ("seed %u (CALSYNC_RANDOM_SEED), %u faulted syncs (CALSYNC_FAULT_SYNCS)", run->seed, n_syncs);
  fault_run_start (&fr, n_syncs);

  started = g_get_monotonic_time ();
  for (guint i = 1; i <= n_syncs; i++)
    faulted_step (&fr, i);
  print_figures (&fr, started);

  check_converges (&fr);
  if (run->edits_failed > 0)
    calsync_test_fail (run->failures, "%u local edits were refused", run->edits_failed);

  for (guint p = 0; p < CALSYNC_TEST_N_PROVIDERS; p++)
    g_clear_object (&fr.proxies[p]);
  calsync_two_way_finish (run);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");
  calsync_test_require_keyring ();

  g_test_add_func ("/fault-syncs/random", test_fault_syncs);

  return g_test_run ();
}
