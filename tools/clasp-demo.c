/*
 * clasp-demo: the SSL handshake, narrated. A clasp client and a clasp server run in this
 * process, wired to each other through the sans-I/O engine (no sockets, no files, no
 * network), with certificates made in memory at every run. Seven real handshakes, one
 * section each, told step by step from both sides' trace events:
 *   1. the classic handshake: TLS 1.2, RSA key exchange, a client certificate;
 *   2. the same session resumed by session ID;
 *   3. TLS 1.2 with ECDHE (forward secrecy);
 *   4. TLS 1.3 with X25519 and client certificates;
 *   5. a client refusing a certificate for another host name;
 *   6. section 4's TLS 1.3 session resumed by ticket;
 *   7. the record layer: one record of a TLS 1.2 CBC suite, MAC then encryption, byte by byte.
 * Each section checks that it ended as it should; the exit status says whether all did.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <clasp/clasp.h>

#include "demo_pki.h"
#include "trace.h"

#define PROG             "clasp-demo"
#define N_SECTIONS       7
#define WRONG_NAME       "other.test"

#define EXIT_AS_EXPECTED 0
#define EXIT_UNEXPECTED  1
#define EXIT_USAGE       2

static const char REQUEST[] = "GET / HTTP/1.1\r\nHost: " DEMO_SERVER_NAME "\r\n\r\n";
static const char ANSWER[] = "HTTP/1.1 200 OK\r\nContent-Length: 22\r\n\r\nhello from clasp-demo\n";

struct demo;

/* What a configuration's trace callback needs: the demo and which side it is. */
typedef struct side_arg {
    struct demo *d;
    int side;
} side_arg;

typedef struct demo {
    demo_pki pki;
    tool_trace_out out;
    tool_trace trace; /* the section being narrated */
    int quiet;        /* a section run only to prepare the next one: not told */
    side_arg sides[2];
    /* Sections 1 and 2 share their configurations (the server's session cache) and the
     * session the client keeps from section 1; sections 4 and 6 theirs (the server's ticket
     * keys) and the ticket the client keeps from section 4. */
    clasp_config *classic[2], *modern[2];
    clasp_session *session, *ticket;
} demo;

/* How one connection ended, as both sides report it. */
typedef struct outcome {
    int done;      /* both sides finished the handshake */
    int exchanged; /* the request and the answer arrived, close_notify both ways */
    int client_err, server_err;
    int client_alert_sent, server_alert_received;
    char client_detail[256];
    uint16_t version, suite, group;
    int resumed_client, resumed_server;
    int etm;             /* records used encrypt-then-MAC (RFC 7366) */
    size_t client_certs; /* certificates the server received from the client */
} outcome;

static void on_event(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    side_arg *a = arg;
    (void)conn;
    if (!a->d->quiet)
        tool_trace_event(&a->d->trace, a->side, ev);
}

/* ---- configurations ---- */

typedef struct cfg_spec {
    clasp_role role;
    uint16_t max_version;     /* 0: TLS 1.2 and 1.3 */
    const char *suites;       /* NULL: the defaults */
    const demo_cred *cred;    /* certificate and key; NULL: none */
    clasp_verify_mode verify; /* servers: client certificates */
} cfg_spec;

static int configure(demo *d, clasp_config *cfg, const cfg_spec *s)
{
    int rc = clasp_config_set_trace(cfg, on_event, &d->sides[s->role]);
    if (!rc)
        rc = clasp_config_load_verify_pem(cfg, d->pki.ca.cert, d->pki.ca.cert_len);
    if (!rc && s->max_version)
        rc = clasp_config_set_versions(cfg, CLASP_TLS12, s->max_version);
    if (!rc && s->suites)
        rc = clasp_config_set_cipher_suites(cfg, s->suites);
    if (!rc && s->cred)
        rc = clasp_config_add_cert_chain_pem(cfg, s->cred->cert, s->cred->cert_len, s->cred->key,
                                             s->cred->key_len);
    if (!rc && s->role == CLASP_SERVER)
        rc = clasp_config_set_verify(cfg, s->verify);
    if (rc)
        fprintf(stderr, PROG ": setting up the %s: %s\n",
                s->role == CLASP_SERVER ? "server" : "client", clasp_strerror(rc));
    return rc || tool_keylog_setup(PROG, cfg) ? -1 : 0;
}

