/*
 * libFuzzer target: arbitrary bytes arrive at a TLS 1.3 client that has sent its
 * ClientHello. This reaches the ServerHello and HelloRetryRequest checks, the second
 * ClientHello, and the record layer under the handshake keys (where nearly everything
 * fails authentication, as it must).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include <clasp/clasp.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* A listener, so that every message is also described for the trace (trace_describe.c). */
static void ignore_event(void *arg, clasp_conn *conn, const clasp_trace_event *ev)
{
    (void)arg;
    (void)conn;
    (void)ev;
}

static clasp_config *client_config(void)
{
    static clasp_config *cfg;
    if (!cfg) {
        cfg = clasp_config_new(CLASP_CLIENT);
        if (!cfg || clasp_config_set_key_shares(cfg, 2) != 0 ||
            clasp_config_set_alpn(cfg, "http/1.1") != 0 ||
            clasp_config_set_trace(cfg, ignore_event, NULL) != 0)
            abort();
    }
    return cfg;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    clasp_conn *c = clasp_conn_new(client_config());
    clasp_conn_set_server_name(c, "server.test");
    const uint8_t *out;
    size_t out_len;
    clasp_conn_output(c, &out, &out_len); /* the ClientHello */
    clasp_conn_output_done(c, out_len);
    size_t step = data[0] ? data[0] : size;
    data++;
    size--;
    for (size_t off = 0; off < size && !clasp_conn_error(c);) {
        size_t n = size - off < step ? size - off : step, used = 0;
        clasp_conn_feed(c, data + off, n, &used);
        clasp_conn_output(c, &out, &out_len);
        clasp_conn_output_done(c, out_len);
        if (used == 0)
            break;
        off += used;
    }
    clasp_conn_free(c);
    return 0;
}
