/*
 * What the fuzz targets and the seed recorder share (tests/fuzz/README.md): the one client
 * and the one server configuration the targets fuzz, the fixed PKI they trust, the seeds of
 * each side's reproducible randomness (crypto.h, cl_fuzz_random_use), and how a side takes
 * its peer's bytes. A recorded flight replays only if all of these are the same when it
 * is recorded and when it is fuzzed, so they live in one place.
 */
#ifndef CLASP_FUZZ_PEERS_H
#define CLASP_FUZZ_PEERS_H

#include <stddef.h>
#include <stdint.h>

#include <clasp/clasp.h>

/* Where each side's stream of "random" bytes starts. */
#define FUZZ_CLIENT_SEED 0x636c69656e74ull /* "client" */
#define FUZZ_SERVER_SEED 0x736572766572ull /* "server" */

/* The fixed PKI (tests/fuzz/pki/, made by make.sh): a file name under it. */
const char *fuzz_pki(const char *name);

/*
 * The configurations fuzz_client and fuzz_server run, made once. The client offers TLS 1.3
 * and 1.2 with two key shares, ALPN, an Ed25519 client certificate, and trusts the fixed
 * CA. The server holds Ed25519 (first: its signatures are deterministic, so a recorded
 * client flight's Finished still verifies), P-256 and RSA certificates, asks for a client
 * certificate (optional) and trusts the same CA. Both add ffdhe2048 to the default groups
 * and a DHE_RSA suite to the default suites (FUZZ_SUITES), so the opt-in key exchanges are
 * fuzzed too.
 */
#define FUZZ_SUITES                                                                                \
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"                  \
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256:TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:"               \
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384:TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384:"               \
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256:TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256:"   \
    "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"
clasp_config *fuzz_client_config(void);
clasp_config *fuzz_server_config(void);
/* A configuration with the targets' common settings (trace listener, ALPN), to vary. */
clasp_config *fuzz_config_base(clasp_role role);
/* Adds tests/fuzz/pki/<name>.pem with <name>.key; aborts on failure. */
void fuzz_add_cert(clasp_config *cfg, const char *name);

/* Bytes one side sent, as the recorder keeps them. */
typedef struct fuzz_buf {
    uint8_t *p;
    size_t len, cap;
} fuzz_buf;

void fuzz_buf_append(fuzz_buf *b, const uint8_t *p, size_t n);
void fuzz_buf_free(fuzz_buf *b);

/* A connection and what the fuzz loop knows of it. */
typedef struct fuzz_side {
    clasp_conn *c;
    int greeted; /* wrote its greeting (once the handshake was done) */
    int done;    /* the handshake completed at some point */
} fuzz_side;

/*
 * One turn of a side: feeds it in[0..len) in pieces of at most `step` bytes (0: all at
 * once), reads whatever application data arrives, and once its handshake is done writes a
 * greeting, once. What it sends is appended to `sent` (NULL: discarded).
 */
void fuzz_turn(fuzz_side *s, const uint8_t *in, size_t len, size_t step, fuzz_buf *sent);
/* Appends what s has queued to b (NULL: discards it). */
void fuzz_drain(fuzz_side *s, fuzz_buf *b);

/*
 * A fuzz target's whole run: a fresh connection of the role's configuration, its randomness
 * seeded, given data (first byte: the feeding step, 0 meaning all at once); a client has
 * sent its ClientHello to "server.test" first. Returns 1 when the handshake completed (the
 * recorder's --check uses this).
 */
int fuzz_one(clasp_role role, const uint8_t *data, size_t size);

#endif /* CLASP_FUZZ_PEERS_H */
