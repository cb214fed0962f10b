"""The workshop dashboard (sim/app.py): how it is started, and the page in a real headless browser.

The browser test starts the documented command, ``python -m sim.app --port N``, opens the page in
Debian's Chromium through Playwright, moves the budget slider, presses Reset and Step, and reads the
status panel. It needs /usr/bin/chromium: if it is missing, ``scripts/install-browser`` is tried
first, and only if Chromium still cannot be had is the test skipped, saying why.
"""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import numpy as np
import pytest

from tests.helpers import stop_server

ROOT = Path(__file__).resolve().parents[1]
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
                 "--disable-sync", "--no-first-run"]
SERVER_START_S = 90          # the app imports Mesa, Solara and matplotlib; ~10-15 s on a busy 2-core machine
BUDGET = "Funding budget (EUR per inhabitant and year; 0 = as in the scenario)"


# -- how the server is started ------------------------------------------------------------------


def test_server_binds_to_localhost_by_default():
    from sim.app import DEFAULT_HOST, parse_args, solara_command

    assert DEFAULT_HOST == "127.0.0.1"
    args = parse_args([])
    assert (args.host, args.port) == ("127.0.0.1", 8765)
    command = solara_command()
    assert command[1:4] == ["-m", "solara", "run"] and command[4] == "sim.app"
    assert command[command.index("--host") + 1] == "127.0.0.1"
    assert command.count("--host") == 1
    assert "--no-open" in command and "--no-check-version" in command


def test_host_is_exposed_only_when_asked(monkeypatch, capsys):
    import sim.app

    calls = []

    def refuse(*args, **kwargs):
        raise AssertionError("main() must exec the server, not start a child, here")

    monkeypatch.setattr(sim.app.os, "execve", lambda path, argv, env: calls.append((argv, env)))
    monkeypatch.setattr(sim.app.os, "name", "posix")
    monkeypatch.setattr(sim.app.subprocess, "Popen", refuse)
    assert sim.app.main(["--host", "0.0.0.0", "--port", "9001"]) == 0
    assert len(calls) == 1
    argv, env = calls[0]
    assert argv[argv.index("--host") + 1] == "0.0.0.0" and argv[argv.index("--port") + 1] == "9001"
    assert env["SOLARA_TELEMETRY_MIXPANEL_ENABLE"] == "False"
    out, err = capsys.readouterr()
    assert "http://127.0.0.1:9001" in out
    assert "anyone who can reach this computer" in err
    with pytest.raises(SystemExit):
        sim.app.parse_args(["--port", "70000"])


def test_dashboard_model_follows_the_controls():
    from sim.app import REGIONS, SCENARIOS, DashboardModel

    label = {key: text for text, key in {**REGIONS, **SCENARIOS}.items()}     # what the drop-downs show
    model = DashboardModel(region=label["saarbruecken"], arrangement=label["herausforderung"],
                           broker_staff=0.5, budget=3.0, cofinancing=0.3, seed=2)
    cfg = model.cfg
    assert (cfg.region.preset, cfg.scenario.name, cfg.seed) == ("saarbruecken", "herausforderung", 2)
    assert (cfg.broker_group.coordinator_staff, cfg.funding.budget_per_head_year,
            cfg.funding.cofinancing_share) == (0.5, 3.0, 0.3)
    twin = model.twin.cfg                                                # the baseline beside it: same levers
    assert (twin.scenario.name, twin.seed, twin.funding.budget_per_head_year) == ("baseline", 2, 3.0)
    for _ in range(3):
        model.step()
    df = model.datacollector.get_model_vars_dataframe()
    assert len(df) == 4 and list(df.columns) == ["Approved applications", "Completed projects",
                                                 "Consortia formed", "Trust between municipalities"]
    assert model.twin.steps == model.steps == 3 and len(model.history["baseline"]) == 4
    assert model.figure("map")[:3] == b"\xff\xd8\xff" and model.figure("baseline_map")[:3] == b"\xff\xd8\xff"
    from sim.app import series_svg

    assert series_svg(model).count("<polyline") == 4                     # two runs, two panels
    layout = model.map
    assert np.isfinite(layout.lookup[layout.ids]).all()                  # every node has a place
    assert len(layout.ids) == model.network.G.number_of_nodes()


def test_each_scenario_brings_its_own_funding_and_stops_at_the_horizon():
    """Choosing Klima.Werk loads its KRIS funding (the sliders at 0 leave it), and a run stops at the horizon
    ("Month 138 of 120" was possible)."""
    from sim.app import REGIONS, SCENARIOS, DashboardModel, overrides
    from sim.cli import compose

    label = {key: text for text, key in {**REGIONS, **SCENARIOS}.items()}
    own = compose(["scenario=klimawerk"]).funding
    model = DashboardModel(region=label["saarbruecken"], arrangement=label["klimawerk"])
    assert (model.cfg.funding.budget_per_head_year, model.cfg.funding.cofinancing_share) == (
        own.budget_per_head_year, own.cofinancing_share)
    assert model.twin.cfg.funding.budget_per_head_year == compose(["scenario=baseline"]).funding.budget_per_head_year
    assert "funding.budget_per_head_year=2" in overrides("saarbruecken", "klimawerk", 11, 1, 2.0, 0.0, 0)
    model.cfg.horizon_months = 3
    for _ in range(6):
        model.step()
    assert model.steps == 3 and not model.running


