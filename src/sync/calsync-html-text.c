/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-html-text.c: an HTML event body (Outlook's) as the plain text a
 * browser would show. libxml2's HTML parser (no network, nothing loaded from
 * elsewhere, errors recovered, entities decoded) reports elements and text as
 * it reads them — no tree is built, which is most of the cost of a body, and
 * nothing recurses however deep the nesting — and the text is written as it
 * comes: whitespace collapsed, blocks and <br> as line breaks, scripts, styles
 * and the head left out, link addresses kept next to their text so that a
 * meeting link stays findable. */
#define G_LOG_DOMAIN "calsync-html-text"

#include "config.h"

#include <string.h>
#include <libxml/HTMLparser.h>
#include <libxml/parser.h>

#include "calsync-event.h"
#include "calsync-html-text.h"

/* libxml2 2.9 has no name for it in every build: ignore <meta charset> */
#ifndef HTML_PARSE_IGNORE_ENC
#define HTML_PARSE_IGNORE_ENC (1 << 21)
#endif

#define PARSE_OPTIONS (HTML_PARSE_RECOVER | HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | \
                       HTML_PARSE_NONET | HTML_PARSE_IGNORE_ENC)
#define MAX_OUTPUT    CALSYNC_EVENT_MAX_DESCRIPTION
#define MAX_BREAKS    2    /* one empty line at most between paragraphs */

/* What an element does to the text */
enum
{
  TAG_BLOCK = 1 << 0,   /* its own lines */
  TAG_SKIP  = 1 << 1,   /* nothing of it is shown */
  TAG_BR    = 1 << 2,
  TAG_PRE   = 1 << 3,
  TAG_LINK  = 1 << 4,
  TAG_CELL  = 1 << 5,
};

typedef struct
{
  GString *out;
  guint pending_breaks;     /* line breaks asked for before the next text */
  gboolean pending_space;   /* collapsed whitespace before the next text */
  guint skip_depth;         /* inside <script>, <style>, <head>…: nothing is written */
  guint pre_depth;          /* inside <pre>: whitespace is kept */
  char *link;               /* the address of the <a> being written, and where its text began */
  gsize link_start;
  gboolean in_link;
} Writer;

static GHashTable *tags;    /* element name (lower case, as libxml2 gives it) → TAG_* */

static gpointer
init_tables (gpointer data)
{
  static const char * const blocks[] = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "section",
    "table", "tbody", "tfoot", "thead", "tr", "ul",
  };
  static const char * const skipped[] = {
    "head", "title", "script", "style", "noscript", "template",
  };

  xmlInitParser ();

  tags = g_hash_table_new (g_str_hash, g_str_equal);
  for (guint i = 0; i < G_N_ELEMENTS (blocks); i++)
    g_hash_table_insert (tags, (gpointer) blocks[i], GUINT_TO_POINTER (TAG_BLOCK));
  for (guint i = 0; i < G_N_ELEMENTS (skipped); i++)
    g_hash_table_insert (tags, (gpointer) skipped[i], GUINT_TO_POINTER (TAG_SKIP));
  g_hash_table_insert (tags, (gpointer) "br", GUINT_TO_POINTER (TAG_BR));
  g_hash_table_insert (tags, (gpointer) "pre", GUINT_TO_POINTER (TAG_BLOCK | TAG_PRE));
  g_hash_table_insert (tags, (gpointer) "a", GUINT_TO_POINTER (TAG_LINK));
  g_hash_table_insert (tags, (gpointer) "td", GUINT_TO_POINTER (TAG_CELL));
  g_hash_table_insert (tags, (gpointer) "th", GUINT_TO_POINTER (TAG_CELL));
  return NULL;
}

static guint
tag_flags (const xmlChar *name)
{
  return GPOINTER_TO_UINT (g_hash_table_lookup (tags, name));
}

static gboolean
full (Writer *w)
{
  return w->out->len >= MAX_OUTPUT;
}

/* Writing text --------------------------------------------------------------------- */

static void
soft_break (Writer *w)
{
  w->pending_breaks = MAX (w->pending_breaks, 1);
}

static void
hard_break (Writer *w)
{
  w->pending_breaks = MIN (w->pending_breaks + 1, MAX_BREAKS);
}

