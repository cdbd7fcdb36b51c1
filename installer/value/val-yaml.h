/*
 * val-yaml.h - YAML text to struct val, as Ansible (PyYAML, YAML 1.1 rules) reads it, or as Helm
 * does (go-yaml v2's rules, VAL_YAML_GOYAML2). By default plain scalars resolve like PyYAML's
 * resolver: yes/no/on/off are booleans, 0755 is octal, 1e5 is a string, ~ and empty are null.
 * Anchors, aliases and '<<' merge keys are supported. '!unsafe' marks a string VAL_UNSAFE. Every
 * value records file:line:col (1-based).
 */
#ifndef VAL_YAML_H
#define VAL_YAML_H

struct val;
struct err;

/* Aliases share the node they name, but whoever walks the value (templating every variable,
 * to_json) visits it once per alias: a kilobyte of aliases of aliases ("billion laughs") would
 * stand for 10^9 nodes. A document whose aliases reach more nodes than this in total (counting
 * aliases within aliased nodes) fails with "too many alias expansions". */
#define VAL_YAML_MAX_ALIAS_NODES 1000000

/* Whose YAML 1.1 reading plain scalars and mapping keys follow. */
enum val_yaml_rules {
    VAL_YAML_PYYAML, /* Ansible's (PyYAML), what val_from_yaml uses */
    /* go-yaml v2's resolve() as Helm reads YAML (sigs.k8s.io/yaml): y/n are booleans too, 1e3,
     * 0o17 and 1_000 are numbers, base-60 and timestamps stay strings, an integer beyond int64
     * (go-yaml's uint64 or float64) is a double; other tags keep the scalar as a string; keys
     * become strings as sigs.k8s.io/yaml writes them ("true", "1", float32 "1.5"), a null key
     * is an error */
    VAL_YAML_GOYAML2,
};

/* Parses the first document of 'text'. 'name' (a file name) is used in positions and errors.
 * Returns a new reference (a null val for an empty document), or NULL with 'err' set to a
 * ERR_PARSE error at the offending line and column. */
struct val *val_from_yaml(const char *text, size_t len, const char *name, struct err *err);
/* The same with the given resolution rules. */
struct val *val_from_yaml_rules(const char *text, size_t len, const char *name,
                                enum val_yaml_rules rules, struct err *err);
/* Reads and parses a file. */
struct val *val_from_yaml_file(const char *path, struct err *err);
/* Resolves one plain (unquoted) scalar the way PyYAML does. Returns a new reference. */
struct val *val_resolve_plain_scalar(const char *text, size_t len);

#endif
