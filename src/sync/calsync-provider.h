/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-provider.h: what the sync engine asks of a calendar service, whatever
 * it is: the calendar list, pages of changes, writes with an etag, and texts
 * for people in the service's own words. */
#pragma once

#include <gio/gio.h>

#include "calsync-account.h"
#include "calsync-calendar.h"
#include "calsync-credentials.h"
#include "calsync-event.h"
#include "calsync-http.h"
#include "calsync-page.h"

G_BEGIN_DECLS

#define CALSYNC_SYNC_ERROR (calsync_sync_error_quark ())

/**
 * CalsyncSyncError:
 * @CALSYNC_SYNC_ERROR_CURSOR_EXPIRED: the incremental cursor is gone (Google
 *   410, Graph syncStateNotFound, an invalid CalDAV sync-token): do a full sync
 * @CALSYNC_SYNC_ERROR_BUSY: another sync holds the database
 * @CALSYNC_SYNC_ERROR_NOTHING_CONNECTED: no calendar to sync
 * @CALSYNC_SYNC_ERROR_PAGING: the server's pages do not end (a page token seen
 *   before, more pages than any calendar has)
 * @CALSYNC_SYNC_ERROR_NOT_SUPPORTED: the provider cannot do this (yet)
 * @CALSYNC_SYNC_ERROR_FAILED: anything else; the message is for people
 * @CALSYNC_SYNC_ERROR_WRITE_REFUSED: the server refused a local change for good
 *   (403 no permission, 404/410 the event is gone): the change is dropped,
 *   the server's copy restored, the message names the event
 * @CALSYNC_SYNC_ERROR_READ_ONLY: the calendar cannot be changed from here
 */
typedef enum
{
  CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
  CALSYNC_SYNC_ERROR_BUSY,
  CALSYNC_SYNC_ERROR_NOTHING_CONNECTED,
  CALSYNC_SYNC_ERROR_PAGING,
  CALSYNC_SYNC_ERROR_NOT_SUPPORTED,
  CALSYNC_SYNC_ERROR_FAILED,
  CALSYNC_SYNC_ERROR_WRITE_REFUSED,
  CALSYNC_SYNC_ERROR_READ_ONLY,
} CalsyncSyncError;

GQuark calsync_sync_error_quark (void);

/**
 * CalsyncFetchRequest:
 * @cursor: (nullable): the incremental cursor of the last round; %NULL for a
 *   full round over the window
 * @page_token: (nullable): the page to fetch; %NULL for the first one
 * @time_min: start of the window (unix seconds), full rounds only
 * @time_max: end of the window (unix seconds), full rounds only
 * @known_etags: (nullable) (element-type utf8 utf8): CalDAV: href → etag of the
 *   resources stored for this calendar, so that unchanged ones are not fetched
 *   again (a server without sync-collection, or our own PUT coming back)
 */
typedef struct
{
  const char *cursor;
  const char *page_token;
  gint64 time_min;
  gint64 time_max;
  GHashTable *known_etags;
} CalsyncFetchRequest;

/**
 * CalsyncWriteKind:
 *
 * A local change sent to the server, conditional on the event's etag.
 */
typedef enum
{
  CALSYNC_WRITE_CREATE,
  CALSYNC_WRITE_UPDATE,
  CALSYNC_WRITE_DELETE,
} CalsyncWriteKind;

/**
 * CalsyncWrite:
 * @kind: what happened here
 * @event: the event as edited here (for a delete: as it was stored); an
 *   instance of a series carries its recurring event id and original start,
 *   and the change concerns that instance only
 * @etag: (nullable): what the write is conditional on (`If-Match`): the stored
 *   event's etag (Google, Graph) or its resource's (CalDAV); %NULL for a create
 *   (CalDAV: `If-None-Match: *`)
 * @resource_id: (nullable): CalDAV: href of the resource holding the event;
 *   %NULL for a create (the provider makes one from the UID)
 * @resource_text: (nullable): CalDAV: the resource's iCalendar text as last
 *   fetched or written; everything the change does not touch is kept from it
 *   (VALARMs, X- properties, ATTACH, other instances' overrides)
 * @local_updated: when the change was made here (real time, µs): against the
 *   server's `updated`/`LAST-MODIFIED` it settles a conflict
 * @whole: CalDAV: @resource_text is the complete new text of the resource (a
 *   series imported with `--import --calendar`, overrides and rule included):
 *   sent as it is, conditional as above; @event is its first instance
 *   (Google, Graph: the series is created or replaced from it)
 * @idempotency_key: the same for every attempt to send this one change, and
 *   never for another: a create derives from it what makes a retry harmless
 *   after the server took the first attempt but the answer was lost (Google:
 *   the client-chosen event `id`; Graph: `transactionId`)
 * @notify_guests: the person asked that guests be told (Google
 *   `sendUpdates=all`; otherwise `none`, no invitation mail by surprise)
 */
