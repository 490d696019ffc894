#!/usr/bin/python3
"""The README's two-terminal chat, on real input: a `confab --headless` hub and two
examples/chat.py processes (alice and bob) whose stdin is a pipe.

The hub binary is $CONFAB_BIN and the repository $CONFAB_SOURCE_DIR (CTest sets both; the
source directory defaults to the one holding this file). Run by hand:

    CONFAB_BIN=build/app/confab /usr/bin/python3 tests/interop/test_chat_example.py -v
"""
import asyncio
import os
import re
import subprocess
import sys
import unittest

sys.dont_write_bytecode = True  # no __pycache__ in the source tree from the import below
from test_websockets_interop import WAIT_S, Hub, confab_bin

PYTHON = "/usr/bin/python3"  # Debian's, which has python3-websockets
SOURCE_DIR = os.environ.get("CONFAB_SOURCE_DIR") or os.path.join(
    os.path.dirname(os.path.abspath(__file__)), "..", "..")
CHAT = os.path.join(SOURCE_DIR, "examples", "chat.py")
LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] ")  # every line chat.py prints starts with the time


def setUpModule():
    confab_bin()


class Chat:
    """One chat.py process; its stdout lines are kept, and expect() waits for one."""

    def __init__(self, proc, name):
        self.proc, self.name = proc, name
        self.lines, self.taken = [], 0
        self._new = asyncio.Event()
        self._reader = asyncio.create_task(self._read())

    @classmethod
    async def start(cls, url, name):
        proc = await asyncio.create_subprocess_exec(
            PYTHON, CHAT, "--url", url, "--name", name, stdin=subprocess.PIPE,
            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        return cls(proc, name)

    async def _read(self):
        async for raw in self.proc.stdout:
            self.lines.append(raw.decode().rstrip("\n"))
            self._new.set()
        self._new.set()

    async def expect(self, pattern):
        """Waits for a line, after the last one matched, that matches the regex pattern."""
        async def find():
            while True:
                for i in range(self.taken, len(self.lines)):
                    if re.search(pattern, self.lines[i]):
                        self.taken = i + 1
                        return self.lines[i]
                if self._reader.done():
                    return None
                self._new.clear()
                await self._new.wait()
        try:
            line = await asyncio.wait_for(find(), WAIT_S)
        except asyncio.TimeoutError:
            line = None
        if line is None:
            raise AssertionError(f"{self.name} printed no line matching {pattern!r}; "
                                 f"stdout: {self.lines}")
        return line

    async def type(self, text):
        self.proc.stdin.write(text.encode() + b"\n")
        await self.proc.stdin.drain()

    async def end_input(self):
        """Closes stdin, as Ctrl-D or the end of a pipe; returns (exit status, stderr)."""
        self.proc.stdin.close()
        try:
            status = await asyncio.wait_for(self.proc.wait(), WAIT_S * 2)
        except asyncio.TimeoutError:
            raise AssertionError(f"{self.name} did not exit after end of input; "
                                 f"stdout: {self.lines}")
        await asyncio.wait_for(self._reader, WAIT_S)
        err = await asyncio.wait_for(self.proc.stderr.read(), WAIT_S)
        return status, err.decode()

    async def stop(self):
        if self.proc.returncode is None:
            self.proc.kill()  # by pid; only when the test failed before end_input()
            await self.proc.wait()
        self._reader.cancel()


class ChatExampleTest(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self):
        self.hub = Hub()
        self.addCleanup(self.hub.stop)

    async def chat(self, name):
        chat = await Chat.start(self.hub.url, name)
        self.addAsyncCleanup(chat.stop)
        return chat

    async def test_two_terminals_chat_then_leave_on_eof(self):
        alice = await self.chat("alice")
        await alice.expect(r"#general joined; 1 here: alice$")
        bob = await self.chat("bob")
        await bob.expect(r"#general joined; 2 here: alice, bob$")
        await alice.expect(r"#general \* bob joined$")

        await alice.type("hello bob, from a pipe")
        line = await bob.expect(r"<alice> hello bob, from a pipe$")
        self.assertRegex(line, LINE.pattern + r"#general <alice> hello bob, from a pipe$")
        await alice.expect(r"#general <alice> hello bob, from a pipe$")  # own copy

        await bob.type("/dm alice hi")
        self.assertRegex(await alice.expect(r"<bob> hi$"), LINE.pattern + r"\(dm\) <bob> hi$")

        for chat in (alice, bob):
            status, err = await chat.end_input()
            self.assertEqual(status, 0, f"{chat.name} stderr: {err}")
            self.assertNotIn("not acknowledged", "\n".join(chat.lines))
            for line in chat.lines:
                self.assertRegex(line, LINE)

    async def test_taken_name_is_refused_with_a_message(self):
        alice = await self.chat("alice")
        await alice.expect(r"#general joined")
        second = await self.chat("alice")
        status, err = await second.end_input()
        self.assertEqual(status, 1)
        self.assertIn("the hub refused alice: that name is in use", err)
        self.assertIn("4009", err)
        self.assertEqual((await alice.end_input())[0], 0)


if __name__ == "__main__":
    unittest.main(verbosity=2)
