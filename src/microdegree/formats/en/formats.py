"""English date formats: day first ("28 November 2026"), as the pages showed before translation.

Django's own English formats are American ("Nov. 28, 2026"); credentials here are mostly European.
German keeps Django's formats ("28. November 2026", "28.11.2026").
"""

DATE_FORMAT = "j F Y"
DATETIME_FORMAT = "j F Y H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y H:i"
