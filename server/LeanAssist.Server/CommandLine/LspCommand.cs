using System.CommandLine;
using LeanAssist.Server.Hosting;

namespace LeanAssist.Server.CommandLine;

/// <summary><c>leanassist lsp</c>: serve the Language Server Protocol over stdio.</summary>
public static class LspCommand
{
    private static readonly Option<bool> Stdio = new("--stdio")
    {
        Description = "Use stdin/stdout for LSP (the default and only transport; accepted because clients pass it).",
    };

    private static readonly Option<int?> ClientProcessId = new("--clientProcessId", "--client-process-id")
    {
        Description = "Exit when this process (the editor) exits.",
        CustomParser = CommonOptions.WholeNumber<int>,
    };

    private static readonly Option<long?> MaxMessageSize = new("--max-message-size")
    {
        Description = "Largest accepted LSP message body in bytes (default 67108864, i.e. 64 MB).",
        CustomParser = CommonOptions.WholeNumber<long>,
    };

    public static Command Create()
    {
        var command = new Command("lsp", "Serve the Language Server Protocol over stdio (started by the VS Code extension).")
        {
            Stdio, ClientProcessId, MaxMessageSize, CommonOptions.ReplCommand, CommonOptions.Sandbox, CommonOptions.LogFile, CommonOptions.LogLevel,
        };
        command.SetAction(RunAsync);
        return command;
    }

    private static async Task<int> RunAsync(ParseResult result, CancellationToken cancellationToken)
    {
        var settings = CommonOptions.ToSettings(result).ToList();
        if (result.GetValue(ClientProcessId) is { } processId)
        {
            settings.Add(new($"{LanguageServerOptions.Section}:{nameof(LanguageServerOptions.ClientProcessId)}", CommonOptions.Invariant(processId)));
        }

        if (result.GetValue(MaxMessageSize) is { } maxBytes)
        {
            settings.Add(new($"{LanguageServerOptions.Section}:{nameof(LanguageServerOptions.MaxMessageBytes)}", CommonOptions.Invariant(maxBytes)));
        }

        // Take stdout before anything can write to it.
        var transport = LanguageServerTransport.FromStandardStreams();
        using var host = LeanAssistHost.Build("lsp", settings, transport);
        return await LeanAssistHost.RunLanguageServerAsync(host, cancellationToken).ConfigureAwait(false);
    }
}
