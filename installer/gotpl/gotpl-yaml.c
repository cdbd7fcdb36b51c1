/*
 * gotpl-yaml.c - Helm's toYaml: sigs.k8s.io/yaml.Marshal, i.e. encoding/json first (so an
 * integral float64 becomes an int, NaN fails) and then go-yaml v2's encoder, which is libyaml's
 * emitter ported to Go: so libyaml emits here, fed with go-yaml's choices (map keys in go-yaml's
 * "natural" order, strings plain unless go-yaml's resolver would read them back as something
 * else - then double-quoted -, strings with newlines as literal blocks, width 80, indent 2).
 * And toYamlPretty: yaml.v3's encoder with SetIndent(2) on the values themselves (no JSON step:
 * ints stay ints, floats print as strconv's 'g'), no line width, and block sequences indented
 * under their key, which libyaml cannot do: its output is re-indented.
 */
#include "pot.h"
#include <math.h>
#include <regex.h>
#include <pthread.h>
#include <string.h>
#include <yaml.h>
#include "base/xalloc.h"
#include "gotpl/gotpl-int.h"

static regex_t float_rx, base60_rx, ts_rx;
static pthread_once_t rx_once = PTHREAD_ONCE_INIT;

static void compile_rx(void)
{
    if (regcomp(&float_rx, "^[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?$",
                REG_EXTENDED | REG_NOSUB) ||
        regcomp(&base60_rx, "^[-+]?[0-9][0-9_]*(:[0-5]?[0-9])+(\\.[0-9_]*)?$",
                REG_EXTENDED | REG_NOSUB) ||
        regcomp(&ts_rx,
                "^[0-9][0-9][0-9][0-9]-[0-9][0-9]?-[0-9][0-9]?"
                "(([Tt]|[ \t]+)[0-9][0-9]?:[0-9][0-9]?:[0-9][0-9]?(\\.[0-9]*)?"
                "([ \t]*(Z|[-+][0-9][0-9]?(:[0-9][0-9])?))?)?$",
                REG_EXTENDED | REG_NOSUB)) {
        BUG("yaml regexes do not compile");
    }
}

static const char *const special_words[] = {
    "",     "~",    "null", "Null",  "NULL",  "y",     "Y",     "yes",   "Yes",   "YES",
    "on",   "On",   "ON",   "n",     "N",     "no",    "No",    "NO",    "off",   "Off",
    "OFF",  "true", "True", "TRUE",  "false", "False", "FALSE", ".nan",  ".NaN",  ".NAN",
    ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF",
};

/* strconv.ParseInt(s, 0, 64) / ParseUint accept it (underscores removed first, as go-yaml). */
static bool go_parses_int(const char *s)
{
    char clean[128];
    size_t n = 0;
    const char *p;
    int base = 10;

    for (; *s && n + 1 < sizeof(clean); s++) {
        if (*s != '_') {
            clean[n++] = *s;
        }
    }
    clean[n] = 0;
    p = clean;
    if (*p == '+' || *p == '-') {
        p++;
    }
    if (!*p) {
        return false;
    }
    if (p[0] == '0' && p[1]) {
        if (p[1] == 'x' || p[1] == 'X') {
            base = 16;
            p += 2;
        } else if (p[1] == 'o' || p[1] == 'O') {
            base = 8;
            p += 2;
        } else if (p[1] == 'b' || p[1] == 'B') {
            base = 2;
            p += 2;
        } else {
            base = 8;
            p += 1;
        }
    }
    if (!*p) {
        return false;
    }
    for (; *p; p++) {
        int d = *p >= '0' && *p <= '9'   ? *p - '0'
                : *p >= 'a' && *p <= 'f' ? *p - 'a' + 10
                : *p >= 'A' && *p <= 'F' ? *p - 'A' + 10
                                         : 99;

        if (d >= base) {
            return false;
        }
    }
    return true;
}

/* go-yaml v2's resolve(): would this string, written plain, read back as a string? */
static bool plain_is_str(const char *s, size_t len)
{
    if (strlen(s) != len) {
        return true;
    }
    for (size_t i = 0; i < ARRAY_SIZE(special_words); i++) {
        if (strcmp(s, special_words[i]) == 0) {
            return false;
        }
    }
    pthread_once(&rx_once, compile_rx);
    if ((s[0] >= '0' && s[0] <= '9') || s[0] == '-' || s[0] == '+' || s[0] == '.') {
        if (go_parses_int(s) || regexec(&float_rx, s, 0, NULL, 0) == 0 ||
            regexec(&ts_rx, s, 0, NULL, 0) == 0) {
            return false;
        }
        if (strncmp(s, "0b", 2) == 0 || strncmp(s, "-0b", 3) == 0) {
            return false;
        }
    }
    return regexec(&base60_rx, s, 0, NULL, 0) != 0;
}

