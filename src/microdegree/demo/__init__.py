"""The demo data (`manage demo`, run by `./scripts/demo`): sample institutions, staff, learners
and credentials, credit recognition (`recognition.py`), a course platform (`lti.py`) and a
wallet offer (`oid4vci.py`), written through the service functions of the apps below it.

Its own app at the top of the layers (docs/architecture.md), so that no domain app imports
another one only to build sample data.
"""
