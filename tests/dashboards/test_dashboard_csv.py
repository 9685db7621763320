"""The dashboards' CSV downloads are safe to open in a spreadsheet (OWASP CSV injection)."""

import io

import pandas as pd

from dashboards.ui import _csv


def test_downloads_escape_formulas_and_keep_numbers_and_sparklines():
    frame = pd.DataFrame(
        {
            "reason": ['=HYPERLINK("http://x")', "@SUM(A1)", "Duplicate"],
            "profit": [-12.5, 3.0, 0.0],
            "trend": [[1.0, -2.0], [0.5], [3.0]],
        }
    )
    text = _csv(frame)
    back = pd.read_csv(io.StringIO(text))
    assert list(back["reason"]) == ['\'=HYPERLINK("http://x")', "'@SUM(A1)", "Duplicate"]
    assert list(back["profit"]) == [-12.5, 3.0, 0.0]  # numbers stay numbers
    assert back["trend"].iloc[0].lstrip("'") == "1 -2"
