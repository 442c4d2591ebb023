/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-setup-private.h: storing an account and its calendars after a
 * sign-in — shared by the OAuth setup and the CalDAV one. */
#pragma once

#include "calsync-store.h"

G_BEGIN_DECLS

/* What a known calendar takes from the provider's copy besides name and colour */
typedef void (*CalsyncCalendarRefreshFunc) (CalsyncCalendar *known,
                                            CalsyncCalendar *remote);

gboolean calsync_account_setup_store_account   (CalsyncStore                *store,
                                                CalsyncAccount              *account,
                                                gboolean                     is_new,
                                                const char                  *provider,
                                                const char                  *email,
                                                GError                     **error);
gboolean calsync_account_setup_store_calendars (CalsyncStore                *store,
                                                CalsyncAccount              *account,
                                                GPtrArray                   *calendars,
                                                CalsyncCalendarRefreshFunc   refresh,
                                                GError                     **error);

G_END_DECLS
