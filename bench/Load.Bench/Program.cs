using System.Globalization;
using MlAspire.Load.Bench;

// Load tool: bench/load.sh runs it against a running gateway (for example the one `dotnet run --project AppHost` prints).
// Exit code 0 when no accepted job was lost, 1 when one was, 2 for bad arguments.
const string Usage = """
    usage: Load.Bench --gateway <url> (--rate <per second> | --concurrency <n>) [--duration <s>] [--drain <s>]
                      [--images <folder of .png/.jpg>] [--model <name>] [--api-key <key>]
                      [--poison <file> --poison-every <n>]
      The API key may also come from MLASPIRE_API_KEY. Defaults: --duration 10, --drain 60,
      --images models/digits/testdata, --model digits.
    """;

var options = new Dictionary<string, string>(StringComparer.Ordinal);
for (var i = 0; i < args.Length; i++)
{
    if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
    {
        Console.Error.WriteLine($"unexpected argument '{args[i]}'\n{Usage}");
        return 2;
    }

    options[args[i][2..]] = args[++i];
}

string? Get(string name) => options.TryGetValue(name, out var value) ? value : null;
double? Number(string name) =>
    Get(name) is { } text ? double.Parse(text, NumberStyles.Float, CultureInfo.InvariantCulture) : null;

LoadSettings settings;
try
{
    var folder = Get("images") ?? Path.Combine("models", "digits", "testdata");
    var images = Directory.GetFiles(folder)
        .Where(f => f.EndsWith(".png", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpg", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".jpeg", StringComparison.OrdinalIgnoreCase))
        .Order(StringComparer.Ordinal)
        .Select(f => LoadImage.FromFile(f))
        .ToList();
    if (Get("poison") is { } poison)
    {
        images.Add(LoadImage.FromFile(poison, poison: true));
    }

    settings = new LoadSettings
    {
        Gateway = new Uri(Get("gateway") ?? throw new ArgumentException("--gateway is required.")),
        Images = images,
        Model = Get("model") ?? "digits",
        ApiKey = Get("api-key") ?? Environment.GetEnvironmentVariable("MLASPIRE_API_KEY"),
        Rate = Number("rate"),
        Concurrency = Number("concurrency") is double c ? (int)c : null,
        Duration = TimeSpan.FromSeconds(Number("duration") ?? 10),
        Drain = TimeSpan.FromSeconds(Number("drain") ?? 60),
        PoisonEvery = (int)(Number("poison-every") ?? 0),
    };
    settings.Validate();
}
catch (Exception ex) when (ex is ArgumentException or FormatException or IOException or UriFormatException or UnauthorizedAccessException)
{
    Console.Error.WriteLine($"{ex.Message}\n{Usage}");
    return 2;
}

using var runner = new LoadRunner(settings);
var mode = settings.Rate is double r ? $"{r} submissions/s" : $"{settings.Concurrency} clients";
Console.WriteLine($"load: {mode} for {settings.Duration.TotalSeconds} s against {settings.Gateway}, drain {settings.Drain.TotalSeconds} s");
var report = await runner.RunAsync();
Console.WriteLine(report);
return report.Lost == 0 ? 0 : 1;
