/* The public configuration API. */
#include <stdio.h>
#include <string.h>

#include "base/bytes.h"
#include "base/err.h"
#include "base/mem.h"
#include "hs/engine.h"

static const uint16_t default_suites[] = {
    0x1301, 0x1302, 0x1303,                         /* TLS 1.3 */
    0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, /* TLS 1.2 ECDHE, ECDSA before RSA */
};
static const uint16_t default_groups[] = {CL_GROUP_X25519, CL_GROUP_SECP256R1, CL_GROUP_SECP384R1};
static const uint16_t default_schemes[] = {
    CL_SIG_ECDSA_SECP256R1_SHA256, CL_SIG_ECDSA_SECP384R1_SHA384,
    CL_SIG_ECDSA_SECP521R1_SHA512, CL_SIG_ED25519,
    CL_SIG_RSA_PSS_RSAE_SHA256,    CL_SIG_RSA_PSS_RSAE_SHA384,
    CL_SIG_RSA_PSS_RSAE_SHA512,    CL_SIG_RSA_PSS_PSS_SHA256,
    CL_SIG_RSA_PSS_PSS_SHA384,     CL_SIG_RSA_PSS_PSS_SHA512,
    CL_SIG_RSA_PKCS1_SHA256,       CL_SIG_RSA_PKCS1_SHA384,
    CL_SIG_RSA_PKCS1_SHA512,
};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

clasp_config *clasp_config_new(clasp_role role)
{
    if (cl_crypto_init() != 0)
        return NULL;
    clasp_config *cfg = cl_calloc(1, sizeof(*cfg));
    if (!cfg)
        return NULL;
    atomic_init(&cfg->refs, 1);
    atomic_init(&cfg->frozen, 0);
    cfg->role = role;
    cfg->min_version = CL_TLS12_VERSION;
    cfg->max_version = CL_TLS13_VERSION;
    cfg->ems_required = 1;
    cfg->etm = 1;
    cfg->session_lifetime = 7200;
    memcpy(cfg->suites, default_suites, sizeof(default_suites));
    cfg->n_suites = COUNT(default_suites);
    memcpy(cfg->groups, default_groups, sizeof(default_groups));
    cfg->n_groups = COUNT(default_groups);
    memcpy(cfg->schemes, default_schemes, sizeof(default_schemes));
    cfg->n_schemes = COUNT(default_schemes);
    cfg->key_shares = 1;
    cfg->server_pref = 1;
    cfg->max_cert_chain = 256 * 1024;
    cfg->max_cert_chain_count = CL_DEFAULT_CHAIN_COUNT;
    cfg->tickets = 2;
    cfg->psk_ke = role == CLASP_SERVER;
    cfg->ticket_age_window_ms = 10000;
    /* Two configurations never resume each other's sessions unless told to (API). */
    if (cl_random(cfg->identity, sizeof(cfg->identity)) != 0 || cl_trust_new(&cfg->trust) != 0) {
        cl_free(cfg, sizeof(*cfg));
        return NULL;
    }
    int rc = cl_trust_set_cache(cfg->trust, CLASP_VERIFY_CACHE_DEFAULT);
    if (rc == 0)
        rc = cl_session_cache_init(&cfg->cache, role == CLASP_SERVER ? 1024 : 0);
    if (rc == 0 && role == CLASP_SERVER)
        rc = cl_ticket_keys_new(&cfg->ticket_keys, 0, 0);
    if (rc != 0) {
        cl_session_cache_free(&cfg->cache);
        cl_trust_free(cfg->trust);
        cl_free(cfg, sizeof(*cfg));
        return NULL;
    }
    return cfg;
}

clasp_config *clasp_config_up_ref(clasp_config *cfg)
{
    if (cfg)
        atomic_fetch_add(&cfg->refs, 1);
    return cfg;
}

void clasp_config_free(clasp_config *cfg)
{
    if (!cfg || atomic_fetch_sub(&cfg->refs, 1) != 1)
        return;
    for (size_t i = 0; i < cfg->n_creds; i++)
        cl_credential_free(cfg->creds[i]);
    cl_trust_free(cfg->trust);
    cl_session_cache_free(&cfg->cache);
    cl_ticket_keys_unref(cfg->ticket_keys);
    cl_free_secret(cfg, sizeof(*cfg));
}

/* Setters work only until the first connection uses the configuration. */
#define MUTABLE(cfg)                                                                               \
    do {                                                                                           \
        CL_CHECK((cfg) != NULL, CLASP_ERR_INVALID_ARG);                                            \
        CL_CHECK(!atomic_load(&(cfg)->frozen), CLASP_ERR_STATE);                                   \
    } while (0)

