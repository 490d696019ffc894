#!/usr/bin/python3
"""Interop: a real `confab --headless` hub driven by Python `websockets`, a client that no one
here wrote.

Each test starts its own hub on 127.0.0.1, port 0, with a temporary data directory, and stops it
by pid with SIGTERM when the test ends, whether it passed or not. The hub binary is $CONFAB_BIN
(CTest sets it). Run by hand:

    CONFAB_BIN=build/app/confab /usr/bin/python3 tests/interop/test_websockets_interop.py -v

Needs Debian's python3-websockets (10.x, asyncio API), so use /usr/bin/python3.
"""
import asyncio
import json
import os
import queue
import re
import signal
import subprocess
import tempfile
import threading
import unittest

import websockets

WAIT_S = 5  # every wait for a frame, a close or a process is bounded by this


def confab_bin():
    path = os.environ.get("CONFAB_BIN")
    if not path:
        raise RuntimeError("CONFAB_BIN is not set: point it at the built confab binary, "
                           "e.g. CONFAB_BIN=build/app/confab (CTest sets it)")
    if not os.access(path, os.X_OK):
        raise RuntimeError(f"CONFAB_BIN={path} is not an executable file")
    return path


def setUpModule():
    confab_bin()  # a missing CONFAB_BIN fails once, with the message, not in every test


class Hub:
    """One `confab --headless` process on 127.0.0.1 with a port the system picks."""

    def __init__(self, *extra_args, data_dir=None):
        """data_dir: one that outlives this hub (restart tests); by default a fresh one."""
        self.binary = confab_bin()
        self._tmp = None if data_dir else tempfile.TemporaryDirectory(prefix="confab-interop-")
        self.data_dir = data_dir or self._tmp.name
        self.log = []
        self.proc = subprocess.Popen(
            [self.binary, "--headless", "--port", "0", "--data-dir", self.data_dir,
             "--listen", "127.0.0.1", *extra_args],
            stdin=subprocess.DEVNULL, stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
            text=True)
        ports = queue.Queue()
        self._drainer = threading.Thread(target=self._drain, args=(ports,), daemon=True)
        self._drainer.start()
        try:
            self.port = ports.get(timeout=WAIT_S)
        except queue.Empty:
            self.port = None
        if self.port is None:
            self.stop()
            raise RuntimeError("the hub did not report a port; its log:\n" + "".join(self.log))
        self.url = f"ws://127.0.0.1:{self.port}/ws"

    def _drain(self, ports):
        for line in self.proc.stdout:  # keeps reading, so the hub never blocks on its log
            self.log.append(line)
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if found:
                ports.put(int(found.group(1)))
        ports.put(None)

    def terminate(self):
        if self.proc.poll() is None:
            os.kill(self.proc.pid, signal.SIGTERM)

    def stop(self):
        """SIGTERM by pid, SIGKILL if it does not go in time; returns the exit status."""
        self.terminate()
        try:
            self.proc.wait(timeout=WAIT_S * 2)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
        self._drainer.join(timeout=WAIT_S)
        self.proc.stdout.close()
        if self._tmp:
            self._tmp.cleanup()
        return self.proc.returncode

    async def ctl(self, *args):
        """Runs `confab ctl --data-dir DIR ARGS...` and returns its stdout; non-zero exit fails."""
        proc = await asyncio.create_subprocess_exec(
            self.binary, "ctl", "--data-dir", self.data_dir, *args,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        try:
            out, err = await asyncio.wait_for(proc.communicate(), WAIT_S)
        except asyncio.TimeoutError:
            proc.kill()
            await proc.wait()
            raise AssertionError(f"confab ctl {' '.join(args)} did not answer in {WAIT_S} s")
        if proc.returncode != 0:
            raise AssertionError(f"confab ctl {' '.join(args)} exited {proc.returncode}: "
                                 f"{err.decode()}")
        return out.decode()


class Client:
    """One WebSocket connection. Every frame it gets is kept in order in `frames`; expect()
    takes the first matching frame not taken yet, so checks need not follow arrival order."""

    def __init__(self, ws, label):
        self.ws, self.label = ws, label
        self.frames, self.taken = [], set()
        self.welcome = None
        self._new = asyncio.Event()
        self.closed = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def open(cls, url, label):
        ws = await asyncio.wait_for(websockets.connect(url, close_timeout=2), WAIT_S)
        return cls(ws, label)

    async def _read(self):
        try:
            async for raw in self.ws:
                self.frames.append(json.loads(raw))
                self._new.set()
        except websockets.ConnectionClosed:
            pass
        finally:
            self.closed.set()
            self._new.set()

    async def send(self, frame):
        await self.ws.send(frame if isinstance(frame, str) else json.dumps(frame))

    def _match(self, kind, fields):
        for i, frame in enumerate(self.frames):
            if i not in self.taken and frame.get("type") == kind and all(
                    frame.get(k) == v for k, v in fields.items()):
                self.taken.add(i)
                return i
        return None

    async def expect_at(self, kind, **fields):
        """Waits for a frame of type kind with these field values; returns its index."""
        async def find():
            while True:
                i = self._match(kind, fields)
                if i is not None:
                    return i
                if self.closed.is_set():
                    return None
                self._new.clear()
                await self._new.wait()
        try:
            i = await asyncio.wait_for(find(), WAIT_S)
        except asyncio.TimeoutError:
            i = None
        if i is None:
            state = f"closed with {self.ws.close_code}" if self.closed.is_set() else "open"
            raise AssertionError(f"{self.label} ({state}) got no {kind} {fields}; "
                                 f"frames: {self.frames}")
        return i

    async def expect(self, kind, **fields):
        return self.frames[await self.expect_at(kind, **fields)]

    async def sync(self):
        """A round trip: frames the hub queued before it are in `frames` afterwards."""
        await self.send({"type": "rooms"})
        await self.expect("rooms")

    def untaken(self, kind):
        return [f for i, f in enumerate(self.frames) if i not in self.taken and f["type"] == kind]

    def take_all(self):
        self.taken.update(range(len(self.frames)))

    async def close_code(self):
        """Waits for the connection to close; returns (code, reason)."""
        try:
            await asyncio.wait_for(self.closed.wait(), WAIT_S)
            await asyncio.wait_for(self.ws.wait_closed(), WAIT_S)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.label} was not closed; frames: {self.frames}")
        return self.ws.close_code, self.ws.close_reason

    async def close(self):
        await self.ws.close()
        self._reader.cancel()


class InteropTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.hub = Hub()
        self.addCleanup(self.hub.stop)  # runs last, after the clients' cleanups

    async def connect(self, user, label=None, **hello):
        """Opens a connection and says hello; returns the client once welcomed."""
        client = await Client.open(self.hub.url, label or user)
        self.addAsyncCleanup(client.close)
        await client.send({"type": "hello", "user": user, **hello})
        client.welcome = await client.expect("welcome")
        return client

    async def join(self, client, room="general"):
        await client.send({"type": "join", "room": room})
        return await client.expect("joined", room=room)

    async def cast(self):
        """alice on a laptop and a phone, bob and carol, all in general."""
        a1 = await self.connect("alice", "alice-laptop", device="laptop")
        a2 = await self.connect("alice", "alice-phone", device="phone",
                                token=a1.welcome["token"])
        self.assertEqual(a2.welcome["user"], "alice")
        self.assertEqual(a2.welcome["token"], a1.welcome["token"])
        self.assertEqual(a2.welcome["protocol"], 1)
        bob = await self.connect("bob")
        carol = await self.connect("carol")
        for client in (a1, a2, bob, carol):
            await self.join(client)
        joined = carol.frames[-1]
        self.assertEqual(joined["count"], 3)
        self.assertEqual([m["user"] for m in joined["members"]], ["alice", "bob", "carol"])
        for client in (a1, a2, bob):
            await client.expect("member_joined", room="general", user="carol")
        for client in (a1, a2, bob, carol):
            client.take_all()
        return a1, a2, bob, carol

    async def test_room_message_reaches_every_device_with_one_seq_ack_first(self):
        a1, a2, bob, carol = await self.cast()
        seq0 = a1.frames[[f["type"] for f in a1.frames].index("joined")]["seq"]
        await a1.send({"type": "say", "room": "general", "text": "hello all", "cid": "c1"})
        ack_at = await a1.expect_at("ack", cid="c1", room="general")
        seq = a1.frames[ack_at]["seq"]
        self.assertEqual(seq, seq0 + 1)
        message_at = await a1.expect_at("message", seq=seq)
        self.assertLess(ack_at, message_at, "the ack comes before the sender's own copy")
        for client in (a2, bob, carol):
            message = await client.expect("message", room="general", seq=seq)
            self.assertEqual((message["from"], message["text"]), ("alice", "hello all"))
            self.assertRegex(message["ts"], r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$")
        await bob.send({"type": "say", "room": "general", "text": "hi", "cid": 2})
        self.assertEqual((await bob.expect("ack", cid=2))["seq"], seq + 1)
        for client in (a1, a2, bob, carol):
            await client.expect("message", seq=seq + 1, text="hi", **{"from": "bob"})

    async def test_dm_reaches_all_devices_and_sender_other_devices(self):
        a1, a2, bob, carol = await self.cast()
        await bob.send({"type": "dm", "to": "alice", "text": "psst", "cid": 7})
        await bob.expect("ack", cid=7)
        for client in (a1, a2):
            dm = await client.expect("dm", to="alice", text="psst")
            self.assertEqual(dm["from"], "bob")

        await a1.send({"type": "dm", "to": "bob", "text": "yes?", "cid": "d2"})
        await a1.expect("ack", cid="d2")
        await bob.expect("dm", to="bob", text="yes?", **{"from": "alice"})
        await a2.expect("dm", to="bob", text="yes?", **{"from": "alice"})  # copy for alice
        for client in (a1, bob, carol):
            await client.sync()
        self.assertEqual(a1.untaken("dm"), [], "the sending device gets no copy")
        self.assertEqual(bob.untaken("dm"), [])
        self.assertEqual(carol.untaken("dm"), [])

        await carol.send({"type": "dm", "to": "nobody", "text": "hello?", "cid": "d3"})
        await carol.expect("error", code="no_such_user", ref="d3")

    async def test_multicast(self):
        a1, a2, bob, carol = await self.cast()
        await carol.send({"type": "multicast", "to": ["alice", "bob"], "text": "lunch?",
                          "cid": "m1"})
        await carol.expect("ack", cid="m1")
        for client in (a1, a2, bob):
            frame = await client.expect("multicast", text="lunch?", **{"from": "carol"})
            self.assertEqual(frame["to"], ["alice", "bob"])
        await a2.send({"type": "multicast", "to": ["bob", "carol"], "text": "yes"})
        for client in (a1, bob, carol):
            await client.expect("multicast", text="yes", to=["bob", "carol"])
        for client in (a2, carol):
            await client.sync()
        self.assertEqual(a2.untaken("multicast"), [])
        self.assertEqual(carol.untaken("multicast"), [])

    async def test_status_seen_on_all_devices_and_by_room_members(self):
        a1, a2, bob, carol = await self.cast()
        await a2.send({"type": "status", "status": "away"})
        for client in (a1, a2, bob, carol):
            await client.expect("presence", user="alice", status="away")
        await bob.send({"type": "who", "room": "general"})
        who = await bob.expect("who", room="general")
        self.assertIn({"user": "alice", "status": "away"}, who["members"])
        await a1.send({"type": "status", "status": "online"})
        for client in (a1, a2, bob, carol):
            await client.expect("presence", user="alice", status="online")

    async def test_operator_broadcast_reaches_everyone(self):
        a1, a2, bob, carol = await self.cast()
        dave = await self.connect("dave")  # in no room
        await self.hub.ctl("--as", "Front Desk", "broadcast", "Pizza in the kitchen")
        for client in (a1, a2, bob, carol, dave):
            frame = await client.expect("announcement", text="Pizza in the kitchen")
            self.assertEqual(frame["from"], "Front Desk")  # ctl acts under --as
            self.assertNotIn("room", frame)
        await self.hub.ctl("broadcast", "General only", "--room", "general")
        for client in (a1, a2, bob, carol):
            await client.expect("announcement", text="General only", room="general")
        await dave.sync()
        self.assertEqual(dave.untaken("announcement"), [])

    async def test_operator_kick_closes_every_device_with_4001(self):
        a1, a2, bob, carol = await self.cast()
        await self.hub.ctl("--as", "Front Desk", "kick", "alice", "--reason", "too much noise")
        for client in (a1, a2):
            kicked_at = await client.expect_at("kicked", reason="too much noise")
            self.assertEqual(client.frames[kicked_at]["by"], "Front Desk")
            self.assertEqual(await client.close_code(), (4001, "too much noise"))
            self.assertEqual(kicked_at, len(client.frames) - 1, "kicked is the last frame")
        await bob.expect("presence", user="alice", status="offline")
        await bob.expect("member_left", room="general", user="alice")
        await bob.send({"type": "say", "room": "general", "text": "quiet now", "cid": 1})
        await carol.expect("message", text="quiet now")
        self.assertEqual(bob.untaken("member_left"), [], "one member_left for two devices")
        users = json.loads(await self.hub.ctl("users", "--json"))
        self.assertEqual([u["devices"] for u in users if u["user"] == "alice"], [0])

    async def test_bad_input_gets_errors_and_connection_stays_usable(self):
        await self.hub.ctl("room", "create", "random")
        bob = await self.connect("bob")
        await self.join(bob)
        await bob.send("{this is not json")
        self.assertNotIn("ref", await bob.expect("error", code="bad_json"))
        await bob.send("[1, 2, 3]")
        await bob.expect("error", code="bad_json")
        await bob.send({"type": "shout", "room": "general"})
        await bob.expect("error", code="unknown_type", ref="shout")
        await bob.send({"type": "say", "room": "random", "text": "anyone?", "cid": "x1"})
        await bob.expect("error", code="not_in_room", ref="x1")
        await bob.send({"type": "say", "room": "nowhere", "text": "anyone?", "cid": "x2"})
        await bob.expect("error", code="no_such_room", ref="x2")
        await bob.send({"type": "say", "room": "general", "text": ""})
        await bob.expect("error", code="bad_field", ref="say")
        await bob.send({"type": "hello", "user": "bob"})
        await bob.expect("error", code="already_hello")
        await bob.send({"type": "say", "room": "general", "text": "still here", "cid": "x3"})
        await bob.expect("ack", cid="x3")
        await bob.expect("message", text="still here")
        self.assertFalse(bob.closed.is_set())

    async def test_name_taken_closes_with_4009(self):
        bob = await self.connect("bob")
        for hello in ({"user": "bob"}, {"user": "BOB"}, {"user": "bob", "token": "wrong"}):
            other = await Client.open(self.hub.url, "second bob")
            self.addAsyncCleanup(other.close)
            await other.send({"type": "hello", **hello})
            await other.expect("error", code="name_taken", ref="hello")
            self.assertEqual((await other.close_code())[0], 4009)
        await bob.sync()
        self.assertFalse(bob.closed.is_set())

    async def test_replaced_device_closes_old_with_4002_silently(self):
        a1, a2, bob, carol = await self.cast()
        again = await self.connect("alice", "alice-laptop-again", device="laptop",
                                   token=a1.welcome["token"])
        self.assertEqual(again.welcome["token"], a1.welcome["token"])
        joined = await again.expect("joined", room="general")  # the rooms come along
        self.assertEqual(joined["count"], 3)
        self.assertEqual((await a1.close_code())[0], 4002)
        await again.send({"type": "say", "room": "general", "text": "back", "cid": "r1"})
        await again.expect("ack", cid="r1")
        for client in (again, a2, bob, carol):
            await client.expect("message", text="back")
        self.assertEqual(bob.untaken("member_left"), [])
        self.assertEqual(bob.untaken("member_joined"), [])
        self.assertEqual(bob.untaken("presence"), [])
        self.assertFalse(a2.closed.is_set())

    async def test_sigterm_closes_every_client_with_1001(self):
        clients = list(await self.cast())
        silent = await Client.open(self.hub.url, "no hello yet")
        self.addAsyncCleanup(silent.close)
        clients.append(silent)
        self.hub.terminate()
        for client in clients:
            self.assertEqual((await client.close_code())[0], 1001, client.label)
        # It exits by itself; stop() would send a second SIGTERM, which ends a hub at once.
        status = await asyncio.get_running_loop().run_in_executor(
            None, lambda: self.hub.proc.wait(timeout=WAIT_S * 2))
        self.assertEqual(status, 0, "".join(self.hub.log))


if __name__ == "__main__":
    unittest.main(verbosity=2)
