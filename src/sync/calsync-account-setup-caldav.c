/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-setup-caldav.c: adding a CalDAV account — discovery with the
 * password typed in, and only when it found the calendars: the account, its
 * calendars (store) and its password (keyring). Shared by `--add-account=caldav`
 * and the CalDAV dialog of Preferences. */
#define G_LOG_DOMAIN "calsync-account-setup"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>

#include "calsync-secret.h"
#include "calsync-account-setup.h"
#include "calsync-account-setup-private.h"
#include "calsync-caldav-provider.h"
#include "calsync-secrets.h"

typedef struct
{
  CalsyncStore *store;
  CalsyncProvider *provider;
  char *server_url;
  char *username;
  char *password;            /* wiped when done */
  gboolean allow_insecure;
  GPtrArray *calendars;      /* CalsyncCalendar from the discovery */
  CalsyncAccount *account;   /* as stored */
  gboolean is_new;
} CaldavSetup;

static void
caldav_setup_free (CaldavSetup *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->provider);
  g_clear_pointer (&data->server_url, g_free);
  g_clear_pointer (&data->username, g_free);
  g_clear_pointer (&data->password, calsync_secret_free);
  g_clear_pointer (&data->calendars, g_ptr_array_unref);
  g_clear_object (&data->account);
  g_free (data);
}

static gboolean
same_server (const char *a,
             const char *b)
{
  g_autoptr(GUri) ua = a != NULL ? g_uri_parse (a, G_URI_FLAGS_NONE, NULL) : NULL;
  g_autoptr(GUri) ub = b != NULL ? g_uri_parse (b, G_URI_FLAGS_NONE, NULL) : NULL;

  return ua != NULL && ub != NULL &&
         g_ascii_strcasecmp (g_uri_get_scheme (ua), g_uri_get_scheme (ub)) == 0 &&
         g_ascii_strcasecmp (g_uri_get_host (ua), g_uri_get_host (ub)) == 0 &&
         g_uri_get_port (ua) == g_uri_get_port (ub);
}

/* The same user on the same server: a reconnect, not a second account */
static CalsyncAccount *
find_caldav_account (CaldavSetup *data)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (data->store, NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      CalsyncAccount *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (calsync_account_get_provider (account), "caldav") == 0 &&
          g_strcmp0 (calsync_account_get_email (account), data->username) == 0 &&
          same_server (calsync_account_get_server_url (account), data->server_url))
        return g_object_ref (account);
    }

  return NULL;
}

static gboolean
save_account (CaldavSetup  *data,
              GError      **error)
{
  g_autoptr(CalsyncAccount) account = find_caldav_account (data);

  data->is_new = account == NULL;
  if (data->is_new)
    account = calsync_account_new ();

  calsync_account_set_server_url (account, data->server_url);
  calsync_account_set_allow_insecure (account, data->allow_insecure);
  if (!calsync_account_setup_store_account (data->store, account, data->is_new,
                                            "caldav", data->username, error))
    return FALSE;

  data->account = g_steal_pointer (&account);
  return TRUE;
}

/* Known calendars also take the server's current privileges */
static void
refresh_read_only (CalsyncCalendar *known,
                   CalsyncCalendar *remote)
{
  calsync_calendar_set_read_only (known, calsync_calendar_get_read_only (remote));
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  CaldavSetup *data = task_data;
  GError *error = NULL;

  if (!save_account (data, &error) ||
      !calsync_account_setup_store_calendars (data->store, data->account, data->calendars,
                                              refresh_read_only, &error))
    g_task_return_error (task, error);
  else
    g_task_return_boolean (task, TRUE);
}

static void
secret_stored_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaldavSetup *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!calsync_secrets_store_finish (result, &error))
    {
      /* An account without its password could never sync: do not leave it behind */
      g_autofree char *text = calsync_sync_error_text (error);

      if (data->is_new)
        calsync_store_remove_account (data->store, calsync_account_get_id (data->account), NULL);
      g_task_return_new_error (task, error->domain, error->code, "%s", text);
      g_error_free (error);
      return;
    }

  g_task_return_pointer (task, g_object_ref (data->account), g_object_unref);
}

static void
saved_cb (GObject      *object,
          GAsyncResult *result,
          gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaldavSetup *data = g_task_get_task_data (task);
  g_autofree char *label = NULL;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_autofree char *text = calsync_sync_error_text (error);

      g_task_return_new_error (task, error->domain, error->code, "%s", text);
      g_error_free (error);
      return;
    }

  label = g_strdup_printf ("CalSync: %s (%s)", data->username, data->server_url);
  calsync_secrets_store_async (calsync_account_get_id (data->account), label, data->password,
                               g_task_get_cancellable (task), secret_stored_cb, g_object_ref (task));
}

/* The discovery's error in words for people, keeping its domain and code */
static GError *
error_for_people (CaldavSetup  *data,
                  const GError *error)
{
  g_autofree char *text = NULL;

  if (g_error_matches (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED) ||
      g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_AUTH))
    return g_error_new_literal (CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED,
                                _("The server refused the user name or password."));

  if (error->domain == CALSYNC_SYNC_ERROR)
    return g_error_copy (error);

  text = calsync_provider_error_text (data->provider, error);
  return g_error_new_literal (error->domain, error->code, text);
}

