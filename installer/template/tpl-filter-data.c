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

/* A string json.dumps would copy as is between quotes (printable ASCII without '"' or '\\'). */
static bool json_plain(const struct val *v)
{
    for (size_t i = 0; i < v->u.s.len; i++) {
        unsigned char ch = (unsigned char)v->u.s.ptr[i];

        if (ch < 0x20 || ch >= 0x7F || ch == '"' || ch == '\\') {
            return false;
        }
    }
    return true;
}

/* json.dumps(a, indent=..., sort_keys=..., ensure_ascii=...) as Ansible's to_json calls it. */
static struct val *dump_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a,
                             int def_indent, bool def_sort)
{
    struct val *ind = tpl_arg(a, SIZE_MAX, "indent"), *sk = tpl_arg(a, SIZE_MAX, "sort_keys");
    struct val *ea = tpl_arg(a, SIZE_MAX, "ensure_ascii");
    unsigned flags = 0;
    struct buf b = BUF_INIT;

    if (tpl_check_args(c, "to_json", a, 0, "indent,sort_keys,ensure_ascii,separators") < 0) {
        return NULL;
    }
    if (v->type == VAL_STR && json_plain(v)) { /* the common case, without the generic writer */
        buf_grow(&b, v->u.s.len + 2);
        buf_addc(&b, '"');
        buf_add(&b, v->u.s.ptr, v->u.s.len);
        buf_addc(&b, '"');
        return tpl_str_from_buf(&b);
    }
    if (sk ? val_truthy(sk) : def_sort) {
        flags |= VAL_JSON_SORT_KEYS;
    }
    if (!ea || val_truthy(ea)) {
        flags |= VAL_JSON_ENSURE_ASCII;
    }
    val_to_json(v, &b, ind && ind->type == VAL_INT ? (int)ind->u.i : def_indent, flags);
    return tpl_str_from_buf(&b);
}

static struct val *f_to_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return dump_json(c, v, a, -1, false);
}

static struct val *f_to_nice_json(struct tpl_ctx *c, struct val *v, const struct tpl_args *a)
{
    return dump_json(c, v, a, 4, true);
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
                       "indent,width,default_flow_style,sort_keys,explicit_start") < 0) {
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
    { 0 },
};
