/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-agenda-private.h: the two outputs of --agenda and --next (no GTK). */
#pragma once

#include "calsync-cli-private.h"

G_BEGIN_DECLS

/* JSON in the DESIGN.md event format (calsync-cli-agenda-json.c) */
typedef struct _CalsyncEventJson CalsyncEventJson;

CalsyncEventJson *calsync_event_json_new          (CalsyncStore      *store,
                                                   GError           **error);
void              calsync_event_json_free         (CalsyncEventJson  *self);
void              calsync_event_json_print_array  (CalsyncEventJson  *self,
                                                   GPtrArray         *events);
void              calsync_event_json_print_one    (CalsyncEventJson  *self,
                                                   CalsyncEvent      *event);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncEventJson, calsync_event_json_free)

/* Text for people (calsync-cli-agenda-text.c) */
void              calsync_cli_print_agenda_text   (GPtrArray         *events,
                                                   GDateTime         *from,
                                                   GDateTime         *to,
                                                   GDateTime         *now);
void              calsync_cli_print_next_text     (CalsyncEvent      *event,
                                                   GDateTime         *now);

/* Begun and not over (or starting this very second) at @now, in seconds */
gboolean          calsync_cli_event_is_ongoing    (CalsyncEvent      *event,
                                                   gint64             now);

G_END_DECLS
