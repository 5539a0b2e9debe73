/*
 * The text narration: trace events as numbered steps in the vocabulary of the SSL handshake
 * as the textbooks tell it ("client hello", "the CipherSuite chosen by the server", "the
 * Distinguished Names of acceptable CAs", "the pre-master secret, encrypted with the
 * server's public key"), one line each, with indented details.
 *
 *   1. → ClientHello: TLS 1.3/1.2 offered, 9 cipher suites in order of preference
 *        cipher suites: TLS_AES_128_GCM_SHA256, ...
 *
 * → is always client to server and ← server to client, whichever side is tracing. Messages,
 * checks, alerts and application data are numbered steps; decisions and derived keys are
 * lines between them. Every value that comes from the wire is made safe to print (no
 * control characters, no terminal escapes), and lines wrap at TOOL_TRACE_WIDTH columns.
 */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "trace_text.h"

#define C_RESET       "\033[0m"
#define C_BOLD        "\033[1m"
#define C_DIM         "\033[2m"
#define C_RED         "\033[31m"
#define C_GREEN       "\033[32m"
#define C_YELLOW      "\033[33m"
#define C_BLUE        "\033[34m"
#define C_CYAN        "\033[36m"

#define STEP_INDENT   5 /* "  1. " */
#define DETAIL_INDENT 8
#define LINE_BYTES    1024
#define VALUE_BYTES   4096
/* Application data: lines per connection, then only totals (an echo of 1 MiB is many). */
#define DATA_LINES 4

/* ---- lines: colour, width, wrapping ---- */

typedef struct line {
    const tool_trace *t;
    char buf[LINE_BYTES];
    size_t len;
    size_t width; /* columns used so far */
} line;

/* Columns taken by n bytes of UTF-8 (one per code point). */
static size_t columns(const char *s, size_t n)
{
    size_t w = 0;
    for (size_t i = 0; i < n; i++)
        w += ((unsigned char)s[i] & 0xc0) != 0x80;
    return w;
}

static void l_raw(line *l, const char *s, size_t n)
{
    if (n > sizeof(l->buf) - 1 - l->len)
        n = sizeof(l->buf) - 1 - l->len;
    memcpy(l->buf + l->len, s, n);
    l->len += n;
}

/* n bytes of s in colour (NULL: none). */
static void l_textn(line *l, const char *color, const char *s, size_t n)
{
    int paint = color && l->t->out->color;
    if (paint)
        l_raw(l, color, strlen(color));
    l_raw(l, s, n);
    if (paint)
        l_raw(l, C_RESET, strlen(C_RESET));
    l->width += columns(s, n);
}

static void l_text(line *l, const char *color, const char *s)
{
    l_textn(l, color, s, strlen(s));
}

static void l_spaces(line *l, size_t n)
{
    static const char blanks[] = "                                        ";
    while (n > 0) {
        size_t k = n < sizeof(blanks) - 1 ? n : sizeof(blanks) - 1;
        l_textn(l, NULL, blanks, k);
        n -= k;
    }
}

/* A new line: the peer prefix when several connections share the output. */
static void l_begin(line *l, const tool_trace *t)
{
    l->t = t;
    l->len = l->width = 0;
    if (t->prefix && t->peer[0]) {
        l_text(l, C_DIM, "[");
        l_text(l, C_DIM, t->peer);
        l_text(l, C_DIM, "] ");
    }
}

static void l_print(line *l)
{
    l->buf[l->len] = '\0';
    fputs(l->buf, l->t->out->f);
    fputc('\n', l->t->out->f);
}

/* Bytes of s that fit in room columns: cut after a late ", " if any, else at a space. */
static size_t fit(const char *s, size_t room)
{
    size_t n = strlen(s);
    if (columns(s, n) <= room)
        return n;
    size_t i = 0, cols = 0, space = 0, comma = 0;
    for (; s[i] && cols < room; i++) {
        cols += ((unsigned char)s[i] & 0xc0) != 0x80;
        if (s[i] == ' ' && i > 0) {
            space = i;
            comma = s[i - 1] == ',' ? i : comma;
        }
    }
    while (s[i] && ((unsigned char)s[i] & 0xc0) == 0x80)
        i++; /* the end of the code point */
    if (s[i] == ' ')
        return i;                    /* it fits exactly */
    if (comma && comma * 3 >= i * 2) /* a comma late enough on the line */
        return comma;
    return space ? space : i;
}

/* Writes text after what l holds, wrapped; continuation lines indented by indent columns. */
static void l_wrap(line *l, const char *color, const char *text, size_t indent)
{
    const char *p = text;
    for (;;) {
        size_t room = TOOL_TRACE_WIDTH > l->width + 20 ? TOOL_TRACE_WIDTH - l->width : 20;
        size_t n = fit(p, room);
        l_textn(l, color, p, n);
        l_print(l);
        p += n;
        while (*p == ' ')
            p++;
        if (!*p)
            return;
        l_begin(l, l->t);
        l_spaces(l, indent);
    }
}

/* ---- values from the wire, made safe to print ---- */

/* The code point of the UTF-8 sequence at p and its length; length 0 when invalid. */
static size_t decode(const unsigned char *p, unsigned long *cp)
{
    unsigned c = p[0];
    size_t n = c < 0x80             ? 1
               : (c & 0xe0) == 0xc0 ? 2
               : (c & 0xf0) == 0xe0 ? 3
               : (c & 0xf8) == 0xf0 ? 4
                                    : 0;
    if (n == 0)
        return 0;
    *cp = n == 1 ? c : c & (0x3f >> (n - 1));
    for (size_t i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return 0;
        *cp = *cp << 6 | (p[i] & 0x3f);
    }
    static const unsigned long min[] = {0, 0, 0x80, 0x800, 0x10000};
    if (*cp < min[n] || *cp > 0x10ffff || (*cp >= 0xd800 && *cp <= 0xdfff))
        return 0;
    return n;
}

/* Whether a code point may reach a terminal: no controls (C0, DEL, C1), no bidi overrides. */
static int printable(unsigned long cp)
{
    if (cp < 0x20 || (cp >= 0x7f && cp < 0xa0))
        return 0;
    return !(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069);
}

/* s into out, every unsafe byte as \xNN; cut with "..." when out is full. */
static void clean(const char *s, char *out, size_t cap)
{
    size_t o = 0;
    const unsigned char *p = (const unsigned char *)s;
    while (*p) {
        unsigned long cp = 0;
        size_t n = decode(p, &cp);
        char esc[8];
        const char *piece = (const char *)p;
        size_t len = n;
        if (n == 0 || !printable(cp)) {
            snprintf(esc, sizeof(esc), "\\x%02x", *p);
            piece = esc;
            len = 4;
            n = 1;
        }
        if (o + len + 4 > cap) {
            memcpy(out + o, "...", 3);
            o += 3;
            break;
        }
        memcpy(out + o, piece, len);
        o += len;
        p += n;
    }
    out[o] = '\0';
}

