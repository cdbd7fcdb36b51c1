/*
 * tpl-filter-data.c - serialisation and encoding filters: to_json, to_nice_json, from_json,
 * to_yaml, to_nice_yaml, from_yaml, b64encode, b64decode, hash, checksum/sha1, md5.
 */
#include "pot.h"
#include <string.h>
#include "base/b64.h"
#include "base/buf.h"
#include "base/digest.h"
#include "value/val-json.h"
#include "value/val-yaml-emit.h"
#include "value/val-yaml.h"
#include "template/tpl-eval.h"

static struct val *need_str(struct tpl_ctx *c, struct val *v, const char *filter)
{
    if (v->type != VAL_STR) {
        return tpl_fail(c, "%s expects a string, got %s", filter, val_type_name(v->type));
    }
    return v;
}

/* Bytes json.dumps copies as they are between quotes: printable ASCII but '"' and '\\'. */
static const bool json_plain_byte[256] = {
    [' '] = 1, ['!'] = 1, ['#' ... '['] = 1, [']' ... '~'] = 1,
};

/* Appends "s" when json.dumps would copy the string as is between quotes; otherwise returns
 * false having appended nothing. */
static bool json_plain_into(const char *s, size_t len, struct buf *out)
{
    char *o;

    buf_grow(out, len + 2);
    o = out->ptr + out->len;
    *o++ = '"';
    for (size_t i = 0; i < len; i++) {
        if (!json_plain_byte[(unsigned char)s[i]]) {
            out->ptr[out->len] = '\0';
            return false;
        }
        o[i] = s[i];
    }
    o[len] = '"';
    out->len += len + 2;
    out->ptr[out->len] = '\0';
    return true;
}

/* json.dumps(v) on one line, unsorted, for values made of None, bools, ints, plain strings, lists
 * and dicts: byte for byte what val_to_json writes for them, without its per-character escaping
 * and printf. Returns false on anything else (doubles, strings needing escapes, deep nesting),
 * having appended part of it: the caller truncates and uses val_to_json. */
static bool json_simple(const struct val *v, struct buf *out, int depth)
{
    size_t n;

    switch (v->type) {
    case VAL_NULL:
        buf_add(out, "null", 4);
        return true;
    case VAL_BOOL:
        buf_add(out, v->u.b ? "true" : "false", v->u.b ? 4 : 5);
        return true;
    case VAL_INT:
        tpl_add_int(out, v->u.i);
        return true;
    case VAL_STR:
        return json_plain_into(v->u.s.ptr, v->u.s.len, out);
    case VAL_LIST:
        if (depth > 32) {
            return false;
        }
        buf_addc(out, '[');
        for (size_t i = 0; i < val_list_len(v); i++) {
            if (i) {
                buf_add(out, ", ", 2);
            }
            if (!json_simple(val_list_get(v, i), out, depth + 1)) {
                return false;
            }
        }
        buf_addc(out, ']');
        return true;
    case VAL_DICT:
        if (depth > 32) {
            return false;
        }
        buf_addc(out, '{');
        n = val_dict_len(v);
        for (size_t i = 0; i < n; i++) {
            const char *key = val_dict_key_at(v, i);

            if (i) {
                buf_add(out, ", ", 2);
            }
            if (!json_plain_into(key, strlen(key), out)) {
                return false;
            }
            buf_add(out, ": ", 2);
            if (!json_simple(val_dict_value_at(v, i), out, depth + 1)) {
                return false;
            }
        }
        buf_addc(out, '}');
        return true;
    default:
        return false;
    }
}

/* json.dumps(a, indent=..., sort_keys=..., ensure_ascii=...) as Ansible's to_json calls it,
 * appended to 'out'; -1 (nothing appended) after tpl_fail(). */
