/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-accounts.c: --list-accounts [--json] (headless, no GTK).
 *
 * Reads the store only; adding and removing accounts needs the keyring and
 * lives in the commands module (calsync-cli-sync.c). */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <glib/gi18n.h>
#include <json-glib/json-glib.h>

#include "calsync-cli-private.h"
#include "calsync-text.h"

static char *
format_sync_time (gint64 usec)
{
  g_autoptr(GDateTime) dt = NULL;

  if (usec <= 0)
    return NULL;

  dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  return dt ? g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ") : NULL;
}

static void
add_nullable_string (JsonBuilder *builder,
                     const char  *name,
                     const char  *value)
{
  json_builder_set_member_name (builder, name);
  if (value != NULL)
    json_builder_add_string_value (builder, value);
  else
    json_builder_add_null_value (builder);
}

static void
add_calendar_json (JsonBuilder     *builder,
                   CalsyncCalendar *calendar,
                   const char      *provider)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, calsync_calendar_get_id (calendar));
  g_autofree char *last_sync = format_sync_time (calsync_calendar_get_last_sync_at (calendar));

  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", id);
  /* Machine-readable: the local calendar's key, not its name in today's language */
  add_nullable_string (builder, "name", g_strcmp0 (provider, "local") == 0
                                        ? CALSYNC_PERSONAL_CALENDAR_KEY
                                        : calsync_calendar_get_name (calendar));
  add_nullable_string (builder, "provider", provider);
  json_builder_set_member_name (builder, "active");
  json_builder_add_boolean_value (builder, calsync_calendar_get_is_active (calendar));
  add_nullable_string (builder, "lastSyncAt", last_sync);
  json_builder_set_member_name (builder, "primary");
  json_builder_add_boolean_value (builder, calsync_calendar_get_is_primary (calendar));
  json_builder_end_object (builder);
}

static void
add_account_json (JsonBuilder    *builder,
                  CalsyncAccount *account,
                  GPtrArray      *calendars)
{
  g_autofree char *id = g_strdup_printf ("%" G_GINT64_FORMAT, calsync_account_get_id (account));
  const char *provider = calsync_account_get_provider (account);

  json_builder_begin_object (builder);
  add_nullable_string (builder, "id", id);
  add_nullable_string (builder, "provider", provider);
  add_nullable_string (builder, "email", calsync_account_get_email (account));
  json_builder_set_member_name (builder, "needsReconnect");
  json_builder_add_boolean_value (builder, calsync_account_get_needs_reconnect (account));
  add_nullable_string (builder, "lastError", calsync_account_get_last_error (account));
  json_builder_set_member_name (builder, "calendars");
  json_builder_begin_array (builder);
  for (guint i = 0; i < calendars->len; i++)
    add_calendar_json (builder, g_ptr_array_index (calendars, i), provider);
  json_builder_end_array (builder);
  json_builder_end_object (builder);
}

static void
print_accounts_json (GPtrArray *accounts,
                     GPtrArray *calendars_per_account)
{
  g_autoptr(JsonBuilder) builder = json_builder_new ();
  g_autoptr(JsonGenerator) generator = json_generator_new ();
  g_autoptr(JsonNode) root = NULL;
  g_autofree char *text = NULL;
  g_autofree char *escaped = NULL;

  json_builder_begin_array (builder);
  for (guint i = 0; i < accounts->len; i++)
    add_account_json (builder, g_ptr_array_index (accounts, i), g_ptr_array_index (calendars_per_account, i));
  json_builder_end_array (builder);

  root = json_builder_get_root (builder);
  json_generator_set_root (generator, root);
  json_generator_set_pretty (generator, TRUE);
  text = json_generator_to_data (generator, NULL);
  escaped = calsync_json_escape_controls (text);
  g_print ("%s\n", escaped);
}

static void
print_account_text (CalsyncAccount *account,
                    GPtrArray      *calendars)
{
  g_autofree char *email = calsync_text_for_terminal (calsync_account_get_email (account), FALSE);

  g_print ("%" G_GINT64_FORMAT "\t%s\t%s", calsync_account_get_id (account),
           calsync_account_get_provider (account), email ? email : _("(this computer)"));
  if (calsync_account_get_needs_reconnect (account))
    g_print ("\t%s", _("needs reconnect"));
  g_print ("\n");

  for (guint i = 0; i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);
      g_autofree char *last_sync = format_sync_time (calsync_calendar_get_last_sync_at (calendar));
      g_autofree char *name = calsync_text_for_terminal (calsync_calendar_get_name (calendar), FALSE);

      g_print ("  %" G_GINT64_FORMAT "\t%s%s\t%s\t%s\n", calsync_calendar_get_id (calendar),
               name,
               calsync_calendar_get_is_primary (calendar) ? _(" (primary)") : "",
               calsync_calendar_get_is_active (calendar) ? _("active") : _("inactive"),
               last_sync ? last_sync : _("never synced"));
    }
}

/* The local account and its Personal calendar are listed too (provider
 * "local", email null): their ids are what --import/--export --calendar take. */
int
calsync_cli_run_list_accounts (CalsyncCommand *command)
{
  g_autoptr(CalsyncStore) store = NULL;
  g_autoptr(GPtrArray) accounts = NULL;
  g_autoptr(GPtrArray) calendars = g_ptr_array_new_with_free_func ((GDestroyNotify) g_ptr_array_unref);
  g_autoptr(GError) error = NULL;

  if (!(store = calsync_cli_open_store ()))
    return CALSYNC_EXIT_FAILED;

  if (!(accounts = calsync_store_list_accounts (store, &error)))
    {
      g_printerr ("calsync: %s\n", error->message);
      return CALSYNC_EXIT_FAILED;
    }

  for (guint i = 0; i < accounts->len; i++)
    {
      GPtrArray *list = calsync_store_list_calendars (store, calsync_account_get_id (g_ptr_array_index (accounts, i)), &error);

      if (list == NULL)
        {
          g_printerr ("calsync: %s\n", error->message);
          return CALSYNC_EXIT_FAILED;
        }
      g_ptr_array_add (calendars, list);
    }

  if (command->json)
    print_accounts_json (accounts, calendars);
  else
    for (guint i = 0; i < accounts->len; i++)
      print_account_text (g_ptr_array_index (accounts, i), g_ptr_array_index (calendars, i));

  return CALSYNC_EXIT_OK;
}

