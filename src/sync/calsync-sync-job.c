/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-job.c: one calendar's sync. A round is incremental from the
 * stored cursor, or full over the window; its pages are fetched (and parsed, in
 * the provider's worker) one ahead of the page the store applies, so network,
 * parsing and SQLite overlap. The last page is applied with the new cursor —
 * and, for a full round, the sweep of what the server no longer lists — in one
 * transaction. A cursor the server says is gone restarts the calendar as a full
 * round, once. A round whose pages do not end is an error, not a loop.
 *
 * Before the round, the calendar's outbox is pushed (DESIGN.md, two-way
 * sync): one write at a time, in the order the changes were made, each one
 * recorded in the store before the next; a server out of reach stops the push
 * (the changes wait for the next sync) but not the pull. */
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

  /* The push */
  GPtrArray *outbox;            /* CalsyncOutboxEntry, in order */
  guint next_entry;
  CalsyncWriteResult *written;  /* the answer being recorded */
  GError *push_error;           /* the server could not take the changes now */
  GHashTable *known_etags;      /* href → etag, for the fetches */
  char *idempotency_key;        /* of the entry being sent */
  gboolean hold_changes;        /* the account reads only: changes wait */

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
  g_clear_pointer (&job->outbox, g_ptr_array_unref);
  g_clear_pointer (&job->written, calsync_write_result_free);
  g_clear_pointer (&job->known_etags, g_hash_table_unref);
  g_clear_pointer (&job->idempotency_key, g_free);
  g_clear_error (&job->push_error);
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

/* The pull went well but changes made here could not be sent: say so */
static char *
push_error_text (CalsyncSyncJob *job)
{
  g_autofree char *text = calsync_provider_error_text (job->provider, job->push_error);
  guint n_waiting = job->outbox != NULL ? job->outbox->len - job->next_entry : 0;

  /* Translators: the first %s says what went wrong; then how many changes wait */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                       "%s %u change made here waits for the next sync.",
                                       "%s %u changes made here wait for the next sync.",
                                       n_waiting),
                          text, n_waiting);
}

