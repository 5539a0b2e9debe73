/*
 * TLS 1.3 steps both roles share: the key schedule's traffic secrets and keys, Certificate,
 * CertificateVerify and Finished in both directions, KeyUpdate, and the end of the
 * handshake.
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/trace.h"

#define MAX_KEY_UPDATES 32 /* in a row without application data: a flood */

static size_t hlen(const clasp_conn *c)
{
    return cl_hash_len(c->suite_info->hash);
}

int cl_13_handshake_secrets(clasp_conn *c, const uint8_t *dhe, size_t dhe_len)
{
    static const uint8_t zeros[CL_MAX_HASH_LEN];
    cl_hs *hs = c->hs;
    uint8_t th[CL_MAX_HASH_LEN];
    size_t h = hlen(c);
    /* 7.1: the Early Secret from the PSK when one was accepted, else from zeros. */
    CL_TRY(cl_ks13_early(&hs->ks, c->suite_info->hash, hs->psk_accepted ? hs->psk : NULL,
                         hs->psk_len));
    cl_trace_key(c, "early_secret", h);
    if (dhe_len)
        cl_trace_key(c, "ecdhe_shared_secret", dhe_len);
    else /* psk_ke: no (EC)DHE, its input is HashLen zeros */
        dhe = zeros, dhe_len = h;
    CL_TRY(cl_ks13_handshake(&hs->ks, dhe, dhe_len));
    cl_trace_key(c, "handshake_secret", h);
    CL_TRY(cl_tr_hash(&hs->tr, th));
    CL_TRY(cl_ks13_derive(&hs->ks, CL_LABEL_C_HS_TRAFFIC, th, hs->c_hs));
    CL_TRY(cl_ks13_derive(&hs->ks, CL_LABEL_S_HS_TRAFFIC, th, hs->s_hs));
    cl_trace_key(c, "client_handshake_traffic_secret", h);
    cl_trace_key(c, "server_handshake_traffic_secret", h);
    cl_keylog(c, "CLIENT_HANDSHAKE_TRAFFIC_SECRET", hs->c_hs, h);
    cl_keylog(c, "SERVER_HANDSHAKE_TRAFFIC_SECRET", hs->s_hs, h);
    return 0;
}

int cl_13_application_secrets(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    uint8_t th[CL_MAX_HASH_LEN];
    size_t h = hlen(c);
    CL_TRY(cl_ks13_master(&hs->ks));
    cl_trace_key(c, "master_secret", h);
    CL_TRY(cl_tr_hash(&hs->tr, th));
    CL_TRY(cl_ks13_derive(&hs->ks, CL_LABEL_C_AP_TRAFFIC, th, hs->c_ap));
    CL_TRY(cl_ks13_derive(&hs->ks, CL_LABEL_S_AP_TRAFFIC, th, hs->s_ap));
    cl_trace_key(c, "client_application_traffic_secret_0", h);
    cl_trace_key(c, "server_application_traffic_secret_0", h);
    cl_keylog(c, "CLIENT_TRAFFIC_SECRET_0", hs->c_ap, h);
    cl_keylog(c, "SERVER_TRAFFIC_SECRET_0", hs->s_ap, h);
    return 0;
}

/* Keys and IV of a traffic secret, installed for one direction; the key copy is wiped. */
static int set_secret(clasp_conn *c, const uint8_t *secret, int write)
{
    uint8_t key[CL_MAX_AEAD_KEY_LEN], iv[CL_AEAD_NONCE_LEN];
    const cl_suite *s = c->suite_info;
    int client_keys = (c->role == CLASP_CLIENT) == (write != 0);
    int rc = cl_ks13_traffic_key_iv(s->hash, secret, s->aead, key, iv);
    cl_trace_key(c, client_keys ? "client_write_key" : "server_write_key",
                 cl_aead_key_len(s->aead));
    cl_trace_key(c, client_keys ? "client_write_iv" : "server_write_iv", sizeof(iv));
    if (rc == 0 && write)
        rc = cl_rl_set_write_keys(&c->rl, CL_TLS13_VERSION, s->aead, key, iv, sizeof(iv));
    else if (rc == 0)
        rc = cl_rl_set_read_keys(&c->rl, CL_TLS13_VERSION, s->aead, key, iv, sizeof(iv));
    cl_wipe(key, sizeof(key));
    cl_wipe(iv, sizeof(iv));
    return rc;
}

