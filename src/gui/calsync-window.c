/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-window.c: the main window — header bar, month and week views, empty state. */
#define G_LOG_DOMAIN "calsync-window"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-application.h"
#include "calsync-clock.h"
#include "calsync-date-utils.h"
#include "calsync-edit-undo.h"
#include "calsync-event-editor-private.h"
#include "calsync-event-editor.h"
#include "calsync-gui.h"
#include "calsync-month-view.h"
#include "calsync-report-dialog.h"
#include "calsync-sync-button.h"
#include "calsync-week-view.h"
#include "calsync-window-private.h"
#include "calsync-window.h"

struct _CalsyncWindow
{
  AdwApplicationWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkWidget *navigation_box;
  GtkWidget *view_switch;
  GtkLabel *title_label;
  GtkLabel *short_title_label;
  GtkWidget *title_squeezer;
  GtkOverlay *announce_overlay;
  GtkWidget *today_button;
  GtkWidget *previous_button;
  GtkWidget *next_button;
  GtkWidget *new_event_button;
  GtkWidget *menu_button;
  GtkWidget *month_button;
  GtkWidget *week_button;
  GtkWidget *empty_page;
  GtkStack *main_stack;
  GtkStack *view_stack;
  CalsyncMonthView *month_view;
  CalsyncWeekView *week_view;    /* NULL until first shown */

  /* Owned references */
  CalsyncStore *store;
  GSettings *settings;
  CalsyncEditUndo *undo;           /* the last edit made here, until sent */
  GDateTime *date;
  char *view;

  gulong first_frame_handler;

  /* Sync feedback: the button, and the toast of the last sync (weak) */
  CalsyncSyncButton *sync_button;
  AdwToast *sync_toast;
  gint64 sync_toast_added_at;      /* monotonic µs */
  gboolean syncing;
  guint hold_timeout_id;

  /* Announcements on GTK < 4.14: a live region (role alert, AT-SPI
   * "notification") shown anew for each text; hidden again after a while */
  GtkWidget *live_region;
  guint live_region_timeout_id;
  guint name_toasts_idle_id;
};

/* During a long sync the views still show progress this often */
#define SYNC_RELOAD_INTERVAL_S 3

G_DEFINE_FINAL_TYPE (CalsyncWindow, calsync_window, ADW_TYPE_APPLICATION_WINDOW)

