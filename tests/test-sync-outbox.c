/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-sync-outbox.c: a calendar's sync pushes its outbox before it pulls, one
 * write at a time, in order, against a provider whose answers the test
 * scripts (written, won, lost, refused, offline): counters, the losers named,
 * the server's copy restored, and changes that wait through a failure and a
 * restart. */
#include "config.h"

#include "calsync-sync-job.h"
#include "calsync-test-utils.h"

/* A provider with scripted answers ------------------------------------------------ */

typedef enum
{
  ANSWER_WRITTEN,
  ANSWER_WON,
  ANSWER_LOST,
  ANSWER_REFUSED,
  ANSWER_OFFLINE,
} Answer;

#define TEST_TYPE_PROVIDER (test_provider_get_type ())
G_DECLARE_FINAL_TYPE (TestProvider, test_provider, TEST, PROVIDER, GObject)

struct _TestProvider
{
  GObject parent_instance;

  GString *log;         /* "write:update:Title;fetch;" */
  GArray *answers;      /* Answer, first one next */
  GHashTable *server;   /* external id → CalsyncEvent: what the server holds */
  guint n_written;
};

static void test_provider_iface_init (CalsyncProviderInterface *iface);

G_DEFINE_FINAL_TYPE_WITH_CODE (TestProvider, test_provider, G_TYPE_OBJECT,
                               G_IMPLEMENT_INTERFACE (CALSYNC_TYPE_PROVIDER, test_provider_iface_init))

static void
test_provider_finalize (GObject *object)
{
  TestProvider *self = TEST_PROVIDER (object);

  g_string_free (self->log, TRUE);
  g_array_unref (self->answers);
  g_hash_table_unref (self->server);
  G_OBJECT_CLASS (test_provider_parent_class)->finalize (object);
}

static void
test_provider_class_init (TestProviderClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = test_provider_finalize;
}

static void
test_provider_init (TestProvider *self)
{
  self->log = g_string_new (NULL);
  self->answers = g_array_new (FALSE, FALSE, sizeof (Answer));
  self->server = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, g_object_unref);
}

static void
server_put (TestProvider *self,
            CalsyncEvent *event)
{
  g_hash_table_replace (self->server, g_strdup (calsync_event_get_external_id (event)), calsync_event_copy (event));
}

static void
list_calendars_async (CalsyncProvider     *provider,
                      GCancellable        *cancellable,
                      GAsyncReadyCallback  callback,
                      gpointer             user_data)
{
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);

  g_task_return_pointer (task, g_ptr_array_new_with_free_func (g_object_unref), (GDestroyNotify) g_ptr_array_unref);
}

static GPtrArray *
list_calendars_finish (CalsyncProvider  *provider,
                       GAsyncResult     *result,
                       GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

/* Everything the server holds, in one page */
static void
fetch_page_async (CalsyncProvider           *provider,
                  CalsyncCalendar           *calendar,
                  const CalsyncFetchRequest *request,
                  GCancellable              *cancellable,
                  GAsyncReadyCallback        callback,
                  gpointer                   user_data)
{
  TestProvider *self = TEST_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);
  CalsyncPage *page = calsync_page_new ();
  GHashTableIter iter;
  gpointer value;

  g_assert_nonnull (request->known_etags);
  g_string_append (self->log, request->cursor == NULL ? "fetch(full);" : "fetch;");
  g_hash_table_iter_init (&iter, self->server);
  while (g_hash_table_iter_next (&iter, NULL, &value))
    g_ptr_array_add (page->upserts, calsync_event_copy (value));
  page->next_cursor = g_strdup ("cursor-2");
  page->full_snapshot = request->cursor == NULL;
  g_task_return_pointer (task, page, (GDestroyNotify) calsync_page_free);
}

