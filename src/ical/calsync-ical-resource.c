/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-resource.c: a server's iCalendar resource as a tree of its
 * lines, each kept with the bytes the server wrote (folds, line ends), so
 * that an edit (calsync-ical-edit.c) changes a few lines and writes every
 * other one back byte for byte.
 *
 * The lines of a VEVENT are read with the reader's own code
 * (calsync-ical-vevent.c) and its zones (calsync-ical-zones.c: the
 * resource's VTIMEZONEs, then the built-in ones), so an edit sees the event
 * as the reader saw it. New lines are folded as the writer folds, with the
 * resource's own line ends. New resources are made here too, and the
 * questions a write asks of a resource (when it last changed, an event as it
 * has it) are answered here. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>
#include <string.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

/* Nodes -------------------------------------------------------------------------- */

void
calsync_ical_node_free (IcalNode *node)
{
  if (node == NULL)
    return;

  g_free (node->name);
  g_free (node->raw);
  g_free (node->text);
  g_free (node->end_raw);
  g_clear_pointer (&node->children, g_ptr_array_unref);
  g_free (node);
}

static IcalNode *
node_new (const char *name,
          char       *raw,
          const char *text,
          guint       line)
{
  IcalNode *node = g_new0 (IcalNode, 1);

  node->name = g_strdup (name);
  node->raw = raw;
  node->text = g_strdup (text);
  node->line = line;
  return node;
}

static void
node_make_component (IcalNode *node)
{
  node->children = g_ptr_array_new_with_free_func ((GDestroyNotify) calsync_ical_node_free);
}

IcalNode *
calsync_ical_node_copy (const IcalNode *node)
{
  IcalNode *copy = node_new (node->name, g_strdup (node->raw), node->text, node->line);

  copy->end_raw = g_strdup (node->end_raw);
  if (node->children != NULL)
    {
      node_make_component (copy);
      for (guint i = 0; i < node->children->len; i++)
        g_ptr_array_add (copy->children, calsync_ical_node_copy (g_ptr_array_index (node->children, i)));
    }

  return copy;
}

gboolean
calsync_ical_node_is (const IcalNode *node,
                      const char     *name)
{
  return node->name != NULL && g_str_equal (node->name, name);
}

IcalNode *
calsync_ical_node_find (IcalNode   *component,
                        const char *name)
{
  for (guint i = 0; i < component->children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (component->children, i);

      if (child->children == NULL && calsync_ical_node_is (child, name))
        return child;
    }

  return NULL;
}

void
calsync_ical_node_remove_all (IcalNode   *component,
                              const char *name)
{
  for (guint i = component->children->len; i > 0; i--)
    {
      IcalNode *child = g_ptr_array_index (component->children, i - 1);

      if (child->children == NULL && calsync_ical_node_is (child, name))
        g_ptr_array_remove_index (component->children, i - 1);
    }
}

/* Where a new property goes: after the last of @anchors (NULL-terminated)
 * present, else after the last property before the first subcomponent */
static guint
insert_position (IcalNode           *component,
                 const char * const *anchors)
{
  guint position = 0;

  for (guint i = 0; anchors != NULL && i < component->children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (component->children, i);

      if (child->children == NULL && child->name != NULL && g_strv_contains (anchors, child->name))
        position = i + 1;
    }
  if (position > 0)
    return position;

  for (position = 0; position < component->children->len; position++)
    if (((IcalNode *) g_ptr_array_index (component->children, position))->children != NULL)
      break;

  return position;
}

void
calsync_ical_node_insert (IcalNode           *component,
                          IcalNode           *node,
                          const char * const *anchors)
{
  g_ptr_array_insert (component->children, (int) insert_position (component, anchors), node);
}

/* Replaces the first @name line of @component with @node and drops the
 * others; adds it after @anchors when there is none */
void
calsync_ical_node_set (IcalNode           *component,
                       IcalNode           *node,
                       const char * const *anchors)
{
  for (guint i = 0; i < component->children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (component->children, i);

      if (child->children == NULL && calsync_ical_node_is (child, node->name))
        {
          g_ptr_array_index (component->children, i) = node;
          calsync_ical_node_free (child);
          for (guint j = component->children->len; j > i + 1; j--)
            {
              IcalNode *other = g_ptr_array_index (component->children, j - 1);

              if (other->children == NULL && calsync_ical_node_is (other, node->name))
                g_ptr_array_remove_index (component->children, j - 1);
            }
          return;
        }
    }

  calsync_ical_node_insert (component, node, anchors);
}

/* New lines --------------------------------------------------------------------- */

/* @folded (CRLF line ends, as calsync_ical_refold() writes) with @eol */
static char *
with_line_ends (const char *folded,
                const char *eol)
{
  g_auto(GStrv) lines = NULL;

  if (g_str_equal (eol, "\r\n"))
    return g_strdup (folded);

  lines = g_strsplit (folded, "\r\n", -1);
  return g_strjoinv ("\n", lines);
}

/* A property line from its unfolded text ("SUMMARY:Lunch") */
IcalNode *
calsync_ical_resource_new_line (IcalResource *self,
                                const char   *text)
{
  g_autofree char *line = g_strconcat (text, "\r\n", NULL);
  g_autofree char *folded = calsync_ical_refold (line);
  ContentLine content;

  if (!calsync_ical_split_content_line (text, &content))
    content.name[0] = '\0';

  return node_new (content.name, with_line_ends (folded, self->eol), text, 0);
}

/* A property line libical made (escaped text, parameters quoted as needed) */
IcalNode *
calsync_ical_resource_new_property (IcalResource *self,
                                    icalproperty *property)
{
  char *ical = icalproperty_as_ical_string_r (property);
  g_autofree char *folded = calsync_ical_refold (ical);
  g_autofree char *unfolded = NULL;
  ContentLine content;
  IcalNode *node;

  icalmemory_free_buffer (ical);
  icalproperty_free (property);

  /* The text of the line, for reading it back: unfolded, without its end */
  {
    g_auto(GStrv) parts = g_strsplit (folded, "\r\n ", -1);

    unfolded = g_strjoinv ("", parts);
    g_strchomp (unfolded);
  }

  if (!calsync_ical_split_content_line (unfolded, &content))
    content.name[0] = '\0';
  node = node_new (content.name, with_line_ends (folded, self->eol), unfolded, 0);
  return node;
}

/* A whole component libical made (a VTIMEZONE), kept as one block of lines */
IcalNode *
calsync_ical_resource_new_block (IcalResource  *self,
                                 const char    *name,
                                 icalcomponent *component)
{
  char *ical = icalcomponent_as_ical_string_r (component);
  g_autofree char *folded = calsync_ical_refold (ical);
  IcalNode *node = node_new (name, with_line_ends (folded, self->eol), NULL, 0);

  icalmemory_free_buffer (ical);
  node_make_component (node);
  node->end_raw = g_strdup ("");
  return node;
}

/* Loading ------------------------------------------------------------------------ */

static gboolean
structure_error (GError **error,
                 guint    line)
{
  return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, line,
                                      _("the calendar’s BEGIN and END lines do not match"));
}

