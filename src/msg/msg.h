/*
 * Handshake message codecs: bytes to plain structs and back, no connection state, no crypto.
 * Parsers are strict (RFC 8446 section 4, RFC 5246 section 7.4): every vector bound, every
 * trailing byte, every duplicate or misplaced extension is an error that names its alert.
 *
 * Parsed structs hold cl_reader views into the message bytes: they are valid as long as
 * those bytes are. Parsers take the message body (after the 4-byte handshake header).
 */
#ifndef CLASP_MSG_MSG_H
#define CLASP_MSG_MSG_H

#include <stddef.h>
#include <stdint.h>

#include "base/bytes.h"

/* ---- handshake types (RFC 8446 section 4, RFC 5246 section 7.4) ---- */
enum {
    CL_HS_HELLO_REQUEST = 0,
    CL_HS_CLIENT_HELLO = 1,
    CL_HS_SERVER_HELLO = 2,
    CL_HS_NEW_SESSION_TICKET = 4,
    CL_HS_END_OF_EARLY_DATA = 5,
    CL_HS_ENCRYPTED_EXTENSIONS = 8,
    CL_HS_CERTIFICATE = 11,
    CL_HS_SERVER_KEY_EXCHANGE = 12,
    CL_HS_CERTIFICATE_REQUEST = 13,
    CL_HS_SERVER_HELLO_DONE = 14,
    CL_HS_CERTIFICATE_VERIFY = 15,
    CL_HS_CLIENT_KEY_EXCHANGE = 16,
    CL_HS_FINISHED = 20,
    CL_HS_KEY_UPDATE = 24,
    CL_HS_MESSAGE_HASH = 254,
};

#define CL_HS_HEADER_LEN      4
#define CL_RANDOM_LEN         32
#define CL_MAX_SESSION_ID_LEN 32

/* The name of a handshake type ("ClientHello"), or "unknown". */
const char *cl_hs_type_name(uint8_t type);

/* ---- extensions ---- */

/* The extensions clasp knows, by IANA type. */
#define CL_EXT_SERVER_NAME               0
#define CL_EXT_MAX_FRAGMENT_LENGTH       1
#define CL_EXT_STATUS_REQUEST            5
#define CL_EXT_SUPPORTED_GROUPS          10
#define CL_EXT_EC_POINT_FORMATS          11
#define CL_EXT_SIGNATURE_ALGORITHMS      13
#define CL_EXT_USE_SRTP                  14
#define CL_EXT_HEARTBEAT                 15
#define CL_EXT_ALPN                      16
#define CL_EXT_SCT                       18
#define CL_EXT_CLIENT_CERT_TYPE          19
#define CL_EXT_SERVER_CERT_TYPE          20
#define CL_EXT_PADDING                   21
#define CL_EXT_ENCRYPT_THEN_MAC          22
#define CL_EXT_EXTENDED_MASTER_SECRET    23
#define CL_EXT_RECORD_SIZE_LIMIT         28
#define CL_EXT_SESSION_TICKET            35
#define CL_EXT_PRE_SHARED_KEY            41
#define CL_EXT_EARLY_DATA                42
#define CL_EXT_SUPPORTED_VERSIONS        43
#define CL_EXT_COOKIE                    44
#define CL_EXT_PSK_KEY_EXCHANGE_MODES    45
#define CL_EXT_CERTIFICATE_AUTHORITIES   47
#define CL_EXT_OID_FILTERS               48
#define CL_EXT_POST_HANDSHAKE_AUTH       49
#define CL_EXT_SIGNATURE_ALGORITHMS_CERT 50
#define CL_EXT_KEY_SHARE                 51
#define CL_EXT_RENEGOTIATION_INFO        0xff01

/*
 * Known extensions get a small index, used for the presence bitmask and the view array of
 * cl_exts. The order is an implementation detail; use cl_ext_index() to map a type.
 */
