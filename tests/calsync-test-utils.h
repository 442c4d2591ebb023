/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-utils.h: helpers shared by the tests — spinning the main context,
 * the test environment, accounts and tokens in the shared keyring and, built with
 * CALSYNC_TEST_UTILS_GUI, the real application window. */
#pragma once

#include "calsync-fake-google.h"
#include "calsync-store.h"

#ifdef CALSYNC_TEST_UTILS_GUI
#include "calsync-application.h"
#include "calsync-window.h"
#endif

G_BEGIN_DECLS

typedef gboolean (*CalsyncTestPredicate) (gpointer data);

/* Main context */
gboolean      calsync_test_wait_until     (CalsyncTestPredicate   predicate,
                                           gpointer               data,
                                           guint                  timeout_ms);
void          calsync_test_settle         (guint                  ms);
void          calsync_test_result_cb      (GObject               *object,
                                           GAsyncResult          *result,
                                           gpointer               user_data);
GAsyncResult *calsync_test_spin           (GAsyncResult         **slot);

/* Environment */
char         *calsync_test_setup_env      (const char            *name);

/* Accounts and the keyring */
void          calsync_test_follow_url     (const char            *url);
void          calsync_test_reserve_account_ids (const char       *db_path);
void          calsync_test_renumber_account (CalsyncStore       **store,
                                             gint64               from,
                                             gint64               to);
void          calsync_test_store_tokens   (CalsyncFakeGoogle     *fake,
                                           const char            *email,
                                           gint64                 account_id);
void          calsync_test_delete_secret  (gint64                 account_id);
CalsyncStore *calsync_test_add_google_account (CalsyncFakeGoogle *fake,
                                               const char        *email,
                                               gint64             account_id);
gint64        calsync_test_add_calendar   (CalsyncFakeGoogle     *fake,
                                           CalsyncStore          *store,
                                           gint64                 account_id,
                                           const char            *email,
                                           const char            *remote_id,
                                           const char            *name,
                                           const char            *color);

#ifdef CALSYNC_TEST_UTILS_GUI
typedef void (*CalsyncTestHook) (void);

/* Widgets and windows */
CalsyncWindow *calsync_test_get_window    (CalsyncApplication    *app);
GtkWindow     *calsync_test_find_toplevel (GType                  type,
                                           gboolean               visible_only);
void           calsync_test_screenshot    (const char            *dir_variable,
                                           const char            *name);

/* Running g_test inside the application */
int            calsync_test_run_in_app    (CalsyncApplication    *app,
                                           CalsyncTestHook        before,
                                           CalsyncTestHook        after);
#endif

G_END_DECLS
