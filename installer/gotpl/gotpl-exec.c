/*
 * gotpl-exec.c - executing a parse tree as Go's text/template/exec.go does: pipelines (the
 * previous command's value is the next one's last argument, nil interfaces become "no value"
 * between commands), field chains on maps (missingkey=zero in GOTPL_HELM, missingkey=error in
 * GOTPL_HELMFILE) and methods of values that have some (a semver's .Compare), variables with
 * Go's scoping, if/with/range (lists, sorted maps, integers) with else, break/continue,
 * template/block calls with a fresh variable scope, and function calls with Go's arity checks
 * and and/or short-circuit. Errors are ERR_TEMPLATE at the node, worded as Go:
 * 'executing "NAME" at <NODE>: ...'.
 */
#include "pot.h"
#include <math.h>
#include <pthread.h>
#include <string.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

/* One execution stops after this many loop iterations plus template calls, or this much output:
 * runaway templates (and the fuzzer) get an error instead of hanging. */
#define MAX_STEPS 20000000ull
#define MAX_OUTPUT (256u << 20)

enum walk_rc {
    WALK_OK = 0,
    WALK_BREAK = 1,
    WALK_CONTINUE = 2,
};

static int exec_fail(struct gx *x, const struct srcpos *pos, const char *at, struct err *err,
                     const char *fmt, ...) PRINTF_LIKE(5, 6);

static int exec_fail(struct gx *x, const struct srcpos *pos, const char *at, struct err *err,
                     const char *fmt, ...)
{
    char msg[1536];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    return err_at(err, ERR_TEMPLATE, pos, "executing \"%s\" at <%s>: %s", x->tmpl_name, at, msg);
}

/* Keep this much of the thread's stack unused: deep template nesting then fails cleanly. */
#define STACK_RESERVE (512u << 10)

/* The lowest stack address this thread may use, or 0 when unknown. Asked once per thread: on
 * the main thread glibc's pthread_getattr_np reads /proc/self/maps, which would cost more than
 * a small template's execution. */
static uintptr_t stack_floor(void)
{
    static _Thread_local bool known;
    static _Thread_local uintptr_t floor_addr;
    pthread_attr_t attr;
    void *addr = NULL;
    size_t size = 0;

    if (known) {
        return floor_addr;
    }
    known = true;
    if (pthread_getattr_np(pthread_self(), &attr) != 0) {
        return 0;
    }
    if (pthread_attr_getstack(&attr, &addr, &size) != 0 || size <= 2 * STACK_RESERVE) {
        addr = NULL;
    }
    pthread_attr_destroy(&attr);
    floor_addr = addr ? (uintptr_t)addr + STACK_RESERVE : 0;
    return floor_addr;
}

/* Fails when the C stack is nearly used up (nested templates, pipelines, includes). */
static int check_stack(struct gx *x, const struct srcpos *pos, const char *at, struct err *err)
{
    char here;

    if (x->stack_floor && (uintptr_t)&here < x->stack_floor) {
        return exec_fail(x, pos, at, err, "exceeded maximum template depth: nesting too deep");
    }
    return 0;
}

static void push_var(struct gx *x, const char *name, struct val *v)
{
    xgrow((void **)&x->vars, &x->vars_cap, x->nvars + 1, sizeof(*x->vars));
    x->vars[x->nvars].name = name;
    x->vars[x->nvars].value = v ? val_ref(v) : NULL;
    x->nvars++;
}

static void pop_vars(struct gx *x, size_t mark)
{
    while (x->nvars > mark) {
        x->nvars--;
        val_unref(x->vars[x->nvars].value);
    }
}

static struct gvar *find_var(struct gx *x, const char *name)
{
    for (size_t i = x->nvars; i > x->var_base; i--) {
        if (strcmp(x->vars[i - 1].name, name) == 0) {
            return &x->vars[i - 1];
        }
    }
    return NULL;
}

static void set_var_value(struct gvar *var, struct val *v)
{
    val_unref(var->value);
    var->value = v ? val_ref(v) : NULL;
}

