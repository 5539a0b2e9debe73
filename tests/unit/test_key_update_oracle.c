/*
 * KeyUpdate (RFC 8446 4.6.3, 7.2) against an independent oracle, libcrypto's TLS13-KDF:
 *
 *     application_traffic_secret_N+1 =
 *         HKDF-Expand-Label(application_traffic_secret_N, "traffic upd", "", Hash.length)
 *
 *  - known answers: from RFC 8448 section 3's client and server application traffic secrets,
 *    secrets 1 to 3 and their keys and IVs, by cl_ks13_next_traffic_secret and
 *    cl_ks13_traffic_key_iv, must equal libcrypto's. The oracle's own keys and IVs for
 *    secret 0 are checked against the RFC's first, so the oracle is known to be asked the
 *    right question; every vector used is mutated once (vec_mutation_check);
 *  - the engine: a clasp client and server (each TLS 1.3 suite) exchange KeyUpdates, and
 *    every record each sends is opened here with keys the oracle derives from the traffic
 *    secret 0 that side logged. A KeyUpdate handling bug that client and server share (the
 *    wrong label, the wrong secret, keys switched at the wrong record) lets the pair talk
 *    to each other but fails here.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "hs/keysched13.h"
#include "kdf_oracle.h"
#include "msg/msg.h"
#include "record/protect.h"
#include "testutil.h"
#include "tls13_kit.h"

#define UPDATES 3

/* ---- known answers from RFC 8448's application traffic secrets ---- */

/* The oracle's key and IV for a traffic secret (RFC 8446 7.3). */
static void oracle_key_iv(cl_hash_alg h, const uint8_t *secret, cl_aead_alg aead, uint8_t *key,
                          uint8_t iv[CL_AEAD_NONCE_LEN])
{
    size_t hl = cl_hash_len(h);
    oracle_expand_label(h, secret, hl, "key", NULL, 0, key, cl_aead_key_len(aead));
    oracle_expand_label(h, secret, hl, "iv", NULL, 0, iv, CL_AEAD_NONCE_LEN);
}

/* One direction: secret 0 from the RFC, then UPDATES updates, ours beside the oracle's. */
static void updates_from(vecfile *v, vcheck *c, const char *secret_key, const char *keys_step)
{
    char name[128];
    size_t len;
    const uint8_t *s0 = vec_get(v, secret_key, &len);
    uint8_t ours[32], theirs[32], key[16], iv[12], okey[16], oiv[12];
    vcheck_ok(c, "a SHA-256 secret", len == sizeof(ours) ? 0 : -1);
    if (len != sizeof(ours))
        return;
    /* The oracle asked for secret 0's key and IV gives the RFC's. */
    oracle_key_iv(CL_HASH_SHA256, s0, CL_AEAD_AES_128_GCM, okey, oiv);
    snprintf(name, sizeof(name), "%s.key_expanded", keys_step);
    vcheck_vec(c, v, name, okey, sizeof(okey));
    snprintf(name, sizeof(name), "%s.iv_expanded", keys_step);
    vcheck_vec(c, v, name, oiv, sizeof(oiv));
    memcpy(ours, s0, len);
    memcpy(theirs, s0, len);
    for (int n = 1; n <= UPDATES; n++) {
        vcheck_ok(c, "next secret", cl_ks13_next_traffic_secret(CL_HASH_SHA256, ours, ours));
        oracle_expand_label(CL_HASH_SHA256, theirs, len, "traffic upd", NULL, 0, theirs, len);
        snprintf(name, sizeof(name), "%s: application_traffic_secret_%d", secret_key, n);
        vcheck_eq(c, name, ours, len, theirs, len);
        vcheck_ok(c, "key/iv",
                  cl_ks13_traffic_key_iv(CL_HASH_SHA256, ours, CL_AEAD_AES_128_GCM, key, iv));
        oracle_key_iv(CL_HASH_SHA256, theirs, CL_AEAD_AES_128_GCM, okey, oiv);
        vcheck_eq(c, "key after KeyUpdate", key, sizeof(key), okey, sizeof(okey));
        vcheck_eq(c, "iv after KeyUpdate", iv, sizeof(iv), oiv, sizeof(oiv));
    }
}

