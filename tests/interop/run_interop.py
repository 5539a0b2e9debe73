#!/usr/bin/env python3
"""
clasp interop suite: clasp-client and clasp-server against real peers over 127.0.0.1.

Peers: OpenSSL (`openssl s_server` / `openssl s_client`) and GnuTLS (`gnutls-serv` /
`gnutls-cli`), both directions. Each case starts its own peer process and clasp tool, drives
them, and asserts concrete outcomes: exit statuses, the parameters both sides report as
negotiated, bytes compared one for one, and the alerts each side names. The PKI (CA, server
certificates for ECDSA P-256, ECDSA P-384, RSA-2048 and Ed25519, client certificates, an
expired certificate, certificates from another CA) is made afresh with the openssl command
line in a temporary directory.

The cases are a table (build_cases): versions (VERSIONS; CLASP_VERSIONS those the matrix
runs), suites (SUITES, each naming its version, and for TLS 1.2 its key exchange and the
certificate kinds it can use), groups (GROUPS) and certificate kinds (CERTS). The TLS 1.3
matrix is suite x group x certificate; the TLS 1.2 one (tls12_matrix) is suite x
certificate x group, with and without a client certificate, every case a full handshake
and then a resumed one, and 1 MiB each way once per suite. Other cases are rows of
FEATURE_CASES / NEGATIVE_CASES (named 1.3/... or 1.2/...). Cases clasp is known to fail are
listed in EXPECTED_FAILURES with the reason: they run and fail as "xfail"; a pass ("XPASS")
fails the run, so the list is kept honest. Known leaks: KNOWN_LEAKS and
SANITIZER_EXPECTED_FAILURES.

Output: one line per case, "ok", "FAIL", "xfail", "XPASS" or "skip", then its name; a failure
is followed by the reason and the command line, exit status and the end of stderr (and of any
trace file) of every process of the case. Exit status: 0 all passed, 1 something failed, 77
(CTest's skip) when nothing failed but cases were skipped because a peer is not installed;
with CLASP_INTEROP_REQUIRED=1 in the environment (CI) a missing peer fails its cases.

Usage: run_interop.py --build BUILD_DIR [--group openssl|gnutls|negative|openssl12|gnutls12|
                      negative12] [--only SUBSTRING] [--list] [-j N] [--keep]
"""

import argparse
import concurrent.futures
import dataclasses
import fnmatch
import functools
import os
import re
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from typing import Callable, Dict, List, Optional

SKIP_STATUS = 77
# CI has every peer: with CLASP_INTEROP_REQUIRED=1 (.ci/run sets it), a peer that is not
# installed fails its cases instead of skipping them.
REQUIRED = os.environ.get("CLASP_INTEROP_REQUIRED") == "1"
MiB = 1024 * 1024
SERVER_NAME = "server.test"
ALT_NAME = "alt.test"  # the second name a server may have (SNI cases)

# How long one process may take. Generous: CI also runs the tools under ASan and UBSan.
PROC_TIMEOUT = 40.0
READY_TIMEOUT = 15.0
# After the last byte of a case, how long to wait for a peer to print what it saw.
SETTLE_TIMEOUT = 10.0


# ---------------------------------------------------------------------------------------
# The tables
# ---------------------------------------------------------------------------------------

@dataclasses.dataclass(frozen=True)
class Version:
    key: str           # "1.3": in case names and for clasp's --versions
    clasp: str         # what the clasp tools print: "TLS 1.3"
    openssl_flag: str  # s_server / s_client switch restricting to it
    openssl_name: str  # what OpenSSL prints: "TLSv1.3"
    gnutls_prio: str   # GnuTLS priority string fragment
    gnutls_name: str   # what GnuTLS prints: "TLS1.3"
    openssl_extra: tuple = ()  # what OpenSSL needs besides the switch to speak it at all


# Every version the peers are driven with. CLASP_VERSIONS: those clasp speaks, run by the
# matrix. TLS 1.1 and 1.0 are for the negative cases (peers forced to them are refused):
# OpenSSL 3 offers them only at security level 0.
VERSIONS = {
    "1.3": Version("1.3", "TLS 1.3", "-tls1_3", "TLSv1.3", "-VERS-ALL:+VERS-TLS1.3", "TLS1.3"),
    "1.2": Version("1.2", "TLS 1.2", "-tls1_2", "TLSv1.2", "-VERS-ALL:+VERS-TLS1.2", "TLS1.2"),
    "1.1": Version("1.1", "TLS 1.1", "-tls1_1", "TLSv1.1", "-VERS-ALL:+VERS-TLS1.1", "TLS1.1",
                   ("-cipher", "DEFAULT@SECLEVEL=0")),
    "1.0": Version("1.0", "TLS 1.0", "-tls1", "TLSv1", "-VERS-ALL:+VERS-TLS1.0", "TLS1.0",
                   ("-cipher", "DEFAULT@SECLEVEL=0")),
}
CLASP_VERSIONS = ["1.3", "1.2"]


@dataclasses.dataclass(frozen=True)
class Suite:
    iana: str             # the name clasp prints and takes
    version: str          # key of VERSIONS
    openssl: str          # OpenSSL's name for it
    gnutls_prio: str      # GnuTLS priority fragment selecting only it
    gnutls_cipher: str    # the cipher as GnuTLS prints it in a session description
    certs: tuple = ()     # certificate kinds it can be used with; () for all (TLS 1.3)
    kx: str = ""          # TLS 1.2 key exchange: ECDHE or DHE (with a group), RSA (none)
    opt_in: bool = False  # not in clasp's default list: the tools are given --suites
    gnutls_mac: str = ""  # CBC suites: the MAC as GnuTLS prints it (AEAD: none)
    # OpenSSL's "New, <this>, Cipher is ..." names the version that defined the suite, not
    # the one negotiated: TLSv1.0 for the ECDHE _SHA suites, SSLv3 for AES128-SHA.
    openssl_defined_in: str = ""

    def openssl_cipher_line_version(self, version):
        return self.openssl_defined_in or VERSIONS[version].openssl_name

    def openssl_args(self):
        # TLS 1.3 suites are set apart from the older ones in OpenSSL.
        if self.version == "1.3":
            return ["-ciphersuites", self.openssl]
        return ["-cipher", self.openssl]


SUITES = [
    Suite("TLS_AES_128_GCM_SHA256", "1.3", "TLS_AES_128_GCM_SHA256",
          "-CIPHER-ALL:+AES-128-GCM", "AES-128-GCM"),
    Suite("TLS_AES_256_GCM_SHA384", "1.3", "TLS_AES_256_GCM_SHA384",
          "-CIPHER-ALL:+AES-256-GCM", "AES-256-GCM"),
    Suite("TLS_CHACHA20_POLY1305_SHA256", "1.3", "TLS_CHACHA20_POLY1305_SHA256",
          "-CIPHER-ALL:+CHACHA20-POLY1305", "CHACHA20-POLY1305"),
    # Opt-in: not in the TLS 1.3 matrix, but in OPT_IN_CASES.
    Suite("TLS_AES_128_CCM_SHA256", "1.3", "TLS_AES_128_CCM_SHA256", "-CIPHER-ALL:+AES-128-CCM",
          "AES-128-CCM", opt_in=True),
    # TLS 1.2: ECDHE_ECDSA with the ECDSA certificates, ECDHE_RSA and RSA key exchange with
    # the RSA one. The TLS_RSA_WITH_* suites are not in clasp's defaults (CLASP_ALL_SUITES).
    Suite("TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "1.2", "ECDHE-ECDSA-AES128-GCM-SHA256",
          "-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-ECDSA", "AES-128-GCM", ("p256", "p384"),
          "ECDHE"),
    Suite("TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "1.2", "ECDHE-ECDSA-AES256-GCM-SHA384",
          "-CIPHER-ALL:+AES-256-GCM:-KX-ALL:+ECDHE-ECDSA", "AES-256-GCM", ("p256", "p384"),
          "ECDHE"),
    Suite("TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "1.2", "ECDHE-ECDSA-CHACHA20-POLY1305",
          "-CIPHER-ALL:+CHACHA20-POLY1305:-KX-ALL:+ECDHE-ECDSA", "CHACHA20-POLY1305",
          ("p256", "p384"), "ECDHE"),
    Suite("TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256", "1.2", "ECDHE-RSA-AES128-GCM-SHA256",
          "-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+ECDHE-RSA", "AES-128-GCM", ("rsa2048",), "ECDHE"),
    Suite("TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384", "1.2", "ECDHE-RSA-AES256-GCM-SHA384",
          "-CIPHER-ALL:+AES-256-GCM:-KX-ALL:+ECDHE-RSA", "AES-256-GCM", ("rsa2048",), "ECDHE"),
    Suite("TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "1.2", "ECDHE-RSA-CHACHA20-POLY1305",
          "-CIPHER-ALL:+CHACHA20-POLY1305:-KX-ALL:+ECDHE-RSA", "CHACHA20-POLY1305", ("rsa2048",),
          "ECDHE"),
    Suite("TLS_RSA_WITH_AES_128_GCM_SHA256", "1.2", "AES128-GCM-SHA256",
          "-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+RSA", "AES-128-GCM", ("rsa2048",), "RSA", True),
    Suite("TLS_RSA_WITH_AES_256_GCM_SHA384", "1.2", "AES256-GCM-SHA384",
          "-CIPHER-ALL:+AES-256-GCM:-KX-ALL:+RSA", "AES-256-GCM", ("rsa2048",), "RSA", True),
    # DHE_RSA over RFC 7919 groups (opt-in; in the TLS 1.2 matrix with ffdhe2048).
    Suite("TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "1.2", "DHE-RSA-AES128-GCM-SHA256",
          "-CIPHER-ALL:+AES-128-GCM:-KX-ALL:+DHE-RSA", "AES-128-GCM", ("rsa2048",), "DHE", True),
    Suite("TLS_DHE_RSA_WITH_AES_256_GCM_SHA384", "1.2", "DHE-RSA-AES256-GCM-SHA384",
          "-CIPHER-ALL:+AES-256-GCM:-KX-ALL:+DHE-RSA", "AES-256-GCM", ("rsa2048",), "DHE", True),
    Suite("TLS_DHE_RSA_WITH_CHACHA20_POLY1305_SHA256", "1.2", "DHE-RSA-CHACHA20-POLY1305",
          "-CIPHER-ALL:+CHACHA20-POLY1305:-KX-ALL:+DHE-RSA", "CHACHA20-POLY1305", ("rsa2048",),
          "DHE", True),
] + [
    # TLS 1.2 CBC-HMAC (not in clasp's defaults: enabled by name), each run with and without
    # encrypt-then-MAC (RFC 7366) in both directions by cbc_cases, not by the matrix.
    Suite(iana, "1.2", openssl,
          "-CIPHER-ALL:+%s:-MAC-ALL:+%s:-KX-ALL:+%s" % (cipher, mac, kx_prio), cipher,
          ("p256",) if "ECDSA" in iana else ("rsa2048",), "RSA" if kx_prio == "RSA" else "ECDHE",
          gnutls_mac=mac,
          openssl_defined_in="" if mac != "SHA1" else "SSLv3" if kx_prio == "RSA" else "TLSv1.0")
    for iana, openssl, cipher, mac, kx_prio in [
        ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA", "ECDHE-ECDSA-AES128-SHA", "AES-128-CBC", "SHA1",
         "ECDHE-ECDSA"),
        ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA", "ECDHE-ECDSA-AES256-SHA", "AES-256-CBC", "SHA1",
         "ECDHE-ECDSA"),
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA", "ECDHE-RSA-AES128-SHA", "AES-128-CBC", "SHA1",
         "ECDHE-RSA"),
        ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA", "ECDHE-RSA-AES256-SHA", "AES-256-CBC", "SHA1",
         "ECDHE-RSA"),
        ("TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256", "ECDHE-ECDSA-AES128-SHA256", "AES-128-CBC",
         "SHA256", "ECDHE-ECDSA"),
        ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "ECDHE-ECDSA-AES256-SHA384", "AES-256-CBC",
         "SHA384", "ECDHE-ECDSA"),
        ("TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256", "ECDHE-RSA-AES128-SHA256", "AES-128-CBC",
         "SHA256", "ECDHE-RSA"),
        ("TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384", "ECDHE-RSA-AES256-SHA384", "AES-256-CBC",
         "SHA384", "ECDHE-RSA"),
        ("TLS_RSA_WITH_AES_128_CBC_SHA", "AES128-SHA", "AES-128-CBC", "SHA1", "RSA"),
    ]
]
SUITE = {s.iana: s for s in SUITES}

# clasp's default suite list (include/clasp/config.h), and the same with RSA key exchange
# added: what the clasp tools are given (--suites) when a case needs a TLS_RSA_WITH_* suite.
CLASP_DEFAULT_SUITES = [
    "TLS_AES_128_GCM_SHA256", "TLS_AES_256_GCM_SHA384", "TLS_CHACHA20_POLY1305_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384", "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
    "TLS_ECDHE_ECDSA_WITH_CHACHA20_POLY1305_SHA256", "TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256",
]
CLASP_ALL_SUITES = ":".join(CLASP_DEFAULT_SUITES + [s.iana for s in SUITES if s.opt_in])
# A DHE suite needs an FFDHE group among the tool's groups (clasp offers it only then).
CLASP_DHE_GROUPS = "ffdhe2048:ffdhe3072:ffdhe4096"


def clasp_suite_args(suite):
    """What a clasp tool needs to be able to negotiate suite: an opt-in suite is enabled by
    name beside the others (a later --groups overrides the groups given here)."""
    if suite and suite.gnutls_mac:
        return ["--suites", CLASP_ALL_SUITES + ":" + suite.iana]
    if not suite or not suite.opt_in:
        return []
    return ["--suites", CLASP_ALL_SUITES] + (["--groups", CLASP_DHE_GROUPS]
                                             if suite.kx == "DHE" else [])


@dataclasses.dataclass(frozen=True)
class Group:
    iana: str            # clasp's name
    openssl: str         # for -groups
    openssl_tempkey: str  # regex for s_client's "Server Temp Key:" line
    gnutls: str          # priority token
    gnutls_kx: str       # as in GnuTLS's session description: (ECDHE-X25519)


GROUPS = [
    Group("x25519", "X25519", r"X25519, 253 bits", "GROUP-X25519", "ECDHE-X25519"),
    Group("secp256r1", "P-256", r"ECDH, prime256v1, 256 bits", "GROUP-SECP256R1",
          "ECDHE-SECP256R1"),
    Group("secp384r1", "P-384", r"ECDH, secp384r1, 384 bits", "GROUP-SECP384R1",
          "ECDHE-SECP384R1"),
]
# Not in clasp's default list (the tools are given --groups), so not in the matrix: each in
# OPT_IN_CASES. The FFDHE groups also serve DHE in TLS 1.2.
OPT_IN_GROUPS = [
    Group("secp521r1", "P-521", r"ECDH, secp521r1, 521 bits", "GROUP-SECP521R1",
          "ECDHE-SECP521R1"),
    Group("x448", "X448", r"X448, 448 bits", "GROUP-X448", "ECDHE-X448"),
    Group("ffdhe2048", "ffdhe2048", r"DH, 2048 bits", "GROUP-FFDHE2048", "DHE-FFDHE2048"),
    Group("ffdhe3072", "ffdhe3072", r"DH, 3072 bits", "GROUP-FFDHE3072", "DHE-FFDHE3072"),
    Group("ffdhe4096", "ffdhe4096", r"DH, 4096 bits", "GROUP-FFDHE4096", "DHE-FFDHE4096"),
]
GROUP = {g.iana: g for g in GROUPS + OPT_IN_GROUPS}
GROUPS_DEFAULT = [g.iana for g in GROUPS]
FFDHE_GROUPS = ["ffdhe2048", "ffdhe3072", "ffdhe4096"]


@dataclasses.dataclass(frozen=True)
class CertKind:
    key: str            # file stem and case-name part
    genpkey: tuple      # openssl genpkey arguments
    clasp_scheme: str   # regex: the signature_scheme clasp-client reports
    clasp_key: str      # what clasp prints as key= in a certificate summary
    openssl_sig: str    # s_client -brief "Signature type:"
    gnutls_sig: str     # regex: GnuTLS's name of the signature in a session description
    key_usage: str
    # TLS 1.2 (where ECDSA schemes do not name the curve): the same three, as regexes.
    clasp_scheme12: str = ""
    openssl_sig12: str = ""
    gnutls_sig12: str = ""

    def scheme(self, version):
        return self.clasp_scheme if version == "1.3" else self.clasp_scheme12

    def openssl_signature(self, version):
        return re.escape(self.openssl_sig) if version == "1.3" else self.openssl_sig12

    def gnutls_signature(self, version):
        return self.gnutls_sig if version == "1.3" else self.gnutls_sig12


CERTS = [
    CertKind("p256", ("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-256"),
             r"ecdsa_secp256r1_sha256", "ECDSA P-256", "ECDSA", r"ECDSA-SECP256R1-SHA256",
             "digitalSignature",
             r"ecdsa_secp256r1_sha256", r"ECDSA", r"ECDSA-SHA256"),
    CertKind("p384", ("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-384"),
             r"ecdsa_secp384r1_sha384", "ECDSA P-384", "ECDSA", r"ECDSA-SECP384R1-SHA384",
             "digitalSignature",
             # TLS 1.2 does not tie the hash to the curve: a peer may sign with SHA-256.
             r"ecdsa_secp(256r1_sha256|384r1_sha384)", r"ECDSA", r"ECDSA-SHA(256|384)"),
    CertKind("rsa2048", ("-algorithm", "RSA", "-pkeyopt", "rsa_keygen_bits:2048"),
             r"rsa_pss_rsae_sha(256|384|512)", "RSA 2048", "RSA-PSS",
             r"RSA-PSS-RSAE-SHA(256|384|512)", "digitalSignature,keyEncipherment",
             r"rsa_pss_rsae_sha(256|384|512)", r"RSA-PSS", r"RSA-PSS-RSAE-SHA(256|384|512)"),
    CertKind("ed25519", ("-algorithm", "ED25519"),
             r"ed25519", "Ed25519", "ed25519", r"EdDSA-Ed25519", "digitalSignature",
             r"ed25519", r"ed25519", r"EdDSA-Ed25519"),
]
# Not in the matrix: a P-521 certificate (ecdsa_secp521r1_sha512), in OPT_IN_CASES.
CERT_P521 = CertKind("p521", ("-algorithm", "EC", "-pkeyopt", "ec_paramgen_curve:P-521"),
                     r"ecdsa_secp521r1_sha512", "ECDSA P-521", "ECDSA", r"ECDSA-SECP521R1-SHA512",
                     "digitalSignature",
                     r"ecdsa_secp(256r1_sha256|384r1_sha384|521r1_sha512)", r"ECDSA",
                     r"ECDSA-SHA(256|384|512)")
CERT = {c.key: c for c in CERTS + [CERT_P521]}

# Alerts the negative cases name: RFC 8446 name -> number.
ALERTS = {"close_notify": 0, "unexpected_message": 10, "handshake_failure": 40,
          "bad_certificate": 42, "unsupported_certificate": 43, "certificate_expired": 45,
          "unknown_ca": 48, "decode_error": 50, "protocol_version": 70,
          "insufficient_security": 71,
          "inappropriate_fallback": 86, "unrecognized_name": 112, "certificate_required": 116}

# Cases clasp is known to fail (fnmatch patterns on the name) and why. They still run; a
# pass is reported as XPASS and fails the run, so fixed bugs get their line removed.
EXPECTED_FAILURES: Dict[str, str] = {}

# Leaks clasp is known to have, by a function on the leaked allocation's stack: the tools
# get them as LeakSanitizer suppressions, so that the many cases running into one still
# check everything else under the sanitizers. Each leak has a case of its own that runs
# without the suppression, expected to fail when the tools are built with the sanitizers
# (SANITIZER_EXPECTED_FAILURES): once the leak is fixed it passes (XPASS), and both entries
# go. (Without the sanitizers a leak cannot be seen, so that case passes.)
# E.g. (fixed in ba6ae00; its case, 1.2/leak-check-tls13-share-then-tls12, stays):
#   KNOWN_LEAKS = {"generate_share": "a TLS 1.3-capable clasp-client that gets TLS 1.2 with
#                  ECDHE leaks the TLS 1.3 key share of its ClientHello"}
#   SANITIZER_EXPECTED_FAILURES = {"*/clasp-client/1.2/leak-check-tls13-share-then-tls12":
#                                  KNOWN_LEAKS["generate_share"]}
KNOWN_LEAKS: Dict[str, str] = {}
SANITIZER_EXPECTED_FAILURES: Dict[str, str] = {}


def tools_sanitized(path):
    """Whether a tool was built with ASan or UBSan (-DCLASP_SANITIZE=ON)."""
    with open(path, "rb") as f:
        data = f.read()
    return b"__asan_init" in data or b"__ubsan_handle" in data


