/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-edit-undo.c: the window's undo of the last edit made here. One
 * change is kept — the event before and after it — and offered (Ctrl+Z, the
 * toast's Undo) until a sync sends it: after each sync the outbox says whether
 * it still waits. An undo asked for during a sync runs when the sync ends, so
 * that it never races the push of the change it takes back. */
#define G_LOG_DOMAIN "calsync-edit-undo"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-edit-undo.h"
#include "calsync-gui.h"

/* libadwaita 1.2 reads freed memory when a toast is dismissed during its
 * first ~200 ms: younger toasts are left to time out */
#define TOAST_SETTLE_US (500 * 1000)

struct _CalsyncEditUndo
{
  GObject parent_instance;

  /* Owned references */
  CalsyncStore *store;
  CalsyncEvent *before;        /* NULL: the change created the event */
  CalsyncEvent *after;         /* NULL: the change deleted it */
  GCancellable *cancellable;   /* the check after a sync */

  /* Borrowed references */
  AdwToast *toast;             /* weak */

  gint64 toast_added_at;       /* monotonic µs */
  guint serial;                /* of the change kept; toasts carry theirs */
  gboolean syncing;
  gboolean run_after_sync;
};

G_DEFINE_FINAL_TYPE (CalsyncEditUndo, calsync_edit_undo, G_TYPE_OBJECT)

enum { PROP_0, PROP_CAN_UNDO, N_PROPS };
static GParamSpec *properties[N_PROPS];

enum { MESSAGE, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
dismiss_toast (CalsyncEditUndo *self)
{
  AdwToast *toast = self->toast;

  g_clear_weak_pointer (&self->toast);
  if (toast != NULL && g_get_monotonic_time () - self->toast_added_at >= TOAST_SETTLE_US)
    adw_toast_dismiss (toast);
}

static void
forget (CalsyncEditUndo *self)
{
  gboolean had = self->before != NULL || self->after != NULL;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->before);
  g_clear_object (&self->after);
  self->run_after_sync = FALSE;
  dismiss_toast (self);
  if (had)
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
}

static void
say (CalsyncEditUndo *self,
     const char      *message)
{
  g_signal_emit (self, signals[MESSAGE], 0, message);
}

/* Running it --------------------------------------------------------------- */

static void
undone_cb (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(CalsyncEditUndo) self = calsync_gui_weak_ref_take (user_data);
  g_autoptr(CalsyncEvent) restored = NULL;
  g_autoptr(GError) error = NULL;

  if (calsync_store_undo_local_change_finish (CALSYNC_STORE (object), result, &restored, &error))
    return;

  g_debug ("Undo failed: %s", error->message);
  if (self != NULL)
    say (self, error->message);
}

static void
start_undo (CalsyncEditUndo *self)
{
  g_autoptr(CalsyncEvent) before = self->before != NULL ? g_object_ref (self->before) : NULL;
  g_autoptr(CalsyncEvent) after = self->after != NULL ? g_object_ref (self->after) : NULL;

  /* Offered once: the change is no longer the last one */
  forget (self);
  calsync_store_undo_local_change_async (self->store, before, after, undone_cb, calsync_gui_weak_ref_new (self));
}

void
calsync_edit_undo_run (CalsyncEditUndo *self)
{
  g_return_if_fail (CALSYNC_IS_EDIT_UNDO (self));

  if (!calsync_edit_undo_get_can_undo (self))
    return;

  if (self->syncing)
    {
      self->run_after_sync = TRUE;
      return;
    }

  start_undo (self);
}

static void
toast_undo_cb (AdwToast        *toast,
               CalsyncEditUndo *self)
{
  guint serial = GPOINTER_TO_UINT (g_object_get_data (G_OBJECT (toast), "calsync-undo-serial"));

  /* Clicked, the toast goes by itself */
  if (self->toast == toast)
    g_clear_weak_pointer (&self->toast);
  if (serial == self->serial)
    calsync_edit_undo_run (self);
}

/* Gone from the screen: the next change gets a toast of its own */
static void
toast_dismissed_cb (AdwToast        *toast,
                    CalsyncEditUndo *self)
{
  if (self->toast == toast)
    g_clear_weak_pointer (&self->toast);
}

/* After a sync: still waiting to be sent? ----------------------------------- */

/* The change made here lives in the outbox until sent: an edit or a create
 * under the time it was made, a delete as a delete. A create deleted before it
 * was sent left nothing there, and nothing for a sync to send. */
static gboolean
still_waits (CalsyncEditUndo *self,
             GPtrArray       *entries)
{
  CalsyncEvent *event = self->after != NULL ? self->after : self->before;
  const char *key = calsync_event_get_external_id (event);

  if (self->after == NULL && calsync_event_get_pending (self->before) &&
      calsync_event_get_etag (self->before) == NULL && calsync_event_get_resource_id (self->before) == NULL)
    return TRUE;

  for (guint i = 0; i < entries->len; i++)
    {
      CalsyncOutboxEntry *entry = g_ptr_array_index (entries, i);

      if (g_strcmp0 (entry->key, key) != 0)
        continue;
      return self->after != NULL ? entry->local_updated == calsync_event_get_local_updated (self->after)
                                 : entry->kind == CALSYNC_OUTBOX_DELETE;
    }

  return FALSE;
}

static void
outbox_listed_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(CalsyncEditUndo) self = calsync_gui_weak_ref_take (user_data);
  g_autoptr(GPtrArray) entries = NULL;
  g_autoptr(GError) error = NULL;
  gboolean asked;

  entries = calsync_store_list_outbox_finish (CALSYNC_STORE (object), result, &error);
  if (self == NULL || g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->syncing)
    return;

  asked = self->run_after_sync;
  if (entries != NULL && still_waits (self, entries))
    {
      g_clear_object (&self->cancellable);
      if (asked)
        start_undo (self);
      return;
    }

  forget (self);
  if (asked)
    say (self, _("The change cannot be undone: the sync has sent it"));
}

