"""``python -m credentials``: the same commands as the ``credentials`` console script."""

from credentials.verify.cli import main

main()
