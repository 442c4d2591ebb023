/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-editor.c: the dialog that creates, edits and deletes one event. */
#define G_LOG_DOMAIN "calsync-event-editor"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-classifier.h"
#include "calsync-date-utils.h"
#include "calsync-event-editor-private.h"
#include "calsync-event-editor.h"
#include "calsync-gui.h"

struct _CalsyncEventEditor
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwWindowTitle *window_title;
  GtkWidget *save_button;
  GtkWidget *cancel_button;
  AdwEntryRow *title_row;
  GtkWidget *title_error;
  AdwComboRow *calendar_row;
  GtkSwitch *all_day_switch;
  GtkMenuButton *start_date_button;
  GtkMenuButton *end_date_button;
  GtkCalendar *start_calendar;
  GtkCalendar *end_calendar;
  GtkEntry *start_time_entry;
  GtkEntry *end_time_entry;
  AdwActionRow *zone_row;
  GtkWidget *time_error;
  AdwEntryRow *location_row;
  GtkTextView *description_view;
  GtkWidget *delete_button;
  GtkWidget *read_only_box;
  GtkLabel *read_only_label;
  GtkWidget *preferences_button;
  GtkWidget *notify_group;
  GtkSwitch *notify_switch;

  /* Owned references */
  CalsyncStore *store;
  CalsyncEvent *event;       /* the stored event; NULL for a new one */
  GTimeZone *zone;           /* the event's own zone: times are shown in it */
  char *zone_id;
  GArray *calendar_ids;      /* gint64, in the order of the calendar row's model */

  /* Dates as people read them: for all-day events the end is the last day (inclusive). */
  GDate start_date;
  GDate end_date;
  gboolean title_touched;
  gboolean filling;
  gboolean writing;          /* hidden until the store has the save or the delete */
  gboolean read_only;        /* the event's calendar: nothing can be saved */
};

G_DEFINE_FINAL_TYPE (CalsyncEventEditor, calsync_event_editor, ADW_TYPE_WINDOW)

enum {
  SAVED,
  DELETED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

/* Times */

/* Accepts "10:30", "10.30", "1030", "9", "9:05 pm", "12 AM". */
static gboolean
parse_time (const char *text,
            int        *hour,
            int        *minute)
{
  g_autofree char *lower = g_ascii_strdown (text, -1);
  int h = 0, m = 0, digits = 0;
  const char *p = g_strstrip (lower);
  gboolean pm, am;

  while (g_ascii_isdigit (*p) && digits < 4)
    h = h * 10 + (*p++ - '0'), digits++;
  if (digits == 0)
    return FALSE;
  if (digits > 2 && *p != ':' && *p != '.')
    m = h % 100, h /= 100;
  else if (*p == ':' || *p == '.')
    {
      p++;
      if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
        return FALSE;
      m = (p[0] - '0') * 10 + (p[1] - '0');
      p += 2;
    }
  while (*p == ' ')
    p++;
  pm = g_str_equal (p, "pm") || g_str_equal (p, "p.m.");
  am = g_str_equal (p, "am") || g_str_equal (p, "a.m.");
  if (*p != '\0' && !pm && !am)
    return FALSE;
  if ((pm || am) && (h < 1 || h > 12))
    return FALSE;
  if (pm || am)
    h = (h % 12) + (pm ? 12 : 0);
  if (h > 23 || m > 59)
    return FALSE;

  *hour = h;
  *minute = m;
  return TRUE;
}

/* The wall-clock time of @dt in its own zone (format_time would show it in the local one). */
static void
set_time_text (GtkEntry  *entry,
               GDateTime *dt)
{
  g_autoptr(GDateTime) wall = g_date_time_new_local (2000, 1, 1, g_date_time_get_hour (dt),
                                                     g_date_time_get_minute (dt), 0);
  g_autofree char *text = calsync_date_format_time (wall);

  gtk_editable_set_text (GTK_EDITABLE (entry), text);
}

static GDateTime *
date_time_in_zone (CalsyncEventEditor *self,
                   const GDate        *date,
                   GtkEntry           *entry)
{
  int hour = 0, minute = 0;

  if (entry != NULL && !parse_time (gtk_editable_get_text (GTK_EDITABLE (entry)), &hour, &minute))
    return NULL;

  return g_date_time_new (self->zone, g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date), hour, minute, 0);
}

static void
date_from_date_time (GDate     *date,
                     GDateTime *dt)
{
  g_date_clear (date, 1);
  g_date_set_dmy (date, g_date_time_get_day_of_month (dt), g_date_time_get_month (dt),
                  g_date_time_get_year (dt));
}

