/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-startup.c: time from process start to the window's first frame.
 *
 * Seeds a throwaway data dir (demo events, or --count=N bulk events), then starts
 * `calsync` repeatedly with CALSYNC_REPORT_FIRST_FRAME set; the window prints the
 * monotonic time of its first painted frame and exits. CLOCK_MONOTONIC is shared by
 * all processes, so the difference to the spawn time here is the whole startup:
 * exec, dynamic linking, GTK init, store open, first query and first paint.
 * Needs a display (run it under xvfb-run, or weston's headless backend for
 * Wayland). BENCH_RUNS sets the number of alternating pairs (10). */
#include "config.h"

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <stdlib.h>

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *)a, y = *(const gint64 *)b;
  return (x > y) - (x < y);
}

static gint64
run_once (const char *calsync,
          const char *data_home)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *err_text = NULL;
  const char *line;
  gint64 spawned;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_REPORT_FIRST_FRAME", "1", TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_EXIT_AFTER_FIRST_FRAME", "1", TRUE);

  spawned = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawn (launcher, &error, calsync, NULL);
  if (process == NULL || !g_subprocess_communicate_utf8 (process, NULL, NULL, NULL, &err_text, &error))
    g_error ("Could not run %s: %s", calsync, error->message);

  line = err_text ? strstr (err_text, "first-frame-monotonic-us ") : NULL;
  if (line == NULL)
    g_error ("calsync printed no first-frame time:\n%s", err_text ? err_text : "");

  return g_ascii_strtoll (line + strlen ("first-frame-monotonic-us "), NULL, 10) - spawned;
}

static void
seed (const char *seeder,
      const char *data_home,
      const char *count_arg)
{
  g_autoptr(GSubprocessLauncher) launcher = g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  process = g_subprocess_launcher_spawn (launcher, &error, seeder, count_arg, NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    g_error ("Could not seed: %s", error->message);
}

int
main (int    argc,
      char **argv)
{
  const char *calsync = argc > 1 ? argv[1] : BUILDDIR "/src/calsync";
  const char *seeder = BUILDDIR "/tests/calsync-seed";
  const char *count_arg = argc > 2 ? argv[2] : "--count=50000";
  const char *floor_program = BUILDDIR "/bench/bench-empty-window";
  g_autofree char *data_home = g_dir_make_tmp ("calsync-bench-startup-XXXXXX", NULL);
  g_autoptr(GArray) times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) floor_times = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) differences = g_array_new (FALSE, FALSE, sizeof (gint64));
  const char *runs_env = g_getenv ("BENCH_RUNS");
  const int runs = runs_env != NULL ? MAX (1, atoi (runs_env)) : 10;

  seed (seeder, data_home, count_arg);
  run_once (calsync, data_home); /* warm the page cache and the font cache */
  run_once (floor_program, data_home);

  /* Alternating with an empty window: this machine's speed moves by tens of
   * milliseconds from minute to minute, the difference much less. */
  for (int i = 0; i < runs; i++)
    {
      gint64 t = run_once (calsync, data_home);
      gint64 f = run_once (floor_program, data_home);

      gint64 d = t - f;

      g_array_append_val (times, t);
      g_array_append_val (floor_times, f);
      g_array_append_val (differences, d);
    }
  g_array_sort (times, compare_gint64);
  g_array_sort (floor_times, compare_gint64);
  g_array_sort (differences, compare_gint64);

  g_print ("startup to first frame (%s, %d runs): median %.1f ms, min %.1f ms, max %.1f ms\n",
           count_arg, runs,
           g_array_index (times, gint64, runs / 2) / 1000.0,
           g_array_index (times, gint64, 0) / 1000.0,
           g_array_index (times, gint64, runs - 1) / 1000.0);
  g_print ("empty window with a header bar (same runs):  median %.1f ms, min %.1f ms; CalSync adds %.1f ms\n",
           g_array_index (floor_times, gint64, runs / 2) / 1000.0,
           g_array_index (floor_times, gint64, 0) / 1000.0,
           (g_array_index (times, gint64, runs / 2) - g_array_index (floor_times, gint64, runs / 2)) / 1000.0);
  /* Each CalSync run against the empty window run right after it: the
   * machine's drift cancels within a pair */
  g_print ("paired difference (CalSync - empty window, %d pairs): median %+.1f ms, quartiles %+.1f / %+.1f ms\n",
           runs,
           g_array_index (differences, gint64, runs / 2) / 1000.0,
           g_array_index (differences, gint64, runs / 4) / 1000.0,
           g_array_index (differences, gint64, (3 * runs) / 4) / 1000.0);
  return 0;
}
