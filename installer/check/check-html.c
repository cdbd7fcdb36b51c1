/*
 * check-html.c - the host-check report as one self-contained HTML page (check.h): inline CSS and
 * SVG drawn here, no script and no request to anywhere (a Content-Security-Policy forbids
 * them). Sections: the overall verdict; a table of verdicts, checks down and hosts across; every
 * check that did not pass with its hint; bars of random IOPS and of fdatasync latency per host;
 * heat maps of one-stream throughput and round-trip p99 between every ordered pair of hosts.
 */
#include "pot.h"
#include <math.h>
#include <string.h>
#include "base/buf.h"
#include "check/check.h"
#include "value/val.h"

#define CHART_WIDTH 760
#define LABEL_WIDTH 150
#define BAR_HEIGHT 14
#define CELL_WIDTH 78
#define CELL_HEIGHT 30

static const char style[] =
    "body{font-family:system-ui,sans-serif;margin:24px;color:#1d2330;max-width:1100px}"
    "h1{margin:0 0 4px}h2{margin-top:32px;border-bottom:1px solid #d5d9e0;padding-bottom:4px}"
    ".meta{color:#5b6475}table{border-collapse:collapse;margin:8px 0}"
    "th,td{border:1px solid #d5d9e0;padding:4px 8px;text-align:left;font-size:14px}"
    "th{background:#f2f4f7}.v{display:inline-block;padding:1px 6px;border-radius:4px;"
    "font-weight:600;font-size:12px;text-transform:uppercase}"
    ".pass{background:#d8f3dc;color:#1b5e20}.warn{background:#fff3c4;color:#7a5a00}"
    ".fail{background:#fbd5d5;color:#8e1b1b}.num{color:#5b6475;font-size:12px}"
    "svg text{font-family:system-ui,sans-serif;font-size:12px;fill:#1d2330}"
    ".legend span{display:inline-block;width:12px;height:12px;margin:0 4px 0 12px;"
    "vertical-align:middle}.wide{overflow-x:auto}"
    ".verdicts td,.verdicts th{font-size:13px;white-space:nowrap}";

static void text(struct buf *out, const char *s)
{
    buf_add_html(out, s ? s : "", s ? strlen(s) : 0);
}

static const char *str_at(const struct val *dict, const char *key)
{
    const char *s = dict && dict->type == VAL_DICT ? val_dict_get_str(dict, key) : NULL;

    return s ? s : "";
}

static size_t list_len(const struct val *list)
{
    return list && list->type == VAL_LIST ? list->u.list.len : 0;
}

static const struct val *list_at(const struct val *list, size_t i)
{
    return list->u.list.items[i];
}

static void verdict_badge(struct buf *out, const char *verdict)
{
    buf_adds(out, "<span class=\"v ");
    text(out, verdict);
    buf_adds(out, "\">");
    text(out, verdict);
    buf_adds(out, "</span>");
}

static void number(struct buf *out, double v, const char *unit)
{
    if (isnan(v)) {
        buf_adds(out, "—");
        return;
    }
    buf_addf(out, "%.*f", fabs(v) >= 100 || v == floor(v) ? 0 : 2, v);
    if (unit && *unit) {
        buf_addc(out, ' ');
        text(out, unit);
    }
}

/* ---- tables ---- */

/* The check in 'checks' with 'id'; NULL when absent. */
static const struct val *find_check(const struct val *checks, const char *id)
{
    for (size_t i = 0; i < list_len(checks); i++) {
        if (strcmp(str_at(list_at(checks, i), "id"), id) == 0) {
            return list_at(checks, i);
        }
    }
    return NULL;
}

static void check_cell(struct buf *out, const struct val *c, const char *suffix)
{
    buf_adds(out, "<td>");
    if (!c) {
        buf_adds(out, "—</td>");
        return;
    }
    verdict_badge(out, str_at(c, "verdict"));
    buf_adds(out, " <span class=\"num\">");
    if (isnan(check_number(c, "value")) && *str_at(c, "detail")) {
        text(out, str_at(c, "detail")); /* a version, a path: what was found */
    } else {
        number(out, check_number(c, "value"), str_at(c, "unit"));
    }
    text(out, suffix);
    buf_adds(out, "</span></td>");
}

