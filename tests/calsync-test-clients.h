/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-clients.h: what the tests that run whole `calsync` clients
 * against the fake Google, the fake Graph and Radicale share (test-two-way-random,
 * test-fault-syncs, test-kill-loop): the servers with one calendar each, clients
 * (a `calsync` with its own XDG_DATA_HOME) that sign in, edit, sync and list,
 * their sync reports and outboxes, and what each server holds. */
#pragma once

#include <json-glib/json-glib.h>

#include "calsync-fake-graph.h"
#include "calsync-radicale.h"
#include "calsync-test-utils.h"

G_BEGIN_DECLS

typedef enum
{
  CALSYNC_TEST_GOOGLE,
  CALSYNC_TEST_OUTLOOK,
  CALSYNC_TEST_CALDAV,
  CALSYNC_TEST_N_PROVIDERS
} CalsyncTestProvider;

/* "google", "outlook", "caldav" (as --list-accounts names them) */
extern const char * const calsync_test_provider_names[CALSYNC_TEST_N_PROVIDERS];
/* The calendar of each server the clients sync */
extern const char * const calsync_test_synced_calendars[CALSYNC_TEST_N_PROVIDERS];

/* The Google account, whose primary calendar is the one synced */
#define CALSYNC_TEST_ALEX "alex@example.com"
#define CALSYNC_TEST_GOOGLE_CALENDAR CALSYNC_TEST_ALEX
#define CALSYNC_TEST_CALDAV_COLLECTION "work"

/* Text and dates ------------------------------------------------------------------- */

/* "20261203T100000Z" and "2026-12-03T10:00:00Z" */
char     *calsync_test_utc_stamp    (gint64        unix_time);
char     *calsync_test_iso_utc      (gint64        unix_time);
/* "2026-12-03" + @days */
char     *calsync_test_add_days     (const char   *date,
                                     int           days);
/* The "when" of an event line: "START-END" instants, or "DSTART/END" dates of
 * an all-day event */
char     *calsync_test_when_timed   (gint64        start,
                                     gint64        end);
char     *calsync_test_when_dates   (const char   *start_date,
                                     const char   *end_date);
char     *calsync_test_event_when   (CalsyncEvent *event);
/* GCompareFunc of a GPtrArray of strings */
gint      calsync_test_compare_strings (gconstpointer a,
                                        gconstpointer b);
/* The instant of a {dateTime, timeZone} of Google or Graph (@default_zone
 * for a dateTime without an offset) */
gint64    calsync_test_json_instant (JsonObject   *when,
                                     GTimeZone    *default_zone);
/* One VEVENT in a VCALENDAR: timed (UTC @start, @end) or all-day (@start_date,
 * @end_date) */
char     *calsync_test_vevent_text  (const char   *prodid,
                                     const char   *uid,
                                     const char   *title,
                                     gboolean      all_day,
                                     gint64        start,
                                     gint64        end,
                                     const char   *start_date,
                                     const char   *end_date);
/* Renames @event and moves it by a random amount (days for all-day events) */
void      calsync_test_move_event   (GRand        *rand,
                                     CalsyncEvent *event,
                                     const char   *title);
/* Adds a line to @failures and to the log */
void      calsync_test_fail         (GPtrArray    *failures,
                                     const char   *format,
                                     ...) G_GNUC_PRINTF (2, 3);
/* The lines of @lines that @others lacks (borrowed) */
GPtrArray *calsync_test_lines_only_in (GPtrArray  *lines,
                                       GPtrArray  *others);

/* The servers ------------------------------------------------------------------------- */

typedef struct
{
  char *dir;                      /* the test's folder (calsync_test_setup_env) */
  char *stderr_path;              /* for --add-account's stderr */
  const char *graph_calendar;     /* the Graph calendar's id: set before starting */
  CalsyncFakeGoogle *google;
  CalsyncFakeGraph *graph;
  CalsyncRadicale *radicale;
  gboolean enabled[CALSYNC_TEST_N_PROVIDERS];   /* the calendars that take part */
  gint64 window_start;            /* what the clients keep (CALSYNC_NOW's sync window) */
  gint64 window_end;
} CalsyncTestServers;

/* The environment for @name, the fakes and Radicale (living at most
 * @radicale_lifetime_s) with their calendars, empty; the window between the
 * instants @window_from and @window_to */
void       calsync_test_servers_start (CalsyncTestServers  *self,
                                       const char          *name,
                                       const char          *window_from,
                                       const char          *window_to,
                                       guint                radicale_lifetime_s);
/* Stops the servers and removes the test's folder */
void       calsync_test_servers_stop  (CalsyncTestServers  *self);

/* One event on a server: its id, title and "when" */
typedef struct
{
  char *key;
  char *title;
  char *when;
} CalsyncTestSnap;

/* The events of @provider's calendar that meet the sync window, as a client
 * keeps them (element-type CalsyncTestSnap) */
GPtrArray       *calsync_test_servers_snapshot (CalsyncTestServers  *self,
                                                CalsyncTestProvider  provider);
/* The snap of @key (any when NULL) with @title (any when NULL), or NULL */
CalsyncTestSnap *calsync_test_snaps_find       (GPtrArray           *snaps,
                                                const char          *key,
                                                const char          *title);
/* "key|title|when" of each, sorted */
GPtrArray       *calsync_test_snap_lines       (GPtrArray           *snaps);

/* Clients ----------------------------------------------------------------------------- */

