/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-store-query.c: reading events — the range queries the views and the
 * agenda make, single events, and a calendar's events for export. All of it on
 * read-only connections, which never wait for a writer. */
#define G_LOG_DOMAIN "calsync-store"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-date-utils.h"
#include "calsync-store-private.h"

/* Timed events overlap [?1, ?2); all-day events overlap the dates [?4, ?3).
 * The unary + keeps SQLite from reading events calendar by calendar through
 * the external-id index; calendar names and colours are added afterwards. */
#define RANGE_BRANCH(start_terms)                                             \
  "SELECT " EVENT_OWN_COLUMNS " FROM events AS e "                            \
  "WHERE " start_terms " AND (e.end_utc > ?1 OR e.start_utc >= ?1) "          \
  "AND +e.calendar_id IN (SELECT id FROM calendars WHERE is_active = 1) "     \
  "AND e.status <> 'cancelled' "                                              \
  "AND (e.all_day = 0 OR (e.start_date < ?3 AND e.end_date > ?4))"

#define EVENT_FROM "FROM events AS e JOIN calendars AS c ON c.id = e.calendar_id "

static const char sql_query_range[] =
  RANGE_BRANCH ("e.end_utc - e.start_utc > " LONG_SPAN_SQL
                " AND e.start_utc < ?1 - " LONG_SPAN_SQL " AND e.end_utc > ?1")
  " UNION ALL "
  RANGE_BRANCH ("e.start_utc >= ?1 - " LONG_SPAN_SQL " AND e.start_utc < ?2");
static const char sql_active_calendars[] =
  "SELECT c.id, " CALENDAR_NAME_SQL ", c.color FROM calendars AS c WHERE c.is_active = 1";
static const char sql_get_event[] =
  "SELECT " EVENT_COLUMNS " " EVENT_FROM "WHERE e.id = ?1";
/* Every stored event of one calendar (cancelled ones too) overlapping
 * [?2, ?3) by its UTC range (all-day ranges are padded: callers check dates). */
static const char sql_calendar_events[] =
  "SELECT " EVENT_COLUMNS " " EVENT_FROM
  "WHERE e.calendar_id = ?1 AND e.start_utc < ?3 AND e.end_utc > ?2 "
  "ORDER BY e.start_utc, e.title, e.id";
static const char sql_lookup_event[] =
  "SELECT " EVENT_COLUMNS " " EVENT_FROM
  "WHERE e.calendar_id = ?1 AND e.external_event_id = ?2";
static const char sql_delete_event[] = "DELETE FROM events WHERE id = ?1";
/* What waits to be sent: few rows, read whole (UNIQUE (calendar_id, external_id)) */
static const char sql_outbox_keys[] =
  "SELECT calendar_id, external_id FROM outbox";

/* Pending marks ------------------------------------------------------------- */

static char *
outbox_key (gint64      calendar_id,
            const char *key)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT ":%s", calendar_id, key);
}

static gboolean
is_pending (GHashTable   *keys,
            CalsyncEvent *event)
{
  const char *ids[] = { calsync_event_get_external_id (event), calsync_event_get_recurring_event_id (event) };

  for (guint i = 0; i < G_N_ELEMENTS (ids); i++)
    {
      g_autofree char *key = NULL;

      if (ids[i] == NULL)
        continue;
      key = outbox_key (calsync_event_get_calendar_id (event), ids[i]);
      if (g_hash_table_contains (keys, key))
        return TRUE;
    }

  return FALSE;
}

/* Marks the events whose change waits in the outbox, under their own id or
 * their series' (an imported series waits under its UID) */
static gboolean
mark_pending (StoreConn  *conn,
              GPtrArray  *events,
              GError    **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_outbox_keys, error);
  g_autoptr(GHashTable) keys = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  int rc;

  if (stmt == NULL)
    return FALSE;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    g_hash_table_add (keys, outbox_key (sqlite3_column_int64 (stmt, 0), store_column_text (stmt, 1)));
  if (rc != SQLITE_DONE)
    return store_set_error (conn, rc, error);

  for (guint i = 0; g_hash_table_size (keys) > 0 && i < events->len; i++)
    calsync_event_set_pending (g_ptr_array_index (events, i), is_pending (keys, g_ptr_array_index (events, i)));

  return TRUE;
}

/* "YYYY-MM-DD" of @utc in @zone, plus @add_days (clamped to years 1–9999) */
static char *
date_in_zone (gint64     utc,
              GTimeZone *zone,
              int        add_days)
{
  gint64 day = calsync_date_local_day (zone, utc) + add_days;
  int year, month, day_of_month;

  if (!calsync_date_day_to_ymd (day, &year, &month, &day_of_month) || year > 9999)
    return g_strdup (day < 0 ? "0001-01-01" : "9999-12-31");

  return g_strdup_printf ("%04d-%02d-%02d", year, month, day_of_month);
}

