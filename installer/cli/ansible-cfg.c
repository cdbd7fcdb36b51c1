/*
 * ansible-cfg.c - ansible.cfg for `pot play` (see ansible-cfg.h): one table of the settings pot
 * applies, each with its section and key in the file, the environment variable that overrides it
 * (and that pot's code reads), its type and Ansible's default, and where it applies.
 */
#include "pot.h"
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "cli/ansible-cfg.h"

enum cfg_type {
    CFG_STRING,
    CFG_INT,
    CFG_BOOL,
    CFG_PATH,     /* one path, relative to the file's directory */
    CFG_PATHSPEC, /* ':'-separated paths, each relative to the file's directory */
    CFG_PATHLIST, /* ','-separated paths, likewise */
};

struct cfg_setting {
    const char *key;
    const char *section;
    const char *env;
    enum cfg_type type;
    const char *ansible_default;
    const char *applies; /* where pot uses it */
};

static const struct cfg_setting settings[] = {
    { "roles_path", "defaults", "ANSIBLE_ROLES_PATH", CFG_PATHSPEC,
      "~/.ansible/roles:/usr/share/ansible/roles:/etc/ansible/roles",
      "role search path after the playbook's roles/ (pot play, --list-*)" },
    { "inventory", "defaults", "ANSIBLE_INVENTORY", CFG_PATHLIST, "/etc/ansible/hosts",
      "the inventory when no -i is given" },
    { "forks", "defaults", "ANSIBLE_FORKS", CFG_INT, "5", "hosts in parallel when no -f" },
    { "host_key_checking", "defaults", "ANSIBLE_HOST_KEY_CHECKING", CFG_BOOL, "True",
      "SSH host key checking, below ansible_host_key_checking" },
    { "gathering", "defaults", "ANSIBLE_GATHERING", CFG_STRING, "implicit",
      "fact gathering of plays without gather_facts: implicit or explicit" },
    { "remote_user", "defaults", "ANSIBLE_REMOTE_USER", CFG_STRING, "(the local user)",
      "SSH login user, below ansible_user" },
    { "remote_port", "defaults", "ANSIBLE_REMOTE_PORT", CFG_INT, "22",
      "SSH port, below ansible_port" },
    { "private_key_file", "defaults", "ANSIBLE_PRIVATE_KEY_FILE", CFG_PATH, "(none)",
      "SSH key, below ansible_private_key_file" },
    { "timeout", "defaults", "ANSIBLE_TIMEOUT", CFG_INT, "10",
      "SSH connect timeout in seconds, below ansible_timeout" },
    { "deprecation_warnings", "defaults", "ANSIBLE_DEPRECATION_WARNINGS", CFG_BOOL, "True",
      "print [DEPRECATION WARNING] lines (pot play)" },
    { "transport", "defaults", "ANSIBLE_TRANSPORT", CFG_STRING, "smart",
      "connection type (ssh or local), below ansible_connection" },
    { "become", "privilege_escalation", "ANSIBLE_BECOME", CFG_BOOL, "False",
      "become when no play, block or task says, below ansible_become" },
    { "become_method", "privilege_escalation", "ANSIBLE_BECOME_METHOD", CFG_STRING, "sudo",
      "become method (sudo or su), below the keyword and ansible_become_method" },
    { "become_user", "privilege_escalation", "ANSIBLE_BECOME_USER", CFG_STRING, "root",
      "become user, below the keyword and ansible_become_user" },
};

/* The file Ansible reads: the first of the candidates that exists and is readable, or NULL. */
static char *find_file(void)
{
    const char *env = getenv("ANSIBLE_CONFIG"), *home = getenv("HOME");
    struct svec cands = SVEC_INIT;
    struct stat st;
    char *found = NULL, cwd[4096];

    if (env) {
        char *p = fs_is_dir(env) ? fs_join(env, "ansible.cfg") : xstrdup(env);

        svec_push(&cands, p);
        free(p);
    }
    /* a world-writable current directory is skipped, as Ansible skips it */
    if (getcwd(cwd, sizeof(cwd)) && stat(cwd, &st) == 0 && !(st.st_mode & S_IWOTH)) {
        char *p = fs_join(cwd, "ansible.cfg");

        svec_push(&cands, p);
        free(p);
    }
    if (home) {
        char *p = fs_join(home, ".ansible.cfg");

        svec_push(&cands, p);
        free(p);
    }
    svec_push(&cands, "/etc/ansible/ansible.cfg");
    for (size_t i = 0; !found && i < cands.len; i++) {
        if (fs_exists(cands.items[i]) && !fs_is_dir(cands.items[i]) &&
            access(cands.items[i], R_OK) == 0) {
            found = xstrdup(cands.items[i]);
        }
    }
    svec_release(&cands);
    return found;
}

static const struct cfg_setting *setting_find(const char *section, const char *key)
{
    for (size_t i = 0; i < ARRAY_SIZE(settings); i++) {
        if (strcmp(settings[i].section, section) == 0 && strcmp(settings[i].key, key) == 0) {
            return &settings[i];
        }
    }
    return NULL;
}

