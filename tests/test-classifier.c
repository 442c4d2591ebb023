/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-classifier.c: tests of the event type classifier and conference link finder. */
#define G_LOG_DOMAIN "test-classifier"

#include "config.h"

#include <locale.h>

#include "calsync-classifier-private.h"
#include "calsync-classifier.h"

typedef struct
{
  const char *title;
  const char *description;
  gboolean has_attendees;
  CalsyncEventType expected;
} TypeCase;

static const TypeCase type_cases[] = {
  /* English, title */
  { "Project deadline", NULL, FALSE, CALSYNC_EVENT_TYPE_DEADLINE },
  { "Tax return due", NULL, FALSE, CALSYNC_EVENT_TYPE_DEADLINE },
  { "Submit expense report", NULL, FALSE, CALSYNC_EVENT_TYPE_DEADLINE },
  { "Call with Anna", NULL, FALSE, CALSYNC_EVENT_TYPE_CALL },
  { "Phone interview prep", NULL, FALSE, CALSYNC_EVENT_TYPE_CALL },
  { "Reminder: dentist", NULL, FALSE, CALSYNC_EVENT_TYPE_REMINDER },
  { "Pay rent", NULL, FALSE, CALSYNC_EVENT_TYPE_REMINDER },
  { "Renew passport", NULL, FALSE, CALSYNC_EVENT_TYPE_REMINDER },
  { "Team meeting", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "Daily Standup", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "Weekly sync", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "Code review", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "1:1 Ann / Bob", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "Sprint retro", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "Q3 planning", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "ALL HANDS", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  /* German */
  { "Abgabe Bachelorarbeit", NULL, FALSE, CALSYNC_EVENT_TYPE_DEADLINE },
  { "Steuererklärung Frist", NULL, FALSE, CALSYNC_EVENT_TYPE_DEADLINE },
  { "Abgabefrist Antrag", NULL, FALSE, CALSYNC_EVENT_TYPE_DEADLINE },
  { "Anruf bei der Bank", NULL, FALSE, CALSYNC_EVENT_TYPE_CALL },
  { "Telefonat mit Oma", NULL, FALSE, CALSYNC_EVENT_TYPE_CALL },
  { "Rückruf Versicherung", NULL, FALSE, CALSYNC_EVENT_TYPE_CALL },
  { "Erinnerung: Müll rausbringen", NULL, FALSE, CALSYNC_EVENT_TYPE_REMINDER },
  { "Zahlungserinnerung", NULL, FALSE, CALSYNC_EVENT_TYPE_REMINDER },
  { "Teambesprechung", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  { "BESPRECHUNG Vertrieb", NULL, FALSE, CALSYNC_EVENT_TYPE_MEETING },
  /* Word boundaries: no keyword inside another word */
  { "Recall the basics", NULL, FALSE, CALSYNC_EVENT_TYPE_EVENT },
  { "Dueling banjos", NULL, FALSE, CALSYNC_EVENT_TYPE_EVENT },
  { "Payday party", NULL, FALSE, CALSYNC_EVENT_TYPE_EVENT },
  { "CalSync release", NULL, FALSE, CALSYNC_EVENT_TYPE_EVENT },
  { "Retrograde motion talk", NULL, FALSE, CALSYNC_EVENT_TYPE_EVENT },
  /* Title first, then description, then attendees */
  { "Lunch", "Quick call about the offer", FALSE, CALSYNC_EVENT_TYPE_CALL },
  { "Budget", "Final deadline for the numbers", TRUE, CALSYNC_EVENT_TYPE_DEADLINE },
  { "Call", "Weekly meeting notes", FALSE, CALSYNC_EVENT_TYPE_CALL },
  { "Lunch with Ann", NULL, TRUE, CALSYNC_EVENT_TYPE_MEETING },
  { "Lunch with Ann", "At the usual place", FALSE, CALSYNC_EVENT_TYPE_EVENT },
  { "Birthday", NULL, FALSE, CALSYNC_EVENT_TYPE_EVENT },
  { NULL, NULL, FALSE, CALSYNC_EVENT_TYPE_EVENT },
  { "", "", TRUE, CALSYNC_EVENT_TYPE_MEETING },
};

static void
test_classify_table (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (type_cases); i++)
    {
      const TypeCase *c = &type_cases[i];
      CalsyncEventType type = calsync_classify_event_type (c->title, c->description, c->has_attendees);

      if (type != c->expected)
        g_test_message ("case %u: “%s” / “%s”: got %s, expected %s", i,
                        c->title ? c->title : "(null)", c->description ? c->description : "(null)",
                        calsync_event_type_to_string (type),
                        calsync_event_type_to_string (c->expected));
      g_assert_cmpint (type, ==, c->expected);
    }
}

static void
test_labels (void)
{
  g_assert_cmpstr (calsync_event_type_label (CALSYNC_EVENT_TYPE_MEETING), ==, "Meeting");
  g_assert_cmpstr (calsync_event_type_label (CALSYNC_EVENT_TYPE_CALL), ==, "Call");
  g_assert_cmpstr (calsync_event_type_label (CALSYNC_EVENT_TYPE_DEADLINE), ==, "Deadline");
  g_assert_cmpstr (calsync_event_type_label (CALSYNC_EVENT_TYPE_REMINDER), ==, "Reminder");
  g_assert_cmpstr (calsync_event_type_label (CALSYNC_EVENT_TYPE_EVENT), ==, "Event");
  g_assert_cmpstr (calsync_event_type_label ((CalsyncEventType) 99), ==, "Event");
}

typedef struct
{
  const char *text;
  const char *expected;
} UrlCase;

static const UrlCase url_cases[] = {
  { "Join: https://meet.google.com/abc-defg-hij", "https://meet.google.com/abc-defg-hij" },
  { "https://meet.google.com/abc-defg-hij.", "https://meet.google.com/abc-defg-hij" },
  { "(https://meet.google.com/abc-defg-hij)", "https://meet.google.com/abc-defg-hij" },
  { "Zoom: https://us02web.zoom.us/j/81234567890?pwd=AbCd12, see you",
    "https://us02web.zoom.us/j/81234567890?pwd=AbCd12" },
  { "https://zoom.us/j/123456789!", "https://zoom.us/j/123456789" },
  { "Teams <https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d>",
    "https://teams.microsoft.com/l/meetup-join/19%3ameeting_abc%40thread.v2/0?context=%7b%7d" },
  { "https://teams.live.com/meet/9876543210;", "https://teams.live.com/meet/9876543210" },
  { "Webex: https://acme.webex.com/acme/j.php?MTID=m123abc...", "https://acme.webex.com/acme/j.php?MTID=m123abc" },
  { "<a href=\"https://meet.google.com/xyz-abcd-efg\">Join</a>", "https://meet.google.com/xyz-abcd-efg" },
  /* The first conferencing link wins; other links are passed over */
  { "Agenda https://example.com/doc then https://meet.google.com/aaa-bbbb-ccc",
    "https://meet.google.com/aaa-bbbb-ccc" },
  { "http://meet.google.com/abc-defg-hij and https://zoom.us/j/42", "https://zoom.us/j/42" },
  /* Refused */
  { "http://meet.google.com/abc-defg-hij", NULL },
  { "http://us02web.zoom.us/j/81234567890", NULL },
  { "https://meet.google.com/", NULL },
  { "https://meet.google.com/lookup", NULL },
  { "https://zoom.us/pricing", NULL },
  { "https://evilzoom.us/j/123", NULL },
  { "https://zoom.us.example.com/j/123", NULL },
  { "https://teams.microsoft.com/downloads", NULL },
  { "https://example.com/meet.google.com/abc-defg-hij", NULL },
  { "Room 4.12, 2nd floor", NULL },
  { "", NULL },
  { NULL, NULL },
};

static void
test_conference_urls (void)
{
  for (guint i = 0; i < G_N_ELEMENTS (url_cases); i++)
    {
      g_autofree char *url = calsync_find_conference_url (url_cases[i].text);

      g_test_message ("case %u: %s", i, url_cases[i].text ? url_cases[i].text : "(null)");
      g_assert_cmpstr (url, ==, url_cases[i].expected);
    }
}

int
main (int   argc,
      char *argv[])
{
  setlocale (LC_ALL, "C.UTF-8");
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/classifier/types", test_classify_table);
  g_test_add_func ("/classifier/labels", test_labels);
  g_test_add_func ("/classifier/conference-urls", test_conference_urls);

  return g_test_run ();
}
