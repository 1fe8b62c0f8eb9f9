using System.Net;
using System.Net.Http.Json;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using LockLab.Server.Security;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.Options;

namespace LockLab.Tests.Security;

/// <summary>A lab of its own: the tests below send wrong keys and forged sessions, which count against the address.</summary>
public sealed class PresenterSessionLabFactory : LabServerFactory;

/// <summary>A lab of its own again: the guessing locks its address out for a minute, which no other test may meet.</summary>
public sealed class GuessedLabFactory : LabServerFactory;

/// <summary>
/// A teacher who has signed in once keeps control while someone on the same address (every test request comes from
/// one) guesses keys: the guesser is throttled, the teacher's REST calls and hub connection (page, phone remote) are not.
/// </summary>
public class PresenterSessionUnderGuessingTests(GuessedLabFactory lab) : IClassFixture<GuessedLabFactory>
{
    [Fact]
    public async Task A_signed_in_teacher_keeps_control_while_a_guesser_on_the_same_address_stays_throttled()
    {
        var session = await PresenterSessionSignIn.SignInAsync(lab);

        var guesser = lab.CreateClient();
        var answers = new List<HttpStatusCode>();
        for (var i = 0; i < 3 * KeyAttemptLimiter.MaxFailures; i++)
        {
            guesser.DefaultRequestHeaders.Authorization = new("Bearer", $"guess-{i}");
            answers.Add((await guesser.PostAsync("/api/rooms", null)).StatusCode);
        }
        Assert.Equal(KeyAttemptLimiter.MaxFailures, answers.Count(s => s == HttpStatusCode.Unauthorized));
        Assert.All(answers.Skip(KeyAttemptLimiter.MaxFailures), s => Assert.Equal(HttpStatusCode.TooManyRequests, s));

        // The teacher's REST calls, with the session: a room, its page, a run in it.
        var teacher = lab.CreateClient();
        teacher.DefaultRequestHeaders.Authorization = new("Bearer", session.Token);
        var created = await teacher.PostAsync("/api/rooms", null);
        Assert.Equal(HttpStatusCode.Created, created.StatusCode);
        var room = (await created.Content.ReadFromJsonAsync(ContractsJsonContext.Default.RoomState))!.Room;
        var page = await teacher.PostAsJsonAsync($"/api/rooms/{room}/page",
            new PageRequest("process-locks", 2), ContractsJsonContext.Default.PageRequest);
        Assert.Equal(HttpStatusCode.Accepted, page.StatusCode);
        var run = await teacher.PostAsJsonAsync($"/api/rooms/{room}/runs",
            new RunRequest { Scenario = "lock" }, ContractsJsonContext.Default.RunRequest);
        Assert.Equal(HttpStatusCode.Accepted, run.StatusCode);

        // The teacher's page and phone remote: the hub, with the session as the connection's access token.
        await using var hub = PresenterSessionSignIn.Hub(lab, session.Token);
        await hub.StartAsync();
        await hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), room);
        await hub.InvokeAsync(nameof(ILabHub.SetPage), new PageRequest("process-locks", 3));
        var started = await hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = "no-lock", Room = room });
        Assert.Equal(room, started.Room);
        await lab.WaitForRunAsync(started.Id, r => r.Status == RunStatus.Completed);

        // What stays throttled is guessing from that address: a key is not even compared there for now.
        guesser.DefaultRequestHeaders.Authorization = new("Bearer", "one-more-guess");
        Assert.Equal(HttpStatusCode.TooManyRequests, (await guesser.PostAsync("/api/rooms", null)).StatusCode);
    }
}

/// <summary>Presenter sessions: what opens one, what a forged or altered one gets, and which configured keys are taken.</summary>
public class PresenterSessionTests(PresenterSessionLabFactory lab) : IClassFixture<PresenterSessionLabFactory>
{
    [Theory]
    [InlineData("ps.")]
    [InlineData("ps.CfDJ8-not-a-token")]
    public async Task A_forged_session_is_refused_and_the_answer_says_to_send_the_key_again(string forged)
    {
        var client = lab.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", forged);
        var answer = await client.PostAsync("/api/rooms", null);
        Assert.Equal(HttpStatusCode.Unauthorized, answer.StatusCode);
        Assert.Contains("Send the presenter key again", await answer.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task A_session_cannot_extend_itself_only_the_key_opens_one()
    {
        var session = await SignInAsync();
        var renewer = lab.CreateClient();
        renewer.DefaultRequestHeaders.Authorization = new("Bearer", session.Token);
        var refused = await renewer.PostAsync("/api/presenter/session", null);
        Assert.Equal(HttpStatusCode.Forbidden, refused.StatusCode);
        Assert.Contains("presenter key itself", await refused.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task An_altered_session_token_is_refused()
    {
        var token = (await SignInAsync()).Token;
        var altered = token[..^2] + (token[^2] == 'A' ? 'B' : 'A') + token[^1];
        var client = lab.CreateClient();
        client.DefaultRequestHeaders.Authorization = new("Bearer", altered);
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.PostAsync("/api/rooms", null)).StatusCode);
    }

    [Theory]
    [InlineData("classroom")]
    [InlineData("e2e-presenter-key")]
    [InlineData("aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")]
    [InlineData("ps.Zq7mX2cL9pR4vT8kW1nB5dYh")] // would be taken for a session token
    public void A_configured_key_weaker_than_a_generated_one_stops_the_lab_at_start_up(string weak)
    {
        var refused = Assert.Throws<OptionsValidationException>(() =>
            new PresenterKey(Options.Create(new LockLabOptions { PresenterKey = weak })));
        Assert.Contains("LockLab:PresenterKey", refused.Message);
    }

    [Theory]
    [InlineData("a3f9c2e1b7d04e5a9c6b2f1e8d7a4c3b")] // openssl rand -hex 16
    [InlineData("Zq7mX2cL9pR4vT8kW1nB5d")] // 22 random letters and digits
    public void A_strong_configured_key_is_taken(string strong) =>
        Assert.Equal(strong, new PresenterKey(Options.Create(new LockLabOptions { PresenterKey = strong })).Value);

    private Task<PresenterSession> SignInAsync() => PresenterSessionSignIn.SignInAsync(lab);
}

/// <summary>Signs in as the presenter (the key for a session) and connects to the hub with the session.</summary>
public static class PresenterSessionSignIn
{
    public static async Task<PresenterSession> SignInAsync(LabServerFactory lab)
    {
        var answer = await lab.CreatePresenterClient().PostAsync("/api/presenter/session", null);
        Assert.Equal(HttpStatusCode.Created, answer.StatusCode);
        var session = (await answer.Content.ReadFromJsonAsync(ContractsJsonContext.Default.PresenterSession))!;
        Assert.StartsWith(PresenterSessions.TokenPrefix, session.Token);
        Assert.DoesNotContain(LabServerFactory.Key, session.Token);
        Assert.InRange(session.ExpiresAt - DateTimeOffset.UtcNow, TimeSpan.FromHours(11), TimeSpan.FromHours(12));
        return session;
    }

    public static HubConnection Hub(LabServerFactory lab, string token) =>
        new HubConnectionBuilder()
            .WithUrl(new Uri(lab.Server.BaseAddress, "/hubs/lab"), o =>
            {
                o.HttpMessageHandlerFactory = _ => lab.Server.CreateHandler();
                o.Transports = Microsoft.AspNetCore.Http.Connections.HttpTransportType.LongPolling;
                o.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
}
