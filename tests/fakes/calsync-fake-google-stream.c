/* SPDX-License-Identifier: GPL-3.0-or-later */
/* calsync-fake-google-stream.c: how the fake Google's answers are written —
 * gzip when the request allows it, as Google's "Performance tips" describe, and
 * the bodies of hostile faults: one nested 200 KiB deep, one that trickles a
 * byte at a time, one with a field of hundreds of megabytes generated as it is
 * sent (chunked encoding, one chunk in flight, never held whole in memory). */
#define G_LOG_DOMAIN "calsync-fake-google"

#include "config.h"

#include <string.h>

#include "calsync-fake-google-private.h"

#define NESTING_SIZE (200 * 1024)
#define HUGE_CHUNK_SIZE (64 * 1024)
/* A trickle lasts at least this long before the page itself comes */
#define TRICKLE_PADDING_MS (10 * 60 * 1000)
#define GZIP_LEVEL 1

/* gzip ------------------------------------------------------------------------ */

static gboolean
accepts_gzip (const char *accept_encoding)
{
  GSList *unacceptable = NULL;
  GSList *acceptable = soup_header_parse_quality_list (accept_encoding, &unacceptable);
  gboolean gzip = FALSE, star = FALSE, refused = FALSE;

  for (GSList *l = acceptable; l != NULL; l = l->next)
    {
      gzip |= g_ascii_strcasecmp (l->data, "gzip") == 0 || g_ascii_strcasecmp (l->data, "x-gzip") == 0;
      star |= g_str_equal (l->data, "*");
    }
  for (GSList *l = unacceptable; l != NULL; l = l->next)
    refused |= g_ascii_strcasecmp (l->data, "gzip") == 0;

  soup_header_free_list (acceptable);
  soup_header_free_list (unacceptable);
  return gzip || (star && !refused);
}

/* Whether the answer to @msg is to be gzipped (see CalsyncFakeGzip) */
gboolean
calsync_fake_google_wants_gzip (CalsyncFakeGoogle *self,
                                SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_request_headers (msg);
  const char *accept = soup_message_headers_get_list (headers, "Accept-Encoding");
  const char *agent = soup_message_headers_get_one (headers, "User-Agent");

  if (self->gzip == CALSYNC_FAKE_GZIP_NEVER || accept == NULL || !accepts_gzip (accept))
    return FALSE;

  return self->gzip == CALSYNC_FAKE_GZIP_WHEN_ACCEPTED || (agent != NULL && strstr (agent, "gzip") != NULL);
}

/* Feeds @size bytes to @compressor; appends what comes out to @out */
static void
compress_into (GConverter      *compressor,
               const char      *data,
               gsize            size,
               GConverterFlags  flags,
               GString         *out)
{
  char buffer[16384];
  GConverterResult result;

  do
    {
      gsize read = 0, written = 0;
      g_autoptr(GError) error = NULL;

      result = g_converter_convert (compressor, data, size, buffer, sizeof buffer, flags,
                                    &read, &written, &error);
      if (result == G_CONVERTER_ERROR)
        g_error ("Fake Google cannot gzip: %s", error->message);
      g_string_append_len (out, buffer, written);
      data += read;
      size -= read;
    }
  while (size > 0 || (result != G_CONVERTER_FINISHED && result != G_CONVERTER_FLUSHED));
}

static void
mark_gzipped (CalsyncFakeGoogle *self,
              SoupServerMessage *msg)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);

  soup_message_headers_replace (headers, "Content-Encoding", "gzip");
  self->n_gzipped++;
}

/**
 * calsync_fake_google_respond:
 * @body: (transfer full): the JSON answer
 *
 * Answers @msg with @status and @body as application/json, gzipped when the
 * request allows it.
 */
