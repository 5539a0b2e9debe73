/*
 * Chain verification through libcrypto's X509_STORE: path building to a trust anchor,
 * signatures, validity, basicConstraints, key usage, extended key usage and the peer's
 * name, then the outcome mapped to the error whose alert fits (RFC 8446 6.2) with a reason
 * people can read.
 *
 * In front of it, the trust store's cache of verified chains (vcache.c): a chain verified
 * earlier for the same purpose, byte for byte, is not parsed or verified again; its
 * validity window is checked against `now` and the host name against its leaf, every time.
 * Behind it, the store's parsed intermediates (vcache.c): a certificate after the leaf that
 * was on a verified path before is not decoded again, but verified like any other.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <openssl/err.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>
#include <openssl/x509v3.h>

#include "base/err.h"
#include "x509/internal.h"

/* What one verification asks for besides the chain and the store. */
struct verify_opts {
    const char *host; /* NULL: no name check */
    cl_host parsed;   /* what host is: a DNS name, or an address compared with IP SANs only */
    cl_verify_purpose purpose;
    time_t now;               /* 0: the current time */
    const uint8_t *cache_key; /* NULL: the store's cache is off, or not for this chain */
};

/* What X509_verify_cert concluded. */
struct verify_outcome {
    int error; /* X509_V_OK or an X509_V_ERR_* */
    int depth; /* of the certificate it concerns, -1 when none */
    char subject[96];
    int window_ok; /* on success, when caching: the verified path's validity window */
    time_t not_before, not_after;
};

/* A cache lookup that found nothing usable: verify in full. */
#define CACHE_MISS 1

