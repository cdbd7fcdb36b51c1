/*
 * unit-mod.h - helpers for module tests: a local connection and module_ctx, arguments written as
 * JSON, and one call that validates and runs a module like the runner does.
 */
#ifndef UNIT_MOD_H
#define UNIT_MOD_H

#include "unit.h"
#include "base/buf.h"
#include "base/err.h"
#include "conn/conn.h"
#include "modules/args.h"
#include "modules/module.h"
#include "value/val-json.h"
#include "value/val.h"

struct unit_mod {
    struct conn *conn;
    struct module_ctx ctx;
    struct result res;
    char *dir; /* scratch directory */
};

static inline void unit_mod_setup(struct unit_mod *m)
{
    struct conn_settings s = { .host_name = "localhost", .transport = "local" };
    struct err err = ERR_INIT;

    memset(m, 0, sizeof(*m));
    m->conn = conn_new(&s, &err);
    assert_non_null(m->conn);
    m->ctx.conn = m->conn;
    m->ctx.host_name = "localhost";
    m->dir = unit_tmpdir();
    m->ctx.task_dir = m->dir;
    m->ctx.templates_dir = m->dir;
    result_init(&m->res);
}

static inline void unit_mod_teardown(struct unit_mod *m)
{
    result_release(&m->res);
    conn_free(m->conn);
    unit_rmtree(m->dir);
    free(m->dir);
}

/* Runs module 'name' with JSON args (printf-like); the previous result is replaced. Returns the
 * run's status; a validation error fails the test unless 'parse_err' is given. */
static inline enum result_status unit_mod_run(struct unit_mod *m, const char *name,
                                              struct err *parse_err, const char *fmt, ...)
    PRINTF_LIKE(4, 5);
static inline enum result_status unit_mod_run(struct unit_mod *m, const char *name,
                                              struct err *parse_err, const char *fmt, ...)
{
    const struct module *mod = module_find(name);
    struct err err = ERR_INIT;
    struct margs args;
    struct val *raw;
    char *json;
    va_list ap;

    assert_non_null(mod);
    va_start(ap, fmt);
    json = xvasprintf(fmt, ap);
    va_end(ap);
    raw = val_from_json(json, strlen(json), "args", &err);
    if (!raw) {
        fail_msg("bad test json %s: %s", json, err.msg);
    }
    free(json);
    result_release(&m->res);
    result_init(&m->res);
    if (margs_parse(mod, raw, NULL, &args, parse_err ? parse_err : &err) < 0) {
        val_unref(raw);
        if (!parse_err) {
            fail_msg("args rejected: %s", err.msg);
        }
        return RESULT_UNREACHABLE;
    }
    val_unref(raw);
    assert_int_equal(mod->run(&m->ctx, &args, &m->res, &err), 0);
    margs_release(&args);
    return m->res.status;
}

static inline const char *unit_mod_str(const struct unit_mod *m, const char *key)
{
    return val_dict_get_str(m->res.data, key);
}

static inline int64_t unit_mod_int(const struct unit_mod *m, const char *key)
{
    struct val *v = val_dict_get(m->res.data, key);

    assert_non_null(v);
    assert_int_equal(v->type, VAL_INT);
    return v->u.i;
}

/* Reads a local file into a new string (caller frees); NULL when it cannot be read. */
static inline char *unit_read(const char *path)
{
    FILE *f = fopen(path, "r");
    char *text = NULL;
    size_t cap = 0;
    ssize_t n;

    if (!f) {
        return NULL;
    }
    n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    if (n < 0) {
        free(text);
        return xstrdup("");
    }
    return text;
}

#endif
