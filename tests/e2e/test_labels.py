"""QR labels through the real ASGI app: the print sheet (every firearm, store and lot, each QR
code carrying the right URL), the ``kind`` filter, membership, and the scan route ``/q/{code}``
(case-insensitive, unknown codes, sign-in with a safe ``next``)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date
from html import unescape
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import segno
from fastapi.testclient import TestClient

from coldcheck.app import handlers as h
from coldcheck.app.accounts import Accounts
from coldcheck.app.settings import Settings
from coldcheck.domain.values import AmmoClass, BlankLoad, Permit, Role, StoreKind
from coldcheck.store.sqlite_accounts import SqliteAccountStore
from coldcheck.web.app import create_app
from coldcheck.web.auth import safe_next
from coldcheck.web.labels import normalise
from tests.conftest import PINS, PRODUCTION, make_app, seed

PASSWORD = "saddle brass lantern"
BASE = "http://testserver"
OTHER = "other-film"


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """Dust Road (``seed``) with a second store and two lots; Other Film with one store S01."""
    path = tmp_path / "set.db"
    app = make_app(path)
    try:
        seed(app)
        h.add_store(app, PRODUCTION, "P01", "Prop cart", StoreKind.CART, locked=True)
        h.receive_ammunition(
            app,
            PRODUCTION,
            "P01",
            ammo_class=AmmoClass.BLANK,
            calibre=".45 Colt",
            count=50,
            supplier="Stembridge",
            provenance="Invoice 4471",
            store="S01",
            load=BlankLoad.HALF,
            pin=PINS["P01"],
        )
        h.receive_ammunition(
            app,
            PRODUCTION,
            "P01",
            ammo_class=AmmoClass.DUMMY,
            calibre="9mm",
            count=30,
            supplier="Stembridge",
            provenance="Invoice 4472",
            store="S02",
            pin=PINS["P01"],
        )
        permit = Permit(number="NY-7", authority="NYPD", expires=date(2099, 1, 1))
        h.init(
            app,
            OTHER,
            "Other Film",
            "Olga Berg",
            frozenset({Role.ARMORER}),
            "777777",
            head_armorer=True,
            permit=permit,
        )
        h.add_store(app, OTHER, "P01", "Olga's truck", StoreKind.TRUCK, locked=True)
        h.add_person(
            app, OTHER, "P01", "Bo Th", frozenset({Role.PRODUCER}), "888888", actor_pin="777777"
        )
    finally:
        app.close()
    accounts = Accounts(SqliteAccountStore(path, create=True))
    try:
        hannah = accounts.create_account("hannah", "Hannah Reed", PASSWORD)
        accounts.link(hannah.id, PRODUCTION, "P01")
        olga = accounts.create_account("olga", "Olga Berg", PASSWORD)
        accounts.link(olga.id, OTHER, "P01")
        both = accounts.create_account("both", "Both Films", PASSWORD)
        accounts.link(both.id, PRODUCTION, "P04")
        accounts.link(both.id, OTHER, "P02")
    finally:
        accounts.store.close()
    return path


@pytest.fixture
def client(db: Path) -> Iterator[TestClient]:
    settings = Settings.load(str(db), env={"COLDCHECK_INSECURE_TEST_KDF": "1"})
    with TestClient(create_app(settings), base_url=BASE) as test_client:
        yield test_client


def sign_in(client: TestClient, username: str) -> None:
    response = client.post("/api/session", json={"username": username, "password": PASSWORD})
    assert response.status_code == 200, response.text


def labels(html: str) -> dict[str, str]:
    """Each label on the sheet: its printed code → the label's HTML."""
    found = re.findall(r'<li class="label [a-z]+" data-code="([A-Z0-9]+)".*?</li>', html, re.S)
    blocks = re.findall(r'<li class="label [a-z]+" data-code="[A-Z0-9]+".*?</li>', html, re.S)
    return dict(zip(found, blocks, strict=True))


def dark_modules(svg: str) -> tuple[int, set[tuple[int, int]]]:
    """The QR symbol drawn by an SVG path of horizontal runs: its size (with the quiet zone)
    and the (column, row) of every dark module."""
    box = re.search(r'viewBox="0 0 (\d+) (\d+)"', svg)
    path = re.search(r'<path[^>]*class="qr-line"[^>]*\sd="([^"]+)"', svg)
    assert box, svg[:200]
    assert path, svg[:200]
    assert box.group(1) == box.group(2)
    x = y = 0.0
    dark: set[tuple[int, int]] = set()
    for command, args in re.findall(r"([MmHh])([^MmHh]*)", path.group(1)):
        numbers = [float(n) for n in args.replace(",", " ").split()]
        if command == "M":
            x, y = numbers
        elif command == "m":
            x, y = x + numbers[0], y + numbers[1]
        else:
            end = numbers[0] if command == "H" else x + numbers[0]
            dark |= {(col, int(y)) for col in range(int(x), int(end))}
            x = end
    return int(box.group(1)), dark


