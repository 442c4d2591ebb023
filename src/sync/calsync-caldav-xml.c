/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-xml.c: reads WebDAV multistatus answers (RFC 4918, 4791, 6578)
 * with libxml2's streaming reader — no tree in memory, names matched by
 * namespace URI (never by prefix), depth and field sizes bounded, no network
 * and no external entities. */
#define G_LOG_DOMAIN "calsync-caldav"

#include "config.h"

#include <string.h>
#include <glib/gi18n.h>
#include <libxml/xmlreader.h>

#include "calsync-caldav-private.h"

typedef enum
{
  E_OTHER,
  E_MULTISTATUS,
  E_RESPONSE,
  E_HREF,
  E_STATUS,
  E_PROPSTAT,
  E_PROP,
  E_GETETAG,
  E_DISPLAYNAME,
  E_RESOURCETYPE,
  E_COLLECTION,
  E_PRINCIPAL_URL,        /* current-user-principal */
  E_PRIVILEGE_SET,        /* current-user-privilege-set */
  E_PRIVILEGE,
  E_WRITE,
  E_WRITE_CONTENT,
  E_ALL,
  E_SYNC_TOKEN,
  E_REPORT_SET,           /* supported-report-set */
  E_SYNC_COLLECTION,
  E_ERROR,
  E_VALID_SYNC_TOKEN,
  E_CALENDAR,
  E_CALENDAR_DATA,
  E_HOME_SET,
  E_COMP_SET,
  E_COMP,
  E_GETCTAG,
  E_COLOR,
} Elem;

static const struct
{
  const char *ns;
  const char *name;
  Elem elem;
} known_elements[] = {
  { CALDAV_NS_DAV, "multistatus", E_MULTISTATUS },
  { CALDAV_NS_DAV, "response", E_RESPONSE },
  { CALDAV_NS_DAV, "href", E_HREF },
  { CALDAV_NS_DAV, "status", E_STATUS },
  { CALDAV_NS_DAV, "propstat", E_PROPSTAT },
  { CALDAV_NS_DAV, "prop", E_PROP },
  { CALDAV_NS_DAV, "getetag", E_GETETAG },
  { CALDAV_NS_DAV, "displayname", E_DISPLAYNAME },
  { CALDAV_NS_DAV, "resourcetype", E_RESOURCETYPE },
  { CALDAV_NS_DAV, "collection", E_COLLECTION },
  { CALDAV_NS_DAV, "current-user-principal", E_PRINCIPAL_URL },
  { CALDAV_NS_DAV, "current-user-privilege-set", E_PRIVILEGE_SET },
  { CALDAV_NS_DAV, "privilege", E_PRIVILEGE },
  { CALDAV_NS_DAV, "write", E_WRITE },
  { CALDAV_NS_DAV, "write-content", E_WRITE_CONTENT },
  { CALDAV_NS_DAV, "all", E_ALL },
  { CALDAV_NS_DAV, "sync-token", E_SYNC_TOKEN },
  { CALDAV_NS_DAV, "supported-report-set", E_REPORT_SET },
  { CALDAV_NS_DAV, "sync-collection", E_SYNC_COLLECTION },
  { CALDAV_NS_DAV, "error", E_ERROR },
  { CALDAV_NS_DAV, "valid-sync-token", E_VALID_SYNC_TOKEN },
  { CALDAV_NS_CALDAV, "calendar", E_CALENDAR },
  { CALDAV_NS_CALDAV, "calendar-data", E_CALENDAR_DATA },
  { CALDAV_NS_CALDAV, "calendar-home-set", E_HOME_SET },
  { CALDAV_NS_CALDAV, "supported-calendar-component-set", E_COMP_SET },
  { CALDAV_NS_CALDAV, "comp", E_COMP },
  { CALDAV_NS_CS, "getctag", E_GETCTAG },
  { CALDAV_NS_APPLE, "calendar-color", E_COLOR },
};

