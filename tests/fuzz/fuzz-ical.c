/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-ical.c: libFuzzer target for the iCalendar reader as `calsync --import`
 * and a CalDAV resource call it (calsync_ical_parse_full over a 15-month
 * window, with the problems). */
#include "config.h"

#include <stdint.h>

#include "calsync-ical.h"
#include "calsync-fuzz.h"

/* 2026-08-25T11:00:00Z to 2027-11-25T11:00:00Z: 3 months back, 12 ahead */
#define WINDOW_MIN 1787655600
#define WINDOW_MAX 1827140400

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) problems = NULL;

  calsync_fuzz_init ();

  events = calsync_ical_parse_full ((const char *) data, (gssize) size, WINDOW_MIN, WINDOW_MAX, &problems, &error);
  g_assert ((events == NULL) == (error != NULL));
  g_assert (events == NULL || problems != NULL);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    {
      CalsyncIcalProblem *problem = g_ptr_array_index (problems, i);

      g_assert (problem->message != NULL && g_utf8_validate (problem->message, -1, NULL));
    }

  return 0;
}
