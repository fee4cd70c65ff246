"""UniProt client faults (issue 14, fault 8), against the fake server on 127.0.0.1 misbehaving on purpose.

No test here measures time: each asserts what the run reports and returns.
Without the limits under test, the trickle tests would run for minutes and the
huge-body ones would read hundreds of megabytes, so their passing is the check.
"""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest
import uniprot_server as fake_uniprot
from helpers import run_cli
from uniprot_server import Failure, Misbehaviour

from secannot.errors import ExitCode
from secannot.uniprot import Status, UniProtClient, UniProtConfig

uniprot_server = fake_uniprot.uniprot_server
SP = "MKLLTSLALLAVLAAGASAQ"


class Sleeps(list):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client_for(server, tmp_path: Path, log: list[str] | None = None, **overrides) -> tuple[UniProtClient, Sleeps]:
    settings = dict(base_url=server.url, cache_dir=tmp_path / "cache", backoff=0.01, max_retries=3, timeout=(2, 5))
    settings.update(overrides)
    sleeps = Sleeps()
    return UniProtClient(UniProtConfig(**settings), sleep=sleeps, log=None if log is None else log.append), sleeps


# -- trickling server: deadlines ---------------------------------------------------------------
@pytest.mark.parametrize("path", ["/uniprotkb/accessions", "/uniprotkb/P09000"], ids=["batch", "single"])
@pytest.mark.parametrize("limit", ["request", "run"])
def test_trickling_server_is_cut_off_by_a_deadline(uniprot_server, tmp_path, path, limit):
    uniprot_server.misbehave(path, Misbehaviour("trickle", delay=0.2), times=10)
    deadlines = {"request_deadline": 1.0} if limit == "request" else {"run_deadline": 1.0}
    client, _ = client_for(uniprot_server, tmp_path, **deadlines)
    results = client.fetch(["P09000", "P05067"])
    assert {r.status for r in results} <= {Status.UNAVAILABLE, Status.OK, Status.MERGED}
    cut = [r for r in results if r.status is Status.UNAVAILABLE]
    assert cut and all("deadline" in r.message for r in cut)
    assert f"{limit} deadline" in cut[0].message or "per-request" in cut[0].message


def test_fasta_rows_are_written_whatever_happens_to_the_ids(uniprot_server, tmp_path, monkeypatch):
    uniprot_server.misbehave("/uniprotkb/", Misbehaviour("trickle", delay=0.2), times=50)
    monkeypatch.setenv("SECANNOT_UNIPROT_DEADLINE", "1")
    fasta = tmp_path / "in.fa"
    fasta.write_text(f">mine\n{SP}\n")
    res = run_cli(["predict", fasta, "--uniprot", "P05067", "--uniprot-url", uniprot_server.url])
    assert res.code == ExitCode.NETWORK
    assert [row[0] for row in res.rows[1:]] == ["mine"]
    assert "P05067" in res.err and "deadline" in res.err


# -- Retry-After and the total wait ----------------------------------------------------------
@pytest.mark.parametrize("header", ["3600", "86400", "Wed, 21 Oct 2099 07:28:00 GMT"])
def test_long_retry_after_gives_up_at_once_and_says_so(uniprot_server, tmp_path, header):
    uniprot_server.fail("/uniprotkb/accessions", *[Failure(429, retry_after=header)] * 5)
    client, sleeps = client_for(uniprot_server, tmp_path, max_wait=30)
    (result,) = client.fetch(["P05067"])
    assert result.status is Status.UNAVAILABLE
    assert "Retry-After" in result.message and "try again later" in result.message
    assert sleeps == []


def test_total_wait_between_retries_is_capped(uniprot_server, tmp_path):
    uniprot_server.fail("/uniprotkb/accessions", *[Failure(503, retry_after="20")] * 10)
    client, sleeps = client_for(uniprot_server, tmp_path, max_retries=9, max_wait=30, max_total_wait=50)
    (result,) = client.fetch(["P05067"])
    assert result.status is Status.UNAVAILABLE and "50 s" in result.message
    assert sum(sleeps) <= 50 and sleeps == [20.0, 20.0]


# -- staying on the configured host --------------------------------------------------------
def _elsewhere(server) -> list[str]:
    port = server.url.rsplit(":", 1)[1]
    return [f"http://localhost:{port}", f"https://127.0.0.1:{port}", "http://example.invalid", f"ftp://127.0.0.1:{port}"]


@pytest.mark.parametrize("where", range(4), ids=["other-host", "other-scheme", "remote", "ftp"])
def test_gene_mapping_redirect_to_another_host_is_not_followed(uniprot_server, tmp_path, where):
    target = _elsewhere(uniprot_server)[where] + "/idmapping/uniprotkb/results/x"
    uniprot_server.misbehave("/idmapping/status/", Misbehaviour("redirect", location=target), times=5)
    client, _ = client_for(uniprot_server, tmp_path, email="me@example.org")
    (result,) = client.map_genes(["APP"])
    assert result.status is Status.UNAVAILABLE and "not followed" in result.message
    hosts = {r.headers.get("Host") for r in uniprot_server.requests}
    assert hosts == {uniprot_server.url.removeprefix("http://")}


