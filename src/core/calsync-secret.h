/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-secret.h: tokens and passwords wiped from memory before it is freed
 * (explicit_bzero: the compiler may not drop it as a dead store). */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Overwrites the @size bytes at @data with zeros (nothing when @data is NULL) */
void calsync_secret_wipe     (gpointer data,
                              gsize    size);
/* Wipes the string @secret (up to its NUL) and frees it; NULL is ignored.
 * A GDestroyNotify for g_clear_pointer(), GTask results and GBytes. */
void calsync_secret_free     (char    *secret);
/* Wipes and frees the bytes of a GString (e.g. a form body being built) */
void calsync_secret_string_free (GString *secret);

G_END_DECLS
