using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Editor;

/// <summary>How the editor features behave (section <c>LeanAssist</c>: the editor's <c>leanAssist.*</c>).</summary>
public sealed class EditorOptions
{
    public const string Section = "LeanAssist";

    /// <summary><c>leanAssist.prefetch</c>: compute suggestions for a file's sorries when it is idle, so the lightbulb is ready.</summary>
    public bool Prefetch { get; set; } = true;

    /// <summary><c>leanAssist.prefetchWithLlm</c>: let that background work ask the LLM too (it costs money).</summary>
    public bool PrefetchWithLlm { get; set; }

    public const int DefaultPrefetchIdleMs = 750;

    public const int MaxPrefetchIdleMs = 600_000;

    /// <summary>
    /// <c>leanAssist.prefetchIdleMs</c>: how long a file must be unedited before background work starts
    /// (the manifest's default is the same 750 ms; a null from an older client keeps it).
    /// </summary>
    public int PrefetchIdleMs { get; set; } = DefaultPrefetchIdleMs;

    public TimeSpan PrefetchIdle => TimeSpan.FromMilliseconds(PrefetchIdleMs);
}

public sealed class EditorOptionsValidation : IValidateOptions<EditorOptions>
{
    public ValidateOptionsResult Validate(string? name, EditorOptions options) =>
        options.PrefetchIdleMs is >= 0 and <= EditorOptions.MaxPrefetchIdleMs
            ? ValidateOptionsResult.Success
            : ValidateOptionsResult.Fail($"leanAssist.prefetchIdleMs must be between 0 and {EditorOptions.MaxPrefetchIdleMs} (got {options.PrefetchIdleMs}).");
}
