/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-windows-zones.h: Windows time zone names (the registry key or the
 * display name) to IANA ids, for Outlook, Exchange and Microsoft Graph. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

const char *calsync_windows_zone_to_iana (const char *name);
/* The Windows key of a zone that is its territory "001" IANA zone, or NULL */
const char *calsync_windows_zone_from_iana (const char *iana);
/* The table in Windows' order, for guessing a zone from its rules */
const char *calsync_windows_zone_nth     (guint       index,
                                          int        *standard_offset);

G_END_DECLS
