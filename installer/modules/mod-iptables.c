/*
 * mod-iptables.c - the `iptables` module: one rule present or absent in a chain (checked with
 * `iptables -C`, then appended, inserted or deleted), a chain's policy, a flush, a user chain
 * created or deleted (chain_management). The rule is built from the options in the order of
 * Ansible's construct_rule(), so the same task runs the same iptables command line and returns
 * the same `rule`. Commands run without a shell (each argument quoted), as run_command does.
 * Unlike Ansible, a chain is listed with -n: on a host whose DNS does not answer, listing a chain
 * that holds addresses otherwise waits for a reverse lookup of each.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/shell-quote.h"
#include "modules/args.h"
#include "modules/mod-util.h"
#include "python/py-re.h"
#include "value/val.h"

static const struct arg_spec iptables_args[] = {
    { .name = "action", .type = ARG_CHOICE, .choices = "append,insert", .def = "append" },
    { .name = "chain", .type = ARG_STR },
    { .name = "chain_management", .type = ARG_BOOL, .def = "false" },
    { .name = "comment", .type = ARG_STR },
    { .name = "ctstate", .type = ARG_LIST },
    { .name = "destination", .type = ARG_STR },
    { .name = "destination_port", .type = ARG_STR },
    { .name = "destination_ports", .type = ARG_LIST },
    { .name = "dst_range", .type = ARG_STR },
    { .name = "flush", .type = ARG_BOOL, .def = "false" },
    { .name = "fragment", .type = ARG_STR },
    { .name = "gateway", .type = ARG_STR },
    { .name = "gid_owner", .type = ARG_STR },
    { .name = "goto", .type = ARG_STR },
    { .name = "icmp_type", .type = ARG_STR },
    { .name = "in_interface", .type = ARG_STR },
    { .name = "ip_version", .type = ARG_CHOICE, .choices = "ipv4,ipv6", .def = "ipv4" },
    { .name = "jump", .type = ARG_STR },
    { .name = "limit", .type = ARG_STR },
    { .name = "limit_burst", .type = ARG_STR },
    { .name = "log_level", .type = ARG_CHOICE,
      .choices = "0,1,2,3,4,5,6,7,emerg,alert,crit,error,warning,notice,info,debug" },
    { .name = "log_prefix", .type = ARG_STR },
    { .name = "match", .type = ARG_LIST },
    { .name = "match_set", .type = ARG_STR },
    { .name = "match_set_flags", .type = ARG_STR }, /* choices with commas: check_args */
    { .name = "out_interface", .type = ARG_STR },
    { .name = "policy", .type = ARG_CHOICE, .choices = "ACCEPT,DROP,QUEUE,RETURN" },
    { .name = "protocol", .type = ARG_STR },
    { .name = "reject_with", .type = ARG_STR },
    { .name = "rule_num", .type = ARG_STR },
    { .name = "set_counters", .type = ARG_STR },
    { .name = "set_dscp_mark", .type = ARG_STR },
    { .name = "set_dscp_mark_class", .type = ARG_STR },
    { .name = "source", .type = ARG_STR },
    { .name = "source_port", .type = ARG_STR },
    { .name = "src_range", .type = ARG_STR },
    { .name = "state", .type = ARG_CHOICE, .choices = "absent,present", .def = "present" },
    { .name = "syn", .type = ARG_CHOICE, .choices = "ignore,match,negate", .def = "ignore" },
    { .name = "table", .type = ARG_CHOICE, .choices = "filter,nat,mangle,raw,security",
      .def = "filter" },
    { .name = "tcp_flags", .type = ARG_DICT },
    { .name = "to_destination", .type = ARG_STR },
    { .name = "to_ports", .type = ARG_STR },
    { .name = "to_source", .type = ARG_STR },
    { .name = "uid_owner", .type = ARG_STR },
    { .name = "wait", .type = ARG_STR },
    { 0 },
};

/* The options construct_rule() reads, after the module's own adjustments (wait by version, the
 * LOG jump implied by log options). */
struct rule_opts {
    const struct margs *args;
    const char *jump;
    const char *wait;
};

