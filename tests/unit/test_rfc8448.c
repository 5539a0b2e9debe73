/*
 * RFC 8448 byte for byte, from the traces' private keys and messages:
 *  - section 3, "Simple 1-RTT Handshake": every derived secret, key and IV, both Finished
 *    values, the server's CertificateVerify, and every protected record of the trace,
 *    sealed and opened again;
 *  - section 5, "HelloRetryRequest": the same, over P-256 after a HelloRetryRequest, with
 *    the transcript built by clasp's own cl_transcript: ClientHello1 replaced by the
 *    synthetic message_hash message (RFC 8446 4.4.1) before the HelloRetryRequest, the
 *    second ClientHello and the ServerHello enter it; the HelloRetryRequest's group and
 *    cookie as clasp's codecs read them, and the cookie echoed in the second ClientHello.
 * The expected values are the RFC's hex (tests/vectors/rfc8448_simple.txt and
 * rfc8448_hrr.txt, extracted by tests/vectors/extract_rfc8448.py), and each run is also
 * replayed with every vector it uses mutated (vec_mutation_check).
 *
 * With --narrate the section 3 run prints each step in order (`make demo` without the tools).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/x509.h>

#include "base/bytes.h"
#include "crypto/crypto.h"
#include "hs/keysched13.h"
#include "hs/transcript.h"
#include "msg/msg.h"
#include "record/protect.h"
#include "testutil.h"

#define H    CL_HASH_SHA256
#define HLEN 32
#define AEAD CL_AEAD_AES_128_GCM

typedef struct span {
    const uint8_t *p;
    size_t len;
} span;

struct run {
    vecfile *v;
    vcheck *c;
    int narrate;
    cl_transcript tr;
    cl_ks13 ks;
    uint8_t c_hs[HLEN], s_hs[HLEN], c_ap[HLEN], s_ap[HLEN];
};

static span vec(struct run *r, const char *key)
{
    span s;
    s.p = vec_get(r->v, key, &s.len);
    return s;
}

__attribute__((format(printf, 2, 3))) static void say(struct run *r, const char *fmt, ...)
{
    if (!r->narrate)
        return;
    va_list ap;
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
}

/* Compares with the RFC's value and, when narrating, shows the step. */
static void check(struct run *r, const char *what, const char *key, const uint8_t *got, size_t len)
{
    int before = r->c->failures;
    vcheck_vec(r->c, r->v, key, got, len);
    say(r, "  %-4s %-47s", r->c->failures == before ? "ok" : "FAIL", what);
    for (size_t i = 0; i < len && i < 12; i++)
        say(r, "%02x", got[i]);
    say(r, "%s (%zu bytes)\n", len > 12 ? "..." : "", len);
}

static void ok(struct run *r, const char *what, int rc)
{
    vcheck_ok(r->c, what, rc);
    if (rc != 0)
        say(r, "  FAIL %s (error %d)\n", what, rc);
}

/* Adds a handshake message from the trace to the transcript. */
static void transcript_add(struct run *r, const char *key)
{
    span m = vec(r, key);
    ok(r, key, cl_tr_add(&r->tr, m.p, m.len));
}

static void transcript_now(struct run *r, uint8_t out[HLEN])
{
    ok(r, "transcript snapshot", cl_tr_hash(&r->tr, out));
}

/* One side's key share from its private key: the public key, and the shared secret. */
static void kex_pair(struct run *r, const char *who, uint16_t group, const char *step,
                     const char *peer)
{
    char what[64], priv_key[96], pub_key[96], peer_key[96];
    snprintf(priv_key, sizeof(priv_key), "%s.%s.private_key", who, step);
    snprintf(pub_key, sizeof(pub_key), "%s.%s.public_key", who, step);
    span priv = vec(r, priv_key);
    uint8_t pub[CL_MAX_KEX_PUBLIC_LEN], shared[CL_MAX_KEX_SECRET_LEN];
    size_t pub_len = 0, shared_len = 0;
    cl_kex *k = NULL;
    ok(r, "key share import", cl_kex_from_private(&k, group, priv.p, priv.len));
    if (!k)
        return;
    ok(r, "key share public", cl_kex_public(k, pub, sizeof(pub), &pub_len));
    snprintf(what, sizeof(what), "%s public key share", who);
    check(r, what, pub_key, pub, pub_len);
    if (peer) {
        snprintf(peer_key, sizeof(peer_key), "%s.%s.public_key", peer, step);
        span peer_pub = vec(r, peer_key);
        ok(r, "key share derive",
           cl_kex_derive(k, peer_pub.p, peer_pub.len, shared, sizeof(shared), &shared_len));
        snprintf(what, sizeof(what), "%s (EC)DHE shared secret", who);
        check(r, what, "server.extract_secret_handshake.ikm", shared, shared_len);
    }
    cl_kex_free(k);
}