static clasp_config *make_config(demo *d, const cfg_spec *s)
{
    clasp_config *cfg = clasp_config_new(s->role);
    if (!cfg)
        fprintf(stderr, PROG ": out of memory\n");
    if (cfg && configure(d, cfg, s) != 0) {
        clasp_config_free(cfg);
        cfg = NULL;
    }
    return cfg;
}

/* ---- two engines, one thread ---- */

/* Moves what `from` has to send into `to`; the bytes moved. */
static size_t pump_once(clasp_conn *from, clasp_conn *to)
{
    const uint8_t *out;
    size_t len, used = 0;
    clasp_conn_output(from, &out, &len);
    if (len == 0)
        return 0;
    clasp_conn_feed(to, out, len, &used); /* an error shows in the outcome */
    clasp_conn_output_done(from, used);
    return used;
}

/* Until neither side has anything more to say. */
static void pump(clasp_conn *c, clasp_conn *s)
{
    while (pump_once(c, s) + pump_once(s, c) > 0)
        ;
}

/* Reads everything conn has received; 1 when it is exactly `want`. */
static int read_all(clasp_conn *conn, const char *want)
{
    uint8_t buf[256];
    size_t got = 0, n;
    while (got < sizeof(buf) && clasp_conn_read(conn, buf + got, sizeof(buf) - got, &n) == 0)
        got += n;
    return got == strlen(want) && memcmp(buf, want, got) == 0;
}

static int write_all(clasp_conn *conn, const char *text)
{
    size_t n;
    return clasp_conn_write(conn, (const uint8_t *)text, strlen(text), &n) == 0 &&
           n == strlen(text);
}

/* A request, an answer, and close_notify both ways; 1 when all of it went through. */
static int exchange(clasp_conn *c, clasp_conn *s)
{
    uint8_t byte;
    size_t n;
    int ok = write_all(c, REQUEST);
    pump(c, s);
    ok = ok && read_all(s, REQUEST) && write_all(s, ANSWER);
    pump(c, s);
    ok = ok && read_all(c, ANSWER) && clasp_conn_close(c) == 0;
    pump(c, s);
    ok = ok && clasp_conn_read(s, &byte, 1, &n) == CLASP_ERR_CLOSED && clasp_conn_close(s) == 0;
    pump(c, s);
    return ok && clasp_conn_read(c, &byte, 1, &n) == CLASP_ERR_CLOSED;
}

/* Keeps the client's session (TLS 1.3: the newest ticket) for a later connection. */
static int keep_session(clasp_session **keep, clasp_conn *c)
{
    clasp_session_free(*keep);
    *keep = clasp_conn_get_session(c);
    return *keep ? 0 : -1;
}

static void forget(clasp_session **s)
{
    clasp_session_free(*s);
    *s = NULL;
}

static void record_outcome(const clasp_conn *c, const clasp_conn *s, outcome *o)
{
    o->done = clasp_conn_handshake_done(c) && clasp_conn_handshake_done(s);
    o->client_err = clasp_conn_error(c);
    o->server_err = clasp_conn_error(s);
    o->client_alert_sent = clasp_conn_alert_sent(c);
    o->server_alert_received = clasp_conn_alert_received(s);
    snprintf(o->client_detail, sizeof(o->client_detail), "%s", clasp_conn_error_detail(c));
    o->version = clasp_conn_version(c);
    o->suite = clasp_conn_cipher_suite(c);
    o->group = clasp_conn_group(c);
    o->resumed_client = clasp_conn_resumed(c);
    o->resumed_server = clasp_conn_resumed(s);
    o->etm = clasp_conn_encrypt_then_mac(c);
    o->client_certs = clasp_conn_peer_cert_count(s);
}

/*
 * One connection between configurations cc and sc, the client asking for `name` and
 * offering `offer` (NULL: none): the handshake, then when it succeeded the exchange. With
 * keep, the client's session is kept there. -1 when it could not even start.
 */
