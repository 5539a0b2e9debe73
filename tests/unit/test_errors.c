/*
 * Error codes and alerts (src/base/err.c): every code has a description, every protocol
 * error sends the alert it is named after (names and numbers spelled out here from RFC 8446
 * section 6 and RFC 5246 section 7.2, not taken from the header), the endings and WANT_*
 * send none, local failures send internal_error, and the AEAD key limit closes with
 * close_notify.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <limits.h>
#include <string.h>

#include <clasp/clasp.h>

/* Every clasp_err value the header defines. */
static const int all_errors[] = {
    CLASP_OK,
    CLASP_WANT_READ,
    CLASP_WANT_WRITE,
    CLASP_ERR_NOMEM,
    CLASP_ERR_INTERNAL,
    CLASP_ERR_INVALID_ARG,
    CLASP_ERR_BUFFER_TOO_SMALL,
    CLASP_ERR_CRYPTO,
    CLASP_ERR_STATE,
    CLASP_ERR_IO,
    CLASP_ERR_SEQUENCE_WRAP,
    CLASP_ERR_UNSUPPORTED,
    CLASP_ERR_FILE,
    CLASP_ERR_BAD_KEY,
    CLASP_ERR_KEY_LIMIT,
    CLASP_ERR_CLOSED,
    CLASP_ERR_TRUNCATED,
    CLASP_ERR_ALERT_RECEIVED,
    CLASP_ERR_UNEXPECTED_MESSAGE,
    CLASP_ERR_BAD_RECORD_MAC,
    CLASP_ERR_RECORD_OVERFLOW,
    CLASP_ERR_HANDSHAKE_FAILURE,
    CLASP_ERR_BAD_CERTIFICATE,
    CLASP_ERR_UNSUPPORTED_CERTIFICATE,
    CLASP_ERR_CERTIFICATE_REVOKED,
    CLASP_ERR_CERTIFICATE_EXPIRED,
    CLASP_ERR_CERTIFICATE_UNKNOWN,
    CLASP_ERR_ILLEGAL_PARAMETER,
    CLASP_ERR_UNKNOWN_CA,
    CLASP_ERR_ACCESS_DENIED,
    CLASP_ERR_DECODE,
    CLASP_ERR_DECRYPT,
    CLASP_ERR_PROTOCOL_VERSION,
    CLASP_ERR_INSUFFICIENT_SECURITY,
    CLASP_ERR_INAPPROPRIATE_FALLBACK,
    CLASP_ERR_MISSING_EXTENSION,
    CLASP_ERR_UNSUPPORTED_EXTENSION,
    CLASP_ERR_UNRECOGNIZED_NAME,
    CLASP_ERR_BAD_CERTIFICATE_STATUS,
    CLASP_ERR_UNKNOWN_PSK_IDENTITY,
    CLASP_ERR_CERTIFICATE_REQUIRED,
    CLASP_ERR_NO_APPLICATION_PROTOCOL,
    CLASP_ERR_NO_RENEGOTIATION,
};

#define N_ERRORS (sizeof(all_errors) / sizeof(all_errors[0]))

/* The protocol errors, each with the RFC name and number of the alert it must send. */
static const struct {
    int err;
    const char *alert_name;
    int alert;
} protocol_errors[] = {
    {CLASP_ERR_UNEXPECTED_MESSAGE, "unexpected_message", 10},
    {CLASP_ERR_BAD_RECORD_MAC, "bad_record_mac", 20},
    {CLASP_ERR_RECORD_OVERFLOW, "record_overflow", 22},
    {CLASP_ERR_HANDSHAKE_FAILURE, "handshake_failure", 40},
    {CLASP_ERR_BAD_CERTIFICATE, "bad_certificate", 42},
    {CLASP_ERR_UNSUPPORTED_CERTIFICATE, "unsupported_certificate", 43},
    {CLASP_ERR_CERTIFICATE_REVOKED, "certificate_revoked", 44},
    {CLASP_ERR_CERTIFICATE_EXPIRED, "certificate_expired", 45},
    {CLASP_ERR_CERTIFICATE_UNKNOWN, "certificate_unknown", 46},
    {CLASP_ERR_ILLEGAL_PARAMETER, "illegal_parameter", 47},
    {CLASP_ERR_UNKNOWN_CA, "unknown_ca", 48},
    {CLASP_ERR_ACCESS_DENIED, "access_denied", 49},
    {CLASP_ERR_DECODE, "decode_error", 50},
    {CLASP_ERR_DECRYPT, "decrypt_error", 51},
    {CLASP_ERR_PROTOCOL_VERSION, "protocol_version", 70},
    {CLASP_ERR_INSUFFICIENT_SECURITY, "insufficient_security", 71},
    {CLASP_ERR_INAPPROPRIATE_FALLBACK, "inappropriate_fallback", 86},
    {CLASP_ERR_NO_RENEGOTIATION, "no_renegotiation", 100},
    {CLASP_ERR_MISSING_EXTENSION, "missing_extension", 109},
    {CLASP_ERR_UNSUPPORTED_EXTENSION, "unsupported_extension", 110},
    {CLASP_ERR_UNRECOGNIZED_NAME, "unrecognized_name", 112},
    {CLASP_ERR_BAD_CERTIFICATE_STATUS, "bad_certificate_status_response", 113},
    {CLASP_ERR_UNKNOWN_PSK_IDENTITY, "unknown_psk_identity", 115},
    {CLASP_ERR_CERTIFICATE_REQUIRED, "certificate_required", 116},
    {CLASP_ERR_NO_APPLICATION_PROTOCOL, "no_application_protocol", 120},
};

