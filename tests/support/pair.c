#include <stdlib.h>
#include <string.h>

#include "pair.h"

int pair_move(clasp_conn *from, clasp_conn *to, size_t chunk)
{
    const uint8_t *out;
    size_t len;
    clasp_conn_output(from, &out, &len);
    int rc = 0;
    while (len && rc == 0) {
        size_t n = chunk && chunk < len ? chunk : len, used;
        rc = clasp_conn_feed(to, out, n, &used);
        clasp_conn_output_done(from, used);
        if (used == 0)
            break; /* to is full of unread application data */
        clasp_conn_output(from, &out, &len);
    }
    return rc;
}

int pair_handshake(clasp_conn *client, clasp_conn *server)
{
    for (int round = 0; round < 16; round++) {
        int rs = pair_move(client, server, 0);
        int rc = pair_move(server, client, 0);
        if (clasp_conn_error(client))
            return clasp_conn_error(client);
        if (clasp_conn_error(server))
            return clasp_conn_error(server);
        if (rs || rc)
            return rs ? rs : rc;
        if (clasp_conn_handshake_done(client) && clasp_conn_handshake_done(server))
            return 0;
    }
    return CLASP_ERR_STATE; /* no progress */
}

int pair_transfer(clasp_conn *from, clasp_conn *to, const unsigned char *data, size_t n)
{
    unsigned char *got = malloc(n ? n : 1);
    size_t sent = 0, recvd = 0;
    int rc = 0;
    while (rc == 0 && recvd < n) {
        size_t w = 0;
        if (sent < n) {
            rc = clasp_conn_write(from, data + sent, n - sent, &w);
            if (rc == CLASP_WANT_WRITE)
                rc = 0;
            sent += w;
        }
        if (rc == 0)
            rc = pair_move(from, to, 0);
        for (size_t r = 1; rc == 0 && r && recvd < n;) {
            rc = clasp_conn_read(to, got + recvd, n - recvd, &r);
            if (rc == CLASP_WANT_READ) {
                rc = 0;
                r = 0;
            }
            recvd += rc == 0 ? r : 0;
            if (rc == 0 && r)
                rc = pair_move(from, to, 0); /* room again for what did not fit */
        }
    }
    if (rc == 0 && memcmp(got, data, n) != 0)
        rc = -1;
    free(got);
    return rc;
}
