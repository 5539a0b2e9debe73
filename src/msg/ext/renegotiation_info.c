/*
 * renegotiation_info (RFC 5746 3.2): opaque renegotiated_connection<0..255>. clasp never
 * renegotiates, so hs/ expects it empty on an initial handshake (3.4, 3.6); the codec only
 * frames it.
 */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_ext_renegotiation_info(cl_reader ext, const uint8_t **data, size_t *len)
{
    cl_reader v;
    CL_TRY(cl_read_vec8(&ext, &v));
    CL_TRY(cl_read_end(&ext));
    cl_read_rest(&v, data, len);
    return 0;
}
