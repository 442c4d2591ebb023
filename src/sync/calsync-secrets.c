/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-secrets.c: credentials in the keyring (libsecret), one secret per account. */
#define G_LOG_DOMAIN "calsync-secrets"

#include "config.h"

#include <glib/gi18n.h>
#include <libsecret/secret.h>

#include "calsync-secret.h"
#include "calsync-secrets.h"

G_DEFINE_QUARK (calsync-secrets-error-quark, calsync_secrets_error)

static const SecretSchema *
calsync_secrets_get_schema (void)
{
  static const SecretSchema schema = {
    "org.example.CalSync.Secret", SECRET_SCHEMA_NONE,
    {
      { "account-id", SECRET_SCHEMA_ATTRIBUTE_STRING },
      { NULL, 0 },
    }
  };

  return &schema;
}

static char *
account_id_string (gint64 account_id)
{
  return g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
}

/* Cancellation stays G_IO_ERROR_CANCELLED; anything else means the keyring failed */
static GError *
translate_error (GError *error)
{
  GError *translated;

  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED))
    return error;

  translated = g_error_new (CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_FAILED,
                            _("The keyring could not be used: %s"), error->message);
  g_error_free (error);
  return translated;
}

/* Store ------------------------------------------------------------------- */

static void
on_stored (GObject      *source_object,
           GAsyncResult *result,
           gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  if (!secret_password_store_finish (result, &error))
    g_task_return_error (task, translate_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

/**
 * calsync_secrets_store_async:
 * @account_id: the account the secret belongs to
 * @label: what the keyring shows, e.g. "CalSync account 3"
 * @secret: the secret; replaces the account's previous one
 */
void
calsync_secrets_store_async (gint64               account_id,
                             const char          *label,
                             const char          *secret,
                             GCancellable        *cancellable,
                             GAsyncReadyCallback  callback,
                             gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (label != NULL);
  g_return_if_fail (secret != NULL);
  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_secrets_store_async);

  id = account_id_string (account_id);
  secret_password_store (calsync_secrets_get_schema (), SECRET_COLLECTION_DEFAULT, label, secret,
                         cancellable, on_stored, g_steal_pointer (&task),
                         "account-id", id,
                         NULL);
}

gboolean
calsync_secrets_store_finish (GAsyncResult  *result,
                              GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

/* Lookup ------------------------------------------------------------------ */

static void
on_looked_up (GObject      *source_object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;
  char *secret;

  secret = secret_password_lookup_finish (result, &error);
  if (error != NULL)
    g_task_return_error (task, translate_error (error));
  else if (secret == NULL)
    g_task_return_new_error (task, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND,
                             _("The sign-in of this account is missing from the keyring. "
                               "Reconnect the account in Preferences."));
  else
    g_task_return_pointer (task, g_strdup (secret), (GDestroyNotify) calsync_secret_free);

  /* libsecret may hand out secure (locked) memory that only it can free */
  secret_password_free (secret);
}

void
calsync_secrets_lookup_async (gint64               account_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_secrets_lookup_async);

  id = account_id_string (account_id);
  secret_password_lookup (calsync_secrets_get_schema (), cancellable,
                          on_looked_up, g_steal_pointer (&task),
                          "account-id", id,
                          NULL);
}

/**
 * calsync_secrets_lookup_finish:
 *
 * Returns: (transfer full): the secret (free it with g_free() after wiping
 * it); %NULL with
 * %CALSYNC_SECRETS_ERROR_NOT_FOUND when there is none
 */
char *
calsync_secrets_lookup_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), NULL);

  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Delete ------------------------------------------------------------------ */

static void
on_cleared (GObject      *source_object,
            GAsyncResult *result,
            gpointer      user_data)
{
  g_autoptr(GTask) task = user_data;
  GError *error = NULL;

  /* FALSE without an error: there was nothing to delete, which is fine */
  if (!secret_password_clear_finish (result, &error) && error != NULL)
    g_task_return_error (task, translate_error (error));
  else
    g_task_return_boolean (task, TRUE);
}

void
calsync_secrets_delete_async (gint64               account_id,
                              GCancellable        *cancellable,
                              GAsyncReadyCallback  callback,
                              gpointer             user_data)
{
  g_autoptr(GTask) task = NULL;
  g_autofree char *id = NULL;

  g_return_if_fail (!cancellable || G_IS_CANCELLABLE (cancellable));

  task = g_task_new (NULL, cancellable, callback, user_data);
  g_task_set_source_tag (task, calsync_secrets_delete_async);

  id = account_id_string (account_id);
  secret_password_clear (calsync_secrets_get_schema (), cancellable,
                         on_cleared, g_steal_pointer (&task),
                         "account-id", id,
                         NULL);
}

/**
 * calsync_secrets_delete_finish:
 *
 * Returns: %TRUE when the account has no secret any more (also when it had none)
 */
gboolean
calsync_secrets_delete_finish (GAsyncResult  *result,
                               GError       **error)
{
  g_return_val_if_fail (g_task_is_valid (result, NULL), FALSE);

  return g_task_propagate_boolean (G_TASK (result), error);
}

gboolean
calsync_secrets_delete_sync (gint64    account_id,
                             GError  **error)
{
  g_autofree char *id = account_id_string (account_id);
  GError *local_error = NULL;

  g_return_val_if_fail (!g_main_context_is_owner (g_main_context_default ()), FALSE);

  /* FALSE without an error: there was nothing to delete, which is fine */
  if (!secret_password_clear_sync (calsync_secrets_get_schema (), NULL, &local_error,
                                   "account-id", id, NULL) && local_error != NULL)
    {
      g_propagate_error (error, translate_error (local_error));
      return FALSE;
    }

  return TRUE;
}
