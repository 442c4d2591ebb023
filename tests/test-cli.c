/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-cli.c: command-line parsing and exit statuses, with no display. */
#include "config.h"

#include <gio/gio.h>

#include "calsync-cli.h"

static CalsyncCommand *
parse (const char *line,
       GError    **error)
{
  g_auto(GStrv) argv = NULL;
  g_autoptr(GError) shell_error = NULL;
  int argc;

  g_assert_true (g_shell_parse_argv (line, &argc, &argv, &shell_error));
  return calsync_command_parse (argc, argv, error);
}

static void
test_parse_commands (void)
{
  static const struct { const char *line; CalsyncCommandKind kind; } cases[] = {
    { "calsync", CALSYNC_COMMAND_WINDOW },
    { "calsync --sync", CALSYNC_COMMAND_SYNC },
    { "calsync --sync --json", CALSYNC_COMMAND_SYNC },
    { "calsync --add-account=google --no-browser", CALSYNC_COMMAND_ADD_ACCOUNT },
    { "calsync --add-account=caldav --server=https://dav.example.com --username=ann", CALSYNC_COMMAND_ADD_ACCOUNT },
    { "calsync --list-accounts --json", CALSYNC_COMMAND_LIST_ACCOUNTS },
    { "calsync --remove-account=3", CALSYNC_COMMAND_REMOVE_ACCOUNT },
    { "calsync --agenda --from=2026-12-01 --to=2026-12-08 --json", CALSYNC_COMMAND_AGENDA },
    { "calsync --next", CALSYNC_COMMAND_NEXT },
    { "calsync --import=a.ics --calendar=2", CALSYNC_COMMAND_IMPORT },
    { "calsync --export=a.ics --from=2026-01-01", CALSYNC_COMMAND_EXPORT },
    { "calsync --version", CALSYNC_COMMAND_VERSION },
    { "calsync --delete-event=42", CALSYNC_COMMAND_DELETE_EVENT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (cases); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CalsyncCommand) command = parse (cases[i].line, &error);

      g_assert_no_error (error);
      g_assert_nonnull (command);
      g_assert_cmpint (command->kind, ==, cases[i].kind);
    }
}

static void
test_parse_values (void)
{
  g_autoptr(GError) error = NULL;
  g_autoptr(CalsyncCommand) command =
    parse ("calsync --add-account=caldav --server=http://192.0.2.1/dav --username=ann --allow-insecure", &error);

  g_assert_no_error (error);
  g_assert_cmpstr (command->add_account, ==, "caldav");
  g_assert_cmpstr (command->server, ==, "http://192.0.2.1/dav");
  g_assert_cmpstr (command->username, ==, "ann");
  g_assert_true (command->allow_insecure);
  g_assert_false (command->json);
}

static void
test_bad_usage (void)
{
  static const char *lines[] = {
    "calsync --sync --list-accounts",
    "calsync --json",
    "calsync --add-account=google --json",
    "calsync --sync --no-browser",
    "calsync --next --from=2026-01-01",
    "calsync --sync --calendar=1",
    "calsync --delete-event=42 --sync",
    "calsync --delete-event=42 --calendar=1",
    "calsync --delete-event=42 --json",
    "calsync --frobnicate",
    "calsync stray-argument",
  };

  for (guint i = 0; i < G_N_ELEMENTS (lines); i++)
    {
      g_autoptr(GError) error = NULL;
      g_autoptr(CalsyncCommand) command = parse (lines[i], &error);

      g_assert_null (command);
      g_assert_nonnull (error);
    }
}

/* Runs the real binary with no display and returns its exit status. */
static int
run_calsync (const char  *args[],
             char       **out,
             char       **err)
{
  g_autoptr(GSubprocessLauncher) launcher =
    g_subprocess_launcher_new (G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = g_ptr_array_new ();
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *tmp = g_dir_make_tmp ("calsync-test-cli-XXXXXX", NULL);

  g_subprocess_launcher_unsetenv (launcher, "DISPLAY");
  g_subprocess_launcher_unsetenv (launcher, "WAYLAND_DISPLAY");
  g_subprocess_launcher_setenv (launcher, "XDG_DATA_HOME", tmp, TRUE);
  g_subprocess_launcher_setenv (launcher, "LANGUAGE", "C", TRUE);
  g_ptr_array_add (argv, (char *) CALSYNC_BINARY);
  for (guint i = 0; args[i] != NULL; i++)
    g_ptr_array_add (argv, (char *) args[i]);
  g_ptr_array_add (argv, NULL);

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_assert_true (g_subprocess_communicate_utf8 (process, NULL, NULL, out, err, &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  return g_subprocess_get_exit_status (process);
}

static void
test_binary_headless (void)
{
  const char *version[] = { "--version", NULL };
  const char *bad[] = { "--sync", "--agenda", NULL };
  const char *unknown[] = { "--no-such-option", NULL };
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;

  g_assert_cmpint (run_calsync (version, &out, &err), ==, 0);
  g_assert_true (g_str_has_prefix (out, "calsync " PACKAGE_VERSION));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_calsync (bad, &out, &err), ==, 2);
  g_assert_cmpstr (out, ==, "");
  g_assert_nonnull (strstr (err, "--help"));
  g_clear_pointer (&out, g_free);
  g_clear_pointer (&err, g_free);

  g_assert_cmpint (run_calsync (unknown, &out, &err), ==, 2);
  g_assert_nonnull (strstr (err, "no-such-option"));
}

int
main (int    argc,
      char **argv)
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/cli/parse-commands", test_parse_commands);
  g_test_add_func ("/cli/parse-values", test_parse_values);
  g_test_add_func ("/cli/bad-usage", test_bad_usage);
  g_test_add_func ("/cli/binary-headless", test_binary_headless);

  return g_test_run ();
}
