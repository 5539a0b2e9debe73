/* The one table from errors to alerts, and the names of both. */
#include <stddef.h>

#include <clasp/clasp.h>

#include "base/err.h"

struct err_entry {
    int err;
    int alert; /* -1: sends no alert */
    const char *text;
};

/* RFC 8446 section 6.2 names the alert; local failures mid-connection are internal_error. */
static const struct err_entry err_table[] = {
    {CLASP_OK, -1, "success"},
    {CLASP_WANT_READ, -1, "operation would block until the transport is readable"},
    {CLASP_WANT_WRITE, -1, "operation would block until the transport is writable"},
    {CLASP_ERR_NOMEM, CLASP_ALERT_INTERNAL_ERROR, "out of memory"},
    {CLASP_ERR_INTERNAL, CLASP_ALERT_INTERNAL_ERROR, "internal error"},
    {CLASP_ERR_INVALID_ARG, CLASP_ALERT_INTERNAL_ERROR, "invalid argument"},
    {CLASP_ERR_BUFFER_TOO_SMALL, CLASP_ALERT_INTERNAL_ERROR, "buffer too small"},
    {CLASP_ERR_CRYPTO, CLASP_ALERT_INTERNAL_ERROR, "cryptographic library failure"},
    {CLASP_ERR_STATE, CLASP_ALERT_INTERNAL_ERROR, "operation not allowed in this state"},
    {CLASP_ERR_IO, CLASP_ALERT_INTERNAL_ERROR, "transport I/O error"},
    {CLASP_ERR_SEQUENCE_WRAP, CLASP_ALERT_INTERNAL_ERROR, "record sequence number exhausted"},
    {CLASP_ERR_UNSUPPORTED, CLASP_ALERT_INTERNAL_ERROR, "unsupported algorithm or feature"},
    {CLASP_ERR_FILE, CLASP_ALERT_INTERNAL_ERROR, "cannot read file"},
    {CLASP_ERR_BAD_KEY, CLASP_ALERT_INTERNAL_ERROR, "invalid or unusable key"},
    {CLASP_ERR_KEY_LIMIT, CLASP_ALERT_CLOSE_NOTIFY, "key usage limit reached: reconnect"},
    {CLASP_ERR_CLOSED, -1, "the peer closed the connection (close_notify)"},
    {CLASP_ERR_TRUNCATED, -1, "the connection ended without close_notify (truncation)"},
    {CLASP_ERR_ALERT_RECEIVED, -1, "the peer sent a fatal alert"},
    {CLASP_ERR_UNEXPECTED_MESSAGE, CLASP_ALERT_UNEXPECTED_MESSAGE, "unexpected message"},
    {CLASP_ERR_BAD_RECORD_MAC, CLASP_ALERT_BAD_RECORD_MAC, "record authentication failed"},
    {CLASP_ERR_RECORD_OVERFLOW, CLASP_ALERT_RECORD_OVERFLOW, "record too long"},
    {CLASP_ERR_HANDSHAKE_FAILURE, CLASP_ALERT_HANDSHAKE_FAILURE,
     "no acceptable set of security parameters"},
    {CLASP_ERR_BAD_CERTIFICATE, CLASP_ALERT_BAD_CERTIFICATE, "bad certificate"},
    {CLASP_ERR_UNSUPPORTED_CERTIFICATE, CLASP_ALERT_UNSUPPORTED_CERTIFICATE,
     "unsupported certificate"},
    {CLASP_ERR_CERTIFICATE_REVOKED, CLASP_ALERT_CERTIFICATE_REVOKED, "certificate revoked"},
    {CLASP_ERR_CERTIFICATE_EXPIRED, CLASP_ALERT_CERTIFICATE_EXPIRED,
     "certificate expired or not yet valid"},
    {CLASP_ERR_CERTIFICATE_UNKNOWN, CLASP_ALERT_CERTIFICATE_UNKNOWN, "certificate unacceptable"},
    {CLASP_ERR_ILLEGAL_PARAMETER, CLASP_ALERT_ILLEGAL_PARAMETER, "illegal parameter"},
    {CLASP_ERR_UNKNOWN_CA, CLASP_ALERT_UNKNOWN_CA, "certificate issuer unknown"},
    {CLASP_ERR_ACCESS_DENIED, CLASP_ALERT_ACCESS_DENIED, "access denied"},
    {CLASP_ERR_DECODE, CLASP_ALERT_DECODE_ERROR, "message could not be decoded"},
    {CLASP_ERR_DECRYPT, CLASP_ALERT_DECRYPT_ERROR, "signature or Finished check failed"},
    {CLASP_ERR_PROTOCOL_VERSION, CLASP_ALERT_PROTOCOL_VERSION, "protocol version not supported"},
    {CLASP_ERR_INSUFFICIENT_SECURITY, CLASP_ALERT_INSUFFICIENT_SECURITY, "insufficient security"},
    {CLASP_ERR_INAPPROPRIATE_FALLBACK, CLASP_ALERT_INAPPROPRIATE_FALLBACK,
     "inappropriate version fallback"},
    {CLASP_ERR_MISSING_EXTENSION, CLASP_ALERT_MISSING_EXTENSION, "required extension missing"},
    {CLASP_ERR_UNSUPPORTED_EXTENSION, CLASP_ALERT_UNSUPPORTED_EXTENSION,
     "extension not allowed here"},
    {CLASP_ERR_UNRECOGNIZED_NAME, CLASP_ALERT_UNRECOGNIZED_NAME, "server name not recognized"},
    {CLASP_ERR_BAD_CERTIFICATE_STATUS, CLASP_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE,
     "bad certificate status response"},
    {CLASP_ERR_UNKNOWN_PSK_IDENTITY, CLASP_ALERT_UNKNOWN_PSK_IDENTITY, "unknown PSK identity"},
    {CLASP_ERR_CERTIFICATE_REQUIRED, CLASP_ALERT_CERTIFICATE_REQUIRED,
     "certificate required but none sent"},
    {CLASP_ERR_NO_APPLICATION_PROTOCOL, CLASP_ALERT_NO_APPLICATION_PROTOCOL,
     "no application protocol in common"},
    {CLASP_ERR_NO_RENEGOTIATION, CLASP_ALERT_NO_RENEGOTIATION, "renegotiation refused"},
};

