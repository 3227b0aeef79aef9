using System.Text.RegularExpressions;

namespace LeanAssist.Suggestions.Goals;

/// <summary>The outermost form of a goal's target, read from its lowest-precedence top-level operator.</summary>
public enum TargetForm
{
    Other,
    Equality,
    Disequality,
    /// <summary><c>&lt; ≤ &gt; ≥</c>.</summary>
    Order,
    Iff,
    And,
    Or,
    Not,
    Implication,
    Forall,
    Exists,
    True,
    False,
    /// <summary><c>a ∣ b</c>.</summary>
    Divisibility,
    /// <summary><c>∈ ∉ ⊆</c>.</summary>
    Membership,
    /// <summary>A predicate or function application (<c>Even n</c>, <c>Nat.Prime 7</c>).</summary>
    Application,
    /// <summary>The goal is a type to inhabit (<c>⊢ Nat</c>): a term is wanted, not a proof.</summary>
    Data,
}

/// <summary>The number system the target's arithmetic lives in; decides between omega, linarith and friends.</summary>
[Flags]
public enum NumberDomain
{
    None = 0,
    Natural = 1,
    Integer = 2,
    /// <summary>ℚ or ℝ (ordered fields).</summary>
    OrderedField = 4,
    Complex = 8,
}

/// <summary>
/// What the portfolio needs to know about a goal, computed from Lean's printed text alone (no elaboration):
/// the target's form and head symbol, its arithmetic, and the hypotheses that obviously bear on it.
/// The analysis is heuristic by design: it only orders candidates, and Lean has the last word on each.
/// </summary>
public sealed partial record GoalShape
{
    public required LeanGoal Goal { get; init; }

    public TargetForm Form { get; init; }

    /// <summary>The top-level operator (<c>=</c>, <c>∧</c>, ...) or the applied function's name (<c>Nat.Prime</c>), if any.</summary>
    public string? Head { get; init; }

    public bool HasNumerals { get; init; }

    /// <summary>The target uses <c>+ - * / % ^ !</c>.</summary>
    public bool HasArithmetic { get; init; }

    /// <summary>A product of two non-numeral terms or a power with a variable base: beyond omega and linarith.</summary>
    public bool IsNonlinear { get; init; }

    public bool HasDivision { get; init; }

    public NumberDomain Domain { get; init; }

    /// <summary>No hypothesis name occurs in the target (a closed statement such as <c>2 + 2 = 4</c>).</summary>
    public bool IsClosed { get; init; }

    /// <summary>Only connectives, <c>True</c>/<c>False</c> and <c>Prop</c>-typed variables occur in the target.</summary>
    public bool IsPropositional { get; init; }

    /// <summary>Both sides of an equality or iff are the same text.</summary>
    public bool SidesIdentical { get; init; }

    /// <summary>Hypotheses whose type is the target.</summary>
    public IReadOnlyList<string> HypothesesMatchingTarget { get; init; } = [];

    /// <summary>Pairs (implication, argument): <c>h : A → target</c> with some <c>a : A</c> in scope.</summary>
    public IReadOnlyList<(string Implication, string Argument)> ModusPonens { get; init; } = [];

    /// <summary>Hypotheses <c>h : A → target</c> (for <c>apply h</c>).</summary>
    public IReadOnlyList<string> ImplicationsToTarget { get; init; } = [];

    /// <summary>A <c>False</c> hypothesis, or both <c>P</c> and <c>¬P</c>.</summary>
    public bool HasContradictoryHypotheses { get; init; }

    /// <summary>Hypotheses with arithmetic facts (relations over numbers): linarith/omega may use them.</summary>
    public bool HasArithmeticHypotheses { get; init; }

    public IReadOnlyList<string> OrHypotheses { get; init; } = [];

    public IReadOnlyList<string> AndHypotheses { get; init; } = [];

    public IReadOnlyList<string> ExistsHypotheses { get; init; } = [];

    /// <summary>Variables of an inductive type (ℕ, List, Bool, Option) that occur in the target, innermost first.</summary>
    public IReadOnlyList<(string Name, string Type)> InductionVariables { get; init; } = [];

    /// <summary>For a ∀ or → target: the name the first binder suggests (<c>x</c> for <c>∀ x, ...</c>), else null.</summary>
    public string? IntroName { get; init; }