static void key_exchange(struct run *r, uint16_t group, const char *step)
{
    say(r, "Key exchange (%s), each side from its private key:\n",
        group == CL_GROUP_X25519 ? "X25519" : "P-256");
    kex_pair(r, "client", group, step, "server");
    kex_pair(r, "server", group, step, "client");
}

/* A hello in a plaintext record: type 22, the given version, a 16-bit length. */
static void hello_record(struct run *r, const char *what, uint16_t version, const char *msg_key,
                         const char *record_key)
{
    char payload_key[96];
    span m = vec(r, msg_key);
    uint8_t rec[1024];
    cl_writer w;
    cl_writer_fixed(&w, rec, sizeof(rec));
    cl_write_u8(&w, CL_CT_HANDSHAKE);
    cl_write_u16(&w, version);
    cl_write_vec(&w, 2, m.p, m.len);
    ok(r, what, cl_writer_finish(&w));
    say(r, "%s, in a plaintext record:\n", what);
    check(r, what, record_key, rec, w.len);
    /* "x.complete_record#2" goes with "x.payload#2" */
    const char *dot = strrchr(record_key, '.'), *n = strchr(record_key, '#');
    snprintf(payload_key, sizeof(payload_key), "%.*s.payload%s", (int)(dot - record_key),
             record_key, n ? n : "");
    check(r, "the record's payload is the message", payload_key, m.p, m.len);
}

static void early_and_handshake_secrets(struct run *r)
{
    uint8_t empty[HLEN], derived[HLEN], th[HLEN];
    size_t dhe_len;
    const uint8_t *dhe = vec_get(r->v, "server.extract_secret_handshake.ikm", &dhe_len);
    say(r, "Key schedule, early and handshake stages:\n");
    ok(r, "early secret", cl_ks13_early(&r->ks, H, NULL, 0));
    check(r, "early secret", "server.extract_secret_early.secret", r->ks.secret, HLEN);
    ok(r, "empty hash", cl_hash(H, NULL, 0, empty));
    check(r, "Hash(\"\")", "server.derive_secret_for_handshake_tls13_derived.hash", empty, HLEN);
    ok(r, "derived", cl_ks13_derive(&r->ks, "derived", empty, derived));
    check(r, "Derive-Secret(early, \"derived\")",
          "server.derive_secret_for_handshake_tls13_derived.expanded", derived, HLEN);
    ok(r, "handshake secret", cl_ks13_handshake(&r->ks, dhe, dhe_len));
    check(r, "handshake secret", "server.extract_secret_handshake.secret", r->ks.secret, HLEN);

    transcript_now(r, th);
    check(r, "Transcript-Hash(ClientHello..ServerHello)",
          "server.derive_secret_tls13_c_hs_traffic.hash", th, HLEN);
    ok(r, "c hs", cl_ks13_derive(&r->ks, CL_LABEL_C_HS_TRAFFIC, th, r->c_hs));
    check(r, "client_handshake_traffic_secret", "server.derive_secret_tls13_c_hs_traffic.expanded",
          r->c_hs, HLEN);
    ok(r, "s hs", cl_ks13_derive(&r->ks, CL_LABEL_S_HS_TRAFFIC, th, r->s_hs));
    check(r, "server_handshake_traffic_secret", "server.derive_secret_tls13_s_hs_traffic.expanded",
          r->s_hs, HLEN);
}

static void master_secret(struct run *r)
{
    uint8_t empty[HLEN], derived[HLEN];
    ok(r, "empty hash", cl_hash(H, NULL, 0, empty));
    ok(r, "derived", cl_ks13_derive(&r->ks, "derived", empty, derived));
    check(r, "Derive-Secret(handshake, \"derived\")",
          "server.derive_secret_for_master_tls13_derived.expanded", derived, HLEN);
    ok(r, "master secret", cl_ks13_master(&r->ks));
    check(r, "master secret", "server.extract_secret_master.secret", r->ks.secret, HLEN);
}

