/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-widget.h: an event "chip" in a view; clicking it shows the details popover. */
#pragma once

#include <gtk/gtk.h>

#include "calsync-event.h"

G_BEGIN_DECLS

typedef enum
{
  CALSYNC_EVENT_WIDGET_CHIP,   /* month cell: one line "Standup 10:00" */
  CALSYNC_EVENT_WIDGET_BAR,    /* all-day / multi-day bar: title only */
  CALSYNC_EVENT_WIDGET_BLOCK,  /* week view: title, time range, location, wraps */
} CalsyncEventWidgetStyle;

#define CALSYNC_TYPE_EVENT_WIDGET (calsync_event_widget_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncEventWidget, calsync_event_widget, CALSYNC, EVENT_WIDGET, GtkWidget)

GtkWidget    *calsync_event_widget_new            (CalsyncEvent           *event,
                                                   CalsyncEventWidgetStyle style);
CalsyncEvent *calsync_event_widget_get_event      (CalsyncEventWidget     *self);
/* Bars that continue from the previous week row / into the next get square ends. */
void          calsync_event_widget_set_continues  (CalsyncEventWidget     *self,
                                                   gboolean                from_before,
                                                   gboolean                after);

gboolean      calsync_event_widget_shows          (CalsyncEventWidget     *self,
                                                   CalsyncEvent           *event,
                                                   CalsyncEventWidgetStyle style,
                                                   gboolean                from_before,
                                                   gboolean                after,
                                                   GDateTime              *now);

/* What a screen reader says for @event: "Standup, Wednesday 25 November, 10:00
 * to 10:15, Work calendar" (all-day: "…, all day, …"). Views and tests reuse it. */
char         *calsync_event_widget_build_accessible_label (CalsyncEvent *event);
/* A day as accessible names say it: "Wednesday 25 November" (day cells too) */
char         *calsync_event_widget_format_day     (GDateTime              *day);

/* "Not yet synced": the pending mark's tooltip and accessible description */
const char   *calsync_event_pending_text          (void);

gboolean      calsync_event_widget_query_tooltip  (GtkWidget              *container,
                                                   int                     x,
                                                   int                     y,
                                                   gboolean                keyboard_mode,
                                                   GtkTooltip             *tooltip);

G_END_DECLS
