/*
 * The TLS 1.3 server (RFC 8446 2, 4): ClientHello negotiation (version, suite, group,
 * signature scheme, ALPN, SNI), HelloRetryRequest when the client's shares miss our group,
 * the server's flight, then the client's Certificate, CertificateVerify and Finished.
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/trace.h"

/* ---- negotiation ---- */

static int check_compression(clasp_conn *c, const cl_client_hello *ch)
{
    cl_reader comp = ch->compression;
    uint8_t m;
    /* 4.1.2: exactly one byte, null; anything else is illegal_parameter. */
    if (cl_reader_left(&comp) != 1 || cl_read_u8(&comp, &m) != 0 || m != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "compression methods other than null");
    return 0;
}

static int tls13_suite(clasp_conn *c, const cl_suite *s, void *arg)
{
    (void)c;
    (void)arg;
    return s->version == CL_TLS13_VERSION;
}

static int select_suite(clasp_conn *c, const cl_client_hello *ch)
{
    const cl_suite *s = cl_s_choose_suite(c, ch, tls13_suite, NULL);
    if (!s)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE, "no cipher suite in common");
    c->hs->suite = s;
    c->version = CL_TLS13_VERSION;
    return cl_tr_set_hash(&c->hs->tr, s->hash);
}

static int select_credential(clasp_conn *c, const cl_client_hello *ch)
{
    if (!cl_exts_has(&ch->exts, CL_EXTI_SIGNATURE_ALGORITHMS))
        return cl_fail(c, CLASP_ERR_MISSING_EXTENSION, "ClientHello without signature_algorithms");
    CL_TRY(cl_peer_signature_algorithms(c, cl_exts_get(&ch->exts, CL_EXTI_SIGNATURE_ALGORITHMS)));
    if (cl_13_choose_credential(c) != 0)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "no certificate suits the client's signature algorithms");
    return 0;
}

/* The client's groups, and its shares checked against them (4.2.8). */
static int client_groups(clasp_conn *c, const cl_client_hello *ch, cl_reader *shares)
{
    cl_reader list;
    uint16_t g;
    /* 9.2: supported_groups and key_share come together. */
    if (!cl_exts_has(&ch->exts, CL_EXTI_SUPPORTED_GROUPS) ||
        !cl_exts_has(&ch->exts, CL_EXTI_KEY_SHARE))
        return cl_fail(c, CLASP_ERR_MISSING_EXTENSION, "ClientHello without %s",
                       cl_exts_has(&ch->exts, CL_EXTI_KEY_SHARE) ? "supported_groups"
                                                                 : "key_share");
    CL_TRY(cl_peer_supported_groups(c, cl_exts_get(&ch->exts, CL_EXTI_SUPPORTED_GROUPS), &list));
    CL_TRY(cl_ext_key_share_ch(cl_exts_get(&ch->exts, CL_EXTI_KEY_SHARE), shares));
    int rc = cl_ext_key_share_unlisted(*shares, list, &g);
    if (rc == 1)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "a key share for group 0x%04x, which is not in supported_groups", g);
    return rc;
}

static int find_client_share(cl_reader shares, uint16_t group, cl_key_share_entry *out)
{
    while (cl_reader_left(&shares)) {
        CL_TRY(cl_ext_key_share_next(&shares, out));
        if (out->group == group)
            return 0;
    }
    return CLASP_ERR_HANDSHAKE_FAILURE;
}

/*
 * Chooses the group: the most preferred one the client sent a share for; failing that, the
 * most preferred one it supports, which needs a HelloRetryRequest (*hrr_group).
 */
static int select_group(clasp_conn *c, const cl_client_hello *ch, cl_key_share_entry *share,
                        uint16_t *hrr_group)
{
    uint16_t groups[CL_MAX_GROUPS];
    cl_reader shares;
    CL_TRY(client_groups(c, ch, &shares));
    size_t n = cl_s_common_groups(c, groups);
    *hrr_group = 0;
    for (size_t i = 0; i < n; i++)
        if (find_client_share(shares, groups[i], share) == 0)
            return 0;
    if (n == 0)
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE, "no key exchange group in common");
    *hrr_group = groups[0];
    return 0;
}

