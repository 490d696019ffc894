// End to end: what the browser client shows when the operator moderates with `confab ctl`: a
// deleted message goes, a mute and slow mode are explained with the time left, a ban ends the
// chat on a screen that says why and never reconnects by itself.
//
// A ctl command that this build of confab does not have yet is reported as a skipped test, not
// faked. Run by hand, from tests/web after `npm ci`:
//
//     CONFAB_BIN=../../build/app/confab node --test moderation.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
    Hub, RawClient, launchBrowser, openPerson, sleep, tearDown, textOf, until,
} from './harness.mjs';

let hub;
let browser;
let alice;
let carol;
const people = [];

before(async () => {
    hub = await Hub.start();
    browser = await launchBrowser();
    carol = await RawClient.connect(browser, hub, 'carol', { rooms: ['general'] });
    alice = await openPerson(browser, people, 'alice', hub.pageUrl);
    await alice.loginAndWait();
    await alice.pane('room:general').waitFor({ state: 'visible' });
});

after(() => tearDown(hub, browser, people));

// Skips the test, saying which command is missing, until `confab ctl` has it.
async function needsCtl(t, command) {
    if (await hub.ctlHas(command)) return true;
    t.skip(`confab ctl has no '${command}' command yet`);
    return false;
}

const general = () => alice.pane('room:general');

test('a message the operator deletes disappears, also after a reload', { timeout: 60_000 },
    async (t) => {
        const seq = await carol.say('general', 'this one was a mistake');
        await carol.say('general', 'this one stays');
        await alice.sees('room:general', 'carol', 'this one stays');
        if (!await needsCtl(t, 'delete')) return;

        await hub.ctl('delete', 'general', String(seq));
        const removed = general().locator(`.removed[data-seq="${seq}"]`);
        await removed.waitFor({ state: 'visible' });
        assert.match(await removed.innerText(), /message removed by the operator/);
        assert.deepEqual(await alice.messageTexts('room:general'), ['this one stays']);

        // The join history has a tombstone in its place.
        await alice.page.reload({ waitUntil: 'load' });
        await alice.waitConnected();
        await alice.sees('room:general', 'carol', 'this one stays');
        await general().locator(`.removed[data-seq="${seq}"]`).waitFor({ state: 'visible' });
        assert.deepEqual(await alice.messageTexts('room:general'), ['this one stays']);
    });

test('slow mode shows in the header, and a countdown until the next message',
    { timeout: 60_000 }, async (t) => {
        if (!await needsCtl(t, 'slow')) return;
        await hub.ctl('slow', 'general', '30');
        await until('the header says slow mode', async () =>
            /Slow mode: one message every 30 s/.test(await textOf(general().locator('.room-flags'))));

        await alice.say('room:general', 'first in slow mode');
        await alice.sees('room:general', 'alice', 'first in slow mode');
        await alice.say('room:general', 'second, too soon');
        const note = general().locator('.composer-note');
        const first = await until('the countdown', async () =>
            /Slow mode: you can send again in (\d+) s/.exec(await textOf(note)));
        const left = Number(first[1]);
        assert.ok(left >= 25 && left <= 30, `countdown starts at ${left} s`);
        const send = general().locator('button.send');
        assert.equal(await send.isDisabled(), true, 'the send button is enabled during the wait');
        assert.equal(await general().locator('textarea.composer').inputValue(), 'second, too soon',
            'the text typed during the wait is gone');
        await until('the countdown counts down', async () => {
            const now = /in (\d+) s/.exec(await textOf(note));
            return now && Number(now[1]) < left;
        }, 3_000);
        assert.ok(!(await alice.messageTexts('room:general')).includes('second, too soon'));

        // A reloaded page knows no countdown: the hub's refusal (retry_after_s) starts one.
        await alice.page.reload({ waitUntil: 'load' });
        await alice.waitConnected();
        await alice.say('room:general', 'after a reload');
        const again = await until('the countdown after the refusal', async () =>
            /Slow mode: you can send again in (\d+) s/.exec(await textOf(note)));
        assert.ok(Number(again[1]) <= left, `countdown after the reload: ${again[1]} s`);
        assert.equal(await general().locator('textarea.composer').inputValue(), 'after a reload');
        assert.ok(alice.received('error').some((f) => f.code === 'slow_mode'),
            'the hub did not refuse with slow_mode');

        await hub.ctl('slow', 'general', '0');
        await until('slow mode ends', async () => !(await send.isDisabled()) &&
            !/Slow mode/.test(await textOf(general().locator('.room-flags'))));
    });