static int converse(demo *d, clasp_config *cc, clasp_config *sc, const char *name,
                    clasp_session *offer, clasp_session **keep, outcome *o)
{
    memset(o, 0, sizeof(*o));
    clasp_conn *c = clasp_conn_new(cc), *s = clasp_conn_new(sc);
    int rc = c && s ? 0 : CLASP_ERR_NOMEM;
    if (!rc && offer)
        rc = clasp_conn_set_session(c, offer);
    if (!rc)
        rc = clasp_conn_set_server_name(c, name);
    if (!rc) {
        pump(c, s);
        record_outcome(c, s, o);
        if (o->done) {
            o->exchanged = exchange(c, s);
            record_outcome(c, s, o);
        }
        if (o->done && keep && keep_session(keep, c) != 0)
            rc = CLASP_ERR_STATE;
    }
    if (rc)
        fprintf(stderr, PROG ": cannot run the connection: %s\n", clasp_strerror(rc));
    clasp_conn_free(c);
    clasp_conn_free(s);
    tool_trace_end(&d->trace);
    return rc ? -1 : 0;
}

/* ---- the sections ---- */

/* Whether a section ended as it should, and the sentence that says so (or what differed). */
typedef struct verdict {
    int ok;
    char text[512];
} verdict;

static void want(verdict *v, int cond, const char *what)
{
    if (!cond && v->ok) {
        v->ok = 0;
        snprintf(v->text, sizeof(v->text), "%s", what);
    }
}

/* The sentence for a section that ended as it should. */
static void praise(verdict *v, const char *text)
{
    if (v->ok)
        snprintf(v->text, sizeof(v->text), "%s", text);
}

/* What every successful section has: a handshake, then data both ways and close_notify. */
static void want_success(verdict *v, const outcome *o, uint16_t version, uint16_t suite)
{
    char why[300];
    snprintf(why, sizeof(why), "the handshake failed: %s", o->client_detail);
    want(v, o->done, why);
    want(v, o->exchanged, "the request, the answer or close_notify did not go through");
    want(v, o->version == version, "another protocol version was negotiated");
    want(v, !suite || o->suite == suite, "another cipher suite was negotiated");
}

#define SERVER_SUITES_WITH_RSA                                                                     \
    "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256:"                  \
    "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256:TLS_RSA_WITH_AES_128_GCM_SHA256"

/* Sections 1 and 2: a TLS 1.2 client offering only RSA key exchange, with a certificate;
 * a server that does TLS 1.3 too, requires client certificates and caches sessions. */
static int classic_configs(demo *d)
{
    if (d->classic[CLASP_CLIENT])
        return 0;
    const cfg_spec cs = {CLASP_CLIENT, CLASP_TLS12, "TLS_RSA_WITH_AES_128_GCM_SHA256",
                         &d->pki.client, CLASP_VERIFY_NONE};
    const cfg_spec ss = {CLASP_SERVER, 0, SERVER_SUITES_WITH_RSA, &d->pki.server_rsa,
                         CLASP_VERIFY_REQUIRE};
    d->classic[CLASP_CLIENT] = make_config(d, &cs);
    d->classic[CLASP_SERVER] = make_config(d, &ss);
    /* The seeds' resumption is by session ID: this client asks for no RFC 5077 ticket. */
    if (d->classic[CLASP_CLIENT] && clasp_config_set_tickets(d->classic[CLASP_CLIENT], 0) != 0)
        return -1;
    return d->classic[CLASP_CLIENT] && d->classic[CLASP_SERVER] ? 0 : -1;
}

static int run_classic(demo *d, outcome *o)
{
    forget(&d->session);
    if (classic_configs(d) != 0)
        return -1;
    return converse(d, d->classic[CLASP_CLIENT], d->classic[CLASP_SERVER], DEMO_SERVER_NAME, NULL,
                    &d->session, o);
}

static void judge_classic(const outcome *o, verdict *v)
{
    want_success(v, o, CLASP_TLS12, 0x009c);
    want(v, o->client_certs == 1, "the server did not receive the client's certificate");
    want(v, !o->resumed_client, "the session was resumed");
    praise(v, "as expected: TLS 1.2, TLS_RSA_WITH_AES_128_GCM_SHA256, both certificates "
              "verified, then a request and its answer, encrypted.");
}

static int run_resumed(demo *d, outcome *o)
{
    if (!d->session) {
        fprintf(stderr, PROG ": section 1 left no session to resume\n");
        return -1;
    }
    int rc = converse(d, d->classic[CLASP_CLIENT], d->classic[CLASP_SERVER], DEMO_SERVER_NAME,
                      d->session, NULL, o);
    forget(&d->session);
    return rc;
}