int cl_13_set_read_secret(clasp_conn *c, const uint8_t *secret)
{
    return set_secret(c, secret, 0);
}

int cl_13_set_write_secret(clasp_conn *c, const uint8_t *secret)
{
    /* Messages queued under the old keys leave under the old keys. */
    if (c->hs)
        CL_TRY(cl_hs_flush(c));
    return set_secret(c, secret, 1);
}

/* ---- Certificate ---- */

int cl_13_send_certificate(clasp_conn *c, const uint8_t *context, size_t context_len)
{
    const cl_credential *cred = c->hs->cred;
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 4096, 1 << 24));
    cl_msg_open(&w, CL_HS_CERTIFICATE);
    cl_write_vec(&w, 1, context, context_len);
    cl_write_open(&w, 3);
    for (size_t i = 0; cred && i < cred->n_certs; i++) {
        cl_write_vec(&w, 3, cred->certs[i].der, cred->certs[i].len);
        cl_write_u16(&w, 0); /* no per-certificate extensions */
    }
    cl_write_close(&w);
    cl_msg_close(&w);
    return cl_hs_queue_writer(c, &w);
}

static int next13(cl_reader *entries, const uint8_t **der, size_t *len)
{
    return cl_certificate13_next(entries, der, len, NULL);
}

/*
 * 4.4.2: entry extensions "MUST correspond to ones from the ClientHello message" (for a
 * client's certificate, the CertificateRequest's). A client answers what it offered; a
 * server's CertificateRequest asks for none, so any one there answers nothing. 4.2: such a
 * response is "unsupported_extension".
 */
static int check_entry_extensions(clasp_conn *c, cl_reader entries)
{
    const uint8_t *der;
    size_t len;
    cl_exts e;
    while (cl_certificate13_next(&entries, &der, &len, &e) == 0)
        for (size_t k = 0; k < e.n_order; k++)
            if (c->role == CLASP_SERVER || !CL_OFFERED(c->hs, cl_ext_index(e.order[k])))
                return cl_fail(c, CLASP_ERR_UNSUPPORTED_EXTENSION,
                               "a certificate entry carries %s, which was not asked for",
                               cl_ext_name(e.order[k]));
    return 0;
}

int cl_verify_peer_chain(clasp_conn *c, unsigned need)
{
    cl_verify_result res;
    memset(&res, 0, sizeof(res));
    cl_verify_purpose purpose = c->role == CLASP_CLIENT ? CL_PURPOSE_SERVER : CL_PURPOSE_CLIENT;
    const char *host = c->role == CLASP_CLIENT ? c->server_name : NULL;
    int rc = cl_verify_chain(c->cfg->trust, c->peer_chain, c->n_peer_chain, host, purpose, 0, &res);
    if (rc)
        return cl_fail(c, rc, "certificate verify failed: %s", res.reason);
    /*
     * RFC 8446 4.4.2.2: the certificate "MUST allow the key to be used for signing"; RFC 5246
     * 7.4.2: for RSA key exchange it "MUST allow the key to be used for encryption". The
     * chain is sound but its certificate is of a kind this use cannot take:
     * unsupported_certificate, as for libcrypto's own purpose checks (x509/verify.c).
     */
    if ((res.key_usage & need) != need) {
        cl_pubkey_free(res.leaf_key);
        return cl_fail(
            c, CLASP_ERR_UNSUPPORTED_CERTIFICATE, "the certificate's key usage does not allow %s",
            need == CL_KU_ENCIPHER ? "key encipherment (RSA key exchange)" : "digital signatures");
    }
    c->hs->peer_key = res.leaf_key;
    c->hs->peer_chain_verified = 1;
    cl_trace_verified(c, &res, host);
    return 0;
}

