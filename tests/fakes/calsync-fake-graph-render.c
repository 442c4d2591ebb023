/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-graph-render.c: how the fake Graph writes its answers — time zones
 * (Windows names as Exchange uses them, IANA names, UTC), dateTimeTimeZone values
 * with seven fractional digits, events in the zone a request prefers, the error
 * object, the OData content type and gzip.
 *
 * Sources: "dateTimeTimeZone resource type" (dateTime without offset, timeZone a
 * name); "event resource type" (start/end "By default, … in UTC"); "Microsoft
 * Graph error responses and resource types" ({"error":{"code","message",
 * "innerError":{"request-id","date"}}}). All-day events: Graph lists them as
 * midnight to midnight of their dates whatever outlook.timezone asks — "All-day
 * events (where IsAllDay is true) will always return midnight as the start and
 * end time, regardless of time zone … even if you set a preferred time zone"
 * (Jason Johnston, Microsoft, jasonjoh/php-calendar#9) and calendarView "doesn't
 * convert" them (microsoftgraph/microsoft-graph-explorer-v4#578). */
#define G_LOG_DOMAIN "calsync-fake-graph"

#include "config.h"

#include <string.h>

#include "calsync-fake-graph-private.h"

#define GZIP_LEVEL 1
#define ODATA_JSON "application/json;odata.metadata=minimal;odata.streaming=true;" \
                   "IEEE754Compatible=false;charset=utf-8"

/* Time zones ------------------------------------------------------------------- */

/* Windows time zone names (what Exchange stores in originalStartTimeZone and
 * accepts in outlook.timezone) the fake knows, with their IANA equivalents
 * (CLDR windowsZones.xml, territory 001) */
static const struct { const char *windows; const char *iana; } windows_zones[] = {
  { "UTC", "UTC" },
  { "GMT Standard Time", "Europe/London" },
  { "W. Europe Standard Time", "Europe/Berlin" },
  { "Romance Standard Time", "Europe/Paris" },
  { "Central Europe Standard Time", "Europe/Budapest" },
  { "E. Europe Standard Time", "Europe/Chisinau" },
  { "FLE Standard Time", "Europe/Kiev" },
  { "Russian Standard Time", "Europe/Moscow" },
  { "India Standard Time", "Asia/Calcutta" },
  { "China Standard Time", "Asia/Shanghai" },
  { "Tokyo Standard Time", "Asia/Tokyo" },
  { "AUS Eastern Standard Time", "Australia/Sydney" },
  { "New Zealand Standard Time", "Pacific/Auckland" },
  { "Line Islands Standard Time", "Pacific/Kiritimati" },
  { "Dateline Standard Time", "Etc/GMT+12" },
  { "Hawaiian Standard Time", "Pacific/Honolulu" },
  { "Pacific Standard Time", "America/Los_Angeles" },
  { "Mountain Standard Time", "America/Denver" },
  { "Central Standard Time", "America/Chicago" },
  { "Eastern Standard Time", "America/New_York" },
  { "E. South America Standard Time", "America/Sao_Paulo" },
};

/* The zone @name stands for (Windows, IANA or UTC), or NULL for one Graph would
 * not know (including "tzone://Microsoft/Custom", which only ever appears in
 * originalStartTimeZone) */
GTimeZone *
calsync_fake_graph_zone_new (const char *name)
{
  const char *iana = name;

  for (guint i = 0; i < G_N_ELEMENTS (windows_zones); i++)
    if (g_str_equal (name, windows_zones[i].windows))
      iana = windows_zones[i].iana;

  if (strchr (iana, '/') == NULL && !g_str_equal (iana, "UTC"))
    return NULL;
  return g_time_zone_new_identifier (iana);
}

/* A dateTimeTimeZone's dateTime: local time, no offset, seven fractional digits */
char *
calsync_fake_graph_format_local (GDateTime *dt)
{
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%07d", text, g_date_time_get_microsecond (dt) * 10);
}

/* A DateTimeOffset as Graph writes lastModifiedDateTime: UTC, seven digits, Z */
char *
calsync_fake_graph_format_stamp (gint64 usec)
{
  g_autoptr(GDateTime) dt = g_date_time_new_from_unix_utc (usec / G_USEC_PER_SEC);
  g_autofree char *text = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%S");

  return g_strdup_printf ("%s.%07dZ", text, (int) (usec % G_USEC_PER_SEC) * 10);
}

/* An opaque state token: 48 random base64url characters nothing can rebuild */
char *
calsync_fake_graph_new_token (void)
{
  guint8 bytes[36];
  char *text;

  for (guint i = 0; i < sizeof bytes; i++)
    bytes[i] = g_random_int_range (0, 256);
  text = g_base64_encode (bytes, sizeof bytes);
  g_strdelimit (text, "+", '-');
  g_strdelimit (text, "/", '_');
  return text;
}

/* Events ------------------------------------------------------------------------- */

void
calsync_fake_graph_append_json_string (GString    *out,
                                       const char *text)
{
  g_autoptr(JsonNode) node = json_node_init_string (json_node_alloc (), text);
  g_autofree char *json = json_to_string (node, FALSE);

  g_string_append (out, json);
}

/* @when (a dateTimeTimeZone in UTC) in @zone, labelled @zone_name; an all-day
 * event's midnight stays the same date */
static JsonObject *
when_in_zone (JsonObject *when,
              gboolean    all_day,
              const char *zone_name,
              GTimeZone  *zone)
{
  JsonObject *copy = json_object_new ();
  g_autoptr(GTimeZone) utc = g_time_zone_new_utc ();
  g_autoptr(GDateTime) dt = g_date_time_new_from_iso8601 (json_object_get_string_member (when, "dateTime"), utc);
  g_autoptr(GDateTime) local = all_day ? g_date_time_ref (dt) : g_date_time_to_timezone (dt, zone);
  g_autofree char *text = calsync_fake_graph_format_local (local);

  json_object_set_string_member (copy, "dateTime", text);
  json_object_set_string_member (copy, "timeZone", zone_name);
  return copy;
}

static void
append_version (GString     *out,
                FakeVersion *version,
                const char  *zone_name,
                GTimeZone   *zone)
{
  g_autoptr(JsonObject) copy = NULL;
  g_autoptr(JsonNode) node = NULL;
  g_autofree char *text = NULL;
  JsonObjectIter iter;
  const char *name;
  JsonNode *member;

  if (g_str_equal (zone_name, "UTC"))
    {
      g_string_append (out, version->json);
      return;
    }

  /* Shallow: the other members are shared with the stored version */
  copy = json_object_new ();
  json_object_iter_init (&iter, version->object);
  while (json_object_iter_next (&iter, &name, &member))
    if (g_str_equal (name, "start") || g_str_equal (name, "end"))
      json_object_set_object_member (copy, name, when_in_zone (json_node_get_object (member), version->all_day,
                                                               zone_name, zone));
    else
      json_object_set_member (copy, name, json_node_copy (member));

  node = json_node_init_object (json_node_alloc (), copy);
  text = json_to_string (node, FALSE);
  g_string_append (out, text);
}

/* One entry of a delta page: the event in @zone, or its removal */
void
calsync_fake_graph_append_item (GString          *out,
                                const CursorItem *item,
                                const char       *zone_name,
                                GTimeZone        *zone)
{
  if (item->version != NULL)
    {
      append_version (out, item->version, zone_name, zone);
      return;
    }

  g_string_append (out, "{\"@odata.type\":\"#microsoft.graph.event\",\"id\":");
  calsync_fake_graph_append_json_string (out, item->removed_id);
  g_string_append (out, ",\"@removed\":{\"reason\":\"deleted\"}}");
}

/* Answers --------------------------------------------------------------------------- */

static gboolean
accepts_gzip (const char *accept_encoding)
{
  GSList *unacceptable = NULL;
  GSList *acceptable = accept_encoding ? soup_header_parse_quality_list (accept_encoding, &unacceptable) : NULL;
  gboolean gzip = FALSE, star = FALSE, refused = FALSE;

  for (GSList *l = acceptable; l != NULL; l = l->next)
    {
      gzip |= g_ascii_strcasecmp (l->data, "gzip") == 0;
      star |= g_str_equal (l->data, "*");
    }
  for (GSList *l = unacceptable; l != NULL; l = l->next)
    refused |= g_ascii_strcasecmp (l->data, "gzip") == 0;

  soup_header_free_list (acceptable);
  soup_header_free_list (unacceptable);
  return gzip || (star && !refused);
}

static GString *
gzip_body (GString *body)
{
  g_autoptr(GZlibCompressor) compressor = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, GZIP_LEVEL);
  GString *out = g_string_sized_new (body->len / 4 + 64);
  const char *data = body->str;
  gsize size = body->len;
  GConverterResult result;
  char buffer[16384];

  do
    {
      gsize read = 0, written = 0;
      g_autoptr(GError) error = NULL;

      result = g_converter_convert (G_CONVERTER (compressor), data, size, buffer, sizeof buffer,
                                    G_CONVERTER_INPUT_AT_END, &read, &written, &error);
      if (result == G_CONVERTER_ERROR)
        g_error ("Fake Graph cannot gzip: %s", error->message);
      g_string_append_len (out, buffer, written);
      data += read;
      size -= read;
    }
  while (result != G_CONVERTER_FINISHED);

  g_string_free (body, TRUE);
  return out;
}

