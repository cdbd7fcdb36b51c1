/*
 * play-connect.h - ansible-playbook's connection and privilege flags for `pot play`: -c, -u,
 * --private-key, -T, -b, --become-method, --become-user, -k, -K. As in Ansible they are the
 * defaults the inventory's connection variables and the plays' keywords override: the first
 * seven become the ANSIBLE_* variables ansible.cfg sets (over the file's values), -k and -K
 * ask for the passwords on the terminal (or read a line of stdin without one).
 */
#ifndef PLAY_CONNECT_H
#define PLAY_CONNECT_H

struct err;

struct play_connect {
    const char *connection;    /* -c: ssh, smart, paramiko or local */
    const char *user;          /* -u */
    const char *private_key;   /* --private-key */
    const char *timeout;       /* -T, seconds */
    const char *become_method; /* --become-method */
    const char *become_user;   /* --become-user */
    bool become;               /* -b */
    bool ask_pass;             /* -k */
    bool ask_become_pass;      /* -K */
};

/* Applies the flags given (after ansible_cfg_apply). -1 with ERR_USAGE for a bad -T or -c, or
 * ERR_IO when a password cannot be read. */
int play_connect_apply(const struct play_connect *pc, struct err *err);

#endif
