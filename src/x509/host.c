/*
 * The one judge of what a peer name is: an IP address (no SNI is sent, IP SANs are matched)
 * or a DNS name (sent as SNI, DNS SANs matched), or neither (refused). The client's
 * ClientHello and the verifier both ask here, so a name can never be an address to one and
 * a DNS name to the other (as "010.0.0.1" was: a DNS name to inet_pton, 10.0.0.1 to
 * libcrypto's a2i_IPADDRESS).
 */
#include <arpa/inet.h>
#include <string.h>

#include "base/err.h"
#include "x509/x509.h"

#define MAX_DNS_NAME  253 /* RFC 1035 2.3.4: 255 octets on the wire, 253 characters */
#define MAX_DNS_LABEL 63

static int is_digit(char ch)
{
    return ch >= '0' && ch <= '9';
}

static int is_hex(char ch)
{
    return is_digit(ch) || (ch >= 'a' && ch <= 'f') || (ch >= 'A' && ch <= 'F');
}

/*
 * Exactly four decimal octets 0..255 without leading zeros: RFC 6943 3.1.1's "strict"
 * dotted-decimal form, which every resolver reads the same way. Written out rather than
 * left to inet_pton, whose leniency differs between C libraries.
 */
static int ipv4_strict(const char *s, size_t len, uint8_t out[4])
{
    size_t i = 0;
    for (int octet = 0; octet < 4; octet++) {
        if (octet > 0 && (i >= len || s[i++] != '.'))
            return 0;
        size_t start = i;
        unsigned v = 0;
        while (i < len && is_digit(s[i]) && i - start < 3)
            v = v * 10 + (unsigned)(s[i++] - '0');
        if (i == start || v > 255 || (s[start] == '0' && i - start > 1))
            return 0;
        out[octet] = (uint8_t)v;
    }
    return i == len;
}

/*
 * Whether the last label is a number (decimal digits, or hexadecimal after "0x"): the
 * WHATWG URL standard's "ends in a number". Such a name is an IPv4 address in some form to
 * inet_aton, getaddrinfo and browsers ("0x7f.1" is 127.0.0.1), and no top-level domain is
 * numeric (RFC 1123 2.1), so it is never a DNS name.
 */
static int ends_in_number(const char *s, size_t len)
{
    size_t start = len;
    while (start > 0 && s[start - 1] != '.')
        start--;
    const char *l = s + start;
    size_t n = len - start;
    if (n >= 2 && l[0] == '0' && (l[1] == 'x' || l[1] == 'X')) {
        for (size_t i = 2; i < n; i++)
            if (!is_hex(l[i]))
                return 0;
        return 1;
    }
    for (size_t i = 0; i < n; i++)
        if (!is_digit(l[i]))
            return 0;
    return n > 0;
}

/* Letters, digits, hyphens (and underscores, which real names carry) in labels of 1..63. */
static int dns_name_ok(const char *s, size_t len)
{
    size_t label = 0;
    if (len == 0 || len > MAX_DNS_NAME)
        return 0;
    for (size_t i = 0; i < len; i++) {
        char ch = s[i];
        if (ch == '.') {
            if (label == 0)
                return 0; /* an empty label: "..", or a leading dot */
            label = 0;
            continue;
        }
        int ok = is_digit(ch) || (ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
                 ch == '-' || ch == '_';
        if (!ok || ++label > MAX_DNS_LABEL)
            return 0;
    }
    return label > 0;
}

int cl_host_parse(const char *name, cl_host *out)
{
    memset(out, 0, sizeof(*out));
    CL_CHECK(name && name[0], CLASP_ERR_INVALID_ARG);
    size_t len = strlen(name);
    /* A colon only appears in IPv6 addresses; brackets ("[::1]") belong to URLs, not here. */
    if (memchr(name, ':', len)) {
        CL_CHECK(inet_pton(AF_INET6, name, out->ip) == 1, CLASP_ERR_INVALID_ARG);
        out->kind = CL_HOST_IP;
        out->ip_len = 16;
        out->len = len;
        return 0;
    }
    /* An absolute name's trailing dot names the same host (RFC 1034 3.1). */
    if (len > 1 && name[len - 1] == '.')
        len--;
    if (ends_in_number(name, len)) {
        CL_CHECK(ipv4_strict(name, len, out->ip), CLASP_ERR_INVALID_ARG);
        out->kind = CL_HOST_IP;
        out->ip_len = 4;
        out->len = len;
        return 0;
    }
    CL_CHECK(dns_name_ok(name, len), CLASP_ERR_INVALID_ARG);
    out->kind = CL_HOST_DNS;
    out->len = len;
    return 0;
}
