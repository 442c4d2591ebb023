/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-job.c: one calendar's sync. A round is incremental from the
 * stored cursor, or full over the window; its pages are fetched (and parsed, in
 * the provider's worker) one ahead of the page the store applies, so network,
 * parsing and SQLite overlap. The last page is applied with the new cursor —
 * and, for a full round, the sweep of what the server no longer lists — in one
 * transaction. A cursor the server says is gone restarts the calendar as a full
 * round, once. A round whose pages do not end is an error, not a loop. */
#define G_LOG_DOMAIN "calsync-sync-job"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-sync-job.h"

struct _CalsyncSyncJob
{
  /* Owned references */
  CalsyncStore *store;
  CalsyncProvider *provider;
  CalsyncCalendar *calendar;
  CalsyncCalendarResult *result;
  GCancellable *cancellable;

  CalsyncSyncJobDone done;
  gpointer done_data;

  gint64 time_min;
  gint64 time_max;

  /* The round */
  char *cursor;                 /* NULL: a full round over the window */
  char *page_token;             /* the next page to fetch, NULL for the first */
  CalsyncSnapshot *snapshot;    /* full rounds: what they listed so far */
  GHashTable *page_tokens;      /* seen in this round */
  guint n_pages;
  gboolean round_listed;        /* the last page has been fetched */
  gboolean restarted;           /* already fell back to a full round */
  gboolean restart_pending;

  /* The pipeline */
  gboolean fetching;
  CalsyncPage *fetched;         /* fetched, waiting for the store */
  CalsyncPage *applying;        /* in the store's hands */

  GError *error;
  gboolean finished;
};

CalsyncSyncJob *
calsync_sync_job_new (CalsyncStore          *store,
                      CalsyncProvider       *provider,
                      CalsyncCalendar       *calendar,
                      CalsyncCalendarResult *result,
                      gint64                 time_min,
                      gint64                 time_max,
                      GCancellable          *cancellable,
                      CalsyncSyncJobDone     done,
                      gpointer               user_data)
{
  CalsyncSyncJob *job = g_new0 (CalsyncSyncJob, 1);

  job->store = g_object_ref (store);
  job->provider = provider ? g_object_ref (provider) : NULL;
  job->calendar = g_object_ref (calendar);
  job->result = result;
  job->cancellable = g_object_ref (cancellable);
  job->done = done;
  job->done_data = user_data;
  job->time_min = time_min;
  job->time_max = time_max;
  job->cursor = g_strdup (calsync_calendar_get_sync_token (calendar));
  job->page_tokens = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);

  return job;
}

void
calsync_sync_job_free (CalsyncSyncJob *job)
{
  g_assert (!job->fetching && job->applying == NULL);

  g_clear_object (&job->store);
  g_clear_object (&job->provider);
  g_clear_object (&job->calendar);
  g_clear_object (&job->cancellable);
  g_clear_pointer (&job->result, calsync_calendar_result_free);
  g_clear_pointer (&job->cursor, g_free);
  g_clear_pointer (&job->page_token, g_free);
  g_clear_pointer (&job->snapshot, calsync_snapshot_free);
  g_clear_pointer (&job->page_tokens, g_hash_table_unref);
  g_clear_pointer (&job->fetched, calsync_page_free);
  g_clear_error (&job->error);
  g_free (job);
}

CalsyncCalendar *
calsync_sync_job_get_calendar (CalsyncSyncJob *job)
{
  return job->calendar;
}

const CalsyncCalendarResult *
calsync_sync_job_get_result (CalsyncSyncJob *job)
{
  return job->result;
}

CalsyncCalendarResult *
calsync_sync_job_steal_result (CalsyncSyncJob *job)
{
  return g_steal_pointer (&job->result);
}

const GError *
calsync_sync_job_get_error (CalsyncSyncJob *job)
{
  return job->error;
}

/* Ending ----------------------------------------------------------------------- */

static void
set_error (CalsyncSyncJob *job,
           const GError   *error)
{
  if (job->error == NULL)
    job->error = g_error_copy (error);
}

static void
finish (CalsyncSyncJob *job)
{
  CalsyncCalendarResult *result = job->result;

  job->finished = TRUE;
  result->success = job->error == NULL;
  if (job->error != NULL)
    {
      g_debug ("Calendar %s failed: %s", result->connection_id, job->error->message);
      g_free (result->error);
      result->error = calsync_provider_error_text (job->provider, job->error);
    }

  job->done (job, job->done_data);
}

void
calsync_sync_job_fail (CalsyncSyncJob *job,
                       const GError   *error)
{
  set_error (job, error);
  finish (job);
}

static void
add_stats (CalsyncCalendarResult   *result,
           const CalsyncApplyStats *stats,
           guint                    n_invalid)
{
  result->synced += stats->inserted;
  result->updated += stats->updated;
  result->skipped += stats->skipped + n_invalid;
  result->deleted += stats->deleted;
  result->total += stats->total + n_invalid;
}

