/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-preferences-window.c: accounts, their calendars, Sync Now with the outcome
 * of the last sync, and the sync window. */
#define G_LOG_DOMAIN "calsync-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-account-group-private.h"
#include "calsync-application.h"
#include "calsync-caldav-dialog.h"
#include "calsync-gui.h"
#include "calsync-preferences-window-private.h"
#include "calsync-preferences-window.h"
#include "calsync-account-removal.h"
#include "calsync-secrets.h"
#include "calsync-sync-progress.h"

/* A success status goes away by itself after this long; errors stay */
#define STATUS_CLEAR_SECONDS 5

struct _CalsyncPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* Template widgets */
  AdwPreferencesPage *accounts_page;
  GtkButton *sync_button;
  GtkSpinner *sync_spinner;
  GtkLabel *sync_label;
  GtkWidget *status_box;
  GtkLabel *status_headline;
  GtkWidget *stats_box;
  GtkWidget *breakdown_box;
  GtkWidget *empty_group;
  AdwPreferencesGroup *add_group;
  AdwPreferencesPage *sync_page;
  GtkSpinButton *months_back_spin;
  GtkSpinButton *months_ahead_spin;

  /* Owned references */
  CalsyncStore *store;
  GSettings *settings;
  CalsyncSyncEngine *engine;
  CalsyncHttp *http;
  CalsyncSyncReport *report;   /* last finished sync, or NULL */
  GHashTable *groups;          /* account id → CalsyncAccountGroup (widget owned by the page) */
  GHashTable *toggles;         /* calendar id → the state last asked for, while written */
  GHashTable *synced;          /* calendar ids the running sync is done with */
  GCancellable *cancellable;

  /* Borrowed references */
  CalsyncSyncProgress *progress;   /* the engine's, or NULL */

  guint clear_status_id;
  guint relayout_id;
  guint minute_id;
  gboolean syncing;
};

