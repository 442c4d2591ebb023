/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-caldav-dialog.c: Preferences → Add Account → CalDAV — a server (from a
 * preset or typed), a user name and a password; discovers the calendars and
 * records the account, or says in place why it could not. Nothing is stored
 * unless the server accepted the password and listed the calendars. */
#define G_LOG_DOMAIN "calsync-caldav-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-account-setup.h"
#include "calsync-caldav-dialog-private.h"
#include "calsync-caldav-dialog.h"
#include "calsync-credentials.h"
#include "calsync-gui.h"

struct _CalsyncCaldavDialog
{
  AdwWindow parent_instance;

  /* Template widgets */
  GtkWidget *connect_button;
  AdwPreferencesGroup *server_group;
  AdwComboRow *preset_row;
  AdwEntryRow *server_row;
  GtkWidget *account_group;
  AdwEntryRow *username_row;
  AdwEntryRow *password_row;
  GtkWidget *security_group;
  GtkSwitch *insecure_switch;
  GtkWidget *status_box;
  GtkSpinner *spinner;
  GtkImage *status_icon;
  GtkLabel *status_label;

  /* Owned references */
  CalsyncStore *store;
  CalsyncHttp *http;
  GCancellable *cancellable;   /* the discovery running, or NULL */

  gboolean busy;
  gboolean done;
};

G_DEFINE_FINAL_TYPE (CalsyncCaldavDialog, calsync_caldav_dialog, ADW_TYPE_WINDOW)

enum { ACCOUNT_ADDED, N_SIGNALS };
static guint signals[N_SIGNALS];

/* Presets ------------------------------------------------------------------- */

/* The server of a preset whose address is known, or NULL when it is asked */
static const char *
preset_server (CalsyncCaldavPreset preset)
{
  switch (preset)
    {
    case CALSYNC_CALDAV_PRESET_FASTMAIL:
      return "https://caldav.fastmail.com";
    case CALSYNC_CALDAV_PRESET_ICLOUD:
      return "https://caldav.icloud.com";
    case CALSYNC_CALDAV_PRESET_NEXTCLOUD:
    case CALSYNC_CALDAV_PRESET_OTHER:
    default:
      return NULL;
    }
}

static const char *
preset_note (CalsyncCaldavPreset preset)
{
  switch (preset)
    {
    case CALSYNC_CALDAV_PRESET_NEXTCLOUD:
      return _("The address of your Nextcloud, like https://cloud.example.com");
    case CALSYNC_CALDAV_PRESET_FASTMAIL:
      return _("Fastmail needs an app password: create one in Fastmail’s settings and enter "
               "it here instead of your usual password. The user name is your Fastmail address.");
    case CALSYNC_CALDAV_PRESET_ICLOUD:
      return _("iCloud needs an app-specific password: create one at appleid.apple.com under "
               "Sign-In and Security, and enter it here with your Apple ID as the user name.");
    case CALSYNC_CALDAV_PRESET_OTHER:
    default:
      return _("The address of your CalDAV server, like https://dav.example.com");
    }
}

static CalsyncCaldavPreset
get_preset (CalsyncCaldavDialog *self)
{
  guint selected = adw_combo_row_get_selected (self->preset_row);

  return selected <= CALSYNC_CALDAV_PRESET_OTHER ? (CalsyncCaldavPreset) selected
                                                 : CALSYNC_CALDAV_PRESET_OTHER;
}

/* The form ------------------------------------------------------------------ */

static gboolean
has_text (AdwEntryRow *row)
{
  g_autofree char *text = g_strdup (gtk_editable_get_text (GTK_EDITABLE (row)));

  return *g_strstrip (text) != '\0';
}

char *
calsync_caldav_dialog_dup_server_url (CalsyncCaldavDialog *self)
{
  const char *fixed = preset_server (get_preset (self));
  g_autofree char *text = NULL;

  g_return_val_if_fail (CALSYNC_IS_CALDAV_DIALOG (self), NULL);

  if (fixed != NULL)
    return g_strdup (fixed);

  text = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->server_row))));
  if (*text == '\0')
    return NULL;
  /* People type "cloud.example.com": https is what they mean */
  if (strstr (text, "://") == NULL)
    return g_strconcat ("https://", text, NULL);
  return g_steal_pointer (&text);
}

