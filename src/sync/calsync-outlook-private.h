/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-outlook-private.h: what the Outlook provider's files share (the
 * provider, its page reader and its errors). */
#pragma once

#include "calsync-outlook-provider.h"

G_BEGIN_DECLS

/* calsync-outlook-errors.c */
GError   *calsync_outlook_error_from_response (GError              *error,
                                               CalsyncHttpResponse *response);
gboolean  calsync_outlook_is_rate_limit       (CalsyncHttpResponse *response);
char     *calsync_outlook_error_text          (CalsyncProvider     *provider,
                                               const GError        *error);
GError   *calsync_outlook_malformed_error     (void);
GError   *calsync_outlook_foreign_link_error  (void);

G_END_DECLS
