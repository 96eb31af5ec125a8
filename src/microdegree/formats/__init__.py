"""Per-language format overrides (``<lang>/formats.py``), found through ``FORMAT_MODULE_PATH``.

Not inside ``locale/``: that directory must not be a package, or it would shadow the standard
library's ``locale`` when manage.py runs from this folder (makemessages is run from here).
"""
