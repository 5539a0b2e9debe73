/*
 * clasp-demo's throwaway PKI, made in memory with libcrypto at every run: a CA, an RSA-2048
 * and an ECDSA P-256 server certificate for "server.test", and an ECDSA P-256 client
 * certificate. Nothing touches the disk; the keys live as long as the process.
 */
#ifndef CLASP_TOOLS_DEMO_PKI_H
#define CLASP_TOOLS_DEMO_PKI_H

#include <stddef.h>
#include <stdint.h>

#define DEMO_SERVER_NAME "server.test"

/* A certificate (PEM, leaf first) and its private key (PEM, PKCS#8). */
typedef struct demo_cred {
    uint8_t *cert, *key;
    size_t cert_len, key_len;
} demo_cred;

typedef struct demo_pki {
    demo_cred ca; /* ca.cert: the trust anchor both sides load; ca.key is not kept */
    demo_cred server_rsa, server_ecdsa, client;
} demo_pki;

/* Makes the whole PKI; 0, or -1 after printing why on stderr (pki is then freed). */
int demo_pki_make(demo_pki *pki);
/* Frees (and wipes the keys of) what demo_pki_make made. */
void demo_pki_free(demo_pki *pki);

#endif /* CLASP_TOOLS_DEMO_PKI_H */
