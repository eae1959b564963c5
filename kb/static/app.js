// kb's staff page: search as you type, ask, open a passage in context, copy clean text.
// Document and query text only ever reach the page through textContent and text nodes,
// never through an HTML parser, so markup in a document is shown as text. The server adds a
// Content-Security-Policy that forbids inline script as a second line of defence.
"use strict";

(() => {
  const MARK_OPEN = "\u00ab";  // « and » mark query words in a highlight (kb/search.py)
  const MARK_CLOSE = "\u00bb";
  const DEBOUNCE_MS = 200;

  const LABELS = {
    hans: {
      title: "培训资料检索", box: "搜索或提问", search: "搜索", ask: "提问", mode: "模式",
      mSearch: "搜索", mAsk: "提问", mOutline: "课程大纲", script: "显示文字", sOriginal: "原文",
      original: "按原文显示;提问的回答用提问的文字", doc: "文档", kind: "类型",
      allDocs: "全部文档", allKinds: "全部类型", close: "关闭", copy: "复制", copied: "已复制",
      copyFailed: "复制失败", results: (n) => `${n} 条结果`, none: "没有找到相关段落。",
      searching: "搜索中…", asking: "正在查找答案…", loading: "载入中…",
      didYouMean: "您是不是要找:", searchedInstead: (q) => `已改为搜索「${q}」(纠正错别字)。`,
      sources: "来源", confidence: "可信度", notCovered: "资料未涉及", nearest: "最接近的章节",
      noNearest: "没有相近的章节。", open: "查看上下文", error: "出错:", skip: "跳到结果",
      emptyAsk: "输入问题后按 Enter。", outlineHint: "在搜索框中输入文字可筛选大纲。",
      noHeading: (q) => `没有标题包含「${q}」,显示全部大纲。`, noOutline: "这份文档没有识别出章节标题。",
      keys: "/ 搜索框 · Enter 搜索 · ↓↑ 结果之间 · Esc 关闭", lines: "行", before: "上一段",
      after: "下一段", here: "本段", alsoIn: "同样内容也在",
      repaired: "此文档被同义词软件改写过，这里显示还原后的文字", asWritten: "看原文", showRepaired: "看还原",
      more: "更多结果", shown: (n) => `已显示 ${n} 条结果`, noMore: "没有更多结果了。",
      library: (d, p) => `已收录 ${d} 份文档、${p} 段。`, tryThese: "可以试试:",
      helped: "有帮助", notThis: "不是这个", markResult: "这条结果", markAnswer: "这个回答",
      marked: "已记下,谢谢。",
      kinds: { steps: "步骤", script: "话术", technique: "技巧", case: "案例", outline: "大纲", text: "正文" },
    },
    hant: {
      title: "培訓資料檢索", box: "搜尋或提問", search: "搜尋", ask: "提問", mode: "模式",
      mSearch: "搜尋", mAsk: "提問", mOutline: "課程大綱", script: "顯示文字", sOriginal: "原文",
      original: "按原文顯示;提問的回答用提問的文字", doc: "文件", kind: "類型",
      allDocs: "全部文件", allKinds: "全部類型", close: "關閉", copy: "複製", copied: "已複製",
      copyFailed: "複製失敗", results: (n) => `${n} 條結果`, none: "沒有找到相關段落。",
      searching: "搜尋中…", asking: "正在查找答案…", loading: "載入中…",
      didYouMean: "您是不是要找:", searchedInstead: (q) => `已改為搜尋「${q}」(糾正錯別字)。`,
      sources: "來源", confidence: "可信度", notCovered: "資料未涉及", nearest: "最接近的章節",
      noNearest: "沒有相近的章節。", open: "查看上下文", error: "出錯:", skip: "跳到結果",
      emptyAsk: "輸入問題後按 Enter。", outlineHint: "在搜尋框中輸入文字可篩選大綱。",
      noHeading: (q) => `沒有標題包含「${q}」,顯示全部大綱。`, noOutline: "這份文件沒有識別出章節標題。",
      keys: "/ 搜尋框 · Enter 搜尋 · ↓↑ 結果之間 · Esc 關閉", lines: "行", before: "上一段",
      after: "下一段", here: "本段", alsoIn: "同樣內容也在",
      repaired: "此文件被同義詞軟體改寫過，這裡顯示還原後的文字", asWritten: "看原文", showRepaired: "看還原",
      more: "更多結果", shown: (n) => `已顯示 ${n} 條結果`, noMore: "沒有更多結果了。",
      library: (d, p) => `已收錄 ${d} 份文件、${p} 段。`, tryThese: "可以試試:",
      helped: "有幫助", notThis: "不是這個", markResult: "這條結果", markAnswer: "這個回答",
      marked: "已記下,謝謝。",
      kinds: { steps: "步驟", script: "話術", technique: "技巧", case: "案例", outline: "大綱", text: "正文" },
    },
  };

  const $ = (sel) => document.querySelector(sel);
  const box = $("#q");
  const form = $("#form");
  const statusLine = $("#status");
  const results = $("#results");
  const answerBox = $("#answer");
  const welcome = $("#welcome");
  const moreButton = $("#more");
  const outlineBox = $("#outline");
  const docSelect = $("#doc");
  const kindSelect = $("#kind");
  const dialog = $("#context");

  const state = {
    mode: "search",
    script: "original",
    seq: 0,          // the latest request; older answers are dropped
    timer: 0,
    outline: null,   // cached outline rows for the current script
    opener: null,    // what had focus before the context dialog opened
    examples: [],    // example questions read off the corpus (/api/documents?extra=1)
    paged: null,     // the search shown: its parameters and how many results are on the page
  };

  // --- small helpers -------------------------------------------------------------

  const labels = () => LABELS[state.script === "hant" ? "hant" : "hans"];

  function el(tag, attrs, ...children) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) {
      if (v === undefined || v === null || v === false) continue;
      if (k === "class") node.className = v;
      else if (k === "text") node.textContent = v;
      else if (k.startsWith("on")) node.addEventListener(k.slice(2), v);
      else if (k === "dataset") Object.assign(node.dataset, v);
      else node.setAttribute(k, v === true ? "" : String(v));
    }
    for (const child of children.flat(Infinity)) {
      if (child === null || child === undefined || child === false) continue;
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
    return node;
  }

  // A highlight with «marks» as text nodes and <mark> elements: no HTML is ever parsed.
  function marked(text) {
    const frag = document.createDocumentFragment();
    let inside = false;
    let buf = "";
    const flush = () => {
      if (!buf) return;
      frag.append(inside ? el("mark", { text: buf }) : document.createTextNode(buf));
      buf = "";
    };
    for (const ch of text) {
      if (ch === MARK_OPEN && !inside) { flush(); inside = true; }
      else if (ch === MARK_CLOSE && inside) { flush(); inside = false; }
      else buf += ch;
    }
    flush();
    return frag;
  }

  const span = (from, to) => (from === to ? `${from}` : `${from}-${to}`);
  // As Passage.ref: file:lines, and where that is in a Word/PowerPoint/PDF file's own terms.
  const ref = (row) => `${row.doc}:${span(row.line_start, row.line_end)}${row.location ? ` (${row.location})` : ""}`;
  const crumbs = (section) => el("div", { class: "crumbs" },
    section.map((part, i) => [i ? el("span", { class: "sep", "aria-hidden": "true", text: " › " }) : null,
      el("span", { text: part })]));

  function setStatus(text, kind) {
    statusLine.textContent = text || "";
    statusLine.className = kind || "";
  }

  class ApiError extends Error {
    constructor(message, status) { super(message); this.status = status; }
  }

  // channel: a newer request on the same channel cancels the older one (the results list
  // and the context dialog each have their own).
  const controllers = {};
  async function api(path, params, channel = "view") {
    const url = new URL(path, location.origin);
    for (const [k, v] of Object.entries(params || {})) {
      if (v !== "" && v !== null && v !== undefined) url.searchParams.set(k, v);
    }
    if (controllers[channel]) controllers[channel].abort();
    const controller = new AbortController();
    controllers[channel] = controller;
    const res = await fetch(url, { signal: controller.signal, headers: { accept: "application/json" } });
    let body = null;
    try { body = await res.json(); } catch (_) { body = null; }
    if (!res.ok) throw new ApiError((body && body.error) || res.statusText, res.status);
    return body;
  }

  // One request at a time per view: a later keystroke wins, earlier answers are dropped.
  async function latest(fetcher, render) {
    const seq = ++state.seq;
    try {
      const body = await fetcher();
      if (seq === state.seq) render(body);
    } catch (err) {
      if (err.name === "AbortError" || seq !== state.seq) return;
      setStatus(`${labels().error} ${err.message}`, "error");
    }
  }

  // --- copying -------------------------------------------------------------------

  async function copyText(text, button) {
    let ok = true;
    try {
      await navigator.clipboard.writeText(text);
    } catch (_) {
      // Plain http on a LAN address is not a secure context: fall back to a selection.
      const area = el("textarea", { class: "offscreen", readonly: true });
      area.value = text;
      document.body.append(area);
      area.select();
      try { ok = document.execCommand("copy"); } catch (__) { ok = false; }
      area.remove();
    }
    const L = labels();
    if (button) {
      button.textContent = ok ? `${L.copied} ✓` : L.copyFailed;
      button.classList.toggle("done", ok);
      setTimeout(() => { button.textContent = L.copy; button.classList.remove("done"); }, 1500);
    }
    setStatus(ok ? L.copied : L.copyFailed, ok ? "" : "error");
  }

  // The clean text in the chosen script: no marks, no breadcrumb.
  const copyButton = (text, what) => el("button", {
    type: "button", class: "copy", text: labels().copy, "aria-label": `${labels().copy} ${what || ""}`.trim(),
    onclick: (e) => copyText(text, e.currentTarget),
  });

  // --- feedback marks ------------------------------------------------------------

  // "this helped" / "not this", kept beside the index for a trainer (`kb feedback`).
  function markButtons(payload, what) {
    const L = labels();
    const group = el("span", { class: "marks", role: "group", "aria-label": what });
    const button = (mark, text) => el("button", {
      type: "button", class: `mark mark-${mark}`, text, "aria-pressed": "false", dataset: { mark },
      onclick: async (e) => {
        const me = e.currentTarget;
        try {
          const res = await fetch("/api/feedback", {
            method: "POST", headers: { "content-type": "application/json", accept: "application/json" },
            body: JSON.stringify({ ...payload, mark }),
          });
          let body = null;
          try { body = await res.json(); } catch (_) { body = null; }
          if (!res.ok) throw new ApiError((body && body.error) || res.statusText, res.status);
          for (const b of group.querySelectorAll("button")) b.setAttribute("aria-pressed", String(b === me));
          setStatus(labels().marked);
        } catch (err) {
          setStatus(`${labels().error} ${err.message}`, "error");
        }
      },
    });
    group.append(button("helped", L.helped), button("not", L.notThis));
    return group;
  }

  // --- the empty page -------------------------------------------------------------

  function showWelcome() {
    const L = labels();
    const passages = documents.reduce((n, d) => n + (d.passages || 0), 0);
    welcome.replaceChildren(
      documents.length ? el("p", { class: "library", text: L.library(documents.length, passages) }) : null,
      state.examples.length ? el("p", { class: "examples" }, el("span", { text: L.tryThese }), " ",
        state.examples.map((x) => el("button", {
          type: "button", class: "example", text: x,
          onclick: () => { box.value = x; run(); },
        }))) : null);
    welcome.hidden = !welcome.childNodes.length;
  }

  // --- search --------------------------------------------------------------------

  const PAGE = 10;

  function runSearch() {
    const q = box.value.trim();
    syncUrl();
    state.paged = null;
    moreButton.hidden = true;
    if (!q) { state.seq++; results.replaceChildren(); setStatus(""); showWelcome(); return; }
    setStatus(labels().searching, "busy");
    const params = { q, doc: docSelect.value, kind: kindSelect.value, script: state.script, extra: 1, limit: PAGE };
    latest(() => api("/api/search", params), (body) => renderHits(body, params));
  }

  function renderHits(body, params) {
    const L = labels();
    answerBox.hidden = true;
    welcome.hidden = true;
    results.hidden = false;
    state.paged = { params, query: body.query, count: body.results.length };  // before hitItem reads it
    results.replaceChildren(...body.results.map(hitItem));
    moreButton.hidden = !body.more;
    const notes = [];
    if (body.searched && body.searched !== body.query) notes.push(L.searchedInstead(body.searched));
    setStatus(body.results.length ? L.results(body.results.length) : L.none);
    if (notes.length) statusLine.append(" ", notes.join(" "));
    if (body.suggestion) {
      statusLine.append(" ", L.didYouMean, " ", el("button", {
        type: "button", class: "linkish", text: body.suggestion,
        onclick: () => { box.value = body.suggestion; run(); box.focus(); },
      }));
    }
  }

  // The next results of the search shown, added below the ones on the page.
  async function loadMore() {
    const paged = state.paged;
    if (!paged) return;
    const seq = state.seq;  // a new search meanwhile drops this page
    const L = labels();
    moreButton.disabled = true;
    try {
      const body = await api("/api/search", { ...paged.params, offset: paged.count }, "more");
      if (seq !== state.seq || paged !== state.paged) return;
      const items = body.results.map(hitItem);
      results.append(...items);
      paged.count += body.results.length;
      moreButton.hidden = !body.more;
      setStatus(body.more ? L.shown(paged.count) : `${L.shown(paged.count)} ${L.noMore}`);
      const next = items.length && items[0].querySelector(".ref");
      if (next) next.focus();
    } catch (err) {
      if (err.name !== "AbortError") setStatus(`${L.error} ${err.message}`, "error");
    } finally {
      moreButton.disabled = false;
    }
  }
  moreButton.addEventListener("click", loadMore);

  function hitItem(h) {
    const L = labels();
    const query = state.paged ? state.paged.query : box.value.trim();
    return el("li", { class: "hit", dataset: { id: h.id, kind: h.kind } },
      crumbs(h.shown.section),
      el("p", { class: "snippet" }, marked(h.highlight)),
      ...((h.also_in || []).length ? [el("p", { class: "also", text: `${L.alsoIn}: ${h.also_in.join(", ")}` })] : []),
      el("div", { class: "meta" },
        el("button", {
          type: "button", class: "ref", title: L.open, text: ref(h),
          onclick: (e) => openContext(h.id, e.currentTarget, markedWords(h.highlight)),
        }),
        el("span", { class: `kind kind-${h.kind}`, text: L.kinds[h.kind] || h.kind }),
        markButtons({ query, kind: "search", passage: h.id }, `${L.markResult} ${ref(h)}`),
        copyButton(h.shown.text, ref(h))));
  }

  // --- ask -----------------------------------------------------------------------

  function runAsk() {
    const q = box.value.trim();
    syncUrl();
    if (!q) { state.seq++; answerBox.hidden = true; setStatus(labels().emptyAsk); showWelcome(); return; }
    setStatus(labels().asking, "busy");
    latest(() => api("/api/ask", { q, script: state.script === "original" ? "auto" : state.script, extra: 1 }),
      renderAnswer);
  }

  function citationItem(c) {
    const target = c.id || `${c.doc}:${c.line_start}`;
    return el("li", {},
      crumbs((c.shown || {}).section || c.section),
      el("button", { type: "button", class: "ref", text: ref(c), title: labels().open,
        onclick: (e) => openContext(target, e.currentTarget, []) }));
  }

  function renderAnswer(body) {
    const L = labels();
    results.replaceChildren();
    results.hidden = true;
    welcome.hidden = true;
    moreButton.hidden = true;
    const cites = body.answered ? body.citations : body.suggestions;
    answerBox.className = body.answered ? "answer" : "answer not-covered";
    answerBox.replaceChildren(
      el("div", { class: "answer-head" },
        el("h2", { text: body.answered ? `${L.ask}: ${body.question}` : L.notCovered }),
        body.answered ? copyButton(body.answer, L.ask) : null),  // nothing to paste to a customer
      el("p", { class: "answer-text", text: body.answer }),
      body.answered ? el("div", { class: "meta" },
        markButtons({ query: body.question, kind: "ask", answer: body.answer }, L.markAnswer)) : null,
      el("h3", { text: body.answered
        ? `${L.sources} (${L.confidence} ${Number(body.confidence).toFixed(2)})` : L.nearest }),
      cites.length ? el("ul", { class: "citations" }, cites.map(citationItem)) : el("p", { text: L.noNearest }));
    answerBox.hidden = false;
    setStatus(body.answered ? "" : L.notCovered);
  }

  // --- outline -------------------------------------------------------------------

  async function runOutline() {
    syncUrl();
    results.replaceChildren();
    results.hidden = true;
    answerBox.hidden = true;
    welcome.hidden = true;
    moreButton.hidden = true;
    state.paged = null;
    outlineBox.hidden = false;
    if (!state.outline) {
      setStatus(labels().loading, "busy");
      await latest(() => api("/api/outline", { script: state.script, extra: 1 }),
        (body) => { state.outline = body.outline; });
    }
    renderOutline();
  }

  function renderOutline() {
    if (!state.outline) return;
    const L = labels();
    const doc = docSelect.value;
    const inDoc = state.outline.filter((row) => !doc || row.doc === doc);
    const filter = box.value.trim().toLowerCase();
    const matching = (row) => (row.shown ? row.shown.title : row.title).toLowerCase().includes(filter)
      || row.title.toLowerCase().includes(filter);
    let rows = filter ? inDoc.filter(matching) : inDoc;
    const unfiltered = filter && !rows.length;
    if (unfiltered) rows = inDoc;  // a search query left in the box: show the whole outline
    const byDoc = new Map();
    for (const d of documents) if (!doc || d.name === doc) byDoc.set(d.name, []);
    for (const row of rows) {
      if (!byDoc.has(row.doc)) byDoc.set(row.doc, []);
      byDoc.get(row.doc).push(row);
    }
    const sections = [];
    for (const [name, rows] of byDoc) {
      if (filter && !unfiltered && !rows.length) continue;
      sections.push(el("section", { class: "course" },
        el("h2", {}, el("span", { class: "doc-name", text: name }), " ", documentTitle(name)),
        rows.length ? null : el("p", { class: "hint", text: L.noOutline }),
        el("ul", {}, rows.map((row) => el("li", { dataset: { depth: Math.min(row.depth, 5) } },
          el("button", { type: "button", class: "entry", title: L.open,
            onclick: (e) => openContext(`${row.doc}:${row.line}`, e.currentTarget, []) },
          el("span", { class: "entry-title", text: row.shown ? row.shown.title : row.title }),
          el("span", { class: "line", text: `:${row.line}` })))))));
    }
    outlineBox.replaceChildren(el("p", { class: "hint", text: L.outlineHint }), ...sections);
    setStatus(unfiltered ? L.noHeading(box.value.trim()) : (sections.length ? "" : L.none));
  }

  let documents = [];
  const documentTitle = (name) => {
    const d = documents.find((x) => x.name === name);
    return d ? (d.shown ? d.shown.title : d.title) : "";
  };

  // --- a passage in context ------------------------------------------------------

  // The words a highlight marks («…»): the dialog marks them in the passage's lines too.
  function markedWords(text) {
    const words = new Set();
    const re = new RegExp(`${MARK_OPEN}([^${MARK_CLOSE}]+)${MARK_CLOSE}`, "g");
    for (const m of text.matchAll(re)) words.add(m[1]);
    return [...words].sort((a, b) => b.length - a.length);
  }

  // A line with those words as <mark> elements, the rest as text: no HTML is ever parsed.
  function markWords(line, words) {
    if (!words || !words.length) return line;
    const out = [];
    let rest = line;
    while (rest) {
      let best = -1, word = "";
      for (const w of words) {
        const i = rest.indexOf(w);
        if (i >= 0 && (best < 0 || i < best)) { best = i; word = w; }
      }
      if (best < 0) { out.push(rest); break; }
      if (best > 0) out.push(rest.slice(0, best));
      out.push(el("mark", { text: word }));
      rest = rest.slice(best + word.length);
    }
    return out;
  }

  async function openContext(id, opener, words) {
    state.opener = opener || document.activeElement;
    if (words !== undefined) state.marks = words;  // following a neighbour keeps the hit's words
    const L = labels();
    $("#ctx-title").textContent = L.loading;
    $("#ctx-body").replaceChildren();
    if (!dialog.open) dialog.showModal();
    try {
      const body = await api(`/api/passage/${encodeURIComponent(id)}`,
        { around: 1, script: state.script, extra: 1 }, "context");
      renderContext(body);
    } catch (err) {
      if (err.name === "AbortError") return;
      $("#ctx-title").textContent = `${L.error} ${err.message}`;
    }
  }

  function renderContext(body) {
    const L = labels();
    $("#ctx-title").replaceChildren(crumbs(body.shown.section));
    // neighbours in document order: on a deck scraped as one line they share its line number
    const at = body.context.findIndex((p) => p.id === body.id);
    const articles = body.context.map((p, i) => {
      const here = p.id === body.id;
      // a spun document's passage shows its repaired text, its own words one click away
      const lines = (text) => {
        const rows = text.split("\n");
        const numbers = p.lines.length === rows.length ? p.lines : rows.map(() => p.line_start);
        return rows.map((line, i) => el("li", {},
          el("span", { class: "n", "aria-hidden": "true", text: numbers[i] }),
          el("span", { class: "t" }, markWords(line, state.marks))));
      };
      const list = el("ol", { class: "lines" }, lines(p.shown.text));
      let toggle = null;
      if (p.shown.written) {
        let written = false;
        toggle = el("button", { type: "button", class: "as-written", text: L.asWritten, "aria-pressed": "false",
          onclick: () => {
            written = !written;
            list.replaceChildren(...lines(written ? p.shown.written : p.shown.text));
            toggle.textContent = written ? L.showRepaired : L.asWritten;
            toggle.setAttribute("aria-pressed", String(written));
          } });
      }
      return el("article", { class: here ? "passage here" : "passage", tabindex: "-1", dataset: { id: p.id },
        "aria-current": here ? "true" : null },
        el("div", { class: "passage-head" },
          el("span", { class: "where", text: here ? L.here : (i < at ? L.before : L.after) }),
          here ? el("span", { class: "ref-text", text: ref(p) })
            : el("button", { type: "button", class: "ref", text: ref(p), title: L.open,
              onclick: () => openContext(p.id, state.opener) }),
          el("span", { class: `kind kind-${p.kind}`, text: L.kinds[p.kind] || p.kind }),
          copyButton(p.shown.text, ref(p))),
        here ? null : el("div", { class: "crumbs small", text: p.shown.section.slice(-1)[0] || "" }),
        p.shown.written ? el("p", { class: "repaired-note small" }, L.repaired, " ", toggle) : null,
        list);
    });
    $("#ctx-body").replaceChildren(...articles);
    // the sticky head's height, wrapped breadcrumbs and all: the current passage scrolls to
    // just below it (scroll-margin-top in app.css), its copy button in view
    dialog.style.setProperty("--ctx-head", `${$(".ctx-head").offsetHeight}px`);
    const here = $("#ctx-body .here");
    if (here) { here.scrollIntoView({ block: "start" }); here.focus({ preventScroll: true }); }
  }

  dialog.addEventListener("close", () => {
    // give focus back to the reference that opened the passage, unless the reader has
    // already moved it (the close event can arrive after a quick "/" to the search box)
    const active = document.activeElement;
    const adrift = !active || active === document.body || dialog.contains(active);
    if (adrift && state.opener && document.contains(state.opener)) state.opener.focus();
  });
  $("#ctx-close").addEventListener("click", () => dialog.close());
  dialog.addEventListener("click", (e) => { if (e.target === dialog) dialog.close(); });

  // --- modes, filters, script ----------------------------------------------------

  function run() {
    clearTimeout(state.timer);
    outlineBox.hidden = state.mode !== "outline";
    kindSelect.disabled = state.mode !== "search";
    if (state.mode === "search") runSearch();
    else if (state.mode === "ask") runAsk();
    else runOutline();
  }

  function applyLabels() {
    const L = labels();
    document.documentElement.lang = state.script === "hant" ? "zh-Hant" : "zh-Hans";
    for (const node of document.querySelectorAll("[data-l]")) {
      const v = L[node.dataset.l];
      if (typeof v === "string") node.textContent = v;
    }
    for (const node of document.querySelectorAll("[data-l-label]")) node.setAttribute("aria-label", L[node.dataset.lLabel]);
    for (const node of document.querySelectorAll("[data-l-title]")) node.title = L[node.dataset.lTitle];
    $("#go").textContent = state.mode === "ask" ? L.ask : L.search;
    for (const opt of kindSelect.options) if (opt.value) opt.textContent = L.kinds[opt.value] || opt.value;
    document.title = `${L.title} · kb`;
  }

  function syncUrl() {
    const params = new URLSearchParams();
    if (box.value.trim()) params.set("q", box.value.trim());
    if (state.mode !== "search") params.set("mode", state.mode);
    if (state.script !== "original") params.set("script", state.script);
    if (docSelect.value) params.set("doc", docSelect.value);
    if (kindSelect.value) params.set("kind", kindSelect.value);
    const qs = params.toString();
    history.replaceState(null, "", qs ? `?${qs}` : location.pathname);
  }

  async function loadDocuments() {
    try {
      const body = await fetch(`/api/documents?extra=1&script=${state.script}`).then((r) => r.json());
      documents = body.documents || [];
      state.examples = body.examples || [];
      const chosen = docSelect.value;
      docSelect.replaceChildren(docSelect.options[0],
        ...documents.map((d) => el("option", { value: d.name, text: `${d.name.split("_")[0]} ${d.shown ? d.shown.title : d.title}` })));
      docSelect.value = chosen;
      if (kindSelect.options.length === 1) {
        kindSelect.append(...body.kinds.map((k) => el("option", { value: k, text: labels().kinds[k] || k })));
      }
    } catch (_) { /* the filters stay at "all" */ }
  }

  function restore() {
    const params = new URLSearchParams(location.search);
    const mode = params.get("mode");
    const script = params.get("script") || localStorage.getItem("kb.script");
    if (["search", "ask", "outline"].includes(mode)) state.mode = mode;
    if (["original", "hans", "hant"].includes(script)) state.script = script;
    document.querySelector(`input[name=mode][value=${state.mode}]`).checked = true;
    document.querySelector(`input[name=script][value=${state.script}]`).checked = true;
    box.value = params.get("q") || "";
    return params;
  }

  // --- keyboard ------------------------------------------------------------------

  function focusables() {
    return [...document.querySelectorAll("#results .ref, #answer .ref, #outline .entry")].filter((b) => b.offsetParent);
  }

  document.addEventListener("keydown", (e) => {
    const typing = e.target instanceof HTMLInputElement && e.target.type !== "radio"
      || e.target instanceof HTMLTextAreaElement || e.target instanceof HTMLSelectElement;
    if (e.key === "/" && !typing && !dialog.open) {
      e.preventDefault();
      box.focus();
      box.select();
      return;
    }
    if ((e.key === "ArrowDown" || e.key === "ArrowUp") && !dialog.open) {
      const items = focusables();
      if (!items.length) return;
      const i = items.indexOf(document.activeElement);
      if (e.target === box && e.key === "ArrowDown") { e.preventDefault(); items[0].focus(); }
      else if (i >= 0) {
        e.preventDefault();
        if (e.key === "ArrowUp" && i === 0) box.focus();
        else items[Math.min(items.length - 1, Math.max(0, i + (e.key === "ArrowDown" ? 1 : -1)))].focus();
      }
    }
  });

  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  box.addEventListener("input", () => {
    clearTimeout(state.timer);
    if (state.mode === "search") state.timer = setTimeout(runSearch, DEBOUNCE_MS);
    else if (state.mode === "outline") { renderOutline(); syncUrl(); }
  });
  for (const radio of document.querySelectorAll("input[name=mode]")) {
    radio.addEventListener("change", () => {
      state.mode = radio.value;
      applyLabels();
      run();
    });
  }
  for (const radio of document.querySelectorAll("input[name=script]")) {
    radio.addEventListener("change", () => {
      state.script = radio.value;
      state.outline = null;
      localStorage.setItem("kb.script", state.script);
      applyLabels();
      loadDocuments();
      run();
    });
  }
  docSelect.addEventListener("change", () => { if (state.mode === "outline") { renderOutline(); syncUrl(); } else run(); });
  kindSelect.addEventListener("change", run);

  // --- start ---------------------------------------------------------------------

  const params = restore();
  applyLabels();
  loadDocuments().then(() => {
    if (params.get("doc")) docSelect.value = params.get("doc");
    if (params.get("kind")) kindSelect.value = params.get("kind");
    if (box.value.trim() || state.mode === "outline") run();
    else showWelcome();
    document.body.dataset.ready = "true";  // the filters are filled in
  });
  box.focus();
})();
