/*
 * The TLS 1.2 server (RFC 5246 7.3, 7.4; RFC 8422; RFC 7627; RFC 5746; RFC 8446 4.1.3): the
 * ClientHello's negotiation once TLS 1.2 is chosen, resumption by session ID, the server's
 * flight, and the client's Certificate, ClientKeyExchange (ECDHE, DHE over an RFC 7919
 * group, or RSA with implicit rejection), CertificateVerify, ChangeCipherSpec and Finished.
 */
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/resume.h"
#include "hs/trace.h"

static const uint8_t downgrade_tls12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};

#define SCSV_EMPTY_RENEGOTIATION_INFO 0x00ff

/* ---- what the ClientHello offers ---- */

static int offers_null_compression(const cl_client_hello *ch)
{
    cl_reader list = ch->compression;
    uint8_t m;
    while (cl_read_u8(&list, &m) == 0)
        if (m == 0)
            return 1;
    return 0;
}

/* RFC 5746 3.6: the SCSV or an empty renegotiation_info; a non-empty one fails. */
static int secure_renegotiation(clasp_conn *c, const cl_client_hello *ch, int *offered)
{
    const uint8_t *ri;
    size_t ri_len;
    *offered = cl_ch_offers_suite(ch, SCSV_EMPTY_RENEGOTIATION_INFO);
    if (!cl_exts_has(&ch->exts, CL_EXTI_RENEGOTIATION_INFO))
        return 0;
    CL_TRY(cl_ext_renegotiation_info(cl_exts_get(&ch->exts, CL_EXTI_RENEGOTIATION_INFO), &ri,
                                     &ri_len));
    if (ri_len != 0)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE, "renegotiation_info is not empty");
    *offered = 1;
    return 0;
}

/* RFC 8422 5.1.2: a client that sends ec_point_formats must include uncompressed. */
static int point_formats(clasp_conn *c, const cl_client_hello *ch)
{
    cl_reader formats;
    uint8_t f = 1;
    if (!cl_exts_has(&ch->exts, CL_EXTI_EC_POINT_FORMATS))
        return 0;
    CL_TRY(cl_ext_ec_point_formats(cl_exts_get(&ch->exts, CL_EXTI_EC_POINT_FORMATS), &formats));
    while (f != 0 && cl_read_u8(&formats, &f) == 0)
        ;
    if (f != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "ec_point_formats without uncompressed");
    return 0;
}

/* The client's signature schemes; RFC 5246 7.4.1.4.1's SHA-1 default is not supported. */
static int client_schemes(clasp_conn *c, const cl_client_hello *ch)
{
    c->hs->n_peer_schemes = 0;
    if (!cl_exts_has(&ch->exts, CL_EXTI_SIGNATURE_ALGORITHMS))
        return 0;
    return cl_peer_signature_algorithms(c, cl_exts_get(&ch->exts, CL_EXTI_SIGNATURE_ALGORITHMS));
}

/* Keeps the client's supported_groups: they bound the ECDHE group and ECDSA certificates. */
static int client_groups(clasp_conn *c, const cl_client_hello *ch)
{
    cl_reader list;
    if (!cl_exts_has(&ch->exts, CL_EXTI_SUPPORTED_GROUPS))
        return 0;
    return cl_peer_supported_groups(c, cl_exts_get(&ch->exts, CL_EXTI_SUPPORTED_GROUPS), &list);
}

/* The groups both sides take, in the order that decides (all of ours without the extension). */
static size_t usable_groups(const clasp_conn *c, uint16_t out[CL_MAX_GROUPS])
{
    if (c->hs->peer_groups_sent)
        return cl_s_common_groups(c, out);
    memcpy(out, c->cfg->groups, c->cfg->n_groups * sizeof(uint16_t));
    return c->cfg->n_groups;
}

/* The first usable group of a kind: a curve (RFC 8422 4: without the extension, any curve
 * will do), or an FFDHE group (RFC 7919 4). */
static uint16_t first_group(const uint16_t *groups, size_t n, int ffdhe)
{
    for (size_t i = 0; i < n; i++)
        if (CL_GROUP_IS_FFDHE(groups[i]) == ffdhe)
            return groups[i];
    return 0;
}

