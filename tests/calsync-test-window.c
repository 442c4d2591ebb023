/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-window.c: helpers the window tests share (see calsync-test-window.h). */
#define G_LOG_DOMAIN "calsync-test-window"

#include "config.h"

#include "calsync-test-window.h"

#include "calsync-add-account-dialog.h"
#include "calsync-application-private.h"
#include "calsync-event-popover.h"
#include "calsync-event-widget.h"
#include "calsync-week-view-private.h"
#include "calsync-week-view.h"
#include "calsync-window-private.h"

/* The application under test ------------------------------------------------ */

/* The test's CalsyncApplication: a GApplication becomes the process's default
 * when it is made, and each test program makes one. */
CalsyncApplication *
calsync_test_app (void)
{
  GApplication *app = g_application_get_default ();

  g_assert_true (CALSYNC_IS_APPLICATION (app));
  return CALSYNC_APPLICATION (app);
}

/* The main window among the application's toplevels (the editor is one too) */
CalsyncWindow *
calsync_test_window (void)
{
  return calsync_test_get_window (calsync_test_app ());
}

CalsyncStore *
calsync_test_app_store (void)
{
  return calsync_application_get_store (calsync_test_app ());
}

int
calsync_test_run_window_tests (CalsyncApplication **app,
                               CalsyncTestHook      before,
                               CalsyncTestHook      after)
{
  int status;

  *app = calsync_application_new ();
  g_application_set_flags (G_APPLICATION (*app),
                           G_APPLICATION_HANDLES_COMMAND_LINE | G_APPLICATION_NON_UNIQUE);
  status = calsync_test_run_in_app (*app, before, after);
  g_clear_object (app);
  return status;
}

/* The widget tree ------------------------------------------------------------ */

/* @root or the first of its descendants (depth first) that @match accepts */
GtkWidget *
calsync_test_find_descendant (GtkWidget        *root,
                              CalsyncTestMatch  match,
                              gconstpointer     data)
{
  if (match (root, data))
    return root;
  for (GtkWidget *child = gtk_widget_get_first_child (root);
       child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      GtkWidget *found = calsync_test_find_descendant (child, match, data);

      if (found != NULL)
        return found;
    }
  return NULL;
}

/* A chip or a block of an event titled @title that its view shows */
gboolean
calsync_test_is_event_titled (GtkWidget     *widget,
                              gconstpointer  title)
{
  return CALSYNC_IS_EVENT_WIDGET (widget) && gtk_widget_get_child_visible (widget) &&
         g_strcmp0 (calsync_event_get_title (calsync_event_widget_get_event (CALSYNC_EVENT_WIDGET (widget))),
                    title) == 0;
}

gboolean
calsync_test_is_label_with_text (GtkWidget     *widget,
                                 gconstpointer  text)
{
  return GTK_IS_LABEL (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_label_get_text (GTK_LABEL (widget)), text) == 0;
}

gboolean
calsync_test_is_button_labelled (GtkWidget     *widget,
                                 gconstpointer  text)
{
  return GTK_IS_BUTTON (widget) && gtk_widget_get_mapped (widget) &&
         g_strcmp0 (gtk_button_get_label (GTK_BUTTON (widget)), text) == 0;
}

/* Whether @widget or a widget under it is a mapped label showing @text */
gboolean
calsync_test_shows_label (GtkWidget  *widget,
                          const char *text)
{
  return calsync_test_find_descendant (widget, calsync_test_is_label_with_text, text) != NULL;
}

static gboolean
shortcut_is (GtkShortcut        *shortcut,
             GtkShortcutTrigger *trigger,
             const char         *action)
{
  GtkShortcutAction *shortcut_action = gtk_shortcut_get_action (shortcut);

  return gtk_shortcut_trigger_equal (gtk_shortcut_get_trigger (shortcut), trigger) &&
         GTK_IS_NAMED_ACTION (shortcut_action) &&
         g_strcmp0 (gtk_named_action_get_action_name (GTK_NAMED_ACTION (shortcut_action)), action) == 0;
}