/* One path of a path list: ~ expanded, a relative one taken from 'dir'. */
static void add_path(struct buf *out, const char *p, const char *dir, char sep)
{
    const char *home = getenv("HOME");

    if (out->len) {
        buf_addc(out, sep);
    }
    if (p[0] == '~' && (p[1] == '/' || !p[1]) && home) {
        buf_addf(out, "%s%s", home, p + 1);
    } else if (p[0] == '/') {
        buf_addf(out, "%s", p);
    } else {
        buf_addf(out, "%s/%s", dir, p);
    }
}

/* Checks 'v' against the setting's type; a boolean comes back in '*norm' as True or False. */
static int check_value(const struct cfg_setting *s, const char *v, const char *file, int line,
                       const char **norm, struct err *err)
{
    struct srcpos pos = { pos_intern(file), line, 0 };
    int64_t n;

    *norm = v;
    if (s->type == CFG_INT && parse_int(v, &n) < 0) {
        return err_at(err, ERR_USAGE, &pos, "invalid type for configuration option '%s': "
                                            "'%s' is not an integer", s->key, v);
    }
    if (s->type != CFG_BOOL) {
        return 0;
    }
    if (str_ansible_bool(v) >= 0) {
        *norm = str_ansible_bool(v) ? "True" : "False";
        return 0;
    }
    return err_at(err, ERR_USAGE, &pos, "invalid type for configuration option '%s': '%s' is "
                                        "not a boolean", s->key, v);
}

/* A path list of the file as the variable holds it: each path absolute. */
static char *absolute_paths(const struct cfg_setting *s, const char *v, const char *file)
{
    char sep = s->type == CFG_PATHSPEC ? ':' : s->type == CFG_PATHLIST ? ',' : 0;
    char *dir = fs_dirname(file);
    struct svec parts = SVEC_INIT;
    struct buf out = BUF_INIT;

    if (sep) {
        svec_split(&parts, v, sep);
    } else {
        svec_push(&parts, v);
    }
    for (size_t i = 0; i < parts.len; i++) {
        char *p = str_trim(parts.items[i]);

        if (*p) {
            add_path(&out, p, dir, sep);
        }
        free(p);
    }
    svec_release(&parts);
    free(dir);
    return out.ptr ? buf_detach(&out, NULL) : xstrdup("");
}

/* Sets the setting's variable from its value in the file (unless the environment has it). */
static int apply_value(const struct cfg_setting *s, const char *v, const char *file, int line,
                       struct err *err)
{
    const char *norm;
    char *paths;

    if (getenv(s->env)) {
        return 0;
    }
    if (check_value(s, v, file, line, &norm, err) < 0) {
        return -1;
    }
    if (s->type != CFG_PATH && s->type != CFG_PATHSPEC && s->type != CFG_PATHLIST) {
        setenv(s->env, norm, 1);
        return 0;
    }
    paths = absolute_paths(s, v, file);
    setenv(s->env, paths, 1);
    free(paths);
    return 0;
}

/* One "key = value" (or "key: value") line of 'section'; a ' ;' starts a comment. */
static int apply_line(const char *section, char *l, const char *file, int line, struct err *err)
{
    char *sep = l + strcspn(l, "=:"), *semi, *key, *val;
    const struct cfg_setting *s;
    int ret;

    if (!*sep) {
        return 0;
    }
    *sep = 0;
    semi = strstr(sep + 1, " ;");
    if (semi) {
        *semi = 0;
    }
    key = str_trim(l);
    val = str_trim(sep + 1);
    s = setting_find(section, key);
    ret = s ? apply_value(s, val, file, line, err) : 0;
    free(key);
    free(val);
    return ret;
}

/* Python's configparser as Ansible uses it: [section] headers, '#' and ';' comment lines. */
static int apply_text(const char *file, const char *text, struct err *err)
{
    struct svec lines = SVEC_INIT;
    char *section = xstrdup("");
    int ret = 0;

    svec_split_lines(&lines, text);
    for (size_t i = 0; ret == 0 && i < lines.len; i++) {
        char *l = str_trim(lines.items[i]);

        if (l[0] == '[' && strchr(l, ']')) {
            free(section);
            section = xstrndup(l + 1, (size_t)(strchr(l, ']') - l - 1));
        } else if (l[0] && l[0] != '#' && l[0] != ';') {
            ret = apply_line(section, l, file, (int)i + 1, err);
        }
        free(l);
    }
    free(section);
    svec_release(&lines);
    return ret;
}

int ansible_cfg_apply(struct err *err)
{
    char *file = find_file();
    struct buf text = BUF_INIT;
    int ret = 0;

    if (file) {
        ret = fs_read_file(file, &text, err) < 0 ? -1
                                                 : apply_text(file, text.ptr ? text.ptr : "", err);
    }
    buf_release(&text);
    free(file);
    return ret;
}
