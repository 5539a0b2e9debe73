/*
 * Extension blocks: the parser with its table of which extension may appear where, and the
 * small helpers shared by the message codecs.
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "msg/internal.h"
#include "msg/msg.h"

#define CH   (1u << CL_CTX_CH)
#define SH   (1u << CL_CTX_SH)
#define HRR  (1u << CL_CTX_HRR)
#define EE   (1u << CL_CTX_EE)
#define CT   (1u << CL_CTX_CT)
#define CR   (1u << CL_CTX_CR)
#define NST  (1u << CL_CTX_NST)
#define SH12 (1u << CL_CTX_SH12)

/*
 * Where each known extension may appear: the table of RFC 8446 section 4.2 (and RFC 8449
 * for record_size_limit) for the TLS 1.3 messages. The TLS 1.2-only extensions
 * (ec_point_formats, encrypt_then_mac, extended_master_secret, session_ticket,
 * renegotiation_info) may appear in a ClientHello, which serves both versions, and in a TLS
 * 1.2 ServerHello, never in another TLS 1.3 message. SH12 lists what a TLS 1.2 server may
 * answer with (RFC 5246 7.4.1.4 and the extensions' own RFCs).
 */
static const uint8_t allowed[CL_EXTI_COUNT] = {
    [CL_EXTI_SERVER_NAME] = CH | EE | SH12,
    [CL_EXTI_MAX_FRAGMENT_LENGTH] = CH | EE | SH12,
    [CL_EXTI_STATUS_REQUEST] = CH | CR | CT | SH12,
    [CL_EXTI_SUPPORTED_GROUPS] = CH | EE,
    [CL_EXTI_EC_POINT_FORMATS] = CH | SH12,
    [CL_EXTI_SIGNATURE_ALGORITHMS] = CH | CR,
    [CL_EXTI_USE_SRTP] = CH | EE,
    [CL_EXTI_HEARTBEAT] = CH | EE,
    [CL_EXTI_ALPN] = CH | EE | SH12,
    [CL_EXTI_SCT] = CH | CR | CT | SH12,
    [CL_EXTI_CLIENT_CERT_TYPE] = CH | EE,
    [CL_EXTI_SERVER_CERT_TYPE] = CH | EE,
    [CL_EXTI_PADDING] = CH,
    [CL_EXTI_ENCRYPT_THEN_MAC] = CH | SH12,
    [CL_EXTI_EXTENDED_MASTER_SECRET] = CH | SH12,
    [CL_EXTI_RECORD_SIZE_LIMIT] = CH | EE | SH12,
    [CL_EXTI_SESSION_TICKET] = CH | SH12,
    [CL_EXTI_PRE_SHARED_KEY] = CH | SH,
    [CL_EXTI_EARLY_DATA] = CH | EE | NST,
    [CL_EXTI_SUPPORTED_VERSIONS] = CH | SH | HRR,
    [CL_EXTI_COOKIE] = CH | HRR,
    [CL_EXTI_PSK_KEY_EXCHANGE_MODES] = CH,
    [CL_EXTI_CERTIFICATE_AUTHORITIES] = CH | CR,
    [CL_EXTI_OID_FILTERS] = CR,
    [CL_EXTI_POST_HANDSHAKE_AUTH] = CH,
    [CL_EXTI_SIGNATURE_ALGORITHMS_CERT] = CH | CR,
    [CL_EXTI_KEY_SHARE] = CH | SH | HRR,
    [CL_EXTI_RENEGOTIATION_INFO] = CH | SH12,
};

/*
 * Requests (CH, CR) and NewSessionTicket may carry extensions we do not know: RFC 8446 4.2,
 * 4.3.2 and 4.6.1 say to ignore them. Everything else is a response, and we never offer an
 * extension we do not know, so an unknown one there was not offered: "unsupported_extension"
 * (RFC 8446 4.2; RFC 5246 7.4.1.4 for TLS 1.2).
 */
#define UNKNOWN_IGNORED (CH | CR | NST)

/* One extension of the block; unknown holds the unknown types seen so far. */
static int take_ext(cl_exts *out, cl_ext_ctx ctx, uint16_t type, cl_reader data, cl_u16set *unknown)
{
    int i = cl_ext_index(type), dup;
    if (i < 0) {
        CL_CHECK(UNKNOWN_IGNORED & (1u << ctx), CLASP_ERR_UNSUPPORTED_EXTENSION);
        /* RFC 8446 4.2: "There MUST NOT be more than one extension of the same type". */
        CL_TRY(cl_u16set_add(unknown, type, &dup));
        CL_CHECK(!dup, CLASP_ERR_ILLEGAL_PARAMETER);
        return 0;
    }
    CL_CHECK(!(out->present & (1u << i)), CLASP_ERR_ILLEGAL_PARAMETER);
    /* RFC 8446 4.2: a recognized extension "not specified for the message in which it
     * appears" MUST abort the handshake with "illegal_parameter". */
    CL_CHECK(allowed[i] & (1u << ctx), CLASP_ERR_ILLEGAL_PARAMETER);
    out->present |= 1u << i;
    out->data[i] = data;
    out->order[out->n_order++] = type;
    return 0;
}

