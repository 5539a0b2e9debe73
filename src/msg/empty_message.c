/*
 * Messages with empty bodies: HelloRequest (RFC 5246 7.4.1.1, "struct { } HelloRequest;")
 * and ServerHelloDone (7.4.5, "struct { } ServerHelloDone;"). A byte in either is
 * decode_error.
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_empty_message_parse(const uint8_t *body, size_t len)
{
    cl_reader r;
    cl_reader_init(&r, body, len);
    return cl_read_end(&r);
}
