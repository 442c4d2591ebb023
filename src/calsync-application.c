/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-application.c: the AdwApplication — actions, accelerators, windows. */
#define G_LOG_DOMAIN "calsync-application"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-application.h"
#include "calsync-gui.h"
#include "calsync-preferences-window.h"
#include "calsync-window.h"

struct _CalsyncApplication
{
  AdwApplication parent_instance;

  /* Owned references */
  CalsyncStore *store;
  GSettings *settings;
  CalsyncHttp *http;
  CalsyncSyncEngine *engine;
  CalsyncSyncReport *last_report;
  GCancellable *cancellable;
};

G_DEFINE_FINAL_TYPE (CalsyncApplication, calsync_application, ADW_TYPE_APPLICATION)

static GSettings *
load_settings (void)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;

  if (source != NULL)
    schema = g_settings_schema_source_lookup (source, APP_ID, TRUE);
  if (schema == NULL)
    {
      /* Running from the build tree without GSETTINGS_SCHEMA_DIR: work, but remember nothing. */
      g_warning ("GSettings schema %s is not installed; preferences will not be saved", APP_ID);
      return NULL;
    }

  return g_settings_new_full (schema, NULL, NULL);
}

static GtkWindow *
main_window (CalsyncApplication *self)
{
  for (GList *l = gtk_application_get_windows (GTK_APPLICATION (self)); l != NULL; l = l->next)
    if (CALSYNC_IS_WINDOW (l->data))
      return GTK_WINDOW (l->data);
  return NULL;
}

static void
quit_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CalsyncApplication *self = user_data;
  GtkWindow *window;

  /* Close windows properly so they save their state. */
  while ((window = gtk_application_get_active_window (GTK_APPLICATION (self))) != NULL)
    gtk_window_destroy (window);
  g_application_quit (G_APPLICATION (self));
}

static void
preferences_action (GSimpleAction *action,
                    GVariant      *parameter,
                    gpointer       user_data)
{
  CalsyncApplication *self = user_data;
  GtkWindow *preferences;

  preferences = calsync_preferences_window_new (self->store, self->settings);
  gtk_window_set_transient_for (preferences, main_window (self));
  gtk_window_present (preferences);
}

static void
about_action (GSimpleAction *action,
              GVariant      *parameter,
              gpointer       user_data)
{
  CalsyncApplication *self = user_data;
  const char *developers[] = { "The CalSync developers", NULL };
  GtkWidget *about;

  about = g_object_new (ADW_TYPE_ABOUT_WINDOW,
                        "application-icon", APP_ID,
                        "application-name", _("CalSync"),
                        "developer-name", _("The CalSync developers"),
                        "version", PACKAGE_VERSION,
                        "comments", _("Sync and view your Google, Outlook and CalDAV calendars"),
                        "license-type", GTK_LICENSE_GPL_3_0,
                        "developers", developers,
                        /* Translators: put your names here, one per line */
                        "translator-credits", _("translator-credits"),
                        "transient-for", main_window (self),
                        "modal", TRUE,
                        NULL);
  gtk_window_present (GTK_WINDOW (about));
}

static void
sync_done_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  CalsyncApplication *self = user_data;
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;

  /* The window and Preferences show the outcome from ::sync-finished. */
  report = calsync_sync_engine_sync_finish (CALSYNC_SYNC_ENGINE (object), result, &error);
  if (report == NULL && !g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    g_warning ("Sync failed: %s", error->message);
  g_application_release (G_APPLICATION (self));
}

static void
sync_action (GSimpleAction *action,
             GVariant      *parameter,
             gpointer       user_data)
{
  CalsyncApplication *self = user_data;

  g_return_if_fail (self->engine != NULL);

  /* A request while a sync runs joins it; the app stays up until it is done. */
  g_application_hold (G_APPLICATION (self));
  calsync_sync_engine_sync_async (self->engine, NULL, self->cancellable, sync_done_cb, self);
}

static void
sync_finished_cb (CalsyncSyncEngine  *engine,
                  CalsyncSyncReport  *report,
                  CalsyncApplication *self)
{
  g_set_object (&self->last_report, report);
}

static void
update_sync_window (CalsyncApplication *self)
{
  if (self->settings == NULL)
    return;

  calsync_sync_engine_set_window (self->engine,
                                  (guint) MAX (0, g_settings_get_int (self->settings, "sync-months-back")),
                                  (guint) MAX (1, g_settings_get_int (self->settings, "sync-months-ahead")));
}

static void
start_engine (CalsyncApplication *self)
{
  self->http = calsync_http_new ();
  self->engine = calsync_sync_engine_new (self->store, self->http);
  g_signal_connect_object (self->engine, "sync-finished", G_CALLBACK (sync_finished_cb), self, 0);
  update_sync_window (self);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::sync-months-back",
                             G_CALLBACK (update_sync_window), self, G_CONNECT_SWAPPED);
  if (self->settings != NULL)
    g_signal_connect_object (self->settings, "changed::sync-months-ahead",
                             G_CALLBACK (update_sync_window), self, G_CONNECT_SWAPPED);
}

static const GActionEntry app_actions[] = {
  { "sync", sync_action },
  { "quit", quit_action },
  { "preferences", preferences_action },
  { "about", about_action },
};