int cl_13_peer_certificate(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_certificate13 cert;
    int rc = cl_certificate13_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN,
                                    c->cfg->max_cert_chain_count, &cert);
    CL_TRY(cl_peer_chain_limits(c, rc, cl_reader_left(&cert.entries)));
    /* 4.4.2: the context is empty for the server's certificate, and for a client's it is the
     * CertificateRequest's, which clasp sends empty. */
    if (cl_reader_left(&cert.context) != 0)
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER, "Certificate with a request context");
    CL_TRY(check_entry_extensions(c, cert.entries));
    CL_TRY(cl_tr_add(&c->hs->tr, msg, len));
    if (cert.n_entries == 0) {
        c->hs->peer_cert_empty = 1;
        return 0;
    }
    CL_TRY(cl_keep_peer_chain(c, cert.entries, cert.n_entries, next13));
    return cl_verify_peer_chain(c, CL_KU_SIGN); /* its CertificateVerify follows */
}

/* ---- CertificateVerify (RFC 8446 4.4.3) ---- */

/* 64 spaces, the context string, a zero byte, the transcript hash. */
static size_t cv_content(clasp_conn *c, int server_signs, uint8_t *out)
{
    static const char sctx[] = "TLS 1.3, server CertificateVerify";
    static const char cctx[] = "TLS 1.3, client CertificateVerify";
    memset(out, 0x20, 64);
    memcpy(out + 64, server_signs ? sctx : cctx, sizeof(sctx)); /* with the zero byte */
    if (cl_tr_hash(&c->hs->tr, out + 64 + sizeof(sctx)) != 0)
        return 0;
    return 64 + sizeof(sctx) + hlen(c);
}

/* RSA PKCS#1 v1.5 may sign certificates but never a TLS 1.3 CertificateVerify (4.2.3). */
static int scheme_ok_for_cv(uint16_t scheme)
{
    return (scheme & 0xff) != 0x01 && cl_sig_scheme_supported(scheme);
}

int cl_13_send_certificate_verify(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    uint8_t content[64 + 34 + CL_MAX_HASH_LEN], sig[CL_MAX_SIG_LEN];
    size_t n = cv_content(c, c->role == CLASP_SERVER, content), sig_len;
    CL_CHECK(n, CLASP_ERR_INTERNAL);
    CL_TRY(cl_sign(hs->cred->key, hs->our_scheme, content, n, sig, sizeof(sig), &sig_len));
    cl_writer w;
    CL_TRY(cl_writer_growable(&w, 16 + sig_len, 16 + sig_len));
    cl_msg_open(&w, CL_HS_CERTIFICATE_VERIFY);
    cl_write_u16(&w, hs->our_scheme);
    cl_write_vec(&w, 2, sig, sig_len);
    cl_msg_close(&w);
    return cl_hs_queue_writer(c, &w);
}

