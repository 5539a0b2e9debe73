/*
 * The client's ClientHello (offering TLS 1.3, TLS 1.2 or both) and the TLS 1.3 client
 * (RFC 8446 2, 4): the server's flight checked message by message, then the client's own
 * Certificate, CertificateVerify and Finished. A ServerHello for TLS 1.2 goes to client12.c.
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/resume.h"
#include "hs/trace.h"

#define SCSV_EMPTY_RENEGOTIATION_INFO 0x00ff

/*
 * RFC 6066 3: "Literal IPv4 and IPv6 addresses are not permitted in "HostName"". Judged by
 * cl_host_parse, as the verifier judges it (set_server_name refused anything else).
 */
static int sends_sni(const char *name)
{
    cl_host h;
    return cl_host_parse(name, &h) == 0 && h.kind == CL_HOST_DNS;
}

/* ---- ClientHello ---- */

/* A version is offered when the configuration has a suite for it (cl_cfg_speaks). */
static int offers13(const clasp_config *cfg)
{
    return cl_cfg_speaks(cfg, CL_TLS13_VERSION);
}

static int offers12(const clasp_config *cfg)
{
    return cl_cfg_speaks(cfg, CL_TLS12_VERSION);
}

static int write_suites(const clasp_config *cfg, cl_writer *w)
{
    cl_write_open(w, 2);
    for (size_t i = 0; i < cfg->n_suites; i++) {
        const cl_suite *s = cl_suite_find(cfg->suites[i]);
        if (cl_cfg_suite_usable(cfg, s))
            cl_write_u16(w, s->id);
    }
    /* RFC 5746 3.4: the SCSV says we support secure renegotiation (and refuse it anyway). */
    if (offers12(cfg))
        cl_write_u16(w, SCSV_EMPTY_RENEGOTIATION_INFO);
    return cl_write_close(w);
}

static int write_key_shares(cl_hs *hs, cl_writer *w)
{
    cl_ext_open(w, CL_EXT_KEY_SHARE);
    cl_write_open(w, 2);
    for (size_t i = 0; i < hs->n_kex; i++) {
        uint8_t pub[CL_MAX_KEX_PUBLIC_LEN];
        size_t len;
        CL_TRY(cl_kex_public(hs->kex[i], pub, sizeof(pub), &len));
        cl_write_u16(w, cl_kex_group(hs->kex[i]));
        cl_write_vec(w, 2, pub, len);
    }
    cl_write_close(w);
    return cl_ext_close(w);
}

static int write_versions(const clasp_config *cfg, cl_writer *w)
{
    cl_ext_open(w, CL_EXT_SUPPORTED_VERSIONS);
    cl_write_open(w, 1);
    for (uint16_t v = CL_TLS13_VERSION; v >= CL_TLS12_VERSION; v--)
        if (cl_cfg_speaks(cfg, v))
            cl_write_u16(w, v);
    cl_write_close(w);
    return cl_ext_close(w);
}

static void offer(cl_hs *hs, enum cl_ext_idx i)
{
    hs->offered |= 1u << i;
}

static void write_server_name(clasp_conn *c, cl_writer *w)
{
    size_t n = strlen(c->server_name);
    cl_ext_open(w, CL_EXT_SERVER_NAME);
    cl_write_open(w, 2);
    cl_write_u8(w, 0); /* host_name */
    cl_write_vec(w, 2, (const uint8_t *)c->server_name, n);
    cl_write_close(w);
    cl_ext_close(w);
    offer(c->hs, CL_EXTI_SERVER_NAME);
}

/* What TLS 1.3 needs: versions, key shares, PSK modes (4.6.1: or no tickets), the cookie. */
static int write_13_extensions(clasp_conn *c, cl_writer *w)
{
    cl_hs *hs = c->hs;
    write_versions(c->cfg, w);
    CL_TRY(write_key_shares(hs, w));
    cl_c13_write_psk_modes(c, w);
    offer(hs, CL_EXTI_SUPPORTED_VERSIONS);
    offer(hs, CL_EXTI_KEY_SHARE);
    if (hs->cookie) {
        cl_ext_open(w, CL_EXT_COOKIE);
        cl_write_vec(w, 2, hs->cookie, hs->cookie_len);
        cl_ext_close(w);
    }
    return 0;
}

