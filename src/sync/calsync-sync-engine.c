/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-engine.c: syncs the active calendars of the accounts in parallel (at
 * most four at once), each calendar isolated, one store transaction per page.
 *
 * A run: a worker thread reads the accounts and calendars; each calendar then loops
 * fetch page (provider, main context) → apply page (store worker thread) → next
 * page; the last page's sync token and the time are saved together, in a worker
 * thread, only when the calendar succeeded. Accounts whose refresh token was
 * refused are marked "needs reconnect" at the end of the run, in a worker thread
 * too, so that the main loop never waits for SQLite.
 *
 * Counting when Google answers 410 (sync token gone): the calendar restarts as a
 * full window sync; pages already applied before the 410 stay counted (they were
 * received and applied), so "total" is what was received in this sync. */
#define G_LOG_DOMAIN "calsync-sync-engine"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-auth.h"
#include "calsync-clock.h"
#include "calsync-google-provider.h"
#include "calsync-oauth.h"
#include "calsync-provider.h"
#include "calsync-secrets.h"
#include "calsync-sync-engine.h"

#define MAX_PARALLEL 4

enum {
  SYNC_STARTED,
  CALENDAR_SYNCED,
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
  GHashTable *auths;               /* account id → CalsyncAuth set by the caller */

  /* The running sync, or NULL */
  SyncRun *run;

  guint months_back;
  guint months_ahead;
};

G_DEFINE_FINAL_TYPE (CalsyncSyncEngine, calsync_sync_engine, G_TYPE_OBJECT)

/* One account of a run: its provider and what happened to its sign-in */
typedef struct
{
  CalsyncAccount *account;
  GPtrArray *calendars;            /* CalsyncCalendar, active ones */
  CalsyncProvider *provider;       /* NULL when the provider is not supported */
  gboolean invalid_grant;
  guint n_succeeded;
} AccountWork;

/* One calendar of a run */
typedef struct
{
  SyncRun *run;                    /* borrowed: the run outlives its jobs */
  AccountWork *work;               /* borrowed */
  CalsyncCalendar *calendar;
  CalsyncCalendarResult *result;
  char *sync_token;                /* NULL: full sync of the window */
  char *page_token;
  CalsyncPage *page;               /* the page being applied */
  gboolean restarted;              /* already fell back to a full sync after a 410 */
} CalendarJob;

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
  GPtrArray *waiters;              /* GTask */
  GArray *waiter_handlers;         /* WaiterHandler */
  gint n_waiters_cancelled;
  GArray *account_ids;             /* gint64, or NULL for all */
  GPtrArray *accounts;             /* AccountWork */
  GPtrArray *jobs;                 /* CalendarJob, in account and calendar order */
  guint next_job;
  guint n_running;
  guint n_done;
  gboolean finishing;
  gint64 time_min;
  gint64 time_max;
};

/* Errors for people ------------------------------------------------------- */

static const char *
http_error_text (int code)
{
  switch (code)
    {
    case CALSYNC_HTTP_ERROR_OFFLINE:
      return _("You're offline. Check your connection and try again.");
    case CALSYNC_HTTP_ERROR_RATE_LIMITED:
      return _("Google is limiting requests right now. Try again in a few minutes.");
    case CALSYNC_HTTP_ERROR_SERVER:
      return _("Google is not responding right now. Try again later.");
    case CALSYNC_HTTP_ERROR_MALFORMED:
      return _("Google sent an answer CalSync could not read. Your events were left as they were.");
    case CALSYNC_HTTP_ERROR_AUTH:
      return _("Google did not accept the sign-in. Reconnect the account in Preferences.");
    case CALSYNC_HTTP_ERROR_FORBIDDEN:
      return _("Google refused access to this calendar.");
    case CALSYNC_HTTP_ERROR_NOT_FOUND:
      return _("This calendar no longer exists on Google.");
    case CALSYNC_HTTP_ERROR_INSECURE:
      return _("The server address is not secure (https is required).");
    case CALSYNC_HTTP_ERROR_BAD_REQUEST:
    case CALSYNC_HTTP_ERROR_GONE:
    case CALSYNC_HTTP_ERROR_FAILED:
    default:
      return _("Google refused the request. Try again later.");
    }
}

/**
 * calsync_sync_engine_error_text:
 *
 * Returns: (transfer full): an actionable text for people; never a server body
 */
