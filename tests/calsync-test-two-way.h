/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-two-way.h: the random two-way setting that test-two-way-random
 * and test-fault-syncs share. Client A makes random local edits (create, edit
 * of title and time, delete, instance edit, instance delete) in a Google, an
 * Outlook and a CalDAV calendar; the servers change under it (client B: the
 * fakes' own APIs, Radicale by plain HTTP or B's own calsync); every sync is
 * checked (each change that left the outbox is on its server or named in the
 * report), and at the end A's agenda is compared with each server. */
#pragma once

#include "calsync-test-clients.h"

G_BEGIN_DECLS

/* The sync window of CALSYNC_NOW (2026-11-25): 3 months back, 12 ahead */
#define CALSYNC_TWO_WAY_FROM "2026-08-25"
#define CALSYNC_TWO_WAY_TO "2027-11-25"
#define CALSYNC_TWO_WAY_GRAPH_CALENDAR "AAMkAGRandomCalendar"
#define CALSYNC_TWO_WAY_CALDAV_PATH "/" CALSYNC_RADICALE_USER "/" CALSYNC_TEST_CALDAV_COLLECTION "/"

typedef enum
{
  CALSYNC_TEST_CREATE,
  CALSYNC_TEST_EDIT,
  CALSYNC_TEST_DELETE,
  CALSYNC_TEST_INSTANCE_EDIT,
  CALSYNC_TEST_INSTANCE_DELETE,
  CALSYNC_TEST_N_EDITS
} CalsyncTestEdit;

typedef struct
{
  GRand *rand;
  guint32 seed;
  CalsyncTestServers servers;
  CalsyncTestClient a, b, c;
  guint serial;                   /* unique titles and ids */

  /* Counts */
  guint edits[CALSYNC_TEST_N_EDITS][CALSYNC_TEST_N_PROVIDERS];
  guint edits_failed;             /* a CLI edit refused (should not happen) */
  guint server_edits[CALSYNC_TEST_N_PROVIDERS];
  guint server_edits_by_client;   /* B's CalDAV edits made through B's calsync */
  guint faults[CALSYNC_TEST_N_PROVIDERS];
  guint syncs;
  guint pushed;
  guint conflicts;
  guint changes_checked;
  guint lost_reported;
  GPtrArray *failures;            /* what went wrong, one line each */
} CalsyncTwoWay;

/* The servers for @name with their events (the calendars of @providers,
 * "google,outlook,caldav" when NULL, take part), clients A, B and C named */
void      calsync_two_way_start          (CalsyncTwoWay      *run,
                                          const char         *name,
                                          const char         *providers,
                                          guint               radicale_lifetime_s);
/* A and B sign in and sync */
void      calsync_two_way_sign_in        (CalsyncTwoWay      *run);
/* Prints the counts and failures, fails the test if there were any, stops everything */
void      calsync_two_way_finish         (CalsyncTwoWay      *run);

/* One of the calendars that take part, at random */
CalsyncTestProvider calsync_two_way_random_provider (CalsyncTwoWay *run);
/* A random local edit by A (a create when there is nothing to edit), counted
 * and logged as "@when: A kind provider" */
void      calsync_two_way_edit_a         (CalsyncTwoWay      *run,
                                          const char         *when);
/* B changes a random server */
void      calsync_two_way_server_edit    (CalsyncTwoWay      *run);

/* The report of @client's `--sync --json` (counted and logged) */
void      calsync_two_way_read_report    (CalsyncTwoWay      *run,
                                          CalsyncTestClient  *client,
                                          int                 status,
                                          const char         *out,
                                          CalsyncTestReport  *report);
/* Each change that left @client's outbox (@before the sync of @report) is on
 * its server, or its title is named in the report */
void      calsync_two_way_check_left     (CalsyncTwoWay      *run,
                                          CalsyncTestClient  *client,
                                          GHashTable         *before,
                                          CalsyncTestReport  *report);
/* A sync of @client, its outbox and conflicts checked */
void      calsync_two_way_checked_sync   (CalsyncTwoWay      *run,
                                          CalsyncTestClient  *client,
                                          CalsyncTestReport  *report);

/* The agenda of the sync window */
JsonNode *calsync_two_way_agenda         (CalsyncTestClient  *client);
/* Every line of each side that the other lacks becomes a failure */
void      calsync_two_way_compare_lines  (CalsyncTwoWay      *run,
                                          const char         *what,
                                          const char         *left_name,
                                          GPtrArray          *left,
                                          const char         *right_name,
                                          GPtrArray          *right);
/* Each server holds what A lists */
void      calsync_two_way_compare_servers (CalsyncTwoWay     *run,
                                           JsonNode          *agenda_a);

/* Radicale as another client: a resource of the collection, and its text with
 * the first VEVENT retitled (LAST-MODIFIED now) */
char     *calsync_two_way_caldav_get     (CalsyncTwoWay      *run,
                                          const char         *href);
char     *calsync_two_way_retitle_resource (const char       *text,
                                            const char       *title);

G_END_DECLS
