/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-widget.c: an event "chip" in a view; clicking it shows the details popover. */
#define G_LOG_DOMAIN "calsync-event-widget"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-date-utils.h"
#include "calsync-gui.h"
#include "calsync-event-popover.h"
#include "calsync-event-widget.h"

#define DEFAULT_COLOR "#3584e4"
#define CHIP_DOT_SIZE  8
#define CHIP_DOT_START 6   /* from the start edge */
#define CHIP_DOT_SPACE 14  /* room the title leaves for the dot */

struct _CalsyncEventWidget
{
  GtkWidget parent_instance;

  /* Owned references */
  CalsyncEvent *event;
  GtkWidget *box;
  GtkWidget *popover;

  CalsyncEventWidgetStyle style;
  GdkRGBA color;
  gboolean continues_before;
  gboolean continues_after;
};

G_DEFINE_FINAL_TYPE (CalsyncEventWidget, calsync_event_widget, GTK_TYPE_WIDGET)

static void
popover_closed_cb (CalsyncEventWidget *self)
{
  GtkWidget *popover = g_steal_pointer (&self->popover);

  if (popover != NULL)
    calsync_gui_unparent_later (popover);
}

static void
calsync_event_widget_show_details (CalsyncEventWidget *self)
{
  if (self->popover != NULL)
    return;

  self->popover = calsync_event_popover_new (self->event);
  gtk_widget_set_parent (self->popover, GTK_WIDGET (self));
  g_signal_connect_object (self->popover, "closed", G_CALLBACK (popover_closed_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_popover_popup (GTK_POPOVER (self->popover));
}

static void
click_released_cb (GtkGestureClick    *gesture,
                   int                 n_press,
                   double              x,
                   double              y,
                   CalsyncEventWidget *self)
{
  gtk_gesture_set_state (GTK_GESTURE (gesture), GTK_EVENT_SEQUENCE_CLAIMED);
  calsync_event_widget_show_details (self);
}

static void
activate_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  calsync_event_widget_show_details (CALSYNC_EVENT_WIDGET (widget));
}

static gboolean
color_is_dark (const GdkRGBA *color)
{
  /* Relative luminance (sRGB weights); light text on dark chips */
  return 0.2126 * color->red + 0.7152 * color->green + 0.0722 * color->blue < 0.6;
}

static char *
chip_time_text (CalsyncEvent *event)
{
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);

  return calsync_date_format_time (start);
}

static char *
block_time_text (CalsyncEvent *event)
{
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);
  g_autoptr(GDateTime) end = calsync_event_dup_local_end (event);
  g_autofree char *start_text = calsync_date_format_time (start);
  g_autofree char *end_text = calsync_date_format_time (end);

  /* Translators: a time range, "10:00 – 11:00" */
  return g_strdup_printf (_("%s – %s"), start_text, end_text);
}

static GtkWidget *
make_label (const char *text,
            const char *css_class,
            gboolean    ellipsize)
{
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_xalign (GTK_LABEL (label), 0.0f);
  if (ellipsize)
    gtk_label_set_ellipsize (GTK_LABEL (label), PANGO_ELLIPSIZE_END);
  if (css_class != NULL)
    gtk_widget_add_css_class (label, css_class);
  return label;
}

static void
build_chip (CalsyncEventWidget *self,
            const char         *title)
{
  g_autofree char *time_text = chip_time_text (self->event);
  GtkWidget *title_label = make_label (title, "title", TRUE);

  /* The calendar-coloured dot is drawn in snapshot (see CHIP_DOT_*): a month of
   * chips is hundreds of widgets fewer that way. */
  gtk_widget_set_margin_start (self->box, CHIP_DOT_SPACE);
  gtk_widget_set_hexpand (title_label, TRUE);
  gtk_box_append (GTK_BOX (self->box), title_label);
  gtk_box_append (GTK_BOX (self->box), make_label (time_text, "time", FALSE));
}

