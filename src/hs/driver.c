/*
 * The driver: takes records from the record layer, reassembles handshake messages, decides
 * in one place whether each message is expected (anything not in the tables is
 * unexpected_message), runs its handler, and handles alerts, ChangeCipherSpec and
 * application data records. The first error is sticky and sends its alert.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/resume.h"
#include "hs/trace.h"

#define T_KEY_CHANGE 1 /* the peer's keys change after this message: it must end its record */
#define T_CCS        2 /* TLS 1.2: the row is for a ChangeCipherSpec record, not a message */

struct transition {
    cl_hs_state state;
    uint8_t type;
    cl_handler fn;
    uint8_t flags;
    uint16_t version; /* the negotiated version the row applies to; 0 for any */
};

#define V13 CL_TLS13_VERSION
#define V12 CL_TLS12_VERSION

/* RFC 8446 2, A.1; RFC 5246 7.3 (with the abbreviated handshake's CCS and Finished). */
static const struct transition client_table[] = {
    {CL_C_WAIT_SH, CL_HS_SERVER_HELLO, cl_c13_server_hello, T_KEY_CHANGE, 0},
    {CL_C_WAIT_EE, CL_HS_ENCRYPTED_EXTENSIONS, cl_c13_encrypted_extensions, 0, V13},
    {CL_C_WAIT_CERT_CR, CL_HS_CERTIFICATE_REQUEST, cl_c13_certificate_request, 0, V13},
    {CL_C_WAIT_CERT_CR, CL_HS_CERTIFICATE, cl_c13_certificate, 0, V13},
    {CL_C_WAIT_CERT, CL_HS_CERTIFICATE, cl_c13_certificate, 0, V13},
    {CL_C_WAIT_CV, CL_HS_CERTIFICATE_VERIFY, cl_c13_certificate_verify, 0, V13},
    {CL_C_WAIT_FINISHED, CL_HS_FINISHED, cl_c13_finished, T_KEY_CHANGE, V13},
    {CL_CONNECTED, CL_HS_NEW_SESSION_TICKET, cl_c13_new_session_ticket, 0, V13},
    {CL_CONNECTED, CL_HS_KEY_UPDATE, cl_13_key_update, T_KEY_CHANGE, V13},
    {CL_C12_WAIT_CERT, CL_HS_CERTIFICATE, cl_c12_certificate, 0, V12},
    {CL_C12_WAIT_SKE, CL_HS_SERVER_KEY_EXCHANGE, cl_c12_server_key_exchange, 0, V12},
    {CL_C12_WAIT_CR_DONE, CL_HS_CERTIFICATE_REQUEST, cl_c12_certificate_request, 0, V12},
    {CL_C12_WAIT_CR_DONE, CL_HS_SERVER_HELLO_DONE, cl_c12_server_hello_done, 0, V12},
    {CL_C12_WAIT_DONE, CL_HS_SERVER_HELLO_DONE, cl_c12_server_hello_done, 0, V12},
    {CL_C12_WAIT_NST, CL_HS_NEW_SESSION_TICKET, cl_c12_new_session_ticket, 0, V12},
    {CL_C12_WAIT_CCS, 0, cl_c12_change_cipher_spec, T_CCS, V12},
    {CL_C12_WAIT_FINISHED, CL_HS_FINISHED, cl_c12_finished, 0, V12},
};

static const struct transition server_table[] = {
    {CL_S_WAIT_CH, CL_HS_CLIENT_HELLO, cl_s_client_hello, T_KEY_CHANGE, 0},
    {CL_S_WAIT_CH2, CL_HS_CLIENT_HELLO, cl_s_client_hello, T_KEY_CHANGE, V13},
    {CL_S_WAIT_CERT, CL_HS_CERTIFICATE, cl_s13_certificate, 0, V13},
    {CL_S_WAIT_CV, CL_HS_CERTIFICATE_VERIFY, cl_s13_certificate_verify, 0, V13},
    {CL_S_WAIT_FINISHED, CL_HS_FINISHED, cl_s13_finished, T_KEY_CHANGE, V13},
    {CL_CONNECTED, CL_HS_KEY_UPDATE, cl_13_key_update, T_KEY_CHANGE, V13},
    {CL_S12_WAIT_CERT, CL_HS_CERTIFICATE, cl_s12_certificate, 0, V12},
    {CL_S12_WAIT_CKE, CL_HS_CLIENT_KEY_EXCHANGE, cl_s12_client_key_exchange, 0, V12},
    {CL_S12_WAIT_CV, CL_HS_CERTIFICATE_VERIFY, cl_s12_certificate_verify, 0, V12},
    {CL_S12_WAIT_CCS, 0, cl_s12_change_cipher_spec, T_CCS, V12},
    {CL_S12_WAIT_FINISHED, CL_HS_FINISHED, cl_s12_finished, 0, V12},
};

