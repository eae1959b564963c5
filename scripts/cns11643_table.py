"""Write kb/data/cns11643_plane1.txt, the table kb reads EUC-TW bytes with to recognise them.

    .venv/bin/python scripts/cns11643_table.py

The system's iconv (glibc) knows EUC-TW and Python does not: every character from U+00A0
up is given to `iconv -t EUC-TW`, one a line, and those it writes in two bytes (CNS 11643
plane 1: the 5,401 common hanzi and the symbols) are kept, one line a lead byte.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

OUT = Path(__file__).resolve().parent.parent / "kb" / "data" / "cns11643_plane1.txt"


def main() -> None:
    chars = [chr(c) for c in range(0xA0, 0x30000) if not 0xD800 <= c < 0xF900]  # no surrogates, no private use
    out = subprocess.run(["iconv", "-c", "-f", "UTF-8", "-t", "EUC-TW"], input="\n".join(chars).encode(),
                         capture_output=True, check=False).stdout.split(b"\n")
    assert len(out) == len(chars), "iconv dropped a line"
    cells: dict[tuple[int, int], str] = {}
    for ch, code in zip(chars, out):
        if len(code) == 2:
            cells.setdefault((code[0], code[1]), ch)
    version = subprocess.run(["ldd", "--version"], capture_output=True, text=True).stdout.splitlines()[0]
    lines = [
        "# CNS 11643 plane 1 (EUC-TW's two-byte characters) as the system's iconv maps them: "
        f"{version}; written by scripts/cns11643_table.py.",
        "# One line a lead byte: its hex, a space, then the 94 characters of trail bytes A1..FE "
        "(U+FFFD where the standard assigns none).",
    ]
    for lead in sorted({lead for lead, _ in cells}):
        lines.append(f"{lead:02X} " + "".join(cells.get((lead, t), "\ufffd") for t in range(0xA1, 0xFF)))
    OUT.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print(f"{OUT}: {len(cells)} characters in {len(lines) - 2} rows")


if __name__ == "__main__":
    main()
