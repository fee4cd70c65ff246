"""Ids in messages are escaped by one function everywhere (check findings, table rows, FASTA, the API),
and check keeps stdout for findings: errors of the run (UniProt, the offline cache) go to stderr."""

from __future__ import annotations

import pytest
from helpers import run_cli

import secannot
from secannot.errors import InputError
from secannot.io.diagnostics import escape_id

ODD = [("nul", "P1\x00X", "P1\\x00X"), ("ansi", "P1\x1b[31mX", "P1\\x1b[31mX"), ("tab", "P1\tX", "P1\\tX"),
       ("zero-width", "P1\u200bX", "P1\\u200bX"), ("newline", "P1\nX", "P1\\nX"),
       ("line-separator", "P1\u2028X", "P1\\u2028X"), ("undecodable-byte", "P1\udc81X", "P1\\x81X")]


@pytest.mark.parametrize(("raw", "shown"), [(r, s) for _, r, s in ODD], ids=[n for n, _, _ in ODD])
def test_escape_id(raw, shown):
    assert escape_id(raw) == shown
    assert escape_id(shown) == shown  # printable text is left alone


@pytest.mark.parametrize(("raw", "shown"), [(r, s) for n, r, s in ODD if n != "undecodable-byte"],
                         ids=[n for n, _, _ in ODD if n != "undecodable-byte"])
def test_check_findings_show_ids_escaped_on_one_line(tmp_path, raw, shown):
    table = tmp_path / "t.tsv"
    cell = '"' + raw + '"' if "\n" in raw or "\t" in raw else raw  # a quoted cell may hold a tab or line break
    table.write_text(f"protein\tnote\n{cell}\tx\nP15692\ty\n", encoding="utf-8")
    res = run_cli(["check", table, "--id-column", "protein"])
    assert res.code == 1, res.err
    lines = res.out.splitlines()
    assert lines == [f"{table}:2: {shown}: not a valid UniProt accession"]


@pytest.mark.parametrize(("raw", "shown"), [(r, s) for n, r, s in ODD if n not in ("tab", "newline", "undecodable-byte")],
                         ids=[n for n, _, _ in ODD if n not in ("tab", "newline", "undecodable-byte")])
def test_id_list_findings_escaped(tmp_path, raw, shown):
    ids = tmp_path / "ids.txt"
    ids.write_text(f"{raw}\n", encoding="utf-8")
    res = run_cli(["check", ids])
    assert res.out == f"{ids}:1: {shown}: not a valid UniProt accession\n"


@pytest.mark.parametrize(("raw", "shown"), [("a\x00b", "a\\x00b"), ("a\x1bb", "a\\x1bb"), ("a\u202eb", "a\\u202eb")])
def test_api_error_shows_the_id_escaped(raw, shown):
    with pytest.raises(InputError) as info:
        secannot.predict([(raw, "MKKLLPTAAAGLLLLAAQPAMA")])
    message = str(info.value)
    assert shown in message and raw not in message
    assert message.isprintable()


def test_check_offline_cache_miss_goes_to_stderr(tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("P15692\nnot-an-id!\n")
    res = run_cli(["check", "--require", "secreted", ids, "--offline"])
    assert res.code == 6
    assert res.out == f"{ids}:2: not-an-id!: not a valid UniProt accession\n"  # only the list's own finding
    assert f"error: {ids}:1: P15692: cannot check --require: not in the offline cache" in res.err
