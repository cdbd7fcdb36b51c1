/*
 * val-yaml-emit.c - a port of the parts of PyYAML's Representer, Serializer and Emitter
 * (yaml/representer.py, emitter.py) that yaml.dump() uses for plain data: the emitter's
 * column/indent/whitespace bookkeeping is kept as in Python so that folding and indentation come
 * out byte for byte the same.
 */
#include "pot.h"
#include <math.h>
#include <pthread.h>
#include <regex.h>
#include <string.h>
#include "base/buf.h"
#include "base/strutil.h"
#include "base/xalloc.h"
#include "value/val-yaml-emit.h"
#include "value/val-yaml.h"
#include "value/val.h"

struct emitter {
    struct buf *out;
    int best_indent, best_width;
    int flow;
    bool sort_keys;
    int *indents; /* owned stack; -1 stands for Python's None */
    size_t nindents, cap;
    int indent;
    int flow_level;
    int column;
    bool whitespace, indention, open_ended;
    bool root_ctx, sequence_ctx, mapping_ctx, simple_key_ctx;
};

/* A scalar as code points, with PyYAML's analysis. */
struct scalar {
    uint32_t *cp; /* owned */
    size_t len;
    bool implicit; /* the plain form reads back as the same type */
    bool empty, multiline, allow_flow_plain, allow_block_plain, allow_single_quoted;
};

static bool is_break(uint32_t c)
{
    return c == '\n' || c == 0x85 || c == 0x2028 || c == 0x2029;
}

static bool is_ws0(uint32_t c)
{
    return c == 0 || c == ' ' || c == '\t' || c == '\r' || is_break(c);
}

static void put_cp(struct buf *b, uint32_t c)
{
    if (c < 0x80) {
        buf_addc(b, (char)c);
    } else if (c < 0x800) {
        buf_addc(b, (char)(0xC0 | (c >> 6)));
        buf_addc(b, (char)(0x80 | (c & 0x3F)));
    } else if (c < 0x10000) {
        buf_addc(b, (char)(0xE0 | (c >> 12)));
        buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (c & 0x3F)));
    } else {
        buf_addc(b, (char)(0xF0 | (c >> 18)));
        buf_addc(b, (char)(0x80 | ((c >> 12) & 0x3F)));
        buf_addc(b, (char)(0x80 | ((c >> 6) & 0x3F)));
        buf_addc(b, (char)(0x80 | (c & 0x3F)));
    }
}

static void write_cps(struct emitter *e, const uint32_t *cp, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        put_cp(e->out, cp[i]);
    }
    e->column += (int)n;
}

static void write_str(struct emitter *e, const char *s)
{
    buf_adds(e->out, s);
    e->column += (int)strlen(s);
}

static void decode_utf8(const char *s, size_t len, struct scalar *sc)
{
    sc->cp = xmalloc((len + 1) * sizeof(*sc->cp));
    sc->len = 0;
    for (size_t i = 0; i < len;) {
        unsigned char c = (unsigned char)s[i];
        int n = c < 0x80 ? 0 : c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : c >= 0xC0 ? 1 : 0;
        uint32_t v = n == 0 ? c : c & (0x3F >> n);

        i++;
        for (int k = 0; k < n && i < len; k++, i++) {
            v = (v << 6) | ((unsigned char)s[i] & 0x3F);
        }
        sc->cp[sc->len++] = v;
    }
}

/* ----- PyYAML's implicit resolvers for the emitter's "does plain text read back as str" ----- */

static regex_t timestamp_rx;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void compile_rx(void)
{
    if (regcomp(&timestamp_rx,
                "^([0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]"
                "|[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]"
                ":[0-9][0-9](\\.[0-9]*)?([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)$",
                REG_EXTENDED | REG_NOSUB)) {
        BUG("timestamp regex does not compile");
    }
}

