/*
 * Recognising an SSL 2.0 CLIENT-HELLO (RFC 5246 E.2), so that it is refused with a clear
 * protocol_version instead of being misread as a TLS record:
 *
 *     struct {
 *         uint16 msg_length;   "The highest bit MUST be 1"
 *         uint8 msg_type;      "The value MUST be 1"
 *         Version version;
 *         ...
 *     } V2ClientHello;
 *
 * A TLS record cannot look like this: its first byte is a ContentType (20..24), high bit
 * clear. Only the first three bytes are judged; fewer is "not (yet) known", so 0.
 */
#include "base/bytes.h"
#include "record/layer.h"

#define SSLV2_LENGTH_HIGH_BIT 0x8000
#define SSLV2_MT_CLIENT_HELLO 1

int cl_is_sslv2_client_hello(const uint8_t *p, size_t len)
{
    cl_reader r;
    uint16_t msg_length;
    uint8_t msg_type;
    cl_reader_init(&r, p, len);
    if (cl_read_u16(&r, &msg_length) != 0 || cl_read_u8(&r, &msg_type) != 0)
        return 0;
    return (msg_length & SSLV2_LENGTH_HIGH_BIT) != 0 && msg_type == SSLV2_MT_CLIENT_HELLO;
}
