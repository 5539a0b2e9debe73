/*
 * Heap held by an idle connection: clasp beside OpenSSL (with its defaults and with
 * SSL_MODE_RELEASE_BUFFERS) and GnuTLS, in one run. N client and server pairs complete a
 * handshake (the handshake benchmark's TLS 1.3 and TLS 1.2 ECDSA scenarios: leaf +
 * intermediate, host name verified; no session cache, no tickets) and exchange 100 bytes
 * each way, then sit idle. glibc's count of heap bytes in use is read before, with every pair
 * open, after the clients are freed and after the servers are: the client's and the
 * server's share per connection, separately.
 *
 * One count for every library: glibc's (mallinfo2), so it includes malloc's own overhead
 * per block, as a process really pays it. GnuTLS cannot take allocator hooks, so counting
 * hooks (CRYPTO_set_mem_functions, clasp_set_allocator) could not be used for all three.
 * The transport's buffers are outside malloc (bench_links_new). glibc keeps freed blocks in
 * a per-thread cache that mallinfo2 counts as in use, so the program runs itself again with
 * that cache off (GLIBC_TUNABLES).
 *
 *   clasp-bench-memory [--pairs N]
 */
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench.h"
#include "hs_impls.h"
#include "bench_pki.h"

#define MAX_PAIRS 1024
#define TUNABLE   "glibc.malloc.tcache_count=0"

static long heap_in_use(void)
{
    struct mallinfo2 m = mallinfo2();
    return (long)(m.uordblks + m.hblkhd);
}

typedef struct row {
    const bench_impl *im;
    int variant;
    const char *note;
} row;

static const row rows[] = {
    {&bench_clasp, 0, ""},
    {&bench_openssl, 0, " (defaults)"},
    {&bench_openssl, 1, " (SSL_MODE_RELEASE_BUFFERS)"},
#ifdef CLASP_BENCH_GNUTLS
    {&bench_gnutls, 0, ""},
#endif
};
#define N_ROWS (sizeof(rows) / sizeof(rows[0]))

static void *conns[MAX_PAIRS][2];

/* Bytes per connection held by the clients ([0]) and the servers ([1]); 0 when it worked. */
static int measure(const row *r, bench_scenario sc, const bench_pki *pki, int pairs, long per[2])
{
    void *ctx = NULL;
    char desc[256];
    bench_link *links = bench_links_new((size_t)pairs);
    int rc = links ? -1 : -2;
    if (links && r->im->setup(&ctx, sc, pki, BENCH_HOST, r->variant, desc, sizeof(desc)) == 0)
        rc = r->im->open_pair(ctx, &links[0], conns[0]); /* warm up: nothing lazy is counted */
    if (rc == 0) {
        r->im->close_conn(conns[0][BENCH_CLIENT], BENCH_CLIENT);
        r->im->close_conn(conns[0][BENCH_SERVER], BENCH_SERVER);
    }
    long before = heap_in_use();
    for (int i = 0; rc == 0 && i < pairs; i++)
        rc = r->im->open_pair(ctx, &links[i], conns[i]);
    long all = heap_in_use();
    for (int i = 0; rc == 0 && i < pairs; i++)
        r->im->close_conn(conns[i][BENCH_CLIENT], BENCH_CLIENT);
    long servers = heap_in_use();
    for (int i = 0; rc == 0 && i < pairs; i++)
        r->im->close_conn(conns[i][BENCH_SERVER], BENCH_SERVER);
    per[BENCH_CLIENT] = (all - servers) / pairs;
    per[BENCH_SERVER] = (servers - before) / pairs;
    if (ctx)
        r->im->teardown(ctx);
    bench_links_free(links, (size_t)pairs);
    if (rc != 0)
        fprintf(stderr, "%s: %s%s: %s\n", bench_scenarios[sc].name, r->im->name, r->note,
                rc == -2 ? "no memory for the links" : "a connection failed");
    return rc;
}

/* Runs itself again with glibc's thread cache off, once; goes on as it is if it cannot. */
static void without_tcache(char **argv)
{
    const char *t = getenv("GLIBC_TUNABLES");
    char buf[512];
    if (t && strstr(t, TUNABLE))
        return;
    snprintf(buf, sizeof(buf), "%s%s" TUNABLE, t ? t : "", t ? ":" : "");
    setenv("GLIBC_TUNABLES", buf, 1);
    execv("/proc/self/exe", argv);
}

static void print_row(const row *r, const long per[2][2], const long clasp_total[2])
{
    char name[96];
    snprintf(name, sizeof(name), "%s %s%s", r->im->name, r->im->version(), r->note);
    printf("  %-46s", name);
    for (int v = 0; v < 2; v++) {
        long total = per[v][0] + per[v][1];
        printf(" %8ld %8ld", per[v][0], per[v][1]);
        if (clasp_total[v] > 0)
            printf(" %5.1fx", (double)total / (double)clasp_total[v]);
        else
            printf(" %6s", "-");
    }
    printf("\n");
}

static int run(const bench_pki *pki, int pairs)
{
    static const bench_scenario sc[2] = {SC_TLS13_ECDSA, SC_TLS12_ECDSA};
    long per[N_ROWS][2][2], clasp_total[2] = {0, 0};
    for (size_t i = 0; i < N_ROWS; i++)
        for (int v = 0; v < 2; v++)
            if (measure(&rows[i], sc[v], pki, pairs, per[i][v]) != 0)
                return 1;
    for (int v = 0; v < 2; v++)
        clasp_total[v] = per[0][v][0] + per[0][v][1];
    printf("heap per idle connection, after the handshake and %d bytes each way (%d pairs;\n"
           "bytes in use by glibc's count, malloc's overhead included; x: client + server,\n"
           "as a multiple of clasp's)\n",
           BENCH_EXCHANGE, pairs);
    printf("  %-46s %17s %6s %17s\n", "", "TLS 1.3", "", "TLS 1.2");
    printf("  %-46s %8s %8s %6s %8s %8s\n", "", "client", "server", "", "client", "server");
    for (size_t i = 0; i < N_ROWS; i++)
        print_row(&rows[i], (const long(*)[2])per[i], clasp_total);
    if (clasp_total[0] <= 0 || clasp_total[1] <= 0)
        printf("  (no heap counted: this malloc does not report through mallinfo2, as under "
               "a sanitizer)\n");
#ifndef CLASP_BENCH_GNUTLS
    printf("  (GnuTLS: not built in)\n");
#endif
    return 0;
}

int main(int argc, char **argv)
{
    int pairs = 64;
    if (argc == 3 && strcmp(argv[1], "--pairs") == 0)
        pairs = atoi(argv[2]);
    else if (argc != 1)
        pairs = 0;
    if (pairs < 1 || pairs > MAX_PAIRS) {
        fprintf(stderr, "usage: %s [--pairs N]   (N: 1 to %d)\n", argv[0], MAX_PAIRS);
        return 2;
    }
    without_tcache(argv);
    bench_chains chains;
    bench_chains_make(&chains, 0);
    int rc = run(&chains.pki, pairs);
    bench_chains_free(&chains);
    return rc;
}
