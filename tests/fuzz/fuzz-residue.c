/*
 * fuzz-residue.c - libFuzzer target for installer/residue/residue-snap.c and residue-compare.c:
 * the input is a .snap file; a snapshot that parses must format back to text that parses to the
 * same text again, and compare with itself without a difference. Also feeds the input to
 * residue_snapshot_add_lines as collector output. Any crash, sanitizer report, leak or broken
 * round trip is a bug; parse errors are expected.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/vec.h"
#include "residue/residue.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static void round_trip(const char *text)
{
    struct residue_snapshot s, again;
    struct err err = ERR_INIT;
    struct buf first = BUF_INIT, second = BUF_INIT;
    struct svec diffs = SVEC_INIT;

    if (residue_snapshot_parse(&s, text, "fuzz.snap", &err) == 0) {
        residue_snapshot_format(&s, &first);
        if (residue_snapshot_parse(&again, first.ptr, "again.snap", &err) != 0) {
            abort(); /* what pot wrote, pot cannot read */
        }
        residue_snapshot_format(&again, &second);
        if (first.len != second.len || memcmp(first.ptr, second.ptr, first.len) != 0) {
            abort(); /* the round trip changed the text */
        }
        residue_compare(&s, &again, &diffs);
        if (diffs.len != 0) {
            abort(); /* a snapshot differs from its own copy */
        }
        residue_snapshot_release(&again);
    }
    residue_snapshot_release(&s);
    svec_release(&diffs);
    buf_release(&first);
    buf_release(&second);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct residue_snapshot s;
    struct err err = ERR_INIT;
    char *text;

    if (size > 1 << 16) {
        return 0;
    }
    text = malloc(size + 1);
    if (!text) {
        return 0;
    }
    memcpy(text, data, size);
    text[size] = '\0';
    round_trip(text);
    residue_snapshot_init(&s, "fuzz", "2024-01-01T00:00:00Z");
    residue_snapshot_add_lines(&s, text, "fuzz collector", &err);
    residue_snapshot_release(&s);
    free(text);
    return 0;
}
