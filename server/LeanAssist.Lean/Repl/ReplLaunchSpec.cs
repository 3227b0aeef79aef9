namespace LeanAssist.Lean.Repl;

/// <summary>
/// How to start one REPL process: the program, its arguments and working directory. By default this is
/// <c>lake env &lt;repl&gt;</c> in the project root; the <c>leanAssist.repl.command</c> setting replaces it.
/// </summary>
/// <param name="Description">What to call it in messages ("lake env …/repl in /project", "custom command …").</param>
public sealed record ReplLaunchSpec(string FileName, IReadOnlyList<string> Arguments, string WorkingDirectory, string Description)
{
    /// <summary>Environment variables to set (a null value removes the variable) on top of the cleaned parent environment.</summary>
    public IReadOnlyDictionary<string, string?> Environment { get; init; } = new Dictionary<string, string?>();

    /// <summary>The OS sandbox the process starts in (<c>leanAssist.repl.sandbox</c>); null: none. Applied by <see cref="ReplProcess.Start"/>.</summary>
    public Sandbox.ReplSandboxPlan? Sandbox { get; init; }

    /// <summary>This launch with <paramref name="directory"/> writable inside its sandbox (unchanged without one).</summary>
    public ReplLaunchSpec WithSandboxWritable(string directory) => Sandbox is null ? this : this with { Sandbox = Sandbox.WithWritable(directory) };

    /// <summary>A spec from a command line string (see <see cref="CommandLineSplitter"/>).</summary>
    public static ReplLaunchSpec FromCommandLine(string commandLine, string workingDirectory)
    {
        var words = CommandLineSplitter.Split(commandLine);
        return new ReplLaunchSpec(words[0], words.Skip(1).ToArray(), workingDirectory, $"custom command \"{commandLine}\"");
    }

    public override string ToString() => Description;
}
