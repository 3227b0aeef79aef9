namespace LeanAssist.Lean.Source;

/// <summary>What kind of top-level command a <see cref="LeanSourceCommand"/> is.</summary>
public enum LeanCommandKind
{
    /// <summary>theorem, lemma, def, example, instance, abbrev, structure, class, inductive, axiom, opaque, mutual blocks.</summary>
    Declaration,
    Namespace,
    Section,
    End,
    Open,
    Variable,
    Universe,
    SetOption,
    Attribute,

    /// <summary>A module doc comment <c>/-! ... -/</c>.</summary>
    ModuleDoc,

    /// <summary>A hash command such as <c>#check</c>, <c>#eval</c>.</summary>
    HashCommand,

    /// <summary>Notation, macros, syntax, and anything else.</summary>
    Other,
}

/// <summary>
/// The header of a Lean file: <c>module</c>/<c>prelude</c> and its imports. <see cref="Text"/> is the
/// source from the first header token to the end of the last import (what is sent to the REPL);
/// <see cref="ImportsText"/> is the normalized header, one line per <c>prelude</c>/<c>module</c> word and per import (with its <c>public</c>/<c>meta</c>/<c>all</c>), that the header's
/// fingerprint is computed from (comments and spacing in the header do not change it);
/// <see cref="Modules"/> are the imported module names as written (<c>Mathlib.Tactic</c>, <c>«My Lib».Basic</c>).
/// </summary>
public sealed record LeanHeader(int Start, int End, string Text, string ImportsText, IReadOnlyList<string> Imports, IReadOnlyList<string> Modules)
{
    public bool IsEmpty => Imports.Count == 0 && End == Start;
}

/// <summary>
/// One top-level command of a Lean file: <c>[Start, End)</c> runs from its first token (its doc comment,
/// attributes or modifiers when it has them) to the end of its last token, so the comments and blank
/// lines between commands belong to none of them (editing them changes no fingerprint).
/// </summary>
public sealed record LeanSourceCommand(int Start, int End, LeanCommandKind Kind, string Keyword, string? DeclarationName, string Text);

/// <summary>A Lean file split into its header and top-level commands.</summary>
public sealed record LeanSourceLayout(LeanHeader Header, IReadOnlyList<LeanSourceCommand> Commands);

/// <summary>
/// Splits Lean 4 source into its header and top-level commands without running Lean.
/// </summary>
/// <remarks>
/// Lean itself decides command boundaries by parsing; this follows the conventions that hold in
/// practice, on tokens (so comments, strings and attributes never fool it):
/// <list type="bullet">
/// <item>A command starts at a token that is the first on its line and is a command keyword, possibly
/// after a doc comment, an attribute list <c>@[...]</c> and modifiers (<c>private</c>, <c>noncomputable</c>, ...).</item>
/// <item>Declaration keywords (<c>theorem</c>, <c>def</c>, <c>namespace</c>, <c>end</c>, <c>#check</c>, ...) start a
/// command at any indentation: they never occur inside a term or tactic block at the start of a line.</item>
/// <item>Keywords that are also tactics or term syntax (<c>open</c>, <c>set_option</c>, <c>variable</c>, <c>attribute</c>,
/// notation and macro commands) start a command only at column 0, so <c>  open Classical in</c> inside a proof stays in it.</item>
/// <item>A command whose last token is <c>in</c> (<c>set_option maxHeartbeats 0 in</c>, <c>open Foo in</c>) is joined to the next.</item>
/// <item>A <c>mutual</c> block runs to its <c>end</c>; <c>deriving</c> starts a command only as <c>deriving instance</c>.</item>
/// </list>
/// A boundary this misses joins two commands into one (still correct, only coarser for caching); the
/// rules above avoid ever cutting a command in two.
/// </remarks>
public static class LeanSourceSplitter
{
    private static readonly HashSet<string> DeclarationKeywords = new(StringComparer.Ordinal)
    {
        "theorem", "lemma", "def", "example", "instance", "abbrev", "structure", "class", "inductive",
        "coinductive", "axiom", "opaque", "mutual",
    };

    private static readonly HashSet<string> AnyIndentKeywords = new(StringComparer.Ordinal)
    {
        "namespace", "section", "end", "universe",
    };

    private static readonly HashSet<string> ColumnZeroKeywords = new(StringComparer.Ordinal)
    {
        "open", "export", "variable", "set_option", "attribute", "notation", "infix", "infixl", "infixr",
        "prefix", "postfix", "macro", "macro_rules", "syntax", "elab", "elab_rules", "declare_syntax_cat",
        "initialize", "builtin_initialize", "omit", "include", "add_decl_doc", "register_simp_attr", "alias",
        "deriving", "compile_inductive", "unseal", "seal", "suppress_compilation", "assert_not_exists",
        "library_note", "irreducible_def", "run_cmd", "simproc", "dsimproc", "register_option",
    };

