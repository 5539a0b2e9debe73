/*
 * Certificates: chains and keys loaded once at configuration time, trust stores, and chain
 * verification through libcrypto's X509_STORE. The interface speaks clasp types only;
 * X509 objects stay inside src/x509/.
 */
#ifndef CLASP_X509_X509_H
#define CLASP_X509_X509_H

#include <stddef.h>
#include <stdint.h>
#include <time.h>

#include "crypto/crypto.h"

/* ---- one certificate chain with its private key (what a server or client presents) ---- */

typedef struct cl_cert_der {
    uint8_t *der;
    size_t len;
} cl_cert_der;

/*
 * What a leaf's keyUsage extension allows, in the terms TLS uses it (RFC 5280 4.2.1.3). A
 * certificate without the extension allows every use; one whose extensions do not decode
 * allows none.
 */
#define CL_KU_SIGN     0x1u /* digitalSignature: CertificateVerify, ServerKeyExchange */
#define CL_KU_ENCIPHER 0x2u /* keyEncipherment: TLS 1.2 RSA key exchange */
#define CL_KU_AGREE    0x4u /* keyAgreement: static (EC)DH, which clasp never uses */
#define CL_KU_ANY      (CL_KU_SIGN | CL_KU_ENCIPHER | CL_KU_AGREE)

typedef struct cl_credential {
    cl_cert_der *certs; /* leaf first, as sent on the wire */
    size_t n_certs;
    cl_privkey *key;
    cl_pubkey *leaf_key; /* the leaf's public key */
    cl_key_type type;
    unsigned bits;
    unsigned key_usage; /* CL_KU_* the leaf allows, read once at load */
} cl_credential;

/*
 * Loads a PEM chain (leaf first; every CERTIFICATE block in order) and its PEM private key,
 * each parsed once here, the DER kept for sending. CLASP_ERR_BAD_KEY when the key does not
 * match the leaf or its type has no TLS use; CLASP_ERR_BAD_CERTIFICATE for a chain that
 * does not parse or is empty.
 */
int cl_credential_from_pem(cl_credential **out, const uint8_t *chain_pem, size_t chain_len,
                           const uint8_t *key_pem, size_t key_len);
void cl_credential_free(cl_credential *c);

/* ---- trust anchors ---- */

typedef struct cl_trust cl_trust;

int cl_trust_new(cl_trust **out);
void cl_trust_free(cl_trust *t);
/* Adds every certificate of a PEM buffer. CLASP_ERR_BAD_CERTIFICATE if none parses or any
 * certificate block is damaged; nothing is added then. */
int cl_trust_add_pem(cl_trust *t, const uint8_t *pem, size_t len);
/* A PEM file, a hashed directory (c_rehash layout), or the system's default store. */
int cl_trust_load_file(cl_trust *t, const char *path);
int cl_trust_load_dir(cl_trust *t, const char *path);
int cl_trust_load_default(cl_trust *t);
/*
 * The store's verified-chain cache: successful verifications of up to max_chains chains
 * (0: off, a new store's default; at most CL_VERIFY_CACHE_MAX) are remembered by their
 * exact DER and purpose, so that the same chain verifies again without parsing or
 * signatures, its validity and host name still checked each time (cl_verify_chain). The
 * cache is emptied here and whenever anchors are added or loaded. Set it while the store is
 * being built, not while verifications run.
 */
#define CL_VERIFY_CACHE_MAX (1u << 20)
int cl_trust_set_cache(cl_trust *t, size_t max_chains);

/* What a store's verifications did: for tests and measurements. */
typedef struct cl_verify_stats {
    unsigned long long verifications; /* full verifications (X509_verify_cert runs) */
    unsigned long long hits, misses;  /* cache lookups (none while the cache is off) */
    size_t entries;                   /* chains cached now */
    unsigned long long cert_hits;     /* intermediates taken parsed from the store */
    size_t certs;                     /* parsed intermediates kept now */
} cl_verify_stats;
void cl_trust_verify_stats(const cl_trust *t, cl_verify_stats *out);

/* Number of anchors added through add_pem/load_file (directories load lazily: not counted). */
size_t cl_trust_count(const cl_trust *t);
/*
 * The DER-encoded subject names of the anchors added through add_pem/load_file, for the
 * certificate_authorities extension and the TLS 1.2 CertificateRequest. The array and its
 * entries belong to the store.
 */
const cl_cert_der *cl_trust_ca_names(const cl_trust *t, size_t *n);

/* ---- peer names ---- */

typedef enum cl_host_kind {
    CL_HOST_DNS = 1, /* sent as SNI; matched against DNS SANs (or the CN without SANs) */
    CL_HOST_IP,      /* never sent as SNI (RFC 6066 3); matched against IP SANs only */
} cl_host_kind;

typedef struct cl_host {
    cl_host_kind kind;
    uint8_t ip[16]; /* CL_HOST_IP: the address, network order */
    size_t ip_len;  /* 4 or 16 */
    size_t len;     /* the name's length without an absolute name's trailing dot */
} cl_host;