/* The interface{} value a function receives for 'v' (no value -> nil). New reference. */
static struct val *as_arg(struct val *v)
{
    return v ? val_ref(v) : val_null();
}

/* Go's "dig down one level" after each command: a nil interface becomes no value. */
static struct val *dig(struct val *v)
{
    if (v && v->type == VAL_NULL) {
        val_unref(v);
        return NULL;
    }
    return v;
}

static int eval_pipeline(struct gx *x, struct val *dot, const struct gpipe *pipe, struct val **out,
                         struct err *err);

static int call_method(struct gx *x, struct val *dot, const struct gfunc *m, struct val *receiver,
                       const struct garg *node, const struct gcmd *cmd, struct val *final,
                       bool has_final, struct val **out, struct err *err);

/* One field step: receiver.name, given the arguments of 'cmd' (NULL: none) and 'final' (when
 * 'has_final'): only a method takes them. Sets *out to a new reference or NULL (no value). */
static int eval_field(struct gx *x, struct val *dot, struct val *receiver, const char *name,
                      const struct gcmd *cmd, struct val *final, bool has_final,
                      const struct garg *node, struct val **out, struct err *err)
{
    bool has_args = (cmd && cmd->nargs > 1) || has_final;
    const struct gfunc *m;
    struct val *v;

    *out = NULL;
    if (!receiver) {
        return 0;
    }
    if (receiver->type == VAL_NULL) {
        return exec_fail(x, &node->pos, node->text, err, "nil pointer evaluating interface {}.%s",
                         name);
    }
    m = gotpl_find_method(receiver, name); /* Go looks for a method before a map key */
    if (m) {
        return call_method(x, dot, m, receiver, node, cmd, final, has_final, out, err);
    }
    if (gotpl_has_methods(receiver)) {
        return exec_fail(x, &node->pos, node->text, err, "can't evaluate field %s in type %s", name,
                         gotpl_type_name(receiver));
    }
    if (receiver->type != VAL_DICT) {
        return exec_fail(x, &node->pos, node->text, err, "can't evaluate field %s in type %s", name,
                         gotpl_type_name(receiver));
    }
    if (has_args) {
        return exec_fail(x, &node->pos, node->text, err, "%s is not a method but has arguments",
                         name);
    }
    v = val_dict_get(receiver, name);
    if (v) {
        *out = val_ref(v);
    } else if (x->t->mode == GOTPL_HELMFILE) {
        return exec_fail(x, &node->pos, node->text, err, "map has no entry for key \"%s\"", name);
    } else {
        *out = val_null();
    }
    return 0;
}

/* receiver.f1.f2...; the last field gets the arguments of 'cmd' (NULL: none) and 'final'. Takes
 * 'receiver' (a reference or NULL). */
static int eval_field_chain(struct gx *x, struct val *dot, struct val *receiver,
                            const struct garg *node, const struct gcmd *cmd, struct val *final,
                            bool has_final, struct val **out, struct err *err)
{
    struct val *cur = receiver;

    for (size_t i = 0; i < node->nfields; i++) {
        bool last = i + 1 == node->nfields;
        struct val *next;

        if (eval_field(x, dot, cur, node->fields[i], last ? cmd : NULL, last ? final : NULL,
                       last && has_final, node, &next, err) < 0) {
            val_unref(cur);
            return -1;
        }
        val_unref(cur);
        cur = next;
    }
    *out = cur;
    return 0;
}

static int call_function(struct gx *x, struct val *dot, const struct garg *ident,
                         const struct gcmd *cmd, struct garg *const *args, size_t nargs,
                         struct val *final, bool has_final, struct val **out, struct err *err);

/* Evaluates an argument (Go's evalArg for an interface{} parameter). */
static int eval_arg(struct gx *x, struct val *dot, const struct garg *a, struct val **out,
                    struct err *err)
{
    struct val *base = NULL;

