"""``secannot check``: lint protein lists (id files, TSV columns, FASTA) like source code.

Findings are printed as ``file:line: id: message`` so that editors and
pre-commit show them next to the offending line.  Syntax and duplicate checks
are offline; ``--require`` predicts (offline for FASTA, through the UniProt
cache or network for ids).
"""

from __future__ import annotations

import io
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from secannot.errors import ExitCode, InputError, UsageError
from secannot.io.annotated import PARQUET_MAGIC
from secannot.io.diagnostics import Diagnostics, escape_id
from secannot.io.fasta import Record, open_input, parse_fasta
from secannot.io.headers import split_accession
from secannot.io.tables import column_index, raw_lines, read_header, table_rows

if TYPE_CHECKING:
    from secannot.pipeline.predictor import PredictConfig
    from secannot.uniprot import UniProtConfig

REQUIREMENTS = ("secreted", "classical", "annotated")
_GENE_SYNTAX = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-.@_")


@dataclass(frozen=True, slots=True)
class Finding:
    path: str
    line: int
    item: str
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {escape_id(self.item)}: {self.message}"  # one line, nothing invisible


@dataclass(frozen=True, slots=True)
class Item:
    """One protein named in a list: where, what was written, and its sequence if the file had one."""

    path: str
    line: int
    text: str
    record: Record | None = None
    problem: str | None = None  # set when the file itself rejected the record (a finding)
    rejected: str | None = None  # set when the item cannot be checked at all (a ragged table row): exit 3


@dataclass(frozen=True, slots=True)
class CheckConfig:
    id_column: str | None = None
    sep: str | None = None
    allow_genes: bool = False
    require: str | None = None
    predict: PredictConfig | None = None
    uniprot: UniProtConfig | None = None
    #: False: each file is its own set (overlapping panels); an id repeated within one file is still a finding
    across_files: bool = True


def _one_column_list(data: bytes, id_column: str) -> bool:
    """Whether a file given with ``--id-column`` is a plain id list all the same: its first line that is not a
    comment holds no delimiter and is not the column's name (one hook may check lists and tables together)."""
    for line in raw_lines(io.BytesIO(data)):
        content = line.split("#", 1)[0].strip()
        if content:
            return not any(sep in content for sep in ("\t", ",", ";")) and content != id_column
    return False


def read_items(path: str, config: CheckConfig, stdin: TextIO | None = None,
               kinds: list[str] | None = None) -> Iterator[Item]:
    """Every id in ``path``: FASTA records, one TSV/CSV column, or one id per line.

    With ``--id-column`` a FASTA file or a one-column id list is still read as what it is, so that lists and
    tables can be checked in one run; ``kinds`` (if given) gets 'fasta', 'table' or 'list' for the file.
    """
    kinds = kinds if kinds is not None else []
    if path != "-" and not Path(path).exists():
        raise InputError(f"{path}: no such file")
    with open_input(path, getattr(stdin, "buffer", None)) as (fh, name):
        data = fh.read()
    data = data.removeprefix(b"\xef\xbb\xbf")  # an Excel export's byte-order mark
    if not data.strip():
        return
    if _is_fasta(data):
        kinds.append("fasta")
        for rec in parse_fasta(io.BytesIO(data), name):
            if isinstance(rec, Record):
                yield Item(name, rec.line, rec.id, rec)
            else:
                yield Item(name, rec.line or 0, rec.record, None, rec.reason)
        return
    if config.id_column is not None and not _one_column_list(data, config.id_column):
        kinds.append("table")
        yield from _table_items(data, name, config)
        return
    kinds.append("list")
    _refuse_non_list(data, name)
    # raw_lines: a byte that is not UTF-8 stays that byte, shown as \xNN in findings (as in FASTA ids), not
    # read as the Windows-1252 letter it might be; line breaks are \n, \r\n or \r only (raw_lines): str.splitlines() would also break on form feeds,
    # U+0085 or U+2028 inside a line and shift every later line number away from what an editor shows
    for number, line in enumerate(raw_lines(io.BytesIO(data)), start=1):
        content = line.split("#", 1)[0].strip()
        if content:
            yield Item(name, number, content)


def _is_fasta(data: bytes) -> bool:
    """Whether the first line that is neither blank nor a comment (``;`` or ``#``, which FASTA files and id lists
    may both open with) is a FASTA header."""
    for line in io.BytesIO(data):
        text = line.strip()
        if text and not text.startswith((b";", b"#")):
            return text.startswith(b">")
    return False


