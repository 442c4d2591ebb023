/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-popover.c: details of one event (time, location, attendees, join link). */
#define G_LOG_DOMAIN "calsync-event-popover"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-date-utils.h"
#include "calsync-gui.h"
#include "calsync-event-popover-private.h"
#include "calsync-event-popover.h"

struct _CalsyncEventPopover
{
  GtkPopover parent_instance;

  /* Template widgets */
  GtkLabel *title_label;
  GtkLabel *time_label;
  GtkDrawingArea *color_dot;
  GtkLabel *calendar_label;
  GtkLabel *modified_label;
  GtkWidget *pending_box;
  GtkButton *join_button;
  GtkWidget *location_box;
  GtkLabel *location_label;
  GtkWidget *attendees_box;
  GtkListBox *attendees_list;
  GtkWidget *description_scroller;
  GtkLabel *description_label;
  GtkWidget *edit_button;

  /* Owned references */
  CalsyncEvent *event;
  GdkRGBA color;
  gboolean editing;          /* closed by Edit: the editor takes the focus */
};

G_DEFINE_FINAL_TYPE (CalsyncEventPopover, calsync_event_popover, GTK_TYPE_POPOVER)

static char *
format_all_day_range (CalsyncEvent *event)
{
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);
  g_autoptr(GDateTime) end = calsync_event_dup_local_end (event);
  g_autoptr(GDateTime) last = NULL;
  g_autofree char *first_text = NULL;
  g_autofree char *last_text = NULL;

  if (start == NULL || end == NULL)
    return g_strdup ("");

  last = g_date_time_add_days (end, -1);
  /* Translators: a full date, see strftime(3) */
  first_text = g_date_time_format (start, _("%A, %-d %B %Y"));
  if (calsync_date_days_between (start, last) <= 0)
    return g_strdup (g_strstrip (first_text));

  last_text = g_date_time_format (last, _("%A, %-d %B %Y"));
  /* Translators: an all-day range of days, "Thursday, 26 November – Monday, 30 November" */
  return g_strdup_printf (_("%s – %s"), g_strstrip (first_text), g_strstrip (last_text));
}

static char *
format_timed_range (CalsyncEvent *event)
{
  g_autoptr(GDateTime) start = calsync_event_dup_local_start (event);
  g_autoptr(GDateTime) end = calsync_event_dup_local_end (event);
  g_autofree char *day_text = g_date_time_format (start, _("%A, %-d %B %Y"));
  g_autofree char *start_text = calsync_date_format_time (start);
  g_autofree char *end_text = calsync_date_format_time (end);
  g_autofree char *end_day_text = NULL;

  if (calsync_date_same_day (start, end) || calsync_date_days_between (start, end) == 1)
    /* Translators: "Wednesday, 25 November 2026, 10:00 – 11:00" */
    return g_strdup_printf (_("%s, %s – %s"), g_strstrip (day_text), start_text, end_text);

  end_day_text = g_date_time_format (end, _("%A, %-d %B %Y"));
  /* Translators: an event over several days, "Monday, 1 June 2026, 22:00 – Tuesday, 2 June 2026, 06:00" */
  return g_strdup_printf (_("%s, %s – %s, %s"), g_strstrip (day_text), start_text,
                          g_strstrip (end_day_text), end_text);
}

static const char *
response_label (const char *response)
{
  if (g_strcmp0 (response, "accepted") == 0)
    return _("Accepted");
  if (g_strcmp0 (response, "declined") == 0)
    return _("Declined");
  if (g_strcmp0 (response, "tentative") == 0)
    return _("Maybe");
  return _("No response");
}

static const char *
response_icon (const char *response)
{
  if (g_strcmp0 (response, "accepted") == 0)
    return "emblem-ok-symbolic";
  if (g_strcmp0 (response, "declined") == 0)
    return "window-close-symbolic";
  if (g_strcmp0 (response, "tentative") == 0)
    return "dialog-question-symbolic";
  return "mail-unread-symbolic";
}

