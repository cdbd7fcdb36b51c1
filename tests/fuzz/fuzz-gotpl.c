/*
 * fuzz-gotpl.c - libFuzzer target for installer/gotpl: parses the input as a Go template (the
 * first byte picks GOTPL_HELM or GOTPL_HELMFILE and whether a helper file with defines is parsed
 * first) and executes it against a small fixed set of values, with one added function. Any
 * crash, sanitizer report or leak is a bug; ordinary template errors are expected. Inputs with
 * six-digit numbers are skipped (legitimate work such as `until 999999` is too slow under the
 * sanitizers to tell from a hang).
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "gotpl/gotpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

static const char values_yaml[] = "Values:\n"
                                  "  name: world\n"
                                  "  n: 7\n"
                                  "  f: 2.5\n"
                                  "  t: true\n"
                                  "  nothing: null\n"
                                  "  items: [3, 1, 2]\n"
                                  "  d: {b: 2, a: 1}\n"
                                  "  users: [{name: a, age: 3}, {name: b, groups: [x]}]\n"
                                  "Release: {Name: r, Namespace: default}\n"
                                  "Chart: {Name: c, Version: 0.1.0}\n";

static const char helpers[] = "{{- define \"h.name\" -}}{{ .Values.name | trunc 63 }}{{- end }}\n"
                              "{{- define \"h.labels\" -}}app: {{ include \"h.name\" . }}\n"
                              "{{- end }}";

static struct val *values;

static int fn_echo(void *ctx, struct val **args, size_t nargs, struct val **result, struct err *err)
{
    (void)ctx;
    (void)err;
    *result = nargs ? val_ref(args[0]) : val_null();
    return 0;
}

static const struct gotpl_fn_def extra[] = {
    { "echo", fn_echo, 0, -1 },
    { 0 },
};

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
    struct err err = ERR_INIT;
    struct buf out = BUF_INIT;
    struct gotpl *t;
    char *text;

    if (!values) {
        values = val_from_yaml(values_yaml, strlen(values_yaml), "values", &err);
        if (!values) {
            BUG("fuzz values do not parse");
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
    t = gotpl_new(data[0] & 1 ? GOTPL_HELMFILE : GOTPL_HELM);
    gotpl_add_funcs(t, extra, NULL);
    if (data[0] & 2) {
        gotpl_parse(t, "_helpers.tpl", helpers, &err);
    }
    if (gotpl_parse(t, "fuzz", text, &err) == 0) {
        gotpl_execute(t, "fuzz", values, &out, &err);
        gotpl_execute(t, "fuzz", values, &out, &err);
    }
    gotpl_free(t);
    buf_release(&out);
    free(text);
    return 0;
}
