/*
 * TLS 1.2 key derivation and RSA key exchange against OpenSSL's libssl, from real handshakes.
 *
 * An OpenSSL client and server complete a TLS 1.2 handshake in this process over memory BIOs
 * (as in test_record_oracle.c). The client's message callback records each handshake message
 * it sends or receives, header included: that is the transcript (RFC 5246 7.4.9). Its key log
 * gives the master secret (CLIENT_RANDOM) and, for RSA key exchange, the pre-master secret
 * (RSA). From the transcript, clasp decrypts the ClientKeyExchange (cl_rsa_kx_decrypt, with
 * the server's key loaded from PKCS#8 DER and from traditional PEM), derives the master
 * secret with or without RFC 7627's session hash as negotiated, computes both Finished values
 * and expands the key block; each must equal OpenSSL's bytes (the key block: libcrypto's
 * TLS1-PRF EVP_KDF). A flipped ciphertext byte or a wrong client_version must decrypt without
 * error to another secret (implicit rejection). ECDHE hides the pre-master secret: there the
 * Finished values and key block come from the key log's master secret.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/core_names.h>
#include <openssl/crypto.h>
#include <openssl/encoder.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>
#include <openssl/params.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "hs/keysched12.h"

#define ARRAY_LEN(a)    (sizeof(a) / sizeof((a)[0]))
#define WIRE_CAP        65536
#define TRANSCRIPT_CAP  16384
#define MAX_MSGS        16
#define HS_HEADER_LEN   4
#define RSA_MODULUS_LEN 256 /* RSA-2048 */

/* HandshakeType (RFC 5246 7.4, RFC 5077 3.3). */
#define HS_CLIENT_HELLO        1
#define HS_SERVER_HELLO        2
#define HS_NEW_SESSION_TICKET  4
#define HS_SERVER_KEY_EXCHANGE 12
#define HS_CLIENT_KEY_EXCHANGE 16
#define HS_FINISHED            20

typedef struct kcase {
    const char *name;
    const char *cipher; /* OpenSSL's name */
    cl_hash_alg hash;   /* the PRF hash */
    size_t key_len;     /* AES key; the implicit GCM IV is 4 bytes (RFC 5288 3) */
    int ems;            /* extended master secret offered by the client */
    int rsa_kx;         /* RSA key exchange (else ECDHE_RSA) */
} kcase;

static const kcase cases[] = {
    {"AES128-GCM-SHA256, EMS", "AES128-GCM-SHA256", CL_HASH_SHA256, 16, 1, 1},
    {"AES128-GCM-SHA256, no EMS", "AES128-GCM-SHA256", CL_HASH_SHA256, 16, 0, 1},
    {"AES256-GCM-SHA384, EMS", "AES256-GCM-SHA384", CL_HASH_SHA384, 32, 1, 1},
    {"AES256-GCM-SHA384, no EMS", "AES256-GCM-SHA384", CL_HASH_SHA384, 32, 0, 1},
    {"ECDHE-RSA-AES128-GCM-SHA256, EMS", "ECDHE-RSA-AES128-GCM-SHA256", CL_HASH_SHA256, 16, 1, 0},
};

/* The server's RSA key and certificate, and the same key as clasp loads it two ways. */
static struct {
    EVP_PKEY *key;
    X509 *cert;
    cl_privkey *from_der, *from_pem;
} creds;

typedef struct msg {
    size_t off, len; /* in the transcript, header included */
    int sent;        /* by the client */
} msg;

typedef struct conn {
    const kcase *c;
    SSL_CTX *cctx, *sctx;
    SSL *cl, *sv;
    /* The client's key log. */
    uint8_t log_random[CL_TLS12_RANDOM_LEN], log_master[CL_TLS12_MASTER_LEN];
    uint8_t log_enc8[8], log_pms[CL_PREMASTER_LEN];
    size_t log_master_len, log_pms_len, log_enc8_len;
    /* The client's handshake messages, in order. */
    uint8_t transcript[TRANSCRIPT_CAP];
    size_t len, n;
    msg m[MAX_MSGS];
    int bad_msg; /* the callback saw something it could not record */
} conn;