static CalsyncPage *
fetch_page_finish (CalsyncProvider  *provider,
                   GAsyncResult     *result,
                   GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static const char *
kind_name (CalsyncWriteKind kind)
{
  switch (kind)
    {
    case CALSYNC_WRITE_CREATE:
      return "create";
    case CALSYNC_WRITE_DELETE:
      return "delete";
    case CALSYNC_WRITE_UPDATE:
    default:
      return "update";
    }
}

static CalsyncWriteResult *
scripted_result (TestProvider       *self,
                 const CalsyncWrite *write,
                 Answer              answer)
{
  CalsyncWriteResult *result = calsync_write_result_new ();
  g_autofree char *title = NULL;

  result->etag = g_strdup_printf ("\"etag-%u\"", ++self->n_written);
  result->deleted = write->kind == CALSYNC_WRITE_DELETE;
  result->outcome = answer == ANSWER_WON ? CALSYNC_WRITE_OUTCOME_WON
                  : answer == ANSWER_LOST ? CALSYNC_WRITE_OUTCOME_LOST
                  : CALSYNC_WRITE_OUTCOME_WRITTEN;

  if (answer != ANSWER_LOST && write->kind == CALSYNC_WRITE_DELETE)
    g_hash_table_remove (self->server, calsync_event_get_external_id (write->event));
  else if (answer != ANSWER_LOST)
    {
      g_autoptr(CalsyncEvent) copy = calsync_event_copy (write->event);

      calsync_event_set_etag (copy, result->etag);
      calsync_event_set_remote_updated (copy, g_get_real_time ());
      calsync_event_set_locally_modified (copy, FALSE);
      server_put (self, copy);
    }

  if (answer == ANSWER_LOST)
    {
      /* The server's newer copy comes back with the answer (Google, Graph) */
      result->server_event = calsync_event_copy (write->event);
      title = g_strdup_printf ("%s (server)", calsync_event_get_title (write->event));
      calsync_event_set_title (result->server_event, title);
      calsync_event_set_etag (result->server_event, result->etag);
      calsync_event_set_remote_updated (result->server_event, g_get_real_time ());
      result->deleted = FALSE;
      server_put (self, result->server_event);
    }

  return result;
}

static void
write_event_async (CalsyncProvider     *provider,
                   CalsyncCalendar     *calendar,
                   const CalsyncWrite  *write,
                   GCancellable        *cancellable,
                   GAsyncReadyCallback  callback,
                   gpointer             user_data)
{
  TestProvider *self = TEST_PROVIDER (provider);
  g_autoptr(GTask) task = g_task_new (provider, cancellable, callback, user_data);
  Answer answer;

  g_string_append_printf (self->log, "write:%s:%s;", kind_name (write->kind),
                          calsync_event_get_title (write->event));
  g_assert_cmpuint (self->answers->len, >, 0);
  answer = g_array_index (self->answers, Answer, 0);
  g_array_remove_index (self->answers, 0);

  if (answer == ANSWER_OFFLINE)
    g_task_return_new_error (task, G_IO_ERROR, G_IO_ERROR_NETWORK_UNREACHABLE, "Network unreachable");
  else if (answer == ANSWER_REFUSED)
    g_task_return_new_error (task, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_WRITE_REFUSED,
                             "You may not change “%s” in this calendar", calsync_event_get_title (write->event));
  else
    g_task_return_pointer (task, scripted_result (self, write, answer), (GDestroyNotify) calsync_write_result_free);
}

static CalsyncWriteResult *
write_event_finish (CalsyncProvider  *provider,
                    GAsyncResult     *result,
                    GError          **error)
{
  return g_task_propagate_pointer (G_TASK (result), error);
}

static void
test_provider_iface_init (CalsyncProviderInterface *iface)
{
  iface->list_calendars_async = list_calendars_async;
  iface->list_calendars_finish = list_calendars_finish;
  iface->fetch_page_async = fetch_page_async;
  iface->fetch_page_finish = fetch_page_finish;
  iface->write_event_async = write_event_async;
  iface->write_event_finish = write_event_finish;
}

static void
script (TestProvider *self,
        ...)
{
  va_list args;
  int answer;

  va_start (args, self);
  while ((answer = va_arg (args, int)) >= 0)
    {
      Answer value = answer;

      g_array_append_val (self->answers, value);
    }
  va_end (args);
}

/* Fixture ------------------------------------------------------------------------ */

typedef struct
{
  char *data_home;
  CalsyncStore *store;
  TestProvider *provider;
  gint64 calendar_id;
  CalsyncCalendarResult *result;   /* the last job's */
} Fixture;

static void
setup (Fixture       *f,
       gconstpointer  data)
{
  gint64 account_id;

  f->data_home = calsync_test_setup_env ("test-sync-outbox");
  f->store = calsync_test_open_store (f->data_home);
  account_id = calsync_test_store_add_account (f->store, "caldav", "alice");
  f->calendar_id = calsync_test_store_add_calendar (f->store, account_id, "/alice/work/", "Work", "#3584e4");
  f->provider = g_object_new (TEST_TYPE_PROVIDER, NULL);
  /* Synced before: rounds are incremental unless something asks for a full one */
  g_assert_true (calsync_store_finish_calendar_sync (f->store, f->calendar_id, "cursor-1",
                                                     g_get_real_time (), NULL));
}

static void
teardown (Fixture       *f,
          gconstpointer  data)
{
  g_clear_pointer (&f->result, calsync_calendar_result_free);
  g_clear_object (&f->provider);
  g_clear_object (&f->store);
  calsync_test_remove_tree (f->data_home);
  g_free (f->data_home);
}

static void
job_done (CalsyncSyncJob *job,
          gpointer        user_data)
{
  *(gboolean *) user_data = TRUE;
}

static gboolean
is_true (gpointer data)
{
  return *(gboolean *) data;
}

/* One calendar's sync, to the end; its result kept in the fixture */
static void
sync_calendar (Fixture *f)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (f->store, f->calendar_id, NULL);
  g_autoptr(GCancellable) cancellable = g_cancellable_new ();
  CalsyncCalendarResult *result = g_new0 (CalsyncCalendarResult, 1);
  CalsyncSyncJob *job;
  gboolean done = FALSE;
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  g_assert_nonnull (calendar);
  result->connection_id = g_strdup ("test");
  job = calsync_sync_job_new (f->store, CALSYNC_PROVIDER (f->provider), calendar, result,
                              now - 86400 * 90, now + 86400 * 365, cancellable, job_done, &done);
  calsync_sync_job_start (job);
  g_assert_true (calsync_test_wait_until (is_true, &done, 10000));

  g_clear_pointer (&f->result, calsync_calendar_result_free);
  f->result = calsync_sync_job_steal_result (job);
  calsync_sync_job_free (job);
}