/* ---- HelloRetryRequest (4.1.4) ---- */

/*
 * A ServerHello or, with the HRR random, a HelloRetryRequest. group 0: no key_share (a PSK
 * with psk_ke); the HRR names its group without a share.
 */
static int write_hello(clasp_conn *c, cl_writer *w, const uint8_t *random, uint16_t group,
                       const uint8_t *share, size_t share_len)
{
    cl_hs *hs = c->hs;
    int hrr = random == cl_hrr_random;
    cl_msg_open(w, CL_HS_SERVER_HELLO);
    cl_write_u16(w, CL_TLS12_VERSION);
    cl_write_bytes(w, random, CL_RANDOM_LEN);
    cl_write_vec(w, 1, hs->session_id, hs->session_id_len);
    cl_write_u16(w, c->suite);
    cl_write_u8(w, 0);
    cl_exts_open(w);
    cl_ext_open(w, CL_EXT_SUPPORTED_VERSIONS);
    cl_write_u16(w, CL_TLS13_VERSION);
    cl_ext_close(w);
    if (group) {
        cl_ext_open(w, CL_EXT_KEY_SHARE);
        cl_write_u16(w, group);
        if (share)
            cl_write_vec(w, 2, share, share_len);
        cl_ext_close(w);
    }
    if (hrr) { /* the cookie the client must echo */
        cl_ext_open(w, CL_EXT_COOKIE);
        cl_write_vec(w, 2, hs->cookie, hs->cookie_len);
        cl_ext_close(w);
    }
    if (!hrr && hs->psk_accepted) { /* 4.2.11: the identity chosen */
        cl_ext_open(w, CL_EXT_PRE_SHARED_KEY);
        cl_write_u16(w, hs->psk_identity);
        cl_ext_close(w);
    }
    cl_exts_close(w);
    return cl_msg_close(w);
}

static int hello_retry(clasp_conn *c, const uint8_t *msg, size_t len, uint16_t group)
{
    cl_hs *hs = c->hs;
    hs->ch1_len = len - CL_HS_HEADER_LEN;
    hs->ch1 = cl_memdup(msg + CL_HS_HEADER_LEN, hs->ch1_len);
    hs->cookie_len = 32;
    hs->cookie = cl_alloc(hs->cookie_len);
    CL_CHECK(hs->ch1 && hs->cookie, CLASP_ERR_NOMEM);
    CL_TRY(cl_random(hs->cookie, hs->cookie_len));
    hs->hrr_group = group;
    cl_trace_note(c, "hello_retry_request", 2, "group", cl_group_name(group), "why",
                  "the client supports this group but sent no key share for it");
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    CL_TRY(cl_tr_replace_with_message_hash(&hs->tr));
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 256, 4096));
    write_hello(c, &w, cl_hrr_random, group, NULL, 0);
    CL_TRY(cl_hs_queue_writer(c, &w));
    if (hs->session_id_len) /* D.4: a CCS after our first handshake message */
        CL_TRY(cl_send_compat_ccs(c));
    hs->state = CL_S_WAIT_CH2;
    return 0;
}

/* Extensions a second ClientHello may change (4.1.2). */
static int may_change(uint16_t type)
{
    return type == CL_EXT_KEY_SHARE || type == CL_EXT_EARLY_DATA || type == CL_EXT_COOKIE ||
           type == CL_EXT_PRE_SHARED_KEY || type == CL_EXT_PADDING;
}

/* The next extension that must not change, or 0 at the end. */
static int next_fixed_ext(cl_reader *r, uint16_t *type, cl_reader *data)
{
    while (cl_reader_left(r)) {
        CL_TRY(cl_read_u16(r, type));
        CL_TRY(cl_read_vec16(r, data));
        if (!may_change(*type))
            return 1;
    }
    return 0;
}

