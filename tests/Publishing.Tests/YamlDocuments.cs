using System.Text.Json;
using System.Text.Json.Nodes;
using YamlDotNet.Core;
using YamlDotNet.Core.Events;
using YamlDotNet.Serialization;

namespace MlAspire.Publishing.Tests;

/// <summary>Reads YAML (several documents) with YamlDotNet into JSON nodes for easy navigation. Scalars stay
/// strings (<c>"3"</c>), so tests compare text.</summary>
internal static class YamlDocuments
{
    private static readonly IDeserializer s_deserializer = new DeserializerBuilder().Build();

    public static List<JsonObject> Load(string yaml)
    {
        var documents = new List<JsonObject>();
        var parser = new Parser(new StringReader(yaml));
        parser.Consume<StreamStart>();
        while (parser.Accept<DocumentStart>(out _))
        {
            var value = s_deserializer.Deserialize(parser);
            if (value is not null)
            {
                documents.Add(JsonNode.Parse(JsonSerializer.Serialize(Normalize(value)))!.AsObject());
            }
        }

        return documents;
    }

    public static List<JsonObject> LoadFile(string path) => Load(File.ReadAllText(path));

    public static JsonObject Single(IEnumerable<JsonObject> objects, string kind, string name) =>
        objects.Single(o => (string?)o["kind"] == kind && (string?)o["metadata"]?["name"] == name);

    private static object? Normalize(object? value) => value switch
    {
        Dictionary<object, object> map => map.ToDictionary(e => (string)e.Key, e => Normalize(e.Value)),
        List<object> list => list.Select(Normalize).ToList(),
        _ => value,
    };
}
