namespace LeanAssist.Testing;

/// <summary>
/// A Lake project (lakefile.toml and the toolchain the stand-in answers for) with the scripted REPL stand-in's
/// script and request log beside it: where every pipeline, editor and pool harness starts.
/// </summary>
/// <param name="Root">The Lake project's folder.</param>
/// <param name="ScriptPath">The stand-in's script (tests/LeanAssist.ReplStandIn/README.md).</param>
/// <param name="Log">What reaches the stand-in, if it is started with <see cref="ReplCommand"/>.</param>
public sealed record StandInProject(string Root, string ScriptPath, StandInLog Log)
{
    public const string Toolchain = "leanprover/lean4:v4.32.0";

    /// <param name="directory">Holds the script (standin-script.json) and the log (standin.log).</param>
    /// <param name="name">The Lake package name.</param>
    /// <param name="projectFolder">The project's folder inside <paramref name="directory"/>; empty for <paramref name="directory"/> itself.</param>
    public static StandInProject Write(TemporaryDirectory directory, string name, string script, string projectFolder = "")
    {
        ArgumentNullException.ThrowIfNull(directory);
        directory.WriteFile(Path.Combine(projectFolder, "lakefile.toml"), $"name = \"{name}\"\n");
        directory.WriteFile(Path.Combine(projectFolder, "lean-toolchain"), Toolchain + "\n");
        var scriptPath = directory.WriteFile("standin-script.json", script);
        return new StandInProject(directory.Combine(projectFolder), scriptPath, new StandInLog(directory.Combine("standin.log")));
    }

    /// <summary>The <c>leanAssist.repl.command</c> that runs the scripted stand-in on this script, logging to <see cref="Log"/>.</summary>
    /// <param name="moreArguments">More stand-in flags (faults, latencies).</param>
    public string ReplCommand(IEnumerable<string>? moreArguments = null) =>
        ReplStandInLauncher.CommandLine(["scripted", "--script", ScriptPath, "--log", Log.Path, .. moreArguments ?? []]);
}
