/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli-two-way.c: `calsync --import --calendar=ID` into a writable synced
 * calendar (created or updated here, queued for the next sync; a read-only
 * calendar refused, nothing changed) and `calsync --delete-event=ID` (an
 * instance only; unknown ids and read-only calendars refused), run as
 * processes against a throwaway database. No display, no network. */
#include "config.h"

#include <string.h>

#include "calsync-test-utils.h"

#define FIXTURES SRCDIR "/tests/fixtures/ical"

typedef struct
{
  char *data_home;
  gint64 writable_id;
  gint64 read_only_id;
} Fixture;

static CalsyncStore *
open_store (Fixture *f)
{
  return calsync_test_open_store (f->data_home);
}

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(GError) error = NULL;
  gint64 account_id;

  f->data_home = calsync_test_setup_env ("test-cli-two-way");
  store = open_store (f);
  account_id = calsync_test_store_add_account (store, "caldav", "alice");
  f->writable_id = calsync_test_store_add_calendar (store, account_id, "/alice/work/", "Work", "#3584e4");
  f->read_only_id = calsync_test_store_add_calendar (store, account_id, "/alice/holidays/", "Holidays", "#33d17a");

  calendar = calsync_store_get_calendar (store, f->read_only_id, &error);
  g_assert_no_error (error);
  calsync_calendar_set_read_only (calendar, TRUE);
  g_assert_true (calsync_store_update_calendar (store, calendar, &error));
  g_assert_no_error (error);
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  calsync_test_remove_tree (f->data_home);
  g_free (f->data_home);
}

static int
run (Fixture     *f,
     const char  *arg1,
     const char  *arg2,
     char       **out,
     char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    calsync_test_new_launcher (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE, f->data_home);
  const char *args[] = { arg1, arg2, NULL };

  return calsync_test_run_calsync (launcher, args, out, err);
}

static gint64
outbox_count (Fixture *f,
              gint64   calendar_id)
{
  g_autoptr(CalsyncStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  gint64 n = calsync_store_count_outbox (store, calendar_id, &error);

  g_assert_no_error (error);
  return n;
}

static gint64
event_count (Fixture *f,
             gint64   calendar_id)
{
  g_autoptr(CalsyncStore) store = open_store (f);
  g_autoptr(GError) error = NULL;
  gint64 n = calsync_store_count_events (store, calendar_id, &error);

  g_assert_no_error (error);
  return n;
}

static void
test_import_into_synced (Fixture       *f,
                         gconstpointer  data)
{
  g_autofree char *calendar = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, f->writable_id);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *again = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) entries = NULL;

  g_assert_cmpint (run (f, "--import=" FIXTURES "/weekly-series.ics", calendar, &out, &err), ==, 0);
  /* A series with its overrides counts as one: two UIDs in the file */
  g_assert_nonnull (strstr (out, "Imported 2 events (2 new, 0 updated, 0 unchanged)."));
  g_assert_nonnull (strstr (out, "will be sent to the server at the next sync"));
  g_assert_cmpint (event_count (f, f->writable_id), >, 2);
  g_assert_cmpint (outbox_count (f, f->writable_id), ==, 2);

  store = open_store (f);
  entries = calsync_store_list_outbox (store, f->writable_id, NULL);
  g_assert_nonnull (entries);
  for (guint i = 0; i < entries->len; i++)
    {
      CalsyncOutboxEntry *entry = g_ptr_array_index (entries, i);

      g_assert_cmpint (entry->kind, ==, CALSYNC_OUTBOX_CREATE);
      /* The series goes whole, as iCalendar, with its rule */
      if (g_strcmp0 (entry->key, "5f1c0d4e-3b2a-4c19-9e8f-7a6b5c4d3e2f") == 0)
        {
          g_assert_true (entry->whole);
          g_assert_nonnull (strstr (entry->resource_text, "RRULE:FREQ=WEEKLY"));
        }
    }
  g_clear_object (&store);

  /* The same file again: nothing changes, nothing more to send */
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (run (f, "--import=" FIXTURES "/weekly-series.ics", calendar, &again, NULL), ==, 0);
  g_assert_nonnull (strstr (again, "(0 new, 0 updated, 2 unchanged)"));
  g_assert_null (strstr (again, "will be sent"));
  g_assert_cmpint (outbox_count (f, f->writable_id), ==, 2);
}

static void
test_import_read_only_refused (Fixture       *f,
                               gconstpointer  data)
{
  g_autofree char *calendar = g_strdup_printf ("--calendar=%" G_GINT64_FORMAT, f->read_only_id);
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run (f, "--import=" FIXTURES "/google-export.ics", calendar, &out, &err), ==, 1);
  g_assert_nonnull (strstr (err, "read-only"));
  g_assert_nonnull (strstr (err, "Holidays"));
  g_assert_cmpstr (out, ==, "");
  g_assert_cmpint (event_count (f, f->read_only_id), ==, 0);
  g_assert_cmpint (outbox_count (f, 0), ==, 0);
}

