/*
 * val-yaml-emit.h - struct val -> YAML text exactly as Ansible's to_yaml and to_nice_yaml write it
 * (yaml.dump with AnsibleDumper: PyYAML's representer over libyaml's emitter): same scalar style
 * choice (plain, single or double quoted), folding at 'width', indentless sequences in mappings,
 * flow style for collections of scalars when flow is -1, sorted keys.
 */
#ifndef VAL_YAML_EMIT_H
#define VAL_YAML_EMIT_H

struct val;
struct buf;

struct val_yaml_emit_opts {
    int indent;     /* yaml.dump(indent=): 2 by default; values outside 2..9 mean 2 */
    int width;      /* yaml.dump(width=): 80 by default */
    int flow;       /* default_flow_style: -1 None (to_yaml), 0 False (to_nice_yaml), 1 True */
    bool sort_keys; /* yaml.dump(sort_keys=): true by default */
};

/* Appends the YAML document for 'v' (allow_unicode=True). Returns 0, or -1 when libyaml refuses
 * the data (a string that is not valid UTF-8); 'out' may then hold a partial document. */
int val_to_yaml(const struct val *v, struct buf *out, const struct val_yaml_emit_opts *opts);

#endif
