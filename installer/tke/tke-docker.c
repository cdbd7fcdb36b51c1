/*
 * tke-docker.c - docker engine API calls over the unix socket (libcurl): images and the
 * tke-installer container. JSON is built and read through value/.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/digest.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "tke/tke-docker.h"
#include "tke/tke-http.h"
#include "value/val-json.h"
#include "value/val.h"

#define API_TIMEOUT_MS (120 * 1000)
#define SPEC_LABEL "pot.spec"

void tke_docker_init(struct tke_docker *d, const char *socket)
{
    const char *host = getenv("DOCKER_HOST");

    if (!socket && host && str_starts_with(host, "unix://")) {
        socket = host + strlen("unix://");
    }
    d->socket = xstrdup(socket ? socket : "/var/run/docker.sock");
}

void tke_docker_release(struct tke_docker *d)
{
    free(d->socket);
    d->socket = NULL;
}

/* One call: 'path' is appended to http://localhost. */
static int call(struct tke_docker *d, const char *method, const char *path, const char *json,
                struct tke_http_resp *rs, struct err *err)
{
    char *url = xasprintf("http://localhost%s", path);
    struct tke_http_req rq = {
        .method = method,
        .unix_socket = d->socket,
        .url = url,
        .content_type = json ? "application/json" : NULL,
        .body = json,
        .body_len = json ? strlen(json) : 0,
        .timeout_ms = API_TIMEOUT_MS,
    };
    int ret = tke_http_do(&rq, rs, err);

    if (ret < 0) {
        err_prefix(err, "docker daemon: ");
    }
    free(url);
    return ret;
}

/* Sets an ERR_REMOTE error from the daemon's {"message": ...} answer. */
static int api_error(const struct tke_http_resp *rs, const char *what, const char *name,
                     struct err *err)
{
    struct err ignored = ERR_INIT;
    struct val *v = val_from_json(rs->body.ptr, rs->body.len, "docker", &ignored);
    const char *msg = v ? val_dict_get_str(v, "message") : NULL;

    err_set(err, ERR_REMOTE, "docker: cannot %s '%s': %s (HTTP %ld)", what, name,
            msg ? msg : "no message", rs->status);
    val_unref(v);
    return -1;
}

/* Calls the API and accepts the statuses 'ok' and 'also_ok' (-1: no other); any other is the
 * daemon's error about doing 'what' to 'name'. Sets *status (when not NULL) on success. */
static int call_expecting(struct tke_docker *d, const char *method, const char *path,
                          const char *json, long ok, long also_ok, const char *what,
                          const char *name, long *status, struct err *err)
{
    struct tke_http_resp rs = TKE_HTTP_RESP_INIT;
    int ret = call(d, method, path, json, &rs, err);

    if (ret == 0 && rs.status != ok && rs.status != also_ok) {
        ret = api_error(&rs, what, name, err);
    }
    if (ret == 0 && status) {
        *status = rs.status;
    }
    tke_http_resp_release(&rs);
    return ret;
}

int tke_docker_image_exists(struct tke_docker *d, const char *ref, bool *exists, struct err *err)
{
    char *path = xasprintf("/images/%s/json", ref);
    long status = 0;
    int ret = call_expecting(d, "GET", path, NULL, 200, 404, "inspect image", ref, &status, err);

    *exists = ret == 0 && status == 200;
    free(path);
    return ret;
}

/* The load answer is a stream of JSON objects, one a line; any "error" in it is the failure. */
static int check_load_stream(const struct buf *body, const char *tarball, struct err *err)
{
    struct svec lines = SVEC_INIT;
    int ret = 0;

    svec_split_lines(&lines, body->ptr);
    for (size_t i = 0; i < lines.len && ret == 0; i++) {
        struct err ignored = ERR_INIT;
        struct val *v = val_from_json(lines.items[i], strlen(lines.items[i]), "docker", &ignored);
        const char *msg = v ? val_dict_get_str(v, "error") : NULL;

        if (msg) {
            ret = err_set(err, ERR_REMOTE, "docker: cannot load image archive '%s': %s", tarball,
                          msg);
        }
        val_unref(v);
    }
    svec_release(&lines);
    return ret;
}

