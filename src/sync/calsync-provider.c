/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-provider.c: what the sync engine asks of a calendar service, the
 * texts no service words differently, and the factory from an account. */
#define G_LOG_DOMAIN "calsync-provider"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "calsync-caldav-provider.h"
#include "calsync-google-provider.h"
#include "calsync-outlook-provider.h"
#include "calsync-provider.h"
#include "calsync-secrets.h"
#include "calsync-text.h"

G_DEFINE_QUARK (calsync-sync-error-quark, calsync_sync_error)

G_DEFINE_INTERFACE (CalsyncProvider, calsync_provider, G_TYPE_OBJECT)

static void
default_get_account_address_async (CalsyncProvider     *self,
                                   GPtrArray           *calendars,
                                   GCancellable        *cancellable,
                                   GAsyncReadyCallback  callback,
                                   gpointer             user_data)
{
  g_task_report_new_error (self, callback, user_data, default_get_account_address_async,
                           CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_NOT_SUPPORTED,
                           _("CalSync cannot tell which account this is."));
}

static char *
default_get_account_address_finish (CalsyncProvider  *self,
                                    GAsyncResult     *result,
                                    GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
calsync_provider_default_init (CalsyncProviderInterface *iface)
{
  iface->get_account_address_async = default_get_account_address_async;
  iface->get_account_address_finish = default_get_account_address_finish;
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
 * Fetches and parses (off the main thread) one page of changes of @calendar.
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
 * Returns: (transfer full): the page, or %NULL with @error set;
 *   %CALSYNC_SYNC_ERROR_CURSOR_EXPIRED when the server wants a full round
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

/**
 * calsync_provider_can_write:
 *
 * Returns: whether the provider sends local changes to its server; while it
 *   does not, they wait in the outbox
 */
gboolean
calsync_provider_can_write (CalsyncProvider *self)
{
  g_return_val_if_fail (CALSYNC_IS_PROVIDER (self), FALSE);

  return CALSYNC_PROVIDER_GET_IFACE (self)->write_event_async != NULL;
}

/**
 * calsync_provider_write_event_async:
 * @write: the change; its strings and event only need to live until this returns
 *
 * Sends one local change, conditional on its etag. A conflict (412, or the
 * resource changed since it was fetched) is settled here: the server's copy is
 * fetched again, and the newer by the server's `updated`/`LAST-MODIFIED`
 * against @write's local edit time wins (%CALSYNC_WRITE_OUTCOME_WON or _LOST).
 * Fails with %CALSYNC_SYNC_ERROR_WRITE_REFUSED when the server refuses the
 * change for good (403, 404, 410), with network and server errors otherwise
 * (the change then waits for the next sync).
 */
void
calsync_provider_write_event_async (CalsyncProvider     *self,
                                    CalsyncCalendar     *calendar,
                                    const CalsyncWrite  *write,
                                    GCancellable        *cancellable,
                                    GAsyncReadyCallback  callback,
                                    gpointer             user_data)
{
  g_return_if_fail (CALSYNC_IS_PROVIDER (self));
  g_return_if_fail (CALSYNC_IS_CALENDAR (calendar));
  g_return_if_fail (write != NULL && CALSYNC_IS_EVENT (write->event));

  if (!calsync_provider_can_write (self))
    {
      g_task_report_new_error (self, callback, user_data, calsync_provider_write_event_async,
                               CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_NOT_SUPPORTED,
                               _("Changes to this calendar cannot be sent to the server yet."));
      return;
    }

  CALSYNC_PROVIDER_GET_IFACE (self)->write_event_async (self, calendar, write,
                                                        cancellable, callback, user_data);
}

/**
 * calsync_provider_write_event_finish:
 *
 * Returns: (transfer full): what the server now has, or %NULL with @error set
 */
CalsyncWriteResult *
calsync_provider_write_event_finish (CalsyncProvider  *self,
                                     GAsyncResult     *result,
                                     GError          **error)
{
  g_return_val_if_fail (CALSYNC_IS_PROVIDER (self), NULL);

  if (g_async_result_is_tagged (result, calsync_provider_write_event_async))
    return g_task_propagate_pointer (G_TASK (result), error);

  return CALSYNC_PROVIDER_GET_IFACE (self)->write_event_finish (self, result, error);
}

CalsyncWriteResult *
calsync_write_result_new (void)
{
  return g_new0 (CalsyncWriteResult, 1);
}

static gboolean
same_text (const char *a,
           const char *b)
{
  return g_strcmp0 (a != NULL ? a : "", b != NULL ? b : "") == 0;
}

gboolean
calsync_write_holds_change (CalsyncEvent *server_event,
                            CalsyncEvent *event)
{
  if (!same_text (calsync_event_get_title (server_event), calsync_event_get_title (event)) ||
      !same_text (calsync_event_get_description (server_event), calsync_event_get_description (event)) ||
      !same_text (calsync_event_get_location (server_event), calsync_event_get_location (event)) ||
      calsync_event_get_all_day (server_event) != calsync_event_get_all_day (event))
    return FALSE;

  if (calsync_event_get_all_day (event))
    return g_strcmp0 (calsync_event_get_start_date (server_event), calsync_event_get_start_date (event)) == 0 &&
           g_strcmp0 (calsync_event_get_end_date (server_event), calsync_event_get_end_date (event)) == 0;

  return calsync_event_get_start (server_event) == calsync_event_get_start (event) &&
         calsync_event_get_end (server_event) == calsync_event_get_end (event);
}

char *
calsync_write_shown_title (CalsyncEvent *event)
{
  const char *title;

  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  title = calsync_event_get_title (event);
  return calsync_text_for_terminal (title != NULL && *title != '\0' ? title : _("Untitled event"), FALSE);
}

GError *
calsync_write_refused_error (const char *format,
                             ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  return g_error_new_literal (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED, message);
}

GError *
calsync_write_refusal (const GError              *error,
                       CalsyncWriteKind           kind,
                       CalsyncEvent              *event,
                       const CalsyncRefusalTexts *texts)
{
  g_autofree char *title = NULL;
  const char *text;
  const char *mark;

  g_return_val_if_fail (error != NULL && texts != NULL, NULL);

  if (error->domain != CALSYNC_HTTP_ERROR)
    return NULL;

  switch (error->code)
    {
    case CALSYNC_HTTP_ERROR_FORBIDDEN:
      text = texts->forbidden;
      break;
    case CALSYNC_HTTP_ERROR_NOT_FOUND:
    case CALSYNC_HTTP_ERROR_GONE:
      text = kind == CALSYNC_WRITE_CREATE ? texts->calendar_gone : texts->event_gone;
      break;
    case CALSYNC_HTTP_ERROR_BAD_REQUEST:
      text = texts->bad_request;
      break;
    default:
      return NULL;
    }

  /* The title in place of the one "%s" (a translated text is no format) */
  title = calsync_write_shown_title (event);
  if ((mark = strstr (text, "%s")) == NULL)
    return g_error_new_literal (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED, text);
  return g_error_new (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED, "%.*s%s%s",
                      (int) (mark - text), text, title, mark + 2);
}

void
calsync_write_result_free (CalsyncWriteResult *result)
{
  if (result == NULL)
    return;

  g_free (result->remote_id);
  g_free (result->etag);
  g_free (result->resource_id);
  g_free (result->resource_text);
  g_clear_object (&result->server_event);
  g_free (result);
}

/**
 * calsync_provider_get_account_address_async:
 * @calendars: (nullable) (element-type CalsyncCalendar): the account's calendars
 *   when the caller has just listed them (a provider whose address is its
 *   primary calendar's id then asks nothing more)
 *
 * Finds the address the account is known by: Google's primary calendar id,
 * Graph's `mail` (else `userPrincipalName`) of `GET /me`. Providers that cannot
 * tell finish with %CALSYNC_SYNC_ERROR_NOT_SUPPORTED.
 */
void
calsync_provider_get_account_address_async (CalsyncProvider     *self,
                                            GPtrArray           *calendars,
                                            GCancellable        *cancellable,
                                            GAsyncReadyCallback  callback,
                                            gpointer             user_data)
{
  g_return_if_fail (CALSYNC_IS_PROVIDER (self));
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  CALSYNC_PROVIDER_GET_IFACE (self)->get_account_address_async (self, calendars, cancellable,
                                                                callback, user_data);
}

/**
 * calsync_provider_get_account_address_finish:
 *
 * Returns: (transfer full): the account's address, or %NULL with @error set
 */
char *
calsync_provider_get_account_address_finish (CalsyncProvider  *self,
                                             GAsyncResult     *result,
                                             GError          **error)
{
  g_return_val_if_fail (CALSYNC_IS_PROVIDER (self), NULL);
  g_return_val_if_fail (G_IS_ASYNC_RESULT (result), NULL);

  return CALSYNC_PROVIDER_GET_IFACE (self)->get_account_address_finish (self, result, error);
}

/* Texts for people ------------------------------------------------------------- */

/**
 * calsync_sync_error_text:
 *
 * Returns: (transfer full): an actionable text for errors that read the same
 *   for every service; never a server body
 */
char *
calsync_sync_error_text (const GError *error)
{
  if (error == NULL)
    return g_strdup (_("The sync failed."));
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return g_strdup (_("The sync was cancelled."));
  if (calsync_credentials_error_needs_reconnect (error))
    return g_strdup (_("Sign-in expired. Reconnect the account in Preferences."));
  if (g_error_matches (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REMOVED))
    return g_strdup (_("This account was removed."));
  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_OFFLINE))
    return g_strdup (_("You're offline. Check your connection and try again."));
  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE))
    return g_strdup (_("The server address is not secure (https is required)."));
  if (g_error_matches (error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND))
    return g_strdup (_("No sign-in is stored for this account. Reconnect the account in Preferences."));
  if (error->domain == CALSYNC_SECRETS_ERROR)
    return g_strdup (_("The keyring is locked or unavailable. Unlock it and try again."));
  if (error->domain == CALSYNC_STORE_ERROR)
    return g_strdup (_("Your events could not be saved on this computer."));
  if (error->domain == CALSYNC_HTTP_ERROR || error->domain == CALSYNC_SYNC_ERROR ||
      error->domain == CALSYNC_OAUTH_ERROR)
    return g_strdup (error->message);

  return g_strdup (_("The sync failed."));
}