static char *
date_to_string (const GDate *date)
{
  return g_strdup_printf ("%04u-%02u-%02u", g_date_get_year (date), g_date_get_month (date),
                          g_date_get_day (date));
}

static gboolean
date_from_string (GDate      *date,
                  const char *text)
{
  gint64 day;
  int year, month, day_of_month;

  if (!calsync_date_parse_day (text, &day) ||
      !calsync_date_day_to_ymd (day, &year, &month, &day_of_month))
    return FALSE;

  g_date_clear (date, 1);
  g_date_set_dmy (date, (GDateDay) day_of_month, (GDateMonth) month, (GDateYear) year);
  return TRUE;
}

/* Date buttons */

static void name_date_button (GtkMenuButton *button,
                              const char    *name);

static void
show_date (GtkMenuButton *button,
           GtkCalendar   *calendar,
           const GDate   *date)
{
  g_autoptr(GDateTime) dt = g_date_time_new_utc (g_date_get_year (date), g_date_get_month (date),
                                                 g_date_get_day (date), 12, 0, 0);
  /* Translators: a date on the editor's date buttons, strftime(3): "25 Nov 2026"; short,
   * to fit next to the time on a phone */
  g_autofree char *text = calsync_date_format_abbreviated (dt, _("%-d %b %Y"));
  /* Translators: the full date, as the date buttons' tooltip: "Wednesday, 25 November 2026" */
  g_autofree char *full = g_date_time_format (dt, _("%A, %-d %B %Y"));

  gtk_widget_set_tooltip_text (GTK_WIDGET (button), full);
  /* Read as "Start date", then the date */
  gtk_accessible_update_property (GTK_ACCESSIBLE (button), GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, full, -1);
  if (gtk_widget_get_first_child (GTK_WIDGET (button)) != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (gtk_widget_get_first_child (GTK_WIDGET (button))),
                                    GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, full, -1);

  gtk_menu_button_set_label (button, text);
  /* The label made the inner button labelled by "25 Nov 2026" again */
  name_date_button (button, g_object_get_data (G_OBJECT (button), "calsync-a11y-name"));
  gtk_calendar_select_day (calendar, dt);
}

static void
show_dates (CalsyncEventEditor *self)
{
  self->filling = TRUE;
  show_date (self->start_date_button, self->start_calendar, &self->start_date);
  show_date (self->end_date_button, self->end_calendar, &self->end_date);
  self->filling = FALSE;
}

/* Validation */

static gboolean
title_is_valid (CalsyncEventEditor *self)
{
  g_autofree char *title = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row)));

  return *g_strstrip (title) != '\0';
}

static gboolean
time_entry_is_valid (GtkEntry *entry)
{
  int hour, minute;
  gboolean valid = parse_time (gtk_editable_get_text (GTK_EDITABLE (entry)), &hour, &minute);

  if (valid)
    gtk_widget_remove_css_class (GTK_WIDGET (entry), "error");
  else
    gtk_widget_add_css_class (GTK_WIDGET (entry), "error");
  return valid;
}

/* NULL when start and end are fine, else the message to show. */
static const char *
time_problem (CalsyncEventEditor *self)
{
  g_autoptr(GDateTime) start = NULL;
  g_autoptr(GDateTime) end = NULL;
  gboolean start_ok, end_ok;

  if (gtk_switch_get_active (self->all_day_switch))
    return g_date_compare (&self->end_date, &self->start_date) >= 0
           ? NULL : _("The event must end after it starts");

  start_ok = time_entry_is_valid (self->start_time_entry);
  end_ok = time_entry_is_valid (self->end_time_entry);
  if (!start_ok || !end_ok)
    return _("Enter times like 10:30");

  start = date_time_in_zone (self, &self->start_date, self->start_time_entry);
  end = date_time_in_zone (self, &self->end_date, self->end_time_entry);
  if (start == NULL || end == NULL || g_date_time_compare (end, start) <= 0)
    return _("The event must end after it starts");
  return NULL;
}

static void
validate (CalsyncEventEditor *self)
{
  gboolean title_ok = title_is_valid (self);
  const char *problem = time_problem (self);

  gtk_widget_set_visible (self->title_error, !title_ok && self->title_touched);
  if (title_ok)
    gtk_widget_remove_css_class (GTK_WIDGET (self->title_row), "error");
  else if (self->title_touched)
    gtk_widget_add_css_class (GTK_WIDGET (self->title_row), "error");

  gtk_label_set_text (GTK_LABEL (self->time_error), problem ? problem : "");
  gtk_widget_set_visible (self->time_error, problem != NULL);

  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.save",
                                 title_ok && problem == NULL && !self->read_only);
}

