/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-lexer.c: iCalendar text to content lines, and back.
 *
 * The text is checked for UTF-8, unfolded into logical lines whose physical
 * line numbers are kept ("Line N" in every message), and each line split into
 * its name, parameters and value; dates and times are read here with real
 * months, days and hours. The writer's folding at 75 octets is here too. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>
#include <stdio.h>
#include <string.h>

#include "calsync-date-utils.h"
#include "calsync-ical.h"
#include "calsync-ical-private.h"

/* The errors of this library carry the line they name, so that a problem can
 * be traced to its VEVENT (calsync-ical-select.c) */
typedef struct
{
  guint line;
} CalsyncIcalErrorPrivate;

/* (GLib's accessor may return NULL, which -Wnull-dereference sees) */
static void
calsync_ical_error_private_init (CalsyncIcalErrorPrivate *priv)
{
  if (priv != NULL)
    priv->line = 0;
}

static void
calsync_ical_error_private_copy (const CalsyncIcalErrorPrivate *src,
                                 CalsyncIcalErrorPrivate       *dest)
{
  if (src != NULL && dest != NULL)
    dest->line = src->line;
}

static void
calsync_ical_error_private_clear (CalsyncIcalErrorPrivate *priv)
{
}

/* GLib's accessor steps back from the GError to its private part, which is
 * aligned by construction; clang's -Wcast-align cannot know that */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wcast-align"
G_DEFINE_EXTENDED_ERROR (CalsyncIcalError, calsync_ical_error)
#pragma GCC diagnostic pop

/* The line an error of this library names; 0 for other errors */
guint
calsync_ical_error_get_line (const GError *error)
{
  CalsyncIcalErrorPrivate *priv;

  if (error == NULL || error->domain != CALSYNC_ICAL_ERROR)
    return 0;
  priv = calsync_ical_error_get_private (error);
  return priv != NULL ? priv->line : 0;
}

/* Every message names the physical line the problem is on: "Line 7: …" */
gboolean
calsync_ical_set_line_error (GError     **error,
                             int          code,
                             guint        line,
                             const char  *format,
                             ...)
{
  g_autofree char *detail = NULL;
  CalsyncIcalErrorPrivate *priv;
  va_list args;

  if (error == NULL)
    return FALSE;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  /* Translators: %u is a line number in the file, %s says what is wrong there */
  g_set_error (error, CALSYNC_ICAL_ERROR, code, _("Line %u: %s"), line, detail);
  if ((priv = calsync_ical_error_get_private (*error)) != NULL)
    priv->line = line;
  return FALSE;
}

/* Text to logical lines ----------------------------------------------------------- */

static const char *
find_line_end (const char *p,
               const char *end)
{
  while (p < end && *p != '\n' && *p != '\r')
    p++;
  return p;
}

/* Past the line end at @eol: "\r\n", "\n" or a lone "\r" (old Mac files, Kerio) */
static const char *
skip_line_end (const char *eol,
               const char *end)
{
  if (eol >= end)
    return end;
  if (*eol == '\r' && eol + 1 < end && eol[1] == '\n')
    return eol + 2;
  return eol + 1;
}

/* Reads the next logical line (continuation lines start with a space or a tab,
 * RFC 5545 3.1). Returns FALSE at the end of the text. */
gboolean
calsync_ical_reader_next (Reader *reader,
                          guint  *line)
{
  if (reader->p >= reader->end)
    return FALSE;

  g_string_truncate (reader->buffer, 0);
  *line = reader->line;

  for (;;)
    {
      const char *eol = find_line_end (reader->p, reader->end);

      g_string_append_len (reader->buffer, reader->p, eol - reader->p);
      reader->p = skip_line_end (eol, reader->end);
      reader->line++;

      if (reader->p >= reader->end || (*reader->p != ' ' && *reader->p != '\t'))
        return TRUE;
      reader->p++;
    }
}

/* The physical line of byte @offset, counted as the reader counts */
static guint
line_of_offset (const char *data,
                gsize       offset)
{
  const char *end = data + offset;
  guint line = 1;

  for (const char *p = find_line_end (data, end); p < end; p = find_line_end (p, end))
    {
      p = skip_line_end (p, end);
      line++;
    }

  return line;
}

gboolean
calsync_ical_check_encoding (const char  *data,
                             gsize        length,
                             GError     **error)
{
  const char *end = NULL;

  if (g_utf8_validate_len (data, length, &end))
    return TRUE;

  return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line_of_offset (data, end - data),
                                      _("the text is not valid UTF-8"));
}

/* Content lines: NAME *(";" param) ":" value -------------------------------------- */

gboolean
calsync_ical_is_name_char (char c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '_';
}

const char *
calsync_ical_skip_name (const char *p)
{
  while (calsync_ical_is_name_char (*p))
    p++;
  return p;
}

