using System.CommandLine;
using System.CommandLine.Invocation;
using System.CommandLine.Parsing;

namespace LeanAssist.Server.CommandLine;

/// <summary>
/// The <c>leanassist</c> command line: one verb per job. Every verb that touches Lean accepts
/// <c>--project DIR</c> and <c>--repl-command CMD</c>; every verb that reports accepts <c>--json</c>.
/// </summary>
public static class LeanAssistCommandLine
{
    /// <summary>Exit code of every verb for a command line that does not parse (an unknown or malformed option).</summary>
    public const int InvalidUsageExitCode = 2;

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

    /// <summary>Parses and runs a command line as the executable does.</summary>
    public static Task<int> InvokeAsync(string[] args, InvocationConfiguration? configuration = null) =>
        InvokeAsync(Create().Parse(args), configuration ?? new InvocationConfiguration());

    /// <summary>
    /// Runs a parsed command line. A parse error is reported on stderr only, with exit code 2: the
    /// library's default prints help to stdout and exits 1, and for <c>lsp</c> stdout is the LSP
    /// channel, where the client would read help text as a corrupt frame.
    /// </summary>
    public static async Task<int> InvokeAsync(ParseResult result, InvocationConfiguration configuration)
    {
        if (result.Action is not ParseErrorAction)
        {
            return await result.InvokeAsync(configuration).ConfigureAwait(false);
        }

        var command = CommandPath(result);
        foreach (var error in result.Errors)
        {
            await configuration.Error.WriteLineAsync($"{command}: {error.Message}").ConfigureAwait(false);
        }

        await configuration.Error.WriteLineAsync($"Run '{command} --help' for the options.").ConfigureAwait(false);
        return InvalidUsageExitCode;
    }

    /// <summary>"leanassist lsp" for the verb the error belongs to (as far as it was recognized).</summary>
    private static string CommandPath(ParseResult result)
    {
        var names = new List<string>();
        for (SymbolResult? symbol = result.CommandResult; symbol is not null; symbol = symbol.Parent)
        {
            if (symbol is CommandResult { Command: var command })
            {
                names.Add(command is RootCommand ? "leanassist" : command.Name);
            }
        }

        names.Reverse();
        return string.Join(' ', names);
    }
}