static const struct err_entry *find_err(int err)
{
    for (size_t i = 0; i < sizeof(err_table) / sizeof(err_table[0]); i++)
        if (err_table[i].err == err)
            return &err_table[i];
    return NULL;
}

const char *clasp_strerror(int err)
{
    const struct err_entry *e = find_err(err);
    return e ? e->text : "unknown error";
}

int clasp_err_alert(int err)
{
    const struct err_entry *e = find_err(err);
    return e ? e->alert : CLASP_ALERT_INTERNAL_ERROR;
}

const char *clasp_alert_name(int alert)
{
    switch (alert) {
    case CLASP_ALERT_CLOSE_NOTIFY: return "close_notify";
    case CLASP_ALERT_UNEXPECTED_MESSAGE: return "unexpected_message";
    case CLASP_ALERT_BAD_RECORD_MAC: return "bad_record_mac";
    case 21: return "decryption_failed"; /* reserved since TLS 1.2; a peer may still send it */
    case CLASP_ALERT_RECORD_OVERFLOW: return "record_overflow";
    case 30: return "decompression_failure"; /* TLS 1.2 only */
    case CLASP_ALERT_HANDSHAKE_FAILURE: return "handshake_failure";
    case CLASP_ALERT_BAD_CERTIFICATE: return "bad_certificate";
    case CLASP_ALERT_UNSUPPORTED_CERTIFICATE: return "unsupported_certificate";
    case CLASP_ALERT_CERTIFICATE_REVOKED: return "certificate_revoked";
    case CLASP_ALERT_CERTIFICATE_EXPIRED: return "certificate_expired";
    case CLASP_ALERT_CERTIFICATE_UNKNOWN: return "certificate_unknown";
    case CLASP_ALERT_ILLEGAL_PARAMETER: return "illegal_parameter";
    case CLASP_ALERT_UNKNOWN_CA: return "unknown_ca";
    case CLASP_ALERT_ACCESS_DENIED: return "access_denied";
    case CLASP_ALERT_DECODE_ERROR: return "decode_error";
    case CLASP_ALERT_DECRYPT_ERROR: return "decrypt_error";
    case CLASP_ALERT_PROTOCOL_VERSION: return "protocol_version";
    case CLASP_ALERT_INSUFFICIENT_SECURITY: return "insufficient_security";
    case CLASP_ALERT_INTERNAL_ERROR: return "internal_error";
    case CLASP_ALERT_INAPPROPRIATE_FALLBACK: return "inappropriate_fallback";
    case CLASP_ALERT_USER_CANCELED: return "user_canceled";
    case CLASP_ALERT_NO_RENEGOTIATION: return "no_renegotiation";
    case CLASP_ALERT_MISSING_EXTENSION: return "missing_extension";
    case CLASP_ALERT_UNSUPPORTED_EXTENSION: return "unsupported_extension";
    case CLASP_ALERT_UNRECOGNIZED_NAME: return "unrecognized_name";
    case CLASP_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE: return "bad_certificate_status_response";
    case CLASP_ALERT_UNKNOWN_PSK_IDENTITY: return "unknown_psk_identity";
    case CLASP_ALERT_CERTIFICATE_REQUIRED: return "certificate_required";
    case CLASP_ALERT_NO_APPLICATION_PROTOCOL: return "no_application_protocol";
    default: return NULL;
    }
}

const char *clasp_version(void)
{
    return CLASP_VERSION_STRING;
}
