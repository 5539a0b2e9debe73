/*
 * TLS 1.2 failures, each with its exact alert. One table, as in test_tls13_alerts.c: every
 * case names the side that misbehaves, what it does (a handshake message rewritten, dropped,
 * repeated or added through the test hook; records injected by hand, among them
 * ChangeCipherSpec where the state machine does not allow it), the error the other side (the
 * victim) must report and the alert it must send, which the misbehaving side must then
 * receive. The victim must release no application data: the misbehaving side sends some as
 * soon as it has keys, and the victim's read must return the error.
 *
 * Where an RFC names the alert, the case quotes it. RFC 5246 7.2.2 describes the alerts
 * ("decode_error: A message could not be decoded because some field was out of the
 * specified range or the length of the message was incorrect"; "illegal_parameter: A field
 * in the handshake was out of range or inconsistent with other fields"; "unexpected_message:
 * An inappropriate message was received") and 7.4 orders the messages ("sending handshake
 * messages in an unexpected order results in a fatal error"). Where no alert is named, the
 * comment says so and the case keeps clasp's choice.
 *
 * After the table: RSA key exchange with implicit rejection (RFC 5246 7.4.7.1), where a
 * corrupted and a well-formed but wrong pre-master secret must fail the same way, and a
 * downgrade forced on a TLS 1.3 client (RFC 8446 4.1.3).
 *
 * The runner, and the setups, edits and injections TLS 1.3 uses too, are in
 * tests/support/alert_runner.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include <clasp/clasp.h>

#include "base/mem.h"
#include "crypto/crypto.h"
#include "hs/transcript.h"
#include "msg/msg.h"
#include "alert_runner.h"
#include "pair.h"
#include "tls12_kit.h"

#define ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))
#define V12          CLASP_TLS12
#define V13          CLASP_TLS13

/* The table's initializers name only the fields a case needs; the others are zero. */
#pragma GCC diagnostic ignored "-Wmissing-field-initializers"

/* ---- setups ---- */

/* Asking for no RFC 5077 ticket: the flights are the classic ones (tickets: test_resume.c). */
static clasp_config *client12(void)
{
    clasp_config *cfg = kit12_client(V12, V12);
    assert_int_equal(clasp_config_set_tickets(cfg, 0), 0);
    return cfg;
}

static clasp_config *server12(test_key k)
{
    return kit12_server(&kit.server[k], V12, V12);
}

#define RSA_KX "TLS_RSA_WITH_AES_128_GCM_SHA256"

static void s_rsa_kx(kit_pair *p)
{
    clasp_config *scfg = server12(TK_RSA2048);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, RSA_KX), 0);
    setup_with(p, client_with(RSA_KX, NULL, NULL), scfg);
}

static void s_ecdhe_rsa(kit_pair *p)
{
    setup_with(p, NULL, server12(TK_RSA2048));
}

static void s_ed25519(kit_pair *p)
{
    setup_with(p, NULL, server12(TK_ED25519));
}

#define CBC_SUITE "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"
#define GCM_SUITE "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"

/* Both sides on a CBC suite: encrypt-then-MAC (RFC 7366) is negotiated. */
static void s_cbc(kit_pair *p)
{
    clasp_config *scfg = server12(TK_P256);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, CBC_SUITE), 0);
    setup_with(p, client_with(CBC_SUITE, NULL, NULL), scfg);
}

/* The client offers a CBC suite (and so encrypt_then_mac); the server chooses GCM. */
static void s_cbc_offered_gcm_chosen(kit_pair *p)
{
    setup_with(p, client_with(GCM_SUITE ":" CBC_SUITE, NULL, NULL), NULL);
}

static void s_chacha(kit_pair *p)
{
    setup_with(p, client_with("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", NULL, NULL), NULL);
}

static void s_aes128_only(kit_pair *p)
{
    setup_with(p, client_with("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", NULL, NULL), NULL);
}

/* A client that lists x25519 only: an RSA server (RFC 8422 4 rules out a P-256 certificate). */
static void s_x25519(kit_pair *p)
{
    setup_with(p, client_with(NULL, "x25519", NULL), server12(TK_RSA2048));
}

/* ---- DHE (RFC 7919) ---- */

#define DHE_AES128 "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"

/*
 * ServerDHParams and ClientKeyExchange bodies RFC 7919 rules out, filled in by s_dhe from the
 * primes clasp uses: the ffdhe2048 prime changed in one byte, a generator of 5, ffdhe3072
 * (not offered), and dh_Ys or dh_Yc of 1, p - 1, p, and p with a byte in front.
 */
#define DH2 256
#define DH3 384
static uint8_t dh_p2[DH2], dh_p3[DH3];
static uint8_t ske_custom_p[6 + DH2 + 1 + 1], ske_g5[6 + DH2 + 1 + 1], ske_3072[6 + DH3 + 1 + 1];
static uint8_t ske_ys_one[6 + DH2 + 1 + 1], ske_ys_pm1[6 + DH2 + 1 + DH2];
static uint8_t ske_ys_p[6 + DH2 + 1 + DH2], ske_ys_long[6 + DH2 + 1 + DH2 + 1];
static uint8_t cke_dh_one[2 + 1], cke_dh_pm1[2 + DH2], cke_dh_zero[2 + DH2];

/* ServerDHParams p, g, Ys into out (sized for them exactly). */
static void dh_params(uint8_t *out, const uint8_t *p, size_t p_len, uint8_t g, const uint8_t *ys,
                      size_t ys_len)
{
    cl_writer w;
    cl_writer_fixed(&w, out, 6 + p_len + 1 + ys_len);
    cl_write_vec(&w, 2, p, p_len);
    cl_write_vec(&w, 2, &g, 1);
    cl_write_vec(&w, 2, ys, ys_len);
    assert_int_equal(cl_writer_finish(&w), 0);
    assert_int_equal(w.len, 6 + p_len + 1 + ys_len);
}

static void fill_dh_cases(void)
{
    const uint8_t *p;
    size_t n;
    uint8_t g, one = 1, two = 2, v[DH2 + 1];
    assert_int_equal(cl_kex_ffdhe_params(CL_GROUP_FFDHE2048, &p, &n, &g), 0);
    memcpy(dh_p2, p, DH2);
    assert_int_equal(cl_kex_ffdhe_params(CL_GROUP_FFDHE3072, &p, &n, &g), 0);
    memcpy(dh_p3, p, DH3);
    memcpy(v, dh_p2, DH2);
    v[DH2 / 2] ^= 0x40;
    dh_params(ske_custom_p, v, DH2, 2, &two, 1);
    dh_params(ske_g5, dh_p2, DH2, 5, &two, 1);
    dh_params(ske_3072, dh_p3, DH3, 2, &two, 1);
    dh_params(ske_ys_one, dh_p2, DH2, 2, &one, 1);
    memcpy(v, dh_p2, DH2);
    v[DH2 - 1] -= 1;
    dh_params(ske_ys_pm1, dh_p2, DH2, 2, v, DH2);
    put_u16(cke_dh_pm1, DH2);
    memcpy(cke_dh_pm1 + 2, v, DH2);
    dh_params(ske_ys_p, dh_p2, DH2, 2, dh_p2, DH2);
    v[0] = 1;
    memcpy(v + 1, dh_p2, DH2);
    dh_params(ske_ys_long, dh_p2, DH2, 2, v, DH2 + 1);
    put_u16(cke_dh_one, 1);
    cke_dh_one[2] = 1;
    put_u16(cke_dh_zero, DH2);
}

/* DHE_RSA with ffdhe2048 on both sides (the server could do ffdhe3072 too). */
static void s_dhe(kit_pair *p)
{
    fill_dh_cases();
    clasp_config *scfg = server12(TK_RSA2048);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, DHE_AES128), 0);
    assert_int_equal(clasp_config_set_groups(scfg, "ffdhe2048:ffdhe3072"), 0);
    setup_with(p, client_with(DHE_AES128, "ffdhe2048", NULL), scfg);
}

/* The client lists ffdhe2048 too, which no ECDHE ServerKeyExchange may name. */
static void s_x25519_ffdhe(kit_pair *p)
{
    setup_with(p, client_with(NULL, "ffdhe2048:x25519", NULL), server12(TK_RSA2048));
}

static void s_narrow_schemes(kit_pair *p)
{
    setup_with(p, client_with(NULL, NULL, "ecdsa_secp256r1_sha256:rsa_pss_rsae_sha256"), NULL);
}

/* A client that also offers TLS 1.3 (and so checks the downgrade sentinel). */
static void s_client13(kit_pair *p)
{
    setup_with(p, kit12_client(V12, V13), NULL);
}

/* A server that also offers TLS 1.3, a client of TLS 1.2 only. */
static void s_server13(kit_pair *p)
{
    setup_with(p, NULL, kit12_server(&kit.server[TK_P256], V12, V13));
}

static void s_both13(kit_pair *p)
{
    setup_with(p, kit12_client(V12, V13), kit12_server(&kit.server[TK_P256], V12, V13));
}