static bool plain_reads_as_str(const char *s, size_t len)
{
    struct val *v;
    bool is_str;

    if ((len == 2 && memcmp(s, "<<", 2) == 0) || (len == 1 && s[0] == '=')) {
        return false;
    }
    pthread_once(&rx_once, compile_rx);
    if (strlen(s) == len && regexec(&timestamp_rx, s, 0, NULL, 0) == 0) {
        return false;
    }
    v = val_resolve_plain_scalar(s, len);
    is_str = v->type == VAL_STR;
    val_unref(v);
    return is_str;
}

/* Emitter.analyze_scalar */
static void analyze(struct scalar *sc)
{
    bool block_ind = false, flow_ind = false, line_breaks = false, special = false;
    bool lead_space = false, lead_break = false, trail_space = false, trail_break = false;
    bool break_space = false, space_break = false, prev_space = false, prev_break = false;
    bool preceded = true, followed;
    const uint32_t *s = sc->cp;
    size_t n = sc->len;

    if (n == 0) {
        sc->empty = true;
        sc->allow_block_plain = sc->allow_single_quoted = true;
        return;
    }
    if (n >= 3 && ((s[0] == '-' && s[1] == '-' && s[2] == '-') ||
                   (s[0] == '.' && s[1] == '.' && s[2] == '.'))) {
        block_ind = flow_ind = true;
    }
    followed = n == 1 || is_ws0(s[1]);
    for (size_t i = 0; i < n; i++) {
        uint32_t ch = s[i];

        if (i == 0) {
            if (ch < 128 && strchr("#,[]{}&*!|>'\"%@`", (int)ch) && ch) {
                flow_ind = block_ind = true;
            }
            if (ch == '?' || ch == ':') {
                flow_ind = true;
                block_ind |= followed;
            }
            if (ch == '-' && followed) {
                flow_ind = block_ind = true;
            }
        } else {
            if (ch < 128 && strchr(",?[]{}", (int)ch) && ch) {
                flow_ind = true;
            }
            if (ch == ':') {
                flow_ind = true;
                block_ind |= followed;
            }
            if (ch == '#' && preceded) {
                flow_ind = block_ind = true;
            }
        }
        line_breaks |= is_break(ch);
        if (!(ch == '\n' || (ch >= 0x20 && ch <= 0x7E))) {
            bool printable = (ch == 0x85 || (ch >= 0xA0 && ch <= 0xD7FF) ||
                              (ch >= 0xE000 && ch <= 0xFFFD) || (ch >= 0x10000 && ch < 0x10FFFF)) &&
                             ch != 0xFEFF;
            special |= !printable;
        }
        if (ch == ' ') {
            lead_space |= i == 0;
            trail_space |= i == n - 1;
            break_space |= prev_break;
            prev_space = true;
            prev_break = false;
        } else if (is_break(ch)) {
            lead_break |= i == 0;
            trail_break |= i == n - 1;
            space_break |= prev_space;
            prev_space = false;
            prev_break = true;
        } else {
            prev_space = prev_break = false;
        }
        preceded = is_ws0(ch);
        followed = i + 2 >= n || is_ws0(s[i + 2]);
    }
    sc->allow_flow_plain = sc->allow_block_plain = sc->allow_single_quoted = true;
    if (lead_space || lead_break || trail_space || trail_break) {
        sc->allow_flow_plain = sc->allow_block_plain = false;
    }
    if (break_space) {
        sc->allow_flow_plain = sc->allow_block_plain = sc->allow_single_quoted = false;
    }
    if (space_break || special) {
        sc->allow_flow_plain = sc->allow_block_plain = sc->allow_single_quoted = false;
    }
    if (line_breaks) {
        sc->allow_flow_plain = sc->allow_block_plain = false;
    }
    if (flow_ind) {
        sc->allow_flow_plain = false;
    }
    if (block_ind) {
        sc->allow_block_plain = false;
    }
    sc->multiline = line_breaks;
}

