/*
 * Resumption everywhere (docs/api.md, "Sessions and resumption"): ticket keys and sealed
 * tickets; TLS 1.3 tickets and PSK resumption (psk_dhe_ke, psk_ke, after a
 * HelloRetryRequest; stateless and stateful tickets); TLS 1.2 tickets (RFC 5077) with and
 * without the extended master secret; binding to the server name, the configuration and
 * its client-certificate policy; dropping sessions after a fatal alert; export and import;
 * the negative table, each case with its exact alert or a clean full handshake; and the
 * RFC 8448 section 4 binder and key schedule.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <openssl/core_names.h>
#include <openssl/evp.h>
#include <openssl/kdf.h>

#include <clasp/clasp.h>

#include "base/mem.h"
#include "hs/keysched13.h"
#include "hs/resume.h"
#include "hs/ticket.h"
#include "msg/msg.h"
#include "record/protect.h"
#include "pair.h"
#include "testutil.h"
#include "tls12_kit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* ---- two clocks the tests move: the client's and the server's ---- */

static uint64_t client_ms, server_ms; /* milliseconds since the epoch */

static uint64_t test_clock(void *arg)
{
    return *(const uint64_t *)arg;
}

/* The notes of the last connections, "side name: why", for the checks. */
static char notes[64][256];
static size_t n_notes;

static void on_note(void *arg, clasp_conn *c, const clasp_trace_event *ev)
{
    (void)c;
    if (ev->kind != CLASP_TRACE_NOTE || n_notes == ARRAY_LEN(notes))
        return;
    const char *why = NULL;
    for (size_t i = 0; i < ev->n_fields; i++)
        if (strcmp(ev->fields[i].name, "why") == 0 || strcmp(ev->fields[i].name, "by") == 0)
            why = ev->fields[i].value;
    snprintf(notes[n_notes++], sizeof(notes[0]), "%s %s: %s", (const char *)arg, ev->name,
             why ? why : "");
}

/* Whether a note of this side ("C" or "S") and name, its why containing `has`, was made. */
static int noted(const char *side, const char *name, const char *has)
{
    char prefix[96];
    snprintf(prefix, sizeof(prefix), "%s %s:", side, name);
    for (size_t i = 0; i < n_notes; i++)
        if (strncmp(notes[i], prefix, strlen(prefix)) == 0 && (!has || strstr(notes[i], has)))
            return 1;
    return 0;
}

static clasp_config *timed(clasp_config *cfg)
{
    int server = cfg->role == CLASP_SERVER;
    assert_int_equal(clasp_config_set_trace(cfg, on_note, server ? "S" : "C"), 0);
    cfg->clock_ms = test_clock;
    cfg->clock_arg = server ? &server_ms : &client_ms;
    return cfg;
}

/* Both clocks at the real time: clasp_session_is_resumable reads the real clock. */
static int reset(void **state)
{
    (void)state;
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    client_ms = server_ms = (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
    n_notes = 0;
    return 0;
}

static void advance(uint64_t seconds)
{
    client_ms += seconds * 1000;
    server_ms += seconds * 1000;
}

/* ---- configurations and connections ---- */

static clasp_config *server13(void)
{
    return timed(kit_server_config(&kit.server[TK_P256]));
}

static clasp_config *client13(void)
{
    return timed(kit_client_config());
}

static clasp_config *server12(void)
{
    return timed(kit12_server(&kit.server[TK_P256], CLASP_TLS12, CLASP_TLS12));
}

static clasp_config *client12(void)
{
    return timed(kit12_client(CLASP_TLS12, CLASP_TLS12));
}

/* What a connection did, seen from both sides. */
typedef struct run {
    int rc;                                                 /* pair_handshake's result */
    int err_client, err_server, alert_client, alert_server; /* errors and alerts sent */
    int resumed_client, resumed_server;
    uint16_t group, version;
    unsigned hellos;     /* ClientHellos the client sent */
    unsigned certs_sent; /* Certificate messages the server sent */
    unsigned tickets_sent;
    size_t client_certs;    /* what the server reports of the client */
    clasp_session *session; /* the client's newest, after the handshake (owned) */
} run;

static void record(kit_pair *p, const kit_hook *ch, const kit_hook *sh, run *r)
{
    r->err_client = clasp_conn_error(p->client);
    r->err_server = clasp_conn_error(p->server);
    r->alert_client = clasp_conn_alert_sent(p->client);
    r->alert_server = clasp_conn_alert_sent(p->server);
    r->resumed_client = clasp_conn_resumed(p->client);
    r->resumed_server = clasp_conn_resumed(p->server);
    r->group = clasp_conn_group(p->client);
    r->version = clasp_conn_version(p->client);
    r->hellos = ch->count[CL_HS_CLIENT_HELLO];
    r->certs_sent = sh->count[CL_HS_CERTIFICATE];
    r->tickets_sent = sh->count[CL_HS_NEW_SESSION_TICKET];
    r->client_certs = clasp_conn_peer_cert_count(p->server);
}

/*
 * One connection: the client offers `offer` (may be NULL); hooks (may be NULL) edit the
 * client's and the server's messages. The session the client holds afterwards is kept.
 */
static void connect_with(clasp_config *ccfg, clasp_config *scfg, const char *host,
                         clasp_session *offer, kit_hook *ch, kit_hook *sh, run *r)
{
    kit_pair p;
    kit_hook ccount = {0}, scount = {0};
    memset(r, 0, sizeof(*r));
    ch = ch ? ch : &ccount;
    sh = sh ? sh : &scount;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), host);
    if (offer)
        assert_int_equal(clasp_conn_set_session(p.client, offer), 0);
    kit_hook_install(p.client, ch);
    kit_hook_install(p.server, sh);
    r->rc = pair_handshake(p.client, p.server);
    if (r->rc) { /* the alert reaches the other side */
        kit_move(p.client, p.server);
        kit_move(p.server, p.client);
    }
    record(&p, ch, sh, r);
    if (r->rc == 0) {
        assert_int_equal(clasp_conn_group(p.server), r->group);
        kit_exchange(&p, 300);
        r->session = clasp_conn_get_session(p.client);
    }
    kit_close(&p);
}

static void connect_ok(clasp_config *ccfg, clasp_config *scfg, clasp_session *offer, run *r)
{
    connect_with(ccfg, scfg, "server.test", offer, NULL, NULL, r);
    if (r->rc)
        fail_msg("handshake failed: client %d, server %d", r->err_client, r->err_server);
}

/* A full handshake; its newest session (the caller frees it). */
static clasp_session *first_session(clasp_config *ccfg, clasp_config *scfg)
{
    run r;
    connect_ok(ccfg, scfg, NULL, &r);
    assert_int_equal(r.resumed_client, 0);
    assert_non_null(r.session);
    return r.session;
}

/* Offers s; returns whether the connection resumed it (data flows either way). */
static int offer(clasp_config *ccfg, clasp_config *scfg, clasp_session *s)
{
    run r;
    connect_ok(ccfg, scfg, s, &r);
    assert_int_equal(r.resumed_client, r.resumed_server);
    clasp_session_free(r.session);
    return r.resumed_client;
}

/* A new handle for the same session (through export and import): not yet offered. */
static clasp_session *clone(const clasp_session *s)
{
    uint8_t buf[16384];
    size_t n;
    clasp_session *c;
    assert_int_equal(clasp_session_export(s, buf, sizeof(buf), &n), 0);
    assert_int_equal(clasp_session_import(buf, n, &c), 0);
    return c;
}

/* ---- ticket keys and sealed tickets ---- */

static void make_key(clasp_ticket_key *k, uint8_t seed, uint64_t not_before)
{
    memset(k->name, seed, sizeof(k->name));
    memset(k->secret, seed ^ 0x5a, sizeof(k->secret));
    k->not_before = not_before;
}

static void sample_session(cl_session *s)
{
    memset(s, 0, sizeof(*s));
    s->version = CLASP_TLS13;
    s->suite = 0x1301;
    s->master_len = 32;
    memset(s->master, 0x42, 32);
    strcpy(s->server_name, "server.test");
    s->created = 1000;
    s->lifetime = 7200;
}

