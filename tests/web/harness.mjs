// What the end-to-end tests of the browser client share: a real `confab --headless` hub on
// 127.0.0.1 with a temporary data directory, Debian's chromium driven by playwright-core, a
// Person (one browser context, one name) and a RawClient (a bare WebSocket run inside a blank
// page, for "another client" that needs no UI). Every wait is bounded by WAIT_MS.
//
// $CONFAB_BIN is the hub binary (CTest sets it). $CONFAB_WEB_URL, when set, is where the pages
// are opened instead of the hub itself, with `?hub=127.0.0.1:PORT` added: serve resources/web
// with any static file server to try client changes without rebuilding the hub.

import assert from 'node:assert/strict';
import { spawn, execFile } from 'node:child_process';
import { mkdtempSync, rmSync, accessSync, constants, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium } from 'playwright-core';

export const CHROMIUM = process.env.CONFAB_CHROMIUM || '/usr/bin/chromium';
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-gpu', '--no-first-run',
    '--disable-background-networking', '--disable-component-update', '--disable-sync',
    '--disable-quic'];
export const WAIT_MS = 10_000; // the bound of every wait for the page, the hub or a process

function confabBin() {
    const path = process.env.CONFAB_BIN;
    if (!path) {
        throw new Error('CONFAB_BIN is not set: point it at the built confab binary, ' +
            'e.g. CONFAB_BIN=../../build/app/confab (CTest sets it)');
    }
    accessSync(path, constants.X_OK);
    return path;
}

export const launchBrowser = () => chromium.launch({ executablePath: CHROMIUM, headless: true,
    args: CHROMIUM_ARGS, timeout: WAIT_MS * 3 });

// ---------------------------------------------------------------------------------------------
// The hub

export class Hub {
    // settings: keys of the [hub] group of confab.ini, e.g. {persist: false}.
    static async start(settings = {}) {
        const hub = new Hub();
        hub.binary = confabBin();
        hub.dataDir = mkdtempSync(join(tmpdir(), 'confab-web-'));
        hub.log = [];
        const lines = Object.entries(settings).map(([key, value]) => `${key}=${value}`);
        if (lines.length) writeFileSync(join(hub.dataDir, 'confab.ini'), `[hub]\n${lines.join('\n')}\n`);
        await hub.#spawn(0);
        return hub;
    }

    // The page the tests open: the hub's own, or $CONFAB_WEB_URL pointed at this hub.
    get pageUrl() {
        const base = process.env.CONFAB_WEB_URL;
        return base ? `${base}?hub=127.0.0.1:${this.port}` : this.url;
    }

    get wsUrl() { return `ws://127.0.0.1:${this.port}/ws`; }

    // port 0 picks a free one; a restart passes the port it had, so pages find it again.
    #spawn(port) {
        this.proc = spawn(this.binary, ['--headless', '--port', String(port), '--data-dir',
            this.dataDir, '--listen', '127.0.0.1'], { stdio: ['ignore', 'pipe', 'pipe'] });
        const proc = this.proc;
        this.exited = new Promise((resolve) => proc.once('exit', (code, signal) =>
            resolve(code ?? signal)));
        let listening = false;
        return new Promise((resolve, reject) => {
            const timer = setTimeout(() => fail('did not report a port in time'), WAIT_MS);
            const fail = (why) => {
                clearTimeout(timer);
                reject(new Error(`the hub ${why}; its log:\n${this.log.join('\n')}`));
            };
            const pending = { out: '', err: '' };
            const onData = (which) => (chunk) => {
                pending[which] += chunk.toString();
                const lines = pending[which].split('\n');
                pending[which] = lines.pop();
                for (const line of lines) {
                    this.log.push(line);
                    const found = /listening on 127\.0\.0\.1:(\d+)/.exec(line);
                    if (found && !listening) {
                        listening = true;
                        this.port = Number(found[1]);
                        this.url = `http://127.0.0.1:${this.port}/`;
                        clearTimeout(timer);
                        resolve();
                    }
                }
            };
            proc.stdout.on('data', onData('out'));
            proc.stderr.on('data', onData('err'));
            proc.once('error', (e) => fail(`could not start: ${e.message}`));
            this.exited.then((status) => { if (!listening) fail(`exited (${status})`); });
        });
    }

    // Stops the process (SIGKILL: nothing flushed on the way out) and starts it again on the
    // same port and data directory; with wipe, without its database (every room a new epoch).
    async restart(signal = 'SIGKILL', { wipe = false } = {}) {
        await this.#end(signal);
        if (wipe) {
            for (const file of ['confab.db', 'confab.db-wal', 'confab.db-shm'])
                rmSync(join(this.dataDir, file), { force: true });
        }
        this.log.push(`--- restarted after ${signal}${wipe ? ', database removed' : ''} ---`);
        await this.#spawn(this.port);
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

    // Whether `confab ctl --help` lists COMMAND (the moderation commands arrive separately).
    async ctlHas(command) {
        const help = await new Promise((resolve) => execFile(this.binary, ['ctl', '--help'],
            { timeout: WAIT_MS }, (error, stdout, stderr) => resolve(`${stdout}\n${stderr}`)));
        return new RegExp(`^\\s+${command}\\b`, 'm').test(help);
    }

    // For the end of a run: whether the hub died on its own, with the last lines it wrote.
    report() {
        const { exitCode, signalCode } = this.proc || {};
        if (exitCode === null && signalCode === null) return 'hub: still running';
        return `hub: exited (${exitCode ?? signalCode}) before the end; its last lines:\n` +
            this.log.slice(-5).map((l) => `#   ${l}`).join('\n');
    }

    async connectionsOf(user) {
        return (await this.ctl('connections', '--json')).filter((c) => c.user === user);
    }

    async #end(signal) {
        if (!this.proc || this.proc.exitCode !== null || this.proc.signalCode !== null) return;
        process.kill(this.proc.pid, signal);
        const ended = await Promise.race([this.exited, sleep(WAIT_MS).then(() => 'timeout')]);
        if (ended === 'timeout') {
            process.kill(this.proc.pid, 'SIGKILL');
            await this.exited;
        }
    }

    async stop() {
        await this.#end('SIGTERM');
        if (this.dataDir) rmSync(this.dataDir, { recursive: true, force: true });
    }
}

