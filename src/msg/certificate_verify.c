/*
 * CertificateVerify (RFC 8446 4.4.3; the same shape as TLS 1.2's digitally-signed struct,
 * RFC 5246 4.7 and 7.4.8):
 *
 *     SignatureScheme algorithm;
 *     opaque signature<0..2^16-1>;
 */
#include <string.h>

#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_certificate_verify_parse(const uint8_t *body, size_t len, cl_certificate_verify *out)
{
    cl_reader r, sig;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_u16(&r, &out->scheme));
    /* The grammar allows an empty signature: it is well formed, and fails verification
     * (decrypt_error, 4.4.3), not decoding. */
    CL_TRY(cl_read_vec(&r, 2, 0, 0xffff, &sig));
    CL_TRY(cl_read_end(&r));
    cl_read_rest(&sig, &out->sig, &out->sig_len);
    return 0;
}
