/*
 * val-yaml.h - YAML text to struct val, as Ansible (PyYAML, YAML 1.1 rules) reads it.
 * Plain scalars resolve like PyYAML's resolver: yes/no/on/off are booleans, 0755 is octal, 1e5 is a
 * string, ~ and empty are null. Anchors, aliases and '<<' merge keys are supported. '!unsafe'
 * marks a string VAL_UNSAFE. Every value records file:line:col (1-based).
 */
#ifndef VAL_YAML_H
#define VAL_YAML_H

struct val;
struct err;

/* Parses the first document of 'text'. 'name' (a file name) is used in positions and errors.
 * Returns a new reference (a null val for an empty document), or NULL with 'err' set to a
 * ERR_PARSE error at the offending line and column. */
struct val *val_from_yaml(const char *text, size_t len, const char *name, struct err *err);
/* Reads and parses a file. */
struct val *val_from_yaml_file(const char *path, struct err *err);
/* Resolves one plain (unquoted) scalar the way PyYAML does. Returns a new reference. */
struct val *val_resolve_plain_scalar(const char *text, size_t len);

#endif
