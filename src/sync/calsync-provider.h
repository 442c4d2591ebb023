/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-provider.h: what the sync engine asks of a calendar service. */
#pragma once

#include <gio/gio.h>

#include "calsync-calendar.h"
#include "calsync-event.h"
#include "calsync-page.h"

G_BEGIN_DECLS

#define CALSYNC_SYNC_ERROR (calsync_sync_error_quark ())

typedef enum
{
  CALSYNC_SYNC_ERROR_TOKEN_EXPIRED,   /* incremental token gone (Google 410): do a full sync */
  CALSYNC_SYNC_ERROR_BUSY,
  CALSYNC_SYNC_ERROR_NOTHING_CONNECTED,
  CALSYNC_SYNC_ERROR_FAILED,
} CalsyncSyncError;

GQuark calsync_sync_error_quark (void);

/**
 * CalsyncFetchRequest:
 * @sync_token: (nullable): incremental token; %NULL for a full sync of the window
 * @page_token: (nullable): the page to fetch; %NULL for the first one
 * @time_min: start of the window (unix seconds), full sync only
 * @time_max: end of the window (unix seconds), full sync only
 */
typedef struct
{
  const char *sync_token;
  const char *page_token;
  gint64 time_min;
  gint64 time_max;
} CalsyncFetchRequest;

#define CALSYNC_TYPE_PROVIDER (calsync_provider_get_type ())
G_DECLARE_INTERFACE (CalsyncProvider, calsync_provider, CALSYNC, PROVIDER, GObject)

struct _CalsyncProviderInterface
{
  GTypeInterface parent_iface;

  void          (*list_calendars_async)  (CalsyncProvider     *self,
                                          GCancellable        *cancellable,
                                          GAsyncReadyCallback  callback,
                                          gpointer             user_data);
  GPtrArray    *(*list_calendars_finish) (CalsyncProvider     *self,
                                          GAsyncResult        *result,
                                          GError             **error);
  void          (*fetch_page_async)      (CalsyncProvider           *self,
                                          CalsyncCalendar           *calendar,
                                          const CalsyncFetchRequest *request,
                                          GCancellable              *cancellable,
                                          GAsyncReadyCallback        callback,
                                          gpointer                   user_data);
  CalsyncPage  *(*fetch_page_finish)     (CalsyncProvider     *self,
                                          GAsyncResult        *result,
                                          GError             **error);
};

/* Calendars as CalsyncCalendar (remote id, name exactly as the provider gives it,
 * colour, primary flag); ids are not set. */
void          calsync_provider_list_calendars_async  (CalsyncProvider     *self,
                                                      GCancellable        *cancellable,
                                                      GAsyncReadyCallback  callback,
                                                      gpointer             user_data);
GPtrArray    *calsync_provider_list_calendars_finish (CalsyncProvider     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);
void          calsync_provider_fetch_page_async      (CalsyncProvider           *self,
                                                      CalsyncCalendar           *calendar,
                                                      const CalsyncFetchRequest *request,
                                                      GCancellable              *cancellable,
                                                      GAsyncReadyCallback        callback,
                                                      gpointer                   user_data);
CalsyncPage  *calsync_provider_fetch_page_finish     (CalsyncProvider     *self,
                                                      GAsyncResult        *result,
                                                      GError             **error);

G_END_DECLS
