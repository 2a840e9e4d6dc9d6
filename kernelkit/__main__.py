"""`python -m kernelkit`: `run SCRIPT [ARGS...]` runs a Keras 1 or 2 script on kernelkit (`import keras` gives
kernelkit); `migrate PATH...` rewrites Keras 1 code as Keras 2 code. See `kernelkit.cli`."""
import sys

from kernelkit.cli import main

if __name__ == '__main__':
    sys.exit(main())
