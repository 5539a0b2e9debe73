/*
 * The file-descriptor layer (src/io/io.c) over socketpairs: blocking sockets driven by two
 * threads, non-blocking sockets driven by poll in one, large transfers checked byte for
 * byte, the endings (close_notify, truncation), alerts reaching the peer, system call
 * failures (EPIPE without SIGPIPE, EINTR retried), misuse, and the bound on queued output.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <clasp/clasp.h>

#include "hs/engine.h"
#include "pki.h"

static struct {
    test_ca *ca;
    test_cert server, client;
} pki;

static int make_pki(void **state)
{
    (void)state;
    pki.ca = test_ca_new(TK_P256, "clasp io test CA");
    test_cert_opts server = {.cn = "server.test", .san = "DNS:server.test"};
    test_issue(pki.ca, TK_P256, &server, &pki.server);
    test_cert_opts client = {.cn = "client.test", .client = 1};
    test_issue(pki.ca, TK_P256, &client, &pki.client);
    return 0;
}

static int free_pki(void **state)
{
    (void)state;
    test_cert_free(&pki.server);
    test_cert_free(&pki.client);
    test_ca_free(pki.ca);
    return 0;
}

/* ---- two ends of a socketpair ---- */

typedef struct side {
    clasp_config *cfg;
    clasp_conn *conn;
    int fd;
} side;

static clasp_config *make_config(clasp_role role)
{
    clasp_config *cfg = clasp_config_new(role);
    assert_non_null(cfg);
    const test_pem *ca = test_ca_pem(pki.ca);
    assert_int_equal(clasp_config_load_verify_pem(cfg, (const uint8_t *)ca->pem, ca->len), 0);
    if (role == CLASP_SERVER) {
        const test_cert *c = &pki.server;
        assert_int_equal(clasp_config_add_cert_chain_pem(cfg, (const uint8_t *)c->chain.pem,
                                                         c->chain.len, (const uint8_t *)c->key.pem,
                                                         c->key.len),
                         0);
        /* These tests count the bytes on the socket: no NewSessionTickets among them. */
        assert_int_equal(clasp_config_set_tickets(cfg, 0), 0);
    }
    return cfg;
}

static void set_nonblocking(int fd, int on)
{
    int fl = fcntl(fd, F_GETFL);
    assert_true(fl >= 0);
    assert_int_equal(fcntl(fd, F_SETFL, on ? fl | O_NONBLOCK : fl & ~O_NONBLOCK), 0);
}

/* Connections over a fresh socketpair; the configurations are made by the caller. */
static void open_pair_cfg(side *cl, side *sv, clasp_config *ccfg, clasp_config *scfg,
                          const char *name, int nonblocking)
{
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    cl->cfg = ccfg;
    sv->cfg = scfg;
    cl->conn = clasp_conn_new(cl->cfg);
    sv->conn = clasp_conn_new(sv->cfg);
    assert_non_null(cl->conn);
    assert_non_null(sv->conn);
    assert_int_equal(clasp_conn_set_server_name(cl->conn, name), 0);
    cl->fd = fds[0];
    sv->fd = fds[1];
    set_nonblocking(cl->fd, nonblocking);
    set_nonblocking(sv->fd, nonblocking);
    assert_int_equal(clasp_conn_set_fd(cl->conn, cl->fd), 0);
    assert_int_equal(clasp_conn_set_fd(sv->conn, sv->fd), 0);
}

static void open_pair(side *cl, side *sv, int nonblocking)
{
    open_pair_cfg(cl, sv, make_config(CLASP_CLIENT), make_config(CLASP_SERVER), "server.test",
                  nonblocking);
}

static void close_side(side *s)
{
    clasp_conn_free(s->conn);
    clasp_config_free(s->cfg);
    if (s->fd >= 0)
        close(s->fd);
    s->fd = -1;
}

/* Waits until fd is ready for what a CLASP_WANT_* asks (1 s at most: the tests are local). */
static void wait_for(int fd, int want)
{
    struct pollfd p = {.fd = fd, .events = want == CLASP_WANT_WRITE ? POLLOUT : POLLIN};
    assert_true(poll(&p, 1, 1000) >= 0);
}

