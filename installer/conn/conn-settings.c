/*
 * conn-settings.c - host variables -> struct conn_settings, as Ansible's ssh plugin reads them.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/log.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "conn/conn.h"
#include "conn/conn-settings.h"
#include "value/val.h"

struct builder {
    struct conn_settings *s;
    struct svec *store;
    const char *host;
    struct err *err;
};

/* Copies 'value' into the store and returns the stable copy. */
static const char *keep(struct builder *b, const char *value)
{
    svec_push(b->store, value);
    return b->store->items[b->store->len - 1];
}

static const char *keep_path(struct builder *b, const char *path)
{
    const char *home = getenv("HOME");
    char *expanded;
    const char *kept;

    if (strncmp(path, "~/", 2) != 0 || !home) {
        return keep(b, path);
    }
    expanded = xasprintf("%s%s", home, path + 1);
    kept = keep(b, expanded);
    free(expanded);
    return kept;
}

/* The last of 'names' present in 'vars' (Ansible: later variable names take precedence). */
static const struct val *last_of(const struct val *vars, const char *const *names)
{
    const struct val *found = NULL;

    for (size_t i = 0; names[i]; i++) {
        const struct val *v = val_dict_get(vars, names[i]);

        if (v && v->type != VAL_NULL) {
            found = v;
        }
    }
    return found;
}

static int bad(struct builder *b, const char *what, const char *text)
{
    return err_set(b->err, ERR_USAGE, "host '%s': invalid %s '%s'", b->host, what, text);
}

static int to_int(struct builder *b, const struct val *v, const char *what, int *out)
{
    int64_t n;

    if (v->type == VAL_INT) {
        n = v->u.i;
    } else if (!val_is_str(v) || parse_int(val_cstr(v), &n) < 0) {
        return bad(b, what, val_is_str(v) ? val_cstr(v) : val_type_name(v->type));
    }
    if (n <= 0 || n > 65535) {
        return err_set(b->err, ERR_USAGE, "host '%s': %s %lld is out of range", b->host, what,
                       (long long)n);
    }
    *out = (int)n;
    return 0;
}

/* true/yes/1 -> 1, false/no/off/0 -> 0, accept-new -> 2. */
static int to_checking(struct builder *b, const char *text, int *out)
{
    static const char *const on[] = { "true", "yes", "1", "on", "strict", NULL };
    static const char *const off[] = { "false", "no", "0", "off", NULL };

    for (size_t i = 0; on[i]; i++) {
        if (strcasecmp(text, on[i]) == 0) {
            *out = 1;
            return 0;
        }
    }
    for (size_t i = 0; off[i]; i++) {
        if (strcasecmp(text, off[i]) == 0) {
            *out = 0;
            return 0;
        }
    }
    if (strcasecmp(text, "accept-new") == 0) {
        *out = 2;
        return 0;
    }
    return bad(b, "host_key_checking", text);
}

static int checking_from_val(struct builder *b, const struct val *v, int *out)
{
    if (v->type == VAL_BOOL || v->type == VAL_INT) {
        *out = val_truthy(v) ? 1 : 0;
        return 0;
    }
    if (!val_is_str(v)) {
        return bad(b, "host_key_checking", val_type_name(v->type));
    }
    return to_checking(b, val_cstr(v), out);
}

/* One "-o Key=Value" option of ansible_ssh_common_args / ansible_ssh_extra_args. */
static int apply_option(struct builder *b, const char *opt)
{
    const char *eq = strchr(opt, '=');
    const char *value = eq ? eq + 1 : "";
    size_t klen = eq ? (size_t)(eq - opt) : strlen(opt);
    struct val *tmp = NULL;
    int ret = 0;

    if (klen == 18 && strncasecmp(opt, "UserKnownHostsFile", klen) == 0) {
        b->s->known_hosts_file = keep_path(b, value);
    } else if (klen == 21 && strncasecmp(opt, "StrictHostKeyChecking", klen) == 0) {
        ret = to_checking(b, value, &b->s->host_key_checking);
    } else if ((klen == 14 && strncasecmp(opt, "ConnectTimeout", klen) == 0) ||
               (klen == 4 && strncasecmp(opt, "Port", klen) == 0)) {
        tmp = val_str(value);
        ret = to_int(b, tmp, klen == 4 ? "port" : "ConnectTimeout",
                     klen == 4 ? &b->s->port : &b->s->connect_timeout_s);
    } else if (klen == 4 && strncasecmp(opt, "User", klen) == 0) {
        b->s->user = keep(b, value);
    } else if (klen == 12 && strncasecmp(opt, "IdentityFile", klen) == 0) {
        b->s->private_key_file = keep_path(b, value);
    } else {
        log_debug("host '%s': ssh option '%s' is not used by pot", b->host, opt);
    }
    val_unref(tmp);
    return ret;
}

