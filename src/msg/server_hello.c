/*
 * ServerHello and HelloRetryRequest (RFC 8446 4.1.3, 4.1.4; RFC 5246 7.4.1.3):
 *
 *     ProtocolVersion legacy_version = 0x0303;
 *     Random random;
 *     opaque legacy_session_id_echo<0..32>;
 *     CipherSuite cipher_suite;
 *     uint8 legacy_compression_method = 0;
 *     Extension extensions<6..2^16-1>;       (TLS 1.2: <0..2^16-1>, or absent)
 *
 * A HelloRetryRequest is a ServerHello whose random is the special value below. A TLS 1.3
 * ServerHello is one with supported_versions (4.2.1); without it the message is TLS 1.2's,
 * and its extensions are judged by the TLS 1.2 rules.
 */
#include <string.h>

#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

/* RFC 8446 4.1.3: SHA-256 of "HelloRetryRequest". */
const uint8_t cl_hrr_random[CL_RANDOM_LEN] = {
    0xcf, 0x21, 0xad, 0x74, 0xe5, 0x9a, 0x61, 0x11, 0xbe, 0x1d, 0x8c, 0x02, 0x1e, 0x65, 0xb8, 0x91,
    0xc2, 0xa2, 0x11, 0x16, 0x7a, 0xbb, 0x8c, 0x5e, 0x07, 0x9e, 0x09, 0xe2, 0xc8, 0xa8, 0x33, 0x9c,
};

static int parse_exts(cl_reader *r, cl_server_hello *out)
{
    cl_reader block;
    cl_ext_ctx ctx;
    if (cl_reader_left(r) == 0) {
        /* RFC 5246 7.4.1.3: a TLS 1.2 ServerHello may end here; an HRR cannot. */
        CL_CHECK(!out->is_hrr, CLASP_ERR_DECODE);
        return 0;
    }
    CL_TRY(cl_read_vec(r, 2, out->is_hrr ? 6 : 0, 0xffff, &block));
    CL_TRY(cl_read_end(r));
    if (out->is_hrr)
        ctx = CL_CTX_HRR;
    else if (cl_exts_scan(block, CL_EXT_SUPPORTED_VERSIONS))
        ctx = CL_CTX_SH; /* at least 6 bytes by construction */
    else
        ctx = CL_CTX_SH12;
    out->has_extensions = 1;
    CL_TRY(cl_exts_parse(&block, ctx, &out->exts));
    return cl_exts_check_bodies(&out->exts, ctx);
}

int cl_server_hello_parse(const uint8_t *body, size_t len, cl_server_hello *out)
{
    cl_reader r;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_u16(&r, &out->legacy_version));
    CL_TRY(cl_read_copy(&r, out->random, CL_RANDOM_LEN));
    out->is_hrr = memcmp(out->random, cl_hrr_random, CL_RANDOM_LEN) == 0;
    CL_TRY(cl_read_session_id(&r, out->session_id, &out->session_id_len));
    CL_TRY(cl_read_u16(&r, &out->cipher_suite));
    CL_TRY(cl_read_u8(&r, &out->compression));
    /*
     * RFC 8446 4.1.3: legacy_compression_method "MUST have the value 0" (no alert named);
     * in TLS 1.2 we only ever offer null, so anything else was not offered. Both are a
     * field with a wrong value: illegal_parameter.
     */
    CL_CHECK(out->compression == 0, CLASP_ERR_ILLEGAL_PARAMETER);
    return parse_exts(&r, out);
}