/* ---- credentials (as in test_record_oracle.c) ---- */

static X509 *self_signed(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    const unsigned char *cn = (const unsigned char *)"oracle.clasp.test";
    assert_true(x && name &&
                X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, cn, -1, -1, 0) == 1 &&
                X509_set_version(x, 2) == 1 && ASN1_INTEGER_set(X509_get_serialNumber(x), 1) == 1 &&
                X509_gmtime_adj(X509_getm_notBefore(x), -3600) &&
                X509_gmtime_adj(X509_getm_notAfter(x), 86400) &&
                X509_set_subject_name(x, name) == 1 && X509_set_issuer_name(x, name) == 1 &&
                X509_set_pubkey(x, key) == 1 && X509_sign(x, key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

static int make_creds(void **state)
{
    (void)state;
    creds.key = EVP_RSA_gen(2048);
    if (!creds.key)
        return -1;
    creds.cert = self_signed(creds.key);
    /* PKCS#8 DER. */
    OSSL_ENCODER_CTX *enc =
        OSSL_ENCODER_CTX_new_for_pkey(creds.key, EVP_PKEY_KEYPAIR, "DER", "PrivateKeyInfo", NULL);
    unsigned char *der = NULL;
    size_t der_len = 0;
    if (!enc || OSSL_ENCODER_to_data(enc, &der, &der_len) != 1 ||
        cl_privkey_from_der(&creds.from_der, der, der_len) != 0)
        creds.from_der = NULL;
    OSSL_ENCODER_CTX_free(enc);
    OPENSSL_free(der);
    /* Traditional "RSA PRIVATE KEY" PEM, passed by length (not NUL-terminated). */
    BIO *b = BIO_new(BIO_s_mem());
    char *pem = NULL;
    long pem_len = 0;
    if (!b || PEM_write_bio_PrivateKey_traditional(b, creds.key, NULL, NULL, 0, NULL, NULL) != 1 ||
        (pem_len = BIO_get_mem_data(b, &pem)) <= 0 ||
        cl_privkey_from_pem(&creds.from_pem, (const uint8_t *)pem, (size_t)pem_len) != 0)
        creds.from_pem = NULL;
    BIO_free(b);
    return creds.from_der && creds.from_pem ? 0 : -1;
}

static int free_creds(void **state)
{
    (void)state;
    cl_privkey_free(creds.from_der);
    cl_privkey_free(creds.from_pem);
    X509_free(creds.cert);
    EVP_PKEY_free(creds.key);
    return 0;
}

/* ---- the key log ---- */

/*
 * "LABEL <id> <secret>" in hex. CLIENT_RANDOM: the client random and the master secret. RSA:
 * the first 8 bytes of the encrypted pre-master secret, and the pre-master secret. Runs inside
 * OpenSSL, so it only records (a length stays 0 on bad hex); the test checks it afterwards.
 */
static void keylog_cb(const SSL *ssl, const char *line)
{
    conn *k = SSL_get_app_data(ssl);
    char label[32], id[129], secret[129];
    size_t id_len = 0;
    if (sscanf(line, "%31s %128s %128s", label, id, secret) != 3)
        return;
    if (strcmp(label, "CLIENT_RANDOM") == 0 &&
        OPENSSL_hexstr2buf_ex(k->log_random, sizeof(k->log_random), &id_len, id, '\0') == 1 &&
        id_len == sizeof(k->log_random))
        OPENSSL_hexstr2buf_ex(k->log_master, sizeof(k->log_master), &k->log_master_len, secret,
                              '\0');
    if (strcmp(label, "RSA") == 0 &&
        OPENSSL_hexstr2buf_ex(k->log_enc8, sizeof(k->log_enc8), &k->log_enc8_len, id, '\0') == 1)
        OPENSSL_hexstr2buf_ex(k->log_pms, sizeof(k->log_pms), &k->log_pms_len, secret, '\0');
}

/*
 * OpenSSL 3.0 calls this once per whole handshake message, sent (write_p) or received, with
 * its 4-byte header (statem_lib.c: ssl3_do_write, tls_get_message_body); record headers come
 * as SSL3_RT_HEADER and ChangeCipherSpec as its own content type, both skipped.
 */
static void msg_cb(int write_p, int version, int content_type, const void *buf, size_t len,
                   SSL *ssl, void *arg)
{
    (void)version, (void)arg;
    conn *k = SSL_get_app_data(ssl);
    if (content_type != SSL3_RT_HANDSHAKE)
        return;
    const uint8_t *p = buf;
    if (k->n == MAX_MSGS || len > sizeof(k->transcript) - k->len || len < HS_HEADER_LEN ||
        ((size_t)p[1] << 16 | (size_t)p[2] << 8 | p[3]) != len - HS_HEADER_LEN) {
        k->bad_msg = 1;
        return;
    }
    memcpy(k->transcript + k->len, p, len);
    k->m[k->n++] = (msg){k->len, len, write_p};
    k->len += len;
}

/* ---- the OpenSSL connection ---- */

static SSL_CTX *new_ctx(const kcase *c, int server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    assert_non_null(ctx);
    assert_int_equal(SSL_CTX_set_min_proto_version(ctx, TLS1_2_VERSION), 1);
    assert_int_equal(SSL_CTX_set_max_proto_version(ctx, TLS1_2_VERSION), 1);
    assert_int_equal(SSL_CTX_set_cipher_list(ctx, c->cipher), 1);
    return ctx;
}

static BIO *mem_bio(void)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    BIO_set_mem_eof_return(b, -1); /* empty means "retry", not end of stream */
    return b;
}

static void shuttle(BIO *from, BIO *to)
{
    static uint8_t buf[WIRE_CAP];
    int n = BIO_read(from, buf, (int)sizeof(buf));
    assert_int_equal(BIO_ctrl_pending(from), 0);
    if (n > 0)
        assert_int_equal(BIO_write(to, buf, n), n);
}

static int step(conn *k, SSL *ssl)
{
    int rc = SSL_do_handshake(ssl);
    if (rc == 1)
        return 1;
    int err = SSL_get_error(ssl, rc);
    if (err != SSL_ERROR_WANT_READ) {
        ERR_print_errors_fp(stderr);
        fail_msg("%s: handshake failed, SSL error %d", k->c->name, err);
    }
    return 0;
}

static int setup_conn(void **state)
{
    conn *k = calloc(1, sizeof(*k));
    if (!k)
        return -1;
    k->c = *state;
    *state = k;
    return 0;
}

static int teardown_conn(void **state)
{
    conn *k = *state;
    SSL_free(k->cl);
    SSL_free(k->sv);
    SSL_CTX_free(k->cctx);
    SSL_CTX_free(k->sctx);
    free(k);
    return 0;
}

static void handshake(conn *k)
{
    k->cctx = new_ctx(k->c, 0);
    k->sctx = new_ctx(k->c, 1);
    SSL_CTX_set_verify(k->cctx, SSL_VERIFY_NONE, NULL); /* verification is not tested here */
    SSL_CTX_set_keylog_callback(k->cctx, keylog_cb);
    SSL_CTX_set_msg_callback(k->cctx, msg_cb);
    if (!k->c->ems)
        SSL_CTX_set_options(k->cctx, SSL_OP_NO_EXTENDED_MASTER_SECRET);
    assert_int_equal(SSL_CTX_use_certificate(k->sctx, creds.cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(k->sctx, creds.key), 1);
    k->cl = SSL_new(k->cctx);
    k->sv = SSL_new(k->sctx);
    assert_non_null(k->cl);
    assert_non_null(k->sv);
    assert_int_equal(SSL_set_app_data(k->cl, k), 1);
    BIO *c_in = mem_bio(), *c_out = mem_bio(), *s_in = mem_bio(), *s_out = mem_bio();
    SSL_set_bio(k->cl, c_in, c_out);
    SSL_set_bio(k->sv, s_in, s_out);
    SSL_set_connect_state(k->cl);
    SSL_set_accept_state(k->sv);
    int cdone = 0, sdone = 0;
    for (int i = 0; i < 10 && !(cdone && sdone); i++) {
        cdone = cdone || step(k, k->cl);
        shuttle(c_out, s_in);
        sdone = sdone || step(k, k->sv);
        shuttle(s_out, c_in);
    }
    assert_true(cdone && sdone);
    assert_int_equal(SSL_version(k->cl), TLS1_2_VERSION);
    assert_string_equal(SSL_get_cipher_name(k->cl), k->c->cipher);
    assert_int_equal(SSL_session_reused(k->cl), 0);
    /* Both ends agree on the mode this case asks for (RFC 7627 5.2). */
    assert_int_equal(SSL_get_extms_support(k->cl), k->c->ems);
    assert_int_equal(SSL_get_extms_support(k->sv), k->c->ems);
    assert_false(k->bad_msg);
}

/* ---- the transcript ---- */

/* The one message of this type and direction. */
static const msg *find(const conn *k, int type, int sent)
{
    const msg *found = NULL;
    for (size_t i = 0; i < k->n; i++) {
        if (k->transcript[k->m[i].off] == type && k->m[i].sent == sent) {
            if (found)
                fail_msg("%s: two handshake messages of type %d", k->c->name, type);
            found = &k->m[i];
        }
    }
    if (!found)
        fail_msg("%s: no handshake message of type %d", k->c->name, type);
    return found;
}

static const uint8_t *body(const conn *k, const msg *m)
{
    return k->transcript + m->off + HS_HEADER_LEN;
}

/* libcrypto's digest of the transcript up to `end` bytes; returns its length. */
static size_t transcript_hash(const conn *k, size_t end, uint8_t out[CL_MAX_HASH_LEN])
{
    unsigned int n = 0;
    const EVP_MD *md = k->c->hash == CL_HASH_SHA256 ? EVP_sha256() : EVP_sha384();
    assert_int_equal(EVP_Digest(k->transcript, end, out, &n, md, NULL), 1);
    assert_int_equal(n, cl_hash_len(k->c->hash));
    return n;
}

/* libcrypto's TLS 1.2 PRF: P_hash(secret, seed), where the label is part of the seed. */
static void openssl_prf(cl_hash_alg hash, const uint8_t *secret, size_t secret_len,
                        const uint8_t *seed, size_t seed_len, uint8_t *out, size_t out_len)
{
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "TLS1-PRF", NULL);
    EVP_KDF_CTX *ctx = EVP_KDF_CTX_new(kdf);
    assert_non_null(ctx);
    OSSL_PARAM params[] = {
        OSSL_PARAM_construct_utf8_string(OSSL_KDF_PARAM_DIGEST,
                                         hash == CL_HASH_SHA256 ? "SHA256" : "SHA384", 0),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SECRET, (void *)secret, secret_len),
        OSSL_PARAM_construct_octet_string(OSSL_KDF_PARAM_SEED, (void *)seed, seed_len),
        OSSL_PARAM_construct_end(),
    };
    assert_int_equal(EVP_KDF_derive(ctx, out, out_len, params), 1);
    EVP_KDF_CTX_free(ctx);
    EVP_KDF_free(kdf);
}

