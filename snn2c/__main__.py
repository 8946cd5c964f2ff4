import sys

from snn2c.cli import main

sys.exit(main())
