"""Numbers as a reader expects them: German or English separators, a true minus sign, no "-0",
counts without decimals, money in Mio. EUR, and ranges that say something.

>>> num(-1.5, "de", 1), num(-0.04, "de", 1), num(12.5, "de", 1), num(1234567.891, "en", 1)
('−1,5', '0,0', '12,5', '1,234,567.9')
>>> count(20.0, "de"), count(4.26, "de"), count(1130.4, "de")
('20', '4,3', '1.130')
>>> money(19_360_861, "de"), money(720_000, "de"), money(72_000, "en"), money(-1_500_000, "de")
('19,4 Mio. EUR', '0,72 Mio. EUR', '72,000 EUR', '−1,5 Mio. EUR')
>>> pct(-0.004, "de"), pct(0.384, "de"), signed_pct(0.384, "en"), signed_pct(-0.2, "de")
('0 %', '38 %', '+38 %', '−20 %')
>>> span(0.0, 0.0, lambda x: pct(x, "de")) is None, span(-0.01, 0.13, lambda x: signed_pct(x, "de"))
(True, ('−1 %', '+13 %'))
"""

from __future__ import annotations

import math

MINUS = "\u2212"             # the minus sign; a hyphen in a figure reads as a dash or a range


def finite(x) -> bool:
    return x is not None and isinstance(x, (int, float)) and math.isfinite(x)


def num(x: float, lang: str, digits: int = 0) -> str:
    """A number with thousands separators in the language's convention; "–" where undefined."""
    if not finite(x):
        return "–"
    s = f"{abs(x):,.{digits}f}"
    if lang == "de":
        s = s.translate(str.maketrans(",.", ".,"))
    zero = set(s) <= set("0.,")
    return ("" if x >= 0 or zero else MINUS) + s


def duration(years: float, lang: str, nominative: bool = False) -> str:
    """A run's length in whole years, else in months: "in/nach {span}" (German dative) or, with
    ``nominative``, "{span} simuliert". A 6-month run is never "0 years".

    >>> duration(10, "de"), duration(0.5, "de"), duration(1, "de"), duration(1, "de", nominative=True), duration(1.5, "en")
    ('10 Jahren', '6 Monaten', 'einem Jahr', 'ein Jahr', '18 months')
    """
    months = round(years * 12)
    whole = months % 12 == 0 and months > 0
    n = months // 12 if whole else months
    if lang == "de":
        if n == 1:
            return ("ein " if nominative else "einem ") + ("Jahr" if whole else "Monat")
        unit = ("Jahre" if nominative else "Jahren") if whole else ("Monate" if nominative else "Monaten")
        return f"{num(n, lang)} {unit}"
    return f"{num(n, lang)} {'year' if whole else 'month'}{'' if n == 1 else 's'}"


def signed(x: float, lang: str, digits: int = 0) -> str:
    """With an explicit + for rises (changes read better that way); none for a value that rounds to 0."""
    s = num(x, lang, digits)
    return "+" + s if finite(x) and x > 0 and not set(s) <= set("0.,") else s


def count(x: float, lang: str) -> str:
    """A mean number of things: whole numbers from 10 up, one decimal below (means of few runs)."""
    if not finite(x):
        return "–"
    return num(x, lang, 0 if abs(x) >= 10 or float(x).is_integer() else 1)


def money(x: float, lang: str, signed_: bool = False) -> str:
    """EUR rounded to what a model can say: Mio. EUR from 100,000 up (one or two decimals), else whole
    thousands of EUR."""
    if not finite(x):
        return "–"
    f = signed if signed_ else num
    if abs(x) >= 100_000:
        digits = 1 if abs(x) >= 1e6 else 2
        return f(x / 1e6, lang, digits) + (" Mio. EUR" if lang == "de" else " M EUR")
    return f(round(x, -3), lang, 0) + " EUR"


def pct(x: float, lang: str, digits: int = 0) -> str:
    return "–" if not finite(x) else f"{num(100 * x, lang, digits)} %"


def signed_pct(x: float, lang: str, digits: int = 0) -> str:
    return "–" if not finite(x) else f"{signed(100 * x, lang, digits)} %"


def span(low: float, high: float, show) -> tuple[str, str] | None:
    """The two ends of a range as shown, or None where they would read the same (a range that says
    nothing is left out rather than printed as "0 % to 0 %")."""
    if not (finite(low) and finite(high)):
        return None
    a, b = show(low), show(high)
    return None if a == b else (a, b)
