"""The clients suite's fixtures (defined in ``clients_support``, which the test modules import
by that name: ``conftest`` is the name of every suite's fixture module)."""

from clients_support import served  # noqa: F401 - the fixture of the suite