typedef struct
{
  xmlTextReaderPtr reader;
  const char *base_uri;
  CaldavMultistatus *result;

  Elem stack[CALDAV_MAX_XML_DEPTH + 1];
  guint depth;

  CaldavEntry *entry;          /* the response being read */
  CaldavEntry *props;          /* the propstat being read: merged if its status is 2xx */
  guint propstat_status;

  GString *text;               /* text of the innermost element of interest */
  gsize text_limit;
  gboolean text_overflow;
  gboolean failed;
} Reader;

void
caldav_entry_free (CaldavEntry *entry)
{
  if (entry == NULL)
    return;

  g_free (entry->href);
  g_free (entry->etag);
  g_free (entry->calendar_data);
  g_free (entry->displayname);
  g_free (entry->color);
  g_free (entry->sync_token);
  g_free (entry->ctag);
  g_free (entry->principal);
  g_free (entry->home_set);
  g_free (entry);
}

void
caldav_multistatus_free (CaldavMultistatus *multistatus)
{
  if (multistatus == NULL)
    return;

  g_clear_pointer (&multistatus->entries, g_ptr_array_unref);
  g_free (multistatus->sync_token);
  g_free (multistatus);
}

GError *
caldav_malformed_error (void)
{
  return g_error_new_literal (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                              _("The CalDAV server sent an answer CalSync could not read. Your events were left as they were."));
}

static Elem
elem_of (xmlTextReaderPtr reader)
{
  const char *ns = (const char *) xmlTextReaderConstNamespaceUri (reader);
  const char *name = (const char *) xmlTextReaderConstLocalName (reader);

  if (ns == NULL || name == NULL)
    return E_OTHER;

  for (guint i = 0; i < G_N_ELEMENTS (known_elements); i++)
    if (strcmp (known_elements[i].name, name) == 0 && strcmp (known_elements[i].ns, ns) == 0)
      return known_elements[i].elem;

  return E_OTHER;
}

static Elem
parent (Reader *r,
        guint   up)
{
  return r->depth > up ? r->stack[r->depth - 1 - up] : E_OTHER;
}

/* "HTTP/1.1 404 Not Found" → 404 */
static guint
parse_status_line (const char *line)
{
  const char *space = line != NULL ? strchr (line, ' ') : NULL;
  char digits[4] = { 0 };
  guint64 code = 0;

  if (space == NULL)
    return 0;

  strncpy (digits, space + 1, 3);
  if (!g_ascii_string_to_unsigned (digits, 10, 100, 599, &code, NULL))
    return 0;

  return (guint) code;
}

static char *
resolve (Reader     *r,
         const char *href)
{
  g_autofree char *trimmed = g_strstrip (g_strdup (href));
  const char *rest = trimmed;
  const char *c = trimmed;

  if (*trimmed == '\0')
    return NULL;

  /* An absolute href (RFC 3986 scheme ":") must have an authority ("//host");
   * "//" anywhere else ("/..//x", "//host/x", "https:o/..//x") is no href of
   * this server's: GLib's resolver asserts on some of them
   * (g_uri_join_internal), so such an entry is skipped (found by fuzz-caldav) */
  if (g_ascii_isalpha (*c))
    {
      while (g_ascii_isalnum (*c) || *c == '+' || *c == '-' || *c == '.')
        c++;
      if (*c == ':')
        {
          if (!g_str_has_prefix (c + 1, "//"))
            return NULL;
          rest = c + 3;
        }
    }
  if (strstr (rest, "//") != NULL)
    return NULL;

  return g_uri_resolve_relative (r->base_uri, trimmed, G_URI_FLAGS_ENCODED, NULL);
}

