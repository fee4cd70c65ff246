"""The parent's side of chunked FASTA input: cut inputs into tasks, then write the outputs in order.

The parent never parses sequences: it plans byte ranges (or, for stdin and
compressed files, passes raw bytes of whole records), and for every output
it checks duplicate ids (in input order, across all inputs), turns
chunk-relative line numbers into file line numbers, reports rejections and
writes the rendered rows.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator, Sequence

from secannot.errors import ExitCode, InputError, OutputError
from secannot.io.chunks import is_plain_file, plan_ranges, split_stream
from secannot.io.diagnostics import Diagnostics
from secannot.io.fasta import STDIN_NAME, open_input
from secannot.io.seen_ids import SeenIds
from secannot.pipeline.chunk_job import ChunkOutput, ChunkTask, JobSpec
from secannot.pipeline.inputs import Source

MIN_CHUNK = 1 << 14


def chunk_bytes_for(total: int, budget: int, workers: int) -> int:
    """Chunk size for ``total`` bytes of plain files: small inputs are still split among workers (about four
    chunks per worker, at least 16 KiB), but never finer than that needs.

    Sized on all the plain inputs of a run, not per file: every chunk has a fixed cost (a padded model
    block, a batch of each stage), so cutting each of many small files into eight pieces for ``-j 2``
    once cost a third more CPU than ``-j 1``.
    """
    if workers <= 1:
        return budget
    return max(MIN_CHUNK, min(budget, total // (4 * workers) + 1))


def chunk_tasks(sources: Sequence[tuple[int, Source]], stdin, spec: JobSpec, workers: int = 1,
                part_dir: str | None = None, can_stream: bool = True) -> Iterator[ChunkTask]:
    """Tasks for FASTA sources, in order; an input that cannot be read becomes an error task in its place."""
    part = 0
    sources = list(sources)
    total = sum(os.path.getsize(src.value) for _, src in sources if is_plain_file(src.value)) if workers > 1 else 0
    budget = chunk_bytes_for(total, spec.predict.chunk_bytes, workers)
    for index, src in sources:
        name = STDIN_NAME if src.value == "-" else src.value
        if is_plain_file(src.value):
            # absolute paths: a Dask worker may run in another directory
            for k, rng in enumerate(plan_ranges(os.path.abspath(src.value), budget)):
                path = os.path.join(part_dir, f"part-{part:05d}.parquet") if part_dir else None
                part += 1
                yield ChunkTask(name, rng, spec, index, k, path)
            continue
        unreadable = src.value != "-" and (not os.path.exists(src.value) or os.path.isdir(src.value))
        if not can_stream and not unreadable:  # no bytes of sequences through a Dask scheduler
            yield ChunkTask(name, b"", spec, index, 0, error=f"{name}: --dask reads plain FASTA files in byte ranges "
                            "(not stdin or compressed files); decompress it or run without --dask")
            continue
        yield from _stream_tasks(src, name, index, stdin, spec, part_dir, part)
        part += 100000  # stream parts are numbered apart from range parts


def _stream_tasks(src: Source, name: str, index: int, stdin, spec: JobSpec, part_dir: str | None,
                  part: int) -> Iterator[ChunkTask]:
    k = 0
    try:
        with open_input(src.value, stdin) as (fh, name):
            for k, data in enumerate(split_stream(fh, name, spec.predict.chunk_bytes)):
                path = os.path.join(part_dir, f"part-{part + k:05d}.parquet") if part_dir else None
                yield ChunkTask(name, data, spec, index, k, path)
    except InputError as exc:
        yield ChunkTask(name, b"", spec, index, k + 1, error=str(exc))


def emit(outputs: Iterable[ChunkOutput], seen: SeenIds, diag: Diagnostics, write: Callable[[list], None],
         tick: Callable[[int], None] | None = None) -> int:
    """Account for every record of every output, in order; returns the number of rows written.

    ``write`` takes the rows of one output (a list, in order) at a time."""
    written = 0
    line_base = index_base = 0
    current, skipping = -1, False
    for out in outputs:
        if out.source_index != current:
            current, skipping, line_base, index_base = out.source_index, False, 0, 0
        if skipping:
            continue
        if out.output_error is not None:  # the output cannot be written: the run stops
            raise OutputError(out.output_error)
        if out.error is not None:
            diag.unreadable(out.source, out.error, ExitCode.INPUT)
            skipping = True  # the input as a whole is unusable: nothing more from it
            continue
        written += _emit_one(out, seen, diag, write, line_base, index_base)
        line_base += out.n_lines
        index_base += len(out.items)
        if tick is not None:
            tick(written)
    return written


def _emit_one(out: ChunkOutput, seen: SeenIds, diag: Diagnostics, write: Callable[[list], None],
              line_base: int, index_base: int) -> int:
    records = [(rid, line_base + line) for rid, line, _ in out.items if rid is not None]
    firsts = iter(seen.check([r for r, _ in records], out.source, [line for _, line in records]))
    rows: list = []
    dropped: list[int] = []
    k_record = 0
    for k, (rid, line, payload) in enumerate(out.items, 1):
        line += line_base
        if rid is None:
            name, reason = payload
            diag.reject(out.source, line, name or f"record #{index_base + k}", reason)
            continue
        first = next(firsts)
        if first is not None:
            diag.reject(out.source, line, rid, f"duplicate id (first seen at {first})")
            dropped.append(k_record)
        else:
            rows.append(payload)
        k_record += 1
    if dropped and out.part_path is not None:
        _drop_rows(out.part_path, dropped)
    if rows and out.part_path is None:
        write(rows)
    return len(rows)


def _drop_rows(path: str, rows: list[int]) -> None:
    """Rewrite a Parquet part without the rows of duplicate ids (rare: only when the input has them)."""
    from secannot.io.writers.parquet import require_pyarrow

    pa, pq = require_pyarrow()
    table = pq.read_table(path)
    keep = sorted(set(range(table.num_rows)) - set(rows))
    pq.write_table(table.take(pa.array(keep, type=pa.int64())), path)