gboolean
calsync_event_editor_is_valid (CalsyncEventEditor *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT_EDITOR (self), FALSE);

  return title_is_valid (self) && time_problem (self) == NULL;
}

/* Signal handlers */

static void
title_changed_cb (CalsyncEventEditor *self)
{
  if (self->filling)
    return;
  self->title_touched = TRUE;
  validate (self);
}

static void
time_changed_cb (CalsyncEventEditor *self)
{
  if (!self->filling)
    validate (self);
}

/* "1430" becomes "14:30" once the focus leaves the entry. */
static void
time_focus_leave_cb (GtkEventControllerFocus *controller,
                     CalsyncEventEditor      *self)
{
  GtkEntry *entry = GTK_ENTRY (gtk_event_controller_get_widget (GTK_EVENT_CONTROLLER (controller)));
  g_autoptr(GDateTime) wall = NULL;
  int hour, minute;

  if (!parse_time (gtk_editable_get_text (GTK_EDITABLE (entry)), &hour, &minute))
    return;
  wall = g_date_time_new_local (2000, 1, 1, hour, minute, 0);
  set_time_text (entry, wall);
}

static void
normalize_on_focus_leave (CalsyncEventEditor *self,
                          GtkEntry           *entry)
{
  GtkEventController *focus = gtk_event_controller_focus_new ();

  g_signal_connect (focus, "leave", G_CALLBACK (time_focus_leave_cb), self);
  gtk_widget_add_controller (GTK_WIDGET (entry), focus);
}

static void
entry_activated_cb (CalsyncEventEditor *self)
{
  if (calsync_event_editor_is_valid (self))
    gtk_widget_activate_action (GTK_WIDGET (self), "editor.save", NULL);
}

/* An event that ends at midnight ends on the day before, read as whole days. */
static void
adjust_end_for_all_day (CalsyncEventEditor *self,
                        gboolean            all_day)
{
  int hour = -1, minute = -1;

  parse_time (gtk_editable_get_text (GTK_EDITABLE (self->end_time_entry)), &hour, &minute);
  if (all_day && hour == 0 && minute == 0 && g_date_compare (&self->end_date, &self->start_date) > 0)
    g_date_subtract_days (&self->end_date, 1);
  if (g_date_compare (&self->end_date, &self->start_date) < 0)
    self->end_date = self->start_date;
}

static void
all_day_toggled_cb (CalsyncEventEditor *self)
{
  gboolean all_day = gtk_switch_get_active (self->all_day_switch);

  gtk_widget_set_visible (GTK_WIDGET (self->start_time_entry), !all_day);
  gtk_widget_set_visible (GTK_WIDGET (self->end_time_entry), !all_day);
  gtk_widget_set_visible (GTK_WIDGET (self->zone_row), !all_day);
  if (!self->filling)
    adjust_end_for_all_day (self, all_day);
  show_dates (self);
  validate (self);
}

static void
day_selected (CalsyncEventEditor *self,
              GtkCalendar        *calendar,
              GtkMenuButton      *button,
              GDate              *date)
{
  g_autoptr(GDateTime) picked = gtk_calendar_get_date (calendar);

  if (self->filling)
    return;
  date_from_date_time (date, picked);
  gtk_menu_button_popdown (button);
}

static void
start_day_selected_cb (CalsyncEventEditor *self)
{
  GDate old = self->start_date;
  int shift;

  day_selected (self, self->start_calendar, self->start_date_button, &self->start_date);
  if (self->filling)
    return;

  /* Moving the start moves the end with it: the event keeps its length. */
  shift = g_date_days_between (&old, &self->start_date);
  if (shift > 0)
    g_date_add_days (&self->end_date, shift);
  else if (shift < 0)
    g_date_subtract_days (&self->end_date, -shift);
  show_dates (self);
  validate (self);
}

static void
end_day_selected_cb (CalsyncEventEditor *self)
{
  day_selected (self, self->end_calendar, self->end_date_button, &self->end_date);
  if (self->filling)
    return;
  show_dates (self);
  validate (self);
}

/* Filling the form */