static char *
component_name (const char *value)
{
  g_autofree char *name = g_strstrip (g_strdup (value));

  return g_ascii_strup (name, -1);
}

static gboolean
add_line (GPtrArray   *stack,
          char        *raw,
          const char  *text,
          guint        line,
          GError     **error)
{
  IcalNode *top = g_ptr_array_index (stack, stack->len - 1);
  ContentLine content;
  g_autofree char *name = NULL;
  IcalNode *node;

  if (!calsync_ical_split_content_line (text, &content))
    content.name[0] = '\0';

  if (g_str_equal (content.name, "END"))
    {
      name = component_name (content.value);
      if (stack->len < 2 || !calsync_ical_node_is (top, name))
        {
          g_free (raw);
          return structure_error (error, line);
        }
      top->end_raw = raw;
      g_ptr_array_set_size (stack, stack->len - 1);
      return TRUE;
    }

  if (g_str_equal (content.name, "BEGIN"))
    {
      if (stack->len > MAX_DEPTH)
        {
          g_free (raw);
          return structure_error (error, line);
        }
      name = component_name (content.value);
      node = node_new (name, raw, text, line);
      node_make_component (node);
      g_ptr_array_add (top->children, node);
      g_ptr_array_add (stack, node);
      return TRUE;
    }

  g_ptr_array_add (top->children, node_new (content.name, raw, text, line));
  return TRUE;
}

