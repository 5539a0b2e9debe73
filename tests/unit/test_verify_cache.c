/*
 * The verified-chain cache of a trust store (src/x509/vcache.c) and its switch,
 * clasp_config_set_verify_cache. What the cache did is read from the store's counters
 * (cl_trust_verify_stats: full verifications, hits, misses, entries), never from a clock.
 * A hit skips verification but not the checks that belong to each connection: the validity
 * window at `now` (of the whole path, anchor included) and the host name. Only exact chains
 * for the same purpose hit; adding anchors empties the cache; it stays within its bound,
 * is shared safely by threads, frees what it holds, and survives allocation failures by not
 * caching.
 *
 * Beside it, the store's parsed intermediates (on whether the switch is on or off): CA
 * certificates of verified paths, decoded once, which later chains carrying the same bytes
 * take parsed and verify in full all the same (counted in cert_hits and certs).
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>

#include <clasp/clasp.h>

#include "counting.h"
#include "pair.h"
#include "tls13_kit.h"
#include "verify_checks.h"
#include "x509/internal.h"

#define DAY     86400L
#define NLEAVES 6
#define SERVER  CL_PURPOSE_SERVER

/* The PKI: kit.ca (the anchor, valid 10 years) with kit's leaves, plus these. */
static test_ca *inter;
static test_cert via_inter;       /* server.test, issued by an intermediate */
static test_cert leaves[NLEAVES]; /* server.test, issued by kit.ca: distinct chains */
static test_cert outlives_ca;     /* valid for 5000 days, longer than kit.ca */

/* Each chain as DER, through a credential (which keeps the DER it parsed). */
static cl_credential *c_inter, *c_leaves[NLEAVES], *c_outlives, *c_p256, *c_client;
static uint8_t *anchor_der;
static int anchor_len;

static cl_trust *trust; /* per test: kit.ca, cache of 16 chains */
static time_t now;

static cl_credential *load(const test_cert *c)
{
    cl_credential *cred = NULL;
    assert_int_equal(cl_credential_from_pem(&cred, (const uint8_t *)c->chain.pem, c->chain.len,
                                            (const uint8_t *)c->key.pem, c->key.len),
                     0);
    return cred;
}

static int group_setup(void **state)
{
    kit_setup(state);
    assert_int_equal(cl_crypto_init(), 0);
    now = time(NULL);
    inter = test_ca_intermediate(kit.ca, TK_P256, "cache test intermediate");
    test_cert_opts o = {.cn = "server.test", .san = "DNS:server.test,IP:127.0.0.1"};
    test_issue(inter, TK_P256, &o, &via_inter);
    for (int i = 0; i < NLEAVES; i++)
        test_issue(kit.ca, TK_P256, &o, &leaves[i]);
    o.not_after_days = 5000;
    test_issue(kit.ca, TK_P256, &o, &outlives_ca);
    c_inter = load(&via_inter);
    assert_int_equal(c_inter->n_certs, 2);
    for (int i = 0; i < NLEAVES; i++)
        c_leaves[i] = load(&leaves[i]);
    c_outlives = load(&outlives_ca);
    c_p256 = load(&kit.server[TK_P256]);
    c_client = load(&kit.client);
    BIO *b = BIO_new_mem_buf(test_ca_pem(kit.ca)->pem, -1);
    X509 *x = PEM_read_bio_X509(b, NULL, NULL, NULL);
    assert_non_null(x);
    anchor_len = i2d_X509(x, &anchor_der);
    assert_true(anchor_len > 0);
    X509_free(x);
    BIO_free(b);
    return 0;
}

static int group_teardown(void **state)
{
    cl_credential_free(c_inter);
    for (int i = 0; i < NLEAVES; i++) {
        cl_credential_free(c_leaves[i]);
        test_cert_free(&leaves[i]);
    }
    cl_credential_free(c_outlives);
    cl_credential_free(c_p256);
    cl_credential_free(c_client);
    OPENSSL_free(anchor_der);
    test_cert_free(&via_inter);
    test_cert_free(&outlives_ca);
    test_ca_free(inter);
    return kit_teardown(state);
}

