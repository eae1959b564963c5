"""How kb reads the CJK files of chardet's public test corpus (issue 14, RELIABILITY.md).

    .venv/bin/python scripts/encodings.py CHARDET_TESTS [--euc-tw FOLDER]

CHARDET_TESTS is the tests/ folder of github.com/chardet/chardet (one folder per
encoding). Every file of its Chinese, Japanese and Korean folders goes through
kb.read.decode_bytes, as kb index reads a file: a Chinese or UTF file must be read (in
an encoding of its family); a Japanese, Korean or EUC-TW file must be refused with a
reason. chardet has one EUC-TW file; --euc-tw writes more from the corpus's Big5 files,
re-encoded by the system's iconv (glibc's EUC-TW), and counts them too.

Prints one line a folder and the total of files read as garbage (decoded in an encoding
that is not theirs) or refused though kb could read them.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kb.errors import ReadError  # noqa: E402
from kb.read import decode_bytes  # noqa: E402

# folder: the encodings kb may read it as (empty: it must be refused)
READABLE = {
    "Big5": {"big5"}, "GB2312": {"gb18030"},
    "utf-8": {"utf-8"}, "utf-8-sig": {"utf-8-sig"}, "UTF-16": {"utf-16"},
    "UTF-16BE": {"utf-16", "utf-16-be"}, "UTF-16LE": {"utf-16", "utf-16-le"},
    "UTF-32": {"utf-32"}, "UTF-32BE": {"utf-32"}, "UTF-32LE": {"utf-32"},
}
REFUSED = ("SHIFT_JIS", "CP932", "EUC-JP", "iso-2022-jp", "EUC-KR", "CP949", "Johab", "iso-2022-kr", "EUC-TW")


def euc_tw_copies(tests: Path, out: Path) -> Path:
    """The Big5 files of the corpus in EUC-TW, as glibc's iconv writes them (a file with a
    character EUC-TW lacks is left out)."""
    out.mkdir(parents=True, exist_ok=True)
    for f in sorted((tests / "Big5").iterdir()):
        text = subprocess.run(["iconv", "-f", "BIG5", "-t", "UTF-8"], input=f.read_bytes(), capture_output=True)
        if text.returncode:
            continue
        tw = subprocess.run(["iconv", "-f", "UTF-8", "-t", "EUC-TW"], input=text.stdout, capture_output=True)
        if tw.returncode == 0:
            (out / f"{f.stem}.euc-tw.txt").write_bytes(tw.stdout)
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("tests", type=Path, help="chardet's tests/ folder")
    ap.add_argument("--euc-tw", type=Path, help="write EUC-TW copies of the Big5 files here and count them too")
    args = ap.parse_args()
    folders = [(name, args.tests / name) for name in list(READABLE) + list(REFUSED) if (args.tests / name).is_dir()]
    if args.euc_tw:
        folders.append(("EUC-TW (iconv'd from Big5)", euc_tw_copies(args.tests, args.euc_tw)))
    garbage = wrongly_refused = total = 0
    for name, folder in folders:
        files = sorted(p for p in folder.iterdir() if p.is_file())
        allowed = READABLE.get(name, set())
        read = refused = bad = 0
        reasons: dict[str, int] = {}
        for f in files:
            try:
                _, enc = decode_bytes(f.read_bytes(), name=f.name)
            except ReadError as exc:
                refused += 1
                reason = str(exc).split(": ", 1)[1].split(";")[0]
                reasons[reason] = reasons.get(reason, 0) + 1
                continue
            if enc in allowed:
                read += 1
            else:
                bad += 1
                reasons[f"read as {enc}"] = reasons.get(f"read as {enc}", 0) + 1
        total += len(files)
        garbage += bad
        if allowed:
            wrongly_refused += refused
        print(f"{name}: {len(files)} files, {read} read right, {refused} refused, {bad} read as garbage"
              + (f" ({'; '.join(f'{k}: {v}' for k, v in sorted(reasons.items()))})" if reasons else ""))
    print(f"\n{total} files: {garbage} read as garbage, {wrongly_refused} readable ones refused")


if __name__ == "__main__":
    main()
