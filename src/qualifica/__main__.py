"""Run the command line interface with ``python -m qualifica``."""

from qualifica.cli import main

# Guarded: the sandbox's worker processes are spawned and import the main module again.
if __name__ == "__main__":
    main()
