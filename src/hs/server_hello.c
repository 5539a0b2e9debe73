/*
 * The server's ClientHello, before the version decides the rest: the version itself (RFC
 * 8446 4.2.1, D.1; RFC 5246 E.1; RFC 7507's TLS_FALLBACK_SCSV), then what both versions
 * negotiate the same way: the server name (RFC 6066), ALPN (RFC 7301) and the record size
 * limit (RFC 8449).
 */
#include <string.h>

#include "base/err.h"
#include "base/mem.h"
#include "hs/handlers.h"
#include "hs/trace.h"

#define TLS_FALLBACK_SCSV 0x5600

/*
 * The client's highest version, and whether it offers TLS 1.3 and TLS 1.2: from
 * supported_versions, or legacy_version without it (which then offers TLS 1.2 at most).
 */
static int client_versions(const cl_client_hello *ch, uint16_t *max, int *has_13, int *has_12)
{
    cl_reader versions;
    uint16_t v;
    *has_13 = 0;
    if (!cl_exts_has(&ch->exts, CL_EXTI_SUPPORTED_VERSIONS)) {
        *max = ch->legacy_version;
        *has_12 = ch->legacy_version >= CL_TLS12_VERSION;
        return 0;
    }
    CL_TRY(cl_ext_supported_versions_ch(cl_exts_get(&ch->exts, CL_EXTI_SUPPORTED_VERSIONS),
                                        &versions));
    *max = 0;
    *has_12 = 0;
    while (cl_read_u16(&versions, &v) == 0) {
        /* Unknown values (GREASE, drafts, versions after 1.3) are ignored (4.2.1). */
        if (v == CL_TLS13_VERSION)
            *has_13 = 1;
        if (v == CL_TLS12_VERSION)
            *has_12 = 1;
        if (v >= 0x0300 && v <= CL_TLS13_VERSION && v > *max)
            *max = v;
    }
    return 0;
}

int cl_ch_offers_suite(const cl_client_hello *ch, uint16_t suite)
{
    cl_reader list = ch->cipher_suites;
    uint16_t s;
    while (cl_read_u16(&list, &s) == 0)
        if (s == suite)
            return 1;
    return 0;
}

int cl_cfg_suite_usable(const clasp_config *cfg, const cl_suite *s)
{
    if (!s || s->version < cfg->min_version || s->version > cfg->max_version)
        return 0;
    if (s->kx != CL_KX_DHE_RSA) /* DHE needs an FFDHE group (RFC 7919) */
        return 1;
    for (size_t i = 0; i < cfg->n_groups; i++)
        if (CL_GROUP_IS_FFDHE(cfg->groups[i]))
            return 1;
    return 0;
}

int cl_cfg_speaks(const clasp_config *cfg, uint16_t version)
{
    for (size_t i = 0; i < cfg->n_suites; i++) {
        const cl_suite *s = cl_suite_find(cfg->suites[i]);
        if (s && s->version == version && cl_cfg_suite_usable(cfg, s))
            return 1;
    }
    return 0;
}

/* Why the version was chosen, for the trace. */
static const char *version_why(const clasp_config *cfg, uint16_t version, int has_13)
{
    if (version == CL_TLS13_VERSION)
        return "supported_versions lists TLS 1.3";
    if (has_13 && cfg->max_version >= CL_TLS13_VERSION)
        return "the configuration has no TLS 1.3 cipher suite, so it serves TLS 1.2";
    return "the highest version both sides support";
}

/*
 * The highest version both sides support, as this configuration serves it (cl_cfg_speaks:
 * the servername callback has run, so a configuration chosen for the name decides). Without
 * supported_versions a client offers TLS 1.2 at most, whatever its legacy_version says
 * ({3,4}, {254,254}: RFC 5246 E.1, 8446 D.1).
 */
