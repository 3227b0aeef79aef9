using System.Diagnostics;
using System.Text;
using LeanAssist.Suggestions.Verification;
using LeanAssist.Testing;
using LeanAssist.Testing.Hosting;

namespace LeanAssist.Benchmarks.Reliability;

/// <summary>
/// Disk faults under the caches (verdicts, LLM answers and spend, learning, Lean outcomes): the cache folder
/// read-only, full, its files corrupted, and deleted while the server runs. After each, suggestions must be the
/// same as with a healthy disk (nothing lost, nothing wrong, no exception) and the log must say what happened to
/// the cache. Read-only and full use a real tmpfs mounted for the purpose when <c>mount</c> works (root);
/// otherwise read-only is simulated with permissions and full is not run, and the figures say so.
/// </summary>
public static class DiskFaultCampaign
{
    private const string Script = """
        { "headerSeconds": 0.02, "commandMs": 1, "tacticMs": 2,
          "tactics": [ { "tactic": "rfl", "result": "completed" }, { "tactic": "simp", "result": "progress", "goals": ["⊢ True"] } ],
          "defaultTactic": { "result": "error", "message": "not this one" } }
        """;

    public static async Task<CampaignResult> RunAsync(bool isShort, CancellationToken token)
    {
        var declarations = isShort ? 3 : 12;
        var text = new StringBuilder("import Mathlib.Tactic\n\n");
        for (var i = 0; i < declarations; i++)
        {
            text.Append(System.Globalization.CultureInfo.InvariantCulture, $"theorem d{i} (n : ℕ) : n * {i + 1} = n * {i + 1} := by\n  sorry\n\n");
        }

        var file = text.ToString();
        var clock = Stopwatch.StartNew();
        using var root = new TemporaryDirectory("leanassist-disk");
        var baseline = await SuggestAsync(root.Combine("baseline"), root.Combine("baseline-cache"), file, null, token).ConfigureAwait(false);
        var figures = new List<(string, string)> { ("targets per run (healthy disk: outcomes)", $"{declarations} ({string.Join(", ", baseline.Outcomes.Values.GroupBy(o => o).Select(g => $"{g.Count()} {g.Key}"))})") };
        var passed = baseline.Outcomes.Count == declarations;
        var notes = new List<string>();
        var canMount = Mount.Works(root.Combine("probe"));

        async Task Scenario(string name, string how, Func<string, Task>? beforeSecondRun, Func<string, Task>? duringRun, Action<string>? setUp = null, Action<string>? tearDown = null, bool deleted = false)
        {
            var project = root.Combine(name.Replace(' ', '-'));
            var cache = Path.Combine(project, "cache");
            Directory.CreateDirectory(cache);
            setUp?.Invoke(cache);
            try
            {
                // First run fills the caches; then the fault; then the run that is compared.
                await SuggestAsync(project, cache, file, null, token).ConfigureAwait(false);
                if (beforeSecondRun is not null)
                {
                    await beforeSecondRun(cache).ConfigureAwait(false);
                }

                var run = await SuggestAsync(project, cache, file, duringRun, token).ConfigureAwait(false);
                var same = run.Outcomes.Count(o => baseline.Outcomes.TryGetValue(o.Key, out var b) && b == o.Value);
                var ok = run.Exceptions == 0 && same == declarations;
                var recreated = string.Empty;
                if (deleted)
                {
                    // Open SQLite connections keep writing to the unlinked files, so nothing fails and nothing is logged;
                    // what matters then is that the next server recreates the caches.
                    await SuggestAsync(project, cache, file, null, token).ConfigureAwait(false);
                    var files = Directory.Exists(cache) ? Directory.EnumerateFiles(cache, "*.db", SearchOption.AllDirectories).Count() : 0;
                    ok &= files > 0;
                    recreated = $"; the next server recreated {files} cache files";
                }
                else
                {
                    ok &= run.CacheWarnings > 0;
                }

                passed &= ok;
                figures.Add(($"{name} ({how})", $"{same}/{declarations} outcomes as on a healthy disk, {run.Exceptions} exceptions, {run.CacheWarnings} cache warnings logged{(run.FirstWarning is null ? string.Empty : $" (e.g. \"{Shorten(run.FirstWarning)}\")")}{recreated}"));
            }
            finally
            {
                tearDown?.Invoke(cache);
            }
        }

        if (canMount)
        {
            await Scenario("read-only", "a tmpfs remounted read-only after the first run", cache => Task.Run(() => Mount.Run("-o", "remount,ro", cache)), null,
                cache => Mount.Run("-t", "tmpfs", "-o", "size=16m", "tmpfs", cache), cache => Mount.Run("-l", cache, umount: true)).ConfigureAwait(false);
            await Scenario("full", "a 2 MB tmpfs filled to the last byte after the first run", cache => Task.Run(() => Fill(cache)), null,
                cache => Mount.Run("-t", "tmpfs", "-o", "size=2m", "tmpfs", cache), cache => Mount.Run("-l", cache, umount: true)).ConfigureAwait(false);
        }
        else if (!OperatingSystem.IsWindows())
        {
            notes.Add("mount is not available here (not root): read-only is simulated with permissions (chmod 0555), and the full-disk scenario was not run.");
            await Scenario("read-only", "SIMULATED: chmod 0555 after the first run", cache => Task.Run(() => ChmodTree(cache, UnixFileMode.UserRead | UnixFileMode.UserExecute)), null,
                tearDown: cache => ChmodTree(cache, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute)).ConfigureAwait(false);
            figures.Add(("full", "not run: needs mount (root) for a size-limited tmpfs"));
            passed = false;
        }
        else
        {
            figures.Add(("read-only, full", "not run on Windows"));
            passed = false;
        }

        await Scenario("corrupted", "every cache file overwritten with random bytes between runs", cache => Task.Run(() => Corrupt(cache)), null).ConfigureAwait(false);
        await Scenario("deleted while running", "the cache folder removed while the second server runs, between loading and suggesting", null,
            cache => Task.Run(() => Directory.Delete(cache, recursive: true)), deleted: true).ConfigureAwait(false);
        figures.Add(("time", $"{clock.Elapsed.TotalSeconds:0.0} s"));
        notes.Add("The caches are SQLite files (server/LeanAssist.Lean/Storage/SqliteCacheStore.cs): I/O errors turn reads into misses and writes into no-ops, and a damaged file is rebuilt; \"cache warnings logged\" counts the server log's warnings naming a cache. A cache folder deleted while running goes unnoticed (the open connections write to the unlinked files) and is recreated by the next server. Read-only and full disks log a warning for every failed write (hundreds per run): the server says so, loudly. Lean is the REPL stand-in.");
        return new CampaignResult("Disk faults",
            "cache folder read-only, full, corrupted and deleted while running: the server keeps serving the same suggestions without that cache and says so in its log",
            figures, passed, notes);
    }

    private sealed record Run(Dictionary<string, TargetOutcome> Outcomes, int Exceptions, int CacheWarnings, string? FirstWarning);

    private static async Task<Run> SuggestAsync(string project, string cache, string text, Func<string, Task>? duringRun, CancellationToken token)
    {
        Directory.CreateDirectory(project);
        var log = Path.Combine(project, $"server-{Guid.NewGuid():N}.log");
        var directory = new TemporaryDirectory("leanassist-disk-project");
        var outcomes = new Dictionary<string, TargetOutcome>(StringComparer.Ordinal);
        var exceptions = 0;
        await using (var host = PipelineHost.Start(Script, directory, cache, settings: [new("LeanAssist:Server:LogFile", log), new("LeanAssist:Server:LogLevel", "Warning")]))
        {
            var path = host.WriteLeanFile("Disk.lean", text);
            try
            {
                var request = host.Request(path);
                var file = await host.Service.LoadAsync(request, token).WaitAsync(TimeSpan.FromSeconds(60), token).ConfigureAwait(false);
                if (duringRun is not null)
                {
                    await duringRun(cache).ConfigureAwait(false);
                }

                foreach (var target in file.Targets)
                {
                    var result = await host.Service.SuggestAsync(request, file, target, new SuggestOptions(false, LeanAssist.Lean.Sessions.RequestPriority.Interactive), null, token)
                        .WaitAsync(TimeSpan.FromSeconds(60), token).ConfigureAwait(false);
                    outcomes[target.DeclarationName ?? target.Id] = result.Outcome;
                }
            }
            catch (Exception e) when (e is not OperationCanceledException)
            {
                exceptions++;
            }
        }

        directory.Dispose();
        var lines = File.Exists(log) ? await File.ReadAllLinesAsync(log, token).ConfigureAwait(false) : [];
        var warnings = lines.Where(l => (l.Contains("[WRN]", StringComparison.Ordinal) || l.Contains("Warning", StringComparison.Ordinal))
            && (l.Contains("cache", StringComparison.OrdinalIgnoreCase) || l.Contains(cache, StringComparison.Ordinal))).ToList();
        return new Run(outcomes, exceptions, warnings.Count, warnings.FirstOrDefault());
    }

    private static string Shorten(string line)
    {
        var text = line.Length > 160 ? line[..160] + "…" : line;
        return text.Replace("\"", "'", StringComparison.Ordinal);
    }

    private static void Fill(string directory)
    {
        var buffer = new byte[64 * 1024];
        try
        {
            using var filler = new FileStream(Path.Combine(directory, "filler.bin"), FileMode.Create);
            for (var i = 0; i < 10_000; i++)
            {
                filler.Write(buffer);
            }
        }
        catch (IOException)
        {
            // Disk full: the point.
        }
    }

    private static void Corrupt(string directory)
    {
        var random = new Random(5);
        foreach (var path in Directory.EnumerateFiles(directory, "*", SearchOption.AllDirectories))
        {
            var bytes = File.ReadAllBytes(path);
            var garbage = new byte[Math.Max(64, bytes.Length / 2)];
            random.NextBytes(garbage);
            using var stream = new FileStream(path, FileMode.Open, FileAccess.Write);
            stream.Position = Math.Min(bytes.Length / 4, 100);
            stream.Write(garbage);
        }
    }

    private static void ChmodTree(string directory, UnixFileMode mode)
    {
        foreach (var path in Directory.EnumerateFileSystemEntries(directory, "*", SearchOption.AllDirectories).Append(directory))
        {
            if (!OperatingSystem.IsWindows())
            {
                File.SetUnixFileMode(path, mode);
            }
        }
    }

    /// <summary>mount/umount for the campaign's own tmpfs mounts (by path, only those it made).</summary>
    private static class Mount
    {
        public static bool Works(string probe)
        {
            Directory.CreateDirectory(probe);
            try
            {
                Run("-t", "tmpfs", "-o", "size=64k", "tmpfs", probe);
                Run("-l", probe, umount: true);
                return true;
            }
            catch (InvalidOperationException)
            {
                return false;
            }
        }

        public static void Run(params string[] arguments) => Run(arguments, umount: false);

        public static void Run(string first, string second, bool umount) => Run([first, second], umount);

        private static void Run(string[] arguments, bool umount)
        {
            var start = new ProcessStartInfo(umount ? "umount" : "mount") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            foreach (var argument in arguments)
            {
                start.ArgumentList.Add(argument);
            }

            try
            {
                using var process = Process.Start(start)!;
                var error = process.StandardError.ReadToEnd();
                process.WaitForExit();
                if (process.ExitCode != 0)
                {
                    throw new InvalidOperationException($"{start.FileName} {string.Join(' ', arguments)}: {error.Trim()}");
                }
            }
            catch (System.ComponentModel.Win32Exception e)
            {
                throw new InvalidOperationException(e.Message, e);
            }
        }
    }
}
