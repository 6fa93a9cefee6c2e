"""`python -m maturity` runs the `dots` command line."""

from maturity.cli.main import main

main()
