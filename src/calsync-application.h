/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-application.h: the AdwApplication — actions, accelerators, windows. */
#pragma once

#include <adwaita.h>

#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_APPLICATION (calsync_application_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncApplication, calsync_application, CALSYNC, APPLICATION, AdwApplication)

CalsyncApplication *calsync_application_new          (void);
CalsyncStore       *calsync_application_get_store    (CalsyncApplication *self);
GSettings          *calsync_application_get_settings (CalsyncApplication *self);

G_END_DECLS
