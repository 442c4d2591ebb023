/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-event-editor.h: the dialog that creates, edits and deletes one event. */
#pragma once

#include <adwaita.h>

#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_EVENT_EDITOR (calsync_event_editor_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncEventEditor, calsync_event_editor, CALSYNC, EVENT_EDITOR, AdwWindow)

/* @event: the stored event to edit, or NULL for a new one that starts at @start
 * (local time, one hour long). */
CalsyncEventEditor *calsync_event_editor_new       (GtkWindow          *parent,
                                                    CalsyncStore       *store,
                                                    CalsyncEvent       *event,
                                                    GDateTime          *start);
gboolean            calsync_event_editor_is_valid  (CalsyncEventEditor *self);
/* Closes the editor and writes the event to the store in the background; the
 * editor comes back with the error if that fails. FALSE if the form is incomplete. */
gboolean            calsync_event_editor_save      (CalsyncEventEditor *self,
                                                    GError            **error);

G_END_DECLS
