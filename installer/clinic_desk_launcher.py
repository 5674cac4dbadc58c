"""The frozen program's entry point: the same `main` as `clinic-desk` and `python -m clinic_desk`."""

import sys

from clinic_desk.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