static gboolean
controller_has_binding (GListModel         *controller,
                        GtkShortcutTrigger *trigger,
                        const char         *action)
{
  for (guint j = 0; j < g_list_model_get_n_items (controller); j++)
    {
      g_autoptr(GtkShortcut) shortcut = g_list_model_get_item (controller, j);

      if (shortcut_is (shortcut, trigger, action))
        return TRUE;
    }
  return FALSE;
}

/* Whether a shortcut controller of @widget binds @accelerator to @action */
gboolean
calsync_test_has_binding (GtkWidget  *widget,
                          const char *accelerator,
                          const char *action)
{
  g_autoptr(GListModel) controllers = gtk_widget_observe_controllers (widget);
  g_autoptr(GtkShortcutTrigger) wanted = gtk_shortcut_trigger_parse_string (accelerator);

  for (guint i = 0; i < g_list_model_get_n_items (controllers); i++)
    {
      g_autoptr(GObject) controller = g_list_model_get_item (controllers, i);

      if (GTK_IS_SHORTCUT_CONTROLLER (controller) &&
          controller_has_binding (G_LIST_MODEL (controller), wanted, action))
        return TRUE;
    }
  return FALSE;
}

/* Chips and blocks ----------------------------------------------------------- */

GtkWidget *
calsync_test_find_chip (const char *title)
{
  return calsync_test_find_descendant (calsync_window_get_month_view (calsync_test_window ()),
                                       calsync_test_is_event_titled, title);
}

GtkWidget *
calsync_test_find_block (const char *title)
{
  return calsync_test_find_descendant (calsync_window_get_week_view (calsync_test_window ()),
                                       calsync_test_is_event_titled, title);
}

/* Opens the chip's details popover, mapped; the caller pops it down. */
GtkWidget *
calsync_test_open_popover (const char *title)
{
  GtkWidget *chip = calsync_test_find_chip (title);
  GtkWidget *popover;

  g_assert_nonnull (chip);
  g_assert_true (gtk_widget_activate_action (chip, "event.show-details", NULL));
  popover = gtk_widget_get_first_child (chip);
  while (popover != NULL && !CALSYNC_IS_EVENT_POPOVER (popover))
    popover = gtk_widget_get_next_sibling (popover);
  g_assert_nonnull (popover);
  g_assert_true (calsync_test_wait_until (calsync_test_mapped, popover, 5000));
  return popover;
}

GtkWidget *
calsync_test_popover_child (GtkWidget  *popover,
                            const char *id)
{
  return GTK_WIDGET (gtk_widget_get_template_child (popover, CALSYNC_TYPE_EVENT_POPOVER, id));
}

/* Predicates ----------------------------------------------------------------- */

gboolean
calsync_test_chip_shown (gpointer title)
{
  return calsync_test_find_chip (title) != NULL;
}

gboolean
calsync_test_chip_gone (gpointer title)
{
  return calsync_test_find_chip (title) == NULL;
}

gboolean
calsync_test_mapped (gpointer widget)
{
  return gtk_widget_get_mapped (widget);
}

gboolean
calsync_test_unmapped (gpointer widget)
{
  return !gtk_widget_get_mapped (widget);
}

gboolean
calsync_test_week_has_events (gpointer week_view)
{
  return calsync_week_view_get_n_events (CALSYNC_WEEK_VIEW (week_view)) > 0;
}

/* Parts of the window -------------------------------------------------------- */

static GObject *
window_child (const char *id)
{
  return gtk_widget_get_template_child (GTK_WIDGET (calsync_test_window ()), CALSYNC_TYPE_WINDOW, id);
}

GtkWidget *
calsync_test_toast_overlay (void)
{
  GObject *overlay = window_child ("toast_overlay");

  g_assert_true (ADW_IS_TOAST_OVERLAY (overlay));
  return GTK_WIDGET (overlay);
}

