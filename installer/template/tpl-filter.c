/*
 * tpl-filter.c - THE table of filters: the families of tpl-filter-<family>.c searched in order,
 * with the optional 'ansible.builtin.' prefix accepted. Adding a filter: write it in its family
 * file and add one line to that family's array (and, for an output fast path, one line to its
 * tpl_filter_outs_<family> array).
 */
#include "pot.h"
#include <string.h>
#include "template/tpl-eval.h"

static const struct tpl_filter *const families[] = {
    tpl_filters_str, tpl_filters_list, tpl_filters_data, tpl_filters_regex, tpl_filters_net,
};

const struct tpl_filter *tpl_filter_find(const char *name, size_t len)
{
    size_t plen = tpl_fqcn_prefix_len(name, len);

    name += plen;
    len -= plen;
    for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
        for (const struct tpl_filter *e = families[f]; e->name; e++) {
            if (strlen(e->name) == len && memcmp(e->name, name, len) == 0) {
                return e;
            }
        }
    }
    return NULL;
}

static const struct tpl_filter_out *const out_families[] = {
    tpl_filter_outs_str, tpl_filter_outs_data,
};

tpl_filter_out_fn tpl_filter_out_find(const struct tpl_filter *f)
{
    for (size_t k = 0; k < ARRAY_SIZE(out_families); k++) {
        for (const struct tpl_filter_out *e = out_families[k]; e->fn; e++) {
            if (e->fn == f->fn) {
                return e->out;
            }
        }
    }
    return NULL;
}
