/*
 * tke-progress.c - fetch tke-installer's progress document and parse its tke.log step lines.
 */
#include "pot.h"
#include <ctype.h>
#include <string.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/strutil.h"
#include "base/vec.h"
#include "base/xalloc.h"
#include "tke/tke-http.h"
#include "tke/tke-progress.h"
#include "value/val-json.h"
#include "value/val.h"

#define FETCH_TIMEOUT_MS 10000

static const char *const status_names[] = {
    [TKE_UNKNOWN] = "Unknown",
    [TKE_DOING] = "Doing",
    [TKE_SUCCESS] = "Success",
    [TKE_FAILED] = "Failed",
    [TKE_RETRYING] = "Retrying",
};

static const char *const steps_v124[] = {
    "Execute pre install hook",
    "Load images",
    "Setup local registry",
    "Push images",
    "Generate certificates for TKE components",
    "Create global cluster",
    "Write kubeconfig",
    "Execute post deploy hook",
    "Prepare front proxy certificates",
    "Create namespace for install TKE",
    "Prepare certificates",
    "Prepare baremetal provider config",
    "Install etcd",
    "Install tke-auth-api",
    "Install tke-auth-controller",
    "Install tke-platform-api",
    "Install tke-platform-controller",
    "Install tke-registry-api",
    "Install tke-business-api",
    "Install tke-business-controller",
    "Install InfluxDB",
    "Install tke-monitor-api",
    "Install tke-monitor-controller",
    "Install tke-notify-api",
    "Install tke-notify-controller",
    "Install tke-gateway",
    "Register tke api into global cluster",
    "Import resource to TKE platform",
    "Prepare push images to TKE registry",
    "Push images to registry",
    "Set global cluster hosts",
    "Execute post deploy hook",
};

int tke_step_count(void)
{
    return (int)ARRAY_SIZE(steps_v124);
}

const char *tke_step_name(int index)
{
    return index >= 0 && index < tke_step_count() ? steps_v124[index] : "";
}

enum tke_status tke_status_parse(const char *s)
{
    for (size_t i = 0; i < ARRAY_SIZE(status_names); i++) {
        if (s && strcmp(s, status_names[i]) == 0) {
            return (enum tke_status)i;
        }
    }
    return TKE_UNKNOWN;
}

const char *tke_status_name(enum tke_status status)
{
    return status_names[status];
}

void tke_progress_init(struct tke_progress *p)
{
    memset(p, 0, sizeof(*p));
    p->step = -1;
    p->step_name = xstrdup("");
    p->error = xstrdup("");
}

void tke_progress_release(struct tke_progress *p)
{
    free(p->step_name);
    free(p->error);
    p->step_name = NULL;
    p->error = NULL;
}

static void set_str(char **dst, const char *s, size_t len)
{
    free(*dst);
    *dst = xstrndup(s, len);
}

/* Skips Go log's "2006/01/02 15:04:05 " prefix when present. */
static const char *skip_date(const char *line)
{
    static const char shape[] = "dddd/dd/dd dd:dd:dd ";

    for (size_t i = 0; i < sizeof(shape) - 1; i++) {
        bool digit = shape[i] == 'd';

        if (!line[i] || (digit ? !isdigit((unsigned char)line[i]) : line[i] != shape[i])) {
            return line;
        }
    }
    return line + sizeof(shape) - 1;
}

/* "N.<name> <rest>": records the step. */
static void parse_step_line(struct tke_progress *p, const char *s)
{
    const char *dot = s;
    const char *mark;
    int step = 0;

    while (isdigit((unsigned char)*dot)) {
        step = step * 10 + (*dot++ - '0');
    }
    if (dot == s || *dot != '.' || step > 10000) {
        return;
    }
    s = dot + 1;
    if (str_ends_with(s, " doing")) {
        mark = s + strlen(s) - strlen(" doing");
    } else {
        mark = strstr(s, " [Success] [");
        if (!mark) {
            mark = strstr(s, " [Failed] [");
        }
        if (!mark) {
            return;
        }
    }
    if (step != p->step) {
        p->failures = 0;
        set_str(&p->error, "", 0);
    }
    p->step = step;
    set_str(&p->step_name, s, (size_t)(mark - s));
    p->step_done = str_starts_with(mark, " [Success] [");
    if (str_starts_with(mark, " [Failed] [")) {
        const char *msg = strstr(mark, "] error ");

        p->failures++;
        if (msg) {
            set_str(&p->error, msg + strlen("] error "), strlen(msg + strlen("] error ")));
        } else {
            set_str(&p->error, "no error message", strlen("no error message"));
        }
    }
}

void tke_progress_parse_log(struct tke_progress *p, const char *log)
{
    struct svec lines = SVEC_INIT;

    svec_split_lines(&lines, log);
    for (size_t i = 0; i < lines.len; i++) {
        const char *s = skip_date(lines.items[i]);

        if (str_starts_with(s, "===>starting install task")) {
            p->finished = false;
        } else if (str_starts_with(s, "===>install task [Sucesss]") ||
                   str_starts_with(s, "===>install task [Success]")) {
            p->finished = true;
        } else {
            parse_step_line(p, s);
        }
    }
    svec_release(&lines);
}

int tke_progress_fetch(const char *url, struct tke_progress *p, struct buf *log, struct err *err)
{
    struct tke_http_resp rs = TKE_HTTP_RESP_INIT;
    struct tke_http_req rq = { .method = "GET", .url = url, .timeout_ms = FETCH_TIMEOUT_MS };
    struct val *v = NULL;
    const char *data;
    int ret = -1;

    if (tke_http_do(&rq, &rs, err) < 0) {
        err_prefix(err, "tke-installer progress: ");
        goto out;
    }
    if (rs.status != 200) {
        err_set(err, ERR_REMOTE, "tke-installer progress '%s': HTTP %ld", url, rs.status);
        goto out;
    }
    v = val_from_json(rs.body.ptr, rs.body.len, url, err);
    if (!v) {
        err_prefix(err, "tke-installer progress: ");
        goto out;
    }
    if (v->type != VAL_DICT) {
        err_set(err, ERR_REMOTE, "tke-installer progress '%s': not a JSON object", url);
        goto out;
    }
    p->status = tke_status_parse(val_dict_get_str(v, "status"));
    data = val_dict_get_str(v, "data");
    tke_progress_parse_log(p, data ? data : "");
    if (log) {
        buf_adds(log, data ? data : "");
    }
    ret = 0;
out:
    val_unref(v);
    tke_http_resp_release(&rs);
    return ret;
}
