"""`python -m zksolv` runs the command line."""

from zksolv.cli import main

main()
