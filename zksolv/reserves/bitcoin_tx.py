"""Bitcoin transactions as BIP-322 uses them (SPEC.md §6.4.1): strict consensus
serialization, the virtual `to_spend` and `to_sign` transactions, and the signature hashes
of BIP-143 (segwit v0) and BIP-341 (taproot key path).

Readers are strict: compact sizes must be minimal (as Bitcoin Core reads them), lengths are
bounded, and a reader that does not consume its input exactly raises EncodingError.
"""

import hashlib
from dataclasses import dataclass, field

from zksolv.errors import EncodingError

MAX_WITNESS_ITEMS = 64       # a 20-of-20 multisig needs 22; nothing we verify needs more
MAX_ITEM_BYTES = 10_000      # consensus bound of a P2WSH witness script
OP_RETURN_SCRIPT = b"\x6a"
SIGHASH_DEFAULT, SIGHASH_ALL = 0x00, 0x01


def sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def sha256d(data: bytes) -> bytes:
    return sha256(sha256(data))


def hash160(data: bytes) -> bytes:
    """RIPEMD-160(SHA-256(data)): the hash in P2PKH, P2SH and P2WPKH addresses."""
    from Crypto.Hash import RIPEMD160  # imported when first needed: keeps start-up fast

    return RIPEMD160.new(sha256(data)).digest()


def tagged_hash(tag: str, data: bytes) -> bytes:
    """BIP-340: SHA-256(SHA-256(tag) ‖ SHA-256(tag) ‖ data)."""
    prefix = sha256(tag.encode())
    return sha256(prefix + prefix + data)


def bip322_message_hash(message: bytes) -> bytes:
    """BIP-322's message_hash: the tagged hash "BIP0322-signed-message" of the message."""
    return tagged_hash("BIP0322-signed-message", message)


def compact_size(n: int) -> bytes:
    if n < 0xFD:
        return bytes([n])
    if n <= 0xFFFF:
        return b"\xfd" + n.to_bytes(2, "little")
    if n <= 0xFFFFFFFF:
        return b"\xfe" + n.to_bytes(4, "little")
    return b"\xff" + n.to_bytes(8, "little")


def with_size(data: bytes) -> bytes:
    return compact_size(len(data)) + data


class Reader:
    """A cursor over bytes that refuses to read past the end or to read non-minimal sizes."""

    def __init__(self, data: bytes):
        self.data, self.pos = data, 0

    def take(self, n: int) -> bytes:
        if n > len(self.data) - self.pos:
            raise EncodingError("truncated: ends inside a field")
        out = self.data[self.pos:self.pos + n]
        self.pos += n
        return out

    def u32(self) -> int:
        return int.from_bytes(self.take(4), "little")

    def u64(self) -> int:
        return int.from_bytes(self.take(8), "little")

    def size(self, limit: int) -> int:
        first = self.take(1)[0]
        width = {0xFD: 2, 0xFE: 4, 0xFF: 8}.get(first, 0)
        n = int.from_bytes(self.take(width), "little") if width else first
        if width and n < {2: 0xFD, 4: 0x10000, 8: 0x100000000}[width]:
            raise EncodingError("non-minimal compact size")
        if n > limit:
            raise EncodingError(f"a length of {n} is above the bound {limit}")
        return n

    def blob(self) -> bytes:
        return self.take(self.size(MAX_ITEM_BYTES))

    def end(self) -> None:
        if self.pos != len(self.data):
            raise EncodingError(f"{len(self.data) - self.pos} trailing bytes")


def read_witness(r: Reader) -> list[bytes]:
    return [r.blob() for _ in range(r.size(MAX_WITNESS_ITEMS))]


def parse_witness(data: bytes) -> list[bytes]:
    """A witness stack (BIP-322 "simple" signature), consensus-encoded, read exactly."""
    r = Reader(data)
    stack = read_witness(r)
    r.end()
    return stack


def serialize_witness(stack: list[bytes]) -> bytes:
    return compact_size(len(stack)) + b"".join(with_size(item) for item in stack)


@dataclass
class TxIn:
    prev_txid: bytes            # internal byte order (as serialized)
    prev_index: int
    script_sig: bytes = b""
    sequence: int = 0
    witness: list[bytes] = field(default_factory=list)

    def outpoint(self) -> bytes:
        return self.prev_txid + self.prev_index.to_bytes(4, "little")


