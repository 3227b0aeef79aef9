using LeanAssist.Suggestions.Goals;

namespace LeanAssist.Suggestions.Learning;

/// <summary>
/// What makes two goals "similar" for learning from outcomes: the target's form and head symbol,
/// its number domain, and whether it is arithmetic, propositional or about an inductive type.
/// Coarse on purpose, so experience carries over between goals that differ only in names.
/// </summary>
public sealed record GoalFeatures(TargetForm Form, string Head, NumberDomain Domain, bool Arithmetic, bool Propositional, bool Inductive)
{
    public static GoalFeatures Unknown { get; } = new(TargetForm.Other, "?", NumberDomain.None, false, false, false);

    /// <summary>A stable text form, used as part of the learning store's key.</summary>
    public string Key => $"{Form}/{Head}/{(int)Domain}/{(Arithmetic ? 'a' : '-')}{(Propositional ? 'p' : '-')}{(Inductive ? 'i' : '-')}";

    public static GoalFeatures Of(string goalText)
    {
        if (LeanGoalParser.Parse(goalText) is not { } goal)
        {
            return Unknown;
        }

        var shape = GoalShape.Of(goal);
        return new GoalFeatures(
            shape.Form,
            shape.Head ?? "-",
            shape.Domain,
            shape.HasArithmetic,
            shape.IsPropositional,
            shape.InductionVariables.Count > 0);
    }
}