# ---------------------------------------------------------------------------------------
# PKI
# ---------------------------------------------------------------------------------------

class PKI:
    """Every key and certificate the cases use, made with the openssl command line."""

    def __init__(self, root: str):
        self.dir = os.path.join(root, "pki")
        os.makedirs(self.dir)
        self.ca = self.path("ca.pem")
        self.other_ca = self.path("other-ca.pem")

    def path(self, name):
        return os.path.join(self.dir, name)

    def run(self, *argv):
        r = subprocess.run(["openssl", *argv], cwd=self.dir, stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=peer_env())
        if r.returncode != 0:
            raise RuntimeError("PKI: openssl %s failed:\n%s" %
                               (" ".join(argv), r.stdout.decode(errors="replace")))

    def make_ca(self, stem, cn):
        self.run("req", "-x509", "-new", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:P-256",
                 "-nodes", "-keyout", stem + ".key", "-out", stem + ".pem", "-days", "30",
                 "-subj", "/CN=" + cn,
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign")
        # `openssl ca` (for the expired certificates: x509 -req cannot set dates in 3.0)
        db = self.path(stem + ".db")
        os.makedirs(db)
        open(os.path.join(db, "index.txt"), "w").close()
        with open(os.path.join(db, "serial"), "w") as f:
            f.write("1000\n")

    def ext_file(self, name, server, key_usage, host=SERVER_NAME):
        p = self.path(name + ".ext")
        with open(p, "w") as f:
            f.write("[ext]\nbasicConstraints=critical,CA:FALSE\n")
            f.write("keyUsage=critical,%s\n" % key_usage)
            if server:
                f.write("extendedKeyUsage=serverAuth\n")
                f.write("subjectAltName=DNS:%s,IP:127.0.0.1\n" % host)
            else:
                f.write("extendedKeyUsage=clientAuth\nsubjectAltName=DNS:client.test\n")
        return p

    def leaf(self, name, kind: CertKind, ca, server, expired=False, key_usage=None,
             host=SERVER_NAME):
        """name.pem (issued by ca) and name.key, a server's for host; key_usage overrides
        the kind's."""
        self.run("genpkey", *kind.genpkey, "-out", name + ".key")
        cn = host if server else "client.test"
        self.run("req", "-new", "-key", name + ".key", "-subj", "/CN=" + cn, "-out", name + ".csr")
        ext = self.ext_file(name, server, key_usage or kind.key_usage, host)
        if not expired:
            self.run("x509", "-req", "-in", name + ".csr", "-CA", ca + ".pem",
                     "-CAkey", ca + ".key", "-CAcreateserial", "-days", "30", "-sha256",
                     "-extfile", ext, "-extensions", "ext", "-out", name + ".pem")
            return
        cnf = self.path(name + ".ca.cnf")
        with open(cnf, "w") as f:
            f.write("[ca]\ndefault_ca=d\n[d]\ndatabase=%s.db/index.txt\nnew_certs_dir=%s.db\n"
                    "serial=%s.db/serial\ndefault_md=sha256\npolicy=p\nunique_subject=no\n"
                    "[p]\ncommonName=supplied\n" % (ca, ca, ca))
        self.run("ca", "-batch", "-config", cnf, "-cert", ca + ".pem", "-keyfile", ca + ".key",
                 "-in", name + ".csr", "-out", name + ".pem", "-notext",
                 "-startdate", "20200101000000Z", "-enddate", "20200201000000Z",
                 "-extfile", ext, "-extensions", "ext")

    def build(self):
        self.make_ca("ca", "clasp interop CA")
        self.make_ca("other-ca", "clasp interop other CA")
        self.leaf("server-p521", CERT_P521, "ca", server=True)
        for kind in CERTS:
            self.leaf("server-" + kind.key, kind, "ca", server=True)
            # Client certificates: P-256 is "the" client certificate; RSA and Ed25519 also
            # sign CertificateVerify on the client side.
            self.leaf("client-" + kind.key, kind, "ca", server=False)
        self.leaf("server-expired", CERT["p256"], "ca", server=True, expired=True)
        self.leaf("server-other", CERT["p256"], "other-ca", server=True)
        # RSA certificates whose keyUsage forbids signing, or encrypting a pre-master secret.
        self.leaf("server-ku-encipher", CERT["rsa2048"], "ca", server=True,
                  key_usage="keyEncipherment")
        self.leaf("server-ku-sign", CERT["rsa2048"], "ca", server=True,
                  key_usage="digitalSignature")
        # A second name, for clasp-server's --sni.
        self.leaf("server-alt", CERT["p384"], "ca", server=True, host=ALT_NAME)
        # DH parameters for s_server's DHE: the RFC 7919 groups (its own choice, without
        # -dhparam, is an RFC 3526 group, which clasp refuses).
        for g in FFDHE_GROUPS:
            self.run("genpkey", "-genparam", "-algorithm", "DH", "-pkeyopt", "group:" + g,
                     "-out", "dh-%s.pem" % g)
        self.leaf("client-expired", CERT["p256"], "ca", server=False, expired=True)
        self.leaf("client-other", CERT["p256"], "other-ca", server=False)
        # Payloads: random bytes, and random text lines for gnutls-serv --echo, which echoes
        # C strings line by line (a NUL byte would cut its echo short).
        with open(self.path("data-a.bin"), "wb") as f:
            f.write(os.urandom(MiB))
        with open(self.path("data-b.bin"), "wb") as f:
            f.write(os.urandom(MiB))
        with open(self.path("data-lines.txt"), "wb") as f:
            f.write(text_lines(MiB))

    def server(self, kind):
        return self.path("server-%s.pem" % kind), self.path("server-%s.key" % kind)

    def client(self, kind):
        return self.path("client-%s.pem" % kind), self.path("client-%s.key" % kind)

    def data(self, name):
        with open(self.path(name), "rb") as f:
            return f.read()


def text_lines(size):
    """size bytes of random hex in lines of 64 characters, ending with a newline."""
    raw = os.urandom(size // 2 + 64).hex().encode()
    out = bytearray()
    while len(out) < size:
        n = min(64, size - len(out) - 1)
        out += raw[len(out):len(out) + n] if n > 0 else b""
        out += b"\n"
    return bytes(out[:size])


# ---------------------------------------------------------------------------------------
# Processes
# ---------------------------------------------------------------------------------------

def peer_env():
    env = dict(os.environ)
    for k in ("ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS"):
        env.pop(k, None)
    env["LC_ALL"] = "C"
    return env


# LeakSanitizer suppressions for KNOWN_LEAKS (written by main()).
LEAK_SUPPRESSIONS: Optional[str] = None


def tool_env(suppress_leaks=True):
    """clasp's tools: a sanitizer report aborts (a failed exit status) and leaks count,
    but for the KNOWN_LEAKS (unless suppress_leaks is false)."""
    env = dict(os.environ)
    asan = env.get("ASAN_OPTIONS", "")
    env["ASAN_OPTIONS"] = (asan + ":" if asan else "") + "detect_leaks=1:abort_on_error=1"
    if suppress_leaks and LEAK_SUPPRESSIONS:
        lsan = env.get("LSAN_OPTIONS", "")
        env["LSAN_OPTIONS"] = (lsan + ":" if lsan else "") + \
            "suppressions=%s:print_suppressions=0" % LEAK_SUPPRESSIONS
    env.setdefault("UBSAN_OPTIONS", "halt_on_error=1:print_stacktrace=1")
    env["LC_ALL"] = "C"
    return env


SANITIZER_REPORT = re.compile(
    r"ERROR: (AddressSanitizer|LeakSanitizer)|runtime error:|UndefinedBehaviorSanitizer")


class CaseFailure(Exception):
    pass


def fail(msg):
    raise CaseFailure(msg)


def check(cond, msg):
    if not cond:
        fail(msg)


_stopping = False  # set when the driver is interrupted: no process starts any more


def kill_our_processes():
    """SIGKILL to every other process of our process group (the peers and tools we started,
    by their pids), and reaps them."""
    me, group = os.getpid(), os.getpgrp()
    for _ in range(2):
        for entry in os.listdir("/proc"):
            if entry.isdigit() and int(entry) != me:
                try:
                    if os.getpgid(int(entry)) == group:
                        os.kill(int(entry), signal.SIGKILL)
                except OSError:
                    pass
        time.sleep(0.1)
    try:
        while os.waitpid(-1, os.WNOHANG) != (0, 0):
            pass
    except ChildProcessError:
        pass


class Proc:
    """One process of a case: output in files, stdin fed by a thread, killed at the end."""

    def __init__(self, ctx, label, argv, stdin=None, tool=False, traces=(), env=None,
                 suppress_leaks=True):
        """stdin: None (/dev/null), bytes (written, then end of file) or "pipe" (open, for
        feed() and close_stdin()). env: variables to add to a peer's environment."""
        self.ctx, self.label, self.argv, self.tool = ctx, label, list(argv), tool
        self.traces = list(traces)  # extra files (trace logs) shown on failure
        self.out_path = os.path.join(ctx.dir, label + ".out")
        self.err_path = os.path.join(ctx.dir, label + ".err")
        self.feeder = None
        if _stopping:
            fail("interrupted")
        penv = tool_env(suppress_leaks) if tool else peer_env()
        penv.update(env or {})
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as err:
            self.p = subprocess.Popen(
                self.argv, cwd=ctx.dir, stdout=out, stderr=err,
                stdin=subprocess.PIPE if stdin is not None else subprocess.DEVNULL, env=penv)
        ctx.procs.append(self)
        if isinstance(stdin, bytes):  # all of it, then end of file
            self.feed(stdin, close=True)

    def feed(self, data, close=False):
        """Writes data to stdin in the background (a pipe holds only 64 KiB)."""
        self.join_feeder()

        def run():
            try:
                self.p.stdin.write(data)
                self.p.stdin.flush()
                if close:
                    self.p.stdin.close()
            except (BrokenPipeError, OSError, ValueError):
                pass

        self.feeder = threading.Thread(target=run, daemon=True)
        self.feeder.start()

    def join_feeder(self, timeout=PROC_TIMEOUT):
        if self.feeder:
            self.feeder.join(timeout)
            self.feeder = None

    def close_stdin(self):
        self.join_feeder()
        try:
            if self.p.stdin:
                self.p.stdin.close()
        except OSError:
            pass

    def wait(self, timeout=PROC_TIMEOUT):
        try:
            return self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            fail("%s did not exit within %.0f s" % (self.label, timeout))

    def running(self):
        return self.p.poll() is None

    def stop(self, sig=signal.SIGTERM):
        """Ends the process (ours, by its pid) and reaps it."""
        if self.p.poll() is None:
            try:
                self.p.send_signal(sig)
                self.p.wait(5)
            except subprocess.TimeoutExpired:
                self.p.kill()
                self.p.wait(5)
        self.close_stdin()

    @property
    def rc(self):
        return self.p.returncode

    def out(self):
        return read_text(self.out_path)

    def out_bytes(self):
        with open(self.out_path, "rb") as f:
            return f.read()

    def err(self):
        return read_text(self.err_path)

    def out_size(self):
        return os.path.getsize(self.out_path)

    def report(self, lines=25):
        rc = self.p.poll()
        parts = ["  [%s] $ %s" % (self.label, " ".join(shlex.quote(a) for a in self.argv)),
                 "  [%s] exit status: %s" % (self.label, "running" if rc is None else rc)]
        files = [("stderr", self.err_path)] + [(os.path.basename(t), t) for t in self.traces]
        for name, path in files:
            parts.append("  [%s] %s (end):" % (self.label, name))
            parts += ["    " + l for l in tail(read_text(path), lines)]
        return "\n".join(parts)


def read_text(path):
    try:
        with open(path, "rb") as f:
            return f.read().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return ""


def tail(text, n):
    lines = [l for l in text.splitlines() if not l.startswith("|<")]  # GnuTLS debug noise
    interesting = [l for l in text.splitlines() if l.startswith("|<") and
                   re.search(r"Alert\[|RETRY|KEY.UPDATE|key update", l)]
    lines = interesting[-8:] + lines
    return lines[-n:] if len(lines) > n else lines


def wait_until(pred, timeout, what=None, interval=0.01):
    end = time.monotonic() + timeout
    while True:
        if pred():
            return True
        if time.monotonic() > end:
            if what:
                fail("timed out (%.0f s) waiting for %s" % (timeout, what))
            return False
        time.sleep(interval)


def expect_in(proc, pattern, stream="err", timeout=SETTLE_TIMEOUT, what=None):
    """Waits until proc's stream (err, out, or a file path) matches pattern; the match."""
    def text():
        if stream == "err":
            return proc.err()
        if stream == "out":
            return proc.out()
        return read_text(stream)
    wait_until(lambda: re.search(pattern, text(), re.M) or not proc.running(), timeout)
    m = re.search(pattern, text(), re.M)
    if not m:
        where = stream if stream in ("err", "out") else os.path.basename(stream)
        fail("%s: %s not found in its %s" % (proc.label, what or repr(pattern), where))
    return m


# ---- ports and readiness ----

_port_lock = threading.Lock()
_ports_given = set()


def free_port():
    """A port nothing listens on now (bound and released), never the same one twice."""
    with _port_lock:
        while True:
            s = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
            s.close()
            if port not in _ports_given:
                _ports_given.add(port)
                return port


def listening_inodes(port):
    """IPv4 listening sockets on port (the cases connect to 127.0.0.1; gnutls-serv also
    listens on [::], which does not count)."""
    inodes = set()
    for table in ("/proc/net/tcp",):
        try:
            with open(table) as f:
                next(f)
                for line in f:
                    fields = line.split()
                    if fields[3] == "0A" and int(fields[1].rsplit(":", 1)[1], 16) == port:
                        inodes.add(fields[9])
        except OSError:
            pass
    return inodes


def socket_inodes(pid):
    found = set()
    try:
        for fd in os.listdir("/proc/%d/fd" % pid):
            try:
                link = os.readlink("/proc/%d/fd/%s" % (pid, fd))
            except OSError:
                continue
            if link.startswith("socket:["):
                found.add(link[8:-1])
    except OSError:
        pass
    return found


def is_listening(proc, port):
    """Whether proc itself listens on port (read from /proc: no connection is made, so a
    one-connection server is not used up by the check)."""
    inodes = listening_inodes(port)
    return bool(inodes) and bool(inodes & socket_inodes(proc.p.pid))


# ---------------------------------------------------------------------------------------
# Case context and the clasp tools
# ---------------------------------------------------------------------------------------

class Ctx:
    def __init__(self, env, name):
        if _stopping:
            fail("interrupted")
        self.env = env
        self.pki: PKI = env.pki
        self.dir = os.path.join(env.root, re.sub(r"[^A-Za-z0-9_.-]+", "_", name))
        os.makedirs(self.dir)
        self.procs: List[Proc] = []

    def path(self, name):
        return os.path.join(self.dir, name)

    # ---- clasp ----

    def clasp_client(self, port, *args, stdin=None, servername=SERVER_NAME, ca=None,
                     label="clasp-client", suppress_leaks=True):
        argv = [self.env.client, "127.0.0.1:%d" % port, "--ca", ca or self.pki.ca]
        if servername:
            argv += ["--servername", servername]
        return Proc(self, label, argv + list(args), stdin=stdin, tool=True,
                    suppress_leaks=suppress_leaks)

    def clasp_server(self, cert="p256", *args, label="clasp-server", cert_files=None, once=True):
        """once: --once (one connection; expect_server_log); else it serves until stopped
        (expect_server_logs)."""
        pem, key = cert_files or self.pki.server(cert)
        argv = [self.env.server, "--port", "0"] + (["--once"] if once else []) + \
            ["--cert", pem, "--key", key]
        proc = Proc(self, label, argv + list(args), tool=True)
        port = []

        def ready():
            m = re.search(r"^listening on 127\.0\.0\.1:(\d+)$", proc.err(), re.M)
            if m:
                port.append(int(m.group(1)))
            return bool(m) or not proc.running()
        wait_until(ready, READY_TIMEOUT, "clasp-server's 'listening on' line")
        if not port:
            fail("clasp-server did not start")
        proc.port = port[0]
        return proc

    def peer_server(self, make_argv, label, stdin=None, traces=(), env=None):
        """Starts a peer server on a free port; retries when the port was taken meanwhile
        (by another process between our probe and its bind)."""
        bind_failed = re.compile(r"bind\(\) failed|unable to bind|Address already in use")
        for attempt in range(6):
            port = free_port()
            proc = Proc(self, label if attempt == 0 else "%s.%d" % (label, attempt),
                        make_argv(port), stdin=stdin, traces=traces, env=env)
            wait_until(lambda: not proc.running() or is_listening(proc, port) or
                       bind_failed.search(proc.err()), READY_TIMEOUT)
            if proc.running() and is_listening(proc, port):
                proc.port = port
                return proc
            if not bind_failed.search(proc.err() + proc.out()):
                fail("%s did not start listening on port %d (status %s)" %
                     (label, port, proc.p.poll()))
            proc.stop()
        fail("%s: no free port after 6 attempts" % label)

    def cleanup(self):
        for p in self.procs:
            p.stop()
        sanitizer = [p for p in self.procs if p.tool and SANITIZER_REPORT.search(p.err())]
        return sanitizer


def parse_client(text):
    """clasp-client's "key: value" lines, and its failure line."""
    d = {}
    for line in text.splitlines():
        m = re.match(r"^([a-z_]+(?:\[\d+\])?): (.*)$", line)
        if m and m.group(1) not in d:
            d[m.group(1)] = m.group(2)
        m = re.match(r"^clasp-client: (handshake failed|connection failed|key update failed): "
                     r"(.*) \(alert sent: (.+) / received: (.+)\)$", line)
        if m:
            d["failure"], d["detail"], d["alert_sent"], d["alert_received"] = m.groups()
        if line.startswith("clasp-client: connection truncated"):
            d["failure"] = "truncated"
    return d


def unquote(v):
    if not v.startswith('"'):
        return v
    v = v[1:-1]
    return re.sub(r'\\(x[0-9a-fA-F]{2}|.)',
                  lambda m: chr(int(m.group(1)[1:], 16)) if m.group(1)[0] == "x" else m.group(1), v)


def parse_server_logs(text):
    """clasp-server's per-connection lines (stderr), each as a dict."""
    found = []
    for line in text.splitlines():
        m = re.match(r"^clasp-server: (\S+) (version=.*)$", line)
        if m:
            d = {"peer": m.group(1)}
            for k, v in re.findall(r'(\w+)=("(?:[^"\\]|\\.)*"|\S+)', m.group(2)):
                d[k] = unquote(v)
            found.append(d)
    return found


def parse_server_log(text):
    """The last per-connection line of clasp-server's stderr, as a dict (or None)."""
    logs = parse_server_logs(text)
    return logs[-1] if logs else None


def expect_client_ok(proc, version="1.3", suite=None, group=None, alpn=None, cert=None,
                     timeout=PROC_TIMEOUT, connections=None, scheme=None):
    """clasp-client ended with status 0 (a clean close_notify) after negotiating this.
    connections: with --reconnect, "new" or "resumed" for each connection in turn."""
    rc = proc.wait(timeout)
    d = parse_client(proc.err())
    check(rc == 0, "clasp-client exit status %s, expected 0%s" %
          (rc, " (%s: %s)" % (d["failure"], d.get("detail", "")) if "failure" in d else ""))
    expect_fields(d, "clasp-client", version=version, suite=suite, group=group, alpn=alpn,
                  cert=cert, scheme=scheme)
    if connections is not None:
        got = re.findall(r"^connection (\d+): (\S+)$", proc.err(), re.M)
        want = [(str(i + 1), w) for i, w in enumerate(connections)]
        check(got == want, "clasp-client reported connections %s, expected %s" %
              (", ".join("%s: %s" % g for g in got) or "none",
               ", ".join("%s: %s" % w for w in want)))
    return d


def expect_fields(d, who, version=None, suite=None, group=None, alpn=None, cert=None,
                  scheme=None):
    """scheme: the signature_scheme expected when it is not the certificate's (RSA key
    exchange: none)."""
    def eq(key, want):
        check(d.get(key) == want, "%s: %s is %r, expected %r" % (who, key, d.get(key), want))
    if version:
        eq("version", VERSIONS[version].clasp)
    if suite:
        eq("cipher_suite", suite)
    if group:
        eq("group", group)
    if alpn:
        eq("alpn", alpn)
    if cert:
        kind = CERT[cert]
        want = scheme or kind.scheme(version or "1.3")
        check(re.fullmatch(want, d.get("signature_scheme", "")),
              "%s: signature_scheme is %r, expected %s" % (who, d.get("signature_scheme"), want))
        pc = d.get("peer_cert[0]", "")
        check("subject=CN=%s " % SERVER_NAME in pc and "key=%s " % kind.clasp_key in pc,
              "%s: peer_cert[0] is %r, expected CN=%s with key=%s" % (who, pc, SERVER_NAME,
                                                                      kind.clasp_key))


def expect_client_failed(proc, alert_sent=None, alert_received=None, failure=None):
    rc = proc.wait()
    d = parse_client(proc.err())
    check(rc == 1, "clasp-client exit status %s, expected 1 (a reported failure)" % rc)
    check("failure" in d, "clasp-client: no failure line on stderr")
    if failure:
        check(d["failure"] == failure, "clasp-client: %r, expected %r" % (d["failure"], failure))
    if alert_sent:
        check(d.get("alert_sent") == alert_sent,
              "clasp-client: alert sent is %r, expected %r" % (d.get("alert_sent"), alert_sent))
    if alert_received:
        check(d.get("alert_received") == alert_received,
              "clasp-client: alert received is %r, expected %r" %
              (d.get("alert_received"), alert_received))
    return d


def expect_server_log(proc, ok=True, timeout=PROC_TIMEOUT, **fields):
    """clasp-server --once ended (status 0 when ok) and logged these fields."""
    rc = proc.wait(timeout)
    log = parse_server_log(proc.err())
    check(log is not None, "clasp-server logged no connection")
    if ok:
        check(rc == 0 and log["result"] == "ok",
              "clasp-server: exit status %s, result=%r; expected 0 and ok" % (rc, log["result"]))
    else:
        check(rc == 1 and log["result"] != "ok",
              "clasp-server: exit status %s, result=%r; expected 1 and a failure" %
              (rc, log["result"]))
    check_log(log, "clasp-server", **fields)
    return log


def check_log(log, who, **fields):
    for k, want in fields.items():
        got = log.get(k)
        if isinstance(want, re.Pattern):
            check(got is not None and want.search(got),
                  "%s: %s=%r, expected to match %r" % (who, k, got, want.pattern))
        else:
            check(got == want, "%s: %s=%r, expected %r" % (who, k, got, want))


def expect_server_logs(proc, n, timeout=PROC_TIMEOUT):
    """clasp-server (without --once) logged n connections: it is stopped (SIGTERM, status 0)
    and the n lines are returned, in the order the connections ended."""
    wait_until(lambda: len(parse_server_logs(proc.err())) >= n or not proc.running(), timeout,
               "clasp-server to log %d connections" % n)
    proc.stop()
    logs = parse_server_logs(proc.err())
    check(proc.rc == 0, "clasp-server: exit status %s after SIGTERM, expected 0" % proc.rc)
    check(len(logs) == n, "clasp-server logged %d connections, expected %d" % (len(logs), n))
    return logs


# ---------------------------------------------------------------------------------------
# The peers: how each is started, and how each prints what it saw
# ---------------------------------------------------------------------------------------

class OpenSSLPeer:
    name = "openssl"
    server_label = "s_server"
    client_label = "s_client"

    @staticmethod
    def available():
        return shutil.which("openssl") is not None

    @staticmethod
    def version_args(version):
        """None: OpenSSL's default (TLS 1.2 and 1.3)."""
        if version is None:
            return []
        return [VERSIONS[version].openssl_flag] + list(VERSIONS[version].openssl_extra)

    # mode: www (answers GET with a status page, then close_notify), echo (-quiet: prints what
    # it receives to stdout, sends its stdin), plain (the same, but verbose).
    # naccept: connections it serves before exiting. extra: more arguments. env: e.g.
    # OPENSSL_CONF (settings s_server has no switch for).
    def server(self, ctx, cert="p256", version="1.3", suite=None, groups=None, alpn=None,
               verify=None, mode="www", trace=False, cert_files=None, naccept=1, extra=(),
               env=None):
        pem, key = cert_files or ctx.pki.server(cert)
        msg = ctx.path("s_server.msg")

        def argv(port):
            a = ["openssl", "s_server", "-accept", "127.0.0.1:%d" % port, "-naccept",
                 str(naccept), "-cert", pem, "-key", key] + self.version_args(version)
            if suite:
                a += suite.openssl_args()
            if suite and suite.kx == "DHE":  # TLS 1.2 DHE: the group is a -dhparam file
                a += ["-dhparam", ctx.pki.path("dh-%s.pem" % (groups or FFDHE_GROUPS)[0])]
            elif groups:
                a += ["-groups", ":".join(GROUP[g].openssl for g in groups)]
            if alpn:
                a += ["-alpn", alpn]
            if verify == "require":
                a += ["-Verify", "1", "-CAfile", ctx.pki.ca, "-verify_return_error"]
            elif verify == "request":
                a += ["-verify", "1", "-CAfile", ctx.pki.ca, "-verify_return_error"]
            a += {"www": ["-www"], "echo": ["-quiet"], "plain": []}[mode]
            if trace:
                a += ["-msg", "-msgfile", msg]
            return a + list(extra)
        # stdin stays open: at its end s_server would stop serving.
        proc = ctx.peer_server(argv, self.server_label, stdin="pipe",
                               traces=[msg] if trace else [], env=env)
        proc.msgfile = msg
        return proc

    def server_done(self, proc, ok=True):
        """s_server -naccept 1 exits after its one connection."""
        rc = proc.wait(SETTLE_TIMEOUT)
        if ok:
            check(rc == 0, "s_server exit status %s, expected 0" % rc)

    # mode: request (-ign_eof: waits for the server to close), echo (-nocommands: its stdin
    # is data; at its end it sends close_notify), commands (stdin lines K, Q... are commands).
    # brief: -brief (a summary on stderr, stdout has only the data); without it the session
    # (with the ALPN protocol) is printed on stdout too.
    # sess_out / sess_in: where to save the session, and a session to offer. label: for a
    # second s_client in a case. extra, env: as for server().
    def client(self, ctx, port, version="1.3", suite=None, groups=None, alpn=None, cert=None,
               cert_files=None, ca=None, mode="request", trace=False, stdin=None, brief=True,
               sess_out=None, sess_in=None, label=None, extra=(), env=None,
               servername=SERVER_NAME, verify_name=None):
        """servername: the name sent (SNI); verify_name: the name the certificate must have
        (default: servername)."""
        label = label or self.client_label
        msg = ctx.path(label + ".msg")
        a = ["openssl", "s_client", "-connect", "127.0.0.1:%d" % port,
             "-servername", servername, "-verify_hostname", verify_name or servername,
             "-CAfile", ca or ctx.pki.ca, "-verify_return_error"] + \
            self.version_args(version) + (["-brief"] if brief else [])
        if suite:
            a += suite.openssl_args()
        if groups:
            a += ["-groups", ":".join(GROUP[g].openssl for g in groups)]
        if alpn:
            a += ["-alpn", alpn]
        if cert or cert_files:
            pem, key = cert_files or ctx.pki.client(cert)
            a += ["-cert", pem, "-key", key]
        a += {"request": ["-ign_eof"], "echo": ["-nocommands"], "commands": []}[mode]
        if trace:
            a += ["-msg", "-msgfile", msg]
        if sess_out:
            a += ["-sess_out", sess_out]
        if sess_in:
            a += ["-sess_in", sess_in]
        proc = Proc(ctx, label, a + list(extra), stdin=stdin, traces=[msg] if trace else [],
                    env=env)
        proc.msgfile = msg
        return proc

    def client_negotiated(self, proc, version="1.3", suite=None, group=None, cert=None,
                          alpn=None):
        """What s_client -brief printed about the handshake (stderr)."""
        err = proc.err()
        expect_line(proc, err, r"^Protocol version: %s$" % VERSIONS[version].openssl_name)
        expect_line(proc, err, r"^Verification: OK$")
        if suite:
            expect_line(proc, err, r"^Ciphersuite: %s$" % re.escape(suite.openssl))
        if group:
            expect_line(proc, err, r"^Server Temp Key: %s$" % GROUP[group].openssl_tempkey)
        if cert:
            expect_line(proc, err, r"^Signature type: %s$" % CERT[cert].openssl_signature(version))

    def reused(self, proc, version, suite, reused=True):
        """s_client without -brief: 'Reused, TLSv1.2, Cipher is ...' (or New) on stdout."""
        expect_line(proc, proc.out(), r"^%s, %s, Cipher is %s$" % (
            "Reused" if reused else "New", suite.openssl_cipher_line_version(version),
            re.escape(suite.openssl)))

    @staticmethod
    def pages(out):
        """The status pages s_server -www sent, one per connection, in order."""
        return ["HTTP/1.0 200 ok" + p for p in out.split("HTTP/1.0 200 ok")[1:]]

    def page_negotiated(self, page, version="1.3", suite=None, reused=False, **_):
        """s_server -www's status page, as the client received it."""
        check(page.startswith("HTTP/1.0 200 ok"), "no s_server status page received")
        what = "%s, %s, Cipher is " % ("Reused" if reused else "New",
                                       suite.openssl_cipher_line_version(version) if suite
                                       else VERSIONS[version].openssl_name)
        check(re.search(r"^%s%s$" % (re.escape(what), re.escape(suite.openssl) if suite
                                     else r"\S+"), page, re.M),
              "s_server's page does not say '%s%s'" % (what, suite.openssl if suite else "..."))

    def page_client_cert(self, page):
        check(re.search(r"^Client certificate$", page, re.M) and
              re.search(r"Subject: ?CN ?= ?client\.test", page),
              "s_server's page shows no client certificate CN=client.test")

    def saw_alert(self, proc, alert, stream="err"):
        """OpenSSL prints a received alert as '... SSL alert number N' (stderr)."""
        return expect_in(proc, r"SSL alert number %d\b" % ALERTS[alert], stream,
                         what="received alert %s (SSL alert number %d)" % (alert, ALERTS[alert]))

    def trace_has(self, proc, direction, what):
        """In a -msg trace: direction '>>>' (sent) or '<<<' (received)."""
        pat = r"^%s .*%s" % (re.escape(direction), what)
        expect_in(proc, pat, proc.msgfile, what="%s %s in the -msg trace" % (direction, what))

    def trace_count(self, proc, direction, what):
        return len(re.findall(r"^%s .*%s" % (re.escape(direction), what),
                              read_text(proc.msgfile), re.M))


class GnuTLSPeer:
    name = "gnutls"
    server_label = "gnutls-serv"
    client_label = "gnutls-cli"

    @staticmethod
    def available():
        return shutil.which("gnutls-serv") is not None and shutil.which("gnutls-cli") is not None

    @staticmethod
    def prio(version="1.3", suite=None, groups=None, extra=""):
        """version None: GnuTLS's default (TLS 1.2 and 1.3). extra: more of the string, e.g.
        %NO_SESSION_HASH (no extended master secret) or %FALLBACK_SCSV."""
        p = "NORMAL" + (":" + VERSIONS[version].gnutls_prio if version else "")
        if suite:
            p += ":" + suite.gnutls_prio
        if groups:
            p += ":-GROUP-ALL:" + ":".join("+" + GROUP[g].gnutls for g in groups)
        if extra:
            p += ":" + extra
        return p

    # mode: http (answers GET with a status page, then closes), echo (sends back each line).
    # verify: None (no CertificateRequest), request (asks, does not insist), require.
    # debug: GnuTLS log level on stderr (4: handshake messages, 5: records and alerts).
    # prio: more of the priority string; extra: more arguments (--nodb: no session cache);
    # naccept, env: ignored (for OpenSSLPeer's signature: gnutls-serv serves until stopped).
    def server(self, ctx, cert="p256", version="1.3", suite=None, groups=None, alpn=None,
               verify=None, mode="http", debug=0, cert_files=None, prio="", extra=(),
               naccept=None, env=None):
        pem, key = cert_files or ctx.pki.server(cert)

        def argv(port):
            a = ["gnutls-serv", "-p", str(port), "--x509certfile", pem, "--x509keyfile", key,
                 "--priority", self.prio(version, suite, groups, prio)]
            if verify is None:
                a += ["--disable-client-cert"]
            elif verify == "request":
                a += ["--x509cafile", ctx.pki.ca]
            elif verify == "require":
                a += ["--require-client-cert", "--verify-client-cert", "--x509cafile", ctx.pki.ca]
            for p in (alpn or "").split(","):
                if p:
                    a += ["--alpn", p]
            if mode == "echo":
                a += ["--echo", "--crlf"]
            if debug:
                a += ["-d", str(debug)]
            return a + list(extra)
        return ctx.peer_server(argv, self.server_label)

    def server_done(self, proc, ok=True):
        """gnutls-serv serves forever: it must still run, then it is stopped (its stdout is
        flushed when it exits on SIGTERM)."""
        check(proc.running(), "gnutls-serv died (status %s)" % proc.rc)
        proc.stop()

    # resume: --resume (a first connection with the handshake only, then a second one
    # resuming its session, which carries the data). prio: more of the priority string.
    def client(self, ctx, port, version="1.3", suite=None, groups=None, alpn=None, cert=None,
               cert_files=None, ca=None, single_share=False, commands=False, debug=0,
               stdin=None, resume=False, prio="", label=None, extra=(),
               servername=SERVER_NAME, verify_name=None):
        label = label or self.client_label
        log = ctx.path(label + ".log")
        a = ["gnutls-cli", "127.0.0.1", "-p", str(port), "--x509cafile", ca or ctx.pki.ca,
             "--sni-hostname", servername, "--verify-hostname", verify_name or servername,
             "--priority", self.prio(version, suite, groups, prio), "--logfile", log]
        if cert or cert_files:
            pem, key = cert_files or ctx.pki.client(cert)
            a += ["--x509certfile", pem, "--x509keyfile", key]
        for p in (alpn or "").split(","):
            if p:
                a += ["--alpn", p]
        if single_share:
            a += ["--single-key-share"]
        if commands:
            a += ["--inline-commands"]
        if debug:
            a += ["-d", str(debug)]
        if resume:
            a += ["--resume"]
        proc = Proc(ctx, label, a + list(extra), stdin=stdin, traces=[log])
        proc.logfile = log
        return proc

    @staticmethod
    def description(version="1.3", suite=None, group=None, cert=None, reused=False):
        """A regex for GnuTLS's session description, e.g.
        (TLS1.3-X.509)-(ECDHE-X25519)-(ECDSA-SECP256R1-SHA256)-(AES-128-GCM). TLS 1.2 with
        RSA key exchange: (TLS1.2-X.509)-(RSA)-(AES-128-GCM), without a signature; a resumed
        TLS 1.2 session has no signature either."""
        if suite is not None and suite.kx == "RSA":
            kx = r"RSA"
        else:
            kx = re.escape(GROUP[group].gnutls_kx) if group else r"[^)]*"
        parts = [r"\(%s-X\.509\)" % re.escape(VERSIONS[version].gnutls_name), r"\(%s\)" % kx]
        if not reused and not (suite is not None and suite.kx == "RSA"):
            parts.append(r"\(%s\)" % (CERT[cert].gnutls_signature(version) if cert else r"[^)]*"))
        parts.append(r"\(%s\)" % (re.escape(suite.gnutls_cipher) if suite else r"[^)]*"))
        if suite is not None and suite.gnutls_mac:  # CBC: the MAC follows, "-(SHA1)"
            parts.append(r"\(%s\)" % re.escape(suite.gnutls_mac))
        return "-".join(parts)

    def client_negotiated(self, proc, version="1.3", suite=None, group=None, cert=None,
                          alpn=None):
        log = read_text(proc.logfile)
        expect_line(proc, log, r"^- Status: The certificate is trusted\.")
        expect_line(proc, log, r"^- Description: " + self.description(version, suite, group, cert))
        if alpn:
            expect_line(proc, log, r"^- Application protocol: %s$" % re.escape(alpn))

    def resumed(self, proc, version, suite, group=None):
        """gnutls-cli --resume: the second connection resumed the first one's session."""
        log = read_text(proc.logfile)
        expect_line(proc, log, r"^- Resume Handshake was completed$")
        expect_line(proc, log, r"^\*\*\* This is a resumed session$")
        descs = re.findall(r"^- Description: (.*)$", log, re.M)
        check(len(descs) == 2, "gnutls-cli: %d session descriptions, expected 2" % len(descs))
        want = self.description(version, suite, group, reused=True)
        check(re.search(want, descs[1]), "gnutls-cli: the resumed session is %s, expected %s" %
              (descs[1], want))

    @staticmethod
    def pages(out):
        """The status pages gnutls-serv sent, one per connection, in order."""
        return ["HTTP/1.0 200 OK" + p for p in out.split("HTTP/1.0 200 OK")[1:]]

    def page_negotiated(self, page, version="1.3", suite=None, group=None, cert=None,
                        reused=False):
        text = re.sub(r"<[^>]*>", "", page)
        check(page.startswith("HTTP/1.0 200 OK"), "no gnutls-serv status page received")
        want = self.description(version, suite, group, cert, reused)
        check(re.search(want, text, re.M),
              "gnutls-serv's page does not describe the session as %s" % want)

    def page_client_cert(self, page):
        check(re.search(r"Subject: CN=client\.test", page),
              "gnutls-serv's page shows no client certificate CN=client.test")

    def saw_alert(self, proc, alert, stream="err"):
        """gnutls-serv -d 5 logs 'Alert[LEVEL|N] - ... - was received' (stderr); gnutls-cli
        prints '*** Received alert [N]: ...' (its --logfile)."""
        n = ALERTS[alert]
        if proc.label.startswith(self.client_label):
            return expect_in(proc, r"^\*\*\* Received alert \[%d\]" % n, proc.logfile,
                             what="'*** Received alert [%d]' (%s)" % (n, alert))
        return expect_in(proc, r"Alert\[\d\|%d\] - .* - was received" % n, stream,
                         what="'Alert[*|%d] ... was received' (%s)" % (n, alert))


def expect_line(proc, text, pattern):
    check(re.search(pattern, text, re.M), "%s: no line matching %r" % (proc.label, pattern))


PEERS = {"openssl": OpenSSLPeer(), "gnutls": GnuTLSPeer()}

GET = b"GET / HTTP/1.1\r\nHost: server.test\r\nConnection: close\r\n\r\n"


# ---------------------------------------------------------------------------------------
# Case bodies. "cc" cases: clasp-client -> peer server. "cs": peer client -> clasp-server.
# ---------------------------------------------------------------------------------------

def cc_handshake(peer, version, suite, group, cert):
    """The matrix, clasp as client: the peer server forces suite and group, clasp offers all
    suites and its key share for the group; both report the same parameters."""
    def body(ctx):
        srv = peer.server(ctx, cert=cert, version=version, suite=suite, groups=[group])
        cl = ctx.clasp_client(srv.port, *clasp_suite_args(suite), "--groups", group)
        expect_client_ok(cl, version, suite.iana, group, cert=cert)
        page = cl.out()
        if peer.name == "openssl":
            peer.page_negotiated(page, version, suite)
        else:
            peer.page_negotiated(page, version, suite, group, cert)
        peer.server_done(srv)
    return body


def cs_handshake(peer, version, suite, group, cert):
    """The matrix, clasp as server: the peer client offers only this suite and group."""
    def body(ctx):
        srv = ctx.clasp_server(cert, *clasp_suite_args(suite),
                               *(["--groups", group] if group not in GROUPS_DEFAULT else []))
        cl = peer.client(ctx, srv.port, version, suite=suite, groups=[group], stdin=GET)
        cl_done(cl)
        peer.client_negotiated(cl, version, suite, group, cert)
        expect_body(cl, version=VERSIONS[version].clasp, cipher_suite=suite.iana, group=group,
                    client_cert="none")
        expect_server_log(srv, version=VERSIONS[version].clasp, suite=suite.iana, group=group,
                          alert_received=client_close(peer))
    return body


def client_close(peer):
    """What clasp-server receives last from a peer client sending GET and then the end of
    its input. s_client -ign_eof answers clasp's close_notify with its own. gnutls-cli sends
    close_notify at the end of its input, unless the answer and clasp's close_notify arrive
    first (its loop reads the socket before stdin): then it just exits. Both happen."""
    return "close_notify" if peer.name == "openssl" else re.compile(r"^(close_notify|none)$")


def cl_done(cl, ok=True):
    rc = cl.wait()
    if ok:
        check(rc == 0, "%s exit status %s, expected 0" % (cl.label, rc))
    return rc


def expect_refused(peer, cl, srv, alert, **log):
    """The peer client failed on clasp-server's alert, which clasp-server logged sending (and
    the other fields of log)."""
    rc = cl_done(cl, ok=False)
    check(rc != 0, "%s exit status 0, expected a failure" % cl.label)
    peer.saw_alert(cl, alert)
    expect_server_log(srv, ok=False, alert_sent=alert, **log)


def expect_body(cl, **fields):
    """clasp-server's answer (received by the peer client) names these."""
    expect_answer(cl.out(), cl.label, **fields)


def expect_answer(out, who, **fields):
    """clasp-server's answer in out (what who received) names these."""
    check("HTTP/1.1 200 OK" in out, "%s received no answer from clasp-server" % who)
    for k, v in fields.items():
        if k == "client_cert" and v != "none":
            check(re.search(r"^client_cert: .*%s" % re.escape(v), out, re.M),
                  "answer: client_cert does not name %r" % v)
        else:
            check(re.search(r"^%s: %s$" % (k, re.escape(v)), out, re.M),
                  "answer: no line '%s: %s'" % (k, v))


def cc_client_cert(peer, kind, version="1.3"):
    def body(ctx):
        srv = peer.server(ctx, verify="require", version=version)
        pem, key = ctx.pki.client(kind)
        cl = ctx.clasp_client(srv.port, "--cert", pem, "--key", key)
        expect_client_ok(cl, version)
        peer.page_client_cert(cl.out())
        peer.server_done(srv)
    return body


def cs_client_cert(peer, kind, version="1.3"):
    def body(ctx):
        srv = ctx.clasp_server("p256", "--verify", "require", "--ca", ctx.pki.ca)
        cl = peer.client(ctx, srv.port, version, cert=kind, stdin=GET)
        cl_done(cl)
        expect_body(cl, version=VERSIONS[version].clasp, client_cert="subject=CN=client.test")
        expect_server_log(srv, version=VERSIONS[version].clasp,
                          client_cert=client_cert_pattern(kind))
    return body


def client_cert_pattern(kind):
    """clasp's summary of the client certificate of this kind."""
    return re.compile(r"^subject=CN=client\.test .*key=%s" % re.escape(CERT[kind].clasp_key))


def cc_cert_requested_none(peer, version="1.3"):
    """The peer server asks for a certificate without insisting; clasp has none (it must
    answer with an empty Certificate message) and the connection goes on."""
    def body(ctx):
        srv = peer.server(ctx, verify="request", version=version)
        cl = ctx.clasp_client(srv.port)
        expect_client_ok(cl, version)
        peer.server_done(srv)
    return body


def cs_cert_optional_none(peer, version="1.3"):
    def body(ctx):
        srv = ctx.clasp_server("p256", "--verify", "optional", "--ca", ctx.pki.ca)
        cl = peer.client(ctx, srv.port, version, stdin=GET)
        cl_done(cl)
        expect_body(cl, version=VERSIONS[version].clasp, client_cert="none")
        expect_server_log(srv, version=VERSIONS[version].clasp, client_cert="none")
    return body


def cc_hrr(peer):
    """clasp-client's default (one x25519 key share) against a server taking only
    secp256r1: a HelloRetryRequest, then secp256r1."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, groups=["secp256r1"], trace=True)
        else:
            srv = peer.server(ctx, groups=["secp256r1"], debug=4)
        cl = ctx.clasp_client(srv.port)
        expect_client_ok(cl, group="secp256r1")
        if peer.name == "openssl":
            peer.server_done(srv)
            n = peer.trace_count(srv, "<<<", "ClientHello")
            check(n == 2, "s_server received %d ClientHellos, expected 2 (HelloRetryRequest)" % n)
        else:
            expect_in(srv, r"HELLO RETRY REQUEST was queued", what="HELLO RETRY REQUEST sent")
            check(len(re.findall(r"CLIENT HELLO \(1\) was received", srv.err())) == 2,
                  "gnutls-serv did not receive two ClientHellos")
            peer.server_done(srv)
    return body


def cs_hrr(peer):
    """A peer client sharing x25519 first (and only) against clasp-server --groups
    secp256r1: clasp asks again, the handshake completes with secp256r1."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--groups", "secp256r1")
        if peer.name == "openssl":
            cl = peer.client(ctx, srv.port, groups=["x25519", "secp256r1"], trace=True, stdin=GET)
            cl_done(cl)
            n = peer.trace_count(cl, ">>>", "ClientHello")
            check(n == 2, "s_client sent %d ClientHellos, expected 2 (HelloRetryRequest)" % n)
        else:
            cl = peer.client(ctx, srv.port, groups=["x25519", "secp256r1"], single_share=True,
                             debug=4, stdin=GET)
            cl_done(cl)
            check(re.search(r"HELLO RETRY REQUEST \(\d+\) was received", cl.err()),
                  "gnutls-cli received no HelloRetryRequest")
        peer.client_negotiated(cl, group="secp256r1")
        expect_server_log(srv, group="secp256r1")
    return body


def cc_alpn(peer, version="1.3"):
    """clasp-client offers h2,http/1.1; the peer server speaks only http/1.1."""
    def body(ctx):
        srv = peer.server(ctx, alpn="http/1.1", version=version)
        cl = ctx.clasp_client(srv.port, "--alpn", "h2,http/1.1")
        expect_client_ok(cl, version, alpn="http/1.1")
        peer.server_done(srv)
        if peer.name == "gnutls":
            expect_line(srv, srv.out(), r"^- Application protocol: http/1\.1$")
    return body


def cs_alpn(peer, version="1.3"):
    """The peer client offers spdy/1,h2; clasp-server knows h2,http/1.1: h2."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--alpn", "h2,http/1.1")
        if peer.name == "openssl":
            cl = peer.client(ctx, srv.port, version, alpn="spdy/1,h2", stdin=GET, brief=False)
        else:
            cl = peer.client(ctx, srv.port, version, alpn="spdy/1,h2", stdin=GET)
        cl_done(cl)
        if peer.name == "openssl":
            expect_line(cl, cl.out(), r"^ALPN protocol: h2$")
        else:
            peer.client_negotiated(cl, version, alpn="h2")
        expect_body(cl, version=VERSIONS[version].clasp, alpn="h2")
        expect_server_log(srv, version=VERSIONS[version].clasp, alpn="h2")
    return body


def cc_echo(peer, version="1.3", suite=None, cert="p256", **peer_kw):
    """1 MiB each way, clasp-client --request - (stdin) <-> the peer (which may force a
    suite, with a certificate for it; peer_kw: more for the peer server)."""
    sargs = clasp_suite_args(suite) if suite else []
    siana = suite.iana if suite else None

    def body(ctx):
        if peer.name == "openssl":
            # s_server (not -www) writes what it receives to stdout and sends its stdin.
            a, b = ctx.pki.data("data-a.bin"), ctx.pki.data("data-b.bin")
            srv = peer.server(ctx, cert=cert, version=version, suite=suite, mode="echo", **peer_kw)
            srv.feed(b)
            cl = ctx.clasp_client(srv.port, "--request", "-", *sargs, stdin="pipe")
            cl.feed(a)
            wait_until(lambda: srv.out_size() >= len(a) and cl.out_size() >= len(b) or
                       not cl.running(), PROC_TIMEOUT, "1 MiB to arrive on both sides")
            cl.close_stdin()  # clasp's close_notify follows; s_server answers with its own
            expect_client_ok(cl, version, siana)
            peer.server_done(srv)
            expect_same(srv.out_bytes(), a, "s_server received")
            expect_same(cl.out_bytes(), b, "clasp-client received")
        else:
            # gnutls-serv --echo sends back text line by line: 1 MiB of random hex lines,
            # then end of input (clasp sends close_notify while the echo is still coming).
            a = ctx.pki.data("data-lines.txt")
            srv = peer.server(ctx, cert=cert, version=version, suite=suite, mode="echo", **peer_kw)
            cl = ctx.clasp_client(srv.port, "--request", "-", *sargs, stdin=a)
            expect_client_ok(cl, version, siana)
            expect_same(cl.out_bytes(), a, "clasp-client got back")
            peer.server_done(srv)
    return body


def cs_echo(peer, suite=None):
    """1 MiB of random bytes through clasp-server --echo, from the peer client's stdin (which
    may offer only suite)."""
    def body(ctx):
        a = ctx.pki.data("data-a.bin")
        srv = ctx.clasp_server("p256", "--echo", *clasp_suite_args(suite))
        if peer.name == "openssl":
            cl = peer.client(ctx, srv.port, suite=suite, mode="echo", stdin="pipe")
        else:
            cl = peer.client(ctx, srv.port, suite=suite, stdin="pipe")
        cl.feed(a)
        wait_until(lambda: cl.out_size() >= len(a) or not cl.running(), PROC_TIMEOUT,
                   "the echo of 1 MiB")
        cl.close_stdin()  # the peer client sends close_notify at the end of its input
        cl_done(cl)
        expect_same(cl.out_bytes(), a, "%s got back" % cl.label)
        expect_server_log(srv, alert_received="close_notify", alert_sent="close_notify")
    return body


def expect_same(got, want, what):
    if got == want:
        return
    if len(got) != len(want):
        fail("%s %d bytes, expected the %d sent" % (what, len(got), len(want)))
    first = next(i for i in range(len(want)) if got[i] != want[i])
    fail("%s other bytes than sent, from offset %d on" % (what, first))


def cc_key_update(peer):
    """clasp-client --key-update: a KeyUpdate asking for one back, then the request."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, trace=True)
        else:
            srv = peer.server(ctx, debug=4)
        cl = ctx.clasp_client(srv.port, "--key-update")
        d = expect_client_ok(cl)
        check(d.get("key_update", "").startswith("sent"), "clasp-client did not report key_update")
        if peer.name == "openssl":
            peer.server_done(srv)
            peer.page_negotiated(cl.out())
            peer.trace_has(srv, "<<<", "KeyUpdate")
            peer.trace_has(srv, ">>>", "KeyUpdate")
        else:
            peer.page_negotiated(cl.out())
            expect_in(srv, r"received TLS 1\.3 key update \(1\)", what="a KeyUpdate asking back")
            expect_in(srv, r"KEY_UPDATE was queued", what="gnutls-serv's own KeyUpdate")
            peer.server_done(srv)
    return body


