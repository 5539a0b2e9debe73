/*
 * Sessions (src/hs/session.c): copy and validity, the strict serialisation (round trips, a
 * byte-exact format built independently here, every malformation), and the cache
 * (replacement, eviction, expiry, capacity 0, its keyed hash against SipHash's reference
 * vectors, collisions in its tables against a model, eviction per shard, threads), with an
 * allocator that checks every free against its allocation's size and fails on demand.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <clasp/clasp.h>

#include "base/bytes.h"
#include "base/mem.h"
#include "hs/session.h"

#define SUITE   0xc02f /* TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256 */
#define CREATED 1700000000u
#define LIFE    7200u

/* ---- fixtures ---- */

static uint8_t cert_byte(size_t cert, size_t j)
{
    return (uint8_t)(cert * 7 + j * 13 + 1);
}

static void fill_cert(cl_cert_der *c, size_t which, size_t len)
{
    c->der = cl_alloc(len);
    assert_non_null(c->der);
    for (size_t j = 0; j < len; j++)
        c->der[j] = cert_byte(which, j);
    c->len = len;
}

/* A session with n_certs certificates of the given lengths (owned by clasp's allocator). */
static void make_session(cl_session *s, const char *sni, const size_t *cert_lens, size_t n_certs)
{
    memset(s, 0, sizeof(*s));
    s->version = 0x0303;
    s->suite = SUITE;
    s->ems = 1;
    s->id_len = CL_SESSION_ID_LEN;
    for (size_t i = 0; i < CL_SESSION_ID_LEN; i++)
        s->id[i] = (uint8_t)(0xa0 + i);
    for (size_t i = 0; i < CL_SESSION_MASTER_LEN; i++)
        s->master[i] = (uint8_t)(0x30 + i);
    s->master_len = CL_SESSION_MASTER_LEN;
    strcpy(s->server_name, sni);
    s->created = CREATED;
    s->lifetime = LIFE;
    s->issued_ms = (uint64_t)CREATED * 1000 + 123;
    s->age_add = 0x01020304;
    memset(s->sid_ctx, 0x5c, sizeof(s->sid_ctx));
    memset(s->verify_id, 0xc5, sizeof(s->verify_id));
    if (n_certs) {
        s->peer_chain = cl_calloc(n_certs, sizeof(cl_cert_der));
        assert_non_null(s->peer_chain);
        s->n_peer_chain = n_certs;
        for (size_t i = 0; i < n_certs; i++)
            fill_cert(&s->peer_chain[i], i, cert_lens[i]);
    }
}

static void assert_session_equal(const cl_session *a, const cl_session *b)
{
    assert_int_equal(a->version, b->version);
    assert_int_equal(a->suite, b->suite);
    assert_int_equal(a->ems, b->ems);
    assert_int_equal(a->etm, b->etm);
    assert_int_equal(a->id_len, b->id_len);
    assert_memory_equal(a->id, b->id, a->id_len);
    assert_int_equal(a->master_len, b->master_len);
    assert_memory_equal(a->master, b->master, a->master_len);
    assert_string_equal(a->server_name, b->server_name);
    assert_true(a->created == b->created);
    assert_int_equal(a->lifetime, b->lifetime);
    assert_true(a->issued_ms == b->issued_ms);
    assert_int_equal(a->age_add, b->age_add);
    assert_memory_equal(a->sid_ctx, b->sid_ctx, sizeof(a->sid_ctx));
    assert_memory_equal(a->verify_id, b->verify_id, sizeof(a->verify_id));
    assert_int_equal(a->ticket_len, b->ticket_len);
    if (a->ticket_len)
        assert_memory_equal(a->ticket, b->ticket, a->ticket_len);
    assert_int_equal(a->n_peer_chain, b->n_peer_chain);
    for (size_t i = 0; i < a->n_peer_chain; i++) {
        assert_int_equal(a->peer_chain[i].len, b->peer_chain[i].len);
        assert_memory_equal(a->peer_chain[i].der, b->peer_chain[i].der, a->peer_chain[i].len);
    }
}

static int all_zero(const void *p, size_t n)
{
    const uint8_t *b = p;
    for (size_t i = 0; i < n; i++)
        if (b[i])
            return 0;
    return 1;
}

/*
 * The format written out by hand, field by field, so encode is checked against the spec and
 * not against itself; each field can be set to a bad value.
 */
typedef struct raw_spec {
    const char *magic;
    uint8_t format;
    uint16_t version, suite;
    uint8_t ems;
    size_t id_len;
    size_t secret_len;
    uint32_t lifetime;
    size_t ticket_len;
    const char *sni;
    size_t sni_len;
    uint16_t count; /* what the count field says */
    size_t n_certs; /* how many certificates follow */
    size_t cert_lens[20];
    size_t trailing; /* extra zero bytes */
} raw_spec;

static raw_spec default_spec(void)
{
    raw_spec sp = {"CLSE", 1, 0x0303, SUITE,      1, 32, 48, LIFE, 0, "www.example.com",
                   15,     2, 2,      {300, 500}, 0};
    return sp;
}