int tke_docker_image_load(struct tke_docker *d, const char *tarball, struct err *err)
{
    struct tke_http_resp rs = TKE_HTTP_RESP_INIT;
    struct tke_http_req rq = {
        .method = "POST",
        .unix_socket = d->socket,
        .url = "http://localhost/images/load?quiet=1",
        .content_type = "application/x-tar",
        .upload_path = tarball,
    };
    int ret = -1;

    if (tke_http_do(&rq, &rs, err) < 0) {
        err_prefix(err, "docker daemon: ");
        goto out;
    }
    if (rs.status != 200) {
        api_error(&rs, "load image archive", tarball, err);
        goto out;
    }
    ret = check_load_stream(&rs.body, tarball, err);
out:
    tke_http_resp_release(&rs);
    return ret;
}

static void fill_info(const struct val *v, struct tke_container_info *info)
{
    struct val *state = val_dict_get(v, "State");
    struct val *config = val_dict_get(v, "Config");
    struct val *labels = config ? val_dict_get(config, "Labels") : NULL;
    struct val *host = val_dict_get(v, "HostConfig");
    struct val *binds = host && host->type == VAL_DICT ? val_dict_get(host, "Binds") : NULL;
    const char *image = config && config->type == VAL_DICT ? val_dict_get_str(config, "Image")
                                                           : NULL;
    struct val *running = state ? val_dict_get(state, "Running") : NULL;
    const char *status = state ? val_dict_get_str(state, "Status") : NULL;
    const char *hash = labels && labels->type == VAL_DICT ? val_dict_get_str(labels, SPEC_LABEL)
                                                          : NULL;

    info->exists = true;
    info->running = running && running->type == VAL_BOOL && running->u.b;
    info->status = xstrdup(status ? status : "");
    info->spec_hash = xstrdup(hash ? hash : "");
    info->image = xstrdup(image ? image : "");
    for (size_t i = 0; binds && binds->type == VAL_LIST && i < val_list_len(binds); i++) {
        const char *b = val_cstr(val_list_get(binds, i));

        if (b) {
            svec_push(&info->binds, b);
        }
    }
}

int tke_docker_container_inspect(struct tke_docker *d, const char *name,
                                 struct tke_container_info *info, struct err *err)
{
    struct tke_http_resp rs = TKE_HTTP_RESP_INIT;
    char *path = xasprintf("/containers/%s/json", name);
    struct val *v = NULL;
    int ret = -1;

    memset(info, 0, sizeof(*info));
    info->status = xstrdup("");
    info->spec_hash = xstrdup("");
    info->image = xstrdup("");
    if (call(d, "GET", path, NULL, &rs, err) < 0) {
        goto out;
    }
    if (rs.status == 404) {
        ret = 0;
        goto out;
    }
    if (rs.status != 200) {
        api_error(&rs, "inspect container", name, err);
        goto out;
    }
    v = val_from_json(rs.body.ptr, rs.body.len, "docker inspect", err);
    if (!v || v->type != VAL_DICT) {
        err_set(err, ERR_REMOTE, "docker: unreadable answer when inspecting container '%s'",
                name);
        goto out;
    }
    tke_container_info_release(info);
    fill_info(v, info);
    ret = 0;
out:
    val_unref(v);
    tke_http_resp_release(&rs);
    free(path);
    return ret;
}

void tke_container_info_release(struct tke_container_info *info)
{
    free(info->status);
    free(info->spec_hash);
    free(info->image);
    svec_release(&info->binds);
    info->status = NULL;
    info->spec_hash = NULL;
    info->image = NULL;
}

enum tke_container_match tke_container_match(const struct tke_container_info *info,
                                             const struct tke_container_spec *spec)
{
    const char *data = NULL;
    char hash[65];

    tke_container_spec_hash(spec, hash);
    if (strcmp(info->spec_hash, hash) == 0) {
        return TKE_MATCH_SAME;
    }
    if (info->spec_hash[0]) {
        return TKE_MATCH_CHANGED;
    }
    for (size_t i = 0; i < spec->binds.len; i++) {
        if (str_ends_with(spec->binds.items[i], ":/app/data")) {
            data = spec->binds.items[i];
        }
    }
    if (strcmp(info->image, spec->image) == 0 && data && svec_contains(&info->binds, data)) {
        return TKE_MATCH_ADOPTABLE;
    }
    return TKE_MATCH_FOREIGN;
}

