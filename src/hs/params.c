#include <string.h>

#include <clasp/conn.h>

#include "base/err.h"
#include "hs/params.h"
#include "record/protect.h"

/* A TLS 1.2 CBC-HMAC suite: IANA value, name, AES key bits, MAC hash, PRF hash, kx. */
#define CBC(id, name, bits, mac, prf, kx)                                                          \
    {                                                                                              \
        id, name, CL_TLS12_VERSION, CL_AEAD_AES_128_GCM, CL_HASH_##prf, CL_KX_##kx, 1,             \
            CL_CBC_AES_##bits, CL_HASH_##mac                                                       \
    }

static const cl_suite suites[] = {
    {0x1301, "TLS_AES_128_GCM_SHA256", CL_TLS13_VERSION, CL_AEAD_AES_128_GCM, CL_HASH_SHA256,
     CL_KX_NONE, 0, 0, 0},
    {0x1302, "TLS_AES_256_GCM_SHA384", CL_TLS13_VERSION, CL_AEAD_AES_256_GCM, CL_HASH_SHA384,
     CL_KX_NONE, 0, 0, 0},
    {0x1303, "TLS_CHACHA20_POLY1305_SHA256", CL_TLS13_VERSION, CL_AEAD_CHACHA20_POLY1305,
     CL_HASH_SHA256, CL_KX_NONE, 0, 0, 0},
    /* opt-in, not in the default list (docs/security.md) */
    {0x1304, "TLS_AES_128_CCM_SHA256", CL_TLS13_VERSION, CL_AEAD_AES_128_CCM, CL_HASH_SHA256,
     CL_KX_NONE, 0, 0, 0},
    {0xc02b, "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", CL_TLS12_VERSION, CL_AEAD_AES_128_GCM,
     CL_HASH_SHA256, CL_KX_ECDHE_ECDSA, 0, 0, 0},
    {0xc02c, "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", CL_TLS12_VERSION, CL_AEAD_AES_256_GCM,
     CL_HASH_SHA384, CL_KX_ECDHE_ECDSA, 0, 0, 0},
    {0xc02f, "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", CL_TLS12_VERSION, CL_AEAD_AES_128_GCM,
     CL_HASH_SHA256, CL_KX_ECDHE_RSA, 0, 0, 0},
    {0xc030, "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", CL_TLS12_VERSION, CL_AEAD_AES_256_GCM,
     CL_HASH_SHA384, CL_KX_ECDHE_RSA, 0, 0, 0},
    {0xcca9, "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", CL_TLS12_VERSION,
     CL_AEAD_CHACHA20_POLY1305, CL_HASH_SHA256, CL_KX_ECDHE_ECDSA, 0, 0, 0},
    {0xcca8, "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", CL_TLS12_VERSION,
     CL_AEAD_CHACHA20_POLY1305, CL_HASH_SHA256, CL_KX_ECDHE_RSA, 0, 0, 0},
    {0x009c, "TLS_RSA_WITH_AES_128_GCM_SHA256", CL_TLS12_VERSION, CL_AEAD_AES_128_GCM,
     CL_HASH_SHA256, CL_KX_RSA, 0, 0, 0},
    {0x009d, "TLS_RSA_WITH_AES_256_GCM_SHA384", CL_TLS12_VERSION, CL_AEAD_AES_256_GCM,
     CL_HASH_SHA384, CL_KX_RSA, 0, 0, 0},
    /*
     * CBC-HMAC (MAC-then-encrypt, or RFC 7366 encrypt-then-MAC when negotiated): never in the
     * defaults, enabled by name (docs/security.md). The _SHA suites MAC with HMAC-SHA1 and use
     * TLS 1.2's SHA-256 PRF (RFC 5246 5, RFC 8422 6); the _SHA256 and _SHA384 ones use that
     * hash for both (RFC 5289 3.2).
     */
    CBC(0xc009, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", 128, SHA1, SHA256, ECDHE_ECDSA),
    CBC(0xc00a, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", 256, SHA1, SHA256, ECDHE_ECDSA),
    CBC(0xc013, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", 128, SHA1, SHA256, ECDHE_RSA),
    CBC(0xc014, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", 256, SHA1, SHA256, ECDHE_RSA),
    CBC(0xc023, "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", 128, SHA256, SHA256, ECDHE_ECDSA),
    CBC(0xc024, "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", 256, SHA384, SHA384, ECDHE_ECDSA),
    CBC(0xc027, "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", 128, SHA256, SHA256, ECDHE_RSA),
    CBC(0xc028, "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", 256, SHA384, SHA384, ECDHE_RSA),
    /* RFC 5246 9: the suite every TLS 1.2 implementation must have */
    CBC(0x002f, "TLS_RSA_WITH_AES_128_CBC_SHA", 128, SHA1, SHA256, RSA),
    /* opt-in, not in the default list (docs/security.md) */
    {0x009e, "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", CL_TLS12_VERSION, CL_AEAD_AES_128_GCM,
     CL_HASH_SHA256, CL_KX_DHE_RSA, 0, 0, 0},
    {0x009f, "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", CL_TLS12_VERSION, CL_AEAD_AES_256_GCM,
     CL_HASH_SHA384, CL_KX_DHE_RSA, 0, 0, 0},
    {0xccaa, "TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", CL_TLS12_VERSION,
     CL_AEAD_CHACHA20_POLY1305, CL_HASH_SHA256, CL_KX_DHE_RSA, 0, 0, 0},
};

struct named {
    uint16_t id;
    const char *name;
};

static const struct named groups[] = {
    {CL_GROUP_X25519, "x25519"},       {CL_GROUP_SECP256R1, "secp256r1"},
    {CL_GROUP_SECP384R1, "secp384r1"}, {CL_GROUP_SECP521R1, "secp521r1"},
    {CL_GROUP_X448, "x448"},           {CL_GROUP_FFDHE2048, "ffdhe2048"},
    {CL_GROUP_FFDHE3072, "ffdhe3072"}, {CL_GROUP_FFDHE4096, "ffdhe4096"},
};

static const struct named schemes[] = {
    {CL_SIG_ECDSA_SECP256R1_SHA256, "ecdsa_secp256r1_sha256"},
    {CL_SIG_ECDSA_SECP384R1_SHA384, "ecdsa_secp384r1_sha384"},
    {CL_SIG_ECDSA_SECP521R1_SHA512, "ecdsa_secp521r1_sha512"},
    {CL_SIG_ED25519, "ed25519"},
    {CL_SIG_RSA_PSS_RSAE_SHA256, "rsa_pss_rsae_sha256"},
    {CL_SIG_RSA_PSS_RSAE_SHA384, "rsa_pss_rsae_sha384"},
    {CL_SIG_RSA_PSS_RSAE_SHA512, "rsa_pss_rsae_sha512"},
    {CL_SIG_RSA_PSS_PSS_SHA256, "rsa_pss_pss_sha256"},
    {CL_SIG_RSA_PSS_PSS_SHA384, "rsa_pss_pss_sha384"},
    {CL_SIG_RSA_PSS_PSS_SHA512, "rsa_pss_pss_sha512"},
    {CL_SIG_RSA_PKCS1_SHA256, "rsa_pkcs1_sha256"},
    {CL_SIG_RSA_PKCS1_SHA384, "rsa_pkcs1_sha384"},
    {CL_SIG_RSA_PKCS1_SHA512, "rsa_pkcs1_sha512"},
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

const cl_suite *cl_suite_find(uint16_t id)
{
    for (size_t i = 0; i < COUNT(suites); i++)
        if (suites[i].id == id)
            return &suites[i];
    return NULL;
}

static int name_eq(const char *a, const char *b, size_t len)
{
    return strlen(a) == len && strncmp(a, b, len) == 0;
}

const cl_suite *cl_suite_by_name(const char *name, size_t len)
{
    for (size_t i = 0; i < COUNT(suites); i++)
        if (name_eq(suites[i].name, name, len))
            return &suites[i];
    return NULL;
}

uint16_t cl_suite_id_by_name(const char *name, size_t len)
{
    const cl_suite *s = cl_suite_by_name(name, len);
    return s ? s->id : 0;
}

static const char *named_name(const struct named *t, size_t n, uint16_t id)
{
    for (size_t i = 0; i < n; i++)
        if (t[i].id == id)
            return t[i].name;
    return NULL;
}

static uint16_t named_id(const struct named *t, size_t n, const char *name, size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (name_eq(t[i].name, name, len))
            return t[i].id;
    return 0;
}

const char *cl_group_name(uint16_t group)
{
    return named_name(groups, COUNT(groups), group);
}

const char *cl_sig_scheme_name(uint16_t scheme)
{
    return named_name(schemes, COUNT(schemes), scheme);
}

/* A group this libcrypto lacks (a build without X448, say) is unknown to the lists. */
uint16_t cl_group_by_name(const char *name, size_t len)
{
    uint16_t id = named_id(groups, COUNT(groups), name, len);
    return cl_kex_group_supported(id) ? id : 0;
}

uint16_t cl_sig_scheme_by_name(const char *name, size_t len)
{
    return named_id(schemes, COUNT(schemes), name, len);
}

int cl_u16_in(uint16_t v, const uint16_t *list, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (list[i] == v)
            return 1;
    return 0;
}

int cl_parse_name_list(const char *list, cl_name_lookup lookup, uint16_t *out, size_t cap,
                       size_t *n)
{
    uint16_t tmp[32];
    size_t count = 0;
    CL_CHECK(list && cap <= 32, CLASP_ERR_INVALID_ARG);
    for (const char *p = list; *p;) {
        size_t len = strcspn(p, ":,");
        uint16_t id = len ? lookup(p, len) : 0;
        CL_CHECK(id != 0 && count < cap && !cl_u16_in(id, tmp, count), CLASP_ERR_INVALID_ARG);
        tmp[count++] = id;
        p += len;
        if (*p)
            p++;
    }
    CL_CHECK(count > 0, CLASP_ERR_INVALID_ARG);
    memcpy(out, tmp, count * sizeof(uint16_t));
    *n = count;
    return 0;
}

/* ---- the public names (clasp/conn.h): hs/ traces them too, so they live here ---- */

const char *clasp_cipher_suite_name(uint16_t suite)
{
    const cl_suite *s = cl_suite_find(suite);
    return s ? s->name : NULL;
}

const char *clasp_group_name(uint16_t group)
{
    return cl_group_name(group);
}

const char *clasp_signature_scheme_name(uint16_t scheme)
{
    return cl_sig_scheme_name(scheme);
}

const char *clasp_version_name(uint16_t version)
{
    switch (version) {
    case CL_TLS13_VERSION: return "TLS 1.3";
    case CL_TLS12_VERSION: return "TLS 1.2";
    default: return NULL;
    }
}