static void s_no_common_suite(kit_pair *p)
{
    clasp_config *scfg = server12(TK_P256);
    assert_int_equal(
        clasp_config_set_cipher_suites(scfg, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384"), 0);
    setup_with(p, client_with("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", NULL, NULL), scfg);
}

/* Neither side requires the extended master secret (RFC 7627 5.2 allows continuing). */
static void ems_optional(clasp_config **ccfg, clasp_config **scfg)
{
    *ccfg = client_with("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:"
                        "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
                        NULL, NULL);
    *scfg = server12(TK_P256);
    assert_int_equal(clasp_config_set_extended_master_secret(*ccfg, 0), 0);
    assert_int_equal(clasp_config_set_extended_master_secret(*scfg, 0), 0);
}

static int del_ems(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);

/*
 * A completed full handshake on ccfg/scfg (the client's hello without the extended master
 * secret when no_ems), then a pair offering its session.
 */
static void resumption_pair(kit_pair *p, clasp_config *ccfg, clasp_config *scfg, int no_ems)
{
    static kit_hook strip; /* outlives the setup: installed on the resuming client too */
    kit_pair first;
    /* By session ID: the cases with tickets are test_resume.c's. */
    assert_int_equal(clasp_config_set_tickets(ccfg, 0), 0);
    kit_open(&first, clasp_config_up_ref(ccfg), clasp_config_up_ref(scfg), "server.test");
    strip = (kit_hook){.type = CL_HS_CLIENT_HELLO, .edit = del_ems};
    if (no_ems)
        kit_hook_install(first.client, &strip);
    kit12_handshake(&first);
    clasp_session *sess = clasp_conn_get_session(first.client);
    assert_non_null(sess);
    kit_close(&first);
    kit_open(p, ccfg, scfg, "server.test");
    assert_int_equal(clasp_conn_set_session(p->client, sess), 0);
    clasp_session_free(sess);
    if (no_ems)
        kit_hook_install(p->client, &strip);
}

/* A session made with the extended master secret, offered again. */
static void s_resume(kit_pair *p)
{
    clasp_config *ccfg, *scfg;
    ems_optional(&ccfg, &scfg);
    resumption_pair(p, ccfg, scfg, 0);
}

/* A session made without it, offered again by a hello without it (which clasp resumes when
 * it does not require the extended master secret). */
static void s_resume_no_ems(kit_pair *p)
{
    clasp_config *ccfg, *scfg;
    ems_optional(&ccfg, &scfg);
    resumption_pair(p, ccfg, scfg, 1);
}

/* ---- edits ---- */

static size_t u16_at(const uint8_t *p)
{
    return (size_t)p[0] << 8 | p[1];
}

static int del_ems(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)arg;
    static const xop ops[] = {{X_DEL, CL_EXT_EXTENDED_MASTER_SECRET}, {X_END}};
    return edit_exts(c, msg, len, out, (void *)ops);
}

/* Bytes [off, off + n) of the message replaced (arg: the replacement). */
static int replace_at(const uint8_t *msg, size_t len, size_t off, size_t n, const xbytes *x,
                      cl_writer *out)
{
    kit_splice(msg, len, off, n, x->p, x->n, out);
    return 0;
}

/* The last 8 bytes of a ServerHello's random. */
static int edit_sh_random_tail(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                               void *arg)
{
    (void)c;
    return replace_at(msg, len, 4 + 2 + 24, 8, arg, out);
}

/* One more cipher suite at the end of the ClientHello's list. */
static int edit_add_suite(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    size_t off = kit_ch_suites_off(msg), n = u16_at(msg + off);
    uint8_t list[512];
    assert_true(n + 4 <= sizeof(list));
    put_u16(list, n + 2);
    memcpy(list + 2, msg + off + 2, n);
    put_u16(list + 2 + n, *(const uint16_t *)arg);
    kit_splice(msg, len, off, 2 + n, list, n + 4, out);
    return 0;
}

/*
 * Other messages (whole, as bytes: arg) before or after the message, or the message twice,
 * in one record. The message enters its sender's transcript as usual, the others do not:
 * the sender stays consistent, and the receiver that fails at them sends its alert before
 * anything the sender cannot make sense of (RFC 7627's session hash would otherwise differ
 * and the sender would fail on its own).
 */
static void send_outside_transcript(clasp_conn *c, const uint8_t *msg, size_t len,
                                    const uint8_t *before, size_t nb, const uint8_t *after,
                                    size_t na)
{
    uint8_t rec[8192];
    assert_true(nb + len + na <= sizeof(rec));
    if (nb)
        memcpy(rec, before, nb);
    memcpy(rec + nb, msg, len);
    if (na)
        memcpy(rec + nb + len, after, na);
    assert_int_equal(cl_hs_flush(c), 0); /* what was queued before goes first */
    assert_int_equal(cl_tr_add(&c->hs->tr, msg, len), 0);
    assert_int_equal(cl_rl_write(&c->rl, CL_CT_HANDSHAKE, rec, nb + len + na), 0);
}

static int edit_before(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)out;
    const xbytes *x = arg;
    send_outside_transcript(c, msg, len, x->p, x->n, NULL, 0);
    return 1; /* sent already */
}

static int edit_after(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)out;
    const xbytes *x = arg;
    send_outside_transcript(c, msg, len, NULL, 0, x->p, x->n);
    return 1;
}

static int edit_twice(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)out, (void)arg;
    send_outside_transcript(c, msg, len, NULL, 0, msg, len);
    return 1;
}

/* The body replaced (arg: the new body). */
static int edit_body(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    return replace_at(msg, len, 4, len - 4, arg, out);
}

/* The header announcing 2^24 - 1 bytes, more than the receiver's cap (the body as it was). */
static int edit_huge_header(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c, (void)arg;
    cl_write_u8(out, msg[0]);
    cl_write_u24(out, 0xffffff);
    cl_write_bytes(out, msg + 4, len - 4);
    return 0;
}

/* A byte in the middle of the message flipped (inside an encrypted pre-master, say). */
static int edit_flip_middle(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c, (void)arg;
    uint8_t b = msg[len / 2] ^ 0x20;
    kit_splice(msg, len, len / 2, 1, &b, 1, out);
    return 0;
}

/*
 * A ChangeCipherSpec record before the message (what was queued before leaves first):
 * early, where the state machine does not allow one (CVE-2014-0224).
 */
static int edit_ccs_before(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)msg, (void)len, (void)out, (void)arg;
    assert_int_equal(cl_hs_flush(c), 0);
    assert_int_equal(cl_rl_write(&c->rl, CL_CT_CHANGE_CIPHER_SPEC, (const uint8_t *)"\1", 1), 0);
    return 0;
}

/* Application data under the current keys before the message. */
static int edit_app_data_before(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                                void *arg)
{
    (void)msg, (void)len, (void)out, (void)arg;
    assert_int_equal(cl_hs_flush(c), 0);
    assert_int_equal(cl_rl_write(&c->rl, CL_CT_APPLICATION_DATA, (const uint8_t *)"early", 5), 0);
    return 0;
}

/*
 * On the Finished hook, the sender's ChangeCipherSpec is the last record in its output (it
 * went out before the new keys): rewrite its body (arg).
 */
static int edit_ccs_body(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)msg, (void)len, (void)out;
    const xbytes *x = arg;
    cl_rl *rl = &c->rl;
    assert_true(rl->tlen - rl->thead >= 6);
    uint8_t *rec = rl->tbuf + rl->tlen - 6;
    assert_memory_equal(rec, ((const uint8_t[]){20, 3, 3, 0, 1, 1}), 6);
    rl->tlen -= 6;
    kit_write_plain(c, CL_CT_CHANGE_CIPHER_SPEC, x->p, x->n);
    return 0;
}

/* A second ChangeCipherSpec, under the new keys, before the Finished. */
static int edit_second_ccs(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)msg, (void)len, (void)out, (void)arg;
    assert_int_equal(cl_rl_write(&c->rl, CL_CT_CHANGE_CIPHER_SPEC, (const uint8_t *)"\1", 1), 0);
    return 0;
}

/* The first two bytes of the message in a record of their own; the rest never comes, a
 * ChangeCipherSpec does. */
static int edit_half_then_ccs(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                              void *arg)
{
    (void)len, (void)out, (void)arg;
    assert_int_equal(cl_hs_flush(c), 0);
    assert_int_equal(cl_rl_write(&c->rl, CL_CT_HANDSHAKE, msg, 2), 0);
    return 1;
}

/* The records from this message on carry version {3,1}. */
static int edit_record_version(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                               void *arg)
{
    (void)msg, (void)len, (void)out, (void)arg;
    assert_int_equal(cl_hs_flush(c), 0);
    c->rl.wversion = 0x0301;
    return 0;
}

/* The server's Certificate with the RSA server certificate in place of its own. */
static int edit_cert_rsa(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c, (void)msg, (void)len, (void)arg;
    clasp_config *tmp = server12(TK_RSA2048);
    const cl_cert_der *der = &tmp->creds[0]->certs[0];
    cl_write_u8(out, CL_HS_CERTIFICATE);
    cl_write_u24(out, (uint32_t)(3 + 3 + der->len));
    cl_write_u24(out, (uint32_t)(3 + der->len));
    cl_write_u24(out, (uint32_t)der->len);
    cl_write_bytes(out, der->der, der->len);
    clasp_config_free(tmp);
    return 0;
}

/* ServerKeyExchange: where its signature's scheme sits (after the ServerECDHParams). */
static size_t ske_scheme_off(const uint8_t *msg)
{
    return 4 + 3 + 1 + msg[7];
}

static int edit_ske_scheme(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)c;
    uint8_t v[2];
    put_u16(v, *(const uint16_t *)arg);
    kit_splice(msg, len, ske_scheme_off(msg), 2, v, 2, out);
    return 0;
}

static int edit_ske_empty_sig(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                              void *arg)
{
    (void)c, (void)arg;
    size_t off = ske_scheme_off(msg) + 2;
    kit_splice(msg, len, off, len - off, "\0\0", 2, out);
    return 0;
}

/*
 * A ServerKeyExchange with other ServerECDHParams (arg), signed properly by the server
 * (RFC 8422 5.4: over client_random + server_random + params), so that the client's checks
 * of the parameters themselves are what fails.
 */
static int edit_ske_params(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    (void)msg, (void)len;
    const xbytes *params = arg;
    kit12_put_ske(c, params->p, params->n, out);
    return 0;
}

/* CertificateRequest with an empty certificate_types<1..2^8-1>. */
static int edit_cr_no_types(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                            void *arg)
{
    (void)c, (void)arg;
    kit_splice(msg, len, 4, 1 + (size_t)msg[4], "\0", 1, out);
    return 0;
}

/* An RSA ClientKeyExchange whose EncryptedPreMasterSecret is one byte short (the vector's
 * length fits what it holds). */
static int edit_rsa_cke_short(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out,
                              void *arg)
{
    (void)c, (void)arg;
    uint8_t l[2];
    put_u16(l, len - 6 - 1);
    cl_write_u8(out, CL_HS_CLIENT_KEY_EXCHANGE);
    cl_write_u24(out, (uint32_t)(len - 4 - 1));
    cl_write_bytes(out, l, 2);
    cl_write_bytes(out, msg + 6, len - 6 - 1);
    return 0;
}

/* ---- messages and extension bodies ---- */

/* Whole handshake messages to send out of place. */
#define MSG_SKE     CL_HS_SERVER_KEY_EXCHANGE, 0, 0, 8, 3, 0x00, 0x1d, 1, 9, 4, 3, 0, 0
#define MSG_CR      CL_HS_CERTIFICATE_REQUEST, 0, 0, 8, 1, 64, 0, 2, 4, 3, 0, 0
#define MSG_SHD     CL_HS_SERVER_HELLO_DONE, 0, 0, 0
#define MSG_CV      CL_HS_CERTIFICATE_VERIFY, 0, 0, 4, 4, 3, 0, 0
#define MSG_CKE     CL_HS_CLIENT_KEY_EXCHANGE, 0, 0, 2, 1, 9
#define MSG_CERT0   CL_HS_CERTIFICATE, 0, 0, 3, 0, 0, 0
#define MSG_FIN     CL_HS_FINISHED, 0, 0, 12, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12
#define MSG_HELLO_R CL_HS_HELLO_REQUEST, 0, 0, 0

