#include "msg/msg.h"

const char *cl_hs_type_name(uint8_t type)
{
    switch (type) {
    case CL_HS_HELLO_REQUEST: return "HelloRequest";
    case CL_HS_CLIENT_HELLO: return "ClientHello";
    case CL_HS_SERVER_HELLO: return "ServerHello";
    case CL_HS_NEW_SESSION_TICKET: return "NewSessionTicket";
    case CL_HS_END_OF_EARLY_DATA: return "EndOfEarlyData";
    case CL_HS_ENCRYPTED_EXTENSIONS: return "EncryptedExtensions";
    case CL_HS_CERTIFICATE: return "Certificate";
    case CL_HS_SERVER_KEY_EXCHANGE: return "ServerKeyExchange";
    case CL_HS_CERTIFICATE_REQUEST: return "CertificateRequest";
    case CL_HS_SERVER_HELLO_DONE: return "ServerHelloDone";
    case CL_HS_CERTIFICATE_VERIFY: return "CertificateVerify";
    case CL_HS_CLIENT_KEY_EXCHANGE: return "ClientKeyExchange";
    case CL_HS_FINISHED: return "Finished";
    case CL_HS_KEY_UPDATE: return "KeyUpdate";
    case CL_HS_MESSAGE_HASH: return "message_hash";
    default: return "unknown";
    }
}

/* Known extensions by index: the IANA type and registry name. */
static const struct {
    uint16_t type;
    const char *name;
} known[CL_EXTI_COUNT] = {
    [CL_EXTI_SERVER_NAME] = {CL_EXT_SERVER_NAME, "server_name"},
    [CL_EXTI_MAX_FRAGMENT_LENGTH] = {CL_EXT_MAX_FRAGMENT_LENGTH, "max_fragment_length"},
    [CL_EXTI_STATUS_REQUEST] = {CL_EXT_STATUS_REQUEST, "status_request"},
    [CL_EXTI_SUPPORTED_GROUPS] = {CL_EXT_SUPPORTED_GROUPS, "supported_groups"},
    [CL_EXTI_EC_POINT_FORMATS] = {CL_EXT_EC_POINT_FORMATS, "ec_point_formats"},
    [CL_EXTI_SIGNATURE_ALGORITHMS] = {CL_EXT_SIGNATURE_ALGORITHMS, "signature_algorithms"},
    [CL_EXTI_USE_SRTP] = {CL_EXT_USE_SRTP, "use_srtp"},
    [CL_EXTI_HEARTBEAT] = {CL_EXT_HEARTBEAT, "heartbeat"},
    [CL_EXTI_ALPN] = {CL_EXT_ALPN, "application_layer_protocol_negotiation"},
    [CL_EXTI_SCT] = {CL_EXT_SCT, "signed_certificate_timestamp"},
    [CL_EXTI_CLIENT_CERT_TYPE] = {CL_EXT_CLIENT_CERT_TYPE, "client_certificate_type"},
    [CL_EXTI_SERVER_CERT_TYPE] = {CL_EXT_SERVER_CERT_TYPE, "server_certificate_type"},
    [CL_EXTI_PADDING] = {CL_EXT_PADDING, "padding"},
    [CL_EXTI_ENCRYPT_THEN_MAC] = {CL_EXT_ENCRYPT_THEN_MAC, "encrypt_then_mac"},
    [CL_EXTI_EXTENDED_MASTER_SECRET] = {CL_EXT_EXTENDED_MASTER_SECRET, "extended_master_secret"},
    [CL_EXTI_RECORD_SIZE_LIMIT] = {CL_EXT_RECORD_SIZE_LIMIT, "record_size_limit"},
    [CL_EXTI_SESSION_TICKET] = {CL_EXT_SESSION_TICKET, "session_ticket"},
    [CL_EXTI_PRE_SHARED_KEY] = {CL_EXT_PRE_SHARED_KEY, "pre_shared_key"},
    [CL_EXTI_EARLY_DATA] = {CL_EXT_EARLY_DATA, "early_data"},
    [CL_EXTI_SUPPORTED_VERSIONS] = {CL_EXT_SUPPORTED_VERSIONS, "supported_versions"},
    [CL_EXTI_COOKIE] = {CL_EXT_COOKIE, "cookie"},
    [CL_EXTI_PSK_KEY_EXCHANGE_MODES] = {CL_EXT_PSK_KEY_EXCHANGE_MODES, "psk_key_exchange_modes"},
    [CL_EXTI_CERTIFICATE_AUTHORITIES] = {CL_EXT_CERTIFICATE_AUTHORITIES, "certificate_authorities"},
    [CL_EXTI_OID_FILTERS] = {CL_EXT_OID_FILTERS, "oid_filters"},
    [CL_EXTI_POST_HANDSHAKE_AUTH] = {CL_EXT_POST_HANDSHAKE_AUTH, "post_handshake_auth"},
    [CL_EXTI_SIGNATURE_ALGORITHMS_CERT] = {CL_EXT_SIGNATURE_ALGORITHMS_CERT,
                                           "signature_algorithms_cert"},
    [CL_EXTI_KEY_SHARE] = {CL_EXT_KEY_SHARE, "key_share"},
    [CL_EXTI_RENEGOTIATION_INFO] = {CL_EXT_RENEGOTIATION_INFO, "renegotiation_info"},
};

int cl_ext_index(uint16_t type)
{
    /* 28 entries: a scan is cheap, and the table above stays the one place to edit. */
    for (int i = 0; i < CL_EXTI_COUNT; i++) {
        if (known[i].type == type && known[i].name)
            return i;
    }
    return -1;
}

const char *cl_ext_name(uint16_t type)
{
    int i = cl_ext_index(type);
    return i < 0 ? NULL : known[i].name;
}