static void
fill_calendars (CalsyncEventEditor *self,
                gint64              selected_id)
{
  g_autoptr(GPtrArray) calendars = calsync_store_list_calendars (self->store, 0, NULL);
  g_autoptr(GtkStringList) names = gtk_string_list_new (NULL);
  guint selected = 0;

  for (guint i = 0; calendars != NULL && i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);
      gint64 id = calsync_calendar_get_id (calendar);

      /* Inactive calendars are hidden everywhere, except the one the event is in;
       * read-only ones are no place to put an event. */
      if ((!calsync_calendar_get_is_active (calendar) || calsync_calendar_get_read_only (calendar)) &&
          id != selected_id)
        continue;
      if (id == selected_id)
        selected = self->calendar_ids->len;
      g_array_append_val (self->calendar_ids, id);
      gtk_string_list_append (names, calsync_calendar_get_name (calendar));
    }

  adw_combo_row_set_model (self->calendar_row, G_LIST_MODEL (names));
  adw_combo_row_set_selected (self->calendar_row, selected);
}

/* The calendar drop-down is read as "Calendar", then the chosen calendar */
static void
calendar_selected_cb (CalsyncEventEditor *self)
{
  GListModel *model = adw_combo_row_get_model (self->calendar_row);
  guint selected = adw_combo_row_get_selected (self->calendar_row);
  const char *name = NULL;

  if (model != NULL && GTK_IS_STRING_LIST (model) && selected < g_list_model_get_n_items (model))
    name = gtk_string_list_get_string (GTK_STRING_LIST (model), selected);
  /* Not "Calendar Calendar" (its label, then its title label) */
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (self->calendar_row), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self->calendar_row),
                                  GTK_ACCESSIBLE_PROPERTY_LABEL, _("Calendar"),
                                  GTK_ACCESSIBLE_PROPERTY_DESCRIPTION, name != NULL ? name : "",
                                  -1);
}

/* The menu buttons' inner toggle buttons take the focus: they are named
 * like the menu buttons, not by their label ("25 Nov 2026") */
static void
name_date_button (GtkMenuButton *button,
                  const char    *name)
{
  GtkWidget *inner = gtk_widget_get_first_child (GTK_WIDGET (button));

  if (inner == NULL || name == NULL)
    return;
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_RELATION_LABELLED_BY);
  gtk_accessible_update_property (GTK_ACCESSIBLE (inner), GTK_ACCESSIBLE_PROPERTY_LABEL, name, -1);
}

/* Focus is given once the window is shown: grabbed before, it stayed in the
 * main window for screen readers */
static void
calsync_event_editor_map (GtkWidget *widget)
{
  CalsyncEventEditor *self = CALSYNC_EVENT_EDITOR (widget);

  GTK_WIDGET_CLASS (calsync_event_editor_parent_class)->map (widget);
  gtk_widget_grab_focus (GTK_WIDGET (self->title_row));
}

static void
set_zone (CalsyncEventEditor *self,
          const char         *zone_id)
{
  GTimeZone *zone = zone_id != NULL ? g_time_zone_new_identifier (zone_id) : NULL;

  self->zone = zone != NULL ? zone : g_time_zone_new_local ();
  self->zone_id = g_strdup (zone != NULL ? zone_id : g_time_zone_get_identifier (self->zone));
  adw_action_row_set_subtitle (self->zone_row, self->zone_id);
}

static void
fill_times (CalsyncEventEditor *self,
            GDateTime          *start,
            GDateTime          *end)
{
  date_from_date_time (&self->start_date, start);
  date_from_date_time (&self->end_date, end);
  set_time_text (self->start_time_entry, start);
  set_time_text (self->end_time_entry, end);
}

static void
fill_new (CalsyncEventEditor *self,
          GDateTime          *start)
{
  g_autoptr(GDateTime) local_start = NULL;
  g_autoptr(GDateTime) end = NULL;

  set_zone (self, NULL);
  local_start = g_date_time_to_timezone (start, self->zone);
  end = g_date_time_add_hours (local_start, 1);
  fill_times (self, local_start, end);
  fill_calendars (self, calsync_store_get_personal_calendar_id (self->store));
  adw_window_title_set_title (self->window_title, _("New Event"));
  gtk_window_set_title (GTK_WINDOW (self), _("New Event"));
}

static void
fill_all_day (CalsyncEventEditor *self)
{
  g_autoptr(GDateTime) nine = NULL;
  g_autoptr(GDateTime) ten = NULL;

  set_zone (self, NULL);
  if (!date_from_string (&self->start_date, calsync_event_get_start_date (self->event)) ||
      !date_from_string (&self->end_date, calsync_event_get_end_date (self->event)))
    return;

  /* Stored end dates are exclusive; people read the last day. */
  if (g_date_compare (&self->end_date, &self->start_date) > 0)
    g_date_subtract_days (&self->end_date, 1);

  /* Times offered if the switch is turned off. */
  nine = g_date_time_new (self->zone, 2000, 1, 1, 9, 0, 0);
  ten = g_date_time_add_hours (nine, 1);
  set_time_text (self->start_time_entry, nine);
  set_time_text (self->end_time_entry, ten);
  gtk_switch_set_active (self->all_day_switch, TRUE);
}