/* The groups a TLS 1.2 suite could use, one per kind of key exchange. */
typedef struct kx_groups {
    uint16_t ec, dh;
} kx_groups;

/*
 * RFC 7919 4: a client that lists an FFDHE group (any code point 256..511, known or not)
 * gets one it listed or no DHE suite; one that lists none does not know RFC 7919, and "a
 * server MAY ... select an FFDHE cipher suite and offer an FFDHE group of its choice": ours.
 */
static kx_groups choose_groups(const clasp_conn *c)
{
    uint16_t groups[CL_MAX_GROUPS];
    size_t n = usable_groups(c, groups);
    kx_groups g = {first_group(groups, n, 0), first_group(groups, n, 1)};
    if (!c->hs->peer_ffdhe_sent)
        g.dh = first_group(c->cfg->groups, c->cfg->n_groups, 1);
    return g;
}

/*
 * RFC 7919 4: "the server SHOULD select an FFDHE group at least as strong as the server's
 * public key": the first the client listed (in the order that decides) whose prime is at
 * least as long as the RSA modulus, else the first.
 */
static uint16_t dh_group_for_key(const clasp_conn *c, uint16_t first)
{
    uint16_t groups[CL_MAX_GROUPS];
    size_t n = c->hs->peer_ffdhe_sent ? cl_s_common_groups(c, groups) : 0;
    unsigned bits = cl_privkey_bits(c->hs->cred->key);
    for (size_t i = 0; i < n; i++)
        if (CL_GROUP_IS_FFDHE(groups[i]) && cl_kex_public_len(groups[i]) * 8 >= bits)
            return groups[i];
    return first;
}

/* Whether a suite can be served: a credential for its key exchange, and a group. */
static int can_serve(clasp_conn *c, const cl_suite *s, const kx_groups *g)
{
    switch (s->kx) {
    case CL_KX_RSA: return cl_12_choose_rsa_credential(c) == 0;
    case CL_KX_DHE_RSA: return g->dh && cl_12_choose_credential(c, 1) == 0;
    case CL_KX_ECDHE_ECDSA: return g->ec && cl_12_choose_credential(c, 2) == 0;
    default: return g->ec && cl_12_choose_credential(c, 1) == 0;
    }
}

static int tls12_suite(clasp_conn *c, const cl_suite *s, void *groups)
{
    return s->version == CL_TLS12_VERSION && can_serve(c, s, groups);
}

/* Whether the client offers a DHE suite that we enable. */
static int dhe_offered(const clasp_conn *c, const cl_client_hello *ch)
{
    for (size_t i = 0; i < c->cfg->n_suites; i++) {
        const cl_suite *s = cl_suite_find(c->cfg->suites[i]);
        if (s && s->kx == CL_KX_DHE_RSA && cl_ch_offers_suite(ch, s->id))
            return 1;
    }
    return 0;
}

static int select_suite12(clasp_conn *c, const cl_client_hello *ch)
{
    kx_groups g = choose_groups(c);
    const cl_suite *s = cl_s_choose_suite(c, ch, tls12_suite, &g);
    /* RFC 7919 4: FFDHE groups listed, none acceptable, no other suite: "the server MUST end
     * the connection with a fatal TLS alert of type insufficient_security(71)". */
    if (!s && !g.dh && c->hs->peer_ffdhe_sent && dhe_offered(c, ch))
        return cl_fail(c, CLASP_ERR_INSUFFICIENT_SECURITY,
                       "the client's FFDHE groups are none of ours, and no other suite is in "
                       "common (RFC 7919 4)");
    if (!s)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "no TLS 1.2 cipher suite in common that a certificate and group can serve");
    if (s->kx == CL_KX_DHE_RSA)
        c->group = dh_group_for_key(c, g.dh);
    else if (s->kx != CL_KX_RSA)
        c->group = g.ec;
    return 0;
}

/* ---- sessions ---- */

static int store_session(clasp_conn *c)
{
    if (!c->session || !c->session->s.id_len)
        return 0;
    cl_trace_note(c, "session_stored", 1, "where",
                  c->cfg->store.put ? "the application's session store" : "the session cache");
    return cl_s_store_put(c, &c->session->s);
}

/* ---- the server's messages ---- */

