"""`report`, `compare` and `export` on a store of real trials: TILE and VLX, four agents,
three models (scripted ones: offline and fast), one trial per task on the smoke configs.
The report is opened in a real headless Chromium (Debian's, driven by Playwright)."""

from __future__ import annotations

import csv
import io
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from eval import leaderboard as lb
from eval.records import TrialKey
from eval.runner import run_trial
from eval.store import Store
from tasks import load_suite

ROOT = Path(__file__).resolve().parents[2]
CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
TASKS = ("relu", "gemm", "swiglu", "conv_block")  # levels 1, 1, 2, 3
# (run, target, agent, model, tasks)
RUNS = [
    ("tile-template", "tile", "template", "", TASKS),
    ("tile-nop", "tile", "nop", "", TASKS),
    ("tile-oracle-model", "tile", "llm", "scripted:oracle", TASKS),
    ("vlx-template", "vlx", "template", "", TASKS),
    ("vlx-oracle", "vlx", "oracle", "", TASKS),
]


def replay_file(folder: Path) -> Path:
    """A model that writes the relu oracle, then edits it (a diff to show), then submits."""
    source = (ROOT / "tasks" / "relu" / "tile" / "oracle.tasm").read_text()
    first_line = source.splitlines()[0]
    turns = [
        {
            "text": "Writing a kernel.",
            "tool_calls": [{"name": "write_kernel", "arguments": {"source": source}}],
        },
        {
            "text": "A better comment.",
            "tool_calls": [
                {
                    "name": "edit_kernel",
                    "arguments": {"old": first_line, "new": "; relu, edited by the replay"},
                }
            ],
        },
        {"text": "Check it.", "tool_calls": [{"name": "run", "arguments": {}}]},
    ]
    path = folder / "replay.jsonl"
    path.write_text("".join(json.dumps(t) + "\n" for t in turns))
    return path


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    folder = tmp_path_factory.mktemp("report")
    db = folder / "kw.db"
    tasks = {t.id: t for t in load_suite("smoke") if t.id in TASKS}
    runs = [
        *RUNS,
        ("tile-replay", "tile", "llm", f"scripted:replay:{replay_file(folder)}", ("relu",)),
        ("tile-nop-again", "tile", "nop", "", ("gemm",)),  # a newer attempt of one trial
    ]
    with Store(str(db)) as store:
        for run, target, agent, model, ids in runs:
            store.ensure_run(run, {"target": target, "agent": agent, "model": model})
            for task_id in ids:
                key = TrialKey(run, task_id, target, "emu", agent, model, 0)
                store.save_trial(run_trial(tasks[task_id], key, store))
    yield db


