/*
 * tke-config.c - choose the tke.json template, render it with the installer host's variables,
 * validate the JSON, keep or reset "step", and write tke.json 0600 atomically (see tke-config.h).
 */
#include "pot.h"
#include <string.h>
#include "base/b64.h"
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/log.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "inventory/inv.h"
#include "template/tpl.h"
#include "tke/tke-config.h"
#include "value/val-json.h"
#include "value/val.h"

#define ALLOWED "3 masters with tke_ha_type 'third' (tke-ha-lb.json.j2), 3 masters with 'tke' " \
                "(tke-ha-keepalived.json.j2) or 1 master with 'none' (tke-single.json.j2)"

const char *tke_config_template(int masters, const char *ha_type, struct err *err)
{
    if (masters == 3 && strcmp(ha_type, "third") == 0) {
        return "tke-ha-lb.json.j2";
    }
    if (masters == 3 && strcmp(ha_type, "tke") == 0) {
        return "tke-ha-keepalived.json.j2";
    }
    if (masters == 1 && strcmp(ha_type, "none") == 0) {
        return "tke-single.json.j2";
    }
    err_set(err, ERR_USAGE, "no tke.json template for %d master(s) with tke_ha_type '%s'; allowed: "
            ALLOWED, masters, ha_type);
    return NULL;
}

static size_t group_size(const struct inventory *inv, const char *name)
{
    const struct inv_group *group = inv_find_group(inv, name);
    struct vec hosts = VEC_INIT;
    size_t n;

    if (!group) {
        return 0;
    }
    inv_group_hosts(inv, group, &hosts);
    n = hosts.len;
    vec_release(&hosts);
    return n;
}

/* The first host of group 'installer', or NULL with ERR_USAGE. */
static struct inv_host *installer_host(const struct inventory *inv, struct err *err)
{
    const struct inv_group *group = inv_find_group(inv, "installer");
    struct vec hosts = VEC_INIT;
    struct inv_host *host = NULL;

    if (group) {
        inv_group_hosts(inv, group, &hosts);
    }
    if (hosts.len == 0) {
        err_set(err, ERR_USAGE, "inventory: group 'installer' has no host; tke.json is rendered "
                "with the variables of the installer host");
    } else {
        host = hosts.items[0];
    }
    vec_release(&hosts);
    return host;
}

/* The variables of the installer host: inventory vars + magic vars + hostvars (new ref). */
static struct val *installer_vars(const struct inventory *inv, struct err *err)
{
    struct inv_host *host = installer_host(inv, err);
    struct val *vars = NULL, *groups;

    if (!host) {
        return NULL;
    }
    vars = inv_host_vars(inv, host);
    groups = inv_groups_dict(inv);
    inv_add_magic_vars(inv, host, vars, groups);
    val_unref(groups);
    val_dict_set_take(vars, "hostvars", inv_hostvars_dict(inv));
    return vars;
}

/* Resolves a string variable through the scope; ERR_USAGE when it is missing or not a string. */
static char *lookup_str(struct tpl_dict_scope *s, const char *name, const char *why,
                        struct err *err)
{
    struct val *v = s->scope.lookup(s->scope.ctx, name, err);
    char *str = NULL;

    if (!v && err->kind == ERR_NONE) {
        err_set(err, ERR_USAGE, "inventory: variable '%s' is not set for the installer host (%s)",
                name, why);
    } else if (v && v->type == VAL_STR) {
        str = xstrdup(v->u.s.ptr);
    } else if (v && v->type == VAL_INT) {
        str = xasprintf("%lld", (long long)v->u.i);
    } else if (v) {
        err_set(err, ERR_USAGE, "inventory: variable '%s' must be a string, not %s", name,
                val_type_name(v->type));
    }
    val_unref(v);
    return str;
}

