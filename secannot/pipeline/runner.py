"""The predict and annotate jobs, independent of the command line.

``run_job`` takes explicit configuration, sources and streams, writes the
output, and returns the exit code; the CLI only builds these arguments.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, TextIO

from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
from secannot.errors import ExitCode, InputError
from secannot.io.diagnostics import Diagnostics
from secannot.io.progress import ProgressBar
from secannot.io.writers import make_writer
from secannot.knowledge.annotate import annotate, uniprot_view
from secannot.knowledge.ruleset import RuleSet
from secannot.pipeline.inputs import ACCESSION, FASTA, GENE, RecordStream, Source, resolved_stream
from secannot.pipeline.predictor import PredictConfig, Predictor, predict_stream
from secannot.pipeline.run_info import input_summary, run_provenance
from secannot.results import Result

if TYPE_CHECKING:
    from secannot.uniprot import UniProtConfig


@dataclass(frozen=True, slots=True)
class JobConfig:
    predict: PredictConfig
    fmt: str = "tsv"
    output: str | None = None  # None or '-' = stdout
    annotate: bool = False
    uniprot: UniProtConfig | None = None
    progress: bool = False
    safe_cells: bool = False  # TSV: make cells starting with = + - @ inert for spreadsheets


class _LazyOutput:
    """The ``-o`` file, created only when there is something to put in it.

    A run whose inputs could not be read at all (exit 4) must not leave a file
    with only a header behind, which a make rule or a pipeline would take for
    a real, empty result.  stdout is always written: the JSON document there
    names the unreadable input under ``rejected``.
    """

    def __init__(self, path: str | None, stdout: TextIO):
        self.path = None if path in (None, "-") else path
        self.stdout = stdout
        self._fh: TextIO | None = None

    def wanted(self, records: int, diag: Diagnostics) -> bool:
        return self.path is None or records > 0 or diag.exit_code < ExitCode.INPUT

    def open(self) -> TextIO:
        if self.path is None:
            return self.stdout
        if self._fh is None:
            try:
                self._fh = open(self.path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - closed in close()
            except OSError as exc:
                raise InputError(f"{self.path}: cannot write output ({exc.strerror})") from None
        return self._fh

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()


@contextmanager
def open_output(path: str | None, stdout: TextIO) -> Iterator[TextIO]:
    if path in (None, "-"):
        yield stdout
        return
    try:
        fh = open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115
    except OSError as exc:
        raise InputError(f"{path}: cannot write output ({exc.strerror})") from None
    with fh:
        yield fh


def _input_bytes(sources: Sequence[Source]) -> int | None:
    """Total size of plain FASTA inputs, for an ETA; None if any is stdin or compressed."""
    total = 0
    for src in sources:
        if src.kind != FASTA:
            continue
        if src.value == "-":
            return None
        try:
            with open(src.value, "rb") as fh:
                if fh.read(2) == b"\x1f\x8b":
                    return None
            total += os.path.getsize(src.value)
        except OSError:
            continue
    return total


def load_rules(config: PredictConfig, diag: Diagnostics, annotate: bool = True) -> RuleSet:
    kinds = ("tme", "nonclassical") if annotate else ("nonclassical",)
    rules = RuleSet.load(config.rules_dirs, kinds=kinds)
    for line in rules.overrides:
        diag.warn(line)
    return rules


def run_job(
    config: JobConfig,
    sources: Sequence[Source],
    stdout: TextIO,
    stdin: BinaryIO | None,
    diag: Diagnostics,
    stderr: TextIO | None = None,
) -> ExitCode:
    rules = load_rules(config.predict, diag, annotate=config.annotate)
    has_ids = any(s.kind in (ACCESSION, GENE) for s in sources)
    with ProgressBar(stderr or sys.stderr, config.progress and has_ids, "UniProt") as fetch_bar:
        stream = resolved_stream(sources, diag, stdin, config.uniprot, fetch_bar.update)
    predictor = Predictor(config.predict, rules) if config.predict.jobs <= 1 else None
    sp_model = predictor.sp_model if predictor else _sp_model(config.predict)
    provenance = run_provenance(config.predict, sp_model, input_summary(sources), rules.version_summary(),
                                stream.release)
    columns = ANNOTATE_COLUMNS if config.annotate else PREDICT_COLUMNS
    total_bytes = _input_bytes(sources)
    n_ids = sum(1 for s in sources if s.kind != FASTA)
    started = time.monotonic()
    output = _LazyOutput(config.output, stdout)
    try:
        writer = None
        with ProgressBar(stderr or sys.stderr, config.progress, "records") as bar:
            done = 0
            for res in predict_stream(stream, config.predict, predictor):
                _finish(res, config, rules, stream)
                if writer is None:
                    writer = make_writer(config.fmt, output.open(), columns, provenance, config.safe_cells)
                writer.write(res)
                done += 1
                if bar.enabled and done % 256 == 0:
                    elapsed = time.monotonic() - started
                    total = n_ids or None
                    if total_bytes and stream.bytes_read:
                        # records expected = records so far scaled by the share of input bytes read
                        total = max(done, int(done * total_bytes / stream.bytes_read))
                    bar.update(done, total, done / elapsed if elapsed > 0 else None)
        if writer is None and output.wanted(done, diag):
            writer = make_writer(config.fmt, output.open(), columns, provenance, config.safe_cells)
        if writer is not None:
            writer.close(diag.rejections)
    finally:
        output.close()
    elapsed = time.monotonic() - started
    diag.info(f"secannot: {done} records written, {len(diag.rejections)} rejected, {elapsed:.2f} s "
              f"({done / elapsed if elapsed > 0 else 0:,.0f} records/s)")
    return diag.exit_code


def _finish(res: Result, config: JobConfig, rules: RuleSet, stream: RecordStream) -> None:
    res.note = stream.notes.get(res.id)
    if config.annotate:
        res.annotation = annotate(res, rules)
        res.uniprot = uniprot_view(res, stream.entries.get(res.id), stream.release)


def _sp_model(config: PredictConfig):
    from secannot.models.signal_peptide import SignalPeptideModel

    return SignalPeptideModel.load(config.model_path)


def _annotate_sources(sources: Sequence[Source], config: JobConfig, stdin: BinaryIO | None, diag: Diagnostics,
                      rules: RuleSet, predictor: Predictor) -> list[dict]:
    from secannot.io.writers import result_dict

    stream = resolved_stream(sources, diag, stdin, config.uniprot)
    out = []
    for res in predict_stream(stream, config.predict, predictor):
        _finish(res, JobConfig(predict=config.predict, annotate=True), rules, stream)
        out.append(result_dict(res, ANNOTATE_COLUMNS))
    return out


def collect_annotated(raw: Sequence[tuple[str, str]], config: JobConfig, io, diag: Diagnostics,
                      stdin_text) -> tuple[list[dict], dict]:
    """Annotated records for ``summarize``: secannot output is read as is, anything else is annotated.

    ``raw`` holds (option, value) pairs as typed: FASTA or annotate-output files
    ('input'), id options, or a 'background' file that may also be a plain list
    of accessions or gene symbols.
    """
    import io as _io

    from secannot.io.annotated import detect_format, load_annotated
    from secannot.io.tables import decode_text
    from secannot.pipeline.inputs import expand_sources

    rules = load_rules(config.predict, diag)
    predictor = Predictor(config.predict, rules)
    records: list[dict] = []
    for option, value in raw:
        if option not in ("input", "background"):
            sources = expand_sources([(option, value)], stdin_text)
            records += _annotate_sources(sources, config, io.stdin, diag, rules, predictor)
            continue
        data = _read_all(value, io.stdin)
        text = decode_text(data[:65536])
        kind = detect_format(text)
        if kind is not None:
            records += load_annotated(_io.StringIO(decode_text(data)))
        elif text.lstrip().startswith(">") or data[:2] == b"\x1f\x8b":
            source = Source(FASTA, "-", value)
            records += _annotate_sources([source], config, _io.BufferedReader(_io.BytesIO(data)), diag, rules, predictor)
        elif option == "background":
            from secannot.io.headers import split_accession
            from secannot.uniprot.accessions import iter_ids

            ids = list(iter_ids(decode_text(data).splitlines(), value))
            sources = [Source(ACCESSION if split_accession(i.text.split("|")[1] if i.text.count("|") >= 2 else i.text)
                              else GENE, i.text, value, i.line) for i in ids]
            records += _annotate_sources(sources, config, None, diag, rules, predictor)
        else:
            raise InputError(f"{value}: neither secannot output (TSV/JSONL/JSON) nor FASTA")
    inputs = tuple({"kind": option, "value": value} for option, value in raw)
    provenance = run_provenance(config.predict, predictor.sp_model, inputs, rules.version_summary(), None).as_dict()
    return records, provenance


def _read_all(path: str, stdin: BinaryIO | None) -> bytes:
    from secannot.io.fasta import open_input

    with open_input(path, stdin) as (fh, _):
        return fh.read()


def predict_for_plot(raw: Sequence[tuple[str, str]], predict: PredictConfig, uniprot, io, diag: Diagnostics,
                     stdin_text) -> list[tuple[Result, object, object]]:
    """Results plus per-residue probabilities (and UniProt's Signal) for ``secannot plot``."""
    from secannot.pipeline.inputs import expand_sources

    stream = resolved_stream(expand_sources(list(raw), stdin_text), diag, io.stdin, uniprot)
    predictor = Predictor(predict)
    records = list(stream)
    if not records:
        return []
    results = predictor.predict_batch(records)
    probs = predictor.sp_model.predict([r.seq for r in records], predictor.organism_index, positions=True,
                                       screen=False).position_probs
    out = []
    for res, p in zip(results, probs, strict=True):
        entry = stream.entries.get(res.id)
        out.append((res, p, entry.signal if entry is not None else None))
    return out
