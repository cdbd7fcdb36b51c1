/*
 * hf-internal.h - what the files of helmfile/ share and nothing else includes: the environment
 * layers a state part sees, helmfile's and helm's ways of merging values, key paths (a.b[0]),
 * rendering a file as helmfile's Go template, label selectors, building one release.
 * The API is helmfile.h.
 */
#ifndef HF_INTERNAL_H
#define HF_INTERNAL_H

#include <stdbool.h>
#include "base/vec.h"

struct buf;
struct err;
struct hf_release;
struct hf_state;
struct val;

/* ---- hf-values.c: merging, key paths, typed --set values, the values document ---- */

enum hf_merge {
    HF_MERGE_HELM,     /* helm's -f merge: maps deep-merged, anything else replaced, null too */
    HF_MERGE_SPARSE,   /* helmfile's maputil.MergeMaps: a null never replaces a value, a list
                          with a null in it merges element by element, other lists replace */
    HF_MERGE_ELEMENTS, /* the same, lists always element by element (--state-values-set) */
};

/* Returns a new reference: 'over' merged onto 'base' (either may be NULL or not a dict; a
 * non-dict 'over' wins). Unchanged subtrees are shared by reference, nothing is modified. */
struct val *hf_merge(struct val *base, struct val *over, enum hf_merge how);

/* helm's strvals typing of a --set value: true/false/null (any case), integers without a leading
 * zero, else the string. Returns a new reference. */
struct val *hf_typed_value(const char *s);

/* Sets 'value' (borrowed) at 'path' ("a.b[1].c", '\.' escapes a dot) inside '*root', a dict
 * owned by the caller: '*root' is replaced by a modified deep copy. Lists grow with nulls as in
 * helm. Returns 0, or -1 with an ERR_USAGE error naming the path. */
int hf_set_path(struct val **root, const char *path, struct val *value, struct err *err);

/* The release's values as one YAML document helm reads back to the same data. */
void hf_values_yaml(const struct val *values, struct buf *out);

/* ---- hf-env.c: environments and state values ---- */

/* The environment as a state part sees it (helmfile's environment.Environment). */
struct hf_env {
    char *name;           /* owned */
    struct val *values;   /* owned dict: the environment's values (environments.NAME.values,
                             helmfiles[].values of the parent) */
    struct val *defaults; /* owned dict: the state's top-level values: */
    struct val *cli;      /* owned dict: --state-values-set, merged element by element */
    struct val *over;     /* owned dict: the parent's helmfiles[].values, over 'values' */
};

void hf_env_init(struct hf_env *env, const char *name);
void hf_env_release(struct hf_env *env);
void hf_env_copy(struct hf_env *dst, const struct hf_env *src);

/* Returns a new reference: .Values (defaults, then values, then cli). */
struct val *hf_env_state_values(const struct hf_env *env);
/* Returns a new dict reference: .Environment (Name, KubeContext, Values), .Values,
 * .StateValues and .Namespace, what helmfile gives state templates and values.gotmpl files. */
struct val *hf_env_template_data(const struct hf_env *env);

/* Loads the environment values (environments.NAME in 'state', a dict of the merged part) and the
 * top-level values: of 'state', file names relative to 'dir', .gotmpl files rendered with 'ctx'
 * (the environment before this part, as helmfile does), and layers them over 'ctx' into 'out'
 * (initialised by the caller). 'notes' gets what a Warn missing-file handler says. Returns 0, or
 * -1 (ERR_IO naming a missing file, ERR_USAGE for secrets). */
int hf_env_load(struct hf_env *out, const struct val *state, const char *dir,
                const struct hf_env *ctx, struct svec *notes, struct err *err);

/* Parses --state-values-set strings ("a.b=c,d=e") into a dict. Returns a new reference, or NULL
 * with an ERR_USAGE error. */
struct val *hf_env_parse_set(const struct svec *sets, struct err *err);

/* ---- hf-render.c: helmfile's Go templates ---- */

/* Renders 'text' (the lines of 'path' from 'first_line' on) with 'data' as helmfile renders a
 * state file or a values .gotmpl: helmfile's functions added, readFile relative to the file's
 * directory, exec refused. Appends to 'out'; errors carry path:line:col. Returns 0 or -1. */
int hf_render(const char *path, int first_line, const char *text, struct val *data, struct buf *out,
              struct err *err);

/* ---- hf-load.c: files ---- */

/* How a missing file is handled (helmfile's missingFileHandler). */
enum hf_missing {
    HF_MISSING_ERROR,
    HF_MISSING_WARN,
    HF_MISSING_QUIET
};

/* Parses a missingFileHandler value (NULL: Error). Returns 0, or -1 naming the bad value. */
int hf_missing_parse(const struct val *v, enum hf_missing *out, struct err *err);

/* Expands a values entry 'name' (relative to 'dir', may be a glob) into absolute paths, in
 * name order. None found: an ERR_IO error naming 'what' and the file under HF_MISSING_ERROR,
 * else a note in 'notes' (Warn) or nothing, and 0 with 'out' empty. */
int hf_resolve_files(const char *dir, const char *name, enum hf_missing how, const char *what,
                     struct svec *out, struct svec *notes, struct err *err);

/* Reads a YAML file's first document into a dict (an empty document is {}). 'what' names the
 * file's role in errors. Returns a new reference or NULL. */
struct val *hf_read_values_text(const char *path, const char *text, const char *what,
                                struct err *err);

/* ---- hf-select.c: label selectors ---- */

struct hf_selector;

struct hf_selectors {
    struct hf_selector **items; /* owned */
    size_t len;
};

/* Parses "k=v,k2!=v2" strings (OR between strings, AND inside one). Returns 0, or -1 with an
 * ERR_USAGE error quoting the malformed label. */
int hf_selectors_parse(struct hf_selectors *out, const struct svec *in, struct err *err);
void hf_selectors_release(struct hf_selectors *s);
/* No selector matches everything. */
bool hf_selectors_match(const struct hf_selectors *s, const struct val *labels);

/* ---- hf-release.c: one release ---- */

/* Builds a release from 'spec' (an entry of releases:, already rendered) in the state file
 * 'path' (merged state 'state', for helmDefaults and commonLabels), with values templates
 * rendered against 'env'. Returns a new release (free with hf_release_free), or NULL. Sets
 * '*enabled' from the release's condition: (false: helmfile leaves it out). */
struct hf_release *hf_release_build(const struct val *spec, const struct val *state,
                                    const char *path, const struct hf_env *env, bool *enabled,
                                    struct svec *notes, struct err *err);
void hf_release_free(struct hf_release *r);

/* The keys helmfile knows in a release, NULL-terminated (hf-load.c checks them strictly). */
extern const char *const hf_release_keys[];

#endif
