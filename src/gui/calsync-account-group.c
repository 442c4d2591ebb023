/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-account-group.c: one account in Preferences — its status, its calendars
 * with their on/off switches, Reconnect and Remove. Updated in place. */
#define G_LOG_DOMAIN "calsync-account-group"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-account-group-private.h"
#include "calsync-account-group.h"
#include "calsync-date-utils.h"
#include "calsync-gui.h"

/* The widgets of one calendar, kept across updates so a switch in use survives */
typedef struct
{
  gint64 calendar_id;
  GtkWidget *row;        /* AdwActionRow, owned by the group */
  GtkWidget *swatch;
  GtkWidget *toggle;
  GdkRGBA color;
  gint64 last_sync_at;
  char *error;           /* from the last report, or NULL */
  gboolean seen;         /* still listed by the latest update */
} CalendarRow;

struct _CalsyncAccountGroup
{
  AdwPreferencesGroup parent_instance;

  /* Template widgets */
  GtkButton *remove_button;
  AdwActionRow *status_row;
  GtkImage *provider_image;
  GtkSpinner *spinner;
  GtkButton *reconnect_button;
  GtkButton *allow_changes_button;

  /* Owned references */
  GHashTable *rows;      /* calendar id → CalendarRow */
  GPtrArray *order;      /* CalendarRow, in display order (borrowed from rows) */
  char *email;
  char *provider;
  char *status_text;
  char *error_text;      /* what the status row says went wrong, or NULL */
  char *status_subtitle;

  gint64 account_id;
  gint64 last_sync_at;   /* newest of the calendars */
  guint n_done;          /* of n_active, during a long sync */
  guint n_active;        /* 0: no progress shown */
  gboolean needs_reconnect;
  gboolean read_only;    /* signed in with a scope that only reads */
  gboolean syncing;
  gboolean account_error; /* error_text is the calendars' own error: they do not repeat it */
};

G_DEFINE_FINAL_TYPE (CalsyncAccountGroup, calsync_account_group, ADW_TYPE_PREFERENCES_GROUP)

enum { RECONNECT, REMOVE, CALENDAR_TOGGLED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
calendar_row_free (CalendarRow *row)
{
  g_free (row->error);
  g_free (row);
}

char *
calsync_format_time_ago (gint64 usec,
                         gint64 now_usec)
{
  gint64 minutes = MAX (0, now_usec - usec) / (60 * G_USEC_PER_SEC);
  g_autoptr(GDateTime) when = NULL;

  if (minutes < 1)
    return g_strdup (_("just now"));
  if (minutes < 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d minute ago", "%d minutes ago", minutes),
                            (int) minutes);
  if (minutes < 24 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d hour ago", "%d hours ago", minutes / 60),
                            (int) (minutes / 60));
  if (minutes < 7 * 24 * 60)
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%d day ago", "%d days ago", minutes / (24 * 60)),
                            (int) (minutes / (24 * 60)));

  when = g_date_time_new_from_unix_local (usec / G_USEC_PER_SEC);
  /* Translators: strftime(3) format of a date long ago, shown after "Synced " */
  /* %b: the locale's abbreviated month, marked as the language marks one */
  return calsync_date_format_abbreviated (when, _("on %-d %b %Y"));
}

static char *
last_synced_text (gint64 usec)
{
  g_autofree char *ago = NULL;

  if (usec <= 0)
    return g_strdup (_("Never synced"));

  ago = calsync_format_time_ago (usec, g_get_real_time ());
  /* Translators: %s is "2 minutes ago", "just now" or "on 3 Nov 2026" */
  return g_strdup_printf (_("Last synced %s"), ago);
}

/* Calendar rows ------------------------------------------------------------- */

static void
draw_swatch (GtkDrawingArea *area,
             cairo_t        *cr,
             int             width,
             int             height,
             gpointer        user_data)
{
  CalendarRow *row = user_data;
  double size = MIN (width, height);

  gdk_cairo_set_source_rgba (cr, &row->color);
  cairo_arc (cr, width / 2.0, height / 2.0, size / 2.0, 0, 2 * G_PI);
  cairo_fill (cr);
}

