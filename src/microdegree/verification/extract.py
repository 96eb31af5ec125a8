"""The extraction lives in the framework-free core, `microdegree.vc.extract` (the command line
reads the same formats); this name stays for the web apps that import it."""

from microdegree.vc.extract import *  # noqa: F403
from microdegree.vc.extract import __all__  # noqa: F401
