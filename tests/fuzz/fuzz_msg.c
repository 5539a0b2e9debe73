/*
 * libFuzzer target for the handshake message codecs (src/msg/). The first byte picks the
 * parser, the rest is its input. Whatever parses is then walked again with the extension
 * body codecs and the list walkers, and a few invariants are checked (abort on violation):
 * a parsed message's lists walk to their end without failing, presence bits agree with the
 * order array, and the ClientHello's binders offset points at a vector that ends the body.
 *
 * Selectors: 0-8 the TLS 1.3 (and shared) messages, 9-16 a bare extensions block in each
 * context, 17-24 the TLS 1.2 messages and the SSL 2.0 hello check, 25-26 TLS 1.2's DHE
 * ServerKeyExchange and ClientKeyExchange. New parsers append
 * selectors, so the seeds of tests/fuzz/corpus/msg keep their meaning.
 *
 * Built and run by `make fuzz` (CMake option CLASP_FUZZ, clang).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "base/bytes.h"
#include "msg/msg.h"
#include "record/layer.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define CHECK(cond)                                                                                \
    do {                                                                                           \
        if (!(cond))                                                                               \
            abort();                                                                               \
    } while (0)

static void walk_key_shares(cl_reader ext)
{
    cl_reader shares;
    cl_key_share_entry e;
    uint16_t g;
    if (cl_ext_key_share_ch(ext, &shares) == 0) {
        while (cl_reader_left(&shares))
            CHECK(cl_ext_key_share_next(&shares, &e) == 0 && e.key_len >= 1);
    }
    (void)cl_ext_key_share_sh(ext, &e);
    (void)cl_ext_key_share_hrr(ext, &g);
}

static void walk_alpn(cl_reader ext)
{
    cl_reader names;
    const uint8_t *name;
    size_t len;
    if (cl_ext_alpn_list(ext, &names) == 0) {
        while (cl_reader_left(&names))
            CHECK(cl_ext_alpn_next(&names, &name, &len) == 0 && len >= 1);
    }
    (void)cl_ext_alpn_single(ext, &name, &len);
}

static void walk_cas(cl_reader ext)
{
    cl_reader names;
    const uint8_t *dn;
    size_t len;
    if (cl_ext_certificate_authorities(ext, &names) == 0) {
        while (cl_reader_left(&names))
            CHECK(cl_ext_certificate_authorities_next(&names, &dn, &len) == 0 && len >= 1);
    }
}

static void walk_psk(cl_reader ext)
{
    cl_reader ids, binders;
    const uint8_t *p;
    size_t len;
    uint32_t age;
    uint16_t sel;
    if (cl_ext_pre_shared_key_ch(ext, &ids, &binders) == 0) {
        while (cl_reader_left(&ids)) {
            CHECK(cl_ext_psk_identity_next(&ids, &p, &len, &age) == 0);
            CHECK(cl_ext_psk_binder_next(&binders, &p, &len) == 0 && len >= 32);
        }
        CHECK(cl_reader_left(&binders) == 0);
    }
    (void)cl_ext_pre_shared_key_sh(ext, &sel);
}

static void walk_server_name(cl_reader ext)
{
    const uint8_t *name;
    size_t len;
    if (cl_ext_server_name_ch(ext, &name, &len) == 0 && name) {
        CHECK(len >= 1 && len <= 255);
        for (size_t i = 0; i < len; i++)
            CHECK(name[i] > 0x20 && name[i] < 0x7f);
    }
}

/* Every body codec that could apply to extension i, on its data. */
static void walk_ext(const cl_exts *e, enum cl_ext_idx i)
{
    cl_reader ext = cl_exts_get(e, i), sub;
    const uint8_t *p;
    size_t len;
    uint16_t v16;
    uint32_t v32;
    (void)cl_ext_empty(ext);
    switch (i) {
    case CL_EXTI_SERVER_NAME: walk_server_name(ext); break;
    case CL_EXTI_SUPPORTED_GROUPS:
    case CL_EXTI_SIGNATURE_ALGORITHMS:
    case CL_EXTI_SIGNATURE_ALGORITHMS_CERT:
        if (cl_ext_u16_list(&ext, 2, 0xfffe, &sub) == 0)
            CHECK(cl_reader_left(&sub) % 2 == 0 && cl_reader_left(&sub) >= 2);
        break;
    case CL_EXTI_SUPPORTED_VERSIONS:
        (void)cl_ext_supported_versions_ch(ext, &sub);
        (void)cl_ext_supported_versions_sh(ext, &v16);
        break;
    case CL_EXTI_KEY_SHARE: walk_key_shares(ext); break;
    case CL_EXTI_ALPN: walk_alpn(ext); break;
    case CL_EXTI_COOKIE: (void)cl_ext_cookie(ext, &p, &len); break;
    case CL_EXTI_RECORD_SIZE_LIMIT:
        if (cl_ext_record_size_limit(ext, &v16) == 0)
            CHECK(v16 >= 64);
        break;
    case CL_EXTI_PSK_KEY_EXCHANGE_MODES: (void)cl_ext_psk_modes(ext, &sub); break;
    case CL_EXTI_CERTIFICATE_AUTHORITIES: walk_cas(ext); break;
    case CL_EXTI_PRE_SHARED_KEY: walk_psk(ext); break;
    case CL_EXTI_EARLY_DATA: (void)cl_ext_early_data_nst(ext, &v32); break;
    case CL_EXTI_RENEGOTIATION_INFO: (void)cl_ext_renegotiation_info(ext, &p, &len); break;
    case CL_EXTI_EC_POINT_FORMATS: (void)cl_ext_ec_point_formats(ext, &sub); break;
    default: break;
    }
}