static void build_raw(const raw_spec *sp, uint8_t **out, size_t *len, size_t *cap)
{
    cl_writer w;
    assert_int_equal(cl_writer_growable(&w, 0, 1 << 20), 0);
    cl_write_bytes(&w, (const uint8_t *)sp->magic, 4);
    cl_write_u8(&w, sp->format);
    cl_write_u16(&w, sp->version);
    cl_write_u16(&w, sp->suite);
    cl_write_u8(&w, sp->ems);
    cl_write_u8(&w, (uint8_t)sp->id_len);
    for (size_t i = 0; i < sp->id_len; i++)
        cl_write_u8(&w, (uint8_t)(0xa0 + i));
    cl_write_u8(&w, (uint8_t)sp->secret_len);
    for (size_t i = 0; i < sp->secret_len; i++)
        cl_write_u8(&w, (uint8_t)(0x30 + i));
    cl_write_u8(&w, (uint8_t)sp->sni_len);
    cl_write_bytes(&w, (const uint8_t *)sp->sni, sp->sni_len);
    cl_write_u64(&w, CREATED);
    cl_write_u32(&w, sp->lifetime);
    cl_write_u64(&w, (uint64_t)CREATED * 1000 + 123);
    cl_write_u32(&w, 0x01020304);
    for (size_t i = 0; i < 32; i++)
        cl_write_u8(&w, 0x5c);
    for (size_t i = 0; i < 32; i++)
        cl_write_u8(&w, 0xc5);
    cl_write_u16(&w, (uint16_t)sp->ticket_len);
    for (size_t i = 0; i < sp->ticket_len; i++)
        cl_write_u8(&w, (uint8_t)(0x70 + i));
    cl_write_u16(&w, sp->count);
    for (size_t i = 0; i < sp->n_certs; i++) {
        cl_write_u24(&w, (uint32_t)sp->cert_lens[i]);
        for (size_t j = 0; j < sp->cert_lens[i]; j++)
            cl_write_u8(&w, cert_byte(i, j));
    }
    cl_write_zeros(&w, sp->trailing);
    assert_int_equal(cl_writer_take(&w, out, len, cap), 0);
}

/* Decodes a copy of exactly len bytes (so the sanitizer sees any over-read). */
static int decode_exact(cl_session *s, const uint8_t *in, size_t len)
{
    uint8_t *copy = malloc(len ? len : 1);
    assert_non_null(copy);
    if (len)
        memcpy(copy, in, len);
    int rc = cl_session_decode(s, copy, len);
    free(copy);
    return rc;
}

static void expect_raw_rejected(const raw_spec *sp)
{
    uint8_t *buf;
    size_t len, cap;
    build_raw(sp, &buf, &len, &cap);
    cl_session s;
    memset(&s, 0xee, sizeof(s)); /* garbage in: decode must not read it */
    assert_int_equal(decode_exact(&s, buf, len), CLASP_ERR_DECODE);
    assert_true(all_zero(&s, sizeof(s)));
    cl_free(buf, cap);
}

/* ---- one session ---- */

static void round_trip(const cl_session *s)
{
    uint8_t *enc;
    size_t len, cap;
    assert_int_equal(cl_session_encode(s, &enc, &len, &cap), 0);
    cl_session d;
    assert_int_equal(decode_exact(&d, enc, len), 0);
    assert_session_equal(s, &d);

    /* and back again, to the same bytes */
    uint8_t *enc2;
    size_t len2, cap2;
    assert_int_equal(cl_session_encode(&d, &enc2, &len2, &cap2), 0);
    assert_int_equal(len, len2);
    assert_memory_equal(enc, enc2, len);
    cl_free_secret(enc, cap);
    cl_free_secret(enc2, cap2);
    cl_session_clear(&d);
}

static void test_round_trip_full(void **state)
{
    (void)state;
    /* the second certificate needs all three bytes of its length */
    static const size_t lens[] = {1200, 70000};
    cl_session s;
    make_session(&s, "www.example.com", lens, 2);
    round_trip(&s);
    cl_session_clear(&s);
    assert_true(all_zero(&s, sizeof(s)));
}

/* A CBC suite's session keeps encrypt-then-MAC (RFC 7366 3.1): flags bit 1. */
static void test_round_trip_etm(void **state)
{
    (void)state;
    cl_session s;
    make_session(&s, "www.example.com", NULL, 0);
    s.suite = 0xc013; /* TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA */
    s.etm = 1;
    round_trip(&s);
    s.ems = 0;
    round_trip(&s);
    s.etm = 0;
    round_trip(&s);
    cl_session_clear(&s);
    /* in the bytes: flags 2 (encrypt-then-MAC alone) and 3 decode for a CBC suite */
    raw_spec sp = default_spec();
    sp.suite = 0xc013;
    for (uint8_t flags = 0; flags <= 3; flags++) {
        uint8_t *buf;
        size_t len, cap;
        sp.ems = flags;
        build_raw(&sp, &buf, &len, &cap);
        assert_int_equal(decode_exact(&s, buf, len), 0);
        assert_int_equal(s.ems, flags & 1);
        assert_int_equal(s.etm, flags >> 1);
        cl_session_clear(&s);
        cl_free(buf, cap);
    }
    sp.ems = 4;
    expect_raw_rejected(&sp);
}

static void test_round_trip_minimal(void **state)
{
    (void)state;
    cl_session s;
    make_session(&s, "", NULL, 0);
    s.ems = 0;
    s.id_len = 0;
    s.created = UINT64_MAX;
    s.lifetime = UINT32_MAX;
    round_trip(&s);

    /* the longest name, ticket and chain the format allows */
    static const size_t lens[16] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
    cl_session big;
    make_session(&big, "", lens, 16);
    memset(big.server_name, 'a', 255);
    uint8_t ticket[0xffff];
    memset(ticket, 0x7e, sizeof(ticket));
    assert_int_equal(cl_session_set_ticket(&big, ticket, sizeof(ticket)), 0);
    round_trip(&big);
    cl_session_clear(&big);
    cl_session_clear(&s);
}