/* Splits on blanks, honouring '...' and "..." quoting, then applies each -o option. */
static int apply_ssh_args(struct builder *b, const char *args)
{
    struct svec words = SVEC_INIT;
    struct buf word = BUF_INIT;
    bool in_word = false;
    char quote = 0;
    int ret = 0;

    for (const char *p = args;; p++) {
        if (*p && (quote ? *p != quote : !(*p == ' ' || *p == '\t' || *p == '\n'))) {
            if (!quote && (*p == '\'' || *p == '"')) {
                quote = *p;
            } else {
                buf_addc(&word, *p);
            }
            in_word = true;
            continue;
        }
        if (*p && quote) {
            quote = 0;
            continue;
        }
        if (in_word) {
            svec_push(&words, word.ptr);
            buf_reset(&word);
            in_word = false;
        }
        if (!*p) {
            break;
        }
    }
    for (size_t i = 0; i < words.len && ret == 0; i++) {
        const char *w = words.items[i];

        if (strcmp(w, "-o") == 0 && i + 1 < words.len) {
            ret = apply_option(b, words.items[++i]);
        } else if (strncmp(w, "-o", 2) == 0 && w[2]) {
            ret = apply_option(b, w + 2);
        }
    }
    buf_release(&word);
    svec_release(&words);
    return ret;
}

/* The passwords -k and -K asked for (conn_settings_set_prompted); NULL when not asked. */
static struct {
    const char *ssh_password;
    const char *become_password;
} prompted;

void conn_settings_set_prompted(const char *ssh_password, const char *become_password)
{
    prompted.ssh_password = ssh_password;
    prompted.become_password = become_password;
}

const char *conn_settings_prompted_become_password(void)
{
    return prompted.become_password;
}

static const char *str_of(const struct val *vars, const char *const *names)
{
    const struct val *v = last_of(vars, names);

    return v ? val_cstr(v) : NULL;
}

static int apply_strings(struct builder *b, const struct val *vars)
{
    static const char *const conn_n[] = { "ansible_connection", NULL };
    static const char *const host_n[] = { "ansible_ssh_host", "ansible_host", NULL };
    static const char *const user_n[] = { "ansible_user", "ansible_ssh_user", NULL };
    static const char *const pw_n[] = { "ansible_password", "ansible_ssh_pass",
                                        "ansible_ssh_password", NULL };
    static const char *const key_n[] = { "ansible_private_key_file",
                                         "ansible_ssh_private_key_file", NULL };
    const char *v;

    v = str_of(vars, conn_n);
    if (!v && getenv("ANSIBLE_TRANSPORT") && *getenv("ANSIBLE_TRANSPORT")) {
        v = getenv("ANSIBLE_TRANSPORT");
    }
    if (v && (strcmp(v, "smart") == 0 || strcmp(v, "paramiko") == 0)) {
        v = "ssh";
    }
    b->s->transport = keep(b, v ? v : "ssh");
    v = str_of(vars, host_n);
    b->s->address = keep(b, v ? v : b->host);
    v = str_of(vars, user_n);
    if (v) {
        b->s->user = keep(b, v);
    }
    v = str_of(vars, pw_n);
    if (!v) {
        v = prompted.ssh_password;
    }
    if (v) {
        log_add_secret(v);
        b->s->password = keep(b, v);
    }
    v = str_of(vars, key_n);
    if (v) {
        b->s->private_key_file = keep_path(b, v);
    }
    return 0;
}

/* The defaults ansible.cfg's remote_user, remote_port, private_key_file and timeout give,
 * through the ANSIBLE_* variables (cli/ansible-cfg.c sets them from the file). */
