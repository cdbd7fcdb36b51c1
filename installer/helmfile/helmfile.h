/*
 * helmfile.h - helmfile's state files, read as helmfile reads them: bases, helmfiles (sub-files,
 * helmfile.d/ in name order), environments, helmDefaults, releases, two-pass rendering of
 * .gotmpl state, values files rendered as Go templates, labels and selectors. The result is the
 * list of selected releases with their merged, rendered values: what `helm upgrade --install`
 * needs, nothing run yet (installer/helm/ runs them).
 *
 * Order: hf_state_init, hf_load (once), read st->releases, hf_state_release.
 */
#ifndef HELMFILE_H
#define HELMFILE_H

#include <stdbool.h>
#include "base/vec.h"

struct err;
struct val;

struct hf_release {
    char *name;         /* owned */
    char *namespace;    /* owned; "" when none was given (helm's default namespace) */
    char *chart;        /* owned: absolute path of a local chart directory or .tgz */
    char *version;      /* owned; NULL when not given */
    struct val *labels; /* owned reference: dict of strings, with helmfile's name/namespace/chart */
    struct svec needs;  /* owned: as written, "name", "ns/name" or "kubecontext/ns/name" */
    char *values_yaml;  /* owned: the merged, rendered values (files, inline, set), one YAML doc
                           (JSON, also YAML, when a plain string would read back as another type) */
    bool installed;     /* false: the release must be absent (helmfile's installed: false) */
    bool wait;          /* release, else helmDefaults, else false */
    bool create_namespace; /* release, else helmDefaults, else true (helmfile's default) */
    int timeout;  /* seconds (300, helm's default, when neither release nor helmDefaults say) */
    char *origin; /* owned: "file:line:col" where the release is declared */
};

struct hf_state {
    char *environment;            /* owned: the environment's name ("default") */
    struct hf_release **releases; /* owned: selected releases, in declaration order */
    size_t nreleases;
    struct svec notes; /* owned: things said once (repositories ignored offline) */
};

struct hf_opts {
    const char *file;             /* borrowed: helmfile.yaml, a .gotmpl, or a helmfile.d dir;
                                         NULL = helmfile's default lookup in the cwd */
    const char *environment;      /* borrowed: NULL = "default" */
    struct svec selectors;        /* borrowed strings: each "k=v,k2!=v2" (OR between them) */
    struct svec state_values_set; /* borrowed strings: "a.b=c" */
    struct val *state_values;     /* borrowed: a dict of state values taken as they are (no
                                     "k=v" splitting or typing), under state_values_set; NULL =
                                     none (pot's own states: the inventory's variables) */
};

void hf_state_init(struct hf_state *st);
void hf_state_release(struct hf_state *st);

/* Loads and renders the state. Returns 0, or -1 with 'err' set (ERR_PARSE at file:line:col for
 * bad YAML or template syntax, ERR_TEMPLATE for a failing template, ERR_IO for a missing file,
 * ERR_USAGE for what pot refuses offline: exec, remote charts). */
int hf_load(struct hf_state *st, const struct hf_opts *opts, struct err *err);

#endif
