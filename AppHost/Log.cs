using Microsoft.Extensions.Logging;

namespace MlAspire.AppHost;

internal static partial class Log
{
    [LoggerMessage(EventId = 9001, Level = LogLevel.Information, Message = "{Resource} is healthy: {Url}  (try: curl -H 'Content-Type: image/png' --data-binary @models/digits/testdata/000_4.png {Url}/v1/models/digits:classify)")]
    public static partial void ResourceHealthy(ILogger logger, string resource, string url);

    [LoggerMessage(EventId = 9002, Level = LogLevel.Information, Message = "Sample digit {File} (label {Expected}) classified as {Label}")]
    public static partial void SampleClassified(ILogger logger, string file, string expected, string label);
}
