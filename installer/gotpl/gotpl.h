/*
 * gotpl.h - Helm's template language: Go's text/template with sprig's functions and Helm's own
 * (include, tpl, required, toYaml/fromYaml/toJson/fromJson, lookup = empty offline), rendering
 * exactly as `helm template` does, and as helmfile renders its state and .gotmpl files.
 *
 * Values are struct val (value/val.h). Go map keys iterate sorted. In GOTPL_HELM a missing map key
 * is nil and prints "" (Helm replaces "<no value>"); in GOTPL_HELMFILE it is an error, as
 * helmfile's missingkey=error: 'executing "NAME" at <.Values.foo>: map has no entry for key
 * "foo"' (helmfile's `get` and sprig's `index`/`hasKey` look keys up without failing), while a
 * nil value still prints "<no value>". Numbers are printed as Go's fmt prints int64 and
 * float64 (1e+06): the caller decides which a value is (Helm: every number of chart values is a
 * float64; helmfile keeps YAML integers).
 *
 * Order: gotpl_new, gotpl_add_funcs (optional), gotpl_parse (once per file; define/block join the
 * set), gotpl_execute (any number of times), gotpl_free. A set is used by one thread at a time.
 *
 * Functions: text/template's built-ins, sprig's deterministic families and Helm's own (see
 * gotpl-funcs.c for the lookup); env and expandenv exist only in GOTPL_HELMFILE, as Helm removes
 * them. Values of Go types with methods have them: a semver's .Compare, .LessThan, .IncMinor...
 * Arguments are type-checked as Go does ("wrong type for value; expected int; got float64").
 * sprig's set/unset/merge change the dict they are given in place, as Go maps are shared.
 * Limits: include/tpl/template nesting stops at 1000 (Helm's limit) or when the thread's stack
 * runs low, one execution at 20,000,000 loop iterations plus calls (a derivePassword, an scrypt,
 * weighs 200,000) or 256 MiB of output.
 */
#ifndef GOTPL_H
#define GOTPL_H

#include <stdbool.h>
#include <stddef.h>

struct buf;
struct err;
struct val;

enum gotpl_mode {
    GOTPL_HELM,
    GOTPL_HELMFILE,
};

struct gotpl;

/* Extra functions, as Go's Template.Funcs: 'ctx' is the pointer given to gotpl_add_funcs. Each
 * receives borrowed arguments and sets '*result' to a new reference; returns 0, or -1 with 'err'
 * set (the engine adds file:line:col and the function's name). */
typedef int (*gotpl_fn)(void *ctx, struct val **args, size_t nargs, struct val **result,
                        struct err *err);

struct gotpl_fn_def {
    const char *name;
    gotpl_fn fn;
    int min_args;
    int max_args; /* -1: any number */
};

struct gotpl *gotpl_new(enum gotpl_mode mode);
void gotpl_free(struct gotpl *t);

/* Adds a table of functions ending in { 0 }, borrowed for the set's life; a name already known
 * (built-in or added earlier) is replaced. Must come before the gotpl_parse that uses them. */
void gotpl_add_funcs(struct gotpl *t, const struct gotpl_fn_def *defs, void *ctx);

/* Parses 'text' as the template 'name' (a file path, used in error positions); its define and
 * block templates join the set. Returns 0, or -1 with an ERR_PARSE error at file:line:col. */
int gotpl_parse(struct gotpl *t, const char *name, const char *text, struct err *err);

/* Executes the template 'name' with 'dot' (borrowed) as data, appending to 'out'. Returns 0, or
 * -1 with an ERR_TEMPLATE error naming file:line:col and the function or field that failed. */
int gotpl_execute(struct gotpl *t, const char *name, struct val *dot, struct buf *out,
                  struct err *err);

/* The root object of a chart template as Helm builds it, for GOTPL_HELM: a new dict whose
 * "Values" is a copy of 'values' (borrowed; a dict, else .Values is empty) with every number a
 * float64 (Helm reads values through encoding/json). Both are of Go type chartutil.Values:
 * `typeOf .Values` says so, sprig's dig refuses them, .Values.AsMap, .Values.PathValue "a.b"
 * and .Values.YAML are its methods. The caller adds .Release, .Chart, .Template... Returns a new
 * reference. */
struct val *gotpl_helm_root(struct val *values);

#endif