def _refuse_non_list(data: bytes, name: str) -> None:
    """An id list has one id per line: a Parquet file, JSON Lines or a tab-separated table (secannot's own
    outputs among them) would otherwise become one "invalid id" finding per line.  Raises InputError."""
    first = data.lstrip().split(b"\n", 1)[0]
    if data.startswith(PARQUET_MAGIC):
        raise InputError(f"{name}: a Parquet file, not an id list; check reads FASTA, id lists and TSV/CSV "
                         "tables (--id-column NAME)")
    if first.startswith(b"{"):
        raise InputError(f"{name}: JSON (Lines), not an id list; check reads FASTA, id lists and TSV/CSV tables "
                         "(--id-column NAME)")
    if b"\t" in first:
        raise InputError(f"{name}: line 1 has tabs: a table, not an id list; give the id column, e.g. --id-column id")


def _table_items(data: bytes, name: str, config: CheckConfig) -> Iterator[Item]:
    """The ``--id-column`` cells of a table, read as ``annotate --tsv`` reads it (:mod:`secannot.io.tables`).

    Rows are named by the file line they start on.  A ragged row (a field count other than the header's)
    yields an item with ``rejected`` set, never classified nor counted for duplicates: which cell holds
    the id would be a guess (its ``text`` is only what stands in the id column's place, for the message).
    """
    lines = raw_lines(io.BytesIO(data))  # ids keep their non-UTF-8 bytes as such (\xNN in messages)
    head = read_header(lines, config.sep)
    if head is None:
        raise InputError(f"{name}: empty table (no header row)")
    sep, header = head
    col = column_index(header, config.id_column, name)
    for row in table_rows(lines, sep, len(header)):
        yield Item(name, row.line, row.cell(col), rejected=row.ragged_reason("checked"))


def _looks_like_gene(text: str) -> bool:
    return bool(text) and len(text) <= 20 and set(text) <= _GENE_SYNTAX and text[0].isalnum()


def _accession_of(text: str) -> str | None:
    parts = text.split("|")
    candidate = parts[1] if len(parts) >= 3 and parts[0] in ("sp", "tr") else text
    split = split_accession(candidate)
    return split[1] or split[0] if split else None


def check_files(paths: Sequence[str], config: CheckConfig, out: TextIO, diag: Diagnostics,
                stdin: TextIO | None = None) -> ExitCode:
    """Check ``paths`` as one set of lists, print the findings to ``out``; returns the exit code.

    An id named twice is a finding at its second mention: ``duplicate of line 3`` within a file, ``duplicate
    of a.ids:3`` at its first mention in a file when an earlier file named it (unless ``config.across_files``
    is False: panels that share proteins on purpose).  Errors: UsageError for an unknown
    ``require``; an unreadable file is an error on ``diag`` (exit 4) and the other files are still checked.
    """
    if config.require is not None and config.require not in REQUIREMENTS:
        raise UsageError(f"unknown --require {config.require!r}; choose one of {', '.join(REQUIREMENTS)}")
    findings: list[Finding] = []
    to_predict: list[tuple[Item, str]] = []  # (item, key) for --require
    # one protein named in two of the files is a duplicate too: `check a.ids b.ids` checks one set of lists
    first_file: dict[str, tuple[str, int]] = {}  # key -> (file, line) where it was first named
    kinds: list[str] = []  # what each readable file was: --id-column must have met a table
    for path in paths:
        seen: dict[str, int] = {}  # key -> line, in this file: a repeat here is named by its line
        try:
            items = list(read_items(path, config, stdin, kinds))
        except InputError as exc:
            diag.error(str(exc), ExitCode.INPUT)
            continue
        for item in items:
            if item.rejected is not None:  # named on stderr like any rejected record; not a finding
                diag.reject(item.path, item.line, item.text, item.rejected)
                continue
            key, problem = (item.text, item.problem) if item.problem else _classify(item, config)
            if problem:
                findings.append(Finding(item.path, item.line, item.text or "(empty)", problem))
                continue
            if key in seen:
                findings.append(Finding(item.path, item.line, item.text, f"duplicate of line {seen[key]}"))
                continue
            seen[key] = item.line
            if config.across_files:
                if key in first_file:
                    findings.append(Finding(item.path, item.line, item.text,
                                            "duplicate of {}:{}".format(*first_file[key])))
                    continue
                first_file[key] = (item.path, item.line)
            if config.require:
                to_predict.append((item, key))
    if config.id_column is not None and kinds and "table" not in kinds:
        raise UsageError(f"--id-column {config.id_column} is for tables, and none of the files is one (FASTA "
                         "records and id lists are checked by id): drop --id-column")
    if config.require and to_predict:
        findings += _requirement_findings(to_predict, config, diag)
    findings.sort(key=lambda f: (f.path, f.line))
    for f in findings:
        out.write(f"{f}\n")
    out.flush()
    if findings:
        diag.escalate(ExitCode.FINDINGS)
    return diag.exit_code