    private static readonly (string Symbol, int Precedence, TargetForm Form)[] Operators =
    [
        ("↔", 20, TargetForm.Iff),
        ("→", 25, TargetForm.Implication),
        ("∨", 30, TargetForm.Or),
        ("∧", 35, TargetForm.And),
        ("≠", 50, TargetForm.Disequality),
        ("==", 50, TargetForm.Equality),
        ("=", 50, TargetForm.Equality),
        ("≤", 50, TargetForm.Order),
        ("≥", 50, TargetForm.Order),
        ("<", 50, TargetForm.Order),
        (">", 50, TargetForm.Order),
        ("∣", 50, TargetForm.Divisibility),
        ("∈", 50, TargetForm.Membership),
        ("∉", 50, TargetForm.Membership),
        ("⊆", 50, TargetForm.Membership),
    ];

    private static readonly string[] Binders = ["∀", "∃", "fun ", "λ", "∃!", "Σ", "∑", "∏", "⋃", "⋂", "let ", "have "];

    private static readonly HashSet<string> DataTypes = new(StringComparer.Ordinal)
    {
        "Nat", "ℕ", "Int", "ℤ", "Bool", "String", "Unit", "Char", "Float", "Real", "ℝ", "Rat", "ℚ", "Prop", "Type",
    };

    /// <summary>Analyses a parsed goal.</summary>
    public static GoalShape Of(LeanGoal goal)
    {
        ArgumentNullException.ThrowIfNull(goal);
        var target = goal.Target;
        var (form, head, operatorIndex) = ClassifyTarget(target);
        var bindings = goal.Bindings.ToArray();
        var targetIdentifiers = Identifiers(target).ToHashSet(StringComparer.Ordinal);
        var namesInTarget = bindings.Where(b => targetIdentifiers.Contains(b.Name)).ToArray();
        var propVariables = bindings.Where(b => b.Type == "Prop").Select(b => b.Name).ToHashSet(StringComparer.Ordinal);
        var normalizedTarget = Collapse(target);

        var domain = NumberDomain.None;
        foreach (var (_, type) in namesInTarget)
        {
            domain |= DomainOfType(type);
        }

        domain |= DomainOfType(target);
        var hasNumerals = Numeral().IsMatch(target);
        var hasArithmetic = Arithmetic().IsMatch(target);
        if (domain == NumberDomain.None && (hasNumerals || hasArithmetic) && form is TargetForm.Equality or TargetForm.Disequality or TargetForm.Order or TargetForm.Divisibility)
        {
            // Numerals without a type ascription default to ℕ in Lean.
            domain = NumberDomain.Natural;
        }

        var matching = new List<string>();
        var implications = new List<string>();
        var modusPonens = new List<(string, string)>();
        var ors = new List<string>();
        var ands = new List<string>();
        var exists = new List<string>();
        var arithmeticHypotheses = false;
        var hasFalse = false;
        var collapsedBindings = bindings.Select(b => (b.Name, Type: Collapse(b.Type))).ToArray();
        var types = collapsedBindings.Select(b => b.Type).ToHashSet(StringComparer.Ordinal);
        foreach (var (name, collapsed) in collapsedBindings)
        {
            if (collapsed == normalizedTarget)
            {
                matching.Add(name);
            }

            var (hypothesisForm, _, index) = ClassifyTarget(collapsed);
            switch (hypothesisForm)
            {
                case TargetForm.Implication when Collapse(collapsed[(index + 1)..]) == normalizedTarget:
                    implications.Add(name);
                    var premise = Collapse(collapsed[..index]);
                    var argument = collapsedBindings.FirstOrDefault(b => b.Type == premise).Name;
                    if (argument is not null)
                    {
                        modusPonens.Add((name, argument));
                    }

                    break;
                case TargetForm.Or:
                    ors.Add(name);
                    break;
                case TargetForm.And:
                    ands.Add(name);
                    break;
                case TargetForm.Exists:
                    exists.Add(name);
                    break;
                case TargetForm.False:
                    hasFalse = true;
                    break;
                case TargetForm.Not when types.Contains(Collapse(collapsed.TrimStart('¬', ' ', '(').TrimEnd(')'))):
                    hasFalse = true;
                    break;
                case TargetForm.Equality or TargetForm.Disequality or TargetForm.Order:
                    arithmeticHypotheses |= Numeral().IsMatch(collapsed) || Arithmetic().IsMatch(collapsed) || namesInTarget.Length > 0;
                    break;
            }
        }

        var identifiersAreProps = targetIdentifiers.All(id => propVariables.Contains(id) || id is "True" or "False");
        var isPropositional = form is TargetForm.And or TargetForm.Or or TargetForm.Not or TargetForm.Implication or TargetForm.Iff or TargetForm.True or TargetForm.False
            && targetIdentifiers.Count > 0 && identifiersAreProps;

        var sidesIdentical = false;
        if (form is TargetForm.Equality or TargetForm.Iff && operatorIndex >= 0)
        {
            var symbolLength = head?.Length ?? 1;
            sidesIdentical = Collapse(target[..operatorIndex]) == Collapse(target[(operatorIndex + symbolLength)..]);
        }

        return new GoalShape
        {
            Goal = goal,
            Form = form,
            Head = head,
            HasNumerals = hasNumerals,
            HasArithmetic = hasArithmetic,
            IsNonlinear = Nonlinear().IsMatch(target),
            HasDivision = target.Contains('/', StringComparison.Ordinal),
            Domain = domain,
            IsClosed = namesInTarget.Length == 0 && form != TargetForm.Data,
            IsPropositional = isPropositional,
            SidesIdentical = sidesIdentical,
            HypothesesMatchingTarget = matching,
            ImplicationsToTarget = implications,
            ModusPonens = modusPonens,
            HasContradictoryHypotheses = hasFalse,
            HasArithmeticHypotheses = arithmeticHypotheses,
            OrHypotheses = ors,
            AndHypotheses = ands,
            ExistsHypotheses = exists,
            InductionVariables = namesInTarget.Where(b => IsInductiveType(b.Type)).Reverse().DistinctBy(b => b.Name).ToArray(),
            IntroName = IntroNameOf(form, target),
        };
    }