/* Both handshakes on non-blocking sockets, in this thread: each side runs when it can. */
static void handshake_nonblocking(side *cl, side *sv, int *saw_want_read)
{
    int rc_c = CLASP_WANT_READ, rc_s = CLASP_WANT_READ;
    for (int round = 0; round < 100 && (rc_c || rc_s); round++) {
        if (rc_c)
            rc_c = clasp_handshake(cl->conn);
        if (rc_s)
            rc_s = clasp_handshake(sv->conn);
        if (rc_c == CLASP_WANT_READ || rc_s == CLASP_WANT_READ)
            *saw_want_read = 1;
        assert_true(rc_c == 0 || rc_c == CLASP_WANT_READ || rc_c == CLASP_WANT_WRITE);
        assert_true(rc_s == 0 || rc_s == CLASP_WANT_READ || rc_s == CLASP_WANT_WRITE);
        struct pollfd p[2] = {{.fd = cl->fd, .events = POLLIN}, {.fd = sv->fd, .events = POLLIN}};
        if (rc_c && rc_s)
            assert_true(poll(p, 2, 1000) > 0);
    }
    assert_int_equal(rc_c, 0);
    assert_int_equal(rc_s, 0);
}

static void handshake_both(side *cl, side *sv)
{
    int saw = 0;
    handshake_nonblocking(cl, sv, &saw);
}

/* ---- threads for blocking sockets (no cmocka asserts off the main thread) ---- */

typedef struct job {
    side *s;
    int (*fn)(side *s, void *arg);
    void *arg;
    int rc;
    pthread_t thread;
} job;

static void *job_main(void *p)
{
    job *j = p;
    j->rc = j->fn(j->s, j->arg);
    return NULL;
}

static void job_start(job *j, side *s, int (*fn)(side *, void *), void *arg)
{
    j->s = s;
    j->fn = fn;
    j->arg = arg;
    j->rc = -1000;
    assert_int_equal(pthread_create(&j->thread, NULL, job_main, j), 0);
}

static int job_join(job *j)
{
    assert_int_equal(pthread_join(j->thread, NULL), 0);
    return j->rc;
}

/* Reads exactly len bytes from a blocking connection. */
static int read_exact(clasp_conn *c, uint8_t *buf, size_t len, size_t step)
{
    size_t got = 0;
    while (got < len) {
        size_t n, want = len - got < step ? len - got : step;
        int rc = clasp_read(c, buf + got, want, &n);
        if (rc)
            return rc;
        got += n;
    }
    return 0;
}

static int write_all(clasp_conn *c, const void *buf, size_t len)
{
    size_t n;
    int rc = clasp_write(c, buf, len, &n);
    if (rc == 0 && n != len)
        return -2000; /* a blocking write must take everything */
    return rc;
}

static uint8_t *pattern(size_t n, unsigned seed)
{
    uint8_t *p = malloc(n);
    assert_non_null(p);
    uint32_t x = seed * 2654435761u + 1;
    for (size_t i = 0; i < n; i++) {
        x = x * 1103515245u + 12345u;
        p[i] = (uint8_t)(x >> 16);
    }
    return p;
}

/* ---- blocking: handshake inside the first read, data both ways, close_notify ---- */

static int server_hello_world(side *s, void *arg)
{
    (void)arg;
    uint8_t buf[5];
    int rc = read_exact(s->conn, buf, sizeof(buf), sizeof(buf)); /* runs the handshake */
    if (rc)
        return rc;
    if (memcmp(buf, "hello", 5) != 0)
        return -3000;
    if ((rc = write_all(s->conn, "world!", 6)) != 0)
        return rc;
    size_t n;
    rc = clasp_read(s->conn, buf, sizeof(buf), &n);
    if (rc != CLASP_ERR_CLOSED)
        return rc ? rc : -3001;
    return clasp_close(s->conn);
}

