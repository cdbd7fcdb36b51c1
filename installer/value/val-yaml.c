/*
 * val-yaml.c - libyaml events to struct val with PyYAML's YAML 1.1 scalar resolution (or go-yaml
 * v2's, for Helm), anchors, aliases, merge keys and source positions.
 */
#include "pot.h"
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <string.h>
#include <yaml.h>
#include "base/buf.h"
#include "base/err.h"
#include "base/fs.h"
#include "base/xalloc.h"
#include "value/val-yaml.h"
#include "value/val.h"

/* PyYAML's implicit resolvers (yaml/resolver.py), as POSIX extended regexes. */
static const char bool_re[] =
    "^(yes|Yes|YES|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$";
static const char int_re[] = "^([-+]?0b[0-1_]+|[-+]?0[0-7_]+|[-+]?(0|[1-9][0-9_]*)"
                             "|[-+]?0x[0-9a-fA-F_]+|[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+)$";
static const char float_re[] = "^([-+]?([0-9][0-9_]*)\\.[0-9_]*([eE][-+][0-9]+)?"
                               "|\\.[0-9][0-9_]*([eE][-+][0-9]+)?"
                               "|[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+\\.[0-9_]*"
                               "|[-+]?\\.(inf|Inf|INF)|\\.(nan|NaN|NAN))$";
static const char null_re[] = "^(~|null|Null|NULL|)$";

static regex_t bool_rx, int_rx, float_rx, null_rx;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void compile_resolvers(void)
{
    if (regcomp(&bool_rx, bool_re, REG_EXTENDED | REG_NOSUB) ||
        regcomp(&int_rx, int_re, REG_EXTENDED | REG_NOSUB) ||
        regcomp(&float_rx, float_re, REG_EXTENDED | REG_NOSUB) ||
        regcomp(&null_rx, null_re, REG_EXTENDED | REG_NOSUB)) {
        BUG("YAML resolver regex does not compile");
    }
}

static char *without_underscores(const char *s)
{
    char *out = xmalloc(strlen(s) + 1);
    char *o = out;

    for (; *s; s++) {
        if (*s != '_') {
            *o++ = *s;
        }
    }
    *o = '\0';
    return out;
}

/* YAML 1.1's base-60 integer ("1:30" = 90), saturated at INT64_MAX. */
static int64_t sexagesimal(char *digits)
{
    int64_t v = 0;

    while (digits != NULL) {
        char *part = strsep(&digits, ":");

        if (__builtin_mul_overflow(v, 60, &v) ||
            __builtin_add_overflow(v, strtoll(part, NULL, 10), &v)) {
            return INT64_MAX;
        }
    }
    return v;
}

/* An int as PyYAML resolves it. PyYAML's ints are unbounded; pot's are 64-bit, so a value
 * beyond them saturates at INT64_MAX (and -INT64_MAX), as strtoll does. */
static struct val *resolve_int(const char *text)
{
    char *s = without_underscores(text);
    const char *p = s;
    int sign = 1;
    int64_t v = 0;

    if (*p == '-' || *p == '+') {
        sign = *p == '-' ? -1 : 1;
        p++;
    }
    if (strchr(p, ':')) {
        v = sexagesimal((char *)p);
    } else if (p[0] == '0' && p[1] == 'b') {
        v = strtoll(p + 2, NULL, 2);
    } else if (p[0] == '0' && p[1] == 'x') {
        v = strtoll(p + 2, NULL, 16);
    } else if (p[0] == '0' && p[1]) {
        v = strtoll(p + 1, NULL, 8);
    } else {
        v = strtoll(p, NULL, 10);
    }
    free(s);
    return val_int(sign * v);
}

static struct val *resolve_float(const char *text)
{
    char *s = without_underscores(text);
    double v;

    if (strstr(s, "inf") || strstr(s, "Inf") || strstr(s, "INF")) {
        v = s[0] == '-' ? -__builtin_inf() : __builtin_inf();
    } else if (strstr(s, "nan") || strstr(s, "NaN") || strstr(s, "NAN")) {
        v = __builtin_nan("");
    } else if (strchr(s, ':')) {
        char *rest = s[0] == '-' || s[0] == '+' ? s + 1 : s;

        v = 0;
        while (rest != NULL) {
            char *part = strsep(&rest, ":");

            v = v * 60 + strtod(part, NULL);
        }
        if (s[0] == '-') {
            v = -v;
        }
    } else {
        v = strtod(s, NULL);
    }
    free(s);
    return val_double(v);
}

