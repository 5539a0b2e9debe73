/*
 * TLS 1.2 steps both roles share (RFC 5246 7.1, 7.4, 8.1; RFC 7627): master secret, key
 * block and the ChangeCipherSpec epoch switch, Finished, Certificate, digitally-signed
 * structs, and the end of the handshake with its session.
 */
#include <stdio.h>
#include <string.h>
#include <time.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/trace.h"
#include "hs/keysched12.h"
#include "hs/resume.h"

static size_t hlen(const clasp_conn *c)
{
    return cl_hash_len(c->suite_info->hash);
}

int cl_12_master_secret(clasp_conn *c, const uint8_t *pms, size_t pms_len)
{
    cl_hs *hs = c->hs;
    cl_hash_alg h = c->suite_info->hash;
    cl_trace_key(c, "pre_master_secret", pms_len);
    if (!hs->ems) {
        CL_TRY(cl_tls12_master_secret(h, pms, pms_len, hs->client_random, hs->server_random,
                                      hs->master));
    } else {
        /* RFC 7627 3: session_hash covers the messages up to and including ClientKeyExchange. */
        uint8_t session_hash[CL_MAX_HASH_LEN];
        CL_TRY(cl_tr_hash(&hs->tr, session_hash));
        CL_TRY(cl_tls12_extended_master_secret(h, pms, pms_len, session_hash, hlen(c), hs->master));
    }
    cl_trace_key(c, hs->ems ? "extended_master_secret" : "master_secret", sizeof(hs->master));
    cl_keylog(c, "CLIENT_RANDOM", hs->master, sizeof(hs->master));
    return 0;
}

/*
 * RFC 5246 8.1.2: the DHE pre-master secret is Z with its "leading bytes of Z that contain
 * all zero bits ... stripped". The peer's value may come with or without leading zeros (an
 * integer either way); it is padded to the prime's length for cl_kex_derive, which checks
 * 1 < Y < p - 1. Stripping makes the secret's length depend on it, which the Raccoon attack
 * (2020) measures through the PRF's timing; it needs a DH key used more than once, and every
 * clasp key is used for one exchange (docs/security.md).
 */
int cl_12_dh_premaster(const cl_kex *k, const uint8_t *y, size_t y_len, uint8_t *pms,
                       size_t *pms_len)
{
    uint8_t padded[CL_MAX_KEX_PUBLIC_LEN];
    size_t p_len = cl_kex_public_len(cl_kex_group(k)), n = 0, z = 0;
    while (y_len > 0 && y[0] == 0)
        y++, y_len--;
    CL_CHECK(y_len <= p_len, CLASP_ERR_ILLEGAL_PARAMETER); /* above p */
    memset(padded, 0, p_len - y_len);
    memcpy(padded + p_len - y_len, y, y_len);
    CL_TRY(cl_kex_derive(k, padded, p_len, pms, CL_MAX_KEX_SECRET_LEN, &n));
    while (z < n && pms[z] == 0)
        z++;
    memmove(pms, pms + z, n - z);
    cl_wipe(pms + n - z, z);
    *pms_len = n - z;
    return 0;
}

/* The PRF keyed with the master secret; made at its first use, when the secret is final. */
static int master_mac(clasp_conn *c, cl_hmac_ctx **out)
{
    cl_hs *hs = c->hs;
    if (!hs->master_mac)
        CL_TRY(cl_tls12_master_mac(c->suite_info->hash, hs->master, &hs->master_mac));
    *out = hs->master_mac;
    return 0;
}

/*
 * The key block (RFC 5246 6.3): client_write_MAC_key, server_write_MAC_key,
 * client_write_key, server_write_key, client_write_IV, server_write_IV. AEAD suites have no
 * MAC keys; their IV is the 4-byte salt for AES-GCM (RFC 5288 3), the 12-byte nonce mask for
 * ChaCha20-Poly1305 (RFC 7905 2). CBC suites take no IV from it: each record carries its own
 * (6.2.3.2). Made once: the second direction's keys come from the same PRF output.
 */
static int key_block(clasp_conn *c, size_t n)
{
    cl_hs *hs = c->hs;
    if (hs->key_block_len)
        return 0;
    cl_hmac_ctx *m;
    CL_CHECK(n <= sizeof(hs->key_block), CLASP_ERR_INTERNAL);
    CL_TRY(master_mac(c, &m));
    CL_TRY(cl_tls12_key_block_keyed(m, hs->client_random, hs->server_random, hs->key_block, n));
    hs->key_block_len = (uint8_t)n;
    cl_trace_key(c, "key_block", n);
    return 0;
}

