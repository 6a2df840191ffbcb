"""CPR numbers (personnummer): validation, one stored form, masking.

The date part must be a real date and the seventh digit with the year gives the century
(python-stdnum knows the rule). The old modulus-11 check is never grounds for refusal: numbers
issued since 2007 may fail it and still belong to real people.
"""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum.dk import cpr as stdnum_cpr
from stdnum.exceptions import InvalidComponent, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError


def normalize_cpr(value: str) -> str:
    """The stored form: ten digits, no dash or spaces."""
    return stdnum_cpr.compact(str(value or ""))


def validate_cpr(value: str) -> None:
    number = normalize_cpr(value)
    if not number.isdigit():
        raise ValidationError(
            _("A CPR number may only contain digits and one dash, e.g. 010190-1234."), code="cpr_format"
        )
    if len(number) != 10:
        raise ValidationError(
            _("A CPR number has 10 digits (DDMMYY-SSSS); this one has %(count)d."),
            code="cpr_length",
            params={"count": len(number)},
        )
    try:
        stdnum_cpr.validate(number)
    except InvalidComponent as error:
        if "not been born" in str(error):
            raise ValidationError(
                _("The birth date in the CPR number lies in the future."), code="cpr_future"
            ) from None
        raise ValidationError(
            _("The first six digits of a CPR number must be a real date (DDMMYY)."), code="cpr_date"
        ) from None
    except (InvalidFormat, InvalidLength, StdnumError):
        raise ValidationError(_("This is not a valid CPR number."), code="cpr_invalid") from None


def passes_modulus_11(value: str) -> bool:
    """The pre-2007 check digit rule; a failure earns a soft warning, never a refusal."""
    return stdnum_cpr.checksum(normalize_cpr(value)) == 0


def birth_date(value: str):
    return stdnum_cpr.get_birth_date(normalize_cpr(value))


def mask_cpr(value: str) -> str:
    number = normalize_cpr(value)
    if len(number) != 10:
        return "XXXXXX-XXXX"
    return f"{number[:6]}-XXXX"


def format_cpr(value: str) -> str:
    number = normalize_cpr(value)
    return f"{number[:6]}-{number[6:]}" if len(number) == 10 else number