def cs_key_update(peer):
    """The peer client sends a KeyUpdate asking for one back, mid-echo (s_client's "K"
    command; gnutls-cli's ^rekey^ inline command)."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--echo")
        if peer.name == "openssl":
            cl = peer.client(ctx, srv.port, mode="commands", trace=True, stdin="pipe")
            expect_in(cl, r"^CONNECTION ESTABLISHED$", what="the handshake")
            cl.feed(b"before key update\n")
            expect_in(cl, r"^before key update$", "out", what="the first echo")
            cl.feed(b"K\n")
            expect_in(cl, r"^KEYUPDATE$", what="s_client taking the K command")
        else:
            # (its --logfile is buffered: progress is read from the debug log on stderr)
            cl = peer.client(ctx, srv.port, commands=True, debug=4, stdin="pipe")
            cl.feed(b"before key update\n")
            expect_in(cl, r"^before key update$", "out", what="the first echo")
            cl.feed(b"^rekey^\n")
            expect_in(cl, r"sending key update \(1\)", what="the ^rekey^ command's KeyUpdate")
        cl.feed(b"after key update\n")
        expect_in(cl, r"^after key update$", "out", what="the echo after the KeyUpdate")
        cl.close_stdin()
        cl_done(cl)
        check(cl.out() == "before key update\nafter key update\n",
              "%s received %r" % (cl.label, cl.out()[:200]))
        if peer.name == "openssl":
            peer.trace_has(cl, ">>>", "KeyUpdate")
            peer.trace_has(cl, "<<<", "KeyUpdate")
        else:
            check(re.search(r"sending key update \(1\)", cl.err()),
                  "gnutls-cli did not send a KeyUpdate asking for one back")
            check(re.search(r"received TLS 1\.3 key update \(0\)", cl.err()),
                  "gnutls-cli received no KeyUpdate from clasp-server")
            expect_line(cl, read_text(cl.logfile), r"^- Rekey was completed")
        expect_server_log(srv, alert_received="close_notify")
    return body


def cc_close_notify(peer):
    """Both close_notify alerts, as the peer saw them: the peer closes after its answer,
    clasp answers with its own, and exits 0 only then."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, trace=True)
            cl = ctx.clasp_client(srv.port)
            expect_client_ok(cl)
            peer.server_done(srv)
            peer.trace_has(srv, ">>>", r"Alert.*close_notify")
            peer.trace_has(srv, "<<<", r"Alert.*close_notify")
        else:
            # Echo: clasp sends "ping", then close_notify at the end of its stdin.
            srv = peer.server(ctx, mode="echo", debug=5)
            cl = ctx.clasp_client(srv.port, "--request", "-", stdin=b"ping\n")
            expect_client_ok(cl)
            check(cl.out() == "ping\n", "clasp-client received %r" % cl.out()[:100])
            expect_in(srv, r"Alert\[1\|0\] - Close notify - was received",
                      what="clasp's close_notify")
            expect_in(srv, r"Sending Alert\[1\|0\] - Close notify", what="its own close_notify")
            peer.server_done(srv)
    return body


