/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-peek-google.c: see calsync-fake-peek.h (apart from the Graph
 * half: the two fakes' private headers both name their types FakeEvent). */
#include "config.h"

#include "calsync-fake-google-private.h"
#include "calsync-fake-peek.h"

static JsonObject *
copy_object (JsonObject *object)
{
  g_autoptr(JsonNode) node = json_node_init_object (json_node_alloc (), object);
  g_autoptr(JsonNode) copy = json_node_copy (node);

  return json_object_ref (json_node_get_object (copy));
}

GPtrArray *
calsync_fake_google_peek_events (CalsyncFakeGoogle *self,
                                 const char        *calendar_id)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);
  GHashTableIter iter;
  FakeEvent *event;

  if (calendar == NULL)
    return events;

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    if (!event->deleted && !event->cancelled &&
        g_strcmp0 (json_object_get_string_member_with_default (event->object, "status", NULL), "cancelled") != 0)
      g_ptr_array_add (events, copy_object (event->object));

  return events;
}

SoupServer *
calsync_fake_google_peek_server (CalsyncFakeGoogle *self)
{
  return self->server;
}