static void
discovered_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  CaldavSetup *data = g_task_get_task_data (task);
  g_autoptr(GTask) save = NULL;
  g_autoptr(GError) error = NULL;

  data->calendars = calsync_provider_list_calendars_finish (CALSYNC_PROVIDER (object), result, &error);
  if (data->calendars == NULL)
    {
      g_task_return_error (task, error_for_people (data, error));
      return;
    }

  /* The account keeps the address where the calendars are (the home): every
   * sync reads the calendar list, and from there that takes one request */
  if (calsync_caldav_provider_get_calendars_url (CALSYNC_CALDAV_PROVIDER (data->provider)) != NULL)
    {
      g_free (data->server_url);
      data->server_url = g_strdup (calsync_caldav_provider_get_calendars_url (CALSYNC_CALDAV_PROVIDER (data->provider)));
    }

  save = g_task_new (NULL, g_task_get_cancellable (task), saved_cb, g_object_ref (task));
  g_task_set_source_tag (save, discovered_cb);
  g_task_set_task_data (save, data, NULL);
  g_task_run_in_thread (save, save_thread);
}

static GError *
insecure_error (const char *server_url)
{
  g_autoptr(GUri) uri = g_uri_parse (server_url, G_URI_FLAGS_NONE, NULL);
  const char *host = uri != NULL ? g_uri_get_host (uri) : NULL;

  return g_error_new (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE,
                      _("Refusing an unencrypted connection to %s. Use an https:// address, or allow "
                        "plain http for this server (--allow-insecure, or the switch in the CalDAV dialog)."),
                      host != NULL ? host : server_url);
}

static gboolean
has_user_info (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);

  return uri != NULL && g_uri_get_userinfo (uri) != NULL;
}

/* Checked before any connection */
static gboolean
check_input (const char  *server_url,
             const char  *username,
             const char  *password,
             gboolean     allow_insecure,
             GError     **error)
{
  g_autoptr(GError) url_error = NULL;

  if (username == NULL || *username == '\0')
    {
      g_set_error_literal (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED, _("Enter a user name."));
      return FALSE;
    }
  if (password == NULL || *password == '\0')
    {
      g_set_error_literal (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_FAILED, _("Enter a password."));
      return FALSE;
    }
  if (has_user_info (server_url))
    {
      /* It would be stored with the account, in the database */
      g_set_error_literal (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_FAILED,
                           _("Leave the user name and password out of the server address."));
      return FALSE;
    }
  if (!calsync_http_check_url (server_url, allow_insecure, &url_error))
    {
      if (g_error_matches (url_error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE))
        g_propagate_error (error, insecure_error (server_url));
      else
        g_propagate_error (error, g_steal_pointer (&url_error));
      return FALSE;
    }

  return TRUE;
}

/**
 * calsync_account_setup_caldav_async:
 * @server_url: the address the person typed (server, principal, home or calendar)
 * @username: the user name; it becomes the account's email (as typed)
 * @password: the password; kept in memory for the discovery, then in the keyring
 * @allow_insecure: plain http:// to a server off this computer is allowed
 *
 * Discovers the calendars; only when that succeeds, records (or, for the same
 * user on the same server, reconnects) the account — provider "caldav",
 * server URL, allow_insecure — and its calendars, and keeps the password in the
 * keyring. A refused password, an unencrypted address that was not allowed
 * (refused before any connection) or a server without calendars store nothing.
 */
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
  g_autoptr(GTask) task = NULL;
  g_autoptr(CalsyncCredentials) credentials = NULL;
  g_autofree char *url = NULL;
  CaldavSetup *data;
  GError *error = NULL;

  g_return_if_fail (CALSYNC_IS_STORE (store));
  g_return_if_fail (CALSYNC_IS_HTTP (http));
  g_return_if_fail (server_url != NULL);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_account_setup_caldav_async);

  url = g_strstrip (g_strdup (server_url));
  if (!check_input (url, username, password, allow_insecure, &error))
    {
      g_task_return_error (task, error);
      return;
    }

  data = g_new0 (CaldavSetup, 1);
  data->store = g_object_ref (store);
  data->server_url = g_steal_pointer (&url);
  data->username = g_strdup (username);
  data->password = g_strdup (password);
  data->allow_insecure = allow_insecure;
  g_task_set_task_data (task, data, (GDestroyNotify) caldav_setup_free);

  credentials = calsync_credentials_new_password (0, username);
  calsync_credentials_set_password (credentials, password);
  data->provider = CALSYNC_PROVIDER (calsync_caldav_provider_new (http, credentials, data->server_url,
                                                                  allow_insecure));
  calsync_provider_list_calendars_async (data->provider, cancellable, discovered_cb, g_steal_pointer (&task));
}

/**
 * calsync_account_setup_caldav_finish:
 * @n_calendars: (out) (optional): how many calendars were found
 *
 * Returns: (transfer full): the account as stored, or %NULL with @error set;
 *   error->message is for people
 */
CalsyncAccount *
calsync_account_setup_caldav_finish (GAsyncResult  *result,
                                     guint         *n_calendars,
                                     GError       **error)
{
  CalsyncAccount *account;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == calsync_account_setup_caldav_async, NULL);

  account = g_task_propagate_pointer (G_TASK (result), error);
  if (n_calendars != NULL)
    {
      CaldavSetup *data = g_task_get_task_data (G_TASK (result));

      *n_calendars = account != NULL && data != NULL && data->calendars != NULL ? data->calendars->len : 0;
    }
  return account;
}
