/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fuzz.h: what the libFuzzer targets share — a one-time set-up that
 * makes GLib's criticals fatal (a g_return_if_fail() the input reaches is a
 * bug the fuzzer must report) and keeps debug messages quiet. */
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <glib.h>

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

static inline void
calsync_fuzz_init (void)
{
  static gsize done = 0;

  if (g_once_init_enter (&done))
    {
      g_unsetenv ("G_MESSAGES_DEBUG");
      g_setenv ("TZ", "Europe/Berlin", TRUE);
      g_log_set_always_fatal (G_LOG_LEVEL_CRITICAL | G_LOG_LEVEL_ERROR);
      g_once_init_leave (&done, 1);
    }
}
