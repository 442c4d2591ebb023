/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-pages.c: what the CalDAV provider asks (request bodies) and
 * what it makes of the answers, in a worker thread: a multistatus read, its
 * resources' iCalendar turned into a page of events, or a listing of hrefs and
 * etags turned into what to fetch. */
#define G_LOG_DOMAIN "calsync-caldav"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-caldav-private.h"
#include "calsync-ical.h"

/* Request bodies ---------------------------------------------------------------------- */

/* Servers may hash every resource for a sync-token or a ctag (Radicale takes a
 * second for each at 10,000): the ctag is asked only of servers without
 * sync-collection */
const char caldav_sync_props_body[] =
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
  "<D:propfind xmlns:D=\"DAV:\">"
  "<D:prop><D:resourcetype/><D:sync-token/><D:supported-report-set/></D:prop>"
  "</D:propfind>";
const char caldav_collection_props_body[] =
  "<?xml version=\"1.0\" encoding=\"utf-8\"?>"
  "<D:propfind xmlns:D=\"DAV:\" xmlns:CS=\"" CALDAV_NS_CS "\">"
  "<D:prop><D:resourcetype/><D:sync-token/><CS:getctag/><D:supported-report-set/></D:prop>"
  "</D:propfind>";

static char *
format_ical_utc (gint64 unix_seconds)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (unix_seconds);

  return g_date_time_format (dt, "%Y%m%dT%H%M%SZ");
}

char *
caldav_calendar_query_body (gint64   time_min,
                     gint64   time_max,
                     gboolean with_data)
{
  g_autofree char *start = format_ical_utc (time_min);
  g_autofree char *end = format_ical_utc (time_max);

  return g_strdup_printf ("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                          "<C:calendar-query xmlns:D=\"DAV:\" xmlns:C=\"" CALDAV_NS_CALDAV "\">"
                          "<D:prop><D:getetag/>%s</D:prop>"
                          "<C:filter><C:comp-filter name=\"VCALENDAR\"><C:comp-filter name=\"VEVENT\">"
                          "<C:time-range start=\"%s\" end=\"%s\"/>"
                          "</C:comp-filter></C:comp-filter></C:filter></C:calendar-query>",
                          with_data ? "<C:calendar-data/>" : "", start, end);
}

char *
caldav_sync_collection_body (const char *token)
{
  g_autofree char *escaped = g_markup_escape_text (token, -1);

  return g_strdup_printf ("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                          "<D:sync-collection xmlns:D=\"DAV:\">"
                          "<D:sync-token>%s</D:sync-token><D:sync-level>1</D:sync-level>"
                          "<D:prop><D:getetag/></D:prop></D:sync-collection>", escaped);
}

char *
caldav_multiget_body (GPtrArray *hrefs,
               guint      from,
               guint      to)
{
  GString *body = g_string_new ("<?xml version=\"1.0\" encoding=\"utf-8\"?>"
                                "<C:calendar-multiget xmlns:D=\"DAV:\" xmlns:C=\"" CALDAV_NS_CALDAV "\">"
                                "<D:prop><D:getetag/><C:calendar-data/></D:prop>");

  for (guint i = from; i < to; i++)
    {
      g_autofree char *href = caldav_href_for_body (g_ptr_array_index (hrefs, i));

      g_string_append_printf (body, "<D:href>%s</D:href>", href);
    }

  g_string_append (body, "</C:calendar-multiget>");
  return g_string_free (body, FALSE);
}

/* Pages ------------------------------------------------------------------------------ */

void
caldav_build_free (CaldavBuild *build)
{
  g_free (build->calendar_url);
  g_clear_pointer (&build->body, g_bytes_unref);
  g_free (build->base_uri);
  g_clear_pointer (&build->entries, g_ptr_array_unref);
  g_clear_pointer (&build->removed, g_ptr_array_unref);
  g_clear_pointer (&build->known_etags, g_hash_table_unref);
  g_free (build->cursor);
  g_clear_pointer (&build->page, calsync_page_free);
  g_clear_pointer (&build->leftover, g_ptr_array_unref);
  g_clear_pointer (&build->to_fetch, g_ptr_array_unref);
  g_free (build);
}

CaldavBuild *
caldav_build_new (CaldavBuildKind                  kind,
           CalsyncCalendar           *calendar,
           const CalsyncFetchRequest *request)
{
  CaldavBuild *build = g_new0 (CaldavBuild, 1);

  build->kind = kind;
  build->calendar_url = g_strdup (calsync_calendar_get_remote_id (calendar));
  build->time_min = request->time_min;
  build->time_max = request->time_max;
  if (build->time_min == 0 && build->time_max == 0)
    {
      /* Incremental rounds may come without a window: the default one */
      gint64 now = g_get_real_time () / G_USEC_PER_SEC;

      build->time_min = now - 92 * 24 * 3600;
      build->time_max = now + 366 * 24 * 3600;
    }
  build->removed = g_ptr_array_new_with_free_func (g_free);
  return build;
}

GHashTable *
caldav_copy_known_etags (GHashTable *known)
{
  GHashTable *copy = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_free);
  GHashTableIter iter;
  gpointer key, value;

  if (known == NULL)
    return copy;

  g_hash_table_iter_init (&iter, known);
  while (g_hash_table_iter_next (&iter, &key, &value))
    g_hash_table_insert (copy, g_strdup (key), g_strdup (value));

  return copy;
}

/* Reads one resource into @page: its instances carry its href and etag, and the
 * resource is listed whole. A resource that cannot be read is counted, not listed
 * (its stored instances stay as they were). */
