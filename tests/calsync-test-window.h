/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-test-window.h: what the window tests share — the application under
 * test and its window, walking the widget tree, predicates for
 * calsync_test_wait_until(), the event editor, Preferences, and events and
 * calendars seeded into a store. Built into the GUI flavour of the test
 * helpers (CALSYNC_TEST_UTILS_GUI). */
#pragma once

#include "calsync-event-editor.h"
#include "calsync-preferences-window.h"
#include "calsync-sync-button.h"
#include "calsync-test-utils.h"

G_BEGIN_DECLS

/* The application under test (the process's default GApplication) */
CalsyncApplication *calsync_test_app        (void);
CalsyncWindow      *calsync_test_window     (void);
CalsyncStore       *calsync_test_app_store  (void);

/* Runs the test cases in a new non-unique application held in *@app
 * (calsync_test_run_in_app()), then drops it; returns their status */
int                 calsync_test_run_window_tests (CalsyncApplication **app,
                                                   CalsyncTestHook      before,
                                                   CalsyncTestHook      after);

/* The widget tree */
typedef gboolean (*CalsyncTestMatch) (GtkWidget     *widget,
                                      gconstpointer  data);

GtkWidget *calsync_test_find_descendant    (GtkWidget             *root,
                                            CalsyncTestMatch       match,
                                            gconstpointer          data);
gboolean   calsync_test_is_event_titled    (GtkWidget             *widget,
                                            gconstpointer          title);
gboolean   calsync_test_is_label_with_text (GtkWidget             *widget,
                                            gconstpointer          text);
gboolean   calsync_test_is_button_labelled (GtkWidget             *widget,
                                            gconstpointer          text);
gboolean   calsync_test_shows_label        (GtkWidget             *widget,
                                            const char            *text);
gboolean   calsync_test_has_binding        (GtkWidget             *widget,
                                            const char            *accelerator,
                                            const char            *action);

/* Chips of the month view and blocks of the week view, by title */
GtkWidget *calsync_test_find_chip          (const char            *title);
GtkWidget *calsync_test_find_block         (const char            *title);
GtkWidget *calsync_test_open_popover       (const char            *title);
GtkWidget *calsync_test_popover_child      (GtkWidget             *popover,
                                            const char            *id);

/* Predicates for calsync_test_wait_until() */
gboolean   calsync_test_chip_shown         (gpointer               title);
gboolean   calsync_test_chip_gone          (gpointer               title);
gboolean   calsync_test_mapped             (gpointer               widget);
gboolean   calsync_test_unmapped           (gpointer               widget);
gboolean   calsync_test_week_has_events    (gpointer               week_view);

/* Parts of the window */
GtkWidget         *calsync_test_toast_overlay  (void);
CalsyncSyncButton *calsync_test_sync_button    (void);
gboolean           calsync_test_wait_sync_toast (void);

/* Syncs */
void               calsync_test_count_syncs    (void);
guint              calsync_test_n_syncs        (void);
gboolean           calsync_test_syncs_reached  (gpointer n);

/* The event editor */
CalsyncEventEditor *calsync_test_find_editor   (void);
gboolean            calsync_test_editor_open   (gpointer           data);
gboolean            calsync_test_editor_closed (gpointer           data);
GtkWidget          *calsync_test_editor_child  (CalsyncEventEditor *editor,
                                                const char         *id);
CalsyncEventEditor *calsync_test_new_event_editor  (guint           timeout_ms);
CalsyncEventEditor *calsync_test_edit_event_editor (gint64          event_id,
                                                    guint           timeout_ms);
void                calsync_test_save_editor   (CalsyncEventEditor *editor,
                                                guint               timeout_ms);

/* Preferences and accounts */
CalsyncPreferencesWindow *calsync_test_open_preferences  (void);
void                      calsync_test_close_preferences (void);
gboolean                  calsync_test_add_account_dialog_gone (gpointer data);
gint64                    calsync_test_account_id_of     (const char *provider);
void                      calsync_test_delete_all_secrets (void);
void                      calsync_test_soup_opener       (GtkWindow  *parent,
                                                          const char *uri);

/* Events in a store (calendars: calsync_test_store_add_calendar_full()) */
CalsyncEvent       *calsync_test_event_at     (const char        *external_id,
                                               const char        *title,
                                               const char        *start_iso,
                                               int                minutes,
                                               const char        *zone);
void                calsync_test_store_apply  (CalsyncStore      *store,
                                               gint64             calendar_id,
                                               GPtrArray         *events,
                                               CalsyncApplyStats *stats);
CalsyncApplyOutcome calsync_test_store_apply_one (CalsyncStore   *store,
                                                  gint64          calendar_id,
                                                  CalsyncEvent   *event);

G_END_DECLS