/* The worst outcome of check 'id' over the pairs measured from 'host'; *to names its peer. */
static const struct val *worst_from(const struct val *net, const char *host, const char *id,
                                    const char **to)
{
    static const char *const order[] = { "pass", "warn", "fail" };
    const struct val *pairs = val_dict_get(net, "pairs"), *worst = NULL;
    int worst_rank = -1;

    for (size_t i = 0; i < list_len(pairs); i++) {
        const struct val *p = list_at(pairs, i);
        const struct val *c = find_check(val_dict_get(p, "checks"), id);

        if (!c || strcmp(str_at(p, "from"), host) != 0) {
            continue;
        }
        for (int r = 0; r < 3; r++) {
            if (strcmp(str_at(c, "verdict"), order[r]) == 0 && r > worst_rank) {
                worst_rank = r;
                worst = c;
                *to = str_at(p, "to");
            }
        }
    }
    return worst;
}

/* The check IDs of a report's first entry ('entries' of hosts or pairs), in order. */
static const struct val *first_checks(const struct val *report, const char *entries)
{
    const struct val *list = report ? val_dict_get(report, entries) : NULL;

    return list_len(list) ? val_dict_get(list_at(list, 0), "checks") : NULL;
}

/* The entry of 'name' in a per-host report's "hosts"; NULL when absent. */
static const struct val *host_entry(const struct val *report, const char *name)
{
    const struct val *hosts = report ? val_dict_get(report, "hosts") : NULL;

    for (size_t i = 0; i < list_len(hosts); i++) {
        if (strcmp(str_at(list_at(hosts, i), "host"), name) == 0) {
            return list_at(hosts, i);
        }
    }
    return NULL;
}

/* One row per check of a per-host report (host, disk): its outcome on each host. */
static void per_host_rows(struct buf *out, const struct val *report, const struct val *hosts)
{
    const struct val *ids = first_checks(report, "hosts");

    for (size_t i = 0; i < list_len(ids); i++) {
        const char *id = str_at(list_at(ids, i), "id");

        buf_adds(out, "<tr><th>");
        text(out, id);
        buf_adds(out, "</th>");
        for (size_t h = 0; h < list_len(hosts); h++) {
            const struct val *e = host_entry(report, list_at(hosts, h)->u.s.ptr);

            check_cell(out, e ? find_check(val_dict_get(e, "checks"), id) : NULL, "");
        }
        buf_adds(out, "</tr>\n");
    }
}

/* One row per network check: on each host, the worst pair it measured from. */
static void net_rows(struct buf *out, const struct val *net, const struct val *hosts)
{
    const struct val *ids = first_checks(net, "pairs");

    for (size_t i = 0; i < list_len(ids); i++) {
        const char *id = str_at(list_at(ids, i), "id");

        buf_adds(out, "<tr><th>");
        text(out, id);
        buf_adds(out, "*</th>");
        for (size_t h = 0; h < list_len(hosts); h++) {
            const char *to = "";
            const struct val *c = worst_from(net, list_at(hosts, h)->u.s.ptr, id, &to);
            struct buf suffix = BUF_INIT;

            buf_addf(&suffix, " → %s", to);
            check_cell(out, c, c ? suffix.ptr : "");
            buf_release(&suffix);
        }
        buf_adds(out, "</tr>\n");
    }
}

/* Checks down, hosts across. */
static void verdict_table(struct buf *out, const struct check_reports *r, const struct val *hosts)
{
    buf_adds(out, "<div class=\"wide\"><table class=\"verdicts\"><tr><th>check</th>");
    for (size_t h = 0; h < list_len(hosts); h++) {
        buf_adds(out, "<th>");
        text(out, list_at(hosts, h)->u.s.ptr);
        buf_adds(out, "</th>");
    }
    buf_adds(out, "</tr>\n");
    per_host_rows(out, r->host, hosts);
    per_host_rows(out, r->disk, hosts);
    net_rows(out, r->net, hosts);
    buf_adds(out, "</table></div>\n");
    if (first_checks(r->net, "pairs")) {
        buf_adds(out, "<p class=\"num\">* the worst of the pairs measured from the host, and "
                      "the host it measured to</p>\n");
    }
}

