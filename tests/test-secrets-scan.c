/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-secrets-scan.c: no secret ever leaves CalSync's memory but for the
 * server it belongs to and the keyring.
 *
 * Every command and sync path of the three providers runs as the real
 * `calsync` with G_MESSAGES_DEBUG=all — sign-ins (Google and Outlook through
 * the fakes, CalDAV with a refused and then a right password on stdin),
 * --list-accounts [--json], --sync [--json] (first sync, a 401 → refresh,
 * two-way pushes, a refused refresh, a refused CalDAV password), --agenda,
 * --next, --import, --export, --delete-event, --remove-account — and one
 * `calsync --sync` is crashed (SIGSEGV under `prlimit --core=unlimited`, or
 * gcore when this machine's core_pattern sends cores elsewhere) while a push
 * of it is held by the fake Graph, after it refreshed its tokens.
 *
 * Then stdout, stderr, the database with its -wal and -shm (a snapshot after
 * every command, with a reader of the test keeping them in place), the
 * exported files and the core dump are scanned for every access token,
 * refresh token, code, client secret and PKCE code verifier the fakes issued
 * or received and every password given: the exact bytes, URL-encoded, and in
 * base64 (standard and URL-safe, at any alignment, the CalDAV Basic pair too).
 * 0 hits; the core may hold only what the crashed sync still needed (the
 * tokens in use, the CalDAV password, the client secret of the test's
 * environment): those are counted and printed, not asserted. */
#define G_LOG_DOMAIN "test-secrets-scan"

#include "config.h"

#include <signal.h>
#include <string.h>

#include <glib/gstdio.h>
#include <sqlite3.h>

#include "calsync-fake-graph.h"
#include "calsync-radicale.h"
#include "calsync-test-sync.h"
#include "calsync-test-utils.h"

/* AddressSanitizer turns a SIGSEGV into an abort and writes no core (its
 * shadow memory would make one terabytes): the core is scanned in the plain
 * builds */
#if defined(__SANITIZE_ADDRESS__)
#define UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define UNDER_ASAN 1
#endif
#endif
#ifndef UNDER_ASAN
#define UNDER_ASAN 0
#endif

#define GOOGLE_EMAIL "ann.secret@example.com"
#define MS_USER      "ben.secret@contoso.example"
#define MS_CALENDAR  "AAMkSecretsCal="
#define DAV_USER     "sam"
#define RUN_TIMEOUT_MS 30000

/* Sources ------------------------------------------------------------------------ */

typedef struct
{
  char *kind;       /* "stdout", "stderr", "database", "wal", "shm", "export", "core" */
  char *label;      /* the command or file it came from */
  GBytes *bytes;
} Source;

static void
source_free (Source *source)
{
  g_free (source->kind);
  g_free (source->label);
  g_bytes_unref (source->bytes);
  g_free (source);
}

typedef struct
{
  char *dir;                 /* calsync's XDG_DATA_HOME */
  char *work;                /* stdin files, exports, the core */
  CalsyncFakeGoogle *google;
  CalsyncFakeGraph *graph;
  CalsyncRadicale *radicale;
  char *radicale_dir;
  char *dav_password;
  char *dav_wrong_password;
  char *dav_new_password;
  GPtrArray *sources;
  sqlite3 *reader;           /* keeps the -wal and -shm files between commands */
  gboolean core_by_gcore;
} Fixture;

static void
add_source (Fixture    *fx,
            const char *kind,
            const char *label,
            GBytes     *bytes)
{
  Source *source = g_new0 (Source, 1);

  source->kind = g_strdup (kind);
  source->label = g_strdup (label);
  source->bytes = g_bytes_ref (bytes);
  g_ptr_array_add (fx->sources, source);
}

static void
add_text_source (Fixture    *fx,
                 const char *kind,
                 const char *label,
                 const char *text)
{
  g_autoptr(GBytes) bytes = g_bytes_new (text ? text : "", text ? strlen (text) : 0);

  add_source (fx, kind, label, bytes);
}

static void
snapshot_tree (Fixture    *fx,
               const char *path,
               const char *when)
{
  g_autoptr(GDir) dir = g_dir_open (path, 0, NULL);
  const char *name;

  if (dir == NULL)
    return;
  while ((name = g_dir_read_name (dir)) != NULL)
    {
      g_autofree char *child = g_build_filename (path, name, NULL);
      g_autofree char *label = NULL;
      g_autoptr(GMappedFile) mapped = NULL;
      g_autoptr(GBytes) bytes = NULL;
      const char *kind = "database";

      if (g_file_test (child, G_FILE_TEST_IS_DIR))
        {
          snapshot_tree (fx, child, when);
          continue;
        }
      mapped = g_mapped_file_new (child, FALSE, NULL);
      if (mapped == NULL)
        continue;
      bytes = g_mapped_file_get_bytes (mapped);
      if (g_str_has_suffix (name, "-wal"))
        kind = "wal";
      else if (g_str_has_suffix (name, "-shm"))
        kind = "shm";
      label = g_strdup_printf ("%s after %s", name, when);
      {
        g_autoptr(GBytes) copy = g_bytes_new (g_bytes_get_data (bytes, NULL), g_bytes_get_size (bytes));

        add_source (fx, kind, label, copy);
      }
    }
}

/* The database files as they are now; a reader of ours (opened once the
 * database exists) keeps SQLite from removing the -wal and -shm at calsync's exit */
static void
snapshot_database (Fixture    *fx,
                   const char *when)
{
  g_autofree char *db_dir = g_build_filename (fx->dir, "calsync", NULL);
  g_autofree char *db_path = g_build_filename (db_dir, "calsync.db", NULL);

  if (fx->reader == NULL && g_file_test (db_path, G_FILE_TEST_EXISTS))
    {
      g_assert_cmpint (sqlite3_open_v2 (db_path, &fx->reader, SQLITE_OPEN_READONLY, NULL), ==, SQLITE_OK);
      g_assert_cmpint (sqlite3_exec (fx->reader, "SELECT count(*) FROM accounts", NULL, NULL, NULL), ==, SQLITE_OK);
    }
  snapshot_tree (fx, db_dir, when);
}

/* calsync ------------------------------------------------------------------------ */

static GSubprocessLauncher *
new_launcher (Fixture         *fx,
              GSubprocessFlags flags)
{
  GSubprocessLauncher *launcher = calsync_test_new_launcher (flags, fx->dir);

  g_subprocess_launcher_setenv (launcher, "G_MESSAGES_DEBUG", "all", TRUE);
  return launcher;
}

static char *
bytes_to_text (GBytes *bytes)
{
  gsize size = bytes ? g_bytes_get_size (bytes) : 0;

  return size > 0 ? g_strndup (g_bytes_get_data (bytes, NULL), size) : g_strdup ("");
}

/* Runs calsync with @input (nullable) on stdin; keeps its output as sources */
static int
run_full (Fixture            *fx,
          const char         *input,
          char              **out,
          char              **err,
          const char * const *args)
{
  g_autoptr(GSubprocessLauncher) launcher =
    new_launcher (fx, G_SUBPROCESS_FLAGS_STDIN_PIPE | G_SUBPROCESS_FLAGS_STDOUT_PIPE |
                  G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_autoptr(GPtrArray) argv = calsync_test_argv (args);
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) stdin_bytes = g_bytes_new (input ? input : "", input ? strlen (input) : 0);
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autofree char *command = g_strjoinv (" ", (char **) args);
  g_autofree char *own_out = NULL;
  g_autofree char *own_err = NULL;
  int status;

  process = g_subprocess_launcher_spawnv (launcher, (const char * const *) argv->pdata, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_async (process, stdin_bytes, NULL, calsync_test_result_cb, &result);
  g_assert_true (g_subprocess_communicate_finish (process, calsync_test_spin (&result), &out_bytes, &err_bytes,
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_exited (process));
  status = g_subprocess_get_exit_status (process);

  add_source (fx, "stdout", command, out_bytes);
  add_source (fx, "stderr", command, err_bytes);
  snapshot_database (fx, command);

  own_out = bytes_to_text (out_bytes);
  own_err = bytes_to_text (err_bytes);
  g_test_message ("calsync %s → %d (%" G_GSIZE_FORMAT " bytes out, %" G_GSIZE_FORMAT " bytes err)", command,
                  status, strlen (own_out), strlen (own_err));
  if (out)
    *out = g_steal_pointer (&own_out);
  if (err)
    *err = g_steal_pointer (&own_err);
  return status;
}

#define RUN(fx, input, out, err, ...) \
  run_full ((fx), (input), (out), (err), (const char * const[]) { __VA_ARGS__, NULL })

/* `calsync --add-account=@provider --no-browser`, signed in through the fake */
static void
sign_in (Fixture    *fx,
         const char *provider,
         const char *expected)
{
  g_autoptr(GSubprocessLauncher) launcher = new_launcher (fx, G_SUBPROCESS_FLAGS_STDOUT_PIPE);
  g_autofree char *stderr_path = g_build_filename (fx->work, "add-account.err", NULL);
  g_autofree char *label = g_strconcat ("--add-account=", provider, NULL);
  g_autofree char *url = NULL;
  g_autofree char *rest = NULL;
  g_autofree char *err = NULL;
  g_autofree char *out = NULL;

  g_assert_cmpint (calsync_test_cli_add_account (launcher, provider, stderr_path, &url, &rest, &err), ==, 0);
  CALSYNC_CHECK (strstr (err, expected) != NULL, "%s: “%s” not in its stderr:\n%s", label, expected, err);
  out = g_strconcat (url, "\n", rest, NULL);
  add_text_source (fx, "stdout", label, out);
  add_text_source (fx, "stderr", label, err);
  snapshot_database (fx, label);
}

static JsonObject *
sync_json (Fixture    *fx,
           int         expected_status,
           const char *when)
{
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  int status = RUN (fx, NULL, &out, &err, "--sync", "--json");

  CALSYNC_CHECK (status == expected_status, "%s: --sync --json exited %d, not %d\n%s\n%s", when, status,
                 expected_status, out, err);
  return calsync_test_parse_object (out, when);
}

static JsonArray *
list_accounts (Fixture *fx)
{
  g_autofree char *out = NULL;

  g_assert_cmpint (RUN (fx, NULL, &out, NULL, "--list-accounts", "--json"), ==, 0);
  return calsync_test_parse_array (out, "--list-accounts --json");
}

static JsonObject *
account_of (JsonArray  *accounts,
            const char *provider)
{
  for (guint i = 0; i < json_array_get_length (accounts); i++)
    {
      JsonObject *account = json_array_get_object_element (accounts, i);

      if (g_strcmp0 (json_object_get_string_member (account, "provider"), provider) == 0 &&
          g_strcmp0 (json_object_get_string_member (account, "email"), "placeholder.invalid") != 0)
        return account;
    }
  g_error ("No %s account", provider);
}

/* The id of the first calendar of the @provider account */
static char *
calendar_of (JsonArray  *accounts,
             const char *provider)
{
  JsonArray *calendars = json_object_get_array_member (account_of (accounts, provider), "calendars");

  g_assert_cmpuint (json_array_get_length (calendars), >, 0);
  return g_strdup (json_object_get_string_member (json_array_get_object_element (calendars, 0), "id"));
}

static void
import_into (Fixture    *fx,
             const char *calendar_id,
             const char *uid,
             const char *title,
             int         day)
{
  g_autofree char *path = g_strdup_printf ("%s/%s.ics", fx->work, uid);
  g_autofree char *ics = g_strdup_printf ("BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Secrets test//EN\r\n"
                                          "BEGIN:VEVENT\r\nUID:%s\r\nDTSTAMP:20260601T000000Z\r\n"
                                          "DTSTART:202606%02dT090000Z\r\nDTEND:202606%02dT100000Z\r\n"
                                          "SUMMARY:%s\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                                          uid, day, day, title);
  g_autofree char *import = g_strconcat ("--import=", path, NULL);
  g_autofree char *calendar = g_strconcat ("--calendar=", calendar_id, NULL);
  g_autofree char *err = NULL;

  g_assert_true (g_file_set_contents (path, ics, -1, NULL));
  CALSYNC_CHECK (RUN (fx, NULL, NULL, &err, import, calendar) == 0, "--import %s failed: %s", uid, err);
}

/* The Radicale user's password is now @password (a change on the server) */
static void
set_dav_password (Fixture    *fx,
                  const char *password)
{
  g_autofree char *path = g_build_filename (fx->radicale_dir, "users", NULL);
  g_autofree char *users = NULL;
  g_autofree char *old_line = g_strdup_printf (DAV_USER ":%s\n", fx->dav_password);
  g_autofree char *new_line = g_strdup_printf (DAV_USER ":%s\n", password);
  g_autoptr(GString) text = NULL;

  g_assert_true (g_file_get_contents (path, &users, NULL, NULL));
  text = g_string_new (users);
  g_assert_cmpuint (g_string_replace (text, old_line, new_line, 1), ==, 1);
  g_assert_true (g_file_set_contents (path, text->str, -1, NULL));
}

/* Secrets ------------------------------------------------------------------------ */

typedef struct
{
  char *name;        /* what it is, for messages (never the secret) */
  char *secret;
  gboolean live;     /* still needed by the crashed sync: not asserted in the core */
} Secret;

static void
secret_free (Secret *secret)
{
  g_free (secret->name);
  g_free (secret->secret);
  g_free (secret);
}

typedef struct
{
  guint secret;      /* index into the secrets */
  char *form;        /* "exact", "url-encoded", "base64 +1"… */
  GBytes *bytes;
} Needle;

static void
needle_free (Needle *needle)
{
  g_free (needle->form);
  g_bytes_unref (needle->bytes);
  g_free (needle);
}

static void
add_needle (GPtrArray  *needles,
            guint       secret,
            const char *form,
            const char *text,
            gsize       length)
{
  Needle *needle;

  if (length < 8)
    return;
  for (guint i = 0; i < needles->len; i++)
    {
      Needle *other = g_ptr_array_index (needles, i);

      if (other->secret == secret && g_bytes_get_size (other->bytes) == length &&
          memcmp (g_bytes_get_data (other->bytes, NULL), text, length) == 0)
        return;
    }
  needle = g_new0 (Needle, 1);
  needle->secret = secret;
  needle->form = g_strdup (form);
  needle->bytes = g_bytes_new (text, length);
  g_ptr_array_add (needles, needle);
}

static void
to_url_safe (char *text)
{
  for (char *p = text; *p; p++)
    if (*p == '+')
      *p = '-';
    else if (*p == '/')
      *p = '_';
}

/* The base64 of @value preceded by @shift other bytes and followed by any:
 * whatever surrounds it, the characters that encode only @value's bytes */
static void
add_base64_needles (GPtrArray  *needles,
                    guint       secret,
                    const char *what,
                    const char *value)
{
  gsize length = strlen (value);

  for (guint shift = 0; shift < 3; shift++)
    {
      g_autofree guchar *buffer = g_malloc0 (length + shift);
      g_autofree char *encoded = NULL;
      g_autofree char *form = NULL;
      gsize start = shift == 0 ? 0 : 4;      /* the first group mixes in the bytes before */
      gsize full_groups = (shift + length) / 3;
      gsize end = full_groups * 4;           /* the last group may mix in the bytes after */
      g_autofree char *exact = NULL;

      memcpy (buffer + shift, value, length);
      encoded = g_base64_encode (buffer, length + shift);
      if (end <= start + 8)
        continue;
      form = g_strdup_printf ("base64 of %s, offset %u", what, shift);
      add_needle (needles, secret, form, encoded + start, end - start);
      to_url_safe (encoded);
      g_free (form);
      form = g_strdup_printf ("base64url of %s, offset %u", what, shift);
      add_needle (needles, secret, form, encoded + start, end - start);
      if (shift == 0)
        {
          /* the whole encoding with its padding, as a header would carry it */
          exact = g_base64_encode ((const guchar *) value, length);
          g_free (form);
          form = g_strdup_printf ("base64 of %s", what);
          add_needle (needles, secret, form, exact, strlen (exact));
        }
    }
}

static GPtrArray *
build_needles (GPtrArray *secrets)
{
  GPtrArray *needles = g_ptr_array_new_with_free_func ((GDestroyNotify) needle_free);

  for (guint i = 0; i < secrets->len; i++)
    {
      Secret *secret = g_ptr_array_index (secrets, i);
      g_autofree char *escaped = g_uri_escape_string (secret->secret, NULL, FALSE);
      g_autofree char *form = g_uri_escape_string (secret->secret, "", FALSE); /* as soup_form_encode */
      g_autoptr(GString) plus = g_string_new (escaped);

      add_needle (needles, i, "exact", secret->secret, strlen (secret->secret));
      add_needle (needles, i, "url-encoded", escaped, strlen (escaped));
      add_needle (needles, i, "form-encoded", form, strlen (form));
      g_string_replace (plus, "%20", "+", 0);
      add_needle (needles, i, "form-encoded (+)", plus->str, plus->len);
      add_base64_needles (needles, i, "the secret", secret->secret);
      if (g_str_has_prefix (secret->name, "CalDAV password"))
        {
          g_autofree char *pair = g_strconcat (DAV_USER ":", secret->secret, NULL);

          add_base64_needles (needles, i, "user:password", pair);
        }
    }
  return needles;
}

/* Scanning: one pass over the bytes, candidates found by their first four bytes */

typedef struct
{
  GPtrArray *needles;
  GHashTable *by_prefix;     /* guint32 prefix → GPtrArray of Needle (borrowed) */
} Scanner;

static guint32
prefix_of (const guint8 *bytes)
{
  guint32 prefix;

  memcpy (&prefix, bytes, 4);
  return prefix;
}

static void
scanner_init (Scanner   *scanner,
              GPtrArray *needles)
{
  scanner->needles = needles;
  scanner->by_prefix = g_hash_table_new_full (NULL, NULL, NULL, (GDestroyNotify) g_ptr_array_unref);
  for (guint i = 0; i < needles->len; i++)
    {
      Needle *needle = g_ptr_array_index (needles, i);
      guint32 prefix = prefix_of (g_bytes_get_data (needle->bytes, NULL));
      GPtrArray *list = g_hash_table_lookup (scanner->by_prefix, GUINT_TO_POINTER (prefix));

      if (list == NULL)
        {
          list = g_ptr_array_new ();
          g_hash_table_insert (scanner->by_prefix, GUINT_TO_POINTER (prefix), list);
        }
      g_ptr_array_add (list, needle);
    }
}

static void
scanner_clear (Scanner *scanner)
{
  g_clear_pointer (&scanner->by_prefix, g_hash_table_unref);
}

/* Bloom-ish first test: a bitmap of the first byte of every needle */
typedef void (*HitFunc) (Needle       *needle,
                         gsize         offset,
                         gpointer      user_data);

static void
scanner_scan (Scanner      *scanner,
              const guint8 *data,
              gsize         size,
              HitFunc       hit,
              gpointer      user_data)
{
  gboolean first[256] = { FALSE };

  for (guint i = 0; i < scanner->needles->len; i++)
    first[((const guint8 *) g_bytes_get_data (((Needle *) g_ptr_array_index (scanner->needles, i))->bytes,
                                               NULL))[0]] = TRUE;

  for (gsize offset = 0; offset + 4 <= size; offset++)
    {
      GPtrArray *list;

      if (!first[data[offset]])
        continue;
      list = g_hash_table_lookup (scanner->by_prefix, GUINT_TO_POINTER (prefix_of (data + offset)));
      for (guint i = 0; list != NULL && i < list->len; i++)
        {
          Needle *needle = g_ptr_array_index (list, i);
          gsize length = g_bytes_get_size (needle->bytes);

          if (offset + length <= size && memcmp (data + offset, g_bytes_get_data (needle->bytes, NULL), length) == 0)
            hit (needle, offset, user_data);
        }
    }
}

typedef struct
{
  GPtrArray *secrets;
  const Source *source;
  const guint8 *data;
  gsize size;
  guint hits;            /* asserted */
  guint core_hits;       /* of those, in the core */
  guint live_hits;       /* in the core: still in use */
  guint env_hits;        /* in the core: the test's environment */
  GString *report;
} ScanState;

/* Whether the hit at @offset is the value of an environment variable the test
 * set for calsync (CALSYNC_GOOGLE_CLIENT_SECRET=…): the process's environment
 * block, not something CalSync copied */
static gboolean
in_environment (ScanState *state,
                gsize      offset)
{
  static const char variable[] = "CALSYNC_GOOGLE_CLIENT_SECRET=";
  gsize length = sizeof variable - 1;

  return offset >= length && memcmp (state->data + offset - length, variable, length) == 0;
}

static void
on_hit (Needle  *needle,
        gsize    offset,
        gpointer user_data)
{
  ScanState *state = user_data;
  Secret *secret = g_ptr_array_index (state->secrets, needle->secret);
  gboolean is_core = g_str_equal (state->source->kind, "core");

  if (is_core && in_environment (state, offset))
    {
      state->env_hits++;
      return;
    }
  if (is_core && secret->live)
    {
      state->live_hits++;
      return;
    }

  state->hits++;
  if (is_core)
    state->core_hits++;
  if (state->hits <= 20)
    {
      gsize from = offset > 48 ? offset - 48 : 0;
      g_autoptr(GString) context = g_string_new (NULL);

      for (gsize i = from; i < offset; i++)
        g_string_append_c (context, g_ascii_isprint (state->data[i]) ? state->data[i] : '.');
      g_string_append_printf (state->report, "  %s (%s) in %s of “%s” at offset %" G_GSIZE_FORMAT
                              ", after “%s”\n", secret->name, needle->form, state->source->kind,
                              state->source->label, offset, context->str);
    }
}

/* Fixture ------------------------------------------------------------------------ */

static char *
random_password (const char *prefix)
{
  /* characters that URL- and form-encoding change, so that those forms differ */
  return g_strdup_printf ("%s+%08x/%08x=%08x", prefix, g_random_int (), g_random_int (), g_random_int ());
}

static void
fixture_set_up (Fixture       *fx,
                gconstpointer  data)
{
  g_autoptr(GError) error = NULL;
  g_autofree char *body = NULL;
  g_autofree char *path = NULL;
  g_autoptr(CalsyncStore) store = NULL;
  guint status;

  fx->sources = g_ptr_array_new_with_free_func ((GDestroyNotify) source_free);
  fx->dir = g_dir_make_tmp ("calsync-secrets-XXXXXX", &error);
  g_assert_no_error (error);
  fx->work = g_dir_make_tmp ("calsync-secrets-work-XXXXXX", &error);
  g_assert_no_error (error);
  fx->radicale_dir = g_dir_make_tmp ("calsync-secrets-dav-XXXXXX", &error);
  g_assert_no_error (error);

  store = calsync_test_open_store (fx->dir);
  calsync_test_reserve_account_ids (calsync_store_get_path (store));
  calsync_store_close (store);
  g_clear_object (&store);

  fx->google = calsync_fake_google_new ();
  calsync_fake_google_export_env (fx->google);
  calsync_fake_oauth_set_user (calsync_fake_google_get_oauth (fx->google), GOOGLE_EMAIL);
  calsync_fake_google_add_calendar (fx->google, GOOGLE_EMAIL, GOOGLE_EMAIL, "Ann", TRUE);
  calsync_fake_google_put_event (fx->google, GOOGLE_EMAIL,
                                 "{\"id\":\"greview\",\"status\":\"confirmed\",\"summary\":\"Google review\","
                                 "\"start\":{\"dateTime\":\"2026-06-16T10:00:00+02:00\"},"
                                 "\"end\":{\"dateTime\":\"2026-06-16T11:00:00+02:00\"}}");

  fx->graph = calsync_fake_graph_new ();
  calsync_fake_graph_export_env (fx->graph);
  calsync_fake_graph_set_user (fx->graph, MS_USER, MS_USER);
  calsync_fake_graph_add_calendar (fx->graph, MS_CALENDAR, "Ben", "", "auto", TRUE, TRUE);
  calsync_fake_graph_put_event_json (fx->graph, MS_CALENDAR,
    "{\"id\":\"AAMkPlan\",\"subject\":\"Outlook plan\",\"type\":\"singleInstance\","
    "\"body\":{\"contentType\":\"text\",\"content\":\"\"},"
    "\"start\":{\"dateTime\":\"2026-06-17T08:00:00.0000000\",\"timeZone\":\"UTC\"},"
    "\"end\":{\"dateTime\":\"2026-06-17T09:00:00.0000000\",\"timeZone\":\"UTC\"}}");

  fx->radicale = calsync_radicale_start (fx->radicale_dir, 120);
  fx->dav_password = random_password ("dav-right");
  fx->dav_wrong_password = random_password ("dav-wrong");
  fx->dav_new_password = random_password ("dav-changed");
  calsync_radicale_add_user (fx->radicale, DAV_USER, fx->dav_password);
  path = g_strdup ("/" DAV_USER "/work/");
  body = g_strdup ("<?xml version=\"1.0\"?><C:mkcalendar xmlns:D=\"DAV:\" xmlns:C=\"urn:ietf:params:xml:ns:caldav\">"
                   "<D:set><D:prop><D:displayname>Work</D:displayname></D:prop></D:set></C:mkcalendar>");
  status = calsync_radicale_request_as (fx->radicale, DAV_USER, fx->dav_password, "MKCALENDAR", path,
                                        "application/xml", body, NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 201);
  status = calsync_radicale_request_as (fx->radicale, DAV_USER, fx->dav_password, "PUT", "/" DAV_USER "/work/dav-1.ics",
                                        "text/calendar",
                                        "BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//Other//EN\r\n"
                                        "BEGIN:VEVENT\r\nUID:dav-1\r\nDTSTAMP:20260601T000000Z\r\n"
                                        "DTSTART:20260618T120000Z\r\nDTEND:20260618T130000Z\r\n"
                                        "SUMMARY:CalDAV lunch\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n",
                                        NULL, NULL, NULL);
  g_assert_cmpuint (status, ==, 201);
}

static void
fixture_tear_down (Fixture       *fx,
                   gconstpointer  data)
{
  g_clear_pointer (&fx->reader, sqlite3_close);
  g_clear_pointer (&fx->radicale, calsync_radicale_free);
  g_clear_object (&fx->google);
  g_clear_object (&fx->graph);
  while (g_main_context_iteration (NULL, FALSE))
    ;
  calsync_test_remove_tree (fx->dir);
  calsync_test_remove_tree (fx->work);
  calsync_test_remove_tree (fx->radicale_dir);
  g_clear_pointer (&fx->sources, g_ptr_array_unref);
  g_free (fx->dir);
  g_free (fx->work);
  g_free (fx->radicale_dir);
  g_free (fx->dav_password);
  g_free (fx->dav_wrong_password);
  g_free (fx->dav_new_password);
}

/* The crash --------------------------------------------------------------------- */

/* The crash comes when the push is held and the Google side has taken up its
 * refreshed token: a request still carrying the token before it (its refresh
 * on the way) would hold a token the client has not yet replaced, which the
 * scan could not tell from one left behind */
static gboolean
ready_to_crash (gpointer data)
{
  Fixture *fx = data;

  return calsync_fake_graph_get_n_stalled (fx->graph) > 0 &&
         calsync_fake_oauth_newest_access_in_use (calsync_fake_google_get_oauth (fx->google));
}

/* Whether the kernel writes cores as files in the crashed process's folder */
static gboolean
cores_land_here (void)
{
  g_autofree char *pattern = NULL;

  if (!g_file_get_contents ("/proc/sys/kernel/core_pattern", &pattern, NULL, NULL))
    return FALSE;
  g_strstrip (pattern);
  return pattern[0] != '\0' && pattern[0] != '|' && strchr (pattern, '/') == NULL;
}

static char *
find_core (const char *dir)
{
  g_autoptr(GDir) listing = g_dir_open (dir, 0, NULL);
  const char *name;

  while (listing && (name = g_dir_read_name (listing)) != NULL)
    if (g_str_has_prefix (name, "core") || g_str_has_prefix (name, "gcore"))
      return g_build_filename (dir, name, NULL);
  return NULL;
}

/* `calsync --sync` that refreshes its tokens, then waits for a push the fake
 * Graph holds, and crashes there (SIGSEGV) with a core dump */
static void
crash_a_sync (Fixture    *fx,
              const char *outlook_calendar)
{
  g_autofree char *core_dir = g_build_filename (fx->work, "core", NULL);
  g_autoptr(GSubprocessLauncher) launcher = NULL;
  g_autoptr(GSubprocess) process = NULL;
  g_autoptr(GAsyncResult) result = NULL;
  g_autoptr(GBytes) out_bytes = NULL;
  g_autoptr(GBytes) err_bytes = NULL;
  g_autoptr(GError) error = NULL;
  g_autoptr(GMappedFile) mapped = NULL;
  g_autoptr(GBytes) core = NULL;
  g_autofree char *core_path = NULL;
  gboolean by_kernel = cores_land_here () && g_find_program_in_path ("prlimit") != NULL;
  const char *prlimit_argv[] = { "prlimit", "--core=unlimited", CALSYNC_BINARY, "--sync", "--json", NULL };
  const char *plain_argv[] = { CALSYNC_BINARY, "--sync", "--json", NULL };

  g_assert_cmpint (g_mkdir (core_dir, 0700), ==, 0);
  import_into (fx, outlook_calendar, "crash-push", "Pushed when it crashed", 25);
  calsync_fake_oauth_expire_access_tokens (calsync_fake_google_get_oauth (fx->google));
  calsync_fake_msid_expire_access_tokens (calsync_fake_graph_get_oauth (fx->graph));
  calsync_fake_graph_set_write_fault (fx->graph, CALSYNC_FAKE_GRAPH_FAULT_STALL);

  launcher = new_launcher (fx, G_SUBPROCESS_FLAGS_STDOUT_PIPE | G_SUBPROCESS_FLAGS_STDERR_PIPE);
  g_subprocess_launcher_set_cwd (launcher, core_dir);
  process = g_subprocess_launcher_spawnv (launcher, by_kernel ? prlimit_argv : plain_argv, &error);
  g_assert_no_error (error);
  g_subprocess_communicate_async (process, NULL, NULL, calsync_test_result_cb, &result);

  CALSYNC_CHECK (calsync_test_wait_until (ready_to_crash, fx, RUN_TIMEOUT_MS),
                 "the crash run never pushed to the fake Graph with Google's refreshed token in use");
  if (!by_kernel)
    {
      /* gcore from gdb on the live process, held mid-sync */
      g_autofree char *prefix = g_build_filename (core_dir, "gcore", NULL);
      g_autofree char *pid = g_strdup (g_subprocess_get_identifier (process));
      const char *gcore_argv[] = { "gcore", "-o", prefix, pid, NULL };
      int wait_status = 0;

      g_assert_true (g_spawn_sync (NULL, (char **) gcore_argv, NULL, G_SPAWN_SEARCH_PATH |
                                   G_SPAWN_STDOUT_TO_DEV_NULL | G_SPAWN_STDERR_TO_DEV_NULL,
                                   NULL, NULL, NULL, NULL, &wait_status, &error));
      g_assert_no_error (error);
      fx->core_by_gcore = TRUE;
    }
  g_subprocess_send_signal (process, SIGSEGV);
  g_assert_true (g_subprocess_communicate_finish (process, calsync_test_spin (&result), &out_bytes, &err_bytes,
                                                  &error));
  g_assert_no_error (error);
  g_assert_true (g_subprocess_get_if_signaled (process));
  g_assert_cmpint (g_subprocess_get_term_sig (process), ==, SIGSEGV);
  calsync_fake_graph_release_stalled (fx->graph);

  add_source (fx, "stdout", "--sync (crashed)", out_bytes);
  add_source (fx, "stderr", "--sync (crashed)", err_bytes);
  snapshot_database (fx, "the crash");

  core_path = find_core (core_dir);
  CALSYNC_CHECK (core_path != NULL, "no core dump in %s (core_pattern sends it elsewhere?)", core_dir);
  mapped = g_mapped_file_new (core_path, FALSE, &error);
  g_assert_no_error (error);
  core = g_mapped_file_get_bytes (mapped);
  g_assert_cmpuint (g_bytes_get_size (core), >, 1024 * 1024);
  g_test_message ("core dump of the crashed sync: %s, %" G_GSIZE_FORMAT " bytes (%s)", core_path,
                  g_bytes_get_size (core), by_kernel ? "SIGSEGV under prlimit --core=unlimited" : "gcore");
  add_source (fx, "core", by_kernel ? "kernel core dump" : "gcore", core);
}

/* The test ---------------------------------------------------------------------- */

static void
collect_secrets (Fixture   *fx,
                 GPtrArray *secrets)
{
  struct { const char *name; GPtrArray *list; } lists[] = {
    { "Google issued", calsync_fake_oauth_dup_issued_tokens (calsync_fake_google_get_oauth (fx->google)) },
    { "Google received", calsync_fake_oauth_dup_received_secrets (calsync_fake_google_get_oauth (fx->google)) },
    { "Microsoft issued", calsync_fake_msid_dup_issued_tokens (calsync_fake_graph_get_oauth (fx->graph)) },
    { "Microsoft received", calsync_fake_msid_dup_received_secrets (calsync_fake_graph_get_oauth (fx->graph)) },
  };
  const char *passwords[][2] = {
    { "CalDAV password", fx->dav_password },
    { "CalDAV password (refused)", fx->dav_wrong_password },
    { "CalDAV password (changed on the server)", fx->dav_new_password },
  };

  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    {
      for (guint i = 0; i < lists[l].list->len; i++)
        {
          const char *value = g_ptr_array_index (lists[l].list, i);
          Secret *secret = g_new0 (Secret, 1);

          secret->secret = g_strdup (value);
          if (strstr (value, "fake-code-"))
            secret->name = g_strdup_printf ("%s authorization code #%u", lists[l].name, i);
          else if (strstr (value, "fake-access-"))
            secret->name = g_strdup_printf ("%s access token #%u", lists[l].name, i);
          else if (strstr (value, "fake-refresh-"))
            secret->name = g_strdup_printf ("%s refresh token #%u", lists[l].name, i);
          else if (g_str_equal (value, "fake-client-secret"))
            {
              /* what a sync needs all along: in the core it is still in use */
              secret->name = g_strdup ("Google client secret");
              secret->live = TRUE;
            }
          else
            secret->name = g_strdup_printf ("%s code verifier #%u", lists[l].name, i);
          g_ptr_array_add (secrets, secret);
        }
      g_ptr_array_unref (lists[l].list);
    }
  for (guint i = 0; i < G_N_ELEMENTS (passwords); i++)
    {
      Secret *secret = g_new0 (Secret, 1);

      secret->name = g_strdup (passwords[i][0]);
      secret->secret = g_strdup (passwords[i][1]);
      g_ptr_array_add (secrets, secret);
    }
}

/* What the crashed sync still held on to legitimately: the tokens of each
 * OAuth account current at the crash (the last access and refresh token each
 * fake issued before it) and the CalDAV password then in use */
static void
mark_live (GPtrArray  *secrets,
           const char *prefix)
{
  Secret *last_access = NULL;
  Secret *last_refresh = NULL;

  for (guint i = 0; i < secrets->len; i++)
    {
      Secret *secret = g_ptr_array_index (secrets, i);

      if (!g_str_has_prefix (secret->name, prefix))
        continue;
      if (strstr (secret->name, "access token"))
        last_access = secret;
      else if (strstr (secret->name, "refresh token"))
        last_refresh = secret;
    }
  if (last_access)
    last_access->live = TRUE;
  if (last_refresh)
    last_refresh->live = TRUE;
}

static void
test_scan (Fixture       *fx,
           gconstpointer  data)
{
  g_autoptr(JsonArray) accounts = NULL;
  g_autoptr(JsonObject) report = NULL;
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);
  g_autoptr(GPtrArray) needles = NULL;
  g_autoptr(GHashTable) bytes_per_kind = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GString) found = g_string_new (NULL);
  g_autofree char *server = g_strdup_printf ("--server=%s", calsync_radicale_get_url (fx->radicale));
  g_autofree char *wrong = g_strconcat (fx->dav_wrong_password, "\n", NULL);
  g_autofree char *right = g_strconcat (fx->dav_password, "\n", NULL);
  g_autofree char *google_calendar = NULL;
  g_autofree char *outlook_calendar = NULL;
  g_autofree char *dav_calendar = NULL;
  g_autofree char *export_arg = NULL;
  g_autofree char *out = NULL;
  g_autofree char *err = NULL;
  g_autofree char *delete_arg = NULL;
  guint live_hits = 0, env_hits = 0, total_hits = 0, core_hits = 0;
  Scanner scanner;
  CalsyncFakeOAuth *oauth = calsync_fake_google_get_oauth (fx->google);
  CalsyncFakeMsid *msid = calsync_fake_graph_get_oauth (fx->graph);
  guint refreshes_before;
  gint64 start = g_get_monotonic_time ();

  /* Sign-ins */
  sign_in (fx, "google", "Connected " GOOGLE_EMAIL);
  sign_in (fx, "outlook", "Connected " MS_USER);
  g_assert_cmpint (RUN (fx, wrong, NULL, &err, "--add-account=caldav", server, "--username=" DAV_USER), !=, 0);
  CALSYNC_CHECK (strstr (err, "refused") != NULL, "the wrong CalDAV password was not refused: %s", err);
  g_clear_pointer (&err, g_free);
  g_assert_cmpint (RUN (fx, right, NULL, &err, "--add-account=caldav", server, "--username=" DAV_USER), ==, 0);
  g_clear_pointer (&err, g_free);

  /* Accounts */
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, "--list-accounts"), ==, 0);
  accounts = list_accounts (fx);
  google_calendar = calendar_of (accounts, "google");
  outlook_calendar = calendar_of (accounts, "outlook");
  dav_calendar = calendar_of (accounts, "caldav");

  /* Syncs: the first, as text, and after a 401 (a refresh each) */
  report = sync_json (fx, 0, "the first sync");
  g_clear_pointer (&report, json_object_unref);
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, "--sync"), ==, 0);
  refreshes_before = calsync_fake_oauth_get_n_refreshes (oauth) + calsync_fake_msid_get_n_refreshes (msid);
  calsync_fake_oauth_expire_access_tokens (oauth);
  calsync_fake_msid_expire_access_tokens (msid);
  report = sync_json (fx, 0, "the sync after a 401");
  g_clear_pointer (&report, json_object_unref);
  g_assert_cmpuint (calsync_fake_oauth_get_n_refreshes (oauth) + calsync_fake_msid_get_n_refreshes (msid), >=,
                    refreshes_before + 2);

  /* Two-way: imports pushed, a delete pushed */
  import_into (fx, google_calendar, "push-google", "Pushed to Google", 22);
  import_into (fx, outlook_calendar, "push-outlook", "Pushed to Outlook", 23);
  import_into (fx, dav_calendar, "push-dav", "Pushed to CalDAV", 24);
  report = sync_json (fx, 0, "the sync that pushes");
  g_clear_pointer (&report, json_object_unref);
  g_assert_cmpuint (calsync_fake_graph_get_n_writes (fx->graph), >=, 1);
  {
    g_autoptr(JsonArray) agenda = calsync_test_june_agenda (fx->dir);
    gint64 id = 0;

    for (guint i = 0; i < json_array_get_length (agenda); i++)
      {
        JsonObject *event = json_array_get_object_element (agenda, i);

        if (g_strcmp0 (json_object_get_string_member (event, "title"), "Pushed to Google") == 0)
          id = g_ascii_strtoll (json_object_get_string_member (event, "id"), NULL, 10);
      }
    g_assert_cmpint (id, >, 0);
    delete_arg = g_strdup_printf ("--delete-event=%" G_GINT64_FORMAT, id);
  }
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, delete_arg), ==, 0);
  report = sync_json (fx, 0, "the sync that pushes a delete");
  g_clear_pointer (&report, json_object_unref);

  /* Reading commands */
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, "--agenda", "--from=2026-06-01", "--to=2026-07-01"), ==, 0);
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, "--agenda", "--from=2026-06-01", "--to=2026-07-01", "--json"), ==, 0);
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, "--next"), ==, 0);
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, "--next", "--json"), ==, 0);
  {
    /* each synced calendar to a file, and one to stdout */
    const char *calendars[] = { google_calendar, outlook_calendar, dav_calendar };
    const char *titles[] = { "Google review", "Pushed to Outlook", "CalDAV lunch" };

    for (guint i = 0; i < G_N_ELEMENTS (calendars); i++)
      {
        g_autofree char *calendar = g_strconcat ("--calendar=", calendars[i], NULL);
        g_autofree char *path = g_strdup_printf ("%s/export-%u.ics", fx->work, i);
        g_autofree char *arg = g_strconcat ("--export=", path, NULL);
        g_autofree char *text = NULL;

        g_assert_cmpint (RUN (fx, NULL, NULL, NULL, arg, calendar, "--from=2026-06-01", "--to=2026-07-01"), ==, 0);
        g_assert_true (g_file_get_contents (path, &text, NULL, NULL));
        CALSYNC_CHECK (strstr (text, titles[i]) != NULL, "“%s” not exported:\n%s", titles[i], text);
        add_text_source (fx, "export", path, text);
      }
    export_arg = g_strconcat ("--calendar=", outlook_calendar, NULL);
    g_clear_pointer (&out, g_free);
    g_assert_cmpint (RUN (fx, NULL, &out, NULL, "--export=-", export_arg, "--from=2026-06-01", "--to=2026-07-01"),
                     ==, 0);
    g_assert_nonnull (strstr (out, "Pushed to Outlook"));
    add_text_source (fx, "export", "--export=-", out);
  }

  /* A sync that refreshed, crashed mid-push */
  if (UNDER_ASAN)
    g_test_message ("no core dump under AddressSanitizer: the crash is scanned in the plain builds");
  else
    crash_a_sync (fx, outlook_calendar);
  {
    /* the tokens current at the crash (mark_live below) are the last issued so far */
    g_autoptr(GPtrArray) at_crash = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);

    collect_secrets (fx, at_crash);
    mark_live (at_crash, "Google issued");
    mark_live (at_crash, "Microsoft issued");
    for (guint i = 0; i < at_crash->len; i++)
      {
        Secret *secret = g_ptr_array_index (at_crash, i);

        if (g_str_equal (secret->name, "CalDAV password"))
          secret->live = TRUE;
      }
    g_ptr_array_extend_and_steal (secrets, g_steal_pointer (&at_crash));
  }

  /* Refusals: revoked refresh tokens, a password changed on the server */
  calsync_fake_oauth_revoke (oauth, GOOGLE_EMAIL);
  calsync_fake_oauth_expire_access_tokens (oauth);
  calsync_fake_msid_revoke (msid, MS_USER);
  set_dav_password (fx, fx->dav_new_password);
  g_clear_pointer (&out, g_free);
  g_assert_cmpint (RUN (fx, NULL, &out, NULL, "--sync", "--json"), !=, 0);
  g_clear_pointer (&accounts, json_array_unref);
  accounts = list_accounts (fx);
  g_assert_true (json_object_get_boolean_member (account_of (accounts, "google"), "needsReconnect"));
  g_assert_true (json_object_get_boolean_member (account_of (accounts, "outlook"), "needsReconnect"));
  g_assert_true (json_object_get_boolean_member (account_of (accounts, "caldav"), "needsReconnect"));
  g_assert_cmpint (RUN (fx, NULL, NULL, NULL, "--sync"), !=, 0);

  /* Removal */
  {
    const char *providers[] = { "google", "outlook", "caldav" };

    for (guint i = 0; i < G_N_ELEMENTS (providers); i++)
      {
        g_autofree char *arg = g_strconcat ("--remove-account=",
                                            json_object_get_string_member (account_of (accounts, providers[i]), "id"),
                                            NULL);

        g_assert_cmpint (RUN (fx, NULL, NULL, NULL, arg), ==, 0);
      }
  }

  /* Everything the fakes issued or received since (none should be new) */
  {
    g_autoptr(GPtrArray) now = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);

    collect_secrets (fx, now);
    for (guint i = 0; i < now->len; i++)
      {
        Secret *secret = g_ptr_array_index (now, i);
        gboolean known = FALSE;

        for (guint j = 0; j < secrets->len && !known; j++)
          known = g_str_equal (((Secret *) g_ptr_array_index (secrets, j))->secret, secret->secret);
        if (!known)
          g_ptr_array_add (secrets, g_memdup2 (secret, sizeof *secret)), secret->name = NULL, secret->secret = NULL;
      }
  }

  /* The scan */
  needles = build_needles (secrets);
  scanner_init (&scanner, needles);
  for (guint i = 0; i < fx->sources->len; i++)
    {
      Source *source = g_ptr_array_index (fx->sources, i);
      ScanState state = { secrets, source, g_bytes_get_data (source->bytes, NULL), g_bytes_get_size (source->bytes),
                          0, 0, 0, 0, found };
      gsize total = GPOINTER_TO_SIZE (g_hash_table_lookup (bytes_per_kind, source->kind));

      scanner_scan (&scanner, state.data, state.size, on_hit, &state);
      g_hash_table_insert (bytes_per_kind, source->kind, GSIZE_TO_POINTER (total + state.size));
      total_hits += state.hits;
      core_hits += state.core_hits;
      live_hits += state.live_hits;
      env_hits += state.env_hits;
    }
  scanner_clear (&scanner);

  {
    const char *kinds[] = { "stdout", "stderr", "database", "wal", "shm", "export", "core" };
    guint n_secrets[4] = { 0 };

    for (guint i = 0; i < secrets->len; i++)
      {
        const char *name = ((Secret *) g_ptr_array_index (secrets, i))->name;

        n_secrets[strstr (name, "token") ? 0 : strstr (name, "password") ? 1 : strstr (name, "verifier") ? 2 : 3]++;
      }
    g_test_message ("secrets looked for: %u tokens, %u passwords, %u code verifiers, %u codes and client secrets "
                    "(%u byte patterns)", n_secrets[0], n_secrets[1], n_secrets[2], n_secrets[3], needles->len);
    for (guint i = 0; i < G_N_ELEMENTS (kinds); i++)
      {
        gsize bytes = GPOINTER_TO_SIZE (g_hash_table_lookup (bytes_per_kind, kinds[i]));

        g_test_message ("scanned %-8s %12" G_GSIZE_FORMAT " bytes", kinds[i], bytes);
        /* The WAL and its index may have been checkpointed to nothing at
         * every snapshot (a slow run): scanned when there, not required */
        CALSYNC_CHECK (bytes > 0 || (UNDER_ASAN && g_str_equal (kinds[i], "core")) ||
                       g_str_equal (kinds[i], "wal") || g_str_equal (kinds[i], "shm"),
                       "nothing of kind %s was scanned", kinds[i]);
      }
    g_test_message ("hits: %u (%u of them in the core); in the core, secrets the crashed sync still used: %u, "
                    "the test's environment: %u (%.1f s)", total_hits, core_hits, live_hits, env_hits,
                    (g_get_monotonic_time () - start) / 1e6);
  }
  /* The core too: what libraries copied and freed (libsoup's serialized
   * request head with a superseded access token, before the app wiped its
   * heap on free: src/calsync-wipe-on-free.c) is gone */
  CALSYNC_CHECK (total_hits == 0, "%u secrets found:\n%s", total_hits, found->str);
}

