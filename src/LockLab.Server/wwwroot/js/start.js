// Starts Blazor in the language the server chose for this page (<html lang>, Localization/LabLocalization): the .NET
// runtime then fetches that language's satellite assemblies, and no other's.
// (A file, not an inline script: the content security policy allows scripts from the lab's own origin only.)
const culture = document.documentElement.lang || 'en';
globalThis.lockLabCulture = () => culture; // read by the client's Program.cs (Services/LabCulture.cs)
Blazor.start({
    webAssembly: { applicationCulture: culture },
    // A page that runs on the server (a browser's first visit: Components/PageInteractivity.cs) does so in its circuit,
    // which takes the language from its connection's address (Localization/LabLocalization, CircuitCultureProvider).
    // SignalR's client would say every step of connecting in the console, and every failed attempt while the lab
    // restarts; Blazor says what matters itself (its reconnect display, then a reload once the lab answers again).
    circuit: {
        configureSignalR: builder => builder
            .withUrl('_blazor?culture=' + encodeURIComponent(culture))
            .configureLogging('critical'),
        // Blazor's own handling (its display while it rejoins, the reload once the lab has forgotten the circuit), and
        // the page's hub connection told whether .NET can be reached (Client/wwwroot/js/hub.js, createForCircuit).
        reconnectionHandler: {
            onConnectionDown(...args) {
                document.dispatchEvent(new CustomEvent('locklab:circuit', { detail: { up: false } }));
                return Blazor.defaultReconnectionHandler.onConnectionDown(...args);
            },
            onConnectionUp(...args) {
                Blazor.defaultReconnectionHandler.onConnectionUp(...args);
                document.dispatchEvent(new CustomEvent('locklab:circuit', { detail: { up: true } }));
            },
        },
    },
});

// A page that will connect to the lab's hub opens the connection now, while the .NET runtime downloads and starts,
// instead of after its first render, and joins the room it names (Client/wwwroot/js/hub.js, preconnect): its live
// panel, a room page or the catalog carry data-hub-preconnect="<room>" in the prerendered HTML. It connects as the page
// would, with the presenter session this browser keeps. A sign-in link (?key=…) is left to the page, which first trades
// the key for a new session.
const connects = document.querySelector('[data-hub-preconnect]');
if (connects && !new URLSearchParams(location.search).has('key')) {
    import(new URL('/js/hub.js', location.href).href)
        .then(hub => hub.preconnect(new URL('/hubs/lab', location.href).href,
            localStorage.getItem('locklab.presenterSession') || '', connects.getAttribute('data-hub-preconnect')))
        .catch(() => { }); // the page connects by itself all the same
}

// A page that runs on the server names the WebAssembly client's files (Components/ClientPrefetch.razor): once the page
// is interactive, and at the lowest priority, they are fetched into the browser's cache; when all are in, a cookie tells
// the lab that this browser's next pages can run in WebAssembly (Components/PageInteractivity.cs).
const client = document.getElementById('locklab-client');
if (client) {
    // fetch(), not <link rel=prefetch>, which Safari (students' iPads and iPhones) does not do: the responses go to the
    // HTTP cache all the same (the files are fingerprinted and immutable), three at a time, at low priority.
    const fetchClient = async () => {
        // Not where WebAssembly is switched off (iOS's Lockdown Mode, some school policies): its pages stay on the server.
        if (typeof WebAssembly !== 'object') return;
        const files = client.dataset.files.split(' ').filter(Boolean);
        const next = async () => {
            for (let file; (file = files.shift()) !== undefined;) {
                const response = await fetch(file, { priority: 'low' });
                if (!response.ok) throw new Error(`${file}: ${response.status}`);
                await response.arrayBuffer(); // read to the end: only a whole response is cached
            }
        };
        try {
            await Promise.all([next(), next(), next()]);
            document.cookie = `${client.dataset.cookie}=${client.dataset.version}; path=/; max-age=2592000; samesite=lax`;
        } catch {
            // Not all of it: no cookie, so the next page runs on the server again and fetches what is missing.
        }
    };
    const interactive = () => document.body.hasAttribute('data-interactive');
    if (interactive()) fetchClient();
    else {
        const watch = new MutationObserver(() => {
            if (!interactive()) return;
            watch.disconnect();
            fetchClient();
        });
        watch.observe(document.body, { attributes: true, attributeFilter: ['data-interactive'] });
    }
}
