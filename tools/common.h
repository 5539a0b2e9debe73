/*
 * What clasp-client and clasp-server share: table-driven option parsing (getopt_long's table
 * and --help come from the same rows), the TLS settings both take from the command line,
 * and the ways they print names, addresses and log values.
 */
#ifndef CLASP_TOOLS_COMMON_H
#define CLASP_TOOLS_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>

#include <clasp/clasp.h>

#include "trace.h"

/* Exit statuses, the same for both tools. */
#define TOOL_EXIT_OK    0
#define TOOL_EXIT_FAIL  1 /* the connection (or setting it up) failed */
#define TOOL_EXIT_USAGE 2 /* a bad command line */

/* One command-line option. */
typedef struct tool_opt {
    const char *name; /* long name, without "--" */
    int has_arg;      /* no_argument or required_argument */
    int id;           /* what the handler receives */
    const char *arg;  /* the argument's name in --help; NULL for flags */
    const char *help; /* one line */
} tool_opt;

/* Options both tools have; each tool numbers its own from OPT_TOOL up. */
enum {
    OPT_HELP = 'h',
    OPT_CA = 256,
    OPT_CERT,
    OPT_KEY,
    OPT_VERSIONS,
    OPT_SUITES,
    OPT_GROUPS,
    OPT_ALPN,
    OPT_ALLOW_NO_EMS,
    OPT_TRACE,
    OPT_TRACE_FILE,
    OPT_COLOR,
    OPT_RECORD_SIZE_LIMIT,
    OPT_TOOL = 512,
};

#define TOOL_MAX_CERTS 8

/* --help's paragraph on --allow-no-ems, for each tool's ABOUT. */
#define TOOL_ABOUT_NO_EMS                                                                          \
    "--allow-no-ems accepts a TLS 1.2 peer that does not use the extended master secret\n"         \
    "(RFC 7627), refused by default with handshake_failure. What is lost: without it the\n"        \
    "master secret depends only on the randoms and the pre-master secret, so a man in the\n"       \
    "middle can give two connections the same keys and splice them (the triple handshake\n"        \
    "attack): a client certificate, or a session resumed, may then vouch for the wrong\n"          \
    "connection. Use it to reach an old peer only. TLS 1.3 is not affected.\n"

/* The TLS settings of the shared options, and how to narrate the handshake. */
typedef struct tool_tls {
    const char *ca;
    const char *cert[TOOL_MAX_CERTS], *key[TOOL_MAX_CERTS];
    size_t n_cert, n_key;
    const char *versions;              /* as given */
    uint16_t min_version, max_version; /* 0: the library's default */
    const char *suites, *groups, *alpn;
    int allow_no_ems; /* --allow-no-ems: clasp_config_set_extended_master_secret(cfg, 0) */
    const char *record_size_limit;  /* as given; NULL: the library's default */
    tool_trace_format trace;        /* --trace (TOOL_TRACE_OFF without it) */
    const char *trace_file, *color; /* --trace-file (implies --trace), --color; NULL: none */
} tool_tls;

/* A tool's command line: its own options and where they go. */
typedef struct tool_cli {
    const char *prog;     /* "clasp-client" */
    const char *synopsis; /* what follows the name in the usage line */
    const char *about;    /* printed after the options by --help: behaviour, output formats */
    const tool_opt *opts; /* the tool's own options (the shared ones are added) */
    size_t n_opts;
    /* Takes one of the tool's options; returns 0, or -1 after printing why the value is bad. */
    int (*on_opt)(void *ctx, int id, const char *arg);
    void *ctx;
} tool_cli;

/*
 * Parses argv: the shared options into tls, the tool's into on_opt. Returns the index of the
 * first operand, or -1 after printing the reason and the usage to stderr (exit with
 * TOOL_EXIT_USAGE). --help prints the usage to stdout and exits with TOOL_EXIT_OK.
 */
int tool_parse(const tool_cli *cli, tool_tls *tls, int argc, char **argv);
void tool_usage(const tool_cli *cli, FILE *f);

/*
 * Puts the shared settings into cfg: versions, suites, groups, ALPN, trust anchors (--ca;
 * `default_ca` loads the system's store when there is none), certificates and keys, and the
 * key log when SSLKEYLOGFILE is set. Prints what failed and returns -1.
 */
int tool_configure(const char *prog, clasp_config *cfg, const tool_tls *tls, int default_ca);

/* "name", or "0x1234" (into buf) for a code without a name, or "none" for 0. */
const char *tool_code(const char *name, unsigned code, char *buf, size_t cap);
const char *tool_version(uint16_t v, char *buf, size_t cap);
const char *tool_suite(uint16_t s, char *buf, size_t cap);
/* 1 for a TLS 1.2 CBC-HMAC suite (its IANA name has _CBC_). */
int tool_suite_is_cbc(uint16_t s);
const char *tool_group(uint16_t g, char *buf, size_t cap);
const char *tool_scheme(uint16_t s, char *buf, size_t cap);
/* An alert's RFC name, "alert N" when unknown, "none" for -1. */
const char *tool_alert(int alert, char *buf, size_t cap);

/*
 * A value for a key=value log line: as it is when it is a plain token, else in double
 * quotes with \" \\ and \xNN escapes, so a peer's name cannot forge fields or lines. Cut to
 * fit cap.
 */
void tool_quote(const char *s, char *out, size_t cap);

/* "127.0.0.1:443" or "[::1]:443". */
void tool_addr(const struct sockaddr *sa, socklen_t len, char *out, size_t cap);

/* Milliseconds on a monotonic clock. */
int64_t tool_now_ms(void);

/* Sets O_NONBLOCK and FD_CLOEXEC on fd; 0 or -1 (errno set). */
int tool_nonblocking(int fd);

#endif /* CLASP_TOOLS_COMMON_H */
