/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-widget.c: an event "chip" in a view; clicking it shows the details popover. */
#define G_LOG_DOMAIN "calsync-event-widget"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-clock.h"
#include "calsync-date-utils.h"
#include "calsync-gui.h"
#include "calsync-event-popover.h"
#include "calsync-event-widget.h"

#define DEFAULT_COLOR "#3584e4"
#define CHIP_DOT_SIZE  8
#define CHIP_DOT_START 6   /* from the start edge */
#define CHIP_DOT_SPACE 20  /* where a chip's title starts */
#define LINE_PAD_X     6
#define LINE_PAD_Y     2
#define LINE_TIME_GAP  6
/* The "not yet synced" mark: a small icon at the end of the line, or in the
 * top end corner of a block */
#define PENDING_ICON   "emblem-synchronizing-symbolic"
#define PENDING_SIZE   12
#define PENDING_GAP    4
#define BLOCK_PAD      3

struct _CalsyncEventWidget
{
  GtkWidget parent_instance;

  /* Owned references */
  CalsyncEvent *event;
  GtkWidget *box;              /* blocks: labels in a box */
  GtkWidget *popover;
  /* Chips and bars draw one line of text themselves: a month of chips would
   * otherwise be a thousand widgets, which startup and every reload pay for. */
  char *title_text;
  char *time_text;
  PangoLayout *title_layout;
  PangoLayout *time_layout;
  PangoFontDescription *layout_font;   /* the font the layouts were made with */
  gboolean show_time;

  CalsyncEventWidgetStyle style;
  GdkRGBA color;
  gboolean continues_before;
  gboolean continues_after;
  gboolean past;
  gboolean pending;            /* a change waits in the outbox */
  gboolean time_fits;          /* short blocks: whether the time label fits beside the title */
  guint time_tick_id;          /* applies time_fits after the allocation */
};

/* Chips and bars of past events are drawn with this alpha: an opacity node per
 * chip would make the cairo renderer paint each one through its own group.
 * 0.75 keeps their text at ≥ 4.5:1 (titles 5.7:1 on light, 9.8:1 on dark) */
#define PAST_ALPHA 0.75f

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

/* One-line chips and bars */

static PangoLayout *
new_line_layout (CalsyncEventWidget *self,
                 const char         *text,
                 PangoAttribute     *first_attr,
                 PangoAttribute     *second_attr)
{
  PangoLayout *layout = gtk_widget_create_pango_layout (GTK_WIDGET (self), text);
  PangoAttrList *attrs = pango_attr_list_new ();

  if (first_attr != NULL)
    pango_attr_list_insert (attrs, first_attr);
  if (second_attr != NULL)
    pango_attr_list_insert (attrs, second_attr);
  pango_layout_set_attributes (layout, attrs);
  pango_layout_set_single_paragraph_mode (layout, TRUE);
  pango_layout_set_ellipsize (layout, PANGO_ELLIPSIZE_END);
  pango_attr_list_unref (attrs);
  return layout;
}

/* Made on demand and dropped when the style changes (font, scale, direction). */
static void
ensure_line_layouts (CalsyncEventWidget *self)
{
  if (self->title_layout != NULL)
    return;

  self->layout_font = pango_font_description_copy (
    pango_context_get_font_description (gtk_widget_get_pango_context (GTK_WIDGET (self))));
  self->title_layout = new_line_layout (self, self->title_text,
                                        self->style == CALSYNC_EVENT_WIDGET_BAR
                                          ? pango_attr_weight_new (PANGO_WEIGHT_SEMIBOLD) : NULL,
                                        NULL);
  if (self->time_text != NULL)
    self->time_layout = new_line_layout (self, self->time_text,
                                         pango_attr_scale_new (PANGO_SCALE_SMALL),
                                         pango_attr_font_features_new ("tnum"));
}

static void
drop_line_layouts (CalsyncEventWidget *self)
{
  g_clear_object (&self->title_layout);
  g_clear_object (&self->time_layout);
  g_clear_pointer (&self->layout_font, pango_font_description_free);
}