@pytest.mark.parametrize("where", range(4), ids=["other-host", "other-scheme", "remote", "ftp"])
def test_next_link_to_another_host_is_not_followed(uniprot_server, tmp_path, where):
    target = _elsewhere(uniprot_server)[where] + "/uniprotkb/accessions?cursor=2"
    uniprot_server.misbehave("/uniprotkb/accessions", Misbehaviour("link", location=target))
    client, _ = client_for(uniprot_server, tmp_path, email="me@example.org")
    results = client.fetch(["P05067", "P52789", "P35372"])
    assert all(r.status is not Status.OK or r.entry is not None for r in results)
    assert any("not followed" in r.message for r in results)
    assert all(r.path.startswith("/uniprotkb") for r in uniprot_server.requests)


def test_foreign_link_host_gets_no_request(uniprot_server, tmp_path):
    """The other host is a real listening socket: nothing may connect to it."""
    with socket.socket() as trap:
        trap.bind(("127.0.0.1", 0))
        trap.listen(1)
        trap.settimeout(0.2)
        port = trap.getsockname()[1]
        uniprot_server.misbehave("/uniprotkb/accessions",
                                 Misbehaviour("link", location=f"http://127.0.0.1:{port}/uniprotkb/accessions"))
        client, _ = client_for(uniprot_server, tmp_path, email="me@example.org")
        client.fetch(["P05067", "P52789", "P35372"])
        with pytest.raises(TimeoutError):
            trap.accept()


# -- server-supplied merge targets and entries ------------------------------------------------
@pytest.mark.parametrize("targets", [["../../x"], ["P05067/../../x"], ["P05067?x=1"], [42], ["P05067\n##FASTA"],
                                     ["https://evil.example/P05067"]])
def test_invalid_merge_target_is_not_requested(uniprot_server, tmp_path, targets):
    uniprot_server.add_merged_into("Q99999", targets)
    client, _ = client_for(uniprot_server, tmp_path)
    (result,) = client.fetch(["Q99999"])
    assert result.status is Status.UNAVAILABLE and "invalid merge target" in result.message
    paths = [r.path for r in uniprot_server.requests]
    assert all(p in ("/uniprotkb/accessions", "/uniprotkb/Q99999.json") for p in paths), paths


def test_valid_merge_target_is_followed(uniprot_server, tmp_path):
    uniprot_server.add_merged_into("Q99999", ["P05067"])
    client, _ = client_for(uniprot_server, tmp_path)
    (result,) = client.fetch(["Q99999"])
    assert result.status is Status.MERGED and result.entry.accession == "P05067"


@pytest.mark.parametrize(
    "sequence, problem",
    [("MKV<script>alert(1)</script>", "invalid character(s)"), ("MKV1234", "'1'"), ("MKV PLA\nQ", None),
     ("MK-VA", "'-'"), ("", "no primaryAccession or sequence"), ("MKVA**", None), ("MKV\x1bA", "byte 0x1b")],
    ids=["html", "digits", "whitespace", "gap", "empty", "terminal-stops", "escape"],
)
def test_served_sequences_are_validated_like_fasta(uniprot_server, tmp_path, sequence, problem):
    uniprot_server.add_entry("Q88888", sequence)
    client, _ = client_for(uniprot_server, tmp_path)
    (result,) = client.fetch(["Q88888"])
    if problem is None:
        assert result.status is Status.OK
        assert set(result.entry.sequence) <= set("ACDEFGHIKLMNPQRSTVWYXBZJUO")
    else:
        assert result.status is Status.UNAVAILABLE and problem in result.message


def test_served_bad_sequence_is_never_predicted(uniprot_server, tmp_path):
    uniprot_server.add_entry("Q88888", "MKV<script>1234")
    res = run_cli(["predict", "--uniprot", "Q88888,P05067", "--uniprot-url", uniprot_server.url, "-f", "json"])
    doc = json.loads(res.out)
    assert [r["id"] for r in doc["records"]] == ["P05067"]
    assert [r["record"] for r in doc["rejected"]] == ["Q88888"]


# -- response size --------------------------------------------------------------------------
@pytest.mark.parametrize("declare", [True, False], ids=["content-length", "streamed"])
def test_huge_answer_is_capped(uniprot_server, tmp_path, declare):
    uniprot_server.misbehave("/uniprotkb/accessions", Misbehaviour("huge", size=50 << 20, declare_length=declare))
    client, _ = client_for(uniprot_server, tmp_path, max_response_bytes=1 << 20)
    (result,) = client.fetch(["P05067"])
    assert result.status is Status.UNAVAILABLE and "cap" in result.message


# -- unreachable: retries shown with -v ------------------------------------------------------
def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize("verbose", [True, False])
def test_retries_are_shown_with_verbose(monkeypatch, verbose):
    monkeypatch.setenv("SECANNOT_UNIPROT_RETRIES", "2")
    url = f"http://127.0.0.1:{_closed_port()}"
    res = run_cli(["predict", "--uniprot", "P05067", "--uniprot-url", url, *(["-v"] if verbose else [])])
    assert res.code == ExitCode.NETWORK
    retry_lines = [line for line in res.err.splitlines() if "retry" in line]
    assert len(retry_lines) == (2 if verbose else 0)
    if verbose:
        assert "connection failed" in retry_lines[0] and "retry 1 of 2" in retry_lines[0]
