"""The credential core is framework-free: importing it must not load Django."""

import subprocess
import sys


def test_importing_the_core_does_not_import_django():
    code = (
        "import sys, microdegree.vc, microdegree.vc.verify, microdegree.vc.builders, "
        "microdegree.vc.status, microdegree.cli; "
        "bad = sorted(m for m in sys.modules if m == 'django' or m.startswith('django.')); "
        "print(bad); sys.exit(1 if bad else 0)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            check=False)
    assert result.returncode == 0, result.stdout + result.stderr