/* A TLS 1.3 ticket as a client keeps it: a TLS 1.3 suite, its hash's PSK, the ticket. */
static void test_round_trip_tls13(void **state)
{
    (void)state;
    static const size_t lens[] = {600};
    static const struct {
        uint16_t suite;
        uint8_t secret_len;
    } suites[] = {{0x1301, 32}, {0x1302, 48}, {0x1303, 32}};
    for (size_t i = 0; i < 3; i++) {
        cl_session s;
        make_session(&s, "server.test", lens, 1);
        s.version = 0x0304;
        s.suite = suites[i].suite;
        s.ems = 0;
        s.id_len = 0;
        s.master_len = suites[i].secret_len;
        s.lifetime = 604800; /* the longest RFC 8446 4.6.1 allows */
        assert_int_equal(cl_session_set_ticket(&s, (const uint8_t *)"a ticket", 8), 0);
        round_trip(&s);
        cl_session_clear(&s);
    }
}

static void test_format_is_pinned(void **state)
{
    (void)state;
    raw_spec sp = default_spec();
    uint8_t *want, *got;
    size_t want_len, want_cap, got_len, got_cap;
    build_raw(&sp, &want, &want_len, &want_cap);

    static const size_t lens[] = {300, 500};
    cl_session s;
    make_session(&s, "www.example.com", lens, 2);
    assert_int_equal(cl_session_encode(&s, &got, &got_len, &got_cap), 0);
    assert_int_equal(got_len, want_len);
    assert_memory_equal(got, want, want_len);
    assert_int_equal(got_cap, got_len); /* sized exactly: no regrowth, no stray copy */
    cl_free_secret(got, got_cap);
    cl_free(want, want_cap);
    cl_session_clear(&s);
}

static void test_every_prefix_fails(void **state)
{
    (void)state;
    static const size_t lens[] = {300, 500};
    cl_session s;
    make_session(&s, "www.example.com", lens, 2);
    uint8_t *enc;
    size_t len, cap;
    assert_int_equal(cl_session_encode(&s, &enc, &len, &cap), 0);
    for (size_t n = 0; n < len; n++) {
        cl_session d;
        memset(&d, 0xee, sizeof(d));
        if (decode_exact(&d, enc, n) != CLASP_ERR_DECODE)
            fail_msg("prefix of %zu / %zu bytes decoded", n, len);
        assert_true(all_zero(&d, sizeof(d)));
    }
    cl_free_secret(enc, cap);
    cl_session_clear(&s);
}

static void test_malformed(void **state)
{
    (void)state;
    raw_spec sp = default_spec();
    sp.trailing = 1;
    expect_raw_rejected(&sp);

    static const char *const magics[] = {"CLS1", "clse", "\0LSE", "CLSF"};
    for (size_t i = 0; i < 4; i++) {
        sp = default_spec();
        sp.magic = magics[i];
        expect_raw_rejected(&sp);
    }
    static const uint8_t formats[] = {0, 2, 0xff};
    for (size_t i = 0; i < sizeof(formats); i++) {
        sp = default_spec();
        sp.format = formats[i];
        expect_raw_rejected(&sp);
    }
    static const uint16_t versions[] = {0x0000, 0x0300, 0x0301, 0x0302, 0x0304, 0x0403};
    for (size_t i = 0; i < sizeof(versions) / sizeof(versions[0]); i++) {
        sp = default_spec();
        sp.version = versions[i];
        expect_raw_rejected(&sp);
    }
    sp = default_spec();
    sp.ems = 2; /* encrypt-then-MAC, for an AEAD suite */
    expect_raw_rejected(&sp);
    sp.ems = 4;
    expect_raw_rejected(&sp);
    sp.ems = 0xff;
    expect_raw_rejected(&sp);

    sp = default_spec();
    sp.id_len = 33;
    expect_raw_rejected(&sp);
}

/* The fields that must agree with the version: suite, secret length, EMS, lifetime. */
static void test_malformed_inconsistent(void **state)
{
    (void)state;
    raw_spec sp = default_spec();
    static const size_t secrets12[] = {0, 32, 47};
    for (size_t i = 0; i < 3; i++) {
        sp.secret_len = secrets12[i];
        expect_raw_rejected(&sp);
    }
    static const uint16_t suites12[] = {0x1301, 0x0000, 0xc0ff, 0x0a0a};
    for (size_t i = 0; i < 4; i++) {
        sp = default_spec();
        sp.suite = suites12[i];
        expect_raw_rejected(&sp);
    }
    /* TLS 1.3: a TLS 1.3 suite, the hash's length, no EMS, at most seven days */
    raw_spec ok = default_spec();
    ok.version = 0x0304;
    ok.suite = 0x1302;
    ok.ems = 0;
    ok.secret_len = 48;
    ok.lifetime = 604800;
    ok.ticket_len = 200;
    uint8_t *buf;
    size_t len, cap;
    build_raw(&ok, &buf, &len, &cap);
    cl_session s;
    assert_int_equal(decode_exact(&s, buf, len), 0);
    assert_int_equal(s.ticket_len, 200);
    assert_int_equal(s.ticket[199], (uint8_t)(0x70 + 199));
    cl_session_clear(&s);
    cl_free(buf, cap);
    sp = ok;
    sp.secret_len = 32;
    expect_raw_rejected(&sp);
    sp = ok;
    sp.suite = SUITE;
    expect_raw_rejected(&sp);
    sp = ok;
    sp.ems = 1;
    expect_raw_rejected(&sp);
    sp.ems = 2;
    expect_raw_rejected(&sp);
    sp = ok;
    sp.lifetime = 604801;
    expect_raw_rejected(&sp);
    /* the ticket's length says more than there is */
    sp = ok;
    sp.ticket_len = 0xffff;
    sp.n_certs = sp.count = 0;
    build_raw(&sp, &buf, &len, &cap);
    assert_int_equal(decode_exact(&s, buf, len - 3), CLASP_ERR_DECODE);
    cl_free(buf, cap);
}

