using System.IO.Pipelines;

namespace LeanAssist.Server.Hosting;

/// <summary>The two pipes the language server talks over: stdio in production, in-memory pipes in tests.</summary>
public sealed record LanguageServerTransport(PipeReader Input, PipeWriter Output)
{
    /// <summary>
    /// Takes the process's stdin/stdout for LSP and points <see cref="Console.Out"/> at stderr, so a
    /// stray <c>Console.WriteLine</c> anywhere cannot corrupt the frame stream.
    /// </summary>
    public static LanguageServerTransport FromStandardStreams()
    {
        var input = Console.OpenStandardInput();
        var output = Console.OpenStandardOutput();
        Console.SetOut(Console.Error);
        return new LanguageServerTransport(PipeReader.Create(input), PipeWriter.Create(output));
    }
}
