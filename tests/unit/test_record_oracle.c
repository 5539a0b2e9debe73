/*
 * Record protection against an independent implementation, for every suite clasp offers.
 *
 * OpenSSL's libssl runs a real TLS connection in this process (a client SSL and a server SSL,
 * each with its own pair of memory BIOs that the test shuttles bytes between). The key log
 * callback hands over the secrets (NSS key log lines), and clasp's own key schedule turns them
 * into keys: cl_ks13_traffic_key_iv from the TLS 1.3 application traffic secrets,
 * cl_tls12_key_block from the TLS 1.2 master secret and the randoms. Then, in each direction:
 *   - every record OpenSSL writes after the handshake (application data of 1, 100, 16384 and
 *     20000 bytes, the last one split in two records, and its close_notify alert) is taken
 *     from the wire before the peer reads it and opened with cl_record_open at its sequence
 *     number; type and plaintext must be exactly what was written;
 *   - records sealed by cl_record_seal at the next sequence numbers (1, 100 and 16384 bytes;
 *     in TLS 1.3 also two padded ones; then close_notify) go to the OpenSSL peer, whose
 *     SSL_read must return exactly their plaintext (or the end of the stream).
 * TLS 1.2 AES-GCM records carry OpenSSL's explicit nonce, a counter that starts at a random
 * value (not clasp's choice, the sequence number), so opening them checks that clasp takes the
 * nonce from the record.
 *
 * The TLS 1.2 CBC-HMAC suites run twice: with encrypt-then-MAC (RFC 7366), which OpenSSL
 * negotiates by default, and without (SSL_OP_NO_ENCRYPT_THEN_MAC on OpenSSL's client): so
 * both record layouts, their MACs, paddings and random IVs, are checked against OpenSSL's.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include "crypto/crypto.h"
#include "hs/keysched12.h"
#include "hs/keysched13.h"
#include "record/protect.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* The AEAD rows of the suite table name only the fields they need; the others are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"
#define WIRE_CAP  65536
#define REC_CAP   (CL_RECORD_HEADER_LEN + CL_TLS12_MAX_CIPHERTEXT)
#define BIG_WRITE 20000

typedef struct suite {
    const char *name; /* OpenSSL's name: a TLS 1.3 ciphersuite or a TLS 1.2 cipher string */
    uint16_t version;
    cl_hash_alg hash;
    cl_aead_alg aead;
    int rsa_cert; /* the server needs an RSA certificate (ECDHE_RSA, RSA key exchange) */
    /* TLS 1.2 CBC-HMAC: the cipher, the MAC, and whether encrypt-then-MAC is negotiated */
    int cbc;
    cl_cbc_alg cbc_alg;
    cl_hash_alg mac;
    int etm;
    const char *test_name; /* the test's name when the suite runs twice */
} suite;

#define CBC(name, bits, mac, prf, rsa, etm, test)                                                  \
    {                                                                                              \
        name, CL_TLS12_VERSION, CL_HASH_##prf, CL_AEAD_AES_128_GCM, rsa, 1, CL_CBC_AES_##bits,     \
            CL_HASH_##mac, etm, test                                                               \
    }
#define CBC2(name, bits, mac, prf, rsa)                                                            \
    CBC(name, bits, mac, prf, rsa, 1, name " encrypt-then-MAC"),                                   \
        CBC(name, bits, mac, prf, rsa, 0, name " MAC-then-encrypt")