/* Which elements' text is kept, and up to how much */
static gsize
text_limit_for (Reader *r,
                Elem    elem)
{
  switch (elem)
    {
    case E_CALENDAR_DATA:
      return CALDAV_MAX_CALENDAR_DATA;
    case E_HREF:
    case E_STATUS:
    case E_GETETAG:
    case E_DISPLAYNAME:
    case E_SYNC_TOKEN:
    case E_GETCTAG:
    case E_COLOR:
      return CALDAV_MAX_FIELD;
    default:
      return 0;
    }
}

static void
start_element (Reader *r,
               Elem    elem)
{
  switch (elem)
    {
    case E_RESPONSE:
      if (r->entry == NULL && parent (r, 0) == E_MULTISTATUS)
        r->entry = g_new0 (CaldavEntry, 1);
      break;
    case E_PROPSTAT:
      if (r->entry != NULL && r->props == NULL)
        {
          r->props = g_new0 (CaldavEntry, 1);
          r->propstat_status = 0;
        }
      break;
    default:
      break;
    }

  g_string_truncate (r->text, 0);
  r->text_overflow = FALSE;
  r->text_limit = text_limit_for (r, elem);
}

/* An empty element, or the end of one without text of interest */
static void
mark_flag (Reader *r,
           Elem    elem)
{
  CaldavEntry *props = r->props;

  if (elem == E_VALID_SYNC_TOKEN && parent (r, 0) == E_ERROR)
    r->result->valid_sync_token = TRUE;

  if (props == NULL)
    return;

  switch (elem)
    {
    case E_COLLECTION:
      props->is_collection |= parent (r, 0) == E_RESOURCETYPE;
      break;
    case E_CALENDAR:
      props->is_calendar |= parent (r, 0) == E_RESOURCETYPE;
      break;
    case E_WRITE:
    case E_WRITE_CONTENT:
    case E_ALL:
      props->can_write |= parent (r, 0) == E_PRIVILEGE && parent (r, 1) == E_PRIVILEGE_SET;
      break;
    case E_PRIVILEGE_SET:
      props->has_privileges = TRUE;
      break;
    case E_COMP_SET:
      props->has_comp_set = TRUE;
      break;
    case E_REPORT_SET:
      props->has_report_set = TRUE;
      break;
    case E_SYNC_COLLECTION:
      props->supports_sync |= parent (r, 1) == E_REPORT_SET || parent (r, 2) == E_REPORT_SET;
      break;
    case E_COMP:
      if (parent (r, 0) == E_COMP_SET)
        {
          g_autofree char *name = (char *) xmlTextReaderGetAttribute (r->reader, (const xmlChar *) "name");

          props->supports_vevent |= name != NULL && g_ascii_strcasecmp (name, "VEVENT") == 0;
        }
      break;
    default:
      break;
    }
}

static void
set_once (char       **field,
          const char  *value)
{
  if (*field == NULL)
    *field = g_strdup (value);
}

/* The text of @elem has been read whole */
static void
take_text (Reader *r,
           Elem    elem)
{
  const char *text = r->text->str;
  CaldavEntry *props = r->props;

  switch (elem)
    {
    case E_HREF:
      if (parent (r, 0) == E_RESPONSE && r->entry != NULL && r->entry->href == NULL)
        r->entry->href = resolve (r, text);
      else if (props != NULL && parent (r, 0) == E_PRINCIPAL_URL && props->principal == NULL)
        props->principal = resolve (r, text);
      else if (props != NULL && parent (r, 0) == E_HOME_SET && props->home_set == NULL)
        props->home_set = resolve (r, text);
      break;
    case E_STATUS:
      if (parent (r, 0) == E_PROPSTAT)
        r->propstat_status = parse_status_line (text);
      else if (parent (r, 0) == E_RESPONSE && r->entry != NULL)
        {
          r->entry->status = parse_status_line (text);
          /* RFC 6578: a 507 on the collection itself means the answer was truncated */
          if (r->entry->status == 507)
            r->result->truncated = TRUE;
        }
      break;
    case E_SYNC_TOKEN:
      if (parent (r, 0) == E_MULTISTATUS)
        set_once (&r->result->sync_token, g_strstrip (r->text->str));
      else if (props != NULL && parent (r, 0) == E_PROP)
        set_once (&props->sync_token, g_strstrip (r->text->str));
      break;
    default:
      if (props == NULL || parent (r, 0) != E_PROP)
        break;
      if (elem == E_GETETAG)
        set_once (&props->etag, g_strstrip (r->text->str));
      else if (elem == E_DISPLAYNAME)
        set_once (&props->displayname, text);
      else if (elem == E_GETCTAG)
        set_once (&props->ctag, g_strstrip (r->text->str));
      else if (elem == E_COLOR)
        set_once (&props->color, g_strstrip (r->text->str));
      else if (elem == E_CALENDAR_DATA && r->text_overflow)
        props->data_too_large = TRUE;
      else if (elem == E_CALENDAR_DATA)
        set_once (&props->calendar_data, text);
      break;
    }
}