static int write_sh12(clasp_conn *c, cl_writer *w, int reneg, int formats)
{
    cl_hs *hs = c->hs;
    cl_msg_open(w, CL_HS_SERVER_HELLO);
    cl_write_u16(w, CL_TLS12_VERSION);
    cl_write_bytes(w, hs->server_random, 32);
    cl_write_vec(w, 1, hs->session_id, hs->session_id_len);
    cl_write_u16(w, c->suite);
    cl_write_u8(w, 0);
    cl_exts_open(w);
    if (reneg) { /* RFC 5746 3.6 */
        cl_ext_open(w, CL_EXT_RENEGOTIATION_INFO);
        cl_write_u8(w, 0);
        cl_ext_close(w);
    }
    if (hs->ems) {
        cl_ext_open(w, CL_EXT_EXTENDED_MASTER_SECRET);
        cl_ext_close(w);
    }
    if (hs->etm) {
        cl_ext_open(w, CL_EXT_ENCRYPT_THEN_MAC);
        cl_ext_close(w);
    }
    if (hs->ticket_expected) { /* RFC 5077 3.2: empty, a NewSessionTicket will follow */
        cl_ext_open(w, CL_EXT_SESSION_TICKET);
        cl_ext_close(w);
    }
    if (formats && c->suite_info->kx != CL_KX_RSA) {
        cl_ext_open(w, CL_EXT_EC_POINT_FORMATS);
        cl_write_vec(w, 1, (const uint8_t[]){0}, 1);
        cl_ext_close(w);
    }
    if (c->alpn)
        CL_TRY(cl_s_write_alpn(c, w));
    if (hs->rsl_offered)
        CL_TRY(cl_s_write_record_size_limit(c, w, 0));
    cl_exts_close(w);
    return cl_msg_close(w);
}

static int send_sh12(clasp_conn *c, const cl_client_hello *ch, int reneg)
{
    cl_hs *hs = c->hs;
    CL_TRY(cl_random(hs->server_random, sizeof(hs->server_random)));
    /* RFC 8446 4.1.3: a server that could have done TLS 1.3 says so in its random. */
    if (cl_cfg_speaks(c->cfg, CL_TLS13_VERSION))
        memcpy(hs->server_random + 24, downgrade_tls12, sizeof(downgrade_tls12));
    /*
     * RFC 7366 3: encrypt-then-MAC whenever the client asks and the suite is CBC; an AEAD
     * suite "MUST NOT" answer it.
     */
    hs->etm = hs->etm_offered && c->suite_info->cbc;
    if (hs->etm)
        cl_trace_note(c, "encrypt_then_mac", 1, "why",
                      "the client offered it and the suite is CBC: the MAC covers the ciphertext");
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 256, 4096));
    int rc = write_sh12(c, &w, reneg, cl_exts_has(&ch->exts, CL_EXTI_EC_POINT_FORMATS));
    if (rc) {
        cl_writer_free(&w);
        return rc;
    }
    return cl_hs_queue_writer(c, &w);
}

/*
 * The key exchange's parameters with our public value: ServerECDHParams (RFC 8422 5.4) or
 * ServerDHParams (RFC 5246 7.4.3), whose dh_Ys is padded to the prime's length, as OpenSSL
 * sends it (some peers expect it so; an integer's leading zeros change nothing).
 */
static int write_kx_params(clasp_conn *c, cl_writer *w)
{
    uint8_t pub[CL_MAX_KEX_PUBLIC_LEN], g;
    const uint8_t *p;
    size_t pub_len, p_len;
    CL_TRY(cl_kex_public(c->hs->kex[0], pub, sizeof(pub), &pub_len));
    if (c->suite_info->kx != CL_KX_DHE_RSA) {
        cl_write_u8(w, 3); /* named_curve */
        cl_write_u16(w, c->group);
        return cl_write_vec(w, 1, pub, pub_len);
    }
    CL_TRY(cl_kex_ffdhe_params(c->group, &p, &p_len, &g));
    cl_write_vec(w, 2, p, p_len);
    cl_write_vec(w, 2, &g, 1);
    return cl_write_vec(w, 2, pub, pub_len);
}