/* Room the pending mark takes at the end of a line */
static int
pending_space (CalsyncEventWidget *self)
{
  return self->pending ? PENDING_SIZE + PENDING_GAP : 0;
}

static int
line_text_start (CalsyncEventWidget *self)
{
  return self->style == CALSYNC_EVENT_WIDGET_CHIP ? CHIP_DOT_SPACE : LINE_PAD_X;
}

static void
measure_line (CalsyncEventWidget *self,
              GtkOrientation      orientation,
              int                *minimum,
              int                *natural)
{
  int title_width, title_height, time_width = 0, time_height = 0;

  ensure_line_layouts (self);
  pango_layout_set_width (self->title_layout, -1);
  pango_layout_get_pixel_size (self->title_layout, &title_width, &title_height);
  if (self->time_layout != NULL)
    pango_layout_get_pixel_size (self->time_layout, &time_width, &time_height);

  if (orientation == GTK_ORIENTATION_VERTICAL)
    {
      *minimum = *natural = MAX (title_height, time_height) + 2 * LINE_PAD_Y;
      return;
    }

  /* Narrow cells: the title ellipsizes down to nothing. */
  *minimum = 8;
  *natural = line_text_start (self) + title_width + LINE_PAD_X +
             (time_width > 0 ? LINE_TIME_GAP + time_width : 0) + pending_space (self);
}

static void
allocate_line (CalsyncEventWidget *self,
               int                 width)
{
  int time_width = 0, available;

  ensure_line_layouts (self);
  if (self->time_layout != NULL)
    pango_layout_get_pixel_size (self->time_layout, &time_width, NULL);

  available = width - line_text_start (self) - LINE_PAD_X - pending_space (self);
  /* In a narrow cell the title matters more than the time. */
  self->show_time = time_width > 0 && available - time_width - LINE_TIME_GAP >= 3 * time_width / 2;
  if (self->show_time)
    available -= time_width + LINE_TIME_GAP;

  pango_layout_set_width (self->title_layout, MAX (available, 1) * PANGO_SCALE);
}

static void
text_color (GtkWidget *widget,
            GdkRGBA   *color)
{
#if GTK_CHECK_VERSION (4, 10, 0)
  gtk_widget_get_color (widget, color);
#else
  gtk_style_context_get_color (gtk_widget_get_style_context (widget), color);
#endif
}

static void
append_layout_at (GtkSnapshot   *snapshot,
                  PangoLayout   *layout,
                  float          x,
                  float          y,
                  const GdkRGBA *color)
{
  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_snapshot_append_layout (snapshot, layout, color);
  gtk_snapshot_restore (snapshot);
}

static void
snapshot_line (CalsyncEventWidget *self,
               GtkSnapshot        *snapshot)
{
  int width = gtk_widget_get_width (GTK_WIDGET (self));
  int height = gtk_widget_get_height (GTK_WIDGET (self));
  gboolean rtl = gtk_widget_get_direction (GTK_WIDGET (self)) == GTK_TEXT_DIR_RTL;
  int title_width, title_height, time_width, time_height;
  GdkRGBA color, dim;

  ensure_line_layouts (self);
  text_color (GTK_WIDGET (self), &color);
  if (self->past)
    color.alpha *= PAST_ALPHA;
  pango_layout_get_pixel_size (self->title_layout, &title_width, &title_height);

  /* Too narrow for a word (a phone-sized month): the dot alone, not a lone "…" */
  if (width - line_text_start (self) - LINE_PAD_X < 24)
    return;

  append_layout_at (snapshot, self->title_layout,
                    rtl ? width - line_text_start (self) - title_width : line_text_start (self),
                    (height - title_height) / 2.0f, &color);

  if (!self->show_time)
    return;

  /* The time is dimmed beside the title, except when the whole chip already
   * is (past): 0.7 × 0.75 would fall to 3:1 */
  dim = color;
  if (!self->past)
    dim.alpha *= 0.7f;
  pango_layout_get_pixel_size (self->time_layout, &time_width, &time_height);
  append_layout_at (snapshot, self->time_layout,
                    rtl ? LINE_PAD_X + pending_space (self) : width - LINE_PAD_X - pending_space (self) - time_width,
                    (height - time_height) / 2.0f, &dim);
}