static const suite suites[] = {
    {"TLS_AES_128_GCM_SHA256", CL_TLS13_VERSION, CL_HASH_SHA256, CL_AEAD_AES_128_GCM, 0},
    {"TLS_AES_256_GCM_SHA384", CL_TLS13_VERSION, CL_HASH_SHA384, CL_AEAD_AES_256_GCM, 0},
    {"TLS_CHACHA20_POLY1305_SHA256", CL_TLS13_VERSION, CL_HASH_SHA256, CL_AEAD_CHACHA20_POLY1305,
     0},
    {"TLS_AES_128_CCM_SHA256", CL_TLS13_VERSION, CL_HASH_SHA256, CL_AEAD_AES_128_CCM, 0},
    {"ECDHE-ECDSA-AES128-GCM-SHA256", CL_TLS12_VERSION, CL_HASH_SHA256, CL_AEAD_AES_128_GCM, 0},
    {"ECDHE-ECDSA-AES256-GCM-SHA384", CL_TLS12_VERSION, CL_HASH_SHA384, CL_AEAD_AES_256_GCM, 0},
    {"ECDHE-ECDSA-CHACHA20-POLY1305", CL_TLS12_VERSION, CL_HASH_SHA256, CL_AEAD_CHACHA20_POLY1305,
     0},
    {"ECDHE-RSA-AES128-GCM-SHA256", CL_TLS12_VERSION, CL_HASH_SHA256, CL_AEAD_AES_128_GCM, 1},
    {"ECDHE-RSA-AES256-GCM-SHA384", CL_TLS12_VERSION, CL_HASH_SHA384, CL_AEAD_AES_256_GCM, 1},
    {"ECDHE-RSA-CHACHA20-POLY1305", CL_TLS12_VERSION, CL_HASH_SHA256, CL_AEAD_CHACHA20_POLY1305, 1},
    {"AES128-GCM-SHA256", CL_TLS12_VERSION, CL_HASH_SHA256, CL_AEAD_AES_128_GCM, 1},
    {"AES256-GCM-SHA384", CL_TLS12_VERSION, CL_HASH_SHA384, CL_AEAD_AES_256_GCM, 1},
    CBC2("ECDHE-ECDSA-AES128-SHA", 128, SHA1, SHA256, 0),
    CBC2("ECDHE-ECDSA-AES256-SHA", 256, SHA1, SHA256, 0),
    CBC2("ECDHE-RSA-AES128-SHA", 128, SHA1, SHA256, 1),
    CBC2("ECDHE-RSA-AES256-SHA", 256, SHA1, SHA256, 1),
    CBC2("ECDHE-ECDSA-AES128-SHA256", 128, SHA256, SHA256, 0),
    CBC2("ECDHE-ECDSA-AES256-SHA384", 256, SHA384, SHA384, 0),
    CBC2("ECDHE-RSA-AES128-SHA256", 128, SHA256, SHA256, 1),
    CBC2("ECDHE-RSA-AES256-SHA384", 256, SHA384, SHA384, 1),
    CBC2("AES128-SHA", 128, SHA1, SHA256, 1),
};

/* The server's credentials, made once for all suites. */
static struct {
    EVP_PKEY *ec_key, *rsa_key;
    X509 *ec_cert, *rsa_cert;
} creds;

/* What the key log callback saw (the client's lines). */
typedef struct keylog {
    uint8_t random[CL_TLS12_RANDOM_LEN];
    uint8_t master[CL_MAX_SECRET_LEN], c_ap[CL_MAX_SECRET_LEN], s_ap[CL_MAX_SECRET_LEN];
    size_t master_len, c_ap_len, s_ap_len;
} keylog;

/* One direction: OpenSSL's `from` writes, OpenSSL's `to` reads, clasp keyed as `from`. */
typedef struct dir {
    const char *name;
    SSL *from, *to;
    BIO *from_out, *to_in;
    cl_record_prot open, seal;
} dir;

typedef struct conn {
    const suite *s;
    SSL_CTX *cctx, *sctx;
    SSL *c, *sv;
    BIO *c_in, *c_out, *s_in, *s_out; /* owned by the SSL objects */
    keylog log;
    dir d[2]; /* client -> server, server -> client */
    int seed;
} conn;

/* ---- credentials ---- */

static X509 *self_signed(EVP_PKEY *key)
{
    X509 *x = X509_new();
    X509_NAME *name = X509_NAME_new();
    assert_non_null(x);
    assert_non_null(name);
    assert_int_equal(X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC,
                                                (const unsigned char *)"oracle.clasp.test", -1, -1,
                                                0),
                     1);
    assert_int_equal(X509_set_version(x, 2), 1);
    assert_int_equal(ASN1_INTEGER_set(X509_get_serialNumber(x), 1), 1);
    assert_non_null(X509_gmtime_adj(X509_getm_notBefore(x), -3600));
    assert_non_null(X509_gmtime_adj(X509_getm_notAfter(x), 86400));
    assert_int_equal(X509_set_subject_name(x, name), 1);
    assert_int_equal(X509_set_issuer_name(x, name), 1);
    assert_int_equal(X509_set_pubkey(x, key), 1);
    assert_true(X509_sign(x, key, EVP_sha256()) > 0);
    X509_NAME_free(name);
    return x;
}

