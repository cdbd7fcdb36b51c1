/*
 * fuzz-ini.c - libFuzzer target for installer/inventory/inv-ini.c: loads the input as an Ansible
 * INI inventory through inv_load_ini(), finishes it, and produces what `pot inventory --list`
 * and `--graph` print. Any crash, sanitizer report or leak is a bug; parse errors are expected.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "inventory/inv.h"
#include "value/val-json.h"
#include "value/val.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    struct inventory *inv;
    struct val *list;
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
    inv = inv_new();
    if (inv_load_ini(inv, text, "hosts", &err) == 0 && inv_finish(inv, &err) == 0) {
        list = inv_list(inv, NULL);
        val_to_json(list, &out, 4, VAL_JSON_SORT_KEYS);
        val_unref(list);
        inv_graph(inv_find_group(inv, "all"), NULL, &out);
    }
    inv_free(inv);
    buf_release(&out);
    free(text);
    return 0;
}
