/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-sync-report.c: the outcome of one sync, per calendar and in total, as the
 * JSON of `calsync --sync --json` and as the human summary of `calsync --sync`. */
#define G_LOG_DOMAIN "calsync-sync-report"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-sync-report.h"
#include "calsync-text.h"

struct _CalsyncSyncReport
{
  GObject parent_instance;

  /* Owned references */
  GPtrArray *results;   /* CalsyncCalendarResult */

  gint64 timestamp;     /* unix microseconds */
};

G_DEFINE_FINAL_TYPE (CalsyncSyncReport, calsync_sync_report, G_TYPE_OBJECT)

void
calsync_calendar_result_free (CalsyncCalendarResult *result)
{
  if (result == NULL)
    return;

  g_free (result->connection_id);
  g_free (result->provider);
  g_free (result->email);
  g_free (result->calendar_name);
  g_free (result->error);
  g_clear_pointer (&result->messages, g_ptr_array_unref);
  g_free (result);
}

static void
calsync_sync_report_finalize (GObject *object)
{
  CalsyncSyncReport *self = (CalsyncSyncReport *) object;

  g_clear_pointer (&self->results, g_ptr_array_unref);

  G_OBJECT_CLASS (calsync_sync_report_parent_class)->finalize (object);
}

static void
calsync_sync_report_class_init (CalsyncSyncReportClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_sync_report_finalize;
}

static void
calsync_sync_report_init (CalsyncSyncReport *self)
{
  self->results = g_ptr_array_new_with_free_func ((GDestroyNotify) calsync_calendar_result_free);
  self->timestamp = g_get_real_time ();
}

/**
 * calsync_sync_report_new:
 *
 * Returns: (transfer full): an empty report stamped with the current time
 */
CalsyncSyncReport *
calsync_sync_report_new (void)
{
  return g_object_new (CALSYNC_TYPE_SYNC_REPORT, NULL);
}

/**
 * calsync_sync_report_add:
 * @result: (transfer full): one calendar's outcome
 *
 * Appends @result. Its total is recomputed from the four counters, so the
 * counting rule of DESIGN.md (total = synced + updated + skipped + deleted)
 * always holds.
 */
void
calsync_sync_report_add (CalsyncSyncReport     *self,
                         CalsyncCalendarResult *result)
{
  g_return_if_fail (CALSYNC_IS_SYNC_REPORT (self));
  g_return_if_fail (result != NULL);

  result->total = result->synced + result->updated + result->skipped + result->deleted;
  if (result->success)
    g_clear_pointer (&result->error, g_free);

  g_ptr_array_add (self->results, result);
}

guint
calsync_sync_report_get_n_results (CalsyncSyncReport *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (self), 0);

  return self->results->len;
}

/**
 * calsync_sync_report_get_result:
 *
 * Returns: (transfer none): the result at @index
 */
const CalsyncCalendarResult *
calsync_sync_report_get_result (CalsyncSyncReport *self,
                                guint              index)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (self), NULL);
  g_return_val_if_fail (index < self->results->len, NULL);

  return g_ptr_array_index (self->results, index);
}

static guint
count_succeeded (CalsyncSyncReport *self)
{
  guint n = 0;

  for (guint i = 0; i < self->results->len; i++)
    {
      const CalsyncCalendarResult *result = g_ptr_array_index (self->results, i);

      if (result->success)
        n++;
    }

  return n;
}

/**
 * calsync_sync_report_get_success:
 *
 * Returns: %TRUE when there was at least one calendar and every one succeeded
 */
gboolean
calsync_sync_report_get_success (CalsyncSyncReport *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (self), FALSE);

  return self->results->len > 0 && count_succeeded (self) == self->results->len;
}

/**
 * calsync_sync_report_get_totals:
 * @totals: (out caller-allocates): only the counters are filled
 */
void
calsync_sync_report_get_totals (CalsyncSyncReport     *self,
                                CalsyncCalendarResult *totals)
{
  g_return_if_fail (CALSYNC_IS_SYNC_REPORT (self));
  g_return_if_fail (totals != NULL);

  totals->synced = totals->updated = totals->skipped = totals->deleted = totals->total = 0;
  totals->pushed = totals->conflicts = 0;

  for (guint i = 0; i < self->results->len; i++)
    {
      const CalsyncCalendarResult *result = g_ptr_array_index (self->results, i);

      totals->synced += result->synced;
      totals->updated += result->updated;
      totals->skipped += result->skipped;
      totals->deleted += result->deleted;
      totals->total += result->total;
      totals->pushed += result->pushed;
      totals->conflicts += result->conflicts;
    }
}

