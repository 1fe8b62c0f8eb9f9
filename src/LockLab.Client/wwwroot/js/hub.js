// The page's connection to the lab's hub (/hubs/lab), through SignalR's own JavaScript client (vendored, unchanged, in
// lib/microsoft-signalr): negotiation, transport fallback (WebSockets, then Server-Sent Events, then long polling),
// keep-alive and reconnecting are all its own. What is here is only what .NET cannot do cheaply from the other side
// of the interop boundary (Services/HubClient.cs): hand over each message as JSON text, and cut a big run's batches
// down to their last events before they cross; and open the connection early, before .NET runs (`preconnect`).
import "../lib/microsoft-signalr/signalr.min.js";

const signalR = globalThis.signalR;

// The client's own log, kept out of the console's errors: a transport that it falls back from, or a dropped connection
// that it reconnects, is normal on a school network, and the page shows the connection's state. It also tells which
// transport was chosen (the published client does not say otherwise).
function quietLogger(hub) {
    return {
        log(level, message) {
            const selected = /^Selecting transport '(\w+)'/.exec(message);
            if (selected) hub.transport = selected[1];
            if (level >= signalR.LogLevel.Critical) console.error(`LockLab hub: ${message}`);
            else if (level >= signalR.LogLevel.Error) console.warn(`LockLab hub: ${message}`);
        },
    };
}

// Reconnect for as long as the page is open (a classroom Wi-Fi drop can last minutes): about 0, 1, 2 and 5 s, then
// every 10 s; each delay (but the first) randomly 0.5–1.5 times as long, so that a room of pages does not reconnect in
// lock-step after a restart.
const retrySeconds = [0, 1, 2, 5, 10];
export function retryDelayMs(previousRetries, random = Math.random()) {
    const seconds = retrySeconds[Math.min(previousRetries, retrySeconds.length - 1)];
    return Math.round(seconds * 1000 * (0.5 + random));
}

/**
 * A connection as the page uses it. Until .NET takes it (`create`), what the server sends waits in `pending`: a
 * connection opened early (`preconnect`) has no one to hand messages to yet.
 */
function connect(url, accessToken) {
    const hub = {
        url, connection: null, transport: "", bigRuns: new Map(), accessToken, receive: null, pending: [], starting: null,
        answered: new Map(), // calls made early: method and arguments → the server's answer, for the page's first such call
        settled: new Map(), // of those, the answers that are in: method and arguments → the answer as JSON
    };
    // Returns nothing: SignalR takes a handler's return value for an answer the server did not ask for, and warns.
    const deliver = message => {
        if (hub.receive) hub.receive(message);
        else hub.pending.push(message);
    };
    const connection = hub.connection = new signalR.HubConnectionBuilder()
        .withUrl(url, { accessTokenFactory: () => hub.accessToken() || "" })
        .withAutomaticReconnect({ nextRetryDelayInMilliseconds: context => retryDelayMs(context.previousRetryCount) })
        .configureLogging(quietLogger(hub))
        .build();
    for (const target of ["RunStarted", "RunCompleted", "PageChanged", "ViewersChanged", "RunEvents", "RoomSettingsChanged", "StudentRunChanged"]) {
        connection.on(target, (...args) => deliver({ target, args }));
    }
    connection.onreconnecting(error => {
        // What was asked early belongs to the connection that dropped.
        hub.answered.clear();
        hub.settled.clear();
        deliver({ state: "reconnecting", error });
    });
    connection.onreconnected(() => deliver({ state: "reconnected" }));
    connection.onclose(error => deliver({ state: "closed", error }));
    return hub;
}

// A connection opened by start.js while the .NET runtime was still loading, until create() takes it (or gives it up).
let early = null;

// How long an early connection waits to be taken: a page that said it would connect and did not (an error before its
// first render) does not keep a connection open on the server.
const earlyConnectionWaitMs = 30_000;

/**
 * Opens the page's connection before .NET runs (negotiation, the WebSocket, SignalR's handshake) and, given the room
 * the page will join, makes the calls the page makes first (HubClient's JoinAsync: the scenarios, the limits, the
 * thinned feed, joining the room), so that when the page has rendered, their answers are there: the round trips and
 * their handling on the page's one thread are off the path to a working run button (docs/benchmarks.md, "page").
 * What the room sends meanwhile waits in `pending` for the page.
 * @param url the hub's address, as the page will ask for it
 * @param token the presenter session the page will connect with ("" for none)
 * @param room the room the page joins, or "" to join none early
 */
