"""The published page (issue 13 item 2–4): index.html built from verified rounds.

Every value from an attestation goes through `markup.el`, which escapes it. The page loads
only its own stylesheet and script (`assets/`), under a Content-Security-Policy that allows
nothing else: no connection, no frame, no form target, no font or image from anywhere."""

from zksolv.site import chart
from zksolv.site.facts import Round
from zksolv.site.markup import Raw, el, json_data

CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; connect-src 'none'; "
       "form-action 'none'; base-uri 'none'; object-src 'none'; frame-src 'none'; worker-src 'none'")
"""Over file:// Chromium lets 'self' match the page's own files (checked by the browser tests)."""

OK, NOTE = "✓", "•"


def build(rounds: list[Round], manifests: list[str], check: str, version: str, signatures=None) -> str:
    """index.html for `rounds` (oldest first; the last is the one published) whose manifest
    texts are `manifests` and exchange signatures (SPEC.md §6.17; None for a version-1
    round) `signatures`; `check` is "verify" or "audit" (what was run at publication)."""
    current = rounds[-1]
    body = [_header(current), _trust(current, check, version), _statements(current, check),
            _check_form(current, len(rounds)), _reserves(current), _market(current.margin) if current.margin else None,
            _history(rounds), _footer(current, version)]
    data = [json_data({"class": "zksolv-manifest", "data-digest": r.digest, "data-round": r.attestation_id,
                       "data-timestamp": r.timestamp}, text) for r, text in zip(rounds, manifests)]
    data += [json_data({"class": "zksolv-signature", "data-digest": r.digest}, text)
             for r, text in zip(rounds, signatures or [None] * len(rounds)) if text is not None]
    head = el("head", None, el("meta", {"charset": "utf-8"}),
              el("meta", {"http-equiv": "Content-Security-Policy", "content": CSP}),
              el("meta", {"name": "referrer", "content": "no-referrer"}),
              el("meta", {"name": "viewport", "content": "width=device-width, initial-scale=1"}),
              el("title", None, f"Proof of reserves: {current.attestation_id}"),
              el("link", {"rel": "stylesheet", "href": "assets/style.css"}))
    page = el("html", {"lang": "en"}, head,
              el("body", None, el("main", None, body), data,
                 el("script", {"src": "assets/zksolv-page.js"})))
    return "<!doctype html>\n" + page.text + "\n"


def _header(r: Round) -> Raw:
    who = (f"Exchange {r.exchange}" if r.exchange else
           "Exchange not identified: this round's reserves (version 1) name no exchange key")
    return el("header", None, el("h1", None, "Proof of reserves"),
              el("p", {"class": "who"}, who),
              el("dl", {"class": "facts"},
                 _pair("Round", r.attestation_id), _pair("Published at", r.timestamp + " (UTC)"),
                 _pair("Manifest digest", el("code", None, r.digest)),
                 _pair("Previous round", el("code", None, r.previous) if r.previous else "none (a first round)")))


def _prose(text: str) -> list:
    """Constant prose with `command` spans as <code> (data never goes through here unescaped:
    each piece is still escaped by `el`)."""
    pieces = text.split("`")
    return [el("code", None, p) if k % 2 else p for k, p in enumerate(pieces) if p]


def _pair(term, value) -> list[Raw]:
    return [el("dt", None, term), el("dd", None, value)]


def _trust(r: Round, check: str, version: str) -> Raw:
    checked = [f"{OK} Checked when this page was made, by zksolv {version} (`zksolv {check}`): "
               + ("the exchange's signature over this round, " if r.exchange else "")
               + f"the {r.wallets_checked} proofs of control of the wallets below, and the zero-knowledge "
               "proof of every statement below."]
    if check == "audit":
        checked.append(f"{OK} Also checked then (`zksolv audit`): every customer's balance in the published "
                       "audit files is a committed amount in range, and they add up to the totals the "
                       "statements are about.")
    else:
        checked.append(f"{NOTE} Not checked when this page was made: the audit files (that every customer "
                       "balance is in range and they add up). Anyone can: `zksolv audit attestation/`.")
    return el("section", {"class": "trust", "aria-labelledby": "trust-h"},
              el("h2", {"id": "trust-h"}, "What was checked, and where"),
              el("ul", None, [el("li", None, _prose(c)) for c in checked],
                 el("li", None, f"{NOTE} Your own account is checked in this browser, below, against this "
                    "round: nothing you enter leaves the page (it is not allowed to connect anywhere)."),
                 el("li", None, _prose(f"{NOTE} Wallet balances are as the exchange declared them"
                                       + (" at the blocks listed" if r.chains else "")
                                       + ": compare them with the chains yourself, or with "
                                         "`zksolv verify --snapshot`.")),
                 el("li", None, _prose(f"{NOTE} Re-check everything on your computer: `pip install zksolv`, "
                                       "then `zksolv verify attestation/` in this folder."))))


