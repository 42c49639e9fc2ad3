"""`zksolv publish` (issue 13 items 1–4): a self-contained static site for an attestation.

- `publish.py`: the command — output checked first, every round verified, files written
  whole (temporary directory and rename);
- `facts.py`: what a verified round says, read from its manifest and `verify`'s report;
- `markup.py`: HTML built from elements whose text and attributes are always escaped;
- `page.py`, `chart.py`: the page's sections and its SVG chart of coverage floors.

The customer's check runs in the browser: `zksolv/web/site/` holds the stylesheet, the page
script's source and its bundle (built by `zksolv/web/bundle/`), which imports
`zksolv/web/js/`.
"""
