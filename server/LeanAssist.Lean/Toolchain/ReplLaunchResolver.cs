using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Source;
using Microsoft.Extensions.Options;

namespace LeanAssist.Lean.Toolchain;

/// <summary>
/// How the REPL is launched for a project: <c>lake env &lt;repl built for the project's toolchain&gt;</c> in the
/// project root, unless <c>leanAssist.repl.command</c> replaces the launch. Standalone files (no project)
/// run in <c>lean_verifier/</c>. Every failure says what to do.
/// </summary>
public sealed class ReplLaunchResolver(
    IOptionsMonitor<ReplOptions> replOptions,
    IOptionsMonitor<ToolchainOptions> toolchainOptions,
    LeanToolchainLocator locator) : IReplLaunchResolver
{
    public ReplLaunchPlan Resolve(string? projectRoot)
    {
        var toolchainSettings = toolchainOptions.CurrentValue;
        var root = projectRoot is not null
            ? Path.GetFullPath(projectRoot)
            : VerifierProject.Locate(toolchainSettings)
              ?? throw new LeanUnavailableException(LeanUnavailableReason.NotConfigured,
                  "The lean_verifier project for standalone files was not found: set leanAssist.toolchain.verifierProject, or open the file inside a Lake project.");
        if (!Directory.Exists(root))
        {
            throw new LeanUnavailableException(LeanUnavailableReason.NotConfigured, $"The project directory {root} does not exist.");
        }

        var toolchain = LeanProjectLocator.ReadToolchain(root) ?? "unknown-toolchain";
        var command = replOptions.CurrentValue.Command;
        if (!string.IsNullOrWhiteSpace(command))
        {
            // A different program may answer differently: keep its results apart from the real REPL's.
            var identity = $"{toolchain}+command:{LeanFingerprint.Compute(command).Value[..12]}";
            try
            {
                return new ReplLaunchPlan(root, identity, ReplLaunchSpec.FromCommandLine(command, root)) { CheckedBy = "custom REPL command: " + command.Trim() };
            }
            catch (FormatException e)
            {
                throw new LeanUnavailableException(LeanUnavailableReason.NotConfigured, $"leanAssist.repl.command cannot be read: {e.Message}.", e);
            }
        }

        var lake = locator.LocateLake(toolchainSettings)
            ?? throw new LeanUnavailableException(LeanUnavailableReason.NotConfigured,
                "Lake (the Lean build tool) was not found. Install Lean with elan (https://lean-lang.org/install), "
                + "or set leanAssist.toolchain.lakePath. Searched: " + string.Join(", ", locator.SearchDirectories()));

        var layout = ReplBuildLayout.FromOptions(toolchainSettings);
        if (!layout.IsBuilt(toolchain))
        {
            throw new LeanUnavailableException(LeanUnavailableReason.NotConfigured,
                $"The Lean REPL is not built for {toolchain}. Run: leanassist setup --project \"{root}\"");
        }

        var executable = layout.ExecutableFor(toolchain);
        return new ReplLaunchPlan(root, toolchain, new ReplLaunchSpec(lake, ["env", executable], root, $"lake env {executable}"));
    }
}
