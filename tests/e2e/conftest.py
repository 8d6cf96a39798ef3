from __future__ import annotations

from collections.abc import Iterator

import pytest

from .tmux import Tmux, require_tmux


@pytest.fixture
def tmux() -> Iterator[Tmux]:
    require_tmux()
    server = Tmux()
    try:
        yield server
    finally:
        server.kill()
