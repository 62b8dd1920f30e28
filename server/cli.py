"""The ``steadyline`` command: serve, migrate, create-staff, certs, demo, init-dev, keys, audit, loadtest."""

from __future__ import annotations

import argparse
import asyncio
import gc
import getpass
import os
import secrets
import signal
import ssl
import sys
from pathlib import Path

import structlog
from aiohttp import web
from pydantic import ValidationError

from loadtest.options import add_arguments as add_loadtest_arguments
from server.access.passwords import hash_password
from server.audit.chain import InvalidAuditEntryError, InvalidCheckpointError
from server.audit.checkpoints import append_checkpoint, read_checkpoints
from server.audit.keys import (
    AuditKeyMissing,
    chain_key,
    init_audit_keys,
    legacy_chain_key,
    load_public_key,
    load_signing_key,
)
from server.audit.log import AuditLog
from server.db.engine import make_engine, make_sessionmaker, migrate
from server.db.field_keys import KeysMissing, KeySource, init_key_file, write_key_file
from server.db.key_rotation import count_with_key, reencrypt_all
from server.db.tables import StaffRole
from server.demo import create_demo, renew_demo
from server.http.dev_certs import generate_dev_certificate
from server.logging_setup import configure_logging
from server.sessions.store import Store
from server.settings import Settings

log = structlog.get_logger(__name__)


def load_settings() -> Settings:
    try:
        return Settings()
    except ValidationError as exc:
        lines = [f"  STEADYLINE_{'_'.join(str(p) for p in e['loc']).upper()}: {e['msg']}" for e in exc.errors()]
        sys.exit("Configuration is not valid:\n" + "\n".join(lines))


def cmd_init_dev(args: argparse.Namespace) -> None:
    """Write a .env with a fresh random token secret (mode 0600) unless one exists, a development
    certificate, field-encryption keys and the audit keys (each its own file, mode 0600)."""
    env = Path(".env")
    if not env.exists():
        fd = os.open(env, os.O_WRONLY | os.O_CREAT, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(f"STEADYLINE_JWT_SECRET={secrets.token_urlsafe(48)}\nSTEADYLINE_DEMO=true\n")
        print("Wrote .env with a new development secret.")
    cmd_certs(args)
    if init_key_file(Path("certs/field-keys.json")):
        print("Wrote a field-encryption key file to certs/field-keys.json (mode 0600).")
    _init_audit_keys(load_settings())


def _init_audit_keys(settings: Settings, chain_key_bytes: bytes | None = None) -> None:
    """The audit chain key and checkpoint key pair, where the settings say, unless they exist."""
    written = init_audit_keys(settings.audit_key_file, settings.audit_signing_key_file,
                              settings.audit_public_key_file, chain_key_bytes)
    for path in written:
        print(f"Wrote {path}" + (" (public)." if path == settings.audit_public_key_file else " (mode 0600)."))
    if settings.audit_key_file not in written and chain_key_bytes is not None:
        sys.exit(f"{settings.audit_key_file} already exists: not replaced.")


def cmd_keys(args: argparse.Namespace) -> None:
    settings = load_settings()
    path = settings.field_keys_file
    if args.action == "init":
        print(f"Created field-encryption key file {path}." if init_key_file(path) else f"{path} already exists.")
        return
    if settings.field_keys:
        sys.exit("Keys come from STEADYLINE_FIELD_KEYS: rotate them there, then run `steadyline keys reencrypt`.")
    keyring = key_source(settings).keyring
    if args.action == "rotate":
        keyring = keyring.generate_key()
        write_key_file(path, keyring)
        print(f"Added key {keyring.active.kid} (now active) to {path}; re-encrypting…")
    if args.action in ("rotate", "reencrypt"):
        total = asyncio.run(reencrypt_all(settings.database_url, keyring, progress=_progress))
        print(f"\nRe-encrypted {total} values with key {keyring.active.kid}.")
    elif args.action == "retire":
        if not args.kid:
            sys.exit("Name the key to retire: steadyline keys retire KID")
        users = asyncio.run(count_with_key(settings.database_url, args.kid))
        if users:
            sys.exit(f"{users} values still use key {args.kid}: run `steadyline keys reencrypt` first.")
        write_key_file(path, keyring.retire(args.kid))
        print(f"Retired key {args.kid}.")


def _progress(done: int, total: int) -> None:
    width = 30
    filled = width * done // total if total else width
    print(f"\r  [{'#' * filled}{'.' * (width - filled)}] {done}/{total}", end="", file=sys.stderr, flush=True)


def cmd_certs(args: argparse.Namespace) -> None:
    cert, key = Path("certs/dev-cert.pem"), Path("certs/dev-key.pem")
    if generate_dev_certificate(cert, key):
        print(f"Wrote a self-signed development certificate to {cert} (key {key}, mode 0600).")


def key_source(settings: Settings) -> KeySource:
    try:
        return KeySource(settings.field_keys.get_secret_value() if settings.field_keys else None,
                         settings.field_keys_file)
    except KeysMissing as exc:
        sys.exit(str(exc))


async def _with_store(settings: Settings, work) -> object:
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        return await work(Store(make_sessionmaker(engine, key_source(settings))))
    finally:
        await engine.dispose()


def cmd_migrate(args: argparse.Namespace) -> None:
    settings = load_settings()
    asyncio.run(_with_store(settings, lambda store: asyncio.sleep(0)))
    print("Database is up to date.")


def cmd_create_staff(args: argparse.Namespace) -> None:
    settings = load_settings()
    password = os.environ.get("STEADYLINE_NEW_STAFF_PASSWORD") or getpass.getpass("Password: ")
    if len(password) < 12:
        sys.exit("Use a password of at least 12 characters.")

    async def work(store: Store):
        program = await store.first_program() or await store.create_program(args.program, settings.program_timezone)
        await store.create_staff(program_id=program.id, email=args.email, display_name=args.name,
                                 role=StaffRole(args.role), password_hash=hash_password(password))

    asyncio.run(_with_store(settings, work))
    print(f"Created {args.role} {args.email}.")


NEW_LINK_HINT = ("  This database already has its demo: its sign-in password was shown once, when it was made.\n"
                 "  For a fresh client link and sign-in, run:  .venv/bin/steadyline demo --new-link\n"
                 "  (or start over by deleting steadyline.db).")


def _print_demo(details) -> None:
    if details is None:
        return
    print("\n  Steadyline demo is ready.\n"
          f"  Therapist console: {details.console_url}\n"
          f"    sign in as {details.email} with password {details.password}\n"
          f"  Client join link:  {details.client_join_url}\n"
          "  (The development certificate is self-signed: accept the browser warning once.)\n", flush=True)


def cmd_demo(args: argparse.Namespace) -> None:
    settings = load_settings()
    make = renew_demo if args.new_link else create_demo
    details = asyncio.run(_with_store(settings, lambda store: make(store, settings.public_url)))
    if details is None:
        sys.exit("This database has no demo therapist: `steadyline demo` makes one on an empty database."
                 if args.new_link else NEW_LINK_HINT.strip())
    _print_demo(details)


def ssl_context(settings: Settings) -> ssl.SSLContext | None:
    if not settings.tls_enabled:
        return None
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(settings.tls_cert), str(settings.tls_key))
    return context


