#include <stdio.h>
#include <string.h>

#include "bench_pki.h"

static void make_chain(bench_chains *c, int i, test_key kt, const char *name)
{
    char cn[64];
    test_cert_opts leaf = {.cn = BENCH_HOST, .san = "DNS:" BENCH_HOST};
    snprintf(cn, sizeof(cn), "bench %s root CA", name);
    c->root[i] = test_ca_new(kt, cn);
    snprintf(cn, sizeof(cn), "bench %s intermediate CA", name);
    c->inter[i] = test_ca_intermediate(c->root[i], kt, cn);
    test_issue(c->inter[i], kt, &leaf, &c->leaf[i]);
    c->pki.root[i] = test_ca_pem(c->root[i])->pem;
    c->pki.chain[i] = c->leaf[i].chain.pem;
    c->pki.key[i] = c->leaf[i].key.pem;
}

void bench_chains_make(bench_chains *c, int with_rsa)
{
    memset(c, 0, sizeof(*c));
    make_chain(c, 0, TK_P256, "ECDSA");
    if (with_rsa)
        make_chain(c, 1, TK_RSA2048, "RSA");
}

void bench_chains_free(bench_chains *c)
{
    for (int i = 0; i < 2; i++) {
        if (c->root[i])
            test_cert_free(&c->leaf[i]);
        test_ca_free(c->inter[i]);
        test_ca_free(c->root[i]);
    }
    memset(c, 0, sizeof(*c));
}
