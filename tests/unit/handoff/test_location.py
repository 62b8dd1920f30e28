from __future__ import annotations

import math
from datetime import timedelta

import pytest
from pydantic import ValidationError

from handoff.location import (
    CivicAddress, ConfirmedLocation, GeoLocation, LocationMethod, check_mismatch, haversine_m,
    latest_confirmed,
)

from .fakes import T0


def address(**kw) -> CivicAddress:
    base = dict(country="us", region="ZZ", county="Sample County", city="Exampleville", street="Example",
                street_suffix="Street", house_number="123", unit="4B", floor="2", postal_code="00000",
                landmark="Blue door next to the bakery")
    return CivicAddress(**{**base, **kw})


def geo(lat: float, lon: float, accuracy: float | None = None) -> GeoLocation:
    return GeoLocation(latitude=lat, longitude=lon, accuracy_m=accuracy, method=LocationMethod.WIFI, observed_at=T0)


def confirmed(coords: GeoLocation | None, at=T0) -> ConfirmedLocation:
    return ConfirmedLocation(location_id="loc_1", client_id="client_1", address=address(), coordinates=coords,
                             confirmed_at=at, confirmed_by="client_1")


def test_civic_address_maps_to_rfc5139_elements_in_schema_order():
    assert address().rfc5139_elements() == [
        ("country", "US"), ("A1", "ZZ"), ("A2", "Sample County"), ("A3", "Exampleville"), ("RD", "Example"),
        ("STS", "Street"), ("HNO", "123"), ("LMK", "Blue door next to the bakery"), ("FLR", "2"),
        ("PC", "00000"), ("UNIT", "4B"),
    ]


def test_civic_values_are_tokens_and_blanks_are_dropped():
    a = address(street="  Example   Long  ", landmark="   ", unit=None)
    assert a.street == "Example Long" and a.landmark is None
    assert ("UNIT", "4B") not in a.rfc5139_elements()
    assert "123 Example Long Street" in a.one_line()


@pytest.mark.parametrize("country", ["USA", "1A", ""])
def test_country_is_two_letters(country):
    with pytest.raises(ValidationError):
        address(country=country)


@pytest.mark.parametrize("lat,lon", [(91, 0), (0, 181), (math.nan, 0), (0, math.inf)])
def test_coordinates_must_be_on_earth(lat, lon):
    with pytest.raises(ValidationError):
        geo(lat, lon)


def test_haversine_known_distances():
    assert haversine_m(0, 0, 0, 0) == 0
    one_degree = 2 * math.pi * 6_371_008.8 / 360
    assert haversine_m(0, 0, 0, 1) == pytest.approx(one_degree, rel=1e-9)
    assert haversine_m(0, 0, 1, 0) == pytest.approx(one_degree, rel=1e-9)
    # antipodes: half the circumference (haversine is ill-conditioned there: metre-level error)
    assert haversine_m(10, 20, -10, -160) == pytest.approx(math.pi * 6_371_008.8, rel=1e-7)
    assert haversine_m(51.5, -0.12, 48.85, 2.35) == pytest.approx(haversine_m(48.85, 2.35, 51.5, -0.12))
    # London to Paris is about 343 km
    assert haversine_m(51.5074, -0.1278, 48.8566, 2.3522) == pytest.approx(343_500, rel=0.01)


def test_mismatch_is_flagged_only_beyond_threshold_plus_accuracy():
    home = confirmed(geo(40.0, -75.0, accuracy=10))
    two_km_north = 40.0 + 2000 / 111_195
    near = check_mismatch(home, geo(40.001, -75.0, accuracy=20))
    assert not near.flagged and near.distance_m == pytest.approx(111, rel=0.01)
    far = check_mismatch(home, geo(two_km_north, -75.0, accuracy=50), threshold_m=500)
    assert far.flagged and far.distance_m == pytest.approx(2000, rel=0.001) and far.uncertainty_m == 60
    fuzzy = check_mismatch(home, geo(two_km_north, -75.0, accuracy=1600), threshold_m=500)
    assert not fuzzy.flagged  # the browser is too unsure to say the client moved
    assert "2,000 m" in far.reason


def test_mismatch_without_geocoded_address_is_inconclusive():
    result = check_mismatch(confirmed(None), geo(40, -75))
    assert result.inconclusive and not result.flagged


def test_latest_confirmed_location():
    a = confirmed(None, at=T0)
    b = confirmed(None, at=T0 + timedelta(days=1))
    assert latest_confirmed([b, a]) == b
    assert latest_confirmed([a, b], at=T0 + timedelta(hours=1)) == a
    assert latest_confirmed([]) is None