/* 4.1.2: the second ClientHello repeats the first but for the extensions that may change. */
static int same_hello(const cl_client_hello *a, const cl_client_hello *b)
{
    if (a->legacy_version != b->legacy_version || memcmp(a->random, b->random, 32) != 0 ||
        a->session_id_len != b->session_id_len ||
        memcmp(a->session_id, b->session_id, a->session_id_len) != 0 ||
        cl_reader_left(&a->cipher_suites) != cl_reader_left(&b->cipher_suites) ||
        memcmp(a->cipher_suites.p, b->cipher_suites.p, cl_reader_left(&a->cipher_suites)) != 0 ||
        cl_reader_left(&a->compression) != cl_reader_left(&b->compression) ||
        memcmp(a->compression.p, b->compression.p, cl_reader_left(&a->compression)) != 0)
        return 0;
    cl_reader ra = a->ext_block, rb = b->ext_block, da, db;
    uint16_t ta, tb;
    for (;;) {
        int ha = next_fixed_ext(&ra, &ta, &da), hb = next_fixed_ext(&rb, &tb, &db);
        if (ha < 0 || hb < 0 || ha != hb)
            return 0;
        if (!ha)
            return 1;
        if (ta != tb || cl_reader_left(&da) != cl_reader_left(&db) ||
            (cl_reader_left(&da) && memcmp(da.p, db.p, cl_reader_left(&da)) != 0))
            return 0;
    }
}

static int check_second_hello(clasp_conn *c, const cl_client_hello *ch2)
{
    cl_hs *hs = c->hs;
    cl_client_hello ch1;
    const uint8_t *cookie;
    size_t cookie_len;
    CL_TRY(cl_client_hello_parse(hs->ch1, hs->ch1_len, &ch1));
    if (!same_hello(&ch1, ch2))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "the second ClientHello changed more than RFC 8446 4.1.2 allows");
    if (!cl_exts_has(&ch2->exts, CL_EXTI_COOKIE))
        return cl_fail(c, CLASP_ERR_MISSING_EXTENSION, "the second ClientHello has no cookie");
    CL_TRY(cl_ext_cookie(cl_exts_get(&ch2->exts, CL_EXTI_COOKIE), &cookie, &cookie_len));
    if (cookie_len != hs->cookie_len || !cl_ct_memeq(cookie, hs->cookie, cookie_len))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "the cookie was not echoed");
    if (cl_exts_has(&ch2->exts, CL_EXTI_EARLY_DATA)) /* 4.2.10: no early data after HRR */
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "early_data in the second ClientHello");
    return 0;
}

/* 4.1.2: after HRR, exactly one share, for the group asked for. */
static int check_second_share(clasp_conn *c, const cl_client_hello *ch)
{
    cl_reader shares;
    cl_key_share_entry e;
    CL_TRY(cl_ext_key_share_ch(cl_exts_get(&ch->exts, CL_EXTI_KEY_SHARE), &shares));
    if (cl_ext_key_share_next(&shares, &e) != 0 || cl_reader_left(&shares) != 0 ||
        e.group != c->hs->hrr_group)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "the second ClientHello does not carry one share of the group asked for");
    return 0;
}

/* ---- the server's flight ---- */

/* Our share and the (EC)DHE secret with the client's; none for psk_ke (peer NULL). */
static int server_share(clasp_conn *c, const cl_key_share_entry *peer, uint8_t *pub,
                        size_t *pub_len, uint8_t *dhe, size_t *dhe_len)
{
    cl_hs *hs = c->hs;
    *pub_len = *dhe_len = 0;
    if (!peer)
        return 0;
    CL_TRY(cl_kex_generate(&hs->kex[0], peer->group));
    hs->n_kex = 1;
    int rc =
        cl_kex_derive(hs->kex[0], peer->key, peer->key_len, dhe, CL_MAX_KEX_SECRET_LEN, dhe_len);
    if (rc)
        return cl_fail(c, rc, "the client's key share is invalid");
    c->group = peer->group;
    return cl_kex_public(hs->kex[0], pub, CL_MAX_KEX_PUBLIC_LEN, pub_len);
}

