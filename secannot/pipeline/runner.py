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
from typing import TYPE_CHECKING, BinaryIO, NamedTuple, TextIO

from secannot.columns import ANNOTATE_COLUMNS, PREDICT_COLUMNS
from secannot.errors import ExitCode, InputError, UsageError
from secannot.io.diagnostics import Diagnostics
from secannot.io.guarded import cannot_write
from secannot.io.progress import ProgressBar, isatty
from secannot.io.writers import BINARY_FORMATS, make_writer
from secannot.io.writers.output_file import OutputFile
from secannot.knowledge.annotate import annotate, uniprot_view
from secannot.knowledge.ruleset import RuleSet
from secannot.pipeline.chunk_job import ChunkOutput, ChunkTask, JobSpec, ProcessPool, serial, worker_for
from secannot.pipeline.fasta_job import chunk_tasks, emit
from secannot.pipeline.inputs import ACCESSION, FASTA, GENE, RecordStream, Source, resolved_stream
from secannot.pipeline.predictor import PredictConfig, Predictor, load_rule_set, predict_stream
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
    """The output, opened only when there is something to put in it; an ``-o`` file only appears on success.

    A run whose inputs could not be read at all (exit 4, no record) writes nothing, to stdout or to
    ``-o``: a header alone would pass for a real, empty result in a make rule or a pipeline (JSON too:
    stderr names the unreadable inputs).  An ``-o`` file is written beside its target and renamed into
    place when the run ends (:class:`~secannot.io.writers.output_file.OutputFile`), so a failed or
    interrupted run leaves the path as it was.
    """

    def __init__(self, path: str | None, stdout: TextIO | BinaryIO, binary: bool = False):
        self.stdout = stdout
        self.file = None if path in (None, "-") else OutputFile(path, binary)

    def wanted(self, records: int, diag: Diagnostics) -> bool:
        return records > 0 or diag.exit_code < ExitCode.INPUT

    def open(self):
        return self.stdout if self.file is None else self.file.open()

    def close(self) -> None:
        if self.file is not None:
            self.file.commit()

    def discard(self) -> None:
        if self.file is not None:
            self.file.discard()


@contextmanager
def open_output(path: str | None, stdout: TextIO) -> Iterator[TextIO]:
    """stdout, or ``path`` written beside itself and renamed into place if the block ends without an error.

    Errors: OutputError (exit 4) when the file cannot be written; on any exception nothing is left at ``path``.
    """
    if path in (None, "-"):
        yield stdout
        return
    with OutputFile(path) as fh:  # committed when the block ends cleanly, discarded on any exception
        yield fh


def _ligand_receptor_source() -> str:
    from secannot.knowledge.ligrec import load_ligand_receptor

    return f"{load_ligand_receptor().version} consensus ligand-receptor pairs"


def load_rules(config: PredictConfig, diag: Diagnostics, annotate: bool = True) -> RuleSet:
    rules = load_rule_set(config, annotate)
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
    part_dir = _part_dir(config, diag)
    started = time.monotonic()
    with _parts_removed_on_failure(part_dir), _executor(config.predict) as executor, \
            _sink(config, stdout, part_dir) as out, ProgressBar(stderr or sys.stderr, config.progress, "records") as bar:
        writers: list = []

        def writer():
            # Made at the first row, so that a run with nothing readable leaves no -o file behind.
            if not writers:
                writers.append(make_writer(config.fmt, out.open(), columns, provenance, config.safe_cells))
            return writers[0]

        write = (lambda rows: writer().write_rendered_many(rows)) if out is not None else _no_writer

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


