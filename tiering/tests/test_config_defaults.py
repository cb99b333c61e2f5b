import pytest

from tiering.domain.config import TieringConfig
from tiering.services import config_current

pytestmark = pytest.mark.django_db


def test_the_stored_defaults_are_the_domain_defaults_in_money() -> None:
    # when the first settings version is made from the shipped defaults
    version = config_current()

    # then it is exactly what `place_accounts(config=None)` uses: one set of defaults, in money
    assert version.data == TieringConfig().to_dict()
    assert version.data["badges"] == {
        "quality_volume": 1_000_000,
        "high_value_order": 200_000,
        "good_payment_max_overdue_days": 30,
        "potential_within": 0.2,
    }