static int run_rfc8448(vecfile *v, vcheck *c, void *arg)
{
    (void)arg;
    updates_from(v, c, "server.derive_secret_tls13_c_ap_traffic.expanded",
                 "client.derive_write_traffic_keys_for_application_data");
    updates_from(v, c, "server.derive_secret_tls13_s_ap_traffic.expanded",
                 "server.derive_write_traffic_keys_for_application_data");
    return 0;
}

static void test_rfc8448_secrets_updated(void **state)
{
    vecfile *v = vec_load("rfc8448_simple.txt");
    vcheck c = {0};
    assert_int_equal(run_rfc8448(v, &c, NULL), 0);
    assert_int_equal(c.failures, 0);
    assert_int_equal(c.checks, 2 * (1 + 2 + UPDATES * 5));
    assert_int_equal(vec_mutation_check(v, run_rfc8448, NULL), 0);
    vec_free(v);
}

/* ---- the engine's KeyUpdates, opened with the oracle's keys ---- */

/* What a side logged: its traffic secret 0 (NSS key log format). */
typedef struct logged {
    uint8_t client[CL_MAX_SECRET_LEN], server[CL_MAX_SECRET_LEN];
    size_t client_len, server_len;
} logged;

static void keylog(void *arg, clasp_conn *conn, const char *line)
{
    logged *l = arg;
    const char *sp = strrchr(line, ' ');
    uint8_t *out = NULL;
    size_t *len = NULL;
    if (strncmp(line, "CLIENT_TRAFFIC_SECRET_0 ", 24) == 0)
        out = l->client, len = &l->client_len;
    else if (strncmp(line, "SERVER_TRAFFIC_SECRET_0 ", 24) == 0)
        out = l->server, len = &l->server_len;
    if (!out || !sp)
        return;
    uint8_t *bin = hex_decode(sp + 1, len);
    assert_true(*len <= CL_MAX_SECRET_LEN);
    memcpy(out, bin, *len);
    free(bin);
}

/* One direction as the oracle sees it: the current secret, keys and sequence number. */
typedef struct watcher {
    cl_hash_alg hash;
    cl_aead_alg aead;
    uint8_t secret[CL_MAX_SECRET_LEN];
    cl_record_prot open;
    unsigned updates; /* KeyUpdates seen in this direction */
} watcher;

static void watcher_key(watcher *w)
{
    uint8_t key[32], iv[CL_AEAD_NONCE_LEN];
    oracle_key_iv(w->hash, w->secret, w->aead, key, iv);
    cl_record_prot_clear(&w->open);
    assert_int_equal(cl_record_prot_init(&w->open, CL_TLS13_VERSION, w->aead, 0, key,
                                         cl_aead_key_len(w->aead), iv, sizeof(iv)),
                     0);
}

/*
 * Opens every record in buf with the oracle's keys; after a KeyUpdate the next record must
 * open under the oracle's next secret. Returns the application data bytes seen.
 */
static size_t watch(watcher *w, const uint8_t *buf, size_t len, char *data, size_t cap)
{
    kit_rec recs[16];
    size_t n = kit_records(buf, len, recs, 16), got = 0, hl = cl_hash_len(w->hash);
    assert_true(n <= 16);
    for (size_t i = 0; i < n; i++) {
        uint8_t rec[CL_RECORD_HEADER_LEN + 18000], type = 0;
        size_t off = 0, pt_len = 0;
        assert_true(recs[i].len + CL_RECORD_HEADER_LEN <= sizeof(rec));
        memcpy(rec, recs[i].body - CL_RECORD_HEADER_LEN, recs[i].len + CL_RECORD_HEADER_LEN);
        if (cl_record_open(&w->open, rec, recs[i].len + CL_RECORD_HEADER_LEN, &type, &off,
                           &pt_len) != 0)
            fail_msg("record %zu (after %u KeyUpdates) does not open with the oracle's keys", i,
                     w->updates);
        if (type == CL_CT_APPLICATION_DATA && got + pt_len <= cap) {
            memcpy(data + got, rec + off, pt_len);
            got += pt_len;
        } else if (type == CL_CT_HANDSHAKE && rec[off] == CL_HS_KEY_UPDATE) {
            oracle_expand_label(w->hash, w->secret, hl, "traffic upd", NULL, 0, w->secret, hl);
            watcher_key(w);
            w->updates++;
        }
    }
    return got;
}

