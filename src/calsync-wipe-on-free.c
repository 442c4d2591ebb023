/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-wipe-on-free.c: the app's heap blocks are wiped when they are freed.
 *
 * CalSync wipes its own token and password buffers (calsync_secret_free), but
 * a request passes its credentials through libraries that keep copies out of
 * its reach and free them unwiped: libsoup serializes the request head
 * ("Authorization: Bearer …") into a buffer of its own, GnuTLS encrypts from a
 * plaintext record, GLib's printf and string growth leave copies behind. A
 * core dump (tests/test-secrets-scan.c found a superseded access token in
 * libsoup's freed request head) or any later disclosure of the heap would show
 * them. glibc lets a program replace malloc ("Replacing malloc" in its
 * manual); these replacements keep glibc's own allocator underneath
 * (__libc_malloc and friends) and wipe a block before it goes back to it, so
 * every library of the process is covered.
 *
 * Only in the `calsync` executable (not in the tests' processes), only with
 * glibc, and not under AddressSanitizer, whose runtime replaces malloc itself.
 * Blocks over WIPE_MAX are left as they are: glibc serves them from mmap and
 * unmaps them when freed (image buffers, database pages), and no credential
 * travels in one. A tool that replaces malloc with LD_PRELOAD (heaptrack) sees
 * no frees from this process. */
#include "config.h"

#include <stdlib.h> /* __GLIBC__ */

#if defined(__SANITIZE_ADDRESS__)
#define CALSYNC_UNDER_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CALSYNC_UNDER_ASAN 1
#endif
#endif

#if defined(__GLIBC__) && !defined(CALSYNC_UNDER_ASAN)

#include <malloc.h>
#include <string.h>

#define WIPE_MAX (256 * 1024)

/* glibc's allocator itself, exported for replacements like this one */
extern void *__libc_malloc  (size_t size);
extern void *__libc_calloc  (size_t count, size_t size);
extern void *__libc_realloc (void *block, size_t size);
extern void  __libc_free    (void *block);

void *
malloc (size_t size)
{
  return __libc_malloc (size);
}

void *
calloc (size_t count,
        size_t size)
{
  return __libc_calloc (count, size);
}

void
free (void *block)
{
  size_t size;

  if (block == NULL)
    return;
  size = malloc_usable_size (block);
  if (size <= WIPE_MAX)
    explicit_bzero (block, size);
  __libc_free (block);
}

/* glibc's realloc frees a block it moves (and the tail of one it shrinks)
 * without passing through free(): a moved block is copied and freed here */
void *
realloc (void *block,
         size_t size)
{
  size_t old_size;
  void *moved;

  if (block == NULL)
    return __libc_malloc (size);
  if (size == 0)
    {
      free (block);
      return NULL;
    }

  old_size = malloc_usable_size (block);
  if (old_size > WIPE_MAX)
    return __libc_realloc (block, size);
  if (size <= old_size)
    {
      explicit_bzero ((char *) block + size, old_size - size);
      return __libc_realloc (block, size);
    }

  moved = __libc_malloc (size);
  if (moved == NULL)
    return NULL;
  memcpy (moved, block, old_size);
  free (block);
  return moved;
}

#else

/* Sanitizer builds: their runtime's allocator; nothing to replace */
typedef int calsync_wipe_on_free_unused;

#endif