/* Calendar id → (name, colour) of the active calendars */
static GHashTable *
load_active_calendars (StoreConn  *conn,
                       GError    **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_active_calendars, error);
  g_autoptr(GHashTable) calendars = g_hash_table_new_full (g_int64_hash, g_int64_equal,
                                                           g_free, (GDestroyNotify) g_strfreev);
  int rc;

  if (stmt == NULL)
    return NULL;

  while ((rc = sqlite3_step (stmt)) == SQLITE_ROW)
    {
      gint64 *id = g_new (gint64, 1);
      char **info = g_new0 (char *, 3);

      *id = sqlite3_column_int64 (stmt, 0);
      info[0] = g_strdup (store_column_name (stmt, 1));
      info[1] = g_strdup (store_column_text (stmt, 2));
      g_hash_table_insert (calendars, id, info);
    }

  if (rc != SQLITE_DONE)
    {
      store_set_error (conn, rc, error);
      return NULL;
    }

  return g_steal_pointer (&calendars);
}

static void
add_calendar_info (GPtrArray  *events,
                   GHashTable *calendars)
{
  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);
      gint64 calendar_id = calsync_event_get_calendar_id (event);
      char **info = g_hash_table_lookup (calendars, &calendar_id);

      if (info != NULL)
        calsync_event_set_calendar_info (event, info[0], info[1]);
    }
}

/* Both statements read in one transaction, so that names and events agree */
static GPtrArray *
query_range (StoreConn     *conn,
             gint64         from_utc,
             gint64         to_utc,
             GTimeZone     *zone,
             GError       **error)
{
  g_autoptr(GHashTable) calendars = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autofree char *from_date = date_in_zone (from_utc, zone, 0);
  g_autofree char *to_date = date_in_zone (to_utc - 1, zone, 1);
  GPtrArray *events;

  if (!store_exec_script (conn, "BEGIN", error))
    return NULL;

  if (!(calendars = load_active_calendars (conn, error)) ||
      !(stmt = store_stmt (conn, sql_query_range, error)))
    {
      store_exec_script (conn, "COMMIT", NULL);
      return NULL;
    }

  sqlite3_bind_int64 (stmt, 1, from_utc);
  sqlite3_bind_int64 (stmt, 2, to_utc);
  store_bind_text (stmt, 3, to_date);
  store_bind_text (stmt, 4, from_date);

  events = store_collect_rows (conn, stmt, (StoreRowFunc) store_event_from_row, error);
  g_clear_pointer (&stmt, store_cached_stmt_release);
  if (events != NULL && !mark_pending (conn, events, error))
    g_clear_pointer (&events, g_ptr_array_unref);
  store_exec_script (conn, "COMMIT", NULL);

  if (events != NULL)
    {
      add_calendar_info (events, calendars);
      store_sort_events (conn->store, events);
    }

  return events;
}

/**
 * calsync_store_query_range_in_zone:
 * @from_utc: start of the range, seconds since the epoch
 * @to_utc: end of the range (exclusive)
 * @zone: the zone whose dates all-day events are matched against
 *
 * Like calsync_store_query_range() with @zone in place of the local zone.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_query_range_in_zone (CalsyncStore  *self,
                                   gint64         from_utc,
                                   gint64         to_utc,
                                   GTimeZone     *zone,
                                   GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (zone != NULL, NULL);

  if (to_utc <= from_utc)
    return g_ptr_array_new_with_free_func (g_object_unref);

  if (!(reader = store_reader_acquire (self, error)))
    return NULL;

  return query_range (reader, from_utc, to_utc, zone, error);
}

/**
 * calsync_store_query_range:
 * @from_utc: start of the range, seconds since the epoch
 * @to_utc: end of the range (exclusive)
 *
 * The events of active calendars that overlap [@from_utc, @to_utc), cancelled
 * ones left out, with their calendar's name and colour and whether a change
 * of theirs waits in the outbox (calsync_event_get_pending()), sorted with
 * calsync_event_compare(). All-day events are matched by their dates against
 * the local dates the range covers, so they never shift with the time zone.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_query_range (CalsyncStore  *self,
                           gint64         from_utc,
                           gint64         to_utc,
                           GError       **error)
{
  g_autoptr(GTimeZone) zone = g_time_zone_new_local ();

  return calsync_store_query_range_in_zone (self, from_utc, to_utc, zone, error);
}

typedef struct
{
  gint64 from_utc;
  gint64 to_utc;
} RangeTaskData;

static void
query_range_thread (GTask        *task,
                    gpointer      source_object,
                    gpointer      task_data,
                    GCancellable *cancellable)
{
  RangeTaskData *data = task_data;
  g_autoptr(GError) error = NULL;
  GPtrArray *events;

  if (g_task_return_error_if_cancelled (task))
    return;

  events = calsync_store_query_range (source_object, data->from_utc, data->to_utc, &error);
  if (events == NULL)
    g_task_return_error (task, g_steal_pointer (&error));
  else
    g_task_return_pointer (task, events, (GDestroyNotify) g_ptr_array_unref);
}

/**
 * calsync_store_query_range_async:
 *
 * Runs calsync_store_query_range() in a worker thread.
 */
