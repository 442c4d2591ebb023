/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-report-dialog.c: the last sync in full (per calendar ✓/✗, counts, errors),
 * copyable as the JSON of `calsync --sync --json`; and the toast that announces it. */
#define G_LOG_DOMAIN "calsync-report-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-gui.h"
#include "calsync-http.h"
#include "calsync-provider.h"
#include "calsync-report-dialog-private.h"
#include "calsync-date-utils.h"
#include "calsync-report-dialog.h"
#include "calsync-sync-engine.h"

/* Seconds a success toast stays; failures stay until dismissed */
#define SUCCESS_TOAST_TIMEOUT 5

struct _CalsyncReportDialog
{
  AdwWindow parent_instance;

  /* Template widgets */
  AdwToastOverlay *toast_overlay;
  GtkLabel *headline_label;
  GtkLabel *totals_label;
  GtkLabel *time_label;
  GtkListBox *results_list;

  /* Owned references */
  CalsyncSyncReport *report;
};

G_DEFINE_FINAL_TYPE (CalsyncReportDialog, calsync_report_dialog, ADW_TYPE_WINDOW)

/* Texts ----------------------------------------------------------------- */

static void
append_count (GString *text,
              char    *piece)
{
  if (text->len > 0)
    /* Translators: separates the counts of "15 new, 3 updated, 1 removed" */
    g_string_append (text, _(", "));
  g_string_append (text, piece);
  g_free (piece);
}


/* "15 new, 3 updated, 1 removed"; with @all also skipped and received */
static char *
format_counts (const CalsyncCalendarResult *counts,
               gboolean                     all)
{
  GString *text = g_string_new (NULL);

  if (all || counts->synced > 0)
    append_count (text, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u new", "%u new", counts->synced),
                                                  counts->synced));
  if (all || counts->updated > 0)
    append_count (text, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u updated", "%u updated", counts->updated),
                                                  counts->updated));
  if (all)
    append_count (text, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u skipped", "%u skipped", counts->skipped),
                                                  counts->skipped));
  if (all || counts->deleted > 0)
    append_count (text, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u removed", "%u removed", counts->deleted),
                                                  counts->deleted));
  if (counts->pushed > 0)
    /* Translators: changes made here that the server took */
    append_count (text, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u sent", "%u sent", counts->pushed),
                                                  counts->pushed));
  if (counts->conflicts > 0)
    append_count (text, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u conflict", "%u conflicts",
                                                      counts->conflicts),
                                         counts->conflicts));
  if (all)
    append_count (text, g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u received", "%u received", counts->total),
                                                  counts->total));

  return g_string_free (text, FALSE);
}

static gboolean
is_offline_text (const char *text)
{
  g_autoptr(GError) offline = g_error_new_literal (CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_OFFLINE, "");
  g_autofree char *offline_text = calsync_sync_error_text (offline);

  return g_strcmp0 (text, offline_text) == 0;
}

static char *
failure_title (CalsyncSyncReport *report,
               guint              n_failed)
{
  guint n = calsync_sync_report_get_n_results (report);
  gboolean offline = n_failed == n;

  for (guint i = 0; offline && i < n; i++)
    offline = is_offline_text (calsync_sync_report_get_result (report, i)->error);

  if (offline)
    return g_strdup (calsync_sync_report_get_result (report, 0)->error);

  /* Translators: "Could not sync 1 of 3 calendars"; the plural follows the second number */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Could not sync %u of %u calendar",
                                       "Could not sync %u of %u calendars", n),
                          n_failed, n);
}

static char *
success_title (CalsyncSyncReport *report)
{
  CalsyncCalendarResult totals = { 0 };
  g_autofree char *counts = NULL;
  g_autofree char *synced = NULL;
  guint n = calsync_sync_report_get_n_results (report);

  calsync_sync_report_get_totals (report, &totals);
  if (totals.synced + totals.updated + totals.deleted + totals.pushed + totals.conflicts == 0)
    return g_strdup (_("Calendars are up to date"));

  synced = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Synced %u calendar", "Synced %u calendars", n), n);
  counts = format_counts (&totals, FALSE);
  /* Translators: "Synced 2 calendars — 15 new, 3 updated, 1 removed" */
  return g_strdup_printf (_("%s — %s"), synced, counts);
}

char *
calsync_report_dialog_toast_title (CalsyncSyncReport *report,
                                   gboolean          *persistent)
{
  guint n, n_failed = 0;

  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (report), NULL);

  n = calsync_sync_report_get_n_results (report);
  for (guint i = 0; i < n; i++)
    if (!calsync_sync_report_get_result (report, i)->success)
      n_failed++;

  if (persistent != NULL)
    *persistent = n_failed > 0;

  /* "No calendars connected": the empty page already says so */
  if (n == 0)
    return NULL;

  return n_failed > 0 ? failure_title (report, n_failed) : success_title (report);
}

AdwToast *
calsync_report_dialog_new_toast (CalsyncSyncReport *report)
{
  g_autofree char *title = NULL;
  gboolean persistent = FALSE;
  AdwToast *toast;

  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (report), NULL);

  if (!(title = calsync_report_dialog_toast_title (report, &persistent)))
    return NULL;

  toast = adw_toast_new (title);
  adw_toast_set_timeout (toast, persistent ? 0 : SUCCESS_TOAST_TIMEOUT);
  adw_toast_set_button_label (toast, _("_Details"));
  adw_toast_set_action_name (toast, "app.show-sync-report");
  return toast;
}

/* The dialog ---------------------------------------------------------------- */

