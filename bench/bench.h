/*
 * The handshake benchmark's parts: the scenarios, the PKI every implementation uses, and
 * the one interface each implementation (clasp, OpenSSL, GnuTLS, BoringSSL) fills in. The
 * measuring loop is shared (bench_run.c), so every implementation is timed the same way.
 * Nothing here includes a TLS library's header: the BoringSSL runner, which must not see
 * OpenSSL's, compiles it too.
 */
#ifndef CLASP_BENCH_H
#define CLASP_BENCH_H

#include <stddef.h>
#include <time.h>

typedef enum bench_scenario {
    SC_TLS13_ECDSA,  /* TLS 1.3 full handshake, ECDSA P-256 chain */
    SC_TLS13_RSA,    /* TLS 1.3 full handshake, RSA-2048 chain */
    SC_TLS12_ECDSA,  /* TLS 1.2 ECDHE-ECDSA full handshake */
    SC_TLS12_ID,     /* TLS 1.2 resumption by session ID */
    SC_TLS13_PSK,    /* TLS 1.3 resumption with a ticket (psk_dhe_ke) */
    SC_TLS12_TICKET, /* TLS 1.2 resumption with a ticket (RFC 5077) */
    SC_COUNT
} bench_scenario;

typedef enum bench_resume {
    RESUME_NONE,   /* every handshake is a full one */
    RESUME_ID,     /* the server's session cache, tickets off */
    RESUME_TICKET, /* tickets, the server's session cache off */
} bench_resume;

typedef struct bench_scenario_info {
    const char *name;  /* on the command line: "tls13-ecdsa" */
    const char *title; /* in the output */
    int tls12;         /* 1: TLS 1.2 only; 0: TLS 1.3 only */
    int rsa;           /* 1: the RSA-2048 chain; 0: the ECDSA P-256 chain */
    bench_resume resume;
} bench_scenario_info;

extern const bench_scenario_info bench_scenarios[SC_COUNT];

/* The host name on the leaf certificate; every client verifies it. */
#define BENCH_HOST "server.test"
/* Pinned for every implementation, so that all of them do the same work. */
#define BENCH_SUITE13     "TLS_AES_128_GCM_SHA256"
#define BENCH_SUITE12     "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"
#define BENCH_SUITE12_RSA "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256"

/*
 * The key exchange is x25519 everywhere. TLS 1.2 clients list secp256r1 after it too: there,
 * supported_groups also names the curves an ECDSA certificate may be on ("MUST respect the
 * client's choice of elliptic curves", RFC 8422 5.3): a P-256 leaf is refused to a client
 * that lists x25519 alone.
 */
static inline const char *bench_groups(const bench_scenario_info *si)
{
    return si->tls12 ? "x25519:secp256r1" : "x25519";
}

/*
 * PEM text, indexed by chain: [0] ECDSA P-256, [1] RSA-2048. root is the only trust anchor
 * a client has; chain is what a server sends (leaf, then the intermediate that issued it).
 */
typedef struct bench_pki {
    const char *root[2];
    const char *chain[2];
    const char *key[2];
} bench_pki;

enum { BENCH_CLIENT, BENCH_SERVER };

/* Monotonic time spent inside each side's calls, summed over handshakes. */
typedef struct bench_split {
    double side[2];
} bench_split;

static inline double bench_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/* Runs `call` as work of side `who` (BENCH_CLIENT or BENCH_SERVER). */
#define BENCH_ON(split, who, call)                                                                 \
    do {                                                                                           \
        double bench_t0_ = bench_now();                                                            \
        call;                                                                                      \
        (split)->side[who] += bench_now() - bench_t0_;                                             \
    } while (0)

/*
 * The in-memory transport of the peers that want one (clasp is sans-I/O and needs none): a
 * byte queue into each side. Links are made outside malloc (bench_links_new), so that the
 * memory benchmark counts only what the libraries themselves allocate.
 */
#define BENCH_QUEUE_CAP 65536
typedef struct bench_queue {
    unsigned char data[BENCH_QUEUE_CAP];
    size_t len, off;
} bench_queue;

typedef struct bench_end {
    bench_queue *in, *out;
} bench_end;

typedef struct bench_link {
    bench_queue q[2]; /* q[who]: what side `who` has yet to read */
    bench_end end[2]; /* end[who]: side `who`'s view */
} bench_link;