struct val *val_resolve_plain_scalar(const char *text, size_t len)
{
    char *s = xstrndup(text, len);
    struct val *v;

    pthread_once(&rx_once, compile_resolvers);
    if (strlen(s) != len) {
        v = val_strn(text, len);
    } else if (regexec(&null_rx, s, 0, NULL, 0) == 0) {
        v = val_null();
    } else if (regexec(&bool_rx, s, 0, NULL, 0) == 0) {
        char c = s[0];

        v = val_bool(c == 'y' || c == 'Y' || c == 't' || c == 'T' ||
                     ((c == 'o' || c == 'O') && (s[1] == 'n' || s[1] == 'N')));
    } else if (regexec(&int_rx, s, 0, NULL, 0) == 0) {
        v = resolve_int(s);
    } else if (regexec(&float_rx, s, 0, NULL, 0) == 0) {
        v = resolve_float(s);
    } else {
        v = val_strn(text, len);
    }
    free(s);
    return v;
}

/* ---- go-yaml v2's resolve() (resolve.go), as Helm reads YAML ---- */

static const char *const go_true[] = { "y",    "Y",    "yes", "Yes", "YES", "true",
                                       "True", "TRUE", "on",  "On",  "ON" };
static const char *const go_false[] = { "n",     "N",     "no",  "No",  "NO", "false",
                                        "False", "FALSE", "off", "Off", "OFF" };
static const char *const go_null[] = { "", "~", "null", "Null", "NULL" };
static const char *const go_nan[] = { ".nan", ".NaN", ".NAN" };
static const char *const go_inf[] = { ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF" };
static const char *const go_neg_inf[] = { "-.inf", "-.Inf", "-.INF" };

static bool word_in(const char *s, const char *const *words, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (strcmp(s, words[i]) == 0) {
            return true;
        }
    }
    return false;
}

/* strconv.ParseUint(s, 0, 64): the base from a 0x, 0o, 0b or 0 prefix. */
static bool go_parse_uint(const char *s, uint64_t *out)
{
    unsigned base = 10;
    uint64_t v = 0;

    if (!*s) {
        return false;
    }
    if (s[0] == '0') {
        char c = s[1] && s[2] ? (char)(s[1] | 0x20) : 0;

        base = c == 'x' ? 16 : c == 'b' ? 2 : 8;
        s += c == 'x' || c == 'o' || c == 'b' ? 2 : 1;
    }
    for (; *s; s++) {
        char c = (char)(*s | 0x20);
        unsigned d = *s >= '0' && *s <= '9' ? (unsigned)(*s - '0')
                     : c >= 'a' && c <= 'f' ? (unsigned)(c - 'a' + 10)
                                            : 99;

        if (d >= base || v > (UINT64_MAX - d) / base) {
            return false;
        }
        v = v * base + d;
    }
    *out = v;
    return true;
}

/* strconv.ParseInt(s, 0, 64). */
static bool go_parse_int(const char *s, int64_t *out)
{
    bool neg = *s == '-';
    uint64_t u;

    if (*s == '-' || *s == '+') {
        s++;
    }
    if (!go_parse_uint(s, &u) || u > (neg ? (uint64_t)INT64_MAX + 1 : (uint64_t)INT64_MAX)) {
        return false;
    }
    *out = neg ? (int64_t)(0 - u) : (int64_t)u;
    return true;
}

static regex_t go_float_rx, go_dot_float_rx;
static pthread_once_t go_rx_once = PTHREAD_ONCE_INIT;

static void compile_go_resolvers(void)
{
    if (regcomp(&go_float_rx, "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
                REG_EXTENDED | REG_NOSUB) ||
        regcomp(&go_dot_float_rx, "^\\.[0-9]+([eE][-+]?[0-9]+)?$", REG_EXTENDED | REG_NOSUB)) {
        BUG("YAML resolver regex does not compile");
    }
}

/* strconv.ParseFloat(s, 64) of a string that has its syntax: fails when out of range. */
static struct val *go_float(const char *s)
{
    double d = strtod(s, NULL);

    return isinf(d) ? NULL : val_double(d);
}

/* resolve("", s) for a plain scalar 's' (NUL-free). */
static struct val *go_resolve_plain(const char *s)
{
    struct val *v = NULL;
    char *plain;
    int64_t i;
    uint64_t u;

