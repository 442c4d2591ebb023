/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-ical-select.c: which VEVENTs of a file become events, and the
 * problems an import reports.
 *
 * Files in the wild hold VEVENTs that cannot be read, the same UID more than
 * once (an update after the original), VEVENTs without a UID. Each VEVENT is
 * judged on its own, as the sync engine judges the events of a page: of the
 * VEVENTs with one UID and RECURRENCE-ID the current revision is kept (RFC
 * 5545 3.8.7.4 and RFC 5546 2.1.5: the higher SEQUENCE, then the later
 * DTSTAMP; then the later in the file); when that one cannot be read it is
 * skipped and reported, never replaced by an older revision. */
#define G_LOG_DOMAIN "calsync-ical"

#include "config.h"

#include <glib/gi18n.h>
#include <libical/ical.h>

#include "calsync-ical.h"
#include "calsync-ical-private.h"

/* Problems ------------------------------------------------------------------------- */

void
calsync_ical_problem_free (CalsyncIcalProblem *problem)
{
  if (problem == NULL)
    return;

  g_free (problem->cause);
  g_free (problem->message);
  g_free (problem);
}

/* @cause is "Line N: what is wrong", @done what was done about it */
void
calsync_ical_add_problem (Parser                 *self,
                          CalsyncIcalProblemKind  kind,
                          const GError           *cause,
                          const char             *done)
{
  CalsyncIcalProblem *problem = g_new0 (CalsyncIcalProblem, 1);

  problem->kind = kind;
  problem->line = calsync_ical_error_get_line (cause);
  problem->code = cause->domain == CALSYNC_ICAL_ERROR ? cause->code : CALSYNC_ICAL_ERROR_INVALID;
  problem->cause = g_strdup (cause->message);
  /* Translators: what is wrong ("Line 40: …"), then what was done ("event skipped") */
  problem->message = g_strdup_printf (C_("ical problem", "%s, %s"), cause->message, done);
  g_ptr_array_add (self->problems, problem);
}

/* A tolerance: the event is imported, with @done said about it */
void
calsync_ical_warn (Parser     *self,
                   guint       line,
                   const char *done,
                   const char *format,
                   ...)
{
  g_autoptr(GError) cause = NULL;
  g_autofree char *detail = NULL;
  va_list args;

  va_start (args, format);
  detail = g_strdup_vprintf (format, args);
  va_end (args);

  calsync_ical_set_line_error (&cause, CALSYNC_ICAL_ERROR_INVALID, line, "%s", detail);
  calsync_ical_add_problem (self, CALSYNC_ICAL_PROBLEM_WARNING, cause, done);
}

/* What is said when a VEVENT is skipped: a master's overrides stay, as
 * single instances (an invitation to one occurrence is read the same way),
 * and an override's occurrence is left as the series has it */
static void
report_skipped (Parser       *self,
                const GError *cause,
                gboolean      is_override,
                gboolean      has_master,
                guint         n_overrides)
{
  g_autofree char *done = NULL;

  if (is_override && has_master)
    done = g_strdup (_("changed occurrence skipped, the series shows it unchanged"));
  else if (!is_override && n_overrides > 0)
    done = g_strdup_printf (g_dngettext (GETTEXT_PACKAGE,
                                         "repeating event skipped, its changed occurrence imported on its own",
                                         "repeating event skipped, its %u changed occurrences imported on their own",
                                         n_overrides),
                            n_overrides);
  else
    done = g_strdup (_("event skipped"));

  calsync_ical_add_problem (self, CALSYNC_ICAL_PROBLEM_SKIPPED, cause, done);
}

/* UIDs ------------------------------------------------------------------------------ */

/* "calsync-" and the SHA-256 of the VEVENT's unfolded lines (@start to @end)
 * but DTSTAMP, which exporters set to the time of the export: importing the
 * same file, or a new export of the same events, finds the same UIDs */
void
calsync_ical_derive_uid (EventInfo  *info,
                         const char *start,
                         const char *end)
{
  g_autoptr(GChecksum) checksum = g_checksum_new (G_CHECKSUM_SHA256);
  g_autoptr(GString) buffer = g_string_sized_new (256);
  Reader reader = { start, end, info->begin, buffer };
  guint line;

  while (calsync_ical_reader_next (&reader, &line))
    {
      ContentLine content;

      if (calsync_ical_is_blank (buffer->str) ||
          (calsync_ical_split_content_line (buffer->str, &content) && g_str_equal (content.name, "DTSTAMP")))
        continue;

      g_checksum_update (checksum, (const guchar *) buffer->str, (gssize) buffer->len);
      g_checksum_update (checksum, (const guchar *) "\n", 1);
    }

  g_free (info->uid);
  info->uid = g_strconcat ("calsync-", g_checksum_get_string (checksum), NULL);
  info->derived_uid = TRUE;
}

