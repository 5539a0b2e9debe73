/*
 * A client and a server connection in one process, joined by moving each one's output into
 * the other's input.
 */
#ifndef CLASP_TEST_PAIR_H
#define CLASP_TEST_PAIR_H

#include <stddef.h>

#include <clasp/clasp.h>

/* Moves all of from's output into to (in chunks of at most `chunk` bytes; 0: all at once).
 * Returns to's feed result. */
int pair_move(clasp_conn *from, clasp_conn *to, size_t chunk);
/*
 * Runs the handshake to completion or failure. Returns 0 when both sides finished, else the
 * first error either side reports (both sides' errors stay in the connections).
 */
int pair_handshake(clasp_conn *client, clasp_conn *server);
/* Sends n bytes from one side and reads them at the other; returns 0 when they arrive intact. */
int pair_transfer(clasp_conn *from, clasp_conn *to, const unsigned char *data, size_t n);

#endif /* CLASP_TEST_PAIR_H */