def cs_close_notify(peer):
    """The peer client ends (close_notify); clasp-server answers with its own."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--echo")
        if peer.name == "openssl":
            cl = peer.client(ctx, srv.port, mode="echo", trace=True, stdin="pipe")
        else:
            cl = peer.client(ctx, srv.port, debug=5, stdin="pipe")
        cl.feed(b"ping\n")
        expect_in(cl, r"^ping$", "out", what="the echo")
        cl.close_stdin()
        cl_done(cl)
        expect_server_log(srv, alert_sent="close_notify", alert_received="close_notify")
        if peer.name == "openssl":
            peer.trace_has(cl, ">>>", r"Alert.*close_notify")
        else:
            check(re.search(r"Alert\[1\|0\] - Close notify - was received", cl.err()),
                  "gnutls-cli did not receive clasp-server's close_notify")
    return body


def cc_reconnect13(peer):
    """clasp-client --reconnect 2 with TLS 1.3: the first connection is new, the next two
    resume by ticket, each with the newest ticket of the one before (RFC 8446 4.6.1); the
    peer server says so too (s_server's pages: Reused; gnutls-serv: resumed sessions)."""
    def body(ctx):
        srv = peer.server(ctx, naccept=3)
        cl = ctx.clasp_client(srv.port, "--reconnect", "2")
        expect_client_ok(cl, connections=["new", "resumed", "resumed"])
        pages = peer.pages(cl.out())
        check(len(pages) == 3, "clasp-client received %d answers, expected 3" % len(pages))
        if peer.name == "openssl":
            for p, reused in zip(pages, (False, True, True)):
                peer.page_negotiated(p, reused=reused)
            peer.server_done(srv)
            return
        peer.page_negotiated(pages[0])
        peer.server_done(srv)
        n = srv.out().count("*** This is a resumed session")
        check(n == 2, "gnutls-serv reports %d resumed sessions, expected 2" % n)
    return body


def peer_resumes(peer, ctx, srv, version, suite=None):
    """The peer client makes a session with clasp-server and resumes it on a second
    connection (s_client -sess_out / -sess_in; gnutls-cli --resume), which must say so; the
    answers and clasp-server's log lines say resumed=no, then yes. Returns the first
    connection's s_client (None for gnutls-cli)."""
    suite = suite or SUITE["TLS_AES_128_GCM_SHA256" if version == "1.3" else
                           "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256"]
    first = None
    if peer.name == "openssl":
        sess = ctx.path("session.pem")
        first = peer.client(ctx, srv.port, version, stdin=GET, sess_out=sess, brief=False)
        cl_done(first)
        peer.reused(first, version, suite, reused=False)
        c2 = peer.client(ctx, srv.port, version, stdin=GET, sess_in=sess, brief=False,
                         label="s_client.2")
        cl_done(c2)
        peer.reused(c2, version, suite)
        expect_body(first, version=VERSIONS[version].clasp, resumed="no")
        expect_body(c2, version=VERSIONS[version].clasp, resumed="yes")
    else:
        c = peer.client(ctx, srv.port, version, stdin=GET, resume=True)
        cl_done(c)
        log = read_text(c.logfile)
        expect_line(c, log, r"^- Resume Handshake was completed$")
        expect_line(c, log, r"^\*\*\* This is a resumed session$")
        expect_body(c, version=VERSIONS[version].clasp, resumed="yes")
    logs = expect_server_logs(srv, 2)
    for log, r in zip(sorted(logs, key=lambda l: l.get("resumed", "")), ("no", "yes")):
        check_log(log, "clasp-server", version=VERSIONS[version].clasp, resumed=r,
                  result="ok")
    return first


def cs_resume13(peer, how):
    """A peer client resumes a TLS 1.3 session with clasp-server by ticket: sealed tickets
    (the default), --stateful-tickets (the ticket an ID into the server's cache), or sealed
    under keys from --ticket-keys FILE."""
    def body(ctx):
        args = []
        if how == "stateful":
            args = ["--stateful-tickets"]
        elif how == "key-file":
            keys = ctx.path("ticket.keys")
            with open(keys, "w") as f:
                f.write("# name secret not-before\n%s %s 0\n" % (os.urandom(16).hex(),
                                                                   os.urandom(32).hex()))
            args = ["--ticket-keys", keys]
        srv = ctx.clasp_server("p256", *args, once=False)
        peer_resumes(peer, ctx, srv, "1.3")
        if how == "key-file":
            expect_in(srv, r"^clasp-server: ticket keys read from ", what="the key file read")
    return body


def cs_early_data_rejected(peer):
    """RFC 8446 4.2.10: s_client offers a ticket from s_server that allows 0-RTT and sends
    early data with it; clasp-server knows no ticket and never accepts early data, so it
    skips the early records and completes a full handshake, which s_client reports as
    rejected early data. (gnutls-cli sends early data only when resuming from the same
    server, so this is OpenSSL's case.)"""
    if peer.name != "openssl":
        return None

    def body(ctx):
        ticket, early = ctx.path("ticket.pem"), ctx.path("early.txt")
        with open(early, "wb") as f:
            f.write(b"GET /early HTTP/1.0\r\n\r\n")
        first = peer.server(ctx, extra=["-max_early_data", "16384"])
        cl = peer.client(ctx, first.port, stdin=GET, brief=False, sess_out=ticket)
        cl_done(cl)
        peer.server_done(first)
        check(re.search(r"Max Early Data: 16384", cl.out()), "s_server's ticket allows no 0-RTT")
        srv = ctx.clasp_server("p256")
        cl = peer.client(ctx, srv.port, stdin=GET, brief=False, sess_in=ticket,
                         label="s_client-early", extra=["-early_data", early])
        cl_done(cl)
        check("Early data was rejected" in cl.out(), "s_client did not report rejected early data")
        expect_body(cl, version="TLS 1.3", resumed="no")
        expect_server_log(srv, version="TLS 1.3", resumed="no")
    return body


def cc_ip_san(peer):
    """clasp-client connecting to 127.0.0.1 without --servername checks the IP address SAN."""
    def body(ctx):
        srv = peer.server(ctx)
        cl = ctx.clasp_client(srv.port, servername=None)
        expect_client_ok(cl)
        peer.server_done(srv)
    return body


# ---- record_size_limit (RFC 8449) ----
#
# Only GnuTLS has it (OpenSSL 3.0 has neither the extension nor a switch for it): GnuTLS
# advertises --recordsize (at least 512: it refuses less), plus one in TLS 1.3 where the
# limit counts the inner content type, and also keeps its own records to that size. With -d 5 it logs every record: "Sent Packet[N] Application
# Data(23) in epoch E and length: L" (L with the 5-byte header) and "Received Packet
# Application Data(23) with length: L" (without it). Against OpenSSL the extension is not
# negotiated, and neither side may hold the other to a limit it advertised.
#
# gnutls-cli sends only the first record's worth of each read from its stdin when the
# limit cuts it (it does not send the rest of a short gnutls_record_send), so data
# sent by gnutls-cli cannot be compared: clasp-server's side is checked on the records.

RSL_PEER = 512    # GnuTLS's --recordsize
RSL_CLASP = 600   # clasp's --record-size-limit
# What protection adds to a record's plaintext: TLS 1.3 the tag (the limit counts the
# inner content type: TLSInnerPlaintext), TLS 1.2 AES-GCM the explicit nonce and the tag.
RSL_OVERHEAD = {"1.3": 16, "1.2": 8 + 16}


def rsl_payload(ctx):
    """64 KiB of the text lines (gnutls-serv --echo sends back lines): a hundred records."""
    data = ctx.pki.data("data-lines.txt")
    return data[:data.index(b"\n", 64 * 1024) + 1]


def rsl_ciphertext(advertised, version):
    """The largest protected record (without its header) an advertised limit allows: in
    TLS 1.3 the limit is the TLSInnerPlaintext's (RFC 8449 4)."""
    return advertised + RSL_OVERHEAD[version]


def gnutls_advertised(version):
    return RSL_PEER + (1 if version == "1.3" else 0)


def clasp_advertised(version, role):
    """What clasp advertises for --record-size-limit RSL_CLASP: one more in TLS 1.3 (the
    inner content type). A client offering TLS 1.3 and 1.2 (clasp-client's default) cannot
    know the version when it writes its ClientHello, and advertises the TLS 1.3 value."""
    return RSL_CLASP + (1 if version == "1.3" or role == "client" else 0)


def gnutls_records(proc, direction):
    """The protected application_data records GnuTLS logged (-d 5), without their headers:
    direction "sent" or "received"."""
    if direction == "sent":
        return [int(n) - 5 for n in re.findall(
            r"Sent Packet\[\d+\] Application Data\(23\) in epoch \d+ and length: (\d+)", proc.err())]
    return [int(n) for n in re.findall(r"Received Packet Application Data\(23\) with length: "
                                       r"(\d+)", proc.err())]


def expect_records_within(proc, direction, bound, who, at_least=100, exact=False):
    """The records proc logged in this direction all fit bound (exact: the largest is bound,
    so the sender cut them there), and there are at least at_least of them."""
    sizes = gnutls_records(proc, direction)
    check(len(sizes) >= at_least, "%s logged %d records %s, expected at least %d" %
          (proc.label, len(sizes), direction, at_least))
    check(max(sizes) <= bound, "%s: a record of %d bytes, above the %d the limit allows" %
          (who, max(sizes), bound))
    check(not exact or max(sizes) == bound, "%s: its largest record is %d bytes, not cut at "
          "the limit (%d)" % (who, max(sizes), bound))


def cc_rsl_peer_limit(peer, version="1.3"):
    """gnutls-serv --recordsize 512: clasp-client's records (64 KiB of them) must keep to
    the limit the server advertised, and the echo comes back whole."""
    if peer.name != "gnutls":
        return None

    def body(ctx):
        a = rsl_payload(ctx)
        srv = peer.server(ctx, version=version, mode="echo", debug=5,
                          extra=("--recordsize", str(RSL_PEER)))
        cl = ctx.clasp_client(srv.port, "--record-size-limit", "16384", "--request", "-",
                              stdin=a)
        expect_client_ok(cl, version)
        expect_same(cl.out_bytes(), a, "clasp-client got back")
        peer.server_done(srv)
        expect_records_within(srv, "received", rsl_ciphertext(gnutls_advertised(version),
                                                               version), "clasp-client",
                              exact=True)
    return body


def cs_rsl_peer_limit(peer):
    """gnutls-cli --recordsize 512: clasp-server's encrypted flight (EncryptedExtensions to
    Finished, over 700 bytes) and answer must come in records within the limit. (TLS 1.3
    only: in TLS 1.2 only the records after ChangeCipherSpec are bound, and what
    clasp-server sends then is smaller than the limit.)"""
    if peer.name != "gnutls":
        return None

    def body(ctx):
        srv = ctx.clasp_server("p256")
        cl = peer.client(ctx, srv.port, debug=5, stdin=GET, extra=("--recordsize", str(RSL_PEER)))
        cl_done(cl)
        expect_body(cl, version="TLS 1.3")
        expect_server_log(srv, version="TLS 1.3")
        bound = rsl_ciphertext(gnutls_advertised("1.3"), "1.3")
        expect_records_within(cl, "received", bound, "clasp-server", at_least=3, exact=True)
        check(sum(gnutls_records(cl, "received")) > bound,
              "clasp-server sent less than one record's worth: the limit was not tested")
    return body


def cc_rsl_own_limit(peer, version="1.3"):
    """clasp-client --record-size-limit 600: gnutls-serv's echo must come in records cut at
    it (and clasp, which refuses a larger one with record_overflow, reads them all)."""
    if peer.name != "gnutls":
        return None

    def body(ctx):
        a = rsl_payload(ctx)
        srv = peer.server(ctx, version=version, mode="echo", debug=5)
        cl = ctx.clasp_client(srv.port, "--record-size-limit", str(RSL_CLASP), "--request", "-",
                              stdin=a)
        expect_client_ok(cl, version)
        expect_same(cl.out_bytes(), a, "clasp-client got back")
        peer.server_done(srv)
        expect_records_within(srv, "sent", rsl_ciphertext(clasp_advertised(version, "client"),
                                                          version), "gnutls-serv", exact=True)
    return body


def cs_rsl_own_limit(peer, version="1.3"):
    """clasp-server --record-size-limit 600: gnutls-cli's records must be cut at it, and
    clasp-server takes them (its echo comes back, the connection ends cleanly)."""
    if peer.name != "gnutls":
        return None

    def body(ctx):
        srv = ctx.clasp_server("p256", "--echo", "--record-size-limit", str(RSL_CLASP))
        cl = peer.client(ctx, srv.port, version, debug=5, stdin="pipe")
        cl.feed(rsl_payload(ctx))
        wait_until(lambda: cl.out_size() >= 8 * RSL_CLASP or not cl.running(), PROC_TIMEOUT,
                   "the echo of 8 records")
        cl.close_stdin()
        cl_done(cl)
        expect_server_log(srv, version=VERSIONS[version].clasp, alert_received="close_notify")
        expect_records_within(cl, "sent", rsl_ciphertext(clasp_advertised(version, "server"),
                                                         version), "gnutls-cli", at_least=8,
                              exact=True)
    return body


def cc_rsl_not_negotiated(peer, version="1.3"):
    """OpenSSL ignores clasp-client's record_size_limit: its 16 KiB records must be taken
    (no limit is in force), 64 KiB each way."""
    if peer.name != "openssl":
        return None

    def body(ctx):
        a = ctx.pki.data("data-a.bin")[:64 * 1024]
        b = ctx.pki.data("data-b.bin")[:64 * 1024]
        srv = peer.server(ctx, version=version, mode="echo", trace=True)
        srv.feed(b)
        trace = ctx.path("clasp-client.trace")
        cl = ctx.clasp_client(srv.port, "--record-size-limit", str(RSL_CLASP), "--request", "-",
                              "--trace-file", trace, stdin="pipe")
        cl.feed(a)
        wait_until(lambda: srv.out_size() >= len(a) and cl.out_size() >= len(b) or
                   not cl.running(), PROC_TIMEOUT, "64 KiB to arrive on both sides")
        cl.close_stdin()
        expect_client_ok(cl, version)
        peer.server_done(srv)
        expect_same(srv.out_bytes(), a, "s_server received")
        expect_same(cl.out_bytes(), b, "clasp-client received")
        check(not re.search(r"record size limit", read_text(trace)),
              "clasp-client's trace shows a record size limit OpenSSL cannot have sent")
    return body


def cs_rsl_not_negotiated(peer, version="1.3"):
    """s_client ignores clasp-server's record_size_limit: its 16 KiB records must be taken."""
    if peer.name != "openssl":
        return None

    def body(ctx):
        a = ctx.pki.data("data-a.bin")[:64 * 1024]
        srv = ctx.clasp_server("p256", "--echo", "--record-size-limit", str(RSL_CLASP))
        cl = peer.client(ctx, srv.port, version, mode="echo", stdin="pipe")
        cl.feed(a)
        wait_until(lambda: cl.out_size() >= len(a) or not cl.running(), PROC_TIMEOUT,
                   "the echo of 64 KiB")
        cl.close_stdin()
        cl_done(cl)
        expect_same(cl.out_bytes(), a, "s_client got back")
        expect_server_log(srv, version=VERSIONS[version].clasp, alert_received="close_notify")
    return body


# ---- the servername callback (clasp-server --sni) ----

def sni_args(ctx, *extra):
    pem, key = ctx.pki.server("alt")
    return ["--sni", "%s,%s,%s" % (ALT_NAME, pem, key)] + list(extra)


def peer_cert_cn(peer, proc, cn):
    """The certificate the peer client received is cn's (s_client -brief on stderr;
    gnutls-cli's log)."""
    if peer.name == "openssl":
        expect_line(proc, proc.err(), r"^Peer certificate: CN ?= ?%s$" % re.escape(cn))
    else:
        expect_line(proc, read_text(proc.logfile), r"subject `CN=%s'" % re.escape(cn))


def cs_sni(peer, version="1.3"):
    """clasp-server with a second name (--sni alt.test, a P-384 certificate): a client naming
    alt.test gets that certificate, one naming server.test or a name it does not know gets
    the default one (each verified for the name expected)."""
    def body(ctx):
        srv = ctx.clasp_server("p256", *sni_args(ctx), once=False)
        for i, (sent, want) in enumerate([(ALT_NAME, ALT_NAME), (SERVER_NAME, SERVER_NAME),
                                          ("unknown.test", SERVER_NAME)]):
            cl = peer.client(ctx, srv.port, version, stdin=GET, servername=sent,
                             verify_name=want, label="%s.%d" % (peer.client_label, i))
            cl_done(cl)
            peer_cert_cn(peer, cl, want)
            expect_body(cl, version=VERSIONS[version].clasp)
        for log in expect_server_logs(srv, 3):
            check_log(log, "clasp-server", result="ok", version=VERSIONS[version].clasp)
    return body


def neg_cs_sni_refused(peer, version="1.3"):
    """clasp-server --sni ... --sni-unknown refuse: a name it does not know is refused with
    unrecognized_name."""
    def body(ctx):
        srv = ctx.clasp_server("p256", *sni_args(ctx, "--sni-unknown", "refuse"))
        cl = peer.client(ctx, srv.port, version, stdin=GET, servername="unknown.test",
                         verify_name=SERVER_NAME)
        expect_refused(peer, cl, srv, "unrecognized_name")
    return body


# ---- NewSessionTicket, received by clasp-client ----

def cc_tickets(peer):
    """The peer server sends TLS 1.3 tickets after the handshake (s_server -num_tickets 3;
    gnutls-serv its default); clasp-client takes every one (its trace lists them) and goes
    on to a clean close."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, trace=True, extra=("-num_tickets", "3"))
        else:
            srv = peer.server(ctx, debug=4)
        trace = ctx.path("clasp-client.trace")
        cl = ctx.clasp_client(srv.port, "--trace-file", trace)
        expect_client_ok(cl)
        peer.server_done(srv)
        if peer.name == "openssl":
            sent = peer.trace_count(srv, ">>>", "NewSessionTicket")
            check(sent == 3, "s_server sent %d NewSessionTickets, expected 3" % sent)
        else:
            sent = len(re.findall(r"NEW SESSION TICKET was queued", srv.err()))
            check(sent >= 1, "gnutls-serv sent no NewSessionTicket")
        got = len(re.findall(r"^ *\d+\. \S+ NewSessionTicket \(encrypted\): a ticket",
                             read_text(trace), re.M))
        check(got == sent, "clasp-client's trace shows %d NewSessionTickets, %s sent %d" %
              (got, srv.label, sent))
    return body


# ---- negative ----

def neg_cc_verify(peer, what, version="1.3"):
    """clasp-client refuses the server's certificate and names why in its alert."""
    alert = {"wrong-ca": "unknown_ca", "wrong-host": "bad_certificate",
             "expired": "certificate_expired"}[what]

    def body(ctx):
        files = {"wrong-ca": ctx.pki.server("other"), "expired": ctx.pki.server("expired"),
                 "wrong-host": None}[what]
        if peer.name == "openssl":
            srv = peer.server(ctx, cert_files=files, mode="plain", version=version)
        else:
            srv = peer.server(ctx, cert_files=files, debug=5, version=version)
        cl = ctx.clasp_client(srv.port, servername="other.test" if what == "wrong-host"
                              else SERVER_NAME)
        expect_client_failed(cl, alert_sent=alert, failure="handshake failed")
        peer.saw_alert(srv, alert)
        if peer.name == "openssl":
            peer.server_done(srv, ok=False)
        else:
            expect_in(srv, r"Error in handshake", what="a failed handshake")
            peer.server_done(srv)
    return body


def neg_cc_key_usage(peer, version="1.3"):
    """s_server uses a certificate its keyUsage does not allow: in TLS 1.3 it signs the
    CertificateVerify with a keyEncipherment-only RSA key (RFC 8446 4.4.2.2), in TLS 1.2 it
    takes RSA key exchange with a digitalSignature-only one (RFC 5246 7.4.2). clasp-client
    refuses the Certificate: unsupported_certificate, before it signs or encrypts anything.
    GnuTLS refuses to use such certificates itself: OpenSSL only."""
    if peer.name != "openssl":
        return None

    def body(ctx):
        suite, args = None, []
        if version == "1.2":
            suite = SUITE["TLS_RSA_WITH_AES_128_GCM_SHA256"]
            args = clasp_suite_args(suite)
        files = ctx.pki.server("ku-encipher" if version == "1.3" else "ku-sign")
        srv = peer.server(ctx, cert_files=files, version=version, suite=suite, mode="plain")
        cl = ctx.clasp_client(srv.port, *args)
        d = expect_client_failed(cl, alert_sent="unsupported_certificate",
                                 failure="handshake failed")
        want = "digital signatures" if version == "1.3" else "key encipherment"
        check(re.search(r"key usage does not allow " + want, d.get("detail", "")),
              "clasp-client: detail %r does not name the key usage" % d.get("detail"))
        peer.saw_alert(srv, "unsupported_certificate")
        peer.server_done(srv, ok=False)
    return body


def neg_cc_cert_missing(peer, version="1.3"):
    """The peer server requires a client certificate; clasp-client has none. TLS 1.2 has no
    certificate_required: OpenSSL sends handshake_failure (RFC 5246 7.4.6); GnuTLS
    decode_error (to its own client too)."""
    alert = "certificate_required" if version == "1.3" else \
        {"openssl": "handshake_failure", "gnutls": "decode_error"}[peer.name]

    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, verify="require", mode="plain", version=version)
        else:
            srv = peer.server(ctx, verify="require", debug=5, version=version)
        cl = ctx.clasp_client(srv.port)
        expect_client_failed(cl, alert_received=alert)
        if peer.name == "openssl":
            expect_in(srv, r"peer did not return a certificate", what="the server's failure")
            peer.server_done(srv, ok=False)
        else:
            expect_in(srv, r"Error in handshake", what="a failed handshake")
            expect_in(srv, r"Sending Alert\[2\|%d\]" % ALERTS[alert], what="%s sent" % alert)
            peer.server_done(srv)
    return body