static void test_malformed_name(void **state)
{
    (void)state;
    /* a NUL anywhere in the name: first, middle, last byte, and a name of one NUL */
    static const struct {
        const char *name;
        size_t len;
    } names[] = {
        {"\0www.example.com", 16}, {"www\0example.com", 15}, {"www.example.com\0", 16}, {"\0", 1}};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        raw_spec sp = default_spec();
        sp.sni = names[i].name;
        sp.sni_len = names[i].len;
        expect_raw_rejected(&sp);
    }
}

static void test_malformed_chain(void **state)
{
    (void)state;
    /* 17 well-formed certificates: too many, however well formed */
    raw_spec sp = default_spec();
    sp.count = sp.n_certs = 17;
    for (size_t i = 0; i < 17; i++)
        sp.cert_lens[i] = 10 + i;
    expect_raw_rejected(&sp);
    sp.count = 0xffff;
    expect_raw_rejected(&sp);

    /* 16 is fine */
    sp.count = sp.n_certs = 16;
    uint8_t *buf;
    size_t len, cap;
    build_raw(&sp, &buf, &len, &cap);
    cl_session s;
    assert_int_equal(decode_exact(&s, buf, len), 0);
    assert_int_equal(s.n_peer_chain, 16);
    assert_int_equal(s.peer_chain[15].len, 25);
    cl_session_clear(&s);
    cl_free(buf, cap);

    /* an empty certificate, after a good one (which must not leak) */
    sp = default_spec();
    sp.cert_lens[1] = 0;
    expect_raw_rejected(&sp);
    /* the count says more than there is, or less */
    sp = default_spec();
    sp.count = 3;
    expect_raw_rejected(&sp);
    sp.count = 1;
    expect_raw_rejected(&sp);
}

static void expect_encode_refused(const cl_session *s)
{
    static uint8_t junk[1];
    uint8_t *enc = junk;
    size_t len = 1, cap = 1;
    assert_int_equal(cl_session_encode(s, &enc, &len, &cap), CLASP_ERR_INVALID_ARG);
    assert_null(enc);
    assert_int_equal(len, 0);
    assert_int_equal(cap, 0);
}

/* What the decoder refuses, the encoder refuses to write. */
static void test_encode_refuses(void **state)
{
    (void)state;
    static const size_t lens[17] = {1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1};
    cl_session s;
    make_session(&s, "www.example.com", lens, 17);
    expect_encode_refused(&s);
    cl_session_clear(&s);

    make_session(&s, "www.example.com", lens, 2);
    s.ems = 2;
    expect_encode_refused(&s);
    s.ems = 1;
    s.etm = 1; /* an AEAD suite has no encrypt-then-MAC */
    expect_encode_refused(&s);
    s.etm = 0;
    s.version = 0x0304;
    expect_encode_refused(&s);
    s.version = 0x0303;
    s.id_len = 33;
    expect_encode_refused(&s);
    s.id_len = 32;
    memset(s.server_name, 'a', sizeof(s.server_name)); /* no terminator */
    expect_encode_refused(&s);
    s.server_name[0] = '\0';
    cl_free(s.peer_chain[1].der, s.peer_chain[1].len);
    s.peer_chain[1].der = NULL;
    s.peer_chain[1].len = 0;
    expect_encode_refused(&s);
    cl_session_clear(&s);
}

static void test_copy_and_valid(void **state)
{
    (void)state;
    static const size_t lens[] = {100, 200};
    cl_session s, c;
    make_session(&s, "a.example", lens, 2);
    assert_int_equal(cl_session_copy(&c, &s), 0);
    assert_session_equal(&s, &c);
    assert_ptr_not_equal(c.peer_chain, s.peer_chain);
    assert_ptr_not_equal(c.peer_chain[0].der, s.peer_chain[0].der);
    cl_session_clear(&s); /* the copy stands alone */
    assert_int_equal(c.peer_chain[1].der[199], cert_byte(1, 199));

    c.created = 100;
    c.lifetime = 10;
    assert_int_equal(cl_session_valid(&c, 100), 1);
    assert_int_equal(cl_session_valid(&c, 109), 1);
    assert_int_equal(cl_session_valid(&c, 110), 0);
    assert_int_equal(cl_session_valid(&c, UINT64_MAX), 0);
    assert_int_equal(cl_session_valid(&c, 5), 1); /* the clock went back */
    c.lifetime = 0;
    assert_int_equal(cl_session_valid(&c, 100), 0);
    /* created + lifetime would overflow */
    c.created = UINT64_MAX - 5;
    c.lifetime = 100;
    assert_int_equal(cl_session_valid(&c, UINT64_MAX), 1);
    cl_session_clear(&c);
}

/* ---- the cache ---- */

static void make_cached(cl_session *s, uint8_t id, uint64_t created, uint16_t suite)
{
    static const size_t lens[] = {64};
    make_session(s, "cache.example", lens, 1);
    s->id_len = 8;
    memset(s->id, id, 8);
    s->created = created;
    s->suite = suite;
}

