/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google-private.h: what the files of the fake Google share — its
 * data (calendar lists, calendars, events, cursors, sync tokens) and the
 * response helpers of the serving, streaming and generating parts. */
#pragma once

#include <libsoup/soup.h>

#include "calsync-fake-google.h"

G_BEGIN_DECLS

#define FAKE_OAUTH_PREFIX "/o/oauth2/v2"
#define FAKE_API_PREFIX "/calendar/v3"
#define FAKE_CLIENT_ID "fake-client-id"
#define FAKE_CLIENT_SECRET "fake-client-secret"
#define EVENTS_DEFAULT_MAX_RESULTS 250
#define EVENTS_MAX_RESULTS 2500
#define CALENDAR_LIST_DEFAULT_MAX_RESULTS 100
#define CALENDAR_LIST_MAX_RESULTS 250

typedef struct
{
  char *id;
  JsonObject *object;
  GRefString *json;           /* the full resource */
  GRefString *minimal_json;   /* what incremental syncs send for a cancelled event */
  guint64 seq;                /* update sequence */
  guint position;             /* insertion order: the "unspecified, stable order" */
  gint64 start_us;
  gint64 end_us;
  gboolean cancelled;         /* status "cancelled": hidden unless showDeleted or incremental */
  gboolean deleted;           /* by events.delete: a tombstone that purge_deleted drops */
  gboolean untimed;           /* no readable start (put_malformed_event): in every full listing */
} FakeEvent;

typedef struct
{
  char *id;
  char *summary;
  GHashTable *events;         /* id → FakeEvent */
  guint next_position;
} FakeCalendar;

/* An entry of a user's calendarList (kept when removed, for incremental syncs) */
typedef struct
{
  char *id;
  char *summary;
  char *access_role;          /* NULL: "owner" */
  gboolean primary;
  gboolean deleted;
  guint64 seq;
} ListEntry;

/* A listing cut into pages: the results are fixed when the first page is served.
 * Page tokens name an offset into it and, as Google's, may be used again. */
typedef struct
{
  gatomicrefcount ref_count;
  char *signature;            /* user, path and every parameter except pageToken */
  GPtrArray *items;           /* GRefString */
  guint page_size;
  char *calendar_id;          /* "" for calendarList */
  guint64 seq;                /* sequence the next sync token continues from */
  char *sync_token;           /* given out with the last page (once made) */
  GHashTable *next_tokens;    /* offset → the page token that names it (the same each time) */
  char *repeated_token;       /* CALSYNC_FAKE_FAULT_REPEATED_PAGE_TOKEN: the one token */
} Cursor;

typedef struct
{
  Cursor *cursor;
  guint offset;
} PageRef;

typedef struct
{
  char *calendar_id;          /* "" for calendarList */
  char *user;
  guint64 seq;
} SyncState;

struct _CalsyncFakeGoogle
{
  GObject parent_instance;

  /* Owned references */
  SoupServer *server;
  CalsyncFakeOAuth *oauth;
  char *api_url;
  char *auth_url;
  char *token_url;
  GHashTable *calendar_lists;  /* email → GPtrArray of ListEntry */
  GHashTable *calendars;       /* id → FakeCalendar */
  GHashTable *page_refs;       /* page token → PageRef */
  GHashTable *sync_tokens;     /* sync token → SyncState */
  GHashTable *faults;          /* calendar id ("" for all) → CalsyncFakeFault */
  GPtrArray *streams;          /* FakeStream: bodies still being written */

  guint64 seq;
  gint64 last_updated_us;
  guint page_size;
  guint n_requests;
  guint n_writes;
  char *last_send_updates;
  char *pending_send_updates;  /* of the write being answered */     /* sendUpdates of the last write ("" when absent) */
  gboolean stall_writes;       /* answers to accepted writes are held back */
  GPtrArray *stalled;          /* SoupServerMessage, paused */
  guint n_gzipped;
  guint n_tokens;
  guint64 streamed_bytes;
  guint trickle_interval_ms;
  guint64 huge_field_size;
  CalsyncFakeGzip gzip;
};

/* calsync-fake-google.c */
FakeCalendar *calsync_fake_google_ensure_calendar (CalsyncFakeGoogle *self,
                                                  const char        *calendar_id);
char         *calsync_fake_google_format_updated  (gint64             usec);
GRefString   *calsync_fake_google_serialize       (JsonObject        *object);
void          calsync_fake_google_store_event     (CalsyncFakeGoogle *self,
                                                  FakeCalendar      *calendar,
                                                  JsonObject        *object,
                                                  const char        *updated,
                                                  const char        *etag);
ListEntry    *calsync_fake_google_find_entry      (CalsyncFakeGoogle *self,
                                                  const char        *email,
                                                  const char        *calendar_id);
CalsyncFakeFault calsync_fake_google_peek_fault   (CalsyncFakeGoogle *self,
                                                  const char        *calendar_id);
CalsyncFakeFault calsync_fake_google_take_fault   (CalsyncFakeGoogle *self,
                                                  const char        *calendar_id);

/* calsync-fake-google-serve.c */
void          calsync_fake_google_api_handler     (SoupServer        *server,
                                                  SoupServerMessage *msg,
                                                  const char        *path,
                                                  GHashTable        *query,
                                                  gpointer           user_data);
Cursor       *cursor_ref                          (Cursor            *cursor);
void          cursor_unref                        (Cursor            *cursor);
void          page_ref_free                       (PageRef           *ref);
void          sync_state_free                     (SyncState         *state);
void          calsync_fake_google_respond_error   (CalsyncFakeGoogle *self,
                                                  SoupServerMessage *msg,
                                                  guint              status,
                                                  const char        *reason,
                                                  const char        *message,
                                                  const char        *status_text);

/* calsync-fake-google-write.c */
void          calsync_fake_google_serve_event     (CalsyncFakeGoogle *self,
                                                  SoupServerMessage *msg,
                                                  const char        *email,
                                                  const char        *calendar_id,
                                                  const char        *event_id);

/* calsync-fake-google-stream.c */
typedef struct _FakeStream FakeStream;

void          fake_stream_free                    (FakeStream        *stream);
gboolean      calsync_fake_google_wants_gzip      (CalsyncFakeGoogle *self,
                                                  SoupServerMessage *msg);
void          calsync_fake_google_respond         (CalsyncFakeGoogle *self,
                                                  SoupServerMessage *msg,
                                                  guint              status,
                                                  GString           *body);
void          calsync_fake_google_respond_nested  (CalsyncFakeGoogle *self,
                                                  SoupServerMessage *msg);
void          calsync_fake_google_respond_trickle (CalsyncFakeGoogle *self,
                                                  SoupServerMessage *msg,
                                                  GString           *body);
void          calsync_fake_google_respond_huge    (CalsyncFakeGoogle *self,
                                                  SoupServerMessage *msg,
                                                  GString           *head,
                                                  GString           *tail);

G_END_DECLS
