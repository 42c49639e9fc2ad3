"""Keccak-256 (the Ethereum hash: FIPS 202's Keccak-f[1600] with the original 0x01 padding,
not SHA3-256's 0x06), for the exchange signature and addresses (SPEC.md §6.4, §6.17).

Why a second implementation: pycryptodome's keccak, on its default path, loads cffi and
parses C declarations with pycparser — about 25 ms, a quarter of a customer's whole
`verify-inclusion` (issue 13 item 6). A process needs only a handful of hashes for one
signature, so the first `PURE_CALLS` hashes are computed here, in plain Python (about
0.1 ms each, on public data only); a process hashing more (`verify` over thousands of
wallets) then switches to pycryptodome. Both give the same bytes (tests/test_keccak.py).
"""

RATE = 136  # bytes: 1600 − 2·256 bits
PURE_CALLS = 32
_MASK = (1 << 64) - 1
_ROUND_CONSTANTS = []
_ROTATIONS = [[0] * 5 for _ in range(5)]  # _ROTATIONS[x][y]
_calls = 0


def _tables() -> None:
    """Round constants (the LFSR of FIPS 202 §3.2.5) and rho offsets (§3.2.2)."""
    r = 1
    for _ in range(24):
        rc = 0
        for j in range(7):
            if r & 1:
                rc |= 1 << ((1 << j) - 1)
            r = ((r << 1) ^ (0x71 if r & 0x80 else 0)) & 0xFF
        _ROUND_CONSTANTS.append(rc)
    x, y = 1, 0
    for t in range(24):
        _ROTATIONS[x][y] = ((t + 1) * (t + 2) // 2) % 64
        x, y = y, (2 * x + 3 * y) % 5


def _permute(a: list[int]) -> None:
    """Keccak-f[1600] in place on 25 lanes, a[x + 5y]."""
    for rc in _ROUND_CONSTANTS:
        c = [a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20] for x in range(5)]
        for x in range(5):
            d = c[(x - 1) % 5] ^ (((c[(x + 1) % 5] << 1) | (c[(x + 1) % 5] >> 63)) & _MASK)
            for y in range(0, 25, 5):
                a[x + y] ^= d
        b = [0] * 25
        for x in range(5):
            for y in range(5):
                n, v = _ROTATIONS[x][y], a[x + 5 * y]
                b[y + 5 * ((2 * x + 3 * y) % 5)] = ((v << n) | (v >> (64 - n))) & _MASK if n else v
        for y in range(0, 25, 5):
            row = b[y:y + 5]
            for x in range(5):
                a[x + y] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5])
        a[0] ^= rc


def pure_keccak256(data: bytes) -> bytes:
    """Keccak-256 of `data`, in plain Python."""
    padded = bytearray(data) + b"\x01" + bytes(-(len(data) + 1) % RATE)
    padded[-1] |= 0x80
    state = [0] * 25
    for start in range(0, len(padded), RATE):
        block = padded[start:start + RATE]
        for i in range(RATE // 8):
            state[i] ^= int.from_bytes(block[8 * i:8 * i + 8], "little")
        _permute(state)
    return b"".join(lane.to_bytes(8, "little") for lane in state[:4])


def keccak256(data: bytes) -> bytes:
    """Keccak-256 of `data`: plain Python for a process's first few hashes, pycryptodome after."""
    global _calls
    _calls += 1
    if _calls <= PURE_CALLS:
        return pure_keccak256(data)
    from Crypto.Hash import keccak

    return keccak.new(digest_bits=256, data=data).digest()


_tables()
