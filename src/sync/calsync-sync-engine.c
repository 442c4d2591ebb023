/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-engine.c: syncs the active calendars of the accounts in parallel
 * (at most four calendars at once), whatever their provider, one sync per
 * database across processes.
 *
 * A run: take the database's sync lock (another process's sync is waited for)
 * → finish removals a crash interrupted → per account (in parallel): its
 * credentials and provider, the calendar list reconciled with the store (new
 * calendars added, removed ones gone with their events, renamed ones renamed) →
 * per active calendar a CalsyncSyncJob → accounts whose sign-in was refused are
 * marked "needs reconnect" → report, ::sync-finished, lock released. SQLite is
 * only touched in worker threads. */
#define G_LOG_DOMAIN "calsync-sync-engine"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-account-removal.h"
#include "calsync-clock.h"
#include "calsync-provider.h"
#include "calsync-secrets.h"
#include "calsync-sync-engine.h"
#include "calsync-sync-job.h"
#include "calsync-sync-lock.h"

#define MAX_PARALLEL 4

enum {
  SYNC_STARTED,
  CALENDAR_SYNCED,
  PROGRESS,
  SYNC_FINISHED,
  N_SIGNALS
};

static guint signals[N_SIGNALS];

typedef struct _SyncRun SyncRun;

struct _CalsyncSyncEngine
{
  GObject parent_instance;

  /* Owned references */
  CalsyncStore *store;
  CalsyncHttp *http;
  GCancellable *cancellable;
  GHashTable *credentials;         /* account id → CalsyncCredentials set by the caller */

  /* The running sync, or NULL */
  SyncRun *run;

  guint months_back;
  guint months_ahead;
};

G_DEFINE_FINAL_TYPE (CalsyncSyncEngine, calsync_sync_engine, G_TYPE_OBJECT)

/* One account of a run */
typedef struct
{
  SyncRun *run;                    /* borrowed: the run outlives its accounts */
  CalsyncAccount *account;
  CalsyncCredentials *credentials;
  CalsyncProvider *provider;
  GCancellable *cancellable;       /* cancelled with the run, or when the account goes */
  GPtrArray *calendars;            /* active CalsyncCalendar, after the list */
  GError *error;                   /* the provider or the calendar list failed */
  gboolean ready;                  /* its jobs are queued */
  guint n_succeeded;
  gboolean needs_reconnect;
  gboolean removed;                /* forgotten meanwhile: no result, no bookkeeping */
} AccountWork;

typedef struct
{
  GCancellable *cancellable;
  gulong handler_id;
} WaiterHandler;

struct _SyncRun
{
  CalsyncSyncEngine *engine;       /* owned */
  GCancellable *cancellable;       /* owned; cancelled with the engine's */
  gulong engine_cancel_id;
  CalsyncSyncLock *lock;
  GPtrArray *waiters;              /* GTask */
  GArray *waiter_handlers;         /* WaiterHandler */
  gint n_waiters_cancelled;
  GArray *account_ids;             /* gint64, or NULL for all */
  GPtrArray *accounts;             /* AccountWork */
  GPtrArray *jobs;                 /* CalsyncSyncJob, in account and calendar order */
  guint n_accounts_pending;
  guint next_job;
  guint n_running;
  guint n_done;
  gboolean finishing;
  gint64 time_min;
  gint64 time_max;
};

/* Accounts and runs ------------------------------------------------------------ */

static void
account_work_free (AccountWork *work)
{
  g_clear_object (&work->account);
  g_clear_object (&work->credentials);
  g_clear_object (&work->provider);
  g_clear_object (&work->cancellable);
  g_clear_pointer (&work->calendars, g_ptr_array_unref);
  g_clear_error (&work->error);
  g_free (work);
}