/* ---- the checks ---- */

static void derive_master(const conn *k, const uint8_t *pms, const uint8_t *cr, const uint8_t *sr,
                          const msg *cke, uint8_t out[CL_TLS12_MASTER_LEN])
{
    cl_hash_alg h = k->c->hash;
    if (k->c->ems) {
        uint8_t session_hash[CL_MAX_HASH_LEN];
        size_t n = transcript_hash(k, cke->off + cke->len, session_hash);
        assert_int_equal(
            cl_tls12_extended_master_secret(h, pms, CL_PREMASTER_LEN, session_hash, n, out), 0);
    } else {
        assert_int_equal(cl_tls12_master_secret(h, pms, CL_PREMASTER_LEN, cr, sr, out), 0);
    }
}

static void rsa_key_exchange(const conn *k, const uint8_t *cr, const uint8_t *sr)
{
    const msg *ch = find(k, HS_CLIENT_HELLO, 1), *cke = find(k, HS_CLIENT_KEY_EXCHANGE, 1);
    uint16_t client_version = (uint16_t)(body(k, ch)[0] << 8 | body(k, ch)[1]);
    assert_int_equal(client_version, 0x0303);
    /* EncryptedPreMasterSecret: a 2-byte length, then the modulus-sized ciphertext. */
    const uint8_t *b = body(k, cke);
    size_t enc_len = (size_t)b[0] << 8 | b[1];
    assert_int_equal(enc_len, RSA_MODULUS_LEN);
    assert_int_equal(cke->len, HS_HEADER_LEN + 2 + enc_len);
    uint8_t enc[RSA_MODULUS_LEN];
    memcpy(enc, b + 2, enc_len);
    /* The client's own record of what it encrypted. */
    assert_int_equal(k->log_enc8_len, sizeof(k->log_enc8));
    assert_int_equal(k->log_pms_len, CL_PREMASTER_LEN);
    assert_memory_equal(k->log_enc8, enc, sizeof(k->log_enc8));
    assert_int_equal(k->log_pms[0] << 8 | k->log_pms[1], client_version);

    uint8_t pms[CL_PREMASTER_LEN], pms_pem[CL_PREMASTER_LEN], master[CL_TLS12_MASTER_LEN];
    assert_int_equal(cl_rsa_kx_decrypt(creds.from_der, enc, enc_len, client_version, pms), 0);
    assert_memory_equal(pms, k->log_pms, CL_PREMASTER_LEN);
    assert_int_equal(cl_rsa_kx_decrypt(creds.from_pem, enc, enc_len, client_version, pms_pem), 0);
    assert_memory_equal(pms_pem, k->log_pms, CL_PREMASTER_LEN);
    derive_master(k, pms, cr, sr, cke, master);
    assert_memory_equal(master, k->log_master, CL_TLS12_MASTER_LEN);

    /* Implicit rejection: no error, another secret, another master secret. */
    uint8_t bad[CL_PREMASTER_LEN];
    enc[enc_len - 1] ^= 0x01; /* low byte: the ciphertext stays below the modulus */
    assert_int_equal(cl_rsa_kx_decrypt(creds.from_der, enc, enc_len, client_version, bad), 0);
    assert_memory_not_equal(bad, pms, CL_PREMASTER_LEN);
    derive_master(k, bad, cr, sr, cke, master);
    assert_memory_not_equal(master, k->log_master, CL_TLS12_MASTER_LEN);
    enc[enc_len - 1] ^= 0x01;
    /* The right ciphertext with another client_version fails its version check. */
    assert_int_equal(cl_rsa_kx_decrypt(creds.from_der, enc, enc_len, 0x0302, bad), 0);
    assert_memory_not_equal(bad, pms, CL_PREMASTER_LEN);
}

