/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-sync.h: what the acceptance tests of syncing (test-sync-truth,
 * test-sync-bounds, test-accounts) share — a fake Google with an account in a
 * fresh database and the keyring, the real `calsync` run as a child whose exit
 * status, output and peak memory are kept, and readers for its JSON. */
#pragma once

#include <json-glib/json-glib.h>

#include "calsync-fake-google.h"
#include "calsync-store.h"

G_BEGIN_DECLS

/* The environment of the acceptance tests (C.UTF-8, Europe/Berlin, CALSYNC_NOW
 * 2026-06-15T12:00:00Z) and g_test_init(); FALSE when there is no secret
 * service (the test then exits 77: skipped) */
gboolean calsync_test_sync_init (int    *argc,
                                 char ***argv);

/* Fails the test with a message that says what went wrong */
#define CALSYNC_CHECK(condition, ...)                                                        \
  G_STMT_START {                                                                           \
    if (!(condition))                                                                      \
      {                                                                                    \
        g_autofree char *calsync_check_message_ = g_strdup_printf (__VA_ARGS__);           \
        g_assertion_message (G_LOG_DOMAIN, __FILE__, __LINE__, G_STRFUNC,                  \
                             calsync_check_message_);                                      \
      }                                                                                    \
  } G_STMT_END

/* How long a `calsync` that should end may run */
#define CALSYNC_TEST_TIMEOUT_MS 120000

/* A finished `calsync` */
typedef struct
{
  int status;          /* exit status, or -1 when killed by a signal */
  int signal;          /* the signal that ended it, or 0 */
  char *out;
  char *err;
  glong max_rss_kib;   /* peak resident set size (wait4 ru_maxrss) */
  double seconds;      /* wall-clock time it ran */
} CalsyncTestRun;

void            calsync_test_run_free     (CalsyncTestRun *run);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncTestRun, calsync_test_run_free)

/* A `calsync` still running */
typedef struct _CalsyncTestChild CalsyncTestChild;

/* Starts `calsync @args` with XDG_DATA_HOME=@data_home, no display, and the
 * NAME=VALUE pairs of @env (nullable) */
CalsyncTestChild *calsync_test_child_spawn (const char          *data_home,
                                            const char * const  *args,
                                            const char * const  *env);
gboolean        calsync_test_child_is_done (CalsyncTestChild    *child);
/* What the child printed on stdout so far */
char           *calsync_test_child_peek_stdout (CalsyncTestChild *child);
/* SIGKILL, as a crash or a power cut would end it */
void            calsync_test_child_kill (CalsyncTestChild    *child);
/* Spins the default main context until the child ended and its output is
 * read, at most @timeout_ms; on timeout kills it (by its pid) and returns NULL.
 * Frees @child either way. */
CalsyncTestRun *calsync_test_child_finish (CalsyncTestChild    *child,
                                           guint                timeout_ms);
/* Spawn and finish; fails the test when calsync is still running after @timeout_ms */
CalsyncTestRun *calsync_test_calsync      (const char          *data_home,
                                           const char * const  *args,
                                           const char * const  *env,
                                           guint                timeout_ms);

/* A fake Google, a temporary XDG_DATA_HOME with a database and accounts whose
 * tokens are in the keyring (removed again by the teardown) */
typedef struct
{
  char *dir;
  CalsyncFakeGoogle *fake;
  CalsyncStore *store;
  GArray *account_ids;
} CalsyncTestGoogle;

void            calsync_test_google_setup    (CalsyncTestGoogle *fx,
                                              const char        *name);
void            calsync_test_google_teardown (CalsyncTestGoogle *fx);
/* An account for @email (ids unique to this process) with tokens in the keyring
 * whose access token expires @expires_in seconds from now (≤ 0: already expired) */
gint64          calsync_test_google_add_account (CalsyncTestGoogle *fx,
                                                 const char        *email,
                                                 gint64             expires_in);
/* Stores tokens for @account_id from the fake, the access token expiring @expires_in from now */
void            calsync_test_google_store_tokens (CalsyncTestGoogle *fx,
                                                  const char        *email,
                                                  gint64             account_id,
                                                  gint64             expires_in);
/* A timed event of one hour on the fake: @day of June 2026, 10:00 Europe/Berlin */
void            calsync_test_google_put_event (CalsyncTestGoogle *fx,
                                               const char        *calendar_id,
                                               const char        *event_id,
                                               const char        *title,
                                               int                day);
/* The secret of @account_id in the keyring, or NULL */
char           *calsync_test_google_lookup_secret (gint64          account_id);

/* JSON of calsync's output: fails the test (showing the text) unless @text is
 * exactly one JSON document of the given kind */
JsonObject     *calsync_test_parse_object (const char          *text,
                                           const char          *what);
JsonArray      *calsync_test_parse_array  (const char          *text,
                                           const char          *what);
/* Runs `calsync --sync --json` in @data_home; fails the test (saying @when,
 * the results and stderr) unless it exits @expected_status; returns the report */
JsonObject     *calsync_test_sync_json    (const char          *data_home,
                                           int                  expected_status,
                                           const char          *when);
/* "Name: status (error)" per result, for messages */
char           *calsync_test_describe_results (JsonObject      *report);
/* The result of `--sync --json` whose calendarName is @name, or NULL */
JsonObject     *calsync_test_find_result  (JsonObject          *report,
                                           const char          *name);
/* The same, failing the test when there is none */
JsonObject     *calsync_test_result_of    (JsonObject          *report,
                                           const char          *name);
/* Titles of `--agenda --json` joined by ", " (for messages) */
char           *calsync_test_agenda_titles (JsonArray          *agenda);
guint           calsync_test_agenda_count (JsonArray           *agenda,
                                           const char          *title);
/* `calsync --agenda --from=2026-06-01 --to=2026-07-01 --json` in @data_home */
JsonArray      *calsync_test_june_agenda  (const char          *data_home);
/* The account of `--list-accounts --json` whose email is @email, or NULL */
JsonObject     *calsync_test_find_account (JsonArray           *accounts,
                                           const char          *email);
/* Names of an account's calendars in `--list-accounts --json`, joined by ", " */
char           *calsync_test_calendar_names (JsonObject        *account);

G_END_DECLS
