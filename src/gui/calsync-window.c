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

static char *
format_month_title (GDateTime *date)
{
  /* Translators: title of the month view, strftime(3) format: "November 2026" */
  return g_date_time_format (date, _("%B %Y"));
}

static char *
format_week_title (GDateTime *start,
                   GDateTime *end)
{
  g_autoptr(GDateTime) last = g_date_time_add_days (end, -1);
  g_autofree char *first_text = NULL;
  g_autofree char *last_text = NULL;

  if (g_date_time_get_year (start) != g_date_time_get_year (last))
    {
      /* Translators: a week across two years: "Dec 28, 2026 – Jan 3, 2027" */
      first_text = g_date_time_format (start, _("%b %-d, %Y"));
      last_text = g_date_time_format (last, _("%b %-d, %Y"));
    }
  else if (g_date_time_get_month (start) != g_date_time_get_month (last))
    {
      /* Translators: first day of a week across two months: "Nov 30" */
      first_text = g_date_time_format (start, _("%b %-d"));
      last_text = g_date_time_format (last, _("%b %-d, %Y"));
    }
  else
    {
      /* Translators: first day of a week inside one month: "Nov 23" (German: "23.") */
      first_text = g_date_time_format (start, C_("week title, same month", "%b %-d"));
      /* Translators: last day of a week in the same month: "29, 2026" (German: "29. Nov. 2026") */
      last_text = g_date_time_format (last, _("%-d, %Y"));
    }

  /* Translators: "Nov 23 – 29, 2026" */
  return g_strdup_printf (_("%s – %s"), g_strstrip (first_text), g_strstrip (last_text));
}

static void
update_title (CalsyncWindow *self)
{
  g_autofree char *title = NULL;

  if (g_strcmp0 (self->view, "week") == 0)
    {
      g_autoptr(GDateTime) start = NULL;
      g_autoptr(GDateTime) end = NULL;

      start = calsync_date_start_of_week (self->date);
      end = g_date_time_add_weeks (start, 1);
      title = format_week_title (start, end);
    }
  else
    title = format_month_title (self->date);

  gtk_label_set_text (self->title_label, title);
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
  /* Nothing to navigate on the empty page: only the menu stays. */
  gtk_widget_set_visible (self->navigation_box, has_calendar);
  gtk_widget_set_visible (self->view_switch, has_calendar);
  gtk_widget_set_visible (GTK_WIDGET (self->title_label), has_calendar);
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
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, main_stack);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, view_stack);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, month_view);
  gtk_widget_class_bind_template_child (widget_class, CalsyncWindow, sync_button);

  install_actions (widget_class);
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
    return;

  /* A toast still sliding in takes the newer title: libadwaita 1.2 reads freed
   * memory when a toast is dismissed during its first ~200 ms (syncs that fail
   * at once, offline, one per F5) */
  if (self->sync_toast != NULL &&
      g_get_monotonic_time () - self->sync_toast_added_at < SYNC_TOAST_SETTLE_US)
    {
      adw_toast_set_title (self->sync_toast, adw_toast_get_title (toast));
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

void
calsync_window_add_toast (CalsyncWindow *self,
                          AdwToast      *toast)
{
  g_return_if_fail (CALSYNC_IS_WINDOW (self));

  adw_toast_overlay_add_toast (self->toast_overlay, toast);
}