enum cl_ext_idx {
    CL_EXTI_SERVER_NAME,
    CL_EXTI_MAX_FRAGMENT_LENGTH,
    CL_EXTI_STATUS_REQUEST,
    CL_EXTI_SUPPORTED_GROUPS,
    CL_EXTI_EC_POINT_FORMATS,
    CL_EXTI_SIGNATURE_ALGORITHMS,
    CL_EXTI_USE_SRTP,
    CL_EXTI_HEARTBEAT,
    CL_EXTI_ALPN,
    CL_EXTI_SCT,
    CL_EXTI_CLIENT_CERT_TYPE,
    CL_EXTI_SERVER_CERT_TYPE,
    CL_EXTI_PADDING,
    CL_EXTI_ENCRYPT_THEN_MAC,
    CL_EXTI_EXTENDED_MASTER_SECRET,
    CL_EXTI_RECORD_SIZE_LIMIT,
    CL_EXTI_SESSION_TICKET,
    CL_EXTI_PRE_SHARED_KEY,
    CL_EXTI_EARLY_DATA,
    CL_EXTI_SUPPORTED_VERSIONS,
    CL_EXTI_COOKIE,
    CL_EXTI_PSK_KEY_EXCHANGE_MODES,
    CL_EXTI_CERTIFICATE_AUTHORITIES,
    CL_EXTI_OID_FILTERS,
    CL_EXTI_POST_HANDSHAKE_AUTH,
    CL_EXTI_SIGNATURE_ALGORITHMS_CERT,
    CL_EXTI_KEY_SHARE,
    CL_EXTI_RENEGOTIATION_INFO,
    CL_EXTI_COUNT,
};

/* The index of a known extension type, or -1. */
int cl_ext_index(uint16_t type);
/* The name of an extension type ("key_share"), or NULL when clasp does not know it. */
const char *cl_ext_name(uint16_t type);

/*
 * Where an extension block comes from. The table of RFC 8446 section 4.2 says which known
 * extension may appear in which TLS 1.3 message; TLS 1.2 ServerHello has its own list.
 */
typedef enum cl_ext_ctx {
    CL_CTX_CH,   /* ClientHello (any version) */
    CL_CTX_SH,   /* TLS 1.3 ServerHello */
    CL_CTX_HRR,  /* HelloRetryRequest */
    CL_CTX_EE,   /* EncryptedExtensions */
    CL_CTX_CT,   /* a TLS 1.3 CertificateEntry */
    CL_CTX_CR,   /* TLS 1.3 CertificateRequest */
    CL_CTX_NST,  /* TLS 1.3 NewSessionTicket */
    CL_CTX_SH12, /* TLS 1.2 ServerHello */
} cl_ext_ctx;

/* The extensions of one block, by known index. */
typedef struct cl_exts {
    uint32_t present;              /* bit i: the extension of index i is present */
    cl_reader data[CL_EXTI_COUNT]; /* each present extension's extension_data */
    uint16_t order[CL_EXTI_COUNT]; /* types of present known extensions, in wire order */
    uint8_t n_order;
    uint16_t n_total; /* all extensions in the block, unknown ones included */
} cl_exts;

/*
 * Parses the contents of an extensions<..> vector. Errors:
 *  - decode_error: bad lengths, trailing bytes;
 *  - illegal_parameter: a type present twice (unknown types too), a known extension not
 *    allowed in ctx (RFC 8446 4.2), pre_shared_key not last in a ClientHello;
 *  - unsupported_extension: an unknown type where only responses to our own offers may
 *    appear (SH, HRR, EE, CT, SH12); unknown types are ignored in CH, CR and NST.
 */
int cl_exts_parse(cl_reader *block, cl_ext_ctx ctx, cl_exts *out);
/*
 * Checks the body of every known extension of a parsed block with its codec, as the message
 * (ctx) defines it, whether or not clasp acts on it: decode_error for a body that does not
 * parse, illegal_parameter for a value its RFC rules out (heartbeat's mode, padding that is
 * not zeros, ...). pre_shared_key is left to the code that reads it. The message parsers
 * call this after cl_exts_parse.
 */
int cl_exts_check_bodies(const cl_exts *e, cl_ext_ctx ctx);
/* 1 when present. */
int cl_exts_has(const cl_exts *e, enum cl_ext_idx i);
/* A fresh reader over extension i's data (an empty one when absent). */
cl_reader cl_exts_get(const cl_exts *e, enum cl_ext_idx i);

/* ---- ClientHello (RFC 8446 4.1.2, RFC 5246 7.4.1.2) ---- */

