using System.Globalization;
using LeanAssist.Lean.Source;

namespace LeanAssist.Suggestions.Safety;

/// <summary>The rule of the safety policy that refused a candidate.</summary>
public enum SafetyRule
{
    /// <summary>Empty, too long, control characters, or text Lean may read differently from the policy (an unclosed comment, string or interpolation).</summary>
    Unreadable,

    /// <summary>A hash command (<c>#eval</c>, <c>#exit</c>, ...): commands run code or change the environment.</summary>
    Command,

    /// <summary>Runs code while Lean elaborates: <c>run_tac</c>, <c>run_cmd</c>, <c>run_elab</c>, <c>run_meta</c>, <c>run_conv</c>, <c>by_elab</c>, <c>eval%</c>, <c>do</c> blocks.</summary>
    RunsCode,

    /// <summary>Declares something or changes the environment: declarations, syntax, macros, elaborators, attributes, initializers.</summary>
    ChangesEnvironment,

    /// <summary>Would make something that is not a proof count as one: <c>sorry</c>, <c>admit</c>, <c>stop</c>, <c>sorryAx</c>.</summary>
    NotAProof,

    /// <summary>
    /// Trusts the compiler instead of the kernel (through <c>Lean.ofReduceBool</c>): the axioms themselves always, the
    /// tactics built on them (<c>native_decide</c>, <c>decide +native</c>, <c>bv_decide</c>, <c>bv_check</c>) unless allowed.
    /// </summary>
    TrustsCompiler,

    /// <summary>Unsafe code: <c>unsafe</c>, <c>unsafeCast</c>, <c>unsafeBaseIO</c>, <c>implemented_by</c>, <c>extern</c>.</summary>
    Unsafe,

    /// <summary>IO or the operating system: <c>IO.*</c>, <c>System.*</c>.</summary>
    UsesIO,

    /// <summary><c>open</c> of a metaprogramming or IO namespace, under which the names other rules look for would be unqualified.</summary>
    OpensMetaNamespace,

    /// <summary>Sends the goal to the network or an external program: <c>polyrith</c>, LLM-backed tactics.</summary>
    ExternalService,

    /// <summary><c>set_option</c> of anything but display, tracing, linting and positive resource limits.</summary>
    Option,
}

/// <summary>The outcome of checking one candidate against the safety policy.</summary>
/// <param name="Rule">The rule that refused it (null when accepted).</param>
/// <param name="TrustsCompiler">
/// Accepted only because compiler trust is allowed (<c>native_decide</c>, <c>decide +native</c>, <c>bv_decide</c>, <c>bv_check</c>):
/// a proof found this way rests on the compiler as well as the kernel, and the user is told so.
/// </param>
public sealed record SafetyVerdict(bool Accepted, string? Reason, SafetyRule? Rule, bool TrustsCompiler)
{
    public static SafetyVerdict Accept(bool trustsCompiler = false) => new(true, null, null, trustsCompiler);

    public static SafetyVerdict Reject(SafetyRule rule, string reason) => new(false, reason, rule, false);
}

/// <summary>
/// LLM output is untrusted code, and Lean runs code while it elaborates a tactic. This policy
/// decides, before anything reaches Lean, whether a candidate may be run: it rejects anything that
/// can execute code or change the environment, and anything that would count <c>sorry</c> as a proof.
/// It works on Lean tokens (<see cref="LeanLexer"/>), so comments and strings can neither hide a
/// forbidden command nor trigger a false alarm, and text Lean would not lex the same way is refused.
/// </summary>
/// <remarks>
/// The <c>{…}</c> of an interpolated string is code. Which strings Lean interpolates depends on the syntax
/// before them (<c>s!</c>, <c>m!</c>, <c>throwError</c>, <c>trace[c]</c>, and any library's own), which a lexer
/// cannot know, so every rule is checked on two readings: strings interpolated where Lean's known syntax says
/// (code outside a string is seen even where another reading would swallow it into a nested string), and every
/// string interpolated. A string with a <c>{</c> that cannot be read as an interpolation is refused.
/// </remarks>
public static class TacticSafetyPolicy
{
    public const int MaxCandidateLength = 4000;