/* ---- event fields ---- */

static const char *or_q(const char *s)
{
    return s ? s : "?";
}

static const char *field(const clasp_trace_event *ev, const char *name)
{
    for (size_t i = 0; i < ev->n_fields; i++)
        if (ev->fields[i].name && strcmp(ev->fields[i].name, name) == 0)
            return ev->fields[i].value;
    return NULL;
}

static int starts(const char *s, const char *prefix)
{
    return s && strncmp(s, prefix, strlen(prefix)) == 0;
}

/*
 * Items of a list field: "a, b, c" (the library's form), or "a:b", or words; signalling
 * values ("TLS_EMPTY_RENEGOTIATION_INFO_SCSV") are not counted.
 */
static size_t count_items(const char *s)
{
    if (!s || !*s || strcmp(s, "none") == 0 || strcmp(s, "empty") == 0)
        return 0;
    char sep = strchr(s, ',') ? ',' : strchr(s, ':') ? ':' : ' ';
    size_t n = 0;
    while (*s) {
        size_t len = strcspn(s, (char[]){sep, '\0'});
        n += !(len >= 5 && strncmp(s + len - 5, "_SCSV", 5) == 0);
        s += len;
        while (*s == sep || *s == ' ')
            s++;
    }
    return n;
}

static const char *side_name(int side)
{
    return side == TOOL_SERVER ? "server" : "client";
}

/* ---- pending lines: derived keys, application data ---- */

static void flush_keys(tool_trace *t);
static void flush_records(tool_trace *t);

static void flush_pending(tool_trace *t)
{
    flush_keys(t);
    flush_records(t);
}

/* A numbered step's start: "  7. ". */
static void begin_step(tool_trace *t, line *l)
{
    char num[16];
    l_begin(l, t);
    snprintf(num, sizeof(num), "%3d.", ++t->step);
    l_text(l, C_DIM, num);
    l_spaces(l, 1);
}

static void step_begin(tool_trace *t, line *l)
{
    flush_pending(t);
    begin_step(t, l);
}

/* An unnumbered line at the steps' indent. */
static void plain_begin(tool_trace *t, line *l)
{
    flush_pending(t);
    l_begin(l, t);
    l_spaces(l, STEP_INDENT);
}

static void l_arrow(line *l, int from)
{
    l_text(l, from == TOOL_CLIENT ? C_CYAN : C_YELLOW, from == TOOL_CLIENT ? "→ " : "← ");
}

/* A detail under a step: "        label: value", wrapped under the value. */
static void detail(tool_trace *t, const char *label, const char *value)
{
    if (!value || !*value)
        return;
    char safe[VALUE_BYTES];
    clean(value, safe, sizeof(safe));
    line l;
    l_begin(&l, t);
    l_spaces(&l, DETAIL_INDENT);
    l_text(&l, C_DIM, label);
    l_text(&l, C_DIM, ": ");
    size_t indent = DETAIL_INDENT + columns(label, strlen(label)) + 2;
    l_wrap(&l, NULL, safe, indent > 40 ? DETAIL_INDENT + 2 : indent);
}

