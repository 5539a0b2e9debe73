/* clasp-server's fleet options (fleet.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#ifdef CLASP_HAVE_MEMCACHED
#include <clasp/memcached.h>
#endif

#include "fleet.h"

#define STORE_SCHEME "memcached:"
/* The key file's rotation, when not told otherwise: announced 5 minutes ahead (time for a
 * new file to reach every server), 3 keys kept. */
#define DEFAULT_ANNOUNCE 300
#define DEFAULT_KEEP     3
#define RING_MAX         16

int tool_fleet_has_memcached(void)
{
#ifdef CLASP_HAVE_MEMCACHED
    return 1;
#else
    return 0;
#endif
}

#ifdef CLASP_HAVE_MEMCACHED

int tool_fleet_store(const char *prog, tool_fleet *f, const tool_fleet_args *a, clasp_config *cfg)
{
    const char *spec = a->session_store;
    if (strncmp(spec, STORE_SCHEME, strlen(STORE_SCHEME)) != 0) {
        fprintf(stderr, "%s: --session-store: '%s' is not memcached:HOST:PORT[,...]\n", prog, spec);
        return -1;
    }
    int rc = 0;
    if (!f->store) {
        clasp_memcached_store *st = NULL;
        rc = clasp_memcached_store_new(spec + strlen(STORE_SCHEME), NULL, 0, &st);
        f->store = st;
    }
    if (rc == 0) {
        clasp_session_store cb = clasp_memcached_store_callbacks(f->store);
        rc = clasp_config_set_session_store(cfg, &cb);
    }
    if (rc != 0)
        fprintf(stderr, "%s: --session-store: %s: %s\n", prog, spec, clasp_strerror(rc));
    return rc ? -1 : 0;
}

int tool_fleet_keys(const char *prog, tool_fleet *f, const tool_fleet_args *a, const char *context,
                    clasp_ticket_keys *tk)
{
    const char *group = a->keys_group ? a->keys_group : context ? context : "clasp";
    clasp_memcached_keys *mk = NULL;
    int rc = clasp_memcached_ticket_keys_start(tk, a->keys_memcached, group,
                                               a->keys_rotate > 0 ? (unsigned)a->keys_rotate : 0,
                                               a->keys_keep > 0 ? (unsigned)a->keys_keep : 0, &mk);
    if (rc != 0) {
        fprintf(stderr, "%s: --ticket-keys-memcached %s (group %s): %s\n", prog, a->keys_memcached,
                group, clasp_strerror(rc));
        return -1;
    }
    f->keys = mk;
    size_t n = 0;
    uint64_t ok = 0;
    clasp_memcached_ticket_keys_status(mk, &n, &ok);
    if (ok)
        fprintf(stderr, "%s: ticket keys from memcached %s, group %s: %zu keys\n", prog,
                a->keys_memcached, group, n);
    else
        fprintf(stderr, "%s: ticket keys: memcached %s does not answer; own keys until it does\n",
                prog, a->keys_memcached);
    return 0;
}

void tool_fleet_close(tool_fleet *f)
{
    clasp_memcached_ticket_keys_stop(f->keys);
    clasp_memcached_store_free(f->store);
    f->keys = f->store = NULL;
}

#else /* without libclasp-memcached */

static int no_memcached(const char *prog, const char *opt)
{
    fprintf(stderr,
            "%s: %s: this clasp-server was built without libclasp-memcached "
            "(libmemcached was not found at build time)\n",
            prog, opt);
    return -1;
}

int tool_fleet_store(const char *prog, tool_fleet *f, const tool_fleet_args *a, clasp_config *cfg)
{
    return no_memcached(prog, "--session-store");
}

int tool_fleet_keys(const char *prog, tool_fleet *f, const tool_fleet_args *a, const char *context,
                    clasp_ticket_keys *tk)
{
    return no_memcached(prog, "--ticket-keys-memcached");
}

void tool_fleet_close(tool_fleet *f)
{
}

#endif

/* ---- --rotate-ticket-keys FILE ---- */

/* The keys of FILE (none when it does not exist); -1 after printing why not. */
static int read_ring(const char *prog, const char *path, clasp_ticket_key *ring, size_t *n)
{
    static char text[65537];
    *n = 0;
    FILE *fp = fopen(path, "r");
    if (!fp && errno == ENOENT)
        return 0;
    if (!fp) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        return -1;
    }
    size_t len = fread(text, 1, sizeof(text), fp);
    int bad = ferror(fp) || len == sizeof(text);
    fclose(fp);
    int rc = bad ? CLASP_ERR_INVALID_ARG : clasp_ticket_keys_parse(text, len, ring, RING_MAX, n);
    memset(text, 0, sizeof(text));
    if (rc != 0)
        fprintf(stderr, "%s: %s: not a key file (NAME SECRET NOT_BEFORE a line, at most %d)\n",
                prog, path, RING_MAX);
    return rc ? -1 : 0;
}

/* The ring into a new file beside path (mode 0600), synced, then renamed over path: a
 * server reading path sees the old file or the new one, never half of one. */
static int write_ring(const char *prog, const char *path, const clasp_ticket_key *ring, size_t n)
{
    char text[RING_MAX * 128], tmp[4096];
    size_t len;
    int fd = -1,
        ok = clasp_ticket_keys_format(ring, n, text, sizeof(text), &len) == 0 &&
             snprintf(tmp, sizeof(tmp), "%s.%ld.tmp", path, (long)getpid()) < (int)sizeof(tmp);
    if (ok)
        ok = (fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) >= 0;
    if (ok)
        ok = write(fd, text, len) == (ssize_t)len && fsync(fd) == 0;
    if (fd >= 0 && close(fd) != 0)
        ok = 0;
    if (ok)
        ok = rename(tmp, path) == 0;
    if (!ok) {
        fprintf(stderr, "%s: %s: %s\n", prog, path, strerror(errno));
        if (fd >= 0)
            unlink(tmp);
    }
    memset(text, 0, sizeof(text));
    return ok ? 0 : -1;
}

int tool_fleet_rotate_file(const char *prog, const char *path, const tool_fleet_args *a)
{
    clasp_ticket_key ring[RING_MAX];
    size_t n = 0;
    unsigned keep = a->keys_keep > 0 ? (unsigned)a->keys_keep : DEFAULT_KEEP;
    unsigned announce = a->keys_announce >= 0 ? (unsigned)a->keys_announce : DEFAULT_ANNOUNCE;
    unsigned period = a->keys_rotate > 0 ? (unsigned)a->keys_rotate : 0;
    int status = 1;
    if (read_ring(prog, path, ring, &n) == 0) {
        size_t before = n;
        int rc = clasp_ticket_key_ring_rotate(ring, &n, RING_MAX, (uint64_t)time(NULL), period,
                                              announce, keep);
        if (rc < 0)
            fprintf(stderr, "%s: --rotate-ticket-keys: %s\n", prog, clasp_strerror(rc));
        else if (rc == 0 && n == before)
            status = 0; /* nothing due, nothing to write */
        else if (write_ring(prog, path, ring, n) == 0)
            status = 0;
        if (status == 0)
            fprintf(stderr, "%s: %s: %s; %zu keys, the newest sealing from %llu\n", prog, path,
                    rc == 1 ? "a key added" : "no key due", n,
                    (unsigned long long)ring[0].not_before);
    }
    memset(ring, 0, sizeof(ring));
    return status;
}