# -- the page in a browser -----------------------------------------------------------------------

def chromium() -> str:
    """Path of Chromium, installing Debian's package with scripts/install-browser if it is missing."""
    found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if found is None:
        try:
            subprocess.run([str(ROOT / "scripts" / "install-browser")], timeout=900, check=False)
        except (OSError, subprocess.TimeoutExpired) as err:
            print(f"scripts/install-browser failed: {err}", file=sys.stderr)
        found = shutil.which("chromium") or ("/usr/bin/chromium" if os.path.exists("/usr/bin/chromium") else None)
    if found is None:
        pytest.skip("Chromium is not installed and scripts/install-browser could not install it "
                    "(needs apt-get and root); the browser test of the dashboard did not run")
    return found


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def listening_addresses(port: int) -> set[str]:
    """Local addresses with a listening TCP socket on ``port`` (Linux /proc; no traffic is sent)."""
    found = set()
    for name in ("/proc/net/tcp", "/proc/net/tcp6"):
        try:
            lines = Path(name).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            local, state = line.split()[1], line.split()[3]
            address, hex_port = local.rsplit(":", 1)
            if state == "0A" and int(hex_port, 16) == port:
                if len(address) == 8:
                    found.add(socket.inet_ntop(socket.AF_INET, bytes.fromhex(address)[::-1]))
                else:
                    raw = b"".join(bytes.fromhex(address[i:i + 8])[::-1] for i in range(0, 32, 8))
                    found.add(socket.inet_ntop(socket.AF_INET6, raw))
    return found


@pytest.fixture
def dashboard(request):
    """The dashboard served by the documented command on a free local port (``--lang`` from the test's
    parameter, English by default); stopped afterwards."""
    port = free_port()
    log = tempfile.TemporaryFile()
    lang = getattr(request, "param", "en")
    server = subprocess.Popen([sys.executable, "-m", "sim.app", "--port", str(port), "--lang", lang], cwd=ROOT,
                              stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}/"
    try:
        started, deadline = time.monotonic(), time.monotonic() + SERVER_START_S
        while True:
            if server.poll() is not None:
                log.seek(0)
                pytest.fail(f"the dashboard server exited with {server.returncode}:\n{log.read().decode()[-3000:]}")
            try:
                with urllib.request.urlopen(url, timeout=5) as response:
                    if response.status == 200:
                        break
            except OSError:
                pass
            if time.monotonic() > deadline:
                log.seek(0)
                pytest.fail(f"the dashboard did not answer within {SERVER_START_S} s:\n{log.read().decode()[-3000:]}")
            time.sleep(0.5)
        print(f"dashboard up after {time.monotonic() - started:.1f} s")
        yield url, port
    finally:
        stop_server(server, log)


def status(page) -> str:
    return page.locator(".dash-status").inner_text()


def budget(text: str) -> float:
    """The budget the running model uses, as the status panel states it."""
    return float(re.search(r"Funding\s+([\d.]+) EUR per inhabitant and year", text).group(1))


def approvals(text: str, lang: str = "en") -> list[int]:
    """The approvals so far of each run the status panel shows (baseline first)."""
    return [int(x.replace(".", "")) for x in re.findall(r"(?:approvals|Bewilligungen) ([\d.]+)", text)]


def test_dashboard_in_a_browser(dashboard):
    executable = chromium()
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        pytest.fail("the playwright package is missing from the environment (it is pinned in requirements.lock)")
    url, port = dashboard
    if Path("/proc/net/tcp").exists():
        assert listening_addresses(port) == {"127.0.0.1"}, "the dashboard must listen on 127.0.0.1 only"
    # A workshop room may be offline: every script and style the page names must come from the local copy
    # (solara-assets), not from Solara's CDN.
    with urllib.request.urlopen(url, timeout=30) as response:
        page_html = response.read().decode()
    local = Path(sys.prefix) / "share" / "solara" / "cdn"
    named = sorted(set(re.findall(r"/_solara/cdn/([^\"'?#]+)", page_html)))
    assert named, "the page names no assets; has Solara's page template changed?"
    missing = [asset for asset in named if not (local / asset).is_file()]
    assert not missing, f"not in the local asset copy {local} (install solara-assets): {missing}"
    failed: list[str] = []

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            page = browser.new_page(viewport={"width": 1600, "height": 1000})
            page.on("response", lambda r: failed.append(f"{r.status} {r.url}") if r.status >= 400 else None)
            page.set_default_timeout(30_000)
            page.goto(url, timeout=60_000)
            page.get_by_text("Month 0 of 120").wait_for(timeout=60_000)
            assert page.get_by_text("Cooperation in the region: workshop dashboard").is_visible()
            text = status(page)
            assert "Emscher" in text and budget(text) == 4.91 and "(as in the scenario)" in text   # KRIS
            first_map = page.locator("img.dash-map").get_attribute("src")

            slider = page.get_by_role("slider", name=BUDGET)
            slider.focus()
            slider.press("End")                                   # the slider's maximum: 10 EUR
            page.wait_for_function(
                f"document.querySelector('[aria-label=\"{BUDGET}\"]').getAttribute('aria-valuenow') === '10'")
            page.get_by_role("button", name="Reset").click()
            page.get_by_text("10 EUR per inhabitant and year").wait_for()
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Month 1 of 120").wait_for()
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Month 2 of 120").wait_for()

            text = status(page)
            assert budget(text) == 10.0 and "(set by the slider)" in text
            assert len(approvals(text)) == 2                              # baseline and Klima.Werk
            page.wait_for_function("src => document.querySelector('img.dash-map').getAttribute('src') !== src",
                                   arg=first_map)                 # the map was redrawn
            page.screenshot(path=os.path.join(tempfile.gettempdir(), "dashboard-test.png"))
            assert not failed, f"requests that failed: {failed}"
        finally:
            browser.close()