test('a mute says so, with the time left, when alice tries to speak', { timeout: 60_000 },
    async (t) => {
        if (!await needsCtl(t, 'mute')) return;
        await hub.ctl('mute', 'alice', '--for', '10m');
        await until('the header says alice is muted', async () =>
            /You are muted/.test(await textOf(general().locator('.room-flags'))));

        await general().locator('textarea.composer').fill('');
        await alice.say('room:general', 'can anyone hear me?');
        const note = general().locator('.note', { hasText: 'You are muted in general' });
        await note.waitFor({ state: 'visible' });
        assert.match(await note.innerText(), /You are muted in general for (9|10) more minutes/);
        assert.equal(await general().locator('textarea.composer').inputValue(),
            'can anyone hear me?', 'the refused text is gone from the composer');
        assert.ok(!(await alice.messageTexts('room:general')).includes('can anyone hear me?'));

        if (!await hub.ctlHas('unmute')) return;
        await hub.ctl('unmute', 'alice');
        await until('the header no longer says muted', async () =>
            !/You are muted/.test(await textOf(general().locator('.room-flags'))));
    });

test('a room password is asked for and a locked room is explained', { timeout: 60_000 },
    async (t) => {
        if (!await needsCtl(t, 'room set')) return;
        const file = join(hub.dataDir, 'vault-password');
        writeFileSync(file, 'sesame\n');
        await hub.ctl('room', 'create', 'vault');
        await hub.ctl('room', 'set', 'vault', '--password-file', file);
        await hub.ctl('room', 'create', 'attic');
        await hub.ctl('room', 'set', 'attic', '--locked', 'on');

        const dialog = alice.page.locator('#room-password');
        await alice.page.click('#rooms [data-room="vault"]');
        await dialog.waitFor({ state: 'visible' });
        assert.match(await dialog.innerText(), /vault needs a password/);
        await alice.page.fill('#room-password-input', 'open up');
        await alice.page.click('#room-password-join');
        await until('the dialog says the password is wrong', async () =>
            /not right/.test(await textOf(alice.page.locator('#room-password-error'))));
        await alice.page.fill('#room-password-input', 'sesame');
        await alice.page.click('#room-password-join');
        await alice.pane('room:vault').waitFor({ state: 'visible' });
        assert.equal(await dialog.isVisible(), false);
        assert.match(await textOf(alice.pane('room:vault').locator('.room-flags')),
            /Needs a password/);

        await alice.page.click('#rooms [data-room="attic"]');
        const toast = alice.page.locator('#errors [data-code="room_locked"]');
        await toast.waitFor({ state: 'visible' });
        assert.match(await toast.innerText(), /cannot join attic: the operator has locked it/);
        assert.equal(await alice.tab('room:attic').count(), 0, 'a tab for a room alice is not in');
        await alice.openTab('room:general');
    });

test('a ban shows the banned screen with the reason, and nothing reconnects',
    { timeout: 60_000 }, async (t) => {
        if (!await needsCtl(t, 'ban')) return;
        const socketsBefore = alice.sockets.length;
        await hub.ctl('ban', 'alice', '--reason', 'testing bans');
        const fatal = alice.page.locator('#fatal');
        await fatal.waitFor({ state: 'visible' });
        assert.match(await fatal.innerText(), /banned/i);
        assert.match(await fatal.innerText(), /testing bans/);
        assert.match(await fatal.innerText(), /until the operator lifts it|ends on/);

        await sleep(5_000);
        assert.deepEqual(await hub.connectionsOf('alice'), [], 'alice came back after the ban');
        assert.equal(alice.sockets.length, socketsBefore,
            `alice's page opened ${alice.sockets.length - socketsBefore} WebSocket(s) after the ban`);
        assert.equal(await fatal.isVisible(), true, 'the banned screen went away by itself');
    });
