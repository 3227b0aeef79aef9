using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Versioning;

namespace LeanAssist.Lean.Repl;

/// <summary>One row of the operating system's process table.</summary>
/// <param name="ResidentBytes">Resident memory, where the table gives it (macOS's ps); 0 where it is read per process.</param>
/// <param name="StartTime">When known (Windows): a "child" that started before its parent is not its child, its parent's id was reused.</param>
public readonly record struct ProcessEntry(int ProcessId, int ParentProcessId, long ResidentBytes = 0, DateTime? StartTime = null);

/// <summary>
/// A process and its descendants: <c>lake env repl</c> runs the REPL as a child of lake, so memory is
/// measured and processes are killed for the whole tree, never by name. Also the one answer to "is this
/// process still running" for the whole server (see <see cref="IsAlive"/>).
/// </summary>
/// <remarks>
/// How each system is read: Linux, <c>/proc/*/stat</c> for parents and <c>VmRSS</c> for memory;
/// macOS, one <c>ps -A -o pid=,ppid=,rss=</c>; Windows, a Toolhelp snapshot for parents and each
/// process's working set for memory. Elsewhere only the root process is seen.
/// </remarks>
public static class ProcessTree
{
    private static readonly TimeSpan PsTimeout = TimeSpan.FromSeconds(5);

    /// <summary>Resident memory of the process and all its descendants, in bytes (0 when it has exited).</summary>
    public static long GetResidentBytes(int rootProcessId) => Read().GetResidentBytes(rootProcessId);

    /// <summary>The process ids of <paramref name="rootProcessId"/> and its descendants, root first.</summary>
    public static IReadOnlyList<int> GetDescendantsAndSelf(int rootProcessId) => Read().GetDescendantsAndSelf(rootProcessId);

    /// <summary>
    /// Reads the process table once, for questions about several trees (the pool's memory check asks
    /// for every session: on macOS that is one <c>ps</c> per check, not one per session).
    /// </summary>
    public static ProcessTableReading Read()
    {
        if (OperatingSystem.IsLinux())
        {
            return new ProcessTableReading(ReadLinuxTable(), ReadLinuxResidentBytes, tableHasMemory: false, datesChildren: null);
        }

        if (OperatingSystem.IsMacOS() && ReadPsTable() is { } table)
        {
            return new ProcessTableReading(table, ReadWorkingSetBytes, tableHasMemory: true, datesChildren: null);
        }

        if (OperatingSystem.IsWindows() && ReadWindowsTable() is { } snapshot)
        {
            return new ProcessTableReading(snapshot, ReadWorkingSetBytes, tableHasMemory: false, datesChildren: ReadStartTime);
        }

        return new ProcessTableReading(null, ReadWorkingSetBytes, tableHasMemory: false, datesChildren: null);
    }

