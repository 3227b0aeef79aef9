using System.Diagnostics;
using System.Reflection;
using System.Runtime.InteropServices;

namespace LeanAssist.Benchmarks.Report;

/// <summary>The machine and build a report was produced on (every number is only meaningful with it).</summary>
public sealed record MachineInfo(string Os, string Cpu, int LogicalCores, double MemoryGb, string Runtime, string Configuration, string Commit, DateTimeOffset Date)
{
    public static MachineInfo Current() => new(
        RuntimeInformation.OSDescription,
        CpuModel(),
        Environment.ProcessorCount,
        Math.Round(GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 1024.0 / 1024 / 1024, 1),
        RuntimeInformation.FrameworkDescription,
        typeof(MachineInfo).Assembly.GetCustomAttribute<DebuggableAttribute>()?.IsJITOptimizerDisabled == true ? "Debug" : "Release",
        GitCommit(),
        DateTimeOffset.UtcNow);

    public string Markdown =>
        $"{Cpu}, {LogicalCores} logical cores, {MemoryGb} GB; {Os}; {Runtime}, {Configuration} build; commit {Commit}; {Date:yyyy-MM-dd HH:mm} UTC";

    private static string CpuModel()
    {
        try
        {
            var line = File.ReadLines("/proc/cpuinfo").FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal));
            return line is null ? RuntimeInformation.ProcessArchitecture.ToString() : line[(line.IndexOf(':', StringComparison.Ordinal) + 1)..].Trim();
        }
        catch (IOException)
        {
            return RuntimeInformation.ProcessArchitecture.ToString();
        }
    }

    private static string GitCommit()
    {
        try
        {
            using var git = Process.Start(new ProcessStartInfo("git", "rev-parse --short HEAD") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false });
            var commit = git!.StandardOutput.ReadToEnd().Trim();
            git.WaitForExit();
            return git.ExitCode == 0 && commit.Length > 0 ? commit : "unknown";
        }
        catch (System.ComponentModel.Win32Exception)
        {
            return "unknown";
        }
    }
}
