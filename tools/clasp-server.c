/*
 * clasp-server: a TLS server for trying clasp against clients. One thread, one poll loop,
 * many connections, each a small state machine over the non-blocking socket layer
 * (clasp/io.h): handshake, then an HTTP answer naming what was negotiated (or an echo),
 * then close_notify. One log line per connection; the formats are in ABOUT (--help).
 */
#include <errno.h>
#include <getopt.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <clasp/clasp.h>

#include "common.h"
#include "fleet.h"

#define PROG          "clasp-server"
#define MAX_LISTENERS 8
#define MAX_SESSIONS  1000
#define SESSION_BUF   16384 /* the request head, the answer, or one echo chunk */
/* A client gets this long for its handshake and its request. */
#define HANDSHAKE_TIMEOUT_MS 30000
/* After our close_notify (or alert), how long the client's last bytes are waited for. */
#define LINGER_MS 2000
/* Steps a busy connection runs before the others get their turn. */
#define MAX_ROUNDS 8

enum {
    OPT_PORT = OPT_TOOL,
    OPT_VERIFY,
    OPT_ECHO,
    OPT_HOST,
    OPT_ONCE,
    OPT_SESSION_CACHE,
    OPT_TICKETS,
    OPT_TICKET_KEYS,
    OPT_STATEFUL_TICKETS,
    OPT_SESSION_CONTEXT,
    OPT_SNI,
    OPT_SNI_UNKNOWN,
    OPT_SESSION_STORE,
    OPT_KEYS_MEMCACHED,
    OPT_KEYS_GROUP,
    OPT_KEYS_ROTATE,
    OPT_KEYS_KEEP,
    OPT_KEYS_ANNOUNCE,
    OPT_ROTATE_KEY_FILE,
};

static const tool_opt server_opts[] = {
    {"port", required_argument, OPT_PORT, "P", "port to listen on (0: any free one)"},
    {"host", required_argument, OPT_HOST, "ADDR", "address to listen on (default 127.0.0.1)"},
    {"verify", required_argument, OPT_VERIFY, "MODE",
     "client certificates: none (default), optional, require"},
    {"echo", no_argument, OPT_ECHO, NULL, "echo received data instead of answering HTTP"},
    {"once", no_argument, OPT_ONCE, NULL, "exit after the first connection (status: its result)"},
    {"session-cache", required_argument, OPT_SESSION_CACHE, "N",
     "sessions kept for resumption (default 1024; 0: none)"},
    {"tickets", required_argument, OPT_TICKETS, "N",
     "TLS 1.3 tickets per handshake (default 2; 0: no tickets at all)"},
    {"ticket-keys", required_argument, OPT_TICKET_KEYS, "FILE",
     "ticket keys, read again when FILE changes (default: random)"},
    {"stateful-tickets", no_argument, OPT_STATEFUL_TICKETS, NULL,
     "tickets name cached sessions; each resumes once"},
    {"session-context", required_argument, OPT_SESSION_CONTEXT, "NAME",
     "resume sessions of servers with this NAME (default: this process's)"},
    {"session-store", required_argument, OPT_SESSION_STORE, "memcached:HOST:PORT[,...]",
     "sessions and stateful tickets in memcached, shared by a fleet"},
    {"ticket-keys-memcached", required_argument, OPT_KEYS_MEMCACHED, "HOST:PORT[,...]",
     "ticket keys shared with the group through memcached"},
    {"ticket-keys-group", required_argument, OPT_KEYS_GROUP, "NAME",
     "the group (default: the --session-context NAME, else clasp)"},
    {"ticket-keys-rotate", required_argument, OPT_KEYS_ROTATE, "SECONDS",
     "a new key every SECONDS (default 43200)"},
    {"ticket-keys-keep", required_argument, OPT_KEYS_KEEP, "N", "keys kept, 2 to 16 (default 3)"},
    {"ticket-keys-announce", required_argument, OPT_KEYS_ANNOUNCE, "SECONDS",
     "--rotate-ticket-keys: a new key seals SECONDS after it is written (default 300)"},
    {"rotate-ticket-keys", required_argument, OPT_ROTATE_KEY_FILE, "FILE",
     "rotate the key file FILE, then exit"},
    {"sni", required_argument, OPT_SNI, "NAME,CERT,KEY",
     "a client naming NAME (SNI) gets this certificate"},
    {"sni-unknown", required_argument, OPT_SNI_UNKNOWN, "WHAT",
     "other names: default (the --cert ones) or refuse"},
};

