"""QR labels for firearms, stores and ammunition lots, and the route their codes open.

``/p/{production}/labels`` is a print-ready sheet (A4 or Letter, cut lines, black on white): one
label per firearm, store and ammunition lot, each with a QR code (error correction M or higher,
inline SVG) for ``/q/{code}`` on this server and the short code printed big beneath it.

``/q/{code}`` opens the item: the ids already are short codes (F01, S02, A03), matched
case-insensitively and without regard to leading zeros, within the signed-in account's
productions. Typing the code at ``/q`` is the fallback when a label will not scan.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any
from urllib.parse import quote

import segno
from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from markupsafe import Markup
from starlette.routing import Match

from coldcheck.app import queries
from coldcheck.domain.errors import NotFound
from coldcheck.domain.state import ProductionState
from coldcheck.web import auth
from coldcheck.web.auth import Principal, safe_next
from coldcheck.web.pages import _page

router = APIRouter(include_in_schema=False)

KINDS = ("firearms", "stores", "lots")
PAPERS = {"": "auto", "a4": "A4", "letter": "letter"}
_CODE = re.compile(r"([A-Z])0*([0-9]{1,6})")
_KIND_OF = {"F": "firearm", "S": "store", "A": "lot"}
QR_ERROR = "m"  # at least M (15 % recovery): labels get scratched and smeared on set
QUIET_ZONE = 4  # modules of white around the symbol, as the QR standard asks


@dataclass(frozen=True, slots=True)
class Found:
    production: str
    production_name: str
    kind: str  # "firearm", "store" or "lot"
    id: str


def normalise(code: str) -> str | None:
    """A label code in its canonical form (``f1``, `` F-01 `` → ``F01``), or None."""
    compact = re.sub(r"[\s\-_]", "", code).upper()
    match = _CODE.fullmatch(compact)
    if match is None or match.group(1) not in _KIND_OF:
        return None
    return f"{match.group(1)}{int(match.group(2)):02d}"


def _signin(path: str) -> Response:
    target = quote(safe_next(path), safe="/")
    return RedirectResponse(f"/signin?next={target}", status_code=303)


def qr_svg(url: str) -> Markup:
    """The QR code for ``url`` as inline SVG: black modules, scalable (viewBox, no size)."""
    qr = segno.make(url, error=QR_ERROR, micro=False)
    svg = qr.svg_inline(
        scale=1,
        border=QUIET_ZONE,
        dark="#000",
        omitsize=True,
        svgclass="qr",
        lineclass="qr-line",
    )
    return Markup(svg)  # noqa: S704 - segno's own markup; the payload is a URL we built


def scan_url(request: Request, code: str) -> str:
    """The absolute URL a label's QR code encodes: ``/q/{code}`` on this server."""
    return f"{str(request.base_url).rstrip('/')}/q/{quote(code, safe='')}"


def _find(state: ProductionState, code: str) -> tuple[str, str] | None:
    kind = _KIND_OF.get(code[:1], "")
    ids: list[str] = []
    if kind == "firearm":
        ids = list(state.firearms)
    elif kind == "store":
        ids = list(state.stores)
    elif kind == "lot":
        ids = list(state.lots)
    return next(((kind, item) for item in ids if normalise(item) == code), None)


def _mine(request: Request, who: Principal, code: str) -> list[Found]:
    found = []
    app = auth.web(request).app()
    for membership in auth.memberships(request, who):
        production = membership["production"]
        hit = _find(app.state(production), code)
        if hit is not None:
            found.append(Found(production, membership["name"], hit[0], hit[1]))
    return found


def _has_route(request: Request, path: str) -> bool:
    scope = {"type": "http", "path": path, "method": "GET", "root_path": ""}
    return any(route.matches(scope)[0] is Match.FULL for route in request.app.router.routes)


def _target(request: Request, found: Found) -> str:
    production = quote(found.production, safe="")
    if found.kind == "firearm":
        page = f"/p/{production}/firearms/{quote(found.id, safe='')}"
        if _has_route(request, page):
            return page
        return f"/p/{production}#{quote(found.id, safe='')}"
    return f"/p/{production}/q/{quote(found.id, safe='')}"


def _missing(
    request: Request, who: Principal, message: str, remedy: str, status: int = 404
) -> Response:
    heading = "Not found" if status == 404 else "Cannot show this"
    return _page(
        request,
        "labels_missing.html",
        status=status,
        who=who,
        heading=heading,
        message=message,
        remedy=remedy,
    )


def _unknown(request: Request, who: Principal, code: str, typed: str = "") -> Response:
    return _page(
        request, "labels_scan.html", status=404, who=who, code=code, typed=typed, unknown=True
    )