static void set_reason(cl_verify_result *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void set_reason(cl_verify_result *res, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(res->reason, sizeof(res->reason), fmt, ap);
    va_end(ap);
}

/* Intermediates looked up among the store's parsed ones (and kept there); later ones are
 * decoded every time. Chains are at most 16 certificates long in a handshake. */
#define KEYED_MAX 16

/* A chain decoded for X509_verify_cert. */
struct parsed {
    X509 *leaf;
    cl_x509_list *untrusted; /* the certificates after the leaf, in order */
    size_t n_keyed;          /* the first n_keyed of them have a key below */
    uint8_t key[KEYED_MAX][32];
    uint32_t keep; /* bit i: untrusted certificate i was decoded now and may be kept */
};

/* An intermediate the store holds parsed already (a reference), or NULL. */
static X509 *parsed_before(const cl_trust *t, const cl_cert_der *der, struct parsed *p)
{
    size_t i = sk_X509_num(p->untrusted);
    if (i >= KEYED_MAX || i != p->n_keyed ||
        cl_vcache_cert_key(cl_trust_cache(t), der, p->key[i]) != 0)
        return NULL;
    p->n_keyed++;
    return cl_vcache_get_cert(cl_trust_cache(t), p->key[i]);
}

/*
 * Whether a certificate decoded now may be shared with later verifications: its key must be
 * complete as decoded. X509_verify_cert fills a key that lacks its domain parameters (DSA may
 * inherit them) with its issuer's (X509_get_pubkey_parameters), a write that would reach
 * every thread sharing the certificate and outlive the path it was made for. (libcrypto 3.0
 * does not decode such a key at all, and a certificate without a key never is on a verified
 * path above the leaf; the check keeps the table sound with a libcrypto that does.)
 */
static int keepable(X509 *x)
{
    ERR_set_mark();
    EVP_PKEY *k = X509_get0_pubkey(x);
    ERR_pop_to_mark();
    return k && !EVP_PKEY_missing_parameters(k);
}

/* Decodes the chain: the leaf, and the certificates after it as untrusted intermediates. */
static int parse_chain(const cl_trust *t, const cl_cert_der *chain, size_t n, struct parsed *p,
                       cl_verify_result *res)
{
    p->untrusted = sk_X509_new_null();
    CL_CHECK(p->untrusted, CLASP_ERR_NOMEM);
    for (size_t i = 0; i < n; i++) {
        X509 *x = i > 0 ? parsed_before(t, &chain[i], p) : NULL;
        int fresh = x == NULL;
        if (fresh && !(x = cl_x509_from_der(chain[i].der, chain[i].len))) {
            set_reason(res, "certificate %zu does not parse", i);
            return CLASP_ERR_BAD_CERTIFICATE;
        }
        if (i == 0) {
            p->leaf = x;
            continue;
        }
        if (!sk_X509_push(p->untrusted, x)) {
            X509_free(x);
            return CLASP_ERR_NOMEM;
        }
        if (fresh && i - 1 < KEYED_MAX && keepable(x))
            p->keep |= 1u << (i - 1);
    }
    return 0;
}

/* Whether x is on the verified path above the leaf (the anchor counts when x is a copy). */
static int on_path(cl_x509_list *path, X509 *x)
{
    for (int j = 1; j < sk_X509_num(path); j++) {
        X509 *c = sk_X509_value(path, j);
        if (c == x || X509_cmp(c, x) == 0)
            return 1;
    }
    return 0;
}

/*
 * After a successful verification, the intermediates decoded now that were on its path go
 * to the store, parsed, for the next chain that carries the same bytes. Only certificates
 * of verified paths: what a peer sends beside its path, or in a chain that fails, is not
 * kept, so no peer fills the table with certificates of its own making.
 */
static void keep_intermediates(const cl_trust *t, X509_STORE_CTX *ctx, const struct parsed *p)
{
    cl_x509_list *path = X509_STORE_CTX_get0_chain(ctx);
    for (size_t i = 0; i < p->n_keyed; i++) {
        X509 *x = sk_X509_value(p->untrusted, (int)i);
        if ((p->keep >> i & 1u) && on_path(path, x))
            cl_vcache_put_cert(cl_trust_cache(t), p->key[i], x);
    }
}

/* How a DNS host name is matched against this leaf (also what a cache hit would use). */
static unsigned host_flags(const X509 *leaf)
{
    /* "*" stands for one whole left-most label: no "w*.example.com" (RFC 6125 6.4.3). */
    unsigned flags = X509_CHECK_FLAG_NO_PARTIAL_WILDCARDS;
    /*
     * The subject CN counts only when there is no SAN at all. OpenSSL alone would also try
     * it when the SANs hold no DNS name (IP addresses only), which RFC 6125 6.4.4 allows
     * but no certificate made today needs.
     */
    if (X509_get_ext_by_NID(leaf, NID_subject_alt_name, -1) >= 0)
        flags |= X509_CHECK_FLAG_NEVER_CHECK_SUBJECT;
    return flags;
}

/* Purpose, time and name for one verification, on top of the store's defaults. */
static int set_params(X509_STORE_CTX *ctx, const struct verify_opts *o)
{
    /*
     * libssl's parameter sets, named after what the peer is: "ssl_server" sets the
     * serverAuth purpose and the matching trust setting, as a TLS client uses it.
     */
    const char *set = o->purpose == CL_PURPOSE_SERVER ? "ssl_server" : "ssl_client";
    CL_CHECK(X509_STORE_CTX_set_default(ctx, set) == 1, CLASP_ERR_CRYPTO);
    X509_VERIFY_PARAM *param = X509_STORE_CTX_get0_param(ctx);
    /*
     * 112-bit security (RSA and DH >= 2048 bits, ECC >= 224, no SHA-1 or MD5 signatures), what
     * RFC 7525 and NIST ask of anything current; weaker chains are insufficient_security.
     */
    X509_VERIFY_PARAM_set_auth_level(param, 2);
    if (o->now != 0)
        X509_VERIFY_PARAM_set_time(param, o->now);
    if (!o->host)
        return 0;
    /* The address cl_host_parse read, not libcrypto's own reading of the text. */
    if (o->parsed.kind == CL_HOST_IP)
        return X509_VERIFY_PARAM_set1_ip(param, o->parsed.ip, o->parsed.ip_len) == 1
                   ? 0
                   : CLASP_ERR_NOMEM;
    X509_VERIFY_PARAM_set_hostflags(param, host_flags(X509_STORE_CTX_get0_cert(ctx)));
    return X509_VERIFY_PARAM_set1_host(param, o->host, o->parsed.len) == 1 ? 0 : CLASP_ERR_NOMEM;
}

/* The verified chain's last certificate is the anchor; its name's DER is cached in it. */
static void keep_anchor(X509_STORE_CTX *ctx, cl_verify_result *res)
{
    STACK_OF(X509) *chain = X509_STORE_CTX_get0_chain(ctx);
    int n = chain ? sk_X509_num(chain) : 0;
    const unsigned char *der;
    size_t len;
    if (n <= 0 ||
        !X509_NAME_get0_der(X509_get_subject_name(sk_X509_value(chain, n - 1)), &der, &len))
        return;
    if (len <= sizeof(res->anchor_dn)) {
        memcpy(res->anchor_dn, der, len);
        res->anchor_dn_len = len;
    }
}

/*
 * Runs X509_verify_cert over a parsed chain; the one place a store context is set up.
 * Returns 0 when the verification ran (its verdict in *vo), else a local failure.
 */
static int run_store_ctx(const cl_trust *t, const struct parsed *p, const struct verify_opts *o,
                         struct verify_outcome *vo, cl_verify_result *res)
{
    X509_STORE_CTX *ctx = X509_STORE_CTX_new();
    CL_CHECK(ctx, CLASP_ERR_NOMEM);
    int rc = CLASP_ERR_NOMEM;
    /* The store is only read here; X509_STORE locks around its lazy lookups. */
    if (X509_STORE_CTX_init(ctx, cl_trust_store(t), p->leaf, p->untrusted) != 1)
        goto out;
    CL_TRY_OUT(rc, set_params(ctx, o));
    *vo = (struct verify_outcome){.error = X509_V_OK, .depth = -1};
    rc = 0;
    cl_vcache_count_verification(cl_trust_cache(t));
    if (X509_verify_cert(ctx) == 1) {
        keep_anchor(ctx, res);
        keep_intermediates(t, ctx, p);
        /* The anchor's dates count too: it is not in the chain the peer sends. */
        vo->window_ok = o->cache_key && cl_x509_path_window(X509_STORE_CTX_get0_chain(ctx),
                                                            &vo->not_before, &vo->not_after) == 0;
        goto out;
    }
    vo->error = X509_STORE_CTX_get_error(ctx);
    if (vo->error == X509_V_OK)
        vo->error = X509_V_ERR_UNSPECIFIED; /* a failure without a verdict */
    /* Which certificate failed, named only on failure (printing a name allocates). */
    X509 *cur = X509_STORE_CTX_get_current_cert(ctx);
    if (cur) {
        vo->depth = X509_STORE_CTX_get_error_depth(ctx);
        cl_x509_name_line(X509_get_subject_name(cur), vo->subject, sizeof(vo->subject));
    }
out:
    X509_STORE_CTX_free(ctx);
    return rc;
}

/* How each libcrypto verdict is reported; text NULL means libcrypto's own wording. */
struct verify_error {
    int x509;
    int err;
    const char *text;
};

static const struct verify_error verify_errors[] = {
    /* outside a validity period: certificate_expired, at either end as the header says */
    {X509_V_ERR_CERT_HAS_EXPIRED, CLASP_ERR_CERTIFICATE_EXPIRED, "certificate expired"},
    {X509_V_ERR_CERT_NOT_YET_VALID, CLASP_ERR_CERTIFICATE_EXPIRED, "certificate not yet valid"},
    {X509_V_ERR_CRL_HAS_EXPIRED, CLASP_ERR_CERTIFICATE_EXPIRED, "CRL expired"},
    {X509_V_ERR_CRL_NOT_YET_VALID, CLASP_ERR_CERTIFICATE_EXPIRED, "CRL not yet valid"},
    /* no path to an anchor: unknown_ca */
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT, CLASP_ERR_UNKNOWN_CA, "unknown issuer"},
    {X509_V_ERR_UNABLE_TO_GET_ISSUER_CERT_LOCALLY, CLASP_ERR_UNKNOWN_CA, "unknown issuer"},
    {X509_V_ERR_UNABLE_TO_VERIFY_LEAF_SIGNATURE, CLASP_ERR_UNKNOWN_CA, "unknown issuer"},
    {X509_V_ERR_DEPTH_ZERO_SELF_SIGNED_CERT, CLASP_ERR_UNKNOWN_CA,
     "untrusted self-signed certificate"},
    {X509_V_ERR_SELF_SIGNED_CERT_IN_CHAIN, CLASP_ERR_UNKNOWN_CA,
     "untrusted self-signed certificate in chain"},
    {X509_V_ERR_CERT_UNTRUSTED, CLASP_ERR_UNKNOWN_CA, "anchor not trusted for this purpose"},
    {X509_V_ERR_CERT_REJECTED, CLASP_ERR_UNKNOWN_CA, "anchor rejected for this purpose"},
    {X509_V_ERR_CERT_CHAIN_TOO_LONG, CLASP_ERR_UNKNOWN_CA, "chain too long"},
    {X509_V_ERR_CERT_REVOKED, CLASP_ERR_CERTIFICATE_REVOKED, "certificate revoked"},
    /* a certificate whose constraints forbid this use: unsupported_certificate */
    {X509_V_ERR_INVALID_PURPOSE, CLASP_ERR_UNSUPPORTED_CERTIFICATE, NULL}, /* worded in report() */
    {X509_V_ERR_INVALID_CA, CLASP_ERR_UNSUPPORTED_CERTIFICATE, "issuer is not a CA"},
    {X509_V_ERR_KEYUSAGE_NO_CERTSIGN, CLASP_ERR_UNSUPPORTED_CERTIFICATE,
     "issuer key usage excludes certificate signing"},
    {X509_V_ERR_PATH_LENGTH_EXCEEDED, CLASP_ERR_UNSUPPORTED_CERTIFICATE,
     "path length constraint exceeded"},
    {X509_V_ERR_INVALID_NON_CA, CLASP_ERR_UNSUPPORTED_CERTIFICATE, "CA certificate used as leaf"},
    {X509_V_ERR_KEYUSAGE_NO_DIGITAL_SIGNATURE, CLASP_ERR_UNSUPPORTED_CERTIFICATE,
     "key usage excludes digital signatures"},
    {X509_V_ERR_UNHANDLED_CRITICAL_EXTENSION, CLASP_ERR_UNSUPPORTED_CERTIFICATE,
     "unhandled critical extension"},
    /* damaged certificates: bad_certificate */
    {X509_V_ERR_CERT_SIGNATURE_FAILURE, CLASP_ERR_BAD_CERTIFICATE, "bad certificate signature"},
    {X509_V_ERR_UNABLE_TO_DECRYPT_CERT_SIGNATURE, CLASP_ERR_BAD_CERTIFICATE,
     "bad certificate signature"},
    {X509_V_ERR_UNABLE_TO_DECODE_ISSUER_PUBLIC_KEY, CLASP_ERR_BAD_CERTIFICATE,
     "issuer public key does not decode"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_BEFORE_FIELD, CLASP_ERR_BAD_CERTIFICATE, "bad notBefore field"},
    {X509_V_ERR_ERROR_IN_CERT_NOT_AFTER_FIELD, CLASP_ERR_BAD_CERTIFICATE, "bad notAfter field"},
    {X509_V_ERR_INVALID_EXTENSION, CLASP_ERR_BAD_CERTIFICATE, "malformed extension"},
    {X509_V_ERR_EE_KEY_TOO_SMALL, CLASP_ERR_INSUFFICIENT_SECURITY, "leaf key too small"},
    {X509_V_ERR_CA_KEY_TOO_SMALL, CLASP_ERR_INSUFFICIENT_SECURITY, "CA key too small"},
    {X509_V_ERR_CA_MD_TOO_WEAK, CLASP_ERR_INSUFFICIENT_SECURITY, "signature digest too weak"},
    {X509_V_ERR_OUT_OF_MEM, CLASP_ERR_NOMEM, "out of memory"},
};