static bool has(const char *s)
{
    return s && *s;
}

/* append_param: FLAG VALUE, or ! FLAG VALUE for a value starting with '!'. */
static void add_param(struct svec *rule, const char *value, const char *flag)
{
    if (!value) {
        return;
    }
    if (value[0] == '!') {
        svec_push(rule, "!");
        svec_push(rule, flag);
        svec_push(rule, value + 1);
    } else {
        svec_push(rule, flag);
        svec_push(rule, value);
    }
}

static void add_arg(struct svec *rule, const struct margs *args, const char *name,
                    const char *flag)
{
    add_param(rule, margs_str(args, name), flag);
}

/* The items of a list option as Python's str() of each, joined by 'sep'; "" when empty. */
static char *joined(const struct val *list, const char *sep)
{
    struct buf b = BUF_INIT;

    for (size_t i = 0; list && i < val_list_len(list); i++) {
        if (i > 0) {
            buf_adds(&b, sep);
        }
        val_to_pystr(val_list_get(list, i), &b);
    }
    return buf_detach(&b, NULL);
}

static bool list_has(const struct val *list, const char *s)
{
    for (size_t i = 0; list && i < val_list_len(list); i++) {
        const char *item = val_cstr(val_list_get(list, i));

        if (item && strcmp(item, s) == 0) {
            return true;
        }
    }
    return false;
}

/* append_csv: FLAG a,b,c when the list is not empty. */
static void add_csv(struct svec *rule, const struct val *list, const char *flag)
{
    if (list && val_list_len(list) > 0) {
        svec_push(rule, flag);
        svec_push_take(rule, joined(list, ","));
    }
}

/* append_match: -m MATCH when 'on'. */
static void add_match(struct svec *rule, bool on, const char *match)
{
    if (on) {
        svec_push(rule, "-m");
        svec_push(rule, match);
    }
}

/* append_match_flag: FLAG for "match", ! FLAG for "negate" when negatable. */
static void add_match_flag(struct svec *rule, const char *param, const char *flag,
                           bool negatable)
{
    if (param && strcmp(param, "match") == 0) {
        svec_push(rule, flag);
    } else if (negatable && param && strcmp(param, "negate") == 0) {
        svec_push(rule, "!");
        svec_push(rule, flag);
    }
}

static void add_tcp_flags(struct svec *rule, const struct margs *args)
{
    struct val *tf = margs_get(args, "tcp_flags");
    struct val *flags = tf ? val_dict_get(tf, "flags") : NULL;
    struct val *set = tf ? val_dict_get(tf, "flags_set") : NULL;

    if (flags && set && flags->type == VAL_LIST && set->type == VAL_LIST) {
        svec_push(rule, "--tcp-flags");
        svec_push_take(rule, joined(flags, ","));
        svec_push_take(rule, joined(set, ","));
    }
}

/* The first part of construct_rule(): addresses, matches, the jump and its targets. */
static void rule_targets(struct svec *rule, const struct rule_opts *o)
{
    const struct margs *a = o->args;
    struct val *match = margs_list(a, "match"), *dports = margs_list(a, "destination_ports");

    if (has(o->wait)) {
        svec_push(rule, "-w");
        svec_push(rule, o->wait);
    }
    add_arg(rule, a, "protocol", "-p");
    add_arg(rule, a, "source", "-s");
    add_arg(rule, a, "destination", "-d");
    for (size_t i = 0; match && i < val_list_len(match); i++) {
        struct buf m = BUF_INIT;

        val_to_pystr(val_list_get(match, i), &m);
        add_param(rule, m.ptr, "-m");
        buf_release(&m);
    }
    add_tcp_flags(rule, a);
    add_param(rule, o->jump, "-j");
    if (o->jump && strcasecmp(o->jump, "tee") == 0) {
        add_arg(rule, a, "gateway", "--gateway");
    }
    add_arg(rule, a, "log_prefix", "--log-prefix");
    add_arg(rule, a, "log_level", "--log-level");
    add_arg(rule, a, "to_destination", "--to-destination");
    add_match(rule, dports && val_list_len(dports) > 0, "multiport");
    add_csv(rule, dports, "--dports");
    add_arg(rule, a, "to_source", "--to-source");
    add_arg(rule, a, "goto", "-g");
    add_arg(rule, a, "in_interface", "-i");
    add_arg(rule, a, "out_interface", "-o");
    add_arg(rule, a, "fragment", "-f");
    add_arg(rule, a, "set_counters", "-c");
    add_arg(rule, a, "source_port", "--source-port");
    add_arg(rule, a, "destination_port", "--destination-port");
    add_arg(rule, a, "to_ports", "--to-ports");
    add_arg(rule, a, "set_dscp_mark", "--set-dscp");
    add_arg(rule, a, "set_dscp_mark_class", "--set-dscp-class");
    add_match_flag(rule, margs_str(a, "syn"), "--syn", true);
}

