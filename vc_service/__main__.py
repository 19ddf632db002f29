import sys

from vc_service.cli import main

sys.exit(main())
