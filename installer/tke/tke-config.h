/*
 * tke-config.h - render tke-installer's data/tke.json from the kit's templates and the inventory
 * (the original kit's role tke-mgr, tag init_tke_cfg, without its silent "write nothing" case).
 *
 * Template choice by the number of hosts in group 'masters' and the variable tke_ha_type:
 *   3 + "third" -> tke-ha-lb.json.j2, 3 + "tke" -> tke-ha-keepalived.json.j2,
 *   1 + "none"  -> tke-single.json.j2; anything else is an ERR_USAGE naming these combinations.
 * Variables: those of the first host of group 'installer' (inventory vars, groups, hostvars and
 * the other magic inventory variables), tke_replicas set to opts->replicas, and
 * ansible_ssh_pass_base64 / tke_pwd_base64 (unwrapped base64 of ansible_ssh_pass and tke_pwd).
 * Every password and its base64 form is registered with log_add_secret.
 */
#ifndef TKE_CONFIG_H
#define TKE_CONFIG_H

struct buf;
struct err;
struct inventory;
struct val;

struct tke_config_opts {
    const char *templates_dir; /* borrowed: the folder holding the three .json.j2 files */
    const char *tke_json;      /* borrowed: where tke.json lives (<data-dir>/tke.json) */
    int replicas;              /* config.Replicas: 1 full install, 2 TKEStack only */
    bool reset;                /* true: "step" 0; false: keep the step of an existing tke.json */
};

/* The template file name (borrowed static string) for 'masters' and 'ha_type', or NULL with an
 * ERR_USAGE error listing the allowed combinations. */
const char *tke_config_template(int masters, const char *ha_type, struct err *err);

/* Renders and validates tke.json into 'out' (the bytes to write): a JSON object whose
 * config.Replicas is opts->replicas and whose "step" is kept or reset as opts says. Nothing is
 * written. ERR_USAGE for a bad inventory, ERR_TEMPLATE/ERR_PARSE for a bad template. */
int tke_config_render(const struct inventory *inv, const struct tke_config_opts *opts,
                      struct buf *out, struct err *err);

/* tke_config_render, then writes opts->tke_json atomically with mode 0600. *changed (may be
 * NULL) says whether the bytes differ from the file that was there. */
int tke_config_write(const struct inventory *inv, const struct tke_config_opts *opts,
                     bool *changed, struct err *err);

/* The value of variable 'name' for the installer host, templated, as a new string; NULL with
 * err->kind ERR_NONE when it is not set, NULL with err set when it cannot be resolved. */
char *tke_installer_var(const struct inventory *inv, const char *name, struct err *err);

/* Every inventory variable of the installer host (its own, group and host vars; not the magic
 * variables), templated and turned into a string as Jinja prints it (Python str(): True, [..]),
 * as a new dict reference in the inventory's order. NULL with err set when a variable cannot be
 * resolved (the message names it) or the inventory has no installer host. */
struct val *tke_installer_vars(const struct inventory *inv, struct err *err);

#endif
