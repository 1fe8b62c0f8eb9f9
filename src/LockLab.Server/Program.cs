using LockLab.Client;
using LockLab.Contracts;
using LockLab.Server.Components;
using LockLab.Server.Configuration;
using LockLab.Server.Hubs;
using LockLab.Server.Runs;
using LockLab.Server.Security;
using Serilog;

var builder = WebApplication.CreateBuilder(args);

builder.Services.AddSerilog((services, log) => log
    .ReadFrom.Configuration(builder.Configuration)
    .ReadFrom.Services(services)
    .Enrich.FromLogContext()
    .WriteTo.Console(outputTemplate: "[{Timestamp:HH:mm:ss} {Level:u3}] {SourceContext}: {Message:lj}{NewLine}{Exception}"));

builder.Services.Configure<LockLabOptions>(builder.Configuration.GetSection(LockLabOptions.Section));
builder.Services.AddProblemDetails();
builder.Services.ConfigureHttpJsonOptions(o => o.SerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default));
builder.Services.AddPresenterKeyAuthentication();
builder.Services.AddRuns();
builder.Services.AddSignalR()
    .AddJsonProtocol(o => o.PayloadSerializerOptions.TypeInfoResolverChain.Insert(0, ContractsJsonContext.Default));

builder.Services.AddRazorComponents().AddInteractiveWebAssemblyComponents();
builder.Services.AddLabClientServices(); // the server prerenders the client's components (MudBlazor included)

var app = builder.Build();

app.UseExceptionHandler();
// API callers get RFC 7807 problem details for every error status; people get the lab's own "not found" page.
app.UseWhen(ctx => !ctx.Request.Path.StartsWithSegments("/api") && !ctx.Request.Path.StartsWithSegments("/hubs"),
    pages => pages.UseStatusCodePagesWithReExecute("/not-found", createScopeForStatusCodePages: true));
app.UseStatusCodePages();
if (app.Environment.IsDevelopment()) app.UseWebAssemblyDebugging();
app.UseSerilogRequestLogging(o => o.GetLevel = RequestLogLevel.For);
app.UseAuthentication();
app.UseAuthorization();
app.UseAntiforgery();

app.MapStaticAssets();
app.MapHealthChecks("/healthz");
app.MapScenarios();
app.MapRuns();
app.MapHub<LabHub>(LabHub.Path);
app.MapRazorComponents<App>()
    .AddInteractiveWebAssemblyRenderMode()
    .AddAdditionalAssemblies(typeof(LockLab.Client._Imports).Assembly);

app.LogPresenterKeyOnStart();
app.Run();

/// <summary>Visible to the integration tests' <c>WebApplicationFactory&lt;Program&gt;</c>.</summary>
public partial class Program;
