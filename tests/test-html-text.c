/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-html-text.c: HTML event bodies (Outlook's) to plain text. */
#define G_LOG_DOMAIN "test-html-text"

#include "config.h"

#include <string.h>

#include "calsync-classifier.h"
#include "calsync-event.h"
#include "calsync-html-text.h"

static char *
to_text (const char *html)
{
  return calsync_html_to_text (html, strlen (html));
}

static void
assert_text (const char *html,
             const char *expected)
{
  g_autofree char *text = to_text (html);

  g_assert_cmpstr (text, ==, expected);
}

static void
test_empty (void)
{
  g_autofree char *none = calsync_html_to_text ("", 0);
  g_autofree char *null = calsync_html_to_text (NULL, 0);

  g_assert_cmpstr (none, ==, "");
  g_assert_cmpstr (null, ==, "");
  assert_text ("<html><head></head><body></body></html>", "");
  assert_text ("   \r\n  ", "");
  assert_text ("plain words, no tags", "plain words, no tags");
}

static void
test_entities (void)
{
  assert_text ("<p>Fish &amp; chips &lt;3 &eacute;t&eacute; &#x1F600; &#233;</p>",
               "Fish & chips <3 été 😀 é");
  /* &nbsp; is a space (that does not collapse) */
  assert_text ("<p>a&nbsp;b&nbsp;&nbsp;c</p>", "a b  c");
  /* an entity nobody defined stays as written */
  assert_text ("<p>x &bogus; y</p>", "x &bogus; y");
}

static void
test_whitespace_and_breaks (void)
{
  assert_text ("<div>  Hello\n\n   world\t!  </div>", "Hello world !");
  assert_text ("one<br>two<br/>three", "one\ntwo\nthree");
  assert_text ("<p>first</p><p>second</p>", "first\nsecond");
  assert_text ("<ul><li>milk</li><li>eggs</li></ul>after", "milk\neggs\nafter");
  assert_text ("<table><tr><td>a</td><td>b</td></tr><tr><td>c</td><td>d</td></tr></table>",
               "a b\nc d");
  assert_text ("<h1>Title</h1>text", "Title\ntext");
  /* Outlook's empty lines: <div>&nbsp;</div>, <div><br></div>; at most one in a row */
  assert_text ("<div>Hi team,</div><div>&nbsp;</div><div>Agenda</div>", "Hi team,\n\nAgenda");
  assert_text ("<div>a</div><div><br></div><div>b</div>", "a\n\nb");
  assert_text ("a<br><br><br><br><br>b", "a\n\nb");
  /* inline elements do not break lines */
  assert_text ("<p>a <b>bold</b> <i>and</i><span> inline</span></p>", "a bold and inline");
  assert_text ("<pre>  keep\n    this</pre>", "  keep\n    this");
  assert_text ("<div>\n\n<br>\n\nlead</div>", "lead");
}

static void
test_skipped (void)
{
  assert_text ("<html><head><title>Invite</title><meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">"
               "<style>p { color: red; }</style><script>alert('x')</script></head>"
               "<body><p>Visible</p><script>document.write('no')</script><!-- a comment --><noscript>n</noscript></body></html>",
               "Visible");
  assert_text ("<style>.x{}</style>text<style>.y{}</style>", "text");
}

static void
test_links (void)
{
  g_autofree char *teams = NULL;
  g_autofree char *found = NULL;

  assert_text ("<a href=\"https://example.com/a\">https://example.com/a</a>", "https://example.com/a");
  assert_text ("See <a href=\"https://example.com/doc\">the doc</a>.", "See the doc (https://example.com/doc).");
  assert_text ("<a href=\"https://example.com/x\"><img src=\"cid:1\"></a>", "https://example.com/x");
  /* only web links: no javascript:, mailto: or file: addresses */
  assert_text ("<a href=\"javascript:alert(1)\">click</a>", "click");
  assert_text ("<a href=\"mailto:a@example.com\">Ann</a>", "Ann");
  /* Safe Links wrapping is taken off */
  assert_text ("<a href=\"https://eur01.safelinks.protection.outlook.com/?url=https%3A%2F%2Fzoom.us%2Fj%2F123&amp;data=x\">Zoom</a>",
               "Zoom (https://zoom.us/j/123)");

  /* the meeting link behind "Join" stays findable */
  teams = to_text ("<div><a href=\"https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0\">"
                   "<span>Join the meeting now</span></a></div>");
  found = calsync_find_conference_url (teams);
  g_assert_nonnull (found);
  g_assert_true (g_str_has_prefix (found, "https://teams.microsoft.com/l/meetup-join/"));
}

/* A body nested deeper than any stack holds is read without recursion */
static void
test_deep_nesting (void)
{
  GString *html = g_string_new ("<p>before</p>");
  g_autofree char *text = NULL;

  while (html->len < 200 * 1024)
    g_string_append (html, "<div>");
  g_string_append (html, "deep");

  text = calsync_html_to_text (html->str, html->len);
  g_assert_nonnull (text);
  g_assert_true (g_str_has_prefix (text, "before"));
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_string_free (html, TRUE);
}

static void
test_invalid_utf8 (void)
{
  const char html[] = "<p>caf\xe9 \xff\xfe ok</p>";
  g_autofree char *text = calsync_html_to_text (html, sizeof html - 1);

  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_true (g_str_has_prefix (text, "caf"));
  g_assert_true (g_str_has_suffix (text, " ok"));
  /* the declared charset does not make the parser read UTF-8 as Latin-1 */
  assert_text ("<meta charset=\"iso-8859-1\"><p>été</p>", "été");
}

static void
test_bounded (void)
{
  GString *html = g_string_new ("<p>");
  g_autofree char *text = NULL;

  for (guint i = 0; html->len < 3 * CALSYNC_HTML_MAX_INPUT; i++)
    g_string_append (html, "é word ");
  g_string_append (html, "END</p>");

  text = calsync_html_to_text (html->str, html->len);
  g_assert_cmpuint (strlen (text), <=, CALSYNC_EVENT_MAX_DESCRIPTION);
  g_assert_cmpuint (strlen (text), >, CALSYNC_EVENT_MAX_DESCRIPTION / 2);
  g_assert_true (g_utf8_validate (text, -1, NULL));
  g_assert_null (strstr (text, "END"));
  g_string_free (html, TRUE);
}

/* A cut in the middle of a tag, an unclosed element: what can be read is */
static void
test_broken_markup (void)
{
  g_autofree char *cut = to_text ("<p>ok</p><a href=\"https://x.example/");

  g_assert_true (g_str_has_prefix (cut, "ok\n"));
  assert_text ("<div>kept <b>bold", "kept bold");
  assert_text ("text</div></span> more", "text more");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/html-text/empty", test_empty);
  g_test_add_func ("/html-text/entities", test_entities);
  g_test_add_func ("/html-text/whitespace-and-breaks", test_whitespace_and_breaks);
  g_test_add_func ("/html-text/skipped", test_skipped);
  g_test_add_func ("/html-text/links", test_links);
  g_test_add_func ("/html-text/deep-nesting", test_deep_nesting);
  g_test_add_func ("/html-text/invalid-utf8", test_invalid_utf8);
  g_test_add_func ("/html-text/bounded", test_bounded);
  g_test_add_func ("/html-text/broken-markup", test_broken_markup);

  return g_test_run ();
}
