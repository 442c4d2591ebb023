/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-clock.c: "now", the one place that honours CALSYNC_NOW.
 *
 * CALSYNC_NOW (DESIGN.md) is an ISO 8601 instant that replaces "now" for the
 * sync window, the agenda and the views, so that tests, benchmarks and
 * screenshots see the same days whenever they run. Times that must be the
 * real ones (token lifetimes, edit times, report timestamps) do not ask here. */
#define G_LOG_DOMAIN "calsync-clock"

#include "config.h"

#include "calsync-clock.h"

static void
warn_unreadable (const char *text)
{
  static gsize warned = 0;

  if (g_once_init_enter (&warned))
    {
      g_warning ("CALSYNC_NOW=“%s” is not an ISO 8601 instant; using the current time", text);
      g_once_init_leave (&warned, 1);
    }
}

/**
 * calsync_now_utc:
 *
 * A text without an offset is read as UTC. When `CALSYNC_NOW` is set but
 * unreadable, warns once and uses the current time.
 *
 * Returns: (transfer full): now in UTC, or the instant in `CALSYNC_NOW` when set
 */
GDateTime *
calsync_now_utc (void)
{
  const char *fake = g_getenv ("CALSYNC_NOW");

  if (fake != NULL && *fake != '\0')
    {
      g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
      g_autoptr(GDateTime) parsed = g_date_time_new_from_iso8601 (fake, utc);

      if (parsed != NULL)
        return g_date_time_to_utc (parsed);
      warn_unreadable (fake);
    }

  return g_date_time_new_now_utc ();
}

/**
 * calsync_now_local:
 *
 * Returns: (transfer full): calsync_now_utc() in the local time zone
 */
GDateTime *
calsync_now_local (void)
{
  g_autoptr(GDateTime) now = calsync_now_utc ();

  return g_date_time_to_local (now);
}