def _classify(item: Item, config: CheckConfig) -> tuple[str, str | None]:
    """(normalised key, problem or None)."""
    if item.record is not None:
        return item.record.id, None
    text = item.text
    if not text:
        return "", "empty id"
    acc = _accession_of(text)
    if acc:
        return acc, None
    if config.allow_genes and _looks_like_gene(text):
        return f"gene:{text.upper()}", None
    if _looks_like_gene(text):
        return text, "not a UniProt accession (gene symbols need --allow-genes)"
    return text, "not a valid UniProt accession"


def _requirement_findings(items: list[tuple[Item, str]], config: CheckConfig, diag: Diagnostics) -> list[Finding]:
    """Predict every listed protein and report those that miss the requirement."""
    from secannot.knowledge.annotate import annotate
    from secannot.knowledge.ruleset import RuleSet
    from secannot.pipeline.predictor import PredictConfig, Predictor

    predict_config = config.predict or PredictConfig()
    rules = RuleSet.load(predict_config.rules_dirs)
    records: dict[int, Record] = {}
    findings: list[Finding] = []
    ids = [(i, it, key) for i, (it, key) in enumerate(items) if it.record is None]
    for i, (it, _) in enumerate(items):
        if it.record is not None:
            records[i] = it.record
    if ids:
        from secannot.uniprot import UniProtClient, UniProtConfig

        with UniProtClient(config.uniprot or UniProtConfig(), log=diag.info) as client:
            accs = [(i, it, key) for i, it, key in ids if not key.startswith("gene:")]
            genes = [(i, it, key) for i, it, key in ids if key.startswith("gene:")]
            resolved = list(zip(accs, client.fetch([k for _, _, k in accs]), strict=True))
            resolved += list(zip(genes, client.map_genes([it.text for _, it, _ in genes]), strict=True))
        for (i, it, key), res in resolved:
            if res.entry is None:
                head, _, rest = res.message.partition(": ")  # the message starts with the id, already named
                found = Finding(it.path, it.line, it.text,
                                f"cannot check --require: {rest if rest and head in (it.text, key) else res.message}")
                if res.status.exit_code > ExitCode.REJECTED:  # UniProt unreachable, offline cache miss: an error
                    diag.error(str(found), res.status.exit_code)  # of the run, not of the list: stderr
                else:  # UniProt answered: no such entry, a problem of the list
                    findings.append(found)
                continue
            e = res.entry
            records[i] = Record(e.accession, e.fasta_header(), e.sequence.upper().encode("ascii"), "uniprot", 0)
    predictor = Predictor(predict_config, rules)
    order = sorted(records)
    results = predictor.predict_batch([records[i] for i in order]) if order else []
    for i, res in zip(order, results, strict=True):
        it = items[i][0]
        if config.require == "classical" and res.route != "classical":
            findings.append(Finding(it.path, it.line, it.text, "no signal peptide predicted (sp_prob "
                                    + (f"{res.sp_prob:.2f})" if res.sp_prob is not None else "not given: no standard residue)")))
        elif config.require == "secreted" and res.localization not in ("secreted", "non_classical_candidate"):
            findings.append(Finding(it.path, it.line, it.text, f"predicted {res.localization} ({'; '.join(res.evidence)})"))
        elif config.require == "secreted" and res.localization == "non_classical_candidate":
            # It passes (leaderless secretion is secretion), but the user is told it rests on nc_score or a rule.
            diag.warn(f"{it.path}:{it.line}: {escape_id(it.text)}: passes --require secreted as a non-classical (leaderless) "
                      f"candidate, without a signal peptide ({'; '.join(res.evidence)})")
        elif config.require == "annotated" and annotate(res, rules).entry is None:
            findings.append(Finding(it.path, it.line, it.text, "no tumour-microenvironment rule entry"))
    return findings