/* The parameters and their signature over both randoms (RFC 5246 7.4.3, RFC 8422 5.4). */
static int send_server_key_exchange(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    uint8_t signed_data[64 + 2 * (2 + CL_MAX_KEX_PUBLIC_LEN) + 3];
    cl_writer sd, w;
    CL_TRY(cl_kex_generate(&hs->kex[0], c->group));
    hs->n_kex = 1;
    cl_writer_fixed(&sd, signed_data, sizeof(signed_data));
    cl_write_bytes(&sd, hs->client_random, 32);
    cl_write_bytes(&sd, hs->server_random, 32);
    CL_TRY(write_kx_params(c, &sd));
    CL_TRY(cl_writer_finish(&sd));
    CL_TRY(cl_writer_growable(&w, 1024, 4096));
    cl_msg_open(&w, CL_HS_SERVER_KEY_EXCHANGE);
    cl_write_bytes(&w, signed_data + 64, sd.len - 64);
    int rc = cl_12_write_signed(c, &w, signed_data, sd.len);
    cl_msg_close(&w);
    if (rc) {
        cl_writer_free(&w);
        return rc;
    }
    return cl_hs_queue_writer(c, &w);
}

/* RFC 5246 7.4.4: types, signature algorithms, and the CAs the seeds call acceptable. */
static int send_certificate_request12(clasp_conn *c)
{
    size_t n_names = 0;
    const cl_cert_der *names = cl_trust_ca_names(c->cfg->trust, &n_names);
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 1024, 1 << 17));
    cl_msg_open(&w, CL_HS_CERTIFICATE_REQUEST);
    cl_write_vec(&w, 1, (const uint8_t[]){1, 64}, 2); /* rsa_sign, ecdsa_sign */
    cl_write_open(&w, 2);
    for (size_t i = 0; i < c->cfg->n_schemes; i++)
        cl_write_u16(&w, c->cfg->schemes[i]);
    cl_write_close(&w);
    cl_write_open(&w, 2);
    for (size_t i = 0; i < n_names; i++)
        cl_write_vec(&w, 2, names[i].der, names[i].len);
    cl_write_close(&w);
    cl_msg_close(&w);
    return cl_hs_queue_writer(c, &w);
}

static int full_handshake(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len,
                          int reneg)
{
    cl_hs *hs = c->hs;
    static const uint8_t done[4] = {CL_HS_SERVER_HELLO_DONE, 0, 0, 0};
    if (!hs->ems && c->cfg->ems_required) /* RFC 7627 5.2 */
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "the client does not offer the extended master secret (RFC 7627)");
    CL_TRY(select_suite12(c, ch));
    hs->cert_requested = c->cfg->verify != CLASP_VERIFY_NONE;
    if (hs->cert_requested) /* the client's CertificateVerify signs the raw messages */
        cl_tr_keep_raw(&hs->tr);
    CL_TRY(cl_tr_set_hash(&hs->tr, c->suite_info->hash));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    /* A ticket holds the session: no ID, nothing kept (RFC 5077 3.4 lets the ID be empty). */
    hs->ticket_expected = (uint8_t)cl_s12_tickets_on(c, ch);
    int cache = (c->cfg->cache.capacity > 0 || c->cfg->store.put) && !hs->ticket_expected;
    hs->session_id_len = cache ? CL_SESSION_ID_LEN : 0;
    CL_TRY(cl_random(hs->session_id, hs->session_id_len));
    CL_TRY(send_sh12(c, ch, reneg));
    CL_TRY(cl_12_send_certificate(c));
    if (c->suite_info->kx != CL_KX_RSA)
        CL_TRY(send_server_key_exchange(c));
    if (hs->cert_requested)
        CL_TRY(send_certificate_request12(c));
    CL_TRY(cl_hs_queue(c, done, sizeof(done)));
    hs->state = hs->cert_requested ? CL_S12_WAIT_CERT : CL_S12_WAIT_CKE;
    return 0;
}

