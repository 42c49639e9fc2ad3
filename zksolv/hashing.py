"""Domain-separated SHA-256 hashes of the tree and the manifest (SPEC.md §6.3).

Every hash is SHA-256(u8 len(tag) ‖ tag ‖ fields…) with its own tag; variable-length
fields are written as u32be(len) ‖ bytes.
"""

import hashlib

TAG_USER_ID = b"zksolv/v1/user-id"
TAG_LEAF = b"zksolv/v1/leaf"
TAG_NODE = b"zksolv/v1/node"
TAG_MANIFEST = b"zksolv/v1/manifest"
TAG_MANIFEST_BODY = b"zksolv/v1/manifest-body"
TAG_CIRCUITS = b"zksolv/v1/circuits"
HASH_BYTES = 32


def framed(data: bytes) -> bytes:
    """u32be(len(data)) ‖ data."""
    return len(data).to_bytes(4, "big") + data


def tagged(tag: bytes, *fields: bytes) -> bytes:
    h = _prefix(tag).copy()   # the tag's prefix hashed once a process
    h.update(b"".join(fields))
    return h.digest()


_prefixes: dict[bytes, "hashlib._Hash"] = {}


def _prefix(tag: bytes):
    """SHA-256 having absorbed u8 len(tag) ‖ tag."""
    h = _prefixes.get(tag)
    if h is None:
        h = _prefixes[tag] = hashlib.sha256(bytes([len(tag)]) + tag)
    return h


def id_hash(user_id: str, salt: bytes) -> bytes:
    """H_id(user_id, salt): what a leaf reveals of its owner, nothing without the salt."""
    return tagged(TAG_USER_ID, framed(user_id.encode()), salt)


def leaf_hash(asset: str, id_digest: bytes, commitment: bytes) -> bytes:
    """H_leaf(asset, H_id, C) (DESIGN §4)."""
    return tagged(TAG_LEAF, framed(asset.encode()), id_digest, commitment)


def node_hash(level: int, c_left: bytes, h_left: bytes, c_right: bytes, h_right: bytes) -> bytes:
    """H_node(level, C_L, h_L, C_R, h_R): both children's commitments are bound (Maxwell fix)."""
    return tagged(TAG_NODE, bytes([level]), c_left, h_left, c_right, h_right)