typedef struct cl_client_hello {
    uint16_t legacy_version;
    uint8_t random[CL_RANDOM_LEN];
    uint8_t session_id[CL_MAX_SESSION_ID_LEN];
    uint8_t session_id_len;
    cl_reader cipher_suites; /* even length, >= 2 */
    cl_reader compression;   /* >= 1 byte */
    int has_extensions;      /* a TLS 1.2-style hello may have none at all */
    cl_reader ext_block;     /* the extensions block's contents as received (empty if none) */
    cl_exts exts;
    /* Bytes of the body before the pre_shared_key binders vector (its 2-byte length
     * included in what follows): the PartialClientHello of RFC 8446 4.2.11.2 is the 4-byte
     * header plus these bytes. 0 when there is no pre_shared_key. */
    size_t binders_offset;
} cl_client_hello;

int cl_client_hello_parse(const uint8_t *body, size_t len, cl_client_hello *out);

/* ---- ServerHello and HelloRetryRequest (RFC 8446 4.1.3, 4.1.4) ---- */

typedef struct cl_server_hello {
    uint16_t legacy_version;
    uint8_t random[CL_RANDOM_LEN];
    uint8_t session_id[CL_MAX_SESSION_ID_LEN];
    uint8_t session_id_len;
    uint16_t cipher_suite;
    uint8_t compression;
    int is_hrr; /* random is the HelloRetryRequest value (extensions parsed as CL_CTX_HRR) */
    int has_extensions;
    cl_exts exts; /* parsed as HRR, SH or SH12: SH when supported_versions is present */
} cl_server_hello;

/* The special random that marks a HelloRetryRequest: SHA-256("HelloRetryRequest"). */
extern const uint8_t cl_hrr_random[CL_RANDOM_LEN];

int cl_server_hello_parse(const uint8_t *body, size_t len, cl_server_hello *out);

/* ---- EncryptedExtensions (4.3.1) ---- */

int cl_encrypted_extensions_parse(const uint8_t *body, size_t len, cl_exts *out);

/* ---- Certificate, TLS 1.3 (4.4.2) ---- */

typedef struct cl_certificate13 {
    cl_reader context; /* certificate_request_context */
    cl_reader entries; /* the certificate_list contents, walk with cl_certificate13_next */
    size_t n_entries;  /* counted (and each entry checked) by the parser */
} cl_certificate13;

/*
 * Checks every entry (cert_data<1..2^24-1>, extensions parsed as CL_CTX_CT). More than
 * max_entries entries is bad_certificate, found while walking the length prefixes: the walk
 * stops at entry max_entries + 1, before reading it (SIZE_MAX: no bound).
 */
int cl_certificate13_parse(const uint8_t *body, size_t len, size_t max_entries,
                           cl_certificate13 *out);
/*
 * The next entry: its DER and its extensions (exts may be NULL). Cannot fail on a parsed
 * message's entries until they are all read; on failure the cursor does not move.
 */
int cl_certificate13_next(cl_reader *entries, const uint8_t **der, size_t *der_len, cl_exts *exts);

/* ---- CertificateRequest, TLS 1.3 (4.3.2) ---- */

typedef struct cl_certificate_request13 {
    cl_reader context;
    cl_exts exts; /* signature_algorithms must be present (missing_extension) */
} cl_certificate_request13;

int cl_certificate_request13_parse(const uint8_t *body, size_t len, cl_certificate_request13 *out);

/* ---- CertificateVerify (4.4.3) ---- */

typedef struct cl_certificate_verify {
    uint16_t scheme;
    const uint8_t *sig;
    size_t sig_len; /* may be 0: well formed, and it never verifies */
} cl_certificate_verify;

int cl_certificate_verify_parse(const uint8_t *body, size_t len, cl_certificate_verify *out);

/* ---- Finished (4.4.4; RFC 5246 7.4.9) ---- */

/* decode_error unless the body is exactly verify_len bytes. */
int cl_finished_parse(const uint8_t *body, size_t len, size_t verify_len,
                      const uint8_t **verify_data);

/* ---- NewSessionTicket, TLS 1.3 (4.6.1) ---- */

