using System.Diagnostics;
using System.Net.Http.Json;
using System.Text.Json;
using LockLab.Bench.Harness;
using LockLab.Bench.Report;
using LockLab.Contracts;
using LockLab.TestServices;
using Microsoft.Playwright;

namespace LockLab.Bench.Suites;

/// <summary>
/// A cold load of a lesson page in headless Chromium: bytes over the wire, when the lesson text is on screen, when
/// the live panel's run button works. Each repetition is a fresh browser context (empty cache, no stored state).
/// The full run measures two servers the same way: the README's run command as written, in a fresh clone (what a
/// user gets), and the published build the other sections measure. Quick mode measures the build output only.
/// </summary>
public static class PageLoad
{
    /// <summary>Debian's Chromium: Playwright cannot download its own browser on these machines.</summary>
    public static string ChromiumPath => BrowserSession.ChromiumPath;

    private static readonly string[] ChromiumArgs =
        ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"];

    /// <summary>The lesson's first experiment page: its text, and a live panel whose run button starts that experiment.</summary>
    private const string LessonPath = "/lessons/process-locks/2";

    private const double TextTargetMs = 1000;
    private const double InteractiveTargetMs = 2000;
    private const double BytesTarget = 3_000_000; // 3 MB, decimal: the stricter reading

    /// <summary>
    /// Runs in every document before the page's own scripts. Times are <c>performance.now()</c>: milliseconds since
    /// the navigation started (the user pressing Enter), so the harness's own latency is not in them.
    /// <list type="bullet">
    /// <item>textVisible: the first frame in which the lesson text is in the DOM with a size (the browser renders no
    /// frame while render-blocking style sheets load); paint:lesson-title: when that frame reached the screen.</item>
    /// <item>interactive: the live panel carries <c>data-interactive</c>, which only the interactive render sets (on the
    /// server's circuit or in WebAssembly), once the hub is connected and the run buttons are enabled and wired.</item>
    /// </list>
    /// </summary>
    private const string Probe = """
        (() => {
          if (window !== window.top) return;
          const marks = window.__pageLoad = {};
          const visible = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== 'hidden'; };
          const onFrame = () => {
            const text = document.querySelector('[data-testid=lesson-text]');
            if (text && visible(text)) marks.textVisible = performance.now();
            else requestAnimationFrame(onFrame);
          };
          const check = () => {
            if (marks.textInDom === undefined) {
              const text = document.querySelector('[data-testid=lesson-text]');
              if (text && text.textContent.trim().length > 0) { marks.textInDom = performance.now(); requestAnimationFrame(onFrame); }
            }
            if (marks.rendered === undefined && document.querySelector('body[data-interactive=true]')) marks.rendered = performance.now();
            if (marks.interactive === undefined && document.querySelector('[data-testid=live-panel][data-interactive=true]')) {
              marks.interactive = performance.now();
              const button = document.querySelector('[data-testid=run-experiment]');
              marks.buttonEnabled = !!button && !button.disabled;
            }
            if (marks.textInDom !== undefined && marks.rendered !== undefined && marks.interactive !== undefined) observer.disconnect();
          };
          const observer = new MutationObserver(check);
          observer.observe(document, { childList: true, subtree: true, attributes: true, attributeFilter: ['data-interactive'] });
          try {
            new PerformanceObserver(list => { for (const e of list.getEntries()) if (e.name === 'first-contentful-paint') marks.fcp = e.startTime; })
              .observe({ type: 'paint', buffered: true });
            new PerformanceObserver(list => { for (const e of list.getEntries()) marks['paint:' + e.identifier] ??= e.renderTime || e.loadTime; })
              .observe({ type: 'element', buffered: true });
          } catch { }
        })();
        """;

    /// <summary>What the page fetched, from the browser's resource timing (same origin: all of it).</summary>
    private const string Timeline = """
        () => {
          const nav = performance.getEntriesByType('navigation')[0];
          const resources = performance.getEntriesByType('resource').map(e => ({
            name: new URL(e.name).pathname, type: e.initiatorType, start: e.startTime, end: e.responseEnd, body: e.encodedBodySize, decoded: e.decodedBodySize }));
          return { perf: performance.getEntriesByType('mark').map(m => [m.name, Math.round(m.startTime)]), marks: window.__pageLoad, html: { end: nav.responseEnd, body: nav.encodedBodySize, decoded: nav.decodedBodySize, domContentLoaded: nav.domContentLoadedEventEnd }, resources };
        }
        """;

    /// <summary>A page that ran on the server has fetched the WebAssembly client into the cache (js/start.js says so).</summary>
    private const string ClientFetched = "() => document.cookie.includes('locklab.client=')";

    /// <summary>How long the README's command may take to build, publish and start in a fresh clone.</summary>
    private static readonly TimeSpan ReadmeStartLimit = TimeSpan.FromMinutes(10);

