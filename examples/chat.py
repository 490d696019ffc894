#!/usr/bin/python3
"""A small terminal chat client for a Confab hub.

Run it in two terminals, against a hub started with scripts/start.sh (port 8765):

    /usr/bin/python3 examples/chat.py --url ws://127.0.0.1:8765/ws --name alice
    /usr/bin/python3 examples/chat.py --url ws://127.0.0.1:8765/ws --name bob

Type a line to say it in the room (default: general). Commands: /dm USER TEXT,
/status online|away|busy, /who, /rooms, /join ROOM, /quit. End of input (Ctrl-D, or the end
of a pipe) waits briefly for the hub to acknowledge what was sent, then leaves. If the hub has a
password, put it in an environment variable and name it with --password-env VAR.

Needs Debian's python3-websockets (run with /usr/bin/python3). Exit status: 0 after /quit or end
of input, 1 when the hub refuses us or closes the connection, 2 for bad arguments.
"""
import argparse
import asyncio
import datetime
import json
import os
import sys
import threading

import websockets

ERRORS = {  # error codes of docs/PROTOCOL.md, in plain words
    "bad_json": "the hub could not read that frame",
    "unknown_type": "the hub does not know that command",
    "missing_field": "something was missing",
    "bad_field": "a value was not accepted",
    "not_hello": "hello was not sent first",
    "already_hello": "hello was sent twice",
    "bad_password": "wrong hub password",
    "bad_name": "that name is not allowed",
    "name_taken": "that name is in use",
    "unsupported_protocol": "the hub speaks another protocol version",
    "no_such_room": "there is no such room",
    "not_in_room": "you are not in that room",
    "no_such_user": "that user is not connected",
    "too_large": "that is too long",
}
CLOSES = {
    1000: "connection closed", 1001: "the hub is shutting down", 1009: "message too large",
    4001: "kicked", 4002: "replaced by a newer connection of yours", 4003: "wrong hub password",
    4008: "too slow reading", 4009: "name in use", 4010: "name not allowed",
    4011: "unsupported protocol", 4012: "no hello in time", 4014: "heartbeat timeout",
}
HELP = "commands: /dm USER TEXT, /status online|away|busy, /who, /rooms, /join ROOM, /quit"


def clock(ts=None):
    """HH:MM:SS local time of a hub timestamp (ISO 8601, UTC), or of now."""
    when = datetime.datetime.now().astimezone()
    if ts:
        try:
            when = datetime.datetime.fromisoformat(ts.replace("Z", "+00:00")).astimezone()
        except ValueError:
            pass
    return when.strftime("%H:%M:%S")


def show(text, ts=None):
    print(f"[{clock(ts)}] {text}", flush=True)


def names(members):
    return ", ".join(m["user"] + ("" if m["status"] == "online" else f" ({m['status']})")
                     for m in members)


class Chat:
    def __init__(self, ws, name, room):
        self.ws, self.name, self.room = ws, name, room
        self.next_cid = 0
        self.pending = set()  # cids the hub has not acknowledged yet
        self.settled = asyncio.Event()
        self.settled.set()

    async def send(self, frame, tracked=False):
        if tracked:
            self.next_cid += 1
            frame["cid"] = self.next_cid
            self.pending.add(self.next_cid)
            self.settled.clear()
        await self.ws.send(json.dumps(frame, ensure_ascii=False))

    def settle(self, cid):
        self.pending.discard(cid)
        if not self.pending:
            self.settled.set()

    def on_frame(self, f):
        kind, ts = f.get("type"), f.get("ts")
        if kind == "message":
            show(f"#{f['room']} <{f['from']}> {f['text']}", ts)
        elif kind == "ack":
            self.settle(f.get("cid"))
        elif kind == "dm":
            where = f"(dm to {f['to']})" if f["from"] == self.name else "(dm)"  # our other device
            show(f"{where} <{f['from']}> {f['text']}", ts)
        elif kind == "multicast":
            show(f"(to {', '.join(f['to'])}) <{f['from']}> {f['text']}", ts)
        elif kind == "announcement":
            where = f" in #{f['room']}" if f.get("room") else ""
            show(f"*** announcement from {f['from']}{where}: {f['text']}", ts)
        elif kind == "joined":
            self.room = f["room"]
            topic = f" (topic: {f['topic']})" if f.get("topic") else ""
            show(f"#{f['room']} joined{topic}; {f['count']} here: {names(f['members'])}")
        elif kind == "who":
            show(f"#{f['room']} {f['count']} here: {names(f['members'])}")
        elif kind == "rooms":
            for r in f["rooms"]:
                show(f"#{r['room']} ({r['count']} members) {r.get('topic', '')}".rstrip())
        elif kind == "presence":
            show(f"* {f['user']} is {f['status']}")
        elif kind == "member_joined":
            show(f"#{f['room']} * {f['user']} joined")
        elif kind == "member_left":
            show(f"#{f['room']} * {f['user']} left")
        elif kind == "members_changed":
            joined, left = ", ".join(f["joined"]) or "nobody", ", ".join(f["left"]) or "nobody"
            show(f"#{f['room']} * joined: {joined}; left: {left}; {f['count']} here")
        elif kind == "topic":
            show(f"#{f['room']} * topic is now: {f['topic']}")
        elif kind == "left":
            show(f"#{f['room']} * you are no longer in this room")
        elif kind == "room_deleted":
            show(f"#{f['room']} * the operator deleted this room")
        elif kind == "room_created":
            show(f"#{f['room']} * new room; /join {f['room']} to enter it")
        elif kind == "kicked":
            show(f"! kicked by {f.get('by', 'the operator')}: {f.get('reason', '')}")
        elif kind == "error":
            words = ERRORS.get(f["code"], f["code"])
            show(f"! {words} ({f['code']}): {f['message']}")
            self.settle(f.get("ref"))

    async def receive(self):
        try:
            async for raw in self.ws:
                self.on_frame(json.loads(raw))
        except websockets.ConnectionClosed:
            pass  # main() reports the close code

    async def command(self, line):
        word, _, rest = line.partition(" ")
        rest = rest.strip()
        if word == "/quit":
            return False
        if word == "/dm" and " " in rest:
            to, _, text = rest.partition(" ")
            await self.send({"type": "dm", "to": to, "text": text.strip()}, tracked=True)
        elif word == "/status" and rest in ("online", "away", "busy"):
            await self.send({"type": "status", "status": rest})
        elif word == "/who":
            await self.send({"type": "who", "room": self.room})
        elif word == "/rooms":
            await self.send({"type": "rooms"})
        elif word == "/join" and rest:
            await self.send({"type": "join", "room": rest})
        elif word.startswith("/"):
            show(f"! not understood: {line}; {HELP}")
        else:
            await self.send({"type": "say", "room": self.room, "text": line}, tracked=True)
        return True


