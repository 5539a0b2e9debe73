/*
 * ServerKeyExchange for ECDHE_ECDSA and ECDHE_RSA (RFC 8422 5.4, RFC 5246 7.4.3), and for
 * DHE_RSA (RFC 5246 7.4.3: struct { opaque dh_p<1..2^16-1>; opaque dh_g<1..2^16-1>;
 * opaque dh_Ys<1..2^16-1>; } ServerDHParams, then the same digitally-signed part):
 *
 *     enum { deprecated (1..2), named_curve (3), reserved(248..255) } ECCurveType;
 *     struct {
 *         ECCurveType curve_type;
 *         select (curve_type) { case named_curve: NamedCurve namedcurve; };
 *     } ECParameters;
 *     struct { opaque point <1..2^8-1>; } ECPoint;
 *     struct { ECParameters curve_params; ECPoint public; } ServerECDHParams;
 *
 *     struct { ServerECDHParams params; digitally-signed struct {...} signed_params; }
 *
 * digitally-signed (RFC 5246 4.7) is a SignatureAndHashAlgorithm then signature<0..2^16-1>:
 * the shape of CertificateVerify, whose parser reads it. An empty signature is well formed;
 * it fails verification later (decrypt_error), as in CertificateVerify. The named group and
 * the point's encoding are checked by hs/ against what was offered.
 */
#include <string.h>

#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

#define CURVE_TYPE_NAMED_CURVE 3

static int read_params(cl_reader *r, cl_server_key_exchange12 *out)
{
    uint8_t curve_type;
    cl_reader point;
    CL_TRY(cl_read_u8(r, &curve_type));
    /* 8422 5.4: explicit prime and char2 curves (1, 2) are "now deprecated, so only one
     * value remains", named_curve; a value we do not support, the rest of whose structure we
     * cannot know, is illegal_parameter (as OpenSSL: SSL_R_WRONG_CURVE). */
    CL_CHECK(curve_type == CURVE_TYPE_NAMED_CURVE, CLASP_ERR_ILLEGAL_PARAMETER);
    CL_TRY(cl_read_u16(r, &out->group));
    CL_TRY(cl_read_vec(r, 1, 1, 0xff, &point));
    cl_read_rest(&point, &out->point, &out->point_len);
    return 0;
}

/* The digitally-signed part after the params (RFC 5246 4.7), the rest of the body. */
static int read_signature(cl_reader *r, uint16_t *scheme, const uint8_t **sig, size_t *sig_len)
{
    cl_certificate_verify cv;
    const uint8_t *rest;
    size_t rest_len;
    cl_read_rest(r, &rest, &rest_len);
    CL_TRY(cl_certificate_verify_parse(rest, rest_len, &cv));
    *scheme = cv.scheme;
    *sig = cv.sig;
    *sig_len = cv.sig_len;
    return 0;
}

int cl_server_key_exchange12_parse(const uint8_t *body, size_t len, cl_server_key_exchange12 *out)
{
    cl_reader r;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(read_params(&r, out));
    /* The signature covers ClientHello.random + ServerHello.random + params (8422 5.4). */
    out->params = body;
    out->params_len = len - cl_reader_left(&r);
    return read_signature(&r, &out->scheme, &out->sig, &out->sig_len);
}

/* One opaque<1..2^16-1> of ServerDHParams. */
static int read_dh_value(cl_reader *r, const uint8_t **v, size_t *n)
{
    cl_reader vec;
    CL_TRY(cl_read_vec(r, 2, 1, 0xffff, &vec));
    cl_read_rest(&vec, v, n);
    return 0;
}

int cl_server_key_exchange_dhe_parse(const uint8_t *body, size_t len,
                                     cl_server_key_exchange_dhe *out)
{
    cl_reader r;
    memset(out, 0, sizeof(*out));
    cl_reader_init(&r, body, len);
    CL_TRY(read_dh_value(&r, &out->p, &out->p_len));
    CL_TRY(read_dh_value(&r, &out->g, &out->g_len));
    CL_TRY(read_dh_value(&r, &out->ys, &out->ys_len));
    out->params = body; /* signed after the two randoms, as for ECDHE (RFC 5246 7.4.3) */
    out->params_len = len - cl_reader_left(&r);
    return read_signature(&r, &out->scheme, &out->sig, &out->sig_len);
}