export function preconnect(url, token, room) {
    if (early) return;
    const hub = early = connect(url, () => token);
    hub.token = token;
    hub.starting = hub.connection.start();
    hub.starting.catch(() => { }); // start() tries again, as it would have without this
    if (room) {
        hub.starting.then(() => {
            for (const [method, args] of [["GetScenarios", []], ["GetLimits", []], ["ShowLatestOnly", []], ["JoinRoom", [room]]]) {
                const key = callKey(method, args);
                const answer = hub.connection.invoke(method, ...args);
                // A refusal is handed to the page's own call, which reports it; an answer is also kept as JSON, for the
                // page to read in the same turn (`answer`).
                answer.then(result => { if (hub.answered.get(key) === answer) hub.settled.set(key, JSON.stringify(result ?? null)); }, () => { });
                hub.answered.set(key, answer);
            }
        }, () => { });
    }
    hub.expiry = setTimeout(() => {
        if (early !== hub) return;
        early = null;
        hub.connection.stop();
    }, earlyConnectionWaitMs);
}

const callKey = (method, args) => method + JSON.stringify(args);

/** The early connection if it is the one asked for (same hub, same presenter session); any other is closed. */
function takeEarly(url, token) {
    const hub = early;
    early = null;
    if (!hub) return null;
    clearTimeout(hub.expiry);
    if (hub.url === url && hub.token === token) return hub;
    hub.connection.stop();
    return null;
}

/**
 * The page's connection: the one opened early if it fits, else a new one, not started yet.
 * @param url the hub's address
 * @param accessToken () => the presenter session or "" (read at every connect)
 * @param onMessage (target, argumentsJson) for every call from the server but RunEvents
 * @param onEvents (runId, lastSeq, eventsJson) for RunEvents: every event, or a big run's last `latestCount`
 * @param onState (state, error) on "reconnecting", "reconnected", "closed"
 */
export function create(url, accessToken, onMessage, onEvents, onState) {
    const hub = takeEarly(url, accessToken() || "") ?? connect(url, accessToken);
    hub.accessToken = accessToken;
    hub.receive = message => {
        if (message.state) {
            const error = message.error ? String(message.error.message ?? message.error) : "";
            onState(message.state, error);
        } else if (message.target === "RunEvents") {
            const [runId, events] = message.args;
            if (!Array.isArray(events) || events.length === 0) return;
            const keep = hub.bigRuns.get(runId);
            const handed = keep !== undefined && events.length > keep ? events.slice(events.length - keep) : events;
            onEvents(runId, events[events.length - 1].seq ?? 0, JSON.stringify(handed));
        } else {
            onMessage(message.target, JSON.stringify(message.args));
        }
    };
    for (const message of hub.pending.splice(0)) hub.receive(message);
    return hub;
}

// Whether the circuit of a page that runs on the server is connected (js/start.js tells, from Blazor's reconnection
// handler). While it is not, nothing can reach .NET: a call would fail inside Blazor, and what it carried would be lost.
let circuitUp = true;
const circuitListeners = new Set();
document.addEventListener('locklab:circuit', event => {
    circuitUp = event.detail.up;
    for (const listener of circuitListeners) listener(circuitUp);
});

// The connection of the page's current circuit. Blazor may resume a page in a new circuit without a reload; the old
// circuit's connection could never be told to stop, so the newest one stops it (one page, one connection).
let circuitHub = null;

/**
 * The page's connection for a page that runs on the server (a browser's first visit: Components/PageInteractivity.cs):
 * .NET is on the other side of the page's circuit, reached through `dotnet`, a DotNetObjectReference
 * (Services/HubBridge.cs, CircuitHubBridge). The connection itself is the browser's, as in WebAssembly: the same hub,
 * the same early connection. What the lab says while the circuit is down is not held: once the circuit is back, .NET is
 * told the connection's state as if it had just reconnected, and the page rejoins its room and catches up by sequence
 * number, as after any reconnect.
 * @param token the presenter session to connect with ("" for none): an early connection opened with it fits
 */