static void finished(const conn *k)
{
    uint8_t h[CL_MAX_HASH_LEN], got[CL_TLS12_FINISHED_LEN];
    uint8_t mine[CL_TLS12_FINISHED_LEN], peer[CL_TLS12_FINISHED_LEN];
    cl_hash_alg alg = k->c->hash;
    assert_int_equal(SSL_get_finished(k->cl, mine, sizeof(mine)), sizeof(mine));
    assert_int_equal(SSL_get_peer_finished(k->cl, peer, sizeof(peer)), sizeof(peer));
    const msg *cf = find(k, HS_FINISHED, 1), *sf = find(k, HS_FINISHED, 0);
    assert_int_equal(cf->len, HS_HEADER_LEN + CL_TLS12_FINISHED_LEN);
    assert_int_equal(sf->len, HS_HEADER_LEN + CL_TLS12_FINISHED_LEN);
    assert_memory_equal(body(k, cf), mine, sizeof(mine));
    assert_memory_equal(body(k, sf), peer, sizeof(peer));
    /*
     * Each Finished covers every handshake message before it. In a full handshake the server's
     * also covers the NewSessionTicket it sends after the client's Finished (RFC 5077 3.3),
     * which OpenSSL does by default: so not "up to the client's Finished".
     */
    const msg *nst = find(k, HS_NEW_SESSION_TICKET, 0);
    assert_true(cf->off < nst->off && nst->off < sf->off);
    size_t n = transcript_hash(k, cf->off, h);
    assert_int_equal(cl_tls12_finished(alg, k->log_master, 1, h, n, got), 0);
    assert_memory_equal(got, mine, sizeof(got));
    n = transcript_hash(k, sf->off, h);
    assert_int_equal(cl_tls12_finished(alg, k->log_master, 0, h, n, got), 0);
    assert_memory_equal(got, peer, sizeof(got));
}

