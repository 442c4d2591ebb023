/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-text.c: text from servers made safe for a terminal, and JSON output
 * that carries no raw control characters. A calendar named "\e]0;…\a" must be
 * shown as what it is, not retitle the terminal of whoever runs --sync. */
#define G_LOG_DOMAIN "calsync-text"

#include "config.h"

#include <string.h>

#include "calsync-text.h"

static gboolean
is_control (gunichar c,
            gboolean keep_newlines)
{
  if (c == '\t' || (keep_newlines && c == '\n'))
    return FALSE;

  return c < 0x20 || c == 0x7f || (c >= 0x80 && c <= 0x9f);
}

char *
calsync_text_for_terminal (const char *text,
                           gboolean    keep_newlines)
{
  g_autofree char *valid = NULL;
  GString *out;

  if (text == NULL)
    return NULL;

  valid = g_utf8_make_valid (text, -1);
  out = g_string_sized_new (strlen (valid));

  for (const char *p = valid; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      /* a line break in a location reads best as a space */
      if (is_control (c, keep_newlines))
        g_string_append_c (out, ' ');
      else
        g_string_append_len (out, p, g_utf8_next_char (p) - p);
    }

  return g_string_free (out, FALSE);
}

char *
calsync_json_escape_controls (const char *json)
{
  GString *out;

  g_return_val_if_fail (json != NULL, NULL);

  out = g_string_sized_new (strlen (json));
  for (const char *p = json; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      /* U+0080–U+009F are C2 80 – C2 9F in UTF-8 */
      if (c == 0xc2 && (guchar) p[1] >= 0x80 && (guchar) p[1] <= 0x9f)
        {
          g_string_append_printf (out, "\\u%04x", (guchar) p[1]);
          p++;
        }
      /* C0 controls are escaped by json-glib already; raw ones here are the
       * generator's own line breaks and indentation */
      else if (c == 0x7f)
        g_string_append (out, "\\u007f");
      else
        g_string_append_c (out, (char) c);
    }

  return g_string_free (out, FALSE);
}

static void
append_escaped (GString *out,
                guchar   c)
{
  switch (c)
    {
    case '"': g_string_append (out, "\\\""); break;
    case '\\': g_string_append (out, "\\\\"); break;
    case '\b': g_string_append (out, "\\b"); break;
    case '\f': g_string_append (out, "\\f"); break;
    case '\n': g_string_append (out, "\\n"); break;
    case '\r': g_string_append (out, "\\r"); break;
    case '\t': g_string_append (out, "\\t"); break;
    default: g_string_append_printf (out, "\\u%04x", c); break;
    }
}

/**
 * calsync_json_append_string:
 * @text: (nullable): UTF-8 text (invalid sequences are repaired)
 *
 * Appends @text as a JSON string, escaped as json-glib escapes (so that a
 * value written here equals one json-glib wrote), or `null`. Runs that need no
 * escaping are copied in one go: descriptions are long.
 */
void
calsync_json_append_string (GString    *out,
                            const char *text)
{
  g_autofree char *valid = NULL;
  const char *run, *p;

  if (text == NULL)
    {
      g_string_append (out, "null");
      return;
    }

  if (!g_utf8_validate (text, -1, NULL))
    text = valid = g_utf8_make_valid (text, -1);

  g_string_append_c (out, '"');
  for (run = p = text; *p != '\0'; p++)
    if ((guchar) *p < 0x20 || *p == '"' || *p == '\\')
      {
        g_string_append_len (out, run, p - run);
        append_escaped (out, (guchar) *p);
        run = p + 1;
      }
  g_string_append_len (out, run, p - run);
  g_string_append_c (out, '"');
}