    /// <summary>Words that are refused wherever they appear as a token, and the rule each breaks.</summary>
    private static readonly Dictionary<string, SafetyRule> ForbiddenWords = BuildForbiddenWords();

    /// <summary>Tactics that close goals by running compiled code (all reduce to <c>Lean.ofReduceBool</c>).</summary>
    private static readonly HashSet<string> CompilerTrustingTactics = new(StringComparer.Ordinal)
    {
        "native_decide", "Lean.Parser.Tactic.nativeDecide",
        "bv_decide", "bv_decide?", "bv_check", "Lean.Parser.Tactic.bvDecide", "Lean.Parser.Tactic.bvTrace", "Lean.Parser.Tactic.bvCheck",
    };

    /// <summary>Namespaces whose opening brings metaprogramming or IO names into scope unqualified.</summary>
    private static readonly HashSet<string> MetaRootNamespaces = new(StringComparer.Ordinal) { "Lean", "IO", "System", "Qq" };

    private static readonly HashSet<string> MetaNamespaceComponents = new(StringComparer.Ordinal)
    {
        "Meta", "Elab", "Tactic", "Parser", "Compiler", "PrettyPrinter", "Delaborator",
    };

    /// <summary>Options a tactic may set with <c>set_option ... in</c>: display, tracing, linting and resource limits.</summary>
    private static readonly string[] AllowedOptionPrefixes = ["pp.", "trace.", "linter."];

    /// <summary>Options under the allowed prefixes that do more than display: the profiler writes a file.</summary>
    private static readonly string[] RefusedOptionPrefixes = ["trace.profiler.output"];

    private static readonly HashSet<string> AllowedLimitOptions = new(StringComparer.Ordinal)
    {
        "maxHeartbeats", "maxRecDepth", "synthInstance.maxHeartbeats", "synthInstance.maxSize", "exponentiation.threshold",
    };

    /// <param name="allowCompilerTrust"><c>leanAssist.allowNativeDecide</c>: accept the tactics that trust the compiler.</param>
    public static SafetyVerdict Check(string candidate, bool allowCompilerTrust)
    {
        if (string.IsNullOrWhiteSpace(candidate))
        {
            return SafetyVerdict.Reject(SafetyRule.Unreadable, "empty candidate");
        }

        if (candidate.Length > MaxCandidateLength)
        {
            return SafetyVerdict.Reject(SafetyRule.Unreadable, $"longer than {MaxCandidateLength} characters");
        }

        if (candidate.Any(c => char.IsControl(c) && c is not ('\n' or '\t' or '\r')))
        {
            return SafetyVerdict.Reject(SafetyRule.Unreadable, "contains control characters");
        }

        var asLean = LeanLexer.Tokenize(candidate, LeanInterpolation.AfterPrefix, out var unterminated);
        if (unterminated is not null)
        {
            return SafetyVerdict.Reject(SafetyRule.Unreadable, $"cannot be read safely: {unterminated}");
        }

        var everyStringInterpolated = LeanLexer.Tokenize(candidate, LeanInterpolation.EveryString, out unterminated);
        if (unterminated is not null)
        {
            return SafetyVerdict.Reject(SafetyRule.Unreadable,
                $"cannot be read safely: a string literal's {{ does not start a complete interpolation ({unterminated}), and syntax such as s!, m! or throwError would read it as code");
        }

        string? compilerTrust = null;
        foreach (var reading in new[] { asLean, everyStringInterpolated })
        {
            if (CheckTokens(Words(candidate, reading), ref compilerTrust) is { } rejection)
            {
                return rejection;
            }
        }

        if (compilerTrust is not null && !allowCompilerTrust)
        {
            return SafetyVerdict.Reject(SafetyRule.TrustsCompiler,
                $"`{compilerTrust}` trusts the compiler instead of the kernel (Lean.ofReduceBool); allow it with leanAssist.allowNativeDecide");
        }

        return SafetyVerdict.Accept(compilerTrust is not null);
    }

    private readonly record struct Word(LeanTokenKind Kind, string Text, bool InInterpolation);

