/*
 * Finished (RFC 8446 4.4.4: opaque verify_data[Hash.length]; RFC 5246 7.4.9:
 * verify_data[verify_data_length], 12 bytes for every suite we have). The length is the
 * caller's: it depends on the negotiated suite.
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_finished_parse(const uint8_t *body, size_t len, size_t verify_len,
                      const uint8_t **verify_data)
{
    cl_reader r;
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_bytes(&r, verify_len, verify_data));
    return cl_read_end(&r);
}