/* Representer: the text of a scalar value and whether its plain form resolves back to it. */
static void represent_scalar(const struct val *v, struct scalar *sc)
{
    struct buf b = BUF_INIT;

    memset(sc, 0, sizeof(*sc));
    sc->implicit = true;
    switch (v->type) {
    case VAL_NULL:
        buf_adds(&b, "null");
        break;
    case VAL_BOOL:
        buf_adds(&b, v->u.b ? "true" : "false");
        break;
    case VAL_INT:
        buf_addf(&b, "%lld", (long long)v->u.i);
        break;
    case VAL_DOUBLE:
        if (isnan(v->u.d)) {
            buf_adds(&b, ".nan");
        } else if (isinf(v->u.d)) {
            buf_adds(&b, v->u.d > 0 ? ".inf" : "-.inf");
        } else {
            val_format_double(v->u.d, &b);
            if (!strchr(b.ptr, '.') && strchr(b.ptr, 'e')) {
                char *fixed = str_replace_all(b.ptr, "e", ".0e");

                buf_reset(&b);
                buf_adds(&b, fixed);
                free(fixed);
            }
        }
        break;
    default:
        buf_add(&b, v->u.s.ptr, v->u.s.len);
        sc->implicit = plain_reads_as_str(v->u.s.ptr, v->u.s.len);
        break;
    }
    decode_utf8(b.ptr, b.len, sc);
    buf_release(&b);
    analyze(sc);
}

/* ----- emitter primitives ----- */

static void push_indent(struct emitter *e, bool flow, bool indentless)
{
    xgrow((void **)&e->indents, &e->cap, e->nindents + 1, sizeof(*e->indents));
    e->indents[e->nindents++] = e->indent;
    if (e->indent < 0) {
        e->indent = flow ? e->best_indent : 0;
    } else if (!indentless) {
        e->indent += e->best_indent;
    }
}

static void pop_indent(struct emitter *e)
{
    e->indent = e->indents[--e->nindents];
}

static void write_line_break(struct emitter *e)
{
    e->whitespace = true;
    e->indention = true;
    e->column = 0;
    buf_addc(e->out, '\n');
}

static void write_indent(struct emitter *e)
{
    int indent = e->indent < 0 ? 0 : e->indent;

    if (!e->indention || e->column > indent || (e->column == indent && !e->whitespace)) {
        write_line_break(e);
    }
    if (e->column < indent) {
        e->whitespace = true;
        buf_addn(e->out, ' ', (size_t)(indent - e->column));
        e->column = indent;
    }
}

static void write_indicator(struct emitter *e, const char *ind, bool need_ws, bool whitespace,
                            bool indention)
{
    if (!e->whitespace && need_ws) {
        write_str(e, " ");
    }
    write_str(e, ind);
    e->whitespace = whitespace;
    e->indention = e->indention && indention;
    e->open_ended = false;
}

/* Writes the line breaks text[start, end) the way all three writers do. */
static void write_breaks(struct emitter *e, const struct scalar *sc, size_t start, size_t end)
{
    if (sc->cp[start] == '\n') {
        write_line_break(e);
    }
    for (size_t k = start; k < end; k++) {
        if (sc->cp[k] == '\n') {
            write_line_break(e);
        } else {
            put_cp(e->out, sc->cp[k]);
            e->whitespace = e->indention = true;
            e->column = 0;
        }
    }
    write_indent(e);
}

static void write_plain(struct emitter *e, const struct scalar *sc, bool split)
{
    bool spaces = false, breaks = false;
    size_t start = 0;

    if (e->root_ctx) {
        e->open_ended = true;
    }
    if (sc->len == 0) {
        return;
    }
    if (!e->whitespace) {
        write_str(e, " ");
    }
    e->whitespace = e->indention = false;
    for (size_t end = 0; end <= sc->len; end++) {
        uint32_t ch = end < sc->len ? sc->cp[end] : UINT32_MAX;

        if (spaces) {
            if (ch != ' ') {
                if (start + 1 == end && e->column > e->best_width && split) {
                    write_indent(e);
                    e->whitespace = e->indention = false;
                } else {
                    write_cps(e, sc->cp + start, end - start);
                }
                start = end;
            }
        } else if (breaks) {
            if (!is_break(ch)) {
                write_breaks(e, sc, start, end);
                e->whitespace = e->indention = false;
                start = end;
            }
        } else if (ch == UINT32_MAX || ch == ' ' || is_break(ch)) {
            write_cps(e, sc->cp + start, end - start);
            start = end;
        }
        if (ch != UINT32_MAX) {
            spaces = ch == ' ';
            breaks = is_break(ch);
        }
    }
}