static gboolean
form_filled (CalsyncCaldavDialog *self)
{
  g_autofree char *url = calsync_caldav_dialog_dup_server_url (self);

  return url != NULL && has_text (self->username_row) &&
         *gtk_editable_get_text (GTK_EDITABLE (self->password_row)) != '\0';
}

static void
update_connect (CalsyncCaldavDialog *self)
{
  gboolean ready = self->done || (!self->busy && form_filled (self));

  gtk_widget_set_sensitive (self->connect_button, ready);
}

/* Status line --------------------------------------------------------------- */

static void
show_status (CalsyncCaldavDialog *self,
             const char          *text,
             const char          *icon_name,
             const char          *css_class)
{
  gtk_widget_set_visible (self->status_box, text != NULL);
  gtk_label_set_text (self->status_label, text ? text : "");

  gtk_widget_set_visible (GTK_WIDGET (self->spinner), self->busy);
  gtk_spinner_set_spinning (self->spinner, self->busy);
  gtk_widget_set_visible (GTK_WIDGET (self->status_icon), icon_name != NULL);
  if (icon_name != NULL)
    gtk_image_set_from_icon_name (self->status_icon, icon_name);

  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_label), "success");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "error");
  gtk_widget_remove_css_class (GTK_WIDGET (self->status_icon), "success");
  if (css_class != NULL)
    {
      gtk_widget_add_css_class (GTK_WIDGET (self->status_label), css_class);
      gtk_widget_add_css_class (GTK_WIDGET (self->status_icon), css_class);
    }
}

static void
set_busy (CalsyncCaldavDialog *self,
          gboolean             busy)
{
  gboolean editable = !busy && !self->done;

  self->busy = busy;
  /* Not insensitive: the focus stays in the field it was in (Enter there) */
  gtk_editable_set_editable (GTK_EDITABLE (self->server_row), editable);
  gtk_editable_set_editable (GTK_EDITABLE (self->username_row), editable);
  gtk_editable_set_editable (GTK_EDITABLE (self->password_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->preset_row), editable);
  gtk_widget_set_sensitive (GTK_WIDGET (self->insecure_switch), editable);
  gtk_accessible_update_state (GTK_ACCESSIBLE (self), GTK_ACCESSIBLE_STATE_BUSY, busy, -1);
  update_connect (self);
}

static const char *
insecure_text (void)
{
  return _("This server address starts with http, which is not encrypted. Use its https "
           "address, or turn on “Allow unencrypted connection (http)” if it is on your own network.");
}

static gboolean
is_refused (const GError *error)
{
  return g_error_matches (error, CALSYNC_CREDENTIALS_ERROR, CALSYNC_CREDENTIALS_ERROR_REFUSED) ||
         g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_AUTH);
}

/* What went wrong, for the person at the keyboard */
static const char *
error_text (const GError *error)
{
  if (is_refused (error))
    return _("The server refused the user name or password");
  if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE))
    return insecure_text ();
  return error->message;
}

static void
show_error (CalsyncCaldavDialog *self,
            const GError        *error)
{
  show_status (self, error_text (error), "dialog-error-symbolic", "error");
  if (is_refused (error))
    gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
  else if (g_error_matches (error, CALSYNC_HTTP_ERROR, CALSYNC_HTTP_ERROR_INSECURE))
    gtk_widget_grab_focus (GTK_WIDGET (self->insecure_switch));
}

/* Connecting ---------------------------------------------------------------- */

static void
show_found (CalsyncCaldavDialog *self,
            guint                n_calendars)
{
  g_autofree char *text = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE, "Found %u calendar",
                                                        "Found %u calendars", n_calendars),
                                           n_calendars);

  show_status (self, text, "object-select-symbolic", "success");
  gtk_button_set_label (GTK_BUTTON (self->connect_button), _("_Done"));
  gtk_widget_grab_focus (self->connect_button);
}

