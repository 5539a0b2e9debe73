/*
 * BoringSSL in the handshake benchmark, through bench-peer-boringssl: its symbols collide
 * with OpenSSL's, so it runs in a process of its own, started for every measurement and read
 * back as one line (see peer_boringssl.c). The rounds stay interleaved with the others.
 */
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "bench.h"
#include "hs_impls.h"

extern char **environ;

typedef struct peer {
    bench_scenario sc;
    const char *host;
    const bench_pki *pki;
} peer;

/* Runs the peer and reads its line into out; 0 when it ran to the end. */
static int run_peer(const peer *p, double seconds, long count, char *out, size_t cap)
{
    char secs[32], cnt[32];
    snprintf(secs, sizeof(secs), "%.6f", seconds);
    snprintf(cnt, sizeof(cnt), "%ld", count);
    int rsa = bench_scenarios[p->sc].rsa, fd[2], status = 0;
    char *argv[] = {CLASP_BENCH_BORINGSSL_RUNNER,
                    (char *)bench_scenarios[p->sc].name,
                    (char *)p->host,
                    secs,
                    cnt,
                    (char *)p->pki->root[rsa],
                    (char *)p->pki->chain[rsa],
                    (char *)p->pki->key[rsa],
                    NULL};
    posix_spawn_file_actions_t fa;
    pid_t pid;
    out[0] = 0;
    if (pipe(fd) != 0)
        return -1;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, fd[0]);
    int rc = posix_spawn(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(fd[1]);
    size_t len = 0;
    for (ssize_t n = 1; rc == 0 && n > 0 && len + 1 < cap; len += n > 0 ? (size_t)n : 0)
        n = read(fd[0], out + len, cap - 1 - len);
    out[len] = 0;
    out[strcspn(out, "\n")] = 0;
    close(fd[0]);
    if (rc != 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
        WEXITSTATUS(status) != 0)
        return -1;
    return 0;
}

/* Parses "ok N CPU WALL CLIENT SERVER DESC"; desc (when wanted) is the rest of the line. */
static bench_status parse(const char *line, bench_result *r, char *desc, size_t cap)
{
    int used = 0;
    if (sscanf(line, "ok %ld %lf %lf %lf %lf %n", &r->n, &r->cpu, &r->wall, &r->side[0],
               &r->side[1], &used) == 5 &&
        used > 0) {
        if (desc)
            snprintf(desc, cap, "%s", line + used);
        return BENCH_OK;
    }
    if (desc)
        snprintf(desc, cap, "bench-peer-boringssl: %s", line[0] ? line : "no answer");
    return strncmp(line, "unsupported ", 12) == 0 ? BENCH_UNSUPPORTED : BENCH_FAILED;
}

static bench_status boring_setup(void **ctx, bench_scenario sc, const bench_pki *pki,
                                 const char *host, int variant, char *desc, size_t cap)
{
    peer *p = calloc(1, sizeof(*p));
    char line[1024];
    bench_result r;
    (void)variant;
    if (!p)
        return BENCH_FAILED;
    *p = (peer){sc, host, pki};
    bench_status st =
        run_peer(p, 0, 0, line, sizeof(line)) == 0 ? parse(line, &r, desc, cap) : BENCH_FAILED;
    if (st != BENCH_OK) {
        if (st == BENCH_FAILED && !line[0])
            snprintf(desc, cap, "bench-peer-boringssl did not run");
        free(p);
        return st;
    }
    *ctx = p;
    return BENCH_OK;
}

static int boring_measure(void *ctx, double seconds, long count, bench_result *r)
{
    char line[1024];
    memset(r, 0, sizeof(*r));
    if (run_peer(ctx, seconds, count, line, sizeof(line)) != 0)
        return -1;
    return parse(line, r, NULL, 0) == BENCH_OK ? 0 : -1;
}

static void boring_teardown(void *ctx)
{
    free(ctx);
}

static const char *boring_version(void)
{
    return BENCH_BORINGSSL_VERSION;
}

/* No open_pair: a heap in another process is not this one's to count. */
const bench_impl bench_boringssl = {.name = "BoringSSL",
                                    .version = boring_version,
                                    .setup = boring_setup,
                                    .measure = boring_measure,
                                    .teardown = boring_teardown};
