/*
 * extra-vars.c - parsing one -e argument (k=v pairs, an inline mapping, or @FILE) into variables.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "cli/extra-vars.h"
#include "playbook/pb.h"
#include "value/val-yaml.h"
#include "value/val.h"

int cli_add_extra_vars(struct val *vars, const char *arg, struct err *err)
{
    struct val *v = NULL;

    if (arg[0] == '@') {
        v = val_from_yaml_file(arg + 1, err);
    } else if (arg[0] == '{') {
        v = val_from_yaml(arg, strlen(arg), "<extra vars>", err);
    } else {
        v = pb_parse_kv(arg, false, NULL, err);
        if (v && val_dict_has(v, "_raw_params")) {
            val_unref(v);
            return err_set(err, ERR_USAGE, "bad extra vars '%s': expected key=value", arg);
        }
    }
    if (!v) {
        return -1;
    }
    if (v->type != VAL_DICT) {
        val_unref(v);
        return err_set(err, ERR_USAGE, "extra vars '%s' are not a dict", arg);
    }
    for (size_t i = 0; i < val_dict_len(v); i++) {
        val_dict_set(vars, val_dict_key_at(v, i), val_dict_value_at(v, i));
    }
    val_unref(v);
    return 0;
}