static void test_blocking_data_and_close(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 0);
    job j;
    job_start(&j, &sv, server_hello_world, NULL);
    assert_int_equal(clasp_handshake(cl.conn), 0);
    assert_int_equal(clasp_conn_version(cl.conn), CLASP_TLS13);
    assert_int_equal(clasp_conn_cipher_suite(cl.conn), 0x1301);
    assert_int_equal(write_all(cl.conn, "hello", 5), 0);
    uint8_t buf[6];
    assert_int_equal(read_exact(cl.conn, buf, 6, 6), 0);
    assert_memory_equal(buf, "world!", 6);
    assert_int_equal(clasp_close(cl.conn), 0);
    /* The server answers our close_notify with its own, then returns. */
    size_t n = 99;
    assert_int_equal(clasp_read(cl.conn, buf, sizeof(buf), &n), CLASP_ERR_CLOSED);
    assert_int_equal(n, 0);
    assert_int_equal(job_join(&j), 0);
    assert_int_equal(clasp_conn_alert_received(sv.conn), CLASP_ALERT_CLOSE_NOTIFY);
    /* Closed is an ending, not a failure: nothing more may be written. */
    assert_int_equal(clasp_write(cl.conn, "x", 1, &n), CLASP_ERR_STATE);
    close_side(&cl);
    close_side(&sv);
}

/* ---- blocking: 1 MiB each way, odd write and read sizes ---- */

#define MIB (1024 * 1024)

static int server_mib(side *s, void *arg)
{
    const uint8_t *want = arg;
    uint8_t *got = malloc(MIB);
    if (!got)
        return -4000;
    int rc = read_exact(s->conn, got, MIB, 12345);
    if (rc == 0 && memcmp(got, want, MIB) != 0)
        rc = -4001;
    free(got);
    /* Back in writes of varying size, the last ones small. */
    for (size_t off = 0, i = 0; rc == 0 && off < MIB; i++) {
        size_t n = 1 + (i * 7919) % 70000;
        n = n < MIB - off ? n : MIB - off;
        rc = write_all(s->conn, want + off, n);
        off += n;
    }
    return rc;
}

static void test_blocking_mib(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 0);
    uint8_t *data = pattern(MIB, 1), *got = malloc(MIB);
    assert_non_null(got);
    job j;
    job_start(&j, &sv, server_mib, data);
    assert_int_equal(write_all(cl.conn, data, MIB), 0); /* runs the handshake */
    assert_int_equal(read_exact(cl.conn, got, MIB, 100000), 0);
    assert_int_equal(job_join(&j), 0);
    assert_memory_equal(got, data, MIB);
    free(data);
    free(got);
    close_side(&cl);
    close_side(&sv);
}

/* ---- blocking: a KeyUpdate that asks for one is answered by the reading side ---- */

static int server_ping_pong(side *s, void *arg)
{
    (void)arg;
    uint8_t buf[4];
    int rc = read_exact(s->conn, buf, 4, 4);
    if (rc == 0 && memcmp(buf, "ping", 4) != 0)
        rc = -5000;
    return rc ? rc : write_all(s->conn, "pong", 4);
}

static void test_key_update_answered(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 0);
    job j;
    job_start(&j, &sv, server_ping_pong, NULL);
    assert_int_equal(clasp_handshake(cl.conn), 0);
    assert_int_equal(clasp_conn_key_update(cl.conn, 1), 0);
    assert_int_equal(write_all(cl.conn, "ping", 4), 0);
    assert_int_equal(job_join(&j), 0);
    /*
     * The server's read sent its KeyUpdate before "pong": two records are waiting, a
     * KeyUpdate (5 + 5 + 1 + 16 bytes) and the data (5 + 4 + 1 + 16).
     */
    uint8_t peek[256];
    assert_int_equal(recv(cl.fd, peek, sizeof(peek), MSG_PEEK), 27 + 26);
    uint8_t buf[4];
    assert_int_equal(read_exact(cl.conn, buf, 4, 4), 0);
    assert_memory_equal(buf, "pong", 4);
    close_side(&cl);
    close_side(&sv);
}

/* ---- non-blocking: WANT_READ, WANT_WRITE, completion with poll ---- */

/* The client's first call sends its ClientHello and has nothing to read yet. */
static void test_nonblocking_handshake(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 1);
    assert_int_equal(clasp_handshake(cl.conn), CLASP_WANT_READ);
    assert_int_equal(clasp_handshake(cl.conn), CLASP_WANT_READ); /* still nothing */
    int saw_want_read = 0;
    handshake_nonblocking(&cl, &sv, &saw_want_read);
    assert_true(saw_want_read);
    assert_true(clasp_conn_handshake_done(cl.conn));
    assert_int_equal(clasp_handshake(cl.conn), 0); /* done stays done */
    uint8_t buf[8];
    size_t n;
    assert_int_equal(clasp_read(sv.conn, buf, sizeof(buf), &n), CLASP_WANT_READ);
    close_side(&cl);
    close_side(&sv);
}

