/*
 * val-yaml-emit.h - struct val -> YAML text exactly as PyYAML's yaml.dump() writes it (what
 * Ansible's to_yaml and to_nice_yaml return): same scalar style choice (plain, single or double
 * quoted), line folding at 'width', indentless sequences in mappings, flow style for collections
 * of scalars when flow is -1, sorted keys, and the '...' end marker after a plain root scalar.
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

/* Appends the YAML document for 'v' (allow_unicode=True). */
void val_to_yaml(const struct val *v, struct buf *out, const struct val_yaml_emit_opts *opts);

#endif
