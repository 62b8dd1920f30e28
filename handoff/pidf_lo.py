"""PIDF-LO rendering of a responder packet.

The document is an RFC 3863 ``presence`` whose tuples each carry one RFC 4119 ``gp:geopriv``:

* tuple ``loc-civic``: the confirmed RFC 5139 ``ca:civicAddress`` (method ``Manual``), with the
  client's callback number as the tuple ``contact`` when callbacks are covered;
* tuple ``loc-geo``: the device position as an RFC 5491 shape in WGS-84
  (``urn:ogc:def:crs:EPSG::4326``): a ``gml:Point`` when no accuracy is known, otherwise a
  ``gs:Circle`` whose ``gs:radius`` is the accuracy in metres (``urn:ogc:def:uom:EPSG::9001``).

Civic and geodetic locations go in separate tuples because they come from different methods
at different times and may disagree (that is what the mismatch check looks for); RFC 5491 asks
that locations sharing one ``location-info`` describe the same place, and ``method`` applies to
the whole ``geopriv``. Every ``usage-rules`` says ``retransmission-allowed`` false and carries the
packet's ``retention-expiry``. Situation, other callback numbers and lethal-means notes, when
covered, are presence ``note`` elements, and so is the 42 CFR part 2 notice against redisclosure when
the packet carries substance-use information. Nothing the basis did not cover is in the packet, so
nothing uncovered can reach the XML.

Built with :mod:`xml.etree.ElementTree`, which escapes text and attributes; characters XML 1.0
cannot carry at all (most control characters) are removed first.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import datetime, timezone

from .consent import DisclosureCategory
from .location import GeoLocation
from .responder_packet import CallbackRole, ResponderPacket
from .values import Value, tel_uri

PIDF = "urn:ietf:params:xml:ns:pidf"
GP = "urn:ietf:params:xml:ns:pidf:geopriv10"
GBP = "urn:ietf:params:xml:ns:pidf:geopriv10:basicPolicy"
CA = "urn:ietf:params:xml:ns:pidf:geopriv10:civicAddr"
GML = "http://www.opengis.net/gml"
GS = "http://www.opengis.net/pidflo/1.0"
XML = "http://www.w3.org/XML/1998/namespace"
WGS84_2D = "urn:ogc:def:crs:EPSG::4326"
METRE = "urn:ogc:def:uom:EPSG::9001"
PROVIDED_BY_NS = "https://steadyline.invalid/ns/provided-by"

_PREFIXES = {"gp": GP, "gbp": GBP, "ca": CA, "gml": GML, "gs": GS, "sl": PROVIDED_BY_NS}
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


class ProvidedBy(Value):
    """Who supplies the location (RFC 4119 ``provided-by``): the program."""

    name: str
    namespace: str = PROVIDED_BY_NS


def _q(ns: str, tag: str) -> str:
    return f"{{{ns}}}{tag}"


def xml_text(value: str) -> str:
    """Text safe for XML 1.0: characters XML cannot carry are dropped (escaping is done by
    ElementTree when serialising)."""
    return _NOT_XML.sub("", value)


def _sub(parent: ET.Element, ns: str, tag: str, text: str | None = None, **attrib: str) -> ET.Element:
    element = ET.SubElement(parent, _q(ns, tag), attrib)
    if text is not None:
        element.text = xml_text(text)
    return element


def _timestamp(value: datetime) -> str:
    return value.astimezone(timezone.utc).isoformat(timespec="seconds").replace("+00:00", "Z")


def _number(value: float, places: int) -> str:
    text = f"{value:.{places}f}".rstrip("0").rstrip(".")
    return "0" if text in ("-0", "") else text


def _geopriv(parent: ET.Element, packet: ResponderPacket, method: str | None, provided_by: ProvidedBy | None) -> ET.Element:
    geopriv = _sub(parent, GP, "geopriv")
    info = _sub(geopriv, GP, "location-info")
    rules = _sub(geopriv, GP, "usage-rules")
    _sub(rules, GBP, "retransmission-allowed", "false")
    _sub(rules, GBP, "retention-expiry", _timestamp(packet.retention_expiry))
    if method:
        _sub(geopriv, GP, "method", method)
    if provided_by is not None:
        holder = _sub(geopriv, GP, "provided-by")
        _sub(holder, provided_by.namespace, "provider", provided_by.name)
    return info


def _civic(info: ET.Element, packet: ResponderPacket, lang: str) -> None:
    address = _sub(info, CA, "civicAddress", **{_q(XML, "lang"): lang})
    for tag, value in packet.civic.address.rfc5139_elements():
        _sub(address, CA, tag, value)


def _shape(info: ET.Element, geo: GeoLocation) -> None:
    position = f"{_number(geo.latitude, 7)} {_number(geo.longitude, 7)}"  # EPSG:4326 is lat, lon
    if geo.accuracy_m is None:
        point = _sub(info, GML, "Point", srsName=WGS84_2D)
        _sub(point, GML, "pos", position)
        return
    circle = _sub(info, GS, "Circle", srsName=WGS84_2D)
    _sub(circle, GML, "pos", position)
    _sub(circle, GS, "radius", _number(geo.accuracy_m, 1), uom=METRE)


def _tuple(root: ET.Element, tuple_id: str) -> tuple[ET.Element, ET.Element]:
    element = _sub(root, PIDF, "tuple", id=tuple_id)
    return element, _sub(element, PIDF, "status")


def _callback(packet: ResponderPacket, role: CallbackRole) -> str | None:
    return next((c.phone for c in packet.callbacks if c.role is role), None)


def _notes(root: ET.Element, packet: ResponderPacket, lang: str) -> None:
    attrib = {_q(XML, "lang"): lang}
    if packet.location_warning:
        _sub(root, PIDF, "note", f"Location warning: {packet.location_warning}", **attrib)
    if packet.situation:
        _sub(root, PIDF, "note", f"Situation (from the clinician): {packet.situation}", **attrib)
    labels = {CallbackRole.THERAPIST: "Therapist callback", CallbackRole.PROGRAM_LINE: "Program crisis line callback"}
    for role, label in labels.items():
        phone = _callback(packet, role)
        if phone:
            _sub(root, PIDF, "note", f"{label}: {tel_uri(phone)}", **attrib)
    for note in packet.lethal_means_notes:
        _sub(root, PIDF, "note", f"Means-of-harm safety note: {note}", **attrib)
    if packet.redisclosure_notice:
        _sub(root, PIDF, "note", packet.redisclosure_notice, **attrib)


def build_pidf_lo(
    packet: ResponderPacket, *, entity: str | None = None, provided_by: ProvidedBy | None = None, lang: str = "en",
) -> ET.Element:
    """The PIDF-LO document for ``packet`` as an element tree. ``entity`` defaults to a
    pseudonymous ``pres:`` URI made from the packet id (no client identifiers)."""
    root = ET.Element(_q(PIDF, "presence"), {"entity": entity or f"pres:{packet.packet_id}@steadyline.invalid"})
    if packet.civic is not None:
        element, status = _tuple(root, "loc-civic")
        info = _geopriv(status, packet, packet.civic.method.value, provided_by)
        _civic(info, packet, lang)
        client = _callback(packet, CallbackRole.CLIENT)
        if client:
            _sub(element, PIDF, "contact", tel_uri(client))
        _sub(element, PIDF, "timestamp", _timestamp(packet.civic.confirmed_at))
    if packet.geolocation is not None:
        geo = packet.geolocation
        element, status = _tuple(root, "loc-geo")
        info = _geopriv(status, packet, geo.method.value if geo.method else None, provided_by)
        _shape(info, geo)
        client = _callback(packet, CallbackRole.CLIENT)
        if client and packet.civic is None:
            _sub(element, PIDF, "contact", tel_uri(client))
        _sub(element, PIDF, "timestamp", _timestamp(geo.observed_at))
    if DisclosureCategory.LOCATION not in packet.included:
        client = _callback(packet, CallbackRole.CLIENT)
        if client:
            _sub(root, PIDF, "note", f"Client callback: {tel_uri(client)}", **{_q(XML, "lang"): lang})
    _notes(root, packet, lang)
    return root


def _pidf_as_default_namespace(root: ET.Element) -> ET.Element:
    """A copy of ``root`` whose PIDF elements are written unprefixed, under ``xmlns=PIDF``.

    ElementTree's ``default_namespace`` option refuses documents with unqualified attributes
    (``entity``, ``id``, ``srsName``...), so the PIDF namespace is declared by hand instead."""
    copy = ET.fromstring(ET.tostring(root))
    prefix = f"{{{PIDF}}}"
    for element in copy.iter():
        if element.tag.startswith(prefix):
            element.tag = element.tag[len(prefix):]
    copy.set("xmlns", PIDF)
    return copy


def to_pidf_lo(
    packet: ResponderPacket, *, entity: str | None = None, provided_by: ProvidedBy | None = None, lang: str = "en",
) -> bytes:
    """The PIDF-LO document for ``packet``, UTF-8 with an XML declaration
    (media type ``application/pidf+xml``)."""
    for prefix, uri in _PREFIXES.items():  # idempotent; only affects the prefixes chosen on output
        ET.register_namespace(prefix, uri)
    root = _pidf_as_default_namespace(build_pidf_lo(packet, entity=entity, provided_by=provided_by, lang=lang))
    ET.indent(root)
    return ET.tostring(root, encoding="utf-8", xml_declaration=True)