static void
sync_run_free (SyncRun *run)
{
  if (run->engine_cancel_id != 0)
    g_cancellable_disconnect (run->engine->cancellable, run->engine_cancel_id);
  for (guint i = 0; i < run->waiter_handlers->len; i++)
    {
      WaiterHandler *handler = &g_array_index (run->waiter_handlers, WaiterHandler, i);

      g_cancellable_disconnect (handler->cancellable, handler->handler_id);
      g_object_unref (handler->cancellable);
    }
  g_clear_pointer (&run->waiter_handlers, g_array_unref);
  g_clear_pointer (&run->lock, calsync_sync_lock_release);
  g_clear_object (&run->cancellable);
  g_clear_pointer (&run->waiters, g_ptr_array_unref);
  g_clear_pointer (&run->account_ids, g_array_unref);
  g_clear_pointer (&run->jobs, g_ptr_array_unref);
  g_clear_pointer (&run->accounts, g_ptr_array_unref);
  g_clear_object (&run->engine);
  g_free (run);
}

/* The sync window ----------------------------------------------------------- */

static void
compute_window (SyncRun *run)
{
  g_autoptr(GDateTime) now = calsync_now_utc ();
  g_autoptr(GDateTime) min = g_date_time_add_months (now, -(int) run->engine->months_back);
  g_autoptr(GDateTime) max = g_date_time_add_months (now, (int) run->engine->months_ahead);

  run->time_min = g_date_time_to_unix (min);
  run->time_max = g_date_time_to_unix (max);
}

/* Finishing the run --------------------------------------------------------- */

static void
update_accounts_thread (GTask        *task,
                        gpointer      source_object,
                        gpointer      task_data,
                        GCancellable *cancellable)
{
  SyncRun *run = task_data;
  CalsyncStore *store = run->engine->store;

  for (guint i = 0; i < run->accounts->len; i++)
    {
      AccountWork *work = g_ptr_array_index (run->accounts, i);
      CalsyncAccount *account = work->account;
      g_autoptr(GError) error = NULL;

      if (work->removed)
        continue;
      if (work->needs_reconnect)
        {
          calsync_account_set_needs_reconnect (account, TRUE);
          calsync_account_set_last_error (account, _("Sign-in expired. Reconnect the account in Preferences."));
        }
      else if (work->n_succeeded > 0 &&
               (calsync_account_get_needs_reconnect (account) ||
                calsync_account_get_last_error (account) != NULL))
        {
          calsync_account_set_needs_reconnect (account, FALSE);
          calsync_account_set_last_error (account, NULL);
        }
      else
        continue;

      /* An account removed meanwhile is not found: nothing to update */
      if (!calsync_store_update_account (store, account, &error) &&
          !g_error_matches (error, CALSYNC_STORE_ERROR, CALSYNC_STORE_ERROR_NOT_FOUND))
        g_warning ("Could not update account %" G_GINT64_FORMAT ": %s",
                   calsync_account_get_id (account), error->message);
    }

  g_task_return_boolean (task, TRUE);
}

static AccountWork *work_of_job (SyncRun        *run,
                                 CalsyncSyncJob *job);

static CalsyncSyncReport *
build_report (SyncRun *run)
{
  CalsyncSyncReport *report = calsync_sync_report_new ();

  /* The calendars of an account removed during the run are not reported */
  for (guint i = 0; i < run->jobs->len; i++)
    if (!work_of_job (run, g_ptr_array_index (run->jobs, i))->removed)
      calsync_sync_report_add (report, calsync_sync_job_steal_result (g_ptr_array_index (run->jobs, i)));

  calsync_sync_report_set_timestamp (report, g_get_real_time ());
  return report;
}

static void
accounts_updated_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  SyncRun *run = user_data;
  CalsyncSyncEngine *self = run->engine;
  g_autoptr(CalsyncSyncReport) report = build_report (run);

  g_assert (self->run == run);
  self->run = NULL;   /* before the signal: a handler may start the next sync */
  g_clear_pointer (&run->lock, calsync_sync_lock_release);

  g_signal_emit (self, signals[SYNC_FINISHED], 0, report);

  for (guint i = 0; i < run->waiters->len; i++)
    g_task_return_pointer (g_ptr_array_index (run->waiters, i), g_object_ref (report), g_object_unref);

  sync_run_free (run);
}