/* The lengths of one MAC key, write key and IV in the suite's key block. */
static void key_sizes(const cl_suite *s, size_t *ml, size_t *kl, size_t *ivl)
{
    *ml = s->cbc ? cl_hash_len(s->mac) : 0;
    *kl = s->cbc ? cl_cbc_key_len(s->cbc_alg) : cl_aead_key_len(s->aead);
    *ivl = s->cbc ? 0 : s->aead == CL_AEAD_CHACHA20_POLY1305 ? 12 : 4;
}

/* Hands one direction's keys to the record layer. */
static int set_keys(clasp_conn *c, int write, const uint8_t *mac_key, const uint8_t *key,
                    const uint8_t *iv, size_t ivl)
{
    const cl_suite *s = c->suite_info;
    if (s->cbc) {
        cl_cbc_keys k = {s->cbc_alg, s->mac, c->hs->etm, key, mac_key};
        return cl_rl_set_keys_cbc(&c->rl, write, &k);
    }
    return write ? cl_rl_set_write_keys(&c->rl, CL_TLS12_VERSION, s->aead, key, iv, ivl)
                 : cl_rl_set_read_keys(&c->rl, CL_TLS12_VERSION, s->aead, key, iv, ivl);
}

/* Installs one direction's keys from the key block. */
static int install_keys(clasp_conn *c, int write)
{
    cl_hs *hs = c->hs;
    size_t ml, kl, ivl;
    key_sizes(c->suite_info, &ml, &kl, &ivl);
    CL_TRY(key_block(c, 2 * ml + 2 * kl + 2 * ivl));
    int client_keys = (c->role == CLASP_CLIENT) == (write != 0);
    if (ml)
        cl_trace_key(c, client_keys ? "client_write_mac_key" : "server_write_mac_key", ml);
    cl_trace_key(c, client_keys ? "client_write_key" : "server_write_key", kl);
    if (ivl)
        cl_trace_key(c, client_keys ? "client_write_iv" : "server_write_iv", ivl);
    const uint8_t *kb = hs->key_block, *mac_key = kb + (client_keys ? 0 : ml);
    const uint8_t *key = kb + 2 * ml + (client_keys ? 0 : kl);
    const uint8_t *iv = kb + 2 * ml + 2 * kl + (client_keys ? 0 : ivl);
    int rc = set_keys(c, write, mac_key, key, iv, ivl);
    hs->keys_installed |= write ? 2 : 1;
    if (rc || hs->keys_installed == 3)
        cl_wipe(hs->key_block, sizeof(hs->key_block));
    return rc;
}

int cl_12_send_ccs_finished(clasp_conn *c)
{
    static const uint8_t ccs = 1;
    cl_hs *hs = c->hs;
    uint8_t th[CL_MAX_HASH_LEN], msg[CL_HS_HEADER_LEN + CL_TLS12_FINISHED_LEN] = {
                                     CL_HS_FINISHED, 0, 0, CL_TLS12_FINISHED_LEN};
    CL_TRY(cl_hs_flush(c)); /* what was queued leaves under the old keys */
    cl_trace_ccs(c, 1);
    CL_TRY(cl_rl_write(&c->rl, CL_CT_CHANGE_CIPHER_SPEC, &ccs, 1));
    CL_TRY(install_keys(c, 1));
    cl_hmac_ctx *m;
    CL_TRY(master_mac(c, &m));
    CL_TRY(cl_tr_hash(&hs->tr, th));
    CL_TRY(
        cl_tls12_finished_keyed(m, c->role == CLASP_CLIENT, th, hlen(c), msg + CL_HS_HEADER_LEN));
    CL_TRY(cl_hs_queue(c, msg, sizeof(msg)));
    return cl_hs_flush(c);
}

int cl_12_peer_ccs(clasp_conn *c, const uint8_t *body, size_t len)
{
    /* RFC 5246 7.1: the message is the single byte 1. */
    if (len != 1 || body[0] != 1)
        return cl_fail(c, CLASP_ERR_DECODE, "malformed change_cipher_spec");
    return install_keys(c, 0);
}

