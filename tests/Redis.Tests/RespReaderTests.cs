using System.Buffers;
using System.Text;

namespace MlAspire.Redis.Tests;

public sealed class RespReaderTests
{
    public static TheoryData<string, string> ValidReplies => new()
    {
        { "+OK\r\n", "SimpleString(OK)" },
        { "-ERR unknown command\r\n", "Error(ERR unknown command)" },
        { ":-42\r\n", "Integer(-42)" },
        { ":9223372036854775807\r\n", "Integer(9223372036854775807)" },
        { "$5\r\nhello\r\n", "BulkString(hello)" },
        { "$0\r\n\r\n", "BulkString()" },
        { "$4\r\na\r\nb\r\n", "BulkString(a\r\nb)" },
        { "$-1\r\n", "null" },
        { "*2\r\n:1\r\n$1\r\na\r\n", "Array[Integer(1),BulkString(a)]" },
        { "*0\r\n", "Array[]" },
        { "*-1\r\n", "null" },
        { "*2\r\n*1\r\n+x\r\n$-1\r\n", "Array[Array[SimpleString(x)],null]" },
        { "_\r\n", "null" },
        { ",3.25\r\n", "Double(3.25)" },
        { ",-inf\r\n", "Double(-inf)" },
        { ",1e3\r\n", "Double(1000)" },
        { "#t\r\n", "Boolean(true)" },
        { "#f\r\n", "Boolean(false)" },
        { "(3492890328409238509324850943850943825024385\r\n", "BigNumber(3492890328409238509324850943850943825024385)" },
        { "=15\r\ntxt:Some string\r\n", "VerbatimString(txt:Some string)" },
        { "%2\r\n+first\r\n:1\r\n$6\r\nsecond\r\n#f\r\n", "Map[SimpleString(first),Integer(1),BulkString(second),Boolean(false)]" },
        { "~3\r\n+a\r\n:2\r\n_\r\n", "Set[SimpleString(a),Integer(2),null]" },
        { "|1\r\n+key-popularity\r\n%1\r\n$1\r\na\r\n,0.19\r\n*1\r\n:7\r\n",
            "attrMap[SimpleString(key-popularity),Map[BulkString(a),Double(0.19)]]Array[Integer(7)]" },
        { ">3\r\n$7\r\nmessage\r\n$2\r\nch\r\n$3\r\nhi!\r\n", "Push[BulkString(message),BulkString(ch),BulkString(hi!)]" },
        { "!21\r\nSYNTAX invalid syntax\r\n", "BlobError(SYNTAX invalid syntax)" },
    };

    public static TheoryData<string, string> MalformedReplies => new()
    {
        { "$abc\r\nxyz\r\n", "length" },
        { "$5\r\nhelloXX", "CRLF" },
        { "$-2\r\n", "negative length" },
        { "*-5\r\n", "negative count" },
        { "%-1\r\n", "negative count" },
        { "?what\r\n", "Unknown RESP type byte" },
        { "\0\r\n", "Unknown RESP type byte" },
        { ":12a\r\n", "not a digit" },
        { ":99999999999999999999\r\n", "overflows" },
        { "$99999999999\r\n", "limit" },
        { "#x\r\n", "boolean" },
        { "_x\r\n", "null" },
        { ",1.5z\r\n", "double" },
        { "(12a\r\n", "big number" },
        { "=3\r\ntxt\r\n", "verbatim" },
        { "+bad\nline\r\n", "bare CR or LF" },
        { ":\r\n", "1 to 20 characters" },
    };

    [Theory]
    [MemberData(nameof(ValidReplies))]
    public void EveryTypeDecodesIdenticallyAtEverySplitOffset(string wire, string expected)
    {
        var data = Encoding.UTF8.GetBytes(wire);
        Assert.Equal(expected, RespReader.ReadComplete(new ReadOnlySequence<byte>(data)).ToString());
        for (var offset = 1; offset < data.Length; offset++)
        {
            Assert.Equal(expected, RespReader.ReadComplete(Segments.Split(data, offset)).ToString());
        }

        Assert.Equal(expected, RespReader.ReadComplete(Segments.OneBytePerSegment(data)).ToString());
    }

