"""Tests for generator.units: reading figures staff write, rendering them per language."""

from decimal import Decimal

import pytest

from generator.units import (
    Area,
    Money,
    UnitError,
    money_key,
    parse_area,
    parse_money,
    sum_money,
)

# ------------------------------------------------------------ the table

MONEY_TABLE = [
    # written, zh, en, zh-Hant
    ("176.1亿元", "176.1亿元", "RMB 17.61 billion", "176.1億元"),
    ("5000万元", "5000万元", "RMB 50 million", "5000萬元"),
    ("2亿美元", "2亿美元", "USD 200 million", "2億美元"),
    ("3.5亿元", "3.5亿元", "RMB 350 million", "3.5億元"),
    ("60000万元", "6亿元", "RMB 600 million", "6億元"),
    ("0.3亿元", "3000万元", "RMB 30 million", "3000萬元"),
    ("8000元", "8000元", "RMB 8,000", "8000元"),
]

AREA_TABLE = [
    ("120亩", "120亩", "120 mu (8 ha)", "120畝"),
    ("25平方公里", "25平方公里", "25 km²", "25平方公里"),
    ("12万平方米", "12万平方米", "120,000 m²", "12萬平方米"),
    ("800亩", "800亩", "800 mu (53.3 ha)", "800畝"),
]


@pytest.mark.parametrize("written, zh, en, hant", MONEY_TABLE)
def test_money_table_zh(written, zh, en, hant):
    assert parse_money(written).format("zh") == zh


@pytest.mark.parametrize("written, zh, en, hant", MONEY_TABLE)
def test_money_table_en(written, zh, en, hant):
    assert parse_money(written).format("en") == en


@pytest.mark.parametrize("written, zh, en, hant", MONEY_TABLE)
def test_money_table_zh_hant(written, zh, en, hant):
    assert parse_money(written).format("zh-Hant") == hant
    assert parse_money(written).format("zh-hant") == hant


@pytest.mark.parametrize("written, zh, en, hant", AREA_TABLE)
def test_area_table_zh(written, zh, en, hant):
    assert parse_area(written).format("zh") == zh


@pytest.mark.parametrize("written, zh, en, hant", AREA_TABLE)
def test_area_table_en(written, zh, en, hant):
    assert parse_area(written).format("en") == en


@pytest.mark.parametrize("written, zh, en, hant", AREA_TABLE)
def test_area_table_zh_hant(written, zh, en, hant):
    assert parse_area(written).format("zh-Hant") == hant
    assert parse_area(written).format("zh-hant") == hant


def test_350_million_is_never_3_5_billion():
    assert "3.5 billion" not in parse_money("3.5亿元").format("en")


# ---------------------------------------------------------- money values

def test_amount_is_exact_decimal_in_whole_units():
    money = parse_money("176.1亿元")
    assert money == Money(Decimal("17610000000"), "CNY")
    assert isinstance(money.amount, Decimal)
    assert str(money.amount) == "17610000000"
    assert parse_money("0.3亿元").amount == Decimal("30000000")


@pytest.mark.parametrize(
    "written, amount, currency",
    [
        ("５亿元", "500000000", "CNY"),  # full-width digits
        ("１７６．１亿元", "17610000000", "CNY"),  # full-width digits and point
        ("1,200万元", "12000000", "CNY"),  # thousands comma
        ("1，200万元", "12000000", "CNY"),  # full-width comma
        ("  5 亿 元 ", "500000000", "CNY"),  # spaces
        ("5亿", "500000000", "CNY"),  # 亿 alone means 元
        ("5000万", "50000000", "CNY"),  # 万 alone means 元
        ("8000元", "8000", "CNY"),
        ("0.3亿元", "30000000", "CNY"),
        ("5億元", "500000000", "CNY"),  # Traditional
        ("5000萬元", "50000000", "CNY"),  # Traditional
        ("2亿美元", "200000000", "USD"),
        ("300万美元", "3000000", "USD"),
        ("500美元", "500", "USD"),
        ("3亿港元", "300000000", "HKD"),
        ("80万港元", "800000", "HKD"),
        ("1.5亿欧元", "150000000", "EUR"),
        ("20万欧元", "200000", "EUR"),
        ("5亿人民币", "500000000", "CNY"),
        ("5亿元人民币", "500000000", "CNY"),
        ("RMB 50 million", "50000000", "CNY"),
        ("rmb 50 million", "50000000", "CNY"),
        ("USD 200 million", "200000000", "USD"),
        ("CNY 1.2 billion", "1200000000", "CNY"),
        ("5 billion yuan", "5000000000", "CNY"),
        ("RMB 1,200 million", "1200000000", "CNY"),
        ("EUR 30 million", "30000000", "EUR"),
        ("0元", "0", "CNY"),  # zero is allowed
    ],
)
def test_parse_money_variants(written, amount, currency):
    assert parse_money(written) == Money(Decimal(amount), currency)