int cl_12_peer_finished(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    const uint8_t *got;
    uint8_t th[CL_MAX_HASH_LEN], want[CL_TLS12_FINISHED_LEN];
    CL_TRY(cl_finished_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, sizeof(want), &got));
    cl_hmac_ctx *m;
    CL_TRY(master_mac(c, &m));
    CL_TRY(cl_tr_hash(&hs->tr, th));
    /* The peer's label: "server finished" when we are the client. */
    CL_TRY(cl_tls12_finished_keyed(m, c->role == CLASP_SERVER, th, hlen(c), want));
    int ok = cl_ct_memeq(got, want, sizeof(want));
    cl_wipe(want, sizeof(want));
    if (!ok)
        return cl_fail(c, CLASP_ERR_DECRYPT, "the peer's Finished does not verify");
    hs->peer_finished_verified = 1;
    cl_trace_note(c, "finished_verified", 1, "verify_data", "12 bytes, constant-time compare");
    return cl_tr_add(&hs->tr, msg, len);
}

/* ---- certificates and signatures ---- */

int cl_12_send_certificate(clasp_conn *c)
{
    const cl_credential *cred = c->hs->cred;
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 4096, 1 << 24));
    cl_msg_open(&w, CL_HS_CERTIFICATE);
    cl_write_open(&w, 3);
    for (size_t i = 0; cred && i < cred->n_certs; i++)
        cl_write_vec(&w, 3, cred->certs[i].der, cred->certs[i].len);
    cl_write_close(&w);
    cl_msg_close(&w);
    return cl_hs_queue_writer(c, &w);
}

int cl_12_peer_certificate(clasp_conn *c, const uint8_t *msg, size_t len, int *empty)
{
    cl_certificate12 cert;
    int rc = cl_certificate12_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN,
                                    c->cfg->max_cert_chain_count, &cert);
    CL_TRY(cl_peer_chain_limits(c, rc, cl_reader_left(&cert.certs)));
    CL_TRY(cl_tr_add(&c->hs->tr, msg, len));
    *empty = cert.n_certs == 0;
    c->hs->peer_cert_empty = (uint8_t)*empty;
    if (*empty)
        return 0;
    CL_TRY(cl_keep_peer_chain(c, cert.certs, cert.n_certs, cl_certificate12_next));
    /* A server's key encrypts an RSA pre-master; every other peer signs (7.4.2, 7.4.8). */
    int rsa_kx = c->role == CLASP_CLIENT && c->suite_info->kx == CL_KX_RSA;
    return cl_verify_peer_chain(c, rsa_kx ? CL_KU_ENCIPHER : CL_KU_SIGN);
}

int cl_12_write_signed(clasp_conn *c, cl_writer *w, const uint8_t *msg, size_t msg_len)
{
    cl_hs *hs = c->hs;
    uint8_t sig[CL_MAX_SIG_LEN];
    size_t n;
    CL_TRY(cl_sign(hs->cred->key, hs->our_scheme, msg, msg_len, sig, sizeof(sig), &n));
    cl_write_u16(w, hs->our_scheme);
    return cl_write_vec(w, 2, sig, n);
}

int cl_12_verify_signed(clasp_conn *c, uint16_t scheme, const uint8_t *sig, size_t sig_len,
                        const uint8_t *msg, size_t msg_len, const char *what)
{
    const char *name = cl_sig_scheme_name(scheme);
    /* RFC 5246 7.4.3, 7.4.8: a scheme we offered, fitting the certificate's key. */
    if (!cl_u16_in(scheme, c->cfg->schemes, c->cfg->n_schemes) ||
        !cl_pubkey_fits_scheme(c->hs->peer_key, scheme, 0))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "%s uses %s, which was not offered or does not fit the key", what,
                       name ? name : "an unknown scheme");
    int rc = cl_verify(c->hs->peer_key, scheme, msg, msg_len, sig, sig_len);
    if (rc)
        return cl_fail(c, rc, "%s: the signature does not verify", what);
    c->peer_scheme = scheme;
    cl_trace_note(c, "signature_checked", 3, "message", what, "scheme", name ? name : "?", "result",
                  "ok");
    return 0;
}

int cl_send_warning(clasp_conn *c, int description)
{
    const uint8_t alert[2] = {1, (uint8_t)description};
    cl_trace_alert(c, 1, 1, alert[1]);
    return cl_rl_write(&c->rl, CL_CT_ALERT, alert, sizeof(alert));
}

