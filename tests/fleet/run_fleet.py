#!/usr/bin/env python3
"""
clasp's fleet test (CTest fleet.memcached): resumption across several clasp-server processes.

Starts a real memcached on 127.0.0.1 (the Debian package; `memcached -l 127.0.0.1 -p PORT
-U 0`), runs test_memcached (libclasp-memcached against it), then pairs of clasp-server
processes on different ports that share
  - a session store in memcached (--session-store): TLS 1.2 session IDs, and TLS 1.3
    stateful tickets, which resume once across both servers (also when both see the ticket at
    the same instant);
  - ticket keys in memcached (--ticket-keys-memcached): TLS 1.3 and TLS 1.2 (RFC 5077)
    stateless tickets;
  - a key file (--ticket-keys, rotated by clasp-server --rotate-ticket-keys): the same, and a
    ticket whose key was rotated out gets a clean full handshake.
Clients are clasp-client with --sess-out on one server and --sess-in on the other. Then
memcached is stopped: handshakes still succeed (full ones), the servers keep running; and
started again: resumption comes back. Last, the servers are stopped with SIGTERM and must exit
cleanly (under the sanitizers, without a report).

Exit status: 0 passed, 1 failed, 77 skipped (no memcached, or clasp built without
libclasp-memcached); with CLASP_INTEROP_REQUIRED=1 (CI) what would be skipped fails.
Usage: run_fleet.py --build BUILD_DIR [--keep]
"""

import argparse
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time

SKIP = 77
REQUIRED = os.environ.get("CLASP_INTEROP_REQUIRED") == "1"
NAME = "server.test"
CONTEXT = "fleet-test"
TIMEOUT = 30.0  # one process, generous: CI runs the tools under the sanitizers too


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


def free_port():
    s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def wait_until(pred, what, timeout=TIMEOUT):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        if pred():
            return
        time.sleep(0.05)
    raise Failure("timed out waiting for " + what)


def tool_env():
    env = dict(os.environ)
    asan = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=1:abort_on_error=1"
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    env["LC_ALL"] = "C"
    return env


class Memcached:
    """The real memcached, on 127.0.0.1 only, no UDP; stopped and started again on its port."""

    def __init__(self, tmp, port):
        self.port, self.tmp, self.p = port, tmp, None
        self.addr = "127.0.0.1:%d" % port

    def start(self):
        argv = [shutil.which("memcached") or "/usr/bin/memcached", "-l", "127.0.0.1",
                "-p", str(self.port), "-U", "0", "-m", "16"]
        if os.geteuid() == 0:
            argv += ["-u", "root"]  # memcached refuses root without -u
        self.log = open(os.path.join(self.tmp, "memcached.log"), "ab")
        self.p = subprocess.Popen(argv, stdout=self.log, stderr=self.log,
                                  stdin=subprocess.DEVNULL)
        wait_until(self.answers, "memcached on port %d" % self.port)

    def answers(self):
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=1) as s:
                s.sendall(b"version\r\n")
                return s.recv(100).startswith(b"VERSION")
        except OSError:
            return False

    def command(self, line, data=None):
        with socket.create_connection(("127.0.0.1", self.port), timeout=5) as s:
            s.sendall(line + b"\r\n" + (data + b"\r\n" if data is not None else b""))
            return s.recv(65536)

    def stop(self):
        if self.p and self.p.poll() is None:
            self.p.terminate()
            self.p.wait(timeout=TIMEOUT)
        self.p = None
        if getattr(self, "log", None):
            self.log.close()
            self.log = None