static void detailf(tool_trace *t, const char *label, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void detailf(tool_trace *t, const char *label, const char *fmt, ...)
{
    char buf[VALUE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    detail(t, label, buf);
}

/* A hash of a key line, to tell each set of keys once when both sides derive it. */
static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

static int seen_before(tool_trace *t, const char *text)
{
    uint32_t h = fnv1a(text);
    for (size_t i = 0; i < t->n_seen; i++)
        if (t->seen[i] == h)
            return 1;
    if (t->n_seen < TOOL_TRACE_SEEN)
        t->seen[t->n_seen++] = h;
    return 0;
}

/* ---- keys: names only, consecutive ones on one line ---- */

/* A key as shown: who derived it for (client_, server_, both) and the rest of its name. */
typedef struct key_item {
    int who;    /* 0 neither, 1 client, 2 server, 3 client/server */
    int pretty; /* stem already in words ("write key + IV") */
    char stem[TOOL_TRACE_KEY_LEN];
} key_item;

/* The waiting keys, a write key and its IV as one item. */
static size_t key_items(const tool_trace *t, key_item *it)
{
    size_t k = 0;
    for (size_t i = 0; i < t->n_keys; i++) {
        const char *name = t->keys[i];
        key_item *x = &it[k];
        x->who = starts(name, "client_") ? 1 : starts(name, "server_") ? 2 : 0;
        x->pretty = 0;
        snprintf(x->stem, sizeof(x->stem), "%s", name + (x->who ? 7 : 0));
        key_item *prev = k > 0 ? &it[k - 1] : NULL;
        if (prev && prev->who == x->who && !prev->pretty && strcmp(x->stem, "write_iv") == 0 &&
            strcmp(prev->stem, "write_key") == 0) {
            snprintf(prev->stem, sizeof(prev->stem), "write key + IV");
            prev->pretty = 1;
            continue;
        }
        k++;
    }
    return k;
}

/* A client key next to the same server key: one item. */
static size_t merge_pairs(key_item *it, size_t n)
{
    size_t m = 0;
    for (size_t i = 0; i < n; i++) {
        key_item *prev = m > 0 ? &it[m - 1] : NULL;
        if (prev && prev->who && it[i].who && prev->who + it[i].who == 3 &&
            prev->pretty == it[i].pretty && strcmp(prev->stem, it[i].stem) == 0) {
            prev->who = 3;
            continue;
        }
        it[m++] = it[i];
    }
    return m;
}

/* "handshake_traffic_secret" -> "handshake traffic secrets"; "write key + IV" -> "... IVs". */
static void plural(const key_item *x, char *out, size_t cap)
{
    snprintf(out, cap, "%s", x->stem);
    for (char *p = out; *p; p++)
        if (*p == '_')
            *p = ' ';
    size_t n = strlen(out);
    if (n > 2 && strcmp(out + n - 2, " 0") == 0)
        out[n -= 2] = '\0';
    if (x->pretty)
        snprintf(out, cap, "write keys + IVs");
    else if (n >= 6 && strcmp(out + n - 6, "secret") == 0 && n + 1 < cap)
        strcat(out, "s");
}

static void key_text(const key_item *x, char *out, size_t cap)
{
    static const char *who[] = {"", "client", "server"};
    char words[TOOL_TRACE_KEY_LEN + 8];
    if (x->who == 3) {
        plural(x, words, sizeof(words));
        snprintf(out, cap, "client/server %s", words);
    } else if (x->who) {
        snprintf(out, cap, "%s%s%s", who[x->who], x->pretty ? " " : "_", x->stem);
    } else {
        snprintf(out, cap, "%s", x->stem);
    }
}

static void flush_keys(tool_trace *t)
{
    if (t->n_keys == 0)
        return;
    key_item it[TOOL_TRACE_MAX_KEYS];
    size_t n = merge_pairs(it, key_items(t, it));
    char text[TOOL_TRACE_MAX_KEYS * (TOOL_TRACE_KEY_LEN + 24)] = "";
    for (size_t i = 0; i < n; i++) {
        char one[TOOL_TRACE_KEY_LEN + 24];
        key_text(&it[i], one, sizeof(one));
        size_t o = strlen(text);
        snprintf(text + o, sizeof(text) - o, "%s%s", i ? " → " : "", one);
    }
    t->n_keys = 0;
    t->key_side = -1;
    if (t->both && seen_before(t, text))
        return; /* both sides derive the same keys: each set is told once */
    line l;
    l_begin(&l, t);
    l_spaces(&l, STEP_INDENT);
    l_text(&l, C_BLUE, "keys: ");
    l_wrap(&l, NULL, text, STEP_INDENT + 6);
}

static void add_key(tool_trace *t, int side, const char *name)
{
    flush_records(t);
    if (t->n_keys && (t->key_side != side || t->n_keys == TOOL_TRACE_MAX_KEYS))
        flush_keys(t);
    snprintf(t->keys[t->n_keys++], TOOL_TRACE_KEY_LEN, "%s", name);
    t->key_side = side;
    /* A write key: what its owner sends from now on is encrypted, as `side` knows it. */
    if (strcmp(name, "client_write_key") == 0)
        t->enc[side][TOOL_CLIENT] = 1;
    else if (strcmp(name, "server_write_key") == 0)
        t->enc[side][TOOL_SERVER] = 1;
    else if (strcmp(name, "handshake_secret") == 0)
        t->tls13 = 1;
}

/* ---- application data: records summed up, per direction ---- */

static void add_record(tool_trace *t, int from, const clasp_trace_event *ev)
{
    flush_keys(t);
    if (t->rec_side >= 0 && t->rec_side != from)
        flush_records(t);
    t->rec_side = from;
    t->rec_n++;
    t->rec_bytes += ev->len;
    t->rec_protected = ev->protected_;
}

static void flush_records(tool_trace *t)
{
    if (t->rec_side < 0)
        return;
    int from = t->rec_side;
    unsigned long n = t->rec_n, bytes = t->rec_bytes;
    t->rec_side = -1;
    t->rec_n = t->rec_bytes = 0;
    if (!t->both && t->data_lines >= DATA_LINES) {
        t->more_n[from] += n;
        t->more_bytes[from] += bytes;
        return;
    }
    t->data_lines++;
    char text[128];
    snprintf(text, sizeof(text), ": %lu record%s, %lu bytes, %s", n, n == 1 ? "" : "s", bytes,
             t->rec_protected ? "encrypted" : "NOT encrypted");
    line l;
    begin_step(t, &l);
    l_arrow(&l, from);
    l_text(&l, C_BOLD, "application data");
    l_wrap(&l, NULL, text, STEP_INDENT + 2);
}

/* ---- one record, step by step (clasp_config_set_trace_records) ---- */

/* Runs of hex digits longer than 16 get a space every 16, so that they wrap. */
static void spaced_hex(const char *in, char *out, size_t cap)
{
    static const char digits[] = "0123456789abcdef";
    size_t o = 0;
    while (*in && o + 2 < cap) {
        size_t run = strspn(in, digits);
        if (run == 0) {
            out[o++] = *in++;
            continue;
        }
        for (size_t i = 0; i < run && o + 2 < cap; i++) {
            if (run > 16 && i && i % 16 == 0)
                out[o++] = ' ';
            out[o++] = in[i];
        }
        in += run;
    }
    out[o] = '\0';
}

/*
 * The seeds' steps by name (fragment, compression, MAC, encryption, header), for each field
 * of the record event, in the order they happened: encrypt-then-MAC encrypts third.
 */
static const char *step_label(const char *field, int etm)
{
    static const struct {
        const char *field, *mte, *etm;
    } steps[] = {
        {"fragment", "1 fragment", "1 fragment"},
        {"compression", "2 compression", "2 compression"},
        {"mac_input", "3 MAC over", "4 MAC over"},
        {"mac", "  MAC", "  MAC"},
        {"padding", "4 padding", "3 padding"},
        {"iv", "  IV", "  IV"},
        {"ciphertext", "  encrypted", "  encrypted"},
        {"header", "5 header", "5 header"},
    };
    for (size_t k = 0; k < sizeof(steps) / sizeof(steps[0]); k++)
        if (strcmp(field, steps[k].field) == 0)
            return etm ? steps[k].etm : steps[k].mte;
    return NULL;
}

static void record_steps_event(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *how = field(ev, "protection");
    int etm = how && starts(how, "encrypt-then");
    char text[VALUE_BYTES];
    snprintf(text, sizeof(text), ", the record layer step by step, %s:", how ? how : "?");
    line l;
    step_begin(t, &l);
    l_arrow(&l, from);
    l_text(&l, C_BOLD, "one application data record");
    l_wrap(&l, NULL, text, STEP_INDENT + 2);
    for (size_t i = 0; i < ev->n_fields; i++) {
        const char *label = step_label(or_q(ev->fields[i].name), etm);
        if (!label)
            continue;
        spaced_hex(or_q(ev->fields[i].value), text, sizeof(text));
        detail(t, label, text);
    }
}

/* ---- messages ---- */

/*
 * Whether what `from` sends now leaves encrypted: as the sender knows it when both sides
 * report (the receiver may have its read key first), else as the tracing side knows it.
 */
static int encrypted(const tool_trace *t, int from)
{
    return t->both ? t->enc[from][from] : t->enc[t->side][from];
}

/*
 * Long hex (randoms, session IDs) as "5a1f0c... (32 bytes)": in concise narrations, and
 * wherever the whole value would not fit on its line. The JSON keeps every digit.
 */
static void hex_detail(tool_trace *t, const char *label, const char *hex, const char *note)
{
    char text[VALUE_BYTES];
    if (!hex)
        return;
    size_t n = strspn(hex, "0123456789abcdef");
    size_t prefix = t->prefix && t->peer[0] ? strlen(t->peer) + 3 : 0;
    size_t column = prefix + DETAIL_INDENT + strlen(label) + 2;
    int cut = n == strlen(hex) && n > 24 && (t->concise || column + n > TOOL_TRACE_WIDTH);
    if (cut)
        snprintf(text, sizeof(text), "%.16s... (%zu bytes%s%s)", hex, n / 2, note ? "; " : "",
                 note ? note : "");
    else
        snprintf(text, sizeof(text), "%s%s%s%s", hex, note ? " (" : "", note ? note : "",
                 note ? ")" : "");
    detail(t, label, text);
}

/* A message's step line: arrow, name, "(encrypted)", and what it says. */
static void msg_step(tool_trace *t, int from, const clasp_trace_event *ev, const char *summary)
{
    char fallback[32], safe[VALUE_BYTES];
    if (!summary) {
        snprintf(fallback, sizeof(fallback), "%zu bytes", ev->len);
        summary = fallback;
    }
    clean(summary, safe, sizeof(safe));
    line l;
    step_begin(t, &l);
    l_arrow(&l, from);
    l_text(&l, C_BOLD, ev->name);
    /* A ChangeCipherSpec is never encrypted: the keys change after it (or, in TLS 1.3,
     * it is a plaintext record for middleboxes). */
    if (encrypted(t, from) && strcmp(ev->name, "ChangeCipherSpec") != 0)
        l_text(&l, C_DIM, " (encrypted)");
    l_text(&l, NULL, ": ");
    l_wrap(&l, NULL, safe, STEP_INDENT + 2);
}

/* A line under a detail's value, at column indent. */
static void detail_more(tool_trace *t, size_t indent, const char *text)
{
    char safe[VALUE_BYTES];
    clean(text, safe, sizeof(safe));
    line l;
    l_begin(&l, t);
    l_spaces(&l, indent);
    l_wrap(&l, NULL, safe, indent);
}

/* "TLS 1.3, TLS 1.2" -> "TLS 1.3/1.2"; "TLS 1.2 (0x0303)" -> "TLS 1.2"; unknowns left out. */
static void versions_short(const char *list, char *out, size_t cap)
{
    out[0] = '\0';
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        char item[48];
        snprintf(item, sizeof(item), "%.*s", (int)n, p);
        char *paren = strstr(item, " (");
        int unknown = paren && strstr(paren, "unknown");
        if (paren)
            *paren = '\0';
        if (!unknown) {
            size_t o = strlen(out);
            const char *shown = o && starts(item, "TLS ") ? item + 4 : item;
            snprintf(out + o, cap - o, "%s%s", o ? "/" : "", shown);
        }
        p += n;
        while (*p == ',' || *p == ' ')
            p++;
    }
}

static void compression_detail(tool_trace *t, const char *value)
{
    if (value && strcmp(value, "null") == 0)
        detail(t, "compression", "null only (compression is never negotiated: CRIME)");
    else
        detail(t, "compression", value);
}

/* What a ClientHello offers to resume besides a session ID: a ticket, or a TLS 1.3 PSK. */
static void ch_resumption_details(tool_trace *t, const clasp_trace_event *ev)
{
    const char *psk = field(ev, "pre_shared_key"), *ticket = field(ev, "session_ticket");
    if (ticket && !starts(ticket, "empty"))
        detailf(t, "session ticket", "%s: the session, sealed by the server (RFC 5077)", ticket);
    else if (!t->concise)
        detail(t, "session ticket", ticket);
    if (psk)
        detailf(t, "pre-shared key",
                "%s: TLS 1.3's resumption by session ID, the ticket standing for the ID", psk);
    if (!t->concise)
        detail(t, "PSK modes", field(ev, "psk_key_exchange_modes"));
}

static void m_client_hello(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *suites = field(ev, "cipher_suites"), *sid = field(ev, "session_id");
    const char *v = field(ev, "supported_versions");
    char sum[192], vs[64];
    if (!v)
        v = field(ev, "legacy_version");
    if (suites && v) {
        size_t n = count_items(suites);
        versions_short(v, vs, sizeof(vs));
        snprintf(sum, sizeof(sum), "%s offered, %zu cipher suite%s in order of preference", vs, n,
                 n == 1 ? "" : "s");
    }
    msg_step(t, from, ev, suites && v ? sum : NULL);
    detail(t, "cipher suites", suites);
    hex_detail(t, "client random", field(ev, "random"), NULL);
    if (sid && strcmp(sid, "empty") == 0)
        detail(t, "session ID", "empty (a new session)");
    else if (sid && !strstr(v ? v : "", "1.3"))
        hex_detail(t, "session ID", sid, "offered: resume that session");
    else if (!t->concise) /* TLS 1.3 clients send one for middleboxes' sake */
        hex_detail(t, "session ID", sid, NULL);
    compression_detail(t, field(ev, "compression_methods"));
    if (!t->concise || !field(ev, "key_shares"))
        detail(t, "groups", field(ev, "supported_groups"));
    detail(t, "key share", field(ev, "key_shares"));
    if (!t->concise)
        detail(t, "signature algorithms", field(ev, "signature_algorithms"));
    detail(t, "server name (SNI)", field(ev, "server_name"));
    detail(t, "ALPN", field(ev, "alpn"));
    if (!t->concise) {
        detail(t, "extended master secret", field(ev, "extended_master_secret"));
        detail(t, "extensions", field(ev, "extensions"));
    }
    ch_resumption_details(t, ev);
    snprintf(t->ch_session_id, sizeof(t->ch_session_id), "%s", sid ? sid : "");
}

/* The ServerHello's session ID, and what it means next to the ClientHello's. */
static void sh_session_detail(tool_trace *t, const char *sid, const char *ticket)
{
    if (!sid)
        return;
    if (strcmp(sid, "empty") == 0 && ticket)
        detail(t, "session ID", "empty: the session travels in a ticket instead (RFC 5077)");
    else if (strcmp(sid, "empty") == 0)
        detail(t, "session ID", "empty (this session cannot be resumed)");
    else if (strcmp(sid, t->ch_session_id) != 0 && !t->tls13)
        hex_detail(t, "session ID", sid, "new: the server keeps it for resumption");
    else if (!t->tls13)
        hex_detail(t, "session ID", sid, "the client's: the session is resumed");
    else if (!t->concise)
        hex_detail(t, "session ID", sid, "the client's, echoed: TLS 1.3 has no sessions by ID");
}

static void m_server_hello(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *v = field(ev, "version"), *suite = field(ev, "cipher_suite");
    const char *sentinel = field(ev, "downgrade_sentinel");
    char sum[192];
    if (v)
        t->tls13 = starts(v, "TLS 1.3");
    if (suite)
        t->rsa_kx = starts(suite, "TLS_RSA_");
    if (v && suite)
        snprintf(sum, sizeof(sum), "%s, %s chosen from the client's list", v, suite);
    msg_step(t, from, ev, v && suite ? sum : NULL);
    sh_session_detail(t, field(ev, "session_id"), field(ev, "session_ticket"));
    if (field(ev, "pre_shared_key"))
        detailf(t, "pre-shared key", "%s: the session is resumed, no certificates follow",
                field(ev, "pre_shared_key"));
    hex_detail(t, "server random", field(ev, "random"), NULL);
    if (sentinel)
        detailf(t, "downgrade sentinel", "%s: a client that offered TLS 1.3 would refuse this",
                sentinel);
    detail(t, "key share", field(ev, "key_share"));
    if (!t->concise) {
        detail(t, "compression", field(ev, "compression_method"));
        detail(t, "extended master secret", field(ev, "extended_master_secret"));
        detail(t, "extensions", field(ev, "extensions"));
    }
    detail(t, "ALPN", field(ev, "alpn"));
}

static void m_hello_retry(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *suite = field(ev, "cipher_suite"), *group = field(ev, "selected_group");
    char sum[192];
    t->tls13 = 1;
    if (suite && group)
        snprintf(sum, sizeof(sum), "%s; another ClientHello, with a %s key share", suite, group);
    else if (suite)
        snprintf(sum, sizeof(sum), "%s; another ClientHello", suite);
    msg_step(t, from, ev, suite ? sum : NULL);
    detail(t, "cookie", field(ev, "cookie"));
    if (!t->concise)
        detail(t, "extensions", field(ev, "extensions"));
}

static void m_encrypted_extensions(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *exts = field(ev, "extensions");
    char sum[VALUE_BYTES];
    if (exts && strcmp(exts, "none") == 0)
        snprintf(sum, sizeof(sum), "the server's answers to the client's extensions: none");
    else if (exts)
        snprintf(sum, sizeof(sum), "the server's answers to the client's extensions: %s", exts);
    msg_step(t, from, ev, exts ? sum : NULL);
    detail(t, "ALPN", field(ev, "alpn"));
    detail(t, "server name (SNI)", field(ev, "server_name"));
    detail(t, "record size limit", field(ev, "record_size_limit"));
    if (!t->concise)
        detail(t, "groups", field(ev, "supported_groups"));
}

/* "subject=S issuer=I key=K valid=V" (the library's summary) into its four parts. */
static int cert_parts(const char *s, char part[4][VALUE_BYTES / 4])
{
    static const char *const keys[4] = {"subject=", " issuer=", " key=", " valid="};
    const char *at[5];
    for (int i = 0; i < 4; i++) {
        at[i] = i == 0 ? (starts(s, keys[0]) ? s : NULL) : strstr(at[i - 1], keys[i]);
        if (!at[i])
            return -1;
    }
    at[4] = s + strlen(s);
    for (int i = 0; i < 4; i++) {
        const char *from = at[i] + strlen(keys[i]);
        snprintf(part[i], VALUE_BYTES / 4, "%.*s", (int)(at[i + 1] - from), from);
    }
    return 0;
}

/* "[0] subject: S, key K" and under it "issued by I, valid V". */
static void cert_detail(tool_trace *t, const char *label, const char *summary)
{
    char part[4][VALUE_BYTES / 4], text[VALUE_BYTES], name[48];
    if (cert_parts(summary, part) != 0) {
        detail(t, label, summary);
        return;
    }
    snprintf(name, sizeof(name), "%s subject", label);
    snprintf(text, sizeof(text), "%s, key %s", part[0], part[2]);
    detail(t, name, text);
    snprintf(text, sizeof(text), "issued by %s, valid %s", part[1], part[3]);
    detail_more(t, DETAIL_INDENT + strlen(name) + 2, text);
}

static void m_certificate(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *count = field(ev, "certificates"), *ctx = field(ev, "context");
    char sum[128];
    long n = count ? strtol(count, NULL, 10) : -1;
    if (n == 0)
        snprintf(sum, sizeof(sum), "no certificate: the %s has none to send", side_name(from));
    else if (n == 1)
        snprintf(sum, sizeof(sum), "the %s's digital certificate", side_name(from));
    else
        snprintf(sum, sizeof(sum), "the %s's certificate chain, %ld certificates", side_name(from),
                 n);
    msg_step(t, from, ev, count ? sum : NULL);
    if (!t->concise && ctx && strcmp(ctx, "empty") != 0)
        detail(t, "request context", ctx);
    for (size_t i = 0; i < ev->n_fields; i++) {
        const char *name = ev->fields[i].name;
        if (!starts(name, "certificate["))
            continue;
        char label[32];
        snprintf(label, sizeof(label), "[%s", name + strlen("certificate["));
        cert_detail(t, label, ev->fields[i].value);
    }
}

static void m_certificate_request(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *cas = field(ev, "certificate_authorities"), *ctx = field(ev, "context");
    msg_step(t, from, ev, "the server asks who the client is (mutual authentication)");
    detail(t, "certificate types", field(ev, "certificate_types"));
    if (!t->concise)
        detail(t, "signature algorithms", field(ev, "signature_algorithms"));
    if (cas && strcmp(cas, "none") == 0)
        detail(t, "Distinguished Names of acceptable CAs", "none listed (any CA)");
    else
        detail(t, "Distinguished Names of acceptable CAs", cas);
    if (!t->concise && ctx && strcmp(ctx, "empty") != 0)
        detail(t, "request context", ctx);
}

static void m_server_hello_done(tool_trace *t, int from, const clasp_trace_event *ev)
{
    msg_step(t, from, ev, "the server is done with handshake negotiation");
}

static void m_server_key_exchange(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *group = field(ev, "group"), *scheme = field(ev, "signature_scheme");
    const char *sig = field(ev, "signature"), *kx = field(ev, "key_exchange");
    char sum[192];
    if (group)
        snprintf(sum, sizeof(sum),
                 "the server's ephemeral %s public key (%s), signed with its certificate's "
                 "private key",
                 group,
                 kx && !strcmp(kx, "DHE") ? "DHE, with the group's prime and generator" : "ECDHE");
    msg_step(t, from, ev, group ? sum : NULL);
    detail(t, "public key", field(ev, "public_key"));
    if (scheme && sig)
        detailf(t, "signature", "%s, %s", scheme, sig);
    if (!t->concise)
        detail(t, "curve type", field(ev, "curve_type"));
}

static void m_client_key_exchange(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *kx = field(ev, "key_exchange"), *epms = field(ev, "encrypted_pre_master_secret");
    const char *sum = kx;
    if (kx && (starts(kx, "ECDHE") || starts(kx, "DHE")))
        sum = starts(kx, "DHE") ? "DHE: the client's ephemeral public key; from the two, each "
                                  "side computes the same pre-master secret"
                                : "ECDHE: the client's ephemeral public key; from the two, each "
                                  "side computes the same pre-master secret";
    else if (!kx && t->rsa_kx)
        sum = "RSA: the pre-master secret, encrypted to the server's public key";
    msg_step(t, from, ev, sum);
    if (epms)
        detailf(t, "encrypted pre-master secret", "%s (only the server's private key opens it)",
                epms);
    detail(t, "public key", field(ev, "public_key"));
}

static void m_certificate_verify(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *scheme = field(ev, "signature_scheme"), *sig = field(ev, "signature");
    char sum[192];
    if (scheme)
        snprintf(sum, sizeof(sum), "the %s signs the handshake so far with its private key",
                 side_name(from));
    msg_step(t, from, ev, scheme ? sum : NULL);
    if (scheme && sig)
        detailf(t, "signature", "%s, %s", scheme, sig);
    else
        detail(t, "signature", scheme);
}

static void m_change_cipher_spec(tool_trace *t, int from, const clasp_trace_event *ev)
{
    char sum[192];
    if (t->tls13)
        snprintf(sum, sizeof(sum), "for middleboxes only: TLS 1.3 changes keys by its schedule");
    else
        snprintf(sum, sizeof(sum), "all the %s sends next is encrypted (record type 20, not 22)",
                 side_name(from));
    msg_step(t, from, ev, sum);
}

static void m_finished(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *vd = field(ev, "verify_data");
    char sum[192], len[32];
    if (!vd) {
        snprintf(len, sizeof(len), "%zu bytes", ev->len > 4 ? ev->len - 4 : 0);
        vd = len;
    }
    snprintf(sum, sizeof(sum), "a hash and MAC of every handshake message before it (%s)", vd);
    msg_step(t, from, ev, sum);
}

static void m_new_session_ticket(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *life = field(ev, "lifetime");
    char sum[128];
    if (!life)
        life = field(ev, "lifetime_hint");
    if (life)
        snprintf(sum, sizeof(sum), "a ticket for resuming this session later (lifetime %s)", life);
    msg_step(t, from, ev, life ? sum : NULL);
    if (!t->concise) {
        detail(t, "ticket", field(ev, "ticket"));
        detail(t, "nonce", field(ev, "nonce"));
    }
}

static void m_key_update(tool_trace *t, int from, const clasp_trace_event *ev)
{
    const char *req = field(ev, "request_update");
    char sum[160];
    if (req)
        snprintf(sum, sizeof(sum), "the %s switches to new traffic keys%s", side_name(from),
                 strcmp(req, "update_requested") == 0 ? " and asks the peer to do the same" : "");
    msg_step(t, from, ev, req ? sum : NULL);
}

typedef void (*msg_fn)(tool_trace *t, int from, const clasp_trace_event *ev);

static const struct {
    const char *name;
    msg_fn fn;
} messages[] = {
    {"ClientHello", m_client_hello},
    {"ServerHello", m_server_hello},
    {"HelloRetryRequest", m_hello_retry},
    {"EncryptedExtensions", m_encrypted_extensions},
    {"Certificate", m_certificate},
    {"CertificateRequest", m_certificate_request},
    {"ServerHelloDone", m_server_hello_done},
    {"ServerKeyExchange", m_server_key_exchange},
    {"ClientKeyExchange", m_client_key_exchange},
    {"CertificateVerify", m_certificate_verify},
    {"ChangeCipherSpec", m_change_cipher_spec},
    {"Finished", m_finished},
    {"NewSessionTicket", m_new_session_ticket},
    {"KeyUpdate", m_key_update},
};

static void message_event(tool_trace *t, int from, const clasp_trace_event *ev)
{
    for (size_t i = 0; i < sizeof(messages) / sizeof(messages[0]); i++)
        if (strcmp(ev->name, messages[i].name) == 0) {
            messages[i].fn(t, from, ev);
            return;
        }
    msg_step(t, from, ev, NULL);
}

/* ---- checks and decisions ---- */

/* A numbered check: "  9. ✓ client verifies ...", or ✗ in red. */
static void check_step(tool_trace *t, int ok, const char *text)
{
    char safe[VALUE_BYTES];
    clean(text, safe, sizeof(safe));
    line l;
    step_begin(t, &l);
    l_text(&l, ok ? C_GREEN : C_RED, ok ? "✓ " : "✗ ");
    l_wrap(&l, ok ? NULL : C_RED, safe, STEP_INDENT + 2);
}

/* An unnumbered line: a decision, or a state reached. */
static void note_line(tool_trace *t, const char *color, const char *text)
{
    char safe[VALUE_BYTES];
    clean(text, safe, sizeof(safe));
    line l;
    plain_begin(t, &l);
    l_wrap(&l, color, safe, STEP_INDENT + 2);
}

static void n_version(tool_trace *t, int side, const clasp_trace_event *ev)
{
    const char *chosen = field(ev, "chosen"), *why = field(ev, "why");
    char text[256];
    if (starts(chosen, "TLS 1.3"))
        t->tls13 = 1;
    if (t->concise || (t->both && side == TOOL_CLIENT))
        return; /* the ServerHello says it; the client only learns it */
    snprintf(text, sizeof(text), "%s %s %s%s%s", side_name(side),
             side == TOOL_SERVER ? "chooses" : "goes on in", or_q(chosen), why ? ": " : "",
             why ? why : "");
    note_line(t, NULL, text);
}

static void n_hello_retry(tool_trace *t, int side, const clasp_trace_event *ev)
{
    const char *group = field(ev, "group"), *why = field(ev, "why"), *cookie = field(ev, "cookie");
    char text[256];
    t->tls13 = 1;
    if (side == TOOL_SERVER)
        snprintf(text, sizeof(text), "server asks for a second ClientHello with a %s key share%s%s",
                 or_q(group), why ? ": " : "", why ? why : "");
    else if (group && strcmp(group, "unchanged") != 0)
        snprintf(text, sizeof(text), "client answers with a second ClientHello: a %s key share%s",
                 group, starts(cookie, "echoed") ? ", the cookie echoed" : "");
    else
        snprintf(text, sizeof(text), "client answers with a second ClientHello%s",
                 starts(cookie, "echoed") ? ", the cookie echoed" : "");
    note_line(t, NULL, text);
}

static void n_certificate_verified(tool_trace *t, int side, const clasp_trace_event *ev)
{
    const char *result = field(ev, "result"), *host = field(ev, "host");
    const char *trust = field(ev, "trust");
    int ok = !result || strcmp(result, "ok") == 0;
    char text[512];
    int n = snprintf(text, sizeof(text), "%s verifies the %s's certificate: ", side_name(side),
                     side_name(!side));
    const char *cached = field(ev, "from_cache");
    if (!ok)
        snprintf(text + n, sizeof(text) - n, "%s", result);
    else
        snprintf(text + n, sizeof(text) - n, "signed by the trusted CA %s%s%s%s",
                 trust ? trust : "", host && host[0] != '(' ? ", for " : "",
                 host && host[0] != '(' ? host : "",
                 cached && strcmp(cached, "yes") == 0
                     ? " (verified earlier; validity and name checked again)"
                     : "");
    check_step(t, ok, text);
}

static void n_signature_checked(tool_trace *t, int side, const clasp_trace_event *ev)
{
    const char *msg = field(ev, "message"), *scheme = field(ev, "scheme");
    const char *result = field(ev, "result");
    char text[512];
    if (msg && strcmp(msg, "CertificateVerify") == 0)
        snprintf(text, sizeof(text),
                 "%s checks the %s's CertificateVerify: it holds its certificate's private key",
                 side_name(side), side_name(!side));
    else
        snprintf(text, sizeof(text), "%s checks the %s's signature: the key share is the %s's",
                 side_name(side), or_q(msg), side_name(!side));
    check_step(t, !result || strcmp(result, "ok") == 0, text);
    if (!t->concise)
        detail(t, "signature scheme", scheme);
}

static void n_finished_verified(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    snprintf(text, sizeof(text), "%s verifies the %s's Finished: same keys, same handshake seen",
             side_name(side), side_name(!side));
    check_step(t, 1, text);
    if (!t->concise)
        detail(t, "verify_data", field(ev, "verify_data"));
}

static void n_resumed(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    const char *by = field(ev, "by") ? field(ev, "by") : "session ID";
    (void)side;
    if (t->resumed_said)
        return;
    t->resumed_said = 1;
    if (strstr(by, "TLS 1.3"))
        snprintf(text, sizeof(text),
                 "↺ session resumed by %s, TLS 1.3's resumption by session ID: no certificates",
                 by);
    else
        snprintf(text, sizeof(text),
                 "↺ session resumed by %s: the abbreviated handshake, no certificates and no key "
                 "exchange",
                 by);
    note_line(t, C_GREEN, text);
}

/* A note's line, formatted. */
static void notef(tool_trace *t, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void notef(tool_trace *t, const char *fmt, ...)
{
    char text[VALUE_BYTES];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(text, sizeof(text), fmt, ap);
    va_end(ap);
    note_line(t, NULL, text);
}

/* Notes of one sentence: "<side> <verb>: <why>". */
static void say_why(tool_trace *t, int side, const char *verb, const clasp_trace_event *ev)
{
    const char *why = field(ev, "why");
    notef(t, "%s %s%s%s", side_name(side), verb, why ? ": " : "", why ? why : "");
}

static void n_ticket_issued(tool_trace *t, int side, const clasp_trace_event *ev)
{
    notef(t,
          "%s issues a ticket (lifetime %s) holding %s: TLS 1.3's session ID, offered to resume "
          "next time",
          side_name(side), or_q(field(ev, "lifetime")), or_q(field(ev, "holds")));
}

static void n_psk_offered(tool_trace *t, int side, const clasp_trace_event *ev)
{
    notef(t,
          "%s offers to resume: %s, as a pre-shared key, with a binder proving it holds the key "
          "(modes: %s)",
          side_name(side), or_q(field(ev, "by")), or_q(field(ev, "modes")));
}

static void n_binder_verified(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[VALUE_BYTES];
    snprintf(text, sizeof(text), "%s verifies the %s's PSK binder: it holds the ticket's secret",
             side_name(side), side_name(!side));
    check_step(t, 1, text);
    if (!t->concise)
        detail(t, "binder", field(ev, "binder"));
}

static void n_psk_accepted(tool_trace *t, int side, const clasp_trace_event *ev)
{
    notef(t, "%s resumes with the pre-shared key (identity %s): %s", side_name(side),
          or_q(field(ev, "identity")), or_q(field(ev, "mode")));
}

static void n_session_not_offered(tool_trace *t, int side, const clasp_trace_event *ev)
{
    say_why(t, side, "does not offer its session", ev);
}

static void n_ticket_not_issued(tool_trace *t, int side, const clasp_trace_event *ev)
{
    say_why(t, side, "issues no ticket", ev);
}

static void n_ticket_keys_rotated(tool_trace *t, int side, const clasp_trace_event *ev)
{
    say_why(t, side, "rotates its ticket key", ev);
}

static void n_session_dropped(tool_trace *t, int side, const clasp_trace_event *ev)
{
    say_why(t, side, "forgets the session", ev);
}

/* Both sides may say it; the first to speak tells the reader. */
static void n_session_not_resumed(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    if (t->resumed_said)
        return;
    t->resumed_said = 1;
    snprintf(text, sizeof(text), "%s: session not resumed, a full handshake follows: %s",
             side_name(side), or_q(field(ev, "why")));
    note_line(t, NULL, text);
}

static void n_suite_chosen(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    snprintf(text, sizeof(text), "%s picks the cipher suite: %s", side_name(side),
             or_q(field(ev, "why")));
    note_line(t, NULL, text);
}

static void n_no_client_certificate(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    snprintf(text, sizeof(text), "%s accepts the empty Certificate: %s", side_name(side),
             or_q(field(ev, "why")));
    note_line(t, NULL, text);
}

static void n_early_data_rejected(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    snprintf(text, sizeof(text), "%s refuses 0-RTT early data: %s", side_name(side),
             or_q(field(ev, "why")));
    note_line(t, NULL, text);
}

static void n_session_stored(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    snprintf(text, sizeof(text), "%s keeps the session in %s, to be resumed by session ID",
             side_name(side), field(ev, "where") ? field(ev, "where") : "its cache");
    note_line(t, NULL, text);
}

static void n_handshake_done(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[256];
    if (t->both)
        return; /* the demo says how each section ended */
    snprintf(text, sizeof(text), "✓ handshake done: %s, %s", or_q(field(ev, "version")),
             or_q(field(ev, "cipher_suite")));
    (void)side;
    note_line(t, C_GREEN, text);
}

static void n_failure(tool_trace *t, int side, const clasp_trace_event *ev)
{
    const char *detail_ = field(ev, "detail"), *error = field(ev, "error");
    char text[512];
    snprintf(text, sizeof(text), "%s: %s", side_name(side),
             detail_ && *detail_ ? detail_ : or_q(error));
    check_step(t, 0, text);
}

/* A note without words of its own: "side name: field=value, ...". */
static void n_other(tool_trace *t, int side, const clasp_trace_event *ev)
{
    char text[VALUE_BYTES];
    snprintf(text, sizeof(text), "%s %s", side_name(side), ev->name);
    for (size_t i = 0; i < ev->n_fields; i++) {
        size_t o = strlen(text);
        snprintf(text + o, sizeof(text) - o, "%s%s=%s", i ? ", " : ": ", or_q(ev->fields[i].name),
                 or_q(ev->fields[i].value));
    }
    note_line(t, NULL, text);
}

typedef void (*note_fn)(tool_trace *t, int side, const clasp_trace_event *ev);

static const struct {
    const char *name;
    note_fn fn;
} notes[] = {
    {"version", n_version},
    {"hello_retry_request", n_hello_retry},
    {"certificate_verified", n_certificate_verified},
    {"signature_checked", n_signature_checked},
    {"finished_verified", n_finished_verified},
    {"resumed", n_resumed},
    {"ticket_issued", n_ticket_issued},
    {"psk_offered", n_psk_offered},
    {"binder_verified", n_binder_verified},
    {"psk_accepted", n_psk_accepted},
    {"session_not_offered", n_session_not_offered},
    {"ticket_not_issued", n_ticket_not_issued},
    {"ticket_keys_rotated", n_ticket_keys_rotated},
    {"session_dropped", n_session_dropped},
    {"session_stored", n_session_stored},
    {"session_not_resumed", n_session_not_resumed},
    {"early_data_rejected", n_early_data_rejected},
    {"suite_chosen", n_suite_chosen},
    {"no_client_certificate", n_no_client_certificate},
    {"handshake_done", n_handshake_done},
    {"failure", n_failure},
};

static void note_event(tool_trace *t, int side, const clasp_trace_event *ev)
{
    for (size_t i = 0; i < sizeof(notes) / sizeof(notes[0]); i++)
        if (strcmp(ev->name, notes[i].name) == 0) {
            notes[i].fn(t, side, ev);
            return;
        }
    n_other(t, side, ev);
}

/* ---- alerts ---- */

static void alert_event(tool_trace *t, int side, const clasp_trace_event *ev)
{
    if (t->both && !ev->outgoing)
        return; /* the receiver's failure note tells it */
    int from = ev->outgoing ? side : !side;
    const char *level = field(ev, "level");
    int fatal = level && strcmp(level, "fatal") == 0;
    int close = strcmp(ev->name, "close_notify") == 0;
    char text[192], tag[48];
    const char *lv = close || !level ? "" : level;
    snprintf(tag, sizeof(tag), " (%s%s%s)", lv, *lv && encrypted(t, from) ? ", " : "",
             encrypted(t, from) ? "encrypted" : "");
    if (close)
        snprintf(text, sizeof(text), ": the %s has nothing more to send", side_name(from));
    else
        snprintf(text, sizeof(text), "%s", fatal ? ": the connection ends" : "");
    line l;
    step_begin(t, &l);
    l_arrow(&l, from);
    l_text(&l, fatal ? C_RED : C_BOLD, "alert ");
    l_text(&l, fatal ? C_RED : C_BOLD, ev->name);
    if (strcmp(tag, " ()") != 0)
        l_text(&l, C_DIM, tag);
    l_wrap(&l, NULL, text, STEP_INDENT + 2);
}

/* ---- entry points ---- */

static int is_application_data(const clasp_trace_event *ev)
{
    return ev->content_type == 23 || strcmp(ev->name, "application_data") == 0;
}

void trace_text_event(tool_trace *t, int side, const clasp_trace_event *ev)
{
    int from = ev->outgoing ? side : !side;
    switch (ev->kind) {
    case CLASP_TRACE_MESSAGE:
        flush_keys(t); /* keys are grouped between messages, even messages not shown */
        if (!t->both || ev->outgoing)
            message_event(t, from, ev);
        break;
    case CLASP_TRACE_RECORD:
        if (ev->n_fields && ev->outgoing)
            record_steps_event(t, from, ev);
        else if (is_application_data(ev) && (!t->both || ev->outgoing))
            add_record(t, from, ev);
        break;
    case CLASP_TRACE_KEY: add_key(t, side, ev->name); break;
    case CLASP_TRACE_ALERT: alert_event(t, side, ev); break;
    case CLASP_TRACE_NOTE: note_event(t, side, ev); break;
    }
    fflush(t->out->f);
}

void trace_text_end(tool_trace *t)
{
    flush_pending(t);
    if (t->more_n[TOOL_CLIENT] || t->more_n[TOOL_SERVER]) {
        char text[256];
        snprintf(text, sizeof(text),
                 "... then more application data: %lu records → (%lu bytes), %lu records ← (%lu "
                 "bytes)",
                 t->more_n[TOOL_CLIENT], t->more_bytes[TOOL_CLIENT], t->more_n[TOOL_SERVER],
                 t->more_bytes[TOOL_SERVER]);
        note_line(t, NULL, text);
        memset(t->more_n, 0, sizeof(t->more_n));
        memset(t->more_bytes, 0, sizeof(t->more_bytes));
    }
    fflush(t->out->f);
}

void trace_text_heading(tool_trace *t, const char *text)
{
    char safe[VALUE_BYTES];
    clean(text, safe, sizeof(safe));
    flush_pending(t);
    line l;
    l_begin(&l, t);
    l_text(&l, C_BOLD, "━━ ");
    l_textn(&l, C_BOLD, safe, fit(safe, TOOL_TRACE_WIDTH - 8));
    l_text(&l, C_BOLD, " ");
    while (l.width < TOOL_TRACE_WIDTH)
        l_text(&l, C_BOLD, "━");
    l_print(&l);
    fflush(t->out->f);
}

void trace_text_prose(tool_trace *t, const char *text)
{
    char safe[VALUE_BYTES];
    clean(text, safe, sizeof(safe));
    flush_pending(t);
    line l;
    l_begin(&l, t);
    if (safe[0])
        l_wrap(&l, NULL, safe, 0);
    else
        l_print(&l);
    fflush(t->out->f);
}

void trace_text_verdict(tool_trace *t, int ok, const char *text)
{
    char safe[VALUE_BYTES];
    clean(text, safe, sizeof(safe));
    flush_pending(t);
    line l;
    l_begin(&l, t);
    l_spaces(&l, 2);
    l_text(&l, ok ? C_GREEN : C_RED, ok ? "✓ " : "✗ ");
    l_wrap(&l, ok ? C_GREEN : C_RED, safe, 4);
    fflush(t->out->f);
}
