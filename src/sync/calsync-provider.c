/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-provider.c: what the sync engine asks of a calendar service. */
#define G_LOG_DOMAIN "calsync-provider"

#include "config.h"

#include "calsync-provider.h"

G_DEFINE_QUARK (calsync-sync-error-quark, calsync_sync_error)

G_DEFINE_INTERFACE (CalsyncProvider, calsync_provider, G_TYPE_OBJECT)

static void
calsync_provider_default_init (CalsyncProviderInterface *iface)
{
}

/**
 * calsync_provider_list_calendars_async:
 *
 * Lists the calendars of the account the provider was created for.
 */
void
calsync_provider_list_calendars_async (CalsyncProvider     *self,
                                       GCancellable        *cancellable,
                                       GAsyncReadyCallback  callback,
                                       gpointer             user_data)
{
  g_return_if_fail (CALSYNC_IS_PROVIDER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  CALSYNC_PROVIDER_GET_IFACE (self)->list_calendars_async (self, cancellable, callback, user_data);
}

/**
 * calsync_provider_list_calendars_finish:
 *
 * Returns: (transfer container) (element-type CalsyncCalendar): the calendars
 */
GPtrArray *
calsync_provider_list_calendars_finish (CalsyncProvider  *self,
                                        GAsyncResult     *result,
                                        GError          **error)
{
  g_return_val_if_fail (CALSYNC_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return CALSYNC_PROVIDER_GET_IFACE (self)->list_calendars_finish (self, result, error);
}

/**
 * calsync_provider_fetch_page_async:
 * @request: what to fetch; copied, need not outlive the call
 *
 * Fetches and parses one page of events of @calendar.
 */
void
calsync_provider_fetch_page_async (CalsyncProvider           *self,
                                   CalsyncCalendar           *calendar,
                                   const CalsyncFetchRequest *request,
                                   GCancellable              *cancellable,
                                   GAsyncReadyCallback        callback,
                                   gpointer                   user_data)
{
  g_return_if_fail (CALSYNC_IS_PROVIDER (self));
  g_return_if_fail (CALSYNC_IS_CALENDAR (calendar));
  g_return_if_fail (request != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  CALSYNC_PROVIDER_GET_IFACE (self)->fetch_page_async (self, calendar, request,
                                                       cancellable, callback, user_data);
}

/**
 * calsync_provider_fetch_page_finish:
 *
 * Returns: (transfer full): the page, or %NULL with @error set. A 410 from
 *   Google finishes with %CALSYNC_SYNC_ERROR_TOKEN_EXPIRED.
 */
CalsyncPage *
calsync_provider_fetch_page_finish (CalsyncProvider  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  g_return_val_if_fail (CALSYNC_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return CALSYNC_PROVIDER_GET_IFACE (self)->fetch_page_finish (self, result, error);
}
