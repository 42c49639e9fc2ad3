"""Margin accounts: wide range claims, the margin leaf and the account sum tree
(DESIGN §11; MARGIN.md §6–§8)."""

from zksolv.accounts.layout import Claim, Layout, build as build_layout
from zksolv.accounts.leaf import MarginLeaf, node_points, prove_leaf, statements, verify_leaf

__all__ = ["Claim", "Layout", "MarginLeaf", "build_layout", "node_points", "prove_leaf",
           "statements", "verify_leaf"]
