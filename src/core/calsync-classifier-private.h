/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-classifier-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-classifier.h"

G_BEGIN_DECLS

/* Translatable label of a type: "Meeting", "Call", … (shown nowhere yet) */
const char       *calsync_event_type_label      (CalsyncEventType type);

G_END_DECLS
