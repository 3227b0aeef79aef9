namespace LeanAssist.Lean.Toolchain;

/// <summary>How <c>leanassist setup</c> ended; the values are its exit codes.</summary>
public enum SetupOutcome
{
    Built = 0,
    AlreadyBuilt = 1,
    ToolchainMissing = 3,
    ProjectProblem = 4,
    DownloadFailed = 5,
    BuildFailed = 6,
    NoMatchingRepl = 7,
}

/// <param name="Message">What happened and, on failure, exactly what to do.</param>
public sealed record SetupResult(SetupOutcome Outcome, string Message, string? ReplExecutable, string? Toolchain)
{
    public int ExitCode => Outcome == SetupOutcome.AlreadyBuilt ? 0 : (int)Outcome;

    public bool Succeeded => Outcome is SetupOutcome.Built or SetupOutcome.AlreadyBuilt;
}

/// <summary>Progress of a setup run: numbered steps and the tools' own output.</summary>
public interface ISetupProgress
{
    void Step(int number, int total, string description);

    void ToolOutput(string line);
}

/// <summary>
/// Builds the REPL for the toolchain a project uses, into the per-toolchain folder of
/// <see cref="ReplBuildLayout"/>: clone <c>leanprover-community/repl</c> at the toolchain's tag, then
/// <c>lake build</c> (elan fetches the toolchain if needed). Each failure says what is missing and what to do.
/// </summary>
public sealed class ReplSetup(LeanToolchainLocator locator, ToolchainOptions options, string? pathVariable = null)
{
    private const int Steps = 4;
    private const int KeptOutputLines = 15;

    /// <param name="projectDirectory">A Lake project (or a folder in one); null: the current directory's project, else lean_verifier.</param>
    public async Task<SetupResult> RunAsync(string? projectDirectory, ISetupProgress progress, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(progress);
        progress.Step(1, Steps, "Finding the Lean project");
        var project = ResolveProject(projectDirectory);
        if (project is null)
        {
            return new SetupResult(SetupOutcome.ProjectProblem,
                projectDirectory is null
                    ? "No Lake project here and the lean_verifier project was not found: run setup with --project DIR, or set leanAssist.toolchain.verifierProject."
                    : $"{Path.GetFullPath(projectDirectory)} is not in a Lake project (no lakefile.toml or lakefile.lean above it).",
                null, null);
        }

        var toolchain = LeanProjectLocator.ReadToolchain(project);
        if (toolchain is null)
        {
            return new SetupResult(SetupOutcome.ProjectProblem,
                $"{project} has no lean-toolchain file, so the Lean version to build the REPL for is unknown. Add one (for example: leanprover/lean4:v4.32.0).", null, null);
        }

        progress.Step(2, Steps, $"Checking the Lean toolchain ({toolchain})");
        var tools = locator.Locate(options);
        if (tools.Lake is null)
        {
            return new SetupResult(SetupOutcome.ToolchainMissing,
                "Lean is not installed: elan and lake were not found (searched " + string.Join(", ", tools.SearchedDirectories) + "). "
                + "Install elan, the Lean toolchain manager: on Linux and macOS run "
                + "`curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | sh`, on Windows see https://lean-lang.org/install; "
                + "then open a new terminal and run `leanassist setup` again. If Lean is installed elsewhere, set leanAssist.toolchain.lakePath.",
                null, toolchain);
        }

        var tag = ReplBuildLayout.ReplTagFor(toolchain);
        if (tag is null)
        {
            return new SetupResult(SetupOutcome.NoMatchingRepl,
                $"The REPL has no release for {toolchain} (nightly or custom toolchain). Build leanprover-community/repl with this toolchain yourself and set leanAssist.repl.command to \"lake env /path/to/repl\".",
                null, toolchain);
        }

        var layout = ReplBuildLayout.FromOptions(options);
        if (layout.IsBuilt(toolchain))
        {
            return new SetupResult(SetupOutcome.AlreadyBuilt, $"The REPL for {toolchain} is already built: {layout.ExecutableFor(toolchain)}", layout.ExecutableFor(toolchain), toolchain);
        }

        var git = ExternalCommand.FindOnPath("git", pathVariable);
        if (git is null)
        {
            return new SetupResult(SetupOutcome.ToolchainMissing, "git was not found on PATH; it is needed to download the REPL. Install git and run `leanassist setup` again.", null, toolchain);
        }

        progress.Step(3, Steps, $"Downloading the REPL {tag}");
        var source = layout.SourceDirectoryFor(toolchain);
        var download = source + ".download";
        DeleteIfPresent(download);
        Directory.CreateDirectory(layout.DirectoryFor(toolchain));
        var output = new Queue<string>();
        void Record(string line)
        {
            progress.ToolOutput(line);
            output.Enqueue(line);
            while (output.Count > KeptOutputLines)
            {
                output.Dequeue();
            }
        }

        var cloned = await ExternalCommand.RunAsync(git, ["clone", "--depth", "1", "--branch", tag, ReplBuildLayout.RepositoryUrl, download], layout.DirectoryFor(toolchain), Record, cancellationToken).ConfigureAwait(false);
        if (cloned != 0 || !Directory.Exists(download))
        {
            DeleteIfPresent(download);
            return new SetupResult(SetupOutcome.DownloadFailed,
                $"Could not download the REPL {tag} from {ReplBuildLayout.RepositoryUrl} (git exit code {cloned?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}). "
                + "Check the network connection (and proxy settings), then run `leanassist setup` again. git said:\n" + string.Join('\n', output),
                null, toolchain);
        }

        // Only a complete download takes the final name, so an interrupted run never looks finished.
        DeleteIfPresent(source);
        Directory.Move(download, source);
        await File.WriteAllTextAsync(Path.Combine(source, "lean-toolchain"), toolchain + "\n", cancellationToken).ConfigureAwait(false);

        progress.Step(4, Steps, "Building the REPL with lake (the first build fetches the toolchain and takes a few minutes)");
        output.Clear();
        var built = await ExternalCommand.RunAsync(tools.Lake, ["build", "repl"], source, Record, cancellationToken).ConfigureAwait(false);
        if (built != 0 || !layout.IsBuilt(toolchain))
        {
            return new SetupResult(SetupOutcome.BuildFailed,
                $"Building the REPL failed (lake exit code {built?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "none"}) in {source}. lake said:\n" + string.Join('\n', output),
                null, toolchain);
        }

        return new SetupResult(SetupOutcome.Built, $"Built the REPL for {toolchain}: {layout.ExecutableFor(toolchain)}", layout.ExecutableFor(toolchain), toolchain);
    }

    private string? ResolveProject(string? projectDirectory)
    {
        if (projectDirectory is not null)
        {
            var full = Path.GetFullPath(projectDirectory);
            return Directory.Exists(full) ? LeanProjectLocator.FindProjectRoot(full) : null;
        }

        return LeanProjectLocator.FindProjectRoot(Environment.CurrentDirectory) ?? VerifierProject.Locate(options);
    }

    private static void DeleteIfPresent(string directory)
    {
        if (Directory.Exists(directory))
        {
            Directory.Delete(directory, recursive: true);
        }
    }
}