enum {
  PROP_0,
  PROP_VIEW,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void announce_toast (CalsyncWindow *self,
                            AdwToast      *toast);

static char *
format_month_title (GDateTime *date,
                    gboolean   short_form)
{
  if (short_form)
    /* Translators: title of the month view in a narrow window, strftime(3) format: "Nov 2026" */
    return calsync_date_format_abbreviated (date, _("%b %Y"));

  /* Translators: title of the month view, strftime(3) format: "November 2026" */
  return g_date_time_format (date, _("%B %Y"));
}

/* "23–29 November 2026", "30 November – 6 December 2026",
 * "28 December 2026 – 3 January 2027"; the short forms drop the year and
 * abbreviate the month: "23–29 Nov", "30 Nov – 6 Dec" */
static char *
format_week_title (GDateTime *start,
                   GDateTime *end,
                   gboolean   short_form)
{
  g_autoptr(GDateTime) last = g_date_time_add_days (end, -1);
  g_autofree char *first_text = NULL;
  g_autofree char *last_text = NULL;

  if (g_date_time_get_year (start) != g_date_time_get_year (last))
    {
      if (short_form)
        {
          /* Translators: a week across two years in a narrow window, either end: "28 Dec" */
          first_text = calsync_date_format_abbreviated (start, C_("short week title", "%-d %b"));
          last_text = calsync_date_format_abbreviated (last, C_("short week title", "%-d %b"));
        }
      else
        {
          /* Translators: a week across two years, either end: "28 December 2026" */
          first_text = g_date_time_format (start, C_("week title", "%-d %B %Y"));
          last_text = g_date_time_format (last, C_("week title", "%-d %B %Y"));
        }
    }
  else if (g_date_time_get_month (start) != g_date_time_get_month (last))
    {
      if (short_form)
        {
          first_text = calsync_date_format_abbreviated (start, C_("short week title", "%-d %b"));
          last_text = calsync_date_format_abbreviated (last, C_("short week title", "%-d %b"));
        }
      else
        {
          /* Translators: first day of a week across two months: "30 November" */
          first_text = g_date_time_format (start, C_("week title", "%-d %B"));
          last_text = g_date_time_format (last, C_("week title", "%-d %B %Y"));
        }
    }
  else
    {
      /* Translators: first day of a week inside one month: "23" (German: "23.") */
      first_text = g_date_time_format (start, C_("week title, same month", "%-d"));
      if (short_form)
        /* Translators: last day of a week in the same month, narrow window: "29 Nov" */
        last_text = calsync_date_format_abbreviated (last, C_("short week title, same month", "%-d %b"));
      else
        /* Translators: last day of a week in the same month: "29 November 2026" */
        last_text = g_date_time_format (last, C_("week title, same month", "%-d %B %Y"));

      /* Translators: a week inside one month: "23–29 November 2026" (an en dash, no spaces) */
      return g_strdup_printf (C_("week title, same month", "%s–%s"), g_strstrip (first_text),
                              g_strstrip (last_text));
    }

  /* Translators: a week across two months or years: "30 November – 6 December 2026" */
  return g_strdup_printf (C_("week title", "%s – %s"), g_strstrip (first_text), g_strstrip (last_text));
}

static void
update_title (CalsyncWindow *self)
{
  g_autofree char *title = NULL;
  g_autofree char *short_title = NULL;

  if (g_strcmp0 (self->view, "week") == 0)
    {
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;

      start = calsync_date_start_of_week (self->date);
      end = g_date_time_add_weeks (start, 1);
      title = format_week_title (start, end, FALSE);
      short_title = format_week_title (start, end, TRUE);
    }
  else
    {
      title = format_month_title (self->date, FALSE);
      short_title = format_month_title (self->date, TRUE);
    }

  gtk_label_set_text (self->title_label, title);
  gtk_label_set_text (self->short_title_label, short_title);
}

/* Only the form the squeezer shows is in the accessibility tree */
static void
title_form_changed_cb (CalsyncWindow *self)
{
  GtkWidget *shown = adw_squeezer_get_visible_child (ADW_SQUEEZER (self->title_squeezer));

  gtk_accessible_update_state (GTK_ACCESSIBLE (self->title_label), GTK_ACCESSIBLE_STATE_HIDDEN,
                               shown != NULL && shown != GTK_WIDGET (self->title_label), -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->short_title_label), GTK_ACCESSIBLE_STATE_HIDDEN,
                               shown != GTK_WIDGET (self->short_title_label), -1);
}

static void
update_page (CalsyncWindow *self)
{
  g_autoptr(GPtrArray) accounts = NULL;
  gboolean has_accounts = FALSE;
  gint64 personal_events;
  gboolean has_calendar;

  accounts = calsync_store_list_accounts (self->store, NULL);
  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    if (g_strcmp0 (calsync_account_get_provider (g_ptr_array_index (accounts, i)), "local") != 0)
      has_accounts = TRUE;

  /* Runs on every store change (every page of a sync): count only when needed */
  has_calendar = has_accounts;
  if (!has_calendar)
    {
      personal_events = calsync_store_count_events (self->store,
                                                    calsync_store_get_personal_calendar_id (self->store),
                                                    NULL);
      has_calendar = personal_events > 0;
    }

  gtk_stack_set_visible_child_name (self->main_stack, has_calendar ? "calendar" : "empty");
  /* A stack page out of sight is still "visible": keep it out of the accessibility tree */
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->empty_page), GTK_ACCESSIBLE_STATE_HIDDEN,
                               has_calendar, -1);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->view_stack), GTK_ACCESSIBLE_STATE_HIDDEN,
                               !has_calendar, -1);
  /* Nothing to navigate on the empty page: only the menu stays. */
  gtk_widget_set_visible (self->navigation_box, has_calendar);
  gtk_widget_set_visible (self->view_switch, has_calendar);
  gtk_widget_set_visible (self->title_squeezer, has_calendar);
}

/* Made on first use: most sessions never leave the month view, and its ~150 widgets
 * would cost startup time. */
static GtkWidget *
ensure_week_view (CalsyncWindow *self)
{
  GtkStackPage *page;

  if (self->week_view != NULL)
    return GTK_WIDGET (self->week_view);

  self->week_view = g_object_new (CALSYNC_TYPE_WEEK_VIEW, NULL);
  page = gtk_stack_add_named (self->view_stack, GTK_WIDGET (self->week_view), "week");
  gtk_stack_page_set_title (page, _("Week"));
  calsync_week_view_set_date (self->week_view, self->date);
  calsync_week_view_set_holding (self->week_view, self->syncing);
  if (self->store != NULL)
    calsync_week_view_set_store (self->week_view, self->store);

  return GTK_WIDGET (self->week_view);
}

