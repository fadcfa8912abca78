using System.Text.Json.Nodes;
using MlAspire.Publishing;
using YamlDotNet.Serialization;

namespace MlAspire.Publishing.Tests;

public sealed class YamlWriterTests
{
    private static readonly IDeserializer s_yaml = new DeserializerBuilder().Build();

    [Fact]
    public void StringsThatLookLikeOtherTypesStayStrings()
    {
        var yaml = YamlWriter.Write(new JsonObject { ["port"] = "8080", ["flag"] = "true", ["empty"] = "", ["nil"] = "null", ["number"] = 8080 });

        Assert.Contains("port: \"8080\"", yaml, StringComparison.Ordinal);
        Assert.Contains("flag: \"true\"", yaml, StringComparison.Ordinal);
        Assert.Contains("empty: \"\"", yaml, StringComparison.Ordinal);
        Assert.Contains("nil: \"null\"", yaml, StringComparison.Ordinal);
        Assert.Contains("number: 8080\n", yaml, StringComparison.Ordinal);
    }

    [Fact]
    public void NestedDocumentsRoundTripThroughAnIndependentParser()
    {
        var document = new JsonObject
        {
            ["metadata"] = new JsonObject { ["name"] = "a", ["labels"] = new JsonObject { ["app.kubernetes.io/name"] = "x" } },
            ["list"] = new JsonArray(
                new JsonObject { ["name"] = "first", ["args"] = new JsonArray("-c", "echo \"$HOME\" 'q' \\ done\nnext\tline") },
                new JsonObject { ["name"] = "second", ["empty"] = new JsonObject(), ["none"] = new JsonArray() },
                new JsonArray("nested", "list"),
                "plain"),
            ["unicode"] = "grüße ✓",
            ["key with space"] = "v",
            ["true"] = "key named like a boolean",
        };

        var parsed = s_yaml.Deserialize<Dictionary<string, object>>(YamlWriter.Write(document));

        var metadata = (Dictionary<object, object>)parsed["metadata"];
        Assert.Equal("x", ((Dictionary<object, object>)metadata["labels"])["app.kubernetes.io/name"]);
        var list = (List<object>)parsed["list"];
        var first = (Dictionary<object, object>)list[0];
        Assert.Equal(["-c", "echo \"$HOME\" 'q' \\ done\nnext\tline"], ((List<object>)first["args"]).Cast<string>());
        var second = (Dictionary<object, object>)list[1];
        Assert.Empty((Dictionary<object, object>)second["empty"]);
        Assert.Empty((List<object>)second["none"]);
        Assert.Equal(["nested", "list"], ((List<object>)list[2]).Cast<string>());
        Assert.Equal("plain", list[3]);
        Assert.Equal("grüße ✓", parsed["unicode"]);
        Assert.Equal("v", parsed["key with space"]);
        Assert.Equal("key named like a boolean", parsed["true"]);
    }

    [Fact]
    public void DocumentsAreSeparated()
    {
        var yaml = YamlWriter.WriteDocuments([new JsonObject { ["a"] = 1 }, new JsonObject { ["b"] = 2 }]);

        Assert.Equal("a: 1\n---\nb: 2\n", yaml);
    }
}