    if (word_in(s, go_true, ARRAY_SIZE(go_true))) {
        return val_bool(true);
    }
    if (word_in(s, go_false, ARRAY_SIZE(go_false))) {
        return val_bool(false);
    }
    if (word_in(s, go_null, ARRAY_SIZE(go_null))) {
        return val_null();
    }
    if (word_in(s, go_nan, ARRAY_SIZE(go_nan))) {
        return val_double(NAN);
    }
    if (word_in(s, go_inf, ARRAY_SIZE(go_inf)) || word_in(s, go_neg_inf, ARRAY_SIZE(go_neg_inf))) {
        return val_double(s[0] == '-' ? -INFINITY : INFINITY);
    }
    pthread_once(&go_rx_once, compile_go_resolvers);
    if (s[0] == '.') {
        v = regexec(&go_dot_float_rx, s, 0, NULL, 0) == 0 ? go_float(s) : NULL;
        return v ? v : val_str(s);
    }
    if (!(s[0] == '+' || s[0] == '-' || (s[0] >= '0' && s[0] <= '9'))) {
        return val_str(s);
    }
    /* timestamps (2024-01-02) resolve as such, but decode into interface{} as their string */
    plain = without_underscores(s);
    if (go_parse_int(plain, &i)) {
        v = val_int(i);
    } else if (go_parse_uint(plain, &u)) {
        v = val_double((double)u);
    } else if (regexec(&go_float_rx, plain, 0, NULL, 0) == 0) {
        v = go_float(plain);
    }
    free(plain);
    return v ? v : val_str(s);
}

/* strconv.FormatFloat(d, 'g', -1, 32), as sigs.k8s.io/yaml turns a float key into a string. */
static void go_float32_text(double d, struct buf *out)
{
    float f = (float)d;
    char tmp[48], digits[16];
    size_t nd = 0;
    int prec = 1;
    long exp;
    char *e;

    if (isnan(f) || isinf(f)) {
        buf_adds(out, isnan(f) ? ".nan" : f > 0 ? ".inf" : "-.inf");
        return;
    }
    if (f == 0) {
        buf_adds(out, signbit(f) ? "-0" : "0");
        return;
    }
    for (; prec < 9; prec++) {
        snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, (double)f);
        if (strtof(tmp, NULL) == f) {
            break;
        }
    }
    snprintf(tmp, sizeof(tmp), "%.*e", prec - 1, (double)f);
    e = strchr(tmp, 'e');
    for (const char *p = tmp; p < e && nd + 1 < sizeof(digits); p++) {
        if (*p >= '0' && *p <= '9') {
            digits[nd++] = *p;
        }
    }
    digits[nd] = '\0';
    exp = strtol(e + 1, NULL, 10);
    if (f < 0) {
        buf_addc(out, '-');
    }
    if (exp < -4 || exp >= 6) {
        buf_addf(out, "%c%s%se%c%02ld", digits[0], nd > 1 ? "." : "", digits + 1,
                 exp < 0 ? '-' : '+', exp < 0 ? -exp : exp);
    } else if (exp >= 0) {
        for (size_t k = 0; k <= (size_t)exp; k++) {
            buf_addc(out, k < nd ? digits[k] : '0');
        }
        if (nd > (size_t)exp + 1) {
            buf_addf(out, ".%s", digits + exp + 1);
        }
    } else {
        buf_addf(out, "0.%.*s%s", (int)(-exp - 1), "0000", digits);
    }
}

struct anchor {
    char *name;      /* owned */
    struct val *val; /* owned reference */
    bool open;       /* its mapping or sequence is still being read: an alias would be a cycle */
    int height;      /* levels of lists and dicts in it, its own included (0 for a scalar) */
    size_t nodes;    /* nodes in it, its own and those of the aliases in it included */
};

struct loader {
    yaml_parser_t parser;
    enum val_yaml_rules rules;
    const char *name; /* interned */
    struct anchor *anchors;
    size_t anchors_len;
    size_t anchors_cap;
    int depth;       /* mappings and sequences open around the node being read */
    int height;      /* the 'height' (as in struct anchor) of the node load_node last returned */
    size_t nodes;    /* and its 'nodes' */
    size_t expanded; /* nodes reached through aliases so far */
    struct err *err;
};

static struct srcpos mark_pos(const struct loader *ld, yaml_mark_t mark)
{
    struct srcpos pos = { ld->name, (int)mark.line + 1, (int)mark.column + 1 };

    return pos;
}

