"""Labelled evaluation corpora: readers that turn public annotated data into (text, label, group) examples.

Every reader returns a list of :class:`Example`: the text to classify, its gold label, the *group* it came
from (the paper or dialogue: cross-validation folds never split a group) and, where the corpus has one, a
*context* (the sentence around a highlighted span, the help-seeker's message before a supporter's turn).

Corpora and labels (no mapping between corpus labels and techniques is used unless stated):

``hbcp`` — Human Behaviour-Change Project trial reports, labels are BCTTv1 technique numbers.
  * EPPI-Reviewer JSON (``physical_activity_62_papers.json``): every code whose attribute name starts with a
    technique number (``"1.1.Goal setting (behavior)"``, ``"4.5. Advise to change behavior"``) is a
    technique; each of its highlighted spans (``ItemAttributeFullTextDetails[].Text``, shaped
    ``Page N:\\n[¬s]"…"\\n"…"[¬e]``) is one example labelled with that number. Several quoted pieces of one
    highlight are joined with `` … ``; the same highlight coded with the same technique again in the same
    paper (once per trial arm) counts once. The context is the sentence of the code's ``AdditionalText`` (pieces
    separated by ``;;;``) that contains the span, else the one sharing most words with it. Group = the paper.
  * CoNLL (``flair_{train,test}_conll.tsv``: ``doc<TAB>token<TAB>POS<TAB>tag``, blank line between
    sentences): a run of ``B-``/``I-`` tags ``<attributeId>_<N.M>_<label>`` is one example labelled ``N.M``;
    tags without a technique number (arm names, outcome values...) are ignored. The context is the sentence.
    Group = the document (first column).
  * HBCP also codes ``4.5 Advise to change behaviour``, which is not one of the 93 BCTTv1 techniques: it is
    kept as its own label with a description in our words (:data:`HBCP_EXTRA_LABELS`).
``esconv`` — ESConv emotional-support conversations (JSON lines, one dialogue a line): every supporter
  (``sys``) turn is an example labelled with its strategy (8 classes, :data:`ESCONV_STRATEGIES`); the context
  is the help-seeker's message(s) just before it. Group = the dialogue.
``pa-counseling`` — simulated physical-activity coaching dialogues (``.xlsx``, one sentence a row, columns
  ``Speaker, ID, Utterance, Domain, Strategy1, Strategy2, Social Exchange, Task-Focused``). Examples are the
  coach's sentences (speaker 1); the label is ``Strategy1``, which the annotation scheme defines as the most
  significant intervention strategy of the sentence (``Strategy2`` is a secondary one and is kept as
  ``Example.extra``); ``"None"`` (no intervention strategy: greetings, acknowledgements) is a label of its own
  unless ``include_none=False``. A blank Speaker cell means "same speaker as the row before"; a Speaker that is
  neither 1 nor 2 (one file numbers its rows there) makes the speaker unknown until the next 1 or 2, and those
  rows are skipped; rows without an utterance are skipped. The context is the participant's sentence(s)
  just before. Group = the file (one dialogue).

Descriptions of the ESConv and PA strategies, and of 4.5, are our own wording.
"""

from __future__ import annotations

import json
import os
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

from bctcoder.errors import BctcoderError, InputError
from bctcoder.suggest.base import LabelInfo
from bctcoder.suggest.corpus_labels import (
    CORPORA,
    ESCONV_STRATEGIES,
    HBCP_EXTRA_LABELS,
    PA_STRATEGIES,
    corpus_labels,
    esconv_labels,
    hbcp_labels,
    pa_labels,
)

__all__ = [
    "CORPORA", "Corpus", "CorpusNotFound", "ESCONV_STRATEGIES", "Example", "HBCP_EXTRA_LABELS",
    "PA_STRATEGIES", "corpus_labels", "default_corpus_files", "esconv_labels", "hbcp_labels", "load_corpus",
    "pa_labels", "read_esconv", "read_hbcp", "read_hbcp_conll", "read_hbcp_eppi", "read_pa_counseling",
]



