/* seeded: see seeded.h and ../README.md. Each bug is marked with BUG(<class>). */
#include "seeded.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

struct seeded_store {
    uint32_t cap;
    uint8_t *data; /* cap bytes, the first len initialised */
    size_t len;
    const uint8_t *cursor;
    uint8_t *payload; /* last parsed record payload */
    size_t payload_len;
    char *name;
    seeded_header hdr;
};

seeded_store *seeded_open(uint32_t capacity) {
    if (capacity == 0 || capacity > 65536)
        return NULL;
    seeded_store *s = calloc(1, sizeof *s);
    if (!s)
        return NULL;
    s->cap = capacity;
    s->data = malloc(capacity); /* deliberately not zeroed */
    if (!s->data) {
        free(s);
        return NULL;
    }
    return s;
}

void seeded_close(seeded_store *s) {
    if (!s)
        return;
    free(s->data);
    free(s->payload);
    free(s->name);
    free(s);
}

int seeded_write(seeded_store *s, const uint8_t *data, size_t len) {
    if (!s || (!data && len))
        return -1;
    size_t room = s->cap - s->len;
    size_t n = len < room ? len : room;
    memcpy(s->data + s->len, data, n);
    s->len += n;
    return (int)n;
}

static uint32_t read_u32le(const uint8_t *p) {
    return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

int seeded_parse(seeded_store *s, const uint8_t *rec, size_t len) {
    if (!s || !rec || len < 8)
        return -1;
    if (read_u32le(rec) != SEEDED_MAGIC)
        return -1;
    if (rec[4] != SEEDED_RECORD_VERSION)
        return -1;
    size_t declared = (size_t)rec[6] | (size_t)rec[7] << 8;
    size_t body = len - 8;
#ifdef SEEDED_FIX_OVERFLOW
    if (body > declared)
        return -1;
#endif
    uint8_t *payload = malloc(declared ? declared : 1);
    if (!payload)
        return -1;
    /* BUG(heap-buffer-overflow): copies the bytes present, not the bytes declared. */
    memcpy(payload, rec + 8, body);
    free(s->payload);
    s->payload = payload;
    s->payload_len = declared;
    s->hdr.kind = rec[5];
    s->hdr.length = declared;
    return (int)declared;
}

void seeded_set_kind(seeded_store *s, uint32_t kind, uint16_t flags) {
    if (!s)
        return;
    s->hdr.kind = kind;
    s->hdr.flags = flags;
    s->hdr.tag = (uint16_t)(kind * 31u);
}

int seeded_header_get(const seeded_store *s, seeded_header *out) {
    if (!s || !out)
        return -1;
    out->kind = s->hdr.kind;
    out->flags = s->hdr.flags;
    out->tag = s->hdr.tag;
    out->length = s->len;
#ifndef SEEDED_FIX_LAYOUT
    /* BUG(layout): the v2 field is written past the end of a caller's v1-sized struct. */
    if (s->hdr.flags & SEEDED_HDR_CHECKSUM)
        out->checksum = seeded_checksum(s, s->len);
#endif
    return 0;
}

int seeded_mark(seeded_store *s, size_t off) {
    if (!s || off >= s->len)
        return -1;
    s->cursor = s->data + off;
    return 0;
}

int seeded_peek(const seeded_store *s) {
    if (!s || !s->cursor)
        return -1;
    /* BUG(use-after-free) lands here: the cursor may point into bytes handed out by take. */
    return *s->cursor;
}

int seeded_take(seeded_store *s, uint8_t **out, size_t *out_len) {
    if (!s || !out || !out_len || s->len == 0)
        return -1;
    uint8_t *fresh = malloc(s->cap);
    if (!fresh)
        return -1;
    *out = s->data;
    *out_len = s->len;
    s->data = fresh;
    s->len = 0;
#ifdef SEEDED_FIX_UAF
    s->cursor = NULL;
#endif
    /* BUG(use-after-free): the cursor still points into the buffer the caller now owns. */
    return 0;
}

uint8_t *seeded_buf_alloc(size_t len) { return malloc(len ? len : 1); }

void seeded_buf_free(uint8_t *buf) { free(buf); }

int seeded_adopt(seeded_store *s, uint8_t *buf, size_t len) {
    if (!s || !buf)
        return -1;
    if (len > s->cap - s->len) {
#ifndef SEEDED_FIX_DOUBLE_FREE
        /* BUG(double-free): frees a buffer the caller still owns on failure. */
        free(buf);
#endif
        return -1;
    }
    memcpy(s->data + s->len, buf, len);
    s->len += len;
    free(buf);
    return 0;
}

int seeded_set_name(seeded_store *s, const uint8_t *name, size_t len) {
    if (!s || (!name && len))
        return -1;
    char *copy = malloc(len + 1);
    if (!copy)
        return -1;
    memcpy(copy, name, len);
    copy[len] = '\0';
    if (memchr(copy, '\n', len)) {
#ifdef SEEDED_FIX_LEAK
        free(copy);
#endif
        /* BUG(leak): the copy is lost on this error path. */
        return -1;
    }
    free(s->name);
    s->name = copy;
    return 0;
}

uint32_t seeded_checksum(const seeded_store *s, size_t n) {
    if (!s)
        return 0;
#ifdef SEEDED_FIX_UNINIT
    if (n > s->len)
        n = s->len;
#else
    /* BUG(uninitialised read): clamps to the capacity, not to the initialised length. */
    if (n > s->cap)
        n = s->cap;
#endif
    uint32_t sum = 0x811c9dc5u;
    for (size_t i = 0; i < n; i++) {
        sum = (sum ^ s->data[i]) * 0x01000193u;
        if (sum & 1u)
            sum ^= 0xedb88320u;
    }
    return sum;
}

int32_t seeded_scale(const seeded_store *s, int32_t factor) {
    if (!s)
        return 0;
    int32_t total = 0;
    for (size_t i = 0; i < s->len; i++)
        total += s->data[i];
#ifdef SEEDED_FIX_UB
    int64_t wide = (int64_t)total * factor;
    if (wide > INT32_MAX)
        return INT32_MAX;
    if (wide < INT32_MIN)
        return INT32_MIN;
    return (int32_t)wide;
#else
    /* BUG(undefined behaviour): signed overflow for large totals or factors. */
    return total * factor;
#endif
}

/* Largest capacity seeded_reserve grants in the fixed build. */
#define SEEDED_RESERVE_LIMIT (1u << 20)
/* Most rounds seeded_rehash runs in the fixed build. */
#define SEEDED_REHASH_LIMIT 64u

int seeded_reserve(seeded_store *s, uint64_t bytes) {
    if (!s)
        return -1;
    if (bytes <= s->cap)
        return 0;
#ifdef SEEDED_FIX_OOM
    if (bytes > SEEDED_RESERVE_LIMIT)
        return -1;
#endif
    /* BUG(out-of-memory): the requested size is trusted without a limit. */
    uint8_t *grown = realloc(s->data, (size_t)bytes);
    if (!grown)
        return -1;
    if (s->cursor)
        s->cursor = grown + (s->cursor - s->data);
    s->data = grown;
    s->cap = bytes > UINT32_MAX ? UINT32_MAX : (uint32_t)bytes;
    return 0;
}

uint32_t seeded_rehash(seeded_store *s, uint32_t rounds) {
    if (!s)
        return 0;
#ifdef SEEDED_FIX_HANG
    if (rounds > SEEDED_REHASH_LIMIT)
        rounds = SEEDED_REHASH_LIMIT;
#endif
    /* BUG(timeout): rounds is trusted, so the work is unbounded. */
    uint32_t h = 2166136261u;
    for (uint32_t r = 0; r < rounds; r++) {
        for (size_t i = 0; i < s->len; i++)
            h = (h ^ s->data[i]) * 16777619u;
        for (int k = 0; k < 16; k++)
            h = (h ^ (h >> 13)) * 16777619u;
    }
    return h;
}

size_t seeded_describe(const seeded_store *s, char *out, size_t cap) {
    if (!s || !out || cap == 0)
        return 0;
    char hex[2 * 24 + 1];
    size_t shown = s->len < 24 ? s->len : 24;
    for (size_t i = 0; i < shown; i++)
        snprintf(hex + 2 * i, 3, "%02x", s->data[i]);
    hex[2 * shown] = '\0';
    int n = snprintf(out, cap, "store cap=%u len=%zu name=%s data=%s", s->cap, s->len,
                     s->name ? s->name : "-", hex);
    if (n < 0)
        return 0;
#ifdef SEEDED_FIX_DESCRIBE
    if ((size_t)n >= cap)
        return cap - 1;
#endif
    /* BUG(rust-side fault): returns snprintf's would-be length, beyond the bytes written. */
    return (size_t)n;
}