static void problem_row(struct buf *out, const char *subject, const struct val *c)
{
    double threshold = check_number(c, "threshold");

    buf_adds(out, "<tr><td>");
    text(out, subject);
    buf_adds(out, "</td><td>");
    verdict_badge(out, str_at(c, "verdict"));
    buf_adds(out, "</td><td>");
    text(out, str_at(c, "id"));
    buf_adds(out, "</td><td>");
    number(out, check_number(c, "value"), str_at(c, "unit"));
    buf_adds(out, "</td><td>");
    if (!isnan(threshold)) {
        text(out, str_at(c, "pass_if"));
        buf_addc(out, ' ');
        number(out, threshold, str_at(c, "unit"));
    }
    buf_adds(out, "</td><td>");
    if (*str_at(c, "detail")) {
        text(out, str_at(c, "detail"));
        buf_adds(out, ". ");
    }
    text(out, str_at(c, "hint"));
    buf_adds(out, "</td></tr>\n");
}

/* The outcomes of a per-host report that did not pass, as problem rows. */
static size_t per_host_problems(struct buf *out, const struct val *report)
{
    const struct val *hosts = report ? val_dict_get(report, "hosts") : NULL;
    size_t count = 0;

    for (size_t i = 0; i < list_len(hosts); i++) {
        const struct val *checks = val_dict_get(list_at(hosts, i), "checks");

        for (size_t j = 0; j < list_len(checks); j++) {
            if (strcmp(str_at(list_at(checks, j), "verdict"), "pass") != 0) {
                problem_row(out, str_at(list_at(hosts, i), "host"), list_at(checks, j));
                count++;
            }
        }
    }
    return count;
}

/* Every outcome that did not pass: host checks, disk, then the pairs. Returns how many. */
static size_t problems(struct buf *out, const struct check_reports *r)
{
    const struct val *pairs = r->net ? val_dict_get(r->net, "pairs") : NULL;
    size_t count;

    buf_adds(out,
             "<table class=\"problems\"><tr><th>host or pair</th><th>verdict</th>"
             "<th>check</th><th>value</th><th>pass needs</th><th>why, and the fix</th></tr>\n");
    count = per_host_problems(out, r->host) + per_host_problems(out, r->disk);
    for (size_t i = 0; i < list_len(pairs); i++) {
        const struct val *p = list_at(pairs, i), *checks = val_dict_get(p, "checks");
        struct buf subject = BUF_INIT;

        buf_addf(&subject, "%s → %s", str_at(p, "from"), str_at(p, "to"));
        for (size_t j = 0; j < list_len(checks); j++) {
            if (strcmp(str_at(list_at(checks, j), "verdict"), "pass") != 0) {
                problem_row(out, subject.ptr, list_at(checks, j));
                count++;
            }
        }
        buf_release(&subject);
    }
    buf_adds(out, "</table>\n");
    return count;
}

/* ---- SVG ---- */

/* A round step for about five ticks up to 'max'. */
static double tick_step(double max)
{
    double raw = max / 5, mag = pow(10, floor(log10(raw))), f = raw / mag;

    return (f <= 1 ? 1 : f <= 2 ? 2 : f <= 5 ? 5 : 10) * mag;
}

struct series {
    const char *name;
    const char *color;
    double values[64]; /* per host; NAN: not measured */
};

/* Grouped horizontal bars: one group per host, one bar per series, and per host a dashed mark
 * at 'limits' (NAN: none). */
