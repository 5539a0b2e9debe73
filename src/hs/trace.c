/*
 * Trace events and the key log. Events are built on the stack and handed to the callback;
 * nothing is kept. No secret ever enters an event: keys appear by name and length.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <clasp/errors.h>

#include "base/mem.h"
#include "hs/trace.h"
#include "msg/msg.h"
#include "x509/x509.h"

#define MAX_FIELDS 32
#define FIELD_BUF  4096

static int tracing(const clasp_conn *c)
{
    return c->cfg && c->cfg->trace_cb;
}

static void emit(clasp_conn *c, clasp_trace_event *ev)
{
    c->cfg->trace_cb(c->cfg->trace_arg, c, ev);
}

/* n bytes as 2n hex digits and a NUL. */
static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
}

void cl_trace_message(clasp_conn *c, int outgoing, const uint8_t *msg, size_t len)
{
    if (!tracing(c))
        return;
    clasp_trace_field fields[MAX_FIELDS];
    char buf[FIELD_BUF];
    clasp_trace_event ev = {.kind = CLASP_TRACE_MESSAGE, .outgoing = outgoing, .len = len};
    /* A Finished is shown by its length only: verify_data is a MAC under a handshake secret
     * (and TLS 1.2 renegotiation binds to it, RFC 5746 3.1), not something to log. */
    ev.data = len && msg[0] == CL_HS_FINISHED ? NULL : msg;
    ev.name = cl_trace_message_name(msg, len);
    ev.n_fields = cl_trace_describe(c, msg, len, fields, MAX_FIELDS, buf, sizeof(buf));
    ev.fields = fields;
    emit(c, &ev);
}

void cl_trace_ccs(clasp_conn *c, int outgoing)
{
    static const uint8_t ccs = 1;
    if (!tracing(c))
        return;
    clasp_trace_event ev = {.kind = CLASP_TRACE_MESSAGE,
                            .outgoing = outgoing,
                            .name = "ChangeCipherSpec",
                            .data = &ccs,
                            .len = 1};
    emit(c, &ev);
}

static const char *content_type_name(uint8_t t)
{
    switch (t) {
    case 20: return "change_cipher_spec";
    case 21: return "alert";
    case 22: return "handshake";
    case 23: return "application_data";
    default: return "unknown";
    }
}

/* ---- a CBC record step by step (clasp_config_set_trace_records) ---- */

typedef struct fields {
    clasp_trace_field f[12];
    size_t n;
    char buf[FIELD_BUF];
    size_t used;
} fields;