void
calsync_store_query_range_async (CalsyncStore        *self,
                                 gint64               from_utc,
                                 gint64               to_utc,
                                 GCancellable        *cancellable,
                                 GAsyncReadyCallback  callback,
                                 gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  RangeTaskData *data;

  g_return_if_fail (CALSYNC_IS_STORE (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (self, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_store_query_range_async);

  data = g_new0 (RangeTaskData, 1);
  data->from_utc = from_utc;
  data->to_utc = to_utc;
  g_task_set_task_data (task, data, g_free);

  g_task_run_in_thread (task, query_range_thread);
}

/**
 * calsync_store_query_range_finish:
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_query_range_finish (CalsyncStore  *self,
                                  GAsyncResult  *result,
                                  GError       **error)
{
  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (g_task_is_valid (result, self), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Single events ----------------------------------------------------------- */

/**
 * calsync_store_get_event:
 *
 * Returns: (transfer full): the event with its calendar's name and colour and
 *   its pending mark, or %NULL with @error set (%CALSYNC_STORE_ERROR_NOT_FOUND
 *   if there is none)
 */
CalsyncEvent *
calsync_store_get_event (CalsyncStore  *self,
                         gint64         event_id,
                         GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;
  g_autoptr(CalsyncEvent) event = NULL;
  g_autoptr(GPtrArray) one = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql_get_event, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, event_id);
  if (!(event = store_collect_one (reader, stmt, (StoreRowFunc) store_event_from_row,
                                   _("Event not found"), error)))
    return NULL;
  g_clear_pointer (&stmt, store_cached_stmt_release);

  one = g_ptr_array_new ();
  g_ptr_array_add (one, event);
  if (!mark_pending (reader, one, error))
    return NULL;

  return g_steal_pointer (&event);
}

/**
 * calsync_store_list_calendar_events:
 * @calendar_id: the calendar, active or not
 * @from_utc: start of the range, seconds since the epoch (G_MININT64 for no bound)
 * @to_utc: end of the range, exclusive (G_MAXINT64 for no bound)
 *
 * Every stored event of one calendar whose UTC range overlaps the range,
 * cancelled ones included, ordered by start. All-day events are matched by
 * their padded UTC range (see calsync_event_set_dates()): callers that need
 * exact dates check them. For export and tests, not for views.
 *
 * Returns: (transfer full) (element-type CalsyncEvent): the events, or %NULL
 *   with @error set
 */
GPtrArray *
calsync_store_list_calendar_events (CalsyncStore  *self,
                                    gint64         calendar_id,
                                    gint64         from_utc,
                                    gint64         to_utc,
                                    GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  g_autoptr(CachedStmt) stmt = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);

  if (!(reader = store_reader_acquire (self, error)) ||
      !(stmt = store_stmt (reader, sql_calendar_events, error)))
    return NULL;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  sqlite3_bind_int64 (stmt, 2, from_utc);
  sqlite3_bind_int64 (stmt, 3, to_utc);
  return store_collect_rows (reader, stmt, (StoreRowFunc) store_event_from_row, error);
}

/* Finds a stored event: TRUE with *event set (or %NULL when there is none). */
gboolean
store_lookup_event (StoreConn      *conn,
                    gint64          calendar_id,
                    const char     *external_id,
                    CalsyncEvent  **event,
                    GError        **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_lookup_event, error);
  gboolean has_row;

  *event = NULL;
  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, calendar_id);
  store_bind_text (stmt, 2, external_id);

  if (!store_step_row (conn, stmt, &has_row, error))
    return FALSE;

  if (has_row)
    *event = store_event_from_row (stmt);

  return TRUE;
}

gboolean
store_delete_event_row (StoreConn  *conn,
                        gint64      row_id,
                        GError    **error)
{
  g_autoptr(CachedStmt) stmt = store_stmt (conn, sql_delete_event, error);

  if (stmt == NULL)
    return FALSE;

  sqlite3_bind_int64 (stmt, 1, row_id);
  return store_step_done (conn, stmt, error);
}

/**
 * calsync_store_lookup_event:
 * @external_id: the provider's id of the event
 *
 * Returns: (transfer full) (nullable): the event; %NULL without an error when
 *   there is none, %NULL with @error set when the database failed
 */
CalsyncEvent *
calsync_store_lookup_event (CalsyncStore  *self,
                            gint64         calendar_id,
                            const char    *external_id,
                            GError       **error)
{
  g_autoptr(StoreReader) reader = NULL;
  CalsyncEvent *event = NULL;

  g_return_val_if_fail (CALSYNC_IS_STORE (self), NULL);
  g_return_val_if_fail (external_id != NULL, NULL);

  if ((reader = store_reader_acquire (self, error)) != NULL)
    store_lookup_event (reader, calendar_id, external_id, &event, error);

  return event;
}
