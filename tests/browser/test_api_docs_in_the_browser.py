"""The API's docs page (Swagger UI) works under the portal's strict CSP, from the project alone."""

from __future__ import annotations

from playwright.sync_api import expect


def test_the_api_docs_render_every_operation_from_the_same_origin(page, live_server, screenshot):
    requested: list[str] = []
    page.on("request", lambda request: requested.append(request.url))

    response = page.goto("/api/v1/docs")
    assert response is not None and response.status == 200
    assert "'unsafe-inline'" not in response.headers["content-security-policy"]
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/advisories/{ident}/package")).to_be_visible()
    screenshot(page, "api-docs")

    assert page.console_errors == []  # a refused script, style or image would be logged here
    elsewhere = [url for url in requested if not url.startswith((live_server.url, "data:"))]
    assert elsewhere == []
