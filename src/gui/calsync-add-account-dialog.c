/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-add-account-dialog.c: "Continue in Your Browser" — runs one Google or
 * Outlook sign-in (or a reconnect) from Preferences and records the account when
 * it succeeds. */
#define G_LOG_DOMAIN "calsync-add-account-dialog"

#include "config.h"

#include <glib/gi18n.h>

#include "calsync-account-setup.h"
#include "calsync-add-account-dialog-private.h"
#include "calsync-add-account-dialog.h"
#include "calsync-credentials.h"
#include "calsync-oauth.h"
#include "calsync-sync-engine.h"

struct _CalsyncAddAccountDialog
{
  AdwMessageDialog parent_instance;

  /* Owned references */
  CalsyncStore *store;
  CalsyncHttp *http;
  CalsyncOAuthConfig *config;
  CalsyncOAuthFlow *flow;
  GCancellable *cancellable;
  char *provider;
  char *error_text;

  CalsyncUriOpener opener;
  gboolean done;
};

G_DEFINE_FINAL_TYPE (CalsyncAddAccountDialog, calsync_add_account_dialog, ADW_TYPE_MESSAGE_DIALOG)

enum { ACCOUNT_ADDED, N_SIGNALS };
static guint signals[N_SIGNALS];

static void
show_error (CalsyncAddAccountDialog *self,
            const GError            *error)
{
  g_free (self->error_text);
  /* Sign-in errors (denied, state mismatch) already speak to people */
  if (error->domain == CALSYNC_OAUTH_ERROR && error->code != CALSYNC_OAUTH_ERROR_INVALID_GRANT)
    self->error_text = g_strdup (error->message);
  else
    self->error_text = calsync_sync_error_text (error);

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Could Not Connect"));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), self->error_text);
  adw_message_dialog_set_response_label (ADW_MESSAGE_DIALOG (self), "cancel", _("_Close"));
}

static void
setup_done_cb (GObject      *object,
               GAsyncResult *result,
               gpointer      user_data)
{
  g_autoptr(CalsyncAddAccountDialog) self = user_data;
  g_autoptr(CalsyncAccount) account = NULL;
  g_autoptr(GError) error = NULL;
  guint n_calendars = 0;

  account = calsync_account_setup_finish (result, &n_calendars, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (account == NULL)
    {
      show_error (self, error);
      return;
    }

  self->done = TRUE;
  g_signal_emit (self, signals[ACCOUNT_ADDED], 0, account, n_calendars);
  /* Not gtk_window_close(): that would answer "cancel" */
  gtk_window_destroy (GTK_WINDOW (self));
}

static void
signed_in_cb (GObject      *object,
              GAsyncResult *result,
              gpointer      user_data)
{
  g_autoptr(CalsyncAddAccountDialog) self = user_data;
  g_autoptr(CalsyncTokens) tokens = NULL;
  g_autoptr(CalsyncCredentials) credentials = NULL;
  g_autoptr(CalsyncAccount) unsaved = NULL;
  g_autoptr(CalsyncProvider) provider = NULL;
  g_autoptr(GError) error = NULL;

  tokens = calsync_oauth_flow_wait_finish (CALSYNC_OAUTH_FLOW (object), result, &error);
  if (g_cancellable_is_cancelled (self->cancellable))
    return;
  if (tokens == NULL)
    {
      show_error (self, error);
      return;
    }

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Adding Your Calendars"));
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self), _("Signed in. Fetching the list of your calendars…"));

  credentials = calsync_credentials_new_oauth (self->http, self->config, 0);
  calsync_credentials_set_tokens (credentials, tokens);
  unsaved = calsync_account_new ();
  calsync_account_set_provider (unsaved, self->provider);
  if (!(provider = calsync_provider_new_for_account (unsaved, self->http, credentials, &error)))
    {
      show_error (self, error);
      return;
    }
  calsync_account_setup_async (self->store, provider, self->provider, tokens,
                               self->cancellable, setup_done_cb, g_object_ref (self));
}

static void
response_cb (CalsyncAddAccountDialog *self,
             const char              *response)
{
  if (self->done)
    return;

  g_cancellable_cancel (self->cancellable);
  /* A click has closed the dialog already; adw_message_dialog_response() has not */
  if (gtk_widget_get_visible (GTK_WIDGET (self)))
    gtk_window_destroy (GTK_WINDOW (self));
}