static void write_single_quoted(struct emitter *e, const struct scalar *sc, bool split)
{
    bool spaces = false, breaks = false;
    size_t start = 0;

    write_indicator(e, "'", true, false, false);
    for (size_t end = 0; end <= sc->len; end++) {
        uint32_t ch = end < sc->len ? sc->cp[end] : UINT32_MAX;

        if (spaces) {
            if (ch != ' ') {
                if (start + 1 == end && e->column > e->best_width && split && start != 0 &&
                    end != sc->len) {
                    write_indent(e);
                } else {
                    write_cps(e, sc->cp + start, end - start);
                }
                start = end;
            }
        } else if (breaks) {
            if (ch == UINT32_MAX || !is_break(ch)) {
                write_breaks(e, sc, start, end);
                start = end;
            }
        } else if (ch == UINT32_MAX || ch == ' ' || is_break(ch) || ch == '\'') {
            if (start < end) {
                write_cps(e, sc->cp + start, end - start);
                start = end;
            }
        }
        if (ch == '\'') {
            write_str(e, "''");
            start = end + 1;
        }
        if (ch != UINT32_MAX) {
            spaces = ch == ' ';
            breaks = is_break(ch);
        }
    }
    write_indicator(e, "'", false, false, false);
}

static const char *escape_of(uint32_t ch)
{
    switch (ch) {
    case 0: return "0";
    case 7: return "a";
    case 8: return "b";
    case 9: return "t";
    case 10: return "n";
    case 11: return "v";
    case 12: return "f";
    case 13: return "r";
    case 27: return "e";
    case '"': return "\"";
    case '\\': return "\\";
    case 0x85: return "N";
    case 0xA0: return "_";
    case 0x2028: return "L";
    case 0x2029: return "P";
    default: return NULL;
    }
}

static void write_double_quoted(struct emitter *e, const struct scalar *sc, bool split)
{
    size_t start = 0;

    write_indicator(e, "\"", true, false, false);
    for (size_t end = 0; end <= sc->len; end++) {
        uint32_t ch = end < sc->len ? sc->cp[end] : UINT32_MAX;
        bool plain_ok = ch != UINT32_MAX && ch != '"' && ch != '\\' && ch != 0x85 &&
                        ch != 0x2028 && ch != 0x2029 && ch != 0xFEFF &&
                        ((ch >= 0x20 && ch <= 0x7E) || (ch >= 0xA0 && ch <= 0xD7FF) ||
                         (ch >= 0xE000 && ch <= 0xFFFD));

        if (!plain_ok) {
            if (start < end) {
                write_cps(e, sc->cp + start, end - start);
                start = end;
            }
            if (ch != UINT32_MAX) {
                const char *esc = escape_of(ch);
                char tmp[16];

                if (esc) {
                    snprintf(tmp, sizeof(tmp), "\\%s", esc);
                } else if (ch <= 0xFF) {
                    snprintf(tmp, sizeof(tmp), "\\x%02X", ch);
                } else if (ch <= 0xFFFF) {
                    snprintf(tmp, sizeof(tmp), "\\u%04X", ch);
                } else {
                    snprintf(tmp, sizeof(tmp), "\\U%08X", ch);
                }
                write_str(e, tmp);
                start = end + 1;
            }
        }
        if (end > 0 && end + 1 < sc->len && (ch == ' ' || start >= end) &&
            e->column + (int)(end - start) > e->best_width && split) {
            write_cps(e, sc->cp + start, end > start ? end - start : 0);
            write_str(e, "\\");
            if (start < end) {
                start = end;
            }
            write_indent(e);
            e->whitespace = e->indention = false;
            if (sc->cp[start] == ' ') {
                write_str(e, "\\");
            }
        }
    }
    write_indicator(e, "\"", false, false, false);
}

