"""The portal's layout for keyboard users and small screens."""

from __future__ import annotations

import datetime as dt

from playwright.sync_api import expect


def test_a_keyboard_user_skips_to_the_content_and_sees_where_the_focus_is(page, sign_in, screenshot,
                                                                          make_partner, make_advisory):
    _, _, analyst = make_partner("Keyboard AV")
    make_advisory(patch_in=dt.timedelta(hours=12))
    page.goto("/login/")
    screenshot(page, "sign-in")

    sign_in(page, analyst)
    page.keyboard.press("Tab")
    skip = page.get_by_role("link", name="Skip to the content")
    expect(skip).to_be_focused()
    expect(skip).to_be_in_viewport()  # shown while focused, hidden otherwise
    outline = skip.evaluate("element => getComputedStyle(element).outlineStyle")
    assert outline not in ("none", "")
    page.keyboard.press("Enter")
    expect(page.locator("main")).to_be_focused()
    for landmark in ("banner", "navigation", "main", "contentinfo"):
        expect(page.get_by_role(landmark)).to_have_count(1)
    expect(page.get_by_role("link", name="Advisories")).to_have_attribute("aria-current", "page")


def test_on_a_phone_the_pages_fit_the_screen(page, sign_in, screenshot, make_partner, make_advisory):
    _, _, analyst = make_partner("Phone AV")
    advisory = make_advisory(patch_in=dt.timedelta(hours=12))
    page.set_viewport_size({"width": 360, "height": 740})

    sign_in(page, analyst)
    for path, name in (("/", "phone-home"), (f"/advisories/{advisory.ident}/", "phone-advisory")):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")
        assert overflow <= 0, f"{path} is {overflow}px wider than the screen"
        screenshot(page, name)
