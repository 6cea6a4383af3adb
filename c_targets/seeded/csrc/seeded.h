/*
 * seeded: a small record store with one deliberate bug of every class that breaks at a
 * Rust/C boundary. It is seam's test fixture; see ../README.md for the list of bugs, their
 * triggers and the SEEDED_FIX_* defines that remove them.
 */
#ifndef SEEDED_H
#define SEEDED_H

#include <stddef.h>
#include <stdint.h>

#ifdef SEEDED_FIXED
#define SEEDED_FIX_OVERFLOW 1
#define SEEDED_FIX_UAF 1
#define SEEDED_FIX_DOUBLE_FREE 1
#define SEEDED_FIX_LEAK 1
#define SEEDED_FIX_UNINIT 1
#define SEEDED_FIX_LAYOUT 1
#define SEEDED_FIX_UB 1
#define SEEDED_FIX_HANG 1
#define SEEDED_FIX_OOM 1
#define SEEDED_FIX_DESCRIBE 1
#endif

/* Opaque store handle: created by seeded_open, destroyed by seeded_close. */
typedef struct seeded_store seeded_store;

/* Record header shared with the caller; filled by seeded_header_get. */
#define SEEDED_HDR_CHECKSUM 0x8000u
typedef struct seeded_header {
    uint32_t kind;
    uint16_t flags;
    uint16_t tag;
    uint64_t length;
#ifndef SEEDED_FIX_LAYOUT
    uint64_t checksum; /* v2 field: present in C, absent from older bindings */
#endif
} seeded_header;

/* Magic of a serialized record: the bytes "SEAM". */
#define SEEDED_MAGIC 0x4D414553u
#define SEEDED_RECORD_VERSION 2

/* Lifecycle. capacity must be 1..=65536; returns NULL otherwise. */
seeded_store *seeded_open(uint32_t capacity);
void seeded_close(seeded_store *s);

/* Appends len bytes; returns the number stored (short when full), -1 on a bad argument. */
int seeded_write(seeded_store *s, const uint8_t *data, size_t len);

/* Parses a serialized record: "SEAM", version, kind, u16 little-endian payload length, payload.
 * Returns the payload length, -1 when the record is malformed. */
int seeded_parse(seeded_store *s, const uint8_t *rec, size_t len);

/* Sets the header the next seeded_header_get reports. */
void seeded_set_kind(seeded_store *s, uint32_t kind, uint16_t flags);
/* Copies the current header to *out; 0 on success. */
int seeded_header_get(const seeded_store *s, seeded_header *out);

/* Sets a cursor at offset off of the stored bytes; -1 when off is past the end. */
int seeded_mark(seeded_store *s, size_t off);
/* Returns the byte at the cursor, -1 when no cursor is set. */
int seeded_peek(const seeded_store *s);

/* Hands the stored bytes to the caller, who owns them from then on and frees them with
 * seeded_buf_free. The store starts over empty. Returns 0, or -1 when the store is empty. */
int seeded_take(seeded_store *s, uint8_t **out, size_t *out_len);

/* Buffers that cross the boundary are allocated and freed by the library. */
uint8_t *seeded_buf_alloc(size_t len);
void seeded_buf_free(uint8_t *buf);

/* Gives a buffer from seeded_buf_alloc to the store, which then owns it and appends its bytes.
 * On failure (-1) the caller keeps ownership. */
int seeded_adopt(seeded_store *s, uint8_t *buf, size_t len);

/* Names the store; the name must not contain a newline. 0 on success, -1 on a bad name. */
int seeded_set_name(seeded_store *s, const uint8_t *name, size_t len);

/* Checksum of the first n stored bytes. */
uint32_t seeded_checksum(const seeded_store *s, size_t n);

/* Sum of the stored bytes multiplied by factor. */
int32_t seeded_scale(const seeded_store *s, int32_t factor);

/* Grows the capacity to at least bytes. 0 on success, -1 when refused. */
int seeded_reserve(seeded_store *s, uint64_t bytes);

/* Mixes the stored bytes rounds times; returns the mixed value. */
uint32_t seeded_rehash(seeded_store *s, uint32_t rounds);

/* Writes a one-line description into out (at most cap bytes including the NUL, cut short when
 * it does not fit) and returns the number of bytes written, without the NUL. */
size_t seeded_describe(const seeded_store *s, char *out, size_t cap);

#endif