static void add_anchor(cl_trust *t, const test_ca *ca)
{
    const test_pem *pem = test_ca_pem(ca);
    assert_int_equal(cl_trust_add_pem(t, (const uint8_t *)pem->pem, pem->len), 0);
}

static int trust_setup(void **state)
{
    (void)state;
    assert_int_equal(cl_trust_new(&trust), 0);
    add_anchor(trust, kit.ca);
    assert_int_equal(cl_trust_set_cache(trust, 16), 0);
    return 0;
}

static int trust_teardown(void **state)
{
    (void)state;
    cl_trust_free(trust);
    trust = NULL;
    counting_stop();
    return 0;
}

/* Verifies a chain; the result's key is freed, the error queue must be empty. */
static int verify_der(const cl_cert_der *chain, size_t n, const char *host,
                      cl_verify_purpose purpose, time_t when, cl_verify_result *res)
{
    int rc = cl_verify_chain(trust, chain, n, host, purpose, when, res);
    assert_int_equal(ERR_peek_error(), 0);
    verify_result_check(rc, res);
    return rc;
}

static int verify_at(const cl_credential *c, const char *host, cl_verify_purpose purpose,
                     time_t when, cl_verify_result *res)
{
    return verify_der(c->certs, c->n_certs, host, purpose, when, res);
}

static int verify(const cl_credential *c, const char *host, cl_verify_result *res)
{
    return verify_at(c, host, SERVER, 0, res);
}

/* The counters now, minus the expected ones: all zero when the cache did as expected. */
static void expect_stats(unsigned long long verifications, unsigned long long hits,
                         unsigned long long misses, size_t entries)
{
    cl_verify_stats s;
    cl_trust_verify_stats(trust, &s);
    if (s.verifications != verifications || s.hits != hits || s.misses != misses ||
        s.entries != entries)
        print_error("stats: %llu verifications, %llu hits, %llu misses, %zu entries\n",
                    s.verifications, s.hits, s.misses, s.entries);
    assert_int_equal(s.verifications, verifications);
    assert_int_equal(s.hits, hits);
    assert_int_equal(s.misses, misses);
    assert_int_equal(s.entries, entries);
}

/* ---- hits and misses ---- */

static void test_hit_skips_verification(void **state)
{
    (void)state;
    cl_verify_result first, again;
    assert_int_equal(verify(c_inter, "server.test", &first), 0);
    assert_int_equal(first.from_cache, 0);
    expect_stats(1, 0, 1, 1);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(verify(c_inter, "server.test", &again), 0);
        assert_int_equal(again.from_cache, 1);
        expect_stats(1, (unsigned long long)i + 1, 1, 1);
        /* What the full verification found, without it. */
        assert_string_equal(again.reason, "ok");
        assert_int_equal(again.leaf_type, first.leaf_type);
        assert_int_equal(again.key_usage, first.key_usage);
        assert_int_equal(again.anchor_dn_len, first.anchor_dn_len);
        assert_true(first.anchor_dn_len > 0);
        assert_memory_equal(again.anchor_dn, first.anchor_dn, first.anchor_dn_len);
    }
    /* The leaf's key comes back usable: it verifies a signature the leaf's key made. */
    cl_verify_result res;
    assert_int_equal(cl_verify_chain(trust, c_inter->certs, 2, "server.test", SERVER, 0, &res), 0);
    assert_int_equal(res.from_cache, 1);
    uint8_t sig[CL_MAX_SIG_LEN];
    size_t sig_len;
    const uint8_t msg[] = "signed by the leaf";
    assert_int_equal(cl_sign(c_inter->key, 0x0403, msg, sizeof(msg), sig, sizeof(sig), &sig_len),
                     0);
    assert_int_equal(cl_verify(res.leaf_key, 0x0403, msg, sizeof(msg), sig, sig_len), 0);
    cl_pubkey_free(res.leaf_key);
}

