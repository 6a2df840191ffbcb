"""Validators for Danish identifiers, built on python-stdnum."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from stdnum import ean as stdnum_ean
from stdnum.dk import cvr as stdnum_cvr
from stdnum.exceptions import InvalidChecksum, InvalidFormat, InvalidLength
from stdnum.exceptions import ValidationError as StdnumError


def normalize_digits(value: str) -> str:
    return "".join(str(value).split()).replace("-", "")


def validate_cvr(value: str) -> None:
    """A CVR number: 8 digits with a modulus-11 check digit."""
    try:
        stdnum_cvr.validate(value)
    except InvalidLength:
        raise ValidationError(_("A CVR number has 8 digits."), code="cvr_length") from None
    except InvalidFormat:
        raise ValidationError(_("A CVR number may only contain digits."), code="cvr_format") from None
    except InvalidChecksum:
        raise ValidationError(
            _("%(value)s is not a valid CVR number: the check digit does not match."),
            code="cvr_checksum",
            params={"value": value},
        ) from None
    except StdnumError:
        raise ValidationError(_("This is not a valid CVR number."), code="cvr_invalid") from None


def validate_ean(value: str) -> None:
    """An EAN location number (GLN) as used by NemHandel: 13 digits with a GS1 check digit."""
    digits = normalize_digits(value)
    if not digits.isdigit():
        raise ValidationError(_("An EAN number may only contain digits."), code="ean_format")
    if len(digits) != 13:
        raise ValidationError(_("An EAN number has 13 digits."), code="ean_length")
    try:
        stdnum_ean.validate(digits)
    except InvalidChecksum:
        raise ValidationError(
            _("%(value)s is not a valid EAN number: the check digit does not match."),
            code="ean_checksum",
            params={"value": value},
        ) from None
    except StdnumError:
        raise ValidationError(_("This is not a valid EAN number."), code="ean_invalid") from None