/* Registers 'secret' and sets 'name' to its unwrapped base64 in the scope's variables. */
static void add_b64_secret(struct tpl_dict_scope *s, const char *name, const char *secret)
{
    struct buf b64 = BUF_INIT;

    b64_encode(&b64, secret, strlen(secret));
    log_add_secret(secret);
    log_add_secret(b64.ptr);
    val_dict_set_take(s->vars, name, val_strn(b64.ptr, b64.len));
    buf_release(&b64);
}

static int render_template(const char *path, struct tpl_dict_scope *s, struct buf *out,
                           struct err *err)
{
    struct buf text = BUF_INIT;
    struct tpl_opts topts = { .name = pos_intern(path), .trim_blocks = true,
                              .keep_trailing_newline = true };
    struct tpl *t = NULL;
    int ret = -1;

    if (fs_read_file(path, &text, err) < 0) {
        goto out;
    }
    t = tpl_compile(text.ptr, text.len, &topts, err);
    if (t && tpl_render(t, &s->scope, out, err) == 0) {
        ret = 0;
    }
out:
    tpl_free(t);
    buf_release(&text);
    return ret;
}

/* The "step" to write: the existing file's unless 'reset'. */
static int previous_step(const struct tke_config_opts *opts, int64_t *step, struct err *err)
{
    struct val *old;
    struct val *field;

    *step = 0;
    if (opts->reset || !fs_exists(opts->tke_json)) {
        return 0;
    }
    old = val_from_json_file(opts->tke_json, err);
    if (!old) {
        return err_prefix(err, "cannot keep the step of the existing tke.json (pass --reset to "
                          "start the installer from step 0): ");
    }
    field = old->type == VAL_DICT ? val_dict_get(old, "step") : NULL;
    if (field && field->type == VAL_INT) {
        *step = field->u.i;
    }
    val_unref(old);
    return 0;
}

/* Checks the rendered document: an object whose config.Replicas is the wanted count. */
static int check_document(struct val *doc, const char *path, int replicas, struct err *err)
{
    struct val *config = doc->type == VAL_DICT ? val_dict_get(doc, "config") : NULL;
    struct val *rep = config && config->type == VAL_DICT ? val_dict_get(config, "Replicas") : NULL;

    if (!config || config->type != VAL_DICT || !val_dict_get(doc, "para")) {
        return err_set(err, ERR_TEMPLATE, "%s: rendered tke.json has no 'config' and 'para' "
                       "objects", path);
    }
    if (!rep || rep->type != VAL_INT || rep->u.i != replicas) {
        return err_set(err, ERR_TEMPLATE, "%s: rendered config.Replicas is not %d (the template "
                       "must use {{ tke_replicas }})", path, replicas);
    }
    return 0;
}

static int render_with_scope(const struct inventory *inv, const struct tke_config_opts *opts,
                             struct tpl_dict_scope *s, struct buf *out, struct err *err)
{
    struct buf text = BUF_INIT;
    struct val *doc = NULL;
    char *ha = NULL, *pass = NULL, *pwd = NULL, *path = NULL;
    const char *name;
    int64_t step;
    int ret = -1;

    ha = lookup_str(s, "tke_ha_type", "third, tke or none", err);
    if (!ha) {
        goto out;
    }
    name = tke_config_template((int)group_size(inv, "masters"), ha, err);
    pass = name ? lookup_str(s, "ansible_ssh_pass", "the ssh password of the machines", err) : NULL;
    pwd = pass ? lookup_str(s, "tke_pwd", "the TKEStack console password", err) : NULL;
    if (!pwd || previous_step(opts, &step, err) < 0) {
        goto out;
    }
    add_b64_secret(s, "ansible_ssh_pass_base64", pass);
    add_b64_secret(s, "tke_pwd_base64", pwd);
    val_dict_set_take(s->vars, "tke_replicas", val_int(opts->replicas));
    path = fs_join(opts->templates_dir, name);
    if (render_template(path, s, &text, err) < 0) {
        goto out;
    }
    doc = val_from_json(text.ptr, text.len, pos_intern(path), err);
    if (!doc) {
        err_prefix(err, "rendered tke.json is not valid JSON: ");
        goto out;
    }
    if (check_document(doc, path, opts->replicas, err) < 0) {
        goto out;
    }
    val_dict_set_take(doc, "step", val_int(step));
    val_to_json(doc, out, 1, 0);
    buf_addc(out, '\n');
    ret = 0;
out:
    val_unref(doc);
    buf_release(&text);
    free(path);
    free(pwd);
    free(pass);
    free(ha);
    return ret;
}