#define TAKE(field) if (from->field != NULL && to->field == NULL) to->field = g_steal_pointer (&from->field)

static void
merge_props (CaldavEntry *to,
             CaldavEntry *from)
{
  TAKE (etag);
  TAKE (calendar_data);
  TAKE (displayname);
  TAKE (color);
  TAKE (sync_token);
  TAKE (ctag);
  TAKE (principal);
  TAKE (home_set);
  to->is_collection |= from->is_collection;
  to->is_calendar |= from->is_calendar;
  to->has_comp_set |= from->has_comp_set;
  to->supports_vevent |= from->supports_vevent;
  to->has_privileges |= from->has_privileges;
  to->can_write |= from->can_write;
  to->has_report_set |= from->has_report_set;
  to->supports_sync |= from->supports_sync;
  to->data_too_large |= from->data_too_large;
}

#undef TAKE

static void
end_element (Reader *r,
             Elem    elem)
{
  if (r->text_limit > 0)
    take_text (r, elem);
  else
    mark_flag (r, elem);

  r->text_limit = 0;
  g_string_truncate (r->text, 0);

  if (elem == E_PROPSTAT && r->props != NULL && parent (r, 0) == E_RESPONSE)
    {
      /* A propstat without status is taken as found (lenient servers) */
      if (r->entry != NULL && (r->propstat_status == 0 || (r->propstat_status >= 200 && r->propstat_status < 300)))
        merge_props (r->entry, r->props);
      g_clear_pointer (&r->props, caldav_entry_free);
    }
  else if (elem == E_RESPONSE && r->entry != NULL && parent (r, 0) == E_MULTISTATUS)
    {
      g_clear_pointer (&r->props, caldav_entry_free);
      if (r->entry->href == NULL || r->result->entries->len >= CALDAV_MAX_RESPONSES)
        g_clear_pointer (&r->entry, caldav_entry_free);
      else
        g_ptr_array_add (r->result->entries, g_steal_pointer (&r->entry));
    }
}

static void
append_text (Reader *r)
{
  const char *value = (const char *) xmlTextReaderConstValue (r->reader);
  gsize length = value != NULL ? strlen (value) : 0;

  if (r->text_limit == 0 || r->text_overflow)
    return;

  if (r->text->len + length > r->text_limit)
    {
      r->text_overflow = TRUE;
      g_string_truncate (r->text, 0);
      return;
    }

  g_string_append_len (r->text, value, length);
}

