# -*- coding: utf-8 -*-
"""Self-check of the newdocs2 evaluation set.

Run:  /work/main/.venv/bin/python check.py
Extracts each document's text independently of the tool under test, converts
it to Simplified (OpenCC t2s), removes white space, then checks:
  * every search key occurs in exactly one document;
  * every answerable QA point occurs in the document(s);
  * every unanswerable question's topic words occur in no document;
and prints the mean share of a query's Chinese character pairs found anywhere
in the documents.
"""
import json
import os
import re
import sys

from opencc import OpenCC

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "docs")
cc = OpenCC("t2s")
WS = re.compile(r"\s+")
HAN = re.compile(r"[\u4e00-\u9fff]")


def norm(s):
    return WS.sub("", cc.convert(s))


def text_docx(p):
    import docx
    d = docx.Document(p)
    parts = [para.text for para in d.paragraphs]
    for t in d.tables:
        for row in t.rows:
            for c in row.cells:
                parts.append(c.text)
    return "\n".join(parts)


def text_pptx(p):
    from pptx import Presentation
    parts = []
    for slide in Presentation(p).slides:
        for sh in slide.shapes:
            if sh.has_text_frame:
                parts.append(sh.text_frame.text)
            if getattr(sh, "has_table", False) and sh.has_table:
                for row in sh.table.rows:
                    for c in row.cells:
                        parts.append(c.text)
    return "\n".join(parts)


def text_pdf(p):
    from pdfminer.high_level import extract_text
    return extract_text(p)


def text_html(p):
    from bs4 import BeautifulSoup
    with open(p, encoding="utf-8") as f:
        soup = BeautifulSoup(f.read(), "html.parser")
    for t in soup(["script", "style"]):
        t.decompose()
    return soup.get_text("\n")


def text_txt(p):
    with open(p, "rb") as f:
        return f.read().decode("gb18030")


def text_md(p):
    with open(p, encoding="utf-8") as f:
        return f.read()


READERS = {".docx": text_docx, ".pptx": text_pptx, ".pdf": text_pdf,
           ".html": text_html, ".txt": text_txt, ".md": text_md}


def load_docs():
    out = {}
    for name in sorted(os.listdir(DOCS)):
        ext = os.path.splitext(name)[1].lower()
        if ext in READERS:
            raw = READERS[ext](os.path.join(DOCS, name))
            out[name] = (raw, norm(raw))
    return out


def load_jsonl(name):
    rows = []
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        for ln in f:
            if ln.strip():
                rows.append(json.loads(ln))
    return rows


# Topic words of the unanswerable questions: none may occur in any document
# (checked in Simplified after t2s; the Traditional forms are converted too).
UNANSWERABLE_TOPICS = {
    "n2q-21": ["电动车", "充电补贴", "電動車"],
    "n2q-22": ["改地址", "改派", "更改地址"],
    "n2q-23": ["无人机", "試辦", "试点"],
    "n2q-24": ["打印机", "卡纸", "印表機卡紙"],
    "n2q-25": ["试用期", "转正", "試用期"],
}


def bigrams(s):
    s = "".join(HAN.findall(cc.convert(s)))
    return [s[i:i + 2] for i in range(len(s) - 1)]


def main():
    docs = load_docs()
    ok = True
    print("== documents ==")
    for name, (raw, n) in docs.items():
        print("  %-28s  Chinese characters: %5d" % (name, len(HAN.findall(raw))))
    if not os.path.exists(os.path.join(HERE, "search.jsonl")):
        return 0

    search = load_jsonl("search.jsonl")
    qa = load_jsonl("qa.jsonl")
    alltext = "".join(n for _, n in docs.values())

    print("== search keys ==")
    ids = set()
    per_doc = {}
    personas = {}
    for q in search:
        assert q["id"] not in ids, q["id"]
        ids.add(q["id"])
        personas[q["persona"]] = personas.get(q["persona"], 0) + 1
        if not 1 <= len(q["relevant"]) <= 3:
            ok = False
            print("  BAD key count", q["id"])
        for r in q["relevant"]:
            k = norm(r["key"])
            if not 5 <= len(r["key"]) <= 20:
                ok = False
                print("  BAD key length", q["id"], r["key"])
            hits = [name for name, (_, n) in docs.items() if k in n]
            if len(hits) != 1:
                ok = False
                print("  FAIL", q["id"], r["key"], "found in", hits)
            else:
                per_doc[hits[0]] = per_doc.get(hits[0], 0) + 1
    print("  queries:", len(search), " personas:", personas)
    print("  keys per document:", per_doc)

    print("== qa points ==")
    n_ans = n_un = 0
    for q in qa:
        if q["answerable"]:
            n_ans += 1
            if not 1 <= len(q["expect"]) <= 5:
                ok = False
                print("  BAD point count", q["id"])
            for p in q["expect"]:
                if not 2 <= len(p) <= 10:
                    ok = False
                    print("  BAD point length", q["id"], p)
                if norm(p) not in alltext:
                    ok = False
                    print("  FAIL", q["id"], p, "not found")
            together = [name for name, (_, n) in docs.items()
                        if all(norm(p) in n for p in q["expect"])]
            if not together:
                ok = False
                print("  FAIL", q["id"], "points not all in one document")
        else:
            n_un += 1
            words = UNANSWERABLE_TOPICS.get(q["id"])
            if not words or q["expect"]:
                ok = False
                print("  BAD unanswerable entry", q["id"])
                continue
            for w in words:
                hits = [name for name, (_, n) in docs.items() if norm(w) in n]
                if hits:
                    ok = False
                    print("  FAIL", q["id"], "topic word", w, "found in", hits)
    print("  answerable:", n_ans, " unanswerable:", n_un)

    print("== query wording ==")
    shares = []
    for q in search:
        bg = bigrams(q["query"])
        if bg:
            shares.append(sum(1 for b in bg if b in alltext) / len(bg))
    mean = sum(shares) / len(shares)
    trad = sum(1 for q in search if cc.convert(q["query"]) != q["query"])
    print("  mean share of query character pairs found in documents: %.3f" % mean)
    print("  queries changed by t2s (Traditional script): %d of %d" % (trad, len(search)))
    qshares = []
    for q in qa:
        bg = bigrams(q["question"])
        if bg:
            qshares.append(sum(1 for b in bg if b in alltext) / len(bg))
    print("  (QA questions, same measure: %.3f)" % (sum(qshares) / len(qshares)))
    if "-v" in sys.argv:
        for q, s in zip(search, shares):
            print("   %.2f %s %s" % (s, q["id"], q["query"]))

    print("RESULT:", "PASS" if ok else "FAIL")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
