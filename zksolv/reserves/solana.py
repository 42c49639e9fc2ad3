"""The solana family of reserve wallets (zksolv/reserves/chains.py): not supported yet."""

from zksolv.errors import InputError


def _unsupported(*_args) -> str:
    raise InputError("solana wallets are not supported yet")


normalize_address = normalize_token = normalize_block_hash = verify = _unsupported
