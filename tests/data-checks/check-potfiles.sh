#!/bin/bash
# SPDX-License-Identifier: GPL-3.0-or-later
# Fails when a file with translatable strings is missing from po/POTFILES.in,
# or when POTFILES.in lists a file that does not exist.
#
# Usage: check-potfiles.sh [SOURCE_ROOT]

set -u

srcdir="${1:-$(dirname "$0")/../..}"
cd "$srcdir" || { echo "cannot enter $srcdir" >&2; exit 2; }

potfiles=po/POTFILES.in
if [ ! -f "$potfiles" ]; then
  echo "FAIL: $potfiles does not exist" >&2
  exit 1
fi

# Marks a C file as translatable: _( N_( C_( NC_( Q_( and the ngettext family.
c_pattern='(^|[^A-Za-z0-9_])(_|N_|C_|NC_|Q_)\(|(^|[^A-Za-z0-9_])(g_)?(d|dc|dp)?n?gettext[[:space:]]*\(|g_dngettext|g_dpgettext2?'

listed=$(sed -e 's/#.*//' -e 's/[[:space:]]*$//' -e '/^$/d' "$potfiles" | sort)

translatable=$(
  {
    find src -type f \( -name '*.c' -o -name '*.h' \) -print0 2>/dev/null |
      xargs -0 -r grep -l -E "$c_pattern"
    find src data -type f -name '*.ui' -not -path 'data/screenshots/*' -print0 2>/dev/null |
      xargs -0 -r grep -l 'translatable="yes"'
    find data -type f \( -name '*.desktop.in' -o -name '*.metainfo.xml.in' \
                         -o -name '*.appdata.xml.in' -o -name '*.gschema.xml' \) \
         -not -path 'data/screenshots/*' 2>/dev/null
  } | sed 's|^\./||' | sort -u
)

status=0

missing=$(comm -23 <(printf '%s\n' "$translatable" | sed '/^$/d') <(printf '%s\n' "$listed"))
if [ -n "$missing" ]; then
  echo "FAIL: files with translatable strings missing from $potfiles:" >&2
  printf '  %s\n' $missing >&2
  status=1
fi

while IFS= read -r f; do
  [ -z "$f" ] && continue
  if [ ! -f "$f" ]; then
    echo "FAIL: $potfiles lists $f, which does not exist" >&2
    status=1
  fi
done <<< "$listed"

dups=$(printf '%s\n' "$listed" | uniq -d)
if [ -n "$dups" ]; then
  echo "FAIL: $potfiles lists these files more than once:" >&2
  printf '  %s\n' $dups >&2
  status=1
fi

if [ "$status" -eq 0 ]; then
  echo "OK: $(printf '%s\n' "$listed" | sed '/^$/d' | wc -l) files in $potfiles, all present, none missing"
fi
exit "$status"