    *out = NULL;
    switch (a->kind) {
    case GA_DOT:
        *out = dot ? val_ref(dot) : NULL;
        return 0;
    case GA_NIL:
        *out = val_null();
        return 0;
    case GA_CONST:
        *out = val_ref(a->value);
        return 0;
    case GA_FIELD:
        return eval_field_chain(x, dot, dot ? val_ref(dot) : NULL, a, NULL, NULL, false, out, err);
    case GA_VAR: {
        struct gvar *var = find_var(x, a->name);

        if (!var) {
            return exec_fail(x, &a->pos, a->text, err, "undefined variable: %s", a->name);
        }
        base = var->value ? val_ref(var->value) : NULL;
        break;
    }
    case GA_PIPE:
        if (eval_pipeline(x, dot, a->pipe, &base, err) < 0) {
            return -1;
        }
        break;
    case GA_IDENT:
        if (call_function(x, dot, a, NULL, NULL, 0, NULL, false, &base, err) < 0) {
            return -1;
        }
        break;
    }
    if (a->nfields == 0) {
        *out = base;
        return 0;
    }
    return eval_field_chain(x, dot, base, a, NULL, NULL, false, out, err);
}

static int arity_error(struct gx *x, const struct gcmd *cmd, const struct garg *ident,
                       const char *name, int min, int max, size_t got, struct err *err)
{
    const struct srcpos *pos = cmd ? &cmd->pos : &ident->pos;
    const char *at = cmd ? cmd->text : ident->text;

    if (max < 0) {
        return exec_fail(x, pos, at, err, "wrong number of args for %s: want at least %d got %zu",
                         name, min, got);
    }
    if (max != min && got < (size_t)min) {
        return exec_fail(x, pos, at, err, "wrong number of args for %s: want at least %d got %zu",
                         name, min, got);
    }
    return exec_fail(x, pos, at, err, "wrong number of args for %s: want %d got %zu", name,
                     got < (size_t)min ? min : max, got);
}

static const char *go_type(char t)
{
    switch (t) {
    case 's':
        return "string";
    case 'i':
        return "int";
    case 'I':
        return "int64";
    case 'u':
        return "uint32";
    case 'f':
        return "float64";
    case 'b':
        return "bool";
    case 'l':
        return "[]interface {}";
    case 'm':
        return "map[string]interface {}";
    case 'V':
        return "*semver.Version";
    default:
        return "interface {}";
    }
}

/* The Go type letter of parameter 'i' of a signature. */
static char param_type(const char *sig, size_t i)
{
    size_t n = strlen(sig);

    if (n > 0 && sig[n - 1] == '.') {
        return i < n - 2 ? sig[i] : sig[n - 2];
    }
    return i < n ? sig[i] : 'a';
}

static void sig_arity(const char *sig, int *min, int *max)
{
    int n = (int)strlen(sig);

    if (n > 0 && sig[n - 1] == '.') {
        *min = n - 2;
        *max = -1;
    } else {
        *min = *max = n;
    }
}

static bool type_matches(const struct val *v, char t)
{
    switch (t) {
    case 's':
        return v->type == VAL_STR;
    case 'i':
        return v->type == VAL_INT && (v->flags & GOTPL_VAL_GOINT);
    case 'I':
        return v->type == VAL_INT && !(v->flags & GOTPL_VAL_GOINT);
    case 'u':
        return false; /* no template value is a uint32: only constants convert */
    case 'f':
        return v->type == VAL_DOUBLE;
    case 'b':
        return v->type == VAL_BOOL;
    case 'l':
        return v->type == VAL_LIST;
    case 'm':
        return v->type == VAL_DICT && !gotpl_has_methods(v);
    case 'V':
        return gotpl_has_methods(v);
    default:
        return true;
    }
}

/* Go's validateType: a computed value ('v' NULL for no value) for a parameter of type 't'. */
static int validate(struct gx *x, const struct srcpos *pos, const char *at, struct val *v, char t,
                    struct val **out, struct err *err)
{
    if (t == 'a') {
        *out = as_arg(v);
        return 0;
    }
    if (!v) {
        if (t == 'l' || t == 'm') {
            *out = t == 'l' ? val_list() : val_dict();
            return 0;
        }
        return exec_fail(x, pos, at, err, "invalid value; expected %s", go_type(t));
    }
    if (!type_matches(v, t)) {
        return exec_fail(x, pos, at, err, "wrong type for value; expected %s; got %s", go_type(t),
                         v->type == VAL_NULL ? "interface {}" : gotpl_type_name(v));
    }
    *out = val_ref(v);
    return 0;
}

