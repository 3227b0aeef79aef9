using System.Diagnostics;
using System.Globalization;

namespace LeanAssist.Lean.Repl;

/// <summary>
/// A process and its descendants: <c>lake env repl</c> runs the REPL as a child of lake, so memory is
/// measured and processes are killed for the whole tree, never by name.
/// </summary>
public static class ProcessTree
{
    /// <summary>Resident memory of the process and all its descendants, in bytes (0 when it has exited).</summary>
    public static long GetResidentBytes(int rootProcessId)
    {
        if (OperatingSystem.IsLinux())
        {
            return GetDescendantsAndSelf(rootProcessId).Sum(ReadLinuxResidentBytes);
        }

        try
        {
            using var process = Process.GetProcessById(rootProcessId);
            process.Refresh();
            return process.WorkingSet64;
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return 0;
        }
    }

    /// <summary>The process ids of <paramref name="rootProcessId"/> and its descendants (Linux: from /proc; elsewhere just the root).</summary>
    public static IReadOnlyList<int> GetDescendantsAndSelf(int rootProcessId)
    {
        if (!OperatingSystem.IsLinux())
        {
            return [rootProcessId];
        }

        var children = new Dictionary<int, List<int>>();
        foreach (var directory in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(directory), NumberStyles.None, CultureInfo.InvariantCulture, out var pid))
            {
                continue;
            }

            var parent = ReadLinuxParent(pid);
            if (parent > 0)
            {
                (children.TryGetValue(parent, out var list) ? list : children[parent] = []).Add(pid);
            }
        }

        var result = new List<int> { rootProcessId };
        for (var i = 0; i < result.Count; i++)
        {
            if (children.TryGetValue(result[i], out var list))
            {
                result.AddRange(list);
            }
        }

        return result;
    }

    /// <summary>True while a process with that id exists (and is not a zombie).</summary>
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
        catch (Exception e) when (e is ArgumentException or InvalidOperationException)
        {
            return false;
        }
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
}