    /// <summary>Finds the lowest-precedence operator outside brackets; a leading binder wins over everything.</summary>
    private static (TargetForm Form, string? Head, int Index) ClassifyTarget(string target)
    {
        var text = target.Trim();
        if (text.Length == 0)
        {
            return (TargetForm.Other, null, -1);
        }

        foreach (var binder in Binders)
        {
            if (text.StartsWith(binder, StringComparison.Ordinal))
            {
                var form = binder.StartsWith('∀') ? TargetForm.Forall : binder.StartsWith('∃') ? TargetForm.Exists : TargetForm.Other;
                return (form, binder.Trim(), 0);
            }
        }

        var best = (Precedence: int.MaxValue, Form: TargetForm.Other, Symbol: (string?)null, Index: -1);
        var depth = 0;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c is '(' or '[' or '{' or '⟨' or '⦃')
            {
                depth++;
                continue;
            }

            if (c is ')' or ']' or '}' or '⟩' or '⦄')
            {
                depth--;
                continue;
            }

            if (depth != 0)
            {
                continue;
            }

            // A binder in the middle ("P → ∀ x, Q x") extends to the end: nothing after it is top level.
            if (Binders.Any(b => string.CompareOrdinal(text, i, b, 0, b.Length) == 0) && (i == 0 || !IsIdentifierChar(text[i - 1])))
            {
                break;
            }

