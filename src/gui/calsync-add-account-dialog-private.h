/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-add-account-dialog-private.h: what only tests and benchmarks call. */
#pragma once

#include "calsync-add-account-dialog.h"

G_BEGIN_DECLS

/* The error shown, or NULL while the sign-in is going on */
const char              *calsync_add_account_dialog_get_error_text (CalsyncAddAccountDialog *self);

G_END_DECLS