static int parser_error(struct loader *ld)
{
    yaml_parser_t *p = &ld->parser;
    struct srcpos pos = mark_pos(ld, p->problem_mark);

    if (p->context) {
        return err_at(ld->err, ERR_PARSE, &pos, "invalid YAML: %s %s", p->context,
                      p->problem ? p->problem : "");
    }
    return err_at(ld->err, ERR_PARSE, &pos, "invalid YAML: %s", p->problem ? p->problem : "error");
}

static void remember_anchor(struct loader *ld, const yaml_char_t *name, struct val *v, bool open)
{
    if (!name) {
        return;
    }
    xgrow((void **)&ld->anchors, &ld->anchors_cap, ld->anchors_len + 1, sizeof(*ld->anchors));
    ld->anchors[ld->anchors_len].name = xstrdup((const char *)name);
    ld->anchors[ld->anchors_len].val = val_ref(v);
    ld->anchors[ld->anchors_len].open = open;
    ld->anchors[ld->anchors_len].height = 0;
    ld->anchors[ld->anchors_len].nodes = 1;
    ld->anchors_len++;
}

/* The mapping or sequence 'v' is complete, ld->height and ld->nodes are its own: aliases may now
 * refer to it. */
static void close_anchor(struct loader *ld, const struct val *v)
{
    for (size_t i = ld->anchors_len; i-- > 0;) {
        if (ld->anchors[i].val == v) {
            ld->anchors[i].open = false;
            ld->anchors[i].height = ld->height;
            ld->anchors[i].nodes = ld->nodes;
        }
    }
}

static const struct anchor *find_anchor(struct loader *ld, const char *name)
{
    for (size_t i = ld->anchors_len; i-- > 0;) {
        if (strcmp(ld->anchors[i].name, name) == 0) {
            return &ld->anchors[i];
        }
    }
    return NULL;
}

static struct val *load_node(struct loader *ld, yaml_event_t *ev);

static int too_deep(struct loader *ld, const struct srcpos *pos)
{
    return err_at(ld->err, ERR_PARSE, pos, "nested too deeply (more than %d levels)",
                  VAL_MAX_DEPTH);
}

/* A plain scalar, or one tagged with a standard scalar tag. */
static struct val *resolve_scalar(const struct loader *ld, const char *text, size_t len)
{
    if (ld->rules == VAL_YAML_GOYAML2 && strlen(text) == len) {
        return go_resolve_plain(text);
    }
    return val_resolve_plain_scalar(text, len);
}

static struct val *scalar_value(struct loader *ld, yaml_event_t *ev)
{
    const char *text = (const char *)ev->data.scalar.value;
    size_t len = ev->data.scalar.length;
    const char *tag = (const char *)ev->data.scalar.tag;
    struct srcpos pos = mark_pos(ld, ev->start_mark);
    struct val *v;

    if (!tag) {
        v = ev->data.scalar.plain_implicit ? resolve_scalar(ld, text, len) : val_strn(text, len);
    } else if (strcmp(tag, "!unsafe") == 0) {
        v = val_strn(text, len);
        v->flags |= VAL_UNSAFE;
    } else if (strcmp(tag, YAML_STR_TAG) == 0) {
        v = val_strn(text, len);
    } else if (strcmp(tag, YAML_INT_TAG) == 0 || strcmp(tag, YAML_FLOAT_TAG) == 0 ||
               strcmp(tag, YAML_BOOL_TAG) == 0 || strcmp(tag, YAML_NULL_TAG) == 0) {
        v = resolve_scalar(ld, text, len);
    } else if (ld->rules == VAL_YAML_GOYAML2) {
        v = val_strn(text, len); /* go-yaml keeps a scalar of an unknown tag as its text */
    } else {
        err_at(ld->err, ERR_PARSE, &pos, "unsupported YAML tag '%s'%s", tag,
               strcmp(tag, "!vault") == 0 ? ": decrypt vaulted values first" : "");
        return NULL;
    }
    v->pos = pos;
    return v;
}

static int merge_into(struct loader *ld, struct val *dict, struct val *src, struct val *explicit,
                      const struct srcpos *pos)
{
    if (src->type == VAL_LIST) {
        for (size_t i = 0; i < val_list_len(src); i++) {
            if (merge_into(ld, dict, val_list_get(src, i), explicit, pos) < 0) {
                return -1;
            }
        }
        return 0;
    }
    if (src->type != VAL_DICT) {
        return err_at(ld->err, ERR_PARSE, pos,
                      "a '<<' merge key needs a mapping or a list of them");
    }
    for (size_t i = 0; i < val_dict_len(src); i++) {
        const char *key = val_dict_key_at(src, i);

        if (!val_dict_has(explicit, key) && !val_dict_has(dict, key)) {
            val_dict_set(dict, key, val_dict_value_at(src, i));
        }
    }
    return 0;
}