/* Go's evalArg for a parameter of type 't'. */
static int eval_typed_arg(struct gx *x, struct val *dot, const struct garg *a, char t,
                          struct val **out, struct err *err)
{
    struct val *v = NULL;
    int rc;

    if (t == 'a') {
        if (eval_arg(x, dot, a, &v, err) < 0) {
            return -1;
        }
        *out = v ? v : val_null();
        return 0;
    }
    if (a->kind == GA_NIL) {
        if (t == 'l' || t == 'm') {
            *out = t == 'l' ? val_list() : val_dict();
            return 0;
        }
        return exec_fail(x, &a->pos, a->text, err, "cannot assign nil to %s", go_type(t));
    }
    if (a->kind == GA_CONST) {
        struct val *c = a->value;

        switch (t) {
        case 's':
            if (c->type == VAL_STR) {
                *out = val_ref(c);
                return 0;
            }
            return exec_fail(x, &a->pos, a->text, err, "expected string; found %s", a->text);
        case 'i':
        case 'I':
            if (c->type == VAL_INT || (c->type == VAL_DOUBLE && fabs(c->u.d) < 9.2e18 &&
                                       c->u.d == (double)(int64_t)c->u.d)) {
                int64_t i = c->type == VAL_INT ? c->u.i : (int64_t)c->u.d;

                *out = t == 'i' ? gotpl_goint(i) : val_int(i);
                return 0;
            }
            return exec_fail(x, &a->pos, a->text, err, "expected integer; found %s", a->text);
        case 'u':
            /* a non-negative integer constant, truncated to 32 bits as reflect's SetUint */
            if ((c->type == VAL_INT && c->u.i >= 0) ||
                (c->type == VAL_DOUBLE && c->u.d >= 0 && c->u.d < 9.2e18 &&
                 c->u.d == (double)(int64_t)c->u.d)) {
                int64_t i = c->type == VAL_INT ? c->u.i : (int64_t)c->u.d;

                *out = val_int((int64_t)(uint32_t)i);
                return 0;
            }
            return exec_fail(x, &a->pos, a->text, err, "expected unsigned integer; found %s",
                             a->text);
        case 'f':
            if (c->type == VAL_INT || c->type == VAL_DOUBLE) {
                *out = val_double(c->type == VAL_INT ? (double)c->u.i : c->u.d);
                return 0;
            }
            return exec_fail(x, &a->pos, a->text, err, "expected float; found %s", a->text);
        case 'b':
            if (c->type == VAL_BOOL) {
                *out = val_ref(c);
                return 0;
            }
            return exec_fail(x, &a->pos, a->text, err, "expected bool; found %s", a->text);
        default:
            return exec_fail(x, &a->pos, a->text, err, "can't handle %s for arg of type %s",
                             a->text, go_type(t));
        }
    }
    if (eval_arg(x, dot, a, &v, err) < 0) {
        return -1;
    }
    rc = validate(x, &a->pos, a->text, v, t, out, err);
    val_unref(v);
    return rc;
}

/* and / or: Go evaluates the arguments in turn and stops at the deciding one. */
static int call_and_or(struct gx *x, struct val *dot, bool is_or, struct garg *const *args,
                       size_t nargs, struct val *final, bool has_final, struct val **out,
                       struct err *err)
{
    struct val *v = NULL;

    for (size_t i = 0; i < nargs; i++) {
        val_unref(v);
        if (eval_arg(x, dot, args[i], &v, err) < 0) {
            return -1;
        }
        if (gotpl_truth(v) == is_or) {
            *out = v;
            return 0;
        }
    }
    if (has_final) {
        val_unref(v);
        v = final ? val_ref(final) : NULL;
    }
    *out = v;
    return 0;
}

