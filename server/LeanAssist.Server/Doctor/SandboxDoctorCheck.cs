using LeanAssist.Lean.Pool;
using LeanAssist.Lean.Sandbox;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Doctor;

/// <summary>The REPL sandbox (<c>leanAssist.repl.sandbox</c>): in use, off, or unavailable and why.</summary>
public sealed class SandboxDoctorCheck(IOptionsMonitor<ReplOptions> replOptions) : IDoctorCheck
{
    private const string Install = "Install bubblewrap (Debian/Ubuntu: sudo apt install bubblewrap; Fedora: sudo dnf install bubblewrap). See docs/security.md.";

    public string Name => "REPL sandbox";

    public Task<IReadOnlyList<DoctorFinding>> RunAsync(DoctorContext context, CancellationToken cancellationToken)
    {
        var state = ReplSandboxPolicy.Describe(replOptions.CurrentValue.Sandbox, BubblewrapProbe.FromProcess.Check());
        var finding = state switch
        {
            { Active: true } => new DoctorFinding(Name, DoctorStatus.Ok, "Sandbox: " + state.Summary),
            { Mode: ReplSandboxMode.Off } => new DoctorFinding(Name, DoctorStatus.Warning, "Sandbox: " + state.Summary,
                "Set leanAssist.repl.sandbox to \"auto\" (the default) to run Lean in the sandbox where bubblewrap works."),
            { Mode: ReplSandboxMode.Required } => new DoctorFinding(Name, DoctorStatus.Error, "Sandbox: " + state.Summary, Install),
            _ => new DoctorFinding(Name, DoctorStatus.Warning, "Sandbox: " + state.Summary, OperatingSystem.IsLinux() ? Install : "See docs/security.md for what is and is not applied on this system."),
        };
        return Task.FromResult<IReadOnlyList<DoctorFinding>>([finding]);
    }
}