static int send_server_hello(clasp_conn *c, const cl_key_share_entry *peer)
{
    cl_hs *hs = c->hs;
    uint8_t pub[CL_MAX_KEX_PUBLIC_LEN], dhe[CL_MAX_KEX_SECRET_LEN];
    size_t pub_len, dhe_len;
    int rc = server_share(c, peer, pub, &pub_len, dhe, &dhe_len);
    if (rc == 0)
        rc = cl_random(hs->server_random, sizeof(hs->server_random));
    cl_writer w;
    if (rc == 0)
        rc = cl_writer_growable(&w, 256, 4096);
    if (rc) {
        cl_wipe(dhe, sizeof(dhe));
        return rc;
    }
    write_hello(c, &w, hs->server_random, peer ? peer->group : 0, pub, pub_len);
    rc = cl_hs_queue_writer(c, &w);
    if (rc == 0)
        rc = cl_13_handshake_secrets(c, dhe, dhe_len);
    cl_wipe(dhe, sizeof(dhe));
    return rc;
}

static int send_encrypted_extensions(clasp_conn *c, int sni, int rsl)
{
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 256, 4096));
    cl_msg_open(&w, CL_HS_ENCRYPTED_EXTENSIONS);
    cl_exts_open(&w);
    if (sni) { /* RFC 6066 3: an empty server_name says the name was used */
        cl_ext_open(&w, CL_EXT_SERVER_NAME);
        cl_ext_close(&w);
    }
    if (c->alpn)
        cl_s_write_alpn(c, &w);
    if (rsl)
        cl_s_write_record_size_limit(c, &w, 1);
    cl_exts_close(&w);
    cl_msg_close(&w);
    return cl_hs_queue_writer(c, &w);
}

static int send_certificate_request(clasp_conn *c)
{
    size_t n_names = 0;
    const cl_cert_der *names = c->cfg->trust ? cl_trust_ca_names(c->cfg->trust, &n_names) : NULL;
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 1024, 1 << 17));
    cl_msg_open(&w, CL_HS_CERTIFICATE_REQUEST);
    cl_write_u8(&w, 0); /* empty certificate_request_context */
    cl_exts_open(&w);
    cl_ext_write_u16_list(&w, CL_EXT_SIGNATURE_ALGORITHMS, c->cfg->schemes, c->cfg->n_schemes);
    if (n_names) { /* the acceptable CAs, as the seeds describe */
        cl_ext_open(&w, CL_EXT_CERTIFICATE_AUTHORITIES);
        cl_write_open(&w, 2);
        for (size_t i = 0; i < n_names; i++)
            cl_write_vec(&w, 2, names[i].der, names[i].len);
        cl_write_close(&w);
        cl_ext_close(&w);
    }
    cl_exts_close(&w);
    cl_msg_close(&w);
    return cl_hs_queue_writer(c, &w);
}

static int server_flight(clasp_conn *c, const cl_key_share_entry *ks)
{
    cl_hs *hs = c->hs;
    CL_TRY(send_server_hello(c, ks));
    if (hs->session_id_len && !hs->compat_ccs_sent)
        CL_TRY(cl_send_compat_ccs(c));
    CL_TRY(cl_13_set_write_secret(c, hs->s_hs));
    CL_TRY(cl_13_set_read_secret(c, hs->c_hs));
    CL_TRY(send_encrypted_extensions(c, c->server_name != NULL, hs->rsl_offered));
    /* 4.3.2: "Servers which are authenticating with a PSK MUST NOT send the
     * CertificateRequest message in the main handshake" (nor Certificate, 2.2). */
    if (c->cfg->verify != CLASP_VERIFY_NONE && !hs->psk_accepted) {
        CL_TRY(send_certificate_request(c));
        hs->cert_requested = 1;
    }
    if (!hs->psk_accepted) {
        CL_TRY(cl_13_send_certificate(c, NULL, 0));
        CL_TRY(cl_13_send_certificate_verify(c));
    }
    CL_TRY(cl_13_send_finished(c));
    CL_TRY(cl_13_application_secrets(c));
    CL_TRY(cl_13_set_write_secret(c, hs->s_ap));
    hs->state = hs->cert_requested ? CL_S_WAIT_CERT : CL_S_WAIT_FINISHED;
    return 0;
}

/* ---- ClientHello ---- */

static int offers_psk(const cl_client_hello *ch)
{
    return cl_exts_has(&ch->exts, CL_EXTI_PRE_SHARED_KEY);
}

