/*
 * Checks shared by the end-to-end tests of both versions (test_tls12.c, test_tls13.c):
 * what a failed read returns, whose certificate a peer sent, ALPN as both sides see it, an
 * SNI callback that switches configurations, and handshake records cut into small pieces.
 * The version-specific parts (configurations, which handshake must complete) are the
 * caller's. Include after <cmocka.h>.
 */
#ifndef CLASP_TEST_E2E_CHECKS_H
#define CLASP_TEST_E2E_CHECKS_H

#include <stddef.h>

#include <clasp/clasp.h>

#include "tls13_kit.h"

/* c's read returns want and delivers nothing. */
void expect_read(clasp_conn *c, int want);
/* c's peer's first certificate names want. */
void peer_cert_names(clasp_conn *c, const char *want);

/* A pair on ccfg and scfg (taken) with these ALPN lists (NULL: none) completes `handshake`,
 * and both sides agree on want (NULL: no protocol). */
void alpn_check(clasp_config *ccfg, clasp_config *scfg, void (*handshake)(kit_pair *p),
                const char *client, const char *server, const char *want);

/* What the SNI callback saw; "other.test" switches the server to `other`. */
struct sni {
    clasp_config *other;
    int calls;
    char seen[64]; /* the last name, or "(none)" */
};

/* Resets s to switch to other (which stays the caller's), and sets scfg's callback to s. */
void sni_attach(struct sni *s, clasp_config *scfg, clasp_config *other);

/*
 * A ClientHello edit: supported_groups becomes 100 values clasp does not know followed by
 * x25519, secp256r1 and secp384r1. A peer may list many groups; those it knows must count
 * wherever they are.
 */
int edit_long_groups(clasp_conn *c, const uint8_t *msg, size_t len, cl_writer *out, void *arg);

/*
 * The chain's length, counted: the server sends its chain's first certificate n times
 * (repeat: the version's kit edit) to a client accepting at most max (the default, 10, and
 * others), for n around each bound: the handshake completes when n <= max (handshake checks
 * it), else the client refuses with bad_certificate; bounds outside 1..16 are refused.
 * client and server make the version's configurations (a P-256 server).
 */
void chain_count_checks(clasp_config *(*client)(void), clasp_config *(*server)(void),
                        kit_edit repeat, void (*handshake)(kit_pair *p));

/* Moves all of from's output into to, cut into records of at most frag bytes (kit_reframe);
 * to must take it all without error. Returns the number of records; *len (unless NULL)
 * gets the number of bytes taken from `from`. */
size_t move_reframed(clasp_conn *from, clasp_conn *to, size_t frag, size_t *len);

#endif /* CLASP_TEST_E2E_CHECKS_H */