G_DEFINE_FINAL_TYPE (CalsyncPreferencesWindow, calsync_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static CalsyncUriOpener uri_opener;

void
calsync_preferences_window_set_uri_opener (CalsyncUriOpener opener)
{
  uri_opener = opener;
}

static void
add_toast (CalsyncPreferencesWindow *self,
           const char               *text)
{
  /* Toast titles are Pango markup in libadwaita 1.2 */
  g_autofree char *escaped = g_markup_escape_text (text, -1);
  AdwToast *toast = adw_toast_new (escaped);

  adw_preferences_window_add_toast (ADW_PREFERENCES_WINDOW (self), toast);
}

/* Sync Now ------------------------------------------------------------------ */

static void
show_progress (CalsyncPreferencesWindow *self,
               gboolean                  shown)
{
  GHashTableIter iter;
  gpointer group;

  g_hash_table_iter_init (&iter, self->groups);
  while (g_hash_table_iter_next (&iter, NULL, &group))
    calsync_account_group_show_progress (group, shown ? self->synced : NULL);
}

/* A long sync says how far it is: "Syncing… 3 of 5 calendars", and each
 * account how far its own calendars are */
static void
update_sync_label (CalsyncPreferencesWindow *self)
{
  const char *progress = self->syncing && self->progress ? calsync_sync_progress_get_text (self->progress) : NULL;

  show_progress (self, progress != NULL);

  if (progress != NULL)
    gtk_label_set_text (self->sync_label, progress);
  else
    gtk_label_set_text_with_mnemonic (self->sync_label, self->syncing ? _("Syncing…") : _("_Sync Now"));
}

static void
update_sync_button (CalsyncPreferencesWindow *self,
                    guint                     n_active)
{
  gtk_widget_set_sensitive (GTK_WIDGET (self->sync_button),
                            self->engine != NULL && n_active > 0 && !self->syncing);
  gtk_widget_set_visible (GTK_WIDGET (self->sync_spinner), self->syncing);
  gtk_spinner_set_spinning (self->sync_spinner, self->syncing);
  update_sync_label (self);
}

static void
sync_clicked_cb (CalsyncPreferencesWindow *self)
{
  GApplication *app = g_application_get_default ();

  /* app.sync starts a sync or joins the running one; its signals update us */
  if (app != NULL && g_action_group_has_action (G_ACTION_GROUP (app), "sync"))
    g_action_group_activate_action (G_ACTION_GROUP (app), "sync", NULL);
}

/* F5 and Ctrl+R here too: this window is not one of the application's, so the
 * app's accelerators do not reach it */
static gboolean
sync_shortcut_cb (GtkWidget *widget,
                  GVariant  *args,
                  gpointer   user_data)
{
  CalsyncPreferencesWindow *self = CALSYNC_PREFERENCES_WINDOW (widget);

  if (!gtk_widget_is_sensitive (GTK_WIDGET (self->sync_button)))
    return FALSE;
  sync_clicked_cb (self);
  return TRUE;
}

/* Status area --------------------------------------------------------------- */

static void
clear_box (GtkWidget *box)
{
  GtkWidget *child;

  while ((child = gtk_widget_get_first_child (box)) != NULL)
    gtk_box_remove (GTK_BOX (box), child);
}

static void
add_stat (CalsyncPreferencesWindow *self,
          guint                     value,
          const char               *caption)
{
  GtkWidget *box = gtk_box_new (GTK_ORIENTATION_VERTICAL, 0);
  g_autofree char *number = g_strdup_printf ("%u", value);
  GtkWidget *number_label = gtk_label_new (number);
  GtkWidget *caption_label = gtk_label_new (caption);
  g_autofree char *accessible = g_strdup_printf ("%s: %u", caption, value);

  gtk_widget_add_css_class (number_label, "title-3");
  gtk_widget_add_css_class (number_label, "numeric");
  gtk_widget_add_css_class (caption_label, "caption");
  gtk_widget_add_css_class (caption_label, "dim-label");
  gtk_label_set_ellipsize (GTK_LABEL (caption_label), PANGO_ELLIPSIZE_END);
  /* Columns as wide as their words, sharing what is left: fits 360 px */
  gtk_widget_set_hexpand (box, TRUE);
  gtk_box_append (GTK_BOX (box), number_label);
  gtk_box_append (GTK_BOX (box), caption_label);
  gtk_accessible_update_property (GTK_ACCESSIBLE (box), GTK_ACCESSIBLE_PROPERTY_LABEL, accessible, -1);
  gtk_box_append (GTK_BOX (self->stats_box), box);
}

/* "Primary: 10 new, 2 updated" / "Team: not synced" (its error is in its account's group) */
static char *
breakdown_line (const CalsyncCalendarResult *result)
{
  g_autoptr(GPtrArray) parts = g_ptr_array_new_with_free_func (g_free);
  g_autofree char *joined = NULL;

  if (!result->success)
    /* Translators: ✗ marks a calendar that failed; %s: calendar name. Its error
     * is shown once, with the calendar's account below, not repeated here */
    return g_strdup_printf (_("✗ %s: not synced"), result->calendar_name);

  if (result->synced > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new", "%u new", result->synced), result->synced));
  if (result->updated > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u updated", "%u updated", result->updated), result->updated));
  if (result->deleted > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u removed", "%u removed", result->deleted), result->deleted));
  if (result->pushed > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u sent", "%u sent", result->pushed), result->pushed));
  if (result->conflicts > 0)
    g_ptr_array_add (parts, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conflict", "%u conflicts", result->conflicts),
                                             result->conflicts));
  if (parts->len == 0)
    g_ptr_array_add (parts, g_strdup (_("up to date")));
  g_ptr_array_add (parts, NULL);

  joined = g_strjoinv (_(", "), (char **) parts->pdata);
  /* Translators: ✓ marks a calendar that synced; %s: calendar name, %s: "10 new, 2 updated" */
  return g_strdup_printf (_("✓ %s: %s"), result->calendar_name, joined);
}

static void
add_breakdown_line (CalsyncPreferencesWindow    *self,
                    const CalsyncCalendarResult *result)
{
  g_autofree char *text = breakdown_line (result);
  GtkWidget *label = gtk_label_new (text);

  gtk_label_set_wrap (GTK_LABEL (label), TRUE);
  gtk_label_set_xalign (GTK_LABEL (label), 0);
  gtk_label_set_selectable (GTK_LABEL (label), FALSE);
  gtk_widget_add_css_class (label, result->success ? "calsync-result-ok" : "calsync-result-failed");
  gtk_box_append (GTK_BOX (self->breakdown_box), label);
}

static void
hide_status (CalsyncPreferencesWindow *self)
{
  g_clear_handle_id (&self->clear_status_id, g_source_remove);
  gtk_widget_set_visible (self->status_box, FALSE);
}

static gboolean
clear_status_cb (gpointer user_data)
{
  CalsyncPreferencesWindow *self = user_data;

  self->clear_status_id = 0;
  gtk_widget_set_visible (self->status_box, FALSE);
  return G_SOURCE_REMOVE;
}

/* GTK 4.8 keeps a stale height for the wrapped lines the first time the status
 * shows in a narrow window (the card cut its last line off): measure again */
static gboolean
relayout_cb (gpointer user_data)
{
  CalsyncPreferencesWindow *self = user_data;

  self->relayout_id = 0;
  gtk_widget_queue_resize (self->breakdown_box);
  return G_SOURCE_REMOVE;
}

static void
show_status (CalsyncPreferencesWindow *self,
             CalsyncSyncReport        *report)
{
  CalsyncCalendarResult totals = { 0 };
  gboolean success = calsync_sync_report_get_success (report);

  hide_status (self);
  if (calsync_sync_report_get_n_results (report) == 0)
    return;

  gtk_label_set_text (self->status_headline,
                      success ? _("Calendar sync completed") : _("Some calendars could not be synced"));
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_headline), success ? "error" : "success");
  gtk_widget_add_css_class (GTK_WIDGET (self->status_headline), success ? "success" : "error");

  calsync_sync_report_get_totals (report, &totals);
  clear_box (self->stats_box);
  add_stat (self, totals.synced, C_("sync statistics", "Synced"));
  add_stat (self, totals.updated, C_("sync statistics", "Updated"));
  add_stat (self, totals.skipped, C_("sync statistics", "Skipped"));
  add_stat (self, totals.deleted, C_("sync statistics", "Removed"));
  add_stat (self, totals.total, C_("sync statistics", "Total"));

  clear_box (self->breakdown_box);
  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    add_breakdown_line (self, calsync_sync_report_get_result (report, i));

  gtk_widget_set_visible (self->status_box, TRUE);
  g_clear_handle_id (&self->relayout_id, g_source_remove);
  self->relayout_id = g_idle_add (relayout_cb, self);
  if (success)
    self->clear_status_id = g_timeout_add_seconds (STATUS_CLEAR_SECONDS, clear_status_cb, self);
}

/* Accounts ------------------------------------------------------------------ */

static void start_sign_in (CalsyncPreferencesWindow *self, const char *provider);

/* Calendar switches: the store is written in a worker thread, one write per
 * calendar at a time, so that flipping a switch twice while the database is
 * busy ends in the state last asked for. */

typedef struct
{
  GWeakRef *window;
  gint64 calendar_id;
  gboolean active;
} ToggleWrite;

static void reload_accounts       (CalsyncPreferencesWindow *self);
static void write_calendar_active (CalsyncPreferencesWindow *self,
                                   gint64                    calendar_id,
                                   gboolean                  active);

static void
calendar_active_written_cb (GObject      *object,
                            GAsyncResult *result,
                            gpointer      user_data)
{
  ToggleWrite *write = user_data;
  g_autoptr(CalsyncPreferencesWindow) self = calsync_gui_weak_ref_take (write->window);
  gint64 calendar_id = write->calendar_id;
  gboolean written = write->active;
  g_autoptr(GError) error = NULL;
  gpointer wanted = NULL;

  g_free (write);
  calsync_store_set_calendar_active_finish (CALSYNC_STORE (object), result, &error);
  if (self == NULL || self->store == NULL ||
      !g_hash_table_lookup_extended (self->toggles, &calendar_id, NULL, &wanted))
    {
      if (error != NULL)
        g_warning ("Could not switch calendar %" G_GINT64_FORMAT ": %s", calendar_id, error->message);
      return;
    }

  if (error != NULL)
    {
      g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (self->store, calendar_id, NULL);
      const char *name = calendar != NULL ? calsync_calendar_get_name (calendar) : "";
      /* Translators: %s is a calendar's name; a toast, kept short (the reason goes to the log) */
      g_autofree char *text = g_strdup_printf (written ? _("Could not turn “%s” on") : _("Could not turn “%s” off"),
                                               name);

      g_message ("Could not switch calendar %" G_GINT64_FORMAT ": %s", calendar_id, error->message);
      g_hash_table_remove (self->toggles, &calendar_id);
      add_toast (self, text);
      reload_accounts (self);   /* its switch shows what the store has again */
    }
  else if (GPOINTER_TO_INT (wanted) != written)
    write_calendar_active (self, calendar_id, GPOINTER_TO_INT (wanted));
  else
    g_hash_table_remove (self->toggles, &calendar_id);
}

static void
write_calendar_active (CalsyncPreferencesWindow *self,
                       gint64                    calendar_id,
                       gboolean                  active)
{
  ToggleWrite *write = g_new0 (ToggleWrite, 1);

  write->window = calsync_gui_weak_ref_new (self);
  write->calendar_id = calendar_id;
  write->active = active;
  calsync_store_set_calendar_active_async (self->store, calendar_id, active,
                                           calendar_active_written_cb, write);
}

static void
calendar_toggled_cb (CalsyncAccountGroup      *group,
                     gint64                    calendar_id,
                     gboolean                  active,
                     CalsyncPreferencesWindow *self)
{
  gboolean in_flight = g_hash_table_contains (self->toggles, &calendar_id);

  /* The views and this window follow from the store's "changed" */
  g_hash_table_insert (self->toggles, g_memdup2 (&calendar_id, sizeof calendar_id),
                       GINT_TO_POINTER (!!active));
  if (!in_flight)
    write_calendar_active (self, calendar_id, !!active);
}

static void
show_pending_switch (CalsyncPreferencesWindow *self,
                     gint64                    calendar_id,
                     gboolean                  active)
{
  GHashTableIter iter;
  gpointer group;

  g_hash_table_iter_init (&iter, self->groups);
  while (g_hash_table_iter_next (&iter, NULL, &group))
    {
      GtkWidget *toggle = calsync_account_group_get_calendar_switch (group, calendar_id);

      if (toggle != NULL)
        gtk_switch_set_active (GTK_SWITCH (toggle), active);
    }
}

/* A reload shows what the store has; a switch whose write is still on its
 * way shows what was asked for. (Setting it comes back through
 * calendar_toggled_cb(), which changes self->toggles: not while iterating.) */
static void
keep_pending_switches (CalsyncPreferencesWindow *self)
{
  g_autofree gpointer *ids = (gpointer *) g_hash_table_get_keys_as_array (self->toggles, NULL);

  for (guint i = 0; ids[i] != NULL; i++)
    {
      gint64 calendar_id = *(gint64 *) ids[i];

      show_pending_switch (self, calendar_id,
                           GPOINTER_TO_INT (g_hash_table_lookup (self->toggles, &calendar_id)));
    }
}

static void open_caldav_dialog (CalsyncPreferencesWindow *self, gint64 account_id);

static void
reconnect_cb (CalsyncAccountGroup      *group,
              CalsyncPreferencesWindow *self)
{
  /* Signing in as the same address (or user on the same server) updates this account */
  if (g_strcmp0 (calsync_account_group_get_provider (group), "caldav") == 0)
    open_caldav_dialog (self, calsync_account_group_get_account_id (group));
  else
    start_sign_in (self, calsync_account_group_get_provider (group));
}

static void remove_account_cb (CalsyncAccountGroup *group, CalsyncPreferencesWindow *self);

static CalsyncAccountGroup *
ensure_group (CalsyncPreferencesWindow *self,
              gint64                    account_id)
{
  GtkWidget *group = g_hash_table_lookup (self->groups, &account_id);

  if (group != NULL)
    return CALSYNC_ACCOUNT_GROUP (group);

  group = calsync_account_group_new (account_id);
  g_signal_connect_object (group, "calendar-toggled", G_CALLBACK (calendar_toggled_cb), self, 0);
  g_signal_connect_object (group, "reconnect", G_CALLBACK (reconnect_cb), self, 0);
  g_signal_connect_object (group, "remove", G_CALLBACK (remove_account_cb), self, 0);

  /* Accounts go above "Add Account…": take that group out and put it back after */
  g_object_ref (self->add_group);
  adw_preferences_page_remove (self->accounts_page, self->add_group);
  adw_preferences_page_add (self->accounts_page, ADW_PREFERENCES_GROUP (group));
  adw_preferences_page_add (self->accounts_page, self->add_group);
  g_object_unref (self->add_group);

  g_hash_table_insert (self->groups, g_memdup2 (&account_id, sizeof account_id), group);
  return CALSYNC_ACCOUNT_GROUP (group);
}

static guint
count_active (GPtrArray *calendars)
{
  guint n = 0;

  for (guint i = 0; calendars != NULL && i < calendars->len; i++)
    n += calsync_calendar_get_is_active (g_ptr_array_index (calendars, i)) ? 1 : 0;
  return n;
}

/* Brings every group up to date in place; only new and removed accounts add or
 * remove a group, so the switch someone is using stays where it is. */
static void
reload_accounts (CalsyncPreferencesWindow *self)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (self->store, NULL);
  g_autoptr(GHashTable) seen = g_hash_table_new (g_int64_hash, g_int64_equal);
  GHashTableIter iter;
  gpointer key, value;
  guint n_active = 0;

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      CalsyncAccount *account = g_ptr_array_index (accounts, i);
      gint64 id = calsync_account_get_id (account);
      g_autoptr(GPtrArray) calendars = NULL;
      CalsyncAccountGroup *group;

      if (g_strcmp0 (calsync_account_get_provider (account), "local") == 0)
        continue;

      calendars = calsync_store_list_calendars (self->store, id, NULL);
      group = ensure_group (self, id);
      calsync_account_group_update (group, account, calendars, self->report, self->syncing);
      if (g_hash_table_lookup_extended (self->groups, &id, &key, NULL))
        g_hash_table_add (seen, key);
      n_active += count_active (calendars);
    }

  g_hash_table_iter_init (&iter, self->groups);
  while (g_hash_table_iter_next (&iter, &key, &value))
    if (!g_hash_table_contains (seen, key))
      {
        adw_preferences_page_remove (self->accounts_page, ADW_PREFERENCES_GROUP (value));
        g_hash_table_iter_remove (&iter);
      }

  keep_pending_switches (self);
  show_progress (self, self->syncing && self->progress && calsync_sync_progress_get_text (self->progress));
  gtk_widget_set_visible (self->empty_group, g_hash_table_size (self->groups) == 0);
  update_sync_button (self, n_active);
}

