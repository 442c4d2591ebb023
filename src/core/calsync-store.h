/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store.h: the local SQLite database of accounts, calendars and events. */
#pragma once

#include <gio/gio.h>

#include "calsync-account.h"
#include "calsync-calendar.h"
#include "calsync-event.h"
#include "calsync-page.h"

G_BEGIN_DECLS

#define CALSYNC_STORE_ERROR (calsync_store_error_quark ())

typedef enum
{
  CALSYNC_STORE_ERROR_OPEN,
  CALSYNC_STORE_ERROR_SCHEMA_TOO_NEW,
  CALSYNC_STORE_ERROR_QUERY,
  CALSYNC_STORE_ERROR_NOT_FOUND,
  CALSYNC_STORE_ERROR_CONSTRAINT,
  CALSYNC_STORE_ERROR_BUSY,         /* another process held the write lock past the busy timeout */
  CALSYNC_STORE_ERROR_READ_ONLY,    /* the calendar cannot be changed here: the message says why */
} CalsyncStoreError;

/* Current schema version (PRAGMA user_version). */
#define CALSYNC_STORE_SCHEMA_VERSION 6

/**
 * CalsyncApplyOutcome:
 * @CALSYNC_APPLY_INSERTED: new locally
 * @CALSYNC_APPLY_UPDATED: changed locally
 * @CALSYNC_APPLY_UNCHANGED: identical to the stored copy (skipped)
 * @CALSYNC_APPLY_KEPT_LOCAL: the local copy is newer (skipped)
 * @CALSYNC_APPLY_DELETED: cancelled remotely and removed locally
 * @CALSYNC_APPLY_IGNORED: cancelled remotely and unknown locally (skipped)
 * @CALSYNC_APPLY_STALE: older than the stored copy by the server's own
 *   "updated" time (skipped)
 * @CALSYNC_APPLY_INVALID: unreadable: no id, or an id over the cap (skipped)
 */
typedef enum
{
  CALSYNC_APPLY_INSERTED,
  CALSYNC_APPLY_UPDATED,
  CALSYNC_APPLY_UNCHANGED,
  CALSYNC_APPLY_KEPT_LOCAL,
  CALSYNC_APPLY_DELETED,
  CALSYNC_APPLY_IGNORED,
  CALSYNC_APPLY_STALE,
  CALSYNC_APPLY_INVALID,
} CalsyncApplyOutcome;

typedef struct
{
  guint inserted;
  guint updated;
  guint skipped;   /* unchanged + kept-local + ignored + stale + invalid */
  guint deleted;   /* removed on the server, or no longer listed by a full round */
  guint total;
} CalsyncApplyStats;

/* What calsync_store_reconcile_calendars() changed */
typedef struct
{
  guint n_added;
  guint n_removed;
  guint n_changed;   /* renamed, recoloured */
} CalsyncCalendarChanges;

/**
 * CalsyncSyncFinish:
 * @cursor: (nullable): what the next incremental round starts from
 * @last_sync_at: when the calendar's sync succeeded, microseconds since the
 *   epoch; 0 keeps the time of the last success (the pull went well, but
 *   changes made here could not be sent)
 */
typedef struct
{
  const char *cursor;
  gint64 last_sync_at;
} CalsyncSyncFinish;

#define CALSYNC_TYPE_STORE (calsync_store_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncStore, calsync_store, CALSYNC, STORE, GObject)

GQuark        calsync_store_error_quark          (void);

char         *calsync_store_default_path         (void);
CalsyncStore *calsync_store_open                 (const char        *path,
                                                  GError           **error);
const char   *calsync_store_get_path             (CalsyncStore      *self);
void          calsync_store_close                (CalsyncStore      *self);

/* Accounts */
gint64        calsync_store_add_account          (CalsyncStore      *self,
                                                  CalsyncAccount    *account,
                                                  GError           **error);
gboolean      calsync_store_update_account       (CalsyncStore      *self,
                                                  CalsyncAccount    *account,
                                                  GError           **error);
GPtrArray    *calsync_store_list_accounts        (CalsyncStore      *self,
                                                  GError           **error);
CalsyncAccount *calsync_store_get_account        (CalsyncStore      *self,
                                                  gint64             account_id,
                                                  GError           **error);
/* Removing an account: mark it, delete its secret, then remove it (see
 * calsync_store_mark_account_removing()) */
gboolean      calsync_store_mark_account_removing (CalsyncStore     *self,
                                                  gint64             account_id,
                                                  GError           **error);
GPtrArray    *calsync_store_list_removing_accounts (CalsyncStore    *self,
                                                  GError           **error);
gboolean      calsync_store_remove_account       (CalsyncStore      *self,
                                                  gint64             account_id,
                                                  GError           **error);

/* Calendars */
gint64        calsync_store_add_calendar         (CalsyncStore      *self,
                                                  CalsyncCalendar   *calendar,
                                                  GError           **error);
gboolean      calsync_store_update_calendar      (CalsyncStore      *self,
                                                  CalsyncCalendar   *calendar,
                                                  GError           **error);
