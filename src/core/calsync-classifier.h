/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-classifier.h: guesses an event's type and finds its conferencing link. */
#pragma once

#include "calsync-event.h"

G_BEGIN_DECLS

/* Table-driven keyword match on title then description (English and German keywords). */
CalsyncEventType  calsync_classify_event_type   (const char *title,
                                                 const char *description,
                                                 gboolean    has_attendees);
/* First Google Meet, Microsoft Teams, Zoom or Webex URL in @text, or NULL */
char             *calsync_find_conference_url   (const char *text);

G_END_DECLS