static int make_creds(void **state)
{
    (void)state;
    creds.ec_key = EVP_EC_gen("P-256");
    creds.rsa_key = EVP_RSA_gen(2048);
    if (!creds.ec_key || !creds.rsa_key)
        return -1;
    creds.ec_cert = self_signed(creds.ec_key);
    creds.rsa_cert = self_signed(creds.rsa_key);
    return 0;
}

static int free_creds(void **state)
{
    (void)state;
    X509_free(creds.ec_cert);
    X509_free(creds.rsa_cert);
    EVP_PKEY_free(creds.ec_key);
    EVP_PKEY_free(creds.rsa_key);
    return 0;
}

/* ---- the key log ---- */

static int hexval(char ch)
{
    if (ch >= '0' && ch <= '9')
        return ch - '0';
    if (ch >= 'a' && ch <= 'f')
        return ch - 'a' + 10;
    if (ch >= 'A' && ch <= 'F')
        return ch - 'A' + 10;
    return -1;
}

/* Decodes hex up to the first non-hex character; returns the bytes written. */
static size_t unhex(const char *p, uint8_t *out, size_t cap)
{
    size_t n = 0;
    for (; n < cap && hexval(p[0]) >= 0 && hexval(p[1]) >= 0; p += 2)
        out[n++] = (uint8_t)(hexval(p[0]) << 4 | hexval(p[1]));
    return n;
}

/* "LABEL <client random> <secret>": keeps the secret when the label matches. */
static void take(keylog *k, const char *line, const char *label, uint8_t *out, size_t *out_len)
{
    size_t n = strlen(label);
    if (strncmp(line, label, n) != 0 || line[n] != ' ')
        return;
    line += n + 1;
    if (unhex(line, k->random, CL_TLS12_RANDOM_LEN) != CL_TLS12_RANDOM_LEN)
        return;
    if (line[2 * CL_TLS12_RANDOM_LEN] != ' ')
        return;
    *out_len = unhex(line + 2 * CL_TLS12_RANDOM_LEN + 1, out, CL_MAX_SECRET_LEN);
}

/* Runs inside OpenSSL, so it only records; the test checks what it found afterwards. */
static void keylog_cb(const SSL *ssl, const char *line)
{
    keylog *k = SSL_get_app_data(ssl);
    take(k, line, "CLIENT_RANDOM", k->master, &k->master_len);
    take(k, line, "CLIENT_TRAFFIC_SECRET_0", k->c_ap, &k->c_ap_len);
    take(k, line, "SERVER_TRAFFIC_SECRET_0", k->s_ap, &k->s_ap_len);
}

/* ---- the OpenSSL connection ---- */

static SSL_CTX *new_ctx(const suite *s, int server)
{
    SSL_CTX *ctx = SSL_CTX_new(server ? TLS_server_method() : TLS_client_method());
    assert_non_null(ctx);
    int v = s->version == CL_TLS13_VERSION ? TLS1_3_VERSION : TLS1_2_VERSION;
    assert_int_equal(SSL_CTX_set_min_proto_version(ctx, v), 1);
    assert_int_equal(SSL_CTX_set_max_proto_version(ctx, v), 1);
    if (s->version == CL_TLS13_VERSION)
        assert_int_equal(SSL_CTX_set_ciphersuites(ctx, s->name), 1);
    else
        assert_int_equal(SSL_CTX_set_cipher_list(ctx, s->name), 1);
    /* RFC 7366 is negotiated unless the client leaves it out. */
    if (s->cbc && !s->etm && !server)
        SSL_CTX_set_options(ctx, SSL_OP_NO_ENCRYPT_THEN_MAC);
    return ctx;
}

