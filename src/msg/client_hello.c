/*
 * ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2):
 *
 *     ProtocolVersion legacy_version;
 *     Random random;
 *     opaque legacy_session_id<0..32>;
 *     CipherSuite cipher_suites<2..2^16-2>;
 *     opaque legacy_compression_methods<1..2^8-1>;
 *     Extension extensions<8..2^16-1>;       (TLS 1.2: <0..2^16-1>, or absent)
 *
 * Which version the hello asks for, and what that implies for legacy_version and the
 * compression methods, is negotiation: hs/ decides it.
 */
#include <string.h>

#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

/*
 * Finds where the binders of the pre_shared_key extension start. The extension is the last
 * of the block (checked by cl_exts_parse), the binders are the last field of OfferedPsks and
 * the block ends the body, so everything from the binders' length prefix on is the tail of
 * the body: its offset follows from the length of that tail.
 */
static int find_binders(const cl_client_hello *ch, size_t len, size_t *offset)
{
    cl_reader ids, binders;
    CL_TRY(
        cl_ext_pre_shared_key_ch(cl_exts_get(&ch->exts, CL_EXTI_PRE_SHARED_KEY), &ids, &binders));
    *offset = len - 2 - cl_reader_left(&binders);
    return 0;
}

static int parse_exts(cl_reader *r, size_t len, cl_client_hello *out)
{
    cl_reader block;
    /* RFC 8446 4.1.2: a hello from before TLS 1.2 may have no extensions field at all. */
    if (cl_reader_left(r) == 0)
        return 0;
    CL_TRY(cl_read_vec(r, 2, 0, 0xffff, &block));
    CL_TRY(cl_read_end(r));
    /*
     * extensions<8..2^16-1> is the TLS 1.3 bound; RFC 5246 7.4.1.2 allows <0..2^16-1>, and a
     * TLS 1.2 client may well send extended_master_secret alone (4 bytes). A hello is TLS 1.3
     * when it carries supported_versions, so the tighter bound applies to those.
     */
    if (cl_exts_scan(block, CL_EXT_SUPPORTED_VERSIONS))
        CL_CHECK(cl_reader_left(&block) >= 8, CLASP_ERR_DECODE);
    out->has_extensions = 1;
    out->ext_block = block; /* hs/ compares a second hello with the first (4.1.2) */
    CL_TRY(cl_exts_parse(&block, CL_CTX_CH, &out->exts));
    if (cl_exts_has(&out->exts, CL_EXTI_PRE_SHARED_KEY))
        CL_TRY(find_binders(out, len, &out->binders_offset));
    /* Every body, those the server will not act on too (early_data must be empty, ...). */
    return cl_exts_check_bodies(&out->exts, CL_CTX_CH);
}

int cl_client_hello_parse(const uint8_t *body, size_t len, cl_client_hello *out)
{
    cl_reader r;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_u16(&r, &out->legacy_version));
    CL_TRY(cl_read_copy(&r, out->random, CL_RANDOM_LEN));
    CL_TRY(cl_read_session_id(&r, out->session_id, &out->session_id_len));
    CL_TRY(cl_ext_u16_list(&r, 2, 0xfffe, &out->cipher_suites));
    CL_TRY(cl_read_vec(&r, 1, 1, 0xff, &out->compression));
    return parse_exts(&r, len, out);
}