static const uint8_t hello_requests_33[33 * 4] = {0};

/* ServerECDHParams: curve_type named_curve (3), group, point. */
static const uint8_t x25519_zero[4 + 32] = {3, 0x00, 0x1d, 32};
static const uint8_t x25519_short[4 + 31] = {3, 0x00, 0x1d, 31, 9};
/* A P-256 point (1, 1), which is not on the curve. */
static const uint8_t p256_off_curve[4 + 65] = {3, 0x00, 0x17, 65, 4, [36] = 1, [68] = 1};
/* A compressed P-256 point (RFC 8422 5.1.2: uncompressed only). */
static const uint8_t p256_compressed[4 + 33] = {3, 0x00, 0x17, 33, 2, 1};
/* The group of a valid-looking X25519 share changed. */
static const uint8_t secp256r1_x25519_point[4 + 32] = {3, 0x00, 0x17, 32, 9};
static const uint8_t unknown_group[4 + 32] = {3, 0xfe, 0x01, 32, 9};
static const uint8_t ffdhe2048_curve[4 + 32] = {3, 0x01, 0x00, 32, 9};
/* ClientKeyExchange (ECDHE) bodies: ecdh_Yc<1..2^8-1>. */
static const uint8_t cke_x25519_zero[1 + 32] = {32};
static const uint8_t cke_x25519_short[1 + 31] = {31, 9};
static const uint8_t cke_p256_off_curve[1 + 65] = {65, 4, [33] = 1, [65] = 1};

/* An SSL 2.0 ClientHello (RFC 5246 E.2): 2-byte header with the high bit, msg_type 1,
 * version 3.1, 21 bytes of cipher specs, no session ID, a 16-byte challenge. */
static const uint8_t sslv2_hello[2 + 46] = {
    0x80, 46, 1, 3, 1, 0, 21, 0, 0, 0, 16, 0x00, 0x00, 0x2f, 0x00, 0x00, 0x35, [32] = 0xaa};

/* Records for the record-layer cases. */
static uint8_t zeros[CL_MAX_PLAINTEXT + 1];
static uint8_t oversized_record[5 + CL_TLS12_MAX_CIPHERTEXT + 1] = {23, 3, 3, 0x48, 0x01};
/* Records that are not authentic: one that could hold 2^14 bytes, one that could only hold
 * more. */
static uint8_t record_2_14_24[5 + CL_MAX_PLAINTEXT + 24] = {23, 3, 3, 0x40, 0x18};
static uint8_t record_2_14_25[5 + CL_MAX_PLAINTEXT + 25] = {23, 3, 3, 0x40, 0x19};
/* A protected record shorter than explicit nonce + tag (8 + 16). */
static const uint8_t short_record[5 + 23] = {23, 3, 3, 0, 23};
static const uint8_t chacha_short_record[5 + 15] = {23, 3, 3, 0, 15};
/* CBC with HMAC-SHA256 and encrypt-then-MAC: IV, 33 bytes, MAC: not whole blocks. */
static const uint8_t cbc_partial_block[5 + 16 + 33 + 32] = {23, 3, 3, 0, 16 + 33 + 32};

/* ---- injections before the handshake ---- */

static void start_sslv2(kit_pair *p)
{
    feed_server(p, sslv2_hello, sizeof(sslv2_hello));
}

/* ---- when the exchange stalls ---- */

/* Nobody has anything to say (the client waits for ServerHelloDone); then the server sends
 * its ChangeCipherSpec. */
static void then_server_ccs(kit_pair *p)
{
    const uint8_t *out;
    size_t len;
    assert_int_equal(clasp_conn_error(p->client), 0);
    assert_int_equal(clasp_conn_error(p->server), 0);
    clasp_conn_output(p->client, &out, &len);
    assert_int_equal(len, 0);
    assert_int_equal(
        cl_rl_write(&p->server->rl, CL_CT_CHANGE_CIPHER_SPEC, (const uint8_t *)"\1", 1), 0);
    kit_move(p->server, p->client);
}

/* ---- injections after the handshake ---- */

/* The header's type is part of the additional data (RFC 5246 6.2.3.3). */
static void after_header_type(kit_pair *p)
{
    size_t n;
    assert_int_equal(clasp_conn_write(p->client, (const uint8_t *)"type", 4, &n), 0);
    p->client->rl.tbuf[p->client->rl.thead] = CL_CT_HANDSHAKE;
}

static void after_explicit_nonce(kit_pair *p)
{
    size_t n;
    assert_int_equal(clasp_conn_write(p->client, (const uint8_t *)"nonce", 5, &n), 0);
    p->client->rl.tbuf[p->client->rl.thead + 5 + 7] ^= 1;
}

/* Two records, the first of whose sequence number is skipped (dropped on the way). */
static void after_dropped_record(kit_pair *p)
{
    size_t n, len;
    assert_int_equal(clasp_conn_write(p->client, (const uint8_t *)"one", 3, &n), 0);
    free(kit_take(p->client, &len));
    assert_int_equal(clasp_conn_write(p->client, (const uint8_t *)"two", 3, &n), 0);
}

/* ---- the table ---- */

