/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sync-report.c: the JSON of `calsync --sync --json`, counting rules and the summary. */
#include "config.h"

#include <json-glib/json-glib.h>

#include "calsync-sync-report.h"

static CalsyncCalendarResult *
make_result (const char *id,
             const char *name,
             const char *error,
             guint       synced,
             guint       updated,
             guint       skipped,
             guint       deleted)
{
  CalsyncCalendarResult *result = g_new0 (CalsyncCalendarResult, 1);

  result->connection_id = g_strdup (id);
  result->provider = g_strdup ("google");
  result->email = g_strdup ("user@example.com");
  result->calendar_name = g_strdup (name);
  result->success = error == NULL;
  result->error = g_strdup (error);
  result->synced = synced;
  result->updated = updated;
  result->skipped = skipped;
  result->deleted = deleted;
  result->total = 999;   /* recomputed by the report */
  return result;
}

static JsonObject *
parse_object (const char *json,
              JsonNode  **root_out)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  g_assert_true (json_parser_load_from_data (parser, json, -1, &error));
  g_assert_no_error (error);
  *root_out = json_node_copy (json_parser_get_root (parser));
  g_assert_true (JSON_NODE_HOLDS_OBJECT (*root_out));
  return json_node_get_object (*root_out);
}

static void
assert_member_order (JsonObject         *object,
                     const char * const *expected)
{
  g_autoptr(GList) members = json_object_get_members (object);
  GList *l = members;

  for (guint i = 0; expected[i] != NULL; i++, l = l->next)
    {
      g_assert_nonnull (l);
      g_assert_cmpstr (l->data, ==, expected[i]);
    }
  g_assert_null (l);
}

static void
test_json_shape (void)
{
  static const char * const top[] = { "success", "message", "synced", "updated", "skipped",
                                      "deleted", "total", "pushed", "conflicts", "results", "timestamp", NULL };
  static const char * const ok[] = { "connectionId", "provider", "email", "calendarName", "status",
                                     "synced", "updated", "skipped", "deleted", "total", "pushed", "conflicts", NULL };
  static const char * const failed[] = { "connectionId", "provider", "email", "calendarName", "status",
                                         "error", "synced", "updated", "skipped", "deleted", "total", "pushed", "conflicts", NULL };
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  JsonObject *object, *first, *second;
  JsonArray *results;

  calsync_sync_report_add (report, make_result ("1", "user@example.com", NULL, 10, 2, 1, 0));
  calsync_sync_report_add (report, make_result ("2", "Team", "Sign-in expired. Reconnect the account in Preferences.",
                                                0, 0, 0, 0));
  calsync_sync_report_set_timestamp (report, G_GINT64_CONSTANT (1767268800123456));

  json = calsync_sync_report_to_json (report);
  object = parse_object (json, &root);
  assert_member_order (object, top);

  g_assert_false (json_object_get_boolean_member (object, "success"));
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "Synced 1 of 2 calendar(s)");
  g_assert_cmpint (json_object_get_int_member (object, "synced"), ==, 10);
  g_assert_cmpint (json_object_get_int_member (object, "updated"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "skipped"), ==, 1);
  g_assert_cmpint (json_object_get_int_member (object, "deleted"), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 13);
  g_assert_cmpstr (json_object_get_string_member (object, "timestamp"), ==, "2026-01-01T12:00:00.123Z");

  results = json_object_get_array_member (object, "results");
  g_assert_cmpuint (json_array_get_length (results), ==, 2);
  first = json_array_get_object_element (results, 0);
  second = json_array_get_object_element (results, 1);
  assert_member_order (first, ok);
  assert_member_order (second, failed);

  g_assert_cmpstr (json_object_get_string_member (first, "connectionId"), ==, "1");
  g_assert_cmpstr (json_object_get_string_member (first, "provider"), ==, "google");
  g_assert_cmpstr (json_object_get_string_member (first, "calendarName"), ==, "user@example.com");
  g_assert_cmpstr (json_object_get_string_member (first, "status"), ==, "success");
  g_assert_cmpint (json_object_get_int_member (first, "total"), ==, 13);
  g_assert_cmpstr (json_object_get_string_member (second, "status"), ==, "error");
  g_assert_cmpstr (json_object_get_string_member (second, "error"), ==,
                   "Sign-in expired. Reconnect the account in Preferences.");
  g_assert_cmpint (json_object_get_int_member (second, "total"), ==, 0);
}

