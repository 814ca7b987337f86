"""Every text colour the plugin's stylesheets set on a background reaches WCAG AA (4.5:1),
computed from the CSS itself (axe cannot see through CKAN's background image)."""

from __future__ import annotations

import pathlib
import re

import pytest

ASSETS = pathlib.Path(__file__).resolve().parents[1] / "assets"
RULE = re.compile(r"([^{}]+)\{([^}]*)\}")
COLOUR = r"#([0-9a-fA-F]{6}|[0-9a-fA-F]{3})\b"


def _rgb(hex_colour: str) -> tuple[float, ...]:
    value = hex_colour.lstrip("#")
    if len(value) == 3:
        value = "".join(c * 2 for c in value)
    return tuple(int(value[i : i + 2], 16) / 255 for i in (0, 2, 4))


def luminance(hex_colour: str) -> float:
    def channel(c: float) -> float:
        return c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(c) for c in _rgb(hex_colour))
    return 0.2126 * r + 0.7152 * g + 0.0722 * b


def contrast(a: str, b: str) -> float:
    high, low = sorted((luminance(a), luminance(b)), reverse=True)
    return (high + 0.05) / (low + 0.05)


def pairs() -> list[tuple[str, str, str]]:
    """(selector, text colour, background) of each rule that sets both."""
    found = []
    for sheet in sorted(ASSETS.glob("*.css")):
        for selector, body in RULE.findall(sheet.read_text(encoding="utf-8")):
            text = re.search(r"(?:^|;)\s*color:\s*" + COLOUR, body)
            background = re.search(r"background(?:-color)?:\s*" + COLOUR, body)
            if text and background:
                found.append(
                    (
                        f"{sheet.name}: {selector.strip()}",
                        "#" + text.group(1),
                        "#" + background.group(1),
                    )
                )
    return found


def test_the_computation_matches_known_values():
    assert contrast("#ffffff", "#000000") == pytest.approx(21.0)
    # CKAN core's field-error bar (white on #c6898b), the defect of issue 13.
    assert contrast("#ffffff", "#c6898b") == pytest.approx(2.86, abs=0.01)


def test_there_are_colour_pairs_to_check():
    selectors = " ".join(selector for selector, _t, _b in pairs())
    assert ".error-block" in selectors and ".badge" in selectors


@pytest.mark.parametrize(("selector", "text", "background"), pairs())
def test_every_text_colour_reaches_aa(selector, text, background):
    assert contrast(text, background) >= 4.5, (selector, text, background)