static char *
format_message (CalsyncSyncReport *self,
                gboolean           translate)
{
  if (self->results->len == 0)
    return g_strdup (translate ? _("No calendars connected") : "No calendars connected");

  if (translate)
    /* Translators: the summary of a sync: calendars that synced, of all the
     * calendars (the plural follows the second number) */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %u of %u calendar",
                                         "Synced %u of %u calendars", self->results->len),
                            count_succeeded (self), self->results->len);

  /* The --sync --json "message" (DESIGN.md): the same in every language */
  return g_strdup_printf ("Synced %u of %u calendar(s)", count_succeeded (self), self->results->len);
}

/**
 * calsync_sync_report_get_message:
 *
 * Returns: (transfer full): "Synced 2 of 2 calendar(s)" or "No calendars connected",
 *   translated
 */
char *
calsync_sync_report_get_message (CalsyncSyncReport *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (self), NULL);

  return format_message (self, TRUE);
}

gint64
calsync_sync_report_get_timestamp (CalsyncSyncReport *self)
{
  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (self), 0);

  return self->timestamp;
}

void
calsync_sync_report_set_timestamp (CalsyncSyncReport *self,
                                   gint64             usec)
{
  g_return_if_fail (CALSYNC_IS_SYNC_REPORT (self));

  self->timestamp = usec;
}

/* "2026-01-01T12:00:00.000Z" */
static char *
format_timestamp (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;
  g_autofree char *seconds = NULL;
  gint64 whole = usec / G_USEC_PER_SEC;
  gint64 rest = usec % G_USEC_PER_SEC;

  if (rest < 0)
    {
      whole -= 1;
      rest += G_USEC_PER_SEC;
    }

  dt = g_date_time_new_from_unix_utc (whole);
  if (dt == NULL)
    return g_strdup ("1970-01-01T00:00:00.000Z");

  seconds = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");
  return g_strdup_printf ("%s.%03dZ", seconds, (int) (rest / 1000));
}

static void
add_counters (JsonBuilder                 *builder,
              const CalsyncCalendarResult *counts)
{
  json_builder_set_member_name (builder, "synced");
  json_builder_add_int_value (builder, counts->synced);
  json_builder_set_member_name (builder, "updated");
  json_builder_add_int_value (builder, counts->updated);
  json_builder_set_member_name (builder, "skipped");
  json_builder_add_int_value (builder, counts->skipped);
  json_builder_set_member_name (builder, "deleted");
  json_builder_add_int_value (builder, counts->deleted);
  json_builder_set_member_name (builder, "total");
  json_builder_add_int_value (builder, counts->total);
  /* Two-way sync: local changes the server accepted, and edits that lost a conflict */
  json_builder_set_member_name (builder, "pushed");
  json_builder_add_int_value (builder, counts->pushed);
  json_builder_set_member_name (builder, "conflicts");
  json_builder_add_int_value (builder, counts->conflicts);
}

static void
add_string (JsonBuilder *builder,
            const char  *name,
            const char  *value)
{
  json_builder_set_member_name (builder, name);
  json_builder_add_string_value (builder, value != NULL ? value : "");
}

/* Additive to DESIGN.md's format: present only when there is something to say */
static void
add_messages (JsonBuilder *builder,
              GPtrArray   *messages)
{
  if (messages == NULL || messages->len == 0)
    return;

  json_builder_set_member_name (builder, "messages");
  json_builder_begin_array (builder);
  for (guint i = 0; i < messages->len; i++)
    json_builder_add_string_value (builder, g_ptr_array_index (messages, i));
  json_builder_end_array (builder);
}

static void
add_result (JsonBuilder                 *builder,
            const CalsyncCalendarResult *result)
{
  json_builder_begin_object (builder);
  add_string (builder, "connectionId", result->connection_id);
  add_string (builder, "provider", result->provider);
  add_string (builder, "email", result->email);
  add_string (builder, "calendarName", result->calendar_name);
  add_string (builder, "status", result->success ? "success" : "error");
  if (!result->success)
    add_string (builder, "error", result->error != NULL ? result->error : _("The sync failed."));
  add_counters (builder, result);
  add_messages (builder, result->messages);
  json_builder_end_object (builder);
}

