/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-origin.h: another origin (a SoupServer on 127.0.0.1, its own
 * port) that records every request it receives — method, URI, headers, body —
 * so that a test can assert that no secret reached it, e.g. after a redirect. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

typedef struct
{
  char *method;
  char *uri;         /* path and query */
  char *headers;     /* "Name: value\n" per header */
  GBytes *body;
} CalsyncFakeRequest;

#define CALSYNC_TYPE_FAKE_ORIGIN (calsync_fake_origin_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncFakeOrigin, calsync_fake_origin, CALSYNC, FAKE_ORIGIN, GObject)

/* Listens on 127.0.0.1:<random>; answers every request 200 with a token
 * response (as an attacker hoping to be believed would) */
CalsyncFakeOrigin        *calsync_fake_origin_new          (void);
/* http://127.0.0.1:PORT@path */
char                     *calsync_fake_origin_get_url      (CalsyncFakeOrigin *self,
                                                            const char        *path);
guint                     calsync_fake_origin_get_n_requests (CalsyncFakeOrigin *self);
const CalsyncFakeRequest *calsync_fake_origin_get_request  (CalsyncFakeOrigin *self,
                                                            guint              index);
/* Whether @secret reached this origin anywhere in a request: as is, URL-encoded
 * (form bodies, queries) or inside HTTP Basic credentials */
gboolean                  calsync_fake_origin_saw          (CalsyncFakeOrigin *self,
                                                            const char        *secret);

G_END_DECLS
