/*
 * What both versions take from the peer the same way: the signature schemes it accepts
 * (signature_algorithms, or a TLS 1.2 CertificateRequest's list), the groups it supports
 * (supported_groups), and its certificate chain, copied out of the message. Each is read
 * whole, however long the peer made it, and only what clasp can use is kept.
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"

void cl_keep_peer_schemes(cl_hs *hs, cl_reader list)
{
    uint16_t s;
    hs->n_peer_schemes = 0;
    /* Only schemes clasp has (no SHA-1, no MD5: RFC 9155), once each: they fit the array. */
    while (cl_read_u16(&list, &s) == 0)
        if (cl_sig_scheme_supported(s) && hs->n_peer_schemes < CL_MAX_SCHEMES * 2 &&
            !cl_u16_in(s, hs->peer_schemes, hs->n_peer_schemes))
            hs->peer_schemes[hs->n_peer_schemes++] = s;
}

int cl_peer_signature_algorithms(clasp_conn *c, cl_reader ext)
{
    cl_reader list;
    CL_TRY(cl_ext_signature_algorithms(ext, &list));
    cl_keep_peer_schemes(c->hs, list);
    return 0;
}

int cl_peer_supported_groups(clasp_conn *c, cl_reader ext, cl_reader *list)
{
    cl_hs *hs = c->hs;
    uint16_t g;
    CL_TRY(cl_ext_supported_groups(ext, list));
    hs->peer_groups_sent = 1;
    hs->peer_ffdhe_sent = 0;
    hs->n_peer_groups = 0;
    /* The whole list is read, cut by its bytes only: a group we know may come last. */
    cl_reader walk = *list;
    while (cl_read_u16(&walk, &g) == 0) {
        hs->peer_ffdhe_sent |= CL_GROUP_IS_FFDHE(g);
        if (cl_group_name(g) && hs->n_peer_groups < CL_MAX_GROUPS &&
            !cl_u16_in(g, hs->peer_groups, hs->n_peer_groups))
            hs->peer_groups[hs->n_peer_groups++] = g;
    }
    return 0;
}

size_t cl_s_common_groups(const clasp_conn *c, uint16_t out[CL_MAX_GROUPS])
{
    const clasp_config *cfg = c->cfg;
    const cl_hs *hs = c->hs;
    size_t n = 0, outer = cfg->server_pref ? cfg->n_groups : hs->n_peer_groups;
    for (size_t i = 0; i < outer; i++) {
        uint16_t g = cfg->server_pref ? cfg->groups[i] : hs->peer_groups[i];
        if (cl_u16_in(g, hs->peer_groups, hs->n_peer_groups) &&
            cl_u16_in(g, cfg->groups, cfg->n_groups))
            out[n++] = g;
    }
    return n;
}

/*
 * RFC 8446 6 keeps decode_error for messages that do not parse, and an over-long chain does
 * (certificate_list<0..2^24-1> bounds bytes, not entries). What is refused is the chain:
 * "bad_certificate: A certificate was corrupt, contained signatures that did not verify
 * correctly, etc." (6.2; RFC 5246 7.2.2 alike), as for the byte limit.
 */
int cl_peer_chain_limits(clasp_conn *c, int parse_rc, size_t list_bytes)
{
    const clasp_config *cfg = c->cfg;
    /* The parser's only certificate error: the walk stopped one past the count. */
    if (parse_rc == CLASP_ERR_BAD_CERTIFICATE)
        return cl_fail(c, parse_rc, "a certificate chain of more than %zu certificates",
                       cfg->max_cert_chain_count);
    CL_TRY(parse_rc);
    if (list_bytes > cfg->max_cert_chain)
        return cl_fail(c, CLASP_ERR_BAD_CERTIFICATE, "certificate chain over %zu bytes",
                       cfg->max_cert_chain);
    return 0;
}

int cl_keep_peer_chain(clasp_conn *c, cl_reader list, size_t n, cl_cert_next next)
{
    c->peer_chain = cl_calloc(n, sizeof(cl_cert_der));
    CL_CHECK(c->peer_chain, CLASP_ERR_NOMEM);
    /* Counted at once: the connection frees the array by this count, however far we get. */
    c->n_peer_chain = n;
    for (size_t i = 0; i < n; i++) {
        const uint8_t *der;
        size_t len;
        CL_TRY(next(&list, &der, &len));
        c->peer_chain[i].der = cl_memdup(der, len);
        CL_CHECK(c->peer_chain[i].der, CLASP_ERR_NOMEM);
        c->peer_chain[i].len = len;
    }
    return 0;
}