static const struct verify_error *find_error(int x509)
{
    for (size_t i = 0; i < sizeof(verify_errors) / sizeof(verify_errors[0]); i++)
        if (verify_errors[i].x509 == x509)
            return &verify_errors[i];
    return NULL;
}

/* Turns a verdict into the clasp error and the reason; 0 for success. */
static int report(const struct verify_outcome *vo, const struct verify_opts *o,
                  cl_verify_result *res)
{
    if (vo->error == X509_V_OK) {
        set_reason(res, "ok");
        return 0;
    }
    /* The host comes from the local configuration; cut it so the reason stays short. */
    if (vo->error == X509_V_ERR_HOSTNAME_MISMATCH) {
        set_reason(res, "hostname mismatch (wanted %.100s)", o->host ? o->host : "");
        return CLASP_ERR_BAD_CERTIFICATE;
    }
    if (vo->error == X509_V_ERR_IP_ADDRESS_MISMATCH) {
        set_reason(res, "IP address mismatch (wanted %.100s)", o->host ? o->host : "");
        return CLASP_ERR_BAD_CERTIFICATE;
    }
    const struct verify_error *e = find_error(vo->error);
    const char *text = e && e->text ? e->text : X509_verify_cert_error_string(vo->error);
    if (vo->error == X509_V_ERR_INVALID_PURPOSE)
        text = o->purpose == CL_PURPOSE_SERVER ? "certificate not for TLS server use"
                                               : "certificate not for TLS client use";
    if (vo->depth < 0)
        set_reason(res, "%s", text);
    else
        set_reason(res, "%s (depth %d, %s)", text, vo->depth, vo->subject);
    return e ? e->err : CLASP_ERR_CERTIFICATE_UNKNOWN;
}