/* Emitter.process_scalar with choose_scalar_style. */
static void emit_scalar(struct emitter *e, const struct scalar *sc)
{
    bool split = !e->simple_key_ctx;

    push_indent(e, true, false);
    if (sc->implicit && !(e->simple_key_ctx && (sc->empty || sc->multiline)) &&
        ((e->flow_level && sc->allow_flow_plain) || (!e->flow_level && sc->allow_block_plain))) {
        write_plain(e, sc, split);
    } else if (sc->allow_single_quoted && !(e->simple_key_ctx && sc->multiline)) {
        write_single_quoted(e, sc, split);
    } else {
        write_double_quoted(e, sc, split);
    }
    pop_indent(e);
}

/* ----- nodes ----- */

static void emit_node(struct emitter *e, const struct val *v, bool root, bool seq, bool map,
                      bool simple_key);

static bool is_collection(const struct val *v)
{
    return v->type == VAL_LIST || v->type == VAL_DICT;
}

/* Representer's best_style for default_flow_style=None: flow when every child is a scalar. */
static bool flow_style(const struct emitter *e, const struct val *v)
{
    if (e->flow >= 0) {
        return e->flow;
    }
    if (v->type == VAL_LIST) {
        for (size_t i = 0; i < val_list_len(v); i++) {
            if (is_collection(val_list_get(v, i))) {
                return false;
            }
        }
        return true;
    }
    for (size_t i = 0; i < val_dict_len(v); i++) {
        if (is_collection(val_dict_value_at(v, i))) {
            return false;
        }
    }
    return true;
}

static bool is_empty(const struct val *v)
{
    return is_collection(v) && (v->type == VAL_LIST ? val_list_len(v) : val_dict_len(v)) == 0;
}