static const char ABOUT[] =
    "Listens on ADDR:P and serves any number of connections at once. --cert/--key may be\n"
    "given several times (e.g. ECDSA and RSA); each handshake uses the first that suits the\n"
    "client. --ca names the CAs for client certificates (needed by --verify).\n"
    "Resumption: after each TLS 1.3 handshake the server sends --tickets NewSessionTickets\n"
    "(RFC 8446 4.6.1), each the session sealed under the ticket keys; TLS 1.2 clients that\n"
    "ask get an RFC 5077 ticket, others a session ID kept in the cache (--session-cache),\n"
    "shared by all connections. With --stateful-tickets a ticket is only an ID into the\n"
    "cache and resumes once. --ticket-keys FILE reads the ticket keys from FILE, one per\n"
    "line: NAME (32 hex digits) SECRET (64 hex digits) NOT_BEFORE (seconds since the epoch);\n"
    "the newest key whose time has come seals, all of them open. FILE is read again when it\n"
    "changes (replace it atomically, by rename), with a line on stderr:\n"
    "  clasp-server: ticket keys read from FILE\n"
    "  clasp-server: ticket keys: FILE: WHY; the keys are unchanged\n"
    "Without it the keys are random and rotate every 12 hours. A server resumes only the\n"
    "sessions made under its own configuration: servers that share a key file (a fleet)\n"
    "give the same --session-context NAME (and the same --verify and --ca).\n"
    "Fleets (docs/api.md): --session-store memcached:HOST:PORT[,...] keeps sessions by ID\n"
    "and stateful tickets in memcached, where every server of the fleet finds them (a\n"
    "stateful ticket resumes once across all of them); --ticket-keys-memcached\n"
    "HOST:PORT[,...] shares the ticket keys of the group (--ticket-keys-group) through\n"
    "memcached, rotated every --ticket-keys-rotate seconds by whichever server comes first,\n"
    "--ticket-keys-keep kept. Both need a clasp-server built with libclasp-memcached; a\n"
    "memcached that is down costs full handshakes, nothing more. Give every server the same\n"
    "--session-context.\n"
    "--rotate-ticket-keys FILE rotates a key file shared by a fleet and exits (no --port or\n"
    "--cert needed): a key is added that seals --ticket-keys-announce seconds later (every\n"
    "server must have read the file by then), keys beyond --ticket-keys-keep are dropped, and\n"
    "the file is replaced by rename. With --ticket-keys-rotate SECONDS a key is added only\n"
    "when due, so cron may run it often. A missing FILE is made.\n"
    "--sni (up to 4 times) serves another certificate to clients that name NAME in their\n"
    "server_name extension (case does not matter); a name no --sni gives gets the --cert\n"
    "ones, or with --sni-unknown refuse, an unrecognized_name alert (a client that names\n"
    "nothing always gets the --cert ones). Each name's configuration has the same\n"
    "resumption settings and ticket keys, and its own sessions.\n"
    "Each connection reads an HTTP/1.x request head (up to \\r\\n\\r\\n) and answers\n"
    "\"HTTP/1.1 200 OK\" (text/plain, Content-Length, Connection: close) with the body\n"
    "  clasp-server: TLS connection established\n"
    "  version: TLS 1.3\n"
    "  cipher_suite: TLS_AES_128_GCM_SHA256\n"
    "  group: x25519                      (none: RSA key exchange, or resumed)\n"
    "  alpn: none\n"
    "  client_cert: none                  (or subject=... issuer=... key=... valid=...)\n"
    "  resumed: no                        (yes: a session was resumed, TLS 1.2 or 1.3)\n"
    "then sends close_notify. With --echo, it sends back every byte until the client's\n"
    "close_notify, then closes.\n"
    "\n"
    "stderr: once ready, one line per listening address:\n"
    "  listening on 127.0.0.1:P\n"
    "and one line per connection when it ends:\n"
    "  clasp-server: PEER version=V suite=S group=G alpn=A client_cert=C resumed=yes|no\n"
    "      etm=yes|no result=R alert_sent=X alert_received=Y       (all on one line)\n"
    "Values are \"none\" when absent, and double-quoted (with \\\" \\\\ \\xNN escapes) when\n"
    "not a plain word: version=\"TLS 1.3\". R is ok, or why the connection failed\n"
    "(clasp's error detail, or a timeout). X and Y are RFC 8446 alert names.\n"
    "\n"
    "--trace narrates each handshake on stderr as it happens, as numbered steps (-> is the\n"
    "client speaking, <- the server), after a line \"connection from PEER\"; while several\n"
    "connections run at once, each line starts with [PEER]. --trace=json writes one JSON\n"
    "object per event per line instead, with \"peer\" (docs/trace.md). SSLKEYLOGFILE=FILE\n"
    "appends the secrets to FILE in the NSS key log format (a warning says FILE decrypts\n"
    "the traffic).\n"
    "\n" TOOL_ABOUT_NO_EMS "\n"
    "SIGINT or SIGTERM stops the server (exit status 0). Exit status with --once: 0 when\n"
    "the connection succeeded, 1 when not; 1 when the server cannot start; 2 for a bad\n"
    "command line.\n";

#define MAX_SNI 4

typedef struct server_args {
    const char *port, *host;
    clasp_verify_mode verify;
    int echo, once, stateful_tickets;
    long session_cache; /* -1: the library's default */
    long tickets;       /* -1: the library's default */
    const char *ticket_keys, *session_context;
    struct {
        char *name, *cert, *key; /* one allocation, split at the commas (name owns it) */
    } sni[MAX_SNI];
    size_t n_sni;
    int sni_refuse; /* --sni-unknown refuse */
    tool_fleet_args fleet;
    const char *rotate_key_file; /* --rotate-ticket-keys: only that, then exit */
} server_args;

static const struct {
    const char *name;
    clasp_verify_mode mode;
} verify_modes[] = {
    {"none", CLASP_VERIFY_NONE},
    {"optional", CLASP_VERIFY_OPTIONAL},
    {"require", CLASP_VERIFY_REQUIRE},
};

static int parse_port(const char *arg)
{
    char *end;
    errno = 0;
    long p = strtol(arg, &end, 10);
    if (errno || end == arg || *end || p < 0 || p > 65535) {
        fprintf(stderr, PROG ": --port: '%s' is not a port number (0 to 65535)\n", arg);
        return -1;
    }
    return 0;
}

/* A number from 0 to max for option `opt`; -1 after printing why not. */
static int parse_number(const char *opt, const char *arg, long max, long *out)
{
    char *end;
    errno = 0;
    long n = strtol(arg, &end, 10);
    if (errno || end == arg || *end || n < 0 || n > max) {
        fprintf(stderr, PROG ": --%s: '%s' is not a number from 0 to %ld\n", opt, arg, max);
        return -1;
    }
    *out = n;
    return 0;
}