static gint64
create (Fixture    *f,
        const char *title)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event (NULL, title, 1796112000, 1796115600, "Europe/Berlin");
  g_autoptr(GError) error = NULL;
  gint64 id;

  calsync_event_set_calendar_id (event, f->calendar_id);
  id = calsync_store_create_local_event (f->store, event, &error);
  g_assert_no_error (error);
  return id;
}

/* A stored event from the server, edited here */
static gint64
edit_server_event (Fixture    *f,
                   const char *external_id,
                   const char *title)
{
  g_autoptr(CalsyncEvent) event = calsync_test_timed_event (external_id, title, 1796198400, 1796202000, "Europe/Berlin");
  g_autoptr(GPtrArray) events = g_ptr_array_new ();
  g_autoptr(CalsyncEvent) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *edited = g_strdup_printf ("%s (mine)", title);

  calsync_event_set_etag (event, "\"server-1\"");
  calsync_event_set_remote_updated (event, g_get_real_time () - G_GINT64_CONSTANT (3600) * G_USEC_PER_SEC);
  g_ptr_array_add (events, event);
  server_put (f->provider, event);
  g_assert_true (calsync_store_apply_remote_events (f->store, f->calendar_id, events, NULL, NULL, &error));
  g_assert_no_error (error);

  stored = calsync_store_lookup_event (f->store, f->calendar_id, external_id, &error);
  g_assert_nonnull (stored);
  calsync_event_set_title (stored, edited);
  g_assert_true (calsync_store_edit_local_event (f->store, stored, &error));
  g_assert_no_error (error);
  return calsync_event_get_id (stored);
}

static gint64
outbox_count (Fixture *f)
{
  g_autoptr(GError) error = NULL;
  gint64 n = calsync_store_count_outbox (f->store, f->calendar_id, &error);

  g_assert_no_error (error);
  return n;
}

/* Tests ------------------------------------------------------------------------------ */