/* Whether the configuration enables a TLS 1.2 CBC-HMAC suite. */
static int offers_cbc(const clasp_config *cfg)
{
    for (size_t i = 0; i < cfg->n_suites; i++) {
        const cl_suite *s = cl_suite_find(cfg->suites[i]);
        if (s && s->cbc)
            return 1;
    }
    return 0;
}

/*
 * What TLS 1.2 needs: extended master secret (RFC 7627), uncompressed points (RFC 8422),
 * SessionTicket (RFC 5077 3.2: the ticket presented, or empty to ask for one), and with a
 * CBC suite encrypt_then_mac (RFC 7366 2), always: it is what makes CBC safe.
 */
static void write_12_extensions(clasp_conn *c, cl_writer *w)
{
    cl_hs *hs = c->hs;
    cl_ext_open(w, CL_EXT_EXTENDED_MASTER_SECRET);
    cl_ext_close(w);
    if (c->cfg->etm && offers_cbc(c->cfg)) {
        cl_ext_open(w, CL_EXT_ENCRYPT_THEN_MAC);
        cl_ext_close(w);
        offer(hs, CL_EXTI_ENCRYPT_THEN_MAC);
    }
    cl_ext_open(w, CL_EXT_EC_POINT_FORMATS);
    cl_write_vec(w, 1, (const uint8_t[]){0}, 1);
    cl_ext_close(w);
    if (c->cfg->tickets || hs->offered_ticket) {
        cl_ext_open(w, CL_EXT_SESSION_TICKET);
        if (hs->offered_ticket)
            cl_write_bytes(w, hs->offer->s.ticket, hs->offer->s.ticket_len);
        cl_ext_close(w);
        offer(hs, CL_EXTI_SESSION_TICKET);
    }
    offer(hs, CL_EXTI_EXTENDED_MASTER_SECRET);
    offer(hs, CL_EXTI_EC_POINT_FORMATS);
    offer(hs, CL_EXTI_RENEGOTIATION_INFO); /* answered to our SCSV */
}

/* The limit we advertise (RFC 8449 4): in TLS 1.3 it counts the inner content type. */
static unsigned advertised_limit(const clasp_config *cfg)
{
    return cfg->record_size_limit + (offers13(cfg) ? 1 : 0);
}

/* Extensions every ClientHello carries, in a stable order (the second must repeat them). */
static int write_ch_extensions(clasp_conn *c, cl_writer *w)
{
    cl_hs *hs = c->hs;
    const clasp_config *cfg = c->cfg;
    cl_exts_open(w);
    if (sends_sni(c->server_name))
        write_server_name(c, w);
    cl_ext_write_u16_list(w, CL_EXT_SUPPORTED_GROUPS, cfg->groups, cfg->n_groups);
    cl_ext_write_u16_list(w, CL_EXT_SIGNATURE_ALGORITHMS, cfg->schemes, cfg->n_schemes);
    cl_ext_write_u16_list(w, CL_EXT_SIGNATURE_ALGORITHMS_CERT, cfg->schemes, cfg->n_schemes);
    offer(hs, CL_EXTI_SUPPORTED_GROUPS);
    if (cfg->alpn_len) {
        cl_ext_open(w, CL_EXT_ALPN);
        cl_write_vec(w, 2, cfg->alpn, cfg->alpn_len);
        cl_ext_close(w);
        offer(hs, CL_EXTI_ALPN);
    }
    if (cfg->record_size_limit) {
        cl_ext_open(w, CL_EXT_RECORD_SIZE_LIMIT);
        cl_write_u16(w, (uint16_t)advertised_limit(cfg));
        cl_ext_close(w);
        offer(hs, CL_EXTI_RECORD_SIZE_LIMIT);
    }
    if (offers12(cfg))
        write_12_extensions(c, w);
    if (offers13(cfg))
        CL_TRY(write_13_extensions(c, w));
    if (hs->psk_offered) /* RFC 8446 4.2.11: "MUST be the last extension" */
        CL_TRY(cl_c13_write_psk(c, w));
    return cl_exts_close(w);
}