static int dump_json_into(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                          int def_indent, bool def_sort, struct buf *out)
{
    struct val *ind, *sk, *ea;
    unsigned flags = 0;
    size_t mark = out->len;
    int indent;

    if (tpl_check_args(c, "to_json", a, 0, "indent,sort_keys,ensure_ascii,separators") < 0 ||
        tpl_check_defined(c, v) < 0) {
        return -1;
    }
    if (v->type == VAL_STR && json_plain_into(v->u.s.ptr, v->u.s.len, out)) {
        return 0; /* the common case, without the generic writer */
    }
    ind = tpl_arg(a, SIZE_MAX, "indent");
    sk = tpl_arg(a, SIZE_MAX, "sort_keys");
    ea = tpl_arg(a, SIZE_MAX, "ensure_ascii");
    indent = ind && ind->type == VAL_INT ? (int)ind->u.i : def_indent;
    if (sk ? val_truthy(sk) : def_sort) {
        flags |= VAL_JSON_SORT_KEYS;
    }
    if (!ea || val_truthy(ea)) {
        flags |= VAL_JSON_ENSURE_ASCII;
    }
    if (v->type != VAL_STR && indent < 0 && !(flags & VAL_JSON_SORT_KEYS)) {
        if (json_simple(v, out, 0)) {
            return 0;
        }
        buf_truncate(out, mark);
    }
    val_to_json(v, out, indent, flags);
    return 0;
}

static struct val *dump_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                             int def_indent, bool def_sort)
{
    struct buf b = BUF_INIT;

    if (dump_json_into(c, v, a, def_indent, def_sort, &b) < 0) {
        return NULL;
    }
    return tpl_str_from_buf(&b);
}

static struct val *f_to_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return dump_json(c, v, a, -1, false);
}

static int out_to_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, struct buf *out)
{
    return dump_json_into(c, v, a, -1, false, out) < 0 ? -1 : 1;
}

static int out_to_nice_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                            struct buf *out)
{
    return dump_json_into(c, v, a, 4, true, out) < 0 ? -1 : 1;
}

static struct val *f_to_nice_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return dump_json(c, v, a, 4, true);
}

/* tojson(indent=None): Jinja's htmlsafe_json_dumps, keys sorted and <, >, &, ' escaped. */
static struct val *f_tojson(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *ind = tpl_arg(a, 0, "indent");
    struct buf json = BUF_INIT, out = BUF_INIT;

    if (tpl_check_args(c, "tojson", a, 1, "indent") < 0 || tpl_check_defined(c, v) < 0) {
        return NULL;
    }
    val_to_json(v, &json, ind && ind->type == VAL_INT ? (int)ind->u.i : -1,
                VAL_JSON_SORT_KEYS | VAL_JSON_ENSURE_ASCII);
    for (size_t i = 0; i < json.len; i++) {
        const char *esc = strchr("<>&'", json.ptr[i]) && json.ptr[i] ? "\\u00" : NULL;

        if (esc) {
            buf_addf(&out, "%s%02x", esc, (unsigned char)json.ptr[i]);
        } else {
            buf_addc(&out, json.ptr[i]);
        }
    }
    buf_release(&json);
    return tpl_str_from_buf(&out);
}

static struct val *f_from_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct err e = ERR_INIT;
    struct val *r;

    (void)a;
    if (!need_str(c, v, "from_json")) {
        return NULL;
    }
    r = val_from_json(v->u.s.ptr, v->u.s.len, "<from_json>", &e);
    return r ? r : tpl_fail(c, "from_json: %s", e.msg);
}

static struct val *f_from_yaml(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct err e = ERR_INIT;
    struct val *r;

    (void)a;
    if (!need_str(c, v, "from_yaml")) {
        return NULL;
    }
    r = val_from_yaml(v->u.s.ptr, v->u.s.len, "<from_yaml>", &e);
    return r ? r : tpl_fail(c, "from_yaml: %s", e.msg);
}

static struct val *dump_yaml(struct tpl_ctx *c, struct val *v, const struct tpl_args *a, bool nice)
{
    struct val_yaml_emit_opts o = { .indent = nice ? 4 : 2, .width = 80, .flow = nice ? 0 : -1,
                                    .sort_keys = true };
    struct val *ind = tpl_arg(a, nice ? 0 : SIZE_MAX, "indent"), *w = tpl_arg(a, SIZE_MAX, "width");
    struct val *fs = tpl_arg(a, SIZE_MAX, "default_flow_style");
    struct val *sk = tpl_arg(a, SIZE_MAX, "sort_keys");
    struct buf b = BUF_INIT;