/* One warning for all the VEVENTs without UID, at the first: files that lack
 * them lack them everywhere */
static void
warn_derived_uids (Parser *self)
{
  guint first = 0, n = 0;

  for (guint i = 0; i < self->events->len; i++)
    {
      const EventInfo *info = &g_array_index (self->events, EventInfo, i);

      if (info->derived_uid && n++ == 0)
        first = info->begin;
    }

  if (n == 1)
    calsync_ical_warn (self, first, _("given one made from its content"), _("the event has no UID"));
  else if (n > 1)
    calsync_ical_warn (self, first, _("each given one made from its content"),
                       g_dngettext (GETTEXT_PACKAGE, "this event and %u more have no UID",
                                    "this event and %u more have no UID", n - 1),
                       n - 1);
}

static void
warn_empty_rrule (Parser          *self,
                  const EventInfo *info)
{
  gboolean recurs = info->rrules->len > 0 || info->rdates->len > 0;

  calsync_ical_warn (self, info->empty_rrule,
                     recurs ? _("the empty rule ignored") : _("imported without recurrence"),
                     _("%s has no value"), "RRULE");
}

/* Revisions ------------------------------------------------------------------------- */

/* What identifies an override among the revisions of a file: its UID and its
 * RECURRENCE-ID as written (a master: its UID) */
static char *
override_key (const EventInfo *info)
{
  const struct icaltimetype *t = &info->recurrence_id.time;

  return g_strdup_printf ("%s\x1f%04d%02d%02d%c%02d%02d%02d%s\x1f%s", info->uid,
                          t->year, t->month, t->day, t->is_date ? 'D' : 'T', t->hour, t->minute, t->second,
                          icaltime_is_utc (*t) ? "Z" : "",
                          info->recurrence_id.tzid != NULL ? info->recurrence_id.tzid : "");
}

/* Whether @info, later in the file, replaces @earlier */
static gboolean
is_newer (const EventInfo *info,
          const EventInfo *earlier)
{
  if (info->sequence != earlier->sequence)
    return info->sequence > earlier->sequence;
  if (info->dtstamp != earlier->dtstamp)
    return info->dtstamp > earlier->dtstamp;
  return TRUE;
}

/* selected[i]: whether VEVENT i is the current revision; FALSE when none is
 * replaced (most files) */
static gboolean
select_revisions (Parser   *self,
                  gboolean *selected)
{
  g_autoptr(GHashTable) masters = g_hash_table_new (g_str_hash, g_str_equal);
  g_autoptr(GHashTable) overrides = g_hash_table_new_full (g_str_hash, g_str_equal, g_free, NULL);
  gboolean replaced = FALSE;

  for (guint i = 0; i < self->events->len; i++)
    {
      const EventInfo *info = &g_array_index (self->events, EventInfo, i);
      char *key = info->has_recurrence_id ? override_key (info) : info->uid;
      GHashTable *current = info->has_recurrence_id ? overrides : masters;
      guint earlier = GPOINTER_TO_UINT (g_hash_table_lookup (current, key));

      selected[i] = earlier == 0 || is_newer (info, &g_array_index (self->events, EventInfo, earlier - 1));
      replaced |= earlier != 0;
      if (!selected[i])
        {
          if (info->has_recurrence_id)
            g_free (key);
          continue;
        }

      if (earlier != 0)
        selected[earlier - 1] = FALSE;
      g_hash_table_replace (current, key, GUINT_TO_POINTER (i + 1));
    }

  return replaced;
}

/* Broken VEVENTs ------------------------------------------------------------------------- */

/* The readable VEVENTs of a UID */
typedef struct
{
  gboolean has_master;
  guint n_overrides;
} Readable;