static void walk_exts(const cl_exts *e)
{
    unsigned n = 0;
    for (int i = 0; i < CL_EXTI_COUNT; i++) {
        if (cl_exts_has(e, (enum cl_ext_idx)i)) {
            n++;
            walk_ext(e, (enum cl_ext_idx)i);
        }
    }
    CHECK(n == e->n_order && e->n_order <= e->n_total);
    for (unsigned i = 0; i < e->n_order; i++)
        CHECK(cl_exts_has(e, (enum cl_ext_idx)cl_ext_index(e->order[i])));
}

static void fuzz_client_hello(const uint8_t *p, size_t n)
{
    cl_client_hello ch;
    if (cl_client_hello_parse(p, n, &ch) != 0)
        return;
    CHECK(ch.session_id_len <= CL_MAX_SESSION_ID_LEN);
    CHECK(cl_reader_left(&ch.cipher_suites) % 2 == 0);
    walk_exts(&ch.exts);
    if (cl_exts_has(&ch.exts, CL_EXTI_PRE_SHARED_KEY)) {
        /* the binders vector starts there and ends the body */
        size_t off = ch.binders_offset;
        CHECK(off > 0 && off + 2 <= n);
        CHECK(((size_t)p[off] << 8 | p[off + 1]) == n - off - 2);
    } else {
        CHECK(ch.binders_offset == 0);
    }
}

static void fuzz_server_hello(const uint8_t *p, size_t n)
{
    cl_server_hello sh;
    if (cl_server_hello_parse(p, n, &sh) != 0)
        return;
    CHECK(sh.compression == 0 && (!sh.is_hrr || sh.has_extensions));
    walk_exts(&sh.exts);
}

static void fuzz_certificate(const uint8_t *p, size_t n)
{
    cl_certificate13 ct;
    const uint8_t *der;
    size_t der_len;
    cl_exts e;
    if (cl_certificate13_parse(p, n, SIZE_MAX, &ct) != 0)
        return;
    for (size_t i = 0; i < ct.n_entries; i++) {
        CHECK(cl_certificate13_next(&ct.entries, &der, &der_len, &e) == 0 && der_len >= 1);
        walk_exts(&e);
    }
    CHECK(cl_reader_left(&ct.entries) == 0);
}

static void fuzz_messages(uint8_t sel, const uint8_t *p, size_t n)
{
    cl_exts e;
    cl_certificate_request13 cr;
    cl_certificate_verify cv;
    cl_new_session_ticket13 nst;
    const uint8_t *v;
    uint8_t ku;
    switch (sel) {
    case 0: fuzz_client_hello(p, n); break;
    case 1: fuzz_server_hello(p, n); break;
    case 2:
        if (cl_encrypted_extensions_parse(p, n, &e) == 0)
            walk_exts(&e);
        break;
    case 3: fuzz_certificate(p, n); break;
    case 4:
        if (cl_certificate_request13_parse(p, n, &cr) == 0)
            walk_exts(&cr.exts);
        break;
    case 5:
        if (cl_certificate_verify_parse(p, n, &cv) == 0)
            CHECK(cv.sig_len + 4 == n); /* an empty signature is well formed */
        break;
    case 6:
        if (cl_new_session_ticket13_parse(p, n, &nst) == 0)
            walk_exts(&nst.exts);
        break;
    case 7:
        if (cl_key_update_parse(p, n, &ku) == 0)
            CHECK(ku <= 1 && n == 1);
        break;
    case 8: (void)cl_finished_parse(p, n, n ? p[0] % 64 : 32, &v); break;
    default: break;
    }
}