@router.get("/q", response_class=HTMLResponse)
def scan_form(request: Request, code: str = "") -> Response:
    """Type the code on the label: the fallback when a QR code will not scan."""
    who = auth.page_principal(request)
    canonical = normalise(code[:40])
    if who is None:
        return _signin(f"/q/{canonical}" if canonical else "/q")
    if canonical:
        return RedirectResponse(f"/q/{canonical}", status_code=303)
    if code.strip():
        return _unknown(request, who, "", typed=code[:40])
    return _page(request, "labels_scan.html", who=who, code="", typed="", unknown=False)


@router.get("/q/{code}", response_class=HTMLResponse)
def scan(request: Request, code: str) -> Response:
    """A scanned label: open the item in whichever of your productions has it."""
    who = auth.page_principal(request)
    canonical = normalise(code[:40])
    if who is None:
        return _signin(f"/q/{canonical}" if canonical else "/q")
    if canonical is None:
        return _unknown(request, who, "", typed=code[:40])
    found = _mine(request, who, canonical)
    if not found:
        return _unknown(request, who, canonical)
    if len(found) == 1:
        return RedirectResponse(_target(request, found[0]), status_code=303)
    choices = [{"found": f, "href": _target(request, f)} for f in found]
    return _page(request, "labels_choose.html", who=who, code=canonical, choices=choices)


@router.get("/p/{production}/q/{code}", response_class=HTMLResponse)
def item(request: Request, production: str, code: str) -> Response:
    """One labelled item of one production: a firearm opens on its page (or the board);
    a store or a lot shows its row of the read model."""
    who = auth.page_principal(request)
    if who is None:
        return _signin(f"/p/{quote(production, safe='')}/q/{quote(code[:40], safe='')}")
    try:
        auth.member(request, who, production)
    except NotFound as refusal:
        return _missing(request, who, refusal.message, "Open one of your productions.")
    canonical = normalise(code[:40])
    state = auth.web(request).app().state(production)
    hit = _find(state, canonical) if canonical else None
    if canonical is None or hit is None:
        return _unknown(request, who, canonical or "", typed="" if canonical else code[:40])
    kind, ident = hit
    found = Found(production, state.name, kind, ident)
    if kind == "firearm":
        return RedirectResponse(_target(request, found), status_code=303)
    rows = queries.stores(state) if kind == "store" else queries.lots(state)
    row = next(r for r in rows if r[kind] == ident)
    return _page(request, "labels_item.html", who=who, found=found, row=row, title=state.name)


def _labels(request: Request, state: ProductionState, kinds: tuple[str, ...]) -> list[Any]:
    labels: list[dict[str, Any]] = []

    def label(kind: str, code: str, title: str, lines: list[str]) -> None:
        url = scan_url(request, code)
        labels.append(
            {
                "kind": kind,
                "code": code,
                "title": title,
                "lines": lines,
                "url": url,
                "qr": qr_svg(url),
            }
        )

    if "firearms" in kinds:
        for f in queries.firearms(state):
            label(
                "firearm",
                f["firearm"],
                f"{f['make']} {f['model']}",
                [f"Serial {f['serial']}", f"{f['calibre']} · {f['kind'].replace('_', ' ')}"],
            )
    if "stores" in kinds:
        for s in queries.stores(state):
            label("store", s["store"], s["name"], [f"Store · {s['kind']}"])
    if "lots" in kinds:
        for lot in queries.lots(state):
            load = f" · {lot['load'].replace('_', ' ')} load" if lot["load"] else ""
            label(
                "lot",
                lot["lot"],
                f"{lot['class'].upper()} · {lot['calibre']}{load}",
                [f"Count {lot['count']} at print time", f"Kept in {lot['store_name']}"],
            )
    return labels


@router.get("/p/{production}/labels", response_class=HTMLResponse)
def labels(request: Request, production: str, kind: str = "", paper: str = "") -> Response:
    """The print sheet: every firearm, store and ammunition lot (or one ``kind`` of them)."""
    who = auth.page_principal(request)
    if who is None:
        return _signin(f"/p/{quote(production, safe='')}/labels")
    try:
        auth.member(request, who, production)
    except NotFound as refusal:
        return _missing(request, who, refusal.message, "Open one of your productions.")
    if kind not in ("", *KINDS) or paper not in PAPERS:
        return _missing(
            request,
            who,
            "There is no such kind of label or paper size.",
            "Use kind=firearms, stores or lots, and paper=a4 or letter (or leave them out).",
            status=400,
        )
    web = auth.web(request)
    state = web.app().state(production)
    now: datetime = web.clock()
    kinds = (kind,) if kind else KINDS
    return _page(
        request,
        "labels.html",
        who=who,
        production=production,
        title=state.name,
        kind=kind,
        kinds=KINDS,
        paper=paper,
        page_size=PAPERS[paper],
        printed=now.strftime("%Y-%m-%d %H:%M UTC"),
        labels=_labels(request, state, kinds),
    )