/* One parameter value: quoted (no '"' inside) or up to ; : , */
static const char *
skip_param_value (const char *p)
{
  if (*p == '"')
    {
      const char *close = strchr (p + 1, '"');
      return close ? close + 1 : NULL;
    }

  while (*p != '\0' && *p != ';' && *p != ':' && *p != ',' && *p != '"')
    p++;
  return p;
}

/* Blanks before a parameter's name: a line folded with the indentation of
 * the RFCs' own examples ("ATTENDEE;ROLE=CHAIR;\r\n  RSVP=FALSE:…") */
static const char *
skip_blanks (const char *p)
{
  while (*p == ' ' || *p == '\t')
    p++;
  return p;
}

/* name=value[,value…]; returns the position after it or NULL */
static const char *
skip_param (const char *p)
{
  const char *after_name;

  p = skip_blanks (p);
  after_name = calsync_ical_skip_name (p);

  if (after_name == p || *after_name != '=')
    return NULL;

  p = after_name;
  do
    {
      if ((p = skip_param_value (p + 1)) == NULL)
        return NULL;
    }
  while (*p == ',');

  return p;
}

gboolean
calsync_ical_split_content_line (const char  *text,
                                 ContentLine *content)
{
  const char *p = calsync_ical_skip_name (text);
  gsize name_len = p - text;

  if (name_len == 0)
    return FALSE;

  content->has_params = (*p == ';');
  while (*p == ';')
    if ((p = skip_param (p + 1)) == NULL)
      return FALSE;

  if (*p != ':')
    return FALSE;

  content->value = p + 1;
  content->name[0] = '\0';
  if (name_len < sizeof content->name)
    {
      for (gsize i = 0; i < name_len; i++)
        content->name[i] = g_ascii_toupper (text[i]);
      content->name[name_len] = '\0';
    }

  return TRUE;
}

gboolean
calsync_ical_is_blank (const char *text)
{
  while (*text == ' ' || *text == '\t')
    text++;
  return *text == '\0';
}

char *
calsync_ical_excerpt (const char *text)
{
  glong len = g_utf8_strlen (text, -1);

  if (len <= MAX_EXCERPT)
    return g_strdup (text);

  return g_strdup_printf ("%.*s…", (int) (g_utf8_offset_to_pointer (text, MAX_EXCERPT) - text), text);
}

/* Parameter values: quotes removed, RFC 6868 ^n ^^ ^' decoded */
static char *
decode_param_value (const char *start,
                    const char *end)
{
  char *value, *out;

  if (end - start >= 2 && *start == '"')
    start++, end--;

  /* Decoding only shortens */
  out = value = g_malloc (end - start + 1);
  for (const char *p = start; p < end; p++)
    {
      if (*p == '^' && p + 1 < end && strchr ("n^'", p[1]) != NULL)
        {
          p++;
          *out++ = *p == 'n' ? '\n' : *p == '\'' ? '"' : '^';
        }
      else
        *out++ = *p;
    }
  *out = '\0';

  return value;
}

/* The first value of parameter @name of a content line (already checked by
 * calsync_ical_split_content_line), or NULL */
char *
calsync_ical_find_param (const char *text,
                         const char *name)
{
  const char *p = calsync_ical_skip_name (text);

  while (*p == ';')
    {
      const char *param = skip_blanks (p + 1);
      const char *equals = calsync_ical_skip_name (param);
      const char *value_end = skip_param_value (equals + 1);
      gboolean match = (gsize) (equals - param) == strlen (name) &&
                       g_ascii_strncasecmp (param, name, equals - param) == 0;

      if (match)
        return decode_param_value (equals + 1, value_end);

      p = value_end;
      while (*p == ',')
        p = skip_param_value (p + 1);
    }

  return NULL;
}

/* Dates and times: YYYYMMDD[THHMMSS[Z]] with real months, days and hours ---------- */

static gboolean
read_digits (const char **p,
             guint        n,
             int         *value)
{
  *value = 0;
  for (guint i = 0; i < n; i++, (*p)++)
    {
      if (!g_ascii_isdigit (**p))
        return FALSE;
      *value = *value * 10 + (**p - '0');
    }
  return TRUE;
}

/* Reads a date or date-time at *@p into @t (zone UTC for "Z"), past its end */
gboolean
calsync_ical_read_date_time (const char          **p,
                             struct icaltimetype  *t)
{
  *t = icaltime_null_time ();
  if (!read_digits (p, 4, &t->year) || !read_digits (p, 2, &t->month) || !read_digits (p, 2, &t->day) ||
      t->year < 1 || !g_date_valid_dmy ((GDateDay) t->day, (GDateMonth) t->month, (GDateYear) t->year))
    return FALSE;

  if (**p != 'T')
    {
      t->is_date = 1;
      return TRUE;
    }

  (*p)++;
  if (!read_digits (p, 2, &t->hour) || !read_digits (p, 2, &t->minute) || !read_digits (p, 2, &t->second) ||
      t->hour > 23 || t->minute > 59 || t->second > 60)
    return FALSE;
  if (**p == 'Z')
    {
      t->zone = icaltimezone_get_utc_timezone ();
      (*p)++;
    }
  return TRUE;
}