/* Reads everything the connection has now (until WANT_READ) into got, in small pieces. */
static size_t drain(clasp_conn *c, uint8_t *got, size_t have, size_t cap, size_t step)
{
    for (;;) {
        size_t n, want = cap - have < step ? cap - have : step;
        if (want == 0)
            return have;
        int rc = clasp_read(c, got + have, want, &n);
        if (rc == CLASP_WANT_READ)
            return have;
        assert_int_equal(rc, 0);
        assert_true(n > 0);
        have += n;
    }
}

/* Sends `len` bytes from `from` to `to` on non-blocking sockets; checks they arrive intact. */
static void transfer_nonblocking(side *from, side *to, size_t len, size_t read_step)
{
    uint8_t *data = pattern(len, (unsigned)len), *got = malloc(len);
    assert_non_null(got);
    size_t sent = 0, have = 0;
    int wrc = 0, saw_want_write = 0;
    while (have < len) {
        if (sent < len || wrc == CLASP_WANT_WRITE) {
            size_t n;
            wrc = sent < len ? clasp_write(from->conn, data + sent, len - sent, &n)
                             : clasp_flush(from->conn);
            n = sent < len ? n : 0;
            assert_true(wrc == 0 || wrc == CLASP_WANT_WRITE);
            assert_true(n <= len - sent);
            saw_want_write |= wrc == CLASP_WANT_WRITE;
            sent += n;
        }
        have = drain(to->conn, got, have, len, read_step);
        struct pollfd p[2] = {{.fd = to->fd, .events = POLLIN},
                              {.fd = from->fd, .events = POLLOUT}};
        if (have < len)
            assert_true(poll(p, wrc == CLASP_WANT_WRITE ? 2 : 1, 1000) > 0);
    }
    assert_int_equal(sent, len);
    assert_memory_equal(got, data, len);
    if (len > 2 * MIB)
        assert_true(saw_want_write); /* more than the socket and the engine can hold */
    free(data);
    free(got);
}

static void test_nonblocking_transfer(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 1);
    handshake_both(&cl, &sv);
    /* A first write larger than everything between the two sides returns WANT_WRITE. */
    size_t len = 4 * MIB, n;
    uint8_t *data = pattern(len, 9);
    assert_int_equal(clasp_write(cl.conn, data, len, &n), CLASP_WANT_WRITE);
    assert_true(n > 0 && n < len);
    uint8_t *got = malloc(len);
    assert_non_null(got);
    size_t have = 0, sent = n;
    while (have < len) {
        have = drain(sv.conn, got, have, len, 65536);
        if (sent < len) {
            int rc = clasp_write(cl.conn, data + sent, len - sent, &n);
            assert_true(rc == 0 || rc == CLASP_WANT_WRITE);
            sent += n;
        } else {
            int rc = clasp_flush(cl.conn);
            assert_true(rc == 0 || rc == CLASP_WANT_WRITE);
        }
        if (have < len)
            wait_for(sv.fd, CLASP_WANT_READ);
    }
    assert_memory_equal(got, data, len);
    free(data);
    free(got);
    /* 4 MiB more each way, both sides in one loop; tiny reads leave data in the engine. */
    transfer_nonblocking(&cl, &sv, 4 * MIB, 65536);
    transfer_nonblocking(&sv, &cl, 300000, 7);
    close_side(&cl);
    close_side(&sv);
}

/*
 * The output bound: a peer that asks for KeyUpdates while the socket towards it is full
 * makes the engine stop (clasp_read: CLASP_WANT_WRITE); once the socket drains, the next
 * clasp_read sends the answers itself and goes on reading.
 */