/* The second part of construct_rule(): state, ranges, sets, limits, owners, reject, comment. */
static void rule_matches(struct svec *rule, const struct rule_opts *o)
{
    const struct margs *a = o->args;
    struct val *match = margs_list(a, "match"), *ctstate = margs_list(a, "ctstate");
    const char *src_range = margs_str(a, "src_range"), *dst_range = margs_str(a, "dst_range");
    const char *match_set = margs_str(a, "match_set"), *uid = margs_str(a, "uid_owner");
    const char *gid = margs_str(a, "gid_owner"), *reject = margs_str(a, "reject_with");
    bool ct = ctstate && val_list_len(ctstate) > 0;

    if (list_has(match, "conntrack")) {
        add_csv(rule, ctstate, "--ctstate");
    } else if (list_has(match, "state")) {
        add_csv(rule, ctstate, "--state");
    } else if (ct) {
        add_match(rule, true, "conntrack");
        add_csv(rule, ctstate, "--ctstate");
    }
    if (list_has(match, "iprange") || has(src_range) || has(dst_range)) {
        add_match(rule, !list_has(match, "iprange"), "iprange");
        add_param(rule, src_range, "--src-range");
        add_param(rule, dst_range, "--dst-range");
    }
    if (list_has(match, "set") || has(match_set)) {
        add_match(rule, !list_has(match, "set"), "set");
        add_param(rule, match_set, "--match-set");
        if (margs_str(a, "match_set_flags")) {
            add_match_flag(rule, "match", margs_str(a, "match_set_flags"), false);
        }
    }
    add_match(rule, has(margs_str(a, "limit")) || has(margs_str(a, "limit_burst")), "limit");
    add_arg(rule, a, "limit", "--limit");
    add_arg(rule, a, "limit_burst", "--limit-burst");
    add_match(rule, has(uid), "owner");
    add_match_flag(rule, uid, "--uid-owner", true);
    add_param(rule, uid, "--uid-owner");
    add_match(rule, has(gid), "owner");
    add_match_flag(rule, gid, "--gid-owner", true);
    add_param(rule, gid, "--gid-owner");
    if (!o->jump && has(reject)) {
        svec_push(rule, "-j");
        svec_push(rule, "REJECT");
    }
    add_param(rule, reject, "--reject-with");
    add_arg(rule, a, "icmp_type",
            strcmp(margs_str(a, "ip_version"), "ipv6") == 0 ? "--icmpv6-type" : "--icmp-type");
    add_match(rule, has(margs_str(a, "comment")), "comment");
    add_arg(rule, a, "comment", "--comment");
}

static void construct_rule(struct svec *rule, const struct rule_opts *o)
{
    rule_targets(rule, o);
    rule_matches(rule, o);
}

/* The host's iptables: its path (where get_bin_path looks) and version. */
struct ipt_bin {
    char *path;         /* owned */
    int major, minor, patch;
};

/* run_command(check_rc=True): a failure fails the module with cmd, rc, stdout, stderr. Returns
 * 0, 1 failed, -1 unreachable. */
