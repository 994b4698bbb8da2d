"""Open the generated static docs site in headless Chromium, as an analyst would.

The page of one model (monthly_active_logical_subscriptions_v1 unless FXA_METRICS_DOCS_MODEL says
otherwise) must render its description, and the lineage must reach the raw Stripe subscription
history: the path is found in the manifest embedded in static_index.html, and every hop is checked
on the rendered page of the child ("Depends On" links to the parent). A screenshot of the model
page is saved under the target dir. Skips only when Chromium is not installed (see
`make setup-browser`).
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
import subprocess
import threading
from collections import deque
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

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

    # one page per hop; two browsers at a time (the CI machine has two cores)
    children = path[:-1]
    with ThreadPoolExecutor(max_workers=2) as pool:
        doms = list(
            pool.map(
                lambda item: dump_dom(
                    chromium, tmp_path / f"profile_{item[0]}", page_url(docs_url, item[1])
                ),
                enumerate(children),
            )
        )

    model_text = rendered_text(doms[0])
    first_words = " ".join(words(description).split()[:12])
    assert first_words in words(model_text), (
        f"the rendered page of {MODEL} does not show its description (looked for {first_words!r})"
    )
    for child, parent, dom in zip(children, path[1:], doms, strict=True):
        visible = re.sub(r"<(script|style)\b.*?</\1>", " ", dom, flags=re.S | re.I)
        assert "Depends On" in visible, f"the page of {child} did not render"
        link = page_url("", parent).removeprefix("/static_index.html")
        assert f'href="{link}"' in visible, (
            f"the rendered page of {child} does not link its parent {parent} under Depends On"
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