/* Reads a whole file (for PEM); *buf is freed with cl_free(*buf, *len + 1). */
static int read_file(const char *path, uint8_t **buf, size_t *len)
{
    FILE *f = path ? fopen(path, "rb") : NULL;
    CL_CHECK(f, CLASP_ERR_FILE);
    int rc = CLASP_ERR_FILE;
    long size = fseek(f, 0, SEEK_END) == 0 ? ftell(f) : -1;
    if (size >= 0 && size < (64L << 20) && fseek(f, 0, SEEK_SET) == 0) {
        *buf = cl_alloc((size_t)size + 1);
        rc = *buf ? 0 : CLASP_ERR_NOMEM;
        if (rc == 0 && fread(*buf, 1, (size_t)size, f) != (size_t)size) {
            cl_free(*buf, (size_t)size + 1);
            rc = CLASP_ERR_FILE;
        }
        *len = (size_t)size;
    }
    fclose(f);
    return rc;
}

int clasp_config_add_cert_chain_pem(clasp_config *cfg, const uint8_t *chain_pem, size_t chain_len,
                                    const uint8_t *key_pem, size_t key_len)
{
    MUTABLE(cfg);
    CL_CHECK(cfg->n_creds < CL_MAX_CREDS, CLASP_ERR_INVALID_ARG);
    cl_credential *cred;
    CL_TRY(cl_credential_from_pem(&cred, chain_pem, chain_len, key_pem, key_len));
    cfg->creds[cfg->n_creds++] = cred;
    return 0;
}

int clasp_config_add_cert_chain_file(clasp_config *cfg, const char *chain_path,
                                     const char *key_path)
{
    MUTABLE(cfg);
    uint8_t *chain = NULL, *key = NULL;
    size_t chain_len = 0, key_len = 0;
    int rc = read_file(chain_path, &chain, &chain_len);
    if (rc == 0)
        rc = read_file(key_path, &key, &key_len);
    if (rc == 0)
        rc = clasp_config_add_cert_chain_pem(cfg, chain, chain_len, key, key_len);
    cl_free(chain, chain_len + 1);
    cl_free_secret(key, key_len + 1);
    return rc;
}

/*
 * The trust anchors' digest, which binds sessions to how they were verified: each load adds
 * what it loaded. Files count by content; a directory and the default store load lazily, so
 * they count by name (docs/api.md says so).
 */
static int trust_digest(clasp_config *cfg, char kind, const uint8_t *data, size_t len)
{
    cl_hash_ctx *h;
    CL_TRY(cl_hash_ctx_new(&h, CL_HASH_SHA256));
    int rc = cl_hash_ctx_update(h, cfg->trust_id, sizeof(cfg->trust_id));
    if (rc == 0)
        rc = cl_hash_ctx_update(h, (const uint8_t *)&kind, 1);
    if (rc == 0 && len)
        rc = cl_hash_ctx_update(h, data, len);
    if (rc == 0)
        rc = cl_hash_ctx_snapshot(h, cfg->trust_id);
    cl_hash_ctx_free(h);
    return rc;
}

int clasp_config_load_verify_file(clasp_config *cfg, const char *path)
{
    MUTABLE(cfg);
    CL_TRY(cl_trust_load_file(cfg->trust, path));
    uint8_t *pem = NULL;
    size_t len = 0;
    if (read_file(path, &pem, &len) != 0) /* gone since: count it by name */
        return trust_digest(cfg, 'n', (const uint8_t *)path, strlen(path));
    int rc = trust_digest(cfg, 'f', pem, len);
    cl_free(pem, len + 1);
    return rc;
}

int clasp_config_load_verify_dir(clasp_config *cfg, const char *path)
{
    MUTABLE(cfg);
    CL_TRY(cl_trust_load_dir(cfg->trust, path));
    return trust_digest(cfg, 'd', (const uint8_t *)path, strlen(path));
}

int clasp_config_load_verify_pem(clasp_config *cfg, const uint8_t *pem, size_t len)
{
    MUTABLE(cfg);
    CL_TRY(cl_trust_add_pem(cfg->trust, pem, len));
    return trust_digest(cfg, 'f', pem, len);
}

int clasp_config_load_verify_default(clasp_config *cfg)
{
    MUTABLE(cfg);
    CL_TRY(cl_trust_load_default(cfg->trust));
    return trust_digest(cfg, 's', NULL, 0);
}

