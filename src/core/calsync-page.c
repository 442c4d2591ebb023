/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-page.c: one page of a calendar's changes, and what a full round has
 * listed so far. */
#define G_LOG_DOMAIN "calsync-page"

#include "config.h"

#include "calsync-page.h"

/**
 * calsync_page_new:
 *
 * Returns: (transfer full): an empty page, its arrays allocated
 */
CalsyncPage *
calsync_page_new (void)
{
  CalsyncPage *page = g_new0 (CalsyncPage, 1);

  page->upserts = g_ptr_array_new_with_free_func (g_object_unref);
  page->removals = g_ptr_array_new_with_free_func (g_free);
  page->resources = g_ptr_array_new_with_free_func (g_free);
  page->resource_etags = g_ptr_array_new_with_free_func (g_free);
  page->resource_texts = g_ptr_array_new_with_free_func (g_free);
  page->removed_resources = g_ptr_array_new_with_free_func (g_free);

  return page;
}

void
calsync_page_free (CalsyncPage *page)
{
  if (page == NULL)
    return;

  g_clear_pointer (&page->upserts, g_ptr_array_unref);
  g_clear_pointer (&page->removals, g_ptr_array_unref);
  g_clear_pointer (&page->resources, g_ptr_array_unref);
  g_clear_pointer (&page->resource_etags, g_ptr_array_unref);
  g_clear_pointer (&page->resource_texts, g_ptr_array_unref);
  g_clear_pointer (&page->removed_resources, g_ptr_array_unref);
  g_free (page->next_page_token);
  g_free (page->next_cursor);
  g_free (page);
}

struct _CalsyncSnapshot
{
  GHashTable *listed;   /* remote ids */
  gint64 time_min;
  gint64 time_max;
};

/**
 * calsync_snapshot_new:
 * @time_min: start of the window, unix seconds
 * @time_max: end of the window, unix seconds (exclusive)
 */
CalsyncSnapshot *
calsync_snapshot_new (gint64 time_min,
                      gint64 time_max)
{
  CalsyncSnapshot *snapshot = g_new0 (CalsyncSnapshot, 1);

  snapshot->listed = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  snapshot->time_min = time_min;
  snapshot->time_max = time_max;

  return snapshot;
}

void
calsync_snapshot_free (CalsyncSnapshot *snapshot)
{
  if (snapshot == NULL)
    return;

  g_hash_table_unref (snapshot->listed);
  g_free (snapshot);
}

void
calsync_snapshot_add (CalsyncSnapshot *snapshot,
                      const char      *remote_id)
{
  g_return_if_fail (snapshot != NULL);

  if (remote_id != NULL && !g_hash_table_contains (snapshot->listed, remote_id))
    g_hash_table_add (snapshot->listed, g_strdup (remote_id));
}

gboolean
calsync_snapshot_contains (CalsyncSnapshot *snapshot,
                           const char      *remote_id)
{
  g_return_val_if_fail (snapshot != NULL, FALSE);

  return remote_id != NULL && g_hash_table_contains (snapshot->listed, remote_id);
}

void
calsync_snapshot_get_window (CalsyncSnapshot *snapshot,
                             gint64          *time_min,
                             gint64          *time_max)
{
  g_return_if_fail (snapshot != NULL);

  *time_min = snapshot->time_min;
  *time_max = snapshot->time_max;
}
