using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using LockLab.Contracts;
using LockLab.Contracts.Experiments;
using LockLab.Server.Localization;
using LockLab.Tests.Support;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.AspNetCore.SignalR;
using Microsoft.AspNetCore.SignalR.Client;
using Microsoft.Extensions.DependencyInjection;

namespace LockLab.Tests.Localization;

/// <summary>
/// The API's problem details in the caller's language (Accept-Language): titles and details, the ones that name a
/// value too; English for everyone else (that every text has its translation: ProblemCoverageTests).
/// </summary>
public partial class ProblemTranslationTests(LabServerFactory lab) : IClassFixture<LabServerFactory>
{
    private async Task<(HttpStatusCode Status, ProblemDetails Problem)> AskAsync(
        HttpMethod method, string path, string? language, HttpClient? client = null)
    {
        var request = new HttpRequestMessage(method, path);
        if (language is not null) request.Headers.AcceptLanguage.ParseAdd(language);
        var response = await (client ?? lab.CreateClient()).SendAsync(request);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return (response.StatusCode, (await response.Content.ReadFromJsonAsync<ProblemDetails>())!);
    }

    [Theory]
    [InlineData("GET", "/api/rooms/NOPE", HttpStatusCode.NotFound, "找不到课堂", "没有课堂“NOPE”。请核对投影上的代码。")]
    [InlineData("GET", "/api/lessons/no-such-lesson", HttpStatusCode.NotFound, "找不到课程",
        "没有课程“no-such-lesson”。GET /api/lessons 列出了所有课程。")]
    [InlineData("POST", "/api/rooms", HttpStatusCode.Unauthorized, "需要演示者密钥", null)]
    [InlineData("GET", "/culture?set=fr", HttpStatusCode.BadRequest, "未知的语言", "“fr”不是本实验室的语言：可选 en, zh-CN。")]
    public async Task A_Chinese_caller_reads_the_problem_in_Chinese_and_an_English_one_in_English(
        string method, string path, HttpStatusCode status, string title, string? detail)
    {
        var (chineseStatus, chinese) = await AskAsync(new HttpMethod(method), path, "zh-CN,zh;q=0.9,en;q=0.5");
        var (englishStatus, english) = await AskAsync(new HttpMethod(method), path, "en-GB");

        Assert.Equal((status, status), (chineseStatus, englishStatus));
        Assert.Equal(title, chinese.Title);
        if (detail is not null) Assert.Equal(detail, chinese.Detail);
        else Assert.Matches(Cjk(), chinese.Detail!);
        Assert.DoesNotMatch(Cjk(), english.Title! + english.Detail);
    }

    [Theory]
    [InlineData("zh-CN,zh;q=0.9", "现在没有开放的课堂“NOPE”。请核对演示者展示的代码；只有演示者能开放课堂。")]
    [InlineData("en-US", "There is no room 'NOPE' open now. Check the code the presenter shows; only the presenter opens rooms.")]
    public async Task A_hub_error_is_written_in_the_language_the_page_connected_with(string language, string expected)
    {
        await using var hub = lab.CreateHubConnection(language: language);
        await hub.StartAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() => hub.InvokeAsync<RoomState>(nameof(ILabHub.JoinRoom), "NOPE"));