/* --sni NAME,CERT,KEY */
static int parse_sni(server_args *a, const char *arg)
{
    char *copy = a->n_sni < MAX_SNI ? strdup(arg) : NULL;
    char *cert = copy ? strchr(copy, ',') : NULL, *key = cert ? strchr(cert + 1, ',') : NULL;
    if (!key || cert == copy || key == cert + 1 || !key[1]) {
        fprintf(stderr, PROG ": --sni: '%s' is not NAME,CERT,KEY (at most %d of them)\n", arg,
                MAX_SNI);
        free(copy);
        return -1;
    }
    *cert++ = '\0';
    *key++ = '\0';
    a->sni[a->n_sni].name = copy;
    a->sni[a->n_sni].cert = cert;
    a->sni[a->n_sni++].key = key;
    return 0;
}

static int on_opt(void *ctx, int id, const char *arg)
{
    server_args *a = ctx;
    switch (id) {
    case OPT_PORT: a->port = arg; return parse_port(arg);
    case OPT_HOST: a->host = arg; return 0;
    case OPT_ECHO: a->echo = 1; return 0;
    case OPT_ONCE: a->once = 1; return 0;
    case OPT_SESSION_CACHE: return parse_number("session-cache", arg, 1000000, &a->session_cache);
    case OPT_TICKETS: return parse_number("tickets", arg, 10, &a->tickets);
    case OPT_TICKET_KEYS: a->ticket_keys = arg; return 0;
    case OPT_STATEFUL_TICKETS: a->stateful_tickets = 1; return 0;
    case OPT_SESSION_CONTEXT: a->session_context = arg; return 0;
    case OPT_SNI: return parse_sni(a, arg);
    case OPT_SESSION_STORE: a->fleet.session_store = arg; return 0;
    case OPT_KEYS_MEMCACHED: a->fleet.keys_memcached = arg; return 0;
    case OPT_KEYS_GROUP: a->fleet.keys_group = arg; return 0;
    case OPT_KEYS_ROTATE:
        return parse_number("ticket-keys-rotate", arg, 86400 * 30, &a->fleet.keys_rotate);
    case OPT_KEYS_KEEP: return parse_number("ticket-keys-keep", arg, 16, &a->fleet.keys_keep);
    case OPT_KEYS_ANNOUNCE:
        return parse_number("ticket-keys-announce", arg, 86400, &a->fleet.keys_announce);
    case OPT_ROTATE_KEY_FILE: a->rotate_key_file = arg; return 0;
    case OPT_SNI_UNKNOWN:
        if (strcmp(arg, "default") == 0 || strcmp(arg, "refuse") == 0) {
            a->sni_refuse = arg[0] == 'r';
            return 0;
        }
        fprintf(stderr, PROG ": --sni-unknown: '%s' is neither default nor refuse\n", arg);
        return -1;
    case OPT_VERIFY:
        for (size_t i = 0; i < sizeof(verify_modes) / sizeof(verify_modes[0]); i++)
            if (strcmp(arg, verify_modes[i].name) == 0) {
                a->verify = verify_modes[i].mode;
                return 0;
            }
        fprintf(stderr, PROG ": --verify: '%s' is none of none, optional, require\n", arg);
        return -1;
    default: return -1;
    }
}

/* ---- sessions ---- */

typedef enum phase {
    P_HANDSHAKE,
    P_REQUEST, /* reading the request head */
    P_RESPOND, /* writing the answer */
    P_ECHO,
    P_CLOSING, /* sending close_notify */
    P_LINGER,  /* waiting for the client's end, so closing does not reset the connection */
} phase;

typedef struct session {
    int fd;
    clasp_conn *conn;
    char peer[96];
    phase ph;
    short events;     /* what poll waits for */
    int ready;        /* run again without waiting: the engine may hold unread data */
    int64_t deadline; /* ms; 0: none */
    int failed;
    char why[128]; /* the failure when it is not the connection's error */
    size_t len, off;
    tool_trace trace; /* --trace: this connection's narration */
    uint8_t buf[SESSION_BUF];
} session;

/* --ticket-keys: the file, and what it was when last read (to see it change). */
typedef struct key_file {
    clasp_ticket_keys *keys;
    struct stat seen;
    int64_t checked_ms;
} key_file;

typedef struct server {
    const server_args *args;
    clasp_config *cfg;
    key_file tk;
    tool_fleet fleet;               /* --session-store, --ticket-keys-memcached */
    clasp_config *sni_cfg[MAX_SNI]; /* the configuration of each --sni name */
    tool_trace_out trace_out;
    int listeners[MAX_LISTENERS];
    size_t n_listeners;
    session *sessions[MAX_SESSIONS];
    size_t n_sessions;
    unsigned long accepted;
    int64_t accept_paused_until;
    int done, status; /* --once: the first connection ended, and how */
} server;

enum step { STEP_AGAIN, STEP_WAIT, STEP_YIELD, STEP_END };

/* The client's certificate summary, or "none". */
static const char *client_cert(const clasp_conn *c, char *buf, size_t cap)
{
    if (clasp_conn_peer_cert_count(c) == 0 || clasp_conn_peer_cert_summary(c, 0, buf, cap) != 0)
        return "none";
    return buf;
}

