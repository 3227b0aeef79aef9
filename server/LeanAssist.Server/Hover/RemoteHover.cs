using LeanAssist.Lean.Sessions;
using LeanAssist.Suggestions.Remote;
using LeanAssist.Suggestions.Verification;

namespace LeanAssist.Server.Hover;

/// <summary>What the hover says about where Lean ran, and about verdicts that are not the tactic's (remote timeouts, checks not run).</summary>
public static class RemoteHover
{
    public const string Local = "local Lean sessions";

    public const string Remote = "Kimina Lean Server (remote)";

    /// <summary>The backend a loaded file was checked by: its toolchain identity says so (see KiminaVerificationBackend.ToolchainIdentity).</summary>
    public static string BackendOf(LeanFileTargets file)
    {
        ArgumentNullException.ThrowIfNull(file);
        return file.Toolchain.StartsWith(KiminaVerificationBackend.ToolchainPrefix, StringComparison.Ordinal) ? Remote : Local;
    }

    public static bool RemoteTimeout(Suggestion suggestion) =>
        suggestion.Error?.StartsWith(KiminaVerificationBackend.RemoteTimeoutPrefix, StringComparison.Ordinal) == true;

    /// <summary>Failed only in that it was not run (the backend was unavailable): SuggestionService words these "Not run: …".</summary>
    public static bool NotRun(Suggestion suggestion) =>
        suggestion.Error?.StartsWith("Not run:", StringComparison.Ordinal) == true;
}