/* Checks a traffic secret's key and IV against the trace step `step`. */
static void traffic_keys(struct run *r, const char *who, const uint8_t *secret, const char *step,
                         uint8_t key[16], uint8_t iv[12])
{
    char k[160], what[96];
    ok(r, "traffic key/iv", cl_ks13_traffic_key_iv(H, secret, AEAD, key, iv));
    snprintf(k, sizeof(k), "%s.key_expanded", step);
    snprintf(what, sizeof(what), "%s write key", who);
    check(r, what, k, key, 16);
    snprintf(k, sizeof(k), "%s.iv_expanded", step);
    snprintf(what, sizeof(what), "%s write iv", who);
    check(r, what, k, iv, 12);
}

/*
 * Seals `payload` as record number seq under (key, iv) and compares with the trace's record;
 * then opens the trace's record and compares type and plaintext.
 */
static void record(struct run *r, const char *what, const uint8_t key[16], const uint8_t iv[12],
                   uint64_t seq, uint8_t type, const char *payload_key, const char *record_key)
{
    span pt = vec(r, payload_key), want = vec(r, record_key);
    uint8_t buf[1024], type_out = 0;
    size_t len = 0, off = 0, pt_len = 0;
    cl_record_prot seal = {0}, open = {0};
    ok(r, "seal init", cl_record_prot_init(&seal, CL_TLS13_VERSION, AEAD, 1, key, 16, iv, 12));
    ok(r, "open init", cl_record_prot_init(&open, CL_TLS13_VERSION, AEAD, 0, key, 16, iv, 12));
    seal.seq = open.seq = seq;
    if (pt.len + 64 > sizeof(buf) || want.len > sizeof(buf)) {
        ok(r, "record fits the test buffer", -1);
        goto out;
    }
    memcpy(buf + cl_record_prot_prefix(&seal), pt.p, pt.len);
    ok(r, "seal", cl_record_seal(&seal, type, buf, sizeof(buf), pt.len, 0, &len));
    check(r, what, record_key, buf, len);
    memcpy(buf, want.p, want.len);
    ok(r, "open", cl_record_open(&open, buf, want.len, &type_out, &off, &pt_len));
    vcheck_eq(r->c, "opened content type", &type_out, 1, &type, 1);
    vcheck_eq(r->c, "opened plaintext", buf + off, pt_len, pt.p, pt.len);
out:
    cl_record_prot_clear(&seal);
    cl_record_prot_clear(&open);
}

/* The SubjectPublicKeyInfo of the one certificate in a TLS 1.3 Certificate message. */
static cl_pubkey *certificate_key(struct run *r)
{
    span m = vec(r, "server.construct_a_certificate_handshake_message.certificate");
    cl_reader rd, body = {0}, list = {0}, entry = {0}, ext;
    const uint8_t *der = NULL;
    uint8_t type;
    cl_reader_init(&rd, m.p, m.len);
    int rc = cl_read_u8(&rd, &type);
    if (!rc)
        rc = cl_read_vec24(&rd, &body); /* the message body */
    if (!rc)
        rc = cl_read_skip(&body, 1); /* empty certificate_request_context */
    if (!rc)
        rc = cl_read_vec24(&body, &list);
    if (!rc)
        rc = cl_read_vec24(&list, &entry);
    size_t der_len = cl_reader_left(&entry);
    if (!rc)
        rc = cl_read_bytes(&entry, der_len, &der);
    if (!rc)
        rc = cl_read_vec16(&list, &ext);
    ok(r, "parse Certificate message", rc);
    if (rc)
        return NULL;
    const uint8_t *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)der_len);
    uint8_t *spki = NULL;
    int spki_len = x ? i2d_X509_PUBKEY(X509_get_X509_PUBKEY(x), &spki) : -1;
    cl_pubkey *k = NULL;
    ok(r, "certificate key", spki_len > 0 ? cl_pubkey_from_spki(&k, spki, (size_t)spki_len) : -1);
    OPENSSL_free(spki);
    X509_free(x);
    return k;
}