static BIO *mem_bio(void)
{
    BIO *b = BIO_new(BIO_s_mem());
    assert_non_null(b);
    BIO_set_mem_eof_return(b, -1); /* empty means "retry", not end of stream */
    return b;
}

/* Takes everything written to b. */
static size_t drain(BIO *b, uint8_t *buf, size_t cap)
{
    int n = BIO_read(b, buf, (int)cap);
    assert_int_equal(BIO_ctrl_pending(b), 0);
    return n > 0 ? (size_t)n : 0;
}

static void shuttle(BIO *from, BIO *to)
{
    static uint8_t buf[WIRE_CAP];
    size_t n = drain(from, buf, sizeof(buf));
    if (n > 0)
        assert_int_equal(BIO_write(to, buf, (int)n), (int)n);
}

static int step(conn *k, SSL *ssl)
{
    int rc = SSL_do_handshake(ssl);
    if (rc == 1)
        return 1;
    int err = SSL_get_error(ssl, rc);
    if (err != SSL_ERROR_WANT_READ) {
        ERR_print_errors_fp(stderr);
        fail_msg("%s: handshake failed, SSL error %d", k->s->name, err);
    }
    return 0;
}

static int setup_conn(void **state)
{
    conn *k = calloc(1, sizeof(*k));
    if (!k)
        return -1;
    k->s = *state;
    *state = k;
    return 0;
}

static void connect_pair(conn *k)
{
    k->cctx = new_ctx(k->s, 0);
    k->sctx = new_ctx(k->s, 1);
    /*
     * This client is only a source of records: clasp's certificate verification is not what
     * is tested here, so it does not verify the self-signed certificate.
     */
    SSL_CTX_set_verify(k->cctx, SSL_VERIFY_NONE, NULL);
    SSL_CTX_set_keylog_callback(k->cctx, keylog_cb);
    /* No NewSessionTicket after a TLS 1.3 handshake: it would use server sequence numbers. */
    assert_int_equal(SSL_CTX_set_num_tickets(k->sctx, 0), 1);
    assert_int_equal(
        SSL_CTX_use_certificate(k->sctx, k->s->rsa_cert ? creds.rsa_cert : creds.ec_cert), 1);
    assert_int_equal(SSL_CTX_use_PrivateKey(k->sctx, k->s->rsa_cert ? creds.rsa_key : creds.ec_key),
                     1);
    k->c = SSL_new(k->cctx);
    k->sv = SSL_new(k->sctx);
    assert_non_null(k->c);
    assert_non_null(k->sv);
    assert_int_equal(SSL_set_app_data(k->c, &k->log), 1);
    k->c_in = mem_bio(), k->c_out = mem_bio(), k->s_in = mem_bio(), k->s_out = mem_bio();
    SSL_set_bio(k->c, k->c_in, k->c_out);
    SSL_set_bio(k->sv, k->s_in, k->s_out);
    /*
     * A TLS 1.3 server pads its records to a multiple of 256 bytes (the client does not), so
     * clasp opens padded and unpadded records alike.
     */
    if (k->s->version == CL_TLS13_VERSION)
        assert_int_equal(SSL_set_block_padding(k->sv, 256), 1);
    SSL_set_connect_state(k->c);
    SSL_set_accept_state(k->sv);

    int cdone = 0, sdone = 0;
    for (int i = 0; i < 10 && !(cdone && sdone); i++) {
        cdone = cdone || step(k, k->c);
        shuttle(k->c_out, k->s_in);
        sdone = sdone || step(k, k->sv);
        shuttle(k->s_out, k->c_in);
    }
    assert_true(cdone && sdone);
    const char *got = SSL_get_cipher_name(k->c);
    assert_string_equal(got, k->s->name);
    /* Nothing in flight: the next record either side writes is its first after Finished. */
    assert_int_equal(BIO_ctrl_pending(k->c_in), 0);
    assert_int_equal(BIO_ctrl_pending(k->s_in), 0);
    assert_int_equal(BIO_ctrl_pending(k->c_out), 0);
    assert_int_equal(BIO_ctrl_pending(k->s_out), 0);

    k->d[0] = (dir){"client->server", k->c, k->sv, k->c_out, k->s_in, {0}, {0}};
    k->d[1] = (dir){"server->client", k->sv, k->c, k->s_out, k->c_in, {0}, {0}};
}