def neg_cs_client_cert(peer, what, version="1.3"):
    """clasp-server --verify require: no certificate, one from another CA, an expired one.
    TLS 1.2 has no certificate_required: handshake_failure (RFC 5246 7.4.6)."""
    alert = {"missing": "certificate_required" if version == "1.3" else "handshake_failure",
             "other-ca": "unknown_ca", "expired": "certificate_expired"}[what]

    def body(ctx):
        srv = ctx.clasp_server("p256", "--verify", "require", "--ca", ctx.pki.ca)
        files = {"missing": None, "other-ca": ctx.pki.client("other"),
                 "expired": ctx.pki.client("expired")}[what]
        cl = peer.client(ctx, srv.port, version, cert_files=files, stdin=GET)
        rc = cl_done(cl, ok=False)
        check(rc != 0, "%s exit status 0, expected a failure" % cl.label)
        peer.saw_alert(cl, alert)
        check("HTTP/1.1 200" not in cl.out(), "%s received an answer" % cl.label)
        expect_server_log(srv, ok=False, alert_sent=alert)
    return body


def neg_cs_peer_rejects(peer, version="1.3"):
    """The peer client does not trust clasp-server's certificate: clasp-server logs the
    alert it received."""
    alert = {"openssl": "unknown_ca", "gnutls": "bad_certificate"}[peer.name]

    def body(ctx):
        srv = ctx.clasp_server("p256")
        cl = peer.client(ctx, srv.port, version, ca=ctx.pki.other_ca, stdin=GET)
        rc = cl_done(cl, ok=False)
        check(rc != 0, "%s exit status 0, expected a failure" % cl.label)
        expect_server_log(srv, ok=False, alert_received=alert)
    return body


def neg_cc_version(peer):
    """A TLS 1.2-only server and clasp-client --versions 1.3. clasp offers only TLS 1.3 (its
    supported_versions and suites), so the peer refuses before answering: OpenSSL with
    protocol_version, GnuTLS with handshake_failure (no common suite). clasp-client must fail
    the handshake and name the alert it received."""
    alert = {"openssl": "protocol_version", "gnutls": "handshake_failure"}[peer.name]

    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, mode="plain", version="1.2")
        else:
            srv = peer.server(ctx, version="1.2", debug=5)
        cl = ctx.clasp_client(srv.port, "--versions", "1.3")
        expect_client_failed(cl, alert_received=alert, failure="handshake failed")
        if peer.name == "openssl":
            expect_in(srv, r"unsupported protocol", what="s_server's refusal")
            peer.server_done(srv, ok=False)
        else:
            expect_in(srv, r"Sending Alert\[2\|40\]", what="handshake_failure sent")
            peer.server_done(srv)
    return body


def neg_cs_version(peer):
    """A TLS 1.2-only client against clasp-server --versions 1.3: protocol_version."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--versions", "1.3")
        cl = peer.client(ctx, srv.port, version="1.2", stdin=GET)
        expect_refused(peer, cl, srv, "protocol_version")
    return body


def neg_cc_truncated(peer, version="1.3"):
    """The peer server vanishes mid-connection (killed: no close_notify): clasp-client must
    report the truncation and fail."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, mode="echo", version=version)
            cl = ctx.clasp_client(srv.port, "--request", "-", stdin="pipe")
            cl.feed(b"ping\n")
            wait_until(lambda: srv.out() == "ping\n" or not cl.running(), PROC_TIMEOUT,
                       "s_server to receive the data")
        else:
            srv = peer.server(ctx, mode="echo", version=version)
            cl = ctx.clasp_client(srv.port, "--request", "-", stdin="pipe")
            cl.feed(b"ping\n")
            wait_until(lambda: cl.out() == "ping\n" or not cl.running(), PROC_TIMEOUT,
                       "the echo")
        srv.stop(signal.SIGKILL)
        d = expect_client_failed(cl)
        check(d["failure"] == "truncated",
              "clasp-client reported %r, expected 'connection truncated'" % d["failure"])
        cl.close_stdin()
    return body


def neg_cs_truncated(peer, version="1.3"):
    """The peer client vanishes mid-echo (killed): clasp-server's connection fails."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--echo")
        if peer.name == "openssl":
            cl = peer.client(ctx, srv.port, version, mode="echo", stdin="pipe")
        else:
            cl = peer.client(ctx, srv.port, version, stdin="pipe")
        cl.feed(b"ping\n")
        expect_in(cl, r"^ping$", "out", what="the echo")
        cl.stop(signal.SIGKILL)
        expect_server_log(srv, ok=False, alert_received="none",
                          result=re.compile(r"close_notify|truncat", re.I))
    return body


# ---- TLS 1.2 ----
#
# Every TLS 1.2 case that succeeds runs a full handshake and then resumes its session: the
# second connection offers the first one's session ID (clasp-client --reconnect 1;
# s_client -sess_out / -sess_in; gnutls-cli --resume) and both sides must report the
# resumption (clasp: "connection 2: resumed", resumed=yes; OpenSSL: "Reused"; GnuTLS:
# "This is a resumed session").

# RFC 8446 4.1.3: the last 8 bytes of the ServerHello random of a TLS 1.3 server that
# negotiates TLS 1.2.
DOWNGRADE_TLS12 = bytes.fromhex("444f574e47524401")


def server_hello(proc, direction):
    """The ServerHello (with its handshake header) in an OpenSSL -msg trace: direction '>>>'
    for the server, '<<<' for the client."""
    text = read_text(proc.msgfile)
    m = re.search(r"^%s [^\n]*ServerHello\n((?:    [0-9a-f ]+\n)+)" % re.escape(direction),
                  text, re.M)
    check(m, "%s: no ServerHello in its -msg trace" % proc.label)
    data = bytes.fromhex("".join(m.group(1).split()))
    check(len(data) >= 39 and data[0] == 2, "%s: the ServerHello in its trace is cut" % proc.label)
    return data


def server_hello_random(proc, direction):
    return server_hello(proc, direction)[6:38]


def expect_sentinel(proc, direction, present):
    sentinel = server_hello_random(proc, direction)[24:] == DOWNGRADE_TLS12
    check(sentinel == present, "the ServerHello random %s the TLS 1.2 downgrade sentinel "
          "(DOWNGRD\\x01)%s" % ("lacks" if present else "ends with",
                                " (RFC 8446 4.1.3)" if present else ""))


def peer_resumed_pages(peer, srv, pages, suite, group, cert, resumed=(False, True),
                       client_cert=False):
    """The peer server's status pages for the connections of clasp-client --reconnect, and
    what the peer says about resumption; stops the peer."""
    check(len(pages) == len(resumed), "clasp-client received %d status pages, expected %d" %
          (len(pages), len(resumed)))
    for page, r in zip(pages, resumed):
        peer.page_negotiated(page, "1.2", suite, group=group, cert=cert, reused=r)
        if client_cert:
            peer.page_client_cert(page)
    if peer.name == "openssl":
        peer.server_done(srv)
        return
    ids = [re.search(r"Session ID:\s*([0-9A-F]+)", re.sub(r"<[^>]*>", "", p)) for p in pages]
    check(all(ids), "gnutls-serv's page shows no session ID")
    same = [ids[i].group(1) == ids[i - 1].group(1) for i in range(1, len(ids))]
    check(same == list(resumed[1:]), "gnutls-serv's session IDs %s do not match the resumptions"
          % [i.group(1)[:16] for i in ids])
    peer.server_done(srv)  # stopped: its stdout (one description per connection) is complete
    n = srv.out().count("*** This is a resumed session")
    check(n == sum(resumed), "gnutls-serv reports %d resumed sessions, expected %d" %
          (n, sum(resumed)))


# The curve of each ECDSA certificate kind.
CURVE = {"p256": "secp256r1", "p384": "secp384r1", "p521": "secp521r1"}


def client_groups12(group, cert):
    """The groups a TLS 1.2 client offers to get an ECDHE exchange on group with a server
    certificate of this kind: in TLS 1.2 the client's supported_groups also names the
    curves it accepts in the server's ECDSA certificate (RFC 8422 section 4; OpenSSL
    enforces it both ways), so the certificate's curve goes along."""
    if group is None:
        return None
    curve = CURVE.get(cert)
    return [group] + ([curve] if curve and curve != group else [])


