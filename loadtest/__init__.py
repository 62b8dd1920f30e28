"""``steadyline loadtest``: synthetic participants (Socket.IO signalling and aiortc media) driven against a
running Steadyline, measuring joins per second, time to the first frame, frames received and errors.

A client of the public protocol only: it imports nothing of ``server``, ``signaling``, ``media`` or
``handoff``."""