static int teardown_conn(void **state)
{
    conn *k = *state;
    for (int i = 0; i < 2; i++) {
        cl_record_prot_clear(&k->d[i].open);
        cl_record_prot_clear(&k->d[i].seal);
    }
    SSL_free(k->c);
    SSL_free(k->sv);
    SSL_CTX_free(k->cctx);
    SSL_CTX_free(k->sctx);
    free(k);
    return 0;
}

/* ---- clasp's keys ---- */

/*
 * RFC 5246 6.3 for a CBC suite: client_write_MAC_key, server_write_MAC_key, client_write_key,
 * server_write_key (the IVs are per record, 6.2.3.2). Checks that OpenSSL negotiated
 * encrypt-then-MAC exactly when the suite says so, as its own key log cannot tell.
 */
static void cbc_keys(conn *k, const uint8_t *cr, const uint8_t *sr)
{
    const suite *s = k->s;
    size_t ml = cl_hash_len(s->mac), kl = cl_cbc_key_len(s->cbc_alg);
    uint8_t kb[2 * CL_MAX_MAC_KEY_LEN + 2 * 32];
    assert_int_equal(k->log.master_len, CL_TLS12_MASTER_LEN);
    assert_int_equal(cl_tls12_key_block(s->hash, k->log.master, cr, sr, kb, 2 * ml + 2 * kl), 0);
    for (int i = 0; i < 2; i++) {
        dir *d = &k->d[i];
        cl_cbc_keys keys = {s->cbc_alg, s->mac, s->etm, kb + 2 * ml + i * kl, kb + i * ml};
        assert_int_equal(cl_record_prot_init_cbc(&d->open, 0, &keys), 0);
        assert_int_equal(cl_record_prot_init_cbc(&d->seal, 1, &keys), 0);
        d->open.seq = d->seal.seq = 1; /* Finished was record 0 (RFC 5246 6.1) */
    }
}

static void key_dirs(conn *k)
{
    const suite *s = k->s;
    size_t klen = cl_aead_key_len(s->aead), iv_len = CL_AEAD_NONCE_LEN;
    uint8_t key[2][CL_MAX_AEAD_KEY_LEN], iv[2][CL_AEAD_NONCE_LEN];
    uint8_t cr[CL_TLS12_RANDOM_LEN], sr[CL_TLS12_RANDOM_LEN];
    assert_int_equal(SSL_get_client_random(k->c, cr, sizeof(cr)), sizeof(cr));
    assert_int_equal(SSL_get_server_random(k->c, sr, sizeof(sr)), sizeof(sr));
    assert_memory_equal(k->log.random, cr, sizeof(cr));
    if (s->version == CL_TLS13_VERSION) {
        assert_int_equal(k->log.c_ap_len, cl_hash_len(s->hash));
        assert_int_equal(k->log.s_ap_len, cl_hash_len(s->hash));
        assert_int_equal(cl_ks13_traffic_key_iv(s->hash, k->log.c_ap, s->aead, key[0], iv[0]), 0);
        assert_int_equal(cl_ks13_traffic_key_iv(s->hash, k->log.s_ap, s->aead, key[1], iv[1]), 0);
    } else if (s->cbc) {
        cbc_keys(k, cr, sr);
        return;
    } else {
        /*
         * RFC 5246 6.3: client_write_MAC_key, server_write_MAC_key (none for AEAD suites),
         * client_write_key, server_write_key, client_write_IV, server_write_IV. The IV is the
         * 4-byte salt for AES-GCM (RFC 5288 3) and 12 bytes for ChaCha20-Poly1305 (RFC 7905 2).
         */
        uint8_t kb[2 * CL_MAX_AEAD_KEY_LEN + 2 * CL_AEAD_NONCE_LEN];
        iv_len = s->aead == CL_AEAD_CHACHA20_POLY1305 ? CL_AEAD_NONCE_LEN : 4;
        assert_int_equal(k->log.master_len, CL_TLS12_MASTER_LEN);
        assert_int_equal(
            cl_tls12_key_block(s->hash, k->log.master, cr, sr, kb, 2 * klen + 2 * iv_len), 0);
        memcpy(key[0], kb, klen);
        memcpy(key[1], kb + klen, klen);
        memcpy(iv[0], kb + 2 * klen, iv_len);
        memcpy(iv[1], kb + 2 * klen + iv_len, iv_len);
    }
    for (int i = 0; i < 2; i++) {
        dir *d = &k->d[i];
        assert_int_equal(
            cl_record_prot_init(&d->open, s->version, s->aead, 0, key[i], klen, iv[i], iv_len), 0);
        assert_int_equal(
            cl_record_prot_init(&d->seal, s->version, s->aead, 1, key[i], klen, iv[i], iv_len), 0);
        /* TLS 1.2: Finished was record 0 of each direction under these keys (RFC 5246 6.1). */
        if (s->version == CL_TLS12_VERSION)
            d->open.seq = d->seal.seq = 1;
    }
}

