/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-google.c: libFuzzer target for the Google Calendar readers — an
 * events.list page (calsync_google_parse_events_page) and one event resource
 * (calsync_google_parse_event), both on every input, as the HTTP layer hands
 * them over: a body of exactly @size bytes, not NUL-terminated. */
#include "config.h"

#include <stdint.h>

#include "calsync-google-provider.h"
#include "calsync-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(CalsyncEvent) floating = NULL;

  calsync_fuzz_init ();

  page = calsync_google_parse_events_page ((const char *) data, size, &error);
  g_assert ((page == NULL) == (error != NULL));
  g_clear_error (&error);

  event = calsync_google_parse_event ((const char *) data, size, "Europe/Berlin", &error);
  g_assert ((event == NULL) == (error != NULL));
  g_clear_error (&error);

  floating = calsync_google_parse_event ((const char *) data, size, NULL, NULL);

  return 0;
}