static void
toggle_active_cb (GtkSwitch           *toggle,
                  GParamSpec          *pspec,
                  CalsyncAccountGroup *self)
{
  CalendarRow *row = g_object_get_data (G_OBJECT (toggle), "calendar-row");

  g_signal_emit (self, signals[CALENDAR_TOGGLED], 0, row->calendar_id, gtk_switch_get_active (toggle));
}

static CalendarRow *
calendar_row_new (CalsyncAccountGroup *self,
                  gint64               calendar_id)
{
  CalendarRow *row = g_new0 (CalendarRow, 1);

  row->calendar_id = calendar_id;
  row->row = adw_action_row_new ();
  adw_preferences_row_set_use_markup (ADW_PREFERENCES_ROW (row->row), FALSE);
  gtk_widget_add_css_class (row->row, "calsync-calendar-row");

  /* The colour is decoration: not in the accessibility tree ("GtkDrawingArea") */
  row->swatch = g_object_new (GTK_TYPE_DRAWING_AREA, "accessible-role", GTK_ACCESSIBLE_ROLE_PRESENTATION, NULL);
  gtk_widget_add_css_class (row->swatch, "calsync-calendar-swatch");
  gtk_drawing_area_set_content_width (GTK_DRAWING_AREA (row->swatch), 14);
  gtk_drawing_area_set_content_height (GTK_DRAWING_AREA (row->swatch), 14);
  gtk_widget_set_valign (row->swatch, GTK_ALIGN_CENTER);
  gtk_drawing_area_set_draw_func (GTK_DRAWING_AREA (row->swatch), draw_swatch, row, NULL);
  adw_action_row_add_prefix (ADW_ACTION_ROW (row->row), row->swatch);

  row->toggle = gtk_switch_new ();
  gtk_widget_set_valign (row->toggle, GTK_ALIGN_CENTER);
  g_object_set_data (G_OBJECT (row->toggle), "calendar-row", row);
  g_signal_connect_object (row->toggle, "notify::active", G_CALLBACK (toggle_active_cb), self, 0);
  adw_action_row_add_suffix (ADW_ACTION_ROW (row->row), row->toggle);
  /* The row names its switch: libadwaita relates the activatable widget to the
   * row's title (LABELLED_BY), so the switch has no name of its own ("Team,
   * switch, on", not "Team Team"), and it is not described by the subtitle
   * too: the row reads the subtitle (an error) once */
  adw_action_row_set_activatable_widget (ADW_ACTION_ROW (row->row), row->toggle);
  gtk_accessible_reset_relation (GTK_ACCESSIBLE (row->toggle), GTK_ACCESSIBLE_RELATION_DESCRIBED_BY);

  adw_preferences_group_add (ADW_PREFERENCES_GROUP (self), row->row);
  return row;
}

/* A calendar's error is shown (and read) in one place: its row, or the account's
 * status row when the whole account failed with it */
static void
calendar_row_show_subtitle (CalsyncAccountGroup *self,
                            CalendarRow         *row)
{
  g_autofree char *text = NULL;

  if (row->error != NULL && !self->account_error)
    text = g_strdup (row->error);
  else
    text = last_synced_text (row->last_sync_at);

  adw_action_row_set_subtitle (ADW_ACTION_ROW (row->row), text);
  /* In the error colour only when it shows its error (not "Last synced …") */
  if (row->error != NULL && !self->account_error)
    gtk_widget_add_css_class (row->row, "calsync-failed");
  else
    gtk_widget_remove_css_class (row->row, "calsync-failed");
}

