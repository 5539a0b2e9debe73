/*
 * ec_point_formats (RFC 8422 5.1.2): ECPointFormat ec_point_format_list<1..2^8-1>, one byte
 * per format. That "uncompressed" is in the list (5.1.2, 5.2) is for hs/ to check.
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_ext_ec_point_formats(cl_reader ext, cl_reader *formats)
{
    CL_TRY(cl_read_vec(&ext, 1, 1, 0xff, formats));
    return cl_read_end(&ext);
}
