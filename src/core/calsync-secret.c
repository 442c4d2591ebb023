/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-secret.c: tokens and passwords wiped from memory before it is freed. */
#include "config.h"

#include <string.h>

#include "calsync-secret.h"

void
calsync_secret_wipe (gpointer data,
                     gsize    size)
{
  if (data != NULL && size > 0)
    explicit_bzero (data, size);
}

void
calsync_secret_free (char *secret)
{
  if (secret == NULL)
    return;
  calsync_secret_wipe (secret, strlen (secret));
  g_free (secret);
}

void
calsync_secret_string_free (GString *secret)
{
  if (secret == NULL)
    return;
  /* the whole allocation: what a shorter value left behind as well */
  calsync_secret_wipe (secret->str, secret->allocated_len);
  g_string_free (secret, TRUE);
}
