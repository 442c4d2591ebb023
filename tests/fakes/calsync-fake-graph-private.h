/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph-private.h: what the files of the fake Graph share — its data
 * (calendars, event versions, delta cursors and state tokens) and the helpers of
 * the serving, rendering and generating parts. */
#pragma once

#include <libsoup/soup.h>

#include "calsync-fake-graph.h"

G_BEGIN_DECLS

#define FAKE_GRAPH_API_PREFIX "/v1.0"
#define FAKE_MSID_PREFIX "/common/oauth2/v2.0"
#define FAKE_MS_CLIENT_ID "c0ffee00-ca15-4e5c-9a1e-00000000f4ce"
/* Graph's default page sizes (events and calendars lists: 10) and the fake's
 * server maximum (Outlook's $top cap) */
#define FAKE_GRAPH_DEFAULT_PAGE_SIZE 10
#define FAKE_GRAPH_MAX_PAGE_SIZE 1000

/* One version of an event, immutable once stored: start and end rendered in
 * UTC, and the instants they stand for. A new put makes a new version, so a
 * cursor keeps what it listed. */
typedef struct
{
  gatomicrefcount ref_count;
  JsonObject *object;
  GRefString *json;           /* object serialized: the answer in UTC */
  gint64 start_us;            /* all-day: the UTC midnights of the dates */
  gint64 end_us;
  gboolean all_day;
  gboolean master;            /* type seriesMaster: never in a calendarView */
} FakeVersion;

typedef struct
{
  char *id;
  FakeVersion *version;
  guint64 seq;                /* update sequence */
  gboolean deleted;
} FakeEvent;

typedef struct
{
  char *id;
  char *name;
  char *hex_color;
  char *color;
  char *change_key;
  gboolean can_edit;
  gboolean is_default;
  gboolean removed;
  GHashTable *events;         /* id → FakeEvent */
} FakeCalendar;

/* An entry of a delta page: an event version, or the id of a removed one */
typedef struct
{
  FakeVersion *version;
  char *removed_id;
} CursorItem;

/* The window a round tracks, and where its links point */
typedef struct
{
  char *calendar_id;
  char *link_path;            /* e.g. "/me/calendars/ID/calendarView/delta", escaped */
  gint64 start_us;
  gint64 end_us;
  char *window_query;         /* "startDateTime=…&endDateTime=…", for a 410's Location */
  guint64 seq;                /* a delta token: changes after this */
} DeltaState;

/* A round's answer, fixed when its first page is served; $skiptokens name an
 * offset into it and may be used again (a retried page) */
typedef struct
{
  gatomicrefcount ref_count;
  DeltaState *state;          /* what the round's deltaLink will continue from */
  GArray *items;              /* CursorItem */
  char *delta_token;          /* given with the last page, once made */
  GHashTable *next_tokens;    /* offset → the $skiptoken that names it */
} Cursor;

typedef struct
{
  Cursor *cursor;
  guint offset;
} PageRef;

struct _CalsyncFakeGraph
{
  GObject parent_instance;

  /* Owned references */
  SoupServer *server;
  CalsyncFakeMsid *msid;
  char *api_url;
  char *auth_url;
  char *token_url;
  char *mail;
  char *upn;
  char *user_id;
  GPtrArray *calendar_list;   /* FakeCalendar, in the order added */
  GHashTable *calendars;      /* id → FakeCalendar */
  GHashTable *skip_tokens;    /* $skiptoken → PageRef */
  GHashTable *delta_tokens;   /* $deltatoken → DeltaState */
  GHashTable *expired_tokens; /* $deltatoken → DeltaState, gone (410) */
  GHashTable *counts;         /* request kind → count */
  SoupMessageHeaders *last_headers;

  guint64 seq;
  gint64 last_modified_us;
  guint page_size;
  guint throttle_status;
  guint throttle_left;
  guint throttle_retry_after;
  gboolean gzip;
  guint n_requests;
  guint n_gzipped;
  guint n_writes;
  guint n_replayed_creates;
  CalsyncFakeGraphFault write_fault;
  GPtrArray *stalled;         /* SoupServerMessage, answers held by a stall */
  guint port;
  gboolean offline;
};