def test_money_from_int_is_accepted_directly():
    assert Money(600000000, "CNY") == parse_money("6亿元")


def test_money_rejects_float_and_unknown_currency():
    with pytest.raises(TypeError):
        Money(5.0, "CNY")
    with pytest.raises(ValueError):
        Money(Decimal(5), "XYZ")
    with pytest.raises(ValueError):
        Money(Decimal(-5), "CNY")


# -------------------------------------------------------- money rejections

@pytest.mark.parametrize(
    "text, message",
    [
        ("五个亿", 'cannot read "五个亿"; write e.g. 5亿元 or 5000万元'),
        ("big", 'cannot read "big"; write e.g. 5亿元 or 5000万元'),
        ("约5亿元", 'cannot read "约5亿元"; write e.g. 5亿元 or 5000万元'),
        ("50 million", 'cannot read "50 million"; write e.g. 5亿元 or 5000万元'),
        ("12,00万元", 'cannot read "12,00万元"; write e.g. 5亿元 or 5000万元'),
        ("RMB 5 million USD", 'cannot read "RMB 5 million USD"; write e.g. 5亿元 or 5000万元'),
        (
            "-5亿元",
            'cannot read "-5亿元": amounts cannot be negative; write e.g. 5亿元 or 5000万元',
        ),
        ("", "no amount given; write e.g. 5亿元 or 5000万元"),
        ("   ", "no amount given; write e.g. 5亿元 or 5000万元"),
        (None, "no amount given; write e.g. 5亿元 or 5000万元"),
        (5, "the number 5 has no unit; write the unit: 5亿元 or 5万元"),
        (2.5, "the number 2.5 has no unit; write the unit: 2.5亿元 or 2.5万元"),
        ("5", "the number 5 has no unit; write the unit: 5亿元 or 5万元"),
    ],
)
def test_parse_money_rejects_with_message(text, message):
    with pytest.raises(UnitError) as caught:
        parse_money(text)
    assert str(caught.value) == message


def test_unit_error_is_a_value_error():
    assert issubclass(UnitError, ValueError)


# -------------------------------------------------------- comparison/sort

def test_same_amount_written_differently_is_equal():
    assert parse_money("60000万元") == parse_money("6亿元")
    assert hash(parse_money("60000万元")) == hash(parse_money("6亿元"))
    assert parse_money("0.3亿元") == parse_money("3000万元")


def test_same_amount_other_currency_is_not_equal():
    assert parse_money("2亿元") != parse_money("2亿美元")


def test_ordering_within_a_currency():
    small, middle, large = (parse_money(t) for t in ("5000万元", "3.5亿元", "176.1亿元"))
    assert small < middle < large
    assert large > small
    assert small <= parse_money("0.5亿元") <= small
    assert large >= middle
    assert sorted([large, small, middle]) == [small, middle, large]
    assert max([small, large, middle]) == large


def test_comparing_different_currencies_raises():
    with pytest.raises(TypeError):
        parse_money("2亿元") < parse_money("2亿美元")


def test_money_key_sorts_mixed_currencies():
    usd, cny_big, cny_small = (parse_money(t) for t in ("2亿美元", "10亿元", "1亿元"))
    assert sorted([usd, cny_big, cny_small], key=money_key) == [cny_small, cny_big, usd]
    assert cny_big.sort_key() == ("CNY", Decimal("1000000000"))
    assert money_key(usd) == usd.sort_key()


# ------------------------------------------------------ rounding boundary

