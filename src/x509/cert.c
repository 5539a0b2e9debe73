/*
 * Single certificates: reading them out of PEM and DER, and their public keys as clasp key
 * handles. Shared by credentials, trust stores and verification.
 */
#include <limits.h>
#include <string.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "base/err.h"
#include "crypto/internal.h"
#include "x509/internal.h"

enum block_kind { BLOCK_OTHER, BLOCK_CERT, BLOCK_TRUSTED };

static enum block_kind block_kind(const char *name, int trusted_ok)
{
    if (strcmp(name, PEM_STRING_X509) == 0 || strcmp(name, PEM_STRING_X509_OLD) == 0)
        return BLOCK_CERT;
    /* OpenSSL's "trusted certificate": the DER followed by trust settings (X509_AUX). */
    if (trusted_ok && strcmp(name, PEM_STRING_X509_TRUSTED) == 0)
        return BLOCK_TRUSTED;
    return BLOCK_OTHER;
}

/* A certificate from a block's DER; the block must hold exactly one. */
static int block_cert(enum block_kind kind, const unsigned char *der, long len, cl_x509_list *certs)
{
    const unsigned char *p = der;
    X509 *x = kind == BLOCK_TRUSTED ? d2i_X509_AUX(NULL, &p, len) : d2i_X509(NULL, &p, len);
    if (!x || p != der + len) {
        X509_free(x);
        return CLASP_ERR_BAD_CERTIFICATE;
    }
    if (!sk_X509_push(certs, x)) {
        X509_free(x);
        return CLASP_ERR_NOMEM;
    }
    return 0;
}

/* Reads the next PEM block: 1 when one was read (and kept or skipped), 0 at the end. */
static int next_block(BIO *bio, int trusted_ok, cl_x509_list *certs)
{
    char *name = NULL, *header = NULL;
    unsigned char *data = NULL;
    long len = 0;
    if (PEM_read_bio(bio, &name, &header, &data, &len) != 1) {
        /* Running out of "-----BEGIN" lines is the normal end; anything else is damage. */
        unsigned long e = ERR_peek_last_error();
        int end = ERR_GET_LIB(e) == ERR_LIB_PEM && ERR_GET_REASON(e) == PEM_R_NO_START_LINE;
        return end ? 0 : CLASP_ERR_BAD_CERTIFICATE;
    }
    enum block_kind kind = block_kind(name, trusted_ok);
    int rc = kind == BLOCK_OTHER ? 0 : block_cert(kind, data, len, certs);
    OPENSSL_free(name);
    OPENSSL_free(header);
    /* A skipped block may be the private key of a combined file: wipe it. */
    OPENSSL_clear_free(data, (size_t)len);
    return rc == 0 ? 1 : rc;
}

int cl_x509_read_pem(const uint8_t *pem, size_t len, int trusted_ok, cl_x509_list **out)
{
    CL_CHECK(pem && len > 0 && len <= INT_MAX, CLASP_ERR_BAD_CERTIFICATE);
    BIO *bio = BIO_new_mem_buf(pem, (int)len);
    cl_x509_list *certs = sk_X509_new_null();
    int rc = CLASP_ERR_NOMEM;
    if (!bio || !certs)
        goto out;
    while ((rc = next_block(bio, trusted_ok, certs)) == 1)
        ;
    if (rc == 0 && sk_X509_num(certs) == 0)
        rc = CLASP_ERR_BAD_CERTIFICATE;
out:
    BIO_free(bio);
    ERR_clear_error(); /* the end of the input is reported as an error too */
    if (rc != 0) {
        sk_X509_pop_free(certs, X509_free);
        return rc;
    }
    *out = certs;
    return 0;
}

X509 *cl_x509_from_der(const uint8_t *der, size_t len)
{
    if (!der || len == 0 || len > LONG_MAX)
        return NULL;
    const unsigned char *p = der;
    X509 *x = d2i_X509(NULL, &p, (long)len);
    /* A certificate must fill its buffer exactly: trailing bytes are an error. */
    if (x && p == der + len)
        return x;
    X509_free(x);
    ERR_clear_error();
    return NULL;
}

unsigned cl_x509_key_usage(X509 *x)
{
    /* UINT32_MAX without the extension; 0 when the extensions do not decode. */
    uint32_t ku = X509_get_key_usage(x);
    ERR_clear_error();
    unsigned out = 0;
    if (ku & KU_DIGITAL_SIGNATURE)
        out |= CL_KU_SIGN;
    if (ku & KU_KEY_ENCIPHERMENT)
        out |= CL_KU_ENCIPHER;
    if (ku & KU_KEY_AGREEMENT)
        out |= CL_KU_AGREE;
    return out;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's days_from_civil). */
static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/* A certificate time as seconds since the epoch (UTC; timegm is not POSIX). */
static int asn1_time_to_time(const ASN1_TIME *t, time_t *out)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        ERR_clear_error();
        return CLASP_ERR_BAD_CERTIFICATE;
    }
    int64_t days = days_from_civil((int64_t)tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
    *out = (time_t)(days * 86400 + tm.tm_hour * 3600 + tm.tm_min * 60 + tm.tm_sec);
    return 0;
}

int cl_x509_path_window(const cl_x509_list *path, time_t *not_before, time_t *not_after)
{
    int n = path ? sk_X509_num(path) : 0;
    CL_CHECK(n > 0, CLASP_ERR_BAD_CERTIFICATE);
    for (int i = 0; i < n; i++) {
        const X509 *x = sk_X509_value(path, i);
        time_t nb, na;
        CL_TRY(asn1_time_to_time(X509_get0_notBefore(x), &nb));
        CL_TRY(asn1_time_to_time(X509_get0_notAfter(x), &na));
        if (i == 0 || nb > *not_before)
            *not_before = nb;
        if (i == 0 || na < *not_after)
            *not_after = na;
    }
    return 0;
}

int cl_x509_pubkey(const X509 *x, cl_pubkey **out)
{
    /* The key d2i_X509 already decoded: decoding it again costs as much as the rest. */
    EVP_PKEY *pkey = X509_get0_pubkey(x);
    if (!pkey) {
        ERR_clear_error();
        return CLASP_ERR_BAD_CERTIFICATE;
    }
    return cl_pubkey_wrap(out, pkey);
}

int cl_cert_public_key(const uint8_t *der, size_t len, cl_pubkey **out)
{
    X509 *x = cl_x509_from_der(der, len);
    CL_CHECK(x, CLASP_ERR_BAD_CERTIFICATE);
    int rc = cl_x509_pubkey(x, out);
    X509_free(x);
    return rc;
}
