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
 * test-two-way-random.c, whose helpers this test shares).
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
#define TWO_WAY_RANDOM_HELPERS_ONLY
/* Not every helper of that test is used here */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"
#include "test-two-way-random.c"
#pragma GCC diagnostic pop

#include <signal.h>

#include "calsync-fault-proxy.h"

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
  Run run;
  CalsyncFaultProxy *proxies[N_PROVIDERS];
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

/* A's sync: FALSE when it crashed, hung or printed no report (counted) */
static gboolean
fault_sync (FaultRun *fr,
            Report   *report)
{
  Run *run = &fr->run;
  Client *client = &run->a;
  const char *args[] = { "--sync", "--json", NULL };
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, client->dir);
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  HangWatch watch = { NULL, FALSE };
  guint watch_id;
  gint64 started, elapsed;
  int status;

  client_setenv (client, launcher);
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  watch.process = process;
  started = g_get_monotonic_time ();
  watch_id = g_timeout_add_seconds (HANG_BUDGET_S, on_hang, &watch);
  g_subprocess_communicate_utf8_async (process, NULL, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_utf8_finish (process, calsync_test_spin (&result), &out, &err, &error));
  g_assert_no_error (error);
  elapsed = g_get_monotonic_time () - started;
  if (!watch.hung)
    g_source_remove (watch_id);
  fr->n_syncs++;
  fr->total_sync_us += elapsed;
  fr->max_sync_us = MAX (fr->max_sync_us, elapsed);

  if (watch.hung)
    {
      fr->hangs++;
      fail (run, "sync %u hung: still running after %d s\nstderr: %s", fr->n_syncs, HANG_BUDGET_S, err);
      return FALSE;
    }
  if (!g_subprocess_get_if_exited (process))
    {
      fr->crashes++;
      fail (run, "sync %u ended by signal %d (%s)\nstderr: %s", fr->n_syncs, g_subprocess_get_term_sig (process),
            g_strsignal (g_subprocess_get_term_sig (process)), err);
      return FALSE;
    }
  status = g_subprocess_get_exit_status (process);
  if (status > 1 || stderr_reports_crash (err))
    {
      fr->crashes++;
      fail (run, "sync %u exited with %d\nstderr: %s", fr->n_syncs, status, err);
      return FALSE;
    }
  if (!json_parser_load_from_data (parser, out, -1, NULL) || !JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)))
    {
      fr->bad_output++;
      fail (run, "sync %u printed no JSON object: %s\nstderr: %s", fr->n_syncs, out, err);
      return FALSE;
    }
  if (status == 1)
    {
      g_auto(GStrv) lines = g_strsplit (err != NULL ? err : "", "\n", -1);

      fr->failed_syncs++;
      /* What the requests met, for the log */
      for (guint i = 0; lines[i] != NULL; i++)
        if (strstr (lines[i], "calsync-http") != NULL || strstr (lines[i], "calsync-sync") != NULL)
          g_test_message ("  %s", lines[i]);
    }
  g_test_message ("sync %u: exit %d in %.2f s", fr->n_syncs, status, elapsed / 1e6);
  report_read (run, client, status, out, report);
  return TRUE;
}

/* A's sync, its outbox checked as checked_sync() does */
static gboolean
fault_checked_sync (FaultRun *fr,
                    Report   *report)
{
  Run *run = &fr->run;
  g_autoptr(GHashTable) before = outbox_changes (run, &run->a);
  guint failures = run->failures->len;

  if (!fault_sync (fr, report))
    return FALSE;
  run->pushed += report->pushed;
  run->conflicts += report->conflicts;
  check_left (run, &run->a, before, report);
  fr->lost += run->failures->len - failures;
  return TRUE;
}

/* Setting up --------------------------------------------------------------------- */

static void
set_rate (FaultRun *fr,
          double    rate)
{
  for (guint p = 0; p < N_PROVIDERS; p++)
    calsync_fault_proxy_set_rate (fr->proxies[p], rate);
}