/* Drawn, not a GtkImage: chips draw their own line (see the struct) */
static void
snapshot_pending (CalsyncEventWidget *self,
                  GtkSnapshot        *snapshot)
{
  GtkWidget *widget = GTK_WIDGET (self);
  int width = gtk_widget_get_width (widget);
  int height = gtk_widget_get_height (widget);
  gboolean rtl = gtk_widget_get_direction (widget) == GTK_TEXT_DIR_RTL;
  gboolean block = self->style == CALSYNC_EVENT_WIDGET_BLOCK;
  int pad = block ? BLOCK_PAD : LINE_PAD_X;
  g_autoptr(GtkIconPaintable) icon = NULL;
  GdkRGBA color;
  float x, y;

  if (!self->pending || width < PENDING_SIZE + 2 * pad || height < PENDING_SIZE)
    return;

  icon = gtk_icon_theme_lookup_icon (gtk_icon_theme_get_for_display (gtk_widget_get_display (widget)),
                                     PENDING_ICON, NULL, PENDING_SIZE, gtk_widget_get_scale_factor (widget),
                                     gtk_widget_get_direction (widget), 0);
  text_color (widget, &color);
  if (self->past)
    color.alpha *= PAST_ALPHA;
  x = rtl ? pad : width - pad - PENDING_SIZE;
  y = block ? BLOCK_PAD : (height - PENDING_SIZE) / 2.0f;

  gtk_snapshot_save (snapshot);
  gtk_snapshot_translate (snapshot, &GRAPHENE_POINT_INIT (x, y));
  gtk_symbolic_paintable_snapshot_symbolic (GTK_SYMBOLIC_PAINTABLE (icon), snapshot,
                                            PENDING_SIZE, PENDING_SIZE, &color, 1);
  gtk_snapshot_restore (snapshot);
}

/* Events of half an hour or less: "Standup · 10:00" on one line, as GNOME Calendar does. */
static void
build_short_block (CalsyncEventWidget *self,
                   const char         *title)
{
  g_autofree char *time_text = chip_time_text (self->event);
  GtkWidget *title_label = make_label (title, "title", TRUE);

  if (self->pending)
    gtk_widget_set_margin_end (self->box, PENDING_SIZE + BLOCK_PAD);
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
  if (self->pending)
    gtk_widget_set_margin_end (title_label, PENDING_SIZE + BLOCK_PAD);
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
  g_autoptr(GDateTime) now = calsync_now_local ();

  if (title == NULL || *title == '\0')
    title = _("Untitled event");

  if (color == NULL || !gdk_rgba_parse (&self->color, color))
    gdk_rgba_parse (&self->color, DEFAULT_COLOR);

  self->pending = calsync_event_get_pending (self->event);
  if (self->pending)
    gtk_widget_add_css_class (GTK_WIDGET (self), "pending");

  switch (self->style)
    {
    case CALSYNC_EVENT_WIDGET_CHIP:
      gtk_widget_add_css_class (GTK_WIDGET (self), "chip");
      self->title_text = g_strdup (title);
      self->time_text = chip_time_text (self->event);
      break;
    case CALSYNC_EVENT_WIDGET_BAR:
      gtk_widget_add_css_class (GTK_WIDGET (self), "bar");
      self->title_text = g_strdup (title);
      break;
    case CALSYNC_EVENT_WIDGET_BLOCK:
    default:
      gtk_widget_add_css_class (GTK_WIDGET (self), "block");
      self->box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 6);
      /* The block's accessible label says it all (see below) */
      gtk_accessible_update_state (GTK_ACCESSIBLE (self->box), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      gtk_widget_set_parent (self->box, GTK_WIDGET (self));
      build_block (self, title);
      break;
    }

  if (self->style != CALSYNC_EVENT_WIDGET_CHIP)
    gtk_widget_add_css_class (GTK_WIDGET (self), color_is_dark (&self->color) ? "dark" : "light");

  self->past = g_date_time_compare (end, now) <= 0;
  if (self->past)
    gtk_widget_add_css_class (GTK_WIDGET (self), "past");

  {
    g_autofree char *label = calsync_event_widget_build_accessible_label (self->event);

    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_LABEL, label,
                                    -1);
  }
  if (self->pending)
    gtk_accessible_update_property (GTK_ACCESSIBLE (self),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, calsync_event_pending_text (),
                                    -1);
}

