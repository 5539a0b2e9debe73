/*
 * Private to src/x509/: helpers shared by its files, in libcrypto's types. Nothing outside
 * this folder includes this header.
 */
#ifndef CLASP_X509_INTERNAL_H
#define CLASP_X509_INTERNAL_H

#include <openssl/x509.h>

#include "x509/x509.h"

/* A list of certificates, named so that clang-format reads its pointers as types. */
typedef STACK_OF(X509) cl_x509_list;

/*
 * Every certificate of a PEM buffer, in order, into a new stack. Blocks of other types (a
 * private key kept in the same file) are skipped; "TRUSTED CERTIFICATE" blocks count only
 * when trusted_ok (trust stores, never chains to send). CLASP_ERR_BAD_CERTIFICATE when a
 * certificate block does not parse or when there is none.
 */
int cl_x509_read_pem(const uint8_t *pem, size_t len, int trusted_ok, cl_x509_list **out);

/* One DER certificate that fills its buffer exactly, or NULL. */
X509 *cl_x509_from_der(const uint8_t *der, size_t len);

/* The CL_KU_* uses the certificate's keyUsage extension allows (all without one). */
unsigned cl_x509_key_usage(X509 *x);

/* The certificate's public key as a clasp key; CLASP_ERR_BAD_CERTIFICATE when undecodable. */
int cl_x509_pubkey(const X509 *x, cl_pubkey **out);

/*
 * A name in RFC 2253 form on one line (control and non-ASCII bytes escaped), cut to fit cap
 * with "..." marking the cut; always terminated (cap > 0).
 */
void cl_x509_name_line(const X509_NAME *name, char *out, size_t cap);

/*
 * The window in which every certificate of a verified path (leaf to anchor) is valid:
 * [latest notBefore, earliest notAfter), as X509_verify_cert compares times.
 * CLASP_ERR_BAD_CERTIFICATE when a time does not convert.
 */
int cl_x509_path_window(const cl_x509_list *path, time_t *not_before, time_t *not_after);

/* The store behind a trust handle; verification only reads it. */
X509_STORE *cl_trust_store(const cl_trust *t);

/* ---- the verified-chain cache a trust store owns (vcache.c) ---- */

typedef struct cl_vcache cl_vcache;

/* What a verified chain leaves for later handshakes. */
typedef struct cl_vcache_value {
    X509 *leaf; /* a reference: the host name is checked against it on every hit */
    cl_key_type type;
    unsigned key_usage; /* CL_KU_* */
    time_t not_before;  /* the latest notBefore on the verified path, anchor included */
    time_t not_after;   /* the earliest notAfter: valid while not_before <= now < not_after */
    uint8_t anchor_dn[256];
    size_t anchor_dn_len;
} cl_vcache_value;

/* The cache of a trust store (off until cl_vcache_set_max). */
cl_vcache *cl_trust_cache(const cl_trust *t);

int cl_vcache_new(cl_vcache **out);
void cl_vcache_free(cl_vcache *vc);
/* Empties the cache and bounds it (0: off); not while verifications run. */
int cl_vcache_set_max(cl_vcache *vc, size_t max);
void cl_vcache_clear(cl_vcache *vc);
int cl_vcache_enabled(const cl_vcache *vc);
/* The key of a chain as received (exact DER, in order) for a purpose. */
int cl_vcache_key(cl_vcache *vc, const cl_cert_der *chain, size_t n, cl_verify_purpose purpose,
                  uint8_t key[32]);
/* The key of one certificate (exact DER) among the parsed intermediates; never a chain's. */
int cl_vcache_cert_key(cl_vcache *vc, const cl_cert_der *cert, uint8_t key[32]);
/*
 * 1 and a copy of the entry (its leaf up-ref'd: the caller frees it) when the key is cached
 * and `now` is inside its validity window; an entry outside it is dropped. 0 otherwise.
 */
int cl_vcache_get(cl_vcache *vc, const uint8_t key[32], time_t now, cl_vcache_value *out);
/* Keeps a verified chain (takes its own reference on v->leaf), evicting the least recently
 * used entry when full. Out of memory, it keeps nothing: caching is best effort. */
void cl_vcache_put(cl_vcache *vc, const uint8_t key[32], const cl_vcache_value *v);
/*
 * The parsed intermediates, a table of their own that cl_vcache_set_max and cl_vcache_clear
 * leave alone: they hold no verdict. get: the certificate decoded from the DER of this key,
 * up-ref'd (the caller frees it), or NULL. put: keeps a reference to a certificate decoded
 * from that DER, which must have been on a verified path; the least recently used goes
 * when full, and out of memory nothing is kept.
 */
X509 *cl_vcache_get_cert(cl_vcache *vc, const uint8_t key[32]);
void cl_vcache_put_cert(cl_vcache *vc, const uint8_t key[32], X509 *x);
void cl_vcache_count_verification(cl_vcache *vc);
void cl_vcache_stats(cl_vcache *vc, cl_verify_stats *out);

#endif /* CLASP_X509_INTERNAL_H */
