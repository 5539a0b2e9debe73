/*
 * NewSessionTicket, TLS 1.2 (RFC 5077 3.3):
 *
 *     struct {
 *         uint32 ticket_lifetime_hint;
 *         opaque ticket<0..2^16-1>;
 *     } NewSessionTicket;
 *
 * An empty ticket is well formed: "If the server determines that it does not want to include
 * a ticket after it has included the SessionTicket extension in the ServerHello, then it
 * sends a zero-length ticket" (3.3). A lifetime hint of 0 means "unspecified" (3.3); unlike
 * TLS 1.3's ticket_lifetime there is no upper bound.
 */
#include <string.h>

#include "base/err.h"
#include "msg/msg.h"

int cl_new_session_ticket12_parse(const uint8_t *body, size_t len, cl_new_session_ticket12 *out)
{
    cl_reader r;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_u32(&r, &out->lifetime_hint));
    CL_TRY(cl_read_vec16(&r, &out->ticket));
    return cl_read_end(&r);
}
