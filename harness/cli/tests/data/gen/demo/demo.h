/* A small API for the generator's golden test: a handle, buffers in and out, a value domain,
 * memory handed to the caller and a struct the caller reads. */
#include <stddef.h>
#include <stdint.h>

#define DEMO_MODE_FAST 1
#define DEMO_MODE_SAFE 2

typedef struct demo demo;
typedef struct demo_info {
    uint32_t items;
    uint32_t bytes;
} demo_info;

demo *demo_new(int mode);
void demo_free(demo *d);
int demo_put(demo *d, const uint8_t *data, size_t len);
size_t demo_get(demo *d, uint8_t *out, size_t cap);
int demo_dump(demo *d, char **text, size_t *text_len);
void demo_text_free(char *text);
int demo_info_get(const demo *d, demo_info *info);
int demo_find(const demo *d, const char *needle);
