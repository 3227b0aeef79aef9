using System.Diagnostics;
using LeanAssist.Lean.Repl;
using LeanAssist.Testing;

namespace LeanAssist.Lean.Tests.StandIn;

/// <summary>
/// The stand-in's CPU-bound mode spends Lean's time as CPU, as real Lean does, so that benchmarks on a
/// 2-core machine show what the cores allow; the sleeping mode spends next to none. Asserts CPU time
/// consumed (what the mode is for), never how long anything took.
/// </summary>
public sealed class CpuBoundModeTests
{
    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task A_header_import_costs_its_latency_in_CPU_time_only_in_cpu_bound_mode(bool cpuBound)
    {
        using var directory = new TemporaryDirectory();
        var script = directory.WriteFile("script.json", """{ "headerSeconds": 0.6 }""");
        string[] arguments = cpuBound ? ["scripted", "--script", script, "--cpu-bound"] : ["scripted", "--script", script];
        var start = new ProcessStartInfo(ReplStandInLauncher.ExecutablePath, arguments)
        {
            WorkingDirectory = directory.Path,
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            UseShellExecute = false,
        };
        using var process = Process.Start(start)!;
        try
        {
            var reader = new ReplResponseReader(process.StandardOutput.BaseStream, 1 << 20);
            await process.StandardInput.WriteAsync("{\"cmd\": \"import Mathlib\"}\n\n");
            await process.StandardInput.FlushAsync();
            await reader.ReadResponseAsync(CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(60));
            process.Refresh();
            var cpu = process.TotalProcessorTime;

            if (cpuBound)
            {
                Assert.True(cpu >= TimeSpan.FromMilliseconds(600), $"CPU-bound mode burnt only {cpu.TotalMilliseconds:0} ms of CPU for a 600 ms import");
            }
            else
            {
                // Start-up of the .NET process itself costs some CPU; the 600 ms import costs none.
                Assert.True(cpu < TimeSpan.FromMilliseconds(600), $"sleeping mode burnt {cpu.TotalMilliseconds:0} ms of CPU");
            }
        }
        finally
        {
            process.Kill(entireProcessTree: true);
        }
    }
}
