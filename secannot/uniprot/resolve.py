"""Resolving one accession: merged, demerged, deleted and isoform entries, and the words for each outcome."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any
from urllib.parse import urlparse

from secannot.uniprot.accessions import ACCESSION_PATTERN, Accession, AccessionSyntaxError, parse_accession
from secannot.uniprot.config import Outcome, Resolution, Status
from secannot.uniprot.entry import ACCESSION_WITH_ISOFORM, EntryFormatError, is_inactive, parse_entry
from secannot.uniprot.http import REDIRECT_STATUSES, Unavailable, as_mapping, error_messages, json_body

#: A merged accession may point at one that was merged again; stop after this many hops.
MAX_MERGE_HOPS = 3

#: What a merge or demerge target must look like before it is put into a URL or an output row.

LOCATION_ACCESSION = re.compile(rf"/uniprotkb/(?P<acc>(?:{ACCESSION_PATTERN})(?:-[0-9]+)?)(?:\.[a-z]+)?$")


class EntryResolution:
    """Accessions to entries, following merges, with one outcome per accession."""

    def fetch(self, ids: Sequence[str]) -> list[Resolution]:
        """One :class:`Resolution` per id, in the order given (duplicates included).

        Malformed ids are rejected before any request.  Versioned accessions
        (``P05067.3``) are fetched without the version, as the REST API only
        serves current entries; the message says whether the version still
        matches.  Isoform ids (``P05067-4``) come back as the isoform.
        """
        parsed: list[Accession | AccessionSyntaxError] = []
        for query in ids:
            try:
                parsed.append(parse_accession(query))
            except AccessionSyntaxError as err:
                parsed.append(err)
        keys = list(dict.fromkeys(p.key for p in parsed if isinstance(p, Accession)))
        outcomes = self._resolve_keys(keys, report=True)
        resolutions = []
        for query, item in zip(ids, parsed, strict=True):
            if isinstance(item, AccessionSyntaxError):
                message = f"{query.strip() or repr(query)}: {item}"
                resolutions.append(Resolution(query, Status.MALFORMED, message=message))
            else:
                resolutions.append(word(query, item, outcomes[item.key]))
        self._remember_failures(resolutions)
        return resolutions

    def _resolve_one(self, key: str, hops: int) -> Outcome:
        transport = self._get_transport()
        try:
            response = transport.request("GET", f"{self.config.api_root}/uniprotkb/{key}.json")
        except Unavailable as err:
            return Outcome(Status.UNAVAILABLE, str(err))
        code = response.status_code
        if code in REDIRECT_STATUSES:
            target = accession_from_location(response.headers.get("Location", ""))
            if target is None:
                return Outcome(Status.UNAVAILABLE, f"unexpected redirect to {response.headers.get('Location')!r}")
            return self._follow(key, Outcome(Status.MERGED, "", merged_into=target), hops)
        if code == 200:
            try:
                data = json_body(response)
            except Unavailable as err:
                return Outcome(Status.UNAVAILABLE, str(err))
            self._store_entry(key, data)
            return self._follow(key, self._classify(key, data), hops)
        if code == 404:
            return Outcome(Status.NOT_FOUND, "not in UniProtKB (never issued, or mistyped)")
        if code == 400:
            return Outcome(Status.MALFORMED, f"UniProt rejected it: {error_messages(response)}")
        return Outcome(Status.UNAVAILABLE, f"unexpected HTTP {code} from UniProt")

    def _follow(self, key: str, outcome: Outcome, hops: int) -> Outcome:
        """Turn "merged into X" into X's entry, fetching X if needed."""
        target = outcome.merged_into
        if target is None:
            return outcome
        self._store_merge(key, target)
        if hops >= MAX_MERGE_HOPS:
            return Outcome(Status.UNAVAILABLE, f"merged into {target}, but the chain of merges does not end")
        resolved = self._from_cache(target) or self._resolve_one(target, hops + 1)
        if resolved.status is Status.OK:
            assert resolved.entry is not None
            return Outcome(Status.MERGED, f"merged into {resolved.entry.accession}", resolved.entry, (target,))
        if resolved.status is Status.MERGED:
            return resolved
        return with_detail(resolved, f"merged into {target}, which is {resolved.status}: {resolved.detail}")

    def _classify(self, key: str, data: Mapping[str, Any]) -> Outcome:
        if is_inactive(data):
            return inactive_outcome(data)
        try:
            entry = parse_entry(data)
        except EntryFormatError as err:
            return Outcome(Status.UNAVAILABLE, f"unusable answer from UniProt: {err}")
        if entry.accession == key:
            return Outcome(Status.OK, f"found {entry.accession} ({entry.entry_name})", entry)
        if entry.accession == key.split("-")[0]:
            # P05067-1 names the canonical isoform, which UniProt serves as P05067.
            return Outcome(
                Status.OK, f"found {entry.accession} ({entry.entry_name}), served as the canonical sequence", entry
            )
        return Outcome(Status.MERGED, f"merged into {entry.accession}", entry, (entry.accession,))

    def _from_cache(self, key: str, hops: int = 0) -> Outcome | None:
        item = self._cache.get_entry(key)
        target: str | None
        if item is not None and self._usable(item) and isinstance(item.data, Mapping):
            self._cached_release = self._cached_release or item.release
            outcome = self._classify(key, item.data)
            if outcome.merged_into is None:
                return outcome
            target = outcome.merged_into
        else:
            target = self._cache.get_merge(key)
        if target is None or hops >= MAX_MERGE_HOPS:
            return None
        resolved = self._from_cache(target, hops + 1)
        if resolved is None or not resolved.status.has_entry:
            return None
        assert resolved.entry is not None
        return Outcome(Status.MERGED, f"merged into {resolved.entry.accession}", resolved.entry, (target,))