    public static async Task<BenchSection> RunAsync(BenchContext context)
    {
        var section = new BenchSection("page", "Lesson page: cold load in headless Chromium");
        using var playwright = await Playwright.CreateAsync();
        await using var browser = await playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Args = ChromiumArgs,
        });

        // One server at a time, so that neither competes with the other for the cores. The README's command first:
        // it is what a user runs.
        var measured = new List<Measured>();
        if (!context.Quick) measured.AddRange(await MeasureReadmeCommandAsync(context, browser));
        measured.AddRange(await MeasurePublishedAsync(context, browser));
        // The targets are a first visit's: a class's students open the page cold.
        var onLoopback = measured.Where(m => m.Server.Network is null && !m.Server.Returning).ToList();

        var count = measured[0].Loads.Count;
        var readme = measured.FirstOrDefault(m => m.Server.Command is not null);
        var servers = context.Quick
            ? "the server's build output in Development (quick mode: the figures are not meaningful; the row for the " +
                "README's run command is measured in the full run only, since quick mode runs inside the test suite, " +
                "whose own first-run test already starts that command)"
            : $"two servers, one after the other, on loopback: **the README's run command as written**, " +
                $"`{readme!.Server.Command}` (read from README.md's \"The two commands\"), started through `bash -c` " +
                $"with nothing added in a fresh clone (the repository's tracked files copied to an empty folder, so " +
                $"its first start builds and publishes the lab: {readme.StartUp!.Value.TotalSeconds:N0} s until it " +
                $"listened), where it serves the published lab in Production on port {ReadmeLab.Port} with a " +
                $"presenter key it generated; and **the published build** the other sections measure (`dotnet " +
                $"publish src/LockLab.Server -c Release`, started by the benchmark in Production with a key of its own); " +
                $"then the README's command once more, over a network that Chromium emulates as a classroom's might be " +
                $"({ClassroomNetwork.Name}: every request waits that round trip, and the page shares that bandwidth), " +
                $"a figure with no target of its own";
        section.Paragraph($"""
            `{LessonPath}` (the lesson's first experiment: text on the left, the live panel with its run button on the right), loaded {count} time{(count == 1 ? "" : "s")} per server by headless Chromium ({ChromiumPath}), each time in a fresh browser context (empty cache, nothing stored), against {servers}. On loopback the figures are the page's own cost (CPU, round trips), not a network's. One load before them is not counted (the server's first page).
            Times are from the start of the navigation, taken in the page (`performance.now()`). *Text visible*: the lesson title's first paint as Chromium reports it (element timing, the time the frame was presented), and not before the first frame in which the whole lesson text is laid out with a size (no frame is rendered while render-blocking style sheets load). *Interactive*: the live panel carries `data-interactive`, which only the interactive render sets (the page's circuit on the server for a browser's first visit, WebAssembly for a browser that holds the client: `Components/PageInteractivity.cs`), once the lab's hub is connected and the run buttons are enabled with their handlers attached. A fresh context is a first visit: its page runs on the server, and its transferred bytes include the WebAssembly client, which the page fetches into the cache once it is interactive (the load waits for that). The run button starts a run only for a browser holding the presenter key (without it, it asks for the key), so each context is given a presenter session of the server it loads (in `localStorage`, as a teacher's browser keeps it after the sign-in link) and a room of its own; each load then presses the run button and waits for the run to appear ({string.Join("; ", measured.Select(m => $"{m.Server.Short}: {Stats.Spread(m.Loads.Select(l => l.RunVisibleMs).ToList(), "N0", " ms")}"))} from the click). *Transferred*: the sum of every HTTP response's encoded size over the wire, headers included (Chromium's `Network.loadingFinished.encodedDataLength`), until the network has been quiet for half a second after the page became interactive; messages over WebSockets (the hub's, and the circuit's of a page that runs on the server) are counted apart.
            """);

        section.Table(["server", ">transferred (compressed)", ">lesson text visible", ">live panel interactive"],
            measured.Select(m => (IReadOnlyList<string>)
            [
                m.Server.Label,
                Stats.Spread(m.Loads.Select(l => l.WireBytes / 1e6).ToList(), "N3", " MB"),
                Stats.Spread(m.Loads.Select(l => l.TextVisibleMs).ToList(), "N0", " ms"),
                Stats.Spread(m.Loads.Select(l => l.InteractiveMs).ToList(), "N0", " ms"),
            ]));
        section.Paragraph("The other figures of the same loads (median (min–max)):");
        IReadOnlyList<string> Row(string name, Func<Measured, string> cell) => [name, .. measured.Select(cell)];
        section.Table(["", .. measured.Select(m => ">" + m.Server.Short)],
        [
            Row("response bodies (compressed / decoded)", m =>
                $"{Stats.Spread(m.Loads.Select(l => l.BodyBytes / 1e6).ToList(), "N3", " MB")} / " +
                $"{Stats.Spread(m.Loads.Select(l => l.DecodedBytes / 1e6).ToList(), "N2", " MB")}"),
            Row("HTTP requests", m => Stats.Spread(m.Loads.Select(l => (double)l.Requests).ToList(), "N0")),
            Row("messages over WebSockets, both ways: the hub's, and a page on the server its circuit's (payload; not in the total above)",
                m => Stats.Spread(m.Loads.Select(l => l.WebSocketBytes / 1024.0).ToList(), "N1", " KB")),
            Row("first contentful paint", m => Stats.Spread(m.Loads.Select(l => l.FirstPaintMs).ToList(), "N0", " ms")),
            Row("the server's first page after start-up (not counted): text visible, interactive",
                m => $"{m.WarmUp.TextVisibleMs:N0} ms, {m.WarmUp.InteractiveMs:N0} ms"),
            Row("load average of the machine (1 min, /proc/loadavg) as the loads began / ended", m => $"{m.LoadBefore} / {m.LoadAfter}"),
        ]);

        section.Paragraph("Where the time goes (medians; milliseconds from the start of the navigation):");
        var phases = measured.Select(m => Phases(m.Loads).ToDictionary(p => p.Name, p => p.Values)).ToList();
        section.Table(["step", .. measured.Select(m => ">" + m.Server.Short)],
            phases.SelectMany(p => p.Keys).Distinct().Select(step => (IReadOnlyList<string>)
                [step, .. phases.Select(p =>
                    p.TryGetValue(step, out var values) ? Stats.Format(Stats.Median(values), "N0") : "–")]));

        section.Paragraph("""
            **Where the page runs.** A browser's first visit runs the page on the server, over a Blazor circuit, and the
            browser's later pages run in WebAssembly once the page has fetched the client into the cache
            (`Components/PageInteractivity.cs`). Measured 2026-12-07 on this machine's kind (2 cores, AMD EPYC) with a
            scratch script, cold loads of the published build, from the navigation to the live panel interactive: in
            WebAssembly, as every page ran before, 2,458–3,238 ms (6 loads; the .NET runtime reached the client's entry
            point after 1.1–1.4 s and its first render took 0.9–1.2 s more); with Blazor's own `InteractiveAuto`, which
            runs a first visit on the server but starts the WebAssembly runtime beside it, 1,389–2,541 ms (5 loads: the
            runtime's start held up the circuit's); on the server with the client fetched only after the page is
            interactive, as shipped, 869–1,319 ms (5 loads). In "where the time goes" above, the runtime's steps are the
            second visit's: a first visit does not start it. A second visit is slower to become interactive (the
            runtime starts from the cache), but from then on the page costs the lab nothing: the student's device renders
            it, where every page on the server is rendered by the lab's own cores, beside the workers whose timing is the
            lesson. `LockLab:MaxCircuits` (200) bounds how many pages run on the server at once.
            """);

        section.Paragraph("""
            Of the steps above, the lab's own are the services it builds (entry point → services built) and its first
            render; the rest is the browser and the .NET WebAssembly runtime. What the first render costs is the code it
            touches (the interpreter spends most of it loading types and preparing methods, not running them), so the
            lab's fields and tabs are the browser's own, drawn like MudBlazor's. Measured 2026-12-06 by alternating cold
            loads of two published builds in one sitting (10 each, median from the client's entry point to interactive):
            MudTabs → the page's own ARIA tabs (`RunTabs`), 1,225 → 1,102 ms; MudSelect, MudNumericField, MudTextField and
            MudCheckBox → the browser's controls (`Components/Fields`), which also took System.Linq.Expressions,
            System.Runtime.Numerics and a third of MudBlazor out of the download: the framework's compressed files
            2.93 → 2.68 MB; the app bar's MudMenu → the page's own menu button (`Layout/LanguageMenu`), the two MudTooltips
            → the browser's tooltip (`title`), MudBreadcrumbs and the live panel's MudChips → their markup
            (`Components/Fields/Chip`), the shortcuts dialog drawn only while open and no snackbar provider (nothing
            used it), together 1,054 → 1,010 ms. Tried and not kept: without MudThemeProvider, 26 ms less; the lesson's
            MudContainer, MudGrid, MudItem and MudPaper, the live panel's MudPaper and the pager's MudProgressLinear as their
            markup, with the settings' expansion panel as a disclosure button, 968 → 977 ms, no gain (the disclosure button
            was kept for screen readers: MudExpansionPanel's header said neither that it is a button nor whether it is open). Counted
            with the runtime's own method tracing, the first render touches about 3,500 methods of the lab, Blazor and
            MudBlazor (System's not counted): the framework's start-up (restoring the prerendered state, the router's
            route table) and MudBlazor's theme and parameter machinery are most of them, and no one component is more
            than a few percent. The same build moves by ±0.3 s between sittings on this machine (the load average is in
            the table above).
            """);

        section.Paragraph("""
            The runtime's files are named in the page for the browser to fetch at once (`<link rel="preload">` at the end
            of the body, `Components/FrameworkFiles.cs`), rather than once blazor.web.js and dotnet.js have run: before,
            the first byte of the runtime was asked for about 0.3 s after the HTML arrived. Measured 2026-12-06 by
            alternating cold loads of two published builds (10 each, medians): on loopback, interactive 2,083 → 1,965 ms
            (the client's entry point 1,026 → 866 ms; the page's first render then takes part of that back, as the two
            cores are still busy with the runtime's compilation); over the emulated network above, 2,595 → 2,467 ms.
            Named in the head instead, the files took the browser's six connections ahead of blazor.web.js and start.js:
            on loopback no faster, and two of twelve loads over the emulated network stalled for 28–30 s (not
            understood; not seen in 30 loads with the preloads after the scripts). Only a trimmed client, as published, is
            preloaded: the Debug build's two hundred untrimmed files, named all at once, queued the page's own requests behind
            them (its cold load 3,320 → 3,496 ms, 6 alternate loads each). The lesson text shows later in this
            sitting than in the last (324 → 480 ms, DOMContentLoaded 316 → 524 ms; target 1,000 ms), likely the downloads
            competing with the first paint for the two cores; that was not measured A/B. Also tried 2026-12-06, by runtime
            options given at start to the same build (8 alternate loads each): the jiterpreter on, 2,257 → 2,336 ms; its
            call wrappers only, 2,214 ms; no clear gain either way.
            """);

        section.Paragraph("""
            The client is built without the .NET WebAssembly runtime's jiterpreter, for the big runs' sake (see "stress"):
            measured 2026-12-05 in one sitting at commit `09bda60`, the README's command (without it) 3,862 ms
            (3,697–4,611) and the same code published with it (`-p:BlazorWebAssemblyJiterpreter=true`,
            `LOCKLAB_BENCH_SERVER_FOLDER`) 3,624 ms (3,459–4,511): it costs a cold load about a fifth of a second.
            """);

        var medians = measured.Select(m => m.Loads.OrderBy(l => l.InteractiveMs).ElementAt(m.Loads.Count / 2)).ToList();
        var groups = medians.Select(l => l.Resources
            .GroupBy(r => Group(r.Name))
            .Select(g => (Name: g.Key, Body: g.Sum(r => r.Body), Decoded: g.Sum(r => r.Decoded), Count: g.Count()))
            .Append((Name: "HTML page", Body: l.HtmlBody, Decoded: l.HtmlDecoded, Count: 1))
            .ToDictionary(g => g.Name)).ToList();
        section.Paragraph($"Where the bytes go (the median load of each server; response bodies as sent, " +
            $"{string.Join(" and ", medians.Select(l => l.Requests))} requests in all):");
        section.Table(["resource", .. measured.SelectMany(m => new[] { $">{m.Server.Short}: compressed", ">decoded" })], groups
            .SelectMany(g => g.Values).GroupBy(g => g.Name).OrderByDescending(g => g.Max(x => x.Body)).Select(g => g.Key)
            .Select(name => (IReadOnlyList<string>)
            [
                groups.Max(g => g.TryGetValue(name, out var x) ? x.Count : 0) is var files and > 1 ? $"{name} ({files} files)" : name,
                .. groups.SelectMany(g => g.TryGetValue(name, out var x) ? new[] { Kb(x.Body), Kb(x.Decoded) } : ["–", "–"]),
            ]));

        // The targets are the page's own cost, on loopback; the emulated network says what a classroom adds to it.
        foreach (var m in onLoopback)
        {
            Check(section, $"{m.Server.Target}: lesson text visible (cold load)", $"≤ {TextTargetMs:N0} ms",
                m.Loads.Select(l => l.TextVisibleMs).ToList(), TextTargetMs, "N0", " ms");
            Check(section, $"{m.Server.Target}: live panel interactive (cold load)", $"≤ {InteractiveTargetMs:N0} ms",
                m.Loads.Select(l => l.InteractiveMs).ToList(), InteractiveTargetMs, "N0", " ms");
            Check(section, $"{m.Server.Target}: transferred, compressed (cold load)", $"≤ {BytesTarget / 1e6:N0} MB",
                m.Loads.Select(l => l.WireBytes / 1e6).ToList(), BytesTarget / 1e6, "N3", " MB");
        }
        return section;
    }

    /// <summary>
    /// The README's run command as a user copies it, in a fresh clone: started exactly as written (it listens on
    /// port <see cref="ReadmeLab.Port"/> and generates its presenter key), measured, then stopped with its whole process tree.
    /// </summary>
    private static async Task<IReadOnlyList<Measured>> MeasureReadmeCommandAsync(BenchContext context, IBrowser browser)
    {
        Console.Error.WriteLine("Starting the README's run command in a fresh clone; its first start builds and publishes the lab …");
        await using var lab = await ReadmeLab.StartInFreshCloneAsync(context.RepoRoot, ReadmeStartLimit);
        Console.Error.WriteLine($"`{lab.Command}` listens on {lab.Address} after {lab.StartUp.TotalSeconds:N0} s.");
        var server = new Server(
            Label: $"`{lab.Command}` (the README's run command, fresh clone)",
            Short: "README command",
            Target: $"Lesson page via `{lab.Command}`",
            Address: lab.Address,
            Key: lab.Key,
            Command: lab.Command);
        var onLoopback = await MeasureAsync(context, browser, server, lab.StartUp);
        var overClassroomNetwork = await MeasureAsync(context, browser, server with
        {
            Label = $"`{lab.Command}`, over an emulated network ({ClassroomNetwork.Name})",
            Short = "README command, emulated network",
            Target = $"Lesson page via `{lab.Command}` over an emulated network ({ClassroomNetwork.Name})",
            Network = ClassroomNetwork,
        }, lab.StartUp);
        return [onLoopback, overClassroomNetwork];
    }

    /// <summary>
    /// A network as Chromium emulates it (DevTools' throttling: each request waits <paramref name="RoundTripMs"/>, and all
    /// of them share <paramref name="MegabitsPerSecond"/> each way).
    /// </summary>
    private sealed record EmulatedNetwork(string Name, double RoundTripMs, double MegabitsPerSecond);

    /// <summary>A school's Wi-Fi shared by a class, roughly: what one student's browser might get of it.</summary>
    private static readonly EmulatedNetwork ClassroomNetwork = new("30 Mbit/s, 20 ms round trips", 20, 30);

    /// <summary>The published build as the other sections start it (or, in quick mode, the build output).</summary>
    private static async Task<IReadOnlyList<Measured>> MeasurePublishedAsync(BenchContext context, IBrowser browser)
    {
        await using var lab = await context.StartServerAsync();
        var server = context.Quick
            ? new Server("build output in Development (quick mode)", "build output",
                "Lesson page, build output (quick mode)", lab.Address, LabServer.Key, null)
            : new Server("published build (`dotnet publish -c Release`, Production)", "published build",
                "Lesson page, published build", lab.Address, LabServer.Key, null);
        var firstVisits = await MeasureAsync(context, browser, server, null);
        if (context.Quick) return [firstVisits]; // the build output's client runs in WebAssembly from the first visit
        var returning = await MeasureAsync(context, browser, server with
        {
            Label = "published build, a browser's second visit (the client in its cache: runs in WebAssembly)",
            Short = "published, second visit",
            Target = "Lesson page, published build, second visit",
            Returning = true,
        }, null);
        return [firstVisits, returning];
    }

    private static async Task<Measured> MeasureAsync(BenchContext context, IBrowser browser, Server server, TimeSpan? startUp)
    {
        // One load that is not counted: the server's first page (its own JIT, lesson parsing) and the browser's first
        // tab are start-up costs of the processes, not of the page.
        var warmUp = await LoadAsync(browser, server);
        var before = LoadAverage();
        var loads = new List<Load>();
        for (var i = 0; i < context.Repeats(5); i++) loads.Add(await LoadAsync(browser, server));
        return new Measured(server, warmUp, loads, startUp, before, LoadAverage());
    }

    /// <summary>
    /// The machine's 1-minute load average: on 2 cores, much above 2 means other work (a build, another test run)
    /// competed with the browser and the server, and the times are not the page's alone.
    /// </summary>
    private static string LoadAverage() =>
        File.Exists("/proc/loadavg") ? File.ReadAllText("/proc/loadavg").Split(' ')[0] : "–";

    /// <summary>
    /// A server whose lesson page is loaded: how the report names it, where it listens, the presenter key its
    /// run button needs.
    /// </summary>
    /// <param name="Label">Its row in the summary table.</param>
    /// <param name="Short">Its column in the other tables.</param>
    /// <param name="Target">How its target rows (and the summary of targets at the top of the document) name it.</param>
    /// <param name="Command">The README's command that started it, or null for a server the benchmark started itself.</param>
    /// <param name="Network">The network Chromium emulates for its loads; null for loopback as it is.</param>
    /// <param name="Returning">Each load is a browser's second visit: the first, in the same browser context, ran on
    /// the server and fetched the WebAssembly client into the cache, so this one runs in WebAssembly from there.</param>
    private sealed record Server(string Label, string Short, string Target, Uri Address, string Key, string? Command,
        EmulatedNetwork? Network = null, bool Returning = false);

    /// <param name="StartUp">From the command's start to "Now listening on", for the README's command.</param>
    /// <param name="LoadBefore">The machine's load average as the counted loads began (after the uncounted one).</param>
    private sealed record Measured(
        Server Server, Load WarmUp, IReadOnlyList<Load> Loads, TimeSpan? StartUp, string LoadBefore, string LoadAfter);

    /// <summary>A target is met when the median meets it; the worst repetition is quoted beside it.</summary>
    private static void Check(BenchSection section, string what, string target, IReadOnlyList<double> values,
        double limit, string format, string unit)
    {
        var median = Stats.Median(values);
        var met = median <= limit;
        var missedBy = met ? null : $"+{Stats.Format(median - limit, format, unit)} ({median / limit:N2}×)";
        var worst = values.Count > 1 && values.Max() > limit ? $"; worst {Stats.Format(values.Max(), format, unit)}" : "";
        section.Target(what, target, Stats.Spread(values, format, unit) + worst, met, missedBy);
    }

    private static IEnumerable<(string Name, List<double> Values)> Phases(IReadOnlyList<Load> loads)
    {
        (string, List<double>) Of(string name, Func<Load, double?> pick) =>
            (name, loads.Select(pick).Where(v => v is not null).Select(v => v!.Value).ToList());
        return new[]
        {
            Of("HTML received (prerendered lesson)", l => l.HtmlEndMs),
            Of("style sheets received", l => l.Last(r => r.Type == "link" && r.Name.EndsWith(".css", StringComparison.Ordinal))),
            Of("first contentful paint", l => l.FirstPaintMs),
            Of("lesson text laid out (first frame with it)", l => l.TextLaidOutMs),
            Of("lesson text painted (visible)", l => l.TextVisibleMs),
            Of("DOMContentLoaded", l => l.DomContentLoadedMs),
            Of("blazor.web.js received", l => l.Last(r => r.Name.Contains("blazor.web", StringComparison.Ordinal))),
            // A page that runs on the server fetches these only after it is interactive, for the browser's next pages.
            Of("dotnet runtime (js + wasm) received", l => l.RunsIn != "WebAssembly" ? null
                : l.Last(r => r.Name.Contains("/_framework/dotnet", StringComparison.Ordinal))),
            Of("last assembly received", l => l.RunsIn != "WebAssembly" ? null
                : l.Last(r => r.Name.EndsWith(".wasm", StringComparison.Ordinal) && !r.Name.Contains("/dotnet.native", StringComparison.Ordinal))),
            // The client's own marks (src/LockLab.Client/Services/StartupMarks.cs).
            Of(".NET runtime started, the client's entry point reached", l => l.ClientMark("locklab:main")),
            Of("the client's services built (it starts rendering)", l => l.ClientMark("locklab:host-built")),
            Of("the circuit negotiated (a page that runs on the server)", l => l.Last(r => r.Name.StartsWith("/_blazor/negotiate", StringComparison.Ordinal))),
            Of("the page rendered interactive (in WebAssembly, it takes the connection start.js opened)", l => l.RenderedMs),
            Of("the live panel in its room (the early answers read)", l => l.ClientMark("locklab:hub-connected")),
            Of("live panel interactive", l => l.InteractiveMs),
        }.Where(p => p.Item2.Count > 0);
    }

    private static string Group(string path)
    {
        var name = path[(path.LastIndexOf('/') + 1)..];
        if (path.StartsWith("/_framework/", StringComparison.Ordinal))
        {
            if (name.StartsWith("dotnet.native", StringComparison.Ordinal)
                && name.EndsWith(".wasm", StringComparison.Ordinal))
                return "dotnet.native.wasm (runtime)";
            if (name.EndsWith(".wasm", StringComparison.Ordinal))
            {
                return Assembly(name) switch
                {
                    "System.Private.CoreLib" => "System.Private.CoreLib",
                    var a when a.StartsWith("MudBlazor", StringComparison.Ordinal) => "MudBlazor (assembly)",
                    var a when a.StartsWith("LockLab", StringComparison.Ordinal) => "LockLab assemblies",
                    var a when a.StartsWith("Microsoft.AspNetCore.Components", StringComparison.Ordinal) => "Blazor assemblies",
                    var a when a.Contains("SignalR", StringComparison.Ordinal)
                        || a.Contains("Connections", StringComparison.Ordinal)
                        || a.Contains("Http", StringComparison.Ordinal)
                        || a.Contains("Net.", StringComparison.Ordinal) => "networking assemblies",
                    var a when a.StartsWith("System.Text.Json", StringComparison.Ordinal) => "System.Text.Json",
                    _ => "other assemblies",
                };
            }
            if (name.EndsWith(".js", StringComparison.Ordinal))
                return name.StartsWith("blazor", StringComparison.Ordinal) ? "blazor.web.js" : "dotnet runtime scripts";
            return "other framework files";
        }
        if (path.StartsWith("/_content/MudBlazor/", StringComparison.Ordinal))
            return "MudBlazor " + (name.EndsWith(".css", StringComparison.Ordinal) ? "CSS" : "JS");
        if (path.StartsWith("/hubs/", StringComparison.Ordinal)) return "hub (HTTP)";
        if (path.StartsWith("/api/", StringComparison.Ordinal)) return "API calls";
        return name.EndsWith(".css", StringComparison.Ordinal) ? "app CSS"
            : name.EndsWith(".js", StringComparison.Ordinal) ? "app JS"
            : "other";
    }

    /// <summary>An assembly's name from its fingerprinted file name, e.g. <c>MudBlazor.abc123.wasm</c>.</summary>
    private static string Assembly(string file)
    {
        var parts = file.Split('.');
        return parts.Length > 2 ? string.Join('.', parts[..^2]) : parts[0];
    }

    private static string Kb(long bytes) => Stats.Format(bytes / 1024.0, "N0", " KB");

    private static async Task<Load> LoadAsync(IBrowser browser, Server server)
    {
        // A room of its own for every load: each starts from an empty room, as the first student of a class does.
        using var http = new HttpClient { BaseAddress = server.Address, Timeout = TimeSpan.FromMinutes(2) };
        http.DefaultRequestHeaders.Authorization = new("Bearer", server.Key);
        using var created = await http.PostAsync("/api/rooms", null);
        created.EnsureSuccessStatusCode();
        var room = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RoomState))!.Room;
        using var signedIn = await http.PostAsync("/api/presenter/session", null);
        signedIn.EnsureSuccessStatusCode();
        var session = (await signedIn.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PresenterSession))!.Token;

        await using var browserContext = await browser.NewContextAsync(
            new BrowserNewContextOptions { ViewportSize = new ViewportSize { Width = 1440, Height = 900 } });
        // A presenter session, as a teacher's browser keeps it after the sign-in link, so that the run button may start a run.
        await browserContext.AddInitScriptAsync($"try {{ localStorage.setItem('locklab.presenterSession', '{session}'); }} catch {{ }}");
        await browserContext.AddInitScriptAsync(Probe);
        var page = await browserContext.NewPageAsync();
        var errors = new List<string>();
        page.PageError += (_, error) => { lock (errors) errors.Add(error); };

        var network = new NetworkLog();
        var cdp = await browserContext.NewCDPSessionAsync(page);
        cdp.Event("Network.requestWillBeSent").OnEvent += (_, e) => network.Started(e!.Value.GetProperty("requestId").GetString()!);
        cdp.Event("Network.loadingFinished").OnEvent += (_, e) => network.Finished(
            e!.Value.GetProperty("requestId").GetString()!, (long)e.Value.GetProperty("encodedDataLength").GetDouble());
        cdp.Event("Network.loadingFailed").OnEvent += (_, e) => network.Finished(e!.Value.GetProperty("requestId").GetString()!, 0);
        cdp.Event("Network.webSocketFrameReceived").OnEvent += (_, e) =>
            network.WebSocketFrame(e!.Value.GetProperty("response").GetProperty("payloadData").GetString()!);
        cdp.Event("Network.webSocketFrameSent").OnEvent += (_, e) =>
            network.WebSocketFrame(e!.Value.GetProperty("response").GetProperty("payloadData").GetString()!);
        await cdp.SendAsync("Network.enable");
        if (server.Network is { } emulated)
        {
            var bytesPerSecond = emulated.MegabitsPerSecond * 1e6 / 8;
            await cdp.SendAsync("Network.emulateNetworkConditions", new Dictionary<string, object>
            {
                ["offline"] = false,
                ["latency"] = emulated.RoundTripMs,
                ["downloadThroughput"] = bytesPerSecond,
                ["uploadThroughput"] = bytesPerSecond,
            });
        }

        // To see where the time goes: PAGE_LOAD_TRACE=<folder> keeps, for each load, what it fetched and when
        // (*.resources.json, with any performance.mark() of the page) and a Chromium performance trace with CPU samples
        // (*.trace.json: the DevTools Performance panel opens it; tracing slows the page, so its figures run high).
        // PAGE_LOAD_TRACE_CPU=0 keeps only the resources.
        var traceFolder = Environment.GetEnvironmentVariable("PAGE_LOAD_TRACE");
        var chromiumTrace = traceFolder is not null && Environment.GetEnvironmentVariable("PAGE_LOAD_TRACE_CPU") != "0";
        var traceName = $"page-load-{DateTime.UtcNow:HHmmss-fff}";
        var trace = new List<JsonElement>();
        var traceDone = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (chromiumTrace)
        {
            cdp.Event("Tracing.dataCollected").OnEvent += (_, e) =>
            {
                lock (trace) trace.AddRange(e!.Value.GetProperty("value").EnumerateArray().Select(v => v.Clone()));
            };
            cdp.Event("Tracing.tracingComplete").OnEvent += (_, _) => traceDone.TrySetResult();
            await cdp.SendAsync("Tracing.start", new()
            {
                ["transferMode"] = "ReportEvents",
                ["categories"] = "devtools.timeline,disabled-by-default-devtools.timeline," +
                    "disabled-by-default-devtools.timeline.frame,toplevel,loading,blink.user_timing," +
                    "v8.execute,v8,v8.wasm,disabled-by-default-v8.cpu_profiler",
            });
        }

        if (server.Returning)
        {
            // The browser's first visit, not measured: it runs on the server and fetches the client into the cache.
            await page.GotoAsync(new Uri(server.Address, LessonPath).ToString(), new PageGotoOptions { Timeout = 30_000 });
            await page.WaitForFunctionAsync(ClientFetched, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
            if (!await network.QuietAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10)))
                throw new TimeoutException("The first visit kept loading for 10 s after it had fetched the client.");
            network.Reset();
        }
        var url = new Uri(server.Address, $"{LessonPath}?room={Uri.EscapeDataString(room)}").ToString();
        await page.GotoAsync(url, new PageGotoOptions { WaitUntil = WaitUntilState.Commit, Timeout = 30_000 });
        await page.WaitForFunctionAsync(
            "() => window.__pageLoad && window.__pageLoad.interactive !== undefined " +
                "&& window.__pageLoad.textVisible !== undefined",
            null, new PageWaitForFunctionOptions { Timeout = 30_000 });
        var runsIn = await page.GetAttributeAsync("body", "data-runs-in") ?? "";
        // A page that runs on the server fetches the client once it is interactive: those bytes are the visit's too.
        if (runsIn == "Server")
            await page.WaitForFunctionAsync(ClientFetched, null, new PageWaitForFunctionOptions { Timeout = 60_000 });
        if (!await network.QuietAsync(TimeSpan.FromMilliseconds(500), TimeSpan.FromSeconds(10)))
            throw new TimeoutException("The page kept loading for 10 s after it became interactive.");
        var (wireBytes, requests, webSocketBytes) = network.Totals();

        var timeline = await page.EvaluateAsync<JsonElement>(Timeline);
        if (traceFolder is not null)
        {
            Directory.CreateDirectory(traceFolder);
            if (chromiumTrace)
            {
                await cdp.SendAsync("Tracing.end");
                await traceDone.Task.WaitAsync(TimeSpan.FromSeconds(30));
                lock (trace) File.WriteAllText(Path.Combine(traceFolder, traceName + ".trace.json"),
                    JsonSerializer.Serialize(new { traceEvents = trace }));
            }
            await File.WriteAllTextAsync(Path.Combine(traceFolder, traceName + ".resources.json"), timeline.GetRawText());
        }
        var marks = timeline.GetProperty("marks");
        if (!marks.GetProperty("buttonEnabled").GetBoolean())
            throw new InvalidOperationException("The live panel said it was interactive while its run button was disabled.");
        if (!await page.GetByTestId("lesson-text").IsVisibleAsync()) throw new InvalidOperationException("The lesson text is not visible.");

        // Does the button work? Press it and wait for the run to show up in the panel.
        var click = Stopwatch.StartNew();
        await page.GetByTestId("run-experiment").ClickAsync();
        await page.Locator("[data-testid=run-status]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        var runVisible = click.Elapsed.TotalMilliseconds;
        await page.Locator("[data-testid=run-status][data-status=completed]").WaitForAsync(new LocatorWaitForOptions { Timeout = 30_000 });
        lock (errors)
        {
            if (errors.Count > 0) throw new InvalidOperationException("The page reported errors: " + string.Join(" | ", errors));
        }

        var html = timeline.GetProperty("html");
        var resources = timeline.GetProperty("resources").EnumerateArray().Select(r => new Resource(
            r.GetProperty("name").GetString()!, r.GetProperty("type").GetString()!,
            r.GetProperty("start").GetDouble(), r.GetProperty("end").GetDouble(),
            (long)r.GetProperty("body").GetDouble(), (long)r.GetProperty("decoded").GetDouble())).ToList();
        return new Load(
            WireBytes: wireBytes,
            Requests: requests,
            WebSocketBytes: webSocketBytes,
            HtmlBody: (long)html.GetProperty("body").GetDouble(),
            HtmlDecoded: (long)html.GetProperty("decoded").GetDouble(),
            HtmlEndMs: html.GetProperty("end").GetDouble(),
            DomContentLoadedMs: html.GetProperty("domContentLoaded").GetDouble(),
            FirstPaintMs: marks.TryGetProperty("fcp", out var fcp) ? fcp.GetDouble() : double.NaN,
            RenderedMs: marks.TryGetProperty("rendered", out var rendered) ? rendered.GetDouble() : null,
            TextLaidOutMs: marks.GetProperty("textVisible").GetDouble(),
            // Painted: the title's first paint as the browser reports it (element timing), but never before the frame
            // in which the whole text was laid out.
            TextVisibleMs: Math.Max(marks.GetProperty("textVisible").GetDouble(),
                marks.TryGetProperty("paint:lesson-title", out var title) ? title.GetDouble() : 0),
            InteractiveMs: marks.GetProperty("interactive").GetDouble(),
            RunsIn: runsIn,
            RunVisibleMs: runVisible,
            Resources: resources,
            ClientMarks: timeline.GetProperty("perf").EnumerateArray().GroupBy(m => m[0].GetString()!)
                .ToDictionary(g => g.Key, g => g.First()[1].GetDouble()));
    }

    private sealed record Resource(string Name, string Type, double StartMs, double EndMs, long Body, long Decoded);

    private sealed record Load(
        double WireBytes, int Requests, long WebSocketBytes, long HtmlBody, long HtmlDecoded, double HtmlEndMs,
        double DomContentLoadedMs, double FirstPaintMs, double? RenderedMs,
        double TextLaidOutMs, double TextVisibleMs, double InteractiveMs, string RunsIn, double RunVisibleMs, IReadOnlyList<Resource> Resources,
        IReadOnlyDictionary<string, double> ClientMarks)
    {
        public double? ClientMark(string name) => ClientMarks.TryGetValue(name, out var at) ? at : null;

        public long BodyBytes => HtmlBody + Resources.Sum(r => r.Body);
        public long DecodedBytes => HtmlDecoded + Resources.Sum(r => r.Decoded);

        /// <summary>When the last matching resource finished arriving, or null when there was none.</summary>
        public double? Last(Func<Resource, bool> match) => Resources.Where(match).Select(r => (double?)r.EndMs).Max();
    }

    /// <summary>HTTP requests as Chromium's network stack saw them (CDP), for bytes on the wire and quiet periods.</summary>
    private sealed class NetworkLog
    {
        private readonly object _gate = new();
        private readonly HashSet<string> _inFlight = [];
        private readonly Dictionary<string, long> _finished = [];
        private long _lastActivity = Stopwatch.GetTimestamp();

        public void Started(string id)
        {
            lock (_gate)
            {
                _inFlight.Add(id);
                _lastActivity = Stopwatch.GetTimestamp();
            }
        }

        public void Finished(string id, long encodedBytes)
        {
            lock (_gate)
            {
                _inFlight.Remove(id);
                _finished[id] = encodedBytes;
                _lastActivity = Stopwatch.GetTimestamp();
            }
        }

        private long _webSocketBytes;

        /// <summary>A hub message either way (its payload; the hub's JSON is text).</summary>
        public void WebSocketFrame(string payload)
        {
            lock (_gate) _webSocketBytes += System.Text.Encoding.UTF8.GetByteCount(payload);
        }

        /// <summary>Forgets what finished so far: the next figures are the next navigation's.</summary>
        public void Reset()
        {
            lock (_gate)
            {
                _finished.Clear();
                _webSocketBytes = 0;
            }
        }

        public (double Bytes, int Requests, long WebSocketBytes) Totals()
        {
            lock (_gate) return (_finished.Values.Sum(), _finished.Count, _webSocketBytes);
        }

        /// <summary>
        /// Waits until no request has been in flight for <paramref name="quiet"/>; false after
        /// <paramref name="timeout"/>.
        /// </summary>
        public async Task<bool> QuietAsync(TimeSpan quiet, TimeSpan timeout)
        {
            var deadline = Stopwatch.GetTimestamp() + (long)(timeout.TotalSeconds * Stopwatch.Frequency);
            while (Stopwatch.GetTimestamp() < deadline)
            {
                lock (_gate)
                {
                    if (_inFlight.Count == 0 && Stopwatch.GetElapsedTime(_lastActivity) >= quiet) return true;
                }
                await Task.Delay(20);
            }
            return false;
        }
    }
}
