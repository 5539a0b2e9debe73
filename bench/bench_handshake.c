/*
 * Handshakes per second: clasp beside OpenSSL, GnuTLS and BoringSSL (those built in), in
 * one process and one run. Each scenario runs in rounds; a round measures every
 * implementation in turn, starting one further along each time, so slow drifts of a shared
 * machine fall on all of them alike. Prints each one's median rate with its spread, the CPU
 * time inside its client's and its server's calls, and clasp's ratio to each peer (the
 * median of the per-round ratios). Every client trusts only a root CA and verifies the host
 * name; every server sends its leaf and the intermediate that issued it. A measurement,
 * never a test: nothing passes or fails on a clock (docs/performance.md).
 *
 *   clasp-bench-handshake [--rounds N] [--seconds S] [--count N] [--scenario A,B]
 *                         [--impl clasp,openssl,gnutls,boringssl] [--list]
 *
 * CLASP_BENCH_ROUNDS and CLASP_BENCH_SECONDS set the defaults (7 rounds, 0.3 s).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bench.h"
#include "hs_impls.h"
#include "bench_pki.h"

#define MAX_ROUNDS 99
#define MAX_ROWS   8

typedef struct impl_entry {
    const char *key; /* for --impl */
    const bench_impl *im;
} impl_entry;

static const impl_entry impls[] = {
    {"clasp", &bench_clasp},
    {"openssl", &bench_openssl},
#ifdef CLASP_BENCH_GNUTLS
    {"gnutls", &bench_gnutls},
#endif
#ifdef CLASP_BENCH_BORINGSSL_RUNNER
    {"boringssl", &bench_boringssl},
#endif
};
#define N_IMPLS (sizeof(impls) / sizeof(impls[0]))

typedef struct options {
    int rounds;
    double seconds;
    long count;
    int scenario[SC_COUNT]; /* 1: run it */
    int impl[N_IMPLS];      /* 1: run it */
} options;

typedef struct row {
    const bench_impl *im;
    int variant;
    char label[64];
    void *ctx;
    int status;
    char desc[256];
    double rate[MAX_ROUNDS], us[2][MAX_ROUNDS];
} row;

/* The end-of-run table: clasp's median ratio to each peer, per scenario and clasp row. */
typedef struct summary_line {
    char what[96];
    double ratio[N_IMPLS]; /* by impls[] index; 0 when not measured */
} summary_line;

static summary_line summary[SC_COUNT * 2];
static int n_summary;

static int by_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Median, and min and max, of v[0..n). */
static double stats(const double *v, int n, double *lo, double *hi)
{
    double s[MAX_ROUNDS];
    memcpy(s, v, (size_t)n * sizeof(double));
    qsort(s, (size_t)n, sizeof(double), by_double);
    *lo = s[0];
    *hi = s[n - 1];
    return n % 2 ? s[n / 2] : (s[n / 2 - 1] + s[n / 2]) / 2;
}

static int make_rows(const options *o, bench_scenario sc, row *rows)
{
    int n = 0;
    int cache_rows = bench_clasp_verify_cache && bench_scenarios[sc].resume == RESUME_NONE;
    for (size_t i = 0; i < N_IMPLS; i++) {
        if (!o->impl[i])
            continue;
        int variants = impls[i].im == &bench_clasp && cache_rows ? 2 : 1;
        for (int v = 0; v < variants; v++, n++) {
            memset(&rows[n], 0, sizeof(rows[n]));
            rows[n].im = impls[i].im;
            rows[n].variant = v;
            if (impls[i].im == &bench_clasp)
                snprintf(rows[n].label, sizeof(rows[n].label), "clasp%s",
                         !cache_rows ? ""
                         : v         ? ", verify cache off"
                                     : ", verify cache on");
            else
                snprintf(rows[n].label, sizeof(rows[n].label), "%s %s", impls[i].im->name,
                         impls[i].im->version());
        }
    }
    return n;
}

