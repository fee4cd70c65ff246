"""The predict and annotate jobs, independent of the command line.

``run_job`` takes explicit configuration, sources and streams, writes the
output, and returns the exit code; the CLI only builds these arguments.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from typing import TYPE_CHECKING, BinaryIO, TextIO

from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
from secannot.errors import ExitCode, InputError, UsageError
from secannot.io.diagnostics import Diagnostics
from secannot.io.progress import ProgressBar
from secannot.io.writers import BINARY_FORMATS, make_writer, write_rendered_rows
from secannot.knowledge.annotate import annotate, uniprot_view
from secannot.knowledge.ruleset import RuleSet
from secannot.pipeline.chunk_job import ChunkOutput, ChunkTask, JobSpec, ProcessPool, serial, worker_for
from secannot.pipeline.fasta_job import chunk_tasks, emit
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
            self._fh = open_for_writing(self.path)
        return self._fh

    def close(self) -> None:
        if self._fh is not None:
            self._fh.close()

    def discard(self) -> None:
        """Close and remove a file this run created: an interrupted run must not leave half a table."""
        if self._fh is not None:
            self._fh.close()
            _remove(self.path)


@dataclass(frozen=True, slots=True)
class _OpenOutput:
    """A handle that is already open (Parquet's binary output), with the interface of :class:`_LazyOutput`."""

    handle: BinaryIO

    def open(self) -> BinaryIO:
        return self.handle

    def wanted(self, records: int, diag: Diagnostics) -> bool:
        return True


def open_for_writing(path: str, binary: bool = False):
    """``path`` opened for an output (UTF-8 text with LF line ends, or binary); InputError (exit 4) if it cannot be."""
    try:
        if binary:
            return open(path, "wb")  # noqa: SIM115 - the caller closes it
        return open(path, "w", encoding="utf-8", newline="\n")  # noqa: SIM115 - the caller closes it
    except OSError as exc:
        raise InputError(f"{path}: cannot write output ({exc.strerror})") from None


@contextmanager
def open_output(path: str | None, stdout: TextIO) -> Iterator[TextIO]:
    if path in (None, "-"):
        yield stdout
        return
    fh = open_for_writing(path)
    with fh:
        yield fh


def _ligand_receptor_source() -> str:
    from secannot.knowledge.ligrec import load_ligand_receptor

    return f"{load_ligand_receptor().version} consensus ligand-receptor pairs"


def load_rules(config: PredictConfig, diag: Diagnostics, annotate: bool = True) -> RuleSet:
    kinds = ("tme", "nonclassical") if annotate else ("nonclassical",)
    rules = RuleSet.load(config.rules_dirs, kinds=kinds, family_claims=config.family_claims)
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
    """Predict (and annotate) every input in order, write the output, return the exit code.

    FASTA inputs run chunk by chunk (``pipeline.chunk_job``) in this process,
    in ``jobs`` worker processes or on a Dask cluster; id inputs (UniProt)
    run here.  Either way rows come out in input order.
    """
    rules = load_rules(config.predict, diag, annotate=config.annotate)
    has_ids = any(s.kind in (ACCESSION, GENE) for s in sources)
    with ProgressBar(stderr or sys.stderr, config.progress and has_ids, "UniProt") as fetch_bar:
        stream = resolved_stream(sources, diag, stdin, config.uniprot, fetch_bar.update)
    sp_model = _sp_model(config.predict)
    provenance = run_provenance(config.predict, sp_model, input_summary(sources),
                                rules.version_summary(), stream.release,
                                _ligand_receptor_source() if config.annotate else None)
    spec = JobSpec(config.predict, config.fmt, config.annotate, provenance, config.safe_cells)
    if config.predict.dask is None:
        # This process runs the chunks (-j 1) or forks the workers that do (-j N): load the models once, here.
        worker_for(spec, rules, sp_model)
    columns = ANNOTATE_COLUMNS if config.annotate else PREDICT_COLUMNS
    part_dir = _part_dir(config)
    started = time.monotonic()
    with _executor(config.predict) as executor, _sink(config, stdout, part_dir) as out, \
            ProgressBar(stderr or sys.stderr, config.progress, "records") as bar:
        writers: list = []

        def writer():
            # Made at the first row, so that a run with nothing readable leaves no -o file behind.
            if not writers:
                writers.append(make_writer(config.fmt, out.open(), columns, provenance, config.safe_cells))
            return writers[0]

        write = (lambda rows: write_rendered_rows(writer(), rows)) if out is not None else _no_writer

        def tick(done: int) -> None:
            if bar.enabled:
                elapsed = time.monotonic() - started
                bar.update(done, None, done / elapsed if elapsed > 0 else None)

        done = 0
        for group in _groups(stream.sources):
            if group[0][1].kind == FASTA:
                tasks = chunk_tasks(group, stdin, spec, executor.workers, part_dir, config.predict.dask is None)
                done += emit(executor.run(tasks), stream.seen, diag, write, lambda n, base=done: tick(base + n))
                continue
            predictor = worker_for(spec, rules, sp_model).predictor
            for index, _ in group:
                for res in predict_stream(stream.records_of(index), config.predict, predictor):
                    _finish(res, config, rules, stream)
                    if out is None:
                        raise UsageError("-o DIR with --dask writes Parquet parts of FASTA files only; "
                                         "give UniProt ids without --dask")
                    writer().write(res)
                    done += 1
        if out is not None and (writers or out.wanted(done, diag)):
            writer().close(diag.rejections)
    elapsed = time.monotonic() - started
    diag.info(f"secannot: {done} records written, {len(diag.rejections)} rejected, {elapsed:.2f} s "
              f"({done / elapsed if elapsed > 0 else 0:,.0f} records/s)")
    return diag.exit_code


def _no_writer(rows: list) -> None:  # pragma: no cover - parts are written by the workers
    raise AssertionError("rows go to Parquet parts")


def _groups(sources: Sequence[Source]) -> list[list[tuple[int, Source]]]:
    """Runs of consecutive FASTA inputs and of id inputs, in order (FASTA runs share one task stream)."""
    groups: list[list[tuple[int, Source]]] = []
    for index, src in enumerate(sources):
        is_fasta = src.kind == FASTA
        if groups and (groups[-1][0][1].kind == FASTA) == is_fasta:
            groups[-1].append((index, src))
        else:
            groups.append([(index, src)])
    return groups


def _part_dir(config: JobConfig) -> str | None:
    """``-o DIR --format parquet`` with --dask: one Parquet part per chunk, written by the workers."""
    if config.predict.dask is None or config.fmt != "parquet" or not config.output or config.output == "-":
        return None
    if config.output.endswith(os.sep) or os.path.isdir(config.output):
        os.makedirs(config.output, exist_ok=True)
        return config.output
    return None


@contextmanager
def _sink(config: JobConfig, stdout: TextIO, part_dir: str | None) -> Iterator[object]:
    """Where the writer writes: a text handle, a binary handle for Parquet, or nothing for parts."""
    if part_dir is not None:
        yield None
        return
    if config.fmt not in BINARY_FORMATS:
        output = _LazyOutput(config.output, stdout)
        try:
            yield output
        except BaseException:  # Ctrl-C or an error mid-run: no truncated -o file is left behind
            output.discard()
            raise
        output.close()
        return
    from secannot.io.writers.parquet import require_pyarrow

    require_pyarrow()
    if config.output in (None, "-"):
        binary = getattr(stdout, "buffer", None)
        if binary is None:
            raise UsageError("--format parquet needs -o FILE (standard output is not a binary stream here)")
        yield _OpenOutput(binary)
        return
    fh = open_for_writing(config.output, binary=True)
    try:
        with fh:
            yield _OpenOutput(fh)
    except BaseException:  # Ctrl-C or an error mid-run: a Parquet file without its footer is unreadable
        _remove(config.output)
        raise


def _remove(path: str | None) -> None:
    if path is not None:
        with suppress(OSError):
            os.remove(path)


@contextmanager
def _executor(config: PredictConfig) -> Iterator[Executor]:
    if config.dask is not None:
        from secannot.pipeline.dask_job import DaskExecutor

        with DaskExecutor(config.dask) as ex:
            yield ex
    elif config.jobs > 1:
        with ProcessPool(config.jobs) as pool:
            yield Executor(pool.run, config.jobs)
    else:
        yield Executor(serial, 1)


@dataclass(frozen=True, slots=True)
class Executor:
    run: Callable[[Iterable[ChunkTask]], Iterator[ChunkOutput]]
    workers: int


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
    annotating = JobConfig(predict=config.predict, annotate=True)
    for res in predict_stream(stream, config.predict, predictor):
        _finish(res, annotating, rules, stream)
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

    from secannot.io.annotated import detect_format, is_parquet, load_annotated, load_parquet
    from secannot.io.fasta import STDIN_NAME
    from secannot.io.tables import decode_text, text_lines
    from secannot.pipeline.inputs import expand_sources

    rules = load_rules(config.predict, diag)
    predictor = Predictor(config.predict, rules)
    records: list[dict] = []
    for option, value in raw:
        if option not in ("input", "background"):
            sources = expand_sources([(option, value)], stdin_text)
            records += _annotate_sources(sources, config, io.stdin, diag, rules, predictor)
            continue
        if value != "-" and is_parquet(value):  # a Parquet file or Dask part directory written by secannot
            records += load_parquet(value, diag.warn)
            continue
        data = _read_all(value, io.stdin)
        text = decode_text(data[:65536])
        kind = detect_format(text)
        if kind is not None:
            document = _io.StringIO(decode_text(data))
            document.name = STDIN_NAME if value == "-" else value  # messages name the file, not <stdin>
            records += load_annotated(document, diag.warn)
        elif text.lstrip().startswith(">") or data[:2] == b"\x1f\x8b":
            # A regular file is opened again by name so that rejections name it; stdin and pipes (which
            # cannot be read twice) are replayed from the bytes already read.
            if value != "-" and os.path.isfile(value):
                source, stdin = Source(FASTA, value, value), None
            else:
                source, stdin = Source(FASTA, "-", value), _io.BufferedReader(_io.BytesIO(data))
            records += _annotate_sources([source], config, stdin, diag, rules, predictor)
        elif option == "background":
            from secannot.io.headers import split_accession
            from secannot.uniprot.accessions import iter_ids

            ids = list(iter_ids(text_lines(_io.BytesIO(data)), value))
            sources = [Source(ACCESSION if split_accession(i.text.split("|")[1] if i.text.count("|") >= 2 else i.text)
                              else GENE, i.text, value, i.line) for i in ids]
            records += _annotate_sources(sources, config, None, diag, rules, predictor)
        else:
            raise InputError(f"{value}: neither secannot output (TSV/JSONL/JSON) nor FASTA")
    inputs = tuple({"kind": option, "value": value} for option, value in raw)
    provenance = run_provenance(config.predict, predictor.sp_model, inputs, rules.version_summary(), None,
                                _ligand_receptor_source()).as_dict()
    return records, provenance


def _read_all(path: str, stdin: BinaryIO | None) -> bytes:
    from secannot.io.fasta import open_input

    with open_input(path, stdin) as (fh, _):
        return fh.read()


def predict_for_plot(raw: Sequence[tuple[str, str]], predict: PredictConfig, uniprot, io, diag: Diagnostics,
                     stdin_text) -> tuple[list[tuple[Result, object, object]], dict[str, object]]:
    """Results plus per-residue probabilities (and UniProt's Signal) for ``secannot plot``, and the thresholds."""
    from secannot.pipeline.inputs import expand_sources

    stream = resolved_stream(expand_sources(list(raw), stdin_text), diag, io.stdin, uniprot)
    predictor = Predictor(predict)
    records = list(stream)
    if not records:
        return [], predictor.thresholds()
    results = predictor.predict_batch(records)
    probs = predictor.sp_model.predict([r.seq for r in records], predictor.organism_index, positions=True,
                                       screen=False).position_probs
    out = []
    for res, p in zip(results, probs, strict=True):
        entry = stream.entries.get(res.id)
        out.append((res, p, entry.signal if entry is not None else None))
    return out, predictor.thresholds()