/* ---- the records ---- */

static void fill(uint8_t *p, size_t n, int seed)
{
    for (size_t i = 0; i < n; i++)
        p[i] = (uint8_t)(seed * 151 + i * 7 + (i >> 8));
}

static void be64(uint8_t out[8], uint64_t v)
{
    for (int i = 7; i >= 0; i--, v >>= 8)
        out[i] = (uint8_t)v;
}

/*
 * Opens every record of wire[0..len) in turn; together they must carry want[0..want_len) as
 * content type want_type. Returns the number of records.
 */
static size_t open_all(conn *k, dir *d, uint8_t *wire, size_t len, uint8_t want_type,
                       const uint8_t *want, size_t want_len)
{
    const char *sn = k->s->name;
    int tls13 = k->s->version == CL_TLS13_VERSION;
    uint8_t prev_nonce[CL_TLS12_EXPLICIT_NONCE_LEN], prev_iv[16];
    size_t off = 0, got = 0, n = 0;
    while (off < len) {
        assert_true(len - off >= CL_RECORD_HEADER_LEN);
        uint8_t *rec = wire + off;
        size_t rec_len = CL_RECORD_HEADER_LEN + ((size_t)rec[3] << 8 | rec[4]);
        assert_true(rec_len <= len - off);
        /* TLS 1.3 hides the type: the outer one is application_data (RFC 8446 5.2). */
        assert_int_equal(rec[0], tls13 ? CL_CT_APPLICATION_DATA : want_type);
        assert_int_equal(rec[1] << 8 | rec[2], CL_TLS12_VERSION);
        if (d->open.cbc_mode) {
            /* RFC 5246 6.2.3.2: each record has its own IV, unpredictable. */
            if (n > 0)
                assert_memory_not_equal(prev_iv, rec + CL_RECORD_HEADER_LEN, sizeof(prev_iv));
            memcpy(prev_iv, rec + CL_RECORD_HEADER_LEN, sizeof(prev_iv));
            /* the layout OpenSSL chose: the MAC outside the encryption, or inside */
            size_t body = rec_len - CL_RECORD_HEADER_LEN - 16, m = cl_hash_len(k->s->mac);
            assert_int_equal((k->s->etm ? body - m : body) % 16, 0);
        } else if (d->open.explicit_nonce_len) {
            /* GCM nonces must never repeat under one key (RFC 5288 3). */
            if (n > 0)
                assert_memory_not_equal(prev_nonce, rec + CL_RECORD_HEADER_LEN, sizeof(prev_nonce));
            memcpy(prev_nonce, rec + CL_RECORD_HEADER_LEN, sizeof(prev_nonce));
            /*
             * OpenSSL's nonce is a counter from a random start, not the sequence number that
             * clasp writes, so opening the record shows clasp reads the nonce from it.
             */
            uint8_t seq_be[8];
            be64(seq_be, d->open.seq);
            assert_memory_not_equal(seq_be, prev_nonce, sizeof(seq_be));
        }
        unsigned long long seq = d->open.seq;
        uint8_t type = 0;
        size_t pt_off = 0, pt_len = 0;
        int rc = cl_record_open(&d->open, rec, rec_len, &type, &pt_off, &pt_len);
        if (rc != 0)
            fail_msg("%s %s: cl_record_open of record seq %llu (%zu bytes) failed: %d", sn, d->name,
                     seq, rec_len, rc);
        if (type != want_type)
            fail_msg("%s %s: record seq %llu has type %u, OpenSSL wrote %u", sn, d->name, seq, type,
                     want_type);
        if (pt_off + pt_len > rec_len || pt_len > want_len - got)
            fail_msg("%s %s: record seq %llu: plaintext of %zu bytes at %zu does not fit", sn,
                     d->name, seq, pt_len, pt_off);
        if (memcmp(rec + pt_off, want + got, pt_len) != 0)
            fail_msg("%s %s: record seq %llu: plaintext differs from what OpenSSL wrote", sn,
                     d->name, seq);
        got += pt_len;
        off += rec_len;
        n++;
    }
    if (got != want_len)
        fail_msg("%s %s: records carried %zu bytes, OpenSSL wrote %zu", sn, d->name, got, want_len);
    return n;
}