static void test_ticket_keys(void **state)
{
    (void)state;
    clasp_ticket_keys *tk = clasp_ticket_keys_new(100, 2);
    assert_non_null(tk);
    cl_stek a, b, k;
    int rotated;
    /* the first key is made when first needed, then one every 100 s, two kept */
    assert_int_equal(cl_ticket_keys_current(tk, 1000, &a, &rotated), 0);
    assert_int_equal(rotated, 0);
    assert_int_equal(cl_ticket_keys_current(tk, 1099, &k, &rotated), 0);
    assert_memory_equal(k.name, a.name, 16);
    assert_int_equal(cl_ticket_keys_current(tk, 1100, &b, &rotated), 0);
    assert_int_equal(rotated, 1);
    assert_memory_not_equal(b.name, a.name, 16);
    assert_int_equal(cl_ticket_keys_find(tk, 1150, a.name, &k), 0); /* still opens */
    assert_memory_equal(k.aead_key, a.aead_key, 32);
    assert_int_equal(cl_ticket_keys_find(tk, 1200, a.name, &k), CLASP_ERR_STATE); /* retired */
    /* after a long silence every old key is gone at once */
    assert_int_equal(cl_ticket_keys_current(tk, 5000, &k, NULL), 0);
    assert_int_equal(cl_ticket_keys_find(tk, 5000, b.name, &k), CLASP_ERR_STATE);

    /* keys from the application: the newest that has come seals, every one opens */
    clasp_ticket_key keys[3];
    make_key(&keys[0], 1, 100);
    make_key(&keys[1], 2, 200);
    make_key(&keys[2], 3, 9000); /* not yet */
    assert_int_equal(clasp_ticket_keys_set(tk, keys, 3), 0);
    assert_int_equal(cl_ticket_keys_current(tk, 5000, &k, NULL), 0);
    assert_memory_equal(k.name, keys[1].name, 16);
    assert_int_equal(cl_ticket_keys_find(tk, 5000, keys[2].name, &k), 0);
    assert_int_equal(cl_ticket_keys_current(tk, 9000, &k, NULL), 0);
    assert_memory_equal(k.name, keys[2].name, 16);
    assert_int_equal(cl_ticket_keys_current(tk, 50, &k, NULL), CLASP_ERR_STATE); /* none yet */
    /* no automatic rotation any more; distinct names, 1 to 16 keys */
    assert_int_equal(cl_ticket_keys_current(tk, 1000000, &k, NULL), 0);
    assert_memory_equal(k.name, keys[2].name, 16);
    keys[1] = keys[0];
    assert_int_equal(clasp_ticket_keys_set(tk, keys, 2), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_ticket_keys_set(tk, keys, 0), CLASP_ERR_INVALID_ARG);
    clasp_ticket_keys_free(tk);
}

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    assert_non_null(f);
    fputs(text, f);
    fclose(f);
}

static void test_ticket_key_file(void **state)
{
    (void)state;
    char path[] = "/tmp/clasp-test-keys-XXXXXX";
    int fd = mkstemp(path);
    assert_true(fd >= 0);
    close(fd);
    clasp_ticket_keys *tk = clasp_ticket_keys_new(0, 0);
    write_file(path, "# ticket keys\n\n"
                     "01010101010101010101010101010101 "
                     "5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b 100\n"
                     "  # an old one retired\n"
                     "02020202020202020202020202020202\t"
                     "5858585858585858585858585858585858585858585858585858585858585858 200\r\n");
    assert_int_equal(clasp_ticket_keys_load_file(tk, path), 0);
    clasp_ticket_key keys[2];
    make_key(&keys[0], 1, 100);
    make_key(&keys[1], 2, 200);
    cl_stek k;
    assert_int_equal(cl_ticket_keys_current(tk, 300, &k, NULL), 0);
    assert_memory_equal(k.name, keys[1].name, 16);
    clasp_ticket_keys *same = clasp_ticket_keys_new(0, 0);
    assert_int_equal(clasp_ticket_keys_set(same, keys, 2), 0);
    cl_stek k2;
    assert_int_equal(cl_ticket_keys_current(same, 300, &k2, NULL), 0);
    assert_memory_equal(k.aead_key, k2.aead_key, 32); /* the secret was read right */
    clasp_ticket_keys_free(same);

    /* anything malformed leaves the keys as they were */
    static const char *const bad[] = {
        "",                                 /* no key */
        "0101 5b5b 100\n",                  /* short fields */
        "01010101010101010101010101010101 " /* a letter in the secret */
        "5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5g 100\n",
        "01010101010101010101010101010101 " /* no time */
        "5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b\n",
        "01010101010101010101010101010101 " /* something after the time */
        "5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b 100 x\n",
    };
    for (size_t i = 0; i < ARRAY_LEN(bad); i++) {
        write_file(path, bad[i]);
        assert_int_equal(clasp_ticket_keys_load_file(tk, path), CLASP_ERR_INVALID_ARG);
        assert_int_equal(cl_ticket_keys_current(tk, 300, &k2, NULL), 0);
        assert_memory_equal(k2.name, keys[1].name, 16);
    }
    unlink(path);
    assert_int_equal(clasp_ticket_keys_load_file(tk, path), CLASP_ERR_FILE);
    clasp_ticket_keys_free(tk);
}

/* The key file's text in memory: what format writes, parse reads back; bad text is refused. */
static void test_ticket_key_text(void **state)
{
    (void)state;
    clasp_ticket_key keys[3], back[3];
    make_key(&keys[0], 7, 1700000000);
    make_key(&keys[1], 8, 0);
    make_key(&keys[2], 9, UINT64_MAX);
    size_t len = 0, n = 0;
    assert_int_equal(clasp_ticket_keys_format(keys, 3, NULL, 0, &len), CLASP_ERR_BUFFER_TOO_SMALL);
    char text[512];
    assert_int_equal(len, 3 * (32 + 1 + 64 + 1) + 10 + 1 + 1 + 1 + 20 + 1);
    assert_int_equal(clasp_ticket_keys_format(keys, 3, text, len, &n), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(clasp_ticket_keys_format(keys, 3, text, sizeof(text), &n), 0);
    assert_int_equal(n, len);
    assert_int_equal(strlen(text), len);
    assert_int_equal(clasp_ticket_keys_parse(text, len, back, 3, &n), 0);
    assert_int_equal(n, 3);
    assert_memory_equal(back, keys, sizeof(keys));
    assert_int_equal(clasp_ticket_keys_parse(text, len, back, 2, &n), CLASP_ERR_INVALID_ARG);
    assert_int_equal(n, 0);
    /* not NUL-terminated: the length is the end; a cut line is malformed */
    assert_int_equal(clasp_ticket_keys_parse(text, len - 2, back, 3, &n), 0);
    assert_int_equal(back[2].not_before, 1844674407370955161u);
    assert_int_equal(clasp_ticket_keys_parse(text, 50, back, 3, &n), CLASP_ERR_INVALID_ARG);
    text[40] = '\0'; /* a NUL inside a line is not text */
    assert_int_equal(clasp_ticket_keys_parse(text, len, back, 3, &n), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_ticket_keys_parse("# none\n\n", 8, back, 3, &n), 0);
    assert_int_equal(n, 0);
    /* a time beyond 64 bits */
    static const char big[] = "01010101010101010101010101010101 "
                              "5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b5b "
                              "18446744073709551616\n";
    assert_int_equal(clasp_ticket_keys_parse(big, strlen(big), back, 3, &n), CLASP_ERR_INVALID_ARG);
}

/* The fleet's rotation rule: announced ahead, on the period, trimmed to keep. */
static void test_ticket_key_ring(void **state)
{
    (void)state;
    clasp_ticket_key ring[4];
    size_t n = 0;
    /* empty: a key that seals from now */
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 4, 1000, 100, 30, 3), 1);
    assert_int_equal(n, 1);
    assert_int_equal(ring[0].not_before, 1000);
    /* not due until announce seconds before the period ends */
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 4, 1069, 100, 30, 3), 0);
    assert_int_equal(n, 1);
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 4, 1070, 100, 30, 3), 1);
    assert_int_equal(n, 2);
    assert_int_equal(ring[0].not_before, 1100); /* takes over when the period ends */
    assert_int_equal(ring[1].not_before, 1000);
    assert_memory_not_equal(ring[0].name, ring[1].name, 16);
    assert_memory_not_equal(ring[0].secret, ring[1].secret, 32);
    /* left alone too long: announced from now, still ahead */
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 4, 5000, 100, 30, 3), 1);
    assert_int_equal(ring[0].not_before, 5030);
    assert_int_equal(n, 3);
    clasp_ticket_key oldest = ring[2];
    /* by hand (period 0): always a key, after the newest; the oldest beyond keep goes */
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 4, 5000, 0, 10, 3), 1);
    assert_int_equal(n, 3);
    assert_int_equal(ring[0].not_before, 5031);
    for (size_t i = 0; i < n; i++)
        assert_memory_not_equal(ring[i].name, oldest.name, 16);
    /* an unsorted ring is sorted first; a full one loses its oldest */
    clasp_ticket_key t = ring[0];
    ring[0] = ring[2];
    ring[2] = t;
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 3, 5000, 0, 0, 3), 1);
    assert_int_equal(ring[0].not_before, 5032);
    assert_int_equal(ring[1].not_before, 5031);
    assert_int_equal(ring[2].not_before, 5030);
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 3, 5000, 0, 0, 1),
                     CLASP_ERR_INVALID_ARG); /* keep 1 would drop the key that seals */
    assert_int_equal(clasp_ticket_key_ring_rotate(ring, &n, 2, 5000, 0, 0, 3),
                     CLASP_ERR_INVALID_ARG);
}

