/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-calendar.c: one calendar of an account (the brief's "calendar connection"). */
#define G_LOG_DOMAIN "calsync-calendar"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-calendar-private.h"
#include "calsync-calendar.h"

struct _CalsyncCalendar
{
  GObject parent_instance;

  gint64 id;
  gint64 account_id;
  char *remote_id;
  char *name;
  char *color;
  gboolean is_active;
  gboolean is_primary;
  gboolean read_only;
  gint64 last_sync_at;
  char *sync_token;

  /* Filled by the store from the owning account */
  char *provider;
  char *account_email;
};

G_DEFINE_FINAL_TYPE (CalsyncCalendar, calsync_calendar, G_TYPE_OBJECT)

static void
calsync_calendar_finalize (GObject *object)
{
  CalsyncCalendar *self = (CalsyncCalendar *)object;

  g_clear_pointer (&self->remote_id, g_free);
  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->color, g_free);
  g_clear_pointer (&self->sync_token, g_free);
  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->account_email, g_free);

  G_OBJECT_CLASS (calsync_calendar_parent_class)->finalize (object);
}

static void
calsync_calendar_class_init (CalsyncCalendarClass *klass)
{
  G_OBJECT_CLASS (klass)->finalize = calsync_calendar_finalize;
}

static void
calsync_calendar_init (CalsyncCalendar *self)
{
  self->is_active = TRUE;
  self->color = g_strdup ("#3584e4");
}

/**
 * calsync_calendar_new:
 *
 * Returns: (transfer full): an active calendar in the default blue, not yet stored
 */
CalsyncCalendar *
calsync_calendar_new (void)
{
  return g_object_new (CALSYNC_TYPE_CALENDAR, NULL);
}

#define DEFINE_STRING_PROPERTY(field)                                           \
  const char *                                                                \
  calsync_calendar_get_##field (CalsyncCalendar *self)                        \
  {                                                                           \
    g_return_val_if_fail (CALSYNC_IS_CALENDAR (self), NULL);                  \
    return self->field;                                                       \
  }                                                                           \
  void                                                                        \
  calsync_calendar_set_##field (CalsyncCalendar *self, const char *value)     \
  {                                                                           \
    g_return_if_fail (CALSYNC_IS_CALENDAR (self));                            \
    if (g_strcmp0 (self->field, value) != 0)                                  \
      {                                                                       \
        g_free (self->field);                                                 \
        self->field = g_strdup (value);                                       \
      }                                                                       \
  }

#define DEFINE_SCALAR_PROPERTY(type, field)                                     \
  type                                                                        \
  calsync_calendar_get_##field (CalsyncCalendar *self)                        \
  {                                                                           \
    g_return_val_if_fail (CALSYNC_IS_CALENDAR (self), (type) 0);              \
    return self->field;                                                       \
  }                                                                           \
  void                                                                        \
  calsync_calendar_set_##field (CalsyncCalendar *self, type value)            \
  {                                                                           \
    g_return_if_fail (CALSYNC_IS_CALENDAR (self));                            \
    self->field = value;                                                      \
  }

DEFINE_STRING_PROPERTY (remote_id)
DEFINE_STRING_PROPERTY (name)
DEFINE_STRING_PROPERTY (color)
DEFINE_STRING_PROPERTY (sync_token)

DEFINE_SCALAR_PROPERTY (gint64, id)
DEFINE_SCALAR_PROPERTY (gint64, account_id)
DEFINE_SCALAR_PROPERTY (gint64, last_sync_at)

gboolean
calsync_calendar_get_is_active (CalsyncCalendar *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (self), FALSE);
  return self->is_active;
}

void
calsync_calendar_set_is_active (CalsyncCalendar *self,
                                gboolean         active)
{
  g_return_if_fail (CALSYNC_IS_CALENDAR (self));
  self->is_active = !!active;
}

gboolean
calsync_calendar_get_is_primary (CalsyncCalendar *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (self), FALSE);
  return self->is_primary;
}

void
calsync_calendar_set_is_primary (CalsyncCalendar *self,
                                 gboolean         primary)
{
  g_return_if_fail (CALSYNC_IS_CALENDAR (self));
  self->is_primary = !!primary;
}

gboolean
calsync_calendar_get_read_only (CalsyncCalendar *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (self), FALSE);
  return self->read_only;
}

void
calsync_calendar_set_read_only (CalsyncCalendar *self,
                                gboolean         read_only)
{
  g_return_if_fail (CALSYNC_IS_CALENDAR (self));
  self->read_only = !!read_only;
}

const char *
calsync_calendar_get_provider (CalsyncCalendar *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (self), NULL);
  return self->provider;
}

const char *
calsync_calendar_get_account_email (CalsyncCalendar *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALENDAR (self), NULL);
  return self->account_email;
}

void
calsync_calendar_set_account_info (CalsyncCalendar *self,
                                   const char      *provider,
                                   const char      *email)
{
  g_return_if_fail (CALSYNC_IS_CALENDAR (self));

  g_free (self->provider);
  g_free (self->account_email);
  self->provider = g_strdup (provider);
  self->account_email = g_strdup (email);
}

/**
 * calsync_calendar_personal_name:
 *
 * Returns: the name of the local calendar in the current language
 */
const char *
calsync_calendar_personal_name (void)
{
  /* Translators: the name of the calendar kept on this computer only */
  return _("Personal");
}