/* Three instances of a weekly series, as a sync stores them */
static void
seed_series (Fixture *f,
             gint64   calendar_id,
             gint64  *ids)
{
  g_autoptr(CalsyncStore) store = open_store (f);
  g_autoptr(GPtrArray) events = g_ptr_array_new_with_free_func (g_object_unref);
  g_autoptr(GError) error = NULL;
  gint64 start = 1796112000;   /* 2026-12-01 */

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("standup_%d", i);
      CalsyncEvent *event = calsync_test_timed_event (id, "Standup", start + i * 7 * 86400,
                                                      start + i * 7 * 86400 + 900, "Europe/Berlin");

      calsync_event_set_recurring_event_id (event, "standup");
      calsync_event_set_etag (event, "\"s1\"");
      g_ptr_array_add (events, event);
    }
  g_assert_true (calsync_store_apply_remote_events (store, calendar_id, events, NULL, NULL, &error));
  g_assert_no_error (error);

  for (int i = 0; i < 3; i++)
    {
      g_autofree char *id = g_strdup_printf ("standup_%d", i);
      g_autoptr(CalsyncEvent) stored = calsync_store_lookup_event (store, calendar_id, id, NULL);

      g_assert_nonnull (stored);
      ids[i] = calsync_event_get_id (stored);
    }
}

static void
test_delete_instance (Fixture       *f,
                      gconstpointer  data)
{
  g_autofree char *arg = NULL;
  g_autofree char *out = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) entries = NULL;
  gint64 ids[3];
  CalsyncOutboxEntry *entry;

  seed_series (f, f->writable_id, ids);
  arg = g_strdup_printf ("--delete-event=%" G_GINT64_FORMAT, ids[1]);
  g_assert_cmpint (run (f, arg, NULL, &out, NULL), ==, 0);
  g_assert_nonnull (strstr (out, "Standup"));
  g_assert_nonnull (strstr (out, "next sync"));

  /* That instance only */
  store = open_store (f);
  g_assert_null (calsync_store_get_event (store, ids[1], NULL));
  g_assert_true (calsync_store_count_events (store, f->writable_id, NULL) == 2);

  entries = calsync_store_list_outbox (store, f->writable_id, NULL);
  g_assert_cmpuint (entries->len, ==, 1);
  entry = g_ptr_array_index (entries, 0);
  g_assert_cmpint (entry->kind, ==, CALSYNC_OUTBOX_DELETE);
  g_assert_cmpstr (entry->key, ==, "standup_1");
  g_assert_cmpstr (entry->etag, ==, "\"s1\"");
  g_assert_cmpstr (calsync_event_get_recurring_event_id (entry->event), ==, "standup");
}

static void
test_delete_refused (Fixture       *f,
                     gconstpointer  data)
{
  g_autofree char *err_unknown = NULL;
  g_autofree char *err_text = NULL;
  g_autofree char *err_ro = NULL;
  g_autofree char *arg = NULL;
  gint64 ids[3];

  g_assert_cmpint (run (f, "--delete-event=987654", NULL, NULL, &err_unknown), ==, 1);
  g_assert_nonnull (strstr (err_unknown, "no event 987654"));
  g_assert_cmpint (run (f, "--delete-event=standup", NULL, NULL, &err_text), ==, 1);
  g_assert_nonnull (strstr (err_text, "no event"));

  /* Read-only: nothing deleted, nothing queued */
  {
    g_autoptr(CalsyncStore) store = open_store (f);
    g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (store, f->read_only_id, NULL);

    calsync_calendar_set_read_only (calendar, FALSE);
    g_assert_true (calsync_store_update_calendar (store, calendar, NULL));
  }
  seed_series (f, f->read_only_id, ids);
  {
    g_autoptr(CalsyncStore) store = open_store (f);
    g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (store, f->read_only_id, NULL);

    calsync_calendar_set_read_only (calendar, TRUE);
    g_assert_true (calsync_store_update_calendar (store, calendar, NULL));
  }

  arg = g_strdup_printf ("--delete-event=%" G_GINT64_FORMAT, ids[0]);
  g_assert_cmpint (run (f, arg, NULL, NULL, &err_ro), ==, 1);
  g_assert_nonnull (strstr (err_ro, "read-only"));
  g_assert_cmpint (event_count (f, f->read_only_id), ==, 3);
  g_assert_cmpint (outbox_count (f, 0), ==, 0);
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/cli-two-way/import/synced", test_import_into_synced);
  ADD ("/cli-two-way/import/read-only", test_import_read_only_refused);
  ADD ("/cli-two-way/delete/instance", test_delete_instance);
  ADD ("/cli-two-way/delete/refused", test_delete_refused);
#undef ADD

  return g_test_run ();
}