/* RFC 5246 7.3: the abbreviated handshake; the server sends its Finished first. */
static int resume(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len,
                  cl_session *s, int reneg)
{
    cl_hs *hs = c->hs;
    hs->session = cl_calloc(1, sizeof(*hs->session));
    CL_CHECK(hs->session, CLASP_ERR_NOMEM);
    *hs->session = *s; /* takes over the chain */
    memset(s, 0, sizeof(*s));
    hs->resumed = 1;
    c->suite_info = cl_suite_find(hs->session->suite);
    c->suite = hs->session->suite;
    memcpy(hs->master, hs->session->master, sizeof(hs->master));
    cl_keylog(c, "CLIENT_RANDOM", hs->master, sizeof(hs->master));
    hs->session_id_len = ch->session_id_len;
    memcpy(hs->session_id, ch->session_id, ch->session_id_len);
    CL_TRY(cl_tr_set_hash(&hs->tr, c->suite_info->hash));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    CL_TRY(send_sh12(c, ch, reneg));
    CL_TRY(cl_12_send_ccs_finished(c));
    hs->state = CL_S12_WAIT_CCS;
    return 0;
}

/* RFC 5077 3.4: a presented ticket that opens and fits is resumed: 1 resumed, 0 not. */
static int try_ticket(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len,
                      int reneg)
{
    cl_session s;
    const char *why = NULL;
    int rc = cl_s12_open_ticket(c, ch, &s, &why);
    if (rc == CLASP_ERR_STATE) {
        cl_trace_note(c, "session_not_resumed", 1, "why", why);
        return 0;
    }
    CL_TRY(rc);
    c->hs->by_ticket = 1;
    rc = resume(c, ch, msg, len, &s, reneg);
    cl_session_clear(&s);
    return rc ? rc : 1;
}

/* Resumes when the hello names a session that may be resumed: 1 resumed, 0 not. */
static int try_resume(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len,
                      int reneg)
{
    cl_session s;
    cl_reader ticket = cl_exts_get(&ch->exts, CL_EXTI_SESSION_TICKET);
    /* RFC 5077 3.4: with a ticket presented, the session ID "MUST NOT" be looked up. */
    if (cl_s12_tickets_on(c, ch) && cl_reader_left(&ticket))
        return try_ticket(c, ch, msg, len, reneg);
    if (!ch->session_id_len)
        return 0;
    if (cl_s_store_get(c, ch->session_id, ch->session_id_len, 0, &s) != 0) {
        cl_trace_note(c, "session_not_resumed", 1, "why",
                      "the session ID is not in the cache (unknown, expired or evicted)");
        return 0;
    }
    /* RFC 7627 5.3: a session with EMS resumed by a hello without it MUST abort. */
    int abort = s.ems && !c->hs->ems;
    const char *why = cl_s12_not_resumable(c, ch, &s);
    int rc = why ? 0 : resume(c, ch, msg, len, &s, reneg);
    cl_session_clear(&s);
    if (abort)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "the session used the extended master secret, this ClientHello does not");
    if (why)
        cl_trace_note(c, "session_not_resumed", 1, "why", why);
    return rc ? rc : !why;
}

int cl_s12_client_hello(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    int reneg;
    /* RFC 5246 7.4.1.2: the null method must be offered; clasp never compresses. */
    if (!offers_null_compression(ch))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "the client does not offer null compression");
    CL_TRY(secure_renegotiation(c, ch, &reneg));
    CL_TRY(point_formats(c, ch));
    CL_TRY(client_schemes(c, ch));
    CL_TRY(client_groups(c, ch));
    if (cl_exts_has(&ch->exts, CL_EXTI_EXTENDED_MASTER_SECRET)) {
        CL_TRY(cl_ext_empty(cl_exts_get(&ch->exts, CL_EXTI_EXTENDED_MASTER_SECRET)));
        hs->ems = 1;
    }
    if (cl_exts_has(&ch->exts, CL_EXTI_ENCRYPT_THEN_MAC)) { /* RFC 7366 2: empty */
        CL_TRY(cl_ext_empty(cl_exts_get(&ch->exts, CL_EXTI_ENCRYPT_THEN_MAC)));
        hs->etm_offered = c->cfg->etm; /* a server that turned it off hears no offer */
    }
    c->version = CL_TLS12_VERSION;
    c->rl.rversion = CL_TLS12_VERSION;
    hs->client_version = ch->legacy_version;
    CL_TRY(cl_s_common_hello(c, ch));
    int rc = try_resume(c, ch, msg, len, reneg);
    if (rc)
        return rc < 0 ? rc : 0;
    return full_handshake(c, ch, msg, len, reneg);
}

