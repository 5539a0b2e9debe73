/*
 * CertificateRequest, TLS 1.3 (RFC 8446 4.3.2):
 *
 *     opaque certificate_request_context<0..2^8-1>;
 *     Extension extensions<2..2^16-1>;
 */
#include <string.h>

#include "base/err.h"
#include "msg/msg.h"

int cl_certificate_request13_parse(const uint8_t *body, size_t len, cl_certificate_request13 *out)
{
    cl_reader r, block;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_vec8(&r, &out->context));
    CL_TRY(cl_read_vec(&r, 2, 2, 0xffff, &block));
    CL_TRY(cl_read_end(&r));
    CL_TRY(cl_exts_parse(&block, CL_CTX_CR, &out->exts));
    CL_TRY(cl_exts_check_bodies(&out->exts, CL_CTX_CR));
    /* 4.3.2: "The "signature_algorithms" extension MUST be specified"; a message without a
     * mandatory extension is "missing_extension" (section 6.2). */
    CL_CHECK(cl_exts_has(&out->exts, CL_EXTI_SIGNATURE_ALGORITHMS), CLASP_ERR_MISSING_EXTENSION);
    return 0;
}