char *
calsync_sync_engine_error_text (const GError *error)
{
  if (error == NULL)
    return g_strdup (_("The sync failed."));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("The sync was cancelled."));
  if (g_error_matches (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT))
    return g_strdup (_("Sign-in expired. Reconnect the account in Preferences."));
  if (error->domain == CALSYNC_OAUTH_ERROR)
    return g_strdup (_("Signing in to Google failed. Try again later."));
  if (error->domain == CALSYNC_HTTP_ERROR)
    return g_strdup (http_error_text (error->code));
  if (g_error_matches (error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND))
    return g_strdup (_("No sign-in is stored for this account. Reconnect the account in Preferences."));
  if (error->domain == CALSYNC_SECRETS_ERROR)
    return g_strdup (_("The keyring is locked or unavailable. Unlock it and try again."));
  if (error->domain == CALSYNC_STORE_ERROR)
    return g_strdup (_("Your events could not be saved on this computer."));
  if (error->domain == CALSYNC_SYNC_ERROR)
    return g_strdup (error->message);

  return g_strdup (_("The sync failed."));
}

/* Jobs and accounts --------------------------------------------------------- */

static void
account_work_free (AccountWork *work)
{
  g_clear_object (&work->account);
  g_clear_pointer (&work->calendars, g_ptr_array_unref);
  g_clear_object (&work->provider);
  g_free (work);
}

static void
calendar_job_free (CalendarJob *job)
{
  g_clear_object (&job->calendar);
  g_clear_pointer (&job->result, calsync_calendar_result_free);
  g_clear_pointer (&job->sync_token, g_free);
  g_clear_pointer (&job->page_token, g_free);
  g_clear_pointer (&job->page, calsync_page_free);
  g_free (job);
}

static CalendarJob *
calendar_job_new (SyncRun         *run,
                  AccountWork     *work,
                  CalsyncCalendar *calendar)
{
  CalendarJob *job = g_new0 (CalendarJob, 1);
  CalsyncCalendarResult *result = g_new0 (CalsyncCalendarResult, 1);

  job->run = run;
  job->work = work;
  job->calendar = g_object_ref (calendar);
  job->sync_token = g_strdup (calsync_calendar_get_sync_token (calendar));

  result->connection_id = g_strdup_printf ("%" G_GINT64_FORMAT, calsync_calendar_get_id (calendar));
  result->provider = g_strdup (calsync_account_get_provider (work->account));
  result->email = g_strdup (calsync_account_get_email (work->account));
  result->calendar_name = g_strdup (calsync_calendar_get_name (calendar));
  result->success = FALSE;
  job->result = result;

  return job;
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
      g_autoptr(GError) error = NULL;
      CalsyncAccount *account = work->account;

      if (work->invalid_grant)
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

      if (!calsync_store_update_account (store, account, &error))
        g_warning ("Could not update account %" G_GINT64_FORMAT ": %s",
                   calsync_account_get_id (account), error->message);
    }

  g_task_return_boolean (task, TRUE);
}

static CalsyncSyncReport *
build_report (SyncRun *run)
{
  CalsyncSyncReport *report = calsync_sync_report_new ();

  for (guint i = 0; i < run->jobs->len; i++)
    {
      CalendarJob *job = g_ptr_array_index (run->jobs, i);

      calsync_sync_report_add (report, g_steal_pointer (&job->result));
    }

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

/* One calendar ------------------------------------------------------------ */

static void start_next_jobs (SyncRun *run);
static void fetch_page (CalendarJob *job);

static void
job_done (CalendarJob *job)
{
  SyncRun *run = job->run;

  if (job->result->success)
    job->work->n_succeeded++;

  g_signal_emit (run->engine, signals[CALENDAR_SYNCED], 0, job->result);

  run->n_running--;
  run->n_done++;
  start_next_jobs (run);
}

static void
job_fail (CalendarJob  *job,
          const GError *error)
{
  if (g_error_matches (error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT))
    job->work->invalid_grant = TRUE;

  g_debug ("Calendar %s failed: %s", job->result->connection_id, error->message);

  job->result->success = FALSE;
  g_free (job->result->error);
  job->result->error = calsync_sync_engine_error_text (error);
  job_done (job);
}

static void
add_stats (CalsyncCalendarResult   *result,
           const CalsyncApplyStats *stats)
{
  result->synced += stats->inserted;
  result->updated += stats->updated;
  result->skipped += stats->skipped;
  result->deleted += stats->deleted;
  result->total = result->synced + result->updated + result->skipped + result->deleted;
}

static void
save_token_thread (GTask        *task,
                   gpointer      source_object,
                   gpointer      task_data,
                   GCancellable *cancellable)
{
  CalendarJob *job = task_data;
  g_autoptr(GError) error = NULL;

  if (calsync_store_finish_calendar_sync (job->run->engine->store,
                                          calsync_calendar_get_id (job->calendar),
                                          job->page->next_cursor,
                                          g_get_real_time (), &error))
    g_task_return_boolean (task, TRUE);
  else
    g_task_return_error (task, g_steal_pointer (&error));
}

static void
token_saved_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CalendarJob *job = user_data;
  g_autoptr(GError) error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      job_fail (job, error);
      return;
    }

  job->result->success = TRUE;
  job_done (job);
}

