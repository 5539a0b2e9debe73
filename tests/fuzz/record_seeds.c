/*
 * The fuzzers' recorded seeds (tests/fuzz/README.md).
 *
 *   record_seeds DIR          records DIR/client/<case> and DIR/server/<case>
 *   record_seeds --check DIR  replays every seed in DIR/client and DIR/server through the
 *                             fuzz targets' own loop; fails unless each one completes its
 *                             handshake (a seed gone stale, after a change to what the
 *                             fuzzed side sends, says to record again)
 *
 * Each case runs a clasp client and a clasp server in memory, each with its own
 * reproducible randomness (FUZZ_CLIENT_SEED, FUZZ_SERVER_SEED), through the handshake, a
 * greeting each way, a KeyUpdate the server asks to be answered (TLS 1.3) and both
 * close_notify alerts. When the client is fuzz_client's configuration, everything the
 * server sent becomes a client seed: replayed to fuzz_client, whose randomness starts the
 * same, it verifies and decrypts. Likewise everything the client sent is a server seed when
 * the server is fuzz_server's. A seed is one byte (0: feed everything at once) and the
 * peer's bytes.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/ssl.h>

#include "crypto/crypto.h"
#include "peers.h"

typedef struct scenario {
    const char *name;
    clasp_config *(*client)(void); /* fuzz_client_config: the server's bytes are a client seed */
    clasp_config *(*server)(void); /* fuzz_server_config: the client's bytes are a server seed */
} scenario;

static void must(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "record_seeds: %s: %s\n", what, clasp_strerror(rc));
        exit(1);
    }
}

/* ---- the peers the fuzzed configurations meet ---- */

static clasp_config *server13(const char *cert)
{
    clasp_config *cfg = fuzz_config_base(CLASP_SERVER);
    fuzz_add_cert(cfg, cert);
    must(clasp_config_set_versions(cfg, 0x0304, 0x0304), "versions");
    return cfg;
}

static clasp_config *server12(const char *cert)
{
    clasp_config *cfg = fuzz_config_base(CLASP_SERVER);
    fuzz_add_cert(cfg, cert);
    must(clasp_config_set_versions(cfg, 0x0303, 0x0303), "versions");
    return cfg;
}

static clasp_config *s13_p256(void)
{
    return server13("server_p256");
}

/* RSA-PSS signatures, and a record size limit both ways. */
static clasp_config *s13_rsa_rsl(void)
{
    clasp_config *cfg = server13("server_rsa");
    must(clasp_config_set_record_size_limit(cfg, 512), "record size limit");
    return cfg;
}

/* The client's two shares (X25519, P-256) miss the server's one group. */
static clasp_config *s13_hrr(void)
{
    clasp_config *cfg = server13("server_p256");
    must(clasp_config_set_groups(cfg, "secp384r1"), "groups");
    return cfg;
}

static clasp_config *s12_ed25519_cr(void)
{
    clasp_config *cfg = server12("server_ed25519");
    must(clasp_config_set_verify(cfg, CLASP_VERIFY_OPTIONAL), "verify");
    return cfg;
}

static clasp_config *s12_p256(void)
{
    return server12("server_p256");
}

static clasp_config *s12_rsa(void)
{
    return server12("server_rsa");
}

static clasp_config *c13_nocert(void)
{
    clasp_config *cfg = fuzz_config_base(CLASP_CLIENT);
    must(clasp_config_set_versions(cfg, 0x0304, 0x0304), "versions");
    return cfg;
}

/* One share, P-384, which the server does not take: HelloRetryRequest for P-256. */
static clasp_config *c13_hrr(void)
{
    clasp_config *cfg = fuzz_config_base(CLASP_CLIENT);
    must(clasp_config_set_groups(cfg, "secp384r1:secp256r1"), "groups");
    must(clasp_config_set_record_size_limit(cfg, 1024), "record size limit");
    fuzz_add_cert(cfg, "client_ed25519");
    return cfg;
}

static clasp_config *c12(void)
{
    clasp_config *cfg = fuzz_config_base(CLASP_CLIENT);
    must(clasp_config_set_versions(cfg, 0x0303, 0x0303), "versions");
    fuzz_add_cert(cfg, "client_ed25519");
    return cfg;
}

static clasp_config *c12_nocert(void)
{
    clasp_config *cfg = fuzz_config_base(CLASP_CLIENT);
    must(clasp_config_set_versions(cfg, 0x0303, 0x0303), "versions");
    must(clasp_config_set_groups(cfg, "secp256r1"), "groups");
    return cfg;
}

