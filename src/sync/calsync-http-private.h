/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-http-private.h: what calsync-http-request.c and calsync-http.c share. */
#pragma once

#include "calsync-http.h"

G_BEGIN_DECLS

struct _CalsyncHttpRequest
{
  gatomicrefcount ref_count;

  char *method;
  char *uri;
  char *authorization;    /* "Bearer …" or "Basic …": a secret */
  GPtrArray *headers;     /* name, value, name, value, … */
  char *content_type;
  GBytes *body;
  CalsyncHttpBody expect;
  gsize max_body;
  CalsyncHttpRateLimitFunc rate_limit_func;
  gboolean allow_insecure;
};

G_GNUC_INTERNAL SoupMessage *http_request_build   (CalsyncHttpRequest *request,
                                                   const char         *method,
                                                   const char         *uri,
                                                   gboolean            with_body,
                                                   gboolean            with_credentials);
G_GNUC_INTERNAL GError      *http_new_error       (CalsyncHttpError    code);

G_END_DECLS
