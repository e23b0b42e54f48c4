# SPDX-License-Identifier: EUPL-1.2
"""The verifiable audit log's core: Merkle hashes and proofs, canonical entries, signed tree
heads, and a whole log checked with its first problem named.

The Merkle tree is checked against the Certificate Transparency test vectors (the ones of the
CT project, kept in transparency-dev/merkle) and against a naive transcription of the RFC's
recursive definitions for every tree up to 64 leaves; canonical JSON against RFC 8785's number
table; the tree heads against jwcrypto, an independent JOSE implementation."""

from __future__ import annotations

import base64
import json
import math
import re
import struct
from collections.abc import Callable
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st
from jwcrypto import jwk, jws

from interscambio.core.auditlog import (
    EMPTY_ROOT,
    GENESIS,
    EntryError,
    MerkleTree,
    Problem,
    SignedHead,
    TreeHead,
    canonical_json,
    consistency_proof,
    decode_record,
    encode_record,
    inclusion_proof,
    leaf_hash,
    node_hash,
    root_hash,
    sign_tree_head,
    verify_consistency,
    verify_inclusion,
    verify_log,
    verify_tree_head,
)
from interscambio.core.trust import (
    NodeIdentity,
    TrustError,
    generate_identity,
    load_identity,
    sign_detached,
)

ROOT = Path(__file__).resolve().parent.parent
NOW = datetime(2026, 3, 2, 9, 30, tzinfo=UTC)

# --- The CT project's vectors: eight leaves, the roots of their prefixes, some proofs. ---------