static void test_answers_wait_for_the_socket(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 1);
    handshake_both(&cl, &sv);
    static uint8_t junk[65536];
    size_t filled = 0;
    for (ssize_t k; (k = send(sv.fd, junk, sizeof(junk), MSG_DONTWAIT)) > 0;)
        filled += (size_t)k; /* the way to the client is full */
    static const char digits[] = "0123456789";
    for (int i = 0; i < 10; i++) {
        size_t n;
        assert_int_equal(clasp_conn_key_update(cl.conn, 1), 0);
        assert_int_equal(clasp_write(cl.conn, &digits[i], 1, &n), 0);
    }
    sv.conn->rl.tmax = 50; /* two answers pass it */
    uint8_t got[10];
    size_t have = 0, n;
    int rc;
    while ((rc = clasp_read(sv.conn, got + have, 1, &n)) == 0)
        have += n;
    assert_int_equal(rc, CLASP_WANT_WRITE);
    assert_true(have < sizeof(got));
    assert_true(cl_rl_output_len(&sv.conn->rl) < 50 + 2 * 27);
    for (size_t left = filled; left;) { /* the client's side takes the filler */
        ssize_t k = recv(cl.fd, junk, left < sizeof(junk) ? left : sizeof(junk), 0);
        assert_true(k > 0);
        left -= (size_t)k;
    }
    assert_int_equal(clasp_read(sv.conn, got + have, 1, &n), 0);
    have += n;
    while (have < sizeof(got)) {
        rc = clasp_read(sv.conn, got + have, sizeof(got) - have, &n);
        assert_true(rc == 0 || rc == CLASP_WANT_READ || rc == CLASP_WANT_WRITE);
        have += rc == 0 ? n : 0;
        if (rc)
            wait_for(sv.fd, rc);
    }
    assert_memory_equal(got, digits, sizeof(got));
    close_side(&cl);
    close_side(&sv);
}

/* ---- endings ---- */

static void test_close_notify_both_ways(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 1);
    handshake_both(&cl, &sv);
    assert_int_equal(clasp_write(sv.conn, "last", 4, &(size_t){0}), 0);
    assert_int_equal(clasp_close(sv.conn), 0);
    assert_int_equal(clasp_close(sv.conn), 0); /* once is enough; again sends nothing */
    uint8_t buf[16];
    size_t n;
    assert_int_equal(clasp_read(cl.conn, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 4);
    assert_int_equal(clasp_read(cl.conn, buf, sizeof(buf), &n), CLASP_ERR_CLOSED);
    assert_int_equal(clasp_read(cl.conn, buf, sizeof(buf), &n), CLASP_ERR_CLOSED);
    /* TLS 1.3 half-close: the client may still send before closing its side. */
    assert_int_equal(clasp_write(cl.conn, "bye", 3, &n), 0);
    assert_int_equal(clasp_close(cl.conn), 0);
    assert_int_equal(clasp_read(sv.conn, buf, sizeof(buf), &n), 0);
    assert_memory_equal(buf, "bye", 3);
    assert_int_equal(clasp_read(sv.conn, buf, sizeof(buf), &n), CLASP_ERR_CLOSED);
    assert_int_equal(clasp_conn_error(cl.conn), 0);
    assert_int_equal(clasp_conn_error(sv.conn), 0);
    close_side(&cl);
    close_side(&sv);
}

static void test_truncation(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 1);
    handshake_both(&cl, &sv);
    size_t n;
    assert_int_equal(clasp_write(cl.conn, "abc", 3, &n), 0);
    close(cl.fd); /* no close_notify */
    cl.fd = -1;
    uint8_t buf[16];
    assert_int_equal(clasp_read(sv.conn, buf, sizeof(buf), &n), 0);
    assert_int_equal(n, 3);
    assert_int_equal(clasp_read(sv.conn, buf, sizeof(buf), &n), CLASP_ERR_TRUNCATED);
    assert_int_equal(n, 0);
    assert_int_equal(clasp_conn_error(sv.conn), CLASP_ERR_TRUNCATED);
    assert_int_equal(clasp_conn_alert_sent(sv.conn), -1);
    close_side(&cl);
    close_side(&sv);
}

/* The peer goes away during the handshake: the waiting side learns it, it does not hang. */
static void test_eof_during_handshake(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 0);
    /* Half a ClientHello, then end of file: truncation. */
    const uint8_t part[] = {22, 3, 1, 0, 200, 1, 0, 0};
    assert_int_equal(send(cl.fd, part, sizeof(part), 0), (ssize_t)sizeof(part));
    shutdown(cl.fd, SHUT_WR);
    assert_int_equal(clasp_handshake(sv.conn), CLASP_ERR_TRUNCATED);
    assert_int_equal(clasp_conn_alert_sent(sv.conn), -1);
    close_side(&cl);
    close_side(&sv);
    /* A client whose server is gone cannot even send its ClientHello. */
    open_pair(&cl, &sv, 0);
    close(sv.fd);
    sv.fd = -1;
    errno = 0;
    assert_int_equal(clasp_handshake(cl.conn), CLASP_ERR_IO);
    assert_int_equal(errno, EPIPE);
    close_side(&cl);
    close_side(&sv);
}

