/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-report-dialog.c: the sync report dialog sizes to its content in German
 * (the longest of our languages): the heading on one line, both buttons whole
 * inside the window. Runs under de_DE.UTF-8 with the build's translations
 * (CALSYNC_TEST_LOCALEDIR); skipped without that locale or a display, unless
 * CALSYNC_TEST_NO_SKIP=1. CALSYNC_SCREENSHOT_DIR: report-de.png is saved there. */
#include "config.h"

#include <locale.h>

#include <adwaita.h>
#include <glib/gi18n.h>

#include "calsync-report-dialog-private.h"
#include "calsync-report-dialog.h"
#include "calsync-sync-report.h"
#include "calsync-test-utils.h"

static CalsyncCalendarResult *
make_result (const char *name,
             const char *error)
{
  CalsyncCalendarResult *result = g_new0 (CalsyncCalendarResult, 1);

  result->connection_id = g_strdup (name);
  result->provider = g_strdup ("google");
  result->email = g_strdup ("alex.mustermann@example.com");
  result->calendar_name = g_strdup (name);
  result->success = error == NULL;
  result->error = g_strdup (error);
  result->synced = error == NULL ? 12 : 0;
  result->updated = error == NULL ? 3 : 0;
  result->total = result->synced + result->updated;
  return result;
}

static void
collect (GtkWidget *widget,
         GType      type,
         GPtrArray *found)
{
  if (G_TYPE_CHECK_INSTANCE_TYPE (widget, type))
    g_ptr_array_add (found, widget);
  for (GtkWidget *child = gtk_widget_get_first_child (widget); child != NULL;
       child = gtk_widget_get_next_sibling (child))
    collect (child, type, found);
}

static gboolean
mapped (gpointer data)
{
  return gtk_widget_get_mapped (data) && gtk_widget_get_width (data) > 0;
}

/* @widget lies whole inside @window, and inside every scrolled window around it */
static void
assert_whole (GtkWidget *widget,
              GtkWidget *window)
{
  graphene_rect_t bounds;

  g_assert_true (gtk_widget_compute_bounds (widget, window, &bounds));
  g_assert_cmpfloat (bounds.origin.x, >=, 0);
  g_assert_cmpfloat (bounds.origin.y, >=, 0);
  g_assert_cmpfloat (bounds.origin.x + bounds.size.width, <=, gtk_widget_get_width (window));
  g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (window));

  for (GtkWidget *up = gtk_widget_get_parent (widget); up != NULL && up != window; up = gtk_widget_get_parent (up))
    if (GTK_IS_SCROLLED_WINDOW (up))
      {
        g_assert_true (gtk_widget_compute_bounds (widget, up, &bounds));
        g_assert_cmpfloat (bounds.origin.y, >=, 0);
        g_assert_cmpfloat (bounds.origin.y + bounds.size.height, <=, gtk_widget_get_height (up));
      }
}

static void
test_german_layout (void)
{
  g_autoptr(CalsyncSyncReport) report = calsync_sync_report_new ();
  g_autoptr(GPtrArray) labels = g_ptr_array_new ();
  g_autoptr(GPtrArray) buttons = g_ptr_array_new ();
  GtkWidget *dialog;
  GtkLabel *heading = NULL;

  if (setlocale (LC_ALL, "de_DE.UTF-8") == NULL)
    {
      if (g_strcmp0 (g_getenv ("CALSYNC_TEST_NO_SKIP"), "1") == 0)
        g_error ("The locale de_DE.UTF-8 is missing (locale-gen; see .ci/install-deps.sh)");
      g_test_skip ("The locale de_DE.UTF-8 is missing");
      return;
    }

  calsync_sync_report_add (report, make_result ("alex.mustermann@example.com", NULL));
  calsync_sync_report_add (report, make_result ("Team", "Google is not responding right now. Try again later."));
  calsync_sync_report_add (report, make_result ("Geburtstage", NULL));

  dialog = calsync_report_dialog_new (report);
  gtk_window_present (GTK_WINDOW (dialog));
  g_assert_true (calsync_test_wait_until (mapped, dialog, 5000));
  g_assert_true (calsync_test_wait_painted ());

  /* The heading: the title-3 label, on one line */
  collect (dialog, GTK_TYPE_LABEL, labels);
  for (guint i = 0; i < labels->len; i++)
    if (gtk_widget_has_css_class (g_ptr_array_index (labels, i), "title-3"))
      heading = g_ptr_array_index (labels, i);
  g_assert_nonnull (heading);
  g_test_message ("heading: %s", gtk_label_get_text (heading));
  g_assert_true (g_str_has_suffix (gtk_label_get_text (heading), "nicht synchronisiert werden") ||
                 strstr (gtk_label_get_text (heading), "Kalender") != NULL);
  g_assert_cmpint (pango_layout_get_line_count (gtk_label_get_layout (heading)), ==, 1);
  assert_whole (GTK_WIDGET (heading), dialog);

  /* Both buttons ("Als JSON kopieren", "Schließen") whole on the screen */
  collect (dialog, GTK_TYPE_BUTTON, buttons);
  for (guint i = 0; i < buttons->len; i++)
    {
      GtkButton *button = g_ptr_array_index (buttons, i);
      const char *label = gtk_button_get_label (button);

      if (label == NULL)
        continue;
      g_test_message ("button: %s", label);
      assert_whole (GTK_WIDGET (button), dialog);
      g_assert_cmpint (gtk_widget_get_height (GTK_WIDGET (button)), >=, 24);
    }

  calsync_test_screenshot ("CALSYNC_SCREENSHOT_DIR", "report-de.png");
  gtk_window_destroy (GTK_WINDOW (dialog));
}

int
main (int    argc,
      char **argv)
{
  const char *localedir = g_getenv ("CALSYNC_TEST_LOCALEDIR");

  g_setenv ("LANGUAGE", "de", TRUE);
  g_setenv ("TZ", "Europe/Berlin", TRUE);
  g_test_init (&argc, &argv, NULL);
  bindtextdomain (GETTEXT_PACKAGE, localedir != NULL ? localedir : LOCALEDIR);
  bind_textdomain_codeset (GETTEXT_PACKAGE, "UTF-8");
  textdomain (GETTEXT_PACKAGE);

  if (!gtk_init_check ())
    {
      if (g_strcmp0 (g_getenv ("CALSYNC_TEST_NO_SKIP"), "1") == 0)
        g_error ("No display");
      g_test_skip ("No display");
      return 77;
    }
  adw_init ();

  g_test_add_func ("/report-dialog/german-layout", test_german_layout);
  return g_test_run ();
}