@dataclass
class Tx:
    version: int
    inputs: list[TxIn]
    outputs: list[tuple[int, bytes]]  # (value in satoshi, scriptPubKey)
    locktime: int = 0

    def serialize(self, witness: bool = True) -> bytes:
        with_witness = witness and any(i.witness for i in self.inputs)
        out = [self.version.to_bytes(4, "little"), b"\x00\x01" if with_witness else b""]
        out.append(compact_size(len(self.inputs)))
        for i in self.inputs:
            out += [i.outpoint(), with_size(i.script_sig), i.sequence.to_bytes(4, "little")]
        out.append(compact_size(len(self.outputs)))
        out += [serialize_output(value, script) for value, script in self.outputs]
        if with_witness:
            out += [serialize_witness(i.witness) for i in self.inputs]
        out.append(self.locktime.to_bytes(4, "little"))
        return b"".join(out)

    def txid(self) -> bytes:
        """SHA256d of the serialization without witness, internal byte order."""
        return sha256d(self.serialize(witness=False))


def serialize_output(value: int, script: bytes) -> bytes:
    return value.to_bytes(8, "little") + with_size(script)


def parse_tx(data: bytes, max_inputs: int = 1, max_outputs: int = 1) -> Tx:
    """A transaction in network serialization (BIP-144 for witness), read exactly."""
    r = Reader(data)
    version = r.u32()
    count = r.size(max_inputs)
    segwit = count == 0
    if segwit:
        if r.take(1) != b"\x01":
            raise EncodingError("segwit marker not followed by flag 0x01")
        count = r.size(max_inputs)
    if count == 0:
        raise EncodingError("a transaction needs an input")
    inputs = [TxIn(r.take(32), r.u32(), r.blob(), r.u32()) for _ in range(count)]
    outputs = [(r.u64(), r.blob()) for _ in range(r.size(max_outputs))]
    if segwit:
        for i in inputs:
            i.witness = read_witness(r)
        if not any(i.witness for i in inputs):
            raise EncodingError("segwit flag set but every witness is empty")
    locktime = r.u32()
    r.end()
    return Tx(version, inputs, outputs, locktime)


# -- BIP-322's virtual transactions ----------------------------------------------------------

def to_spend(message: bytes, script_pubkey: bytes) -> Tx:
    """to_spend: version 0, one input spending 00…00:FFFFFFFF with scriptSig
    OP_0 PUSH32[message_hash] and sequence 0, one output of 0 paying `script_pubkey`."""
    script_sig = b"\x00\x20" + bip322_message_hash(message)
    return Tx(0, [TxIn(bytes(32), 0xFFFFFFFF, script_sig, 0)], [(0, script_pubkey)], 0)


def to_sign(to_spend_txid: bytes, witness: list[bytes], script_sig: bytes = b"") -> Tx:
    """to_sign with BIP-322's default fields: version 0, one input spending
    to_spend:0 with sequence 0, one output of 0 paying OP_RETURN, lock time 0."""
    return Tx(0, [TxIn(to_spend_txid, 0, script_sig, 0, witness)], [(0, OP_RETURN_SCRIPT)], 0)


# -- signature hashes (the spent output is to_spend's: value 0) ---------------------------------

def bip143_sighash(tx: Tx, index: int, script_code: bytes, amount: int, hash_type: int) -> bytes:
    """BIP-143's digest for SIGHASH_ALL (the only type BIP-322 signatures may use here)."""
    txin = tx.inputs[index]
    preimage = b"".join([
        tx.version.to_bytes(4, "little"),
        sha256d(b"".join(i.outpoint() for i in tx.inputs)),
        sha256d(b"".join(i.sequence.to_bytes(4, "little") for i in tx.inputs)),
        txin.outpoint(),
        with_size(script_code),
        amount.to_bytes(8, "little"),
        txin.sequence.to_bytes(4, "little"),
        sha256d(b"".join(serialize_output(v, s) for v, s in tx.outputs)),
        tx.locktime.to_bytes(4, "little"),
        hash_type.to_bytes(4, "little"),
    ])
    return sha256d(preimage)


def bip341_key_path_sighash(tx: Tx, index: int, spent: list[tuple[int, bytes]], hash_type: int) -> bytes:
    """BIP-341's digest of a key-path spend without annex, for SIGHASH_DEFAULT or SIGHASH_ALL;
    `spent` is the (value, scriptPubKey) of every input's spent output."""
    msg = b"".join([
        bytes([hash_type]),
        tx.version.to_bytes(4, "little"), tx.locktime.to_bytes(4, "little"),
        sha256(b"".join(i.outpoint() for i in tx.inputs)),
        sha256(b"".join(v.to_bytes(8, "little") for v, _ in spent)),
        sha256(b"".join(with_size(s) for _, s in spent)),
        sha256(b"".join(i.sequence.to_bytes(4, "little") for i in tx.inputs)),
        sha256(b"".join(serialize_output(v, s) for v, s in tx.outputs)),
        b"\x00",  # spend type: key path, no annex
        index.to_bytes(4, "little"),
    ])
    return tagged_hash("TapSighash", b"\x00" + msg)
