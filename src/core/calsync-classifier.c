/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-classifier.c: guesses an event's type and finds its conferencing link. */
#define G_LOG_DOMAIN "calsync-classifier"

#include "config.h"

#include <glib/gi18n.h>
#include <string.h>

#include "calsync-classifier-private.h"
#include "calsync-classifier.h"

/* How a keyword must sit in the text. English keywords are whole words; German
 * nouns form compounds ("Teambesprechung", "Abgabefrist", "Zahlungserinnerung"),
 * so they match anywhere inside a word. */
typedef enum
{
  MATCH_WORD,
  MATCH_INSIDE_WORD,
} MatchMode;

typedef struct
{
  const char *keyword;   /* lower case, already case-folded */
  CalsyncEventType type;
  MatchMode mode;
} Keyword;

/* Checked in this order: the first hit wins, so the more specific types come first. */
static const Keyword keywords[] = {
  { "deadline",     CALSYNC_EVENT_TYPE_DEADLINE, MATCH_WORD },
  { "deadlines",    CALSYNC_EVENT_TYPE_DEADLINE, MATCH_WORD },
  { "due",          CALSYNC_EVENT_TYPE_DEADLINE, MATCH_WORD },
  { "submit",       CALSYNC_EVENT_TYPE_DEADLINE, MATCH_WORD },
  { "submission",   CALSYNC_EVENT_TYPE_DEADLINE, MATCH_WORD },
  { "frist",        CALSYNC_EVENT_TYPE_DEADLINE, MATCH_INSIDE_WORD },
  { "abgabe",       CALSYNC_EVENT_TYPE_DEADLINE, MATCH_INSIDE_WORD },
  { "call",         CALSYNC_EVENT_TYPE_CALL,     MATCH_WORD },
  { "calls",        CALSYNC_EVENT_TYPE_CALL,     MATCH_WORD },
  { "phone",        CALSYNC_EVENT_TYPE_CALL,     MATCH_WORD },
  { "anruf",        CALSYNC_EVENT_TYPE_CALL,     MATCH_INSIDE_WORD },
  { "rückruf",      CALSYNC_EVENT_TYPE_CALL,     MATCH_INSIDE_WORD },
  { "telefon",      CALSYNC_EVENT_TYPE_CALL,     MATCH_INSIDE_WORD },
  { "reminder",     CALSYNC_EVENT_TYPE_REMINDER, MATCH_WORD },
  { "remind",       CALSYNC_EVENT_TYPE_REMINDER, MATCH_WORD },
  { "pay",          CALSYNC_EVENT_TYPE_REMINDER, MATCH_WORD },
  { "renew",        CALSYNC_EVENT_TYPE_REMINDER, MATCH_WORD },
  { "renewal",      CALSYNC_EVENT_TYPE_REMINDER, MATCH_WORD },
  { "erinnerung",   CALSYNC_EVENT_TYPE_REMINDER, MATCH_INSIDE_WORD },
  { "meeting",      CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "meetings",     CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "standup",      CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "stand-up",     CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "sync",         CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "review",       CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "1:1",          CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "retro",        CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "retrospective", CALSYNC_EVENT_TYPE_MEETING, MATCH_WORD },
  { "planning",     CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "interview",    CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "all hands",    CALSYNC_EVENT_TYPE_MEETING,  MATCH_WORD },
  { "besprechung",  CALSYNC_EVENT_TYPE_MEETING,  MATCH_INSIDE_WORD },
};

static const char * const type_labels[] = {
  [CALSYNC_EVENT_TYPE_EVENT] = N_("Event"),
  [CALSYNC_EVENT_TYPE_MEETING] = N_("Meeting"),
  [CALSYNC_EVENT_TYPE_CALL] = N_("Call"),
  [CALSYNC_EVENT_TYPE_DEADLINE] = N_("Deadline"),
  [CALSYNC_EVENT_TYPE_REMINDER] = N_("Reminder"),
};

static gboolean
is_word_char_at (const char *p)
{
  return g_unichar_isalnum (g_utf8_get_char (p));
}

static gboolean
at_word_boundaries (const char *text,
                    const char *hit,
                    gsize       len)
{
  if (hit > text && is_word_char_at (g_utf8_find_prev_char (text, hit)))
    return FALSE;

  return hit[len] == '\0' || !is_word_char_at (hit + len);
}

static gboolean
folded_text_has_keyword (const char    *folded,
                         const Keyword *keyword)
{
  gsize len = strlen (keyword->keyword);
  const char *hit;

  for (hit = strstr (folded, keyword->keyword); hit != NULL; hit = strstr (hit + 1, keyword->keyword))
    {
      if (keyword->mode == MATCH_INSIDE_WORD || at_word_boundaries (folded, hit, len))
        return TRUE;
    }

  return FALSE;
}