static void
apply_date (CalsyncWindow *self)
{
  calsync_month_view_set_date (self->month_view, self->date);
  if (self->week_view != NULL)
    calsync_week_view_set_date (self->week_view, self->date);
  update_title (self);
}

void
calsync_window_set_date (CalsyncWindow *self,
                         GDateTime     *date)
{
  g_return_if_fail (CALSYNC_IS_WINDOW (self));
  g_return_if_fail (date != NULL);

  g_clear_pointer (&self->date, g_date_time_unref);
  self->date = calsync_date_start_of_day (date);
  apply_date (self);
}

void
calsync_window_set_view (CalsyncWindow *self,
                         const char    *view)
{
  g_return_if_fail (CALSYNC_IS_WINDOW (self));

  if (g_strcmp0 (view, "week") != 0)
    view = "month";
  if (g_strcmp0 (self->view, view) == 0)
    return;

  g_free (self->view);
  self->view = g_strdup (view);
  if (g_strcmp0 (view, "week") == 0)
    ensure_week_view (self);
  gtk_stack_set_visible_child_name (self->view_stack, view);
  if (self->settings != NULL)
    g_settings_set_string (self->settings, "last-view", view);
  update_title (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_VIEW]);
}

const char *
calsync_window_get_view (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return self->view;
}

/* Actions */

static void
shift_date (CalsyncWindow *self,
            int            direction)
{
  g_autoptr(GDateTime) shifted = NULL;

  if (g_strcmp0 (self->view, "week") == 0)
    shifted = g_date_time_add_weeks (self->date, direction);
  else
    {
      g_autoptr(GDateTime) first = calsync_date_start_of_month (self->date);

      shifted = g_date_time_add_months (first, direction);
    }

  calsync_window_set_date (self, shifted);
}

static void
previous_action (GtkWidget  *widget,
                 const char *action_name,
                 GVariant   *parameter)
{
  shift_date (CALSYNC_WINDOW (widget), -1);
}

static void
next_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  shift_date (CALSYNC_WINDOW (widget), 1);
}

static void
today_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  g_autoptr(GDateTime) now = calsync_now_local ();

  calsync_window_set_date (CALSYNC_WINDOW (widget), now);
}

static void
view_month_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  calsync_window_set_view (CALSYNC_WINDOW (widget), "month");
}

static void
view_week_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  calsync_window_set_view (CALSYNC_WINDOW (widget), "week");
}

static void
close_action (GtkWidget  *widget,
              const char *action_name,
              GVariant   *parameter)
{
  gtk_window_close (GTK_WINDOW (widget));
}

/* Built on first use: a GtkShortcutsWindow takes ~30 ms to build, which the
 * automatic gtk/help-overlay.ui would add to every startup. */
static void
show_shortcuts_action (GtkWidget  *widget,
                       const char *action_name,
                       GVariant   *parameter)
{
  g_autoptr(GtkBuilder) builder =
    gtk_builder_new_from_resource (RESOURCE_PREFIX "/calsync-shortcuts-window.ui");
  GtkWindow *shortcuts = GTK_WINDOW (gtk_builder_get_object (builder, "help_overlay"));

  gtk_window_set_transient_for (shortcuts, GTK_WINDOW (widget));
  gtk_window_present (shortcuts);
}

/* Event editor: new, edit, delete, each with undo */

static void
undo_action (GtkWidget  *widget,
             const char *action_name,
             GVariant   *parameter)
{
  CalsyncWindow *self = CALSYNC_WINDOW (widget);

  if (self->undo != NULL)
    calsync_edit_undo_run (self->undo);
}

static void
can_undo_changed_cb (CalsyncWindow *self)
{
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo",
                                 self->undo != NULL && calsync_edit_undo_get_can_undo (self->undo));
}

static void
undo_message_cb (CalsyncEditUndo *undo,
                 const char      *message,
                 CalsyncWindow   *self)
{
  if (self->store != NULL)
    calsync_window_add_toast (self, adw_toast_new (message));
}

static void
editor_saved_cb (CalsyncEventEditor *editor,
                 CalsyncEvent       *stored,
                 CalsyncWindow      *self)
{
  /* The event as the editor opened it (NULL: a new one) */
  CalsyncEvent *before = calsync_event_editor_get_event (editor);
  AdwToast *toast;

  if (self->undo != NULL && (toast = calsync_edit_undo_record (self->undo, before, stored)) != NULL)
    calsync_window_add_toast (self, toast);
}