/* The verified leaf's key, which must be one TLS can use. */
static int take_leaf_key(X509 *leaf, cl_verify_result *res)
{
    cl_pubkey *k = NULL;
    int rc = cl_x509_pubkey(leaf, &k);
    if (rc != 0) {
        set_reason(res, "leaf public key does not decode");
        return rc;
    }
    if (cl_pubkey_type(k) == CL_KEY_OTHER) {
        EVP_PKEY *pkey = X509_get0_pubkey(leaf);
        const char *name = pkey ? EVP_PKEY_get0_type_name(pkey) : NULL;
        set_reason(res, "leaf key type not usable in TLS (%s %u)", name ? name : "unknown",
                   cl_pubkey_bits(k));
        cl_pubkey_free(k);
        return CLASP_ERR_UNSUPPORTED_CERTIFICATE; /* RFC 8446 6.2: "of an unsupported type" */
    }
    res->leaf_key = k;
    res->leaf_type = cl_pubkey_type(k);
    res->key_usage = cl_x509_key_usage(leaf);
    return 0;
}

/* The name on a leaf verified earlier, as X509_verify_cert would have checked it. */
static int check_name(X509 *leaf, const struct verify_opts *o, cl_verify_result *res)
{
    if (!o->host)
        return 0;
    int ip = o->parsed.kind == CL_HOST_IP;
    int ok = ip ? X509_check_ip(leaf, o->parsed.ip, o->parsed.ip_len, 0)
                : X509_check_host(leaf, o->host, o->parsed.len, host_flags(leaf), NULL);
    if (ok == 1)
        return 0;
    struct verify_outcome vo = {
        .error = ip ? X509_V_ERR_IP_ADDRESS_MISMATCH : X509_V_ERR_HOSTNAME_MISMATCH, .depth = -1};
    return report(&vo, o, res);
}