/* Evaluates a call's arguments for the parameters 'sig' into 'argv': 'args', then 'final' when
 * 'has_final'. */
static int eval_call_args(struct gx *x, struct val *dot, const char *sig, const struct srcpos *cpos,
                          const char *ctext, struct garg *const *args, size_t nargs,
                          struct val *final, bool has_final, struct val **argv, struct err *err)
{
    for (size_t i = 0; i < nargs; i++) {
        if (eval_typed_arg(x, dot, args[i], param_type(sig, i), &argv[i], err) < 0) {
            return -1;
        }
    }
    if (has_final &&
        validate(x, cpos, ctext, final, param_type(sig, nargs), &argv[nargs], err) < 0) {
        return -1;
    }
    return 0;
}

/* Calls the method 'm' of 'receiver' (the field 'node' names) with the other arguments of 'cmd'
 * (NULL: none) and 'final'. */
static int call_method(struct gx *x, struct val *dot, const struct gfunc *m, struct val *receiver,
                       const struct garg *node, const struct gcmd *cmd, struct val *final,
                       bool has_final, struct val **out, struct err *err)
{
    size_t nargs = cmd && cmd->nargs > 1 ? cmd->nargs - 1 : 0;
    size_t n = nargs + (has_final ? 1 : 0);
    const struct srcpos *cpos = cmd ? &cmd->pos : &node->pos;
    const char *ctext = cmd ? cmd->text : node->text;
    struct err ferr = ERR_INIT;
    struct val **argv;
    int min, max, rc = -1;

    sig_arity(m->sig, &min, &max);
    if (n < (size_t)min || (max >= 0 && n > (size_t)max)) {
        return arity_error(x, cmd, node, m->name, min, max, n, err);
    }
    argv = xcalloc(n + 1, sizeof(*argv));
    argv[0] = val_ref(receiver);
    if (eval_call_args(x, dot, m->sig, cpos, ctext, cmd ? cmd->args + 1 : NULL, nargs, final,
                       has_final, argv + 1, err) == 0) {
        rc = m->fn(x, argv, n + 1, out, &ferr);
        if (rc < 0) {
            val_unref(*out);
            *out = NULL;
            exec_fail(x, cpos, ctext, err, "error calling %s: %s", m->name, ferr.msg);
        }
    }
    for (size_t i = 0; i <= n; i++) {
        val_unref(argv[i]);
    }
    free(argv);
    return rc;
}

static int call_function(struct gx *x, struct val *dot, const struct garg *ident,
                         const struct gcmd *cmd, struct garg *const *args, size_t nargs,
                         struct val *final, bool has_final, struct val **out, struct err *err)
{
    const char *name = ident->name;
    size_t n = nargs + (has_final ? 1 : 0);
    const struct srcpos *cpos = cmd ? &cmd->pos : &ident->pos;
    const char *ctext = cmd ? cmd->text : ident->text;
    const char *sig = "";
    struct gfunc_ref ref;
    struct val **argv = NULL;
    struct err ferr = ERR_INIT;
    int min, max, rc = -1;

