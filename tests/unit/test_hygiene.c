/*
 * No application plaintext survives in memory clasp frees: every block freed through the
 * allocator hooks is scanned for a marker that only the application data carries. Record
 * buffers are wiped only as far as they were filled (src/record/layer.h), so these tests
 * guard that wiping less never wipes less than what was written.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "pair.h"
#include "tls12_kit.h"

static const uint8_t marker[] = "marker:the-application-secret-7f3a9c1e";
#define MARKER_LEN (sizeof(marker) - 1)

static size_t hits, frees;

static int contains_marker(const uint8_t *p, size_t n)
{
    for (size_t i = 0; i + MARKER_LEN <= n; i++)
        if (p[i] == marker[0] && memcmp(p + i, marker, MARKER_LEN) == 0)
            return 1;
    return 0;
}

/* Filled, so that what a block held before (the test's own buffers) is not taken for
 * something clasp left behind. */
static void *scan_alloc(void *ctx, size_t n)
{
    (void)ctx;
    void *p = malloc(n);
    if (p)
        memset(p, 0xa5, n);
    return p;
}

static void scan_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    frees++;
    hits += contains_marker(p, n);
    free(p);
}

static int setup(void **state)
{
    kit_setup(state);
    clasp_allocator a = {scan_alloc, scan_free, NULL};
    clasp_set_allocator(&a);
    return 0;
}

static int teardown(void **state)
{
    clasp_set_allocator(NULL);
    return kit_teardown(state);
}

/* Application data made of markers: any 1 KiB of it holds a whole one. */
static uint8_t *marked(size_t n)
{
    uint8_t *d = malloc(n);
    for (size_t i = 0; i < n; i++)
        d[i] = marker[i % MARKER_LEN];
    return d;
}

/* A CBC suite is enabled on both sides; etm 0: MAC-then-encrypt (the peer does not offer). */
static void open_pair(kit_pair *p, uint16_t version, const char *suite, int etm)
{
    clasp_config *c = kit12_client(version, version),
                 *s = kit12_server(&kit.server[TK_P256], version, version);
    if (suite)
        assert_int_equal(clasp_config_set_cipher_suites(c, suite), 0);
    if (suite && strstr(suite, "_CBC_")) {
        assert_int_equal(clasp_config_set_cipher_suites(s, suite), 0);
        assert_int_equal(clasp_config_set_encrypt_then_mac(c, etm), 0);
    }
    kit_open(p, c, s, "server.test");
    assert_int_equal(pair_handshake(p->client, p->server), 0);
    assert_int_equal(clasp_conn_version(p->client), version);
}

static const struct {
    uint16_t version;
    const char *suite;
    int etm;
} cases[] = {
    {CLASP_TLS13, "TLS_AES_128_GCM_SHA256", 0},
    {CLASP_TLS13, "TLS_CHACHA20_POLY1305_SHA256", 0},
    {CLASP_TLS12, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", 0},
    {CLASP_TLS12, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", 0},
    {CLASP_TLS12, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 0},
    {CLASP_TLS12, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 1},
};

/* The scanner itself finds a marker in a freed block. */
static void test_scanner_sees_marker(void **state)
{
    (void)state;
    uint8_t *d = marked(4096);
    hits = 0;
    scan_free(NULL, d, 4096);
    assert_int_equal(hits, 1);
    hits = 0;
}

/*
 * Runs one use of a connection pair with marked data (40000 bytes) for every case, then
 * frees the pair: no freed block may hold a marker.
 */
static void each_case(void (*use)(kit_pair *p, const uint8_t *d))
{
    uint8_t *d = marked(40000);
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        kit_pair p;
        open_pair(&p, cases[i].version, cases[i].suite, cases[i].etm);
        hits = frees = 0;
        use(&p, d);
        kit_close(&p);
        assert_true(frees > 0);
        assert_int_equal(hits, 0);
    }
    free(d);
}

/* Data read to the end, both ways, in full records and a short one. */
static void read_to_the_end(kit_pair *p, const uint8_t *d)
{
    assert_int_equal(pair_transfer(p->client, p->server, d, 40000), 0);
    assert_int_equal(pair_transfer(p->server, p->client, d, 100), 0);
}

/* Data opened but never read: the connection is freed holding the record. */
static void left_unread(kit_pair *p, const uint8_t *d)
{
    size_t n;
    uint8_t two[2];
    assert_int_equal(clasp_conn_write(p->client, d, 3000, &n), 0);
    assert_int_equal(kit_move(p->client, p->server), 0);
    assert_int_equal(clasp_conn_read(p->server, two, sizeof(two), &n), 0); /* opened */
}

/*
 * A record that fails to authenticate was decrypted in place before its tag was checked
 * (MAC-then-encrypt: before padding and MAC were; encrypt-then-MAC: not at all).
 */
static void forged(kit_pair *p, const uint8_t *d)
{
    size_t n, len;
    assert_int_equal(clasp_conn_write(p->client, d, 3000, &n), 0);
    uint8_t *rec = kit_take(p->client, &len);
    rec[len - 1] ^= 1; /* the tag */
    assert_int_equal(kit_feed(p->server, rec, len), CLASP_ERR_BAD_RECORD_MAC);
    free(rec);
}

static void test_read_data_wiped(void **state)
{
    (void)state;
    each_case(read_to_the_end);
}

static void test_unread_data_wiped(void **state)
{
    (void)state;
    each_case(left_unread);
}

static void test_forged_record_wiped(void **state)
{
    (void)state;
    each_case(forged);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_scanner_sees_marker),
        cmocka_unit_test(test_read_data_wiped),
        cmocka_unit_test(test_unread_data_wiped),
        cmocka_unit_test(test_forged_record_wiped),
    };
    return cmocka_run_group_tests(tests, setup, teardown);
}