static int parse_block(cl_reader *block, cl_ext_ctx ctx, cl_exts *out, cl_u16set *unknown)
{
    int psk_seen = 0;
    while (cl_reader_left(block)) {
        uint16_t type;
        cl_reader data;
        CL_TRY(cl_read_u16(block, &type));
        CL_TRY(cl_read_vec16(block, &data));
        /* RFC 8446 4.2.11: pre_shared_key "MUST be the last extension in the ClientHello";
         * servers "MUST check ... and otherwise fail the handshake with illegal_parameter". */
        CL_CHECK(!psk_seen, CLASP_ERR_ILLEGAL_PARAMETER);
        CL_TRY(take_ext(out, ctx, type, data, unknown));
        out->n_total++;
        psk_seen = ctx == CL_CTX_CH && type == CL_EXT_PRE_SHARED_KEY;
    }
    return 0;
}

int cl_exts_parse(cl_reader *block, cl_ext_ctx ctx, cl_exts *out)
{
    memset(out, 0, sizeof(*out));
    CL_CHECK((unsigned)ctx <= CL_CTX_SH12, CLASP_ERR_INVALID_ARG);
    cl_u16set unknown;
    cl_u16set_init(&unknown);
    int rc = parse_block(block, ctx, out, &unknown);
    cl_u16set_free(&unknown);
    return rc;
}

int cl_exts_has(const cl_exts *e, enum cl_ext_idx i)
{
    return (unsigned)i < CL_EXTI_COUNT && (e->present >> i) & 1u;
}

cl_reader cl_exts_get(const cl_exts *e, enum cl_ext_idx i)
{
    cl_reader r;
    if (cl_exts_has(e, i))
        return e->data[i];
    cl_reader_init(&r, NULL, 0);
    return r;
}

/* ---- the bodies ---- */

/* Bodies of one form wherever they appear. */
static int check_fixed(uint16_t type, cl_reader ext)
{
    cl_reader r;
    const uint8_t *p;
    size_t n;
    uint16_t v;
    switch (type) {
    case CL_EXT_MAX_FRAGMENT_LENGTH: return cl_ext_max_fragment_length(ext);
    case CL_EXT_SUPPORTED_GROUPS: return cl_ext_supported_groups(ext, &r);
    case CL_EXT_EC_POINT_FORMATS: return cl_ext_ec_point_formats(ext, &r);
    case CL_EXT_SIGNATURE_ALGORITHMS:
    case CL_EXT_SIGNATURE_ALGORITHMS_CERT: return cl_ext_signature_algorithms(ext, &r);
    case CL_EXT_USE_SRTP: return cl_ext_use_srtp(ext);
    case CL_EXT_HEARTBEAT: return cl_ext_heartbeat(ext);
    case CL_EXT_PADDING: return cl_ext_padding(ext);
    case CL_EXT_ENCRYPT_THEN_MAC:
    case CL_EXT_EXTENDED_MASTER_SECRET:
    case CL_EXT_POST_HANDSHAKE_AUTH: return cl_ext_empty(ext);
    case CL_EXT_RECORD_SIZE_LIMIT: return cl_ext_record_size_limit(ext, &v);
    case CL_EXT_COOKIE: return cl_ext_cookie(ext, &p, &n);
    case CL_EXT_PSK_KEY_EXCHANGE_MODES: return cl_ext_psk_modes(ext, &r);
    case CL_EXT_CERTIFICATE_AUTHORITIES: return cl_ext_certificate_authorities(ext, &r);
    case CL_EXT_OID_FILTERS: return cl_ext_oid_filters(ext);
    case CL_EXT_RENEGOTIATION_INFO: return cl_ext_renegotiation_info(ext, &p, &n);
    default: return 0; /* pre_shared_key: read where it is used, by its own rules */
    }
}