static void
test_nothing_pending (Fixture       *f,
                      gconstpointer  data)
{
  sync_calendar (f);

  g_assert_cmpstr (f->provider->log->str, ==, "fetch;");
  g_assert_true (f->result->success);
  g_assert_cmpuint (f->result->pushed, ==, 0);
  g_assert_cmpuint (f->result->conflicts, ==, 0);
  g_assert_null (f->result->messages);
}

static void
test_push_before_pull (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CalsyncEvent) created = NULL;
  gint64 edited_id = edit_server_event (f, "srv-1", "Standup");
  gint64 created_id = create (f, "Lunch");

  script (f->provider, ANSWER_WRITTEN, ANSWER_WRITTEN, -1);
  sync_calendar (f);

  /* In the order the changes were made, then the pull */
  g_assert_cmpstr (f->provider->log->str, ==,
                   "write:update:Standup (mine);write:create:Lunch;fetch;");
  g_assert_true (f->result->success);
  g_assert_cmpuint (f->result->pushed, ==, 2);
  g_assert_cmpuint (f->result->conflicts, ==, 0);
  g_assert_cmpint (outbox_count (f), ==, 0);

  created = calsync_store_get_event (f->store, created_id, NULL);
  g_assert_false (calsync_event_get_locally_modified (created));
  g_assert_cmpstr (calsync_event_get_etag (created), ==, "\"etag-2\"");
  (void) edited_id;

  /* Nothing left: the next sync sends nothing */
  g_string_truncate (f->provider->log, 0);
  sync_calendar (f);
  g_assert_cmpstr (f->provider->log->str, ==, "fetch;");
  g_assert_cmpuint (f->result->pushed, ==, 0);
}

static void
test_conflicts (Fixture       *f,
                gconstpointer  data)
{
  g_autoptr(CalsyncEvent) lost = NULL;
  g_autoptr(CalsyncEvent) refused = NULL;
  gint64 won_id, lost_id;

  won_id = edit_server_event (f, "srv-won", "Review");
  lost_id = edit_server_event (f, "srv-lost", "Planning");
  edit_server_event (f, "srv-refused", "Board");
  (void) won_id;

  script (f->provider, ANSWER_WON, ANSWER_LOST, ANSWER_REFUSED, -1);
  sync_calendar (f);

  /* Settled conflicts and a refusal are not failures */
  g_assert_true (f->result->success);
  g_assert_cmpuint (f->result->pushed, ==, 1);
  g_assert_cmpuint (f->result->conflicts, ==, 2);
  g_assert_nonnull (f->result->messages);
  g_assert_cmpuint (f->result->messages->len, ==, 3);
  g_assert_nonnull (strstr (g_ptr_array_index (f->result->messages, 0), "Review (mine)"));
  g_assert_nonnull (strstr (g_ptr_array_index (f->result->messages, 1), "Planning (mine)"));
  g_assert_nonnull (strstr (g_ptr_array_index (f->result->messages, 2), "Board (mine)"));
  g_assert_cmpint (outbox_count (f), ==, 0);

  /* The server's copy is back for the lost edit */
  lost = calsync_store_get_event (f->store, lost_id, NULL);
  g_assert_cmpstr (calsync_event_get_title (lost), ==, "Planning (mine) (server)");
  g_assert_false (calsync_event_get_locally_modified (lost));

  /* The refusal made the pull a full round (no cursor), which brings the
   * server's copy back over the refused edit */
  g_assert_cmpstr (f->provider->log->str, ==,
                   "write:update:Review (mine);write:update:Planning (mine);write:update:Board (mine);fetch(full);");
  refused = calsync_store_lookup_event (f->store, f->calendar_id, "srv-refused", NULL);
  g_assert_cmpstr (calsync_event_get_title (refused), ==, "Board");
  g_assert_false (calsync_event_get_locally_modified (refused));
}

static gint64
last_sync_at (Fixture *f)
{
  g_autoptr(CalsyncCalendar) calendar = calsync_store_get_calendar (f->store, f->calendar_id, NULL);

  g_assert_nonnull (calendar);
  return calsync_calendar_get_last_sync_at (calendar);
}

