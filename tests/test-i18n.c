/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-i18n.c: what depends on the language — the Personal calendar's name
 * (stored as a key, shown in the language of the moment, also in a database
 * created under another language), plural forms of counts, and abbreviated
 * dates with the locale's month names. German parts run under de_DE.UTF-8 with
 * the build's compiled translations (CALSYNC_TEST_LOCALEDIR); without that
 * locale they are skipped, unless CALSYNC_TEST_NO_SKIP=1. */
#include "config.h"

#include <locale.h>

#include <glib/gi18n.h>
#include <glib/gstdio.h>
#include <sqlite3.h>

#include "calsync-calendar.h"
#include "calsync-date-utils.h"
#include "calsync-event.h"
#include "calsync-store.h"
#include "calsync-sync-report.h"
#include "calsync-test-utils.h"

#define GERMAN_LOCALE "de_DE.UTF-8"

/* Switches the whole process to German (messages and dates); FALSE (the test
 * skipped, or failed under CALSYNC_TEST_NO_SKIP) when the locale is missing */
static gboolean
use_german (void)
{
  g_setenv ("LANGUAGE", "de", TRUE);
  if (setlocale (LC_ALL, GERMAN_LOCALE) != NULL)
    return TRUE;

  if (g_strcmp0 (g_getenv ("CALSYNC_TEST_NO_SKIP"), "1") == 0)
    g_error ("The locale " GERMAN_LOCALE " is missing (locale-gen; see .ci/install-deps.sh)");
  g_test_skip ("The locale " GERMAN_LOCALE " is missing");
  return FALSE;
}

static void
use_english (void)
{
  g_unsetenv ("LANGUAGE");
  setlocale (LC_ALL, "C.UTF-8");
}

static char *
new_database_path (char **dir)
{
  *dir = g_dir_make_tmp ("calsync-i18n-XXXXXX", NULL);
  g_assert_nonnull (*dir);
  return g_build_filename (*dir, "calsync.db", NULL);
}

static void
remove_database (const char *dir,
                 const char *path)
{
  const char *suffixes[] = { "", "-wal", "-shm" };

  for (guint i = 0; i < G_N_ELEMENTS (suffixes); i++)
    {
      g_autofree char *file = g_strconcat (path, suffixes[i], NULL);
      g_remove (file);
    }
  g_rmdir (dir);
}

/* The stored name, read with SQLite itself */
static char *
stored_name (const char *path,
             gint64      calendar_id)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;
  char *name = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "SELECT name FROM calendars WHERE id = ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, calendar_id);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_ROW);
  name = g_strdup ((const char *) sqlite3_column_text (stmt, 0));
  sqlite3_finalize (stmt);
  sqlite3_close (db);
  return name;
}

static void
set_stored_name (const char *path,
                 gint64      calendar_id,
                 const char *name)
{
  sqlite3 *db = NULL;
  sqlite3_stmt *stmt = NULL;

  g_assert_cmpint (sqlite3_open (path, &db), ==, SQLITE_OK);
  g_assert_cmpint (sqlite3_prepare_v2 (db, "UPDATE calendars SET name = ?2 WHERE id = ?1", -1, &stmt, NULL), ==, SQLITE_OK);
  sqlite3_bind_int64 (stmt, 1, calendar_id);
  sqlite3_bind_text (stmt, 2, name, -1, SQLITE_TRANSIENT);
  g_assert_cmpint (sqlite3_step (stmt), ==, SQLITE_DONE);
  sqlite3_finalize (stmt);
  sqlite3_close (db);
}

/* The Personal calendar's name as the store gives it: the calendar itself,
 * the list, and an event's calendar name */
static void
assert_personal_name (const char *path,
                      const char *expected)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncStore) store = calsync_store_open (path, &error);
  g_autoptr(CalsyncCalendar) personal = NULL;
  g_autoptr(GPtrArray) calendars = NULL;
  g_autoptr(GPtrArray) events = NULL;
  g_autoptr(GDateTime) from = g_date_time_new_utc (2026, 11, 1, 0, 0, 0);
  g_autoptr(GDateTime) to = g_date_time_new_utc (2026, 12, 1, 0, 0, 0);

  g_assert_no_error (error);
  personal = calsync_store_get_calendar (store, calsync_store_get_personal_calendar_id (store), &error);
  g_assert_no_error (error);
  g_assert_cmpstr (calsync_calendar_get_name (personal), ==, expected);

  calendars = calsync_store_list_calendars (store, 0, &error);
  g_assert_no_error (error);
  g_assert_cmpuint (calendars->len, ==, 1);
  g_assert_cmpstr (calsync_calendar_get_name (g_ptr_array_index (calendars, 0)), ==, expected);

  events = calsync_store_query_range (store, g_date_time_to_unix (from), g_date_time_to_unix (to), &error);
  g_assert_no_error (error);
  g_assert_cmpuint (events->len, ==, 1);
  g_assert_cmpstr (calsync_event_get_calendar_name (g_ptr_array_index (events, 0)), ==, expected);
}

