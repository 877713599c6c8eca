"""Full SHACL validation compiled to SPARQL and evaluated by pyoxigraph.

pySHACL walks the data graph focus node by focus node in Python: a whole ESCO-size store takes
minutes. Here every constraint of the shapes becomes one SPARQL query over all focus nodes at
once (one query per shape and constraint component), which pyoxigraph evaluates natively:

* targets (``sh:targetClass`` with the class hierarchy, ``sh:targetNode``, ``sh:targetSubjectsOf``,
  ``sh:targetObjectsOf``, SPARQL-based targets) become a sub-select of ``?this``;
* value-wise components (``sh:class``, ``sh:datatype``, ``sh:nodeKind``, ``sh:in``,
  ``sh:languageIn``, ``sh:minInclusive``, ``sh:not`` of a simple shape) become a FILTER on the
  value nodes; counting components (``sh:minCount``, ``sh:maxCount``, ``sh:qualifiedMinCount``,
  ``sh:qualifiedMaxCount``, ``sh:uniqueLang``) a GROUP BY;
* SPARQL-based constraints (``sh:sparql``) run as they are, joined with the focus nodes.

A node shape with anything else (``sh:node``, ``sh:or``, ``sh:pattern`` …) is validated by pySHACL
instead, with a shapes graph holding just those shapes: the results are the same either way.
pySHACL stays the reference (``tests/unit/test_fast_validation.py`` compares both result by
result). Results equal pySHACL's as sets of (focus node, path, value, source shape, component,
severity): where pySHACL reports the same result twice, this reports it once.


The package: ``compiler`` (shapes to queries), ``runner`` (the queries on a store, over two
processes), ``findings`` (results and reports), ``validator`` (``FastValidator``,
``validate_with``).
"""

from __future__ import annotations

from qualifica.validation.fast.compiler import Unsupported, shape_key, sparql_path
from qualifica.validation.fast.findings import (
    Outcome,
    comparable,
    outcomes_of_report,
    report_graph,
)
from qualifica.validation.fast.runner import MAX_LISTED
from qualifica.validation.fast.validator import FastValidator, fast_validator, validate_with

__all__ = [
    "MAX_LISTED", "FastValidator", "Outcome", "Unsupported", "comparable", "fast_validator",
    "outcomes_of_report", "report_graph", "shape_key", "sparql_path", "validate_with",
]