static void put(cl_session_cache *c, uint8_t id, uint64_t created, uint16_t suite)
{
    cl_session s;
    make_cached(&s, id, created, suite);
    assert_int_equal(cl_session_cache_put(c, &s), 0);
    cl_session_clear(&s);
}

static int get(cl_session_cache *c, uint8_t id, uint64_t now, cl_session *out)
{
    uint8_t key[8];
    memset(key, id, 8);
    return cl_session_cache_get(c, key, 8, now, out);
}

static int present(cl_session_cache *c, uint8_t id, uint64_t now)
{
    cl_session out;
    int rc = get(c, id, now, &out);
    cl_session_clear(&out);
    return rc == 0;
}

static void test_cache_put_get(void **state)
{
    (void)state;
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, 8), 0);
    cl_session s, out;
    make_cached(&s, 1, CREATED, SUITE);
    assert_int_equal(cl_session_cache_put(&c, &s), 0);
    assert_int_equal(cl_session_cache_get(&c, s.id, s.id_len, CREATED + 1, &out), 0);
    assert_session_equal(&s, &out);
    cl_session_clear(&out);

    /* a different ID, or a prefix of the ID, is not found; out is cleared */
    memset(&out, 0xee, sizeof(out));
    assert_int_equal(get(&c, 2, CREATED, &out), CLASP_ERR_STATE);
    assert_true(all_zero(&out, sizeof(out)));
    assert_int_equal(cl_session_cache_get(&c, s.id, 7, CREATED, &out), CLASP_ERR_STATE);

    /* an empty ID cannot be resumed (RFC 5246 7.4.1.3) */
    s.id_len = 0;
    assert_int_equal(cl_session_cache_put(&c, &s), CLASP_ERR_INVALID_ARG);
    assert_int_equal(cl_session_cache_count(&c), 1);
    cl_session_clear(&s);
    cl_session_cache_free(&c);
    assert_true(all_zero(&c, sizeof(c)));
    cl_session_cache_free(&c); /* twice is harmless */
}

static void test_cache_replace(void **state)
{
    (void)state;
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, 4), 0);
    put(&c, 1, CREATED, 0x1301);
    put(&c, 2, CREATED, 0x1302);
    put(&c, 1, CREATED + 5, 0x1303);
    assert_int_equal(cl_session_cache_count(&c), 2);
    cl_session out;
    assert_int_equal(get(&c, 1, CREATED + 6, &out), 0);
    assert_int_equal(out.suite, 0x1303);
    assert_true(out.created == CREATED + 5);
    cl_session_clear(&out);
    cl_session_cache_free(&c);
}

static void test_cache_eviction(void **state)
{
    (void)state;
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, 3), 0);
    /* All made in the same second: eviction still follows the order they were stored. */
    put(&c, 1, CREATED, SUITE);
    put(&c, 2, CREATED, SUITE);
    put(&c, 3, CREATED, SUITE);
    cl_session kept;
    assert_int_equal(get(&c, 1, CREATED, &kept), 0);
    put(&c, 4, CREATED, SUITE); /* evicts 1, stored first */
    assert_int_equal(cl_session_cache_count(&c), 3);
    uint64_t now = CREATED + 1;
    assert_false(present(&c, 1, now));
    assert_true(present(&c, 2, now));
    assert_true(present(&c, 3, now));
    assert_true(present(&c, 4, now));
    /* Storing 2 again makes it the newest: 3 goes next, then 4. */
    put(&c, 2, CREATED, SUITE);
    put(&c, 5, CREATED, SUITE);
    assert_false(present(&c, 3, now));
    assert_true(present(&c, 2, now));
    put(&c, 6, CREATED, SUITE);
    assert_false(present(&c, 4, now));
    assert_true(present(&c, 2, now));
    assert_true(present(&c, 5, now));
    assert_true(present(&c, 6, now));

    /* the copy taken before survives its entry's eviction */
    cl_session want;
    make_cached(&want, 1, CREATED, SUITE);
    assert_session_equal(&want, &kept);
    cl_session_clear(&want);
    cl_session_clear(&kept);
    cl_session_cache_free(&c);
}

static void test_cache_expiry_and_remove(void **state)
{
    (void)state;
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, 4), 0);
    cl_session s;
    make_cached(&s, 1, 1000, SUITE); /* long ago */
    s.lifetime = 60;
    assert_int_equal(cl_session_cache_put(&c, &s), 0);
    cl_session_clear(&s);
    put(&c, 2, CREATED, SUITE);
    assert_true(present(&c, 1, 1059));
    assert_int_equal(cl_session_cache_count(&c), 2);
    cl_session out;
    assert_int_equal(get(&c, 1, 1060, &out), CLASP_ERR_STATE);
    assert_int_equal(cl_session_cache_count(&c), 1); /* removed, not just hidden */
    assert_false(present(&c, 1, 1000));
    assert_true(present(&c, 2, CREATED));

    uint8_t key[8];
    memset(key, 2, 8);
    cl_session_cache_remove(&c, key, 8);
    assert_int_equal(cl_session_cache_count(&c), 0);
    assert_false(present(&c, 2, CREATED));
    cl_session_cache_remove(&c, key, 8); /* absent: nothing */
    cl_session_cache_free(&c);
}

static void test_cache_capacity_zero(void **state)
{
    (void)state;
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, 0), 0);
    put(&c, 1, CREATED, SUITE);
    assert_false(present(&c, 1, CREATED));
    uint8_t key[8];
    memset(key, 1, 8);
    cl_session_cache_remove(&c, key, 8);
    cl_session_cache_free(&c);

    /* a zeroed, never initialised cache behaves the same */
    memset(&c, 0, sizeof(c));
    put(&c, 1, CREATED, SUITE);
    assert_false(present(&c, 1, CREATED));
    cl_session_cache_free(&c);
}

