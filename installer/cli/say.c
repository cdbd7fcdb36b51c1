/*
 * say.c - the one writer of a report's progress line on stdout for the subcommands that drive the
 * pipeline and the helm driver (`pot helmfile`, `pot health`): redacted, flushed at once.
 */
#include "pot.h"
#include <stdio.h>
#include "base/buf.h"
#include "base/log.h"
#include "cli/cli.h"

void cli_say_line(void *ctx, const char *line)
{
    struct buf text = BUF_INIT;

    (void)ctx;
    buf_adds(&text, line);
    log_redact(&text);
    printf("%s\n", text.ptr);
    fflush(stdout);
    buf_release(&text);
}