/* "clasp-server: PEER version=... alert_received=..." */
static void session_log(const session *s)
{
    const clasp_conn *c = s->conn;
    char b[5][40], cert[400], alpn_q[64], cert_q[600], res_q[600];
    const char *alpn = clasp_conn_alpn(c);
    const char *res = !s->failed ? "ok" : s->why[0] ? s->why : clasp_conn_error_detail(c);
    char ver_q[48];
    tool_quote(tool_version(clasp_conn_version(c), b[0], sizeof(b[0])), ver_q, sizeof(ver_q));
    tool_quote(alpn ? alpn : "none", alpn_q, sizeof(alpn_q));
    tool_quote(client_cert(c, cert, sizeof(cert)), cert_q, sizeof(cert_q));
    tool_quote(res, res_q, sizeof(res_q));
    fprintf(stderr,
            PROG ": %s version=%s suite=%s group=%s alpn=%s client_cert=%s resumed=%s etm=%s "
                 "result=%s alert_sent=%s alert_received=%s\n",
            s->peer, ver_q, tool_suite(clasp_conn_cipher_suite(c), b[1], sizeof(b[1])),
            tool_group(clasp_conn_group(c), b[2], sizeof(b[2])), alpn_q, cert_q,
            clasp_conn_resumed(c) ? "yes" : "no", clasp_conn_encrypt_then_mac(c) ? "yes" : "no",
            res_q, tool_alert(clasp_conn_alert_sent(c), b[3], sizeof(b[3])),
            tool_alert(clasp_conn_alert_received(c), b[4], sizeof(b[4])));
}

/* Starts the linger: what we sent leaves, our side closes, the client's end is awaited. */
static enum step start_linger(session *s)
{
    clasp_flush(s->conn); /* after a failure, whatever the alert left behind */
    shutdown(s->fd, SHUT_WR);
    s->ph = P_LINGER;
    s->deadline = tool_now_ms() + LINGER_MS;
    return STEP_AGAIN;
}

/* A CLASP_WANT_* to wait for, or a failure (the alert is already sent) to linger after. */
static enum step wait_or_fail(session *s, int rc)
{
    if (rc == CLASP_WANT_READ || rc == CLASP_WANT_WRITE) {
        s->events = rc == CLASP_WANT_READ ? POLLIN : POLLOUT;
        return STEP_WAIT;
    }
    s->failed = 1;
    if (clasp_conn_error(s->conn) == 0)
        snprintf(s->why, sizeof(s->why), "%s", clasp_strerror(rc));
    return start_linger(s);
}

static enum step step_handshake(session *s, const server_args *a)
{
    int rc = clasp_handshake(s->conn);
    if (rc)
        return wait_or_fail(s, rc);
    s->ph = a->echo ? P_ECHO : P_REQUEST;
    if (a->echo)
        s->deadline = 0; /* an echo session lasts as long as its client wants */
    return STEP_AGAIN;
}

/* The answer: an HTTP page naming what was negotiated. */
static void build_answer(session *s)
{
    const clasp_conn *c = s->conn;
    char body[1024], b[3][40], cert[400];
    const char *alpn = clasp_conn_alpn(c);
    snprintf(body, sizeof(body),
             "clasp-server: TLS connection established\nversion: %s\ncipher_suite: %s\n"
             "group: %s\nalpn: %s\nclient_cert: %s\nresumed: %s\n",
             tool_version(clasp_conn_version(c), b[0], sizeof(b[0])),
             tool_suite(clasp_conn_cipher_suite(c), b[1], sizeof(b[1])),
             tool_group(clasp_conn_group(c), b[2], sizeof(b[2])), alpn ? alpn : "none",
             client_cert(c, cert, sizeof(cert)), clasp_conn_resumed(c) ? "yes" : "no");
    int n = snprintf((char *)s->buf, sizeof(s->buf),
                     "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nContent-Length: %zu\r\n"
                     "Connection: close\r\n\r\n%s",
                     strlen(body), body);
    s->len = n > 0 ? (size_t)n : 0;
    s->off = 0;
}

static int has_head_end(const uint8_t *p, size_t len)
{
    for (size_t i = 0; i + 4 <= len; i++)
        if (memcmp(p + i, "\r\n\r\n", 4) == 0)
            return 1;
    return 0;
}

static enum step step_request(session *s)
{
    for (;;) {
        if (s->len == sizeof(s->buf)) {
            s->failed = 1;
            snprintf(s->why, sizeof(s->why), "request head over %d bytes", SESSION_BUF);
            s->ph = P_CLOSING;
            return STEP_AGAIN;
        }
        size_t n, from = s->len > 3 ? s->len - 3 : 0; /* the end may straddle two reads */
        int rc = clasp_read(s->conn, s->buf + s->len, sizeof(s->buf) - s->len, &n);
        if (rc == CLASP_ERR_CLOSED) { /* the client closed without asking: fine */
            s->ph = P_CLOSING;
            return STEP_AGAIN;
        }
        if (rc)
            return wait_or_fail(s, rc);
        s->len += n;
        if (has_head_end(s->buf + from, s->len - from)) {
            build_answer(s);
            s->ph = P_RESPOND;
            return STEP_AGAIN;
        }
    }
}

static enum step step_respond(session *s)
{
    size_t n;
    int rc = clasp_write(s->conn, s->buf + s->off, s->len - s->off, &n);
    s->off += n;
    if (rc)
        return wait_or_fail(s, rc);
    s->ph = P_CLOSING;
    return STEP_AGAIN;
}