SIZES = {"projector": (1280, 720)}


@pytest.mark.parametrize("dashboard", ["de"], indirect=True)
def test_german_dashboard_at_1280x720_shows_baseline_and_scenario_side_by_side(dashboard):
    """At a projector's 1280 x 720, in German: the status (not clipped), the baseline's map, the scenario's map
    and the charts all above the fold, nothing (Solara's badge) covering them; one month takes well under a
    second from click to screen (0.5 s is the aim on this machine when it is not busy); the screenshots before
    and after a step differ in both maps and nowhere in the settings column."""
    executable = chromium()
    from playwright.sync_api import sync_playwright

    url, _ = dashboard
    width, height = SIZES["projector"]
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, args=CHROMIUM_ARGS, timeout=30_000)
        try:
            page = browser.new_page(viewport={"width": width, "height": height})
            page.set_default_timeout(30_000)
            page.goto(url, timeout=60_000)
            page.get_by_text("Monat 0 von 120").wait_for(timeout=60_000)
            assert page.get_by_text("Kooperation in der Region: Workshop-Dashboard").is_visible()
            page.locator("img.dash-map-baseline").wait_for()
            text = status(page)
            assert "Ausgangslage (ohne Koordinationsstelle)" in text and "Klima.Werk (Serviceorganisation)" in text
            assert "4,91 EUR je Einwohner und Jahr" in text and "(wie im Szenario)" in text
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Monat 1 von 120").wait_for()
            page.wait_for_timeout(1500)
            before = page.screenshot()
            started = time.monotonic()
            page.get_by_role("button", name="Step").click()
            page.get_by_text("Monat 2 von 120").wait_for()
            seconds = time.monotonic() - started
            print(f"one month from click to screen: {seconds:.2f} s")
            assert seconds < 1.5
            page.wait_for_timeout(1500)
            after = page.screenshot()
            boxes = page.evaluate("""() => {
              const out = {};
              for (const [k, sel] of [["status", ".dash-status"], ["baseline", "img.dash-map-baseline"],
                                      ["scenario", "img.dash-map"], ["series", "svg.dash-series"]]) {
                const e = document.querySelector(sel), r = e.getBoundingClientRect();
                let cell = e; while (cell && !(cell.scrollHeight > 0 && getComputedStyle(cell).overflow !== "visible")
                                     && cell.parentElement) cell = cell.parentElement;
                const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
                const corner = document.elementFromPoint(r.right - 5, r.bottom - 5);
                out[k] = {x: r.x, y: r.y, right: r.right, bottom: r.bottom, covered: !(e.contains(hit) || hit === e),
                          corner: !(e.contains(corner) || corner === e), clipped: e.scrollHeight > e.clientHeight + 1};
              }
              out.drawer = document.querySelector(".v-navigation-drawer").getBoundingClientRect().right;
              return out; }""")
            for name in ("status", "baseline", "scenario", "series"):
                b = boxes[name]
                assert b["bottom"] <= height and b["right"] <= width, (name, b)      # above the fold
                assert not b["covered"] and not b["corner"], (name, "covered by another element")
            assert not boxes["status"]["clipped"], "the status text is clipped"
            assert boxes["baseline"]["right"] <= boxes["scenario"]["x"] + 1        # side by side
            from io import BytesIO

            from PIL import Image

            a = np.asarray(Image.open(BytesIO(before)).convert("L"), float)
            b = np.asarray(Image.open(BytesIO(after)).convert("L"), float)
            for name in ("baseline", "scenario"):
                box = boxes[name]
                y0, y1, x0, x1 = (int(box["y"]), int(box["bottom"]), int(box["x"]), int(box["right"]))
                assert np.abs(a[y0:y1, x0:x1] - b[y0:y1, x0:x1]).mean() > 0.01, f"the {name} map did not change"
            drawer = int(boxes["drawer"]) - 5
            assert np.abs(a[120:, :drawer] - b[120:, :drawer]).max() == 0, "the settings column moved"
            page.screenshot(path=os.path.join(tempfile.gettempdir(), "dashboard-de-1280x720.png"))
        finally:
            browser.close()
