/* The fuzz targets' and the recorder's common ground (peers.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "crypto/crypto.h"
#include "peers.h"

const char *fuzz_pki(const char *name)
{
    static char path[4096];
    snprintf(path, sizeof(path), "%s/%s", CLASP_FUZZ_PKI, name);
    return path;
}

/* A listener, so that every message is also described for the trace (trace_describe.c). */
static void ignore_event(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    (void)arg;
    (void)conn;
    (void)ev;
}

static void ignore_keylog(void *arg, clasp_conn *conn, const char *line)
{
    (void)arg;
    (void)conn;
    (void)line;
}

static void must(int rc, const char *what)
{
    if (rc != 0) {
        fprintf(stderr, "fuzz peers: %s: %s\n", what, clasp_strerror(rc));
        abort();
    }
}

clasp_config *fuzz_config_base(clasp_role role)
{
    clasp_config *cfg = clasp_config_new(role);
    if (!cfg)
        abort();
    must(clasp_config_set_trace(cfg, ignore_event, NULL), "trace");
    must(clasp_config_set_keylog(cfg, ignore_keylog, NULL), "keylog");
    must(clasp_config_set_alpn(cfg, role == CLASP_CLIENT ? "http/1.1" : "h2,http/1.1"), "alpn");
    must(clasp_config_load_verify_file(cfg, fuzz_pki("ca.pem")), "trust anchor");
    return cfg;
}

void fuzz_add_cert(clasp_config *cfg, const char *name)
{
    char chain[4096], key[4096];
    snprintf(chain, sizeof(chain), "%s.pem", fuzz_pki(name));
    snprintf(key, sizeof(key), "%s.key", fuzz_pki(name));
    must(clasp_config_add_cert_chain_file(cfg, chain, key), name);
}

clasp_config *fuzz_client_config(void)
{
    static clasp_config *cfg;
    if (!cfg) {
        cfg = fuzz_config_base(CLASP_CLIENT);
        must(clasp_config_set_key_shares(cfg, 2), "key shares");
        /* The opt-in key exchanges too: FFDHE (a TLS 1.3 group, and DHE_RSA in TLS 1.2). */
        must(clasp_config_set_groups(cfg, "x25519:secp256r1:secp384r1:ffdhe2048"), "groups");
        must(clasp_config_set_cipher_suites(cfg, FUZZ_SUITES), "suites");
        fuzz_add_cert(cfg, "client_ed25519");
    }
    return cfg;
}

clasp_config *fuzz_server_config(void)
{
    static clasp_config *cfg;
    if (!cfg) {
        cfg = fuzz_config_base(CLASP_SERVER);
        fuzz_add_cert(cfg, "server_ed25519");
        fuzz_add_cert(cfg, "server_p256");
        fuzz_add_cert(cfg, "server_rsa"); /* for DHE_RSA */
        must(clasp_config_set_groups(cfg, "secp256r1:x25519:ffdhe2048"), "groups");
        /*
         * The client's suites, then two CBC suites (never chosen for the recorded clients,
         * which do not offer them): a hello mutated to offer one reaches the CBC record
         * decoding, with or without encrypt-then-MAC.
         */
        must(clasp_config_set_cipher_suites(cfg,
                                            FUZZ_SUITES ":TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA:"
                                                        "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384"),
             "suites");
        /* A server that asks for client certificates parses more. */
        must(clasp_config_set_verify(cfg, CLASP_VERIFY_OPTIONAL), "verify");
        /* Every input meets the same server: no TLS 1.2 session outlives its input. */
        must(clasp_config_set_session_cache(cfg, 0, 0), "session cache");
    }
    return cfg;
}

void fuzz_buf_free(fuzz_buf *b)
{
    free(b->p);
    memset(b, 0, sizeof(*b));
}

void fuzz_buf_append(fuzz_buf *b, const uint8_t *p, size_t n)
{
    if (b->len + n > b->cap) {
        b->cap = (b->len + n) * 2;
        b->p = realloc(b->p, b->cap);
        if (!b->p)
            abort();
    }
    memcpy(b->p + b->len, p, n);
    b->len += n;
}

void fuzz_drain(fuzz_side *s, fuzz_buf *b)
{
    const uint8_t *out;
    size_t n;
    clasp_conn_output(s->c, &out, &n);
    if (b && n)
        fuzz_buf_append(b, out, n);
    clasp_conn_output_done(s->c, n);
}

/* Reads what arrived; greets once the handshake is done. */
static void react(fuzz_side *s)
{
    uint8_t buf[4096];
    size_t n;
    while (clasp_conn_read(s->c, buf, sizeof(buf), &n) == 0 && n > 0)
        ;
    if (clasp_conn_handshake_done(s->c)) {
        s->done = 1;
        if (!s->greeted) {
            static const char hello[] = "hello from the fuzz loop";
            s->greeted = 1;
            clasp_conn_write(s->c, (const uint8_t *)hello, sizeof(hello) - 1, &n);
        }
    }
}

void fuzz_turn(fuzz_side *s, const uint8_t *in, size_t len, size_t step, fuzz_buf *sent)
{
    if (step == 0)
        step = len;
    react(s); /* a client's first turn (nothing to feed) sends its ClientHello */
    fuzz_drain(s, sent);
    for (size_t off = 0; off < len && !clasp_conn_error(s->c);) {
        size_t n = len - off < step ? len - off : step, used = 0;
        clasp_conn_feed(s->c, in + off, n, &used);
        react(s);
        fuzz_drain(s, sent);
        if (used == 0)
            break;
        off += used;
    }
}

int fuzz_one(clasp_role role, const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    /* The configuration is made (once) outside the reproducible stream: what it draws (cache
     * keys and salts) must not shift the randoms of whichever input happens to come first. */
    clasp_config *cfg = role == CLASP_CLIENT ? fuzz_client_config() : fuzz_server_config();
    uint64_t state = role == CLASP_CLIENT ? FUZZ_CLIENT_SEED : FUZZ_SERVER_SEED;
    cl_fuzz_random_use(&state);
    fuzz_side s = {.c = clasp_conn_new(cfg)};
    if (!s.c || (role == CLASP_CLIENT && clasp_conn_set_server_name(s.c, "server.test") != 0))
        abort();
    fuzz_turn(&s, data + 1, size - 1, data[0], NULL);
    clasp_conn_free(s.c);
    cl_fuzz_random_use(NULL);
    return s.done;
}