CT_LEAVES = [
    bytes.fromhex(h)
    for h in [
        "",
        "00",
        "10",
        "2021",
        "3031",
        "40414243",
        "5051525354555657",
        "606162636465666768696a6b6c6d6e6f",
    ]
]
CT_ROOTS = [
    bytes.fromhex(h)
    for h in [
        "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
        "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
        "aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77",
        "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
        "4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4",
        "76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef",
        "ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c",
        "5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328",
    ]
]
# (leaf index, tree size, proof)
CT_INCLUSION = [
    (0, 1, []),
    (0, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (5, 8, ["bc1a0643", "ca854ea1", "d37ee418"]),
    (2, 3, ["fac54203"]),
    (1, 5, ["6e340b9c", "5f083f0a", "bc1a0643"]),
]
# (old size, new size, proof)
CT_CONSISTENCY = [
    (1, 1, []),
    (1, 8, ["96a296d2", "5f083f0a", "6b47aaf2"]),
    (6, 8, ["0ebc5d34", "ca854ea1", "d37ee418"]),
    (2, 5, ["5f083f0a", "bc1a0643"]),
    (6, 7, ["0ebc5d34", "b08693ec", "d37ee418"]),
]
CT_FULL = {
    "96a296d2": "96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7",
    "5f083f0a": "5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e",
    "6b47aaf2": "6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4",
    "bc1a0643": "bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b",
    "ca854ea1": "ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0",
    "d37ee418": "d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7",
    "fac54203": "fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125",
    "6e340b9c": "6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d",
    "0ebc5d34": "0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a",
    "b08693ec": "b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f",
}


def ct_proof(short: list[str]) -> list[bytes]:
    return [bytes.fromhex(CT_FULL[part]) for part in short]


CT_HASHES = [leaf_hash(leaf) for leaf in CT_LEAVES]


def test_the_empty_tree_and_one_leaf_hash_as_the_rfc_says() -> None:
    assert EMPTY_ROOT.hex() == "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    assert root_hash([]) == MerkleTree([]).root() == EMPTY_ROOT
    assert leaf_hash(b"") == CT_ROOTS[0]


@pytest.mark.parametrize("size", range(1, 9))
def test_roots_match_the_ct_vectors(size: int) -> None:
    assert root_hash(CT_HASHES[:size]) == CT_ROOTS[size - 1]
    assert MerkleTree(CT_HASHES).root(size) == CT_ROOTS[size - 1]


@pytest.mark.parametrize(("index", "size", "proof"), CT_INCLUSION)
def test_inclusion_proofs_match_the_ct_vectors(index: int, size: int, proof: list[str]) -> None:
    expected = ct_proof(proof)
    assert inclusion_proof(CT_HASHES, index, size) == expected
    assert verify_inclusion(CT_HASHES[index], index, size, expected, CT_ROOTS[size - 1])


@pytest.mark.parametrize(("old", "new", "proof"), CT_CONSISTENCY)
def test_consistency_proofs_match_the_ct_vectors(old: int, new: int, proof: list[str]) -> None:
    expected = ct_proof(proof)
    assert consistency_proof(CT_HASHES, old, new) == expected
    assert verify_consistency(old, new, CT_ROOTS[old - 1], CT_ROOTS[new - 1], expected)


# --- The RFC's recursive definitions, transcribed naively, for every tree up to 64. -----------


def naive_root(hashes: list[bytes]) -> bytes:
    if not hashes:
        return EMPTY_ROOT
    if len(hashes) == 1:
        return hashes[0]
    k = 1
    while k * 2 < len(hashes):
        k *= 2
    return node_hash(naive_root(hashes[:k]), naive_root(hashes[k:]))


def naive_path(m: int, hashes: list[bytes]) -> list[bytes]:
    n = len(hashes)
    if n <= 1:
        return []
    k = 1
    while k * 2 < n:
        k *= 2
    if m < k:
        return [*naive_path(m, hashes[:k]), naive_root(hashes[k:])]
    return [*naive_path(m - k, hashes[k:]), naive_root(hashes[:k])]


def naive_subproof(m: int, hashes: list[bytes], complete: bool) -> list[bytes]:
    n = len(hashes)
    if m == n:
        return [] if complete else [naive_root(hashes)]
    k = 1
    while k * 2 < n:
        k *= 2
    if m <= k:
        return [*naive_subproof(m, hashes[:k], complete), naive_root(hashes[k:])]
    return [*naive_subproof(m - k, hashes[k:], False), naive_root(hashes[:k])]


LEAVES_64 = [leaf_hash(i.to_bytes(2, "big")) for i in range(64)]
TREE_64 = MerkleTree(LEAVES_64)


@pytest.mark.parametrize("size", range(1, 65))
def test_every_root_and_inclusion_proof_matches_the_rfc_definition(size: int) -> None:
    hashes = LEAVES_64[:size]
    root = naive_root(hashes)
    assert root_hash(hashes) == root
    assert TREE_64.root(size) == root
    for index in range(size):
        proof = TREE_64.inclusion_proof(index, size)
        assert proof == naive_path(index, hashes)
        assert verify_inclusion(hashes[index], index, size, proof, root)


@pytest.mark.parametrize("new", range(1, 65))
def test_every_consistency_proof_matches_the_rfc_definition(new: int) -> None:
    new_root = TREE_64.root(new)
    for old in range(1, new + 1):
        proof = TREE_64.consistency_proof(old, new)
        assert proof == (naive_subproof(old, LEAVES_64[:new], True) if old < new else [])
        assert verify_consistency(old, new, TREE_64.root(old), new_root, proof)
    assert TREE_64.consistency_proof(0, new) == []
    assert verify_consistency(0, new, EMPTY_ROOT, new_root, [])


def flipped(proof: list[bytes], position: int) -> list[bytes]:
    changed = list(proof)
    changed[position] = bytes([changed[position][0] ^ 8]) + changed[position][1:]
    return changed


@given(st.integers(2, 64).flatmap(lambda n: st.tuples(st.just(n), st.integers(0, n - 1))))
def test_a_corrupted_inclusion_proof_is_refused(case: tuple[int, int]) -> None:
    size, index = case
    root, leaf = TREE_64.root(size), LEAVES_64[index]
    proof = TREE_64.inclusion_proof(index, size)
    for position in range(len(proof)):
        assert not verify_inclusion(leaf, index, size, flipped(proof, position), root)
    assert not verify_inclusion(leaf, index, size, proof[:-1], root)
    assert not verify_inclusion(leaf, index, size, [*proof, root], root)
    assert not verify_inclusion(leaf, index, size, [root, *proof], root)
    assert not verify_inclusion(leaf, index ^ 1, size, proof, root) or index ^ 1 == index
    assert not verify_inclusion(leaf, index, size * 2, proof, root)
    assert not verify_inclusion(LEAVES_64[(index + 1) % size], index, size, proof, root)
    assert not verify_inclusion(leaf, index, size, proof, EMPTY_ROOT)


@given(st.integers(2, 64).flatmap(lambda n: st.tuples(st.integers(1, n - 1), st.just(n))))
def test_a_corrupted_consistency_proof_is_refused(case: tuple[int, int]) -> None:
    old, new = case
    old_root, new_root = TREE_64.root(old), TREE_64.root(new)
    proof = TREE_64.consistency_proof(old, new)
    for position in range(len(proof)):
        assert not verify_consistency(old, new, old_root, new_root, flipped(proof, position))
    assert not verify_consistency(old, new, old_root, new_root, [])
    assert not verify_consistency(old, new, old_root, new_root, proof[:-1])
    assert not verify_consistency(old, new, old_root, new_root, [*proof, old_root])
    assert not verify_consistency(old, new, old_root, new_root, [proof[0], *proof])
    assert not verify_consistency(old, new, new_root, old_root, proof)
    assert not verify_consistency(old, new * 2, old_root, new_root, proof)
    assert not verify_consistency(new, old, new_root, old_root, proof)


def test_trivial_and_impossible_proofs() -> None:
    root = TREE_64.root(5)
    assert verify_consistency(5, 5, root, root, [])
    assert not verify_consistency(5, 5, root, TREE_64.root(6), [])
    assert not verify_consistency(0, 5, root, root, [])  # the empty tree has a fixed root
    assert not verify_inclusion(LEAVES_64[0], 0, 0, [], EMPTY_ROOT)
    assert not verify_inclusion(LEAVES_64[3], 3, 3, [], root)
    assert not verify_inclusion(b"short", 0, 1, [], b"short")
    with pytest.raises(ValueError):
        TREE_64.inclusion_proof(3, 3)
    with pytest.raises(ValueError):
        TREE_64.consistency_proof(6, 5)
    with pytest.raises(ValueError):
        TREE_64.consistency_proof(1, 65)


def test_a_million_leaves_hash_in_one_pass() -> None:
    # No timing: a recursive or quadratic implementation would make this test crawl.
    hashes = [i.to_bytes(32, "big") for i in range(1_000_000)]
    half = 1 << 19
    assert root_hash(hashes) == node_hash(root_hash(hashes[:half]), root_hash(hashes[half:]))


# --- Canonical JSON (RFC 8785). ---------------------------------------------------------------

RFC8785_NUMBERS = [
    ("0000000000000000", "0"),
    ("8000000000000000", "0"),
    ("0000000000000001", "5e-324"),
    ("8000000000000001", "-5e-324"),
    ("7fefffffffffffff", "1.7976931348623157e+308"),
    ("ffefffffffffffff", "-1.7976931348623157e+308"),
    ("4340000000000000", "9007199254740992"),
    ("c340000000000000", "-9007199254740992"),
    ("4430000000000000", "295147905179352830000"),
    ("44b52d02c7e14af5", "9.999999999999997e+22"),
    ("44b52d02c7e14af6", "1e+23"),
    ("44b52d02c7e14af7", "1.0000000000000001e+23"),
    ("444b1ae4d6e2ef4e", "999999999999999700000"),
    ("444b1ae4d6e2ef4f", "999999999999999900000"),
    ("444b1ae4d6e2ef50", "1e+21"),
    ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
    ("3eb0c6f7a0b5ed8d", "0.000001"),
    ("41b3de4355555553", "333333333.3333332"),
    ("41b3de4355555554", "333333333.33333325"),
    ("41b3de4355555555", "333333333.3333333"),
    ("41b3de4355555556", "333333333.3333334"),
    ("41b3de4355555557", "333333333.33333343"),
    ("becbf647612f3696", "-0.0000033333333333333333"),
    ("43143ff3c1cb0959", "1424953923781206.2"),
]


@pytest.mark.parametrize(("bits", "text"), RFC8785_NUMBERS)
def test_numbers_are_written_as_rfc_8785_says(bits: str, text: str) -> None:
    (value,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json(value) == text.encode("ascii")


def test_members_are_sorted_by_utf16_code_units_as_in_rfc_8785() -> None:
    value = {"€": 1, "\r": 2, "דּ": 3, "1": 4, "😀": 5, "\x80": 6, "ö": 7}
    names = list(json.loads(canonical_json(value)))
    assert names == ["\r", "1", "\x80", "ö", "€", "😀", "דּ"]


def test_an_audit_entry_has_one_byte_form() -> None:
    entry = {
        "time": "2026-03-02T09:30:00.000000Z",
        "user": "m.rossi",
        "office": "Ufficio Immigrazione",
        "role": "operatore",
        "action": "search",
        "query": {"codice_fiscale": "RSSMRA80A01Z404X"},
        "purpose": "verifica",
        "case": "2026/417",
        "records": [12, 15],
    }
    shuffled = dict(reversed(list(entry.items())))
    assert canonical_json(entry) == canonical_json(shuffled)
    assert canonical_json(entry).startswith(b'{"action":"search","case":"2026/417","office"')
    assert canonical_json({"città": "Torino\n"}) == '{"città":"Torino\\n"}'.encode()


@pytest.mark.parametrize(
    "value",
    [math.nan, math.inf, -math.inf, 2**53, -(2**53), {1: "a"}, {"a": {1, 2}}, b"x", "\ud800"],
    ids=["nan", "inf", "-inf", "big", "-big", "int-key", "set", "bytes", "lone-surrogate"],
)
def test_values_without_one_canonical_form_are_refused(value: object) -> None:
    with pytest.raises(EntryError):
        canonical_json(value)


json_keys = st.text(st.characters(max_codepoint=0xFFFF, exclude_categories=("Cs",)), max_size=8)
json_scalars = (
    st.none()
    | st.booleans()
    | st.integers(-(2**53) + 1, 2**53 - 1)
    | st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
)
json_values = st.recursive(
    json_scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(json_keys, inner, max_size=4),
    max_leaves=12,
)


@given(json_values)
def test_without_floats_the_bytes_are_pythons_sorted_compact_json(value: Any) -> None:
    expected = json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    assert canonical_json(value) == expected.encode("utf-8")


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_finite_float_reads_back_as_itself(value: float) -> None:
    assert float(canonical_json(value)) == value


def test_a_record_reads_back_only_from_its_canonical_bytes() -> None:
    data = encode_record(3, b"\x01" * 32, {"user": "m.rossi", "records": [1, 2]})
    record = decode_record(data)
    assert (record.index, record.previous, record.entry["user"]) == (3, b"\x01" * 32, "m.rossi")
    assert record.to_bytes() == data
    spaced = json.dumps(json.loads(data)).encode()
    for bad in [spaced, b"[]", b"\xff", data.replace(b'"index":3', b'"index":-3')]:
        with pytest.raises(EntryError):
            decode_record(bad)
    with pytest.raises(EntryError):
        encode_record(0, b"short", {})


# --- Signed tree heads. -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def comune() -> tuple[NodeIdentity, bytes]:
    key_pem, cert_pem = generate_identity("001272", "Comune di Torino", now=NOW - timedelta(days=1))
    return load_identity(key_pem, cert_pem), cert_pem


def head_of(hashes: list[bytes], size: int, moment: datetime = NOW) -> TreeHead:
    return TreeHead("audit:001272", size, root_hash(hashes[:size]), moment)


def test_a_signed_head_verifies_with_the_certificate_alone(
    comune: tuple[NodeIdentity, bytes],
) -> None:
    identity, cert_pem = comune
    signed = sign_tree_head(identity, head_of(CT_HASHES, 8))
    checked = verify_tree_head(signed.token, cert_pem)
    assert checked.head == signed.head
    assert (checked.node_id, checked.kid) == ("001272", identity.kid)
    assert checked.root == CT_ROOTS[7]


def test_a_signed_head_is_a_standard_jws(comune: tuple[NodeIdentity, bytes]) -> None:
    identity, cert_pem = comune
    signed = sign_tree_head(identity, head_of(CT_HASHES, 5))
    token = jws.JWS()
    token.deserialize(signed.token)
    token.verify(jwk.JWK.from_pem(cert_pem), alg="ES256")
    claims = json.loads(token.payload)
    assert claims == {
        "log_id": "audit:001272",
        "root_hash": CT_ROOTS[4].hex(),
        "size": 5,
        "timestamp": "2026-03-02T09:30:00.000000Z",
        "version": 1,
    }


def b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def test_altered_or_foreign_heads_are_refused(comune: tuple[NodeIdentity, bytes]) -> None:
    identity, cert_pem = comune
    token = sign_tree_head(identity, head_of(CT_HASHES, 8)).token
    header, payload, signature = token.split(".")
    bigger = json.loads(base64.urlsafe_b64decode(payload + "=="))
    bigger["size"] = 9
    other_pem = generate_identity("001272", "Comune di Torino")[1]
    flow_signature = sign_detached(identity, [b"a flow"])
    for bad in [
        f"{header}.{b64(canonical_json(bigger))}.{signature}",
        f"{header}.{payload}.{signature[:-4]}AAAA",
        f"{header}.{payload}",
        flow_signature,
        "",
    ]:
        with pytest.raises(TrustError):
            verify_tree_head(bad, cert_pem)
    with pytest.raises(TrustError, match="not by the certificate's key"):
        verify_tree_head(token, other_pem)


def test_a_head_dated_outside_the_certificate_is_refused(
    comune: tuple[NodeIdentity, bytes],
) -> None:
    identity, cert_pem = comune
    signed = sign_tree_head(identity, head_of(CT_HASHES, 3, NOW - timedelta(days=30)))
    with pytest.raises(TrustError, match="not valid before"):
        verify_tree_head(signed.token, cert_pem)


def test_the_supervisor_script_in_the_docs_checks_a_log(
    comune: tuple[NodeIdentity, bytes], tmp_path: Path
) -> None:
    identity, cert_pem = comune
    records = build_records(10)
    hashes = [leaf_hash(r) for r in records]
    (tmp_path / "comune.pem").write_bytes(cert_pem)
    (tmp_path / "log.jsonl").write_bytes(b"".join(r + b"\n" for r in records))
    heads = [sign_tree_head(identity, head_of(hashes, size)).token for size in (4, 10)]
    (tmp_path / "heads.txt").write_text("\n".join(heads) + "\n")
    script = re.search(r"```python\n(.*?)```", (ROOT / "docs/audit-log.md").read_text(), re.S)
    assert script is not None
    run = run_script(script.group(1), tmp_path)
    assert run() == ["OK head of 4 entries", "OK head of 10 entries"]
    records[2] = records[2].replace(b"m.rossi", b"m.bianc")
    (tmp_path / "log.jsonl").write_bytes(b"".join(r + b"\n" for r in records))
    assert run() == ["MISMATCH head of 4 entries", "MISMATCH head of 10 entries"]


def run_script(source: str, folder: Path) -> Callable[[], list[str]]:
    def run() -> list[str]:
        printed: list[str] = []
        namespace = {"__name__": "__main__", "print": lambda *a: printed.append(" ".join(a))}
        code = source.replace('Path(".")', f"Path({str(folder)!r})")
        exec(compile(code, "audit-log.md", "exec"), namespace)  # noqa: S102 (our own docs)
        return [line.split(" (")[0] for line in printed]

    return run


# --- A whole log, tampered with in each way. ---------------------------------------------------


def build_records(count: int) -> list[bytes]:
    records: list[bytes] = []
    previous = GENESIS
    for index in range(count):
        entry = {
            "time": f"2026-03-02T09:{index:02d}:00.000000Z",
            "user": "m.rossi",
            "office": "Ufficio Immigrazione",
            "action": "search",
            "records": [index, index + 100],
        }
        records.append(encode_record(index, previous, entry))
        previous = leaf_hash(records[-1])
    return records


def rechain(records: list[bytes], start: int) -> list[bytes]:
    """The log as a careful forger leaves it: every index and link from `start` recomputed."""
    fixed = records[:start]
    for index, data in enumerate(records[start:], start):
        previous = leaf_hash(fixed[-1]) if fixed else GENESIS
        fixed.append(encode_record(index, previous, decode_record(data).entry))
    return fixed


def renumbered(records: list[bytes], start: int, shift: int) -> list[bytes]:
    """The log as a hasty forger leaves it: indices from `start` shifted, links untouched."""
    fixed = records[:start]
    for data in records[start:]:
        record = decode_record(data)
        fixed.append(encode_record(record.index + shift, record.previous, record.entry))
    return fixed


def edited(data: bytes) -> bytes:
    record = decode_record(data)
    return encode_record(record.index, record.previous, {**record.entry, "user": "x.nobody"})


@pytest.fixture(scope="module")
def signed_log(comune: tuple[NodeIdentity, bytes]) -> tuple[list[bytes], list[SignedHead]]:
    identity, _ = comune
    records = build_records(12)
    hashes = [leaf_hash(r) for r in records]
    heads = [sign_tree_head(identity, head_of(hashes, size)) for size in (4, 8, 12)]
    return records, heads


def test_an_intact_log_verifies(signed_log: tuple[list[bytes], list[SignedHead]]) -> None:
    records, heads = signed_log
    result = verify_log(records, heads, stored_hashes=[leaf_hash(r) for r in records])
    assert result.ok and result.kind is None and result.covered == 12
    more = [*records, *build_records(14)[12:]]
    tail = verify_log(more, heads)
    assert tail.ok and tail.covered == 12 and "last 2 are not yet covered" in tail.message


def check(
    records: list[bytes],
    heads: list[SignedHead],
    stored: list[bytes] | None = None,
) -> tuple[Problem | None, int | None, str]:
    result = verify_log(records, heads, stored_hashes=stored)
    assert not result.ok
    return result.kind, result.index, result.message


def test_an_entry_edited_in_place_is_named(
    signed_log: tuple[list[bytes], list[SignedHead]],
) -> None:
    records, heads = signed_log
    stored = [leaf_hash(r) for r in records]
    tampered = list(records)
    tampered[5] = edited(records[5])
    assert check(tampered, heads, stored)[:2] == (Problem.ALTERED, 5)
    # Without stored hashes the next entry's link gives it away.
    assert check(tampered, heads)[:2] == (Problem.ALTERED, 5)


def test_a_rewritten_log_is_caught_by_the_first_head_it_breaks(
    signed_log: tuple[list[bytes], list[SignedHead]],
) -> None:
    records, heads = signed_log
    tampered = list(records)
    tampered[5] = edited(records[5])
    tampered = rechain(tampered, 5)
    kind, index, message = check(tampered, heads, [leaf_hash(r) for r in tampered])
    assert (kind, index) == (Problem.ALTERED, 4)
    assert "entries 4-7 do not match" in message


def test_a_removed_entry_is_named(signed_log: tuple[list[bytes], list[SignedHead]]) -> None:
    records, heads = signed_log
    kind, index, message = check(records[:5] + records[6:], heads)
    assert (kind, index) == (Problem.REMOVED, 5)
    assert "entry 5 is missing" in message
    assert check(records[:5] + records[8:], heads)[:2] == (Problem.REMOVED, 5)
    # Renumbered after the removal: entry 5 is not linked to entry 4, and that is all it says.
    kind, index, message = check(renumbered(records[:5] + records[6:], 5, -1), heads)
    assert (kind, index) == (Problem.ALTERED, 4)
    assert "or entries between them were removed" in message
    # Renumbered and relinked: only the signed heads can tell.
    assert check(rechain(records[:5] + records[6:], 5), heads)[:2] == (Problem.ALTERED, 4)


def test_entries_cut_from_the_end_are_named(
    signed_log: tuple[list[bytes], list[SignedHead]],
) -> None:
    records, heads = signed_log
    kind, index, message = check(records[:10], heads)
    assert (kind, index) == (Problem.REMOVED, 10)
    assert "entries 10-11 are missing" in message


def test_an_inserted_entry_is_named(signed_log: tuple[list[bytes], list[SignedHead]]) -> None:
    records, heads = signed_log
    forged = encode_record(5, leaf_hash(records[4]), {"user": "x.nobody"})
    assert check([*records[:5], forged, *records[5:]], heads)[:2] == (Problem.INSERTED, 5)
    copy = [*records[:6], records[5], *records[6:]]
    kind, index, message = check(copy, heads)
    assert (kind, index) == (Problem.INSERTED, 6) and "copy of entry 5" in message
    # The later entries renumbered but not relinked: entry 6 still follows entry 4.
    shifted = renumbered([*records[:5], forged, *records[5:]], 6, +1)
    assert check(shifted, heads)[:2] == (Problem.INSERTED, 5)


def test_reordered_entries_are_named(signed_log: tuple[list[bytes], list[SignedHead]]) -> None:
    records, heads = signed_log
    swapped = list(records)
    swapped[6], swapped[7] = records[7], records[6]
    kind, index, message = check(swapped, heads)
    assert (kind, index) == (Problem.REORDERED, 6)
    assert "entry 6 is at position 7" in message
    stale = [leaf_hash(r) for r in records]  # rows moved, their stored hashes left behind
    assert check(swapped, heads, stale)[:2] == (Problem.REORDERED, 6)
    moved = [*records[:3], *records[4:], records[3]]
    assert check(moved, heads)[:2] == (Problem.REORDERED, 3)


def test_a_malformed_entry_is_named(signed_log: tuple[list[bytes], list[SignedHead]]) -> None:
    records, heads = signed_log
    broken = list(records)
    broken[2] = b"not json"
    kind, index, _ = check(broken, heads)
    assert (kind, index) == (Problem.MALFORMED, 2)


def test_stored_hashes_must_be_one_per_entry(
    signed_log: tuple[list[bytes], list[SignedHead]],
) -> None:
    records, heads = signed_log
    stored = [leaf_hash(r) for r in records]
    for wrong in (stored[:-1], [*stored, stored[0]]):
        with pytest.raises(ValueError, match="stored hashes"):
            verify_log(records, heads, stored_hashes=wrong)


def test_heads_of_another_log_are_refused(
    comune: tuple[NodeIdentity, bytes], signed_log: tuple[list[bytes], list[SignedHead]]
) -> None:
    identity, _ = comune
    records, heads = signed_log
    other = sign_tree_head(identity, replace(heads[0].head, log_id="audit:other"))
    result = verify_log(records, [*heads, other], log_id="audit:001272")
    assert (result.ok, result.kind) == (False, Problem.FOREIGN_HEAD)