static void judge_resumed(const outcome *o, verdict *v)
{
    want_success(v, o, CLASP_TLS12, 0x009c);
    want(v, o->resumed_client && o->resumed_server, "the session was not resumed");
    praise(v, "as expected: section 1's session resumed by session ID; one round trip, no "
              "certificates, no key exchange.");
}

/* A connection between two fresh configurations. */
static int run_pair(demo *d, const cfg_spec *cs, const cfg_spec *ss, const char *name, outcome *o)
{
    clasp_config *cc = make_config(d, cs), *sc = cc ? make_config(d, ss) : NULL;
    int rc = sc ? converse(d, cc, sc, name, NULL, NULL, o) : -1;
    clasp_config_free(cc);
    clasp_config_free(sc);
    return rc;
}

static int run_ecdhe(demo *d, outcome *o)
{
    const cfg_spec cs = {CLASP_CLIENT, CLASP_TLS12, NULL, NULL, CLASP_VERIFY_NONE};
    const cfg_spec ss = {CLASP_SERVER, 0, NULL, &d->pki.server_ecdsa, CLASP_VERIFY_NONE};
    return run_pair(d, &cs, &ss, DEMO_SERVER_NAME, o);
}

static void judge_ecdhe(const outcome *o, verdict *v)
{
    want_success(v, o, CLASP_TLS12, 0xc02b);
    want(v, o->group == 0x001d, "the key exchange did not use x25519");
    praise(v, "as expected: TLS 1.2, TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256 over x25519: the "
              "keys died with the connection.");
}

/* Sections 4 and 6: TLS 1.3 with client certificates; the server sends tickets. */
static int modern_configs(demo *d)
{
    if (d->modern[CLASP_CLIENT])
        return 0;
    const cfg_spec cs = {CLASP_CLIENT, 0, NULL, &d->pki.client, CLASP_VERIFY_NONE};
    const cfg_spec ss = {CLASP_SERVER, 0, NULL, &d->pki.server_ecdsa, CLASP_VERIFY_REQUIRE};
    d->modern[CLASP_CLIENT] = make_config(d, &cs);
    d->modern[CLASP_SERVER] = make_config(d, &ss);
    return d->modern[CLASP_CLIENT] && d->modern[CLASP_SERVER] ? 0 : -1;
}

static int run_tls13(demo *d, outcome *o)
{
    forget(&d->ticket);
    if (modern_configs(d) != 0)
        return -1;
    return converse(d, d->modern[CLASP_CLIENT], d->modern[CLASP_SERVER], DEMO_SERVER_NAME, NULL,
                    &d->ticket, o);
}

static void judge_tls13(const outcome *o, verdict *v)
{
    want_success(v, o, CLASP_TLS13, 0x1301);
    want(v, o->group == 0x001d, "the key exchange did not use x25519");
    want(v, o->client_certs == 1, "the server did not receive the client's certificate");
    praise(v, "as expected: TLS 1.3, TLS_AES_128_GCM_SHA256 over x25519, both certificates "
              "verified, in one round trip.");
}

static int run_wrong_name(demo *d, outcome *o)
{
    const cfg_spec cs = {CLASP_CLIENT, 0, NULL, NULL, CLASP_VERIFY_NONE};
    const cfg_spec ss = {CLASP_SERVER, 0, NULL, &d->pki.server_ecdsa, CLASP_VERIFY_NONE};
    return run_pair(d, &cs, &ss, WRONG_NAME, o);
}

static int run_ticket(demo *d, outcome *o)
{
    if (!d->ticket) {
        fprintf(stderr, PROG ": section 4 left no ticket to resume\n");
        return -1;
    }
    int rc = converse(d, d->modern[CLASP_CLIENT], d->modern[CLASP_SERVER], DEMO_SERVER_NAME,
                      d->ticket, NULL, o);
    forget(&d->ticket);
    return rc;
}

static void judge_ticket(const outcome *o, verdict *v)
{
    want_success(v, o, CLASP_TLS13, 0x1301);
    want(v, o->resumed_client && o->resumed_server, "the session was not resumed");
    want(v, o->group == 0x001d, "the key exchange did not use x25519");
    want(v, o->client_certs == 1, "the server does not know the client from the ticket");
    praise(v, "as expected: section 4's session resumed by ticket: no certificates, a fresh "
              "x25519 key exchange, and the server still knows who the client is.");
}