static int send_client_hello(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 512, 1 << 16));
    cl_msg_open(&w, CL_HS_CLIENT_HELLO);
    cl_write_u16(&w, CL_TLS12_VERSION); /* legacy_version (4.1.2) */
    cl_write_bytes(&w, hs->client_random, sizeof(hs->client_random));
    cl_write_vec(&w, 1, hs->session_id, hs->session_id_len);
    write_suites(c->cfg, &w);
    cl_write_vec(&w, 1, (const uint8_t[]){0}, 1); /* compression: null only */
    int rc = write_ch_extensions(c, &w);
    cl_msg_close(&w);
    if (rc == 0)
        rc = cl_writer_finish(&w);
    if (rc == 0 && hs->psk_offered)
        rc = cl_c13_bind_psk(c, w.buf, w.len);
    if (rc) {
        cl_writer_free(&w);
        return rc;
    }
    return cl_hs_queue_writer(c, &w);
}

static int generate_share(cl_hs *hs, uint16_t group)
{
    CL_CHECK(hs->n_kex < CL_MAX_KEY_SHARES, CLASP_ERR_INTERNAL);
    CL_TRY(cl_kex_generate(&hs->kex[hs->n_kex], group));
    hs->n_kex++;
    return 0;
}

/* A TLS 1.2 session to resume, if one was set and this hello can offer it. */
static int offered_session(clasp_conn *c)
{
    const clasp_session *h = c->hs->offer;
    if (!h || h->s.version != CL_TLS12_VERSION)
        return 0;
    const char *why = atomic_load(&h->dropped) ? "the session's connection ended with a fatal alert"
                                               : cl_c_cannot_offer(c, &h->s);
    if (why)
        cl_trace_note(c, "session_not_offered", 1, "why", why);
    return why == NULL;
}

/*
 * The session ID: the TLS 1.2 session's, or with a ticket one of our own (RFC 5077 3.4: the
 * server echoes it when it accepts the ticket); else random for TLS 1.3's middlebox
 * compatibility (D.4: middleboxes see a TLS 1.2 resumption), or none.
 */
static int choose_session_id(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    int offer12 = offered_session(c);
    hs->offered_ticket = offer12 && hs->offer->s.ticket_len > 0;
    if (offer12 && !hs->offered_ticket) {
        hs->session_id_len = hs->offer->s.id_len;
        memcpy(hs->session_id, hs->offer->s.id, hs->session_id_len);
    } else {
        hs->session_id_len = offers13(c->cfg) || hs->offered_ticket ? 32 : 0;
        CL_TRY(cl_random(hs->session_id, hs->session_id_len));
    }
    if (offer12) {
        hs->offered_id_len = hs->session_id_len;
        memcpy(hs->offered_id, hs->session_id, hs->session_id_len);
    }
    return 0;
}

int cl_c13_client_hello(clasp_conn *c)
{
    CL_CHECK(c->server_name, CLASP_ERR_STATE);
    /* No cipher suite for any version in range: nothing can be offered. */
    CL_CHECK(offers13(c->cfg) || offers12(c->cfg), CLASP_ERR_INVALID_ARG);
    cl_hs *hs = c->hs;
    CL_TRY(cl_random(hs->client_random, sizeof(hs->client_random)));
    hs->client_version = CL_TLS12_VERSION;
    CL_TRY(choose_session_id(c));
    CL_TRY(cl_c13_prepare_psk(c));
    for (size_t i = 0; offers13(c->cfg) && i < c->cfg->key_shares && i < c->cfg->n_groups; i++)
        CL_TRY(generate_share(hs, c->cfg->groups[i]));
    CL_TRY(send_client_hello(c));
    c->rl.wversion = 0x0301; /* the first ClientHello's record says TLS 1.0 (5.1) */
    CL_TRY(cl_hs_flush(c));
    c->rl.wversion = CL_TLS12_VERSION;
    hs->state = CL_C_WAIT_SH;
    return 0;
}

/* ---- ServerHello and HelloRetryRequest ---- */

