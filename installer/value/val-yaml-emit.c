/*
 * val-yaml-emit.c - struct val -> YAML the way Ansible's to_yaml/to_nice_yaml produce it:
 * ansible-core dumps with AnsibleDumper, which is PyYAML's Python representer/serializer feeding
 * libyaml's C emitter (CSafeDumper). So this file is the representer/serializer part (event
 * styles, implicit-tag flags, sorted keys, flow style for collections of scalars) and drives the
 * same libyaml emitter, which then chooses quoting and folding exactly as in Ansible.
 */
#include "pot.h"
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <string.h>
#include <yaml.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "value/val-yaml-emit.h"
#include "value/val-yaml.h"
#include "value/val.h"

#define TAG_PREFIX "tag:yaml.org,2002:"

static regex_t timestamp_rx;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void compile_rx(void)
{
    if (regcomp(&timestamp_rx,
                "^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
                "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]"
                ":[0-9][0-9](\\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$",
                REG_EXTENDED | REG_NOSUB)) {
        BUG("timestamp regex does not compile");
    }
}

/* PyYAML's resolver: does this text, written plain, read back as a string? */
static bool plain_reads_as_str(const char *s, size_t len)
{
    struct val *v;
    bool is_str;

    if ((len == 2 && memcmp(s, "<<", 2) == 0) || (len == 1 && s[0] == '=')) {
        return false;
    }
    pthread_once(&rx_once, compile_rx);
    if (strlen(s) == len && regexec(&timestamp_rx, s, 0, NULL, 0) == 0) {
        return false;
    }
    v = val_resolve_plain_scalar(s, len);
    is_str = v->type == VAL_STR;
    val_unref(v);
    return is_str;
}

static int write_out(void *data, unsigned char *buffer, size_t size)
{
    buf_add(data, buffer, size);
    return 1;
}

/* SafeRepresenter.represent_float */
static void float_text(double d, struct buf *b)
{
    if (isnan(d)) {
        buf_adds(b, ".nan");
    } else if (isinf(d)) {
        buf_adds(b, d > 0 ? ".inf" : "-.inf");
    } else {
        val_format_double(d, b);
        if (!strchr(b->ptr, '.') && strchr(b->ptr, 'e')) {
            char *fixed = str_replace_all(b->ptr, "e", ".0e");

            buf_reset(b);
            buf_adds(b, fixed);
            free(fixed);
        }
    }
}

static int emit_scalar(yaml_emitter_t *em, const char *tag, const char *text, size_t len,
                       bool plain_implicit, bool quoted_implicit)
{
    yaml_event_t ev;

    yaml_scalar_event_initialize(&ev, NULL, (yaml_char_t *)tag, (yaml_char_t *)text, (int)len,
                                 plain_implicit, quoted_implicit, YAML_ANY_SCALAR_STYLE);
    return yaml_emitter_emit(em, &ev);
}

static int emit_value(yaml_emitter_t *em, const struct val *v, const struct val_yaml_emit_opts *o);

static int emit_str(yaml_emitter_t *em, const char *s, size_t len)
{
    return emit_scalar(em, TAG_PREFIX "str", s, len, plain_reads_as_str(s, len), true);
}

static bool is_collection(const struct val *v)
{
    return v->type == VAL_LIST || v->type == VAL_DICT;
}

