/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-errors.c: Microsoft Graph's answers that are not pages —
 * its error JSON ({"error": {"code", "message", "innerError"}}) read for its
 * codes only, throttling, and texts for people in Outlook's words. Graph's
 * "message" is for developers and is never shown. */
#define G_LOG_DOMAIN "calsync-outlook-provider"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-json-scanner.h"
#include "calsync-outlook-private.h"

#define MAX_ERROR_DEPTH 8      /* innererror inside innererror … */

GError *
calsync_outlook_malformed_error (void)
{
  return g_error_new_literal (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_MALFORMED,
                              _("Outlook sent an answer CalSync could not read. Your events were left as they were."));
}

GError *
calsync_outlook_foreign_link_error (void)
{
  return g_error_new_literal (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_REDIRECT,
                              _("Outlook sent a link to another server. CalSync did not follow it; your events were left as they were."));
}

static void
read_error_codes (CalsyncJsonScanner *scanner,
                  GPtrArray          *codes,
                  guint               depth)
{
  const char *key;
  gsize length;

  if (depth > MAX_ERROR_DEPTH || !calsync_json_scanner_enter_object_or_skip (scanner))
    return;

  while (calsync_json_scanner_next_member (scanner, &key, &length))
    {
      if (calsync_json_key_is (key, length, "code"))
        {
          char *code = calsync_json_scanner_dup_string (scanner, 256);

          if (code != NULL)
            g_ptr_array_add (codes, code);
        }
      else if (calsync_json_key_is (key, length, "innererror") || calsync_json_key_is (key, length, "innerError"))
        read_error_codes (scanner, codes, depth + 1);
      else
        calsync_json_scanner_skip (scanner);
    }
}

/* The codes of Graph's error answer, {"error": {"code", "innerError": {"code"}}},
 * outermost first; read without a tree (the body is the server's) */
static GPtrArray *
graph_error_codes (CalsyncHttpResponse *response)
{
  GPtrArray *codes = g_ptr_array_new_with_free_func (g_free);
  CalsyncJsonScanner scanner;
  const char *key;
  gsize length, size = 0;
  const char *body = response && response->body ? g_bytes_get_data (response->body, &size) : NULL;

  if (body == NULL || size == 0)
    return codes;

  calsync_json_scanner_init (&scanner, body, size, CALSYNC_HTTP_MAX_JSON_DEPTH);
  if (calsync_json_scanner_enter_object (&scanner))
    {
      while (calsync_json_scanner_next_member (&scanner, &key, &length))
        if (calsync_json_key_is (key, length, "error"))
          read_error_codes (&scanner, codes, 0);
        else
          calsync_json_scanner_skip (&scanner);
    }
  calsync_json_scanner_clear (&scanner);

  return codes;
}

static gboolean
has_code (GPtrArray          *codes,
          const char * const *names)
{
  for (guint i = 0; i < codes->len; i++)
    for (guint j = 0; names[j] != NULL; j++)
      if (g_ascii_strcasecmp (g_ptr_array_index (codes, i), names[j]) == 0)
        return TRUE;

  return FALSE;
}

static const char * const cursor_gone_codes[] = {
  "syncStateNotFound", "syncStateInvalid", "resyncRequired", NULL,
};
static const char * const throttled_codes[] = {
  "activityLimitReached", "throttledRequest", "ApplicationThrottled", "TooManyRequests", NULL,
};
static const char * const denied_codes[] = {
  "ErrorAccessDenied", "accessDenied", "ErrorAccessDeniedNoPermission", "Authorization_RequestDenied", NULL,
};
static const char * const mailbox_codes[] = {
  "MailboxNotEnabledForRESTAPI", "MailboxNotSupportedForRESTAPI", "extensionError", NULL,
};
static const char * const not_found_codes[] = {
  "ErrorItemNotFound", "itemNotFound", "ResourceNotFound", NULL,
};

/* Graph's code, when it says more than the status */
static CalsyncHttpError
code_from_graph (CalsyncHttpError  code,
                 GPtrArray        *codes)
{
  if (has_code (codes, cursor_gone_codes))
    return CALSYNC_HTTP_ERROR_GONE;
  if (has_code (codes, throttled_codes))
    return CALSYNC_HTTP_ERROR_RATE_LIMITED;
  if (has_code (codes, denied_codes))
    return CALSYNC_HTTP_ERROR_FORBIDDEN;
  if (has_code (codes, not_found_codes))
    return CALSYNC_HTTP_ERROR_NOT_FOUND;

  return code;
}