/* Checks and sets up every row; unsupported rows stay in with their reason. */
static int prepare(const options *o, bench_scenario sc, const bench_pki *pki, row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        row *r = &rows[i];
        r->status = bench_check(r->im, sc, pki, r->variant, r->desc, sizeof(r->desc));
        if (r->status == BENCH_OK)
            r->status =
                r->im->setup(&r->ctx, sc, pki, BENCH_HOST, r->variant, r->desc, sizeof(r->desc));
        if (r->status == BENCH_FAILED) {
            fprintf(stderr, "%s: %s: %s\n", bench_scenarios[sc].name, r->label, r->desc);
            return -1;
        }
        bench_result warm; /* the first round is not the only one to meet cold caches */
        if (r->status == BENCH_OK && !r->im->measure &&
            bench_measure(r->im, r->ctx, o->seconds / 3, o->count ? 1 : 0, &warm) != 0) {
            fprintf(stderr, "%s: %s: a handshake failed\n", bench_scenarios[sc].name, r->label);
            return -1;
        }
    }
    return 0;
}

/* The rounds: every measured row once per round, starting one row further each time. */
static int measure(const options *o, bench_scenario sc, row *rows, int n)
{
    row *live[MAX_ROWS];
    int nl = 0;
    for (int i = 0; i < n; i++)
        if (rows[i].status == BENCH_OK)
            live[nl++] = &rows[i];
    for (int round = 0; round < o->rounds; round++)
        for (int k = 0; k < nl; k++) {
            row *r = live[(round + k) % nl];
            bench_result res;
            if (bench_measure(r->im, r->ctx, o->seconds, o->count, &res) != 0 || res.n == 0 ||
                res.wall <= 0) {
                fprintf(stderr, "%s: %s: a measured handshake failed\n", bench_scenarios[sc].name,
                        r->label);
                return -1;
            }
            /* The split is measured in wall time; scaled to the CPU time per handshake. */
            res.cpu = res.cpu > 0 ? res.cpu : res.wall; /* a clock too coarse for a few */
            double cpu_per = res.cpu / (double)res.n;
            r->rate[round] = (double)res.n / res.cpu;
            for (int side = 0; side < 2; side++)
                r->us[side][round] = cpu_per * (res.side[side] / res.wall) * 1e6;
        }
    return 0;
}

static void print_negotiated(const row *rows, int n)
{
    const row *first = NULL;
    int same = 1;
    for (int i = 0; i < n; i++)
        if (rows[i].status == BENCH_OK) {
            if (first && strcasecmp(first->desc, rows[i].desc) != 0)
                same = 0;
            first = first ? first : &rows[i];
        }
    if (first && same)
        printf("  negotiated: %s (the same for every implementation)\n", first->desc);
    for (int i = 0; !same && i < n; i++)
        if (rows[i].status == BENCH_OK)
            printf("  negotiated by %s: %s\n", rows[i].label, rows[i].desc);
}

static void print_rows(const options *o, const row *rows, int n)
{
    printf("  %-34s %22s  %17s\n", "", "handshakes/s", "CPU us/handshake");
    printf("  %-34s %8s  %13s  %8s %8s\n", "", "median", "(min..max)", "client", "server");
    for (int i = 0; i < n; i++) {
        const row *r = &rows[i];
        double lo, hi, u0, u1, x;
        if (r->status != BENCH_OK) {
            printf("  %-34s not run: %s\n", r->label, r->desc);
            continue;
        }
        double med = stats(r->rate, o->rounds, &lo, &hi);
        u0 = stats(r->us[0], o->rounds, &x, &x);
        u1 = stats(r->us[1], o->rounds, &x, &x);
        char spread[32];
        snprintf(spread, sizeof(spread), "(%.0f..%.0f)", lo, hi);
        printf("  %-34s %8.0f  %13s  %8.1f %8.1f\n", r->label, med, spread, u0, u1);
    }
}