static int apply_config(struct builder *b)
{
    const char *user = getenv("ANSIBLE_REMOTE_USER"), *key = getenv("ANSIBLE_PRIVATE_KEY_FILE");
    const char *port = getenv("ANSIBLE_REMOTE_PORT"), *timeout = getenv("ANSIBLE_TIMEOUT");

    if (user && *user) {
        b->s->user = keep(b, user);
    }
    if (key && *key) {
        b->s->private_key_file = keep_path(b, key);
    }
    if (port && *port) {
        struct val *v = val_str(port);
        int ret = to_int(b, v, "ANSIBLE_REMOTE_PORT", &b->s->port);

        val_unref(v);
        if (ret < 0) {
            return -1;
        }
    }
    if (timeout && *timeout) {
        struct val *v = val_str(timeout);
        int ret = to_int(b, v, "ANSIBLE_TIMEOUT", &b->s->connect_timeout_s);

        val_unref(v);
        return ret;
    }
    return 0;
}

static int apply_numbers(struct builder *b, const struct val *vars)
{
    static const char *const port_n[] = { "ansible_ssh_port", "ansible_port", NULL };
    static const char *const hkc_n[] = { "ansible_host_key_checking",
                                         "ansible_ssh_host_key_checking", NULL };
    static const char *const timeout_n[] = { "ansible_timeout", "ansible_ssh_timeout", NULL };
    const struct val *v;
    const char *env = getenv("ANSIBLE_HOST_KEY_CHECKING");

    v = last_of(vars, port_n);
    if (v && to_int(b, v, "ansible_port", &b->s->port) < 0) {
        return -1;
    }
    if (env && *env && to_checking(b, env, &b->s->host_key_checking) < 0) {
        return -1;
    }
    v = last_of(vars, hkc_n);
    if (v && checking_from_val(b, v, &b->s->host_key_checking) < 0) {
        return -1;
    }
    v = last_of(vars, timeout_n);
    if (v && to_int(b, v, "ansible_timeout", &b->s->connect_timeout_s) < 0) {
        return -1;
    }
    return 0;
}

int conn_settings_from_vars(struct conn_settings *s, struct svec *store, const char *host_name,
                            const struct val *vars, struct err *err)
{
    static const char *const args_n[] = { "ansible_ssh_common_args", "ansible_ssh_extra_args",
                                          NULL };
    struct builder b = { .s = s, .store = store, .host = host_name, .err = err };

    memset(s, 0, sizeof(*s));
    s->host_name = keep(&b, host_name);
    s->port = 22;
    s->host_key_checking = 1;
    s->connect_timeout_s = 10;
    if (apply_config(&b) < 0 || apply_strings(&b, vars) < 0 || apply_numbers(&b, vars) < 0) {
        return -1;
    }
    for (size_t i = 0; args_n[i]; i++) {
        const char *args = val_dict_get_str(vars, args_n[i]);

        if (args && apply_ssh_args(&b, args) < 0) {
            return -1;
        }
    }
    return 0;
}

int conn_become_from_vars(struct become *b, struct svec *store, const char *host_name,
                          const struct val *vars, bool wanted, struct err *err)
{
    const char *method = val_dict_get_str(vars, "ansible_become_method");
    const char *user = val_dict_get_str(vars, "ansible_become_user");
    const char *password = val_dict_get_str(vars, "ansible_become_password");

    memset(b, 0, sizeof(*b));
    if (!wanted) {
        return 0;
    }
    if (!method || strcmp(method, "sudo") == 0) {
        b->method = BECOME_SUDO;
    } else if (strcmp(method, "su") == 0) {
        b->method = BECOME_SU;
    } else {
        return err_set(err, ERR_USAGE, "host '%s': become method '%s' is not supported (sudo, su)",
                       host_name, method);
    }
    if (!password) {
        password = val_dict_get_str(vars, "ansible_become_pass");
    }
    if (!password) {
        password = prompted.become_password;
    }
    if (user) {
        svec_push(store, user);
        b->user = store->items[store->len - 1];
    }
    if (password) {
        log_add_secret(password);
        svec_push(store, password);
        b->password = store->items[store->len - 1];
    }
    return 0;
}
