/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-secrets.h: credentials in the keyring (libsecret), one secret per account. */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CALSYNC_SECRETS_ERROR (calsync_secrets_error_quark ())

typedef enum
{
  CALSYNC_SECRETS_ERROR_NOT_FOUND,
  CALSYNC_SECRETS_ERROR_FAILED,   /* keyring locked, missing, or refused */
} CalsyncSecretsError;

GQuark calsync_secrets_error_quark (void);

/* Schema "org.example.CalSync.Secret" with one string attribute "account-id". The
 * secret itself is opaque text: a JSON object of tokens for OAuth accounts, the
 * password for CalDAV ones. */
void      calsync_secrets_store_async   (gint64               account_id,
                                         const char          *label,
                                         const char          *secret,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  calsync_secrets_store_finish  (GAsyncResult        *result,
                                         GError             **error);
void      calsync_secrets_lookup_async  (gint64               account_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
/* Returns: (transfer full): the secret; %NULL with CALSYNC_SECRETS_ERROR_NOT_FOUND when there is none */
char     *calsync_secrets_lookup_finish (GAsyncResult        *result,
                                         GError             **error);
void      calsync_secrets_delete_async  (gint64               account_id,
                                         GCancellable        *cancellable,
                                         GAsyncReadyCallback  callback,
                                         gpointer             user_data);
gboolean  calsync_secrets_delete_finish (GAsyncResult        *result,
                                         GError             **error);
/* The same, blocking: for worker threads only */
gboolean  calsync_secrets_delete_sync   (gint64               account_id,
                                         GError             **error);

G_END_DECLS