static int select_version(clasp_conn *c, const cl_client_hello *ch, uint16_t *version)
{
    const clasp_config *cfg = c->cfg;
    uint16_t theirs;
    int has_13, has_12;
    CL_TRY(client_versions(ch, &theirs, &has_13, &has_12));
    int serve13 = cl_cfg_speaks(cfg, CL_TLS13_VERSION),
        serve12 = cl_cfg_speaks(cfg, CL_TLS12_VERSION);
    /* 4.2.1: with supported_versions, only a version it lists may be selected. */
    if (has_13 && serve13)
        *version = CL_TLS13_VERSION;
    else if (has_12 && serve12)
        *version = CL_TLS12_VERSION;
    else if ((has_13 && cfg->max_version >= CL_TLS13_VERSION) ||
             (has_12 && cfg->min_version <= CL_TLS12_VERSION))
        /* A version both allow, without a suite of it here: 4.1.1's handshake_failure. */
        return cl_fail(c, CLASP_ERR_HANDSHAKE_FAILURE,
                       "no cipher suite in common: none configured for the versions the client "
                       "offers");
    else
        return cl_fail(c, CLASP_ERR_PROTOCOL_VERSION,
                       "no protocol version in common (the client offers at most 0x%04x)", theirs);
    /* RFC 7507 3: "If TLS_FALLBACK_SCSV appears in ClientHello.cipher_suites and the highest
     * protocol version supported by the server is higher than the version indicated by the
     * client, the server MUST respond with a fatal inappropriate_fallback alert". */
    if (cl_ch_offers_suite(ch, TLS_FALLBACK_SCSV) && *version == CL_TLS12_VERSION && serve13)
        return cl_fail(c, CLASP_ERR_INAPPROPRIATE_FALLBACK,
                       "TLS_FALLBACK_SCSV with a version below ours");
    cl_trace_note(c, "version", 2, "chosen", clasp_version_name(*version), "why",
                  version_why(cfg, *version, has_13));
    return 0;
}

/* The client's server name, and the callback that may choose another configuration for it:
 * before the version is chosen, so that configuration decides everything. */
static int server_name(clasp_conn *c, const cl_client_hello *ch)
{
    const uint8_t *name = NULL;
    size_t n = 0;
    if (cl_exts_has(&ch->exts, CL_EXTI_SERVER_NAME))
        CL_TRY(cl_ext_server_name_ch(cl_exts_get(&ch->exts, CL_EXTI_SERVER_NAME), &name, &n));
    if (name) {
        c->server_name = cl_alloc(n + 1);
        CL_CHECK(c->server_name, CLASP_ERR_NOMEM);
        memcpy(c->server_name, name, n);
        c->server_name[n] = 0;
    }
    if (c->cfg->sni_cb) {
        int rc = c->cfg->sni_cb(c, c->server_name, c->cfg->sni_arg);
        if (rc)
            return cl_fail(c, rc, "the server refused the name %s",
                           c->server_name ? c->server_name : "(none)");
    }
    return 0;
}

static int keep_alpn(clasp_conn *c, const uint8_t *name, size_t n)
{
    if (c->alpn) /* a second ClientHello negotiates again */
        cl_free(c->alpn, strlen(c->alpn) + 1);
    c->alpn = cl_alloc(n + 1);
    CL_CHECK(c->alpn, CLASP_ERR_NOMEM);
    memcpy(c->alpn, name, n);
    c->alpn[n] = 0;
    return 0;
}

/* RFC 7301 3.2: our most preferred protocol the client offers; none in common fails. */
static int select_alpn(clasp_conn *c, const cl_client_hello *ch)
{
    cl_reader theirs, ours;
    const uint8_t *a, *b;
    size_t an, bn;
    if (!cl_exts_has(&ch->exts, CL_EXTI_ALPN) || c->cfg->alpn_len == 0)
        return 0;
    CL_TRY(cl_ext_alpn_list(cl_exts_get(&ch->exts, CL_EXTI_ALPN), &theirs));
    cl_reader_init(&ours, c->cfg->alpn, c->cfg->alpn_len);
    while (cl_ext_alpn_next(&ours, &a, &an) == 0) {
        cl_reader t = theirs;
        while (cl_ext_alpn_next(&t, &b, &bn) == 0)
            if (an == bn && memcmp(a, b, an) == 0)
                return keep_alpn(c, a, an);
    }
    return cl_fail(c, CLASP_ERR_NO_APPLICATION_PROTOCOL, "no application protocol in common");
}

/* RFC 8449 4: the peer's limit; in TLS 1.3 it counts the inner content type too. */
static int record_size_limit(clasp_conn *c, const cl_client_hello *ch)
{
    uint16_t limit;
    if (!cl_exts_has(&ch->exts, CL_EXTI_RECORD_SIZE_LIMIT))
        return 0;
    CL_TRY(cl_ext_record_size_limit(cl_exts_get(&ch->exts, CL_EXTI_RECORD_SIZE_LIMIT), &limit));
    size_t max = c->version == CL_TLS13_VERSION ? (size_t)limit - 1 : limit;
    c->rl.max_frag_out = max < CL_MAX_PLAINTEXT ? max : CL_MAX_PLAINTEXT;
    c->hs->rsl_offered = 1;
    return 0;
}