static struct val *str_list(const struct svec *v)
{
    struct val *list = val_list();

    for (size_t i = 0; i < v->len; i++) {
        val_list_push_take(list, val_str(v->items[i]));
    }
    return list;
}

/* Capability names by number, to name the ones this machine's bounding set lacks. */
static const char *const cap_names[] = {
    "CHOWN", "DAC_OVERRIDE", "DAC_READ_SEARCH", "FOWNER", "FSETID", "KILL", "SETGID", "SETUID",
    "SETPCAP", "LINUX_IMMUTABLE", "NET_BIND_SERVICE", "NET_BROADCAST", "NET_ADMIN", "NET_RAW",
    "IPC_LOCK", "IPC_OWNER", "SYS_MODULE", "SYS_RAWIO", "SYS_CHROOT", "SYS_PTRACE", "SYS_PACCT",
    "SYS_ADMIN", "SYS_BOOT", "SYS_NICE", "SYS_RESOURCE", "SYS_TIME", "SYS_TTY_CONFIG", "MKNOD",
    "LEASE", "AUDIT_WRITE", "AUDIT_CONTROL", "SETFCAP", "MAC_OVERRIDE", "MAC_ADMIN", "SYSLOG",
    "WAKE_ALARM", "BLOCK_SUSPEND", "AUDIT_READ", "PERFMON", "BPF", "CHECKPOINT_RESTORE",
};

/* Appends the capabilities missing from this process's bounding set (runc refuses --privileged
 * when any is missing, e.g. in some VMs) to 'missing'. */
static void missing_caps(struct val *missing)
{
    FILE *f = fopen("/proc/self/status", "re");
    char line[256];
    unsigned long long bnd = ~0ULL;

    while (f && fgets(line, sizeof(line), f)) {
        if (strncmp(line, "CapBnd:", 7) == 0) {
            bnd = strtoull(line + 7, NULL, 16);
        }
    }
    if (f) {
        fclose(f);
    }
    for (size_t bit = 0; bit < ARRAY_SIZE(cap_names); bit++) {
        if (!((bnd >> bit) & 1)) {
            val_list_push_take(missing, val_str(cap_names[bit]));
        }
    }
}

/* --privileged, or where this machine cannot grant every capability the nearest thing: all the
 * capabilities it has, no seccomp/apparmor/masked paths, every device allowed. */
static void add_privilege(struct val *host)
{
    struct val *missing = val_list();
    struct val *opts;
    struct val *rules;

    missing_caps(missing);
    if (val_list_len(missing) == 0) {
        val_dict_set_take(host, "Privileged", val_bool(true));
        val_unref(missing);
        return;
    }
    opts = val_list();
    rules = val_list();
    val_list_push_take(opts, val_str("seccomp=unconfined"));
    val_list_push_take(opts, val_str("apparmor=unconfined"));
    val_list_push_take(rules, val_str("a *:* rwm"));
    val_dict_set_take(host, "CapAdd", val_list());
    val_list_push_take(val_dict_get(host, "CapAdd"), val_str("ALL"));
    val_dict_set_take(host, "CapDrop", missing);
    val_dict_set_take(host, "SecurityOpt", opts);
    val_dict_set_take(host, "DeviceCgroupRules", rules);
    val_dict_set_take(host, "MaskedPaths", val_list()); /* the CLI's systempaths=unconfined */
    val_dict_set_take(host, "ReadonlyPaths", val_list());
}

static char *create_body(const struct tke_container_spec *spec)
{
    struct val *body = val_dict();
    struct val *host = val_dict();
    struct val *labels = val_dict();
    struct val *restart = val_dict();
    struct buf out = BUF_INIT;
    char hash[65];

    tke_container_spec_hash(spec, hash);
    val_dict_set_take(labels, SPEC_LABEL, val_str(hash));
    val_dict_set_take(body, "Image", val_str(spec->image));
    val_dict_set_take(body, "Env", str_list(&spec->env));
    val_dict_set_take(body, "Labels", labels);
    val_dict_set_take(host, "Binds", str_list(&spec->binds));
    if (spec->privileged) {
        add_privilege(host);
    }
    val_dict_set_take(host, "NetworkMode", val_str(spec->host_network ? "host" : "default"));
    val_dict_set_take(restart, "Name", val_str(spec->restart_always ? "always" : "no"));
    val_dict_set_take(host, "RestartPolicy", restart);
    val_dict_set_take(body, "HostConfig", host);
    val_to_json(body, &out, -1, 0);
    val_unref(body);
    return buf_detach(&out, NULL);
}