static void
editor_deleted_cb (CalsyncEventEditor *editor,
                   CalsyncEvent       *deleted,
                   CalsyncWindow      *self)
{
  AdwToast *toast;

  if (self->undo != NULL && (toast = calsync_edit_undo_record (self->undo, deleted, NULL)) != NULL)
    calsync_window_add_toast (self, toast);
}

static void
open_event_editor (CalsyncWindow *self,
                   CalsyncEvent  *event,
                   GDateTime     *start)
{
  CalsyncEventEditor *editor;

  if (self->store == NULL)
    return;

  editor = calsync_event_editor_new (GTK_WINDOW (self), self->store, event, start);
  g_signal_connect_object (editor, "saved", G_CALLBACK (editor_saved_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (editor, "deleted", G_CALLBACK (editor_deleted_cb), self, G_CONNECT_DEFAULT);
  gtk_window_present (GTK_WINDOW (editor));
}

/* The next full hour from now, on the shown day. */
static GDateTime *
next_hour_of_shown_day (CalsyncWindow *self)
{
  g_autoptr(GDateTime) now = calsync_now_local ();
  int hour = MIN (g_date_time_get_hour (now) + 1, 23);

  return g_date_time_new_local (g_date_time_get_year (self->date), g_date_time_get_month (self->date),
                                g_date_time_get_day_of_month (self->date), hour, 0, 0);
}

static void
new_event_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CalsyncWindow *self = CALSYNC_WINDOW (widget);
  g_autoptr(GDateTime) start = next_hour_of_shown_day (self);

  open_event_editor (self, NULL, start);
}

/* From the views (double-click on a free slot): the start as a Unix time. */
static void
new_event_at_action (GtkWidget  *widget,
                     const char *action_name,
                     GVariant   *parameter)
{
  g_autoptr(GDateTime) utc = g_date_time_new_from_unix_utc (g_variant_get_int64 (parameter));
  g_autoptr(GDateTime) start = g_date_time_to_local (utc);

  open_event_editor (CALSYNC_WINDOW (widget), NULL, start);
}

/* From the event popover's Edit button: the event's id. */
static void
edit_event_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  CalsyncWindow *self = CALSYNC_WINDOW (widget);
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(GError) error = NULL;

  if (self->store == NULL)
    return;

  event = calsync_store_get_event (self->store, g_variant_get_int64 (parameter), &error);
  if (event == NULL)
    {
      g_warning ("Cannot edit event: %s", error->message);
      return;
    }
  open_event_editor (self, event, NULL);
}

/* Window state */

static void
save_window_state (CalsyncWindow *self)
{
  int width, height;

  if (self->settings == NULL)
    return;

  gtk_window_get_default_size (GTK_WINDOW (self), &width, &height);
  g_settings_set_boolean (self->settings, "window-maximized",
                          gtk_window_is_maximized (GTK_WINDOW (self)));
  if (!gtk_window_is_maximized (GTK_WINDOW (self)))
    {
      g_settings_set_int (self->settings, "window-width", width);
      g_settings_set_int (self->settings, "window-height", height);
    }
}

static void
restore_window_state (CalsyncWindow *self)
{
  g_autofree char *view = NULL;

  gtk_window_set_default_size (GTK_WINDOW (self),
                               g_settings_get_int (self->settings, "window-width"),
                               g_settings_get_int (self->settings, "window-height"));
  if (g_settings_get_boolean (self->settings, "window-maximized"))
    gtk_window_maximize (GTK_WINDOW (self));

  view = g_settings_get_string (self->settings, "last-view");
  calsync_window_set_view (self, view);
}

static gboolean
calsync_window_close_request (GtkWindow *window)
{
  save_window_state (CALSYNC_WINDOW (window));

  return GTK_WINDOW_CLASS (calsync_window_parent_class)->close_request (window);
}

/* First frame report, for the startup benchmark (bench/bench-startup). */

static void
after_paint_cb (GdkFrameClock *clock,
                CalsyncWindow *self)
{
  g_clear_signal_handler (&self->first_frame_handler, clock);
  g_printerr ("calsync: first-frame-monotonic-us %" G_GINT64_FORMAT "\n", g_get_monotonic_time ());
  if (g_getenv ("CALSYNC_EXIT_AFTER_FIRST_FRAME") != NULL)
    gtk_window_destroy (GTK_WINDOW (self));
}

static void
calsync_window_realize (GtkWidget *widget)
{
  CalsyncWindow *self = CALSYNC_WINDOW (widget);

  GTK_WIDGET_CLASS (calsync_window_parent_class)->realize (widget);

  if (g_getenv ("CALSYNC_REPORT_FIRST_FRAME") != NULL)
    self->first_frame_handler = g_signal_connect (gtk_widget_get_frame_clock (widget), "after-paint",
                                                  G_CALLBACK (after_paint_cb), self);
}

