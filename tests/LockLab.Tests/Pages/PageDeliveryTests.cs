using System.IO.Compression;
using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
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

    [GeneratedRegex("""<(?:link rel="stylesheet" href|script src)="(?<url>[^"]+)""")]
    private static partial Regex LinkedFiles();

    [GeneratedRegex("<!--Blazor-WebAssembly-Component-State:(?<state>[A-Za-z0-9+/=]+)-->")]
    private static partial Regex PersistedState();
}