static const acase cases[] = {
    /* ==== the ClientHello (the server is the victim) ==== */

    /* RFC 5246 7.4.1.2: the server "MUST check that the amount of data in the message
     * precisely matches one of these formats; if not, then it MUST send a fatal
     * "decode_error" alert." */
    {"CH: trailing byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = kit_trailing_byte,
     E_DECODE},
    {"CH: truncated", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = kit_truncate, E_DECODE},
    /* SessionID<0..32> */
    {"CH: session ID of 33 bytes", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = edit_session_id,
     .arg = XB(33, [33] = 0), E_DECODE},
    /* RFC 5246 7.4.1.4: "There MUST NOT be more than one extension of the same type." No
     * alert named: illegal_parameter, as clasp does in TLS 1.3. */
    {"CH: duplicate extension", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_DUP, CL_EXT_SUPPORTED_GROUPS}), E_ILLEGAL},
    /* RFC 5246 E.1: "If server supports (or is willing to use) only versions greater than
     * client_version, it MUST send a "protocol_version" alert message"; RFC 8996: TLS 1.0
     * and 1.1 MUST NOT be negotiated; RFC 8446 D.5 for 0x0300. */
    {"CH: TLS 1.1 (legacy_version 0x0302)", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     .edit = edit_hello_version, .arg = U16(0x0302), E_VERSION},
    {"CH: TLS 1.0 (legacy_version 0x0301)", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     .edit = edit_hello_version, .arg = U16(0x0301), E_VERSION},
    {"CH: SSL 3.0 (legacy_version 0x0300)", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     .edit = edit_hello_version, .arg = U16(0x0300), E_VERSION, .why = "legacy_version"},
    /* RFC 8446 4.2.1: "If the "supported_versions" extension in the ClientHello contains no
     * versions acceptable to the server, the server MUST abort the handshake with a
     * "protocol_version" alert." */
    {"CH: supported_versions TLS 1.1 and 1.0 only", BAD_CLIENT, s_both13, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(4, 3, 2, 3, 1)}), E_VERSION},
    /* ... and servers "MUST only select a version of TLS present in that extension". */
    {"CH: supported_versions TLS 1.3 only, to a TLS 1.2 server", BAD_CLIENT, s_client13,
     .msg = CL_HS_CLIENT_HELLO, OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(2, 3, 4)}), E_VERSION},
    {"CH: supported_versions TLS 1.3 and 1.1, to a TLS 1.2 server", BAD_CLIENT, s_client13,
     .msg = CL_HS_CLIENT_HELLO, OPS({X_SET, CL_EXT_SUPPORTED_VERSIONS, B(4, 3, 4, 3, 2)}),
     E_VERSION},
    /* RFC 5246 E.2: SSL 2.0 hellos; RFC 6176 2: TLS servers "MUST respond with a
     * "protocol_version" alert message and close the connection". */
    {"CH: SSL 2.0 ClientHello", BAD_CLIENT, .start = start_sslv2, E_VERSION},
    /* RFC 5246 7.4.1.2: compression_methods "MUST contain ... CompressionMethod.null"; no
     * alert named: illegal_parameter (RFC 8446 4.1.2 names it for TLS 1.3). */
    {"CH: no null compression", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = edit_ch_compression,
     .arg = XB(1, 1), E_ILLEGAL},
    /* RFC 7507 3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites and the highest
     * protocol version supported by the server is higher than the version indicated in
     * ClientHello.client_version, the server MUST respond with a fatal inappropriate_fallback
     * alert". */
    {"CH: TLS_FALLBACK_SCSV to a TLS 1.3 server", BAD_CLIENT, s_server13, .msg = CL_HS_CLIENT_HELLO,
     .edit = edit_add_suite, .arg = U16(0x5600), .err = CLASP_ERR_INAPPROPRIATE_FALLBACK,
     .alert = CLASP_ALERT_INAPPROPRIATE_FALLBACK},
    /* RFC 5746 3.6: the server "MUST then verify that the length of the
     * "renegotiated_connection" field is zero, and if it is not, MUST abort the handshake"
     * (3.4: "by sending a fatal handshake_failure alert"). */
    {"CH: renegotiation_info not empty", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_RENEGOTIATION_INFO, B(1, 0xaa)}), E_HS_FAILURE},
    /* RFC 8422 5.1.2: without the uncompressed format "the server MUST abort the handshake
     * and return an illegal_parameter alert". */
    {"CH: ec_point_formats without uncompressed", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_EC_POINT_FORMATS, B(1, 1)}), E_ILLEGAL},
    /* ec_point_format_list<1..2^8-1> */
    {"CH: ec_point_formats empty", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_EC_POINT_FORMATS, B(0)}), E_DECODE},
    /* Extensions a TLS 1.2 server does not act on are read all the same: RFC 8446 4.2.10's
     * empty early_data, 4.2.8's key_share, RFC 7685's zero padding. */
    {"CH: early_data with a body", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_EARLY_DATA, B(0)}), E_DECODE},
    {"CH: key_share with an empty key, to TLS 1.2", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_KEY_SHARE, B(0, 4, 0, 0x1d, 0, 0)}), E_DECODE},
    {"CH: padding not all zeros", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_ADD, CL_EXT_PADDING, B(0, 1)}), E_ILLEGAL},
    /* RFC 6066 3: a DNS host name in ASCII; one that is not parses but is wrong:
     * illegal_parameter (RFC 5246 7.2.2, "A field ... was out of range"). */
    {"CH: host name with a control byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 6, 0, 0, 3, 'a', 1, 'b')}), E_ILLEGAL},
    {"CH: host name with a trailing NUL", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SERVER_NAME, B(0, 6, 0, 0, 3, 'a', 'b', 0)}), E_ILLEGAL},
    /* RFC 7627 5.2: without the extension the server "SHOULD abort the handshake if it does
     * not wish to interoperate with legacy clients" ("abort" is handshake_failure there);
     * clasp requires it by default. */
    {"CH: no extended master secret", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_DEL, CL_EXT_EXTENDED_MASTER_SECRET}), E_HS_FAILURE, .why = "extended master"},
    /* RFC 7627 5.1: its "extension_data" field is empty. */
    {"CH: extended master secret with data", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_EXTENDED_MASTER_SECRET, B(0)}), E_DECODE},
    /* RFC 7366 2: empty. */
    {"CH: encrypt_then_mac with data", BAD_CLIENT, s_cbc, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_ENCRYPT_THEN_MAC, B(0)}), E_DECODE},
    /* RFC 5246 7.4.1.3: "If no acceptable choices are presented, return a handshake failure
     * alert and close the connection." */
    {"CH: no cipher suite in common", BAD_CLIENT, s_no_common_suite, E_HS_FAILURE},
    /* RFC 8422 5.1.1: no common curve, no ECC suite; nothing else: handshake_failure. */
    {"CH: no group in common", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_GROUPS, B(0, 2, 0x00, 0x19)}), E_HS_FAILURE},
    /* RFC 9155 deprecates MD5 and SHA-1 in TLS 1.2 signatures: offering only those leaves
     * the server nothing to sign with, as without signature_algorithms (RFC 5246 7.4.1.4.1's
     * SHA-1 default is gone too): handshake_failure. */
    {"CH: signature_algorithms SHA-1 and MD5 only", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SIGNATURE_ALGORITHMS, B(0, 6, 2, 1, 2, 3, 1, 1)}), E_HS_FAILURE},
    /* A byte after the list, inside the extension: it does not parse (RFC 5246 7.2.2). */
    {"CH: signature_algorithms with a trailing byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SIGNATURE_ALGORITHMS, B(0, 2, 4, 3, 0)}), E_DECODE},
    {"CH: supported_groups with a trailing byte", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_SET, CL_EXT_SUPPORTED_GROUPS, B(0, 2, 0, 0x17, 0)}), E_DECODE},
    {"CH: no signature_algorithms", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO,
     OPS({X_DEL, CL_EXT_SIGNATURE_ALGORITHMS}), E_HS_FAILURE},
    /* RFC 7301 3.2: "the server SHALL respond with a fatal "no_application_protocol"
     * alert". */
    {"CH: no ALPN protocol in common", BAD_CLIENT, s_alpn_mismatch,
     .err = CLASP_ERR_NO_APPLICATION_PROTOCOL, .alert = CLASP_ALERT_NO_APPLICATION_PROTOCOL},
    {"CH: twice", BAD_CLIENT, .msg = CL_HS_CLIENT_HELLO, .edit = edit_twice, E_UNEXPECTED},

    /* ==== the ServerHello (the client is the victim) ==== */

    {"SH: trailing byte", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = kit_trailing_byte,
     E_DECODE},
    {"SH: truncated", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = kit_truncate, E_DECODE},
    {"SH: session ID of 33 bytes", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_session_id,
     .arg = XB(33, [33] = 0), E_DECODE},
    /* RFC 5246 7.4.1.3: cipher_suite is "selected by the server from the list in
     * ClientHello.cipher_suites"; no alert named: illegal_parameter (RFC 8446 4.1.3 names
     * it). */
    {"SH: a suite not offered", BAD_SERVER, s_aes128_only, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_sh_suite, .arg = U16(0xc02c), E_ILLEGAL},
    {"SH: a TLS 1.3 suite", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_sh_suite,
     .arg = U16(0x1301), E_ILLEGAL},
    {"SH: RSA key exchange, not offered", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_sh_suite, .arg = U16(0x009c), E_ILLEGAL},
    {"SH: the renegotiation SCSV as suite", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_sh_suite, .arg = U16(0x00ff), E_ILLEGAL},
    /* RFC 5246 7.4.1.3: "a single compression algorithm selected by the server from the list
     * in ClientHello.compression_methods"; we offered null only. No alert named. */
    {"SH: compression method 1", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_sh_compression,
     E_ILLEGAL},
    /* RFC 5246 7.4.1.4: "If a client receives an extension type in ServerHello that it did
     * not request in the associated ClientHello, it MUST abort the handshake with an
     * unsupported_extension fatal alert." */
    /* RFC 6066 3: the server's server_name "SHALL be empty" */
    {"SH: server_name with a body", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_ADD, CL_EXT_SERVER_NAME, B(0)}), E_DECODE},
    {"SH: ALPN, not offered", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_ADD, CL_EXT_ALPN, B(0, 3, 2, 'h', '2')}), E_UNSUPPORTED_EXT},
    {"SH: session_ticket, not offered", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_ADD, CL_EXT_SESSION_TICKET}), E_UNSUPPORTED_EXT},
    {"SH: an unknown extension", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, OPS({X_ADD, 0xfe00}),
     E_UNSUPPORTED_EXT},
    /* RFC 5746 3.4 (quoted above). */
    {"SH: renegotiation_info not empty", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_RENEGOTIATION_INFO, B(1, 0xaa)}), E_HS_FAILURE},
    /* RFC 8422 5.2: the server's list "MUST contain the value 0 (uncompressed)"; no alert
     * named: illegal_parameter, as 5.1.2 names for the client's. */
    {"SH: ec_point_formats without uncompressed", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_EC_POINT_FORMATS, B(1, 1)}), E_ILLEGAL},
    /* RFC 7366 2: "the "extension_data" field of this extension SHALL be empty". */
    {"SH: encrypt_then_mac with data", BAD_SERVER, s_cbc, .msg = CL_HS_SERVER_HELLO,
     OPS({X_SET, CL_EXT_ENCRYPT_THEN_MAC, B(0)}), E_DECODE},
    /* RFC 7366 3: a server that selects an AEAD suite "MUST NOT send an encrypt-then-MAC
     * response extension back to the client"; no alert named: illegal_parameter, a field
     * inconsistent with another (RFC 5246 7.2.2). */
    {"SH: encrypt_then_mac for an AEAD suite", BAD_SERVER, s_cbc_offered_gcm_chosen,
     .msg = CL_HS_SERVER_HELLO, OPS({X_ADD, CL_EXT_ENCRYPT_THEN_MAC}), E_ILLEGAL,
     .why = "not a CBC suite"},
    /* RFC 5246 7.4.1.4: an extension the client did not offer (it offers encrypt_then_mac
     * only with a CBC suite). */
    {"SH: encrypt_then_mac not offered", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_ADD, CL_EXT_ENCRYPT_THEN_MAC}), E_UNSUPPORTED_EXT},
    /* RFC 7627 5.2: "If a client receives a ServerHello without the extension, it SHOULD
     * abort the handshake if it does not wish to interoperate with legacy servers"
     * (handshake_failure); clasp requires it by default. */
    {"SH: no extended master secret", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     OPS({X_DEL, CL_EXT_EXTENDED_MASTER_SECRET}), E_HS_FAILURE, .why = "extended master"},
    /* RFC 5246 E.1: "If the version chosen by the server is not supported by the client (or
     * not acceptable), the client MUST send a "protocol_version" alert message". */
    {"SH: TLS 1.1", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_hello_version,
     .arg = U16(0x0302), E_VERSION},
    {"SH: SSL 3.0", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_hello_version,
     .arg = U16(0x0300), E_VERSION},
    {"SH: 0x0304 without supported_versions", BAD_SERVER, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_hello_version, .arg = U16(0x0304), E_VERSION},
    /* RFC 8446 4.1.3: "TLS 1.3 clients receiving a ServerHello indicating TLS 1.2 or below
     * MUST check that the last 8 bytes are not equal to either of these values. ... If a
     * match is found, the client MUST abort the handshake with an "illegal_parameter"
     * alert." */
    {"SH: downgrade sentinel (DOWNGRD 01) to a TLS 1.3 client", BAD_SERVER, s_client13,
     .msg = CL_HS_SERVER_HELLO, .edit = edit_sh_random_tail,
     .arg = XB(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x01), E_ILLEGAL, .why = "downgrade"},
    {"SH: downgrade sentinel (DOWNGRD 00) to a TLS 1.3 client", BAD_SERVER, s_client13,
     .msg = CL_HS_SERVER_HELLO, .edit = edit_sh_random_tail,
     .arg = XB(0x44, 0x4f, 0x57, 0x4e, 0x47, 0x52, 0x44, 0x00), E_ILLEGAL, .why = "downgrade"},
    /* RFC 8446 4.2.1: a supported_versions "containing a version prior to TLS 1.3": the
     * client "MUST abort the handshake with an "illegal_parameter" alert". */
    {"SH: supported_versions selecting TLS 1.2", BAD_SERVER, s_client13, .msg = CL_HS_SERVER_HELLO,
     OPS({X_ADD, CL_EXT_SUPPORTED_VERSIONS, B(3, 3)}), E_ILLEGAL},
    {"SH: twice", BAD_SERVER, .msg = CL_HS_SERVER_HELLO, .edit = edit_twice, E_UNEXPECTED},

    /* ==== the server's Certificate ==== */

    /* RFC 5246 7.4: messages out of order, skipped or repeated are unexpected_message. */
    /* More certificates than the client accepts (10 by default): the message parses
     * (certificate_list bounds bytes only), the chain is refused: bad_certificate, "A
     * certificate was corrupt, ... etc." (RFC 5246 7.2.2). Ten pass: test_tls12.c. */
    {"server Certificate: 11 certificates", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = kit12_cert_repeat, .arg = &(unsigned){11}, E_BAD_CERT, .why = "more than 10"},
    {"server Certificate: 600 certificates", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = kit12_cert_repeat, .arg = &(unsigned){600}, E_BAD_CERT, .why = "more than 10"},
    {"server Certificate: dropped", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_drop,
     E_UNEXPECTED, .why = "unexpected ServerKeyExchange"},
    {"server Certificate: twice", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = edit_twice,
     E_UNEXPECTED},
    {"server Certificate: trailing byte", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = kit_trailing_byte, E_DECODE},
    {"server Certificate: truncated", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = kit_truncate,
     E_DECODE},
    /* RFC 5246 7.4.2: the server's certificate_list carries its certificate; an empty one
     * names no alert: decode_error, clasp's choice. */
    {"server Certificate: empty", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = edit_body,
     .arg = XB(0, 0, 0), E_DECODE},
    /* RFC 5246 7.2.2: unknown_ca. */
    {"server Certificate: untrusted CA", BAD_SERVER, s_untrusted, E_UNKNOWN_CA},
    {"server Certificate: expired", BAD_SERVER, s_expired, .err = CLASP_ERR_CERTIFICATE_EXPIRED,
     .alert = CLASP_ALERT_CERTIFICATE_EXPIRED},
    {"server Certificate: another name", BAD_SERVER, s_wrong_name, .err = CLASP_ERR_BAD_CERTIFICATE,
     .alert = CLASP_ALERT_BAD_CERTIFICATE},
    /* RFC 5246 7.4.2: the key "MUST be appropriate for the negotiated cipher suite's key
     * exchange algorithm"; 7.2.2: unsupported_certificate "A certificate was of an
     * unsupported type". */
    {"server Certificate: RSA key for ECDHE_ECDSA", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_cert_rsa, .err = CLASP_ERR_UNSUPPORTED_CERTIFICATE,
     .alert = CLASP_ALERT_UNSUPPORTED_CERTIFICATE},

    /* ==== ServerKeyExchange ==== */

    /* RFC 8422 2: with ECDHE the server "MUST send" a ServerKeyExchange. */
    {"SKE: dropped (ECDHE)", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE, .edit = kit_drop,
     E_UNEXPECTED, .why = "unexpected ServerHelloDone"},
    /* RFC 5246 7.4.3: "It is not legal to send the ServerKeyExchange message for ... RSA". */
    {"SKE: with RSA key exchange", BAD_SERVER, s_rsa_kx, .msg = CL_HS_CERTIFICATE,
     .edit = edit_after, .arg = XB(MSG_SKE), E_UNEXPECTED, .why = "unexpected ServerKeyExchange"},
    {"SKE: twice", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE, .edit = edit_twice, E_UNEXPECTED},
    {"SKE: before Certificate", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = edit_before,
     .arg = XB(MSG_SKE), E_UNEXPECTED},
    {"SKE: trailing byte", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE, .edit = kit_trailing_byte,
     E_DECODE},
    {"SKE: truncated", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE, .edit = kit_truncate,
     E_DECODE},
    /* RFC 5246 7.2.2: decrypt_error "A handshake cryptographic operation failed, including
     * being unable to correctly verify a signature". */
    {"SKE: bad signature (ECDSA)", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = kit_flip_last, E_DECRYPT},
    {"SKE: bad signature (RSA-PSS)", BAD_SERVER, s_ecdhe_rsa, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = kit_flip_last, E_DECRYPT},
    {"SKE: bad signature (Ed25519)", BAD_SERVER, s_ed25519, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = kit_flip_last, E_DECRYPT},
    {"SKE: empty signature", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_empty_sig, E_DECRYPT},
    /* RFC 5246 7.4.1.4.1: the server's signature uses a pair the client listed; no alert
     * named: illegal_parameter. RFC 9155: no SHA-1 or MD5 signatures. */
    {"SKE: scheme not offered", BAD_SERVER, s_narrow_schemes, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_scheme, .arg = U16(0x0503), E_ILLEGAL},
    {"SKE: SHA-1 scheme", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE, .edit = edit_ske_scheme,
     .arg = U16(0x0203), E_ILLEGAL},
    {"SKE: MD5 scheme", BAD_SERVER, s_ecdhe_rsa, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_scheme, .arg = U16(0x0101), E_ILLEGAL},
    {"SKE: scheme that does not fit the key", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_scheme, .arg = U16(0x0804), E_ILLEGAL},
    /* RFC 8422 5.4: explicit curves are deprecated ("named_curve" only; 5.1.1). */
    {"SKE: curve_type explicit_prime", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = XB(1, 0, 0x1d, 1, 9), E_ILLEGAL},
    /* RFC 8422 5.1.1: the server's curve is one the client listed; no alert named:
     * illegal_parameter. The ServerKeyExchange is signed correctly. */
    {"SKE: group not offered", BAD_SERVER, s_x25519, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params,
     .arg = &(xbytes){secp256r1_x25519_point, sizeof(secp256r1_x25519_point)}, E_ILLEGAL,
     .why = "not offered"},
    {"SKE: an FFDHE group as the curve, offered", BAD_SERVER, s_x25519_ffdhe,
     .msg = CL_HS_SERVER_KEY_EXCHANGE, .edit = edit_ske_params,
     .arg = &(xbytes){ffdhe2048_curve, sizeof(ffdhe2048_curve)}, E_ILLEGAL,
     .why = "not offered as a curve"},
    /* RFC 7919 3: after the signature, "compare the selected dh_p and dh_g with the FFDHE
     * groups offered by the client ... it MAY decide to terminate the connection with a
     * fatal insufficient_security(71) alert"; clasp accepts no other group. Then "the client
     * MUST verify that dh_Ys is in the range 1 < dh_Ys < dh_p - 1 ... handshake_failure". */
    {"SKE: DH prime of no RFC 7919 group", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){ske_custom_p, sizeof(ske_custom_p)}, E_INSUFFICIENT,
     .why = "no RFC 7919 group"},
    {"SKE: DH generator 5", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){ske_g5, sizeof(ske_g5)}, E_INSUFFICIENT,
     .why = "no RFC 7919 group"},
    {"SKE: DH group not offered (ffdhe3072)", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){ske_3072, sizeof(ske_3072)}, E_INSUFFICIENT,
     .why = "ffdhe3072"},
    {"SKE: dh_Ys of 1", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){ske_ys_one, sizeof(ske_ys_one)}, E_HS_FAILURE,
     .why = "out of range"},
    {"SKE: dh_Ys of p - 1", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){ske_ys_pm1, sizeof(ske_ys_pm1)}, E_HS_FAILURE,
     .why = "out of range"},
    {"SKE: dh_Ys of p", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){ske_ys_p, sizeof(ske_ys_p)}, E_HS_FAILURE,
     .why = "out of range"},
    {"SKE: dh_Ys longer than p", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){ske_ys_long, sizeof(ske_ys_long)}, E_HS_FAILURE,
     .why = "out of range"},
    {"SKE: DHE with an empty dh_g", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = XB(0, 1, 2, 0, 0, 0, 1, 2), E_DECODE},
    {"SKE: DHE truncated", BAD_SERVER, s_dhe, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = kit_truncate, E_DECODE},
    {"SKE: unknown group", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE, .edit = edit_ske_params,
     .arg = &(xbytes){unknown_group, sizeof(unknown_group)}, E_ILLEGAL},
    /* RFC 8422 5.11 (point validation) and RFC 7748 6.1 (all-zero X25519 output): the
     * point is refused; no alert named: illegal_parameter (RFC 8446 6 uses it for a bad
     * share). */
    {"SKE: all-zero X25519 point", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){x25519_zero, sizeof(x25519_zero)}, E_ILLEGAL,
     .why = "point"},
    {"SKE: X25519 point of 31 bytes", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){x25519_short, sizeof(x25519_short)}, E_ILLEGAL},
    {"SKE: P-256 point off the curve", BAD_SERVER, s_p256, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){p256_off_curve, sizeof(p256_off_curve)}, E_ILLEGAL},
    {"SKE: compressed P-256 point", BAD_SERVER, s_p256, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_ske_params, .arg = &(xbytes){p256_compressed, sizeof(p256_compressed)},
     E_ILLEGAL},

    /* ==== CertificateRequest and ServerHelloDone ==== */

    {"CR: twice", BAD_SERVER, s_mutual, .msg = CL_HS_CERTIFICATE_REQUEST, .edit = edit_twice,
     E_UNEXPECTED},
    {"CR: before ServerKeyExchange", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_before, .arg = XB(MSG_CR), E_UNEXPECTED},
    {"CR: after ServerHelloDone", BAD_SERVER, .msg = CL_HS_SERVER_HELLO_DONE, .edit = edit_after,
     .arg = XB(MSG_CR), E_UNEXPECTED},
    {"CR: trailing byte", BAD_SERVER, s_mutual, .msg = CL_HS_CERTIFICATE_REQUEST,
     .edit = kit_trailing_byte, E_DECODE},
    {"CR: truncated", BAD_SERVER, s_mutual, .msg = CL_HS_CERTIFICATE_REQUEST, .edit = kit_truncate,
     E_DECODE},
    /* ClientCertificateType certificate_types<1..2^8-1> */
    {"CR: no certificate types", BAD_SERVER, s_mutual, .msg = CL_HS_CERTIFICATE_REQUEST,
     .edit = edit_cr_no_types, E_DECODE},
    /* Dropped, the client waits; the server's ChangeCipherSpec then comes too early. */
    {"SHD: dropped", BAD_SERVER, .msg = CL_HS_SERVER_HELLO_DONE, .edit = kit_drop,
     .then = then_server_ccs, E_UNEXPECTED, .why = "change_cipher_spec"},
    {"SHD: twice", BAD_SERVER, .msg = CL_HS_SERVER_HELLO_DONE, .edit = edit_twice, E_UNEXPECTED},
    {"SHD: before ServerKeyExchange", BAD_SERVER, .msg = CL_HS_SERVER_KEY_EXCHANGE,
     .edit = edit_before, .arg = XB(MSG_SHD), E_UNEXPECTED, .why = "unexpected ServerHelloDone"},
    /* struct { } ServerHelloDone; */
    {"SHD: with a body", BAD_SERVER, .msg = CL_HS_SERVER_HELLO_DONE, .edit = kit_trailing_byte,
     E_DECODE},

    /* ==== the client's flight (the server is the victim) ==== */

    /* RFC 5246 7.4.6: "If the client does not send any certificates, the server MAY at its
     * discretion either continue the handshake without client authentication, or respond
     * with a fatal handshake_failure alert." */
    {"client Certificate: required, empty", BAD_CLIENT, s_require_none, E_HS_FAILURE,
     .why = "no certificate"},
    {"client Certificate: 11 certificates", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = kit12_cert_repeat, .arg = &(unsigned){11}, E_BAD_CERT, .why = "more than 10"},
    {"client Certificate: dropped", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = kit_drop, E_UNEXPECTED, .why = "unexpected ClientKeyExchange"},
    {"client Certificate: twice", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = edit_twice, E_UNEXPECTED},
    {"client Certificate: not asked for", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = edit_before, .arg = XB(MSG_CERT0), E_UNEXPECTED},
    {"client Certificate: trailing byte", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = kit_trailing_byte, E_DECODE},
    {"client Certificate: untrusted CA", BAD_CLIENT, s_untrusted_client, E_UNKNOWN_CA},
    /* An empty Certificate, then a CertificateVerify: nothing to verify, out of order. */
    {"client Certificate: empty, then CV", BAD_CLIENT, s_mutual_optional, .msg = CL_HS_CERTIFICATE,
     .edit = edit_body, .arg = XB(0, 0, 0), E_UNEXPECTED, .why = "unexpected CertificateVerify"},
    {"CKE: dropped", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = kit_drop, E_UNEXPECTED,
     .why = "change_cipher_spec"},
    {"CKE: twice", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_twice, E_UNEXPECTED},
    {"CKE: before the client Certificate", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE,
     .edit = edit_before, .arg = XB(MSG_CKE), E_UNEXPECTED},
    {"CKE: trailing byte", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = kit_trailing_byte,
     E_DECODE},
    {"CKE: truncated", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = kit_truncate,
     E_DECODE},
    /* ecdh_Yc<1..2^8-1> */
    {"CKE: empty point", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_body,
     .arg = XB(0), E_DECODE},
    /* RFC 8422 5.11 and RFC 7748 6.1, as for ServerKeyExchange: illegal_parameter. */
    /* RFC 7919 4: "the server MUST verify that 1 < dh_Yc < dh_p - 1. If dh_Yc is out of
     * range, the server MUST terminate the connection with a fatal handshake_failure(40)". */
    {"CKE: dh_Yc of 1", BAD_CLIENT, s_dhe, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_body,
     .arg = &(xbytes){cke_dh_one, sizeof(cke_dh_one)}, E_HS_FAILURE, .why = "out of range"},
    {"CKE: dh_Yc of p - 1", BAD_CLIENT, s_dhe, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_body,
     .arg = &(xbytes){cke_dh_pm1, sizeof(cke_dh_pm1)}, E_HS_FAILURE, .why = "out of range"},
    {"CKE: dh_Yc of 0", BAD_CLIENT, s_dhe, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_body,
     .arg = &(xbytes){cke_dh_zero, sizeof(cke_dh_zero)}, E_HS_FAILURE, .why = "out of range"},
    {"CKE: empty dh_Yc", BAD_CLIENT, s_dhe, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_body,
     .arg = XB(0, 0), E_DECODE},
    {"CKE: DHE with a trailing byte", BAD_CLIENT, s_dhe, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = kit_trailing_byte, E_DECODE},
    {"CKE: all-zero X25519 point", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_body,
     .arg = &(xbytes){cke_x25519_zero, sizeof(cke_x25519_zero)}, E_ILLEGAL, .why = "point"},
    {"CKE: X25519 point of 31 bytes", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = edit_body, .arg = &(xbytes){cke_x25519_short, sizeof(cke_x25519_short)}, E_ILLEGAL},
    {"CKE: P-256 point off the curve", BAD_CLIENT, s_p256, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = edit_body, .arg = &(xbytes){cke_p256_off_curve, sizeof(cke_p256_off_curve)},
     E_ILLEGAL},
    {"CKE (RSA): trailing byte", BAD_CLIENT, s_rsa_kx, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = kit_trailing_byte, E_DECODE},
    /* A ciphertext whose length is not the modulus': public, refused at once with
     * decrypt_error (no alert named; OpenSSL and BoringSSL do the same). */
    {"CKE (RSA): one byte short", BAD_CLIENT, s_rsa_kx, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = edit_rsa_cke_short, E_DECRYPT},
    /* RFC 5246 7.4.8: a client that sent a certificate (with signing capability) sends a
     * CertificateVerify; skipped: the ChangeCipherSpec arrives where it was due. */
    {"CV: dropped", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = kit_drop,
     E_UNEXPECTED, .why = "change_cipher_spec"},
    {"CV: twice", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY, .edit = edit_twice,
     E_UNEXPECTED},
    {"CV: without a certificate", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_after,
     .arg = XB(MSG_CV), E_UNEXPECTED, .why = "unexpected CertificateVerify"},
    {"CV: trailing byte", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = kit_trailing_byte, E_DECODE},
    /* RFC 5246 7.2.2 (decrypt_error, quoted above). */
    {"CV: bad signature", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = kit_flip_last, E_DECRYPT},
    {"CV: empty signature", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = edit_cv_empty, E_DECRYPT},
    /* RFC 5246 7.4.8: the algorithms "MUST be one of those present in the
     * supported_signature_algorithms field of the CertificateRequest message"; no alert
     * named: illegal_parameter. */
    {"CV: scheme not in the CertificateRequest", BAD_CLIENT, s_mutual_narrow,
     .msg = CL_HS_CERTIFICATE_VERIFY, .edit = edit_cv_scheme, .arg = U16(0x0503), E_ILLEGAL},
    {"CV: SHA-1 scheme", BAD_CLIENT, s_mutual, .msg = CL_HS_CERTIFICATE_VERIFY,
     .edit = edit_cv_scheme, .arg = U16(0x0203), E_ILLEGAL},

    /* ==== ChangeCipherSpec (RFC 5246 7.1) ==== */

    /* CVE-2014-0224: a ChangeCipherSpec before the keys exist. It is accepted only where the
     * state machine expects it; anywhere else it is an "inappropriate message" (7.2.2:
     * unexpected_message). */
    {"CCS: right after ServerHello", BAD_SERVER, .msg = CL_HS_CERTIFICATE, .edit = edit_ccs_before,
     E_UNEXPECTED, .why = "change_cipher_spec"},
    {"CCS: before ServerHelloDone", BAD_SERVER, .msg = CL_HS_SERVER_HELLO_DONE,
     .edit = edit_ccs_before, E_UNEXPECTED, .why = "change_cipher_spec"},
    {"CCS: right after the client's Certificate", BAD_CLIENT, s_mutual,
     .msg = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_ccs_before, E_UNEXPECTED,
     .why = "change_cipher_spec"},
    {"CCS: before ClientKeyExchange", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = edit_ccs_before, E_UNEXPECTED, .why = "change_cipher_spec"},
    {"CCS: before the client's CertificateVerify", BAD_CLIENT, s_mutual,
     .msg = CL_HS_CERTIFICATE_VERIFY, .edit = edit_ccs_before, E_UNEXPECTED,
     .why = "change_cipher_spec"},
    {"CCS: before the ClientHello", BAD_CLIENT, .start = start_ccs, E_UNEXPECTED,
     .why = "change_cipher_spec"},
    {"CCS: the client's twice", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = edit_second_ccs,
     E_UNEXPECTED, .why = "change_cipher_spec"},
    {"CCS: the server's twice", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = edit_second_ccs,
     E_UNEXPECTED, .why = "change_cipher_spec"},
    {"CCS: after the handshake", BAD_CLIENT, AFTER(I_WRITE, CL_CT_CHANGE_CIPHER_SPEC, B(1)),
     E_UNEXPECTED, .why = "change_cipher_spec"},
    /* RFC 5246 7.1: "The message consists of a single byte of value 1." No alert named:
     * decode_error, clasp's choice. */
    {"CCS: value 2 from the client", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = edit_ccs_body,
     .arg = XB(2), E_DECODE},
    {"CCS: two bytes from the client", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = edit_ccs_body,
     .arg = XB(1, 1), E_DECODE},
    {"CCS: value 2 from the server", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = edit_ccs_body,
     .arg = XB(2), E_DECODE},
    /* No handshake message may straddle the key change (RFC 8446 5.1 for TLS 1.3; RFC 5246
     * does not say; clasp refuses with unexpected_message). */
    {"CCS: inside a fragmented CertificateVerify", BAD_CLIENT, s_mutual,
     .msg = CL_HS_CERTIFICATE_VERIFY, .edit = edit_half_then_ccs, E_UNEXPECTED,
     .why = "interrupts"},

    /* ==== Finished (RFC 5246 7.4.9) ==== */

    /* "Recipients of Finished messages MUST verify that the contents are correct";
     * 7.2.2: decrypt_error "... or validate a Finished message". */
    {"client Finished: wrong", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = kit_flip_last, E_DECRYPT},
    {"client Finished: wrong, after a certificate", BAD_CLIENT, s_mutual, .msg = CL_HS_FINISHED,
     .edit = kit_flip_last, E_DECRYPT},
    {"server Finished: wrong", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = kit_flip_last, E_DECRYPT},
    /* verify_data[verify_data_length], 12 bytes for every suite here */
    {"client Finished: trailing byte", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = kit_trailing_byte,
     E_DECODE},
    {"client Finished: truncated", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = kit_truncate,
     E_DECODE},
    {"server Finished: trailing byte", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = kit_trailing_byte,
     E_DECODE},
    {"server Finished: truncated", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = kit_truncate,
     E_DECODE},
    /* RFC 5246 7.4.9: "A Finished message is always sent immediately after a change cipher
     * spec message". */
    {"client Finished: before its CCS", BAD_CLIENT, .msg = CL_HS_CLIENT_KEY_EXCHANGE,
     .edit = edit_after, .arg = XB(MSG_FIN), E_UNEXPECTED, .why = "unexpected Finished"},
    {"server Finished: before its CCS", BAD_SERVER, .msg = CL_HS_SERVER_HELLO_DONE,
     .edit = edit_after, .arg = XB(MSG_FIN), E_UNEXPECTED, .why = "unexpected Finished"},
    {"client Finished: twice", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = edit_twice, E_UNEXPECTED},
    {"server Finished: twice", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = edit_twice, E_UNEXPECTED},
    /* Dropped: the application data the misbehaving side sends next comes first. */
    {"client Finished: dropped", BAD_CLIENT, .msg = CL_HS_FINISHED, .edit = kit_drop, E_UNEXPECTED,
     .why = "application data before"},
    {"server Finished: dropped", BAD_SERVER, .msg = CL_HS_FINISHED, .edit = kit_drop, E_UNEXPECTED,
     .why = "application data before"},
    /* RFC 5246 7.4.9: application data only after the Finished. */
    {"application data before the client's Finished", BAD_CLIENT, .msg = CL_HS_FINISHED,
     .edit = edit_app_data_before, E_UNEXPECTED, .why = "application data before"},
    {"application data before the server's Finished", BAD_SERVER, .msg = CL_HS_FINISHED,
     .edit = edit_app_data_before, E_UNEXPECTED, .why = "application data before"},
    {"application data before the ClientHello", BAD_CLIENT, .start = start_app_data, E_UNEXPECTED,
     .why = "application data before"},

    /* ==== resumption (RFC 5246 7.3, RFC 7627 5.3) ==== */

    /* RFC 7627 5.3: "If the original session used the "extended_master_secret" extension
     * but the new ClientHello does not contain it, the server MUST abort the abbreviated
     * handshake." (5.2: "abort" is handshake_failure.) The server here does not require the
     * extension for full handshakes: it is the resumption that must fail. */
    {"resume: hello without EMS for an EMS session", BAD_CLIENT, s_resume,
     .msg = CL_HS_CLIENT_HELLO, OPS({X_DEL, CL_EXT_EXTENDED_MASTER_SECRET}), E_HS_FAILURE,
     .why = "session used the extended master secret"},
    /* RFC 7627 5.3: "If the original session used the extension but the new ServerHello
     * does not contain the extension, the client MUST abort the handshake." */
    {"resume: ServerHello without EMS for an EMS session", BAD_SERVER, s_resume,
     .msg = CL_HS_SERVER_HELLO, OPS({X_DEL, CL_EXT_EXTENDED_MASTER_SECRET}), E_HS_FAILURE},
    /* "If the original session did not use the "extended_master_secret" extension but the
     * new ServerHello contains the extension, the client MUST abort the handshake." */
    {"resume: ServerHello with EMS for a session without", BAD_SERVER, s_resume_no_ems,
     .msg = CL_HS_SERVER_HELLO, OPS({X_ADD, CL_EXT_EXTENDED_MASTER_SECRET}), E_HS_FAILURE},
    /* RFC 5246 7.4.1.3: "For resumed sessions, this field is the value from the state of the
     * session being resumed." No alert named: illegal_parameter. */
    {"resume: another suite", BAD_SERVER, s_resume, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_sh_suite, .arg = U16(0xc02c), E_ILLEGAL, .why = "another suite"},
    /* RFC 5246 7.3: the abbreviated handshake goes ServerHello, ChangeCipherSpec, Finished. */
    {"resume: server Certificate", BAD_SERVER, s_resume, .msg = CL_HS_SERVER_HELLO,
     .edit = edit_after, .arg = XB(MSG_CERT0), E_UNEXPECTED, .why = "unexpected Certificate"},
    {"resume: server Finished wrong", BAD_SERVER, s_resume, .msg = CL_HS_FINISHED,
     .edit = kit_flip_last, E_DECRYPT},
    {"resume: client Finished wrong", BAD_CLIENT, s_resume, .msg = CL_HS_FINISHED,
     .edit = kit_flip_last, E_DECRYPT},
    {"resume: server Finished twice", BAD_SERVER, s_resume, .msg = CL_HS_FINISHED,
     .edit = edit_twice, E_UNEXPECTED},

    /* ==== renegotiation, refused (RFC 5246 7.4.1.1, 7.2.2; RFC 5746) ==== */

    /* struct { } HelloRequest; */
    {"HelloRequest with a body", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_HELLO_REQUEST, 0, 0, 1, 0)), E_DECODE},
    /* ... refused on its header: the body is not awaited. */
    {"HelloRequest announcing a body", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_HELLO_REQUEST, 0, 0, 1)), E_DECODE},
    /* A renegotiating ClientHello larger than any ClientHello can be (RFC 5246 7.4.1.2):
     * refused on its header, before it is buffered. RFC 5246 7.2.2: decode_error, "the
     * length of the message was incorrect", as for every message over clasp's size caps. */
    {"ClientHello after the handshake, over the size cap", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_CLIENT_HELLO, 0xff, 0xff, 0xff)), E_DECODE,
     .why = "over the limit"},
    {"a Certificate over the size cap", BAD_SERVER, .msg = CL_HS_CERTIFICATE,
     .edit = edit_huge_header, E_DECODE, .why = "over the limit"},
    /* Each is answered with a warning; a flood is a limit the RFC leaves to implementations:
     * clasp answers 32 in a row without application data between them, in their own records
     * or together. */
    {"HelloRequest: 33 in a row", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(MSG_HELLO_R), .count = 33), E_UNEXPECTED,
     .why = "too many renegotiation"},
    {"HelloRequest: 33 in one record", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, hello_requests_33, sizeof(hello_requests_33)), E_UNEXPECTED,
     .why = "too many renegotiation"},
    /* Only servers send HelloRequest, only clients ClientHello. */
    {"HelloRequest to the server", BAD_CLIENT, AFTER(I_WRITE, CL_CT_HANDSHAKE, B(MSG_HELLO_R)),
     E_UNEXPECTED},
    {"ClientHello to the client", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_CLIENT_HELLO, 0, 0, 0)), E_UNEXPECTED},
    {"ServerHello after the handshake", BAD_SERVER,
     AFTER(I_WRITE, CL_CT_HANDSHAKE, B(CL_HS_SERVER_HELLO, 0, 0, 0)), E_UNEXPECTED},
    {"Finished after the handshake", BAD_CLIENT, AFTER(I_WRITE, CL_CT_HANDSHAKE, B(MSG_FIN)),
     E_UNEXPECTED},
    /* Warnings, 33 in a row (the same limit). */
    {"warning alerts: 33 in a row", BAD_CLIENT,
     AFTER(I_WRITE, CL_CT_ALERT, B(1, CLASP_ALERT_NO_RENEGOTIATION), .count = 33), E_UNEXPECTED,
     .why = "too many"},

    /* ==== records (RFC 5246 6.2) ==== */

    /* 6.2.3: "The length MUST NOT exceed 2^14 + 2048"; 7.2.2: record_overflow "A
     * TLSCiphertext record was received that had a length more than 2^14+2048 bytes". */
    {"record: longer than 2^14 + 2048", BAD_CLIENT,
     AFTER(I_RAW, .data = oversized_record, .len = sizeof(oversized_record)), E_OVERFLOW},
    /* 6.2.1: TLSPlaintext.length "MUST NOT exceed 2^14"; a record that authenticates but
     * holds more: record_overflow (7.2.2 names it beyond 2^14 + 1024 for compressed data;
     * with null compression clasp draws the line at 2^14, as RFC 8446 5.1 does). */
    {"record: plaintext of 2^14 + 1", BAD_CLIENT,
     AFTER(I_SEAL, CL_CT_APPLICATION_DATA, zeros, CL_MAX_PLAINTEXT + 1), E_OVERFLOW},
    /* 6.2.1: "The length MUST NOT exceed 2^14." */
    {"record: plaintext record longer than 2^14", BAD_CLIENT, .start = start_big_plaintext,
     E_OVERFLOW},
    /* A ciphertext that can only hold more than 2^14 bytes (AES-GCM: 2^14 + 8 + 16 at most)
     * is refused before it is decrypted, with record_overflow, as OpenSSL does; RFC 5246
     * 7.2.2 defines record_overflow on the decrypted length, leaving this case open. One
     * byte shorter, it could be genuine: decrypted, it fails (bad_record_mac). */
    {"record: 2^14 + 25 bytes of AES-GCM ciphertext", BAD_CLIENT,
     AFTER(I_RAW, .data = record_2_14_25, .len = sizeof(record_2_14_25)), E_OVERFLOW},
    {"record: 2^14 + 24 bytes, not authentic", BAD_CLIENT,
     AFTER(I_RAW, .data = record_2_14_24, .len = sizeof(record_2_14_24)), E_BAD_MAC},
    /* 6.2.3.3: "If the decryption fails, a fatal bad_record_mac alert MUST be generated." A
     * record too short for the explicit nonce and the tag cannot decrypt. */
    {"record: shorter than explicit nonce + tag", BAD_CLIENT,
     AFTER(I_RAW, .data = short_record, .len = sizeof(short_record)), E_BAD_MAC},
    {"record: empty protected record", BAD_CLIENT, AFTER(I_RAW, .data = B(23, 3, 3, 0, 0)),
     E_BAD_MAC},
    {"record: ChaCha20 record shorter than its tag", BAD_CLIENT, s_chacha,
     AFTER(I_RAW, .data = chacha_short_record, .len = sizeof(chacha_short_record)), E_BAD_MAC},
    {"record: tampered", BAD_CLIENT, .after_fn = after_tamper, E_BAD_MAC},
    {"record: tampered (ChaCha20)", BAD_CLIENT, s_chacha, .after_fn = after_tamper, E_BAD_MAC},
    /* The header's type and the sequence number are in the additional data (6.2.3.3). */
    {"record: header type changed", BAD_CLIENT, .after_fn = after_header_type, E_BAD_MAC},
    {"record: explicit nonce changed", BAD_CLIENT, .after_fn = after_explicit_nonce, E_BAD_MAC},
    {"record: one dropped on the way", BAD_CLIENT, .after_fn = after_dropped_record, E_BAD_MAC},
    /* CBC (6.2.3.2, RFC 7366 3): whatever is changed, bad_record_mac; the type and the
     * sequence number are in the MAC, the IV in the MAC (RFC 7366) or in the first block. */
    {"record: tampered (CBC)", BAD_CLIENT, s_cbc, .after_fn = after_tamper, E_BAD_MAC},
    {"record: header type changed (CBC)", BAD_CLIENT, s_cbc, .after_fn = after_header_type,
     E_BAD_MAC},
    {"record: IV changed (CBC)", BAD_CLIENT, s_cbc, .after_fn = after_explicit_nonce, E_BAD_MAC},
    {"record: one dropped on the way (CBC)", BAD_CLIENT, s_cbc, .after_fn = after_dropped_record,
     E_BAD_MAC},
    /* A CBC record whose ciphertext is not whole blocks cannot decrypt (6.2.3.2). */
    {"record: CBC ciphertext not whole blocks", BAD_CLIENT, s_cbc,
     AFTER(I_RAW, .data = cbc_partial_block, .len = sizeof(cbc_partial_block)), E_BAD_MAC},
    /* 6.2.1: version "The version of the protocol being employed"; no alert named for another
     * one after the hellos: protocol_version, clasp's choice. */
    {"record: version {3,1} after the hello", BAD_CLIENT, .after_fn = after_header_version,
     E_VERSION},
    {"record: plaintext handshake record {3,1} after the ServerHello", BAD_SERVER,
     .msg = CL_HS_CERTIFICATE, .edit = edit_record_version, E_VERSION},
    /* RFC 8449 4: "An endpoint that receives a record larger than its advertised limit MUST
     * generate a fatal "record_overflow" alert"; in TLS 1.2 the limit is the plaintext
     * length itself (512 here: 513 is over). */
    {"record: over the peer's record_size_limit", BAD_SERVER, s_record_limit,
     AFTER(I_WRITE, CL_CT_APPLICATION_DATA, zeros, 513, .unlimited = 1), E_OVERFLOW},
    /* 6: "If a TLS implementation receives an unexpected record type, it MUST send an
     * unexpected_message alert." */
    {"record: unknown type", BAD_CLIENT, AFTER(I_RAW, .data = B(24, 3, 3, 0, 1, 0)), E_UNEXPECTED},
    {"alert: 3 bytes", BAD_CLIENT, AFTER(I_WRITE, CL_CT_ALERT, B(2, 40, 0)), E_DECODE},
    {"alert: empty record", BAD_CLIENT, AFTER(I_SEAL, CL_CT_ALERT, NULL, 0), E_UNEXPECTED,
     .why = "empty alert"},
    /* 6.2.1: "Implementations MUST NOT send zero-length fragments of Handshake, Alert, or
     * ChangeCipherSpec content types." No alert named: unexpected_message. */
    {"handshake: empty record", BAD_CLIENT, AFTER(I_SEAL, CL_CT_HANDSHAKE, NULL, 0), E_UNEXPECTED,
     .why = "empty handshake record"},
};

