/*
 * KeyUpdate (RFC 8446 4.6.3):
 *
 *     enum { update_not_requested(0), update_requested(1), (255) } KeyUpdateRequest;
 *     KeyUpdateRequest request_update;
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_key_update_parse(const uint8_t *body, size_t len, uint8_t *request_update)
{
    cl_reader r;
    uint8_t v;
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_u8(&r, &v));
    CL_TRY(cl_read_end(&r));
    /* 4.6.3: "If an implementation receives any other value, it MUST terminate the
     * connection with an "illegal_parameter" alert." */
    CL_CHECK(v == CL_KEY_UPDATE_NOT_REQUESTED || v == CL_KEY_UPDATE_REQUESTED,
             CLASP_ERR_ILLEGAL_PARAMETER);
    *request_update = v;
    return 0;
}