/**
 * calsync_provider_error_text:
 * @self: (nullable): the provider the error came from
 *
 * Returns: (transfer full): a text for people, in the service's words when it
 *   has its own (Google: "Google is limiting requests…")
 */
char *
calsync_provider_error_text (CalsyncProvider *self,
                             const GError    *error)
{
  char *text = NULL;

  g_return_val_if_fail (!self || CALSYNC_IS_PROVIDER (self), NULL);

  if (self != NULL && error != NULL && CALSYNC_PROVIDER_GET_IFACE (self)->error_text != NULL)
    text = CALSYNC_PROVIDER_GET_IFACE (self)->error_text (self, error);

  return text != NULL ? text : calsync_sync_error_text (error);
}

/* The factory ------------------------------------------------------------------- */

static GError *
not_supported (CalsyncAccount *account)
{
  return g_error_new (CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_NOT_SUPPORTED,
                      _("CalSync cannot sync %s calendars yet."),
                      calsync_account_get_provider (account));
}

/**
 * calsync_credentials_new_for_account:
 *
 * Returns: (transfer full): what @account's provider authenticates with, or
 *   %NULL with %CALSYNC_SYNC_ERROR_NOT_SUPPORTED
 */
CalsyncCredentials *
calsync_credentials_new_for_account (CalsyncAccount  *account,
                                     CalsyncHttp     *http,
                                     GError         **error)
{
  const char *provider;
  gint64 id;

  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);

  provider = calsync_account_get_provider (account);
  id = calsync_account_get_id (account);

  /* Google and Outlook sign in with OAuth */
  if (g_strcmp0 (provider, "google") == 0 || g_strcmp0 (provider, "outlook") == 0)
    {
      g_autoptr(CalsyncOAuthConfig) config = calsync_oauth_config_new_for_provider (provider);

      return calsync_credentials_new_oauth (http, config, id);
    }

  /* CalDAV: Basic authentication with the password in the keyring; the
   * account's email is the user name as typed */
  if (g_strcmp0 (provider, "caldav") == 0 && calsync_account_get_email (account) != NULL)
    return calsync_credentials_new_password (id, calsync_account_get_email (account));

  g_propagate_error (error, not_supported (account));
  return NULL;
}