/* ---- what TLS 1.2 brings to the runner ---- */

static clasp_config *server12_with(const test_cert *c)
{
    return kit12_server(c, V12, V12);
}

/* The misbehaving side sends application data as soon as it has write keys. */
static int leak12(clasp_conn *bad)
{
    if (!cl_rl_write_protected(&bad->rl))
        return 0;
    assert_int_equal(cl_rl_write(&bad->rl, CL_CT_APPLICATION_DATA, ar_secret, ar_secret_len), 0);
    return 1;
}

/* TLS 1.2 records carry no padding. */
static size_t seal12(clasp_conn *c, const inj *in, uint8_t *out, size_t cap)
{
    assert_int_equal(in->pad, 0);
    return kit_seal12(c, in->type, in->data, in->len, out, cap);
}

static const ar_version tls12 = {
    .client = client12, .server = server12_with, .leak = leak12, .seal = seal12};

/* ---- RSA key exchange: implicit rejection (RFC 5246 7.4.7.1) ---- */

/*
 * "In any case, a TLS server MUST NOT generate an alert if processing an RSA-encrypted
 * premaster secret message fails, or the version number is not as expected. Instead, it
 * MUST continue the handshake with a randomly generated premaster secret." The handshake
 * then fails where the keys are first used: the server cannot open the client's Finished
 * record (bad_record_mac). Whatever was wrong with the pre-master, the server must behave
 * the same on the wire: the same alert after the same bytes.
 */
