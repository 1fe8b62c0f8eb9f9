using LockLab.TestServices;

namespace LockLab.Tests.Support;

/// <summary>
/// One real PostgreSQL server for every test class in the <see cref="PostgresCollection"/>; each class takes a
/// database of its own (<see cref="NewDatabase"/>), so classes never see each other's runs. Without PostgreSQL it
/// starts nothing: each class's constructor calls <c>Prerequisites.Require(Prerequisites.PostgreSql)</c> first, so
/// that every test in it is skipped.
/// </summary>
public sealed class PostgresFixture : IAsyncLifetime
{
    private PostgresServer? _server;

    public PostgresServer Server => _server ?? throw new InvalidOperationException(
        $"The PostgreSQL server did not start: call Prerequisites.Require(Prerequisites.PostgreSql) first ({Prerequisites.PostgreSql}).");

    public async Task InitializeAsync()
    {
        if (Prerequisites.PostgreSql.IsInstalled) _server = await PostgresServer.StartAsync();
    }

    public async Task DisposeAsync()
    {
        if (_server is not null) await _server.DisposeAsync();
    }

    /// <summary>Creates an empty database with a fresh name and returns its connection string.</summary>
    public string NewDatabase(string purpose) => Server.CreateDatabase(UniqueName(purpose));

    /// <inheritdoc cref="NewDatabase"/>
    public Task<string> NewDatabaseAsync(string purpose) => Server.CreateDatabaseAsync(UniqueName(purpose));

    private static string UniqueName(string purpose) => $"{purpose}_{Guid.NewGuid():N}";
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresFixture>
{
    public const string Name = "PostgreSQL";
}

/// <summary>The real server in-process, its run history in a database of its own on the tests' PostgreSQL server.</summary>
public class PostgresLabServerFactory(PostgresFixture postgres) : LabServerFactory
{
    private string? _database;

    /// <summary>Created on first use, when the host is configured.</summary>
    public string DatabaseConnectionString => _database ??= postgres.NewDatabase("lab");

    protected override string? Database => DatabaseConnectionString;
}