/* RFC 8446 4.4.3: 64 spaces, the context string, a zero byte, then the transcript hash. */
static void certificate_verify(struct run *r)
{
    static const char ctx[] = "TLS 1.3, server CertificateVerify";
    uint8_t content[64 + sizeof(ctx) + HLEN], th[HLEN];
    span cv = vec(r, "server.construct_a_certificateverify_handshake_message.certificateverify");
    transcript_now(r, th);
    memset(content, 0x20, 64);
    memcpy(content + 64, ctx, sizeof(ctx)); /* includes the zero byte */
    memcpy(content + 64 + sizeof(ctx), th, HLEN);
    cl_pubkey *k = certificate_key(r);
    /* CertificateVerify: type(1) length(3) scheme(2) signature<2> */
    int rc = -1;
    if (k && cv.len > 8 && cv.p[4] == 0x08 && cv.p[5] == 0x04)
        rc = cl_verify(k, CL_SIG_RSA_PSS_RSAE_SHA256, content, sizeof(content), cv.p + 8,
                       cv.len - 8);
    ok(r, "CertificateVerify signature", rc);
    say(r, "  %-4s %-47s rsa_pss_rsae_sha256 by the certificate's key\n", rc ? "FAIL" : "ok",
        "server CertificateVerify");
    cl_pubkey_free(k);
}

static void finished(struct run *r, const char *who, const uint8_t *base_key, const char *step,
                     const char *msg_key)
{
    uint8_t th[HLEN], fin[HLEN], msg[4 + HLEN] = {0x14, 0x00, 0x00, HLEN};
    char k[128], what[64];
    transcript_now(r, th);
    ok(r, "finished", cl_ks13_finished(H, base_key, th, fin));
    snprintf(k, sizeof(k), "%s.finished", step);
    snprintf(what, sizeof(what), "%s Finished verify_data", who);
    check(r, what, k, fin, HLEN);
    memcpy(msg + 4, fin, HLEN);
    snprintf(what, sizeof(what), "%s Finished message", who);
    check(r, what, msg_key, msg, sizeof(msg));
}

/* A handshake record of the trace, number n ("#2"), its payload and protected form. */
static void handshake_record(struct run *r, const char *what, const char *who, const char *n,
                             const uint8_t key[16], const uint8_t iv[12], uint64_t seq)
{
    char payload[96], complete[96];
    snprintf(payload, sizeof(payload), "%s.send_handshake_record.payload%s", who, n);
    snprintf(complete, sizeof(complete), "%s.send_handshake_record.complete_record%s", who, n);
    record(r, what, key, iv, seq, CL_CT_HANDSHAKE, payload, complete);
}

/* The server's flight, in its handshake record number n. */
static void server_flight(struct run *r, const char *n)
{
    uint8_t key[16], iv[12];
    say(r, "Server's encrypted flight (EncryptedExtensions..Finished):\n");
    traffic_keys(r, "server handshake", r->s_hs,
                 "server.derive_write_traffic_keys_for_handshake_data", key, iv);
    transcript_add(r,
                   "server.construct_an_encryptedextensions_handshake_message.encryptedextensions");
    transcript_add(r, "server.construct_a_certificate_handshake_message.certificate");
    certificate_verify(r);
    transcript_add(r, "server.construct_a_certificateverify_handshake_message.certificateverify");
    finished(r, "server", r->s_hs, "server.calculate_finished_tls13_finished",
             "server.construct_a_finished_handshake_message.finished");
    transcript_add(r, "server.construct_a_finished_handshake_message.finished");
    handshake_record(r, "server's encrypted flight record", "server", n, key, iv, 0);
}

static void application_secrets(struct run *r)
{
    uint8_t th[HLEN], exp[HLEN];
    say(r, "Application traffic secrets (after the server's Finished):\n");
    transcript_now(r, th);
    check(r, "Transcript-Hash(ClientHello..server Finished)",
          "server.derive_secret_tls13_c_ap_traffic.hash", th, HLEN);
    ok(r, "c ap", cl_ks13_derive(&r->ks, CL_LABEL_C_AP_TRAFFIC, th, r->c_ap));
    check(r, "client_application_traffic_secret_0",
          "server.derive_secret_tls13_c_ap_traffic.expanded", r->c_ap, HLEN);
    ok(r, "s ap", cl_ks13_derive(&r->ks, CL_LABEL_S_AP_TRAFFIC, th, r->s_ap));
    check(r, "server_application_traffic_secret_0",
          "server.derive_secret_tls13_s_ap_traffic.expanded", r->s_ap, HLEN);
    ok(r, "exp", cl_ks13_derive(&r->ks, CL_LABEL_EXP_MASTER, th, exp));
    check(r, "exporter_master_secret", "server.derive_secret_tls13_exp_master.expanded", exp, HLEN);
}

