using System.Globalization;
using System.Runtime.InteropServices;
using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using LockLab.Contracts;
using LockLab.Server.Configuration;
using Microsoft.Extensions.Options;

namespace LockLab.Server.Lessons;

/// <summary>
/// Every lesson the lab can show: the ones it ships (<c>Lessons/Library</c>) and those in <c>LockLab:LessonsPath</c>.
/// Parsed once and cached as an immutable snapshot; a file changed on disk (a teacher editing during class)
/// rebuilds the snapshot a moment later. A broken file is listed with its error; the others are unaffected.
/// </summary>
public sealed partial class LessonLibrary : IDisposable
{
    public static readonly string[] Extensions = [".md", ".markdown", ".txt"];
    private static readonly TimeSpan ReloadDelay = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyList<string> _folders;
    private readonly long _maxBytes;
    private readonly LessonParser _parser;
    private readonly ILogger<LessonLibrary> _logger;
    private readonly List<FileSystemWatcher> _watchers = [];
    private readonly Timer _reloadTimer;
    private readonly Lock _reloading = new();
    private Snapshot _snapshot;

    /// <summary>The scenarios a lesson's <c>lab</c> entry may name.</summary>
    public static IReadOnlySet<string> LessonScenarios { get; } = Scenarios.All.ToHashSet(StringComparer.Ordinal);

    public LessonLibrary(IOptions<LockLabOptions> options, IHostEnvironment environment, LessonHtml html, ILogger<LessonLibrary> logger)
    {
        _logger = logger;
        _parser = new LessonParser(html, LessonScenarios);
        var folders = new List<string> { Path.Combine(AppContext.BaseDirectory, "Lessons", "Library") };
        if (!string.IsNullOrWhiteSpace(options.Value.LessonsPath))
        {
            folders.Add(Path.GetFullPath(options.Value.LessonsPath, environment.ContentRootPath));
        }
        _folders = folders;
        _maxBytes = options.Value.MaxLessonBytes;
        _snapshot = Load();
        _reloadTimer = new Timer(_ => Reload(), null, Timeout.Infinite, Timeout.Infinite);
        Watch();
    }

    /// <summary>Increases with every reload; a page can tell that its lesson changed.</summary>
    public int Version => _snapshot.Version;

    public IReadOnlyList<LessonSummary> Catalog => _snapshot.Catalog;

    public LessonDocument? Find(string slug) => _snapshot.BySlug.GetValueOrDefault(slug);

    /// <summary>
    /// Why a room cannot be moved to this page (field → messages, as validation problems carry them): it must name a
    /// lesson of the library that loaded, and one of its pages. Null when it does.
    /// </summary>
    public Dictionary<string, string[]>? CheckPage(PageRequest? request)
    {
        if (request?.Lesson is not { Length: > 0 } slug)
            return new() { ["lesson"] = ["Name a lesson (its slug, as GET /api/lessons lists it)."] };
        if (Find(slug) is not { Summary.Error: null } lesson)
            return new() { ["lesson"] = [$"There is no lesson '{slug}' that can be shown."] };
        var page = request.Page ?? 1;
        if (page < 1 || page > lesson.Pages.Count)
            return new() { ["page"] = [$"'{slug}' has pages 1 to {lesson.Pages.Count}; got {page}."] };
        return null;
    }

    /// <summary>Raised after the library was rebuilt from disk.</summary>
    public event Action? Reloaded;

    public void Reload()
    {
        // One reload at a time: a later one waits and then reads the files afresh, so the newest edit always wins.
        lock (_reloading)
        {
            ReloadLocked();
        }
    }

    private void ReloadLocked()
    {
        try
        {
            _snapshot = Load(_snapshot.Version + 1);
            _logger.LogInformation("Lessons reloaded: {Count} lesson(s), {Broken} with errors",
                _snapshot.Catalog.Count, _snapshot.Catalog.Count(l => l.Error is not null));
            Reloaded?.Invoke();
        }
        catch (Exception ex)
        {
            // Keep serving the last good snapshot.
            _logger.LogError(ex, "Reloading lessons failed");
        }
    }

    private sealed record Snapshot(int Version, IReadOnlyList<LessonSummary> Catalog, IReadOnlyDictionary<string, LessonDocument> BySlug);

    /// <param name="Root">The lessons folder it was found in (its includes are that folder's).</param>
    /// <param name="Refused">Why the file is not read at all (a link out of the folder, too large).</param>
    private sealed record LessonFile(string Path, string Slug, string Root, LessonFormatException? Refused = null);

