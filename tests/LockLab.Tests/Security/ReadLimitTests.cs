using System.Net;
using LockLab.Contracts;
using LockLab.Tests.Support;

namespace LockLab.Tests.Security;

/// <summary>A lab that lets one address read sixty times a minute (ten at once), and run two exports at a time.</summary>
public sealed class SixtyReadsLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["LockLab:Limits:ReadsPerMinutePerClient"] = "60",
        ["LockLab:Limits:ExportsAtOncePerClient"] = "2",
    };
}

/// <summary>Reading needs no key, so how much one address reads is bounded: requests a minute, and exports at a time.</summary>
public class ReadLimitTests(SixtyReadsLabFactory lab) : IClassFixture<SixtyReadsLabFactory>
{
    [Fact]
    public async Task An_address_that_reads_too_often_is_told_to_wait_and_pages_are_not_counted()
    {
        var client = lab.CreateClient();
        var answers = new List<HttpResponseMessage>();
        for (var i = 0; i < 20; i++) answers.Add(await client.GetAsync("/api/lessons"));

        Assert.InRange(answers.Count(a => a.StatusCode == HttpStatusCode.OK), 10, 12); // ten at once, one a second after
        var refused = answers.First(a => a.StatusCode == HttpStatusCode.TooManyRequests);
        Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        Assert.Contains("asked the lab too often", await refused.Content.ReadAsStringAsync());
        Assert.True(refused.Headers.Contains("Retry-After"));

        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/lessons/process-locks/1")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync("/healthz")).StatusCode);
    }
}

/// <summary>Exports get a lab of their own: the reads above would use up their allowance.</summary>
public sealed class TwoExportsLabFactory : LabServerFactory
{
    protected override IDictionary<string, string?> Settings => new Dictionary<string, string?> { ["LockLab:Limits:ExportsAtOncePerClient"] = "2" };
}

public class ExportLimitTests(TwoExportsLabFactory lab) : IClassFixture<TwoExportsLabFactory>
{
    [Fact]
    public async Task An_address_runs_at_most_two_exports_at_once_and_a_finished_one_frees_its_place()
    {
        // A run big enough that its export does not fit in the transport's buffers: an export not read on stays open.
        var started = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","processes":8,"iterations":1000,"delayMs":0}"""));
        var run = (await Json.ReadAsync<RunInfo>(started))!;
        var events = (await lab.WaitForRunAsync(run.Id)).EventCount;

        var client = lab.CreateClient();
        var path = $"/api/runs/{run.Id}/export?format=csv";
        using var first = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        using var second = await client.GetAsync(path, HttpCompletionOption.ResponseHeadersRead);
        Assert.Equal(HttpStatusCode.OK, first.StatusCode);
        Assert.Equal(HttpStatusCode.OK, second.StatusCode);
        Assert.Equal(HttpStatusCode.TooManyRequests, (await client.GetAsync(path)).StatusCode);

        // Read to its end, the first export gives its place back, and holds every event.
        var csv = await first.Content.ReadAsStringAsync();
        Assert.Equal(events + 1, csv.Split('\n', StringSplitOptions.RemoveEmptyEntries).Length);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(path)).StatusCode);
    }
}
