/*
 * What a trace event says about each handshake message: its fields, parsed with the msg/
 * codecs (docs/trace.md lists them). Only public values appear: names, lengths, randoms,
 * certificates; a Finished shows its length, never its bytes. A message that does not parse
 * is described by its length alone: the handler that runs next names the error.
 *
 * Every string lives in the caller's buffer. When it fills up, the value being written is
 * cut with "..." and no further field is added, so a huge hello cannot overflow anything.
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "hs/keysched12.h"
#include "hs/params.h"
#include "hs/trace.h"
#include "msg/msg.h"
#include "x509/x509.h"

/* ---- the field buffer ---- */

typedef struct desc {
    clasp_trace_field *f;
    size_t n, cap;
    char *buf;
    size_t len, buf_len; /* len: where the next byte goes */
    int full;            /* nothing more fits: no more fields */
} desc;

/* Bytes a new field needs at least: room for "..." and the terminator. */
#define MIN_FIELD_ROOM 5

/* Appends n bytes to the current value; on overflow cuts it with "..." and stops. */
static void put(desc *d, const char *s, size_t n)
{
    if (d->full)
        return;
    size_t room = d->buf_len - d->len - 1; /* one byte kept for the terminator */
    if (n <= room) {
        memcpy(d->buf + d->len, s, n);
        d->len += n;
        return;
    }
    memcpy(d->buf + d->len, s, room);
    d->len += room;
    memcpy(d->buf + d->len - 3, "...", 3); /* the value has >= 4 bytes (MIN_FIELD_ROOM) */
    d->full = 1;
}

static void puts_(desc *d, const char *s)
{
    put(d, s, strlen(s));
}

