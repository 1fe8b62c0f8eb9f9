// Starts Blazor in the language the server chose for this page (<html lang>, Localization/LabLocalization): the .NET
// runtime then fetches that language's globalization data and satellite assemblies, and no other's.
// (A file, not an inline script: the content security policy allows scripts from the lab's own origin only.)
const culture = document.documentElement.lang || 'en';
globalThis.lockLabCulture = () => culture; // read by the client's Program.cs (Services/LabCulture.cs)
Blazor.start({ webAssembly: { applicationCulture: culture } });

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