        var error = HubErrors.Of(refused);
        Assert.Equal((LabErrorCode.NotFound, expected), (error.Code, error.Message));
    }

    [Theory]
    [InlineData("""{"scenario":"lock","processes":1}""", "processes", @"^必须在 2 到 \d+ 之间；收到的是 1。$")]
    [InlineData("""{"scenario":"stress","mode":"step"}""", "mode", "^压力测试运行会重复很多次，不能手动单步执行。$")]
    [InlineData("""{"scenario":"nope"}""", "scenario", "^未知的场景“nope”。已知场景：.*no-lock.*。$")]
    public async Task A_Chinese_presenter_reads_what_is_wrong_with_each_field_of_a_run_request_in_Chinese(
        string body, string field, string expected)
    {
        var (translated, untranslated) = await RefusedInBothLanguagesAsync(body);
        Assert.Matches(expected, Assert.Single(translated.Errors[field]));
        Assert.DoesNotMatch(Cjk(), Assert.Single(untranslated.Errors[field]));
    }

    [Fact]
    public async Task A_Chinese_presenters_page_reads_an_invalid_run_request_in_Chinese_from_the_hub()
    {
        await using var hub = lab.CreateHubConnection(presenter: true, language: "zh-CN");
        await hub.StartAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Scenario = Scenarios.Lock, Processes = 1 }));

        var error = HubErrors.Of(refused);
        Assert.Equal(LabErrorCode.InvalidRequest, error.Code);
        Assert.Matches(@"^无效的运行请求：processes: 必须在 2 到 \d+ 之间；收到的是 1。$", error.Message);
    }

    [Fact]
    public async Task A_Chinese_presenter_reads_a_refused_stop_with_the_runs_status_in_Chinese()
    {
        var client = lab.CreatePresenterClient();
        var started = await client.PostAsync("/api/runs", Json.Body("""{"scenario":"lock","mode":"step"}"""));
        var run = (await started.Content.ReadFromJsonAsync<RunInfo>())!;
        await client.PostAsync($"/api/runs/{run.Id}/stop", null);
        await lab.WaitForRunAsync(run.Id);

        var (chineseStatus, chinese) = await AskAsync(HttpMethod.Post, $"/api/runs/{run.Id}/stop", "zh-CN", client);
        var (_, english) = await AskAsync(HttpMethod.Post, $"/api/runs/{run.Id}/stop", "en", client);

        Assert.Equal(HttpStatusCode.Conflict, chineseStatus);
        Assert.Equal(("这次运行已经结束", "这次运行已经是“已取消”状态。"), (chinese.Title, chinese.Detail));
        Assert.Equal("The run is already cancelled.", english.Detail);
    }

    /// <summary>Only a refusal's status is a status: a room may be called "running", and keeps its name.</summary>
    [Theory]
    [InlineData("The run is {0}, not running.", "queued", "这次运行处于“排队中”状态，不在进行中。")]
    [InlineData("There is no room '{0}'. Check the code on the projector.", "running", "没有课堂“running”。请核对投影上的代码。")]
    public void A_value_is_translated_as_a_run_status_only_where_a_refusal_names_one(string template, string value, string expected)
    {
        var translation = NewTranslation();

        var translated = translation.Translate(TextTemplates.Fill(template, value), CultureInfo.GetCultureInfo("zh-CN"));

        Assert.Equal(expected, translated);
    }

    private const string MisspeltStep = "shared counter = 0\nlock l\n\nprocess p1:\n  acquire l\n  relase l\n";
    private const string MisspeltStepInChinese =
        "第 6 行，进程 p1，第 2 步：“relase”不是步骤：步骤只能是 sleep、acquire、release、read、write、add、print 或 repeat。";

    [Theory]
    [InlineData(MisspeltStep, "line 6, process p1, step 2: 'relase' is not a step", MisspeltStepInChinese)]
    [InlineData("shared x\nlock l\nprocess p1:\n  add x 1\n  release l\n", "line 5, process p1, step 2 (release l): Releases 'l'",
        "第 5 行，进程 p1，第 2 步（release l）：释放“l”，但这个进程此时并不持有它。")]
    [InlineData("shared x\nprocess p1:\n  sleep\n", "line 3, process p1, step 1: 'sleep' is written like this: sleep 100 (milliseconds)",
        "第 3 行，进程 p1，第 1 步：“sleep”的写法是：sleep 100（毫秒）")]
    public async Task A_Chinese_presenter_reads_what_is_wrong_with_a_program_in_Chinese_where_it_is_and_all(
        string program, string englishStart, string expected)
    {
        var body = $$"""{"program":{{System.Text.Json.JsonSerializer.Serialize(program)}}}""";
        var (translated, untranslated) = await RefusedInBothLanguagesAsync(body);
        Assert.Equal(expected, Assert.Single(translated.Errors["program"]));
        Assert.StartsWith(englishStart, Assert.Single(untranslated.Errors["program"]));
    }

    [Fact]
    public async Task A_Chinese_presenters_page_reads_what_is_wrong_with_a_program_in_Chinese_from_the_hub()
    {
        await using var hub = lab.CreateHubConnection(presenter: true, language: "zh-CN");
        await hub.StartAsync();

        var refused = await Assert.ThrowsAsync<HubException>(() =>
            hub.InvokeAsync<RunInfo>(nameof(ILabHub.StartRun), new RunRequest { Program = ProgramSource.FromText(MisspeltStep) }));

        var error = HubErrors.Of(refused);
        Assert.Equal((LabErrorCode.InvalidRequest, "无效的运行请求：program: " + MisspeltStepInChinese), (error.Code, error.Message));
    }

    public static TheoryData<string> ProgramMessageTemplates => [.. ProgramMessages.All];

    /// <summary>
    /// Each message of the program reader, wherever it is (no place, a line, a process, a step, the step as written),
    /// is read back as its own template and translated whole: the place's words, and the message in its hole.
    /// </summary>
    [Theory]
    [MemberData(nameof(ProgramMessageTemplates))]
    public void A_programs_error_is_translated_with_where_it_is(string template)
    {
        var translation = NewTranslation();
        var zh = CultureInfo.GetCultureInfo("zh-CN");
        var chinese = ChineseProblems();
        var holes = Enumerable.Range(0, 10).Count(i => Regex.IsMatch(template, $@"\{{{i}(:[^}}]*)?\}}"));
        var usage = ProgramMessages.Usages["sleep"];
        object[] values = [.. Enumerable.Range(0, holes).Select(i => template == ProgramMessages.Usage && i == 1 ? usage : $"v{i}")];
        object[] translatedValues = [.. values.Select(v => v is string u && u == usage ? chinese[usage] : v)];
        // A message without holes is as it is written: its braces are a repeat's, not a format's.
        var message = holes == 0 ? template : TextTemplates.Fill(template, values);
        var inChinese = holes == 0 ? chinese[template] : TextTemplates.Fill(chinese[template], translatedValues);

        (ProgramError Error, string? Place, object[] Where)[] places =
        [
            (new(message), null, []),
            (new(message) { Line = 6 }, ProgramPlaces.AtLine, [6]),
            (new(message) { Line = 6, Process = "p1" }, ProgramPlaces.AtLineInProcess, [6, "p1"]),
            (new(message) { Line = 6, Process = "p1", Step = "2.1" }, ProgramPlaces.AtLineAtStep, [6, "p1", "2.1"]),
            (new(message) { Line = 6, Process = "p1", Step = "2.1", StepText = "repeat 5 {" }, ProgramPlaces.AtLineAtStepWritten,
                [6, "p1", "2.1", "repeat 5 {"]),
            (new(message) { Process = "p1" }, ProgramPlaces.InProcess, ["p1"]),
            (new(message) { Process = "p1", Step = "3" }, ProgramPlaces.AtStep, ["p1", "3"]),
            (new(message) { Process = "p1", Step = "3", StepText = "release l" }, ProgramPlaces.AtStepWritten, ["p1", "3", "release l"]),
        ];
        foreach (var (error, place, where) in places)
        {
            Assert.Equal(place is null ? message : TextTemplates.Fill(place, [.. where, message]), error.ToString());
            var expected = place is null ? inChinese : TextTemplates.Fill(chinese[place], [.. where, inChinese]);
            Assert.Equal(expected, translation.Translate(error.ToString(), zh));
        }
    }

    /// <summary>
    /// The same run request sent twice, once with a Chinese page's language and once with an English one: both refused as
    /// invalid, the first with its title in Chinese. Returns the two answers' validation problems.
    /// </summary>
    private async Task<(HttpValidationProblemDetails Chinese, HttpValidationProblemDetails English)> RefusedInBothLanguagesAsync(string body)
    {
        var client = lab.CreatePresenterClient();
        async Task<HttpResponseMessage> SendAsync(string language)
        {
            var request = new HttpRequestMessage(HttpMethod.Post, "/api/runs") { Content = Json.Body(body) };
            request.Headers.AcceptLanguage.ParseAdd(language);
            return await client.SendAsync(request);
        }
        var chineseResponse = await SendAsync("zh-CN");
        var englishResponse = await SendAsync("en");

        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (chineseResponse.StatusCode, englishResponse.StatusCode));
        var translated = (await chineseResponse.Content.ReadFromJsonAsync<HttpValidationProblemDetails>())!;
        Assert.Equal("请求中有一处或多处错误。", translated.Title);
        return (translated, (await englishResponse.Content.ReadFromJsonAsync<HttpValidationProblemDetails>())!);
    }

    /// <summary>The translation on its own, as the lab registers it, without a lab around it.</summary>
    private static ProblemTranslation NewTranslation() =>
        new ServiceCollection().AddLogging().AddLocalization().AddSingleton<ProblemTranslation>()
            .BuildServiceProvider().GetRequiredService<ProblemTranslation>();

    private static Dictionary<string, string> ChineseProblems() =>
        System.Xml.Linq.XDocument.Load(Path.Combine(LockLab.TestServices.TestRun.RepositoryRoot!, "src", "LockLab.Server", "Localization",
                "Problems.zh-CN.resx")).Root!
            .Elements("data")
            .ToDictionary(d => (string)d.Attribute("name")!, d => (string)d.Element("value")!, StringComparer.Ordinal);

    [GeneratedRegex(@"\p{IsCJKUnifiedIdeographs}")]
    private static partial Regex Cjk();

}