static int cmp_keys(const void *a, const void *b)
{
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

/* The dict's key indexes in emission order. */
static size_t *key_order(const struct emitter *e, const struct val *d)
{
    size_t n = val_dict_len(d);
    size_t *order = xmalloc((n + 1) * sizeof(*order));
    const char ***keys = xmalloc((n + 1) * sizeof(*keys));
    const char **names = xmalloc((n + 1) * sizeof(*names));

    for (size_t i = 0; i < n; i++) {
        names[i] = val_dict_key_at(d, i);
        keys[i] = &names[i];
    }
    if (e->sort_keys) {
        qsort(keys, n, sizeof(*keys), cmp_keys);
    }
    for (size_t i = 0; i < n; i++) {
        order[i] = (size_t)(keys[i] - names);
    }
    free(keys);
    free(names);
    return order;
}

/* Emitter.check_simple_key for a string key (the '!!str' tag counts 5). */
static bool simple_key(const struct scalar *k)
{
    return k->len + 5 < 128 && !k->empty && !k->multiline;
}

static void key_scalar(const char *key, struct scalar *sc)
{
    struct val k = { .type = VAL_STR };

    k.u.s.ptr = (char *)key;
    k.u.s.len = strlen(key);
    represent_scalar(&k, sc);
}

static void emit_flow_mapping(struct emitter *e, const struct val *d)
{
    size_t *order = key_order(e, d), n = val_dict_len(d);

    write_indicator(e, "{", true, true, false);
    e->flow_level++;
    push_indent(e, true, false);
    for (size_t i = 0; i < n; i++) {
        struct scalar k;
        struct val *value = val_dict_value_at(d, order[i]);

        if (i > 0) {
            write_indicator(e, ",", false, false, false);
        }
        if (e->column > e->best_width) {
            write_indent(e);
        }
        key_scalar(val_dict_key_at(d, order[i]), &k);
        if (simple_key(&k)) {
            e->simple_key_ctx = true;
            e->mapping_ctx = true;
            e->root_ctx = e->sequence_ctx = false;
            emit_scalar(e, &k);
            write_indicator(e, ":", false, false, false);
        } else {
            write_indicator(e, "?", true, false, false);
            e->mapping_ctx = true;
            e->root_ctx = e->sequence_ctx = e->simple_key_ctx = false;
            emit_scalar(e, &k);
            if (e->column > e->best_width) {
                write_indent(e);
            }
            write_indicator(e, ":", true, false, false);
        }
        free(k.cp);
        emit_node(e, value, false, false, true, false);
    }
    pop_indent(e);
    e->flow_level--;
    write_indicator(e, "}", false, false, false);
    free(order);
}

static void emit_block_mapping(struct emitter *e, const struct val *d)
{
    size_t *order = key_order(e, d), n = val_dict_len(d);

    push_indent(e, false, false);
    for (size_t i = 0; i < n; i++) {
        struct scalar k;

        write_indent(e);
        key_scalar(val_dict_key_at(d, order[i]), &k);
        if (simple_key(&k)) {
            e->simple_key_ctx = e->mapping_ctx = true;
            e->root_ctx = e->sequence_ctx = false;
            emit_scalar(e, &k);
            write_indicator(e, ":", false, false, false);
        } else {
            write_indicator(e, "?", true, false, true);
            e->mapping_ctx = true;
            e->root_ctx = e->sequence_ctx = e->simple_key_ctx = false;
            emit_scalar(e, &k);
            write_indent(e);
            write_indicator(e, ":", true, false, true);
        }
        free(k.cp);
        emit_node(e, val_dict_value_at(d, order[i]), false, false, true, false);
    }
    pop_indent(e);
    free(order);
}

static void emit_flow_sequence(struct emitter *e, const struct val *l)
{
    write_indicator(e, "[", true, true, false);
    e->flow_level++;
    push_indent(e, true, false);
    for (size_t i = 0; i < val_list_len(l); i++) {
        if (i > 0) {
            write_indicator(e, ",", false, false, false);
        }
        if (e->column > e->best_width) {
            write_indent(e);
        }
        emit_node(e, val_list_get(l, i), false, true, false, false);
    }
    pop_indent(e);
    e->flow_level--;
    write_indicator(e, "]", false, false, false);
}

static void emit_block_sequence(struct emitter *e, const struct val *l)
{
    push_indent(e, false, e->mapping_ctx && !e->indention);
    for (size_t i = 0; i < val_list_len(l); i++) {
        write_indent(e);
        write_indicator(e, "-", true, false, true);
        emit_node(e, val_list_get(l, i), false, true, false, false);
    }
    pop_indent(e);
}

static void emit_node(struct emitter *e, const struct val *v, bool root, bool seq, bool map,
                      bool simple_key_ctx)
{
    e->root_ctx = root;
    e->sequence_ctx = seq;
    e->mapping_ctx = map;
    e->simple_key_ctx = simple_key_ctx;
    if (!is_collection(v)) {
        struct scalar sc;

        represent_scalar(v, &sc);
        emit_scalar(e, &sc);
        free(sc.cp);
    } else if (v->type == VAL_LIST) {
        if (e->flow_level || flow_style(e, v) || is_empty(v)) {
            emit_flow_sequence(e, v);
        } else {
            emit_block_sequence(e, v);
        }
    } else if (e->flow_level || flow_style(e, v) || is_empty(v)) {
        emit_flow_mapping(e, v);
    } else {
        emit_block_mapping(e, v);
    }
}

void val_to_yaml(const struct val *v, struct buf *out, const struct val_yaml_emit_opts *opts)
{
    struct emitter e = {
        .out = out,
        .best_indent = opts->indent > 1 && opts->indent < 10 ? opts->indent : 2,
        .flow = opts->flow,
        .sort_keys = opts->sort_keys,
        .indent = -1,
        .whitespace = true,
        .indention = true,
    };

    e.best_width = opts->width > e.best_indent * 2 ? opts->width : 80;
    emit_node(&e, v, true, false, false, false);
    write_indent(&e); /* document end */
    if (e.open_ended) {
        write_indicator(&e, "...", true, false, false);
        write_indent(&e);
    }
    free(e.indents);
}