typedef struct
{
  CalsyncWriteKind kind;
  CalsyncEvent *event;
  const char *etag;
  const char *resource_id;
  const char *resource_text;
  gint64 local_updated;
  gboolean whole;
  const char *idempotency_key;
  gboolean notify_guests;
} CalsyncWrite;

/**
 * CalsyncWriteOutcome:
 * @CALSYNC_WRITE_OUTCOME_WRITTEN: the server took the change
 * @CALSYNC_WRITE_OUTCOME_WON: the server's copy had changed (412), ours was
 *   newer and was written over it: the server's edit lost (a conflict)
 * @CALSYNC_WRITE_OUTCOME_LOST: the server's copy had changed and is newer: our
 *   change is dropped and the server's copy (in the result) kept (a conflict)
 */
typedef enum
{
  CALSYNC_WRITE_OUTCOME_WRITTEN,
  CALSYNC_WRITE_OUTCOME_WON,
  CALSYNC_WRITE_OUTCOME_LOST,
} CalsyncWriteOutcome;

/**
 * CalsyncWriteResult:
 * @outcome: see #CalsyncWriteOutcome
 * @remote_id: (nullable): the server's id of the event (Google, Graph: a
 *   created event's id)
 * @etag: (nullable): the etag now on the server (%NULL when it did not say,
 *   or after a delete)
 * @resource_id: (nullable): CalDAV: the href written (or kept, when LOST)
 * @resource_text: (nullable): CalDAV: the resource's text now on the server
 *   (%NULL after a delete)
 * @server_event: (nullable): Google, Graph: the server's copy as returned
 * @deleted: the resource or event is gone from the server (a delete written,
 *   or LOST against a deletion on the server)
 * @replaced: Google, Graph: a whole series (@write's `whole`) was written as
 *   the server's own events, whose ids differ from the ones stored here: the
 *   rows stored for it go, and the pull that follows brings the server's
 */
typedef struct
{
  CalsyncWriteOutcome outcome;
  char *remote_id;
  char *etag;
  char *resource_id;
  char *resource_text;
  CalsyncEvent *server_event;
  gboolean deleted;
  gboolean replaced;
} CalsyncWriteResult;

/**
 * CalsyncRefusalTexts:
 * @forbidden: 403: the server does not let this account change the event
 * @calendar_gone: 404/410 of a create: the calendar is no longer there
 * @event_gone: 404/410 of an update or delete: the event is no longer there
 * @bad_request: 400 (and CalDAV's 409/415): the server does not take the change
 *
 * A service's words for a change it refused for good, translated, each with
 * one "%s" that stands for the event's title.
 */
typedef struct
{
  const char *forbidden;
  const char *calendar_gone;
  const char *event_gone;
  const char *bad_request;
} CalsyncRefusalTexts;

/* The title of @event for a message: "Untitled event" when it has none, no
 * control characters */
char               *calsync_write_shown_title (CalsyncEvent              *event);
/* A %CALSYNC_SYNC_ERROR_WRITE_REFUSED with the message @format makes */
GError             *calsync_write_refused_error (const char            *format,
                                                 ...) G_GNUC_PRINTF (1, 2);
/* What @error (met writing @kind of @event) means: a
 * %CALSYNC_SYNC_ERROR_WRITE_REFUSED in @texts' words, or %NULL when the
 * change is to wait (the network, the server's errors, the sign-in) */
GError             *calsync_write_refusal     (const GError              *error,
                                               CalsyncWriteKind           kind,
                                               CalsyncEvent              *event,
                                               const CalsyncRefusalTexts *texts);

/* Whether @server_event (the server's copy, read after a 412) already holds
 * what writing @event sends — its title, description, location and times: an
 * earlier attempt whose answer was lost (a crash between the server's
 * acceptance and the local commit) wrote it. Such a write is done: neither a
 * conflict won nor one lost. */
gboolean            calsync_write_holds_change (CalsyncEvent             *server_event,
                                                CalsyncEvent             *event);

CalsyncWriteResult *calsync_write_result_new  (void);
void                calsync_write_result_free (CalsyncWriteResult *result);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncWriteResult, calsync_write_result_free)