/* clasp's rows against each peer's: the median and spread of the per-round ratios. */
static void print_ratios(const options *o, bench_scenario sc, const row *rows, int n)
{
    for (int i = 0; i < n; i++) {
        const row *c = &rows[i];
        if (c->im != &bench_clasp)
            continue;
        summary_line *s = &summary[n_summary++];
        memset(s, 0, sizeof(*s));
        snprintf(s->what, sizeof(s->what), "%s%s", bench_scenarios[sc].name,
                 c->status != BENCH_OK   ? " (clasp not run)"
                 : strchr(c->label, ',') ? strchr(c->label, ',')
                                         : "");
        if (c->status != BENCH_OK)
            continue;
        for (int j = 0; j < n; j++) {
            const row *p = &rows[j];
            if (p->im == &bench_clasp || p->status != BENCH_OK)
                continue;
            double ratio[MAX_ROUNDS], lo, hi;
            for (int r = 0; r < o->rounds; r++)
                ratio[r] = c->rate[r] / p->rate[r];
            double med = stats(ratio, o->rounds, &lo, &hi);
            printf("  %s / %s: %.2fx (%.2f..%.2f)\n", c->label, p->im->name, med, lo, hi);
            for (size_t k = 0; k < N_IMPLS; k++)
                if (impls[k].im == p->im)
                    s->ratio[k] = med;
        }
    }
}

static int run_scenario(const options *o, bench_scenario sc, const bench_pki *pki)
{
    row rows[MAX_ROWS];
    int n = make_rows(o, sc, rows), rc = prepare(o, sc, pki, rows, n);
    if (rc == 0)
        rc = measure(o, sc, rows, n);
    if (rc == 0) {
        printf("\n%s [%s]\n", bench_scenarios[sc].title, bench_scenarios[sc].name);
        print_negotiated(rows, n);
        print_rows(o, rows, n);
        print_ratios(o, sc, rows, n);
        fflush(stdout);
    }
    for (int i = 0; i < n; i++)
        if (rows[i].ctx)
            rows[i].im->teardown(rows[i].ctx);
    return rc;
}

static void print_summary(const options *o)
{
    printf("\nsummary: clasp's rate / each peer's (median of the per-round ratios)\n");
    printf("  %-36s", "");
    for (size_t k = 1; k < N_IMPLS; k++)
        if (o->impl[k])
            printf(" %10s", impls[k].im->name);
    printf("\n");
    for (int i = 0; i < n_summary; i++) {
        printf("  %-36s", summary[i].what);
        for (size_t k = 1; k < N_IMPLS; k++)
            if (o->impl[k] && summary[i].ratio[k] > 0)
                printf(" %9.2fx", summary[i].ratio[k]);
            else if (o->impl[k])
                printf(" %10s", "-");
        printf("\n");
    }
}

/* A comma-separated list of names into flags; 0 when every name is known. */
static int pick(const char *list, int *flags, int n, const char *(*name)(int))
{
    char buf[256];
    snprintf(buf, sizeof(buf), "%s", list);
    memset(flags, 0, (size_t)n * sizeof(int));
    for (char *save, *t = strtok_r(buf, ",", &save); t; t = strtok_r(NULL, ",", &save)) {
        int found = 0;
        for (int i = 0; i < n; i++)
            if (strcmp(name(i), t) == 0)
                flags[i] = found = 1;
        if (!found) {
            fprintf(stderr, "unknown name: %s (--list shows them)\n", t);
            return -1;
        }
    }
    return 0;
}

static const char *scenario_name(int i)
{
    return bench_scenarios[i].name;
}

static const char *impl_name(int i)
{
    return impls[i].key;
}

static void list(void)
{
    printf("scenarios:\n");
    for (int i = 0; i < SC_COUNT; i++)
        printf("  %-22s %s\n", bench_scenarios[i].name, bench_scenarios[i].title);
    printf("implementations built in:\n");
    for (size_t i = 0; i < N_IMPLS; i++)
        printf("  %-22s %s %s\n", impls[i].key, impls[i].im->name, impls[i].im->version());
}