static void
calsync_window_get_property (GObject    *object,
                             guint       prop_id,
                             GValue     *value,
                             GParamSpec *pspec)
{
  CalsyncWindow *self = CALSYNC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      g_value_set_string (value, self->view);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
calsync_window_set_property (GObject      *object,
                             guint         prop_id,
                             const GValue *value,
                             GParamSpec   *pspec)
{
  CalsyncWindow *self = CALSYNC_WINDOW (object);

  switch (prop_id)
    {
    case PROP_VIEW:
      calsync_window_set_view (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
calsync_window_dispose (GObject *object)
{
  CalsyncWindow *self = (CalsyncWindow *)object;

  g_clear_handle_id (&self->hold_timeout_id, g_source_remove);
  g_clear_handle_id (&self->live_region_timeout_id, g_source_remove);
  g_clear_handle_id (&self->name_toasts_idle_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_WINDOW);
  g_clear_weak_pointer (&self->sync_toast);
  g_clear_object (&self->undo);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (calsync_window_parent_class)->dispose (object);
}

static void
calsync_window_finalize (GObject *object)
{
  CalsyncWindow *self = (CalsyncWindow *)object;

  g_clear_pointer (&self->date, g_date_time_unref);
  g_clear_pointer (&self->view, g_free);

  G_OBJECT_CLASS (calsync_window_parent_class)->finalize (object);
}

static void
install_actions (GtkWidgetClass *widget_class)
{
  gtk_widget_class_install_action (widget_class, "win.previous", NULL, previous_action);
  gtk_widget_class_install_action (widget_class, "win.next", NULL, next_action);
  gtk_widget_class_install_action (widget_class, "win.today", NULL, today_action);
  gtk_widget_class_install_action (widget_class, "win.view-month", NULL, view_month_action);
  gtk_widget_class_install_action (widget_class, "win.view-week", NULL, view_week_action);
  gtk_widget_class_install_action (widget_class, "win.new-event", NULL, new_event_action);
  gtk_widget_class_install_action (widget_class, "win.new-event-at", "x", new_event_at_action);
  gtk_widget_class_install_action (widget_class, "win.edit-event", "x", edit_event_action);
  gtk_widget_class_install_action (widget_class, "win.undo", NULL, undo_action);
  gtk_widget_class_install_action (widget_class, "win.close", NULL, close_action);
  gtk_widget_class_install_action (widget_class, "win.show-help-overlay", NULL, show_shortcuts_action);
  gtk_widget_class_install_property_action (widget_class, "win.view", "view");

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_t, GDK_CONTROL_MASK, "win.today", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Home, 0, "win.today", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Left, GDK_ALT_MASK, "win.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Up, 0, "win.previous", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Right, GDK_ALT_MASK, "win.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Page_Down, 0, "win.next", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_1, GDK_ALT_MASK, "win.view-month", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_2, GDK_ALT_MASK, "win.view-week", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_n, GDK_CONTROL_MASK, "win.new-event", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_z, GDK_CONTROL_MASK, "win.undo", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_w, GDK_CONTROL_MASK, "win.close", NULL);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_question, GDK_CONTROL_MASK,
                                       "win.show-help-overlay", NULL);
}

static void
calsync_window_class_init (CalsyncWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);
  GtkWindowClass *window_class = GTK_WINDOW_CLASS (klass);

  object_class->dispose = calsync_window_dispose;
  object_class->finalize = calsync_window_finalize;
  object_class->get_property = calsync_window_get_property;
  object_class->set_property = calsync_window_set_property;
  widget_class->realize = calsync_window_realize;
  window_class->close_request = calsync_window_close_request;

  properties[PROP_VIEW] =
    g_param_spec_string ("view", NULL, NULL, "month",
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  g_type_ensure (CALSYNC_TYPE_MONTH_VIEW);
  g_type_ensure (CALSYNC_TYPE_SYNC_BUTTON);

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/calsync-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, navigation_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, view_switch);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, title_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, short_title_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, title_squeezer);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, announce_overlay);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, today_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, previous_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, next_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, new_event_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, menu_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, month_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, week_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, empty_page);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, month_view);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, sync_button);

  install_actions (widget_class);
}

