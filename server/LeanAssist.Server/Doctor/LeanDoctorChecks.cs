using System.Diagnostics;
using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Sessions;
using LeanAssist.Lean.Toolchain;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Doctor;

/// <summary>elan, lake and lean: found where, or what to install.</summary>
public sealed class LeanToolchainDoctorCheck(LeanToolchainLocator locator, IOptionsMonitor<ToolchainOptions> options, IOptionsMonitor<ReplOptions> replOptions) : IDoctorCheck
{
    public string Name => "Lean toolchain";

    public Task<IReadOnlyList<DoctorFinding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var tools = locator.Locate(options.CurrentValue);
        var customCommand = !string.IsNullOrWhiteSpace(replOptions.CurrentValue.Command);
        const string Install = "Install elan (https://lean-lang.org/install; on Linux/macOS: curl https://raw.githubusercontent.com/leanprover/elan/master/elan-init.sh -sSf | sh), then run `leanassist setup`.";
        var findings = new List<DoctorFinding>
        {
            tools.Elan is { } elan
                ? new DoctorFinding(Name, DoctorStatus.Ok, $"elan: {elan}")
                : new DoctorFinding(Name, customCommand ? DoctorStatus.Warning : DoctorStatus.Missing, "elan (the Lean toolchain manager) was not found.", Install),
            tools.Lake is { } lake
                ? new DoctorFinding(Name, DoctorStatus.Ok, $"lake: {lake}")
                : new DoctorFinding(Name, customCommand ? DoctorStatus.Warning : DoctorStatus.Missing,
                    $"lake was not found (searched {string.Join(", ", tools.SearchedDirectories)}).", Install + " Or set leanAssist.toolchain.lakePath."),
            tools.Lean is { } lean
                ? new DoctorFinding(Name, DoctorStatus.Ok, $"lean: {lean}")
                : new DoctorFinding(Name, customCommand ? DoctorStatus.Warning : DoctorStatus.Missing, "lean was not found.", Install),
        };
        return Task.FromResult<IReadOnlyList<DoctorFinding>>(findings);
    }
}

/// <summary>The project: root, toolchain, REPL build for that toolchain (or the custom command), Mathlib.</summary>
public sealed class LeanProjectDoctorCheck(IOptionsMonitor<ToolchainOptions> options, IOptionsMonitor<ReplOptions> replOptions) : IDoctorCheck
{
    public string Name => "Lean project";

    public Task<IReadOnlyList<DoctorFinding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        var findings = new List<DoctorFinding>();
        var root = LeanProjectLocator.FindProjectRoot(context.ProjectDirectory);
        if (root is null)
        {
            root = VerifierProject.Locate(options.CurrentValue);
            findings.Add(root is null
                ? new DoctorFinding(Name, DoctorStatus.Missing, $"{context.ProjectDirectory} is in no Lake project, and lean_verifier (for standalone files) was not found.",
                    "Run doctor with --project DIR for a Lake project, or set leanAssist.toolchain.verifierProject.")
                : new DoctorFinding(Name, DoctorStatus.Ok, $"No Lake project at {context.ProjectDirectory}: standalone files use {root}."));
            if (root is null)
            {
                return Task.FromResult<IReadOnlyList<DoctorFinding>>(findings);
            }
        }
        else
        {
            findings.Add(new DoctorFinding(Name, DoctorStatus.Ok, $"Lake project: {root}"));
        }

        var toolchain = LeanProjectLocator.ReadToolchain(root);
        if (toolchain is null)
        {
            findings.Add(new DoctorFinding(Name, DoctorStatus.Error, $"{root} has no lean-toolchain file.", "Add one naming the Lean version, e.g. leanprover/lean4:v4.32.0."));
            return Task.FromResult<IReadOnlyList<DoctorFinding>>(findings);
        }