/* ---- threads ---- */

#define THREADS    4
#define ITERATIONS 10000

typedef struct worker {
    cl_session_cache *cache;
    uint32_t seed;
    uint32_t pool; /* IDs 0 .. pool-1 */
    int bad;       /* a copy that did not match what was put under its ID */
} worker;

static uint32_t next_rand(uint32_t *x)
{
    *x ^= *x << 13;
    *x ^= *x >> 17;
    *x ^= *x << 5;
    return *x;
}

/* Every session put under ID k has suite k and a certificate of length 10 + k. */
static void *work(void *arg)
{
    worker *w = arg;
    for (int i = 0; i < ITERATIONS; i++) {
        uint32_t r = next_rand(&w->seed), id = r % w->pool;
        uint8_t key[8] = {(uint8_t)id, (uint8_t)(id >> 8), 0x77, 0x77, 0x77, 0x77, 0x77, 0x77};
        if ((r >> 8) & 1) {
            cl_session s;
            size_t len = 10 + id;
            make_session(&s, "", &len, 1);
            s.id_len = 8;
            memcpy(s.id, key, 8);
            s.suite = (uint16_t)id;
            s.created = CREATED + (r >> 10) % 1000;
            if (cl_session_cache_put(w->cache, &s) != 0)
                w->bad = 1;
            cl_session_clear(&s);
        } else if ((r >> 9) & 1) {
            cl_session out;
            /* late enough that some entries have expired and are removed here */
            uint64_t now = CREATED + 7000 + (r >> 12) % 1000;
            int rc = cl_session_cache_get(w->cache, key, 8, now, &out);
            if (rc == 0 && (out.suite != id || out.n_peer_chain != 1 ||
                            out.peer_chain[0].len != 10u + id || memcmp(out.id, key, 8) != 0))
                w->bad = 1;
            if (rc != 0 && rc != CLASP_ERR_STATE)
                w->bad = 1;
            cl_session_clear(&out);
        } else {
            cl_session_cache_remove(w->cache, key, 8);
        }
    }
    return NULL;
}

/* THREADS threads at once on a cache of this capacity, with IDs from a pool of this size. */
static void run_threads(size_t capacity, uint32_t pool)
{
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, capacity), 0);
    pthread_t t[THREADS];
    worker w[THREADS];
    for (int i = 0; i < THREADS; i++) {
        w[i] = (worker){&c, 0x9e3779b9u * (uint32_t)(i + 1), pool, 0};
        assert_int_equal(pthread_create(&t[i], NULL, work, &w[i]), 0);
    }
    for (int i = 0; i < THREADS; i++) {
        assert_int_equal(pthread_join(t[i], NULL), 0);
        assert_int_equal(w[i].bad, 0);
    }
    assert_true(cl_session_cache_count(&c) <= c.capacity);
    cl_session_cache_free(&c);
}

static void test_cache_threads(void **state)
{
    (void)state;
    run_threads(16, 48); /* one shard, fewer slots than IDs: evictions */
}

/* 4 shards of 64 (each with its own lock), 600 IDs: threads meet in every shard. */
static void test_cache_threads_sharded(void **state)
{
    (void)state;
    run_threads(256, 600);
}

/* ---- the hash, collisions, shards ---- */

/* SipHash-2-4's reference vectors (Aumasson and Bernstein): key 00..0f, message 00..n-1. */
static void test_siphash_vectors(void **state)
{
    (void)state;
    static const struct {
        size_t n;
        uint64_t want;
    } v[] = {{0, 0x726fdb47dd0e0e31ull}, {1, 0x74f839c593dc67fdull},  {7, 0xab0200f58b01d137ull},
             {8, 0x93f5f5799a932462ull}, {15, 0xa129ca6149be45e5ull}, {63, 0x958a324ceb064572ull}};
    uint8_t msg[64];
    for (size_t i = 0; i < sizeof(msg); i++)
        msg[i] = (uint8_t)i;
    const uint64_t key[2] = {0x0706050403020100ull, 0x0f0e0d0c0b0a0908ull};
    for (size_t i = 0; i < sizeof(v) / sizeof(v[0]); i++)
        assert_true(cl_siphash24(key, msg, v[i].n) == v[i].want);
}

/* An ID of 32 bytes from a number. */
static void wide_id(uint8_t id[CL_SESSION_ID_LEN], uint32_t k)
{
    memset(id, 0x5a, CL_SESSION_ID_LEN);
    memcpy(id, &k, sizeof(k));
}

static void put_wide(cl_session_cache *c, uint32_t k)
{
    cl_session s;
    make_cached(&s, 0, CREATED, (uint16_t)k);
    s.id_len = CL_SESSION_ID_LEN;
    wide_id(s.id, k);
    assert_int_equal(cl_session_cache_put(c, &s), 0);
    cl_session_clear(&s);
}

/* Whether k is stored (and then under its own suite). */
static int has_wide(cl_session_cache *c, uint32_t k)
{
    uint8_t id[CL_SESSION_ID_LEN];
    cl_session out;
    wide_id(id, k);
    int rc = cl_session_cache_get(c, id, sizeof(id), CREATED, &out);
    if (rc == 0)
        assert_int_equal(out.suite, (uint16_t)k);
    cl_session_clear(&out);
    return rc == 0;
}

