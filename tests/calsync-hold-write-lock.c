/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-hold-write-lock.c: another process writing to a CalSync database, for
 * the tests: takes the write lock (BEGIN IMMEDIATE and an UPDATE), says "locked"
 * on stdout, holds it until stdin closes or the given seconds pass, then rolls
 * back and says "released".
 *
 * Usage: calsync-hold-write-lock DATABASE [SECONDS]  (default 3) */
#include <errno.h>
#include <poll.h>
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

static const char sql_lock[] =
  "BEGIN IMMEDIATE;"
  "UPDATE events SET title = title WHERE id = (SELECT MIN(id) FROM events);";

static int
fail (sqlite3    *db,
      const char *what)
{
  fprintf (stderr, "calsync-hold-write-lock: %s: %s\n", what, db ? sqlite3_errmsg (db) : "out of memory");
  sqlite3_close (db);
  return 1;
}

/* Until stdin closes (or says anything) or @ms pass */
static void
wait_for_stdin (int ms)
{
  struct pollfd fd = { .fd = STDIN_FILENO, .events = POLLIN };
  int rc;

  do
    rc = poll (&fd, 1, ms);
  while (rc < 0 && errno == EINTR);
}

int
main (int    argc,
      char **argv)
{
  sqlite3 *db = NULL;
  double seconds = argc > 2 ? atof (argv[2]) : 3.0;

  if (argc < 2 || seconds <= 0)
    {
      fprintf (stderr, "Usage: %s DATABASE [SECONDS]\n", argv[0]);
      return 2;
    }

  if (sqlite3_open_v2 (argv[1], &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK)
    return fail (db, "open");

  sqlite3_busy_timeout (db, 5000);
  if (sqlite3_exec (db, sql_lock, NULL, NULL, NULL) != SQLITE_OK)
    return fail (db, "lock");

  printf ("locked\n");
  fflush (stdout);

  wait_for_stdin ((int) (seconds * 1000));

  if (sqlite3_exec (db, "ROLLBACK", NULL, NULL, NULL) != SQLITE_OK)
    return fail (db, "roll back");

  printf ("released\n");
  fflush (stdout);
  sqlite3_close (db);
  return 0;
}