/* Representer best_style (default_flow_style=None): flow when every child is a scalar. */
static bool flow_style(const struct val *v, const struct val_yaml_emit_opts *o)
{
    size_t n = v->type == VAL_LIST ? val_list_len(v) : val_dict_len(v);

    if (o->flow >= 0) {
        return o->flow;
    }
    for (size_t i = 0; i < n; i++) {
        if (is_collection(v->type == VAL_LIST ? val_list_get(v, i) : val_dict_value_at(v, i))) {
            return false;
        }
    }
    return true;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int emit_mapping(yaml_emitter_t *em, const struct val *d, const struct val_yaml_emit_opts *o)
{
    size_t n = val_dict_len(d);
    const char **keys = xmalloc((n + 1) * sizeof(*keys));
    yaml_event_t ev;
    int ok = 1;

    for (size_t i = 0; i < n; i++) {
        keys[i] = val_dict_key_at(d, i);
    }
    if (o->sort_keys) {
        qsort(keys, n, sizeof(*keys), cmp_keys);
    }
    yaml_mapping_start_event_initialize(&ev, NULL, (yaml_char_t *)TAG_PREFIX "map", 1,
                                        flow_style(d, o) ? YAML_FLOW_MAPPING_STYLE
                                                         : YAML_BLOCK_MAPPING_STYLE);
    ok = yaml_emitter_emit(em, &ev);
    for (size_t i = 0; i < n && ok; i++) {
        ok = emit_str(em, keys[i], strlen(keys[i])) && emit_value(em, val_dict_get(d, keys[i]), o);
    }
    free(keys);
    yaml_mapping_end_event_initialize(&ev);
    return ok && yaml_emitter_emit(em, &ev);
}

static int emit_sequence(yaml_emitter_t *em, const struct val *l,
                         const struct val_yaml_emit_opts *o)
{
    yaml_event_t ev;
    int ok;

    yaml_sequence_start_event_initialize(&ev, NULL, (yaml_char_t *)TAG_PREFIX "seq", 1,
                                         flow_style(l, o) ? YAML_FLOW_SEQUENCE_STYLE
                                                          : YAML_BLOCK_SEQUENCE_STYLE);
    ok = yaml_emitter_emit(em, &ev);
    for (size_t i = 0; i < val_list_len(l) && ok; i++) {
        ok = emit_value(em, val_list_get(l, i), o);
    }
    yaml_sequence_end_event_initialize(&ev);
    return ok && yaml_emitter_emit(em, &ev);
}

static int emit_value(yaml_emitter_t *em, const struct val *v, const struct val_yaml_emit_opts *o)
{
    struct buf b = BUF_INIT;
    int ok;

    switch (v->type) {
    case VAL_NULL:
        return emit_scalar(em, TAG_PREFIX "null", "null", 4, true, false);
    case VAL_BOOL:
        return emit_scalar(em, TAG_PREFIX "bool", v->u.b ? "true" : "false", v->u.b ? 4 : 5, true,
                           false);
    case VAL_INT:
        buf_addf(&b, "%lld", (long long)v->u.i);
        ok = emit_scalar(em, TAG_PREFIX "int", b.ptr, b.len, true, false);
        buf_release(&b);
        return ok;
    case VAL_DOUBLE:
        float_text(v->u.d, &b);
        ok = emit_scalar(em, TAG_PREFIX "float", b.ptr, b.len, true, false);
        buf_release(&b);
        return ok;
    case VAL_STR:
        return emit_str(em, v->u.s.ptr, v->u.s.len);
    case VAL_LIST:
        return emit_sequence(em, v, o);
    default:
        return emit_mapping(em, v, o);
    }
}

int val_to_yaml(const struct val *v, struct buf *out, const struct val_yaml_emit_opts *opts)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    int ok;

    if (!yaml_emitter_initialize(&em)) {
        BUG("out of memory");
    }
    yaml_emitter_set_output(&em, write_out, out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_indent(&em, opts->indent);
    yaml_emitter_set_width(&em, opts->width);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    ok = yaml_emitter_emit(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    ok = ok && yaml_emitter_emit(&em, &ev);
    ok = ok && emit_value(&em, v, opts);
    yaml_document_end_event_initialize(&ev, 1);
    ok = ok && yaml_emitter_emit(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok = ok && yaml_emitter_emit(&em, &ev);
    ok = ok && yaml_emitter_flush(&em);
    yaml_emitter_delete(&em);
    return ok ? 0 : -1;
}
