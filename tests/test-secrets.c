/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-secrets.c: calsync-secrets against the real keyring of the D-Bus session
 * (gnome-keyring in CI, see TESTING.md). */
#define G_LOG_DOMAIN "test-secrets"

#include "config.h"

#include <unistd.h>

#include "calsync-secrets.h"
#include "calsync-test-utils.h"

static gboolean
skip_without_keyring (void)
{
  if (calsync_test_secret_service_available ())
    return FALSE;

  g_test_skip ("No private keyring: run through tests/run-with-keyring.sh");
  return TRUE;
}

/* Ids no other test (running in parallel in the same keyring) uses */
static gint64
unique_account_id (void)
{
  static guint serial;

  return (gint64) getpid () * 1000 + 900000000000 + ++serial;
}

/* Async helpers ----------------------------------------------------------- */

typedef struct
{
  gboolean done;
  gboolean ok;
  char *secret;
  GError *error;
} Result;

static void
result_clear (Result *r)
{
  g_clear_pointer (&r->secret, g_free);
  g_clear_error (&r->error);
  r->done = FALSE;
  r->ok = FALSE;
}

static void
spin_until (gboolean *done)
{
  while (!*done)
    g_main_context_iteration (NULL, TRUE);
}

static void
on_stored (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->ok = calsync_secrets_store_finish (result, &r->error);
  r->done = TRUE;
}

static void
on_looked_up (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->secret = calsync_secrets_lookup_finish (result, &r->error);
  r->done = TRUE;
}

static void
on_deleted (GObject *source, GAsyncResult *result, gpointer user_data)
{
  Result *r = user_data;

  r->ok = calsync_secrets_delete_finish (result, &r->error);
  r->done = TRUE;
}

static void
store (gint64      account_id,
       const char *secret)
{
  g_autofree char *label = g_strdup_printf ("CalSync account %" G_GINT64_FORMAT, account_id);
  Result r = { 0 };

  calsync_secrets_store_async (account_id, label, secret, NULL, on_stored, &r);
  spin_until (&r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
}

static void
lookup (gint64  account_id,
        Result *r)
{
  calsync_secrets_lookup_async (account_id, NULL, on_looked_up, r);
  spin_until (&r->done);
}

static void
delete_secret (gint64 account_id)
{
  Result r = { 0 };

  calsync_secrets_delete_async (account_id, NULL, on_deleted, &r);
  spin_until (&r.done);
  g_assert_no_error (r.error);
  g_assert_true (r.ok);
}

/* Straight to the Secret Service over D-Bus (libsecret's own search leaks a
 * little inside GIO): the items with our schema name and account id */
static GVariant *
search_items (gint64 account_id)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, account_id);
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GError) error = NULL;
  GVariantBuilder attributes;
  GVariant *reply;

  g_variant_builder_init (&attributes, G_VARIANT_TYPE ("a{ss}"));
  g_variant_builder_add (&attributes, "{ss}", "xdg:schema", "org.example.CalSync.Secret");
  g_variant_builder_add (&attributes, "{ss}", "account-id", id);

  reply = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", "/org/freedesktop/secrets",
                                       "org.freedesktop.Secret.Service", "SearchItems",
                                       g_variant_new ("(a{ss})", &attributes), G_VARIANT_TYPE ("(aoao)"),
                                       G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  return reply;
}

static guint
count_items (gint64 account_id)
{
  g_autoptr(GVariant) reply = search_items (account_id);
  g_autoptr(GVariant) unlocked = g_variant_get_child_value (reply, 0);
  g_autoptr(GVariant) locked = g_variant_get_child_value (reply, 1);

  return (guint) (g_variant_n_children (unlocked) + g_variant_n_children (locked));
}

