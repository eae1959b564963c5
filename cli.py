"""The `kb` command: parse arguments, call the kb library, render. Nothing else lives here."""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path

# Ctrl+C while Python loads kb (a second or so, nothing begun) stops it as the signal does,
# not with a KeyboardInterrupt traceback from inside an import; afterwards click says Aborted!
_on_interrupt = signal.getsignal(signal.SIGINT)
if _on_interrupt is signal.default_int_handler:
    signal.signal(signal.SIGINT, signal.SIG_DFL)

import click  # noqa: E402

from kb import KINDS, KbError, KnowledgeBase  # noqa: E402
from kb.errors import IndexBusyError, IndexWriteError  # noqa: E402
from kb.formats import format_counts  # noqa: E402
from kb.defaults import default_index, default_seeds  # noqa: E402
from kb.store import exists as store_exists  # noqa: E402
from kb.store.engines import NAMES as ENGINES  # noqa: E402

signal.signal(signal.SIGINT, _on_interrupt)

INDEX_HELP = "Index directory (default: $KB_INDEX, else $XDG_DATA_HOME/kb/index: ~/.local/share/kb/index)."

# Exit codes, as grep and ripgrep use them: 0 found or answered, 1 nothing found or not
# covered (or an eval below its floor), 2 an error (bad input, no index, a damaged index).
NOTHING = 1


class Failure(click.ClickException):
    """An error the user can act on: one line on stderr, exit code 2."""

    exit_code = 2


# click's usage errors echo what was typed ("Got unexpected extra arguments (…)"): a line break
# or other control character in it would split the one error line, so it is shown escaped.
_CONTROL = {c: repr(chr(c))[1:-1] for c in [*range(0x20), 0x7f, 0x85, 0x2028, 0x2029]}
_usage_message = click.exceptions.UsageError.format_message
click.exceptions.UsageError.format_message = lambda self: _usage_message(self).translate(_CONTROL)


def _index_path(index: str | None) -> Path:
    return Path(index or os.environ.get("KB_INDEX") or default_index())


