"""Money amounts and land areas as bureau staff write them in YAML.

Staff type figures the way Chinese government documents print them --
``176.1亿元``, ``5000万元``, ``120亩``, ``12万平方米`` -- and the site shows
them in Simplified Chinese, Traditional Chinese and English.  This module is
the one place that reads those strings and renders them, so a figure looks
the same on every page and in every language.

Numbers are :class:`decimal.Decimal`, never float: ``0.3亿元`` has to become
exactly 30,000,000 yuan, and rounding rules have to give the same text on
every machine.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Context, Decimal, localcontext
from functools import total_ordering
from typing import Iterable

__all__ = [
    "Area",
    "Money",
    "UnitError",
    "money_key",
    "parse_area",
    "parse_money",
    "sum_money",
]


class UnitError(ValueError):
    """A figure in the content could not be read.

    The message is a full sentence shown to staff after ``file:line: field: ``,
    so it quotes what was written and shows how to write it instead, e.g.
    ``cannot read "五个亿"; write e.g. 5亿元 or 5000万元``.
    """


# --------------------------------------------------------------- languages

def _language(lang: str) -> str:
    """Normalise a language code to "zh", "zh-hant" or "en".

    Templates spell Traditional Chinese "zh-Hant" (BCP 47) but file names and
    URLs often use lowercase, so both are accepted.
    """
    key = lang.replace("_", "-").lower()
    if key not in ("zh", "zh-hant", "en"):
        raise ValueError(f"unsupported language {lang!r}; use 'zh', 'zh-Hant' or 'en'")
    return key


# ----------------------------------------------------------------- numbers

# Only mu -> square metres needs an inexact division.  A fixed context keeps
# the result independent of whatever global decimal context a caller set.
_CONTEXT = Context(prec=34, rounding=ROUND_HALF_UP)
_CENT = Decimal("0.01")


def _tidy(value: Decimal) -> Decimal:
    """Store 17610000000 rather than 1.761E+10, and 0.3 rather than 0.30,
    so reprs and debug output read like the figures staff wrote."""
    if value == value.to_integral_value():
        return value.quantize(Decimal(1), context=_CONTEXT)
    return value.normalize(_CONTEXT)


def _round2(value: Decimal) -> Decimal:
    """Round half up (四舍五入), the rule readers of Chinese statistics expect."""
    return value.quantize(_CENT, rounding=ROUND_HALF_UP, context=_CONTEXT)


def _number(value: Decimal, grouping: bool) -> str:
    """Plain digits with trailing zeros dropped: 350, not 350.00.

    Chinese forms never use thousands separators; English ones do.
    """
    text = f"{value:,f}" if grouping else f"{value:f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _scaled(value: Decimal, exponents: tuple[int, ...]) -> tuple[Decimal, int]:
    """Express ``value`` in the largest power-of-ten step it reaches.

    ``exponents`` lists the steps, e.g. (0, 4, 8) for 元/万/亿.  Returns the
    value in that step rounded to 2 decimals, and the step's index.  When the
    rounding itself reaches the next step (9999.999万 -> 10000.00万), the
    figure moves up, so readers see "1亿元", never "10000万元".
    """
    step = 0
    for index, exponent in enumerate(exponents):
        if value >= Decimal(1).scaleb(exponent, _CONTEXT):
            step = index
    shown = _round2(value.scaleb(-exponents[step], _CONTEXT))
    if step + 1 < len(exponents):
        if shown >= Decimal(1).scaleb(exponents[step + 1] - exponents[step], _CONTEXT):
            step += 1
            shown = _round2(value.scaleb(-exponents[step], _CONTEXT))
    return shown, step


# ------------------------------------------------------------ reading text

# 1,200 (strict groups of three, so "12,00" is refused) or 1200 or 176.1.
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_MINUS = re.compile(r"^(?:-|\u2212|负|負)\s*")


def _written(text: object) -> str | None:
    """The text as staff wrote it, for quoting back in messages; None if empty."""
    if text is None:
        return None
    written = str(text).strip()
    return written or None


def _fold(written: str) -> str:
    """Fold full-width and compatibility forms (５ -> 5, ，-> ",", ㎡ -> m2,
    km² -> km2) and case, since staff type on Chinese IMEs."""
    return unicodedata.normalize("NFKC", written).strip().lower()


def _is_yaml_number(text: object) -> bool:
    return isinstance(text, (int, float, Decimal)) and not isinstance(text, bool)


def _no_unit(number: str, examples: str) -> UnitError:
    """YAML turns ``investment: 5`` into a number; the unit is what's missing."""
    shown = _number(Decimal(number.replace(",", "")).copy_abs(), grouping=False)
    return UnitError(
        f"the number {number} has no unit; write the unit: "
        + examples.format(n=shown)
    )