static gboolean
minute_cb (gpointer user_data)
{
  CalsyncPreferencesWindow *self = user_data;
  GHashTableIter iter;
  gpointer group;

  /* Only the "2 minutes ago" texts age; nothing is read again */
  g_hash_table_iter_init (&iter, self->groups);
  while (g_hash_table_iter_next (&iter, NULL, &group))
    calsync_account_group_refresh_times (group);
  return G_SOURCE_CONTINUE;
}

/* Engine signals ------------------------------------------------------------ */

static void
sync_started_cb (CalsyncSyncEngine        *engine,
                 CalsyncPreferencesWindow *self)
{
  self->syncing = TRUE;
  g_hash_table_remove_all (self->synced);
  hide_status (self);
  reload_accounts (self);
}

static void
calendar_synced_cb (CalsyncSyncEngine           *engine,
                    const CalsyncCalendarResult *result,
                    CalsyncPreferencesWindow    *self)
{
  gint64 id = g_ascii_strtoll (result->connection_id, NULL, 10);

  g_hash_table_add (self->synced, g_memdup2 (&id, sizeof id));
  update_sync_label (self);
}

static void
sync_finished_cb (CalsyncSyncEngine        *engine,
                  CalsyncSyncReport        *report,
                  CalsyncPreferencesWindow *self)
{
  self->syncing = calsync_sync_engine_is_syncing (engine);
  g_set_object (&self->report, report);
  show_status (self, report);
  reload_accounts (self);
}