/* Writes back what was read; reads only when all of it is out (that is the backpressure). */
static enum step step_echo(session *s)
{
    for (int round = 0; round < MAX_ROUNDS; round++) {
        if (s->off < s->len) {
            size_t n;
            int rc = clasp_write(s->conn, s->buf + s->off, s->len - s->off, &n);
            s->off += n;
            if (rc)
                return wait_or_fail(s, rc);
        }
        size_t n;
        int rc = clasp_read(s->conn, s->buf, sizeof(s->buf), &n);
        if (rc == CLASP_ERR_CLOSED) {
            s->ph = P_CLOSING;
            return STEP_AGAIN;
        }
        if (rc)
            return wait_or_fail(s, rc);
        s->len = n;
        s->off = 0;
    }
    return STEP_YIELD;
}

static enum step step_closing(session *s)
{
    int rc = clasp_close(s->conn);
    if (rc)
        return wait_or_fail(s, rc);
    return start_linger(s);
}

/*
 * Reads until the client's end (close_notify or end of file), discarding. Closing a socket
 * with unread data resets the connection, and a reset can destroy our last bytes (the end
 * of the answer, or an alert) before the client reads them.
 */
static enum step step_linger(session *s)
{
    for (int round = 0; round < MAX_ROUNDS; round++) {
        if (clasp_conn_error(s->conn) == 0) {
            size_t n;
            int rc = clasp_read(s->conn, s->buf, sizeof(s->buf), &n);
            if (rc == CLASP_WANT_READ) {
                s->events = POLLIN;
                return STEP_WAIT;
            }
            if (rc)
                return STEP_END;
            continue;
        }
        ssize_t n = recv(s->fd, s->buf, sizeof(s->buf), 0); /* failed: raw bytes */
        if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            s->events = POLLIN;
            return STEP_WAIT;
        }
        if (n == 0 || (n < 0 && errno != EINTR))
            return STEP_END;
    }
    return STEP_YIELD;
}

static enum step step(session *s, const server_args *a)
{
    switch (s->ph) {
    case P_HANDSHAKE: return step_handshake(s, a);
    case P_REQUEST: return step_request(s);
    case P_RESPOND: return step_respond(s);
    case P_ECHO: return step_echo(s);
    case P_CLOSING: return step_closing(s);
    case P_LINGER: return step_linger(s);
    }
    return STEP_END;
}

/* Logs, frees and forgets session i. */
static void session_end(server *srv, size_t i)
{
    session *s = srv->sessions[i];
    tool_trace_end(&s->trace);
    session_log(s);
    if (srv->args->once) {
        srv->done = 1;
        srv->status = s->failed ? TOOL_EXIT_FAIL : TOOL_EXIT_OK;
    }
    clasp_conn_free(s->conn);
    close(s->fd);
    free(s);
    srv->sessions[i] = srv->sessions[--srv->n_sessions];
}

/* Runs session i until it waits, yields or ends. */
static void session_run(server *srv, size_t i)
{
    session *s = srv->sessions[i];
    s->ready = 0;
    for (;;) {
        enum step r = step(s, srv->args);
        if (r == STEP_WAIT)
            return;
        if (r == STEP_YIELD) {
            s->ready = 1;
            return;
        }
        if (r == STEP_END) {
            session_end(srv, i);
            return;
        }
    }
}

/* Ends the sessions whose time is up. */
static void expire(server *srv, int64_t now)
{
    for (size_t i = srv->n_sessions; i-- > 0;) {
        session *s = srv->sessions[i];
        if (!s->deadline || now < s->deadline)
            continue;
        if (s->ph != P_LINGER) { /* a linger that runs out is a normal end */
            s->failed = 1;
            snprintf(s->why, sizeof(s->why), "timeout %s",
                     s->ph == P_HANDSHAKE ? "during the handshake" : "waiting for the request");
        }
        session_end(srv, i);
    }
}

static session *session_new(server *srv, int fd, const struct sockaddr *sa, socklen_t len)
{
    session *s = calloc(1, sizeof(*s));
    if (!s)
        return NULL;
    s->fd = fd;
    s->conn = clasp_conn_new(srv->cfg);
    if (!s->conn || clasp_conn_set_fd(s->conn, fd) != 0) {
        clasp_conn_free(s->conn);
        free(s);
        return NULL;
    }
    tool_addr(sa, len, s->peer, sizeof(s->peer));
    tool_trace_init(&s->trace, &srv->trace_out, TOOL_SERVER);
    snprintf(s->trace.peer, sizeof(s->trace.peer), "%s", s->peer);
    s->ph = P_HANDSHAKE;
    s->events = POLLIN;
    s->deadline = tool_now_ms() + HANDSHAKE_TIMEOUT_MS;
    return s;
}

/* Whether the listeners are polled: room for a session, not paused, --once not used up. */
static int accepting(const server *srv, int64_t now)
{
    if (srv->args->once && srv->accepted > 0)
        return 0;
    return srv->n_sessions < MAX_SESSIONS && now >= srv->accept_paused_until;
}

/* --trace: the line that opens a connection's narration. */
static void announce(const server *srv, session *s)
{
    char line[128];
    snprintf(line, sizeof(line), "connection from %s", s->peer);
    s->trace.prefix = srv->n_sessions > 1;
    tool_trace_heading(&s->trace, line);
}