/*
 * What a peer name is, decided in one place for the ClientHello and the verifier:
 *  - with a colon: an IPv6 address (inet_pton's text forms); brackets are URL syntax and
 *    are refused;
 *  - else, when the last label is a number ("1", "0x7f"): an IPv4 address, accepted only in
 *    strict dotted-decimal form (four octets 0..255, no leading zeros), so "010.0.0.1",
 *    "1.2.3" and "0x7f.0.0.1", which resolvers read as other addresses, are refused rather
 *    than sent as SNI or matched as DNS names;
 *  - else a DNS name: letters, digits, '-', '_' in labels of 1..63, at most 253 characters.
 * One trailing dot is ignored ("server.test." is server.test, "1.2.3.4." is 1.2.3.4).
 * 0, or CLASP_ERR_INVALID_ARG for a name that is neither.
 */
int cl_host_parse(const char *name, cl_host *out);

/* ---- verification ---- */

typedef enum cl_verify_purpose {
    CL_PURPOSE_SERVER, /* the peer is a TLS server: serverAuth, host name checked */
    CL_PURPOSE_CLIENT, /* the peer is a TLS client: clientAuth */
} cl_verify_purpose;

typedef struct cl_verify_result {
    cl_pubkey *leaf_key; /* owned by the caller on success */
    cl_key_type leaf_type;
    unsigned key_usage; /* CL_KU_* the leaf allows: the caller matches it to its use */
    /* A human-readable reason on failure, e.g. "hostname mismatch (wanted example.com)". */
    char reason[160];
    /* On success, the subject of the trust anchor the chain ended at, DER (a longer name
     * is left out: len 0). Copied without formatting, so success costs no allocation. */
    uint8_t anchor_dn[256];
    size_t anchor_dn_len;
    /* On success, 1 when the chain was verified earlier (the store's cache) and only its
     * validity window and the host name were checked now. */
    int from_cache;
} cl_verify_result;

/*
 * Verifies a chain (leaf first, DER as received) against the trust anchors: signatures,
 * validity at `now` (0: the current time), basicConstraints, key usage and extended key
 * usage for the purpose, and for servers the host name: DNS names (SAN, wildcards in the
 * left-most label only; the subject CN only when there is no SAN) or, when `host` is an
 * IPv4/IPv6 literal, the IP SANs. host may be NULL for clients (no name check); a host that
 * cl_host_parse refuses is CLASP_ERR_INVALID_ARG. With the store's cache on
 * (cl_trust_set_cache), a chain that verified earlier for this purpose, byte for byte, is
 * only checked for the validity of its path at `now` and for the host name
 * (res->from_cache); outside its validity it is verified in full again. Whether the cache is
 * on or off, the certificates after the leaf that were on a path verified earlier are taken
 * parsed from the store instead of decoded again (verified in full all the same).
 * Returns 0 or the error whose alert fits (RFC 8446 6.2):
 *   CLASP_ERR_BAD_CERTIFICATE       unparsable certificate, bad signature, name mismatch
 *   CLASP_ERR_UNKNOWN_CA            no path to an anchor (including self-signed leaves)
 *   CLASP_ERR_CERTIFICATE_EXPIRED   outside its validity period (either end)
 *   CLASP_ERR_CERTIFICATE_REVOKED   revoked (when CRLs are configured)
 *   CLASP_ERR_UNSUPPORTED_CERTIFICATE  key usage / purpose does not allow TLS use, or the
 *                                   leaf's key is of a type clasp cannot use
 *   CLASP_ERR_INSUFFICIENT_SECURITY a key or signature hash below 112-bit security
 *   CLASP_ERR_CERTIFICATE_UNKNOWN   anything else
 * with res->reason filled in either way.
 */
int cl_verify_chain(const cl_trust *t, const cl_cert_der *chain, size_t n, const char *host,
                    cl_verify_purpose purpose, time_t now, cl_verify_result *res);

/* The public key of one DER certificate (no verification). */
int cl_cert_public_key(const uint8_t *der, size_t len, cl_pubkey **out);

/*
 * A one-line summary of a certificate for people: "subject=CN=example.com issuer=CN=Test CA
 * key=ECDSA P-256 valid=2026-01-01..2027-01-01". Truncated to cap (always terminated).
 */
int cl_cert_summary(const uint8_t *der, size_t len, char *buf, size_t cap);

/*
 * A DER-encoded DistinguishedName (as in certificate_authorities and the TLS 1.2
 * CertificateRequest) as one line of text, RFC 2253 style as cl_cert_summary prints
 * subjects: "CN=clasp test CA". Cut to cap with "..." (always terminated, cap > 0).
 * CLASP_ERR_BAD_CERTIFICATE (and an empty line) when the bytes are not exactly one name.
 */
int cl_dn_text(const uint8_t *der, size_t len, char *buf, size_t cap);

#endif /* CLASP_X509_X509_H */