/* Add, reconnect and remove ------------------------------------------------- */

static void
account_added_cb (CalsyncAddAccountDialog  *dialog,
                  CalsyncAccount           *account,
                  guint                     n_calendars,
                  CalsyncPreferencesWindow *self)
{
  g_autofree char *text = NULL;

  text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Connected %s with %u calendar",
                                       "Connected %s with %u calendars", n_calendars),
                          calsync_account_get_email (account), n_calendars);
  add_toast (self, text);
  reload_accounts (self);
}

static void
start_sign_in (CalsyncPreferencesWindow *self,
               const char               *provider)
{
  CalsyncAddAccountDialog *dialog;
  g_autoptr(GError) error = NULL;

  dialog = calsync_add_account_dialog_new (GTK_WINDOW (self), self->store, self->http, provider, uri_opener);
  g_signal_connect_object (dialog, "account-added", G_CALLBACK (account_added_cb), self, 0);
  if (!calsync_add_account_dialog_start (dialog, &error))
    {
      add_toast (self, error->message);
      gtk_window_destroy (GTK_WINDOW (dialog));
    }
}

static void
add_google_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  start_sign_in (CALSYNC_PREFERENCES_WINDOW (widget), "google");
}

static void
add_outlook_action (GtkWidget  *widget,
                    const char *action_name,
                    GVariant   *parameter)
{
  start_sign_in (CALSYNC_PREFERENCES_WINDOW (widget), "outlook");
}