def _part_dir(config: JobConfig, diag: Diagnostics) -> str | None:
    """``-o DIR --format parquet`` with --dask: one Parquet part per chunk, written by the workers.

    The directory is read as one data set (``pandas.read_parquet(DIR)``), so it must hold this run's
    parts only: see :func:`clear_old_parts`.
    """
    if config.predict.dask is None or config.fmt != "parquet" or not config.output or config.output == "-":
        return None
    if config.output.endswith(os.sep) or os.path.isdir(config.output):
        from secannot.io.writers.parquet import require_pyarrow

        require_pyarrow()  # exit 7 with the hint, before the directory is made or read
        try:
            os.makedirs(config.output, exist_ok=True)
        except OSError as exc:
            raise cannot_write(config.output, exc) from None
        clear_old_parts(config.output, diag)
        return config.output
    return None


def clear_old_parts(directory: str, diag: Diagnostics | None = None) -> None:
    """Remove the ``part-*.parquet`` files an earlier secannot run left in ``directory``; refuse anything else.

    A reader of the directory takes every ``*.parquet`` file in it as one table, so old parts would be
    mixed into this run's rows.  Only parts secannot wrote (their Parquet metadata holds secannot's
    provenance under the key ``secannot``) are removed; any other ``*.parquet`` file (or one that is
    not readable as Parquet) stops the run before anything is written.  Files not ending in
    ``.parquet`` and hidden ones (``.x``, ``_x``, which Parquet readers skip) are left alone.

    Errors: InputError (exit 4) naming the first foreign file.
    """
    ours, foreign = _parts(directory)
    if foreign:
        raise InputError(f"{directory}: holds {foreign[0]}, which is not a part secannot wrote; "
                         f"parts go to an empty directory or one holding only an earlier run's parts")
    for path in ours:
        try:
            os.remove(path)
        except OSError as exc:
            raise InputError(f"{path}: cannot remove an earlier run's part ({exc.strerror})") from None
    if ours and diag is not None:
        diag.warn(f"secannot: removed {len(ours)} part files of an earlier run from {directory}")


def _parts(directory: str) -> tuple[list[str], list[str]]:
    """(paths of the parts secannot wrote, names of any other ``*.parquet`` files) in ``directory``.

    A part is secannot's when it is named ``part-*`` and its Parquet metadata holds secannot's
    provenance (key ``secannot``); hidden files (``.x``, ``_x``), which Parquet readers skip, are neither.
    """
    import pyarrow.parquet as pq

    names = sorted(n for n in os.listdir(directory)
                   if n.endswith(".parquet") and not n.startswith((".", "_")))
    ours, foreign = [], []
    for name in names:
        path = os.path.join(directory, name)
        try:
            metadata = pq.read_schema(path).metadata or {}
        except (OSError, ValueError):  # pyarrow's ArrowInvalid is a ValueError
            metadata = {}
        if name.startswith("part-") and b"secannot" in metadata:
            ours.append(path)
        else:
            foreign.append(name)
    return ours, foreign


@contextmanager
def _parts_removed_on_failure(part_dir: str | None) -> Iterator[None]:
    """Around a run writing Parquet parts: if it fails or is interrupted, the parts it wrote go.

    A reader takes the directory as one table, so a partial set of valid parts would pass for the
    whole result.  The directory held no ``*.parquet`` file but hidden ones when the run began
    (``clear_old_parts`` refuses any other), so every ``part-*.parquet`` in it is this run's, the
    complete parts and those a full disk cut short (which do not read as Parquet) alike; this block
    ends after the cluster closed, when no worker writes any more.  Like ``-o FILE``, which is only
    renamed into place on success.
    """
    try:
        yield
    except BaseException:
        if part_dir is not None:
            with suppress(OSError):
                for name in os.listdir(part_dir):
                    if name.startswith("part-") and name.endswith(".parquet"):
                        with suppress(OSError):
                            os.remove(os.path.join(part_dir, name))
        raise


@contextmanager
def _sink(config: JobConfig, stdout: TextIO, part_dir: str | None) -> Iterator[object]:
    """Where the writer writes: a text handle, a binary handle for Parquet, or nothing for parts."""
    if part_dir is not None:
        yield None
        return
    binary = config.fmt in BINARY_FORMATS
    target = stdout
    if binary:
        from secannot.io.writers.parquet import require_pyarrow

        require_pyarrow()
        if config.output in (None, "-"):
            target = binary_stdout(stdout)
    output = _LazyOutput(config.output, target, binary)
    try:
        yield output
    except BaseException:  # Ctrl-C or an error mid-run: no truncated -o file is left behind
        output.discard()
        raise
    output.close()


