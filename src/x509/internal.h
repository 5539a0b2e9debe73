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

/* The store behind a trust handle; verification only reads it. */
X509_STORE *cl_trust_store(const cl_trust *t);

#endif /* CLASP_X509_INTERNAL_H */