/* The client's Finished, in its handshake record number n. */
static void client_flight(struct run *r, const char *n)
{
    uint8_t key[16], iv[12];
    say(r, "Client's Finished, under the client handshake keys:\n");
    traffic_keys(r, "client handshake", r->c_hs,
                 "server.derive_read_traffic_keys_for_handshake_data", key, iv);
    finished(r, "client", r->c_hs, "client.calculate_finished_tls13_finished",
             "client.construct_a_finished_handshake_message.finished");
    handshake_record(r, "client Finished record", "client", n, key, iv, 0);
    transcript_add(r, "client.construct_a_finished_handshake_message.finished");
}

/* resumption_master_secret, after the client's Finished, into res. */
static void resumption_master(struct run *r, uint8_t res[HLEN])
{
    uint8_t th[HLEN];
    transcript_now(r, th);
    check(r, "Transcript-Hash(ClientHello..client Finished)",
          "client.derive_secret_tls13_res_master.hash", th, HLEN);
    ok(r, "res master", cl_ks13_derive(&r->ks, CL_LABEL_RES_MASTER, th, res));
    check(r, "resumption_master_secret", "client.derive_secret_tls13_res_master.expanded", res,
          HLEN);
}

/* NewSessionTicket: lifetime(4) age_add(4) nonce<0..255> ticket<1..2^16-1> extensions<2>. */
static void ticket(struct run *r, const uint8_t s_key[16], const uint8_t s_iv[12])
{
    uint8_t res[HLEN], psk[HLEN];
    span nst = vec(r, "server.construct_a_newsessionticket_handshake_message.newsessionticket");
    cl_reader rd, nonce = {0};
    cl_reader_init(&rd, nst.p, nst.len);
    int rc = cl_read_skip(&rd, 4 + 4 + 4);
    if (!rc)
        rc = cl_read_vec8(&rd, &nonce);
    ok(r, "NewSessionTicket nonce", rc);
    say(r, "Resumption (after the client's Finished) and the ticket:\n");
    check(r, "NewSessionTicket is the record's payload", "server.send_handshake_record.payload#3",
          nst.p, nst.len);
    resumption_master(r, res);
    check(r, "ticket_nonce", "server.generate_resumption_secret_tls13_resumption.hash", nonce.p,
          nonce.len);
    ok(r, "ticket psk", cl_ks13_ticket_psk(H, res, nonce.p, nonce.len, psk));
    check(r, "ticket PSK", "server.generate_resumption_secret_tls13_resumption.expanded", psk,
          HLEN);
    handshake_record(r, "NewSessionTicket record", "server", "#3", s_key, s_iv, 0);
}

/* Both sides' application keys. */
static void application_keys(struct run *r, uint8_t c_key[16], uint8_t c_iv[12], uint8_t s_key[16],
                             uint8_t s_iv[12])
{
    say(r, "Application data keys:\n");
    traffic_keys(r, "server application", r->s_ap,
                 "server.derive_write_traffic_keys_for_application_data", s_key, s_iv);
    traffic_keys(r, "client application", r->c_ap,
                 "client.derive_write_traffic_keys_for_application_data", c_key, c_iv);
}

/* The close_notify records, at the sequence numbers each side has reached. */
static void close_notifies(struct run *r, const uint8_t c_key[16], const uint8_t c_iv[12],
                           uint64_t c_seq, const uint8_t s_key[16], const uint8_t s_iv[12],
                           uint64_t s_seq)
{
    record(r, "client close_notify record", c_key, c_iv, c_seq, CL_CT_ALERT,
           "client.send_alert_record.payload", "client.send_alert_record.complete_record");
    record(r, "server close_notify record", s_key, s_iv, s_seq, CL_CT_ALERT,
           "server.send_alert_record.payload", "server.send_alert_record.complete_record");
}