static void
caldav_added_cb (CalsyncCaldavDialog      *dialog,
                 CalsyncAccount           *account,
                 guint                     n_calendars,
                 CalsyncPreferencesWindow *self)
{
  /* The dialog itself says how many calendars it found */
  reload_accounts (self);
}

/* @account_id: 0 for a new account, else the one to reconnect */
static void
open_caldav_dialog (CalsyncPreferencesWindow *self,
                    gint64                    account_id)
{
  CalsyncCaldavDialog *dialog = calsync_caldav_dialog_new (GTK_WINDOW (self), self->store, self->http);

  if (account_id > 0)
    {
      g_autoptr(CalsyncAccount) account = calsync_store_get_account (self->store, account_id, NULL);

      if (account != NULL)
        calsync_caldav_dialog_set_account (dialog, calsync_account_get_server_url (account),
                                           calsync_account_get_email (account));
    }
  g_signal_connect_object (dialog, "account-added", G_CALLBACK (caldav_added_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

static void
add_caldav_action (GtkWidget  *widget,
                   const char *action_name,
                   GVariant   *parameter)
{
  open_caldav_dialog (CALSYNC_PREFERENCES_WINDOW (widget), 0);
}

typedef struct
{
  GWeakRef window;
  char *email;
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_weak_ref_clear (&data->window);
  g_free (data->email);
  g_free (data);
}

static void
removed_cb (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  RemoveData *data = user_data;
  g_autoptr(CalsyncPreferencesWindow) self = g_weak_ref_get (&data->window);
  g_autofree char *text = NULL;
  g_autoptr(GError) error = NULL;

  if (!calsync_account_remove_finish (result, &error))
    text = g_strdup (error->message);
  else
    /* Translators: %s is an email address */
    text = g_strdup_printf (_("Removed %s"), data->email);

  if (self != NULL && self->store != NULL)
    add_toast (self, text);
  remove_data_free (data);
}

static void
remove_response_cb (AdwMessageDialog         *dialog,
                    const char               *response,
                    CalsyncPreferencesWindow *self)
{
  CalsyncAccountGroup *group = g_object_get_data (G_OBJECT (dialog), "account-group");
  RemoveData *data;

  if (g_strcmp0 (response, "remove") != 0 || group == NULL || self->store == NULL)
    return;

  data = g_new0 (RemoveData, 1);
  g_weak_ref_init (&data->window, self);
  data->email = g_strdup (calsync_account_group_get_email (group));
  gtk_widget_set_sensitive (GTK_WIDGET (group), FALSE);
  /* Its sync and sign-in stop, its secret goes, then its events: not tied to
   * this window, the removal finishes even if the window closes now */
  calsync_account_remove_async (self->store, self->engine, calsync_account_group_get_account_id (group),
                                removed_cb, data);
}

static void
remove_account_cb (CalsyncAccountGroup      *group,
                   CalsyncPreferencesWindow *self)
{
  GtkWidget *dialog;
  const char *email = calsync_account_group_get_email (group);

  /* Translators: %s is an email address */
  dialog = adw_message_dialog_new (GTK_WINDOW (self), NULL,
                                   _("Its calendars and events are removed from this computer."));
  adw_message_dialog_format_heading (ADW_MESSAGE_DIALOG (dialog), _("Remove %s?"), email ? email : "");
  adw_message_dialog_add_responses (ADW_MESSAGE_DIALOG (dialog),
                                    "cancel", _("_Cancel"),
                                    "remove", _("_Remove"),
                                    NULL);
  adw_message_dialog_set_response_appearance (ADW_MESSAGE_DIALOG (dialog), "remove", ADW_RESPONSE_DESTRUCTIVE);
  adw_message_dialog_set_default_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (dialog), "cancel");
  g_object_set_data_full (G_OBJECT (dialog), "account-group", g_object_ref (group), g_object_unref);
  g_signal_connect_object (dialog, "response", G_CALLBACK (remove_response_cb), self, 0);
  gtk_window_present (GTK_WINDOW (dialog));
}

/* GObject ------------------------------------------------------------------- */

static void
calsync_preferences_window_dispose (GObject *object)
{
  CalsyncPreferencesWindow *self = (CalsyncPreferencesWindow *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_handle_id (&self->clear_status_id, g_source_remove);
  g_clear_handle_id (&self->relayout_id, g_source_remove);
  g_clear_handle_id (&self->minute_id, g_source_remove);
  if (self->engine != NULL)
    g_signal_handlers_disconnect_by_data (self->engine, self);
  if (self->store != NULL)
    g_signal_handlers_disconnect_by_data (self->store, self);

  if (self->progress != NULL)
    g_signal_handlers_disconnect_by_data (self->progress, self);
  self->progress = NULL;
  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_PREFERENCES_WINDOW);
  g_clear_pointer (&self->groups, g_hash_table_unref);
  g_clear_pointer (&self->toggles, g_hash_table_unref);
  g_clear_pointer (&self->synced, g_hash_table_unref);
  g_clear_object (&self->report);
  g_clear_object (&self->engine);
  g_clear_object (&self->http);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (calsync_preferences_window_parent_class)->dispose (object);
}

static void
calsync_preferences_window_class_init (CalsyncPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_preferences_window_dispose;

  gtk_widget_class_install_action (widget_class, "prefs.add-google", NULL, add_google_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-outlook", NULL, add_outlook_action);
  gtk_widget_class_install_action (widget_class, "prefs.add-caldav", NULL, add_caldav_action);

  gtk_widget_class_add_binding (widget_class, GDK_KEY_F5, 0, sync_shortcut_cb, NULL);
  gtk_widget_class_add_binding (widget_class, GDK_KEY_r, GDK_CONTROL_MASK, sync_shortcut_cb, NULL);

  calsync_gui_ensure_resources ();
  g_type_ensure (CALSYNC_TYPE_ACCOUNT_GROUP);
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/calsync-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, accounts_page);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, sync_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, sync_spinner);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, sync_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, status_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, status_headline);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, stats_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, breakdown_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, add_group);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, empty_group);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, sync_page);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, months_back_spin);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, months_ahead_spin);
  gtk_widget_class_bind_template_callback (widget_class, sync_clicked_cb);
}