static void bar_chart(struct buf *out, const char *const *hosts, size_t n, const struct series *s,
                      size_t ns, const double *limits, const char *unit)
{
    double max = 0, step;
    int group = (int)ns * BAR_HEIGHT + 10, height = (int)n * group + 40;
    int plot = CHART_WIDTH - LABEL_WIDTH - 20;

    for (size_t h = 0; h < n; h++) {
        for (size_t k = 0; k < ns; k++) {
            max = isnan(s[k].values[h]) ? max : fmax(max, s[k].values[h]);
        }
    }
    for (size_t h = 0; h < n; h++) { /* a limit far above every value stays off the scale */
        max = isnan(limits[h]) || limits[h] > 2 * max ? max : fmax(max, limits[h]);
    }
    max = max > 0 ? max * 1.08 : 1;
    step = tick_step(max);
    buf_addf(out,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n",
             CHART_WIDTH, height);
    for (double t = 0; t <= max; t += step) {
        int x = LABEL_WIDTH + (int)(t / max * plot);

        buf_addf(out,
                 "<line x1=\"%d\" y1=\"0\" x2=\"%d\" y2=\"%d\" stroke=\"#e3e6eb\"/>"
                 "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">%g</text>\n",
                 x, x, height - 30, x, height - 14, t);
    }
    for (size_t h = 0; h < n; h++) {
        int y0 = (int)h * group;

        buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_WIDTH - 8,
                 y0 + group / 2 + 4);
        text(out, hosts[h]);
        buf_adds(out, "</text>\n");
        for (size_t k = 0; k < ns; k++) {
            double v = s[k].values[h];
            int w = isnan(v) ? 0 : (int)(v / max * plot);

            buf_addf(out,
                     "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"%s\">"
                     "<title>",
                     LABEL_WIDTH, y0 + 4 + (int)k * BAR_HEIGHT, w, BAR_HEIGHT - 2, s[k].color);
            text(out, hosts[h]);
            buf_adds(out, " ");
            text(out, s[k].name);
            buf_adds(out, ": ");
            number(out, v, unit);
            buf_adds(out, "</title></rect>\n");
        }
        if (!isnan(limits[h]) && limits[h] > max) {
            buf_addf(out,
                     "<text x=\"%d\" y=\"%d\" text-anchor=\"end\" fill=\"#c62828\">"
                     "limit %g off the scale →</text>\n",
                     CHART_WIDTH - 4, y0 + group / 2 + 4, limits[h]);
        } else if (!isnan(limits[h])) {
            int x = LABEL_WIDTH + (int)(limits[h] / max * plot);

            buf_addf(out,
                     "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\" stroke=\"#c62828\" "
                     "stroke-width=\"2\" stroke-dasharray=\"4 3\"/>\n",
                     x, y0 + 2, x, y0 + group - 6);
        }
    }
    buf_addf(out, "<text x=\"%d\" y=\"%d\">", LABEL_WIDTH, height - 1);
    text(out, unit);
    buf_adds(out, "</text></svg>\n<p class=\"legend\">");
    for (size_t k = 0; k < ns; k++) {
        buf_addf(out, "<span style=\"background:%s\"></span>", s[k].color);
        text(out, s[k].name);
    }
    buf_adds(out, "<span style=\"background:#c62828\"></span>the host's fail limit</p>\n");
}

static double nested_number(const struct val *obj, const char *section, const char *key)
{
    return check_number(section ? val_dict_get(obj, section) : obj, key);
}

static void disk_charts(struct buf *out, const struct val *disk)
{
    const struct val *hosts = val_dict_get(disk, "hosts");
    size_t n = list_len(hosts) > 64 ? 64 : list_len(hosts);
    const char *names[64];
    double iops_limits[64], sync_limits[64];
    struct series iops[2] = { { "random read", "#3f6fd8", { 0 } },
                              { "random write", "#8fb0f0", { 0 } } };
    struct series sync[3] = { { "p50", "#b8d8be", { 0 } },
                              { "p99", "#5a9e68", { 0 } },
                              { "p99.9", "#2e5e38", { 0 } } };

    for (size_t h = 0; h < n; h++) {
        const struct val *e = list_at(hosts, h), *probe = val_dict_get(e, "probe");
        const struct val *checks = val_dict_get(e, "checks");
        const struct val *iops_check = find_check(checks, "disk.randwrite_iops");
        const struct val *sync_check = find_check(checks, "disk.fdatasync_p99");

        names[h] = str_at(e, "host");
        iops[0].values[h] = nested_number(probe, NULL, "randread_iops");
        iops[1].values[h] = nested_number(probe, NULL, "randwrite_iops");
        sync[0].values[h] = nested_number(probe, "fdatasync", "p50_us") / 1e3;
        sync[1].values[h] = nested_number(probe, "fdatasync", "p99_us") / 1e3;
        sync[2].values[h] = nested_number(probe, "fdatasync", "p999_us") / 1e3;
        iops_limits[h] = iops_check ? check_number(iops_check, "threshold") : NAN;
        sync_limits[h] = sync_check ? check_number(sync_check, "threshold") : NAN;
    }
    buf_adds(out, "<h2>Disk: 4 KiB random IOPS (O_DIRECT, queue depth 32)</h2>\n");
    bar_chart(out, names, n, iops, 2, iops_limits, "IOPS");
    buf_adds(out, "<h2>Disk: fdatasync latency (etcd's 2300-byte appends)</h2>\n");
    bar_chart(out, names, n, sync, 3, sync_limits, "ms");
}