static void addf(fields *b, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void addf(fields *b, const char *name, const char *fmt, ...)
{
    va_list ap;
    size_t room = sizeof(b->buf) - b->used;
    if (b->n == sizeof(b->f) / sizeof(b->f[0]) || room < 2)
        return;
    va_start(ap, fmt);
    int w = vsnprintf(b->buf + b->used, room, fmt, ap);
    va_end(ap);
    b->f[b->n++] = (clasp_trace_field){name, b->buf + b->used};
    b->used += w < 0 ? 0 : (size_t)w < room ? (size_t)w + 1 : room;
}

/* n bytes in hex (out holds 2n + 4), then "..." when the whole was longer. */
static const char *hex_shown(char *out, const uint8_t *p, size_t n, size_t whole)
{
    hex(out, p, n);
    if (whole > n)
        strcat(out, "...");
    return out;
}

static void mac_fields(fields *b, const cl_record_steps *st)
{
    static const char *macs[] = {"HMAC-SHA256", "HMAC-SHA384", "HMAC-SHA512", "HMAC-SHA1"};
    const uint8_t *h = st->mac_header;
    char x[2 * CL_MAX_HASH_LEN + 4];
    addf(b, "mac_input",
         "seq_num %02x%02x%02x%02x%02x%02x%02x%02x, type %u, version %02x%02x, length %02x%02x, "
         "then %s",
         h[0], h[1], h[2], h[3], h[4], h[5], h[6], h[7], h[8], h[9], h[10], h[11], h[12],
         st->etm ? "the IV and the ciphertext" : "the fragment");
    addf(b, "mac", "%s, %u bytes: %s", macs[st->mac_alg & 3], st->mac_len,
         hex_shown(x, st->mac, st->mac_len, st->mac_len));
}

static void cipher_fields(fields *b, const cl_record_steps *st)
{
    char x[2 * CL_STEPS_SHOWN + 4];
    addf(b, "padding", "%u bytes of value %u: %s", st->padding_len,
         st->padding_len ? st->padding_len - 1u : 0u,
         hex_shown(x, st->padding, st->padding_len, st->padding_len));
    addf(b, "iv", "%s (random, this record's own)", hex_shown(x, st->iv, 16, 16));
    addf(b, "ciphertext", "%s, %zu bytes: %s", st->cipher ? "AES-256-CBC" : "AES-128-CBC",
         st->ciphertext_len,
         hex_shown(x, st->ciphertext,
                   st->ciphertext_len < CL_STEPS_SHOWN ? st->ciphertext_len : CL_STEPS_SHOWN,
                   st->ciphertext_len));
}

/* The seeds' steps in the order they happened: MAC-then-encrypt or encrypt-then-MAC. */
static void step_fields(fields *b, const cl_record_steps *st, size_t len)
{
    char x[2 * CL_STEPS_SHOWN + 4];
    size_t shown = st->fragment_len < CL_STEPS_SHOWN ? st->fragment_len : CL_STEPS_SHOWN;
    addf(b, "protection", "%s",
         st->etm ? "encrypt-then-MAC (RFC 7366)" : "MAC-then-encrypt (RFC 5246 6.2.3.2)");
    addf(b, "fragment", "%zu bytes (at most 2^14): %s", st->fragment_len,
         hex_shown(x, st->fragment, shown, st->fragment_len));
    addf(b, "compression", "null: never negotiated (CRIME)");
    if (!st->etm)
        mac_fields(b, st);
    cipher_fields(b, st);
    if (st->etm)
        mac_fields(b, st);
    addf(b, "header", "%s: application_data, TLS 1.2, %zu bytes follow",
         hex_shown(x, st->header, CL_RECORD_HEADER_LEN, CL_RECORD_HEADER_LEN), len);
}

void cl_trace_record(clasp_conn *c, int outgoing, uint8_t type, uint16_t version, size_t len,
                     int protected_, const cl_record_steps *steps)
{
    if (!tracing(c))
        return;
    fields b;
    clasp_trace_event ev = {.kind = CLASP_TRACE_RECORD,
                            .outgoing = outgoing,
                            .name = content_type_name(type),
                            .len = len,
                            .content_type = type,
                            .record_version = version,
                            .protected_ = protected_};
    if (steps) {
        b.n = b.used = 0;
        step_fields(&b, steps, len);
        ev.fields = b.f;
        ev.n_fields = b.n;
    }
    emit(c, &ev);
    if (steps)
        cl_wipe(&b, sizeof(b)); /* it held the fragment */
}

void cl_trace_key(clasp_conn *c, const char *name, size_t len)
{
    if (!tracing(c))
        return;
    clasp_trace_event ev = {.kind = CLASP_TRACE_KEY, .outgoing = 1, .name = name, .len = len};
    emit(c, &ev);
}

void cl_trace_alert(clasp_conn *c, int outgoing, uint8_t level, uint8_t description)
{
    if (!tracing(c))
        return;
    char lv[8], num[8];
    snprintf(lv, sizeof(lv), "%s", level == 1 ? "warning" : level == 2 ? "fatal" : "?");
    snprintf(num, sizeof(num), "%u", description);
    const char *name = clasp_alert_name(description);
    clasp_trace_field f[2] = {{"level", lv}, {"description", num}};
    clasp_trace_event ev = {.kind = CLASP_TRACE_ALERT,
                            .outgoing = outgoing,
                            .name = name ? name : "unknown_alert",
                            .fields = f,
                            .n_fields = 2};
    emit(c, &ev);
}

void cl_trace_note(clasp_conn *c, const char *name, int n_pairs, ...)
{
    if (!tracing(c))
        return;
    clasp_trace_field f[8];
    va_list ap;
    va_start(ap, n_pairs);
    size_t n = 0;
    for (int i = 0; i < n_pairs && n < 8; i++, n++) {
        f[n].name = va_arg(ap, const char *);
        f[n].value = va_arg(ap, const char *);
    }
    va_end(ap);
    clasp_trace_event ev = {
        .kind = CLASP_TRACE_NOTE, .outgoing = 1, .name = name, .fields = f, .n_fields = n};
    emit(c, &ev);
}

void cl_trace_verified(clasp_conn *c, const cl_verify_result *res, const char *host)
{
    if (!tracing(c))
        return;
    char anchor[160] = "a configured anchor";
    if (res->anchor_dn_len)
        cl_dn_text(res->anchor_dn, res->anchor_dn_len, anchor, sizeof(anchor));
    cl_trace_note(c, "certificate_verified", 4, "result", "ok", "trust", anchor, "host",
                  host ? host : "(not checked: client certificate)", "from_cache",
                  res->from_cache ? "yes" : "no");
}

void cl_keylog(clasp_conn *c, const char *label, const uint8_t *secret, size_t len)
{
    if (!c->cfg || !c->cfg->keylog_cb || !c->hs || len > CL_MAX_SECRET_LEN)
        return;
    /* "LABEL " + 64 hex digits of the client random + " " + the secret in hex */
    char line[48 + 1 + 64 + 1 + 2 * CL_MAX_SECRET_LEN + 1];
    size_t n = (size_t)snprintf(line, sizeof(line), "%s ", label);
    hex(line + n, c->hs->client_random, sizeof(c->hs->client_random));
    n += 2 * sizeof(c->hs->client_random);
    line[n++] = ' ';
    hex(line + n, secret, len);
    c->cfg->keylog_cb(c->cfg->keylog_arg, c, line);
    cl_wipe(line, sizeof(line));
}

const char *cl_trace_message_name(const uint8_t *msg, size_t len)
{
    if (len >= CL_HS_HEADER_LEN + 2 + CL_RANDOM_LEN && msg[0] == CL_HS_SERVER_HELLO &&
        memcmp(msg + CL_HS_HEADER_LEN + 2, cl_hrr_random, CL_RANDOM_LEN) == 0)
        return "HelloRetryRequest";
    return cl_hs_type_name(msg[0]);
}
