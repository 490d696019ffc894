// End to end: the browser client the hub serves, in Debian's chromium driven by playwright-core.
//
// One real `confab --headless` on 127.0.0.1, port 0, with a temporary data directory, serves the
// page; two browser contexts (separate storage) are alice and bob. The hub binary is $CONFAB_BIN
// (CTest sets it); $CONFAB_WEB_SCREENSHOT is where the mid-conversation screenshot goes (CTest
// puts it in the build tree). Run by hand, from tests/web after `npm ci`:
//
//     CONFAB_BIN=../../build/app/confab node --test chat.test.mjs
//
// Every wait is bounded; the hub and the browser are stopped in `after`, pass or fail.

import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
    Hub, launchBrowser, openPerson, sleep, tearDown, textOf, until, WAIT_MS,
} from './harness.mjs';

const SCREENSHOT = process.env.CONFAB_WEB_SCREENSHOT || join(tmpdir(), 'confab-web-client.png');

// ---------------------------------------------------------------------------------------------

let hub;
let browser;
const people = [];

before(async () => {
    hub = await Hub.start();
    await hub.ctl('room', 'create', 'lab', '--topic', '3D printing');
    browser = await launchBrowser();
});

after(() => tearDown(hub, browser, people));

const person = (name, url = hub.pageUrl) => openPerson(browser, people, name, url);

