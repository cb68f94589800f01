"""Shared fixtures: one real index (real Chroma, real embedding model) per test session."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from assistant.embedding import offline_environment

offline_environment()

ROOT = Path(__file__).resolve().parent.parent
SEED_TEXT = ROOT / "data" / "hrc58-belarus-id.txt"
SEED_PDF = ROOT / "data" / "hrc58-belarus-id.pdf"
BURUNDI_TEXT = ROOT / "tests" / "data" / "hrc57-burundi-id.txt"
BURUNDI_PDF = ROOT / "tests" / "data" / "hrc57-burundi-id.pdf"


@pytest.fixture(scope="session")
def embedder():
    from assistant.embedding import load_embedder

    return load_embedder()


@pytest.fixture(scope="session")
def indexed_home(tmp_path_factory, embedder) -> Path:
    """An HRC_HOME with the bundled seed document indexed."""
    from assistant.settings import Settings
    from index.store import index_paths

    home = tmp_path_factory.mktemp("hrc-home")
    index_paths(Settings(home=home), [SEED_TEXT], embedder_factory=lambda: embedder)
    return home


@pytest.fixture(scope="session")
def settings(indexed_home):
    from assistant.settings import Settings

    return Settings(home=indexed_home)


@pytest.fixture(scope="session")
def assistant_offline(settings, embedder):
    from assistant.engine import Assistant

    return Assistant(settings, embedder=embedder)


@pytest.fixture()
def cli_env(indexed_home):
    """Environment for running the real `hrc-assistant` command against the session index."""
    env = dict(os.environ)
    env["HRC_HOME"] = str(indexed_home)
    return env