/* An event of a read-only calendar is shown, with why it cannot be changed:
 * its account was signed in only to read (Reconnect in Preferences fixes
 * that), or the server does not let this account change the calendar */
static void
show_read_only (CalsyncEventEditor *self,
                gint64              calendar_id)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (self->store, calendar_id, NULL);
  g_autoptr(CalsyncAccount) account = NULL;
  gboolean account_read_only;

  self->read_only = calendar != NULL && calsync_calendar_get_read_only (calendar);
  if (self->read_only)
    account = calsync_store_get_account (self->store, calsync_calendar_get_account_id (calendar), NULL);
  account_read_only = account != NULL && calsync_account_get_read_only (account);

  gtk_label_set_text (self->read_only_label,
                      account_read_only
                        ? _("CalSync may only read this account. Reconnect it in Preferences to allow changes.")
                        : _("This calendar is read-only."));
  gtk_widget_set_visible (self->preferences_button, account_read_only);
  gtk_widget_set_visible (self->read_only_box, self->read_only);
  gtk_widget_set_sensitive (GTK_WIDGET (self->calendar_row), !self->read_only);
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "editor.delete", !self->read_only);
  if (self->read_only)
    gtk_widget_set_tooltip_text (self->save_button, gtk_label_get_text (self->read_only_label));
}

static void
open_preferences_cb (CalsyncEventEditor *self)
{
  /* The application's Preferences, from the main window this editor is modal
   * to (the editor itself is no application window: no "app" actions) */
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  gtk_window_close (GTK_WINDOW (self));
  if (parent != NULL)
    gtk_widget_activate_action (GTK_WIDGET (parent), "app.preferences", NULL);
}

/* Google tells guests of a change only when asked (sendUpdates); other
 * providers send their own notices, and an event without guests has no one
 * to tell */
static gboolean
has_attendees (CalsyncEvent *event)
{
  const char *json = calsync_event_get_attendees_json (event);
  g_autoptr(JsonParser) parser = NULL;
  JsonNode *root;

  if (json == NULL || *json == '\0')
    return FALSE;

  parser = json_parser_new ();
  if (!json_parser_load_from_data (parser, json, -1, NULL))
    return FALSE;
  root = json_parser_get_root (parser);
  return root != NULL && JSON_NODE_HOLDS_ARRAY (root) && json_array_get_length (json_node_get_array (root)) > 0;
}

static void
show_notify (CalsyncEventEditor *self)
{
  g_autoptr(CalsyncCalendar) calendar = NULL;
  gboolean shown = FALSE;

  if (self->event != NULL && !self->read_only && has_attendees (self->event))
    {
      calendar = calsync_store_get_calendar (self->store, calsync_event_get_calendar_id (self->event), NULL);
      shown = calendar != NULL && g_strcmp0 (calsync_calendar_get_provider (calendar), "google") == 0;
    }

  gtk_switch_set_active (self->notify_switch, FALSE);
  gtk_widget_set_visible (self->notify_group, shown);
}

static void
fill_existing (CalsyncEventEditor *self)
{
  CalsyncEvent *event = self->event;
  const char *description = calsync_event_get_description (event);

  if (calsync_event_get_all_day (event))
    fill_all_day (self);
  else
    {
      g_autoptr(GDateTime) start_utc = g_date_time_new_from_unix_utc (calsync_event_get_start (event));
      g_autoptr(GDateTime) end_utc = g_date_time_new_from_unix_utc (calsync_event_get_end (event));
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;

      set_zone (self, calsync_event_get_time_zone (event));
      start = g_date_time_to_timezone (start_utc, self->zone);
      end = g_date_time_to_timezone (end_utc, self->zone);
      fill_times (self, start, end);
    }

  gtk_editable_set_text (GTK_EDITABLE (self->title_row), calsync_event_get_title (event) ?: "");
  gtk_editable_set_text (GTK_EDITABLE (self->location_row), calsync_event_get_location (event) ?: "");
  gtk_text_buffer_set_text (gtk_text_view_get_buffer (self->description_view),
                            description ? description : "", -1);
  fill_calendars (self, calsync_event_get_calendar_id (event));
  show_read_only (self, calsync_event_get_calendar_id (event));
  show_notify (self);
  gtk_widget_set_visible (self->delete_button, !self->read_only);
  adw_window_title_set_title (self->window_title, _("Edit Event"));
  gtk_window_set_title (GTK_WINDOW (self), _("Edit Event"));
}

