/* The public connection API: the sans-I/O pump and the queries. */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/trace.h"

static void record_observer(void *arg, int outgoing, uint8_t type, uint16_t version, size_t len,
                            int protected_, const cl_record_steps *steps)
{
    cl_trace_record(arg, outgoing, type, version, len, protected_, steps);
}

clasp_conn *clasp_conn_new(clasp_config *cfg)
{
    if (!cfg)
        return NULL;
    clasp_conn *c = cl_calloc(1, sizeof(*c));
    cl_hs *hs = cl_calloc(1, sizeof(*hs));
    if (!c || !hs) {
        cl_free(c, sizeof(*c));
        cl_free(hs, sizeof(*hs));
        return NULL;
    }
    atomic_store(&cfg->frozen, 1);
    c->cfg = clasp_config_up_ref(cfg);
    c->role = cfg->role;
    c->hs = hs;
    hs->state = c->role == CLASP_CLIENT ? CL_C_START : CL_S_WAIT_CH;
    c->alert_sent = c->alert_received = -1;
    c->fd = -1;
    cl_rl_init(&c->rl);
    c->rl.observe = record_observer;
    c->rl.observe_arg = c;
    c->rl.trace_steps = cfg->trace_cb ? cfg->trace_records : 0;
    return c;
}

static void free_str(char *s)
{
    if (s)
        cl_free(s, strlen(s) + 1);
}

void clasp_conn_free(clasp_conn *c)
{
    if (!c)
        return;
    cl_hs_free(c->hs);
    cl_rl_free(&c->rl);
    cl_writer_free(&c->hsin);
    for (size_t i = 0; i < c->n_peer_chain; i++)
        cl_free(c->peer_chain[i].der, c->peer_chain[i].len);
    cl_free(c->peer_chain, c->n_peer_chain * sizeof(cl_cert_der));
    free_str(c->alpn);
    free_str(c->server_name);
    cl_free(c->detail, CL_DETAIL_LEN);
    for (size_t i = 0; i < c->n_tickets; i++)
        cl_session_unref(c->tickets[i]);
    cl_session_unref(c->session);
    cl_free(c->issued, CL_MAX_TICKETS * CL_SESSION_ID_LEN);
    clasp_config_free(c->cfg);
    cl_free_secret(c, sizeof(*c)); /* traffic secrets, resumption secret */
}

int clasp_conn_set_server_name(clasp_conn *c, const char *name)
{
    CL_CHECK(c && name && *name && strlen(name) <= 255, CLASP_ERR_INVALID_ARG);
    CL_CHECK(c->role == CLASP_CLIENT && !c->started, CLASP_ERR_STATE);
    /* A DNS name or an IP address, as the verifier will read it; "010.0.0.1" is neither. */
    cl_host h;
    CL_TRY(cl_host_parse(name, &h));
    size_t len = h.len; /* RFC 6066 3: the name is sent without its trailing dot */
    char *copy = cl_alloc(len + 1);
    CL_CHECK(copy, CLASP_ERR_NOMEM);
    memcpy(copy, name, len);
    copy[len] = 0;
    free_str(c->server_name);
    c->server_name = copy;
    return 0;
}

int clasp_conn_set_config(clasp_conn *c, clasp_config *cfg)
{
    CL_CHECK(c && cfg && cfg->role == c->role, CLASP_ERR_INVALID_ARG);
    /* Only while the ClientHello is being answered (from the servername callback). */
    CL_CHECK(c->role == CLASP_SERVER && c->hs && c->hs->state == CL_S_WAIT_CH, CLASP_ERR_STATE);
    atomic_store(&cfg->frozen, 1);
    clasp_config_up_ref(cfg);
    clasp_config_free(c->cfg);
    c->cfg = cfg;
    return 0;
}

/* ---- the pump ---- */

static int start(clasp_conn *c)
{
    if (c->started)
        return c->err;
    if (c->role == CLASP_CLIENT && !c->server_name)
        return CLASP_ERR_STATE; /* nothing to verify the certificate against */
    return cl_engine_start(c);
}

int clasp_conn_feed(clasp_conn *c, const uint8_t *in, size_t len, size_t *consumed)
{
    *consumed = 0;
    CL_TRY(start(c));
    while (!c->err) {
        size_t n = 0;
        int rc = cl_rl_feed(&c->rl, in + *consumed, len - *consumed, &n);
        if (rc)
            return cl_fail(c, rc, "buffering received data");
        *consumed += n;
        CL_TRY(cl_engine_process(c));
        if (n == 0 || *consumed == len)
            break;
    }
    return c->err;
}

int clasp_conn_feed_eof(clasp_conn *c)
{
    if (c->close_received)
        return CLASP_ERR_CLOSED;
    return cl_fail(c, CLASP_ERR_TRUNCATED, "the transport closed without close_notify");
}

void clasp_conn_output(clasp_conn *c, const uint8_t **out, size_t *len)
{
    start(c);
    cl_rl_output(&c->rl, out, len);
}

void clasp_conn_output_done(clasp_conn *c, size_t n)
{
    cl_rl_output_done(&c->rl, n);
}

int clasp_conn_handshake_done(const clasp_conn *c)
{
    return c->handshake_done && !c->err;
}