/* Search is off (two short pages), but libadwaita 1.2 keeps its search entry
 * in the accessibility tree as an entry named "GtkSearchEntry" */
static void
hide_unused_search_entry (GtkWidget *widget)
{
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    {
      if (GTK_IS_SEARCH_ENTRY (child))
        gtk_accessible_update_state (GTK_ACCESSIBLE (child), GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
      else
        hide_unused_search_entry (child);
    }
}

static void
calsync_preferences_window_init (CalsyncPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  if (!adw_preferences_window_get_search_enabled (ADW_PREFERENCES_WINDOW (self)))
    hide_unused_search_entry (GTK_WIDGET (self));
  self->groups = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->toggles = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->synced = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, NULL);
  self->cancellable = g_cancellable_new ();
}

static void
connect_engine (CalsyncPreferencesWindow *self)
{
  GApplication *app = g_application_get_default ();

  if (CALSYNC_IS_APPLICATION (app))
    {
      CalsyncApplication *calsync_app = CALSYNC_APPLICATION (app);


      g_set_object (&self->engine, calsync_application_get_engine (calsync_app));
      g_set_object (&self->http, calsync_application_get_http (calsync_app));
      g_set_object (&self->report, calsync_application_get_last_report (calsync_app));
    }
  if (self->http == NULL)
    self->http = calsync_http_new ();
  if (self->engine == NULL)
    return;

  self->syncing = calsync_sync_engine_is_syncing (self->engine);
  g_signal_connect (self->engine, "sync-started", G_CALLBACK (sync_started_cb), self);
  g_signal_connect (self->engine, "sync-finished", G_CALLBACK (sync_finished_cb), self);
  g_signal_connect (self->engine, "calendar-synced", G_CALLBACK (calendar_synced_cb), self);
  self->progress = calsync_sync_progress_get_for_engine (self->engine);
  g_signal_connect_object (self->progress, "notify::text", G_CALLBACK (update_sync_label), self,
                           G_CONNECT_SWAPPED);
}