static void
setup_accessibility (CalsyncWindow *self)
{
  GtkWidget *buttons[] = {
    self->today_button, self->previous_button, self->next_button, self->new_event_button,
    self->menu_button, self->month_button, self->week_button,
  };

  for (guint i = 0; i < G_N_ELEMENTS (buttons); i++)
    calsync_gui_name_button_once (buttons[i], FALSE);

  g_signal_connect_object (self->title_squeezer, "notify::visible-child",
                           G_CALLBACK (title_form_changed_cb), self, G_CONNECT_SWAPPED);
  title_form_changed_cb (self);

#if !GTK_CHECK_VERSION (4, 14, 0)
  /* Role alert is AT-SPI's "notification": Orca speaks one when it is shown.
   * Out of sight (transparent, not a target) but mapped, hidden until used. */
  self->live_region = g_object_new (GTK_TYPE_LABEL,
                                    "accessible-role", GTK_ACCESSIBLE_ROLE_ALERT,
                                    "visible", FALSE,
                                    "can-target", FALSE,
                                    "can-focus", FALSE,
                                    "opacity", 0.0,
                                    "halign", GTK_ALIGN_START,
                                    "valign", GTK_ALIGN_START,
                                    "max-width-chars", 1,
                                    "ellipsize", PANGO_ELLIPSIZE_END,
                                    NULL);
  gtk_widget_add_css_class (self->live_region, "live-region");
  gtk_overlay_add_overlay (self->announce_overlay, self->live_region);
#endif
}

static void
calsync_window_init (CalsyncWindow *self)
{
  g_autoptr(GDateTime) now = calsync_now_local ();

  /* Before the template: its toggle buttons read the state of win.view. */
  self->view = g_strdup ("month");
  gtk_widget_init_template (GTK_WIDGET (self));
  /* Nothing to undo until an edit is saved */
  gtk_widget_action_set_enabled (GTK_WIDGET (self), "win.undo", FALSE);
  setup_accessibility (self);

  self->date = calsync_date_start_of_day (now);
}

/* Sync feedback: the Sync button and the toast that announces each sync. Both
 * listen to the application's engine; nothing polls. */

#define SYNC_TOAST_SETTLE_US (500 * 1000)

static void
sync_toast_dismissed_cb (AdwToast      *toast,
                         CalsyncWindow *self)
{
  if (self->sync_toast == toast)
    g_clear_weak_pointer (&self->sync_toast);
}

/* While a sync writes page after page, the views hold their reloads and show
 * the result when it ends (or every few seconds of a long sync): rebuilding
 * the month for every page of a 10,000-event sync cost frames. */
static void
hold_views (CalsyncWindow *self,
            gboolean       holding)
{
  if (self->month_view == NULL)
    return;
  calsync_month_view_set_holding (self->month_view, holding);
  if (self->week_view != NULL)
    calsync_week_view_set_holding (self->week_view, holding);
}

static gboolean
hold_timeout_cb (gpointer user_data)
{
  CalsyncWindow *self = user_data;

  hold_views (self, FALSE);
  hold_views (self, TRUE);
  return G_SOURCE_CONTINUE;
}

static void
sync_started_cb (CalsyncSyncEngine *engine,
                 CalsyncWindow     *self)
{
  self->syncing = TRUE;
  hold_views (self, TRUE);
  calsync_edit_undo_set_syncing (self->undo, TRUE);
  g_clear_handle_id (&self->hold_timeout_id, g_source_remove);
  self->hold_timeout_id = g_timeout_add_seconds (SYNC_RELOAD_INTERVAL_S, hold_timeout_cb, self);
}

static void
sync_finished_cb (CalsyncSyncEngine *engine,
                  CalsyncSyncReport *report,
                  CalsyncWindow     *self)
{
  AdwToast *toast;

  self->syncing = FALSE;
  g_clear_handle_id (&self->hold_timeout_id, g_source_remove);
  hold_views (self, FALSE);
  /* Undo is offered only for a change the sync did not send */
  calsync_edit_undo_set_syncing (self->undo, FALSE);

  if (!(toast = calsync_report_dialog_new_toast (report)))
    {
      GtkWidget *focus = gtk_root_get_focus (GTK_ROOT (self));

      /* No toast (nothing was due): a sync started from the keyboard still
       * says that it ended */
      if (focus != NULL && gtk_widget_is_ancestor (focus, GTK_WIDGET (self->sync_button)))
        calsync_window_announce (self, _("Sync finished"));
      return;
    }

  /* A toast still sliding in takes the newer title: libadwaita 1.2 reads freed
   * memory when a toast is dismissed during its first ~200 ms (syncs that fail
   * at once, offline, one per F5) */
  if (self->sync_toast != NULL &&
      g_get_monotonic_time () - self->sync_toast_added_at < SYNC_TOAST_SETTLE_US)
    {
      adw_toast_set_title (self->sync_toast, adw_toast_get_title (toast));
      announce_toast (self, self->sync_toast);
      g_object_unref (toast);
      return;
    }

  /* A failure's toast stays until dismissed: a newer sync replaces it rather
   * than queueing behind it. */
  if (self->sync_toast != NULL)
    adw_toast_dismiss (self->sync_toast);

  g_set_weak_pointer (&self->sync_toast, toast);
  self->sync_toast_added_at = g_get_monotonic_time ();
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (sync_toast_dismissed_cb), self, 0);
  calsync_window_add_toast (self, toast);
}

