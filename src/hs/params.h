/*
 * The algorithms clasp negotiates: cipher suites, groups, signature schemes, versions; their
 * IANA values, names, and the parsing of the configuration's name lists.
 */
#ifndef CLASP_HS_PARAMS_H
#define CLASP_HS_PARAMS_H

#include <stddef.h>
#include <stdint.h>

#include "crypto/crypto.h"

/* TLS 1.2 key exchange of a suite; TLS 1.3 suites have none. */
typedef enum cl_kx {
    CL_KX_NONE = 0,
    CL_KX_ECDHE_ECDSA,
    CL_KX_ECDHE_RSA,
    CL_KX_RSA,
    CL_KX_DHE_RSA, /* FFDHE over an RFC 7919 group, signed with RSA */
} cl_kx;

typedef struct cl_suite {
    uint16_t id;
    const char *name; /* IANA */
    uint16_t version; /* CL_TLS13_VERSION or CL_TLS12_VERSION */
    cl_aead_alg aead; /* AEAD suites */
    cl_hash_alg hash; /* the PRF's (TLS 1.2) or HKDF's (TLS 1.3) hash */
    cl_kx kx;
    /* TLS 1.2 CBC-HMAC suites (RFC 5246 6.2.3.2): the cipher and the record MAC's hash */
    uint8_t cbc;
    cl_cbc_alg cbc_alg;
    cl_hash_alg mac;
} cl_suite;

/* The suite with this IANA value that clasp implements, or NULL. */
const cl_suite *cl_suite_find(uint16_t id);
const cl_suite *cl_suite_by_name(const char *name, size_t len);

/* Names for people (IANA spelling), or NULL when unknown. */
const char *cl_group_name(uint16_t group);
const char *cl_sig_scheme_name(uint16_t scheme);
uint16_t cl_group_by_name(const char *name, size_t len);      /* 0 when unknown */
uint16_t cl_sig_scheme_by_name(const char *name, size_t len); /* 0 when unknown */

/*
 * Parses a list of names separated by ':' or ',' into IANA values with `lookup`; at most
 * cap entries, no duplicates, at least one. CLASP_ERR_INVALID_ARG otherwise.
 */
typedef uint16_t (*cl_name_lookup)(const char *name, size_t len);
int cl_parse_name_list(const char *list, cl_name_lookup lookup, uint16_t *out, size_t cap,
                       size_t *n);
uint16_t cl_suite_id_by_name(const char *name, size_t len);

/* 1 when v is in list[0..n). */
int cl_u16_in(uint16_t v, const uint16_t *list, size_t n);

#endif /* CLASP_HS_PARAMS_H */
