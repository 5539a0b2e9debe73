/* record_size_limit (RFC 8449 section 4): uint16 RecordSizeLimit; */
#include "base/err.h"
#include "msg/msg.h"

#define MIN_RECORD_SIZE_LIMIT 64

int cl_ext_record_size_limit(cl_reader ext, uint16_t *limit)
{
    CL_TRY(cl_read_u16(&ext, limit));
    CL_TRY(cl_read_end(&ext));
    /* Section 4: "Endpoints MUST NOT send a "record_size_limit" extension with a value
     * smaller than 64. An endpoint MUST treat receipt of a smaller value as a fatal error
     * and generate an "illegal_parameter" alert." The upper bound depends on the version
     * negotiated, so hs/ checks it. */
    CL_CHECK(*limit >= MIN_RECORD_SIZE_LIMIT, CLASP_ERR_ILLEGAL_PARAMETER);
    return 0;
}