class CorpusNotFound(BctcoderError):
    """A corpus file or folder does not exist, or none was given and none was found."""


@dataclass(frozen=True)
class Example:
    """One labelled text: what to classify, its gold label, its document/dialogue, optional context."""

    text: str
    label: str
    group: str
    context: str | None = None
    extra: tuple[str, ...] = ()      # secondary labels (PA Strategy2), not used for scoring
    source: str | None = None        # file it came from


@dataclass
class Corpus:
    """Examples plus the label set and a note of how corpus labels were mapped."""

    name: str
    examples: list[Example]
    labels_info: list[LabelInfo]
    label_mapping: str
    files: list[str] = field(default_factory=list)
    skipped: int = 0


# --------------------------------------------------------------------------------------------- text helpers

_WS = re.compile(r"\s+")


def _clean(text: str) -> str:
    """NFKC (ligatures), re-join words hyphenated across PDF line breaks, collapse white space."""
    text = unicodedata.normalize("NFKC", text).replace("\ufffd", " ")
    text = re.sub(r"(?<=[a-z])-\s*\n\s*(?=[a-z])", "", text)
    return _WS.sub(" ", text).strip()


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-z0-9]+", text.lower()))


# ---------------------------------------------------------------------------------------------------- HBCP

_BCT_NAME = re.compile(r"^\s*(\d{1,2})\.(\d{1,2})\.?\s*([A-Za-z].*)$")
_CONLL_TAG = re.compile(r"^([BI])-(?:\d+_)?(\d{1,2})\.(\d{1,2})(?=[._\s]|$)")


def _check_file(path: str | Path) -> Path:
    p = Path(path)
    if not p.exists():
        raise CorpusNotFound(f"{p}: no such file or folder")
    return p


def _read_text(p: Path) -> str:
    try:
        return p.read_bytes().decode("utf-8-sig", errors="replace")
    except OSError as exc:
        raise InputError(f"cannot read file: {exc.strerror or exc}", source=str(p)) from exc


def _span_pieces(raw: str) -> list[str]:
    """The quoted pieces of one EPPI highlight ``Page N:\\n[¬s]"a"\\n"b"[¬e]``."""
    body = raw
    marker = body.find("[¬s]")
    if marker >= 0:
        body = body[marker + len("[¬s]"):]
    else:
        body = re.sub(r"^\s*Page\s+\d+\s*:\s*", "", body)
    body = body.replace("[¬e]", "").strip()
    if body.startswith('"') and body.endswith('"') and len(body) >= 2:
        body = body[1:-1]
    pieces = re.split(r'"\s*\n\s*(?:Page\s+\d+\s*:\s*\n?\s*(?:\[¬s\])?)?"', body)
    return [p for p in (_clean(x) for x in pieces) if p]


def _best_sentence(span: str, sentences: list[str]) -> str | None:
    if not sentences:
        return None
    flat = _clean(span).lower()
    for s in sentences:
        if flat and flat in s.lower():
            return s
    words = _words(span)
    scored = [(len(words & _words(s)) / (len(words) or 1), -i) for i, s in enumerate(sentences)]
    best = max(range(len(sentences)), key=lambda i: scored[i])
    return sentences[best] if scored[best][0] > 0 else None


def _eppi_attributes(node: dict, out: dict[int, str]) -> None:
    attrs = node.get("Attributes")
    if not isinstance(attrs, dict):
        return
    for a in attrs.get("AttributesList") or []:
        if isinstance(a, dict) and "AttributeId" in a:
            out[a["AttributeId"]] = str(a.get("AttributeName") or "")
            _eppi_attributes(a, out)


