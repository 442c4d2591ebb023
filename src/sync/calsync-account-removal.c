/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-removal.c: removing an account so that no secret can ever be
 * left behind. The order: mark the account (it disappears from lists, its
 * calendars go inactive, and any renewed sign-in is deleted again by whoever
 * renewed it), stop this process's sync of it, delete its secret, remove its
 * row (calendars and events go with it). Account ids are never reused, so even
 * a secret that escaped could never meet another account. */
#define G_LOG_DOMAIN "calsync-account-removal"

#include "config.h"


#include "calsync-account-removal.h"
#include "calsync-secrets.h"

typedef struct
{
  CalsyncStore *store;
  gint64 account_id;
} RemoveData;

static void
remove_data_free (RemoveData *data)
{
  g_clear_object (&data->store);
  g_free (data);
}

static void
remove_row_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  RemoveData *data = task_data;
  GError *error = NULL;

  if (calsync_store_remove_account (data->store, data->account_id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_secret_deleted (GObject      *object,
                   GAsyncResult *result,
                   gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* The row stays marked when the keyring refused: a later attempt finishes */
  if (!calsync_secrets_delete_finish (result, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  g_task_run_in_thread (task, remove_row_thread);
}

static void
mark_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  RemoveData *data = task_data;
  GError *error = NULL;

  if (calsync_store_mark_account_removing (data->store, data->account_id, &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, error);
}

static void
on_marked (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  GTask *outer = user_data;
  RemoveData *data = g_task_get_task_data (outer);
  CalsyncSyncEngine *engine = g_object_get_data (G_OBJECT (outer), "calsync-engine");
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (outer, error);
      g_object_unref (outer);
      return;
    }

  if (engine != NULL)
    calsync_sync_engine_forget_account (engine, data->account_id);

  /* Not cancellable: a marked account must lose its secret */
  calsync_secrets_delete_async (data->account_id, NULL, on_secret_deleted, outer);
}

void
calsync_account_remove_async (CalsyncStore        *store,
                              CalsyncSyncEngine   *engine,
                              gint64               account_id,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) outer = NULL;
  g_autoptr(GTask) mark = NULL;
  RemoveData *data;

  g_return_if_fail (CALSYNC_IS_STORE (store));
  g_return_if_fail (!engine || CALSYNC_IS_SYNC_ENGINE (engine));

  data = g_new0 (RemoveData, 1);
  data->store = g_object_ref (store);
  data->account_id = account_id;

  outer = g_task_new (store, NULL, callback, user_data);
  g_task_set_source_tag (outer, calsync_account_remove_async);
  g_task_set_task_data (outer, data, (GDestroyNotify) remove_data_free);
  if (engine != NULL)
    g_object_set_data_full (G_OBJECT (outer), "calsync-engine", g_object_ref (engine), g_object_unref);

  mark = g_task_new (store, NULL, on_marked, g_steal_pointer (&outer));
  g_task_set_task_data (mark, data, NULL);
  g_task_run_in_thread (mark, mark_thread);
}

gboolean
calsync_account_remove_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (G_IS_TASK (result), FALSE);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == calsync_account_remove_async, FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/**
 * calsync_account_finish_removals:
 *
 * For each account left marked by an interrupted removal: its secret, then its
 * row. Blocks on the keyring: call it in a worker thread.
 */
void
calsync_account_finish_removals (CalsyncStore *store)
{
  g_autoptr(GPtrArray) removing = calsync_store_list_removing_accounts (store, NULL);

  for (guint i = 0; removing != NULL && i < removing->len; i++)
    {
      gint64 id = calsync_account_get_id (g_ptr_array_index (removing, i));
      g_autoptr(GError) error = NULL;

      g_debug ("Finishing the removal of account %" G_GINT64_FORMAT, id);
      if (!calsync_secrets_delete_sync (id, &error) ||
          !calsync_store_remove_account (store, id, &error))
        g_warning ("Could not finish removing account %" G_GINT64_FORMAT ": %s", id, error->message);
    }
}
