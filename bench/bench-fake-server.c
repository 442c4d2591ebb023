/* SPDX-License-Identifier: GPL-3.0-or-later */
/* bench-fake-server.c: the benchmarks' fake servers (Google, Microsoft Graph),
 * served by a child process at a lower CPU priority, so that the figures measured
 * are the client's alone. */
#include "config.h"

#include <stdio.h>
#include <unistd.h>

#include <gio/gunixinputstream.h>

#include "bench-fake-server.h"

static void
stdin_closed_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  g_input_stream_read_finish (G_INPUT_STREAM (object), result, NULL);
  g_main_loop_quit (user_data);
}

/* Prints the CALSYNC_* variables of the fakes this process exported, then serves
 * until the parent closes our stdin */
int
bench_fake_server_serve (void)
{
  g_auto(GStrv) environment = g_get_environ ();
  g_autoptr(GMainLoop) loop = g_main_loop_new (NULL, FALSE);
  g_autoptr(GInputStream) input = g_unix_input_stream_new (0, FALSE);
  char byte;

  /* The real server is not on this machine: on two cores an equal-priority
   * server steals the client's CPU and the figures measure the scheduler. */
  if (nice (10) == -1)
    g_printerr ("bench-fake-server: could not lower its priority\n");
  for (guint i = 0; environment[i] != NULL; i++)
    if (g_str_has_prefix (environment[i], "CALSYNC_GOOGLE_") ||
        g_str_has_prefix (environment[i], "CALSYNC_GRAPH_") ||
        g_str_has_prefix (environment[i], "CALSYNC_MS_"))
      g_print ("%s\n", environment[i]);
  g_print ("READY\n");
  fflush (stdout);

  g_input_stream_read_async (input, &byte, 1, G_PRIORITY_DEFAULT, NULL, stdin_closed_cb, loop);
  g_main_loop_run (loop);
  return 0;
}

int
bench_fake_server_run (CalsyncFakeGoogle *fake)
{
  calsync_fake_google_export_env (fake);
  return bench_fake_server_serve ();
}

GSubprocess *
bench_fake_server_start (const char *self_path,
                         const char *serve_flag)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(GDataInputStream) lines = NULL;
  g_autoptr(GSubprocess) server = NULL;
  char *line;

  server = g_subprocess_new (G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE, &error,
                             self_path, serve_flag, NULL);
  g_assert_no_error (error);
  lines = g_data_input_stream_new (g_subprocess_get_stdout_pipe (server));
  /* The pipe stays open for what the server prints later (bench-memory's replies) */
  g_filter_input_stream_set_close_base_stream (G_FILTER_INPUT_STREAM (lines), FALSE);

  while ((line = g_data_input_stream_read_line_utf8 (lines, NULL, NULL, &error)) != NULL &&
         !g_str_equal (line, "READY"))
    {
      g_auto(GStrv) pair = g_strsplit (line, "=", 2);

      g_setenv (pair[0], pair[1], TRUE);
      g_free (line);
    }
  g_assert_no_error (error);
  g_assert (line != NULL);
  g_free (line);

  return g_steal_pointer (&server);
}

void
bench_fake_server_stop (GSubprocess **server)
{
  if (*server == NULL)
    return;

  g_output_stream_close (g_subprocess_get_stdin_pipe (*server), NULL, NULL);
  g_subprocess_wait (*server, NULL, NULL);
  g_clear_object (server);
}

void
bench_result_cb (GObject      *object,
                 GAsyncResult *result,
                 gpointer      user_data)
{
  GAsyncResult **out = user_data;

  *out = g_object_ref (result);
}

GAsyncResult *
bench_spin (GAsyncResult **slot)
{
  while (*slot == NULL)
    g_main_context_iteration (NULL, TRUE);

  return *slot;
}

/* The browser's part: open the sign-in address, which redirects to our loopback */
static void
follow_url (const char *url)
{
  g_autoptr(SoupSession) session = soup_session_new ();
  g_autoptr(SoupMessage) message = soup_message_new ("GET", url);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) body = NULL;

  soup_session_send_and_read_async (session, message, G_PRIORITY_DEFAULT, NULL, bench_result_cb, &result);
  body = soup_session_send_and_read_finish (session, bench_spin (&result), NULL);
  g_assert (body != NULL);
}

CalsyncTokens *
bench_sign_in (CalsyncHttp *http)
{
  g_autoptr(CalsyncOAuthConfig) config = calsync_oauth_config_new_google ();
  g_autoptr(CalsyncOAuthFlow) flow = calsync_oauth_flow_new (http, config);
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *url = NULL;
  CalsyncTokens *tokens;

  url = calsync_oauth_flow_start (flow, &error);
  g_assert_no_error (error);
  calsync_oauth_flow_wait_async (flow, NULL, bench_result_cb, &result);
  follow_url (url);
  tokens = calsync_oauth_flow_wait_finish (flow, bench_spin (&result), &error);
  g_assert_no_error (error);
  return tokens;
}