async def start_serving(app: web.Application, settings: Settings, port: int | None = None) -> web.AppRunner:
    """Listen on the settings' address and port (or ``port``) with their TLS; the caller cleans up the runner."""
    runner = web.AppRunner(app, handle_signals=False, shutdown_timeout=settings.drain_seconds)
    await runner.setup()
    await web.TCPSite(runner, settings.host, port or settings.port, ssl_context=ssl_context(settings)).start()
    return runner


async def stop_serving(app: web.Application, runner: web.AppRunner) -> None:
    """Staged shutdown: fail readiness, hand every socket over (told to reconnect now, then closed), stop
    accepting, drain open requests with a bound, clean up."""
    from server.app_keys import CRISIS_WATCH, DRAIN, SIGNALING

    app[DRAIN].start()
    await app[CRISIS_WATCH].close()  # no new crisis step here: the other nodes carry them out
    handed_over = await app[SIGNALING].hand_over()
    log.info("sockets_handed_over", sockets=handed_over)
    await app[SIGNALING].sio.shutdown()
    await runner.cleanup()


async def serve(settings: Settings) -> None:
    # Only serving needs the app, and importing it (the media stack) takes seconds: the other
    # commands (audit, keys, migrate) stay quick without it.
    from server.app import create_app

    demo = None
    if settings.demo:
        demo = await _with_store(settings, lambda store: create_demo(store, settings.public_url,
                                                                       settings.program_timezone))
    else:
        await _with_store(settings, lambda store: asyncio.sleep(0))
    app = create_app(settings)
    runner = await start_serving(app, settings)
    gc.freeze()  # keep the start-up heap out of every later full collection (shorter pauses)
    scheme = "https" if settings.tls_enabled else "http"
    print(f"Serving on {scheme}://{settings.host}:{settings.port} (public URL {settings.public_url}). "
          "Stop with Ctrl-C.", flush=True)
    # The newcomer's first minute: what to open is the last thing printed.
    if demo is not None:
        _print_demo(demo)
    elif settings.demo:
        print(f"\n  Therapist console: {settings.public_url}/console\n{NEW_LINK_HINT}\n", flush=True)
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, stop.set)
    await stop.wait()
    await stop_serving(app, runner)


def cmd_serve(args: argparse.Namespace) -> None:
    settings = load_settings()
    configure_logging(settings.log_level, settings.log_json)
    if settings.tls_enabled and not (Path(settings.tls_cert).exists() and Path(settings.tls_key).exists()):
        sys.exit(f"TLS certificate {settings.tls_cert} not found: run `steadyline certs` "
                 "or set STEADYLINE_TLS_CERT and STEADYLINE_TLS_KEY (empty to serve plain HTTP).")
    asyncio.run(serve(settings))