static void
finish_run (SyncRun *run)
{
  /* Not cancellable: the bookkeeping of a cancelled run still has to land */
  g_autoptr(GTask) task = g_task_new (NULL, NULL, accounts_updated_cb, run);

  g_task_set_source_tag (task, finish_run);
  g_task_set_task_data (task, run, NULL);
  g_task_run_in_thread (task, update_accounts_thread);
}

static void
fail_all_waiters (SyncRun      *run,
                  const GError *error)
{
  CalsyncSyncEngine *self = run->engine;

  self->run = NULL;
  for (guint i = 0; i < run->waiters->len; i++)
    g_task_return_error (g_ptr_array_index (run->waiters, i), g_error_copy (error));

  sync_run_free (run);
}

/* Jobs ---------------------------------------------------------------------- */

static void start_next_jobs (SyncRun *run);

static AccountWork *
work_of_job (SyncRun        *run,
             CalsyncSyncJob *job)
{
  CalsyncCalendar *calendar = calsync_sync_job_get_calendar (job);

  for (guint i = 0; i < run->accounts->len; i++)
    {
      AccountWork *work = g_ptr_array_index (run->accounts, i);

      if (calsync_account_get_id (work->account) == calsync_calendar_get_account_id (calendar))
        return work;
    }

  g_assert_not_reached ();
}

static void
job_done (CalsyncSyncJob *job,
          gpointer        user_data)
{
  SyncRun *run = user_data;
  AccountWork *work = work_of_job (run, job);
  const GError *error = calsync_sync_job_get_error (job);

  if (error == NULL)
    work->n_succeeded++;
  else if (calsync_credentials_error_needs_reconnect (error))
    work->needs_reconnect = TRUE;

  g_signal_emit (run->engine, signals[CALENDAR_SYNCED], 0, calsync_sync_job_get_result (job));

  run->n_running--;
  run->n_done++;
  start_next_jobs (run);
}

static void
start_job (SyncRun        *run,
           CalsyncSyncJob *job)
{
  AccountWork *work = work_of_job (run, job);

  run->n_running++;

  if (work->error != NULL)
    calsync_sync_job_fail (job, work->error);
  else if (work->needs_reconnect)
    {
      /* Another calendar of the account already learnt that the sign-in is gone */
      g_autoptr(GError) error = g_error_new_literal (CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT,
                                                     "invalid_grant");
      calsync_sync_job_fail (job, error);
    }
  else
    calsync_sync_job_start (job);
}

static void
start_next_jobs (SyncRun *run)
{
  /* The total is known once every account's calendar list is in */
  if (run->n_accounts_pending == 0)
    g_signal_emit (run->engine, signals[PROGRESS], 0, run->n_done, run->jobs->len);
  while (run->n_running < MAX_PARALLEL && run->next_job < run->jobs->len)
    start_job (run, g_ptr_array_index (run->jobs, run->next_job++));

  if (run->n_accounts_pending == 0 && run->n_done == run->jobs->len &&
      run->n_running == 0 && !run->finishing)
    {
      run->finishing = TRUE;
      finish_run (run);
    }
}

static CalsyncCalendarResult *
new_result (AccountWork     *work,
            CalsyncCalendar *calendar)
{
  CalsyncCalendarResult *result = g_new0 (CalsyncCalendarResult, 1);

  result->connection_id = g_strdup_printf ("%" G_GINT64_FORMAT, calsync_calendar_get_id (calendar));
  result->provider = g_strdup (calsync_account_get_provider (work->account));
  result->email = g_strdup (calsync_account_get_email (work->account));
  result->calendar_name = g_strdup (calsync_calendar_get_name (calendar));
  return result;
}