    /// <summary>
    /// True while a process with that id runs. A zombie (exited, not yet reaped by its parent) is not
    /// alive: on Linux its state in <c>/proc</c> says so. Elsewhere a process that can be opened and has
    /// not exited counts as alive.
    /// </summary>
    public static bool IsAlive(int processId)
    {
        if (OperatingSystem.IsLinux())
        {
            try
            {
                var stat = File.ReadAllText($"/proc/{processId}/stat");
                var state = stat[(stat.LastIndexOf(')') + 2)..].Split(' ')[0];
                return state != "Z" && state != "X";
            }
            catch (IOException)
            {
                return false;
            }
            catch (UnauthorizedAccessException)
            {
                return true;
            }
        }

        try
        {
            using var process = Process.GetProcessById(processId);
            return !process.HasExited;
        }
        catch (Win32Exception)
        {
            // It exists, but may not be inspected (another user's, or a protected process).
            return true;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    /// <summary>
    /// <paramref name="rootProcessId"/> and every process below it in <paramref name="table"/>, root first
    /// and breadth first. Cycles (possible with reused ids) end the walk; a child with a known start time
    /// before its parent's is skipped.
    /// </summary>
    internal static IReadOnlyList<int> DescendantsAndSelf(IReadOnlyCollection<ProcessEntry> table, int rootProcessId)
    {
        var children = new Dictionary<int, List<ProcessEntry>>();
        var byId = new Dictionary<int, ProcessEntry>();
        foreach (var entry in table)
        {
            byId[entry.ProcessId] = entry;
            if (entry.ParentProcessId != entry.ProcessId)
            {
                (children.TryGetValue(entry.ParentProcessId, out var list) ? list : children[entry.ParentProcessId] = []).Add(entry);
            }
        }

        var result = new List<int> { rootProcessId };
        var seen = new HashSet<int> { rootProcessId };
        for (var i = 0; i < result.Count; i++)
        {
            if (!children.TryGetValue(result[i], out var list))
            {
                continue;
            }

            var parentStart = byId.TryGetValue(result[i], out var parent) ? parent.StartTime : null;
            foreach (var child in list)
            {
                if (child.StartTime < parentStart || !seen.Add(child.ProcessId))
                {
                    continue;
                }

                result.Add(child.ProcessId);
            }
        }

        return result;
    }

    /// <summary>The resident memory the table gives for the tree under <paramref name="rootProcessId"/>.</summary>
    internal static long SumResidentBytes(IReadOnlyCollection<ProcessEntry> table, int rootProcessId)
    {
        var tree = DescendantsAndSelf(table, rootProcessId).ToHashSet();
        return table.Where(e => tree.Contains(e.ProcessId)).Sum(e => e.ResidentBytes);
    }

    /// <summary>
    /// Parses <c>ps -A -o pid=,ppid=,rss=</c> (macOS and BSD ps: <c>rss</c> in kibibytes, no header).
    /// Lines that are not three whole numbers are skipped.
    /// </summary>
    internal static IReadOnlyList<ProcessEntry> ParsePsTable(string text)
    {
        var entries = new List<ProcessEntry>();
        foreach (var line in text.Split('\n'))
        {
            var fields = line.Split((char[]?)null, StringSplitOptions.RemoveEmptyEntries);
            if (fields.Length == 3
                && int.TryParse(fields[0], NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && int.TryParse(fields[1], NumberStyles.None, CultureInfo.InvariantCulture, out var parent)
                && long.TryParse(fields[2], NumberStyles.None, CultureInfo.InvariantCulture, out var kibibytes))
            {
                entries.Add(new ProcessEntry(pid, parent, kibibytes * 1024));
            }
        }

        return entries;
    }

    private static IReadOnlyList<ProcessEntry> ReadLinuxTable()
    {
        var entries = new List<ProcessEntry>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid)
                && ReadLinuxParent(pid) is var parent and > 0)
            {
                entries.Add(new ProcessEntry(pid, parent));
            }
        }

        return entries;
    }

    private static int ReadLinuxParent(int pid)
    {
        try
        {
            // "pid (comm) state ppid ...": comm may contain spaces and parentheses, so parse after the last ')'.
            var stat = File.ReadAllText($"/proc/{pid}/stat");
            var fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
            return int.Parse(fields[1], CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException or IndexOutOfRangeException)
        {
            return -1;
        }
    }

    private static long ReadLinuxResidentBytes(int pid)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{pid}/status"))
            {
                if (line.StartsWith("VmRSS:", StringComparison.Ordinal))
                {
                    var kilobytes = line["VmRSS:".Length..].Trim().Split(' ')[0];
                    return long.Parse(kilobytes, CultureInfo.InvariantCulture) * 1024;
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or FormatException)
        {
        }

        return 0;
    }

    /// <summary>The process table from ps (macOS), or null when ps could not be run.</summary>
    private static IReadOnlyList<ProcessEntry>? ReadPsTable()
    {
        try
        {
            var start = new ProcessStartInfo("/bin/ps")
            {
                RedirectStandardOutput = true,
                RedirectStandardError = true,
                UseShellExecute = false,
            };
            foreach (var argument in (string[])["-A", "-o", "pid=,ppid=,rss="])
            {
                start.ArgumentList.Add(argument);
            }

            using var ps = Process.Start(start);
            if (ps is null)
            {
                return null;
            }

            // Both pipes are drained while ps runs, so a full pipe can never stall it; its stderr is not
            // wanted (the server's stderr is the editor's log).
            _ = ps.StandardError.ReadToEndAsync();
            var output = ps.StandardOutput.ReadToEndAsync();
            if (!ps.WaitForExit(PsTimeout))
            {
                ps.Kill();
                return null;
            }

            return ps.ExitCode == 0 ? ParsePsTable(output.GetAwaiter().GetResult()) : null;
        }
        catch (Exception e) when (e is Win32Exception or InvalidOperationException or IOException)
        {
            return null;
        }
    }

    private static long ReadWorkingSetBytes(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            process.Refresh();
            return process.WorkingSet64;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception)
        {
            return 0;
        }
    }