@pytest.mark.parametrize(
    "amount, zh, en",
    [
        # just under 1亿: 9999.5万, not rolled up
        ("99995000", "9999.5万元", "RMB 100 million"),
        # rounding reaches 10000万 -> 1亿, never "10000万元"
        ("99999999.5", "1亿元", "RMB 100 million"),
        ("99999999", "1亿元", "RMB 100 million"),
        ("99600000", "9960万元", "RMB 99.6 million"),
        # just under 1 billion: rounding reaches 1000 million -> 1 billion
        ("999995000", "10亿元", "RMB 1 billion"),
        ("999994999", "10亿元", "RMB 999.99 million"),
        # just under 1万 / 1 million
        ("9999.999", "1万元", "RMB 10,000"),
        ("999999.999", "100万元", "RMB 1 million"),
        # exact thresholds
        ("100000000", "1亿元", "RMB 100 million"),
        ("10000", "1万元", "RMB 10,000"),
        ("1000000000", "10亿元", "RMB 1 billion"),
        # decimals trimmed, at most two, rounded half up
        ("12345000", "1234.5万元", "RMB 12.35 million"),
        ("125000000", "1.25亿元", "RMB 125 million"),
        ("10150000000", "101.5亿元", "RMB 10.15 billion"),
        ("123456789", "1.23亿元", "RMB 123.46 million"),
        ("8000.5", "8000.5元", "RMB 8,000.5"),
        ("0", "0元", "RMB 0"),
        ("1200000000000", "12000亿元", "RMB 1,200 billion"),
    ],
)
def test_rounding_and_boundaries(amount, zh, en):
    money = Money(Decimal(amount), "CNY")
    assert money.format("zh") == zh
    assert money.format("en") == en
    assert "10000万" not in money.format("zh")
    assert "1000 million" not in money.format("en")


def test_format_ignores_global_decimal_context():
    import decimal

    with decimal.localcontext() as ctx:
        ctx.prec = 3
        ctx.rounding = decimal.ROUND_DOWN
        assert parse_money("176.1亿元").format("zh") == "176.1亿元"
        assert parse_area("800亩").format("en") == "800 mu (53.3 ha)"


# ------------------------------------------------------------------ parts

@pytest.mark.parametrize(
    "written, lang, parts",
    [
        ("176.1亿元", "zh", ("176.1", "亿元")),
        ("176.1亿元", "zh-Hant", ("176.1", "億元")),
        ("176.1亿元", "en", ("RMB 17.61", "billion")),
        ("2亿美元", "zh", ("2", "亿美元")),
        ("2亿美元", "en", ("USD 200", "million")),
        ("5000万元", "zh-Hant", ("5000", "萬元")),
        ("8000元", "zh", ("8000", "元")),
        ("8000元", "en", ("RMB 8,000", "")),
        ("1.5亿欧元", "zh-Hant", ("1.5", "億歐元")),
    ],
)
def test_money_parts(written, lang, parts):
    money = parse_money(written)
    assert money.parts(lang) == parts


@pytest.mark.parametrize("written", [row[0] for row in MONEY_TABLE])
@pytest.mark.parametrize("lang", ["zh", "zh-Hant", "en"])
def test_money_parts_agree_with_format(written, lang):
    money = parse_money(written)
    number, unit = money.parts(lang)
    joiner = " " if lang == "en" else ""
    assert money.format(lang) == joiner.join(p for p in (number, unit) if p)


@pytest.mark.parametrize(
    "written, lang, parts",
    [
        ("120亩", "zh", ("120", "亩")),
        ("120亩", "zh-Hant", ("120", "畝")),
        ("120亩", "en", ("120", "mu")),
        ("12万平方米", "zh", ("12", "万平方米")),
        ("12万平方米", "en", ("120,000", "m²")),
        ("25平方公里", "en", ("25", "km²")),
    ],
)
def test_area_parts(written, lang, parts):
    assert parse_area(written).parts(lang) == parts


def test_unknown_language_is_a_programming_error():
    with pytest.raises(ValueError):
        parse_money("5亿元").format("fr")
    with pytest.raises(ValueError):
        parse_area("120亩").parts("de")


# ------------------------------------------------------------------- sums