/* The account's calendars are known: one job each, in the run's queue */
static void
queue_account_jobs (AccountWork *work)
{
  SyncRun *run = work->run;

  for (guint i = 0; i < work->calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (work->calendars, i);

      CalsyncSyncJob *job = calsync_sync_job_new (run->engine->store, work->provider, calendar,
                                                  new_result (work, calendar), run->time_min,
                                                  run->time_max, work->cancellable, job_done, run);

      if (calsync_account_get_read_only (work->account))
        calsync_sync_job_hold_changes (job);
      g_ptr_array_add (run->jobs, job);
    }

  work->ready = TRUE;
  run->n_accounts_pending--;
  start_next_jobs (run);
}

/* The calendar list -------------------------------------------------------------- */

typedef struct
{
  gint64 account_id;
  GPtrArray *remote;              /* NULL: the list failed, keep what is stored */
  GPtrArray *active;              /* out */
} ReconcileData;

static void
reconcile_data_free (ReconcileData *data)
{
  g_clear_pointer (&data->remote, g_ptr_array_unref);
  g_clear_pointer (&data->active, g_ptr_array_unref);
  g_free (data);
}

static GPtrArray *
active_calendars (CalsyncStore  *store,
                  gint64         account_id,
                  GError       **error)
{
  g_autoptr(GPtrArray) all = calsync_store_list_calendars (store, account_id, error);
  GPtrArray *active;

  if (all == NULL)
    return NULL;

  active = g_ptr_array_new_with_free_func (g_object_unref);
  for (guint i = 0; i < all->len; i++)
    if (calsync_calendar_get_is_active (g_ptr_array_index (all, i)))
      g_ptr_array_add (active, g_object_ref (g_ptr_array_index (all, i)));

  return active;
}

