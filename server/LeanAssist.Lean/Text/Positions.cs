namespace LeanAssist.Lean.Text;

/// <summary>
/// An editor position as LSP counts it: 0-based line, 0-based character in UTF-16 code units.
/// Lines end at "\n", "\r\n" or "\r" (the LSP rule).
/// </summary>
public readonly record struct Utf16Position(int Line, int Character) : IComparable<Utf16Position>
{
    public int CompareTo(Utf16Position other) =>
        Line != other.Line ? Line.CompareTo(other.Line) : Character.CompareTo(other.Character);

    public static bool operator <(Utf16Position a, Utf16Position b) => a.CompareTo(b) < 0;
    public static bool operator >(Utf16Position a, Utf16Position b) => a.CompareTo(b) > 0;
    public static bool operator <=(Utf16Position a, Utf16Position b) => a.CompareTo(b) <= 0;
    public static bool operator >=(Utf16Position a, Utf16Position b) => a.CompareTo(b) >= 0;

    public override string ToString() => $"{Line}:{Character}";
}

/// <summary>A half-open range of editor positions.</summary>
public readonly record struct Utf16Range(Utf16Position Start, Utf16Position End)
{
    public bool Contains(Utf16Position position) => Start <= position && position <= End;

    public override string ToString() => $"{Start}-{End}";
}

/// <summary>
/// A position as Lean reports it: 1-based line, 0-based column counted in Unicode codepoints.
/// Lean ends lines at "\n" only (a "\r" before it is part of the line).
/// </summary>
public readonly record struct LeanPosition(int Line, int Column)
{
    public override string ToString() => $"{Line}:{Column}";
}