/* A filled rounded rectangle, as a border node whose borders meet in the middle:
 * renderers fill that as one path, where a rounded clip around a colour would
 * make the cairo renderer build a clip mask for every chip. */
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
  float half_w = bounds->size.width / 2.0f, half_h = bounds->size.height / 2.0f;
  const float widths[4] = { half_h, half_w, half_h, half_w };
  const GdkRGBA colors[4] = { *color, *color, *color, *color };

  gsk_rounded_rect_init (&rect, bounds, &start, &end, &end, &start);
  gtk_snapshot_append_border (snapshot, &rect, widths, colors);
}

static void
snapshot_dot (CalsyncEventWidget *self,
              GtkSnapshot        *snapshot,
              int                 width,
              int                 height,
              gboolean            rtl,
              const GdkRGBA      *color)
{
  float x = rtl ? width - CHIP_DOT_START - CHIP_DOT_SIZE : CHIP_DOT_START;
  graphene_rect_t dot = GRAPHENE_RECT_INIT (x, (height - CHIP_DOT_SIZE) / 2.0f,
                                            CHIP_DOT_SIZE, CHIP_DOT_SIZE);

  append_rounded (snapshot, &dot, CHIP_DOT_SIZE / 2.0f, CHIP_DOT_SIZE / 2.0f, color);
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
  GdkRGBA color = self->color;

  /* Blocks (labels in a box) keep the CSS opacity of .past */
  if (self->past && self->style != CALSYNC_EVENT_WIDGET_BLOCK)
    color.alpha *= PAST_ALPHA;

  switch (self->style)
    {
    case CALSYNC_EVENT_WIDGET_BAR:
      append_rounded (snapshot, &bounds, r_start, r_end, &color);
      break;
    case CALSYNC_EVENT_WIDGET_BLOCK:
      tint.alpha = 0.25f;
      append_rounded (snapshot, &bounds, 5, 5, &tint);
      bounds.size.width = 4;
      append_rounded (snapshot, &bounds, 5, 0, &self->color);
      break;
    case CALSYNC_EVENT_WIDGET_CHIP:
    default:
      snapshot_dot (self, snapshot, width, height, rtl, &color);
      break;
    }
}

static void
calsync_event_widget_snapshot (GtkWidget   *widget,
                               GtkSnapshot *snapshot)
{
  CalsyncEventWidget *self = CALSYNC_EVENT_WIDGET (widget);

  snapshot_background (self, snapshot);
  if (self->box != NULL)
    GTK_WIDGET_CLASS (calsync_event_widget_parent_class)->snapshot (widget, snapshot);
  else
    snapshot_line (self, snapshot);
  snapshot_pending (self, snapshot);
}

/**
 * calsync_event_widget_shows:
 *
 * Whether this widget already shows @event as @style would: same content,
 * calendar colour, ends and past state. Views use it to keep widgets across
 * reloads instead of rebuilding (and repainting) every chip.
 */
