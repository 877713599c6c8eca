"""SPARQL: the named-query registry, safe binding of user values, and the SPARQL 1.1 Protocol."""