/* from sends text after a KeyUpdate (asking the peer for one when request is set). */
static void update_and_send(clasp_conn *from, clasp_conn *to, watcher *w, int request,
                            const char *text)
{
    size_t n = 0, len = 0;
    char seen[64];
    char got[64];
    assert_int_equal(clasp_conn_key_update(from, request), 0);
    assert_int_equal(clasp_conn_write(from, (const uint8_t *)text, strlen(text), &n), 0);
    uint8_t *wire = kit_take(from, &len);
    size_t m = watch(w, wire, len, seen, sizeof(seen));
    assert_int_equal(m, strlen(text));
    assert_memory_equal(seen, text, m);
    assert_int_equal(kit_feed(to, wire, len), 0);
    assert_int_equal(clasp_conn_read(to, (uint8_t *)got, sizeof(got), &n), 0);
    assert_int_equal(n, strlen(text));
    free(wire);
}

static void engine_updates(const char *suite, cl_hash_alg hash, cl_aead_alg aead)
{
    logged l = {0};
    clasp_config *ccfg = kit_client_config();
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, suite), 0);
    assert_int_equal(clasp_config_set_keylog(ccfg, keylog, &l), 0);
    /* The oracle reads every record from sequence 0: no NewSessionTicket before them. */
    clasp_config *scfg = kit_server_config(&kit.server[TK_P256]);
    assert_int_equal(clasp_config_set_tickets(scfg, 0), 0);
    kit_pair p;
    kit_open(&p, ccfg, scfg, "server.test");
    kit_handshake(&p);
    assert_int_equal(l.client_len, cl_hash_len(hash));
    assert_int_equal(l.server_len, cl_hash_len(hash));
    watcher c2s = {.hash = hash, .aead = aead}, s2c = {.hash = hash, .aead = aead};
    memcpy(c2s.secret, l.client, l.client_len);
    memcpy(s2c.secret, l.server, l.server_len);
    watcher_key(&c2s);
    watcher_key(&s2c);
    /* The server's flight after the handshake (tickets, if any) under secret 0. */
    size_t len;
    char none[1];
    uint8_t *rest = kit_take(p.server, &len);
    watch(&s2c, rest, len, none, 0);
    free(rest);
    for (int i = 0; i < UPDATES; i++) {
        update_and_send(p.client, p.server, &c2s, 1, "ping");
        /* The server answered update_requested with its own KeyUpdate (RFC 8446 4.6.3). */
        update_and_send(p.server, p.client, &s2c, 0, "pong");
    }
    assert_int_equal(c2s.updates, UPDATES);
    assert_int_equal(s2c.updates, 2 * UPDATES);
    cl_record_prot_clear(&c2s.open);
    cl_record_prot_clear(&s2c.open);
    kit_close(&p);
}

static void test_engine_aes128(void **state)
{
    engine_updates("TLS_AES_128_GCM_SHA256", CL_HASH_SHA256, CL_AEAD_AES_128_GCM);
}

static void test_engine_aes256(void **state)
{
    engine_updates("TLS_AES_256_GCM_SHA384", CL_HASH_SHA384, CL_AEAD_AES_256_GCM);
}

static void test_engine_chacha(void **state)
{
    engine_updates("TLS_CHACHA20_POLY1305_SHA256", CL_HASH_SHA256, CL_AEAD_CHACHA20_POLY1305);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_rfc8448_secrets_updated),
        cmocka_unit_test(test_engine_aes128),
        cmocka_unit_test(test_engine_aes256),
        cmocka_unit_test(test_engine_chacha),
    };
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