    *out = NULL;
    if (!gotpl_find_func(x->t, name, &ref)) {
        return exec_fail(x, &ident->pos, ident->text, err, "\"%s\" is not a defined function",
                         name);
    }
    if (ref.builtin) {
        sig = ref.builtin->sig;
        sig_arity(sig, &min, &max);
    } else {
        min = ref.user->min_args;
        max = ref.user->max_args;
    }
    if (n < (size_t)min || (max >= 0 && n > (size_t)max)) {
        return arity_error(x, cmd, ident, name, min, max, n, err);
    }
    if (ref.builtin && (strcmp(name, "and") == 0 || strcmp(name, "or") == 0)) {
        return call_and_or(x, dot, name[0] == 'o', args, nargs, final, has_final, out, err);
    }
    argv = xcalloc(n ? n : 1, sizeof(*argv));
    if (eval_call_args(x, dot, sig, cpos, ctext, args, nargs, final, has_final, argv, err) < 0) {
        goto out;
    }
    if (ref.builtin) {
        rc = ref.builtin->fn(x, argv, n, out, &ferr);
    } else {
        rc = ref.user->fn(ref.ctx, argv, n, out, &ferr);
    }
    if (rc < 0) {
        val_unref(*out);
        *out = NULL;
        if (ferr.kind == ERR_TEMPLATE && ferr.pos.file) {
            *err = ferr; /* an error inside include/tpl keeps its own position */
        } else {
            exec_fail(x, cpos, ctext, err, "error calling %s: %s", name, ferr.msg);
        }
        goto out;
    }
    if (!*out) {
        *out = val_null();
    }
    rc = 0;
out:
    for (size_t i = 0; i < n; i++) {
        val_unref(argv[i]);
    }
    free(argv);
    return rc;
}

static int not_a_function(struct gx *x, const struct gcmd *cmd, bool has_final, struct err *err)
{
    if (cmd->nargs > 1 || has_final) {
        return exec_fail(x, &cmd->pos, cmd->text, err, "can't give argument to non-function %s",
                         cmd->args[0]->text);
    }
    return 0;
}

static int eval_command(struct gx *x, struct val *dot, const struct gcmd *cmd, struct val *final,
                        bool has_final, struct val **out, struct err *err)
{
    const struct garg *first = cmd->args[0];
    struct val *base = NULL;

    *out = NULL;
    switch (first->kind) {
    case GA_FIELD:
        return eval_field_chain(x, dot, dot ? val_ref(dot) : NULL, first, cmd, final, has_final,
                                out, err);
    case GA_VAR: {
        struct gvar *var = find_var(x, first->name);

        if (!var) {
            return exec_fail(x, &first->pos, first->text, err, "undefined variable: %s",
                             first->name);
        }
        if (first->nfields == 0) {
            if (not_a_function(x, cmd, has_final, err) < 0) {
                return -1;
            }
            *out = var->value ? val_ref(var->value) : NULL;
            return 0;
        }
        return eval_field_chain(x, dot, var->value ? val_ref(var->value) : NULL, first, cmd, final,
                                has_final, out, err);
    }
    case GA_PIPE:
        if (first->nfields == 0 && not_a_function(x, cmd, has_final, err) < 0) {
            return -1;
        }
        if (eval_pipeline(x, dot, first->pipe, &base, err) < 0) {
            return -1;
        }
        if (first->nfields == 0) {
            *out = base;
            return 0;
        }
        return eval_field_chain(x, dot, base, first, cmd, final, has_final, out, err);
    case GA_IDENT:
        if (first->nfields > 0) {
            if (call_function(x, dot, first, NULL, NULL, 0, NULL, false, &base, err) < 0) {
                return -1;
            }
            return eval_field_chain(x, dot, base, first, cmd, final, has_final, out, err);
        }
        return call_function(x, dot, first, cmd, cmd->args + 1, cmd->nargs - 1, final, has_final,
                             out, err);
    case GA_NIL:
        return exec_fail(x, &first->pos, first->text, err, "nil is not a command");
    case GA_DOT:
    case GA_CONST:
        if (not_a_function(x, cmd, has_final, err) < 0) {
            return -1;
        }
        return eval_arg(x, dot, first, out, err);
    }
    return 0;
}

static int eval_pipeline(struct gx *x, struct val *dot, const struct gpipe *pipe, struct val **out,
                         struct err *err)
{
    struct val *v = NULL;

    *out = NULL;
    if (!pipe) {
        return 0;
    }
    if (check_stack(x, &pipe->pos, "pipeline", err) < 0) {
        return -1;
    }
    for (size_t i = 0; i < pipe->ncmds; i++) {
        struct val *nv;

        if (eval_command(x, dot, pipe->cmds[i], v, i > 0, &nv, err) < 0) {
            val_unref(v);
            return -1;
        }
        val_unref(v);
        v = dig(nv);
    }
    for (size_t i = 0; i < pipe->ndecl; i++) {
        if (pipe->is_assign) {
            struct gvar *var = find_var(x, pipe->decl[i]);

            if (!var) {
                val_unref(v);
                return exec_fail(x, &pipe->pos, pipe->decl[i], err, "undefined variable: %s",
                                 pipe->decl[i]);
            }
            set_var_value(var, v);
        } else {
            push_var(x, pipe->decl[i], v);
        }
    }
    *out = v;
    return 0;
}