/* Records that carry nothing (empty, ignored CCS, warning alerts) allowed in a row. */
#define MAX_EMPTY_RECORDS 32
/* Handshake messages larger than this are refused before they are buffered. */
#define MAX_HS_MESSAGE (65536 + 1024)
/* A hard stop for the reassembly buffer; each message's own limit is checked on its header. */
#define MAX_REASSEMBLY ((1u << 24) + 65536)
/* The largest legal ClientHello: every vector at its maximum (RFC 8446 4.1.2). */
#define MAX_CLIENT_HELLO (2 + 32 + 1 + 32 + 2 + 65534 + 1 + 255 + 2 + 65535)

static cl_hs_state current_state(const clasp_conn *c)
{
    return c->hs ? c->hs->state : CL_CONNECTED;
}

/* The row for a handshake message of this type (ccs = 0), or for a CCS record (ccs = 1). */
static const struct transition *find_transition(const clasp_conn *c, uint8_t type, int ccs)
{
    const struct transition *t = c->role == CLASP_CLIENT ? client_table : server_table;
    size_t n = c->role == CLASP_CLIENT ? sizeof(client_table) / sizeof(client_table[0])
                                       : sizeof(server_table) / sizeof(server_table[0]);
    cl_hs_state s = current_state(c);
    for (size_t i = 0; i < n; i++) {
        if (t[i].state != s || (t[i].version && t[i].version != c->version))
            continue;
        if (ccs ? (t[i].flags & T_CCS) != 0 : (!(t[i].flags & T_CCS) && t[i].type == type))
            return &t[i];
    }
    return NULL;
}

__attribute__((format(printf, 2, 0))) static void vset_detail(clasp_conn *c, const char *fmt,
                                                              va_list ap)
{
    if (!c->detail)
        c->detail = cl_alloc(CL_DETAIL_LEN); /* out of memory: the error's name will do */
    if (c->detail)
        vsnprintf(c->detail, CL_DETAIL_LEN, fmt, ap);
}

void cl_set_detail(clasp_conn *c, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vset_detail(c, fmt, ap);
    va_end(ap);
}

int cl_fail(clasp_conn *c, int err, const char *fmt, ...)
{
    if (c->err)
        return c->err;
    c->err = err;
    va_list ap;
    va_start(ap, fmt);
    vset_detail(c, fmt, ap);
    va_end(ap);
    int alert = clasp_err_alert(err);
    const char *alert_name = alert >= 0 ? clasp_alert_name(alert) : NULL;
    cl_trace_note(c, "failure", 3, "error", clasp_strerror(err), "detail",
                  c->detail ? c->detail : clasp_strerror(err), "alert",
                  alert_name ? alert_name : "none");
    if (alert >= 0 || err == CLASP_ERR_ALERT_RECEIVED) /* RFC 5246 7.2: not resumed again */
        cl_drop_sessions(c);
    if (alert >= 0 && c->alert_sent < 0)
        cl_send_alert(c, alert);
    return err;
}

void cl_hs_free(cl_hs *hs)
{
    if (!hs)
        return;
    cl_tr_free(&hs->tr);
    for (size_t i = 0; i < hs->n_kex; i++)
        cl_kex_free(hs->kex[i]);
    cl_free(hs->cookie, hs->cookie_len);
    cl_free(hs->ch1, hs->ch1_len);
    cl_ks13_clear(&hs->ks);
    cl_pubkey_free(hs->peer_key);
    cl_hmac_free(hs->master_mac);
    if (hs->session) {
        cl_session_clear(hs->session);
        cl_free(hs->session, sizeof(*hs->session));
    }
    cl_session_unref(hs->offer);
    cl_free(hs->ticket12, hs->ticket12_len);
    cl_writer_free(&hs->out);
    cl_free_secret(hs, sizeof(*hs));
}