int tke_docker_container_create(struct tke_docker *d, const struct tke_container_spec *spec,
                                struct err *err)
{
    char *path = xasprintf("/containers/create?name=%s", spec->name);
    char *body = create_body(spec);
    long status = 0;
    int ret = call_expecting(d, "POST", path, body, 201, 409, "create container", spec->name,
                             &status, err);

    free(body);
    free(path);
    return ret == 0 && status == 409 ? 1 : ret;
}

/* POST /containers/NAME/ACTION; 204 done, 304 nothing to do. */
static int container_action(struct tke_docker *d, const char *name, const char *action,
                            const char *what, struct err *err)
{
    char *path = xasprintf("/containers/%s/%s", name, action);
    int ret = call_expecting(d, "POST", path, NULL, 204, 304, what, name, NULL, err);

    free(path);
    return ret;
}

int tke_docker_container_start(struct tke_docker *d, const char *name, struct err *err)
{
    return container_action(d, name, "start", "start container", err);
}

int tke_docker_container_restart(struct tke_docker *d, const char *name, struct err *err)
{
    return container_action(d, name, "restart?t=10", "restart container", err);
}

int tke_docker_container_stop(struct tke_docker *d, const char *name, struct err *err)
{
    return container_action(d, name, "stop?t=10", "stop container", err);
}

int tke_docker_container_remove(struct tke_docker *d, const char *name, struct err *err)
{
    char *path = xasprintf("/containers/%s?force=1", name);
    int ret = call_expecting(d, "DELETE", path, NULL, 204, 404, "remove container", name, NULL,
                             err);

    free(path);
    return ret;
}

void tke_container_spec_init(struct tke_container_spec *spec)
{
    memset(spec, 0, sizeof(*spec));
}

void tke_container_spec_release(struct tke_container_spec *spec)
{
    svec_release(&spec->binds);
    svec_release(&spec->env);
}

static const char *or_default(const char *value, const char *def)
{
    return value ? value : def;
}

void tke_docker_installer_spec(struct tke_container_spec *spec, const char *name,
                               const char *image, const struct tke_installer_paths *paths)
{
    spec->name = name;
    spec->image = image;
    spec->privileged = true;
    spec->host_network = true;
    spec->restart_always = true;
    svec_pushf(&spec->binds, "%s:/app/hosts", or_default(paths->hosts_file, "/etc/hosts"));
    svec_pushf(&spec->binds, "%s:/etc/docker", or_default(paths->docker_conf_dir, "/etc/docker"));
    svec_pushf(&spec->binds, "%s:/var/run/docker.sock",
               or_default(paths->docker_sock, "/var/run/docker.sock"));
    svec_pushf(&spec->binds, "%s:/app/data",
               or_default(paths->data_dir, "/opt/tke-installer/data"));
    svec_pushf(&spec->binds, "%s:/app/conf",
               or_default(paths->conf_dir, "/opt/tke-installer/conf"));
    svec_pushf(&spec->binds, "%s:/app/hooks", paths->hooks_dir);
    for (const char *const *dir = paths->same_path_dirs; dir && *dir; dir++) {
        svec_pushf(&spec->binds, "%s:%s", *dir, *dir);
    }
}

void tke_container_spec_hash(const struct tke_container_spec *spec, char hex[65])
{
    struct buf text = BUF_INIT;

    buf_addf(&text, "name=%s\nimage=%s\nprivileged=%d\nhost=%d\nrestart=%d\n", spec->name,
             spec->image, spec->privileged, spec->host_network, spec->restart_always);
    for (size_t i = 0; i < spec->binds.len; i++) {
        buf_addf(&text, "bind=%s\n", spec->binds.items[i]);
    }
    for (size_t i = 0; i < spec->env.len; i++) {
        buf_addf(&text, "env=%s\n", spec->env.items[i]);
    }
    sha256_hex(text.ptr, text.len, hex);
    buf_release(&text);
}