typedef struct cl_new_session_ticket13 {
    uint32_t lifetime; /* seconds; > 604800 is illegal_parameter */
    uint32_t age_add;
    cl_reader nonce;
    cl_reader ticket; /* >= 1 byte */
    cl_exts exts;
} cl_new_session_ticket13;

int cl_new_session_ticket13_parse(const uint8_t *body, size_t len, cl_new_session_ticket13 *out);

/* ---- KeyUpdate (4.6.3) ---- */

#define CL_KEY_UPDATE_NOT_REQUESTED 0
#define CL_KEY_UPDATE_REQUESTED     1

/* illegal_parameter for a value other than 0 or 1. */
int cl_key_update_parse(const uint8_t *body, size_t len, uint8_t *request_update);

/* ---- extension bodies ---- */

/*
 * Lists of uint16 (supported_groups, signature_algorithms(_cert), cipher suites): reads a
 * 16-bit-length vector from *ext (advancing it) and checks its length is even and within
 * [min, max] (decode_error otherwise; *ext then does not move); the items are then read
 * with cl_read_u16. It does not end *ext: for an extension, call cl_read_end(ext) after.
 */
int cl_ext_u16_list(cl_reader *ext, size_t min, size_t max, cl_reader *list);
/*
 * Whole extensions holding one such list, trailing bytes refused (decode_error):
 * signature_algorithms(_cert) (RFC 8446 4.2.3, supported_signature_algorithms<2..2^16-2>)
 * and supported_groups (4.2.7, named_group_list<2..2^16-1>).
 */
int cl_ext_signature_algorithms(cl_reader ext, cl_reader *list);
int cl_ext_supported_groups(cl_reader ext, cl_reader *list);

/* supported_versions in a ClientHello: versions<2..254>. */
int cl_ext_supported_versions_ch(cl_reader ext, cl_reader *versions);
/* supported_versions in a ServerHello/HRR: exactly one uint16. */
int cl_ext_supported_versions_sh(cl_reader ext, uint16_t *version);

typedef struct cl_key_share_entry {
    uint16_t group;
    const uint8_t *key;
    size_t key_len; /* >= 1 */
} cl_key_share_entry;

/*
 * key_share in a ClientHello: client_shares<0..2^16-1>. Walk with cl_ext_key_share_next.
 * The parser checks every entry and that no group appears twice (illegal_parameter).
 */
int cl_ext_key_share_ch(cl_reader ext, cl_reader *shares);
int cl_ext_key_share_next(cl_reader *shares, cl_key_share_entry *out);
/*
 * RFC 8446 4.2.8: "Clients MUST NOT offer any KeyShareEntry values for groups not listed in
 * the client's "supported_groups" extension." Checks parsed shares against a parsed
 * supported_groups list, whatever their lengths, in time linear in both: 0 when every
 * share's group is listed, 1 (and *group) for the first that is not; CLASP_ERR_NOMEM.
 */
int cl_ext_key_share_unlisted(cl_reader shares, cl_reader groups, uint16_t *group);
/* key_share in a ServerHello: one entry. */
int cl_ext_key_share_sh(cl_reader ext, cl_key_share_entry *out);
/* key_share in a HelloRetryRequest: the selected group. */
int cl_ext_key_share_hrr(cl_reader ext, uint16_t *group);

/*
 * server_name in a ClientHello (RFC 6066 3): the host_name entry, if any (*name is NULL and
 * *name_len 0 when there is none). ServerNameList<1..2^16-1>; names of another type are
 * skipped (their data is a 16-bit-length vector, RFC 6066 3); two names of the same type
 * (two host_names included) are illegal_parameter; an empty host name is decode_error. A
 * host name must be a DNS name (RFC 6066 3): labels of 1 to 63 letters, digits, hyphens or
 * underscores joined by single dots, no trailing dot, 255 bytes at most; anything else (NUL,
 * controls, spaces, non-ASCII, an empty label) is illegal_parameter. IPv4 literals pass (the
 * caller may judge them). In SH/EE the extension is empty: use cl_ext_empty.
 */
int cl_ext_server_name_ch(cl_reader ext, const uint8_t **name, size_t *name_len);
/* An extension whose data must be empty (server_name in EE, early_data in CH/EE, ...). */
int cl_ext_empty(cl_reader ext);

