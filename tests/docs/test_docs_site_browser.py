"""Open the generated static docs site in headless Chromium, as an analyst would.

The page of one model (monthly_active_logical_subscriptions_v1 unless FXA_METRICS_DOCS_MODEL says
otherwise) must render its description, and the lineage must reach the raw Stripe subscription
history: the path is found in the manifest embedded in static_index.html, and every hop is checked
on the rendered page of the child ("Depends On" links to the parent). A screenshot of the model
page is saved under the target dir. The entry of one column (`subscription`, expanded by a click)
must show where one of its fields (`auto_renew`) comes from, down to its raw Stripe column, and a
screenshot of that entry must show the field's block. Skips only when Chromium is not installed
(see `make setup-browser`).
"""

from __future__ import annotations

import functools
import html
import http.server
import json
import logging
import os
import re
import shutil
import struct
import subprocess
import threading
import zlib
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

LOG = logging.getLogger(__name__)

MODEL = os.environ.get("FXA_METRICS_DOCS_MODEL", "monthly_active_logical_subscriptions_v1")
RAW_SOURCE = os.environ.get(
    "FXA_METRICS_DOCS_RAW_SOURCE", "source.fxa_metrics.stripe.subscription_history"
)
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
    "--disable-extensions",
    "--disable-dev-shm-usage",
    "--hide-scrollbars",
    # let the Angular app load the inlined manifest and render before the DOM is taken
    "--virtual-time-budget=10000",
]

pytestmark = [pytest.mark.browser, pytest.mark.slow]

# The "Depends On" list of a docs page has one tab per resource type (Seeds, Models, Sources, ...)
# and renders only the selected tab's links, so a dumped DOM does not show them all. This page,
# served next to the site (same origin), opens a docs page in an iframe, clicks every tab of its
# "Depends On" list as an analyst would and writes the links it saw into its own DOM as JSON.
PARENTS_PROBE = "__fxa_metrics_parents_probe.html"
PARENTS_PROBE_HTML = """<!DOCTYPE html>
<html><body><pre id="parents">pending</pre>
<iframe id="page" width="1400" height="1200"></iframe>
<script>
const frame = document.getElementById("page");
frame.src = "static_index.html" + decodeURIComponent(location.search.slice(1));
let attempts = 0;
function collect() {
  attempts += 1;
  const doc = frame.contentDocument;
  const anchor = doc && doc.getElementById("depends_on");
  const list = anchor && anchor.parentElement.querySelector("reference-list");
  if (!list || !list.querySelector('a[href^="#!/"]')) {
    if (attempts < 100) { setTimeout(collect, 100); return; }
    document.getElementById("parents").textContent = JSON.stringify({error: "not rendered"});
    return;
  }
  const hrefs = new Set();
  const gather = () => list.querySelectorAll('a[href^="#!/"]').forEach(
    (a) => hrefs.add(a.getAttribute("href")));
  gather();
  const tabs = Array.from(list.querySelectorAll('a[ng-click^="setType"]'));
  tabs.forEach((tab) => { tab.click(); gather(); });
  document.getElementById("parents").textContent = JSON.stringify({
    tabs: tabs.map((tab) => tab.textContent.trim()), hrefs: Array.from(hrefs)});
}
frame.onload = () => setTimeout(collect, 200);
</script></body></html>
"""


def find_chromium() -> str | None:
    """Debian's chromium (installed by `make setup-browser`), or CHROMIUM if set."""
    for candidate in (os.environ.get("CHROMIUM"), "chromium", "chromium-browser"):
        if candidate and shutil.which(candidate):
            return shutil.which(candidate)
    return None


def embedded_manifest(static_index: Path) -> dict[str, Any]:
    """The manifest dbt inlined into static_index.html (what the page itself renders)."""
    text = static_index.read_text()
    start = text.find("manifest:{")
    if start < 0:
        raise AssertionError(f"{static_index} has no inlined manifest (was it made with --static?)")
    manifest, _ = json.JSONDecoder().raw_decode(text, start + len("manifest:"))
    return manifest


