/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-private.h: what the iCalendar reader (calsync-ical.c) and
 * writer (calsync-ical-writer.c) share, so that both read and write a zone
 * name, a participation status or a date the same way. */
#pragma once

#include <glib.h>
#include <libical/ical.h>

G_BEGIN_DECLS

gboolean                calsync_ical_is_utc_name           (const char          *tzid);

const char             *calsync_ical_partstat_to_response  (const char          *partstat);
icalparameter_partstat  calsync_ical_response_to_partstat  (const char          *response);

char                   *calsync_ical_format_date           (struct icaltimetype  date);
gboolean                calsync_ical_parse_date            (const char          *text,
                                                            struct icaltimetype *date);

G_END_DECLS
