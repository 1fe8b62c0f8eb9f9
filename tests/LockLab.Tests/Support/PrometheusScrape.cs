using System.Diagnostics;
using System.Globalization;
using System.Text.RegularExpressions;

namespace LockLab.Tests.Support;

/// <summary>One answer of <c>/metrics</c> (Prometheus text format), parsed into series: name, labels, value.</summary>
public sealed partial class PrometheusScrape
{
    public sealed record Series(string Name, IReadOnlyDictionary<string, string> Labels, double Value);

    public IReadOnlyList<Series> All { get; }
    public string Text { get; }

    private PrometheusScrape(string text)
    {
        Text = text;
        All = text.Split('\n')
            .Where(line => line.Length > 0 && line[0] != '#')
            .Select(Parse)
            .ToList();
    }

    public static async Task<PrometheusScrape> ReadAsync(HttpClient client)
    {
        using var response = await client.GetAsync("/metrics");
        response.EnsureSuccessStatusCode();
        return new PrometheusScrape(await response.Content.ReadAsStringAsync());
    }

    /// <summary>
    /// Scrapes until <paramref name="condition"/> holds or the deadline passes (the exporter may answer from a short
    /// cache, and observable gauges are read only when scraped); returns the last scrape either way.
    /// </summary>
    public static async Task<PrometheusScrape> WaitForAsync(
        HttpClient client, Func<PrometheusScrape, bool> condition, TimeSpan? timeout = null)
    {
        var deadline = Stopwatch.GetTimestamp() + (long)((timeout ?? TimeSpan.FromSeconds(10)).TotalSeconds * Stopwatch.Frequency);
        while (true)
        {
            var scrape = await ReadAsync(client);
            if (condition(scrape) || Stopwatch.GetTimestamp() > deadline) return scrape;
            await Task.Delay(50);
        }
    }

    /// <summary>
    /// The sum over every series of <paramref name="name"/> whose labels include <paramref name="labels"/> (0
    /// when none).
    /// </summary>
    public double Sum(string name, params (string Name, string Value)[] labels) =>
        Matching(name, labels).Sum(s => s.Value);

    public IEnumerable<Series> Matching(string name, params (string Name, string Value)[] labels) =>
        All.Where(s => s.Name == name && labels.All(l => s.Labels.TryGetValue(l.Name, out var v) && v == l.Value));

    public bool Has(string name) => All.Any(s => s.Name == name);

    private static Series Parse(string line)
    {
        var match = SeriesLine().Match(line);
        if (!match.Success) throw new FormatException($"Not a Prometheus series line: {line}");
        var labels = LabelPair().Matches(match.Groups["labels"].Value)
            .ToDictionary(m => m.Groups["name"].Value, m => Regex.Unescape(m.Groups["value"].Value));
        var value = match.Groups["value"].Value switch
        {
            "+Inf" => double.PositiveInfinity,
            "-Inf" => double.NegativeInfinity,
            var v => double.Parse(v, CultureInfo.InvariantCulture),
        };
        return new Series(match.Groups["name"].Value, labels, value);
    }

    [GeneratedRegex("""^(?<name>[a-zA-Z_:][a-zA-Z0-9_:]*)(\{(?<labels>.*)\})?\s+(?<value>\S+)(\s+\d+)?$""")]
    private static partial Regex SeriesLine();

    [GeneratedRegex("""(?<name>[a-zA-Z_][a-zA-Z0-9_]*)="(?<value>(\\.|[^"\\])*)""" + "\"")]
    private static partial Regex LabelPair();
}
