/* The scenarios, the one measuring loop every implementation is timed with, the transport. */
#define _DEFAULT_SOURCE /* MAP_ANONYMOUS */
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>

#include "bench.h"

const bench_scenario_info bench_scenarios[SC_COUNT] = {
    [SC_TLS13_ECDSA] = {"tls13-ecdsa", "TLS 1.3 full handshake, ECDSA P-256 chain", 0, 0,
                        RESUME_NONE},
    [SC_TLS13_RSA] = {"tls13-rsa", "TLS 1.3 full handshake, RSA-2048 chain", 0, 1, RESUME_NONE},
    [SC_TLS12_ECDSA] = {"tls12-ecdsa", "TLS 1.2 ECDHE-ECDSA full handshake, ECDSA P-256 chain", 1,
                        0, RESUME_NONE},
    [SC_TLS12_ID] = {"tls12-resume-id", "TLS 1.2 resumption by session ID", 1, 0, RESUME_ID},
    [SC_TLS13_PSK] = {"tls13-resume", "TLS 1.3 resumption with a ticket (psk_dhe_ke, x25519)", 0, 0,
                      RESUME_TICKET},
    [SC_TLS12_TICKET] = {"tls12-resume-ticket", "TLS 1.2 resumption with a ticket (RFC 5077)", 1, 0,
                         RESUME_TICKET},
};

int bench_scenario_find(const char *name)
{
    for (int i = 0; i < SC_COUNT; i++)
        if (strcmp(bench_scenarios[i].name, name) == 0)
            return i;
    return -1;
}

void bench_describe(char *desc, size_t cap, int tls13, const char *suite, const char *group,
                    int resumed)
{
    if (!tls13 && resumed)
        group = NULL; /* it exchanged no keys */
    else if (!group)
        group = "none";
    snprintf(desc, cap, "%s %s%s%s", tls13 ? "TLS 1.3" : "TLS 1.2", suite ? suite : "none",
             group ? " " : "", group ? group : "");
}

int bench_alternate(void *conn[2], int (*step)(void *conn), bench_split *split)
{
    int done[2] = {0, 0}, rc;
    for (int round = 0; round < 32 && !(done[0] && done[1]); round++)
        for (int who = 0; who < 2; who++) {
            if (done[who])
                continue;
            BENCH_ON(split, who, rc = step(conn[who]));
            if (rc < 0)
                return -1;
            done[who] = rc;
        }
    return done[0] && done[1] ? 0 : -1;
}

bench_status bench_setup_finish(void *b, int configured, bench_resume resume,
                                bench_handshake_fn handshake, void (*teardown)(void *), void **ctx,
                                char *desc, size_t cap)
{
    bench_split split = {{0, 0}};
    if (!configured)
        snprintf(desc, cap, "configuration refused");
    if (!configured || handshake(b, &split, desc, cap) != 0 ||
        (resume != RESUME_NONE && handshake(b, &split, desc, cap) != 0)) {
        teardown(b);
        return BENCH_FAILED;
    }
    *ctx = b;
    return BENCH_OK;
}

int bench_open_pair_finish(int rc, void *c[2], int (*transfer)(void *from, void *to),
                           void (*close_conn)(void *conn, int who), void *conn[2])
{
    for (int who = 0; rc == 0 && who < 2; who++)
        rc = transfer(c[who], c[!who]);
    for (int who = 0; who < 2; who++) {
        if (rc != 0)
            close_conn(c[who], who);
        conn[who] = rc == 0 ? c[who] : NULL;
    }
    return rc;
}

static double cpu_now(void)
{
    struct timespec t;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t);
    return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

/*
 * The loop ends on wall time (a cheap clock to read every handshake), but the rate is taken
 * over this thread's CPU time (read twice), so time the machine gave to other processes does
 * not count against whichever implementation was running.
 */
int bench_measure(const bench_impl *im, void *ctx, double seconds, long count, bench_result *r)
{
    if (im->measure)
        return im->measure(ctx, seconds, count, r);
    bench_split split = {{0, 0}};
    memset(r, 0, sizeof(*r));
    double c0 = cpu_now(), w0 = bench_now(), w;
    do {
        if (im->once(ctx, &split) != 0)
            return -1;
        r->n++;
        w = bench_now() - w0;
    } while (count > 0 ? r->n < count : w < seconds);
    r->cpu = cpu_now() - c0;
    r->wall = w;
    r->side[BENCH_CLIENT] = split.side[BENCH_CLIENT];
    r->side[BENCH_SERVER] = split.side[BENCH_SERVER];
    return 0;
}

/*
 * Setup runs one handshake, so a client that expects another host name must fail there;
 * with the right name, setup and a measured handshake must both work.
 */
int bench_check(const bench_impl *im, bench_scenario sc, const bench_pki *pki, int variant,
                char *desc, size_t cap)
{
    void *ctx = NULL;
    char why[256];
    bench_status st = im->setup(&ctx, sc, pki, "wrong.test", variant, why, sizeof(why));
    if (st == BENCH_OK) {
        im->teardown(ctx);
        snprintf(desc, cap, "a client expecting another host name was not refused");
        return BENCH_FAILED;
    }
    if (st == BENCH_UNSUPPORTED) {
        snprintf(desc, cap, "%s", why);
        return st;
    }
    st = im->setup(&ctx, sc, pki, BENCH_HOST, variant, desc, cap);
    if (st != BENCH_OK)
        return st;
    bench_result r;
    int rc = bench_measure(im, ctx, 0, 1, &r);
    im->teardown(ctx);
    if (rc != 0) {
        snprintf(desc, cap, "a measured handshake failed");
        return BENCH_FAILED;
    }
    return BENCH_OK;
}

bench_link *bench_links_new(size_t n)
{
    void *p = mmap(NULL, n * sizeof(bench_link), PROT_READ | PROT_WRITE,
                   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED)
        return NULL;
    for (size_t i = 0; i < n; i++)
        bench_link_reset((bench_link *)p + i);
    return p;
}

void bench_links_free(bench_link *links, size_t n)
{
    if (links)
        munmap(links, n * sizeof(bench_link));
}

void bench_link_reset(bench_link *l)
{
    for (int who = 0; who < 2; who++) {
        l->q[who].len = l->q[who].off = 0;
        l->end[who].in = &l->q[who];
        l->end[who].out = &l->q[!who];
    }
}

long bench_end_write(bench_end *e, const void *data, size_t n)
{
    bench_queue *q = e->out;
    if (q->off == q->len)
        q->off = q->len = 0;
    if (n > BENCH_QUEUE_CAP - q->len)
        return -1;
    memcpy(q->data + q->len, data, n);
    q->len += n;
    return (long)n;
}

long bench_end_read(bench_end *e, void *data, size_t n)
{
    bench_queue *q = e->in;
    size_t have = q->len - q->off;
    if (have == 0)
        return -1;
    n = n < have ? n : have;
    memcpy(data, q->data + q->off, n);
    q->off += n;
    return (long)n;
}