/* A chain verified earlier: inside its validity window now, and for this host name. */
static int verify_cached(const cl_trust *t, const struct verify_opts *o, cl_verify_result *res)
{
    cl_vcache_value v;
    time_t at = o->now ? o->now : time(NULL);
    if (!cl_vcache_get(cl_trust_cache(t), o->cache_key, at, &v))
        return CACHE_MISS;
    int rc = check_name(v.leaf, o, res);
    if (rc == 0)
        rc = cl_x509_pubkey(v.leaf, &res->leaf_key);
    if (rc == 0) {
        res->leaf_type = v.type;
        res->key_usage = v.key_usage;
        memcpy(res->anchor_dn, v.anchor_dn, v.anchor_dn_len);
        res->anchor_dn_len = v.anchor_dn_len;
        res->from_cache = 1;
        set_reason(res, "ok");
    }
    X509_free(v.leaf);
    return rc;
}

/* Remembers a chain that verified in full. */
static void keep_verified(const cl_trust *t, const struct verify_opts *o, X509 *leaf,
                          const struct verify_outcome *vo, const cl_verify_result *res)
{
    if (!o->cache_key || !vo->window_ok)
        return;
    cl_vcache_value v = {.leaf = leaf,
                         .type = res->leaf_type,
                         .key_usage = res->key_usage,
                         .not_before = vo->not_before,
                         .not_after = vo->not_after,
                         .anchor_dn_len = res->anchor_dn_len};
    memcpy(v.anchor_dn, res->anchor_dn, res->anchor_dn_len);
    cl_vcache_put(cl_trust_cache(t), o->cache_key, &v);
}

