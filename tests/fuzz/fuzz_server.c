/*
 * libFuzzer target: arbitrary bytes arrive at a TLS 1.3 server that has just been created.
 * This reaches the record layer's framing and limits, the driver's record handling, and the
 * whole ClientHello negotiation, including HelloRetryRequest and the second ClientHello
 * (both in plaintext records). The first byte chooses how the input is cut into feeds, so
 * record and message reassembly across feeds is exercised too.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <clasp/clasp.h>

#include "pki.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A listener, so that every message is also described for the trace (trace_describe.c). */
static void ignore_event(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    (void)arg;
    (void)conn;
    (void)ev;
}

static clasp_config *server_config(void)
{
    static clasp_config *cfg;
    if (cfg)
        return cfg;
    test_ca *ca = test_ca_new(TK_P256, "fuzz CA");
    test_cert leaf;
    test_cert_opts o = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(ca, TK_P256, &o, &leaf);
    cfg = clasp_config_new(CLASP_SERVER);
    if (!cfg ||
        clasp_config_add_cert_chain_pem(cfg, (const uint8_t *)leaf.chain.pem, leaf.chain.len,
                                        (const uint8_t *)leaf.key.pem, leaf.key.len) != 0 ||
        clasp_config_set_groups(cfg, "secp256r1:x25519") != 0 ||
        clasp_config_set_alpn(cfg, "h2,http/1.1") != 0 ||
        clasp_config_set_trace(cfg, ignore_event, NULL) != 0)
        abort();
    /* A server that asks for client certificates parses more. */
    clasp_config_set_verify(cfg, CLASP_VERIFY_OPTIONAL);
    test_cert_free(&leaf);
    test_ca_free(ca);
    return cfg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    clasp_conn *c = clasp_conn_new(server_config());
    size_t step = data[0] ? data[0] : size;
    data++;
    size--;
    for (size_t off = 0; off < size && !clasp_conn_error(c);) {
        size_t n = size - off < step ? size - off : step, used = 0;
        clasp_conn_feed(c, data + off, n, &used);
        const uint8_t *out;
        size_t out_len;
        clasp_conn_output(c, &out, &out_len);
        clasp_conn_output_done(c, out_len);
        if (used == 0)
            break;
        off += used;
    }
    clasp_conn_free(c);
    return 0;
}