void
calsync_fake_google_respond (CalsyncFakeGoogle *self,
                             SoupServerMessage *msg,
                             guint              status,
                             GString           *body)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  gsize size;
  char *data;

  soup_message_headers_append (headers, "Vary", "Origin, X-Origin, Referer, Accept-Encoding");
  if (calsync_fake_google_wants_gzip (self, msg))
    {
      g_autoptr(GZlibCompressor) gzip = g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, GZIP_LEVEL);
      GString *compressed = g_string_sized_new (body->len / 4 + 64);

      compress_into (G_CONVERTER (gzip), body->str, body->len, G_CONVERTER_INPUT_AT_END, compressed);
      g_string_free (body, TRUE);
      body = compressed;
      mark_gzipped (self, msg);
    }

  size = body->len;
  data = g_string_free (body, FALSE);
  soup_server_message_set_status (msg, status, NULL);
  soup_server_message_set_response (msg, "application/json; charset=UTF-8", SOUP_MEMORY_TAKE, data, size);
}

/* 200 KiB of '[': a parser without a depth limit recurses until its stack ends */
void
calsync_fake_google_respond_nested (CalsyncFakeGoogle *self,
                                    SoupServerMessage *msg)
{
  GString *body = g_string_sized_new (NESTING_SIZE);

  for (guint i = 0; i < NESTING_SIZE; i++)
    g_string_append_c (body, '[');
  calsync_fake_google_respond (self, msg, 200, body);
}

/* Streams ---------------------------------------------------------------------- */

/* A body sent in three parts: @head, @filler bytes of @filler_char (generated),
 * then @tail; @piece bytes at a time, on a timer or whenever the last chunk is
 * out. */
struct _FakeStream
{
  CalsyncFakeGoogle *self;     /* borrowed: it owns the stream */
  SoupServerMessage *msg;
  GConverter *gzip;            /* NULL: identity */
  GString *head;
  guint64 filler;
  char filler_char;
  GString *tail;
  guint64 position;            /* in the whole body, before compression */
  gsize piece;
  guint timeout_id;
  gulong wrote_chunk_id;
  gulong finished_id;
  gulong disconnected_id;
};

void
fake_stream_free (FakeStream *stream)
{
  g_clear_handle_id (&stream->timeout_id, g_source_remove);
  g_clear_signal_handler (&stream->wrote_chunk_id, stream->msg);
  g_clear_signal_handler (&stream->finished_id, stream->msg);
  g_clear_signal_handler (&stream->disconnected_id, stream->msg);
  g_clear_object (&stream->msg);
  g_clear_object (&stream->gzip);
  g_string_free (stream->head, TRUE);
  g_string_free (stream->tail, TRUE);
  g_free (stream);
}

static guint64
stream_size (FakeStream *stream)
{
  return stream->head->len + stream->filler + stream->tail->len;
}

/* Appends the next @stream->piece bytes of the body to @out; returns their number */
static gsize
next_piece (FakeStream *stream,
            GString    *out)
{
  static char filler[HUGE_CHUNK_SIZE];
  guint64 end = MIN (stream_size (stream), stream->position + stream->piece);
  guint64 start = stream->position;
  guint64 head_end = stream->head->len;
  guint64 filler_end = head_end + stream->filler;

  if (start < head_end)
    g_string_append_len (out, stream->head->str + start, MIN (end, head_end) - start);
  if (end > head_end && start < filler_end)
    {
      guint64 from = MAX (start, head_end), to = MIN (end, filler_end);

      memset (filler, stream->filler_char, MIN (sizeof filler, to - from));
      for (guint64 p = from; p < to; p += sizeof filler)
        g_string_append_len (out, filler, MIN (sizeof filler, to - p));
    }
  if (end > filler_end)
    {
      guint64 from = MAX (start, filler_end);

      g_string_append_len (out, stream->tail->str + (from - filler_end), end - from);
    }

  stream->position = end;
  return end - start;
}

/* Sends the next chunk, or ends the body; returns whether there is more */
static gboolean
stream_write (FakeStream *stream)
{
  SoupMessageBody *body = soup_server_message_get_response_body (stream->msg);
  g_autoptr(GString) raw = g_string_new (NULL);
  g_autoptr(GString) out = g_string_new (NULL);
  gboolean more;

  stream->self->streamed_bytes += next_piece (stream, raw);
  more = stream->position < stream_size (stream);
  if (stream->gzip != NULL)
    compress_into (stream->gzip, raw->str, raw->len,
                   more ? G_CONVERTER_FLUSH : G_CONVERTER_INPUT_AT_END, out);
  else
    g_string_append_len (out, raw->str, raw->len);

  /* An empty chunk would end the body */
  if (out->len > 0)
    soup_message_body_append (body, SOUP_MEMORY_COPY, out->str, out->len);
  if (!more)
    soup_message_body_complete (body);
  soup_server_message_unpause (stream->msg);
  return more;
}

