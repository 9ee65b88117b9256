"""What kind of instrument a symbol names, in OpenAlgo's words."""

from __future__ import annotations

from enum import StrEnum


class InstrumentType(StrEnum):
    """OpenAlgo's `instrumenttype`: equities, indices, futures, calls and puts."""

    EQ = "EQ"
    INDEX = "INDEX"
    FUT = "FUT"
    CE = "CE"
    PE = "PE"

    @property
    def is_option(self) -> bool:
        return self in (InstrumentType.CE, InstrumentType.PE)

    @property
    def is_derivative(self) -> bool:
        return self in (InstrumentType.FUT, InstrumentType.CE, InstrumentType.PE)


class OptionType(StrEnum):
    CE = "CE"
    PE = "PE"
