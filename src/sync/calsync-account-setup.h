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

G_END_DECLS
