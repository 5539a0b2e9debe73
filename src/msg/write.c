/*
 * Writing handshake framing: messages (RFC 8446 4: msg_type, uint24 length) and extensions
 * (4.2: uint16 type, opaque extension_data<0..2^16-1>). The lengths are filled in when the
 * blocks are closed, and the writer checks that each fits its prefix.
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_msg_open(cl_writer *w, uint8_t type)
{
    CL_TRY(cl_write_u8(w, type));
    return cl_write_open(w, 3);
}

int cl_msg_close(cl_writer *w)
{
    return cl_write_close(w);
}

int cl_exts_open(cl_writer *w)
{
    return cl_write_open(w, 2);
}

int cl_exts_close(cl_writer *w)
{
    return cl_write_close(w);
}

int cl_ext_open(cl_writer *w, uint16_t type)
{
    CL_TRY(cl_write_u16(w, type));
    return cl_write_open(w, 2);
}

int cl_ext_close(cl_writer *w)
{
    return cl_write_close(w);
}
