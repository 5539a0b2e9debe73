#!/usr/bin/env python3
"""
The tools' --trace against a real peer (Python 3, standard library only): clasp-client
--trace against `openssl s_server`, clasp-server --trace against `openssl s_client`, in
text and in JSON, TLS 1.3 and TLS 1.2, and SSLKEYLOGFILE; then the two clasp tools against
each other through a HelloRetryRequest. Each case checks that the narration shows the
handshake from ClientHello through both Finished messages, in order.

Usage: trace_peers.py --build BUILD_DIR
Exit status: 0 all passed, 1 a failure (printed), 77 (CTest's skip) without openssl.
"""

import argparse
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile

SKIP = 77
TIMEOUT = 30
NAME = "server.test"
REQUEST = b"GET / HTTP/1.1\r\nHost: server.test\r\n\r\n"

FAILURES = []


def fail(case, msg):
    FAILURES.append(case)
    print("FAIL %s: %s" % (case, msg))


def sh(cmd, cwd):
    subprocess.run(cmd, cwd=cwd, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def make_pki(d):
    """A CA and an ECDSA P-256 certificate for server.test, with the openssl command line."""
    ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256", "-nodes"]
    sh(["openssl", "req", "-x509", *ec, "-keyout", "ca.key", "-out", "ca.pem", "-days", "2",
        "-subj", "/CN=trace test CA", "-addext", "basicConstraints=critical,CA:TRUE",
        "-addext", "keyUsage=critical,keyCertSign"], d)
    sh(["openssl", "req", *ec, "-keyout", "server.key", "-out", "server.csr",
        "-subj", "/CN=" + NAME], d)
    with open(os.path.join(d, "ext"), "w") as f:
        f.write("subjectAltName=DNS:%s\nkeyUsage=critical,digitalSignature\n"
                "extendedKeyUsage=serverAuth\n" % NAME)
    sh(["openssl", "x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
        "-CAcreateserial", "-out", "server.pem", "-days", "2", "-extfile", "ext"], d)


def tool_env(extra=None):
    env = dict(os.environ)
    for k in ("NO_COLOR", "SSLKEYLOGFILE"):
        env.pop(k, None)
    asan = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=1:abort_on_error=1"
    env.update(extra or {})
    return env


def sanitizer_clean(case, err):
    if "Sanitizer" in err or "runtime error:" in err:
        fail(case, "sanitizer report:\n" + err[-3000:])


def read_port(proc, marker):
    """The port from the first line holding marker ("ACCEPT 127.0.0.1:P", "listening on ...")."""
    for line in proc:
        line = line.decode("utf-8", "replace")
        if marker in line:
            return int(line.strip().rsplit(":", 1)[1])
    return None


def with_s_server(d, version, run_client, naccept=1, extra=()):
    """Runs run_client(port) against `openssl s_server -www` restricted to version."""
    srv = subprocess.Popen(["openssl", "s_server", "-accept", "127.0.0.1:0", "-naccept",
                            str(naccept),
                            "-cert", "server.pem", "-key", "server.key", "-www",
                            "-tls1_3" if version == "1.3" else "-tls1_2", *extra],
                           cwd=d, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                           stderr=subprocess.DEVNULL)
    try:
        port = read_port(srv.stdout, "ACCEPT")
        return run_client(port)
    finally:
        srv.kill()
        srv.wait()


def run_client(d, port, *args, env=None):
    p = subprocess.run([CLIENT, "127.0.0.1:%d" % port, "--servername", NAME, "--ca", "ca.pem",
                        *args], cwd=d, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, env=tool_env(env))
    return p.returncode, p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")


def run_server(d, version, *args):
    """clasp-server --once with args, and `openssl s_client` sending a request to it."""
    srv = subprocess.Popen([SERVER, "--port", "0", "--once", "--cert", "server.pem", "--key",
                            "server.key", *args], cwd=d, stderr=subprocess.PIPE,
                           env=tool_env())
    try:
        port = read_port(srv.stderr, "listening on")
        subprocess.run(["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
                        "-servername", NAME, "-CAfile", "ca.pem", "-quiet",
                        "-tls1_3" if version == "1.3" else "-tls1_2"],
                       cwd=d, input=REQUEST, stdout=subprocess.DEVNULL,
                       stderr=subprocess.DEVNULL, timeout=TIMEOUT)
        err = srv.stderr.read().decode("utf-8", "replace")
        return srv.wait(timeout=TIMEOUT), err
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()


def phrases_in_order(case, text, phrases):
    flat = " ".join(text.split())
    pos = 0
    for p in phrases:
        i = flat.find(p, pos)
        if i < 0:
            fail(case, "missing (in this order): %r\n--- narration ---\n%s" % (p, text[-4000:]))
            return
        pos = i + len(p)


def json_events(text):
    return [json.loads(l) for l in text.splitlines() if l.startswith("{")]


def messages_in_order(case, events, steps):
    """steps: (dir, name) pairs that must appear in this order among the message events."""
    msgs = [(e["dir"], e["name"]) for e in events if e["kind"] == "message"]
    i = 0
    for step in steps:
        while i < len(msgs) and msgs[i] != step:
            i += 1
        if i == len(msgs):
            fail(case, "no %s %s (in this order) among %s" % (step[1], step[0], msgs))
            return
        i += 1


# ---- the cases ----

def client_text_13(d):
    case = "clasp-client --trace, TLS 1.3, openssl s_server"
    rc, _, err = with_s_server(d, "1.3", lambda port: run_client(d, port, "--trace"))
    sanitizer_clean(case, err)
    if rc != 0:
        fail(case, "exit %d\n%s" % (rc, err[-3000:]))
    phrases_in_order(case, err, [
        "1. → ClientHello: TLS 1.3/1.2 offered", "server name (SNI): server.test",
        "← ServerHello: TLS 1.3", "keys: early_secret", "← EncryptedExtensions (encrypted)",
        "← Certificate (encrypted): the server's digital certificate",
        "✓ client verifies the server's certificate: signed by the trusted CA CN=trace test CA",
        "for server.test",
        "← CertificateVerify (encrypted)", "← Finished (encrypted)",
        "✓ client verifies the server's Finished", "→ Finished (encrypted)",
        "✓ handshake done: TLS 1.3", "→ application data", "← application data"])
    if "\033[" in err:
        fail(case, "colour codes on a stderr that is not a terminal")


def client_text_13_cached(d):
    """Two connections of one clasp-client: the second verifies the same chain from the
    verified-chain cache, and the narration says what was still checked. (s_server sends no
    tickets here: with one, the second connection would resume and verify nothing.)"""
    case = "clasp-client --trace --reconnect 1, TLS 1.3, openssl s_server"
    rc, _, err = with_s_server(d, "1.3", lambda port: run_client(
        d, port, "--trace", "--reconnect", "1"), naccept=2, extra=("-num_tickets", "0"))
    sanitizer_clean(case, err)
    if rc != 0:
        fail(case, "exit %d\n%s" % (rc, err[-3000:]))
    # Lines are wrapped: compare with the whitespace folded.
    text = " ".join(err.split())
    step = "client verifies the server's certificate: signed by the trusted CA CN=trace test CA"
    cached = "for server.test (verified earlier; validity and name checked again)"
    first = text.find(step)
    second = text.find(step, first + 1)
    if first < 0 or second < 0 or text.count(cached) != 1 or text.find(cached) < second:
        fail(case, "expected a full verification, then a cached one:\n" + err[-3000:])


def client_json_12(d):
    case = "clasp-client --trace=json --trace-file, TLS 1.2, SSLKEYLOGFILE"
    trace, keylog = os.path.join(d, "client.jsonl"), os.path.join(d, "keys.log")
    rc, _, err = with_s_server(d, "1.2", lambda port: run_client(
        d, port, "--trace=json", "--trace-file", trace, env={"SSLKEYLOGFILE": keylog}))
    sanitizer_clean(case, err)
    if rc != 0:
        fail(case, "exit %d\n%s" % (rc, err[-3000:]))
        return
    with open(trace) as f:
        lines = f.read().splitlines()
    events = [json.loads(l) for l in lines]  # every line of the file is one event
    messages_in_order(case, events, [
        ("out", "ClientHello"), ("in", "ServerHello"), ("in", "Certificate"),
        ("in", "ServerKeyExchange"), ("in", "ServerHelloDone"), ("out", "ClientKeyExchange"),
        ("out", "ChangeCipherSpec"), ("out", "Finished"), ("in", "ChangeCipherSpec"),
        ("in", "Finished")])
    if any(e.get("side") != "client" or e.get("connection") != 1 for e in events):
        fail(case, "events without side client and connection 1")
    check_keylog(case, events, keylog, err)


def check_keylog(case, events, keylog, err):
    """The key log: one CLIENT_RANDOM line for this connection's random, the file private,
    the warning given."""
    if "SSLKEYLOGFILE" not in err or "decrypt" not in err:
        fail(case, "no warning that the key log decrypts the traffic:\n" + err[-1000:])
    with open(keylog) as f:
        lines = f.read().splitlines()
    randoms = [e["fields"].get("random") for e in events
               if e["kind"] == "message" and e["name"] == "ClientHello"]
    if len(lines) != 1 or not randoms or lines[0].split()[:2] != ["CLIENT_RANDOM", randoms[0]]:
        fail(case, "key log %r does not match the ClientHello's random %r" % (lines, randoms))
    if stat.S_IMODE(os.stat(keylog).st_mode) & 0o077:
        fail(case, "the key log is readable by others")


def server_json_13(d):
    case = "clasp-server --trace=json, TLS 1.3, openssl s_client"
    rc, err = run_server(d, "1.3", "--trace=json")
    sanitizer_clean(case, err)
    if rc != 0:
        fail(case, "exit %d\n%s" % (rc, err[-3000:]))
    events = json_events(err)
    messages_in_order(case, events, [
        ("in", "ClientHello"), ("out", "ServerHello"), ("out", "EncryptedExtensions"),
        ("out", "Certificate"), ("out", "CertificateVerify"), ("out", "Finished"),
        ("in", "Finished")])
    if not events or any(e.get("side") != "server" or not e.get("peer", "").startswith(
            "127.0.0.1:") for e in events):
        fail(case, "events without side server and the peer's address")


def server_text_12(d):
    case = "clasp-server --trace, TLS 1.2, openssl s_client"
    rc, err = run_server(d, "1.2", "--trace")
    sanitizer_clean(case, err)
    if rc != 0:
        fail(case, "exit %d\n%s" % (rc, err[-3000:]))
    phrases_in_order(case, err, [
        "connection from 127.0.0.1:", "1. → ClientHello: TLS 1.2 offered",
        "← ServerHello: TLS 1.2", "← Certificate: the server's digital certificate",
        "← ServerKeyExchange: the server's ephemeral", "← ServerHelloDone",
        "→ ClientKeyExchange: ECDHE", "→ ChangeCipherSpec", "→ Finished (encrypted)",
        "✓ server verifies the client's Finished", "← ChangeCipherSpec",
        "← Finished (encrypted)", "✓ handshake done: TLS 1.2",
        "clasp-server: 127.0.0.1:"])


def hello_retry(d):
    """Both clasp tools: the client's x25519 share, a server taking secp256r1 only."""
    case = "clasp-client --trace against clasp-server --trace, HelloRetryRequest"
    srv = subprocess.Popen([SERVER, "--port", "0", "--once", "--cert", "server.pem", "--key",
                            "server.key", "--groups", "secp256r1", "--trace"], cwd=d,
                           stderr=subprocess.PIPE, env=tool_env())
    try:
        port = read_port(srv.stderr, "listening on")
        rc, _, err = run_client(d, port, "--groups", "x25519:secp256r1", "--trace", "--quiet")
        srv_err = srv.stderr.read().decode("utf-8", "replace")
        srv_rc = srv.wait(timeout=TIMEOUT)
    finally:
        if srv.poll() is None:
            srv.kill()
            srv.wait()
    for who, code, text in (("client", rc, err), ("server", srv_rc, srv_err)):
        sanitizer_clean(case, text)
        if code != 0:
            fail(case, "%s exit %d\n%s" % (who, code, text[-3000:]))
    hrr = ["→ ClientHello", "key share: x25519",
           "← HelloRetryRequest: TLS_AES_128_GCM_SHA256; another ClientHello, with a "
           "secp256r1 key share", "cookie: 32 bytes"]
    phrases_in_order(case + " (client)", err, hrr + [
        "client answers with a second ClientHello: a secp256r1 key share, the cookie echoed",
        "→ ClientHello", "key share: secp256r1", "← ServerHello: TLS 1.3", "→ Finished"])
    phrases_in_order(case + " (server)", srv_err, hrr[:2] + [
        "server asks for a second ClientHello with a secp256r1 key share: the client supports "
        "this group but sent no key share for it"] + hrr[2:] + [
        "→ ClientHello", "key share: secp256r1", "← ServerHello: TLS 1.3", "→ Finished"])


def main():
    global CLIENT, SERVER
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", required=True, help="the CMake build directory")
    args = ap.parse_args()
    CLIENT = os.path.join(os.path.abspath(args.build), "tools", "clasp-client")
    SERVER = os.path.join(os.path.abspath(args.build), "tools", "clasp-server")
    if not shutil.which("openssl"):
        print("skip: no openssl command")
        return SKIP
    with tempfile.TemporaryDirectory(prefix="clasp-trace-") as d:
        make_pki(d)
        for case in (client_text_13, client_text_13_cached, client_json_12, server_json_13,
                     server_text_12, hello_retry):
            before = len(FAILURES)
            case(d)
            if len(FAILURES) == before:
                print("ok   " + case.__name__)
    return 1 if FAILURES else 0


if __name__ == "__main__":
    sys.exit(main())