/* ALPN (RFC 7301): protocol_name_list<2..2^16-1> of ProtocolName<1..2^8-1>. */
int cl_ext_alpn_list(cl_reader ext, cl_reader *names);
int cl_ext_alpn_next(cl_reader *names, const uint8_t **name, size_t *len);
/* In a server's response the list holds exactly one name. */
int cl_ext_alpn_single(cl_reader ext, const uint8_t **name, size_t *len);

/* cookie<1..2^16-1>. */
int cl_ext_cookie(cl_reader ext, const uint8_t **cookie, size_t *len);

/* record_size_limit (RFC 8449): uint16 >= 64 (illegal_parameter below). */
int cl_ext_record_size_limit(cl_reader ext, uint16_t *limit);

/* psk_key_exchange_modes<1..255>. */
int cl_ext_psk_modes(cl_reader ext, cl_reader *modes);

/* certificate_authorities: authorities<3..2^16-1> of DistinguishedName<1..2^16-1>. */
int cl_ext_certificate_authorities(cl_reader ext, cl_reader *names);
int cl_ext_certificate_authorities_next(cl_reader *names, const uint8_t **dn, size_t *len);

/*
 * pre_shared_key in a ClientHello (RFC 8446 4.2.11): OfferedPsks, identities<7..2^16-1> of
 * {identity<1..2^16-1>, uint32 obfuscated_ticket_age} then binders<33..2^16-1> of
 * PskBinderEntry<32..255>. Every entry is checked; as many binders as identities, else
 * illegal_parameter. Walk the two lists with the _next functions, in step.
 */
int cl_ext_pre_shared_key_ch(cl_reader ext, cl_reader *identities, cl_reader *binders);
int cl_ext_psk_identity_next(cl_reader *ids, const uint8_t **id, size_t *id_len, uint32_t *age);
int cl_ext_psk_binder_next(cl_reader *binders, const uint8_t **binder, size_t *len);
/* pre_shared_key in a ServerHello: uint16 selected_identity. */
int cl_ext_pre_shared_key_sh(cl_reader ext, uint16_t *selected);

/* early_data in a NewSessionTicket (4.2.10): uint32 max_early_data_size. Empty elsewhere. */
int cl_ext_early_data_nst(cl_reader ext, uint32_t *max_early_data_size);

/* renegotiation_info (RFC 5746 3.2): renegotiated_connection<0..255>. */
int cl_ext_renegotiation_info(cl_reader ext, const uint8_t **data, size_t *len);

/* ec_point_formats (RFC 8422 5.1.2): ec_point_format_list<1..2^8-1>, one byte each. */
int cl_ext_ec_point_formats(cl_reader ext, cl_reader *formats);

/* ---- TLS 1.2 messages (RFC 5246 7.4, RFC 8422 5, RFC 5077 3.3) ---- */

/*
 * Certificate, TLS 1.2: certificate_list<0..2^24-1> of ASN.1Cert<1..2^24-1>. The parser
 * checks and counts every certificate; an empty list is well formed (hs/ judges it).
 */
typedef struct cl_certificate12 {
    cl_reader certs; /* walk with cl_certificate12_next */
    size_t n_certs;
} cl_certificate12;

/* More than max_certs certificates is bad_certificate, as for TLS 1.3 (SIZE_MAX: no bound). */
int cl_certificate12_parse(const uint8_t *body, size_t len, size_t max_certs,
                           cl_certificate12 *out);
/* The next certificate's DER. Cannot fail on a parsed message's list until it is all read;
 * on failure the cursor does not move. */
int cl_certificate12_next(cl_reader *certs, const uint8_t **der, size_t *der_len);

/*
 * CertificateRequest, TLS 1.2 (RFC 5246 7.4.4): certificate_types<1..2^8-1>,
 * supported_signature_algorithms<2..2^16-2> (even), certificate_authorities<0..2^16-1> of
 * DistinguishedName<1..2^16-1>, every one checked by the parser (the list may be empty).
 */
typedef struct cl_certificate_request12 {
    cl_reader cert_types;
    cl_reader sig_algs;    /* read with cl_read_u16 */
    cl_reader authorities; /* walk with cl_ext_certificate_authorities_next */
} cl_certificate_request12;

int cl_certificate_request12_parse(const uint8_t *body, size_t len, cl_certificate_request12 *out);

