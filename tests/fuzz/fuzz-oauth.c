/* SPDX-License-Identifier: GPL-3.0-or-later */
/* fuzz-oauth.c: libFuzzer target for the OAuth token readers — the token
 * endpoint's answer (RFC 6749 §5.1, parsed as the HTTP layer parses JSON) and
 * the keyring's JSON (calsync_tokens_from_json), with a round trip of what
 * was read through calsync_tokens_to_json(). */
#include "config.h"

#include <stdint.h>
#include <string.h>

#include "calsync-oauth-private.h"
#include "calsync-fuzz.h"

static void
round_trip (const CalsyncTokens *tokens)
{
  g_autofree char *json = NULL;
  g_autoptr(CalsyncTokens) back = NULL;

  if (tokens->refresh_token == NULL)
    return;

  json = calsync_tokens_to_json (tokens);
  back = calsync_tokens_from_json (json, NULL);
  g_assert (back != NULL);
  g_assert (g_strcmp0 (back->access_token, tokens->access_token) == 0);
  g_assert (g_strcmp0 (back->refresh_token, tokens->refresh_token) == 0);
  g_assert (back->expires_at == tokens->expires_at);
}

/* What the credentials do with tokens read: is a refresh due? */
static void
check_expiry (const CalsyncTokens *tokens)
{
  gint64 now = g_get_real_time () / G_USEC_PER_SEC;

  if (tokens->access_token == NULL)
    g_assert (calsync_tokens_expire_soon (tokens, now, 300));
  else
    g_assert (calsync_tokens_expire_soon (tokens, now, 300) == (tokens->expires_at <= now + 300));
}

int
LLVMFuzzerTestOneInput (const uint8_t *data,
                        size_t         size)
{
  g_autoptr(JsonParser) parser = json_parser_new_immutable ();
  g_autoptr(CalsyncTokens) answer = NULL;
  g_autoptr(CalsyncTokens) stored = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *text = g_strndup ((const char *) data, size);

  calsync_fuzz_init ();

  /* The token endpoint, as calsync-http.c reads a JSON body */
  if (calsync_http_json_depth_ok ((const char *) data, size, CALSYNC_HTTP_MAX_JSON_DEPTH) &&
      json_parser_load_from_data (parser, (const char *) data, (gssize) size, NULL) &&
      json_parser_get_root (parser) != NULL)
    {
      answer = calsync_oauth_tokens_from_response (json_parser_get_root (parser), "old-refresh-token", &error);
      g_assert ((answer == NULL) == (error != NULL));
      g_clear_error (&error);
      if (answer != NULL)
        {
          g_assert (answer->access_token != NULL && answer->refresh_token != NULL);
          check_expiry (answer);
          round_trip (answer);
        }
    }

  /* The keyring's JSON (a NUL-terminated secret) */
  stored = calsync_tokens_from_json (text, &error);
  g_assert ((stored == NULL) == (error != NULL));
  if (stored != NULL)
    {
      check_expiry (stored);
      round_trip (stored);
    }

  return 0;
}