def _statements(r: Round, check: str) -> Raw:
    items = [el("li", None, el("strong", None, f"{OK} {a.name}: "),
                f"reserves ≥ {a.floor_percent} % of what customers hold — proven; the total held is not "
                "disclosed.") for a in r.assets]
    if r.margin:
        items += _margin_statements(r.margin, check)
    return el("section", {"aria-labelledby": "statements-h"},
              el("h2", {"id": "statements-h"}, "Proven statements"), el("ul", {"class": "statements"}, items))


def _margin_statements(m, check: str) -> list[Raw]:
    rows = []
    for name, shocks in m.scenarios:
        where = "at the round's prices" if name == "base" else f"in the scenario {name} ({_shocks(shocks)})"
        rows.append(el("li", None, el("strong", None, f"{OK} Firm-wide, {where}: "),
                       f"reserves ≥ {m.firm_percent} % of net customer liabilities valued in {m.quote} — "
                       "proven; the total is not disclosed."))
    mark = OK if check == "audit" else NOTE
    how = ("checked when this page was made" if check == "audit"
           else "proven in margin.audit; check with `zksolv audit attestation/`")
    rows.append(el("li", None, el("strong", None, f"{mark} Every margin account: "),
                   _prose(f"collateral after haircuts ≥ {m.min_collateral_percent} % of its debts at the round's "
                          f"prices and in every scenario ({how}).")))
    return rows


def _shocks(shocks: dict) -> str:
    if not shocks:
        return "no price moves"
    return ", ".join(f"{a} {'+' if not str(s).startswith('-') else ''}{s} %" for a, s in sorted(shocks.items()))


def _reserves(r: Round) -> Raw:
    cards = [el("article", {"class": "asset"},
                el("h3", None, f"{a.name}: {a.reserves_total} in {len(a.wallets)} "
                   f"wallet{'s' if len(a.wallets) != 1 else ''}"),
                _wallet_table(a)) for a in r.assets]
    return el("section", {"aria-labelledby": "reserves-h"},
              el("h2", {"id": "reserves-h"}, "Reserves"), _chains(r.chains) if r.chains else None, cards)


def _wallet_table(a) -> Raw:
    head = el("tr", None, [el("th", {"scope": "col"}, t)
                           for t in ("Chain", "Address", "Token", "Balance", "Proof of control")])
    rows = [el("tr", None, el("td", {"data-label": "Chain"}, w.chain),
               el("td", {"data-label": "Address"}, el("code", None, w.address)),
               el("td", {"data-label": "Token"}, el("code", None, w.token) if w.token else "native coin"),
               el("td", {"data-label": "Balance", "class": "num"}, w.balance),
               el("td", {"data-label": "Proof of control"}, f"{OK} signature checked"))
            for w in a.wallets]
    return el("div", {"class": "scroll"}, el("table", None, el("thead", None, head), el("tbody", None, rows)))


def _chains(chains: dict) -> Raw:
    items = [el("li", None, f"{name}: block {b['height']} ", el("code", None, b["hash"]))
             for name, b in sorted(chains.items())]
    return el("div", None, el("p", None, "Balances are pinned at these blocks:"), el("ul", {"class": "chains"}, items))


