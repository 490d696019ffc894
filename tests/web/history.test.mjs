// End to end: what the browser client shows of the hub's history. Messages sent before the page
// opened, paging back to the first one, and the messages it missed while its socket was down
// (a dropped connection, and the hub killed and started again on its data directory), each
// exactly once and in order; dms kept for someone who was away.
//
// One real `confab --headless` on 127.0.0.1 with a temporary data directory; alice is a page,
// carol a bare WebSocket client (harness.mjs). Run by hand, from tests/web after `npm ci`:
//
//     CONFAB_BIN=../../build/app/confab node --test history.test.mjs

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import {
    Hub, RawClient, launchBrowser, openPerson, tearDown, textOf, until,
} from './harness.mjs';

let hub;
let browser;
let alice;
let carol;
const people = [];
const expected = []; // general's messages as alice should show them, oldest first

before(async () => {
    hub = await Hub.start();
    browser = await launchBrowser();
    carol = await RawClient.connect(browser, hub, 'carol', { rooms: ['general'] });
});

after(() => tearDown(hub, browser, people));

const person = (name, url = hub.pageUrl) => openPerson(browser, people, name, url);

async function carolSays(...texts) {
    for (const text of texts) {
        await carol.say('general', text);
        expected.push(text);
    }
}

// Waits for `last` in alice's general, then checks the whole list: each message once, in order
// (the newest `count` of them, after a reload).
async function aliceShowsExactly(last, count = expected.length) {
    await until(`alice shows "${last}"`, async () =>
        (await alice.messageTexts('room:general')).includes(last), 15_000);
    assert.deepEqual(await alice.messageTexts('room:general'), expected.slice(-count),
        'alice shows general\'s messages other than once each, in order');
}

// Takes alice's page off the network (so it cannot come back by itself), then runs `meanwhile`.
async function whileAliceIsAway(dropIt, meanwhile) {
    await alice.context.setOffline(true);
    await dropIt();
    await until('the hub no longer has a connection of alice', async () =>
        (await hub.connectionsOf('alice')).length === 0);
    const from = alice.frames.length;
    await meanwhile();
    await alice.context.setOffline(false);
    await alice.waitConnected(20_000);
    return from;
}

function recoveriesSince(index) {
    return alice.frames.slice(index).map(({ frame }) => frame)
        .filter((f) => f.type === 'recovery' && f.room === 'general');
}

test('messages sent before the page opened are shown, and older ones page in',
    { timeout: 60_000 }, async () => {
        const early = Array.from({ length: 60 }, (_, i) => `early ${i + 1}`);
        await carolSays(...early);

        alice = await person('alice');
        await alice.loginAndWait();
        await alice.pane('room:general').waitFor({ state: 'visible' });
        await until('alice shows the last 50 messages', async () =>
            (await alice.messageTexts('room:general')).length === 50);
        assert.deepEqual(await alice.messageTexts('room:general'), early.slice(10),
            'the join history is not the newest 50, oldest first');
        const from = await textOf(alice.pane('room:general').locator('.message .from'));
        assert.equal(from.trim(), 'carol');

        const older = alice.pane('room:general').locator('.load-older');
        await older.waitFor({ state: 'visible' });
        await older.click();
        await until('alice shows all 60 messages', async () =>
            (await alice.messageTexts('room:general')).length === 60);
        assert.deepEqual(await alice.messageTexts('room:general'), early);
        await older.waitFor({ state: 'hidden' });
        assert.match(await textOf(alice.pane('room:general').locator('.older .hint')),
            /start of what the hub keeps/);
    });

test('after a dropped connection, the messages sent meanwhile appear once, in order',
    { timeout: 60_000 }, async () => {
        await carolSays('before the drop');
        await alice.sees('room:general', 'carol', 'before the drop');

        const from = await whileAliceIsAway(
            () => alice.page.evaluate(() => window.confab.dropConnection()),
            () => carolSays('while away 1', 'while away 2', 'while away 3'));

        await aliceShowsExactly('while away 3');
        const recoveries = recoveriesSince(from);
        assert.equal(recoveries.length, 1, `recoveries: ${JSON.stringify(recoveries)}`);
        assert.equal(recoveries[0].ok, true, `recovery: ${JSON.stringify(recoveries[0])}`);
        assert.deepEqual(recoveries[0].messages.map((m) => m.text),
            ['while away 1', 'while away 2', 'while away 3']);
        assert.equal(await alice.pane('room:general').locator('.note.gap').count(), 0,
            'a "could not recover" notice after a recovery that worked');
        assert.equal(await alice.pane('room:general')
            .locator('.note', { hasText: 'while you were away' }).count(), 0);

        // Live messages still arrive after the recovery, once.
        await carolSays('back to normal');
        await aliceShowsExactly('back to normal');
    });

