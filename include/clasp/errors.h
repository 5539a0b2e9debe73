/*
 * clasp: error codes and TLS alerts.
 *
 * Every clasp function that can fail returns an int: CLASP_OK (0) on success or one of the
 * negative codes below. Codes named after a TLS alert are the failures that send that alert
 * to the peer (RFC 8446 section 6.2); clasp_err_alert() gives the mapping.
 */
#ifndef CLASP_ERRORS_H
#define CLASP_ERRORS_H

#include <clasp/export.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum clasp_err {
    CLASP_OK = 0,

    /* Non-blocking I/O: retry once the socket is readable / writable. */
    CLASP_WANT_READ = -1,
    CLASP_WANT_WRITE = -2,

    /* Local failures: no alert of their own (internal_error when mid-connection). */
    CLASP_ERR_NOMEM = -10,
    CLASP_ERR_INTERNAL = -11,
    CLASP_ERR_INVALID_ARG = -12,
    CLASP_ERR_BUFFER_TOO_SMALL = -13,
    CLASP_ERR_CRYPTO = -14,
    CLASP_ERR_STATE = -15,
    CLASP_ERR_IO = -16,
    CLASP_ERR_SEQUENCE_WRAP = -17,
    CLASP_ERR_UNSUPPORTED = -18,
    CLASP_ERR_FILE = -19,
    CLASP_ERR_BAD_KEY = -20,
    /* TLS 1.2 over AES-GCM: the write key sealed as many records as it safely may (RFC 8446
     * 5.5), and TLS 1.2 cannot change keys without renegotiation, which clasp refuses. The
     * connection ends cleanly, with close_notify; open a new one to go on. */
    CLASP_ERR_KEY_LIMIT = -21,

    /* Connection endings that are not errors of ours. */
    CLASP_ERR_CLOSED = -30,         /* the peer sent close_notify */
    CLASP_ERR_TRUNCATED = -31,      /* the transport ended without close_notify */
    CLASP_ERR_ALERT_RECEIVED = -32, /* the peer sent a fatal alert */

    /* Protocol failures, each named after the alert it sends. */
    CLASP_ERR_UNEXPECTED_MESSAGE = -40,
    CLASP_ERR_BAD_RECORD_MAC = -41,
    CLASP_ERR_RECORD_OVERFLOW = -42,
    CLASP_ERR_HANDSHAKE_FAILURE = -43,
    CLASP_ERR_BAD_CERTIFICATE = -44,
    CLASP_ERR_UNSUPPORTED_CERTIFICATE = -45,
    CLASP_ERR_CERTIFICATE_REVOKED = -46,
    CLASP_ERR_CERTIFICATE_EXPIRED = -47,
    CLASP_ERR_CERTIFICATE_UNKNOWN = -48,
    CLASP_ERR_ILLEGAL_PARAMETER = -49,
    CLASP_ERR_UNKNOWN_CA = -50,
    CLASP_ERR_ACCESS_DENIED = -51,
    CLASP_ERR_DECODE = -52,
    CLASP_ERR_DECRYPT = -53,
    CLASP_ERR_PROTOCOL_VERSION = -54,
    CLASP_ERR_INSUFFICIENT_SECURITY = -55,
    CLASP_ERR_INAPPROPRIATE_FALLBACK = -56,
    CLASP_ERR_MISSING_EXTENSION = -57,
    CLASP_ERR_UNSUPPORTED_EXTENSION = -58,
    CLASP_ERR_UNRECOGNIZED_NAME = -59,
    CLASP_ERR_BAD_CERTIFICATE_STATUS = -60,
    CLASP_ERR_UNKNOWN_PSK_IDENTITY = -61,
    CLASP_ERR_CERTIFICATE_REQUIRED = -62,
    CLASP_ERR_NO_APPLICATION_PROTOCOL = -63,
    CLASP_ERR_NO_RENEGOTIATION = -64,
} clasp_err;

/* TLS AlertDescription values (RFC 8446 section 6, RFC 5246 section 7.2). */
typedef enum clasp_alert {
    CLASP_ALERT_CLOSE_NOTIFY = 0,
    CLASP_ALERT_UNEXPECTED_MESSAGE = 10,
    CLASP_ALERT_BAD_RECORD_MAC = 20,
    CLASP_ALERT_RECORD_OVERFLOW = 22,
    CLASP_ALERT_HANDSHAKE_FAILURE = 40,
    CLASP_ALERT_BAD_CERTIFICATE = 42,
    CLASP_ALERT_UNSUPPORTED_CERTIFICATE = 43,
    CLASP_ALERT_CERTIFICATE_REVOKED = 44,
    CLASP_ALERT_CERTIFICATE_EXPIRED = 45,
    CLASP_ALERT_CERTIFICATE_UNKNOWN = 46,
    CLASP_ALERT_ILLEGAL_PARAMETER = 47,
    CLASP_ALERT_UNKNOWN_CA = 48,
    CLASP_ALERT_ACCESS_DENIED = 49,
    CLASP_ALERT_DECODE_ERROR = 50,
    CLASP_ALERT_DECRYPT_ERROR = 51,
    CLASP_ALERT_PROTOCOL_VERSION = 70,
    CLASP_ALERT_INSUFFICIENT_SECURITY = 71,
    CLASP_ALERT_INTERNAL_ERROR = 80,
    CLASP_ALERT_INAPPROPRIATE_FALLBACK = 86,
    CLASP_ALERT_USER_CANCELED = 90,
    CLASP_ALERT_NO_RENEGOTIATION = 100,
    CLASP_ALERT_MISSING_EXTENSION = 109,
    CLASP_ALERT_UNSUPPORTED_EXTENSION = 110,
    CLASP_ALERT_UNRECOGNIZED_NAME = 112,
    CLASP_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE = 113,
    CLASP_ALERT_UNKNOWN_PSK_IDENTITY = 115,
    CLASP_ALERT_CERTIFICATE_REQUIRED = 116,
    CLASP_ALERT_NO_APPLICATION_PROTOCOL = 120,
} clasp_alert;

/* A short English description of an error code; never NULL ("unknown error" for others). */
CLASP_API const char *clasp_strerror(int err);

/*
 * The alert an error sends to the peer, or -1 for results that send none (CLASP_OK,
 * CLASP_WANT_*, and the endings the peer caused). Local failures map to internal_error.
 */
CLASP_API int clasp_err_alert(int err);

/* The RFC name of an alert description ("decode_error"), or NULL when unknown. */
CLASP_API const char *clasp_alert_name(int alert);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_ERRORS_H */
