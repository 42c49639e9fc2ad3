"""Reserves: wallets, their proofs of control and chain snapshots (SPEC.md §6.4)."""

from zksolv.reserves.file import (
    AssetReserves, Reserves, Wallet, backing, control_message, control_message_v2, custody_json, load, message_for,
    parse, to_document, to_json, verify_control,
)

__all__ = ["AssetReserves", "Reserves", "Wallet", "backing", "control_message", "control_message_v2",
           "custody_json", "load", "message_for", "parse", "to_document", "to_json", "verify_control"]
