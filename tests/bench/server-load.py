#!/usr/bin/env python3
"""microcred-server under load: requests/s and latency for issue and verify at 64
connections, and the server's peak memory under hostile request bodies.

Usage: python3 tests/bench/server-load.py [--requests N] [--connections C] [--server BIN]
  Builds nothing: run `cargo build --release -p microcred-server` first (the default
  BIN is target/release/microcred-server). Starts the server on a free loopback port
  with the example university key (keys-example/) and a fresh token, prints a table,
  stops the server. Figures are printed, never asserted (not a test): see
  docs/performance.md, "microcred-server under load". Needs python3 only (standard library).

The client runs on the same machine as the server (one Python thread, asyncio) and
takes a share of the CPU: on a small machine the figures are a floor.
"""

import argparse
import asyncio
import json
import os
import shutil
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
TOKEN = "bench-token-0123456789abcdef0123456789"
MIB = 1024 * 1024


def status_of(pid, key):
    """A `/proc/PID/status` line's value in KiB (VmHWM, VmRSS)."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise SystemExit(f"no {key} for process {pid}")


def reset_peak(pid):
    """Resets VmHWM to the current RSS (Linux >= 4.0), so that each phase has its own peak."""
    try:
        Path(f"/proc/{pid}/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def request(addr, path, body, token=None):
    head = [
        f"POST {path} HTTP/1.1",
        f"Host: {addr}",
        "Content-Type: application/json",
        f"Content-Length: {len(body)}",
    ]
    if token:
        head.append(f"Authorization: Bearer {token}")
    return ("\r\n".join(head) + "\r\n\r\n").encode() + body


async def read_response(reader):
    head = await reader.readuntil(b"\r\n\r\n")
    status = int(head.split(b" ", 2)[1])
    length = 0
    for line in head.split(b"\r\n"):
        if line.lower().startswith(b"content-length:"):
            length = int(line.split(b":", 1)[1])
    body = await reader.readexactly(length)
    return status, body


async def load(host, port, payload, total, connections):
    """Sends `total` copies of `payload` over `connections` kept-alive connections;
    returns (seconds, latencies, statuses)."""
    latencies, statuses = [], {}
    remaining = [total]

    async def worker():
        reader, writer = await asyncio.open_connection(host, port)
        while remaining[0] > 0:
            remaining[0] -= 1
            start = time.perf_counter()
            writer.write(payload)
            status, _ = await read_response(reader)
            latencies.append(time.perf_counter() - start)
            statuses[status] = statuses.get(status, 0) + 1
        writer.close()

    start = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(connections)))
    return time.perf_counter() - start, latencies, statuses


async def one_shot(host, port, payload):
    """One request on its own connection (the server may refuse before reading it all)."""
    reader, writer = await asyncio.open_connection(host, port)
    try:
        writer.write(payload)
        await writer.drain()
    except ConnectionError:
        pass
    try:
        status, _ = await read_response(reader)
    except (ConnectionError, asyncio.IncompleteReadError):
        status = "reset"
    writer.close()
    return status


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(len(ordered) * p))]


def b58(data):
    alphabet = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
    n, out = int.from_bytes(data, "big"), ""
    while n:
        n, r = divmod(n, 58)
        out = alphabet[r] + out
    return out


def hostile_bodies(unsigned, limit_values):
    """1 MiB verify bodies an unauthenticated client may send, by kind."""
    wrap = lambda inner: b'{"verifiableCredential":{"a":' + inner + b"}}"
    objects = wrap(b"[" + b",".join([b"{}"] * ((MIB - 40) // 3)) + b"]")
    zeros = b"[" + b",".join([b"0"] * (limit_values - 10)) + b"]"
    zeros = b'{"verifiableCredential":{"a":' + zeros + b',"b":"'
    zeros += b"x" * (MIB - len(zeros) - 3) + b'"}}'
    # A credential whose eddsa-rdfc-2022 proof makes the server canonicalize
    # (RDF) almost max_json_values distinct values before the signature fails.
    cred = json.loads(json.dumps(unsigned))
    cred["credentialSubject"].setdefault("microCredential", {})["padding"] = "PADDING"
    vm = "did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"
    cred["proof"] = {
        "type": "DataIntegrityProof",
        "cryptosuite": "eddsa-rdfc-2022",
        "created": "2025-01-01T00:00:00Z",
        "verificationMethod": f"{vm}#{vm[8:]}",
        "proofPurpose": "assertionMethod",
        "proofValue": "z" + b58(bytes(range(1, 65))),
    }
    text = json.dumps({"verifiableCredential": cred}).encode()
    count = limit_values - 1000
    width = max(1, (MIB - len(text) - 2) // count - 3)
    items = b",".join(b'"%0*d"' % (width, i) for i in range(count))
    rdfc = text.replace(b'"PADDING"', b"[" + items + b"]")
    return [
        ("[{},{},...] (350k values, over the limit)", objects),
        (f"[0,0,...] ({limit_values - 10} values)", zeros),
        (f"rdfc credential ({count} values)", rdfc),
    ]


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--requests", type=int, default=5000)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--hostile", type=int, default=64, help="concurrent hostile bodies")
    parser.add_argument("--server", default=str(REPO / "target/release/microcred-server"))
    args = parser.parse_args()
    if not os.access(args.server, os.X_OK):
        sys.exit(f"{args.server} not found: cargo build --release -p microcred-server")

    work = Path(tempfile.mkdtemp())
    try:
        key = work / "issuer.key.json"
        shutil.copy(REPO / "keys-example/example-university.key.json", key)
        token = work / "token"
        token.write_text(TOKEN + "\n")
        for secret in (key, token):
            secret.chmod(stat.S_IRUSR | stat.S_IWUSR)
        config = work / "server.toml"
        trust = REPO / "keys-example/trust-list.json"
        config.write_text(
            f'[issuer]\nkey = "{key}"\ntoken_file = "{token}"\n[verify]\ntrust = "{trust}"\n'
            '[log]\nlevel = "warn"\n'
        )
        server = subprocess.Popen(
            [args.server, "--config", str(config), "--bind", "127.0.0.1:0"],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        try:
            line = server.stdout.readline().decode().strip()
            if not line.startswith("listening on "):
                sys.exit(f"the server did not start: {line!r}")
            host, port = line.removeprefix("listening on ").rsplit(":", 1)
            port = int(port)
            addr = f"{host}:{port}"
            await run(args, server.pid, host, port, addr)
        finally:
            server.terminate()
            server.wait()
    finally:
        shutil.rmtree(work)


async def run(args, pid, host, port, addr):
    unsigned = json.loads((REPO / "keys-example/micro-credential.unsigned.json").read_text())
    issue_body = json.dumps({"credential": unsigned}).encode()
    issue_request = request(addr, "/credentials/issue", issue_body, TOKEN)
    reader, writer = await asyncio.open_connection(host, port)
    writer.write(issue_request)
    status, signed = await read_response(reader)
    writer.close()
    if status != 201:
        sys.exit(f"issuing failed: {status} {signed[:300]!r}")
    signed = json.loads(signed)["verifiableCredential"]
    verify_body = json.dumps({"verifiableCredential": signed}).encode()
    verify_request = request(addr, "/credentials/verify", verify_body)

    cpu = (os.cpu_count() or 0)
    model = next(
        (l.split(":", 1)[1].strip() for l in Path("/proc/cpuinfo").read_text().splitlines()
         if l.startswith("model name")),
        "?",
    )
    print(f"machine: {cpu} cores, {model}; load average {os.getloadavg()[0]:.2f}")
    print(f"server: {args.server}; client: this script (asyncio, same machine)")
    print(f"limits: the defaults (docs/server.md [limits]); {args.connections} kept-alive connections")
    print()
    print(f"| {'load':<56} | {'requests':>8} | {'req/s':>7} | {'p50 ms':>7} | {'p99 ms':>7} | {'peak RSS MiB':>12} | statuses")
    print(f"|{'-' * 58}|{'-' * 10}|{'-' * 9}|{'-' * 9}|{'-' * 9}|{'-' * 14}|---------")
    can_reset = reset_peak(pid)
    for name, payload in [
        ("POST /credentials/issue (both proofs)", issue_request),
        ("POST /credentials/verify (valid credential)", verify_request),
    ]:
        reset_peak(pid)
        seconds, latencies, statuses = await load(host, port, payload, args.requests, args.connections)
        print(
            f"| {name:<56} | {args.requests:>8} | {args.requests / seconds:>7.0f} | "
            f"{percentile(latencies, 0.50) * 1000:>7.1f} | {percentile(latencies, 0.99) * 1000:>7.1f} | "
            f"{status_of(pid, 'VmHWM') / 1024:>12.0f} | {statuses}"
        )
    limit_values = 50_000  # the default [limits] max_json_values
    for name, body in hostile_bodies(unsigned, limit_values):
        assert len(body) <= MIB, (name, len(body))
        reset_peak(pid)
        payload = request(addr, "/credentials/verify", body)
        start = time.perf_counter()
        statuses = await asyncio.gather(*(one_shot(host, port, payload) for _ in range(args.hostile)))
        seconds = time.perf_counter() - start
        counts = {}
        for s in statuses:
            counts[s] = counts.get(s, 0) + 1
        print(
            f"| {args.hostile} x 1 MiB {name:<45} | {args.hostile:>8} | {args.hostile / seconds:>7.1f} | "
            f"{'':>7} | {'':>7} | {status_of(pid, 'VmHWM') / 1024:>12.0f} | {counts}"
        )
    if not can_reset:
        print("(peak RSS could not be reset between rows: each is the peak so far)")
    health = await one_shot(host, port, f"GET /healthz HTTP/1.1\r\nHost: {addr}\r\n\r\n".encode())
    print(f"afterwards: GET /healthz {health}, resident {status_of(pid, 'VmRSS') / 1024:.0f} MiB")


if __name__ == "__main__":
    asyncio.run(main())
