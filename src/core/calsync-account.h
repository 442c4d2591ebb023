/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account.h: a connected provider account (Google, Outlook, CalDAV or local). */
#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

#define CALSYNC_TYPE_ACCOUNT (calsync_account_get_type ())
G_DECLARE_FINAL_TYPE (CalsyncAccount, calsync_account, CALSYNC, ACCOUNT, GObject)

CalsyncAccount *calsync_account_new                 (void);

gint64          calsync_account_get_id              (CalsyncAccount *self);
void            calsync_account_set_id              (CalsyncAccount *self, gint64 id);
/* "google", "outlook", "caldav" or "local" */
const char     *calsync_account_get_provider        (CalsyncAccount *self);
void            calsync_account_set_provider        (CalsyncAccount *self, const char *provider);
const char     *calsync_account_get_email           (CalsyncAccount *self);
void            calsync_account_set_email           (CalsyncAccount *self, const char *email);
/* CalDAV server URL, or NULL */
const char     *calsync_account_get_server_url      (CalsyncAccount *self);
void            calsync_account_set_server_url      (CalsyncAccount *self, const char *url);
/* CalDAV: plain http to a server off this computer was allowed by the person */
gboolean        calsync_account_get_allow_insecure  (CalsyncAccount *self);
void            calsync_account_set_allow_insecure  (CalsyncAccount *self, gboolean allow);
/* Signed in with a scope that only reads (Google accounts from before two-way
 * sync, or a person who unticked "edit events" at consent): calendars stay
 * read-only and changes made before wait until "Reconnect to allow changes" */
gboolean        calsync_account_get_read_only       (CalsyncAccount *self);
void            calsync_account_set_read_only       (CalsyncAccount *self, gboolean read_only);
gboolean        calsync_account_get_needs_reconnect (CalsyncAccount *self);
void            calsync_account_set_needs_reconnect (CalsyncAccount *self, gboolean needs);
/* Last human-readable error, or NULL */
const char     *calsync_account_get_last_error      (CalsyncAccount *self);
void            calsync_account_set_last_error      (CalsyncAccount *self, const char *error);

G_END_DECLS
