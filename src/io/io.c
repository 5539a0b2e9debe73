/*
 * The file-descriptor driver: the sans-I/O engine run over a stream socket, blocking or
 * non-blocking. Everything here is the loop "send what is queued, receive what arrived,
 * feed it"; the protocol stays in the engine.
 */
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>

#include <clasp/io.h>

#include "base/err.h"
#include "hs/engine.h"

/*
 * Received bytes pass through the stack, a largest record at a time (one recv per record
 * when they come fast). One read never takes more than the record layer has room for (see
 * recv_input), so nothing waits in this buffer between calls.
 */
#define IO_RECV_BUF CL_RL_RBUF_LEN
/*
 * Application data is protected and sent this much at a time, so a large write does not
 * make the engine buffer all of it before the first byte leaves.
 */
#define IO_WRITE_CHUNK (4 * CL_MAX_PLAINTEXT)

/*
 * A failed system call becomes the connection's sticky error, with the call and the reason
 * as its detail; no alert is queued, since the transport that would carry it has failed.
 * errno is left as the call set it, for the caller.
 */
static int io_fail(clasp_conn *c, const char *call)
{
    int saved = errno;
    if (!c->err) {
        char reason[128];
        if (strerror_r(saved, reason, sizeof(reason)) != 0)
            snprintf(reason, sizeof(reason), "errno %d", saved);
        c->err = CLASP_ERR_IO;
        cl_set_detail(c, "%s: %s", call, reason);
    }
    errno = saved;
    return c->err;
}

static int would_block(int e)
{
    return e == EAGAIN || e == EWOULDBLOCK;
}

/* Sends queued output until none is left or the socket would block. */
static int send_output(clasp_conn *c, int flags)
{
    for (;;) {
        const uint8_t *out;
        size_t len;
        clasp_conn_output(c, &out, &len);
        if (len == 0)
            return CLASP_OK;
        ssize_t n = send(c->fd, out, len, MSG_NOSIGNAL | flags);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0 && would_block(errno))
            return CLASP_WANT_WRITE;
        if (n < 0)
            return io_fail(c, "send");
        clasp_conn_output_done(c, (size_t)n);
    }
}

/*
 * After a protocol failure the engine has queued its alert; the peer must see it, so it is
 * sent now if the socket takes it at once. MSG_DONTWAIT: a failing connection must not hang
 * its caller on a peer that does not read. rc is returned, and errno is kept.
 */
static int fail_flush(clasp_conn *c, int rc)
{
    if (c->err && c->err != CLASP_ERR_IO) {
        int saved = errno;
        send_output(c, MSG_DONTWAIT);
        errno = saved;
    }
    return rc;
}

/*
 * Receives once and feeds what arrived. The read is capped at the room left in the record
 * layer's receive buffer (which then holds at most a partial record), so the engine takes
 * every byte and nothing needs keeping here. Callers ensure the engine holds no unread
 * application data: it takes nothing while it does.
 */
static int recv_input(clasp_conn *c)
{
    uint8_t buf[IO_RECV_BUF];
    size_t room = CL_RL_RBUF_LEN - cl_rl_buffered(&c->rl);
    size_t want = room < sizeof(buf) ? room : sizeof(buf);
    if (want == 0) /* a recv of 0 bytes would look like end of file */
        return cl_fail(c, CLASP_ERR_INTERNAL, "the engine has no room for received data");
    ssize_t n;
    do {
        n = recv(c->fd, buf, want, 0);
    } while (n < 0 && errno == EINTR);
    if (n < 0 && would_block(errno))
        return CLASP_WANT_READ;
    if (n < 0)
        return io_fail(c, "recv");
    if (n == 0)
        return clasp_conn_feed_eof(c);
    size_t used;
    CL_TRY(clasp_conn_feed(c, buf, (size_t)n, &used));
    if (used != (size_t)n)
        return cl_fail(c, CLASP_ERR_INTERNAL, "the engine left %zu received bytes untaken",
                       (size_t)n - used);
    return CLASP_OK;
}

