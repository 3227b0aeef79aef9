using System.Runtime.InteropServices;

namespace LeanAssist.ReplStandIn;

/// <summary>The calling thread's CPU time, from <c>clock_gettime(CLOCK_THREAD_CPUTIME_ID)</c> on Linux.</summary>
internal static class ThreadCpuTime
{
    private const int ClockThreadCpuTimeId = 3;

    private static readonly Lazy<bool> Works = new(() =>
    {
        try
        {
            return OperatingSystem.IsLinux() && ClockGetTime(ClockThreadCpuTimeId, out _) == 0;
        }
        catch (Exception e) when (e is DllNotFoundException or EntryPointNotFoundException)
        {
            return false;
        }
    });

    public static bool Available => Works.Value;

    public static TimeSpan Now() =>
        ClockGetTime(ClockThreadCpuTimeId, out var time) == 0
            ? TimeSpan.FromTicks((time.Seconds * TimeSpan.TicksPerSecond) + (time.Nanoseconds / 100))
            : throw new InvalidOperationException("clock_gettime(CLOCK_THREAD_CPUTIME_ID) failed");

    [StructLayout(LayoutKind.Sequential)]
    private struct TimeSpec
    {
        public long Seconds;
        public long Nanoseconds;
    }

    // DllImport, not LibraryImport: the generated marshalling needs unsafe code, and this signature needs none.
#pragma warning disable SYSLIB1054
    [DllImport("libc", EntryPoint = "clock_gettime")]
    private static extern int ClockGetTime(int clock, out TimeSpec time);
#pragma warning restore SYSLIB1054
}
