/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-job.h: one calendar's sync — rounds of pages from its provider,
 * fetched one page ahead of the one being applied. */
#pragma once

#include "calsync-provider.h"
#include "calsync-store.h"
#include "calsync-sync-report.h"

G_BEGIN_DECLS

/* A round ends in an error when its pages do not: a page token seen before, or
 * more pages than this (Google: 2,500 events each) */
#define CALSYNC_SYNC_MAX_PAGES 150

typedef struct _CalsyncSyncJob CalsyncSyncJob;

typedef void (*CalsyncSyncJobDone) (CalsyncSyncJob *job,
                                    gpointer        user_data);

/**
 * calsync_sync_job_new:
 * @result: (transfer full): the calendar's result, filled in by the job
 * @time_min: start of the window of a full round (unix seconds)
 * @time_max: its end
 * @cancellable: stops the job (the account's or the run's)
 * @done: called once, on the main context, when nothing of the job is in flight
 */
CalsyncSyncJob              *calsync_sync_job_new        (CalsyncStore          *store,
                                                          CalsyncProvider       *provider,
                                                          CalsyncCalendar       *calendar,
                                                          CalsyncCalendarResult *result,
                                                          gint64                 time_min,
                                                          gint64                 time_max,
                                                          GCancellable          *cancellable,
                                                          CalsyncSyncJobDone     done,
                                                          gpointer               user_data);
void                         calsync_sync_job_free       (CalsyncSyncJob        *job);
/* The account was signed in to read only: changes made here wait (they are
 * neither sent nor dropped) until it is reconnected */
void                         calsync_sync_job_hold_changes (CalsyncSyncJob      *job);
void                         calsync_sync_job_start      (CalsyncSyncJob        *job);
/* Ends the job at once with @error (the account's sign-in failed before) */
void                         calsync_sync_job_fail       (CalsyncSyncJob        *job,
                                                          const GError          *error);
CalsyncCalendar             *calsync_sync_job_get_calendar (CalsyncSyncJob      *job);
const CalsyncCalendarResult *calsync_sync_job_get_result (CalsyncSyncJob        *job);
CalsyncCalendarResult       *calsync_sync_job_steal_result (CalsyncSyncJob      *job);
/* NULL when the job succeeded */
const GError                *calsync_sync_job_get_error  (CalsyncSyncJob        *job);

G_END_DECLS