test('after the hub is killed and started again, nothing is lost or doubled',
    { timeout: 60_000 }, async () => {
        const token = carol.token;
        const from = await whileAliceIsAway(() => hub.restart('SIGKILL'), async () => {
            await carol.close();
            // The name stays carol's across the restart: coming back needs her token.
            carol = await RawClient.connect(browser, hub, 'carol', { token, rooms: ['general'] });
            await carolSays('after the restart 1', 'after the restart 2');
        });

        await aliceShowsExactly('after the restart 2');
        const recoveries = recoveriesSince(from);
        assert.equal(recoveries.length, 1, `recoveries: ${JSON.stringify(recoveries)}`);
        assert.equal(recoveries[0].ok, true, `recovery: ${JSON.stringify(recoveries[0])}`);
        assert.deepEqual(recoveries[0].messages.map((m) => m.text),
            ['after the restart 1', 'after the restart 2']);

        // A reload starts again from the join history (50) and localStorage's seq: once each,
        // and no gap notice.
        await alice.page.reload({ waitUntil: 'load' });
        await alice.waitConnected();
        await aliceShowsExactly('after the restart 2', 50);
        assert.equal(await alice.pane('room:general').locator('.note.gap').count(), 0);
    });

test('too many missed messages: a plain notice, and "load history" pages through them',
    { timeout: 60_000 }, async () => {
        await alice.openTab('room:general');
        const missed = Array.from({ length: 1001 }, (_, i) => `flood ${i + 1}`);
        const from = await whileAliceIsAway(
            () => alice.page.evaluate(() => window.confab.dropConnection()),
            () => carol.sayMany('general', missed));

        const notice = alice.pane('room:general').locator('.note.gap');
        await notice.waitFor({ state: 'visible', timeout: 15_000 });
        assert.match(await notice.innerText(),
            /Could not recover 1001 messages \(too many to catch up\)/);
        const recoveries = recoveriesSince(from);
        assert.deepEqual(recoveries.map((r) => [r.ok, r.reason, r.missing]),
            [[false, 'too_many', 1001]]);
        const before = (await alice.messageTexts('room:general')).length;

        await notice.locator('button', { hasText: 'Load history' }).click();
        await until('the first page of what was missed', async () =>
            (await alice.messageTexts('room:general')).length === before + 50);
        const texts = await alice.messageTexts('room:general');
        assert.deepEqual(texts.slice(before), missed.slice(0, 50),
            'the loaded page is not the oldest missed messages, in order, after the notice');
        await notice.locator('button', { hasText: 'Load more' }).click();
        await until('the second page', async () =>
            (await alice.messageTexts('room:general')).length === before + 100);
        assert.deepEqual((await alice.messageTexts('room:general')).slice(before),
            missed.slice(0, 100));
    });

test('a hub that lost its database: the old messages stay, marked as from another history',
    { timeout: 60_000 }, async () => {
        const shownBefore = await alice.messageTexts('room:general');
        const from = await whileAliceIsAway(() => hub.restart('SIGTERM', { wipe: true }),
            async () => {
                await carol.close();
                // A new database knows no names: carol's is free again.
                carol = await RawClient.connect(browser, hub, 'carol', { rooms: ['general'] });
                await carol.say('general', 'a fresh start');
            });

        const notice = alice.pane('room:general').locator('.note.gap').last();
        await until('the notice that the history was reset', async () =>
            /Could not recover the messages sent while you were away \(the room's history was reset\)/
                .test(await textOf(notice)), 15_000);
        assert.deepEqual(recoveriesSince(from).map((r) => [r.ok, r.reason, r.missing]),
            [[false, 'epoch_changed', null]]);
        await notice.locator('button', { hasText: 'Load history' }).click();
        await alice.sees('room:general', 'carol', 'a fresh start');
        assert.deepEqual(await alice.messageTexts('room:general'), [...shownBefore, 'a fresh start'],
            'the old messages did not stay, or the new history is not after them, once');
    });

test('a dm to someone away is kept, and marked as sent while they were away',
    { timeout: 60_000 }, async () => {
        const dave = await person('dave');
        await dave.loginAndWait();
        await alice.openTab('room:general');
        await alice.page.click('#members [data-user="dave"]');
        await alice.pane('dm:dave').waitFor({ state: 'visible' });
        // Closing the page takes dave offline; his context keeps his name and token.
        await dave.page.close();
        await until('dave is offline', async () => (await hub.connectionsOf('dave')).length === 0);

        await alice.say('dm:dave', 'See you tomorrow');
        const mine = alice.pane('dm:dave').locator('.message', { hasText: 'See you tomorrow' });
        await until('alice: the dm says it waits for dave', async () =>
            /will be delivered when dave is back/.test(await textOf(mine.locator('.extra'))));

        dave.page = await dave.context.newPage();
        await dave.page.goto(hub.pageUrl, { waitUntil: 'load' });
        await dave.waitConnected();
        await dave.openTab('dm:alice');
        await dave.sees('dm:alice', 'alice', 'See you tomorrow');
        const theirs = dave.pane('dm:alice').locator('.message', { hasText: 'See you tomorrow' });
        assert.match(await textOf(theirs.locator('.extra')), /sent while you were away/);
    });