/* The key is the exact chain as received and the purpose. */
static void test_exact_chain_and_purpose(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(verify(c_leaves[0], "server.test", &res), 0);
    assert_int_equal(verify(c_leaves[1], "server.test", &res), 0); /* another chain */
    assert_int_equal(res.from_cache, 0);
    expect_stats(2, 0, 2, 2);
    /* The same leaf with the anchor appended is another chain as received. */
    cl_cert_der plus[2] = {c_leaves[0]->certs[0], {anchor_der, (size_t)anchor_len}};
    assert_int_equal(cl_verify_chain(trust, plus, 2, "server.test", SERVER, 0, &res), 0);
    assert_int_equal(res.from_cache, 0);
    cl_pubkey_free(res.leaf_key);
    expect_stats(3, 0, 3, 3);
    /* One byte different (the signature broken): a miss, and the failure is not cached. */
    uint8_t *bad = malloc(c_leaves[0]->certs[0].len);
    assert_non_null(bad);
    memcpy(bad, c_leaves[0]->certs[0].der, c_leaves[0]->certs[0].len);
    bad[c_leaves[0]->certs[0].len - 1] ^= 1;
    cl_cert_der one = {bad, c_leaves[0]->certs[0].len};
    for (int i = 0; i < 2; i++)
        assert_int_equal(cl_verify_chain(trust, &one, 1, "server.test", SERVER, 0, &res),
                         CLASP_ERR_BAD_CERTIFICATE);
    free(bad);
    expect_stats(5, 0, 5, 3);
    /* A server's chain verified for a client's purpose: its own verdict (serverAuth only). */
    assert_int_equal(verify_at(c_leaves[0], NULL, CL_PURPOSE_CLIENT, 0, &res),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    expect_stats(6, 0, 6, 3);
    /* ...and a client certificate's success is kept under its purpose only. */
    assert_int_equal(verify_at(c_client, NULL, CL_PURPOSE_CLIENT, 0, &res), 0);
    assert_int_equal(verify_at(c_client, NULL, CL_PURPOSE_CLIENT, 0, &res), 0);
    assert_int_equal(res.from_cache, 1);
    assert_int_equal(verify_at(c_client, "client.test", SERVER, 0, &res),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    expect_stats(8, 1, 8, 4);
}

/* Every hit checks the host name, as the full verification words it. */
static void test_hit_checks_host(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(verify(c_inter, "server.test", &res), 0);
    assert_int_equal(verify(c_inter, "other.test", &res), CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "hostname mismatch (wanted other.test)");
    assert_int_equal(verify(c_inter, "127.0.0.2", &res), CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "IP address mismatch (wanted 127.0.0.2)");
    assert_int_equal(verify(c_inter, "::1", &res), CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "IP address mismatch (wanted ::1)");
    /* All three were hits: the chain itself is fine, and stays cached. */
    expect_stats(1, 3, 1, 1);
    assert_int_equal(verify(c_inter, "127.0.0.1", &res), 0);
    assert_int_equal(res.from_cache, 1);
    assert_int_equal(verify(c_inter, "SERVER.test.", &res), 0);
    assert_int_equal(res.from_cache, 1);
    expect_stats(1, 5, 1, 1);
    /* The same mismatches verified in full say the same. */
    assert_int_equal(cl_trust_set_cache(trust, 0), 0);
    assert_int_equal(verify(c_inter, "other.test", &res), CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "hostname mismatch (wanted other.test)");
    assert_int_equal(verify(c_inter, "127.0.0.2", &res), CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "IP address mismatch (wanted 127.0.0.2)");
}

/* ---- validity, at `now` ---- */

static void test_validity_checked_on_every_hit(void **state)
{
    (void)state;
    cl_verify_result res;
    /* kit's leaves: valid from a day ago for 30 days. Inside: hits. */
    assert_int_equal(verify(c_p256, "server.test", &res), 0);
    assert_int_equal(verify_at(c_p256, "server.test", SERVER, now + 29 * DAY, &res), 0);
    assert_int_equal(res.from_cache, 1);
    expect_stats(1, 1, 1, 1);
    /* Past the leaf's notAfter: the entry is dropped and the full verification says why. */
    assert_int_equal(verify_at(c_p256, "server.test", SERVER, now + 31 * DAY, &res),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    assert_string_equal(res.reason, "certificate expired (depth 0, CN=server.test)");
    expect_stats(2, 1, 2, 0);
    /* Before its notBefore (and the anchor's, made the same day), likewise. */
    assert_int_equal(verify(c_p256, "server.test", &res), 0);
    assert_int_equal(verify_at(c_p256, "server.test", SERVER, now - 2 * DAY, &res),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    assert_non_null(strstr(res.reason, "certificate not yet valid (depth "));
    expect_stats(4, 1, 4, 0);
}

/* The window covers the whole verified path, the anchor too, which no peer sends. */
static void test_validity_of_the_anchor(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(verify(c_outlives, "server.test", &res), 0);
    assert_int_equal(verify_at(c_outlives, "server.test", SERVER, now + 3000 * DAY, &res), 0);
    assert_int_equal(res.from_cache, 1);
    /* The leaf is still valid in 11 years; the anchor is not. */
    assert_int_equal(verify_at(c_outlives, "server.test", SERVER, now + 4000 * DAY, &res),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    assert_string_equal(res.reason, "certificate expired (depth 1, CN=clasp test CA)");
    expect_stats(2, 1, 2, 0);
}

/* ---- the trust store changes ---- */

static void test_adding_anchors_empties_the_cache(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(verify(c_inter, "server.test", &res), 0);
    assert_int_equal(verify(c_leaves[0], "server.test", &res), 0);
    expect_stats(2, 0, 2, 2);
    add_anchor(trust, kit.other_ca);
    expect_stats(2, 0, 2, 0);
    assert_int_equal(verify(c_inter, "server.test", &res), 0);
    assert_int_equal(res.from_cache, 0);
    expect_stats(3, 0, 3, 1);
    /* The intermediate as an anchor of its own: the path changes, so must the verdict. */
    add_anchor(trust, inter);
    assert_int_equal(verify(c_inter, "server.test", &res), 0);
    assert_int_equal(res.from_cache, 0);
    expect_stats(4, 0, 4, 1);
    /* A hashed directory or the system's store counts as added anchors too. */
    assert_int_equal(cl_trust_load_default(trust), 0);
    expect_stats(4, 0, 4, 0);
}

/* ---- bound and switch ---- */

static void test_capacity_and_least_recently_used(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(cl_trust_set_cache(trust, 4), 0);
    for (int i = 0; i < 4; i++)
        assert_int_equal(verify(c_leaves[i], "server.test", &res), 0);
    expect_stats(4, 0, 4, 4);
    assert_int_equal(verify(c_leaves[0], "server.test", &res), 0); /* 0 is now the newest */
    expect_stats(4, 1, 4, 4);
    assert_int_equal(verify(c_leaves[4], "server.test", &res), 0); /* evicts 1, the oldest */
    assert_int_equal(verify(c_leaves[5], "server.test", &res), 0); /* evicts 2 */
    expect_stats(6, 1, 6, 4);
    assert_int_equal(verify(c_leaves[0], "server.test", &res), 0);
    assert_int_equal(res.from_cache, 1);
    assert_int_equal(verify(c_leaves[1], "server.test", &res), 0);
    assert_int_equal(res.from_cache, 0); /* evicted; now back, evicting 3 */
    assert_int_equal(verify(c_leaves[3], "server.test", &res), 0);
    assert_int_equal(res.from_cache, 0);
    expect_stats(8, 2, 8, 4);
    /* A bound of one: each new chain replaces the last. */
    assert_int_equal(cl_trust_set_cache(trust, 1), 0);
    expect_stats(8, 2, 8, 0);
    for (int i = 0; i < 3; i++)
        assert_int_equal(verify(c_leaves[i], "server.test", &res), 0);
    assert_int_equal(verify(c_leaves[2], "server.test", &res), 0);
    assert_int_equal(res.from_cache, 1);
    expect_stats(11, 3, 11, 1);
    assert_int_equal(cl_trust_set_cache(trust, CL_VERIFY_CACHE_MAX + 1), CLASP_ERR_INVALID_ARG);
}

/* ---- parsed intermediates ---- */

/* The parsed-intermediate counters now, minus the expected ones. */
static void expect_certs(unsigned long long cert_hits, size_t certs)
{
    cl_verify_stats s;
    cl_trust_verify_stats(trust, &s);
    assert_int_equal(s.cert_hits, cert_hits);
    assert_int_equal(s.certs, certs);
}

/* With the cache off, every chain is verified in full, but its intermediate decoded once. */
static void test_cache_off_verifies_every_time(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(cl_trust_set_cache(trust, 0), 0);
    for (int i = 0; i < 3; i++) {
        assert_int_equal(verify(c_inter, "server.test", &res), 0);
        assert_int_equal(res.from_cache, 0);
        expect_certs((unsigned long long)i, 1);
    }
    expect_stats(3, 0, 0, 0);
    /* Neither the switch nor new anchors drop them: they hold no verdict. */
    assert_int_equal(cl_trust_set_cache(trust, 4), 0);
    add_anchor(trust, kit.other_ca);
    expect_certs(2, 1);
    /* A chain the cache answers does not decode anything. */
    assert_int_equal(verify(c_inter, "server.test", &res), 0);
    assert_int_equal(verify(c_inter, "server.test", &res), 0);
    assert_int_equal(res.from_cache, 1);
    expect_certs(3, 1);
}

/* Only the certificates of a path that verified are kept, the anchor's copy included. */
static void test_intermediates_only_from_verified_paths(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(cl_trust_set_cache(trust, 0), 0);
    /* A chain that fails (for another name) keeps nothing. */
    assert_int_equal(verify(c_inter, "other.test", &res), CLASP_ERR_BAD_CERTIFICATE);
    expect_certs(0, 0);
    /* A certificate sent beside the path (another leaf) is not kept; the anchor's copy is. */
    const cl_cert_der *lc = c_inter->certs;
    cl_cert_der extra[3] = {lc[0], lc[1], c_p256->certs[0]};
    assert_int_equal(verify_der(extra, 3, "server.test", SERVER, 0, &res), 0);
    expect_certs(0, 1);
    cl_cert_der full[3] = {lc[0], lc[1], {anchor_der, (size_t)anchor_len}};
    assert_int_equal(verify_der(full, 3, "server.test", SERVER, 0, &res), 0);
    expect_certs(1, 2);
    assert_int_equal(verify_der(full, 3, "server.test", SERVER, 0, &res), 0);
    expect_certs(3, 2);
    /* The other leaf, once its own chain verifies, is a leaf there: still not kept. */
    assert_int_equal(verify(c_p256, "server.test", &res), 0);
    assert_int_equal(verify_der(extra, 3, "server.test", SERVER, 0, &res), 0);
    expect_certs(4, 2);
}

/* The leaf of c_inter signed again by a key that is not the intermediate's. */
static uint8_t *forged_leaf(int *len)
{
    const uint8_t *p = c_inter->certs[0].der;
    X509 *x = d2i_X509(NULL, &p, (long)c_inter->certs[0].len);
    EVP_PKEY *k = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
    assert_non_null(x);
    assert_non_null(k);
    assert_true(X509_sign(x, k, EVP_sha256()) > 0);
    uint8_t *der = NULL;
    *len = i2d_X509(x, &der);
    assert_true(*len > 0);
    EVP_PKEY_free(k);
    X509_free(x);
    return der;
}

/* An intermediate taken parsed is one more certificate to verify: every check still runs. */
static void test_intermediate_taken_parsed_still_checked(void **state)
{
    (void)state;
    cl_verify_result res;
    assert_int_equal(cl_trust_set_cache(trust, 0), 0);
    assert_int_equal(verify(c_inter, "server.test", &res), 0);
    expect_certs(0, 1);
    /* Its key checks the leaf's signature: a leaf it did not sign fails. */
    int len;
    uint8_t *forged = forged_leaf(&len);
    cl_cert_der chain[2] = {{forged, (size_t)len}, c_inter->certs[1]};
    assert_int_equal(verify_der(chain, 2, "server.test", SERVER, 0, &res),
                     CLASP_ERR_BAD_CERTIFICATE);
    assert_string_equal(res.reason, "bad certificate signature (depth 0, CN=server.test)");
    OPENSSL_free(forged);
    /* Its constraints and the path's validity are checked as for a certificate decoded now. */
    assert_int_equal(verify_at(c_inter, NULL, CL_PURPOSE_CLIENT, 0, &res),
                     CLASP_ERR_UNSUPPORTED_CERTIFICATE);
    assert_int_equal(verify_at(c_inter, "server.test", SERVER, now + 4000 * DAY, &res),
                     CLASP_ERR_CERTIFICATE_EXPIRED);
    expect_certs(3, 1);
    expect_stats(4, 0, 0, 0);
}

/* A store that checks revocation is not cached: a new CRL would change its verdicts. */
static void test_revocation_checking_store_not_cached(void **state)
{
    (void)state;
    test_pem crl_pem;
    test_ca_crl(kit.ca, &crl_pem);
    BIO *b = BIO_new_mem_buf(crl_pem.pem, -1);
    X509_CRL *crl = PEM_read_bio_X509_CRL(b, NULL, NULL, NULL);
    assert_non_null(crl);
    X509_STORE *store = cl_trust_store(trust);
    assert_int_equal(X509_STORE_add_crl(store, crl), 1);
    assert_int_equal(X509_STORE_set_flags(store, X509_V_FLAG_CRL_CHECK), 1);
    cl_verify_result res;
    for (int i = 0; i < 2; i++) {
        assert_int_equal(verify(c_leaves[0], "server.test", &res), 0);
        assert_int_equal(res.from_cache, 0);
    }
    expect_stats(2, 0, 0, 0);
    X509_CRL_free(crl);
    BIO_free(b);
    free(crl_pem.pem);
}

/* ---- threads ---- */

#define THREADS    8
#define ITERATIONS 150

struct worker {
    int id, failures;
};

static void *work(void *arg)
{
    struct worker *w = arg;
    for (int i = 0; i < ITERATIONS; i++) {
        int which = (w->id + i) % (NLEAVES + 1);
        const cl_credential *c = which == NLEAVES ? c_inter : c_leaves[which];
        int good = (i / 3) % 2 == 0;
        cl_verify_result res;
        int rc = cl_verify_chain(trust, c->certs, c->n_certs, good ? "server.test" : "other.test",
                                 SERVER, 0, &res);
        if (rc != (good ? 0 : CLASP_ERR_BAD_CERTIFICATE) || (rc == 0) != (res.leaf_key != NULL))
            w->failures++;
        cl_pubkey_free(res.leaf_key);
    }
    return NULL;
}

/* Several threads, more chains than entries: lookups, insertions and evictions interleave. */
static void test_threads(void **state)
{
    (void)state;
    assert_int_equal(cl_trust_set_cache(trust, 4), 0);
    pthread_t t[THREADS];
    struct worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (struct worker){.id = i};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].failures, 0);
    }
    cl_verify_stats s;
    cl_trust_verify_stats(trust, &s);
    assert_int_equal(s.hits + s.misses, THREADS * ITERATIONS);
    assert_int_equal(s.verifications, s.misses); /* every miss, and only a miss, verifies */
    assert_true(s.hits > 0);
    assert_true(s.entries <= 4);
    ERR_clear_error(); /* each thread has its own queue; this one must stay empty */
}

/* ---- memory ---- */

/* A store with a cache, one chain verified twice (a hit), freed. */
static int cached_pass(int *second_from_cache)
{
    cl_trust *t = NULL;
    int rc = cl_trust_new(&t);
    const test_pem *pem = test_ca_pem(kit.ca);
    if (rc == 0)
        rc = cl_trust_add_pem(t, (const uint8_t *)pem->pem, pem->len);
    if (rc == 0)
        rc = cl_trust_set_cache(t, 2);
    for (int i = 0; i < 2 && rc == 0; i++) {
        cl_verify_result res;
        rc = cl_verify_chain(t, c_inter->certs, 2, "server.test", SERVER, 0, &res);
        cl_pubkey_free(res.leaf_key);
        *second_from_cache = res.from_cache;
    }
    cl_trust_free(t);
    return rc;
}

/*
 * Everything the cache holds is freed with the store, and an allocation that fails costs
 * the cache, never the verdict: each allocation failing in turn gives the verdict or
 * CLASP_ERR_NOMEM, and leaves nothing behind.
 */
static void test_allocations(void **state)
{
    (void)state;
    counting c;
    counting_start(&c, -1);
    int cached = 0;
    assert_int_equal(cached_pass(&cached), 0);
    assert_int_equal(cached, 1);
    assert_int_equal(c.live_allocs, 0);
    assert_int_equal(c.live_bytes, 0);
    long total = c.allocs, uncached_successes = 0;
    for (long k = 0; k < total; k++) {
        counting_start(&c, k);
        cached = 0;
        int rc = cached_pass(&cached);
        assert_true(rc == 0 || rc == CLASP_ERR_NOMEM);
        uncached_successes += rc == 0 && !cached;
        assert_int_equal(ERR_peek_error(), 0);
        assert_int_equal(c.live_allocs, 0);
        assert_int_equal(c.live_bytes, 0);
        assert_int_equal(c.size_mismatches, 0);
    }
    assert_true(uncached_successes > 0); /* the cache's own allocations failed quietly */
    counting_stop();
}

/* ---- the configuration switch, end to end ---- */

struct seen {
    int n;
    char from_cache[4][8];
};

static void on_trace(void *arg, clasp_conn *c, const clasp_trace_event *ev)
{
    (void)c;
    struct seen *s = arg;
    if (ev->kind != CLASP_TRACE_NOTE || strcmp(ev->name, "certificate_verified") != 0 || s->n >= 4)
        return;
    for (size_t i = 0; i < ev->n_fields; i++)
        if (strcmp(ev->fields[i].name, "from_cache") == 0)
            snprintf(s->from_cache[s->n], sizeof(s->from_cache[0]), "%s", ev->fields[i].value);
    s->n++;
}

/* Three handshakes of one client configuration: the trace says which verdicts came from the
 * cache, the counters agree, and a cached chain offered for another name still fails. */
static void handshakes(size_t max, unsigned long long want_verifications)
{
    clasp_config *ccfg = kit_client_config();
    struct seen seen = {0};
    if (max != CLASP_VERIFY_CACHE_DEFAULT)
        assert_int_equal(clasp_config_set_verify_cache(ccfg, max), 0);
    assert_int_equal(clasp_config_set_trace(ccfg, on_trace, &seen), 0);
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    for (int i = 0; i < 3; i++) {
        kit_pair p;
        kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
        kit_handshake(&p);
        kit_close(&p);
        assert_string_equal(seen.from_cache[i], max && i > 0 ? "yes" : "no");
    }
    cl_verify_stats s;
    cl_trust_verify_stats(ccfg->trust, &s);
    assert_int_equal(s.verifications, want_verifications);
    /* The switch works only until the configuration is in use. */
    assert_int_equal(clasp_config_set_verify_cache(ccfg, 8), CLASP_ERR_STATE);
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "other.test");
    assert_int_not_equal(pair_handshake(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.client), CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(clasp_conn_alert_sent(p.client), CLASP_ALERT_BAD_CERTIFICATE);
    assert_non_null(strstr(clasp_conn_error_detail(p.client), "hostname mismatch"));
    kit_close(&p);
    cl_trust_verify_stats(ccfg->trust, &s);
    assert_int_equal(s.verifications, want_verifications + (max ? 0 : 1));
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

static void test_config_switch(void **state)
{
    (void)state;
    handshakes(CLASP_VERIFY_CACHE_DEFAULT, 1); /* on by default */
    handshakes(0, 3);
    assert_int_equal(clasp_config_set_verify_cache(NULL, 1), CLASP_ERR_INVALID_ARG);
    clasp_config *cfg = clasp_config_new(CLASP_CLIENT);
    assert_non_null(cfg);
    assert_int_equal(clasp_config_set_verify_cache(cfg, (1u << 20) + 1), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_config_set_verify_cache(cfg, 1u << 20), 0);
    clasp_config_free(cfg);
}

#define T(f) cmocka_unit_test_setup_teardown(f, trust_setup, trust_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(test_hit_skips_verification),
        T(test_exact_chain_and_purpose),
        T(test_hit_checks_host),
        T(test_validity_checked_on_every_hit),
        T(test_validity_of_the_anchor),
        T(test_adding_anchors_empties_the_cache),
        T(test_capacity_and_least_recently_used),
        T(test_cache_off_verifies_every_time),
        T(test_intermediates_only_from_verified_paths),
        T(test_intermediate_taken_parsed_still_checked),
        T(test_revocation_checking_store_not_cached),
        T(test_threads),
        T(test_allocations),
        cmocka_unit_test(test_config_switch),
    };
    return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
