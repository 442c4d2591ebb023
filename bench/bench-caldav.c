/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-caldav.c: CalSync against vdirsyncer on the same Radicale (127.0.0.1),
 * in the same run, alternated, so that both see the same machine:
 *
 *   - first sync: `calsync --add-account=caldav` + `calsync --sync --json` in a
 *     throwaway XDG_DATA_HOME, against `vdirsyncer discover` + `vdirsyncer sync`
 *     into a throwaway folder (TESTING.md's configuration);
 *   - no-change sync: `calsync --sync --json` again, against `vdirsyncer sync`;
 *   - wall and CPU time (user + system of the process and its children) and
 *     calsync's peak RSS, medians over the rounds;
 *
 * for a calendar of 1,000 and one of 10,000 events (a tenth of them weekly
 * series), seeded as files into Radicale's storage. The goals of issue 12:
 * first sync ≤ 0.5× vdirsyncer's time, no-change ≤ 0.1×, peak RSS ≤ 100 MB at
 * 10,000.
 *
 *   bench-caldav [--calsync=PATH] [--rounds=N] [--sizes=1000,10000]
 *
 * Needs Radicale, vdirsyncer (Debian packages) and a secret service: run it
 * with tests/run-with-keyring.sh build/bench/bench-caldav. */
#include "config.h"

#include <stdio.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "bench-utils.h"
#include "calsync-radicale.h"

#define NOW_TEXT "2026-06-15T12:00:00Z"
#define COLLECTION "bench"

typedef struct
{
  double wall_ms;
  double cpu_ms;
  double rss_mb;
} Run;

enum { CALSYNC, VDIRSYNCER, N_CLIENTS };
enum { FIRST, NO_CHANGE, N_KINDS };
static const char * const client_names[] = { "calsync", "vdirsyncer" };
static const char * const kind_names[] = { "first sync", "no-change sync" };

typedef struct
{
  GArray *wall[N_CLIENTS][N_KINDS];
  GArray *cpu[N_CLIENTS][N_KINDS];
  double rss_mb[N_CLIENTS];
  gint64 n_events;
} Figures;

/* Running a process ------------------------------------------------------------------ */

/* Runs @argv with @env, @input on its stdin; adds its (and its children's) CPU
 * time and peak RSS to @run */
static void
run_process (const char * const *argv,
             char              **env,
             const char         *input,
             Run                *run)
{
  g_autoptr(GError) error = NULL;
  struct rusage usage = { 0 };
  gint64 started = g_get_monotonic_time ();
  int status = 0;
  int stdin_fd = -1;
  GPid pid;

  g_spawn_async_with_pipes (NULL, (char **) argv, env,
                            G_SPAWN_DO_NOT_REAP_CHILD | G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                            NULL, NULL, &pid, &stdin_fd, NULL, NULL, &error);
  g_assert_no_error (error);
  if (input != NULL && write (stdin_fd, input, strlen (input)) < 0)
    g_error ("Could not write to %s", argv[0]);
  close (stdin_fd);

  while (wait4 (pid, &status, 0, &usage) < 0)
    ;
  if (!WIFEXITED (status) || WEXITSTATUS (status) != 0)
    g_error ("%s %s exited with %d", argv[0], argv[1], WIFEXITED (status) ? WEXITSTATUS (status) : -1);

  run->wall_ms += (g_get_monotonic_time () - started) / 1000.0;
  run->cpu_ms += (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * 1000.0 +
                 (usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1000.0;
  run->rss_mb = MAX (run->rss_mb, usage.ru_maxrss / 1024.0);
}

/* Seeding ------------------------------------------------------------------------------- */

static void
write_event (const char *dir,
             guint       i,
             gint64      now)
{
  g_autofree char *path = g_strdup_printf ("%s/event-%05u.ics", dir, i);
  /* spread over the window: from 80 days back, every 10 hours (10,000 → 416 days) */
  g_autoptr(GDateTime) start = g_date_time_new_from_unix_utc (now - 80 * 86400 + (gint64) i * 36000 % (440 * 86400));
  g_autoptr(GDateTime) end = g_date_time_add_minutes (start, 30 + i % 4 * 15);
  g_autofree char *s = g_date_time_format (start, "%Y%m%dT%H%M%SZ");
  g_autofree char *e = g_date_time_format (end, "%Y%m%dT%H%M%SZ");
  g_autofree char *ics = g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//CalSync bench//EN\r\n"
                                          "BEGIN:VEVENT\r\nUID:bench-%05u@example.com\r\nDTSTAMP:20260601T000000Z\r\n"
                                          "DTSTART:%s\r\nDTEND:%s\r\n%s"
                                          "SUMMARY:Bench event %u\r\nLOCATION:Room %u\r\n"
                                          "DESCRIPTION:Agenda for event %u\\, with notes.\r\n"
                                          "END:VEVENT\r\nEND:VCALENDAR\r\n",
                                          i, s, e, i % 10 == 0 ? "RRULE:FREQ=WEEKLY;COUNT=10\r\n" : "",
                                          i, i % 40, i);

  if (!g_file_set_contents (path, ics, -1, NULL))
    g_error ("Could not write %s", path);
}

static CalsyncRadicale *
start_seeded (const char *dir,
              guint       n_events,
              gint64      now)
{
  CalsyncRadicale *radicale = calsync_radicale_start (dir, 4 * 3600);
  g_autofree char *collection = NULL;

  calsync_radicale_mkcalendar (radicale, COLLECTION, "Bench");
  collection = calsync_radicale_collection_dir (radicale, COLLECTION);
  calsync_radicale_stop (radicale);
  for (guint i = 0; i < n_events; i++)
    write_event (collection, i, now);
  calsync_radicale_restart (radicale);
  return radicale;
}

/* Radicale reads and caches the items the first time, and makes the
 * collection's first sync-token once: that is not part of either client's time.
 * (A Depth 1 PROPFIND would warm it too, but takes 30 s at 10,000.) */
static void
warm_up (CalsyncRadicale *radicale)
{
  static const char * const depth1[] = { "Depth", "1", NULL };
  static const char * const depth0[] = { "Depth", "0", NULL };
  static const char query[] = "<?xml version=\"1.0\"?><C:calendar-query xmlns:D=\"DAV:\" "
                              "xmlns:C=\"urn:ietf:params:xml:ns:caldav\"><D:prop><D:getetag/></D:prop>"
                              "<C:filter><C:comp-filter name=\"VCALENDAR\"/></C:filter></C:calendar-query>";
  static const char props[] = "<?xml version=\"1.0\"?><D:propfind xmlns:D=\"DAV:\" "
                              "xmlns:CS=\"http://calendarserver.org/ns/\"><D:prop>"
                              "<D:sync-token/><CS:getctag/></D:prop></D:propfind>";
  g_autofree char *answer = NULL;
  g_autofree char *answer2 = NULL;

  calsync_radicale_request (radicale, "REPORT", "/" CALSYNC_RADICALE_USER "/" COLLECTION "/",
                            "application/xml", query, depth1, &answer, NULL);
  calsync_radicale_request (radicale, "PROPFIND", "/" CALSYNC_RADICALE_USER "/" COLLECTION "/",
                            "application/xml", props, depth0, &answer2, NULL);
}

/* The clients ---------------------------------------------------------------------------- */

static char **
calsync_env (const char *data_home)
{
  char **env = g_get_environ ();

  env = g_environ_setenv (env, "XDG_DATA_HOME", data_home, TRUE);
  env = g_environ_setenv (env, "CALSYNC_NOW", NOW_TEXT, TRUE);
  env = g_environ_unsetenv (env, "DISPLAY");
  return g_environ_unsetenv (env, "WAYLAND_DISPLAY");
}

static gint64
count_events (const char *data_home)
{
  g_autofree char *path = g_build_filename (data_home, "calsync", "calsync.db", NULL);
  sqlite3_stmt *stmt = NULL;
  sqlite3 *db = NULL;
  gint64 n = -1;

  if (sqlite3_open_v2 (path, &db, SQLITE_OPEN_READONLY, NULL) == SQLITE_OK &&
      sqlite3_prepare_v2 (db, "SELECT count(*) FROM events e JOIN calendars c ON c.id = e.calendar_id "
                              "WHERE c.name = 'Bench'", -1, &stmt, NULL) == SQLITE_OK &&
      sqlite3_step (stmt) == SQLITE_ROW)
    n = sqlite3_column_int64 (stmt, 0);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return n;
}

static void
run_calsync (const char      *calsync,
             CalsyncRadicale *radicale,
             Run              runs[N_KINDS],
             gint64          *n_events)
{
  g_autofree char *data_home = g_dir_make_tmp ("bench-caldav-calsync-XXXXXX", NULL);
  g_auto(GStrv) env = calsync_env (data_home);
  g_autofree char *server = g_strconcat ("--server=", calsync_radicale_get_url (radicale), NULL);
  const char *add[] = { calsync, "--add-account=caldav", server, "--username=" CALSYNC_RADICALE_USER, NULL };
  const char *sync[] = { calsync, "--sync", "--json", NULL };

  run_process (add, env, CALSYNC_RADICALE_PASSWORD "\n", &runs[FIRST]);
  run_process (sync, env, NULL, &runs[FIRST]);
  *n_events = count_events (data_home);
  run_process (sync, env, NULL, &runs[NO_CHANGE]);
  bench_remove_tree (data_home);
}

static void
run_vdirsyncer (const char      *vdirsyncer,
                CalsyncRadicale *radicale,
                Run              runs[N_KINDS])
{
  g_autofree char *dir = g_dir_make_tmp ("bench-caldav-vdirsyncer-XXXXXX", NULL);
  g_autofree char *home = g_build_filename (dir, "home", NULL);
  g_autofree char *config_path = g_build_filename (dir, "config", NULL);
  g_autofree char *local = g_build_filename (dir, "local", NULL);
  g_autofree char *config = g_strdup_printf ("[general]\nstatus_path = \"%s/status/\"\n\n"
                                             "[pair bench]\na = \"bench_local\"\nb = \"bench_remote\"\n"
                                             "collections = [\"from b\"]\nconflict_resolution = \"b wins\"\n\n"
                                             "[storage bench_local]\ntype = \"filesystem\"\npath = \"%s/\"\nfileext = \".ics\"\n\n"
                                             "[storage bench_remote]\ntype = \"caldav\"\nurl = \"%s\"\n"
                                             "username = \"" CALSYNC_RADICALE_USER "\"\npassword = \"" CALSYNC_RADICALE_PASSWORD "\"\n",
                                             dir, local, calsync_radicale_get_url (radicale));
  g_auto(GStrv) env = g_get_environ ();
  const char *discover[] = { vdirsyncer, "discover", NULL };
  const char *sync[] = { vdirsyncer, "sync", NULL };

  g_mkdir_with_parents (home, 0700);
  g_mkdir_with_parents (local, 0700);
  if (!g_file_set_contents (config_path, config, -1, NULL))
    g_error ("Could not write %s", config_path);
  env = g_environ_setenv (env, "VDIRSYNCER_CONFIG", config_path, TRUE);
  env = g_environ_setenv (env, "HOME", home, TRUE);

  run_process (discover, env, "y\ny\ny\n", &runs[FIRST]);
  run_process (sync, env, NULL, &runs[FIRST]);
  run_process (sync, env, NULL, &runs[NO_CHANGE]);
  bench_remove_tree (dir);
}

/* Figures -------------------------------------------------------------------------------- */

static int
compare_doubles (gconstpointer a,
                 gconstpointer b)
{
  double x = *(const double *) a, y = *(const double *) b;

  return (x > y) - (x < y);
}

static double
median (GArray *values)
{
  g_array_sort (values, compare_doubles);
  if (values->len == 0)
    return 0;
  if (values->len % 2 == 1)
    return g_array_index (values, double, values->len / 2);
  return (g_array_index (values, double, values->len / 2 - 1) + g_array_index (values, double, values->len / 2)) / 2;
}

static void
measure_size (const char *calsync,
              const char *vdirsyncer,
              guint       n_events,
              guint       rounds,
              gint64      now)
{
  g_autofree char *dir = g_dir_make_tmp ("bench-caldav-radicale-XXXXXX", NULL);
  CalsyncRadicale *radicale = start_seeded (dir, n_events, now);
  Figures figures = { 0 };

  for (guint c = 0; c < N_CLIENTS; c++)
    for (guint k = 0; k < N_KINDS; k++)
      {
        figures.wall[c][k] = g_array_new (FALSE, FALSE, sizeof (double));
        figures.cpu[c][k] = g_array_new (FALSE, FALSE, sizeof (double));
      }

  warm_up (radicale);
  for (guint r = 0; r < rounds; r++)
    for (guint i = 0; i < N_CLIENTS; i++)
      {
        /* Alternated: who goes first changes every round */
        guint c = (i + r) % N_CLIENTS;
        Run runs[N_KINDS] = { { 0 } };

        if (c == CALSYNC)
          run_calsync (calsync, radicale, runs, &figures.n_events);
        else
          run_vdirsyncer (vdirsyncer, radicale, runs);

        for (guint k = 0; k < N_KINDS; k++)
          {
            g_array_append_val (figures.wall[c][k], runs[k].wall_ms);
            g_array_append_val (figures.cpu[c][k], runs[k].cpu_ms);
            figures.rss_mb[c] = MAX (figures.rss_mb[c], runs[k].rss_mb);
          }
        g_printerr ("  %u events, round %u, %s: first %.0f ms, no-change %.0f ms\n", n_events, r + 1,
                    client_names[c], runs[FIRST].wall_ms, runs[NO_CHANGE].wall_ms);
      }

  g_print ("%u events (%" G_GINT64_FORMAT " instances stored by calsync), medians of %u rounds:\n",
           n_events, figures.n_events, rounds);
  for (guint c = 0; c < N_CLIENTS; c++)
    for (guint k = 0; k < N_KINDS; k++)
      g_print ("  %-10s %-15s wall %8.1f ms  CPU %8.1f ms  peak RSS %6.1f MB\n", client_names[c], kind_names[k],
               median (figures.wall[c][k]), median (figures.cpu[c][k]), figures.rss_mb[c]);
  g_print ("  calsync/vdirsyncer: first sync wall %.2f (goal <= 0.5), no-change wall %.2f (goal <= 0.1); "
           "calsync peak RSS %.1f MB (goal <= 100 MB at 10,000)\n",
           median (figures.wall[CALSYNC][FIRST]) / median (figures.wall[VDIRSYNCER][FIRST]),
           median (figures.wall[CALSYNC][NO_CHANGE]) / median (figures.wall[VDIRSYNCER][NO_CHANGE]),
           figures.rss_mb[CALSYNC]);

  for (guint c = 0; c < N_CLIENTS; c++)
    for (guint k = 0; k < N_KINDS; k++)
      {
        g_array_unref (figures.wall[c][k]);
        g_array_unref (figures.cpu[c][k]);
      }
  calsync_radicale_free (radicale);
  bench_remove_tree (dir);
}

int
main (int   argc,
      char *argv[])
{
  g_autofree char *calsync = g_strdup (CALSYNC_BINARY);
  g_autofree char *sizes = g_strdup ("1000,10000");
  g_autofree char *vdirsyncer = g_find_program_in_path ("vdirsyncer");
  g_autoptr(GDateTime) now = g_date_time_new_from_iso8601 (NOW_TEXT, NULL);
  g_auto(GStrv) size_list = NULL;
  int rounds = 3;
  g_autoptr(GOptionContext) context = g_option_context_new (NULL);
  g_autoptr(GError) error = NULL;
  GOptionEntry entries[] = {
    { "calsync", 0, 0, G_OPTION_ARG_FILENAME, &calsync, "The calsync binary", "PATH" },
    { "rounds", 0, 0, G_OPTION_ARG_INT, &rounds, "Rounds per size (default 3)", "N" },
    { "sizes", 0, 0, G_OPTION_ARG_STRING, &sizes, "Calendar sizes (default 1000,10000)", "N,N" },
    { NULL }
  };

  g_option_context_add_main_entries (context, entries, NULL);
  if (!g_option_context_parse (context, &argc, &argv, &error))
    {
      g_printerr ("%s\n", error->message);
      return 2;
    }
  if (!calsync_radicale_available () || vdirsyncer == NULL)
    {
      g_printerr ("bench-caldav needs Radicale and vdirsyncer (apt-get install radicale vdirsyncer)\n");
      return 77;
    }

  g_print ("CalSync (%s) and vdirsyncer (%s) against one Radicale on 127.0.0.1, alternated\n", calsync, vdirsyncer);
  size_list = g_strsplit (sizes, ",", -1);
  for (guint i = 0; size_list[i] != NULL; i++)
    measure_size (calsync, vdirsyncer, (guint) g_ascii_strtoull (size_list[i], NULL, 10), MAX (rounds, 1),
                  g_date_time_to_unix (now));

  return 0;
}