def cc_handshake12(peer, suite, group, cert, client_cert=None):
    """The TLS 1.2 matrix, clasp as client: the peer server (TLS 1.2 only) forces the suite
    and the group; clasp-client (TLS 1.3 and 1.2) connects, then reconnects offering the
    session; both sides must see a full handshake, then a resumed one."""
    def body(ctx):
        # OpenSSL also wants the curve of an ECDSA client certificate among its own groups.
        server_groups = [group] if group else None
        if group and client_cert and peer.name == "openssl":
            server_groups = client_groups12(group, client_cert)
        srv = peer.server(ctx, cert=cert, version="1.2", suite=suite, groups=server_groups,
                          verify="require" if client_cert else None, naccept=2)
        args = ["--reconnect", "1"] + clasp_suite_args(suite)
        if group:
            args += ["--groups", ":".join(client_groups12(group, cert))]
        if client_cert:
            pem, key = ctx.pki.client(client_cert)
            args += ["--cert", pem, "--key", key]
        cl = ctx.clasp_client(srv.port, *args)
        expect_client_ok(cl, "1.2", suite.iana, group or "none", cert=cert,
                         scheme="none" if suite.kx == "RSA" else None,
                         connections=["new", "resumed"])
        peer_resumed_pages(peer, srv, peer.pages(cl.out()), suite, group, cert,
                           client_cert=bool(client_cert))
    return body


def cs_handshake12(peer, suite, group, cert, client_cert=None):
    """The TLS 1.2 matrix, clasp as server: the peer client (TLS 1.2 only) offers this suite
    and the group (with the certificate's curve), clasp-server takes only the group; then
    the peer resumes the session on a second connection."""
    def body(ctx):
        args = clasp_suite_args(suite)
        if group:
            args += ["--groups", group]
        if client_cert:
            args += ["--verify", "require", "--ca", ctx.pki.ca]
        srv = ctx.clasp_server(cert, *args, once=False)
        groups = client_groups12(group, cert)
        if peer.name == "openssl":
            sess = ctx.path("session.pem")
            c1 = peer.client(ctx, srv.port, "1.2", suite=suite, groups=groups, cert=client_cert,
                             stdin=GET, sess_out=sess)
            cl_done(c1)
            peer.client_negotiated(c1, "1.2", suite, group,
                                   None if suite.kx == "RSA" else cert)
            c2 = peer.client(ctx, srv.port, "1.2", suite=suite, groups=groups, cert=client_cert,
                             stdin=GET, sess_in=sess, brief=False, label="s_client.2")
            cl_done(c2)
            peer.reused(c2, "1.2", suite)
            answers = [(c1, "no"), (c2, "yes")]
        else:
            c = peer.client(ctx, srv.port, "1.2", suite=suite, groups=groups, cert=client_cert,
                            stdin=GET, resume=True)
            cl_done(c)
            peer.client_negotiated(c, "1.2", suite, group, cert)
            peer.resumed(c, "1.2", suite, group)
            answers = [(c, "yes")]  # the first connection carries no request
        cc = "subject=CN=client.test" if client_cert else "none"
        for c, r in answers:
            expect_answer(c.out(), c.label, version="TLS 1.2", cipher_suite=suite.iana,
                          resumed=r, client_cert=cc)
        logs = expect_server_logs(srv, 2)
        cc = client_cert_pattern(client_cert) if client_cert else "none"
        for log, r in zip(sorted(logs, key=lambda l: l.get("resumed", "")), ("no", "yes")):
            check_log(log, "clasp-server", version="TLS 1.2", suite=suite.iana, resumed=r,
                      result="ok", client_cert=cc)
            if r == "no":
                check_log(log, "clasp-server", group=group or "none")
    return body


# ---- TLS 1.2 CBC-HMAC suites, with and without encrypt-then-MAC ----

EXT_ENCRYPT_THEN_MAC = 22  # RFC 7366


def hello_extensions(hello):
    """The extension types of a ServerHello (handshake header included)."""
    i = 4 + 2 + 32
    i += 1 + hello[i] + 2 + 1  # session ID, cipher suite, compression method
    types = []
    if i + 2 <= len(hello):
        end = i + 2 + int.from_bytes(hello[i:i + 2], "big")
        i += 2
        while i + 4 <= end:
            types.append(int.from_bytes(hello[i:i + 2], "big"))
            i += 4 + int.from_bytes(hello[i + 2:i + 4], "big")
    return types


def expect_etm_in_server_hello(proc, direction, etm):
    """An OpenSSL -msg trace: the ServerHello answers encrypt_then_mac exactly when etm."""
    got = EXT_ENCRYPT_THEN_MAC in hello_extensions(server_hello(proc, direction))
    check(got == etm, "%s: the ServerHello %s encrypt_then_mac" %
          (proc.label, "answers" if got else "does not answer"))


def refuse_etm(peer, etm):
    """The peer's switch that refuses encrypt-then-MAC (OpenSSL -no_etm, GnuTLS %NO_ETM)."""
    if etm:
        return {}
    return {"extra": ("-no_etm",)} if peer.name == "openssl" else {"prio": "%NO_ETM"}


def cbc_params(suite):
    """The group (x25519 for ECDHE) and the server certificate kind of a CBC case."""
    return ("x25519" if suite.kx == "ECDHE" else None), suite.certs[0]


def cc_cbc(peer, suite, etm):
    """A CBC suite, clasp as client: the peer server (TLS 1.2) forces it and takes or refuses
    encrypt-then-MAC; clasp-client connects, then reconnects resuming the session (in the same
    mode: RFC 7366 3.1). clasp-client says which mode; OpenSSL's ServerHello shows it too."""
    def body(ctx):
        group, cert = cbc_params(suite)
        kw = refuse_etm(peer, etm)
        if peer.name == "openssl":
            kw["trace"] = True
        srv = peer.server(ctx, cert=cert, version="1.2", suite=suite,
                          groups=[group] if group else None, naccept=2, **kw)
        args = ["--reconnect", "1"] + clasp_suite_args(suite)
        if group:
            args += ["--groups", ":".join(client_groups12(group, cert))]
        cl = ctx.clasp_client(srv.port, *args)
        d = expect_client_ok(cl, "1.2", suite.iana, group or "none", cert=cert,
                             scheme="none" if suite.kx == "RSA" else None,
                             connections=["new", "resumed"])
        check(d.get("encrypt_then_mac") == ("yes" if etm else "no"),
              "clasp-client: encrypt_then_mac is %r, expected %r" %
              (d.get("encrypt_then_mac"), "yes" if etm else "no"))
        peer_resumed_pages(peer, srv, peer.pages(cl.out()), suite, group, cert)
        if peer.name == "openssl":
            expect_etm_in_server_hello(srv, ">>>", etm)
    return body


def cs_cbc(peer, suite, etm):
    """A CBC suite, clasp as server (which enables it by name): the peer client offers only
    it, with or without encrypt_then_mac, then resumes the session on a second connection.
    clasp-server logs the mode; OpenSSL's trace and GnuTLS's session options show it too."""
    def body(ctx):
        group, cert = cbc_params(suite)
        args = clasp_suite_args(suite) + (["--groups", group] if group else [])
        srv = ctx.clasp_server(cert, *args, once=False)
        groups = client_groups12(group, cert)
        kw = refuse_etm(peer, etm)
        if peer.name == "openssl":
            sess = ctx.path("session.pem")
            c1 = peer.client(ctx, srv.port, "1.2", suite=suite, groups=groups, stdin=GET,
                             sess_out=sess, trace=True, **kw)
            cl_done(c1)
            peer.client_negotiated(c1, "1.2", suite, group, None if suite.kx == "RSA" else cert)
            expect_etm_in_server_hello(c1, "<<<", etm)
            c2 = peer.client(ctx, srv.port, "1.2", suite=suite, groups=groups, stdin=GET,
                             sess_in=sess, brief=False, label="s_client.2", **kw)
            cl_done(c2)
            peer.reused(c2, "1.2", suite)
            answers = [c1, c2]
        else:
            c = peer.client(ctx, srv.port, "1.2", suite=suite, groups=groups, stdin=GET,
                            resume=True, **kw)
            cl_done(c)
            peer.client_negotiated(c, "1.2", suite, group, cert)
            peer.resumed(c, "1.2", suite, group)
            options = re.findall(r"^- Options: (.*)$", read_text(c.logfile), re.M)
            check(len(options) == 2 and all(("EtM" in o) == etm for o in options),
                  "gnutls-cli: session options %r, expected %s EtM" %
                  (options, "with" if etm else "without"))
            answers = [c]
        for c in answers:
            expect_answer(c.out(), c.label, version="TLS 1.2", cipher_suite=suite.iana)
        logs = expect_server_logs(srv, 2)
        for log, r in zip(sorted(logs, key=lambda l: l.get("resumed", "")), ("no", "yes")):
            check_log(log, "clasp-server", version="TLS 1.2", suite=suite.iana, resumed=r,
                      result="ok", etm="yes" if etm else "no")
    return body


def cbc_cases(peer, suite):
    """Both directions, with and without encrypt-then-MAC; and 1 MiB each way without it
    (MAC-then-encrypt, the mode whose decoding is constant-time) for the SHA-384 and the
    RFC 5246 mandatory suite."""
    p, cases = peer.name, []
    for etm in (True, False):
        what = "1.2/%s/%s" % (suite.iana, "etm" if etm else "no-etm")
        cases.append(Case("%s/clasp-client/%s" % (p, what), p + "12", p, cc_cbc(peer, suite, etm)))
        cases.append(Case("%s/clasp-server/%s" % (p, what), p + "12", p, cs_cbc(peer, suite, etm)))
    if suite.iana in ("TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384", "TLS_RSA_WITH_AES_128_CBC_SHA"):
        what = "1.2/%s/%s/no-etm/data-1MiB" % (suite.iana, suite.certs[0])
        cases.append(Case("%s/clasp-client/%s" % (p, what), p + "12", p,
                          cc_echo(peer, "1.2", suite, suite.certs[0], **refuse_etm(peer, False))))
    return cases


def cs_echo12(peer, suite, cert):
    """1 MiB of random bytes through clasp-server --echo on a resumed TLS 1.2 connection:
    the peer client's first connection only makes the session."""
    def body(ctx):
        a = ctx.pki.data("data-a.bin")
        srv = ctx.clasp_server(cert, "--echo", *clasp_suite_args(suite), once=False)
        if peer.name == "openssl":
            sess = ctx.path("session.pem")
            c1 = peer.client(ctx, srv.port, "1.2", suite=suite, mode="echo", sess_out=sess)
            cl_done(c1)  # its stdin is empty: the handshake, then close_notify
            cl = peer.client(ctx, srv.port, "1.2", suite=suite, mode="echo", sess_in=sess,
                             trace=True, stdin="pipe", label="s_client.2")
        else:
            cl = peer.client(ctx, srv.port, "1.2", suite=suite, resume=True, stdin="pipe")
        cl.feed(a)
        wait_until(lambda: cl.out_size() >= len(a) or not cl.running(), PROC_TIMEOUT,
                   "the echo of 1 MiB")
        cl.close_stdin()
        cl_done(cl)
        expect_same(cl.out_bytes(), a, "%s got back" % cl.label)
        if peer.name == "openssl":
            peer.client_negotiated(cl, "1.2", suite)
            check(peer.trace_count(cl, "<<<", "Certificate") == 0,
                  "s_client.2 received a Certificate: a full handshake, not a resumed one")
        else:
            peer.resumed(cl, "1.2", suite)
        logs = expect_server_logs(srv, 2)
        resumed = [l for l in logs if l.get("resumed") == "yes"]
        check(len(resumed) == 1, "clasp-server logged %d resumed connections, expected 1" %
              len(resumed))
        check_log(resumed[0], "clasp-server", version="TLS 1.2", suite=suite.iana, result="ok",
                  alert_received="close_notify", alert_sent="close_notify")
    return body


