/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-agenda.c: time of `calsync --agenda --json` and `--next` from spawn to exit.
 *
 * Seeds a throwaway data dir with --count=N bulk events (50,000 by default:
 * 15 months, about 3,200 a month) around a fixed day, then runs the real binary
 * repeatedly with a fixed CALSYNC_NOW, draining its stdout through a pipe as a
 * status bar or a script would, and prints the median and the maximum. The
 * target of issue 5: a month of --agenda --json under 60 ms. The CPU time of
 * the child (user + system) is printed too: it varies less than the wall
 * time when other work shares the machine.
 *
 *   bench-agenda [CALSYNC] [--count=N]
 *
 * With BENCH_DEV_NULL set, stdout goes to /dev/null instead of a pipe. */
#include "config.h"

#include <sys/resource.h>

#include <gio/gio.h>
#include <glib/gstdio.h>
#include <json-glib/json-glib.h>

#include "bench-utils.h"

#define RUNS 25
#define NOW "2026-11-25T12:00:00+01:00"

static int
compare_gint64 (gconstpointer a,
                gconstpointer b)
{
  gint64 x = *(const gint64 *) a, y = *(const gint64 *) b;

  return (x > y) - (x < y);
}

static GSubprocessLauncher *
new_launcher (const char       *data_home,
              GSubprocessFlags  flags)
{
  GSubprocessLauncher *launcher = bench_new_launcher (flags, data_home, NOW);

  g_subprocess_launcher_setenv (launcher, "TZ", "Europe/Berlin", TRUE);
  g_subprocess_launcher_setenv (launcher, "LC_ALL", "C.UTF-8", TRUE);
  return launcher;
}

static gint64
children_cpu_time (void)
{
  struct rusage usage;

  getrusage (RUSAGE_CHILDREN, &usage);
  return (usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) * G_USEC_PER_SEC +
         usage.ru_utime.tv_usec + usage.ru_stime.tv_usec;
}

typedef struct
{
  gint64 wall;   /* microseconds from spawn to exit */
  gint64 cpu;    /* microseconds of CPU the child used */
} Timing;

/* Runs calsync once and, when @out is set, returns what it printed */
static Timing
run_once (const char         *calsync,
          const char         *data_home,
          const char * const *args,
          char              **out)
{
  GSubprocessFlags flags = g_getenv ("BENCH_DEV_NULL") ? G_SUBPROCESS_FLAGS_STDOUT_SILENCE
                                                       : G_SUBPROCESS_FLAGS_STDOUT_PIPE;
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (data_home, out ? G_SUBPROCESS_FLAGS_STDOUT_PIPE : flags);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GBytes) bytes = NULL;
  g_autoptr(GError) error = NULL;
  gint64 spawned, cpu_before = children_cpu_time ();
  Timing timing;

  g_ptr_array_add (argv, (gpointer) calsync);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (gpointer) args[i]);
  g_ptr_array_add (argv, NULL);

  spawned = g_get_monotonic_time ();
  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  /* Returns once the child has been reaped, so its CPU time is counted */
  if (process == NULL || !g_subprocess_communicate (process, NULL, NULL, &bytes, NULL, &error))
    g_error ("Could not run %s: %s", calsync, error->message);
  timing.wall = g_get_monotonic_time () - spawned;
  timing.cpu = children_cpu_time () - cpu_before;

  if (g_subprocess_get_exit_status (process) > 1)
    g_error ("%s %s exited with %d", calsync, args[0], g_subprocess_get_exit_status (process));
  if (out != NULL && bytes != NULL)
    *out = g_strndup (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

  return timing;
}

static void
seed (const char *seeder,
      const char *data_home,
      const char *count_arg)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (data_home, G_SUBPROCESS_FLAGS_NONE);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;

  process = g_subprocess_launcher_spawn (launcher, &error, seeder, "--now=2026-11-25", count_arg, NULL);
  if (process == NULL || !g_subprocess_wait_check (process, NULL, &error))
    g_error ("Could not seed: %s", error->message);
}

static guint
count_events (const char *json)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  if (!json_parser_load_from_data (parser, json, -1, &error))
    g_error ("--agenda --json printed no JSON: %s", error->message);
  if (!JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    g_error ("--agenda --json printed no array");

  return json_array_get_length (json_node_get_array (json_parser_get_root (parser)));
}

static double
median_ms (GArray *times)
{
  g_array_sort (times, compare_gint64);
  return g_array_index (times, gint64, times->len / 2) / 1000.0;
}

/* Times @args RUNS times and prints the median and the maximum */
static void
measure (const char         *label,
         const char         *calsync,
         const char         *data_home,
         const char * const *args)
{
  g_autoptr(GArray) wall = g_array_new (FALSE, FALSE, sizeof (gint64));
  g_autoptr(GArray) cpu = g_array_new (FALSE, FALSE, sizeof (gint64));
  double median;

  run_once (calsync, data_home, args, NULL);   /* warm the page cache */
  for (int i = 0; i < RUNS; i++)
    {
      Timing t = run_once (calsync, data_home, args, NULL);

      g_array_append_val (wall, t.wall);
      g_array_append_val (cpu, t.cpu);
    }

  median = median_ms (wall);
  g_print ("%-32s median %5.1f ms   max %5.1f ms   CPU median %5.1f ms\n", label, median,
           g_array_index (wall, gint64, RUNS - 1) / 1000.0, median_ms (cpu));
}

int
main (int    argc,
      char **argv)
{
  const char *calsync = argc > 1 ? argv[1] : BUILDDIR "/src/calsync";
  const char *count_arg = argc > 2 ? argv[2] : "--count=50000";
  const char *seeder = BUILDDIR "/tests/calsync-seed";
  const char *month[] = { "--agenda", "--json", "--from=2026-11-01", "--to=2026-12-01", NULL };
  const char *month_text[] = { "--agenda", "--from=2026-11-01", "--to=2026-12-01", NULL };
  const char *week[] = { "--agenda", NULL };
  const char *next[] = { "--next", NULL };
  const char *next_json[] = { "--next", "--json", NULL };
  const char *version[] = { "--version", NULL };
  g_autofree char *data_home = g_dir_make_tmp ("calsync-bench-agenda-XXXXXX", NULL);
  g_autofree char *json = NULL;

  g_print ("Seeding %s events...\n", count_arg + strlen ("--count="));
  seed (seeder, data_home, count_arg);
  run_once (calsync, data_home, month, &json);
  g_print ("--agenda --json for November 2026: %u events, %zu bytes; %d runs each\n\n",
           count_events (json), strlen (json), RUNS);

  measure ("--version (process floor)", calsync, data_home, version);
  measure ("--agenda --json, one month", calsync, data_home, month);
  measure ("--agenda, one month (text)", calsync, data_home, month_text);
  measure ("--agenda, default week (text)", calsync, data_home, week);
  measure ("--next", calsync, data_home, next);
  measure ("--next --json", calsync, data_home, next_json);

  bench_remove_tree (data_home);
  return 0;
}