gboolean
calsync_event_widget_shows (CalsyncEventWidget      *self,
                            CalsyncEvent            *event,
                            CalsyncEventWidgetStyle  style,
                            gboolean                 from_before,
                            gboolean                 after,
                            GDateTime               *now)
{
  g_autoptr(GDateTime) end = NULL;

  g_return_val_if_fail (CALSYNC_IS_EVENT_WIDGET (self), FALSE);

  if (self->style != style || self->continues_before != from_before || self->continues_after != after ||
      calsync_event_get_id (self->event) != calsync_event_get_id (event) ||
      calsync_event_get_locally_modified (self->event) != calsync_event_get_locally_modified (event) ||
      calsync_event_get_pending (self->event) != calsync_event_get_pending (event) ||
      g_strcmp0 (calsync_event_get_calendar_color (self->event), calsync_event_get_calendar_color (event)) != 0 ||
      g_strcmp0 (calsync_event_get_calendar_name (self->event), calsync_event_get_calendar_name (event)) != 0 ||
      !calsync_event_equal_content (self->event, event))
    return FALSE;

  end = calsync_event_dup_local_end (event);
  return self->past == (g_date_time_compare (end, now) <= 0);
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

  if (self->box == NULL)
    {
      measure_line (self, orientation, minimum, natural);
      return;
    }

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

static GtkWidget *
short_block_time (CalsyncEventWidget *self)
{
  GtkWidget *title = self->box != NULL ? gtk_widget_get_first_child (self->box) : NULL;

  return title != NULL ? gtk_widget_get_next_sibling (title) : NULL;
}

static gboolean
apply_time_fits_cb (GtkWidget     *widget,
                    GdkFrameClock *clock,
                    gpointer       user_data)
{
  CalsyncEventWidget *self = CALSYNC_EVENT_WIDGET (widget);
  GtkWidget *time = short_block_time (self);

  self->time_tick_id = 0;
  if (time != NULL && gtk_widget_get_visible (time) != self->time_fits)
    gtk_widget_set_visible (time, self->time_fits);
  return G_SOURCE_REMOVE;
}

/* One-line short blocks: in a narrow column the title matters more than the time. */
static void
drop_time_if_narrow (CalsyncEventWidget *self,
                     int                 width)
{
  GtkWidget *time = short_block_time (self);
  GtkWidget *title = gtk_widget_get_first_child (self->box);
  int title_width, time_width;

  if (time == NULL)
    return;

  gtk_widget_measure (title, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &title_width, NULL, NULL);
  gtk_widget_measure (time, GTK_ORIENTATION_HORIZONTAL, -1, NULL, &time_width, NULL, NULL);
  self->time_fits = title_width + time_width + 24 <= width;
  /* Only on change, and after this allocation: toggling visibility queues a
   * resize, which in the middle of an allocation left the views' stack without
   * an allocation, not drawn until something else (a pointer motion) asked for
   * a new layout (a blank week view after a resize). */
  if (gtk_widget_get_visible (time) != self->time_fits && self->time_tick_id == 0)
    self->time_tick_id = gtk_widget_add_tick_callback (GTK_WIDGET (self), apply_time_fits_cb, NULL, NULL);
}

static void
calsync_event_widget_size_allocate (GtkWidget *widget,
                                    int        width,
                                    int        height,
                                    int        baseline)
{
  CalsyncEventWidget *self = CALSYNC_EVENT_WIDGET (widget);
  gboolean one_line;
  int min_height;

  if (self->popover != NULL)
    gtk_popover_present (GTK_POPOVER (self->popover));

  if (self->box == NULL)
    {
      allocate_line (self, width);
      return;
    }

  one_line = gtk_orientable_get_orientation (GTK_ORIENTABLE (self->box)) == GTK_ORIENTATION_HORIZONTAL;
  if (one_line)
    drop_time_if_narrow (self, width);

  gtk_widget_measure (self->box, GTK_ORIENTATION_VERTICAL, width, &min_height, NULL, NULL, NULL);
  /* The box may be larger than a short event; the widget clips it (overflow hidden). */
  gtk_widget_allocate (self->box, MAX (width, 1), MAX (height, min_height), -1, NULL);

  if (!one_line)
    hide_cut_lines (self, height);
}

static void
calsync_event_widget_css_changed (GtkWidget         *widget,
                                  GtkCssStyleChange *change)
{
  CalsyncEventWidget *self = CALSYNC_EVENT_WIDGET (widget);

  PangoContext *context;

  GTK_WIDGET_CLASS (calsync_event_widget_parent_class)->css_changed (widget, change);

  /* Hover and focus change the style too; only a new font needs new layouts. */
  context = gtk_widget_get_pango_context (widget);
  if (self->layout_font != NULL &&
      !pango_font_description_equal (self->layout_font, pango_context_get_font_description (context)))
    {
      drop_line_layouts (self);
      gtk_widget_queue_resize (widget);
    }
}

static void
calsync_event_widget_direction_changed (GtkWidget        *widget,
                                        GtkTextDirection  previous)
{
  drop_line_layouts (CALSYNC_EVENT_WIDGET (widget));
  GTK_WIDGET_CLASS (calsync_event_widget_parent_class)->direction_changed (widget, previous);
}

static void
calsync_event_widget_dispose (GObject *object)
{
  CalsyncEventWidget *self = (CalsyncEventWidget *)object;

  if (self->time_tick_id != 0)
    gtk_widget_remove_tick_callback (GTK_WIDGET (self), self->time_tick_id);
  self->time_tick_id = 0;
  g_clear_pointer (&self->popover, gtk_widget_unparent);
  g_clear_pointer (&self->box, gtk_widget_unparent);
  g_clear_object (&self->event);
  drop_line_layouts (self);
  g_clear_pointer (&self->title_text, g_free);
  g_clear_pointer (&self->time_text, g_free);

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
  widget_class->css_changed = calsync_event_widget_css_changed;
  widget_class->direction_changed = calsync_event_widget_direction_changed;

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

/**
 * calsync_event_widget_query_tooltip:
 * @container: a view whose children include event widgets
 *
 * A view's #GtkWidget::query-tooltip handler: the title of the event under the
 * pointer. Views set one tooltip on themselves instead of one per event widget:
 * in GTK 4.8 every gtk_widget_set_tooltip_*() asks the display server where the
 * pointer is, which made rebuilding a month of chips take up to 200 ms.
 */
gboolean
calsync_event_widget_query_tooltip (GtkWidget  *container,
                                    int         x,
                                    int         y,
                                    gboolean    keyboard_mode,
                                    GtkTooltip *tooltip)
{
  GtkWidget *picked;
  const char *title;

  picked = keyboard_mode ? gtk_root_get_focus (gtk_widget_get_root (container))
                         : gtk_widget_pick (container, x, y, GTK_PICK_DEFAULT);
  while (picked != NULL && picked != container && !CALSYNC_IS_EVENT_WIDGET (picked))
    picked = gtk_widget_get_parent (picked);
  if (picked == NULL || !CALSYNC_IS_EVENT_WIDGET (picked))
    return FALSE;

  title = calsync_event_get_title (CALSYNC_EVENT_WIDGET (picked)->event);
  if (title == NULL || *title == '\0')
    title = _("Untitled event");
  if (CALSYNC_EVENT_WIDGET (picked)->pending)
    {
      g_autofree char *text = g_strdup_printf ("%s\n%s", title, calsync_event_pending_text ());

      gtk_tooltip_set_text (tooltip, text);
    }
  else
    gtk_tooltip_set_text (tooltip, title);
  return TRUE;
}

/**
 * calsync_event_widget_format_day:
 *
 * Returns: (transfer full): @day as accessible names say it, "Wednesday 25 November"
 */
char *
calsync_event_widget_format_day (GDateTime *day)
{
  /* Translators: a day in accessible names of events and day cells,
   * "Wednesday 25 November"; strftime(3) format (GLib's g_date_time_format;
   * "%-d" is the day without padding). German: "%A, %-d. %B" */
  g_autofree char *text = g_date_time_format (day, _("%A %-d %B"));

  return g_strdup (text != NULL ? g_strstrip (text) : "");
}

/* A date followed by a time: "Wednesday 25 November 22:00" */
static char *
format_day_time (GDateTime *when)
{
  g_autofree char *day = calsync_event_widget_format_day (when);
  g_autofree char *time = calsync_date_format_time (when);

  /* Translators: a day and a time in an event's accessible name,
   * "Wednesday 25 November 22:00" */
  return g_strdup_printf (C_("day and time", "%s %s"), day, time);
}

/* "from to" in an event's accessible name */
static char *
format_range (const char *from,
              const char *to)
{
  /* Translators: a range in an event's accessible name: "10:00 to 10:15",
   * "Monday 23 November to Wednesday 25 November" */
  return g_strdup_printf (_("%s to %s"), from, to);
}

/**
 * calsync_event_widget_build_accessible_label:
 * @event: an event, with its calendar info filled (range queries do)
 *
 * The accessible name of the widgets that show @event: title, day, time range
 * ("all day" for all-day events) and calendar, e.g. "Standup, Wednesday 25
 * November, 10:00 to 10:15, Work calendar". An all-day event over several days
 * says its first and last day ("Conference, Monday 23 November to Wednesday 25
 * November, all day, Work calendar"), a timed event that ends on a later day
 * says both days with their times ("Night train, Wednesday 25 November 22:00 to
 * Thursday 26 November 06:30, Work calendar").
 *
 * Returns: (transfer full): the label
 */
char *
calsync_event_widget_build_accessible_label (CalsyncEvent *event)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  g_autoptr(GDateTime) last_day = NULL;
  g_autofree char *when = NULL;
  g_autofree char *calendar = NULL;
  const char *title;
  const char *calendar_name;

  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  title = calsync_event_get_title (event);
  if (title == NULL || *title == '\0')
    title = _("Untitled event");
  start = calsync_event_dup_local_start (event);
  end = calsync_event_dup_local_end (event);

  if (start == NULL || end == NULL)
    when = g_strdup ("");
  else if (calsync_event_get_all_day (event))
    {
      g_autofree char *first = calsync_event_widget_format_day (start);

      /* The end date is exclusive */
      last_day = g_date_time_add_days (end, -1);
      if (g_date_time_compare (last_day, start) <= 0 || calsync_date_same_day (last_day, start))
        /* Translators: in an event's accessible name: "Standup, Wednesday
         * 25 November, all day, Work calendar" */
        when = g_strdup_printf (_("%s, all day"), first);
      else
        {
          g_autofree char *last = calsync_event_widget_format_day (last_day);
          g_autofree char *range = format_range (first, last);

          when = g_strdup_printf (_("%s, all day"), range);
        }
    }
  else
    {
      /* An event that ends at midnight does not reach into that day */
      last_day = g_date_time_compare (end, start) > 0 ? g_date_time_add_seconds (end, -1)
                                                      : g_date_time_ref (start);
      if (calsync_date_same_day (start, last_day))
        {
          g_autofree char *day = calsync_event_widget_format_day (start);
          g_autofree char *from = calsync_date_format_time (start);
          g_autofree char *to = calsync_date_format_time (end);
          g_autofree char *range = format_range (from, to);

          /* Translators: a day and a time range in an event's accessible name,
           * "Wednesday 25 November, 10:00 to 10:15" */
          when = g_strdup_printf (C_("day and time range", "%s, %s"), day, range);
        }
      else
        {
          g_autofree char *from = format_day_time (start);
          g_autofree char *to = format_day_time (end);

          when = format_range (from, to);
        }
    }

  calendar_name = calsync_event_get_calendar_name (event);
  if (calendar_name == NULL || *calendar_name == '\0')
    /* Translators: an event's accessible name without a title, day and calendar */
    return g_strdup_printf (C_("accessible name without calendar", "%s, %s"), title, when);

  /* Translators: the calendar in an event's accessible name, "Work calendar" */
  calendar = g_strdup_printf (_("%s calendar"), calendar_name);
  /* Translators: an event's accessible name: title, day and time ("Wednesday
   * 25 November, 10:00 to 10:15"), calendar ("Work calendar") */
  return g_strdup_printf (C_("accessible name", "%s, %s, %s"), title, when, calendar);
}

/**
 * calsync_event_pending_text:
 *
 * Returns: what the "not yet synced" mark says: its tooltip and accessible
 *   description, in the views and the event popover
 */
const char *
calsync_event_pending_text (void)
{
  /* Translators: a change made here that the next sync will send to the server */
  return _("Not yet synced");
}