def lineage_path(parent_map: dict[str, list[str]], start: str, goal: str) -> list[str] | None:
    """Shortest chain start -> ... -> goal following parent_map (child to parent), or None."""
    previous: dict[str, str | None] = {start: None}
    queue = deque([start])
    while queue:
        node = queue.popleft()
        if node == goal:
            path = [node]
            while previous[path[-1]] is not None:
                path.append(previous[path[-1]])  # type: ignore[arg-type]
            return list(reversed(path))
        for parent in parent_map.get(node, []):
            if parent not in previous:
                previous[parent] = node
                queue.append(parent)
    return None


def page_url(base_url: str, unique_id: str) -> str:
    resource_type = unique_id.split(".", 1)[0]
    return f"{base_url}/static_index.html#!/{resource_type}/{unique_id}"


def rendered_text(dom: str) -> str:
    """Visible text of a dumped DOM: scripts (the inlined manifest) and styles removed."""
    dom = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
    text = html.unescape(re.sub(r"<[^>]+>", " ", dom))
    return re.sub(r"\s+", " ", text)


def words(text: str) -> str:
    return " ".join(re.findall(r"[a-z0-9]+", text.lower()))


@pytest.fixture(scope="module")
def chromium() -> str:
    path = find_chromium()
    if path is None:
        pytest.skip(
            "Chromium is not installed and `make setup-browser` could not install it "
            "(apt-get install chromium needs root and the Debian mirror): docs not opened"
        )
    return path