static void
set_accels (GtkApplication *app)
{
  static const struct { const char *action; const char *accels[3]; } accels[] = {
    { "app.quit", { "<Control>q", NULL } },
    { "app.sync", { "F5", "<Control>r", NULL } },
    { "app.preferences", { "<Control>comma", NULL } },
    { "win.close", { "<Control>w", NULL } },
    { "win.show-help-overlay", { "<Control>question", NULL } },
    { "win.today", { "<Control>t", "Home", NULL } },
    { "win.previous", { "<Alt>Left", "Page_Up", NULL } },
    { "win.next", { "<Alt>Right", "Page_Down", NULL } },
    { "win.view-month", { "<Alt>1", NULL } },
    { "win.view-week", { "<Alt>2", NULL } },
    { "win.new-event", { "<Control>n", NULL } },
  };

  for (guint i = 0; i < G_N_ELEMENTS (accels); i++)
    gtk_application_set_accels_for_action (app, accels[i].action, accels[i].accels);
}

static void
calsync_application_startup (GApplication *app)
{
  CalsyncApplication *self = CALSYNC_APPLICATION (app);
  g_autoptr(GtkCssProvider) css = gtk_css_provider_new ();
  g_autofree char *path = calsync_store_default_path ();
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (calsync_application_parent_class)->startup (app);

  g_action_map_add_action_entries (G_ACTION_MAP (self), app_actions, G_N_ELEMENTS (app_actions), self);
  set_accels (GTK_APPLICATION (self));
  gtk_window_set_default_icon_name (APP_ID);

  self->settings = load_settings ();
  self->store = calsync_store_open (path, &error);
  if (self->store == NULL)
    g_critical ("Could not open the calendar database %s: %s", path, error->message);
  else
    start_engine (self);
}

static void
calsync_application_activate (GApplication *app)
{
  CalsyncApplication *self = CALSYNC_APPLICATION (app);
  GtkWindow *window = main_window (self);

  if (self->store == NULL)
    return;

  if (window == NULL)
    window = GTK_WINDOW (calsync_window_new (GTK_APPLICATION (self), self->store, self->settings));

  gtk_window_present (window);
}

static int
calsync_application_command_line (GApplication            *app,
                                  GApplicationCommandLine *command_line)
{
  /* The command line was validated by calsync_cli_main() in the process that received it;
   * only plain launches reach the primary instance for now. */
  g_application_activate (app);
  return EXIT_SUCCESS;
}

static void
calsync_application_shutdown (GApplication *app)
{
  CalsyncApplication *self = CALSYNC_APPLICATION (app);

  g_cancellable_cancel (self->cancellable);

  G_APPLICATION_CLASS (calsync_application_parent_class)->shutdown (app);

  if (self->store != NULL)
    calsync_store_close (self->store);
}

static void
calsync_application_finalize (GObject *object)
{
  CalsyncApplication *self = (CalsyncApplication *)object;

  g_clear_object (&self->last_report);
  g_clear_object (&self->engine);
  g_clear_object (&self->http);
  g_clear_object (&self->store);
  g_clear_object (&self->settings);
  g_clear_object (&self->cancellable);

  G_OBJECT_CLASS (calsync_application_parent_class)->finalize (object);
}

static void
calsync_application_class_init (CalsyncApplicationClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GApplicationClass *app_class = G_APPLICATION_CLASS (klass);

  object_class->finalize = calsync_application_finalize;
  app_class->startup = calsync_application_startup;
  app_class->activate = calsync_application_activate;
  app_class->command_line = calsync_application_command_line;
  app_class->shutdown = calsync_application_shutdown;
}

static void
calsync_application_init (CalsyncApplication *self)
{
  /* Before startup: AdwApplication loads style.css from the resource base path. */
  calsync_gui_ensure_resources ();
  self->cancellable = g_cancellable_new ();
}

CalsyncApplication *
calsync_application_new (void)
{
  return g_object_new (CALSYNC_TYPE_APPLICATION,
                       "application-id", APP_ID,
                       "flags", G_APPLICATION_HANDLES_COMMAND_LINE,
                       "resource-base-path", RESOURCE_PREFIX,
                       NULL);
}

CalsyncStore *
calsync_application_get_store (CalsyncApplication *self)
{
  g_return_val_if_fail (CALSYNC_IS_APPLICATION (self), NULL);

  return self->store;
}

GSettings *
calsync_application_get_settings (CalsyncApplication *self)
{
  g_return_val_if_fail (CALSYNC_IS_APPLICATION (self), NULL);

  return self->settings;
}

CalsyncSyncEngine *
calsync_application_get_engine (CalsyncApplication *self)
{
  g_return_val_if_fail (CALSYNC_IS_APPLICATION (self), NULL);

  return self->engine;
}

CalsyncHttp *
calsync_application_get_http (CalsyncApplication *self)
{
  g_return_val_if_fail (CALSYNC_IS_APPLICATION (self), NULL);

  return self->http;
}

CalsyncSyncReport *
calsync_application_get_last_report (CalsyncApplication *self)
{
  g_return_val_if_fail (CALSYNC_IS_APPLICATION (self), NULL);

  return self->last_report;
}