/* Bodies whose form depends on the message: a request (ClientHello) or a response. */
static int check_body(uint16_t type, cl_ext_ctx ctx, cl_reader ext)
{
    int ch = ctx == CL_CTX_CH;
    cl_reader r;
    const uint8_t *p;
    size_t n;
    uint16_t v;
    uint32_t u;
    cl_key_share_entry e;
    switch (type) {
    case CL_EXT_SERVER_NAME: return ch ? cl_ext_server_name_ch(ext, &p, &n) : cl_ext_empty(ext);
    case CL_EXT_STATUS_REQUEST:
        return ch                 ? cl_ext_status_request(ext)
               : ctx == CL_CTX_CT ? cl_ext_certificate_status(ext)
                                  : cl_ext_empty(ext);
    case CL_EXT_ALPN: return ch ? cl_ext_alpn_list(ext, &r) : cl_ext_alpn_single(ext, &p, &n);
    case CL_EXT_SCT: return ch || ctx == CL_CTX_CR ? cl_ext_empty(ext) : cl_ext_sct_list(ext);
    case CL_EXT_CLIENT_CERT_TYPE:
    case CL_EXT_SERVER_CERT_TYPE: return cl_ext_cert_types(ext, ch);
    case CL_EXT_SESSION_TICKET: return ch ? 0 : cl_ext_empty(ext); /* CH: the opaque ticket */
    case CL_EXT_EARLY_DATA:
        return ctx == CL_CTX_NST ? cl_ext_early_data_nst(ext, &u) : cl_ext_empty(ext);
    case CL_EXT_SUPPORTED_VERSIONS:
        return ch ? cl_ext_supported_versions_ch(ext, &r) : cl_ext_supported_versions_sh(ext, &v);
    case CL_EXT_KEY_SHARE:
        return ch                  ? cl_ext_key_share_ch(ext, &r)
               : ctx == CL_CTX_HRR ? cl_ext_key_share_hrr(ext, &v)
                                   : cl_ext_key_share_sh(ext, &e);
    default: return check_fixed(type, ext);
    }
}

int cl_exts_check_bodies(const cl_exts *e, cl_ext_ctx ctx)
{
    for (size_t k = 0; k < e->n_order; k++)
        CL_TRY(check_body(e->order[k], ctx, e->data[cl_ext_index(e->order[k])]));
    return 0;
}

int cl_exts_scan(cl_reader block, uint16_t type)
{
    while (cl_reader_left(&block)) {
        uint16_t t;
        cl_reader data;
        if (cl_read_u16(&block, &t) != 0 || cl_read_vec16(&block, &data) != 0)
            return 0;
        if (t == type)
            return 1;
    }
    return 0;
}

/* ---- helpers ---- */

void cl_u16set_init(cl_u16set *s)
{
    memset(s, 0, sizeof(*s));
}

#define U16SET_BITMAP_LEN (65536 / 8)

/* Moves the short array into a freshly allocated bitmap. */
static int u16set_grow(cl_u16set *s)
{
    s->bits = cl_calloc(U16SET_BITMAP_LEN, 1);
    CL_CHECK(s->bits != NULL, CLASP_ERR_NOMEM);
    for (size_t i = 0; i < s->n; i++)
        s->bits[s->small[i] >> 3] |= (uint8_t)(1u << (s->small[i] & 7));
    return 0;
}

int cl_u16set_add(cl_u16set *s, uint16_t v, int *dup)
{
    *dup = 0;
    if (!s->bits) {
        for (size_t i = 0; i < s->n; i++) {
            if (s->small[i] == v) {
                *dup = 1;
                return 0;
            }
        }
        if (s->n < CL_U16SET_SMALL) {
            s->small[s->n++] = v;
            return 0;
        }
        CL_TRY(u16set_grow(s));
    }
    uint8_t bit = (uint8_t)(1u << (v & 7));
    *dup = (s->bits[v >> 3] & bit) != 0;
    s->bits[v >> 3] |= bit;
    return 0;
}

void cl_u16set_free(cl_u16set *s)
{
    cl_free(s->bits, U16SET_BITMAP_LEN);
    s->bits = NULL;
    s->n = 0;
}

int cl_read_session_id(cl_reader *r, uint8_t id[CL_MAX_SESSION_ID_LEN], uint8_t *len)
{
    cl_reader sub;
    const uint8_t *p;
    size_t n;
    CL_TRY(cl_read_vec(r, 1, 0, CL_MAX_SESSION_ID_LEN, &sub));
    cl_read_rest(&sub, &p, &n);
    if (n)
        memcpy(id, p, n);
    *len = (uint8_t)n;
    return 0;
}

void cl_read_rest(cl_reader *r, const uint8_t **p, size_t *len)
{
    *len = cl_reader_left(r);
    (void)cl_read_bytes(r, *len, p); /* cannot fail: it reads exactly what is left */
}
