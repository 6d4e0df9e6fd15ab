"""Headless Chromium (Debian's) helpers shared by the browser tests."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "artifacts" / "screenshots"
AXE = ROOT / "node_modules" / "axe-core" / "axe.min.js"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def new_page(browser, base: str, **options):
    """A fresh context (own sessionStorage); records every request URL and dismisses any dialog."""
    context = browser.new_context(base_url=base, **options)
    requests: list[str] = []
    dialogs: list[str] = []
    page = context.new_page()
    page.on("request", lambda r: requests.append(r.url))
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    return context, page, requests, dialogs


def ask(page, question: str, exchanges: int) -> None:
    """Type and send a question, with or without JavaScript; wait until `exchanges` exchanges show."""
    page.get_by_label("Your question").fill(question)
    page.get_by_role("button", name="Ask", exact=True).click()
    page.locator("#conversation .exchange").nth(exchanges - 1).locator(".disclaimer").wait_for()


def serious_violations(page) -> list:
    """axe-core's serious and critical findings on the page as it is now."""
    assert AXE.is_file(), "axe-core missing: run `make install`"
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("async () => await axe.run(document)")
    return [(v["id"], v["impact"], v["help"]) for v in result["violations"] if v["impact"] in ("serious", "critical")]