/* The dict key for a scalar key: Python's str() of it, or as sigs.k8s.io/yaml makes a JSON key of
 * go-yaml's value (NULL with an error for a null key, which it refuses). */
static char *key_text(const struct loader *ld, struct val *key)
{
    struct buf b = BUF_INIT;

    if (ld->rules == VAL_YAML_PYYAML) {
        val_to_pystr(key, &b);
    } else if (key->type == VAL_NULL) {
        err_at(ld->err, ERR_PARSE, &key->pos,
               "unsupported map key of type: %%!s(<nil>), key: <nil>");
        return NULL;
    } else if (key->type == VAL_BOOL) {
        buf_adds(&b, key->u.b ? "true" : "false");
    } else if (key->type == VAL_INT) {
        buf_addf(&b, "%lld", (long long)key->u.i);
    } else if (key->type == VAL_DOUBLE) {
        go_float32_text(key->u.d, &b);
    } else {
        buf_add(&b, key->u.s.ptr, key->u.s.len);
    }
    return buf_detach(&b, NULL);
}

static struct val *load_mapping(struct loader *ld, yaml_event_t *start)
{
    struct val *dict = val_dict();
    struct val *merges = val_list();
    struct srcpos merge_pos = { 0 };
    int height = 0;   /* of the highest value */
    size_t nodes = 1; /* in the mapping */
    yaml_event_t ev;

    dict->pos = mark_pos(ld, start->start_mark);
    remember_anchor(ld, start->data.mapping_start.anchor, dict, true);
    for (;;) {
        struct val *key;
        struct val *value;
        bool is_merge;
        char *k;

        if (!yaml_parser_parse(&ld->parser, &ev)) {
            parser_error(ld);
            goto fail;
        }
        if (ev.type == YAML_MAPPING_END_EVENT) {
            yaml_event_delete(&ev);
            break;
        }
        is_merge = ev.type == YAML_SCALAR_EVENT && ev.data.scalar.plain_implicit &&
                   strcmp((const char *)ev.data.scalar.value, "<<") == 0;
        if (is_merge) {
            merge_pos = mark_pos(ld, ev.start_mark);
        }
        key = load_node(ld, &ev);
        if (!key) {
            goto fail;
        }
        if (key->type == VAL_LIST || key->type == VAL_DICT) {
            err_at(ld->err, ERR_PARSE, &key->pos, "a mapping key must be a scalar");
            val_unref(key);
            goto fail;
        }
        if (!yaml_parser_parse(&ld->parser, &ev)) {
            val_unref(key);
            parser_error(ld);
            goto fail;
        }
        value = load_node(ld, &ev);
        if (!value) {
            val_unref(key);
            goto fail;
        }
        /* a merged mapping's values land in this one: one level lower, two for a list of them */
        ld->height -= !is_merge ? 0 : value->type == VAL_LIST ? 2 : 1;
        height = ld->height > height ? ld->height : height;
        nodes += ld->nodes;
        if (is_merge) {
            val_list_push_take(merges, value);
            val_unref(key);
            continue;
        }
        k = key_text(ld, key);
        if (!k) {
            val_unref(value);
            val_unref(key);
            goto fail;
        }
        val_dict_set_take(dict, k, value);
        free(k);
        val_unref(key);
    }
    if (val_list_len(merges)) {
        struct val *explicit = val_copy(dict);
        int rc = merge_into(ld, dict, merges, explicit, &merge_pos);

        val_unref(explicit);
        if (rc < 0) {
            goto fail;
        }
    }
    val_unref(merges);
    ld->height = height + 1;
    ld->nodes = nodes;
    close_anchor(ld, dict);
    return dict;
fail:
    val_unref(merges);
    val_unref(dict);
    return NULL;
}

static struct val *load_sequence(struct loader *ld, yaml_event_t *start)
{
    struct val *list = val_list();
    int height = 0;   /* of the highest item */
    size_t nodes = 1; /* in the sequence */
    yaml_event_t ev;

