/*
 * hf-select.c - helmfile's label selectors (-l tier=db,name!=x): the parts of one selector must
 * all hold, any one of several selectors is enough. A negative part holds when the label is
 * missing. Releases carry helmfile's built-in labels name, namespace and chart (hf-release.c).
 */
#include "pot.h"
#include <string.h>
#include "base/err.h"
#include "base/xalloc.h"
#include "helmfile/hf-internal.h"
#include "value/val.h"

struct hf_part {
    char *key;   /* owned */
    char *value; /* owned */
    bool negative;
};

struct hf_selector {
    struct hf_part *parts; /* owned */
    size_t len;
};

/* helmfile's reLabelMatch/reLabelMismatch character set. */
static bool label_word(const char *s, size_t len)
{
    if (len == 0) {
        return false;
    }
    for (size_t i = 0; i < len; i++) {
        char c = s[i];

        if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
              strchr("_./+-", c))) {
            return false;
        }
    }
    return true;
}

static int parse_part(struct hf_part *part, const char *text, size_t len)
{
    const char *eq = memchr(text, '=', len);
    size_t klen;

    if (!eq) {
        return -1;
    }
    klen = (size_t)(eq - text);
    part->negative = klen > 0 && text[klen - 1] == '!';
    if (part->negative) {
        klen--;
    }
    if (!label_word(text, klen) || !label_word(eq + 1, len - (size_t)(eq + 1 - text))) {
        return -1;
    }
    part->key = xstrndup(text, klen);
    part->value = xstrndup(eq + 1, len - (size_t)(eq + 1 - text));
    return 0;
}

static void selector_free(struct hf_selector *sel)
{
    for (size_t i = 0; sel && i < sel->len; i++) {
        free(sel->parts[i].key);
        free(sel->parts[i].value);
    }
    if (sel) {
        free(sel->parts);
    }
    free(sel);
}

int hf_selectors_parse(struct hf_selectors *out, const struct svec *in, struct err *err)
{
    out->items = xcalloc(in->len + 1, sizeof(*out->items));
    out->len = 0;
    for (size_t i = 0; i < in->len; i++) {
        const char *s = in->items[i];
        struct hf_selector *sel = xcalloc(1, sizeof(*sel));

        out->items[out->len++] = sel;
        for (;;) {
            const char *comma = strchr(s, ',');
            size_t len = comma ? (size_t)(comma - s) : strlen(s);

            sel->parts = xrealloc(sel->parts, (sel->len + 1) * sizeof(*sel->parts));
            if (parse_part(&sel->parts[sel->len], s, len) < 0) {
                err_set(err, ERR_USAGE,
                        "malformed label '%.*s' in selector '%s': expected k=v or "
                        "k!=v",
                        (int)len, s, in->items[i]);
                hf_selectors_release(out);
                return -1;
            }
            sel->len++;
            if (!comma) {
                break;
            }
            s = comma + 1;
        }
    }
    return 0;
}

void hf_selectors_release(struct hf_selectors *s)
{
    for (size_t i = 0; i < s->len; i++) {
        selector_free(s->items[i]);
    }
    free(s->items);
    s->items = NULL;
    s->len = 0;
}

static bool selector_match(const struct hf_selector *sel, const struct val *labels)
{
    for (size_t i = 0; i < sel->len; i++) {
        const char *have = val_dict_get_str(labels, sel->parts[i].key);
        bool equal = have && strcmp(have, sel->parts[i].value) == 0;

        if (sel->parts[i].negative ? equal : !equal) {
            return false;
        }
    }
    return true;
}

bool hf_selectors_match(const struct hf_selectors *s, const struct val *labels)
{
    if (s->len == 0) {
        return true;
    }
    for (size_t i = 0; i < s->len; i++) {
        if (selector_match(s->items[i], labels)) {
            return true;
        }
    }
    return false;
}
