"""The `microdegree` command: verify, keygen, sign.

Errors are one line on stderr and a non-zero exit, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from microdegree.vc import did as did_mod
from microdegree.vc import proofs
from microdegree.vc.errors import VcError
from microdegree.vc.extract import ExtractError, extract, verify_extracted
from microdegree.vc.fetch import SafeFetcher
from microdegree.vc.keys import Ed25519Key, load_keyfile
from microdegree.vc.registry import IssuerRegistry, StaticRegistry
from microdegree.vc.report import Outcome, Report

EXIT_OK = 0
EXIT_INVALID = 1
EXIT_USAGE = 2

_MARKS = {Outcome.PASS: "ok  ", Outcome.WARN: "warn", Outcome.FAIL: "FAIL", Outcome.SKIP: "skip"}


class CliError(Exception):
    """A problem with the command line or an input file, reported as one line."""


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    try:
        result: int = args.handler(args)
    except CliError as exc:
        print(f"microdegree: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except VcError as exc:
        print(f"microdegree: error: {exc.message} ({exc.code})", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        return 130
    return result


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="microdegree",
        description="Build, sign and verify Open Badges 3.0 / W3C Verifiable Credentials.",
    )
    sub = parser.add_subparsers(dest="command", required=True)

    p_verify = sub.add_parser("verify", help="verify credentials or presentations")
    p_verify.add_argument("files", nargs="+", type=Path, metavar="FILE")
    p_verify.add_argument("--json", action="store_true", help="print the reports as JSON")
    p_verify.add_argument(
        "--registry",
        type=Path,
        action="append",
        default=[],
        help="a JSON list of trusted issuer DIDs (repeatable)",
    )
    p_verify.add_argument(
        "--did-document",
        type=Path,
        action="append",
        default=[],
        help="a DID or controller document to use instead of fetching it",
    )
    p_verify.add_argument(
        "--offline",
        action="store_true",
        help="never fetch: did:web and status lists are then unresolvable",
    )
    p_verify.add_argument(
        "--allow-private",
        action="store_true",
        help="allow fetching from private and loopback addresses (testing)",
    )
    p_verify.add_argument(
        "--allow-http",
        action="append",
        default=[],
        metavar="HOST[:PORT]",
        help="fetch from this loopback host over plain http, did:web included (a local demo, "
        "e.g. localhost:8000); every other host still needs https and a public address",
    )
    p_verify.add_argument("--now", help="verify as of this date-time (ISO 8601 with zone)")
    p_verify.add_argument("--challenge", help="required presentation challenge")
    p_verify.add_argument("--domain", help="required presentation domain")
    p_verify.add_argument("--recipient", help="email or DID the credential must be issued to")
    p_verify.add_argument(
        "--strict",
        action="store_true",
        help="treat 'issuer unknown' (and any other warning code the core makes fatal) as a "
        "failure",
    )
    p_verify.add_argument(
        "--accept-unknown-status",
        action="store_true",
        help="accept a credential whose status cannot be determined (status list unreachable "
        "or invalid, --offline, an unsupported status method) as verified, with a warning; by "
        "default that is a failure",
    )
    p_verify.set_defaults(handler=_cmd_verify)

    p_keygen = sub.add_parser("keygen", help="generate an Ed25519 Multikey key file")
    p_keygen.add_argument("--controller", help="controller DID (default: the key's did:key)")
    p_keygen.add_argument("--id", dest="key_id", help="verification method id")
    p_keygen.add_argument("-o", "--output", type=Path, help="write here (mode 600), else stdout")
    p_keygen.set_defaults(handler=_cmd_keygen)

    p_sign = sub.add_parser("sign", help="add a Data Integrity proof to a credential")
    p_sign.add_argument("file", type=Path, metavar="FILE")
    p_sign.add_argument("--key", type=Path, required=True, metavar="KEYFILE")
    p_sign.add_argument(
        "--suite", default="eddsa-rdfc-2022", choices=["eddsa-rdfc-2022", "eddsa-jcs-2022"]
    )
    p_sign.add_argument("--created", help="proof creation time (default: now)")
    p_sign.add_argument(
        "--purpose", default="assertionMethod", choices=["assertionMethod", "authentication"]
    )
    p_sign.add_argument("--challenge")
    p_sign.add_argument("--domain")
    p_sign.add_argument("-o", "--output", type=Path, help="write here, else stdout")
    p_sign.set_defaults(handler=_cmd_sign)
    return parser


# --- verify ---------------------------------------------------------------------------------


def _read_json(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
    except UnicodeDecodeError as exc:
        raise CliError(f"{path} is not UTF-8 text") from exc
    try:
        return json.loads(text)
    except ValueError as exc:
        raise CliError(f"{path} is not valid JSON: {exc}") from exc


def _resolver(args: argparse.Namespace) -> did_mod.Resolver:
    pinned: dict[str, dict[str, Any]] = {}
    for path in args.did_document:
        doc = _read_json(path)
        if not isinstance(doc, dict) or not isinstance(doc.get("id"), str):
            raise CliError(f"{path} is not a DID document with an id")
        pinned[doc["id"]] = doc
    chain: list[did_mod.Resolver] = []
    if pinned:
        chain.append(did_mod.StaticResolver(pinned))
    if args.offline:
        chain.append(did_mod.KeyResolver())
    else:
        chain.append(did_mod.default_resolver(fetcher=_fetcher(args)))
    return did_mod.ChainResolver(*chain)


def _fetcher(args: argparse.Namespace) -> SafeFetcher:
    """The SSRF-safe fetcher for DID documents and status lists (`--allow-http` hosts only
    relax the scheme and the loopback rule for those hosts)."""
    try:
        return SafeFetcher(allow_private=args.allow_private, http_hosts=args.allow_http)
    except ValueError as exc:
        raise CliError(f"--allow-http: {exc}") from exc


def _registry(args: argparse.Namespace) -> IssuerRegistry:
    """The trusted lists given with --registry; without one, an empty registry, so the report
    says the issuer is not in any registry (a warning; --strict makes it a failure)."""
    if not args.registry:
        return StaticRegistry("no registry given (--registry)", [])
    from microdegree.vc.registry import ChainRegistry

    registries: list[IssuerRegistry] = []
    for path in args.registry:
        try:
            registries.append(
                StaticRegistry.from_json(f"trusted list {path.name}", _read_json(path))
            )
        except ValueError as exc:
            raise CliError(f"{path}: {exc}") from exc
    return ChainRegistry(*registries)


def _parse_now(value: str | None) -> datetime | None:
    if value is None:
        return None
    from microdegree.vc.verify import parse_datetime

    parsed = parse_datetime(value)
    if parsed is None:
        raise CliError(f"--now {value!r} is not a date-time with a time zone")
    return parsed


def _cmd_verify(args: argparse.Namespace) -> int:
    if args.offline and args.allow_http:
        raise CliError("--allow-http makes no sense with --offline (nothing is fetched)")
    resolver = _resolver(args)
    registry = _registry(args)
    fetcher = None if args.offline else _fetcher(args)
    now = _parse_now(args.now)
    # an unknown status fails (the Bitstring Status List algorithm's STATUS_RETRIEVAL_ERROR)
    # unless the user accepts it; --strict also fails an issuer no registry knows
    fatal = set() if args.accept_unknown_status else {"STATUS_UNKNOWN"}
    if args.strict:
        fatal.add("ISSUER_UNKNOWN")
    failed = False
    outputs: list[dict[str, Any]] = []
    for path in args.files:
        try:
            raw = path.read_bytes()
        except OSError as exc:
            raise CliError(f"cannot read {path}: {exc.strerror or exc}") from exc
        report = _verify_file(
            raw,
            resolver,
            now=now,
            status_fetcher=fetcher,
            registry=registry,
            challenge=args.challenge,
            domain=args.domain,
            recipient=args.recipient,
            fatal=fatal,
            accept_unknown_status=args.accept_unknown_status,
        )
        failed = failed or not report.verified
        if args.json:
            outputs.append({"file": str(path), **report.to_json()})
        else:
            _print_report(path, report, sys.stdout)
    if args.json:
        json.dump(outputs, sys.stdout, indent=2, ensure_ascii=False)
        sys.stdout.write("\n")
    return EXIT_INVALID if failed else EXIT_OK


def _verify_file(raw: bytes, resolver: did_mod.Resolver, **options: Any) -> Report:
    """Any format the web page reads (JSON, VC-JWT, baked PNG or SVG, PDF with the credential
    attached), through the core's extraction; an unreadable file is a failed `input` check."""
    try:
        extracted = extract(raw, resolver=resolver)
    except ExtractError as exc:
        report = Report()
        report.add("input", Outcome.FAIL, exc.code, exc.message)
        return report
    return verify_extracted(extracted, resolver=resolver, **options)


