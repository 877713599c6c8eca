"""Hypothesis strategies for the fuzzing modules of the hostile-input suite.

- ``queries(canary)``: syntactically plausible SPARQL 1.1 queries (prologue, the four query
  forms, nested groups with OPTIONAL/UNION/MINUS/FILTER/BIND/VALUES/GRAPH, property paths,
  subqueries, aggregates, solution modifiers) in which ``SERVICE`` calls to the canary URL can
  stand in every place the grammar allows, written as an absolute IRI, a prefixed name, a
  ``BASE``-relative IRI or a variable bound by ``VALUES``.
- ``updates(graph, canary)``: SPARQL Update requests (INSERT DATA, DELETE DATA, DELETE WHERE,
  DELETE/INSERT WHERE, LOAD) whose effect stays inside ``graph``, some reading from the canary
  through ``SERVICE`` or ``LOAD``.
- ``spell(text)``: the same text spelled differently: separators replaced by CR, LF, CR LF,
  tabs and comments (some naming ``SERVICE``), and characters replaced by ``\\uXXXX`` /
  ``\\UXXXXXXXX`` escapes, which the grammar expands before it parses.
- ``junk(text)``: random mutations (inserted brackets, quotes, escapes and keywords, deleted
  or duplicated slices, changed characters).
- ``mutated_bytes(data)``: byte-level mutations of an RDF document (flips, inserted brackets,
  quotes, escapes and RDF 1.2 syntax, truncation, duplicated slices).

Everything here builds text; the tests decide what to send and what must hold.
"""

from __future__ import annotations

from functools import cache

from hypothesis import strategies as st

QUALIFICA = "https://w3id.org/qualifica/"
PROLOGUE = (
    "PREFIX qd: <https://w3id.org/qualifica/ontology#> "
    "PREFIX skos: <http://www.w3.org/2004/02/skos/core#> "
    "PREFIX rdf: <http://www.w3.org/1999/02/22-rdf-syntax-ns#> "
    "PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> "
    "PREFIX xsd: <http://www.w3.org/2001/XMLSchema#> "
    "PREFIX dcterms: <http://purl.org/dc/terms/> "
)

VARS = ("?s", "?p", "?o", "?x", "$y", "?g", "?label", "?n", "?role", "?ä")
IRIS = (
    "<https://w3id.org/qualifica/id/role/prozessmanager>",
    "<https://w3id.org/qualifica/graph/roles>",
    "qd:Role", "qd:Competency", "qd:requires", "qd:performsTask", "qd:rank",
    "skos:prefLabel", "skos:broader", "rdf:type", "rdfs:label", "dcterms:source",
    "<https://e.org/x>", "<urn:isbn:978-3-946209-03-4>",
)
LITERALS = (
    '"Prozessmanager"@de', '"Process manager"@en', "'x'", '""', '"1"^^xsd:integer', "42",
    "-3.14", "1e3", "true", "false", '"""zwei\nZeilen"""', "'''a'b'''", '"quote \\" inside"',
    '"SERVICE <http://127.0.0.1/> { }"', '"# not a comment"', '"tab\\there"', '"ü\\u00fc"',
    '"2026-12-01"^^xsd:date', '"x"^^<http://e.org/dt>',
)
FUNCTIONS = {
    "STR": 1, "LANG": 1, "LANGMATCHES": 2, "DATATYPE": 1, "BOUND": 1, "IRI": 1, "BNODE": 0,
    "RAND": 0, "ABS": 1, "CEIL": 1, "ROUND": 1, "CONCAT": 3, "STRLEN": 1, "UCASE": 1,
    "LCASE": 1, "ENCODE_FOR_URI": 1, "CONTAINS": 2, "STRSTARTS": 2, "STRENDS": 2,
    "STRBEFORE": 2, "STRAFTER": 2, "YEAR": 1, "NOW": 0, "UUID": 0, "MD5": 1, "SHA256": 1,
    "COALESCE": 3, "IF": 3, "STRLANG": 2, "STRDT": 2, "sameTerm": 2, "isIRI": 1,
    "isBLANK": 1, "isLITERAL": 1, "isNUMERIC": 1, "REGEX": 3, "SUBSTR": 3, "REPLACE": 3,
    "xsd:integer": 1, "xsd:string": 1, "TRIPLE": 3, "isTRIPLE": 1, "SUBJECT": 1, "OBJECT": 1,
}
AGGREGATES = ("COUNT", "SUM", "MIN", "MAX", "AVG", "SAMPLE")

