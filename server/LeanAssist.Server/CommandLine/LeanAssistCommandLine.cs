using System.CommandLine;

namespace LeanAssist.Server.CommandLine;

/// <summary>
/// The <c>leanassist</c> command line: one verb per job. Every verb that touches Lean accepts
/// <c>--project DIR</c> and <c>--repl-command CMD</c>; every verb that reports accepts <c>--json</c>.
/// </summary>
public static class LeanAssistCommandLine
{
    public static RootCommand Create()
    {
        var root = new RootCommand("LeanAssist: verified tactic suggestions for Lean 4.");
        root.Subcommands.Add(LspCommand.Create());
        root.Subcommands.Add(ProveCommand.Create());
        root.Subcommands.Add(SetupCommand.Create());
        root.Subcommands.Add(DoctorCommand.Create());
        root.Subcommands.Add(MetricsCommand.Create());
        return root;
    }
}