def expected_modules(url: str) -> tuple[int, set[tuple[int, int]]]:
    """What segno draws for ``url`` (error correction M, boosted when it fits), with the
    standard 4-module quiet zone."""
    qr = segno.make(url, error="m", micro=False)
    border = 4
    dark = {
        (col + border, row + border)
        for row, line in enumerate(qr.matrix)
        for col, bit in enumerate(line)
        if bit
    }
    return int(qr.symbol_size(scale=1, border=border)[0]), dark


def error_level(size: int, dark: set[tuple[int, int]]) -> str:
    """The error-correction level read from the symbol's own format information (top left)."""
    border = 4  # the quiet zone
    assert (size - 2 * border - 17) % 4 == 0  # a QR symbol is 17 + 4 * version modules across

    def bit(col: int, row: int) -> int:
        return int((col + border, row + border) in dark)

    bits = 0
    for col in range(6):
        bits = bits << 1 | bit(col, 8)
    for col, row in ((7, 8), (8, 8), (8, 7)):
        bits = bits << 1 | bit(col, row)
    for row in range(5, -1, -1):
        bits = bits << 1 | bit(8, row)
    return {1: "L", 0: "M", 3: "Q", 2: "H"}[(bits ^ 0x5412) >> 13]


def test_the_sheet_has_a_label_with_the_right_qr_for_every_firearm_store_and_lot(
    client: TestClient,
) -> None:
    sign_in(client, "hannah")
    page = client.get(f"/p/{PRODUCTION}/labels")
    assert page.status_code == 200, page.text
    assert page.headers["content-type"].startswith("text/html")
    sheet = labels(page.text)
    assert sorted(sheet) == ["A01", "A02", "F01", "F02", "S01", "S02"]
    for code, block in sheet.items():
        url = f"{BASE}/q/{code}"
        assert f'data-url="{url}"' in block
        size, dark = dark_modules(block)
        assert (size, dark) == expected_modules(url), code
        assert (size, dark) != expected_modules(f"{BASE}/q/X{code}")
        assert error_level(size, dark) in {"M", "Q", "H"}
        assert f'<strong class="code">{code}</strong>' in block
    assert "UB-1873-001" in sheet["F01"]
    assert "Uberti 1873 Cattleman" in unescape(sheet["F01"])
    assert "Beretta 92FS" in sheet["F02"]
    assert "Main safe" in sheet["S01"]
    assert "safe" in sheet["S01"]
    assert "Prop cart" in sheet["S02"]
    assert "cart" in sheet["S02"]
    assert "BLANK" in sheet["A01"]
    assert ".45 Colt" in sheet["A01"]
    assert "half load" in sheet["A01"]
    assert "Count 50 at print time" in sheet["A01"]
    assert "DUMMY" in sheet["A02"]
    assert "Count 30 at print time" in sheet["A02"]
    assert 'action="/q"' in page.text  # typing the code is the fallback
    assert "Type the code on the label" in page.text
    assert page.headers["cache-control"] == "no-store"


def test_the_sheet_prints_black_on_white_with_cut_lines_and_hides_the_controls(
    client: TestClient,
) -> None:
    sign_in(client, "hannah")
    page = client.get(f"/p/{PRODUCTION}/labels").text
    print_css = page[page.index("@media print") :]
    assert ".top, .no-print { display: none !important; }" in print_css
    assert "repeat(3, 63mm)" in print_css
    assert "break-inside: avoid" in print_css
    assert "dashed #000" in page  # the cut lines
    assert "@page { size: auto; margin: 10mm; }" in page
    assert 'id="print-labels"' in page
    assert "window.print()" in page
    assert re.search(r'<section class="no-print">.*id="print-labels"', page, re.S)
    assert 'stroke="#000"' in page
    assert "@page { size: A4;" in client.get(f"/p/{PRODUCTION}/labels?paper=a4").text
    assert "@page { size: letter;" in client.get(f"/p/{PRODUCTION}/labels?paper=letter").text


@pytest.mark.parametrize(
    ("kind", "codes"),
    [("firearms", ["F01", "F02"]), ("stores", ["S01", "S02"]), ("lots", ["A01", "A02"])],
)
def test_kind_prints_one_kind_of_label(client: TestClient, kind: str, codes: list[str]) -> None:
    sign_in(client, "hannah")
    page = client.get(f"/p/{PRODUCTION}/labels", params={"kind": kind})
    assert page.status_code == 200
    assert sorted(labels(page.text)) == codes


def test_an_unknown_kind_is_a_clear_400(client: TestClient) -> None:
    sign_in(client, "hannah")
    page = client.get(f"/p/{PRODUCTION}/labels", params={"kind": "people"})
    assert page.status_code == 400
    assert "kind=firearms, stores or lots" in page.text


def test_another_productions_labels_are_404(client: TestClient) -> None:
    sign_in(client, "hannah")
    for production in (OTHER, "no-such-film"):
        page = client.get(f"/p/{production}/labels")
        assert page.status_code == 404
        assert page.headers["content-type"].startswith("text/html")
        assert "data-code" not in page.text
        assert "Olga" not in page.text


