"""Run the command line interface with ``python -m qualifica``."""

from qualifica.cli import main

main()