/**
 * calsync_preferences_window_new:
 * @settings: (nullable): the app's settings; without them the Sync page is hidden
 *
 * Returns: (transfer full): a new preferences window
 */
GtkWindow *
calsync_preferences_window_new (CalsyncStore *store,
                                GSettings    *settings)
{
  CalsyncPreferencesWindow *self;

  g_return_val_if_fail (CALSYNC_IS_STORE (store), NULL);

  self = g_object_new (CALSYNC_TYPE_PREFERENCES_WINDOW, NULL);
  self->store = g_object_ref (store);
  self->settings = settings ? g_object_ref (settings) : NULL;

  if (settings != NULL)
    {
      g_settings_bind (settings, "sync-months-back", self->months_back_spin, "value", G_SETTINGS_BIND_DEFAULT);
      g_settings_bind (settings, "sync-months-ahead", self->months_ahead_spin, "value", G_SETTINGS_BIND_DEFAULT);
    }
  else
    gtk_widget_set_visible (GTK_WIDGET (self->sync_page), FALSE);

  connect_engine (self);
  reload_accounts (self);
  /* Errors of the last sync stay until the next one; a success has been seen */
  if (self->report != NULL && !calsync_sync_report_get_success (self->report))
    show_status (self, self->report);

  g_signal_connect_swapped (store, "changed", G_CALLBACK (reload_accounts), self);
  self->minute_id = g_timeout_add_seconds (60, minute_cb, self);

  return GTK_WINDOW (self);
}