static void fuzz_certificate12(const uint8_t *p, size_t n)
{
    cl_certificate12 ct;
    const uint8_t *der;
    size_t der_len;
    if (cl_certificate12_parse(p, n, SIZE_MAX, &ct) != 0)
        return;
    for (size_t i = 0; i < ct.n_certs; i++)
        CHECK(cl_certificate12_next(&ct.certs, &der, &der_len) == 0 && der_len >= 1);
    CHECK(cl_reader_left(&ct.certs) == 0);
}

static void fuzz_certificate_request12(const uint8_t *p, size_t n)
{
    cl_certificate_request12 cr;
    const uint8_t *dn;
    size_t len;
    if (cl_certificate_request12_parse(p, n, &cr) != 0)
        return;
    CHECK(cl_reader_left(&cr.cert_types) >= 1);
    CHECK(cl_reader_left(&cr.sig_algs) >= 2 && cl_reader_left(&cr.sig_algs) % 2 == 0);
    while (cl_reader_left(&cr.authorities))
        CHECK(cl_ext_certificate_authorities_next(&cr.authorities, &dn, &len) == 0 && len >= 1);
}

static void fuzz_server_key_exchange12(const uint8_t *p, size_t n)
{
    cl_server_key_exchange12 ske;
    if (cl_server_key_exchange12_parse(p, n, &ske) != 0)
        return;
    /* params, then scheme and signature, cover the body exactly */
    CHECK(ske.params == p && p[0] == 3 && ske.point_len >= 1);
    CHECK(ske.params_len == 4 + ske.point_len && ske.point == p + 4);
    CHECK(ske.params_len + 4 + ske.sig_len == n);
}

static void fuzz_key_exchange12(uint8_t sel, const uint8_t *p, size_t n)
{
    const uint8_t *v;
    size_t len;
    if (sel == 20 && cl_client_key_exchange_ecdhe_parse(p, n, &v, &len) == 0)
        CHECK(len >= 1 && len + 1 == n);
    if (sel == 21 && cl_client_key_exchange_rsa_parse(p, n, &v, &len) == 0)
        CHECK(len + 2 == n);
}

/* DHE: ServerDHParams (three vectors), then the signature, cover the body exactly. */
static void fuzz_dhe(uint8_t sel, const uint8_t *p, size_t n)
{
    cl_server_key_exchange_dhe ske;
    const uint8_t *v;
    size_t len;
    if (sel == 25 && cl_server_key_exchange_dhe_parse(p, n, &ske) == 0) {
        CHECK(ske.p_len >= 1 && ske.g_len >= 1 && ske.ys_len >= 1 && ske.params == p);
        CHECK(ske.params_len == 6 + ske.p_len + ske.g_len + ske.ys_len);
        CHECK(ske.p == p + 2 && ske.ys + ske.ys_len == p + ske.params_len);
        CHECK(ske.params_len + 4 + ske.sig_len == n);
    }
    if (sel == 26 && cl_client_key_exchange_dhe_parse(p, n, &v, &len) == 0)
        CHECK(len >= 1 && len + 2 == n);
}

static void fuzz_messages12(uint8_t sel, const uint8_t *p, size_t n)
{
    cl_new_session_ticket12 nst;
    switch (sel) {
    case 17: fuzz_certificate12(p, n); break;
    case 18: fuzz_certificate_request12(p, n); break;
    case 19: fuzz_server_key_exchange12(p, n); break;
    case 20:
    case 21: fuzz_key_exchange12(sel, p, n); break;
    case 22:
        if (cl_empty_message_parse(p, n) == 0)
            CHECK(n == 0);
        break;
    case 23:
        if (cl_new_session_ticket12_parse(p, n, &nst) == 0)
            CHECK(cl_reader_left(&nst.ticket) + 6 == n);
        break;
    case 24:
        if (cl_is_sslv2_client_hello(p, n))
            CHECK(n >= 3 && (p[0] & 0x80) && p[2] == 1);
        break;
    case 25:
    case 26: fuzz_dhe(sel, p, n); break;
    default: break;
    }
}

/* A bare extensions block in one of the eight contexts. */
static void fuzz_block(cl_ext_ctx ctx, const uint8_t *p, size_t n)
{
    cl_reader r;
    cl_exts e;
    cl_reader_init(&r, p, n);
    if (cl_exts_parse(&r, ctx, &e) == 0) {
        CHECK(cl_reader_left(&r) == 0);
        walk_exts(&e);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    uint8_t sel = data[0] % 27;
    const uint8_t *p = data + 1;
    size_t n = size - 1;
    if (sel < 9)
        fuzz_messages(sel, p, n);
    else if (sel < 17)
        fuzz_block((cl_ext_ctx)(sel - 9), p, n);
    else
        fuzz_messages12(sel, p, n);
    return 0;
}