            foreach (var (symbol, precedence, form) in Operators)
            {
                if (string.CompareOrdinal(text, i, symbol, 0, symbol.Length) != 0 || IsPartOfLongerOperator(text, i, symbol))
                {
                    continue;
                }

                // → is right associative: the first occurrence is the outermost; the rest are left associative (last wins).
                var better = precedence < best.Precedence || (precedence == best.Precedence && symbol != "→");
                if (better)
                {
                    best = (precedence, form, symbol, i);
                }

                i += symbol.Length - 1;
                break;
            }
        }

        if (best.Symbol is not null)
        {
            return (best.Form, best.Symbol, best.Index);
        }

        if (text.StartsWith('¬'))
        {
            return (TargetForm.Not, "¬", 0);
        }

        switch (text)
        {
            case "True":
                return (TargetForm.True, "True", 0);
            case "False":
                return (TargetForm.False, "False", 0);
        }

        var firstWord = Identifier().Match(text);
        if (firstWord.Success && firstWord.Index == 0)
        {
            var isData = DataTypes.Contains(firstWord.Value) && (firstWord.Length == text.Length || firstWord.Value is "Type")
                || text.StartsWith("List ", StringComparison.Ordinal) || text.StartsWith("Option ", StringComparison.Ordinal) || text.StartsWith("Array ", StringComparison.Ordinal);
            return (isData ? TargetForm.Data : TargetForm.Application, firstWord.Value, 0);
        }

        return (TargetForm.Other, null, -1);
    }

    /// <summary>"&lt;" inside "&lt;;&gt;" or "&lt;|&gt;", "=" inside "==" / ":=" / "=&gt;", "&gt;" inside "→"-like ASCII arrows.</summary>
    private static bool IsPartOfLongerOperator(string text, int index, string symbol)
    {
        char? before = index > 0 ? text[index - 1] : null;
        char? after = index + symbol.Length < text.Length ? text[index + symbol.Length] : null;
        return symbol switch
        {
            "=" => before is ':' or '=' or '!' or '<' or '>' || after is '=' or '>',
            "<" => after is ';' or '|' or '$' or '-' or '=' or '<',
            ">" => before is '-' or '=' or '|' or ';' or '>' || after is '=' or '>',
            _ => false,
        };
    }

    private static string? IntroNameOf(TargetForm form, string target)
    {
        if (form == TargetForm.Forall)
        {
            var binder = ForallBinder().Match(target);
            return binder.Success ? binder.Groups["name"].Value : null;
        }

        return form is TargetForm.Implication or TargetForm.Not ? "h" : null;
    }

    private static NumberDomain DomainOfType(string type)
    {
        var domain = NumberDomain.None;
        foreach (Match word in Identifier().Matches(type))
        {
            domain |= word.Value switch
            {
                "Nat" or "ℕ" => NumberDomain.Natural,
                "Int" or "ℤ" => NumberDomain.Integer,
                "Real" or "ℝ" or "Rat" or "ℚ" => NumberDomain.OrderedField,
                "Complex" or "ℂ" => NumberDomain.Complex,
                _ => NumberDomain.None,
            };
        }

        return domain;
    }

    private static bool IsInductiveType(string type) =>
        type is "Nat" or "ℕ" or "Bool" || type.StartsWith("List ", StringComparison.Ordinal) || type.StartsWith("Option ", StringComparison.Ordinal);

    private static IEnumerable<string> Identifiers(string text) => Identifier().Matches(text).Select(m => m.Value);

    private static bool IsIdentifierChar(char c) => char.IsLetterOrDigit(c) || c is '_' or '\'' or '.';

    private static string Collapse(string text) => Whitespace().Replace(text.Trim(), " ");

    [GeneratedRegex(@"[\p{L}_][\p{L}\p{N}_'!?✝.]*", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"(?<![\p{L}_\p{N}])\d+(?:\.\d+)?", RegexOptions.CultureInvariant)]
    private static partial Regex Numeral();

    [GeneratedRegex(@"[+*/%^]|(?<=\s)-(?=\s)|\d!|\)!", RegexOptions.CultureInvariant)]
    private static partial Regex Arithmetic();

    /// <summary>Two non-numeral factors (<c>x * y</c>, <c>a * (b + 1)</c>) or a power with a variable base.</summary>
    [GeneratedRegex(@"(?:[\p{L}_][\p{L}\p{N}_'✝]*|\))\s*\*\s*(?:[\p{L}_(])|(?:[\p{L}_][\p{L}\p{N}_'✝]*|\))\s*\^", RegexOptions.CultureInvariant)]
    private static partial Regex Nonlinear();

    [GeneratedRegex(@"^∀\s*[({⦃\[]?\s*(?<name>[\p{L}_][\p{L}\p{N}_'✝]*)", RegexOptions.CultureInvariant)]
    private static partial Regex ForallBinder();

    [GeneratedRegex(@"\s+", RegexOptions.CultureInvariant)]
    private static partial Regex Whitespace();
}