static GHashTable *
count_readable (Parser         *self,
                const gboolean *selected)
{
  GHashTable *readable = g_hash_table_new_full (g_str_hash, g_str_equal, NULL, g_free);

  for (guint i = 0; i < self->events->len; i++)
    {
      const EventInfo *info = &g_array_index (self->events, EventInfo, i);
      Readable *counts;

      if (!selected[i] || info->problem != NULL)
        continue;

      if ((counts = g_hash_table_lookup (readable, info->uid)) == NULL)
        g_hash_table_insert (readable, info->uid, (counts = g_new0 (Readable, 1)));
      if (info->has_recurrence_id)
        counts->n_overrides++;
      else
        counts->has_master = TRUE;
    }

  return readable;
}

static void
report_unreadable (Parser         *self,
                   const gboolean *selected)
{
  g_autoptr(GHashTable) readable = count_readable (self, selected);

  for (guint i = 0; i < self->events->len; i++)
    {
      const EventInfo *info = &g_array_index (self->events, EventInfo, i);
      const Readable *counts;
      static const Readable none = { FALSE, 0 };

      if (!selected[i] || info->problem == NULL)
        continue;

      if ((counts = g_hash_table_lookup (readable, info->uid)) == NULL)
        counts = &none;
      report_skipped (self, info->problem, info->has_recurrence_id, counts->has_master, counts->n_overrides);
    }
}

/* Leaves the events that are @kept, in their order */
static void
keep_events (Parser         *self,
             const gboolean *kept)
{
  GArray *events = self->events;
  guint n = 0;

  for (guint i = 0; i < events->len; i++)
    {
      EventInfo *info = &g_array_index (events, EventInfo, i);

      if (!kept[i])
        calsync_ical_event_info_clear (info);
      else if (n++ != i)
        g_array_index (events, EventInfo, n - 1) = *info;
    }

  /* Past @n, everything was moved or cleared already */
  g_array_set_clear_func (events, NULL);
  g_array_set_size (events, n);
  g_array_set_clear_func (events, calsync_ical_event_info_clear);
}

/**
 * calsync_ical_select_events:
 *
 * Leaves in self->events the VEVENTs to read: the current revision of each,
 * when it could be read. The others that could not be read are reported, as
 * are the tolerances of the ones left (empty RRULE, no UID).
 */
void
calsync_ical_select_events (Parser *self)
{
  g_autofree gboolean *selected = g_new0 (gboolean, self->events->len);
  g_autofree gboolean *kept = g_new0 (gboolean, self->events->len);
  gboolean replaced = select_revisions (self, selected);
  gboolean unreadable = FALSE;

  for (guint i = 0; i < self->events->len; i++)
    {
      const EventInfo *info = &g_array_index (self->events, EventInfo, i);

      kept[i] = selected[i] && info->problem == NULL;
      unreadable |= selected[i] && info->problem != NULL;
      if (kept[i] && info->empty_rrule != 0)
        warn_empty_rrule (self, info);
    }

  if (unreadable)
    report_unreadable (self, selected);
  warn_derived_uids (self);
  /* (Most files: every VEVENT is kept) */
  if (replaced || unreadable)
    keep_events (self, kept);
}

/* Series that fail while they are expanded ------------------------------------ */

/**
 * calsync_ical_drop_broken:
 * @master: (inout): the series' master, or %NULL
 * @overrides: (element-type EventInfo): the series' overrides
 * @error: why the series could not be expanded
 *
 * Takes out of a series the VEVENT that @error names a line of, and reports
 * it skipped; the rest of the series is then expanded again.
 */
void
calsync_ical_drop_broken (Parser           *self,
                          const EventInfo **master,
                          GPtrArray        *overrides,
                          const GError     *error)
{
  guint line = calsync_ical_error_get_line (error);
  const EventInfo *culprit = (*master != NULL && (*master)->begin <= line) ? *master : NULL;
  guint index = G_MAXUINT;

  g_assert (*master != NULL || overrides->len > 0);

  /* VEVENTs do not nest: the line is in the last one to begin before it */
  for (guint i = 0; i < overrides->len; i++)
    {
      const EventInfo *info = g_ptr_array_index (overrides, i);

      if (info->begin <= line && (culprit == NULL || info->begin > culprit->begin))
        culprit = info, index = i;
    }

  if (culprit == NULL && *master == NULL)
    index = 0;

  if (index == G_MAXUINT)
    {
      report_skipped (self, error, FALSE, FALSE, overrides->len);
      *master = NULL;
      return;
    }

  report_skipped (self, error, TRUE, *master != NULL, 0);
  g_ptr_array_remove_index (overrides, index);
}