static int parse_options(int argc, char **argv, options *o)
{
    const char *env;
    o->rounds = (env = getenv("CLASP_BENCH_ROUNDS")) ? atoi(env) : 7;
    o->seconds = (env = getenv("CLASP_BENCH_SECONDS")) ? atof(env) : 0.3;
    o->count = 0;
    for (int i = 0; i < SC_COUNT; i++)
        o->scenario[i] = 1;
    for (size_t i = 0; i < N_IMPLS; i++)
        o->impl[i] = 1;
    for (int i = 1; i < argc; i += 2) { /* every option but --list takes a value */
        const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
        if (strcmp(a, "--list") == 0) {
            list();
            exit(0);
        } else if (v && strcmp(a, "--rounds") == 0)
            o->rounds = atoi(v);
        else if (v && strcmp(a, "--seconds") == 0)
            o->seconds = atof(v);
        else if (v && strcmp(a, "--count") == 0)
            o->count = atol(v);
        else if (v && strcmp(a, "--scenario") == 0) {
            if (pick(v, o->scenario, SC_COUNT, scenario_name) != 0)
                return -1;
        } else if (v && strcmp(a, "--impl") == 0) {
            if (pick(v, o->impl, (int)N_IMPLS, impl_name) != 0)
                return -1;
        } else {
            fprintf(stderr,
                    "usage: %s [--rounds N] [--seconds S] [--count N] "
                    "[--scenario A,B] [--impl A,B] [--list]\n",
                    argv[0]);
            return -1;
        }
    }
    if (o->rounds < 1 || o->rounds > MAX_ROUNDS || (o->seconds <= 0 && o->count <= 0)) {
        fprintf(stderr, "rounds: 1 to %d; seconds or count: above 0\n", MAX_ROUNDS);
        return -1;
    }
    return 0;
}

/* The first line of /proc/cpuinfo's "model name", and /proc/loadavg, for the header. */
static void machine(char *cpu, size_t cap, char *load, size_t lcap)
{
    char line[256];
    FILE *f = fopen("/proc/cpuinfo", "r");
    snprintf(cpu, cap, "unknown CPU");
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, "model name", 10) == 0 && strchr(line, ':')) {
            snprintf(cpu, cap, "%s", strchr(line, ':') + 2);
            cpu[strcspn(cpu, "\n")] = 0;
            break;
        }
    if (f)
        fclose(f);
    f = fopen("/proc/loadavg", "r");
    snprintf(load, lcap, "unknown");
    if (f && fgets(line, sizeof(line), f))
        snprintf(load, lcap, "%.14s", line);
    if (f)
        fclose(f);
}

static void print_header(const options *o)
{
    char cpu[128], load[32];
    machine(cpu, sizeof(cpu), load, sizeof(load));
    if (o->count)
        printf("clasp-bench-handshake: %d rounds of %ld handshakes", o->rounds, o->count);
    else
        printf("clasp-bench-handshake: %d rounds of %.2f s", o->rounds, o->seconds);
    printf(" per implementation, in turn, each round starting one further\n");
    printf("  machine: %s; load average at start: %s\n", cpu, load);
    printf("  client and server in this one thread, in memory; every client trusts only the "
           "root CA\n  and verifies the name %s, every server sends leaf + intermediate\n",
           BENCH_HOST);
    printf("  handshakes/s: per second of this thread's CPU time; client, server: CPU time "
           "inside\n  each side's calls (the rest is the in-memory transport)\n");
#ifndef CLASP_BENCH_GNUTLS
    printf("  GnuTLS: not built in (pkg-config gnutls, Debian's libgnutls28-dev)\n");
#endif
#ifndef CLASP_BENCH_BORINGSSL_RUNNER
    printf("  BoringSSL: not built in (Debian's android-libboringssl-dev)\n");
#endif
    if (bench_clasp_verify_cache)
        printf("  clasp caches verified chains by default: shown with the cache on and off; "
               "the\n  peers have no such cache and verify every chain\n");
    else
        printf("  this clasp has no verified-chain cache (clasp_config_set_verify_cache)\n");
}

int main(int argc, char **argv)
{
    options o;
    if (parse_options(argc, argv, &o) != 0)
        return 2;
    print_header(&o);
    bench_chains chains;
    bench_chains_make(&chains, o.scenario[SC_TLS13_RSA]);
    int rc = 0;
    for (int sc = 0; sc < SC_COUNT && rc == 0; sc++)
        if (o.scenario[sc])
            rc = run_scenario(&o, (bench_scenario)sc, &chains.pki);
    if (rc == 0)
        print_summary(&o);
    bench_chains_free(&chains);
    return rc == 0 ? 0 : 1;
}
