using System.Globalization;
using Microsoft.Extensions.Options;

namespace LeanAssist.Suggestions.Remote;

/// <summary>Where candidates are checked.</summary>
public enum VerificationBackend
{
    /// <summary>The warm REPL session pool on this machine (the default).</summary>
    Local,

    /// <summary>Remote Kimina Lean Servers (<c>leanAssist.kimina.urls</c>).</summary>
    Kimina,
}

/// <summary>
/// <c>leanAssist.verification.*</c> and <c>leanAssist.kimina.*</c> (section <c>LeanAssist</c>). Machine-scoped in the
/// manifest like the LLM's settings: a workspace cannot send the Kimina API key, or the user's files, elsewhere.
/// </summary>
public sealed class RemoteVerificationOptions
{
    public const string Section = "LeanAssist";

    public VerificationBackendOptions Verification { get; set; } = new();

    public KiminaOptions Kimina { get; set; } = new();
}

public sealed class VerificationBackendOptions
{
    /// <summary><c>leanAssist.verification.backend</c>: local | kimina.</summary>
    public VerificationBackend Backend { get; set; } = VerificationBackend.Local;
}

/// <summary><c>leanAssist.kimina.*</c>.</summary>
public sealed class KiminaOptions
{
    /// <summary>The default of <see cref="ApiKeyEnvironmentVariable"/>.</summary>
    public const string DefaultApiKeyVariable = "KIMINA_API_KEY";

    /// <summary><c>leanAssist.kimina.urls</c>: base URLs of Kimina Lean Servers (e.g. <c>http://lean-box:8000</c>); <c>/api/checks</c> is added.</summary>
    public List<string> Urls { get; set; } = [];

    /// <summary><c>leanAssist.kimina.apiKeyEnvironmentVariable</c>: the name of the variable holding the key; empty means KIMINA_API_KEY.</summary>
    public string? ApiKeyEnvironmentVariable { get; set; }

    /// <summary><c>leanAssist.kimina.toolchain</c>: the Lean version the servers run (their LEAN_SERVER_LEAN_VERSION, e.g. v4.15.0). Part of every verdict's cache key; empty means the servers' URLs are.</summary>
    public string? Toolchain { get; set; }

    /// <summary><c>leanAssist.kimina.timeoutSeconds</c>: the <c>timeout</c> sent with each batch (Kimina's limit per snippet).</summary>
    public int TimeoutSeconds { get; set; } = 60;

    /// <summary><c>leanAssist.kimina.batchSize</c>: the most snippets in one <c>/api/checks</c> request.</summary>
    public int BatchSize { get; set; } = 8;

    /// <summary><c>leanAssist.kimina.maxConcurrentRequests</c>: requests in flight to one server at once (Kimina answers 429 when its REPLs are all busy).</summary>
    public int MaxConcurrentRequests { get; set; } = 4;

    /// <summary><c>leanAssist.kimina.reuse</c>: Kimina's <c>reuse</c> (run on a warm REPL that already loaded the header).</summary>
    public bool Reuse { get; set; } = true;

    /// <summary>The servers as absolute http(s) URIs ending in "/", in the order given; invalid entries are left out (validation reports them).</summary>
    public IReadOnlyList<Uri> ServerUris() =>
        Urls.Select(Parse).OfType<Uri>().Distinct().ToArray();

    public string EffectiveApiKeyVariable =>
        string.IsNullOrWhiteSpace(ApiKeyEnvironmentVariable) ? DefaultApiKeyVariable : ApiKeyEnvironmentVariable.Trim();

    internal static Uri? Parse(string? url)
    {
        if (string.IsNullOrWhiteSpace(url) || !Uri.TryCreate(url.Trim(), UriKind.Absolute, out var uri) || uri.Scheme is not ("http" or "https")
            || !string.IsNullOrEmpty(uri.Query) || !string.IsNullOrEmpty(uri.UserInfo))
        {
            return null;
        }

        return uri.AbsoluteUri.EndsWith('/') ? uri : new Uri(uri.AbsoluteUri + "/");
    }
}

public sealed class RemoteVerificationOptionsValidation : IValidateOptions<RemoteVerificationOptions>
{
    public ValidateOptionsResult Validate(string? name, RemoteVerificationOptions options)
    {
        var failures = new List<string>();
        var kimina = options.Kimina;
        if (!Enum.IsDefined(options.Verification.Backend))
        {
            // The binder takes a number as an enum value ("7"); only the named choices are settings.
            failures.Add($"leanAssist.verification.backend must be local or kimina (got \"{(int)options.Verification.Backend}\").");
        }

        for (var i = 0; i < kimina.Urls.Count; i++)
        {
            if (KiminaOptions.Parse(kimina.Urls[i]) is null)
            {
                failures.Add(string.Create(CultureInfo.InvariantCulture,
                    $"leanAssist.kimina.urls[{i}] must be an http:// or https:// URL without user name or query (got \"{kimina.Urls[i]}\")."));
            }
        }

        // kimina without urls is not refused here: settings arrive one at a time while the user edits them. Each
        // load then reports "No Kimina server is configured" (see KiminaDispatcher), visibly.

        if (kimina.TimeoutSeconds is < 1 or > 3600)
        {
            failures.Add($"leanAssist.kimina.timeoutSeconds must be between 1 and 3600 (got {kimina.TimeoutSeconds}).");
        }

        if (kimina.BatchSize is < 1 or > 256)
        {
            failures.Add($"leanAssist.kimina.batchSize must be between 1 and 256 (got {kimina.BatchSize}).");
        }

        if (kimina.MaxConcurrentRequests is < 1 or > 64)
        {
            failures.Add($"leanAssist.kimina.maxConcurrentRequests must be between 1 and 64 (got {kimina.MaxConcurrentRequests}).");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