    /// <summary>The tokens' texts (escaped names such as «sorry» are the names themselves), each marked when it is code inside a string.</summary>
    private static Word[] Words(string candidate, List<LeanToken> tokens)
    {
        var words = new Word[tokens.Count];
        var depth = 0;
        for (var i = 0; i < tokens.Count; i++)
        {
            var text = tokens[i].GetText(candidate);
            if (tokens[i].Kind == LeanTokenKind.InterpolatedStringPart)
            {
                // "…{ opens an interpolated string's code, }…{ goes on to the next piece of code, }…" closes it.
                depth += (text[0] == '"' ? 1 : 0) - (text[^1] == '"' ? 1 : 0);
            }

            words[i] = new Word(tokens[i].Kind, text.Replace("«", string.Empty, StringComparison.Ordinal).Replace("»", string.Empty, StringComparison.Ordinal), depth > 0);
        }

        return words;
    }

    private static SafetyVerdict? CheckTokens(Word[] words, ref string? compilerTrust)
    {
        for (var i = 0; i < words.Length; i++)
        {
            var word = words[i];
            var where = word.InInterpolation ? " (in the {…} of a string, which Lean elaborates as code)" : string.Empty;
            switch (word.Kind)
            {
                case LeanTokenKind.HashCommand:
                    return SafetyVerdict.Reject(SafetyRule.Command, $"`{word.Text}` is a command{where}: commands run code or change the environment");
                case LeanTokenKind.AttributeOpen:
                    return SafetyVerdict.Reject(SafetyRule.ChangesEnvironment, $"`@[…]` adds an attribute{where}, which changes the environment");
                case LeanTokenKind.Identifier:
                    if (word.Text == "unsafe" && IsAesopUnsafeRule(words, i))
                    {
                        break;
                    }

                    if (Forbidden(word.Text) is { } rule)
                    {
                        return SafetyVerdict.Reject(rule, $"`{word.Text}`{where} {Describe(rule)}");
                    }

                    if (IsUnsafeName(word.Text))
                    {
                        return SafetyVerdict.Reject(SafetyRule.Unsafe, $"`{word.Text}`{where} {Describe(SafetyRule.Unsafe)}");
                    }

                    if (IsIoName(word.Text))
                    {
                        return SafetyVerdict.Reject(SafetyRule.UsesIO, $"`{word.Text}`{where} {Describe(SafetyRule.UsesIO)}");
                    }

                    if (word.Text == "eval" && i + 1 < words.Length && words[i + 1].Text == "%")
                    {
                        return SafetyVerdict.Reject(SafetyRule.RunsCode, $"`eval%`{where} {Describe(SafetyRule.RunsCode)}");
                    }

                    if (word.Text == "open" && OpenedMetaNamespace(words, i) is { } opened)
                    {
                        return SafetyVerdict.Reject(SafetyRule.OpensMetaNamespace, $"`open {opened}`{where} {Describe(SafetyRule.OpensMetaNamespace)}");
                    }

                    if (word.Text == "set_option" && CheckOption(words, i) is { } optionProblem)
                    {
                        return SafetyVerdict.Reject(SafetyRule.Option, optionProblem + where);
                    }

                    compilerTrust ??= CompilerTrustingTactic(words, i);
                    break;
            }
        }

        return null;
    }

    private static string Describe(SafetyRule rule) => rule switch
    {
        SafetyRule.RunsCode => "runs code while Lean elaborates",
        SafetyRule.ChangesEnvironment => "declares something or changes the environment",
        SafetyRule.NotAProof => "is not a proof",
        SafetyRule.TrustsCompiler => "trusts the compiler instead of the kernel",
        SafetyRule.Unsafe => "is unsafe code",
        SafetyRule.UsesIO => "does IO",
        SafetyRule.OpensMetaNamespace => "opens a metaprogramming or IO namespace",
        SafetyRule.ExternalService => "sends the goal to the network or an external program",
        _ => rule.ToString(),
    };

