using System.CommandLine;
using System.Diagnostics;
using LeanAssist.Lean.Toolchain;
using LeanAssist.Server.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.CommandLine;

/// <summary>
/// <c>leanassist setup [--project DIR]</c>: builds the Lean REPL for the toolchain the project uses, into a
/// per-toolchain folder of the LeanAssist cache. Exit codes: 0 built (or already built), 3 Lean or git
/// missing, 4 no usable project, 2 invalid settings, 5 download failed, 6 build failed, 7 no REPL release for the toolchain.
/// </summary>
public static class SetupCommand
{
    public static Command Create()
    {
        var command = new Command("setup", "Build the Lean REPL for the project's toolchain (needs elan and, the first time, network access).")
        {
            CommonOptions.Project, CommonOptions.LogFile, CommonOptions.LogLevel,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var output = result.InvocationConfiguration.Output;
        var error = result.InvocationConfiguration.Error;
        using var host = LeanAssistHost.Build("setup", CommandVerbs.QuietSettings(result), transport: null);
        ToolchainOptions options;
        try
        {
            options = host.Services.GetRequiredService<IOptionsMonitor<ToolchainOptions>>().CurrentValue;
        }
        catch (OptionsValidationException e)
        {
            await error.WriteLineAsync($"leanassist setup: invalid settings: {string.Join(" ", e.Failures)}").ConfigureAwait(false);
            return 2;
        }

        var setup = new ReplSetup(host.Services.GetRequiredService<LeanToolchainLocator>(), options);
        var progress = new ConsoleSetupProgress(error);
        var outcome = await setup.RunAsync(result.GetValue(CommonOptions.Project), progress, cancellationToken).ConfigureAwait(false);
        if (outcome.Succeeded)
        {
            await output.WriteLineAsync(outcome.Message).ConfigureAwait(false);
        }
        else
        {
            await error.WriteLineAsync($"leanassist setup: {outcome.Message}").ConfigureAwait(false);
        }

        return outcome.ExitCode;
    }

    /// <summary>Steps as "[2/4] Checking ..." with the elapsed time; the tools' output indented below them.</summary>
    private sealed class ConsoleSetupProgress(TextWriter writer) : ISetupProgress
    {
        private readonly Stopwatch _clock = Stopwatch.StartNew();

        public void Step(int number, int total, string description) =>
            writer.WriteLine($"[{number}/{total}] {description} ({_clock.Elapsed.TotalSeconds:0}s)");

        public void ToolOutput(string line) => writer.WriteLine($"      {line}");
    }
}
