# -*- coding: utf-8 -*-
"""Check the newdocs6 (nd6) blind set against its own documents.

Run: /work/main/.venv/bin/python check.py
"""
import json, os, re, sys
from opencc import OpenCC

HERE = os.path.dirname(os.path.abspath(__file__))
DOCS = os.path.join(HERE, "docs")
cc = OpenCC("t2s")
CJK = re.compile(r"[\u3400-\u9fff]")


def norm(s):
    return re.sub(r"\s+", "", cc.convert(s))


def extract(path):
    ext = os.path.splitext(path)[1].lower()
    if ext == ".docx":
        from docx import Document
        d = Document(path)
        parts = [p.text for p in d.paragraphs]
        for t in d.tables:
            for row in t.rows:
                for c in row.cells:
                    parts.append(c.text)
        return "\n".join(parts)
    if ext == ".pptx":
        from pptx import Presentation
        parts = []
        for s in Presentation(path).slides:
            for sh in s.shapes:
                if sh.has_text_frame:
                    parts.append(sh.text_frame.text)
                if getattr(sh, "has_table", False) and sh.has_table:
                    for row in sh.table.rows:
                        for c in row.cells:
                            parts.append(c.text)
        return "\n".join(parts)
    if ext == ".pdf":
        from pdfminer.high_level import extract_text
        return extract_text(path)
    if ext in (".html", ".htm"):
        from bs4 import BeautifulSoup
        with open(path, encoding="utf-8") as f:
            return BeautifulSoup(f.read(), "lxml").get_text("\n")
    if ext == ".txt":
        with open(path, "rb") as f:
            return f.read().decode("cp950")
    if ext == ".md":
        with open(path, encoding="utf-8") as f:
            return f.read()
    raise ValueError(path)


def load(name):
    with open(os.path.join(HERE, name), encoding="utf-8") as f:
        return [json.loads(l) for l in f if l.strip()]


# topic words of each unanswerable question: none may occur in any document
UNANSWERABLE_TOPICS = {
    "n6q-21": ["发票", "专票", "开票", "税号"],
    "n6q-22": ["公积金", "住房补贴"],
    "n6q-23": ["猫", "狗", "宠物"],
    "n6q-24": ["年会", "抽奖", "尾牙"],
    "n6q-25": ["员工旅游", "旅游", "补助"],
}


def pairs(s):
    s = norm(s)
    out = []
    for run in re.findall(r"[\u3400-\u9fff]+", s):
        out += [run[i:i + 2] for i in range(len(run) - 1)]
    return out


def main():
    docs = {}
    for fn in sorted(os.listdir(DOCS)):
        raw = extract(os.path.join(DOCS, fn))
        docs[fn] = norm(raw)
        print("%-40s %5d Chinese characters" % (fn, len(CJK.findall(raw))))
    if "--stats" in sys.argv:
        return
    if "--dump" in sys.argv:
        for fn, t in docs.items():
            print("=====", fn)
            print(t)
        return
    allt = "".join(docs.values())
    bad = 0

    search = load("search.jsonl")
    shares = []
    for q in search:
        for k in q["relevant"]:
            kk = norm(k["key"])
            where = [fn for fn, t in docs.items() if kk in t]
            n = len(k["key"])
            if len(where) != 1 or not (5 <= n <= 20):
                bad += 1
                print("SEARCH KEY FAIL", q["id"], k["key"], len(k["key"]), where)
        ps = pairs(q["query"])
        share = (sum(p in allt for p in ps) / len(ps)) if ps else 0.0
        shares.append(share)
        if "-v" in sys.argv:
            print("  %s %.2f %s" % (q["id"], share, [p for p in ps if p in allt]))
    mean = sum(shares) / len(shares)
    per = {}
    for q in search:
        per[q["persona"]] = per.get(q["persona"], 0) + 1
    print("search: %d queries %s; keys checked; mean pair share found in documents = %.3f"
          % (len(search), per, mean))
    if mean >= 0.35:
        bad += 1
        print("PAIR SHARE TOO HIGH")

    qa = load("qa.jsonl")
    na = 0
    for q in qa:
        if q["answerable"]:
            hits = {}
            for p in q["expect"]:
                pp = norm(p)
                where = [fn for fn, t in docs.items() if pp in t]
                hits[p] = where
                if not (2 <= len(p) <= 10):
                    bad += 1
                    print("QA POINT LENGTH", q["id"], p)
                if not where:
                    bad += 1
                    print("QA POINT FAIL", q["id"], p)
            docsets = set.intersection(*[set(v) for v in hits.values()]) if hits else set()
            if not docsets:
                bad += 1
                print("QA POINTS NOT IN ONE DOCUMENT", q["id"], hits)
        else:
            na += 1
            if q["expect"]:
                bad += 1
                print("UNANSWERABLE WITH EXPECT", q["id"])
            words = UNANSWERABLE_TOPICS.get(q["id"])
            if not words:
                bad += 1
                print("NO TOPIC WORDS FOR", q["id"])
                continue
            for w in words:
                where = [fn for fn, t in docs.items() if norm(w) in t]
                if where:
                    bad += 1
                    print("UNANSWERABLE TOPIC FOUND", q["id"], w, where)
    print("qa: %d questions, %d answerable, %d unanswerable" % (len(qa), len(qa) - na, na))
    print("RESULT:", "PASS" if bad == 0 else "FAIL (%d problems)" % bad)
    return bad


if __name__ == "__main__":
    sys.exit(1 if main() else 0)