/* Checks shared by ServerHello and HelloRetryRequest (4.1.3, 4.1.4, 4.2.1). */
static int check_server_hello(clasp_conn *c, const cl_server_hello *sh)
{
    cl_hs *hs = c->hs;
    uint16_t version;
    /* D.5: a Hello with legacy_version 0x0300 "MUST abort the handshake with a
     * "protocol_version" alert". */
    if (sh->legacy_version <= 0x0300)
        return cl_fail(c, CLASP_ERR_PROTOCOL_VERSION, "ServerHello legacy_version 0x%04x",
                       sh->legacy_version);
    if (!cl_exts_has(&sh->exts, CL_EXTI_SUPPORTED_VERSIONS))
        return cl_fail(c, CLASP_ERR_PROTOCOL_VERSION, "the server does not support TLS 1.3");
    CL_TRY(
        cl_ext_supported_versions_sh(cl_exts_get(&sh->exts, CL_EXTI_SUPPORTED_VERSIONS), &version));
    if (version != CL_TLS13_VERSION || !offers13(c->cfg))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the server chose version 0x%04x", version);
    if (sh->session_id_len != hs->session_id_len ||
        memcmp(sh->session_id, hs->session_id, hs->session_id_len) != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the server did not echo our session ID");
    const cl_suite *s = cl_suite_find(sh->cipher_suite);
    if (!s || s->version != CL_TLS13_VERSION ||
        !cl_u16_in(sh->cipher_suite, c->cfg->suites, c->cfg->n_suites))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the server chose suite 0x%04x, not offered",
                       sh->cipher_suite);
    if (hs->suite && hs->suite != s) /* 4.1.4: the ServerHello repeats the HRR's suite */
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the suite changed after HelloRetryRequest");
    if (sh->compression != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the server chose compression");
    hs->suite = s;
    c->suite_info = s;
    c->suite = s->id;
    c->version = CL_TLS13_VERSION;
    return cl_tr_set_hash(&hs->tr, s->hash);
}

static cl_kex *find_share(cl_hs *hs, uint16_t group)
{
    for (size_t i = 0; i < hs->n_kex; i++)
        if (cl_kex_group(hs->kex[i]) == group)
            return hs->kex[i];
    return NULL;
}

static int hello_retry_request(clasp_conn *c, const cl_server_hello *sh, const uint8_t *msg,
                               size_t len)
{
    cl_hs *hs = c->hs;
    uint16_t group = 0;
    /* 4.1.4: one HelloRetryRequest per connection. */
    if (hs->cookie || hs->hrr_group || hs->suite)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "a second HelloRetryRequest");
    CL_TRY(check_server_hello(c, sh));
    if (cl_exts_has(&sh->exts, CL_EXTI_KEY_SHARE)) {
        CL_TRY(cl_ext_key_share_hrr(cl_exts_get(&sh->exts, CL_EXTI_KEY_SHARE), &group));
        if (!cl_u16_in(group, c->cfg->groups, c->cfg->n_groups) || find_share(hs, group))
            return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                           "HelloRetryRequest asks for group 0x%04x", group);
    }
    if (cl_exts_has(&sh->exts, CL_EXTI_COOKIE)) {
        const uint8_t *cookie;
        CL_TRY(cl_ext_cookie(cl_exts_get(&sh->exts, CL_EXTI_COOKIE), &cookie, &hs->cookie_len));
        hs->cookie = cl_memdup(cookie, hs->cookie_len);
        CL_CHECK(hs->cookie, CLASP_ERR_NOMEM);
    }
    if (!group && !hs->cookie) /* it would change nothing in the ClientHello */
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "HelloRetryRequest asks for nothing");
    cl_c13_psk_after_hrr(c);
    cl_trace_note(c, "hello_retry_request", 2, "group", group ? cl_group_name(group) : "unchanged",
                  "cookie", hs->cookie ? "echoed in the second ClientHello" : "none");
    CL_TRY(cl_tr_replace_with_message_hash(&hs->tr));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    if (group) {
        for (size_t i = 0; i < hs->n_kex; i++)
            cl_kex_free(hs->kex[i]);
        hs->n_kex = 0;
        CL_TRY(generate_share(hs, group));
        hs->hrr_group = group;
    }
    CL_TRY(cl_send_compat_ccs(c)); /* D.4: before the second ClientHello */
    return send_client_hello(c);
}

