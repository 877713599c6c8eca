"""The hostile suite's fixtures (defined in ``hostile_support``, which the test modules import by
that name: ``conftest`` is the name of every suite's fixture module)."""

from hostile_support import canary, server, unchanged  # noqa: F401 - fixtures for the suite
