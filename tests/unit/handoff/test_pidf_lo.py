from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import xmlschema

from handoff.consent import DisclosureCategory
from handoff.location import GeoLocation
from handoff.pidf_lo import CA, GBP, GML, GP, GS, PIDF, ProvidedBy, to_pidf_lo

from .fakes import T0
from .packet_data import consent_basis, override_basis, packet

SCHEMAS = Path(__file__).resolve().parents[2] / "schemas"
L, S, C, M = (DisclosureCategory.LOCATION, DisclosureCategory.SITUATION, DisclosureCategory.CALLBACK_NUMBERS,
              DisclosureCategory.LETHAL_MEANS)
NS = {"p": PIDF, "gp": GP, "gbp": GBP, "ca": CA, "gml": GML, "gs": GS}


@pytest.fixture(scope="module")
def schema() -> xmlschema.XMLSchema:
    return xmlschema.XMLSchema(str(SCHEMAS / "pidf.xsd"), locations=[
        (GP, str(SCHEMAS / "geopriv10.xsd")),
        (CA, str(SCHEMAS / "civicAddr.xsd")),
        (GS, str(SCHEMAS / "geoShape.xsd")),
        (GML, str(SCHEMAS / "gml-subset.xsd")),
    ])


def parse(document: bytes) -> ET.Element:
    return ET.fromstring(document)


def test_schemas_cover_every_namespace_we_emit(schema):
    for ns in (PIDF, GP, GBP, CA, GML, GS):
        assert ns in schema.maps.namespaces


def test_full_packet_validates_and_carries_everything(schema):
    document = to_pidf_lo(packet(consent_basis()), provided_by=ProvidedBy(name="Example Program"))
    schema.validate(document.decode())
    assert document.startswith(b"<?xml version='1.0' encoding='utf-8'?>")
    root = parse(document)
    assert root.tag == f"{{{PIDF}}}presence" and root.get("entity") == "pres:packet_1@steadyline.invalid"
    civic = root.find("p:tuple[@id='loc-civic']", NS)
    address = civic.find("p:status/gp:geopriv/gp:location-info/ca:civicAddress", NS)
    assert [(child.tag.split('}')[1], child.text) for child in address] == [
        ("country", "US"), ("A1", "ZZ"), ("A2", "Sample County"), ("A3", "Exampleville"), ("RD", "Example"),
        ("STS", "Street"), ("HNO", "123"), ("LMK", "Blue door next to the bakery"), ("FLR", "2"),
        ("PC", "00000"), ("UNIT", "4B")]
    assert civic.find("p:status/gp:geopriv/gp:method", NS).text == "Manual"
    assert civic.find("p:contact", NS).text == "tel:+15550100150"
    assert civic.find("p:timestamp", NS).text == "2026-02-28T15:00:00Z"
    geo = root.find("p:tuple[@id='loc-geo']", NS)
    circle = geo.find("p:status/gp:geopriv/gp:location-info/gs:Circle", NS)
    assert circle.get("srsName") == "urn:ogc:def:crs:EPSG::4326"
    assert circle.find("gml:pos", NS).text == "40.0012345 -75.0006789"
    radius = circle.find("gs:radius", NS)
    assert (radius.text, radius.get("uom")) == ("35.5", "urn:ogc:def:uom:EPSG::9001")
    assert geo.find("p:status/gp:geopriv/gp:method", NS).text == "802.11"
    for rules in root.iterfind(".//gp:usage-rules", NS):
        assert rules.find("gbp:retransmission-allowed", NS).text == "false"
        assert rules.find("gbp:retention-expiry", NS).text == "2026-03-03T15:00:00Z"
    provider = root.find(".//gp:provided-by", NS)
    assert provider is not None and "".join(provider.itertext()).strip() == "Example Program"
    notes = [n.text for n in root.findall("p:note", NS)]
    assert any(n.startswith("Situation") and "overdose" in n for n in notes)
    assert "Therapist callback: tel:+15550100151" in notes
    assert "Program crisis line callback: tel:+15550100152" in notes
    assert any("spare medication" in n for n in notes)


