"""Input faults (issue 14), one parametrised test per kind.

Each expected value is the right behaviour, written down from the input, never
an output of the code: the ids a file holds, the records a broken one must
still give, the exit code the README documents.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys

import pytest
from helpers import EXAMPLE_FASTA, REPO, run_cli

from secannot.errors import ExitCode
from secannot.io.diagnostics import Diagnostics, Rejection
from secannot.io.fasta import Record, accept, parse_fasta
from secannot.io.seen_ids import SeenIds

SP = "MKLLTSLALLAVLAAGASAQ"  # a textbook signal peptide start
CYTO = "MSDQEAKPTEVKRGLEDVAKK"


def _parse(data: bytes) -> list[Record | Rejection]:
    return list(parse_fasta(io.BytesIO(data), "t.fa"))


def _has_control(text: str) -> bool:
    return any(ord(c) < 32 and c not in "\t\n" or 0x7F <= ord(c) <= 0x9F for c in text)


# -- 1. line endings ---------------------------------------------------------------------------
@pytest.mark.parametrize("eol", ["\r", "\r\n", "\n", "\n\r"], ids=["cr", "crlf", "lf", "lfcr"])
@pytest.mark.parametrize("trailing", [True, False], ids=["final-eol", "no-final-eol"])
def test_every_line_end_style_gives_every_record(eol, trailing):
    text = eol.join([">s1 a", SP[:10], SP[10:], ">s2 b", CYTO, ">s3", "MKV"]) + (eol if trailing else "")
    items = _parse(text.encode())
    assert [(r.id, r.sequence) for r in items] == [("s1", SP), ("s2", CYTO), ("s3", "MKV")]


def test_cr_only_file_through_the_cli():
    res = run_cli(["predict", "-"], stdin=f">s1 a\r{SP}\r>s2 b\r{CYTO}\r".encode())
    assert res.code == 0, res.err
    assert [row[0] for row in res.rows[1:]] == ["s1", "s2"]


# -- 3. header encoding ------------------------------------------------------------------------
@pytest.mark.parametrize(
    "first, second",
    [
        (b"prot_\xe9", b"prot_\xe8"),  # Latin-1 e-acute / e-grave
        (b"\xff", b"\xfe"),
        (b"id\x93q\x94", b"id\x91q\x92"),  # Windows-1252 smart quotes
        (b"x\x81", b"x\x8d"),  # bytes Windows-1252 leaves undefined
        (b"prot_\xe9", "prot_\u00e8".encode()),  # one Latin-1, one UTF-8
        (b"prot_\xe9", "prot_\u00e9".encode()),  # the same letter: Windows-1252 and UTF-8
        ("prot_\u00e9".encode(), b"prot_\xe9"),  # the same, UTF-8 first
        (b"\x93q\x94", "\u201cq\u201d".encode()),  # smart quotes, both ways
    ],
)
def test_headers_that_are_not_utf8_keep_distinct_ids(first, second):
    data = b">" + first + b" one\n" + SP.encode() + b"\n>" + second + b" two\n" + CYTO.encode() + b"\n"
    stream = io.StringIO()
    diag = Diagnostics(stream)
    items = list(parse_fasta(io.BytesIO(data), "t.fa"))
    records = [r for r in items if isinstance(r, Record)]
    # whatever is decided per record, the two ids never collide and nothing is lost
    assert len(items) == 2
    if len(records) == 2:
        assert records[0].id != records[1].id
    accepted = list(accept(iter(items), diag, SeenIds()))
    assert "duplicate" not in stream.getvalue()
    assert len(accepted) + len(diag.rejections) == 2


@pytest.mark.parametrize(("header", "rid", "description"), [
    (b"prot_\xe9 caf\xe9", "prot_\\xe9", "prot_\\xe9 caf\u00e9"),  # the id shows the byte, the rest reads as cp1252
    (b"prot_\xe9 caf\xc3\xa9", "prot_\\xe9", "prot_\\xe9 caf\u00e9"),  # mixed: each byte keeps its own reading
    (b"\x93q\x94 GN=G\xe9ne", "\\x93q\\x94", "\\x93q\\x94 GN=G\u00e9ne"),
    (b"a\xa0x note", "a", "a\u00a0x note"),  # a Windows-1252 no-break space still ends the id
])
def test_non_utf8_header_is_read_losslessly(header, rid, description):
    (rec,) = _parse(b">" + header + b"\nMKV\n")
    assert isinstance(rec, Record)
    assert (rec.id, rec.description) == (rid, description)


@pytest.mark.parametrize("byte", [b"\x81", b"\x8d", b"\x8f", b"\x90", b"\x9d"])
def test_byte_windows_1252_leaves_undefined_is_named_as_a_byte(byte):
    (rej,) = _parse(b">x" + byte + b"y note\nMKV\n")
    assert isinstance(rej, Rejection)
    shown = f"\\x{byte[0]:02x}"
    assert rej.record == f"x{shown}y"
    assert rej.reason.startswith(f"header contains byte {shown}, which is neither UTF-8 nor Windows-1252")
    assert "control" not in rej.reason


# -- 4. control characters ---------------------------------------------------------------------
@pytest.mark.parametrize("control", [b"\x1b[31m", b"\x07", b"\x00", b"\x7f", b"\x08", "\u202e".encode(), "\u2066".encode(), "\u2028".encode()],
                         ids=["esc", "bel", "nul", "del", "bs", "rlo", "lri", "line-sep"])
@pytest.mark.parametrize("padding", [0, 5000], ids=["first-4k", "after-4k"])
def test_control_bytes_reject_only_their_record(control, padding):
    filler = "".join(f">pad{i}\n{CYTO}\n" for i in range(padding // 30))
    data = filler.encode() + b">ok1\n" + SP.encode() + b"\n>bad" + control + b"x note\nMKVLA\n>ok2\n" + CYTO.encode() + b"\n"
    res = run_cli(["predict", "-"], stdin=data)
    assert res.code == ExitCode.REJECTED
    ids = [row[0] for row in res.rows[1:]]
    assert ids[-2:] == ["ok1", "ok2"] and len(ids) == padding // 30 + 2
    assert "control characters" in res.err and "bad" in res.err
    assert not _has_control(res.out) and not _has_control(res.err)


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "json", "gff3"])
def test_control_characters_never_reach_any_output(fmt):
    data = b">a\x1bb\nMKV\n>ok\nMKVL\n>seq\nMK\x07V\n"
    res = run_cli(["predict", "-", "-f", fmt], stdin=data)
    assert res.code == ExitCode.REJECTED
    assert not _has_control(res.out) and not _has_control(res.err)
    assert len(res.err.splitlines()) == 2


# -- 11. terminal stops ------------------------------------------------------------------------
@pytest.mark.parametrize("tail, accepted", [("*", True), ("**", True), ("*\n*", True), ("*A", False), ("", True)])
def test_terminal_stops(tail, accepted):
    (item,) = _parse(f">x\nMKVLA{tail}\n".encode())
    assert isinstance(item, Record) is accepted
    if accepted:
        assert item.sequence == "MKVLA"
    else:
        assert "invalid character(s) '*'" in item.reason and "only at the end" in item.reason


# -- FASTA through Biopython ---------------------------------------------------------------------
def test_biopython_is_imported_for_fasta_but_not_for_version():
    code = (
        "import io, sys\n"
        "from secannot.cli import main\n"
        "main(['--version'], stdout=io.StringIO())\n"
        "assert 'Bio.SeqIO.FastaIO' not in sys.modules, 'imported by --version'\n"
        "from secannot.io.fasta import parse_fasta\n"
        "assert 'Bio.SeqIO.FastaIO' not in sys.modules, 'imported by the module'\n"
        "list(parse_fasta(io.BytesIO(b'>a\\nMKV\\n'), 'x'))\n"
        "assert 'Bio.SeqIO.FastaIO' in sys.modules\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 0, proc.stderr


def test_biopython_is_a_runtime_dependency():
    import tomllib

    deps = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]["dependencies"]
    assert any(d.lower().startswith("biopython") for d in deps)


def test_every_record_accounted_for_in_json(tmp_path):
    data = b">a\nMKV\n>\nMKV\n>b\nMK1\n>a\nMKV\n>c\x1b\nMKV\n>d\n"
    res = run_cli(["predict", "-", "-f", "json"], stdin=data)
    doc = json.loads(res.out)
    assert doc["counts"] == {"written": 1, "rejected": 5}


# -- 2. byte-order marks ----------------------------------------------------------------------
BOM = b"\xef\xbb\xbf"


@pytest.mark.parametrize("sep", ["\t", ",", ";"], ids=["tab", "comma", "semicolon"])
@pytest.mark.parametrize("bom", [BOM, b""], ids=["bom", "no-bom"])
def test_table_header_with_bom_finds_its_columns(tmp_path, sep, bom):
    table = tmp_path / "t.csv"
    rows = [["protein", "seq"], ["P1", SP + "LLLLLLLLKKK"], ["P2", CYTO]]
    table.write_bytes(bom + "\n".join(sep.join(r) for r in rows).encode() + b"\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq"])
    assert res.code == 0, res.err
    lines = res.out.splitlines()
    assert lines[0].split(sep)[:2] == ["protein", "seq"] and not lines[0].startswith("\ufeff")
    assert [line.split(sep)[0] for line in lines[1:]] == ["P1", "P2"]


@pytest.mark.parametrize("newline", [b"\n", b"\r\n"], ids=["lf", "crlf"])
def test_id_list_with_bom_checks_line_one_and_finds_duplicates(tmp_path, newline):
    path = tmp_path / "ids.txt"
    path.write_bytes(BOM + newline.join([b"P05067", b"P01308", b"Q9XXX1", b"P05067"]) + newline)
    res = run_cli(["check", path])
    assert res.code == ExitCode.FINDINGS
    assert res.out.splitlines() == [f"{path}:4: P05067: duplicate of line 1"]


def test_id_column_table_with_bom(tmp_path):
    path = tmp_path / "ids.csv"
    path.write_bytes(BOM + b"accession,note\nP05067,a\nP01308,b\nP05067,c\n")
    res = run_cli(["check", path, "--id-column", "accession"])
    assert res.out.splitlines() == [f"{path}:4: P05067: duplicate of line 2"]


def test_fasta_checked_with_bom(tmp_path):
    path = tmp_path / "ids.fa"
    path.write_bytes(BOM + b">P05067\nMKV\n>P05067\nMKV\n")
    res = run_cli(["check", path])
    assert res.out.splitlines() == [f"{path}:3: P05067: duplicate of line 1"]


# -- 5. GFF3 signal anchors ------------------------------------------------------------------
def _gff3_tm_lines(out: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in out.splitlines():
        cols = line.split("\t")
        if len(cols) == 9 and cols[2] == "transmembrane_polypeptide_region":
            found.setdefault(cols[0], []).append(line)
    return found


@pytest.mark.parametrize(
    "fasta",
    [
        b">sa1\nMFWWAWWWIFFMVIMWAVVAWMWIWRVPKMKI\n",
        b">sa2\nMALLLVAAVLLLAVALLWAGSPKERRQQEEQHHLSRDDSETSSKK\n",
        EXAMPLE_FASTA.read_bytes(),
    ],
    ids=["sa1", "sa2", "bundled-example"],
)
def test_gff3_has_one_line_per_tm_helix(fasta):
    tsv = run_cli(["predict", "-"], stdin=fasta)
    gff = run_cli(["predict", "-", "-f", "gff3"], stdin=fasta)
    header = tsv.rows[0]
    tm_count = {row[0]: int(row[header.index("tm_count")]) for row in tsv.rows[1:]}
    lines = _gff3_tm_lines(gff.out)
    assert {k: len(v) for k, v in lines.items()} == {k: n for k, n in tm_count.items() if n}
    for found in lines.values():
        assert len(set(found)) == len(found)
        assert sum("signal anchor" in line for line in found) <= 1


# -- 6. injection ------------------------------------------------------------------------------
@pytest.mark.parametrize("payload", ["BAD\n##FASTA\n>evil", "X\r\n>evil", "P0\x1b]0;pwned\x07", "A\u2028B\n#x"])
def test_gff3_rejection_comments_stay_one_line(payload):
    res = run_cli(["predict", "--uniprot", payload, "-f", "gff3", "--offline"])
    assert res.code == ExitCode.REJECTED
    for line in res.out.splitlines():
        assert line.startswith("#") and not line.startswith("##FASTA")
    assert sum(line.startswith("# rejected:") for line in res.out.splitlines()) == 1
    assert not _has_control(res.out) and not _has_control(res.err)


@pytest.mark.parametrize(
    "rid, safe",
    [("=HYPERLINK(1)", "'=HYPERLINK(1)"), ("+cmd", "'+cmd"), ("-x|y", "'-x|y"), ("@SUM(A1)", "'@SUM(A1)"),
     ("P05067", "P05067"), ("-1.5", "-1.5")],
)
def test_safe_cells_makes_formulas_inert(rid, safe):
    data = f">{rid}\n{SP}\n".encode()
    plain = run_cli(["predict", "-"], stdin=data)
    guarded = run_cli(["predict", "-", "--safe-cells"], stdin=data)
    assert plain.rows[1][0] == rid  # verbatim by default: pandas and R read the value as written
    assert guarded.rows[1][0] == safe


def test_safe_cells_in_annotated_tables(tmp_path):
    table = tmp_path / "t.tsv"
    table.write_text(f"protein\tseq\tnote\n=1+1\t{SP}\t@x\nok\t{CYTO}\t-2\n")
    res = run_cli(["annotate", "--tsv", table, "--id-column", "protein", "--sequence-column", "seq", "--safe-cells"])
    rows = res.rows
    assert [r[0] for r in rows[1:]] == ["'=1+1", "ok"]
    assert [r[2] for r in rows[1:]] == ["'@x", "-2"]


# -- 7. YAML alias bombs ---------------------------------------------------------------------
def _bomb(levels: int, width: int, mapping: bool) -> str:
    lines = ["schema_version: 1", 'rules_version: "1.0.0"', "kind: tme", "x0: &a0 [lol]"]
    for i in range(1, levels + 1):
        refs = ", ".join(f"k{j}: *a{i - 1}" for j in range(width)) if mapping else ", ".join([f"*a{i - 1}"] * width)
        lines.append(f"x{i}: &a{i} {{{refs}}}" if mapping else f"x{i}: &a{i} [{refs}]")
    lines.append(f"entries: [{{gene: VEGFA, accession: P15692, cell_sources: *a{levels}}}]")
    return "\n".join(lines) + "\n"


BOMBS = [
    pytest.param(_bomb(6, 10, False), id="nested-lists"),
    pytest.param(_bomb(6, 10, True), id="nested-mappings"),
    pytest.param(_bomb(1, 1, False), id="one-harmless-alias"),
    pytest.param("schema_version: 1\nkind: tme\nrules_version: '1'\nbase: &b {value: x}\nentries:\n"
                 "  - {gene: VEGFA, accession: P15692, <<: *b}\n", id="merge-key"),
]


@pytest.mark.parametrize("text", BOMBS)
def test_rules_lint_refuses_aliases_with_exit_5(tmp_path, text):
    path = tmp_path / "bomb.yaml"
    path.write_text(text)
    res = run_cli(["rules", "lint", path])
    assert res.code == ExitCode.RULES
    assert f"{path}:" in res.out and "aliases" in res.out


@pytest.mark.parametrize("text", BOMBS)
@pytest.mark.parametrize("command", ["predict", "annotate"])
def test_rules_option_refuses_aliases_with_exit_5(tmp_path, text, command):
    (tmp_path / "r").mkdir()
    (tmp_path / "r" / "bomb.yaml").write_text(text)
    res = run_cli([command, "-", "--rules", tmp_path / "r"], stdin=f">a\n{SP}\n".encode())
    assert res.code == ExitCode.RULES
    assert "aliases" in res.err and len(res.err.splitlines()) == 1
    assert res.out == ""


def test_an_asterisk_in_a_quoted_value_is_not_an_alias(tmp_path):
    from secannot.knowledge.schema import refuse_aliases

    refuse_aliases('note: "5* more"\nlist: ["*a"]\n', "f.yaml")  # no exception


# -- 9. exit codes and outputs of failed runs ------------------------------------------------
@pytest.mark.parametrize(
    "args",
    [
        ["plot", "P05067", "--offline", "--out", "{tmp}/p.png"],
        ["plot", "P05067", "Q9XXX9", "--offline", "--out", "{tmp}/p.png"],
        ["summarize", "--uniprot", "P05067", "--offline"],
        ["summarize", "--uniprot", "P05067,P01308", "--offline", "-f", "json"],
        ["predict", "--uniprot", "P05067", "--offline"],
        ["annotate", "--gene", "APP", "--offline"],
    ],
    ids=["plot", "plot-two", "summarize", "summarize-json", "predict", "annotate-gene"],
)
def test_offline_cache_miss_exits_6(tmp_path, args):
    pytest.importorskip("matplotlib")
    res = run_cli([a.replace("{tmp}", str(tmp_path)) for a in args])
    assert res.code == ExitCode.NETWORK, res.err
    assert "offline cache" in res.err


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "json", "gff3"])
@pytest.mark.parametrize("inputs", [["/nonexistent/x.fa"], ["/nonexistent/x.fa", "/nonexistent/y.fa"]], ids=["one", "two"])
def test_unreadable_input_leaves_no_output_file(tmp_path, fmt, inputs):
    out = tmp_path / "out.txt"
    res = run_cli(["predict", *inputs, "-o", out, "-f", fmt])
    assert res.code == ExitCode.INPUT
    assert not out.exists()


def test_output_file_still_written_when_one_input_is_readable(tmp_path):
    good = tmp_path / "g.fa"
    good.write_text(f">a\n{SP}\n")
    out = tmp_path / "out.tsv"
    res = run_cli(["predict", "/nonexistent/x.fa", good, "-o", out])
    assert res.code == ExitCode.INPUT
    assert [line.split("\t")[0] for line in out.read_text().splitlines()] == ["id", "a"]


@pytest.mark.parametrize(
    "inputs, stdin, expected",
    [
        (["/nonexistent/x.fa", "-"], f">a\n{SP}\n".encode(), [("/nonexistent/x.fa", "no such file")]),
        (["-", "/nonexistent/x.fa"], f">a\n{SP}\n".encode(), [("/nonexistent/x.fa", "no such file")]),
    ],
    ids=["missing-then-good", "good-then-missing"],
)
def test_json_lists_unreadable_inputs_under_rejected(inputs, stdin, expected):
    res = run_cli(["predict", *inputs, "-f", "json"], stdin=stdin)
    assert res.code == ExitCode.INPUT
    doc = json.loads(res.out)
    assert [(r["source"], r["reason"]) for r in doc["rejected"]] == expected
    assert doc["counts"]["rejected"] == len(expected)


@pytest.mark.parametrize("fmt", ["tsv", "jsonl", "json", "gff3"])
@pytest.mark.parametrize("inputs, stdin", [
    (["/nonexistent/x.fa"], b""),
    (["-"], b"not fasta\n"),
    (["-"], b"\x00\x01\x02binary"),
    (["-"], b"\x1f\x8b\x08\x00truncated gzip"),
    (["/nonexistent/x.fa", "/nonexistent/y.fa"], b""),
], ids=["missing", "not-fasta", "binary", "truncated-gz", "two-missing"])
def test_no_input_readable_writes_nothing_to_stdout(fmt, inputs, stdin):
    """Exit 4 with no record: no header, no ##gff-version, no empty JSON document (stderr names the input)."""
    res = run_cli(["predict", *inputs, "-f", fmt], stdin=stdin)
    assert res.code == ExitCode.INPUT
    assert res.out == ""
    assert res.err.startswith("error: ")