static gboolean
load_tree (IcalResource  *self,
           const char    *data,
           gsize          length,
           GError       **error)
{
  g_autoptr(GPtrArray) stack = g_ptr_array_new ();
  Reader reader = { data, data + length, 1, g_string_new (NULL) };
  const char *start = data;
  gboolean ok = TRUE;
  guint line;

  /* A byte-order mark stays where it was */
  if (length >= 3 && memcmp (data, "\xEF\xBB\xBF", 3) == 0)
    {
      g_ptr_array_add (self->root->children, node_new (NULL, g_strndup (data, 3), NULL, 0));
      reader.p = start = data + 3;
    }

  g_ptr_array_add (stack, self->root);
  while (ok && calsync_ical_reader_next (&reader, &line))
    {
      ok = add_line (stack, g_strndup (start, (gsize) (reader.p - start)), reader.buffer->str, line, error);
      start = reader.p;
    }

  if (ok && stack->len != 1)
    ok = structure_error (error, reader.line);
  g_string_free (reader.buffer, TRUE);
  return ok;
}

static gboolean
find_calendar (IcalResource  *self,
               GError       **error)
{
  for (guint i = 0; i < self->root->children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (self->root->children, i);

      if (child->children != NULL && calsync_ical_node_is (child, "VCALENDAR"))
        {
          self->calendar = child;
          return TRUE;
        }
    }

  g_set_error_literal (error, CALSYNC_ICAL_ERROR, CALSYNC_ICAL_ERROR_PARSE,
                       _("The event’s resource on the server is not iCalendar"));
  return FALSE;
}

static const char *
detect_line_end (const IcalNode *calendar)
{
  return g_str_has_suffix (calendar->raw, "\r\n") || !g_str_has_suffix (calendar->raw, "\n") ? "\r\n" : "\n";
}

/* The VTIMEZONEs of the resource, for the reader's zone lookup */
static void
load_zones (IcalResource *self)
{
  Parser *parser = &self->parser;

  self->zones_calendar = icalcomponent_new (ICAL_VCALENDAR_COMPONENT);
  for (guint i = 0; i < self->calendar->children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (self->calendar->children, i);
      g_autofree char *text = NULL;
      icalcomponent *vtimezone;

      if (child->children == NULL || !calsync_ical_node_is (child, "VTIMEZONE"))
        continue;

      text = calsync_ical_node_to_string (child);
      if ((vtimezone = icalcomponent_new_from_string (text)) != NULL)
        icalcomponent_add_component (self->zones_calendar, vtimezone);
    }

  parser->vtimezones = g_hash_table_new (g_str_hash, g_str_equal);
  parser->zones = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, (GDestroyNotify) calsync_ical_zone_free);
  parser->problems = g_ptr_array_new_with_free_func ((GDestroyNotify) calsync_ical_problem_free);
  parser->utc = calsync_ical_zone_new ("UTC", icaltimezone_get_utc_timezone (), FALSE, NULL);
  parser->local = calsync_ical_local_zone_new ();
  calsync_ical_collect_vtimezones (parser, self->zones_calendar);
}

/**
 * calsync_ical_resource_load:
 *
 * Splits @text into its lines; refuses text that is not one VCALENDAR with
 * matching BEGIN and END lines, or that the reader cannot read at all.
 */
gboolean
calsync_ical_resource_load (IcalResource  *self,
                            const char    *text,
                            GError       **error)
{
  gsize length = strlen (text);

  memset (self, 0, sizeof *self);
  calsync_ical_init ();
  self->root = node_new (NULL, g_strdup (""), NULL, 0);
  self->root->end_raw = g_strdup ("");
  node_make_component (self->root);

  if (!calsync_ical_check_encoding (text, length, error) ||
      !load_tree (self, text, length, error) ||
      !find_calendar (self, error))
    return FALSE;

  self->eol = detect_line_end (self->calendar);
  load_zones (self);
  return TRUE;
}

