/*
 * The TLS 1.2 client (RFC 5246 7.3, 7.4; RFC 8422; RFC 7627; RFC 5746): the server's flight
 * checked message by message (ServerHello, Certificate, ServerKeyExchange for ECDHE or DHE,
 * CertificateRequest, ServerHelloDone), then the client's flight (Certificate,
 * ClientKeyExchange, CertificateVerify, ChangeCipherSpec, Finished), and resumption by
 * session ID.
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/trace.h"

/*
 * RFC 8446 4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates 1.2
 * ("DOWNGRD" 01), or 1.1 and below ("DOWNGRD" 00). A TLS 1.3 client "MUST check that the
 * last 8 bytes are not equal to either of these values".
 */
static const uint8_t downgrade_tls12[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01};
static const uint8_t downgrade_tls11[8] = {0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00};

/* ---- ServerHello ---- */

static int sh12_extensions(clasp_conn *c, const cl_exts *e)
{
    cl_hs *hs = c->hs;
    const uint8_t *ri;
    size_t ri_len;
    cl_reader formats;
    uint8_t f = 1;
    /* RFC 5246 7.4.1.4: an extension the client did not offer is unsupported_extension. */
    for (size_t k = 0; k < e->n_order; k++)
        if (!CL_OFFERED(hs, cl_ext_index(e->order[k])))
            return cl_fail(c, CLASP_ERR_UNSUPPORTED_EXTENSION,
                           "ServerHello answers %s, which was not offered",
                           cl_ext_name(e->order[k]));
    if (cl_exts_has(e, CL_EXTI_RENEGOTIATION_INFO)) {
        CL_TRY(cl_ext_renegotiation_info(cl_exts_get(e, CL_EXTI_RENEGOTIATION_INFO), &ri, &ri_len));
        if (ri_len != 0) /* RFC 5746 3.4: empty on an initial handshake */
            return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE, "renegotiation_info is not empty");
    }
    if (cl_exts_has(e, CL_EXTI_EXTENDED_MASTER_SECRET)) {
        CL_TRY(cl_ext_empty(cl_exts_get(e, CL_EXTI_EXTENDED_MASTER_SECRET)));
        hs->ems = 1;
    }
    if (cl_exts_has(e, CL_EXTI_ENCRYPT_THEN_MAC)) {
        CL_TRY(cl_ext_empty(cl_exts_get(e, CL_EXTI_ENCRYPT_THEN_MAC)));
        /* RFC 7366 3: a server that selects an AEAD suite "MUST NOT send" it. */
        if (!c->suite_info->cbc)
            return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                           "encrypt_then_mac answered for %s, which is not a CBC suite",
                           c->suite_info->name);
        hs->etm = 1;
    }
    if (cl_exts_has(e, CL_EXTI_EC_POINT_FORMATS)) { /* RFC 8422 5.2: uncompressed included */
        CL_TRY(cl_ext_ec_point_formats(cl_exts_get(e, CL_EXTI_EC_POINT_FORMATS), &formats));
        while (f != 0 && cl_read_u8(&formats, &f) == 0)
            ;
        if (f != 0)
            return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "ec_point_formats without uncompressed");
    }
    if (cl_exts_has(e, CL_EXTI_ALPN))
        CL_TRY(cl_c_accept_alpn(c, cl_exts_get(e, CL_EXTI_ALPN)));
    if (cl_exts_has(e, CL_EXTI_RECORD_SIZE_LIMIT))
        CL_TRY(cl_c_record_size_limit(c, cl_exts_get(e, CL_EXTI_RECORD_SIZE_LIMIT), 0));
    if (cl_exts_has(e, CL_EXTI_SESSION_TICKET))
        CL_TRY(cl_c12_server_ticket_ext(c, cl_exts_get(e, CL_EXTI_SESSION_TICKET)));
    return 0;
}

static int check_sh12(clasp_conn *c, const cl_server_hello *sh)
{
    const clasp_config *cfg = c->cfg;
    if (!cl_cfg_speaks(cfg, CL_TLS12_VERSION) || sh->legacy_version != CL_TLS12_VERSION)
        return cl_fail(c, CLASP_ERR_PROTOCOL_VERSION, "the server chose version 0x%04x",
                       sh->legacy_version);
    /* RFC 8446 4.1.3: a TLS 1.3 client (one that offered it) checks for the sentinel. */
    if (cl_cfg_speaks(cfg, CL_TLS13_VERSION) &&
        (memcmp(sh->random + 24, downgrade_tls12, sizeof(downgrade_tls12)) == 0 ||
         memcmp(sh->random + 24, downgrade_tls11, sizeof(downgrade_tls11)) == 0))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "downgrade to TLS 1.2 detected (the server supports TLS 1.3)");
    const cl_suite *s = cl_suite_find(sh->cipher_suite);
    if (!s || s->version != CL_TLS12_VERSION || !cl_cfg_suite_usable(cfg, s) ||
        !cl_u16_in(sh->cipher_suite, cfg->suites, cfg->n_suites))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the server chose suite 0x%04x, not offered",
                       sh->cipher_suite);
    if (sh->compression != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the server chose compression");
    c->suite_info = s;
    c->suite = s->id;
    c->version = CL_TLS12_VERSION;
    c->rl.rversion = CL_TLS12_VERSION;
    return 0;
}

