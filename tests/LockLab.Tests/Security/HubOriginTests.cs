using System.Net;
using LockLab.Tests.Support;

namespace LockLab.Tests.Security;

/// <summary>A page on another site cannot open the hub from a student's browser (cross-site WebSocket hijacking).</summary>
public class HubOriginTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    /// <param name="hub">The lab's hub, or a page's circuit (Blazor's connection for a page that runs on the server).</param>
    private async Task<HttpResponseMessage> NegotiateFromAsync(string? origin, string hub = "/hubs/lab")
    {
        var request = new HttpRequestMessage(HttpMethod.Post, $"{hub}/negotiate?negotiateVersion=1");
        if (origin is not null) request.Headers.Add("Origin", origin);
        return await lab.CreateClient().SendAsync(request);
    }

    [Fact]
    public async Task Another_sites_page_is_refused_with_the_reason()
    {
        var refused = await NegotiateFromAsync("https://evil.example");
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("own pages only", await refused.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await NegotiateFromAsync("null")).StatusCode); // a sandboxed frame
        // A page's circuit carries what the page does as much as the hub does: refused alike.
        Assert.Equal(HttpStatusCode.Forbidden, (await NegotiateFromAsync("https://evil.example", "/_blazor")).StatusCode);
    }

    [Theory]
    [InlineData("http://localhost")] // the test server's own origin
    [InlineData(null)] // not a browser
    public async Task The_labs_own_pages_and_clients_that_are_not_browsers_are_answered(string? origin)
    {
        Assert.Equal(HttpStatusCode.OK, (await NegotiateFromAsync(origin)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await NegotiateFromAsync(origin, "/_blazor")).StatusCode);
    }
}