/* Saving and deleting */

static char *
description_text (CalsyncEventEditor *self)
{
  GtkTextBuffer *buffer = gtk_text_view_get_buffer (self->description_view);
  GtkTextIter start, end;

  gtk_text_buffer_get_bounds (buffer, &start, &end);
  return gtk_text_buffer_get_text (buffer, &start, &end, FALSE);
}

static gint64
selected_calendar_id (CalsyncEventEditor *self)
{
  guint selected = adw_combo_row_get_selected (self->calendar_row);

  if (selected >= self->calendar_ids->len)
    return calsync_store_get_personal_calendar_id (self->store);
  return g_array_index (self->calendar_ids, gint64, selected);
}

static void
apply_when (CalsyncEventEditor *self,
            CalsyncEvent       *event)
{
  if (gtk_switch_get_active (self->all_day_switch))
    {
      GDate end = self->end_date;
      g_autofree char *start_text = date_to_string (&self->start_date);
      g_autofree char *end_text = NULL;

      g_date_add_days (&end, 1);
      end_text = date_to_string (&end);
      calsync_event_set_dates (event, start_text, end_text);
    }
  else
    {
      g_autoptr(GDateTime) start = date_time_in_zone (self, &self->start_date, self->start_time_entry);
      g_autoptr(GDateTime) end = date_time_in_zone (self, &self->end_date, self->end_time_entry);

      calsync_event_set_times (event, g_date_time_to_unix (start), g_date_time_to_unix (end),
                               self->zone_id);
    }
}

static CalsyncEvent *
build_event (CalsyncEventEditor *self)
{
  CalsyncEvent *event = self->event ? calsync_event_copy (self->event) : calsync_event_new ();
  g_autofree char *title = g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->title_row)));
  g_autofree char *description = description_text (self);

  calsync_event_set_title (event, g_strstrip (title));
  calsync_event_set_location (event, gtk_editable_get_text (GTK_EDITABLE (self->location_row)));
  calsync_event_set_description (event, description);
  calsync_event_set_calendar_id (event, selected_calendar_id (self));
  calsync_event_set_notify_guests (event, gtk_widget_get_visible (self->notify_group) &&
                                          gtk_switch_get_active (self->notify_switch));
  apply_when (self, event);

  if (self->event == NULL)
    {
      g_autofree char *url = calsync_find_conference_url (description);

      calsync_event_set_event_type (event, calsync_classify_event_type (title, description, FALSE));
      calsync_event_set_conference_url (event, url);
    }
  return event;
}

/* Writes go to the store in a worker thread, as GNOME Calendar's editor hands
 * them to evolution-data-server: the editor goes away at once and stays alive,
 * hidden, until the write is done (another process may hold the database for
 * seconds). Should the write fail, it comes back with everything typed in it
 * and says why. */