int tke_config_render(const struct inventory *inv, const struct tke_config_opts *opts,
                      struct buf *out, struct err *err)
{
    struct tpl_dict_scope s;
    struct val *vars = installer_vars(inv, err);
    int ret;

    if (!vars) {
        return -1;
    }
    tpl_dict_scope_init(&s, vars, opts->templates_dir);
    val_unref(vars);
    ret = render_with_scope(inv, opts, &s, out, err);
    tpl_dict_scope_release(&s);
    return ret;
}

char *tke_installer_var(const struct inventory *inv, const char *name, struct err *err)
{
    struct tpl_dict_scope s;
    struct val *vars = installer_vars(inv, err);
    struct val *v;
    char *str = NULL;

    if (!vars) {
        return NULL;
    }
    tpl_dict_scope_init(&s, vars, NULL);
    val_unref(vars);
    v = s.scope.lookup(s.scope.ctx, name, err);
    if (v) {
        struct buf text = BUF_INIT;

        val_to_pystr(v, &text);
        str = buf_detach(&text, NULL);
    }
    val_unref(v);
    tpl_dict_scope_release(&s);
    return str;
}

struct val *tke_installer_vars(const struct inventory *inv, struct err *err)
{
    struct inv_host *host = installer_host(inv, err);
    struct tpl_dict_scope s;
    struct val *own = NULL, *vars = NULL, *out = NULL;

    if (!host) {
        return NULL;
    }
    own = inv_host_vars(inv, host);
    vars = installer_vars(inv, err);
    if (!vars) {
        val_unref(own);
        return NULL;
    }
    tpl_dict_scope_init(&s, vars, NULL);
    val_unref(vars);
    out = val_dict();
    for (size_t i = 0; i < val_dict_len(own); i++) {
        const char *name = val_dict_key_at(own, i);
        struct val *v = s.scope.lookup(s.scope.ctx, name, err);
        struct buf text = BUF_INIT;

        if (!v && err->kind != ERR_NONE) {
            err_prefix(err, "inventory: variable '%s' of the installer host: ", name);
            val_unref(out);
            out = NULL;
            break;
        }
        if (!v) {
            continue;
        }
        val_to_pystr(v, &text);
        val_dict_set_take(out, name, val_strn(text.ptr, text.len));
        buf_release(&text);
        val_unref(v);
    }
    tpl_dict_scope_release(&s);
    val_unref(own);
    return out;
}

int tke_config_write(const struct inventory *inv, const struct tke_config_opts *opts,
                     bool *changed, struct err *err)
{
    struct buf text = BUF_INIT, old = BUF_INIT;
    struct err ignored = ERR_INIT;
    char *dir = fs_dirname(opts->tke_json);
    int ret = -1;

    if (tke_config_render(inv, opts, &text, err) < 0 || fs_mkdir_p(dir, 0755, err) < 0) {
        goto out;
    }
    if (changed) {
        *changed = !fs_exists(opts->tke_json) || fs_read_file(opts->tke_json, &old, &ignored) < 0 ||
                   old.len != text.len || memcmp(old.ptr, text.ptr, text.len) != 0;
    }
    ret = fs_write_atomic(opts->tke_json, text.ptr, text.len, 0600, err);
out:
    free(dir);
    buf_release(&old);
    buf_release(&text);
    return ret;
}
