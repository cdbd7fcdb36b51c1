/*
 * probe-stats.h - latency statistics of the host probe: sorting samples, nearest-rank
 * percentiles and the mean. Free of pot's other code, so that the probe (built alone with
 * musl-gcc) and the unit tests (linked with potcore) compile the same file. The probe's .c
 * files do not include pot.h: its banned.h macros clash with musl's <string.h>, and the probe
 * needs nothing else from it.
 */
#ifndef PROBE_STATS_H
#define PROBE_STATS_H

#include <stddef.h>
#include <stdint.h>

/* Sorts 'v' ascending in place. */
void stats_sort(uint64_t *v, size_t n);
/* The nearest-rank p-th percentile (0 < p <= 100) of 'sorted' (ascending): the smallest sample
 * at or below which at least p% of the samples lie, as fio reports its clat/sync percentiles.
 * Returns 0 when n is 0. */
uint64_t stats_percentile(const uint64_t *sorted, size_t n, double p);
/* The arithmetic mean; 0 when n is 0. */
double stats_mean(const uint64_t *v, size_t n);

#endif