export function createForCircuit(url, token, dotnet) {
    if (circuitHub) dispose(circuitHub).catch(() => { });
    let missed = false;
    const call = (method, ...args) => {
        if (!circuitUp) {
            missed = true;
            return;
        }
        dotnet.invokeMethodAsync(method, ...args).catch(() => { }); // the page may be going away
    };
    const hub = create(url, () => token,
        (target, argumentsJson) => call("OnMessage", target, argumentsJson),
        (runId, lastSeq, eventsJson) => call("OnEvents", runId, lastSeq, eventsJson),
        (state, error) => call("OnState", state, error));
    hub.token = token;
    hub.accessToken = () => hub.token; // set by .NET before each start (setAccessToken), never asked of it
    // Calls made in the moments before Blazor noticed the circuit had gone were lost without a word: whenever it comes
    // back, .NET is told where the connection stands (a connection still starting tells by itself when it is up).
    const resync = up => {
        if (!up) {
            missed = true;
            return;
        }
        if (!missed) return;
        missed = false;
        const state = hub.connection.state;
        if (state === "Connected") call("OnState", "reconnected", "");
        else if (state === "Disconnected") call("OnState", "closed", "");
        else if (state === "Reconnecting") call("OnState", "reconnecting", "");
    };
    circuitListeners.add(resync);
    hub.release = () => {
        circuitListeners.delete(resync);
        if (circuitHub === hub) circuitHub = null;
    };
    circuitHub = hub;
    return hub;
}

/** The presenter session a circuit's connection sends from its next (re)connect on ("" for none). */
export function setAccessToken(hub, token) {
    hub.token = token;
}

/** Starts the connection; an early one is awaited instead (and started again if it failed, as a new one would be). */
export async function start(hub) {
    const early = hub.starting;
    hub.starting = null;
    if (early) {
        try {
            await early;
            return;
        } catch {
            // Started too early to succeed (the server restarting, say): try now, and report what this attempt says.
        }
    }
    await hub.connection.start();
}

/**
 * Whether the connection opened early is up already: then the page takes it as started, in the same turn, without a
 * trip through the browser's task queue (which, while the page renders, waits behind all of the render's work).
 */
export function startedEarly(hub) {
    if (!hub.starting || hub.connection.state !== "Connected") return false;
    hub.starting = null;
    return true;
}

/**
 * The answer to a call made early, as JSON, if it has come (taken: a second such call goes to the server); else null,
 * and the page makes the call (`invoke`, which takes an answer still on its way).
 */
export function answeredEarly(hub, method, argumentsJson) {
    const key = callKey(method, JSON.parse(argumentsJson));
    const answer = hub.settled.get(key);
    if (answer === undefined) return null;
    hub.settled.delete(key);
    hub.answered.delete(key);
    return answer;
}

export async function stop(hub) {
    await hub.connection.stop();
}

/** The page is done with the connection: stopped, and no longer told of its circuit (createForCircuit). */
export async function dispose(hub) {
    hub.release?.();
    await hub.connection.stop();
}

/** "Connected", "Connecting", "Reconnecting", "Disconnected" or "Disconnecting". */
export function state(hub) {
    return hub.connection.state;
}

/** The transport in use once connected ("WebSockets", "ServerSentEvents", "LongPolling"), else "". */
export function transport(hub) {
    return hub.connection.state === "Connected" ? hub.transport : "";
}

/** Calls a hub method with the arguments of a JSON array; its result as JSON ("null" for none). */
export async function invoke(hub, method, argumentsJson) {
    const args = JSON.parse(argumentsJson);
    const key = callKey(method, args);
    const early = hub.answered.get(key);
    hub.answered.delete(key);
    hub.settled.delete(key);
    const result = await (early ?? hub.connection.invoke(method, ...args));
    return JSON.stringify(result ?? null);
}

/** From now on only the last `count` events of each batch of this run cross to .NET. */
export function showLatestOnly(hub, runId, count) {
    hub.bigRuns.set(runId, count);
    if (hub.bigRuns.size > 50) hub.bigRuns.delete(hub.bigRuns.keys().next().value);
}
