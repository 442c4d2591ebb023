/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-radicale.h: a real CalDAV server for tests — Radicale on 127.0.0.1 on
 * a free port, with its own storage and a plain htpasswd, that never outlives
 * the test (killed by PID when stopped, on the test's death and by timeout(1)),
 * and plain HTTP requests to it as "another client" would make them. */
#pragma once

#include <libsoup/soup.h>

G_BEGIN_DECLS

#define CALSYNC_RADICALE_USER     "alice"
#define CALSYNC_RADICALE_PASSWORD "secret"

typedef struct _CalsyncRadicale CalsyncRadicale;

/* Whether the Radicale found by meson (RADICALE_PATH) can run */
gboolean         calsync_radicale_available   (void);
/* Starts Radicale with its config and storage under @dir; returns when it
 * answers. Users: alice:secret (and @extra_users lines "name:password\n"). */
CalsyncRadicale *calsync_radicale_start       (const char       *dir,
                                               guint             lifetime_s);
/* Stops it (SIGTERM, waits); the storage stays for a restart */
void             calsync_radicale_stop        (CalsyncRadicale  *self);
/* Starts it again on the same port and storage (after seeding files) */
void             calsync_radicale_restart     (CalsyncRadicale  *self);
void             calsync_radicale_free        (CalsyncRadicale  *self);
/* "http://127.0.0.1:PORT/" */
const char      *calsync_radicale_get_url     (CalsyncRadicale  *self);
/* The folder of alice's collection @name in Radicale's storage (to seed .ics
 * files while it is stopped) */
char            *calsync_radicale_collection_dir (CalsyncRadicale *self,
                                                  const char      *name);
/* One request as alice; @path is absolute ("/alice/work/x.ics") or a full URL.
 * @headers: NULL-terminated name, value pairs, or NULL. Returns the status;
 * the body in *@body and the response headers in *@response_headers if asked. */
guint            calsync_radicale_request     (CalsyncRadicale     *self,
                                               const char          *method,
                                               const char          *path,
                                               const char          *content_type,
                                               const char          *request_body,
                                               const char * const  *headers,
                                               char               **body,
                                               SoupMessageHeaders **response_headers);
/* The same as @user (added with calsync_radicale_add_user()) */
guint            calsync_radicale_request_as  (CalsyncRadicale     *self,
                                               const char          *user,
                                               const char          *password,
                                               const char          *method,
                                               const char          *path,
                                               const char          *content_type,
                                               const char          *request_body,
                                               const char * const  *headers,
                                               char               **body,
                                               SoupMessageHeaders **response_headers);
/* Another user in the htpasswd, usable at once */
void             calsync_radicale_add_user    (CalsyncRadicale  *self,
                                               const char       *user,
                                               const char       *password);
/* MKCALENDAR /alice/@name/ with a displayname (asserts 201) */
void             calsync_radicale_mkcalendar  (CalsyncRadicale  *self,
                                               const char       *name,
                                               const char       *displayname);
/* PUT /alice/@collection/@resource (asserts 201 or 204); returns the ETag */
char            *calsync_radicale_put         (CalsyncRadicale  *self,
                                               const char       *collection,
                                               const char       *resource,
                                               const char       *ics);
void             calsync_radicale_dump_log    (CalsyncRadicale  *self);
/* What another client would read: every resource of alice's collection
 * @collection, from one calendar-query REPORT (href → iCalendar text) */
GHashTable      *calsync_radicale_list_resources (CalsyncRadicale *self,
                                                  const char      *collection);
/* The ETag of every resource of alice's collection @collection, from one
 * Depth 1 PROPFIND (href → ETag) */
GHashTable      *calsync_radicale_list_etags  (CalsyncRadicale *self,
                                               const char      *collection);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (CalsyncRadicale, calsync_radicale_free)

G_END_DECLS