static void judge_wrong_name(const outcome *o, verdict *v)
{
    want(v, !o->done, "the handshake succeeded");
    want(v, o->client_err == CLASP_ERR_BAD_CERTIFICATE, "the client failed for another reason");
    want(v, strstr(o->client_detail, "hostname mismatch") && strstr(o->client_detail, WRONG_NAME),
         "the client's error does not name the host name mismatch");
    want(v, o->client_alert_sent == CLASP_ALERT_BAD_CERTIFICATE,
         "the client did not send bad_certificate");
    want(v, o->server_alert_received == CLASP_ALERT_BAD_CERTIFICATE,
         "the server did not receive bad_certificate");
    praise(v, "as expected: the client refused the certificate (hostname mismatch) and both "
              "sides name the alert bad_certificate; no application data flowed.");
}

#define CBC_SUITE "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"

/*
 * Section 7: a CBC suite (never a default) with encrypt_then_mac turned off, so the record
 * is the seeds' MAC-then-encrypt; the client's first application data record (the request)
 * is traced step by step.
 */
static int run_record(demo *d, outcome *o)
{
    const cfg_spec cs = {CLASP_CLIENT, CLASP_TLS12, CBC_SUITE, NULL, CLASP_VERIFY_NONE};
    const cfg_spec ss = {CLASP_SERVER, 0, CBC_SUITE, &d->pki.server_ecdsa, CLASP_VERIFY_NONE};
    clasp_config *cc = make_config(d, &cs), *sc = cc ? make_config(d, &ss) : NULL;
    int rc = -1;
    if (sc && clasp_config_set_encrypt_then_mac(cc, 0) == 0 &&
        clasp_config_set_trace_records(cc, 1) == 0)
        rc = converse(d, cc, sc, DEMO_SERVER_NAME, NULL, NULL, o);
    clasp_config_free(cc);
    clasp_config_free(sc);
    return rc;
}

static void judge_record(const outcome *o, verdict *v)
{
    want_success(v, o, CLASP_TLS12, 0xc023);
    want(v, !o->etm, "the records used encrypt-then-MAC");
    praise(v, "as expected: the request was MACed, padded, encrypted under its own IV and "
              "framed; the server checked padding and MAC in constant time, then read it.");
}

typedef struct section {
    const char *title, *intro;
    int (*run)(demo *d, outcome *o);
    void (*judge)(const outcome *o, verdict *v);
} section;

static const section sections[N_SECTIONS] = {
    {"The classic handshake: TLS 1.2, RSA key exchange, client certificate",
     "The handshake the SSL documentation walks through: the client encrypts the pre-master "
     "secret to the server's public key, and the server asks for the client's certificate "
     "(mutual authentication).",
     run_classic, judge_classic},
    {"The same session, resumed by session ID",
     "The client comes back offering section 1's session ID; both sides still hold its master "
     "secret, so certificates and key exchange are skipped: the abbreviated handshake.",
     run_resumed, judge_resumed},
    {"TLS 1.2 with ECDHE: forward secrecy",
     "What servers prefer today: the server signs a fresh X25519 key share, and the keys come "
     "from an ephemeral Diffie-Hellman exchange, so unlike section 1 a server key stolen later "
     "cannot decrypt a recording of this connection (forward secrecy).",
     run_ecdhe, judge_ecdhe},
    {"TLS 1.3 with X25519 and client certificates",
     "One round trip: the key shares travel in the hellos, and everything after the "
     "ServerHello, certificates included, is encrypted.",
     run_tls13, judge_tls13},
    {"A failure: the wrong host name",
     "The client asks for " WRONG_NAME " but the server's certificate names " DEMO_SERVER_NAME
     ": the client refuses it with a bad_certificate alert, and the server learns why the "
     "handshake ended.",
     run_wrong_name, judge_wrong_name},
    {"The TLS 1.3 session, resumed by ticket",
     "The client comes back with a ticket the server sent after section 4's handshake: TLS "
     "1.3's resumption by session ID, the ticket standing for the ID. It holds the session, "
     "sealed under the server's ticket key; the client proves it holds the session's key "
     "with a binder, so the server skips the certificates, and a fresh key exchange keeps "
     "forward secrecy.",
     run_ticket, judge_ticket},
    {"The record layer: one record, MAC then encryption",
     "The seeds list what the record layer does to every message it sends: cut it into "
     "fragments of at most 2^14 bytes, compress, compute the MAC, encrypt, add the header. "
     "Sections 1 to 6 use AEAD suites, which MAC and encrypt in one step; here a CBC suite "
     "(never on by default) with encrypt_then_mac turned off shows the seeds' order for the "
     "client's request, byte by byte. Decoding it, the server checks padding and MAC in "
     "constant time, so a forged record teaches an attacker nothing (Lucky Thirteen); by "
     "default clasp asks for encrypt-then-MAC, which checks the MAC before decrypting.",
     run_record, judge_record},
};

