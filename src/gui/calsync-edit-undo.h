/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-edit-undo.h: the window's undo of the last edit made here (Ctrl+Z
 * and the toasts' Undo), offered until a sync sends the change. */
#pragma once

#include <adwaita.h>

#include "calsync-store.h"

G_BEGIN_DECLS

#define CALSYNC_TYPE_EDIT_UNDO (calsync_edit_undo_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncEditUndo, calsync_edit_undo, CALSYNC, EDIT_UNDO, GObject)

CalsyncEditUndo *calsync_edit_undo_new          (CalsyncStore    *store);
/* @before: the event when the editor opened (NULL: created); @after: as saved
 * (NULL: deleted). Returns (transfer full) (nullable) the toast that
 * announces it, with its Undo button; NULL when the toast of the change before
 * is still shown and now announces this one. */
AdwToast        *calsync_edit_undo_record       (CalsyncEditUndo *self,
                                                 CalsyncEvent    *before,
                                                 CalsyncEvent    *after);
gboolean         calsync_edit_undo_get_can_undo (CalsyncEditUndo *self);
/* Takes the last change back; during a sync, once it has ended */
void             calsync_edit_undo_run          (CalsyncEditUndo *self);
/* A sync began / ended: at its end the change is offered only if still unsent */
void             calsync_edit_undo_set_syncing  (CalsyncEditUndo *self,
                                                 gboolean         syncing);

G_END_DECLS
