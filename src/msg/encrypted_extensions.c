/*
 * EncryptedExtensions (RFC 8446 4.3.1):
 *
 *     Extension extensions<0..2^16-1>;
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_encrypted_extensions_parse(const uint8_t *body, size_t len, cl_exts *out)
{
    cl_reader r, block;
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_vec16(&r, &block));
    CL_TRY(cl_read_end(&r));
    CL_TRY(cl_exts_parse(&block, CL_CTX_EE, out));
    return cl_exts_check_bodies(out, CL_CTX_EE);
}
