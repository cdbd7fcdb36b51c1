/*
 * cmd-template.c - `pot template [-e VARS]... TEMPLATE`: renders one Jinja2 template to stdout
 * with the settings of Ansible's template module (trim_blocks on, lstrip_blocks off, trailing
 * newlines kept). Variables: -e k=v (strings, like Ansible's key=value extra vars), -e '{json}',
 * -e @file.json / @file.yml; later ones win. Templated variable values are resolved lazily.
 * With -i INV --host NAME, the host's inventory variables, groups, group_names, hostvars and
 * inventory_hostname are in scope below the -e ones.
 * With --go, TEMPLATE is a Helm chart template (installer/gotpl/): the -e variables are .Values
 * (numbers as float64, as Helm reads values), beside a fixed .Release and .Chart.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/vec.h"
#include "cli/cli.h"
#include "cli/extra-vars.h"
#include "cli/opt.h"
#include "gotpl/gotpl.h"
#include "inventory/inv.h"
#include "playbook/pb.h"
#include "template/tpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

struct template_args {
    struct svec extra;
    struct svec positional;
    struct svec inventories;
    const char *host; /* borrowed from argv */
    bool go;
};

/* The inventory variables of --host: its merged vars, groups, group_names, hostvars and
 * inventory_hostname(_short). Returns a new dict or NULL. */
static struct val *inventory_vars(const struct template_args *a, struct err *err)
{
    struct inventory *inv = inv_new();
    struct inv_host *host;
    struct val *vars = NULL;
    struct val *groups;

    for (size_t i = 0; i < a->inventories.len; i++) {
        if (inv_load(inv, a->inventories.items[i], err) < 0) {
            goto out;
        }
    }
    if (inv_finish(inv, err) < 0) {
        goto out;
    }
    host = inv_find_host(inv, a->host);
    if (!host) {
        err_set(err, ERR_USAGE, "host '%s' is not in the inventory", a->host);
        goto out;
    }
    groups = inv_groups_dict(inv);
    vars = inv_host_vars(inv, host);
    inv_add_magic_vars(inv, host, vars, groups);
    val_dict_set_take(vars, "hostvars", inv_hostvars_dict(inv));
    val_unref(groups);
out:
    inv_free(inv);
    return vars;
}

/* Builds the variables of the render: inventory host vars, then -e (extra vars win). */
static struct val *build_vars(const struct template_args *a, struct err *err)
{
    struct val *vars = a->host ? inventory_vars(a, err) : val_dict();

    if (!vars) {
        return NULL;
    }

    for (size_t i = 0; i < a->extra.len; i++) {
        if (cli_add_extra_vars(vars, a->extra.items[i], err) < 0) {
            val_unref(vars);
            return NULL;
        }
    }
    return vars;
}

static int render_file(const char *path, struct val *vars, struct buf *out, struct err *err)
{
    struct tpl_opts opts = { .name = path, .trim_blocks = true, .keep_trailing_newline = true };
    struct tpl_dict_scope scope;
    struct buf text = BUF_INIT;
    struct tpl *t = NULL;
    char *dir = fs_dirname(path);
    int rc = -1;

    tpl_dict_scope_init(&scope, vars, dir);
    if (fs_read_file(path, &text, err) < 0) {
        goto out;
    }
    t = tpl_compile(text.ptr, text.len, &opts, err);
    if (t && tpl_render(t, &scope.scope, out, err) == 0) {
        rc = 0;
    }
out:
    tpl_free(t);
    tpl_dict_scope_release(&scope);
    buf_release(&text);
    free(dir);
    return rc;
}

static struct val *str_dict(const char *const *kv)
{
    struct val *d = val_dict();

    for (; kv[0]; kv += 2) {
        val_dict_set_take(d, kv[0], val_str(kv[1]));
    }
    return d;
}

/* `--go`: renders 'path' as Helm renders a chart template, with 'vars' as .Values. */
static int render_go_file(const char *path, struct val *vars, struct buf *out, struct err *err)
{
    static const char *const release[] = { "Name", "r", "Namespace", "default", "Service", "Helm",
                                           NULL };
    static const char *const chart[] = { "Name", "c", "Version", "0.1.0", NULL };
    struct gotpl *t = gotpl_new(GOTPL_HELM);
    struct buf text = BUF_INIT;
    struct val *dot = gotpl_helm_root(vars);
    struct val *tmpl = val_dict();
    struct val *rel = str_dict(release);
    int rc = -1;

    val_dict_set_take(rel, "IsInstall", val_bool(true));
    val_dict_set_take(rel, "IsUpgrade", val_bool(false));
    val_dict_set_take(rel, "Revision", val_int(1));
    val_dict_set_take(dot, "Release", rel);
    val_dict_set_take(dot, "Chart", str_dict(chart));
    val_dict_set_take(tmpl, "Name", val_str(path));
    val_dict_set_take(tmpl, "BasePath", val_str("c/templates"));
    val_dict_set_take(dot, "Template", tmpl);
    if (fs_read_file(path, &text, err) == 0 && gotpl_parse(t, path, text.ptr, err) == 0 &&
        gotpl_execute(t, path, dot, out, err) == 0) {
        rc = 0;
    }
    val_unref(dot);
    buf_release(&text);
    gotpl_free(t);
    return rc;
}

#define AT(field) OPT_AT(struct template_args, field)
const struct opt template_options[] = {
    { OPT_LIST, "extra-vars", 'e', AT(extra), "VARS",
      "k=v, JSON/YAML, @vars.json or @vars.yml (repeatable; later ones win)" },
    { OPT_LIST, "inventory", 'i', AT(inventories), "INV", "the inventory of --host (repeatable)" },
    { OPT_STRING, "host", 0, AT(host), "NAME", "render with this inventory host's variables" },
    { OPT_BOOL, "go", 0, AT(go), NULL, "render a Helm chart template (-e variables are .Values)" },
    { 0 },
};
#undef AT

int cmd_template(int argc, char **argv, struct err *err)
{
    struct template_args a = { SVEC_INIT, SVEC_INIT, SVEC_INIT, NULL, false };
    struct val *vars = NULL;
    struct buf out = BUF_INIT;
    int rc = -1;

    if (opt_parse(template_options, &a, argc - 1, argv + 1, &a.positional, err) < 0) {
        goto out;
    }
    if (a.positional.len != 1) {
        err_set(err, ERR_USAGE,
                "usage: pot template [--go] [-i INV --host NAME] [-e VARS]... TEMPLATE");
        goto out;
    }
    if ((a.host != NULL) != (a.inventories.len > 0)) {
        err_set(err, ERR_USAGE, "-i INVENTORY and --host NAME go together");
        goto out;
    }
    vars = build_vars(&a, err);
    if (!vars) {
        goto out;
    }
    if (a.go ? render_go_file(a.positional.items[0], vars, &out, err) < 0
             : render_file(a.positional.items[0], vars, &out, err) < 0) {
        goto out;
    }
    if (fwrite(out.ptr, 1, out.len, stdout) != out.len || fflush(stdout) != 0) {
        err_errno(err, "writing the output");
        goto out;
    }
    rc = 0;
out:
    val_unref(vars);
    buf_release(&out);
    svec_release(&a.extra);
    svec_release(&a.positional);
    svec_release(&a.inventories);
    return rc;
}