def cmd_audit(args: argparse.Namespace) -> None:
    settings = load_settings()
    if args.action == "init-keys":
        legacy = legacy_chain_key(settings.jwt_secret.get_secret_value()) if args.from_token_secret else None
        _init_audit_keys(settings, legacy)
        return
    try:
        secret = chain_key(settings.audit_secret.get_secret_value() if settings.audit_secret else None,
                           settings.audit_key_file)
        signing_key = load_signing_key(settings.audit_signing_key_file) if args.action == "checkpoint" else None
    except AuditKeyMissing as exc:
        sys.exit(str(exc))
    sys.exit(asyncio.run(_audit(settings, args, secret, signing_key)))


async def _audit(settings: Settings, args: argparse.Namespace, secret: bytes, signing_key) -> int:
    engine = make_engine(settings.database_url)
    try:
        await migrate(engine)
        audit = AuditLog(make_sessionmaker(engine), secret, signing_key)
        if args.action == "checkpoint":
            checkpoint = await audit.checkpoint()
            append_checkpoint(settings.audit_checkpoint_file, checkpoint)
            print(f"Checkpoint at record {checkpoint.sequence} written to {settings.audit_checkpoint_file}.")
            return 0
        return await _audit_verify(settings, args, audit)
    finally:
        await engine.dispose()


async def _audit_verify(settings: Settings, args: argparse.Namespace, audit: AuditLog) -> int:
    try:
        found = read_checkpoints(settings.audit_checkpoint_file)
        public_key = load_public_key(args.public_key or settings.audit_public_key_file) if found.checkpoints else None
        result = await audit.verify(found.checkpoints, public_key)
    except (AuditKeyMissing, InvalidCheckpointError, InvalidAuditEntryError) as exc:
        print(f"Audit checkpoints NOT TRUSTED ({settings.audit_checkpoint_file}): {exc}")
        return 1
    if found.legacy:
        print(f"Note: {found.legacy} checkpoint(s) in the old HMAC format were not checked (no public key "
              "can check them).")
    if result.ok:
        against = (f", consistent with {len(found.checkpoints)} signed checkpoint(s) up to record "
                   f"{found.checkpoints[-1].sequence}" if found.checkpoints else ", no checkpoints to check")
        print(f"Audit trail intact: {result.checked} records{against}.")
        return 0
    broken = result.broken
    print(f"Audit trail BROKEN at record index {broken.index} (sequence {broken.sequence}): "
          f"{broken.reason.value} — {broken.detail}")
    return 1


def _add_audit_parser(sub) -> None:
    audit = sub.add_parser("audit", help="verify the audit trail, write a signed checkpoint, or create the "
                                          "audit keys")
    audit.add_argument("action", choices=["verify", "checkpoint", "init-keys"])
    audit.add_argument("--public-key", type=Path, help="verify: the Ed25519 public key checking the checkpoints "
                                                       "(default STEADYLINE_AUDIT_PUBLIC_KEY_FILE)")
    audit.add_argument("--from-token-secret", action="store_true",
                       help="init-keys: write the chain key older versions derived from the token secret, so a "
                            "trail sealed with it stays verifiable")
    audit.set_defaults(func=cmd_audit)


def cmd_loadtest(args: argparse.Namespace) -> None:
    from loadtest.command import run_command  # aiortc and the Socket.IO client: loaded for this command only

    sys.exit(run_command(args))


def _add_loadtest_parser(sub) -> None:
    loadtest = sub.add_parser("loadtest", help="drive synthetic participants (signalling and media) against a "
                                               "running server and print joins/s, first-frame times, fps, errors")
    add_loadtest_arguments(loadtest)
    loadtest.set_defaults(func=cmd_loadtest)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(prog="steadyline", description="Steadyline video session server")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("serve", help="run the server").set_defaults(func=cmd_serve)
    sub.add_parser("migrate", help="bring the database schema up to date").set_defaults(func=cmd_migrate)
    sub.add_parser("certs", help="make a self-signed development certificate").set_defaults(func=cmd_certs)
    sub.add_parser("init-dev", help="write .env with a dev secret and make certificates").set_defaults(func=cmd_init_dev)
    demo = sub.add_parser("demo", help="create demo data on a fresh database")
    demo.add_argument("--new-link", action="store_true",
                      help="on a database with the demo: a new sign-in password and a new client link")
    demo.set_defaults(func=cmd_demo)
    staff = sub.add_parser("create-staff", help="create a therapist or admin account")
    staff.add_argument("--email", required=True)
    staff.add_argument("--name", required=True)
    staff.add_argument("--role", choices=[r.value for r in StaffRole], default="therapist")
    staff.add_argument("--program", default="Treatment Program")
    staff.set_defaults(func=cmd_create_staff)
    keys = sub.add_parser("keys", help="field-encryption keys: init, rotate, reencrypt, retire KID")
    keys.add_argument("action", choices=["init", "rotate", "reencrypt", "retire"])
    keys.add_argument("kid", nargs="?")
    keys.set_defaults(func=cmd_keys)
    _add_audit_parser(sub)
    _add_loadtest_parser(sub)
    args = parser.parse_args(argv)
    args.func(args)
