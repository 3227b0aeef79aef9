using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Text;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Suggestions.Verification;
using Microsoft.Extensions.Logging;

namespace LeanAssist.Server.Prove;

/// <param name="Paths">Files and directories (searched for <c>.lean</c> files).</param>
/// <param name="Project">The Lake project to run every file in; null: each file's own project (or lean_verifier).</param>
/// <param name="Write">Replace solved sorries with their verified tactic.</param>
/// <param name="UseLlm">Ask the configured LLM too.</param>
/// <param name="Parallelism">Targets worked on at once across all files, and files in flight (the pool runs each target's candidates in parallel too, and queues what exceeds its sessions).</param>
public sealed record ProveRequest(IReadOnlyList<string> Paths, string? Project, bool Write, bool UseLlm, int Parallelism = 1)
{
    /// <summary>
    /// Targets in flight for a pool of <paramref name="sessions"/>: more than the sessions, because a target
    /// spends much of its time waiting for the LLM or for its proof state, not using a session.
    /// </summary>
    public static int ParallelismFor(int sessions) => Math.Max(4, 2 * sessions);
}

/// <summary>Where a prove run is: targets finished of those found so far, and the file being worked on.</summary>
public sealed record ProveProgress(int TargetsDone, int TargetsFound, int FilesDone, int FilesTotal, string CurrentFile);

/// <summary>
/// <c>leanassist prove</c> without the command line: every <c>sorry</c> of every file through the same
/// <see cref="SuggestionService"/> the editor uses, then (with <c>--write</c>) the solved ones replaced, once the
/// edited file as a whole elaborated with no declaration worse than before (see <see cref="EditedFileCheck"/>).
/// </summary>
public sealed class ProveRunner(SuggestionService suggestions, TimeProvider time, ILogger<ProveRunner> logger)
{
    private static readonly HashSet<string> SkippedDirectories = new(StringComparer.Ordinal) { ".lake", "lake-packages", ".git", "node_modules", "build" };

    /// <summary>The <c>.lean</c> files named by <paramref name="paths"/>, sorted, without duplicates.</summary>
    /// <exception cref="FileNotFoundException">A path that does not exist.</exception>
    public static IReadOnlyList<string> FindLeanFiles(IEnumerable<string> paths)
    {
        var files = new SortedSet<string>(StringComparer.Ordinal);
        foreach (var path in paths.Select(Path.GetFullPath))
        {
            if (File.Exists(path))
            {
                files.Add(path);
            }
            else if (Directory.Exists(path))
            {
                foreach (var file in EnumerateLeanFiles(path))
                {
                    files.Add(file);
                }
            }
            else
            {
                throw new FileNotFoundException($"No such file or directory: {path}", path);
            }
        }

        return files.ToArray();
    }

    /// <exception cref="LeanUnavailableException">Lean cannot be run (no toolchain, REPL not built): nothing can be proved.</exception>
    public async Task<ProveReport> RunAsync(ProveRequest request, IProgress<ProveProgress>? progress, CancellationToken cancellationToken)
    {
        var started = time.GetTimestamp();
        var files = FindLeanFiles(request.Paths);
        var results = new ProvedFile[files.Count];
        var tally = new Tally(files.Count);

        // One queue of targets across files: a file's targets start as soon as it is loaded, and the next
        // files load while earlier ones are verified, so no session waits for a file's last target (the
        // tail) or for the next file's load. Files in flight are bounded like targets, which bounds memory.
        using var targetSlots = new SemaphoreSlim(Math.Max(1, request.Parallelism));
        using var fileSlots = new SemaphoreSlim(Math.Max(1, request.Parallelism));
        await Task.WhenAll(files.Select(async (file, index) =>
        {
            await fileSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                progress?.Report(tally.Progress(file));
                results[index] = await ProveFileAsync(file, request, tally, targetSlots, progress, cancellationToken).ConfigureAwait(false);
                tally.FileDone();
            }
            finally
            {
                fileSlots.Release();
            }
        })).ConfigureAwait(false);

