using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Mvc;

namespace LockLab.Tests.Runs;

/// <summary>The REST contract: authentication, validation as problem details, and a run's life over HTTP.</summary>
public class RunsApiTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    [Fact]
    public async Task Starting_a_run_without_the_key_is_401_with_problem_details()
    {
        var response = await lab.CreateClient().PostAsync("/api/runs", Json.Body("""{"scenario":"lock"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ProblemDetails>();
        Assert.Equal("Presenter key required", problem!.Title);
    }

    [Fact]
    public async Task A_wrong_key_is_401_and_says_so()
    {
        var client = lab.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", "not-the-key");
        var response = await client.PostAsync("/api/runs", Json.Body("""{"scenario":"lock"}"""));

        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("Wrong presenter key", (await response.Content.ReadFromJsonAsync<ProblemDetails>())!.Title);
    }

    [Theory]
    [InlineData("""{"scenario":"spinlock"}""", "scenario")]
    [InlineData("""{"scenario":"lock","processes":99}""", "processes")]
    [InlineData("""{"scenario":"lock","delayMs":-5}""", "delayMs")]
    [InlineData("""{"scenario":"lock","amounts":[1,2,3]}""", "amounts")]
    [InlineData("""{"scenario":"lock","room":"../etc"}""", "room")]
    public async Task Invalid_requests_are_400_naming_the_field(string body, string field)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await response.Content.ReadFromJsonAsync<ValidationProblemDetails>();
        Assert.Contains(field, problem!.Errors.Keys);
    }

    [Theory]
    [InlineData("""{"scenario":"lock",""", "not a valid run request")]
    [InlineData("""{"scenario":"lock","proceses":3}""", "proceses")]
    [InlineData("""{"scenario":"lock","startMode":"sideways"}""", "not a valid run request")]
    [InlineData("", "Missing run request")]
    [InlineData("null", "JSON null")]
    public async Task Malformed_bodies_are_400_problem_details(string body, string mentioned)
    {
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.Contains(mentioned, text);
    }

    [Fact]
    public async Task An_oversized_body_is_413()
    {
        var body = """{"scenario":"lock","room":"main","x":" """ + new string('a', 20_000) + "\"}";
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs", Json.Body(body));
        Assert.Equal(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
    }

    [Fact]
    public async Task Curl_without_a_content_type_is_accepted_and_the_run_completes()
    {
        // curl -d sends application/x-www-form-urlencoded unless told otherwise.
        var response = await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"lock","room":"api-curl","iterations":2,"delayMs":1}""", "application/x-www-form-urlencoded"));

        Assert.Equal(HttpStatusCode.Accepted, response.StatusCode);
        var run = await Json.ReadAsync<RunInfo>(response);
        Assert.Equal($"/api/runs/{run!.Id}", response.Headers.Location?.OriginalString);
        // As it was when the answer was written: an idle lab with workers waiting may already have started it.
        Assert.Contains(run.Status, new[] { RunStatus.Queued, RunStatus.Running });
        Assert.Equal("api-curl", run.Room);

        await lab.WaitForRunAsync(run.Id);
        var finished = await Json.ReadAsync<RunInfo>(await lab.CreateClient().GetAsync(run.Links.Self));
        Assert.Equal(RunStatus.Completed, finished!.Status);
        Assert.Equal([1L, 2, 5, 8], finished.Summary!.Printed);
    }

    [Fact]
    public async Task Events_can_be_read_from_any_point()
    {
        var accepted = await Json.ReadAsync<RunInfo>(await lab.CreatePresenterClient().PostAsync("/api/runs",
            Json.Body("""{"scenario":"no-lock","room":"api-events","iterations":2,"delayMs":1}""")));
        await lab.WaitForRunAsync(accepted!.Id);
        var client = lab.CreateClient();

        var all = await Json.ReadAsync<RunEvent[]>(await client.GetAsync($"/api/runs/{accepted.Id}/events?after=0"));
        var tail = await Json.ReadAsync<RunEvent[]>(await client.GetAsync($"/api/runs/{accepted.Id}/events?after=5"));

        Assert.Equal(Enumerable.Range(1, all!.Length).Select(i => (long)i), all.Select(e => e.Seq));
        Assert.Equal(all.Skip(5), tail);
        Assert.Equal(HttpStatusCode.BadRequest, (await client.GetAsync($"/api/runs/{accepted.Id}/events?after=-1")).StatusCode);
    }

    [Fact]
    public async Task An_unknown_run_is_404_problem_details()
    {
        var response = await lab.CreateClient().GetAsync("/api/runs/nope");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Scenarios_list_the_lessons_defaults_and_limits()
    {
        var scenarios = await Json.ReadAsync<ScenarioInfo[]>(await lab.CreateClient().GetAsync("/api/scenarios"));

        Assert.Contains(scenarios!, s => s.Name == "no-lock" && s.Defaults.Lock == LockScope.None);
        var withLock = Assert.Single(scenarios!, s => s.Name == "lock");
        Assert.Equal((2, 5, 100), (withLock.Defaults.Processes, withLock.Defaults.Iterations, withLock.Defaults.DelayMs));
        Assert.Equal(8, withLock.Limits.Processes.Max);
    }

    [Fact]
    public async Task The_server_limits_are_published_for_the_page_to_show()
    {
        var limits = await Json.ReadAsync<LabLimits>(await lab.CreateClient().GetAsync("/api/limits"));
        Assert.Equal((2, 3, 200_000, 60),
            (limits!.MaxConcurrentRuns, limits.MaxActiveRunsPerRoom, limits.MaxEventsPerRun, limits.RunTimeLimitSeconds));
    }

    [Fact]
    public async Task The_catalog_and_lesson_pages_are_prerendered()
    {
        var catalog = await lab.CreateClient().GetStringAsync("/");
        Assert.Contains("Process locks", catalog);
        Assert.Contains("进程锁", catalog);

        var page = await lab.CreateClient().GetStringAsync("/lessons/process-locks/3");
        Assert.Contains("With a lock", page);
        Assert.Contains("Page 3 of 4", page);
        Assert.Contains("Run with lock", page);
        Assert.Contains("""<span class="keyword">def</span>""", page); // the lesson's highlighted code, before WebAssembly loads
    }

    [Fact]
    public async Task Pages_carry_a_content_security_policy_without_inline_script()
    {
        var response = await lab.CreateClient().GetAsync("/");
        var csp = Assert.Single(response.Headers.GetValues("Content-Security-Policy"));
        var scriptSrc = csp.Split(';').Select(d => d.Trim()).Single(d => d.StartsWith("script-src", StringComparison.Ordinal));

        Assert.Equal("script-src 'self' 'wasm-unsafe-eval'", scriptSrc);
        Assert.Contains("frame-ancestors 'none'", csp);
        Assert.Equal("nosniff", Assert.Single(response.Headers.GetValues("X-Content-Type-Options")));
    }

    [Fact]
    public async Task An_unknown_page_is_a_friendly_404_not_problem_json()
    {
        var response = await lab.CreateClient().GetAsync("/no/such/page");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("This page does not exist", await response.Content.ReadAsStringAsync());
    }
}