static int walk(struct gx *x, struct val *dot, const struct gnode *n, struct buf *out,
                struct err *err);

static int count_step(struct gx *x, const struct gnode *n, struct buf *out, struct err *err)
{
    if (++*x->steps > MAX_STEPS) {
        return exec_fail(x, &n->pos, "range", err, "too many loop iterations and calls (%llu)",
                         MAX_STEPS);
    }
    if (out->len > MAX_OUTPUT) {
        return exec_fail(x, &n->pos, "range", err, "output larger than %u bytes", MAX_OUTPUT);
    }
    return 0;
}

static int walk_if_with(struct gx *x, struct val *dot, const struct gnode *n, struct buf *out,
                        struct err *err)
{
    size_t mark = x->nvars;
    struct val *v;
    int rc;

    if (eval_pipeline(x, dot, n->pipe, &v, err) < 0) {
        pop_vars(x, mark);
        return -1;
    }
    if (gotpl_truth(v)) {
        rc = walk(x, n->kind == GN_WITH ? v : dot, n->list, out, err);
    } else {
        rc = walk(x, dot, n->else_list, out, err);
    }
    val_unref(v);
    pop_vars(x, mark);
    return rc;
}

/* One range iteration: sets the declared variables, walks the body. */
static int range_once(struct gx *x, const struct gnode *n, struct val *index, struct val *elem,
                      size_t mark, struct buf *out, struct err *err)
{
    const struct gpipe *pipe = n->pipe;
    int rc;

    if (count_step(x, n, out, err) < 0) {
        return -1;
    }
    if (pipe->ndecl > 0) {
        if (pipe->is_assign) {
            set_var_value(find_var(x, pipe->decl[0]), pipe->ndecl > 1 ? index : elem);
        } else {
            set_var_value(&x->vars[mark - 1], elem);
        }
    }
    if (pipe->ndecl > 1) {
        if (pipe->is_assign) {
            set_var_value(find_var(x, pipe->decl[1]), elem);
        } else {
            set_var_value(&x->vars[mark - 2], index);
        }
    }
    rc = walk(x, elem, n->list, out, err);
    pop_vars(x, mark);
    return rc;
}

static int walk_range(struct gx *x, struct val *dot, const struct gnode *n, struct buf *out,
                      struct err *err)
{
    size_t outer = x->nvars;
    struct val *v;
    size_t mark;
    bool ran = false;
    int rc = 0;

    if (eval_pipeline(x, dot, n->pipe, &v, err) < 0) {
        pop_vars(x, outer);
        return -1;
    }
    mark = x->nvars;
    if (!v || v->type == VAL_NULL) {
        ran = false;
    } else if (v->type == VAL_LIST) {
        for (size_t i = 0; i < val_list_len(v) && rc == 0; i++) {
            struct val *index = gotpl_goint((int64_t)i);

            ran = true;
            rc = range_once(x, n, index, val_list_get(v, i), mark, out, err);
            val_unref(index);
            rc = rc == WALK_CONTINUE ? 0 : rc;
        }
    } else if (v->type == VAL_DICT) {
        const char **keys = val_dict_sorted_keys(v);

        for (size_t i = 0; i < val_dict_len(v) && rc == 0; i++) {
            struct val *key = val_str(keys[i]);

            ran = true;
            rc = range_once(x, n, key, val_dict_get(v, keys[i]), mark, out, err);
            val_unref(key);
            rc = rc == WALK_CONTINUE ? 0 : rc;
        }
        free(keys);
    } else {
        struct buf desc = BUF_INIT;

        gotpl_fmt_value(v, &desc);
        rc = exec_fail(x, &n->pos, "range", err, "range can't iterate over %s", desc.ptr);
        buf_release(&desc);
    }
    if (rc == WALK_BREAK) {
        rc = 0;
    }
    if (rc == 0 && !ran && n->else_list) {
        rc = walk(x, dot, n->else_list, out, err);
    }
    val_unref(v);
    pop_vars(x, outer);
    return rc;
}

