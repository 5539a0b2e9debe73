/*
 * clasp: driving a socket.
 *
 * The engine in conn.h never touches a socket. These functions run it over a connected
 * stream socket (TCP, a UNIX socket, a socketpair) for the common case: they send what the
 * engine queues, receive what the socket has and feed it, and hand out application data.
 *
 * Blocking and non-blocking sockets both work; the functions find out which from the
 * socket's answers (EAGAIN), not from its flags. On a blocking socket they return only when
 * done or failed. On a non-blocking socket they return CLASP_WANT_READ or CLASP_WANT_WRITE
 * when the socket would block: poll the descriptor for POLLIN or POLLOUT, then call the same
 * function again. A socket with a receive or send timeout (SO_RCVTIMEO, SO_SNDTIMEO) reports
 * an expired timeout the same way.
 *
 * Errors. Every function returns CLASP_OK, a CLASP_WANT_*, or an error, and errors are the
 * connection's sticky error (clasp_conn_error, clasp_conn_error_detail), as in conn.h:
 *   - protocol errors (this side's, or CLASP_ERR_ALERT_RECEIVED for the peer's): the alert
 *     the engine queued is sent before the function returns, as far as the socket takes it
 *     at once without blocking; clasp_flush sends any rest;
 *   - a failed send or recv (other than EINTR, which is retried, and EAGAIN) is
 *     CLASP_ERR_IO: errno still holds the system's reason when the function returns, and
 *     clasp_conn_error_detail names the call and the reason ("send: Broken pipe"). No alert
 *     is sent over a transport that failed;
 *   - the socket's end of file is CLASP_ERR_CLOSED after the peer's close_notify, and
 *     CLASP_ERR_TRUNCATED without one (clasp_conn_feed_eof).
 *
 * Signals: sends use MSG_NOSIGNAL, so a peer that went away makes CLASP_ERR_IO (EPIPE), never
 * SIGPIPE. Memory: these functions allocate nothing themselves; received bytes pass through
 * a buffer on the stack (one largest record, about 18 KiB).
 *
 * A connection belongs to one thread at a time, and the socket to the connection: do not
 * read from or write to it behind the connection's back while it is in use.
 */
#ifndef CLASP_IO_H
#define CLASP_IO_H

#include <stddef.h>

#include <clasp/conn.h>
#include <clasp/export.h>

#ifdef __cplusplus
extern "C" {
#endif

/*
 * The connection drives this socket from now on. The caller keeps owning fd: clasp never
 * closes it (not in clasp_close, not in clasp_conn_free); close it after clasp_conn_free or
 * when done. Call before the handshake starts; calling it again replaces the descriptor.
 * Errors: CLASP_ERR_INVALID_ARG (fd < 0).
 */
CLASP_API int clasp_conn_set_fd(clasp_conn *conn, int fd);

/*
 * Runs the handshake to its end: sends what the engine queued, receives and feeds the
 * peer's flights, and repeats until the handshake is done and its last flight has been sent.
 * Returns CLASP_OK when done (at once when it already is), CLASP_WANT_READ /
 * CLASP_WANT_WRITE on a non-blocking socket that would block, or the error that ended the
 * handshake (the peer has been sent its alert). A client must have called
 * clasp_conn_set_server_name. Calling it is optional: clasp_read and clasp_write run the
 * handshake first when it is not done.
 * Errors: CLASP_ERR_STATE (no descriptor; a client without a server name), the protocol
 * errors of conn.h, CLASP_ERR_ALERT_RECEIVED, CLASP_ERR_IO, CLASP_ERR_CLOSED or
 * CLASP_ERR_TRUNCATED (the peer ended the connection during the handshake).
 */
CLASP_API int clasp_handshake(clasp_conn *conn);

/*
 * Receives application data: copies up to len (> 0) bytes into buf and sets *n to how many,
 * running the handshake first when it is not done. Returns CLASP_OK with *n > 0, or *n == 0
 * and:
 *   CLASP_ERR_CLOSED     the peer sent close_notify: no more data will come (not an error:
 *                        the connection stays usable for clasp_close);
 *   CLASP_ERR_TRUNCATED  the socket reached end of file without close_notify: what arrived
 *                        may have been cut short by an attacker;
 *   CLASP_WANT_READ / CLASP_WANT_WRITE  non-blocking socket: poll, then call again;
 *   another error        see above.
 * Data already received may be waiting inside the engine while the socket has nothing: on
 * a non-blocking socket keep calling until CLASP_WANT_READ before polling again.
 * Anything the engine queued while reading (the answer to a KeyUpdate that asked for one)
 * is sent as well: before waiting for more input, and as far as the socket takes it at once
 * when data is returned (the rest goes with the next call).
 * Errors: CLASP_ERR_INVALID_ARG (buf or n NULL, len 0), CLASP_ERR_STATE (no descriptor).
 */
CLASP_API int clasp_read(clasp_conn *conn, void *buf, size_t len, size_t *n);

/*
 * Sends application data: protects len bytes of buf into records and sends them, running
 * the handshake first when it is not done. *n counts the bytes of buf taken so far; taken
 * bytes are the connection's, never pass them again.
 *   Blocking socket: returns CLASP_OK once all len bytes are taken and sent, or an error.
 *   Non-blocking socket: CLASP_OK as above, or CLASP_WANT_WRITE (after POLLOUT, call again
 *   with buf + *n and len - *n; when *n == len, clasp_flush sends the rest), or
 *   CLASP_WANT_READ while the handshake waits for the peer.
 * len 0 only sends what is queued. Errors: CLASP_ERR_STATE (no descriptor; after
 * clasp_close), CLASP_ERR_IO and the connection's errors.
 */
CLASP_API int clasp_write(clasp_conn *conn, const void *buf, size_t len, size_t *n);

/*
 * Sends everything the engine has queued (records of earlier writes, a KeyUpdate, an
 * alert). Returns CLASP_OK when nothing is left, CLASP_WANT_WRITE on a non-blocking socket
 * that is full, or CLASP_ERR_IO. It does not report the connection's sticky error: after a
 * failure it is how the rest of the alert goes out. Errors: CLASP_ERR_STATE (no descriptor).
 */
CLASP_API int clasp_flush(clasp_conn *conn);

/*
 * Closes this side of the TLS connection: queues close_notify (unless an alert already
 * ended the connection, or close_notify was sent before) and sends it with everything
 * queued before it. The socket stays open: the peer's data and close_notify can still be
 * read with clasp_read (TLS 1.3 allows one side to close first), and closing the descriptor
 * is the caller's. Returns as clasp_flush; a call on a non-blocking socket that returned
 * CLASP_WANT_WRITE is finished by clasp_flush or by calling clasp_close again. Nothing is
 * sent when the handshake never started.
 */
CLASP_API int clasp_close(clasp_conn *conn);

#ifdef __cplusplus
}
#endif

#endif /* CLASP_IO_H */