enum { PMS_HONEST, PMS_FLIPPED, PMS_WRONG_VERSION, PMS_OTHER_SECRET, PMS_GARBAGE };

/* A ClientKeyExchange carrying another pre-master secret (valid PKCS#1 padding), encrypted
 * to the server's key by the test; the client keeps its own. */
static int edit_rsa_pms(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg)
{
    int how = *(const int *)arg;
    uint8_t pms[CL_PREMASTER_LEN], enc[CL_MAX_SIG_LEN];
    size_t n = len - 6;
    if (how == PMS_FLIPPED)
        return edit_flip_middle(c, msg, len, out, NULL);
    assert_int_equal(cl_random(pms, sizeof(pms)), 0);
    pms[0] = 3;
    pms[1] = how == PMS_WRONG_VERSION ? 2 : 3; /* RFC 5246 7.4.7.1: client_version */
    if (how == PMS_WRONG_VERSION) /* the client's own secret, only the version changed */
        memcpy(pms + 2, c->hs->pms + 2, sizeof(pms) - 2);
    if (how == PMS_GARBAGE) {
        assert_int_equal(cl_random(enc, n), 0);
        enc[0] = 0; /* below the modulus, most likely not PKCS#1 */
    } else {
        assert_int_equal(cl_rsa_kx_encrypt(c->hs->peer_key, pms, enc, sizeof(enc), &n), 0);
    }
    assert_int_equal(n, len - 6);
    cl_write_u8(out, CL_HS_CLIENT_KEY_EXCHANGE);
    cl_write_u24(out, (uint32_t)(2 + n));
    cl_write_u16(out, (uint16_t)n);
    cl_write_bytes(out, enc, n);
    return 0;
}