/* ---- protocol errors: the alert reaches the peer ---- */

static int server_handshake(side *s, void *arg)
{
    (void)arg;
    return clasp_handshake(s->conn);
}

static void test_alert_reaches_server(void **state)
{
    (void)state;
    side cl, sv;
    open_pair_cfg(&cl, &sv, make_config(CLASP_CLIENT), make_config(CLASP_SERVER), "wrong.test", 0);
    job j;
    job_start(&j, &sv, server_handshake, NULL);
    assert_int_equal(clasp_handshake(cl.conn), CLASP_ERR_BAD_CERTIFICATE);
    assert_int_equal(clasp_conn_alert_sent(cl.conn), CLASP_ALERT_BAD_CERTIFICATE);
    assert_non_null(strstr(clasp_conn_error_detail(cl.conn), "wrong.test"));
    close(cl.fd); /* what a failing client does; the alert is already on its way */
    cl.fd = -1;
    assert_int_equal(job_join(&j), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_received(sv.conn), CLASP_ALERT_BAD_CERTIFICATE);
    /* Sticky: every later call says the same. */
    uint8_t buf[4];
    size_t n;
    assert_int_equal(clasp_read(sv.conn, buf, sizeof(buf), &n), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_handshake(cl.conn), CLASP_ERR_BAD_CERTIFICATE);
    close_side(&cl);
    close_side(&sv);
}

static void test_alert_reaches_client(void **state)
{
    (void)state;
    side cl, sv;
    clasp_config *ccfg = make_config(CLASP_CLIENT), *scfg = make_config(CLASP_SERVER);
    assert_int_equal(clasp_config_set_cipher_suites(ccfg, "TLS_AES_256_GCM_SHA384"), 0);
    assert_int_equal(clasp_config_set_cipher_suites(scfg, "TLS_AES_128_GCM_SHA256"), 0);
    open_pair_cfg(&cl, &sv, ccfg, scfg, "server.test", 1);
    /* Non-blocking: the server's alert leaves within its failing call. */
    assert_int_equal(clasp_handshake(cl.conn), CLASP_WANT_READ);
    assert_int_equal(clasp_handshake(sv.conn), CLASP_ERR_HANDSHAKE_FAILURE);
    assert_int_equal(clasp_conn_alert_sent(sv.conn), CLASP_ALERT_HANDSHAKE_FAILURE);
    close(sv.fd);
    sv.fd = -1;
    assert_int_equal(clasp_handshake(cl.conn), CLASP_ERR_ALERT_RECEIVED);
    assert_int_equal(clasp_conn_alert_received(cl.conn), CLASP_ALERT_HANDSHAKE_FAILURE);
    close_side(&cl);
    close_side(&sv);
}

/* ---- system call failures ---- */

static void test_epipe_without_sigpipe(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 1);
    handshake_both(&cl, &sv);
    close(sv.fd); /* SIGPIPE would end this test: MSG_NOSIGNAL must prevent it */
    sv.fd = -1;
    size_t n;
    errno = 0;
    assert_int_equal(clasp_write(cl.conn, "data", 4, &n), CLASP_ERR_IO);
    assert_int_equal(errno, EPIPE);
    assert_int_equal(clasp_conn_error(cl.conn), CLASP_ERR_IO);
    assert_string_equal(clasp_conn_error_detail(cl.conn), "send: Broken pipe");
    assert_int_equal(clasp_conn_alert_sent(cl.conn), -1); /* no alert over a dead transport */
    assert_int_equal(clasp_write(cl.conn, "data", 4, &n), CLASP_ERR_IO); /* sticky */
    close_side(&cl);
    close_side(&sv);
}

static volatile sig_atomic_t alarms;

static void on_alarm(int sig)
{
    (void)sig;
    alarms++;
}

static int server_late_write(side *s, void *arg)
{
    (void)arg;
    int rc = clasp_handshake(s->conn);
    if (rc)
        return rc;
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL); /* the client's recv is interrupted meanwhile */
    return write_all(s->conn, "late", 4);
}

