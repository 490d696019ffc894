// Confab web client: plain ES2020, no framework, nothing fetched at run time.
// It speaks protocol v1 (docs/PROTOCOL.md) over ws://<this host>/ws.
//
// Development only: `?hub=HOST:PORT` in the page URL points the WebSocket (and the QR image) at
// another hub, so the page can be served by any static file server while the hub runs elsewhere.
'use strict';

(() => {
  // ---------------------------------------------------------------------------------------------
  // Constants and plain-word explanations
  // ---------------------------------------------------------------------------------------------

  const hubOverride = new URLSearchParams(location.search).get('hub');
  const HUB_HOST = hubOverride || location.host;
  const WS_URL = `${location.protocol === 'https:' ? 'wss' : 'ws'}://${HUB_HOST}/ws`;
  const HTTP_BASE = hubOverride ? `http://${hubOverride}` : '';

  const STORE_KEY = 'confab';
  const TYPING_SEND_MS = 2000;   // send `typing` at most this often per room
  const TYPING_SHOW_MS = 4000;   // show "x is typing…" this long after a typing frame
  const BACKOFF_MAX_S = 30;
  const ROOMS_REFRESH_MS = 20000;
  const HISTORY_ON_JOIN = 50;    // messages a newly opened room pane starts with (hub allows 100)
  const HISTORY_PAGE = 50;       // one "load older" or "load history" page (hub allows 200)

  // Close codes after which reconnecting by itself would only be refused again (or would kick
  // out whoever took our place), so the client stops and offers a Reconnect button.
  const FATAL_CLOSES = new Set([4001, 4002, 4003, 4009, 4010, 4011, 4013, 4015]);
  const HELLO_REFUSALS = new Set(['bad_password', 'name_taken', 'bad_name', 'unsupported_protocol',
    'bad_pairing']);

  const PLAIN = {
    name_taken: "Someone is already using that name on another device. Pick another name, or use " +
      "'Add another device' on your other device.",
    bad_password: 'The hub password is wrong or missing. Ask the person running the hub for it.',
    bad_name: 'That name cannot be used',
    unsupported_protocol: 'This page and the hub speak different protocol versions. Reload the page.',
    bad_pairing: 'That pairing link is unknown, already used or expired. Ask your other device for a ' +
      "new one ('Add another device'), or join with a name.",
    replaced: 'This chat was opened in another tab or window of this browser, and continues there.',
    banned: 'The operator has banned you from this hub.',
  };

  // recovery.reason in words, completing "Could not recover N messages (...)".
  const RECOVERY_REASONS = {
    epoch_changed: "the room's history was reset",
    retention: 'they are older than the hub keeps',
    too_many: 'too many to catch up',
  };

  const $ = (sel, root = document) => root.querySelector(sel);
  const el = (tag, cls, text) => {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  };
  // Names are case-insensitive on the hub (NFC + case folding); this is close enough for lookups.
  const keyOf = (name) => String(name).normalize('NFC').toLowerCase();
  const isMe = (name) => state.me !== null && keyOf(name) === keyOf(state.me);

  // ---------------------------------------------------------------------------------------------
  // State
  // ---------------------------------------------------------------------------------------------

  const store = loadStore();

  const state = {
    ws: null,
    me: null,                 // display name from welcome
    status: 'online',
    welcomed: false,          // the current socket got its welcome
    everWelcomed: false,      // some socket of this page got one: refusals go to #fatal, not login
    pairing: null,            // a pairing code to log in with instead of name + token
    refusal: null,            // {code, text}: why the hub is about to close us
    attempt: 0,               // reconnect attempts since the last welcome
    retryTimer: null,
    countdownTimer: null,
    autoJoinGeneral: false,
    limits: { max_text_chars: 4000 },
    rooms: new Map(),         // room key -> {name, topic, count} from the `rooms` list
    panes: new Map(),         // pane id ("room:x" / "dm:y") -> pane object
    active: null,             // active pane id
    memberRoom: null,         // room key whose members #members shows
    presence: new Map(),      // user key -> status
    pendingDm: new Map(),     // cid -> {to, text}
    pendingSay: new Map(),    // cid -> {key, text}: a say not acknowledged yet, to explain a refusal
    historyQueue: [],         // {key, kind} of `history` requests not answered yet, in the order sent
    sinceSent: new Map(),     // room key -> seq sent in `join.since`, for the "load history" action
    roomPasswords: new Map(), // room key -> password typed for it (memory only, never stored)
    mutes: new Map(),         // room key, or '' for hub-wide -> until (ISO time or null)
    openOnJoin: null,         // room key to activate when its `joined` arrives
    leaving: new Set(),       // room keys we sent `leave` for
    joinQueue: [],            // room keys of `join`s not answered yet, in the order sent
    cid: 0,
    pairingExpires: null,
    pairingTimer: null,
    roomsRefreshTimer: null,
    roomsRefreshSoon: null,
  };

  function loadStore() {
    let saved = {};
    try { saved = JSON.parse(localStorage.getItem(STORE_KEY) || '{}') || {}; } catch { saved = {}; }
    if (!saved.device) saved.device = 'web-' + randomId();
    return saved;
  }

  function saveStore() {
    try { localStorage.setItem(STORE_KEY, JSON.stringify(store)); } catch { /* private mode */ }
  }

  function randomId() {
    const bytes = new Uint8Array(6);
    crypto.getRandomValues(bytes);
    return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  }

  // The rooms this browser is in, so a reload or reconnect joins them again.
  function rememberRooms() {
    store.rooms = [...state.panes.values()].filter((p) => p.kind === 'room').map((p) => p.name);
    saveStore();
  }

  // The last seq and the epoch seen per room, so a reconnect or a reload asks the hub for
  // exactly what went by (`join.since`) instead of showing a gap.
  function rememberSeen(pane) {
    if (!pane.epoch) return;
    store.seen = store.seen || {};
    store.seen[pane.key] = { seq: pane.lastSeq || 0, epoch: pane.epoch };
    saveStore();
  }

  function forgetSeen(key) {
    if (!store.seen || !(key in store.seen)) return;
    delete store.seen[key];
    saveStore();
  }

  // ---------------------------------------------------------------------------------------------
  // Connection: connect, hello, back-off, refusals
  // ---------------------------------------------------------------------------------------------

  function connect() {
    clearRetry();
    const old = state.ws;
    state.ws = null; // its late events are ignored from here on
    if (old) old.close();
    state.refusal = null;
    state.welcomed = false;
    state.joinQueue = [];
    // Requests sent on the old socket will not be answered on this one.
    state.historyQueue = [];
    state.pendingSay.clear();
    for (const pane of state.panes.values()) resetHistoryControls(pane);
    setConnState('connecting…');
    const ws = new WebSocket(WS_URL);
    state.ws = ws;
    // Every handler checks that its socket is still the current one: an old socket's late
    // events (its close, its queued frames) must not disturb the new connection.
    ws.onopen = () => { if (ws === state.ws) sendHello(); };
    ws.onmessage = (ev) => { if (ws === state.ws) onFrame(ev.data); };
    ws.onclose = (ev) => { if (ws === state.ws) onClose(ev); };
    ws.onerror = () => { /* onclose follows and decides */ };
  }

  function sendHello() {
    const hello = { type: 'hello', device: store.device, protocol: 1 };
    if (state.pairing) {
      hello.pairing = state.pairing;
    } else {
      hello.user = store.name;
      if (store.token) hello.token = store.token;
    }
    if (store.password) hello.password = store.password;
    send(hello);
  }

  function send(frame) {
    if (!state.ws || state.ws.readyState !== WebSocket.OPEN) return false;
    state.ws.send(JSON.stringify(frame));
    return true;
  }

  function sendWhenWelcomed(frame) {
    if (state.welcomed && send(frame)) return true;
    notConnected();
    return false;
  }

  function notConnected() {
    toast('not_connected', 'Not connected to the hub right now; try again in a moment.');
  }

  function onClose(ev) {
    const wasWelcomed = state.welcomed;
    state.ws = null;
    state.welcomed = false;
    clearTyping();
    let refusal = state.refusal;
    if (!refusal && ev.code === 4002) refusal = { code: 'replaced', text: PLAIN.replaced };
    if (!refusal && ev.code === 4013) {
      refusal = { code: 'banned', title: 'You are banned from this hub', text: PLAIN.banned };
    }
    if (!refusal && FATAL_CLOSES.has(ev.code)) {
      refusal = { code: String(ev.code), text: ev.reason || `The hub closed the connection (${ev.code}).` };
    }
    if (refusal) return stopWith(refusal);
    if (wasWelcomed) state.attempt = 0;
    // Anything else is a drop (network, hub restart, heartbeat): come back by ourselves.
    scheduleReconnect(ev.code === 1001 ? 'The hub stopped' : 'Connection lost');
  }

  // Kicked or refused: say why and wait for the person to decide.
  function stopWith(refusal) {
    clearRetry();
    // A ban is not a typo in the login form: it gets the blocking screen even on the first try.
    if (!state.everWelcomed && refusal.code !== 'banned') {
      // The first login of this page failed: back to the form, with the reason.
      if (refusal.code !== 'bad_password') state.pairing = null;
      showLogin(refusal.text, refusal.code === 'bad_password' ? '#password' : '#name');
      setConnState(refusal.text);
      return;
    }
    setConnState(refusal.title || refusal.text);
    $('#fatal-title').textContent = refusal.title || 'You are no longer in the chat';
    $('#fatal-reason').textContent = refusal.text;
    $('#login').hidden = true;
    $('#fatal').hidden = false;
    $('#reconnect-button').focus();
  }

  function scheduleReconnect(why = 'Connection lost') {
    clearRetry();
    const base = Math.min(BACKOFF_MAX_S, 2 ** state.attempt);
    state.attempt += 1;
    // ±20 % jitter, so a hub restart is not met by every browser in the same instant.
    const delayMs = Math.min(BACKOFF_MAX_S, base * (0.8 + Math.random() * 0.4)) * 1000;
    const due = Date.now() + delayMs;
    const tell = () => {
      const s = Math.max(1, Math.round((due - Date.now()) / 1000));
      const text = `${why} — reconnecting in ${s} s`;
      setConnState(text, 'waiting');
      if (!$('#login').hidden) {
        $('#login-error').textContent = `Cannot reach the hub — reconnecting in ${s} s`;
        $('#join-button').disabled = false;
        $('#join-button').textContent = 'Join';
      }
    };
    tell();
    state.countdownTimer = setInterval(tell, 1000);
    state.retryTimer = setTimeout(connect, delayMs);
  }

  function clearRetry() {
    clearTimeout(state.retryTimer);
    clearInterval(state.countdownTimer);
    state.retryTimer = state.countdownTimer = null;
  }

  // Close the socket as if the network had gone: the normal drop path reconnects.
  function dropConnection() {
    if (state.ws) state.ws.close();
  }

  function setConnState(text, kind = '') {
    const node = $('#connection-state');
    node.textContent = text;
    node.dataset.state = kind;
  }

  // ---------------------------------------------------------------------------------------------
  // Incoming frames
  // ---------------------------------------------------------------------------------------------

  const handlers = {
    welcome: onWelcome,
    error: onError,
    ack: onAck,
    joined: onJoined,
    recovery: onRecovery,
    history: onHistory,
    left: onLeft,
    message: onMessage,
    deleted: (f) => withRoom(f, (p) => markRemoved(p, f.seq)),
    muted: onMuted,
    unmuted: onUnmuted,
    room_settings: (f) => withRoom(f, (p) => setSettings(p, f.settings, true)),
    dm: onDm,
    multicast: onMulticast,
    presence: onPresence,
    member_joined: (f) => withRoom(f, (p) => {
      if (!p.members.has(keyOf(f.user))) setCount(p, p.count + 1);
      setMember(p, f.user, f.status || 'online');
      membersChanged(p);
    }),
    member_left: (f) => withRoom(f, (p) => {
      if (p.members.delete(keyOf(f.user))) setCount(p, p.count - 1);
      membersChanged(p);
    }),
    members_changed: onMembersChanged,
    typing: onTyping,
    rooms: onRooms,
    who: onWho,
    announcement: onAnnouncement,
    kicked: (f) => {
      const by = f.by ? ` by ${f.by}` : '';
      state.refusal = { code: 'kicked', text: `You were removed from the hub${by}: ${f.reason || 'no reason given'}` };
    },
    topic: (f) => { withRoom(f, (p) => setTopic(p, f.topic)); refreshRoomsSoon(); },
    room_created: refreshRoomsSoon,
    room_deleted: refreshRoomsSoon,
    pairing: onPairing,
  };

  function onFrame(data) {
    let frame;
    try { frame = JSON.parse(data); } catch { return toast('bad_frame', 'The hub sent something this page cannot read.'); }
    const handler = handlers[frame.type];
    if (handler) handler(frame);
  }

  function onWelcome(f) {
    state.welcomed = true;
    state.everWelcomed = true;
    state.attempt = 0;
    state.pairing = null;
    state.me = f.user;
    state.limits = f.limits || state.limits;
    store.name = f.user;
    store.token = f.token;
    store.auto = true;
    // First login in this browser: nothing remembered yet, so start in `general` if it exists.
    state.autoJoinGeneral = !Array.isArray(store.rooms);
    saveStore();
    showChat();
    $('#me').textContent = f.user;
    setOwnStatus(f.status || 'online');
    setConnState(`connected to ${HUB_HOST} as ${f.user}`, 'connected');
    send({ type: 'rooms' });
    // Take our place back in every room this page (or this browser, after a reload) was in.
    const rooms = state.panes.size ? [...state.panes.values()].filter((p) => p.kind === 'room').map((p) => p.name)
      : (store.rooms || []);
    for (const room of rooms) requestJoin(room);
    clearInterval(state.roomsRefreshTimer);
    state.roomsRefreshTimer = setInterval(() => { if (state.welcomed) send({ type: 'rooms' }); }, ROOMS_REFRESH_MS);
  }

  function onError(f) {
    if (f.code === 'banned') {
      // The close (4013) follows; it shows this and never reconnects by itself.
      state.refusal = { code: 'banned', title: 'You are banned from this hub', text: bannedText(f) };
      return;
    }
    if (HELLO_REFUSALS.has(f.code)) {
      state.refusal = { code: f.code, text: refusalText(f) };
      // Before the first welcome the login form shows it; after, #fatal does and so does a toast.
      if (state.everWelcomed) toast(f.code, state.refusal.text);
      return;
    }
    if (f.ref !== undefined && state.pendingSay.has(f.ref)) return sayFailed(f);
    const pending = f.ref !== undefined ? state.pendingDm.get(f.ref) : undefined;
    if (pending) {
      state.pendingDm.delete(f.ref);
      const pane = dmPane(pending.to);
      addNote(pane, `Not delivered: “${shorten(pending.text)}” — ${readable(f)}`, 'failed');
      if (f.code === 'muted') return;
    }
    if (f.ref === 'history') return historyFailed(f);
    if (f.ref === 'join') return joinRefused(f);
    toast(f.code, readable(f));
  }

  function joinRefused(f) {
    const key = state.joinQueue[0];
    if (f.code === 'bad_room_password' && key !== undefined) {
      state.joinQueue.shift();
      return askRoomPassword(key, state.roomPasswords.has(key));
    }
    const room = joinFailed();
    switch (f.code) {
      case 'no_such_room': return toast(f.code, `The room ${room} does not exist (any more).`);
      case 'room_full': return toast(f.code, `You cannot join ${room} right now: it is full. Try again when someone leaves.`);
      case 'room_locked': return toast(f.code, `You cannot join ${room}: the operator has locked it, so it takes no new members.`);
      default: return toast(f.code, readable(f));
    }
  }

  // A refused `say`: say why where it was typed, and give the text back so nothing is lost.
  function sayFailed(f) {
    const { key, text } = state.pendingSay.get(f.ref);
    state.pendingSay.delete(f.ref);
    const pane = roomPaneByKey(key);
    if (!pane) return toast(f.code, readable(f));
    if (!pane.composer.value) {
      pane.composer.value = text;
      autosize(pane.composer);
    }
    if (f.code === 'slow_mode') return startSlowCountdown(pane, f.retry_after_s);
    if (f.code === 'muted') {
      state.mutes.set(state.mutes.has('') ? '' : key, f.until ?? null);
      renderFlags(pane);
      return addNote(pane, `You are muted in ${pane.name} ${timeLeft(f.until)}. Your message was not sent.`, 'failed moderation');
    }
    addNote(pane, `Not sent: “${shorten(text)}” — ${readable(f)}`, 'failed');
  }

  function bannedText(f) {
    const why = f.message ? f.message.charAt(0).toUpperCase() + f.message.slice(1) : PLAIN.banned;
    const until = f.until
      ? `The ban ends on ${new Date(f.until).toLocaleString()} (${timeLeft(f.until, 'in', '')}).`
      : 'The ban has no end: it lasts until the operator lifts it.';
    return `${why}. ${until}`;
  }

  function refusalText(f) {
    if (f.code === 'bad_name') return `${PLAIN.bad_name}: ${f.message || 'it breaks the name rules'}.`;
    return PLAIN[f.code] || f.message || f.code;
  }

  // An error frame in words a person understands; the hub's own message otherwise.
  function readable(f) {
    const msg = f.message || '';
    switch (f.code) {
      case 'no_such_user': return `That person is not online, so it was not delivered (${msg}).`;
      case 'too_large': return `That is too long: at most ${state.limits.max_text_chars} characters (${msg}).`;
      case 'no_such_room': return `There is no such room (${msg}).`;
      case 'not_in_room': return `You are not in that room any more (${msg}).`;
      case 'bad_field': return `The hub refused that: ${msg}.`;
      case 'muted': return `You are muted on this hub ${timeLeft(f.until)}.`;
      case 'slow_mode': return `Slow mode: you can send again in ${f.retry_after_s} s.`;
      case 'room_full': return `That room is full (${msg}).`;
      case 'room_locked': return `That room is locked by the operator (${msg}).`;
      case 'bad_room_password': return `That room needs its password (${msg}).`;
      default: return msg ? `${msg} (${f.code})` : `The hub refused a request (${f.code}).`;
    }
  }

  function onAck(f) {
    const say = state.pendingSay.get(f.cid);
    if (say) {
      state.pendingSay.delete(f.cid);
      const pane = roomPaneByKey(say.key);
      if (!pane) return;
      // Taken, so no mute covers the room: one lifted while this page was away ends here.
      if (state.mutes.has(say.key) || state.mutes.has('')) {
        state.mutes.delete(say.key);
        state.mutes.delete('');
        renderFlags(pane);
      }
      // The hub counts slow mode from the message it took: show the wait before a refusal does.
      if (pane.settings.slow_mode_s > 0) startSlowCountdown(pane, pane.settings.slow_mode_s);
      return;
    }
    const pending = state.pendingDm.get(f.cid);
    if (!pending) return;
    state.pendingDm.delete(f.cid);
    // The sending connection gets no copy of its own dm (except to itself), so show it now.
    const stored = Array.isArray(f.stored) && f.stored.length
      ? `will be delivered when ${listNames(f.stored)} ${f.stored.length === 1 ? 'is' : 'are'} back` : undefined;
    if (!isMe(pending.to)) addMessage(dmPane(pending.to), state.me, new Date().toISOString(), pending.text, stored);
  }

  function onJoined(f) {
    const queued = state.joinQueue.indexOf(keyOf(f.room));
    if (queued >= 0) state.joinQueue.splice(queued, 1);
    const pane = roomPane(f.room);
    setTopic(pane, f.topic || '');
    pane.members.clear();
    for (const m of f.members || []) setMember(pane, m.user, m.status);
    if (f.next) send({ type: 'who', room: f.room, after: f.next });
    setCount(pane, f.count);
    // Another epoch: what this pane shows is from a history the hub no longer has.
    if (f.epoch && pane.epoch && f.epoch !== pane.epoch) forgetSeqs(pane);
    if (f.epoch) pane.epoch = f.epoch;
    if (f.settings) setSettings(pane, f.settings, false);
    if (Array.isArray(f.history)) showJoinHistory(pane, f.history);
    // What went by since `since` comes in the `recovery` right behind this frame.
    pane.gapUntil = f.seq;
    pane.lastSeq = Math.max(pane.lastSeq || 0, f.seq);
    rememberSeen(pane);
    rememberRooms();
    if (state.openOnJoin === keyOf(f.room) || !state.active) {
      state.openOnJoin = null;
      activate(pane.id);
    }
    if (state.memberRoom === keyOf(f.room)) renderMembers();
    renderRooms();
  }

  // The hub answers frames in order, so a refused `join` is the oldest one not yet answered.
  // Typically a room deleted while this page was away: its pane goes.
  function joinFailed() {
    const key = state.joinQueue.shift();
    if (state.openOnJoin === key) state.openOnJoin = null;
    const pane = [...state.panes.values()].find((p) => p.kind === 'room' && p.key === key);
    if (pane) closePane(pane);
    rememberRooms();
    refreshRoomsSoon();
    return pane ? pane.name : key;
  }

  function onLeft(f) {
    const pane = state.panes.get('room:' + findRoomName(f.room));
    forgetSeen(keyOf(f.room));
    // A `left` we did not ask for means the operator deleted the room.
    if (!state.leaving.delete(keyOf(f.room))) toast('room_deleted', `You are no longer in ${f.room}: the operator deleted the room.`, 'info');
    if (pane) closePane(pane);
    rememberRooms();
    renderRooms();
    refreshRoomsSoon();
  }

  function onMessage(f) {
    withRoom(f, (pane) => {
      pane.typing.delete(keyOf(f.from));
      renderTyping(pane);
      if (typeof f.seq !== 'number') return addMessage(pane, f.from, f.ts, f.text);
      showEntry(pane, f, true);
      pane.lastSeq = Math.max(pane.lastSeq || 0, f.seq);
      rememberSeen(pane);
    });
  }

  // A stored dm was kept by the hub while this user had no device online.
  const awayNote = (f) => (f.stored ? 'sent while you were away' : '');

  function onDm(f) {
    const peer = isMe(f.from) ? f.to : f.from;
    addMessage(dmPane(peer), f.from, f.ts, f.text, awayNote(f) || undefined);
  }

  function onMulticast(f) {
    const others = (f.to || []).filter((u) => !isMe(u));
    const peer = isMe(f.from) ? others[0] : f.from;
    if (!peer) return;
    const extra = [`to ${(f.to || []).join(', ')}`, awayNote(f)].filter(Boolean).join(', ');
    addMessage(dmPane(peer), f.from, f.ts, f.text, extra);
  }

  function onPresence(f) {
    state.presence.set(keyOf(f.user), f.status);
    if (isMe(f.user) && f.status !== 'offline') setOwnStatus(f.status);
    for (const pane of state.panes.values()) {
      if (pane.kind === 'room' && pane.members.has(keyOf(f.user))) pane.members.get(keyOf(f.user)).status = f.status;
      if (pane.kind === 'dm' && keyOf(pane.name) === keyOf(f.user)) pane.tab.dataset.status = f.status;
    }
    renderMembers();
  }

  function onMembersChanged(f) {
    withRoom(f, (pane) => {
      for (const u of f.joined || []) setMember(pane, u, state.presence.get(keyOf(u)) || 'online');
      for (const u of f.left || []) pane.members.delete(keyOf(u));
      setCount(pane, f.count);
      membersChanged(pane);
    });
  }

  function onWho(f) {
    withRoom(f, (pane) => {
      for (const m of f.members || []) setMember(pane, m.user, m.status);
      if (f.next) send({ type: 'who', room: f.room, after: f.next });
      membersChanged(pane);
    });
  }

  function onTyping(f) {
    withRoom(f, (pane) => {
      const k = keyOf(f.user);
      clearTimeout(pane.typing.get(k)?.timer);
      const timer = setTimeout(() => { pane.typing.delete(k); renderTyping(pane); }, TYPING_SHOW_MS);
      pane.typing.set(k, { name: f.user, timer });
      renderTyping(pane);
    });
  }

  function onRooms(f) {
    state.rooms.clear();
    for (const r of f.rooms || []) {
      state.rooms.set(keyOf(r.room), { name: r.room, topic: r.topic, count: r.count });
      // The hub answers in order, so this count is as fresh as the member frames before it.
      const pane = state.panes.get('room:' + findRoomName(r.room));
      if (pane) pane.count = r.count;
    }
    if (state.autoJoinGeneral) {
      state.autoJoinGeneral = false;
      const general = state.rooms.get('general');
      if (general && !state.panes.has('room:' + general.name)) joinRoom(general.name);
      if (!Array.isArray(store.rooms)) { store.rooms = []; saveStore(); }
    }
    renderRooms();
    renderMembers();
  }

  function onAnnouncement(f) {
    const box = el('div', 'announcement');
    box.setAttribute('role', 'status');
    const where = f.room ? ` in ${f.room}` : '';
    const body = el('p', 'announcement-body');
    body.append(el('strong', 'announcement-from', `${f.from || 'Operator'}${where}: `),
      el('span', 'announcement-text', f.text), ' ', el('time', 'announcement-time', localTime(f.ts)));
    box.append(body);
    const close = el('button', 'dismiss', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss announcement');
    close.onclick = () => box.remove();
    box.append(close);
    $('#announcements').append(box);
    if (f.room) withRoom(f, (pane) => addNote(pane, `Announcement from ${f.from || 'the operator'}: ${f.text}`, 'room-announcement'));
  }

  // Runs fn with the pane of a room this page has joined; frames for other rooms are ignored.
  function withRoom(f, fn) {
    const pane = state.panes.get('room:' + findRoomName(f.room));
    if (pane) fn(pane);
  }

  function membersChanged(pane) {
    if (state.memberRoom === pane.key) renderMembers();
  }

  function findRoomName(name) {
    for (const p of state.panes.values()) if (p.kind === 'room' && p.key === keyOf(name)) return p.name;
    return name;
  }

  // ---------------------------------------------------------------------------------------------
  // History, recovery and deleted messages. Room messages are kept in seq order whatever way
  // they arrive (join history, recovery, "load older", live), and a seq is shown once.
  // ---------------------------------------------------------------------------------------------

  function showJoinHistory(pane, entries) {
    for (const entry of entries) showEntry(pane, entry, false);
    // joined.history has no `more`: an oldest seq above 1 is worth one `history` request.
    if (entries.length) pane.moreOlder = entries[0].seq > 1 && oldestSeq(pane) > 1;
    renderOlder(pane);
  }

  function onRecovery(f) {
    withRoom(f, (pane) => {
      if (f.epoch && f.epoch !== pane.epoch) {
        forgetSeqs(pane);
        pane.epoch = f.epoch;
      }
      const since = state.sinceSent.get(pane.key);
      state.sinceSent.delete(pane.key);
      if (f.ok) {
        for (const entry of f.messages || []) showEntry(pane, entry, true);
      } else {
        addGapNotice(pane, f, since);
      }
      rememberSeen(pane);
    });
  }

  // ok: false: nothing was replayed. Say how much is missing and why, and offer to page through
  // what the hub still keeps.
  function addGapNotice(pane, f, since) {
    const n = typeof f.missing === 'number' ? f.missing : null;
    const what = n === null ? 'the messages sent while you were away' : `${n} message${n === 1 ? '' : 's'}`;
    const why = RECOVERY_REASONS[f.reason] || f.reason || 'the hub did not say why';
    const li = el('li', 'note gap');
    li.append(el('span', 'gap-text', `Could not recover ${what} (${why}).`), ' ');
    appendItem(pane, li);
    // A new history already on show (a reload's join history): "load older" pages through it.
    if (f.reason === 'epoch_changed' && pane.bySeq.size) return;
    const button = el('button', 'load-missed quiet', 'Load history');
    button.type = 'button';
    // After an epoch change the old seqs mean nothing: start from the newest page instead.
    const gap = { li, button, after: f.reason === 'epoch_changed' ? null : since ?? null, until: pane.gapUntil };
    button.onclick = () => loadMissed(pane, gap);
    li.append(button);
  }

  function loadMissed(pane, gap) {
    const frame = { type: 'history', room: pane.name, limit: HISTORY_PAGE };
    if (gap.after !== null) frame.after = gap.after;
    if (!sendHistory(pane, frame, { kind: 'missed', gap })) return;
    gap.button.disabled = true;
    gap.button.textContent = 'Loading…';
  }

  function requestOlder(pane) {
    const before = oldestSeq(pane);
    const frame = { type: 'history', room: pane.name, limit: HISTORY_PAGE };
    if (before !== Infinity) frame.before = before;
    if (!sendHistory(pane, frame, { kind: 'older' })) return;
    pane.olderButton.disabled = true;
    pane.olderButton.textContent = 'Loading…';
  }

  // `history` answers carry no request id; the hub answers in order, so a queue matches them.
  function sendHistory(pane, frame, request) {
    if (!sendWhenWelcomed(frame)) return false;
    state.historyQueue.push({ key: pane.key, ...request });
    return true;
  }

  function onHistory(f) {
    const request = state.historyQueue.shift();
    withRoom(f, (pane) => {
      if (f.epoch && f.epoch !== pane.epoch) {
        forgetSeqs(pane);
        pane.epoch = f.epoch;
      }
      const entries = f.messages || [];
      if (request && request.kind === 'older') return showOlder(pane, entries, f.more);
      for (const entry of entries) showEntry(pane, entry, false);
      if (request && request.kind === 'missed') missedLoaded(request.gap, entries, f.more);
    });
  }

  function showOlder(pane, entries, more) {
    // Keep the reader where they were: older messages grow the list above them.
    const list = pane.messages;
    const fromBottom = list.scrollHeight - list.scrollTop;
    for (const entry of entries) showEntry(pane, entry, false);
    list.scrollTop = list.scrollHeight - fromBottom;
    pane.moreOlder = Boolean(more) && entries.length > 0;
    pane.olderDone = !pane.moreOlder;
    renderOlder(pane);
  }

  function missedLoaded(gap, entries, more) {
    const last = entries.length ? entries[entries.length - 1].seq : null;
    // Paging forward from `since`: done once the page reaches what `joined` said was the latest.
    const done = gap.after === null || !more || last === null || last >= gap.until;
    if (done) return gap.button.remove();
    gap.after = last;
    gap.button.disabled = false;
    gap.button.textContent = 'Load more';
  }

  function historyFailed(f) {
    const request = state.historyQueue.shift();
    const pane = request && roomPaneByKey(request.key);
    if (pane) resetHistoryControls(pane);
    toast(f.code, readable(f));
  }

  function resetHistoryControls(pane) {
    if (pane.kind !== 'room') return;
    renderOlder(pane);
    for (const button of pane.messages.querySelectorAll('.load-missed')) {
      button.disabled = false;
      button.textContent = 'Load history';
    }
  }

  function renderOlder(pane) {
    if (!pane.olderItem) return;
    pane.olderItem.hidden = !pane.moreOlder && !pane.olderDone;
    pane.olderButton.hidden = !pane.moreOlder;
    pane.olderButton.disabled = false;
    pane.olderButton.textContent = 'Load older messages';
    pane.olderHint.hidden = pane.moreOlder || !pane.olderDone;
  }

  // One room message (live, or an entry of history or recovery) in its place by seq. Returns
  // whether it was new; a tombstone for a seq already shown removes that message.
  function showEntry(pane, entry, unread) {
    if (typeof entry.seq !== 'number') return false;
    if (pane.bySeq.has(entry.seq)) {
      if (entry.deleted) markRemoved(pane, entry.seq);
      return false;
    }
    const li = entry.deleted ? removedItem() : messageItem(entry.from, entry.ts, entry.text);
    li.dataset.seq = String(entry.seq);
    pane.bySeq.set(entry.seq, li);
    insertBySeq(pane, li, entry.seq);
    if (unread && !entry.deleted) countUnread(pane, entry.from);
    return true;
  }

  function insertBySeq(pane, li, seq) {
    // Nearly always the newest: walk from the end to the first item with a smaller seq.
    let next = null;
    for (let node = pane.messages.lastElementChild; node; node = node.previousElementSibling) {
      if (node.dataset.seq === undefined) continue;
      if (Number(node.dataset.seq) < seq) break;
      next = node;
    }
    if (!next) return appendItem(pane, li);
    const list = pane.messages;
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.insertBefore(li, next);
    scrollToEnd(pane, atEnd);
  }

  function removedItem() {
    return el('li', 'note removed', 'message removed by the operator');
  }

  function markRemoved(pane, seq) {
    const old = pane.bySeq.get(seq);
    if (!old || old.classList.contains('removed')) return;
    const li = removedItem();
    li.dataset.seq = String(seq);
    old.replaceWith(li);
    pane.bySeq.set(seq, li);
  }

  function oldestSeq(pane) {
    let oldest = Infinity;
    for (const seq of pane.bySeq.keys()) oldest = Math.min(oldest, seq);
    return oldest;
  }

  // A new epoch: the seqs shown belong to a history the hub no longer has, so they no longer
  // place or match anything. The messages stay on screen as they were.
  function forgetSeqs(pane) {
    for (const li of pane.bySeq.values()) delete li.dataset.seq;
    pane.bySeq.clear();
    pane.lastSeq = null;
    pane.moreOlder = false;
    pane.olderDone = false;
    renderOlder(pane);
    forgetSeen(pane.key);
  }

  // ---------------------------------------------------------------------------------------------
  // Moderation: mutes, slow mode, room settings, room passwords
  // ---------------------------------------------------------------------------------------------

  // "for 9 more minutes" (or with lead 'in' and more '': "in 9 minutes"), or "until the
  // operator lifts it" when there is no end.
  function timeLeft(until, lead = 'for', more = ' more') {
    if (!until) return 'until the operator lifts it';
    const s = Math.max(1, Math.ceil((Date.parse(until) - Date.now()) / 1000));
    const m = Math.ceil(s / 60);
    const h = Math.round(m / 60);
    if (s < 60) return `${lead} ${s}${more} second${s === 1 ? '' : 's'}`;
    if (m < 120) return `${lead} ${m}${more} minute${m === 1 ? '' : 's'}`;
    if (h < 48) return `${lead} about ${h}${more} hours`;
    return `until ${new Date(until).toLocaleString()}`;
  }

  function muteCovers(pane) {
    for (const key of [pane.key, '']) {
      if (!state.mutes.has(key)) continue;
      const until = state.mutes.get(key);
      if (!until || Date.parse(until) > Date.now()) return true;
    }
    return false;
  }

  function roomPanes() {
    return [...state.panes.values()].filter((p) => p.kind === 'room');
  }

  function roomPaneByKey(key) {
    return roomPanes().find((p) => p.key === key);
  }

  function onMuted(f) {
    const by = f.by ? ` by ${f.by}` : '';
    const reason = f.reason ? `: ${f.reason}` : '';
    state.mutes.set(f.room ? keyOf(f.room) : '', f.until ?? null);
    if (!f.room) {
      toast('muted', `You were muted on the whole hub${by} ${timeLeft(f.until)}${reason}.`, 'info');
      for (const pane of roomPanes()) renderFlags(pane);
      return;
    }
    withRoom(f, (pane) => {
      addNote(pane, `You were muted in ${pane.name}${by} ${timeLeft(f.until)}${reason}. Others do not see what you write here until then.`, 'moderation');
      renderFlags(pane);
    });
  }

  function onUnmuted(f) {
    state.mutes.delete(f.room ? keyOf(f.room) : '');
    if (!f.room) {
      toast('unmuted', 'You are no longer muted: you can send messages again.', 'info');
      for (const pane of roomPanes()) renderFlags(pane);
      return;
    }
    withRoom(f, (pane) => {
      addNote(pane, `You are no longer muted in ${pane.name}: you can send messages again.`, 'moderation');
      renderFlags(pane);
    });
  }

  function setSettings(pane, settings, announce) {
    const before = pane.settings;
    pane.settings = { max_members: 0, locked: false, slow_mode_s: 0, password: false, ...settings };
    renderFlags(pane);
    if (pane.settings.slow_mode_s <= 0) stopSlowCountdown(pane);
    if (!announce) return;
    const now = pane.settings;
    const said = [];
    if (now.slow_mode_s !== before.slow_mode_s) {
      said.push(now.slow_mode_s > 0 ? `turned on slow mode: one message per person every ${now.slow_mode_s} s`
        : 'turned slow mode off');
    }
    if (now.locked !== before.locked) said.push(now.locked ? 'locked the room: it takes no new members' : 'unlocked the room');
    if (now.password !== before.password) said.push(now.password ? 'set a room password' : 'removed the room password');
    if (now.max_members !== before.max_members) {
      said.push(now.max_members > 0 ? `limited the room to ${now.max_members} members` : 'removed the member limit');
    }
    if (said.length) addNote(pane, `The operator ${said.join(', ')}.`, 'moderation');
  }

  // The room's state in its header, in words: slow mode, locked, password, size, muted.
  function renderFlags(pane) {
    if (!pane.flagsNode) return;
    const s = pane.settings;
    const flags = [];
    if (s.slow_mode_s > 0) flags.push(['slow', `Slow mode: one message every ${s.slow_mode_s} s`]);
    if (s.locked) flags.push(['locked', 'Locked: no new members']);
    if (s.password) flags.push(['password', 'Needs a password']);
    if (s.max_members > 0) flags.push(['limit', `At most ${s.max_members} members`]);
    if (muteCovers(pane)) flags.push(['muted', 'You are muted here']);
    pane.flagsNode.replaceChildren(...flags.map(([cls, text]) => el('span', `flag flag-${cls}`, text)));
    pane.flagsNode.hidden = flags.length === 0;
  }

  function startSlowCountdown(pane, seconds) {
    const s = Math.max(1, Number(seconds) || 1);
    pane.slowUntil = Math.max(pane.slowUntil || 0, Date.now() + s * 1000);
    clearInterval(pane.slowTimer);
    pane.slowTimer = setInterval(() => tickSlow(pane), 250);
    tickSlow(pane);
  }

  function tickSlow(pane) {
    const left = Math.ceil((pane.slowUntil - Date.now()) / 1000);
    if (left <= 0) return stopSlowCountdown(pane);
    pane.sendButton.disabled = true;
    pane.sendButton.textContent = `${left} s`;
    pane.composerNote.textContent = `Slow mode: you can send again in ${left} s`;
  }

  function stopSlowCountdown(pane) {
    clearInterval(pane.slowTimer);
    pane.slowTimer = null;
    pane.slowUntil = 0;
    if (!pane.sendButton) return;
    pane.sendButton.disabled = false;
    pane.sendButton.textContent = 'Send';
    pane.composerNote.textContent = '';
  }

  // bad_room_password: ask for it, then join again with it. Cancel gives the room up.
  function askRoomPassword(key, wasWrong) {
    const name = state.rooms.get(key)?.name || findRoomName(key);
    $('#room-password-title').textContent = `${name} needs a password`;
    $('#room-password-error').textContent = wasWrong ? 'That password is not right. Try again.' : '';
    $('#room-password-input').value = '';
    $('#room-password').dataset.room = name;
    $('#room-password').hidden = false;
    $('#room-password-input').focus();
  }

  function onRoomPasswordSubmit(ev) {
    ev.preventDefault();
    const name = $('#room-password').dataset.room;
    const password = $('#room-password-input').value;
    if (!password) return $('#room-password-input').focus();
    $('#room-password').hidden = true;
    state.roomPasswords.set(keyOf(name), password);
    state.openOnJoin = keyOf(name);
    if (state.welcomed) requestJoin(name);
  }

  function cancelRoomPassword() {
    const name = $('#room-password').dataset.room;
    $('#room-password').hidden = true;
    state.roomPasswords.delete(keyOf(name));
    const pane = state.panes.get('room:' + findRoomName(name));
    if (pane) closePane(pane);
    forgetSeen(keyOf(name));
    rememberRooms();
    renderRooms();
  }

  // ---------------------------------------------------------------------------------------------
  // Rooms list and members
  // ---------------------------------------------------------------------------------------------

  function joinRoom(name) {
    if (!state.welcomed) return notConnected();
    state.openOnJoin = keyOf(name);
    requestJoin(name);
  }

  // A pane that already shows the room asks only for what it missed (`since`); a new one also
  // starts with the recent past (`history`), and after a reload both come from localStorage.
  function requestJoin(room) {
    const key = keyOf(room);
    const pane = state.panes.get('room:' + findRoomName(room));
    const frame = { type: 'join', room };
    const seen = pane && pane.epoch ? { seq: pane.lastSeq || 0, epoch: pane.epoch } : store.seen?.[key];
    if (seen && seen.epoch) frame.since = { seq: seen.seq, epoch: seen.epoch };
    if (!pane || !pane.bySeq.size) frame.history = HISTORY_ON_JOIN;
    if (state.roomPasswords.has(key)) frame.password = state.roomPasswords.get(key);
    if (!send(frame)) return;
    state.joinQueue.push(key);
    if (frame.since) state.sinceSent.set(key, frame.since.seq);
  }

  function refreshRoomsSoon() {
    // Several membership frames in a row cost one `rooms` request.
    if (state.roomsRefreshSoon) return;
    state.roomsRefreshSoon = setTimeout(() => {
      state.roomsRefreshSoon = null;
      if (state.welcomed) send({ type: 'rooms' });
    }, 500);
  }

  function renderRooms() {
    const list = $('#rooms');
    list.replaceChildren();
    for (const room of state.rooms.values()) {
      const pane = state.panes.get('room:' + findRoomName(room.name));
      const li = el('li');
      const btn = el('button', 'room' + (pane ? ' joined' : ''));
      btn.type = 'button';
      btn.dataset.room = room.name;
      btn.title = room.topic ? `${room.name}: ${room.topic}` : room.name;
      const count = room.count;
      const countNode = el('span', 'count', String(count));
      countNode.setAttribute('aria-label', `${count} member${count === 1 ? '' : 's'}`);
      btn.append(el('span', 'room-name', room.name), countNode);
      if (pane && state.active === pane.id) btn.setAttribute('aria-current', 'true');
      btn.onclick = () => {
        if (pane) activate(pane.id); else joinRoom(room.name);
        closeDrawer();
      };
      li.append(btn);
      list.append(li);
    }
    if (!state.rooms.size) list.append(el('li', 'hint', 'No rooms on this hub yet.'));
  }

  function setMember(pane, user, status) {
    const k = keyOf(user);
    const known = state.presence.get(k);
    pane.members.set(k, { name: user, status: status || known || 'online' });
    if (status) state.presence.set(k, status);
  }

  function setCount(pane, count) {
    pane.count = Math.max(0, count | 0);
    const room = state.rooms.get(pane.key);
    if (room) room.count = pane.count;
    const node = $(`#rooms [data-room="${cssEscape(pane.name)}"] .count`);
    if (node) node.textContent = String(pane.count);
    refreshRoomsSoon();
  }

  function renderMembers() {
    const list = $('#members');
    list.replaceChildren();
    const pane = [...state.panes.values()].find((p) => p.kind === 'room' && p.key === state.memberRoom);
    $('#members-room').textContent = pane ? `of ${pane.name} (${pane.count})` : '';
    if (!pane) return void list.append(el('li', 'hint', 'Join a room to see who is in it.'));
    const members = [...pane.members.values()].sort((a, b) => keyOf(a.name).localeCompare(keyOf(b.name)));
    for (const m of members) {
      const li = el('li');
      const btn = el('button', 'member');
      btn.type = 'button';
      btn.dataset.user = m.name;
      btn.dataset.status = m.status;
      btn.title = `${m.name}: ${m.status} — click for a direct message`;
      btn.append(el('span', 'dot'), el('span', 'member-name', m.name + (isMe(m.name) ? ' (you)' : '')),
        el('span', 'sr-only', `, ${m.status}`));
      btn.onclick = () => { activate(dmPane(m.name).id); closeDrawer(); };
      li.append(btn);
      list.append(li);
    }
    if (pane.members.size < pane.count) list.append(el('li', 'hint', `… and ${pane.count - pane.members.size} more`));
  }

  function setOwnStatus(status) {
    state.status = status;
    $('#status-select').value = status;
  }

  // ---------------------------------------------------------------------------------------------
  // Panes and tabs
  // ---------------------------------------------------------------------------------------------

  function roomPane(name) {
    return state.panes.get('room:' + findRoomName(name)) || createPane('room', name);
  }

  function dmPane(user) {
    for (const p of state.panes.values()) if (p.kind === 'dm' && p.key === keyOf(user)) return p;
    return createPane('dm', user);
  }

  function createPane(kind, name) {
    const id = `${kind}:${name}`;
    const pane = { id, kind, name, key: keyOf(name), unread: 0, count: 0, lastSeq: null,
      members: new Map(), typing: new Map(), lastTypingSent: 0,
      epoch: null, bySeq: new Map(), moreOlder: false, olderDone: false, gapUntil: 0,
      settings: { max_members: 0, locked: false, slow_mode_s: 0, password: false },
      slowUntil: 0, slowTimer: null };

    const section = el('section', 'pane');
    section.dataset.pane = id;
    section.setAttribute('role', 'tabpanel');
    section.hidden = true;
    const head = el('header', 'pane-head');
    const title = el('h2', 'pane-title', kind === 'room' ? name : `Direct messages with ${name}`);
    head.append(title);
    if (kind === 'room') {
      pane.topicNode = el('p', 'topic');
      const leave = el('button', 'leave quiet', 'Leave room');
      leave.type = 'button';
      leave.onclick = () => { if (sendWhenWelcomed({ type: 'leave', room: name })) state.leaving.add(pane.key); };
      pane.flagsNode = el('p', 'room-flags');
      pane.flagsNode.hidden = true;
      head.append(pane.topicNode, pane.flagsNode, leave);
    }
    const messages = el('ol', 'messages');
    messages.setAttribute('role', 'log');
    messages.setAttribute('aria-live', 'polite');
    messages.setAttribute('aria-label', `Messages in ${kind === 'room' ? name : 'the conversation with ' + name}`);
    if (kind === 'room') messages.append(olderItem(pane));
    const typing = el('p', 'typing');
    typing.setAttribute('aria-live', 'polite');
    const composerNote = el('p', 'composer-note');
    composerNote.setAttribute('aria-live', 'polite');
    const form = el('form', 'composer-form');
    const label = el('label', 'sr-only', kind === 'room' ? `Message to ${name}` : `Direct message to ${name}`);
    const composer = el('textarea', 'composer');
    composer.id = 'composer-' + randomId();
    label.htmlFor = composer.id;
    composer.rows = 1;
    composer.placeholder = kind === 'room' ? `Message ${name}` : `Message ${name} directly`;
    const sendBtn = el('button', 'send', 'Send');
    sendBtn.type = 'submit';
    form.append(label, composer, sendBtn);
    section.append(head, messages, typing, composerNote, form);
    $('#panes').append(section);

    Object.assign(pane, { section, messages, typingNode: typing, composer, composerNote, sendButton: sendBtn });
    wireComposer(pane, form);
    pane.tab = createTab(pane);
    state.panes.set(id, pane);
    $('#empty-hint').hidden = true;
    return pane;
  }

  // The top of a room's list: "Load older messages" while the hub may have more.
  function olderItem(pane) {
    const li = el('li', 'older');
    li.hidden = true;
    pane.olderButton = el('button', 'load-older quiet', 'Load older messages');
    pane.olderButton.type = 'button';
    pane.olderButton.onclick = () => requestOlder(pane);
    pane.olderHint = el('span', 'hint', 'This is the start of what the hub keeps of this room.');
    li.append(pane.olderButton, pane.olderHint);
    pane.olderItem = li;
    return li;
  }

  function createTab(pane) {
    const tab = el('div', `tab tab-${pane.kind}`);
    tab.dataset.tab = pane.id;
    const label = el('button', 'tab-label');
    label.type = 'button';
    label.setAttribute('role', 'tab');
    label.setAttribute('aria-selected', 'false');
    const unread = el('span', 'unread');
    unread.hidden = true;
    label.append(el('span', 'tab-dot'), el('span', 'tab-name', pane.kind === 'room' ? pane.name : `@${pane.name}`), unread);
    label.onclick = () => activate(pane.id);
    tab.append(label);
    if (pane.kind === 'dm') {
      tab.dataset.status = state.presence.get(pane.key) || 'unknown';
      const close = el('button', 'tab-close', '×');
      close.type = 'button';
      close.setAttribute('aria-label', `Close the conversation with ${pane.name}`);
      close.onclick = () => closePane(pane);
      tab.append(close);
    }
    $('#tabs').append(tab);
    pane.unreadNode = unread;
    return tab;
  }

  function activate(id) {
    const pane = state.panes.get(id);
    if (!pane) return;
    state.active = id;
    for (const p of state.panes.values()) {
      const on = p.id === id;
      p.section.hidden = !on;
      p.tab.classList.toggle('active', on);
      $('.tab-label', p.tab).setAttribute('aria-selected', String(on));
    }
    setUnread(pane, 0);
    if (pane.kind === 'room') state.memberRoom = pane.key;
    renderMembers();
    renderRooms();
    scrollToEnd(pane, true);
    if (!window.matchMedia('(max-width: 640px)').matches) pane.composer.focus();
  }

  function closePane(pane) {
    pane.section.remove();
    pane.tab.remove();
    for (const t of pane.typing.values()) clearTimeout(t.timer);
    clearInterval(pane.slowTimer);
    state.panes.delete(pane.id);
    if (state.memberRoom === pane.key && pane.kind === 'room') state.memberRoom = null;
    if (state.active === pane.id) {
      state.active = null;
      const next = [...state.panes.values()].find((p) => p.kind === 'room') || [...state.panes.values()][0];
      if (next) activate(next.id);
    }
    $('#empty-hint').hidden = state.panes.size > 0;
    renderMembers();
  }

  function setUnread(pane, n) {
    pane.unread = n;
    pane.unreadNode.textContent = n ? String(n) : '';
    pane.unreadNode.hidden = n === 0;
    const total = [...state.panes.values()].reduce((sum, p) => sum + p.unread, 0);
    document.title = total ? `(${total}) Confab` : 'Confab';
  }

  function addMessage(pane, from, ts, text, extra) {
    appendItem(pane, messageItem(from, ts, text, extra));
    countUnread(pane, from);
  }

  function countUnread(pane, from) {
    if (!state.active) activate(pane.id);
    else if (state.active !== pane.id && !isMe(from)) setUnread(pane, pane.unread + 1);
  }

  function messageItem(from, ts, text, extra) {
    const li = el('li', 'message' + (isMe(from) ? ' mine' : ''));
    const meta = el('div', 'meta');
    const time = el('time', 'time', localTime(ts));
    if (ts) { time.dateTime = ts; time.title = new Date(ts).toLocaleString(); }
    meta.append(el('span', 'from', from), time);
    if (extra) meta.append(el('span', 'extra', extra));
    const body = el('div', 'text');
    body.append(linkify(text));
    li.append(meta, body);
    return li;
  }

  function addNote(pane, text, cls = '') {
    appendItem(pane, el('li', ('note ' + cls).trim(), text));
  }

  function appendItem(pane, li) {
    const list = pane.messages;
    // Keep following the conversation only if the reader was already at the bottom.
    const atEnd = list.scrollHeight - list.scrollTop - list.clientHeight < 40;
    list.append(li);
    scrollToEnd(pane, atEnd);
  }

  function scrollToEnd(pane, force) {
    if (force) pane.messages.scrollTop = pane.messages.scrollHeight;
  }

  function setTopic(pane, topic) {
    if (!pane.topicNode) return;
    pane.topicNode.textContent = topic || 'No topic';
    pane.topicNode.classList.toggle('empty', !topic);
  }

  function renderTyping(pane) {
    const names = [...pane.typing.values()].map((t) => t.name);
    let text = '';
    if (names.length === 1) text = `${names[0]} is typing…`;
    else if (names.length === 2) text = `${names[0]} and ${names[1]} are typing…`;
    else if (names.length > 2) text = `${names.length} people are typing…`;
    pane.typingNode.textContent = text;
  }

  function clearTyping() {
    for (const pane of state.panes.values()) {
      for (const t of pane.typing.values()) clearTimeout(t.timer);
      pane.typing.clear();
      renderTyping(pane);
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Composer: Enter sends, Shift+Enter is a new line, typing frames at most every 2 s
  // ---------------------------------------------------------------------------------------------

  function wireComposer(pane, form) {
    const box = pane.composer;
    box.addEventListener('keydown', (ev) => {
      if (ev.key === 'Enter' && !ev.shiftKey && !ev.isComposing) {
        ev.preventDefault();
        submit(pane);
      }
    });
    box.addEventListener('input', () => {
      autosize(box);
      if (pane.kind !== 'room' || !box.value.trim() || !state.welcomed) return;
      const now = Date.now();
      if (now - pane.lastTypingSent >= TYPING_SEND_MS) {
        pane.lastTypingSent = now;
        send({ type: 'typing', room: pane.name });
      }
    });
    form.addEventListener('submit', (ev) => { ev.preventDefault(); submit(pane); });
  }

  function submit(pane) {
    const text = pane.composer.value;
    if (!text.trim()) return;
    if (text.length > state.limits.max_text_chars) {
      return toast('too_large', `That message is too long: at most ${state.limits.max_text_chars} characters (it has ${text.length}).`);
    }
    if (pane.slowUntil > Date.now()) return tickSlow(pane); // the countdown says how long
    const cid = `c${++state.cid}`;
    const frame = pane.kind === 'room' ? { type: 'say', room: pane.name, text, cid } : { type: 'dm', to: pane.name, text, cid };
    if (!sendWhenWelcomed(frame)) return; // keep the text so nothing typed is lost
    if (pane.kind === 'dm') state.pendingDm.set(cid, { to: pane.name, text });
    else state.pendingSay.set(cid, { key: pane.key, text });
    pane.lastTypingSent = 0;
    pane.composer.value = '';
    autosize(pane.composer);
  }

  function autosize(box) {
    box.style.height = 'auto';
    box.style.height = Math.min(box.scrollHeight, 160) + 'px';
  }

  // ---------------------------------------------------------------------------------------------
  // Pairing: "Add another device"
  // ---------------------------------------------------------------------------------------------

  function requestPairing() {
    if (!sendWhenWelcomed({ type: 'pair' })) return;
    $('#pairing-link').textContent = 'Asking the hub for a code…';
    $('#pairing-link').removeAttribute('href');
    $('#pairing-code').textContent = '';
    $('#pairing-expiry').textContent = '';
    $('#pairing-qr').hidden = true;
    openDialog('#pairing');
  }

  function onPairing(f) {
    const link = $('#pairing-link');
    link.href = f.url;
    link.textContent = f.url;
    const qr = $('#pairing-qr');
    qr.src = `${HTTP_BASE}/qr.svg?text=${encodeURIComponent(f.url)}`;
    qr.hidden = false;
    $('#pairing-code').textContent = f.code;
    state.pairingExpires = new Date(f.expires);
    clearInterval(state.pairingTimer);
    tickPairing();
    state.pairingTimer = setInterval(tickPairing, 1000);
    openDialog('#pairing');
  }

  function tickPairing() {
    const left = Math.round((state.pairingExpires - Date.now()) / 1000);
    const at = state.pairingExpires.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
    const node = $('#pairing-expiry');
    if (left <= 0) {
      clearInterval(state.pairingTimer);
      node.textContent = `This code expired at ${at}. Ask for a new one.`;
      $('#pairing-qr').hidden = true;
      return;
    }
    const m = Math.floor(left / 60);
    const s = String(left % 60).padStart(2, '0');
    node.textContent = `Works once, until ${at} (${m}:${s} left).`;
  }

  function copyPairingLink() {
    const url = $('#pairing-link').href;
    const done = () => toast('copied', 'Link copied.', 'info');
    if (navigator.clipboard && window.isSecureContext) {
      navigator.clipboard.writeText(url).then(done, () => fallbackCopy(url, done));
    } else {
      fallbackCopy(url, done);
    }
  }

  function fallbackCopy(text, done) {
    // Plain http pages on a LAN address have no clipboard API; a selected textarea still copies.
    const area = el('textarea');
    area.value = text;
    document.body.append(area);
    area.select();
    const ok = document.execCommand && document.execCommand('copy');
    area.remove();
    if (ok) done(); else toast('copy_failed', 'Could not copy; select the link and copy it by hand.', 'info');
  }

  // ---------------------------------------------------------------------------------------------
  // Toasts, dialogs, drawer
  // ---------------------------------------------------------------------------------------------

  function toast(code, text, kind = 'error') {
    const list = $('#errors');
    const item = el('div', kind === 'error' ? 'error' : 'info');
    item.dataset.code = code;
    item.append(el('span', 'toast-text', text));
    const close = el('button', 'dismiss', '×');
    close.type = 'button';
    close.setAttribute('aria-label', 'Dismiss');
    close.onclick = () => item.remove();
    item.append(close);
    list.append(item);
    // Information goes by itself; errors stay until dismissed (the newest eight are kept).
    if (kind !== 'error') setTimeout(() => item.remove(), 4000);
    while (list.children.length > 8) list.firstElementChild.remove();
  }

  function openDialog(sel) {
    $(sel).hidden = false;
    const first = $(`${sel} button`);
    if (first) first.focus();
  }

  function closePairing() {
    $('#pairing').hidden = true;
    clearInterval(state.pairingTimer);
    $('#add-device').focus();
  }

  function toggleDrawer(open) {
    const drawer = $('#drawer');
    const want = open ?? !drawer.classList.contains('open');
    drawer.classList.toggle('open', want);
    $('#drawer-backdrop').hidden = !want;
    $('#drawer-toggle').setAttribute('aria-expanded', String(want));
  }

  function closeDrawer() {
    if ($('#drawer').classList.contains('open')) toggleDrawer(false);
  }

  // ---------------------------------------------------------------------------------------------
  // Login and logout
  // ---------------------------------------------------------------------------------------------

  function showLogin(error = '', focusSel = '#name') {
    $('#chat').hidden = true;
    $('#fatal').hidden = true;
    $('#login').hidden = false;
    $('#name').value = store.name || $('#name').value;
    $('#password').value = store.password || '';
    $('#login-error').textContent = error;
    $('#join-button').disabled = false;
    $('#join-button').textContent = 'Join';
    $('#login-lead').textContent = state.pairing
      ? 'This hub needs its password to add this device. Enter it below.'
      : 'Chat with the people on this network. Pick a name to join.';
    // Finishing a pairing needs no name: the code says who this device is.
    $('#name-row').hidden = Boolean(state.pairing);
    $('#login-name-instead').hidden = !state.pairing;
    $(state.pairing ? '#password' : focusSel).focus();
  }

  function showChat() {
    $('#login').hidden = true;
    $('#fatal').hidden = true;
    $('#chat').hidden = false;
  }

  function onLoginSubmit(ev) {
    ev.preventDefault();
    const name = $('#name').value.trim().normalize('NFC');
    const length = [...name].length;
    if (!state.pairing && (length < 1 || length > 32)) {
      $('#login-error').textContent = 'A name has 1 to 32 characters.';
      return $('#name').focus();
    }
    // A different name starts a new identity: its old token and rooms do not carry over.
    if (!state.pairing && keyOf(name) !== keyOf(store.name || '')) {
      store.token = undefined;
      store.rooms = undefined;
      store.seen = undefined;
      resetPanes();
    }
    if (!state.pairing) store.name = name;
    store.password = $('#password').value || undefined;
    saveStore();
    $('#login-error').textContent = '';
    $('#join-button').disabled = true;
    $('#join-button').textContent = 'Joining…';
    state.everWelcomed = false;
    state.attempt = 0;
    connect();
  }

  function logout() {
    const ws = state.ws;
    state.ws = null;
    if (ws) ws.close(1000, 'switching name');
    clearRetry();
    clearInterval(state.roomsRefreshTimer);
    state.welcomed = false;
    state.everWelcomed = false;
    state.me = null;
    store.auto = false;
    store.token = undefined;
    store.rooms = undefined;
    store.seen = undefined;
    state.mutes.clear();
    state.roomPasswords.clear();
    saveStore();
    resetPanes();
    showLogin('');
  }

  function resetPanes() {
    for (const pane of [...state.panes.values()]) closePane(pane);
    state.active = null;
    state.memberRoom = null;
    $('#announcements').replaceChildren();
  }

  function reconnectNow() {
    $('#fatal').hidden = true;
    state.attempt = 0;
    connect();
  }

  // ---------------------------------------------------------------------------------------------
  // Small helpers
  // ---------------------------------------------------------------------------------------------

  function localTime(ts) {
    const d = ts ? new Date(ts) : new Date();
    return d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
  }

  // "ann", "ann and bob", "ann, bob and cy".
  function listNames(names) {
    if (names.length < 2) return names.join('');
    return `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;
  }

  function shorten(text) {
    return text.length > 40 ? text.slice(0, 40) + '…' : text;
  }

  // Text with http(s) links made clickable, built from nodes so no markup is ever interpreted.
  function linkify(text) {
    const frag = document.createDocumentFragment();
    const re = /\bhttps?:\/\/[^\s<>"]+[^\s<>".,;:!?)\]]/g;
    let last = 0;
    for (const m of text.matchAll(re)) {
      frag.append(text.slice(last, m.index));
      const a = el('a', '', m[0]);
      a.href = m[0];
      a.target = '_blank';
      a.rel = 'noopener noreferrer';
      frag.append(a);
      last = m.index + m[0].length;
    }
    frag.append(text.slice(last));
    return frag;
  }

  function cssEscape(s) {
    return window.CSS && CSS.escape ? CSS.escape(s) : String(s).replace(/["\\]/g, '\\$&');
  }

  // ---------------------------------------------------------------------------------------------
  // Start
  // ---------------------------------------------------------------------------------------------

  function wireUi() {
    $('#login').addEventListener('submit', onLoginSubmit);
    $('#login-name-instead').addEventListener('click', () => { state.pairing = null; showLogin(''); });
    $('#status-select').addEventListener('change', (ev) => {
      // The hub answers with `presence` (nothing when unchanged); until then show the choice.
      if (!sendWhenWelcomed({ type: 'status', status: ev.target.value })) ev.target.value = state.status;
    });
    $('#add-device').addEventListener('click', requestPairing);
    $('#pairing-close').addEventListener('click', closePairing);
    $('#pairing-new').addEventListener('click', requestPairing);
    $('#pairing-copy').addEventListener('click', copyPairingLink);
    $('#reconnect-button').addEventListener('click', reconnectNow);
    $('#room-password-form').addEventListener('submit', onRoomPasswordSubmit);
    $('#room-password-cancel').addEventListener('click', cancelRoomPassword);
    $('#fatal-login').addEventListener('click', logout);
    $('#logout').addEventListener('click', logout);
    $('#drawer-toggle').addEventListener('click', () => toggleDrawer());
    $('#drawer-backdrop').addEventListener('click', () => toggleDrawer(false));
    document.addEventListener('keydown', (ev) => {
      if (ev.key !== 'Escape') return;
      if (!$('#pairing').hidden) closePairing();
      else if (!$('#room-password').hidden) cancelRoomPassword();
      else closeDrawer();
    });
    // Back on the network: no need to sit out the rest of the back-off.
    window.addEventListener('online', () => { if (state.retryTimer) connect(); });
  }

  // A pairing link (#pair=CODE) logs this browser in as the user who asked for it.
  function pairFromHash() {
    const match = location.hash.match(/^#pair=([A-Za-z0-9]+)/);
    if (!match) return false;
    // Take the code out of the address bar and the history at once: it is single-use anyway.
    history.replaceState(null, '', location.pathname + location.search);
    if (state.ws) logout();
    state.pairing = match[1].toUpperCase();
    state.everWelcomed = false;
    state.attempt = 0;
    store.token = undefined;
    store.rooms = undefined;
    store.seen = undefined;
    showChat();
    connect();
    return true;
  }

  function start() {
    wireUi();
    window.confab = { dropConnection };
    // The link pasted into a tab that already shows this page only changes the fragment.
    window.addEventListener('hashchange', pairFromHash);
    if (pairFromHash()) return;
    if (store.auto && store.name) {
      showChat();
      $('#me').textContent = store.name;
      return connect();
    }
    showLogin('');
  }

  start();
})();
