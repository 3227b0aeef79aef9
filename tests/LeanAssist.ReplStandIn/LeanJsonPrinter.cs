using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LeanAssist.ReplStandIn;

/// <summary>
/// Prints JSON exactly as the real REPL does: Lean's <c>Json.render</c> (object keys in descending order,
/// <c>"key": value</c> groups, <c>[</c>/<c>{</c> brackets nesting by one column) laid out by Lean's
/// <c>Format</c> pretty printer at width 80. The tests check it against every recorded response.
/// </summary>
public static class LeanJsonPrinter
{
    public const int Width = 80;

    public static string Print(JsonNode? node)
    {
        var printer = new Printer();
        printer.Run(Render(node), Width);
        return printer.Output.ToString();
    }

    // ---- Lean's Format, the parts Json.render uses ----
    private abstract record Doc;

    private sealed record TextDoc(string Text, int Length) : Doc;

    private sealed record LineDoc : Doc
    {
        public static readonly LineDoc Instance = new();
    }

    private sealed record NestDoc(int Indent, Doc Inner) : Doc;

    private sealed record AppendDoc(Doc First, Doc Second) : Doc;

    private sealed record GroupDoc(Doc Inner) : Doc;

    private sealed record NilDoc : Doc
    {
        public static readonly NilDoc Instance = new();
    }

    private static TextDoc Text(string text) => new(text, CodepointLength(text));

    private static Doc Concat(params Doc[] docs) => docs.Aggregate((a, b) => new AppendDoc(a, b));

    /// <summary>Format.bracket: <c>group (nest l.length (l ++ f ++ r))</c>.</summary>
    private static Doc Bracket(string left, Doc inner, string right) =>
        new GroupDoc(new NestDoc(left.Length, Concat(Text(left), inner, Text(right))));

    private static Doc JoinSeparated(IReadOnlyList<Doc> docs)
    {
        if (docs.Count == 0)
        {
            return NilDoc.Instance;
        }

        var separator = new AppendDoc(Text(","), LineDoc.Instance);
        var result = docs[0];
        for (var i = 1; i < docs.Count; i++)
        {
            result = Concat(result, separator, docs[i]);
        }

        return result;
    }

    private static Doc Render(JsonNode? node)
    {
        switch (node)
        {
            case null:
                return Text("null");
            case JsonArray array:
                return Bracket("[", JoinSeparated(array.Select(Render).ToArray()), "]");
            case JsonObject obj:
                // Lean keeps object fields in a tree sorted by key and folds them onto a list head-first:
                // the printed order is descending.
                var fields = obj.OrderByDescending(p => p.Key, StringComparer.Ordinal)
                    .Select(p => (Doc)new GroupDoc(Concat(Text(RenderString(p.Key)), Text(":"), LineDoc.Instance, Render(p.Value))))
                    .ToArray();
                return Bracket("{", JoinSeparated(fields), "}");
            case JsonValue value:
                return value.GetValueKind() switch
                {
                    JsonValueKind.String => Text(RenderString(value.GetValue<string>())),
                    JsonValueKind.True => Text("true"),
                    JsonValueKind.False => Text("false"),
                    JsonValueKind.Number => Text(value.ToJsonString()),
                    _ => Text("null"),
                };
            default:
                throw new ArgumentException($"Unexpected JSON node {node.GetType()}.");
        }
    }