int clasp_config_set_verify_cache(clasp_config *cfg, size_t max_chains)
{
    MUTABLE(cfg);
    CL_CHECK(max_chains <= CL_VERIFY_CACHE_MAX, CLASP_ERR_INVALID_ARG);
    return cl_trust_set_cache(cfg->trust, max_chains);
}

int clasp_config_set_verify(clasp_config *cfg, clasp_verify_mode mode)
{
    MUTABLE(cfg);
    CL_CHECK(mode <= CLASP_VERIFY_REQUIRE, CLASP_ERR_INVALID_ARG);
    cfg->verify = mode;
    return 0;
}

int clasp_config_set_versions(clasp_config *cfg, uint16_t min, uint16_t max)
{
    MUTABLE(cfg);
    /* TLS 1.2 and 1.3 only: older versions are broken (docs/security.md). */
    CL_CHECK(min >= CL_TLS12_VERSION && max <= CL_TLS13_VERSION && min <= max,
             CLASP_ERR_UNSUPPORTED);
    cfg->min_version = min;
    cfg->max_version = max;
    return 0;
}

int clasp_config_set_cipher_suites(clasp_config *cfg, const char *list)
{
    uint16_t ids[CL_MAX_SUITES];
    size_t n;
    MUTABLE(cfg);
    CL_TRY(cl_parse_name_list(list, cl_suite_id_by_name, ids, CL_MAX_SUITES, &n));
    /* CBC needs the constant-time MAC, which needs libcrypto's SHA*_Transform (crypto.h). */
    for (size_t i = 0; i < n; i++)
        CL_CHECK(!cl_suite_find(ids[i])->cbc || cl_hmac_ct_available(), CLASP_ERR_UNSUPPORTED);
    memcpy(cfg->suites, ids, n * sizeof(ids[0]));
    cfg->n_suites = n;
    return 0;
}

int clasp_config_set_groups(clasp_config *cfg, const char *list)
{
    MUTABLE(cfg);
    return cl_parse_name_list(list, cl_group_by_name, cfg->groups, CL_MAX_GROUPS, &cfg->n_groups);
}

int clasp_config_set_signature_schemes(clasp_config *cfg, const char *list)
{
    MUTABLE(cfg);
    return cl_parse_name_list(list, cl_sig_scheme_by_name, cfg->schemes, CL_MAX_SCHEMES,
                              &cfg->n_schemes);
}

int clasp_config_set_key_shares(clasp_config *cfg, unsigned n)
{
    MUTABLE(cfg);
    CL_CHECK(n >= 1 && n <= CL_MAX_KEY_SHARES, CLASP_ERR_INVALID_ARG);
    cfg->key_shares = n;
    return 0;
}

int clasp_config_set_server_preference(clasp_config *cfg, int on)
{
    MUTABLE(cfg);
    cfg->server_pref = on ? 1 : 0;
    return 0;
}

/* "h2,http/1.1" into ProtocolNameList contents: each name with its one-byte length. */
int clasp_config_set_alpn(clasp_config *cfg, const char *list)
{
    MUTABLE(cfg);
    CL_CHECK(list, CLASP_ERR_INVALID_ARG);
    uint8_t wire[CL_MAX_ALPN_WIRE];
    cl_writer w;
    cl_writer_fixed(&w, wire, sizeof(wire));
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",");
        CL_CHECK(n >= 1 && n <= 255, CLASP_ERR_INVALID_ARG);
        cl_write_vec(&w, 1, (const uint8_t *)p, n);
        p += n;
        if (*p)
            p++;
    }
    CL_CHECK(cl_writer_finish(&w) == 0, CLASP_ERR_INVALID_ARG);
    memcpy(cfg->alpn, wire, w.len);
    cfg->alpn_len = w.len;
    return 0;
}

int clasp_config_set_servername_callback(clasp_config *cfg, clasp_servername_cb cb, void *arg)
{
    MUTABLE(cfg);
    cfg->sni_cb = cb;
    cfg->sni_arg = arg;
    return 0;
}

int clasp_config_set_record_size_limit(clasp_config *cfg, unsigned limit)
{
    MUTABLE(cfg);
    CL_CHECK(limit >= 64 && limit <= CL_MAX_PLAINTEXT, CLASP_ERR_INVALID_ARG);
    cfg->record_size_limit = limit;
    return 0;
}

int clasp_config_set_max_cert_chain(clasp_config *cfg, size_t bytes)
{
    MUTABLE(cfg);
    CL_CHECK(bytes >= 1024 && bytes <= (1u << 24), CLASP_ERR_INVALID_ARG);
    cfg->max_cert_chain = bytes;
    return 0;
}