def binary_stdout(stdout: TextIO) -> BinaryIO:
    """stdout's bytes for Parquet; UsageError (exit 2) on a terminal, where they would only garble the screen."""
    binary = getattr(stdout, "buffer", None)
    if binary is None:
        raise UsageError("--format parquet needs -o FILE (standard output is not a binary stream here)")
    if isatty(stdout):
        raise UsageError("--format parquet writes binary data: give -o FILE or redirect stdout (> out.parquet)")
    return binary


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


class Collected(NamedTuple):
    """What :func:`collect_annotated` gathered."""

    records: list[dict]
    #: this run's provenance (its rules, organism and thresholds: those of ``annotated_here``)
    provenance: dict
    #: how many of ``records`` this run annotated itself (FASTA, ids); the rest were read from secannot output
    annotated_here: int


def collect_annotated(raw: Sequence[tuple[str, str]], config: JobConfig, io, diag: Diagnostics,
                      stdin_text, predictor: Predictor | None = None) -> Collected:
    """Annotated records for ``summarize``: secannot output is read as is, anything else is annotated.

    ``raw`` holds (option, value) pairs as typed: FASTA or annotate-output files
    ('input'), id options, or a 'background' file that may also be a plain list
    of accessions or gene symbols.  ``predictor``: one built by the caller for ``config`` (its rules from
    :func:`load_rules`), so that a run that collects twice (the hits, then the background) loads its models and
    rules, and reports the rules' overrides, once; built here when None.
    """
    import io as _io

    from secannot.io.annotated import detect_format, is_parquet, load_annotated, load_parquet
    from secannot.io.fasta import STDIN_NAME
    from secannot.io.tables import decode_text, raw_lines
    from secannot.pipeline.inputs import expand_sources

    if predictor is None:
        predictor = Predictor(config.predict, load_rules(config.predict, diag))
    rules = predictor.rules
    records: list[dict] = []
    read_as_is = 0  # records of secannot output; the rest this run annotated
    for option, value in raw:
        if option not in ("input", "background"):
            sources = expand_sources([(option, value)], stdin_text)
            records += _annotate_sources(sources, config, io.stdin, diag, rules, predictor)
            continue
        if value != "-" and is_parquet(value):  # a Parquet file or Dask part directory written by secannot
            loaded = load_parquet(value, diag.warn)
            records += loaded
            read_as_is += len(loaded)
            continue
        data = _read_all(value, io.stdin)
        text = decode_text(data[:65536])
        kind = detect_format(text)
        if kind is not None:
            document = _io.StringIO(decode_text(data))
            document.name = STDIN_NAME if value == "-" else value  # messages name the file, not <stdin>
            loaded = load_annotated(document, diag.warn)
            records += loaded
            read_as_is += len(loaded)
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

            ids = list(iter_ids(raw_lines(_io.BytesIO(data)), value))  # a non-UTF-8 byte shown \xNN
            sources = [Source(ACCESSION if split_accession(i.text.split("|")[1] if i.text.count("|") >= 2 else i.text)
                              else GENE, i.text, value, i.line) for i in ids]
            records += _annotate_sources(sources, config, None, diag, rules, predictor)
        else:
            raise InputError(f"{value}: neither secannot output (TSV/JSONL/JSON) nor FASTA")
    inputs = tuple({"kind": option, "value": value} for option, value in raw)
    provenance = run_provenance(config.predict, predictor.sp_model, inputs, rules.version_summary(), None,
                                _ligand_receptor_source(), nc_model=predictor.nc_model).as_dict()
    return Collected(records, provenance, len(records) - read_as_is)


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
