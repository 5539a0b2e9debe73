#include <pthread.h>

#include <openssl/evp.h>

#include "base/err.h"
#include "crypto/internal.h"

static struct cl_crypto_algs algs;
static int init_result = CLASP_ERR_CRYPTO;
static pthread_once_t init_once = PTHREAD_ONCE_INIT;

static void fetch_all(void)
{
    static const char *md_names[] = {"SHA256", "SHA384", "SHA512", "SHA1"};
    static const char *aead_names[CL_AEAD_COUNT] = {"AES-128-GCM", "AES-256-GCM",
                                                    "ChaCha20-Poly1305", "AES-128-CCM"};
    static const char *cbc_names[] = {"AES-128-CBC", "AES-256-CBC"};
    for (int i = 0; i < 4; i++)
        if (!(algs.md[i] = EVP_MD_fetch(NULL, md_names[i], NULL)))
            return;
    for (int i = 0; i < CL_AEAD_COUNT; i++) {
        algs.aead[i] = EVP_CIPHER_fetch(NULL, aead_names[i], NULL);
        /* TLS nonces are 12 bytes: the default of GCM and ChaCha20-Poly1305, so their records
         * never set a length; CCM's contexts set theirs once (aead.c). */
        if (!algs.aead[i] || (i != CL_AEAD_AES_128_CCM &&
                              EVP_CIPHER_get_iv_length(algs.aead[i]) != CL_AEAD_NONCE_LEN))
            return;
    }
    for (int i = 0; i < 2; i++)
        if (!(algs.cbc[i] = EVP_CIPHER_fetch(NULL, cbc_names[i], NULL)))
            return;
    init_result = 0;
}

int cl_crypto_init(void)
{
    if (pthread_once(&init_once, fetch_all) != 0)
        return CLASP_ERR_INTERNAL;
    return init_result;
}

const struct cl_crypto_algs *cl_algs(void)
{
    return &algs;
}

const EVP_MD *cl_md(cl_hash_alg alg)
{
    if (cl_crypto_init() != 0 || (unsigned)alg > CL_HASH_SHA1)
        return NULL;
    return algs.md[alg];
}