static void
setup_sync_feedback (CalsyncWindow  *self,
                     GtkApplication *application)
{
  CalsyncSyncEngine *engine;

  if (!CALSYNC_IS_APPLICATION (application) ||
      !(engine = calsync_application_get_engine (CALSYNC_APPLICATION (application))))
    return;

  calsync_sync_button_bind (self->sync_button, engine, self->store);
  g_signal_connect_object (engine, "sync-started", G_CALLBACK (sync_started_cb), self, 0);
  g_signal_connect_object (engine, "sync-finished", G_CALLBACK (sync_finished_cb), self, 0);
}

/**
 * calsync_window_get_edit_undo:
 *
 * Returns: (transfer none): what Ctrl+Z takes back
 */
CalsyncEditUndo *
calsync_window_get_edit_undo (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return self->undo;
}

/**
 * calsync_window_get_sync_toast:
 *
 * Returns: (transfer none) (nullable): the toast of the last sync while it shows
 */
AdwToast *
calsync_window_get_sync_toast (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return self->sync_toast;
}

/**
 * calsync_window_new:
 *
 * Returns: (transfer full): a new main window showing today
 */
CalsyncWindow *
calsync_window_new (GtkApplication *application,
                    CalsyncStore   *store,
                    GSettings      *settings)
{
  CalsyncWindow *self;

  g_return_val_if_fail (GTK_IS_APPLICATION (application), NULL);
  g_return_val_if_fail (CALSYNC_IS_STORE (store), NULL);

  self = g_object_new (CALSYNC_TYPE_WINDOW, "application", application, NULL);
  self->store = g_object_ref (store);
  self->settings = settings ? g_object_ref (settings) : NULL;
  self->undo = calsync_edit_undo_new (store);
  g_signal_connect_object (self->undo, "notify::can-undo", G_CALLBACK (can_undo_changed_cb), self,
                           G_CONNECT_SWAPPED);
  g_signal_connect_object (self->undo, "message", G_CALLBACK (undo_message_cb), self, G_CONNECT_DEFAULT);

  if (self->settings != NULL)
    restore_window_state (self);

  calsync_month_view_set_store (self->month_view, store);
  apply_date (self);
  update_page (self);
  g_signal_connect_object (store, "changed", G_CALLBACK (update_page), self, G_CONNECT_SWAPPED);
  setup_sync_feedback (self, application);

  return self;
}

const char *
calsync_window_get_title_text (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->title_label);
}

const char *
calsync_window_get_short_title_text (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return gtk_label_get_text (self->short_title_label);
}

const char *
calsync_window_get_page (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return gtk_stack_get_visible_child_name (self->main_stack);
}

GtkWidget *
calsync_window_get_month_view (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return GTK_WIDGET (self->month_view);
}

GtkWidget *
calsync_window_get_week_view (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  return ensure_week_view (self);
}

/* Announcements ------------------------------------------------------------ */

/* How long the live region stays in the tree after an announcement */
#define LIVE_REGION_SECONDS 10

#if !GTK_CHECK_VERSION (4, 14, 0)
static gboolean
live_region_timeout_cb (gpointer user_data)
{
  CalsyncWindow *self = user_data;

  self->live_region_timeout_id = 0;
  gtk_widget_set_visible (self->live_region, FALSE);
  return G_SOURCE_REMOVE;
}
#endif

/**
 * calsync_window_announce:
 * @text: plain text, spoken as it is
 *
 * Has a screen reader speak @text once, politely: gtk_accessible_announce()
 * where GTK has it (4.14), otherwise a live region that is shown anew.
 */