int cl_s_common_hello(clasp_conn *c, const cl_client_hello *ch)
{
    CL_TRY(select_alpn(c, ch));
    return record_size_limit(c, ch);
}

int cl_s_write_alpn(clasp_conn *c, cl_writer *w)
{
    cl_ext_open(w, CL_EXT_ALPN);
    cl_write_open(w, 2);
    cl_write_vec(w, 1, (const uint8_t *)c->alpn, strlen(c->alpn));
    cl_write_close(w);
    return cl_ext_close(w);
}

int cl_s_write_record_size_limit(clasp_conn *c, cl_writer *w, int tls13)
{
    unsigned limit = c->cfg->record_size_limit ? c->cfg->record_size_limit : CL_MAX_PLAINTEXT;
    cl_ext_open(w, CL_EXT_RECORD_SIZE_LIMIT);
    cl_write_u16(w, (uint16_t)(limit + (tls13 ? 1 : 0)));
    c->rl.max_plain_in = limit;
    return cl_ext_close(w);
}

const cl_suite *cl_s_choose_suite(clasp_conn *c, const cl_client_hello *ch, cl_suite_usable usable,
                                  void *arg)
{
    const clasp_config *cfg = c->cfg;
    uint16_t theirs[256], id;
    size_t n = 0;
    cl_reader list = ch->cipher_suites;
    while (cl_read_u16(&list, &id) == 0)
        if (cl_suite_find(id) && n < 256)
            theirs[n++] = id;
    size_t outer = cfg->server_pref ? cfg->n_suites : n;
    for (size_t i = 0; i < outer; i++) {
        id = cfg->server_pref ? cfg->suites[i] : theirs[i];
        const cl_suite *s = cl_suite_find(id);
        if (!s || !cl_u16_in(id, theirs, n) || !cl_u16_in(id, cfg->suites, cfg->n_suites) ||
            !usable(c, s, arg))
            continue;
        c->suite_info = s;
        c->suite = id;
        cl_trace_note(c, "suite_chosen", 2, "suite", clasp_cipher_suite_name(id), "why",
                      cfg->server_pref ? "the first in the server's order of preference that "
                                         "the client offers"
                                       : "the first in the client's order of preference that "
                                         "the server enables");
        return s;
    }
    return NULL;
}

int cl_s_no_client_certificate(clasp_conn *c, int required_err)
{
    if (c->cfg->verify == CLASP_VERIFY_REQUIRE)
        return cl_fail(c, required_err, "the client sent no certificate");
    cl_trace_note(c, "no_client_certificate", 1, "why",
                  "the server asked for one but does not require it: the client stays anonymous");
    return 0;
}

int cl_s_client_hello(clasp_conn *c, const uint8_t *msg, size_t len)
{
    cl_hs *hs = c->hs;
    cl_client_hello ch;
    uint16_t version = CL_TLS13_VERSION;
    CL_TRY(cl_client_hello_parse(msg + CL_HS_HEADER_LEN, len - CL_HS_HEADER_LEN, &ch));
    if (hs->state == CL_S_WAIT_CH2)
        return cl_s13_client_hello(c, &ch, msg, len);
    /* D.5: legacy_version 0x0300 or below "MUST abort the handshake" (protocol_version). */
    if (ch.legacy_version <= 0x0300)
        return cl_fail(c, CLASP_ERR_PROTOCOL_VERSION, "ClientHello legacy_version 0x%04x",
                       ch.legacy_version);
    CL_TRY(server_name(c, &ch));
    CL_TRY(select_version(c, &ch, &version));
    c->version = version;
    memcpy(hs->client_random, ch.random, sizeof(hs->client_random));
    memcpy(hs->session_id, ch.session_id, ch.session_id_len);
    hs->session_id_len = ch.session_id_len;
    if (version == CL_TLS12_VERSION)
        return cl_s12_client_hello(c, &ch, msg, len);
    return cl_s13_client_hello(c, &ch, msg, len);
}
