"""Currencies of pay: ISO 4217 codes, and amounts written with the code they are in."""

from __future__ import annotations

from decimal import Decimal

from councils.core.errors import InvalidInputError

# The ISO 4217 codes of currencies in circulation. Left out: precious metals, bond-market units,
# special drawing rights, fund codes and the test and "no currency" codes: nobody is paid in them.
_CODES = """
    AED AFN ALL AMD AOA ARS AUD AWG AZN BAM BBD BDT BGN BHD BIF BMD BND BOB BRL BSD BTN BWP BYN BZD
    CAD CDF CHF CLP CNY COP CRC CUP CVE CZK DJF DKK DOP DZD EGP ERN ETB EUR FJD FKP GBP GEL GHS GIP
    GMD GNF GTQ GYD HKD HNL HTG HUF IDR ILS INR IQD IRR ISK JMD JOD JPY KES KGS KHR KMF KPW KRW KWD
    KYD KZT LAK LBP LKR LRD LSL LYD MAD MDL MGA MKD MMK MNT MOP MRU MUR MVR MWK MXN MYR MZN NAD NGN
    NIO NOK NPR NZD OMR PAB PEN PGK PHP PKR PLN PYG QAR RON RSD RUB RWF SAR SBD SCR SDG SEK SGD SHP
    SLE SOS SRD SSP STN SVC SYP SZL THB TJS TMT TND TOP TRY TTD TWD TZS UAH UGX USD UYU UZS VED VES
    VND VUV WST XAF XCD XCG XOF XPF YER ZAR ZMW ZWG
"""
ISO_4217 = frozenset(_CODES.split())


def check_currency(code: str, *, name: str = "Currency") -> None:
    """Refuse anything but the ISO 4217 code of a currency in circulation, in capitals."""
    if code not in ISO_4217:
        raise InvalidInputError(
            f"{name} must be the ISO 4217 code of a currency, in capitals, such as EUR, GBP or USD: {code!r}."
        )


def format_amount(amount: Decimal | str, currency: str | None) -> str:
    """An amount as people read it: `2400.00 EUR`, or the bare number where no currency is stated."""
    return f"{amount} {currency}" if currency else str(amount)