/* Events of half an hour or less: "Standup · 10:00" on one line, as GNOME Calendar does. */
static void
build_short_block (CalsyncEventWidget *self,
                   const char         *title)
{
  g_autofree char *time_text = chip_time_text (self->event);
  GtkWidget *title_label = make_label (title, "title", TRUE);

  gtk_widget_set_valign (self->box, GTK_ALIGN_START);
  gtk_box_append (GTK_BOX (self->box), title_label);
  gtk_box_append (GTK_BOX (self->box), make_label (time_text, "time", FALSE));
}

static void
build_block (CalsyncEventWidget *self,
             const char         *title)
{
  const char *location = calsync_event_get_location (self->event);
  g_autofree char *time_text = NULL;
  GtkWidget *title_label;

  if (calsync_event_get_end (self->event) - calsync_event_get_start (self->event) <= 30 * 60)
    {
      build_short_block (self, title);
      return;
    }

  time_text = block_time_text (self->event);
  title_label = make_label (title, "title", TRUE);
  gtk_orientable_set_orientation (GTK_ORIENTABLE (self->box), GTK_ORIENTATION_VERTICAL);
  gtk_label_set_wrap (GTK_LABEL (title_label), TRUE);
  gtk_label_set_wrap_mode (GTK_LABEL (title_label), PANGO_WRAP_WORD);
  gtk_label_set_lines (GTK_LABEL (title_label), 2);
  gtk_box_append (GTK_BOX (self->box), title_label);
  gtk_box_append (GTK_BOX (self->box), make_label (time_text, "time", TRUE));
  if (location != NULL && *location != '\0')
    gtk_box_append (GTK_BOX (self->box), make_label (location, "location", TRUE));
}

static void
calsync_event_widget_build (CalsyncEventWidget *self)
{
  const char *title = calsync_event_get_title (self->event);
  const char *color = calsync_event_get_calendar_color (self->event);
  g_autoptr(GDateTime) end = calsync_event_dup_local_end (self->event);
  g_autoptr(GDateTime) now = calsync_date_now_local ();
  g_autofree char *tooltip = NULL;

  if (title == NULL || *title == '\0')
    title = _("Untitled event");

  if (color == NULL || !gdk_rgba_parse (&self->color, color))
    gdk_rgba_parse (&self->color, DEFAULT_COLOR);

  self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
  gtk_widget_set_parent (self->box, GTK_WIDGET (self));

  switch (self->style)
    {
    case CALSYNC_EVENT_WIDGET_CHIP:
      gtk_widget_add_css_class (GTK_WIDGET (self), "chip");
      build_chip (self, title);
      break;
    case CALSYNC_EVENT_WIDGET_BAR:
      gtk_widget_add_css_class (GTK_WIDGET (self), "bar");
      gtk_box_append (GTK_BOX (self->box), make_label (title, "title", TRUE));
      break;
    case CALSYNC_EVENT_WIDGET_BLOCK:
    default:
      gtk_widget_add_css_class (GTK_WIDGET (self), "block");
      build_block (self, title);
      break;
    }

  if (self->style != CALSYNC_EVENT_WIDGET_CHIP)
    gtk_widget_add_css_class (GTK_WIDGET (self), color_is_dark (&self->color) ? "dark" : "light");

  if (g_date_time_compare (end, now) <= 0)
    gtk_widget_add_css_class (GTK_WIDGET (self), "past");

  tooltip = g_markup_escape_text (title, -1);
  gtk_widget_set_tooltip_markup (GTK_WIDGET (self), tooltip);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, title,
                                  -1);
}

static void
append_rounded (GtkSnapshot           *snapshot,
                const graphene_rect_t *bounds,
                float                  radius_start,
                float                  radius_end,
                const GdkRGBA         *color)
{
  GskRoundedRect rect;
  graphene_size_t start = GRAPHENE_SIZE_INIT (radius_start, radius_start);
  graphene_size_t end = GRAPHENE_SIZE_INIT (radius_end, radius_end);

  gsk_rounded_rect_init (&rect, bounds, &start, &end, &end, &start);
  gtk_snapshot_push_rounded_clip (snapshot, &rect);
  gtk_snapshot_append_color (snapshot, color, bounds);
  gtk_snapshot_pop (snapshot);
}