/* Accepts every connection waiting on listener lfd. */
static void accept_all(server *srv, int lfd)
{
    while (accepting(srv, tool_now_ms())) {
        struct sockaddr_storage ss;
        socklen_t len = sizeof(ss);
        int fd = accept(lfd, (struct sockaddr *)&ss, &len);
        if (fd < 0 && (errno == EINTR || errno == ECONNABORTED))
            continue;
        if (fd < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
            return;
        if (fd < 0) { /* out of descriptors or memory: let some connections end first */
            fprintf(stderr, PROG ": accept: %s\n", strerror(errno));
            srv->accept_paused_until = tool_now_ms() + 100;
            return;
        }
        int one = 1;
        setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
        session *s =
            tool_nonblocking(fd) == 0 ? session_new(srv, fd, (struct sockaddr *)&ss, len) : NULL;
        if (!s) {
            fprintf(stderr, PROG ": cannot take a connection: out of memory\n");
            close(fd);
            continue;
        }
        srv->sessions[srv->n_sessions++] = s;
        srv->accepted++;
        announce(srv, s);
    }
}

/* ---- listening ---- */

static void set_port(struct sockaddr_storage *ss, uint16_t port)
{
    if (ss->ss_family == AF_INET)
        ((struct sockaddr_in *)ss)->sin_port = htons(port);
    else if (ss->ss_family == AF_INET6)
        ((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
}

static uint16_t get_port(const struct sockaddr_storage *ss)
{
    if (ss->ss_family == AF_INET)
        return ntohs(((const struct sockaddr_in *)ss)->sin_port);
    return ntohs(((const struct sockaddr_in6 *)ss)->sin6_port);
}

/*
 * A listening socket on one address; -1 after printing why. *port is the port to use (0:
 * any) and becomes the one bound, so every address of a name shares the port.
 */
static int listen_on(const struct addrinfo *ai, uint16_t *port)
{
    struct sockaddr_storage ss;
    socklen_t len = (socklen_t)ai->ai_addrlen;
    memcpy(&ss, ai->ai_addr, ai->ai_addrlen);
    set_port(&ss, *port);
    char addr[96];
    tool_addr((struct sockaddr *)&ss, len, addr, sizeof(addr));
    int fd = socket(ai->ai_family, ai->ai_socktype, ai->ai_protocol), one = 1;
    if (fd >= 0) {
        setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
        if (ai->ai_family == AF_INET6) /* :: and 0.0.0.0 side by side on the same port */
            setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one));
    }
    if (fd < 0 || bind(fd, (struct sockaddr *)&ss, len) != 0 || listen(fd, 128) != 0 ||
        tool_nonblocking(fd) != 0 || getsockname(fd, (struct sockaddr *)&ss, &len) != 0) {
        fprintf(stderr, PROG ": cannot listen on %s: %s\n", addr, strerror(errno));
        if (fd >= 0)
            close(fd);
        return -1;
    }
    tool_addr((struct sockaddr *)&ss, len, addr, sizeof(addr));
    *port = get_port(&ss);
    fprintf(stderr, "listening on %s\n", addr);
    return fd;
}

static int open_listeners(server *srv)
{
    const char *host = srv->args->host ? srv->args->host : "127.0.0.1";
    struct addrinfo hints = {.ai_socktype = SOCK_STREAM, .ai_flags = AI_PASSIVE}, *res;
    int rc = getaddrinfo(host, NULL, &hints, &res);
    if (rc != 0) {
        fprintf(stderr, PROG ": --host %s: %s\n", host, gai_strerror(rc));
        return -1;
    }
    uint16_t port = (uint16_t)atoi(srv->args->port);
    for (const struct addrinfo *ai = res; ai && srv->n_listeners < MAX_LISTENERS;
         ai = ai->ai_next) {
        if (ai->ai_family != AF_INET && ai->ai_family != AF_INET6)
            continue;
        int fd = listen_on(ai, &port);
        if (fd >= 0)
            srv->listeners[srv->n_listeners++] = fd;
    }
    freeaddrinfo(res);
    return srv->n_listeners ? 0 : -1;
}

/* ---- signals: a self-pipe wakes poll, so a signal is never missed between checks ---- */

static volatile sig_atomic_t stop_signal;
static int signal_pipe[2] = {-1, -1};

static void on_signal(int sig)
{
    int saved = errno;
    stop_signal = sig;
    ssize_t r = write(signal_pipe[1], "", 1); /* full pipe: a wake-up is pending anyway */
    (void)r;
    errno = saved;
}

static int catch_signals(void)
{
    struct sigaction sa = {.sa_handler = on_signal}, ign = {.sa_handler = SIG_IGN};
    sigemptyset(&sa.sa_mask);
    sigemptyset(&ign.sa_mask);
    if (pipe(signal_pipe) != 0 || tool_nonblocking(signal_pipe[0]) != 0 ||
        tool_nonblocking(signal_pipe[1]) != 0 || sigaction(SIGINT, &sa, NULL) != 0 ||
        sigaction(SIGTERM, &sa, NULL) != 0 || sigaction(SIGPIPE, &ign, NULL) != 0) {
        fprintf(stderr, PROG ": cannot set up signals: %s\n", strerror(errno));
        return -1;
    }
    return 0;
}

/* ---- ticket keys from a file (--ticket-keys) ---- */

/* The file is looked at once a second; a replaced or rewritten file is read again. */
#define KEY_FILE_CHECK_MS 1000

static int same_file(const struct stat *a, const struct stat *b)
{
    return a->st_dev == b->st_dev && a->st_ino == b->st_ino && a->st_size == b->st_size &&
           a->st_mtim.tv_sec == b->st_mtim.tv_sec && a->st_mtim.tv_nsec == b->st_mtim.tv_nsec;
}

/*
 * Reads the key file if it changed since it was last read. A file that does not read leaves
 * the keys as they were (the library replaces them all or none). 0, or -1 (printed).
 */
static int reload_keys(server *srv, int64_t now)
{
    const char *path = srv->args->ticket_keys;
    key_file *k = &srv->tk;
    struct stat st;
    k->checked_ms = now;
    if (stat(path, &st) != 0) {
        fprintf(stderr, PROG ": ticket keys: %s: %s\n", path, strerror(errno));
        return -1;
    }
    if (k->seen.st_ino && same_file(&st, &k->seen))
        return 0;
    k->seen = st;
    int rc = clasp_ticket_keys_load_file(k->keys, path);
    if (rc)
        fprintf(stderr, PROG ": ticket keys: %s: %s; the keys are unchanged\n", path,
                rc == CLASP_ERR_INVALID_ARG ? "not a key file (NAME SECRET NOT_BEFORE a line)"
                                            : clasp_strerror(rc));
    else
        fprintf(stderr, PROG ": ticket keys read from %s\n", path);
    return rc ? -1 : 0;
}

/* ---- the loop ---- */

/* 0 when a session is ready to run, else until the next deadline (-1: none). */
static int poll_timeout(const server *srv, int64_t now)
{
    int64_t next = srv->accept_paused_until > now ? srv->accept_paused_until : -1;
    int64_t look = srv->tk.checked_ms + KEY_FILE_CHECK_MS; /* the key file's next look */
    if (srv->args->ticket_keys && (next < 0 || look < next))
        next = look;
    for (size_t i = 0; i < srv->n_sessions; i++) {
        const session *s = srv->sessions[i];
        if (s->ready)
            return 0;
        if (s->deadline && (next < 0 || s->deadline < next))
            next = s->deadline;
    }
    if (next < 0)
        return -1;
    return next <= now ? 0 : (int)(next - now);
}

static int serve(server *srv)
{
    static struct pollfd pfd[1 + MAX_LISTENERS + MAX_SESSIONS];
    while (!stop_signal && !srv->done) {
        int64_t now = tool_now_ms();
        expire(srv, now);
        if (srv->args->ticket_keys && now - srv->tk.checked_ms >= KEY_FILE_CHECK_MS)
            reload_keys(srv, now);
        size_t n = 0, polled = srv->n_sessions;
        int acc = accepting(srv, now);
        pfd[n++] = (struct pollfd){.fd = signal_pipe[0], .events = POLLIN};
        for (size_t i = 0; i < srv->n_listeners; i++)
            pfd[n++] = (struct pollfd){.fd = srv->listeners[i], .events = acc ? POLLIN : 0};
        for (size_t i = 0; i < polled; i++) {
            const session *s = srv->sessions[i];
            pfd[n++] = (struct pollfd){.fd = s->fd, .events = s->ready ? 0 : s->events};
        }
        if (srv->done)
            break;
        if (poll(pfd, n, poll_timeout(srv, now)) < 0 && errno != EINTR) {
            fprintf(stderr, PROG ": poll: %s\n", strerror(errno));
            return TOOL_EXIT_FAIL;
        }
        /* Downwards: an ended session is replaced by the last one, already run. */
        for (size_t i = polled; i-- > 0;)
            if (srv->sessions[i]->ready || pfd[1 + srv->n_listeners + i].revents)
                session_run(srv, i);
        for (size_t i = 0; i < srv->n_listeners; i++)
            if (pfd[1 + i].revents)
                accept_all(srv, srv->listeners[i]);
    }
    if (stop_signal) {
        fprintf(stderr, PROG ": stopping on %s\n", stop_signal == SIGINT ? "SIGINT" : "SIGTERM");
        return TOOL_EXIT_OK;
    }
    return srv->status;
}

/* Ends what is left (after a signal), closes the listeners, frees everything. */
static void shut_down(server *srv)
{
    for (size_t i = srv->n_sessions; i-- > 0;) {
        session *s = srv->sessions[i];
        s->failed = 1;
        snprintf(s->why, sizeof(s->why), "server stopped");
        clasp_close(s->conn); /* close_notify if the socket takes it now */
        session_end(srv, i);
    }
    for (size_t i = 0; i < srv->n_listeners; i++)
        close(srv->listeners[i]);
    for (int i = 0; i < 2; i++)
        if (signal_pipe[i] >= 0)
            close(signal_pipe[i]);
    clasp_config_free(srv->cfg);
    for (size_t i = 0; i < srv->args->n_sni; i++) {
        clasp_config_free(srv->sni_cfg[i]);
        free(srv->args->sni[i].name);
    }
    tool_fleet_close(&srv->fleet);
    clasp_ticket_keys_free(srv->tk.keys);
    tool_keylog_close();
    tool_trace_close(&srv->trace_out);
}

/* The trace events of every connection go to that connection's narration. */
static void on_trace(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    server *srv = arg;
    for (size_t i = 0; i < srv->n_sessions; i++) {
        session *s = srv->sessions[i];
        if (s->conn == conn) {
            s->trace.prefix = srv->n_sessions > 1; /* several at once: whose line is it */
            tool_trace_event(&s->trace, TOOL_SERVER, ev);
            return;
        }
    }
}

/* --tickets, --stateful-tickets, --ticket-keys (which must read at start). 0 or -1 (printed). */
static int configure_tickets(server *srv, clasp_config *cfg)
{
    const server_args *a = srv->args;
    int rc = a->tickets >= 0 ? clasp_config_set_tickets(cfg, (unsigned)a->tickets) : 0;
    if (rc == 0 && a->stateful_tickets)
        rc = clasp_config_set_ticket_mode(cfg, CLASP_TICKETS_STATEFUL);
    if (rc == 0 && a->session_context)
        rc = clasp_config_set_session_id_context(cfg, (const uint8_t *)a->session_context,
                                                 strlen(a->session_context));
    if (rc != 0) {
        fprintf(stderr, PROG ": --tickets, --session-context: %s\n", clasp_strerror(rc));
        return -1;
    }
    if (a->fleet.session_store && tool_fleet_store(PROG, &srv->fleet, &a->fleet, cfg) != 0)
        return -1;
    if (!a->ticket_keys && !a->fleet.keys_memcached)
        return 0;
    if (!srv->tk.keys) { /* one set for every configuration (--sni) */
        srv->tk.keys = clasp_ticket_keys_new(0, 0);
        if (!srv->tk.keys) {
            fprintf(stderr, PROG ": out of memory\n");
            return -1;
        }
        if (a->ticket_keys
                ? reload_keys(srv, tool_now_ms())
                : tool_fleet_keys(PROG, &srv->fleet, &a->fleet, a->session_context, srv->tk.keys))
            return -1;
    }
    return clasp_config_set_ticket_keys(cfg, srv->tk.keys) == 0 ? 0 : -1;
}

static clasp_config *make_config(server *srv, const server_args *a, const tool_tls *tls)
{
    clasp_config *cfg = clasp_config_new(CLASP_SERVER);
    if (!cfg) {
        fprintf(stderr, PROG ": out of memory\n");
        return NULL;
    }
    if (tls->trace)
        clasp_config_set_trace(cfg, on_trace, srv);
    int rc = clasp_config_set_verify(cfg, a->verify);
    if (rc != 0)
        fprintf(stderr, PROG ": --verify: %s\n", clasp_strerror(rc));
    if (rc == 0 && a->session_cache >= 0 &&
        (rc = clasp_config_set_session_cache(cfg, (size_t)a->session_cache, 7200)) != 0)
        fprintf(stderr, PROG ": --session-cache: %s\n", clasp_strerror(rc));
    if (rc == 0 && configure_tickets(srv, cfg) != 0)
        rc = -1;
    if (rc != 0 || tool_configure(PROG, cfg, tls, 0) != 0) {
        clasp_config_free(cfg);
        return NULL;
    }
    return cfg;
}

/*
 * The client's server_name picks the configuration. RFC 6066 3: a server that does not
 * recognise the name may go on (the default certificate) or refuse with unrecognized_name.
 */
static int on_servername(clasp_conn *conn, const char *name, void *arg)
{
    server *srv = arg;
    for (size_t i = 0; name && i < srv->args->n_sni; i++)
        if (strcasecmp(name, srv->args->sni[i].name) == 0)
            return clasp_conn_set_config(conn, srv->sni_cfg[i]);
    return name && srv->args->sni_refuse ? CLASP_ERR_UNRECOGNIZED_NAME : CLASP_OK;
}

/* The default configuration, and one per --sni name (the same settings, its certificate). */
static int make_configs(server *srv, const server_args *a, const tool_tls *tls)
{
    srv->cfg = make_config(srv, a, tls);
    if (!srv->cfg)
        return -1;
    for (size_t i = 0; i < a->n_sni; i++) {
        tool_tls named = *tls;
        named.cert[0] = a->sni[i].cert;
        named.key[0] = a->sni[i].key;
        named.n_cert = named.n_key = 1;
        if (!(srv->sni_cfg[i] = make_config(srv, a, &named)))
            return -1;
    }
    if (a->n_sni || a->sni_refuse)
        clasp_config_set_servername_callback(srv->cfg, on_servername, srv);
    return 0;
}

/* What getopt cannot check: operands, and options that need others. */
static int check_args(const server_args *a, const tool_tls *tls, int extra)
{
    const char *why = extra                   ? "unexpected operand"
                      : !a->port              ? "--port is required"
                      : tls->n_cert == 0      ? "at least one --cert and --key are required"
                      : a->verify && !tls->ca ? "--verify optional|require needs --ca"
                      : a->ticket_keys && a->fleet.keys_memcached
                          ? "--ticket-keys and --ticket-keys-memcached exclude each other"
                          : NULL;
    if (why)
        fprintf(stderr, PROG ": %s\n", why);
    return why ? -1 : 0;
}

int main(int argc, char **argv)
{
    server_args a = {.session_cache = -1,
                     .tickets = -1,
                     .fleet = {.keys_rotate = -1, .keys_keep = -1, .keys_announce = -1}};
    tool_tls tls;
    const tool_cli cli = {PROG,        "--port P --cert FILE --key FILE [options]",  ABOUT,
                          server_opts, sizeof(server_opts) / sizeof(server_opts[0]), on_opt,
                          &a};
    int first = tool_parse(&cli, &tls, argc, argv);
    if (first < 0)
        return TOOL_EXIT_USAGE;
    if (a.rotate_key_file && first == argc)
        return tool_fleet_rotate_file(PROG, a.rotate_key_file, &a.fleet);
    if (check_args(&a, &tls, first != argc) != 0) {
        tool_usage(&cli, stderr);
        return TOOL_EXIT_USAGE;
    }
    static server srv; /* a thousand session slots: not on the stack */
    srv.args = &a;
    if (tool_trace_open(PROG, &srv.trace_out, tls.trace, tls.color, tls.trace_file, stderr) != 0)
        return TOOL_EXIT_USAGE;
    int status = TOOL_EXIT_FAIL;
    if (make_configs(&srv, &a, &tls) == 0 && catch_signals() == 0 && open_listeners(&srv) == 0)
        status = serve(&srv);
    shut_down(&srv);
    return status;
}
