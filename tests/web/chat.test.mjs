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
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, accessSync, constants, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { chromium } from 'playwright-core';

const CHROMIUM = process.env.CONFAB_CHROMIUM || '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-quic'];
const WAIT_MS = 10_000; // the bound of every wait for the page, the hub or a process
const SCREENSHOT = process.env.CONFAB_WEB_SCREENSHOT || join(tmpdir(), 'confab-web-client.png');

function confabBin() {
    const path = process.env.CONFAB_BIN;
    if (!path) {
        throw new Error('CONFAB_BIN is not set: point it at the built confab binary, ' +
            'e.g. CONFAB_BIN=../../build/app/confab (CTest sets it)');
    }
    accessSync(path, constants.X_OK);
    return path;
}

// ---------------------------------------------------------------------------------------------
// The hub

class Hub {
    static async start() {
        const hub = new Hub();
        await hub.#start();
        return hub;
    }

    #start() {
        this.binary = confabBin();
        this.dataDir = mkdtempSync(join(tmpdir(), 'confab-web-'));
        this.log = [];
        this.proc = spawn(this.binary, ['--headless', '--port', '0', '--data-dir', this.dataDir,
            '--listen', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
        this.exited = new Promise((resolve) => this.proc.once('exit', (code, signal) =>
            resolve(code ?? signal)));
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => fail('did not report a port in time'), WAIT_MS);
            const fail = (why) => {
                clearTimeout(timer);
                reject(new Error(`the hub ${why}; its log:\n${this.log.join('\n')}`));
            };
            let pending = { out: '', err: '' };
            const onData = (which) => (chunk) => {
                pending[which] += chunk.toString();
                const lines = pending[which].split('\n');
                pending[which] = lines.pop();
                for (const line of lines) {
                    this.log.push(line);
                    const found = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
                    if (found && !this.port) {
                        this.port = Number(found[1]);
                        this.url = `http://127.0.0.1:${this.port}/`;
                        clearTimeout(timer);
                        resolve();
                    }
                }
            };
            this.proc.stdout.on('data', onData('out'));
            this.proc.stderr.on('data', onData('err'));
            this.proc.once('error', (e) => fail(`could not start: ${e.message}`));
            this.exited.then((status) => { if (!this.port) fail(`exited (${status})`); });
        });
    }

    // `confab ctl --data-dir DIR ARGS...`; its stdout, parsed when --json is among ARGS.
    ctl(...args) {
        return new Promise((resolve, reject) => {
            execFile(this.binary, ['ctl', '--data-dir', this.dataDir, ...args],
                { timeout: WAIT_MS }, (error, stdout, stderr) => {
                    if (error) {
                        reject(new Error(`confab ctl ${args.join(' ')} failed ` +
                            `(${error.code ?? error.signal}): ${stderr}`));
                        return;
                    }
                    try {
                        resolve(args.includes('--json') ? JSON.parse(stdout) : stdout);
                    } catch (e) {
                        reject(new Error(`confab ctl ${args.join(' ')}: not JSON: ${stdout}`));
                    }
                });
        });
    }

    async stop() {
        if (this.proc && this.proc.exitCode === null && this.proc.signalCode === null) {
            process.kill(this.proc.pid, 'SIGTERM');
            const killed = await Promise.race([this.exited, sleep(WAIT_MS).then(() => 'timeout')]);
            if (killed === 'timeout') {
                process.kill(this.proc.pid, 'SIGKILL');
                await this.exited;
            }
        }
        if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns something truthy; fails with `what` and the last value after ms.
async function until(what, fn, ms = WAIT_MS) {
    const deadline = Date.now() + ms;
    let last;
    for (;;) {
        try {
            last = await fn();
            if (last) return last;
        } catch (e) {
            last = e;
        }
        if (Date.now() > deadline) {
            assert.fail(`timed out after ${ms} ms waiting for ${what}; last seen: ` +
                (last instanceof Error ? last.message : JSON.stringify(last)));
        }
        await sleep(100);
    }
}

const textOf = async (locator) => (await locator.count()) ? (await locator.first().innerText()) : '';

// A browser context as one person, with every WebSocket frame its page receives kept in order.
class Person {
    constructor(name, context, page) {
        this.name = name;
        this.context = context;
        this.page = page;
        this.frames = []; // {t, frame} received on any of the page's WebSockets
        this.sockets = []; // every WebSocket the page opened, with when
        this.problems = []; // page errors and console errors, for the failure message
        page.on('websocket', (ws) => {
            this.sockets.push({ t: Date.now(), url: ws.url() });
            ws.on('framereceived', ({ payload }) => {
                try {
                    this.frames.push({ t: Date.now(), frame: JSON.parse(payload.toString()) });
                } catch { /* not JSON: not ours to judge here */ }
            });
        });
        page.on('pageerror', (e) => this.problems.push(`pageerror: ${e.message}`));
        page.on('response', (r) => { if (r.status() >= 400) this.problems.push(`HTTP ${r.status()} ${r.url()}`); });
        page.on('console', (m) => { if (m.type() === 'error') this.problems.push(`console: ${m.text()}`); });
    }

    static async open(browser, name, url) {
        const context = await browser.newContext({ viewport: { width: 1100, height: 720 } });
        context.setDefaultTimeout(WAIT_MS);
        const page = await context.newPage();
        const person = new Person(name, context, page);
        await page.goto(url, { waitUntil: 'load', timeout: WAIT_MS });
        return person;
    }

    async login(name = this.name) {
        const { page } = this;
        await page.locator('#login').waitFor({ state: 'visible' });
        await page.fill('#name', name);
        await page.fill('#password', '');
        await page.click('#join-button');
    }

    async loginAndWait() {
        await this.login();
        const { page } = this;
        await page.locator('#chat').waitFor({ state: 'visible' });
        await page.locator('#login').waitFor({ state: 'hidden' });
        await until(`${this.name}: #me shows the name`,
            async () => (await textOf(page.locator('#me'))).includes(this.name));
        await until(`${this.name}: #connection-state says connected`,
            async () => isConnected(await textOf(page.locator('#connection-state'))));
    }

    pane(key) { return this.page.locator(`[data-pane="${key}"]`); }
    tab(key) { return this.page.locator(`#tabs [data-tab="${key}"]`); }

    // Opens a tab as a person would: a click near its start, on the name, not its middle, which
    // may be a close button or empty space.
    async openTab(key) {
        const tab = this.tab(key);
        await tab.waitFor({ state: 'visible' });
        const box = await tab.boundingBox();
        await tab.click({ position: { x: Math.min(12, box.width / 4), y: box.height / 2 } });
        await this.pane(key).waitFor({ state: 'visible' });
    }

    async say(key, text) {
        const composer = this.pane(key).locator('textarea.composer');
        await composer.fill(text);
        await composer.press('Enter');
    }

    // Waits until the pane holds a .message from `from` whose .text contains `text`.
    async sees(key, from, text) {
        await until(`${this.name} sees "${text}" from ${from} in ${key}`, async () =>
            this.pane(key).locator('.messages .message')
                .filter({ has: this.page.locator('.from', { hasText: from }) })
                .filter({ has: this.page.locator('.text', { hasText: text }) })
                .count());
    }

    report() {
        return `${this.name}: ${this.problems.length ? this.problems.join(' | ') : 'no page errors'}`;
    }
}

// "connected", but not "disconnected" or "reconnecting".
const isConnected = (s) => /(^|[^a-z])connected/i.test(s) && !/reconnecting/i.test(s);

// ---------------------------------------------------------------------------------------------

let hub;
let browser;
const people = [];

before(async () => {
    hub = await Hub.start();
    await hub.ctl('room', 'create', 'lab', '--topic', '3D printing');
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true,
        args: CHROMIUM_ARGS, timeout: WAIT_MS * 3 });
});

after(async () => {
    for (const p of people) console.log(`# ${p.report()}`);
    if (browser) await browser.close().catch(() => {});
    if (hub) await hub.stop();
});

async function person(name, url = hub.url) {
    const p = await Person.open(browser, name, url);
    people.push(p);
    return p;
}

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
