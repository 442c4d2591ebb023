/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account.c: a connected provider account (Google, Outlook, CalDAV or local). */
#define G_LOG_DOMAIN "calsync-account"

#include "config.h"

#include "calsync-account.h"

struct _CalsyncAccount
{
  GObject parent_instance;

  gint64 id;
  char *provider;
  char *email;
  char *server_url;
  gboolean needs_reconnect;
  gboolean allow_insecure;
  gboolean read_only;
  char *last_error;
};

G_DEFINE_FINAL_TYPE (CalsyncAccount, calsync_account, G_TYPE_OBJECT)

static void
calsync_account_finalize (GObject *object)
{
  CalsyncAccount *self = (CalsyncAccount *)object;

  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->email, g_free);
  g_clear_pointer (&self->server_url, g_free);
  g_clear_pointer (&self->last_error, g_free);

  G_OBJECT_CLASS (calsync_account_parent_class)->finalize (object);
}

static void
calsync_account_class_init (CalsyncAccountClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_account_finalize;
}

static void
calsync_account_init (CalsyncAccount *self)
{
}

/**
 * calsync_account_new:
 *
 * Returns: (transfer full): an empty account, not yet stored
 */
CalsyncAccount *
calsync_account_new (void)
{
  return g_object_new (CALSYNC_TYPE_ACCOUNT, NULL);
}

#define DEFINE_STRING_PROPERTY(field)                                           \
  const char *                                                                \
  calsync_account_get_##field (CalsyncAccount *self)                          \
  {                                                                           \
    g_return_val_if_fail (CALSYNC_IS_ACCOUNT (self), NULL);                   \
    return self->field;                                                       \
  }                                                                           \
  void                                                                        \
  calsync_account_set_##field (CalsyncAccount *self, const char *value)       \
  {                                                                           \
    g_return_if_fail (CALSYNC_IS_ACCOUNT (self));                             \
    if (g_strcmp0 (self->field, value) != 0)                                  \
      {                                                                       \
        g_free (self->field);                                                 \
        self->field = g_strdup (value);                                       \
      }                                                                       \
  }

#define DEFINE_SCALAR_PROPERTY(type, field)                                     \
  type                                                                        \
  calsync_account_get_##field (CalsyncAccount *self)                          \
  {                                                                           \
    g_return_val_if_fail (CALSYNC_IS_ACCOUNT (self), (type) 0);               \
    return self->field;                                                       \
  }                                                                           \
  void                                                                        \
  calsync_account_set_##field (CalsyncAccount *self, type value)              \
  {                                                                           \
    g_return_if_fail (CALSYNC_IS_ACCOUNT (self));                             \
    self->field = value;                                                      \
  }

DEFINE_STRING_PROPERTY (provider)
DEFINE_STRING_PROPERTY (email)
DEFINE_STRING_PROPERTY (server_url)
DEFINE_STRING_PROPERTY (last_error)

DEFINE_SCALAR_PROPERTY (gint64, id)

gboolean
calsync_account_get_read_only (CalsyncAccount *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (self), FALSE);
  return self->read_only;
}

void
calsync_account_set_read_only (CalsyncAccount *self,
                               gboolean        read_only)
{
  g_return_if_fail (CALSYNC_IS_ACCOUNT (self));
  self->read_only = !!read_only;
}

gboolean
calsync_account_get_allow_insecure (CalsyncAccount *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (self), FALSE);
  return self->allow_insecure;
}

void
calsync_account_set_allow_insecure (CalsyncAccount *self,
                                    gboolean        allow)
{
  g_return_if_fail (CALSYNC_IS_ACCOUNT (self));
  self->allow_insecure = !!allow;
}

gboolean
calsync_account_get_needs_reconnect (CalsyncAccount *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT (self), FALSE);
  return self->needs_reconnect;
}

void
calsync_account_set_needs_reconnect (CalsyncAccount *self,
                                     gboolean        needs)
{
  g_return_if_fail (CALSYNC_IS_ACCOUNT (self));
  self->needs_reconnect = !!needs;
}
