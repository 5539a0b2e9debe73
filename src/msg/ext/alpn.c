/*
 * application_layer_protocol_negotiation (RFC 7301 section 3.1):
 *
 *     opaque ProtocolName<1..2^8-1>;
 *     struct { ProtocolName protocol_name_list<2..2^16-1> } ProtocolNameList;
 */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_ext_alpn_next(cl_reader *names, const uint8_t **name, size_t *len)
{
    cl_reader one;
    CL_TRY(cl_read_vec(names, 1, 1, 0xff, &one));
    cl_read_rest(&one, name, len);
    return 0;
}

int cl_ext_alpn_list(cl_reader ext, cl_reader *names)
{
    const uint8_t *name;
    size_t len;
    CL_TRY(cl_read_vec(&ext, 2, 2, 0xffff, names));
    CL_TRY(cl_read_end(&ext));
    /* 3.1: "Empty strings MUST NOT be included": check every name now. */
    cl_reader walk = *names;
    while (cl_reader_left(&walk))
        CL_TRY(cl_ext_alpn_next(&walk, &name, &len));
    return 0;
}

int cl_ext_alpn_single(cl_reader ext, const uint8_t **name, size_t *len)
{
    cl_reader names;
    CL_TRY(cl_ext_alpn_list(ext, &names));
    CL_TRY(cl_ext_alpn_next(&names, name, len));
    /* 3.1: the server's "ProtocolNameList MUST contain exactly one "ProtocolName"". No
     * alert is named; a list of another shape is a decoding failure of the response. */
    return cl_read_end(&names);
}
