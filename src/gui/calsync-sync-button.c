/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-button.c: the header bar's Sync button — spinner while the engine syncs,
 * last sync time in its tooltip. */
#define G_LOG_DOMAIN "calsync-sync-button"

#include "config.h"

#include <adwaita.h>
#include <glib/gi18n.h>

#include "calsync-gui.h"
#include "calsync-sync-button-private.h"
#include "calsync-sync-button.h"
#include "calsync-sync-progress.h"

/* The tooltip says "5 minutes ago": refresh it once a minute */
#define TOOLTIP_REFRESH_SECONDS 60

struct _CalsyncSyncButton
{
  GtkWidget parent_instance;

  /* Template widgets */
  GtkButton *button;
  GtkImage *icon;
  GtkSpinner *spinner;
  GtkLabel *label;
  GtkWidget *label_squeezer;

  /* Owned references */
  CalsyncSyncEngine *engine;
  CalsyncStore *store;

  /* Borrowed references */
  CalsyncSyncProgress *progress;   /* the engine's */

  guint tooltip_timeout_id;
  gboolean syncing;
};

G_DEFINE_FINAL_TYPE (CalsyncSyncButton, calsync_sync_button, GTK_TYPE_WIDGET)

enum {
  PROP_0,
  PROP_SYNCING,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

char *
calsync_sync_button_format_last_sync (gint64 last_sync_usec,
                                      gint64 now_usec)
{
  gint64 minutes, hours, days;

  if (last_sync_usec <= 0)
    return g_strdup (_("Never synced"));

  minutes = MAX (0, now_usec - last_sync_usec) / (G_USEC_PER_SEC * 60);
  hours = minutes / 60;
  days = hours / 24;

  if (minutes < 1)
    return g_strdup (_("Last synced just now"));
  if (hours < 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last synced %d minute ago",
                                         "Last synced %d minutes ago", minutes), (int) minutes);
  if (days < 1)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last synced %d hour ago",
                                         "Last synced %d hours ago", hours), (int) hours);
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Last synced %d day ago",
                                       "Last synced %d days ago", days), (int) days);
}

/* The newest successful sync of the active calendars, 0 for never */
static gint64
newest_sync (CalsyncStore *store)
{
  g_autoptr(GPtrArray) calendars = calsync_store_list_calendars (store, 0, NULL);
  gint64 newest = 0;

  for (guint i = 0; calendars != NULL && i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);

      if (calsync_calendar_get_is_active (calendar))
        newest = MAX (newest, calsync_calendar_get_last_sync_at (calendar));
    }

  return newest;
}

static void
update_tooltip (CalsyncSyncButton *self)
{
  g_autofree char *last = NULL;
  g_autofree char *tooltip = NULL;
  const char *progress = self->syncing && self->progress ? calsync_sync_progress_get_text (self->progress) : NULL;

  /* A long sync says how far it is: "Syncing… 3 of 5 calendars" */
  if (progress != NULL)
    {
      gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), progress);
      return;
    }

  last = calsync_sync_button_format_last_sync (self->store ? newest_sync (self->store) : 0,
                                               g_get_real_time ());
  /* Translators: tooltip of the Sync button; the second line is "Last synced 5 minutes ago" */
  tooltip = g_strdup_printf (_("Sync calendars (F5)\n%s"), last);
  gtk_widget_set_tooltip_text (GTK_WIDGET (self->button), tooltip);
}

static void
update_state (CalsyncSyncButton *self)
{
  gboolean connected = self->store != NULL && calsync_store_count_connected_calendars (self->store) > 0;

  gtk_widget_set_visible (GTK_WIDGET (self->icon), !self->syncing);
  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->syncing);
  gtk_widget_set_visible (self->label_squeezer, self->syncing);
  gtk_spinner_set_spinning (self->spinner, self->syncing);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self->button), GTK_ACCESSIBLE_STATE_BUSY, self->syncing, -1);
  /* Busy is shown (spinner, busy state), not made insensitive: an insensitive
   * button would drop the keyboard focus, and the next Tab would start over
   * at the window's first button. A press while busy joins the running sync
   * (app.sync). */
  gtk_widget_set_sensitive (GTK_WIDGET (self), connected || self->syncing);
  update_tooltip (self);
}

static void
set_syncing (CalsyncSyncButton *self,
             gboolean           syncing)
{
  if (self->syncing == syncing)
    return;

  self->syncing = syncing;
  update_state (self);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SYNCING]);
}