int clasp_config_set_max_cert_chain_count(clasp_config *cfg, size_t certs)
{
    MUTABLE(cfg);
    CL_CHECK(certs >= 1 && certs <= CL_MAX_CHAIN_COUNT, CLASP_ERR_INVALID_ARG);
    cfg->max_cert_chain_count = certs;
    return 0;
}

int clasp_config_set_extended_master_secret(clasp_config *cfg, int required)
{
    MUTABLE(cfg);
    cfg->ems_required = required ? 1 : 0;
    return 0;
}

int clasp_config_set_encrypt_then_mac(clasp_config *cfg, int on)
{
    MUTABLE(cfg);
    cfg->etm = on ? 1 : 0;
    return 0;
}

int clasp_config_set_session_cache(clasp_config *cfg, size_t max_sessions,
                                   unsigned lifetime_seconds)
{
    MUTABLE(cfg);
    CL_CHECK(max_sessions <= (1u << 20) && lifetime_seconds <= 86400, CLASP_ERR_INVALID_ARG);
    cl_session_cache_free(&cfg->cache);
    CL_TRY(cl_session_cache_init(&cfg->cache, max_sessions));
    /* RFC 5246 F.1.4: an upper limit of 24 hours on session ID lifetimes */
    cfg->session_lifetime = lifetime_seconds;
    return 0;
}

int clasp_config_set_session_store(clasp_config *cfg, const clasp_session_store *store)
{
    MUTABLE(cfg);
    CL_CHECK(store && store->get && store->put && store->remove, CLASP_ERR_INVALID_ARG);
    cfg->store = *store;
    return 0;
}

int clasp_config_set_trace(clasp_config *cfg, clasp_trace_cb cb, void *arg)
{
    MUTABLE(cfg);
    cfg->trace_cb = cb;
    cfg->trace_arg = arg;
    return 0;
}

int clasp_config_set_trace_records(clasp_config *cfg, unsigned n)
{
    MUTABLE(cfg);
    cfg->trace_records = n;
    return 0;
}

int clasp_config_set_keylog(clasp_config *cfg, clasp_keylog_cb cb, void *arg)
{
    MUTABLE(cfg);
    cfg->keylog_cb = cb;
    cfg->keylog_arg = arg;
    return 0;
}

/* ---- sessions and tickets (include/clasp/session.h) ---- */

int clasp_config_set_session_callback(clasp_config *cfg, clasp_session_cb cb, void *arg)
{
    MUTABLE(cfg);
    cfg->session_cb = cb;
    cfg->session_arg = arg;
    return 0;
}

int clasp_config_set_tickets(clasp_config *cfg, unsigned count)
{
    MUTABLE(cfg);
    CL_CHECK(count <= CL_MAX_TICKETS, CLASP_ERR_INVALID_ARG);
    cfg->tickets = count;
    return 0;
}

int clasp_config_set_ticket_mode(clasp_config *cfg, clasp_ticket_mode mode)
{
    MUTABLE(cfg);
    CL_CHECK(mode == CLASP_TICKETS_STATELESS || mode == CLASP_TICKETS_STATEFUL,
             CLASP_ERR_INVALID_ARG);
    cfg->tickets_stateful = mode == CLASP_TICKETS_STATEFUL;
    return 0;
}

int clasp_config_set_psk_ke(clasp_config *cfg, int on)
{
    MUTABLE(cfg);
    cfg->psk_ke = on ? 1 : 0;
    return 0;
}

int clasp_config_set_ticket_age_window(clasp_config *cfg, unsigned ms)
{
    MUTABLE(cfg);
    CL_CHECK(ms <= 3600000, CLASP_ERR_INVALID_ARG);
    cfg->ticket_age_window_ms = ms;
    return 0;
}

int clasp_config_set_session_id_context(clasp_config *cfg, const uint8_t *id, size_t len)
{
    MUTABLE(cfg);
    CL_CHECK(id && len >= 1 && len <= 64, CLASP_ERR_INVALID_ARG);
    return cl_hash(CL_HASH_SHA256, id, len, cfg->identity);
}

int clasp_config_set_ticket_keys(clasp_config *cfg, clasp_ticket_keys *tk)
{
    MUTABLE(cfg);
    CL_CHECK(tk && cfg->role == CLASP_SERVER, CLASP_ERR_INVALID_ARG);
    atomic_fetch_add(&tk->refs, 1);
    cl_ticket_keys_unref(cfg->ticket_keys);
    cfg->ticket_keys = tk;
    return 0;
}