def test_the_labels_page_needs_sign_in(client: TestClient) -> None:
    page = client.get(f"/p/{PRODUCTION}/labels", follow_redirects=False)
    assert page.status_code == 303
    assert page.headers["location"] == f"/signin?next=/p/{PRODUCTION}/labels"


@pytest.mark.parametrize("typed", ["F01", "f01", "F1", "f-01"])
def test_a_scanned_firearm_opens_on_the_board_at_the_firearm(
    client: TestClient, typed: str
) -> None:
    sign_in(client, "hannah")
    scanned = client.get(f"/q/{typed}", follow_redirects=False)
    assert scanned.status_code == 303
    location = scanned.headers["location"]
    # The firearm's own page when the app has one, else the board anchored at the firearm.
    has_page = client.get(f"/p/{PRODUCTION}/firearms/F01").status_code == 200
    assert location == (f"/p/{PRODUCTION}/firearms/F01" if has_page else f"/p/{PRODUCTION}#F01")
    assert client.get(location).status_code == 200


def test_a_scanned_store_or_lot_shows_its_row(client: TestClient) -> None:
    sign_in(client, "hannah")
    store = client.get("/q/s02")
    assert store.status_code == 200
    assert str(store.url) == f"{BASE}/p/{PRODUCTION}/q/S02"
    assert "Prop cart" in store.text
    assert "locked" in store.text
    lot = client.get("/q/a01")
    assert lot.status_code == 200
    assert "BLANK" in lot.text
    assert "Count now: <strong>50</strong>" in lot.text
    assert f'href="/p/{PRODUCTION}"' in lot.text


def test_an_unknown_code_is_a_404_page_that_says_how_to_type_it(client: TestClient) -> None:
    sign_in(client, "hannah")
    for path in ("/q/F99", "/q/Z01", "/q/hello", f"/p/{PRODUCTION}/q/A09"):
        page = client.get(path)
        assert page.status_code == 404, path
        assert page.headers["content-type"].startswith("text/html")
        assert "Type the code on the label" in page.text
        assert 'action="/q"' in page.text
        assert "F for a firearm" in unescape(re.sub(r"<[^>]+>", "", page.text))
    assert "<strong>F99</strong> is not a firearm" in client.get("/q/F99").text


def test_typing_the_code_opens_the_item(client: TestClient) -> None:
    sign_in(client, "hannah")
    form = client.get("/q")
    assert form.status_code == 200
    assert "Type the code on the label" in form.text
    typed = client.get("/q", params={"code": " s01 "}, follow_redirects=False)
    assert typed.status_code == 303
    assert typed.headers["location"] == "/q/S01"
    assert client.get("/q", params={"code": "nonsense"}).status_code == 404


def test_codes_resolve_within_the_accounts_productions(client: TestClient) -> None:
    sign_in(client, "olga")
    # F01 exists only in Dust Road, which is not Olga's: as if it did not exist.
    assert client.get("/q/F01").status_code == 404
    assert client.get(f"/p/{PRODUCTION}/q/S01").status_code == 404
    mine = client.get("/q/S01")
    assert mine.status_code == 200
    assert str(mine.url) == f"{BASE}/p/{OTHER}/q/S01"
    assert "Olga&#39;s truck" in mine.text


def test_a_code_in_two_of_the_accounts_productions_asks_which(client: TestClient) -> None:
    sign_in(client, "both")
    page = client.get("/q/s01")
    assert page.status_code == 200
    assert f'href="/p/{PRODUCTION}/q/S01"' in page.text
    assert f'href="/p/{OTHER}/q/S01"' in page.text
    assert client.get("/q/F01", follow_redirects=False).status_code == 303


def test_not_signed_in_a_scan_redirects_to_sign_in_with_a_local_next(
    client: TestClient,
) -> None:
    for path, expected in [
        ("/q/f01", "/q/F01"),
        ("/q", "/q"),
        ("/q?code=a2", "/q/A02"),
    ]:
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303, path
        location = urlsplit(response.headers["location"])
        assert (location.scheme, location.netloc, location.path) == ("", "", "/signin")
        assert parse_qs(location.query)["next"] == [expected], path


@pytest.mark.parametrize(
    ("path", "safe"),
    [
        ("/q/F01", "/q/F01"),
        ("/p/dust-road/labels", "/p/dust-road/labels"),
        ("//evil.example/x", "/"),
        ("/\\evil.example", "/"),
        ("https://evil.example/", "/"),
        ("evil.example", "/"),
        ("/q/\r\nSet-Cookie:x", "/"),
        ("", "/"),
    ],
)
def test_safe_next_keeps_only_local_paths(path: str, safe: str) -> None:
    assert safe_next(path) == safe


@pytest.mark.parametrize(
    ("typed", "code"),
    [("F01", "F01"), ("f1", "F01"), (" a-03 ", "A03"), ("s 2", "S02"), ("F100", "F100")],
)
def test_codes_are_normalised(typed: str, code: str) -> None:
    assert normalise(typed) == code


@pytest.mark.parametrize("typed", ["", "P01", "F", "01", "FF01", "F01x", "F/01", "F" + "1" * 7])
def test_other_text_is_not_a_code(typed: str) -> None:
    assert normalise(typed) is None
