// The page's connection to the lab's hub (/hubs/lab), through SignalR's own JavaScript client (vendored, unchanged, in
// lib/microsoft-signalr): negotiation, transport fallback (WebSockets, then Server-Sent Events, then long polling),
// keep-alive and reconnecting are all its own. What is here is only what .NET cannot do cheaply from the other side
// of the interop boundary (Services/HubClient.cs): hand over each message as JSON text, and cut a big run's batches
// down to their last events before they cross.
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
 * A connection, not started yet.
 * @param url the hub's address
 * @param accessToken () => the presenter key or "" (read at every connect)
 * @param onMessage (target, argumentsJson) for every call from the server but RunEvents
 * @param onEvents (runId, lastSeq, eventsJson) for RunEvents: every event, or a big run's last `latestCount`
 * @param onState (state, error) on "reconnecting", "reconnected", "closed"
 */
export function create(url, accessToken, onMessage, onEvents, onState) {
    const hub = { connection: null, transport: "", bigRuns: new Map() }; // big runs: run id → events handed over per batch
    const connection = hub.connection = new signalR.HubConnectionBuilder()
        .withUrl(url, { accessTokenFactory: () => accessToken() || "" })
        .withAutomaticReconnect({ nextRetryDelayInMilliseconds: context => retryDelayMs(context.previousRetryCount) })
        .configureLogging(quietLogger(hub))
        .build();
    const forward = target => (...args) => onMessage(target, JSON.stringify(args));
    for (const target of ["RunStarted", "RunCompleted", "PageChanged", "ViewersChanged"]) connection.on(target, forward(target));
    connection.on("RunEvents", (runId, events) => {
        if (!Array.isArray(events) || events.length === 0) return;
        const keep = hub.bigRuns.get(runId);
        const handed = keep !== undefined && events.length > keep ? events.slice(events.length - keep) : events;
        onEvents(runId, events[events.length - 1].seq ?? 0, JSON.stringify(handed));
    });
    connection.onreconnecting(error => onState("reconnecting", error ? String(error.message ?? error) : ""));
    connection.onreconnected(() => onState("reconnected", ""));
    connection.onclose(error => onState("closed", error ? String(error.message ?? error) : ""));
    return hub;
}

export async function start(hub) {
    await hub.connection.start();
}

export async function stop(hub) {
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
    const result = await hub.connection.invoke(method, ...JSON.parse(argumentsJson));
    return JSON.stringify(result ?? null);
}

/** From now on only the last `count` events of each batch of this run cross to .NET. */
export function showLatestOnly(hub, runId, count) {
    hub.bigRuns.set(runId, count);
    if (hub.bigRuns.size > 50) hub.bigRuns.delete(hub.bigRuns.keys().next().value);
}