def kw(*args: str, db: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, KERNELWRIGHT_DB=str(db), COLUMNS="200", NO_COLOR="1")
    return subprocess.run(
        [sys.executable, "-m", "eval.cli", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=300,
        cwd=ROOT,
    )


@pytest.fixture(scope="module")
def report_file(store_path: Path) -> Path:
    out = store_path.parent / "report.html"
    proc = kw("report", "--out", str(out), db=store_path)
    assert proc.returncode == 0, proc.stderr
    return out


def test_the_store_holds_what_the_report_needs(store_path: Path) -> None:
    with Store(str(store_path)) as store:
        trials = store.trials()
    assert len(trials) == 5 * len(TASKS) + 2
    by_run = {t.key.run: t for t in trials}
    assert by_run["tile-nop"].status == "invalid" and by_run["vlx-oracle"].status == "valid"
    assert by_run["tile-replay"].status == "valid", by_run["tile-replay"].reason


def test_report_numbers_equal_the_leaderboard_json(store_path: Path, report_file: Path) -> None:
    html = report_file.read_text()
    embedded = html.split('<script type="application/json" id="leaderboard-data">')[1]
    embedded = embedded.split("</script>")[0].replace("<\\/", "</")
    proc = kw("leaderboard", "--format", "json", db=store_path)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(embedded) == json.loads(proc.stdout)
    # and the shown figures are those rows, formatted
    nop = next(r for r in json.loads(proc.stdout) if r["agent"] == "nop")
    assert nop["trials"] == len(TASKS)  # the rerun replaced its older attempt
    for row in json.loads(proc.stdout):
        if row["geomean_speedup"] is not None:
            assert f"{row['geomean_speedup']:.2f}x</td>" in html


def test_report_in_a_real_browser(store_path: Path, report_file: Path, tmp_path: Path) -> None:
    if not Path(CHROMIUM).is_file():
        pytest.skip("Debian's chromium is not installed (scripts/install.sh --dev installs it)")
    sync_api = pytest.importorskip("playwright.sync_api")
    with Store(str(store_path)) as store:
        rows = lb.rows(store.trials())
        replay = next(t for t in store.trials() if t.key.run == "tile-replay")
    console: list[str] = []
    requests: list[str] = []
    with sync_api.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 1000})
        page.on("console", lambda m: console.append(f"{m.type}: {m.text}"))
        page.on("pageerror", lambda e: console.append(f"page error: {e}"))
        page.on("request", lambda r: requests.append(r.url))
        page.goto(report_file.as_uri(), wait_until="load")
        # leaderboard: one row per (agent, model, target), in a table per family
        assert page.locator("tr.lb-row").count() == len(rows)
        assert page.locator("table.leaderboard").count() == 2  # tile, vlx
        # matrix: every task x every column of its target, each with a verdict
        tile_cells = page.locator("table.matrix[data-target='tile'] td.cell")
        assert tile_cells.count() == len(TASKS) * 4  # template, nop, oracle model, replay
        assert page.locator("table.matrix[data-target='vlx'] td.cell").count() == len(TASKS) * 2
        assert page.locator("table.matrix td.cell.valid").count() >= len(TASKS) * 4
        assert page.locator("table.matrix td.cell.invalid").count() == len(TASKS)  # nop
        # every plot is drawn by plotly.js (an SVG inside each plot's div)
        for name in ("plot-speedup", "plot-level", "plot-cost", "plot-steps"):
            assert page.locator(f"#{name} svg.main-svg").count() >= 1, name
        # sorting by a header reorders the rows (valid rate: nop last, then first)
        header = page.locator("table.leaderboard[data-family='tile'] th", has_text="valid [CI95]")
        header.click()
        header.click()
        first = page.locator("table.leaderboard[data-family='tile'] tr.lb-row").first
        assert first.get_attribute("data-agent") == "nop"
        page.screenshot(path=str(tmp_path / "report.png"))
        # a trial's page: its transcript with the kernel's diff between writes
        page.goto(f"{report_file.as_uri()}#trial-{replay.id}")
        trial = page.locator(f"#trial-{replay.id}")
        assert trial.is_visible() and not page.locator("#main").is_visible()
        events = trial.locator("ol.transcript > li")
        assert events.count() >= 8  # system, user, 4 model turns, 3 tool results, submit
        assert trial.locator(".event-tool", has_text="edit_kernel").count() == 1
        assert trial.locator(".diff .add", has_text="edited by the replay").count() == 1
        assert trial.locator(".diff .del").count() >= 1
        assert trial.locator("pre.kernel").inner_text().startswith("; relu, edited by")
        page.screenshot(path=str(tmp_path / "trial.png"), full_page=True)
        browser.close()
    assert not [c for c in console if c.startswith(("error", "page error"))], console
    assert [u for u in requests if not u.startswith("file:")] == []
    assert (tmp_path / "report.png").stat().st_size > 10_000
    if folder := os.environ.get("KERNELWRIGHT_SCREENSHOTS"):
        for name in ("report.png", "trial.png"):
            shutil.copy(tmp_path / name, Path(folder) / name)


def test_report_of_two_runs_includes_the_comparison(store_path: Path) -> None:
    out = store_path.parent / "two.html"
    proc = kw(
        "report",
        "--run",
        "tile-template",
        "--run",
        "tile-oracle-model",
        "--out",
        str(out),
        db=store_path,
    )
    assert proc.returncode == 0, proc.stderr
    html = out.read_text()
    data = html.split('<script type="application/json" id="comparison-data">')[1]
    cmp = json.loads(data.split("</script>")[0].replace("<\\/", "</"))
    shown = kw("compare", "tile-template", "tile-oracle-model", "--format", "json", db=store_path)
    assert json.loads(shown.stdout)["rows"] == cmp["rows"]
    assert 'id="comparison"' in html and "Wilcoxon signed-rank" in html


