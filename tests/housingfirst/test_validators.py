import pytest
from django.core.exceptions import ValidationError

from housingfirst.validators import validate_cvr, validate_ean


@pytest.mark.parametrize("cvr", ["24124657", "10000009", "13585628"])
def test_good_cvr_numbers_pass(cvr):
    validate_cvr(cvr)


@pytest.mark.parametrize(
    ("cvr", "message"),
    [
        ("2412465", "8 cifre"),
        ("241246570", "8 cifre"),
        ("2412465A", "kun indeholde cifre"),
        ("24124658", "kontrolcifferet passer ikke"),
    ],
)
def test_bad_cvr_numbers_are_refused_with_a_reason(cvr, message):
    with pytest.raises(ValidationError, match=message):
        validate_cvr(cvr)


@pytest.mark.parametrize("ean", ["5700022628903", "5798000016095", "5790000435951"])
def test_good_ean_numbers_pass(ean):
    validate_ean(ean)


@pytest.mark.parametrize(
    ("ean", "message"),
    [
        ("570002262890", "13 cifre"),
        ("57000226289090", "13 cifre"),
        ("570002262890X", "kun indeholde cifre"),
        ("5700022628901", "kontrolcifferet passer ikke"),
    ],
)
def test_bad_ean_numbers_are_refused_with_a_reason(ean, message):
    with pytest.raises(ValidationError, match=message):
        validate_ean(ean)