static void test_eintr_retried(void **state)
{
    (void)state;
    side cl, sv;
    open_pair(&cl, &sv, 0);
    /* The alarm must interrupt this thread's recv, so the server thread blocks it. */
    sigset_t block, old;
    sigemptyset(&block);
    sigaddset(&block, SIGALRM);
    assert_int_equal(pthread_sigmask(SIG_BLOCK, &block, &old), 0);
    job j;
    job_start(&j, &sv, server_late_write, NULL);
    assert_int_equal(pthread_sigmask(SIG_SETMASK, &old, NULL), 0);
    assert_int_equal(clasp_handshake(cl.conn), 0);
    struct sigaction sa = {.sa_handler = on_alarm}, old_sa; /* no SA_RESTART: recv sees EINTR */
    sigemptyset(&sa.sa_mask);
    assert_int_equal(sigaction(SIGALRM, &sa, &old_sa), 0);
    struct itimerval every = {{0, 50000}, {0, 50000}}, off = {{0, 0}, {0, 0}};
    alarms = 0;
    assert_int_equal(setitimer(ITIMER_REAL, &every, NULL), 0);
    uint8_t buf[4];
    int rc = read_exact(cl.conn, buf, 4, 4);
    setitimer(ITIMER_REAL, &off, NULL);
    sigaction(SIGALRM, &old_sa, NULL);
    assert_int_equal(rc, 0);
    assert_memory_equal(buf, "late", 4);
    assert_true(alarms > 0);
    assert_int_equal(job_join(&j), 0);
    close_side(&cl);
    close_side(&sv);
}

/* ---- misuse ---- */

static void test_misuse(void **state)
{
    (void)state;
    clasp_config *ccfg = make_config(CLASP_CLIENT);
    clasp_conn *c = clasp_conn_new(ccfg);
    uint8_t buf[4];
    size_t n = 7;
    assert_int_equal(clasp_conn_set_fd(c, -1), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_conn_set_fd(NULL, 0), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_handshake(c), CLASP_ERR_STATE); /* no descriptor */
    assert_int_equal(clasp_read(c, buf, sizeof(buf), &n), CLASP_ERR_STATE);
    assert_int_equal(n, 0);
    assert_int_equal(clasp_write(c, buf, sizeof(buf), &n), CLASP_ERR_STATE);
    assert_int_equal(clasp_flush(c), CLASP_ERR_STATE);
    assert_int_equal(clasp_close(c), CLASP_ERR_STATE);
    int fds[2];
    assert_int_equal(socketpair(AF_UNIX, SOCK_STREAM, 0, fds), 0);
    assert_int_equal(clasp_conn_set_fd(c, fds[0]), 0);
    /* A client without a server name has nothing to verify: it refuses, it does not hang. */
    assert_int_equal(clasp_handshake(c), CLASP_ERR_STATE);
    assert_int_equal(clasp_read(c, buf, 0, &n), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_read(c, NULL, 4, &n), CLASP_ERR_INVALID_ARG);
    assert_int_equal(clasp_close(c), 0); /* never started: nothing to send */
    uint8_t peek;
    set_nonblocking(fds[1], 1);
    assert_int_equal(recv(fds[1], &peek, 1, 0), -1);
    assert_int_equal(errno, EAGAIN);
    clasp_conn_free(c);
    clasp_config_free(ccfg);
    close(fds[0]);
    close(fds[1]);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_blocking_data_and_close),
        cmocka_unit_test(test_blocking_mib),
        cmocka_unit_test(test_key_update_answered),
        cmocka_unit_test(test_nonblocking_handshake),
        cmocka_unit_test(test_nonblocking_transfer),
        cmocka_unit_test(test_close_notify_both_ways),
        cmocka_unit_test(test_truncation),
        cmocka_unit_test(test_eof_during_handshake),
        cmocka_unit_test(test_alert_reaches_server),
        cmocka_unit_test(test_alert_reaches_client),
        cmocka_unit_test(test_epipe_without_sigpipe),
        cmocka_unit_test(test_eintr_retried),
        cmocka_unit_test(test_misuse),
        cmocka_unit_test(test_answers_wait_for_the_socket),
    };
    return cmocka_run_group_tests(tests, make_pki, free_pki);
}