    private Snapshot Load(int version = 1)
    {
        var files = FindFiles();
        var byName = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        foreach (var f in files)
        {
            byName.TryAdd(System.IO.Path.GetFileName(f.Path), f.Slug);
            byName.TryAdd(System.IO.Path.GetFileNameWithoutExtension(f.Path), f.Slug);
        }
        string? Resolve(string target)
        {
            var name = target.Replace('\\', '/').Split('/').Last();
            return byName.TryGetValue(name, out var slug) ? $"/lessons/{slug}" : null;
        }

        var lessons = new List<LessonDocument>();
        foreach (var file in files)
        {
            var name = System.IO.Path.GetFileName(file.Path);
            if (file.Refused is { } refused)
            {
                lessons.Add(LessonParser.Broken(file.Slug, name, refused));
                continue;
            }
            try
            {
                lessons.Add(_parser.Parse(file.Slug, ReadAtMost(file.Path, _maxBytes), name, Resolve,
                    include => ReadInclude(file.Root, include)));
            }
            catch (LessonFormatException ex)
            {
                lessons.Add(LessonParser.Broken(file.Slug, name, ex));
            }
            catch (RegexMatchTimeoutException)
            {
                lessons.Add(LessonParser.Broken(file.Slug, name, new(LessonErrors.TooSlow, LessonLimits.RegexTimeoutMs)));
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or DecoderFallbackException)
            {
                lessons.Add(LessonParser.Broken(file.Slug, name, new(LessonErrors.NotReadable, ex.Message)));
            }
            catch (Exception ex)
            {
                // A parser bug must not take the library down: show the lesson as broken and log it.
                _logger.LogError(ex, "Parsing lesson {File} failed", file.Path);
                lessons.Add(LessonParser.Broken(file.Slug, name, new(LessonErrors.NotParsed, ex.GetType().Name, ex.Message)));
            }
        }

        var ordered = lessons
            .OrderBy(l => ChapterKey(l.Summary.Chapter))
            .ThenBy(l => l.Summary.Chapter, StringComparer.Ordinal)
            .ThenBy(l => NaturalKey(l.Slug), StringComparer.Ordinal)
            .ToList();
        return new Snapshot(version, ordered.Select(l => l.Summary).ToList(), ordered.ToDictionary(l => l.Slug, StringComparer.Ordinal));
    }