/* One node; FALSE when the document is beyond the bounds */
static gboolean
read_node (Reader *r)
{
  int type = xmlTextReaderNodeType (r->reader);

  switch (type)
    {
    case XML_READER_TYPE_ELEMENT:
      {
        Elem elem = elem_of (r->reader);
        gboolean empty = xmlTextReaderIsEmptyElement (r->reader);

        if (r->depth >= CALDAV_MAX_XML_DEPTH)
          return FALSE;
        start_element (r, elem);
        if (empty)
          end_element (r, elem);
        else
          r->stack[r->depth++] = elem;
      }
      break;
    case XML_READER_TYPE_END_ELEMENT:
      if (r->depth == 0)
        return FALSE;
      r->depth--;
      end_element (r, r->stack[r->depth]);
      break;
    case XML_READER_TYPE_TEXT:
    case XML_READER_TYPE_CDATA:
    case XML_READER_TYPE_WHITESPACE:
    case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
      append_text (r);
      break;
    default:
      break;
    }

  return TRUE;
}

static void
ignore_errors (void                    *arg,
               const char              *msg,
               xmlParserSeverities      severity,
               xmlTextReaderLocatorPtr  locator)
{
  /* Reported as one "could not read" error, never printed */
}

/**
 * caldav_parse_multistatus:
 * @base_uri: the URL that answered: hrefs are resolved against it
 *
 * Returns: (transfer full): the entries with an href, or %NULL with a
 *   %CALSYNC_HTTP_ERROR_MALFORMED error
 */
CaldavMultistatus *
caldav_parse_multistatus (const char  *data,
                          gsize        length,
                          const char  *base_uri,
                          GError     **error)
{
  g_autoptr(CaldavMultistatus) result = g_new0 (CaldavMultistatus, 1);
  Reader r = { 0 };
  int rc = 1;

  g_return_val_if_fail (base_uri != NULL, NULL);

  result->entries = g_ptr_array_new_with_free_func ((GDestroyNotify) caldav_entry_free);
  if (length > G_MAXINT)
    {
      g_propagate_error (error, caldav_malformed_error ());
      return NULL;
    }

  /* No XML_PARSE_NOENT, no DTD loading: entities are not expanded, nothing is fetched */
  r.reader = xmlReaderForMemory (data, (int) length, base_uri, NULL,
                                 XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOCDATA);
  if (r.reader == NULL)
    {
      g_propagate_error (error, caldav_malformed_error ());
      return NULL;
    }

  xmlTextReaderSetErrorHandler (r.reader, ignore_errors, NULL);
  r.base_uri = base_uri;
  r.result = result;
  r.text = g_string_new (NULL);

  while ((rc = xmlTextReaderRead (r.reader)) == 1)
    if (!read_node (&r))
      {
        rc = -1;
        break;
      }

  xmlFreeTextReader (r.reader);
  g_string_free (r.text, TRUE);
  g_clear_pointer (&r.entry, caldav_entry_free);
  g_clear_pointer (&r.props, caldav_entry_free);

  if (rc != 0)
    {
      g_propagate_error (error, caldav_malformed_error ());
      return NULL;
    }

  return g_steal_pointer (&result);
}

/* Small helpers ------------------------------------------------------------------ */

char *
caldav_normalize_color (const char *color)
{
  gsize length = color != NULL ? strlen (color) : 0;

  if ((length != 7 && length != 9) || color[0] != '#')
    return NULL;

  for (gsize i = 1; i < length; i++)
    if (!g_ascii_isxdigit (color[i]))
      return NULL;

  return g_ascii_strdown (color, 7);
}

gboolean
caldav_same_collection (const char *a,
                        const char *b)
{
  gsize la, lb;

  if (a == NULL || b == NULL)
    return FALSE;

  la = strlen (a);
  lb = strlen (b);
  while (la > 0 && a[la - 1] == '/')
    la--;
  while (lb > 0 && b[lb - 1] == '/')
    lb--;

  return la == lb && strncmp (a, b, la) == 0;
}

char *
caldav_href_for_body (const char *url)
{
  g_autoptr(GUri) uri = g_uri_parse (url, G_URI_FLAGS_ENCODED, NULL);
  const char *path = uri != NULL ? g_uri_get_path (uri) : url;

  return g_markup_escape_text (path, -1);
}
