/*
 * Vectors of uint16: supported_groups (RFC 8446 4.2.7, named_group_list<2..2^16-1>),
 * signature_algorithms(_cert) (4.2.3, <2..2^16-2>) and the ClientHello's cipher suites
 * (4.1.2, <2..2^16-2>).
 */
#include "base/err.h"
#include "msg/msg.h"

int cl_ext_u16_list(cl_reader *ext, size_t min, size_t max, cl_reader *list)
{
    cl_reader save = *ext;
    CL_TRY(cl_read_vec(ext, 2, min, max, list));
    /* An odd length cannot hold whole uint16 items. */
    if (cl_reader_left(list) % 2 != 0) {
        *ext = save;
        return CLASP_ERR_DECODE;
    }
    return 0;
}

int cl_ext_signature_algorithms(cl_reader ext, cl_reader *list)
{
    CL_TRY(cl_ext_u16_list(&ext, 2, 0xfffe, list));
    return cl_read_end(&ext);
}

int cl_ext_supported_groups(cl_reader ext, cl_reader *list)
{
    CL_TRY(cl_ext_u16_list(&ext, 2, 0xffff, list));
    return cl_read_end(&ext);
}

int cl_ext_write_u16_list(cl_writer *w, uint16_t type, const uint16_t *items, size_t n)
{
    CL_TRY(cl_ext_open(w, type));
    CL_TRY(cl_write_open(w, 2));
    for (size_t i = 0; i < n; i++)
        CL_TRY(cl_write_u16(w, items[i]));
    CL_TRY(cl_write_close(w));
    return cl_ext_close(w);
}
