using System.Text.Encodings.Web;
using System.Text.Unicode;
using LockLab.Client;
using LockLab.Contracts;
using LockLab.Server.Broadcasting;
using LockLab.Server.Components;
using LockLab.Server.Configuration;
using LockLab.Server.History;
using LockLab.Server.Hubs;
using LockLab.Server.Lessons;
using LockLab.Server.Localization;
using LockLab.Server.Operations;
using LockLab.Server.Rooms;
using LockLab.Server.Runs;
using LockLab.Server.ScaleOut;
using LockLab.Server.Security;
using LockLab.Server.Students;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.WebEncoders;

var builder = WebApplication.CreateBuilder(args);
// A build (not a publish) lists the page's files in a manifest that ASP.NET Core reads by itself only in Development;
// read it in every environment, so that a Debug build run as Production serves a working page. Published output has
// no such manifest (its files are in wwwroot), and there this does nothing.
builder.WebHost.UseStaticWebAssets();

builder.Services.AddLabLogging(builder.Configuration);

builder.Services.Configure<LockLabOptions>(builder.Configuration.GetSection(LockLabOptions.Section));
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o =>
{
    o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
    // JSON for API clients, never inlined into HTML: keep Chinese lesson text and quotes in messages readable.
    o.SerializerOptions.Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping;
});
builder.Services.AddPresenterKeyAuthentication();
builder.Services.AddReadLimits(); // reads need no key: how much one address may read is bounded instead
builder.Services.AddRuns();
builder.Services.AddLabHub();
builder.Services.AddRooms();
builder.Services.AddBroadcasting();
builder.Services.AddStudents();
builder.Services.AddRunHistory();
builder.Services.AddLessons();
builder.Services.AddLabLocalization(); // English and Chinese: the user's choice, the lesson's language, the browser's
builder.Services.AddOperations();
builder.Services.AddOpenApi();
builder.Services.AddSignalR()
    .AddJsonProtocol(o =>
    {
        o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default);
        // StartRun's "program" as a model: the programs' own contract, its steps' "op" anywhere in the step.
        o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(1, LockLab.Contracts.Experiments.ProgramsJsonContext.Default);
        o.PayloadSerializerOptions.AllowOutOfOrderMetadataProperties = true;
    })
    .AddScaleOut(builder.Configuration); // one server in memory, or several sharing Redis (LockLab:Redis)

// Interactive in both modes, chosen per request (Components/PageInteractivity): a browser's first visit runs the page on
// the server, over its circuit, and fetches the WebAssembly client once the page is interactive; its later page loads
// run in WebAssembly (docs/benchmarks.md, "page").
var pages = builder.Services.AddRazorComponents();
pages.AddInteractiveWebAssemblyComponents();
// What the browser hands such a page comes over its circuit: the hub's answers too, of which catching up on a run
// (LabHub.GetEvents) is the largest, up to 5,000 events: ≈ 0.5–0.8 MB of JSON, carried as a string inside the circuit's
// message (its quotes escaped). A message over the limit would close the circuit, not fail the call: room to spare.
// SignalR's default allows 32 KB.
pages.AddInteractiveServerComponents().AddHubOptions(o => o.MaximumReceiveMessageSize = 2 * 1024 * 1024);
// Prerendered Chinese lessons as text, not as &#x…; entities: a third of the size, and readable in "view source".
builder.Services.Configure<WebEncoderOptions>(o => o.TextEncoderSettings = new TextEncoderSettings(UnicodeRanges.All));
builder.Services.AddLabClientServices(); // the server prerenders the client's components (MudBlazor included)
builder.Services.AddPageDelivery(); // compressed HTML, and the WebAssembly runtime's files preloaded (Components/PageDelivery)

var app = builder.Build();

app.UseTlsWhenConfigured(OperationsEndpoints.IsOperationsPath); // HTTPS from Kestrel's certificate settings (Security/Tls)
app.UseSecurityHeaders();
app.UseHubOriginCheck(LabHub.Path, CircuitConnections.Path); // the hub and the pages' circuits answer the lab's own pages only
app.UseCircuitLimitPerAddress();
app.UseResponseCompression(); // prerendered HTML only (see PageDelivery)
app.UseExceptionHandler();
// API callers get RFC 7807 problem details for every error status; people get the lab's own "not found" page.
app.UseWhen(ctx => IsApi(ctx.Request.Path), api => api.UseStatusCodePages());
app.UseWhen(ctx => !IsApi(ctx.Request.Path),
    pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
if (app.Environment.IsDevelopment()) app.UseWebAssemblyDebugging();
app.UseLabRequestLogging();
app.UseRequestLocalization(); // Localization/LabLocalization: pages and problem details in the request's language
app.UseRouting(); // after the status-code pages, so that a re-executed "/not-found" is routed afresh
app.UseAuthentication();
app.UseAuthorization();
app.UseRateLimiter(); // Security/ReadLimits
app.UseAntiforgery();

app.MapStaticAssets();
app.MapOperations(); // /healthz, /readyz, /metrics
app.MapScenarios();
app.MapRuns();
app.MapHistory();
app.MapLessons();
app.MapRooms();
app.MapStudents(); // a room's settings, and its students' runs
app.MapPresenterSessions();
app.MapLanguageSwitch(); // GET /culture?set=zh-CN&return=/…
if (app.Services.GetRequiredService<IOptions<LockLabOptions>>().Value.ServeOpenApi ?? app.Environment.IsDevelopment())
{
    app.MapOpenApi(); // /openapi/v1.json
}
app.MapHub<LabHub>(LabHub.Path);
app.MapRazorComponents<App>()
    .AddInteractiveServerRenderMode()
    .AddInteractiveWebAssemblyRenderMode()
    .AddAdditionalAssemblies(typeof(LockLab.Client._Imports).Assembly)
    .WithoutClientAssetList();

if (!app.PrepareHistoryFolder()) return 1; // one clear line, not a lab that streams runs and keeps none
if (!app.CheckPresenterKey()) return 1; // a configured key too weak to keep guessers out
app.LogPresenterKeyOnStart();
app.LogJoinAddressesOnStart();
app.Run();
return 0;

static bool IsApi(PathString path) =>
    path.StartsWithSegments("/api") || path.StartsWithSegments("/hubs") || OperationsEndpoints.IsOperationsPath(path);

/// <summary>Visible to the integration tests' <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
