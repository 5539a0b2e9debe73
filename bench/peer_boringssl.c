/*
 * bench-peer-boringssl: BoringSSL's side of the handshake benchmark (hs_ossl.c compiled
 * against BoringSSL), in a process of its own because BoringSSL's symbols collide with
 * OpenSSL's. clasp-bench-handshake runs it once per round (hs_boringssl.c) and reads one
 * line: "ok N CPU WALL CLIENT SERVER DESC", "unsupported WHY" or "failed WHY".
 *
 *   bench-peer-boringssl SCENARIO HOST SECONDS COUNT ROOT CHAIN KEY
 *
 * ROOT, CHAIN and KEY are PEM text. SECONDS and COUNT as bench_measure takes them; both 0:
 * only the setup, which runs one handshake (the check).
 */
#include <stdio.h>
#include <stdlib.h>

#include "bench.h"
#include "hs_impls.h"

static int report(const bench_result *r, const char *desc)
{
    printf("ok %ld %.9f %.9f %.9f %.9f %s\n", r->n, r->cpu, r->wall, r->side[BENCH_CLIENT],
           r->side[BENCH_SERVER], desc);
    return 0;
}

int main(int argc, char **argv)
{
    int sc = argc == 8 ? bench_scenario_find(argv[1]) : -1;
    if (sc < 0) {
        fprintf(stderr, "usage: %s SCENARIO HOST SECONDS COUNT ROOT CHAIN KEY\n", argv[0]);
        return 2;
    }
    int rsa = bench_scenarios[sc].rsa;
    bench_pki pki = {{NULL, NULL}, {NULL, NULL}, {NULL, NULL}};
    pki.root[rsa] = argv[5];
    pki.chain[rsa] = argv[6];
    pki.key[rsa] = argv[7];
    double seconds = atof(argv[3]);
    long count = atol(argv[4]);
    char desc[256];
    void *ctx = NULL;
    bench_status st = bench_openssl.setup(&ctx, sc, &pki, argv[2], 0, desc, sizeof(desc));
    if (st != BENCH_OK) {
        printf("%s %s\n", st == BENCH_UNSUPPORTED ? "unsupported" : "failed", desc);
        return 0;
    }
    bench_result warm, r = {0, 0, 0, {0, 0}};
    /* Each round is a fresh process: warm it up as the in-process rows are by earlier ones. */
    int rc = 0;
    if (seconds > 0 || count > 0)
        rc = bench_measure(&bench_openssl, ctx, seconds / 4 < 0.05 ? seconds / 4 : 0.05,
                           count > 0 ? 1 : 0, &warm) ||
             bench_measure(&bench_openssl, ctx, seconds, count, &r);
    bench_openssl.teardown(ctx);
    if (rc != 0) {
        printf("failed a measured handshake\n");
        return 0;
    }
    return report(&r, desc);
}
