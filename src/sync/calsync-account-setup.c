/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-setup.c: after a sign-in, records the account, its calendars and
 * its tokens (store and keyring) — shared by the command line and Preferences. */
#define G_LOG_DOMAIN "calsync-account-setup"

#include "config.h"

#include "calsync-account-setup.h"
#include "calsync-account-setup-private.h"
#include "calsync-secrets.h"

typedef struct
{
  CalsyncStore *store;
  CalsyncProvider *provider;
  char *provider_name;
  char *email;               /* the account's address, from the provider */
  CalsyncTokens *tokens;
  GPtrArray *calendars;      /* CalsyncCalendar from the provider */
  CalsyncAccount *account;   /* as stored */
  gboolean is_new;
} SetupData;

static void
setup_data_free (SetupData *data)
{
  g_clear_object (&data->store);
  g_clear_object (&data->provider);
  g_clear_pointer (&data->provider_name, g_free);
  g_clear_pointer (&data->email, g_free);
  g_clear_pointer (&data->tokens, calsync_tokens_free);
  g_clear_pointer (&data->calendars, g_ptr_array_unref);
  g_clear_object (&data->account);
  g_free (data);
}

static CalsyncAccount *
find_account (CalsyncStore *store,
              const char   *provider,
              const char   *email)
{
  g_autoptr(GPtrArray) accounts = calsync_store_list_accounts (store, NULL);

  for (guint i = 0; accounts != NULL && i < accounts->len; i++)
    {
      CalsyncAccount *account = g_ptr_array_index (accounts, i);

      if (g_strcmp0 (calsync_account_get_provider (account), provider) == 0 &&
          g_strcmp0 (calsync_account_get_email (account), email) == 0)
        return g_object_ref (account);
    }

  return NULL;
}

/* A new account, or the existing one of the same address when reconnecting */
static gboolean
save_account (SetupData   *data,
              const char  *email,
              GError     **error)
{
  g_autoptr(CalsyncAccount) account = find_account (data->store, data->provider_name, email);

  data->is_new = account == NULL;
  if (data->is_new)
    account = calsync_account_new ();

  /* What the person allowed at consent this time; a reconnect may allow more */
  calsync_account_set_read_only (account, !calsync_oauth_scope_allows_writes (data->provider_name,
                                                                               data->tokens->scope));
  if (calsync_account_get_read_only (account))
    for (guint i = 0; i < data->calendars->len; i++)
      calsync_calendar_set_read_only (g_ptr_array_index (data->calendars, i), TRUE);

  if (!calsync_account_setup_store_account (data->store, account, data->is_new,
                                            data->provider_name, email, error))
    return FALSE;

  data->account = g_steal_pointer (&account);
  return TRUE;
}

/* Stores @account: a new one under @provider and @email, or a known one
 * reconnected (its needs-reconnect flag and error cleared). */
gboolean
calsync_account_setup_store_account (CalsyncStore    *store,
                                     CalsyncAccount  *account,
                                     gboolean         is_new,
                                     const char      *provider,
                                     const char      *email,
                                     GError         **error)
{
  if (!is_new)
    {
      calsync_account_set_needs_reconnect (account, FALSE);
      calsync_account_set_last_error (account, NULL);
      return calsync_store_update_account (store, account, error);
    }

  calsync_account_set_provider (account, provider);
  calsync_account_set_email (account, email);
  return calsync_store_add_account (store, account, error) != 0;
}

/* A known calendar takes the provider's current name and colour, and what
 * @refresh copies; its active flag and sync state stay. */
static gboolean
refresh_calendar (CalsyncStore                *store,
                  CalsyncCalendar             *known,
                  CalsyncCalendar             *remote,
                  CalsyncCalendarRefreshFunc   refresh,
                  GError                     **error)
{
  calsync_calendar_set_name (known, calsync_calendar_get_name (remote));
  calsync_calendar_set_color (known, calsync_calendar_get_color (remote));
  refresh (known, remote);
  return calsync_store_update_calendar (store, known, error);
}

/* New calendars are added active; known ones are refreshed */
gboolean
calsync_account_setup_store_calendars (CalsyncStore                *store,
                                       CalsyncAccount              *account,
                                       GPtrArray                   *calendars,
                                       CalsyncCalendarRefreshFunc   refresh,
                                       GError                     **error)
{
  gint64 account_id = calsync_account_get_id (account);

  for (guint i = 0; i < calendars->len; i++)
    {
      CalsyncCalendar *remote = g_ptr_array_index (calendars, i);
      g_autoptr(CalsyncCalendar) known = NULL;
      g_autoptr(GError) local_error = NULL;

      known = calsync_store_lookup_calendar (store, account_id,
                                             calsync_calendar_get_remote_id (remote), &local_error);
      if (local_error != NULL)
        {
          g_propagate_error (error, g_steal_pointer (&local_error));
          return FALSE;
        }

      if (known != NULL)
        {
          if (!refresh_calendar (store, known, remote, refresh, error))
            return FALSE;
          continue;
        }

      calsync_calendar_set_account_id (remote, account_id);
      calsync_calendar_set_is_active (remote, TRUE);
      if (calsync_store_add_calendar (store, remote, error) == 0)
        return FALSE;
    }

  return TRUE;
}

