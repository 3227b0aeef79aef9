using LeanAssist.Lean.Toolchain;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.Toolchain;

/// <summary>The setup flow, with shell scripts standing in for git and lake (no network, no Lean).</summary>
public sealed class ReplSetupTests
{
    private const string FakeGit = "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/git-args\"\nfor last; do :; done\nmkdir -p \"$last\"\necho \"Cloning into '$last'...\"\n";
    private const string FailingGit = "#!/bin/sh\necho \"fatal: unable to access 'https://github.com/leanprover-community/repl/': Could not resolve host: github.com\" >&2\nexit 128\n";
    private const string FakeLake = "#!/bin/sh\necho \"$@\" > \"$(dirname \"$0\")/lake-args\"\necho \"[1/2] Building REPL.Main\"\nmkdir -p .lake/build/bin && printf '#!/bin/sh\\n' > .lake/build/bin/repl\n";
    private const string FailingLake = "#!/bin/sh\necho \"error: unknown package 'Lean'\" >&2\nexit 1\n";

    [UnixFact]
    public async Task Setup_clones_the_REPL_at_the_toolchain_tag_and_builds_it_into_the_toolchain_folder()
    {
        using var directory = new TemporaryDirectory();
        var (setup, project, progress) = Arrange(directory, FakeGit, FakeLake);

        var result = await setup.RunAsync(project, progress, CancellationToken.None);

        Assert.Equal(SetupOutcome.Built, result.Outcome);
        Assert.Equal(0, result.ExitCode);
        var layout = new ReplBuildLayout(directory.Combine("builds"));
        Assert.Equal(layout.ExecutableFor("leanprover/lean4:v4.32.0"), result.ReplExecutable);
        Assert.True(File.Exists(result.ReplExecutable));
        Assert.Equal("leanprover/lean4:v4.32.0\n", await File.ReadAllTextAsync(Path.Combine(layout.SourceDirectoryFor("leanprover/lean4:v4.32.0"), "lean-toolchain")));
        Assert.StartsWith($"clone --depth 1 --branch v4.32.0 {ReplBuildLayout.RepositoryUrl}", await File.ReadAllTextAsync(directory.Combine("bin", "git-args")), StringComparison.Ordinal);
        Assert.Equal("build repl\n", await File.ReadAllTextAsync(directory.Combine("bin", "lake-args")));
        Assert.Equal([1, 2, 3, 4], progress.Steps);
        Assert.Contains("[1/2] Building REPL.Main", progress.Output);

        var again = await setup.RunAsync(project, progress, CancellationToken.None);
        Assert.Equal((SetupOutcome.AlreadyBuilt, 0), (again.Outcome, again.ExitCode));
    }

    [UnixFact]
    public async Task A_failed_download_exits_5_keeps_git_s_words_and_leaves_nothing_half_done()
    {
        using var directory = new TemporaryDirectory();
        var (setup, project, progress) = Arrange(directory, FailingGit, FakeLake);

        var result = await setup.RunAsync(project, progress, CancellationToken.None);

        Assert.Equal(5, result.ExitCode);
        Assert.Contains("Could not resolve host: github.com", result.Message, StringComparison.Ordinal);
        Assert.Contains("network", result.Message, StringComparison.Ordinal);
        Assert.False(Directory.Exists(new ReplBuildLayout(directory.Combine("builds")).SourceDirectoryFor("leanprover/lean4:v4.32.0")));
    }

    [UnixFact]
    public async Task A_failed_build_exits_6_with_lake_s_output()
    {
        using var directory = new TemporaryDirectory();
        var (setup, project, progress) = Arrange(directory, FakeGit, FailingLake);

        var result = await setup.RunAsync(project, progress, CancellationToken.None);

        Assert.Equal(6, result.ExitCode);
        Assert.Contains("error: unknown package 'Lean'", result.Message, StringComparison.Ordinal);
    }

    [UnixFact]
    public async Task A_nightly_toolchain_has_no_REPL_release_and_says_what_to_do_instead()
    {
        using var directory = new TemporaryDirectory();
        var (setup, project, progress) = Arrange(directory, FakeGit, FakeLake, "leanprover/lean4:nightly-2025-06-01");

        var result = await setup.RunAsync(project, progress, CancellationToken.None);

        Assert.Equal(7, result.ExitCode);
        Assert.Contains("leanAssist.repl.command", result.Message, StringComparison.Ordinal);
    }

    private static (ReplSetup Setup, string Project, RecordingProgress Progress) Arrange(TemporaryDirectory directory, string git, string lake, string toolchain = "leanprover/lean4:v4.32.0")
    {
        MakeExecutable(directory.WriteFile("bin/git", git));
        MakeExecutable(directory.WriteFile("bin/lake", lake));
        directory.WriteFile("p/lakefile.toml", "name = \"p\"\n");
        directory.WriteFile("p/lean-toolchain", toolchain + "\n");
        var bin = directory.Combine("bin");
        var locator = new LeanToolchainLocator(new ToolchainSearchEnvironment(bin, directory.Combine("home"), null, IsWindows: false));
        var setup = new ReplSetup(locator, new ToolchainOptions { ReplBuildDirectory = directory.Combine("builds") }, pathVariable: bin);
        return (setup, directory.Combine("p"), new RecordingProgress());
    }

    private static void MakeExecutable(string path)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        }
    }

    private sealed class RecordingProgress : ISetupProgress
    {
        public List<int> Steps { get; } = [];

        public List<string> Output { get; } = [];

        public void Step(int number, int total, string description) => Steps.Add(number);

        public void ToolOutput(string line)
        {
            lock (Output)
            {
                Output.Add(line);
            }
        }
    }
}