/* A number of the map: the probe's section.key, and the check judging it. */
struct map_measure {
    const char *section, *key;
    double scale;
    const char *check_id, *unit;
    bool higher_is_better;
};

/* The value of ordered pair from -> to in the net report (NAN when not measured) and, in
 * *verdict, the verdict of m->check_id, or of the pair when that check is absent (net.probe). */
static double pair_value(const struct val *net, const char *from, const char *to,
                         const struct map_measure *m, const char **verdict)
{
    const struct val *pairs = val_dict_get(net, "pairs");

    for (size_t i = 0; i < list_len(pairs); i++) {
        const struct val *p = list_at(pairs, i), *c;

        if (strcmp(str_at(p, "from"), from) == 0 && strcmp(str_at(p, "to"), to) == 0) {
            c = find_check(val_dict_get(p, "checks"), m->check_id);
            *verdict = str_at(c ? c : p, "verdict");
            return nested_number(val_dict_get(p, "probe"), m->section, m->key) * m->scale;
        }
    }
    return NAN;
}

/* An n x n heat map, rows 'from', columns 'to': a pair whose check passed is green, paler the
 * further it is from the best pair; one that warned is yellow, one that failed red, and framed. */
static void heat_map(struct buf *out, const struct val *net, const struct map_measure *m)
{
    const struct val *hosts = val_dict_get(net, "hosts");
    size_t n = list_len(hosts);
    double lo = INFINITY, hi = -INFINITY;
    int size = LABEL_WIDTH + (int)n * CELL_WIDTH + 10;
    const char *verdict;

    for (size_t a = 0; a < n; a++) {
        for (size_t b = 0; b < n; b++) {
            double v = a == b ? NAN
                              : pair_value(net, list_at(hosts, a)->u.s.ptr,
                                           list_at(hosts, b)->u.s.ptr, m, &verdict);

            if (!isnan(v)) {
                lo = fmin(lo, v);
                hi = fmax(hi, v);
            }
        }
    }
    buf_addf(out,
             "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\" height=\"%d\" role=\"img\">\n",
             size, (int)(n + 1) * CELL_HEIGHT + 10);
    for (size_t b = 0; b < n; b++) {
        buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">→ ",
                 LABEL_WIDTH + (int)b * CELL_WIDTH + CELL_WIDTH / 2, CELL_HEIGHT - 10);
        text(out, list_at(hosts, b)->u.s.ptr);
        buf_adds(out, "</text>\n");
    }
    for (size_t a = 0; a < n; a++) {
        int y = (int)(a + 1) * CELL_HEIGHT;

        buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"end\">", LABEL_WIDTH - 8,
                 y + CELL_HEIGHT / 2 + 4);
        text(out, list_at(hosts, a)->u.s.ptr);
        buf_adds(out, " →</text>\n");
        for (size_t b = 0; b < n; b++) {
            int x = LABEL_WIDTH + (int)b * CELL_WIDTH;
            double v = NAN, good;
            const char *stroke = "#ffffff";

            verdict = "pass";
            if (a != b) {
                v = pair_value(net, list_at(hosts, a)->u.s.ptr, list_at(hosts, b)->u.s.ptr, m,
                               &verdict);
            }
            good = m->higher_is_better ? (hi > 0 ? v / hi : 1) : (v > 0 ? lo / v : 1);
            stroke = strcmp(verdict, "fail") == 0   ? "#c62828"
                     : strcmp(verdict, "warn") == 0 ? "#e0a800"
                                                    : stroke;
            if (isnan(v)) {
                buf_addf(out,
                         "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" fill=\"#eceff3\" "
                         "stroke=\"%s\" stroke-width=\"3\"/>",
                         x, y, CELL_WIDTH - 2, CELL_HEIGHT - 2, stroke);
                buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">—</text>\n",
                         x + CELL_WIDTH / 2, y + CELL_HEIGHT / 2 + 4);
                continue;
            }
            buf_addf(out,
                     "<rect x=\"%d\" y=\"%d\" width=\"%d\" height=\"%d\" "
                     "fill=\"hsl(%d,62%%,%d%%)\" stroke=\"%s\" stroke-width=\"3\"/>",
                     x, y, CELL_WIDTH - 2, CELL_HEIGHT - 2,
                     strcmp(verdict, "fail") == 0   ? 0
                     : strcmp(verdict, "warn") == 0 ? 45
                                                    : 120,
                     strcmp(verdict, "pass") == 0 ? 82 - (int)(good * 20) : 80, stroke);
            buf_addf(out, "<text x=\"%d\" y=\"%d\" text-anchor=\"middle\">", x + CELL_WIDTH / 2,
                     y + CELL_HEIGHT / 2 + 4);
            number(out, v, "");
            buf_adds(out, "</text>\n");
        }
    }
    buf_adds(out, "</svg>\n<p class=\"legend\">");
    text(out, m->unit);
    buf_adds(out, "; rows measure to columns; ");
    text(out, m->check_id);
    buf_adds(out, ": a red frame failed, a yellow one warned</p>\n");
}