/*
 * The (EC)DHE secret from the server's share; the share must answer one of ours. With a
 * PSK and psk_ke there is none (*dhe_len stays 0).
 */
static int server_share(clasp_conn *c, const cl_server_hello *sh, uint8_t *dhe, size_t *dhe_len)
{
    cl_hs *hs = c->hs;
    cl_key_share_entry ks;
    int have_share;
    CL_TRY(cl_c13_server_psk(c, sh, &have_share));
    if (!have_share)
        return 0;
    CL_TRY(cl_ext_key_share_sh(cl_exts_get(&sh->exts, CL_EXTI_KEY_SHARE), &ks));
    cl_kex *k = find_share(hs, ks.group);
    if (!k)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "the server's key share is for group 0x%04x, which we did not share",
                       ks.group);
    int rc = cl_kex_derive(k, ks.key, ks.key_len, dhe, CL_MAX_KEX_SECRET_LEN, dhe_len);
    if (rc)
        return cl_fail(c, rc, "the server's key share is invalid");
    c->group = ks.group;
    return 0;
}

int cl_c13_server_hello(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_server_hello sh;
    CL_TRY(cl_server_hello_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &sh));
    if (sh.is_hrr)
        return hello_retry_request(c, &sh, msg, len);
    if (!cl_exts_has(&sh.exts, CL_EXTI_SUPPORTED_VERSIONS)) { /* TLS 1.2 (4.1.3) */
        if (hs->suite) /* after a HelloRetryRequest only TLS 1.3 can follow */
            return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "TLS 1.2 after HelloRetryRequest");
        return cl_c12_server_hello(c, &sh, msg, len);
    }
    CL_TRY(check_server_hello(c, &sh));
    cl_trace_note(c, "version", 2, "chosen", "TLS 1.3", "why", "the server's supported_versions");
    uint8_t dhe[CL_MAX_KEX_SECRET_LEN];
    size_t dhe_len = 0;
    int rc = server_share(c, &sh, dhe, &dhe_len);
    memcpy(hs->server_random, sh.random, sizeof(hs->server_random));
    if (rc == 0)
        rc = cl_tr_add(&hs->tr, msg, len);
    if (rc == 0)
        rc = cl_13_handshake_secrets(c, dhe, dhe_len);
    cl_wipe(dhe, sizeof(dhe));
    CL_TRY(rc);
    if (!hs->compat_ccs_sent)
        CL_TRY(cl_send_compat_ccs(c)); /* D.4: before anything encrypted */
    CL_TRY(cl_13_set_write_secret(c, hs->c_hs));
    CL_TRY(cl_13_set_read_secret(c, hs->s_hs));
    hs->state = CL_C_WAIT_EE;
    return 0;
}

/* ---- EncryptedExtensions ---- */

int cl_c_accept_alpn(clasp_conn *c, cl_reader ext)
{
    const uint8_t *name, *p;
    size_t n, pn;
    cl_reader ours;
    CL_TRY(cl_ext_alpn_single(ext, &name, &n));
    cl_reader_init(&ours, c->cfg->alpn, c->cfg->alpn_len);
    while (cl_ext_alpn_next(&ours, &p, &pn) == 0)
        if (pn == n && memcmp(p, name, n) == 0) {
            c->alpn = cl_alloc(n + 1);
            CL_CHECK(c->alpn, CLASP_ERR_NOMEM);
            memcpy(c->alpn, name, n);
            c->alpn[n] = 0;
            return 0;
        }
    /* RFC 7301 3.2: a protocol the client did not offer. */
    return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the server chose an ALPN protocol not offered");
}

int cl_c_record_size_limit(clasp_conn *c, cl_reader ext, int tls13)
{
    uint16_t limit;
    CL_TRY(cl_ext_record_size_limit(ext, &limit));
    /* RFC 8449 4: in TLS 1.3 the limit counts the inner content type too. */
    size_t max = tls13 ? (size_t)limit - 1 : limit;
    c->rl.max_frag_out = max < CL_MAX_PLAINTEXT ? max : CL_MAX_PLAINTEXT;
    /* What we advertised, read as this version reads it. */
    c->rl.max_plain_in = advertised_limit(c->cfg) - (tls13 ? 1 : 0);
    return 0;
}