static int run_checked(struct module_ctx *ctx, const struct svec *argv, struct buf *out,
                       struct result *res, struct err *err)
{
    struct buf mine = BUF_INIT, errout = BUF_INIT, cmd = BUF_INIT;
    int status = 0, ret;

    ret = mod_exec_argv(ctx, argv, out ? out : &mine, &errout, &status, err);
    if (ret == 0 && status != 0) {
        size_t n = errout.len;

        while (n > 0 && strchr(" \t\r\n", errout.ptr[n - 1])) {
            n--;
        }
        sh_quote_argv(&cmd, argv->items);
        val_dict_set_take(res->data, "cmd", val_str(cmd.ptr));
        val_dict_set_take(res->data, "rc", val_int(status));
        val_dict_set_take(res->data, "stdout", val_str((out ? out : &mine)->ptr));
        val_dict_set_take(res->data, "stdout_lines", mod_split_lines((out ? out : &mine)->ptr));
        val_dict_set_take(res->data, "stderr", val_str(errout.ptr));
        val_dict_set_take(res->data, "stderr_lines", mod_split_lines(errout.ptr));
        result_fail(res, "%.*s", (int)n, errout.ptr);
        ret = 1;
    }
    buf_release(&mine);
    buf_release(&errout);
    buf_release(&cmd);
    return ret;
}

static int find_iptables(struct module_ctx *ctx, const struct margs *args, struct ipt_bin *bin,
                         struct result *res, struct err *err)
{
    const char *name = strcmp(margs_str(args, "ip_version"), "ipv6") == 0 ? "ip6tables"
                                                                           : "iptables";
    struct svec argv = SVEC_INIT;
    struct buf out = BUF_INIT;
    int status = 0, ret;
    const char *v;

    svec_push(&argv, "sh");
    svec_push(&argv, "-c");
    svec_pushf(&argv, "p=$(command -v %s) || exit 127; echo \"$p\"; \"$p\" --version", name);
    ret = mod_exec_argv(ctx, &argv, &out, NULL, &status, err);
    if (ret == 0 && status != 0) {
        mod_fail_missing_bin(res, name);
        ret = 1;
    } else if (ret == 0) {
        bin->path = xstrndup(out.ptr, strcspn(out.ptr, "\n"));
        v = strchr(out.ptr + strlen(bin->path), 'v');
        if (!v || sscanf(v + 1, "%d.%d.%d", &bin->major, &bin->minor, &bin->patch) < 2) {
            result_fail(res, "could not read the version of %s", bin->path);
            ret = 1;
        }
    }
    svec_release(&argv);
    buf_release(&out);
    return ret;
}

static long version_code(int major, int minor, int patch)
{
    return (long)major * 1000000 + (long)minor * 1000 + patch;
}

/* push_arguments: PATH -t TABLE ACTION CHAIN [RULE_NUM] [RULE]. */
static void command_line(struct svec *argv, const struct ipt_bin *bin, const struct rule_opts *o,
                         const char *action, bool make_rule)
{
    const char *chain = margs_str(o->args, "chain"), *num = margs_str(o->args, "rule_num");

    svec_push(argv, bin->path);
    svec_push(argv, "-t");
    svec_push(argv, margs_str(o->args, "table"));
    svec_push(argv, action);
    svec_push(argv, chain ? chain : "None");
    if (strcmp(action, "-I") == 0 && has(num)) {
        svec_push(argv, num);
    }
    if (strcmp(action, "-L") == 0) {
        svec_push(argv, "-n"); /* Ansible lists without it: a reverse DNS lookup per address */
    }
    if (make_rule) {
        construct_rule(argv, o);
    }
}

/* Runs ACTION (make_rule as push_arguments); *ok is whether it exited 0 when 'ok' is given
 * (check_rc=False), else a failure fails the module. Returns 0, 1, -1. */
static int ipt(struct module_ctx *ctx, const struct ipt_bin *bin, const struct rule_opts *o,
               const char *action, bool make_rule, bool *ok, struct buf *out, struct result *res,
               struct err *err)
{
    struct svec argv = SVEC_INIT;
    struct buf ignored = BUF_INIT;
    int status = 0, ret;