class Fleet:
    def __init__(self, build, tmp):
        self.build, self.tmp = build, tmp
        self.server_bin = os.path.join(build, "tools", "clasp-server")
        self.client_bin = os.path.join(build, "tools", "clasp-client")
        self.servers = []
        self.n = 0

    def path(self, name):
        return os.path.join(self.tmp, name)

    def openssl(self, *argv):
        r = subprocess.run(["openssl", *argv], cwd=self.tmp, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT)
        check(r.returncode == 0, "openssl %s: %s" % (" ".join(argv), r.stdout.decode()))

    def make_pki(self):
        self.openssl("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt",
                     "ec_paramgen_curve:P-256", "-nodes", "-keyout", "ca.key", "-out", "ca.pem",
                     "-days", "2", "-subj", "/CN=clasp fleet test CA",
                     "-addext", "basicConstraints=critical,CA:TRUE",
                     "-addext", "keyUsage=critical,keyCertSign")
        with open(self.path("leaf.ext"), "w") as f:
            f.write("basicConstraints=critical,CA:FALSE\nkeyUsage=critical,digitalSignature\n"
                    "extendedKeyUsage=serverAuth\nsubjectAltName=DNS:%s\n" % NAME)
        self.openssl("req", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                     "-nodes", "-keyout", "server.key", "-out", "server.csr", "-subj",
                     "/CN=" + NAME)
        self.openssl("x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                     "-CAcreateserial", "-days", "2", "-extfile", "leaf.ext", "-out",
                     "server.pem")

    def server(self, label, *flags):
        """A clasp-server on a free port, sharing the fleet's identity; returns (proc, port)."""
        err = open(self.path(label + ".err"), "wb")
        argv = [self.server_bin, "--port", "0", "--cert", self.path("server.pem"), "--key",
                self.path("server.key"), "--session-context", CONTEXT, *flags]
        p = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err,
                             stdin=subprocess.DEVNULL, env=tool_env())
        p.label, p.err_path, p.err_file, p.argv = label, err.name, err, argv
        self.servers.append(p)
        port = []

        def listening():
            check(p.poll() is None, "%s exited at start: %s" % (label, self.tail(p)))
            m = re.search(r"listening on 127\.0\.0\.1:(\d+)", self.read(p))
            if m:
                port.append(int(m.group(1)))
            return bool(port)
        wait_until(listening, label + " listening")
        p.port = port[0]
        return p

    def read(self, p):
        with open(p.err_path, "rb") as f:
            return f.read().decode(errors="replace")

    def tail(self, p, n=15):
        return "\n".join(self.read(p).splitlines()[-n:])

    def client(self, srv, version, sess_in=None, sess_out=None):
        """One connection to srv: 'new' or 'resumed' (a failed connection fails the test)."""
        self.n += 1
        argv = [self.client_bin, "127.0.0.1:%d" % srv.port, "--ca", self.path("ca.pem"),
                "--servername", NAME, "--versions", version, "--reconnect", "0"]
        if sess_in:
            argv += ["--sess-in", self.path(sess_in)]
        if sess_out:
            argv += ["--sess-out", self.path(sess_out)]
        r = subprocess.run(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                           timeout=TIMEOUT, env=tool_env())
        err = r.stderr.decode(errors="replace")
        check(r.returncode == 0, "client %d to %s failed (%d):\n%s\n%s: %s" %
              (self.n, srv.label, r.returncode, err, srv.label, self.tail(srv)))
        m = re.search(r"connection 1: (new|resumed)", err)
        check(m, "client %d: no 'connection 1:' line:\n%s" % (self.n, err))
        return m.group(1)

    def expect(self, got, want, what):
        check(got == want, "%s: %s, expected %s" % (what, got, want))
        print("ok   %s: %s" % (what, got), flush=True)

    def alive(self, *servers):
        for s in servers:
            check(s.poll() is None, "%s died:\n%s" % (s.label, self.tail(s)))

    def stop_all(self):
        """SIGTERM to each server: it must stop cleanly (status 0, no sanitizer report)."""
        bad = []
        for s in self.servers:
            if s.poll() is None:
                s.send_signal(signal.SIGTERM)
            try:
                rc = s.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                s.kill()
                rc = s.wait()
            s.err_file.close()
            text = self.read(s)
            if rc != 0 or re.search(r"ERROR: \w+Sanitizer|runtime error:", text):
                bad.append("%s exited %s:\n%s" % (s.label, rc, self.tail(s, 30)))
        self.servers = []
        check(not bad, "\n".join(bad))