    private static DateTime? ReadStartTime(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return process.StartTime.ToUniversalTime();
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or Win32Exception or NotSupportedException)
        {
            return null;
        }
    }

    /// <summary>Process ids and parent ids from a Toolhelp snapshot, or null when it could not be taken.</summary>
    [SupportedOSPlatform("windows")]
    private static IReadOnlyList<ProcessEntry>? ReadWindowsTable()
    {
        var snapshot = NativeMethods.CreateToolhelp32Snapshot(NativeMethods.SnapProcess, 0);
        if (snapshot == NativeMethods.InvalidHandleValue)
        {
            return null;
        }

        try
        {
            var entries = new List<ProcessEntry>();
            var entry = new NativeMethods.ProcessEntry32 { Size = (uint)Marshal.SizeOf<NativeMethods.ProcessEntry32>() };
            for (var more = NativeMethods.Process32First(snapshot, ref entry); more; more = NativeMethods.Process32Next(snapshot, ref entry))
            {
                entries.Add(new ProcessEntry((int)entry.ProcessId, (int)entry.ParentProcessId));
            }

            return entries;
        }
        finally
        {
            NativeMethods.CloseHandle(snapshot);
        }
    }

    [SupportedOSPlatform("windows")]
    private static class NativeMethods
    {
        public const uint SnapProcess = 0x00000002;

        public static readonly IntPtr InvalidHandleValue = new(-1);

        [DllImport("kernel32.dll", SetLastError = true)]
        public static extern IntPtr CreateToolhelp32Snapshot(uint flags, uint processId);

        [DllImport("kernel32.dll", EntryPoint = "Process32FirstW", SetLastError = true, CharSet = CharSet.Unicode)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool Process32First(IntPtr snapshot, ref ProcessEntry32 entry);

        [DllImport("kernel32.dll", EntryPoint = "Process32NextW", SetLastError = true, CharSet = CharSet.Unicode)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool Process32Next(IntPtr snapshot, ref ProcessEntry32 entry);

        [DllImport("kernel32.dll", SetLastError = true)]
        [return: MarshalAs(UnmanagedType.Bool)]
        public static extern bool CloseHandle(IntPtr handle);

        /// <summary>PROCESSENTRY32W.</summary>
        [StructLayout(LayoutKind.Sequential, CharSet = CharSet.Unicode)]
        public struct ProcessEntry32
        {
            public uint Size;
            public uint Usage;
            public uint ProcessId;
            public IntPtr DefaultHeapId;
            public uint ModuleId;
            public uint Threads;
            public uint ParentProcessId;
            public int PriorityClassBase;
            public uint Flags;

            [MarshalAs(UnmanagedType.ByValTStr, SizeConst = 260)]
            public string ExeFile;
        }
    }
}

/// <summary>One reading of the process table (see <see cref="ProcessTree.Read"/>).</summary>
public sealed class ProcessTableReading
{
    private readonly IReadOnlyCollection<ProcessEntry>? _table;
    private readonly Func<int, long> _residentBytes;
    private readonly bool _tableHasMemory;
    private readonly Func<int, DateTime?>? _startTime;

    /// <param name="table">The process table, or null where only the root process can be seen.</param>
    /// <param name="residentBytes">Memory of one process, where the table has none.</param>
    /// <param name="tableHasMemory">The table's <see cref="ProcessEntry.ResidentBytes"/> are the memory.</param>
    /// <param name="datesChildren">
    /// Where parent ids may name a reused id (Windows): each candidate's start time, so a child older than its
    /// parent is dropped. Read only for the candidates of a tree, not for the whole table.
    /// </param>
    internal ProcessTableReading(IReadOnlyCollection<ProcessEntry>? table, Func<int, long> residentBytes, bool tableHasMemory, Func<int, DateTime?>? datesChildren)
    {
        _table = table;
        _residentBytes = residentBytes;
        _tableHasMemory = tableHasMemory && table is not null;
        _startTime = datesChildren;
    }

    public IReadOnlyList<int> GetDescendantsAndSelf(int rootProcessId)
    {
        if (_table is null)
        {
            return [rootProcessId];
        }

        var tree = ProcessTree.DescendantsAndSelf(_table, rootProcessId);
        if (_startTime is null || tree.Count == 1)
        {
            return tree;
        }

        var candidates = tree.ToHashSet();
        var dated = _table.Select(e => candidates.Contains(e.ProcessId) ? e with { StartTime = _startTime(e.ProcessId) } : e).ToArray();
        return ProcessTree.DescendantsAndSelf(dated, rootProcessId);
    }

    public long GetResidentBytes(int rootProcessId) => _tableHasMemory
        ? ProcessTree.SumResidentBytes(_table!, rootProcessId)
        : GetDescendantsAndSelf(rootProcessId).Sum(_residentBytes);
}
