"""Accessions and gene symbols as input, end to end through the CLI and a local fake UniProt."""

from __future__ import annotations

import json

from helpers import SUBSET_FASTA, run_cli

from secannot.errors import ExitCode


def test_accessions_give_uniprot_view_and_agreement(uniprot_server):
    res = run_cli(["annotate", "--uniprot", "P05067,P52789", "--uniprot-url", uniprot_server.url])
    assert res.code == 0, res.err
    app, hk2 = res.dicts
    assert app["id"] == "P05067" and app["gene"] == "APP"
    assert app["uniprot_signal"] == "1-17"
    assert "Membrane" in app["uniprot_location"] or "membrane" in app["uniprot_location"].lower()
    assert app["agreement"] in ("agree", "uniprot_only")
    if app["cleavage_site"]:
        assert app["agreement"] == "agree"
    assert hk2["uniprot_signal"] == "" and hk2["agreement"] in ("agree", "predicted_only")


def test_fasta_and_ids_keep_the_order_given(uniprot_server):
    res = run_cli(["predict", "--uniprot", "P35372", SUBSET_FASTA, "--uniprot", "P52789",
                   "--uniprot-url", uniprot_server.url])
    assert res.code == 0, res.err
    ids = [r["id"] for r in res.dicts]
    assert ids[0] == "P35372" and ids[-1] == "P52789"
    assert ids[1].startswith("sp|P15692|")


def test_bad_ids_are_named_and_the_rest_written(uniprot_server):
    res = run_cli(["predict", "--uniprot", "P05067,NOTANID,Q9XXX9,P12345,P09000", "--uniprot-url", uniprot_server.url])
    assert res.code == ExitCode.REJECTED
    got = [r["id"] for r in res.dicts]
    assert "P05067" in got
    err = res.err
    assert "NOTANID" in err and "Q9XXX9" in err and "P12345" in err
    assert "Traceback" not in err
    # P09000 was merged into P05067, which is already in the output: a duplicate, named as such
    assert "P09000" in err


def test_merged_accession_is_predicted_on_the_new_entry(uniprot_server):
    res = run_cli(["predict", "--uniprot", "P09000", "--format", "json", "--uniprot-url", uniprot_server.url])
    assert res.code == 0, res.err
    (record,) = json.loads(res.out)["records"]
    assert record["id"] == "P05067" and "merged" in record["note"]


def test_gene_symbols_and_id_lists(uniprot_server, tmp_path):
    ids = tmp_path / "ids.txt"
    ids.write_text("# my hits\nP05067\n\nP35372  # opioid receptor\n")
    res = run_cli(["predict", "--uniprot-list", ids, "--gene", "OPRM1", "--uniprot-url", uniprot_server.url])
    got = [r["id"] for r in res.dicts]
    assert got[:2] == ["P05067", "P35372"]
    assert "OPRM1" in res.err or len(got) == 2  # OPRM1 maps to P35372, already listed


def test_release_is_recorded_in_provenance(uniprot_server):
    res = run_cli(["predict", "--uniprot", "P05067", "--format", "json", "--uniprot-url", uniprot_server.url])
    assert json.loads(res.out)["provenance"]["uniprot"]["release"]


def test_unreachable_service_has_its_own_exit_code(monkeypatch):
    monkeypatch.setenv("SECANNOT_UNIPROT_RETRIES", "1")
    res = run_cli(["predict", "--uniprot", "P05067", SUBSET_FASTA, "--uniprot-url", "http://127.0.0.1:9"])
    assert res.code == ExitCode.NETWORK
    assert len(res.dicts) == 14  # the FASTA records are still written


def test_offline_names_what_is_missing(uniprot_server, monkeypatch, tmp_path):
    monkeypatch.setenv("SECANNOT_CACHE_DIR", str(tmp_path / "cold"))
    res = run_cli(["predict", "--uniprot", "P05067", "--offline", "--uniprot-url", uniprot_server.url])
    assert res.code == ExitCode.NETWORK
    assert "P05067" in res.err
    warm = run_cli(["predict", "--uniprot", "P05067", "--uniprot-url", uniprot_server.url])
    assert warm.code == 0
    offline = run_cli(["predict", "--uniprot", "P05067", "--offline", "--uniprot-url", uniprot_server.url])
    assert offline.code == 0 and offline.out == warm.out
