/*
 * Certificate, TLS 1.2 (RFC 5246 7.4.2, and 7.4.6 for the client's):
 *
 *     opaque ASN.1Cert<1..2^24-1>;
 *     struct { ASN.1Cert certificate_list<0..2^24-1>; } Certificate;
 *
 * An empty list is well formed: 7.4.6, "If no suitable certificate is available, the client
 * MUST send a certificate message containing no certificates". Whether it is acceptable is
 * for hs/ to judge (a server's must not be empty; a client's depends on the verify mode).
 */
#include <string.h>

#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

int cl_certificate12_next(cl_reader *certs, const uint8_t **der, size_t *der_len)
{
    cl_reader cert;
    /* cl_read_vec does not move the cursor when it fails */
    CL_TRY(cl_read_vec(certs, 3, 1, 0xffffff, &cert));
    cl_read_rest(&cert, der, der_len);
    return 0;
}

int cl_certificate12_parse(const uint8_t *body, size_t len, size_t max_certs, cl_certificate12 *out)
{
    cl_reader r, walk;
    const uint8_t *der;
    size_t der_len;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_vec24(&r, &out->certs));
    CL_TRY(cl_read_end(&r));
    /* Check every entry now, so later walks over a parsed message cannot fail. */
    walk = out->certs;
    while (cl_reader_left(&walk)) {
        CL_CHECK(out->n_certs < max_certs, CLASP_ERR_BAD_CERTIFICATE);
        CL_TRY(cl_certificate12_next(&walk, &der, &der_len));
        out->n_certs++;
    }
    return 0;
}
