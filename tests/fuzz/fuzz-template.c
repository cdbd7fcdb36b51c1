/*
 * fuzz-template.c - libFuzzer target for installer/template: compiles the input as a template
 * (options taken from the first byte), renders it against a small fixed set of variables, and
 * evaluates it as a bare expression and as a templated value. Any crash, sanitizer report or
 * leak is a bug; ordinary template errors are expected. Inputs with six-digit numbers are
 * skipped (see has_huge_number).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "template/tpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

static const char vars_yaml[] = "name: world\n"
                                "n: 7\n"
                                "f: 2.5\n"
                                "t: true\n"
                                "nothing: null\n"
                                "s: 'Hello World'\n"
                                "items: [3, 1, 2]\n"
                                "d: {b: 2, a: 1}\n"
                                "users: [{name: a, age: 3, groups: [x]}, {name: b, age: 5}]\n"
                                "groups: {masters: [m1, m2]}\n"
                                "hostvars: {m1: {ansible_host: 10.0.0.1}, m2: {ansible_port: 22}}\n"
                                "lazy: '{{ name }}-{{ n }}'\n"
                                "cycle_a: '{{ cycle_b }}'\n"
                                "cycle_b: '{{ cycle_a }}'\n";

static struct val *vars;

static void render(const char *text, size_t len, unsigned flags)
{
    struct tpl_opts o = { .name = "fuzz", .trim_blocks = flags & 1, .lstrip_blocks = flags & 2,
                          .keep_trailing_newline = flags & 4 };
    struct tpl_dict_scope scope;
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    struct tpl *t;

    tpl_dict_scope_init(&scope, vars, NULL);
    t = tpl_compile(text, len, &o, &err);
    if (t) {
        tpl_render(t, &scope.scope, &out, &err);
        tpl_free(t);
    }
    tpl_dict_scope_release(&scope);
    buf_release(&out);
}

static void evaluate(const char *text)
{
    struct srcpos pos = { "fuzz", 3, 5 };
    struct tpl_dict_scope scope;
    struct err err = ERR_INIT;
    struct val *s = val_str(text), *v;
    bool b;

    tpl_dict_scope_init(&scope, vars, NULL);
    v = tpl_eval_expr(text, &pos, &scope.scope, &err);
    val_unref(v);
    v = tpl_template_value(s, &scope.scope, &pos, &err);
    val_unref(v);
    tpl_eval_condition(text, &pos, &scope.scope, &b, &err);
    tpl_dict_scope_release(&scope);
    val_unref(s);
}

/* True when the input holds a run of six or more digits: a number that large makes legitimate
 * work (range(888883) | list, 'x' * 999999, 9 ** 99999) longer than the fuzzer's per-input
 * timeout under the sanitizers, without exercising anything new. */
static bool has_huge_number(const uint8_t *data, size_t size)
{
    size_t run = 0;

    for (size_t i = 0; i < size; i++) {
        run = data[i] >= '0' && data[i] <= '9' ? run + 1 : 0;
        if (run >= 6) {
            return true;
        }
    }
    return false;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text;

    if (!vars) {
        struct err err = ERR_INIT;

        vars = val_from_yaml(vars_yaml, strlen(vars_yaml), "vars", &err);
        if (!vars) {
            BUG("fuzz vars do not parse");
        }
    }
    if (size == 0 || size > 1 << 16 || has_huge_number(data, size)) {
        return 0;
    }
    text = malloc(size);
    if (!text) {
        return 0;
    }
    memcpy(text, data + 1, size - 1);
    text[size - 1] = 0;
    render(text, size - 1, data[0]);
    if (strlen(text) == size - 1) {
        evaluate(text);
    }
    free(text);
    return 0;
}
