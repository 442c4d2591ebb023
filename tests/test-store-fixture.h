/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-store-fixture.h: the store fixture and helpers test-store and
 * test-store-sync share. */
#pragma once

#include <sqlite3.h>

#include "calsync-store.h"

G_BEGIN_DECLS

typedef struct
{
  char *dir;
  char *path;
  CalsyncStore *store;
  gint64 account_id;   /* a Google account */
  gint64 work_id;      /* its calendars */
  gint64 team_id;

  guint changed;
  GThread *changed_thread;
} Fixture;

gint64            local_time (int y, int mo, int d, int h, int mi);
gint64            zone_time (GTimeZone *zone, int y, int mo, int d);
CalsyncEvent *    make_timed (const char *external_id, const char *title, gint64 start, gint64 minutes);
GPtrArray *       event_list (void);
void              apply_ok (CalsyncStore *store, gint64 calendar_id, GPtrArray *events, GArray *outcomes, CalsyncApplyStats *stats);
/* Applies one event (reference taken) and returns its outcome. */
CalsyncApplyOutcome apply_event (CalsyncStore *store, gint64 calendar_id, CalsyncEvent *event);
void              apply_new (CalsyncStore *store, gint64 calendar_id, CalsyncEvent *event);
char *            join_titles (GPtrArray *events);
char *            query_titles (CalsyncStore *store, gint64 from, gint64 to);
char *            query_titles_in_zone (CalsyncStore *store, GTimeZone *zone, int y, int mo, int d);
sqlite3 *         raw_open (const char *path);
void              raw_exec (sqlite3 *db, const char *sql);
gint64            raw_int (sqlite3 *db, const char *sql);
gint64            raw_int_at (const char *path, const char *sql);
void              drain_main_context (void);
/* Iterates the main context until *counter is non-zero (fails after 10 s). */
void              wait_for (guint *counter);
void              on_changed (CalsyncStore *store, Fixture *f);
void              setup_empty (Fixture *f, gconstpointer data);
void              setup (Fixture *f, gconstpointer data);
void              teardown (Fixture *f, gconstpointer data);

G_END_DECLS
