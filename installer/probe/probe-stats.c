/*
 * probe-stats.c - latency statistics of the host probe (probe-stats.h): sort, nearest-rank
 * percentile, mean. Uses nothing but libc: it is compiled into the static probe too.
 */
#include <stdlib.h>
#include <math.h>
#include "probe/probe-stats.h"

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

    return x < y ? -1 : x > y;
}

void stats_sort(uint64_t *v, size_t n)
{
    if (n > 1) {
        qsort(v, n, sizeof(*v), cmp_u64);
    }
}

uint64_t stats_percentile(const uint64_t *sorted, size_t n, double p)
{
    double rank;
    size_t index;

    if (n == 0) {
        return 0;
    }
    /* rank = ceil(p/100 * n), computed with a small slack so 99.9% of 1000 is rank 999, not 1000
     * because of 0.999 * 1000 = 999.0000000000001 */
    rank = ceil(p / 100.0 * (double)n - 1e-9);
    index = rank < 1 ? 0 : (size_t)rank - 1;
    return sorted[index < n ? index : n - 1];
}

double stats_mean(const uint64_t *v, size_t n)
{
    double sum = 0;

    if (n == 0) {
        return 0;
    }
    for (size_t i = 0; i < n; i++) {
        sum += (double)v[i];
    }
    return sum / (double)n;
}
