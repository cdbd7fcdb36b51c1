/*
 * inv-yaml.c - read a YAML inventory (all: / group: with hosts:, vars:, children:) into a
 * struct inventory, as ansible-core 2.14's yaml plugin does. Values keep their YAML types.
 * Keys other than hosts/vars/children and non-mapping sections are skipped, as Ansible skips
 * them with a warning.
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/vec.h"
#include "inventory/inv-impl.h"
#include "inventory/inv.h"
#include "value/val-yaml.h"
#include "value/val.h"

static int parse_group(struct inventory *inv, const char *name, struct val *data,
                       struct inv_group **out, struct err *err);

static bool is_mapping_or_null(const struct val *v)
{
    return v->type == VAL_DICT || v->type == VAL_NULL;
}

/* A section given as a plain string ("hosts: web1") means {web1: null}. Returns a new
 * reference, or NULL with an error when the section is neither a mapping nor a string. */
static struct val *section(const char *group, const char *key, struct val *v, struct err *err)
{
    struct val *dict;

    if (v->type == VAL_STR) {
        dict = val_dict();
        val_dict_set_take(dict, val_cstr(v), val_null());
        return dict;
    }
    if (!is_mapping_or_null(v)) {
        err_at(err, ERR_PARSE, &v->pos, "'%s' of group '%s' must be a mapping, not %s", key,
               group, val_type_name(v->type));
        return NULL;
    }
    return val_ref(v);
}

static int add_hosts(struct inventory *inv, struct inv_group *group, struct val *hosts,
                     struct err *err)
{
    for (size_t i = 0; i < val_dict_len(hosts); i++) {
        const char *pattern = val_dict_key_at(hosts, i);
        struct val *vars = val_dict_value_at(hosts, i);
        struct svec names = SVEC_INIT;
        int port = 0;

        if (vars->type != VAL_DICT && vars->type != VAL_NULL) {
            return err_at(err, ERR_PARSE, &vars->pos,
                          "variables of host '%s' must be a mapping, not %s", pattern,
                          val_type_name(vars->type));
        }
        if (inv_expand_host_pattern(pattern, &names, &port, &vars->pos, err) < 0) {
            svec_release(&names);
            return -1;
        }
        for (size_t h = 0; h < names.len; h++) {
            struct inv_host *host = inv_add_host(inv, names.items[h], group, port);

            for (size_t k = 0; vars->type == VAL_DICT && k < val_dict_len(vars); k++) {
                inv_set_host_var(host, val_dict_key_at(vars, k), val_dict_value_at(vars, k));
            }
        }
        svec_release(&names);
    }
    return 0;
}

static int add_children(struct inventory *inv, struct inv_group *group, struct val *children,
                        struct err *err)
{
    for (size_t i = 0; i < val_dict_len(children); i++) {
        struct val *data = val_dict_value_at(children, i);
        struct inv_group *child = NULL;

        if (parse_group(inv, val_dict_key_at(children, i), data, &child, err) < 0) {
            return -1;
        }
        if (child && inv_add_child(inv, group, child, &data->pos, err) < 0) {
            return -1;
        }
    }
    return 0;
}

static int parse_key(struct inventory *inv, struct inv_group *group, const char *key,
                     struct val *value, struct err *err)
{
    if (value->type != VAL_DICT) {
        return 0; /* null or not a mapping: Ansible skips it */
    }
    if (strcmp(key, "vars") == 0) {
        for (size_t i = 0; i < val_dict_len(value); i++) {
            inv_set_group_var(group, val_dict_key_at(value, i), val_dict_value_at(value, i));
        }
        return 0;
    }
    if (strcmp(key, "children") == 0) {
        return add_children(inv, group, value, err);
    }
    if (strcmp(key, "hosts") == 0) {
        return add_hosts(inv, group, value, err);
    }
    return 0;
}

static bool is_section_name(const char *key)
{
    return strcmp(key, "vars") == 0 || strcmp(key, "children") == 0 ||
           strcmp(key, "hosts") == 0;
}

/* _parse_group: *out is the group, or NULL when 'data' is not a group definition. */
static int parse_group(struct inventory *inv, const char *name, struct val *data,
                       struct inv_group **out, struct err *err)
{
    struct inv_group *group;

    *out = NULL;
    if (!is_mapping_or_null(data)) {
        return 0;
    }
    group = inv_add_group(inv, name);
    *out = group;
    for (size_t i = 0; data->type == VAL_DICT && i < val_dict_len(data); i++) {
        const char *key = val_dict_key_at(data, i);
        struct val *value = val_dict_value_at(data, i);
        int ret;

        if (!is_section_name(key)) {
            continue;
        }
        value = section(name, key, value, err);
        if (!value) {
            return -1;
        }
        ret = parse_key(inv, group, key, value, err);
        val_unref(value);
        if (ret < 0) {
            return -1;
        }
    }
    return 0;
}

int inv_load_yaml(struct inventory *inv, const char *text, const char *name, struct err *err)
{
    struct val *data = val_from_yaml(text, strlen(text), name, err);
    struct srcpos pos = { pos_intern(name), 1, 1 };
    int ret = -1;

    if (!data) {
        return -1;
    }
    if (data->type == VAL_NULL) {
        err_at(err, ERR_PARSE, &pos, "empty YAML inventory");
    } else if (data->type != VAL_DICT) {
        err_at(err, ERR_PARSE, &data->pos, "a YAML inventory must be a mapping of groups, not %s",
               val_type_name(data->type));
    } else if (val_dict_has(data, "plugin")) {
        err_at(err, ERR_PARSE, &data->pos,
               "inventory plugin configuration is not supported, only YAML inventories");
    } else {
        ret = 0;
        for (size_t i = 0; ret == 0 && i < val_dict_len(data); i++) {
            struct inv_group *group;

            ret = parse_group(inv, val_dict_key_at(data, i), val_dict_value_at(data, i), &group,
                              err);
        }
    }
    val_unref(data);
    return ret;
}
