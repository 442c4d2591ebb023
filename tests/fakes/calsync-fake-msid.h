/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-msid.h: the v2.0 endpoints of a fake Microsoft identity platform
 * (authorize and token, for one public client), strict as Microsoft documents
 * them: PKCE, no client secret, scopes granted as asked, rotating refresh tokens,
 * AADSTS errors. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

/* What calsync_fake_msid_issue_tokens() grants when @scope is NULL: what CalSync asks for */
#define CALSYNC_FAKE_MSID_DEFAULT_SCOPE "offline_access User.Read Calendars.ReadWrite"

#define CALSYNC_TYPE_FAKE_MSID (calsync_fake_msid_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncFakeMsid, calsync_fake_msid, CALSYNC, FAKE_MSID, GObject)

/* Registers "{prefix}/authorize" and "{prefix}/token" on @server (prefix e.g.
 * "/common/oauth2/v2.0") for the public client @client_id. */
CalsyncFakeMsid *calsync_fake_msid_new                  (SoupServer       *server,
                                                         const char       *prefix,
                                                         const char       *client_id);
/* The account (userPrincipalName) the next sign-in belongs to */
void             calsync_fake_msid_set_user             (CalsyncFakeMsid  *self,
                                                         const char       *user);
/* Lifetime of new access tokens, seconds (default 3600; ext_expires_in is it + 600) */
void             calsync_fake_msid_set_expires_in       (CalsyncFakeMsid  *self,
                                                         int               seconds);
/* Every refresh hands out a new refresh token. Microsoft does not revoke the one
 * used ("Refresh tokens aren't revoked when used to acquire new access tokens"):
 * by default it keeps working. With @revoke, using it again answers invalid_grant
 * (AADSTS70000): the strictest a server may be (RFC 6749 §6 allows it). */
void             calsync_fake_msid_set_revoke_rotated   (CalsyncFakeMsid  *self,
                                                         gboolean          revoke);
/* Whether the person refuses consent: the authorize endpoint then redirects with
 * error=access_denied (AADSTS65004) */
void             calsync_fake_msid_set_deny             (CalsyncFakeMsid  *self,
                                                         gboolean          deny);
/* The value of @name in the last authorize request (e.g. "prompt", "login_hint"),
 * NULL when it had none or there was none */
const char      *calsync_fake_msid_get_last_authorize_param (CalsyncFakeMsid *self,
                                                         const char       *name);
/* Tokens for @user as a finished sign-in would give them (tests that start signed
 * in); @scope NULL means CALSYNC_FAKE_MSID_DEFAULT_SCOPE. No refresh token without
 * offline_access in @scope. */
void             calsync_fake_msid_issue_tokens         (CalsyncFakeMsid  *self,
                                                         const char       *user,
                                                         const char       *scope,
                                                         char            **access_token,
                                                         char            **refresh_token);
/* Bearer check for the resource server: the user of a live access token, or NULL */
const char      *calsync_fake_msid_check_bearer         (CalsyncFakeMsid  *self,
                                                         const char       *authorization_header);
/* Whether the (live) bearer token was granted one of @scopes (names as in
 * "Calendars.Read", case-insensitive, with or without https://graph.microsoft.com/) */
gboolean         calsync_fake_msid_bearer_has_scope     (CalsyncFakeMsid    *self,
                                                         const char         *authorization_header,
                                                         const char * const *scopes);
/* Makes every access token issued so far invalid (Graph then answers 401) */
void             calsync_fake_msid_expire_access_tokens (CalsyncFakeMsid  *self);
/* Revokes the grants of @user ("sign out everywhere"): refresh answers invalid_grant
 * AADSTS50173, and its access tokens stop working */
void             calsync_fake_msid_revoke               (CalsyncFakeMsid  *self,
                                                         const char       *user);
/* Every refresh token issued so far expires as after 90 days unused (AADSTS700082) */
void             calsync_fake_msid_expire_refresh_tokens (CalsyncFakeMsid *self);
/* While @hold, refresh requests get no answer until release_refreshes(), which
 * answers them as the token endpoint would then, and stops holding */
void             calsync_fake_msid_set_hold_refreshes   (CalsyncFakeMsid  *self,
                                                         gboolean          hold);
guint            calsync_fake_msid_get_n_held_refreshes (CalsyncFakeMsid  *self);
void             calsync_fake_msid_release_refreshes    (CalsyncFakeMsid  *self);
/* Counters: refresh requests (answered or refused) and codes redeemed */
guint            calsync_fake_msid_get_n_refreshes      (CalsyncFakeMsid  *self);
guint            calsync_fake_msid_get_n_exchanges      (CalsyncFakeMsid  *self);
/* Every code and token handed out (to assert that none leaks) */
GPtrArray       *calsync_fake_msid_dup_issued_tokens    (CalsyncFakeMsid  *self);
/* Every PKCE code verifier the token endpoint received */
GPtrArray       *calsync_fake_msid_dup_received_secrets (CalsyncFakeMsid  *self);

G_END_DECLS
