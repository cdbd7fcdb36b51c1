/*
 * cmd-exec.c - `pot exec [PATTERN] -- CMD`: run a shell command on every selected host in
 * parallel, printing each host's result like `ansible PATTERN -m shell -a CMD` does.
 */
#include "pot.h"
#include <string.h>
#include "base/log.h"
#include "cli/adhoc.h"
#include "cli/cli.h"

struct exec_state {
    struct adhoc *a;
    int rc;
};

static void trim_newline(struct buf *b)
{
    while (b->len && b->ptr[b->len - 1] == '\n') {
        buf_truncate(b, b->len - 1);
    }
}

/* "node1 | CHANGED | rc=0 >>" then stdout, then stderr, as Ansible's minimal output. */
static void print_host(size_t index, void *arg)
{
    struct exec_state *st = arg;
    struct adhoc_host *h = &st->a->hosts[index];
    struct buf text = BUF_INIT;

    if (h->err.kind != ERR_NONE) {
        int code = adhoc_print_error(h);

        st->rc = st->rc == POT_EXIT_INPUT ? POT_EXIT_INPUT : code; /* unreachable wins */
        return;
    }
    trim_newline(&h->out);
    trim_newline(&h->errout);
    buf_addf(&text, "%s | %s | rc=%d >>\n", h->name, h->status == 0 ? "CHANGED" : "FAILED",
             h->status);
    buf_add(&text, h->out.ptr, h->out.len);
    if (h->out.len && h->errout.len) {
        buf_addc(&text, '\n');
    }
    buf_add(&text, h->errout.ptr, h->errout.len);
    log_redact(&text);
    printf("%s%s", text.ptr, text.len && text.ptr[text.len - 1] != '\n' ? "\n" : "");
    fflush(stdout);
    if (h->status != 0 && st->rc != POT_EXIT_INPUT) {
        st->rc = POT_EXIT_FAILED;
    }
    buf_release(&text);
}

int cmd_exec(int argc, char **argv, struct err *err)
{
    struct adhoc_opts o = { .inventories = SVEC_INIT };
    struct adhoc a = { 0 };
    struct exec_state st = { .a = &a };
    char *command = NULL;
    int ret = -1;

    if (adhoc_parse(argc, argv, &o, &command, err) < 0) {
        goto out;
    }
    if (!command || !*command) {
        err_set(err, ERR_USAGE, "usage: pot exec -i INVENTORY [PATTERN] [options] -- COMMAND");
        goto out;
    }
    log_set_level(o.verbose);
    if (adhoc_load(&a, &o, err) < 0) {
        goto out;
    }
    adhoc_run(&a, command, true, print_host, &st);
    ret = st.rc;
out:
    adhoc_release(&a);
    adhoc_opts_release(&o);
    free(command);
    return ret;
}
