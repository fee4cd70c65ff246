"""secannot.uniprot against a fake UniProt over real HTTP (tests/uniprot_server.py)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest
import uniprot_server as fake_uniprot
from helpers import SHARED as SHARED_ROOT
from uniprot_server import DATA_DIR, Failure, FakeUniProt

from secannot.errors import ExitCode, InputError, UsageError
from secannot.results import Segment
from secannot.uniprot import (
    Accession,
    AccessionSyntaxError,
    EntryFormatError,
    Status,
    UniProtCache,
    UniProtClient,
    UniProtConfig,
    default_cache_dir,
    is_accession,
    normalize,
    parse_accession,
    parse_entry,
    read_id_list,
)
from secannot.uniprot.idmapping import choose as _choose

uniprot_server = fake_uniprot.uniprot_server  # the fixture, under the name the tests ask for
SHARED = SHARED_ROOT / "uniprot"  # ../shared, or SECANNOT_SHARED
REPO = Path(__file__).resolve().parent.parent


def fixture(name: str) -> dict:
    return json.loads((DATA_DIR / f"{name}.json").read_text())


def shared(name: str) -> dict:
    path = SHARED / name
    if not path.exists():
        pytest.skip(f"{path} not present (shared UniProt downloads are optional)")
    return json.loads(path.read_text())


class Sleeps(list):
    """Records waits instead of sleeping, so backoff is observable and fast."""

    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def make_client(server: FakeUniProt, tmp_path: Path, **overrides) -> tuple[UniProtClient, Sleeps]:
    settings = dict(base_url=server.url, cache_dir=tmp_path / "cache", backoff=0.01, max_retries=3, timeout=(2, 5))
    settings.update(overrides)
    sleeps = Sleeps()
    return UniProtClient(UniProtConfig(**settings), sleep=sleeps), sleeps


# -- accession syntax ----------------------------------------------------------
@pytest.mark.parametrize(
    "text, expected",
    [
        ("P05067", Accession("P05067")),
        ("  p05067\n", Accession("P05067")),
        ("A0A0A0MRG2", Accession("A0A0A0MRG2")),
        ("Q8N726", Accession("Q8N726")),
        ("O01539", Accession("O01539")),
        ("P21802-2", Accession("P21802", isoform=2)),
        ("P05067.3", Accession("P05067", version=3)),
        ("P05067-4.1", Accession("P05067", isoform=4, version=1)),
        ("sp|P05067|A4_HUMAN", Accession("P05067")),
        ("tr|A0A0A0MRG2|A0A0A0MRG2_HUMAN", Accession("A0A0A0MRG2")),
        ("SP|P35372|OPRM_HUMAN", Accession("P35372")),
    ],
)
def test_valid_accessions(text: str, expected: Accession) -> None:
    assert parse_accession(text) == expected
    assert is_accession(text)


@pytest.mark.parametrize(
    "text, reason",
    [
        ("", "empty"),
        ("   ", "empty"),
        ("A4_HUMAN", "entry name"),
        ("APP", "not a UniProt accession"),
        ("P0506", "not a UniProt accession"),
        ("P050677", "not a UniProt accession"),
        ("O0553A", "not a UniProt accession"),  # O-, P-, Q- accessions end with a digit
        ("A0A0A0MRG", "not a UniProt accession"),
        ("P05067-", "not a UniProt accession"),
        ("P05067-X", "not a UniProt accession"),
        ("P05067.v2", "not a UniProt accession"),
        ("P05067 P52789", "whitespace"),
        ("P05067;", "not a UniProt accession"),
        ("ENSG00000142192", "not a UniProt accession"),
    ],
)
def test_invalid_accessions(text: str, reason: str) -> None:
    with pytest.raises(AccessionSyntaxError, match=reason):
        parse_accession(text)
    assert not is_accession(text)


def test_accession_key_drops_version_but_keeps_isoform() -> None:
    acc = parse_accession("p05067-4.2")
    assert (acc.key, str(acc)) == ("P05067-4", "P05067-4.2")
    assert normalize(" sp|P05067|A4_HUMAN ") == "P05067"


# -- id lists ------------------------------------------------------------------
def test_read_id_list_skips_comments_and_blank_lines(tmp_path: Path) -> None:
    path = tmp_path / "ids.txt"
    path.write_text(
        "\ufeff# my proteins\n"
        "P05067\n"
        "\n"
        "   \n"
        "P52789  # hexokinase\n"
        "P35372, P0DTR4\tQ9XXX9\n"
        ">sp|P05067|A4_HUMAN Amyloid-beta precursor protein OS=Homo sapiens\n"
        "#P99999\n"
    )
    ids = read_id_list(path)
    assert [(i.text, i.line) for i in ids] == [
        ("P05067", 2),
        ("P52789", 5),
        ("P35372", 6),
        ("P0DTR4", 6),
        ("Q9XXX9", 6),
        ("sp|P05067|A4_HUMAN", 7),
    ]
    assert {i.source for i in ids} == {str(path)}


def test_read_id_list_from_stdin() -> None:
    ids = read_id_list("-", stdin=io.StringIO("# header\n\nP05067\nbad id\n"))
    assert [(i.text, i.source, i.line) for i in ids] == [
        ("P05067", "<stdin>", 3),
        ("bad", "<stdin>", 4),
        ("id", "<stdin>", 4),
    ]


def test_read_id_list_errors(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="no such file"):
        read_id_list(tmp_path / "missing.txt")
    empty = tmp_path / "empty.txt"
    empty.write_text("# nothing here\n\n")
    with pytest.raises(InputError, match="contains no ids"):
        read_id_list(empty)
    binary = tmp_path / "binary.txt"
    binary.write_bytes(b"P05067\n\x00\x01\xff\xfe\n")
    with pytest.raises(InputError, match="not a text file"):
        read_id_list(binary)
    latin1 = tmp_path / "latin1.txt"  # a Latin-1 byte is one id's problem, not the whole list's
    latin1.write_bytes(b"P05067\n\xff\xfe\n")
    assert [i.text for i in read_id_list(latin1)] == ["P05067", "\udcff\udcfe"]  # the bytes, shown \xff\xfe in messages


# -- entry parsing -------------------------------------------------------------
def test_parse_app_entry() -> None:
    entry = parse_entry(fixture("P05067"))
    assert (entry.accession, entry.entry_name, entry.reviewed) == ("P05067", "A4_HUMAN", True)
    assert (entry.gene, entry.gene_synonyms) == ("APP", ("A4", "AD1"))
    assert (entry.taxon_id, entry.organism) == (9606, "Homo sapiens")
    assert entry.protein_name == "Amyloid-beta precursor protein"
    assert entry.signal == Segment(1, 17)
    assert entry.transmembrane == (Segment(702, 722),)
    assert not entry.gpi and entry.propeptides == ()
    assert entry.secreted  # KW-0964 and SL-0243 (soluble APP-beta)
    assert "Secreted" in entry.locations and "SL-0243" in entry.location_ids
    assert len(entry.locations) == len(set(entry.locations))  # repeated comments deduplicated
    assert entry.length == 770 and entry.sequence.startswith("MLPGLALLLLAAWTARALEV")
    assert entry.md5 == fixture("P05067")["sequence"]["md5"]
    assert entry.fasta_header() == (
        "sp|P05067|A4_HUMAN Amyloid-beta precursor protein OS=Homo sapiens OX=9606 GN=APP PE=1 SV=3"
    )
    data = entry.as_dict()
    assert data["signal"] == "1-17" and data["transmembrane"] == ["702-722"] and "sequence" not in data
    json.dumps(entry.as_dict(include_sequence=True))


def test_parse_other_entries() -> None:
    hk2 = parse_entry(fixture("P52789"))
    assert hk2.signal is None and hk2.transmembrane == () and not hk2.secreted
    assert hk2.locations == ("Mitochondrion outer membrane", "Cytoplasm, cytosol")
    oprm1 = parse_entry(fixture("P35372"))
    assert len(oprm1.transmembrane) == 7 and oprm1.transmembrane[0] == Segment(69, 93)
    assert not oprm1.gpi  # its Lipidation is an S-palmitoyl cysteine, not a GPI anchor
    bacterial = parse_entry(fixture("P0DTR4"))
    assert bacterial.gene is None and bacterial.signal == Segment(1, 27) and bacterial.taxon_id == 292800
    assert bacterial.fasta_header().endswith("OS=Flavonifractor plautii OX=292800 PE=1 SV=1")


def test_parse_gpi_propeptide_trembl_and_lowercase() -> None:
    data = fixture("P0DTR4")
    data["entryType"] = "UniProtKB unreviewed (TrEMBL)"
    data["proteinDescription"] = {"submissionNames": [{"fullName": {"value": "Deacetylase"}}]}
    data["sequence"]["value"] = data["sequence"]["value"].lower()
    data["features"] += [
        {"type": "Propeptide", "location": {"start": {"value": 28}, "end": {"value": 40}}},
        {
            "type": "Lipidation",
            "location": {"start": {"value": 750}, "end": {"value": 750}},
            "description": "GPI-anchor amidated serine",
        },
        {"type": "Transmembrane", "location": {"start": {"modifier": "UNKNOWN"}, "end": {"value": 9}}},
    ]
    entry = parse_entry(data)
    assert not entry.reviewed and entry.protein_name == "Deacetylase"
    assert entry.gpi and entry.propeptides == (Segment(28, 40),) and entry.transmembrane == ()
    assert entry.sequence.isupper()
    assert entry.fasta_header().startswith("tr|P0DTR4|ADAC_FLAPL Deacetylase ")


def test_parse_rejects_inactive_and_junk() -> None:
    with pytest.raises(EntryFormatError, match="inactive"):
        parse_entry(fixture("Q9XXX9"))
    with pytest.raises(EntryFormatError):
        parse_entry({"primaryAccession": "P05067"})


@pytest.mark.parametrize("accession", ["P05067", "P52789", "P35372", "P0DTR4"])
def test_trimmed_fixtures_parse_like_the_served_entries(accession: str) -> None:
    full = parse_entry(shared(f"{accession}.json"))
    assert full == parse_entry(fixture(accession))


def test_shared_search_results_parse() -> None:
    results = shared("search_glucose_size2.json")["results"]
    entries = [parse_entry(r) for r in results]
    assert [e.accession for e in entries] == [r["primaryAccession"] for r in results]
    assert all(e.length == r["sequence"]["length"] for e, r in zip(entries, results, strict=True))


# -- fetching --------------------------------------------------------------------
def test_fetch_keeps_order_duplicates_and_rejects_malformed_locally(uniprot_server, tmp_path) -> None:
    client, _ = make_client(uniprot_server, tmp_path)
    queries = ["P52789", "not-an-id", "sp|P05067|A4_HUMAN", "P52789", "A4_HUMAN", "p35372"]
    result = client.fetch(queries)
    assert [r.query for r in result] == queries
    assert [r.status for r in result] == ["ok", "malformed", "ok", "ok", "malformed", "ok"]
    assert [r.entry.accession for r in result if r.entry] == ["P52789", "P05067", "P52789", "P35372"]
    assert result[1].message.startswith("not-an-id: ")
    assert "entry name" in result[4].message
    (batch, *next_pages) = uniprot_server.requests_to("/uniprotkb/accessions")
    assert batch.accessions == ["P52789", "P05067", "P35372"]  # deduplicated, in first-seen order
    assert all("cursor" in page.query for page in next_pages)
    assert not any("not-an-id" in r.path or "A4_HUMAN" in r.path for r in uniprot_server.requests)
    assert client.release == "2026_01" and client.failures == []


def test_batches_of_at_most_1000(uniprot_server) -> None:
    # Well-formed stand-ins (A0B000 ... A9B992): the fake serves each as a copy of P0DTR4.
    ids = [f"A{n % 10}B{n // 10 % 100:02d}{n // 1000}" for n in range(2500)]
    assert len(set(ids)) == 2500 and all(is_accession(i) for i in ids)
    uniprot_server.add_synthetic(ids)
    uniprot_server.page_size = 1000
    # Its own directory, removed at once: pytest's end-of-session pruning of
    # old tmp_path trees is slow with thousands of files.
    with tempfile.TemporaryDirectory() as cache:
        client, _ = make_client(uniprot_server, Path(cache))
        result = client.fetch(ids)
    assert all(r.status == "ok" for r in result)
    batches = uniprot_server.requests_to("/uniprotkb/accessions")
    assert [len(r.accessions) for r in batches] == [1000, 1000, 500]
    assert [a for r in batches for a in r.accessions] == ids
    assert uniprot_server.requests_to("/uniprotkb/A") == []  # nothing fetched one by one


def test_server_rejects_more_than_1000(uniprot_server, tmp_path) -> None:
    import requests

    ids = ",".join(f"A{n % 10}B{n // 10 % 100:02d}{n // 1000}" for n in range(1001))
    response = requests.get(f"{uniprot_server.url}/uniprotkb/accessions?accessions={ids}&format=json", timeout=5)
    assert response.status_code == 400


def test_follows_link_pagination(uniprot_server, tmp_path) -> None:
    uniprot_server.page_size = 2
    client, _ = make_client(uniprot_server, tmp_path)
    ids = ["P05067", "P52789", "P35372", "P0DTR4", "P05067-4"]
    result = client.fetch(ids)
    assert [r.entry.accession for r in result] == ids
    pages = uniprot_server.requests_to("/uniprotkb/accessions")
    assert [p.query.get("cursor") for p in pages] == [None, ["2"], ["4"]]


def test_isoforms_come_back_as_isoforms(uniprot_server, tmp_path) -> None:
    client, _ = make_client(uniprot_server, tmp_path)
    iso, canonical, first = client.fetch(["P05067-4", "P05067", "P05067-1"])
    assert iso.status == "ok" and iso.entry.accession == "P05067-4" and iso.entry.length == 695
    assert iso.entry.sequence != canonical.entry.sequence
    assert first.status == "ok" and first.entry.accession == "P05067"
    assert "canonical" in first.message


def test_versioned_accessions_fetch_the_current_entry(uniprot_server, tmp_path) -> None:
    client, _ = make_client(uniprot_server, tmp_path)
    same, older = client.fetch(["P05067.3", "P05067.2"])
    assert same.status == older.status == "ok" and same.entry.accession == "P05067"
    assert "current entry is used" in same.message
    assert "sequence version 2 was asked for but UniProt now has version 3" in older.message
    assert [r.accessions for r in uniprot_server.requests_to("/uniprotkb/accessions")] == [["P05067"]]


def test_merged_deleted_demerged_not_found(uniprot_server, tmp_path) -> None:
    client, _ = make_client(uniprot_server, tmp_path)
    merged, deleted, demerged, missing = client.fetch(["P09000", "Q9XXX9", "O01539", "Q00000"])
    assert merged.status == "merged" and merged.entry.accession == "P05067"
    assert merged.message == "P09000: merged into P05067" and merged.candidates == ("P05067",)
    assert deleted.status == "deleted" and deleted.entry is None
    assert "Not part of a reference proteome" in deleted.message
    assert demerged.status == "demerged" and demerged.candidates == ("P83386", "P83387")
    assert "P83386, P83387" in demerged.message
    assert missing.status == "not_found" and missing.message.startswith("Q00000: ")
    # Redirects are observed, not followed: the target is asked for by the client itself.
    singles = [r.path for r in uniprot_server.requests if not r.path.endswith("accessions")]
    assert singles == [f"/uniprotkb/{a}.json" for a in ("P09000", "P05067", "Q9XXX9", "O01539", "Q00000")]
    assert all(not r.query for r in uniprot_server.requests_to("/uniprotkb/P05067"))  # not ?from=P09000
    assert all(r.status.exit_code is ExitCode.REJECTED for r in (deleted, demerged, missing))
    assert merged.status.exit_code is ExitCode.OK


def test_merged_into_a_deleted_entry(uniprot_server, tmp_path) -> None:
    uniprot_server.merged["Q9XXX8"] = "Q9XXX9"  # a merge whose target was later deleted
    client, _ = make_client(uniprot_server, tmp_path)
    (result,) = client.fetch(["Q9XXX8"])
    assert result.status == "deleted" and result.entry is None
    assert result.message.startswith("Q9XXX8: merged into Q9XXX9, which is deleted: deleted from UniProtKB")
    assert result.as_dict() == {
        "query": "Q9XXX8",
        "status": "deleted",
        "accession": None,
        "message": result.message,
        "candidates": [],
    }


def test_inactive_entries_in_the_batch_answer_need_no_extra_request(uniprot_server, tmp_path) -> None:
    uniprot_server.batch_includes_inactive = True
    client, _ = make_client(uniprot_server, tmp_path)
    deleted, demerged = client.fetch(["Q9XXX9", "O01539"])
    assert (deleted.status, demerged.status) == ("deleted", "demerged")
    assert [r.path for r in uniprot_server.requests] == ["/uniprotkb/accessions"]


def test_server_side_400_is_narrowed_down(uniprot_server, tmp_path) -> None:
    uniprot_server.stricter = {"P0DTR4"}
    client, _ = make_client(uniprot_server, tmp_path)
    ids = ["P05067", "P52789", "P35372", "P0DTR4", "P05067-4"]
    result = client.fetch(ids)
    assert [r.status for r in result] == ["ok", "ok", "ok", "malformed", "ok"]
    assert "invalid format" in result[3].message
    assert len(uniprot_server.requests) <= 8


# -- robustness --------------------------------------------------------------------
def test_retries_503_and_429_with_exponential_backoff(uniprot_server, tmp_path) -> None:
    uniprot_server.fail("/uniprotkb/accessions", Failure(503), Failure(429), Failure(502))
    client, sleeps = make_client(uniprot_server, tmp_path, backoff=0.01)
    (result,) = client.fetch(["P05067"])
    assert result.status == "ok"
    assert sleeps == [0.01, 0.02, 0.04]
    assert len(uniprot_server.requests_to("/uniprotkb/accessions")) == 4


def test_retry_after_is_honoured_and_a_longer_one_ends_the_wait(uniprot_server, tmp_path) -> None:
    uniprot_server.fail("/uniprotkb/accessions", Failure(503, retry_after="2"), Failure(429, retry_after="3600"))
    client, sleeps = make_client(uniprot_server, tmp_path, backoff=0.01, max_wait=30)
    (result,) = client.fetch(["P05067"])
    assert result.status == "unavailable"
    assert "Retry-After" in result.message and "3600" in result.message
    assert sleeps == [2.0]


def test_connection_drop_is_retried(uniprot_server, tmp_path) -> None:
    uniprot_server.fail("/uniprotkb/accessions", Failure(None))
    client, sleeps = make_client(uniprot_server, tmp_path)
    assert client.fetch(["P52789"])[0].status == "ok" and len(sleeps) == 1


def test_real_sleep_waits_for_retry_after(uniprot_server, tmp_path) -> None:
    import time

    uniprot_server.fail("/uniprotkb/accessions", Failure(503, retry_after="1"))
    config = UniProtConfig(base_url=uniprot_server.url, cache_dir=tmp_path, backoff=0.01)
    started = time.monotonic()
    assert UniProtClient(config).fetch(["P52789"])[0].status == "ok"
    assert time.monotonic() - started >= 1.0


def test_giving_up_marks_ids_unavailable_and_keeps_the_rest(uniprot_server, tmp_path) -> None:
    uniprot_server.page_size = 2
    uniprot_server.fail("cursor=2", *[Failure(503)] * 4)  # the second page never comes
    client, sleeps = make_client(uniprot_server, tmp_path, max_retries=3)
    ids = ["P05067", "P52789", "P35372", "P0DTR4", "Q00000"]
    result = client.fetch(ids)
    assert [r.status for r in result] == ["ok", "ok", "unavailable", "unavailable", "unavailable"]
    assert all("after 4 attempts (HTTP 503)" in r.message for r in result[2:])
    assert [r.query for r in client.failures] == ["P35372", "P0DTR4", "Q00000"]
    assert all(r.status.exit_code is ExitCode.NETWORK for r in client.failures)
    assert len(sleeps) == 3 and uniprot_server.requests_to("/uniprotkb/Q00000") == []
    # Once UniProt has failed for good, the rest of the run does not hammer it again.
    count = len(uniprot_server.requests)
    (later,) = client.fetch(["P35372"])
    assert later.status == "unavailable" and "not attempted" in later.message
    assert len(uniprot_server.requests) == count


def test_timeouts_apply_to_every_request(tmp_path) -> None:
    import socket

    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        url = f"http://127.0.0.1:{silent.getsockname()[1]}"
        config = UniProtConfig(base_url=url, cache_dir=tmp_path, timeout=(0.5, 0.2), max_retries=1, backoff=0)
        (result,) = UniProtClient(config, sleep=Sleeps()).fetch(["P05067"])
    assert result.status == "unavailable" and "timed out" in result.message


def test_user_agent_names_tool_and_contact(uniprot_server, tmp_path) -> None:
    client, _ = make_client(uniprot_server, tmp_path, email="me@example.org")
    client.fetch(["P05067"])
    agent = uniprot_server.requests[0].headers["User-Agent"]
    assert agent == "secannot/0.1.0 (+https://github.com/secannot/secannot) mailto:me@example.org"
    assert UniProtConfig(base_url="https://x.org").user_agent.endswith("secannot/secannot)")


def test_progress_is_reported(uniprot_server, tmp_path) -> None:
    calls: list[tuple[int, int]] = []
    config = UniProtConfig(base_url=uniprot_server.url, cache_dir=tmp_path)
    UniProtClient(config, progress=lambda done, total: calls.append((done, total))).fetch(
        ["P05067", "P52789", "P09000"]
    )
    assert calls[0] == (0, 3) and calls[-1] == (3, 3)
    assert [d for d, _ in calls] == sorted(d for d, _ in calls)


# -- cache and offline --------------------------------------------------------------
def test_second_run_is_served_from_cache(uniprot_server, tmp_path) -> None:
    ids = ["P05067", "P09000", "Q9XXX9", "P05067-4"]
    first, _ = make_client(uniprot_server, tmp_path)
    before = first.fetch(ids)
    count = len(uniprot_server.requests)
    second, _ = make_client(uniprot_server, tmp_path)
    after = second.fetch(ids)
    assert len(uniprot_server.requests) == count  # no request at all
    assert [(r.status, r.entry) for r in after] == [(r.status, r.entry) for r in before]
    assert second.release == "2026_01"
    cache = UniProtCache(tmp_path / "cache")
    assert cache.get_entry("P05067").release == "2026_01" and cache.get_merge("P09000") == "P05067"
    leftovers = [p for p in (tmp_path / "cache").rglob("*") if p.name.endswith(".tmp")]
    assert leftovers == []


def test_stale_cache_entries_are_fetched_again(uniprot_server, tmp_path) -> None:
    make_client(uniprot_server, tmp_path)[0].fetch(["P05067"])
    client, _ = make_client(uniprot_server, tmp_path, cache_max_age_days=0)
    assert client.fetch(["P05067"])[0].status == "ok"
    assert len(uniprot_server.requests_to("/uniprotkb/accessions")) == 2


def test_offline_with_cold_cache_names_missing_ids(uniprot_server, tmp_path) -> None:
    client, _ = make_client(uniprot_server, tmp_path, offline=True)
    result = client.fetch(["P05067", "bad", "P52789"])
    assert [r.status for r in result] == ["not_cached", "malformed", "not_cached"]
    assert result[0].message.startswith("P05067: not in the offline cache")
    assert [r.query for r in client.failures] == ["P05067", "P52789"]
    assert uniprot_server.requests == []


def test_offline_with_warm_cache(uniprot_server, tmp_path) -> None:
    make_client(uniprot_server, tmp_path)[0].fetch(["P05067", "P09000"])
    requests_before = len(uniprot_server.requests)
    client, _ = make_client(uniprot_server, tmp_path, offline=True, cache_max_age_days=0)
    result = client.fetch(["P09000", "P52789", "P05067"])
    assert [r.status for r in result] == ["merged", "not_cached", "ok"]
    assert client.release == "2026_01"
    assert len(uniprot_server.requests) == requests_before


def test_corrupt_cache_file_is_a_miss(uniprot_server, tmp_path) -> None:
    make_client(uniprot_server, tmp_path)[0].fetch(["P05067"])
    path = next((tmp_path / "cache").rglob("P05067.json"))
    path.write_text('{"release": "2026_01", "data": {"primaryAcc')
    client, _ = make_client(uniprot_server, tmp_path)
    assert client.fetch(["P05067"])[0].status == "ok"
    assert json.loads(path.read_text())["data"]["primaryAccession"] == "P05067"  # repaired


def test_unwritable_cache_warns_but_answers(uniprot_server, tmp_path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a directory")
    client, _ = make_client(uniprot_server, tmp_path, cache_dir=blocker / "cache")
    assert [r.status for r in client.fetch(["P05067", "P09000"])] == ["ok", "merged"]
    assert len(client.warnings) == 1 and "cannot write the UniProt cache" in client.warnings[0]


# -- gene symbols ------------------------------------------------------------------
def test_map_genes(uniprot_server, tmp_path) -> None:
    uniprot_server.page_size = 1  # forces Link pagination of the mapping results
    uniprot_server.job_polls = 2
    client, sleeps = make_client(uniprot_server, tmp_path)
    queries = ["APP", "a4", "CDKN2A", "NOTAGENE", " HK2\n", "", "two words"]
    result = client.map_genes(queries, taxon=9606)
    assert [r.status for r in result] == ["ok", "ok", "ambiguous", "no_match", "ok", "malformed", "malformed"]
    app, a4, cdkn2a, nomatch, hk2 = result[:5]
    assert app.entry.accession == "P05067"  # Swiss-Prot preferred over TrEMBL A0A0A0MRG2
    assert app.message == "APP: mapped to P05067 (A4_HUMAN)"
    assert a4.entry.accession == "P05067" and "synonym" in a4.message and a4.query == "a4"
    assert cdkn2a.entry is None and cdkn2a.candidates == ("P42771", "Q8N726")
    assert "2 reviewed entries" in cdkn2a.message
    assert nomatch.message == "NOTAGENE: no UniProtKB entry has gene name NOTAGENE in taxon 9606"
    assert hk2.entry.accession == "P52789" and hk2.query == " HK2\n" and hk2.message.startswith("HK2: ")

    (run,) = uniprot_server.requests_to("/idmapping/run")
    assert run.method == "POST"
    assert {k: v[0] for k, v in run.form.items()} == {
        "ids": "APP,a4,CDKN2A,NOTAGENE,HK2",
        "from": "Gene_Name",
        "to": "UniProtKB",
        "taxId": "9606",
    }
    assert len(uniprot_server.requests_to("/idmapping/status/")) == 3 and len(sleeps) == 2
    assert len(uniprot_server.requests_to("/idmapping/uniprotkb/results/")) > 3  # paginated
    assert uniprot_server.requests_to("/uniprotkb/accessions")[0].accessions == ["P05067", "P52789"]


def test_gene_lookups_are_cached(uniprot_server, tmp_path) -> None:
    make_client(uniprot_server, tmp_path)[0].map_genes(["APP", "NOTAGENE"])
    count = len(uniprot_server.requests)
    client, _ = make_client(uniprot_server, tmp_path, offline=True)
    result = client.map_genes(["APP", "NOTAGENE", "HK2"])
    assert [r.status for r in result] == ["ok", "no_match", "not_cached"]
    assert len(uniprot_server.requests) == count


def test_gene_cache_keeps_spellings_apart(tmp_path) -> None:
    cache = UniProtCache(tmp_path)
    cache.put_genes(10090, "App", [{"accession": "P12023"}], "2026_01")
    assert cache.get_genes(10090, "App").data == [{"accession": "P12023"}]
    assert cache.get_genes(10090, "APP") is None and cache.get_genes(9606, "App") is None


def test_mapping_failure_is_unavailable(uniprot_server, tmp_path) -> None:
    uniprot_server.fail("/idmapping/run", *[Failure(503)] * 4)
    client, _ = make_client(uniprot_server, tmp_path)
    (result,) = client.map_genes(["APP"])
    assert result.status == "unavailable" and "gene mapping failed" in result.message
    assert client.failures == [result]


def test_choose_rules() -> None:
    def cand(acc: str, gene: str, reviewed: bool, taxon: int = 9606) -> dict:
        return {"accession": acc, "entry_name": f"{acc}_X", "reviewed": reviewed, "gene": gene, "taxon_id": taxon}

    only_trembl = _choose("ABC1", [cand("A0A0A0MRG2", "ABC1", False)], 9606)
    assert only_trembl.accession == "A0A0A0MRG2" and "unreviewed" in only_trembl.note
    many_trembl = _choose("ABC1", [cand("A0A0A0MRG2", "ABC1", False), cand("E9PG40", "ABC1", False)], 9606)
    assert many_trembl.status == "ambiguous" and many_trembl.candidates == ("A0A0A0MRG2", "E9PG40")
    exact_wins = _choose("ABC1", [cand("P05067", "ABC1", True), cand("P35372", "OTHER", True)], 9606)
    assert exact_wins.accession == "P05067" and exact_wins.note == ""
    other_taxon = _choose("ABC1", [cand("P05067", "ABC1", True, taxon=10090)], 9606)
    assert other_taxon.status == "no_match"


# -- configuration and packaging ----------------------------------------------------
def test_config_validation_and_defaults(monkeypatch, tmp_path) -> None:
    with pytest.raises(UsageError):
        UniProtConfig(base_url="rest.uniprot.org")
    monkeypatch.delenv("SECANNOT_CACHE_DIR", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert default_cache_dir() == tmp_path / "xdg" / "secannot"
    monkeypatch.setenv("SECANNOT_CACHE_DIR", str(tmp_path / "explicit"))
    assert UniProtConfig().cache_dir == tmp_path / "explicit"
    assert UniProtConfig().base_url == "https://rest.uniprot.org" and UniProtConfig().taxon == 9606


def test_status_exit_codes() -> None:
    assert {s.exit_code for s in Status} == {ExitCode.OK, ExitCode.REJECTED, ExitCode.NETWORK}
    assert Status.NOT_CACHED.exit_code is ExitCode.NETWORK and Status.AMBIGUOUS.exit_code is ExitCode.REJECTED


def test_importing_does_not_load_requests() -> None:
    code = "import sys, secannot.uniprot; sys.exit('requests' in sys.modules)"
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    assert subprocess.run([sys.executable, "-c", code], env=env, check=False).returncode == 0
