"""Table pages (``web.paging``): the parameters read, the rows of a page, the pager's links."""

from __future__ import annotations

import pytest

from qualifica.errors import BadParameter, NotFound
from qualifica.web.i18n import words
from qualifica.web.paging import Window, key_of, parse_pages, window

W = words("en")
TABLES = ("paths", "formats")


def test_parse_pages_reads_the_tables_of_the_page_only() -> None:
    params = [("lang", "en"), ("page-paths", "3"), ("page-formats", "1"),
              ("page-other", "x"), ("page", "7")]
    assert parse_pages(params, TABLES, W) == {"paths": 3}


@pytest.mark.parametrize("value", ["0", "-2", "x", "1.5", "", " ", "1234567", "٣"])
def test_a_bad_number_is_a_400_naming_the_parameter(value: str) -> None:
    with pytest.raises(BadParameter) as caught:
        parse_pages([("page-formats", value)], TABLES, W)
    assert caught.value.status == 400 and caught.value.param == "page-formats"


def test_a_parameter_given_twice_is_a_400() -> None:
    with pytest.raises(BadParameter):
        parse_pages([("page-paths", "2"), ("page-paths", "2")], TABLES, W)


def test_the_key_leaves_out_first_pages_and_is_ordered() -> None:
    assert key_of({"paths": 2, "formats": 1}) == key_of({"paths": 2}) == (("paths", 2),)
    assert key_of({"b": 2, "a": 3}) == (("a", 3), ("b", 2))


def test_a_window_shows_its_rows_and_says_past_the_end() -> None:
    win = window("paths", 86, {"paths": 4}, 25, "Paths", W)
    assert (win.start, win.stop, win.pages) == (75, 86, 4)
    assert win.cut(list(range(86))) == list(range(75, 86))
    with pytest.raises(NotFound) as caught:
        window("paths", 86, {"paths": 5}, 25, "Paths", W)
    assert "fills 4 page(s); there is no page 5" in caught.value.detail
    # an empty table has one (empty) page; without pages every row is shown
    assert window("paths", 0, {}, 25, "Paths", W).cut([]) == []
    assert window("paths", 86, None, 25, "Paths", W).cut(list(range(86))) == list(range(86))


@pytest.mark.parametrize(("page", "pages", "links"), [
    (1, 1, [1]),
    (1, 4, [1, 2, 3, 4]),
    (1, 10, [1, 2, 3, None, 10]),
    (6, 10, [1, None, 4, 5, 6, 7, 8, None, 10]),
    (10, 10, [1, None, 8, 9, 10]),
])
def test_the_pager_links_the_ends_and_the_pages_near(page: int, pages: int,
                                                     links: list[int | None]) -> None:
    assert Window("t", page, 5, pages * 5).links() == links