int cl_c13_encrypted_extensions(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_exts e;
    CL_TRY(cl_encrypted_extensions_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &e));
    /* 4.2: a response to something not offered is unsupported_extension. */
    for (size_t k = 0; k < e.n_order; k++)
        if (!CL_OFFERED(hs, cl_ext_index(e.order[k])))
            return cl_fail(c, CLASP_ERR_UNSUPPORTED_EXTENSION,
                           "EncryptedExtensions answers %s, which was not offered",
                           cl_ext_name(e.order[k]));
    if (cl_exts_has(&e, CL_EXTI_SERVER_NAME))
        CL_TRY(cl_ext_empty(cl_exts_get(&e, CL_EXTI_SERVER_NAME)));
    if (cl_exts_has(&e, CL_EXTI_ALPN))
        CL_TRY(cl_c_accept_alpn(c, cl_exts_get(&e, CL_EXTI_ALPN)));
    if (cl_exts_has(&e, CL_EXTI_RECORD_SIZE_LIMIT))
        CL_TRY(cl_c_record_size_limit(c, cl_exts_get(&e, CL_EXTI_RECORD_SIZE_LIMIT), 1));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    /* 4.3.2, 2.2: a server authenticating with a PSK sends no Certificate(Request). */
    hs->state = hs->psk_accepted ? CL_C_WAIT_FINISHED : CL_C_WAIT_CERT_CR;
    return 0;
}

/* ---- the server's authentication ---- */

int cl_c13_certificate_request(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_certificate_request13 cr;
    CL_TRY(cl_certificate_request13_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &cr));
    /* 4.3.2: the context is empty unless for post-handshake authentication. */
    if (cl_reader_left(&cr.context) != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "CertificateRequest with a context");
    CL_TRY(cl_peer_signature_algorithms(c, cl_exts_get(&cr.exts, CL_EXTI_SIGNATURE_ALGORITHMS)));
    hs->cert_requested = 1;
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    hs->state = CL_C_WAIT_CERT;
    return 0;
}

int cl_c13_certificate(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_TRY(cl_13_peer_certificate(c, msg, len));
    /* 4.4.2.4: "If the server supplies an empty Certificate message, the client MUST abort
     * the handshake with a "decode_error" alert." */
    if (c->hs->peer_cert_empty)
        return cl_fail(c, CLASP_ERR_DECODE, "the server sent an empty Certificate");
    c->hs->state = CL_C_WAIT_CV;
    return 0;
}

int cl_c13_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_TRY(cl_13_peer_certificate_verify(c, msg, len));
    c->hs->state = CL_C_WAIT_FINISHED;
    return 0;
}

/* The client's second flight: [Certificate, [CertificateVerify]], Finished. */
static int client_second_flight(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    if (hs->cert_requested) {
        if (cl_13_choose_credential(c) != 0)
            hs->cred = NULL; /* no certificate fits: an empty one (4.4.2) */
        CL_TRY(cl_13_send_certificate(c, hs->cr_context, hs->cr_context_len));
        if (hs->cred)
            CL_TRY(cl_13_send_certificate_verify(c));
    }
    return cl_13_send_finished(c);
}

int cl_c13_finished(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    uint8_t th[CL_MAX_HASH_LEN];
    CL_TRY(cl_13_peer_finished(c, msg, len));
    CL_TRY(cl_13_application_secrets(c));
    CL_TRY(cl_13_set_read_secret(c, hs->s_ap));
    CL_TRY(client_second_flight(c));
    CL_TRY(cl_13_set_write_secret(c, hs->c_ap));
    CL_TRY(cl_tr_hash(&hs->tr, th));
    CL_TRY(cl_ks13_derive(&hs->ks, CL_LABEL_RES_MASTER, th, c->res_master));
    cl_trace_key(c, "resumption_master_secret", cl_hash_len(c->suite_info->hash));
    return cl_13_complete(c);
}
