/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-progress.c: "Syncing… 3 of 5 calendars" for a sync that takes more
 * than a second — one per engine, shared by the Sync button and Preferences. A
 * quick sync shows no count: it would only flicker. */
#define G_LOG_DOMAIN "calsync-sync-progress"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-sync-progress.h"

#define DEFAULT_DELAY_MS 1000

struct _CalsyncSyncProgress
{
  GObject parent_instance;

  /* Borrowed references */
  CalsyncSyncEngine *engine;   /* owns this object */

  /* Owned references */
  char *text;

  guint delay_ms;
  guint delay_id;
  guint n_done;
  guint n_total;
  gboolean counted;            /* every calendar list of the run is in */
  gboolean slow;               /* the run has gone on for delay_ms */
};

G_DEFINE_FINAL_TYPE (CalsyncSyncProgress, calsync_sync_progress, G_TYPE_OBJECT)

enum { PROP_0, PROP_TEXT, N_PROPS };
static GParamSpec *properties[N_PROPS];

static void
update_text (CalsyncSyncProgress *self)
{
  g_autofree char *text = NULL;

  if (self->slow && self->counted && self->n_total > 0)
    /* Translators: while a sync runs: "Syncing… 3 of 5 calendars" */
    text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Syncing… %u of %u calendar",
                                         "Syncing… %u of %u calendars", self->n_total),
                            self->n_done, self->n_total);

  if (g_strcmp0 (text, self->text) == 0)
    return;
  g_free (self->text);
  self->text = g_steal_pointer (&text);
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_TEXT]);
}

static gboolean
delay_cb (gpointer user_data)
{
  CalsyncSyncProgress *self = user_data;

  self->delay_id = 0;
  self->slow = TRUE;
  update_text (self);
  return G_SOURCE_REMOVE;
}

static void
sync_started_cb (CalsyncSyncProgress *self)
{
  self->n_done = self->n_total = 0;
  self->counted = FALSE;
  self->slow = self->delay_ms == 0;
  g_clear_handle_id (&self->delay_id, g_source_remove);
  if (!self->slow)
    self->delay_id = g_timeout_add (self->delay_ms, delay_cb, self);
  update_text (self);
}

static void
progress_cb (CalsyncSyncProgress *self,
             guint                n_done,
             guint                n_total)
{
  self->n_done = n_done;
  self->n_total = n_total;
  self->counted = TRUE;
  update_text (self);
}

static void
sync_finished_cb (CalsyncSyncProgress *self)
{
  g_clear_handle_id (&self->delay_id, g_source_remove);
  self->slow = self->counted = FALSE;
  update_text (self);
}

const char *
calsync_sync_progress_get_text (CalsyncSyncProgress *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_PROGRESS (self), NULL);
  return self->text;
}

void
calsync_sync_progress_set_delay (CalsyncSyncProgress *self,
                                 guint                delay_ms)
{
  g_return_if_fail (CALSYNC_IS_SYNC_PROGRESS (self));
  self->delay_ms = delay_ms;
}

static void
calsync_sync_progress_get_property (GObject    *object,
                                    guint       prop_id,
                                    GValue     *value,
                                    GParamSpec *pspec)
{
  CalsyncSyncProgress *self = CALSYNC_SYNC_PROGRESS (object);

  switch (prop_id)
    {
    case PROP_TEXT:
      g_value_set_string (value, self->text);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
calsync_sync_progress_finalize (GObject *object)
{
  CalsyncSyncProgress *self = (CalsyncSyncProgress *)object;

  g_clear_handle_id (&self->delay_id, g_source_remove);
  g_clear_pointer (&self->text, g_free);

  G_OBJECT_CLASS (calsync_sync_progress_parent_class)->finalize (object);
}

static void
calsync_sync_progress_class_init (CalsyncSyncProgressClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = calsync_sync_progress_finalize;
  object_class->get_property = calsync_sync_progress_get_property;

  properties[PROP_TEXT] =
    g_param_spec_string ("text", NULL, NULL, NULL,
                         G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
calsync_sync_progress_init (CalsyncSyncProgress *self)
{
  self->delay_ms = DEFAULT_DELAY_MS;
}

CalsyncSyncProgress *
calsync_sync_progress_get_for_engine (CalsyncSyncEngine *engine)
{
  CalsyncSyncProgress *self;

  g_return_val_if_fail (CALSYNC_IS_SYNC_ENGINE (engine), NULL);

  if ((self = g_object_get_data (G_OBJECT (engine), "calsync-sync-progress")) != NULL)
    return self;

  self = g_object_new (CALSYNC_TYPE_SYNC_PROGRESS, NULL);
  self->engine = engine;
  /* The engine's handlers go with the engine, and this object with them */
  g_signal_connect_swapped (engine, "sync-started", G_CALLBACK (sync_started_cb), self);
  g_signal_connect_swapped (engine, "progress", G_CALLBACK (progress_cb), self);
  g_signal_connect_swapped (engine, "sync-finished", G_CALLBACK (sync_finished_cb), self);
  g_object_set_data_full (G_OBJECT (engine), "calsync-sync-progress", self, g_object_unref);
  return self;
}