#define CALSYNC_TYPE_PROVIDER (calsync_provider_get_type ())
G_DECLARE_INTERFACE (CalsyncProvider, calsync_provider, CALSYNC, PROVIDER, GObject)

struct _CalsyncProviderInterface
{
  GTypeInterface parent_iface;

  void          (*list_calendars_async)  (CalsyncProvider           *self,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
  GPtrArray    *(*list_calendars_finish) (CalsyncProvider           *self,
                                          GAsyncResult              *result,
                                          GError                   **error);
  void          (*fetch_page_async)      (CalsyncProvider           *self,
                                          CalsyncCalendar           *calendar,
                                          const CalsyncFetchRequest *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
  CalsyncPage  *(*fetch_page_finish)     (CalsyncProvider           *self,
                                          GAsyncResult              *result,
                                          GError                   **error);
  /* Optional until two-way sync lands for the provider (NULL: changes wait) */
  void          (*write_event_async)     (CalsyncProvider           *self,
                                          CalsyncCalendar           *calendar,
                                          const CalsyncWrite        *write,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
  CalsyncWriteResult *(*write_event_finish) (CalsyncProvider        *self,
                                          GAsyncResult              *result,
                                          GError                   **error);
  /* A text for people in the service's words, or NULL for the generic one */
  char         *(*error_text)            (CalsyncProvider           *self,
                                          const GError              *error);
  /* Optional: the address of the signed-in account */
  void          (*get_account_address_async)  (CalsyncProvider      *self,
                                               GPtrArray            *calendars,
                                               GCancellable         *cancellable,
                                               GAsyncReadyCallback   callback,
                                               gpointer              user_data);
  char         *(*get_account_address_finish) (CalsyncProvider      *self,
                                               GAsyncResult         *result,
                                               GError              **error);
};

/* Calendars as CalsyncCalendar (remote id, name exactly as the provider gives it,
 * colour, primary flag); ids are not set. */
void          calsync_provider_list_calendars_async  (CalsyncProvider           *self,
                                                      GCancellable              *cancellable,
                                                      GAsyncReadyCallback        callback,
                                                      gpointer                   user_data);
GPtrArray    *calsync_provider_list_calendars_finish (CalsyncProvider           *self,
                                                      GAsyncResult              *result,
                                                      GError                   **error);
void          calsync_provider_fetch_page_async      (CalsyncProvider           *self,
                                                      CalsyncCalendar           *calendar,
                                                      const CalsyncFetchRequest *request,
                                                      GCancellable              *cancellable,
                                                      GAsyncReadyCallback        callback,
                                                      gpointer                   user_data);
CalsyncPage  *calsync_provider_fetch_page_finish     (CalsyncProvider           *self,
                                                      GAsyncResult              *result,
                                                      GError                   **error);
gboolean      calsync_provider_can_write             (CalsyncProvider           *self);
void          calsync_provider_write_event_async     (CalsyncProvider           *self,
                                                      CalsyncCalendar           *calendar,
                                                      const CalsyncWrite        *write,
                                                      GCancellable              *cancellable,
                                                      GAsyncReadyCallback        callback,
                                                      gpointer                   user_data);
CalsyncWriteResult *calsync_provider_write_event_finish (CalsyncProvider        *self,
                                                      GAsyncResult              *result,
                                                      GError                   **error);
char         *calsync_provider_error_text            (CalsyncProvider           *self,
                                                      const GError              *error);
/* The address of the signed-in account (Google: the primary calendar's id;
 * Graph: the user's mail, else userPrincipalName) */
void          calsync_provider_get_account_address_async  (CalsyncProvider      *self,
                                                           GPtrArray            *calendars,
                                                           GCancellable         *cancellable,
                                                           GAsyncReadyCallback   callback,
                                                           gpointer              user_data);
char         *calsync_provider_get_account_address_finish (CalsyncProvider      *self,
                                                           GAsyncResult         *result,
                                                           GError              **error);

/* Texts for errors no provider words differently (offline, keyring, database) */
char         *calsync_sync_error_text                (const GError              *error);

/* The factory: the credentials and the provider of @account */
CalsyncCredentials *calsync_credentials_new_for_account (CalsyncAccount         *account,
                                                      CalsyncHttp               *http,
                                                      GError                   **error);
CalsyncProvider    *calsync_provider_new_for_account    (CalsyncAccount         *account,
                                                      CalsyncHttp               *http,
                                                      CalsyncCredentials        *credentials,
                                                      GError                   **error);

G_END_DECLS
