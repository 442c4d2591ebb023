/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-popover.h: details of one event (time, location, attendees, join link). */
#pragma once

#include <gtk/gtk.h>

#include "calsync-event.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_EVENT_POPOVER (calsync_event_popover_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncEventPopover, calsync_event_popover, CALSYNC, EVENT_POPOVER, GtkPopover)

GtkWidget    *calsync_event_popover_new       (CalsyncEvent        *event);

G_END_DECLS
