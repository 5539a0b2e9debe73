/*
 * supported_versions (RFC 8446 4.2.1):
 *
 *     select (Handshake.msg_type) {
 *         case client_hello: ProtocolVersion versions<2..254>;
 *         case server_hello: (and HelloRetryRequest) ProtocolVersion selected_version;
 *     };
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_ext_supported_versions_ch(cl_reader ext, cl_reader *versions)
{
    CL_TRY(cl_read_vec(&ext, 1, 2, 254, versions));
    CL_CHECK(cl_reader_left(versions) % 2 == 0, CLASP_ERR_DECODE);
    return cl_read_end(&ext);
}

int cl_ext_supported_versions_sh(cl_reader ext, uint16_t *version)
{
    CL_TRY(cl_read_u16(&ext, version));
    return cl_read_end(&ext);
}
