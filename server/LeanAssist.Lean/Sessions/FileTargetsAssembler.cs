using System.Collections.Immutable;
using LeanAssist.Lean.Repl;
using LeanAssist.Lean.Source;
using LeanAssist.Lean.Text;

namespace LeanAssist.Lean.Sessions;

/// <summary>
/// Builds a <see cref="LeanFileTargets"/> from a file snapshot and its group's cached command outcomes:
/// maps every position Lean reported (relative to a command's sent text) into the document, and turns
/// sorries and "unsolved goals" errors into targets.
/// </summary>
internal static class FileTargetsAssembler
{
    private const string UnsolvedGoals = "unsolved goals";

    /// <param name="chain">The snapshot's commands as links (what proof state handles carry).</param>
    public static LeanFileTargets Assemble(LeanFileSnapshot snapshot, ImmutableArray<LeanChainLink> chain, SessionGroup group, ReplLaunchPlan plan, IReadOnlyList<string> problems, LeanWorkCounters counters)
    {
        var commands = new List<LeanCommandInfo>(snapshot.Commands.Count);
        var targets = new List<LeanTarget>();
        var messages = new List<LeanDocumentMessage>();
        var allProblems = new List<string>(problems);
        var complete = problems.Count == 0;
        foreach (var command in snapshot.Commands)
        {
            var source = command.Source;
            commands.Add(new LeanCommandInfo(command.Index, source.Kind, source.Keyword, source.DeclarationName,
                snapshot.Text.GetRange(source.Start, source.End), command.Fingerprint, command.EnvironmentBefore));
            if (!group.Outcomes.TryGet(command.Fingerprint, out var outcome))
            {
                complete = false;
                continue;
            }

            if (outcome.Rejection is { } rejection)
            {
                allProblems.Add($"The REPL refused the command at line {snapshot.Text.GetLeanPosition(source.Start).Line}: {rejection}");
            }

            // Built on first need: most commands have no positioned message or sorry.
            SourceText? sent = null;

            for (var i = 0; i < outcome.Messages.Count; i++)
            {
                var message = outcome.Messages[i];
                if (!message.HasPosition)
                {
                    messages.Add(new LeanDocumentMessage(message.Severity, null, null, null, message.Data, command.Fingerprint));
                    continue;
                }

                sent ??= new SourceText(command.SentText);
                var sentStart = sent.GetOffset(message.Pos);
                var (range, start, end) = snapshot.ToDocumentRange(command, sentStart, sent.GetOffset(message.EndPos ?? message.Pos));
                messages.Add(new LeanDocumentMessage(message.Severity, range, start, end, message.Data, command.Fingerprint));
                if (message.IsError && message.Data.StartsWith(UnsolvedGoals, StringComparison.Ordinal))
                {
                    var goal = message.Data[UnsolvedGoals.Length..].TrimStart('\n');
                    targets.Add(new LeanTarget($"{command.Fingerprint}!{i}", LeanTargetKind.UnsolvedGoals, goal, range, start, end,
                        command.EnvironmentBefore, command.Fingerprint, command.SentText, sentStart, source.DeclarationName, ProofState: null));
                }
            }

            for (var i = 0; i < outcome.Sorries.Count; i++)
            {
                var sorry = outcome.Sorries[i];
                if (sorry.Pos is not { } pos)
                {
                    continue;
                }

                sent ??= new SourceText(command.SentText);
                var sentStart = sent.GetOffset(pos);
                var (range, start, end) = snapshot.ToDocumentRange(command, sentStart, sent.GetOffset(sorry.EndPos ?? pos));
                var handle = sorry.ProofState is null
                    ? null
                    : new LeanProofStateHandle(group.Key, chain, command.Index, i, [sorry.Goal]);
                targets.Add(new LeanTarget($"{command.Fingerprint}#{i}", LeanTargetKind.Sorry, sorry.Goal, range, start, end,
                    command.EnvironmentBefore, command.Fingerprint, command.SentText, sentStart, source.DeclarationName, handle));
            }
        }

        var header = snapshot.Layout.Header;
        return new LeanFileTargets(
            plan.ProjectRoot,
            plan.Toolchain,
            snapshot.HeaderFingerprint,
            snapshot.HeaderDependencies,
            header.Imports,
            header.Modules,
            snapshot.Text.GetRange(header.Start, header.End),
            commands,
            targets.OrderBy(t => t.Range.Start).ToArray(),
            messages,
            allProblems,
            complete,
            counters.Requests,
            counters.LeanTime)
        {
            CheckedBy = plan.CheckedBy,
        };
    }
}