typedef struct
{
  const char *name;
  char *dir;                      /* XDG_DATA_HOME */
  CalsyncTestServers *servers;    /* borrowed */
  gint64 calendar_ids[CALSYNC_TEST_N_PROVIDERS];
  const char * const *env;        /* NAME, VALUE, … NULL: set for the client's processes (or NULL) */
  const char *caldav_url;         /* the server its CalDAV account is added with (NULL: Radicale's) */
  GPtrArray *failures;            /* if set, a run whose stderr shows a crash or a critical adds a line */
} CalsyncTestClient;

/* @name's XDG_DATA_HOME is the folder @name in @servers' */
void          calsync_test_client_init     (CalsyncTestClient   *self,
                                            CalsyncTestServers  *servers,
                                            const char          *name);
void          calsync_test_client_clear    (CalsyncTestClient   *self);
/* A launcher for `calsync` with the client's data and environment */
GSubprocessLauncher *calsync_test_client_new_launcher (CalsyncTestClient *self,
                                                       GSubprocessFlags   flags);
/* Runs `calsync @args` to the end, spinning the main context (the fakes answer
 * from it), @input on stdin; returns its exit status, stdout and stderr (nullable) */
int           calsync_test_client_run      (CalsyncTestClient   *self,
                                            const char          *input,
                                            char               **out,
                                            char               **err,
                                            const char * const  *args);
/* Adds the accounts of the calendars that take part and finds their ids; with
 * @index > 0 first an account id range of its own (secrets are keyed by account
 * id in the one keyring of a test with several clients) */
void          calsync_test_client_sign_in  (CalsyncTestClient   *self,
                                            guint                index);
/* `--import --calendar` of the iCalendar @text; `--delete-event`; an edit
 * through the store (the editor's way): exit status, or whether it was taken */
int           calsync_test_client_import   (CalsyncTestClient   *self,
                                            CalsyncTestProvider  provider,
                                            const char          *text);
int           calsync_test_client_delete   (CalsyncTestClient   *self,
                                            CalsyncEvent        *event);
gboolean      calsync_test_client_edit     (CalsyncTestClient   *self,
                                            CalsyncEvent        *event);
/* @event (a changed copy of one of the client's) saved through the store, or
 * imported again with its UID (its iCalendar made with @prodid): whether
 * calsync took it */
gboolean      calsync_test_client_save     (CalsyncTestClient   *self,
                                            CalsyncTestProvider  provider,
                                            CalsyncEvent        *event,
                                            gboolean             with_store,
                                            const char          *prodid);
/* The client's events of @provider's calendar in the window, not cancelled:
 * instances of series, or the others */
GPtrArray    *calsync_test_client_events   (CalsyncTestClient   *self,
                                            CalsyncTestProvider  provider,
                                            gboolean             instances);
/* One of them at random, or NULL */
CalsyncEvent *calsync_test_client_pick_event (CalsyncTestClient   *self,
                                              CalsyncTestProvider  provider,
                                              gboolean             instance,
                                              GRand               *rand);
/* `--agenda --json` from @from to @to ("2026-08-25") */
JsonNode     *calsync_test_client_agenda   (CalsyncTestClient   *self,
                                            const char          *from,
                                            const char          *to);

/* Sync reports ----------------------------------------------------------------------- */

typedef struct
{
  JsonNode *root;
  GString *messages;   /* every result's error and messages, one per line */
  gint64 pushed;
  gint64 conflicts;
  gint64 changed;      /* synced + updated + deleted */
  gboolean success;
} CalsyncTestReport;

/* The report of a `--sync --json` that exited with @status and printed @out */
void          calsync_test_report_read     (CalsyncTestReport   *report,
                                            int                  status,
                                            const char          *out);
void          calsync_test_report_clear    (CalsyncTestReport   *report);
/* Succeeded, and sent, met and changed nothing */
gboolean      calsync_test_report_is_quiet (CalsyncTestReport   *report);

/* Outboxes --------------------------------------------------------------------------- */

/* A change waiting in an outbox */
typedef struct
{
  gint64 id;
  CalsyncTestProvider provider;
  CalsyncOutboxKind kind;
  char *key;
  char *title;
  char *when;
} CalsyncTestChange;

/* entry id → CalsyncTestChange, for every calendar of the client that takes part */
GHashTable   *calsync_test_client_outbox   (CalsyncTestClient   *self);
guint         calsync_test_client_outbox_size (CalsyncTestClient *self);
/* "create", "update" or "delete" */
const char   *calsync_test_change_kind     (CalsyncTestChange   *change);
/* The changes of @before that @after lacks (borrowed) */
GPtrArray    *calsync_test_outbox_left     (GHashTable          *before,
                                            GHashTable          *after);
/* Whether @change is on its server (@snaps): a delete's key is gone, another
 * change's title is there at its time. *@snap: the server's event of that key
 * or title, or NULL. */
gboolean      calsync_test_change_on_server (CalsyncTestChange  *change,
                                             GPtrArray          *snaps,
                                             CalsyncTestSnap   **snap);

/* Agendas ---------------------------------------------------------------------------- */

/* "key|title|when" of @calendar's events in `--agenda --json` output, sorted;
 * with @calendar NULL, "calendar|key|title|when|status" of every calendar that
 * takes part */
GPtrArray    *calsync_test_agenda_lines    (CalsyncTestServers  *servers,
                                            JsonNode            *agenda,
                                            const char          *calendar);

G_END_DECLS
