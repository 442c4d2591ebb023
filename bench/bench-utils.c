/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-utils.c: helpers shared by the benchmarks that run the real binary. */
#include "config.h"

#include <glib/gstdio.h>

#include "bench-utils.h"

/* A launcher with XDG_DATA_HOME=@data_home, CALSYNC_NOW=@now and no display */
GSubprocessLauncher *
bench_new_launcher (GSubprocessFlags  flags,
                    const char       *data_home,
                    const char       *now)
{
  GSubprocessLauncher *launcher = g_subprocess_launcher_new (flags);

  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", data_home, TRUE);
  g_subprocess_launcher_setenv (launcher, "CALSYNC_NOW", now, TRUE);
  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  return launcher;
}

/* Removes @path and all below it (links not followed) */
void
bench_remove_tree (const char *path)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  while (dir != NULL && (name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);

      if (g_file_test (child, G_FILE_TEST_IS_DIR) && !g_file_test (child, G_FILE_TEST_IS_SYMLINK))
        bench_remove_tree (child);
      else
        g_remove (child);
    }
  g_rmdir (path);
}
