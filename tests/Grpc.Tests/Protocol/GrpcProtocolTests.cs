using MlAspire.Grpc.Internal;

namespace MlAspire.Grpc.Tests.Protocol;

public sealed class GrpcProtocolTests
{
    [Theory]
    [InlineData("2H", 2 * TimeSpan.TicksPerHour)]
    [InlineData("3M", 3 * TimeSpan.TicksPerMinute)]
    [InlineData("10S", 10 * TimeSpan.TicksPerSecond)]
    [InlineData("100m", 100 * TimeSpan.TicksPerMillisecond)]
    [InlineData("250u", 2500)]
    [InlineData("1000n", 10)]
    [InlineData("1n", 1)]
    [InlineData("99999999S", 99999999 * TimeSpan.TicksPerSecond)]
    [InlineData("0m", 0)]
    public void TimeoutParsesEveryUnit(string value, long ticks)
    {
        Assert.True(GrpcProtocol.TryParseTimeout(value, out var timeout));
        Assert.Equal(ticks, timeout.Ticks);
    }

    [Theory]
    [InlineData("")]
    [InlineData("m")]
    [InlineData("10")]
    [InlineData("10x")]
    [InlineData("-1S")]
    [InlineData("1.5S")]
    [InlineData("123456789S")]
    [InlineData(" 1S")]
    public void MalformedTimeoutIsRejected(string value) => Assert.False(GrpcProtocol.TryParseTimeout(value, out _));

    [Theory]
    [InlineData(1500 * TimeSpan.TicksPerMillisecond, "1500000u")]
    [InlineData(200 * TimeSpan.TicksPerSecond, "200000m")]
    [InlineData(3 * TimeSpan.TicksPerDay, "259200S")]
    [InlineData(1, "1u")]
    public void TimeoutFormatsWithinEightDigits(long ticks, string expected)
    {
        var formatted = GrpcProtocol.FormatTimeout(TimeSpan.FromTicks(ticks));
        Assert.Equal(expected, formatted);
        Assert.True(GrpcProtocol.TryParseTimeout(formatted, out var parsed));
        Assert.True(parsed.Ticks >= ticks);
    }

    [Theory]
    [InlineData("plain text", "plain text")]
    [InlineData("50%", "50%25")]
    [InlineData("tab\there", "tab%09here")]
    [InlineData("\u263A", "%E2%98%BA")]
    public void GrpcMessageIsPercentEncoded(string value, string encoded)
    {
        Assert.Equal(encoded, GrpcProtocol.PercentEncode(value));
        Assert.Equal(value, GrpcProtocol.PercentDecode(encoded));
    }

    [Fact]
    public void MalformedPercentEscapesAreKeptAsWritten() =>
        Assert.Equal("100%zz and %4", GrpcProtocol.PercentDecode("100%zz and %4"));

    [Theory]
    [InlineData("q6ur")]
    [InlineData("q6urqw")]
    [InlineData("q6urqw==")]
    public void BinaryHeadersAcceptPaddedAndUnpaddedBase64(string value)
    {
        Assert.True(GrpcProtocol.TryDecodeBinaryHeader(value, out var bytes));
        Assert.Equal(0xab, bytes[0]);
    }

    [Fact]
    public void BinaryHeadersAreSentUnpadded() => Assert.Equal("q6urqw", GrpcProtocol.EncodeBinaryHeader([0xab, 0xab, 0xab, 0xab]));

    [Theory]
    [InlineData("q6u!")]
    [InlineData("a")]
    public void InvalidBase64IsRejected(string value) => Assert.False(GrpcProtocol.TryDecodeBinaryHeader(value, out _));

    [Theory]
    [InlineData("application/grpc", true)]
    [InlineData("application/grpc+proto", true)]
    [InlineData("application/grpc;charset=utf-8", true)]
    [InlineData("Application/GRPC", true)]
    [InlineData("application/grpcx", false)]
    [InlineData("application/json", false)]
    [InlineData(null, false)]
    public void ContentTypeRecognizesGrpc(string? value, bool expected) =>
        Assert.Equal(expected, GrpcProtocol.IsGrpcContentType(value));

    [Theory]
    [InlineData(400, StatusCode.Internal)]
    [InlineData(401, StatusCode.Unauthenticated)]
    [InlineData(403, StatusCode.PermissionDenied)]
    [InlineData(404, StatusCode.Unimplemented)]
    [InlineData(429, StatusCode.Unavailable)]
    [InlineData(502, StatusCode.Unavailable)]
    [InlineData(503, StatusCode.Unavailable)]
    [InlineData(504, StatusCode.Unavailable)]
    [InlineData(500, StatusCode.Unknown)]
    public void HttpStatusMapsPerSpec(int http, StatusCode expected) => Assert.Equal(expected, GrpcProtocol.FromHttpStatus(http));

    [Fact]
    public void MetadataKeysAreValidatedAndLowerCased()
    {
        var metadata = new Metadata { { "X-Custom", "v" } };
        Assert.Equal("x-custom", metadata[0].Key);
        Assert.Throws<ArgumentException>(() => metadata.Add("bad key", "v"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-bin", "text"));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-text", [1, 2]));
        Assert.Throws<ArgumentException>(() => metadata.Add("x-text", "line\nbreak"));
    }
}