static void
finish (CalsyncSyncJob *job)
{
  CalsyncCalendarResult *result = job->result;

  job->finished = TRUE;
  result->success = job->error == NULL && job->push_error == NULL;
  if (job->error != NULL)
    {
      g_debug ("Calendar %s failed: %s", result->connection_id, job->error->message);
      g_free (result->error);
      result->error = calsync_provider_error_text (job->provider, job->error);
    }
  else if (job->push_error != NULL)
    {
      g_debug ("Calendar %s could not push: %s", result->connection_id, job->push_error->message);
      g_free (result->error);
      result->error = push_error_text (job);
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
    .known_etags = job->known_etags,
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
  /* A push that could not finish leaves the calendar's sync unsuccessful */
  CalsyncSyncFinish finish = { job->applying->next_cursor, job->push_error == NULL ? g_get_real_time () : 0 };

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

/* The push --------------------------------------------------------------------- */

static void push_next (CalsyncSyncJob *job);

static void
on_known_etags (GObject      *object,
                GAsyncResult *result,
                gpointer      user_data)
{
  CalsyncSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;

  job->fetching = FALSE;
  job->known_etags = calsync_store_get_known_etags_finish (CALSYNC_STORE (object), result, &error);
  if (job->known_etags == NULL)
    set_error (job, error);

  start_round (job);
  pump (job);
}

/* The pull, with the etags of the resources stored (CalDAV) */
static void
start_pull (CalsyncSyncJob *job)
{
  job->fetching = TRUE;
  calsync_store_get_known_etags_async (job->store, calsync_calendar_get_id (job->calendar),
                                       job->cancellable, on_known_etags, job);
}

static void
add_message (CalsyncCalendarResult *result,
             char                  *message)
{
  if (result->messages == NULL)
    result->messages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (result->messages, message);
}

static const char *
entry_title (const CalsyncOutboxEntry *entry)
{
  const char *title = calsync_event_get_title (entry->event);

  return title != NULL && *title != '\0' ? title : _("Untitled event");
}

/* Counts the answer and names the loser of a conflict */
static void
count_push (CalsyncSyncJob            *job,
            const CalsyncOutboxEntry  *entry,
            CalsyncPushOutcome         outcome)
{
  CalsyncCalendarResult *result = job->result;

  switch (outcome)
    {
    case CALSYNC_PUSH_WRITTEN:
      result->pushed++;
      break;
    case CALSYNC_PUSH_WON:
      result->pushed++;
      result->conflicts++;
      /* Translators: %s is an event's title */
      add_message (result, g_strdup_printf (_("A change to “%s” made on the server was replaced by "
                                              "your newer one"), entry_title (entry)));
      break;
    case CALSYNC_PUSH_LOST:
      result->conflicts++;
      if (g_strcmp0 (result->provider, "google") == 0)
        /* Translators: %s is an event's title */
        add_message (result, g_strdup_printf (_("Your change to “%s” was replaced by a newer one "
                                                "from Google"), entry_title (entry)));
      else if (g_strcmp0 (result->provider, "outlook") == 0)
        /* Translators: %s is an event's title */
        add_message (result, g_strdup_printf (_("Your change to “%s” was replaced by a newer one "
                                                "from Outlook"), entry_title (entry)));
      else
        /* Translators: %s is an event's title */
        add_message (result, g_strdup_printf (_("Your change to “%s” was replaced by a newer one "
                                                "from the server"), entry_title (entry)));
      break;
    case CALSYNC_PUSH_REFUSED:
    default:
      break;
    }
}

static void
on_push_recorded (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CalsyncSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;

  job->fetching = FALSE;
  g_clear_pointer (&job->written, calsync_write_result_free);
  if (!calsync_store_finish_push_finish (CALSYNC_STORE (object), result, &error))
    {
      set_error (job, error);
      pump (job);
      return;
    }

  job->next_entry++;
  push_next (job);
}

static void
record_push (CalsyncSyncJob           *job,
             const CalsyncOutboxEntry *entry,
             const CalsyncPushDone    *done)
{
  job->fetching = TRUE;
  calsync_store_finish_push_async (job->store, entry, done, job->cancellable, on_push_recorded, job);
}

static CalsyncPushOutcome
push_outcome (CalsyncWriteOutcome outcome)
{
  switch (outcome)
    {
    case CALSYNC_WRITE_OUTCOME_WON:
      return CALSYNC_PUSH_WON;
    case CALSYNC_WRITE_OUTCOME_LOST:
      return CALSYNC_PUSH_LOST;
    case CALSYNC_WRITE_OUTCOME_WRITTEN:
    default:
      return CALSYNC_PUSH_WRITTEN;
    }
}

/* 403, 404, read-only: the change is dropped, the server's copy comes back
 * with a full round, and the person learns why */
static void
refuse_push (CalsyncSyncJob            *job,
             const CalsyncOutboxEntry  *entry,
             const GError              *error)
{
  CalsyncPushDone done = { .outcome = CALSYNC_PUSH_REFUSED };

  add_message (job->result, calsync_provider_error_text (job->provider, error));
  g_clear_pointer (&job->cursor, g_free);
  record_push (job, entry, &done);
}

static void
on_written (GObject      *object,
            GAsyncResult *result,
            gpointer      user_data)
{
  CalsyncSyncJob *job = user_data;
  CalsyncOutboxEntry *entry = g_ptr_array_index (job->outbox, job->next_entry);
  g_autoptr(GError) error = NULL;
  CalsyncWriteResult *written;
  CalsyncPushDone done = { 0 };

  job->fetching = FALSE;
  written = calsync_provider_write_event_finish (CALSYNC_PROVIDER (object), result, &error);

  if (written == NULL)
    {
      if (g_error_matches (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED) ||
          g_error_matches (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_READ_ONLY))
        refuse_push (job, entry, error);
      else if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
        {
          set_error (job, error);
          pump (job);
        }
      else
        {
          /* Offline, a server error: the changes wait, in order; the pull still runs */
          job->push_error = g_steal_pointer (&error);
          start_pull (job);
        }
      return;
    }

  job->written = written;
  done.outcome = push_outcome (written->outcome);
  done.remote_id = written->remote_id;
  done.etag = written->etag;
  done.resource_id = written->resource_id;
  done.resource_text = written->resource_text;
  done.server_event = written->server_event;
  done.deleted = written->deleted;
  done.replaced = written->replaced;
  count_push (job, entry, done.outcome);
  record_push (job, entry, &done);
}

static CalsyncWriteKind
write_kind (CalsyncOutboxKind kind)
{
  switch (kind)
    {
    case CALSYNC_OUTBOX_CREATE:
      return CALSYNC_WRITE_CREATE;
    case CALSYNC_OUTBOX_DELETE:
      return CALSYNC_WRITE_DELETE;
    case CALSYNC_OUTBOX_UPDATE:
    default:
      return CALSYNC_WRITE_UPDATE;
    }
}

static void
push_next (CalsyncSyncJob *job)
{
  CalsyncOutboxEntry *entry;
  CalsyncWrite write = { 0 };

  if (job->error != NULL || g_cancellable_is_cancelled (job->cancellable))
    {
      pump (job);
      return;
    }

  if (job->next_entry >= job->outbox->len)
    {
      start_pull (job);
      return;
    }

  entry = g_ptr_array_index (job->outbox, job->next_entry);
  if (calsync_calendar_get_read_only (job->calendar))
    {
      /* Made before the calendar became read-only: the server would refuse it */
      g_autoptr(GError) error = g_error_new (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_READ_ONLY,
                                             _("Your change to “%s” was not sent: the calendar is "
                                               "read-only now"), entry_title (entry));

      refuse_push (job, entry, error);
      return;
    }

  write.kind = write_kind (entry->kind);
  write.event = entry->event;
  write.etag = entry->etag;
  write.resource_id = entry->resource_id;
  write.resource_text = entry->resource_text;
  write.local_updated = entry->local_updated;
  write.whole = entry->whole;
  write.notify_guests = entry->notify;
  /* The entry keeps its id while edits merge into it and until it is sent */
  g_free (job->idempotency_key);
  job->idempotency_key = g_strdup_printf ("%s/%" G_GINT64_FORMAT, entry->key, entry->id);
  write.idempotency_key = job->idempotency_key;

  job->fetching = TRUE;
  calsync_provider_write_event_async (job->provider, job->calendar, &write,
                                      job->cancellable, on_written, job);
}

static void
on_outbox_listed (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  CalsyncSyncJob *job = user_data;
  g_autoptr(GError) error = NULL;

  job->fetching = FALSE;
  job->outbox = calsync_store_list_outbox_finish (CALSYNC_STORE (object), result, &error);
  if (job->outbox == NULL)
    {
      set_error (job, error);
      pump (job);
      return;
    }

  if (job->outbox->len > 0)
    g_debug ("Calendar %s: %u changes to push", job->result->connection_id, job->outbox->len);
  push_next (job);
}

void
calsync_sync_job_hold_changes (CalsyncSyncJob *job)
{
  job->hold_changes = TRUE;
}

void
calsync_sync_job_start (CalsyncSyncJob *job)
{
  g_return_if_fail (job->provider != NULL);

  /* A provider that cannot write, or an account signed in to read only, keeps
   * the changes waiting; "local is newer" keeps them shown meanwhile */
  if (!calsync_provider_can_write (job->provider) || job->hold_changes)
    {
      start_pull (job);
      return;
    }

  job->fetching = TRUE;
  calsync_store_list_outbox_async (job->store, calsync_calendar_get_id (job->calendar),
                                   job->cancellable, on_outbox_listed, job);
}
