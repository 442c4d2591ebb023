/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-application.h: the AdwApplication — actions, accelerators, windows. */
#pragma once

#include <adwaita.h>

#include "calsync-store.h"
#include "calsync-sync-engine.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_APPLICATION (calsync_application_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncApplication, calsync_application, CALSYNC, APPLICATION, AdwApplication)

CalsyncApplication *calsync_application_new          (void);
int                 calsync_gui_main                 (int    argc,
                                                      char **argv);
/* The one sync engine of the process; every widget listens to its signals. */
CalsyncSyncEngine  *calsync_application_get_engine   (CalsyncApplication *self);
CalsyncHttp        *calsync_application_get_http     (CalsyncApplication *self);
/* The report of the last finished sync, or NULL */
CalsyncSyncReport  *calsync_application_get_last_report (CalsyncApplication *self);

G_END_DECLS
