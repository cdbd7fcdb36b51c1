/*
 * tpl-native.c - Ansible's templating of values (Templar.template with ansible_eval_concat),
 * bare expressions (when:, until:, that:) and conditionals (playbook/conditional.py of
 * ansible-core 2.14).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "python/py-literal.h"
#include "template/tpl-eval.h"

static const struct tpl_opts value_opts = { .trim_blocks = true };

/* ansible_eval_concat: text that looks like a list, dict or bool becomes one when it is a
 * Python literal. Takes 's' (a string value). */
static struct val *eval_concat(struct val *s)
{
    const char *p = s->u.s.ptr;

    if (p[0] == '[' || p[0] == '{' || strcmp(p, "True") == 0 || strcmp(p, "False") == 0) {
        /* literal_eval after Json2Python; tuples stay tuples */
        static const struct py_literal_opts concat = { .json_names = 1, .tuple_flags = TPL_TUPLE };
        struct val *lit = py_literal_eval(p, s->u.s.len, &concat);

        if (lit) {
            val_unref(s);
            return lit;
        }
    }
    return s;
}

/* Ansible's STRING_TYPE_FILTERS: their result is NativeJinjaText, which ansible_eval_concat hands
 * back as text when it is the template's only output ("{{ x | to_json }}" stays a string). */
static bool only_output_is_text_filter(const struct tpl *t)
{
    static const char *const text_filters[] = { "string",  "to_json",      "to_nice_json",
                                                "to_yaml", "to_nice_yaml", "ppretty",
                                                "json" };
    const struct tpl_node *n = t->root;

    if (!n || n->kind != TN_OUTPUT || n->next || n->a->kind != TN_FILTER) {
        return false;
    }
    for (size_t i = 0; i < sizeof(text_filters) / sizeof(text_filters[0]); i++) {
        if (strcmp(n->a->str, text_filters[i]) == 0) {
            return true;
        }
    }
    return false;
}

static size_t trailing_newlines(const char *s, size_t len)
{
    size_t n = 0;

    while (n < len && s[len - 1 - n] == '\n') {
        n++;
    }
    return n;
}

/* Templar.do_template: Jinja drops the source's last newline before ansible_eval_concat sees the
 * text, then a result that is still a string gets back the newlines it lost (so "{{ true }}\n" is
 * the bool true, "{{ 5 }}\n" the string "5\n"). Takes 'res'; 'src' is the template text. */
static struct val *restore_newlines(struct val *res, const struct val *src)
{
    size_t want = trailing_newlines(src->u.s.ptr, src->u.s.len);
    size_t have;
    struct buf b = BUF_INIT;

    if (res->type != VAL_STR) {
        return res;
    }
    have = trailing_newlines(res->u.s.ptr, res->u.s.len);
    if (want <= have) {
        return res;
    }
    buf_add(&b, res->u.s.ptr, res->u.s.len);
    while (have++ < want) {
        buf_addc(&b, '\n');
    }
    val_unref(res);
    return tpl_str_from_buf(&b);
}

static bool is_word_char(unsigned char c)
{
    return c == '_' || (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
           c >= 0x80;
}

/* Templar's SINGLE_VAR (^{{\s*(\w*)\s*}}$): copies the name into 'name' and returns true. */
static bool single_var_name(const char *s, char *name, size_t size)
{
    const char *start;
    const char *end;

    if (strncmp(s, "{{", 2) != 0) {
        return false;
    }
    s += 2;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        s++;
    }
    start = s;
    while (is_word_char((unsigned char)*s)) {
        s++;
    }
    end = s;
    while (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r') {
        s++;
    }
    if (strcmp(s, "}}") != 0 || end == start || (size_t)(end - start) >= size) {
        return false;
    }
    memcpy(name, start, (size_t)(end - start));
    name[end - start] = '\0';
    return true;
}

/* Ansible returns a lone "{{ name }}" whose raw variable is a bool, a number or None as that
 * value, not as text (Templar.template's SINGLE_VAR shortcut). Returns a new reference, or NULL
 * when the shortcut does not apply. */
static struct val *single_var_value(const char *s, const struct tpl_scope *scope)
{
    char name[256];
    struct val *raw;

    if (!scope || !scope->lookup_raw || !single_var_name(s, name, sizeof(name))) {
        return NULL;
    }
    raw = scope->lookup_raw(scope->ctx, name);
    if (raw && (raw->type == VAL_BOOL || raw->type == VAL_INT || raw->type == VAL_DOUBLE ||
                raw->type == VAL_NULL)) {
        return val_ref(raw);
    }
    return NULL;
}