/* Returns TRUE and sets @type when a keyword of the table occurs in @text. */
static gboolean
classify_text (const char       *text,
               CalsyncEventType *type)
{
  g_autofree char *casefolded = NULL;
  g_autofree char *folded = NULL;

  if (text == NULL || *text == '\0' || !g_utf8_validate (text, -1, NULL))
    return FALSE;

  casefolded = g_utf8_casefold (text, -1);
  folded = g_utf8_normalize (casefolded, -1, G_NORMALIZE_DEFAULT_COMPOSE);

  for (guint i = 0; i < G_N_ELEMENTS (keywords); i++)
    {
      if (folded_text_has_keyword (folded, &keywords[i]))
        {
          *type = keywords[i].type;
          return TRUE;
        }
    }

  return FALSE;
}

/**
 * calsync_classify_event_type:
 * @title: (nullable): the event's title
 * @description: (nullable): its description
 * @has_attendees: whether it has attendees besides its owner
 *
 * Guesses what kind of event this is: a keyword in the title decides, then one
 * in the description; an event with attendees and no keyword is a meeting.
 *
 * Returns: the type, %CALSYNC_EVENT_TYPE_EVENT when nothing matches
 */
CalsyncEventType
calsync_classify_event_type (const char *title,
                             const char *description,
                             gboolean    has_attendees)
{
  CalsyncEventType type = CALSYNC_EVENT_TYPE_EVENT;

  if (classify_text (title, &type) || classify_text (description, &type))
    return type;

  return has_attendees ? CALSYNC_EVENT_TYPE_MEETING : CALSYNC_EVENT_TYPE_EVENT;
}

/**
 * calsync_event_type_label:
 *
 * Returns: the translated, human-readable name of @type ("Meeting", …)
 */
const char *
calsync_event_type_label (CalsyncEventType type)
{
  if ((guint) type >= G_N_ELEMENTS (type_labels))
    type = CALSYNC_EVENT_TYPE_EVENT;

  return _(type_labels[type]);
}

/* Conference links ---------------------------------------------------------- */

/* "abc-defg-hij": Meet's meeting codes */
static gboolean
is_meet_code (const char *path)
{
  static const guint group_len[] = { 3, 4, 3 };

  if (*path++ != '/')
    return FALSE;

  for (guint g = 0; g < G_N_ELEMENTS (group_len); g++)
    {
      for (guint i = 0; i < group_len[g]; i++, path++)
        if (!g_ascii_isalpha (*path))
          return FALSE;
      if (g + 1 < G_N_ELEMENTS (group_len) && *path++ != '-')
        return FALSE;
    }

  return *path == '\0' || *path == '/';
}

static gboolean
host_is_or_under (const char *host,
                  const char *domain)
{
  gsize host_len = strlen (host);
  gsize domain_len = strlen (domain);

  if (g_str_equal (host, domain))
    return TRUE;

  return host_len > domain_len + 1 &&
         g_str_has_suffix (host, domain) &&
         host[host_len - domain_len - 1] == '.';
}

static gboolean
is_conference_uri (GUri *uri)
{
  g_autofree char *host = g_ascii_strdown (g_uri_get_host (uri) ? g_uri_get_host (uri) : "", -1);
  const char *path = g_uri_get_path (uri);

  if (g_str_equal (host, "meet.google.com"))
    return is_meet_code (path);
  if (g_str_equal (host, "teams.microsoft.com"))
    return g_str_has_prefix (path, "/l/meetup-join/");
  if (g_str_equal (host, "teams.live.com"))
    return g_str_has_prefix (path, "/meet/");
  if (host_is_or_under (host, "zoom.us"))
    return g_str_has_prefix (path, "/j/");
  if (host_is_or_under (host, "webex.com"))
    return path[0] == '/' && path[1] != '\0';

  return FALSE;
}

static gboolean
ends_url (char c)
{
  return g_ascii_isspace (c) || c == '\0' || c == '<' || c == '>' ||
         c == '"' || c == '\'' || c == '`' || c == '|';
}

/* The URL that starts at @start, with trailing sentence punctuation removed */
static char *
cut_url (const char *start)
{
  const char *end = start;

  while (!ends_url (*end))
    end++;

  while (end > start && strchr (".,;:!?)]}*", end[-1]) != NULL)
    end--;

  return g_strndup (start, end - start);
}

static const char *
find_https (const char *text)
{
  for (const char *p = text; *p != '\0'; p++)
    if (g_ascii_strncasecmp (p, "https://", 8) == 0)
      return p;

  return NULL;
}

/**
 * calsync_find_conference_url:
 * @text: (nullable): a location or description
 *
 * Finds the first Google Meet, Microsoft Teams, Zoom or Webex link in @text.
 * Only https links count; trailing punctuation is not part of the link.
 *
 * Returns: (transfer full) (nullable): the URL
 */
char *
calsync_find_conference_url (const char *text)
{
  if (text == NULL)
    return NULL;

  for (const char *p = find_https (text); p != NULL; p = find_https (p + 8))
    {
      g_autofree char *candidate = cut_url (p);
      g_autoptr(GUri) uri = g_uri_parse (candidate, G_URI_FLAGS_NONE, NULL);

      if (uri != NULL && is_conference_uri (uri))
        return g_steal_pointer (&candidate);
    }

  return NULL;
}
