/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-application.c: the AdwApplication — actions, accelerators, windows. */
#define G_LOG_DOMAIN "calsync-application"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-application-private.h"
#include "calsync-application.h"
#include "calsync-cli.h"
#include "calsync-gui.h"
#include "calsync-preferences-window.h"
#include "calsync-report-dialog.h"
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
  g_autoptr(GList) toplevels = gtk_window_list_toplevels ();
  GtkWindow *preferences = NULL;

  /* One Preferences window: Ctrl+, again brings it back to the front. */
  for (GList *l = toplevels; l != NULL && preferences == NULL; l = l->next)
    if (CALSYNC_IS_PREFERENCES_WINDOW (l->data))
      preferences = l->data;

  if (preferences == NULL)
    {
      preferences = calsync_preferences_window_new (self->store, self->settings);
      gtk_window_set_transient_for (preferences, main_window (self));
    }
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
show_sync_report_action (GSimpleAction *action,
                         GVariant      *parameter,
                         gpointer       user_data)
{
  CalsyncApplication *self = user_data;
  GtkWidget *dialog;

  if (self->last_report == NULL)
    return;

  dialog = calsync_report_dialog_new (self->last_report);
  gtk_window_set_transient_for (GTK_WINDOW (dialog), main_window (self));
  gtk_window_present (GTK_WINDOW (dialog));
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
  { "show-sync-report", show_sync_report_action },
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

/* The first icon lookup loads the icon theme (index files, directory and
 * resource scans): done in a worker thread while the main thread builds the
 * window, it is ready when the header bar asks (GtkIconTheme is thread-safe). */
static void
load_icon_theme_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  static const char * const names[] = {
    APP_ID, "go-previous-symbolic", "go-next-symbolic", "view-refresh-symbolic",
    "list-add-symbolic", "open-menu-symbolic",
  };

  /* Looked up for the theme's caches they fill; never NULL (a fallback at worst) */
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    g_object_unref (gtk_icon_theme_lookup_icon (task_data, names[i], NULL, 16, 1, GTK_TEXT_DIR_NONE, 0));
}

static void
load_icon_theme_in_background (void)
{
  GdkDisplay *display = gdk_display_get_default ();
  g_autoptr(GTask) task = NULL;

  if (display == NULL)
    return;

  task = g_task_new (NULL, NULL, NULL, NULL);
  g_task_set_task_data (task, g_object_ref (gtk_icon_theme_get_for_display (display)), g_object_unref);
  g_task_run_in_thread (task, load_icon_theme_thread);
}

