/*
 * early_data in a NewSessionTicket (RFC 8446 4.2.10): uint32 max_early_data_size. In a
 * ClientHello or EncryptedExtensions the extension is empty (cl_ext_empty).
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_ext_early_data_nst(cl_reader ext, uint32_t *max_early_data_size)
{
    CL_TRY(cl_read_u32(&ext, max_early_data_size));
    return cl_read_end(&ext);
}