/* The slot of the table k starts probing at (session_cache.c's home: the high bits). */
static size_t home_of(const cl_session_cache *c, uint32_t k, size_t slots)
{
    uint8_t id[CL_SESSION_ID_LEN];
    wide_id(id, k);
    return (size_t)(cl_siphash24(c->key, id, sizeof(id)) >> 32) & (slots - 1);
}

/*
 * A cache of 6 (one shard, a table of 16 slots) against a model (the IDs in insertion
 * order), under random puts, replacements, removals and lookups of 24 IDs chosen, under
 * this cache's key, to start probing at slots 14, 15 and 0: they collide all the time, their
 * probe runs wrap around the table's end, and removals from the middle of a run must move
 * the rest back. The cache must always agree with the model.
 */
static void test_cache_collisions(void **state)
{
    (void)state;
    enum { CAP = 6, POOL = 24, SLOTS = 16 };
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, CAP), 0);
    uint32_t pool[POOL], model[CAP], x = 12345;
    size_t n = 0, taken[SLOTS] = {0};
    for (uint32_t k = 0, p = 0; p < POOL; k++) {
        size_t h = home_of(&c, k, SLOTS);
        if ((h == 14 || h == 15 || h == 0) && taken[h] < POOL / 3) {
            taken[h]++;
            pool[p++] = k;
        }
    }
    for (int op = 0; op < 20000; op++) {
        uint32_t r = next_rand(&x), k = pool[r % POOL], i;
        for (i = 0; i < n && model[i] != k; i++)
            ;
        if ((r >> 8) % 4 == 0 && i < n) { /* remove */
            uint8_t id[CL_SESSION_ID_LEN];
            wide_id(id, k);
            cl_session_cache_remove(&c, id, sizeof(id));
            memmove(&model[i], &model[i + 1], (n - i - 1) * sizeof(uint32_t));
            n--;
        } else if ((r >> 8) % 4 != 1) { /* put: the newest; when full the oldest goes */
            put_wide(&c, k);
            if (i < n)
                memmove(&model[i], &model[i + 1], (--n - i) * sizeof(uint32_t));
            else if (n == CAP)
                memmove(&model[0], &model[1], (--n) * sizeof(uint32_t));
            model[n++] = k;
        }
        assert_int_equal(cl_session_cache_count(&c), n);
        for (uint32_t j = 0; j < POOL; j++) {
            int in = 0;
            for (size_t m = 0; m < n; m++)
                in |= model[m] == pool[j];
            assert_int_equal(has_wide(&c, pool[j]), in);
        }
    }
    cl_session_cache_free(&c);
}

/*
 * 1024 sessions: 16 shards of 64 chosen by the hash's low bits. After 3000 insertions each
 * shard holds exactly the last 64 IDs that went to it: oldest-first eviction per shard.
 */
static void test_cache_shards(void **state)
{
    (void)state;
    enum { CAP = 1024, N = 3000, SHARDS = 16 };
    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, CAP), 0);
    assert_int_equal(c.n_shards, SHARDS);
    static uint32_t shard[N];
    for (uint32_t k = 0; k < N; k++) {
        uint8_t id[CL_SESSION_ID_LEN];
        wide_id(id, k);
        shard[k] = (uint32_t)(cl_siphash24(c.key, id, sizeof(id)) & (SHARDS - 1));
        put_wide(&c, k);
    }
    assert_int_equal(cl_session_cache_count(&c), CAP);
    size_t later[SHARDS] = {0}; /* IDs of each shard seen so far, from the newest */
    for (uint32_t k = N; k-- > 0;)
        assert_int_equal(has_wide(&c, k), later[shard[k]]++ < CAP / SHARDS);
    cl_session_cache_free(&c);
}

/* ---- a counting, checking, failing allocator ---- */

#define MAX_LIVE 256

static struct {
    void *p[MAX_LIVE];
    size_t n[MAX_LIVE];
    size_t live, bytes;
    long fail_in; /* the allocation that fails: 0 is the next one; < 0 never */
    int bad_free; /* a free with the wrong size, or of something not allocated */
} heap;

static void *count_alloc(void *ctx, size_t n)
{
    (void)ctx;
    if (heap.fail_in >= 0 && heap.fail_in-- == 0)
        return NULL;
    void *p = malloc(n);
    for (size_t i = 0; p && i < MAX_LIVE; i++) {
        if (!heap.p[i]) {
            heap.p[i] = p;
            heap.n[i] = n;
            heap.live++;
            heap.bytes += n;
            return p;
        }
    }
    free(p);
    return NULL;
}

static void count_free(void *ctx, void *p, size_t n)
{
    (void)ctx;
    for (size_t i = 0; i < MAX_LIVE; i++) {
        if (heap.p[i] == p) {
            if (heap.n[i] != n)
                heap.bad_free = 1;
            heap.p[i] = NULL;
            heap.live--;
            heap.bytes -= heap.n[i];
            free(p);
            return;
        }
    }
    heap.bad_free = 1;
}

static int counting_setup(void **state)
{
    (void)state;
    memset(&heap, 0, sizeof(heap));
    heap.fail_in = -1;
    clasp_allocator a = {count_alloc, count_free, NULL};
    clasp_set_allocator(&a);
    return 0;
}

static int counting_teardown(void **state)
{
    (void)state;
    clasp_set_allocator(NULL);
    return 0;
}

static void assert_heap_empty(void)
{
    assert_int_equal(heap.bad_free, 0);
    assert_int_equal(heap.live, 0);
    assert_int_equal(heap.bytes, 0);
}

