/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-json-scanner.h: a pull reader for large JSON bodies (a page of 2,500
 * events): no tree, strings handed out in place when they have no escapes,
 * nesting bounded, errors sticky. */
#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef enum
{
  CALSYNC_JSON_ERROR,
  CALSYNC_JSON_OBJECT,
  CALSYNC_JSON_ARRAY,
  CALSYNC_JSON_STRING,
  CALSYNC_JSON_NUMBER,
  CALSYNC_JSON_TRUE,
  CALSYNC_JSON_FALSE,
  CALSYNC_JSON_NULL,
} CalsyncJsonKind;

/**
 * CalsyncJsonScanner:
 *
 * Reads one JSON value from a buffer. Objects and arrays are walked with
 * _enter_object()/_next_member() and _enter_array()/_next_element(); a value
 * the caller does not want is skipped with _skip(). Once something is wrong
 * (syntax, nesting deeper than the limit, invalid UTF-8 in a string) every
 * call fails and calsync_json_scanner_failed() says so.
 */
typedef struct
{
  /*< private >*/
  const char *data;
  gsize length;
  gsize pos;
  guint depth;
  guint max_depth;
  gboolean failed;
  GString *buffer;        /* the last string, when it had escapes */
  const char *text;       /* the last string or key: into data, or buffer->str */
  gsize text_length;
} CalsyncJsonScanner;

void             calsync_json_scanner_init          (CalsyncJsonScanner *self,
                                                     const char         *data,
                                                     gsize               length,
                                                     guint               max_depth);
void             calsync_json_scanner_clear         (CalsyncJsonScanner *self);
gboolean         calsync_json_scanner_failed        (CalsyncJsonScanner *self);
/* TRUE when only whitespace follows the value read */
gboolean         calsync_json_scanner_at_end        (CalsyncJsonScanner *self);

/* Where the scanner is, to come back to a value skipped on a first pass */
typedef struct
{
  gsize pos;
  guint depth;
} CalsyncJsonMark;

CalsyncJsonMark  calsync_json_scanner_mark          (CalsyncJsonScanner *self);
void             calsync_json_scanner_rewind        (CalsyncJsonScanner *self,
                                                     CalsyncJsonMark     mark);

/* The kind of the next value, without reading it */
CalsyncJsonKind  calsync_json_scanner_peek          (CalsyncJsonScanner *self);

/* Objects: TRUE after "{"; then _next_member() gives each key (valid until the
 * next call) and leaves the scanner before its value; FALSE after "}" */
gboolean         calsync_json_scanner_enter_object  (CalsyncJsonScanner *self);
gboolean         calsync_json_scanner_next_member   (CalsyncJsonScanner *self,
                                                     const char        **key,
                                                     gsize              *key_length);
/* Arrays: TRUE after "["; then _next_element() is TRUE before each element,
 * FALSE after "]" */
gboolean         calsync_json_scanner_enter_array   (CalsyncJsonScanner *self);
gboolean         calsync_json_scanner_next_element  (CalsyncJsonScanner *self);

/* Enters the next value when it is an object (an array), else skips it: a
 * member of another type than documented is left out, not an error */
gboolean         calsync_json_scanner_enter_object_or_skip (CalsyncJsonScanner *self);
gboolean         calsync_json_scanner_enter_array_or_skip  (CalsyncJsonScanner *self);

/* Reads a string value (the text stays valid until the next call); a value of
 * another kind is skipped and FALSE returned, without failing */
gboolean         calsync_json_scanner_read_string   (CalsyncJsonScanner *self,
                                                     const char        **text,
                                                     gsize              *length);
/* The same, copied; NULL for another kind. Longer strings are cut at
 * @max_bytes, on a character boundary. */
char            *calsync_json_scanner_dup_string    (CalsyncJsonScanner *self,
                                                     gsize               max_bytes);
/* A boolean value; another kind is skipped and FALSE returned */
gboolean         calsync_json_scanner_read_boolean  (CalsyncJsonScanner *self);
/* Skips the next value, whatever it is */
gboolean         calsync_json_scanner_skip          (CalsyncJsonScanner *self);

/* Whether @key (of @key_length bytes) is @name */
#define calsync_json_key_is(key, key_length, name) \
  ((key_length) == sizeof (name) - 1 && memcmp ((key), (name), sizeof (name) - 1) == 0)

G_END_DECLS