    /// <summary>Lean's <c>Json.escape</c>: escapes ", \, \n, \r; other characters below U+0020 as \u00xx; all else as is.</summary>
    public static string RenderString(string value)
    {
        var builder = new StringBuilder(value.Length + 2).Append('"');
        foreach (var c in value)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case < ' ': builder.Append("\\u").Append(((int)c).ToString("x4", CultureInfo.InvariantCulture)); break;
                default: builder.Append(c); break;
            }
        }

        return builder.Append('"').ToString();
    }

    private static int CodepointLength(string text)
    {
        var length = 0;
        for (var i = 0; i < text.Length; i++)
        {
            if (!char.IsLowSurrogate(text[i]))
            {
                length++;
            }
        }

        return length;
    }

    // ---- Lean's pretty printer (Std.Format.prettyM), allOrNone groups only ----
    private readonly record struct SpaceResult(bool FoundLine, int Space);

    private sealed record WorkItem(Doc Doc, int Indent);

    private sealed record WorkGroup(bool Flatten, ImmutableList<WorkItem> Items);

    /// <summary>An immutable singly linked list, as the Lean implementation uses.</summary>
    private sealed record ImmutableList<T>(T Head, ImmutableList<T>? Tail)
    {
        public static ImmutableList<T>? Cons(T head, ImmutableList<T>? tail) => new(head, tail);
    }

    private static SpaceResult Merge(int width, SpaceResult first, Func<int, SpaceResult> second)
    {
        if (first.Space > width || first.FoundLine)
        {
            return first;
        }

        var rest = second(width - first.Space);
        return rest with { Space = first.Space + rest.Space };
    }

    private static SpaceResult SpaceUptoLine(Doc doc, bool flatten, int width) => doc switch
    {
        NilDoc => default,
        LineDoc => flatten ? new SpaceResult(false, 1) : new SpaceResult(true, 0),
        TextDoc text => new SpaceResult(false, text.Length),
        AppendDoc append => Merge(width, SpaceUptoLine(append.First, flatten, width), w => SpaceUptoLine(append.Second, flatten, w)),
        NestDoc nest => SpaceUptoLine(nest.Inner, flatten, width),
        GroupDoc group => SpaceUptoLine(group.Inner, true, width),
        _ => throw new InvalidOperationException(),
    };

    private static SpaceResult SpaceUptoLine(ImmutableList<WorkGroup>? groups, int width)
    {
        while (groups is not null && groups.Head.Items is null)
        {
            groups = groups.Tail;
        }

        if (groups is null)
        {
            return default;
        }

        var group = groups.Head;
        var item = group.Items.Head;
        var rest = ImmutableList<WorkGroup>.Cons(group with { Items = group.Items.Tail! }, groups.Tail);
        return Merge(width, SpaceUptoLine(item.Doc, group.Flatten, width), w => SpaceUptoLine(rest, w));
    }

    private sealed class Printer
    {
        public StringBuilder Output { get; } = new();

        private int _column;

        public void Run(Doc doc, int width)
        {
            var groups = ImmutableList<WorkGroup>.Cons(new WorkGroup(false, ImmutableList<WorkItem>.Cons(new WorkItem(doc, 0), null)!), null);
            while (groups is not null)
            {
                var group = groups.Head;
                if (group.Items is null)
                {
                    groups = groups.Tail;
                    continue;
                }

                var item = group.Items.Head;
                var rest = group.Items.Tail;
                ImmutableList<WorkGroup>? WithItems(ImmutableList<WorkItem>? items) => ImmutableList<WorkGroup>.Cons(group with { Items = items! }, groups!.Tail);
                switch (item.Doc)
                {
                    case NilDoc:
                        groups = WithItems(rest);
                        break;
                    case AppendDoc append:
                        groups = WithItems(ImmutableList<WorkItem>.Cons(item with { Doc = append.First }, ImmutableList<WorkItem>.Cons(item with { Doc = append.Second }, rest)));
                        break;
                    case NestDoc nest:
                        groups = WithItems(ImmutableList<WorkItem>.Cons(new WorkItem(nest.Inner, item.Indent + nest.Indent), rest));
                        break;
                    case TextDoc text:
                        Output.Append(text.Text);
                        _column += text.Length;
                        groups = WithItems(rest);
                        break;
                    case LineDoc:
                        if (group.Flatten)
                        {
                            Output.Append(' ');
                            _column++;
                        }
                        else
                        {
                            Output.Append('\n').Append(' ', item.Indent);
                            _column = item.Indent;
                        }

                        groups = WithItems(rest);
                        break;
                    case GroupDoc inner:
                        if (group.Flatten)
                        {
                            groups = WithItems(ImmutableList<WorkItem>.Cons(item with { Doc = inner.Inner }, rest));
                        }
                        else
                        {
                            groups = PushGroup(ImmutableList<WorkItem>.Cons(item with { Doc = inner.Inner }, null)!, WithItems(rest), width);
                        }

                        break;
                }
            }
        }

        /// <summary>Flattens the group when it, and what follows it up to the next line break, fits in the rest of the line.</summary>
        private ImmutableList<WorkGroup> PushGroup(ImmutableList<WorkItem> items, ImmutableList<WorkGroup>? groups, int width)
        {
            var available = Math.Max(0, width - _column);
            var candidate = new WorkGroup(true, items);
            var measured = SpaceUptoLine(ImmutableList<WorkGroup>.Cons(candidate, null), available);
            var withRest = Merge(available, measured, w => SpaceUptoLine(groups, w));
            return ImmutableList<WorkGroup>.Cons(candidate with { Flatten = withRest.Space <= available }, groups)!;
        }
    }
}
