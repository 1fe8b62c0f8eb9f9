using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LockLab.Server.Components;
using LockLab.Tests.Support;

namespace LockLab.Tests.Pages;

/// <summary>What makes a lesson page quick to show: its text in the first response, everything it links compressed.</summary>
public partial class PageDeliveryTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<(HttpResponseMessage Response, string Html)> GetPageAsync(string path, string acceptEncoding)
    {
        var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.TryAddWithoutValidation("Accept-Encoding", acceptEncoding);
        var response = await lab.CreateClient().SendAsync(request);
        var body = await response.Content.ReadAsStreamAsync();
        Stream decoded = response.Content.Headers.ContentEncoding.SingleOrDefault() switch
        {
            "br" => new BrotliStream(body, CompressionMode.Decompress),
            "gzip" => new GZipStream(body, CompressionMode.Decompress),
            _ => body,
        };
        using var reader = new StreamReader(decoded, Encoding.UTF8);
        return (response, await reader.ReadToEndAsync());
    }

    [Fact]
    public async Task A_lesson_page_arrives_compressed_with_its_text_in_the_first_response()
    {
        var (response, html) = await GetPageAsync("/lessons/process-locks/2", "gzip, deflate, br");

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("br", Assert.Single(response.Content.Headers.ContentEncoding));
        // The text is in the HTML itself, so the browser shows it before WebAssembly has even started downloading.
        Assert.Contains("""data-testid="lesson-text" """.Trim(), html);
        Assert.Contains("Without a lock", html);
        Assert.Contains("""<span class="keyword">def</span>""", html);
    }

    [Fact]
    public async Task Every_style_sheet_and_script_the_page_links_is_served_compressed()
    {
        var (_, html) = await GetPageAsync("/lessons/process-locks/2", "br");
        var links = LinkedFiles().Matches(html).Select(m => m.Groups["url"].Value).ToList();
        Assert.Contains(links, l => l.Contains("MudBlazor.min.css", StringComparison.Ordinal));
        Assert.Contains(links, l => l.Contains("blazor.web", StringComparison.Ordinal));

        foreach (var link in links)
        {
            var request = new HttpRequestMessage(HttpMethod.Get, "/" + link.TrimStart('/'));
            // Brotli variants are made at publish; the build (which the test host serves) has gzip ones.
            request.Headers.TryAddWithoutValidation("Accept-Encoding", "gzip, br");
            var response = await lab.CreateClient().SendAsync(request);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{link}: {response.StatusCode}");
            Assert.True(response.Content.Headers.ContentEncoding.Count == 1, $"{link} is served uncompressed");
        }
    }

    [Fact]
    public async Task The_page_does_not_send_the_WebAssembly_client_for_the_list_of_all_assets()
    {
        var (_, html) = await GetPageAsync("/lessons/process-locks/2", "identity");

        var state = Encoding.UTF8.GetString(Convert.FromBase64String(Assert.Single(PersistedState().Matches(html)).Groups["state"].Value));
        var values = JsonSerializer.Deserialize<Dictionary<string, string>>(state)!.Values
            .Select(v => Encoding.UTF8.GetString(Convert.FromBase64String(v))).ToList();
        Assert.Contains(values, v => v.Contains("Without a lock", StringComparison.Ordinal)); // the lesson travels with the page
        Assert.DoesNotContain(values, v => v.Contains("resource-collection", StringComparison.Ordinal));
    }

    [Fact]
    public async Task WebAssembly_modules_carry_only_nosniff_and_everything_else_the_page_headers()
    {
        // Any of the client's modules, as the build's endpoint manifest lists them.
        using var manifest = JsonDocument.Parse(
            File.ReadAllBytes(Path.Combine(AppContext.BaseDirectory, "LockLab.Server.staticwebassets.endpoints.json")));
        var module = manifest.RootElement.GetProperty("Endpoints").EnumerateArray()
            .Select(e => e.GetProperty("Route").GetString()!)
            .First(r => r.StartsWith("_framework/", StringComparison.Ordinal) && r.EndsWith(".wasm", StringComparison.Ordinal));

        var wasm = await lab.CreateClient().GetAsync("/" + module);
        Assert.Equal(HttpStatusCode.OK, wasm.StatusCode);
        Assert.Equal("application/wasm", wasm.Content.Headers.ContentType?.MediaType);
        Assert.Equal("nosniff", Assert.Single(wasm.Headers.GetValues("X-Content-Type-Options")));
        Assert.False(wasm.Headers.Contains("Content-Security-Policy"));

        foreach (var path in new[] { "/lessons/process-locks/2", "/_framework/blazor.web.js", "/api/lessons", "/no/such/page" })
        {
            var response = await lab.CreateClient().GetAsync(path);
            Assert.True(response.Headers.Contains("Content-Security-Policy"), path);
            Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
        }
    }

    [Fact]
    public void The_presenter_key_is_taken_out_of_the_address_and_the_rest_kept_as_it_was()
    {
        Assert.Equal(("abc", "?room=K7QX"), LockLab.Client.Services.LabConnection.TakeFromQuery("?key=abc&room=K7QX", "key"));
        Assert.Equal(("a b&c", "?room=x%20y&z"), LockLab.Client.Services.LabConnection.TakeFromQuery("?room=x%20y&key=a+b%26c&z", "key"));
        Assert.Equal(("abc", ""), LockLab.Client.Services.LabConnection.TakeFromQuery("?key=abc", "key"));
        Assert.Equal(((string?)null, "?room=main"), LockLab.Client.Services.LabConnection.TakeFromQuery("?room=main", "key"));
        Assert.Equal(((string?)null, ""), LockLab.Client.Services.LabConnection.TakeFromQuery("", "key"));
    }

    [Fact]
    public async Task An_untrimmed_client_is_not_preloaded()
    {
        // The test host serves the Debug build: two hundred untrimmed files, which would queue the page's own requests.
        // (The published client's preloads are checked in the browser, through the README's command: FirstRunTests.)
        var bootScript = await lab.CreateClient().GetStringAsync("/" + FrameworkFiles.BootScript);
        Assert.DoesNotContain("\"linkerEnabled\": true", bootScript);
        var (_, html) = await GetPageAsync("/lessons/process-locks/2", "identity");

        Assert.Empty(FrameworkFiles.FromBootScript(bootScript));
        Assert.Empty(Preloads().Matches(html));
        Assert.Empty(ModulePreloads().Matches(html));
        Assert.Contains("blazor.web", html); // the page loads as it always did
    }

    [Fact]
    public void The_runtimes_files_are_read_from_the_boot_configuration_the_build_writes_into_dotnet_js()
    {
        const string script = """
            //! a licence line
            const x=1;ft.withConfig(/*json-start*/{
              "mainAssemblyName": "LockLab.Client",
              "linkerEnabled": true,
              "resources": {
                "jsModuleNative": [ { "name": "dotnet.native.abc.js" } ],
                "jsModuleRuntime": [ { "name": "dotnet.runtime.def.js" } ],
                "wasmNative": [ { "name": "dotnet.native.ghi.wasm", "hash": "sha256-AAA=", "cache": "force-cache" } ],
                "coreAssembly": [ { "virtualPath": "System.Private.CoreLib.wasm", "name": "System.Private.CoreLib.jkl.wasm", "hash": "sha256-BBB=" } ],
                "assembly": [
                  { "virtualPath": "MudBlazor.wasm", "name": "MudBlazor.mno.wasm", "hash": "sha256-CCC=" },
                  { "virtualPath": "Elsewhere.wasm", "name": "https://cdn.example/Elsewhere.wasm", "hash": "sha256-DDD=" }
                ],
                "satelliteResources": { "zh-CN": [ { "name": "LockLab.Client.resources.pqr.wasm", "hash": "sha256-EEE=" } ] }
              }
            }/*json-end*/);export{gt as default};
            """;

        Assert.Equal(
            [
                new FrameworkFile("_framework/dotnet.js", IsModule: true),
                new FrameworkFile("_framework/dotnet.native.abc.js", IsModule: true),
                new FrameworkFile("_framework/dotnet.runtime.def.js", IsModule: true),
                new FrameworkFile("_framework/dotnet.native.ghi.wasm", IsModule: false),
                new FrameworkFile("_framework/System.Private.CoreLib.jkl.wasm", IsModule: false),
                // The other assemblies come after, at low priority; one named by an address of its own is not preloaded,
                // nor is a language's satellite assembly (only that language's pages load it).
                new FrameworkFile("_framework/MudBlazor.mno.wasm", IsModule: false, Early: false),
            ],
            FrameworkFiles.FromBootScript(script));
        Assert.Empty(FrameworkFiles.FromBootScript("export default {};")); // another runtime's script: nothing preloaded
        Assert.Empty(FrameworkFiles.FromBootScript(script.Replace("\"linkerEnabled\": true", "\"linkerEnabled\": false"))); // untrimmed
    }

    [Fact]
    public void A_browser_runs_pages_in_WebAssembly_once_it_holds_the_client_the_lab_serves_and_on_the_server_before()
    {
        var files = new[] { new FrameworkFile("_framework/dotnet.js", true), new FrameworkFile("_framework/App.abc.wasm", false) };
        var version = FrameworkFiles.VersionOf(files);
        Assert.Matches("^[0-9a-f]{16}$", version);
        // Another build of the client (a file's fingerprint changed) is another version.
        Assert.NotEqual(version, FrameworkFiles.VersionOf([files[0], new FrameworkFile("_framework/App.abd.wasm", false)]));
        Assert.Equal("", FrameworkFiles.VersionOf([]));

        Assert.False(PageInteractivity.RunsInBrowser(null, version, 0, 200)); // a first visit
        Assert.True(PageInteractivity.RunsInBrowser(version, version, 0, 200)); // the client fetched
        Assert.False(PageInteractivity.RunsInBrowser("0123456789abcdef", version, 0, 200)); // an older client: fetched again
        // A client whose files are not known (an untrimmed Debug build) is not fetched ahead: it runs in the browser.
        Assert.True(PageInteractivity.RunsInBrowser(null, "", 0, 200));
        // As many pages on the server as it may hold: a first visit runs in the browser too.
        Assert.False(PageInteractivity.RunsInBrowser(null, version, 199, 200));
        Assert.True(PageInteractivity.RunsInBrowser(null, version, 200, 200));
        Assert.True(PageInteractivity.RunsInBrowser(null, version, 0, 0));
    }

    [Fact]
    public async Task The_test_hosts_untrimmed_client_runs_in_WebAssembly_from_the_first_visit()
    {
        var (_, html) = await GetPageAsync("/lessons/process-locks/2", "identity");
        Assert.Contains("Blazor-WebAssembly-Component-State", html);
        Assert.DoesNotContain("locklab-client", html); // nothing to fetch ahead
    }

    [GeneratedRegex("""<(?:link rel="stylesheet" href|script src)="(?<url>[^"]+)""")]
    private static partial Regex LinkedFiles();

    [GeneratedRegex("""<link rel="preload" as="fetch" crossorigin="anonymous" href="(?<href>[^"]+)""")]
    private static partial Regex Preloads();

    [GeneratedRegex("""<link rel="modulepreload" href="(?<href>_framework/[^"]+)""")]
    private static partial Regex ModulePreloads();

    [GeneratedRegex("<!--Blazor-WebAssembly-Component-State:(?<state>[A-Za-z0-9+/=]+)-->")]
    private static partial Regex PersistedState();
}