static void putf(desc *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void putf(desc *d, const char *fmt, ...)
{
    char tmp[128]; /* numbers and short names; long text goes through puts_ */
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (n > 0)
        put(d, tmp, (size_t)n < sizeof(tmp) ? (size_t)n : sizeof(tmp) - 1);
}

/* Starts a field; 0 when there is no room for it (nothing is added then). */
static int begin(desc *d, const char *name)
{
    if (d->full || d->n == d->cap || d->buf_len - d->len < MIN_FIELD_ROOM) {
        d->full = 1;
        return 0;
    }
    d->f[d->n].name = name;
    d->f[d->n].value = d->buf + d->len;
    d->n++;
    return 1;
}

/* Terminates the current value (always possible: put keeps a byte for it). */
static void end(desc *d)
{
    d->buf[d->len] = '\0';
    if (d->len + 1 < d->buf_len)
        d->len++;
    else
        d->full = 1;
}

static void field(desc *d, const char *name, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static void field(desc *d, const char *name, const char *fmt, ...)
{
    char tmp[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof(tmp), fmt, ap);
    va_end(ap);
    if (!begin(d, name))
        return;
    puts_(d, tmp);
    end(d);
}

/* A field whose name is made here ("certificate[3]"): the name is stored in buf too. */
static int begin_numbered(desc *d, const char *prefix, size_t i)
{
    if (d->full || d->buf_len - d->len < 32 + MIN_FIELD_ROOM) {
        d->full = 1;
        return 0;
    }
    char *name = d->buf + d->len;
    int n = snprintf(name, 32, "%s[%zu]", prefix, i);
    if (n < 0 || n >= 32)
        return 0;
    d->len += (size_t)n + 1;
    return begin(d, name);
}

/* ---- values ---- */

static void put_hex(desc *d, const uint8_t *p, size_t n)
{
    static const char digits[] = "0123456789abcdef";
    for (size_t i = 0; i < n && !d->full; i++) {
        char two[2] = {digits[p[i] >> 4], digits[p[i] & 15]};
        put(d, two, 2);
    }
}

/* Peer-chosen text (ALPN names): printable ASCII as is, anything else as \xNN, so a name
 * cannot put a newline or a terminal escape into a log line. */
static void put_text(desc *d, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n && !d->full; i++) {
        if (p[i] >= 0x20 && p[i] < 0x7f && p[i] != '\\')
            put(d, (const char *)p + i, 1);
        else
            putf(d, "\\x%02x", p[i]);
    }
}

static void put_sep(desc *d, int *first, const char *sep)
{
    if (!*first)
        puts_(d, sep);
    *first = 0;
}

static const char *version_name(uint16_t v)
{
    switch (v) {
    case 0x0300: return "SSL 3.0";
    case 0x0301: return "TLS 1.0";
    case 0x0302: return "TLS 1.1";
    case 0x0303: return "TLS 1.2";
    case 0x0304: return "TLS 1.3";
    default: return NULL;
    }
}

static void put_version(desc *d, uint16_t v)
{
    const char *name = version_name(v);
    if (name)
        puts_(d, name);
    else
        putf(d, "0x%04x (unknown)", v);
}

static const char *suite_name(uint16_t id)
{
    const cl_suite *s = cl_suite_find(id);
    if (s)
        return s->name;
    if (id == 0x00ff) /* RFC 5746 3.3 */
        return "TLS_EMPTY_RENEGOTIATION_INFO_SCSV";
    if (id == 0x5600) /* RFC 7507 */
        return "TLS_FALLBACK_SCSV";
    return NULL;
}

/* A name from a table, or "0x1a1a (unknown)". */
static void put_named(desc *d, const char *name, uint16_t v)
{
    if (name)
        puts_(d, name);
    else
        putf(d, "0x%04x (unknown)", v);
}

typedef const char *(*name_fn)(uint16_t);

/* A list of uint16 values by name, comma separated. */
static void put_u16_names(desc *d, cl_reader list, name_fn name)
{
    uint16_t v;
    int first = 1;
    while (!d->full && cl_read_u16(&list, &v) == 0) {
        put_sep(d, &first, ", ");
        put_named(d, name(v), v);
    }
}

static void u16_names_field(desc *d, const char *fname, cl_reader list, name_fn name)
{
    if (!begin(d, fname))
        return;
    put_u16_names(d, list, name);
    end(d);
}

static void length_field(desc *d, const char *name, size_t n)
{
    field(d, name, "%zu bytes", n);
}

/* "empty", or the bytes in hex (session IDs, certificate request contexts). */
static void hex_or_empty(desc *d, const char *name, const uint8_t *p, size_t n)
{
    if (!begin(d, name))
        return;
    if (n == 0)
        puts_(d, "empty");
    put_hex(d, p, n);
    end(d);
}

static void reader_hex_field(desc *d, const char *name, cl_reader r)
{
    const uint8_t *p = NULL;
    size_t n = cl_reader_left(&r);
    cl_read_bytes(&r, n, &p);
    hex_or_empty(d, name, p, n);
}

/* ---- extensions ---- */

/* Every extension of a raw block's contents in wire order, unknown ones as "0x1234". */
static void raw_extensions_field(desc *d, cl_reader block)
{
    uint16_t type;
    cl_reader data;
    int first = 1;
    if (!begin(d, "extensions"))
        return;
    if (cl_reader_left(&block) == 0)
        puts_(d, "none");
    while (!d->full && cl_read_u16(&block, &type) == 0 && cl_read_vec16(&block, &data) == 0) {
        const char *name = cl_ext_name(type);
        put_sep(d, &first, ", ");
        if (name)
            puts_(d, name);
        else
            putf(d, "0x%04x", type);
    }
    end(d);
}

/* The extensions of a parsed block where only known ones can appear (SH, HRR, EE). */
static void known_extensions_field(desc *d, const cl_exts *e)
{
    int first = 1;
    if (!begin(d, "extensions"))
        return;
    if (e->n_order == 0)
        puts_(d, "none");
    for (size_t i = 0; i < e->n_order; i++) {
        put_sep(d, &first, ", ");
        puts_(d, cl_ext_name(e->order[i]));
    }
    end(d);
}

/* A u16 list extension (supported_groups, signature_algorithms) by name. */
static void ext_u16_field(desc *d, const cl_exts *e, enum cl_ext_idx i, const char *fname,
                          name_fn name)
{
    cl_reader ext = cl_exts_get(e, i), list;
    if (!cl_exts_has(e, i))
        return;
    if (cl_ext_u16_list(&ext, 0, 0xffff, &list) != 0) {
        field(d, fname, "malformed");
        return;
    }
    u16_names_field(d, fname, list, name);
}

static void alpn_list_field(desc *d, const cl_exts *e)
{
    cl_reader names;
    const uint8_t *p;
    size_t n;
    int first = 1;
    if (!cl_exts_has(e, CL_EXTI_ALPN))
        return;
    if (cl_ext_alpn_list(cl_exts_get(e, CL_EXTI_ALPN), &names) != 0) {
        field(d, "alpn", "malformed");
        return;
    }
    if (!begin(d, "alpn"))
        return;
    while (!d->full && cl_ext_alpn_next(&names, &p, &n) == 0) {
        put_sep(d, &first, ", ");
        put_text(d, p, n);
    }
    end(d);
}

/* The server's one ALPN protocol (TLS 1.3 EncryptedExtensions, TLS 1.2 ServerHello). */
static void alpn_single_field(desc *d, const cl_exts *e)
{
    const uint8_t *p;
    size_t n;
    if (!cl_exts_has(e, CL_EXTI_ALPN))
        return;
    if (cl_ext_alpn_single(cl_exts_get(e, CL_EXTI_ALPN), &p, &n) != 0) {
        field(d, "alpn", "malformed");
        return;
    }
    if (!begin(d, "alpn"))
        return;
    put_text(d, p, n);
    end(d);
}

static void record_size_limit_field(desc *d, const cl_exts *e)
{
    uint16_t limit;
    if (!cl_exts_has(e, CL_EXTI_RECORD_SIZE_LIMIT))
        return;
    if (cl_ext_record_size_limit(cl_exts_get(e, CL_EXTI_RECORD_SIZE_LIMIT), &limit) == 0)
        field(d, "record_size_limit", "%u", limit);
    else
        field(d, "record_size_limit", "malformed");
}

static void cookie_field(desc *d, const cl_exts *e)
{
    const uint8_t *cookie;
    size_t n;
    if (!cl_exts_has(e, CL_EXTI_COOKIE))
        return;
    if (cl_ext_cookie(cl_exts_get(e, CL_EXTI_COOKIE), &cookie, &n) == 0)
        length_field(d, "cookie", n);
    else
        field(d, "cookie", "malformed");
}

/* ---- ClientHello ---- */

static void ch_versions_field(desc *d, const cl_exts *e)
{
    cl_reader versions;
    uint16_t v;
    int first = 1;
    if (!cl_exts_has(e, CL_EXTI_SUPPORTED_VERSIONS))
        return;
    if (cl_ext_supported_versions_ch(cl_exts_get(e, CL_EXTI_SUPPORTED_VERSIONS), &versions)) {
        field(d, "supported_versions", "malformed");
        return;
    }
    if (!begin(d, "supported_versions"))
        return;
    while (!d->full && cl_read_u16(&versions, &v) == 0) {
        put_sep(d, &first, ", ");
        put_version(d, v);
    }
    end(d);
}

static void ch_key_shares_field(desc *d, const cl_exts *e)
{
    cl_reader shares;
    cl_key_share_entry ks;
    int first = 1;
    if (!cl_exts_has(e, CL_EXTI_KEY_SHARE))
        return;
    if (cl_ext_key_share_ch(cl_exts_get(e, CL_EXTI_KEY_SHARE), &shares) != 0) {
        field(d, "key_shares", "malformed");
        return;
    }
    if (!begin(d, "key_shares"))
        return;
    if (cl_reader_left(&shares) == 0)
        puts_(d, "none"); /* RFC 8446 4.2.8: the client may ask the server to pick */
    while (!d->full && cl_ext_key_share_next(&shares, &ks) == 0) {
        put_sep(d, &first, ", ");
        put_named(d, cl_group_name(ks.group), ks.group);
    }
    end(d);
}

static void ch_server_name_field(desc *d, const cl_exts *e)
{
    const uint8_t *name;
    size_t n;
    if (!cl_exts_has(e, CL_EXTI_SERVER_NAME))
        return;
    if (cl_ext_server_name_ch(cl_exts_get(e, CL_EXTI_SERVER_NAME), &name, &n) != 0) {
        field(d, "server_name", "malformed");
        return;
    }
    if (!begin(d, "server_name"))
        return;
    if (name)
        put_text(d, name, n); /* the parser allows 0x21..0x7e only; escaped all the same */
    else
        puts_(d, "(no host name)");
    end(d);
}

static void ch_compression_field(desc *d, cl_reader methods)
{
    uint8_t m;
    int first = 1;
    if (!begin(d, "compression_methods"))
        return;
    while (!d->full && cl_read_u8(&methods, &m) == 0) {
        put_sep(d, &first, ", ");
        if (m == 0)
            puts_(d, "null");
        else
            putf(d, "%u (unknown)", m);
    }
    end(d);
}

/* Resumption in a ClientHello: TLS 1.2's ticket (RFC 5077), TLS 1.3's PSK (RFC 8446 4.2.11). */
static void ch_resumption_fields(desc *d, const cl_exts *e)
{
    cl_reader ext = cl_exts_get(e, CL_EXTI_SESSION_TICKET), ids, binders, modes;
    if (cl_exts_has(e, CL_EXTI_SESSION_TICKET))
        field(d, "session_ticket",
              cl_reader_left(&ext) ? "%zu bytes (a ticket to resume)" : "empty (asks for a ticket)",
              cl_reader_left(&ext));
    if (cl_exts_has(e, CL_EXTI_PSK_KEY_EXCHANGE_MODES) &&
        cl_ext_psk_modes(cl_exts_get(e, CL_EXTI_PSK_KEY_EXCHANGE_MODES), &modes) == 0 &&
        begin(d, "psk_key_exchange_modes")) {
        int first = 1;
        uint8_t m;
        while (!d->full && cl_read_u8(&modes, &m) == 0) {
            put_sep(d, &first, ", ");
            puts_(d, m == 1 ? "psk_dhe_ke" : m == 0 ? "psk_ke" : "unknown");
        }
        end(d);
    }
    if (!cl_exts_has(e, CL_EXTI_PRE_SHARED_KEY))
        return;
    const uint8_t *id;
    size_t id_len, n = 0;
    uint32_t age;
    if (cl_ext_pre_shared_key_ch(cl_exts_get(e, CL_EXTI_PRE_SHARED_KEY), &ids, &binders) != 0) {
        field(d, "pre_shared_key", "malformed");
        return;
    }
    cl_reader first = ids;
    cl_ext_psk_identity_next(&first, &id, &id_len, &age);
    while (cl_reader_left(&ids) && cl_ext_psk_identity_next(&ids, &id, &id_len, &age) == 0)
        n++;
    /* the obfuscated age is left out: it is meant to say nothing */
    field(d, "pre_shared_key", "%zu identit%s, the first a %zu-byte ticket, with binders", n,
          n == 1 ? "y" : "ies", id_len);
}

static void ch_extension_fields(desc *d, const cl_client_hello *ch)
{
    const cl_exts *e = &ch->exts;
    ch_versions_field(d, e);
    ext_u16_field(d, e, CL_EXTI_SUPPORTED_GROUPS, "supported_groups", cl_group_name);
    ch_key_shares_field(d, e);
    ext_u16_field(d, e, CL_EXTI_SIGNATURE_ALGORITHMS, "signature_algorithms", cl_sig_scheme_name);
    ch_server_name_field(d, e);
    alpn_list_field(d, e);
    if (cl_exts_has(e, CL_EXTI_EXTENDED_MASTER_SECRET))
        field(d, "extended_master_secret", "offered");
    if (cl_exts_has(e, CL_EXTI_ENCRYPT_THEN_MAC))
        field(d, "encrypt_then_mac", "offered");
    raw_extensions_field(d, ch->ext_block);
    /* after the agreed fields: what a second ClientHello or a TLS 1.2 client adds */
    cookie_field(d, e);
    record_size_limit_field(d, e);
    ch_resumption_fields(d, e);
}

static int describe_client_hello(desc *d, const uint8_t *body, size_t len)
{
    cl_client_hello ch;
    if (cl_client_hello_parse(body, len, &ch) != 0)
        return -1;
    field(d, "legacy_version", "%s (0x%04x)",
          version_name(ch.legacy_version) ? version_name(ch.legacy_version) : "unknown",
          ch.legacy_version);
    hex_or_empty(d, "random", ch.random, sizeof(ch.random));
    hex_or_empty(d, "session_id", ch.session_id, ch.session_id_len);
    u16_names_field(d, "cipher_suites", ch.cipher_suites, suite_name);
    ch_compression_field(d, ch.compression);
    ch_extension_fields(d, &ch);
    return 0;
}

/* ---- ServerHello and HelloRetryRequest ---- */

/* RFC 8446 4.1.3: the last 8 bytes of a TLS 1.3 server's random when it negotiates less. */
static void downgrade_field(desc *d, const uint8_t random[CL_RANDOM_LEN])
{
    const uint8_t *tail = random + CL_RANDOM_LEN - 8;
    if (memcmp(tail, "DOWNGRD\x01", 8) == 0)
        field(d, "downgrade_sentinel", "DOWNGRD 01 (TLS 1.2)");
    else if (memcmp(tail, "DOWNGRD\x00", 8) == 0)
        field(d, "downgrade_sentinel", "DOWNGRD 00");
}

static void suite_field(desc *d, uint16_t suite)
{
    if (!begin(d, "cipher_suite"))
        return;
    put_named(d, suite_name(suite), suite);
    end(d);
}

static void describe_hrr(desc *d, const cl_server_hello *sh)
{
    uint16_t group;
    suite_field(d, sh->cipher_suite);
    if (cl_exts_has(&sh->exts, CL_EXTI_KEY_SHARE)) {
        if (cl_ext_key_share_hrr(cl_exts_get(&sh->exts, CL_EXTI_KEY_SHARE), &group) != 0)
            field(d, "selected_group", "malformed");
        else if (begin(d, "selected_group")) {
            put_named(d, cl_group_name(group), group);
            end(d);
        }
    }
    cookie_field(d, &sh->exts);
    known_extensions_field(d, &sh->exts);
}

static void sh_version_field(desc *d, const cl_server_hello *sh)
{
    uint16_t v = sh->legacy_version;
    if (cl_exts_has(&sh->exts, CL_EXTI_SUPPORTED_VERSIONS) &&
        cl_ext_supported_versions_sh(cl_exts_get(&sh->exts, CL_EXTI_SUPPORTED_VERSIONS), &v)) {
        field(d, "version", "malformed");
        return;
    }
    if (!begin(d, "version"))
        return;
    put_version(d, v);
    end(d);
}

static void sh_key_share_field(desc *d, const cl_exts *e)
{
    cl_key_share_entry ks;
    if (!cl_exts_has(e, CL_EXTI_KEY_SHARE))
        return;
    if (cl_ext_key_share_sh(cl_exts_get(e, CL_EXTI_KEY_SHARE), &ks) != 0) {
        field(d, "key_share", "malformed");
        return;
    }
    if (!begin(d, "key_share"))
        return;
    put_named(d, cl_group_name(ks.group), ks.group);
    end(d);
}

static int describe_server_hello(desc *d, const uint8_t *body, size_t len)
{
    cl_server_hello sh;
    if (cl_server_hello_parse(body, len, &sh) != 0)
        return -1;
    if (sh.is_hrr) {
        describe_hrr(d, &sh);
        return 0;
    }
    sh_version_field(d, &sh);
    hex_or_empty(d, "random", sh.random, sizeof(sh.random));
    downgrade_field(d, sh.random);
    hex_or_empty(d, "session_id", sh.session_id, sh.session_id_len);
    suite_field(d, sh.cipher_suite);
    if (sh.compression == 0)
        field(d, "compression_method", "null");
    else
        field(d, "compression_method", "%u (unknown)", sh.compression);
    sh_key_share_field(d, &sh.exts);
    uint16_t selected;
    if (cl_exts_has(&sh.exts, CL_EXTI_PRE_SHARED_KEY) &&
        cl_ext_pre_shared_key_sh(cl_exts_get(&sh.exts, CL_EXTI_PRE_SHARED_KEY), &selected) == 0)
        field(d, "pre_shared_key", "identity %u selected", (unsigned)selected);
    if (cl_exts_has(&sh.exts, CL_EXTI_EXTENDED_MASTER_SECRET))
        field(d, "extended_master_secret", "yes");
    if (cl_exts_has(&sh.exts, CL_EXTI_ENCRYPT_THEN_MAC))
        field(d, "encrypt_then_mac", "yes");
    if (cl_exts_has(&sh.exts, CL_EXTI_SESSION_TICKET))
        field(d, "session_ticket", "yes (a NewSessionTicket follows)");
    known_extensions_field(d, &sh.exts);
    alpn_single_field(d, &sh.exts); /* TLS 1.2 answers ALPN here */
    return 0;
}

/* ---- EncryptedExtensions ---- */

static int describe_encrypted_extensions(desc *d, const uint8_t *body, size_t len)
{
    cl_exts e;
    if (cl_encrypted_extensions_parse(body, len, &e) != 0)
        return -1;
    known_extensions_field(d, &e);
    alpn_single_field(d, &e);
    if (cl_exts_has(&e, CL_EXTI_SERVER_NAME))
        field(d, "server_name", "acknowledged");
    record_size_limit_field(d, &e);
    ext_u16_field(d, &e, CL_EXTI_SUPPORTED_GROUPS, "supported_groups", cl_group_name);
    return 0;
}

/* ---- Certificate ---- */

static void certificate_entry_field(desc *d, size_t i, const uint8_t *der, size_t len)
{
    char line[512];
    if (!begin_numbered(d, "certificate", i))
        return;
    if (cl_cert_summary(der, len, line, sizeof(line)) == 0)
        puts_(d, line);
    else
        putf(d, "unparsable (%zu bytes)", len);
    end(d);
}

static int describe_certificate13(desc *d, const uint8_t *body, size_t len)
{
    cl_certificate13 cert;
    const uint8_t *der;
    size_t der_len;
    if (cl_certificate13_parse(body, len, SIZE_MAX, &cert) != 0)
        return -1;
    reader_hex_field(d, "context", cert.context);
    field(d, "certificates", "%zu", cert.n_entries);
    for (size_t i = 0; !d->full && cl_certificate13_next(&cert.entries, &der, &der_len, NULL) == 0;
         i++)
        certificate_entry_field(d, i, der, der_len);
    return 0;
}

static int describe_certificate12(desc *d, const uint8_t *body, size_t len)
{
    cl_certificate12 cert;
    const uint8_t *der;
    size_t der_len;
    if (cl_certificate12_parse(body, len, SIZE_MAX, &cert) != 0)
        return -1;
    field(d, "certificates", "%zu", cert.n_certs);
    for (size_t i = 0; !d->full && cl_certificate12_next(&cert.certs, &der, &der_len) == 0; i++)
        certificate_entry_field(d, i, der, der_len);
    return 0;
}

/* ---- CertificateRequest ---- */

/* Each DistinguishedName as text, "; " separated, or "none". */
static void authorities_field(desc *d, cl_reader names)
{
    const uint8_t *dn;
    size_t n;
    char line[256];
    int first = 1;
    if (!begin(d, "certificate_authorities"))
        return;
    if (cl_reader_left(&names) == 0)
        puts_(d, "none");
    while (!d->full && cl_ext_certificate_authorities_next(&names, &dn, &n) == 0) {
        put_sep(d, &first, "; ");
        if (cl_dn_text(dn, n, line, sizeof(line)) == 0)
            puts_(d, line);
        else
            putf(d, "unparsable name (%zu bytes)", n);
    }
    end(d);
}

/* The extensions of a TLS 1.3 CertificateRequest, unknown ones included (they are ignored,
 * RFC 8446 4.2, so the parsed view does not list them). */
static void cr13_extensions_field(desc *d, const uint8_t *body, size_t len)
{
    cl_reader r, context, block;
    cl_reader_init(&r, body, len);
    if (cl_read_vec8(&r, &context) == 0 && cl_read_vec16(&r, &block) == 0)
        raw_extensions_field(d, block);
}

static int describe_certificate_request13(desc *d, const uint8_t *body, size_t len)
{
    cl_certificate_request13 cr;
    cl_reader names;
    if (cl_certificate_request13_parse(body, len, &cr) != 0)
        return -1;
    reader_hex_field(d, "context", cr.context);
    ext_u16_field(d, &cr.exts, CL_EXTI_SIGNATURE_ALGORITHMS, "signature_algorithms",
                  cl_sig_scheme_name);
    if (!cl_exts_has(&cr.exts, CL_EXTI_CERTIFICATE_AUTHORITIES))
        field(d, "certificate_authorities", "none");
    else if (cl_ext_certificate_authorities(cl_exts_get(&cr.exts, CL_EXTI_CERTIFICATE_AUTHORITIES),
                                            &names) != 0)
        field(d, "certificate_authorities", "malformed");
    else
        authorities_field(d, names);
    cr13_extensions_field(d, body, len);
    return 0;
}

/* ClientCertificateType (RFC 5246 7.4.4, RFC 8422 5.5). */
static const char *cert_type_name(uint8_t t)
{
    switch (t) {
    case 1: return "rsa_sign";
    case 2: return "dss_sign";
    case 3: return "rsa_fixed_dh";
    case 4: return "dss_fixed_dh";
    case 64: return "ecdsa_sign";
    case 65: return "rsa_fixed_ecdh";
    case 66: return "ecdsa_fixed_ecdh";
    default: return NULL;
    }
}

static int describe_certificate_request12(desc *d, const uint8_t *body, size_t len)
{
    cl_certificate_request12 cr;
    uint8_t t;
    int first = 1;
    if (cl_certificate_request12_parse(body, len, &cr) != 0)
        return -1;
    if (begin(d, "certificate_types")) {
        while (!d->full && cl_read_u8(&cr.cert_types, &t) == 0) {
            put_sep(d, &first, ", ");
            if (cert_type_name(t))
                puts_(d, cert_type_name(t));
            else
                putf(d, "%u (unknown)", t);
        }
        end(d);
    }
    u16_names_field(d, "signature_algorithms", cr.sig_algs, cl_sig_scheme_name);
    authorities_field(d, cr.authorities);
    return 0;
}

/* ---- key exchange and signatures ---- */

static void scheme_field(desc *d, uint16_t scheme)
{
    if (!begin(d, "signature_scheme"))
        return;
    put_named(d, cl_sig_scheme_name(scheme), scheme);
    end(d);
}

/* A group field: its name and value. */
static void group_field(desc *d, uint16_t group)
{
    if (begin(d, "group")) {
        put_named(d, cl_group_name(group), group);
        end(d);
    }
}

/* What a ServerKeyExchange has after its group: the public key, the signature. */
static void ske_tail(desc *d, size_t pub_len, uint16_t scheme, size_t sig_len)
{
    length_field(d, "public_key", pub_len);
    scheme_field(d, scheme);
    length_field(d, "signature", sig_len);
}

/* ServerDHParams: the RFC 7919 group p and g make, or their sizes when they make none. */
static int describe_server_dh_params(desc *d, const uint8_t *body, size_t len)
{
    cl_server_key_exchange_dhe ske;
    if (cl_server_key_exchange_dhe_parse(body, len, &ske) != 0)
        return -1;
    uint16_t group = cl_kex_ffdhe_group_of(ske.p, ske.p_len, ske.g, ske.g_len);
    field(d, "key_exchange", "DHE");
    if (group) {
        group_field(d, group);
    } else {
        field(d, "group", "not an RFC 7919 group");
        length_field(d, "dh_p", ske.p_len);
    }
    ske_tail(d, ske.ys_len, ske.scheme, ske.sig_len);
    return 0;
}

/* The suite says which ServerKeyExchange this is; it is known by then. */
static int describe_server_key_exchange(const clasp_conn *c, desc *d, const uint8_t *body,
                                        size_t len)
{
    cl_server_key_exchange12 ske;
    if (c->suite_info && c->suite_info->kx == CL_KX_DHE_RSA)
        return describe_server_dh_params(d, body, len);
    if (cl_server_key_exchange12_parse(body, len, &ske) != 0)
        return -1;
    field(d, "curve_type", "named_curve"); /* the only one the parser accepts */
    group_field(d, ske.group);
    ske_tail(d, ske.point_len, ske.scheme, ske.sig_len);
    return 0;
}

/* The suite says which ClientKeyExchange this is (RFC 5246 7.4.7); it is known by then. */
static int describe_client_key_exchange(const clasp_conn *c, desc *d, const uint8_t *body,
                                        size_t len)
{
    const uint8_t *p;
    size_t n;
    if (!c->suite_info || c->suite_info->kx == CL_KX_NONE)
        return -1;
    if (c->suite_info->kx == CL_KX_RSA) {
        if (cl_client_key_exchange_rsa_parse(body, len, &p, &n) != 0)
            return -1;
        field(d, "key_exchange",
              "RSA: the pre-master secret, encrypted to the server's "
              "public key");
        length_field(d, "encrypted_pre_master_secret", n);
        return 0;
    }
    if (c->suite_info->kx == CL_KX_DHE_RSA) {
        if (cl_client_key_exchange_dhe_parse(body, len, &p, &n) != 0)
            return -1;
        field(d, "key_exchange", "DHE public key");
        length_field(d, "public_key", n);
        return 0;
    }
    if (cl_client_key_exchange_ecdhe_parse(body, len, &p, &n) != 0)
        return -1;
    field(d, "key_exchange", "ECDHE public key");
    length_field(d, "public_key", n);
    return 0;
}

static int describe_certificate_verify(desc *d, const uint8_t *body, size_t len)
{
    cl_certificate_verify cv;
    if (cl_certificate_verify_parse(body, len, &cv) != 0)
        return -1;
    scheme_field(d, cv.scheme);
    length_field(d, "signature", cv.sig_len);
    return 0;
}

/* ---- Finished, tickets, KeyUpdate, empty messages ---- */

static int describe_finished(desc *d, size_t len)
{
    /* The length only: verify_data is a MAC under a handshake secret, not for logs. */
    if (len != CL_TLS12_FINISHED_LEN && len != 32 && len != 48)
        return -1;
    length_field(d, "verify_data", len);
    return 0;
}

static int describe_ticket13(desc *d, const uint8_t *body, size_t len)
{
    cl_new_session_ticket13 t;
    uint32_t max_early;
    if (cl_new_session_ticket13_parse(body, len, &t) != 0)
        return -1;
    field(d, "lifetime", "%u s", (unsigned)t.lifetime);
    length_field(d, "ticket", cl_reader_left(&t.ticket));
    length_field(d, "nonce", cl_reader_left(&t.nonce));
    if (cl_exts_has(&t.exts, CL_EXTI_EARLY_DATA) &&
        cl_ext_early_data_nst(cl_exts_get(&t.exts, CL_EXTI_EARLY_DATA), &max_early) == 0)
        field(d, "max_early_data_size", "%u", (unsigned)max_early);
    return 0;
}

static int describe_ticket12(desc *d, const uint8_t *body, size_t len)
{
    cl_new_session_ticket12 t;
    if (cl_new_session_ticket12_parse(body, len, &t) != 0)
        return -1;
    field(d, "lifetime_hint", "%u s", (unsigned)t.lifetime_hint);
    length_field(d, "ticket", cl_reader_left(&t.ticket));
    return 0;
}

static int describe_key_update(desc *d, const uint8_t *body, size_t len)
{
    uint8_t request;
    if (cl_key_update_parse(body, len, &request) != 0)
        return -1;
    field(d, "request_update",
          request == CL_KEY_UPDATE_REQUESTED ? "update_requested" : "update_not_requested");
    return 0;
}

/* ---- dispatch ---- */

static int describe_body(const clasp_conn *c, desc *d, uint8_t type, const uint8_t *body,
                         size_t len)
{
    int tls12 = c->version == CL_TLS12_VERSION;
    switch (type) {
    case CL_HS_CLIENT_HELLO: return describe_client_hello(d, body, len);
    case CL_HS_SERVER_HELLO: return describe_server_hello(d, body, len);
    case CL_HS_ENCRYPTED_EXTENSIONS: return describe_encrypted_extensions(d, body, len);
    case CL_HS_CERTIFICATE:
        return tls12 ? describe_certificate12(d, body, len) : describe_certificate13(d, body, len);
    case CL_HS_CERTIFICATE_REQUEST:
        return tls12 ? describe_certificate_request12(d, body, len)
                     : describe_certificate_request13(d, body, len);
    case CL_HS_SERVER_KEY_EXCHANGE: return describe_server_key_exchange(c, d, body, len);
    case CL_HS_CLIENT_KEY_EXCHANGE: return describe_client_key_exchange(c, d, body, len);
    case CL_HS_CERTIFICATE_VERIFY: return describe_certificate_verify(d, body, len);
    case CL_HS_FINISHED: return describe_finished(d, len);
    case CL_HS_NEW_SESSION_TICKET:
        return tls12 ? describe_ticket12(d, body, len) : describe_ticket13(d, body, len);
    case CL_HS_KEY_UPDATE: return describe_key_update(d, body, len);
    case CL_HS_SERVER_HELLO_DONE:
    case CL_HS_HELLO_REQUEST:
    case CL_HS_END_OF_EARLY_DATA: return cl_empty_message_parse(body, len) == 0 ? 0 : -1;
    default: return -1;
    }
}

size_t cl_trace_describe(const clasp_conn *c, const uint8_t *msg, size_t len,
                         clasp_trace_field *fields, size_t cap, char *buf, size_t buf_len)
{
    desc d = {.f = fields, .cap = cap, .buf = buf, .buf_len = buf_len};
    if (buf_len < MIN_FIELD_ROOM)
        return 0;
    buf[0] = '\0';
    size_t body_len = len >= CL_HS_HEADER_LEN ? len - CL_HS_HEADER_LEN : 0;
    int ok = len >= CL_HS_HEADER_LEN &&
             ((size_t)msg[1] << 16 | (size_t)msg[2] << 8 | msg[3]) == body_len &&
             describe_body(c, &d, msg[0], msg + CL_HS_HEADER_LEN, body_len) == 0;
    if (ok)
        return d.n;
    /* Whatever was written before the parse failed is dropped: the length alone. */
    d.n = d.len = 0;
    d.full = 0;
    length_field(&d, "length", len);
    return d.n;
}
