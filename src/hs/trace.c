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

void cl_trace_record(clasp_conn *c, int outgoing, uint8_t type, uint16_t version, size_t len,
                     int protected_)
{
    if (!tracing(c))
        return;
    clasp_trace_event ev = {.kind = CLASP_TRACE_RECORD,
                            .outgoing = outgoing,
                            .name = content_type_name(type),
                            .len = len,
                            .content_type = type,
                            .record_version = version,
                            .protected_ = protected_};
    emit(c, &ev);
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

static void hex(char *out, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n; i++) {
        out[2 * i] = digits[p[i] >> 4];
        out[2 * i + 1] = digits[p[i] & 15];
    }
    out[2 * n] = 0;
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