/* The largest a message of this type may be. */
static size_t max_message(const clasp_conn *c, uint8_t type)
{
    if (type == CL_HS_CLIENT_HELLO)
        return MAX_CLIENT_HELLO;
    if (type == CL_HS_CERTIFICATE)
        return c->cfg->max_cert_chain + 1024;
    return MAX_HS_MESSAGE;
}

/* Runs one complete message through its handler, then enforces the key-change rule. */
static int run_message(clasp_conn *c, const struct transition *t, const uint8_t *m, size_t len,
                       size_t left_after)
{
    /*
     * RFC 8446 5.1: a message that precedes a key change must end its record. Checked
     * before the handler runs, so nothing is answered to a flight that breaks the rule; a
     * hello's row holds for both versions, and only TLS 1.3 changes keys after it (a TLS
     * 1.2 ServerHello shares its record with the Certificate), so there the check waits
     * until the handler has settled the version.
     */
    cl_trace_message(c, 0, m, len);
    int key_change = (t->flags & T_KEY_CHANGE) && left_after;
    if (key_change && t->version)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE,
                       "handshake data follows %s in the same record", cl_hs_type_name(m[0]));
    int rc = t->fn(c, m, len);
    if (rc)
        return cl_fail(c, rc, "%s: %s", cl_hs_type_name(m[0]), clasp_strerror(rc));
    if (key_change && c->version == CL_TLS13_VERSION)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE,
                       "handshake data follows %s in the same record", cl_hs_type_name(m[0]));
    if (c->hs && c->hs->state == CL_CONNECTED) {
        cl_hs_free(c->hs); /* the handshake is over: drop its state */
        c->hs = NULL;
    }
    return 0;
}

/* Counts a record that carried nothing; a flood of them is refused. */
static int count_empty(clasp_conn *c, const char *what)
{
    if (++c->empty_records > MAX_EMPTY_RECORDS)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "too many %s records in a row", what);
    return 0;
}

/*
 * TLS 1.2 renegotiation is refused (RFC 5746 makes it safe, but nothing here needs it): a
 * HelloRequest, which a client ignores while it negotiates (RFC 5246 7.4.1.1; 7.4.1.2: also
 * before the ServerHello, when it offered TLS 1.2), or a ClientHello on a finished
 * handshake, which a server answers with no_renegotiation.
 */
static int renegotiation(const clasp_conn *c, uint8_t type)
{
    if (c->role == CLASP_CLIENT)
        return type == CL_HS_HELLO_REQUEST &&
               (c->version == CL_TLS12_VERSION ||
                (c->version == 0 && cl_cfg_speaks(c->cfg, CL_TLS12_VERSION)));
    return c->version == CL_TLS12_VERSION && type == CL_HS_CLIENT_HELLO && c->handshake_done;
}

/*
 * Checked on the header, before the body is awaited (and buffered). A length no message of
 * its type can have is one that does not parse: RFC 8446 6, "Peers which receive a message
 * which cannot be parsed according to the syntax (e.g., have ... an out-of-range length)
 * MUST terminate the connection with a "decode_error" alert".
 */
static int check_size(clasp_conn *c, uint8_t type, size_t len)
{
    if (len > max_message(c, type))
        return cl_fail(c, CLASP_ERR_DECODE, "%s of %zu bytes is over the limit",
                       cl_hs_type_name(type), len);
    return 0;
}

static int check_renegotiation(clasp_conn *c, uint8_t type, size_t len)
{
    if (type == CL_HS_HELLO_REQUEST && len != 0)
        return cl_fail(c, CLASP_ERR_DECODE, "HelloRequest with a body");
    return check_size(c, type, len);
}

