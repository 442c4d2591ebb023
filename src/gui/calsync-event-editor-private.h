/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-editor-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-event-editor.h"

G_BEGIN_DECLS

/* The stored event being edited, NULL for a new one. */
CalsyncEvent       *calsync_event_editor_get_event (CalsyncEventEditor *self);

G_END_DECLS