# ------------------------------------------------------------------ money

# Names per currency and language.  Traditional forms are written out here
# rather than produced by a converter, so they are exactly what we intend.
_CURRENCY_NAMES = {
    "CNY": {"zh": "元", "zh-hant": "元", "en": "RMB"},
    "USD": {"zh": "美元", "zh-hant": "美元", "en": "USD"},
    "HKD": {"zh": "港元", "zh-hant": "港元", "en": "HKD"},
    "EUR": {"zh": "欧元", "zh-hant": "歐元", "en": "EUR"},
    "JPY": {"zh": "日元", "zh-hant": "日圓", "en": "JPY"},
    "GBP": {"zh": "英镑", "zh-hant": "英鎊", "en": "GBP"},
}

# Words staff use for a currency, after _fold (so lowercase).
_CURRENCY_WORDS = {
    "元": "CNY", "人民币": "CNY", "人民幣": "CNY", "人民币元": "CNY", "人民幣元": "CNY",
    "元人民币": "CNY", "元人民幣": "CNY", "rmb": "CNY", "cny": "CNY", "yuan": "CNY",
    "美元": "USD", "美金": "USD", "usd": "USD", "us$": "USD",
    "港元": "HKD", "港币": "HKD", "港幣": "HKD", "hkd": "HKD", "hk$": "HKD",
    "欧元": "EUR", "歐元": "EUR", "eur": "EUR", "euro": "EUR", "euros": "EUR",
    "€": "EUR",
    "日元": "JPY", "日圓": "JPY", "日円": "JPY", "jpy": "JPY", "yen": "JPY",
    "英镑": "GBP", "英鎊": "GBP", "gbp": "GBP", "£": "GBP",
}

# Multipliers as powers of ten.  A Chinese multiplier alone implies yuan
# ("5亿" is 5亿元); an English one does not ("5 million" of what?).
_CHINESE_SCALES = {"万亿": 12, "萬億": 12, "亿": 8, "億": 8, "万": 4, "萬": 4}
_ENGLISH_SCALES = {"thousand": 3, "million": 6, "mn": 6, "billion": 9, "bn": 9}
_SCALES = {**_CHINESE_SCALES, **_ENGLISH_SCALES}

_MONEY = re.compile(
    r"(?P<before>\D*?)\s*(?P<number>" + _NUMBER + r")\s*"
    r"(?P<scale>" + "|".join(sorted(_SCALES, key=len, reverse=True)) + r")?"
    r"\s*(?P<after>.*)"
)

_MONEY_EXAMPLES = "write e.g. 5亿元 or 5000万元"

# Rendering steps: Chinese counts in 万 and 亿, English in million and billion.
_ZH_MONEY_STEPS = (0, 4, 8)
_EN_MONEY_STEPS = (0, 6, 9)
_ZH_STEP_NAMES = {"zh": ("", "万", "亿"), "zh-hant": ("", "萬", "億")}
_EN_STEP_NAMES = ("", "million", "billion")


@total_ordering
@dataclass(frozen=True, order=False)
class Money:
    """An amount of money in whole currency units (yuan, dollars).

    ``Money(Decimal("17610000000"), "CNY")`` is 176.1亿元.  Amounts of the same
    currency compare by value, so 60000万元 == 6亿元; comparing different
    currencies raises TypeError (use :func:`money_key` to sort mixed lists).
    """

    amount: Decimal
    currency: str

    def __post_init__(self) -> None:
        amount = self.amount
        if isinstance(amount, int) and not isinstance(amount, bool):
            amount = Decimal(amount)
        if not isinstance(amount, Decimal):
            raise TypeError(f"Money amount must be a Decimal, not {type(amount).__name__}")
        if not amount.is_finite() or amount < 0:
            raise ValueError(f"Money amount must be zero or positive, not {amount}")
        if self.currency not in _CURRENCY_NAMES:
            raise ValueError(f"unknown currency {self.currency!r}")
        object.__setattr__(self, "amount", _tidy(amount))

    def __lt__(self, other: object) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency != self.currency:
            raise TypeError(f"cannot compare {self.currency} with {other.currency}")
        return self.amount < other.amount

    def sort_key(self) -> tuple[str, Decimal]:
        """(currency, amount): sorts mixed currencies without comparing them."""
        return (self.currency, self.amount)

    def parts(self, lang: str) -> tuple[str, str]:
        """(number, unit) for big-figure display, where the unit is set smaller.

        zh ("176.1", "亿元"), zh-Hant ("176.1", "億元"), en ("RMB 17.61",
        "billion").  Below a million the English unit is "" ("RMB 8,000", "").
        """
        lang = _language(lang)
        currency = _CURRENCY_NAMES[self.currency][lang]
        if lang == "en":
            value, step = _scaled(self.amount, _EN_MONEY_STEPS)
            return f"{currency} {_number(value, grouping=True)}", _EN_STEP_NAMES[step]
        value, step = _scaled(self.amount, _ZH_MONEY_STEPS)
        return _number(value, grouping=False), _ZH_STEP_NAMES[lang][step] + currency

    def format(self, lang: str) -> str:
        """The amount as running text: 176.1亿元, 176.1億元, RMB 17.61 billion."""
        number, unit = self.parts(lang)
        if _language(lang) == "en":
            return f"{number} {unit}".rstrip()
        return number + unit


