"""The matching of ``linkeddata.search`` against plain oracles written label by label.

The index finds literal matches with one ``str.find`` over all labels joined, and near misses
with rapidfuzz over the word list; these tests draw labels and queries and compare with the
straightforward definitions: the rank of the best occurrence (exact, prefix, a later word's
start, anywhere) and the optimal-string-alignment distance of each query word to the closest
label word.
"""

from __future__ import annotations

import re

from hypothesis import given
from hypothesis import strategies as st

from qualifica.linkeddata.catalogue import Catalogue
from qualifica.linkeddata.search import (
    MATCHES,
    _fuzzy,
    _index,
    _literal,
    spelled,
    stripped,
    typos_allowed,
)

ID = "https://w3id.org/qualifica/id/role/"
WORD = re.compile(r"[0-9a-z]+")


def oracle_rank(query: str, label: str) -> int | None:
    """exact 0, prefix 1, a later word starts with it 2, anywhere 3, else None."""
    if not query or query not in label:
        return None
    if label == query:
        return 0
    if label.startswith(query):
        return 1
    for i in range(1, len(label)):
        if label.startswith(query, i) and not WORD.fullmatch(label[i - 1]) \
                and WORD.fullmatch(label[i]):
            return 2
    return 3


def osa(a: str, b: str) -> int:
    """Optimal string alignment distance (adjacent swaps count one)."""
    d = [[0] * (len(b) + 1) for _ in range(len(a) + 1)]
    for i in range(len(a) + 1):
        d[i][0] = i
    for j in range(len(b) + 1):
        d[0][j] = j
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            d[i][j] = min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


def oracle_fuzzy(query_words: list[str], label_words: list[str]) -> int | None:
    total = 0
    for q in query_words:
        allowed = typos_allowed(q)
        if allowed == 0:
            if not any(q in w for w in label_words):
                return None
            continue
        best = min((osa(q, w) for w in label_words), default=allowed + 1)
        if best > allowed:
            return None
        total += best
    return total


def catalogue(labels: list[str]) -> Catalogue:
    cat = Catalogue(generation=1)
    for i, label in enumerate(labels):
        cat.kinds[f"{ID}r{i}"] = "role"
        cat.labels[f"{ID}r{i}"] = {"de": label}
    return cat


ALPHABET = "abcdeäöüß -/1"
labels_st = st.lists(st.text(alphabet=ALPHABET, min_size=1, max_size=14), min_size=1,
                     max_size=8)
query_st = st.text(alphabet=ALPHABET, min_size=1, max_size=6)


@given(labels_st, query_st)
def test_literal_matches_agree_with_the_label_by_label_oracle(labels: list[str], q: str) -> None:
    index = _index(catalogue(labels))
    forms = (spelled(q), stripped(q))
    expected = {}
    for i, entry in enumerate(index.entries):
        ranks = [r for r in (oracle_rank(forms[0], entry.forms[0]),
                             oracle_rank(forms[1], entry.forms[1])) if r is not None]
        if ranks:
            expected[i] = min(ranks)
    assert _literal(index, forms) == expected
    assert all(0 <= r < len(MATCHES) for r in expected.values())


@given(labels_st, st.lists(st.text(alphabet="abcdeäß", min_size=1, max_size=9), min_size=1,
                           max_size=2))
def test_fuzzy_matches_agree_with_the_edit_distance_oracle(labels: list[str],
                                                           words: list[str]) -> None:
    index = _index(catalogue(labels))
    q = " ".join(words)
    forms = (spelled(q), stripped(q))
    expected: dict[int, int] = {}
    for form in dict.fromkeys(forms):
        qw = WORD.findall(form)
        if not qw:
            continue
        for i, entry in enumerate(index.entries):
            lw = [w for f in entry.forms for w in WORD.findall(f)]
            d = oracle_fuzzy(qw, lw)
            if d is not None:
                expected[i] = min(d, expected.get(i, d))
    assert _fuzzy(index, forms) == expected


def test_the_index_is_kept_with_its_snapshot() -> None:
    cat = catalogue(["Prozessmanager"])
    assert _index(cat) is _index(cat) is cat.search_index
    assert _fuzzy(_index(cat), (spelled("Prozesmanagr"), stripped("Prozesmanagr"))) == {0: 2}
    assert _fuzzy(_index(cat), (spelled("Prozesmangr"), stripped("Prozesmangr"))) == {}
