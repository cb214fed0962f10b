"""Shared helpers for the tests: small configs, many seeds, confidence intervals."""

from __future__ import annotations

import numpy as np
from scipy import stats

from sim.config import Config
from sim.testing import config_with
from sim.run import simulate


def config(**overrides) -> Config:
    """A Config from dotted overrides, e.g. config(**{"funding.budget_per_head_year": 0})."""
    return config_with(Config(), **overrides)


def summaries(cfg_overrides: dict, seeds, **common) -> list[dict]:
    return [simulate(config(seed=s, **common, **cfg_overrides)).summary for s in seeds]


def paired_diff_ci(a: list[float], b: list[float], level: float = 0.95) -> tuple[float, float, float]:
    """Mean of b - a over paired seeds and its t confidence interval."""
    d = np.asarray(b, float) - np.asarray(a, float)
    half = stats.t.ppf(0.5 + level / 2, len(d) - 1) * d.std(ddof=1) / np.sqrt(len(d))
    return float(d.mean()), float(d.mean() - half), float(d.mean() + half)


def sweep_in_process(tmp_path, capsys, small: list[str], *args, name="s", code=0, multirun=True, flags=()):
    """``python -m sim [-m] small args`` in this process, into tmp_path (cache tmp_path/cache); returns the
    sweep folder and the printed stdout and stderr. ``code``: the exit status expected (0 = none)."""
    import pytest

    from sim.cli import main

    argv = [*flags, *(["-m"] if multirun else []), *small, f"output.sweep_dir={tmp_path}", f"output.name={name}",
            f"output.cache_dir={tmp_path / 'cache'}", *args]
    if code:
        with pytest.raises(SystemExit) as exit_info:
            main(argv)
        assert exit_info.value.code == code
    else:
        main(argv)
    captured = capsys.readouterr()
    return tmp_path / name, captured.out, captured.err


def with_ctrl_c():
    """``preexec_fn`` for a child that the test stops with SIGINT: a shell starts background jobs (``make test &``,
    nohup) with SIGINT ignored and children inherit that, so the child restores the default first, as an
    interactive terminal would have it."""
    import signal

    signal.signal(signal.SIGINT, signal.SIG_DFL)


def stop_server(server, log) -> None:
    """Stop a server started with ``subprocess.Popen`` (terminate, then kill after 15 s) and close its log."""
    import subprocess

    server.terminate()
    try:
        server.wait(timeout=15)
    except subprocess.TimeoutExpired:
        server.kill()
        server.wait(timeout=15)
    log.close()