GPtrArray    *calsync_store_list_calendars       (CalsyncStore      *self,
                                                  gint64             account_id,
                                                  GError           **error);
CalsyncCalendar *calsync_store_get_calendar      (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GError           **error);
/* By the provider's id; NULL without an error when there is none. */
CalsyncCalendar *calsync_store_lookup_calendar   (CalsyncStore      *self,
                                                  gint64             account_id,
                                                  const char        *remote_id,
                                                  GError           **error);
gint64        calsync_store_get_personal_calendar_id (CalsyncStore  *self);
gboolean      calsync_store_set_calendar_active  (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  gboolean           active,
                                                  GError           **error);
void          calsync_store_set_calendar_active_async  (CalsyncStore *self,
                                                  gint64             calendar_id,
                                                  gboolean           active,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
gboolean      calsync_store_set_calendar_active_finish (CalsyncStore *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
gboolean      calsync_store_reconcile_calendars  (CalsyncStore      *self,
                                                  gint64             account_id,
                                                  GPtrArray         *remote,
                                                  CalsyncCalendarChanges *changes,
                                                  GError           **error);
gboolean      calsync_store_finish_calendar_sync (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  const char        *sync_token,
                                                  gint64             last_sync_at_usec,
                                                  GError           **error);
gint64        calsync_store_count_events         (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GError           **error);
guint         calsync_store_count_connected_calendars (CalsyncStore *self);

/* Events */
GPtrArray    *calsync_store_query_range          (CalsyncStore      *self,
                                                  gint64             from_utc,
                                                  gint64             to_utc,
                                                  GError           **error);
/* Like query_range, with @zone in place of the local zone (the zone whose
 * dates all-day events are matched against). */
GPtrArray    *calsync_store_query_range_in_zone  (CalsyncStore      *self,
                                                  gint64             from_utc,
                                                  gint64             to_utc,
                                                  GTimeZone         *zone,
                                                  GError           **error);
void          calsync_store_query_range_async    (CalsyncStore      *self,
                                                  gint64             from_utc,
                                                  gint64             to_utc,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
GPtrArray    *calsync_store_query_range_finish   (CalsyncStore      *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
CalsyncEvent *calsync_store_get_event            (CalsyncStore      *self,
                                                  gint64             event_id,
                                                  GError           **error);
GPtrArray    *calsync_store_list_calendar_events (CalsyncStore    *self,
                                                  gint64             calendar_id,
                                                  gint64             from_utc,
                                                  gint64             to_utc,
                                                  GError           **error);
/* By the provider's id; NULL without an error when there is none. */
CalsyncEvent *calsync_store_lookup_event         (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  const char        *external_id,
                                                  GError           **error);

gboolean      calsync_store_apply_remote_events  (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GPtrArray         *events,
                                                  GArray            *outcomes,
                                                  CalsyncApplyStats *stats,
                                                  GError           **error);
gboolean      calsync_store_apply_page           (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  CalsyncPage       *page,
                                                  CalsyncSnapshot   *snapshot,
                                                  const CalsyncSyncFinish *finish,
                                                  CalsyncApplyStats *stats,
                                                  GError           **error);
void          calsync_store_apply_page_async     (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  CalsyncPage       *page,
                                                  CalsyncSnapshot   *snapshot,
                                                  const CalsyncSyncFinish *finish,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
gboolean      calsync_store_apply_page_finish    (CalsyncStore      *self,
                                                  GAsyncResult      *result,
                                                  CalsyncApplyStats *stats,
                                                  GError           **error);

gint64        calsync_store_create_local_event   (CalsyncStore      *self,
                                                  CalsyncEvent      *event,
                                                  GError           **error);
gboolean      calsync_store_edit_local_event     (CalsyncStore      *self,
                                                  CalsyncEvent      *event,
                                                  GError           **error);
gboolean      calsync_store_delete_local_event   (CalsyncStore      *self,
                                                  gint64             event_id,
                                                  GError           **error);
/* The same in a worker thread, for the window */
void          calsync_store_save_local_event_async   (CalsyncStore  *self,
                                                  CalsyncEvent      *event,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
CalsyncEvent *calsync_store_save_local_event_finish  (CalsyncStore  *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
void          calsync_store_delete_local_event_async (CalsyncStore  *self,
                                                  gint64             event_id,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
gboolean      calsync_store_delete_local_event_finish (CalsyncStore *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);

/* Undoing the last edit made here before a sync sent it (calsync-store-undo.c) */
CalsyncEvent *calsync_store_undo_local_change    (CalsyncStore      *self,
                                                  CalsyncEvent      *before,
                                                  CalsyncEvent      *after,
                                                  GError           **error);
void          calsync_store_undo_local_change_async  (CalsyncStore  *self,
                                                  CalsyncEvent      *before,
                                                  CalsyncEvent      *after,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
gboolean      calsync_store_undo_local_change_finish (CalsyncStore  *self,
                                                  GAsyncResult      *result,
                                                  CalsyncEvent     **restored,
                                                  GError           **error);

/* Two-way sync: the outbox (calsync-store-outbox.c) ----------------------------- */

/**
 * CalsyncOutboxKind:
 *
 * What is waiting to be sent; merged as edits come in: a create then an edit
 * is still a create, a create then a delete sends nothing, an edit then a
 * delete is a delete.
 */
typedef enum
{
  CALSYNC_OUTBOX_CREATE,
  CALSYNC_OUTBOX_UPDATE,
  CALSYNC_OUTBOX_DELETE,
} CalsyncOutboxKind;

/**
 * CalsyncOutboxEntry:
 * @id: the entry (its order: lower ids were made first)
 * @calendar_id: the calendar it goes to
 * @kind: see #CalsyncOutboxKind
 * @key: the external id the entry is kept under: the event's, or the UID of a
 *   whole series imported here
 * @event: the event as stored now (create, update), or as it was when deleted
 * @etag: (nullable): what the change was based on (If-Match); %NULL for a create
 * @resource_id: (nullable): CalDAV: the resource's href, %NULL before its create
 * @resource_text: (nullable): what to send whole when set by an import (the
 *   series as iCalendar), else the resource's text as last fetched or written
 * @local_updated: when the change was last made here (real time, µs)
 * @whole: @resource_text is the import's text, to send as it is
 * @notify: the person asked that guests be told (Google sendUpdates=all)
 */
typedef struct
{
  gint64 id;
  gint64 calendar_id;
  CalsyncOutboxKind kind;
  char *key;
  CalsyncEvent *event;
  char *etag;
  char *resource_id;
  char *resource_text;
  gint64 local_updated;
  gboolean whole;
  gboolean notify;
} CalsyncOutboxEntry;

void calsync_outbox_entry_free (CalsyncOutboxEntry *entry);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncOutboxEntry, calsync_outbox_entry_free)

/**
 * CalsyncPushOutcome:
 * @CALSYNC_PUSH_WRITTEN: the server took the change
 * @CALSYNC_PUSH_WON: a conflict, ours was newer and was written over it
 * @CALSYNC_PUSH_LOST: a conflict, the server's copy was newer and stays
 * @CALSYNC_PUSH_REFUSED: the server refused the change for good (403, 404)
 */
typedef enum
{
  CALSYNC_PUSH_WRITTEN,
  CALSYNC_PUSH_WON,
  CALSYNC_PUSH_LOST,
  CALSYNC_PUSH_REFUSED,
} CalsyncPushOutcome;

/**
 * CalsyncPushDone:
 * @outcome: see #CalsyncPushOutcome
 * @remote_id: (nullable): the server's id of a created event (Google, Graph)
 * @etag: (nullable): the etag now on the server
 * @resource_id: (nullable): CalDAV: the href written
 * @resource_text: (nullable): CalDAV: the resource's text now on the server
 * @server_event: (nullable): Google, Graph: the server's copy
 * @deleted: the event or resource is gone from the server
 * @replaced: Google, Graph: a whole series was written as the server's own
 *   events (other ids): the rows stored for the entry go; the pull brings them
 */
typedef struct
{
  CalsyncPushOutcome outcome;
  const char *remote_id;
  const char *etag;
  const char *resource_id;
  const char *resource_text;
  CalsyncEvent *server_event;
  gboolean deleted;
  gboolean replaced;
} CalsyncPushDone;

GPtrArray    *calsync_store_list_outbox          (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GError           **error);
void          calsync_store_list_outbox_async    (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
GPtrArray    *calsync_store_list_outbox_finish   (CalsyncStore      *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
gint64        calsync_store_count_outbox         (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GError           **error);
GHashTable   *calsync_store_get_known_etags      (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GError           **error);
void          calsync_store_get_known_etags_async  (CalsyncStore    *self,
                                                  gint64             calendar_id,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
GHashTable   *calsync_store_get_known_etags_finish (CalsyncStore    *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
gboolean      calsync_store_finish_push          (CalsyncStore      *self,
                                                  const CalsyncOutboxEntry *entry,
                                                  const CalsyncPushDone *done,
                                                  GError           **error);
void          calsync_store_finish_push_async    (CalsyncStore      *self,
                                                  const CalsyncOutboxEntry *entry,
                                                  const CalsyncPushDone *done,
                                                  GCancellable      *cancellable,
                                                  GAsyncReadyCallback callback,
                                                  gpointer           user_data);
gboolean      calsync_store_finish_push_finish   (CalsyncStore      *self,
                                                  GAsyncResult      *result,
                                                  GError           **error);
/* The resource text kept for @href (CalDAV), or NULL */
char         *calsync_store_get_resource_text    (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  const char        *href,
                                                  GError           **error);

/**
 * CalsyncImportOutcome:
 *
 * What calsync_store_import_series() did with one series (or single event)
 */
typedef enum
{
  CALSYNC_IMPORT_CREATED,
  CALSYNC_IMPORT_UPDATED,
  CALSYNC_IMPORT_UNCHANGED,
} CalsyncImportOutcome;

gboolean      calsync_store_import_series        (CalsyncStore      *self,
                                                  gint64             calendar_id,
                                                  GPtrArray         *series,
                                                  GPtrArray         *texts,
                                                  GArray            *outcomes,
                                                  GError           **error);

G_END_DECLS