static const int no_alert_errors[] = {
    CLASP_OK,         CLASP_WANT_READ,     CLASP_WANT_WRITE,
    CLASP_ERR_CLOSED, CLASP_ERR_TRUNCATED, CLASP_ERR_ALERT_RECEIVED,
};

static const int local_errors[] = {
    CLASP_ERR_NOMEM,       CLASP_ERR_INTERNAL, CLASP_ERR_INVALID_ARG, CLASP_ERR_BUFFER_TOO_SMALL,
    CLASP_ERR_CRYPTO,      CLASP_ERR_STATE,    CLASP_ERR_IO,          CLASP_ERR_SEQUENCE_WRAP,
    CLASP_ERR_UNSUPPORTED, CLASP_ERR_FILE,     CLASP_ERR_BAD_KEY,
};

/* Ours, but an orderly end: the AEAD key limit in TLS 1.2 closes with close_notify. */
static const int closing_errors[] = {CLASP_ERR_KEY_LIMIT};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

static void test_every_error_has_a_string(void **state)
{
    (void)state;
    for (size_t i = 0; i < N_ERRORS; i++) {
        const char *s = clasp_strerror(all_errors[i]);
        assert_non_null(s);
        assert_true(strlen(s) > 0);
        if (strcmp(s, "unknown error") == 0)
            fail_msg("error %d has no description of its own", all_errors[i]);
        /* and no two codes share one */
        for (size_t j = 0; j < i; j++)
            if (strcmp(s, clasp_strerror(all_errors[j])) == 0)
                fail_msg("errors %d and %d share a description", all_errors[i], all_errors[j]);
    }
    /* the four lists together cover every code exactly once */
    assert_int_equal(COUNT(protocol_errors) + COUNT(no_alert_errors) + COUNT(local_errors) +
                         COUNT(closing_errors),
                     N_ERRORS);
}

static void test_unknown_errors(void **state)
{
    (void)state;
    static const int unknown[] = {1, 42, -3, -9, -22, -29, -33, -39, -65, -100, INT_MIN, INT_MAX};
    for (size_t i = 0; i < COUNT(unknown); i++) {
        assert_string_equal(clasp_strerror(unknown[i]), "unknown error");
        /* a code nobody knows still fails closed: internal_error */
        assert_int_equal(clasp_err_alert(unknown[i]), 80);
    }
}

static void test_protocol_errors_send_their_alert(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(protocol_errors); i++) {
        int alert = clasp_err_alert(protocol_errors[i].err);
        const char *name = clasp_alert_name(alert);
        if (!name || strcmp(name, protocol_errors[i].alert_name) != 0)
            fail_msg("error %d sends alert %d (%s), want %s", protocol_errors[i].err, alert,
                     name ? name : "(none)", protocol_errors[i].alert_name);
        assert_int_equal(alert, protocol_errors[i].alert);
    }
}

static void test_no_alert_results(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(no_alert_errors); i++)
        assert_int_equal(clasp_err_alert(no_alert_errors[i]), -1);
}

static void test_closing_errors_send_close_notify(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(closing_errors); i++)
        assert_int_equal(clasp_err_alert(closing_errors[i]), 0);
}

static void test_local_errors_are_internal_error(void **state)
{
    (void)state;
    for (size_t i = 0; i < COUNT(local_errors); i++) {
        assert_int_equal(clasp_err_alert(local_errors[i]), 80);
        assert_string_equal(clasp_alert_name(clasp_err_alert(local_errors[i])), "internal_error");
    }
}

