using System.Globalization;

namespace LockLab.Bench.Harness;

/// <summary>Order statistics over repeated measurements: the docs quote medians and min–max.</summary>
public static class Stats
{
    /// <summary>The p-th percentile (0–100) by nearest rank.</summary>
    public static double Percentile(IReadOnlyList<double> sortedValues, double p)
    {
        if (sortedValues.Count == 0) return double.NaN;
        var rank = (int)Math.Ceiling(p / 100 * sortedValues.Count);
        return sortedValues[Math.Clamp(rank - 1, 0, sortedValues.Count - 1)];
    }

    public static double Median(IEnumerable<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count == 0 ? double.NaN
            : sorted.Count % 2 == 1 ? sorted[sorted.Count / 2]
            : (sorted[sorted.Count / 2 - 1] + sorted[sorted.Count / 2]) / 2;
    }

    /// <summary>"median (min–max)" with the given number format, e.g. <c>"1.03× (1.02–1.05)"</c>.</summary>
    public static string Spread(IReadOnlyCollection<double> values, string format, string unit = "")
    {
        if (values.Count == 0) return "–";
        var median = Median(values).ToString(format, CultureInfo.InvariantCulture);
        if (values.Count == 1) return median + unit;
        return $"{median}{unit} ({values.Min().ToString(format, CultureInfo.InvariantCulture)}–" +
            $"{values.Max().ToString(format, CultureInfo.InvariantCulture)})";
    }

    public static string Format(double value, string format, string unit = "") =>
        value.ToString(format, CultureInfo.InvariantCulture) + unit;
}
