import sys

from sshn_keras.cli import main

sys.exit(main())