static GtkWidget *
result_row (const CalsyncCalendarResult *result)
{
  GtkWidget *row = adw_action_row_new ();
  GtkWidget *mark = gtk_label_new (result->success ? "✓" : "✗");
  g_autofree char *counts = format_counts (result, TRUE);
  g_autofree char *subtitle = NULL;

  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row), FALSE);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row),
                                 result->calendar_name ? result->calendar_name : "");
  subtitle = g_strdup_printf ("%s\n%s", result->email ? result->email : "",
                              result->success ? counts : result->error);
  /* The losers of conflicts and refused changes, one line each */
  for (guint i = 0; result->messages != NULL && i < result->messages->len; i++)
    {
      char *longer = g_strdup_printf ("%s\n%s", subtitle, (char *) g_ptr_array_index (result->messages, i));

      g_free (subtitle);
      subtitle = longer;
    }
  adw_action_row_set_subtitle (ADW_ACTION_ROW (row), subtitle);
  adw_action_row_set_subtitle_lines (ADW_ACTION_ROW (row), 0);

  gtk_widget_add_css_class (mark, result->success ? "success" : "error");
  gtk_widget_add_css_class (mark, "sync-mark");
  gtk_accessible_update_property (GTK_ACCESSIBLE (mark), GTK_ACCESSIBLE_PROPERTY_LABEL,
                                  result->success ? _("Synced") : _("Failed"), -1);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row), mark);
  return row;
}

/* "Finished today at 16:25", "Finished on 24 November 2026 at 4:25 PM": the
 * clock as the desktop shows it (calsync_date_format_time), the date in words */
char *
calsync_report_dialog_format_finished (gint64 usec)
{
  g_autoptr(GDateTime) local = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  g_autoptr(GDateTime) now = g_date_time_new_now_local ();
  g_autofree char *clock = NULL;
  g_autofree char *date = NULL;

  if (local == NULL)
    return g_strdup ("");

  clock = calsync_date_format_time (local);
  if (now != NULL && g_date_time_get_year (now) == g_date_time_get_year (local) &&
      g_date_time_get_day_of_year (now) == g_date_time_get_day_of_year (local))
    /* Translators: %s is a time of day, "16:25" or "4:25 PM" */
    return g_strdup_printf (_("Finished today at %s"), clock);

  /* Translators: strftime(3) format of the day a sync finished, shown as "Finished on …" */
  date = g_date_time_format (local, _("%-d %B %Y"));
  /* Translators: "Finished on 24 November 2026 at 16:25" */
  return g_strdup_printf (_("Finished on %s at %s"), date, clock);
}

static void
fill (CalsyncReportDialog *self)
{
  CalsyncCalendarResult totals = { 0 };
  g_autofree char *headline = calsync_report_dialog_toast_title (self->report, NULL);
  g_autofree char *counts = NULL;
  g_autofree char *when = calsync_report_dialog_format_finished (calsync_sync_report_get_timestamp (self->report));

  calsync_sync_report_get_totals (self->report, &totals);
  counts = format_counts (&totals, TRUE);
  gtk_label_set_text (self->headline_label, headline ? headline : _("No calendars connected"));
  gtk_label_set_text (self->totals_label, counts);
  gtk_label_set_text (self->time_label, when);

  for (guint i = 0; i < calsync_sync_report_get_n_results (self->report); i++)
    gtk_list_box_append (self->results_list, result_row (calsync_sync_report_get_result (self->report, i)));
  gtk_widget_set_visible (GTK_WIDGET (self->results_list),
                          calsync_sync_report_get_n_results (self->report) > 0);
}

static void
copy_json_action (GtkWidget  *widget,
                  const char *action_name,
                  GVariant   *parameter)
{
  CalsyncReportDialog *self = CALSYNC_REPORT_DIALOG (widget);
  g_autofree char *json = calsync_sync_report_to_json (self->report);

  gdk_clipboard_set_text (gtk_widget_get_clipboard (widget), json);
  adw_toast_overlay_add_toast (self->toast_overlay, adw_toast_new (_("Copied")));
}

static void
calsync_report_dialog_dispose (GObject *object)
{
  CalsyncReportDialog *self = (CalsyncReportDialog *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_REPORT_DIALOG);
  g_clear_object (&self->report);

  G_OBJECT_CLASS (calsync_report_dialog_parent_class)->dispose (object);
}

static void
calsync_report_dialog_class_init (CalsyncReportDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_report_dialog_dispose;

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/calsync-report-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncReportDialog, toast_overlay);
  gtk_widget_class_bind_template_child (widget_class, CalsyncReportDialog, headline_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncReportDialog, totals_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncReportDialog, time_label);
  gtk_widget_class_bind_template_child (widget_class, CalsyncReportDialog, results_list);

  gtk_widget_class_install_action (widget_class, "report.copy-json", NULL, copy_json_action);
  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);
}

static void
calsync_report_dialog_init (CalsyncReportDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
}

/**
 * calsync_report_dialog_new:
 *
 * Returns: (transfer none): a dialog showing @report (GTK owns toplevels)
 */
GtkWidget *
calsync_report_dialog_new (CalsyncSyncReport *report)
{
  CalsyncReportDialog *self;

  g_return_val_if_fail (CALSYNC_IS_SYNC_REPORT (report), NULL);

  self = g_object_new (CALSYNC_TYPE_REPORT_DIALOG, NULL);
  self->report = g_object_ref (report);
  fill (self);
  return GTK_WIDGET (self);
}

CalsyncSyncReport *
calsync_report_dialog_get_report (CalsyncReportDialog *self)
{
  g_return_val_if_fail (CALSYNC_IS_REPORT_DIALOG (self), NULL);

  return self->report;
}

GtkListBox *
calsync_report_dialog_get_list (CalsyncReportDialog *self)
{
  g_return_val_if_fail (CALSYNC_IS_REPORT_DIALOG (self), NULL);

  return self->results_list;
}
