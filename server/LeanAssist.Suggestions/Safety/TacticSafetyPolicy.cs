using System.Globalization;
using LeanAssist.Lean.Source;

namespace LeanAssist.Suggestions.Safety;

/// <summary>The outcome of checking one candidate against the safety policy.</summary>
public sealed record SafetyVerdict(bool Accepted, string? Reason, bool UsesNativeDecide)
{
    public static SafetyVerdict Accept(bool usesNativeDecide = false) => new(true, null, usesNativeDecide);

    public static SafetyVerdict Reject(string reason) => new(false, reason, false);
}

/// <summary>
/// LLM output is untrusted code, and Lean runs code while it elaborates a tactic. This policy
/// decides, before anything reaches Lean, whether a candidate may be run: it rejects anything that
/// can execute code or change the environment, and anything that would count <c>sorry</c> as a proof.
/// It works on Lean tokens (<see cref="LeanLexer"/>), so comments and strings can neither hide a
/// forbidden command nor trigger a false alarm, and text Lean would not lex the same way is refused.
/// </summary>
public static class TacticSafetyPolicy
{
    public const int MaxCandidateLength = 4000;

    /// <summary>Commands, keywords and attributes that run code, define things or change the environment.</summary>
    private static readonly HashSet<string> ForbiddenWords = new(StringComparer.Ordinal)
    {
        // Running code at elaboration time.
        "run_tac", "run_cmd", "run_elab", "run_meta", "by_elab", "elab", "elab_rules", "macro", "macro_rules",
        "syntax", "declare_syntax_cat", "notation", "infix", "infixl", "infixr", "prefix", "postfix",
        "initialize", "builtin_initialize", "unsafe", "implemented_by", "extern", "dsimproc", "simproc",
        "evalExpr", "evalConst", "eval_expr",
        // Declarations and environment changes.
        "def", "theorem", "lemma", "abbrev", "instance", "structure", "class", "inductive", "coinductive",
        "axiom", "opaque", "example", "namespace", "section", "universe", "variable", "attribute",
        "export", "mutual", "deriving", "import",
        // Not proofs.
        "sorry", "admit", "sorryAx", "stop",
        // Trusting the compiler instead of the kernel.
        "trustCompiler", "Lean.trustCompiler", "ofReduceBool", "Lean.ofReduceBool", "reduceBool", "Lean.reduceBool",
        "ofReduceNat", "Lean.ofReduceNat",
    };

    /// <summary>Options a tactic may set with <c>set_option ... in</c>: display, tracing, linting and resource limits.</summary>
    private static readonly string[] AllowedOptionPrefixes = ["pp.", "trace.", "linter."];

    private static readonly HashSet<string> AllowedLimitOptions = new(StringComparer.Ordinal)
    {
        "maxHeartbeats", "maxRecDepth", "synthInstance.maxHeartbeats", "synthInstance.maxSize", "exponentiation.threshold",
    };

    public static SafetyVerdict Check(string candidate, bool allowNativeDecide)
    {
        if (string.IsNullOrWhiteSpace(candidate))
        {
            return SafetyVerdict.Reject("empty candidate");
        }

        if (candidate.Length > MaxCandidateLength)
        {
            return SafetyVerdict.Reject($"longer than {MaxCandidateLength} characters");
        }

        if (candidate.Any(c => char.IsControl(c) && c is not ('\n' or '\t' or '\r')))
        {
            return SafetyVerdict.Reject("contains control characters");
        }

        var lexed = LeanLexer.Tokenize(candidate, out var unterminated);
        if (unterminated is not null)
        {
            return SafetyVerdict.Reject($"cannot be read safely: {unterminated}");
        }

        // Escaped names («sorry») are the names themselves.
        var tokens = lexed.Select(t => (t.Kind, Text: t.GetText(candidate).Replace("«", string.Empty, StringComparison.Ordinal).Replace("»", string.Empty, StringComparison.Ordinal))).ToArray();

        var usesNativeDecide = false;
        for (var i = 0; i < tokens.Length; i++)
        {
            var token = tokens[i];
            switch (token.Kind)
            {
                case LeanTokenKind.HashCommand:
                    return SafetyVerdict.Reject($"contains the command {token.Text}");
                case LeanTokenKind.AttributeOpen:
                    return SafetyVerdict.Reject("contains an attribute (@[...])");
                case LeanTokenKind.Identifier:
                    if (ForbiddenWords.Contains(token.Text) || ForbiddenWords.Contains(LastComponent(token.Text)) && IsForbiddenQualified(token.Text))
                    {
                        return SafetyVerdict.Reject($"uses `{token.Text}`");
                    }

                    if (token.Text == "IO" || token.Text.StartsWith("IO.", StringComparison.Ordinal) || token.Text.Contains(".IO.", StringComparison.Ordinal)
                        || token.Text.StartsWith("System.", StringComparison.Ordinal))
                    {
                        return SafetyVerdict.Reject($"calls `{token.Text}` (IO)");
                    }

                    if (token.Text == "set_option" && CheckOption(tokens, i) is { } optionProblem)
                    {
                        return SafetyVerdict.Reject(optionProblem);
                    }

                    if (IsNativeDecide(tokens, i))
                    {
                        usesNativeDecide = true;
                    }

                    break;
            }
        }

        if (usesNativeDecide && !allowNativeDecide)
        {
            return SafetyVerdict.Reject("uses native_decide, which trusts the compiler (allow it with leanAssist.allowNativeDecide)");
        }

        return SafetyVerdict.Accept(usesNativeDecide);
    }

    /// <summary><c>native_decide</c>, <c>decide +native</c>, or <c>decide (config := { native := true })</c>.</summary>
    private static bool IsNativeDecide(IReadOnlyList<(LeanTokenKind Kind, string Text)> tokens, int index)
    {
        var text = tokens[index].Text;
        if (text is "native_decide" or "Lean.Parser.Tactic.nativeDecide")
        {
            return true;
        }

        return text == "native" && index > 0 && tokens[index - 1].Text is "+" or "{" or "(" or ",";
    }

    private static string LastComponent(string identifier)
    {
        var dot = identifier.LastIndexOf('.');
        return dot < 0 ? identifier : identifier[(dot + 1)..];
    }

    /// <summary>Qualified forms of the compiler-trust escapes (<c>Foo.ofReduceBool</c>) are refused too; other qualified names are ordinary lemmas.</summary>
    private static bool IsForbiddenQualified(string identifier) =>
        LastComponent(identifier) is "ofReduceBool" or "ofReduceNat" or "trustCompiler" or "reduceBool" or "sorryAx" or "implemented_by" or "extern";

    private static string? CheckOption(IReadOnlyList<(LeanTokenKind Kind, string Text)> tokens, int index)
    {
        if (index + 1 >= tokens.Count || tokens[index + 1].Kind != LeanTokenKind.Identifier)
        {
            return "set_option without an option name";
        }

        var name = tokens[index + 1].Text;
        if (AllowedOptionPrefixes.Any(prefix => name.StartsWith(prefix, StringComparison.Ordinal)))
        {
            return null;
        }

        if (AllowedLimitOptions.Contains(name))
        {
            // A limit of 0 means "no limit": a candidate may not switch the limit off.
            var value = index + 2 < tokens.Count ? tokens[index + 2] : default;
            return value.Kind == LeanTokenKind.Number && long.TryParse(value.Text, NumberStyles.None, CultureInfo.InvariantCulture, out var number) && number > 0
                ? null
                : $"set_option {name} must be a positive number";
        }

        return $"set_option {name} is not allowed (only pp.*, trace.*, linter.* and positive resource limits)";
    }
}
