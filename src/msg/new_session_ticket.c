/*
 * NewSessionTicket, TLS 1.3 (RFC 8446 4.6.1):
 *
 *     uint32 ticket_lifetime;
 *     uint32 ticket_age_add;
 *     opaque ticket_nonce<0..255>;
 *     opaque ticket<1..2^16-1>;
 *     Extension extensions<0..2^16-2>;
 */
#include <string.h>

#include "base/err.h"
#include "msg/msg.h"

#define MAX_TICKET_LIFETIME 604800 /* seconds: 7 days */

int cl_new_session_ticket13_parse(const uint8_t *body, size_t len, cl_new_session_ticket13 *out)
{
    cl_reader r, block;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_u32(&r, &out->lifetime));
    CL_TRY(cl_read_u32(&r, &out->age_add));
    CL_TRY(cl_read_vec8(&r, &out->nonce));
    CL_TRY(cl_read_vec(&r, 2, 1, 0xffff, &out->ticket));
    CL_TRY(cl_read_vec(&r, 2, 0, 0xfffe, &block));
    CL_TRY(cl_read_end(&r));
    /* 4.6.1: "Servers MUST NOT use any value greater than 604800 seconds" (no alert named:
     * a field with a wrong value is illegal_parameter). */
    CL_CHECK(out->lifetime <= MAX_TICKET_LIFETIME, CLASP_ERR_ILLEGAL_PARAMETER);
    CL_TRY(cl_exts_parse(&block, CL_CTX_NST, &out->exts));
    return cl_exts_check_bodies(&out->exts, CL_CTX_NST);
}