/* What was asked for before a character: line breaks, else one space */
static void
flush_pending (Writer *w)
{
  gboolean at_line_start = w->out->len == 0 || w->out->str[w->out->len - 1] == '\n';

  if (w->pending_breaks > 0 && w->out->len > 0)
    {
      for (guint i = 0; i < w->pending_breaks; i++)
        g_string_append_c (w->out, '\n');
    }
  else if (w->pending_space && !at_line_start)
    g_string_append_c (w->out, ' ');

  w->pending_breaks = 0;
  w->pending_space = FALSE;
}

static gboolean
is_collapsible_space (gunichar c)
{
  return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f';
}

static void
write_text (Writer     *w,
            const char *text,
            gsize       length)
{
  const char *end = text + length;

  for (const char *p = text; p < end && !full (w); p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (w->pre_depth == 0 && is_collapsible_space (c))
        {
          w->pending_space = TRUE;
          continue;
        }

      flush_pending (w);
      if (c == 0xA0)   /* &nbsp;: a space that does not collapse */
        g_string_append_c (w->out, ' ');
      else if (c != '\r')
        g_string_append_unichar (w->out, c);
    }
}

/* Links ------------------------------------------------------------------------------ */

/* Outlook rewrites links as https://…safelinks.protection.outlook.com/?url=<the link>&… */
static char *
unwrap_safelink (const char *href)
{
  g_autoptr(GUri) uri = g_uri_parse (href, G_URI_FLAGS_ENCODED_QUERY, NULL);
  g_autoptr(GHashTable) params = NULL;
  const char *host = uri ? g_uri_get_host (uri) : NULL;
  const char *inner;

  if (host == NULL || !g_str_has_suffix (host, ".safelinks.protection.outlook.com") ||
      g_uri_get_query (uri) == NULL)
    return NULL;

  params = g_uri_parse_params (g_uri_get_query (uri), -1, "&", G_URI_PARAMS_NONE, NULL);
  inner = params ? g_hash_table_lookup (params, "url") : NULL;
  if (inner == NULL || !g_str_has_prefix (inner, "https://"))
    return NULL;

  return g_strdup (inner);
}

/* The address a link leads to, when it is one worth keeping (http or https) */
static char *
link_address (const xmlChar **attributes)
{
  g_autofree char *href = NULL;
  char *unwrapped;

  for (guint i = 0; attributes != NULL && attributes[i] != NULL; i += 2)
    if (g_ascii_strcasecmp ((const char *) attributes[i], "href") == 0 && attributes[i + 1] != NULL)
      href = g_strstrip (g_strdup ((const char *) attributes[i + 1]));

  if (href == NULL || strlen (href) > CALSYNC_EVENT_MAX_URL ||
      (g_ascii_strncasecmp (href, "https://", 8) != 0 && g_ascii_strncasecmp (href, "http://", 7) != 0))
    return NULL;

  if ((unwrapped = unwrap_safelink (href)) != NULL)
    return unwrapped;

  return g_steal_pointer (&href);
}

/* After a link's text: its address in brackets when the text does not show it */
static void
end_link (Writer *w)
{
  g_autofree char *address = g_steal_pointer (&w->link);
  g_autofree char *text = g_strstrip (g_strdup (w->out->str + w->link_start));

  w->in_link = FALSE;
  if (address == NULL || g_strcmp0 (text, address) == 0)
    return;

  if (*text == '\0')
    {
      w->pending_space = TRUE;
      write_text (w, address, strlen (address));
      return;
    }

  /* a break owed (a <br> ending the link) goes first; a space is written here */
  if (w->pending_breaks > 0)
    flush_pending (w);
  else
    g_string_append_c (w->out, ' ');
  w->pending_space = FALSE;
  g_string_append_c (w->out, '(');
  g_string_append (w->out, address);
  g_string_append_c (w->out, ')');
}

/* The parser's events: no tree is built, and nothing here recurses --------------- */

static void
on_start_element (void           *user_data,
                  const xmlChar  *name,
                  const xmlChar **attributes)
{
  Writer *w = user_data;
  guint flags = tag_flags (name);

  if (w->skip_depth > 0 || (flags & TAG_SKIP))
    {
      w->skip_depth += (flags & TAG_SKIP) ? 1 : 0;
      return;
    }

  if (flags & TAG_BLOCK)
    soft_break (w);
  if (flags & TAG_BR)
    hard_break (w);
  if (flags & TAG_PRE)
    w->pre_depth++;
  if ((flags & TAG_LINK) && !w->in_link)
    {
      /* the text starts after the space or break owed before it */
      w->in_link = TRUE;
      w->link = link_address (attributes);
      w->link_start = w->out->len;
    }
}