static void
reconcile_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  CalsyncStore *store = source_object;
  ReconcileData *data = task_data;
  CalsyncCalendarChanges changes = { 0 };
  GError *error = NULL;

  if (data->remote != NULL &&
      !calsync_store_reconcile_calendars (store, data->account_id, data->remote, &changes, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  if (changes.n_added + changes.n_removed + changes.n_changed > 0)
    g_debug ("Account %" G_GINT64_FORMAT ": %u calendars added, %u removed, %u changed",
             data->account_id, changes.n_added, changes.n_removed, changes.n_changed);

  if ((data->active = active_calendars (store, data->account_id, &error)) == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
on_reconciled (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  AccountWork *work = user_data;
  ReconcileData *data = g_task_get_task_data (G_TASK (result));
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_clear_error (&work->error);
      work->error = g_steal_pointer (&error);
      work->calendars = g_ptr_array_new_with_free_func (g_object_unref);
    }
  else
    work->calendars = g_steal_pointer (&data->active);

  queue_account_jobs (work);
}

/* @remote NULL: the list could not be read, the stored calendars stay */
static void
reconcile (AccountWork *work,
           GPtrArray   *remote)
{
  g_autoptr(GTask) task = g_task_new (work->run->engine->store, NULL, on_reconciled, work);
  ReconcileData *data = g_new0 (ReconcileData, 1);

  data->account_id = calsync_account_get_id (work->account);
  data->remote = remote;
  g_task_set_source_tag (task, reconcile);
  g_task_set_task_data (task, data, (GDestroyNotify) reconcile_data_free);
  g_task_run_in_thread (task, reconcile_thread);
}

static void
on_calendars_listed (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  AccountWork *work = user_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *remote;

  remote = calsync_provider_list_calendars_finish (CALSYNC_PROVIDER (object), result, &error);
  if (remote == NULL)
    {
      /* Every calendar of the account reports this, and keeps its events */
      g_debug ("Calendar list of account %" G_GINT64_FORMAT " failed: %s",
               calsync_account_get_id (work->account), error->message);
      work->error = g_steal_pointer (&error);
      if (calsync_credentials_error_needs_reconnect (work->error))
        work->needs_reconnect = TRUE;
    }
  else if (calsync_account_get_read_only (work->account))
    {
      /* Signed in to read only: nothing of it can be edited until reconnected */
      for (guint i = 0; i < remote->len; i++)
        calsync_calendar_set_read_only (g_ptr_array_index (remote, i), TRUE);
    }

  reconcile (work, remote);
}

static void
start_account (CalsyncSyncEngine *self,
               AccountWork       *work)
{
  CalsyncAccount *account = work->account;
  gint64 id = calsync_account_get_id (account);
  g_autoptr(GError) error = NULL;

  work->credentials = g_hash_table_lookup (self->credentials, &id);
  if (work->credentials != NULL)
    g_object_ref (work->credentials);
  else
    work->credentials = calsync_credentials_new_for_account (account, self->http, &error);

  if (work->credentials != NULL)
    {
      calsync_credentials_set_store (work->credentials, self->store);
      work->provider = calsync_provider_new_for_account (account, self->http, work->credentials, &error);
    }

  if (work->provider == NULL)
    {
      work->error = g_steal_pointer (&error);
      reconcile (work, NULL);
      return;
    }

  calsync_provider_list_calendars_async (work->provider, work->cancellable, on_calendars_listed, work);
}

/* Starting the run ---------------------------------------------------------- */

static gboolean
account_wanted (SyncRun        *run,
                CalsyncAccount *account)
{
  if (g_strcmp0 (calsync_account_get_provider (account), "local") == 0)
    return FALSE;
  if (run->account_ids == NULL)
    return TRUE;

  for (guint i = 0; i < run->account_ids->len; i++)
    if (g_array_index (run->account_ids, gint64, i) == calsync_account_get_id (account))
      return TRUE;

  return FALSE;
}

static void
load_accounts_thread (GTask        *task,
                      gpointer      source_object,
                      gpointer      task_data,
                      GCancellable *cancellable)
{
  SyncRun *run = task_data;
  GError *error = NULL;
  GPtrArray *accounts;

  calsync_account_finish_removals (run->engine->store);

  accounts = calsync_store_list_accounts (run->engine->store, &error);

  if (accounts == NULL)
    g_task_return_error (task, error);
  else
    g_task_return_pointer (task, accounts, (GDestroyNotify) g_ptr_array_unref);
}

static void
accounts_loaded_cb (GObject      *object,
                    GAsyncResult *result,
                    gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GError) error = NULL;

  if (!(accounts = g_task_propagate_pointer (G_TASK (result), &error)))
    {
      fail_all_waiters (run, error);
      return;
    }

  run->accounts = g_ptr_array_new_with_free_func ((GDestroyNotify) account_work_free);
  run->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) calsync_sync_job_free);
  for (guint i = 0; i < accounts->len; i++)
    {
      CalsyncAccount *account = g_ptr_array_index (accounts, i);
      AccountWork *work;

      if (!account_wanted (run, account))
        continue;

      work = g_new0 (AccountWork, 1);
      work->run = run;
      work->account = g_object_ref (account);
      work->cancellable = g_cancellable_new ();
      g_ptr_array_add (run->accounts, work);
    }

  run->n_accounts_pending = run->accounts->len;
  for (guint i = 0; i < run->accounts->len; i++)
    start_account (run->engine, g_ptr_array_index (run->accounts, i));

  start_next_jobs (run);
}

static void
load_accounts (SyncRun *run)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, accounts_loaded_cb, run);

  g_task_set_source_tag (task, load_accounts);
  g_task_set_task_data (task, run, NULL);
  g_task_run_in_thread (task, load_accounts_thread);
}

static void
on_locked (GObject      *object,
           GAsyncResult *result,
           gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->lock = calsync_sync_lock_acquire_finish (result, &error);
  if (run->lock == NULL)
    {
      fail_all_waiters (run, error);
      return;
    }

  /* The window was computed before waiting: another process may have synced
   * for minutes */
  compute_window (run);
  load_accounts (run);
}

static void
cancel_account (gpointer data,
                gpointer user_data)
{
  AccountWork *work = data;

  g_cancellable_cancel (work->cancellable);
}

static void
engine_cancelled_cb (GCancellable *cancellable,
                     SyncRun      *run)
{
  g_cancellable_cancel (run->cancellable);
}

static void
run_cancelled_cb (GCancellable *cancellable,
                  SyncRun      *run)
{
  if (run->accounts != NULL)
    g_ptr_array_foreach (run->accounts, cancel_account, NULL);
}