static void test_ticket_seal_open(void **state)
{
    (void)state;
    clasp_ticket_keys *tk = clasp_ticket_keys_new(100, 2);
    cl_session s, back;
    sample_session(&s);
    uint8_t *t;
    size_t len;
    const char *why;
    assert_int_equal(cl_ticket_seal(tk, 1000, &s, &t, &len, NULL), 0);
    assert_int_equal(cl_ticket_open(tk, 1000, t, len, &back, &why), 0);
    assert_null(why);
    assert_memory_equal(back.master, s.master, 32);
    assert_string_equal(back.server_name, "server.test");
    cl_session_clear(&back);
    /* every byte matters: name, nonce, ciphertext, tag */
    for (size_t i = 0; i < len; i++) {
        t[i] ^= 0x80;
        assert_int_not_equal(cl_ticket_open(tk, 1000, t, len, &back, &why), 0);
        assert_non_null(why);
        t[i] ^= 0x80;
    }
    assert_int_equal(cl_ticket_open(tk, 1000, t, len - 1, &back, &why), CLASP_ERR_BAD_RECORD_MAC);
    assert_int_equal(cl_ticket_open(tk, 1000, t, CL_TICKET_OVERHEAD, &back, &why),
                     CLASP_ERR_DECODE);
    /* a key rotated out: unknown name */
    assert_int_equal(cl_ticket_open(tk, 1200, t, len, &back, &why), CLASP_ERR_STATE);
    assert_non_null(strstr(why, "unknown"));
    /* another server's keys with the same name but another secret: the tag fails */
    clasp_ticket_keys *other = clasp_ticket_keys_new(0, 0);
    clasp_ticket_key k;
    memcpy(k.name, t, 16);
    memset(k.secret, 1, sizeof(k.secret));
    k.not_before = 0;
    assert_int_equal(clasp_ticket_keys_set(other, &k, 1), 0);
    assert_int_equal(cl_ticket_open(other, 1000, t, len, &back, &why), CLASP_ERR_BAD_RECORD_MAC);
    assert_non_null(strstr(why, "does not open"));
    cl_free(t, len);
    clasp_ticket_keys_free(other);
    clasp_ticket_keys_free(tk);
}

/*
 * The layout ticket.h promises, opened with libcrypto alone: name | salt | AES-256-GCM |
 * tag, the AES key HKDF-Expand(ticket key's AEAD key, "clasp ticket" | salt), the nonce
 * zero, the additional data the format byte and the name. Two tickets of one session under
 * one key have different salts, so different keys.
 */
static int oracle_open(const uint8_t aead_key[32], const uint8_t *t, size_t len, uint8_t *pt)
{
    uint8_t key[32], info[12 + 16], ad[17], nonce[12] = {0};
    memcpy(info, "clasp ticket", 12);
    memcpy(info + 12, t + 16, 16);
    EVP_KDF *kdf = EVP_KDF_fetch(NULL, "HKDF", NULL);
    EVP_KDF_CTX *kc = EVP_KDF_CTX_new(kdf);
    int mode = EVP_KDF_HKDF_MODE_EXPAND_ONLY;
    OSSL_PARAM params[] = {OSSL_PARAM_construct_utf8_string("digest", "SHA256", 0),
                           OSSL_PARAM_construct_int("mode", &mode),
                           OSSL_PARAM_construct_octet_string("key", (void *)aead_key, 32),
                           OSSL_PARAM_construct_octet_string("info", info, sizeof(info)),
                           OSSL_PARAM_construct_end()};
    int ok = EVP_KDF_derive(kc, key, sizeof(key), params) == 1;
    EVP_KDF_CTX_free(kc);
    EVP_KDF_free(kdf);
    ad[0] = 2; /* the format */
    memcpy(ad + 1, t, 16);
    size_t ct_len = len - 16 - 16 - 16;
    EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
    int n = 0, m = 0;
    ok = ok && EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, key, nonce) == 1 &&
         EVP_DecryptUpdate(c, NULL, &n, ad, sizeof(ad)) == 1 &&
         EVP_DecryptUpdate(c, pt, &n, t + 32, (int)ct_len) == 1 &&
         EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, 16, (void *)(t + len - 16)) == 1 &&
         EVP_DecryptFinal_ex(c, pt + n, &m) == 1;
    EVP_CIPHER_CTX_free(c);
    return ok ? (int)ct_len : -1;
}

static void test_ticket_layout(void **state)
{
    (void)state;
    clasp_ticket_keys *tk = clasp_ticket_keys_new(100, 2);
    cl_session s, back;
    cl_stek k;
    sample_session(&s);
    uint8_t *t1, *t2, pt[4096];
    size_t len1, len2;
    assert_int_equal(cl_ticket_seal(tk, 1000, &s, &t1, &len1, NULL), 0);
    assert_int_equal(cl_ticket_seal(tk, 1000, &s, &t2, &len2, NULL), 0);
    assert_int_equal(cl_ticket_keys_find(tk, 1000, t1, &k), 0);
    assert_true(len1 < sizeof(pt) && len1 == len2);
    assert_memory_not_equal(t1 + 16, t2 + 16, 16); /* fresh salts */
    int n = oracle_open(k.aead_key, t1, len1, pt);
    assert_int_equal(n, (int)(len1 - CL_TICKET_OVERHEAD));
    assert_int_equal(cl_session_decode(&back, pt, (size_t)n), 0);
    assert_memory_equal(back.master, s.master, 32);
    cl_session_clear(&back);
    assert_int_equal(oracle_open(k.aead_key, t2, len2, pt), n);
    cl_wipe(&k, sizeof(k));
    cl_free(t1, len1);
    cl_free(t2, len2);
    cl_session_clear(&s);
    clasp_ticket_keys_free(tk);
}

/* ---- export and import ---- */

