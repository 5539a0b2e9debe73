/*
 * The tools' handshake narration (clasp-client, clasp-server and clasp-demo): the library's
 * trace events (clasp/trace.h) rendered either as numbered steps in the words of the SSL
 * handshake as it is usually taught, or as one JSON object per event per line for programs.
 * Also the SSLKEYLOGFILE key log. docs/trace.md describes both outputs.
 */
#ifndef CLASP_TOOLS_TRACE_H
#define CLASP_TOOLS_TRACE_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <clasp/clasp.h>

typedef enum tool_trace_format {
    TOOL_TRACE_OFF = 0,
    TOOL_TRACE_TEXT = 1,
    TOOL_TRACE_JSON = 2,
} tool_trace_format;

/* The two sides of a connection, as the trace names them. */
enum { TOOL_CLIENT = 0, TOOL_SERVER = 1 };

/* Text lines are at most this wide (columns), the peer prefix included. */
#define TOOL_TRACE_WIDTH 100

/* Where the narration goes and how it looks: one per process. */
typedef struct tool_trace_out {
    tool_trace_format format;
    int color; /* ANSI colours in the text */
    FILE *f;   /* stderr, or the --trace-file */
    int owned; /* f is ours to close */
} tool_trace_out;

/* "--trace[=text|json]", "--color=never|always|auto": 0, or -1 after printing why. */
int tool_trace_parse_format(const char *prog, const char *arg, tool_trace_format *out);
int tool_trace_parse_color(const char *prog, const char *arg);
/*
 * Opens the narration: format, colour mode (NULL or "auto": when the output is a terminal
 * and NO_COLOR is unset or empty), and path (NULL: to `dflt`, stderr for the tools; a file
 * is appended to). 0, or -1 (printed).
 */
int tool_trace_open(const char *prog, tool_trace_out *out, tool_trace_format format,
                    const char *color, const char *path, FILE *dflt);
void tool_trace_close(tool_trace_out *out);

#define TOOL_TRACE_MAX_KEYS 12
#define TOOL_TRACE_KEY_LEN  48
#define TOOL_TRACE_SEEN     32

/*
 * One narration: one connection in the tools, one section in the demo (which feeds both
 * sides' events into it). Plain data: set it up with tool_trace_init, then the fields
 * marked "caller".
 */
typedef struct tool_trace {
    const tool_trace_out *out;
    int side;        /* the side whose events tool_trace_cb receives */
    int both;        /* caller: events of both sides come here (the demo) */
    int concise;     /* caller: fewer details per message (the demo) */
    int prefix;      /* caller: text lines start with the peer (several connections) */
    char peer[96];   /* caller: the peer's address: JSON "peer", and the text prefix */
    long connection; /* caller: JSON "connection" when > 0 (clasp-client) */
    int section;     /* caller: JSON "section" when > 0 (clasp-demo) */
    /* the narration's state */
    int step;
    int enc[2][2];          /* [who knows][sender]: the sender's messages are encrypted */
    int rsa_kx;             /* the suite uses RSA key exchange */
    int tls13;              /* the version is TLS 1.3 */
    int resumed_said;       /* whether the session was resumed is told once */
    char ch_session_id[72]; /* the ClientHello's session_id (for the ServerHello's) */
    int key_side;
    size_t n_keys;
    char keys[TOOL_TRACE_MAX_KEYS][TOOL_TRACE_KEY_LEN];
    uint32_t seen[TOOL_TRACE_SEEN]; /* both sides: key lines told already (hashes) */
    size_t n_seen;
    int rec_side; /* application data waiting to be summed up: sender, -1 none */
    unsigned long rec_n, rec_bytes;
    int rec_protected, data_lines;
    unsigned long more_n[2], more_bytes[2]; /* beyond the lines shown */
} tool_trace;

void tool_trace_init(tool_trace *t, const tool_trace_out *out, int side);
/* One event of `side`. */
void tool_trace_event(tool_trace *t, int side, const clasp_trace_event *ev);
/* For clasp_config_set_trace: arg is a tool_trace, the events are its side's. */
void tool_trace_cb(void *arg, clasp_conn *conn, const clasp_trace_event *ev);
/* The end of the connection (or section): what is waiting to be summed up is printed. */
void tool_trace_end(tool_trace *t);

/* Text narration only (no-ops for JSON): a heading, a paragraph of plain prose (wrapped;
 * "" for an empty line), and a verdict ("✓ text" in green, or "✗ text" in red). */
void tool_trace_heading(tool_trace *t, const char *text);
void tool_trace_prose(tool_trace *t, const char *text);
void tool_trace_verdict(tool_trace *t, int ok, const char *text);

/*
 * SSLKEYLOGFILE: when the variable names a file, every configuration given here appends
 * its NSS key log lines to it, and a warning says that the file decrypts the traffic (once
 * per process). 0, or -1 when the file cannot be opened (printed).
 */
int tool_keylog_setup(const char *prog, clasp_config *cfg);
void tool_keylog_close(void);

#endif /* CLASP_TOOLS_TRACE_H */