/* ---- the client's flight ---- */

int cl_s12_certificate(clasp_conn *c, const uint8_t *msg, size_t len)
{
    int empty;
    CL_TRY(cl_12_peer_certificate(c, msg, len, &empty));
    /* RFC 5246 7.4.6: no certificate when one is required: handshake_failure. */
    if (empty)
        CL_TRY(cl_s_no_client_certificate(c, CLASP_ERR_HANDSHAKE_FAILURE));
    c->hs->state = CL_S12_WAIT_CKE;
    return 0;
}

/* The pre-master secret from the client's key exchange message. */
static int premaster(clasp_conn *c, const uint8_t *body, size_t len)
{
    cl_hs *hs = c->hs;
    const uint8_t *p;
    size_t n;
    if (c->suite_info->kx == CL_KX_RSA) {
        CL_TRY(cl_client_key_exchange_rsa_parse(body, len, &p, &n));
        /*
         * RFC 5246 7.4.7.1: whatever the padding or version inside, the handshake goes on
         * with a random pre-master and fails at Finished; nothing here branches on it.
         */
        hs->pms_len = CL_PREMASTER_LEN;
        return cl_rsa_kx_decrypt(hs->cred->key, p, n, hs->client_version, hs->pms);
    }
    if (c->suite_info->kx == CL_KX_DHE_RSA) {
        CL_TRY(cl_client_key_exchange_dhe_parse(body, len, &p, &n));
        /* RFC 7919 4: "the server MUST verify that 1 < dh_Yc < dh_p - 1 ... handshake_failure" */
        int rc = cl_12_dh_premaster(hs->kex[0], p, n, hs->pms, &hs->pms_len);
        if (rc == CLASP_ERR_ILLEGAL_PARAMETER)
            return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                           "the client's DH public value is out of range (RFC 7919 4)");
        return rc;
    }
    CL_TRY(cl_client_key_exchange_ecdhe_parse(body, len, &p, &n));
    int rc = cl_kex_derive(hs->kex[0], p, n, hs->pms, sizeof(hs->pms), &hs->pms_len);
    return rc ? cl_fail(c, rc, "the client's ECDHE point is invalid") : 0;
}

int cl_s12_client_key_exchange(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    int rc = premaster(c, msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN);
    if (rc == 0)
        rc = cl_tr_add(&hs->tr, msg, len);
    if (rc == 0)
        rc = cl_12_master_secret(c, hs->pms, hs->pms_len);
    cl_wipe(hs->pms, sizeof(hs->pms));
    CL_TRY(rc);
    int expect_cv = hs->cert_requested && !hs->peer_cert_empty;
    if (!expect_cv)
        cl_tr_drop_raw(&hs->tr);
    hs->state = expect_cv ? CL_S12_WAIT_CV : CL_S12_WAIT_CCS;
    return 0;
}

int cl_s12_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_certificate_verify cv;
    size_t raw_len;
    CL_TRY(cl_certificate_verify_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &cv));
    const uint8_t *raw = cl_tr_raw(&hs->tr, &raw_len);
    CL_TRY(
        cl_12_verify_signed(c, cv.scheme, cv.sig, cv.sig_len, raw, raw_len, "CertificateVerify"));
    hs->peer_cv_verified = 1;
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    cl_tr_drop_raw(&hs->tr);
    hs->state = CL_S12_WAIT_CCS;
    return 0;
}

int cl_s12_change_cipher_spec(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_TRY(cl_12_peer_ccs(c, msg, len));
    c->hs->state = CL_S12_WAIT_FINISHED;
    return 0;
}

int cl_s12_finished(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    CL_TRY(cl_12_peer_finished(c, msg, len));
    if (!hs->resumed && hs->ticket_expected) /* RFC 5077 3.3: before ChangeCipherSpec */
        CL_TRY(cl_s12_send_ticket(c));
    if (!hs->resumed)
        CL_TRY(cl_12_send_ccs_finished(c));
    CL_TRY(cl_12_complete(c));
    return c->resumed || hs->ticket_expected ? 0 : store_session(c);
}