static SyncRun *
sync_run_new (CalsyncSyncEngine *self,
              GArray            *account_ids)
{
  SyncRun *run = g_new0 (SyncRun, 1);

  run->engine = g_object_ref (self);
  run->cancellable = g_cancellable_new ();
  run->engine_cancel_id = g_cancellable_connect (self->cancellable, G_CALLBACK (engine_cancelled_cb),
                                                 run, NULL);
  g_signal_connect (run->cancellable, "cancelled", G_CALLBACK (run_cancelled_cb), run);
  run->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  run->waiter_handlers = g_array_new (FALSE, FALSE, sizeof (WaiterHandler));
  if (account_ids != NULL)
    run->account_ids = g_array_ref (account_ids);

  return run;
}

static void
start_run (SyncRun *run)
{
  calsync_sync_lock_acquire_async (calsync_store_get_path (run->engine->store), run->cancellable,
                                   on_locked, run);
}

/* A caller that gives up: the run stops only when every caller has given up */
static void
waiter_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  SyncRun *run = user_data;

  if ((guint) g_atomic_int_add (&run->n_waiters_cancelled, 1) + 1 == run->waiters->len)
    g_cancellable_cancel (run->cancellable);
}

/* GObject ----------------------------------------------------------------- */

static void
calsync_sync_engine_dispose (GObject *object)
{
  CalsyncSyncEngine *self = (CalsyncSyncEngine *) object;

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (calsync_sync_engine_parent_class)->dispose (object);
}

static void
calsync_sync_engine_finalize (GObject *object)
{
  CalsyncSyncEngine *self = (CalsyncSyncEngine *) object;

  g_assert (self->run == NULL);
  g_clear_object (&self->store);
  g_clear_object (&self->http);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->credentials, g_hash_table_unref);

  G_OBJECT_CLASS (calsync_sync_engine_parent_class)->finalize (object);
}

static void
calsync_sync_engine_class_init (CalsyncSyncEngineClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = calsync_sync_engine_dispose;
  object_class->finalize = calsync_sync_engine_finalize;

  /**
   * CalsyncSyncEngine::sync-started:
   *
   * A run begins (not emitted for a request that joins a running one).
   */
  signals[SYNC_STARTED] = g_signal_new ("sync-started", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                        0, NULL, NULL, NULL, G_TYPE_NONE, 0);

  /**
   * CalsyncSyncEngine::calendar-synced:
   * @result: (type gpointer): the `const CalsyncCalendarResult *` of one calendar,
   *   valid during the emission only
   */
  signals[CALENDAR_SYNCED] = g_signal_new ("calendar-synced", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                           0, NULL, NULL, NULL, G_TYPE_NONE, 1, G_TYPE_POINTER);

  /**
   * CalsyncSyncEngine::progress:
   * @n_done: calendars finished (synced or failed)
   * @n_total: calendars of the run
   *
   * Once every calendar list is read, and after each calendar.
   */
  signals[PROGRESS] = g_signal_new ("progress", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                    0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_UINT, G_TYPE_UINT);

  /**
   * CalsyncSyncEngine::sync-finished:
   * @report: the #CalsyncSyncReport of the run
   */
  signals[SYNC_FINISHED] = g_signal_new ("sync-finished", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 1, CALSYNC_TYPE_SYNC_REPORT);
}

static void
calsync_sync_engine_init (CalsyncSyncEngine *self)
{
  self->cancellable = g_cancellable_new ();
  self->credentials = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
  self->months_back = 3;
  self->months_ahead = 12;
}

/* Public API ------------------------------------------------------------ */

/**
 * calsync_sync_engine_new:
 *
 * Returns: (transfer full): an engine syncing into @store over @http
 */