static void
calsync_application_startup (GApplication *app)
{
  CalsyncApplication *self = CALSYNC_APPLICATION (app);
  g_autofree char *path = calsync_store_default_path ();
  g_autoptr(GError) error = NULL;

  G_APPLICATION_CLASS (calsync_application_parent_class)->startup (app);
  load_icon_theme_in_background ();

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

/* Forwarded `calsync --sync [--json]` ------------------------------------------
 *
 * The command line arrives from another process (calsync_cli_main() found this
 * instance on the session bus). Its stdout and stderr are the caller's: print
 * there exactly what the headless command would, and nothing else. */

typedef struct
{
  CalsyncApplication *app;              /* held */
  GApplicationCommandLine *command_line;
  gboolean json;
} ForwardedSync;

static void
print_forwarded_report (GApplicationCommandLine *command_line,
                        CalsyncSyncReport       *report,
                        gboolean                 json)
{
  g_autofree char *text = json ? calsync_sync_report_to_json (report) : calsync_sync_report_to_text (report);

  if (json)
    g_application_command_line_print (command_line, "%s\n", text);
  else
    g_application_command_line_print (command_line, "%s", text);

  for (guint i = 0; !json && i < calsync_sync_report_get_n_results (report); i++)
    {
      const CalsyncCalendarResult *result = calsync_sync_report_get_result (report, i);

      if (!result->success)
        g_application_command_line_printerr (command_line, "calsync: %s (%s): %s\n",
                                             result->calendar_name, result->email, result->error);
    }
}

static void
forwarded_sync_done_cb (GObject      *object,
                        GAsyncResult *result,
                        gpointer      user_data)
{
  ForwardedSync *forwarded = user_data;
  CalsyncApplication *app = forwarded->app;
  g_autoptr(CalsyncSyncReport) report = NULL;
  g_autoptr(GError) error = NULL;
  int status = CALSYNC_EXIT_FAILED;

  report = calsync_sync_engine_sync_finish (CALSYNC_SYNC_ENGINE (object), result, &error);
  if (report == NULL)
    g_application_command_line_printerr (forwarded->command_line, "calsync: %s\n", error->message);
  else
    {
      print_forwarded_report (forwarded->command_line, report, forwarded->json);
      status = calsync_sync_report_get_success (report) ? CALSYNC_EXIT_OK : CALSYNC_EXIT_FAILED;
    }

  /* The caller exits with this status once its last reference goes */
  g_application_command_line_set_exit_status (forwarded->command_line, status);
  g_clear_object (&forwarded->command_line);
  g_free (forwarded);
  g_application_release (G_APPLICATION (app));
}

static int
run_forwarded_sync (CalsyncApplication      *self,
                    GApplicationCommandLine *command_line,
                    gboolean                 json)
{
  ForwardedSync *forwarded;

  if (self->engine == NULL)
    {
      g_application_command_line_printerr (command_line, "%s\n",
                                           _("calsync: The calendar database could not be opened"));
      return CALSYNC_EXIT_FAILED;
    }

  forwarded = g_new0 (ForwardedSync, 1);
  forwarded->app = self;
  forwarded->command_line = g_object_ref (command_line);
  forwarded->json = json;
  /* Starts a sync, or joins the one running: the window's spinner and toast show it */
  g_application_hold (G_APPLICATION (self));
  calsync_sync_engine_sync_async (self->engine, NULL, self->cancellable, forwarded_sync_done_cb, forwarded);
  return CALSYNC_EXIT_OK;
}

static int
calsync_application_command_line (GApplication            *app,
                                  GApplicationCommandLine *command_line)
{
  CalsyncApplication *self = CALSYNC_APPLICATION (app);
  g_autoptr(CalsyncCommand) command = NULL;
  g_autoptr(GError) error = NULL;
  g_auto(GStrv) argv = NULL;
  int argc = 0;

  argv = g_application_command_line_get_arguments (command_line, &argc);
  /* Tests run the application with no arguments at all */
  if (argc == 0)
    {
      g_application_activate (app);
      return CALSYNC_EXIT_OK;
    }

  if (!(command = calsync_command_parse (argc, argv, &error)))
    {
      g_application_command_line_printerr (command_line, "calsync: %s\n", error->message);
      return CALSYNC_EXIT_USAGE;
    }

  switch (command->kind)
    {
    case CALSYNC_COMMAND_WINDOW:
      g_application_activate (app);
      return CALSYNC_EXIT_OK;
    case CALSYNC_COMMAND_SYNC:
      return run_forwarded_sync (self, command_line, command->json);
    default:
      g_application_command_line_printerr (command_line, "%s\n",
                                           _("calsync: This command is not available from a running window yet"));
      return CALSYNC_EXIT_USAGE;
    }
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

/**
 * calsync_gui_main:
 *
 * Entry point of the window module (calsync-gui.so), loaded by calsync_cli_main()
 * only when a window opens, so that headless commands never load GTK.
 *
 * Returns: the process exit status
 */
int
calsync_gui_main (int    argc,
                  char **argv)
{
  g_autoptr(CalsyncApplication) app = calsync_application_new ();

  return g_application_run (G_APPLICATION (app), argc, argv);
}

CalsyncStore *
calsync_application_get_store (CalsyncApplication *self)
{
  g_return_val_if_fail (CALSYNC_IS_APPLICATION (self), NULL);

  return self->store;
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
