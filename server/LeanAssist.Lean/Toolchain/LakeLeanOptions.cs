using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LeanAssist.Lean.Toolchain;

/// <summary>One Lean option of a Lake package (<c>leanOptions</c>): its name and its value as Lean source (<c>false</c>, <c>400000</c>, <c>"text"</c>).</summary>
public sealed record LakeLeanOption(string Name, string Value)
{
    /// <summary>Lake's <c>weak.</c> options are set only where Lean knows them: the REPL cannot tell, so they are keyed but not applied.</summary>
    public bool IsWeak => Name.StartsWith("weak.", StringComparison.Ordinal);
}

/// <summary>
/// The package-level <c>leanOptions</c> of a Lake project, read from <c>lakefile.toml</c> (a <c>[leanOptions]</c> table,
/// or an inline <c>leanOptions = { … }</c>) or <c>lakefile.lean</c> (<c>leanOptions := #[⟨`name, value⟩, …]</c>).
/// Lake passes them to Lean as <c>-D name=value</c> for every module of the package; the REPL has no such flag, so the
/// sessions apply them the way Lean's <c>-D</c> does for a file: <c>set_option</c> commands right after the header,
/// before the file's first command. They are part of the header fingerprint, so verdicts and sessions of different
/// options are never shared.
/// </summary>
/// <remarks>
/// Read by hand, not by a TOML or Lean parser: only this one table (or the one package field) matters, and a
/// lakefile that cannot be read this way yields no options (Lake would still build with them: the options that
/// were read are in the key, so at worst the key is stricter than needed, never shared between different options).
/// Options of <c>lean_lib</c> targets are not read.
/// </remarks>
public static partial class LakeLeanOptions
{
    /// <summary>The package's options, in the lakefile's order (empty for no lakefile, no options, or an unreadable file).</summary>
    public static IReadOnlyList<LakeLeanOption> Read(string projectRoot)
    {
        try
        {
            var toml = Path.Combine(projectRoot, "lakefile.toml");
            if (File.Exists(toml))
            {
                return FromToml(File.ReadAllText(toml));
            }

            var lean = Path.Combine(projectRoot, "lakefile.lean");
            return File.Exists(lean) ? FromLakefileLean(File.ReadAllText(lean)) : [];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return [];
        }
    }

    /// <summary>What the header fingerprint includes: every option read, weak ones too.</summary>
    public static string Describe(IReadOnlyList<LakeLeanOption> options) =>
        options.Count == 0 ? string.Empty : "leanOptions:" + string.Join('\n', options.Select(o => $"{o.Name}={o.Value}"));

    /// <summary>The header as sent to the REPL: the imports, then one <c>set_option</c> per (non-weak) option.</summary>
    public static string ApplyToHeader(string headerText, IReadOnlyList<LakeLeanOption> options)
    {
        var applied = options.Where(o => !o.IsWeak).ToArray();
        if (applied.Length == 0)
        {
            return headerText;
        }

        var text = new StringBuilder(headerText);
        foreach (var option in applied)
        {
            if (text.Length > 0)
            {
                text.Append('\n');
            }

            text.Append("set_option ").Append(option.Name).Append(' ').Append(option.Value);
        }

        return text.ToString();
    }

    public static IReadOnlyList<LakeLeanOption> FromToml(string text)
    {
        var options = new List<LakeLeanOption>();
        var inTable = false;
        var beforeAnyTable = true;
        foreach (var rawLine in text.Replace("\r\n", "\n", StringComparison.Ordinal).Split('\n'))
        {
            var line = StripTomlComment(rawLine).Trim();
            if (line.Length == 0)
            {
                continue;
            }

            if (line.StartsWith('['))
            {
                beforeAnyTable = false;
                inTable = line == "[leanOptions]";
                continue;
            }

            if (inTable)
            {
                if (TomlPair(line) is { } option)
                {
                    options.Add(option);
                }
            }
            else if (beforeAnyTable && InlineTable().Match(line) is { Success: true } inline)
            {
                foreach (var part in SplitTopLevel(inline.Groups["body"].Value, ','))
                {
                    if (TomlPair(part.Trim()) is { } option)
                    {
                        options.Add(option);
                    }
                }
            }
        }

        return options;
    }

