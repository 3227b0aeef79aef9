using System.Text;

namespace LeanAssist.Lean.Repl;

/// <summary>
/// Splits a command line string (the <c>leanAssist.repl.command</c> setting, <c>--repl-command</c>) into a
/// program and its arguments, the way a POSIX shell would without expanding anything:
/// whitespace separates words; <c>"..."</c> groups, with <c>\"</c> and <c>\\</c> as escapes inside;
/// <c>'...'</c> groups literally; a backslash outside quotes escapes the next character
/// (except on Windows, where it is kept so paths like <c>C:\lean\repl.exe</c> work).
/// </summary>
public static class CommandLineSplitter
{
    public static IReadOnlyList<string> Split(string commandLine)
    {
        if (!TrySplit(commandLine, out var words, out var error))
        {
            throw new FormatException(error);
        }

        return words;
    }

    public static bool TrySplit(string commandLine, out IReadOnlyList<string> words, out string? error)
    {
        var result = new List<string>();
        var current = new StringBuilder();
        var inWord = false;
        var backslashEscapes = !OperatingSystem.IsWindows();
        for (var i = 0; i < commandLine.Length; i++)
        {
            var c = commandLine[i];
            if (char.IsWhiteSpace(c))
            {
                if (inWord)
                {
                    result.Add(current.ToString());
                    current.Clear();
                    inWord = false;
                }

                continue;
            }

            inWord = true;
            if (c == '\'')
            {
                var close = commandLine.IndexOf('\'', i + 1);
                if (close < 0)
                {
                    return Fail(out words, out error, $"unclosed ' at position {i + 1} in the command line");
                }

                current.Append(commandLine, i + 1, close - i - 1);
                i = close;
            }
            else if (c == '"')
            {
                var closed = false;
                for (i++; i < commandLine.Length; i++)
                {
                    if (commandLine[i] == '\\' && i + 1 < commandLine.Length && commandLine[i + 1] is '"' or '\\')
                    {
                        current.Append(commandLine[++i]);
                    }
                    else if (commandLine[i] == '"')
                    {
                        closed = true;
                        break;
                    }
                    else
                    {
                        current.Append(commandLine[i]);
                    }
                }

                if (!closed)
                {
                    return Fail(out words, out error, "unclosed \" in the command line");
                }
            }
            else if (c == '\\' && backslashEscapes && i + 1 < commandLine.Length)
            {
                current.Append(commandLine[++i]);
            }
            else
            {
                current.Append(c);
            }
        }

        if (inWord)
        {
            result.Add(current.ToString());
        }

        if (result.Count == 0)
        {
            return Fail(out words, out error, "the command line is empty");
        }

        words = result;
        error = null;
        return true;
    }

    private static bool Fail(out IReadOnlyList<string> words, out string? error, string message)
    {
        words = [];
        error = message;
        return false;
    }
}
