"""dashboards.safe_text: outside text shown literally in Streamlit markdown and Plotly labels.

The markdown checks render with markdown-it-py (CommonMark, as Streamlit's remark) and then
check what remark and Streamlit add on top, which CommonMark does not know: directives
(``:red[...]``, ``:material/icon:``), ``$`` math and GFM's links from bare URLs and addresses,
found in the text after escapes are resolved."""

from __future__ import annotations

import html
import re
import string

import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from dashboards.safe_text import WORD_JOINER, code, md, plot_frame, plot_text

COMMONMARK = MarkdownIt("commonmark").enable(["table", "strikethrough"])
HOSTILE = [
    "[click here](https://evil.example)",
    "![](https://evil.example/pixel.png)",
    "![p](https://evil.example/p.png)",
    "<https://evil.example>",
    "$x$ and $$\\sqrt{x}$$",
    "reason\n# heading",
    "line one\r\n- a list item\r* another\n1. numbered\n> quoted\n---\n| a | b |\n|---|---|",
    ":red[alarm] :blue-background[x] :red-badge[y] :material/warning: :streamlit: :smile:",
    '<a href="https://evil.example">x</a> <img src=x onerror=alert(1)> &lt;b&gt; &#91;',
    "**bold** _it_ ~~gone~~ `code` \\*not\\* [ref]: https://evil.example",
    "visit https://evil.example/p?q=1, www.evil.example or ops@evil.example now",
    "    indented code?",
]


def rendered_text(markdown: str) -> str:
    """The markdown as HTML, with its one paragraph wrapper removed (or as is)."""
    out = COMMONMARK.render(markdown).strip()
    return out.removeprefix("<p>").removesuffix("</p>")


def resolved(markdown: str) -> str:
    """The text a markdown string shows once its backslash escapes are resolved: what remark's
    later passes (GFM bare links, Streamlit's icons) look at."""
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", markdown)


def literal(text: str) -> str:
    """What ``md(text)`` should read as: line breaks as spaces, no surrounding whitespace."""
    return re.sub(r"\r\n?|\n", " ", text).strip()


def as_html(text: str) -> str:
    """Text as markdown-it writes it in HTML (& < > and " as entities)."""
    return html.escape(text, quote=False).replace('"', "&quot;")


@pytest.mark.parametrize("text", HOSTILE)
def test_md_renders_hostile_text_as_the_same_literal_text(text):
    out = md(text)
    assert "\n" not in out and "\r" not in out
    # CommonMark: one paragraph of plain text, reading as the input (no tag of any kind)
    assert rendered_text(out).replace(WORD_JOINER, "") == as_html(literal(text))
    # Streamlit's directives, icons and math start on a colon or a dollar: all escaped
    assert not re.search(r"(?<!\\)[:$\[\]]", out)
    assert ":material/" not in out
    # GFM's second pass makes links of bare URLs and addresses in the resolved text: broken
    plain = resolved(out)
    assert not re.search(r"https?://|www\.|@\w", plain, re.IGNORECASE)


def test_md_escapes_every_ascii_punctuation_character():
    for char in string.punctuation:
        assert md(char).startswith("\\" + char), char
        assert rendered_text(md(char)).replace(WORD_JOINER, "") == as_html(char)


@given(st.text())
def test_md_leaves_no_punctuation_unescaped_and_no_line_break(text):
    out = md(text)
    assert "\n" not in out and "\r" not in out
    # read left to right: every ASCII punctuation character is the second of an escape pair
    assert re.fullmatch(r"(?:\\[!-/:-@\[-`{-~]|[^!-/:-@\[-`{-~])*", out, re.DOTALL)
    assert resolved(out).replace(WORD_JOINER, "") == literal(text)


def test_ordinary_text_reads_the_same():
    for name in ("Gulf Coast Insurance Group", "Acme Lead Exchange", "Valid phone required"):
        assert md(name) == name
    assert rendered_text(md("Smith & Co. (TX) - 50% off!")) == "Smith &amp; Co. (TX) - 50% off!"
    assert md(3) == "3" and md(2.5) == "2\\.5"


def test_missing_values_become_the_callers_choice():
    for missing in (None, float("nan"), pd.NA, pd.NaT):
        assert md(missing) == "" and md(missing, "—") == "—"
        assert code(missing) == "" and code(missing, "—") == "—"


def test_code_keeps_ids_as_inline_code_and_escapes_what_it_cannot_hold():
    assert code("6ade991c05eb89b3ed9de8e2") == "`6ade991c05eb89b3ed9de8e2`"
    assert code("step\n1") == "`step 1`"
    # a backtick would end the span, a ] a :red[...] label around it: plain escaped text instead
    for text in ("a`b [x](https://evil.example)", "x] [click](https://evil.example) [", "a\\"):
        assert code(text) == md(text)
    assert code(" ") == md(" ") == ""


def test_plot_text_escapes_plotlys_pseudo_html():
    link = '<a href="https://evil.example">x</a> <b>&amp;</b><br>'
    assert plot_text(link) == (
        '&lt;a href="https://evil.example"&gt;x&lt;/a&gt; &lt;b&gt;&amp;amp;&lt;/b&gt;&lt;br&gt;'
    )
    assert plot_text("Gulf Coast Insurance Group") == "Gulf Coast Insurance Group"
    for other in (None, 3, 2.5, pd.Timestamp("2026-11-01")):
        assert plot_text(other) is other


def test_plot_frame_escapes_text_columns_only_and_leaves_the_frame_alone():
    day = pd.Timestamp("2026-11-01").date()
    frame = pd.DataFrame(
        {
            "source": ["<b>S</b>", "Plain", None],
            "kind": pd.Categorical(["<i>", "x", "x"]),
            "day": [day, day, day],
            "leads": [1, 2, 3],
        }
    )
    out = plot_frame(frame)
    assert list(out["source"].iloc[:2]) == ["&lt;b&gt;S&lt;/b&gt;", "Plain"]
    assert pd.isna(out["source"].iloc[2])
    assert list(out["kind"]) == ["&lt;i&gt;", "x", "x"]
    assert list(out["day"]) == [day, day, day] and list(out["leads"]) == [1, 2, 3]
    assert frame["source"].iloc[0] == "<b>S</b>"  # a copy
    numbers = pd.DataFrame({"leads": [1]})
    assert plot_frame(numbers) is numbers
