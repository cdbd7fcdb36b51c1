/*
 * cmd-ping.c - `pot ping`: connect to every selected host in parallel and run a trivial probe,
 * printing one Ansible-style line per host (like `ansible all -m ping -o`).
 */
#include "pot.h"
#include <string.h>
#include "base/log.h"
#include "cli/adhoc.h"
#include "cli/cli.h"

struct ping_state {
    struct adhoc *a;
    int rc;
};

static void print_host(size_t index, void *arg)
{
    struct ping_state *st = arg;
    struct adhoc_host *h = &st->a->hosts[index];
    int code;

    if (h->err.kind != ERR_NONE) {
        code = adhoc_print_error(h);
        st->rc = st->rc == POT_EXIT_INPUT ? POT_EXIT_INPUT : code; /* unreachable wins */
        return;
    }
    if (h->status != 0 || strncmp(h->out.ptr, "pong", 4) != 0) {
        err_set(&h->err, ERR_FAILED, "the probe failed (rc=%d): %s", h->status,
                h->errout.len ? h->errout.ptr : h->out.ptr);
        code = adhoc_print_error(h);
        st->rc = st->rc == POT_EXIT_INPUT ? POT_EXIT_INPUT : code;
        return;
    }
    printf("%s | SUCCESS => {\"changed\": false, \"ping\": \"pong\"}\n", h->name);
    fflush(stdout);
}

int cmd_ping(int argc, char **argv, struct err *err)
{
    struct adhoc_opts o = { .inventories = SVEC_INIT };
    struct adhoc a = { 0 };
    struct ping_state st = { .a = &a };
    char *command = NULL;
    int ret = -1;

    if (adhoc_parse(argc, argv, &o, &command, err) < 0) {
        goto out;
    }
    if (command) {
        err_set(err, ERR_USAGE, "ping takes no command; use 'pot exec' to run one");
        goto out;
    }
    log_set_level(o.verbose);
    if (adhoc_load(&a, &o, err) < 0) {
        goto out;
    }
    adhoc_run(&a, "echo pong", true, print_host, &st);
    ret = st.rc;
out:
    adhoc_release(&a);
    adhoc_opts_release(&o);
    free(command);
    return ret;
}