def _print_report(path: Path, report: Report, out: TextIO, indent: str = "") -> None:
    if not indent:
        verdict = "VERIFIED" if report.verified else "NOT VERIFIED"
        if report.verified and report.warnings:
            verdict += f" with {len(report.warnings)} warning(s)"
        out.write(f"{path}: {verdict}\n")
    label = report.document_type + (f" {report.credential_id}" if report.credential_id else "")
    out.write(f"{indent}  {label}\n")
    for check in report.checks:
        out.write(f"{indent}  [{_MARKS[check.outcome]}] {check.message} ({check.code})\n")
    for child in report.nested:
        _print_report(path, child, out, indent + "    ")


# --- keygen and sign ------------------------------------------------------------------------


def _cmd_keygen(args: argparse.Namespace) -> int:
    key = Ed25519Key.generate()
    keyfile = key.to_keyfile(controller=args.controller, key_id=args.key_id)
    text = json.dumps(keyfile, indent=2) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        _write_private(args.output, text)
        print(f"wrote {args.output} ({keyfile['id']})", file=sys.stderr)
    return EXIT_OK


def _write_private(path: Path, text: str) -> None:
    import os

    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(text)
    except OSError as exc:
        raise CliError(f"cannot write {path}: {exc.strerror or exc}") from exc