    if (tpl_check_args(c, nice ? "to_nice_yaml" : "to_yaml", a, nice ? 1 : 0,
                       "indent,width,default_flow_style,sort_keys,explicit_start") < 0 ||
        tpl_check_defined(c, v) < 0) {
        return NULL;
    }
    if (ind && ind->type == VAL_INT && ind->u.i > 1 && ind->u.i < 10) {
        o.indent = (int)ind->u.i;
    }
    if (w && w->type == VAL_INT) {
        o.width = w->u.i > 1 << 30 ? 1 << 30 : (int)w->u.i;
    }
    if (fs && !nice) {
        o.flow = fs->type == VAL_NULL ? -1 : val_truthy(fs);
    }
    if (sk) {
        o.sort_keys = val_truthy(sk);
    }
    if (val_to_yaml(v, &b, &o) < 0) {
        buf_release(&b);
        return tpl_fail(c, "%s: the value cannot be written as YAML (invalid UTF-8?)",
                        nice ? "to_nice_yaml" : "to_yaml");
    }
    return tpl_str_from_buf(&b);
}

static struct val *f_to_yaml(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return dump_yaml(c, v, a, false);
}

static struct val *f_to_nice_yaml(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return dump_yaml(c, v, a, true);
}

static struct val *f_b64encode(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *s = tpl_to_str(v);
    struct buf b = BUF_INIT;

    (void)c;
    (void)a;
    b64_encode(&b, s->u.s.ptr, s->u.s.len);
    val_unref(s);
    return tpl_str_from_buf(&b);
}

static struct val *f_b64decode(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct buf b = BUF_INIT;

    (void)a;
    if (!need_str(c, v, "b64decode")) {
        return NULL;
    }
    if (b64_decode(&b, v->u.s.ptr, v->u.s.len) < 0) {
        buf_release(&b);
        return tpl_fail(c, "b64decode: invalid base64 input");
    }
    return tpl_str_from_buf(&b);
}

static struct val *digest(struct tpl_ctx *c, struct val *v, const char *algo)
{
    struct val *s = tpl_to_str(v);
    char hex[129];
    int rc = digest_hex(algo, s->u.s.ptr, s->u.s.len, hex, sizeof(hex));

    val_unref(s);
    if (rc < 0) {
        return tpl_fail(c, "unknown hash type '%s'", algo);
    }
    return val_str(hex);
}

static struct val *f_hash(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    struct val *t = tpl_arg(a, 0, "hashtype");

    if (t && t->type != VAL_STR) {
        return tpl_fail(c, "hash: the hash type must be a string");
    }
    return digest(c, v, t ? t->u.s.ptr : "sha1");
}

static struct val *f_sha1(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    (void)a;
    return digest(c, v, "sha1");
}

static struct val *f_md5(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    (void)a;
    return digest(c, v, "md5");
}

const struct tpl_filter tpl_filters_data[] = {
    { "b64decode", f_b64decode, 0 },
    { "b64encode", f_b64encode, 0 },
    { "checksum", f_sha1, 0 },
    { "from_json", f_from_json, 0 },
    { "from_yaml", f_from_yaml, 0 },
    { "hash", f_hash, 0 },
    { "md5", f_md5, 0 },
    { "sha1", f_sha1, 0 },
    { "to_json", f_to_json, 0 },
    { "to_nice_json", f_to_nice_json, 0 },
    { "to_nice_yaml", f_to_nice_yaml, 0 },
    { "to_yaml", f_to_yaml, 0 },
    { "tojson", f_tojson, 0 },
    { 0 },
};

const struct tpl_filter_out tpl_filter_outs_data[] = {
    { f_to_json, out_to_json },
    { f_to_nice_json, out_to_nice_json },
    { 0 },
};
