/*
 * clasp-client: connects to a TLS server, shows what was negotiated, sends a request and
 * prints the answer. The output is stable (scripts read it): see ABOUT, which --help prints.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <clasp/clasp.h>

#include "common.h"

#define PROG "clasp-client"
/* A server that has not finished the handshake by then is not going to. */
#define HANDSHAKE_TIMEOUT_MS 30000
#define CHUNK                16384
/* Returned for failures that were printed where they happened. */
#define REPORTED 1

enum {
    OPT_SERVERNAME = OPT_TOOL,
    OPT_REQUEST,
    OPT_KEY_UPDATE,
    OPT_QUIET,
    OPT_RECONNECT,
    OPT_SESS_IN,
    OPT_SESS_OUT,
};

static const tool_opt client_opts[] = {
    {"servername", required_argument, OPT_SERVERNAME, "NAME",
     "name to send (SNI) and verify (default: HOST)"},
    {"request", required_argument, OPT_REQUEST, "STRING",
     "what to send (\\r \\n \\t \\\\ \\xNN understood); - for stdin"},
    {"key-update", no_argument, OPT_KEY_UPDATE, NULL,
     "send a KeyUpdate (asking the server for one) before the request"},
    {"quiet", no_argument, OPT_QUIET, NULL, "print only the answer and errors"},
    {"reconnect", required_argument, OPT_RECONNECT, "N",
     "then connect N more times, each offering the previous session (or ticket)"},
    {"sess-in", required_argument, OPT_SESS_IN, "FILE", "offer the session saved in FILE"},
    {"sess-out", required_argument, OPT_SESS_OUT, "FILE", "save the last session into FILE"},
};

static const char ABOUT[] =
    "Connects to HOST:PORT (a name, an IPv4 address, or [IPv6]:PORT), verifies the server\n"
    "against --ca (else the system's trust store) and NAME, sends the request (default:\n"
    "\"GET / HTTP/1.1\\r\\nHost: NAME\\r\\nConnection: close\\r\\n\\r\\n\") and copies the\n"
    "answer to stdout until the server closes. With --request -, stdin is sent as it\n"
    "comes and close_notify follows its end. There is no way to skip verification.\n"
    "\n"
    "stderr, after the handshake (not with --quiet), one \"key: value\" per line:\n"
    "  connected: ADDRESS:PORT\n"
    "  version: TLS 1.3                      (or TLS 1.2)\n"
    "  cipher_suite: TLS_AES_128_GCM_SHA256\n"
    "  group: x25519                         (none without a key exchange)\n"
    "  signature_scheme: ecdsa_secp256r1_sha256\n"
    "  alpn: h2                              (none when not negotiated)\n"
    "  encrypt_then_mac: yes                 (TLS 1.2 CBC suites only; no: MAC-then-encrypt)\n"
    "  peer_cert[I]: subject=... issuer=... key=... valid=FROM..TO\n"
    "  key_update: sent, server asked to update (with --key-update)\n"
    "\n"
    "With --reconnect N, N more connections follow the first, one after the other, each\n"
    "sending the same request and offering the session of the one before it: TLS 1.2 by\n"
    "session ID or RFC 5077 ticket, TLS 1.3 by the newest ticket the server sent (tickets\n"
    "come after the handshake, so each connection reads the answer to its end first; a\n"
    "TLS 1.3 ticket is offered once). After each handshake, one more line on stderr (I\n"
    "from 1; the lines above are printed for the first connection only):\n"
    "  connection I: new                     (or: connection I: resumed)\n"
    "The answers follow one another on stdout. The first failure ends the run.\n"
    "--sess-in FILE offers the session saved in FILE (by --sess-out) on the first\n"
    "connection: another process, or another server of a fleet, may resume it. --sess-out\n"
    "FILE saves the last connection's session (clasp_session_export; mode 0600: it holds\n"
    "the session's secret), or says \"clasp-client: no session to save\". A TLS 1.3 ticket\n"
    "read from a file is offered whether or not it was offered before. With --sess-in,\n"
    "the \"connection I: new|resumed\" lines are printed as with --reconnect.\n"
    "\n"
    "Failures, one line on stderr:\n"
    "  clasp-client: handshake failed: DETAIL (alert sent: NAME / received: NAME)\n"
    "  clasp-client: connection failed: DETAIL (alert sent: NAME / received: NAME)\n"
    "  clasp-client: connection truncated: the server closed without close_notify\n"
    "  clasp-client: cannot connect to HOST:PORT: REASON (and other setup failures)\n"
    "NAME is an RFC 8446 alert name, or none.\n"
    "\n"
    "--trace narrates each handshake on stderr as it happens, as numbered steps (messages\n"
    "with their contents, checks, derived keys by name, application data, alerts; -> is\n"
    "the client speaking, <- the server); --trace=json writes one JSON object per event\n"
    "per line instead, with \"connection\": I (docs/trace.md). SSLKEYLOGFILE=FILE appends\n"
    "the secrets to FILE in the NSS key log format, for Wireshark: FILE decrypts the\n"
    "traffic, so a warning says so.\n"
    "\n" TOOL_ABOUT_NO_EMS "\n"
    "Exit status: 0 the server closed with close_notify (every time, with --reconnect); 1 a\n"
    "failure; 2 a bad command line.\n";