/*
 * RFC 5246 7.4.1.3: the server resumes by echoing the session ID we offered (RFC 5077 3.4:
 * also when we presented a ticket, with an ID of our own beside it).
 */
static int resumes(const cl_hs *hs, const cl_server_hello *sh)
{
    return hs->offered_id_len && sh->session_id_len == hs->offered_id_len &&
           memcmp(sh->session_id, hs->offered_id, sh->session_id_len) == 0;
}

static int resume(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    const cl_session *s = &hs->offer->s;
    if (s->suite != c->suite) /* 7.4.1.3: the session's own suite */
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the resumed session had another suite");
    if (s->ems != hs->ems) /* RFC 7627 5.3 */
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "the extended master secret differs from the resumed session's");
    /* RFC 7366 3.1: the mechanism stays what the session used (no downgrade, no change). */
    if (s->etm != hs->etm)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "encrypt-then-MAC differs from the resumed session's");
    hs->resumed = 1;
    hs->by_ticket = hs->offered_ticket;
    memcpy(hs->master, s->master, sizeof(hs->master));
    cl_keylog(c, "CLIENT_RANDOM", hs->master, sizeof(hs->master));
    CL_TRY(cl_tr_set_hash(&hs->tr, c->suite_info->hash));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    hs->state = hs->ticket_expected ? CL_C12_WAIT_NST : CL_C12_WAIT_CCS;
    return 0;
}

int cl_c12_server_hello(clasp_conn *c, const cl_server_hello *sh, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    CL_TRY(check_sh12(c, sh));
    cl_trace_note(c, "version", 2, "chosen", "TLS 1.2", "why",
                  "the ServerHello has no supported_versions");
    CL_TRY(sh12_extensions(c, &sh->exts));
    memcpy(hs->server_random, sh->random, sizeof(hs->server_random));
    hs->session_id_len = sh->session_id_len;
    memcpy(hs->session_id, sh->session_id, sh->session_id_len);
    if (resumes(hs, sh))
        return resume(c, msg, len);
    if (hs->offered_id_len)
        cl_trace_note(c, "session_not_resumed", 1, "why",
                      "the server answered the offered session with a new one");
    if (!hs->ems && c->cfg->ems_required)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "the server does not use the extended master secret (RFC 7627)");
    cl_tr_keep_raw(&hs->tr); /* for our CertificateVerify, if one is asked for */
    CL_TRY(cl_tr_set_hash(&hs->tr, c->suite_info->hash));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    hs->state = CL_C12_WAIT_CERT;
    return 0;
}

/* ---- the server's authentication and key exchange ---- */

/* Whether a certificate key can serve the suite's key exchange (RFC 5246 7.4.2, 8422 5.3). */
static int key_fits_kx(cl_key_type t, cl_kx kx)
{
    switch (kx) {
    case CL_KX_ECDHE_ECDSA:
        return t == CL_KEY_EC_P256 || t == CL_KEY_EC_P384 || t == CL_KEY_EC_P521 ||
               t == CL_KEY_ED25519;
    case CL_KX_ECDHE_RSA:
    case CL_KX_DHE_RSA: return t == CL_KEY_RSA || t == CL_KEY_RSA_PSS;
    case CL_KX_RSA: return t == CL_KEY_RSA;
    default: return 0;
    }
}

int cl_c12_certificate(clasp_conn *c, const uint8_t *msg, size_t len)
{
    int empty;
    CL_TRY(cl_12_peer_certificate(c, msg, len, &empty));
    if (empty)
        return cl_fail(c, CLASP_ERR_DECODE, "the server sent an empty Certificate");
    if (!key_fits_kx(cl_pubkey_type(c->hs->peer_key), c->suite_info->kx))
        return cl_fail(c, CLASP_ERR_UNSUPPORTED_CERTIFICATE,
                       "the server's certificate key does not suit %s", c->suite_info->name);
    c->hs->state = c->suite_info->kx == CL_KX_RSA ? CL_C12_WAIT_CR_DONE : CL_C12_WAIT_SKE;
    return 0;
}

