/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical.c: reading iCalendar with libical into CalsyncEvents. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>

#include "calsync-ical.h"

G_DEFINE_QUARK (calsync-ical-error-quark, calsync_ical_error)

void
calsync_ical_init (void)
{
  static gsize initialized = 0;

  if (g_once_init_enter (&initialized))
    {
      icaltimezone_set_tzid_prefix ("");
      g_once_init_leave (&initialized, 1);
    }
}

GPtrArray *
calsync_ical_parse (const char  *data,
                    gssize       length,
                    gint64       window_start_utc,
                    gint64       window_end_utc,
                    GError     **error)
{
  g_set_error_literal (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_PARSE, "not implemented yet");
  return NULL;
}