/*
 * Each request is answered (or ignored) without application data in between: a flood is
 * refused like one of empty records. Not counted per record (a record with a handshake
 * message counts as one that carries something): only application data resets the count.
 */
static int refuse_renegotiation(clasp_conn *c)
{
    if (++c->renegotiations > MAX_EMPTY_RECORDS)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "too many renegotiation requests");
    if (!c->handshake_done) /* ignored while negotiating */
        return 0;
    int rc = cl_send_warning(c, CLASP_ALERT_NO_RENEGOTIATION);
    return rc ? cl_fail(c, rc, "sending no_renegotiation") : 0;
}

/* Handles every complete message in the reassembly buffer. */
static int process_messages(clasp_conn *c)
{
    size_t pos = 0;
    int rc = 0;
    while (rc == 0 && c->hsin.len - pos >= CL_HS_HEADER_LEN) {
        const uint8_t *m = c->hsin.buf + pos;
        size_t len = (size_t)m[1] << 16 | (size_t)m[2] << 8 | m[3];
        const struct transition *t = find_transition(c, m[0], 0);
        if (!t && renegotiation(c, m[0])) {
            rc = check_renegotiation(c, m[0], len);
            if (rc || c->hsin.len - pos - CL_HS_HEADER_LEN < len)
                break;
            pos += CL_HS_HEADER_LEN + len;
            cl_trace_message(c, 0, m, CL_HS_HEADER_LEN + len);
            rc = refuse_renegotiation(c);
            continue;
        }
        if (!t) {
            rc = cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "unexpected %s message",
                         cl_hs_type_name(m[0]));
            break;
        }
        if ((rc = check_size(c, m[0], len)) != 0)
            break;
        if (c->hsin.len - pos - CL_HS_HEADER_LEN < len)
            break; /* the rest arrives in later records */
        pos += CL_HS_HEADER_LEN + len;
        rc = run_message(c, t, m, CL_HS_HEADER_LEN + len, c->hsin.len - pos);
    }
    if (rc == 0 && pos)
        cl_writer_consume(&c->hsin, pos);
    return rc;
}

static int handle_handshake(clasp_conn *c, const cl_record *rec)
{
    /* RFC 8446 5.1: no zero-length handshake fragments. */
    if (rec->len == 0)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "empty handshake record");
    c->empty_records = 0;
    int rc = cl_writer_append(&c->hsin, rec->data, rec->len, MAX_REASSEMBLY);
    if (rc)
        return cl_fail(c, rc, "handshake reassembly");
    return process_messages(c);
}

static int handle_alert(clasp_conn *c, const cl_record *rec)
{
    /* RFC 8446 5.4: an Alert record with no content is unexpected_message. */
    if (rec->len == 0)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "empty alert record");
    /* RFC 8446 5.1: one alert per record, never fragmented. */
    if (rec->len != 2)
        return cl_fail(c, CLASP_ERR_DECODE, "alert record of %zu bytes", rec->len);
    uint8_t level = rec->data[0], desc = rec->data[1];
    c->alert_received = desc;
    cl_trace_alert(c, 0, level, desc);
    if (desc == CLASP_ALERT_CLOSE_NOTIFY) {
        c->close_received = 1;
        if (!c->handshake_done)
            return cl_fail(c, CLASP_ERR_CLOSED,
                           "the peer closed the connection during the handshake");
        return 0;
    }
    /*
     * RFC 8446 6: in TLS 1.3 every alert but close_notify and user_canceled is fatal,
     * whatever its level. In TLS 1.2 warnings are only warnings.
     */
    int warning =
        desc == CLASP_ALERT_USER_CANCELED || (c->version != CL_TLS13_VERSION && level == 1);
    if (warning)
        return count_empty(c, "warning alert");
    const char *name = clasp_alert_name(desc);
    if (name)
        return cl_fail(c, CLASP_ERR_ALERT_RECEIVED, "the peer sent the alert %s", name);
    return cl_fail(c, CLASP_ERR_ALERT_RECEIVED, "the peer sent alert %u", desc);
}