def read_hbcp_eppi(path: str | Path) -> list[Example]:
    """Examples from an EPPI-Reviewer JSON export (see the module docstring)."""
    p = _check_file(path)
    try:
        data = json.loads(_read_text(p))
    except json.JSONDecodeError as exc:
        raise InputError(f"not valid JSON ({exc.msg})", source=str(p), line=exc.lineno) from None
    if not isinstance(data, dict) or "References" not in data:
        raise InputError("not an EPPI-Reviewer export (no 'References')", source=str(p))
    names: dict[int, str] = {}
    for codeset in data.get("CodeSets") or []:
        _eppi_attributes(codeset, names)
    technique: dict[int, str] = {}
    for attr_id, name in names.items():
        m = _BCT_NAME.match(name)
        if m:
            technique[attr_id] = f"{int(m.group(1))}.{int(m.group(2))}"
    out: list[Example] = []
    seen: set[tuple[str, str, str]] = set()
    for ref in data["References"]:
        group = str(ref.get("ShortTitle") or ref.get("ItemId"))
        if ref.get("ItemId") is not None:
            group = f"{group} [{ref['ItemId']}]"
        for code in ref.get("Codes") or []:
            label = technique.get(code.get("AttributeId"))
            if label is None:
                continue
            sentences = [_clean(s) for s in str(code.get("AdditionalText") or "").split(";;;") if s.strip()]
            for detail in code.get("ItemAttributeFullTextDetails") or []:
                pieces = _span_pieces(str(detail.get("Text") or ""))
                if not pieces:
                    continue
                text = " … ".join(pieces)
                key = (text, label, group)
                if key in seen:   # the same highlight coded again for another arm of the trial
                    continue
                seen.add(key)
                out.append(Example(text, label, group, _best_sentence(text.replace(" … ", " "), sentences),
                                   source=p.name))
    return out


def read_hbcp_conll(path: str | Path) -> list[Example]:
    """Examples from an HBCP CoNLL file (see the module docstring)."""
    p = _check_file(path)
    out: list[Example] = []
    sentence: list[tuple[str, str, str]] = []  # (doc, token, tag)

    def flush() -> None:
        if not sentence:
            return
        context = " ".join(tok for _, tok, _ in sentence)
        span: list[str] = []
        label = None
        doc = sentence[0][0]
        for d, tok, tag in sentence + [("", "", "O")]:
            m = _CONLL_TAG.match(tag)
            if m and m.group(1) == "I" and label == f"{int(m.group(2))}.{int(m.group(3))}" and d == doc:
                span.append(tok)
                continue
            if span and label:
                out.append(Example(" ".join(span), label, doc, context, source=p.name))
            span, label = [], None
            if m:
                span, label, doc = [tok], f"{int(m.group(2))}.{int(m.group(3))}", d
        sentence.clear()

    for lineno, line in enumerate(_read_text(p).splitlines(), 1):
        if not line.strip():
            flush()
            continue
        cols = line.split("\t")
        if len(cols) < 4:
            raise InputError(f"expected 4 tab-separated columns (document, token, POS, tag), found {len(cols)}",
                             source=str(p), line=lineno)
        doc, token, tag = cols[0], cols[1], cols[-1].strip()
        if sentence and sentence[-1][0] != doc:
            flush()
        sentence.append((doc, token, tag))
    flush()
    return out


def read_hbcp(paths: Sequence[str | Path]) -> list[Example]:
    """HBCP examples from EPPI JSON (``.json``) and CoNLL (any other suffix) files."""
    out: list[Example] = []
    for path in paths:
        p = _check_file(path)
        files = sorted(f for f in p.iterdir() if f.suffix in (".json", ".tsv", ".conll")) if p.is_dir() else [p]
        for f in files:
            out.extend(read_hbcp_eppi(f) if f.suffix.lower() == ".json" else read_hbcp_conll(f))
    return out


# -------------------------------------------------------------------------------------------------- ESConv

ESCONV_CONTEXTS = ("seeker", "previous", "previous-role")
ESCONV_ROLES = {"usr": "Seeker", "sys": "Supporter"}


