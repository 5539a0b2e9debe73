/*
 * Certificates described for people: names on one line, and the one-line summary that
 * tools and traces print ("subject=... issuer=... key=ECDSA P-256 valid=...").
 */
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/x509.h>

#include "base/err.h"
#include "x509/internal.h"

/* Copies n bytes (not terminated) into out, cut with "..." when they do not fit. */
static void copy_cut(char *out, size_t cap, const char *p, size_t n)
{
    if (n < cap) {
        memcpy(out, p, n);
        out[n] = '\0';
        return;
    }
    if (cap < 4) {
        out[0] = '\0';
        return;
    }
    memcpy(out, p, cap - 4);
    memcpy(out + cap - 4, "...", 4);
}

void cl_x509_name_line(const X509_NAME *name, char *out, size_t cap)
{
    out[0] = '\0';
    BIO *bio = BIO_new(BIO_s_mem());
    if (!bio)
        return;
    /*
     * RFC 2253 order and escaping (XN_FLAG_RFC2253 includes ASN1_STRFLGS_ESC_CTRL and
     * ESC_MSB): a peer's name cannot put a newline or raw bytes into a log line.
     */
    if (X509_NAME_print_ex(bio, name, 0, XN_FLAG_RFC2253) >= 0) {
        char *p = NULL;
        long n = BIO_get_mem_data(bio, &p);
        if (n > 0 && p)
            copy_cut(out, cap, p, (size_t)n);
    }
    BIO_free(bio);
    ERR_clear_error();
}

/* "YYYY-MM-DD" of a certificate time, "?" when it does not convert. */
static void date_line(const ASN1_TIME *t, char *out, size_t cap)
{
    struct tm tm;
    if (!t || ASN1_TIME_to_tm(t, &tm) != 1) {
        snprintf(out, cap, "?");
        ERR_clear_error();
        return;
    }
    snprintf(out, cap, "%04d-%02d-%02d", tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday);
}

static void key_line(const X509 *x, char *out, size_t cap)
{
    cl_pubkey *k = NULL;
    if (cl_x509_pubkey(x, &k) != 0) {
        snprintf(out, cap, "unknown");
        return;
    }
    unsigned bits = cl_pubkey_bits(k);
    switch (cl_pubkey_type(k)) {
    case CL_KEY_RSA: snprintf(out, cap, "RSA %u", bits); break;
    case CL_KEY_RSA_PSS: snprintf(out, cap, "RSA-PSS %u", bits); break;
    case CL_KEY_EC_P256: snprintf(out, cap, "ECDSA P-256"); break;
    case CL_KEY_EC_P384: snprintf(out, cap, "ECDSA P-384"); break;
    case CL_KEY_EC_P521: snprintf(out, cap, "ECDSA P-521"); break;
    case CL_KEY_ED25519: snprintf(out, cap, "Ed25519"); break;
    case CL_KEY_OTHER: {
        /* Keys clasp cannot use are still named, by libcrypto ("DSA 2048", "EC 521"). */
        EVP_PKEY *pkey = X509_get0_pubkey(x);
        const char *name = pkey ? EVP_PKEY_get0_type_name(pkey) : NULL;
        snprintf(out, cap, "%s %u", name ? name : "unknown", bits);
        break;
    }
    }
    cl_pubkey_free(k);
}

int cl_cert_summary(const uint8_t *der, size_t len, char *buf, size_t cap)
{
    CL_CHECK(buf && cap > 0, CLASP_ERR_INVALID_ARG);
    buf[0] = '\0';
    X509 *x = cl_x509_from_der(der, len);
    CL_CHECK(x, CLASP_ERR_BAD_CERTIFICATE);
    /* Names are cut first, so a long subject cannot push key and dates off the line. */
    char subject[128], issuer[128], key[48], from[40], to[40]; /* dates: room for any int */
    cl_x509_name_line(X509_get_subject_name(x), subject, sizeof(subject));
    cl_x509_name_line(X509_get_issuer_name(x), issuer, sizeof(issuer));
    key_line(x, key, sizeof(key));
    date_line(X509_get0_notBefore(x), from, sizeof(from));
    date_line(X509_get0_notAfter(x), to, sizeof(to));
    snprintf(buf, cap, "subject=%s issuer=%s key=%s valid=%s..%s", subject, issuer, key, from, to);
    X509_free(x);
    ERR_clear_error();
    return 0;
}

int cl_dn_text(const uint8_t *der, size_t len, char *buf, size_t cap)
{
    CL_CHECK(buf && cap > 0, CLASP_ERR_INVALID_ARG);
    buf[0] = '\0';
    CL_CHECK(der && len > 0 && len <= LONG_MAX, CLASP_ERR_BAD_CERTIFICATE);
    const unsigned char *p = der;
    X509_NAME *name = d2i_X509_NAME(NULL, &p, (long)len);
    /* Exactly one name: bytes after it would be a name the line does not show. */
    int ok = name && p == der + len;
    if (ok)
        cl_x509_name_line(name, buf, cap);
    X509_NAME_free(name);
    ERR_clear_error();
    return ok ? 0 : CLASP_ERR_BAD_CERTIFICATE;
}