/* ---- running ---- */

static void narration_start(demo *d, int n)
{
    tool_trace_init(&d->trace, &d->out, TOOL_CLIENT);
    d->trace.both = 1;
    d->trace.concise = 1;
    d->trace.section = n;
}

/* Runs section n (from 1) and tells it; 0 when it ended as it should. */
static int run_section(demo *d, int n)
{
    const section *s = &sections[n - 1];
    char title[160];
    outcome o;
    verdict v = {1, ""};
    narration_start(d, n);
    snprintf(title, sizeof(title), "%d. %s", n, s->title);
    tool_trace_prose(&d->trace, "");
    tool_trace_heading(&d->trace, title);
    tool_trace_prose(&d->trace, s->intro);
    tool_trace_prose(&d->trace, "");
    if (s->run(d, &o) != 0)
        want(&v, 0, "the section could not run");
    else
        s->judge(&o, &v);
    tool_trace_prose(&d->trace, "");
    tool_trace_verdict(&d->trace, v.ok, v.text);
    if (!v.ok)
        fprintf(stderr, PROG ": section %d did not behave as expected: %s\n", n, v.text);
    return v.ok ? 0 : -1;
}

/*
 * Sections 2 and 6 resume the sessions of sections 1 and 4: run alone, each needs its
 * first section to run first, untold.
 */
static int prepare(demo *d, int only)
{
    outcome o;
    verdict v = {1, ""};
    if (only != 2 && only != 6)
        return 0;
    d->quiet = 1;
    if ((only == 2 ? run_classic : run_tls13)(d, &o) == 0)
        (only == 2 ? judge_classic : judge_tls13)(&o, &v);
    d->quiet = 0;
    if (!v.ok)
        fprintf(stderr, PROG ": section %d (run first, for its session) failed: %s\n",
                only == 2 ? 1 : 4, v.text);
    return v.ok ? 0 : -1;
}

static const char PREFACE[] =
    "clasp-demo: real handshakes between a clasp client and a clasp server in this process "
    "(no network), with certificates made for this run. → is the client speaking to the "
    "server, ← the server to the client; ✓ a check that passed. Keys are named, never shown, "
    "and each set once although both sides derive it.";

static int run_all(demo *d, int only)
{
    int bad = 0;
    narration_start(d, 0);
    if (!only)
        tool_trace_prose(&d->trace, PREFACE);
    if (prepare(d, only) != 0)
        return EXIT_UNEXPECTED;
    for (int n = 1; n <= N_SECTIONS; n++)
        if (!only || n == only)
            bad |= run_section(d, n) != 0;
    narration_start(d, 0);
    tool_trace_prose(&d->trace, "");
    if (!only)
        tool_trace_verdict(&d->trace, !bad,
                           bad ? "Not every section behaved as expected."
                               : "All seven sections behaved as expected.");
    return bad ? EXIT_UNEXPECTED : EXIT_AS_EXPECTED;
}

/* ---- the command line ---- */

typedef struct demo_args {
    int only;
    tool_trace_format format;
    const char *color, *trace_file;
} demo_args;