static JsonNode *
build_json (CalsyncSyncReport *self)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autofree char *message = format_message (self, FALSE);
  g_autofree char *timestamp = format_timestamp (self->timestamp);
  CalsyncCalendarResult totals = { 0 };

  calsync_sync_report_get_totals (self, &totals);

  json_builder_begin_object (builder);
  json_builder_set_member_name (builder, "success");
  json_builder_add_boolean_value (builder, calsync_sync_report_get_success (self));
  add_string (builder, "message", message);
  add_counters (builder, &totals);

  json_builder_set_member_name (builder, "results");
  json_builder_begin_array (builder);
  for (guint i = 0; i < self->results->len; i++)
    add_result (builder, g_ptr_array_index (self->results, i));
  json_builder_end_array (builder);

  add_string (builder, "timestamp", timestamp);
  json_builder_end_object (builder);

  return json_builder_get_root (builder);
}

/**
 * calsync_sync_report_to_json:
 *
 * The object of `calsync --sync --json`, with the keys in the order of
 * DESIGN.md. "message" stays in English there so that scripts can rely on it;
 * calsync_sync_report_get_message() gives the translated text.
 *
 * Returns: (transfer full): pretty-printed JSON, without a trailing newline
 */
char *
calsync_sync_report_to_json (CalsyncSyncReport *self)
{
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *json = NULL;

  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (self), NULL);

  root = build_json (self);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  json_generator_set_indent (generator, 2);

  /* Names and errors come from servers: no raw control character reaches a terminal */
  json = json_generator_to_data (generator, NULL);
  return calsync_json_escape_controls (json);
}

static void
append_counts (GString                     *text,
               const CalsyncCalendarResult *counts)
{
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u new", "%u new", counts->synced),
                          counts->synced);
  /* Translators: separates the counts of "15 new, 3 updated, 1 removed" */
  g_string_append (text, _(", "));
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u updated", "%u updated", counts->updated),
                          counts->updated);
  g_string_append (text, _(", "));
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u skipped", "%u skipped", counts->skipped),
                          counts->skipped);
  g_string_append (text, _(", "));
  /* Translators: events deleted by a sync (calsync --sync) */
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, "%u deleted", "%u deleted", counts->deleted),
                          counts->deleted);
  if (counts->pushed > 0)
    /* Translators: appended to the counters: changes made here that the server took */
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, ", %u sent", ", %u sent", counts->pushed),
                            counts->pushed);
  if (counts->conflicts > 0)
    g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, ", %u conflict", ", %u conflicts",
                                               counts->conflicts),
                            counts->conflicts);
}

/* Server text, made safe for a terminal */
static void
append_clean (GString    *text,
              const char *server_text)
{
  g_autofree char *clean = calsync_text_for_terminal (server_text != NULL ? server_text : "", FALSE);

  g_string_append (text, clean);
}

static void
append_result_line (GString                     *text,
                    const CalsyncCalendarResult *result)
{
  g_string_append_printf (text, "  %s ", result->success ? "✓" : "✗");
  append_clean (text, result->calendar_name);
  g_string_append (text, " (");
  append_clean (text, result->email);
  g_string_append (text, "): ");

  if (result->success)
    append_counts (text, result);
  else
    append_clean (text, result->error != NULL ? result->error : _("The sync failed."));

  g_string_append_c (text, '\n');

  for (guint i = 0; result->messages != NULL && i < result->messages->len; i++)
    {
      g_string_append (text, "    ");
      append_clean (text, g_ptr_array_index (result->messages, i));
      g_string_append_c (text, '\n');
    }
}

/**
 * calsync_sync_report_to_text:
 *
 * The human summary of `calsync --sync`: the message, one line per calendar
 * (✓ with its counters, ✗ with its error) and the totals.
 *
 * Returns: (transfer full): translated text ending with a newline
 */
char *
calsync_sync_report_to_text (CalsyncSyncReport *self)
{
  g_autoptr(GString) text = g_string_new (NULL);
  g_autofree char *message = NULL;
  CalsyncCalendarResult totals = { 0 };

  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (self), NULL);

  message = format_message (self, TRUE);
  g_string_append_printf (text, "%s\n", message);
  if (self->results->len == 0)
    return g_string_free (g_steal_pointer (&text), FALSE);

  for (guint i = 0; i < self->results->len; i++)
    append_result_line (text, g_ptr_array_index (self->results, i));

  calsync_sync_report_get_totals (self, &totals);
  g_string_append (text, _("Total: "));
  append_counts (text, &totals);
  /* Translators: the number of events received from the server */
  g_string_append_printf (text, g_dngettext (GETTEXT_PACKAGE, " (%u event received)\n",
                                             " (%u events received)\n", totals.total),
                          totals.total);

  return g_string_free (g_steal_pointer (&text), FALSE);
}