/* The server's signature over both randoms and its parameters (RFC 5246 7.4.3). */
static int verify_ske(clasp_conn *c, const uint8_t *params, size_t params_len, uint16_t scheme,
                      const uint8_t *sig, size_t sig_len)
{
    cl_hs *hs = c->hs;
    uint8_t signed_data[64 + 3 * (2 + CL_MAX_KEX_PUBLIC_LEN)];
    /* Larger ServerDHParams have a prime longer than any group clasp offers (RFC 7919 3). */
    if (params_len > sizeof(signed_data) - 64)
        return cl_fail(c, CLASP_ERR_INSUFFICIENT_SECURITY,
                       "the server's DH parameters are larger than any group offered");
    memcpy(signed_data, hs->client_random, 32);
    memcpy(signed_data + 32, hs->server_random, 32);
    memcpy(signed_data + 64, params, params_len);
    CL_TRY(cl_12_verify_signed(c, scheme, sig, sig_len, signed_data, 64 + params_len,
                               "ServerKeyExchange"));
    hs->peer_cv_verified = 1;
    return 0;
}

/* A fresh key of the server's group; the shares a ClientHello that also offered TLS 1.3
 * made go first. */
static int fresh_key(cl_hs *hs, uint16_t group)
{
    for (size_t i = 0; i < hs->n_kex; i++) {
        cl_kex_free(hs->kex[i]);
        hs->kex[i] = NULL;
    }
    hs->n_kex = 0;
    CL_TRY(cl_kex_generate(&hs->kex[0], group));
    hs->n_kex = 1;
    return 0;
}

/*
 * RFC 7919 3, in its order: the signature over ServerDHParams; then p and g compared with
 * the groups we offered ("the client MAY ... terminate the connection with a fatal
 * insufficient_security(71) alert" when none matches; clasp accepts no custom group); then
 * "the client MUST verify that dh_Ys is in the range 1 < dh_Ys < dh_p - 1 ... handshake_failure".
 */
static int dhe_server_key_exchange(clasp_conn *c, const uint8_t *body, size_t len)
{
    cl_hs *hs = c->hs;
    cl_server_key_exchange_dhe ske;
    CL_TRY(cl_server_key_exchange_dhe_parse(body, len, &ske));
    CL_TRY(verify_ske(c, ske.params, ske.params_len, ske.scheme, ske.sig, ske.sig_len));
    uint16_t group = cl_kex_ffdhe_group_of(ske.p, ske.p_len, ske.g, ske.g_len);
    if (!group || !cl_u16_in(group, c->cfg->groups, c->cfg->n_groups))
        return cl_fail(c, CLASP_ERR_INSUFFICIENT_SECURITY,
                       group ? "the server's DH group (%s) was not offered"
                             : "the server's DH parameters are no RFC 7919 group%s",
                       group ? cl_group_name(group) : "");
    CL_TRY(fresh_key(hs, group));
    int rc = cl_12_dh_premaster(hs->kex[0], ske.ys, ske.ys_len, hs->pms, &hs->pms_len);
    if (rc == CLASP_ERR_ILLEGAL_PARAMETER)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "the server's DH public value is out of range (RFC 7919 3)");
    CL_TRY(rc);
    c->group = group;
    return 0;
}

static int ecdhe_server_key_exchange(clasp_conn *c, const uint8_t *body, size_t len)
{
    cl_hs *hs = c->hs;
    cl_server_key_exchange12 ske;
    CL_TRY(cl_server_key_exchange12_parse(body, len, &ske));
    /* RFC 8422 5.4: the curve must be one the client offered; an FFDHE code point is none. */
    if (!cl_u16_in(ske.group, c->cfg->groups, c->cfg->n_groups) || CL_GROUP_IS_FFDHE(ske.group))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "ServerKeyExchange uses group 0x%04x, not offered as a curve", ske.group);
    /* RFC 8422 5.4: the signature covers both randoms and the ECDH parameters. */
    CL_TRY(verify_ske(c, ske.params, ske.params_len, ske.scheme, ske.sig, ske.sig_len));
    CL_TRY(fresh_key(hs, ske.group));
    int rc =
        cl_kex_derive(hs->kex[0], ske.point, ske.point_len, hs->pms, sizeof(hs->pms), &hs->pms_len);
    if (rc)
        return cl_fail(c, rc, "the server's ECDHE point is invalid");
    c->group = ske.group;
    return 0;
}