static void
setup_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CalsyncCaldavDialog) self = user_data;
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  guint n_calendars = 0;

  account = calsync_account_setup_caldav_finish (result, &n_calendars, &error);
  if (g_error_matches (error, G_IO_ERROR, G_IO_ERROR_CANCELLED) || self->store == NULL)
    return;

  g_clear_object (&self->cancellable);
  self->done = account != NULL;
  set_busy (self, FALSE);
  if (account == NULL)
    {
      show_error (self, error);
      return;
    }

  show_found (self, n_calendars);
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account, n_calendars);
}

static void
start_connect (CalsyncCaldavDialog *self)
{
  g_autofree char *url = calsync_caldav_dialog_dup_server_url (self);
  g_autofree char *username = g_strstrip (g_strdup (gtk_editable_get_text (GTK_EDITABLE (self->username_row))));
  gboolean allow_insecure = gtk_switch_get_active (self->insecure_switch);
  g_autoptr(GError) error = NULL;

  /* Said here, before anything is sent: the password must not go out in clear */
  if (!calsync_http_check_url (url, allow_insecure, &error))
    {
      show_error (self, error);
      return;
    }

  self->cancellable = g_cancellable_new ();
  set_busy (self, TRUE);
  show_status (self, _("Looking for your calendars…"), NULL, NULL);
  calsync_account_setup_caldav_async (self->store, self->http, url, username,
                                      gtk_editable_get_text (GTK_EDITABLE (self->password_row)),
                                      allow_insecure, self->cancellable, setup_done_cb,
                                      g_object_ref (self));
}

static void
connect_clicked_cb (CalsyncCaldavDialog *self)
{
  if (self->done)
    gtk_window_close (GTK_WINDOW (self));
  else if (!self->busy && form_filled (self))
    start_connect (self);
}

static void
form_changed_cb (CalsyncCaldavDialog *self)
{
  /* An error about what was typed before is stale now */
  if (!self->busy && !self->done)
    show_status (self, NULL, NULL, NULL);
  update_connect (self);
}

static void
preset_changed_cb (CalsyncCaldavDialog *self)
{
  CalsyncCaldavPreset preset = get_preset (self);
  gboolean asks_server = preset_server (preset) == NULL;

  gtk_widget_set_visible (GTK_WIDGET (self->server_row), asks_server);
  /* Fixed servers are https: the switch would do nothing there */
  gtk_widget_set_visible (self->security_group, asks_server);
  if (!asks_server)
    gtk_switch_set_active (self->insecure_switch, FALSE);
  adw_preferences_group_set_description (self->server_group, preset_note (preset));
  form_changed_cb (self);
}

static gboolean
close_request_cb (CalsyncCaldavDialog *self)
{
  g_cancellable_cancel (self->cancellable);
  return FALSE;
}

/* Private API ------------------------------------------------------------------ */

const char *
calsync_caldav_dialog_get_status_text (CalsyncCaldavDialog *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_DIALOG (self), NULL);

  return gtk_widget_get_visible (self->status_box) ? gtk_label_get_text (self->status_label) : NULL;
}

gboolean
calsync_caldav_dialog_get_busy (CalsyncCaldavDialog *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_DIALOG (self), FALSE);
  return self->busy;
}

gboolean
calsync_caldav_dialog_get_done (CalsyncCaldavDialog *self)
{
  g_return_val_if_fail (CALSYNC_IS_CALDAV_DIALOG (self), FALSE);
  return self->done;
}

void
calsync_caldav_dialog_set_preset (CalsyncCaldavDialog *self,
                                  CalsyncCaldavPreset  preset)
{
  g_return_if_fail (CALSYNC_IS_CALDAV_DIALOG (self));
  adw_combo_row_set_selected (self->preset_row, preset);
}

/* GObject ------------------------------------------------------------------- */

static void
calsync_caldav_dialog_dispose (GObject *object)
{
  CalsyncCaldavDialog *self = (CalsyncCaldavDialog *)object;

  g_cancellable_cancel (self->cancellable);
  gtk_widget_dispose_template (GTK_WIDGET (self), CALSYNC_TYPE_CALDAV_DIALOG);
  g_clear_object (&self->cancellable);
  g_clear_object (&self->store);
  g_clear_object (&self->http);

  G_OBJECT_CLASS (calsync_caldav_dialog_parent_class)->dispose (object);
}