gboolean
calsync_add_account_dialog_start (CalsyncAddAccountDialog  *self,
                                  GError                  **error)
{
  GtkWindow *parent;
  g_autofree char *url = NULL;

  g_return_val_if_fail (CALSYNC_IS_ADD_ACCOUNT_DIALOG (self), FALSE);
  g_return_val_if_fail (self->flow == NULL, FALSE);

  self->config = calsync_oauth_config_new_for_provider (self->provider);
  g_return_val_if_fail (self->config != NULL, FALSE);
  self->flow = calsync_oauth_flow_new (self->http, self->config);
  if (!(url = calsync_oauth_flow_start (self->flow, error)))
    return FALSE;

  gtk_window_present (GTK_WINDOW (self));
  calsync_oauth_flow_wait_async (self->flow, self->cancellable, signed_in_cb, g_object_ref (self));

  /* The URL carries no secret (only the PKCE challenge and state) */
  parent = gtk_window_get_transient_for (GTK_WINDOW (self));
  if (self->opener != NULL)
    self->opener (parent, url);
  else
    gtk_show_uri (parent, url, GDK_CURRENT_TIME);

  return TRUE;
}

const char *
calsync_add_account_dialog_get_error_text (CalsyncAddAccountDialog *self)
{
  g_return_val_if_fail (CALSYNC_IS_ADD_ACCOUNT_DIALOG (self), NULL);

  return self->error_text;
}

static void
calsync_add_account_dialog_dispose (GObject *object)
{
  CalsyncAddAccountDialog *self = (CalsyncAddAccountDialog *)object;

  g_cancellable_cancel (self->cancellable);

  G_OBJECT_CLASS (calsync_add_account_dialog_parent_class)->dispose (object);
}

static void
calsync_add_account_dialog_finalize (GObject *object)
{
  CalsyncAddAccountDialog *self = (CalsyncAddAccountDialog *)object;

  g_clear_object (&self->flow);
  g_clear_pointer (&self->config, calsync_oauth_config_free);
  g_clear_object (&self->store);
  g_clear_object (&self->http);
  g_clear_object (&self->cancellable);
  g_clear_pointer (&self->provider, g_free);
  g_clear_pointer (&self->error_text, g_free);

  G_OBJECT_CLASS (calsync_add_account_dialog_parent_class)->finalize (object);
}

static void
calsync_add_account_dialog_class_init (CalsyncAddAccountDialogClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->dispose = calsync_add_account_dialog_dispose;
  object_class->finalize = calsync_add_account_dialog_finalize;

  /**
   * CalsyncAddAccountDialog::account-added:
   * @account: the account as stored
   * @n_calendars: how many calendars it has
   */
  signals[ACCOUNT_ADDED] = g_signal_new ("account-added", G_TYPE_FROM_CLASS (klass), G_SIGNAL_RUN_LAST,
                                         0, NULL, NULL, NULL, G_TYPE_NONE, 2,
                                         CALSYNC_TYPE_ACCOUNT, G_TYPE_UINT);
}

static void
calsync_add_account_dialog_init (CalsyncAddAccountDialog *self)
{
  self->cancellable = g_cancellable_new ();

  adw_message_dialog_set_heading (ADW_MESSAGE_DIALOG (self), _("Continue in Your Browser"));
  adw_message_dialog_add_response (ADW_MESSAGE_DIALOG (self), "cancel", _("_Cancel"));
  adw_message_dialog_set_close_response (ADW_MESSAGE_DIALOG (self), "cancel");
  g_signal_connect (self, "response", G_CALLBACK (response_cb), NULL);
}

CalsyncAddAccountDialog *
calsync_add_account_dialog_new (GtkWindow        *parent,
                                CalsyncStore     *store,
                                CalsyncHttp      *http,
                                const char       *provider,
                                CalsyncUriOpener  opener)
{
  CalsyncAddAccountDialog *self;

  g_return_val_if_fail (CALSYNC_IS_STORE (store), NULL);
  g_return_val_if_fail (CALSYNC_IS_HTTP (http), NULL);
  g_return_val_if_fail (g_strcmp0 (provider, "google") == 0 || g_strcmp0 (provider, "outlook") == 0, NULL);

  self = g_object_new (CALSYNC_TYPE_ADD_ACCOUNT_DIALOG,
                       "transient-for", parent,
                       "modal", TRUE,
                       /* Closing Preferences cancels the sign-in */
                       "destroy-with-parent", TRUE,
                       NULL);
  self->store = g_object_ref (store);
  self->http = g_object_ref (http);
  self->provider = g_strdup (provider);
  self->opener = opener;
  adw_message_dialog_set_body (ADW_MESSAGE_DIALOG (self),
                               g_str_equal (provider, "outlook")
                               ? _("Sign in with your Microsoft account in the browser window that "
                                   "opened and allow CalSync to use your calendars. This dialog "
                                   "closes by itself once you are done.")
                               : _("Sign in to Google in the browser window that opened and allow "
                                   "CalSync to read your calendars. This dialog closes by itself "
                                   "once you are done."));
  return self;
}