/* go-yaml's keyList.Less for two string keys: digit runs compare as numbers, letters after
 * other characters (in v3, before them right after equal digits). */
static bool key_less(const char *a, const char *b, bool v3)
{
    size_t la = strlen(a), lb = strlen(b);
    bool digits = false;

    for (size_t i = 0; i < la && i < lb; i++) {
        unsigned char ca = (unsigned char)a[i], cb = (unsigned char)b[i];
        bool al, bl;
        size_t ai, bi;
        int64_t an = 0, bn = 0;

        if (ca == cb) {
            digits = ca >= '0' && ca <= '9';
            continue;
        }
        al = (ca >= 'a' && ca <= 'z') || (ca >= 'A' && ca <= 'Z') || ca >= 0x80;
        bl = (cb >= 'a' && cb <= 'z') || (cb >= 'A' && cb <= 'Z') || cb >= 0x80;
        if (al && bl) {
            return ca < cb;
        }
        if (al || bl) {
            return v3 && digits ? al : bl;
        }
        if (ca == '0' || cb == '0') {
            for (size_t j = i; j > 0 && a[j - 1] >= '0' && a[j - 1] <= '9'; j--) {
                if (a[j - 1] != '0') {
                    an = 1;
                    bn = 1;
                    break;
                }
            }
        }
        for (ai = i; ai < la && a[ai] >= '0' && a[ai] <= '9'; ai++) {
            an = an * 10 + (a[ai] - '0');
        }
        for (bi = i; bi < lb && b[bi] >= '0' && b[bi] <= '9'; bi++) {
            bn = bn * 10 + (b[bi] - '0');
        }
        if (an != bn) {
            return an < bn;
        }
        if (ai != bi) {
            return ai < bi;
        }
        return ca < cb;
    }
    return la < lb;
}

static int key_cmp_v2(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;

    if (key_less(a, b, false)) {
        return -1;
    }
    return key_less(b, a, false) ? 1 : 0;
}

static int key_cmp_v3(const void *pa, const void *pb)
{
    const char *a = *(const char *const *)pa, *b = *(const char *const *)pb;

    if (key_less(a, b, true)) {
        return -1;
    }
    return key_less(b, a, true) ? 1 : 0;
}

static int write_out(void *data, unsigned char *buffer, size_t size)
{
    buf_add(data, buffer, size);
    return 1;
}

static bool scalar(yaml_emitter_t *em, const char *text, size_t len, yaml_scalar_style_t style)
{
    yaml_event_t ev;

    yaml_scalar_event_initialize(&ev, NULL, NULL, (yaml_char_t *)text, (int)len, 1, 1, style);
    return yaml_emitter_emit(em, &ev);
}

/* encoding/json's treatment of invalid UTF-8: each bad byte becomes U+FFFD. Returns 's' when it
 * is valid, else the fixed copy in 'tmp'. */
static const char *valid_utf8(const char *s, size_t *len, struct buf *tmp)
{
    bool bad = false;

    for (size_t i = 0; i < *len;) {
        uint32_t cp;
        size_t n = gotpl_utf8_next(s + i, *len - i, &cp);
        bool ok = n > 0;

        if (!ok) {
            if (!bad) {
                buf_add(tmp, s, i);
                bad = true;
            }
            buf_adds(tmp, "\xEF\xBF\xBD");
            i++;
            continue;
        }
        if (bad) {
            buf_add(tmp, s + i, n);
        }
        i += n;
    }
    if (!bad) {
        return s;
    }
    *len = tmp->len;
    return tmp->ptr;
}

static bool emit_string(yaml_emitter_t *em, const char *s, size_t len)
{
    yaml_scalar_style_t style;
    struct buf tmp = BUF_INIT;
    bool ok;

    s = valid_utf8(s, &len, &tmp);
    if (memchr(s, '\n', len)) {
        style = YAML_LITERAL_SCALAR_STYLE;
    } else if (plain_is_str(s, len)) {
        style = YAML_PLAIN_SCALAR_STYLE;
    } else {
        style = YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    }
    ok = scalar(em, s, len, style);
    buf_release(&tmp);
    return ok;
}

