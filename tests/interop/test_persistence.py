"""Durability of the real `confab --headless` binary, driven by Python `websockets`.

The promise under test: a room message is on disk before anyone sees it, so `kill -9` of the
hub loses no message that was acked or delivered, and no seq is ever handed out twice. Each
test starts its own hub on 127.0.0.1, port 0, in a temporary data directory, kills it with
SIGKILL, starts a second hub on the same directory and reads back what the first one accepted.
"""

import asyncio
import json
import os
import signal
import tempfile
import unittest

from test_websockets_interop import WAIT_S, Client, Hub, setUpModule  # noqa: F401

SENT = 400  # messages pipelined at the first hub; it is killed part way through


class PersistenceTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self._dir = tempfile.TemporaryDirectory(prefix="confab-persist-")
        self.addCleanup(self._dir.cleanup)
        self.data_dir = self._dir.name

    def start(self):
        hub = Hub(data_dir=self.data_dir)
        self.addCleanup(hub.stop)
        return hub

    async def connect(self, hub, user, **hello):
        client = await Client.open(hub.url, user)
        self.addAsyncCleanup(client.close)
        await client.send({"type": "hello", "user": user, **hello})
        client.welcome = await client.expect("welcome")
        return client

    async def until_offline(self, hub, user):
        """Waits, boundedly, until the hub has seen the user's last device go."""
        for _ in range(int(WAIT_S / 0.05)):
            users = json.loads(await hub.ctl("users", "--json"))
            if all(u["devices"] == 0 for u in users if u["user"] == user):
                return
            await asyncio.sleep(0.05)
        self.fail(f"the hub still shows {user} online after {WAIT_S} s")

    async def all_history(self, client, room="general"):
        """Every kept message of the room, oldest first, paged with `history {after}`."""
        messages, after = [], 0
        while True:
            await client.send({"type": "history", "room": room, "after": after, "limit": 200})
            page = await client.expect("history", room=room)
            messages += page["messages"]
            if not page["more"]:
                return messages, page["epoch"]
            after = messages[-1]["seq"]

    async def test_kill_9_loses_no_acked_or_delivered_message(self):
        hub = self.start()
        alice = await self.connect(hub, "alice", device="laptop")
        bob = await self.connect(hub, "bob")
        for client in (alice, bob):
            await client.send({"type": "join", "room": "general"})
        epoch = (await alice.expect("joined", room="general"))["epoch"]
        await bob.expect("joined", room="general")

        for i in range(SENT):
            await alice.send({"type": "say", "room": "general", "text": f"msg {i}", "cid": i})

        # Kill the hub part way through the acks, while messages are still in flight.
        async def acks_reach(count):
            while sum(1 for f in alice.frames if f["type"] == "ack") < count:
                alice._new.clear()
                await asyncio.wait_for(alice._new.wait(), WAIT_S)
        await acks_reach(SENT // 3)
        os.kill(hub.proc.pid, signal.SIGKILL)
        hub.proc.wait(timeout=WAIT_S)
        await asyncio.wait_for(alice.closed.wait(), WAIT_S)
        await asyncio.wait_for(bob.closed.wait(), WAIT_S)

        acked = {f["cid"]: f["seq"] for f in alice.frames if f["type"] == "ack"}
        delivered = {f["seq"]: f["text"] for f in bob.frames if f["type"] == "message"}
        self.assertGreaterEqual(len(acked), SENT // 3)

        again = self.start()
        back = await self.connect(again, "alice", device="laptop", token=alice.welcome["token"])
        await back.send({"type": "join", "room": "general"})
        joined = await back.expect("joined", room="general")
        self.assertEqual(joined["epoch"], epoch, "a restart is not a lost history")

        kept, history_epoch = await self.all_history(back)
        self.assertEqual(history_epoch, epoch)
        by_seq = {m["seq"]: m["text"] for m in kept}
        self.assertEqual(sorted(by_seq), list(range(1, len(kept) + 1)), "seqs have a gap")
        self.assertEqual(joined["seq"], len(kept))
        for cid, seq in acked.items():
            self.assertEqual(by_seq.get(seq), f"msg {cid}", f"acked seq {seq} was lost")
        for seq, text in delivered.items():
            self.assertEqual(by_seq.get(seq), text, f"delivered seq {seq} was lost")

        # Numbering goes on from the last kept message: no seq is handed out twice.
        await back.send({"type": "say", "room": "general", "text": "after", "cid": "next"})
        ack = await back.expect("ack", cid="next")
        self.assertEqual(ack["seq"], len(kept) + 1)
        self.assertGreater(ack["seq"], max(acked.values()))

    async def test_recovery_after_restart_sends_exactly_what_was_missed(self):
        hub = self.start()
        alice = await self.connect(hub, "alice")
        bob = await self.connect(hub, "bob")
        for client in (alice, bob):
            await client.send({"type": "join", "room": "general"})
        epoch = (await bob.expect("joined", room="general"))["epoch"]
        for i in range(5):
            await alice.send({"type": "say", "room": "general", "text": f"seen {i}", "cid": i})
        for i in range(5):
            await bob.expect("message", seq=i + 1)
        last_seen = 5
        await bob.close()

        for i in range(5, 9):
            await alice.send({"type": "say", "room": "general", "text": f"missed {i}", "cid": i})
            await alice.expect("ack", cid=i)
        os.kill(hub.proc.pid, signal.SIGKILL)
        hub.proc.wait(timeout=WAIT_S)

        again = self.start()
        back = await self.connect(again, "bob", token=bob.welcome["token"])
        await back.send({"type": "join", "room": "general",
                         "since": {"seq": last_seen, "epoch": epoch}})
        recovery = await back.expect("recovery", room="general")
        self.assertTrue(recovery["ok"], recovery)
        self.assertEqual([(m["seq"], m["text"]) for m in recovery["messages"]],
                         [(i + 1, f"missed {i}") for i in range(5, 9)])

    async def test_dm_to_offline_user_survives_kill_9(self):
        hub = self.start()
        carol = await self.connect(hub, "carol")
        token = carol.welcome["token"]
        await carol.close()
        alice = await self.connect(hub, "alice")
        await self.until_offline(hub, "carol")
        await alice.send({"type": "dm", "to": "carol", "text": "call me", "cid": "d1"})
        ack = await alice.expect("ack", cid="d1")
        self.assertEqual(ack.get("stored"), ["carol"])
        # The ack comes only once the dm is on disk, so the kill may follow it at once.
        os.kill(hub.proc.pid, signal.SIGKILL)
        hub.proc.wait(timeout=WAIT_S)

        again = self.start()
        back = await self.connect(again, "carol", token=token)
        dm = await back.expect("dm")
        self.assertEqual((dm["from"], dm["text"], dm.get("stored")), ("alice", "call me", True))


if __name__ == "__main__":
    unittest.main()
