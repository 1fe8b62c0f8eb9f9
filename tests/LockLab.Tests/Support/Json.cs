using System.Net.Http.Json;
using LockLab.Contracts;

namespace LockLab.Tests.Support;

public static class Json
{
    public static Task<T?> ReadAsync<T>(HttpResponseMessage response) =>
        response.Content.ReadFromJsonAsync<T>(ContractsJsonContext.Default.Options);

    public static StringContent Body(string json, string contentType = "application/json") =>
        new(json, System.Text.Encoding.UTF8, contentType);
}
