/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-setup-caldav-stub.c: TEMPORARY stand-in for the CalDAV setup of
 * branch h-caldav, so that the dialog builds; reverted before that branch is merged. */
#define G_LOG_DOMAIN "calsync-account-setup"

#include "config.h"

#include <gio/gio.h>

#include "calsync-account-setup.h"

void
calsync_account_setup_caldav_async (CalsyncStore        *store,
                                    CalsyncHttp         *http,
                                    const char          *server_url,
                                    const char          *username,
                                    const char          *password,
                                    gboolean             allow_insecure,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (NULL, cancellable, callback, user_data);
  GError *error = NULL;

  g_task_set_source_tag (task, calsync_account_setup_caldav_async);
  if (!calsync_http_check_url (server_url, allow_insecure, &error))
    g_task_return_error (task, error);
  else
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NOT_SUPPORTED, "CalDAV is not available yet");
}

CalsyncAccount *
calsync_account_setup_caldav_finish (GAsyncResult  *result,
                                     guint         *n_calendars,
                                     GError       **error)
{
  if (n_calendars != NULL)
    *n_calendars = 0;
  return g_task_propagate_pointer (G_TASK (result), error);
}