void
calsync_ical_resource_clear (IcalResource *self)
{
  Parser *parser = &self->parser;

  g_clear_pointer (&self->root, calsync_ical_node_free);
  g_clear_pointer (&self->zones_calendar, icalcomponent_free);
  g_clear_pointer (&parser->vtimezones, g_hash_table_unref);
  g_clear_pointer (&parser->zones, g_hash_table_unref);
  g_clear_pointer (&parser->problems, g_ptr_array_unref);
  g_clear_pointer (&parser->utc, calsync_ical_zone_free);
  g_clear_pointer (&parser->local, calsync_ical_zone_free);
  icalerror_clear_errno ();
  icalmemory_free_ring ();
}

/* Writing ------------------------------------------------------------------------ */

static void
append_node (GString        *out,
             const IcalNode *node)
{
  g_string_append (out, node->raw);
  if (node->children == NULL)
    return;

  for (guint i = 0; i < node->children->len; i++)
    append_node (out, g_ptr_array_index (node->children, i));
  g_string_append (out, node->end_raw != NULL ? node->end_raw : "");
}

char *
calsync_ical_node_to_string (const IcalNode *node)
{
  GString *out = g_string_new (NULL);

  append_node (out, node);
  return g_string_free (out, FALSE);
}

char *
calsync_ical_resource_to_string (IcalResource *self)
{
  return calsync_ical_node_to_string (self->root);
}

/* Reading VEVENTs --------------------------------------------------------------- */

/* A date line the reader would have refused (its value is read as checked) */
static gboolean
check_date_line (const IcalNode  *node,
                 GError         **error)
{
  const char *value = calsync_ical_date_value (node->text);
  struct icaltimetype t;

  if (value != NULL && calsync_ical_read_date_time (&value, &t))
    return TRUE;

  return calsync_ical_set_line_error (error, CALSYNC_ICAL_ERROR_PARSE, node->line,
                                      _("%s has a value CalSync cannot read"), node->name);
}

static gboolean
is_date_property (const char *name)
{
  static const char * const names[] = {
    "DTSTART", "DTEND", "RECURRENCE-ID", "LAST-MODIFIED", "DTSTAMP", NULL
  };

  return g_strv_contains (names, name);
}

/**
 * calsync_ical_read_vevent:
 *
 * Reads the lines of @vevent as the reader does; the first line it could not
 * read goes in @info's problem.
 */
void
calsync_ical_read_vevent (const IcalNode *vevent,
                          EventInfo      *info)
{
  calsync_ical_event_info_init (info, 0, vevent->line);

  for (guint i = 0; i < vevent->children->len; i++)
    {
      const IcalNode *child = g_ptr_array_index (vevent->children, i);
      g_autoptr(GError) error = NULL;
      ContentLine content;

      if (child->children != NULL || child->text == NULL || !calsync_ical_split_content_line (child->text, &content))
        continue;

      if ((is_date_property (content.name) && !check_date_line (child, &error)) ||
          !calsync_ical_read_event_property (info, child->text, &content, child->line, &error))
        {
          if (info->problem == NULL)
            info->problem = g_steal_pointer (&error);
        }
    }
}

/* New resources ----------------------------------------------------------------- */

/**
 * calsync_ical_resource_new:
 * @event: an event created here (an instance of a series: its series, as
 *   calsync_ical_serialize() writes it)
 * @now_utc: its DTSTAMP, CREATED and LAST-MODIFIED (seconds)
 *
 * The text of a new resource: VCALENDAR, the VTIMEZONEs it needs, the
 * VEVENT(s) with SEQUENCE:0.
 *
 * Returns: (transfer full): the text, or %NULL with @error set
 */