static void
sync_started_cb (CalsyncSyncButton *self)
{
  set_syncing (self, TRUE);
}

static void
sync_finished_cb (CalsyncSyncButton *self)
{
  set_syncing (self, FALSE);
  /* The calendars' last_sync_at moved even when nothing else changed */
  update_tooltip (self);
}

static gboolean
tooltip_timeout_cb (gpointer user_data)
{
  update_tooltip (user_data);
  return G_SOURCE_CONTINUE;
}

void
calsync_sync_button_bind (CalsyncSyncButton *self,
                          CalsyncSyncEngine *engine,
                          CalsyncStore      *store)
{
  g_return_if_fail (CALSYNC_IS_SYNC_BUTTON (self));
  g_return_if_fail (CALSYNC_IS_SYNC_ENGINE (engine));
  g_return_if_fail (CALSYNC_IS_STORE (store));
  g_return_if_fail (self->engine == NULL);

  self->engine = g_object_ref (engine);
  self->store = g_object_ref (store);
  g_signal_connect_object (engine, "sync-started", G_CALLBACK (sync_started_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (engine, "sync-finished", G_CALLBACK (sync_finished_cb), self, G_CONNECT_SWAPPED);
  g_signal_connect_object (store, "changed", G_CALLBACK (update_state), self, G_CONNECT_SWAPPED);
  self->progress = calsync_sync_progress_get_for_engine (engine);
  g_signal_connect_object (self->progress, "notify::text", G_CALLBACK (update_tooltip), self, G_CONNECT_SWAPPED);

  self->syncing = calsync_sync_engine_is_syncing (engine);
  update_state (self);
}

gboolean
calsync_sync_button_get_syncing (CalsyncSyncButton *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_BUTTON (self), FALSE);

  return self->syncing;
}

gboolean
calsync_sync_button_get_spinning (CalsyncSyncButton *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_BUTTON (self), FALSE);

  return gtk_widget_get_visible (GTK_WIDGET (self->spinner)) &&
         gtk_spinner_get_spinning (self->spinner);
}

static void
calsync_sync_button_get_property (GObject    *object,
                                  guint       prop_id,
                                  GValue     *value,
                                  GParamSpec *pspec)
{
  CalsyncSyncButton *self = CALSYNC_SYNC_BUTTON (object);

  switch (prop_id)
    {
    case PROP_SYNCING:
      g_value_set_boolean (value, self->syncing);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
calsync_sync_button_dispose (GObject *object)
{
  CalsyncSyncButton *self = (CalsyncSyncButton *)object;

  g_clear_handle_id (&self->tooltip_timeout_id, g_source_remove);
  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_SYNC_BUTTON);
  self->progress = NULL;
  g_clear_object (&self->engine);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (calsync_sync_button_parent_class)->dispose (object);
}

static void
calsync_sync_button_class_init (CalsyncSyncButtonClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_sync_button_dispose;
  object_class->get_property = calsync_sync_button_get_property;

  properties[PROP_SYNCING] =
    g_param_spec_boolean ("syncing", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/calsync-sync-button.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncSyncButton, button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncSyncButton, icon);
  gtk_widget_class_bind_template_child (widget_class, CalsyncSyncButton, spinner);
  gtk_widget_class_bind_template_child (widget_class, CalsyncSyncButton, label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncSyncButton, label_squeezer);
  gtk_widget_class_set_layout_manager_type (widget_class, GTK_TYPE_BIN_LAYOUT);
  gtk_widget_class_set_css_name (widget_class, "calsync-sync-button");
  /* A wrapper: the button inside is the control ("Sync Calendars") */
  gtk_widget_class_set_accessible_role (widget_class, GTK_ACCESSIBLE_ROLE_GROUP);
}

static void
calsync_sync_button_init (CalsyncSyncButton *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  /* The button is read by its name and busy state; its icon, spinner and
   * "Syncing…" stay out of the accessibility tree */
  gtk_accessible_update_state (GTK_ACCESSIBLE (gtk_button_get_child (self->button)),
                               GTK_ACCESSIBLE_STATE_HIDDEN, TRUE, -1);
  update_state (self);
  self->tooltip_timeout_id = g_timeout_add_seconds (TOOLTIP_REFRESH_SECONDS, tooltip_timeout_cb, self);
}