/* calsync-fake-graph.c */
FakeCalendar *calsync_fake_graph_ensure_calendar (CalsyncFakeGraph *self,
                                                 const char       *calendar_id);
FakeCalendar *calsync_fake_graph_find_calendar   (CalsyncFakeGraph *self,
                                                 const char       *calendar_id);
FakeCalendar *calsync_fake_graph_default_calendar (CalsyncFakeGraph *self);
/* Normalizes @object (taken) and stores it as the latest change of its event;
 * FALSE (and a critical) when it is not a valid event */
gboolean      calsync_fake_graph_store_event     (CalsyncFakeGraph *self,
                                                 FakeCalendar     *calendar,
                                                 JsonObject       *object);
FakeVersion  *graph_fake_version_ref                   (FakeVersion      *version);
void          graph_fake_version_unref                 (FakeVersion      *version);
void          graph_delta_state_free                   (DeltaState       *state);
DeltaState   *graph_delta_state_copy                   (const DeltaState *state);
Cursor       *graph_cursor_ref                         (Cursor           *cursor);
void          graph_cursor_unref                       (Cursor           *cursor);
void          graph_page_ref_free                      (PageRef          *ref);

/* calsync-fake-graph-render.c */
GTimeZone    *calsync_fake_graph_zone_new        (const char       *name);
char         *calsync_fake_graph_format_local    (GDateTime        *dt);
char         *calsync_fake_graph_format_stamp    (gint64            usec);
char         *calsync_fake_graph_new_token       (void);
void          calsync_fake_graph_append_item     (GString          *out,
                                                 const CursorItem *item,
                                                 const char       *zone_name,
                                                 GTimeZone        *zone);
void          calsync_fake_graph_append_json_string (GString        *out,
                                                 const char       *text);
void          calsync_fake_graph_respond         (CalsyncFakeGraph  *self,
                                                 SoupServerMessage *msg,
                                                 guint              status,
                                                 GString           *body);
void          calsync_fake_graph_respond_error   (CalsyncFakeGraph  *self,
                                                 SoupServerMessage *msg,
                                                 guint              status,
                                                 const char        *code,
                                                 const char        *message);

/* calsync-fake-graph-serve.c */
void          calsync_fake_graph_api_handler     (SoupServer        *server,
                                                 SoupServerMessage *msg,
                                                 const char        *path,
                                                 GHashTable        *query,
                                                 gpointer           user_data);

/* calsync-fake-graph.c: the calendar holding @event_id, and the event */
FakeEvent    *calsync_fake_graph_find_event      (CalsyncFakeGraph  *self,
                                                 const char        *event_id,
                                                 FakeCalendar     **calendar);

/* calsync-fake-graph-write.c */
/* POST …/events (@calendar), GET, PATCH and DELETE /me/events/{@event_id} */
void          calsync_fake_graph_serve_event     (CalsyncFakeGraph  *self,
                                                 SoupServerMessage *msg,
                                                 FakeCalendar      *calendar,
                                                 const char        *event_id,
                                                 GHashTable        *params);
void          calsync_fake_graph_stalled_clear   (CalsyncFakeGraph  *self);

/* calsync-fake-graph-series.c: recurring events */
gboolean      calsync_fake_graph_check_recurrence (CalsyncFakeGraph  *self,
                                                  SoupServerMessage *msg,
                                                  JsonObject        *event);
void          calsync_fake_graph_fill_recurrence  (JsonObject        *event);
void          calsync_fake_graph_expand_series    (CalsyncFakeGraph  *self,
                                                  FakeCalendar      *calendar,
                                                  FakeEvent         *master);
void          calsync_fake_graph_serve_instances  (CalsyncFakeGraph  *self,
                                                  SoupServerMessage *msg,
                                                  const char        *event_id,
                                                  GHashTable        *params);

/* calsync-fake-graph-delta.c */
/* The zone of Prefer: outlook.timezone, or NULL (UTC) */
char         *calsync_fake_graph_preferred_zone  (SoupServerMessage *msg);
void          calsync_fake_graph_serve_delta     (CalsyncFakeGraph  *self,
                                                 SoupServerMessage *msg,
                                                 FakeCalendar      *calendar,
                                                 const char        *link_path,
                                                 GHashTable        *params);

G_END_DECLS
