"""Landing's texts as one Arrow string array, built from their joined bytes and lengths."""

from __future__ import annotations

import pyarrow as pa
import pytest

from ingest.landing import land


@pytest.mark.parametrize(
    "texts", [[], [b""], [b"a", "\u00e9\u4e2d".encode(), b"", b'{"x": 1}'], [b"x" * 10] * 7]
)
def test_texts_come_back_as_they_were(texts):
    array = land._text_array(texts)
    assert array.type == pa.string() and array.to_pylist() == [t.decode() for t in texts]


def test_texts_past_the_offsets_range_are_split_into_chunks(monkeypatch):
    monkeypatch.setattr(land, "MAX_STRING_CHUNK", 25)  # as if 32-bit offsets ended at 25 bytes
    texts = [bytes([97 + i % 26]) * (i % 11) for i in range(50)]
    array = land._text_array(texts)
    assert isinstance(array, pa.ChunkedArray) and array.num_chunks > 1
    assert max(sum(len(t) for t in c.to_pylist()) for c in array.chunks) <= 25
    assert array.to_pylist() == [t.decode() for t in texts]


def test_text_that_is_not_utf8_is_refused():
    with pytest.raises(pa.ArrowInvalid, match="UTF8"):
        land._text_array([b"{}", b"\xff\xfe"])