static char *
item_label (gint64 account_id)
{
  g_autoptr(GDBusConnection) bus = g_bus_get_sync (G_BUS_TYPE_SESSION, NULL, NULL);
  g_autoptr(GVariant) reply = search_items (account_id);
  g_autoptr(GVariant) unlocked = g_variant_get_child_value (reply, 0);
  g_autoptr(GVariant) property = NULL;
  g_autoptr(GVariant) value = NULL;
  g_autoptr(GError) error = NULL;
  const char *path;

  g_assert_cmpuint (g_variant_n_children (unlocked), ==, 1);
  g_variant_get_child (unlocked, 0, "&o", &path);

  property = g_dbus_connection_call_sync (bus, "org.freedesktop.secrets", path,
                                          "org.freedesktop.DBus.Properties", "Get",
                                          g_variant_new ("(ss)", "org.freedesktop.Secret.Item", "Label"),
                                          G_VARIANT_TYPE ("(v)"), G_DBUS_CALL_FLAGS_NONE, -1, NULL, &error);
  g_assert_no_error (error);
  g_variant_get (property, "(v)", &value);

  return g_variant_dup_string (value, NULL);
}

/* Tests ------------------------------------------------------------------- */

static void
test_store_lookup (void)
{
  gint64 id;
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  id = unique_account_id ();
  store (id, "{\"refresh_token\": \"r1\"}");
  lookup (id, &r);

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.secret, ==, "{\"refresh_token\": \"r1\"}");
  g_assert_cmpuint (count_items (id), ==, 1);

  result_clear (&r);
  delete_secret (id);
}

static void
test_label (void)
{
  g_autofree char *expected = NULL;
  g_autofree char *label = NULL;
  gint64 id;

  if (skip_without_keyring ())
    return;

  id = unique_account_id ();
  expected = g_strdup_printf ("CalSync account %" G_GINT64_FORMAT, id);
  store (id, "password");

  label = item_label (id);
  g_assert_cmpstr (label, ==, expected);

  delete_secret (id);
}

static void
test_overwrite (void)
{
  gint64 id;
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  id = unique_account_id ();
  store (id, "first");
  store (id, "second");
  lookup (id, &r);

  g_assert_no_error (r.error);
  g_assert_cmpstr (r.secret, ==, "second");
  g_assert_cmpuint (count_items (id), ==, 1);

  result_clear (&r);
  delete_secret (id);
}

static void
test_delete (void)
{
  gint64 id;
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  id = unique_account_id ();
  store (id, "to be deleted");
  delete_secret (id);

  lookup (id, &r);
  g_assert_error (r.error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND);
  g_assert_null (r.secret);
  g_assert_cmpuint (count_items (id), ==, 0);
  result_clear (&r);

  /* Deleting what is not there is not an error */
  delete_secret (id);
}

static void
test_not_found (void)
{
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  lookup (unique_account_id (), &r);

  g_assert_error (r.error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND);
  g_assert_null (r.secret);
  result_clear (&r);
}

static void
test_accounts_separate (void)
{
  gint64 a, b;
  Result r = { 0 };

  if (skip_without_keyring ())
    return;

  a = unique_account_id ();
  b = unique_account_id ();
  store (a, "secret of a");
  store (b, "secret of b");
  delete_secret (a);

  lookup (b, &r);
  g_assert_no_error (r.error);
  g_assert_cmpstr (r.secret, ==, "secret of b");
  result_clear (&r);

  lookup (a, &r);
  g_assert_error (r.error, CALSYNC_SECRETS_ERROR, CALSYNC_SECRETS_ERROR_NOT_FOUND);
  result_clear (&r);

  delete_secret (b);
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/secrets/store-lookup", test_store_lookup);
  g_test_add_func ("/secrets/label", test_label);
  g_test_add_func ("/secrets/overwrite", test_overwrite);
  g_test_add_func ("/secrets/delete", test_delete);
  g_test_add_func ("/secrets/not-found", test_not_found);
  g_test_add_func ("/secrets/accounts-separate", test_accounts_separate);

  return g_test_run ();
}