        progress?.Report(new ProveProgress(tally.TargetsDone, tally.TargetsFound, files.Count, files.Count, string.Empty));
        var targets = results.SelectMany(f => f.Targets).ToArray();
        var summary = new ProveSummary(
            files.Count,
            targets.Length,
            targets.Count(t => t.Status == "solved"),
            targets.Count(t => t.Status == "progress"),
            targets.Count(t => t.Status == "unsolved"),
            time.GetElapsedTime(started).TotalSeconds,
            tally.Lean.TotalSeconds,
            tally.LeanRuns,
            tally.LeanRequests,
            tally.Llm.TotalSeconds,
            tally.LlmCalls,
            tally.InputTokens,
            tally.OutputTokens,
            tally.CostUsd,
            tally.VerdictCacheHits,
            tally.LlmCacheHits,
            results.Count(f => f.Written))
        {
            CheckedBy = results.Select(f => f.CheckedBy).OfType<string>().Distinct(StringComparer.Ordinal).ToArray(),
            Confirmations = tally.Confirmations,
            ConfirmationSeconds = tally.ConfirmationLean.TotalSeconds,
        };
        return new ProveReport(results, summary);
    }

    private async Task<ProvedFile> ProveFileAsync(string path, ProveRequest request, Tally tally, SemaphoreSlim targetSlots, IProgress<ProveProgress>? progress, CancellationToken cancellationToken)
    {
        SourceFile source;
        try
        {
            source = SourceFile.Read(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or System.Text.DecoderFallbackException)
        {
            return new ProvedFile(path, [], [$"cannot be read: {e.Message}"], false, Complete: false);
        }

        var projectRoot = request.Project is { } project
            ? LeanProjectLocator.FindProjectRoot(Path.Combine(Path.GetFullPath(project), "_")) ?? Path.GetFullPath(project)
            : LeanProjectLocator.FindProjectRoot(path);
        var fileRequest = new LeanFileRequest(projectRoot, path, source.Text, RequestPriority.Interactive);
        var file = await suggestions.LoadAsync(fileRequest, cancellationToken).ConfigureAwait(false);
        tally.Add(file);
        var targets = file.Targets.Where(t => t.Kind == LeanTargetKind.Sorry).ToArray();
        tally.AddFound(targets.Length);

        var results = new TargetSuggestions[targets.Length];
        await Task.WhenAll(targets.Select(async (target, i) =>
        {
            await targetSlots.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                results[i] = await suggestions.SuggestAsync(fileRequest, file, target, new SuggestOptions(request.UseLlm, RequestPriority.Interactive), null, cancellationToken).ConfigureAwait(false);
                tally.Add(results[i]);
                progress?.Report(tally.Progress(path));
            }
            finally
            {
                targetSlots.Release();
            }
        })).ConfigureAwait(false);

        var written = false;
        var problems = file.Problems.ToList();
        if (request.Write)
        {
            var edits = results
                .Where(r => r.Outcome == TargetOutcome.Solved)
                .Select(r => r.EditPlan.EditFor(source.Text, r.Best!.Tactic))
                .ToArray();
            // Verified one by one; elaborated together once before anything is written (see EditedFileCheck).
            var check = await EditedFileCheck.CheckAsync(suggestions, fileRequest, file, edits, cancellationToken).ConfigureAwait(false);
            foreach (var problem in check.Problems)
            {
                problems.Add(problem);
                logger.LogWarning("{File}: {Problem}", path, problem);
            }

            edits = [.. check.Kept];
            if (edits.Length > 0)
            {
                if (SourceFileWriter.Apply(source, edits) is { } writeProblem)
                {
                    problems.Add(writeProblem);
                    logger.LogWarning("{File}: {Problem}", path, writeProblem);
                }
                else
                {
                    written = true;
                }
            }
        }

        return new ProvedFile(path, results.Select(ToTarget).ToArray(), problems, written, file.IsComplete, file.CheckedBy);
    }

    private static ProvedTarget ToTarget(TargetSuggestions result)
    {
        var status = result.Outcome switch
        {
            TargetOutcome.Solved => "solved",
            TargetOutcome.Progress => "progress",
            _ => "unsolved",
        };
        return new ProvedTarget(
            result.Target.LeanStart.Line,
            result.Target.LeanStart.Column,
            result.Target.Goal,
            status,
            result.Best?.Tactic,
            result.Suggestions.Select(s => new ProvedCandidate(s.Tactic, SuggestionService.Verdict(s.Verdict), Math.Round(s.LeanMilliseconds, 1), s.Source, s.FromCache, s.Error, s.TrustsCompiler, s.AlsoProposedBy)).ToArray(),
            result.Problems,
            Math.Round(result.Costs.Total.TotalSeconds, 3));
    }

    private static IEnumerable<string> EnumerateLeanFiles(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory, "*.lean"))
        {
            yield return file;
        }

        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            var name = Path.GetFileName(child);
            if (!SkippedDirectories.Contains(name) && !name.StartsWith('.'))
            {
                foreach (var file in EnumerateLeanFiles(child))
                {
                    yield return file;
                }
            }
        }
    }

    /// <summary>Totals over a run (files and targets finish concurrently, hence the lock).</summary>
    private sealed class Tally(int files)
    {
        private readonly Lock _gate = new();
        private int _filesDone;

        public ProveProgress Progress(string currentFile)
        {
            lock (_gate)
            {
                return new ProveProgress(TargetsDone, TargetsFound, _filesDone, files, currentFile);
            }
        }

        public void FileDone()
        {
            lock (_gate)
            {
                _filesDone++;
            }
        }

        public int TargetsFound { get; private set; }

        public int TargetsDone { get; private set; }

        public TimeSpan Lean { get; private set; }

        public int LeanRuns { get; private set; }

        public int LeanRequests { get; private set; }

        public TimeSpan Llm { get; private set; }

        public int LlmCalls { get; private set; }

        public long InputTokens { get; private set; }

        public long OutputTokens { get; private set; }

        public decimal CostUsd { get; private set; }

        public int VerdictCacheHits { get; private set; }

        public int LlmCacheHits { get; private set; }

        public int Confirmations { get; private set; }

        public TimeSpan ConfirmationLean { get; private set; }

        public void Add(LeanFileTargets file)
        {
            lock (_gate)
            {
                Lean += file.LeanTime;
                LeanRequests += file.LeanRequests;
            }
        }

        public void AddFound(int count)
        {
            lock (_gate)
            {
                TargetsFound += count;
            }
        }

        public void Add(TargetSuggestions result)
        {
            lock (_gate)
            {
                TargetsDone++;
                Lean += result.Costs.Lean;
                LeanRuns += result.Costs.LeanRuns;
                LeanRequests += result.Costs.LeanRuns;
                Llm += result.Costs.Llm;
                LlmCalls += result.Costs.LlmCalls;
                InputTokens += result.Costs.InputTokens;
                OutputTokens += result.Costs.OutputTokens;
                CostUsd += result.Costs.CostUsd;
                VerdictCacheHits += result.Costs.VerdictCacheHits;
                LlmCacheHits += result.Costs.LlmCacheHits;
                Confirmations += result.Costs.Confirmations;
                ConfirmationLean += result.Costs.ConfirmationLean;
            }
        }
    }
}