static void
save_token (CalendarJob *job)
{
  /* Not cancellable: the page is applied, so the token must follow it */
  g_autoptr(GTask) task = g_task_new (NULL, NULL, token_saved_cb, job);

  g_task_set_source_tag (task, save_token);
  g_task_set_task_data (task, job, NULL);
  g_task_run_in_thread (task, save_token_thread);
}

static void
page_applied_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CalendarJob *job = user_data;
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats = { 0 };

  if (!calsync_store_apply_page_finish (CALSYNC_STORE (object), result, &stats, &error))
    {
      job_fail (job, error);
      return;
    }

  add_stats (job->result, &stats);

  if (job->page->next_page_token != NULL)
    {
      g_free (job->page_token);
      job->page_token = g_strdup (job->page->next_page_token);
      g_clear_pointer (&job->page, calsync_page_free);
      fetch_page (job);
    }
  else if (job->page->next_cursor != NULL)
    save_token (job);
  else
    {
      g_autoptr(GError) no_token = g_error_new_literal (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                                                        "last page without nextSyncToken");
      job_fail (job, no_token);
    }
}

static gboolean
token_expired (const GError *error)
{
  return g_error_matches (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_TOKEN_EXPIRED) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_GONE);
}

static void
page_fetched_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  CalendarJob *job = user_data;
  g_autoptr(GError) error = NULL;

  job->page = calsync_provider_fetch_page_finish (CALSYNC_PROVIDER (object), result, &error);
  if (job->page == NULL)
    {
      if (token_expired (error) && job->sync_token != NULL && !job->restarted)
        {
          g_debug ("Sync token of calendar %s expired; full sync", job->result->connection_id);
          job->restarted = TRUE;
          g_clear_pointer (&job->sync_token, g_free);
          g_clear_pointer (&job->page_token, g_free);
          fetch_page (job);
        }
      else
        job_fail (job, error);
      return;
    }

  calsync_store_apply_page_async (job->run->engine->store,
                                  calsync_calendar_get_id (job->calendar),
                                  job->page, NULL, NULL, job->run->cancellable,
                                  page_applied_cb, job);
}

static void
fetch_page (CalendarJob *job)
{
  CalsyncFetchRequest request = {
    .sync_token = job->sync_token,
    .page_token = job->page_token,
    .time_min = job->run->time_min,
    .time_max = job->run->time_max,
  };

  calsync_provider_fetch_page_async (job->work->provider, job->calendar, &request,
                                     job->run->cancellable, page_fetched_cb, job);
}

static void
start_job (CalendarJob *job)
{
  g_autoptr(GError) error = NULL;

  job->run->n_running++;

  if (g_cancellable_set_error_if_cancelled (job->run->cancellable, &error))
    job_fail (job, error);
  else if (job->work->invalid_grant)
    {
      /* Another calendar of the account already learnt that the sign-in is gone */
      g_set_error_literal (&error, CALSYNC_OAUTH_ERROR, CALSYNC_OAUTH_ERROR_INVALID_GRANT, "invalid_grant");
      job_fail (job, error);
    }
  else if (job->work->provider == NULL)
    {
      g_set_error (&error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED,
                   _("CalSync cannot sync %s calendars yet."),
                   calsync_account_get_provider (job->work->account));
      job_fail (job, error);
    }
  else
    fetch_page (job);
}

