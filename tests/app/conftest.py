from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.app.chain import Chain


@pytest.fixture
def chain(tmp_path: Path) -> Iterator[Chain]:
    c = Chain(tmp_path / "state")
    c.finalize([])  # commit the genesis block so queries see it
    yield c
    c.app.close()
