/*
 * tpl-pystr.c - Python's str() and repr() of template values, as Jinja2 prints them: like
 * val_to_pystr/val_to_pyrepr, except that lists flagged TPL_TUPLE print as tuples.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "template/tpl-eval.h"

static void add_repr(const struct val *v, struct buf *out);

static bool has_tuple(const struct val *v)
{
    if (v->flags & TPL_TUPLE) {
        return true;
    }
    if (v->type == VAL_LIST) {
        for (size_t i = 0; i < val_list_len(v); i++) {
            if (has_tuple(val_list_get(v, i))) {
                return true;
            }
        }
    } else if (v->type == VAL_DICT) {
        for (size_t i = 0; i < val_dict_len(v); i++) {
            if (has_tuple(val_dict_value_at(v, i))) {
                return true;
            }
        }
    }
    return false;
}

static void add_list(const struct val *v, struct buf *out)
{
    bool tuple = v->flags & TPL_TUPLE;
    size_t n = val_list_len(v);

    buf_addc(out, tuple ? '(' : '[');
    for (size_t i = 0; i < n; i++) {
        if (i) {
            buf_adds(out, ", ");
        }
        add_repr(val_list_get(v, i), out);
    }
    if (tuple && n == 1) {
        buf_addc(out, ',');
    }
    buf_addc(out, tuple ? ')' : ']');
}

static void add_dict(const struct val *v, struct buf *out)
{
    buf_addc(out, '{');
    for (size_t i = 0; i < val_dict_len(v); i++) {
        struct val key = { .type = VAL_STR };

        if (i) {
            buf_adds(out, ", ");
        }
        key.u.s.ptr = (char *)val_dict_key_at(v, i);
        key.u.s.len = strlen(key.u.s.ptr);
        val_to_pyrepr(&key, out);
        buf_adds(out, ": ");
        add_repr(val_dict_value_at(v, i), out);
    }
    buf_addc(out, '}');
}

static void add_repr(const struct val *v, struct buf *out)
{
    if (!has_tuple(v)) {
        val_to_pyrepr(v, out);
    } else if (v->type == VAL_LIST) {
        add_list(v, out);
    } else {
        add_dict(v, out);
    }
}

void tpl_pyrepr(const struct val *v, struct buf *out)
{
    add_repr(v, out);
}

void tpl_pystr(const struct val *v, struct buf *out)
{
    if (v->type == VAL_STR) {
        buf_add(out, v->u.s.ptr, v->u.s.len);
    } else {
        add_repr(v, out);
    }
}