/**
 * calsync_provider_new_for_account:
 * @credentials: what it authenticates with (calsync_credentials_new_for_account())
 *
 * Returns: (transfer full): the provider of @account, or %NULL with
 *   %CALSYNC_SYNC_ERROR_NOT_SUPPORTED
 */
CalsyncProvider *
calsync_provider_new_for_account (CalsyncAccount      *account,
                                  CalsyncHttp         *http,
                                  CalsyncCredentials  *credentials,
                                  GError             **error)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (account), NULL);
  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (CALSYNC_IS_CREDENTIALS (credentials), NULL);

  if (g_strcmp0 (calsync_account_get_provider (account), "google") == 0)
    return CALSYNC_PROVIDER (calsync_google_provider_new (http, credentials, NULL));
  if (g_strcmp0 (calsync_account_get_provider (account), "outlook") == 0)
    return CALSYNC_PROVIDER (calsync_outlook_provider_new (http, credentials, NULL));
  if (g_strcmp0 (calsync_account_get_provider (account), "caldav") == 0 &&
      calsync_account_get_server_url (account) != NULL)
    return CALSYNC_PROVIDER (calsync_caldav_provider_new (http, credentials,
                                                          calsync_account_get_server_url (account),
                                                          calsync_account_get_allow_insecure (account)));

  g_propagate_error (error, not_supported (account));
  return NULL;
}