    command_line(&argv, bin, o, action, make_rule);
    if (strcmp(action, "-P") == 0) {
        svec_push(&argv, margs_str(o->args, "policy"));
    }
    if (ok) {
        ret = mod_exec_argv(ctx, &argv, out ? out : &ignored, &ignored, &status, err);
        *ok = status == 0;
    } else {
        ret = run_checked(ctx, &argv, out, res, err);
    }
    svec_release(&argv);
    buf_release(&ignored);
    return ret;
}

/* The chain's policy from `iptables -L`'s first line, or NULL. */
static char *chain_policy(const char *listing)
{
    static const char pattern[] = "\\(policy ([A-Z]+)\\)";
    struct py_re re = { 0 };
    char why[100], *policy = NULL;
    char *head = xstrndup(listing, strcspn(listing, "\n"));
    size_t a, b;

    if (py_re_compile(&re, pattern, strlen(pattern), 0, why, sizeof(why)) == 0 &&
        py_re_search(&re, head) && py_re_group(&re, 1, &a, &b)) {
        policy = xstrndup(head + a, b - a);
    }
    py_re_free(&re);
    free(head);
    return policy;
}

/* flush, policy, a chain's absence, or a rule: what main() does. Returns 0, 1, -1. */
static int decide(struct module_ctx *ctx, const struct ipt_bin *bin, const struct rule_opts *o,
                  bool *changed, struct result *res, struct err *err)
{
    const struct margs *a = o->args;
    bool present = strcmp(margs_str(a, "state"), "present") == 0, rule_ok = false;
    bool chain_ok = false, manage = margs_bool(a, "chain_management");
    const char *policy = margs_str(a, "policy");
    struct svec rule = SVEC_INIT;
    struct buf out = BUF_INIT;
    int ret = 0;

    construct_rule(&rule, o);
    if (margs_bool(a, "flush")) {
        *changed = true;
        ret = ctx->check_mode ? 0 : ipt(ctx, bin, o, "-F", false, NULL, NULL, res, err);
    } else if (policy) {
        ret = ipt(ctx, bin, o, "-L", false, NULL, &out, res, err);
        char *current = ret == 0 ? chain_policy(out.ptr) : NULL;

        if (ret == 0 && !current) {
            result_fail(res, "Can't detect current policy");
            ret = 1;
        } else if (ret == 0) {
            *changed = strcmp(current, policy) != 0;
            if (*changed && !ctx->check_mode) {
                ret = ipt(ctx, bin, o, "-P", false, NULL, NULL, res, err);
            }
        }
        free(current);
    } else if (!present && rule.len == 0) {
        ret = ipt(ctx, bin, o, "-L", false, &chain_ok, NULL, res, err);
        *changed = chain_ok;
        if (ret == 0 && chain_ok && manage && !ctx->check_mode) {
            ret = ipt(ctx, bin, o, "-X", false, NULL, NULL, res, err);
        }
    } else {
        ret = ipt(ctx, bin, o, "-C", true, &rule_ok, NULL, res, err);
        chain_ok = rule_ok;
        if (ret == 0 && !rule_ok) {
            ret = ipt(ctx, bin, o, "-L", false, &chain_ok, NULL, res, err);
        }
        *changed = rule_ok != present;
        if (ret == 0 && *changed && !ctx->check_mode && present && !chain_ok && manage) {
            ret = ipt(ctx, bin, o, "-N", false, NULL, NULL, res, err);
        }
        if (ret == 0 && *changed && !ctx->check_mode) {
            const char *action = !present ? "-D"
                                 : strcmp(margs_str(a, "action"), "insert") == 0 ? "-I"
                                                                                 : "-A";

            ret = ipt(ctx, bin, o, action, true, NULL, NULL, res, err);
        }
    }
    svec_release(&rule);
    buf_release(&out);
    return ret;
}

