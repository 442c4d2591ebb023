/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-html-text.c: an HTML event body (Outlook's) as the plain text a
 * browser would show: libxml2's HTML parser (no network, nothing loaded from
 * elsewhere, errors recovered) builds the tree, and a walk without recursion
 * writes its text — whitespace collapsed, blocks and <br> as line breaks,
 * scripts, styles and the head left out, link addresses kept next to their
 * text so that a meeting link stays findable. */
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

typedef struct
{
  GString *out;
  guint pending_breaks;     /* line breaks asked for before the next text */
  gboolean pending_space;   /* collapsed whitespace before the next text */
  guint pre_depth;          /* inside <pre>: whitespace is kept */
  xmlNode *link;            /* the <a> being written, and where its text began */
  gsize link_start;
} Writer;

static gboolean
name_is_one_of (const xmlChar      *name,
                const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (g_ascii_strcasecmp ((const char *) name, names[i]) == 0)
      return TRUE;

  return FALSE;
}

static gboolean
is_skipped (xmlNode *node)
{
  static const char * const names[] = {
    "head", "title", "script", "style", "noscript", "template", NULL,
  };

  return name_is_one_of (node->name, names);
}

static gboolean
is_block (xmlNode *node)
{
  static const char * const names[] = {
    "address", "article", "aside", "blockquote", "body", "caption", "center", "dd", "div",
    "dl", "dt", "fieldset", "figcaption", "figure", "footer", "form", "h1", "h2", "h3",
    "h4", "h5", "h6", "header", "hr", "html", "li", "main", "nav", "ol", "p", "pre",
    "section", "table", "tbody", "tfoot", "thead", "tr", "ul", NULL,
  };

  return name_is_one_of (node->name, names);
}

static gboolean
is_named (xmlNode    *node,
          const char *name)
{
  return g_ascii_strcasecmp ((const char *) node->name, name) == 0;
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
            const char *text)
{
  for (const char *p = text; *p != '\0' && !full (w); p = g_utf8_next_char (p))
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
      else if (c == '\r')
        ;
      else
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
link_address (xmlNode *node)
{
  g_autofree char *href = (char *) xmlGetProp (node, (const xmlChar *) "href");
  g_autofree char *stripped = href ? g_strstrip (g_strdup (href)) : NULL;
  char *unwrapped;

  if (stripped == NULL || strlen (stripped) > CALSYNC_EVENT_MAX_URL ||
      (g_ascii_strncasecmp (stripped, "https://", 8) != 0 &&
       g_ascii_strncasecmp (stripped, "http://", 7) != 0))
    return NULL;

  if ((unwrapped = unwrap_safelink (stripped)) != NULL)
    return unwrapped;

  return g_steal_pointer (&stripped);
}

/* After a link's text: its address in brackets when the text does not show it */
static void
end_link (Writer *w)
{
  g_autofree char *address = link_address (w->link);
  g_autofree char *text = g_strstrip (g_strdup (w->out->str + w->link_start));

  w->link = NULL;
  if (address == NULL || g_strcmp0 (text, address) == 0)
    return;

  if (*text == '\0')
    {
      w->pending_space = TRUE;
      write_text (w, address);
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

/* The walk --------------------------------------------------------------------------- */

/* Returns whether the children of @node are to be written */
static gboolean
enter (Writer  *w,
       xmlNode *node)
{
  if (node->type == XML_TEXT_NODE)
    {
      write_text (w, (const char *) node->content);
      return FALSE;
    }
  if (node->type != XML_ELEMENT_NODE || is_skipped (node))
    return FALSE;

  if (is_block (node))
    soft_break (w);
  if (is_named (node, "br"))
    hard_break (w);
  else if (is_named (node, "pre"))
    w->pre_depth++;
  else if (is_named (node, "a") && w->link == NULL)
    {
      /* the text starts after the space or break owed before it */
      w->link = node;
      w->link_start = w->out->len;
    }

  return TRUE;
}

static void
leave (Writer  *w,
       xmlNode *node)
{
  if (node->type != XML_ELEMENT_NODE || is_skipped (node))
    return;

  if (node == w->link)
    end_link (w);
  if (is_named (node, "pre") && w->pre_depth > 0)
    w->pre_depth--;
  if (is_named (node, "td") || is_named (node, "th"))
    w->pending_space = TRUE;
  if (is_block (node))
    soft_break (w);
}

/* Depth first over the tree with its parent pointers: no recursion, however
 * deep the nesting */
static void
write_tree (Writer  *w,
            xmlNode *first)
{
  xmlNode *node = first;

  while (node != NULL && !full (w))
    {
      if (enter (w, node) && node->children != NULL)
        {
          node = node->children;
          continue;
        }

      leave (w, node);
      while (node->next == NULL)
        {
          node = node->parent;
          if (node == NULL || node->type == XML_HTML_DOCUMENT_NODE || node->type == XML_DOCUMENT_NODE)
            return;
          leave (w, node);
        }
      node = node->next;
    }
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

static gpointer
init_libxml (gpointer data)
{
  xmlInitParser ();
  return NULL;
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
 * network. Safe to call from any thread.
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
  htmlDocPtr doc;
  Writer w = { 0 };

  g_return_val_if_fail (html != NULL || length == 0, NULL);

  length = calsync_utf8_prefix_length (html, length, CALSYNC_HTML_MAX_INPUT);
  if (length == 0)
    return g_strdup ("");

  g_once (&once, init_libxml, NULL);
  valid = g_utf8_make_valid (html, (gssize) length);

  if ((ctxt = htmlNewParserCtxt ()) == NULL)
    return g_strdup ("");
  doc = htmlCtxtReadMemory (ctxt, valid, (int) strlen (valid), NULL, "UTF-8", PARSE_OPTIONS);

  out = g_string_new (NULL);
  w.out = out;
  if (doc != NULL)
    write_tree (&w, doc->children);

  xmlFreeDoc (doc);
  htmlFreeParserCtxt (ctxt);

  g_string_truncate (out, calsync_utf8_prefix_length (out->str, out->len, MAX_OUTPUT));
  return tidy (out);
}