static const char *
text_for_code (CalsyncHttpError code)
{
  switch (code)
    {
    case CALSYNC_HTTP_ERROR_AUTH:
      return _("Outlook did not accept the sign-in. Reconnect the account in Preferences.");
    case CALSYNC_HTTP_ERROR_FORBIDDEN:
      return _("CalSync was not allowed to read this calendar.");
    case CALSYNC_HTTP_ERROR_NOT_FOUND:
      return _("This calendar no longer exists in Outlook.");
    case CALSYNC_HTTP_ERROR_GONE:
      return _("Outlook asked for a full sync of this calendar.");
    case CALSYNC_HTTP_ERROR_RATE_LIMITED:
      return _("Outlook is limiting requests right now. Try again in a few minutes.");
    case CALSYNC_HTTP_ERROR_SERVER:
    case CALSYNC_HTTP_ERROR_TIMEOUT:
      return _("Outlook is not responding right now. Try again later.");
    case CALSYNC_HTTP_ERROR_MALFORMED:
    case CALSYNC_HTTP_ERROR_TOO_LARGE:
      return _("Outlook sent an answer CalSync could not read. Your events were left as they were.");
    case CALSYNC_HTTP_ERROR_REDIRECT:
      return _("Outlook sent CalSync to another server. CalSync did not follow; your events were left as they were.");
    case CALSYNC_HTTP_ERROR_PRECONDITION:
      return _("The event was changed in Outlook meanwhile.");
    case CALSYNC_HTTP_ERROR_OFFLINE:
    case CALSYNC_HTTP_ERROR_INSECURE:
      return NULL;
    case CALSYNC_HTTP_ERROR_BAD_REQUEST:
    case CALSYNC_HTTP_ERROR_FAILED:
    default:
      return _("Outlook refused the request. Try again later.");
    }
}

/**
 * calsync_outlook_error_from_response:
 * @error: (transfer full): the error of a Graph request
 * @response: (nullable): the answer that came with it
 *
 * Returns: (transfer full): @error in Outlook's words, from its status and
 *   Graph's error codes (syncStateNotFound and resyncRequired become
 *   %CALSYNC_HTTP_ERROR_GONE); never the server's own text
 */
GError *
calsync_outlook_error_from_response (GError              *error,
                                     CalsyncHttpResponse *response)
{
  g_autoptr(GPtrArray) codes = NULL;
  CalsyncHttpError code;
  const char *text;

  if (error->domain != CALSYNC_HTTP_ERROR)
    return error;

  codes = graph_error_codes (response);
  code = code_from_graph (error->code, codes);
  if (has_code (codes, mailbox_codes))
    text = _("This mailbox cannot be reached through Microsoft Graph (it may be on an Exchange server of your organisation).");
  else
    text = text_for_code (code);

  if (text == NULL)
    return error;

  g_debug ("Graph answered %u (%s)", response ? response->status : 0,
           codes->len > 0 ? (const char *) g_ptr_array_index (codes, 0) : "no code");
  g_error_free (error);
  return g_error_new_literal (CALSYNC_HTTP_ERROR, code, text);
}

/* 429, 503 and 504 are retried by CalsyncHttp; Graph's other throttling answers too */
gboolean
calsync_outlook_is_rate_limit (CalsyncHttpResponse *response)
{
  g_autoptr(GPtrArray) codes = NULL;

  if (response->status == 509)   /* Bandwidth Limit Exceeded */
    return TRUE;
  if (response->status < 400)
    return FALSE;

  codes = graph_error_codes (response);
  return has_code (codes, throttled_codes);
}

char *
calsync_outlook_error_text (CalsyncProvider *provider,
                            const GError    *error)
{
  if (calsync_credentials_error_needs_reconnect (error))
    return g_strdup (_("Sign-in to Outlook expired. Reconnect the account in Preferences."));
  if (g_error_matches (error, CALSYNC_SYNC_ERROR, CALSYNC_SYNC_ERROR_PAGING))
    return g_strdup (_("Outlook keeps sending more pages of this calendar. Try again later."));
  if (error->domain != CALSYNC_HTTP_ERROR || text_for_code (error->code) == NULL)
    return NULL;

  /* Graph requests' errors are worded by calsync_outlook_error_from_response();
   * the others (the sign-in server's network trouble) carry CalsyncHttp's words */
  if (error->message != NULL && *error->message != '\0')
    return g_strdup (error->message);
  return g_strdup (text_for_code (error->code));
}
