/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-msid-private.h: what the files of the fake Microsoft identity
 * platform share — its grants (codes, access and refresh tokens), the scope
 * helpers and the AADSTS error answers. */
#pragma once

#include <json-glib/json-glib.h>

#include "calsync-fake-msid.h"

G_BEGIN_DECLS
typedef struct
{
  char *client_id;
  char *redirect_uri;
  char *challenge;
  char *scope;            /* granted, canonical names, space-separated */
  char *user;
  gint64 expires_at;      /* monotonic µs */
  gboolean used;
} FakeCode;

typedef struct
{
  char *user;
  char *scope;
  gint64 expires_at;      /* real time, seconds */
  gboolean valid;
} FakeAccess;

typedef enum
{
  REFRESH_VALID,
  REFRESH_ROTATED,        /* used once: valid unless revoke_rotated */
  REFRESH_REVOKED,        /* calsync_fake_msid_revoke() */
  REFRESH_EXPIRED,        /* calsync_fake_msid_expire_refresh_tokens() */
} RefreshState;

typedef struct
{
  char *user;
  char *client_id;
  char *scope;
  RefreshState state;
} FakeRefresh;

/* A refresh request waiting for calsync_fake_msid_release_refreshes() */
typedef struct
{
  SoupServerMessage *message;
  GHashTable *form;
  gulong disconnected_id;
} HeldRefresh;

struct _CalsyncFakeMsid
{
  GObject parent_instance;

  /* Owned references */
  SoupServer *server;
  char *authorize_path;
  char *token_path;
  char *client_id;
  char *user;
  GHashTable *last_authorize;   /* the last authorize request's parameters */
  GHashTable *codes;            /* code → FakeCode */
  GHashTable *access_tokens;    /* token → FakeAccess */
  GHashTable *refresh_tokens;   /* token → FakeRefresh */
  GPtrArray *issued;
  GPtrArray *received;          /* code verifiers sent to the token endpoint */
  GPtrArray *held;              /* HeldRefresh */

  int expires_in;
  gboolean revoke_rotated;
  gboolean deny;
  gboolean hold_refreshes;
  guint serial;
  guint n_refreshes;
  guint n_exchanges;
};

/* calsync-fake-msid.c */
char       *calsync_fake_msid_new_secret        (CalsyncFakeMsid   *self,
                                                 const char        *kind);
gboolean    calsync_fake_msid_is_pkce_string   (const char        *value);
char       *calsync_fake_msid_s256             (const char        *verifier);
char       *calsync_fake_msid_normalize_scopes (const char        *text,
                                                 char             **invalid);
gboolean    calsync_fake_msid_scope_list_has   (const char        *scopes,
                                                 const char        *scope);
char       *calsync_fake_msid_response_scope   (const char        *granted);
void        calsync_fake_msid_respond_json     (SoupServerMessage *message,
                                                 guint              status,
                                                 JsonBuilder       *builder);
void        calsync_fake_msid_respond_aad_error (SoupServerMessage *message,
                                                 guint              status,
                                                 const char        *error,
                                                 guint              code,
                                                 const char        *text);
gboolean    calsync_fake_msid_respond_missing  (SoupServerMessage *message,
                                                 const char        *name);
const char *calsync_fake_msid_new_access_token (CalsyncFakeMsid   *self,
                                                 const char        *user,
                                                 const char        *scope);
const char *calsync_fake_msid_new_refresh_token (CalsyncFakeMsid  *self,
                                                 const char        *user,
                                                 const char        *client_id,
                                                 const char        *scope);

/* calsync-fake-msid-token.c */
void        calsync_fake_msid_token_handler    (SoupServer        *server,
                                                 SoupServerMessage *message,
                                                 const char        *path,
                                                 GHashTable        *query,
                                                 gpointer           user_data);
void        calsync_fake_msid_grant_refresh    (CalsyncFakeMsid   *self,
                                                 SoupServerMessage *message,
                                                 GHashTable        *form);

G_END_DECLS