    private List<LessonFile> FindFiles()
    {
        var result = new List<LessonFile>();
        var slugs = new HashSet<string>(StringComparer.Ordinal);
        foreach (var folder in _folders.Where(Directory.Exists))
        {
            var root = RealPath(folder);
            var paths = FilesBelow(folder, root, LessonLimits.MaxFolderDepth)
                .Where(p => Extensions.Contains(System.IO.Path.GetExtension(p), StringComparer.OrdinalIgnoreCase))
                .Where(p => !System.IO.Path.GetFileName(p).StartsWith('.'))
                .Where(p => !System.IO.Path.GetRelativePath(folder, p).StartsWith(IncludesFolder + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .Order(StringComparer.Ordinal);
            foreach (var path in paths)
            {
                var slug = Slugify(System.IO.Path.GetFileNameWithoutExtension(path));
                for (var n = 2; !slugs.Add(slug); n++) slug = $"{Slugify(System.IO.Path.GetFileNameWithoutExtension(path))}-{n}";
                result.Add(new LessonFile(path, slug, root, Refusal(path, root)));
            }
        }
        return result;
    }

    /// <summary>
    /// The files in <paramref name="folder"/> and its subfolders, <paramref name="depth"/> levels down, not entering a
    /// linked folder that leads out of the lessons folder (<c>proc → /proc/self</c> would lead everywhere).
    /// </summary>
    private static IEnumerable<string> FilesBelow(string folder, string root, int depth)
    {
        var here = new EnumerationOptions { IgnoreInaccessible = true };
        foreach (var file in Directory.EnumerateFiles(folder, "*", here)) yield return file;
        if (depth == 0) yield break;
        foreach (var sub in Directory.EnumerateDirectories(folder, "*", here))
        {
            if (new DirectoryInfo(sub).LinkTarget is not null && !IsInside(sub, root)) continue;
            foreach (var file in FilesBelow(sub, root, depth - 1)) yield return file;
        }
    }

    private static bool IsInside(string path, string root)
    {
        try
        {
            return RealPath(path).StartsWith(root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal);
        }
        catch (IOException)
        {
            return false;
        }
    }

    /// <summary>
    /// Why a file found in a lessons folder is not read, or null. A link (the file, or a folder on its way) is followed
    /// only to a file inside the same lessons folder: <c>leak.md → /proc/self/environ</c> would show every viewer the
    /// server's environment, presenter key and database password included.
    /// </summary>
    private LessonFormatException? Refusal(string path, string root)
    {
        string real;
        try
        {
            real = RealPath(path);
        }
        catch (IOException ex)
        {
            if (new FileInfo(path).ResolveLinkTarget(returnFinalTarget: false) is { Exists: false })
            {
                return new(LessonErrors.DanglingLink);
            }
            return new(LessonErrors.LinkNotFollowed, ex.Message);
        }
        if (!real.StartsWith(root + System.IO.Path.DirectorySeparatorChar, StringComparison.Ordinal))
        {
            return new(LessonErrors.LinkOutside);
        }
        if (!File.Exists(real)) return new(LessonErrors.DanglingLink);
        var size = new FileInfo(real).Length;
        // A FIFO or a device node reports no size (and a FIFO would block the reader): nothing to read in any case.
        if (size == 0) return new(LessonErrors.Empty);
        return size > _maxBytes ? TooLarge(size) : null;
    }

    private LessonFormatException TooLarge(long size) =>
        new(LessonErrors.TooLarge, Megabytes(size), Megabytes(_maxBytes));

    private static string Megabytes(long bytes) => (bytes / 1024.0 / 1024.0).ToString("0.0", CultureInfo.InvariantCulture);

    /// <summary>The file's text, reading no more than <paramref name="max"/> bytes whatever its size says now.</summary>
    private string ReadAtMost(string path, long max)
    {
        using var stream = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.ReadWrite | FileShare.Delete);
        var buffer = new byte[(int)Math.Min(max + 1, stream.Length + 1)];
        var read = 0;
        while (read < buffer.Length && stream.Read(buffer, read, buffer.Length - read) is var n && n > 0) read += n;
        if (read > max || stream.ReadByte() >= 0) throw TooLarge(Math.Max(read, stream.Length));
        return Encoding.UTF8.GetString(buffer, 0, read);
    }

    /// <summary>
    /// The path with every link along it followed, as the kernel opens it (<c>realpath(3)</c>, so a link whose own text
    /// goes through a linked folder is followed too); elsewhere than Linux, link by link.
    /// </summary>
    private static string RealPath(string path)
    {
        if (OperatingSystem.IsLinux())
        {
            var resolved = Native.RealPath(path, IntPtr.Zero);
            if (resolved == IntPtr.Zero) throw new IOException($"realpath failed (errno {Marshal.GetLastPInvokeError()})");
            try
            {
                return Marshal.PtrToStringUTF8(resolved)!;
            }
            finally
            {
                Native.Free(resolved);
            }
        }
        var full = System.IO.Path.GetFullPath(path);
        var real = System.IO.Path.GetPathRoot(full)!;
        foreach (var part in full[real.Length..].Split(System.IO.Path.DirectorySeparatorChar, StringSplitOptions.RemoveEmptyEntries))
        {
            var next = System.IO.Path.Combine(real, part);
            var target = new FileInfo(next).ResolveLinkTarget(returnFinalTarget: true);
            real = target is null ? next : System.IO.Path.GetFullPath(target.FullName);
        }
        return real;
    }

    /// <summary>URL-safe, readable: "2-add.md" → "2-add"; a name with no ASCII letters gets a short stable hash.</summary>
    public static string Slugify(string name)
    {
        var slug = NotSlugChars().Replace(name.ToLowerInvariant(), "-").Trim('-');
        if (slug.Length > 0) return slug;
        return "lesson-" + Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(name)))[..8];
    }

    private static (int, long) ChapterKey(string? chapter) =>
        chapter is null ? (2, 0) : long.TryParse(chapter, NumberStyles.Integer, CultureInfo.InvariantCulture, out var n) ? (0, n) : (1, 0);

    /// <summary>Sorts "2-add" before "10-queue".</summary>
    private static string NaturalKey(string slug) => Digits().Replace(slug, m => m.Value.PadLeft(10, '0'));

    private void Watch()
    {
        foreach (var folder in _folders.Where(Directory.Exists))
        {
            try
            {
                var watcher = new FileSystemWatcher(folder)
                {
                    IncludeSubdirectories = true,
                    NotifyFilter = NotifyFilters.FileName | NotifyFilters.LastWrite | NotifyFilters.Size
                };
                watcher.Changed += (_, _) => ScheduleReload();
                watcher.Created += (_, _) => ScheduleReload();
                watcher.Deleted += (_, _) => ScheduleReload();
                watcher.Renamed += (_, _) => ScheduleReload();
                watcher.EnableRaisingEvents = true;
                _watchers.Add(watcher);
            }
            catch (Exception ex) when (ex is IOException or ArgumentException or PlatformNotSupportedException)
            {
                _logger.LogWarning(ex, "Lessons in {Folder} will not reload on change", folder);
            }
        }
    }

    /// <summary>An editor saves in several steps; wait until they settle, then reload once.</summary>
    private void ScheduleReload() => _reloadTimer.Change(ReloadDelay, Timeout.InfiniteTimeSpan);

    public void Dispose()
    {
        foreach (var w in _watchers) w.Dispose();
        _reloadTimer.Dispose();
    }

    [GeneratedRegex("[^a-z0-9_]+", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex NotSlugChars();

    [GeneratedRegex(@"\d+", RegexOptions.None, LessonLimits.RegexTimeoutMs)]
    private static partial Regex Digits();

    private static class Native
    {
        [DllImport("libc", EntryPoint = "realpath", SetLastError = true)]
        public static extern IntPtr RealPath([MarshalAs(UnmanagedType.LPUTF8Str)] string path, IntPtr resolved);

        [DllImport("libc", EntryPoint = "free")]
        public static extern void Free(IntPtr pointer);
    }
}
