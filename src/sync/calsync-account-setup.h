/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-setup.h: after a sign-in, records the account, its calendars and
 * its tokens (store and keyring) — shared by the command line and Preferences. */
#pragma once

#include "calsync-oauth.h"
#include "calsync-provider.h"
#include "calsync-store.h"

G_BEGIN_DECLS

/**
 * calsync_account_setup_async:
 * @store: the store to record the account in
 * @provider: a provider already holding @tokens (its #CalsyncCredentials)
 * @provider_name: "google", "outlook": the account's provider (its address
 *   comes from calsync_provider_get_account_address_async())
 * @tokens: the tokens of the finished sign-in
 *
 * Lists the calendars of the account, then creates the account — or, when one of
 * the same provider and address exists (a reconnect), clears its needs-reconnect
 * flag and error — adds new calendars as active, refreshes the names and colours
 * of known ones, and saves @tokens in the keyring. A new account whose tokens
 * cannot be saved is removed again.
 */
void            calsync_account_setup_async  (CalsyncStore         *store,
                                              CalsyncProvider      *provider,
                                              const char           *provider_name,
                                              const CalsyncTokens  *tokens,
                                              GCancellable         *cancellable,
                                              GAsyncReadyCallback   callback,
                                              gpointer              user_data);
/**
 * calsync_account_setup_finish:
 * @n_calendars: (out) (optional): how many calendars the account has
 *
 * Returns: (transfer full): the account as stored, or %NULL with @error set
 */
CalsyncAccount *calsync_account_setup_finish (GAsyncResult         *result,
                                              guint                *n_calendars,
                                              GError              **error);

/**
 * calsync_account_setup_caldav_async:
 * @store: the store to record the account in
 * @http: the session to discover with
 * @server_url: the address the person typed: the server (its
 *   /.well-known/caldav is asked), a principal, a calendar home or a calendar
 * @username: the user name; stored as the account's email, exactly as typed
 * @password: kept in the keyring (never in the store) once the discovery found
 *   the calendars
 * @allow_insecure: plain http:// to a server off this computer is allowed
 *   (`--allow-insecure`, the dialog's switch); refused before any connection
 *   otherwise
 *
 * Discovers the account's calendars with the password, and only then records
 * the account (provider "caldav", server URL, allow_insecure; the same user on
 * the same server is reconnected, not added twice), its calendars (new ones
 * active) and the password. A 401 fails with
 * %CALSYNC_CREDENTIALS_ERROR_REFUSED ("The server refused the user name or
 * password.") and stores nothing.
 */
void            calsync_account_setup_caldav_async  (CalsyncStore         *store,
                                                     CalsyncHttp          *http,
                                                     const char           *server_url,
                                                     const char           *username,
                                                     const char           *password,
                                                     gboolean              allow_insecure,
                                                     GCancellable         *cancellable,
                                                     GAsyncReadyCallback   callback,
                                                     gpointer              user_data);
/**
 * calsync_account_setup_caldav_finish:
 * @n_calendars: (out) (optional): how many calendars were found
 *
 * Returns: (transfer full): the account as stored, or %NULL with @error set;
 *   error->message is for people
 */
CalsyncAccount *calsync_account_setup_caldav_finish (GAsyncResult         *result,
                                                     guint                *n_calendars,
                                                     GError              **error);

G_END_DECLS
