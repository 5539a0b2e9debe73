#!/usr/bin/env python3
"""
clasp-demo, checked (Python 3, standard library only).

  check_demo.py --demo PATH sections   runs `clasp-demo --trace=json` and checks, section by
                                       section and side by side, that every step of the
                                       narration happens, in order (the events are the
                                       library's own trace: docs/trace.md)
  check_demo.py --demo PATH text       runs `clasp-demo` and checks the narration people
                                       read: each section's heading, key phrases, 100
                                       columns, no colour when not on a terminal, exit 0

Exit status: 0 when everything held, 1 otherwise (each failure is printed).
"""

import argparse
import json
import os
import subprocess
import sys

TIMEOUT = 120  # generous: the sanitizer build is slow, valgrind slower
WIDTH = 100

FAILURES = []


def fail(msg):
    FAILURES.append(msg)
    print("FAIL: " + msg)


def run(demo, *args, env=None):
    e = dict(os.environ)
    e.pop("NO_COLOR", None)
    e.pop("SSLKEYLOGFILE", None)
    asan = e.get("ASAN_OPTIONS", "")
    e["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=1:abort_on_error=1"
    e.update(env or {})
    p = subprocess.run([demo, *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                       timeout=TIMEOUT, env=e)
    out, err = p.stdout.decode("utf-8", "replace"), p.stderr.decode("utf-8", "replace")
    if "Sanitizer" in err or "runtime error:" in err:
        fail("clasp-demo %s: sanitizer report:\n%s" % (" ".join(args), err[-3000:]))
    return p.returncode, out, err


# ---------------------------------------------------------------------------------------
# sections: the JSON events
# ---------------------------------------------------------------------------------------

def M(d, name, **fields):
    """A message in direction d ("out"/"in"), with fields that must hold (values: a string
    to find in the field, or a function of the field's value)."""
    return ("message", d, name, fields)


def N(name, **fields):
    return ("note", None, name, fields)


def R(d, name, **fields):
    return ("record", d, name, fields)


def A(d, name):
    return ("alert", d, name, {})


def describe(step):
    kind, d, name, fields = step
    return "%s %s%s%s" % (kind, name, " " + d if d else "", " " + str(fields) if fields else "")


def matches(ev, step):
    kind, d, name, fields = step
    if ev.get("kind") != kind or ev.get("name") != name:
        return False
    if d and ev.get("dir") != d:
        return False
    have = ev.get("fields", {})
    for key, want in fields.items():
        value = have.get(key)
        if value is None:
            return False
        if callable(want) and not want(value):
            return False
        if isinstance(want, str) and want not in value:
            return False
    return True


def in_order(events, steps, where):
    """Every step, in this order, among events (others may come between)."""
    i = 0
    for step in steps:
        while i < len(events) and not matches(events[i], step):
            i += 1
        if i == len(events):
            fail("%s: no %s (in this order)" % (where, describe(step)))
            return
        i += 1


def absent(events, kind, name, where):
    if any(e.get("kind") == kind and e.get("name") == name for e in events):
        fail("%s: a %s %s, which this handshake must not have" % (where, kind, name))


RSA_KX = "RSA: the pre-master secret, encrypted to the server's public key"

EXPECTED = {
    1: {
        "client": [
            M("out", "ClientHello", cipher_suites="TLS_RSA_WITH_AES_128_GCM_SHA256",
              compression_methods="null", session_id="empty", server_name="server.test"),
            M("in", "ServerHello", version="TLS 1.2",
              cipher_suite="TLS_RSA_WITH_AES_128_GCM_SHA256"),
            M("in", "Certificate", certificates="1", **{"certificate[0]": "server.test"}),
            N("certificate_verified", result="ok", host="server.test"),
            M("in", "CertificateRequest", certificate_types="rsa_sign",
              certificate_authorities="clasp demo CA"),
            M("in", "ServerHelloDone"),
            M("out", "Certificate", certificates="1", **{"certificate[0]": "demo client"}),
            M("out", "ClientKeyExchange", key_exchange=RSA_KX),
            M("out", "CertificateVerify", signature_scheme="ecdsa_secp256r1_sha256"),
            M("out", "ChangeCipherSpec"),
            M("out", "Finished", verify_data="12 bytes"),
            M("in", "ChangeCipherSpec"),
            M("in", "Finished"),
            N("finished_verified"),
            N("handshake_done", version="TLS 1.2"),
            R("out", "application_data"),
            R("in", "application_data"),
            A("out", "close_notify"),
        ],
        "server": [
            M("in", "ClientHello"),
            N("version", chosen="TLS 1.2"),
            M("out", "ServerHello", downgrade_sentinel="DOWNGRD"),
            M("out", "Certificate"),
            M("out", "CertificateRequest"),
            M("out", "ServerHelloDone"),
            M("in", "Certificate"),
            N("certificate_verified", result="ok"),
            M("in", "ClientKeyExchange", key_exchange=RSA_KX),
            M("in", "CertificateVerify"),
            N("signature_checked", message="CertificateVerify", result="ok"),
            M("in", "ChangeCipherSpec"),
            M("in", "Finished"),
            N("finished_verified"),
            M("out", "ChangeCipherSpec"),
            M("out", "Finished"),
            N("session_stored"),
            R("in", "application_data"),
            R("out", "application_data"),
        ],
    },
    2: {
        "client": [
            M("out", "ClientHello", session_id=lambda v: v != "empty"),
            M("in", "ServerHello", cipher_suite="TLS_RSA_WITH_AES_128_GCM_SHA256"),
            M("in", "ChangeCipherSpec"),
            M("in", "Finished"),
            N("finished_verified"),
            M("out", "ChangeCipherSpec"),
            M("out", "Finished"),
            N("resumed", by="session ID"),
            R("out", "application_data"),
            R("in", "application_data"),
        ],
        "server": [
            M("in", "ClientHello"),
            M("out", "ServerHello"),
            M("out", "ChangeCipherSpec"),
            M("out", "Finished"),
            M("in", "ChangeCipherSpec"),
            M("in", "Finished"),
            N("finished_verified"),
            N("resumed", by="session ID"),
        ],
    },
    3: {
        "client": [
            M("out", "ClientHello"),
            M("in", "ServerHello", version="TLS 1.2",
              cipher_suite="TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"),
            M("in", "Certificate"),
            N("certificate_verified", result="ok"),
            M("in", "ServerKeyExchange", group="x25519", signature_scheme="ecdsa"),
            N("signature_checked", message="ServerKeyExchange", result="ok"),
            M("in", "ServerHelloDone"),
            M("out", "ClientKeyExchange", key_exchange="ECDHE"),
            M("out", "ChangeCipherSpec"),
            M("out", "Finished"),
            M("in", "ChangeCipherSpec"),
            M("in", "Finished"),
            N("finished_verified"),
            R("out", "application_data"),
        ],
        "server": [
            M("in", "ClientHello"),
            M("out", "ServerHello"),
            M("out", "Certificate"),
            M("out", "ServerKeyExchange"),
            M("out", "ServerHelloDone"),
            M("in", "ClientKeyExchange", key_exchange="ECDHE"),
            M("in", "Finished"),
            M("out", "Finished"),
        ],
    },
    4: {
        "client": [
            M("out", "ClientHello", supported_versions="TLS 1.3", key_shares="x25519"),
            M("in", "ServerHello", version="TLS 1.3", key_share="x25519"),
            N("version", chosen="TLS 1.3"),
            M("in", "EncryptedExtensions"),
            M("in", "CertificateRequest"),
            M("in", "Certificate"),
            N("certificate_verified", result="ok", host="server.test"),
            M("in", "CertificateVerify"),
            N("signature_checked", message="CertificateVerify"),
            M("in", "Finished", verify_data="32 bytes"),
            N("finished_verified"),
            M("out", "Certificate", certificates="1"),
            M("out", "CertificateVerify"),
            M("out", "Finished"),
            N("handshake_done", version="TLS 1.3"),
            R("out", "application_data"),
            R("in", "application_data"),
        ],
        "server": [
            M("in", "ClientHello"),
            M("out", "ServerHello"),
            M("out", "EncryptedExtensions"),
            M("out", "CertificateRequest"),
            M("out", "Certificate"),
            M("out", "CertificateVerify"),
            M("out", "Finished"),
            M("in", "Certificate"),
            N("certificate_verified", result="ok"),
            M("in", "CertificateVerify"),
            N("signature_checked", message="CertificateVerify"),
            M("in", "Finished"),
            N("finished_verified"),
        ],
    },
    5: {
        "client": [
            M("out", "ClientHello", server_name="other.test"),
            M("in", "ServerHello"),
            M("in", "Certificate"),
            N("failure", alert="bad_certificate",
              detail=lambda v: "hostname mismatch" in v and "other.test" in v),
            A("out", "bad_certificate"),
        ],
        "server": [
            M("out", "ServerHello"),
            M("out", "Certificate"),
            A("in", "bad_certificate"),
            N("failure", detail="bad_certificate"),
        ],
    },
    6: {
        "client": [
            N("psk_offered"),
            M("out", "ClientHello", pre_shared_key="1 identity",
              psk_key_exchange_modes="psk_dhe_ke"),
            M("in", "ServerHello", version="TLS 1.3", pre_shared_key="identity 0 selected",
              key_share="x25519"),
            N("psk_accepted", identity="0", mode="psk_dhe_ke"),
            M("in", "EncryptedExtensions"),
            M("in", "Finished"),
            N("finished_verified"),
            M("out", "Finished"),
            N("resumed", by="ticket (TLS 1.3 PSK)"),
            N("handshake_done", version="TLS 1.3"),
            M("in", "NewSessionTicket"),
            R("out", "application_data"),
        ],
        "server": [
            M("in", "ClientHello"),
            N("binder_verified"),
            N("psk_accepted", mode="psk_dhe_ke"),
            M("out", "ServerHello"),
            M("out", "EncryptedExtensions"),
            M("out", "Finished"),
            M("in", "Finished"),
            N("finished_verified"),
            N("resumed", by="ticket (TLS 1.3 PSK)"),
            M("out", "NewSessionTicket"),
            # counted from section 4's handshake: 7200 s, or a second less if one passed
            N("ticket_issued", lifetime=lambda v: v in ("7200 s", "7199 s")),
        ],
    },
    7: {
        "client": [
            M("out", "ClientHello", cipher_suites="TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
            M("in", "ServerHello", cipher_suite="TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256"),
            M("out", "Finished"),
            M("in", "Finished"),
            N("handshake_done", version="TLS 1.2"),
            # the seeds' steps, in their order: fragment, compression, MAC, encryption, header
            R("out", "application_data", protection="MAC-then-encrypt",
              fragment="37 bytes (at most 2^14): 474554202f", compression="null",
              mac_input="seq_num 0000000000000001, type 23, version 0303, length 0025",
              mac="HMAC-SHA256, 32 bytes: ", padding="11 bytes of value 10: 0a0a0a0a",
              iv="(random", ciphertext="AES-128-CBC, 80 bytes: ",
              header="1703030060: application_data"),
            R("in", "application_data"),
        ],
        "server": [
            M("in", "ClientHello"),
            M("out", "ServerHello"),
            R("in", "application_data"),
            R("out", "application_data"),
        ],
    },
}

# What a section must not have at all (either side).
ABSENT = {
    2: [("message", "Certificate"), ("message", "ClientKeyExchange"),
        ("message", "ServerKeyExchange"), ("message", "CertificateRequest")],
    3: [("message", "CertificateRequest"), ("message", "EncryptedExtensions")],
    4: [("message", "ServerKeyExchange"), ("message", "ClientKeyExchange"),
        ("message", "ServerHelloDone")],
    5: [("record", "application_data"), ("note", "handshake_done")],
    6: [("message", "Certificate"), ("message", "CertificateRequest"),
        ("message", "CertificateVerify"), ("note", "certificate_verified")],
}

COMMON_KEYS = {"side", "section", "kind", "name"}
KIND_KEYS = {
    "message": {"dir", "length", "fields"},
    "record": {"dir", "type", "version", "length", "protected"},
    # a record told step by step (clasp_config_set_trace_records)
    "record steps": {"dir", "type", "version", "length", "protected", "fields"},
    "key": {"length"},
    "alert": {"dir", "level", "description"},
    "note": {"fields"},
}


def check_schema(ev, n):
    kind = ev.get("kind")
    if kind == "record" and "fields" in ev:
        kind = "record steps"
    if kind not in KIND_KEYS:
        fail("event %d: unknown kind %r" % (n, kind))
        return
    if set(ev) != COMMON_KEYS | KIND_KEYS[kind]:
        fail("event %d (%s %s): keys %s, want %s" % (n, kind, ev.get("name"), sorted(ev),
                                                     sorted(COMMON_KEYS | KIND_KEYS[kind])))
    if ev.get("side") not in ("client", "server") or ev.get("section") not in range(1, 8):
        fail("event %d: side %r section %r" % (n, ev.get("side"), ev.get("section")))
    for v in ev.get("fields", {}).values():
        if not isinstance(v, str):
            fail("event %d: a field value that is not a string: %r" % (n, v))


def encrypted_certificates(events, where):
    """TLS 1.3: the record that brought the server's Certificate was protected."""
    last_record = None
    for e in events:
        if e["kind"] == "record" and e["dir"] == "in":
            last_record = e
        if e["kind"] == "message" and e["dir"] == "in" and e["name"] == "Certificate":
            if not last_record or not last_record["protected"]:
                fail("%s: the server's Certificate did not arrive in a protected record" % where)
            return
    fail("%s: no Certificate arrived" % where)


def hex_of(value, after=": "):
    """A step's hex digits as bytes: those after `after` ("N bytes: 0a0b..."), or with
    after=None those that begin the value ("0a0b... (random)", "1703030060: ...")."""
    if after:
        value = value.split(after, 1)[1]
    return bytes.fromhex(value.split(" ")[0].split(":")[0].rstrip("."))


def record_steps_agree(events):
    """Section 7: exactly one record told step by step (the client's first application data),
    and its steps agree with each other and with the record on the wire: the fragment is the
    request; the MAC input names its length and the first sequence number after Finished;
    fragment, MAC and padding fill whole AES blocks; IV and ciphertext make the record's
    length, which the header names."""
    told = [e for e in events if e.get("kind") == "record" and "fields" in e]
    if len(told) != 1 or told[0].get("side") != "client" or told[0].get("dir") != "out":
        fail("section 7: %d records told step by step, want the client's one" % len(told))
        return
    ev, f = told[0], told[0]["fields"]
    request = b"GET / HTTP/1.1\r\nHost: server.test\r\n\r\n"
    try:
        frag, mac, pad = hex_of(f["fragment"]), hex_of(f["mac"]), hex_of(f["padding"])
        iv, header = hex_of(f["iv"], None), hex_of(f["header"], None)
        enc = int(f["ciphertext"].split(", ")[1].split(" ")[0])
    except (KeyError, ValueError, IndexError) as e:
        fail("section 7: a step's value cannot be read: %r" % e)
        return
    checks = [
        (frag == request, "the fragment is not the request"),
        ("length %04x" % len(request) in f["mac_input"], "the MAC input's length is not the "
                                                          "fragment's"),
        (len(mac) == 32, "HMAC-SHA256 is not 32 bytes"),
        (len(pad) >= 1 and pad == bytes([len(pad) - 1]) * len(pad),
         "the padding is not padding_length + 1 bytes of padding_length"),
        ((len(frag) + len(mac) + len(pad)) % 16 == 0 and len(frag) + len(mac) + len(pad) == enc,
         "fragment, MAC and padding do not make the ciphertext's whole blocks"),
        (len(iv) == 16, "the IV is not one block"),
        (header[:3] == bytes([23, 3, 3]) and int.from_bytes(header[3:], "big") == 16 + enc ==
         ev["length"], "the header does not name the record's length"),
    ]
    for ok, what in checks:
        if not ok:
            fail("section 7: " + what)


def check_sections(demo):
    rc, out, err = run(demo, "--trace=json")
    if rc != 0:
        fail("clasp-demo --trace=json exited %d:\n%s" % (rc, err[-2000:]))
    events = []
    for n, line in enumerate(out.splitlines(), 1):
        try:
            events.append(json.loads(line))
        except ValueError as e:
            fail("line %d is not JSON (%s): %r" % (n, e, line[:200]))
            continue
        check_schema(events[-1], n)
    for section, sides in EXPECTED.items():
        mine = [e for e in events if e.get("section") == section]
        if not mine:
            fail("section %d: no events" % section)
            continue
        for side, steps in sides.items():
            in_order([e for e in mine if e.get("side") == side], steps,
                     "section %d, %s" % (section, side))
        for kind, name in ABSENT.get(section, []):
            absent(mine, kind, name, "section %d" % section)
    encrypted_certificates([e for e in events if e.get("section") == 4 and
                            e.get("side") == "client"], "section 4, client")
    record_steps_agree([e for e in events if e.get("section") == 7])
    print("checked %d events in %d sections" % (len(events), len(EXPECTED)))


# ---------------------------------------------------------------------------------------
# text: the narration as people read it
# ---------------------------------------------------------------------------------------

HEADINGS = [
    "━━ 1. The classic handshake: TLS 1.2, RSA key exchange, client certificate",
    "━━ 2. The same session, resumed by session ID",
    "━━ 3. TLS 1.2 with ECDHE: forward secrecy",
    "━━ 4. TLS 1.3 with X25519 and client certificates",
    "━━ 5. A failure: the wrong host name",
    "━━ 6. The TLS 1.3 session, resumed by ticket",
    "━━ 7. The record layer: one record, MAC then encryption",
]

# Phrases each section's narration must contain, in this order.
PHRASES = {
    1: ["→ ClientHello: TLS 1.2 offered, 1 cipher suite in order of preference",
        "compression: null only (compression is never negotiated: CRIME)",
        "← ServerHello: TLS 1.2, TLS_RSA_WITH_AES_128_GCM_SHA256 chosen from the client's list",
        "downgrade sentinel: DOWNGRD 01",
        "← Certificate: the server's digital certificate",
        "← CertificateRequest: the server asks who the client is",
        "Distinguished Names of acceptable CAs: CN=clasp demo CA",
        "← ServerHelloDone", "✓ client verifies the server's certificate",
        "→ Certificate: the client's digital certificate",
        "→ ClientKeyExchange: RSA: the pre-master secret, encrypted to the server's public key",
        "keys: pre_master_secret → extended_master_secret",
        "→ CertificateVerify", "→ ChangeCipherSpec", "→ Finished (encrypted)",
        "✓ server checks the client's CertificateVerify", "← ChangeCipherSpec",
        "← Finished (encrypted)", "→ application data: 1 record,", "encrypted",
        "✓ as expected"],
    2: ["offered: resume that session", "the client's: the session is resumed",
        "← Finished (encrypted)", "→ Finished (encrypted)",
        "↺ session resumed by session ID", "✓ as expected"],
    3: ["forward secrecy", "← ServerKeyExchange: the server's ephemeral x25519 public key",
        "✓ client checks the ServerKeyExchange's signature",
        "→ ClientKeyExchange: ECDHE", "✓ as expected"],
    4: ["→ ClientHello: TLS 1.3/1.2 offered", "key share: x25519",
        "← ServerHello: TLS 1.3", "keys: early_secret →", "handshake traffic secrets",
        "← EncryptedExtensions (encrypted)", "← Certificate (encrypted)",
        "← CertificateVerify (encrypted)", "→ Certificate (encrypted)", "✓ as expected"],
    5: ["server name (SNI): other.test",
        "✗ client: certificate verify failed: hostname mismatch (wanted other.test)",
        "→ alert bad_certificate (fatal, encrypted)",
        "✗ server: the peer sent the alert bad_certificate", "✓ as expected"],
    6: ["client offers to resume: a ticket from an earlier connection",
        "pre-shared key: 1 identity", "TLS 1.3's resumption by session ID",
        "✓ server verifies the client's PSK binder",
        "server resumes with the pre-shared key (identity 0): psk_dhe_ke",
        "pre-shared key: identity 0 selected", "key share: x25519",
        "↺ session resumed by ticket (TLS 1.3 PSK)",
        "← NewSessionTicket (encrypted)", "server issues a ticket", "✓ as expected"],
    7: ["cut it into fragments of at most 2^14 bytes, compress, compute the MAC, encrypt, add "
        "the header", "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256 chosen",
        "→ one application data record, the record layer step by step, MAC-then-encrypt",
        "1 fragment: 37 bytes (at most 2^14):", "2 compression: null: never negotiated (CRIME)",
        "3 MAC over: seq_num 0000000000000001, type 23, version 0303, length 0025, then the "
        "fragment", "MAC: HMAC-SHA256, 32 bytes:", "4 padding: 11 bytes of value 10:",
        "IV:", "encrypted: AES-128-CBC, 80 bytes:", "5 header: 1703030060: application_data",
        "✓ as expected"],
}


def phrases_in_order(text, phrases, where):
    """The phrases in this order; wrapped lines are read as one (spaces collapsed)."""
    text = " ".join(text.split())
    pos = 0
    for p in phrases:
        i = text.find(p, pos)
        if i < 0:
            fail("%s: missing (in this order): %r" % (where, p))
            return
        pos = i + len(p)


def check_lines(out, where):
    for n, line in enumerate(out.splitlines(), 1):
        if len(line) > WIDTH:
            fail("%s: line %d is %d columns: %r" % (where, n, len(line), line))
    if "\033[" in out:
        fail("%s: colour codes when the output is not a terminal" % where)


def check_text(demo):
    rc, out, err = run(demo)
    if rc != 0:
        fail("clasp-demo exited %d:\n%s" % (rc, err[-2000:]))
    check_lines(out, "clasp-demo")
    starts = [out.find(h) for h in HEADINGS]
    for h, at in zip(HEADINGS, starts):
        if at < 0:
            fail("no heading %r" % h)
    if all(at >= 0 for at in starts):
        if starts != sorted(starts):
            fail("the sections are not in order")
        bounds = starts + [len(out)]
        for n in range(1, 8):
            phrases_in_order(out[bounds[n - 1]:bounds[n]], PHRASES[n], "section %d" % n)
    if "All seven sections behaved as expected." not in out:
        fail("no final verdict")
    for secret_word in ("CLIENT_RANDOM", "TRAFFIC_SECRET"):
        if secret_word in out:
            fail("the narration shows key log lines")
    check_options(demo)


def check_options(demo):
    rc, out, _ = run(demo, "--only", "2", "--color=never")
    if rc != 0 or HEADINGS[1] not in out:
        fail("--only 2 exited %d or lacks its heading" % rc)
    if HEADINGS[0] in out or "session resumed by session ID" not in out:
        fail("--only 2 should narrate section 2 alone (section 1 runs silently first)")
    rc, out, _ = run(demo, "--only", "6", "--color=never")
    if rc != 0 or HEADINGS[5] not in out or HEADINGS[3] in out or \
            "session resumed by ticket" not in out:
        fail("--only 6 should narrate section 6 alone (section 4 runs silently first)")
    rc, out, _ = run(demo, "--only", "5", "--color=always")
    if rc != 0 or "\033[" not in out:
        fail("--color=always: exit %d, colour codes %s" % (rc, "\033[" in out))
    rc, out, _ = run(demo, "--only", "5", "--color=auto", env={"NO_COLOR": "1"})
    if "\033[" in out:
        fail("--color=auto with NO_COLOR set printed colour codes")
    rc, _, err = run(demo, "--only", "9")
    if rc != 2 or "--only" not in err:
        fail("--only 9: exit %d (want 2, with the reason)" % rc)
    rc, out, _ = run(demo, "--help")
    if rc != 0 or "usage: clasp-demo" not in out:
        fail("--help: exit %d" % rc)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--demo", required=True, help="the clasp-demo executable")
    ap.add_argument("what", choices=["sections", "text"])
    args = ap.parse_args()
    if args.what == "sections":
        check_sections(args.demo)
    else:
        check_text(args.demo)
    if FAILURES:
        print("%d failure(s)" % len(FAILURES))
        return 1
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