    public static IReadOnlyList<LakeLeanOption> FromLakefileLean(string text)
    {
        // The package's field only: the first `leanOptions := #[...]` after `package`, before any `lean_lib`/`lean_exe`.
        var package = Regex.Match(text, @"^\s*package\b", RegexOptions.Multiline);
        if (!package.Success)
        {
            return [];
        }

        var end = Regex.Match(text[package.Index..], @"^\s*(lean_lib|lean_exe|@\[|require|target|extern_lib|input_file|input_dir)\b", RegexOptions.Multiline);
        var block = end.Success && end.Index > 0 ? text.Substring(package.Index, end.Index) : text[package.Index..];
        var field = Regex.Match(block, @"leanOptions\s*:=\s*#\[(?<items>.*?)\]", RegexOptions.Singleline);
        if (!field.Success)
        {
            return [];
        }

        return LeanOptionItem().Matches(field.Groups["items"].Value)
            .Select(m => new LakeLeanOption(m.Groups["name"].Value.Replace("«", string.Empty, StringComparison.Ordinal).Replace("»", string.Empty, StringComparison.Ordinal), LeanValue(m.Groups["value"].Value.Trim())))
            .ToArray();
    }

    private static LakeLeanOption? TomlPair(string line)
    {
        var equals = IndexOutsideQuotes(line, '=');
        if (equals <= 0)
        {
            return null;
        }

        var key = string.Join('.', line[..equals].Trim().Split('.').Select(k => k.Trim().Trim('"')));
        var value = line[(equals + 1)..].Trim();
        if (key.Length == 0 || value.Length == 0)
        {
            return null;
        }

        return new LakeLeanOption(key, value switch
        {
            "true" or "false" => value,
            _ when value.StartsWith('"') && value.EndsWith('"') && value.Length >= 2 => value,
            _ when value.StartsWith('\'') && value.EndsWith('\'') && value.Length >= 2 => "\"" + value[1..^1].Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal) + "\"",
            _ when long.TryParse(value.Replace("_", string.Empty, StringComparison.Ordinal), NumberStyles.Integer, CultureInfo.InvariantCulture, out var number) => number.ToString(CultureInfo.InvariantCulture),
            _ => value,
        });
    }

    /// <summary>A Lake DSL value as Lean source: <c>.ofBool false</c> and <c>(false : Bool)</c> become <c>false</c>.</summary>
    private static string LeanValue(string value)
    {
        var unwrapped = Regex.Replace(value, @"^\(?\s*(\.\s*)?(ofBool|ofNat|ofString|DataValue\.ofBool|DataValue\.ofNat|DataValue\.ofString)\s+", string.Empty).TrimEnd(')').Trim();
        var typed = Regex.Match(unwrapped, @"^\(?(?<v>.*?)\s*:\s*\w+\s*\)?$");
        return typed.Success ? typed.Groups["v"].Value.Trim() : unwrapped;
    }

    private static string StripTomlComment(string line)
    {
        var hash = IndexOutsideQuotes(line, '#');
        return hash >= 0 ? line[..hash] : line;
    }

    private static int IndexOutsideQuotes(string text, char wanted)
    {
        var quote = '\0';
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (quote != '\0')
            {
                if (c == '\\' && quote == '"')
                {
                    i++;
                }
                else if (c == quote)
                {
                    quote = '\0';
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == wanted)
            {
                return i;
            }
        }

        return -1;
    }

    private static IEnumerable<string> SplitTopLevel(string text, char separator)
    {
        var start = 0;
        while (start <= text.Length)
        {
            var next = IndexOutsideQuotes(text[start..], separator);
            if (next < 0)
            {
                yield return text[start..];
                yield break;
            }

            yield return text.Substring(start, next);
            start += next + 1;
        }
    }

    [GeneratedRegex(@"^leanOptions\s*=\s*\{(?<body>.*)\}\s*$")]
    private static partial Regex InlineTable();

    [GeneratedRegex(@"⟨\s*`(?<name>[\p{L}\p{N}_.«»']+)\s*,\s*(?<value>[^⟩]+?)\s*⟩")]
    private static partial Regex LeanOptionItem();
}
