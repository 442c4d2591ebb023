/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-oauth-private.h: the token endpoint's answer reader, for the
 * fuzzer and tests (calsync-oauth-tokens.c). */
#pragma once

#include "calsync-oauth.h"

G_BEGIN_DECLS

/* The answer of the token endpoint (RFC 6749 §5.1) as parsed JSON;
 * @old_refresh_token is kept when no new one is handed out. %NULL with
 * CALSYNC_OAUTH_ERROR_FAILED when it is not a Bearer token answer. */
CalsyncTokens *calsync_oauth_tokens_from_response (JsonNode    *json,
                                                   const char  *old_refresh_token,
                                                   GError     **error);

G_END_DECLS
