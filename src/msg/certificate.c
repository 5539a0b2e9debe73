/*
 * Certificate, TLS 1.3 (RFC 8446 4.4.2):
 *
 *     struct {
 *         opaque cert_data<1..2^24-1>;      (X.509; raw public keys are never negotiated)
 *         Extension extensions<0..2^16-1>;
 *     } CertificateEntry;
 *
 *     opaque certificate_request_context<0..2^8-1>;
 *     CertificateEntry certificate_list<0..2^24-1>;
 *
 * An empty list is well formed (a client without a certificate); hs/ judges it.
 */
#include <string.h>

#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

static int next_entry(cl_reader *entries, const uint8_t **der, size_t *der_len, cl_exts *exts)
{
    cl_reader cert, block;
    CL_TRY(cl_read_vec(entries, 3, 1, 0xffffff, &cert));
    CL_TRY(cl_read_vec16(entries, &block));
    CL_TRY(cl_exts_parse(&block, CL_CTX_CT, exts));
    CL_TRY(cl_exts_check_bodies(exts, CL_CTX_CT));
    cl_read_rest(&cert, der, der_len);
    return 0;
}

int cl_certificate13_next(cl_reader *entries, const uint8_t **der, size_t *der_len, cl_exts *exts)
{
    cl_reader save = *entries;
    cl_exts scratch;
    int rc = next_entry(entries, der, der_len, exts ? exts : &scratch);
    if (rc != 0)
        *entries = save; /* like every reader: a failed read does not move */
    return rc;
}

int cl_certificate13_parse(const uint8_t *body, size_t len, size_t max_entries,
                           cl_certificate13 *out)
{
    cl_reader r, walk;
    const uint8_t *der;
    size_t der_len;
    cl_exts exts;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(cl_read_vec8(&r, &out->context));
    CL_TRY(cl_read_vec24(&r, &out->entries));
    CL_TRY(cl_read_end(&r));
    /* Check every entry now, so later walks over a parsed message cannot fail. */
    walk = out->entries;
    while (cl_reader_left(&walk)) {
        CL_CHECK(out->n_entries < max_entries, CLASP_ERR_BAD_CERTIFICATE);
        CL_TRY(cl_certificate13_next(&walk, &der, &der_len, &exts));
        out->n_entries++;
    }
    return 0;
}