static void
check_after_sync (CalsyncEditUndo *self)
{
  CalsyncEvent *event = self->after != NULL ? self->after : self->before;
  gint64 calendar_id = calsync_event_get_calendar_id (event);

  /* The Personal calendar never sends anything */
  if (calendar_id == calsync_store_get_personal_calendar_id (self->store))
    {
      if (self->run_after_sync)
        start_undo (self);
      return;
    }

  g_cancellable_cancel (self->cancellable);
  g_set_object (&self->cancellable, g_cancellable_new ());
  calsync_store_list_outbox_async (self->store, calendar_id, self->cancellable, outbox_listed_cb,
                                   calsync_gui_weak_ref_new (self));
}

void
calsync_edit_undo_set_syncing (CalsyncEditUndo *self,
                               gboolean         syncing)
{
  g_return_if_fail (CALSYNC_IS_EDIT_UNDO (self));

  if (self->syncing == !!syncing)
    return;

  self->syncing = !!syncing;
  if (!self->syncing && calsync_edit_undo_get_can_undo (self))
    check_after_sync (self);
}

/* Recording --------------------------------------------------------------- */

static const char *
toast_title (CalsyncEvent *before,
             CalsyncEvent *after)
{
  if (before == NULL)
    return _("Event created");
  if (after == NULL)
    return _("Event deleted");
  return _("Event changed");
}

AdwToast *
calsync_edit_undo_record (CalsyncEditUndo *self,
                          CalsyncEvent    *before,
                          CalsyncEvent    *after)
{
  AdwToast *toast;

  g_autoptr(AdwToast) shown = NULL;

  g_return_val_if_fail (CALSYNC_IS_EDIT_UNDO (self), NULL);
  g_return_val_if_fail (before != NULL || after != NULL, NULL);

  /* A toast still on screen takes the newer change: a second toast of high
   * priority would put it back in the queue while it hides, which
   * libadwaita 1.2 does not survive (show_toast: !info->widget) */
  if (self->toast != NULL)
    {
      shown = g_object_ref (self->toast);
      g_clear_weak_pointer (&self->toast);
    }

  forget (self);
  self->before = before != NULL ? calsync_event_copy (before) : NULL;
  self->after = after != NULL ? calsync_event_copy (after) : NULL;
  self->serial++;

  if (shown != NULL)
    {
      adw_toast_set_title (shown, toast_title (before, after));
      g_object_set_data (G_OBJECT (shown), "calsync-undo-serial", GUINT_TO_POINTER (self->serial));
      g_set_weak_pointer (&self->toast, shown);
      g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
      return NULL;
    }

  toast = adw_toast_new (toast_title (before, after));
  adw_toast_set_button_label (toast, _("_Undo"));
  adw_toast_set_priority (toast, ADW_TOAST_PRIORITY_HIGH);
  g_object_set_data (G_OBJECT (toast), "calsync-undo-serial", GUINT_TO_POINTER (self->serial));
  g_signal_connect_object (toast, "button-clicked", G_CALLBACK (toast_undo_cb), self, G_CONNECT_DEFAULT);
  g_signal_connect_object (toast, "dismissed", G_CALLBACK (toast_dismissed_cb), self, G_CONNECT_DEFAULT);
  g_set_weak_pointer (&self->toast, toast);
  self->toast_added_at = g_get_monotonic_time ();

  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_CAN_UNDO]);
  return toast;
}

gboolean
calsync_edit_undo_get_can_undo (CalsyncEditUndo *self)
{
  g_return_val_if_fail (CALSYNC_IS_EDIT_UNDO (self), FALSE);

  return self->before != NULL || self->after != NULL;
}

/* GObject ----------------------------------------------------------------- */

static void
calsync_edit_undo_dispose (GObject *object)
{
  CalsyncEditUndo *self = (CalsyncEditUndo *)object;

  g_cancellable_cancel (self->cancellable);
  g_clear_object (&self->cancellable);
  g_clear_weak_pointer (&self->toast);
  g_clear_object (&self->before);
  g_clear_object (&self->after);
  g_clear_object (&self->store);

  G_OBJECT_CLASS (calsync_edit_undo_parent_class)->dispose (object);
}

static void
calsync_edit_undo_get_property (GObject    *object,
                                guint       prop_id,
                                GValue     *value,
                                GParamSpec *pspec)
{
  switch (prop_id)
    {
    case PROP_CAN_UNDO:
      g_value_set_boolean (value, calsync_edit_undo_get_can_undo (CALSYNC_EDIT_UNDO (object)));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
calsync_edit_undo_class_init (CalsyncEditUndoClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = calsync_edit_undo_dispose;
  object_class->get_property = calsync_edit_undo_get_property;

  properties[PROP_CAN_UNDO] =
    g_param_spec_boolean ("can-undo", NULL, NULL, FALSE,
                          G_PARAM_READABLE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  g_object_class_install_properties (object_class, N_PROPS, properties);

  /**
   * CalsyncEditUndo::message:
   * @text: why an undo did not happen, for a toast
   */
  signals[MESSAGE] = g_signal_new ("message", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                   0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_STRING);
}

static void
calsync_edit_undo_init (CalsyncEditUndo *self)
{
}

CalsyncEditUndo *
calsync_edit_undo_new (CalsyncStore *store)
{
  CalsyncEditUndo *self;

  g_return_val_if_fail (CALSYNC_IS_STORE (store), NULL);

  self = g_object_new (CALSYNC_TYPE_EDIT_UNDO, NULL);
  self->store = g_object_ref (store);
  return self;
}