static const char USAGE[] =
    "usage: clasp-demo [--only N] [--trace[=text|json]] [--trace-file FILE] [--color=WHEN]\n"
    "\n"
    "Runs seven real TLS handshakes between a clasp client and a clasp server inside this\n"
    "process, and narrates each step by step:\n"
    "  1. the classic handshake: TLS 1.2, RSA key exchange, a client certificate\n"
    "  2. the same session, resumed by session ID\n"
    "  3. TLS 1.2 with ECDHE: forward secrecy\n"
    "  4. TLS 1.3 with X25519 and client certificates\n"
    "  5. a failure: the client refuses a certificate for the wrong host name\n"
    "  6. the TLS 1.3 session of section 4, resumed by ticket\n"
    "  7. the record layer: one TLS 1.2 CBC record, MAC then encryption, byte by byte\n"
    "Needs no files and no network: the certificates are made in memory at every run.\n"
    "\n"
    "options:\n"
    "  --only N             run section N alone (1 to 7)\n"
    "  --trace=text         the narration (the default)\n"
    "  --trace=json         one JSON object per trace event per line instead, with \"section\"\n"
    "                       and \"side\" (docs/trace.md)\n"
    "  --trace-file FILE    append the narration to FILE instead of stdout\n"
    "  --color=WHEN         never, always, or auto (the default: on a terminal, unless\n"
    "                       NO_COLOR is set)\n"
    "  --help               print this help and exit\n"
    "\n"
    "SSLKEYLOGFILE=FILE appends the connections' secrets to FILE (NSS key log format).\n"
    "Exit status: 0 when every section behaved as expected (section 5 must fail, with\n"
    "bad_certificate for the host name), 1 otherwise, 2 for a bad command line.\n";

enum { OPT_ONLY = 256, OPT_TRACE, OPT_TRACE_FILE, OPT_COLOR };

static int on_opt(demo_args *a, int id, const char *arg)
{
    char *end;
    switch (id) {
    case OPT_ONLY:
        a->only = (int)strtol(arg, &end, 10);
        if (*end || end == arg || a->only < 1 || a->only > N_SECTIONS) {
            fprintf(stderr, PROG ": --only: '%s' is not a section (1 to %d)\n", arg, N_SECTIONS);
            return -1;
        }
        return 0;
    case OPT_TRACE: return tool_trace_parse_format(PROG, arg, &a->format);
    case OPT_TRACE_FILE: a->trace_file = arg; return 0;
    case OPT_COLOR: a->color = arg; return tool_trace_parse_color(PROG, arg);
    default: return -1;
    }
}

static int parse_args(int argc, char **argv, demo_args *a)
{
    static const struct option opts[] = {
        {"only", required_argument, NULL, OPT_ONLY},
        {"trace", optional_argument, NULL, OPT_TRACE},
        {"trace-file", required_argument, NULL, OPT_TRACE_FILE},
        {"color", required_argument, NULL, OPT_COLOR},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    int id;
    opterr = 0;
    while ((id = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        if (id == 'h') {
            fputs(USAGE, stdout);
            exit(EXIT_AS_EXPECTED);
        }
        if (id == '?' || id == ':')
            fprintf(stderr, PROG ": unknown option or missing argument: '%s'\n", argv[optind - 1]);
        if (id == '?' || id == ':' || on_opt(a, id, optarg) != 0)
            return -1;
    }
    if (optind < argc) {
        fprintf(stderr, PROG ": unexpected operand '%s'\n", argv[optind]);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    demo_args a = {0, TOOL_TRACE_TEXT, NULL, NULL};
    if (parse_args(argc, argv, &a) != 0) {
        fputs(USAGE, stderr);
        return EXIT_USAGE;
    }
    static demo d; /* holds a narration's buffers: not on the stack */
    d.sides[CLASP_CLIENT] = (side_arg){&d, TOOL_CLIENT};
    d.sides[CLASP_SERVER] = (side_arg){&d, TOOL_SERVER};
    if (tool_trace_open(PROG, &d.out, a.format, a.color, a.trace_file, stdout) != 0)
        return EXIT_USAGE;
    int status = EXIT_UNEXPECTED;
    if (demo_pki_make(&d.pki) == 0)
        status = run_all(&d, a.only);
    forget(&d.session);
    forget(&d.ticket);
    for (int i = 0; i < 2; i++) {
        clasp_config_free(d.classic[i]);
        clasp_config_free(d.modern[i]);
    }
    demo_pki_free(&d.pki);
    tool_keylog_close();
    tool_trace_close(&d.out);
    return status;
}