/*
 * Whether this store's verdicts may be cached: not when it checks revocation (no clasp
 * API turns that on, but a store could carry the flag), since a new CRL changes them.
 */
static int cacheable(const cl_trust *t)
{
    const unsigned long crl = X509_V_FLAG_CRL_CHECK | X509_V_FLAG_CRL_CHECK_ALL;
    return cl_vcache_enabled(cl_trust_cache(t)) &&
           !(X509_VERIFY_PARAM_get_flags(X509_STORE_get0_param(cl_trust_store(t))) & crl);
}

static int verify_full(const cl_trust *t, const cl_cert_der *chain, size_t n,
                       const struct verify_opts *o, cl_verify_result *res)
{
    struct verify_outcome vo;
    struct parsed p = {.leaf = NULL};
    int rc;
    CL_TRY_OUT(rc, parse_chain(t, chain, n, &p, res));
    CL_TRY_OUT(rc, run_store_ctx(t, &p, o, &vo, res));
    CL_TRY_OUT(rc, report(&vo, o, res));
    CL_TRY_OUT(rc, take_leaf_key(p.leaf, res));
    keep_verified(t, o, p.leaf, &vo, res);
out:
    X509_free(p.leaf);
    sk_X509_pop_free(p.untrusted, X509_free);
    return rc;
}

int cl_verify_chain(const cl_trust *t, const cl_cert_der *chain, size_t n, const char *host,
                    cl_verify_purpose purpose, time_t now, cl_verify_result *res)
{
    CL_CHECK(res, CLASP_ERR_INVALID_ARG);
    *res = (cl_verify_result){.leaf_key = NULL, .leaf_type = CL_KEY_OTHER};
    CL_CHECK(t && (chain || n == 0), CLASP_ERR_INVALID_ARG);
    CL_CHECK(purpose == CL_PURPOSE_SERVER || purpose == CL_PURPOSE_CLIENT, CLASP_ERR_INVALID_ARG);
    struct verify_opts o = {.host = host, .purpose = purpose, .now = now};
    /* OpenSSL takes an empty name as "no name check": refused with every other non-name. */
    if (host && cl_host_parse(host, &o.parsed) != 0) {
        set_reason(res, "not a host name or IP address: \"%.100s\"", host);
        return CLASP_ERR_INVALID_ARG;
    }
    if (n == 0) {
        set_reason(res, "empty certificate chain");
        return CLASP_ERR_BAD_CERTIFICATE;
    }
    uint8_t key[32];
    int rc = CACHE_MISS;
    if (cacheable(t) && cl_vcache_key(cl_trust_cache(t), chain, n, purpose, key) == 0) {
        o.cache_key = key;
        rc = verify_cached(t, &o, res);
    }
    if (rc == CACHE_MISS)
        rc = verify_full(t, chain, n, &o, res);
    if (rc != 0 && res->reason[0] == '\0')
        set_reason(res, "%s", clasp_strerror(rc));
    if (rc != 0)
        ERR_clear_error(); /* a failed check may leave libcrypto's reasons queued */
    return rc;
}
