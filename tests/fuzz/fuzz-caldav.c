/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-caldav.c: libFuzzer target for the WebDAV multistatus reader
 * (caldav_parse_multistatus: PROPFIND, calendar-query, calendar-multiget and
 * sync-collection answers, DAV:error bodies), with the colors it hands on. */
#include "config.h"

#include <stdint.h>

#include "calsync-caldav-private.h"
#include "calsync-fuzz.h"

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CaldavMultistatus) ms = NULL;

  calsync_fuzz_init ();

  ms = caldav_parse_multistatus ((const char *) data, size, "https://cal.example.com/bernard/calendar/", &error);
  g_assert ((ms == NULL) == (error != NULL));

  for (guint i = 0; ms != NULL && i < ms->entries->len; i++)
    {
      CaldavEntry *entry = g_ptr_array_index (ms->entries, i);
      g_autofree char *color = caldav_normalize_color (entry->color);

      g_assert (entry->href != NULL);
      g_assert (color == NULL || strlen (color) == 7);
    }

  return 0;
}