/* ---- the end of the handshake ---- */

const char *cl_s12_not_resumable(clasp_conn *c, const cl_client_hello *ch, const cl_session *s)
{
    const cl_suite *suite = cl_suite_find(s->suite);
    const char *why = cl_s_cannot_resume(c, s, CL_TLS12_VERSION);
    if (why)
        return why;
    if (s->ems != c->hs->ems) /* RFC 7627 5.3 */
        return "the session and this hello differ in the extended master secret";
    /* RFC 7366 3.1: a session keeps its mechanism; this hello would choose the other one. */
    if (suite && suite->cbc && s->etm != c->hs->etm_offered)
        return "the session and this hello differ in encrypt-then-MAC";
    if (!suite || !cl_ch_offers_suite(ch, s->suite) ||
        !cl_u16_in(s->suite, c->cfg->suites, c->cfg->n_suites))
        return "the session's cipher suite is no longer offered by both sides";
    return NULL;
}

/*
 * The session this handshake made: what a client keeps and a server caches or seals. A
 * server keeps the client's leaf only (who the client is), a client the server's chain.
 */
int cl_12_new_session(clasp_conn *c, cl_session *s)
{
    cl_hs *hs = c->hs;
    memset(s, 0, sizeof(*s));
    s->version = CL_TLS12_VERSION;
    s->suite = c->suite;
    s->ems = hs->ems;
    s->etm = hs->etm;
    s->id_len = hs->session_id_len;
    memcpy(s->id, hs->session_id, hs->session_id_len);
    memcpy(s->master, hs->master, sizeof(s->master));
    s->master_len = CL_SESSION_MASTER_LEN;
    if (c->server_name)
        snprintf(s->server_name, sizeof(s->server_name), "%s", c->server_name);
    s->created = cl_now(c->cfg);
    s->lifetime = c->cfg->session_lifetime;
    int rc =
        c->role == CLASP_SERVER ? cl_sid_ctx(c->cfg, s->sid_ctx) : cl_verify_id(c, s->verify_id);
    size_t n = c->role == CLASP_SERVER && c->n_peer_chain ? 1 : c->n_peer_chain;
    if (rc == 0)
        rc = cl_session_set_chain(s, c->peer_chain, n);
    if (rc != 0)
        cl_session_clear(s);
    return rc;
}

/* A resumed connection reports the certificates of the session it resumed. */
static int restore_peer_chain(clasp_conn *c, const cl_session *s)
{
    if (!s->n_peer_chain)
        return 0;
    cl_session copy;
    CL_TRY(cl_session_copy(&copy, s));
    c->peer_chain = copy.peer_chain;
    c->n_peer_chain = copy.n_peer_chain;
    copy.peer_chain = NULL;
    copy.n_peer_chain = 0;
    cl_session_clear(&copy);
    return 0;
}

static int verified(const clasp_conn *c)
{
    const cl_hs *hs = c->hs;
    if (!hs->peer_finished_verified)
        return 0;
    if (hs->resumed) /* the session was authenticated when it was made */
        return 1;
    int signed_ok = hs->peer_chain_verified && hs->peer_cv_verified;
    if (c->role == CLASP_CLIENT) /* RSA key exchange: the server proves its key by Finished */
        return hs->peer_chain_verified && (signed_ok || c->suite_info->kx == CL_KX_RSA);
    return !hs->cert_requested || hs->peer_cert_empty || signed_ok;
}

/*
 * The client's session: the one it resumed, or a new one; with the ticket the server sent
 * (RFC 5077 3.3: trusted now that the server's Finished verified), which also makes a
 * resumed session new. Lifetime: the server's hint when it gave one.
 */
static int client_session(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    cl_session s;
    if (hs->resumed && !hs->new_ticket) {
        c->session = cl_session_ref(hs->offer);
        return 0;
    }
    CL_TRY(hs->resumed ? cl_session_copy(&s, &hs->offer->s) : cl_12_new_session(c, &s));
    int rc = hs->new_ticket ? cl_session_set_ticket(&s, hs->ticket12, hs->ticket12_len) : 0;
    if (hs->new_ticket && hs->ticket12_hint && rc == 0) {
        s.created = cl_now(c->cfg);
        s.lifetime = hs->ticket12_hint;
    }
    if (rc != 0) {
        cl_session_clear(&s);
        return rc;
    }
    return cl_c_new_session(c, &s);
}

