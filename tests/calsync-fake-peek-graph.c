/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-peek-graph.c: see calsync-fake-peek.h */
#include "config.h"

#include "calsync-fake-graph-private.h"
#include "calsync-fake-peek.h"

GPtrArray *
calsync_fake_graph_peek_events (CalsyncFakeGraph *self,
                                const char       *calendar_id)
{
  GPtrArray *events = g_ptr_array_new_with_free_func ((GDestroyNotify) json_object_unref);
  FakeCalendar *calendar = g_hash_table_lookup (self->calendars, calendar_id);
  GHashTableIter iter;
  FakeEvent *event;

  if (calendar == NULL || calendar->removed)
    return events;

  g_hash_table_iter_init (&iter, calendar->events);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &event))
    {
      JsonObject *object = event->version != NULL ? event->version->object : NULL;
      g_autoptr(JsonNode) node = NULL;
      g_autoptr(JsonNode) copy = NULL;

      if (event->deleted || object == NULL || event->version->master ||
          json_object_get_boolean_member_with_default (object, "isCancelled", FALSE))
        continue;
      node = json_node_init_object (json_node_alloc (), object);
      copy = json_node_copy (node);
      g_ptr_array_add (events, json_object_ref (json_node_get_object (copy)));
    }

  return events;
}

SoupServer *
calsync_fake_graph_peek_server (CalsyncFakeGraph *self)
{
  return self->server;
}