def test_sum_money_totals_per_currency():
    written = ["176.1亿元", "2亿美元", "5000万元", "3.5亿元", "1亿美元"]
    totals = sum_money(parse_money(text) for text in written)
    assert list(totals) == ["CNY", "USD"]
    assert totals["CNY"] == parse_money("180.1亿元")
    assert totals["CNY"].format("zh") == "180.1亿元"
    assert totals["USD"].format("en") == "USD 300 million"


def test_sum_money_of_nothing_is_empty():
    assert sum_money([]) == {}


def test_sum_money_is_exact():
    totals = sum_money([parse_money("0.1亿元")] * 3)
    assert totals["CNY"].amount == Decimal("30000000")


# ------------------------------------------------------------------- area

def test_mu_is_one_fifteenth_hectare():
    assert parse_area("15亩").value == Decimal("10000")
    assert parse_area("120亩").value == Decimal("80000")
    assert parse_area("1亩").value.quantize(Decimal("0.01")) == Decimal("666.67")
    assert parse_area("120亩").unit == "mu"


@pytest.mark.parametrize(
    "written, square_metres, unit",
    [
        ("120畝", "80000", "mu"),
        ("120 mu", "80000", "mu"),
        ("１２０亩", "80000", "mu"),
        ("1.5万亩", "10000000", "mu"),
        ("8公顷", "80000", "ha"),
        ("8公頃", "80000", "ha"),
        ("8 ha", "80000", "ha"),
        ("25平方公里", "25000000", "km2"),
        ("25 km²", "25000000", "km2"),
        ("25km2", "25000000", "km2"),
        ("25㎢", "25000000", "km2"),
        ("25 sq km", "25000000", "km2"),
        ("12万平方米", "120000", "m2"),
        ("12萬平方米", "120000", "m2"),
        ("120,000㎡", "120000", "m2"),
        ("120000 m²", "120000", "m2"),
        ("3000m2", "3000", "m2"),
        ("3000平米", "3000", "m2"),
    ],
)
def test_parse_area_variants(written, square_metres, unit):
    area = parse_area(written)
    assert area.value == Decimal(square_metres)
    assert area.unit == unit


@pytest.mark.parametrize(
    "written, zh, en, hant",
    [
        ("8公顷", "8公顷", "8 ha", "8公頃"),
        ("120000平方米", "12万平方米", "120,000 m²", "12萬平方米"),
        ("3000平方米", "3000平方米", "3,000 m²", "3000平方米"),
        ("15000亩", "1.5万亩", "15,000 mu (1,000 ha)", "1.5萬畝"),
        ("9999.999亩", "1万亩", "10,000 mu (666.7 ha)", "1萬畝"),
        ("2.5亩", "2.5亩", "2.5 mu (0.2 ha)", "2.5畝"),
    ],
)
def test_area_formats(written, zh, en, hant):
    area = parse_area(written)
    assert area.format("zh") == zh
    assert area.format("en") == en
    assert area.format("zh-Hant") == hant


AREA_EXAMPLES = "write e.g. 120亩, 25平方公里 or 12万平方米"


@pytest.mark.parametrize(
    "text, message",
    [
        ("big", f'cannot read "big"; {AREA_EXAMPLES}'),
        ("一百亩", f'cannot read "一百亩"; {AREA_EXAMPLES}'),
        ("12万", f'cannot read "12万"; {AREA_EXAMPLES}'),
        ("5亿元", f'cannot read "5亿元"; {AREA_EXAMPLES}'),
        ("-120亩", f'cannot read "-120亩": areas cannot be negative; {AREA_EXAMPLES}'),
        ("", f"no area given; {AREA_EXAMPLES}"),
        (None, f"no area given; {AREA_EXAMPLES}"),
        (120, "the number 120 has no unit; write the unit: 120亩 or 120平方米"),
        ("120", "the number 120 has no unit; write the unit: 120亩 or 120平方米"),
    ],
)
def test_parse_area_rejects_with_message(text, message):
    with pytest.raises(UnitError) as caught:
        parse_area(text)
    assert str(caught.value) == message


def test_area_rejects_unknown_unit():
    with pytest.raises(ValueError):
        Area(Decimal(1), "acre")
