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
 */
typedef enum
{
  CALSYNC_SYNC_ERROR_CURSOR_EXPIRED,
  CALSYNC_SYNC_ERROR_BUSY,
  CALSYNC_SYNC_ERROR_NOTHING_CONNECTED,
  CALSYNC_SYNC_ERROR_PAGING,
  CALSYNC_SYNC_ERROR_NOT_SUPPORTED,
  CALSYNC_SYNC_ERROR_FAILED,
} CalsyncSyncError;

GQuark calsync_sync_error_quark (void);

/**
 * CalsyncFetchRequest:
 * @cursor: (nullable): the incremental cursor of the last round; %NULL for a
 *   full round over the window
 * @page_token: (nullable): the page to fetch; %NULL for the first one
 * @time_min: start of the window (unix seconds), full rounds only
 * @time_max: end of the window (unix seconds), full rounds only
 */
typedef struct
{
  const char *cursor;
  const char *page_token;
  gint64 time_min;
  gint64 time_max;
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
  /* Optional until two-way sync lands for the provider */
  void          (*write_event_async)     (CalsyncProvider           *self,
                                          CalsyncCalendar           *calendar,
                                          CalsyncWriteKind           kind,
                                          CalsyncEvent              *event,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
  CalsyncEvent *(*write_event_finish)    (CalsyncProvider           *self,
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
void          calsync_provider_write_event_async     (CalsyncProvider           *self,
                                                      CalsyncCalendar           *calendar,
                                                      CalsyncWriteKind           kind,
                                                      CalsyncEvent              *event,
                                                      GCancellable              *cancellable,
                                                      GAsyncReadyCallback        callback,
                                                      gpointer                   user_data);
CalsyncEvent *calsync_provider_write_event_finish    (CalsyncProvider           *self,
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