/* n links, ready to use (mmap: not on the heap); NULL on failure. */
bench_link *bench_links_new(size_t n);
void bench_links_free(bench_link *links, size_t n);
/* Empties both queues and joins the ends to them. */
void bench_link_reset(bench_link *l);
/* Like write(2) and read(2) on a non-blocking socket: -1 when full / empty. */
long bench_end_write(bench_end *e, const void *data, size_t n);
long bench_end_read(bench_end *e, void *data, size_t n);

/* One measurement: n handshakes in cpu seconds of this thread, wall seconds in all. */
typedef struct bench_result {
    long n;
    double cpu, wall;
    double side[2]; /* wall seconds inside each side's calls */
} bench_result;

typedef enum bench_status {
    BENCH_OK = 0,
    BENCH_UNSUPPORTED = 1, /* this implementation (or build) cannot run the scenario */
    BENCH_FAILED = -1,
} bench_status;

typedef struct bench_impl {
    const char *name;
    const char *(*version)(void); /* e.g. "3.0.19", for the output */
    /*
     * Makes what the scenario's handshakes share (contexts) for clients that verify `host`,
     * and runs one full handshake with them: for resumption scenarios, the one whose session
     * the measured handshakes offer. variant 0 is the implementation as configured by
     * default; 1 is clasp without its verification cache, OpenSSL with
     * SSL_MODE_RELEASE_BUFFERS. On BENCH_OK desc says what was negotiated ("TLS 1.3
     * TLS_AES_128_GCM_SHA256 x25519"), otherwise why not.
     */
    bench_status (*setup)(void **ctx, bench_scenario sc, const bench_pki *pki, const char *host,
                          int variant, char *desc, size_t cap);
    /* One handshake, both connections made and freed; 0 when it completed as it must. */
    int (*once)(void *ctx, bench_split *split);
    /* In place of the shared loop (BoringSSL runs in another process); else NULL. */
    int (*measure)(void *ctx, double seconds, long count, bench_result *r);
    void (*teardown)(void *ctx);
    /*
     * For the memory benchmark (NULL where it cannot run): a client and a server joined by
     * link (which they use until closed) after their handshake and BENCH_EXCHANGE bytes
     * each way, both left open in conn[BENCH_CLIENT] and conn[BENCH_SERVER]; 0 on success.
     */
    int (*open_pair)(void *ctx, bench_link *link, void *conn[2]);
    void (*close_conn)(void *conn, int who);
} bench_impl;

#define BENCH_EXCHANGE 100

/* A handshake that completed, but resumed where it should not or did not where it should. */
#define BENCH_ERR_RESUMPTION (-10000)
#define BENCH_RESUMPTION_WHY "a resumption scenario must resume, a full one must not"

/* Handshakes for `seconds` of wall time, or exactly `count` of them when count > 0. */
int bench_measure(const bench_impl *im, void *ctx, double seconds, long count, bench_result *r);
/*
 * The check before measuring: the scenario with a client that expects another host name
 * must fail (verification is really on), and with the right name it must work, including a
 * measured handshake (which for resumption must resume). BENCH_OK with desc as setup's, or
 * why not in desc.
 */
int bench_check(const bench_impl *im, bench_scenario sc, const bench_pki *pki, int variant,
                char *desc, size_t cap);
/*
 * Each side's handshake step in turn until both are done. step returns 1 once its side is
 * done, 0 when it waits for the other, -1 on failure. 0 when both finished.
 */
int bench_alternate(void *conn[2], int (*step)(void *conn), bench_split *split);
/*
 * The end of every implementation's setup: fails (tearing b down) unless configured, then
 * runs its handshake once, twice for resumption (desc then tells of the resumed one).
 */
typedef int (*bench_handshake_fn)(void *b, bench_split *split, char *desc, size_t cap);
bench_status bench_setup_finish(void *b, int configured, bench_resume resume,
                                bench_handshake_fn handshake, void (*teardown)(void *), void **ctx,
                                char *desc, size_t cap);
/*
 * The end of every open_pair: after the handshake (rc its result), BENCH_EXCHANGE bytes each
 * way with transfer (0 when they arrived); c[] becomes conn[], or is closed on failure.
 */
int bench_open_pair_finish(int rc, void *c[2], int (*transfer)(void *from, void *to),
                           void (*close_conn)(void *conn, int who), void *conn[2]);
/* "TLS 1.3 TLS_AES_128_GCM_SHA256 x25519"; a resumed TLS 1.2 handshake has no group. */
void bench_describe(char *desc, size_t cap, int tls13, const char *suite, const char *group,
                    int resumed);
/* Scenario by command-line name, or -1. */
int bench_scenario_find(const char *name);

#endif /* CLASP_BENCH_H */
