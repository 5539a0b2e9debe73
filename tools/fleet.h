/*
 * clasp-server's fleet options (docs/api.md, "Fleets"): a session store and ticket keys in
 * memcached (only when built with libclasp-memcached; otherwise a clear error), and the
 * rotation of a shared key file (--rotate-ticket-keys FILE, which needs nothing else).
 */
#ifndef CLASP_TOOLS_FLEET_H
#define CLASP_TOOLS_FLEET_H

#include <clasp/clasp.h>

typedef struct tool_fleet_args {
    const char *session_store;  /* "memcached:HOST:PORT[,...]" */
    const char *keys_memcached; /* "HOST:PORT[,...]" */
    const char *keys_group;     /* NULL: the session context, else "clasp" */
    long keys_rotate;           /* seconds; -1: not given */
    long keys_keep;             /* -1: not given */
    long keys_announce;         /* seconds; -1: not given */
} tool_fleet_args;

/* What is running for the fleet options; zeroed before use. */
typedef struct tool_fleet {
    void *store; /* clasp_memcached_store */
    void *keys;  /* clasp_memcached_keys */
} tool_fleet;

/* 1 when this build has libclasp-memcached. */
int tool_fleet_has_memcached(void);

/*
 * --session-store: makes the store (once) and gives it to cfg. 0, or -1 after printing why
 * (a bad value, or a build without libclasp-memcached).
 */
int tool_fleet_store(const char *prog, tool_fleet *f, const tool_fleet_args *a, clasp_config *cfg);

/*
 * --ticket-keys-memcached: starts keeping tk in step with the group's ring. 0, or -1 after
 * printing why. `context` is the --session-context, the group's default name.
 */
int tool_fleet_keys(const char *prog, tool_fleet *f, const tool_fleet_args *a, const char *context,
                    clasp_ticket_keys *tk);

/* Stops and frees what runs (after the configurations that use it are freed). */
void tool_fleet_close(tool_fleet *f);

/*
 * --rotate-ticket-keys FILE: one rotation step over the key file (clasp_ticket_key_ring_
 * rotate: --ticket-keys-rotate as the period, none: rotate now; --ticket-keys-announce,
 * --ticket-keys-keep), written to a new file renamed over FILE (mode 0600). A missing FILE
 * is made. Prints what it did; returns an exit status.
 */
int tool_fleet_rotate_file(const char *prog, const char *path, const tool_fleet_args *a);

#endif /* CLASP_TOOLS_FLEET_H */