static void
add_resource (CalsyncPage *page,
              CaldavEntry *entry,
              gint64       time_min,
              gint64       time_max)
{
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GPtrArray) problems = NULL;
  g_autoptr(GError) error = NULL;
  guint n_skipped = 0;

  if (entry->calendar_data == NULL)
    {
      page->n_invalid++;
      return;
    }

  events = calsync_ical_parse_full (entry->calendar_data, -1, time_min, time_max, &problems, &error);
  for (guint i = 0; problems != NULL && i < problems->len; i++)
    n_skipped += ((CalsyncIcalProblem *) g_ptr_array_index (problems, i))->kind == CALSYNC_ICAL_PROBLEM_SKIPPED;

  if (events == NULL || (events->len == 0 && n_skipped > 0))
    {
      g_debug ("Resource %s could not be read: %s", entry->href, error ? error->message : "no event");
      page->n_invalid += MAX (n_skipped, 1u);
      return;
    }

  page->n_invalid += n_skipped;
  for (guint i = 0; i < events->len; i++)
    {
      CalsyncEvent *event = g_ptr_array_index (events, i);

      calsync_event_set_resource_id (event, entry->href);
      calsync_event_set_etag (event, entry->etag);
      g_ptr_array_add (page->upserts, g_object_ref (event));
    }

  g_ptr_array_add (page->resources, g_strdup (entry->href));
  g_ptr_array_add (page->resource_etags, g_strdup (entry->etag != NULL ? entry->etag : ""));
  g_ptr_array_add (page->resource_texts, g_steal_pointer (&entry->calendar_data));
}

static gboolean
is_gone (CaldavEntry *entry)
{
  return entry->status == 404 || entry->status == 410;
}

/* CALDAV_BUILD_EVENTS: the first @limit resources with data become the page */
static void
build_events (CaldavBuild *build)
{
  guint limit = MAX (CALDAV_PAGE_RESOURCES, build->entries->len / CALDAV_MAX_ROUND_PAGES + 1);
  guint taken = 0;

  build->page = calsync_page_new ();
  build->page->full_snapshot = build->full_snapshot;
  build->leftover = g_ptr_array_new_with_free_func ((GDestroyNotify) caldav_entry_free);

  for (guint i = 0; i < build->removed->len; i++)
    g_ptr_array_add (build->page->removed_resources, g_strdup (g_ptr_array_index (build->removed, i)));

  for (guint i = 0; i < build->entries->len; i++)
    {
      CaldavEntry *entry = g_ptr_array_index (build->entries, i);

      if (caldav_same_collection (entry->href, build->calendar_url))
        continue;
      if (is_gone (entry))
        {
          /* Deleted between the listing and the multiget */
          g_ptr_array_add (build->page->removed_resources, g_strdup (entry->href));
          continue;
        }
      if (taken >= limit)
        {
          g_ptr_array_add (build->leftover, g_steal_pointer (&g_ptr_array_index (build->entries, i)));
          continue;
        }
      if (entry->data_too_large)
        build->page->n_invalid++;
      else
        add_resource (build->page, entry, build->time_min, build->time_max);
      taken++;
    }
}

/* CALDAV_BUILD_CHANGES: which hrefs to fetch, which are gone */
static void
build_changes (CaldavBuild *build)
{
  g_autoptr(GHashTable) listed = g_hash_table_new (g_str_hash, g_str_equal);

  build->to_fetch = g_ptr_array_new_with_free_func (g_free);

  for (guint i = 0; i < build->entries->len; i++)
    {
      CaldavEntry *entry = g_ptr_array_index (build->entries, i);
      const char *known;

      if (caldav_same_collection (entry->href, build->calendar_url))
        continue;
      if (is_gone (entry))
        {
          g_ptr_array_add (build->removed, g_strdup (entry->href));
          continue;
        }

      g_hash_table_add (listed, entry->href);
      known = g_hash_table_lookup (build->known_etags, entry->href);
      /* Unchanged (or our own write coming back): not fetched again */
      if (known != NULL && entry->etag != NULL && g_str_equal (known, entry->etag))
        continue;
      g_ptr_array_add (build->to_fetch, g_strdup (entry->href));
    }

  if (build->etag_listing)
    {
      GHashTableIter iter;
      gpointer href;

      /* The listing names everything of the window: what it does not name is gone */
      g_hash_table_iter_init (&iter, build->known_etags);
      while (g_hash_table_iter_next (&iter, &href, NULL))
        if (!g_hash_table_contains (listed, href))
          g_ptr_array_add (build->removed, g_strdup (href));
    }
}

void
caldav_build_thread (GTask        *task,
              gpointer      source_object,
              gpointer      task_data,
              GCancellable *cancellable)
{
  CaldavBuild *build = task_data;
  GError *error = NULL;

  if (build->body != NULL)
    {
      gsize size = 0;
      const char *data = g_bytes_get_data (build->body, &size);
      g_autoptr(CaldavMultistatus) multistatus = caldav_parse_multistatus (data, size, build->base_uri, &error);

      /* the body of a big answer is megabytes: freed once read */
      g_clear_pointer (&build->body, g_bytes_unref);
      if (multistatus == NULL)
        {
          g_task_return_error (task, error);
          return;
        }

      build->entries = g_steal_pointer (&multistatus->entries);
      build->truncated = multistatus->truncated;
      if (build->kind == CALDAV_BUILD_CHANGES && multistatus->sync_token != NULL)
        {
          g_free (build->cursor);
          build->cursor = g_steal_pointer (&multistatus->sync_token);
        }
    }

  if (build->kind == CALDAV_BUILD_EVENTS)
    build_events (build);
  else
    build_changes (build);

  g_task_return_boolean (task, TRUE);
}