/* The end of a period after its "/" (RFC 5545 3.3.9): a date-time or a
 * positive duration; the start is a date-time too */
static gboolean
read_period_end (const char          **p,
                 struct icaltimetype   start,
                 Period               *period)
{
  gsize length = strcspn (*p, ", \t");
  g_autofree char *duration = NULL;

  period->is_period = TRUE;
  if (g_ascii_isdigit (**p))
    {
      period->has_end = TRUE;
      return calsync_ical_read_date_time (p, &period->end) && !period->end.is_date && !start.is_date;
    }

  duration = g_strndup (*p, length);
  period->duration = icaldurationtype_from_string (duration);
  icalerror_clear_errno ();
  *p += length;
  return !start.is_date && !icaldurationtype_is_bad_duration (period->duration) && !period->duration.is_neg;
}

/* Calls @func on each item of a comma-separated list of dates, date-times or
 * periods ("start/end", "start/duration"); FALSE on the first bad one. Only
 * dates with VALUE=DATE, which libical would not check. */
gboolean
calsync_ical_for_each_date (const char  *value,
                            gboolean     dates_only,
                            void       (*func) (struct icaltimetype t, const Period *period, gpointer data),
                            gpointer     data)
{
  const char *p = value;

  for (;;)
    {
      struct icaltimetype t;
      Period period = { FALSE };

      if (!calsync_ical_read_date_time (&p, &t) || (dates_only && !t.is_date))
        return FALSE;
      if (*p == '/' && (p++, !read_period_end (&p, t, &period)))
        return FALSE;
      if (func != NULL)
        func (t, period.is_period ? &period : NULL, data);
      while (*p == ' ' || *p == '\t')
        p++;
      if (*p == '\0')
        return TRUE;
      if (*p++ != ',')
        return FALSE;
    }
}

/* UNTIL=… inside an RRULE */
gboolean
calsync_ical_rrule_until_is_valid (const char *value)
{
  for (const char *p = value; *p != '\0'; p += strcspn (p, ";"), p += (*p == ';'))
    if (g_ascii_strncasecmp (p, "UNTIL=", 6) == 0)
      {
        const char *date = p + 6;
        struct icaltimetype t;

        return calsync_ical_read_date_time (&date, &t) && (*date == '\0' || *date == ';');
      }

  return TRUE;
}

/* The date part of a date property: after the last ':', which also skips an
 * unquoted "TZID=GMT+05:30" (Google, 2012) */
const char *
calsync_ical_date_value (const char *text)
{
  return strrchr (text, ':') + 1;
}

/* CalsyncEvent's all-day dates, "YYYY-MM-DD" */
char *
calsync_ical_format_date (struct icaltimetype date)
{
  return g_strdup_printf ("%04d-%02d-%02d", date.year, date.month, date.day);
}

gboolean
calsync_ical_parse_date (const char          *text,
                         struct icaltimetype *date)
{
  int year, month, day;

  if (!calsync_date_parse_ymd (text, &year, &month, &day))
    return FALSE;

  *date = icaltime_null_date ();
  date->year = year;
  date->month = month;
  date->day = day;
  return TRUE;
}

/* Folding, for the writer ------------------------------------------------------ */

#define FOLD_OCTETS 75

static void
append_folded_line (GString    *out,
                    const char *line,
                    gsize       length)
{
  const char *end = line + length;
  gsize width = 0;

  for (const char *p = line; p < end;)
    {
      const char *next = MIN (g_utf8_next_char (p), end);
      gsize size = (gsize) (next - p);

      if (width + size > FOLD_OCTETS)
        {
          g_string_append (out, "\r\n ");
          width = 1;
        }
      g_string_append_len (out, p, (gssize) size);
      width += size;
      p = next;
    }

  g_string_append (out, "\r\n");
}

/* libical's text, unfolded, then folded again: CRLF line ends, at most 75
 * octets per line, never inside a UTF-8 sequence */
char *
calsync_ical_refold (const char *text)
{
  gsize length = strlen (text);
  GString *unfolded = g_string_sized_new (length);
  GString *out = g_string_sized_new (length + length / 32);
  gsize start = 0;

  for (const char *p = text; *p != '\0'; p++)
    {
      if (p[0] == '\r' && p[1] == '\n' && (p[2] == ' ' || p[2] == '\t'))
        p += 2;
      else if (*p != '\r')
        g_string_append_c (unfolded, *p);
    }

  for (gsize i = 0; i < unfolded->len; i++)
    if (unfolded->str[i] == '\n')
      {
        if (i > start)
          append_folded_line (out, unfolded->str + start, i - start);
        start = i + 1;
      }
  if (unfolded->len > start)
    append_folded_line (out, unfolded->str + start, unfolded->len - start);

  g_string_free (unfolded, TRUE);
  return g_string_free (out, FALSE);
}