def read_esconv(path: str | Path, *, context_turns: int = 1, context: str = "seeker") -> list[Example]:
    """Supporter turns of an ESConv JSON-lines file, labelled with their strategy.

    ``context="seeker"`` (the default): the help-seeker's turns since the supporter last spoke (at most
    ``context_turns`` blocks of seeker turns, most recent last); for a supporter turn that follows another,
    the last seeker block. ``"previous"``: the turn just before, whoever spoke it (consecutive turns of one
    speaker are one turn), as transcripts give it; ``"previous-role"``: the same, prefixed with the speaker's
    role (``"Seeker: ..."``, ``"Supporter: ..."``).
    """
    if context not in ESCONV_CONTEXTS:
        raise InputError(f"unknown ESConv context {context!r} (choose from {', '.join(ESCONV_CONTEXTS)})")
    p = _check_file(path)
    out: list[Example] = []
    for lineno, line in enumerate(_read_text(p).splitlines(), 1):
        if not line.strip():
            continue
        try:
            dialogue = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"not valid JSON ({exc.msg})", source=str(p), line=lineno) from None
        turns = dialogue.get("dialog") if isinstance(dialogue, dict) else None
        if not isinstance(turns, list):
            raise InputError("no 'dialog' list", source=str(p), line=lineno)
        group = f"{p.stem}:{lineno}"
        blocks: list[list[str]] = []
        said: list[tuple[str, list[str]]] = []      # (speaker, texts) of every turn so far, merged by speaker
        last_speaker = None
        for turn in turns:
            speaker, text = turn.get("speaker"), _clean(str(turn.get("text") or ""))
            if speaker == "usr":
                if last_speaker != "usr" or not blocks:
                    blocks.append([])
                blocks[-1].append(text)
            elif speaker == "sys" and turn.get("strategy") and text:
                if context == "seeker":
                    before = " ".join(" ".join(b) for b in blocks[-context_turns:]) if blocks else None
                elif said:
                    who, texts = said[-1]
                    before = " ".join(texts)
                    if context == "previous-role" and before:
                        before = f"{ESCONV_ROLES.get(who, who)}: {before}"
                else:
                    before = None
                out.append(Example(text, str(turn["strategy"]), group, before or None, source=p.name))
            if speaker in ESCONV_ROLES and text:
                if said and said[-1][0] == speaker:
                    said[-1][1].append(text)
                else:
                    said.append((speaker, [text]))
            last_speaker = speaker
    return out


# ------------------------------------------------------------------------------------------- PA counseling