/* The OpenSSL reader must return exactly want[0..n), in as many reads as it likes. */
static void read_exactly(conn *k, dir *d, const uint8_t *want, size_t n)
{
    static uint8_t buf[BIG_WRITE];
    size_t got = 0;
    while (got < n) {
        int r = SSL_read(d->to, buf + got, (int)(sizeof(buf) - got));
        if (r <= 0) {
            ERR_print_errors_fp(stderr);
            fail_msg("%s %s: SSL_read failed: SSL error %d", k->s->name, d->name,
                     SSL_get_error(d->to, r));
        }
        got += (size_t)r;
    }
    assert_int_equal(got, n);
    assert_memory_equal(buf, want, n);
}

/* OpenSSL writes n bytes; clasp opens the records; the peer reads them too. */
static void openssl_writes(conn *k, dir *d, size_t n)
{
    static uint8_t pt[BIG_WRITE], wire[WIRE_CAP];
    fill(pt, n, k->seed++);
    assert_int_equal(SSL_write(d->from, pt, (int)n), (int)n);
    size_t len = drain(d->from_out, wire, sizeof(wire));
    /* The peer gets its copy before clasp decrypts the wire bytes in place. */
    assert_int_equal(BIO_write(d->to_in, wire, (int)len), (int)len);
    size_t records = open_all(k, d, wire, len, CL_CT_APPLICATION_DATA, pt, n);
    assert_int_equal(records, (n + CL_MAX_PLAINTEXT - 1) / CL_MAX_PLAINTEXT);
    read_exactly(k, d, pt, n);
}

/* clasp seals one record at its next sequence number and gives it to the OpenSSL reader. */
static void clasp_seals(dir *d, uint8_t type, const uint8_t *pt, size_t n, size_t pad)
{
    static uint8_t rec[REC_CAP];
    size_t prefix = cl_record_prot_prefix(&d->seal), rec_len = 0;
    unsigned long long seq = d->seal.seq;
    memcpy(rec + prefix, pt, n);
    assert_int_equal(cl_record_seal(&d->seal, type, rec, sizeof(rec), n, pad, &rec_len), 0);
    if (d->seal.cbc_mode) { /* the least padding: whole blocks */
        size_t m = d->seal.mac_len, enc = d->seal.etm ? n + 1 : n + m + 1;
        enc = (enc + 15) / 16 * 16;
        assert_int_equal(rec_len, prefix + enc + (d->seal.etm ? m : 0));
    } else {
        assert_int_equal(rec_len, prefix + n + cl_record_prot_suffix(&d->seal, pad));
    }
    assert_int_equal(d->seal.seq, seq + 1);
    if (d->seal.explicit_nonce_len && !d->seal.cbc_mode) {
        /* clasp's explicit nonce for TLS 1.2 AES-GCM is the sequence number (protect.h). */
        uint8_t seq_be[8];
        be64(seq_be, seq);
        assert_memory_equal(rec + CL_RECORD_HEADER_LEN, seq_be, sizeof(seq_be));
    }
    assert_int_equal(BIO_write(d->to_in, rec, (int)rec_len), (int)rec_len);
}