struct rsa_outcome {
    int err, alert_sent, client_alert;
    size_t server_bytes; /* what the server sent after the client's flight */
    uint8_t out[64];
    char detail[224];
};

static void rsa_kx_case(int how, struct rsa_outcome *o)
{
    kit_pair p;
    s_rsa_kx(&p);
    kit_hook h = {.type = CL_HS_CLIENT_KEY_EXCHANGE, .edit = edit_rsa_pms, .arg = &how};
    if (how != PMS_HONEST)
        kit_hook_install(p.client, &h);
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(kit_move(p.server, p.client), 0);
    assert_int_equal(clasp_conn_error(p.client), 0);
    /* The client's flight: ClientKeyExchange, ChangeCipherSpec, Finished. */
    size_t len;
    uint8_t *flight = kit_take(p.client, &len);
    kit_rec recs[4];
    assert_int_equal(kit_records(flight, len, recs, 4), 3);
    kit_feed(p.server, flight, len);
    free(flight);
    uint8_t *out = kit_take(p.server, &o->server_bytes);
    assert_true(o->server_bytes <= sizeof(o->out));
    memcpy(o->out, out, o->server_bytes);
    assert_int_equal(kit_feed(p.client, out, o->server_bytes) != 0, how != PMS_HONEST);
    free(out);
    o->err = clasp_conn_error(p.server);
    o->alert_sent = clasp_conn_alert_sent(p.server);
    o->client_alert = clasp_conn_alert_received(p.client);
    snprintf(o->detail, sizeof(o->detail), "%s", clasp_conn_error_detail(p.server));
    if (how == PMS_HONEST) {
        assert_int_equal(clasp_conn_handshake_done(p.client), 1);
        assert_int_equal(clasp_conn_handshake_done(p.server), 1);
        kit_exchange(&p, 100);
    } else {
        uint8_t buf[64];
        size_t n;
        assert_int_equal(clasp_conn_read(p.server, buf, sizeof(buf), &n), CLASP_ERR_BAD_RECORD_MAC);
        assert_int_equal(h.edited, 1);
    }
    kit_close(&p);
}