static void
start_next_jobs (SyncRun *run)
{
  while (run->n_running < MAX_PARALLEL && run->next_job < run->jobs->len)
    start_job (g_ptr_array_index (run->jobs, run->next_job++));

  if (run->n_done == run->jobs->len && run->n_running == 0 && !run->finishing)
    {
      run->finishing = TRUE;
      finish_run (run);
    }
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
load_work_thread (GTask        *task,
                  gpointer      source_object,
                  gpointer      task_data,
                  GCancellable *cancellable)
{
  SyncRun *run = task_data;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) works = g_ptr_array_new_with_free_func ((GDestroyNotify) account_work_free);
  g_autoptr(GError) error = NULL;

  if (!(accounts = calsync_store_list_accounts (run->engine->store, &error)))
    {
      g_task_return_error (task, g_steal_pointer (&error));
      return;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      CalsyncAccount *account = g_ptr_array_index (accounts, i);
      AccountWork *work;

      if (!account_wanted (run, account))
        continue;

      work = g_new0 (AccountWork, 1);
      work->account = g_object_ref (account);
      g_ptr_array_add (works, work);
      if (!(work->calendars = active_calendars (run->engine->store, calsync_account_get_id (account), &error)))
        {
          g_task_return_error (task, g_steal_pointer (&error));
          return;
        }
    }

  g_task_return_pointer (task, g_steal_pointer (&works), (GDestroyNotify) g_ptr_array_unref);
}

static CalsyncProvider *
create_provider (CalsyncSyncEngine *self,
                 CalsyncAccount    *account)
{
  g_autoptr(CalsyncOAuthConfig) config = NULL;
  g_autoptr(CalsyncAuth) auth = NULL;
  g_autofree char *api_url = NULL;

  if (g_strcmp0 (calsync_account_get_provider (account), "google") != 0)
    return NULL;

  auth = g_hash_table_lookup (self->auths, &(gint64) { calsync_account_get_id (account) });
  if (auth != NULL)
    g_object_ref (auth);
  else
    {
      config = calsync_oauth_config_new_google ();
      auth = calsync_auth_new (self->http, config, calsync_account_get_id (account));
    }
  api_url = calsync_google_provider_default_api_url ();

  return CALSYNC_PROVIDER (calsync_google_provider_new (self->http, auth, api_url));
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

static void
work_loaded_cb (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  SyncRun *run = user_data;
  g_autoptr(GError) error = NULL;

  run->accounts = g_task_propagate_pointer (G_TASK (result), &error);
  if (run->accounts == NULL)
    {
      fail_all_waiters (run, error);
      return;
    }

  run->jobs = g_ptr_array_new_with_free_func ((GDestroyNotify) calendar_job_free);
  for (guint i = 0; i < run->accounts->len; i++)
    {
      AccountWork *work = g_ptr_array_index (run->accounts, i);

      if (work->calendars->len > 0)
        work->provider = create_provider (run->engine, work->account);

      for (guint j = 0; j < work->calendars->len; j++)
        g_ptr_array_add (run->jobs, calendar_job_new (run, work, g_ptr_array_index (work->calendars, j)));
    }

  start_next_jobs (run);
}

static void
engine_cancelled_cb (GCancellable *cancellable,
                     gpointer      user_data)
{
  g_cancellable_cancel (user_data);
}

static SyncRun *
sync_run_new (CalsyncSyncEngine *self,
              GArray            *account_ids)
{
  SyncRun *run = g_new0 (SyncRun, 1);

  run->engine = g_object_ref (self);
  run->cancellable = g_cancellable_new ();
  run->engine_cancel_id = g_cancellable_connect (self->cancellable, G_CALLBACK (engine_cancelled_cb),
                                                 run->cancellable, NULL);
  run->waiters = g_ptr_array_new_with_free_func (g_object_unref);
  run->waiter_handlers = g_array_new (FALSE, FALSE, sizeof (WaiterHandler));
  if (account_ids != NULL)
    run->account_ids = g_array_ref (account_ids);
  compute_window (run);

  return run;
}

static void
start_run (SyncRun *run)
{
  g_autoptr(GTask) task = g_task_new (NULL, NULL, work_loaded_cb, run);

  g_task_set_source_tag (task, start_run);
  g_task_set_task_data (task, run, NULL);
  g_task_run_in_thread (task, load_work_thread);
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
  g_clear_pointer (&self->auths, g_hash_table_unref);

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
  self->auths = g_hash_table_new_full (g_int64_hash, g_int64_equal, g_free, g_object_unref);
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
calsync_sync_engine_set_account_auth (CalsyncSyncEngine *self,
                                      gint64             account_id,
                                      CalsyncAuth       *auth)
{
  g_return_if_fail (CALSYNC_IS_SYNC_ENGINE (self));
  g_return_if_fail (!auth || CALSYNC_IS_AUTH (auth));

  if (auth == NULL)
    g_hash_table_remove (self->auths, &account_id);
  else
    g_hash_table_insert (self->auths, g_memdup2 (&account_id, sizeof account_id), g_object_ref (auth));
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
 * Returns: (transfer full): the report of the run, or %NULL with @error set when
 *   the accounts could not be read or the request was cancelled
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