    private static Dictionary<string, SafetyRule> BuildForbiddenWords()
    {
        var words = new Dictionary<string, SafetyRule>(StringComparer.Ordinal);
        void Add(SafetyRule rule, params string[] names)
        {
            foreach (var name in names)
            {
                words.Add(name, rule);
            }
        }

        // `do` is in the list because a do block in a tactic is a metaprogram (it can only be run as one).
        Add(SafetyRule.RunsCode, "run_tac", "run_cmd", "run_elab", "run_meta", "run_conv", "by_elab", "do", "evalExpr", "evalConst", "eval_expr");
        Add(SafetyRule.ChangesEnvironment,
            "elab", "elab_rules", "macro", "macro_rules", "syntax", "declare_syntax_cat", "notation", "notation3",
            "infix", "infixl", "infixr", "prefix", "postfix", "initialize", "builtin_initialize",
            "simproc", "dsimproc", "simproc_decl", "dsimproc_decl", "builtin_simproc", "builtin_dsimproc",
            "def", "theorem", "lemma", "abbrev", "instance", "structure", "class", "inductive", "coinductive",
            "axiom", "opaque", "example", "namespace", "section", "universe", "variable", "attribute",
            "export", "mutual", "deriving", "import", "omit", "include", "alias", "irreducible_def", "add_decl_doc",
            "register_option", "register_builtin_option", "register_simp_attr", "register_label_attr", "initialize_simps_projections",
            "declare_config_elab", "declare_simp_like_tactic", "binder_predicate", "unif_hint", "compile_inductive",
            "mk_iff_of_inductive_prop", "add_aesop_rules", "declare_aesop_rule_sets", "lrat_proof", "grind_pattern");
        Add(SafetyRule.NotAProof, "sorry", "admit", "sorryAx", "stop");
        Add(SafetyRule.TrustsCompiler, "trustCompiler", "ofReduceBool", "reduceBool", "ofReduceNat", "reduceNat");
        Add(SafetyRule.Unsafe, "unsafe", "implemented_by", "extern");
        Add(SafetyRule.ExternalService, "polyrith", "suggest_tactics", "search_proof", "select_premises", "llmstep");
        return words;
    }

    /// <summary>
    /// The rule a name breaks. Qualified names are ordinary lemmas, except qualified forms of the escapes that
    /// work as terms (<c>Lean.ofReduceBool</c>, <c>Foo.sorryAx</c>, <c>Lean.implemented_by</c>).
    /// </summary>
    private static SafetyRule? Forbidden(string identifier)
    {
        if (ForbiddenWords.TryGetValue(identifier, out var rule))
        {
            return rule;
        }

        var last = LastComponent(identifier);
        return last != identifier && ForbiddenWords.TryGetValue(last, out rule) && (rule is SafetyRule.TrustsCompiler or SafetyRule.Unsafe || last == "sorryAx")
            ? rule
            : null;
    }

    /// <summary>
    /// <c>unsafeCast</c>, <c>unsafeBaseIO</c>, <c>ptrAddrUnsafe</c>, <c>f._unsafe_rec</c>: Lean names its unsafe functions
    /// this way (a lemma such as <c>unsafe_fact</c> is not one).
    /// </summary>
    private static bool IsUnsafeName(string identifier)
    {
        var last = LastComponent(identifier);
        return last.Length > "unsafe".Length && last.StartsWith("unsafe", StringComparison.Ordinal) && char.IsUpper(last["unsafe".Length])
            || last.Length > "Unsafe".Length && last.EndsWith("Unsafe", StringComparison.Ordinal)
            || last == "_unsafe_rec";
    }

    private static bool IsIoName(string identifier) =>
        identifier is "IO" or "System"
        || identifier.StartsWith("IO.", StringComparison.Ordinal) || identifier.Contains(".IO.", StringComparison.Ordinal)
        || identifier.StartsWith("System.", StringComparison.Ordinal);

    /// <summary>The first metaprogramming or IO namespace opened by the <c>open</c> at <paramref name="index"/>, if any.</summary>
    private static string? OpenedMetaNamespace(Word[] words, int index)
    {
        for (var k = index + 1; k < words.Length && words[k].Text != "in"; k++)
        {
            if (words[k].Kind == LeanTokenKind.Identifier && IsMetaNamespace(words[k].Text))
            {
                return words[k].Text;
            }

            if (words[k].Kind != LeanTokenKind.Identifier && words[k].Text is not ("(" or ")"))
            {
                break;
            }
        }

        return null;
    }