/* The scanner finds what it should (else 0 hits would prove nothing) */
static void
test_scanner (void)
{
  g_autoptr(GPtrArray) secrets = g_ptr_array_new_with_free_func ((GDestroyNotify) secret_free);
  g_autoptr(GPtrArray) needles = NULL;
  Secret *secret = g_new0 (Secret, 1);
  g_autofree char *basic = NULL;
  g_autofree char *escaped = NULL;
  g_autofree char *shifted = NULL;
  g_autoptr(GString) haystack = g_string_new ("nothing here ");
  Source source = { (char *) "stdout", (char *) "test", NULL };
  ScanState state = { secrets, &source, NULL, 0, 0, 0, 0, 0, g_string_new (NULL) };
  Scanner scanner;

  secret->name = g_strdup ("CalDAV password");
  secret->secret = g_strdup ("pw+1234/abcd=xyz");
  g_ptr_array_add (secrets, secret);
  needles = build_needles (secrets);

  basic = g_base64_encode ((const guchar *) DAV_USER ":pw+1234/abcd=xyz", strlen (DAV_USER ":pw+1234/abcd=xyz"));
  escaped = g_uri_escape_string (secret->secret, NULL, FALSE);
  shifted = g_base64_encode ((const guchar *) "{\"p\":\"pw+1234/abcd=xyz\"}", 24);
  g_string_append_printf (haystack, "Basic %s; q=%s; j=%s; raw %s", basic, escaped, shifted, secret->secret);

  scanner_init (&scanner, needles);
  state.data = (const guint8 *) haystack->str;
  state.size = haystack->len;
  scanner_scan (&scanner, state.data, state.size, on_hit, &state);
  scanner_clear (&scanner);
  g_assert_cmpuint (state.hits, >=, 4);
  g_string_free (state.report, TRUE);
}

int
main (int    argc,
      char **argv)
{
  if (!calsync_test_sync_init (&argc, &argv))
    return 77;
  g_test_add_func ("/secrets-scan/scanner", test_scanner);
  if (!calsync_radicale_available ())
    calsync_test_skip_all ("no Radicale (apt install radicale)");
  g_test_add ("/secrets-scan/every-command", Fixture, NULL, fixture_set_up, test_scan, fixture_tear_down);
  return g_test_run ();
}