static void
calendar_row_update (CalsyncAccountGroup *self,
                     CalendarRow         *row,
                     CalsyncCalendar     *calendar,
                     const char          *error)
{
  const char *name = calsync_calendar_get_name (calendar);
  gboolean active = calsync_calendar_get_is_active (calendar);

  if (g_strcmp0 (adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row->row)), name) != 0)
    adw_preferences_row_set_title (ADW_PREFERENCES_ROW (row->row), name);

  if (!gdk_rgba_parse (&row->color, calsync_calendar_get_color (calendar) ? calsync_calendar_get_color (calendar) : ""))
    gdk_rgba_parse (&row->color, "#3584e4");
  gtk_widget_queue_draw (row->swatch);

  if (gtk_switch_get_active (GTK_SWITCH (row->toggle)) != active)
    {
      g_signal_handlers_block_by_func (row->toggle, toggle_active_cb, self);
      gtk_switch_set_active (GTK_SWITCH (row->toggle), active);
      g_signal_handlers_unblock_by_func (row->toggle, toggle_active_cb, self);
    }

  row->last_sync_at = calsync_calendar_get_last_sync_at (calendar);
  g_free (row->error);
  row->error = g_strdup (error);
}

/* The error of @calendar_id in @report, or NULL when it synced (or was not in it) */
static const char *
report_error (CalsyncSyncReport *report,
              gint64             calendar_id)
{
  g_autofree char *id = NULL;

  if (report == NULL)
    return NULL;

  id = g_strdup_printf ("%" G_GINT64_FORMAT, calendar_id);
  for (guint i = 0; i < calsync_sync_report_get_n_results (report); i++)
    {
      const CalsyncCalendarResult *result = calsync_sync_report_get_result (report, i);

      if (g_strcmp0 (result->connection_id, id) == 0)
        return result->success ? NULL : result->error;
    }

  return NULL;
}

static void
update_calendars (CalsyncAccountGroup *self,
                  GPtrArray           *calendars,
                  CalsyncSyncReport   *report)
{
  GHashTableIter iter;
  CalendarRow *row;

  for (guint i = 0; i < self->order->len; i++)
    ((CalendarRow *) g_ptr_array_index (self->order, i))->seen = FALSE;

  self->last_sync_at = 0;
  for (guint i = 0; calendars != NULL && i < calendars->len; i++)
    {
      CalsyncCalendar *calendar = g_ptr_array_index (calendars, i);
      gint64 id = calsync_calendar_get_id (calendar);

      row = g_hash_table_lookup (self->rows, &id);
      if (row == NULL)
        {
          row = calendar_row_new (self, id);
          g_hash_table_insert (self->rows, &row->calendar_id, row);
          g_ptr_array_add (self->order, row);
        }
      row->seen = TRUE;
      calendar_row_update (self, row, calendar, report_error (report, id));
      self->last_sync_at = MAX (self->last_sync_at, row->last_sync_at);
    }

  g_hash_table_iter_init (&iter, self->rows);
  while (g_hash_table_iter_next (&iter, NULL, (gpointer *) &row))
    if (!row->seen)
      {
        adw_preferences_group_remove (ADW_PREFERENCES_GROUP (self), row->row);
        g_ptr_array_remove (self->order, row);
        g_hash_table_iter_remove (&iter);
      }
}

/* Account status ------------------------------------------------------------ */

/* What went wrong, said once: the account's own error, or the error every
 * synced calendar of the account failed with (sets account_error: the
 * calendar rows do not repeat it); else how many calendars failed, each
 * calendar's error being in its own row. NULL when nothing failed. */
static char *
collect_errors (CalsyncAccountGroup *self,
                CalsyncAccount      *account)
{
  const char *own = calsync_account_get_last_error (account);
  const char *shared = NULL;
  guint n_failed = 0, n_synced = 0;
  gboolean same = TRUE;

  self->account_error = FALSE;
  if (own != NULL && *own != '\0')
    {
      self->account_error = TRUE;
      return g_strdup (own);
    }

  for (guint i = 0; i < self->order->len; i++)
    {
      CalendarRow *row = g_ptr_array_index (self->order, i);

      if (gtk_switch_get_active (GTK_SWITCH (row->toggle)) || row->error != NULL)
        n_synced++;
      if (row->error == NULL)
        continue;
      n_failed++;
      if (shared == NULL)
        shared = row->error;
      else if (g_strcmp0 (shared, row->error) != 0)
        same = FALSE;
    }

  if (n_failed == 0)
    return NULL;
  if (same && n_failed == n_synced)
    {
      self->account_error = TRUE;
      return g_strdup (shared);
    }

  /* Translators: below "Last sync failed"; each calendar's error is in its row */
  return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "%u calendar could not be synced",
                                       "%u calendars could not be synced", n_failed),
                          n_failed);
}