static bool emit_node(yaml_emitter_t *em, const struct val *v, bool v3, int depth)
{
    yaml_event_t ev;
    char num[64];
    bool ok = true;

    if (depth > 2000) {
        return false;
    }
    if (gotpl_has_methods(v)) {
        struct buf text = BUF_INIT; /* a semver marshals as its version string */

        gotpl_fmt_value(v, &text);
        ok = emit_string(em, text.ptr, text.len);
        buf_release(&text);
        return ok;
    }
    if (v3 && v->type == VAL_DOUBLE) {
        struct buf b = BUF_INIT;

        if (isnan(v->u.d) || isinf(v->u.d)) {
            buf_adds(&b, isnan(v->u.d) ? ".nan" : v->u.d > 0 ? ".inf" : "-.inf");
        } else {
            gotpl_fmt_float(v->u.d, &b);
        }
        ok = scalar(em, b.ptr, b.len, YAML_PLAIN_SCALAR_STYLE);
        buf_release(&b);
        return ok;
    }
    switch (v->type) {
    case VAL_NULL:
        return scalar(em, "null", 4, YAML_PLAIN_SCALAR_STYLE);
    case VAL_BOOL:
        return scalar(em, v->u.b ? "true" : "false", v->u.b ? 4 : 5, YAML_PLAIN_SCALAR_STYLE);
    case VAL_INT:
        snprintf(num, sizeof(num), "%lld", (long long)v->u.i);
        return scalar(em, num, strlen(num), YAML_PLAIN_SCALAR_STYLE);
    case VAL_DOUBLE: {
        struct buf b = BUF_INIT;

        if (isnan(v->u.d) || isinf(v->u.d)) {
            return false;
        }
        if (v->u.d == floor(v->u.d) && fabs(v->u.d) < 9.2e18) {
            snprintf(num, sizeof(num), "%lld", (long long)v->u.d);
            return scalar(em, num, strlen(num), YAML_PLAIN_SCALAR_STYLE);
        }
        gotpl_fmt_float(v->u.d, &b);
        ok = scalar(em, b.ptr, b.len, YAML_PLAIN_SCALAR_STYLE);
        buf_release(&b);
        return ok;
    }
    case VAL_STR:
        return emit_string(em, v->u.s.ptr, v->u.s.len);
    case VAL_LIST:
        yaml_sequence_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        ok = yaml_emitter_emit(em, &ev);
        for (size_t i = 0; ok && i < v->u.list.len; i++) {
            ok = emit_node(em, v->u.list.items[i], v3, depth + 1);
        }
        yaml_sequence_end_event_initialize(&ev);
        return ok && yaml_emitter_emit(em, &ev);
    case VAL_DICT: {
        size_t n = v->u.dict.len;
        const char **keys = xcalloc(n ? n : 1, sizeof(*keys));

        for (size_t i = 0; i < n; i++) {
            keys[i] = v->u.dict.keys[i];
        }
        qsort(keys, n, sizeof(*keys), v3 ? key_cmp_v3 : key_cmp_v2);
        yaml_mapping_start_event_initialize(&ev, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        ok = yaml_emitter_emit(em, &ev);
        for (size_t i = 0; ok && i < n; i++) {
            ok = emit_string(em, keys[i], strlen(keys[i])) &&
                 emit_node(em, val_dict_get(v, keys[i]), v3, depth + 1);
        }
        free(keys);
        yaml_mapping_end_event_initialize(&ev);
        return ok && yaml_emitter_emit(em, &ev);
    }
    }
    return false;
}

/* Emits 'v' as one YAML document appended to 'out': go-yaml v2's choices at width 80, or v3's at
 * no width. */
static int emit_document(const struct val *v, bool v3, struct buf *out, struct err *err)
{
    yaml_emitter_t em;
    yaml_event_t ev;
    size_t start = out->len;
    bool ok;

    if (!yaml_emitter_initialize(&em)) {
        return err_set(err, ERR_TEMPLATE, "yaml: cannot initialise the emitter");
    }
    yaml_emitter_set_output(&em, write_out, out);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_indent(&em, 2);
    yaml_emitter_set_width(&em, v3 ? -1 : 80);
    yaml_stream_start_event_initialize(&ev, YAML_UTF8_ENCODING);
    ok = yaml_emitter_emit(&em, &ev);
    yaml_document_start_event_initialize(&ev, NULL, NULL, NULL, 1);
    ok = ok && yaml_emitter_emit(&em, &ev);
    ok = ok && emit_node(&em, v, v3, 0);
    yaml_document_end_event_initialize(&ev, 1);
    ok = ok && yaml_emitter_emit(&em, &ev);
    yaml_stream_end_event_initialize(&ev);
    ok = ok && yaml_emitter_emit(&em, &ev);
    ok = ok && yaml_emitter_flush(&em);
    yaml_emitter_delete(&em);
    if (!ok) {
        buf_truncate(out, start);
        return err_set(err, ERR_TEMPLATE, "json: unsupported value");
    }
    /* go-yaml never ends a document with libyaml's open-ended "...\n" marker */
    if (out->len - start >= 4 && memcmp(out->ptr + out->len - 4, "...\n", 4) == 0) {
        buf_truncate(out, out->len - 4);
    }
    return 0;
}

int gotpl_to_yaml(const struct val *v, struct buf *out, struct err *err)
{
    return emit_document(v, false, out, err);
}

/* A "- " (or a last "-") sequence item indicator at 's'. */
static bool is_dash(const char *s, size_t len)
{
    return len >= 1 && s[0] == '-' && (len == 1 || s[1] == ' ');
}

/* The line ends with a block scalar header (|, |-, |+, |2-, >...) after a space or at 'c'. */
static bool ends_with_block_header(const char *s, size_t len, size_t c)
{
    size_t i = len;

    while (i > c && (s[i - 1] == '-' || s[i - 1] == '+' || (s[i - 1] >= '1' && s[i - 1] <= '9'))) {
        i--;
    }
    return i > c && (s[i - 1] == '|' || s[i - 1] == '>') && (i - 1 == c || s[i - 2] == ' ');
}

/*
 * libyaml writes a block sequence that is a mapping value at the key's column ("a:\n- 1");
 * yaml.v3 indents it ("a:\n  - 1"). Shifts each such sequence, with everything in it, 2 columns
 * right per enclosing one. 'in' is libyaml's output at indent 2 and no width limit: scalars other
 * than block scalars sit on one line, and a line ending in ':' is a key whose block value follows.
 */
static void indent_sequences(const char *in, size_t len, struct buf *out)
{
    size_t seq[64]; /* the columns of the open indentless sequences */
    size_t depth = 0;
    long block = -2; /* in a block scalar: its lines are indented more than this column */
    long key = -1;   /* the column of a key ending the previous line */

    for (size_t pos = 0; pos < len;) {
        const char *nl = memchr(in + pos, '\n', len - pos);
        size_t end = nl ? (size_t)(nl - in) : len;
        const char *line = in + pos;
        size_t n = end - pos, ind = 0, c;

        pos = nl ? end + 1 : len;
        while (ind < n && line[ind] == ' ') {
            ind++;
        }
        if (n == 0 || (block > -2 && (long)ind > block)) {
            if (n > 0) {
                buf_addn(out, ' ', 2 * depth);
            }
            buf_add(out, line, n);
            buf_addc(out, '\n');
            continue;
        }
        block = -2;
        while (depth > 0 &&
               (ind < seq[depth - 1] || (ind == seq[depth - 1] && !is_dash(line + ind, n - ind)))) {
            depth--;
        }
        if (is_dash(line + ind, n - ind) && key == (long)ind &&
            (depth == 0 || seq[depth - 1] != ind) && depth < ARRAY_SIZE(seq)) {
            seq[depth++] = ind;
        }
        buf_addn(out, ' ', 2 * depth);
        buf_add(out, line, n);
        buf_addc(out, '\n');
        /* what the line opens: skip the item indicators to the node */
        c = ind;
        while (is_dash(line + c, n - c)) {
            c += c + 1 < n ? 2 : 1;
        }
        key = -1;
        if (line[n - 1] == ':') {
            key = (long)c;
        } else if (ends_with_block_header(line, n, c)) {
            /* "key: |-", "- |-", or the document is a block scalar */
            block = memchr(line + c, ':', n - c) ? (long)c : c > ind ? (long)c - 2 : -1;
        }
    }
}

int gotpl_to_yaml_pretty(const struct val *v, struct buf *out, struct err *err)
{
    struct buf raw = BUF_INIT;

    if (emit_document(v, true, &raw, err) < 0) {
        buf_release(&raw);
        return -1;
    }
    indent_sequences(raw.ptr, raw.len, out);
    if (raw.len > 0 && raw.ptr[raw.len - 1] != '\n' && out->len > 0) {
        buf_truncate(out, out->len - 1);
    }
    buf_release(&raw);
    return 0;
}