test('the hub serves the client page', async () => {
    const res = await fetch(hub.url, { signal: AbortSignal.timeout(WAIT_MS) });
    const body = await res.text();
    assert.equal(res.status, 200, `GET / answered ${res.status}`);
    assert.match(res.headers.get('content-type') || '', /text\/html/,
        `GET / is not HTML: ${res.headers.get('content-type')}: ${body.slice(0, 200)}`);
    assert.match(body, /id=["']?login/, 'the page has no #login form');
});

test('two people chat, see presence, DMs, typing, announcements, reconnects and a kick',
    { timeout: 75_000 }, async () => {
        const alice = await person('alice');
        const bob = await person('bob');

        // Both log in and are in general.
        await alice.loginAndWait();
        await bob.loginAndWait();
        for (const p of [alice, bob]) {
            await p.tab('room:general').waitFor({ state: 'visible' });
            await p.pane('room:general').waitFor({ state: 'visible' });
            await p.page.locator('#rooms [data-room="lab"]').waitFor({ state: 'attached' });
        }
        await until('alice sees bob in #members', () =>
            alice.page.locator('#members [data-user="bob"]').count());
        await until('alice: general has a .count of 2 in #rooms', async () =>
            (await textOf(alice.page.locator('#rooms [data-room="general"] .count'))).trim() === '2');

        // Chat both ways.
        await alice.say('room:general', 'Anyone up for the printer?');
        await bob.sees('room:general', 'alice', 'Anyone up for the printer?');
        await bob.say('room:general', 'Me, after lunch');
        await alice.sees('room:general', 'bob', 'Me, after lunch');
        const time = await textOf(alice.pane('room:general').locator('.message .time'));
        assert.ok(time.trim(), 'a message has an empty .time');
        assert.equal(await alice.page.locator('#fatal').isVisible(), false, '#fatal is visible');

        // A room with a topic: alice joins lab from the list, sees the topic, leaves again.
        await alice.page.click('#rooms [data-room="lab"]');
        await alice.pane('room:lab').waitFor({ state: 'visible' });
        await until('alice sees the lab topic', async () =>
            (await textOf(alice.pane('room:lab').locator('.topic'))).includes('3D printing'));
        await alice.pane('room:lab').locator('.leave').click();
        await alice.tab('room:lab').waitFor({ state: 'detached' });
        await alice.openTab('room:general');

        // Status: alice goes away, bob sees it.
        await alice.page.selectOption('#status-select', 'away');
        await bob.page.locator('#members [data-user="alice"][data-status="away"]')
            .waitFor({ state: 'attached' });

        // A DM from bob: alice gets a tab with an unread count, then the pane with the text.
        await bob.page.click('#members [data-user="alice"]');
        await bob.pane('dm:alice').waitFor({ state: 'visible' });
        await bob.say('dm:alice', 'Lunch at noon?');
        await bob.sees('dm:alice', 'bob', 'Lunch at noon?');
        await alice.tab('dm:bob').waitFor({ state: 'visible' });
        await until('alice: the dm:bob tab shows an unread count', async () =>
            Number((await textOf(alice.tab('dm:bob').locator('.unread'))).trim()) >= 1);
        await alice.openTab('dm:bob');
        await alice.sees('dm:bob', 'bob', 'Lunch at noon?');
        await alice.say('dm:bob', 'Sure');
        await bob.sees('dm:alice', 'alice', 'Sure');

        // Typing: alice types in general without sending; bob, back in general, sees it.
        await bob.openTab('room:general');
        await alice.openTab('room:general');
        const composer = alice.pane('room:general').locator('textarea.composer');
        await composer.click();
        await composer.pressSequentially('I will bring fil', { delay: 20 });
        await until('bob sees alice typing in general', async () =>
            (await textOf(bob.pane('room:general').locator('.typing'))).includes('alice'));

        // An operator broadcast reaches both pages.
        await hub.ctl('broadcast', 'Pizza in the kitchen');
        for (const p of [alice, bob]) {
            await until(`${p.name} shows the announcement`, async () =>
                (await textOf(p.page.locator('#announcements .announcement')
                    .filter({ hasText: 'Pizza in the kitchen' }))).length > 0);
        }

        // Mid-conversation picture of alice's page.
        mkdirSync(dirname(SCREENSHOT), { recursive: true });
        await alice.page.screenshot({ path: SCREENSHOT, fullPage: true });
        console.log(`# screenshot: ${SCREENSHOT}`);

        // A dropped connection: "reconnecting", then "connected", one device, no ghost.
        await alice.page.evaluate(() => {
            const el = document.querySelector('#connection-state');
            window.__states = [el.textContent];
            new MutationObserver(() => window.__states.push(el.textContent))
                .observe(el, { childList: true, characterData: true, subtree: true });
        });
        const dropAt = Date.now();
        await alice.page.evaluate(() => window.confab.dropConnection());
        await until('alice: #connection-state shows reconnecting', () =>
            alice.page.evaluate(() => window.__states.some((s) => /reconnecting/i.test(s))));
        await until('alice: #connection-state shows connected again', () =>
            alice.page.evaluate(() => {
                const i = window.__states.findIndex((s) => /reconnecting/i.test(s));
                return i >= 0 && window.__states.slice(i + 1).some((s) =>
                    /(^|[^a-z])connected/i.test(s) && !/reconnecting/i.test(s));
            }), 15_000);
        const states = await alice.page.evaluate(() => window.__states);
        console.log(`# alice's #connection-state during the drop: ${JSON.stringify(states)}`);
        const devices = await until('alice has exactly one device', async () => {
            const users = await hub.ctl('users', '--json');
            const a = users.find((u) => u.user === 'alice');
            return a && a.devices === 1 ? a : null;
        }, 5_000);
        assert.deepEqual(devices.rooms, ['general'], 'alice is back in general only');
        const conns = (await hub.ctl('connections', '--json')).filter((c) => c.user === 'alice');
        assert.equal(conns.length, 1, `alice's connections: ${JSON.stringify(conns)}`);
        // Back in her place: a message after the reconnect still reaches bob.
        await composer.fill('');
        await alice.say('room:general', 'Back again');
        await bob.sees('room:general', 'alice', 'Back again');
        const flicker = bob.frames.filter(({ t, frame }) => t >= dropAt &&
            ((frame.type === 'member_left' || frame.type === 'member_joined') &&
                frame.user === 'alice' ||
             frame.type === 'presence' && frame.user === 'alice' && frame.status === 'offline'));
        // Reported, not failed: whether a drop is invisible to others is the hub's choice.
        console.log(`# bob saw ${flicker.length} membership/offline frame(s) for alice during ` +
            `the drop: ${JSON.stringify(flicker.map((f) => f.frame))}`);

        // The operator kicks bob: his page says why and does not reconnect.
        const socketsBefore = bob.sockets.length;
        await hub.ctl('kick', 'bob', '--reason', 'testing kicks');
        await bob.page.locator('#fatal').waitFor({ state: 'visible' });
        await until('bob: #fatal shows the reason', async () =>
            (await textOf(bob.page.locator('#fatal'))).includes('testing kicks'));
        await bob.page.locator('#fatal #reconnect-button').waitFor({ state: 'visible' });
        await sleep(5_000);
        const bobConns = (await hub.ctl('connections', '--json')).filter((c) => c.user === 'bob');
        assert.deepEqual(bobConns, [], 'bob reconnected after the kick');
        assert.equal(bob.sockets.length, socketsBefore,
            `bob's page opened ${bob.sockets.length - socketsBefore} WebSocket(s) after the kick`);
        assert.ok((await bob.page.locator('#fatal').innerText()).includes('testing kicks'),
            '#fatal no longer shows the reason');
    });

test('a name in use is explained in plain words', { timeout: 30_000 }, async () => {
    // alice is still online from the test before; if that one failed early, hold the name here.
    const users = await hub.ctl('users', '--json');
    if (!users.some((u) => u.user === 'alice' && u.devices > 0)) {
        await (await person('alice')).loginAndWait();
    }
    const intruder = await person('alice (second)');
    await intruder.login('alice');
    const shown = await until('#login-error or #fatal explains the name is taken', async () => {
        for (const sel of ['#login-error', '#fatal']) {
            const el = intruder.page.locator(sel);
            if (await el.isVisible()) {
                const text = (await el.innerText()).trim();
                if (text) return { sel, text };
            }
        }
        return null;
    });
    console.log(`# name taken: ${shown.sel} says ${JSON.stringify(shown.text)}`);
    assert.match(shown.text, /(taken|in use|already|someone)/i, 'no plain explanation');
    assert.doesNotMatch(shown.text, /^name_taken$|4009/, 'shows a code, not words');
    assert.equal(await intruder.page.locator('#chat').isVisible(), false, '#chat is shown anyway');
    const alices = (await hub.ctl('users', '--json')).find((u) => u.user === 'alice');
    assert.equal(alices.devices, 1, 'the refused login became a device of alice');
});

test('add another device: a pairing link and QR code sign a second device in',
    { timeout: 30_000 }, async () => {
        let alice = people.find((p) => p.name === 'alice');
        const users = await hub.ctl('users', '--json');
        if (!alice || !users.some((u) => u.user === 'alice' && u.devices > 0)) {
            alice = await person('alice');
            await alice.loginAndWait();
        }
        const welcomes = alice.frames.filter(({ frame }) => frame.type === 'welcome');
        const token = welcomes.length ? welcomes[welcomes.length - 1].frame.token : null;

        await alice.page.click('#add-device');
        await alice.page.locator('#pairing').waitFor({ state: 'visible' });
        const href = await until('#pairing-link has a link', () => alice.page.evaluate(() => {
            const a = document.querySelector('#pairing-link');
            return a.getAttribute('href') && a.getAttribute('href') !== '#' ? a.href : null;
        }));
        console.log(`# pairing link: ${href}`);
        assert.ok(href.startsWith(`http://127.0.0.1:${hub.port}/`), `pairing link ${href}`);
        if (token) assert.ok(!href.includes(token), 'the pairing link carries the token');
        await until('#pairing-qr shows an image', () => alice.page.evaluate(() => {
            const img = document.querySelector('#pairing-qr');
            return img.complete && img.naturalWidth > 0 && !img.hidden;
        }));

        // A fresh context opens the link itself (a hash change on an open page would not reload).
        const phone = await person('alice (phone)', href);
        await phone.page.locator('#chat').waitFor({ state: 'visible' });
        await until('the phone: #me shows alice', async () =>
            (await textOf(phone.page.locator('#me'))).includes('alice'));
        assert.ok(!phone.page.url().includes('pair'), `the code stays in the address: ${phone.page.url()}`);
        await until('alice has two devices', async () => {
            const a = (await hub.ctl('users', '--json')).find((u) => u.user === 'alice');
            return a && a.devices === 2;
        }, 5_000);
    });