/* When what failed last synced well: the oldest success of the failing
 * calendars (their events are that old), or of the account when the account
 * itself failed (its sign-in, its calendar list) */
static gint64
last_success_of_failed (CalsyncAccountGroup *self)
{
  gint64 oldest = G_MAXINT64;

  for (guint i = 0; i < self->order->len; i++)
    {
      CalendarRow *row = g_ptr_array_index (self->order, i);

      if (row->error != NULL)
        oldest = MIN (oldest, row->last_sync_at);
    }

  return oldest != G_MAXINT64 ? oldest : self->last_sync_at;
}

/* Below the status of an account whose last sync failed: the error, and when
 * that part of the account last synced well */
static char *
error_subtitle (CalsyncAccountGroup *self)
{
  gint64 success = last_success_of_failed (self);
  g_autofree char *ago = NULL;
  g_autofree char *when = NULL;

  if (success <= 0)
    when = g_strdup (_("Never synced successfully"));
  else
    {
      ago = calsync_format_time_ago (success, g_get_real_time ());
      /* Translators: %s is "2 minutes ago", "yesterday" or "on 3 Nov 2026" */
      when = g_strdup_printf (_("Last successful sync %s"), ago);
    }

  return g_strdup_printf ("%s\n%s", self->error_text, when);
}

static char *
status_text (CalsyncAccountGroup *self)
{
  g_autofree char *ago = NULL;

  if (self->syncing && self->n_active > 0)
    /* Translators: while a sync runs: "Syncing… 3 of 5 calendars" */
    return g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Syncing… %u of %u calendar",
                                         "Syncing… %u of %u calendars", self->n_active),
                            self->n_done, self->n_active);
  if (self->syncing)
    return g_strdup (_("Syncing…"));
  if (self->needs_reconnect)
    return g_strdup (_("Needs reconnect"));
  /* Not "Synced just now" when the sync that just ran failed */
  if (self->error_text != NULL)
    return g_strdup (_("Last sync failed"));
  if (self->last_sync_at <= 0)
    return g_strdup (_("Never synced"));

  ago = calsync_format_time_ago (self->last_sync_at, g_get_real_time ());
  /* Translators: %s is "2 minutes ago", "just now" or "on 3 Nov 2026" */
  return g_strdup_printf (_("Synced %s"), ago);
}

static void
show_status (CalsyncAccountGroup *self)
{
  g_free (self->status_text);
  self->status_text = status_text (self);
  adw_preferences_row_set_title (ADW_PREFERENCES_ROW (self->status_row), self->status_text);
  g_free (self->status_subtitle);
  if (self->error_text != NULL)
    self->status_subtitle = !self->needs_reconnect ? error_subtitle (self) : g_strdup (self->error_text);
  else if (self->read_only)
    /* Translators: an account CalSync was allowed to read but not to change */
    self->status_subtitle = g_strdup (_("Read-only access"));
  else
    self->status_subtitle = g_strdup ("");
  adw_action_row_set_subtitle (self->status_row, self->status_subtitle);

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->syncing);
  gtk_spinner_set_spinning (self->spinner, self->syncing);
  gtk_widget_set_visible (GTK_WIDGET (self->reconnect_button), self->needs_reconnect && !self->syncing);
  /* One sign-in button at a time: Reconnect also asks for the write scope */
  gtk_widget_set_visible (GTK_WIDGET (self->allow_changes_button),
                          self->read_only && !self->needs_reconnect && !self->syncing);

  if (self->error_text != NULL || self->needs_reconnect)
    gtk_widget_add_css_class (GTK_WIDGET (self->status_row), "calsync-failed");
  else
    gtk_widget_remove_css_class (GTK_WIDGET (self->status_row), "calsync-failed");
}