static int server_session(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    cl_session s;
    CL_TRY(hs->resumed ? cl_session_copy(&s, hs->session) : cl_12_new_session(c, &s));
    c->session = cl_session_handle(&s);
    return c->session ? 0 : CLASP_ERR_NOMEM;
}

int cl_12_complete(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    /* Design rule 5: application data flows only after the checks that were due. */
    CL_CHECK(verified(c), CLASP_ERR_INTERNAL);
    if (hs->resumed) {
        CL_TRY(restore_peer_chain(c, c->role == CLASP_CLIENT ? &hs->offer->s : hs->session));
        c->resumed = 1;
    }
    CL_TRY(c->role == CLASP_CLIENT ? client_session(c) : server_session(c));
    hs->state = CL_CONNECTED;
    c->handshake_done = 1;
    if (c->resumed)
        cl_trace_note(c, "resumed", 1, "by",
                      hs->by_ticket ? "session ticket (RFC 5077)" : "session ID");
    cl_trace_note(c, "handshake_done", 2, "version", "TLS 1.2", "cipher_suite",
                  c->suite_info->name);
    return 0;
}

/* ---- credentials ---- */

static unsigned key_class(cl_key_type t)
{
    if (t == CL_KEY_RSA || t == CL_KEY_RSA_PSS)
        return 1;
    if (t == CL_KEY_EC_P256 || t == CL_KEY_EC_P384 || t == CL_KEY_EC_P521 || t == CL_KEY_ED25519)
        return 2;
    return 0;
}

/*
 * RFC 8422 4: a server's ECDSA certificate must be on a curve the client listed in
 * supported_groups (when it sent the extension). Ed25519 is chosen by signature_algorithms.
 */
static int curve_offered(const clasp_conn *c, cl_key_type t)
{
    const cl_hs *hs = c->hs;
    if (c->role != CLASP_SERVER || !hs->peer_groups_sent)
        return 1;
    if (t == CL_KEY_EC_P256)
        return cl_u16_in(CL_GROUP_SECP256R1, hs->peer_groups, hs->n_peer_groups);
    if (t == CL_KEY_EC_P384)
        return cl_u16_in(CL_GROUP_SECP384R1, hs->peer_groups, hs->n_peer_groups);
    if (t == CL_KEY_EC_P521)
        return cl_u16_in(CL_GROUP_SECP521R1, hs->peer_groups, hs->n_peer_groups);
    return 1;
}

int cl_12_choose_credential(clasp_conn *c, unsigned key_mask)
{
    cl_hs *hs = c->hs;
    const clasp_config *cfg = c->cfg;
    for (size_t i = 0; i < cfg->n_creds; i++) {
        /* It signs a ServerKeyExchange or CertificateVerify: digitalSignature (7.4.2, 7.4.6). */
        if (!(key_class(cfg->creds[i]->type) & key_mask) ||
            !curve_offered(c, cfg->creds[i]->type) || !(cfg->creds[i]->key_usage & CL_KU_SIGN))
            continue;
        for (size_t j = 0; j < cfg->n_schemes; j++) {
            uint16_t s = cfg->schemes[j];
            /* TLS 1.2 does not bind the curve to the scheme (RFC 8446 4.2.3). */
            if (cl_u16_in(s, hs->peer_schemes, hs->n_peer_schemes) &&
                cl_privkey_fits_scheme(cfg->creds[i]->key, s, 0)) {
                hs->cred = cfg->creds[i];
                hs->our_scheme = s;
                return 0;
            }
        }
    }
    return CLASP_ERR_HANDSHAKE_FAILURE;
}

int cl_12_choose_rsa_credential(clasp_conn *c)
{
    const clasp_config *cfg = c->cfg;
    /* 7.4.2: the certificate MUST allow the key to be used for encryption. */
    for (size_t i = 0; i < cfg->n_creds; i++)
        if (cfg->creds[i]->type == CL_KEY_RSA && (cfg->creds[i]->key_usage & CL_KU_ENCIPHER)) {
            c->hs->cred = cfg->creds[i];
            return 0;
        }
    return CLASP_ERR_HANDSHAKE_FAILURE;
}
