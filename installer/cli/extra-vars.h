/*
 * extra-vars.h - the -e option of `pot play` and `pot template`, as ansible-playbook reads it.
 */
#ifndef EXTRA_VARS_H
#define EXTRA_VARS_H

struct val;
struct err;

/* Merges one -e argument into the dict 'vars': "k=v k2=v2" (values are strings, like Ansible's
 * key=value extra vars), a YAML/JSON mapping "{...}", or "@FILE" (a YAML or JSON file). Returns 0,
 * or -1 with ERR_USAGE for an argument that is not key=value pairs or not a mapping, ERR_PARSE or
 * ERR_IO for a bad or unreadable file. */
int cli_add_extra_vars(struct val *vars, const char *arg, struct err *err);

#endif