static void
test_offline_keeps_changes (Fixture       *f,
                            gconstpointer  data)
{
  gint64 synced_at = last_sync_at (f);

  create (f, "One");
  create (f, "Two");

  script (f->provider, ANSWER_OFFLINE, -1);
  sync_calendar (f);
  /* Not a successful sync: its time stays that of the last one */
  g_assert_cmpint (last_sync_at (f), ==, synced_at);

  /* The first write failed: the second waits behind it; the pull still ran */
  g_assert_cmpstr (f->provider->log->str, ==, "write:create:One;fetch;");
  g_assert_false (f->result->success);
  g_assert_nonnull (f->result->error);
  g_assert_nonnull (strstr (f->result->error, "2 changes made here wait"));
  g_assert_cmpuint (f->result->pushed, ==, 0);
  g_assert_cmpint (outbox_count (f), ==, 2);

  /* A restart: the changes are still there, and go out in order */
  g_clear_object (&f->store);
  f->store = calsync_test_open_store (f->data_home);
  g_assert_cmpint (outbox_count (f), ==, 2);

  g_string_truncate (f->provider->log, 0);
  script (f->provider, ANSWER_WRITTEN, ANSWER_WRITTEN, -1);
  sync_calendar (f);
  g_assert_cmpstr (f->provider->log->str, ==, "write:create:One;write:create:Two;fetch;");
  g_assert_true (f->result->success);
  g_assert_cmpint (last_sync_at (f), >, synced_at);
  g_assert_cmpuint (f->result->pushed, ==, 2);
  g_assert_cmpint (outbox_count (f), ==, 0);
}

static void
test_delete_pushed (Fixture       *f,
                    gconstpointer  data)
{
  gint64 id = edit_server_event (f, "srv-del", "Old meeting");
  g_autoptr(GError) error = NULL;

  g_assert_true (calsync_store_delete_local_event (f->store, id, &error));
  g_assert_no_error (error);

  script (f->provider, ANSWER_WRITTEN, -1);
  sync_calendar (f);
  g_assert_cmpstr (f->provider->log->str, ==, "write:delete:Old meeting (mine);fetch;");
  g_assert_cmpuint (f->result->pushed, ==, 1);
  g_assert_cmpint (outbox_count (f), ==, 0);
  g_assert_null (calsync_store_lookup_event (f->store, f->calendar_id, "srv-del", NULL));
}

static void
test_became_read_only (Fixture       *f,
                       gconstpointer  data)
{
  g_autoptr(CalsyncCalendar) calendar = NULL;
  g_autoptr(CalsyncEvent) restored = NULL;
  g_autoptr(GError) error = NULL;

  edit_server_event (f, "srv-ro", "Offsite");
  calendar = calsync_store_get_calendar (f->store, f->calendar_id, &error);
  calsync_calendar_set_read_only (calendar, TRUE);
  g_assert_true (calsync_store_update_calendar (f->store, calendar, &error));
  g_assert_no_error (error);

  sync_calendar (f);

  /* Not sent (the server would refuse it), dropped with a reason, server copy back */
  g_assert_cmpstr (f->provider->log->str, ==, "fetch(full);");
  g_assert_true (f->result->success);
  g_assert_cmpuint (f->result->messages->len, ==, 1);
  g_assert_nonnull (strstr (g_ptr_array_index (f->result->messages, 0), "read-only"));
  g_assert_cmpint (outbox_count (f), ==, 0);
  restored = calsync_store_lookup_event (f->store, f->calendar_id, "srv-ro", NULL);
  g_assert_cmpstr (calsync_event_get_title (restored), ==, "Offsite");
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

#define ADD(path, func) g_test_add (path, Fixture, NULL, setup, func, teardown)
  ADD ("/sync-outbox/nothing-pending", test_nothing_pending);
  ADD ("/sync-outbox/push-before-pull", test_push_before_pull);
  ADD ("/sync-outbox/conflicts", test_conflicts);
  ADD ("/sync-outbox/offline-keeps-changes", test_offline_keeps_changes);
  ADD ("/sync-outbox/delete", test_delete_pushed);
  ADD ("/sync-outbox/became-read-only", test_became_read_only);
#undef ADD

  return g_test_run ();
}
