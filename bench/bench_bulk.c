/*
 * Bulk record protection, clasp beside the raw AEAD of the same libcrypto, in one run: 16 KiB
 * records sealed (and sealed then opened) in place, for AES-128-GCM, AES-256-GCM and
 * ChaCha20-Poly1305. The raw side does what any AEAD user must per record (set the nonce,
 * the additional data, the 16385 bytes of a full TLS 1.3 inner plaintext or the 16384 of a
 * TLS 1.2 record, the tag) with one context keyed once; clasp's side is cl_record_seal and
 * cl_record_open, framing included. A last row runs the whole connection: clasp_conn_write,
 * the bytes moved to the peer, clasp_conn_read (two copies and a wipe more than the raw
 * AEAD). Each side is timed in many short alternating rounds and keeps its best one: on a
 * shared machine a neighbour only ever adds time, and a short round often escapes it.
 * Prints MB/s of plaintext and the ratio. A measurement, never a test: nothing fails on a
 * clock.
 *
 *   clasp-bench-bulk [records-per-round] [--tls12]
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <clasp/clasp.h>

#include "pair.h"
#include "pki.h"
#include "record/protect.h"

#define PT      CL_MAX_PLAINTEXT
#define BUF_LEN (CL_RECORD_HEADER_LEN + CL_TLS12_MAX_CIPHERTEXT)
#define ROUNDS  300 /* short rounds: the best of each side is one a neighbour left alone */

