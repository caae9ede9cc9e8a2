"""Shared fixtures: an isolated cache and a writer of small fixture corpora in real layouts."""
from __future__ import annotations

import numpy as np
import pytest
import soundfile as sf


def pytest_collection_modifyitems(config, items):
    """nbval's re-execution of the notebooks is ``slow`` too (``pytest --nbval -m "not slow"``)."""
    for item in items:
        if type(item).__module__.startswith("nbval"):
            item.add_marker(pytest.mark.slow)


@pytest.fixture(scope="session", autouse=True)
def isolated_cache(tmp_path_factory):
    """Every test session gets its own cache (synthetic corpora, decoded waveforms)."""
    mp = pytest.MonkeyPatch()
    cache = tmp_path_factory.mktemp("stienet-cache")
    mp.setenv("STIENET_CACHE", str(cache))
    mp.delenv("STIENET_DATA", raising=False)
    yield cache
    mp.undo()


def write_tone(path, sr=16000, seconds=0.5, channels=1, freq=220.0, subtype="PCM_16"):
    """A short sine (optionally multi-channel) written with soundfile; returns the path."""
    t = np.arange(int(sr * seconds)) / sr
    x = 0.3 * np.sin(2 * np.pi * freq * t)
    data = np.stack([x * (c + 1) / channels for c in range(channels)], axis=1) if channels > 1 else x
    path.parent.mkdir(parents=True, exist_ok=True)
    sf.write(path, data, sr, subtype=subtype)
    return path


def truncate(path):
    """Cut a wav file in half, leaving its header's sizes untouched."""
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.fixture
def tone():
    return write_tone