static void
calsync_caldav_dialog_class_init (CalsyncCaldavDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);
  GtkWidgetClass *widget_class = GTK_WIDGET_CLASS (klass);

  object_class->dispose = calsync_caldav_dialog_dispose;

  /**
   * CalsyncCaldavDialog::account-added:
   * @account: the account as stored
   * @n_calendars: how many calendars it has
   */
  signals[ACCOUNT_ADDED] = g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         CALSYNC_TYPE_ACCOUNT, G_TYPE_UINT);

  gtk_widget_class_add_binding_action (widget_class, GDK_KEY_Escape, 0, "window.close", NULL);

  calsync_gui_ensure_resources ();
  gtk_widget_class_set_template_from_resource (widget_class, RESOURCE_PREFIX "/calsync-caldav-dialog.ui");
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, connect_button);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, server_group);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, preset_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, server_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, account_group);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, username_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, password_row);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, security_group);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, insecure_switch);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, status_box);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, spinner);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, status_icon);
  gtk_widget_class_bind_template_child (widget_class, CalsyncCaldavDialog, status_label);
  gtk_widget_class_bind_template_callback (widget_class, connect_clicked_cb);
  gtk_widget_class_bind_template_callback (widget_class, form_changed_cb);
  gtk_widget_class_bind_template_callback (widget_class, preset_changed_cb);
}

/* Screen readers name the text field itself, not only its row */
static void
label_text_of (AdwEntryRow *row)
{
  const char *title = adw_preferences_row_get_title (ADW_PREFERENCES_ROW (row));
  g_autoptr(GString) label = g_string_new (title);
  GtkEditable *delegate = gtk_editable_get_delegate (GTK_EDITABLE (row));

  g_string_replace (label, "_", "", 0);
  if (delegate != NULL)
    gtk_accessible_update_property (GTK_ACCESSIBLE (delegate), GTK_ACCESSIBLE_PROPERTY_LABEL, label->str, -1);
}

static void
calsync_caldav_dialog_init (CalsyncCaldavDialog *self)
{
  gtk_widget_init_template (GTK_WIDGET (self));
  label_text_of (self->server_row);
  label_text_of (self->username_row);
  label_text_of (self->password_row);
  g_signal_connect (self, "close-request", G_CALLBACK (close_request_cb), NULL);
  preset_changed_cb (self);
}

CalsyncCaldavDialog *
calsync_caldav_dialog_new (GtkWindow    *parent,
                           CalsyncStore *store,
                           CalsyncHttp  *http)
{
  CalsyncCaldavDialog *self;

  g_return_val_if_fail (CALSYNC_IS_STORE (store), NULL);
  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);

  self = g_object_new (CALSYNC_TYPE_CALDAV_DIALOG, "transient-for", parent, NULL);
  self->store = g_object_ref (store);
  self->http = g_object_ref (http);
  return self;
}

static CalsyncCaldavPreset
preset_of_url (const char *url)
{
  for (CalsyncCaldavPreset preset = CALSYNC_CALDAV_PRESET_FASTMAIL; preset <= CALSYNC_CALDAV_PRESET_ICLOUD; preset++)
    if (g_str_has_prefix (url, preset_server (preset)))
      return preset;
  return CALSYNC_CALDAV_PRESET_OTHER;
}

void
calsync_caldav_dialog_set_account (CalsyncCaldavDialog *self,
                                   const char          *server_url,
                                   const char          *username)
{
  CalsyncCaldavPreset preset;

  g_return_if_fail (CALSYNC_IS_CALDAV_DIALOG (self));

  preset = server_url != NULL ? preset_of_url (server_url) : CALSYNC_CALDAV_PRESET_OTHER;
  calsync_caldav_dialog_set_preset (self, preset);
  if (preset == CALSYNC_CALDAV_PRESET_OTHER && server_url != NULL)
    {
      gtk_editable_set_text (GTK_EDITABLE (self->server_row), server_url);
      gtk_switch_set_active (self->insecure_switch, !calsync_http_check_url (server_url, FALSE, NULL));
    }
  gtk_editable_set_text (GTK_EDITABLE (self->username_row), username ? username : "");
  gtk_widget_grab_focus (GTK_WIDGET (self->password_row));
}