int cl_13_peer_certificate_verify(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_certificate_verify cv;
    CL_TRY(cl_certificate_verify_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &cv));
    /* The scheme must be one we offered and fit the certificate's key (4.4.3, 4.2.3). */
    if (!cl_u16_in(cv.scheme, c->cfg->schemes, c->cfg->n_schemes) || !scheme_ok_for_cv(cv.scheme) ||
        !cl_pubkey_fits_scheme(hs->peer_key, cv.scheme, 1))
        return cl_fail(c, CLASP_ERR_ILLEGAL_PARAMETER,
                       "CertificateVerify uses %s, which was not offered or does not fit the key",
                       cl_sig_scheme_name(cv.scheme) ? cl_sig_scheme_name(cv.scheme)
                                                     : "an unknown scheme");
    uint8_t content[64 + 34 + CL_MAX_HASH_LEN];
    size_t n = cv_content(c, c->role == CLASP_CLIENT, content);
    CL_CHECK(n, CLASP_ERR_INTERNAL);
    int rc = cl_verify(hs->peer_key, cv.scheme, content, n, cv.sig, cv.sig_len);
    if (rc)
        return cl_fail(c, rc, "CertificateVerify: the signature does not verify");
    hs->peer_cv_verified = 1;
    cl_trace_note(c, "signature_checked", 3, "message", "CertificateVerify", "scheme",
                  cl_sig_scheme_name(cv.scheme), "result", "ok");
    c->peer_scheme = cv.scheme;
    return cl_tr_add(&hs->tr, msg, len);
}

/* ---- Finished (RFC 8446 4.4.4) ---- */

int cl_13_send_finished(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    uint8_t th[CL_MAX_HASH_LEN], msg[CL_HS_HEADER_LEN + CL_MAX_HASH_LEN];
    const uint8_t *base = c->role == CLASP_CLIENT ? hs->c_hs : hs->s_hs;
    size_t h = hlen(c);
    CL_TRY(cl_tr_hash(&hs->tr, th));
    msg[0] = CL_HS_FINISHED;
    msg[1] = 0;
    msg[2] = 0;
    msg[3] = (uint8_t)h;
    CL_TRY(cl_ks13_finished(c->suite_info->hash, base, th, msg + CL_HS_HEADER_LEN));
    return cl_hs_queue(c, msg, CL_HS_HEADER_LEN + h);
}

int cl_13_peer_finished(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    uint8_t th[CL_MAX_HASH_LEN], want[CL_MAX_HASH_LEN];
    const uint8_t *got, *base = c->role == CLASP_CLIENT ? hs->s_hs : hs->c_hs;
    CL_TRY(cl_finished_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, hlen(c), &got));
    CL_TRY(cl_tr_hash(&hs->tr, th));
    CL_TRY(cl_ks13_finished(c->suite_info->hash, base, th, want));
    int ok = cl_ct_memeq(got, want, hlen(c));
    cl_wipe(want, sizeof(want));
    if (!ok)
        return cl_fail(c, CLASP_ERR_DECRYPT, "the peer's Finished does not verify");
    hs->peer_finished_verified = 1;
    cl_trace_note(c, "finished_verified", 1, "verify_data", "HMAC, constant-time compare");
    return cl_tr_add(&hs->tr, msg, len);
}

/* ---- credentials ---- */

int cl_13_choose_credential(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    const clasp_config *cfg = c->cfg;
    for (size_t i = 0; i < cfg->n_creds; i++)
        for (size_t j = 0; j < cfg->n_schemes; j++) {
            uint16_t s = cfg->schemes[j];
            /* 4.4.2.2: the certificate MUST allow the key to be used for signing. */
            if ((cfg->creds[i]->key_usage & CL_KU_SIGN) && scheme_ok_for_cv(s) &&
                cl_u16_in(s, hs->peer_schemes, hs->n_peer_schemes) &&
                cl_privkey_fits_scheme(cfg->creds[i]->key, s, 1)) {
                hs->cred = cfg->creds[i];
                hs->our_scheme = s;
                return 0;
            }
        }
    return CLASP_ERR_HANDSHAKE_FAILURE;
}

/* ---- the end of the handshake ---- */

/*
 * A resumed connection reports the peer of the session it resumed: a client the server's
 * chain, a server the client's leaf (RFC 8446 4.6.1: the server name is this hello's).
 */
