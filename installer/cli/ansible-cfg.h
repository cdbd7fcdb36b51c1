/*
 * ansible-cfg.h - ansible.cfg as ansible-playbook finds it, for `pot play`: the first of
 * $ANSIBLE_CONFIG, ./ansible.cfg, ~/.ansible.cfg and /etc/ansible/ansible.cfg that exists is read,
 * and each setting of the table in ansible-cfg.c that it sets becomes the ANSIBLE_* environment
 * variable pot reads, unless that variable is set already (the environment overrides the file,
 * as in Ansible). Paths in the file are taken relative to the file's directory. Settings outside
 * the table, and unknown ones, are ignored silently, as Ansible ignores unknown ones.
 */
#ifndef ANSIBLE_CFG_H
#define ANSIBLE_CFG_H

struct err;

/* Finds and applies the file; 0 also when there is none, -1 with err when it cannot be read
 * (ERR_IO) or a value of the table has the wrong type (ERR_USAGE: exit 5, as in Ansible). */
int ansible_cfg_apply(struct err *err);

#endif