/* TLS 1.3 with FFDHE: the fuzzed client's shares (X25519, P-256) miss: HelloRetryRequest. */
static clasp_config *s13_ffdhe(void)
{
    clasp_config *cfg = server13("server_p256");
    must(clasp_config_set_groups(cfg, "ffdhe2048"), "groups");
    return cfg;
}

/* TLS 1.2 DHE_RSA (RSA-PSS signatures: the client only checks them). */
static clasp_config *s12_dhe(void)
{
    clasp_config *cfg = server12("server_rsa");
    must(clasp_config_set_cipher_suites(cfg, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"), "suites");
    must(clasp_config_set_groups(cfg, "ffdhe2048"), "groups");
    return cfg;
}

static clasp_config *c13_ffdhe(void)
{
    clasp_config *cfg = fuzz_config_base(CLASP_CLIENT);
    must(clasp_config_set_versions(cfg, 0x0304, 0x0304), "versions");
    must(clasp_config_set_groups(cfg, "ffdhe2048"), "groups");
    return cfg;
}

/* DHE_RSA against the fuzzed server, signed with PKCS#1 v1.5: deterministic, so the
 * server's transcript, and the recorded Finished, are the same at every replay. */
static clasp_config *c12_dhe(void)
{
    clasp_config *cfg = fuzz_config_base(CLASP_CLIENT);
    must(clasp_config_set_versions(cfg, 0x0303, 0x0303), "versions");
    must(clasp_config_set_cipher_suites(cfg, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"), "suites");
    must(clasp_config_set_groups(cfg, "ffdhe2048"), "groups");
    must(clasp_config_set_signature_schemes(cfg, "rsa_pkcs1_sha256"), "schemes");
    return cfg;
}

static const scenario cases[] = {
    {"tls13_client_auth", fuzz_client_config, fuzz_server_config},
    {"tls13_p256", fuzz_client_config, s13_p256},
    {"tls13_rsa_record_size_limit", fuzz_client_config, s13_rsa_rsl},
    {"tls13_hrr", fuzz_client_config, s13_hrr},
    {"tls12_ed25519_client_auth", fuzz_client_config, s12_ed25519_cr},
    {"tls12_ecdhe_ecdsa_p256", fuzz_client_config, s12_p256},
    {"tls12_ecdhe_rsa", fuzz_client_config, s12_rsa},
    {"tls13_ffdhe2048_hrr", fuzz_client_config, s13_ffdhe},
    {"tls12_dhe_rsa", fuzz_client_config, s12_dhe},
    {"tls13_no_client_cert", c13_nocert, fuzz_server_config},
    {"tls13_hrr_p384_to_p256", c13_hrr, fuzz_server_config},
    {"tls12_client_auth", c12, fuzz_server_config},
    {"tls12_no_client_cert", c12_nocert, fuzz_server_config},
    {"tls13_ffdhe2048", c13_ffdhe, fuzz_server_config},
    {"tls12_dhe_rsa", c12_dhe, fuzz_server_config},
};

/* ---- recording ---- */

typedef struct run {
    uint64_t cst, sst; /* each side's random stream */
    fuzz_side cl, sv;
    fuzz_buf to_server, to_client; /* everything each side sent, in order */
    size_t c_off, s_off;           /* how much of it the other side has been given */
} run;

/* The bytes of b from off on (b may still be empty, its pointer NULL). */
static const uint8_t *from(const fuzz_buf *b, size_t off)
{
    return b->p ? b->p + off : NULL;
}

static void client_turn(run *r)
{
    cl_fuzz_random_use(&r->cst);
    fuzz_turn(&r->cl, from(&r->to_client, r->c_off), r->to_client.len - r->c_off, 0, &r->to_server);
    r->c_off = r->to_client.len;
}

static void server_turn(run *r)
{
    cl_fuzz_random_use(&r->sst);
    fuzz_turn(&r->sv, from(&r->to_server, r->s_off), r->to_server.len - r->s_off, 0, &r->to_client);
    r->s_off = r->to_server.len;
}

/* After the greetings: a KeyUpdate to be answered (TLS 1.3 only), a last word, the end. */
static void finale(run *r)
{
    static const char bye[] = "bye";
    size_t n;
    cl_fuzz_random_use(&r->sst);
    if (clasp_conn_version(r->sv.c) == 0x0304)
        must(clasp_conn_key_update(r->sv.c, 1), "server KeyUpdate");
    must(clasp_conn_write(r->sv.c, (const uint8_t *)bye, sizeof(bye) - 1, &n), "server write");
    must(clasp_conn_close(r->sv.c), "server close");
    fuzz_drain(&r->sv, &r->to_client);
    client_turn(r);
    cl_fuzz_random_use(&r->cst);
    must(clasp_conn_close(r->cl.c), "client close");
    fuzz_drain(&r->cl, &r->to_server);
    server_turn(r);
}

static void write_seed(const char *dir, const char *side, const char *name, const fuzz_buf *b)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s/%s", dir, side, name);
    FILE *f = fopen(path, "wb");
    static const uint8_t step = 0; /* everything at once */
    if (!f || fwrite(&step, 1, 1, f) != 1 || fwrite(b->p, 1, b->len, f) != b->len ||
        fclose(f) != 0) {
        fprintf(stderr, "record_seeds: cannot write %s\n", path);
        exit(1);
    }
}

static void record(const scenario *sc, const char *dir)
{
    run r = {.cst = FUZZ_CLIENT_SEED, .sst = FUZZ_SERVER_SEED};
    clasp_config *ccfg = sc->client(), *scfg = sc->server();
    cl_fuzz_random_use(&r.cst);
    r.cl.c = clasp_conn_new(ccfg);
    r.sv.c = clasp_conn_new(scfg);
    must(r.cl.c && r.sv.c ? 0 : CLASP_ERR_NOMEM, "connections");
    must(clasp_conn_set_server_name(r.cl.c, "server.test"), "server name");
    for (int turn = 0; turn < 8 && !(r.cl.greeted && r.sv.greeted && r.c_off == r.to_client.len &&
                                     r.s_off == r.to_server.len);
         turn++) {
        client_turn(&r);
        server_turn(&r);
    }
    if (!r.cl.done || !r.sv.done) {
        fprintf(stderr, "record_seeds: %s: no handshake: client %s / server %s\n", sc->name,
                clasp_conn_error_detail(r.cl.c), clasp_conn_error_detail(r.sv.c));
        exit(1);
    }
    finale(&r);
    printf("%-28s %s %s %s, client %zu bytes, server %zu bytes\n", sc->name,
           clasp_version_name(clasp_conn_version(r.cl.c)),
           clasp_cipher_suite_name(clasp_conn_cipher_suite(r.cl.c)),
           clasp_signature_scheme_name(clasp_conn_peer_signature_scheme(r.cl.c)), r.to_server.len,
           r.to_client.len);
    if (sc->client == fuzz_client_config)
        write_seed(dir, "client", sc->name, &r.to_client);
    if (sc->server == fuzz_server_config)
        write_seed(dir, "server", sc->name, &r.to_server);
    cl_fuzz_random_use(NULL);
    clasp_conn_free(r.cl.c);
    clasp_conn_free(r.sv.c);
    if (ccfg != fuzz_client_config())
        clasp_config_free(ccfg);
    if (scfg != fuzz_server_config())
        clasp_config_free(scfg);
    fuzz_buf_free(&r.to_server);
    fuzz_buf_free(&r.to_client);
}

/* ---- the same client against OpenSSL's server (libssl in memory) ---- */

/*
 * libssl's server sends what clasp's does not (two NewSessionTickets after a TLS 1.3
 * handshake); the client's reproducible ClientHello makes its flight replay just the same.
 */
typedef struct ossl_peer {
    SSL_CTX *ctx;
    SSL *ssl;
    BIO *in, *out; /* what the server reads, what it wrote */
} ossl_peer;

static void ossl_open(ossl_peer *o, int version)
{
    char chain[4096], key[4096];
    snprintf(chain, sizeof(chain), "%s", fuzz_pki("server_p256.pem"));
    snprintf(key, sizeof(key), "%s", fuzz_pki("server_p256.key"));
    o->ctx = SSL_CTX_new(TLS_server_method());
    if (!o->ctx || SSL_CTX_use_certificate_chain_file(o->ctx, chain) != 1 ||
        SSL_CTX_use_PrivateKey_file(o->ctx, key, SSL_FILETYPE_PEM) != 1 ||
        SSL_CTX_set_min_proto_version(o->ctx, version) != 1 ||
        SSL_CTX_set_max_proto_version(o->ctx, version) != 1)
        must(CLASP_ERR_INTERNAL, "libssl server");
    o->ssl = SSL_new(o->ctx);
    o->in = BIO_new(BIO_s_mem());
    o->out = BIO_new(BIO_s_mem());
    if (!o->ssl || !o->in || !o->out)
        must(CLASP_ERR_NOMEM, "libssl server");
    SSL_set_bio(o->ssl, o->in, o->out);
    SSL_set_accept_state(o->ssl);
}

/* The server takes what the client sent, answers, and greets once connected. */
static void ossl_turn(ossl_peer *o, run *r, int *greeted)
{
    char buf[4096];
    size_t n;
    BIO_write(o->in, from(&r->to_server, r->s_off), (int)(r->to_server.len - r->s_off));
    r->s_off = r->to_server.len;
    if (!SSL_is_init_finished(o->ssl))
        SSL_do_handshake(o->ssl);
    while (SSL_is_init_finished(o->ssl) && SSL_read_ex(o->ssl, buf, sizeof(buf), &n) == 1)
        ;
    if (SSL_is_init_finished(o->ssl) && !*greeted) {
        *greeted = SSL_write_ex(o->ssl, "pong", 4, &n) == 1;
        if (SSL_version(o->ssl) == TLS1_3_VERSION)
            SSL_key_update(o->ssl, SSL_KEY_UPDATE_REQUESTED);
    }
    for (int k; (k = BIO_read(o->out, buf, sizeof(buf))) > 0;) {
        fuzz_buf_append(&r->to_client, (const uint8_t *)buf, (size_t)k);
    }
}

static void record_openssl(const char *name, int version, const char *dir)
{
    run r = {.cst = FUZZ_CLIENT_SEED};
    ossl_peer o = {0};
    int greeted = 0;
    ossl_open(&o, version);
    cl_fuzz_random_use(&r.cst);
    r.cl.c = clasp_conn_new(fuzz_client_config());
    must(r.cl.c ? clasp_conn_set_server_name(r.cl.c, "server.test") : CLASP_ERR_NOMEM, "client");
    for (int turn = 0; turn < 8 && !(r.cl.greeted && greeted && r.c_off == r.to_client.len &&
                                     r.s_off == r.to_server.len);
         turn++) {
        client_turn(&r);
        ossl_turn(&o, &r, &greeted);
    }
    SSL_shutdown(o.ssl);
    ossl_turn(&o, &r, &greeted);
    client_turn(&r);
    if (!r.cl.done) {
        fprintf(stderr, "record_seeds: %s: no handshake: %s\n", name,
                clasp_conn_error_detail(r.cl.c));
        exit(1);
    }
    printf("%-28s %s %s against libssl, server %zu bytes\n", name,
           clasp_version_name(clasp_conn_version(r.cl.c)),
           clasp_cipher_suite_name(clasp_conn_cipher_suite(r.cl.c)), r.to_client.len);
    write_seed(dir, "client", name, &r.to_client);
    cl_fuzz_random_use(NULL);
    clasp_conn_free(r.cl.c);
    SSL_free(o.ssl);
    SSL_CTX_free(o.ctx);
    fuzz_buf_free(&r.to_server);
    fuzz_buf_free(&r.to_client);
}

/* ---- --check ---- */

static int check_side(const char *dir, const char *side, clasp_role role)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s", dir, side);
    DIR *d = opendir(path);
    int bad = 0, n = 0;
    if (!d) {
        fprintf(stderr, "record_seeds: no %s\n", path);
        return 1;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s/%s", dir, side, e->d_name);
        FILE *f = fopen(path, "rb");
        static uint8_t buf[1 << 20];
        size_t len = f ? fread(buf, 1, sizeof(buf), f) : 0;
        if (f)
            fclose(f);
        n++;
        if (!fuzz_one(role, buf, len)) {
            fprintf(stderr, "record_seeds: %s no longer completes its handshake\n", path);
            bad = 1;
        }
    }
    closedir(d);
    printf("record_seeds: %d %s seeds replayed%s\n", n, side, bad ? ", some stale" : "");
    return bad || n == 0;
}

int main(int argc, char **argv)
{
    if (argc == 3 && strcmp(argv[1], "--check") == 0) {
        int bad = check_side(argv[2], "client", CLASP_CLIENT);
        bad |= check_side(argv[2], "server", CLASP_SERVER);
        if (bad)
            fprintf(stderr, "record_seeds: record them again: make fuzz-seeds\n");
        return bad;
    }
    if (argc != 2) {
        fprintf(stderr, "usage: record_seeds DIR | record_seeds --check DIR\n");
        return 2;
    }
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++)
        record(&cases[i], argv[1]);
    record_openssl("openssl_tls13_tickets", TLS1_3_VERSION, argv[1]);
    record_openssl("openssl_tls12", TLS1_2_VERSION, argv[1]);
    return 0;
}
