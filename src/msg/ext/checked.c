/*
 * Extension bodies clasp receives but does not act on. Each is checked all the same, so a
 * malformed one fails wherever it may appear (RFC 8446 6: what does not parse is
 * decode_error; a value the RFC rules out is illegal_parameter):
 *
 *   max_fragment_length (RFC 6066 4):  enum { 2^9(1), 2^10(2), 2^11(3), 2^12(4), (255) }
 *   status_request (RFC 6066 8):       CertificateStatusRequest in a ClientHello,
 *                                      CertificateStatus in a CertificateEntry (RFC 8446
 *                                      4.4.2.1), empty in a request or TLS 1.2 ServerHello
 *   use_srtp (RFC 5764 4.1.1):         SRTPProtectionProfiles<2..2^16-1>, srtp_mki<0..255>
 *   heartbeat (RFC 6520 2):            HeartbeatMode, 1 or 2
 *   client/server_certificate_type (RFC 7250 3): a list<1..2^8-1> in a ClientHello, one
 *                                      type in a response
 *   padding (RFC 7685 3):              zero bytes
 *   signed_certificate_timestamp (RFC 6962 3.3): SignedCertificateTimestampList in a
 *                                      certificate or TLS 1.2 ServerHello
 *   oid_filters (RFC 8446 4.2.5):      OIDFilter filters<0..2^16-1>
 */
#include "base/err.h"
#include "msg/internal.h"
#include "msg/msg.h"

#define STATUS_TYPE_OCSP 1

/* Reads a vector with these bounds and nothing else (its contents are not looked at). */
static int skip_vec(cl_reader *r, unsigned width, size_t min, size_t max)
{
    cl_reader v;
    return cl_read_vec(r, width, min, max, &v);
}

/* Every item of a list of vectors, each with these bounds. */
static int skip_all(cl_reader list, unsigned width, size_t min, size_t max)
{
    while (cl_reader_left(&list))
        CL_TRY(skip_vec(&list, width, min, max));
    return 0;
}

int cl_ext_max_fragment_length(cl_reader ext)
{
    uint8_t v;
    CL_TRY(cl_read_u8(&ext, &v));
    CL_TRY(cl_read_end(&ext));
    /* RFC 6066 4: "If a server receives a maximum fragment length negotiation request for a
     * value other than the allowed values, it MUST abort the handshake with an
     * "illegal_parameter" alert." */
    CL_CHECK(v >= 1 && v <= 4, CLASP_ERR_ILLEGAL_PARAMETER);
    return 0;
}

int cl_ext_status_request(cl_reader ext)
{
    uint8_t type;
    cl_reader ids;
    CL_TRY(cl_read_u8(&ext, &type));
    /* Only ocsp has a defined request; other types' data is theirs to define. */
    if (type != STATUS_TYPE_OCSP)
        return 0;
    /* ResponderID responder_id_list<0..2^16-1> of opaque ResponderID<1..2^16-1>;
     * Extensions request_extensions<0..2^16-1> (DER, not read here). */
    CL_TRY(cl_read_vec16(&ext, &ids));
    CL_TRY(skip_all(ids, 2, 1, 0xffff));
    CL_TRY(skip_vec(&ext, 2, 0, 0xffff));
    return cl_read_end(&ext);
}

int cl_ext_certificate_status(cl_reader ext)
{
    uint8_t type;
    CL_TRY(cl_read_u8(&ext, &type));
    /* RFC 8446 4.4.2.1 answers a request of type ocsp only: another type was not asked. */
    CL_CHECK(type == STATUS_TYPE_OCSP, CLASP_ERR_ILLEGAL_PARAMETER);
    CL_TRY(skip_vec(&ext, 3, 1, 0xffffff)); /* OCSPResponse<1..2^24-1> */
    return cl_read_end(&ext);
}

int cl_ext_use_srtp(cl_reader ext)
{
    cl_reader profiles;
    CL_TRY(cl_read_vec(&ext, 2, 2, 0xffff, &profiles));
    CL_CHECK(cl_reader_left(&profiles) % 2 == 0, CLASP_ERR_DECODE); /* uint8[2] each */
    CL_TRY(skip_vec(&ext, 1, 0, 255));                              /* srtp_mki */
    return cl_read_end(&ext);
}

int cl_ext_heartbeat(cl_reader ext)
{
    uint8_t mode;
    CL_TRY(cl_read_u8(&ext, &mode));
    CL_TRY(cl_read_end(&ext));
    /* RFC 6520 2: "Upon reception of an unknown mode, an error Alert message using
     * illegal_parameter as its AlertDescription MUST be sent in response." */
    CL_CHECK(mode == 1 || mode == 2, CLASP_ERR_ILLEGAL_PARAMETER);
    return 0;
}

int cl_ext_cert_types(cl_reader ext, int list)
{
    uint8_t type;
    if (list)
        CL_TRY(skip_vec(&ext, 1, 1, 0xff));
    else
        CL_TRY(cl_read_u8(&ext, &type));
    return cl_read_end(&ext);
}

int cl_ext_padding(cl_reader ext)
{
    uint8_t b;
    /* RFC 7685 3: "The "extension_data" for the extension consists of an arbitrary number
     * of zero bytes." Any length parses; another byte is a wrong value. */
    while (cl_read_u8(&ext, &b) == 0)
        CL_CHECK(b == 0, CLASP_ERR_ILLEGAL_PARAMETER);
    return 0;
}

int cl_ext_sct_list(cl_reader ext)
{
    cl_reader list;
    /* SerializedSCT sct_list<1..2^16-1> of opaque SerializedSCT<1..2^16-1> */
    CL_TRY(cl_read_vec(&ext, 2, 1, 0xffff, &list));
    CL_TRY(skip_all(list, 2, 1, 0xffff));
    return cl_read_end(&ext);
}

int cl_ext_oid_filters(cl_reader ext)
{
    cl_reader filters;
    CL_TRY(cl_read_vec16(&ext, &filters));
    while (cl_reader_left(&filters)) {
        CL_TRY(skip_vec(&filters, 1, 1, 0xff));   /* certificate_extension_oid */
        CL_TRY(skip_vec(&filters, 2, 0, 0xffff)); /* certificate_extension_values */
    }
    return cl_read_end(&ext);
}
