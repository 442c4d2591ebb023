/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-cli-utils.c: helpers every headless command shares (no GTK).
 *
 * Linked into the `calsync` binary and into the commands module alike. */
#define G_LOG_DOMAIN "calsync-cli"

#include "config.h"

#include <string.h>

#include <glib/gi18n.h>

#include "calsync-cli-private.h"
#include "calsync-date-utils.h"

CalsyncStore *
calsync_cli_open_store (void)
{
  g_autoptr(GError) error = NULL;
  CalsyncStore *store = calsync_store_open (NULL, &error);

  if (store == NULL)
    g_printerr (_("calsync: Could not open the calendar database: %s\n"), error->message);

  return store;
}

void
calsync_cli_read_sync_window (guint *months_back,
                              guint *months_ahead)
{
  GSettingsSchemaSource *source = g_settings_schema_source_get_default ();
  g_autoptr(GSettingsSchema) schema = NULL;
  g_autoptr(GSettings) settings = NULL;

  *months_back = 3;
  *months_ahead = 12;

  /* Run from a build tree without GSETTINGS_SCHEMA_DIR the schema is missing:
   * use the defaults rather than abort in g_settings_new() */
  if (source == NULL || !(schema = g_settings_schema_source_lookup (source, APP_ID, TRUE)))
    return;

  settings = g_settings_new (APP_ID);
  *months_back = (guint) MAX (0, g_settings_get_int (settings, "sync-months-back"));
  *months_ahead = (guint) MAX (0, g_settings_get_int (settings, "sync-months-ahead"));
}

GDateTime *
calsync_cli_parse_date (const char  *option,
                        const char  *text,
                        GError     **error)
{
  g_autoptr(GDateTime) date = NULL;
  gint64 day;

  if (calsync_date_parse_day (text, &day))
    date = calsync_date_local_midnight (day);

  if (date == NULL)
    {
      g_set_error (error, G_OPTION_ERROR, G_OPTION_ERROR_BAD_VALUE,
                   /* Translators: the first %s is an option (--from), the second what was typed */
                   _("%s=%s is not a date; use YYYY-MM-DD, for example 2026-12-01"), option, text);
      return NULL;
    }

  return g_steal_pointer (&date);
}
