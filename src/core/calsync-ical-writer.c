/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-writer.c: writing CalsyncEvents as iCalendar with libical. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>

#include "calsync-ical.h"

char *
calsync_ical_serialize (GPtrArray  *events,
                        gint64      dtstamp_utc,
                        GError    **error)
{
  g_set_error_literal (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_WRITE, "not implemented yet");
  return NULL;
}

gboolean
calsync_ical_write_file (const char  *path,
                         GPtrArray   *events,
                         GError     **error)
{
  g_set_error_literal (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_WRITE, "not implemented yet");
  return FALSE;
}
