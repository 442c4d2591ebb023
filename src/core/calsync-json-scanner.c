/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-json-scanner.c: a pull reader for large JSON bodies — no tree, strings
 * in place when they have no escapes, nesting bounded, errors sticky. Reading a
 * page of 2,500 events this way costs a fraction of building a json-glib tree,
 * and a hostile body cannot recurse the stack away. */
#define G_LOG_DOMAIN "calsync-json-scanner"

#include "config.h"

#include <string.h>

#include "calsync-event.h"
#include "calsync-json-scanner.h"

void
calsync_json_scanner_init (CalsyncJsonScanner *self,
                           const char         *data,
                           gsize               length,
                           guint               max_depth)
{
  memset (self, 0, sizeof *self);
  self->data = data;
  self->length = length;
  self->max_depth = max_depth;
  self->buffer = g_string_new (NULL);
}

void
calsync_json_scanner_clear (CalsyncJsonScanner *self)
{
  if (self->buffer != NULL)
    g_string_free (self->buffer, TRUE);
  self->buffer = NULL;
}

gboolean
calsync_json_scanner_failed (CalsyncJsonScanner *self)
{
  return self->failed;
}

static gboolean
fail (CalsyncJsonScanner *self)
{
  self->failed = TRUE;
  return FALSE;
}

static void
skip_whitespace (CalsyncJsonScanner *self)
{
  while (self->pos < self->length)
    {
      char c = self->data[self->pos];

      if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
        break;
      self->pos++;
    }
}

gboolean
calsync_json_scanner_at_end (CalsyncJsonScanner *self)
{
  skip_whitespace (self);
  return !self->failed && self->pos == self->length;
}

/* The next significant character, not consumed; '\0' at the end */
static char
next_char (CalsyncJsonScanner *self)
{
  skip_whitespace (self);
  return self->pos < self->length ? self->data[self->pos] : '\0';
}

static gboolean
expect_char (CalsyncJsonScanner *self,
             char                c)
{
  if (self->failed || next_char (self) != c)
    return fail (self);

  self->pos++;
  return TRUE;
}

CalsyncJsonMark
calsync_json_scanner_mark (CalsyncJsonScanner *self)
{
  CalsyncJsonMark mark = { self->pos, self->depth };

  return mark;
}

void
calsync_json_scanner_rewind (CalsyncJsonScanner *self,
                             CalsyncJsonMark     mark)
{
  g_return_if_fail (mark.pos <= self->length);

  self->pos = mark.pos;
  self->depth = mark.depth;
}

CalsyncJsonKind
calsync_json_scanner_peek (CalsyncJsonScanner *self)
{
  if (self->failed)
    return CALSYNC_JSON_ERROR;

  switch (next_char (self))
    {
    case '{':
      return CALSYNC_JSON_OBJECT;
    case '[':
      return CALSYNC_JSON_ARRAY;
    case '"':
      return CALSYNC_JSON_STRING;
    case 't':
      return CALSYNC_JSON_TRUE;
    case 'f':
      return CALSYNC_JSON_FALSE;
    case 'n':
      return CALSYNC_JSON_NULL;
    case '-': case '0': case '1': case '2': case '3': case '4':
    case '5': case '6': case '7': case '8': case '9':
      return CALSYNC_JSON_NUMBER;
    default:
      return CALSYNC_JSON_ERROR;
    }
}

/* Strings ------------------------------------------------------------------ */

static int
hex_value (char c)
{
  if (c >= '0' && c <= '9')
    return c - '0';
  if (c >= 'a' && c <= 'f')
    return c - 'a' + 10;
  if (c >= 'A' && c <= 'F')
    return c - 'A' + 10;
  return -1;
}

static gboolean
read_hex4 (CalsyncJsonScanner *self,
           gunichar           *value)
{
  *value = 0;
  if (self->pos + 4 > self->length)
    return FALSE;

  for (int i = 0; i < 4; i++)
    {
      int digit = hex_value (self->data[self->pos++]);

      if (digit < 0)
        return FALSE;
      *value = (*value << 4) | (gunichar) digit;
    }

  return TRUE;
}