def test_point_when_accuracy_is_unknown(schema):
    exact = GeoLocation(latitude=-33.5, longitude=151.25, observed_at=T0)
    root_doc = to_pidf_lo(packet(consent_basis(), confirmed=None, geolocation=exact))
    schema.validate(root_doc.decode())
    root = parse(root_doc)
    point = root.find(".//gp:location-info/gml:Point", NS)
    assert point.get("srsName") == "urn:ogc:def:crs:EPSG::4326"
    assert point.find("gml:pos", NS).text == "-33.5 151.25"
    assert root.find(".//gs:Circle", NS) is None
    assert root.find(".//gp:method", NS) is None  # unknown method is left out, not guessed
    assert root.find("p:tuple/p:contact", NS).text == "tel:+15550100150"


@pytest.mark.parametrize("allowed", [
    frozenset({L}), frozenset({L, C}), frozenset({L, S}), frozenset({C, S}), frozenset({S, M}), frozenset({L, S, C, M}),
])
def test_document_carries_exactly_the_consented_fields(schema, allowed):
    document = to_pidf_lo(packet(consent_basis(categories=allowed)))
    schema.validate(document.decode())
    root = parse(document)
    text = document.decode()
    assert (root.find(".//ca:civicAddress", NS) is not None) == (L in allowed)
    assert (root.find(".//gs:Circle", NS) is not None) == (L in allowed)
    assert (root.find(".//p:tuple", NS) is not None) == (L in allowed)
    assert ("5550100150" in text) == (C in allowed)
    assert ("5550100151" in text) == ("5550100152" in text) == (C in allowed)
    assert ("overdose" in text) == (S in allowed)
    assert ("medication" in text) == (M in allowed)


def test_override_document_leaves_out_lethal_means(schema):
    document = to_pidf_lo(packet(override_basis()))
    schema.validate(document.decode())
    assert b"medication" not in document and b"overdose" in document


def test_hostile_text_is_escaped_and_invalid_characters_removed(schema):
    nasty = 'He said "</note><script>alert(1)</script>" & left \x00\x07\x1b the door open'
    p = packet(consent_basis(), situation=nasty)
    document = to_pidf_lo(p)
    schema.validate(document.decode())
    root = parse(document)
    situation = next(n.text for n in root.findall("p:note", NS) if n.text.startswith("Situation"))
    assert "</note><script>alert(1)</script>" in situation and "& left" in situation
    assert "\x00" not in situation and "\x1b" not in situation
    assert root.find(".//script") is None


def test_schema_rejects_what_we_must_never_emit(schema):
    bad = to_pidf_lo(packet(consent_basis())).decode()
    for before, after in [
        ("<gbp:retransmission-allowed>false<", "<gbp:retransmission-allowed>maybe<"),
        ("<ca:country>US<", "<ca:country>usa<"),
        ('uom="urn:ogc:def:uom:EPSG::9001"', ""),
        ("<gml:pos>40.0012345 -75.0006789</gml:pos>", "<gml:pos>north</gml:pos>"),
    ]:
        assert before in bad
        assert not schema.is_valid(bad.replace(before, after)), after


def test_location_warning_travels_as_a_note(schema):
    from handoff.location import check_mismatch

    from .packet_data import BROWSER, HOME

    far = BROWSER.model_copy(update={"latitude": 40.05})
    document = to_pidf_lo(packet(consent_basis(), geolocation=far, mismatch=check_mismatch(HOME, far)))
    schema.validate(document.decode())
    notes = [n.text for n in parse(document).findall("p:note", NS)]
    assert any(n.startswith("Location warning:") for n in notes)


def test_substance_use_packets_carry_the_redisclosure_notice_as_a_note(schema):
    from handoff.part2 import REDISCLOSURE_NOTICE

    marked = packet(consent_basis(), substance_use=True)
    assert marked.redisclosure_notice == REDISCLOSURE_NOTICE
    document = to_pidf_lo(marked)
    schema.validate(document.decode())
    assert REDISCLOSURE_NOTICE in [n.text for n in parse(document).findall("p:note", NS)]
    plain = packet(consent_basis())
    assert plain.redisclosure_notice is None and b"42 CFR" not in to_pidf_lo(plain)