GtkWidget *
calsync_preferences_window_get_sync_button (CalsyncPreferencesWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_PREFERENCES_WINDOW (self), NULL);
  return GTK_WIDGET (self->sync_button);
}

guint
calsync_preferences_window_get_n_accounts (CalsyncPreferencesWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_PREFERENCES_WINDOW (self), 0);
  return g_hash_table_size (self->groups);
}

CalsyncAccountGroup *
calsync_preferences_window_get_account_group (CalsyncPreferencesWindow *self,
                                              gint64                    account_id)
{
  g_return_val_if_fail (CALSYNC_IS_PREFERENCES_WINDOW (self), NULL);
  return g_hash_table_lookup (self->groups, &account_id);
}

const char *
calsync_preferences_window_get_status_headline (CalsyncPreferencesWindow *self)
{
  g_return_val_if_fail (CALSYNC_IS_PREFERENCES_WINDOW (self), NULL);

  if (!gtk_widget_get_visible (self->status_box))
    return NULL;
  return gtk_label_get_text (self->status_headline);
}

static void
append_labels (GString   *text,
               GtkWidget *widget)
{
  if (GTK_IS_LABEL (widget))
    {
      g_string_append (text, gtk_label_get_text (GTK_LABEL (widget)));
      g_string_append_c (text, '\n');
      return;
    }

  for (GtkWidget *child = gtk_widget_get_first_child (widget); child; child = gtk_widget_get_next_sibling (child))
    append_labels (text, child);
}

char *
calsync_preferences_window_dup_status_text (CalsyncPreferencesWindow *self)
{
  GString *text = g_string_new (NULL);

  g_return_val_if_fail (CALSYNC_IS_PREFERENCES_WINDOW (self), NULL);

  append_labels (text, self->stats_box);
  append_labels (text, self->breakdown_box);
  return g_string_free (text, FALSE);
}