/* Whether the compatibility ChangeCipherSpec may arrive now (RFC 8446 5, D.4). */
static int ccs_window(const clasp_conn *c)
{
    cl_hs_state s = current_state(c);
    if (c->role == CLASP_CLIENT)
        return s >= CL_C_WAIT_SH && s <= CL_C_WAIT_FINISHED;
    return s >= CL_S_WAIT_CH2 && s <= CL_S_WAIT_FINISHED;
}

/*
 * TLS 1.2: a ChangeCipherSpec is a step of the state machine, accepted only where the table
 * has it (an early one, as in CVE-2014-0224, is unexpected_message); it switches the read
 * keys, so no handshake message may straddle it (the caller checks that).
 */
static int handle_ccs12(clasp_conn *c, const cl_record *rec)
{
    const struct transition *t = find_transition(c, 0, 1);
    if (!t)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "unexpected change_cipher_spec");
    int rc = t->fn(c, rec->data, rec->len);
    return rc ? cl_fail(c, rc, "ChangeCipherSpec: %s", clasp_strerror(rc)) : 0;
}

static int handle_ccs(clasp_conn *c, const cl_record *rec)
{
    cl_trace_ccs(c, 0);
    if (c->version == CL_TLS12_VERSION)
        return handle_ccs12(c, rec);
    /*
     * RFC 8446 5: an unprotected change_cipher_spec of the single byte 1, after the first
     * ClientHello and before the peer's Finished, is dropped; anything else is
     * unexpected_message.
     */
    if (rec->protected_ || !ccs_window(c))
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "unexpected change_cipher_spec");
    if (rec->len != 1 || rec->data[0] != 1)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "malformed change_cipher_spec");
    return count_empty(c, "change_cipher_spec");
}

static int handle_app_data(clasp_conn *c, const cl_record *rec)
{
    if (!c->handshake_done)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "application data before the handshake");
    if (c->close_received)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "application data after close_notify");
    if (rec->len == 0)
        return count_empty(c, "empty application data");
    c->empty_records = 0;
    c->key_updates = 0;
    c->renegotiations = 0;
    c->cur = *rec;
    c->cur_off = 0;
    c->have_cur = 1;
    return 0;
}

static int handle_record(clasp_conn *c, const cl_record *rec)
{
    /* RFC 8446 5.1: a handshake message split over records admits no other record between. */
    if (rec->type != CL_CT_HANDSHAKE && c->hsin.len > 0)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE,
                       "a record interrupts a fragmented handshake message");
    switch (rec->type) {
    case CL_CT_HANDSHAKE: return handle_handshake(c, rec);
    case CL_CT_ALERT: return handle_alert(c, rec);
    case CL_CT_CHANGE_CIPHER_SPEC: return handle_ccs(c, rec);
    case CL_CT_APPLICATION_DATA: return handle_app_data(c, rec);
    default: return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "unknown record type %u", rec->type);
    }
}

int cl_engine_output_blocked(const clasp_conn *c)
{
    /* Application data alone never passes tmax (cl_rl_write refuses it); only answers do. */
    return c->handshake_done && cl_rl_output_len(&c->rl) > c->rl.tmax;
}

int cl_engine_process(clasp_conn *c)
{
    while (!c->err && !c->have_cur && !c->close_received && !cl_engine_output_blocked(c)) {
        cl_record rec;
        int rc = cl_rl_read(&c->rl, &rec);
        if (rc == CLASP_WANT_READ)
            break;
        if (rc)
            return cl_fail(c, rc, "record layer: %s", c->rl.why ? c->rl.why : clasp_strerror(rc));
        rc = handle_record(c, &rec);
        if (!c->have_cur)
            cl_rl_release(&c->rl);
    }
    if (!c->err && c->hs) {
        int rc = cl_hs_flush(c);
        if (rc)
            return cl_fail(c, rc, "sending the handshake");
    }
    return c->err;
}

int cl_engine_start(clasp_conn *c)
{
    if (c->started || c->err)
        return c->err;
    c->started = 1;
    if (c->role == CLASP_SERVER)
        return 0;
    int rc = cl_c13_client_hello(c);
    if (rc == 0)
        rc = cl_hs_flush(c);
    return rc ? cl_fail(c, rc, "ClientHello: %s", clasp_strerror(rc)) : 0;
}