def _market(m) -> Raw:
    prices = [el("tr", None, el("td", {"data-label": "Asset"}, asset),
                 el("td", {"data-label": f"Price ({m.quote})", "class": "num"}, price),
                 el("td", {"data-label": "Collateral counted"}, _tiers(asset, tiers)))
              for asset, price, tiers in m.prices]
    head = el("tr", None, [el("th", {"scope": "col"}, t) for t in ("Asset", f"Price ({m.quote})",
                                                                   "Collateral counted")])
    scenarios = [el("li", None, f"{name}: {_shocks(shocks)}") for name, shocks in m.scenarios if name != "base"]
    return el("section", {"aria-labelledby": "market-h"},
              el("h2", {"id": "market-h"}, "Margin accounts: the market they were proven under"),
              el("p", None, f"Up to {m.capacity:,} margin accounts; each must hold at least "
                 f"{m.min_collateral_percent} % of its debts in collateral after haircuts."),
              el("div", {"class": "scroll"}, el("table", None, el("thead", None, head), el("tbody", None, prices))),
              el("p", None, "Stress scenarios (price moves applied to the base prices):"),
              el("ul", None, scenarios or el("li", None, "none")))


def _tiers(asset: str, tiers: list) -> str:
    parts, lower = [], "0"
    for upper, rate in tiers:
        span = f"above {lower}" if upper is None else f"{lower}–{upper}"
        parts.append(f"{span} {asset}: {rate} %")
        lower = upper
    return "; ".join(parts)


def _history(rounds: list[Round]) -> Raw:
    items = [el("li", None, f"{r.attestation_id} at {r.timestamp}: manifest ", el("code", None, r.digest[:16] + "…"),
                f" — {OK} names the round before it" if k else " — the oldest round given")
             for k, r in enumerate(rounds)]
    return el("section", {"aria-labelledby": "history-h"},
              el("h2", {"id": "history-h"}, "History: proven coverage across rounds"),
              chart.svg(rounds), chart.table(rounds),
              el("p", None, f"{len(rounds)} rounds, oldest first, each verified and linked to the one before by "
                 "its manifest digest:" if len(rounds) > 1 else "One round: the exchange published no earlier "
                 "round with this one."),
              el("ol", {"class": "rounds"}, items))


def _several_rounds(count: int) -> Raw | None:
    """With --history: check one proof of each published round at once (issue 13 item 5)."""
    if count < 2:
        return None
    return el("div", {"class": "drop"},
              el("label", {"for": "files"}, f"Several rounds? Choose your proof of each (up to {count} files, "
                 "one per round): each is checked in the round it names, all for one customer."),
              el("input", {"type": "file", "id": "files", "multiple": True, "accept": ".json,application/json"}))


def _check_form(r: Round, count: int) -> Raw:
    balances = [el("label", None, f"{a.name} ", el("input", {"type": "text", "inputmode": "decimal",
                                                            "class": "balance", "data-asset": a.name,
                                                            "autocomplete": "off", "placeholder": "optional"}))
                for a in r.assets]
    return el("section", {"class": "check", "aria-labelledby": "check-h"},
              el("h2", {"id": "check-h"}, "Check my account"),
              el("p", None, "Paste the inclusion proof the exchange gave you (a JSON file), or choose or drop "
                 "the file. It is checked here, in your browser; nothing is sent anywhere."),
              el("label", {"for": "proof"}, "Inclusion proof (JSON)"),
              el("textarea", {"id": "proof", "rows": "6", "spellcheck": "false", "autocomplete": "off"}),
              el("div", {"class": "drop", "id": "drop"}, el("label", {"for": "file"}, "or choose the file: "),
                 el("input", {"type": "file", "id": "file", "accept": ".json,application/json"})),
              _several_rounds(count),
              el("label", {"for": "user"}, "Your user id (optional: the proof must name it)"),
              el("input", {"type": "text", "id": "user", "autocomplete": "off"}),
              el("fieldset", None, el("legend", None, "Your balances (optional: each must match)"), balances),
              el("button", {"type": "button", "id": "verify"}, "Verify"),
              el("div", {"id": "result", "role": "status", "aria-live": "polite"}))


def _footer(r: Round, version: str) -> Raw:
    return el("footer", None, el("p", None, f"Made by zksolv {version} (", el("code", None, "zksolv publish"),
                                 "). Files of this round: ",
                                 el("a", {"href": "attestation/manifest.json"}, "manifest.json"),
                                 " and the rest of ", el("a", {"href": "attestation/"}, "attestation/"),
                                 ". Third-party code: ", el("a", {"href": "assets/THIRD-PARTY-LICENSES.txt"},
                                                            "licences"), "."),
              el("noscript", None, el("p", None, _prose("JavaScript is off: the statements above stand, but "
                                      "checking your account here needs it (or use `zksolv verify-inclusion`)."))))