static const struct {
    const char *name;
    cl_aead_alg alg;
    const char *suite13, *suite12;
} aeads[] = {
    {"AES-128-GCM", CL_AEAD_AES_128_GCM, "TLS_AES_128_GCM_SHA256",
     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"},
    {"AES-256-GCM", CL_AEAD_AES_256_GCM, "TLS_AES_256_GCM_SHA384",
     "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"},
    {"ChaCha20-Poly1305", CL_AEAD_CHACHA20_POLY1305, "TLS_CHACHA20_POLY1305_SHA256",
     "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256"},
};

static test_ca *ca;
static test_cert leaf;

static const uint8_t key[32] = {7, 7, 7};
static const uint8_t iv[12] = {9, 9, 9};
static uint16_t version = CL_TLS13_VERSION;

static double now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static void die(const char *what)
{
    fprintf(stderr, "bench_bulk: %s failed\n", what);
    exit(1);
}

/* ---- clasp: the record layer's seal and open ---- */

typedef struct clasp_side {
    cl_record_prot seal, open;
    uint8_t *buf;
} clasp_side;

static void clasp_records(clasp_side *s, long n, int open_too)
{
    for (long i = 0; i < n; i++) {
        size_t len, off, pt;
        uint8_t type;
        if (cl_record_seal(&s->seal, CL_CT_APPLICATION_DATA, s->buf, BUF_LEN, PT, 0, &len))
            die("cl_record_seal");
        if (open_too && cl_record_open(&s->open, s->buf, len, &type, &off, &pt))
            die("cl_record_open");
    }
}

/* ---- raw EVP: one context per direction, keyed once, a nonce per record ---- */

typedef struct raw_side {
    EVP_CIPHER_CTX *enc, *dec;
    uint8_t *buf;
    uint64_t seq;
} raw_side;

static void raw_nonce(uint64_t seq, uint8_t nonce[12])
{
    memcpy(nonce, iv, 12);
    for (int i = 0; i < 8; i++)
        nonce[11 - i] ^= (uint8_t)(seq >> (8 * i));
}

static void raw_records(raw_side *r, long n, int open_too)
{
    /* The same buffer layout as a record: additional data in front of the body. */
    const int tls13 = version == CL_TLS13_VERSION, len = tls13 ? PT + 1 : PT;
    const int ad_len = tls13 ? 5 : 13;
    uint8_t *ad = r->buf, *body = r->buf + (tls13 ? 5 : 13), nonce[12];
    int outl;
    for (long i = 0; i < n; i++, r->seq++) {
        raw_nonce(r->seq, nonce);
        if (EVP_CipherInit_ex2(r->enc, NULL, NULL, nonce, 1, NULL) != 1 ||
            EVP_CipherUpdate(r->enc, NULL, &outl, ad, ad_len) != 1 ||
            EVP_CipherUpdate(r->enc, body, &outl, body, len) != 1 ||
            EVP_CipherFinal_ex(r->enc, body + len, &outl) != 1 ||
            EVP_CIPHER_CTX_ctrl(r->enc, EVP_CTRL_AEAD_GET_TAG, 16, body + len) != 1)
            die("raw seal");
        if (!open_too)
            continue;
        if (EVP_CipherInit_ex2(r->dec, NULL, NULL, nonce, 0, NULL) != 1 ||
            EVP_CipherUpdate(r->dec, NULL, &outl, ad, ad_len) != 1 ||
            EVP_CipherUpdate(r->dec, body, &outl, body, len) != 1 ||
            EVP_CIPHER_CTX_ctrl(r->dec, EVP_CTRL_AEAD_SET_TAG, 16, body + len) != 1 ||
            EVP_CipherFinal_ex(r->dec, body + len, &outl) != 1)
            die("raw open");
    }
}

/* ---- a whole connection: write, move the bytes, read ---- */

typedef struct conn_side {
    clasp_config *ccfg, *scfg;
    clasp_conn *client, *server;
    uint8_t *buf;
} conn_side;

static void conn_open(conn_side *k, size_t a)
{
    uint16_t v = version == CL_TLS13_VERSION ? CLASP_TLS13 : CLASP_TLS12;
    const test_pem *anchor = test_ca_pem(ca);
    k->scfg = clasp_config_new(CLASP_SERVER);
    k->ccfg = clasp_config_new(CLASP_CLIENT);
    if (clasp_config_add_cert_chain_pem(k->scfg, (const uint8_t *)leaf.chain.pem, leaf.chain.len,
                                        (const uint8_t *)leaf.key.pem, leaf.key.len) ||
        clasp_config_load_verify_pem(k->ccfg, (const uint8_t *)anchor->pem, anchor->len) ||
        clasp_config_set_versions(k->ccfg, v, v) ||
        clasp_config_set_cipher_suites(k->ccfg,
                                       v == CLASP_TLS13 ? aeads[a].suite13 : aeads[a].suite12))
        die("configuration");
    k->client = clasp_conn_new(k->ccfg);
    k->server = clasp_conn_new(k->scfg);
    k->buf = calloc(1, PT);
    clasp_conn_set_server_name(k->client, "server.test");
    if (pair_handshake(k->client, k->server))
        die("handshake");
}

static void conn_records(conn_side *k, long n)
{
    for (long i = 0; i < n; i++) {
        size_t w, r;
        if (clasp_conn_write(k->client, k->buf, PT, &w) || w != PT ||
            pair_move(k->client, k->server, 0) || clasp_conn_read(k->server, k->buf, PT, &r) ||
            r != PT)
            die("connection record");
    }
}

static void conn_close(conn_side *k)
{
    clasp_conn_free(k->client);
    clasp_conn_free(k->server);
    clasp_config_free(k->ccfg);
    clasp_config_free(k->scfg);
    free(k->buf);
}

/* ---- one AEAD: both sides, alternating rounds, best of each ---- */

static void report(size_t a, const char *what, long n, double clasp, double raw)
{
    double mb = (double)n * PT / 1e6;
    printf("  %-18s %-11s clasp %6.0f MB/s   raw EVP %6.0f MB/s   ratio %5.1f%%\n", aeads[a].name,
           what, mb / clasp, mb / raw, 100.0 * raw / clasp);
}

static void one(size_t a, long n)
{
    size_t kl = cl_aead_key_len(aeads[a].alg), ivl = 12;
    if (version == CL_TLS12_VERSION && aeads[a].alg != CL_AEAD_CHACHA20_POLY1305)
        ivl = 4;
    clasp_side c = {.buf = calloc(1, BUF_LEN)};
    raw_side r = {
        .buf = calloc(1, BUF_LEN), .enc = EVP_CIPHER_CTX_new(), .dec = EVP_CIPHER_CTX_new()};
    EVP_CIPHER *cipher = EVP_CIPHER_fetch(NULL, aeads[a].name, NULL);
    if (cl_record_prot_init(&c.seal, version, aeads[a].alg, 1, key, kl, iv, ivl) ||
        cl_record_prot_init(&c.open, version, aeads[a].alg, 0, key, kl, iv, ivl) || !cipher ||
        EVP_CipherInit_ex2(r.enc, cipher, key, NULL, 1, NULL) != 1 ||
        EVP_CipherInit_ex2(r.dec, cipher, key, NULL, 0, NULL) != 1)
        die("setup");
    conn_side k;
    conn_open(&k, a);
    double best[5] = {1e9, 1e9, 1e9, 1e9, 1e9}, t[6];
    for (int round = 0; round < ROUNDS; round++) {
        t[0] = now();
        clasp_records(&c, n, 0);
        t[1] = now();
        raw_records(&r, n, 0);
        c.open.seq = c.seal.seq; /* the opener meets the records the sealer makes next */
        t[2] = now();
        clasp_records(&c, n, 1);
        t[3] = now();
        raw_records(&r, n, 1);
        t[4] = now();
        conn_records(&k, n);
        t[5] = now();
        for (int i = 0; i < 5; i++)
            best[i] = t[i + 1] - t[i] < best[i] ? t[i + 1] - t[i] : best[i];
    }
    report(a, "seal", n, best[0], best[1]);
    report(a, "seal+open", n, best[2], best[3]);
    report(a, "connection", n, best[4], best[3]);
    conn_close(&k);
    cl_record_prot_clear(&c.seal);
    cl_record_prot_clear(&c.open);
    EVP_CIPHER_CTX_free(r.enc);
    EVP_CIPHER_CTX_free(r.dec);
    EVP_CIPHER_free(cipher);
    free(c.buf);
    free(r.buf);
}

int main(int argc, char **argv)
{
    long n = argc > 1 && argv[1][0] != '-' ? atol(argv[1]) : 16;
    for (int i = 1; i < argc; i++)
        if (!strcmp(argv[i], "--tls12"))
            version = CL_TLS12_VERSION;
    printf("%s records of 16 KiB, clasp beside raw EVP (%s), best of %d rounds of %ld records;\n"
           "the connection row is compared with the raw seal+open:\n",
           version == CL_TLS13_VERSION ? "TLS 1.3" : "TLS 1.2", OpenSSL_version(OPENSSL_VERSION),
           ROUNDS, n);
    ca = test_ca_new(TK_P256, "bench CA");
    test_cert_opts o = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(ca, TK_P256, &o, &leaf);
    for (size_t a = 0; a < sizeof(aeads) / sizeof(aeads[0]); a++)
        one(a, n);
    test_cert_free(&leaf);
    test_ca_free(ca);
    return 0;
}