    private static readonly HashSet<string> Modifiers = new(StringComparer.Ordinal)
    {
        "private", "protected", "public", "noncomputable", "partial", "unsafe", "nonrec", "scoped", "local", "meta",
    };

    private static readonly HashSet<string> HeaderWords = new(StringComparer.Ordinal) { "module", "prelude" };

    public static LeanSourceLayout Split(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var tokens = LeanLexer.Tokenize(text);
        var (header, firstCommandToken) = ReadHeader(text, tokens);

        var starts = new List<(int Token, int Keyword)>();
        for (var i = firstCommandToken; i < tokens.Count; i++)
        {
            if (i == firstCommandToken || tokens[i].FirstOnLine)
            {
                var keyword = FindCommandKeyword(text, tokens, i, forceStart: i == firstCommandToken);
                if (keyword < 0)
                {
                    continue;
                }

                starts.Add((i, keyword));

                // Tokens up to the keyword (doc comment, attributes, modifiers) belong to this start.
                i = tokens[keyword].GetText(text) == "mutual" ? FindMutualEnd(text, tokens, keyword) : keyword;
            }
        }

        var commands = new List<LeanSourceCommand>(starts.Count);
        for (var s = 0; s < starts.Count; s++)
        {
            var (first, keyword) = starts[s];
            var last = (s + 1 < starts.Count ? starts[s + 1].Token : tokens.Count) - 1;

            // "set_option x in" / "open Foo in": the command continues with the next one.
            while (s + 1 < starts.Count && tokens[last].Kind == LeanTokenKind.Identifier && tokens[last].GetText(text) == "in")
            {
                s++;
                last = (s + 1 < starts.Count ? starts[s + 1].Token : tokens.Count) - 1;
                keyword = starts[s].Keyword;
            }

            var start = tokens[first].Start;
            var end = tokens[last].End;
            var word = tokens[keyword].GetText(text);
            commands.Add(new LeanSourceCommand(start, end, Classify(tokens[keyword], word), word, DeclarationName(text, tokens, keyword, last), text[start..end]));
        }

        return new LeanSourceLayout(header, commands);
    }

    private static (LeanHeader Header, int NextToken) ReadHeader(string text, List<LeanToken> tokens)
    {
        var i = 0;
        var imports = new List<string>();
        var modules = new List<string>();
        var headerWords = new List<string>();
        var headerStart = tokens.Count > 0 ? tokens[0].Start : 0;
        var headerEnd = headerStart;
        while (i < tokens.Count && tokens[i].Kind == LeanTokenKind.Identifier && HeaderWords.Contains(tokens[i].GetText(text)))
        {
            // `prelude` (no implicit `import Init`) and `module` (the module system: what is visible changes) decide
            // the environment as much as the imports: they belong to the normalized header, hence to its fingerprint.
            headerWords.Add(tokens[i].GetText(text));
            headerEnd = tokens[i].End;
            i++;
        }

        while (i < tokens.Count)
        {
            // [public] [meta] import [all] A B ...
            var j = i;
            var prefix = new List<string>();
            while (j < tokens.Count && tokens[j].Kind == LeanTokenKind.Identifier && tokens[j].GetText(text) is "public" or "meta" or "private")
            {
                prefix.Add(tokens[j].GetText(text));
                j++;
            }

            if (j >= tokens.Count || tokens[j].Kind != LeanTokenKind.Identifier || tokens[j].GetText(text) != "import")
            {
                break;
            }

            j++;
            if (j < tokens.Count && tokens[j].GetText(text) == "all")
            {
                prefix.Add("all");
                j++;
            }

            var modulesHere = 0;
            while (j < tokens.Count && tokens[j].Kind == LeanTokenKind.Identifier && !IsReservedWord(tokens[j].GetText(text)))
            {
                var module = tokens[j].GetText(text);
                imports.Add(string.Join(' ', [.. prefix.Where(p => p != "all"), "import", .. prefix.Where(p => p == "all"), module]));
                modules.Add(module);
                headerEnd = tokens[j].End;
                modulesHere++;
                j++;
            }

            if (modulesHere == 0)
            {
                // "import" with no module: leave it to the first command so Lean reports it.
                break;
            }

            i = j;
        }

        if (headerEnd == headerStart)
        {
            return (new LeanHeader(0, 0, string.Empty, string.Empty, [], []), 0);
        }

        var header = new LeanHeader(headerStart, headerEnd, text[headerStart..headerEnd], string.Join('\n', headerWords.Concat(imports)), imports, modules);
        return (header, i);
    }

