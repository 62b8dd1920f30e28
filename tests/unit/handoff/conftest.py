from __future__ import annotations

import pytest

from .fakes import T0, EventRecorder, FakeClock, InMemoryCrisisStore


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock(T0)


@pytest.fixture
def store() -> InMemoryCrisisStore:
    return InMemoryCrisisStore()


@pytest.fixture
def recorder() -> EventRecorder:
    return EventRecorder()
