/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-oauth.h: OAuth 2.0 endpoints of a fake identity provider, strict as
 * RFC 6749 / RFC 7636 and Google's installed-app documentation describe them. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CALSYNC_TYPE_FAKE_OAUTH (calsync_fake_oauth_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncFakeOAuth, calsync_fake_oauth, CALSYNC, FAKE_OAUTH, GObject)

/* Registers "{prefix}/auth" (authorization endpoint: answers 302 to the loopback
 * redirect_uri with code and state) and "{prefix}/token" (token endpoint) on @server. */
CalsyncFakeOAuth *calsync_fake_oauth_new              (SoupServer       *server,
                                                       const char       *prefix,
                                                       const char       *client_id,
                                                       const char       *client_secret);
/* The account the next sign-in belongs to (tokens are tied to it) */
void              calsync_fake_oauth_set_user         (CalsyncFakeOAuth *self,
                                                       const char       *email);
/* Lifetime of new access tokens, seconds (default 3600) */
void              calsync_fake_oauth_set_expires_in   (CalsyncFakeOAuth *self,
                                                       int               seconds);
/* Whether refresh hands out a new refresh token (Microsoft rotates; Google does not) */
void              calsync_fake_oauth_set_rotate_refresh (CalsyncFakeOAuth *self,
                                                       gboolean          rotate);
/* Whether the person refuses consent: the authorization endpoint then redirects
 * with error=access_denied (default FALSE) */
void              calsync_fake_oauth_set_deny         (CalsyncFakeOAuth *self,
                                                       gboolean          deny);
/* Hands out tokens for @email as a finished sign-in would (for tests that start
 * signed in): an access token valid for expires_in seconds and a refresh token,
 * with the scopes CalSync asks for (calendar.events, calendar.calendarlist.readonly) */
void              calsync_fake_oauth_issue_tokens     (CalsyncFakeOAuth *self,
                                                       const char       *email,
                                                       char            **access_token,
                                                       char            **refresh_token);
/* Bearer check for the resource server: returns the user's email, or NULL */
const char       *calsync_fake_oauth_check_bearer     (CalsyncFakeOAuth *self,
                                                       const char       *authorization_header);
/* Whether the (valid) bearer token of @authorization_header was granted one of @scopes */
gboolean          calsync_fake_oauth_bearer_has_scope (CalsyncFakeOAuth   *self,
                                                       const char         *authorization_header,
                                                       const char * const *scopes);
/* Makes every access token issued so far invalid (the API then answers 401) */
void              calsync_fake_oauth_expire_access_tokens (CalsyncFakeOAuth *self);
/* Revokes the refresh tokens of @email: refresh answers 400 invalid_grant */
void              calsync_fake_oauth_revoke           (CalsyncFakeOAuth *self,
                                                       const char       *email);
/* Makes the token endpoint answer every request with @status (307 or 308, which
 * tell a client to send the same method and body again) and Location: @location,
 * e.g. a CalsyncFakeOrigin on another port. 0 ends it. Google never does this:
 * it stands for a hijacked endpoint or a hostile proxy. */
void              calsync_fake_oauth_set_token_redirect (CalsyncFakeOAuth *self,
                                                       guint             status,
                                                       const char       *location);
/* While @hold, refresh requests (grant_type=refresh_token) get no answer: they
 * wait until calsync_fake_oauth_release_refreshes(), which answers them as the
 * token endpoint would at that moment (a refresh token revoked meanwhile gets
 * invalid_grant) and stops holding. */
void              calsync_fake_oauth_set_hold_refreshes (CalsyncFakeOAuth *self,
                                                       gboolean          hold);
/* Refresh requests held right now (whose client is still connected) */
guint             calsync_fake_oauth_get_n_held_refreshes (CalsyncFakeOAuth *self);
void              calsync_fake_oauth_release_refreshes (CalsyncFakeOAuth *self);
/* Whether the last request let through carried the newest access token */
gboolean          calsync_fake_oauth_newest_access_in_use (CalsyncFakeOAuth *self);
/* Counters for assertions */
guint             calsync_fake_oauth_get_n_refreshes  (CalsyncFakeOAuth *self);
guint             calsync_fake_oauth_get_n_exchanges  (CalsyncFakeOAuth *self);
/* Every token string handed out (to assert that none leaks into output or files) */
GPtrArray        *calsync_fake_oauth_dup_issued_tokens (CalsyncFakeOAuth *self);
/* Every PKCE code verifier and client secret the token endpoint received */
GPtrArray        *calsync_fake_oauth_dup_received_secrets (CalsyncFakeOAuth *self);

G_END_DECLS