static void key_block(const conn *k, const uint8_t *cr, const uint8_t *sr)
{
    static const char label[] = "key expansion";
    uint8_t seed[sizeof(label) - 1 + 2 * CL_TLS12_RANDOM_LEN];
    uint8_t got[2 * CL_MAX_AEAD_KEY_LEN + 2 * 4], want[sizeof(got)];
    size_t n = 2 * k->c->key_len + 2 * 4;
    memcpy(seed, label, sizeof(label) - 1);
    memcpy(seed + sizeof(label) - 1, sr, CL_TLS12_RANDOM_LEN);
    memcpy(seed + sizeof(label) - 1 + CL_TLS12_RANDOM_LEN, cr, CL_TLS12_RANDOM_LEN);
    openssl_prf(k->c->hash, k->log_master, CL_TLS12_MASTER_LEN, seed, sizeof(seed), want, n);
    assert_int_equal(cl_tls12_key_block(k->c->hash, k->log_master, cr, sr, got, n), 0);
    assert_memory_equal(got, want, n);
}

static void test_case(void **state)
{
    conn *k = *state;
    handshake(k);
    /* The randoms, from the hellos: after the header and the 2-byte version. */
    const msg *ch = find(k, HS_CLIENT_HELLO, 1), *sh = find(k, HS_SERVER_HELLO, 0);
    assert_true(ch == &k->m[0] && sh == &k->m[1]);
    const uint8_t *cr = body(k, ch) + 2, *sr = body(k, sh) + 2;
    uint8_t want[CL_TLS12_RANDOM_LEN];
    assert_int_equal(SSL_get_server_random(k->cl, want, sizeof(want)), sizeof(want));
    assert_memory_equal(sr, want, sizeof(want));
    assert_memory_equal(k->log_random, cr, CL_TLS12_RANDOM_LEN); /* the client's own */
    assert_int_equal(k->log_master_len, CL_TLS12_MASTER_LEN);

    if (k->c->rsa_kx) {
        rsa_key_exchange(k, cr, sr);
    } else {
        (void)find(k, HS_SERVER_KEY_EXCHANGE, 0);
        assert_int_equal(k->log_pms_len, 0); /* no RSA line for ECDHE */
    }
    finished(k);
    key_block(k, cr, sr);
}

int main(void)
{
    struct CMUnitTest tests[ARRAY_LEN(cases)];
    for (size_t i = 0; i < ARRAY_LEN(cases); i++)
        tests[i] = (struct CMUnitTest){cases[i].name, test_case, setup_conn, teardown_conn,
                                       (void *)&cases[i]};
    return cmocka_run_group_tests(tests, make_creds, free_creds);
}