@pytest.fixture(scope="module")
def docs_url(docs_target_dir: Path) -> Iterator[str]:
    """Serve the docs target dir on 127.0.0.1 (an ephemeral port), as `make docs` does."""

    class QuietHandler(http.server.SimpleHTTPRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:  # noqa: A002
            LOG.debug(format, *args)

        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            probes = {
                f"/{PARENTS_PROBE}": PARENTS_PROBE_HTML,
                f"/{COLUMN_PROBE}": COLUMN_PROBE_HTML,
            }
            page = probes.get(self.path.split("?", 1)[0])
            if page is None:
                super().do_GET()
                return
            body = page.encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

    handler = functools.partial(QuietHandler, directory=str(docs_target_dir))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_chromium(chromium: str, profile: Path, args: list[str]) -> str:
    profile.mkdir(parents=True, exist_ok=True)
    result = subprocess.run(
        [chromium, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    if result.returncode != 0:
        raise AssertionError(f"chromium {args[-1]} failed ({result.returncode}):\n{result.stderr}")
    return result.stdout


def dump_dom(chromium: str, profile: Path, url: str) -> str:
    return run_chromium(chromium, profile, ["--dump-dom", url])


def rendered_parents(chromium: str, profile: Path, base_url: str, unique_id: str) -> set[str]:
    """Links under "Depends On" of a node's page, every resource-type tab clicked."""
    fragment = page_url("", unique_id).removeprefix("/static_index.html")
    dom = dump_dom(chromium, profile, f"{base_url}/{PARENTS_PROBE}?{quote(fragment, safe='')}")
    found = re.search(r'<pre id="parents">(.*?)</pre>', dom, flags=re.S)
    assert found, f"the parents probe did not run for {unique_id}"
    result = json.loads(html.unescape(found.group(1)))
    assert "error" not in result, f"the docs page of {unique_id}: {result['error']}"
    return set(result["hrefs"])


def test_model_page_shows_description_and_lineage_to_raw_stripe(
    chromium: str, docs_url: str, docs_target_dir: Path, tmp_path: Path
) -> None:
    manifest = embedded_manifest(docs_target_dir / "static_index.html")
    model_id = f"model.fxa_metrics.{MODEL}"
    assert model_id in manifest["nodes"], f"{MODEL} is not in the docs site's manifest"
    description = manifest["nodes"][model_id]["description"]
    assert description.strip(), f"{MODEL} has no description to show"

    path = lineage_path(manifest["parent_map"], model_id, RAW_SOURCE)
    assert path is not None, f"the docs lineage of {MODEL} does not reach {RAW_SOURCE}"
    LOG.info("lineage walked in the browser: %s", " <- ".join(path))

    model_dom = dump_dom(chromium, tmp_path / "profile_model", page_url(docs_url, model_id))
    model_text = rendered_text(model_dom)
    first_words = " ".join(words(description).split()[:12])
    assert first_words in words(model_text), (
        f"the rendered page of {MODEL} does not show its description (looked for {first_words!r})"
    )

    # one page per hop; two browsers at a time (the CI machine has two cores)
    children = path[:-1]
    with ThreadPoolExecutor(max_workers=2) as pool:
        parents = list(
            pool.map(
                lambda item: rendered_parents(
                    chromium, tmp_path / f"profile_{item[0]}", docs_url, item[1]
                ),
                enumerate(children),
            )
        )
    for child, parent, links in zip(children, path[1:], parents, strict=True):
        link = page_url("", parent).removeprefix("/static_index.html")
        assert link in links, (
            f"the rendered page of {child} does not link its parent {parent} under Depends On "
            f"(it links {sorted(links)})"
        )


def test_model_page_screenshot(
    chromium: str, docs_url: str, docs_target_dir: Path, tmp_path: Path
) -> None:
    screenshot = docs_target_dir / f"docs_{MODEL}.png"
    screenshot.unlink(missing_ok=True)
    run_chromium(
        chromium,
        tmp_path / "profile_screenshot",
        [
            "--window-size=1440,1800",
            f"--screenshot={screenshot}",
            page_url(docs_url, f"model.fxa_metrics.{MODEL}"),
        ],
    )
    assert screenshot.exists(), f"chromium wrote no screenshot to {screenshot}"
    data = screenshot.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", f"{screenshot} is not a PNG"
    # a blank page compresses to a few KB; the rendered model page is far larger
    assert len(data) > 40_000, f"{screenshot} looks blank ({len(data)} bytes)"
    LOG.info("screenshot: %s", screenshot)


# -- lineage in a column's entry (issue 17) -------------------------------------------------------
# An analyst opens the model page, clicks the column `subscription` to expand its entry and reads
# the block of the field `auto_renew` in the column's description (written by
# fxa_metrics_tools/lineage/docs.py). This probe page does the click in an iframe, reports the
# field block it found inside that entry as JSON, and highlights the block in pure yellow (a colour
# the docs pages do not use) and scrolls it into view, so the screenshot test can prove that the
# block is on screen.
LINEAGE_COLUMN = os.environ.get("FXA_METRICS_DOCS_LINEAGE_COLUMN", "subscription.auto_renew")
LINEAGE_RAW = os.environ.get(
    "FXA_METRICS_DOCS_LINEAGE_RAW", "stripe.subscription_history.cancel_at_period_end"
)
MARKER_RGB = (255, 255, 0)
COLUMN_PROBE = "__fxa_metrics_column_probe.html"
COLUMN_PROBE_HTML = """<!DOCTYPE html>
<html><body style="margin: 0">
<pre id="entry" style="display: none">pending</pre>
<iframe id="page" width="1420" height="1250" style="border: 0"></iframe>
<script>
const params = new URLSearchParams(location.search);
const column = params.get("column"), field = params.get("field");
const frame = document.getElementById("page");
frame.src = "static_index.html#!/model/" + params.get("model");
let attempts = 0;
function report(result) { document.getElementById("entry").textContent = JSON.stringify(result); }
function findRow(doc) {
  return Array.from(doc.querySelectorAll("tr.column-row")).find(
    (row) => row.querySelector("td").textContent.trim() === column);
}
function expand() {
  attempts += 1;
  const row = frame.contentDocument && findRow(frame.contentDocument);
  if (!row) {
    if (attempts < 100) { setTimeout(expand, 100); return; }
    report({error: "the row of column " + column + " was not rendered"});
    return;
  }
  row.click();
  setTimeout(() => inspect(row), 300);
}
function inspect(row) {
  const entry = row.nextElementSibling;
  const text = entry && entry.querySelector("td.column-expanded span[marked]");
  if (!text || entry.offsetHeight === 0) { report({error: "the entry did not expand"}); return; }
  const heading = Array.from(text.querySelectorAll("p")).find(
    (p) => p.textContent.trim() === field + ":");
  if (!heading) {
    report({error: "no block for " + field, entry_chars: text.textContent.length});
    return;
  }
  const list = heading.nextElementSibling;
  const hops = list && list.tagName === "UL"
    ? Array.from(list.children).map((li) => li.textContent.trim()) : [];
  heading.style.background = "rgb(255, 255, 0)";
  if (list) { list.style.background = "rgb(255, 255, 0)"; }
  heading.scrollIntoView({block: "center"});
  report({entry_chars: text.textContent.length, heading: heading.textContent.trim(), hops: hops});
}
frame.onload = () => setTimeout(expand, 200);
</script></body></html>
"""


def column_probe_url(base_url: str) -> str:
    column, _, field = LINEAGE_COLUMN.partition(".")
    query = f"model={quote(f'model.fxa_metrics.{MODEL}')}&column={quote(column)}"
    return f"{base_url}/{COLUMN_PROBE}?{query}&field={quote(field)}"


def png_pixels(data: bytes) -> tuple[int, int, list[bytes]]:
    """Width, height and unfiltered rows of an 8-bit RGB/RGBA, non-interlaced PNG (Chromium's)."""
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, chunks, header = 8, [], b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position : position + 4])
        kind = data[position + 4 : position + 8]
        body = data[position + 8 : position + 8 + length]
        if kind == b"IHDR":
            header = body
        elif kind == b"IDAT":
            chunks.append(body)
        position += 12 + length
    width, height, depth, color, _, _, interlace = struct.unpack(">IIBBBBB", header)
    assert depth == 8 and color in (2, 6) and interlace == 0, f"unsupported PNG {header!r}"
    channels = 3 if color == 2 else 4
    raw = zlib.decompress(b"".join(chunks))
    stride = width * channels
    rows: list[bytes] = []
    previous = bytearray(stride)
    for y in range(height):
        kind, line = (
            raw[y * (stride + 1)],
            bytearray(raw[y * (stride + 1) + 1 : (y + 1) * (stride + 1)]),
        )
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up = previous[x]
            corner = previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 0xFF
            elif kind == 2:
                line[x] = (line[x] + up) & 0xFF
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                estimate = left + up - corner
                pa, pb, pc = abs(estimate - left), abs(estimate - up), abs(estimate - corner)
                best = left if pa <= pb and pa <= pc else up if pb <= pc else corner
                line[x] = (line[x] + best) & 0xFF
        rows.append(bytes(line))
        previous = line
    return (
        width,
        height,
        [bytes(row[i : i + 3]) for row in rows for i in range(0, stride, channels)],
    )


def test_column_entry_shows_where_a_struct_field_comes_from(
    chromium: str, docs_url: str, tmp_path: Path
) -> None:
    dom = dump_dom(chromium, tmp_path / "profile_column", column_probe_url(docs_url))
    found = re.search(r'<pre id="entry"[^>]*>(.*?)</pre>', dom, flags=re.S)
    assert found, "the column probe did not run"
    result = json.loads(html.unescape(found.group(1)))
    assert "error" not in result, f"{MODEL}, column entry of {LINEAGE_COLUMN}: {result}"
    column, _, field = LINEAGE_COLUMN.partition(".")
    hops = result["hops"]
    LOG.info("%s in the entry of %s.%s: %s", field, MODEL, column, "\n".join(hops))
    assert hops[0].startswith(f"{MODEL}.{LINEAGE_COLUMN} <- "), hops
    assert hops[-1].startswith("raw columns:") and LINEAGE_RAW in hops[-1], (
        f"the block of {field} in the entry of {MODEL}.{column} does not end with its raw "
        f"origin {LINEAGE_RAW}: {hops}"
    )
    assert len(hops) <= 6, f"the block of {field} is not short ({len(hops)} lines): {hops}"


def test_column_entry_screenshot_shows_the_field_block(
    chromium: str, docs_url: str, docs_target_dir: Path, tmp_path: Path
) -> None:
    screenshot = docs_target_dir / f"docs_{MODEL}_{LINEAGE_COLUMN.replace('.', '_')}.png"
    screenshot.unlink(missing_ok=True)
    run_chromium(
        chromium,
        tmp_path / "profile_column_screenshot",
        ["--window-size=1440,1300", f"--screenshot={screenshot}", column_probe_url(docs_url)],
    )
    assert screenshot.exists(), f"chromium wrote no screenshot to {screenshot}"
    width, height, pixels = png_pixels(screenshot.read_bytes())
    marked = sum(pixel == bytes(MARKER_RGB) for pixel in pixels)
    LOG.info("screenshot %s: %dx%d, %d marked pixels", screenshot, width, height, marked)
    # the painted block (a heading line and a few hop lines, ~1,300 px wide) covers far more
    # than 20,000 pixels when it is on screen; none when the entry did not open
    assert marked > 20_000, (
        f"{screenshot}: the {LINEAGE_COLUMN} block of {MODEL} is not visible ({marked} pixels "
        "of the marker colour)"
    )
