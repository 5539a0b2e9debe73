/*
 * ClientKeyExchange, TLS 1.2. Its shape depends on the negotiated key exchange, so there is
 * one parser per kind:
 *
 *  - ECDHE (RFC 8422 5.7): struct { ECPoint ecdh_Yc; }, ECPoint being point<1..2^8-1>. The
 *    implicit encoding (an empty message, for fixed-ECDH client certificates) is
 *    "deprecated" (5.7) and never negotiated here.
 *  - DHE (RFC 5246 7.4.7.2): ClientDiffieHellmanPublic, explicit (dh_Yc<1..2^16-1>); the
 *    implicit form is for fixed-DH client certificates, which clasp never asks for.
 *  - RSA (RFC 5246 7.4.7.1): EncryptedPreMasterSecret, a public-key-encrypted value, which
 *    TLS encodes as opaque<0..2^16-1> (4.7). Its length against the modulus is for the
 *    decryption to judge, which must not tell a bad length from a bad padding (7.4.7.1).
 */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

/* One vector<min..max> of width bytes that is the whole body. */
static int whole_vector(const uint8_t *body, size_t len, unsigned width, size_t min, size_t max,
                        const uint8_t **p, size_t *n)
{
    cl_reader r, v;
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_vec(&r, width, min, max, &v));
    CL_TRY(cl_read_end(&r));
    cl_read_rest(&v, p, n);
    return 0;
}

int cl_client_key_exchange_ecdhe_parse(const uint8_t *body, size_t len, const uint8_t **point,
                                       size_t *point_len)
{
    return whole_vector(body, len, 1, 1, 0xff, point, point_len);
}

int cl_client_key_exchange_rsa_parse(const uint8_t *body, size_t len, const uint8_t **enc,
                                     size_t *enc_len)
{
    return whole_vector(body, len, 2, 0, 0xffff, enc, enc_len);
}

int cl_client_key_exchange_dhe_parse(const uint8_t *body, size_t len, const uint8_t **yc,
                                     size_t *yc_len)
{
    return whole_vector(body, len, 2, 1, 0xffff, yc, yc_len);
}
