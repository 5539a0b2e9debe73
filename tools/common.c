/* Shared by the tools: option tables, TLS settings, names, log values, addresses. */
#include "common.h"

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

/* The options every tool has. */
static const tool_opt common_opts[] = {
    {"ca", required_argument, OPT_CA, "FILE", "trust anchors (PEM) for verifying the peer"},
    {"cert", required_argument, OPT_CERT, "FILE", "certificate chain (PEM, leaf first)"},
    {"key", required_argument, OPT_KEY, "FILE", "private key (PEM) of the preceding --cert"},
    {"versions", required_argument, OPT_VERSIONS, "LIST",
     "protocol versions: 1.2, 1.3 or 1.2,1.3 (default: 1.2,1.3)"},
    {"suites", required_argument, OPT_SUITES, "LIST",
     "cipher suites by IANA name, in preference order, ':' or ','"},
    {"groups", required_argument, OPT_GROUPS, "LIST", "key exchange groups, e.g. x25519:secp256r1"},
    {"alpn", required_argument, OPT_ALPN, "LIST", "ALPN protocols, e.g. h2,http/1.1"},
    {"allow-no-ems", no_argument, OPT_ALLOW_NO_EMS, NULL,
     "TLS 1.2: accept a peer without extended master secret (see below)"},
    {"record-size-limit", required_argument, OPT_RECORD_SIZE_LIMIT, "N",
     "largest record plaintext accepted (RFC 8449), 64 to 16384"},
    {"trace", optional_argument, OPT_TRACE, "FORMAT",
     "narrate the handshake on stderr: text (default) or json"},
    {"trace-file", required_argument, OPT_TRACE_FILE, "FILE",
     "append the narration to FILE instead (implies --trace)"},
    {"color", required_argument, OPT_COLOR, "WHEN",
     "colours in the narration: never, always, auto (default)"},
    {"help", no_argument, OPT_HELP, NULL, "print this help and exit"},
};

#define N_COMMON (sizeof(common_opts) / sizeof(common_opts[0]))
#define MAX_OPTS 48

/* Versions as the command line names them. */
static const struct {
    const char *name;
    uint16_t version;
} versions[] = {
    {"1.2", CLASP_TLS12},
    {"1.3", CLASP_TLS13},
};