def stdin_lines(loop, queue):
    """Reads stdin in a daemon thread (works for terminals, pipes and files); None at EOF."""
    def run():
        for line in sys.stdin:
            loop.call_soon_threadsafe(queue.put_nowait, line.rstrip("\r\n"))
        loop.call_soon_threadsafe(queue.put_nowait, None)
    threading.Thread(target=run, daemon=True).start()


async def main(args):
    hello = {"type": "hello", "user": args.name, "protocol": 1}
    if args.password_env:
        hello["password"] = os.environ[args.password_env]
    try:
        ws = await websockets.connect(args.url, open_timeout=10)
    except websockets.InvalidURI:
        print(f"chat.py: {args.url} is not a WebSocket URL; use ws://HOST:PORT/ws", file=sys.stderr)
        return 2
    except (OSError, asyncio.TimeoutError, websockets.InvalidHandshake) as e:
        sys.exit(f"chat.py: cannot connect to {args.url}: {e}")

    await ws.send(json.dumps(hello))
    try:
        first = json.loads(await asyncio.wait_for(ws.recv(), 10))
    except (websockets.ConnectionClosed, asyncio.TimeoutError):
        first = {}
    if first.get("type") != "welcome":
        code = first.get("code", "no welcome")
        await asyncio.wait_for(ws.wait_closed(), 10)
        print(f"chat.py: the hub refused {args.name}: {ERRORS.get(code, code)} ({code}): "
              f"{first.get('message', '')} (close code {ws.close_code})", file=sys.stderr)
        return 1
    chat = Chat(ws, first["user"], args.room)
    show(f"connected as {chat.name}; {HELP}")
    await chat.send({"type": "join", "room": args.room})

    lines = asyncio.Queue()
    stdin_lines(asyncio.get_running_loop(), lines)
    receiver = asyncio.create_task(chat.receive())
    while True:
        reader = asyncio.create_task(lines.get())
        await asyncio.wait({reader, receiver}, return_when=asyncio.FIRST_COMPLETED)
        if receiver.done():  # the hub closed the connection
            reader.cancel()
            words = CLOSES.get(ws.close_code, "closed")
            reason = ws.close_reason if ws.close_code not in (1000, 1001) else ""  # said already
            show(f"! disconnected: {words} (code {ws.close_code}) {reason}".rstrip())
            return 1
        line = reader.result()
        if line is None:
            break
        try:
            if line.strip() and not await chat.command(line):
                break
        except websockets.ConnectionClosed:
            pass  # the receiver reports it on the next turn
    settled = asyncio.create_task(chat.settled.wait())  # give the hub a moment to acknowledge
    await asyncio.wait({settled, receiver}, timeout=3, return_when=asyncio.FIRST_COMPLETED)
    settled.cancel()
    if chat.pending:
        show(f"! {len(chat.pending)} of your messages were not acknowledged")
    await ws.close()
    receiver.cancel()
    return 0


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description="Terminal chat client for a Confab hub.")
    parser.add_argument("--url", default="ws://127.0.0.1:8765/ws", help="hub WebSocket URL")
    parser.add_argument("--name", required=True, help="your user name")
    parser.add_argument("--room", default="general", help="room to join (default: general)")
    parser.add_argument("--password-env", metavar="VAR", help="variable holding the hub password")
    arguments = parser.parse_args()
    if arguments.password_env and not os.environ.get(arguments.password_env):
        parser.error(f"environment variable {arguments.password_env} is not set")
    try:
        sys.exit(asyncio.run(main(arguments)))
    except KeyboardInterrupt:
        sys.exit(0)