// ---------------------------------------------------------------------------------------------
// Helpers

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

// Polls fn until it returns something truthy; fails with `what` and the last value after ms.
export async function until(what, fn, ms = WAIT_MS) {
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

export const textOf = async (locator) =>
    (await locator.count()) ? (await locator.first().innerText()) : '';

// "connected", but not "disconnected" or "reconnecting".
export const isConnected = (s) => /(^|[^a-z])connected/i.test(s) && !/reconnecting/i.test(s);

// A browser context as one person, with every WebSocket frame its page receives kept in order.
export class Person {
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
        await this.waitConnected();
    }

    async waitConnected(ms = WAIT_MS) {
        const { page } = this;
        await page.locator('#chat').waitFor({ state: 'visible', timeout: ms });
        await page.locator('#login').waitFor({ state: 'hidden', timeout: ms });
        await until(`${this.name}: #me shows the name`,
            async () => (await textOf(page.locator('#me'))).includes(this.name), ms);
        await until(`${this.name}: #connection-state says connected`,
            async () => isConnected(await textOf(page.locator('#connection-state'))), ms);
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

    // The texts of the pane's messages, top to bottom.
    messageTexts(key) {
        return this.pane(key).locator('.messages .message .text').allInnerTexts();
    }

    received(type) {
        return this.frames.filter(({ frame }) => frame.type === type).map(({ frame }) => frame);
    }

    report() {
        return `${this.name}: ${this.problems.length ? this.problems.join(' | ') : 'no page errors'}`;
    }
}

// Another client with no UI: a bare WebSocket in a blank page of its own context, speaking the
// protocol directly. Frames it receives are kept in the page, in order.
export class RawClient {
    static async connect(browser, hub, user, { token, rooms = [] } = {}) {
        const client = new RawClient();
        client.user = user;
        client.context = await browser.newContext();
        client.page = await client.context.newPage();
        client.cid = 0;
        await client.page.evaluate((url) => new Promise((resolve, reject) => {
            window.frames_ = [];
            window.ws_ = new WebSocket(url);
            window.ws_.onmessage = (ev) => window.frames_.push(JSON.parse(ev.data));
            window.ws_.onopen = resolve;
            window.ws_.onerror = () => reject(new Error(`no WebSocket to ${url}`));
        }), hub.wsUrl);
        client.send({ type: 'hello', user, ...(token ? { token } : {}) });
        const welcome = await client.next((f) => f.type === 'welcome' || f.type === 'error');
        assert.equal(welcome.type, 'welcome', `${user} was not welcomed: ${JSON.stringify(welcome)}`);
        client.token = welcome.token;
        for (const room of rooms) {
            client.send({ type: 'join', room });
            await client.next((f) => f.type === 'joined' && f.room === room);
        }
        return client;
    }

    send(frame) {
        return this.page.evaluate((text) => window.ws_.send(text), JSON.stringify(frame));
    }

    frames() { return this.page.evaluate(() => window.frames_); }

    // The first frame (from `from` on) that matches; its index is kept so the next call moves on.
    async next(match, what = 'a frame') {
        const found = await until(`${this.user}: ${what}`, async () => {
            const all = await this.frames();
            for (let i = this.seen ?? 0; i < all.length; ++i) {
                if (match(all[i])) return { i, frame: all[i] };
            }
            return null;
        });
        this.seen = found.i + 1;
        return found.frame;
    }

    // say with a cid; resolves to the seq from its ack.
    async say(room, text) {
        const cid = `${this.user}-${++this.cid}`;
        await this.send({ type: 'say', room, text, cid });
        const answer = await this.next((f) => (f.type === 'ack' && f.cid === cid) ||
            (f.type === 'error' && f.ref === cid), `the ack of "${text}"`);
        assert.equal(answer.type, 'ack', `"${text}" was refused: ${JSON.stringify(answer)}`);
        return answer.seq;
    }

    // Many says in one go, without waiting for each ack; resolves once the last is acked.
    async sayMany(room, texts) {
        const first = this.cid + 1;
        this.cid += texts.length;
        await this.page.evaluate(({ room, texts, user, first }) => {
            texts.forEach((text, i) => window.ws_.send(JSON.stringify(
                { type: 'say', room, text, cid: `${user}-${first + i}` })));
        }, { room, texts, user: this.user, first });
        const last = `${this.user}-${this.cid}`;
        const answer = await this.next((f) => (f.type === 'ack' && f.cid === last) ||
            f.type === 'error', `the ack of "${texts.at(-1)}"`);
        assert.equal(answer.type, 'ack', `a say was refused: ${JSON.stringify(answer)}`);
    }

    async close() {
        await this.context.close().catch(() => {});
    }
}

// What every suite's `after` does: the people's and the hub's reports, then the browser and the
// hub stopped, pass or fail.
export async function tearDown(hub, browser, people) {
    for (const p of people) console.log(`# ${p.report()}`);
    if (hub) console.log(`# ${hub.report()}`);
    if (browser) await browser.close().catch(() => {});
    if (hub) await hub.stop();
}

// Opens a page as `name` and keeps it in `people`, so tearDown reports it.
export async function openPerson(browser, people, name, url) {
    const p = await Person.open(browser, name, url);
    people.push(p);
    return p;
}
