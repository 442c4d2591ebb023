/* SPDX-License-Identifier: GPL-3.0-or-later */
/* test-manifest.c: checks that the Flatpak manifest org.example.CalSync.json keeps its contract. */
#define G_LOG_DOMAIN "test-manifest"

#include "config.h"

#include <string.h>

#include <glib.h>
#include <json-glib/json-glib.h>

#define MANIFEST_PATH SRCDIR "/org.example.CalSync.json"

static JsonParser *
load_manifest (void)
{
  g_autoptr(JsonParser) parser = json_parser_new ();
  g_autoptr(GError) error = NULL;

  json_parser_load_from_file (parser, MANIFEST_PATH, &error);
  g_assert_no_error (error);
  g_assert_true (JSON_NODE_HOLDS_OBJECT (json_parser_get_root (parser)));

  return g_steal_pointer (&parser);
}

static JsonObject *
manifest_root (JsonParser *parser)
{
  return json_node_get_object (json_parser_get_root (parser));
}

static JsonArray *
manifest_modules (JsonParser *parser)
{
  JsonObject *root = manifest_root (parser);

  g_assert_true (json_object_has_member (root, "modules"));
  return json_object_get_array_member (root, "modules");
}

static gboolean
array_has_string (JsonArray  *array,
                  const char *value)
{
  guint n = json_array_get_length (array);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (array, i);

      if (JSON_NODE_HOLDS_VALUE (node) &&
          g_strcmp0 (json_node_get_string (node), value) == 0)
        return TRUE;
    }

  return FALSE;
}

static gboolean
is_sha256 (const char *text)
{
  if (text == NULL || strlen (text) != 64)
    return FALSE;

  for (const char *p = text; *p != '\0'; p++)
    if (!g_ascii_isxdigit (*p) || g_ascii_isupper (*p))
      return FALSE;

  return TRUE;
}

/* Modules may be inline objects or file names of shared modules; only objects have names. */
static JsonObject *
find_module (JsonArray  *modules,
             const char *name)
{
  guint n = json_array_get_length (modules);

  for (guint i = 0; i < n; i++)
    {
      JsonNode *node = json_array_get_element (modules, i);
      JsonObject *module;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      module = json_node_get_object (node);
      if (g_strcmp0 (json_object_get_string_member_with_default (module, "name", NULL), name) == 0)
        return module;
    }

  return NULL;
}

static void
test_manifest_identity (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  const char *runtime_version;
  guint64 version = 0;

  g_assert_cmpstr (json_object_get_string_member (root, "app-id"), ==, "org.example.CalSync");
  g_assert_cmpstr (json_object_get_string_member (root, "runtime"), ==, "org.gnome.Platform");
  g_assert_cmpstr (json_object_get_string_member (root, "sdk"), ==, "org.gnome.Sdk");
  g_assert_cmpstr (json_object_get_string_member (root, "command"), ==, "calsync");

  /* A stable GNOME runtime, not "master": GNOME 47 and later ship GTK and
   * libadwaita newer than what the code needs. */
  runtime_version = json_object_get_string_member (root, "runtime-version");
  g_assert_nonnull (runtime_version);
  g_assert_true (g_ascii_string_to_unsigned (runtime_version, 10, 47, 999, &version, NULL));

  /* The README's install line names the same runtime */
  {
    g_autofree char *readme = NULL;
    g_autofree char *platform = g_strdup_printf ("org.gnome.Platform//%s org.gnome.Sdk//%s",
                                                 runtime_version, runtime_version);

    g_assert_true (g_file_get_contents (SRCDIR "/README.md", &readme, NULL, NULL));
    g_assert_nonnull (strstr (readme, platform));
  }
}