class _Progress:
    """A build's progress on stderr: on a terminal a bar with an ETA for each phase (reading
    files, indexing passages) and a line while the index is saved; piped, plain lines (each file
    read, every tenth of the passages indexed with the time left, the save). Messages without a
    count ("removed DOC") are printed as they are. Use it as a context manager, so that an error
    never lands on a half-drawn bar."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self.bar = None
        self.phase = ""
        self.started = 0.0
        self.told = -1  # the tenth of the phase last told, piped
        self.ticking = None  # the save's seconds, counted on a terminal: (stop, thread)

    def __enter__(self) -> "_Progress":
        return self

    def __exit__(self, *exc) -> None:
        self._close()

    def __call__(self, message: str) -> None:
        import time

        from kb import ProgressStep

        if not isinstance(message, ProgressStep):
            self._close()
            click.echo(message, err=True)
            return
        if message.phase == "saving":
            self._close()
            self._saving(message)
            return
        if message.phase != self.phase:
            self._close()
            self.phase, self.started, self.told = message.phase, time.monotonic(), -1
            if self.tty:
                noun = "files" if message.phase == "reading" else "passages"
                self.bar = click.progressbar(length=message.total, label=f"{message.phase} {noun}",
                                             show_eta=True, show_pos=True, file=sys.stderr)
                self.bar.__enter__()
        if self.bar is not None:
            self.bar.update(message.done - self.bar.pos)
        elif message.phase == "reading":
            click.echo(message, err=True)  # each file, with its passages or why it was skipped
        elif message.total and (tenth := 10 * message.done // message.total) > self.told:
            self.told = tenth
            spent = time.monotonic() - self.started
            rest = spent / message.done * (message.total - message.done) if message.done else 0
            left = f", about {max(rest, 1):.0f} s to index the rest" if rest and spent > 1 else ""
            click.echo(f"{message}{left}", err=True)

    def _saving(self, line: str) -> None:
        """The save has no count (the engine commits, and with several indexing processes waits
        for them): piped, one line; on a terminal, a line that counts the seconds, so that it
        never looks stuck."""
        if not self.tty:
            click.echo(line, err=True)
            return
        import threading
        import time

        click.echo(line, err=True, nl=False)
        stop, started = threading.Event(), time.monotonic()

        def tick() -> None:
            while not stop.wait(1.0):
                click.echo(f"\r{line} {time.monotonic() - started:.0f} s", err=True, nl=False)

        thread = threading.Thread(target=tick, daemon=True)
        thread.start()
        self.ticking = (stop, thread)

    def _close(self) -> None:
        if self.bar is not None:
            self.bar.__exit__(None, None, None)
            self.bar = None
        if self.ticking is not None:
            stop, thread = self.ticking
            stop.set()
            thread.join()
            click.echo("", err=True)
            self.ticking = None
        self.phase = ""


def _open(index: str | None) -> KnowledgeBase:
    """Open the index; build it from seeds/ on first use, rebuild it when its files changed."""
    path = _index_path(index)
    explicit = bool(index or os.environ.get("KB_INDEX"))
    try:
        if not store_exists(path) and not explicit:
            seeds = default_seeds()
            click.echo(f"No index yet: building {path}/ from {seeds}/ (first run) …", err=True)
            if store_exists(Path("index")):  # where kb kept its index before
                click.echo("(./index here is used only when named: --index index, or KB_INDEX=index)", err=True)
            with _Progress() as progress:
                kb = KnowledgeBase.build([seeds], path, progress=progress)
            click.echo(f"Built in {kb.report.seconds:.1f} s.", err=True)
            return kb
        kb = KnowledgeBase.open(path)
        stale = kb.staleness()
        if stale and not stale.inputs_missing:  # with a folder gone, an update would drop its documents
            click.echo(f"Index is out of date ({stale}): rebuilding …", err=True)
            try:
                with _Progress() as progress:
                    kb = kb.rebuild(progress=progress, wait=0)  # a reader never waits for a writer
            except (IndexBusyError, IndexWriteError) as exc:  # busy, a full disk, read-only: still answers
                busy = isinstance(exc, IndexBusyError)
                why = "Another kb is updating the index" if busy else f"Warning: {exc}"
                click.echo(f"{why}: answering from the index as it is.", err=True)
                kb = KnowledgeBase.open(path)
        elif stale:
            click.echo(f"Warning: {stale}; answering from the index as built.", err=True)
        return kb
    except KbError as exc:
        raise Failure(str(exc)) from exc


def _emit_json(obj: dict) -> None:
    click.echo(json.dumps(obj, ensure_ascii=False, indent=1))


def _colored() -> bool:
    """Whether to color: --color always/never, else on a terminal unless NO_COLOR is set
    (https://no-color.org)."""
    choice = click.get_current_context().find_root().params.get("color") or "auto"
    if choice != "auto":
        return choice == "always"
    return sys.stdout.isatty() and not os.environ.get("NO_COLOR")


def _marked(text: str) -> str:
    """«marks» become bold yellow when coloring and stay as they are otherwise."""
    if not _colored():
        return text
    return text.replace("«", "\x1b[1;33m").replace("»", "\x1b[0m")


def _width() -> int | None:
    """The terminal's width in columns, or None when the output is not a terminal."""
    import shutil

    return shutil.get_terminal_size().columns if sys.stdout.isatty() else None


def _fit(text: str, width: int | None, keep: str = "") -> str:
    """`text` then `keep`, cut with … so that both fit in `width` columns (a Chinese
    character takes two); unchanged when width is None."""
    from unicodedata import east_asian_width

    cols = lambda s: sum(2 if east_asian_width(c) in "WF" else 1 for c in s)  # noqa: E731
    if width is None or cols(text + keep) <= width:
        return text + keep
    room = max(1, width - cols(keep) - 1)
    out, used = "", 0
    for c in text:
        used += cols(c)
        if used > room:
            break
        out += c
    return out + "…" + keep


def _shares_line(kb: KnowledgeBase, p) -> bool:
    """Whether other passages lie on the passage's one line (a deck scraped as one line):
    then DOC:LINE does not name it, and its id does (`kb show 004#12`)."""
    return sum(q.line_start == q.line_end == p.line_start for q in kb.doc_passages(p.doc)) > 1


def _complete_doc(ctx: click.Context, param: click.Parameter, incomplete: str) -> list[str]:
    """Shell completion of a document name, from the index named so far (or the default one):
    read as it is, never built or updated to complete a word."""
    try:
        names = KnowledgeBase.open(_index_path(ctx.params.get("index"))).documents()
    except Exception:  # no index yet, a damaged one: nothing to offer
        return []
    return [name for name in names if name.startswith(incomplete)]


def _crumbs(section) -> str:
    return " › ".join(section)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kb")
@click.option("--color", type=click.Choice(["auto", "always", "never"]), default="auto", show_default=True,
              help="Mark query words in color: auto does on a terminal, unless NO_COLOR is set.")
def main(color: str) -> None:
    """Search and ask the express-delivery training documents (Chinese, either script).

    Exit status: 0 found or answered, 1 nothing found or not covered, 2 an error."""


@main.command("index")
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--full", is_flag=True, help="Rebuild everything, not only the files that changed.")
@click.option("--remove", "remove", metavar="DOC", shell_complete=_complete_doc,
              help="Drop one document from the index.")
@click.option("--index", "index", help=INDEX_HELP)
@click.option("--engine", type=click.Choice(ENGINES),
              help="The full-text engine: whoosh, or tantivy (pip install 'kb[fast]'). Default: the index's "
                   "own, else $KB_ENGINE, else whoosh; another than the index's rebuilds it.")
@click.option("--dense/--no-dense", default=None,
              help="Keep a vector of each passage and rank by meaning as well as words (pip install "
                   "'kb[dense]'; slower to build and search). Default: as the index does; a change rebuilds it.")
def index_cmd(paths: tuple[Path, ...], full: bool, remove: str | None, index: str | None, engine: str | None,
              dense: bool | None) -> None:
    """Index files and folders (default: seeds/): only what changed is re-indexed, and the old
    index stays live until the new one is complete."""
    path = _index_path(index)
    inputs = list(paths) or [default_seeds()]
    if remove and (engine or dense is not None):
        raise click.UsageError("--engine and --dense are for building an index, not with --remove")
    try:
        if remove:
            KnowledgeBase.open(path).remove(remove)
            click.echo(f"Removed {remove} from {path}/")
            return
        build = KnowledgeBase.build if full else KnowledgeBase.index
        with _Progress() as progress:
            kb = build(inputs, path, progress=progress, engine=engine, dense=dense)
    except KbError as exc:
        raise Failure(str(exc)) from exc
    r = kb.report
    if r.unchanged:
        click.echo(f"Nothing changed: {r.documents} document(s), {r.passages} passages, as indexed in {path}/")
    elif r.rebuilt:
        click.echo(f"Indexed {r.documents} document(s), {r.passages} passages in {r.seconds:.1f} s → {path}/")
    else:
        what = ", ".join(x for x in (f"{r.refreshed} read afresh" if r.refreshed else "",
                                     f"{r.dropped} removed" if r.dropped else "") if x)
        click.echo(f"Updated {r.documents} document(s) ({what}), {r.passages} passages in {r.seconds:.1f} s → {path}/")
    click.echo("By format: " + ", ".join(f"{fmt} {n}" for fmt, n in format_counts(kb.documents()).items()))
    if r.skipped:
        click.echo(f"Skipped {len(r.skipped)} file(s):", err=True)
    for s in r.skipped:
        reason = s.reason.removeprefix(f"{s.path}: ")  # a read error names its file; say it once
        click.echo(f"  {s.path}: {reason}", err=True)


SCRIPT_CHOICE = click.Choice(["auto", "hans", "hant", "original"])

# A hit's snippet, as ripgrep shows a match: opened at the first query word and cut to two lines
# of the terminal, or to two lines of 80 columns when piped (the whole window is --json's).
INDENT = "   "
PIPED_SNIPPET = 2 * 80 - len(INDENT) - 1


# a query or question may start with "-" (-5%折扣): an unknown option is read as its text
TEXT_ARGUMENT = {"ignore_unknown_options": True}


@main.command(context_settings=TEXT_ARGUMENT)
@click.argument("query")
@click.option("--limit", "-n", default=10, show_default=True, type=click.IntRange(1, 100), help="How many results.")
@click.option("--doc", shell_complete=_complete_doc, help="Only this document (name or prefix, e.g. 000).")
@click.option("--kind", type=click.Choice(KINDS), help="Only passages of this kind.")
@click.option("--fix", is_flag=True, help="Search the spelling-fixed query (头诉 → 投诉) instead of the typed one.")
@click.option("--explain", is_flag=True, help="Show how the query was analysed before the results.")
@click.option("--script", type=SCRIPT_CHOICE, default="auto", show_default=True,
              help="Script of the snippets; auto uses the query's script.")
@click.option("--snippet", "snippet_width", type=click.IntRange(min=0), metavar="COLUMNS",
              help="Columns of text shown per hit, opening at the first match (default: two lines of the "
                   f"terminal, {PIPED_SNIPPET} when piped; 0: the whole highlight, as in --json).")
@click.option("--json", "as_json", is_flag=True, help="Print the search JSON contract.")
@click.option("--index", "index", help=INDEX_HELP)
def search(query: str, limit: int, doc: str | None, kind: str | None, fix: bool, explain: bool,
           script: str, snippet_width: int | None, as_json: bool, index: str | None) -> None:
    """Ranked passages for QUERY, with where they come from."""
    from kb.script import convert, detect_script
    from kb.search import snippet

    kb = _open(index)
    try:
        result = kb.lookup(query, limit=limit, doc=doc, kind=kind, fix=fix)
    except KbError as exc:
        raise Failure(str(exc)) from exc
    hits, plan = result.hits, result.plan
    out_script = detect_script(query) if script == "auto" else (None if script == "original" else script)
    if explain:
        _explain(plan, err=as_json)
    if result.fixed:
        click.echo(f"Searched for {result.query!r} instead of {query!r} (spelling).", err=True)
    elif plan.corrected:
        click.echo(f"Did you mean: {plan.corrected}  (kb search --fix …)", err=True)
    if as_json:
        rows = [h.to_json() for h in hits]
        for row in rows:
            row["highlight"] = convert(row["highlight"], out_script)
        _emit_json({"query": query, "results": rows})
        if not rows:
            sys.exit(NOTHING)
        return
    if not hits:
        click.echo(f"Nothing found for {query!r}.")
        sys.exit(NOTHING)
    width = _width()
    if snippet_width is None:  # two lines of the terminal, the first indented
        snippet_width = 2 * width - len(INDENT) - 1 if width else PIPED_SNIPPET
    for h in hits:
        p = h.passage
        click.echo(_fit(f"{h.rank}. {_crumbs(p.section)}", width, f"  [{p.kind}]"))
        click.echo(f"   {p.ref}" + (f"  ({p.id})" if p.id and p.line_start == p.line_end and _shares_line(kb, p) else ""))
        text = convert(h.highlight, out_script)
        text = snippet(text, snippet_width) if snippet_width else text.replace("\n", " ")
        click.echo(INDENT + _marked(text), color=_colored())
        if h.also:
            click.echo(_fit(f"   also in: {', '.join(h.also)}", width))


def _explain(plan, err: bool) -> None:
    """How the query was read: words, their weighted stand-ins, fixes, spun-text matches."""
    echo = lambda line: click.echo(line, err=err)  # noqa: E731
    echo(f"Query: {plan.text}")
    for g in plan.groups:
        alts = ", ".join(f"{a.term} {a.weight:.2f} ({a.why})" for a in g.alternatives)
        framing = f" [frames the question: counts {g.weight:.2f}]" if g.weight < 1 else ""
        echo(f"  {g.word}: {alts}{framing}")
    for wrong, right in plan.corrections:
        echo(f"  spelling: {wrong} → {right}")
    for word, spun in plan.spun:
        echo(f"  spun text: {word} also matches {spun} in synonym-spun documents")
    if plan.intents:
        echo(f"  wants: {', '.join(plan.intents)} passages")
    if plan.enumerates:
        echo(f"  asks for a list of: {', '.join(plan.enumerates)} (passages enumerating them rank higher)")
    echo("")


@main.command(context_settings=TEXT_ARGUMENT)
@click.argument("question")
@click.option("--script", type=SCRIPT_CHOICE, default="auto",
              show_default=True, help="Script of the answer; auto answers in the question's script.")
@click.option("--json", "as_json", is_flag=True, help="Print the ask JSON contract.")
@click.option("--index", "index", help=INDEX_HELP)
def ask(question: str, script: str, as_json: bool, index: str | None) -> None:
    """A short answer to QUESTION, read off the documents, with its sources; or 'not covered'."""
    kb = _open(index)
    try:
        answer = kb.ask(question, script=script)
    except KbError as exc:
        raise Failure(str(exc)) from exc
    if as_json:
        _emit_json(answer.to_json())
        if not answer.answered:
            sys.exit(NOTHING)
        return
    click.echo(answer.answer)
    click.echo()
    if answer.answered:
        click.echo(f"Sources (confidence {answer.confidence:.2f}):")
        for c in answer.citations:
            click.echo(f"  {_crumbs(c.section)}  {_cited(c)}")
    else:
        click.echo("Nearest sections:" if answer.suggestions else "No section comes close.")
        for c in answer.suggestions:
            click.echo(f"  {_crumbs(c.section)}  {_cited(c)}")
        sys.exit(NOTHING)


def _cited(c) -> str:
    """DOC:LINES, and the slide, page or paragraph where the format has them."""
    return f"{c.doc}:{c.line_start}-{c.line_end}" + (f" ({c.location})" if c.location else "")


@main.command()
@click.argument("ref")
@click.option("--json", "as_json", is_flag=True, help="Print the passage as JSON.")
@click.option("--as-written", is_flag=True,
              help="A synonym-spun document's text as the file has it, not repaired.")
@click.option("--index", "index", help=INDEX_HELP)
def show(ref: str, as_json: bool, as_written: bool, index: str | None) -> None:
    """The passage at REF, with its breadcrumb: DOC:LINE (000:416), a passage id from search
    --json (000#44), or for decks, PDFs, Word or HTML files and spreadsheets DOC:slide12, DOC:page3,
    DOC:¶14, DOC:row7 (DOC:sheet2 in a workbook of several sheets).
    A synonym-spun document is shown repaired (its spinner's words put back), as search and
    ask show it; --as-written shows the file's words."""
    kb = _open(index)
    try:
        p = kb.show(ref)
    except KbError as exc:
        raise Failure(str(exc)) from exc
    if as_json:
        _emit_json(p.public_json())  # text: the file's own text, as in a search hit's JSON
        return
    click.echo(_crumbs(p.section))
    click.echo(f"{p.ref}  [{p.kind}]")
    click.echo()
    if p.spun and not as_written:
        click.echo(p.repaired_text)
        click.echo(f"\n(repaired: this document was rewritten by a synonym spinner; "
                   f"kb show {ref} --as-written shows its own words)")
    else:
        click.echo(p.text)
    more = [q.ref for q in kb.doc_passages(p.doc) if q.location and q.location == p.location and q.id != p.id]
    if more:
        click.echo(f"\nAlso on {p.location}: {', '.join(more)}")


@main.command()
@click.argument("doc", required=False, shell_complete=_complete_doc)
@click.option("--json", "as_json", is_flag=True, help="Print the outline as JSON.")
@click.option("--index", "index", help=INDEX_HELP)
def outline(doc: str | None, as_json: bool, index: str | None) -> None:
    """The course / unit / section tree of DOC (or of every document)."""
    kb = _open(index)
    try:
        entries = kb.outline(doc)
        docs = kb.documents()
    except KbError as exc:
        raise Failure(str(exc)) from exc
    if as_json:
        _emit_json({"outline": [e.to_json() for e in entries]})
        return
    names = [kb.resolve_doc(doc)] if doc else list(docs)
    for name in names:
        click.echo(f"{name}  {docs[name]['title']}")
        mine = [e for e in entries if e.doc == name]
        for e in mine:
            click.echo(f"{'  ' * (e.depth + 1)}{e.title}  :{e.line}")
        if not mine:  # a scraped deck may have no line kb reads as a heading: say so, and where it starts
            first = next(iter(kb.doc_passages(name)), None)
            where = f"; its text starts at {first.ref}" if first else ""
            click.echo(f"  (no headings found{where})")


@main.command()
@click.option("--host", default="127.0.0.1", show_default=True,
              help="Address to listen on. Only this machine can connect unless you name another address.")
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535), help="Port to listen on.")
@click.option("--workers", type=click.IntRange(1, 64), metavar="N",
              help="Worker processes answering requests (default: one per CPU, at most 4).")
