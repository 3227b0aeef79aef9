using System.Text.Json.Nodes;

namespace LeanAssist.Testing.Json;

/// <summary>Seeded random changes to JSON messages, for property-style tests of lenient reading.</summary>
public static class JsonMutator
{
    /// <summary>
    /// Any change at all: a member replaced by a value of any JSON type, removed, or a new member added.
    /// For structures whose every shape must be survivable (client capabilities).
    /// </summary>
    public static void Scramble(JsonObject root, Random random, int mutations)
    {
        for (var i = 0; i < mutations; i++)
        {
            var (parent, name) = PickMember(root, random);
            if (parent is null)
            {
                return;
            }

            switch (random.Next(3))
            {
                case 0:
                    parent[name!] = RandomValue(random, depth: 0);
                    break;
                case 1:
                    parent.Remove(name!);
                    break;
                default:
                    parent[$"unknown{random.Next(1000)}"] = RandomValue(random, depth: 0);
                    break;
            }
        }
    }

    /// <summary>Adds members the reader does not know to <paramref name="count"/> random objects (LSP says they are ignored).</summary>
    public static void AddUnknownMembers(JsonObject root, Random random, int count)
    {
        var objects = Objects(root).ToList();
        for (var i = 0; i < count; i++)
        {
            var target = objects[random.Next(objects.Count)];
            target[$"x{random.Next(100000)}Proposed"] = RandomValue(random, depth: 0);
        }
    }

    /// <summary>Every object in the tree, the root first.</summary>
    public static IEnumerable<JsonObject> Objects(JsonNode? node)
    {
        switch (node)
        {
            case JsonObject obj:
                yield return obj;
                foreach (var (_, child) in obj.ToList())
                {
                    foreach (var inner in Objects(child))
                    {
                        yield return inner;
                    }
                }

                break;
            case JsonArray array:
                foreach (var child in array.ToList())
                {
                    foreach (var inner in Objects(child))
                    {
                        yield return inner;
                    }
                }

                break;
        }
    }

    public static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 2 ? 5 : 7) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(2) == 0),
        2 => JsonValue.Create(random.Next(-5, 1_000_000)),
        3 => JsonValue.Create(random.NextDouble() * 1e6),
        4 => JsonValue.Create(new string((char)('a' + random.Next(26)), random.Next(0, 8)) + "\u03bb\u2200"),
        5 => new JsonArray(Enumerable.Range(0, random.Next(4)).Select(_ => RandomValue(random, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, random.Next(4)).Select(i => KeyValuePair.Create($"k{i}", RandomValue(random, depth + 1)))),
    };

    private static (JsonObject? Parent, string? Name) PickMember(JsonObject root, Random random)
    {
        var members = Objects(root).SelectMany(obj => obj.Select(member => (Parent: obj, Name: member.Key))).ToList();
        return members.Count == 0 ? (null, null) : members[random.Next(members.Count)];
    }
}
