/*
 * result.c - struct result lifecycle and the failure helper every module uses.
 */
#include "pot.h"
#include <string.h>
#include "base/buf.h"
#include "base/xalloc.h"
#include "modules/module.h"
#include "value/val.h"

void result_init(struct result *res)
{
    memset(res, 0, sizeof(*res));
    res->status = RESULT_OK;
    res->data = val_dict();
    buf_init(&res->diff);
}

void result_release(struct result *res)
{
    free(res->msg);
    val_unref(res->data);
    buf_release(&res->diff);
    memset(res, 0, sizeof(*res));
}

int result_fail(struct result *res, const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    free(res->msg);
    res->msg = xvasprintf(fmt, ap);
    va_end(ap);
    res->status = RESULT_FAILED;
    return 0;
}