    [Theory]
    [MemberData(nameof(ValidReplies))]
    public void EveryProperPrefixIsIncompleteNotAnError(string wire, string expected)
    {
        _ = expected;
        var data = Encoding.UTF8.GetBytes(wire);
        for (var length = 0; length < data.Length; length++)
        {
            var prefix = Segments.OneBytePerSegment(data[..length]);
            var before = prefix.Length;
            Assert.False(RespReader.TryRead(ref prefix, out _));
            Assert.Equal(before, prefix.Length);
        }
    }

    [Fact]
    public void ConsecutiveRepliesInOneBufferAreReadInOrder()
    {
        var data = Encoding.UTF8.GetBytes("+OK\r\n:1\r\n$1\r\nx\r\n*1\r\n_\r\n:2");
        var buffer = Segments.OneBytePerSegment(data);
        var seen = new List<string>();
        while (RespReader.TryRead(ref buffer, out var result))
        {
            seen.Add(result.ToString());
        }

        Assert.Equal(["SimpleString(OK)", "Integer(1)", "BulkString(x)", "Array[null]"], seen);
        Assert.Equal(2, buffer.Length);
    }

    [Fact]
    public void BinaryBulkPayloadIsKeptByteForByte()
    {
        var payload = Enumerable.Range(0, 256).Select(i => (byte)i).ToArray();
        var data = Encoding.ASCII.GetBytes("$256\r\n").Concat(payload).Concat("\r\n"u8.ToArray()).ToArray();
        var result = RespReader.ReadComplete(Segments.Split(data, 3, 7, 100, 261));
        Assert.Equal(payload, result.AsMemory().ToArray());
    }

    [Theory]
    [MemberData(nameof(MalformedReplies))]
    public void MalformedRepliesThrowProtocolException(string wire, string messagePart)
    {
        var data = Encoding.UTF8.GetBytes(wire);
        var whole = Assert.Throws<RedisProtocolException>(() => RespReader.ReadComplete(new ReadOnlySequence<byte>(data)));
        Assert.Contains(messagePart, whole.Message, StringComparison.OrdinalIgnoreCase);
        Assert.Throws<RedisProtocolException>(() => RespReader.ReadComplete(Segments.OneBytePerSegment(data)));
    }

    [Fact]
    public void TruncatedReplyIsReportedWhenInputEnds()
    {
        var data = Encoding.UTF8.GetBytes("*3\r\n:1\r\n:2\r\n");
        var ex = Assert.Throws<RedisProtocolException>(() => RespReader.ReadComplete(new ReadOnlySequence<byte>(data)));
        Assert.Contains("truncated", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void OverlongLineWithoutCrlfIsRejectedInsteadOfBuffered()
    {
        var data = Encoding.ASCII.GetBytes("+" + new string('a', RespReader.MaxLineLength + 10));
        var buffer = new ReadOnlySequence<byte>(data);
        var ex = Assert.Throws<RedisProtocolException>(() => RespReader.TryRead(ref buffer, out _));
        Assert.Contains("overlong", ex.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void NestingDeeperThanTheLimitIsRejected()
    {
        var data = Encoding.ASCII.GetBytes(string.Concat(Enumerable.Repeat("*1\r\n", RespReader.MaxDepth + 2)) + ":1\r\n");
        Assert.Throws<RedisProtocolException>(() => RespReader.ReadComplete(new ReadOnlySequence<byte>(data)));
    }

    [Fact]
    public void HugeAggregateCountDoesNotAllocateBeforeDataArrives()
    {
        var buffer = new ReadOnlySequence<byte>(Encoding.ASCII.GetBytes("*1000000000\r\n:1\r\n"));
        Assert.False(RespReader.TryRead(ref buffer, out _));
    }

    [Fact]
    public void WriterEncodesCommandsAsArraysOfBulkStrings()
    {
        using var writer = new PooledBufferWriter(8);
        RespWriter.WriteCommand(writer, "SET", ["k€", RedisValue.FromBytes(new byte[] { 0, 13, 10 }), 42L, 1.5, RedisValue.Null]);
        var expected = "*6\r\n$3\r\nSET\r\n$4\r\nk€\r\n$3\r\n\0\r\n\r\n$2\r\n42\r\n$3\r\n1.5\r\n$0\r\n\r\n";
        Assert.Equal(Encoding.UTF8.GetBytes(expected), writer.WrittenMemory.ToArray());
    }
}