void
calsync_window_announce (CalsyncWindow *self,
                         const char    *text)
{
  g_return_if_fail (CALSYNC_IS_WINDOW (self));

  if (text == NULL || *text == '\0')
    return;

  g_debug ("Announcing: %s", text);

#if GTK_CHECK_VERSION (4, 14, 0)
  gtk_accessible_announce (GTK_ACCESSIBLE (self), text, GTK_ACCESSIBLE_ANNOUNCEMENT_PRIORITY_MEDIUM);
#else
  /* Hidden, relabelled, shown: AT-SPI says children-changed and
   * state-changed:showing for a "notification" with the new text */
  gtk_widget_set_visible (self->live_region, FALSE);
  gtk_label_set_text (GTK_LABEL (self->live_region), text);
  gtk_widget_set_visible (self->live_region, TRUE);
  g_clear_handle_id (&self->live_region_timeout_id, g_source_remove);
  self->live_region_timeout_id = g_timeout_add_seconds (LIVE_REGION_SECONDS, live_region_timeout_cb, self);
#endif
}

/* The text last announced by the live region, or NULL (GTK < 4.14; for tests) */
const char *
calsync_window_get_announcement (CalsyncWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_WINDOW (self), NULL);

  if (self->live_region == NULL || !gtk_widget_get_visible (self->live_region))
    return NULL;
  return gtk_label_get_text (GTK_LABEL (self->live_region));
}

/* Whether libadwaita speaks its toasts itself. The newest toast widget found
 * (GNOME/libadwaita src/adw-toast-widget.c, role GTK_ACCESSIBLE_ROLE_ALERT)
 * does not call gtk_accessible_announce(), and a toast added to the overlay
 * is not shown anew, so no screen reader event says it appeared. Raise this
 * version when a libadwaita that announces toasts is known. */
#define ADW_ANNOUNCES_TOASTS ADW_CHECK_VERSION (99, 0, 0)

static char *
toast_text (AdwToast *toast)
{
  const char *title = adw_toast_get_title (toast);
  g_autofree char *plain = NULL;

  if (title == NULL)
    return NULL;
  /* Toast titles are Pango markup */
  if (pango_parse_markup (title, -1, 0, NULL, &plain, NULL, NULL))
    return g_steal_pointer (&plain);
  return g_strdup (title);
}

static void
announce_toast (CalsyncWindow *self,
                AdwToast      *toast)
{
#if !ADW_ANNOUNCES_TOASTS
  g_autofree char *text = toast_text (toast);

  calsync_window_announce (self, text);
#else
  (void) self;
  (void) toast;
#endif
}

/* libadwaita 1.2's toast widget is internal; its close button (an icon,
 * read as "GtkImage") gets a name here, and its icon leaves the tree. */
static void
name_close_buttons (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_BUTTON (child) &&
          g_strcmp0 (gtk_button_get_icon_name (GTK_BUTTON (child)), "window-close-symbolic") == 0)
        {
          GtkWidget *icon = gtk_button_get_child (GTK_BUTTON (child));

          gtk_accessible_update_property (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                          C_("toast", "Close"), -1);
          if (icon != NULL)
            gtk_accessible_update_state (GTK_ACCESSIBLE (icon), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
        }
      else if (GTK_IS_BUTTON (child) && gtk_button_get_label (GTK_BUTTON (child)) != NULL)
        /* The toast's action ("_Details"), read "Details Details" otherwise */
        calsync_gui_name_button_once (child, TRUE);
      else if (!GTK_IS_BUTTON (child))
        name_close_buttons (child);
    }
}

/* The overlay's children: its own child, then one widget per toast */
static void
name_toasts (CalsyncWindow *self)
{
  GtkWidget *content = adw_toast_overlay_get_child (self->toast_overlay);

  for (GtkWidget *child = gtk_widget_get_first_child (GTK_WIDGET (self->toast_overlay));
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    if (child != content)
      {
        name_close_buttons (child);
      }
}

static gboolean
name_toasts_idle_cb (gpointer user_data)
{
  CalsyncWindow *self = user_data;

  self->name_toasts_idle_id = 0;
  name_toasts (self);
  return G_SOURCE_REMOVE;
}

/* A queued toast gets its widget when the one before it goes */
static void
toast_dismissed_cb (AdwToast      *toast,
                    CalsyncWindow *self)
{
  if (self->name_toasts_idle_id == 0)
    self->name_toasts_idle_id = g_idle_add (name_toasts_idle_cb, self);
}

void
calsync_window_add_toast (CalsyncWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (CALSYNC_IS_WINDOW (self));

  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, 0);
  adw_toast_overlay_add_toast (self->toast_overlay, toast);
  name_toasts (self);
  announce_toast (self, toast);
}