def _cmd_sign(args: argparse.Namespace) -> int:
    document = _read_json(args.file)
    if not isinstance(document, dict):
        raise CliError(f"{args.file} is not a JSON object")
    keyfile = _read_json(args.key)
    try:
        key, vm_id = load_keyfile(keyfile)
    except (KeyError, TypeError, ValueError) as exc:
        raise CliError(f"{args.key} is not a Multikey key file: {exc}") from exc
    if key.seed is None:
        raise CliError(f"{args.key} holds no secret key")
    controller = keyfile.get("controller") if isinstance(keyfile, dict) else None
    warning = proofs.signer_mismatch(document, vm_id,
                                     controller if isinstance(controller, str) else None)
    if warning:  # the proof is made, but verifiers will not bind it to the issuer
        print(f"warning: {warning}", file=sys.stderr)
    signed = proofs.sign(
        document,
        key,
        verification_method=vm_id,
        suite=args.suite,
        created=args.created,
        proof_purpose=args.purpose,
        challenge=args.challenge,
        domain=args.domain,
    )
    text = json.dumps(signed, indent=2, ensure_ascii=False) + "\n"
    if args.output is None:
        sys.stdout.write(text)
    else:
        try:
            args.output.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise CliError(f"cannot write {args.output}: {exc.strerror or exc}") from exc
    return EXIT_OK


if __name__ == "__main__":
    raise SystemExit(main())