int clasp_conn_read(clasp_conn *c, uint8_t *buf, size_t len, size_t *n)
{
    *n = 0;
    CL_TRY(start(c));
    if (!c->have_cur)
        CL_TRY(cl_engine_process(c)); /* records left behind by an earlier read */
    if (!c->have_cur && c->close_received)
        return CLASP_ERR_CLOSED;
    if (!c->have_cur) /* nothing to read until the output drains, or until more arrives */
        return cl_engine_output_blocked(c) ? CLASP_WANT_WRITE : CLASP_WANT_READ;
    size_t left = c->cur.len - c->cur_off;
    *n = len < left ? len : left;
    memcpy(buf, c->cur.data + c->cur_off, *n);
    c->cur_off += *n;
    if (c->cur_off == c->cur.len) {
        c->have_cur = 0;
        cl_rl_release(&c->rl);
    }
    return 0;
}

/*
 * RFC 8446 5.5: "Implementations SHOULD do a key update as described in Section 4.6.3 prior
 * to reaching these limits." TLS 1.3 sends a KeyUpdate; TLS 1.2 has no way to change keys
 * (renegotiation is refused) and ends the connection with close_notify instead.
 */
static int retire_write_key(clasp_conn *c)
{
    if (c->version == CL_TLS13_VERSION) {
        int rc = cl_13_request_key_update(c, 0);
        return rc ? cl_fail(c, rc, "automatic KeyUpdate") : 0;
    }
    return cl_fail(c, CLASP_ERR_KEY_LIMIT,
                   "%llu records under one AES-GCM key, the most RFC 8446 5.5 allows with our "
                   "margin; TLS 1.2 cannot change keys, so the connection ends",
                   (unsigned long long)c->rl.wprot.seq);
}

int clasp_conn_write(clasp_conn *c, const uint8_t *buf, size_t len, size_t *n)
{
    *n = 0;
    CL_TRY(c->err);
    CL_CHECK(c->handshake_done && !c->close_sent, CLASP_ERR_STATE);
    while (*n < len) {
        if (cl_rl_write_key_spent(&c->rl)) {
            int rc = retire_write_key(c);
            if (rc)
                return *n ? 0 : rc; /* what was taken is sent; the error shows next call */
        }
        size_t chunk = len - *n < c->rl.max_frag_out ? len - *n : c->rl.max_frag_out;
        int rc = cl_rl_write(&c->rl, CL_CT_APPLICATION_DATA, buf + *n, chunk);
        if (rc == CLASP_WANT_WRITE)
            return *n ? 0 : CLASP_WANT_WRITE;
        if (rc)
            return cl_fail(c, rc, "protecting application data");
        *n += chunk;
    }
    return 0;
}

int clasp_conn_close(clasp_conn *c)
{
    if (c->close_sent || c->alert_sent >= 0)
        return 0;
    c->close_sent = 1;
    return cl_send_alert(c, CLASP_ALERT_CLOSE_NOTIFY);
}

int clasp_conn_key_update(clasp_conn *c, int request_peer)
{
    CL_TRY(c->err);
    CL_CHECK(c->handshake_done && c->version == CL_TLS13_VERSION && !c->close_sent,
             CLASP_ERR_STATE);
    int rc = cl_13_request_key_update(c, request_peer);
    return rc ? cl_fail(c, rc, "KeyUpdate") : 0;
}

/* ---- queries ---- */

uint16_t clasp_conn_version(const clasp_conn *c)
{
    return c->version;
}

uint16_t clasp_conn_cipher_suite(const clasp_conn *c)
{
    return c->suite;
}

uint16_t clasp_conn_group(const clasp_conn *c)
{
    return c->group;
}

uint16_t clasp_conn_peer_signature_scheme(const clasp_conn *c)
{
    return c->peer_scheme;
}

const char *clasp_conn_alpn(const clasp_conn *c)
{
    return c->alpn;
}

const char *clasp_conn_server_name(const clasp_conn *c)
{
    return c->server_name;
}

int clasp_conn_resumed(const clasp_conn *c)
{
    return c->resumed;
}

int clasp_conn_encrypt_then_mac(const clasp_conn *c)
{
    /* Both directions are set from one negotiation: the read side answers once it has keys. */
    const cl_record_prot *p = c->rl.rprot.active ? &c->rl.rprot : &c->rl.wprot;
    return p->active && p->cbc_mode && p->etm;
}

size_t clasp_conn_peer_cert_count(const clasp_conn *c)
{
    return c->n_peer_chain;
}

const uint8_t *clasp_conn_peer_cert(const clasp_conn *c, size_t i, size_t *len)
{
    if (i >= c->n_peer_chain)
        return NULL;
    *len = c->peer_chain[i].len;
    return c->peer_chain[i].der;
}

int clasp_conn_peer_cert_summary(const clasp_conn *c, size_t i, char *buf, size_t cap)
{
    CL_CHECK(i < c->n_peer_chain && buf && cap, CLASP_ERR_INVALID_ARG);
    return cl_cert_summary(c->peer_chain[i].der, c->peer_chain[i].len, buf, cap);
}

int clasp_conn_error(const clasp_conn *c)
{
    return c->err;
}

const char *clasp_conn_error_detail(const clasp_conn *c)
{
    if (!c->err)
        return "no error";
    return c->detail && c->detail[0] ? c->detail : clasp_strerror(c->err);
}

int clasp_conn_alert_sent(const clasp_conn *c)
{
    return c->alert_sent;
}

int clasp_conn_alert_received(const clasp_conn *c)
{
    return c->alert_received;
}
