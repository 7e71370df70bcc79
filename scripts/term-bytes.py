#!/usr/bin/env python3
"""Where the bytes a program wrote to its terminal went: the escape sequences by kind, and the bytes by screen row
(rows found from cursor positioning, CSI row;col H). For the dumps `clawtop-bench` writes with BENCH_DUMP=PREFIX.

Usage: scripts/term-bytes.py FILE [--text]     (--text: the printable text written to each row, in order)
"""
import re
import sys
from collections import Counter, defaultdict

CSI = re.compile(rb"\x1b\[([0-9;?]*)([@-~])")


def main():
    if len(sys.argv) < 2:
        print(__doc__.strip(), file=sys.stderr)
        return 64
    data = open(sys.argv[1], "rb").read()
    kinds, rows, text = Counter(), Counter(), defaultdict(bytearray)
    row, i = 0, 0
    while i < len(data):
        m = CSI.match(data, i)
        if m:
            params, final = m.group(1), m.group(2)
            kinds[b"CSI " + final] += len(m.group(0))
            if final == b"H":
                row = int(params.split(b";")[0] or b"1") - 1
            elif final in (b"A", b"B"):
                n = int(params or b"1")
                row += -n if final == b"A" else n
            rows[row] += len(m.group(0))
            i = m.end()
            continue
        if data[i] == 0x1B:
            kinds[b"other escape"] += 2
            rows[row] += 2
            i += 2
            continue
        if data[i] == 0x0A:
            row += 1
        kinds[b"text"] += 1
        rows[row] += 1
        text[row].append(data[i])
        i += 1
    print(f"{len(data)} bytes")
    for kind, n in kinds.most_common():
        print(f"  {kind.decode():14} {n}")
    print("by row:")
    for r in sorted(rows):
        line = f"  {r:3} {rows[r]:6}"
        if "--text" in sys.argv:
            line += "  " + text[r].decode("utf-8", "replace")[:120].replace("\r", "")
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