static GtkWidget *
attendee_row (JsonObject *attendee)
{
  const char *email = json_object_get_string_member_with_default (attendee, "email", "");
  const char *name = json_object_get_string_member_with_default (attendee, "name", "");
  const char *response = json_object_get_string_member_with_default (attendee, "response", "");
  gboolean organizer = json_object_get_boolean_member_with_default (attendee, "organizer", FALSE);
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_HORIZONTAL, 8);
  GtkWidget *icon = gtk_image_new_from_icon_name (response_icon (response));
  GtkWidget *who = gtk_label_new (*name != '\0' ? name : email);
  g_autofree char *status = NULL;
  GtkWidget *status_label;

  status = organizer ? g_strdup_printf ("%s · %s", _("Organizer"), response_label (response))
                     : g_strdup (response_label (response));
  status_label = gtk_label_new (status);

  gtk_widget_set_margin_top (box, 6);
  gtk_widget_set_margin_bottom (box, 6);
  gtk_widget_set_margin_start (box, 8);
  gtk_widget_set_margin_end (box, 8);
  gtk_widget_set_tooltip_text (who, email);
  gtk_label_set_ellipsize (GTK_LABEL (who), PANGO_ELLIPSIZE_END);
  gtk_label_set_xalign (GTK_LABEL (who), 0.0f);
  gtk_widget_set_hexpand (who, TRUE);
  gtk_widget_add_css_class (status_label, "dim-label");
  gtk_widget_add_css_class (status_label, "caption");
  gtk_accessible_update_property (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  response_label (response), -1);
  gtk_box_append (GTK_BOX (box), icon);
  gtk_box_append (GTK_BOX (box), who);
  gtk_box_append (GTK_BOX (box), status_label);
  return box;
}

static void
fill_attendees (CalsyncEventPopover *self)
{
  const char *json = calsync_event_get_attendees_json (self->event);
  g_autoptr(JsonParser) parser = NULL;
  JsonArray *array;

  if (json == NULL || *json == '\0')
    return;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, NULL) ||
      !JSON_NODE_HOLDS_ARRAY (json_parser_get_root (parser)))
    return;

  array = json_node_get_array (json_parser_get_root (parser));
  for (guint i = 0; i < json_array_get_length (array); i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_OBJECT (node))
        gtk_list_box_append (self->attendees_list, attendee_row (json_node_get_object (node)));
    }

  gtk_widget_set_visible (self->attendees_box, json_array_get_length (array) > 0);
}

static void
set_optional_text (GtkLabel   *label,
                   GtkWidget  *container,
                   const char *text)
{
  gboolean has_text = text != NULL && *text != '\0';

  gtk_label_set_text (label, has_text ? text : "");
  gtk_widget_set_visible (container, has_text);
}

