/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-application-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-application.h"

G_BEGIN_DECLS

CalsyncStore       *calsync_application_get_store    (CalsyncApplication *self);

G_END_DECLS
