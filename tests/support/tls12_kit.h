/*
 * TLS 1.2 additions to the test kit (tls13_kit.h): configurations that speak TLS 1.2 (alone
 * or with TLS 1.3), a handshake that must end in TLS 1.2, an edit that records a message as
 * it leaves, and records made by hand: a TLS 1.2 AEAD record of any type and length under a
 * connection's write keys, and a plaintext record whatever keys are in place.
 * Include after <cmocka.h>.
 */
#ifndef CLASP_TEST_TLS12_KIT_H
#define CLASP_TEST_TLS12_KIT_H

#include <stddef.h>
#include <stdint.h>

#include "tls13_kit.h"

/* A server with c's chain, speaking versions min..max, trusting kit.ca (client certs). */
clasp_config *kit12_server(const test_cert *c, uint16_t min, uint16_t max);
/* A client speaking versions min..max, trusting kit.ca. */
clasp_config *kit12_client(uint16_t min, uint16_t max);
/* The handshake must complete in TLS 1.2; both sides agree on suite, group and resumption. */
void kit12_handshake(kit_pair *p);

/* A copy of a message as it was sent (kit12_capture keeps the last one of its type). */
typedef struct kit_msg {
    uint8_t data[16384];
    size_t len;
} kit_msg;

/* An edit (arg: a kit_msg) that copies the message and sends it unchanged. */
int kit12_capture(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);
/*
 * A ServerKeyExchange with these params (ServerECDHParams or ServerDHParams, as they go on
 * the wire), signed as the server c would sign its own (its key and scheme, over both
 * randoms and the params), written into out.
 */
void kit12_put_ske(clasp_conn *c, const uint8_t *params, size_t n, cl_writer *out);
/* A TLS 1.2 Certificate whose first certificate is repeated (arg: an unsigned, how many). */
int kit12_cert_repeat(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);

/*
 * Seals one TLS 1.2 AEAD record by hand under c's current write keys (RFC 5246 6.2.3.3; RFC
 * 5288 3: explicit nonce = the sequence number, as clasp sends it; RFC 7905 2 for
 * ChaCha20-Poly1305), advancing c's sequence number. Nothing checks the limits. Writes into
 * out (cap bytes) and returns the record's length.
 */
size_t kit_seal12(clasp_conn *c, uint8_t type, const uint8_t *content, size_t n, uint8_t *out,
                  size_t cap);
/* Queues an unprotected record in c's output, whatever write keys are in place. */
void kit_write_plain(clasp_conn *c, uint8_t type, const uint8_t *data, size_t n);

#endif /* CLASP_TEST_TLS12_KIT_H */
