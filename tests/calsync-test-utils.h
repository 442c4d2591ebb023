/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-utils.h: helpers shared by the tests — spinning the main context,
 * the test environment, running the real `calsync` binary, events and calendars in
 * a store, accounts and tokens in the keyring (a private one per test program,
 * see run-with-keyring.sh) and, built with CALSYNC_TEST_UTILS_GUI, the real
 * application window. */
#pragma once

#include <stdarg.h>

#include <json-glib/json-glib.h>

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
gboolean      calsync_test_holds_for      (CalsyncTestPredicate   predicate,
                                           gpointer               data,
                                           guint                  ms);
void          calsync_test_result_cb      (GObject               *object,
                                           GAsyncResult          *result,
                                           gpointer               user_data);
GAsyncResult *calsync_test_spin           (GAsyncResult         **slot);

/* Environment and files */
char         *calsync_test_setup_env      (const char            *name);
void          calsync_test_remove_tree    (const char            *path);
CalsyncStore *calsync_test_open_store     (const char            *data_home);

/* Running the calsync binary */
GSubprocessLauncher *calsync_test_new_launcher (GSubprocessFlags  flags,
                                                const char       *data_home);
GPtrArray    *calsync_test_argv           (const char * const    *args);
int           calsync_test_run_calsync    (GSubprocessLauncher   *launcher,
                                           const char * const    *args,
                                           char                 **out,
                                           char                 **err);
int           calsync_test_run_calsync_input (GSubprocessLauncher *launcher,
                                              const char          *input,
                                              const char * const  *args,
                                              char               **out,
                                              char               **err);
GPtrArray    *calsync_test_args_valist    (const char            *first,
                                           va_list                rest);
char         *calsync_test_read_rest      (GInputStream          *stream);
JsonNode     *calsync_test_parse_json     (const char            *text);
int           calsync_test_cli_add_account (GSubprocessLauncher  *launcher,
                                            const char           *provider,
                                            const char           *stderr_path,
                                            char                **url,
                                            char                **rest,
                                            char                **err);

/* Events, accounts and calendars in a store */
/* Unix seconds of an ISO 8601 date-time with offset (asserts it parses) */
gint64        calsync_test_instant        (const char            *iso8601);
/* The event of @external_id among @events, or NULL; _get_ fails the test instead */
CalsyncEvent *calsync_test_find_event     (GPtrArray             *events,
                                           const char            *external_id);
CalsyncEvent *calsync_test_get_event      (GPtrArray             *events,
                                           const char            *external_id);
gint64        calsync_test_local_time     (const char            *zone_id,
                                           int                    year,
                                           int                    month,
                                           int                    day,
                                           int                    hour,
                                           int                    minute);
CalsyncEvent *calsync_test_timed_event    (const char            *external_id,
                                           const char            *title,
                                           gint64                 start,
                                           gint64                 end,
                                           const char            *zone);
CalsyncEvent *calsync_test_all_day_event  (const char            *external_id,
                                           const char            *title,
                                           const char            *start_date,
                                           const char            *end_date);
gint64        calsync_test_store_add_account (CalsyncStore       *store,
                                              const char         *provider,
                                              const char         *email);
gint64        calsync_test_store_add_calendar (CalsyncStore      *store,
                                               gint64             account_id,
                                               const char        *remote_id,
                                               const char        *name,
                                               const char        *color);
typedef enum
{
  CALSYNC_TEST_CALENDAR_PRIMARY   = 1 << 0,
  CALSYNC_TEST_CALENDAR_READ_ONLY = 1 << 1,
} CalsyncTestCalendarFlags;
gint64        calsync_test_store_add_calendar_full (CalsyncStore            *store,
                                                    gint64                   account_id,
                                                    const char              *remote_id,
                                                    const char              *name,
                                                    const char              *color,
                                                    CalsyncTestCalendarFlags flags);

/* Accounts and the keyring */
gboolean      calsync_test_secret_service_available (void);
void          calsync_test_require_keyring (void);
void          calsync_test_skip_all       (const char            *reason);
void          calsync_test_follow_url     (const char            *url);
void          calsync_test_reserve_account_ids (const char       *db_path);
void          calsync_test_renumber_account (CalsyncStore       **store,
                                             gint64               from,
                                             gint64               to);
void          calsync_test_store_tokens   (CalsyncFakeGoogle     *fake,
                                           const char            *email,
                                           gint64                 account_id);
void          calsync_test_store_tokens_expiring (CalsyncFakeGoogle *fake,
                                                  const char        *email,
                                                  gint64             account_id,
                                                  gint64             expires_in);
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
gboolean       calsync_test_wait_painted  (void);
gboolean       calsync_test_wait_toast_shown (GtkWidget          *overlay,
                                              AdwToast           *toast,
                                              const char         *title);
void           calsync_test_screenshot    (const char            *dir_variable,
                                           const char            *name);

/* Running g_test inside the application */
int            calsync_test_run_in_app    (CalsyncApplication    *app,
                                           CalsyncTestHook        before,
                                           CalsyncTestHook        after);
#endif

G_END_DECLS
