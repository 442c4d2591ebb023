/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-preferences-window.c: accounts, their calendars, and the sync window. */
#define G_LOG_DOMAIN "calsync-preferences-window"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-gui.h"
#include "calsync-preferences-window.h"

struct _CalsyncPreferencesWindow
{
  AdwPreferencesWindow parent_instance;

  /* Template widgets */
  AdwPreferencesPage *accounts_page;
  AdwPreferencesGroup *accounts_group;
  GtkWidget *no_accounts_row;
  AdwPreferencesPage *sync_page;
  GtkSpinButton *months_back_spin;
  GtkSpinButton *months_ahead_spin;

  /* Owned references */
  CalsyncStore *store;
  GSettings *settings;
  GPtrArray *account_groups;
};

G_DEFINE_FINAL_TYPE (CalsyncPreferencesWindow, calsync_preferences_window, ADW_TYPE_PREFERENCES_WINDOW)

static const char *
provider_label (const char *provider)
{
  if (g_strcmp0 (provider, "google") == 0)
    return _("Google");
  if (g_strcmp0 (provider, "outlook") == 0)
    return _("Outlook");
  if (g_strcmp0 (provider, "caldav") == 0)
    return _("CalDAV");
  return _("On This Computer");
}

static char *
last_sync_text (gint64 usec)
{
  g_autoptr(GDateTime) when = NULL;
  g_autofree char *text = NULL;

  if (usec <= 0)
    return g_strdup (_("Never synced"));

  when = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  /* Translators: strftime(3) format of a last sync time */
  text = g_date_time_format (when, _("%-d %b %Y, %H:%M"));
  /* Translators: %s is a date and time */
  return g_strdup_printf (_("Last synced %s"), g_strstrip (text));
}

static void
active_changed_cb (GtkSwitch                *toggle,
                   GParamSpec               *pspec,
                   CalsyncPreferencesWindow *self)
{
  gint64 calendar_id = GPOINTER_TO_SIZE (g_object_get_data (G_OBJECT (toggle), "calendar-id"));
  g_autoptr(GError) error = NULL;

  if (!calsync_store_set_calendar_active (self->store, calendar_id, gtk_switch_get_active (toggle), &error))
    g_warning ("Could not change the calendar: %s", error->message);
}

static GtkWidget *
calendar_row (CalsyncPreferencesWindow *self,
              CalsyncCalendar          *calendar)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *toggle = gtk_switch_new ();
  GtkWidget *swatch = gtk_image_new_from_icon_name ("media-record-symbolic");
  g_autofree char *subtitle = last_sync_text (calsync_calendar_get_last_sync_at (calendar));
  g_autofree char *css = g_strdup_printf ("color: %s;", calsync_calendar_get_color (calendar));

  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row), calsync_calendar_get_name (calendar));
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), swatch);
  gtk_widget_set_valign (toggle, GTK_ALIGN_CENTER);
  gtk_switch_set_active (GTK_SWITCH (toggle), calsync_calendar_get_is_active (calendar));
  g_object_set_data (G_OBJECT (toggle), "calendar-id",
                     GSIZE_TO_POINTER ((gsize) calsync_calendar_get_id (calendar)));
  g_signal_connect (toggle, "notify::active", G_CALLBACK (active_changed_cb), self);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row), toggle);
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row), toggle);

  {
    /* Colour swatch: one small provider per row (a handful of calendars) */
    g_autoptr(GtkCssProvider) provider = gtk_css_provider_new ();
    g_autofree char *rule = g_strdup_printf ("image { %s }", css);

    gtk_css_provider_load_from_data (provider, rule, -1);
    gtk_style_context_add_provider (gtk_widget_get_style_context (swatch),
                                    GTK_STYLE_PROVIDER (provider),
                                    GTK_STYLE_PROVIDER_PRIORITY_APPLICATION);
  }

  return row;
}

static GtkWidget *
account_group (CalsyncPreferencesWindow *self,
               CalsyncAccount           *account)
{
  GtkWidget *group = adw_preferences_group_new ();
  g_autoptr(GPtrArray) calendars = NULL;
  const char *error_text = calsync_account_get_last_error (account);

  adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (group), calsync_account_get_email (account));
  adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (group),
                                         calsync_account_get_needs_reconnect (account)
                                           ? _("Needs reconnect")
                                           : error_text && *error_text ? error_text
                                           : provider_label (calsync_account_get_provider (account)));

  calendars = calsync_store_list_calendars (self->store, calsync_account_get_id (account), NULL);
  for (guint i = 0; calendars != NULL && i < calendars->len; i++)
    adw_preferences_group_add (ADW_PREFERENCES_GROUP (group),
                               calendar_row (self, g_ptr_array_index (calendars, i)));

  return group;
}

static void
reload_accounts (CalsyncPreferencesWindow *self)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (self->store, NULL);
  gboolean any = FALSE;

  for (guint i = 0; i < self->account_groups->len; i++)
    adw_preferences_page_remove (self->accounts_page, g_ptr_array_index (self->account_groups, i));
  g_ptr_array_set_size (self->account_groups, 0);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      CalsyncAccount *account = g_ptr_array_index (accounts, i);
      GtkWidget *group;

      if (g_strcmp0 (calsync_account_get_provider (account), "local") == 0)
        continue;

      group = account_group (self, account);
      adw_preferences_page_add (self->accounts_page, ADW_PREFERENCES_GROUP (group));
      g_ptr_array_add (self->account_groups, group);
      any = TRUE;
    }

  gtk_widget_set_visible (self->no_accounts_row, !any);
}

static void
calsync_preferences_window_dispose (GObject *object)
{
  CalsyncPreferencesWindow *self = (CalsyncPreferencesWindow *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_PREFERENCES_WINDOW);
  g_clear_pointer (&self->account_groups, g_ptr_array_unref);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);

  G_OBJECT_CLASS (calsync_preferences_window_parent_class)->dispose (object);
}

static void
calsync_preferences_window_class_init (CalsyncPreferencesWindowClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_preferences_window_dispose;

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class,
                                               RESOURCE_PREFIX "/calsync-preferences-window.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, accounts_page);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, accounts_group);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, no_accounts_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, sync_page);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, months_back_spin);
  gtk_widget_class_bind_template_child (widget_class, CalsyncPreferencesWindow, months_ahead_spin);
}

static void
calsync_preferences_window_init (CalsyncPreferencesWindow *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->account_groups = g_ptr_array_new ();
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

  reload_accounts (self);
  g_signal_connect_object (store, "changed", G_CALLBACK (reload_accounts), self, G_CONNECT_SWAPPED);

  return GTK_WINDOW (self);
}