static void application_data(struct run *r)
{
    uint8_t c_key[16], c_iv[12], s_key[16], s_iv[12];
    application_keys(r, c_key, c_iv, s_key, s_iv);
    ticket(r, s_key, s_iv);
    say(r, "Application data and close_notify records:\n");
    record(r, "client application data record", c_key, c_iv, 0, CL_CT_APPLICATION_DATA,
           "client.send_application_data_record.payload",
           "client.send_application_data_record.complete_record");
    record(r, "server application data record", s_key, s_iv, 1, CL_CT_APPLICATION_DATA,
           "server.send_application_data_record.payload",
           "server.send_application_data_record.complete_record");
    close_notifies(r, c_key, c_iv, 1, s_key, s_iv, 2);
}

static int run_simple(vecfile *v, vcheck *c, void *arg)
{
    struct run r = {.v = v, .c = c, .narrate = arg != NULL};
    ok(&r, "transcript hash", cl_tr_set_hash(&r.tr, H));
    key_exchange(&r, CL_GROUP_X25519, "create_an_ephemeral_x25519_key_pair");
    hello_record(&r, "ClientHello", 0x0301,
                 "client.construct_a_clienthello_handshake_message.clienthello",
                 "client.send_handshake_record.complete_record");
    hello_record(&r, "ServerHello", 0x0303,
                 "server.construct_a_serverhello_handshake_message.serverhello",
                 "server.send_handshake_record.complete_record");
    transcript_add(&r, "client.construct_a_clienthello_handshake_message.clienthello");
    transcript_add(&r, "server.construct_a_serverhello_handshake_message.serverhello");
    early_and_handshake_secrets(&r);
    master_secret(&r);
    server_flight(&r, "#2");
    application_secrets(&r);
    client_flight(&r, "#2");
    application_data(&r);
    cl_tr_free(&r.tr);
    cl_ks13_clear(&r.ks);
    return 0;
}

/* ---- section 5: HelloRetryRequest ---- */

#define HRR_CH1 "client.construct_a_clienthello_handshake_message.clienthello"
#define HRR_HRR "server.construct_a_serverhello_handshake_message.serverhello"
#define HRR_CH2 "client.construct_a_clienthello_handshake_message.clienthello#2"
#define HRR_SH  "server.construct_a_serverhello_handshake_message.serverhello#2"

/*
 * What the HelloRetryRequest asks for, as clasp's codecs read it: it is one (the special
 * random), for TLS_AES_128_GCM_SHA256 and P-256, with a cookie that ClientHello2 echoes.
 */
static void hrr_contents(struct run *r)
{
    span hrr = vec(r, HRR_HRR), ch2 = vec(r, HRR_CH2);
    cl_server_hello sh;
    cl_client_hello ch;
    uint16_t group = 0;
    const uint8_t *cookie = NULL, *echo = NULL;
    size_t cookie_len = 0, echo_len = 0;
    say(r, "HelloRetryRequest, and ClientHello2's answer to it:\n");
    ok(r, "HRR parses", cl_server_hello_parse(hrr.p + 4, hrr.len - 4, &sh));
    ok(r, "HRR is a HelloRetryRequest", sh.is_hrr && sh.cipher_suite == 0x1301 ? 0 : -1);
    ok(r, "HRR key_share", cl_ext_key_share_hrr(cl_exts_get(&sh.exts, CL_EXTI_KEY_SHARE), &group));
    ok(r, "HRR asks for P-256", group == CL_GROUP_SECP256R1 ? 0 : -1);
    ok(r, "HRR cookie", cl_ext_cookie(cl_exts_get(&sh.exts, CL_EXTI_COOKIE), &cookie, &cookie_len));
    ok(r, "ClientHello2 parses", cl_client_hello_parse(ch2.p + 4, ch2.len - 4, &ch));
    ok(r, "ClientHello2 cookie",
       cl_ext_cookie(cl_exts_get(&ch.exts, CL_EXTI_COOKIE), &echo, &echo_len));
    vcheck_eq(r->c, "ClientHello2 echoes the cookie", echo, echo_len, cookie, cookie_len);
    say(r, "  ok   HelloRetryRequest for P-256, cookie of %zu bytes echoed\n", cookie_len);
}

