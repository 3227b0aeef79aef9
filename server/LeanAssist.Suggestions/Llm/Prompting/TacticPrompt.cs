using System.Globalization;
using System.Text;
using LeanAssist.Suggestions.Candidates;
using LeanAssist.Suggestions.Llm.Providers;

namespace LeanAssist.Suggestions.Llm.Prompting;

/// <summary>
/// Builds the prompt that asks a model for tactic candidates: the goal (hypotheses and target), the declaration,
/// the imports and nearby text, and in a repair round the attempts Lean rejected with its error messages.
/// The answer format it asks for (one <c>```lean</c> block per candidate) is what <see cref="TacticResponseParser"/>
/// reads best, though the parser also copes with answers that ignore it.
/// </summary>
/// <remarks>
/// The prompt is deterministic for a given request (no timestamps, no random order): it is part of the LLM cache key.
/// Long texts are cut in the middle (the start of a declaration holds its statement, the end the proof state's
/// surroundings), so cost stays bounded whatever the file holds.
/// </remarks>
public static class TacticPrompt
{
    public const int MaxDeclarationChars = 6_000;
    public const int MaxNearbyChars = 4_000;
    public const int MaxErrorChars = 1_000;
    public const int MaxFailedAttempts = 10;

    public const string SystemText = """
        You are an expert in Lean 4 and its libraries (Lean core, Batteries, Mathlib, Aesop).
        You propose tactics for one goal of a Lean 4 proof; Lean will check every one of them.
        Rules:
        - Answer with candidates only, best first, each in its own ```lean code block.
        - A block holds only tactic code: no `by`, no theorem statement, no `sorry`, no `admit`, no explanation.
        - A candidate may be a short tactic script over several lines; keep Lean's indentation.
        - Use only tactics and lemmas available with the file's imports.
        - Make the candidates differ from one another.
        - Write proofs, not programs: no `do`, `run_tac`, `#eval` or other metaprogramming, no declarations,
          no `native_decide`, `bv_decide` or `polyrith`. Such candidates are rejected without being run.
        """;

    public static LlmPrompt Build(ProposalRequest request, int candidateCount)
    {
        ArgumentNullException.ThrowIfNull(request);
        var user = new StringBuilder();
        user.Append("Imports: ")
            .Append(request.Imports.Count == 0 ? "none (Lean core only)" : string.Join(", ", request.Imports))
            .Append("\n\n");

        if (!string.IsNullOrWhiteSpace(request.NearbyText))
        {
            AppendBlock(user, "Nearby text in the file (context):", CutMiddle(request.NearbyText, MaxNearbyChars));
        }

        if (!string.IsNullOrWhiteSpace(request.Declaration))
        {
            AppendBlock(user, "The declaration being proved:", CutMiddle(request.Declaration, MaxDeclarationChars));
        }

        AppendBlock(user, "The goal (hypotheses above ⊢, the target after it):", request.Goal.Trim());

        var attempts = request.FailedAttempts.Take(MaxFailedAttempts).ToArray();
        if (request.IsRepairRound && attempts.Length > 0)
        {
            user.Append("These tactics failed on this goal. Lean's error follows each. Fix them, or propose different tactics that avoid these errors:\n\n");
            for (var i = 0; i < attempts.Length; i++)
            {
                user.Append(string.Create(CultureInfo.InvariantCulture, $"Attempt {i + 1}:\n"));
                user.Append("```lean\n").Append(attempts[i].Tactic.Trim()).Append("\n```\n");
                user.Append("Lean's error:\n```\n").Append(CutMiddle(attempts[i].LeanError.Trim(), MaxErrorChars)).Append("\n```\n\n");
            }
        }
        else if (attempts.Length > 0)
        {
            user.Append("Already tried without success (do not repeat): ")
                .Append(string.Join("; ", attempts.Select(a => a.Tactic.ReplaceLineEndings(" ").Trim())))
                .Append("\n\n");
        }

        if (request.WholeProof)
        {
            user.Append("Propose complete proofs: each candidate is the whole tactic script that goes after `by` and closes the goal, over several lines if needed, with `·` for each case.\n\n");
        }

        user.Append(string.Create(CultureInfo.InvariantCulture,
            $"Give {candidateCount} distinct candidate{(candidateCount == 1 ? "" : "s")}, each in its own ```lean block."));
        return new LlmPrompt(SystemText.Trim(), user.ToString());
    }

    private static void AppendBlock(StringBuilder builder, string title, string text) =>
        builder.Append(title).Append("\n```lean\n").Append(text.TrimEnd()).Append("\n```\n\n");

    /// <summary>Keeps the start and the end of a long text, saying how much was left out.</summary>
    internal static string CutMiddle(string text, int maxChars)
    {
        if (text.Length <= maxChars)
        {
            return text;
        }

        var half = maxChars / 2;
        var omitted = text.Length - 2 * half;
        return string.Create(CultureInfo.InvariantCulture, $"{text[..half]}\n-- … ({omitted} characters left out) …\n{text[^half..]}");
    }
}