def money_key(money: Money) -> tuple[str, Decimal]:
    """Sort key for lists that may mix currencies: (currency, amount)."""
    return money.sort_key()


def sum_money(items: Iterable[Money]) -> dict[str, Money]:
    """Total per currency, for headline figures ("签约总额").

    Currencies are never converted into each other; the result is ordered by
    currency code so pages come out the same on every build.
    """
    amounts: dict[str, list[Decimal]] = {}
    for money in items:
        found = amounts.get(money.currency)
        if found is None:
            found = amounts[money.currency] = []
        found.append(money.amount)
    # sum() adds in C, in the same order and context as adding one by one (three times faster:
    # the home page sums every project, by sector and in all, 20,000 amounts at 10,000 projects).
    with localcontext(_CONTEXT):
        return {currency: Money(sum(amounts[currency], Decimal(0)), currency) for currency in sorted(amounts)}


def _read_money(folded: str) -> Money | None:
    """Money from folded text without a sign, or None if it is not one."""
    match = _MONEY.fullmatch(folded)
    if match is None:
        return None
    before, after, scale = match["before"].strip(), match["after"].strip(), match["scale"]
    if before and after:
        return None
    word = before or after
    if word:
        currency = _CURRENCY_WORDS.get(word)
    elif scale in _CHINESE_SCALES:
        currency = "CNY"
    else:
        currency = None
    if currency is None:
        return None
    number = Decimal(match["number"].replace(",", ""))
    return Money(number.scaleb(_SCALES.get(scale, 0), _CONTEXT), currency)


def parse_money(text: object) -> Money:
    """Read an amount as staff write it: 176.1亿元, 5000万元, 2亿美元, 1,200万元,
    ５亿元, 5000萬元, "RMB 50 million", "5 billion yuan".

    Raises UnitError with a message staff can act on.
    """
    if _is_yaml_number(text):
        raise _no_unit(str(text), "{n}亿元 or {n}万元")
    written = _written(text)
    if written is None:
        raise UnitError(f"no amount given; {_MONEY_EXAMPLES}")
    folded = _fold(written)
    unsigned = _MINUS.sub("", folded, count=1)
    if re.fullmatch(_NUMBER, unsigned):
        raise _no_unit(unsigned, "{n}亿元 or {n}万元")
    money = _read_money(unsigned)
    if money is None:
        raise UnitError(f'cannot read "{written}"; {_MONEY_EXAMPLES}')
    if unsigned != folded:
        raise UnitError(f'cannot read "{written}": amounts cannot be negative; {_MONEY_EXAMPLES}')
    return money


# ------------------------------------------------------------------- area

# Square metres per unit, as a fraction: 1 mu is exactly 1/15 hectare.
_SQUARE_METRES = {
    "mu": (Decimal(10000), Decimal(15)),
    "ha": (Decimal(10000), Decimal(1)),
    "km2": (Decimal(1000000), Decimal(1)),
    "m2": (Decimal(1), Decimal(1)),
}

_AREA_NAMES = {
    "mu": {"zh": "亩", "zh-hant": "畝", "en": "mu"},
    "ha": {"zh": "公顷", "zh-hant": "公頃", "en": "ha"},
    "km2": {"zh": "平方公里", "zh-hant": "平方公里", "en": "km²"},
    "m2": {"zh": "平方米", "zh-hant": "平方米", "en": "m²"},
}

# Unit words after _fold (lowercase, spaces removed, km² already km2).
_AREA_WORDS = {
    "亩": "mu", "畝": "mu", "mu": "mu",
    "公顷": "ha", "公頃": "ha", "ha": "ha", "hectare": "ha", "hectares": "ha",
    "平方公里": "km2", "平方千米": "km2", "km2": "km2", "sqkm": "km2",
    "squarekilometres": "km2", "squarekilometers": "km2",
    "平方米": "m2", "平米": "m2", "平方公尺": "m2", "m2": "m2", "sqm": "m2",
    "squaremetres": "m2", "squaremeters": "m2",
}