@click.option("--index", "index", help=INDEX_HELP)
def serve(host: str, port: int, workers: int | None, index: str | None) -> None:
    """A local web page for staff: search as you type, ask, open and copy passages."""
    try:
        from kb import web
    except ImportError as exc:
        raise Failure(
            f"the web page needs its extra packages ({exc.name or exc} is missing): pip install -e '.[web]'"
        ) from None
    kb = _open(index)
    workers = workers or web.default_workers()
    try:
        sock = web.bind(host, port, workers)
    except OSError as exc:
        raise Failure(f"cannot listen on {host}:{port} ({exc.strerror or exc}); try another --port") from None
    bound = sock.getsockname()[1]
    shown = f"[{host}]" if ":" in host else host
    if not web.is_loopback(host):
        click.echo(f"Warning: listening on {host}: other machines that reach it can read the documents.", err=True)
    processes = f" with {workers} worker processes" if workers > 1 else ""
    click.echo(f"Serving {len(kb.documents())} document(s){processes} at http://{shown}:{bound}/  (Ctrl+C to stop)",
               err=True)
    try:
        web.serve(kb, sock, web.allowed_hosts_for(host), workers)
    except KbError as exc:
        raise Failure(str(exc)) from exc


@main.command()
@click.option("--index", "index", help=INDEX_HELP)
def check(index: str | None) -> None:
    """Read the whole index (every term, every passage) and say whether it is sound."""
    path = _index_path(index)
    try:
        kb = KnowledgeBase.open(path)
        kb.store.verify(full=True)
    except KbError as exc:
        raise Failure(str(exc)) from exc
    click.echo(f"Index at {path}/ is sound: {kb.store.doc_count()} passages, {len(kb.documents())} document(s).")