static void
show_error (CalsyncEventEditor *self,
            const char         *heading,
            GError             *error)
{
  AdwMessageDialog *dialog;

  g_debug ("%s: %s", heading, error->message);
  dialog = ADW_MESSAGE_DIALOG (adw_message_dialog_new (GTK_WINDOW (self), heading, error->message));
  adw_message_dialog_add_response (dialog, "close", _("_Close"));
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
begin_write (CalsyncEventEditor *self)
{
  self->writing = TRUE;
  gtk_widget_set_visible (GTK_WIDGET (self), FALSE);
}

/* GTK 4.8 leaves the "compute-size" handler of a window destroyed while
 * hidden on its surface, and the frame clock calls it after the window is
 * gone: take what is left of this window's handlers off the surface. */
static void
destroy_written (CalsyncEventEditor *self)
{
  GdkSurface *surface = gtk_native_get_surface (GTK_NATIVE (self));
  g_autoptr(GdkSurface) kept = surface != NULL ? g_object_ref (surface) : NULL;

  gtk_window_destroy (GTK_WINDOW (self));
  if (kept != NULL)
    g_signal_handlers_disconnect_by_data (kept, self);
}

static void
write_failed (CalsyncEventEditor *self,
              const char         *heading,
              GError             *error)
{
  GtkWindow *parent = gtk_window_get_transient_for (GTK_WINDOW (self));

  self->writing = FALSE;

  /* Destroyed meanwhile, or its window is gone: nowhere to come back to */
  if (self->store == NULL || parent == NULL || !gtk_widget_get_visible (GTK_WIDGET (parent)))
    {
      g_warning ("%s: %s", heading, error->message);
      destroy_written (self);
      return;
    }

  gtk_window_present (GTK_WINDOW (self));
  show_error (self, heading, error);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(CalsyncEventEditor) self = user_data;
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(GError) error = NULL;

  stored = calsync_store_save_local_event_finish (CALSYNC_STORE (object), result, &error);
  if (stored == NULL)
    {
      write_failed (self, _("Could Not Save the Event"), error);
      return;
    }

  self->writing = FALSE;
  g_signal_emit (self, signals[SAVED], 0, stored);
  destroy_written (self);
}

/**
 * calsync_event_editor_save:
 *
 * Starts writing the event to the store and closes the editor; the editor
 * comes back with the error if the write fails. ::saved is emitted once the
 * event is stored.
 *
 * Returns: %FALSE with @error set when the form is not complete
 */
gboolean
calsync_event_editor_save (CalsyncEventEditor  *self,
                           GError             **error)
{
  g_autoptr(CalsyncEvent) event = NULL;

  g_return_val_if_fail (CALSYNC_IS_EVENT_EDITOR (self), FALSE);

  if (self->read_only)
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_READ_ONLY, gtk_label_get_text (self->read_only_label));
      return FALSE;
    }
  if (self->writing || !calsync_event_editor_is_valid (self))
    {
      g_set_error_literal (error, G_IO_ERROR, G_IO_ERROR_INVALID_DATA,
                           _("The event is not complete"));
      return FALSE;
    }

  /* An event stored with id 0 is created, else edited */
  event = build_event (self);
  begin_write (self);
  calsync_store_save_local_event_async (self->store, event, saved_cb, g_object_ref (self));
  return TRUE;
}

static void
save_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  /* The button is insensitive while the form is incomplete; nothing to say */
  calsync_event_editor_save (CALSYNC_EVENT_EDITOR (widget), NULL);
}

static void
deleted_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(CalsyncEventEditor) self = user_data;
  g_autoptr(GError) error = NULL;

  if (!calsync_store_delete_local_event_finish (CALSYNC_STORE (object), result, &error))
    {
      write_failed (self, _("Could Not Delete the Event"), error);
      return;
    }

  self->writing = FALSE;
  if (self->event != NULL)
    g_signal_emit (self, signals[DELETED], 0, self->event);
  destroy_written (self);
}

static void
delete_action (GtkWidget  *widget,
               const char *action_name,
               GVariant   *parameter)
{
  CalsyncEventEditor *self = CALSYNC_EVENT_EDITOR (widget);

  if (self->event == NULL || self->writing || self->read_only)
    return;

  begin_write (self);
  calsync_store_delete_local_event_async (self->store, calsync_event_get_id (self->event),
                                          deleted_cb, g_object_ref (self));
}

/* GObject */

static void
calsync_event_editor_dispose (GObject *object)
{
  CalsyncEventEditor *self = (CalsyncEventEditor *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_EVENT_EDITOR);
  g_clear_object (&self->store);
  g_clear_object (&self->event);

  G_OBJECT_CLASS (calsync_event_editor_parent_class)->dispose (object);
}

static void
calsync_event_editor_finalize (GObject *object)
{
  CalsyncEventEditor *self = (CalsyncEventEditor *)object;

  g_clear_pointer (&self->zone, g_time_zone_unref);
  g_clear_pointer (&self->zone_id, g_free);
  g_clear_pointer (&self->calendar_ids, g_array_unref);

  G_OBJECT_CLASS (calsync_event_editor_parent_class)->finalize (object);
}

static void
bind_template (GtkWidgetClass *widget_class)
{
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, window_title);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, save_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, cancel_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, title_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, title_error);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, calendar_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, all_day_switch);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, start_date_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, end_date_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, start_calendar);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, end_calendar);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, start_time_entry);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, end_time_entry);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, zone_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, time_error);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, location_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, description_view);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, delete_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, read_only_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, read_only_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, preferences_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, notify_group);
  gtk_widget_class_bind_template_child (widget_class, CalsyncEventEditor, notify_switch);
  gtk_widget_class_bind_template_callback (widget_class, open_preferences_cb);
  gtk_widget_class_bind_template_callback (widget_class, title_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, time_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, entry_activated_cb);
  gtk_widget_class_bind_template_callback (widget_class, all_day_toggled_cb);
  gtk_widget_class_bind_template_callback (widget_class, start_day_selected_cb);
  gtk_widget_class_bind_template_callback (widget_class, end_day_selected_cb);
}