def with_detail(outcome: Outcome, detail: str) -> Outcome:
    return Outcome(outcome.status, detail, outcome.entry, outcome.candidates)


def word(query: str, accession: Accession, outcome: Outcome) -> Resolution:
    """Phrase an accession's outcome for the id exactly as the user wrote it."""
    detail = outcome.detail
    if accession.version is not None and outcome.entry is not None:
        current = outcome.entry.sequence_version
        if current is not None and current != accession.version:
            detail += (
                f"; sequence version {accession.version} was asked for but UniProt now has"
                f" version {current}, which is used"
            )
        else:
            detail += f"; version .{accession.version} not fetched separately, the current entry is used"
    return resolution(query, outcome, f"{query.strip()}: {detail}")


def resolution(query: str, outcome: Outcome, message: str) -> Resolution:
    """``query`` stays exactly as given; ``message`` names it trimmed."""
    return Resolution(query, outcome.status, outcome.entry, message, outcome.candidates)


def inactive_outcome(data: Mapping[str, Any]) -> Outcome:
    reason = as_mapping(data.get("inactiveReason"))
    kind = str(reason.get("inactiveReasonType", "")).upper()
    listed_targets = reason.get("mergeDemergeTo")
    listed = listed_targets if isinstance(listed_targets, list) else []
    targets = tuple(t for t in listed if isinstance(t, str) and ACCESSION_WITH_ISOFORM.fullmatch(t))
    invalid = [t for t in listed if not (isinstance(t, str) and ACCESSION_WITH_ISOFORM.fullmatch(t))]
    if kind == "MERGED" and invalid and not targets:
        return Outcome(Status.UNAVAILABLE, f"UniProt named an invalid merge target {invalid[0]!r}; not followed")
    if kind == "DEMERGED":
        listed = ", ".join(targets) if targets else "entries not named by UniProt"
        return Outcome(Status.DEMERGED, f"demerged into {listed}; give one of these instead", candidates=targets)
    if kind == "MERGED" and targets:
        return Outcome(Status.MERGED, "", merged_into=targets[0])
    why = reason.get("deletedReason")
    detail = "deleted from UniProtKB" + (f" ({why})" if isinstance(why, str) and why else "")
    return Outcome(Status.DELETED, detail)


def accession_from_location(location: str) -> str | None:
    # e.g. /uniprotkb/P05067.json?from=P09000 (absolute or relative)
    match = LOCATION_ACCESSION.search(urlparse(location).path)
    return match.group("acc") if match else None