static void test_export_import(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    clasp_session *s = first_session(ccfg, scfg);
    uint8_t buf[16384];
    size_t n;
    assert_int_equal(clasp_session_export(s, NULL, 0, &n), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_true(n > 100);
    assert_int_equal(clasp_session_export(s, buf, n - 1, &n), CLASP_ERR_BUFFER_TOO_SMALL);
    assert_int_equal(clasp_session_export(s, buf, sizeof(buf), &n), 0);
    assert_memory_equal(buf, "CLSE\x01", 5);
    clasp_session *back;
    assert_int_equal(clasp_session_import(buf, n, &back), 0);
    assert_int_equal(clasp_session_version(back), CLASP_TLS13);
    assert_int_equal(clasp_session_is_resumable(back), 1);
    assert_int_equal(clasp_session_expiry(back), s->s.created + s->s.lifetime);
    assert_true(clasp_session_expiry(back) > client_ms / 1000);
    assert_int_equal(offer(ccfg, scfg, back), 1); /* the imported handle resumes */
    clasp_session_free(back);
    /* a strict decoder: any prefix, trailing bytes, another magic */
    for (size_t i = 0; i < n; i++)
        assert_int_equal(clasp_session_import(buf, i, &back), CLASP_ERR_DECODE);
    buf[n] = 0;
    assert_int_equal(clasp_session_import(buf, n + 1, &back), CLASP_ERR_DECODE);
    buf[3] = 'X';
    assert_int_equal(clasp_session_import(buf, n, &back), CLASP_ERR_DECODE);
    assert_null(back);
    clasp_session_free(s);

    /* TLS 1.2, with its ticket */
    clasp_config *c12 = client12(), *s12 = server12();
    s = first_session(c12, s12);
    assert_int_equal(clasp_session_version(s), CLASP_TLS12);
    assert_int_equal(clasp_session_export(s, buf, sizeof(buf), &n), 0);
    assert_int_equal(clasp_session_import(buf, n, &back), 0);
    clasp_session_free(s);
    assert_int_equal(offer(c12, s12, back), 1);
    assert_int_equal(offer(c12, s12, back), 1); /* TLS 1.2 sessions resume again */
    clasp_session_free(back);
    clasp_config_free(c12);
    clasp_config_free(s12);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- the session callback ---- */

static clasp_session *delivered[8];
static size_t n_delivered;
static clasp_conn *delivered_by;

static void on_session(clasp_conn *c, clasp_session *s, void *arg)
{
    assert_ptr_equal(arg, &n_delivered);
    assert_true(n_delivered < ARRAY_LEN(delivered));
    delivered_by = c;
    delivered[n_delivered++] = s; /* the reference is ours */
}

static void test_session_callback(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    assert_int_equal(clasp_config_set_session_callback(ccfg, on_session, &n_delivered), 0);
    n_delivered = 0;
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    kit_handshake(&p);
    /* TLS 1.3: one call per ticket, as each arrives */
    assert_int_equal(n_delivered, 2);
    assert_ptr_equal(delivered_by, p.client);
    assert_ptr_equal(delivered[1], p.client->tickets[1]);
    kit_close(&p); /* the handles outlive their connection */
    assert_int_equal(offer(ccfg, scfg, delivered[0]), 1);
    assert_int_equal(n_delivered, 4); /* the resumed connection's tickets */
    assert_int_equal(offer(ccfg, scfg, delivered[1]), 1);
    /* TLS 1.2: once, at the end of the handshake */
    clasp_config *c12 = client12(), *s12 = server12();
    assert_int_equal(clasp_config_set_session_callback(c12, on_session, &n_delivered), 0);
    for (size_t i = 0; i < n_delivered; i++)
        clasp_session_free(delivered[i]);
    n_delivered = 0;
    clasp_session *s = first_session(c12, s12);
    assert_int_equal(n_delivered, 1);
    assert_ptr_equal(delivered[0], s);
    assert_int_equal(clasp_session_version(s), CLASP_TLS12);
    /* a resumption that brings nothing new calls nothing */
    assert_int_equal(offer(c12, s12, s), 1);
    assert_int_equal(n_delivered, 1);
    clasp_session_free(delivered[0]);
    clasp_session_free(s);
    clasp_config_free(c12);
    clasp_config_free(s12);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- TLS 1.3 resumption ---- */

static void test_tls13_resumption(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    assert_int_equal(clasp_config_set_verify(scfg, CLASP_VERIFY_REQUIRE), 0);
    kit_add_cert(ccfg, &kit.client);
    run r;
    connect_ok(ccfg, scfg, NULL, &r);
    assert_int_equal(r.tickets_sent, 2); /* the default count */
    assert_int_equal(r.certs_sent, 1);
    assert_true(noted("S", "ticket_issued", NULL));
    clasp_session *s = r.session;
    assert_int_equal(clasp_session_version(s), CLASP_TLS13);
    assert_int_equal(clasp_session_is_resumable(s), 1);

    /* psk_dhe_ke: no certificate, a fresh key exchange, both sides say resumed, the server
     * still knows its client */
    n_notes = 0;
    connect_ok(ccfg, scfg, s, &r);
    assert_int_equal(r.resumed_client, 1);
    assert_int_equal(r.resumed_server, 1);
    assert_int_equal(r.certs_sent, 0);
    assert_int_equal(r.group, CL_GROUP_X25519);
    assert_int_equal(r.client_certs, 1);
    assert_int_equal(r.tickets_sent, 2); /* a resumed connection gets new tickets */
    assert_true(noted("C", "psk_offered", NULL));
    assert_true(noted("S", "binder_verified", NULL));
    assert_true(noted("S", "psk_accepted", NULL));
    assert_true(noted("S", "resumed", "ticket"));
    assert_true(noted("C", "resumed", "ticket"));
    /* the client uses each ticket once: the one offered is not offerable again */
    assert_int_equal(clasp_session_is_resumable(s), 0);
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, s), 0);
    assert_true(noted("C", "session_not_offered", "offered before"));
    /* and the new tickets resume in turn */
    assert_int_equal(offer(ccfg, scfg, r.session), 1);
    clasp_session_free(r.session);
    clasp_session_free(s);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* The client's hello with its PSK binder computed again (after an edit of the hello). */
static void rebind(clasp_conn *c, cl_writer *out)
{
    cl_hash_alg hash = cl_suite_find(c->hs->offer->s.suite)->hash;
    size_t h = cl_hash_len(hash);
    uint8_t th[CL_MAX_HASH_LEN];
    assert_int_equal(cl_writer_finish(out), 0);
    assert_int_equal(cl_tr_hash_extra(&c->hs->tr, hash, out->buf, out->len - 3 - h, th), 0);
    assert_int_equal(cl_ks13_binder(hash, c->hs->psk, c->hs->psk_len, th, out->buf + out->len - h),
                     0);
}

/* An edit of the ClientHello: psk_key_exchange_modes set to arg's bytes, binder redone. */
static int set_modes(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    const uint8_t *modes = arg; /* the extension body: length, then modes */
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_set(&e, CL_EXT_PSK_KEY_EXCHANGE_MODES, modes, 1 + modes[0]);
    kit_exts_write(msg, len, &e, out);
    rebind(c, out);
    return 0;
}

/* A server configuration resuming scfg's tickets but for what the test changes. */
static clasp_config *sibling(const clasp_config *scfg)
{
    clasp_config *s2 = server13();
    clasp_ticket_keys_free(s2->ticket_keys);
    s2->ticket_keys = clasp_ticket_keys_up_ref(scfg->ticket_keys);
    return s2;
}

/* A sibling with scfg's identity too: it resumes scfg's sessions. */
static clasp_config *twin(const clasp_config *scfg)
{
    clasp_config *s2 = sibling(scfg);
    memcpy(s2->identity, scfg->identity, sizeof(s2->identity));
    return s2;
}

static void test_tls13_psk_ke(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    assert_int_equal(clasp_config_set_psk_ke(ccfg, 1), 0);
    clasp_session *s = first_session(ccfg, scfg);
    /* offered both: the server prefers psk_dhe_ke when a share fits (4.2.9) */
    run r;
    connect_ok(ccfg, scfg, s, &r);
    assert_int_equal(r.resumed_server, 1);
    assert_int_equal(r.group, CL_GROUP_X25519);
    clasp_session *next = r.session;
    /* psk_ke alone: no key exchange at all */
    static const uint8_t ke_only[] = {1, 0};
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = set_modes, .arg = (void *)ke_only};
    connect_with(ccfg, scfg, "server.test", next, &h, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resumed_client, 1);
    assert_int_equal(r.resumed_server, 1);
    assert_int_equal(r.group, 0);
    assert_int_equal(r.certs_sent, 0);
    clasp_session_free(next);
    next = r.session;
    /* a server that refuses psk_ke: a full handshake */
    clasp_config *strict = twin(scfg);
    assert_int_equal(clasp_config_set_psk_ke(strict, 0), 0);
    n_notes = 0;
    kit_hook h2 = {.type = CL_HS_CLIENT_HELLO, .edit = set_modes, .arg = (void *)ke_only};
    connect_with(ccfg, strict, "server.test", next, &h2, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resumed_server, 0);
    assert_int_equal(r.certs_sent, 1);
    assert_true(noted("S", "session_not_resumed", "no PSK key exchange mode"));
    clasp_session_free(r.session);
    clasp_session_free(next);
    clasp_session_free(s);
    clasp_config_free(strict);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* HelloRetryRequest: the second hello offers the ticket again, its binder over both hellos. */
static void test_tls13_hrr_psk(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    clasp_session *s = first_session(ccfg, scfg);
    clasp_config *c2 = client13(), *s2 = twin(scfg);
    assert_int_equal(clasp_config_set_groups(c2, "x25519:secp256r1"), 0); /* shares x25519 */
    assert_int_equal(clasp_config_set_groups(s2, "secp256r1"), 0);
    run r;
    connect_ok(c2, s2, s, &r);
    assert_int_equal(r.hellos, 2);
    assert_int_equal(r.resumed_client, 1);
    assert_int_equal(r.resumed_server, 1);
    assert_int_equal(r.group, CL_GROUP_SECP256R1);
    assert_int_equal(r.certs_sent, 0);
    clasp_session_free(r.session);
    clasp_session_free(s);
    clasp_config_free(c2);
    clasp_config_free(s2);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

static void test_tls13_ticket_count(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13(), *none = server13();
    assert_int_equal(clasp_config_set_tickets(scfg, 5), 0);
    assert_int_equal(clasp_config_set_tickets(none, 0), 0);
    assert_int_equal(clasp_config_set_tickets(none, 11), CLASP_ERR_INVALID_ARG);
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    kit_handshake(&p);
    assert_int_equal(p.client->n_tickets, CL_KEPT_TICKETS); /* 5 sent, the newest 4 kept */
    /* distinct tickets (each nonce its own PSK); the newest is the one handed out */
    clasp_session *s = clasp_conn_get_session(p.client);
    assert_ptr_equal(s, p.client->tickets[CL_KEPT_TICKETS - 1]);
    for (size_t i = 1; i < CL_KEPT_TICKETS; i++)
        assert_memory_not_equal(p.client->tickets[i]->s.master, p.client->tickets[0]->s.master, 32);
    clasp_session_free(s);
    kit_close(&p);
    run r;
    connect_ok(ccfg, none, NULL, &r);
    assert_int_equal(r.tickets_sent, 0);
    assert_null(r.session);
    clasp_config_free(none);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* Stateful tickets resume once; stateless ones as long as they live. */
static void test_tls13_single_use(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    assert_int_equal(clasp_config_set_ticket_mode(scfg, CLASP_TICKETS_STATEFUL), 0);
    clasp_session *s = first_session(ccfg, scfg);
    assert_int_equal(s->s.ticket_len, CL_SESSION_ID_LEN); /* an ID, not a sealed session */
    assert_int_equal(cl_session_cache_count(&scfg->cache), 2);
    clasp_session *copy = clone(s);
    assert_int_equal(offer(ccfg, scfg, s), 1);
    assert_int_equal(cl_session_cache_count(&scfg->cache), 1 + 2); /* the used one gone, two new */
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, copy), 0); /* the same ticket again */
    assert_true(noted("S", "session_not_resumed", "not in the session cache"));
    clasp_session_free(copy);
    clasp_session_free(s);

    clasp_config *plain = server13();
    s = first_session(ccfg, plain);
    assert_int_equal(cl_session_cache_count(&plain->cache), 0); /* stateless: nothing kept */
    copy = clone(s);
    assert_int_equal(offer(ccfg, plain, s), 1);
    assert_int_equal(offer(ccfg, plain, copy), 1); /* a stateless ticket replays */
    clasp_session_free(copy);
    clasp_session_free(s);
    clasp_config_free(plain);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* Stateful tickets go through the application's store when one is set. */
static struct {
    uint8_t id[32];
    uint8_t data[8192];
    size_t len;
    unsigned puts, gets, removes;
} store[4];

static int find_id(const uint8_t *id, size_t len)
{
    for (int i = 0; i < 4; i++)
        if (len == 32 && store[i].len && memcmp(store[i].id, id, 32) == 0)
            return i;
    return -1;
}

static int st_get(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap,
                  size_t *len)
{
    (void)arg;
    int i = find_id(id, id_len);
    store[0].gets++;
    if (i < 0 || store[i].len > cap)
        return -1;
    memcpy(buf, store[i].data, store[i].len);
    *len = store[i].len;
    return 0;
}

static int st_put(void *arg, const uint8_t *id, size_t id_len, const uint8_t *s, size_t len)
{
    (void)arg;
    store[0].puts++;
    for (int i = 0; i < 4; i++)
        if (!store[i].len) {
            assert_int_equal(id_len, 32);
            memcpy(store[i].id, id, 32);
            memcpy(store[i].data, s, len);
            store[i].len = len;
            return 0;
        }
    return -1;
}

static void st_remove(void *arg, const uint8_t *id, size_t id_len)
{
    (void)arg;
    int i = find_id(id, id_len);
    store[0].removes++;
    if (i >= 0)
        store[i].len = 0;
}

static void test_tls13_stateful_store(void **state)
{
    (void)state;
    memset(store, 0, sizeof(store));
    clasp_config *ccfg = client13(), *scfg = server13();
    clasp_session_store cb = {st_get, st_put, st_remove, NULL, NULL};
    assert_int_equal(clasp_config_set_session_store(scfg, &cb), 0);
    assert_int_equal(clasp_config_set_ticket_mode(scfg, CLASP_TICKETS_STATEFUL), 0);
    assert_int_equal(clasp_config_set_tickets(scfg, 1), 0);
    clasp_session *s = first_session(ccfg, scfg);
    assert_int_equal(store[0].puts, 1);
    assert_int_equal(cl_session_cache_count(&scfg->cache), 0);
    assert_memory_equal(store[0].id, s->s.ticket, 32);
    clasp_session *copy = clone(s);
    assert_int_equal(offer(ccfg, scfg, s), 1);
    /* read to check the binder, then taken (a store without take: get and remove) */
    assert_int_equal(store[0].gets, 2);
    assert_int_equal(store[0].removes, 1); /* taken: used once */
    assert_int_equal(offer(ccfg, scfg, copy), 0);
    clasp_session_free(copy);
    clasp_session_free(s);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/*
 * A stateful ticket is used up only by a client that proves it holds the PSK: a hello that
 * copies a ticket's identity (it travels in the clear) with a wrong binder fails
 * (decrypt_error) and leaves the ticket to its owner.
 */
static void test_tls13_stateful_wrong_binder_keeps_ticket(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    assert_int_equal(clasp_config_set_ticket_mode(scfg, CLASP_TICKETS_STATEFUL), 0);
    assert_int_equal(clasp_config_set_tickets(scfg, 1), 0);
    clasp_session *s = first_session(ccfg, scfg), *copy = clone(s);
    kit_hook h = {.type = CL_HS_CLIENT_HELLO, .edit = kit_flip_last};
    run r;
    connect_with(ccfg, scfg, "server.test", copy, &h, NULL, &r);
    assert_int_equal(h.edited, 1);
    assert_int_equal(r.err_server, CLASP_ERR_DECRYPT);
    assert_int_equal(offer(ccfg, scfg, s), 1); /* the owner still resumes, once */
    clasp_session_free(copy);
    clasp_session_free(s);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* A store's take, as a fleet's store does it: the entry goes to the one caller that removed
 * it; lost_race plays another server that took it after this one could still read it. */
static int lost_race;
static unsigned takes;

static int st_take(void *arg, const uint8_t *id, size_t id_len, uint8_t *buf, size_t cap,
                   size_t *len)
{
    (void)arg;
    int i = find_id(id, id_len);
    takes++;
    if (lost_race || i < 0 || store[i].len > cap)
        return -1;
    memcpy(buf, store[i].data, store[i].len);
    *len = store[i].len;
    store[i].len = 0;
    return 0;
}

static void test_tls13_stateful_store_take(void **state)
{
    (void)state;
    memset(store, 0, sizeof(store));
    takes = 0;
    clasp_config *ccfg = client13(), *scfg = server13();
    clasp_session_store cb = {st_get, st_put, st_remove, NULL, st_take};
    assert_int_equal(clasp_config_set_session_store(scfg, &cb), 0);
    assert_int_equal(clasp_config_set_ticket_mode(scfg, CLASP_TICKETS_STATEFUL), 0);
    assert_int_equal(clasp_config_set_tickets(scfg, 1), 0);
    clasp_session *s = first_session(ccfg, scfg), *copy = clone(s);
    /* Another server took the ticket: no resumption, though get would still find it. */
    lost_race = 1;
    assert_int_equal(offer(ccfg, scfg, s), 0);
    assert_int_equal(takes, 1);
    assert_int_equal(store[0].gets, 1); /* read for the binder, then the take lost */
    lost_race = 0;
    assert_int_equal(offer(ccfg, scfg, copy), 1); /* this one's take won */
    assert_int_equal(takes, 2);
    assert_int_equal(store[0].gets, 2);
    assert_int_equal(store[0].removes, 0); /* take removed it: nothing more to remove */
    clasp_session_free(copy);
    clasp_session_free(s);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* Ticket keys rotate: an older key still opens, a retired one does not. */
static void test_tls13_key_rotation(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    clasp_ticket_keys *tk = clasp_ticket_keys_new(1000, 2);
    assert_int_equal(clasp_config_set_ticket_keys(scfg, tk), 0);
    clasp_session *a = first_session(ccfg, scfg), *a2 = clone(a);
    advance(1500); /* a second key seals now; the first still opens */
    n_notes = 0;
    clasp_session *b = first_session(ccfg, scfg);
    assert_true(noted("S", "ticket_keys_rotated", NULL));
    assert_int_equal(offer(ccfg, scfg, a), 1);
    assert_memory_not_equal(a->s.ticket, b->s.ticket, 16); /* another key name */
    advance(1000);                                         /* a third key: the first is retired */
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, a2), 0);
    assert_true(noted("S", "session_not_resumed", "key name is unknown"));
    assert_int_equal(offer(ccfg, scfg, b), 1);
    /* keys set from outside while the configuration is in use take effect at once */
    clasp_ticket_key k;
    make_key(&k, 7, 0);
    assert_int_equal(clasp_ticket_keys_set(tk, &k, 1), 0);
    clasp_session *c = first_session(ccfg, scfg);
    assert_memory_equal(c->s.ticket, k.name, 16);
    assert_int_equal(offer(ccfg, scfg, c), 1);
    clasp_session_free(a);
    clasp_session_free(a2);
    clasp_session_free(b);
    clasp_session_free(c);
    clasp_ticket_keys_free(tk);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* A ticket beyond its lifetime, or whose age the client gives wrongly: a full handshake. */
static void test_tls13_expired_and_age(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    clasp_session *s = first_session(ccfg, scfg), *copy = clone(s), *copy2 = clone(s);
    /* the server's clock runs ahead: by its view the ticket is too old */
    server_ms += 7200 * 1000;
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, s), 0);
    assert_true(noted("S", "session_not_resumed", "expired"));
    /* within the lifetime, but the ages differ by more than the window (10 s) */
    server_ms = client_ms + 11000;
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, copy), 0);
    assert_true(noted("S", "session_not_resumed", "window"));
    server_ms = client_ms + 9000;
    assert_int_equal(offer(ccfg, scfg, copy2), 1);
    /* the client itself offers nothing expired */
    clasp_session *t = first_session(ccfg, scfg);
    advance(7200);
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, t), 0);
    assert_true(noted("C", "session_not_offered", "expired"));
    clasp_session_free(t);
    clasp_session_free(s);
    clasp_session_free(copy);
    clasp_session_free(copy2);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- binding ---- */

