/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fuzz.h: what the libFuzzer targets share — a one-time set-up that
 * makes GLib's warnings and criticals abort (a g_return_if_fail() the input
 * reaches, or a warning it causes, is a bug the fuzzer must report, with the
 * input that reached it: a server's bytes are never a reason for a warning;
 * GLib's own fatal criticals end in a SIGTRAP libFuzzer does not catch) and
 * keeps debug messages quiet. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static inline GLogWriterOutput
calsync_fuzz_log_writer (GLogLevelFlags   log_level,
                         const GLogField *fields,
                         gsize            n_fields,
                         gpointer         user_data)
{
  GLogWriterOutput output = g_log_writer_default (log_level, fields, n_fields, user_data);

  if (log_level & (G_LOG_LEVEL_WARNING | G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR))
    abort ();
  return output;
}

static inline void
calsync_fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_unsetenv ("G_MESSAGES_DEBUG");
      g_setenv ("TZ", "Europe/Berlin", TRUE);
      g_log_set_writer_func (calsync_fuzz_log_writer, NULL, NULL);
      g_once_init_leave (&done, 1);
    }
}