static void
on_end_element (void          *user_data,
                const xmlChar *name)
{
  Writer *w = user_data;
  guint flags = tag_flags (name);

  if (flags & TAG_SKIP)
    {
      w->skip_depth -= w->skip_depth > 0 ? 1 : 0;
      return;
    }
  if (w->skip_depth > 0)
    return;

  if ((flags & TAG_LINK) && w->in_link)
    end_link (w);
  if ((flags & TAG_PRE) && w->pre_depth > 0)
    w->pre_depth--;
  if (flags & TAG_CELL)
    w->pending_space = TRUE;
  if (flags & TAG_BLOCK)
    soft_break (w);
}

static void
on_characters (void          *user_data,
               const xmlChar *text,
               int            length)
{
  Writer *w = user_data;

  if (w->skip_depth == 0 && length > 0)
    write_text (w, (const char *) text, (gsize) length);
}

/* script and style bodies */
static void
on_cdata (void          *user_data,
          const xmlChar *text,
          int            length)
{
}

/* Spaces at the ends of lines go (an &nbsp; line is an empty line), so do
 * empty lines after an empty line and at both ends */
static char *
tidy (GString *out)
{
  GString *tidy = g_string_sized_new (out->len);
  g_auto(GStrv) lines = g_strsplit (out->str, "\n", -1);
  gboolean after_empty = TRUE;

  for (guint i = 0; lines[i] != NULL; i++)
    {
      gboolean empty = *g_strchomp (lines[i]) == '\0';

      if (empty && after_empty)
        continue;
      if (tidy->len > 0)
        g_string_append_c (tidy, '\n');
      g_string_append (tidy, lines[i]);
      after_empty = empty;
    }

  while (tidy->len > 0 && tidy->str[tidy->len - 1] == '\n')
    g_string_truncate (tidy, tidy->len - 1);

  return g_string_free (tidy, FALSE);
}

/**
 * calsync_html_to_text:
 * @html: an HTML document or fragment, in UTF-8 (invalid sequences are replaced)
 * @length: its length in bytes; only the first %CALSYNC_HTML_MAX_INPUT are read
 *
 * The text of @html as a browser shows it: runs of whitespace collapse to one
 * space, &lt;br&gt; and block elements (p, div, li, tr, headings…) end lines,
 * entities are decoded (&amp;nbsp; is a space), &lt;head&gt;, &lt;title&gt;,
 * &lt;script&gt; and &lt;style&gt; are left out, and an http(s) link whose text
 * is not its address is written "text (address)". Nothing is fetched from the
 * network, and however deep the nesting nothing recurses. Safe to call from
 * any thread.
 *
 * Returns: (transfer full): valid UTF-8, at most %CALSYNC_EVENT_MAX_DESCRIPTION
 *   bytes and a character; "" for an empty body
 */
char *
calsync_html_to_text (const char *html,
                      gsize       length)
{
  static GOnce once = G_ONCE_INIT;
  g_autofree char *valid = NULL;
  g_autoptr(GString) out = NULL;
  htmlParserCtxtPtr ctxt;
  Writer w = { 0 };

  g_return_val_if_fail (html != NULL || length == 0, NULL);

  length = calsync_utf8_prefix_length (html, length, CALSYNC_HTML_MAX_INPUT);
  if (length == 0)
    return g_strdup ("");

  g_once (&once, init_tables, NULL);
  if (!g_utf8_validate_len (html, length, NULL))
    html = valid = g_utf8_make_valid (html, (gssize) length);

  if ((ctxt = htmlNewParserCtxt ()) == NULL)
    return g_strdup ("");

  /* Only these events: no tree, no comments, no DTD, nothing loaded */
  memset (ctxt->sax, 0, sizeof *ctxt->sax);
  ctxt->sax->startElement = on_start_element;
  ctxt->sax->endElement = on_end_element;
  ctxt->sax->characters = on_characters;
  ctxt->sax->ignorableWhitespace = on_characters;
  ctxt->sax->cdataBlock = on_cdata;
  ctxt->userData = &w;

  out = g_string_sized_new (length / 2);
  w.out = out;
  htmlCtxtReadMemory (ctxt, html, (int) (valid ? strlen (valid) : length), NULL, "UTF-8", PARSE_OPTIONS);
  htmlFreeParserCtxt (ctxt);
  /* a body cut inside a link's start tag ends without the link's end */
  if (w.in_link)
    end_link (&w);

  g_string_truncate (out, calsync_utf8_prefix_length (out->str, out->len, MAX_OUTPUT));
  return tidy (out);
}