    list->pos = mark_pos(ld, start->start_mark);
    remember_anchor(ld, start->data.sequence_start.anchor, list, true);
    for (;;) {
        struct val *item;

        if (!yaml_parser_parse(&ld->parser, &ev)) {
            parser_error(ld);
            val_unref(list);
            return NULL;
        }
        if (ev.type == YAML_SEQUENCE_END_EVENT) {
            yaml_event_delete(&ev);
            ld->height = height + 1;
            ld->nodes = nodes;
            close_anchor(ld, list);
            return list;
        }
        item = load_node(ld, &ev);
        if (!item) {
            val_unref(list);
            return NULL;
        }
        height = ld->height > height ? ld->height : height;
        nodes += ld->nodes;
        val_list_push_take(list, item);
    }
}

/* Consumes 'ev' (deletes it) and returns the node it starts. */
static struct val *load_node(struct loader *ld, yaml_event_t *ev)
{
    struct val *v = NULL;
    const struct anchor *a;
    struct srcpos pos = mark_pos(ld, ev->start_mark);

    ld->height = 0;
    ld->nodes = 1;
    switch (ev->type) {
    case YAML_SCALAR_EVENT:
        v = scalar_value(ld, ev);
        if (v) {
            remember_anchor(ld, ev->data.scalar.anchor, v, false);
        }
        break;
    case YAML_ALIAS_EVENT:
        a = find_anchor(ld, (const char *)ev->data.alias.anchor);
        if (!a) {
            err_at(ld->err, ERR_PARSE, &pos, "unknown alias '*%s'",
                   (const char *)ev->data.alias.anchor);
        } else if (a->open) {
            err_at(ld->err, ERR_PARSE, &pos, "alias '*%s' is inside the node it names; "
                   "recursive structures are not supported", (const char *)ev->data.alias.anchor);
        } else if (ld->depth + a->height > VAL_MAX_DEPTH) {
            too_deep(ld, &pos);
        } else if (a->nodes > VAL_YAML_MAX_ALIAS_NODES - ld->expanded) {
            err_at(ld->err, ERR_PARSE, &pos,
                   "too many alias expansions (more than %d nodes reached through aliases)",
                   VAL_YAML_MAX_ALIAS_NODES);
        } else {
            v = val_ref(a->val);
            ld->height = a->height;
            ld->nodes = a->nodes;
            ld->expanded += a->nodes;
        }
        break;
    case YAML_MAPPING_START_EVENT:
    case YAML_SEQUENCE_START_EVENT:
        if (ld->depth >= VAL_MAX_DEPTH) {
            too_deep(ld, &pos);
            break;
        }
        ld->depth++;
        v = ev->type == YAML_MAPPING_START_EVENT ? load_mapping(ld, ev) : load_sequence(ld, ev);
        ld->depth--;
        break;
    default:
        err_at(ld->err, ERR_PARSE, &pos, "unexpected YAML event");
        break;
    }
    yaml_event_delete(ev);
    return v;
}

static struct val *load_document(struct loader *ld)
{
    yaml_event_t ev;

    for (;;) {
        if (!yaml_parser_parse(&ld->parser, &ev)) {
            parser_error(ld);
            return NULL;
        }
        switch (ev.type) {
        case YAML_STREAM_START_EVENT:
        case YAML_DOCUMENT_START_EVENT:
            yaml_event_delete(&ev);
            continue;
        case YAML_STREAM_END_EVENT:
        case YAML_DOCUMENT_END_EVENT:
            yaml_event_delete(&ev);
            return val_null();
        default:
            return load_node(ld, &ev);
        }
    }
}

struct val *val_from_yaml(const char *text, size_t len, const char *name, struct err *err)
{
    return val_from_yaml_rules(text, len, name, VAL_YAML_PYYAML, err);
}

struct val *val_from_yaml_rules(const char *text, size_t len, const char *name,
                                enum val_yaml_rules rules, struct err *err)
{
    struct loader ld = { .name = pos_intern(name ? name : "<string>"), .rules = rules, .err = err };
    struct val *v;

    if (!yaml_parser_initialize(&ld.parser)) {
        BUG("yaml_parser_initialize failed");
    }
    yaml_parser_set_input_string(&ld.parser, (const unsigned char *)text, len);
    v = load_document(&ld);
    yaml_parser_delete(&ld.parser);
    for (size_t i = 0; i < ld.anchors_len; i++) {
        free(ld.anchors[i].name);
        val_unref(ld.anchors[i].val);
    }
    free(ld.anchors);
    return v;
}

struct val *val_from_yaml_file(const char *path, struct err *err)
{
    struct buf text = BUF_INIT;
    struct val *v = NULL;

    if (fs_read_file(path, &text, err) == 0) {
        v = val_from_yaml(text.ptr, text.len, path, err);
    }
    buf_release(&text);
    return v;
}
