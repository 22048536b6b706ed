"""Vietnamese date formats for {{ value }} and {{ value|date }} in templates (Django date syntax).

"15 giờ 30, ngày 05/12/2026" for an instant, "05/12/2026" for a day — never Django's English default
("Dec. 5, 2026, 3:30 p.m.") nor an ISO timestamp. What is not set here comes from Django's own
Vietnamese locale (numbers: "1.234,5"; the input formats stay ISO-friendly).
"""
DATE_FORMAT = "d/m/Y"
TIME_FORMAT = r"H \g\i\ờ i"
DATETIME_FORMAT = r"H \g\i\ờ i, \n\g\à\y d/m/Y"
SHORT_DATE_FORMAT = "d/m/Y"
SHORT_DATETIME_FORMAT = "H:i d/m/Y"
YEAR_MONTH_FORMAT = r"\t\h\á\n\g m/Y"
MONTH_DAY_FORMAT = "d/m"
DECIMAL_SEPARATOR = ","
THOUSAND_SEPARATOR = "."