static void
snapshot_dot (CalsyncEventWidget *self,
              GtkSnapshot        *snapshot,
              int                 width,
              int                 height,
              gboolean            rtl)
{
  float x = rtl ? width - CHIP_DOT_START - CHIP_DOT_SIZE : CHIP_DOT_START;
  graphene_rect_t dot = GRAPHENE_RECT_INIT (x, (height - CHIP_DOT_SIZE) / 2.0f,
                                            CHIP_DOT_SIZE, CHIP_DOT_SIZE);

  append_rounded (snapshot, &dot, CHIP_DOT_SIZE / 2.0f, CHIP_DOT_SIZE / 2.0f, &self->color);
}

static void
snapshot_background (CalsyncEventWidget *self,
                     GtkSnapshot        *snapshot)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  graphene_rect_t bounds = GRAPHENE_RECT_INIT (0, 0, width, height);
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
  float r_start = (rtl ? self->continues_after : self->continues_before) ? 0 : 5;
  float r_end = (rtl ? self->continues_before : self->continues_after) ? 0 : 5;
  GdkRGBA tint = self->color;

  switch (self->style)
    {
    case CALSYNC_EVENT_WIDGET_BAR:
      append_rounded (snapshot, &bounds, r_start, r_end, &self->color);
      break;
    case CALSYNC_EVENT_WIDGET_BLOCK:
      tint.alpha = 0.25f;
      append_rounded (snapshot, &bounds, 5, 5, &tint);
      bounds.size.width = 4;
      append_rounded (snapshot, &bounds, 5, 0, &self->color);
      break;
    case CALSYNC_EVENT_WIDGET_CHIP:
    default:
      snapshot_dot (self, snapshot, width, height, rtl);
      break;
    }
}

static void
calsync_event_widget_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  CalsyncEventWidget *self = CALSYNC_EVENT_WIDGET (widget);

  snapshot_background (self, snapshot);
  GTK_WIDGET_CLASS (calsync_event_widget_parent_class)->snapshot (widget, snapshot);
}

static void
calsync_event_widget_measure (GtkWidget      *widget,
                              GtkOrientation  orientation,
                              int             for_size,
                              int            *minimum,
                              int            *natural,
                              int            *minimum_baseline,
                              int            *natural_baseline)
{
  CalsyncEventWidget *self = CALSYNC_EVENT_WIDGET (widget);

  gtk_widget_measure (self->box, orientation, for_size, minimum, natural, NULL, NULL);
  /* Narrow columns: let the labels ellipsize down to nothing. */
  if (orientation == GTK_ORIENTATION_HORIZONTAL)
    *minimum = MIN (*minimum, 8);
}

/* A short block shows only the lines that fit whole: no half-cut time or location. */
static void
hide_cut_lines (CalsyncEventWidget *self,
                int                 height)
{
  GtkWidget *title = gtk_widget_get_first_child (self->box);

  for (GtkWidget *line = title; line != NULL; line = gtk_widget_get_next_sibling (line))
    {
      graphene_rect_t bounds;
      gboolean fits = TRUE;

      gtk_widget_set_child_visible (line, TRUE);
      if (line != title && gtk_widget_compute_bounds (line, GTK_WIDGET (self), &bounds))
        fits = bounds.origin.y + bounds.size.height <= height;
      gtk_widget_set_child_visible (line, fits);
    }
}

