/* SPDX-License-Identifier: GPL-3.0-or-later */
#include "config.h"

#include "bench-window-utils.h"
#include "calsync-application-private.h"
#include "calsync-store.h"

gint64
bench_seed_google_calendar (const char *email,
                            const char *remote_id,
                            const char *name)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncStore) store = calsync_store_open (NULL, &error);
  g_autoptr(CalsyncAccount) account = calsync_account_new ();
  g_autoptr(CalsyncCalendar) calendar = calsync_calendar_new ();
  gint64 account_id;

  g_assert_no_error (error);
  calsync_account_set_provider (account, "google");
  calsync_account_set_email (account, email);
  account_id = calsync_store_add_account (store, account, NULL);
  g_assert (account_id > 0);

  calsync_calendar_set_account_id (calendar, account_id);
  calsync_calendar_set_remote_id (calendar, remote_id);
  calsync_calendar_set_name (calendar, name);
  calsync_calendar_set_color (calendar, "#3584e4");
  calsync_calendar_set_is_active (calendar, TRUE);
  g_assert (calsync_store_add_calendar (store, calendar, NULL) > 0);
  calsync_store_close (store);
  return account_id;
}

void
bench_give_tokens (CalsyncApplication *app,
                   gint64              account_id,
                   CalsyncTokens      *tokens)
{
  g_autoptr(CalsyncOAuthConfig) config = calsync_oauth_config_new_google ();
  g_autoptr(CalsyncCredentials) credentials = calsync_credentials_new_oauth (calsync_application_get_http (app),
                                                                            config, account_id);

  calsync_credentials_set_tokens (credentials, tokens);
  calsync_sync_engine_set_account_credentials (calsync_application_get_engine (app), account_id, credentials);
}
