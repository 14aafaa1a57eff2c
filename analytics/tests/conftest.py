"""Fixtures the analytics tests share."""

import pytest
from reportlab import rl_config


@pytest.fixture
def readable_pdf(monkeypatch):
    """reportlab without compression and with fixed dates/ids, so the test can find text in the bytes."""
    monkeypatch.setattr(rl_config, "pageCompression", 0)
    monkeypatch.setattr(rl_config, "invariant", 1)