static void test_alert_names(void **state)
{
    (void)state;
    /* RFC 8446 section 6 AlertDescription, without the _RESERVED values except
     * no_renegotiation, which TLS 1.2 (RFC 5246 section 7.2.2) still sends. */
    static const struct {
        int alert;
        const char *name;
    } alerts[] = {
        {0, "close_notify"},
        {10, "unexpected_message"},
        {20, "bad_record_mac"},
        {22, "record_overflow"},
        {40, "handshake_failure"},
        {42, "bad_certificate"},
        {43, "unsupported_certificate"},
        {44, "certificate_revoked"},
        {45, "certificate_expired"},
        {46, "certificate_unknown"},
        {47, "illegal_parameter"},
        {48, "unknown_ca"},
        {49, "access_denied"},
        {50, "decode_error"},
        {51, "decrypt_error"},
        {70, "protocol_version"},
        {71, "insufficient_security"},
        {80, "internal_error"},
        {86, "inappropriate_fallback"},
        {90, "user_canceled"},
        {100, "no_renegotiation"},
        {109, "missing_extension"},
        {110, "unsupported_extension"},
        {112, "unrecognized_name"},
        {113, "bad_certificate_status_response"},
        {115, "unknown_psk_identity"},
        {116, "certificate_required"},
        {120, "no_application_protocol"},
    };
    for (size_t i = 0; i < COUNT(alerts); i++) {
        const char *name = clasp_alert_name(alerts[i].alert);
        if (!name || strcmp(name, alerts[i].name) != 0)
            fail_msg("alert %d is named %s, want %s", alerts[i].alert, name ? name : "NULL",
                     alerts[i].name);
    }
    /* values no RFC assigns */
    static const int unknown[] = {255, 1, 9, 11, 23, 52, 81, 121, 127, 128, 254, 256, -1};
    for (size_t i = 0; i < COUNT(unknown); i++)
        assert_null(clasp_alert_name(unknown[i]));
}

static void test_alert_enum_matches_rfc(void **state)
{
    (void)state;
    /* the header's enum against the RFC numbers */
    assert_int_equal(CLASP_ALERT_CLOSE_NOTIFY, 0);
    assert_int_equal(CLASP_ALERT_UNEXPECTED_MESSAGE, 10);
    assert_int_equal(CLASP_ALERT_BAD_RECORD_MAC, 20);
    assert_int_equal(CLASP_ALERT_RECORD_OVERFLOW, 22);
    assert_int_equal(CLASP_ALERT_HANDSHAKE_FAILURE, 40);
    assert_int_equal(CLASP_ALERT_BAD_CERTIFICATE, 42);
    assert_int_equal(CLASP_ALERT_UNSUPPORTED_CERTIFICATE, 43);
    assert_int_equal(CLASP_ALERT_CERTIFICATE_REVOKED, 44);
    assert_int_equal(CLASP_ALERT_CERTIFICATE_EXPIRED, 45);
    assert_int_equal(CLASP_ALERT_CERTIFICATE_UNKNOWN, 46);
    assert_int_equal(CLASP_ALERT_ILLEGAL_PARAMETER, 47);
    assert_int_equal(CLASP_ALERT_UNKNOWN_CA, 48);
    assert_int_equal(CLASP_ALERT_ACCESS_DENIED, 49);
    assert_int_equal(CLASP_ALERT_DECODE_ERROR, 50);
    assert_int_equal(CLASP_ALERT_DECRYPT_ERROR, 51);
    assert_int_equal(CLASP_ALERT_PROTOCOL_VERSION, 70);
    assert_int_equal(CLASP_ALERT_INSUFFICIENT_SECURITY, 71);
    assert_int_equal(CLASP_ALERT_INTERNAL_ERROR, 80);
    assert_int_equal(CLASP_ALERT_INAPPROPRIATE_FALLBACK, 86);
    assert_int_equal(CLASP_ALERT_USER_CANCELED, 90);
    assert_int_equal(CLASP_ALERT_NO_RENEGOTIATION, 100);
    assert_int_equal(CLASP_ALERT_MISSING_EXTENSION, 109);
    assert_int_equal(CLASP_ALERT_UNSUPPORTED_EXTENSION, 110);
    assert_int_equal(CLASP_ALERT_UNRECOGNIZED_NAME, 112);
    assert_int_equal(CLASP_ALERT_BAD_CERTIFICATE_STATUS_RESPONSE, 113);
    assert_int_equal(CLASP_ALERT_UNKNOWN_PSK_IDENTITY, 115);
    assert_int_equal(CLASP_ALERT_CERTIFICATE_REQUIRED, 116);
    assert_int_equal(CLASP_ALERT_NO_APPLICATION_PROTOCOL, 120);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_every_error_has_a_string),
        cmocka_unit_test(test_unknown_errors),
        cmocka_unit_test(test_protocol_errors_send_their_alert),
        cmocka_unit_test(test_no_alert_results),
        cmocka_unit_test(test_local_errors_are_internal_error),
        cmocka_unit_test(test_closing_errors_send_close_notify),
        cmocka_unit_test(test_alert_names),
        cmocka_unit_test(test_alert_enum_matches_rfc),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
