/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-text.h: text from servers made safe for a terminal, and JSON output
 * that carries no raw control characters. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* A copy of @text for a terminal: C0 controls (but tab, and newline when
 * @keep_newlines), DEL and C1 controls become spaces, so an escape sequence in
 * a calendar's name is shown, never executed; invalid UTF-8 is repaired */
char *calsync_text_for_terminal (const char *text,
                                 gboolean    keep_newlines);
/* @json as json-glib writes it (C0 already escaped) with DEL and C1 controls
 * escaped too (\u007f, \u0080 …): the same JSON value, and nothing a terminal
 * would interpret */
char *calsync_json_escape_controls (const char *json);
/* Appends @text as a JSON string (escaped as json-glib does), or null */
void  calsync_json_append_string   (GString    *out,
                                    const char *text);

G_END_DECLS