@main.command("eval")
@click.argument("judged", type=click.Path(path_type=Path))
@click.option("--floor", "floors", multiple=True, metavar="FIGURE=VALUE",
              help="Fail (exit 1) when a figure is below VALUE, e.g. --floor P@1=0.6. Repeatable.")
@click.option("--json", "as_json", is_flag=True, help="Print figures and per-query results as JSON.")
@click.option("--sample", type=click.IntRange(min=1), metavar="N",
              help="Score a fixed sample of N rows (the same N rows every run, for quick checks and CI).")
@click.option("--index", "index", help=INDEX_HELP)
def eval_cmd(judged: Path, floors: tuple[str, ...], as_json: bool, sample: int | None, index: str | None) -> None:
    """Score a judged set (search or Q&A JSONL) and print misses and figures."""
    from kb import evaluate

    try:
        limits = {k: float(v) for k, v in (f.split("=", 1) for f in floors)}
    except ValueError as exc:
        raise click.BadParameter("use FIGURE=VALUE, e.g. P@1=0.6", param_hint="--floor") from exc
    kb = _open(index)
    try:
        rows = evaluate.load(judged)
        if sample:
            rows = evaluate.sample(rows, sample)
        report = evaluate.evaluate_qa(kb, rows) if evaluate.is_qa(rows) else evaluate.evaluate_search(kb, rows)
    except KbError as exc:
        raise Failure(str(exc)) from exc
    if as_json:
        _emit_json({"figures": report.figures, "results": [r.__dict__ for r in report.results]})
    else:
        _print_report(report)
    failed = [f"{k} {report.figures.get(k, 0):.3f} < {v}" for k, v in limits.items() if report.figures.get(k, 0) < v]
    unknown = [k for k in limits if k not in report.figures]
    if unknown:
        raise Failure(f"unknown figure(s) {', '.join(unknown)}; known: {', '.join(report.figures)}")
    if failed:
        raise click.ClickException("below the floor: " + "; ".join(failed))