static int walk_template(struct gx *x, struct val *dot, const struct gnode *n, struct buf *out,
                         struct err *err)
{
    const struct gtmpl *tm = gotpl_find_template(x->t, n->name);
    const char *saved_name = x->tmpl_name;
    size_t saved_base = x->var_base;
    size_t mark;
    struct val *v;
    int rc;

    if (!tm) {
        return exec_fail(x, &n->pos, "template", err, "template \"%s\" not defined", n->name);
    }
    if (x->depth >= GOTPL_MAX_DEPTH) {
        return exec_fail(x, &n->pos, "template", err, "exceeded maximum template depth (%d)",
                         GOTPL_MAX_DEPTH);
    }
    if (count_step(x, n, out, err) < 0) {
        return -1;
    }
    if (eval_pipeline(x, dot, n->pipe, &v, err) < 0) {
        return -1;
    }
    mark = x->nvars;
    x->var_base = mark;
    x->tmpl_name = tm->name;
    x->depth++;
    push_var(x, "$", v);
    rc = walk(x, v, tm->root, out, err);
    pop_vars(x, mark);
    x->depth--;
    x->tmpl_name = saved_name;
    x->var_base = saved_base;
    val_unref(v);
    return rc < 0 ? -1 : 0;
}

static int walk(struct gx *x, struct val *dot, const struct gnode *n, struct buf *out,
                struct err *err)
{
    for (; n; n = n->next) {
        struct val *v;
        int rc = 0;

        switch (n->kind) {
        case GN_TEXT:
            buf_add(out, n->text, n->len);
            break;
        case GN_ACTION:
            if (eval_pipeline(x, dot, n->pipe, &v, err) < 0) {
                return -1;
            }
            if (n->pipe->ndecl == 0) {
                if (!v || v->type == VAL_NULL) {
                    buf_adds(out, "<no value>");
                } else {
                    gotpl_fmt_value(v, out);
                }
            }
            val_unref(v);
            break;
        case GN_IF:
        case GN_WITH:
            rc = walk_if_with(x, dot, n, out, err);
            break;
        case GN_RANGE:
            rc = walk_range(x, dot, n, out, err);
            break;
        case GN_TEMPLATE:
            rc = walk_template(x, dot, n, out, err);
            break;
        case GN_BREAK:
            return WALK_BREAK;
        case GN_CONTINUE:
            return WALK_CONTINUE;
        }
        if (rc != 0) {
            return rc;
        }
    }
    return 0;
}

int gotpl_exec_named(struct gotpl *t, struct gx *parent, const char *name, struct val *dot,
                     struct buf *out, struct err *err)
{
    const struct gtmpl *tm = gotpl_find_template(t, name);
    uint64_t steps = 0;
    struct gx x = { .t = t,
                    .steps = parent ? parent->steps : &steps,
                    .depth = parent ? parent->depth + 1 : 0,
                    .stack_floor = parent ? parent->stack_floor : stack_floor() };
    int rc;

    if (!tm) {
        return err_set(err, ERR_TEMPLATE, "no template \"%s\" associated with template \"gotpl\"",
                       name);
    }
    if (x.depth > GOTPL_MAX_DEPTH) {
        return err_set(err, ERR_TEMPLATE,
                       "rendering template has a nested reference name: %s: unable to execute "
                       "template",
                       name);
    }
    x.tmpl_name = tm->name;
    push_var(&x, "$", dot);
    rc = walk(&x, dot, tm->root, out, err);
    pop_vars(&x, 0);
    free(x.vars);
    return rc < 0 ? -1 : 0;
}
