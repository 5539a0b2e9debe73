#!/usr/bin/env python3
"""Extracts the traces of RFC 8448 into clasp vector files, one per section.

Each "{client}/{server} <action>:" step with its "<field> (N octets): <hex>" values becomes
lines "<role>.<action>.<field> = <hex>". Every value is checked against the octet count the
RFC states. Run from anywhere:  extract_rfc8448.py ../shared/rfc/rfc8448.txt tests/vectors
The output files are committed; CI does not run this script.
"""
import re
import sys
from pathlib import Path

SECTIONS = {"3": "simple", "4": "resumed_0rtt", "5": "hrr", "6": "client_auth",
            "7": "compat"}
PAGE_JUNK = re.compile(r"^(Thomson\s+Informational|RFC 8448\s+TLS 1.3 Traces)|\f")
SECTION = re.compile(r"^(\d)\.\s+\S")
ACTION = re.compile(r"^   \{(client|server)\}\s+(.*)$")
FIELD = re.compile(r"^      (\S[^(]*?)\s+\((\d+) octets?\):\s*(.*)$")
HEXLINE = re.compile(r"^\s+((?:[0-9a-f]{2}\s*)+)$")


def slug(text):
    text = re.sub(r"\(same as.*", "", text)
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def parse(lines):
    out = {}  # section -> list of (key, bytes)
    section = role = action = None
    field = None  # [key, declared_len, hex]

    def flush():
        nonlocal field
        if field:
            key, n, hexs = field
            data = bytes.fromhex(hexs)
            if len(data) != n:
                sys.exit(f"{key}: {len(data)} octets, RFC says {n}")
            keys = [k for k, _ in out[section]]
            base, i = key, 2
            while key in keys:
                key, i = f"{base}#{i}", i + 1
            out[section].append((key, data))
        field = None

    for raw in lines:
        line = raw.rstrip("\n")
        if PAGE_JUNK.search(line) or not line.strip():
            continue  # page breaks and blank lines may fall inside a value
        m = SECTION.match(line)
        if m:
            flush()
            section = SECTIONS.get(m.group(1))
            if section:
                out.setdefault(section, [])
            action = None
            continue
        if section is None:
            continue
        m = ACTION.match(line)
        if m:
            flush()
            role, action = m.group(1), slug(m.group(2))
            continue
        m = FIELD.match(line)
        if m and action:
            flush()
            value = "" if m.group(3) == "(empty)" else m.group(3)
            field = [f"{role}.{action}.{slug(m.group(1))}", int(m.group(2)), value]
            continue
        m = HEXLINE.match(line)
        if m and field:
            field[2] += " " + m.group(1)
            continue
        flush()
    flush()
    return out


def main():
    rfc, dest = Path(sys.argv[1]), Path(sys.argv[2])
    for section, entries in parse(rfc.read_text().splitlines(True)).items():
        with open(dest / f"rfc8448_{section}.txt", "w") as f:
            f.write(f"# RFC 8448 ({section}), extracted by extract_rfc8448.py; do not edit.\n")
            for key, data in entries:
                hexs = data.hex()
                f.write(f"{key} =")
                for i in range(0, len(hexs), 64):
                    f.write(("\n    " if i else " ") + hexs[i:i + 64])
                f.write("\n")
        print(f"{section}: {len(entries)} values")


if __name__ == "__main__":
    main()
