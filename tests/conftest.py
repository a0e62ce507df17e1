"""Fixtures shared by the end-to-end tests."""

import pytest

from browser import Browser


@pytest.fixture(scope="module")
def browser():
    """Headless Chromium for one test module (a module that needs other flags, such as an
    extension, defines its own `browser`)."""
    browser = Browser()
    yield browser
    browser.close()