static void
fault_run_start (FaultRun *fr,
                 guint     n_syncs)
{
  Run *run = &fr->run;

  for (guint p = 0; p < N_PROVIDERS; p++)
    run->enabled[p] = TRUE;
  run->failures = g_ptr_array_new_with_free_func (g_free);
  run->dir = calsync_test_setup_env ("fault-syncs");
  window_start = calsync_test_instant (AGENDA_FROM "T00:00:00+02:00");
  window_end = calsync_test_instant (AGENDA_TO "T00:00:00+01:00");
  run->stderr_path = g_build_filename (run->dir, "add-account-stderr", NULL);
  run->google = calsync_fake_google_new ();
  calsync_fake_google_export_env (run->google);
  run->graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (run->graph);
  /* Radicale's lifetime bounds it should the test die: room for every sync */
  run->radicale = calsync_radicale_start (run->dir, 120 + n_syncs * 15);
  seed_google (run);
  seed_graph (run);
  seed_caldav (run);

  fr->proxies[P_GOOGLE] = calsync_fault_proxy_new (calsync_fake_google_get_api_url (run->google),
                                                   CALSYNC_FAULT_FLAVOUR_GOOGLE, run->seed + 1);
  fr->proxies[P_OUTLOOK] = calsync_fault_proxy_new (calsync_fake_graph_get_api_url (run->graph),
                                                    CALSYNC_FAULT_FLAVOUR_GRAPH, run->seed + 2);
  fr->proxies[P_CALDAV] = calsync_fault_proxy_new (calsync_radicale_get_url (run->radicale),
                                                   CALSYNC_FAULT_FLAVOUR_CALDAV, run->seed + 3);
  fr->env[0] = "CALSYNC_GOOGLE_API_URL";
  fr->env[1] = calsync_fault_proxy_get_url (fr->proxies[P_GOOGLE]);
  fr->env[2] = "CALSYNC_GRAPH_API_URL";
  fr->env[3] = calsync_fault_proxy_get_url (fr->proxies[P_OUTLOOK]);
  /* What the requests met, on stderr: shown for the syncs that fail */
  fr->env[4] = "G_MESSAGES_DEBUG";
  fr->env[5] = "calsync-http calsync-sync calsync-google calsync-outlook calsync-caldav";
  fr->env[6] = NULL;

  /* A behind the proxies, B straight to the servers */
  run->a.name = "A";
  run->a.env = fr->env;
  run->a.caldav_url = calsync_fault_proxy_get_url (fr->proxies[P_CALDAV]);
  run->b.name = "B";
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

static void
print_figures (FaultRun *fr,
               gint64    started)
{
  Run *run = &fr->run;
  double minutes = (g_get_monotonic_time () - started) / 6e7;
  g_autoptr(GString) kinds = g_string_new (NULL);
  guint n_faults = 0, n_requests = 0, n_leaks = 0;

  for (guint f = 0; f < CALSYNC_N_FAULTS; f++)
    {
      guint n = 0;

      for (guint p = 0; p < N_PROVIDERS; p++)
        n += calsync_fault_proxy_get_count (fr->proxies[p], f);
      n_faults += n;
      g_string_append_printf (kinds, "%s%s %u", kinds->len ? ", " : "", calsync_fault_name (f), n);
    }
  for (guint p = 0; p < N_PROVIDERS; p++)
    {
      n_requests += calsync_fault_proxy_get_n_requests (fr->proxies[p]);
      n_leaks += calsync_fault_proxy_get_n_leaks (fr->proxies[p]);
    }

  g_test_message ("figures: seed %u, %u faulted syncs (%u exited 1), %u crashes, %u hangs, %u lost local edits, "
                  "%u without a report, %u credentials sent to another origin",
                  run->seed, fr->n_syncs, fr->failed_syncs, fr->crashes, fr->hangs, fr->lost, fr->bad_output, n_leaks);
  g_test_message ("figures: %u requests, %u faults: %s", n_requests, n_faults, kinds->str);
  g_test_message ("figures: local edits %u (create %u, edit %u, delete %u, instance edit %u, instance delete %u), "
                  "server edits %u, pushed %u, conflicts %u, lost and reported %u",
                  run->edits[K_CREATE][0] + run->edits[K_CREATE][1] + run->edits[K_CREATE][2] +
                  run->edits[K_EDIT][0] + run->edits[K_EDIT][1] + run->edits[K_EDIT][2] +
                  run->edits[K_DELETE][0] + run->edits[K_DELETE][1] + run->edits[K_DELETE][2] +
                  run->edits[K_INSTANCE_EDIT][0] + run->edits[K_INSTANCE_EDIT][1] + run->edits[K_INSTANCE_EDIT][2] +
                  run->edits[K_INSTANCE_DELETE][0] + run->edits[K_INSTANCE_DELETE][1] +
                  run->edits[K_INSTANCE_DELETE][2],
                  run->edits[K_CREATE][0] + run->edits[K_CREATE][1] + run->edits[K_CREATE][2],
                  run->edits[K_EDIT][0] + run->edits[K_EDIT][1] + run->edits[K_EDIT][2],
                  run->edits[K_DELETE][0] + run->edits[K_DELETE][1] + run->edits[K_DELETE][2],
                  run->edits[K_INSTANCE_EDIT][0] + run->edits[K_INSTANCE_EDIT][1] + run->edits[K_INSTANCE_EDIT][2],
                  run->edits[K_INSTANCE_DELETE][0] + run->edits[K_INSTANCE_DELETE][1] +
                  run->edits[K_INSTANCE_DELETE][2],
                  run->server_edits[0] + run->server_edits[1] + run->server_edits[2], run->pushed, run->conflicts,
                  run->lost_reported);
  g_test_message ("figures: sync time mean %.2f s, max %.2f s; %.1f syncs/min (edits and checks included)",
                  fr->n_syncs ? fr->total_sync_us / 1e6 / fr->n_syncs : 0.0, fr->max_sync_us / 1e6,
                  minutes > 0 ? fr->n_syncs / minutes : 0.0);
  if (n_leaks > 0)
    fail (run, "%u requests carried credentials or a body to another origin", n_leaks);
}

static void
test_fault_syncs (void)
{
  FaultRun fr = { 0 };
  Run *run = &fr.run;
  const char *seed_text = g_getenv ("CALSYNC_RANDOM_SEED");
  const char *syncs_text = g_getenv ("CALSYNC_FAULT_SYNCS");
  guint n_syncs = syncs_text != NULL ? (guint) g_ascii_strtoull (syncs_text, NULL, 10) : DEFAULT_FAULT_SYNCS;
  g_autoptr(JsonNode) agenda_a = NULL;
  gint64 started;

  run->seed = seed_text != NULL ? (guint32) g_ascii_strtoull (seed_text, NULL, 10) : DEFAULT_FAULT_SEED;
  run->rand = g_rand_new_with_seed (run->seed);
  g_test_message ("seed %u (CALSYNC_RANDOM_SEED), %u faulted syncs (CALSYNC_FAULT_SYNCS)", run->seed, n_syncs);
  fault_run_start (&fr, n_syncs);

  started = g_get_monotonic_time ();
  for (guint i = 1; i <= n_syncs; i++)
    {
      guint n_edits = g_rand_int_range (run->rand, 0, MAX_EDITS_PER_SYNC + 1);
      double rate = g_rand_double_range (run->rand, MIN_RATE, MAX_RATE);
      Report report = { 0 };

      for (guint e = 0; e < n_edits; e++)
        {
          Provider provider = random_provider (run);
          Kind kind = random_kind (run);

          g_test_message ("sync %u: A %s %s", i, kind_names[kind], provider_names[provider]);
          if (client_edit (run, &run->a, provider, kind))
            run->edits[kind][provider]++;
          else
            run->edits_failed++;
        }
      if (g_rand_int_range (run->rand, 0, 3) == 0)
        server_edit (run);

      g_test_message ("sync %u: fault rate %.2f", i, rate);
      set_rate (&fr, rate);
      fault_checked_sync (&fr, &report);
      set_rate (&fr, 0);
      report_clear (&report);
    }
  print_figures (&fr, started);

  /* The faults stopped: one sync converges */
  {
    Report last = { 0 };

    if (fault_checked_sync (&fr, &last))
      {
        if (!last.success)
          fail (run, "the first sync without faults failed:\n%s", last.messages->str);
        if (outbox_size (run, &run->a) > 0)
          fail (run, "the first sync without faults left %u changes in the outbox", outbox_size (run, &run->a));
      }
    report_clear (&last);
  }
  agenda_a = agenda (&run->a);
  compare_servers (run, agenda_a);
  if (run->edits_failed > 0)
    fail (run, "%u local edits were refused", run->edits_failed);

  for (guint p = 0; p < N_PROVIDERS; p++)
    g_clear_object (&fr.proxies[p]);
  run_finish (run);
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