    private static bool IsReservedWord(string word) =>
        word == "import" || DeclarationKeywords.Contains(word) || AnyIndentKeywords.Contains(word)
        || ColumnZeroKeywords.Contains(word) || Modifiers.Contains(word) || HeaderWords.Contains(word);

    /// <summary>
    /// The index of the command keyword when a command starts at token <paramref name="i"/>, else -1.
    /// </summary>
    private static int FindCommandKeyword(string text, List<LeanToken> tokens, int i, bool forceStart)
    {
        var first = tokens[i];
        var j = i;
        while (j < tokens.Count)
        {
            var token = tokens[j];
            switch (token.Kind)
            {
                case LeanTokenKind.ModuleDocComment when j == i:
                case LeanTokenKind.HashCommand:
                    return j;
                case LeanTokenKind.DocComment:
                    j++;
                    continue;
                case LeanTokenKind.AttributeOpen:
                    j = SkipBrackets(tokens, text, j) + 1;
                    continue;
                case LeanTokenKind.Identifier:
                    var word = token.GetText(text);
                    if (Modifiers.Contains(word))
                    {
                        j++;
                        continue;
                    }

                    if (DeclarationKeywords.Contains(word) || AnyIndentKeywords.Contains(word))
                    {
                        return j;
                    }

                    if (ColumnZeroKeywords.Contains(word) && (first.Column == 0 || forceStart))
                    {
                        var isDerivingClause = word == "deriving" && !(j + 1 < tokens.Count && tokens[j + 1].GetText(text) == "instance");
                        return isDerivingClause ? -1 : j;
                    }

                    return forceStart ? j : -1;
                default:
                    return forceStart ? j : -1;
            }
        }

        return forceStart ? Math.Min(j, tokens.Count - 1) : -1;
    }

    /// <summary>Index of the "]" closing the "@[" at <paramref name="open"/> (brackets nest; strings are single tokens).</summary>
    private static int SkipBrackets(List<LeanToken> tokens, string text, int open)
    {
        var depth = 1;
        for (var k = open + 1; k < tokens.Count; k++)
        {
            if (tokens[k].Kind != LeanTokenKind.Symbol)
            {
                continue;
            }

            var c = text[tokens[k].Start];
            if (c == '[')
            {
                depth++;
            }
            else if (c == ']' && --depth == 0)
            {
                return k;
            }
        }

        return tokens.Count - 1;
    }

    /// <summary>The token index of the <c>end</c> closing a <c>mutual</c> block (the block is one command).</summary>
    private static int FindMutualEnd(string text, List<LeanToken> tokens, int mutual)
    {
        for (var k = mutual + 1; k < tokens.Count; k++)
        {
            if (tokens[k].FirstOnLine && tokens[k].Column <= tokens[mutual].Column && tokens[k].GetText(text) == "end")
            {
                return k;
            }
        }

        return tokens.Count - 1;
    }

    private static LeanCommandKind Classify(LeanToken keyword, string word) => keyword.Kind switch
    {
        LeanTokenKind.ModuleDocComment => LeanCommandKind.ModuleDoc,
        LeanTokenKind.HashCommand => LeanCommandKind.HashCommand,
        _ => word switch
        {
            _ when DeclarationKeywords.Contains(word) => LeanCommandKind.Declaration,
            "namespace" => LeanCommandKind.Namespace,
            "section" => LeanCommandKind.Section,
            "end" => LeanCommandKind.End,
            "open" => LeanCommandKind.Open,
            "variable" => LeanCommandKind.Variable,
            "universe" => LeanCommandKind.Universe,
            "set_option" => LeanCommandKind.SetOption,
            "attribute" => LeanCommandKind.Attribute,
            _ => LeanCommandKind.Other,
        },
    };

    /// <summary>The declared name (<c>theorem foo</c> gives "foo"); null for <c>example</c>, anonymous instances and non-declarations.</summary>
    private static string? DeclarationName(string text, List<LeanToken> tokens, int keyword, int last)
    {
        var word = tokens[keyword].GetText(text);
        if (!DeclarationKeywords.Contains(word) || word is "example" or "mutual")
        {
            return null;
        }

        var k = keyword + 1;
        if (word == "instance" && k <= last && text[tokens[k].Start] == '(')
        {
            // instance (priority := low) name : ...
            var depth = 0;
            for (; k <= last; k++)
            {
                var c = text[tokens[k].Start];
                depth += tokens[k].Kind != LeanTokenKind.Symbol ? 0 : c == '(' ? 1 : c == ')' ? -1 : 0;
                if (depth == 0)
                {
                    k++;
                    break;
                }
            }
        }

        return k <= last && tokens[k].Kind == LeanTokenKind.Identifier && !IsReservedWord(tokens[k].GetText(text))
            ? tokens[k].GetText(text)
            : null;
    }
}