static int resumed_peer(clasp_conn *c)
{
    const cl_session *s = c->role == CLASP_CLIENT ? &c->hs->offer->s : c->hs->session;
    cl_session tmp;
    memset(&tmp, 0, sizeof(tmp));
    CL_TRY(cl_session_set_chain(&tmp, s->peer_chain, s->n_peer_chain));
    c->peer_chain = tmp.peer_chain;
    c->n_peer_chain = tmp.n_peer_chain;
    c->resumed = 1;
    cl_trace_note(c, "resumed", 1, "by", "ticket (TLS 1.3 PSK)");
    return 0;
}

int cl_13_complete(clasp_conn *c)
{
    cl_hs *hs = c->hs;
    /*
     * With a PSK the peer proved it holds the session's secret: a server by its Finished
     * (keyed by the PSK), a client by the binder and its Finished.
     */
    int peer_authenticated =
        (hs->peer_chain_verified && hs->peer_cv_verified) ||
        (hs->psk_accepted && (c->role == CLASP_CLIENT || hs->psk_binder_verified));
    /* Design rule 5: application data flows only after the checks that were due were made. */
    if (!hs->peer_finished_verified)
        return CLASP_ERR_INTERNAL;
    if (c->role == CLASP_CLIENT && !peer_authenticated)
        return CLASP_ERR_INTERNAL;
    if (c->role == CLASP_SERVER && hs->psk_accepted && !hs->psk_binder_verified)
        return CLASP_ERR_INTERNAL;
    if (c->role == CLASP_SERVER && hs->cert_requested && !hs->peer_cert_empty &&
        !peer_authenticated)
        return CLASP_ERR_INTERNAL;
    if (hs->psk_accepted)
        CL_TRY(resumed_peer(c));
    size_t h = hlen(c);
    memcpy(c->read_secret, c->role == CLASP_CLIENT ? hs->s_ap : hs->c_ap, h);
    memcpy(c->write_secret, c->role == CLASP_CLIENT ? hs->c_ap : hs->s_ap, h);
    hs->state = CL_CONNECTED;
    c->handshake_done = 1;
    cl_trace_note(c, "handshake_done", 2, "version", "TLS 1.3", "cipher_suite",
                  c->suite_info->name);
    return 0;
}

/* ---- KeyUpdate (RFC 8446 4.6.3) ---- */

static int send_key_update(clasp_conn *c, uint8_t request)
{
    const uint8_t msg[5] = {CL_HS_KEY_UPDATE, 0, 0, 1, request};
    cl_trace_message(c, 1, msg, sizeof(msg));
    CL_TRY(cl_rl_write(&c->rl, CL_CT_HANDSHAKE, msg, sizeof(msg)));
    CL_TRY(cl_ks13_next_traffic_secret(c->suite_info->hash, c->write_secret, c->write_secret));
    cl_trace_key(c, "next_application_traffic_secret", hlen(c));
    return set_secret(c, c->write_secret, 1);
}

int cl_13_key_update(clasp_conn *c, const uint8_t *msg, size_t len)
{
    uint8_t request;
    CL_TRY(cl_key_update_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &request));
    if (++c->key_updates > MAX_KEY_UPDATES)
        return cl_fail(c, CLASP_ERR_UNEXPECTED_MESSAGE, "too many KeyUpdate messages in a row");
    CL_TRY(cl_ks13_next_traffic_secret(c->suite_info->hash, c->read_secret, c->read_secret));
    cl_trace_key(c, "next_application_traffic_secret", hlen(c));
    CL_TRY(set_secret(c, c->read_secret, 0));
    /* "update_requested": answer with our own update before any more application data. */
    if (request == CL_KEY_UPDATE_REQUESTED && !c->close_sent)
        return send_key_update(c, CL_KEY_UPDATE_NOT_REQUESTED);
    return 0;
}

int cl_13_request_key_update(clasp_conn *c, int request_peer)
{
    return send_key_update(c, request_peer ? CL_KEY_UPDATE_REQUESTED : CL_KEY_UPDATE_NOT_REQUESTED);
}
