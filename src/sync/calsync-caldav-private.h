/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-private.h: what the CalDAV provider's files share — the
 * multistatus reader (calsync-caldav-xml.c), the discovery
 * (calsync-caldav-discovery.c) and the request bodies. */
#pragma once

#include "calsync-caldav-provider.h"

G_BEGIN_DECLS

#define CALDAV_NS_DAV    "DAV:"
#define CALDAV_NS_CALDAV "urn:ietf:params:xml:ns:caldav"
#define CALDAV_NS_CS     "http://calendarserver.org/ns/"
#define CALDAV_NS_APPLE  "http://apple.com/ns/ical/"

/* Bounds on what a server sends */
#define CALDAV_MAX_XML_DEPTH     64
#define CALDAV_MAX_FIELD         (64 * 1024)         /* a name, an etag, a token, an href */
#define CALDAV_MAX_CALENDAR_DATA (4 * 1024 * 1024)   /* one resource's iCalendar text */
#define CALDAV_MAX_RESPONSES     200000              /* entries of one multistatus */

/**
 * CaldavEntry:
 *
 * One `DAV:response` of a multistatus: a resource or a collection, with the
 * properties its 2xx propstats carried. Hrefs are absolute URLs (resolved
 * against the URL that answered), kept percent-encoded as the server sent them.
 */
typedef struct
{
  char *href;
  guint status;                /* the response's own status (sync-collection 404), 0 if none */
  char *etag;
  char *calendar_data;
  char *displayname;
  char *color;                 /* as sent: #RRGGBB or #RRGGBBAA */
  char *sync_token;
  char *ctag;
  char *principal;             /* current-user-principal */
  char *home_set;              /* calendar-home-set (the first href) */
  guint is_collection : 1;
  guint is_calendar : 1;
  guint has_comp_set : 1;      /* supported-calendar-component-set was given */
  guint supports_vevent : 1;
  guint has_privileges : 1;    /* current-user-privilege-set was given */
  guint can_write : 1;         /* DAV:write, write-content or all */
  guint has_report_set : 1;
  guint supports_sync : 1;     /* sync-collection in supported-report-set */
  guint data_too_large : 1;    /* calendar-data over the bound: not kept */
} CaldavEntry;

typedef struct
{
  GPtrArray *entries;          /* CaldavEntry */
  char *sync_token;            /* sync-collection: the new token */
  gboolean truncated;          /* sync-collection: 507 on the collection, more to come */
  gboolean valid_sync_token;   /* an error body naming DAV:valid-sync-token */
} CaldavMultistatus;

void               caldav_entry_free          (CaldavEntry        *entry);
void               caldav_multistatus_free    (CaldavMultistatus  *multistatus);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaldavEntry, caldav_entry_free)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CaldavMultistatus, caldav_multistatus_free)

/* Reads a multistatus (or a DAV:error body) with a streaming reader: no tree,
 * no network, no external entities, bounded depth and field sizes. */
CaldavMultistatus *caldav_parse_multistatus   (const char         *data,
                                               gsize               length,
                                               const char         *base_uri,
                                               GError            **error);

/* "#rrggbb" from an Apple calendar-color ("#RRGGBB" or "#RRGGBBAA"), or NULL */
char              *caldav_normalize_color     (const char         *color);
/* Whether two collection URLs name the same collection (a trailing slash aside) */
gboolean           caldav_same_collection     (const char         *a,
                                               const char         *b);
/* The path of @url, for a DAV:href in a request body (XML-escaped) */
char              *caldav_href_for_body       (const char         *url);

/* Discovery: from the URL the person typed to the calendars (remote id = the
 * collection's absolute URL) */
void               caldav_discover_async      (CalsyncCaldavProvider *provider,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
/* (element-type CalsyncCalendar) */
GPtrArray         *caldav_discover_finish     (CalsyncCaldavProvider *provider,
                                               GAsyncResult          *result,
                                               GError               **error);

/* Sends a WebDAV request (@body may be NULL) as the account, expecting XML */
void               caldav_request_async       (CalsyncCaldavProvider *provider,
                                               const char            *method,
                                               const char            *url,
                                               const char            *depth,
                                               const char            *body,
                                               GCancellable          *cancellable,
                                               GAsyncReadyCallback    callback,
                                               gpointer               user_data);
/* @error_response: (out) (optional): the answer of a non-2xx status */
CalsyncHttpResponse *caldav_request_finish    (CalsyncCaldavProvider *provider,
                                               GAsyncResult          *result,
                                               CalsyncHttpResponse  **error_response,
                                               GError               **error);

GError            *caldav_malformed_error     (void);

/* Where the discovery found the calendars (a home, or one calendar) */
void               caldav_provider_set_calendars_url (CalsyncCaldavProvider *provider,
                                                      const char            *url);

/* Resources per page: a page is one transaction of the store */
#define CALDAV_PAGE_RESOURCES  250
/* Pages a round may take before they grow: the engine allows 150 */
#define CALDAV_MAX_ROUND_PAGES 100

/* Request bodies (calsync-caldav-pages.c) */
extern const char  caldav_sync_props_body[];
extern const char  caldav_collection_props_body[];
char              *caldav_calendar_query_body (gint64              time_min,
                                               gint64              time_max,
                                               gboolean            with_data);
char              *caldav_sync_collection_body (const char        *token);
char              *caldav_multiget_body       (GPtrArray          *hrefs,
                                               guint               from,
                                               guint               to);

/* Answers made into pages, in a worker thread (calsync-caldav-pages.c) */
typedef enum
{
  CALDAV_BUILD_EVENTS,          /* resources with their data → events */
  CALDAV_BUILD_CHANGES,         /* hrefs and etags (sync-collection, etag listing) → what to fetch */
} CaldavBuildKind;

typedef struct
{
  /* In */
  CaldavBuildKind kind;
  char *calendar_url;
  GBytes *body;               /* a multistatus to read first, or NULL */
  char *base_uri;
  GPtrArray *entries;         /* CaldavEntry, when there is no body */
  GPtrArray *removed;         /* hrefs known gone */
  GHashTable *known_etags;    /* href → etag, copied */
  gboolean etag_listing;      /* CALDAV_BUILD_CHANGES: the listing is complete (ctag round) */
  gint64 time_min;
  gint64 time_max;
  gboolean full_snapshot;
  char *cursor;               /* the cursor of the round's end */

  /* Out */
  CalsyncPage *page;
  GPtrArray *leftover;        /* CaldavEntry not in this page */
  GPtrArray *to_fetch;        /* CALDAV_BUILD_CHANGES: hrefs */
  gboolean truncated;
  gboolean expired;           /* an error body naming DAV:valid-sync-token */
} CaldavBuild;

CaldavBuild       *caldav_build_new           (CaldavBuildKind            kind,
                                               CalsyncCalendar           *calendar,
                                               const CalsyncFetchRequest *request);
void               caldav_build_free          (CaldavBuild               *build);
/* GTaskThreadFunc; the task data is the CaldavBuild */
void               caldav_build_thread        (GTask                     *task,
                                               gpointer                   source_object,
                                               gpointer                   task_data,
                                               GCancellable              *cancellable);
GHashTable        *caldav_copy_known_etags    (GHashTable                *known);

G_END_DECLS
