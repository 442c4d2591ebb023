/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-html-text.h: an HTML event body (Outlook's) as the plain text a
 * browser would show, read with libxml2's HTML parser. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

/* Longest HTML read (bytes); the rest of a longer body is left out */
#define CALSYNC_HTML_MAX_INPUT (1024 * 1024)

char *calsync_html_to_text (const char *html,
                            gsize       length);

G_END_DECLS