def cc_negotiate12(peer, clasp_versions, peer_version):
    """clasp-client --versions clasp_versions (None: its default, 1.2 and 1.3) against a
    peer server with peer_version (None: its default, 1.2 and 1.3): TLS 1.2, resumed. When
    the peer can do TLS 1.3, its ServerHello carries the downgrade sentinel, which a TLS
    1.2-only client must not take for an attack; a TLS 1.2-only peer sends none, and a clasp
    client that could do 1.3 must not imagine one."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, version=peer_version, naccept=2, trace=True)
        else:
            srv = peer.server(ctx, version=peer_version)
        args = ["--versions", clasp_versions] if clasp_versions else []
        cl = ctx.clasp_client(srv.port, "--reconnect", "1", *args)
        expect_client_ok(cl, "1.2", connections=["new", "resumed"])
        peer_resumed_pages(peer, srv, peer.pages(cl.out()), None, None, None)
        if peer.name == "openssl":
            expect_sentinel(srv, ">>>", peer_version is None)
    return body


def cs_negotiate12(peer, clasp_versions, peer_version):
    """A peer client with peer_version (None: 1.2 and 1.3) against clasp-server --versions
    clasp_versions (None: 1.2 and 1.3): TLS 1.2. clasp-server must put the downgrade
    sentinel in its ServerHello random exactly when it could have done TLS 1.3 (RFC 8446
    4.1.3); a 1.3-capable peer client would abort on a sentinel from a 1.2-only server."""
    def body(ctx):
        args = ["--versions", clasp_versions] if clasp_versions else []
        srv = ctx.clasp_server("p256", *args)
        if peer.name == "openssl":
            cl = peer.client(ctx, srv.port, peer_version, stdin=GET, trace=True)
        else:
            cl = peer.client(ctx, srv.port, peer_version, stdin=GET)
        cl_done(cl)
        peer.client_negotiated(cl, "1.2")
        expect_body(cl, version="TLS 1.2", resumed="no")
        expect_server_log(srv, version="TLS 1.2")
        if peer.name == "openssl":
            expect_sentinel(cl, "<<<", clasp_versions is None)
    return body


def cs_done_when(cipher):
    """The issue's commands, as they are: `openssl s_client -tls1_2 -cipher CIPHER -cert
    client.pem -key client.key` against `clasp-server --verify require` (with an RSA and an
    ECDSA certificate, and TLS_RSA_WITH_AES_128_GCM_SHA256 enabled), with -sess_out, then
    again with -sess_in: "Reused"."""
    def make(peer):
        if peer.name != "openssl":
            return None

        def body(ctx):
            suite = next(s for s in SUITES if s.openssl == cipher)
            shutil.copy(ctx.pki.client("p256")[0], ctx.path("client.pem"))
            shutil.copy(ctx.pki.client("p256")[1], ctx.path("client.key"))
            p256 = ctx.pki.server("p256")
            srv = ctx.clasp_server(
                "rsa2048", "--cert", p256[0], "--key", p256[1], "--verify", "require",
                "--ca", ctx.pki.ca, "--suites",
                ":".join(CLASP_DEFAULT_SUITES + ["TLS_RSA_WITH_AES_128_GCM_SHA256"]), once=False)
            common = dict(version="1.2", extra=["-cipher", cipher],
                          cert_files=("client.pem", "client.key"), stdin=GET)
            c1 = peer.client(ctx, srv.port, sess_out="sess.pem", **common)
            cl_done(c1)
            peer.client_negotiated(c1, "1.2", suite)
            c2 = peer.client(ctx, srv.port, sess_in="sess.pem", brief=False, label="s_client.2",
                             **common)
            cl_done(c2)
            peer.reused(c2, "1.2", suite)
            for c, r in ((c1, "no"), (c2, "yes")):
                expect_answer(c.out(), c.label, version="TLS 1.2", cipher_suite=suite.iana,
                              resumed=r, client_cert="subject=CN=client.test")
            logs = expect_server_logs(srv, 2)
            for log, r in zip(sorted(logs, key=lambda l: l.get("resumed", "")), ("no", "yes")):
                check_log(log, "clasp-server", version="TLS 1.2", suite=suite.iana, resumed=r,
                          client_cert=client_cert_pattern("p256"))
        return body
    return make


def cc_done_when(peer):
    """The issue's command: `clasp-client --versions 1.2` against `openssl s_server -tls1_2`
    and `gnutls-serv` (its defaults), with --reconnect 1: resumed."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, version="1.2", naccept=2)
        else:
            srv = peer.server(ctx, version=None)
        cl = ctx.clasp_client(srv.port, "--versions", "1.2", "--reconnect", "1")
        expect_client_ok(cl, "1.2", connections=["new", "resumed"])
        peer_resumed_pages(peer, srv, peer.pages(cl.out()), None, None, None)
    return body


def cc_not_cached12(peer):
    """A peer server without a session cache or tickets (s_server -no_cache -no_ticket;
    gnutls-serv --nodb --noticket): clasp-client's second connection offers the session in
    vain and makes a new one."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, version="1.2", naccept=2, extra=["-no_cache", "-no_ticket"])
        else:
            srv = peer.server(ctx, version="1.2", extra=["--nodb", "--noticket"])
        cl = ctx.clasp_client(srv.port, "--reconnect", "1")
        expect_client_ok(cl, "1.2", connections=["new", "new"])
        peer_resumed_pages(peer, srv, peer.pages(cl.out()), None, None, None,
                           resumed=(False, False))
    return body


def cs_not_cached12(peer):
    """clasp-server --session-cache 0 --tickets 0: its ServerHello has an empty session ID
    (RFC 5246 7.4.1.3: the session will not be cached) and no ticket follows, so the peer
    has nothing to resume: OpenSSL writes no -sess_out file; gnutls-cli --resume makes a
    new session."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--session-cache", "0", "--tickets", "0", once=False)
        if peer.name == "openssl":
            sess = ctx.path("session.pem")
            c1 = peer.client(ctx, srv.port, "1.2", stdin=GET, sess_out=sess, trace=True)
            cl_done(c1)
            sid_len = server_hello(c1, "<<<")[38]
            check(sid_len == 0,
                  "clasp-server's ServerHello has a %d-byte session ID, expected none" % sid_len)
            check(not os.path.exists(sess), "s_client saved a session to resume")
            c2 = peer.client(ctx, srv.port, "1.2", stdin=GET, label="s_client.2", brief=False)
            cl_done(c2)
            expect_line(c2, c2.out(), r"^New, TLSv1\.2, Cipher is ")
            expect_body(c2, resumed="no")
        else:
            c = peer.client(ctx, srv.port, "1.2", stdin=GET, resume=True)
            cl_done(c)
            check("This is a resumed session" not in read_text(c.logfile),
                  "gnutls-cli says its session was resumed")
            expect_body(c, resumed="no")
        logs = expect_server_logs(srv, 2)
        for log in logs:
            check_log(log, "clasp-server", version="TLS 1.2", resumed="no", result="ok")
    return body


def cs_ticket12(peer, tickets):
    """A peer client resumes a TLS 1.2 session with clasp-server: by an RFC 5077 ticket (the
    default: the ServerHello's session ID is empty and the session travels in the ticket),
    or with --tickets 0 by session ID from the server's cache."""
    def body(ctx):
        srv = ctx.clasp_server("p256", *([] if tickets else ["--tickets", "0"]), once=False)
        first = peer_resumes(peer, ctx, srv, "1.2")
        if first is not None:
            has = re.search(r"TLS session ticket lifetime hint: \d+", first.out())
            check(bool(has) == tickets, "s_client's session %s a ticket" %
                  ("has no" if tickets else "has"))
    return body


def cc_ticket12(peer, tickets):
    """clasp-client --reconnect 1 resumes a TLS 1.2 session with a peer server that only has
    tickets (s_server -no_cache; gnutls-serv --nodb) or only session IDs (s_server
    -no_ticket; gnutls-serv --noticket)."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, version="1.2", naccept=2,
                              extra=["-no_cache"] if tickets else ["-no_ticket"])
        else:
            srv = peer.server(ctx, version="1.2", extra=["--nodb"] if tickets else ["--noticket"])
        cl = ctx.clasp_client(srv.port, "--reconnect", "1")
        expect_client_ok(cl, "1.2", connections=["new", "resumed"])
        pages = peer.pages(cl.out())
        check(len(pages) == 2, "clasp-client received %d answers, expected 2" % len(pages))
        for page, reused in zip(pages, (False, True)):
            peer.page_negotiated(page, "1.2", reused=reused)
        peer.server_done(srv)
        if peer.name == "gnutls":
            n = srv.out().count("*** This is a resumed session")
            check(n == 1, "gnutls-serv reports %d resumed sessions, expected 1" % n)
    return body


def shared_keys(ctx):
    keys = ctx.path("shared.keys")
    with open(keys, "w") as f:
        f.write("%s %s 0\n" % (os.urandom(16).hex(), os.urandom(32).hex()))
    return keys


def ticket_two_servers(peer, what):
    """s_client takes a TLS 1.3 ticket from clasp-server-a and offers it to clasp-server-b.
    what: "shared" (the same --ticket-keys file and --session-context: resumed, as a fleet of
    servers needs), "other-keys" (b has its own keys) or "other-context" (the same keys,
    another --session-context: another configuration): a full handshake, no alert."""
    if peer.name != "openssl":
        return None

    def body(ctx):
        keys, sess = shared_keys(ctx), ctx.path("session.pem")
        a_args = ["--ticket-keys", keys, "--session-context", "one"]
        b_args = {"shared": a_args, "other-keys": [],
                  "other-context": ["--ticket-keys", keys, "--session-context", "two"]}[what]
        a = ctx.clasp_server("p256", *a_args, label="clasp-server-a")
        c1 = peer.client(ctx, a.port, "1.3", stdin=GET, sess_out=sess)
        cl_done(c1)
        expect_server_log(a, version="TLS 1.3", resumed="no")
        b = ctx.clasp_server("p256", *b_args, label="clasp-server-b")
        c2 = peer.client(ctx, b.port, "1.3", stdin=GET, sess_in=sess, brief=False,
                         label="s_client.2")
        cl_done(c2)
        resumed = what == "shared"
        peer.reused(c2, "1.3", SUITE["TLS_AES_128_GCM_SHA256"], reused=resumed)
        expect_body(c2, resumed="yes" if resumed else "no")
        expect_server_log(b, version="TLS 1.3", resumed="yes" if resumed else "no",
                          alert_sent="close_notify")
    return body


def cs_unknown_session12(peer):
    """s_client offers a session from another clasp-server: a full handshake."""
    if peer.name != "openssl":
        return None

    def body(ctx):
        sess = ctx.path("session.pem")
        a = ctx.clasp_server("p256", label="clasp-server-a")
        c1 = peer.client(ctx, a.port, "1.2", stdin=GET, sess_out=sess)
        cl_done(c1)
        expect_server_log(a, version="TLS 1.2", resumed="no")
        b = ctx.clasp_server("p256", label="clasp-server-b")
        c2 = peer.client(ctx, b.port, "1.2", stdin=GET, sess_in=sess, brief=False,
                         label="s_client.2")
        cl_done(c2)
        expect_line(c2, c2.out(), r"^New, TLSv1\.2, Cipher is ")
        expect_body(c2, resumed="no")
        expect_server_log(b, version="TLS 1.2", resumed="no")
    return body


def fallback_args(peer):
    """A TLS 1.2-only peer client sending TLS_FALLBACK_SCSV (RFC 7507)."""
    if peer.name == "openssl":
        return dict(extra=["-fallback_scsv"])
    return dict(prio="%FALLBACK_SCSV")


def cs_fallback_at_max(peer):
    """TLS_FALLBACK_SCSV from a TLS 1.2 client to clasp-server --versions 1.2: 1.2 is the
    server's highest version, so this is no fallback: the handshake goes on."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--versions", "1.2")
        cl = peer.client(ctx, srv.port, "1.2", stdin=GET, **fallback_args(peer))
        cl_done(cl)
        peer.client_negotiated(cl, "1.2")
        expect_server_log(srv, version="TLS 1.2")
    return body


def cc_server_cert12(peer, cert):
    """A TLS 1.2 peer server with this certificate (ECDHE_ECDSA with Ed25519, RFC 8422)."""
    def body(ctx):
        srv = peer.server(ctx, cert=cert, version="1.2")
        cl = ctx.clasp_client(srv.port)
        expect_client_ok(cl, "1.2", cert=cert)
        peer.server_done(srv)
    return body


def cs_server_cert12(peer, cert):
    def body(ctx):
        srv = ctx.clasp_server(cert)
        cl = peer.client(ctx, srv.port, "1.2", stdin=GET)
        cl_done(cl)
        peer.client_negotiated(cl, "1.2", cert=cert)
        expect_server_log(srv, version="TLS 1.2")
    return body


def cs_ecdsa_curve_not_offered(peer):
    """clasp-server with an ECDSA P-256 and an RSA certificate; a TLS 1.2 peer client whose
    supported_groups names only x25519, so it cannot take the P-256 key: RFC 8422 section 4
    says the server must not negotiate an ECC suite it cannot complete within the client's
    curves, so clasp must take the RSA certificate (ECDHE_RSA)."""
    def body(ctx):
        rsa = ctx.pki.server("rsa2048")
        srv = ctx.clasp_server("p256", "--cert", rsa[0], "--key", rsa[1])
        cl = peer.client(ctx, srv.port, "1.2", groups=["x25519"], stdin=GET)
        cl_done(cl)
        expect_server_log(srv, version="TLS 1.2", suite=re.compile(r"^TLS_ECDHE_RSA_WITH_"),
                          group="x25519")
    return body


def cc_leak_check12(peer):
    """clasp-client (TLS 1.3 and 1.2: a TLS 1.3 key share in its ClientHello) gets TLS 1.2
    with ECDHE; it leaked that share until ba6ae00 (seen with the sanitizers). Run without
    the KNOWN_LEAKS suppressions, whatever they are."""
    def body(ctx):
        srv = peer.server(ctx, version="1.2")
        cl = ctx.clasp_client(srv.port, suppress_leaks=False)
        expect_client_ok(cl, "1.2", group="x25519")
        peer.server_done(srv)
    return body


# ---- TLS 1.2 negative ----

def neg_cs_ecdsa_curve_not_offered(peer):
    """clasp-server with only an ECDSA P-256 certificate; a TLS 1.2 peer client whose
    supported_groups names only x25519: no suite can be completed within the client's
    curves (RFC 8422 section 4): handshake_failure."""
    def body(ctx):
        srv = ctx.clasp_server("p256")
        cl = peer.client(ctx, srv.port, "1.2", groups=["x25519"], stdin=GET)
        expect_refused(peer, cl, srv, "handshake_failure")
    return body


def neg_cs_old_version(peer, version):
    """A peer client forced to TLS 1.1 or 1.0 against clasp-server (1.2 and 1.3):
    protocol_version, seen by the peer."""
    def body(ctx):
        srv = ctx.clasp_server("p256")
        cl = peer.client(ctx, srv.port, version, stdin=GET)
        expect_refused(peer, cl, srv, "protocol_version")
    return body


def neg_cc_old_version(peer, clasp_versions):
    """clasp-client against a peer server forced to TLS 1.1. clasp offers only AEAD suites,
    which TLS 1.1 cannot use, so no real peer gets as far as a TLS 1.1 ServerHello: it
    refuses the ClientHello. A clasp client offering 1.3 too sends supported_versions, which
    OpenSSL honours: protocol_version; a 1.2-only ClientHello has legacy_version 1.2 and no
    supported_versions, so OpenSSL picks 1.1 and finds no suite: handshake_failure. GnuTLS
    ignores supported_versions without 1.3 enabled: handshake_failure both ways."""
    alert = "protocol_version" if (peer.name, clasp_versions) == ("openssl", "1.2,1.3") \
        else "handshake_failure"

    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, mode="plain", version="1.1")
        else:
            srv = peer.server(ctx, version="1.1", debug=5)
        cl = ctx.clasp_client(srv.port, "--versions", clasp_versions)
        expect_client_failed(cl, alert_received=alert, alert_sent="none",
                             failure="handshake failed")
        if peer.name == "openssl":
            expect_in(srv, r"unsupported protocol|no shared cipher", what="s_server's refusal")
            peer.server_done(srv, ok=False)
        else:
            expect_in(srv, r"Sending Alert\[2\|%d\]" % ALERTS[alert], what="%s sent" % alert)
            peer.server_done(srv)
    return body


def neg_cs_fallback(peer):
    """TLS_FALLBACK_SCSV from a TLS 1.2 client to clasp-server (1.2 and 1.3): the client
    fell back from a version the server has: inappropriate_fallback (RFC 7507)."""
    def body(ctx):
        srv = ctx.clasp_server("p256")
        cl = peer.client(ctx, srv.port, "1.2", stdin=GET, **fallback_args(peer))
        expect_refused(peer, cl, srv, "inappropriate_fallback")
    return body


def no_ems_args(ctx, peer):
    """A TLS 1.2 peer without the extended master secret: GnuTLS's %NO_SESSION_HASH; OpenSSL
    3.0 has no switch for it, but its configuration has (Options = -ExtendedMasterSecret)."""
    if peer.name == "gnutls":
        return dict(prio="%NO_SESSION_HASH")
    cnf = ctx.path("no-ems.cnf")
    with open(cnf, "w") as f:
        f.write("openssl_conf = openssl_init\n[openssl_init]\nssl_conf = ssl_sect\n"
                "[ssl_sect]\nsystem_default = system_default_sect\n"
                "[system_default_sect]\nOptions = -ExtendedMasterSecret\n")
    return dict(env={"OPENSSL_CONF": cnf})


def neg_cs_no_ems(peer):
    """A TLS 1.2 peer client without the extended master secret: clasp-server (EMS required
    by default) refuses with handshake_failure (RFC 7627 5.2)."""
    def body(ctx):
        srv = ctx.clasp_server("p256")
        cl = peer.client(ctx, srv.port, "1.2", stdin=GET, **no_ems_args(ctx, peer))
        expect_refused(peer, cl, srv, "handshake_failure",
                       result=re.compile(r"extended master secret"))
    return body


def neg_cc_no_ems(peer):
    """A TLS 1.2 peer server without the extended master secret: clasp-client refuses with
    handshake_failure."""
    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, version="1.2", mode="plain", **no_ems_args(ctx, peer))
        else:
            srv = peer.server(ctx, version="1.2", debug=5, **no_ems_args(ctx, peer))
        cl = ctx.clasp_client(srv.port)
        d = expect_client_failed(cl, alert_sent="handshake_failure", failure="handshake failed")
        check(re.search(r"extended master secret", d.get("detail", "")),
              "clasp-client's failure does not name the extended master secret: %r" %
              d.get("detail"))
        peer.saw_alert(srv, "handshake_failure")
        if peer.name == "openssl":
            peer.server_done(srv, ok=False)
        else:
            peer.server_done(srv)
    return body


def cs_no_ems_allowed(peer):
    """The same peer client without the extended master secret that neg_cs_no_ems shows
    refused by default: clasp-server --allow-no-ems completes TLS 1.2 with it (OpenSSL's
    session print says so: 'Extended master secret: no')."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--allow-no-ems")
        extra = dict(brief=False) if peer.name == "openssl" else {}
        cl = peer.client(ctx, srv.port, "1.2", stdin=GET, **extra, **no_ems_args(ctx, peer))
        cl_done(cl)
        expect_body(cl, version="TLS 1.2", resumed="no")
        expect_server_log(srv, version="TLS 1.2", result="ok")
        if peer.name == "openssl":
            expect_line(cl, cl.out(), r"^\s*Extended master secret: no$")
    return body


def cc_no_ems_allowed(peer):
    """The peer server of neg_cc_no_ems, without the extended master secret: clasp-client
    --allow-no-ems completes TLS 1.2 with it (s_server's status page: 'Extended master
    secret: no')."""
    def body(ctx):
        srv = peer.server(ctx, version="1.2", **no_ems_args(ctx, peer))
        cl = ctx.clasp_client(srv.port, "--allow-no-ems")
        expect_client_ok(cl, "1.2")
        if peer.name == "openssl":
            expect_line(cl, cl.out(), r"^\s*Extended master secret: no$")
        peer.server_done(srv)
    return body


def neg_cs_rsa_not_enabled(peer):
    """A TLS 1.2 peer client offering only TLS_RSA_WITH_AES_128_GCM_SHA256 to clasp-server
    with its defaults (RSA key exchange is not among them): handshake_failure."""
    def body(ctx):
        srv = ctx.clasp_server("rsa2048")
        cl = peer.client(ctx, srv.port, "1.2", suite=SUITE["TLS_RSA_WITH_AES_128_GCM_SHA256"],
                         stdin=GET)
        expect_refused(peer, cl, srv, "handshake_failure")
    return body


def neg_cc_rsa_not_enabled(peer):
    """A TLS 1.2 peer server taking only TLS_RSA_WITH_AES_128_GCM_SHA256; clasp-client with
    its defaults does not offer it: the peer refuses (handshake_failure)."""
    def body(ctx):
        suite = SUITE["TLS_RSA_WITH_AES_128_GCM_SHA256"]
        if peer.name == "openssl":
            srv = peer.server(ctx, cert="rsa2048", version="1.2", suite=suite, mode="plain")
        else:
            srv = peer.server(ctx, cert="rsa2048", version="1.2", suite=suite, debug=5)
        cl = ctx.clasp_client(srv.port)
        expect_client_failed(cl, alert_received="handshake_failure", failure="handshake failed")
        if peer.name == "openssl":
            expect_in(srv, r"no shared cipher", what="s_server's refusal")
            peer.server_done(srv, ok=False)
        else:
            expect_in(srv, r"Sending Alert\[2\|40\]", what="handshake_failure sent")
            peer.server_done(srv)
    return body


def neg_cc_dhe_not_rfc7919(peer):
    """s_server with DHE and its own group choice (an RFC 3526 prime, not RFC 7919's):
    clasp-client checks ServerDHParams against the groups it offered and refuses
    (insufficient_security, RFC 7919 3). GnuTLS's server uses the RFC 7919 group the client
    lists (RFC 7919 4), so this case is OpenSSL's."""
    if peer.name != "openssl":
        return None

    def body(ctx):
        suite = SUITE["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"]
        srv = peer.server(ctx, cert="rsa2048", version="1.2", mode="plain",
                          extra=("-cipher", suite.openssl))  # no -dhparam
        cl = ctx.clasp_client(srv.port, *clasp_suite_args(suite))
        d = expect_client_failed(cl, alert_sent="insufficient_security",
                                 failure="handshake failed")
        check("no RFC 7919 group" in d.get("detail", ""),
              "clasp-client: detail %r does not say why" % d.get("detail"))
        peer.saw_alert(srv, "insufficient_security")
        peer.server_done(srv, ok=False)
    return body


def neg_cs_dhe_no_common_group(peer):
    """gnutls-cli offering DHE only, with ffdhe4096 only, to clasp-server taking ffdhe2048:
    RFC 7919 4, "the server MUST end the connection with a fatal TLS alert of type
    insufficient_security(71)". OpenSSL 3.0's client lists no FFDHE group in TLS 1.2 (the
    server then picks its own), so this case is GnuTLS's."""
    if peer.name != "gnutls":
        return None

    def body(ctx):
        suite = SUITE["TLS_DHE_RSA_WITH_AES_128_GCM_SHA256"]
        srv = ctx.clasp_server("rsa2048", *clasp_suite_args(suite), "--groups", "ffdhe2048")
        cl = peer.client(ctx, srv.port, "1.2", suite=suite, groups=["ffdhe4096"], stdin=GET)
        expect_refused(peer, cl, srv, "insufficient_security")
    return body


def neg_cs_13_only_client(peer):
    """A TLS 1.3-only peer client against clasp-server --versions 1.2: no version in
    common. The client's supported_versions lists only TLS 1.3, and a server that reads the
    extension must not pick a version outside it (RFC 8446 4.2.1): protocol_version."""
    def body(ctx):
        srv = ctx.clasp_server("p256", "--versions", "1.2")
        cl = peer.client(ctx, srv.port, "1.3", stdin=GET)
        expect_refused(peer, cl, srv, "protocol_version")
    return body


def neg_cc_13_only_server(peer):
    """clasp-client --versions 1.2 against a TLS 1.3-only peer server: the peer refuses.
    OpenSSL: protocol_version; GnuTLS: handshake_failure (no TLS 1.3 suite offered)."""
    alert = {"openssl": "protocol_version", "gnutls": "handshake_failure"}[peer.name]

    def body(ctx):
        if peer.name == "openssl":
            srv = peer.server(ctx, mode="plain", version="1.3")
        else:
            srv = peer.server(ctx, version="1.3", debug=5)
        cl = ctx.clasp_client(srv.port, "--versions", "1.2")
        expect_client_failed(cl, alert_received=alert, failure="handshake failed")
        if peer.name == "openssl":
            expect_in(srv, r"unsupported protocol", what="s_server's refusal")
            peer.server_done(srv, ok=False)
        else:
            expect_in(srv, r"Sending Alert\[2\|%d\]" % ALERTS[alert], what="%s sent" % alert)
            peer.server_done(srv)
    return body


# ---------------------------------------------------------------------------------------
# The table
# ---------------------------------------------------------------------------------------

@dataclasses.dataclass
class Case:
    name: str
    group: str    # the CTest test it belongs to: openssl, gnutls, negative (TLS 1.3), and
                  # openssl12, gnutls12, negative12 (TLS 1.2)
    peer: str     # key of PEERS
    body: Callable
    xfail: Optional[str] = None


# Cases besides the matrix, for each peer: (clasp's role, name, make), make(peer) giving the
# body (None: not for this peer). The role and the name give the case's name: PEER/ROLE/NAME,
# or negative/PEER/ROLE/NAME. A TLS 1.2 case is a row whose name starts with 1.2/ (its CTest
# group is PEER12 or negative12).
FEATURE_CASES = [
    ("clasp-client", "1.3/client-cert-p256", lambda peer: cc_client_cert(peer, "p256")),
    ("clasp-client", "1.3/client-cert-rsa2048", lambda peer: cc_client_cert(peer, "rsa2048")),
    ("clasp-client", "1.3/client-cert-ed25519", lambda peer: cc_client_cert(peer, "ed25519")),
    ("clasp-server", "1.3/client-cert-p256", lambda peer: cs_client_cert(peer, "p256")),
    ("clasp-server", "1.3/client-cert-rsa2048", lambda peer: cs_client_cert(peer, "rsa2048")),
    ("clasp-server", "1.3/client-cert-ed25519", lambda peer: cs_client_cert(peer, "ed25519")),
    ("clasp-client", "1.3/client-cert-requested-none", cc_cert_requested_none),
    ("clasp-server", "1.3/client-cert-optional-none", cs_cert_optional_none),
    ("clasp-client", "1.3/hello-retry-request", cc_hrr),
    ("clasp-server", "1.3/hello-retry-request", cs_hrr),
    ("clasp-server", "1.3/early-data-rejected", cs_early_data_rejected),
    ("clasp-client", "1.3/alpn", cc_alpn),
    ("clasp-server", "1.3/alpn", cs_alpn),
    ("clasp-client", "1.3/data-1MiB", cc_echo),
    ("clasp-server", "1.3/data-1MiB", cs_echo),
    ("clasp-client", "1.3/key-update", cc_key_update),
    ("clasp-server", "1.3/key-update", cs_key_update),
    ("clasp-client", "1.3/close-notify", cc_close_notify),
    ("clasp-server", "1.3/close-notify", cs_close_notify),
    ("clasp-client", "1.3/ip-address-san", cc_ip_san),
    ("clasp-client", "1.3/reconnect-resumes-by-ticket", cc_reconnect13),
    ("clasp-server", "1.3/resumption-by-ticket", lambda peer: cs_resume13(peer, "sealed")),
    ("clasp-server", "1.3/resumption-by-stateful-ticket",
     lambda peer: cs_resume13(peer, "stateful")),
    ("clasp-server", "1.3/resumption-ticket-key-file", lambda peer: cs_resume13(peer, "key-file")),
    ("clasp-server", "1.3/ticket-shared-by-two-servers",
     lambda peer: ticket_two_servers(peer, "shared")),
    ("clasp-client", "1.3/new-session-tickets", cc_tickets),
    # record_size_limit: GnuTLS has it, OpenSSL 3.0 does not (not negotiated). More, for
    # both versions, in BOTH_VERSIONS.
    ("clasp-server", "1.3/record-size-limit-of-peer", cs_rsl_peer_limit),
    # TLS 1.2. Version negotiation, and the downgrade sentinel (RFC 8446 4.1.3).
    ("clasp-client", "1.2/negotiate-with-1.2-only-server",
     lambda peer: cc_negotiate12(peer, None, "1.2")),
    ("clasp-server", "1.2/negotiate-with-1.2-only-client",
     lambda peer: cs_negotiate12(peer, None, "1.2")),
    ("clasp-client", "1.2/clasp-1.2-only-vs-1.3-server",
     lambda peer: cc_negotiate12(peer, "1.2", None)),
    ("clasp-server", "1.2/clasp-1.2-only-vs-1.3-client",
     lambda peer: cs_negotiate12(peer, "1.2", None)),
    ("clasp-server", "1.2/fallback-scsv-at-max-version", cs_fallback_at_max),
    ("clasp-server", "1.2/ecdsa-curve-not-offered-takes-rsa", cs_ecdsa_curve_not_offered),
    # The issue's "done when" commands.
    ("clasp-server", "1.2/done-when-AES128-GCM-SHA256", cs_done_when("AES128-GCM-SHA256")),
    ("clasp-server", "1.2/done-when-ECDHE-ECDSA-AES128-GCM-SHA256",
     cs_done_when("ECDHE-ECDSA-AES128-GCM-SHA256")),
    ("clasp-client", "1.2/done-when-versions-1.2-reconnect", cc_done_when),
    # Resumption that cannot happen.
    ("clasp-client", "1.2/resumption-not-cached", cc_not_cached12),
    ("clasp-server", "1.2/resumption-not-cached", cs_not_cached12),
    ("clasp-server", "1.2/resumption-unknown-session", cs_unknown_session12),
    # Resumption by RFC 5077 ticket and by session ID, both directions.
    ("clasp-server", "1.2/resumption-by-ticket", lambda peer: cs_ticket12(peer, True)),
    ("clasp-server", "1.2/resumption-by-session-id", lambda peer: cs_ticket12(peer, False)),
    ("clasp-client", "1.2/reconnect-by-ticket", lambda peer: cc_ticket12(peer, True)),
    ("clasp-client", "1.2/reconnect-by-session-id", lambda peer: cc_ticket12(peer, False)),
    # Client certificates besides the matrix's (of the server's kind, with a P-256 server).
    ("clasp-client", "1.2/client-cert-rsa2048",
     lambda peer: cc_client_cert(peer, "rsa2048", "1.2")),
    ("clasp-client", "1.2/client-cert-ed25519",
     lambda peer: cc_client_cert(peer, "ed25519", "1.2")),
    ("clasp-server", "1.2/client-cert-rsa2048",
     lambda peer: cs_client_cert(peer, "rsa2048", "1.2")),
    ("clasp-server", "1.2/client-cert-ed25519",
     lambda peer: cs_client_cert(peer, "ed25519", "1.2")),
    ("clasp-client", "1.2/client-cert-requested-none",
     lambda peer: cc_cert_requested_none(peer, "1.2")),
    ("clasp-server", "1.2/client-cert-optional-none",
     lambda peer: cs_cert_optional_none(peer, "1.2")),
    ("clasp-client", "1.2/server-cert-ed25519", lambda peer: cc_server_cert12(peer, "ed25519")),
    ("clasp-server", "1.2/server-cert-ed25519", lambda peer: cs_server_cert12(peer, "ed25519")),
    ("clasp-client", "1.2/alpn", lambda peer: cc_alpn(peer, "1.2")),
    ("clasp-client", "1.2/leak-check-tls13-share-then-tls12", cc_leak_check12),
    ("clasp-server", "1.2/alpn", lambda peer: cs_alpn(peer, "1.2")),
    # --allow-no-ems: the peers of 1.2/no-ems (refused by default, NEGATIVE_CASES) accepted
    ("clasp-server", "1.2/no-ems-allowed", cs_no_ems_allowed),
    ("clasp-client", "1.2/no-ems-allowed", cc_no_ems_allowed),
]

# The opt-in groups and suites (clasp's tools are given --groups / --suites): every group in
# TLS 1.3, P-521 and X448 in TLS 1.2 ECDHE, ffdhe3072 and ffdhe4096 in TLS 1.2 DHE (ffdhe2048
# is in the TLS 1.2 matrix), TLS_AES_128_CCM_SHA256 with two certificate kinds and 1 MiB.
def handshake_cases(version, suite, group, cert):
    """Both directions of one handshake of the matrix's kind, as feature cases."""
    what = "%s/%s/%s/%s" % (version, suite, group, cert)
    kw = dict(suite=SUITE[suite], group=group, cert=cert)
    cc, cs = cc_handshake12, cs_handshake12
    if version == "1.3":
        kw["version"] = version
        cc, cs = cc_handshake, cs_handshake
    return [("clasp-client", what, functools.partial(cc, **kw)),
            ("clasp-server", what, functools.partial(cs, **kw))]


OPT_IN_CASES = [c for g in OPT_IN_GROUPS
                for c in handshake_cases("1.3", "TLS_AES_128_GCM_SHA256", g.iana, "p256")]
OPT_IN_CASES += [c for v, suite, group, cert in [
    ("1.3", "TLS_AES_128_CCM_SHA256", "x25519", "p256"),
    ("1.3", "TLS_AES_128_CCM_SHA256", "x25519", "rsa2048"),
    ("1.3", "TLS_AES_128_GCM_SHA256", "x25519", "p521"),  # ecdsa_secp521r1_sha512
    ("1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "secp521r1", "p256"),
    ("1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "x448", "p256"),
    ("1.2", "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256", "x25519", "p521"),
    ("1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "ffdhe3072", "rsa2048"),
    ("1.2", "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256", "ffdhe4096", "rsa2048"),
] for c in handshake_cases(v, suite, group, cert)]
OPT_IN_CASES += [
    ("clasp-client", "1.3/TLS_AES_128_CCM_SHA256/p256/data-1MiB",
     lambda peer: cc_echo(peer, "1.3", SUITE["TLS_AES_128_CCM_SHA256"], "p256")),
    ("clasp-server", "1.3/TLS_AES_128_CCM_SHA256/p256/data-1MiB",
     lambda peer: cs_echo(peer, SUITE["TLS_AES_128_CCM_SHA256"]))]
FEATURE_CASES += OPT_IN_CASES

# Feature cases for each version clasp speaks: (role, name, make(peer, version)).
BOTH_VERSIONS = [
    ("clasp-server", "sni-callback", cs_sni),
    ("clasp-client", "record-size-limit-of-peer", cc_rsl_peer_limit),
    ("clasp-client", "record-size-limit-of-clasp", cc_rsl_own_limit),
    ("clasp-server", "record-size-limit-of-clasp", cs_rsl_own_limit),
    ("clasp-client", "record-size-limit-not-negotiated", cc_rsl_not_negotiated),
    ("clasp-server", "record-size-limit-not-negotiated", cs_rsl_not_negotiated),
]
FEATURE_CASES += [(role, "%s/%s" % (v, name), functools.partial(make, version=v))
                  for v in CLASP_VERSIONS for role, name, make in BOTH_VERSIONS]

NEGATIVE_CASES = [
    ("clasp-client", "1.3/wrong-ca", lambda peer: neg_cc_verify(peer, "wrong-ca")),
    ("clasp-client", "1.3/wrong-host", lambda peer: neg_cc_verify(peer, "wrong-host")),
    ("clasp-client", "1.3/expired", lambda peer: neg_cc_verify(peer, "expired")),
    ("clasp-client", "1.3/key-usage-encipherment-only", neg_cc_key_usage),
    ("clasp-client", "1.3/client-cert-missing", neg_cc_cert_missing),
    ("clasp-server", "1.3/client-cert-missing", lambda peer: neg_cs_client_cert(peer, "missing")),
    ("clasp-server", "1.3/client-cert-other-ca",
     lambda peer: neg_cs_client_cert(peer, "other-ca")),
    ("clasp-server", "1.3/client-cert-expired", lambda peer: neg_cs_client_cert(peer, "expired")),
    ("clasp-server", "1.3/peer-rejects-certificate", neg_cs_peer_rejects),
    ("clasp-client", "1.3/tls1.2-only-server", neg_cc_version),
    ("clasp-server", "1.3/tls1.2-only-client", neg_cs_version),
    ("clasp-client", "1.3/truncated", neg_cc_truncated),
    ("clasp-server", "1.3/truncated", neg_cs_truncated),
    ("clasp-server", "1.3/ticket-from-other-keys",
     lambda peer: ticket_two_servers(peer, "other-keys")),
    ("clasp-server", "1.3/ticket-from-other-configuration",
     lambda peer: ticket_two_servers(peer, "other-context")),
    ("clasp-server", "1.3/sni-unknown-name-refused", neg_cs_sni_refused),
    # TLS 1.2
    ("clasp-server", "1.2/tls1.1-client", lambda peer: neg_cs_old_version(peer, "1.1")),
    ("clasp-server", "1.2/tls1.0-client", lambda peer: neg_cs_old_version(peer, "1.0")),
    ("clasp-client", "1.2/tls1.1-server", lambda peer: neg_cc_old_version(peer, "1.2")),
    ("clasp-client", "1.2/tls1.1-server-clasp-1.2+1.3",
     lambda peer: neg_cc_old_version(peer, "1.2,1.3")),
    ("clasp-server", "1.2/tls1.3-only-client", neg_cs_13_only_client),
    ("clasp-client", "1.2/tls1.3-only-server", neg_cc_13_only_server),
    ("clasp-server", "1.2/fallback-scsv", neg_cs_fallback),
    ("clasp-server", "1.2/ecdsa-curve-not-offered", neg_cs_ecdsa_curve_not_offered),
    ("clasp-server", "1.2/no-ems", neg_cs_no_ems),
    ("clasp-client", "1.2/no-ems", neg_cc_no_ems),
    ("clasp-server", "1.2/rsa-kx-not-enabled", neg_cs_rsa_not_enabled),
    ("clasp-client", "1.2/dhe-group-not-rfc7919", neg_cc_dhe_not_rfc7919),
    ("clasp-server", "1.2/dhe-no-common-ffdhe-group", neg_cs_dhe_no_common_group),
    ("clasp-client", "1.2/rsa-kx-not-enabled", neg_cc_rsa_not_enabled),
    ("clasp-client", "1.2/wrong-ca", lambda peer: neg_cc_verify(peer, "wrong-ca", "1.2")),
    ("clasp-client", "1.2/wrong-host", lambda peer: neg_cc_verify(peer, "wrong-host", "1.2")),
    ("clasp-client", "1.2/expired", lambda peer: neg_cc_verify(peer, "expired", "1.2")),
    ("clasp-client", "1.2/rsa-kx-key-usage-signature-only",
     lambda peer: neg_cc_key_usage(peer, "1.2")),
    ("clasp-client", "1.2/client-cert-missing", lambda peer: neg_cc_cert_missing(peer, "1.2")),
    ("clasp-server", "1.2/client-cert-missing",
     lambda peer: neg_cs_client_cert(peer, "missing", "1.2")),
    ("clasp-server", "1.2/client-cert-other-ca",
     lambda peer: neg_cs_client_cert(peer, "other-ca", "1.2")),
    ("clasp-server", "1.2/client-cert-expired",
     lambda peer: neg_cs_client_cert(peer, "expired", "1.2")),
    ("clasp-server", "1.2/peer-rejects-certificate", lambda peer: neg_cs_peer_rejects(peer, "1.2")),
    ("clasp-client", "1.2/truncated", lambda peer: neg_cc_truncated(peer, "1.2")),
    ("clasp-server", "1.2/truncated", lambda peer: neg_cs_truncated(peer, "1.2")),
    ("clasp-server", "1.2/sni-unknown-name-refused", lambda peer: neg_cs_sni_refused(peer, "1.2")),
]


def version_group(group, what):
    """The CTest group of a case: TLS 1.2 cases have their own (openssl12, ...)."""
    return group + "12" if what.startswith("1.2/") else group


def tls12_matrix(peer, suite):
    """A TLS 1.2 suite with each certificate kind it suits, both directions, every case a
    full handshake and a resumed one: every group (RSA key exchange has none); a client
    certificate (of the server's kind) with the first group; and 1 MiB each way once, with
    its first certificate kind (clasp as server: on the resumed connection)."""
    p, cases = peer.name, []
    groups = {"ECDHE": GROUPS_DEFAULT, "DHE": ["ffdhe2048"]}.get(suite.kx, [None])
    for cert in suite.certs:
        for group in groups:
            what = "1.2/%s/%s/%s" % (suite.iana, group or "none", cert)
            cases.append(Case("%s/clasp-client/%s" % (p, what), p + "12", p,
                              cc_handshake12(peer, suite, group, cert)))
            cases.append(Case("%s/clasp-server/%s" % (p, what), p + "12", p,
                              cs_handshake12(peer, suite, group, cert)))
        what = "1.2/%s/%s/%s/client-cert-%s" % (suite.iana, groups[0] or "none", cert, cert)
        cases.append(Case("%s/clasp-client/%s" % (p, what), p + "12", p,
                          cc_handshake12(peer, suite, groups[0], cert, client_cert=cert)))
        cases.append(Case("%s/clasp-server/%s" % (p, what), p + "12", p,
                          cs_handshake12(peer, suite, groups[0], cert, client_cert=cert)))
    cert = suite.certs[0]
    what = "1.2/%s/%s/data-1MiB" % (suite.iana, cert)
    cases.append(Case("%s/clasp-client/%s" % (p, what), p + "12", p,
                      cc_echo(peer, "1.2", suite, cert)))
    cases.append(Case("%s/clasp-server/%s" % (p, what), p + "12", p, cs_echo12(peer, suite, cert)))
    return cases


def build_cases():
    cases = []
    for peer in PEERS.values():
        p = peer.name
        # The matrix: every suite x group x server certificate, both directions.
        for suite in SUITES:
            v = suite.version
            if v not in CLASP_VERSIONS:
                continue
            if v == "1.2":
                cases += cbc_cases(peer, suite) if suite.gnutls_mac else tls12_matrix(peer, suite)
                continue
            if suite.opt_in:  # OPT_IN_CASES
                continue
            for group in GROUPS:
                for cert in CERTS:
                    if suite.certs and cert.key not in suite.certs:
                        continue
                    what = "%s/%s/%s/%s" % (v, suite.iana, group.iana, cert.key)
                    cases.append(Case("%s/clasp-client/%s" % (p, what), p, p,
                                      cc_handshake(peer, v, suite, group.iana, cert.key)))
                    cases.append(Case("%s/clasp-server/%s" % (p, what), p, p,
                                      cs_handshake(peer, v, suite, group.iana, cert.key)))
        for role, what, make in FEATURE_CASES:
            body = make(peer)
            if body:
                cases.append(Case("%s/%s/%s" % (p, role, what), version_group(p, what), p, body))
        for role, what, make in NEGATIVE_CASES:
            body = make(peer)
            if body:
                cases.append(Case("negative/%s/%s/%s" % (p, role, what),
                                  version_group("negative", what), p, body))

    for c in cases:
        for pattern, reason in EXPECTED_FAILURES.items():
            if fnmatch.fnmatchcase(c.name, pattern):
                c.xfail = reason
    return cases


# ---------------------------------------------------------------------------------------
# Running
# ---------------------------------------------------------------------------------------

class Env:
    def __init__(self, root, pki, client, server):
        self.root, self.pki, self.client, self.server = root, pki, client, server


def run_case(env, case):
    """(status, seconds, report) with status ok, FAIL, xfail, XPASS."""
    t0 = time.monotonic()
    ctx = Ctx(env, case.name)
    error = None
    try:
        case.body(ctx)
    except CaseFailure as e:
        error = str(e)
    except Exception as e:  # a bug in the driver, or a peer misbehaving badly
        error = "%s: %s" % (type(e).__name__, e)
    finally:
        sanitized = ctx.cleanup()
    if sanitized and not error:
        error = "sanitizer report from %s" % ", ".join(p.label for p in sanitized)
    report = ""
    if error or case.xfail:
        report = "\n".join(["  reason: %s" % (error or "passed")] + [p.report() for p in ctx.procs])
    secs = time.monotonic() - t0
    if case.xfail:
        return ("xfail" if error else "XPASS"), secs, report
    return ("FAIL" if error else "ok"), secs, report


def main():
    global LEAK_SUPPRESSIONS
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", help="build directory (the tools are in BUILD/tools/)")
    ap.add_argument("--group", choices=["openssl", "gnutls", "negative", "openssl12", "gnutls12",
                                        "negative12"],
                    help="run only this group (one CTest test each)")
    ap.add_argument("--only", action="append", default=[],
                    help="run only cases whose name contains SUBSTRING (may be repeated)")
    ap.add_argument("--list", action="store_true", help="list the cases and exit")
    ap.add_argument("-j", type=int, default=2, help="cases run in parallel (default 2)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory")
    args = ap.parse_args()

    cases = [c for c in build_cases()
             if (not args.group or c.group == args.group)
             and (not args.only or any(s in c.name for s in args.only))]
    if args.list:
        for c in cases:
            print(c.name + ("   [expected to fail: %s]" % c.xfail if c.xfail else ""))
        return 0
    if not cases:
        print("no case matches", file=sys.stderr)
        return 2
    if not args.build:
        ap.error("--build is required")
    client = os.path.abspath(os.path.join(args.build, "tools", "clasp-client"))
    server = os.path.abspath(os.path.join(args.build, "tools", "clasp-server"))
    for t in (client, server):
        if not os.access(t, os.X_OK):
            print("not found: %s (build the tools first)" % t, file=sys.stderr)
            return 2
    if not OpenSSLPeer.available():
        print("%s: the openssl command line is needed (the PKI is made with it)" %
              ("FAIL" if REQUIRED else "skip"))
        return 1 if REQUIRED else SKIP_STATUS
    if tools_sanitized(client) or tools_sanitized(server):
        for c in cases:
            for pattern, reason in SANITIZER_EXPECTED_FAILURES.items():
                if fnmatch.fnmatchcase(c.name, pattern):
                    c.xfail = reason + " (seen with the sanitizers only)"

    t0 = time.monotonic()
    counts = {"ok": 0, "FAIL": 0, "xfail": 0, "XPASS": 0, "skip": 0}
    runnable = []
    for c in cases:
        if PEERS[c.peer].available():
            runnable.append(c)
        elif REQUIRED:
            counts["FAIL"] += 1
            print("FAIL   %s (%s not installed, and CLASP_INTEROP_REQUIRED=1)" %
                  (c.name, PEERS[c.peer].server_label))
        else:
            counts["skip"] += 1
            print("skip   %s (%s not installed)" % (c.name, PEERS[c.peer].server_label))
    if not runnable:
        return 1 if counts["FAIL"] else SKIP_STATUS

    root = tempfile.mkdtemp(prefix="clasp-interop-")

    # Interrupted (Ctrl-C, or CTest's timeout): no new process starts, ours are ended (all in
    # our process group: one started at that very moment too), then the files go.
    if os.getpgrp() != os.getpid():
        os.setpgid(0, 0)

    def interrupted(sig, frame):
        global _stopping
        _stopping = True
        kill_our_processes()
        for _ in range(5):  # cases still starting may add a directory meanwhile
            if args.keep or not os.path.exists(root):
                break
            shutil.rmtree(root, ignore_errors=True)
            time.sleep(0.05)
        os._exit(128 + sig)
    signal.signal(signal.SIGINT, interrupted)
    signal.signal(signal.SIGTERM, interrupted)

    lock = threading.Lock()
    try:
        if KNOWN_LEAKS:
            LEAK_SUPPRESSIONS = os.path.join(root, "lsan.supp")
            with open(LEAK_SUPPRESSIONS, "w") as f:
                f.write("".join("leak:%s\n" % fn for fn in KNOWN_LEAKS))
        pki = PKI(root)
        pki.build()
        env = Env(root, pki, client, server)

        def one(case):
            status, secs, report = run_case(env, case)
            with lock:
                counts[status] += 1
                line = "%-5s  %s (%.2fs)" % (status, case.name, secs)
                if case.xfail:
                    line += "  [expected to fail: %s]" % case.xfail
                print(line)
                if status in ("FAIL", "XPASS"):
                    print(report)
                sys.stdout.flush()

        with concurrent.futures.ThreadPoolExecutor(max_workers=max(1, args.j)) as ex:
            for f in [ex.submit(one, c) for c in runnable]:
                f.result()
    finally:
        if args.keep:
            print("work directory kept: %s" % root)
        else:
            shutil.rmtree(root, ignore_errors=True)
    print("%d cases in %.1f s: %d ok, %d failed, %d expected failures, %d unexpected passes, "
          "%d skipped" % (sum(counts.values()), time.monotonic() - t0, counts["ok"],
                          counts["FAIL"], counts["xfail"], counts["XPASS"], counts["skip"]))
    if counts["FAIL"] or counts["XPASS"]:
        return 1
    return SKIP_STATUS if counts["skip"] else 0


if __name__ == "__main__":
    sys.exit(main())