typedef struct client_args {
    const char *servername;
    const char *request;
    int key_update, quiet;
    long reconnect; /* -1: not given */
    const char *sess_in, *sess_out;
} client_args;

/* A count for --reconnect: 0 to 1000. */
static int parse_count(const char *arg, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (errno || end == arg || *end || n < 0 || n > 1000) {
        fprintf(stderr, PROG ": --reconnect: '%s' is not a count (0 to 1000)\n", arg);
        return -1;
    }
    *out = n;
    return 0;
}

static int on_opt(void *ctx, int id, const char *arg)
{
    client_args *a = ctx;
    switch (id) {
    case OPT_SERVERNAME: a->servername = arg; return 0;
    case OPT_REQUEST: a->request = arg; return 0;
    case OPT_KEY_UPDATE: a->key_update = 1; return 0;
    case OPT_QUIET: a->quiet = 1; return 0;
    case OPT_RECONNECT: return parse_count(arg, &a->reconnect);
    case OPT_SESS_IN: a->sess_in = arg; return 0;
    case OPT_SESS_OUT: a->sess_out = arg; return 0;
    default: return -1;
    }
}

/* "host:port" or "[v6]:port" into its parts. */
static int split_target(const char *t, char *host, size_t hcap, char *port, size_t pcap)
{
    const char *colon;
    size_t hlen;
    if (t[0] == '[') {
        const char *end = strchr(t, ']');
        if (!end || end[1] != ':')
            return -1;
        hlen = (size_t)(end - t - 1);
        t++;
        colon = end + 1;
    } else {
        colon = strrchr(t, ':');
        if (!colon || memchr(t, ':', (size_t)(colon - t)))
            return -1; /* no port, or an IPv6 address without brackets */
        hlen = (size_t)(colon - t);
    }
    if (hlen == 0 || hlen >= hcap || strlen(colon + 1) == 0 || strlen(colon + 1) >= pcap)
        return -1;
    memcpy(host, t, hlen);
    host[hlen] = '\0';
    strcpy(port, colon + 1);
    return 0;
}

/* A connected TCP socket to the first address of host that answers, or -1 (printed). */
static int connect_to(const char *host, const char *port, char *addr, size_t cap)
{
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_NUMERICSERV}, *res;
    int rc = getaddrinfo(host, port, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, PROG ": cannot resolve %s port %s: %s\n", host, port, gai_strerror(rc));
        return -1;
    }
    int fd = -1, err = 0;
    for (struct addrinfo *ai = res; ai && fd < 0; ai = ai->ai_next) {
        fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol);
        if (fd >= 0 && connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
            tool_addr(ai->ai_addr, ai->ai_addrlen, addr, cap);
            break;
        }
        err = errno;
        if (fd >= 0)
            close(fd);
        fd = -1;
    }
    freeaddrinfo(res);
    if (fd < 0) {
        fprintf(stderr, PROG ": cannot connect to %s port %s: %s\n", host, port, strerror(err));
        return -1;
    }
    int one = 1; /* records leave when written: no waiting on Nagle for the next one */
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
    if (tool_nonblocking(fd) != 0) {
        fprintf(stderr, PROG ": cannot set the socket non-blocking: %s\n", strerror(errno));
        close(fd);
        return -1;
    }
    return fd;
}