static gboolean
any_active (GPtrArray *calendars)
{
  for (guint i = 0; calendars != NULL && i < calendars->len; i++)
    if (calsync_calendar_get_is_active (g_ptr_array_index (calendars, i)))
      return TRUE;
  return FALSE;
}

void
calsync_account_group_update (CalsyncAccountGroup *self,
                              CalsyncAccount      *account,
                              GPtrArray           *calendars,
                              CalsyncSyncReport   *report,
                              gboolean             syncing)
{
  g_autofree char *remove_label = NULL;

  g_return_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self));
  g_return_if_fail (CALSYNC_IS_ACCOUNT (account));

  if (g_strcmp0 (self->email, calsync_account_get_email (account)) != 0)
    {
      g_free (self->email);
      self->email = g_strdup (calsync_account_get_email (account));
      adw_preferences_group_set_title (ADW_PREFERENCES_GROUP (self), self->email ? self->email : "");
      /* Translators: accessible name of the Remove button; %s is an email address */
      remove_label = g_strdup_printf (_("Remove %s"), self->email ? self->email : "");
      gtk_accessible_update_property (GTK_ACCESSIBLE (self->remove_button),
                                      GTK_ACCESSIBLE_PROPERTY_LABEL, remove_label, -1);
    }

  if (g_strcmp0 (self->provider, calsync_account_get_provider (account)) != 0)
    {
      g_free (self->provider);
      self->provider = g_strdup (calsync_account_get_provider (account));
      adw_preferences_group_set_description (ADW_PREFERENCES_GROUP (self),
                                             calsync_provider_display_name (self->provider));
    }

  update_calendars (self, calendars, report);
  self->needs_reconnect = calsync_account_get_needs_reconnect (account);
  self->read_only = calsync_account_get_read_only (account);
  /* Only accounts the sync includes say "Syncing…" */
  self->syncing = syncing && any_active (calendars);
  g_free (self->error_text);
  self->error_text = collect_errors (self, account);
  for (guint i = 0; i < self->order->len; i++)
    calendar_row_show_subtitle (self, g_ptr_array_index (self->order, i));
  show_status (self);
}

void
calsync_account_group_show_progress (CalsyncAccountGroup *self,
                                     GHashTable          *done)
{
  guint n_done = 0, n_active = 0;

  g_return_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self));

  for (guint i = 0; done != NULL && i < self->order->len; i++)
    {
      CalendarRow *row = g_ptr_array_index (self->order, i);

      if (!gtk_switch_get_active (GTK_SWITCH (row->toggle)))
        continue;
      n_active++;
      n_done += g_hash_table_contains (done, &row->calendar_id) ? 1 : 0;
    }

  if (n_done == self->n_done && n_active == self->n_active)
    return;
  self->n_done = n_done;
  self->n_active = n_active;
  show_status (self);
}

void
calsync_account_group_refresh_times (CalsyncAccountGroup *self)
{
  g_return_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self));

  for (guint i = 0; i < self->order->len; i++)
    calendar_row_show_subtitle (self, g_ptr_array_index (self->order, i));
  show_status (self);
}

static void
reconnect_clicked_cb (CalsyncAccountGroup *self)
{
  g_signal_emit (self, signals[RECONNECT], 0);
}

static void
remove_clicked_cb (CalsyncAccountGroup *self)
{
  g_signal_emit (self, signals[REMOVE], 0);
}

/* GObject ------------------------------------------------------------------- */

static void
calsync_account_group_dispose (GObject *object)
{
  CalsyncAccountGroup *self = (CalsyncAccountGroup *)object;

  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_ACCOUNT_GROUP);

  G_OBJECT_CLASS (calsync_account_group_parent_class)->dispose (object);
}

static void
calsync_account_group_finalize (GObject *object)
{
  CalsyncAccountGroup *self = (CalsyncAccountGroup *)object;

  /* Not in dispose: the rows' widgets may still draw or notify while they go */
  g_clear_pointer (&self->order, g_ptr_array_unref);
  g_clear_pointer (&self->rows, g_hash_table_unref);
  g_free (self->email);
  g_free (self->provider);
  g_free (self->status_text);
  g_free (self->status_subtitle);
  g_free (self->error_text);

  G_OBJECT_CLASS (calsync_account_group_parent_class)->finalize (object);
}

