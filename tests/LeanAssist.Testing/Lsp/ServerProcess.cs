using System.Diagnostics;

namespace LeanAssist.Testing.Lsp;

/// <summary>The real <c>leanassist</c> executable, started as a process with LSP on its stdio.</summary>
public sealed class ServerProcess : IAsyncDisposable
{
    private ServerProcess(Process process)
    {
        Process = process;
        Client = new LspTestClient(process.StandardOutput.BaseStream, process.StandardInput.BaseStream);
        StandardError = new System.Text.StringBuilder();
        process.ErrorDataReceived += (_, e) =>
        {
            lock (StandardError)
            {
                StandardError.AppendLine(e.Data);
            }
        };
        process.BeginErrorReadLine();
    }

    public Process Process { get; }

    public LspTestClient Client { get; }

    public System.Text.StringBuilder StandardError { get; }

    /// <summary>The server's entry assembly, copied beside the tests by the project reference.</summary>
    public static string ServerDll => Path.Combine(AppContext.BaseDirectory, "leanassist.dll");

    /// <summary>The .NET host running these tests (dotnet), so the server runs on the same runtime.</summary>
    public static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host && File.Exists(host)
            ? host
            : Process.GetCurrentProcess().MainModule?.FileName is { } main && Path.GetFileNameWithoutExtension(main) == "dotnet" ? main : "dotnet";

    public static ServerProcess Start(params string[] arguments) => Start(null, arguments);

    /// <param name="environment">Variables added to the environment (LEANASSIST_CACHE_DIR is set to a fresh folder unless given).</param>
    public static ServerProcess Start(IReadOnlyDictionary<string, string?>? environment, params string[] arguments) =>
        StartExecutable(null, environment, arguments);

    /// <param name="executable">A published server's own executable (self-contained, run without dotnet); null: the built leanassist.dll with dotnet.</param>
    public static ServerProcess StartExecutable(string? executable, IReadOnlyDictionary<string, string?>? environment, params string[] arguments)
    {
        var start = new ProcessStartInfo(executable ?? DotnetHost)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        if (executable is null)
        {
            start.ArgumentList.Add(ServerDll);
        }

        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        start.Environment["LEANASSIST_CACHE_DIR"] = Path.Combine(Path.GetTempPath(), "leanassist-tests", Guid.NewGuid().ToString("N"));
        foreach (var (name, value) in environment ?? new Dictionary<string, string?>())
        {
            start.Environment[name] = value;
        }

        return new ServerProcess(Process.Start(start) ?? throw new InvalidOperationException("Could not start leanassist."));
    }

    public async Task<int> WaitForExitAsync(TimeSpan timeout)
    {
        using var cancellation = new CancellationTokenSource(timeout);
        await Process.WaitForExitAsync(cancellation.Token);
        return Process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!Process.HasExited)
        {
            Process.Kill(entireProcessTree: true);
            await Process.WaitForExitAsync();
        }

        await Client.DisposeAsync();
        Process.Dispose();
    }
}