static void
test_personal_name (void)
{
  g_autofree char *dir = NULL;
  g_autofree char *path = new_database_path (&dir);
  g_autoptr(GError) error = NULL;
  g_autofree char *key = NULL;
  gint64 personal_id;

  /* Created under German: stored as the key, not as "Persönlich" */
  if (!use_german ())
    {
      remove_database (dir, path);
      return;
    }
  {
    g_autoptr(CalsyncStore) store = calsync_store_open (path, &error);
    g_autoptr(CalsyncEvent) event = calsync_test_all_day_event (NULL, "Dentist", "2026-11-12", NULL);

    g_assert_no_error (error);
    personal_id = calsync_store_get_personal_calendar_id (store);
    g_assert_cmpint (calsync_store_create_local_event (store, event, &error), >, 0);
    g_assert_no_error (error);
  }
  key = stored_name (path, personal_id);
  g_assert_cmpstr (key, ==, CALSYNC_PERSONAL_CALENDAR_KEY);
  assert_personal_name (path, "Persönlich");

  use_english ();
  assert_personal_name (path, "Personal");
  g_assert_cmpstr (calsync_calendar_personal_name (), ==, "Personal");

  /* A database from before, created under German: shown in today's language */
  set_stored_name (path, personal_id, "Persönlich");
  assert_personal_name (path, "Personal");
  g_assert_true (use_german ());
  assert_personal_name (path, "Persönlich");
  use_english ();

  remove_database (dir, path);
}

static CalsyncCalendarResult *
make_result (const char *id,
             gboolean    success)
{
  CalsyncCalendarResult *result = g_new0 (CalsyncCalendarResult, 1);

  result->connection_id = g_strdup (id);
  result->provider = g_strdup ("caldav");
  result->email = g_strdup ("alice");
  result->calendar_name = g_strdup ("Work");
  result->success = success;
  result->synced = 1;
  result->total = 1;
  if (!success)
    result->error = g_strdup ("You're offline.");
  return result;
}

static void
test_plural_forms (void)
{
  g_autoptr(CalsyncSyncReport) one = calsync_sync_report_new ();
  g_autoptr(CalsyncSyncReport) two = calsync_sync_report_new ();
  g_autofree char *message_one = NULL;
  g_autofree char *message_two = NULL;
  g_autofree char *text = NULL;
  g_autofree char *json = NULL;

  use_english ();
  calsync_sync_report_add (one, make_result ("1", TRUE));
  calsync_sync_report_add (two, make_result ("1", TRUE));
  calsync_sync_report_add (two, make_result ("2", FALSE));

  message_one = calsync_sync_report_get_message (one);
  message_two = calsync_sync_report_get_message (two);
  g_assert_cmpstr (message_one, ==, "Synced 1 of 1 calendar");
  g_assert_cmpstr (message_two, ==, "Synced 1 of 2 calendars");

  text = calsync_sync_report_to_text (one);
  g_assert_nonnull (strstr (text, "Total: 1 new, 0 updated, 0 skipped, 0 deleted (1 event received)\n"));

  /* The JSON message is the contract's, in every language */
  json = calsync_sync_report_to_json (two);
  g_assert_nonnull (strstr (json, "\"Synced 1 of 2 calendar(s)\""));
}

static void
test_abbreviated_dates (void)
{
  g_autoptr(GDateTime) november = g_date_time_new_local (2026, 11, 25, 10, 0, 0);
  g_autoptr(GDateTime) may = g_date_time_new_local (2026, 5, 5, 10, 0, 0);
  g_autofree char *english = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *german = NULL;
  g_autofree char *german_may = NULL;

  use_english ();
  english = calsync_date_format_abbreviated (november, "%-d %b %Y");
  g_assert_cmpstr (english, ==, "25 Nov 2026");
  /* A literal "%b" and other conversions are left alone */
  escaped = calsync_date_format_abbreviated (november, "%%b %B %b");
  g_assert_cmpstr (escaped, ==, "%b November Nov");

  if (!use_german ())
    return;

  /* The German translation of the date format adds the day's full stop; the
   * month's abbreviation comes from the locale (glibc: "Nov"), with the mark
   * de.po gives abbreviated month names ("%s.") */
  german = calsync_date_format_abbreviated (november, "%-d. %b %Y");
  g_assert_cmpstr (german, ==, "25. Nov. 2026");
  /* "Mai" is not shortened: never "Mai." */
  german_may = calsync_date_format_abbreviated (may, "%-d. %b %Y");
  g_assert_cmpstr (german_may, ==, "5. Mai 2026");
  use_english ();
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("CALSYNC_TEST_LOCALEDIR");

  g_setenv ("TZ", "Europe/Berlin", TRUE);
  use_english ();
  g_test_init (&argc, &argv, NULL);

  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  g_test_add_func ("/i18n/personal-name", test_personal_name);
  g_test_add_func ("/i18n/plural-forms", test_plural_forms);
  g_test_add_func ("/i18n/abbreviated-dates", test_abbreviated_dates);

  return g_test_run ();
}