static void
calsync_account_group_class_init (CalsyncAccountGroupClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_account_group_dispose;
  object_class->finalize = calsync_account_group_finalize;

  /* The person asked to sign in again / to remove the account */
  signals[RECONNECT] = g_signal_new ("reconnect", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                     0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  signals[REMOVE] = g_signal_new ("remove", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                  0, NULL, NULL, NULL, G_TYPE_NONE, 0);
  /* A calendar's switch was flipped: (calendar id, active) */
  signals[CALENDAR_TOGGLED] = g_signal_new ("calendar-toggled", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                            0, NULL, NULL, NULL, G_TYPE_NONE, 2, G_TYPE_INT64, G_TYPE_BOOLEAN);

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/calsync-account-group.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncAccountGroup, remove_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncAccountGroup, status_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncAccountGroup, provider_image);
  gtk_widget_class_bind_template_child (widget_class, CalsyncAccountGroup, spinner);
  gtk_widget_class_bind_template_child (widget_class, CalsyncAccountGroup, reconnect_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncAccountGroup, allow_changes_button);
  gtk_widget_class_bind_template_callback (widget_class, reconnect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, remove_clicked_cb);
}

static void
calsync_account_group_init (CalsyncAccountGroup *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  self->rows = g_hash_table_new_full (g_int64_hash, g_int64_equal, NULL, (GDestroyNotify) calendar_row_free);
  self->order = g_ptr_array_new ();
}

GtkWidget *
calsync_account_group_new (gint64 account_id)
{
  CalsyncAccountGroup *self = g_object_new (CALSYNC_TYPE_ACCOUNT_GROUP, NULL);

  self->account_id = account_id;
  return GTK_WIDGET (self);
}

gint64
calsync_account_group_get_account_id (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), 0);
  return self->account_id;
}

const char *
calsync_account_group_get_email (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return self->email;
}

/* "google", "outlook" or "caldav" (NULL before the first update) */
const char *
calsync_account_group_get_provider (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return self->provider;
}

/**
 * calsync_provider_display_name:
 * @provider: an account's provider name
 *
 * Returns: the service's name as people know it ("Google", "Outlook")
 */
const char *
calsync_provider_display_name (const char *provider)
{
  if (g_strcmp0 (provider, "google") == 0)
    return _("Google");
  if (g_strcmp0 (provider, "outlook") == 0)
    /* Translators: Outlook.com and Microsoft 365 accounts */
    return _("Outlook");
  if (g_strcmp0 (provider, "caldav") == 0)
    return _("CalDAV");
  return provider;
}

const char *
calsync_account_group_get_status_subtitle (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return self->status_subtitle;
}

const char *
calsync_account_group_get_status_text (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return self->status_text;
}

const char *
calsync_account_group_get_error_text (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return self->error_text;
}

guint
calsync_account_group_get_n_calendars (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), 0);
  return self->order->len;
}

GtkWidget *
calsync_account_group_get_calendar_row (CalsyncAccountGroup *self,
                                        gint64               calendar_id)
{
  CalendarRow *row;

  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  row = g_hash_table_lookup (self->rows, &calendar_id);
  return row != NULL ? row->row : NULL;
}

GtkWidget *
calsync_account_group_get_calendar_switch (CalsyncAccountGroup *self,
                                           gint64               calendar_id)
{
  CalendarRow *row;

  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  row = g_hash_table_lookup (self->rows, &calendar_id);
  return row != NULL ? row->toggle : NULL;
}

GtkWidget *
calsync_account_group_get_reconnect_button (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return GTK_WIDGET (self->reconnect_button);
}

GtkWidget *
calsync_account_group_get_allow_changes_button (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return GTK_WIDGET (self->allow_changes_button);
}

GtkWidget *
calsync_account_group_get_remove_button (CalsyncAccountGroup *self)
{
  g_return_val_if_fail (CALSYNC_IS_ACCOUNT_GROUP (self), NULL);
  return GTK_WIDGET (self->remove_button);
}