#: Separators that the grammar reads as white space; comments end at CR or LF alike.
SEPARATORS = (
    " ", "\n", "\r", "\r\n", "\t", "  ", " # c\r", " # c\n", " #\r\n", "\n#\n",
    " # SERVICE <http://127.0.0.1:9/x> { ?s ?p ?o }\n", " # } } {\r",
)
#: What ``junk`` inserts: the characters that change how a text is read, and keywords.
JUNK = (
    "{", "}", "(", ")", "[", "]", "<", ">", '"', "'", '"""', "'''", "#", "\\", "\\u", "\\u00",
    "\\U0000", "\r", "\n", ";", ",", ".", "?", "$", "_:", "^^", "@", "|", "^", "*", "/", "!",
    ":", "a", "SERVICE", "SILENT", "LOAD", "INSERT", "DELETE", "GRAPH", "SELECT", "WHERE", "\u00a0",
    "OPTIONAL", "UNION", "VALUES", "UNDEF", "\x00", "\ufeff", "\u2028", "é", "𝔘",
)


def canary_targets(canary: str) -> tuple[str, ...]:
    """Every spelling of a ``SERVICE`` target that names the canary (the prologue made by
    ``prologue`` declares ``c:``, ``:`` and ``BASE`` for it)."""
    host = canary.split("://", 1)[1]
    return (
        f"<{canary}/sparql>", f"<{canary}>", "c:sparql", "c:", ":sparql", "<sparql>", "<>",
        "<./s?q=1>", "<#f>", f"<//{host}/x>", "?svc", f"<{canary.upper()}/X>",
        f"<{canary}/%2e%2e/s>", "c:s\\/p",
    )


def prologue(canary: str) -> st.SearchStrategy[str]:
    """The standard prefixes, then some of: ``BASE`` and ``c:``/``:`` pointing at the canary,
    one of them redefined, or a harmless base."""
    extras = st.lists(st.sampled_from((
        f"BASE <{canary}/>",
        f"PREFIX c: <{canary}/>",
        f"PREFIX : <{canary}/>",
        "PREFIX c: <https://safe.example.org/> ",
        f"PREFIX c: <https://safe.example.org/> PREFIX c: <{canary}/>",
        "BASE <https://w3id.org/qualifica/id/>",
        f"BASE <{canary}/a/> BASE <b/>",
    )), max_size=4)
    return extras.map(lambda parts: PROLOGUE + " ".join(parts) + " ")


def _path(depth: int) -> st.SearchStrategy[str]:
    iri = st.sampled_from((*IRIS, "a"))
    if depth <= 0:
        return iri
    sub = _path(depth - 1)
    return st.one_of(
        iri,
        iri.map(lambda p: f"^{p}"),
        sub.map(lambda p: f"^({p})"),
        sub.map(lambda p: f"({p})"),
        st.tuples(sub, sub).map(lambda t: f"{t[0]}/{t[1]}"),
        st.tuples(sub, sub).map(lambda t: f"{t[0]}|{t[1]}"),
        st.tuples(sub, st.sampled_from("*+?")).map(lambda t: f"({t[0]}){t[1]}"),
        st.tuples(iri, iri).map(lambda t: f"!({t[0]}|^{t[1]})"),
    )


def _terms() -> st.SearchStrategy[str]:
    return st.sampled_from((*VARS, *IRIS, *LITERALS, "[]", "_:b1", "[ skos:prefLabel ?l ]",
                            "<<( <https://e.org/a> <https://e.org/b> 'c' )>>"))


def _triples(paths: bool = True) -> st.SearchStrategy[str]:
    subject = st.sampled_from((*VARS, *IRIS, "[]", "_:b1"))
    objects = st.lists(_terms(), min_size=1, max_size=3).map(" , ".join)
    verb = _path(2) if paths else st.sampled_from((*IRIS, "a"))
    predicate_object = st.tuples(st.one_of(st.sampled_from(VARS[:3]), verb), objects).map(
        " ".join)
    return st.tuples(subject, st.lists(predicate_object, min_size=1, max_size=3)).map(
        lambda t: f"{t[0]} {' ; '.join(t[1])} .")


def _call(sub: st.SearchStrategy[str], name: str) -> st.SearchStrategy[str]:
    arity = FUNCTIONS[name]
    return st.lists(sub, min_size=arity, max_size=arity).map(
        lambda args: f"{name}({', '.join(args)})")