@main.command("feedback")
@click.option("--json", "as_json", is_flag=True, help="Print the marks, grouped by query, as JSON.")
@click.option("--phrasebook", is_flag=True,
              help="Print draft kb/data/phrasebook.txt lines from the results marked helpful.")
@click.option("--index", "index", help=INDEX_HELP)
def feedback_cmd(as_json: bool, phrasebook: bool, index: str | None) -> None:
    """The "this helped" / "not this" marks staff gave on the web page, grouped by query,
    with each passage's source (the index's feedback.jsonl). Exit 1 when there are none."""
    from kb import feedback

    path = _index_path(index)
    try:
        marks = feedback.read(path)
    except KbError as exc:
        raise Failure(str(exc)) from exc
    if as_json:
        _emit_json({"file": str(feedback.feedback_path(path)), "marks": len(marks),
                    "queries": [q.to_json() for q in feedback.grouped(marks)]})
    elif phrasebook:
        for line in feedback.phrasebook_lines(marks):
            click.echo(line)
    else:
        for q in feedback.grouped(marks):
            click.echo(q.query)
            for t in q.targets.values():
                counts = "  ".join(x for x in (f"helped ×{t.helped}" if t.helped else "",
                                               f"not this ×{t.not_this}" if t.not_this else "") if x)
                if t.mark.kind == "search":
                    click.echo(f"  [search] {t.mark.ref}  {_crumbs(t.mark.section)}  {counts}  (id {t.mark.passage})")
                else:
                    answer = " ".join((t.mark.answer or "").split())
                    click.echo(f"  [ask] {answer[:60] + ('…' if len(answer) > 60 else '')}  {counts}")
    if not marks:
        click.echo(f"No feedback yet in {feedback.feedback_path(path)} (marks come from the web page, `kb serve`).",
                   err=True)
        sys.exit(NOTHING)


def _print_report(report) -> None:
    from kb.evaluate import QaReport

    if isinstance(report, QaReport):
        for r in report.results:
            if r.answerable and r.cover < 1:
                click.echo(f"{r.id}  cover {r.cover:.2f}  missing {', '.join(r.missing)}  ({r.question})")
            elif not r.answerable and r.answered:
                click.echo(f"{r.id}  answered an unanswerable question ({r.question})")
    else:
        for r in report.results:
            if r.first_relevant != 1:
                where = f"first relevant at {r.first_relevant}" if r.first_relevant else "no relevant hit in top 10"
                click.echo(f"{r.id}  {where}: {r.query}  → top: {', '.join(r.top)}")
            if not r.twins_agree:
                click.echo(f"{r.id}  Traditional and Simplified forms disagree in the top 5: {r.query}")
    click.echo("  ".join(f"{k} {v:.3f}" if isinstance(v, float) else f"{k} {v}" for k, v in report.figures.items()))


if __name__ == "__main__":
    main()