CalsyncSyncEngine *
calsync_sync_engine_new (CalsyncStore *store,
                         CalsyncHttp  *http)
{
  CalsyncSyncEngine *self;

  g_return_val_if_fail (CALSYNC_IS_STORE (store), NULL);
  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);

  self = g_object_new (CALSYNC_TYPE_SYNC_ENGINE, NULL);
  self->store = g_object_ref (store);
  self->http = g_object_ref (http);

  return self;
}

/**
 * calsync_sync_engine_set_window:
 *
 * The window of a full sync, in months around now; takes effect at the next run.
 */
void
calsync_sync_engine_set_window (CalsyncSyncEngine *self,
                                guint              months_back,
                                guint              months_ahead)
{
  g_return_if_fail (CALSYNC_IS_SYNC_ENGINE (self));

  self->months_back = months_back;
  self->months_ahead = months_ahead;
}

void
calsync_sync_engine_set_account_credentials (CalsyncSyncEngine  *self,
                                             gint64              account_id,
                                             CalsyncCredentials *credentials)
{
  g_return_if_fail (CALSYNC_IS_SYNC_ENGINE (self));
  g_return_if_fail (!credentials || CALSYNC_IS_CREDENTIALS (credentials));

  if (credentials == NULL)
    g_hash_table_remove (self->credentials, &account_id);
  else
    g_hash_table_insert (self->credentials, g_memdup2 (&account_id, sizeof account_id),
                         g_object_ref (credentials));
}

/**
 * calsync_sync_engine_forget_account:
 *
 * Stops what a running sync does for @account_id and revokes the account's
 * credentials, so that a refresh in flight never writes to the keyring again.
 */
void
calsync_sync_engine_forget_account (CalsyncSyncEngine *self,
                                    gint64             account_id)
{
  CalsyncCredentials *known;

  g_return_if_fail (CALSYNC_IS_SYNC_ENGINE (self));

  if ((known = g_hash_table_lookup (self->credentials, &account_id)) != NULL)
    calsync_credentials_revoke (known);
  g_hash_table_remove (self->credentials, &account_id);

  if (self->run == NULL || self->run->accounts == NULL)
    return;

  for (guint i = 0; i < self->run->accounts->len; i++)
    {
      AccountWork *work = g_ptr_array_index (self->run->accounts, i);

      if (calsync_account_get_id (work->account) != account_id)
        continue;
      work->removed = TRUE;
      if (work->credentials != NULL)
        calsync_credentials_revoke (work->credentials);
      g_cancellable_cancel (work->cancellable);
    }
}

gboolean
calsync_sync_engine_is_syncing (CalsyncSyncEngine *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_ENGINE (self), FALSE);

  return self->run != NULL;
}

static void
add_waiter (SyncRun      *run,
            GTask        *task,
            GCancellable *cancellable)
{
  WaiterHandler handler = { 0 };

  g_ptr_array_add (run->waiters, g_object_ref (task));
  if (cancellable == NULL)
    return;

  handler.cancellable = g_object_ref (cancellable);
  handler.handler_id = g_cancellable_connect (cancellable, G_CALLBACK (waiter_cancelled_cb), run, NULL);
  g_array_append_val (run->waiter_handlers, handler);
}

void
calsync_sync_engine_sync_async (CalsyncSyncEngine   *self,
                                GArray              *account_ids,
                                GCancellable        *cancellable,
                                GAsyncReadyCallback  callback,
                                gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  gboolean joining;

  g_return_if_fail (CALSYNC_IS_SYNC_ENGINE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_sync_engine_sync_async);

  joining = self->run != NULL;
  if (!joining)
    self->run = sync_run_new (self, account_ids);

  add_waiter (self->run, task, cancellable);

  if (!joining)
    {
      g_signal_emit (self, signals[SYNC_STARTED], 0);
      start_run (self->run);
    }
}

/**
 * calsync_sync_engine_sync_finish:
 *
 * Returns: (transfer full): the report of the run, or %NULL with @error set
 *   when the accounts could not be read or the request was cancelled
 */
CalsyncSyncReport *
calsync_sync_engine_sync_finish (CalsyncSyncEngine  *self,
                                 GAsyncResult       *result,
                                 GError            **error)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_ENGINE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}
