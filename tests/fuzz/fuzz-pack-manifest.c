/*
 * fuzz-pack-manifest.c - libFuzzer target for installer/pack/pack-manifest.c: the input is a
 * package's MANIFEST; one that parses must format back to text that parses and formats to the
 * same bytes, and compare with itself without a problem. Any crash, sanitizer report, leak or
 * broken round trip is a bug; parse errors are expected.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "pack/pack.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void count(void *ctx, const char *line)
{
    (void)line;
    (*(int *)ctx)++;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pack_manifest m = PACK_MANIFEST_INIT, again = PACK_MANIFEST_INIT;
    struct err err = ERR_INIT;
    struct buf first = BUF_INIT, second = BUF_INIT;
    int problems = 0;

    if (size > 1 << 16) {
        return 0;
    }
    if (pack_manifest_parse(&m, (const char *)data, size, "MANIFEST", &err) == 0) {
        pack_manifest_format(&m, &first);
        if (pack_manifest_parse(&again, first.ptr, first.len, "again", &err) != 0) {
            abort(); /* what pot wrote, pot cannot read */
        }
        pack_manifest_format(&again, &second);
        if (first.len != second.len || memcmp(first.ptr, second.ptr, first.len) != 0) {
            abort(); /* the round trip changed the text */
        }
        if (pack_manifest_compare(&m, &again, count, &problems) != 0 || problems != 0) {
            abort(); /* a manifest differs from its own copy */
        }
    }
    pack_manifest_release(&m);
    pack_manifest_release(&again);
    buf_release(&first);
    buf_release(&second);
    return 0;
}