@cache
def expression() -> st.SearchStrategy[str]:
    """A SPARQL expression without patterns (``group`` adds ``EXISTS``)."""
    leaf = st.sampled_from(VARS + LITERALS + IRIS[:3])

    def extend(sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        return st.one_of(
            st.sampled_from(sorted(FUNCTIONS)).flatmap(lambda name: _call(sub, name)),
            st.tuples(sub, st.sampled_from(("||", "&&", "=", "!=", "<", ">=", "+", "-", "*",
                                            "/")), sub).map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            sub.map(lambda e: f"!{e}"),
            sub.map(lambda e: f"-({e})"),
            st.tuples(sub, st.lists(leaf, max_size=3)).map(
                lambda t: f"{t[0]} IN ({', '.join(t[1])})"),
        )

    return st.recursive(leaf, extend, max_leaves=6)


def _leaf_elements() -> list[st.SearchStrategy[str]]:
    return [
        _triples(),
        expression().map(lambda e: f"FILTER({e})"),
        st.tuples(expression(), st.sampled_from(("?b1", "?b2", "?label"))).map(
            lambda t: f"BIND({t[0]} AS {t[1]})"),
        st.tuples(st.sampled_from(VARS),
                  st.lists(st.sampled_from((*IRIS, *LITERALS, "UNDEF")), max_size=3)).map(
            lambda t: f"VALUES {t[0]} {{ {' '.join(t[1])} }}"),
        st.just("VALUES (?a ?b) { (1 'x') (UNDEF <https://e.org/y>) }"),
    ]


def _braces(elements: list[str]) -> str:
    return "{ " + " ".join(elements) + " }"


@cache
def group(canary: str | None = None) -> st.SearchStrategy[str]:
    """A group graph pattern ``{ ... }`` nested a few levels (OPTIONAL, UNION, MINUS, GRAPH,
    subqueries, FILTER EXISTS); with ``canary``, SERVICE calls to it may stand at any place a
    group element may."""
    leaves = st.one_of(_leaf_elements())
    base = st.lists(leaves, max_size=3).map(_braces)

    def extend(sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        nested: list[st.SearchStrategy[str]] = [
            sub.map(lambda g: f"OPTIONAL {g}"),
            st.tuples(sub, sub).map(lambda t: f"{t[0]} UNION {t[1]}"),
            sub.map(lambda g: f"MINUS {g}"),
            st.tuples(st.sampled_from(("?g", "<https://w3id.org/qualifica/graph/roles>")),
                      sub).map(lambda t: f"GRAPH {t[0]} {t[1]}"),
            sub,
            _select(st.just(""), sub).map(lambda q: f"{{ {q} }}"),
            st.tuples(st.sampled_from(("EXISTS", "NOT EXISTS")), sub).map(
                lambda t: f"FILTER({t[0]} {t[1]})"),
        ]
        if canary is not None:
            nested.append(_service(canary, sub))
        return st.lists(st.one_of(leaves, *nested), min_size=1, max_size=4).map(_braces)

    return st.recursive(base, extend, max_leaves=8)


def _service(canary: str, sub: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(
        st.sampled_from(("SERVICE", "SERVICE SILENT", "service", "Service silent")),
        st.sampled_from(canary_targets(canary)),
        sub,
    ).map(lambda t: f"{t[0]} {t[1]} {t[2]}" if t[1] != "?svc"
          else f"VALUES ?svc {{ <{canary}/s> }} {t[0]} ?svc {t[2]}")


def _projection() -> st.SearchStrategy[str]:
    bound = st.tuples(expression(), st.sampled_from(("?e1", "?e2"))).map(
        lambda t: f"({t[0]} AS {t[1]})")
    return st.one_of(
        st.just("*"),
        st.lists(st.one_of(st.sampled_from(VARS), bound), min_size=1, max_size=4).map(" ".join),
    )


def _aggregate() -> st.SearchStrategy[str]:
    return st.one_of(
        st.sampled_from(("(COUNT(*) AS ?n)", "(COUNT(DISTINCT *) AS ?n)",
                         '(GROUP_CONCAT(?label; SEPARATOR=", ") AS ?all)')),
        st.tuples(st.sampled_from(AGGREGATES), st.sampled_from(("", "DISTINCT ")),
                  st.sampled_from(VARS[:4]), st.sampled_from(("?a1", "?a2"))).map(
            lambda t: f"({t[0]}({t[1]}{t[2]}) AS {t[3]})"),
    )


def _modifiers() -> st.SearchStrategy[str]:
    return st.tuples(
        st.sampled_from(("", "ORDER BY ?s", "ORDER BY DESC(?o) ASC(STR(?s))")),
        st.sampled_from(("LIMIT 5", "LIMIT 20", "LIMIT 0", "OFFSET 3 LIMIT 2", "", "LIMIT 100")),
    ).map(" ".join)


def _grouped() -> st.SearchStrategy[str]:
    """``GROUP BY`` (and ``HAVING``) that fits a projection of ``?s`` and aggregates."""
    return st.sampled_from(("LIMIT 9", "GROUP BY ?s LIMIT 9",
                            "GROUP BY ?s HAVING (COUNT(*) > 1) LIMIT 9",
                            "GROUP BY ?s ORDER BY DESC(?s) LIMIT 3"))


def _select(dataset: st.SearchStrategy[str], body: st.SearchStrategy[str]
            ) -> st.SearchStrategy[str]:
    """A ``SELECT`` query (or subquery, with an empty ``dataset``): a plain projection with
    solution modifiers, or ``?s`` and aggregates with ``GROUP BY``."""
    kind = st.sampled_from(("SELECT", "SELECT DISTINCT", "SELECT REDUCED", "select"))
    where = st.sampled_from(("WHERE", ""))
    plain = st.tuples(kind, _projection(), dataset, where, body, _modifiers())
    grouped = st.tuples(kind, st.lists(_aggregate(), min_size=1, max_size=3).map(
        lambda aggs: "?s " + " ".join(aggs)), dataset, where, body, _grouped())
    return st.one_of(plain, grouped).map(" ".join)


def queries(canary: str) -> st.SearchStrategy[str]:
    """A whole SPARQL query: a prologue and one of the four forms (SERVICE calls to
    ``canary`` anywhere a group may hold one)."""
    body = group(canary)
    dataset = st.sampled_from(("", "FROM <https://w3id.org/qualifica/graph/roles>",
                               "FROM NAMED <https://w3id.org/qualifica/graph/roles>",
                               f"FROM <{canary}/g>"))
    template = st.lists(_triples(paths=False), max_size=3).map(_braces)
    form = st.one_of(
        _select(dataset, body),
        st.tuples(dataset, body).map(lambda t: f"ASK {t[0]} {t[1]}"),
        st.tuples(template, dataset, body, _modifiers()).map(
            lambda t: f"CONSTRUCT {t[0]} {t[1]} WHERE {t[2]} {t[3]}"),
        template.map(lambda t: f"CONSTRUCT WHERE {t} LIMIT 10"),
        st.tuples(st.lists(st.sampled_from(VARS[:3] + IRIS[:2]), min_size=1, max_size=2),
                  st.one_of(st.just(""), body.map(lambda b: f"WHERE {b}"))).map(
            lambda t: f"DESCRIBE {' '.join(t[0])} {t[1]} LIMIT 5"),
    )
    return st.tuples(prologue(canary), form).map("".join)


def updates(graph: str, canary: str) -> st.SearchStrategy[str]:
    """A SPARQL Update whose every effect is inside ``graph`` (subjects under
    ``https://e.org/``), in one of the data and pattern forms; some read through ``SERVICE``
    or ``LOAD`` from the canary."""
    subject = st.sampled_from(("<https://e.org/s1>", "<https://e.org/s2>", "_:b"))
    obj = st.sampled_from((*LITERALS[:12], "<https://e.org/o>",
                           "<https://w3id.org/qualifica/id/role/anwender>"))
    predicate = st.sampled_from(("<https://e.org/p>", "skos:altLabel", "rdfs:comment"))
    quads = st.lists(st.tuples(subject, predicate, obj).map(lambda t: " ".join(t) + " ."),
                     min_size=1, max_size=4).map(" ".join)
    ground = quads.map(lambda q: q.replace("_:b", "<https://e.org/s3>"))
    in_graph = f"GRAPH <{graph}>"
    where = st.sampled_from((
        f"{in_graph} {{ <https://e.org/s1> ?p ?o }}",
        f"{in_graph} {{ <https://e.org/s1> ?p ?o OPTIONAL {{ ?o ?q ?r }} }}",
        f"{in_graph} {{ <https://e.org/s1> ?p ?o FILTER(isLiteral(?o)) }}",
        f"{in_graph} {{ <https://e.org/s1> ?p ?o }} SERVICE <{canary}/sparql> {{ ?o ?q ?r }}",
        f"BIND(<https://e.org/s1> AS ?s) {in_graph} {{ ?s ?p ?o }}",
    ))
    return st.one_of(
        quads.map(lambda q: f"INSERT DATA {{ {in_graph} {{ {q} }} }}"),
        ground.map(lambda q: f"DELETE DATA {{ {in_graph} {{ {q} }} }}"),
        st.just(f"DELETE WHERE {{ {in_graph} {{ <https://e.org/s1> ?p ?o }} }}"),
        where.map(lambda w: f"DELETE {{ {in_graph} {{ <https://e.org/s1> ?p ?o }} }} "
                            f"INSERT {{ {in_graph} {{ <https://e.org/s2> ?p ?o }} }} "
                            f"WHERE {{ {w} }}"),
        st.tuples(quads, where).map(lambda t: f"INSERT {{ {in_graph} {{ {t[0]} }} }} "
                                              f"WHERE {{ {t[1]} }}"),
        st.just(f"LOAD SILENT <{canary}/data.ttl> INTO GRAPH <{graph}>"),
        st.tuples(quads, quads).map(lambda t: f"INSERT DATA {{ {in_graph} {{ {t[0]} }} }} ;\n"
                                              f"DELETE DATA {{ {in_graph} {{ {t[1]} }} }}"),
    ).map(lambda u: PROLOGUE + u)


@st.composite
def spell(draw: st.DrawFn, text: str) -> str:
    """``text`` with some separators and characters spelled another way the grammar reads
    alike: other white space and comments, codepoint escapes."""
    chars = list(text)
    spaces = [i for i, ch in enumerate(chars) if ch == " "]
    if spaces:
        for i in draw(st.lists(st.sampled_from(spaces), max_size=8, unique=True)):
            chars[i] = draw(st.sampled_from(SEPARATORS))
    # Escapes stand for ASCII letters and the IRI punctuation a check might look for.
    letters = [i for i, ch in enumerate(text) if ch.isascii() and (ch.isalpha() or ch in ":/.")]
    if letters:
        for i in draw(st.lists(st.sampled_from(letters), max_size=6, unique=True)):
            code = ord(text[i])
            chars[i] = draw(st.sampled_from((f"\\u{code:04X}", f"\\u{code:04x}",
                                             f"\\U{code:08X}")))
    return "".join(chars)


@st.composite
def junk(draw: st.DrawFn, text: str) -> str:
    """``text`` with one to four random mutations."""
    for _ in range(draw(st.integers(1, 4))):
        if not text:
            break
        at = draw(st.integers(0, len(text)))
        op = draw(st.sampled_from(("insert", "delete", "duplicate", "char", "case")))
        if op == "insert":
            text = text[:at] + draw(st.sampled_from(JUNK)) + text[at:]
        elif op == "char":
            ch = draw(st.characters(exclude_categories=("Cs",)))
            text = text[:at] + ch + text[at + 1:]
        else:
            end = min(len(text), at + draw(st.integers(1, 40)))
            piece = text[at:end]
            if op == "delete":
                text = text[:at] + text[end:]
            elif op == "duplicate":
                text = text[:end] + piece + text[end:]
            else:
                text = text[:at] + piece.swapcase() + text[end:]
    return text


#: What ``mutated_bytes`` inserts into an RDF document.
BYTE_JUNK = (
    b"{", b"}", b"[", b"]", b"(", b")", b"<", b">", b'"', b"'", b'"""', b"\\", b"\\u",
    b"@prefix", b"@base <../../> .", b"#", b"\r", b"\n", b".", b";", b",", b"_:", b"^^", b"@",
    b"\x00", b"\xff", b"\xc3", b"\xef\xbb\xbf", b"<!--", b"]]>", b"<![CDATA[", b"&amp;",
    b"&lt;", b"&e;", b'"@context"', b'"@id"', b'"@graph"', b'"@list"', b'"@type"', b":", b"null",
    b"<rdf:Description>", b"</rdf:RDF>", b'rdf:parseType="Literal"', b"xml:base=\"../\"",
    b"<<(", b")>>", b"<<", b">>", b"~", b"{|", b"|}",
)


@st.composite
def mutated_bytes(draw: st.DrawFn, data: bytes) -> bytes:
    """``data`` with one to five byte-level mutations: flips, insertions of syntax, deleted,
    duplicated or truncated slices."""
    for _ in range(draw(st.integers(1, 5))):
        if not data:
            break
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(("flip", "insert", "delete", "duplicate", "truncate")))
        if op == "flip":
            data = data[:at] + bytes([data[at] ^ (1 << draw(st.integers(0, 7)))]) + data[at + 1:]
        elif op == "insert":
            data = data[:at] + draw(st.sampled_from(BYTE_JUNK)) + data[at:]
        elif op == "truncate":
            data = data[:at]
        else:
            end = min(len(data), at + draw(st.integers(1, 200)))
            if op == "delete":
                data = data[:at] + data[end:]
            else:
                data = data[:end] + data[at:end] * draw(st.integers(1, 30)) + data[end:]
    return data