def test_compare_two_runs(store_path: Path) -> None:
    proc = kw("compare", "vlx-template", "vlx-oracle", db=store_path)
    assert proc.returncode == 0, proc.stderr
    for task_id in TASKS:
        assert task_id in proc.stdout
    assert "sign test: n = " in proc.stdout and "Wilcoxon signed-rank: n = " in proc.stdout
    data = json.loads(
        kw("compare", "vlx-template", "vlx-oracle", "--format", "json", db=store_path).stdout
    )
    assert data["wins"] + data["losses"] + data["ties"] == len(TASKS)
    assert {r["task"] for r in data["rows"]} == set(TASKS)
    assert data["losses"] >= 1  # the oracle beats the template somewhere
    # two model strings on one target: the replayed model ran relu only
    data = json.loads(
        kw(
            "compare",
            "scripted:oracle",
            "template",
            "--target",
            "tile",
            "--format",
            "json",
            db=store_path,
        ).stdout
    )
    assert data["sides"]["B"]["agent"] == ["template"] and len(data["rows"]) == len(TASKS)


def test_compare_errors_are_one_sentence(store_path: Path) -> None:
    proc = kw("compare", "nosuch", "vlx-oracle", db=store_path)
    assert proc.returncode == 2 and proc.stderr.startswith("error: 'nosuch' is neither")
    proc = kw("compare", "template", "oracle", db=store_path)  # template ran on two targets
    assert proc.returncode == 2 and "--target" in proc.stderr
    assert "Traceback" not in proc.stderr


def test_export_parquet_one_row_per_trial(store_path: Path) -> None:
    pandas = pytest.importorskip("pandas")
    out = store_path.parent / "trials.parquet"
    proc = kw("export", "--format", "parquet", "--out", str(out), "--transcripts", db=store_path)
    assert proc.returncode == 0, proc.stderr
    frame = pandas.read_parquet(out)
    with Store(str(store_path)) as store:
        trials = store.trials()
    assert len(frame) == len(trials)
    assert list(frame["trial"]) == [t.id for t in trials]
    assert set(frame["status"]) == {"valid", "invalid"}
    replay = frame[frame["run"] == "tile-replay"].iloc[0]
    assert [e["kind"] for e in json.loads(replay["transcript"])][:2] == ["system", "user"]
    older = frame[~frame["counted"]]  # the nop's first gemm attempt, superseded by its rerun
    assert list(zip(older["run"], older["task"], strict=True)) == [("tile-nop", "gemm")]
    assert set(frame["level"]) == {1, 2, 3}
    assert json.loads(frame["verdict"].iloc[0])["configs"]


def test_export_jsonl_and_csv(store_path: Path) -> None:
    jsonl = kw("export", "--format", "jsonl", "--run", "vlx-oracle", db=store_path)
    rows = [json.loads(line) for line in jsonl.stdout.splitlines()]
    assert len(rows) == len(TASKS) and all(r["valid"] for r in rows)
    assert isinstance(rows[0]["measures"], dict)
    csv_text = kw("export", "--format", "csv", db=store_path).stdout
    table = list(csv.DictReader(io.StringIO(csv_text)))  # kernels span lines, quoted
    assert len(table) == 5 * len(TASKS) + 2
    assert list(table[0])[:4] == ["trial", "run", "task", "level"]
    assert json.loads(table[0]["verdict"])["configs"]


@pytest.mark.parametrize(
    "command", [["report"], ["compare", "a", "b"], ["export", "--format", "csv"]]
)
def test_reading_commands_never_create_a_database(tmp_path: Path, command: list[str]) -> None:
    missing = tmp_path / "no" / "such.db"
    proc = kw(*command, "--db", str(missing), db=missing)
    assert proc.returncode == 2
    assert proc.stderr.startswith(f"error: no database at {missing}")
    assert not missing.parent.exists()