static void
test_manifest_finish_args (void)
{
  static const char * const required[] = {
    "--share=network",
    "--share=ipc",
    "--socket=wayland",
    "--socket=fallback-x11",
    "--device=dri",
  };
  g_autoptr(JsonParser) parser = load_manifest ();
  JsonObject *root = manifest_root (parser);
  JsonArray *args;

  g_assert_true (json_object_has_member (root, "finish-args"));
  args = json_object_get_array_member (root, "finish-args");

  for (guint i = 0; i < G_N_ELEMENTS (required); i++)
    {
      if (!array_has_string (args, required[i]))
        g_test_fail_printf ("finish-args lacks %s", required[i]);
    }

  /* fallback-x11 only: plain --socket=x11 would keep X11 on under Wayland. */
  g_assert_false (array_has_string (args, "--socket=x11"));
  /* Secrets go through the Secret portal, which libsecret uses by itself in a
   * sandbox (CalSync only calls secret_password_*): no hole to the host's
   * keyring, where every other app's secrets are */
  g_assert_false (array_has_string (args, "--talk-name=org.freedesktop.secrets"));
}

static void
test_manifest_libical (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  JsonObject *libical = find_module (manifest_modules (parser), "libical");
  JsonArray *sources;
  gboolean found_archive = FALSE;

  g_assert_nonnull (libical);
  g_assert_true (json_object_has_member (libical, "sources"));
  sources = json_object_get_array_member (libical, "sources");

  for (guint i = 0; i < json_array_get_length (sources); i++)
    {
      JsonObject *source = json_array_get_object_element (sources, i);
      const char *url;

      if (g_strcmp0 (json_object_get_string_member_with_default (source, "type", NULL), "archive") != 0)
        continue;

      url = json_object_get_string_member_with_default (source, "url", NULL);
      g_assert_nonnull (url);
      g_assert_true (g_str_has_prefix (url, "https://"));
      g_assert_true (is_sha256 (json_object_get_string_member_with_default (source, "sha256", NULL)));
      found_archive = TRUE;
    }

  g_assert_true (found_archive);
}

/* Every downloaded source is pinned: https and a checksum. */
static void
test_manifest_sources_pinned (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  JsonArray *modules = manifest_modules (parser);

  for (guint i = 0; i < json_array_get_length (modules); i++)
    {
      JsonNode *node = json_array_get_element (modules, i);
      JsonArray *sources;

      if (!JSON_NODE_HOLDS_OBJECT (node))
        continue;

      sources = json_object_get_array_member (json_node_get_object (node), "sources");
      for (guint j = 0; sources != NULL && j < json_array_get_length (sources); j++)
        {
          JsonObject *source = json_array_get_object_element (sources, j);
          const char *type = json_object_get_string_member_with_default (source, "type", "");

          if (g_strcmp0 (type, "archive") != 0 && g_strcmp0 (type, "file") != 0)
            continue;
          if (!json_object_has_member (source, "url"))
            continue;

          g_assert_true (g_str_has_prefix (json_object_get_string_member (source, "url"), "https://"));
          g_assert_true (is_sha256 (json_object_get_string_member_with_default (source, "sha256", NULL)));
        }
    }
}

static void
test_manifest_app_module (void)
{
  g_autoptr(JsonParser) parser = load_manifest ();
  JsonArray *modules = manifest_modules (parser);
  guint n = json_array_get_length (modules);
  JsonObject *app;
  JsonArray *sources;
  JsonObject *source;

  g_assert_cmpuint (n, >=, 2);
  app = json_array_get_object_element (modules, n - 1);
  g_assert_nonnull (app);

  g_assert_cmpstr (json_object_get_string_member (app, "name"), ==, "calsync");
  g_assert_cmpstr (json_object_get_string_member (app, "buildsystem"), ==, "meson");

  sources = json_object_get_array_member (app, "sources");
  g_assert_nonnull (sources);
  g_assert_cmpuint (json_array_get_length (sources), ==, 1);

  source = json_array_get_object_element (sources, 0);
  g_assert_cmpstr (json_object_get_string_member (source, "type"), ==, "dir");
  g_assert_cmpstr (json_object_get_string_member (source, "path"), ==, ".");
}

int
main (int   argc,
      char *argv[])
{
  g_test_init (&argc, &argv, NULL);

  g_test_add_func ("/manifest/identity", test_manifest_identity);
  g_test_add_func ("/manifest/finish-args", test_manifest_finish_args);
  g_test_add_func ("/manifest/libical", test_manifest_libical);
  g_test_add_func ("/manifest/sources-pinned", test_manifest_sources_pinned);
  g_test_add_func ("/manifest/app-module", test_manifest_app_module);

  return g_test_run ();
}
