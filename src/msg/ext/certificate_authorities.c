/*
 * certificate_authorities (RFC 8446 4.2.4):
 *
 *     opaque DistinguishedName<1..2^16-1>;
 *     struct { DistinguishedName authorities<3..2^16-1>; } CertificateAuthoritiesExtension;
 *
 * The names are DER; x509/ reads them, msg/ only frames them.
 */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_ext_certificate_authorities_next(cl_reader *names, const uint8_t **dn, size_t *len)
{
    cl_reader one;
    CL_TRY(cl_read_vec(names, 2, 1, 0xffff, &one));
    cl_read_rest(&one, dn, len);
    return 0;
}

int cl_ext_certificate_authorities(cl_reader ext, cl_reader *names)
{
    const uint8_t *dn;
    size_t len;
    CL_TRY(cl_read_vec(&ext, 2, 3, 0xffff, names));
    CL_TRY(cl_read_end(&ext));
    cl_reader walk = *names;
    while (cl_reader_left(&walk))
        CL_TRY(cl_ext_certificate_authorities_next(&walk, &dn, &len));
    return 0;
}
