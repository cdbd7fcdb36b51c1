/*
 * fuzz-yaml.c - libFuzzer target for installer/value/val-yaml.c: parses the input as YAML and,
 * when it parses, emits the value as JSON (compact and pretty, sorted, ASCII-only) and as YAML.
 * Any crash, sanitizer report or leak is a bug; parse errors are expected.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "value/val-json.h"
#include "value/val-yaml-emit.h"
#include "value/val-yaml.h"
#include "value/val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct val_yaml_emit_opts yo = { .indent = 2, .width = 80, .flow = 0, .sort_keys = true };
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
    v = val_from_yaml(text, size, "fuzz.yml", &err);
    if (v) {
        val_to_json(v, &out, -1, 0);
        val_to_json(v, &out, 2, VAL_JSON_SORT_KEYS | VAL_JSON_ENSURE_ASCII);
        val_to_yaml(v, &out, &yo);
        val_unref(v);
    }
    buf_release(&out);
    free(text);
    return 0;
}
