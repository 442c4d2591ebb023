/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-editor-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-event-editor.h"

G_BEGIN_DECLS

/* The stored event being edited, NULL for a new one. */
CalsyncEvent       *calsync_event_editor_get_event (CalsyncEventEditor *self);

/* Why the event cannot be saved (its calendar is read-only), or NULL */
const char         *calsync_event_editor_get_read_only_text (CalsyncEventEditor *self);
/* The names offered in the Calendar row, in order (transfer container) */
GPtrArray          *calsync_event_editor_list_calendar_names (CalsyncEventEditor *self);

G_END_DECLS