def stateful_race(f, a, b, ticket):
    """Both servers are offered one stateful ticket at the same instant: at most one
    resumes it (take is atomic), whatever the interleaving."""
    results = []

    def go(srv):
        results.append(f.client(srv, "1.3", sess_in=ticket))
    threads = [threading.Thread(target=go, args=(s,)) for s in (a, b)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def store_cases(f, mc):
    """TLS 1.2 session IDs and TLS 1.3 stateful tickets in the memcached store."""
    store = "memcached:" + mc.addr
    a = f.server("store-a", "--session-store", store, "--tickets", "0")
    b = f.server("store-b", "--session-store", store, "--tickets", "0")
    f.client(a, "1.2", sess_out="id12")
    f.expect(f.client(b, "1.2", sess_in="id12"), "resumed", "TLS 1.2 session ID, other server")
    f.expect(f.client(a, "1.2", sess_in="id12"), "resumed", "TLS 1.2 session ID, again")

    c = f.server("stateful-c", "--session-store", store, "--stateful-tickets")
    d = f.server("stateful-d", "--session-store", store, "--stateful-tickets")
    f.client(c, "1.3", sess_out="t13")
    f.expect(f.client(d, "1.3", sess_in="t13"), "resumed", "TLS 1.3 stateful ticket, other server")
    f.expect(f.client(c, "1.3", sess_in="t13"), "new", "the same ticket again, first server")
    f.expect(f.client(d, "1.3", sess_in="t13"), "new", "the same ticket again, second server")
    winners = 0
    for i in range(4):
        f.client(c, "1.3", sess_out="race%d" % i)
        r = stateful_race(f, c, d, "race%d" % i)
        check(r.count("resumed") <= 1, "a stateful ticket resumed twice at once: %s" % r)
        winners += r.count("resumed")
    f.expect(winners > 0, True, "one ticket offered to both servers at once, resumed at most once")
    return a, b, c, d


def memcached_key_cases(f, mc):
    """Stateless tickets under keys shared through memcached; a key rotated out."""
    flags = ("--ticket-keys-memcached", mc.addr, "--ticket-keys-group", "g1",
             "--ticket-keys-rotate", "10")
    e = f.server("keys-e", *flags)
    g = f.server("keys-f", *flags)
    for s in (e, g):
        check("group g1:" in f.read(s), "%s: no keys from memcached:\n%s" % (s.label, f.tail(s)))
    for v in ("1.3", "1.2"):
        f.client(e, v, sess_out="mk" + v)
        f.expect(f.client(g, v, sess_in="mk" + v), "resumed",
                 "TLS %s ticket, keys from memcached, other server" % v)
    # The ring replaced by one without the old keys (as after rotations): both servers take
    # it at their next read, and the old tickets get clean full handshakes.
    ring = subprocess.run([f.server_bin, "--rotate-ticket-keys", f.path("ring.keys"),
                           "--ticket-keys-announce", "0"], stderr=subprocess.PIPE)
    check(ring.returncode == 0, "rotate-ticket-keys: %s" % ring.stderr.decode())
    with open(f.path("ring.keys"), "rb") as fp:
        data = fp.read()
    reply = mc.command(b"set clasp:k:g1 0 0 %d" % len(data), data)
    check(reply.startswith(b"STORED"), "memcached set: %r" % reply)
    time.sleep(2.5)  # the servers read the ring every second
    for v in ("1.3", "1.2"):
        f.expect(f.client(g, v, sess_in="mk" + v), "new",
                 "TLS %s ticket whose key was rotated out of the memcached ring" % v)
    f.client(e, "1.3", sess_out="mk-new")
    f.expect(f.client(g, "1.3", sess_in="mk-new"), "resumed", "a ticket under the new ring")
    return e, g


def key_file_cases(f):
    """Stateless tickets under a shared key file, rotated with --rotate-ticket-keys."""
    keys = f.path("fleet.keys")

    def rotate():
        r = subprocess.run([f.server_bin, "--rotate-ticket-keys", keys, "--ticket-keys-keep",
                            "2", "--ticket-keys-announce", "0"], stderr=subprocess.PIPE)
        check(r.returncode == 0, "rotate-ticket-keys: %s" % r.stderr.decode())
    rotate()
    check(oct(os.stat(keys).st_mode & 0o777) == "0o600", "the key file is not mode 0600")
    h = f.server("file-h", "--ticket-keys", keys)
    i = f.server("file-i", "--ticket-keys", keys)
    for v in ("1.3", "1.2"):
        f.client(h, v, sess_out="kf" + v)
        f.expect(f.client(i, v, sess_in="kf" + v), "resumed",
                 "TLS %s ticket, keys from a shared file, other server" % v)
    # Two rotations with two keys kept: the first key is gone from the file.
    reads = f.read(i).count("ticket keys read from")
    time.sleep(1.1)  # a new mtime for the servers to notice
    rotate()
    rotate()
    wait_until(lambda: f.read(i).count("ticket keys read from") > reads, "file-i to reread keys")
    for v in ("1.3", "1.2"):
        f.expect(f.client(i, v, sess_in="kf" + v), "new",
                 "TLS %s ticket whose key was rotated out of the file" % v)
    # With a period, a key is added only when due: run again at once, nothing changes.
    with open(keys, "rb") as fp:
        before = fp.read()
    r = subprocess.run([f.server_bin, "--rotate-ticket-keys", keys, "--ticket-keys-rotate",
                        "3600", "--ticket-keys-announce", "0"], stderr=subprocess.PIPE)
    with open(keys, "rb") as fp:
        after = fp.read()
    check(r.returncode == 0 and b"no key due" in r.stderr and after == before,
          "rotate-ticket-keys with a period rotated early: %s" % r.stderr.decode())
    print("ok   --rotate-ticket-keys with a period: no key due, the file unchanged", flush=True)
    # A file that is not a key file is left alone, and said so.
    bad = f.path("bad.keys")
    with open(bad, "w") as fp:
        fp.write("not a key\n")
    r = subprocess.run([f.server_bin, "--rotate-ticket-keys", bad], stderr=subprocess.PIPE)
    with open(bad) as fp:
        check(r.returncode == 1 and b"not a key file" in r.stderr and fp.read() == "not a key\n",
              "rotate-ticket-keys on a bad file: %d %s" % (r.returncode, r.stderr.decode()))
    print("ok   --rotate-ticket-keys refuses a file that is not a key file", flush=True)
    return h, i


def bad_flags(f, mc):
    """Fleet options that cannot work are refused at start, with a reason."""
    cases = [(("--session-store", "redis:127.0.0.1:6379"), "is not memcached:HOST:PORT"),
             (("--ticket-keys", f.path("fleet.keys"), "--ticket-keys-memcached", mc.addr),
              "exclude each other"),
             (("--ticket-keys-memcached", mc.addr, "--ticket-keys-group", "a b"),
              "invalid argument")]
    for flags, why in cases:
        argv = [f.server_bin, "--port", "0", "--cert", f.path("server.pem"), "--key",
                f.path("server.key"), *flags]
        r = subprocess.run(argv, stderr=subprocess.PIPE, stdout=subprocess.DEVNULL,
                           timeout=TIMEOUT, env=tool_env())
        err = r.stderr.decode(errors="replace")
        check(r.returncode in (1, 2) and why.lower() in err.lower(),
              "clasp-server %s: status %d, %s" % (" ".join(flags), r.returncode, err))
    print("ok   bad fleet options refused at start", flush=True)


def outage_cases(f, mc, a, b, c, e, g):
    """memcached stopped: full handshakes, nothing dies; started again: resumption is back."""
    mc.stop()
    f.client(a, "1.2", sess_out="down12")
    f.expect(f.client(b, "1.2", sess_in="down12"), "new",
             "memcached stopped: TLS 1.2, a full handshake")
    f.expect(f.client(c, "1.3"), "new", "memcached stopped: TLS 1.3 stateful server answers")
    f.client(e, "1.3", sess_out="down13")
    f.expect(f.client(g, "1.3", sess_in="down13"), "resumed",
             "memcached stopped: shared ticket keys stay")
    f.alive(a, b, c, e, g)
    mc.start()  # empty: the sessions are gone, the key ring is published again
    time.sleep(2.5)  # a failed server is retried after a second; the keys are read every second
    f.client(a, "1.2", sess_out="up12")
    f.expect(f.client(b, "1.2", sess_in="up12"), "resumed",
             "memcached back: TLS 1.2 session ID resumes again")
    f.expect(f.client(g, "1.3", sess_in="down13"), "resumed",
             "memcached back: a ticket from the outage still opens")
    check(b"clasp:k:g1" in mc.command(b"get clasp:k:g1"), "the key ring was not published again")
    f.alive(a, b, c, e, g)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--build", required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    args = ap.parse_args()
    build = os.path.abspath(args.build)
    missing = []
    if not (shutil.which("memcached") or os.path.exists("/usr/bin/memcached")):
        missing.append("memcached (Debian package memcached)")
    test_bin = os.path.join(build, "tests", "fleet", "test_memcached")
    if not os.path.exists(test_bin):
        missing.append("libclasp-memcached (libmemcached-dev at build time)")
    if missing:
        print("%s: %s" % ("FAIL" if REQUIRED else "skip", ", ".join(missing) + " not found"))
        return 1 if REQUIRED else SKIP

    tmp = tempfile.mkdtemp(prefix="clasp-fleet-")
    mc = Memcached(tmp, free_port())
    f = Fleet(build, tmp)
    started = time.monotonic()
    status = 1
    try:
        f.make_pki()
        mc.start()
        dead = "127.0.0.1:%d" % free_port()
        r = subprocess.run([test_bin, mc.addr, dead], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, timeout=120, env=tool_env())
        check(r.returncode == 0, "test_memcached:\n" + r.stdout.decode(errors="replace"))
        print("ok   test_memcached (libclasp-memcached against memcached)", flush=True)
        a, b, c, _ = store_cases(f, mc)
        e, g = memcached_key_cases(f, mc)
        key_file_cases(f)
        bad_flags(f, mc)
        outage_cases(f, mc, a, b, c, e, g)
        f.stop_all()
        print("ok   every server stopped cleanly (%.1f s in all)" % (time.monotonic() - started))
        status = 0
    except (Failure, subprocess.TimeoutExpired) as ex:
        print("FAIL %s" % ex, flush=True)
    finally:
        for s in f.servers:
            if s.poll() is None:
                s.kill()
                s.wait()
        mc.stop()
        if args.keep or status:
            print("kept: " + tmp)
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    return status


if __name__ == "__main__":
    sys.exit(main())
