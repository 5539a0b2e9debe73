/* cookie (RFC 8446 4.2.2): struct { opaque cookie<1..2^16-1>; } Cookie; */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_ext_cookie(cl_reader ext, const uint8_t **cookie, size_t *len)
{
    cl_reader c;
    CL_TRY(cl_read_vec(&ext, 2, 1, 0xffff, &c));
    CL_TRY(cl_read_end(&ext));
    cl_read_rest(&c, cookie, len);
    return 0;
}