static struct val *template_string(struct val *v, const struct tpl_scope *scope,
                                   const struct srcpos *pos, struct err *err)
{
    struct tpl_opts o = value_opts;
    struct buf out = BUF_INIT;
    struct val *native;
    struct val *text;
    struct tpl *t;
    bool keep_text;

    if ((v->flags & VAL_UNSAFE) || !tpl_is_template(v->u.s.ptr)) {
        return val_ref(v);
    }
    native = single_var_value(v->u.s.ptr, scope);
    if (native) {
        return native;
    }
    o.name = pos && pos->file ? pos->file : v->pos.file;
    o.first_line = pos && pos->line ? pos->line : v->pos.line;
    o.first_col = pos && pos->line ? pos->col : v->pos.col;
    t = tpl_compile(v->u.s.ptr, v->u.s.len, &o, err);
    if (!t || tpl_render(t, scope, &out, err) < 0) {
        tpl_free(t);
        buf_release(&out);
        return NULL;
    }
    keep_text = only_output_is_text_filter(t);
    tpl_free(t);
    text = tpl_str_from_buf(&out);
    return restore_newlines(keep_text ? text : eval_concat(text), v);
}

bool tpl_needs_templating(const struct val *v)
{
    switch (v->type) {
    case VAL_STR:
        return !(v->flags & VAL_UNSAFE) && tpl_is_template(v->u.s.ptr);
    case VAL_LIST:
        for (size_t i = 0; i < val_list_len(v); i++) {
            if (tpl_needs_templating(val_list_get(v, i))) {
                return true;
            }
        }
        return false;
    case VAL_DICT:
        for (size_t i = 0; i < val_dict_len(v); i++) {
            if (tpl_is_template(val_dict_key_at(v, i)) ||
                tpl_needs_templating(val_dict_value_at(v, i))) {
                return true;
            }
        }
        return false;
    default:
        return false;
    }
}

struct val *tpl_template_value(struct val *v, const struct tpl_scope *scope,
                               const struct srcpos *pos, struct err *err)
{
    struct val *out, *item;

    if (v->type != VAL_STR && !tpl_needs_templating(v)) {
        return val_ref(v); /* shared, not copied: nothing to render inside */
    }
    switch (v->type) {
    case VAL_STR:
        return template_string(v, scope, pos, err);
    case VAL_LIST:
        out = val_list();
        for (size_t i = 0; i < val_list_len(v); i++) {
            item = tpl_template_value(val_list_get(v, i), scope, NULL, err);
            if (!item) {
                val_unref(out);
                return NULL;
            }
            val_list_push_take(out, item);
        }
        return out;
    case VAL_DICT:
        out = val_dict();
        for (size_t i = 0; i < val_dict_len(v); i++) {
            const char *key = val_dict_key_at(v, i);
            struct val *k = NULL;

            item = tpl_template_value(val_dict_value_at(v, i), scope, NULL, err);
            if (item && tpl_is_template(key)) {
                struct val *raw = val_str(key);

                raw->pos = val_dict_value_at(v, i)->pos;
                k = template_string(raw, scope, NULL, err);
                val_unref(raw);
                if (k && k->type != VAL_STR) {
                    struct val *ks = tpl_to_str(k);

                    val_unref(k);
                    k = ks;
                }
            }
            if (!item || (tpl_is_template(key) && !k)) {
                val_unref(item);
                val_unref(out);
                return NULL;
            }
            val_dict_set_take(out, k ? k->u.s.ptr : key, item);
            val_unref(k);
        }
        return out;
    default:
        return val_ref(v);
    }
}

/* 'finalize': fail on an undefined value inside the result (see tpl_eval_single). */
static struct val *eval_expr(const char *expr, const struct srcpos *pos,
                             const struct tpl_scope *scope, bool finalize, struct err *err)
{
    struct tpl *t = tpl_compile_expr(expr, pos, err);
    struct val *v;

    if (!t) {
        return NULL;
    }
    v = tpl_eval_single(t, scope, finalize, err);
    tpl_free(t);
    return v;
}

struct val *tpl_eval_expr(const char *expr, const struct srcpos *pos, const struct tpl_scope *scope,
                          struct err *err)
{
    return eval_expr(expr, pos, scope, true, err);
}

int tpl_eval_condition(const char *expr, const struct srcpos *pos, const struct tpl_scope *scope,
                       bool *result, struct err *err)
{
    struct val *v = NULL;
    const char *text = expr;

    if (tpl_is_template(expr)) {
        struct val *raw = val_str(expr);

        v = tpl_template_value(raw, scope, pos, err);
        val_unref(raw);
        if (!v) {
            return -1;
        }
        if (v->type != VAL_STR || v->u.s.len == 0) {
            *result = val_truthy(v);
            val_unref(v);
            return 0;
        }
        text = v->u.s.ptr;
    }
    /* Ansible wraps a condition in {% if %}: its value is only judged, never finalized */
    struct val *r = eval_expr(text, pos, scope, false, err);
    val_unref(v);
    if (!r) {
        return -1;
    }
    *result = val_truthy(r);
    val_unref(r);
    return 0;
}