/* One-line short blocks: in a narrow column the title matters more than the time. */
static void
drop_time_if_narrow (CalsyncEventWidget *self,
                     int                 width)
{
  GtkWidget *title = gtk_widget_get_first_child (self->box);
  GtkWidget *time = title ? gtk_widget_get_next_sibling (title) : NULL;
  int title_width, time_width;
  gboolean fits;

  if (time == NULL)
    return;

  gtk_widget_measure (title, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &title_width, NULL, NULL);
  gtk_widget_measure (time, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &time_width, NULL, NULL);
  fits = title_width + time_width + 24 <= width;
  /* Only on change: toggling visibility queues a resize. */
  if (gtk_widget_get_visible (time) != fits)
    gtk_widget_set_visible (time, fits);
}

static void
calsync_event_widget_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  CalsyncEventWidget *self = CALSYNC_EVENT_WIDGET (widget);
  gboolean one_line = gtk_orientable_get_orientation (GTK_ORIENTABLE (self->box)) ==
                      GTK_ORIENTATION_HORIZONTAL;
  int min_height;

  if (self->style == CALSYNC_EVENT_WIDGET_BLOCK && one_line)
    drop_time_if_narrow (self, width);

  gtk_widget_measure (self->box, GTK_ORIENTATION_VERTICAL, width, &min_height, NULL, NULL, NULL);
  /* The box may be larger than a short event; the widget clips it (overflow hidden). */
  gtk_widget_allocate (self->box, MAX (width, 1), MAX (height, min_height), -1, NULL);

  if (self->style == CALSYNC_EVENT_WIDGET_BLOCK && !one_line)
    hide_cut_lines (self, height);

  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));
}

static void
calsync_event_widget_dispose (GObject *object)
{
  CalsyncEventWidget *self = (CalsyncEventWidget *)object;

  g_clear_pointer (&self->popover, gtk_widget_unparent);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->event);

  G_OBJECT_CLASS (calsync_event_widget_parent_class)->dispose (object);
}

static void
calsync_event_widget_class_init (CalsyncEventWidgetClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_event_widget_dispose;
  widget_class->snapshot = calsync_event_widget_snapshot;
  widget_class->measure = calsync_event_widget_measure;
  widget_class->size_allocate = calsync_event_widget_size_allocate;

  gtk_widget_class_set_css_name (widget_class, "calsync-event");
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_BUTTON);
  gtk_widget_class_install_action (widget_class, "event.show-details", NULL, activate_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, 0, "event.show-details", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, 0, "event.show-details", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_space, 0, "event.show-details", NULL);
}

static void
calsync_event_widget_init (CalsyncEventWidget *self)
{
  GtkGesture *click = gtk_gesture_click_new ();

  gtk_widget_set_focusable (GTK_WIDGET (self), TRUE);
  gtk_widget_set_overflow (GTK_WIDGET (self), GTK_OVERFLOW_HIDDEN);
  gtk_widget_set_cursor_from_name (GTK_WIDGET (self), "pointer");
  gtk_gesture_single_set_button (GTK_GESTURE_SINGLE (click), GDK_BUTTON_PRIMARY);
  g_signal_connect (click, "released", G_CALLBACK (click_released_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (self), GTK_EVENT_CONTROLLER (click));
}

/**
 * calsync_event_widget_new:
 * @event: the event to show
 * @style: how to draw it
 *
 * Returns: (transfer floating): a new widget
 */
GtkWidget *
calsync_event_widget_new (CalsyncEvent            *event,
                          CalsyncEventWidgetStyle  style)
{
  CalsyncEventWidget *self;

  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  self = g_object_new (CALSYNC_TYPE_EVENT_WIDGET, NULL);
  self->event = g_object_ref (event);
  self->style = style;
  calsync_event_widget_build (self);

  return GTK_WIDGET (self);
}

CalsyncEvent *
calsync_event_widget_get_event (CalsyncEventWidget *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT_WIDGET (self), NULL);

  return self->event;
}

void
calsync_event_widget_set_continues (CalsyncEventWidget *self,
                                    gboolean            from_before,
                                    gboolean            after)
{
  g_return_if_fail (CALSYNC_IS_EVENT_WIDGET (self));

  self->continues_before = from_before;
  self->continues_after = after;
  gtk_widget_queue_draw (GTK_WIDGET (self));
}