    private static bool IsMetaNamespace(string name)
    {
        var components = (name.StartsWith("_root_.", StringComparison.Ordinal) ? name["_root_.".Length..] : name).Split('.');
        return MetaRootNamespaces.Contains(components[0]) || components.Any(MetaNamespaceComponents.Contains);
    }

    /// <summary>
    /// The tactic at <paramref name="index"/> when it trusts the compiler: <c>native_decide</c>, <c>bv_decide</c>,
    /// <c>bv_check</c>, or <c>decide</c> with the <c>native</c> option (<c>+native</c>, <c>(native := true)</c>, <c>{ native := true }</c>).
    /// </summary>
    private static string? CompilerTrustingTactic(Word[] words, int index)
    {
        var text = words[index].Text;
        if (CompilerTrustingTactics.Contains(text))
        {
            return text;
        }

        return text == "native" && index > 0 && words[index - 1].Text is "+" or "{" or "(" or "," ? "decide +native" : null;
    }

    /// <summary>
    /// <c>unsafe</c> as an Aesop rule phase (<c>aesop (add unsafe 50% apply foo)</c>, <c>(add safe foo, unsafe bar)</c>):
    /// a word of Aesop's clause syntax, not Lean's <c>unsafe</c>. Only there: inside a parenthesized clause that starts
    /// with <c>add</c>, directly after <c>add</c> or a comma, followed by a probability or a rule name, and the clause
    /// belongs to an <c>aesop</c> call (only other clauses stand between them). The rule's own words are checked as usual.
    /// </summary>
    private static bool IsAesopUnsafeRule(Word[] words, int index)
    {
        if (index == 0 || words[index - 1].Text is not ("add" or ",") || index + 1 >= words.Length
            || words[index + 1].Kind is not (LeanTokenKind.Number or LeanTokenKind.Identifier))
        {
            return false;
        }

        // The clause's opening parenthesis.
        var open = index - 1;
        for (var depth = 0; open >= 0; open--)
        {
            var text = words[open].Text;
            if (text is ")" or "]" or "}")
            {
                depth++;
            }
            else if (text is "(" or "[" or "{")
            {
                if (depth == 0)
                {
                    break;
                }

                depth--;
            }
        }

        if (open < 1 || words[open].Text != "(" || words[open + 1].Text != "add")
        {
            return false;
        }

        // Back over earlier clauses `( … )` to the aesop word.
        var k = open - 1;
        while (k >= 0 && words[k].Text == ")")
        {
            for (var depth = 0; k >= 0; k--)
            {
                depth += words[k].Text == ")" ? 1 : words[k].Text == "(" ? -1 : 0;
                if (depth == 0)
                {
                    break;
                }
            }

            k--;
        }

        return k >= 0 && words[k].Kind == LeanTokenKind.Identifier && words[k].Text.StartsWith("aesop", StringComparison.Ordinal);
    }

    private static string LastComponent(string identifier)
    {
        var dot = identifier.LastIndexOf('.');
        return dot < 0 ? identifier : identifier[(dot + 1)..];
    }

    private static string? CheckOption(Word[] words, int index)
    {
        if (index + 1 >= words.Length || words[index + 1].Kind != LeanTokenKind.Identifier)
        {
            return "set_option without an option name";
        }

        var name = words[index + 1].Text;
        if (RefusedOptionPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return $"set_option {name} is not allowed (it writes a file)";
        }

        if (AllowedOptionPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return null;
        }

        if (AllowedLimitOptions.Contains(name))
        {
            // A limit of 0 means "no limit": a candidate may not switch the limit off.
            var value = index + 2 < words.Length ? words[index + 2] : default;
            return value.Kind == LeanTokenKind.Number && long.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? null
                : $"set_option {name} must be a positive number";
        }

        return $"set_option {name} is not allowed (only pp.*, trace.*, linter.* and positive resource limits)";
    }
}