static void test_counting_everything_freed(void **state)
{
    (void)state;
    static const size_t lens[] = {300, 500};
    cl_session s, d, c2;
    make_session(&s, "www.example.com", lens, 2);
    uint8_t *enc;
    size_t len, cap;
    assert_int_equal(cl_session_encode(&s, &enc, &len, &cap), 0);
    assert_int_equal(cl_session_decode(&d, enc, len), 0);
    cl_session_clear(&d);
    assert_int_equal(cl_session_decode(&d, enc, len - 1), CLASP_ERR_DECODE);
    assert_int_equal(cl_session_decode(&d, enc, len), 0);
    assert_int_equal(cl_session_copy(&c2, &d), 0);

    cl_session_cache c;
    assert_int_equal(cl_session_cache_init(&c, 2), 0);
    put(&c, 1, CREATED - 1, SUITE);
    assert_int_equal(cl_session_cache_put(&c, &s), 0);
    assert_int_equal(cl_session_cache_put(&c, &s), 0); /* replaced */
    put(&c, 2, CREATED + 1, SUITE);                    /* evicts 1, stored longest ago */
    cl_session out;
    assert_int_equal(cl_session_cache_get(&c, s.id, s.id_len, CREATED, &out), 0);
    cl_session_clear(&out);
    assert_int_equal(get(&c, 2, UINT64_MAX, &out), CLASP_ERR_STATE); /* expired */

    cl_session_cache_free(&c);
    cl_free_secret(enc, cap);
    cl_session_clear(&s);
    cl_session_clear(&d);
    cl_session_clear(&c2);
    assert_heap_empty();
}

/* Each allocation in turn fails: the operation reports NOMEM and leaves nothing behind. */
static void test_counting_out_of_memory(void **state)
{
    (void)state;
    static const size_t lens[] = {300, 500};
    cl_session s;
    make_session(&s, "www.example.com", lens, 2);
    uint8_t *enc = NULL;
    size_t len, cap;
    int rc;
    for (long k = 0;; k++) {
        heap.fail_in = k;
        rc = cl_session_encode(&s, &enc, &len, &cap);
        heap.fail_in = -1;
        if (rc == 0)
            break;
        assert_int_equal(rc, CLASP_ERR_NOMEM);
        assert_null(enc);
    }
    size_t base = heap.live;

    cl_session d;
    for (long k = 0;; k++) {
        heap.fail_in = k;
        rc = cl_session_decode(&d, enc, len);
        heap.fail_in = -1;
        if (rc == 0)
            break;
        assert_int_equal(rc, CLASP_ERR_NOMEM);
        assert_true(all_zero(&d, sizeof(d)));
        assert_int_equal(heap.live, base);
    }
    cl_session_clear(&d);
    for (long k = 0;; k++) {
        heap.fail_in = k;
        rc = cl_session_copy(&d, &s);
        heap.fail_in = -1;
        if (rc == 0)
            break;
        assert_int_equal(rc, CLASP_ERR_NOMEM);
        assert_int_equal(heap.live, base);
    }
    cl_session_clear(&d);

    cl_session_cache c;
    heap.fail_in = 0;
    assert_int_equal(cl_session_cache_init(&c, 4), CLASP_ERR_NOMEM);
    cl_session_cache_free(&c); /* a failed init is safe to free */
    assert_int_equal(cl_session_cache_init(&c, 4), 0);
    for (long k = 0;; k++) {
        heap.fail_in = k;
        rc = cl_session_cache_put(&c, &s);
        heap.fail_in = -1;
        if (rc == 0)
            break;
        assert_int_equal(rc, CLASP_ERR_NOMEM);
        assert_int_equal(cl_session_cache_count(&c), 0);
    }
    cl_session out;
    for (long k = 0;; k++) {
        heap.fail_in = k;
        rc = cl_session_cache_get(&c, s.id, s.id_len, CREATED, &out);
        heap.fail_in = -1;
        if (rc == 0)
            break;
        assert_int_equal(rc, CLASP_ERR_NOMEM);
        assert_true(all_zero(&out, sizeof(out)));
        assert_int_equal(cl_session_cache_count(&c), 1); /* the entry stays */
    }
    cl_session_clear(&out);
    cl_session_cache_free(&c);
    cl_free_secret(enc, cap);
    cl_session_clear(&s);
    assert_heap_empty();
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_round_trip_full),
        cmocka_unit_test(test_round_trip_etm),
        cmocka_unit_test(test_round_trip_minimal),
        cmocka_unit_test(test_round_trip_tls13),
        cmocka_unit_test(test_malformed_inconsistent),
        cmocka_unit_test(test_format_is_pinned),
        cmocka_unit_test(test_every_prefix_fails),
        cmocka_unit_test(test_malformed),
        cmocka_unit_test(test_malformed_name),
        cmocka_unit_test(test_malformed_chain),
        cmocka_unit_test(test_encode_refuses),
        cmocka_unit_test(test_copy_and_valid),
        cmocka_unit_test(test_cache_put_get),
        cmocka_unit_test(test_cache_replace),
        cmocka_unit_test(test_cache_eviction),
        cmocka_unit_test(test_cache_expiry_and_remove),
        cmocka_unit_test(test_cache_capacity_zero),
        cmocka_unit_test(test_cache_threads),
        cmocka_unit_test(test_siphash_vectors),
        cmocka_unit_test(test_cache_collisions),
        cmocka_unit_test(test_cache_shards),
        cmocka_unit_test(test_cache_threads_sharded),
        cmocka_unit_test_setup_teardown(test_counting_everything_freed, counting_setup,
                                        counting_teardown),
        cmocka_unit_test_setup_teardown(test_counting_out_of_memory, counting_setup,
                                        counting_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