static void
refresh_flags (CalsyncCalendar *known,
               CalsyncCalendar *remote)
{
  calsync_calendar_set_is_primary (known, calsync_calendar_get_is_primary (remote));
  calsync_calendar_set_read_only (known, calsync_calendar_get_read_only (remote));
}

static void
save_thread (GTask        *task,
             gpointer      source_object,
             gpointer      task_data,
             GCancellable *cancellable)
{
  SetupData *data = task_data;
  GError *error = NULL;

  if (!save_account (data, data->email, &error) ||
      !calsync_account_setup_store_calendars (data->store, data->account, data->calendars,
                                              refresh_flags, &error))
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
  SetupData *data = g_task_get_task_data (task);
  GError *error = NULL;

  if (!calsync_secrets_store_finish (result, &error))
    {
      /* An account without its sign-in could never sync: do not leave it behind */
      if (data->is_new)
        calsync_store_remove_account (data->store, calsync_account_get_id (data->account), NULL);
      g_task_return_error (task, error);
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
  SetupData *data = g_task_get_task_data (task);
  g_autofree char *label = NULL;
  g_autofree char *secret = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  if (!g_task_propagate_boolean (G_TASK (result), &error))
    {
      g_task_return_error (task, error);
      return;
    }

  label = g_strdup_printf ("CalSync: %s", calsync_account_get_email (data->account));
  secret = calsync_tokens_to_json (data->tokens);
  cancellable = g_task_get_cancellable (task);
  calsync_secrets_store_async (calsync_account_get_id (data->account), label, secret,
                               cancellable, secret_stored_cb, g_steal_pointer (&task));
}

static void
address_found_cb (GObject      *object,
                  GAsyncResult *result,
                  gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SetupData *data = g_task_get_task_data (task);
  g_autoptr(GTask) save = NULL;
  GCancellable *cancellable;
  GError *error = NULL;

  data->email = calsync_provider_get_account_address_finish (CALSYNC_PROVIDER (object), result, &error);
  if (data->email == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  cancellable = g_task_get_cancellable (task);
  save = g_task_new (NULL, cancellable, saved_cb, g_steal_pointer (&task));
  g_task_set_source_tag (save, address_found_cb);
  g_task_set_task_data (save, data, NULL);
  g_task_run_in_thread (save, save_thread);
}

static void
calendars_listed_cb (GObject      *object,
                     GAsyncResult *result,
                     gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  SetupData *data = g_task_get_task_data (task);
  GCancellable *cancellable = g_task_get_cancellable (task);
  GError *error = NULL;

  data->calendars = calsync_provider_list_calendars_finish (CALSYNC_PROVIDER (object), result, &error);
  if (data->calendars == NULL)
    {
      g_task_return_error (task, error);
      return;
    }

  calsync_provider_get_account_address_async (data->provider, data->calendars, cancellable,
                                              address_found_cb, g_steal_pointer (&task));
}

void
calsync_account_setup_async (CalsyncStore        *store,
                             CalsyncProvider     *provider,
                             const char          *provider_name,
                             const CalsyncTokens *tokens,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  SetupData *data;

  g_return_if_fail (CALSYNC_IS_STORE (store));
  g_return_if_fail (CALSYNC_IS_PROVIDER (provider));
  g_return_if_fail (provider_name != NULL);
  g_return_if_fail (tokens != NULL);

  data = g_new0 (SetupData, 1);
  data->store = g_object_ref (store);
  data->provider = g_object_ref (provider);
  data->provider_name = g_strdup (provider_name);
  data->tokens = calsync_tokens_copy (tokens);

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_account_setup_async);
  g_task_set_task_data (task, data, (GDestroyNotify) setup_data_free);
  calsync_provider_list_calendars_async (provider, cancellable, calendars_listed_cb, g_steal_pointer (&task));
}

CalsyncAccount *
calsync_account_setup_finish (GAsyncResult  *result,
                              guint         *n_calendars,
                              GError       **error)
{
  CalsyncAccount *account;

  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);
  g_return_val_if_fail (g_task_get_source_tag (G_TASK (result)) == calsync_account_setup_async, NULL);

  account = g_task_propagate_pointer (G_TASK (result), error);
  if (n_calendars != NULL)
    {
      SetupData *data = g_task_get_task_data (G_TASK (result));

      *n_calendars = account != NULL && data->calendars != NULL ? data->calendars->len : 0;
    }
  return account;
}