_AREA = re.compile(r"(?P<number>" + _NUMBER + r")\s*(?P<wan>万|萬)?\s*(?P<unit>.*)")

_AREA_EXAMPLES = "write e.g. 120亩, 25平方公里 or 12万平方米"
_ZH_AREA_STEPS = (0, 4)
_WAN = {"zh": ("", "万"), "zh-hant": ("", "萬")}


@dataclass(frozen=True)
class Area:
    """A land or floor area: ``value`` in square metres, ``unit`` as written.

    The value makes areas comparable whatever unit staff used; the unit is
    kept because readers expect the figure in the unit of the source document
    (a park of 800亩 is not shown as 53.3 hectares in Chinese).
    """

    value: Decimal
    unit: str

    def __post_init__(self) -> None:
        value = self.value
        if isinstance(value, int) and not isinstance(value, bool):
            value = Decimal(value)
        if not isinstance(value, Decimal):
            raise TypeError(f"Area value must be a Decimal, not {type(value).__name__}")
        if not value.is_finite() or value < 0:
            raise ValueError(f"Area value must be zero or positive, not {value}")
        if self.unit not in _SQUARE_METRES:
            raise ValueError(f"unknown area unit {self.unit!r}; use mu, ha, km2 or m2")
        object.__setattr__(self, "value", _tidy(value))

    def _in_unit(self) -> Decimal:
        """The value in the unit it was written in (800 for 800亩)."""
        metres, per = _SQUARE_METRES[self.unit]
        return _CONTEXT.divide(_CONTEXT.multiply(self.value, per), metres)

    def parts(self, lang: str) -> tuple[str, str]:
        """(number, unit) for big-figure display: zh ("120", "亩"), zh-Hant
        ("12", "萬平方米"), en ("120,000", "m²").

        Chinese rolls 10,000 and more up to 万 (1.5万亩), like the source
        documents do; English uses thousands separators instead.
        """
        lang = _language(lang)
        name = _AREA_NAMES[self.unit][lang]
        if lang == "en":
            return _number(_round2(self._in_unit()), grouping=True), name
        value, step = _scaled(self._in_unit(), _ZH_AREA_STEPS)
        return _number(value, grouping=False), _WAN[lang][step] + name

    def format(self, lang: str) -> str:
        """The area as running text: 120亩, 120畝, "120 mu (8 ha)", "25 km²".

        English readers do not know the mu, so it is followed by hectares
        (at most one decimal).
        """
        number, unit = self.parts(lang)
        if _language(lang) != "en":
            return number + unit
        text = f"{number} {unit}"
        if self.unit == "mu":
            hectares = self.value.scaleb(-4, _CONTEXT).quantize(
                Decimal("0.1"), rounding=ROUND_HALF_UP, context=_CONTEXT
            )
            text += f" ({_number(hectares, grouping=True)} ha)"
        return text


def _read_area(folded: str) -> Area | None:
    """Area from folded text without a sign, or None if it is not one."""
    match = _AREA.fullmatch(folded)
    if match is None:
        return None
    unit = _AREA_WORDS.get(re.sub(r"\s+", "", match["unit"]))
    if unit is None:
        return None
    number = Decimal(match["number"].replace(",", ""))
    if match["wan"]:
        number = number.scaleb(4, _CONTEXT)
    metres, per = _SQUARE_METRES[unit]
    return Area(_CONTEXT.divide(_CONTEXT.multiply(number, metres), per), unit)


def parse_area(text: object) -> Area:
    """Read an area as staff write it: 120亩, 1.5万亩, 120畝, 8公顷, 25平方公里,
    25 km², 12万平方米, 120,000㎡, "120 mu".

    Raises UnitError with a message staff can act on.
    """
    if _is_yaml_number(text):
        raise _no_unit(str(text), "{n}亩 or {n}平方米")
    written = _written(text)
    if written is None:
        raise UnitError(f"no area given; {_AREA_EXAMPLES}")
    folded = _fold(written)
    unsigned = _MINUS.sub("", folded, count=1)
    if re.fullmatch(_NUMBER, unsigned):
        raise _no_unit(unsigned, "{n}亩 or {n}平方米")
    area = _read_area(unsigned)
    if area is None:
        raise UnitError(f'cannot read "{written}"; {_AREA_EXAMPLES}')
    if unsigned != folded:
        raise UnitError(f'cannot read "{written}": areas cannot be negative; {_AREA_EXAMPLES}')
    return area
