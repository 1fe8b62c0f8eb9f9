namespace LockLab.Contracts.Experiments;

/// <summary>What a name in a program may be: the same rule for processes, shared integers, locks and semaphores.</summary>
public static class ProgramNames
{
    /// <summary>The text form's own words: a name that is one of them would read as a step or a declaration.</summary>
    public static IReadOnlySet<string> Keywords { get; } = new HashSet<string>(StringComparer.Ordinal)
    {
        "shared", "lock", "semaphore", "permits", "process",
        "sleep", "acquire", "release", "read", "write", "add", "print", "repeat",
    };

    /// <summary>Letters (a–z, A–Z), digits and <c>_</c>, not starting with a digit, at most
    /// <paramref name="maxLength"/> characters, and not a keyword. Nothing a name can say reaches a file or a command:
    /// the worker knows names only as keys of its own tables.</summary>
    public static bool IsValid(string? name, int maxLength)
    {
        if (string.IsNullOrEmpty(name) || name.Length > maxLength || char.IsAsciiDigit(name[0])) return false;
        foreach (var c in name)
        {
            if (!char.IsAsciiLetterOrDigit(c) && c != '_') return false;
        }
        return !Keywords.Contains(name);
    }
}