static void
draw_color_dot (GtkDrawingArea *area,
                cairo_t        *cr,
                int             width,
                int             height,
                gpointer        user_data)
{
  CalsyncEventPopover *self = user_data;

  gdk_cairo_set_source_rgba (cr, &self->color);
  cairo_arc (cr, width / 2.0, height / 2.0, MIN (width, height) / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
calsync_event_popover_fill (CalsyncEventPopover *self)
{
  const char *title = calsync_event_get_title (self->event);
  const char *color = calsync_event_get_calendar_color (self->event);
  const char *url = calsync_event_get_conference_url (self->event);
  g_autofree char *time_text = NULL;

  time_text = calsync_event_get_all_day (self->event) ? format_all_day_range (self->event)
                                                      : format_timed_range (self->event);
  gtk_label_set_text (self->title_label, title && *title ? title : _("Untitled event"));
  gtk_label_set_text (self->time_label, time_text);
  gtk_label_set_text (self->calendar_label, calsync_event_get_calendar_name (self->event));
  if (color == NULL || !gdk_rgba_parse (&self->color, color))
    gdk_rgba_parse (&self->color, "#3584e4");
  gtk_drawing_area_set_draw_func (self->color_dot, draw_color_dot, self, NULL);
  /* Waiting to be sent says more than "changed here" */
  gtk_widget_set_visible (self->pending_box, calsync_event_get_pending (self->event));
  gtk_widget_set_visible (GTK_WIDGET (self->modified_label),
                          calsync_event_get_locally_modified (self->event) &&
                          !calsync_event_get_pending (self->event));
  /* Only an https link is offered to be opened */
  gtk_widget_set_visible (GTK_WIDGET (self->join_button), url != NULL && g_str_has_prefix (url, "https://"));
  if (url != NULL)
    gtk_widget_set_tooltip_text (GTK_WIDGET (self->join_button), url);
  set_optional_text (self->location_label, self->location_box,
                     calsync_event_get_location (self->event));
  set_optional_text (self->description_label, self->description_scroller,
                     calsync_event_get_description (self->event));
  fill_attendees (self);
  gtk_actionable_set_action_target_value (GTK_ACTIONABLE (self->edit_button),
                                          g_variant_new_int64 (calsync_event_get_id (self->event)));
}

static void
join_clicked_cb (CalsyncEventPopover *self)
{
  const char *url = calsync_event_get_conference_url (self->event);
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (self));

  if (url != NULL && g_str_has_prefix (url, "https://"))
    gtk_show_uri (GTK_IS_WINDOW (root) ? GTK_WINDOW (root) : NULL, url, GDK_CURRENT_TIME);
  gtk_popover_popdown (GTK_POPOVER (self));
}

/* The button's action (win.edit-event) has run by now: it opens the editor. */
static void
edit_clicked_cb (CalsyncEventPopover *self)
{
  /* The chip may be rebuilt by the edit: it does not take the focus back */
  self->editing = TRUE;
  gtk_popover_popdown (GTK_POPOVER (self));
}

/* The window keeps pointing at the focused label or button of a closed popover;
 * once the popover is gone, showing the next one trips over that stale focus
 * (GTK 4.8). Give the focus back to the event the popover belongs to: its
 * parent, the chip or block that opened it (Esc, a click outside, Edit).
 * Unsetting the focus, as this did before, sent the next Tab to the
 * window's first button. */
static void
calsync_event_popover_closed (GtkPopover *popover)
{
  GtkRoot *root = gtk_widget_get_root (GTK_WIDGET (popover));
  GtkWidget *focus = root != NULL ? gtk_root_get_focus (root) : NULL;
  GtkWidget *opener = gtk_widget_get_parent (GTK_WIDGET (popover));

  if (focus == NULL || gtk_widget_is_ancestor (focus, GTK_WIDGET (popover)))
    {
      /* Not to a chip going away with its popover (a view rebuilt) */
      if ((CALSYNC_EVENT_POPOVER (popover)->editing || opener == NULL || !gtk_widget_get_mapped (opener) || !gtk_widget_get_focusable (opener) ||
           !gtk_widget_grab_focus (opener)) &&
          root != NULL)
        gtk_root_set_focus (root, NULL);
    }

  if (GTK_POPOVER_CLASS (calsync_event_popover_parent_class)->closed != NULL)
    GTK_POPOVER_CLASS (calsync_event_popover_parent_class)->closed (popover);
}

static void
calsync_event_popover_dispose (GObject *object)
{
  CalsyncEventPopover *self = (CalsyncEventPopover *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_EVENT_POPOVER);
  g_clear_object (&self->event);

  G_OBJECT_CLASS (calsync_event_popover_parent_class)->dispose (object);
}

static void
calsync_event_popover_class_init (CalsyncEventPopoverClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_event_popover_dispose;
  GTK_POPOVER_CLASS (klass)->closed = calsync_event_popover_closed;

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/calsync-event-popover.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, title_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, time_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, color_dot);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, calendar_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, modified_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, pending_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, join_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, location_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, location_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, attendees_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, attendees_list);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, description_scroller);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, description_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventPopover, edit_button);
  gtk_widget_class_bind_template_callback (widget_class, join_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, edit_clicked_cb);
}

static void
calsync_event_popover_init (CalsyncEventPopover *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * calsync_event_popover_new:
 *
 * Returns: (transfer floating): a popover showing @event
 */
GtkWidget *
calsync_event_popover_new (CalsyncEvent *event)
{
  CalsyncEventPopover *self;

  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  self = g_object_new (CALSYNC_TYPE_EVENT_POPOVER, NULL);
  self->event = g_object_ref (event);
  calsync_event_popover_fill (self);

  return GTK_WIDGET (self);
}

CalsyncEvent *
calsync_event_popover_get_event (CalsyncEventPopover *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT_POPOVER (self), NULL);

  return self->event;
}