/* The result keys of a success (Ansible's args dict). */
static void set_result(struct result *res, const struct margs *args, const char *rule)
{
    const char *chain = margs_str(args, "chain");

    val_dict_set_take(res->data, "chain", chain ? val_str(chain) : val_null());
    val_dict_set_take(res->data, "chain_management",
                      val_bool(margs_bool(args, "chain_management")));
    val_dict_set_take(res->data, "flush", val_bool(margs_bool(args, "flush")));
    val_dict_set_take(res->data, "ip_version", val_str(margs_str(args, "ip_version")));
    val_dict_set_take(res->data, "rule", val_str(rule));
    val_dict_set_take(res->data, "state", val_str(margs_str(args, "state")));
    val_dict_set_take(res->data, "table", val_str(margs_str(args, "table")));
}

/* Ansible's argument checks. Returns 0, or 1 with res failed. */
static int check_args(const struct margs *args, const char **jump, struct result *res)
{
    static const char *const set_flags[] = { "src", "dst", "src,dst", "dst,src", NULL };
    const char *flags = margs_str(args, "match_set_flags");
    bool flags_ok = !flags;

    for (size_t i = 0; !flags_ok && set_flags[i]; i++) {
        flags_ok = strcmp(flags, set_flags[i]) == 0;
    }
    if (!flags_ok) {
        return result_fail(res, "value of match_set_flags must be one of: src, dst, src,dst, "
                                "dst,src, got: %s", flags), 1;
    }
    if (margs_has(args, "set_dscp_mark") && margs_has(args, "set_dscp_mark_class")) {
        return result_fail(res, "parameters are mutually exclusive: "
                                "set_dscp_mark|set_dscp_mark_class"), 1;
    }
    if (margs_bool(args, "flush") && margs_has(args, "policy")) {
        return result_fail(res, "parameters are mutually exclusive: flush|policy"), 1;
    }
    if (*jump && strcasecmp(*jump, "tee") == 0 && !margs_has(args, "gateway")) {
        return result_fail(res, "jump is %s but all of the following are missing: gateway",
                           *jump), 1;
    }
    if (!margs_bool(args, "flush") && !margs_has(args, "chain")) {
        return result_fail(res, "Either chain or flush parameter must be specified."), 1;
    }
    if (has(margs_str(args, "log_prefix")) || has(margs_str(args, "log_level"))) {
        if (!*jump) {
            *jump = "LOG";
        } else if (strcmp(*jump, "LOG") != 0) {
            return result_fail(res, "Logging options can only be used with the LOG jump "
                                    "target."), 1;
        }
    }
    return 0;
}

static int iptables_run(struct module_ctx *ctx, const struct margs *args, struct result *res,
                        struct err *err)
{
    struct rule_opts asked = { args, margs_str(args, "jump"), margs_str(args, "wait") };
    struct rule_opts used = asked;
    struct svec rule = SVEC_INIT;
    struct buf text = BUF_INIT;
    struct ipt_bin bin = { 0 };
    bool changed = false;
    int ret = 1;

    construct_rule(&rule, &asked); /* the `rule` returned: before the adjustments below */
    for (size_t i = 0; i < rule.len; i++) {
        buf_addf(&text, "%s%s", i ? " " : "", rule.items[i]);
    }
    if (check_args(args, &used.jump, res) == 0) {
        ret = find_iptables(ctx, args, &bin, res, err);
    }
    if (ret == 0) {
        long v = version_code(bin.major, bin.minor, bin.patch);

        used.wait = v < version_code(1, 4, 20) ? NULL : v < version_code(1, 6, 0) ? "" : used.wait;
        ret = decide(ctx, &bin, &used, &changed, res, err);
    }
    if (ret == 0) { /* a failure carries only what fail_json was given */
        set_result(res, args, text.ptr);
        val_dict_set_take(res->data, "changed", val_bool(changed));
        res->status = changed ? RESULT_CHANGED : RESULT_OK;
    }
    free(bin.path);
    svec_release(&rule);
    buf_release(&text);
    return ret < 0 ? -1 : 0;
}

const struct module module_iptables = {
    .name = "iptables",
    .args = iptables_args,
    .flags = MOD_CHECK_MODE,
    .run = iptables_run,
};
