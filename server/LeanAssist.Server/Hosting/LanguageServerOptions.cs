using LeanAssist.Protocol.JsonRpc;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace LeanAssist.Server.Hosting;

/// <summary>
/// Process-level settings of the server, fixed at start (command line or <c>LEANASSIST_SERVER__*</c>
/// environment variables). Editor settings live in their own options, refreshed from the client.
/// </summary>
public sealed class LanguageServerOptions
{
    public const string Section = "LeanAssist:Server";

    /// <summary>Largest accepted LSP message body.</summary>
    public long MaxMessageBytes { get; set; } = JsonRpcConnectionOptions.DefaultMaxMessageBytes;

    /// <summary>Log file; empty means one file per process under the cache directory, "none" means no file.</summary>
    public string? LogFile { get; set; }

    public LogLevel LogLevel { get; set; } = LogLevel.Information;

    /// <summary>Also write the log to stderr (VS Code shows it in the output channel).</summary>
    public bool LogToStderr { get; set; } = true;

    /// <summary>Where metrics are exported for <c>leanassist metrics</c>; empty means <c>&lt;cache&gt;/metrics</c>, "none" turns the export off.</summary>
    public string? MetricsDirectory { get; set; }

    /// <summary>Exit when this process dies (<c>--clientProcessId</c>).</summary>
    public int? ClientProcessId { get; set; }
}

public sealed class LanguageServerOptionsValidation : IValidateOptions<LanguageServerOptions>
{
    public const long MinMessageBytes = 1024;
    public const long MaxMessageBytesLimit = int.MaxValue;

    public ValidateOptionsResult Validate(string? name, LanguageServerOptions options)
    {
        var failures = new List<string>();
        if (options.MaxMessageBytes is < MinMessageBytes or > MaxMessageBytesLimit)
        {
            failures.Add($"The message size limit must be between {MinMessageBytes} and {MaxMessageBytesLimit} bytes (got {options.MaxMessageBytes}).");
        }

        if (options.ClientProcessId is <= 0)
        {
            failures.Add($"The client process id must be positive (got {options.ClientProcessId}).");
        }

        if (!Enum.IsDefined(options.LogLevel))
        {
            failures.Add($"Unknown log level {options.LogLevel}.");
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