static void test_binding(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    static const uint8_t id[] = "fleet one";
    assert_int_equal(clasp_config_set_session_id_context(scfg, id, sizeof(id)), 0);
    clasp_session *s = first_session(ccfg, scfg);

    /* another host: the client does not offer it */
    run r;
    n_notes = 0;
    connect_with(ccfg, scfg, "127.0.0.1", s, NULL, NULL, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resumed_client, 0);
    assert_true(noted("C", "session_not_offered", "another server name"));
    assert_int_equal(clasp_session_is_resumable(s), 1); /* not offered: not used */
    clasp_session_free(r.session);
    /* another trust store: not offered either */
    clasp_config *other_ca = timed(kit_client_config());
    const test_pem *ca2 = test_ca_pem(kit.other_ca);
    assert_int_equal(clasp_config_load_verify_pem(other_ca, (const uint8_t *)ca2->pem, ca2->len),
                     0);
    n_notes = 0;
    assert_int_equal(offer(other_ca, scfg, s), 0);
    assert_true(noted("C", "session_not_offered", "trust anchors"));

    /* the same keys, another configuration identity: the server does not resume it */
    clasp_config *s2 = sibling(scfg);
    clasp_session *c2 = clone(s);
    n_notes = 0;
    assert_int_equal(offer(ccfg, s2, c2), 0);
    assert_true(noted("S", "session_not_resumed", "another configuration"));
    /* the same identity: it does */
    clasp_config *s3 = sibling(scfg);
    assert_int_equal(clasp_config_set_session_id_context(s3, id, sizeof(id)), 0);
    clasp_session *c3 = clone(s);
    assert_int_equal(offer(ccfg, s3, c3), 1);
    /* the same identity, another client-certificate policy: not resumed */
    clasp_config *s4 = sibling(scfg);
    assert_int_equal(clasp_config_set_session_id_context(s4, id, sizeof(id)), 0);
    assert_int_equal(clasp_config_set_verify(s4, CLASP_VERIFY_OPTIONAL), 0);
    clasp_session *c4 = clone(s);
    assert_int_equal(offer(ccfg, s4, c4), 0);
    clasp_session_free(c2);
    clasp_session_free(c3);
    clasp_session_free(c4);
    clasp_session_free(s);
    clasp_config_free(other_ca);
    clasp_config_free(s2);
    clasp_config_free(s3);
    clasp_config_free(s4);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- the negative table: exact alerts, or a clean full handshake ---- */

/* The pre_shared_key extension of a hello with its binders list replaced by `binders`. */
static void replace_binders(const uint8_t *msg, size_t len, const uint8_t *binders, size_t n,
                            cl_writer *out)
{
    kit_exts e;
    kit_exts_read(msg, len, &e);
    int i = kit_exts_find(&e, CL_EXT_PRE_SHARED_KEY);
    assert_true(i >= 0);
    size_t ids = 2 + ((size_t)e.data[i][0] << 8 | e.data[i][1]);
    static uint8_t ext[4096];
    memcpy(ext, e.data[i], ids);
    memcpy(ext + ids, binders, n);
    kit_exts_set(&e, CL_EXT_PRE_SHARED_KEY, ext, ids + n);
    kit_exts_write(msg, len, &e, out);
}

/* arg: the binder lengths, 0-terminated. */
static int set_binders(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    uint8_t b[1024] = {0};
    size_t n = 2;
    for (const uint8_t *l = arg; *l; l++) {
        b[n] = *l;
        memset(b + n + 1, 0x33, *l);
        n += 1 + *l;
    }
    b[0] = (uint8_t)((n - 2) >> 8);
    b[1] = (uint8_t)(n - 2);
    replace_binders(msg, len, b, n, out);
    return 0;
}

static int del_modes(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_del(&e, CL_EXT_PSK_KEY_EXCHANGE_MODES);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static int psk_first(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    int i = kit_exts_find(&e, CL_EXT_PRE_SHARED_KEY);
    assert_true(i >= 0);
    const uint8_t *data = e.data[i];
    size_t n = e.len[i];
    kit_exts_del(&e, CL_EXT_PRE_SHARED_KEY);
    kit_exts_add(&e, 0, CL_EXT_PRE_SHARED_KEY, data, n);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/* ServerHello edits: pre_shared_key set (or added) to arg's two bytes; key_share removed. */
static int sh_set_psk(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    if (kit_exts_find(&e, CL_EXT_PRE_SHARED_KEY) >= 0)
        kit_exts_set(&e, CL_EXT_PRE_SHARED_KEY, arg, 2);
    else
        kit_exts_add(&e, e.n, CL_EXT_PRE_SHARED_KEY, arg, 2);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static int sh_del_share(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_del(&e, CL_EXT_KEY_SHARE);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

static int sh_suite(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    uint8_t suite[2] = {0x13, 0x02};
    kit_splice(msg, len, kit_sh_suite_off(msg), 2, suite, 2, out);
    return 0;
}

typedef struct neg_case {
    const char *name;
    int client_edit; /* 1: the edit is on the client's hello, 0: on the ServerHello */
    kit_edit edit;
    const void *arg;
    int offer; /* the client offers a ticket */
    int who;   /* who detects it: 'S' the server, 'C' the client */
    int err;
} neg_case;

static const uint8_t one_33[] = {33, 0}, one_31[] = {31, 0}, two_32[] = {32, 32, 0};
static const uint8_t sel1[] = {0, 1}, sel0[] = {0, 0};

static const neg_case neg13[] = {
    /* RFC 8446 4.2.11: "If this value is not present or does not validate, the server MUST
     * abort the handshake" (6.2: decrypt_error). */
    {"a wrong binder", 1, kit_flip_last, NULL, 1, 'S', CLASP_ERR_DECRYPT},
    /* a binder of the wrong length for the ticket's hash: illegal_parameter; below the
     * PskBinderEntry<32..255> bound: decode_error */
    {"a 33-byte binder", 1, set_binders, one_33, 1, 'S', CLASP_ERR_ILLEGAL_PARAMETER},
    {"a 31-byte binder", 1, set_binders, one_31, 1, 'S', CLASP_ERR_DECODE},
    {"two binders, one identity", 1, set_binders, two_32, 1, 'S', CLASP_ERR_ILLEGAL_PARAMETER},
    /* 4.2.9: pre_shared_key without psk_key_exchange_modes (9.2: missing_extension) */
    {"no psk_key_exchange_modes", 1, del_modes, NULL, 1, 'S', CLASP_ERR_MISSING_EXTENSION},
    /* 4.2.11: "MUST be the last extension ... illegal_parameter" */
    {"pre_shared_key not last", 1, psk_first, NULL, 1, 'S', CLASP_ERR_ILLEGAL_PARAMETER},
    /* 4.2.11: selected_identity in range, the ticket's hash, a key_share for psk_dhe_ke */
    {"selected_identity out of range", 0, sh_set_psk, sel1, 1, 'C', CLASP_ERR_ILLEGAL_PARAMETER},
    {"psk_ke the client did not offer", 0, sh_del_share, NULL, 1, 'C', CLASP_ERR_ILLEGAL_PARAMETER},
    {"a suite of another hash", 0, sh_suite, NULL, 1, 'C', CLASP_ERR_ILLEGAL_PARAMETER},
    /* 4.2: an extension in answer to nothing offered: unsupported_extension */
    {"a PSK selected, none offered", 0, sh_set_psk, sel0, 0, 'C', CLASP_ERR_UNSUPPORTED_EXTENSION},
};

static void test_tls13_negative(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    for (size_t i = 0; i < ARRAY_LEN(neg13); i++) {
        const neg_case *t = &neg13[i];
        clasp_session *s = t->offer ? first_session(ccfg, scfg) : NULL;
        kit_hook h = {.type = t->client_edit ? CL_HS_CLIENT_HELLO : CL_HS_SERVER_HELLO,
                      .edit = t->edit,
                      .arg = (void *)t->arg};
        run r;
        connect_with(ccfg, scfg, "server.test", s, t->client_edit ? &h : NULL,
                     t->client_edit ? NULL : &h, &r);
        if (h.edited != 1 || (t->who == 'S' ? r.err_server : r.err_client) != t->err)
            fail_msg("%s: edited %u, client %d, server %d", t->name, h.edited, r.err_client,
                     r.err_server);
        /* the alert named after the error went out and came in */
        int sent = t->who == 'S' ? r.alert_server : r.alert_client;
        assert_int_equal(sent, clasp_err_alert(t->err));
        assert_int_equal(t->who == 'S' ? r.err_client : r.err_server, CLASP_ERR_ALERT_RECEIVED);
        clasp_session_free(s);
    }
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* Tickets that are not the server's: a full handshake, no alert, the binder not checked. */
static void test_tls13_foreign_ticket(void **state)
{
    (void)state;
    clasp_config *ccfg = client13(), *scfg = server13();
    clasp_session *s = first_session(ccfg, scfg);
    clasp_session *tampered = clone(s);
    tampered->s.ticket[tampered->s.ticket_len / 2] ^= 1;
    n_notes = 0;
    run r;
    connect_ok(ccfg, scfg, tampered, &r);
    assert_int_equal(r.resumed_server, 0);
    assert_int_equal(r.certs_sent, 1);
    assert_true(noted("S", "session_not_resumed", "does not open"));
    assert_false(noted("S", "binder_verified", NULL));
    clasp_session_free(r.session);
    /* a TLS 1.3 session without a ticket (a server's own, say) is not offered */
    clasp_session *bare = clone(s);
    assert_int_equal(cl_session_set_ticket(&bare->s, NULL, 0), 0);
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, bare), 0);
    assert_true(noted("C", "session_not_offered", "no ticket"));
    clasp_session_free(bare);
    /* another server's ticket: its key is unknown here */
    clasp_config *stranger = server13();
    n_notes = 0;
    assert_int_equal(offer(ccfg, stranger, s), 0);
    assert_true(noted("S", "session_not_resumed", "key name is unknown"));
    clasp_session_free(tampered);
    clasp_session_free(s);
    clasp_config_free(stranger);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- TLS 1.2 session tickets (RFC 5077) ---- */

static void test_tls12_tickets(void **state)
{
    (void)state;
    clasp_config *ccfg = client12(), *scfg = server12();
    kit_msg sh = {0}, ch = {0};
    kit_hook hs = {.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    run r;
    connect_with(ccfg, scfg, "server.test", NULL, NULL, &hs, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.tickets_sent, 1);
    clasp_session *s = r.session;
    /* 3.4: the session lives in the ticket; the server keeps nothing, names no ID */
    assert_int_equal(sh.data[KIT_HELLO_SID_OFF], 0);
    assert_int_equal(cl_session_cache_count(&scfg->cache), 0);
    assert_true(s->s.ticket_len > CL_TICKET_OVERHEAD);
    assert_int_equal(s->s.ems, 1);

    /* resumed by the ticket: the server echoes the client's fresh session ID (3.4) */
    kit_hook hc = {.type = CL_HS_CLIENT_HELLO, .edit = kit12_capture, .arg = &ch};
    hs = (kit_hook){.type = CL_HS_SERVER_HELLO, .edit = kit12_capture, .arg = &sh};
    n_notes = 0;
    connect_with(ccfg, scfg, "server.test", s, &hc, &hs, &r);
    assert_int_equal(r.rc, 0);
    assert_int_equal(r.resumed_client, 1);
    assert_int_equal(r.resumed_server, 1);
    assert_int_equal(r.certs_sent, 0);
    assert_int_equal(r.tickets_sent, 0);
    assert_int_equal(ch.data[KIT_HELLO_SID_OFF], 32);
    assert_memory_equal(sh.data + KIT_HELLO_SID_OFF, ch.data + KIT_HELLO_SID_OFF, 33);
    assert_true(noted("S", "resumed", "session ticket"));
    assert_true(noted("C", "resumed", "session ticket"));
    assert_ptr_equal(r.session, s); /* nothing new: the same session */
    clasp_session_free(r.session);
    assert_int_equal(offer(ccfg, scfg, s), 1); /* and again */

    /* a tampered ticket: a full handshake and a new ticket */
    clasp_session *bad = clone(s);
    bad->s.ticket[bad->s.ticket_len - 1] ^= 1;
    n_notes = 0;
    connect_ok(ccfg, scfg, bad, &r);
    assert_int_equal(r.resumed_server, 0);
    assert_int_equal(r.tickets_sent, 1);
    assert_true(noted("S", "session_not_resumed", "does not open"));
    assert_int_equal(offer(ccfg, scfg, r.session), 1);
    clasp_session_free(r.session);
    clasp_session_free(bad);
    clasp_session_free(s);

    /* no tickets: resumption by session ID, as before */
    clasp_config *ids = server12();
    assert_int_equal(clasp_config_set_tickets(ids, 0), 0);
    s = first_session(ccfg, ids);
    assert_int_equal(s->s.ticket_len, 0);
    assert_int_equal(s->s.id_len, 32);
    assert_int_equal(offer(ccfg, ids, s), 1);
    clasp_session_free(s);
    clasp_config_free(ids);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

static int del_ems(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_del(&e, CL_EXT_EXTENDED_MASTER_SECRET);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/* RFC 7627 5.3: the ticket carries the EMS flag, and the new hello must agree with it. */
static void test_tls12_tickets_ems(void **state)
{
    (void)state;
    clasp_config *ccfg = client12(), *scfg = server12();
    assert_int_equal(clasp_config_set_extended_master_secret(ccfg, 0), 0);
    assert_int_equal(clasp_config_set_extended_master_secret(scfg, 0), 0);
    kit_hook strip = {.type = CL_HS_CLIENT_HELLO, .edit = del_ems};
    run r;
    connect_with(ccfg, scfg, "server.test", NULL, &strip, NULL, &r);
    assert_int_equal(r.rc, 0);
    clasp_session *plain = r.session;
    assert_int_equal(plain->s.ems, 0);
    /* without EMS both times: resumed */
    kit_hook strip2 = {.type = CL_HS_CLIENT_HELLO, .edit = del_ems};
    connect_with(ccfg, scfg, "server.test", plain, &strip2, NULL, &r);
    assert_int_equal(r.resumed_server, 1);
    clasp_session_free(r.session);
    /* "If the original session did not use the extension but the new ClientHello contains
     * the extension, then the server MUST NOT perform the abbreviated handshake" */
    n_notes = 0;
    assert_int_equal(offer(ccfg, scfg, plain), 0);
    assert_true(noted("S", "session_not_resumed", "extended master secret"));
    /* "If the original session used the extension but the new ClientHello does not contain
     * it, the server MUST abort the abbreviated handshake" */
    clasp_session *with = first_session(ccfg, scfg);
    assert_int_equal(with->s.ems, 1);
    kit_hook strip3 = {.type = CL_HS_CLIENT_HELLO, .edit = del_ems};
    connect_with(ccfg, scfg, "server.test", with, &strip3, NULL, &r);
    assert_int_equal(r.err_server, CLASP_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(r.alert_server, CLASP_ALERT_HANDSHAKE_FAILURE);
    clasp_session_free(with);
    clasp_session_free(plain);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

static int sh_ticket_body(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    kit_exts e;
    kit_exts_read(msg, len, &e);
    kit_exts_set(&e, CL_EXT_SESSION_TICKET, "x", 1);
    kit_exts_write(msg, len, &e, out);
    return 0;
}

/* A NewSessionTicket after the ServerHello that did not promise one. */
static int sh_then_ticket(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)arg;
    static const uint8_t nst[] = {CL_HS_NEW_SESSION_TICKET, 0, 0, 7, 0, 0, 0, 1, 0, 1, 't'};
    cl_write_bytes(out, msg, len);
    cl_write_bytes(out, nst, sizeof(nst));
    return 0;
}

static void test_tls12_ticket_alerts(void **state)
{
    (void)state;
    clasp_config *ccfg = client12(), *scfg = server12();
    run r;
    /* RFC 5077 3.2: the server's SessionTicket extension is empty */
    kit_hook h1 = {.type = CL_HS_SERVER_HELLO, .edit = sh_ticket_body};
    connect_with(ccfg, scfg, "server.test", NULL, NULL, &h1, &r);
    assert_int_equal(r.err_client, CLASP_ERR_DECODE);
    assert_int_equal(r.alert_client, CLASP_ALERT_DECODE_ERROR);
    /* 3.3: the promised NewSessionTicket "MUST be sent"; without it: unexpected_message */
    kit_hook h2 = {.type = CL_HS_NEW_SESSION_TICKET, .edit = kit_drop};
    connect_with(ccfg, scfg, "server.test", NULL, NULL, &h2, &r);
    assert_int_equal(r.err_client, CLASP_ERR_UNEXPECTED_MESSAGE);
    /* ... and "MUST NOT be sent" without the promise */
    clasp_config *c0 = client12();
    assert_int_equal(clasp_config_set_tickets(c0, 0), 0);
    clasp_session *s = first_session(c0, scfg);
    kit_hook h3 = {.type = CL_HS_SERVER_HELLO, .edit = sh_then_ticket};
    connect_with(c0, scfg, "server.test", s, NULL, &h3, &r);
    assert_int_equal(r.err_client, CLASP_ERR_UNEXPECTED_MESSAGE);
    assert_int_equal(r.alert_client, CLASP_ALERT_UNEXPECTED_MESSAGE);
    clasp_session_free(s);
    clasp_config_free(c0);
    clasp_config_free(ccfg);
    clasp_config_free(scfg);
}

/* ---- dropped after a fatal alert (RFC 5246 7.2) ---- */

/* A resumption or full handshake that then fails: the client's record arrives damaged, the
 * server sends bad_record_mac, the client receives it. Returns the client's session. */
static clasp_session *fail_after_handshake(clasp_config *ccfg, clasp_config *scfg, clasp_session *s)
{
    kit_pair p;
    kit_open(&p, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    if (s)
        assert_int_equal(clasp_conn_set_session(p.client, s), 0);
    assert_int_equal(pair_handshake(p.client, p.server), 0);
    clasp_session *got = clasp_conn_get_session(p.client);
    size_t n, len;
    assert_int_equal(clasp_conn_write(p.client, (const uint8_t *)"hello", 5, &n), 0);
    uint8_t *rec = kit_take(p.client, &len);
    rec[len - 1] ^= 1;
    kit_feed(p.server, rec, len);
    free(rec);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_BAD_RECORD_MAC);
    kit_move(p.server, p.client);
    assert_int_equal(clasp_conn_error(p.client), CLASP_ERR_ALERT_RECEIVED);
    kit_close(&p);
    return got;
}

static void test_drop_after_alert(void **state)
{
    (void)state;
    /* TLS 1.2 by session ID: the server forgets the session it resumed */
    clasp_config *c12 = client12(), *s12 = server12();
    assert_int_equal(clasp_config_set_tickets(c12, 0), 0);
    clasp_session *s = first_session(c12, s12), *copy = clone(s);
    assert_int_equal(cl_session_cache_count(&s12->cache), 1);
    n_notes = 0;
    clasp_session *got = fail_after_handshake(c12, s12, s);
    assert_true(noted("S", "session_dropped", NULL));
    assert_int_equal(cl_session_cache_count(&s12->cache), 0);
    assert_ptr_equal(got, s);
    assert_int_equal(clasp_session_is_resumable(s), 0); /* the client's handle is marked */
    assert_int_equal(offer(c12, s12, s), 0);
    assert_int_equal(offer(c12, s12, copy), 0); /* and the server does not know it */
    clasp_session_free(got);
    clasp_session_free(copy);
    clasp_session_free(s);
    /* ... and the session a failed full handshake made */
    size_t before = cl_session_cache_count(&s12->cache);
    got = fail_after_handshake(c12, s12, NULL);
    assert_int_equal(cl_session_cache_count(&s12->cache), before);
    assert_int_equal(clasp_session_is_resumable(got), 0);
    clasp_session_free(got);

    /* TLS 1.3, stateful tickets: the ones a failed connection was given are forgotten */
    clasp_config *c13 = client13(), *s13 = server13();
    assert_int_equal(clasp_config_set_ticket_mode(s13, CLASP_TICKETS_STATEFUL), 0);
    got = fail_after_handshake(c13, s13, NULL);
    assert_non_null(got);
    assert_int_equal(cl_session_cache_count(&s13->cache), 0);
    assert_int_equal(clasp_session_is_resumable(got), 0);
    copy = clone(got);
    assert_int_equal(offer(c13, s13, copy), 0);
    clasp_session_free(copy);
    clasp_session_free(got);
    clasp_config_free(c13);
    clasp_config_free(s13);
    clasp_config_free(c12);
    clasp_config_free(s12);
}

/* ---- RFC 8448 section 4: the binder and the resumption key schedule ---- */

static void kat_derive(vcheck *c, vecfile *v, const cl_ks13 *ks, const char *label,
                       const uint8_t *th, const char *key)
{
    uint8_t out[32];
    vcheck_ok(c, label, cl_ks13_derive(ks, label, th, out));
    vcheck_vec(c, v, key, out, 32);
}

/* The binder: our parser's partial ClientHello, its hash, the binder key and value. */
static void kat_binder(vecfile *v, vcheck *c, const cl_ks13 *ks, const uint8_t *psk, size_t psk_len,
                       const uint8_t *ch, size_t ch_len)
{
    cl_client_hello hello;
    uint8_t th[32], binder[32], empty[32], binder_key[32];
    vcheck_ok(c, "parse", cl_client_hello_parse(ch + 4, ch_len - 4, &hello));
    size_t partial = 4 + hello.binders_offset;
    vcheck_vec(c, v, "client.calculate_psk_binder.clienthello_prefix", ch, partial);
    vcheck_ok(c, "hash", cl_hash(CL_HASH_SHA256, ch, partial, th));
    vcheck_vec(c, v, "client.calculate_psk_binder.binder_hash", th, 32);
    vcheck_ok(c, "empty", cl_hash(CL_HASH_SHA256, NULL, 0, empty));
    vcheck_ok(c, "binder key", cl_ks13_derive(ks, CL_LABEL_RES_BINDER, empty, binder_key));
    vcheck_vec(c, v, "client.calculate_psk_binder.prk", binder_key, 32);
    vcheck_ok(c, "binder", cl_ks13_binder(CL_HASH_SHA256, psk, psk_len, th, binder));
    vcheck_vec(c, v, "client.calculate_psk_binder.finished", binder, 32);
    vcheck_eq(c, "the binder in the ClientHello", ch + ch_len - 32, 32, binder, 32);
}

static int run_resumed(vecfile *v, vcheck *c, void *arg)
{
    (void)arg;
    size_t psk_len, ch_len, sh_len, ee_len, dhe_len;
    const uint8_t *psk = vec_get(v, "client.extract_secret_early.ikm", &psk_len);
    /* RFC 8448 prints the partial ClientHello first, the whole one as the record's payload */
    const uint8_t *ch = vec_get(v, "client.send_handshake_record.payload", &ch_len);
    cl_ks13 ks;
    vcheck_ok(c, "early", cl_ks13_early(&ks, CL_HASH_SHA256, psk, psk_len));
    vcheck_vec(c, v, "client.extract_secret_early.secret", ks.secret, 32);
    kat_binder(v, c, &ks, psk, psk_len, ch, ch_len);
    /* the handshake keyed by the PSK and the (EC)DHE secret */
    const uint8_t *sh =
        vec_get(v, "server.construct_a_serverhello_handshake_message.serverhello", &sh_len);
    const uint8_t *dhe = vec_get(v, "server.extract_secret_handshake.ikm", &dhe_len);
    vcheck_ok(c, "handshake", cl_ks13_handshake(&ks, dhe, dhe_len));
    vcheck_vec(c, v, "server.extract_secret_handshake.secret", ks.secret, 32);
    cl_transcript tr = {0};
    uint8_t th[32], s_hs[32], fin[32];
    vcheck_ok(c, "tr", cl_tr_set_hash(&tr, CL_HASH_SHA256));
    vcheck_ok(c, "ch", cl_tr_add(&tr, ch, ch_len));
    vcheck_ok(c, "sh", cl_tr_add(&tr, sh, sh_len));
    vcheck_ok(c, "th", cl_tr_hash(&tr, th));
    kat_derive(c, v, &ks, CL_LABEL_C_HS_TRAFFIC, th,
               "server.derive_secret_tls13_c_hs_traffic.expanded");
    kat_derive(c, v, &ks, CL_LABEL_S_HS_TRAFFIC, th,
               "server.derive_secret_tls13_s_hs_traffic.expanded");
    vcheck_ok(c, "s hs", cl_ks13_derive(&ks, CL_LABEL_S_HS_TRAFFIC, th, s_hs));
    /* the server's Finished: no Certificate, no CertificateVerify (2.2) */
    const uint8_t *ee =
        vec_get(v, "server.construct_an_encryptedextensions_handshake_message.encryptedextensions",
                &ee_len);
    vcheck_ok(c, "ee", cl_tr_add(&tr, ee, ee_len));
    vcheck_ok(c, "th", cl_tr_hash(&tr, th));
    vcheck_ok(c, "finished", cl_ks13_finished(CL_HASH_SHA256, s_hs, th, fin));
    vcheck_vec(c, v, "server.calculate_finished_tls13_finished.finished", fin, 32);
    vcheck_ok(c, "master", cl_ks13_master(&ks));
    vcheck_vec(c, v, "server.extract_secret_master.secret", ks.secret, 32);
    cl_tr_free(&tr);
    cl_ks13_clear(&ks);
    return c->failures;
}

static void test_rfc8448_resumed(void **state)
{
    (void)state;
    vecfile *v = vec_load("rfc8448_resumed_0rtt.txt");
    vcheck c = {0};
    assert_int_equal(run_resumed(v, &c, NULL), 0);
    assert_true(c.checks >= 12);
    /* every vector the run reads is checked: flipping any one byte of it fails the run */
    assert_int_equal(vec_mutation_check(v, run_resumed, NULL), 0);
    vec_free(v);
}

static const struct CMUnitTest tests[] = {
    cmocka_unit_test_setup(test_ticket_keys, reset),
    cmocka_unit_test_setup(test_ticket_key_file, reset),
    cmocka_unit_test_setup(test_ticket_key_text, reset),
    cmocka_unit_test_setup(test_ticket_key_ring, reset),
    cmocka_unit_test_setup(test_ticket_seal_open, reset),
    cmocka_unit_test_setup(test_ticket_layout, reset),
    cmocka_unit_test_setup(test_export_import, reset),
    cmocka_unit_test_setup(test_session_callback, reset),
    cmocka_unit_test_setup(test_tls13_resumption, reset),
    cmocka_unit_test_setup(test_tls13_psk_ke, reset),
    cmocka_unit_test_setup(test_tls13_hrr_psk, reset),
    cmocka_unit_test_setup(test_tls13_ticket_count, reset),
    cmocka_unit_test_setup(test_tls13_single_use, reset),
    cmocka_unit_test_setup(test_tls13_stateful_store, reset),
    cmocka_unit_test_setup(test_tls13_stateful_store_take, reset),
    cmocka_unit_test_setup(test_tls13_stateful_wrong_binder_keeps_ticket, reset),
    cmocka_unit_test_setup(test_tls13_key_rotation, reset),
    cmocka_unit_test_setup(test_tls13_expired_and_age, reset),
    cmocka_unit_test_setup(test_binding, reset),
    cmocka_unit_test_setup(test_tls13_negative, reset),
    cmocka_unit_test_setup(test_tls13_foreign_ticket, reset),
    cmocka_unit_test_setup(test_tls12_tickets, reset),
    cmocka_unit_test_setup(test_tls12_tickets_ems, reset),
    cmocka_unit_test_setup(test_tls12_ticket_alerts, reset),
    cmocka_unit_test_setup(test_drop_after_alert, reset),
    cmocka_unit_test(test_rfc8448_resumed),
};

int main(void)
{
    return cmocka_run_group_tests(tests, kit_setup, kit_teardown);
}
