"""The browser fixtures (Chromium, a desktop page, a phone-width page) for every browser test module."""

from tests.browser.test_incident_flow import browser, page, phone  # noqa: F401