/* \uXXXX, with a surrogate pair read as one character */
static gboolean
read_unicode_escape (CalsyncJsonScanner *self)
{
  gunichar c, low;

  if (!read_hex4 (self, &c))
    return FALSE;

  if (c >= 0xd800 && c <= 0xdbff)
    {
      if (self->pos + 2 > self->length || self->data[self->pos] != '\\' || self->data[self->pos + 1] != 'u')
        return FALSE;
      self->pos += 2;
      if (!read_hex4 (self, &low) || low < 0xdc00 || low > 0xdfff)
        return FALSE;
      c = 0x10000 + ((c - 0xd800) << 10) + (low - 0xdc00);
    }
  else if (c >= 0xdc00 && c <= 0xdfff)
    return FALSE;

  g_string_append_unichar (self->buffer, c);
  return TRUE;
}

static gboolean
read_escape (CalsyncJsonScanner *self)
{
  char c;

  if (self->pos >= self->length)
    return FALSE;

  switch ((c = self->data[self->pos++]))
    {
    case '"': case '\\': case '/':
      g_string_append_c (self->buffer, c);
      return TRUE;
    case 'b':
      g_string_append_c (self->buffer, '\b');
      return TRUE;
    case 'f':
      g_string_append_c (self->buffer, '\f');
      return TRUE;
    case 'n':
      g_string_append_c (self->buffer, '\n');
      return TRUE;
    case 'r':
      g_string_append_c (self->buffer, '\r');
      return TRUE;
    case 't':
      g_string_append_c (self->buffer, '\t');
      return TRUE;
    case 'u':
      return read_unicode_escape (self);
    default:
      return FALSE;
    }
}

/* The rest of a string with escapes, from @start: decoded into the buffer */
static gboolean
read_escaped_string (CalsyncJsonScanner *self,
                     gsize               start)
{
  g_string_truncate (self->buffer, 0);
  g_string_append_len (self->buffer, self->data + start, (gssize) (self->pos - start));

  while (self->pos < self->length)
    {
      char c = self->data[self->pos++];

      if (c == '"')
        {
          self->text = self->buffer->str;
          self->text_length = self->buffer->len;
          return TRUE;
        }
      if ((guchar) c < 0x20)
        return FALSE;
      if (c != '\\')
        g_string_append_c (self->buffer, c);
      else if (!read_escape (self))
        return FALSE;
    }

  return FALSE;
}

/* Reads the string at pos (after its quote): in place when it has no escapes */
static gboolean
scan_string (CalsyncJsonScanner *self)
{
  gsize start;

  if (!expect_char (self, '"'))
    return FALSE;

  start = self->pos;
  while (self->pos < self->length)
    {
      char c = self->data[self->pos];

      if (c == '"')
        {
          self->text = self->data + start;
          self->text_length = self->pos - start;
          self->pos++;
          break;
        }
      if (c == '\\')
        {
          if (!read_escaped_string (self, start))
            return fail (self);
          break;
        }
      if ((guchar) c < 0x20)
        return fail (self);
      self->pos++;
    }

  if (self->text == NULL || self->pos > self->length)
    return fail (self);

  return TRUE;
}

/* Strings handed out are valid UTF-8; keys and skipped values need not be
 * checked (they are compared with ASCII names, or dropped) */
static gboolean
check_utf8 (CalsyncJsonScanner *self)
{
  return g_utf8_validate_len (self->text, self->text_length, NULL) || fail (self);
}

static gboolean
read_string_token (CalsyncJsonScanner *self)
{
  self->text = NULL;
  self->text_length = 0;
  return scan_string (self);
}

/* Literals and numbers ------------------------------------------------------- */

static gboolean
scan_literal (CalsyncJsonScanner *self,
              const char         *word)
{
  gsize length = strlen (word);

  if (self->length - self->pos < length || memcmp (self->data + self->pos, word, length) != 0)
    return fail (self);

  self->pos += length;
  return TRUE;
}

static gboolean
scan_number (CalsyncJsonScanner *self)
{
  gsize start = self->pos;

  while (self->pos < self->length)
    {
      char c = self->data[self->pos];

      if (!g_ascii_isdigit (c) && c != '-' && c != '+' && c != '.' && c != 'e' && c != 'E')
        break;
      self->pos++;
    }

  return self->pos > start || fail (self);
}

/* Containers ----------------------------------------------------------------- */

static gboolean
enter (CalsyncJsonScanner *self,
       char                open)
{
  if (!expect_char (self, open))
    return FALSE;
  if (++self->depth > self->max_depth)
    return fail (self);

  return TRUE;
}

gboolean
calsync_json_scanner_enter_object (CalsyncJsonScanner *self)
{
  return enter (self, '{');
}

gboolean
calsync_json_scanner_enter_array (CalsyncJsonScanner *self)
{
  return enter (self, '[');
}

/* After a container's first item a comma must come before the next one; the
 * character before pos tells whether this is the first */
