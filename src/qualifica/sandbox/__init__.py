"""Where what a stranger sends is evaluated: supervised worker processes.

User SPARQL (queries and updates) and uploaded RDF are parsed and evaluated in a small pool of
worker processes (``pool.Sandbox``), each with a memory limit and, on the embedded store, no
network at all. A job past its deadline is answered with a timeout and its worker is killed and
replaced, so it stops using CPU at once; a job that crashes its worker (a parser bomb, an
exhausted stack) costs that worker, never the server. The API process only routes, checks and
serialises.
"""

from qualifica.sandbox.pool import SANDBOX, Sandbox, SandboxCrashed

__all__ = ["SANDBOX", "Sandbox", "SandboxCrashed"]