def _rule_dirs(tmp_path, change):
    from secannot.knowledge.ruleset import bundled_dir

    old, new = tmp_path / "old", tmp_path / "new"
    old.mkdir()
    new.mkdir()
    text = (bundled_dir() / "tme_growth_factors.yaml").read_text()
    (old / "tme.yaml").write_text(text)
    (new / "tme.yaml").write_text(change(text))
    return old, new


@pytest.mark.parametrize(
    "change, differs",
    [
        (lambda t: t, False),
        (lambda t: t.replace("# ", "#  ", 1), False),  # a comment is not a claim
        (lambda t: t.replace("gene: VEGFA", "gene: VEGFA_X", 1), True),
    ],
    ids=["identical", "comment-only", "entry-renamed"],
)
@pytest.mark.parametrize("fmt", ["text", "json"])
def test_rules_diff_exit_code(tmp_path, change, differs, fmt):
    old, new = _rule_dirs(tmp_path, change)
    plain = run_cli(["rules", "diff", old, new, "-f", fmt])
    strict = run_cli(["rules", "diff", old, new, "-f", fmt, "--exit-code"])
    assert plain.code == 0
    assert strict.code == (ExitCode.FINDINGS if differs else 0)
    assert strict.out == plain.out


# -- 10. progress and NO_COLOR ------------------------------------------------------------------
class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@pytest.mark.parametrize(
    "env, shown",
    [({}, True), ({"NO_COLOR": "1"}, False), ({"NO_COLOR": "yes"}, False), ({"NO_COLOR": ""}, True),
     ({"TERM": "dumb"}, False), ({"SECANNOT_NO_PROGRESS": "1"}, False)],
)
def test_progress_bar_only_on_a_colour_terminal(monkeypatch, env, shown):
    from secannot.io.progress import wants_progress

    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.delenv("SECANNOT_NO_PROGRESS", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert wants_progress(_Tty(), quiet=False) is shown
    assert wants_progress(io.StringIO(), quiet=False) is False
    assert wants_progress(_Tty(), quiet=True) is False


def test_no_color_terminal_gets_no_bar_end_to_end(monkeypatch):
    from secannot.cli import main

    monkeypatch.setenv("NO_COLOR", "1")
    data = "".join(f">p{i}\n{SP}\n" for i in range(600)).encode()
    from helpers import BytesStdin

    out, err = io.StringIO(), _Tty()
    assert main(["predict", "-"], stdout=out, stderr=err, stdin=BytesStdin(data)) == 0
    assert err.getvalue() == ""


@pytest.mark.parametrize("first, second", [(b"prot_\xe9", b"prot_\xe8"), (b"x\x81", b"x\x8d"), (b"\xff", b"\xfe")])
def test_non_utf8_ids_in_lists_and_tables_stay_distinct(tmp_path, first, second):
    ids = tmp_path / "ids.csv"
    ids.write_bytes(b"protein,seq\n" + first + b"," + SP.encode() + b"\n" + second + b"," + CYTO.encode() + b"\n")
    res = run_cli(["check", ids, "--id-column", "protein", "--allow-genes"])
    assert "duplicate" not in res.out
    table = run_cli(["annotate", "--tsv", ids, "--id-column", "protein", "--sequence-column", "seq"])
    assert table.code == 0, table.err
    cells = [line.split(",")[0] for line in table.out.splitlines()[1:]]
    assert len(cells) == 2 and cells[0] != cells[1] and "\ufffd" not in "".join(cells)


def test_id_list_with_latin1_comment_is_read(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_bytes(b"\xef\xbb\xbfP05067  # caf\xe9\nP01308\n")
    from secannot.uniprot import read_id_list

    assert [i.text for i in read_id_list(ids)] == ["P05067", "P01308"]


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_fasta_with_bom_is_read(tmp_path, encoding):
    text = f">s1 a\r\n{SP}\r\n>s2\r\n{CYTO}\r\n"
    data = text.encode(encoding)
    if encoding != "utf-16":
        data = ("\ufeff".encode(encoding)) + data
    path = tmp_path / "ps.fa"
    path.write_bytes(data)
    res = run_cli(["predict", path])
    assert res.code == 0, res.err
    assert [row[0] for row in res.rows[1:]] == ["s1", "s2"]


@pytest.mark.parametrize(
    "data, ids, rejected",
    [
        (b">a\rMKV\n>b\r\nMKVL\r>c\nMK\n", ["a", "b", "c"], 0),  # mixed line ends in one file
        (b">a\nMKV\n>d", ["a"], 1),  # header at EOF without newline or sequence
        (b">a\nMK>V\n>b\nMKV\n", ["b"], 1),  # '>' inside a sequence line
        (b">a\xa0x\nMKV\n>b\nMKV\n", ["a", "b"], 0),  # Windows-1252 no-break space ends the id
        (b">a\nMK\x7fV\n>b\nMKV\n", ["b"], 1),  # DEL in a sequence
        (b"\n\n>a\n\nMKV\n\n>b\nMKV", ["a", "b"], 0),  # blank lines everywhere, no final newline
    ],
)
def test_more_fasta_shapes(data, ids, rejected):
    stream = io.StringIO()
    diag = Diagnostics(stream)
    items = list(accept(parse_fasta(io.BytesIO(data), "t.fa"), diag, SeenIds()))
    assert [r.id for r in items] == ids
    assert len(diag.rejections) == rejected
    assert not _has_control(stream.getvalue())


def _count_event_reads(monkeypatch) -> list[str]:
    """Each call of yaml.parse (the alias check reads the events with it; loading never does)."""
    import yaml

    calls: list[str] = []
    real = yaml.parse

    def counting(stream, *args, **kwargs):
        calls.append(stream[:20] if isinstance(stream, str) else "?")
        return real(stream, *args, **kwargs)

    monkeypatch.setattr(yaml, "parse", counting)
    return calls


@pytest.mark.parametrize("how", ["load", "diff", "lint"])
def test_aliases_are_looked_for_once_per_user_file(tmp_path, monkeypatch, how):
    from secannot.knowledge.lint import lint_paths
    from secannot.knowledge.ruleset import RuleSet, read_rule_dir

    text = (REPO / "tests" / "data" / "rules" / "override" / "tme_vegfa.yaml").read_text()
    (tmp_path / "tme_vegfa.yaml").write_text(text + "# 5* more: an asterisk, so the events are read\n")
    calls = _count_event_reads(monkeypatch)
    if how == "load":
        RuleSet.load([tmp_path], include_bundled=False)
    elif how == "diff":
        read_rule_dir(tmp_path, str(tmp_path))
    else:
        assert not [p for p in lint_paths([tmp_path]) if p.severity == "error"]
    assert len(calls) == 1