/*
 * ServerKeyExchange for ECDHE (RFC 8422 5.4, with RFC 5246's digitally-signed): curve_type
 * (must be named_curve, 3: else illegal_parameter), namedcurve, public<1..2^8-1>, then
 * SignatureAndHashAlgorithm and signature<0..2^16-1>. params/params_len cover the
 * ServerECDHParams, which the signature covers (after the two randoms). An empty signature
 * is well formed (it fails verification). The group and the point are hs/'s to check.
 */
typedef struct cl_server_key_exchange12 {
    uint16_t group;
    const uint8_t *point;
    size_t point_len;
    const uint8_t *params;
    size_t params_len;
    uint16_t scheme;
    const uint8_t *sig;
    size_t sig_len;
} cl_server_key_exchange12;

int cl_server_key_exchange12_parse(const uint8_t *body, size_t len, cl_server_key_exchange12 *out);

/*
 * ServerKeyExchange for DHE (RFC 5246 7.4.3): ServerDHParams dh_p<1..2^16-1>,
 * dh_g<1..2^16-1>, dh_Ys<1..2^16-1>, then SignatureAndHashAlgorithm and
 * signature<0..2^16-1>; params/params_len cover the ServerDHParams, which the signature
 * covers. Which group p and g are, and Ys's range, are hs/'s to check (RFC 7919 3).
 */
typedef struct cl_server_key_exchange_dhe {
    const uint8_t *p, *g, *ys;
    size_t p_len, g_len, ys_len;
    const uint8_t *params;
    size_t params_len;
    uint16_t scheme;
    const uint8_t *sig;
    size_t sig_len;
} cl_server_key_exchange_dhe;

int cl_server_key_exchange_dhe_parse(const uint8_t *body, size_t len,
                                     cl_server_key_exchange_dhe *out);

/* ClientKeyExchange, ECDHE (RFC 8422 5.7): ecdh_Yc<1..2^8-1>. */
int cl_client_key_exchange_ecdhe_parse(const uint8_t *body, size_t len, const uint8_t **point,
                                       size_t *point_len);
/* ClientKeyExchange, DHE (RFC 5246 7.4.7.2): explicit dh_Yc<1..2^16-1>. */
int cl_client_key_exchange_dhe_parse(const uint8_t *body, size_t len, const uint8_t **yc,
                                     size_t *yc_len);
/* ClientKeyExchange, RSA (RFC 5246 7.4.7.1): EncryptedPreMasterSecret<0..2^16-1>; its
 * length against the modulus is for the decryption to judge. */
int cl_client_key_exchange_rsa_parse(const uint8_t *body, size_t len, const uint8_t **enc,
                                     size_t *enc_len);

/* ServerHelloDone and HelloRequest: empty bodies (decode_error otherwise). */
int cl_empty_message_parse(const uint8_t *body, size_t len);

/*
 * NewSessionTicket, TLS 1.2 (RFC 5077 3.3): ticket_lifetime_hint (uint32), ticket<0..2^16-1>
 * (empty: the server withdrew its offer of a ticket).
 */
typedef struct cl_new_session_ticket12 {
    uint32_t lifetime_hint;
    cl_reader ticket;
} cl_new_session_ticket12;

int cl_new_session_ticket12_parse(const uint8_t *body, size_t len, cl_new_session_ticket12 *out);

/* ---- writing ---- */

/*
 * Messages are written into a cl_writer: cl_msg_open writes the type and opens the 24-bit
 * length; cl_msg_close fills it in. Extension blocks likewise: cl_exts_open opens the
 * 16-bit block, cl_ext_open(type) starts one extension and cl_ext_close ends it.
 */
int cl_msg_open(cl_writer *w, uint8_t type);
int cl_msg_close(cl_writer *w);
int cl_exts_open(cl_writer *w);
int cl_exts_close(cl_writer *w);
int cl_ext_open(cl_writer *w, uint16_t type);
int cl_ext_close(cl_writer *w);

/* Writes a u16 list extension: type, then the list with a 16-bit length. */
int cl_ext_write_u16_list(cl_writer *w, uint16_t type, const uint16_t *items, size_t n);

#endif /* CLASP_MSG_MSG_H */
