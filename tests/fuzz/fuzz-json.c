/*
 * fuzz-json.c - libFuzzer target for installer/value/val-json.c: parses the input as JSON and,
 * when it parses, emits it back (compact; pretty, sorted and ASCII-only). Any crash, sanitizer
 * report or leak is a bug; parse errors are expected.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "value/val-json.h"
#include "value/val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    struct val *v;
    char *text;

    if (size > 1 << 16) {
        return 0;
    }
    text = malloc(size ? size : 1); /* exactly 'size' bytes, no NUL: ASan sees any overread */
    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    v = val_from_json(text, size, "fuzz.json", &err);
    if (v) {
        val_to_json(v, &out, -1, 0);
        val_to_json(v, &out, 4, VAL_JSON_SORT_KEYS | VAL_JSON_ENSURE_ASCII);
        val_unref(v);
    }
    buf_release(&out);
    free(text);
    return 0;
}