static void add_name(struct val *names, const char *name)
{
    for (size_t j = 0; j < list_len(names); j++) {
        if (strcmp(list_at(names, j)->u.s.ptr, name) == 0) {
            return;
        }
    }
    val_list_push_take(names, val_str(name));
}

/* Every host named by a report, in order of appearance. */
static struct val *all_hosts(const struct check_reports *r)
{
    struct val *names = val_list();
    const struct val *per_host[] = { r->host, r->disk };
    const struct val *net_hosts = r->net ? val_dict_get(r->net, "hosts") : NULL;

    for (size_t k = 0; k < ARRAY_SIZE(per_host); k++) {
        const struct val *hosts = per_host[k] ? val_dict_get(per_host[k], "hosts") : NULL;

        for (size_t i = 0; i < list_len(hosts); i++) {
            add_name(names, str_at(list_at(hosts, i), "host"));
        }
    }
    for (size_t i = 0; i < list_len(net_hosts); i++) {
        add_name(names, list_at(net_hosts, i)->u.s.ptr);
    }
    return names;
}

static const char *worst_verdict(const struct check_reports *r)
{
    const struct val *reports[] = { r->host, r->disk, r->net };
    const char *worst = "pass";

    for (size_t i = 0; i < ARRAY_SIZE(reports); i++) {
        const char *v = reports[i] ? str_at(reports[i], "verdict") : "pass";

        if (strcmp(v, "fail") == 0 || (strcmp(v, "warn") == 0 && strcmp(worst, "pass") == 0)) {
            worst = strcmp(v, "fail") == 0 ? "fail" : "warn";
        }
    }
    return worst;
}

void check_html_render(const struct check_reports *r, const char *generated, struct buf *out)
{
    struct val *hosts = all_hosts(r);
    struct buf problems_html = BUF_INIT;
    size_t count = problems(&problems_html, r);

    buf_adds(out, "<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n"
                  "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; "
                  "style-src 'unsafe-inline'\">\n<title>pot host checks</title>\n<style>");
    buf_adds(out, style);
    buf_adds(out, "</style></head>\n<body>\n<h1>Host checks</h1>\n<p class=\"meta\">");
    buf_addf(out, "%zu hosts; generated by pot " POT_VERSION " at ", list_len(hosts));
    text(out, generated);
    buf_adds(out, "; overall verdict ");
    verdict_badge(out, worst_verdict(r));
    buf_adds(out, "</p>\n<h2>Verdicts</h2>\n");
    verdict_table(out, r, hosts);
    buf_addf(out, "<h2>Checks that did not pass (%zu)</h2>\n", count);
    if (count) {
        buf_add(out, problems_html.ptr, problems_html.len);
    } else {
        buf_adds(out, "<p>None.</p>\n");
    }
    if (r->disk) {
        disk_charts(out, r->disk);
    }
    if (r->net && list_len(val_dict_get(r->net, "hosts")) > 1) {
        static const struct map_measure throughput = { "single",         "mbps",   1,
                                                       "net.throughput", "Mbit/s", true };
        static const struct map_measure rtt = { "rtt", "p99_us", 1e-3, "net.rtt_p99", "ms", false };

        buf_adds(out, "<h2>Network: TCP throughput, one stream</h2>\n");
        heat_map(out, r->net, &throughput);
        buf_adds(out, "<h2>Network: round trip p99</h2>\n");
        heat_map(out, r->net, &rtt);
    }
    buf_adds(out, "</body></html>\n");
    buf_release(&problems_html);
    val_unref(hosts);
}