static void
test_sums (void)
{
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();
  CalsyncCalendarResult totals = { 0 };

  calsync_sync_report_add (report, make_result ("1", "A", NULL, 1, 2, 3, 4));
  calsync_sync_report_add (report, make_result ("2", "B", NULL, 10, 20, 30, 40));
  calsync_sync_report_add (report, make_result ("3", "C", NULL, 0, 0, 0, 0));

  g_assert_cmpuint (calsync_sync_report_get_n_results (report), ==, 3);
  g_assert_cmpuint (calsync_sync_report_get_result (report, 0)->total, ==, 10);
  g_assert_cmpuint (calsync_sync_report_get_result (report, 1)->total, ==, 100);

  calsync_sync_report_get_totals (report, &totals);
  g_assert_cmpuint (totals.synced, ==, 11);
  g_assert_cmpuint (totals.updated, ==, 22);
  g_assert_cmpuint (totals.skipped, ==, 33);
  g_assert_cmpuint (totals.deleted, ==, 44);
  g_assert_cmpuint (totals.total, ==, 110);
  g_assert_cmpuint (totals.total, ==, totals.synced + totals.updated + totals.skipped + totals.deleted);
  g_assert_true (calsync_sync_report_get_success (report));
}

static void
test_messages (void)
{
  g_autoptr(CalsyncSyncReport) empty = calsync_sync_report_new ();
  g_autoptr(CalsyncSyncReport) all = calsync_sync_report_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *message = NULL;
  g_autofree char *json = NULL;
  JsonObject *object;

  message = calsync_sync_report_get_message (empty);
  g_assert_cmpstr (message, ==, "No calendars connected");
  g_assert_false (calsync_sync_report_get_success (empty));

  json = calsync_sync_report_to_json (empty);
  object = parse_object (json, &root);
  g_assert_false (json_object_get_boolean_member (object, "success"));
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "No calendars connected");
  g_assert_cmpuint (json_array_get_length (json_object_get_array_member (object, "results")), ==, 0);
  g_assert_cmpint (json_object_get_int_member (object, "total"), ==, 0);

  calsync_sync_report_add (all, make_result ("1", "A", NULL, 1, 0, 0, 0));
  calsync_sync_report_add (all, make_result ("2", "B", NULL, 0, 1, 0, 0));
  g_clear_pointer (&message, g_free);
  message = calsync_sync_report_get_message (all);
  /* Translated with plural forms; the JSON keeps the contract's "calendar(s)" */
  g_assert_cmpstr (message, ==, "Synced 2 of 2 calendars");
  g_assert_true (calsync_sync_report_get_success (all));
  g_clear_pointer (&json, g_free);
  g_clear_pointer (&root, json_node_unref);
  json = calsync_sync_report_to_json (all);
  object = parse_object (json, &root);
  g_assert_cmpstr (json_object_get_string_member (object, "message"), ==, "Synced 2 of 2 calendar(s)");
}

static void
test_error_only_on_errors (void)
{
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  CalsyncCalendarResult *stray = make_result ("1", "A", NULL, 1, 0, 0, 0);
  JsonArray *results;

  /* An error text on a successful result is dropped, never serialized */
  stray->error = g_strdup ("stale");
  calsync_sync_report_add (report, stray);
  calsync_sync_report_add (report, make_result ("2", "B", "You're offline.", 0, 0, 0, 0));

  json = calsync_sync_report_to_json (report);
  results = json_object_get_array_member (parse_object (json, &root), "results");
  g_assert_false (json_object_has_member (json_array_get_object_element (results, 0), "error"));
  g_assert_true (json_object_has_member (json_array_get_object_element (results, 1), "error"));
  g_assert_null (strstr (json, "stale"));
}