char *
calsync_ical_resource_new (CalsyncEvent  *event,
                           gint64         now_utc,
                           GError       **error)
{
  static const char * const after_stamp[] = { "DTSTAMP", "UID", NULL };
  g_autoptr(GPtrArray) events = g_ptr_array_new ();
  g_auto(IcalResource) resource = { 0 };
  g_autofree char *text = NULL;
  g_autofree char *created = NULL;
  g_autofree char *modified = NULL;
  struct icaltimetype now = calsync_ical_unix_to_fields (now_utc);
  GPtrArray *children;

  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  g_ptr_array_add (events, event);
  if (!(text = calsync_ical_serialize (events, now_utc, error)) ||
      !calsync_ical_resource_load (&resource, text, error))
    return NULL;

  created = g_strdup_printf ("CREATED:%04d%02d%02dT%02d%02d%02dZ", now.year, now.month, now.day,
                             now.hour, now.minute, now.second);
  modified = g_strdup_printf ("LAST-MODIFIED:%s", created + strlen ("CREATED:"));
  children = resource.calendar->children;
  for (guint i = 0; i < children->len; i++)
    {
      IcalNode *vevent = g_ptr_array_index (children, i);

      if (vevent->children == NULL || !calsync_ical_node_is (vevent, "VEVENT"))
        continue;

      calsync_ical_node_set (vevent, calsync_ical_resource_new_line (&resource, created), after_stamp);
      calsync_ical_node_set (vevent, calsync_ical_resource_new_line (&resource, modified), after_stamp);
      calsync_ical_node_set (vevent, calsync_ical_resource_new_line (&resource, "SEQUENCE:0"), after_stamp);
    }

  return calsync_ical_resource_to_string (&resource);
}

/* Questions about a resource --------------------------------------------------- */

/**
 * calsync_ical_resource_find_event:
 * @text: a resource's iCalendar text
 * @event: an event read from some version of it
 *
 * The event with @event's external id as the reader reads @text (around
 * @event's time), for calsync_ical_resource_update()'s @base.
 *
 * Returns: (transfer full) (nullable): the event, or %NULL when @text does not
 *   have it
 */
CalsyncEvent *
calsync_ical_resource_find_event (const char   *text,
                                  CalsyncEvent *event)
{
  g_autoptr(GPtrArray) events = NULL;
  const char *id = calsync_event_get_external_id (event);
  /* Around the instance: its original start and where it is now */
  gint64 start = calsync_event_get_start (event) - 14 * 86400;
  gint64 end = calsync_event_get_end (event) + 14 * 86400;
  OriginalStart original;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (CALSYNC_IS_EVENT (event), NULL);

  if (calsync_ical_read_original_start (event, &original))
    {
      gint64 at = original.is_date ? calsync_ical_date_key (original.date) * 86400 : original.utc;

      start = MIN (start, at - 2 * 86400);
      end = MAX (end, at + 2 * 86400);
    }

  if ((events = calsync_ical_parse_full (text, -1, start, end, NULL, NULL)) == NULL)
    return NULL;

  for (guint i = 0; i < events->len; i++)
    if (g_strcmp0 (calsync_event_get_external_id (g_ptr_array_index (events, i)), id) == 0)
      return g_object_ref (g_ptr_array_index (events, i));

  return NULL;
}

/**
 * calsync_ical_resource_modified:
 * @text: a resource's iCalendar text
 *
 * When the resource last changed, by its VEVENTs' LAST-MODIFIED (else their
 * DTSTAMP): the latest of them, to settle a conflict with a local edit.
 *
 * Returns: microseconds since the epoch; 0 when unknown
 */
gint64
calsync_ical_resource_modified (const char *text)
{
  g_auto(IcalResource) resource = { 0 };
  GPtrArray *children;
  gint64 modified = 0;

  g_return_val_if_fail (text != NULL, 0);

  if (!calsync_ical_resource_load (&resource, text, NULL))
    return 0;

  children = resource.calendar->children;
  for (guint i = 0; i < children->len; i++)
    {
      IcalNode *child = g_ptr_array_index (children, i);
      EventInfo info;

      if (child->children == NULL || !calsync_ical_node_is (child, "VEVENT"))
        continue;

      calsync_ical_read_vevent (child, &info);
      modified = MAX (modified, info.last_modified ? info.last_modified : info.dtstamp);
      calsync_ical_event_info_clear (&info);
    }

  return modified;
}