/* Rounds ----------------------------------------------------------------------- */

static void pump (CalsyncSyncJob *job);

static void
start_round (CalsyncSyncJob *job)
{
  g_clear_pointer (&job->page_token, g_free);
  g_clear_pointer (&job->snapshot, calsync_snapshot_free);
  g_clear_pointer (&job->fetched, calsync_page_free);
  g_hash_table_remove_all (job->page_tokens);
  job->n_pages = 0;
  job->round_listed = FALSE;
  job->restart_pending = FALSE;

  if (job->cursor == NULL)
    job->snapshot = calsync_snapshot_new (job->time_min, job->time_max);
}

/* A next page token the round has seen before, or one page too many */
static gboolean
check_paging (CalsyncSyncJob  *job,
              const char      *next_page_token,
              GError         **error)
{
  if (++job->n_pages >= CALSYNC_SYNC_MAX_PAGES ||
      g_hash_table_contains (job->page_tokens, next_page_token))
    {
      g_debug ("Calendar %s: the pages do not end (page %u)", job->result->connection_id, job->n_pages);
      g_set_error_literal (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_PAGING,
                           _("The server keeps sending more pages of this calendar. Try again later."));
      return FALSE;
    }

  g_hash_table_add (job->page_tokens, g_strdup (next_page_token));
  return TRUE;
}

static void
on_fetched (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CalsyncSyncJob *job = user_data;
  g_autoptr(CalsyncPage) page = NULL;
  g_autoptr(GError) error = NULL;

  job->fetching = FALSE;
  page = calsync_provider_fetch_page_finish (CALSYNC_PROVIDER (object), result, &error);

  if (page == NULL)
    {
      if (g_error_matches (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_CURSOR_EXPIRED) &&
          job->cursor != NULL && !job->restarted)
        {
          g_debug ("Cursor of calendar %s expired; full round", job->result->connection_id);
          job->restart_pending = TRUE;
        }
      else
        set_error (job, error);
    }
  else if (page->next_page_token == NULL)
    {
      job->round_listed = TRUE;
      job->fetched = g_steal_pointer (&page);
    }
  else if (check_paging (job, page->next_page_token, &error))
    {
      g_free (job->page_token);
      job->page_token = g_strdup (page->next_page_token);
      job->fetched = g_steal_pointer (&page);
    }
  else
    set_error (job, error);

  pump (job);
}

static void
fetch (CalsyncSyncJob *job)
{
  CalsyncFetchRequest request = {
    .cursor = job->cursor,
    .page_token = job->page_token,
    .time_min = job->time_min,
    .time_max = job->time_max,
  };

  job->fetching = TRUE;
  calsync_provider_fetch_page_async (job->provider, job->calendar, &request,
                                     job->cancellable, on_fetched, job);
}

static void
on_applied (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CalsyncSyncJob *job = user_data;
  g_autoptr(CalsyncPage) page = g_steal_pointer (&job->applying);
  g_autoptr(GError) error = NULL;
  CalsyncApplyStats stats = { 0 };

  if (!calsync_store_apply_page_finish (CALSYNC_STORE (object), result, &stats, &error))
    set_error (job, error);
  else
    add_stats (job->result, &stats, page->n_invalid);

  pump (job);
}

/* The last page carries the cursor of the next round; a full round sweeps */
static void
apply (CalsyncSyncJob *job)
{
  gboolean last = job->applying->next_page_token == NULL;
  CalsyncSyncFinish finish = { job->applying->next_cursor, g_get_real_time () };

  calsync_store_apply_page_async (job->store, calsync_calendar_get_id (job->calendar),
                                  job->applying, job->snapshot, last ? &finish : NULL,
                                  job->cancellable, on_applied, job);
}

/* Moves the job on after each event: apply what was fetched, fetch the next
 * page while the store works, end when nothing is left or in flight */
static void
pump (CalsyncSyncJob *job)
{
  gboolean idle = !job->fetching && job->applying == NULL;
  g_autoptr(GError) cancelled = NULL;

  if (job->finished)
    return;

  if (job->error == NULL && g_cancellable_set_error_if_cancelled (job->cancellable, &cancelled))
    set_error (job, cancelled);

  if (job->error != NULL)
    {
      if (idle)
        finish (job);
      return;
    }

  if (job->restart_pending)
    {
      if (idle)
        {
          job->restarted = TRUE;
          g_clear_pointer (&job->cursor, g_free);
          start_round (job);
          fetch (job);
        }
      return;
    }

  if (job->applying == NULL && job->fetched != NULL)
    {
      job->applying = g_steal_pointer (&job->fetched);
      apply (job);
    }

  if (!job->fetching && job->fetched == NULL && !job->round_listed)
    fetch (job);

  if (job->round_listed && !job->fetching && job->applying == NULL && job->fetched == NULL)
    finish (job);
}

void
calsync_sync_job_start (CalsyncSyncJob *job)
{
  g_return_if_fail (job->provider != NULL);

  start_round (job);
  pump (job);
}