static void
test_timestamp_format (void)
{
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();
  g_autoptr(GRegex) regex = g_regex_new ("^\\d{4}-\\d{2}-\\d{2}T\\d{2}:\\d{2}:\\d{2}\\.\\d{3}Z$", 0, 0, NULL);
  g_autoptr(JsonNode) root = NULL;
  g_autoptr(JsonNode) root2 = NULL;
  g_autofree char *json = calsync_sync_report_to_json (report);
  g_autofree char *json2 = NULL;
  const char *stamp = json_object_get_string_member (parse_object (json, &root), "timestamp");
  gint64 now = g_get_real_time ();

  g_assert_true (g_regex_match (regex, stamp, 0, NULL));
  g_assert_cmpint (ABS (calsync_sync_report_get_timestamp (report) - now), <, 60 * G_USEC_PER_SEC);

  calsync_sync_report_set_timestamp (report, 0);
  json2 = calsync_sync_report_to_json (report);
  g_assert_cmpstr (json_object_get_string_member (parse_object (json2, &root2), "timestamp"), ==,
                   "1970-01-01T00:00:00.000Z");
}

static void
test_text (void)
{
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();
  g_autoptr(CalsyncSyncReport) empty = calsync_sync_report_new ();
  g_autofree char *text = NULL;
  g_autofree char *none = NULL;

  calsync_sync_report_add (report, make_result ("1", "Work", NULL, 3, 1, 2, 1));
  calsync_sync_report_add (report, make_result ("2", "Team", "You're offline.", 0, 0, 0, 0));
  text = calsync_sync_report_to_text (report);

  g_assert_true (g_str_has_prefix (text, "Synced 1 of 2 calendars\n"));
  g_assert_nonnull (strstr (text, "✓ Work (user@example.com): 3 new, 1 updated, 2 skipped, 1 deleted\n"));
  g_assert_nonnull (strstr (text, "✗ Team (user@example.com): You're offline.\n"));
  g_assert_nonnull (strstr (text, "Total: 3 new, 1 updated, 2 skipped, 1 deleted (7 events received)\n"));

  none = calsync_sync_report_to_text (empty);
  g_assert_cmpstr (none, ==, "No calendars connected\n");
}

/* Two-way sync: what was sent and the losers of conflicts, additive to the format */
static void
test_push_counts (void)
{
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;
  g_autofree char *text = NULL;
  CalsyncCalendarResult *result = make_result ("1", "Work", NULL, 0, 0, 0, 0);
  CalsyncCalendarResult *quiet = make_result ("2", "Team", NULL, 0, 0, 0, 0);
  JsonObject *object, *first, *second;
  JsonArray *messages;

  result->pushed = 2;
  result->conflicts = 1;
  result->messages = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (result->messages, g_strdup ("Your change to “Standup” was replaced by a newer one from the server"));
  calsync_sync_report_add (report, result);
  calsync_sync_report_add (report, quiet);

  json = calsync_sync_report_to_json (report);
  object = parse_object (json, &root);
  g_assert_cmpint (json_object_get_int_member (object, "pushed"), ==, 2);
  g_assert_cmpint (json_object_get_int_member (object, "conflicts"), ==, 1);
  first = json_array_get_object_element (json_object_get_array_member (object, "results"), 0);
  second = json_array_get_object_element (json_object_get_array_member (object, "results"), 1);
  g_assert_cmpint (json_object_get_int_member (first, "pushed"), ==, 2);
  messages = json_object_get_array_member (first, "messages");
  g_assert_cmpuint (json_array_get_length (messages), ==, 1);
  g_assert_nonnull (strstr (json_array_get_string_element (messages, 0), "Standup"));
  g_assert_false (json_object_has_member (second, "messages"));
  g_assert_cmpint (json_object_get_int_member (second, "pushed"), ==, 0);

  text = calsync_sync_report_to_text (report);
  g_assert_nonnull (strstr (text, "0 deleted, 2 sent, 1 conflict\n"));
  g_assert_nonnull (strstr (text, "    Your change to “Standup”"));
}

int
main (int    argc,
      char **argv)
{
  g_setenv ("LC_ALL", "C.UTF-8", TRUE);
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/sync-report/json-shape", test_json_shape);
  g_test_add_func ("/sync-report/sums", test_sums);
  g_test_add_func ("/sync-report/messages", test_messages);
  g_test_add_func ("/sync-report/error-only-on-errors", test_error_only_on_errors);
  g_test_add_func ("/sync-report/timestamp-format", test_timestamp_format);
  g_test_add_func ("/sync-report/text", test_text);
  g_test_add_func ("/sync-report/push-counts", test_push_counts);

  return g_test_run ();
}