CalsyncSyncButton *
calsync_test_sync_button (void)
{
  GObject *button = window_child ("sync_button");

  g_assert_true (CALSYNC_IS_SYNC_BUTTON (button));
  return CALSYNC_SYNC_BUTTON (button);
}

/* Waits for the window's toast of the last sync (shown from ::sync-finished)
 * to be on screen before the next sync replaces it (see
 * calsync_test_wait_toast_shown()) */
gboolean
calsync_test_wait_sync_toast (void)
{
  AdwToast *toast = calsync_window_get_sync_toast (calsync_test_window ());

  return toast != NULL && calsync_test_wait_toast_shown (calsync_test_toast_overlay (), toast,
                                                         adw_toast_get_title (toast));
}

/* Syncs ------------------------------------------------------------------------ */

static guint n_syncs;

static void
sync_finished_cb (CalsyncSyncEngine *engine,
                  CalsyncSyncReport *report,
                  gpointer           data)
{
  n_syncs++;
}

/* Counts the syncs that finish (::sync-finished, which the application, the
 * window and Preferences handle too) from now on */
void
calsync_test_count_syncs (void)
{
  g_signal_connect (calsync_application_get_engine (calsync_test_app ()), "sync-finished",
                    G_CALLBACK (sync_finished_cb), NULL);
}

guint
calsync_test_n_syncs (void)
{
  return n_syncs;
}

/* Whether @n (GUINT_TO_POINTER) syncs have finished */
gboolean
calsync_test_syncs_reached (gpointer n)
{
  return n_syncs >= GPOINTER_TO_UINT (n);
}

/* The event editor ----------------------------------------------------------- */

CalsyncEventEditor *
calsync_test_find_editor (void)
{
  return (CalsyncEventEditor *) calsync_test_find_toplevel (CALSYNC_TYPE_EVENT_EDITOR, TRUE);
}

gboolean
calsync_test_editor_open (gpointer data)
{
  return calsync_test_find_editor () != NULL;
}

/* Closed and done: the editor hides at once and goes when the store has the write */
gboolean
calsync_test_editor_closed (gpointer data)
{
  return calsync_test_find_toplevel (CALSYNC_TYPE_EVENT_EDITOR, FALSE) == NULL;
}

GtkWidget *
calsync_test_editor_child (CalsyncEventEditor *editor,
                           const char         *id)
{
  GObject *object = gtk_widget_get_template_child (GTK_WIDGET (editor), CALSYNC_TYPE_EVENT_EDITOR, id);

  g_assert_true (GTK_IS_WIDGET (object));
  return GTK_WIDGET (object);
}

/* win.new-event (Ctrl+N), and the editor it opens within @timeout_ms */
CalsyncEventEditor *
calsync_test_new_event_editor (guint timeout_ms)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.new-event", NULL));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_open, NULL, timeout_ms));
  return calsync_test_find_editor ();
}

/* win.edit-event of @event_id, and the editor it opens within @timeout_ms */
CalsyncEventEditor *
calsync_test_edit_event_editor (gint64 event_id,
                                guint  timeout_ms)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (calsync_test_window ()), "win.edit-event", "x",
                                             event_id));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_open, NULL, timeout_ms));
  return calsync_test_find_editor ();
}

/* editor.save (Ctrl+Return), and the editor gone within @timeout_ms */
void
calsync_test_save_editor (CalsyncEventEditor *editor,
                          guint               timeout_ms)
{
  g_assert_true (gtk_widget_activate_action (GTK_WIDGET (editor), "editor.save", NULL));
  g_assert_true (calsync_test_wait_until (calsync_test_editor_closed, NULL, timeout_ms));
}

/* Preferences and accounts --------------------------------------------------- */

static gboolean
preferences_gone (gpointer data)
{
  return calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, FALSE) == NULL;
}

