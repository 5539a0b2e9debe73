/*
 * CertificateRequest, TLS 1.2 (RFC 5246 7.4.4):
 *
 *     opaque DistinguishedName<1..2^16-1>;
 *     struct {
 *         ClientCertificateType certificate_types<1..2^8-1>;
 *         SignatureAndHashAlgorithm supported_signature_algorithms<2^16-1>;
 *         DistinguishedName certificate_authorities<0..2^16-1>;
 *     } CertificateRequest;
 *
 * The RFC's "<2^16-1>" for the algorithms is a typo: 7.4.1.4.1 defines the same list as
 * supported_signature_algorithms<2..2^16-2>, of 2-byte SignatureAndHashAlgorithm items. The
 * values (certificate types, algorithms) are for hs/ to choose from; unknown ones are not
 * errors. The names are DER; x509/ reads them, msg/ only frames them.
 */
#include <string.h>

#include "base/err.h"
#include "msg/msg.h"

/* Every DistinguishedName<1..2^16-1> of the list, so later walks cannot fail. */
static int check_authorities(cl_reader names)
{
    const uint8_t *dn;
    size_t len;
    while (cl_reader_left(&names))
        CL_TRY(cl_ext_certificate_authorities_next(&names, &dn, &len));
    return 0;
}

int cl_certificate_request12_parse(const uint8_t *body, size_t len, cl_certificate_request12 *out)
{
    cl_reader r;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_vec(&r, 1, 1, 0xff, &out->cert_types));
    CL_TRY(cl_ext_u16_list(&r, 2, 0xfffe, &out->sig_algs));
    /* 7.4.4: certificate_authorities<0..2^16-1>, "If the certificate_authorities list is
     * empty, then the client MAY send any certificate" (unlike the TLS 1.3 extension's
     * <3..2^16-1>). */
    CL_TRY(cl_read_vec16(&r, &out->authorities));
    CL_TRY(cl_read_end(&r));
    return check_authorities(out->authorities);
}