/**
 * calsync_fake_graph_respond:
 * @body: (transfer full): the JSON answer
 *
 * Answers @msg with @status and @body in Graph's OData JSON content type, with
 * request-id and client-request-id, gzipped when allowed and asked for.
 */
void
calsync_fake_graph_respond (CalsyncFakeGraph  *self,
                            SoupServerMessage *msg,
                            guint              status,
                            GString           *body)
{
  SoupMessageHeaders *request = soup_server_message_get_request_headers (msg);
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  const char *client_request_id = soup_message_headers_get_one (request, "client-request-id");
  g_autofree char *request_id = g_uuid_string_random ();
  gsize size;
  char *data;

  soup_message_headers_replace (headers, "request-id", request_id);
  soup_message_headers_replace (headers, "client-request-id", client_request_id ? client_request_id : request_id);
  soup_message_headers_replace (headers, "OData-Version", "4.0");
  soup_message_headers_replace (headers, "Cache-Control", "no-cache");
  soup_message_headers_append (headers, "Vary", "Accept-Encoding");
  if (self->gzip && accepts_gzip (soup_message_headers_get_list (request, "Accept-Encoding")))
    {
      body = gzip_body (body);
      soup_message_headers_replace (headers, "Content-Encoding", "gzip");
      self->n_gzipped++;
    }

  size = body->len;
  data = g_string_free (body, FALSE);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, ODATA_JSON, SOUP_MEMORY_TAKE, data, size);
}

/* {"error":{"code","message","innerError":{"date","request-id","client-request-id"}}} */
void
calsync_fake_graph_respond_error (CalsyncFakeGraph  *self,
                                  SoupServerMessage *msg,
                                  guint              status,
                                  const char        *code,
                                  const char        *message)
{
  g_autoptr(GDateTime) now = g_date_time_new_now_utc ();
  g_autofree char *date = g_date_time_format (now, "%Y-%m-%dT%H:%M:%S");
  g_autofree char *request_id = g_uuid_string_random ();
  GString *body = g_string_new ("{\"error\":{\"code\":");

  calsync_fake_graph_append_json_string (body, code);
  g_string_append (body, ",\"message\":");
  calsync_fake_graph_append_json_string (body, message);
  g_string_append_printf (body, ",\"innerError\":{\"date\":\"%s\",\"request-id\":\"%s\","
                                "\"client-request-id\":\"%s\"}}}", date, request_id, request_id);
  calsync_fake_graph_respond (self, msg, status, body);
}
