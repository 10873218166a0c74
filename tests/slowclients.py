#!/usr/bin/env python3
"""Slow clients against a running `ponte serve` on loopback (issue 17; tests/reliability.sh).

    python3 tests/slowclients.py PORT SECONDS [TIMEOUT]

- Slowloris: HEADERS connections from 127.0.0.2 send a request's headers a byte at a time
  (a byte every 0.5 s, never finishing within the run).
- Slow bodies: BODIES connections from 127.0.0.3 declare a 4,000-byte login form and send
  it a byte every 0.5 s.
- Meanwhile a well-behaved client from 127.0.0.1 asks for /healthz and /login one after the
  other: every answer must be 200, the slowest within MAX_S seconds.
- A stalled client (127.0.0.4) sends half a request line and nothing more: the server must
  close it after its inactivity timeout (TIMEOUT, 30 s in `ponte serve`), within 10 s of it.
  Only when TIMEOUT is given (the long form); it takes that long.
- At the end the slow connections that are still open are counted: the server kept them
  (each within the per-address limit) without refusing anyone else.
Prints one RESULT line; exits 1 on a broken promise.
"""
import asyncio
import sys
import time

HEADERS, BODIES, MAX_S = 200, 50, 3.0


async def drip(host, port, source, data, interval, stop):
    """Send data a byte every interval until stop; True if the server is still connected."""
    try:
        reader, writer = await asyncio.open_connection(host, port, local_addr=(source, 0))
    except OSError:
        return None
    try:
        for b in data:
            if time.monotonic() >= stop:
                break
            writer.write(bytes([b]))
            await writer.drain()
            try:
                # A closed connection reads EOF (or a 503/408 answer) at once.
                await asyncio.wait_for(reader.read(1), timeout=interval)
                return False  # answered or closed
            except asyncio.TimeoutError:
                pass
        return True
    except (ConnectionError, OSError):
        return False
    finally:
        writer.close()


async def good_client(port, stop):
    times, bad = [], []
    paths = [b"/healthz", b"/login"]
    i = 0
    while time.monotonic() < stop:
        path = paths[i % 2]
        i += 1
        t0 = time.monotonic()
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port)
            writer.write(b"GET " + path + b" HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n")
            await writer.drain()
            answer = await asyncio.wait_for(reader.read(), timeout=30)
            writer.close()
            status = answer.split(b" ", 2)[1] if answer.startswith(b"HTTP/1.1 ") else b"none"
        except (OSError, asyncio.TimeoutError) as e:
            status = str(e).encode()
        times.append(time.monotonic() - t0)
        if status != b"200":
            bad.append((path.decode(), status.decode(errors="replace")))
        await asyncio.sleep(0.05)
    return times, bad


async def stalled(port, timeout):
    """Seconds until the server closes a connection that stopped mid request line."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.4", 0))
    writer.write(b"GET /hea")
    await writer.drain()
    t0 = time.monotonic()
    try:
        await asyncio.wait_for(reader.read(), timeout=timeout + 10)
        return time.monotonic() - t0
    except asyncio.TimeoutError:
        return None
    finally:
        writer.close()


async def main():
    port, seconds = int(sys.argv[1]), float(sys.argv[2])
    timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 0
    stop = time.monotonic() + seconds
    head = b"GET / HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\nX-a: " + b"b" * 4000
    body = (b"POST /login HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/x-www-form-urlencoded\r\n"
            b"Content-Length: 4000\r\n\r\n")
    slow = [drip("127.0.0.1", port, "127.0.0.2", head, 0.5, stop) for _ in range(HEADERS)]
    # The bodies' headers go at once; then the body drips.
    async def slow_body():
        try:
            reader, writer = await asyncio.open_connection("127.0.0.1", port, local_addr=("127.0.0.3", 0))
        except OSError:
            return None
        try:
            writer.write(body)
            await writer.drain()
            while time.monotonic() < stop:
                writer.write(b"e")
                await writer.drain()
                try:
                    await asyncio.wait_for(reader.read(1), timeout=0.5)
                    return False  # answered or closed
                except asyncio.TimeoutError:
                    pass
            return True
        except (ConnectionError, OSError):
            return False
        finally:
            writer.close()
    bodies = [slow_body() for _ in range(BODIES)]
    await asyncio.sleep(1)  # let the slow ones connect first
    tasks = [good_client(port, stop)]
    if timeout:
        tasks.append(stalled(port, timeout))
    results = await asyncio.gather(*tasks, *slow, *bodies)
    times, bad = results[0]
    closed_after = results[1] if timeout else -1
    rest = results[2 if timeout else 1:]
    heads_open = sum(1 for r in rest[:HEADERS] if r)
    bodies_open = sum(1 for r in rest[HEADERS:] if r)
    times.sort()
    worst = times[-1] if times else 0
    p99 = times[int(len(times) * 0.99)] if times else 0
    print("RESULT good_requests=%d bad=%d p99_ms=%.0f max_ms=%.0f slow_headers_open=%d/%d "
          "slow_bodies_open=%d/%d stalled_closed_after_s=%s"
          % (len(times), len(bad), p99 * 1000, worst * 1000, heads_open, HEADERS, bodies_open,
             BODIES, "%.1f" % closed_after if closed_after not in (None, -1) else closed_after))
    ok = True
    if not times or bad:
        print("slow clients: the well-behaved client was refused: %s" % bad[:5], file=sys.stderr)
        ok = False
    if worst > MAX_S:
        print("slow clients: a well-behaved request took %.1f s" % worst, file=sys.stderr)
        ok = False
    if timeout and (closed_after is None or closed_after > timeout + 10):
        print("slow clients: a stalled connection was not closed by the timeout", file=sys.stderr)
        ok = False
    sys.exit(0 if ok else 1)


asyncio.run(main())
