"""Text that comes from outside (lead sources, flows, steps, buyers' answers, submitted field
names) shown as literal text: in Streamlit markdown (``md``, ``code``) and in Plotly labels
(``plot_text``, ``plot_frame``). Pure functions, no Streamlit here: the figures use them too.

Streamlit renders as markdown st.markdown, captions, info/warning boxes, metric and expander
labels, help tooltips and st.table cells: CommonMark and GFM (links, images, headings, lists,
tables, bare URLs), its directives (``:red[...]``, ``:material/icon:``) and LaTeX (``$...$``).
Plotly draws pseudo-HTML (``<a href>``, ``<b>``, ``<br>``, ``<span style>``) in tick labels,
legends, hover boxes and titles.
"""

from __future__ import annotations

import re

import pandas as pd

#: Every ASCII punctuation character. CommonMark lets each be backslash-escaped and shows an
#: escaped one as itself: no emphasis, code, link, image, HTML, heading, list, table, math or
#: directive can start or end on it.
_PUNCTUATION = re.compile(r"([!-/:-@\[-`{-~])")
_LINE_BREAK = re.compile(r"\r\n?|\n")
#: Where GFM makes a link of plain text after escapes are resolved (remark-gfm's second pass
#: over text: a scheme's ``://``, ``www.``, an address's ``@``), which no backslash prevents.
_AUTOLINK = re.compile(r"(?<=:)(?=//)|(?<=www)(?=\.)|(?<=@)", re.IGNORECASE)
#: U+2060: invisible, no width, no line break; set at each such place it breaks the match.
WORD_JOINER = "\u2060"
#: What a code span cannot hold safely: a backtick ends it, and a ``:red[...]`` label ends at the
#: first unescaped ``]`` even inside one.
_NOT_CODE = re.compile(r"[`\[\]\\]")
_PLOT_ENTITIES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


def _text(value) -> str | None:
    """``value`` as one line of text, without surrounding whitespace (markdown does not show it,
    and four leading spaces would start a code block); None for None, NaN, NA and NaT."""
    if value is None:
        return None
    if not isinstance(value, str):
        try:
            if pd.isna(value):
                return None
        except (TypeError, ValueError):  # a list or an array: not missing
            pass
        value = str(value)
    return _LINE_BREAK.sub(" ", value).strip()


def md(value, empty: str = "") -> str:
    """``value`` as literal text inside Streamlit markdown: every ASCII punctuation character
    backslash-escaped, line breaks as spaces (no heading, list or table can start), no surrounding
    whitespace, a word joiner in ``://``, ``www.`` and ``@`` (no bare link). It reads the same;
    ``empty`` when missing."""
    text = _text(value)
    if text is None:
        return empty
    return _PUNCTUATION.sub(r"\\\1", _AUTOLINK.sub(WORD_JOINER, text))


def code(value, empty: str = "") -> str:
    """``value`` as inline code (an id), or as ``md`` text when it holds a backtick, a bracket or
    a backslash, which a code span cannot escape; ``empty`` when missing."""
    text = _text(value)
    if text is None:
        return empty
    if not text or _NOT_CODE.search(text):
        return md(text)
    return f"`{text}`"


def plot_text(value):
    """A string as Plotly label text drawn as is: ``&``, ``<`` and ``>`` as entities, which
    Plotly turns back into those characters when it draws (no tag, no link). Other values are
    returned unchanged."""
    return value.translate(_PLOT_ENTITIES) if isinstance(value, str) else value


def plot_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text columns hold ``plot_text`` values. Call it once, where a
    figure function takes its frame (a second call would show ``&amp;``)."""
    text = [
        column
        for column in frame.columns
        if frame[column].dtype == object
        or isinstance(frame[column].dtype, pd.CategoricalDtype | pd.StringDtype)
    ]
    if not text:
        return frame
    out = frame.copy()
    for column in text:
        out[column] = out[column].map(plot_text, na_action="ignore")
    return out