/* The Preferences window, opened (app.preferences) unless it is, and mapped */
CalsyncPreferencesWindow *
calsync_test_open_preferences (void)
{
  GtkWindow *window = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);

  if (window == NULL)
    {
      g_action_group_activate_action (G_ACTION_GROUP (calsync_test_app ()), "preferences", NULL);
      window = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);
    }
  g_assert_nonnull (window);
  g_assert_true (calsync_test_wait_until (calsync_test_mapped, window, 5000));
  return CALSYNC_PREFERENCES_WINDOW (window);
}

void
calsync_test_close_preferences (void)
{
  GtkWindow *window = calsync_test_find_toplevel (CALSYNC_TYPE_PREFERENCES_WINDOW, TRUE);

  if (window != NULL)
    gtk_window_destroy (window);
  g_assert_true (calsync_test_wait_until (preferences_gone, NULL, 5000));
}

gboolean
calsync_test_add_account_dialog_gone (gpointer data)
{
  return calsync_test_find_toplevel (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG, TRUE) == NULL;
}

/* The id of the first account of @provider in the application's store, or 0 */
gint64
calsync_test_account_id_of (const char *provider)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (calsync_test_app_store (), NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    if (g_strcmp0 (calsync_account_get_provider (g_ptr_array_index (accounts, i)), provider) == 0)
      return calsync_account_get_id (g_ptr_array_index (accounts, i));
  return 0;
}

/* The keyring is shared by the suite: the secrets of every account go */
void
calsync_test_delete_all_secrets (void)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (calsync_test_app_store (), NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    calsync_test_delete_secret (calsync_account_get_id (g_ptr_array_index (accounts, i)));
}

static void
followed_cb (GObject      *object,
             GAsyncResult *result,
             gpointer      user_data)
{
  GBytes *body = soup_session_send_and_read_finish (SOUP_SESSION (object), result, NULL);

  g_clear_pointer (&body, g_bytes_unref);
}

/* The browser (a CalsyncUriOpener): follows the sign-in address like a person
 * who agrees; the fake consents and redirects to the flow's loopback server,
 * in this process. */
void
calsync_test_soup_opener (GtkWindow  *parent,
                          const char *uri)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", uri);

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, followed_cb, NULL);
}

/* Calendars and events in a store -------------------------------------------- */

/* A new event @minutes long from @start_iso (ISO 8601 with offset), in @zone */
CalsyncEvent *
calsync_test_event_at (const char *external_id,
                       const char *title,
                       const char *start_iso,
                       int         minutes,
                       const char *zone)
{
  gint64 start = calsync_test_instant (start_iso);

  return calsync_test_timed_event (external_id, title, start, start + minutes * 60, zone);
}

/* Applies @events to @calendar_id as a sync would; asserts it worked. */
void
calsync_test_store_apply (CalsyncStore      *store,
                          gint64             calendar_id,
                          GPtrArray         *events,
                          CalsyncApplyStats *stats)
{
  g_autoptr(GError) error = NULL;

  g_assert_true (calsync_store_apply_remote_events (store, calendar_id, events, NULL, stats, &error));
  g_assert_no_error (error);
}

/* Applies @event (taken) to @calendar_id as a sync would; returns what it did. */
CalsyncApplyOutcome
calsync_test_store_apply_one (CalsyncStore *store,
                              gint64        calendar_id,
                              CalsyncEvent *event)
{
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GArray) outcomes = g_array_new (FALSE, FALSE, sizeof (CalsyncApplyOutcome));
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats = { 0 };

  g_ptr_array_add (events, event);
  g_assert_true (calsync_store_apply_remote_events (store, calendar_id, events, outcomes, &stats, &error));
  g_assert_no_error (error);
  g_assert_cmpuint (outcomes->len, ==, 1);
  return g_array_index (outcomes, CalsyncApplyOutcome, 0);
}
