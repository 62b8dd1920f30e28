"""Steadyline handoff package: the domain logic of a crisis.

Pure state and rules plus a store port (:class:`handoff.crisis.CrisisStore`); it imports
nothing of aiohttp, Socket.IO, aiortc, SQLAlchemy or the ``server``/``signaling``/``media``
packages (``tests/unit/handoff/test_import_boundary.py`` keeps that true).

Modules, one concept each:

* ``values`` - UTC timestamps, the clock port, phone numbers and email addresses
* ``errors`` - named errors, each with a stable ``code``
* ``plan_template`` / ``safety_plan`` - templates, versioned safety plans, contacts with stable ids
* ``consent`` - consent ledger, ``check``, ``emergency_override``
* ``location`` - RFC 5139 civic address, geolocation, haversine, mismatch check
* ``resources`` - local crisis-resource directory, CSV import, nearest-N
* ``roster`` - on-call roster with backups
* ``crisis_state`` / ``crisis`` - the lifecycle table and the one place that applies it
* ``lost_contact`` - reconnect-window and therapist-dropped rules
* ``follow_up`` - the follow-up plan made at close
* ``responder_packet`` / ``pidf_lo`` - minimum-necessary packet as JSON and PIDF-LO XML

Import from the modules themselves (``from handoff.crisis import apply_transition``); this
package module deliberately re-exports nothing, so importing it stays cheap.
"""