static void clasp_writes(conn *k, dir *d, size_t n, size_t pad)
{
    static uint8_t pt[CL_MAX_PLAINTEXT], got[CL_MAX_PLAINTEXT + 1];
    unsigned long long seq = d->seal.seq;
    fill(pt, n, k->seed++);
    clasp_seals(d, CL_CT_APPLICATION_DATA, pt, n, pad);
    int r = SSL_read(d->to, got, (int)sizeof(got));
    if (r != (int)n || memcmp(got, pt, n) != 0) {
        ERR_print_errors_fp(stderr);
        fail_msg("%s %s: record clasp sealed at seq %llu (%zu bytes, pad %zu): SSL_read "
                 "returned %d (SSL error %d)%s",
                 k->s->name, d->name, seq, n, pad, r, SSL_get_error(d->to, r),
                 r == (int)n ? ", other bytes" : "");
    }
}

static void app_data(conn *k, dir *d)
{
    static const size_t writes[] = {1, 100, CL_MAX_PLAINTEXT, BIG_WRITE};
    static const size_t seals[] = {1, 100, CL_MAX_PLAINTEXT};
    for (size_t i = 0; i < ARRAY_LEN(writes); i++)
        openssl_writes(k, d, writes[i]);
    /* The reader has taken every record OpenSSL wrote: clasp continues the sequence. */
    d->seal.seq = d->open.seq;
    for (size_t i = 0; i < ARRAY_LEN(seals); i++)
        clasp_writes(k, d, seals[i], 0);
    if (k->s->version == CL_TLS13_VERSION) {
        clasp_writes(k, d, 100, 50);
        /* TLSInnerPlaintext at its limit: 2^14 bytes of content and padding, plus the type. */
        clasp_writes(k, d, 1000, CL_MAX_PLAINTEXT - 1000);
    }
}

static void close_notify(conn *k)
{
    static const uint8_t alert[2] = {1, 0}; /* warning, close_notify */
    static uint8_t wire[WIRE_CAP];
    /* clasp's close_notify ends each reader's stream. */
    for (int i = 0; i < 2; i++) {
        dir *d = &k->d[i];
        clasp_seals(d, CL_CT_ALERT, alert, sizeof(alert), 0);
        uint8_t buf[16];
        int r = SSL_read(d->to, buf, sizeof(buf));
        if (r > 0 || SSL_get_error(d->to, r) != SSL_ERROR_ZERO_RETURN) {
            ERR_print_errors_fp(stderr);
            fail_msg("%s %s: close_notify sealed by clasp: SSL_read returned %d (SSL error %d)",
                     k->s->name, d->name, r, SSL_get_error(d->to, r));
        }
    }
    /* OpenSSL answers with its own, at the sequence number after its last record. */
    for (int i = 0; i < 2; i++) {
        dir *d = &k->d[i];
        assert_int_equal(SSL_shutdown(d->from), 1);
        size_t len = drain(d->from_out, wire, sizeof(wire));
        assert_int_equal(open_all(k, d, wire, len, CL_CT_ALERT, alert, sizeof(alert)), 1);
    }
}

static void test_suite(void **state)
{
    conn *k = *state;
    connect_pair(k);
    key_dirs(k);
    for (int i = 0; i < 2; i++)
        app_data(k, &k->d[i]);
    close_notify(k);
}

int main(void)
{
    struct CMUnitTest tests[ARRAY_LEN(suites)];
    for (size_t i = 0; i < ARRAY_LEN(suites); i++)
        tests[i] = (struct CMUnitTest){suites[i].test_name ? suites[i].test_name : suites[i].name,
                                       test_suite, setup_conn, teardown_conn, (void *)&suites[i]};
    return cmocka_run_group_tests(tests, make_creds, free_creds);
}