static gboolean
at_first_item (CalsyncJsonScanner *self,
               char                open)
{
  gsize i = self->pos;

  while (i > 0)
    {
      char c = self->data[--i];

      if (c != ' ' && c != '\n' && c != '\r' && c != '\t')
        return c == open;
    }

  return FALSE;
}

/* TRUE before the next item, FALSE after the closing character */
static gboolean
next_item (CalsyncJsonScanner *self,
           char                open,
           char                close)
{
  char c;

  if (self->failed)
    return FALSE;

  c = next_char (self);
  if (c == close)
    {
      self->pos++;
      self->depth--;
      return FALSE;
    }

  if (!at_first_item (self, open))
    {
      if (c != ',')
        return fail (self);
      self->pos++;
    }

  return TRUE;
}

gboolean
calsync_json_scanner_next_member (CalsyncJsonScanner  *self,
                                  const char         **key,
                                  gsize               *key_length)
{
  if (!next_item (self, '{', '}') || !read_string_token (self) || !expect_char (self, ':'))
    return FALSE;

  *key = self->text;
  *key_length = self->text_length;
  return TRUE;
}

gboolean
calsync_json_scanner_next_element (CalsyncJsonScanner *self)
{
  if (!next_item (self, '[', ']'))
    return FALSE;

  /* "[1,]" */
  if (next_char (self) == ']')
    return fail (self);

  return TRUE;
}

gboolean
calsync_json_scanner_skip (CalsyncJsonScanner *self)
{
  const char *key;
  gsize key_length;

  switch (calsync_json_scanner_peek (self))
    {
    case CALSYNC_JSON_OBJECT:
      if (!calsync_json_scanner_enter_object (self))
        return FALSE;
      while (calsync_json_scanner_next_member (self, &key, &key_length))
        if (!calsync_json_scanner_skip (self))
          return FALSE;
      return !self->failed;
    case CALSYNC_JSON_ARRAY:
      if (!calsync_json_scanner_enter_array (self))
        return FALSE;
      while (calsync_json_scanner_next_element (self))
        if (!calsync_json_scanner_skip (self))
          return FALSE;
      return !self->failed;
    case CALSYNC_JSON_STRING:
      return read_string_token (self);
    case CALSYNC_JSON_NUMBER:
      return scan_number (self);
    case CALSYNC_JSON_TRUE:
      return scan_literal (self, "true");
    case CALSYNC_JSON_FALSE:
      return scan_literal (self, "false");
    case CALSYNC_JSON_NULL:
      return scan_literal (self, "null");
    case CALSYNC_JSON_ERROR:
    default:
      return fail (self);
    }
}

/* Typed values ----------------------------------------------------------------- */

static gboolean
enter_or_skip (CalsyncJsonScanner *self,
               CalsyncJsonKind     kind,
               char                open)
{
  if (calsync_json_scanner_peek (self) != kind)
    {
      calsync_json_scanner_skip (self);
      return FALSE;
    }

  return enter (self, open);
}

gboolean
calsync_json_scanner_enter_object_or_skip (CalsyncJsonScanner *self)
{
  return enter_or_skip (self, CALSYNC_JSON_OBJECT, '{');
}

gboolean
calsync_json_scanner_enter_array_or_skip (CalsyncJsonScanner *self)
{
  return enter_or_skip (self, CALSYNC_JSON_ARRAY, '[');
}

gboolean
calsync_json_scanner_read_string (CalsyncJsonScanner  *self,
                                  const char         **text,
                                  gsize               *length)
{
  if (calsync_json_scanner_peek (self) != CALSYNC_JSON_STRING)
    {
      calsync_json_scanner_skip (self);
      return FALSE;
    }

  if (!read_string_token (self) || !check_utf8 (self))
    return FALSE;

  *text = self->text;
  *length = self->text_length;
  return TRUE;
}

char *
calsync_json_scanner_dup_string (CalsyncJsonScanner *self,
                                 gsize               max_bytes)
{
  const char *text;
  gsize length;

  if (!calsync_json_scanner_read_string (self, &text, &length))
    return NULL;

  return g_strndup (text, calsync_utf8_prefix_length (text, length, max_bytes));
}

gboolean
calsync_json_scanner_read_boolean (CalsyncJsonScanner *self)
{
  CalsyncJsonKind kind = calsync_json_scanner_peek (self);

  calsync_json_scanner_skip (self);
  return kind == CALSYNC_JSON_TRUE && !self->failed;
}