def read_pa_counseling(paths: Sequence[str | Path] | str | Path, *, include_none: bool = True,
                       stats: dict | None = None) -> list[Example]:
    """Coach sentences of the PA coaching dialogues (``.xlsx`` files or folders of them)."""
    import openpyxl

    if isinstance(paths, (str, Path)):
        paths = [paths]
    files: list[Path] = []
    for path in paths:
        p = _check_file(path)
        files.extend(sorted(p.rglob("*.xlsx")) if p.is_dir() else [p])
    out: list[Example] = []
    skipped = 0
    for f in files:
        try:
            wb = openpyxl.load_workbook(f, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises many kinds on a bad file
            raise InputError(f"cannot read workbook ({exc.__class__.__name__})", source=str(f)) from None
        try:
            rows = list(wb.worksheets[0].iter_rows(values_only=True))
        finally:
            wb.close()
        if not rows:
            continue
        header = [str(h).strip().lower() if h is not None else "" for h in rows[0]]
        try:
            col = {k: header.index(k) for k in ("speaker", "utterance", "strategy1")}
        except ValueError:
            raise InputError("expected columns Speaker, Utterance, Strategy1", source=str(f)) from None
        col2 = header.index("strategy2") if "strategy2" in header else None
        speaker: str | None = None
        participant: list[str] = []
        for row in rows[1:]:
            def cell(i, row=row):
                return row[i] if i is not None and i < len(row) else None
            raw = cell(col["speaker"])
            if raw is not None and str(raw).strip():
                value = str(raw).strip()
                value = value[:-2] if value.endswith(".0") else value
                new = value if value in ("1", "2") else None
                if new == "2" and speaker != "2":
                    participant = []
                speaker = new
            text = _clean(str(cell(col["utterance"]) or ""))
            if not text:
                skipped += 1
                continue
            if speaker is None:
                skipped += 1
                continue
            if speaker == "2":
                participant.append(text)
                continue
            label = str(cell(col["strategy1"]) or "").strip() or "None"
            second = str(cell(col2) or "").strip()
            if label == "None" and not include_none:
                continue
            out.append(Example(text, label, f.stem, " ".join(participant[-2:]) or None,
                               extra=(second,) if second and second != "None" else (), source=f.name))
    if stats is not None:
        stats["skipped"] = skipped
    return out


# ----------------------------------------------------------------------------------------------- discovery

def _shared_dirs() -> list[Path]:
    out = []
    env = os.environ.get("BCTCODER_CORPORA")
    if env:
        out.append(Path(env))
    cwd = Path.cwd()
    out += [cwd / "shared" / "corpora", cwd.parent / "shared" / "corpora"]
    return out


_DEFAULT_FILES = {
    "hbcp": ("hbcp/physical_activity_62_papers.json",),
    "esconv": ("esconv/train.jsonl",),
    "pa-counseling": ("pa_counseling/simulated_dialog",),
}


def default_corpus_files(name: str) -> list[Path]:
    """The corpus's usual files under $BCTCODER_CORPORA (or ./shared/corpora, ../shared/corpora)."""
    if name not in _DEFAULT_FILES:
        raise InputError(f"unknown corpus {name!r} (choose from {', '.join(CORPORA)})", source="--corpus")
    for base in _shared_dirs():
        found = [base / rel for rel in _DEFAULT_FILES[name]]
        if all(p.exists() for p in found):
            return found
    raise CorpusNotFound(f"no {name} corpus files given and none found under $BCTCODER_CORPORA, ./shared/corpora "
                         f"or ../shared/corpora: pass them with --train (and --test)")


def load_corpus(name: str, files: Iterable[str | Path], *, definitions: str | Path | None = None,
                include_none: bool = True, csv_columns: Any = None) -> Corpus:
    """Read a corpus's files into a :class:`Corpus` (examples, label set, the label mapping used)."""
    files = [Path(f) for f in files]
    if not files:
        raise CorpusNotFound(f"no {name} corpus files given")
    for f in files:
        _check_file(f)
    stats: dict = {}
    if name == "hbcp":
        examples = read_hbcp(files)
        labels = hbcp_labels(definitions)
        mapping = ("HBCP technique codes are BCTTv1 numbers, used as they are; HBCP's 4.5 'Advise to change "
                   "behaviour' (not in BCTTv1) is an extra label")
        if definitions is not None:
            mapping += "; label definitions: our descriptions + official BCTO definitions"
        else:
            mapping += "; label definitions: our descriptions and cue phrases only"
    elif name == "esconv":
        examples = []
        for f in files:
            examples += read_esconv(f)
        labels = esconv_labels()
        mapping = "ESConv's 8 supporter strategies as labels (no mapping to techniques)"
    elif name == "pa-counseling":
        examples = read_pa_counseling(files, include_none=include_none, stats=stats)
        labels = pa_labels(include_none)
        mapping = ("coach sentences labelled with Strategy1 (the most significant strategy; 'None' = no strategy"
                   + ("" if include_none else ", left out") + "); no mapping to techniques")
    elif name == "csv":
        from bctcoder.suggest.csv_corpus import CsvColumns, csv_labels, read_csv_corpus

        examples, stats["skipped"] = read_csv_corpus(files, csv_columns or CsvColumns())
        labels, mapping = csv_labels(examples)
    else:
        raise InputError(f"unknown corpus {name!r} (choose from {', '.join(CORPORA)})", source="--corpus")
    known = {info.id for info in labels}
    unknown = sorted({e.label for e in examples} - known)
    if unknown:
        labels = labels + [LabelInfo(u, u) for u in unknown]
        mapping += f"; labels without a description: {', '.join(unknown)}"
    return Corpus(name, examples, labels, mapping, [str(f) for f in files], stats.get("skipped", 0))
