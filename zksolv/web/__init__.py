"""The customer's side (issue 13): the in-browser verifier's ES modules (``js/``) and the
vendored, pinned @noble/curves and @noble/hashes they import (``vendor/``, rebuilt and
checked by ``vendor/rebuild.mjs``). Shipped as package data; no Python code here."""