/*
 * Everything decided from the ClientHello before the server answers. With a PSK offered,
 * the certificate is chosen only once the PSK is known not to be resumed (9.2: such a hello
 * may come without signature_algorithms).
 */
static int negotiate(clasp_conn *c, const cl_client_hello *ch)
{
    CL_TRY(check_compression(c, ch));
    CL_TRY(cl_s_common_hello(c, ch));
    CL_TRY(select_suite(c, ch));
    CL_TRY(cl_s13_psk_check(c, ch));
    return offers_psk(ch) ? 0 : select_credential(c, ch);
}

/* 4.2.11: resumes an offered ticket, or authenticates with a certificate. */
static int resume_or_authenticate(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg,
                                  int have_share)
{
    if (!offers_psk(ch))
        return 0;
    CL_TRY(cl_s13_psk_choose(c, ch, msg, have_share));
    if (c->hs->psk_accepted)
        return 0;
    if (!have_share) /* 9.2: a full handshake needs the client's key_share */
        return cl_fail(c, CLASP_ERR_MISSING_EXTENSION,
                       "the PSK is not resumed and the ClientHello has no key_share");
    return select_credential(c, ch);
}

int cl_s13_client_hello(clasp_conn *c, const cl_client_hello *ch, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_key_share_entry ks;
    uint16_t hrr_group = 0;
    int second = hs->state == CL_S_WAIT_CH2;
    if (second)
        CL_TRY(check_second_hello(c, ch));
    CL_TRY(negotiate(c, ch));
    /* 9.2: with a PSK, a hello may omit supported_groups and key_share (psk_ke only). */
    int have_share = !offers_psk(ch) || cl_exts_has(&ch->exts, CL_EXTI_SUPPORTED_GROUPS) ||
                     cl_exts_has(&ch->exts, CL_EXTI_KEY_SHARE);
    if (have_share)
        CL_TRY(select_group(c, ch, &ks, &hrr_group));
    if (!second && cl_exts_has(&ch->exts, CL_EXTI_EARLY_DATA)) { /* 4.2.10: never accepted */
        c->rl.early_skip = CL_EARLY_DATA_SKIP_MAX;
        cl_trace_note(c, "early_data_rejected", 1, "why",
                      "clasp does not accept 0-RTT data: the client's early records are skipped");
    }
    if (second)
        CL_TRY(check_second_share(c, ch));
    else if (hrr_group)
        return hello_retry(c, msg, len, hrr_group);
    CL_TRY(resume_or_authenticate(c, ch, msg, have_share));
    CL_TRY(cl_tr_add(&hs->tr, msg, len));
    /* psk_ke: no key exchange, whatever shares the client sent (4.2.9) */
    int dhe = have_share && (!hs->psk_accepted || hs->psk_dhe);
    return server_flight(c, dhe ? &ks : NULL);
}

/* ---- the client's flight ---- */

int cl_s13_certificate(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    CL_TRY(cl_13_peer_certificate(c, msg, len));
    if (!hs->peer_cert_empty) {
        hs->state = CL_S_WAIT_CV;
        return 0;
    }
    /* 4.4.2.4: no certificate when one is required: certificate_required. */
    CL_TRY(cl_s_no_client_certificate(c, CLASP_ERR_CERTIFICATE_REQUIRED));
    hs->state = CL_S_WAIT_FINISHED;
    return 0;
}

int cl_s13_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len)
{
    CL_TRY(cl_13_peer_certificate_verify(c, msg, len));
    c->hs->state = CL_S_WAIT_FINISHED;
    return 0;
}

int cl_s13_finished(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    uint8_t th[CL_MAX_HASH_LEN];
    CL_TRY(cl_13_peer_finished(c, msg, len));
    CL_TRY(cl_13_set_read_secret(c, hs->c_ap));
    CL_TRY(cl_tr_hash(&hs->tr, th));
    CL_TRY(cl_ks13_derive(&hs->ks, CL_LABEL_RES_MASTER, th, c->res_master));
    cl_trace_key(c, "resumption_master_secret", cl_hash_len(c->suite_info->hash));
    CL_TRY(cl_13_complete(c));
    return cl_s13_send_tickets(c); /* 4.6.1: after the client's Finished */
}