/* Whether the I/O functions may run at all. */
static int check_fd(const clasp_conn *c)
{
    CL_CHECK(c, CLASP_ERR_INVALID_ARG);
    CL_CHECK(c->fd >= 0, CLASP_ERR_STATE);
    return CLASP_OK;
}

int clasp_conn_set_fd(clasp_conn *c, int fd)
{
    CL_CHECK(c && fd >= 0, CLASP_ERR_INVALID_ARG);
    c->fd = fd;
    return CLASP_OK;
}

int clasp_handshake(clasp_conn *c)
{
    CL_TRY(check_fd(c));
    /* A client without a name would wait for a ClientHello it never sends. */
    CL_CHECK(c->role == CLASP_SERVER || c->server_name, CLASP_ERR_STATE);
    for (;;) {
        if (c->err)
            return fail_flush(c, c->err);
        /* The last flight goes out before "done": the peer needs our Finished. */
        int rc = send_output(c, 0);
        if (rc)
            return fail_flush(c, rc);
        if (c->handshake_done)
            return CLASP_OK;
        rc = recv_input(c);
        if (rc)
            return fail_flush(c, rc);
    }
}

int clasp_read(clasp_conn *c, void *buf, size_t len, size_t *n)
{
    CL_CHECK(n, CLASP_ERR_INVALID_ARG);
    *n = 0;
    CL_CHECK(buf && len, CLASP_ERR_INVALID_ARG);
    CL_TRY(check_fd(c));
    if (!c->handshake_done || c->err)
        CL_TRY(clasp_handshake(c));
    for (;;) {
        int rc = clasp_conn_read(c, buf, len, n);
        if (rc == CLASP_OK) {
            /* A KeyUpdate answer goes out now if it can; a send failure shows next call. */
            send_output(c, MSG_DONTWAIT);
            return CLASP_OK;
        }
        if (rc == CLASP_WANT_WRITE) { /* our answers must leave before more input is read */
            rc = send_output(c, 0);
            if (rc)
                return fail_flush(c, rc);
            continue;
        }
        if (rc != CLASP_WANT_READ)
            return fail_flush(c, rc);
        /* Nothing buffered: what we owe the peer leaves before we wait for it. */
        rc = send_output(c, 0);
        if (rc == CLASP_OK)
            rc = recv_input(c);
        if (rc)
            return fail_flush(c, rc);
    }
}

int clasp_write(clasp_conn *c, const void *buf, size_t len, size_t *n)
{
    CL_CHECK(n, CLASP_ERR_INVALID_ARG);
    *n = 0;
    CL_CHECK(buf || len == 0, CLASP_ERR_INVALID_ARG);
    CL_TRY(check_fd(c));
    if (!c->handshake_done || c->err)
        CL_TRY(clasp_handshake(c));
    const uint8_t *p = buf;
    for (;;) {
        /* Earlier output first: records leave in the order they were made. */
        int rc = send_output(c, 0);
        if (rc || *n == len)
            return fail_flush(c, rc);
        size_t chunk = len - *n < IO_WRITE_CHUNK ? len - *n : IO_WRITE_CHUNK, took;
        rc = clasp_conn_write(c, p + *n, chunk, &took);
        *n += took;
        if (rc)
            return fail_flush(c, rc);
    }
}

int clasp_flush(clasp_conn *c)
{
    CL_TRY(check_fd(c));
    return send_output(c, 0);
}

int clasp_close(clasp_conn *c)
{
    CL_TRY(check_fd(c));
    /* Before the handshake started there is no session to close, and output would start one. */
    if (!c->started)
        return CLASP_OK;
    int rc = clasp_conn_close(c);
    if (rc)
        return fail_flush(c, rc);
    return send_output(c, 0);
}