int cl_c12_server_key_exchange(clasp_conn *c, const uint8_t *msg, size_t len)
{
    const uint8_t *body = msg + CL_HS_HEADER_LEN;
    size_t body_len = len - CL_HS_HEADER_LEN;
    CL_TRY(c->suite_info->kx == CL_KX_DHE_RSA ? dhe_server_key_exchange(c, body, body_len)
                                              : ecdhe_server_key_exchange(c, body, body_len));
    CL_TRY(cl_tr_add(&c->hs->tr, msg, len));
    c->hs->state = CL_C12_WAIT_CR_DONE;
    return 0;
}

int cl_c12_certificate_request(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_certificate_request12 cr;
    uint8_t t;
    CL_TRY(cl_certificate_request12_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &cr));
    while (cl_read_u8(&cr.cert_types, &t) == 0) /* 1: rsa_sign, 64: ecdsa_sign (RFC 8422) */
        hs->cert_types |= t == 1 ? 1 : t == 64 ? 2 : 0;
    cl_keep_peer_schemes(hs, cr.sig_algs);
    hs->cert_requested = 1;
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    hs->state = CL_C12_WAIT_DONE;
    return 0;
}

/* ---- the client's flight ---- */

static int client_key_exchange(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    uint8_t buf[CL_MAX_SIG_LEN];
    size_t n;
    cl_writer w;
    if (c->suite_info->kx == CL_KX_RSA) {
        /* RFC 5246 7.4.7.1: the version we offered, then 46 random bytes. */
        hs->pms[0] = (uint8_t)(hs->client_version >> 8);
        hs->pms[1] = (uint8_t)hs->client_version;
        CL_TRY(cl_random_secret(hs->pms + 2, CL_PREMASTER_LEN - 2));
        hs->pms_len = CL_PREMASTER_LEN;
        CL_TRY(cl_rsa_kx_encrypt(hs->peer_key, hs->pms, buf, sizeof(buf), &n));
    } else {
        CL_TRY(cl_kex_public(hs->kex[0], buf, sizeof(buf), &n));
    }
    CL_TRY(cl_writer_growable(&w, n + 8, n + 8));
    cl_msg_open(&w, CL_HS_CLIENT_KEY_EXCHANGE);
    /* EncryptedPreMasterSecret and dh_Yc are <..2^16-1>, ecdh_Yc <1..2^8-1> (RFC 8422 5.7). */
    cl_write_vec(
        &w, c->suite_info->kx == CL_KX_ECDHE_ECDSA || c->suite_info->kx == CL_KX_ECDHE_RSA ? 1 : 2,
        buf, n);
    cl_msg_close(&w);
    return cl_hs_queue_writer(c, &w);
}

/* RFC 5246 7.4.8: the signature covers every handshake message so far. */
static int certificate_verify(clasp_conn *c)
{
    size_t raw_len;
    const uint8_t *raw = cl_tr_raw(&c->hs->tr, &raw_len);
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 600, 600));
    cl_msg_open(&w, CL_HS_CERTIFICATE_VERIFY);
    int rc = cl_12_write_signed(c, &w, raw, raw_len);
    cl_msg_close(&w);
    if (rc) {
        cl_writer_free(&w);
        return rc;
    }
    return cl_hs_queue_writer(c, &w);
}

int cl_c12_server_hello_done(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    CL_TRY(cl_empty_message_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    if (hs->cert_requested) {
        if (cl_12_choose_credential(c, hs->cert_types) != 0)
            hs->cred = NULL; /* nothing fits: an empty Certificate (7.4.6) */
        CL_TRY(cl_12_send_certificate(c));
    }
    CL_TRY(client_key_exchange(c));
    int rc = cl_12_master_secret(c, hs->pms, hs->pms_len);
    cl_wipe(hs->pms, sizeof(hs->pms));
    CL_TRY(rc);
    if (hs->cert_requested && hs->cred)
        CL_TRY(certificate_verify(c));
    cl_tr_drop_raw(&hs->tr);
    CL_TRY(cl_12_send_ccs_finished(c));
    hs->state = hs->ticket_expected ? CL_C12_WAIT_NST : CL_C12_WAIT_CCS;
    return 0;
}

int cl_c12_change_cipher_spec(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_TRY(cl_12_peer_ccs(c, msg, len));
    c->hs->state = CL_C12_WAIT_FINISHED;
    return 0;
}

int cl_c12_finished(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_TRY(cl_12_peer_finished(c, msg, len));
    if (c->hs->resumed) /* abbreviated: the server finished first */
        CL_TRY(cl_12_send_ccs_finished(c));
    return cl_12_complete(c);
}