        findings.Add(new DoctorFinding(Name, DoctorStatus.Ok, $"Toolchain: {toolchain}"));
        if (!string.IsNullOrWhiteSpace(replOptions.CurrentValue.Command))
        {
            findings.Add(new DoctorFinding(Name, DoctorStatus.Ok, $"REPL: custom command \"{replOptions.CurrentValue.Command}\" (leanAssist.repl.command)."));
        }
        else
        {
            var layout = ReplBuildLayout.FromOptions(options.CurrentValue);
            findings.Add(layout.IsBuilt(toolchain)
                ? new DoctorFinding(Name, DoctorStatus.Ok, $"REPL for {toolchain}: {layout.ExecutableFor(toolchain)}")
                : ReplBuildLayout.ReplTagFor(toolchain) is null
                    ? new DoctorFinding(Name, DoctorStatus.Error, $"The REPL has no release for {toolchain}.", "Build leanprover-community/repl with this toolchain and set leanAssist.repl.command to \"lake env /path/to/repl\".")
                    : new DoctorFinding(Name, DoctorStatus.Missing, $"The REPL is not built for {toolchain} (looked for {layout.ExecutableFor(toolchain)}).", $"Run: leanassist setup --project \"{root}\""));
        }

        var mathlib = LeanProjectLocator.DetectMathlib(root);
        if (mathlib.Required)
        {
            findings.Add(!mathlib.PackagePresent
                ? new DoctorFinding(Name, DoctorStatus.Missing, "The project requires Mathlib, but it is not downloaded.", $"In {root} run: lake update mathlib && lake exe cache get")
                : !mathlib.OleansPresent
                    ? new DoctorFinding(Name, DoctorStatus.Missing, "Mathlib is downloaded but not built (no Mathlib .olean files).", $"In {root} run: lake exe cache get (downloads prebuilt files; building them yourself takes hours)")
                    : new DoctorFinding(Name, DoctorStatus.Ok, $"Mathlib: built ({mathlib.PackageDirectory})."));
        }

        return Task.FromResult<IReadOnlyList<DoctorFinding>>(findings);
    }
}

/// <summary>End to end: start the REPL as LeanAssist would and elaborate one small command.</summary>
public sealed class LeanReplDoctorCheck(IReplLaunchResolver launcher, IOptionsMonitor<ReplOptions> replOptions, ILogger<LeanReplDoctorCheck> logger) : IDoctorCheck
{
    private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(60);

    public string Name => "Lean REPL";

    public async Task<IReadOnlyList<DoctorFinding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(context);
        ReplLaunchPlan plan;
        try
        {
            plan = launcher.Resolve(LeanProjectLocator.FindProjectRoot(context.ProjectDirectory));
        }
        catch (LeanUnavailableException e)
        {
            return [new DoctorFinding(Name, DoctorStatus.Missing, "The REPL cannot be started: " + e.Message, "Fix the findings above, then run doctor again.")];
        }

        var started = Stopwatch.GetTimestamp();
        try
        {
            await using var repl = ReplProcess.Start(plan.Launch, replOptions.CurrentValue.MaxResponseBytes, logger, "doctor");
            var exchange = await repl.SendAsync(new ReplCommandRequest("example : 1 + 1 = 2 := rfl"), Timeout, cancellationToken).ConfigureAwait(false);
            return exchange.Response switch
            {
                ReplCommandResponse { HasErrors: false } => [new DoctorFinding(Name, DoctorStatus.Ok, $"The REPL ({plan.Launch}) answered in {Stopwatch.GetElapsedTime(started).TotalSeconds:0.0} s.")],
                ReplCommandResponse errors => [new DoctorFinding(Name, DoctorStatus.Error, "The REPL started but Lean reported: " + string.Join("; ", errors.Messages.Where(m => m.IsError).Select(m => m.Data)), "Check that the REPL was built with this project's toolchain (leanassist setup).")],
                ReplErrorResponse error => [new DoctorFinding(Name, DoctorStatus.Error, "The REPL refused a simple command: " + error.Message, "Rebuild it with leanassist setup.")],
                _ => [new DoctorFinding(Name, DoctorStatus.Error, "The REPL answered with something unexpected.")],
            };
        }
        catch (ReplFailureException e)
        {
            return [new DoctorFinding(Name, DoctorStatus.Error, $"The REPL ({plan.Launch}) failed: {e.Message}", "Run `leanassist setup` again, or check leanAssist.repl.command.")];
        }
    }
}
