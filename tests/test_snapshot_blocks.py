"""Block-pinned snapshots (SPEC.md §6.1, §6.4.3): `chain,height,hash,address,token,balance`,
every row at the block the reserves pin for its chain; a version-2 attestation refuses an
unpinned snapshot, a version-1 one a pinned snapshot (it pins nothing to compare with)."""

import csv

import pytest

from custodykit import document, snapshot_rows
from zksolv import reserves
from zksolv.errors import InputError, InvalidProof
from zksolv.reserves import signing, snapshot

TOTALS = {"BTC": 3 * 10**8, "ETH": 2 * 10**18, "USDT": 5 * 10**6}


@pytest.fixture(scope="module")
def doc():
    return document("round-9", TOTALS, signing.new_key(), custom=True)


@pytest.fixture(scope="module")
def res(doc):
    return reserves.parse(doc, "reserves.json")


def _write(tmp_path, rows, name="snap.csv"):
    path = tmp_path / name
    with open(path, "w", newline="") as f:
        csv.writer(f).writerows(rows)
    return path


def _check(res, tmp_path, rows):
    return snapshot.check(res, snapshot.load(_write(tmp_path, rows)))


def _row(rows, chain, token="native"):
    return next(i for i, r in enumerate(rows) if r[0] == chain and r[4] == token)


def test_a_snapshot_at_the_pinned_blocks_confirms_every_balance(doc, res, tmp_path):
    assert _check(res, tmp_path, snapshot_rows(doc)) == 5


def test_spelling_of_addresses_and_hashes_does_not_matter(doc, res, tmp_path):
    rows = snapshot_rows(doc)
    for r in rows[1:]:
        if r[3].startswith("0x"):
            r[3], r[2] = r[3].lower(), "0x" + r[2][2:].upper()
        else:
            r[2] = r[2].upper()
    assert _check(res, tmp_path, rows) == 5


@pytest.mark.parametrize("chain,column,value", [
    ("bitcoin", 1, "869999"),
    ("bitcoin", 2, "00" * 32),
    ("ethereum", 1, "21000001"),
    ("bsc", 2, "0x" + "b6" * 32),
    ("devnet", 1, "124"),
])
def test_a_row_at_another_block_is_refused_naming_chain_and_both_blocks(doc, res, tmp_path, chain, column, value):
    rows = snapshot_rows(doc)
    i = _row(rows, chain, "native" if chain != "bsc" else rows[_row_any(rows, "bsc")][4])
    rows[i][column] = value
    pinned = doc["chains"][chain]
    with pytest.raises(InvalidProof) as info:
        _check(res, tmp_path, rows)
    message = str(info.value)
    assert f"{chain}: the snapshot is at block {rows[i][1]} ({rows[i][2]})" in message
    assert f"the reserves at block {pinned['height']} ({pinned['hash']})" in message
    assert f"snap.csv:{i + 1}:" in message


def _row_any(rows, chain):
    return next(i for i, r in enumerate(rows) if r[0] == chain)


def test_a_row_on_a_chain_the_reserves_do_not_pin_is_refused(doc, res, tmp_path):
    rows = snapshot_rows(doc) + [["polygon", "1", "0x" + "00" * 32, "0x" + "11" * 20, "native", "1"]]
    with pytest.raises(InvalidProof, match="chain 'polygon': the reserves pin no block of it"):
        _check(res, tmp_path, rows)


def test_a_balance_that_differs_is_refused(doc, res, tmp_path):
    rows = snapshot_rows(doc)
    rows[_row(rows, "bitcoin")][5] = "0.00000001"
    with pytest.raises(InvalidProof, match=r"BTC .*claimed .*snapshot 0.00000001"):
        _check(res, tmp_path, rows)


def test_a_token_row_does_not_stand_for_the_native_coin(doc, res, tmp_path):
    rows = snapshot_rows(doc)
    eth = rows[_row(rows, "ethereum")]
    eth[4] = "0x" + "ab" * 20
    with pytest.raises(InvalidProof, match="ETH .*not in the snapshot"):
        _check(res, tmp_path, rows)


def test_a_wallet_confirmed_twice_is_refused(doc, res, tmp_path):
    rows = snapshot_rows(doc)
    eth = rows[_row(rows, "ethereum")]
    rows.append([*eth[:3], eth[3].lower(), *eth[4:]])
    with pytest.raises(InputError, match="listed twice"):
        _check(res, tmp_path, rows)


@pytest.mark.parametrize("height", ["-1", "01", "1.0", "", "１", "12345678901234567"])
def test_a_height_not_in_plain_digits_is_refused(doc, res, tmp_path, height):
    rows = snapshot_rows(doc)
    rows[_row(rows, "bitcoin")][1] = height
    with pytest.raises(InputError, match="height must be a block height"):
        _check(res, tmp_path, rows)


def test_a_version2_attestation_refuses_an_unpinned_snapshot(doc, res, tmp_path):
    rows = [["chain", "address", "token", "balance"]] + [[r[0], r[3], r[4], r[5]] for r in snapshot_rows(doc)[1:]]
    with pytest.raises(InputError, match="cannot say which block it saw"):
        _check(res, tmp_path, rows)


def test_a_version1_attestation_refuses_a_pinned_snapshot(tmp_path):
    key = signing.new_key()
    address = signing.ethereum_address(key)
    v1 = reserves.parse({"attestation_id": "r", "assets": {"ETH": {"decimals": 18, "wallets": [
        {"chain": "ethereum", "address": address, "balance": "1",
         "signature": signing.ethereum_sign(key, reserves.control_message("r", address))}]}}}, "v1")
    pinned = [["chain", "height", "hash", "address", "token", "balance"],
              ["ethereum", "1", "0x" + "00" * 32, address, "native", "1"]]
    with pytest.raises(InputError, match="pins no block"):
        _check(v1, tmp_path, pinned)
    assert _check(v1, tmp_path, [["chain", "address", "token", "balance"], ["ethereum", address, "native", "1"]]) == 1


def test_pinned_rows_state_the_claimed_balances_at_the_pinned_blocks(doc, res, tmp_path):
    """What zksolv demo writes as its chain view: the rows built independently from the file."""
    assert snapshot.pinned_rows(res) == snapshot_rows(doc)
    assert _check(res, tmp_path, snapshot.pinned_rows(res)) == 5