/*
 * RFC 8446 4.4.1: ClientHello1 enters the transcript before the suite (and so the hash) is
 * known; the HelloRetryRequest names the suite, and ClientHello1 is replaced by
 * message_hash (254, 00 00 HashLen, Hash(ClientHello1)). The RFC's Transcript-Hash values
 * from here on can only match if that replacement is exact.
 */
static void hrr_transcript(struct run *r)
{
    transcript_add(r, HRR_CH1);
    ok(r, "hash chosen by the HRR's suite", cl_tr_set_hash(&r->tr, H));
    ok(r, "ClientHello1 -> message_hash", cl_tr_replace_with_message_hash(&r->tr));
    transcript_add(r, HRR_HRR);
    transcript_add(r, HRR_CH2);
    transcript_add(r, HRR_SH);
}

static int run_hrr(vecfile *v, vcheck *c, void *arg)
{
    struct run r = {.v = v, .c = c, .narrate = arg != NULL};
    uint8_t c_key[16], c_iv[12], s_key[16], s_iv[12], res[HLEN];
    /* ClientHello1 offered X25519 only; the server wants P-256. */
    kex_pair(&r, "client", CL_GROUP_X25519, "create_an_ephemeral_x25519_key_pair", NULL);
    hello_record(&r, "ClientHello1", 0x0301, HRR_CH1,
                 "client.send_handshake_record.complete_record");
    hello_record(&r, "HelloRetryRequest", 0x0303, HRR_HRR,
                 "server.send_handshake_record.complete_record");
    hrr_contents(&r);
    key_exchange(&r, CL_GROUP_SECP256R1, "create_an_ephemeral_p_256_key_pair");
    hello_record(&r, "ClientHello2", 0x0303, HRR_CH2,
                 "client.send_handshake_record.complete_record#2");
    hello_record(&r, "ServerHello", 0x0303, HRR_SH,
                 "server.send_handshake_record.complete_record#2");
    hrr_transcript(&r);
    early_and_handshake_secrets(&r);
    master_secret(&r);
    server_flight(&r, "#3");
    application_secrets(&r);
    client_flight(&r, "#3");
    resumption_master(&r, res);
    application_keys(&r, c_key, c_iv, s_key, s_iv);
    close_notifies(&r, c_key, c_iv, 0, s_key, s_iv, 0);
    cl_tr_free(&r.tr);
    cl_ks13_clear(&r.ks);
    return 0;
}

static void known_answers(const char *file, vec_run_fn run, int min_checks)
{
    vecfile *v = vec_load(file);
    vcheck c = {0};
    assert_int_equal(run(v, &c, NULL), 0);
    assert_int_equal(c.failures, 0);
    assert_true(c.checks > min_checks);
    vec_free(v);
}

/* The test of the test: a one-byte change to any vector the run uses must be caught. */
static void every_vector_matters(const char *file, vec_run_fn run)
{
    vecfile *v = vec_load(file);
    assert_int_equal(vec_mutation_check(v, run, NULL), 0);
    vec_free(v);
}

static void test_rfc8448_simple(void **state)
{
    known_answers("rfc8448_simple.txt", run_simple, 80);
}

static void test_rfc8448_simple_every_vector_matters(void **state)
{
    every_vector_matters("rfc8448_simple.txt", run_simple);
}

static void test_rfc8448_hrr(void **state)
{
    known_answers("rfc8448_hrr.txt", run_hrr, 70);
}

static void test_rfc8448_hrr_every_vector_matters(void **state)
{
    every_vector_matters("rfc8448_hrr.txt", run_hrr);
}

int main(int argc, char **argv)
{
    if (argc > 1 && strcmp(argv[1], "--narrate") == 0) {
        vecfile *v = vec_load("rfc8448_simple.txt");
        vcheck c = {0};
        printf("RFC 8448 section 3, a TLS 1.3 handshake (X25519, AES-128-GCM-SHA256), "
               "recomputed by clasp:\n\n");
        run_simple(v, &c, v);
        printf("\n%d values checked against the RFC, %d mismatches.\n", c.checks, c.failures);
        vec_free(v);
        return c.failures != 0;
    }
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_simple),
        cmocka_unit_test(test_rfc8448_simple_every_vector_matters),
        cmocka_unit_test(test_rfc8448_hrr),
        cmocka_unit_test(test_rfc8448_hrr_every_vector_matters),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
