/*
 * bench-template.c - renders per second of one template with pot's engine: compiles TEMPLATE
 * once, then renders it N times against VARS (a YAML file, a fresh lazy scope per render as the
 * runner would use), and prints "renders_per_sec <float> bytes <n>" for bench/template.sh.
 *
 * usage: bench-template TEMPLATE VARS.yml N
 */
#include "pot.h"
#include <string.h>
#include <time.h>
#include "base/buf.h"
#include "base/fs.h"
#include "template/tpl.h"
#include "value/val-yaml.h"
#include "value/val.h"

static double now(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts); /* CPU time: fair on a busy machine */
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int main(int argc, char **argv)
{
    struct tpl_opts o = { .trim_blocks = true, .keep_trailing_newline = true };
    struct err err = ERR_INIT;
    struct buf text = BUF_INIT, out = BUF_INIT;
    struct val *vars;
    struct tpl *t;
    long n;
    double start, secs;
    size_t bytes = 0;

    if (argc != 4 || (n = strtol(argv[3], NULL, 10)) <= 0) {
        fprintf(stderr, "usage: bench-template TEMPLATE VARS.yml N\n");
        return 2;
    }
    o.name = argv[1];
    vars = val_from_yaml_file(argv[2], &err);
    if (!vars || fs_read_file(argv[1], &text, &err) < 0 ||
        !(t = tpl_compile(text.ptr, text.len, &o, &err))) {
        fprintf(stderr, "bench-template: %s\n", err.msg);
        return 1;
    }
    start = now();
    for (long i = 0; i < n; i++) {
        struct tpl_dict_scope scope;

        tpl_dict_scope_init(&scope, vars, NULL);
        buf_reset(&out);
        if (tpl_render(t, &scope.scope, &out, &err) < 0) {
            fprintf(stderr, "bench-template: %s\n", err.msg);
            return 1;
        }
        bytes = out.len;
        tpl_dict_scope_release(&scope);
    }
    secs = now() - start;
    printf("renders_per_sec %.1f bytes %zu\n", (double)n / secs, bytes);
    tpl_free(t);
    val_unref(vars);
    buf_release(&text);
    buf_release(&out);
    return 0;
}