static int hexval(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* The --request string with its escapes decoded into out (as long as s); its length, or -1. */
static long unescape(const char *s, uint8_t *out)
{
    size_t o = 0;
    for (; *s; s++) {
        if (*s != '\\') {
            out[o++] = (uint8_t)*s;
            continue;
        }
        s++;
        switch (*s) {
        case 'r': out[o++] = '\r'; break;
        case 'n': out[o++] = '\n'; break;
        case 't': out[o++] = '\t'; break;
        case '\\': out[o++] = '\\'; break;
        case 'x':
            if (hexval(s[1]) < 0 || hexval(s[2]) < 0)
                return -1;
            out[o++] = (uint8_t)(hexval(s[1]) << 4 | hexval(s[2]));
            s += 2;
            break;
        default: return -1;
        }
    }
    return (long)o;
}

/* "clasp-client: WHAT: DETAIL (alert sent: X / received: Y)". */
static void report(const char *what, const clasp_conn *c, int rc)
{
    char a[24], b[24];
    const char *detail = clasp_conn_error(c) ? clasp_conn_error_detail(c) : clasp_strerror(rc);
    fprintf(stderr, PROG ": %s: %s (alert sent: %s / received: %s)\n", what, detail,
            tool_alert(clasp_conn_alert_sent(c), a, sizeof(a)),
            tool_alert(clasp_conn_alert_received(c), b, sizeof(b)));
}

/* Runs the handshake on the non-blocking socket; 0, an error, or 1 on timeout. */
static int handshake(clasp_conn *c, int fd)
{
    int64_t deadline = tool_now_ms() + HANDSHAKE_TIMEOUT_MS;
    for (;;) {
        int rc = clasp_handshake(c);
        if (rc != CLASP_WANT_READ && rc != CLASP_WANT_WRITE)
            return rc;
        int64_t left = deadline - tool_now_ms();
        if (left <= 0)
            return 1;
        struct pollfd p = {.fd = fd, .events = rc == CLASP_WANT_READ ? POLLIN : POLLOUT};
        if (poll(&p, 1, (int)left) < 0 && errno != EINTR)
            return CLASP_ERR_IO;
    }
}

static void print_negotiated(const clasp_conn *c, const char *addr)
{
    char b[32];
    const char *alpn = clasp_conn_alpn(c);
    fprintf(stderr, "connected: %s\n", addr);
    fprintf(stderr, "version: %s\n", tool_version(clasp_conn_version(c), b, sizeof(b)));
    fprintf(stderr, "cipher_suite: %s\n", tool_suite(clasp_conn_cipher_suite(c), b, sizeof(b)));
    fprintf(stderr, "group: %s\n", tool_group(clasp_conn_group(c), b, sizeof(b)));
    fprintf(stderr, "signature_scheme: %s\n",
            tool_scheme(clasp_conn_peer_signature_scheme(c), b, sizeof(b)));
    fprintf(stderr, "alpn: %s\n", alpn ? alpn : "none");
    if (tool_suite_is_cbc(clasp_conn_cipher_suite(c)))
        fprintf(stderr, "encrypt_then_mac: %s\n", clasp_conn_encrypt_then_mac(c) ? "yes" : "no");
    for (size_t i = 0; i < clasp_conn_peer_cert_count(c); i++) {
        char line[512];
        if (clasp_conn_peer_cert_summary(c, i, line, sizeof(line)) != 0)
            snprintf(line, sizeof(line), "(cannot be described)");
        fprintf(stderr, "peer_cert[%zu]: %s\n", i, line);
    }
}

/* What the client sends after the handshake, and what it has sent of it. */
typedef struct outgoing {
    uint8_t *owned; /* the decoded --request or the default, freed at the end */
    const uint8_t *p;
    size_t len, off;
    int from_stdin, stdin_eof, close_sent;
    uint8_t chunk[CHUNK];
} outgoing;

/* Sends what is pending; after stdin's end, close_notify. 0, CLASP_WANT_WRITE or an error. */
static int pump_out(clasp_conn *c, outgoing *o)
{
    if (o->off < o->len) {
        size_t n;
        int rc = clasp_write(c, o->p + o->off, o->len - o->off, &n);
        o->off += n;
        if (rc)
            return rc;
    }
    if (o->from_stdin && o->stdin_eof && o->off == o->len && !o->close_sent) {
        o->close_sent = 1;
        return clasp_close(c);
    }
    return clasp_flush(c);
}

/*
 * Copies what arrived to stdout until the socket has nothing more. Returns 0 (more may
 * come), CLASP_WANT_WRITE (the reply to a KeyUpdate waits for room), CLASP_ERR_CLOSED,
 * REPORTED (stdout failed), or the connection's error.
 */
static int pump_in(clasp_conn *c)
{
    uint8_t buf[CHUNK];
    for (;;) {
        size_t n;
        int rc = clasp_read(c, buf, sizeof(buf), &n);
        if (rc == CLASP_OK && fwrite(buf, 1, n, stdout) == n)
            continue;
        if (fflush(stdout) != 0 || rc == CLASP_OK) {
            fprintf(stderr, PROG ": writing to stdout: %s\n", strerror(errno));
            return REPORTED;
        }
        return rc == CLASP_WANT_READ ? 0 : rc;
    }
}

/* Reads the next piece of stdin into o when o has sent everything; -1 on a read error. */
static int read_stdin(outgoing *o)
{
    ssize_t n = read(STDIN_FILENO, o->chunk, sizeof(o->chunk));
    if (n < 0 && (errno == EINTR || errno == EAGAIN))
        return 0;
    if (n < 0) {
        fprintf(stderr, PROG ": reading stdin: %s\n", strerror(errno));
        return -1;
    }
    if (n == 0)
        o->stdin_eof = 1;
    o->p = o->chunk;
    o->len = (size_t)n;
    o->off = 0;
    return 0;
}

/* After the handshake: sends the request and copies the answer until the server closes. */
static int exchange(clasp_conn *c, int fd, outgoing *o)
{
    for (;;) {
        /* Reading first: a server that answered and closed is done, whatever we still send. */
        int rc = pump_in(c);
        if (rc == CLASP_ERR_CLOSED)
            return 0;
        int want_write = rc == CLASP_WANT_WRITE;
        if (rc && !want_write)
            return rc;
        rc = pump_out(c, o);
        want_write |= rc == CLASP_WANT_WRITE;
        if (rc && rc != CLASP_WANT_WRITE)
            return rc;
        int want_stdin = o->from_stdin && !o->stdin_eof && o->off == o->len;
        struct pollfd p[2] = {{.fd = fd, .events = POLLIN | (want_write ? POLLOUT : 0)},
                              {.fd = STDIN_FILENO, .events = POLLIN}};
        if (poll(p, want_stdin ? 2 : 1, -1) < 0 && errno != EINTR) {
            fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
            return REPORTED;
        }
        if (want_stdin && p[1].revents && read_stdin(o) != 0)
            return REPORTED;
    }
}

/* The request to send: --request decoded, stdin, or the default GET. */
static int make_request(const char *request, const char *name, outgoing *o)
{
    if (request && strcmp(request, "-") == 0) {
        o->from_stdin = 1;
        return 0;
    }
    size_t cap = (request ? strlen(request) : strlen(name) + 64) + 1;
    o->owned = malloc(cap);
    if (!o->owned) {
        fprintf(stderr, PROG ": out of memory\n");
        return -1;
    }
    if (request) {
        long n = unescape(request, o->owned);
        if (n < 0) {
            fprintf(stderr, PROG ": --request: bad escape (known: \\r \\n \\t \\\\ \\xNN)\n");
            return -1;
        }
        o->len = (size_t)n;
    } else {
        int v6 = strchr(name, ':') != NULL; /* an IPv6 literal is bracketed in Host */
        int n = snprintf((char *)o->owned, cap,
                         "GET / HTTP/1.1\r\nHost: %s%s%s\r\n"
                         "Connection: close\r\n\r\n",
                         v6 ? "[" : "", name, v6 ? "]" : "");
        o->len = n > 0 && (size_t)n < cap ? (size_t)n : 0;
    }
    o->p = o->owned;
    return 0;
}

/* The narration of the connection being made (--trace): one at a time. */
static tool_trace_out trace_out;
static tool_trace trace;

/* The client configuration; NULL after printing why not. */
static clasp_config *make_config(const tool_tls *tls)
{
    clasp_config *cfg = clasp_config_new(CLASP_CLIENT);
    if (!cfg) {
        fprintf(stderr, PROG ": out of memory\n");
        return NULL;
    }
    if (tls->trace)
        clasp_config_set_trace(cfg, tool_trace_cb, &trace);
    if (tool_configure(PROG, cfg, tls, 1) != 0) {
        clasp_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/*
 * Replaces *s with c's session (NULL when there is none). TLS 1.3 tickets arrive after the
 * handshake, before the server's answer, so a connection that read its answer has them.
 */
static void session_take(clasp_conn *c, clasp_session **s)
{
    clasp_session_free(*s);
    *s = clasp_conn_get_session(c);
}

/* --sess-in: the session in path, into *s. 0, or -1 (printed). */
static int session_load(const char *path, clasp_session **s)
{
    static uint8_t buf[65536];
    FILE *f = fopen(path, "rb");
    size_t n = f ? fread(buf, 1, sizeof(buf), f) : 0;
    int rc = !f || ferror(f) ? CLASP_ERR_FILE : clasp_session_import(buf, n, s);
    if (f)
        fclose(f);
    memset(buf, 0, n);
    if (rc)
        fprintf(stderr, PROG ": --sess-in %s: %s\n", path,
                rc == CLASP_ERR_FILE ? strerror(errno) : clasp_strerror(rc));
    return rc ? -1 : 0;
}

/* --sess-out: s into path, readable by its owner alone. 0, or -1 (printed). */
static int session_save(const char *path, const clasp_session *s)
{
    static uint8_t buf[65536];
    size_t n = 0;
    if (!s) {
        fprintf(stderr, PROG ": no session to save\n");
        return -1;
    }
    int rc = clasp_session_export(s, buf, sizeof(buf), &n), fd = -1, ok = rc == 0;
    if (ok)
        ok = (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) >= 0 &&
             write(fd, buf, n) == (ssize_t)n;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    memset(buf, 0, n < sizeof(buf) ? n : sizeof(buf));
    if (!ok)
        fprintf(stderr, PROG ": --sess-out %s: %s\n", path,
                rc ? clasp_strerror(rc) : strerror(errno));
    return ok ? 0 : -1;
}

/* A connection for the server name, offering the saved session if any; NULL (printed). */
static clasp_conn *make_conn(clasp_config *cfg, const char *name, clasp_session *s)
{
    clasp_conn *c = clasp_conn_new(cfg);
    if (!c) {
        fprintf(stderr, PROG ": out of memory\n");
        return NULL;
    }
    int rc = clasp_conn_set_server_name(c, name);
    if (rc) {
        fprintf(stderr, PROG ": server name '%s': %s\n", name, clasp_strerror(rc));
        clasp_conn_free(c);
        return NULL;
    }
    if (s && (rc = clasp_conn_set_session(c, s)) != 0) {
        fprintf(stderr, PROG ": offering the session: %s\n", clasp_strerror(rc));
        clasp_conn_free(c);
        return NULL;
    }
    return c;
}

/* Handshake, parameters, KeyUpdate, exchange for connection number `index` (from 1). */
static int talk(const client_args *a, clasp_conn *c, int fd, const char *addr, outgoing *o,
                long index)
{
    int rc = handshake(c, fd);
    if (rc == 1) {
        fprintf(stderr, PROG ": handshake failed: no answer within %d s\n",
                HANDSHAKE_TIMEOUT_MS / 1000);
        return TOOL_EXIT_FAIL;
    }
    if (rc) {
        report("handshake failed", c, rc);
        return TOOL_EXIT_FAIL;
    }
    if (!a->quiet && (a->reconnect >= 0 || a->sess_in))
        fprintf(stderr, "connection %ld: %s\n", index, clasp_conn_resumed(c) ? "resumed" : "new");
    if (!a->quiet && index == 1)
        print_negotiated(c, addr);
    if (a->key_update) {
        rc = clasp_conn_key_update(c, 1); /* sent with the request, ahead of it */
        if (rc) {
            report("key update failed", c, rc);
            return TOOL_EXIT_FAIL;
        }
        if (!a->quiet && index == 1)
            fprintf(stderr, "key_update: sent, server asked to update\n");
    }
    rc = exchange(c, fd, o);
    if (rc == 0) {
        clasp_close(c); /* our close_notify in answer; the server may be gone already */
        return TOOL_EXIT_OK;
    }
    if (rc == CLASP_ERR_TRUNCATED)
        fprintf(stderr, PROG ": connection truncated: the server closed without close_notify\n");
    else if (rc != REPORTED)
        report("connection failed", c, rc);
    return TOOL_EXIT_FAIL;
}

/* One connection (number index): connect, talk, keep the session for the next. */
static int one_connection(const client_args *a, clasp_config *cfg, const char *host,
                          const char *port, const char *name, outgoing *o, long index,
                          clasp_session **sess)
{
    int status = TOOL_EXIT_FAIL, fd = -1;
    tool_trace_init(&trace, &trace_out, TOOL_CLIENT);
    trace.connection = index;
    if (a->reconnect > 0) {
        char line[64];
        snprintf(line, sizeof(line), "connection %ld%s", index,
                 *sess ? ", offering the previous session:" : ":");
        tool_trace_prose(&trace, line);
    }
    clasp_conn *c = make_conn(cfg, name, *sess);
    char addr[96];
    o->off = 0; /* the same request again */
    o->close_sent = 0;
    if (c && (fd = connect_to(host, port, addr, sizeof(addr))) >= 0 &&
        clasp_conn_set_fd(c, fd) == 0)
        status = talk(a, c, fd, addr, o, index);
    long last = a->reconnect > 0 ? a->reconnect + 1 : 1;
    if (status == TOOL_EXIT_OK && (index <= a->reconnect || (index == last && a->sess_out)))
        session_take(c, sess);
    tool_trace_end(&trace);
    clasp_conn_free(c);
    if (fd >= 0)
        close(fd);
    return status;
}

int main(int argc, char **argv)
{
    client_args a = {.reconnect = -1};
    tool_tls tls;
    const tool_cli cli = {PROG,
                          "HOST:PORT [options]",
                          ABOUT,
                          client_opts,
                          sizeof(client_opts) / sizeof(client_opts[0]),
                          on_opt,
                          &a};
    int first = tool_parse(&cli, &tls, argc, argv);
    if (first < 0)
        return TOOL_EXIT_USAGE;
    char host[256], port[16];
    if (argc - first != 1 || split_target(argv[first], host, sizeof(host), port, sizeof(port))) {
        fprintf(stderr, PROG ": expected one HOST:PORT (an IPv6 address as [::1]:443)\n");
        tool_usage(&cli, stderr);
        return TOOL_EXIT_USAGE;
    }
    if (a.reconnect > 0 && a.request && strcmp(a.request, "-") == 0) {
        fprintf(stderr, PROG ": --reconnect: stdin (--request -) can be sent only once\n");
        tool_usage(&cli, stderr);
        return TOOL_EXIT_USAGE;
    }
    const char *name = a.servername ? a.servername : host;
    static outgoing o; /* a 16 KiB stdin buffer: not on the stack */
    if (make_request(a.request, name, &o) != 0) {
        free(o.owned);
        return TOOL_EXIT_USAGE;
    }
    if (tool_trace_open(PROG, &trace_out, tls.trace, tls.color, tls.trace_file, stderr) != 0) {
        free(o.owned);
        return TOOL_EXIT_USAGE;
    }
    int status = TOOL_EXIT_FAIL;
    clasp_config *cfg = make_config(&tls);
    clasp_session *sess = NULL;
    if (cfg && (!a.sess_in || session_load(a.sess_in, &sess) == 0)) {
        long last = a.reconnect > 0 ? a.reconnect + 1 : 1;
        for (long i = 1; i <= last; i++) {
            status = one_connection(&a, cfg, host, port, name, &o, i, &sess);
            if (status != TOOL_EXIT_OK)
                break;
        }
        if (status == TOOL_EXIT_OK && a.sess_out && session_save(a.sess_out, sess) != 0)
            status = TOOL_EXIT_FAIL;
    }
    clasp_session_free(sess);
    clasp_config_free(cfg);
    tool_keylog_close();
    tool_trace_close(&trace_out);
    free(o.owned);
    return status;
}
