/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-page.h: one page of a calendar's changes as a provider hands it to the
 * engine and the engine to the store — provider-neutral. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

/**
 * CalsyncPage:
 * @upserts: (element-type CalsyncEvent): events new or changed on the server;
 *   one with status cancelled removes the stored event of its remote id
 * @removals: (element-type utf8): remote ids of events removed on the server
 *   (Graph's `@removed`, a CalDAV 404)
 * @resources: (element-type utf8): server resources this page carries whole
 *   (CalDAV: a changed .ics): their stored instances missing from @upserts go
 * @resource_etags: (element-type utf8): parallel to @resources: each one's etag
 *   (CalDAV), or "" when unknown
 * @resource_texts: (element-type utf8): parallel to @resources: each one's
 *   iCalendar text as fetched (CalDAV), kept so that a local edit changes only
 *   what it edits; "" when not kept
 * @removed_resources: (element-type utf8): resources removed on the server,
 *   with every instance they held
 * @next_page_token: (nullable): the next page of this round; %NULL on the last
 * @next_cursor: (nullable): on the last page, what the next incremental round
 *   starts from (Google's nextSyncToken, Graph's deltaLink, a sync-token)
 * @full_snapshot: the round lists everything inside the window, so what it did
 *   not list is no longer on the server
 * @n_invalid: entries skipped because they could not be read
 *
 * Parsed off the main thread; not changed once handed over.
 */
typedef struct
{
  GPtrArray *upserts;
  GPtrArray *removals;
  GPtrArray *resources;
  GPtrArray *resource_etags;
  GPtrArray *resource_texts;
  GPtrArray *removed_resources;
  char *next_page_token;
  char *next_cursor;
  gboolean full_snapshot;
  guint n_invalid;
} CalsyncPage;

CalsyncPage *calsync_page_new  (void);
void         calsync_page_free (CalsyncPage *page);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncPage, calsync_page_free)

/**
 * CalsyncSnapshot:
 *
 * What a full round has listed so far, in a window: when its last page is
 * applied, stored events of the window the round did not list are removed.
 */
typedef struct _CalsyncSnapshot CalsyncSnapshot;

CalsyncSnapshot *calsync_snapshot_new        (gint64           time_min,
                                              gint64           time_max);
void             calsync_snapshot_free       (CalsyncSnapshot *snapshot);
void             calsync_snapshot_add        (CalsyncSnapshot *snapshot,
                                              const char      *remote_id);
gboolean         calsync_snapshot_contains   (CalsyncSnapshot *snapshot,
                                              const char      *remote_id);
void             calsync_snapshot_get_window (CalsyncSnapshot *snapshot,
                                              gint64          *time_min,
                                              gint64          *time_max);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncSnapshot, calsync_snapshot_free)

G_END_DECLS