static void test_rsa_implicit_rejection(void **state)
{
    (void)state;
    struct rsa_outcome honest, o[4];
    rsa_kx_case(PMS_HONEST, &honest);
    assert_int_equal(honest.err, 0);
    /* The honest server answers with its ChangeCipherSpec and Finished. */
    assert_true(honest.server_bytes > 7);
    for (int how = PMS_FLIPPED; how <= PMS_GARBAGE; how++) {
        struct rsa_outcome *r = &o[how - PMS_FLIPPED];
        rsa_kx_case(how, r);
        assert_int_equal(r->err, CLASP_ERR_BAD_RECORD_MAC);
        assert_int_equal(r->alert_sent, CLASP_ALERT_BAD_RECORD_MAC);
        assert_int_equal(r->client_alert, CLASP_ALERT_BAD_RECORD_MAC);
        /* One fatal alert in the clear (the server had not changed its write keys yet), and
         * nothing else. */
        assert_int_equal(r->server_bytes, 7);
        assert_memory_equal(r->out, ((const uint8_t[]){21, 3, 3, 0, 2, 2, 20}), 7);
        /* Not even the reason differs: nothing branched on the pre-master. */
        assert_string_equal(r->detail, o[0].detail);
    }
}

/* ---- a downgrade forced on a TLS 1.3 client (RFC 8446 4.1.3) ---- */

/*
 * A man in the middle removes supported_versions from the hello of a client that speaks
 * TLS 1.3 and 1.2 (here the client's own hook, so its transcript agrees): the TLS 1.3
 * server negotiates TLS 1.2 and says so in its random, and the client aborts with
 * illegal_parameter.
 */
static void test_downgrade_detected(void **state)
{
    (void)state;
    kit_pair p;
    s_both13(&p);
    kit_hook h = {.type = CL_HS_CLIENT_HELLO,
                  OPS({X_DEL, CL_EXT_SUPPORTED_VERSIONS}, {X_DEL, CL_EXT_KEY_SHARE})};
    kit_hook_install(p.client, &h);
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), 0);
    kit_move(p.server, p.client);
    assert_int_equal(clasp_conn_error(p.client), CLASP_ERR_ILLEGAL_PARAMETER);
    assert_int_equal(clasp_conn_alert_sent(p.client), CLASP_ALERT_ILLEGAL_PARAMETER);
    assert_non_null(strstr(clasp_conn_error_detail(p.client), "downgrade"));
    kit_move(p.client, p.server);
    assert_int_equal(clasp_conn_alert_received(p.server), CLASP_ALERT_ILLEGAL_PARAMETER);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_ALERT_RECEIVED);
    kit_close(&p);
}

/* ---- alerts received in TLS 1.2 ---- */

/* In TLS 1.2 a warning is only a warning (RFC 5246 7.2); a fatal alert ends the connection
 * and nothing is sent back. */
static void test_alerts_received(void **state)
{
    (void)state;
    kit_pair p;
    setup_with(&p, NULL, NULL);
    kit12_handshake(&p);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_ALERT, B(1, CLASP_ALERT_USER_CANCELED)), 0);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_ALERT, B(1, 200)), 0);
    assert_int_equal(kit_move(p.client, p.server), 0);
    assert_int_equal(clasp_conn_error(p.server), 0);
    assert_int_equal(clasp_conn_alert_received(p.server), 200);
    kit_exchange(&p, 100);
    assert_int_equal(cl_rl_write(&p.client->rl, CL_CT_ALERT, B(2, CLASP_ALERT_HANDSHAKE_FAILURE)),
                     0);
    size_t n;
    assert_int_equal(clasp_conn_write(p.client, ar_secret, ar_secret_len, &n), 0);
    kit_move(p.client, p.server);
    assert_int_equal(clasp_conn_error(p.server), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_received(p.server), CLASP_ALERT_HANDSHAKE_FAILURE);
    assert_non_null(strstr(clasp_conn_error_detail(p.server), "handshake_failure"));
    uint8_t buf[256];
    assert_int_equal(clasp_conn_read(p.server, buf, sizeof(buf), &n), CLASP_ERR_ALERT_RECEIVED);
    const uint8_t *out;
    clasp_conn_output(p.server, &out, &n);
    assert_int_equal(n, 0);
    kit_close(&p);
}

int main(void)
{
    const struct CMUnitTest extra[] = {
        cmocka_unit_test(test_rsa_implicit_rejection),
        cmocka_unit_test(test_downgrade_detected),
        cmocka_unit_test(test_alerts_received),
    };
    return ar_run_group("tls12_alerts", cases, ARRAY_LEN(cases), &tls12, extra, ARRAY_LEN(extra));
}