static void
calsync_event_editor_class_init (CalsyncEventEditorClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_event_editor_dispose;
  object_class->finalize = calsync_event_editor_finalize;
  widget_class->map = calsync_event_editor_map;

  /**
   * CalsyncEventEditor::saved:
   * @event: the event as stored; emitted once the store has it
   */
  signals[SAVED] = g_signal_new ("saved", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                 0, NULL, NULL, NULL, G_TYPE_NONE, 1, CALSYNC_TYPE_EVENT);
  /**
   * CalsyncEventEditor::deleted:
   * @event: the deleted event as the editor had it, for undo; emitted once
   *   the store no longer has it
   */
  signals[DELETED] = g_signal_new ("deleted", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, CALSYNC_TYPE_EVENT);

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/calsync-event-editor.ui");
  bind_template (widget_class);
  /* A dialog, named by its title */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_DIALOG);

  gtk_widget_class_install_action (widget_class, "editor.save", NULL, save_action);
  gtk_widget_class_install_action (widget_class, "editor.delete", NULL, delete_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Return, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_KP_Enter, GDK_CONTROL_MASK,
                                       "editor.save", NULL);
}

static void
calsync_event_editor_init (CalsyncEventEditor *self)
{
  self->calendar_ids = g_array_new (FALSE, FALSE, sizeof (gint64));
  self->filling = TRUE;
  gtk_widget_init_template (GTK_WIDGET (self));
  /* "Cancel", "Save" read once (not "_Cancel Cancel") */
  calsync_gui_name_button_once (self->cancel_button, TRUE);
  calsync_gui_name_button_once (self->save_button, TRUE);
  normalize_on_focus_leave (self, self->start_time_entry);
  normalize_on_focus_leave (self, self->end_time_entry);
  /* show_date() names them again after each new label */
  g_object_set_data (G_OBJECT (self->start_date_button), "calsync-a11y-name", (gpointer) _("Start date"));
  g_object_set_data (G_OBJECT (self->end_date_button), "calsync-a11y-name", (gpointer) _("End date"));
  name_date_button (self->start_date_button, _("Start date"));
  name_date_button (self->end_date_button, _("End date"));
  g_signal_connect_object (self->calendar_row, "notify::selected", G_CALLBACK (calendar_selected_cb),
                           self, G_CONNECT_SWAPPED);
  gtk_accessible_update_property (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_PROPERTY_MODAL, TRUE, -1);
}

/**
 * calsync_event_editor_new:
 * @parent: the main window (the editor is modal to it)
 * @event: (nullable): the stored event to edit, or %NULL for a new one
 * @start: (nullable): start of a new event, local time; one hour long
 *
 * Returns: (transfer none): the editor, not shown yet; it destroys itself when closed
 */
CalsyncEventEditor *
calsync_event_editor_new (GtkWindow    *parent,
                          CalsyncStore *store,
                          CalsyncEvent *event,
                          GDateTime    *start)
{
  CalsyncEventEditor *self;

  g_return_val_if_fail (!parent || GTK_IS_WINDOW (parent), NULL);
  g_return_val_if_fail (CALSYNC_IS_STORE (store), NULL);
  g_return_val_if_fail (!event || CALSYNC_IS_EVENT (event), NULL);
  g_return_val_if_fail (event != NULL || start != NULL, NULL);

  self = g_object_new (CALSYNC_TYPE_EVENT_EDITOR, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->event = event ? calsync_event_copy (event) : NULL;

  if (event != NULL)
    fill_existing (self);
  else
    fill_new (self, start);

  show_dates (self);
  self->filling = FALSE;
  all_day_toggled_cb (self);
  calendar_selected_cb (self);

  return self;
}

const char *
calsync_event_editor_get_read_only_text (CalsyncEventEditor *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT_EDITOR (self), NULL);

  return self->read_only ? gtk_label_get_text (self->read_only_label) : NULL;
}

GPtrArray *
calsync_event_editor_list_calendar_names (CalsyncEventEditor *self)
{
  GListModel *model;
  GPtrArray *names = g_ptr_array_new ();

  g_return_val_if_fail (CALSYNC_IS_EVENT_EDITOR (self), names);

  model = adw_combo_row_get_model (self->calendar_row);
  for (guint i = 0; model != NULL && i < g_list_model_get_n_items (model); i++)
    g_ptr_array_add (names, (gpointer) gtk_string_list_get_string (GTK_STRING_LIST (model), i));
  return names;
}

CalsyncEvent *
calsync_event_editor_get_event (CalsyncEventEditor *self)
{
  g_return_val_if_fail (CALSYNC_IS_EVENT_EDITOR (self), NULL);

  return self->event;
}
