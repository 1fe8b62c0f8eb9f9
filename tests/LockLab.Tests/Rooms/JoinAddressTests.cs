using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Rooms;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace LockLab.Tests.Rooms;

/// <summary>
/// Which address students are told to open. The finder reads what Kestrel reports it listens on; these tests give it
/// those reports directly (the browser test ClassroomLanTests opens the address a real lab offers from another context).
/// </summary>
public class JoinAddressTests
{
    private static JoinAddressFinder Finder(string? publicUrl, params string[] listening) =>
        new(new ListeningOn(listening), Options.Create(new LockLabOptions { PublicUrl = publicUrl }));

    [Fact]
    public void A_lab_listening_on_every_interface_offers_this_machines_lan_addresses_and_never_loopback()
    {
        var lan = JoinAddressFinder.LanAddresses();

        var join = Finder(null, "http://[::]:5080").Find(new HostString("localhost:5080"));

        Assert.Equal(lan.Select(ip => $"http://{ip}:5080"), join.Addresses);
        Assert.DoesNotContain(join.Addresses, a => a.Contains("localhost") || a.Contains("127.0.0.1") || a.Contains("[::1]"));
        Assert.Equal(lan.Count == 0, join.Advice is not null); // a machine on no network at all is told so
    }

    [Fact]
    public void The_address_the_presenter_reached_the_lab_by_comes_first_when_it_is_not_loopback()
    {
        var join = Finder(null, "http://0.0.0.0:5080").Find(new HostString("teacher-laptop.local:5080"));

        Assert.Equal("http://teacher-laptop.local:5080", join.Addresses[0]);
    }

    [Fact]
    public void A_lab_listening_on_loopback_only_offers_nothing_and_says_how_to_listen_on_the_network()
    {
        var join = Finder(null, "http://localhost:5080", "http://127.0.0.1:5081").Find(new HostString("localhost:5080"));

        Assert.Empty(join.Addresses);
        Assert.Contains("only on this computer", join.Advice);
        Assert.Contains("dotnet run --project src/LockLab.Server -c Release -- --urls http://*:5080", join.Advice);
    }

    [Fact]
    public void A_configured_public_url_is_the_only_address_offered()
    {
        var join = Finder("https://lab.school.example/", "http://[::]:8080").Find(new HostString("localhost:8080"));

        Assert.Equal(["https://lab.school.example"], join.Addresses);
        Assert.True(join.Configured);
    }

    [Fact]
    public void Lan_addresses_exclude_loopback_and_link_local()
    {
        Assert.All(JoinAddressFinder.LanAddresses(), ip =>
        {
            var address = IPAddress.Parse(ip);
            Assert.False(IPAddress.IsLoopback(address), ip);
            Assert.False(ip.StartsWith("169.254.", StringComparison.Ordinal), ip);
        });
    }

    private sealed class ListeningOn : IServer
    {
        public ListeningOn(IEnumerable<string> addresses)
        {
            var feature = new ServerAddressesFeature();
            foreach (var address in addresses) feature.Addresses.Add(address);
            Features.Set<IServerAddressesFeature>(feature);
        }

        public IFeatureCollection Features { get; } = new FeatureCollection();

        public Task StartAsync<TContext>(IHttpApplication<TContext> application, CancellationToken cancellationToken)
            where TContext : notnull => Task.CompletedTask;

        public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

        public void Dispose()
        {
        }
    }
}

/// <summary>The QR code encodes only an address the lab offers: anything else is a problem, not a link to elsewhere.</summary>
public class JoinAddressEndpointTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task A_qr_code_for_an_address_the_lab_does_not_offer_is_refused_with_problem_details()
    {
        var response = await lab.CreateClient().GetAsync("/api/rooms/main/qr.svg?address=" + Uri.EscapeDataString("http://example.com"));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("not an address of this lab", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Join_addresses_are_served_to_pages()
    {
        var join = await lab.CreateClient().GetFromJsonAsync("/api/join-addresses", ContractsJsonContext.Default.JoinAddresses);

        Assert.NotNull(join);
        // The in-process test server listens nowhere: it offers no address, and says what to do about it.
        Assert.Empty(join.Addresses);
        Assert.False(string.IsNullOrEmpty(join.Advice));
    }
}