static void print_opt(FILE *f, const tool_opt *o)
{
    char left[48];
    if (o->has_arg == optional_argument)
        snprintf(left, sizeof(left), "--%s[=%s]", o->name, o->arg);
    else
        snprintf(left, sizeof(left), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
    fprintf(f, "  %-24s %s\n", left, o->help);
}

void tool_usage(const tool_cli *cli, FILE *f)
{
    fprintf(f, "usage: %s %s\n\noptions:\n", cli->prog, cli->synopsis);
    for (size_t i = 0; i < cli->n_opts; i++)
        print_opt(f, &cli->opts[i]);
    for (size_t i = 0; i < N_COMMON; i++)
        print_opt(f, &common_opts[i]);
    fprintf(f, "\n%s", cli->about);
}

/* "1.3", "1.2,1.3", "1.2:1.3": the lowest and highest named. */
static int parse_versions(const char *prog, const char *list, tool_tls *tls)
{
    uint16_t lo = 0, hi = 0;
    for (const char *p = list; *p;) {
        size_t n = strcspn(p, ",:"), i;
        for (i = 0; i < sizeof(versions) / sizeof(versions[0]); i++)
            if (strlen(versions[i].name) == n && strncmp(p, versions[i].name, n) == 0)
                break;
        if (i == sizeof(versions) / sizeof(versions[0])) {
            fprintf(stderr, "%s: --versions: unknown version '%.*s' (known: 1.2, 1.3)\n", prog,
                    (int)n, p);
            return -1;
        }
        lo = !lo || versions[i].version < lo ? versions[i].version : lo;
        hi = versions[i].version > hi ? versions[i].version : hi;
        p += n + (p[n] != '\0');
    }
    if (!lo) {
        fprintf(stderr, "%s: --versions: empty list\n", prog);
        return -1;
    }
    tls->min_version = lo;
    tls->max_version = hi;
    return 0;
}

static int add_path(const char *prog, const char *opt, const char **arr, size_t *n, const char *arg)
{
    if (*n == TOOL_MAX_CERTS) {
        fprintf(stderr, "%s: at most %d --%s options\n", prog, TOOL_MAX_CERTS, opt);
        return -1;
    }
    arr[(*n)++] = arg;
    return 0;
}

static int common_opt(const tool_cli *cli, tool_tls *tls, int id, const char *arg)
{
    switch (id) {
    case OPT_CA: tls->ca = arg; return 0;
    case OPT_CERT: return add_path(cli->prog, "cert", tls->cert, &tls->n_cert, arg);
    case OPT_KEY: return add_path(cli->prog, "key", tls->key, &tls->n_key, arg);
    case OPT_VERSIONS: tls->versions = arg; return parse_versions(cli->prog, arg, tls);
    case OPT_SUITES: tls->suites = arg; return 0;
    case OPT_GROUPS: tls->groups = arg; return 0;
    case OPT_ALPN: tls->alpn = arg; return 0;
    case OPT_ALLOW_NO_EMS: tls->allow_no_ems = 1; return 0;
    case OPT_RECORD_SIZE_LIMIT: tls->record_size_limit = arg; return 0;
    case OPT_TRACE: return tool_trace_parse_format(cli->prog, arg, &tls->trace);
    case OPT_TRACE_FILE:
        tls->trace_file = arg;
        tls->trace = tls->trace ? tls->trace : TOOL_TRACE_TEXT;
        return 0;
    case OPT_COLOR: tls->color = arg; return tool_trace_parse_color(cli->prog, arg);
    default: return cli->on_opt(cli->ctx, id, arg);
    }
}

/* getopt_long's table, from the tool's rows and the shared ones. */
static size_t build_table(const tool_cli *cli, struct option *out)
{
    size_t n = 0;
    for (size_t i = 0; i < cli->n_opts && n < MAX_OPTS; i++, n++)
        out[n] = (struct option){cli->opts[i].name, cli->opts[i].has_arg, NULL, cli->opts[i].id};
    for (size_t i = 0; i < N_COMMON && n < MAX_OPTS; i++, n++)
        out[n] =
            (struct option){common_opts[i].name, common_opts[i].has_arg, NULL, common_opts[i].id};
    out[n] = (struct option){NULL, 0, NULL, 0};
    return n;
}

/* What getopt_long found wrong: an unknown option, or one without its argument. */
static void bad_option(const char *prog, int id, const char *arg)
{
    if (optopt && optopt < 256) /* a short option: arg may be a bundle such as -hx */
        fprintf(stderr, "%s: %s option '-%c'\n", prog,
                id == ':' ? "missing argument to" : "unknown", optopt);
    else
        fprintf(stderr, "%s: %s '%s'\n", prog, id == ':' ? "missing argument to" : "unknown option",
                arg);
}

int tool_parse(const tool_cli *cli, tool_tls *tls, int argc, char **argv)
{
    struct option table[MAX_OPTS + 1];
    if (build_table(cli, table) != cli->n_opts + N_COMMON) {
        fprintf(stderr, "%s: too many options in the table\n", cli->prog);
        return -1;
    }
    memset(tls, 0, sizeof(*tls));
    int id;
    opterr = 0; /* our messages, named after the tool rather than argv[0] */
    while ((id = getopt_long(argc, argv, ":h", table, NULL)) != -1) {
        if (id == OPT_HELP) {
            tool_usage(cli, stdout);
            exit(TOOL_EXIT_OK);
        }
        if (id == '?' || id == ':')
            bad_option(cli->prog, id, argv[optind - 1]);
        if (id == '?' || id == ':' || common_opt(cli, tls, id, optarg) != 0) {
            tool_usage(cli, stderr);
            return -1;
        }
    }
    if (tls->n_cert != tls->n_key) {
        fprintf(stderr, "%s: each --cert needs its --key (got %zu and %zu)\n", cli->prog,
                tls->n_cert, tls->n_key);
        tool_usage(cli, stderr);
        return -1;
    }
    return optind;
}

/* Prints "prog: what: reason" and returns -1 when rc is an error. */
static int check(const char *prog, const char *what, const char *arg, int rc)
{
    if (rc == CLASP_OK)
        return 0;
    /* For name lists, the library's "invalid argument" means a name it does not know. */
    const char *reason = rc == CLASP_ERR_INVALID_ARG   ? "unknown or malformed name in the list"
                         : rc == CLASP_ERR_UNSUPPORTED ? "not supported by this build of clasp"
                                                       : clasp_strerror(rc);
    fprintf(stderr, "%s: %s %s: %s\n", prog, what, arg, reason);
    return -1;
}

/* --record-size-limit: a number the library takes (64..16384). */
static int record_size_limit(const char *prog, clasp_config *cfg, const char *arg)
{
    char *end;
    errno = 0;
    unsigned long n = strtoul(arg, &end, 10);
    int rc = errno || end == arg || *end || n > 65535
                 ? CLASP_ERR_INVALID_ARG
                 : clasp_config_set_record_size_limit(cfg, (unsigned)n);
    if (rc == CLASP_OK)
        return 0;
    fprintf(stderr, "%s: --record-size-limit %s: not a number from 64 to 16384\n", prog, arg);
    return -1;
}

/* The certificate and key of pair i, with both paths in any message. */
static int add_cert(const char *prog, clasp_config *cfg, const tool_tls *tls, size_t i)
{
    int rc = clasp_config_add_cert_chain_file(cfg, tls->cert[i], tls->key[i]);
    if (rc == CLASP_OK)
        return 0;
    fprintf(stderr, "%s: --cert %s --key %s: %s\n", prog, tls->cert[i], tls->key[i],
            clasp_strerror(rc));
    return -1;
}

int tool_configure(const char *prog, clasp_config *cfg, const tool_tls *tls, int default_ca)
{
    int bad = 0;
    if (tls->min_version)
        bad |= check(prog, "--versions", tls->versions,
                     clasp_config_set_versions(cfg, tls->min_version, tls->max_version));
    if (tls->suites)
        bad |=
            check(prog, "--suites", tls->suites, clasp_config_set_cipher_suites(cfg, tls->suites));
    if (tls->groups)
        bad |= check(prog, "--groups", tls->groups, clasp_config_set_groups(cfg, tls->groups));
    if (tls->alpn)
        bad |= check(prog, "--alpn", tls->alpn, clasp_config_set_alpn(cfg, tls->alpn));
    if (tls->allow_no_ems)
        bad |= check(prog, "--allow-no-ems", "", clasp_config_set_extended_master_secret(cfg, 0));
    if (tls->record_size_limit)
        bad |= record_size_limit(prog, cfg, tls->record_size_limit);
    if (tls->ca)
        bad |= check(prog, "--ca", tls->ca, clasp_config_load_verify_file(cfg, tls->ca));
    else if (default_ca)
        bad |= check(prog, "loading", "the system's trust store",
                     clasp_config_load_verify_default(cfg));
    for (size_t i = 0; i < tls->n_cert; i++)
        bad |= add_cert(prog, cfg, tls, i);
    bad |= tool_keylog_setup(prog, cfg);
    return bad ? -1 : 0;
}

/* ---- names ---- */

const char *tool_code(const char *name, unsigned code, char *buf, size_t cap)
{
    if (code == 0)
        return "none";
    if (name)
        return name;
    snprintf(buf, cap, "0x%04x", code);
    return buf;
}

const char *tool_version(uint16_t v, char *buf, size_t cap)
{
    return tool_code(clasp_version_name(v), v, buf, cap);
}

const char *tool_suite(uint16_t s, char *buf, size_t cap)
{
    return tool_code(clasp_cipher_suite_name(s), s, buf, cap);
}

int tool_suite_is_cbc(uint16_t s)
{
    const char *name = clasp_cipher_suite_name(s);
    return name && strstr(name, "_CBC_") != NULL;
}

const char *tool_group(uint16_t g, char *buf, size_t cap)
{
    return tool_code(clasp_group_name(g), g, buf, cap);
}

const char *tool_scheme(uint16_t s, char *buf, size_t cap)
{
    return tool_code(clasp_signature_scheme_name(s), s, buf, cap);
}

const char *tool_alert(int alert, char *buf, size_t cap)
{
    if (alert < 0)
        return "none";
    const char *name = clasp_alert_name(alert);
    if (name)
        return name;
    snprintf(buf, cap, "alert %d", alert);
    return buf;
}

/* ---- log values ---- */

static int plain_char(unsigned char ch)
{
    return ch > ' ' && ch < 0x7f && ch != '"' && ch != '\\' && ch != '=';
}

void tool_quote(const char *s, char *out, size_t cap)
{
    size_t n = strlen(s), i, o = 0;
    for (i = 0; i < n && plain_char((unsigned char)s[i]); i++)
        ;
    if (n > 0 && i == n) {
        snprintf(out, cap, "%s", s);
        return;
    }
    if (cap < 3) {
        out[0] = '\0';
        return;
    }
    out[o++] = '"';
    for (i = 0; i < n; i++) {
        unsigned char ch = (unsigned char)s[i];
        char esc[5];
        if (ch == '"' || ch == '\\')
            snprintf(esc, sizeof(esc), "\\%c", ch);
        else if (ch < ' ' || ch >= 0x7f)
            snprintf(esc, sizeof(esc), "\\x%02x", ch);
        else
            snprintf(esc, sizeof(esc), "%c", ch);
        size_t len = strlen(esc);
        if (o + len + 2 > cap)
            break; /* room for the closing quote and the terminator */
        memcpy(out + o, esc, len);
        o += len;
    }
    out[o++] = '"';
    out[o] = '\0';
}

/* ---- addresses, time, descriptors ---- */

void tool_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t cap)
{
    char host[INET6_ADDRSTRLEN + 16], port[16]; /* numeric only; + room for a scope id */
    if (getnameinfo(sa, len, host, sizeof(host), port, sizeof(port),
                    NI_NUMERICHOST | NI_NUMERICSERV) != 0) {
        snprintf(out, cap, "?");
        return;
    }
    if (sa->sa_family == AF_INET6)
        snprintf(out, cap, "[%s]:%s", host, port);
    else
        snprintf(out, cap, "%s:%s", host, port);
}

int64_t tool_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

int tool_nonblocking(int fd)
{
    int fl = fcntl(fd, F_GETFL);
    if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
        return -1;
    return fcntl(fd, F_SETFD, FD_CLOEXEC) < 0 ? -1 : 0;
}