static void
stream_done (FakeStream *stream)
{
  g_ptr_array_remove_fast (stream->self->streams, stream);
}

static gboolean
on_trickle_tick (gpointer user_data)
{
  FakeStream *stream = user_data;

  if (stream_write (stream))
    return G_SOURCE_CONTINUE;

  stream->timeout_id = 0;
  return G_SOURCE_REMOVE;
}

static void
on_wrote_chunk (SoupServerMessage *msg,
                FakeStream        *stream)
{
  if (stream->position < stream_size (stream))
    stream_write (stream);
}

static void
on_stream_finished (SoupServerMessage *msg,
                    FakeStream        *stream)
{
  stream_done (stream);
}

/* Starts @stream on @msg: 200, chunked, gzip when allowed */
static FakeStream *
stream_start (CalsyncFakeGoogle *self,
              SoupServerMessage *msg,
              GString           *head,
              guint64            filler,
              char               filler_char,
              GString           *tail)
{
  SoupMessageHeaders *headers = soup_server_message_get_response_headers (msg);
  FakeStream *stream = g_new0 (FakeStream, 1);

  stream->self = self;
  stream->msg = g_object_ref (msg);
  stream->head = head;
  stream->filler = filler;
  stream->filler_char = filler_char;
  stream->tail = tail;
  if (calsync_fake_google_wants_gzip (self, msg))
    {
      stream->gzip = G_CONVERTER (g_zlib_compressor_new (G_ZLIB_COMPRESSOR_FORMAT_GZIP, GZIP_LEVEL));
      mark_gzipped (self, msg);
    }

  soup_server_message_set_status (msg, 200, NULL);
  soup_message_headers_set_content_type (headers, "application/json; charset=UTF-8", NULL);
  soup_message_headers_set_encoding (headers, SOUP_ENCODING_CHUNKED);
  soup_message_body_set_accumulate (soup_server_message_get_response_body (msg), FALSE);
  stream->finished_id = g_signal_connect (msg, "finished", G_CALLBACK (on_stream_finished), stream);
  stream->disconnected_id = g_signal_connect (msg, "disconnected", G_CALLBACK (on_stream_finished), stream);
  g_ptr_array_add (self->streams, stream);
  soup_server_message_pause (msg);
  return stream;
}

/**
 * calsync_fake_google_respond_trickle:
 * @body: (transfer full): the page
 *
 * 200 and the headers at once; then @body one byte per trickle interval, its
 * opening brace followed by enough whitespace to last TRICKLE_PADDING_MS.
 */
void
calsync_fake_google_respond_trickle (CalsyncFakeGoogle *self,
                                     SoupServerMessage *msg,
                                     GString           *body)
{
  GString *head = g_string_new_len (body->str, 1);
  GString *tail = g_string_new (body->str + 1);
  FakeStream *stream;

  g_string_free (body, TRUE);
  stream = stream_start (self, msg, head, TRICKLE_PADDING_MS / self->trickle_interval_ms + 1, ' ', tail);
  stream->piece = 1;
  stream->timeout_id = g_timeout_add (self->trickle_interval_ms, on_trickle_tick, stream);
}

/**
 * calsync_fake_google_respond_huge:
 * @head: (transfer full): the page up to the start of the huge summary
 * @tail: (transfer full): the rest of the page after it
 *
 * Streams @head, huge-field-size bytes of summary, then @tail, one 64 KiB chunk
 * (before compression) at a time, the next one when the last was written.
 */
void
calsync_fake_google_respond_huge (CalsyncFakeGoogle *self,
                                  SoupServerMessage *msg,
                                  GString           *head,
                                  GString           *tail)
{
  FakeStream *stream = stream_start (self, msg, head, self->huge_field_size, 'x', tail);

  stream->piece = HUGE_CHUNK_SIZE;
  stream->wrote_chunk_id = g_signal_connect (msg, "wrote-chunk", G_CALLBACK (on_wrote_chunk), stream);
  stream_write (stream);
}
